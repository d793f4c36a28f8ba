/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: sysfs attributes of /sys/class/accelfd/accelN.
 */
#ifndef __AFD_SYSFS_H__
#define __AFD_SYSFS_H__

struct attribute_group;

extern const struct attribute_group *afd_device_groups[];

#endif /* __AFD_SYSFS_H__ */
