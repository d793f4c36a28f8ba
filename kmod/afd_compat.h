/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: kernel API changes after 6.1 that accelfd already meets. It is
 * built and tested against Debian's 6.1; newer kernels are not tested yet.
 * An out-of-tree module cannot avoid version checks; they all live here.
 */
#ifndef __AFD_COMPAT_H__
#define __AFD_COMPAT_H__

#include <linux/device.h>
#include <linux/mm.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define afd_class_create(name) class_create(name)
#define AFD_CLASS_CONST const
#else
#define afd_class_create(name) class_create(THIS_MODULE, name)
#define AFD_CLASS_CONST
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define afd_vma_set_flags(vma, flags) vm_flags_set(vma, flags)
#define afd_vma_clear_flags(vma, flags) vm_flags_clear(vma, flags)
#else
#define afd_vma_set_flags(vma, flags) ((vma)->vm_flags |= (flags))
#define afd_vma_clear_flags(vma, flags) ((vma)->vm_flags &= ~(flags))
#endif

#endif /* __AFD_COMPAT_H__ */
