/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: per-process contexts, one per open file.
 */
#ifndef __AFD_CONTEXT_H__
#define __AFD_CONTEXT_H__

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

struct address_space;
struct afd_device;
struct afd_queue;
struct file;
struct mm_struct;
struct pid;

/**
 * struct afd_context - what one open() of /dev/accelN owns
 * @ref: held by the file, by each of its queues while the device lists
 *	them, and briefly by device removal
 * @adev: the device; the context holds a reference on it
 * @id: device-unique id, its sysfs name
 * @mapping: the file's address space, whose mappings removal revokes
 * @owner: thread group of the process that opened the file; only its
 *	threads may use the file
 * @mm: the opener's address space (mmgrab()), where the engine executes
 *	this context's descriptors
 * @comm: command name of the opener, for sysfs and logs
 * @node: entry in &struct afd_device.contexts, under its lock
 * @revoked: device removal has dealt with it (under the device lock)
 * @wq: WAIT and poll() sleep here; the engine wakes it on completions
 * @kobj: its sysfs directory
 * @lock: protects @queues
 * @queues: the context's queues by id, each holding a reference, and the
 *	tombstones (xa_mk_value()) of queues an administrator evicted
 * @queue_count: entries in @queues; under the device lock, which counts
 *	a process's queues over all its files
 */
struct afd_context {
	struct kref ref;
	struct afd_device *adev;
	u32 id;
	struct address_space *mapping;
	struct pid *owner;
	struct mm_struct *mm;
	char comm[TASK_COMM_LEN];
	struct list_head node;
	bool revoked;
	wait_queue_head_t wq;
	struct kobject *kobj;

	struct mutex lock; /* Protects queues */
	struct xarray queues;
	u32 queue_count;
};

struct afd_context *afd_context_create(struct afd_device *adev,
				       struct file *file);
void afd_context_close(struct afd_context *ctx);
void afd_context_get(struct afd_context *ctx);
void afd_context_put(struct afd_context *ctx);
void afd_context_revoke_all(struct afd_device *adev);
bool afd_context_is_owner(const struct afd_context *ctx);
struct afd_queue *afd_context_get_queue(struct afd_context *ctx, u32 id);
void afd_context_drop_tombstone(struct afd_context *ctx, u32 id);
void afd_context_notify(struct afd_context *ctx);

#endif /* __AFD_CONTEXT_H__ */
