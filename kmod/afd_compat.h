/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: kernel API changes between the kernels accelfd is built for. It
 * is built and tested against Debian's 6.1 and 6.12. An out-of-tree module
 * cannot avoid version checks; they all live here, each at the release that
 * made the change.
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

/* 6.8 dropped eventfd_signal()'s count: every caller passed 1. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define afd_eventfd_signal(ctx) eventfd_signal(ctx)
#else
#define afd_eventfd_signal(ctx) eventfd_signal(ctx, 1)
#endif

/*
 * 6.2 moved the free of a vfio_device into the VFIO core, after ->release,
 * and gave emulated-IOMMU devices the iommufd callbacks, which the core
 * requires where CONFIG_IOMMUFD is set (vfio.h makes them NULL where not).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define afd_vfio_free_device(vdev) do { } while (0)
#define AFD_VFIO_EMULATED_IOMMUFD_OPS					\
	.bind_iommufd	= vfio_iommufd_emulated_bind,			\
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,			\
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,		\
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
#else
#define afd_vfio_free_device(vdev) vfio_free_device(vdev)
#define AFD_VFIO_EMULATED_IOMMUFD_OPS
#endif

#endif /* __AFD_COMPAT_H__ */
