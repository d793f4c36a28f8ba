/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: ioctl dispatch.
 */
#ifndef __AFD_IOCTL_H__
#define __AFD_IOCTL_H__

struct file;

long afd_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* __AFD_IOCTL_H__ */
