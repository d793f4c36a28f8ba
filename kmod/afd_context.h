/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: per-process contexts, one per open file.
 */
#ifndef __AFD_CONTEXT_H__
#define __AFD_CONTEXT_H__

#include <linux/list.h>
#include <linux/sched.h>
#include <linux/types.h>

struct afd_device;
struct pid;

/**
 * struct afd_context - what one open() of /dev/accelN owns
 * @adev: the device; the context holds a reference on it
 * @owner: thread group of the process that opened the file; only its
 *	threads may use the file
 * @comm: command name of the opener, for sysfs and logs
 * @node: entry in &struct afd_device.contexts, under its lock
 */
struct afd_context {
	struct afd_device *adev;
	struct pid *owner;
	char comm[TASK_COMM_LEN];
	struct list_head node;
};

struct afd_context *afd_context_create(struct afd_device *adev);
void afd_context_destroy(struct afd_context *ctx);
bool afd_context_is_owner(const struct afd_context *ctx);

#endif /* __AFD_CONTEXT_H__ */
