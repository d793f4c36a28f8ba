/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: sysfs of /sys/class/accelfd/accelN, its contexts and queues.
 */
#ifndef __AFD_SYSFS_H__
#define __AFD_SYSFS_H__

struct afd_context;
struct afd_device;
struct afd_queue;
struct attribute_group;

extern const struct attribute_group *afd_device_groups[];

int afd_sysfs_add_dirs(struct afd_device *adev);
void afd_sysfs_remove_dirs(struct afd_device *adev);
int afd_sysfs_add_context(struct afd_context *ctx);
void afd_sysfs_remove_context(struct afd_context *ctx);
int afd_sysfs_add_queue(struct afd_queue *q);
void afd_sysfs_remove_queue(struct afd_queue *q);

#endif /* __AFD_SYSFS_H__ */
