/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * accelfd: per-process accelerator queues behind a character device.
 *
 * This header is the whole ABI between the accelfd kernel module and user
 * space. It follows Documentation/process/botching-up-ioctls.rst: fixed-size
 * types only, explicit padding, every struct a multiple of 64 bits, pointers
 * carried as __u64, and every flags or pad field that is not yet defined must
 * be zero (the kernel rejects anything else with -EINVAL).
 */
#ifndef _UAPI_LINUX_ACCELFD_H
#define _UAPI_LINUX_ACCELFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: ABI version
 *
 * The major number changes only if an existing ioctl changes meaning, which
 * the project promises never to do. The minor number grows with every
 * addition (a new ioctl, a new field appended to a struct, a new flag); user
 * space tests for a feature by comparing the minor number or, better, by the
 * capability bits of &struct afd_info.
 */
#define AFD_ABI_MAJOR 1
#define AFD_ABI_MINOR 0

/*
 * The ioctl type byte. accelfd is out of tree, so the number is not listed in
 * Documentation/userspace-api/ioctl/ioctl-number.rst; 0xAF is unused there.
 */
#define AFD_IOCTL_BASE 0xAF

#define AFD_NAME_LEN 32

/**
 * enum afd_op - descriptor operations an engine may support
 * @AFD_OP_NOP: do nothing, complete at once
 * @AFD_OP_MEMMOVE: copy, overlap-safe
 * @AFD_OP_FILL: fill with an 8-byte pattern
 * @AFD_OP_COMPARE: compare two buffers
 * @AFD_OP_CRC32C: seeded CRC32C of a buffer
 * @AFD_OP_COUNT: number of defined operations
 *
 * &struct afd_info.ops_supported has bit (1 << op) set for each operation
 * the device executes.
 */
enum afd_op {
	AFD_OP_NOP = 0,
	AFD_OP_MEMMOVE = 1,
	AFD_OP_FILL = 2,
	AFD_OP_COMPARE = 3,
	AFD_OP_CRC32C = 4,
	AFD_OP_COUNT
};

/*
 * Capability bits in &struct afd_info.caps. None are defined in ABI 1.0;
 * each later feature that user space may need to detect adds one.
 */
#define AFD_CAPS_ALL 0ULL

/* Flags accepted by AFD_IOC_GET_INFO: none yet. */
#define AFD_INFO_FLAGS_ALL 0U

/**
 * struct afd_info - argument of AFD_IOC_GET_INFO
 * @flags: in, must be zero
 * @pad: in, must be zero
 * @abi_major: out, AFD_ABI_MAJOR of the running module
 * @abi_minor: out, AFD_ABI_MINOR of the running module
 * @device_index: out, N of /dev/accelN
 * @engine_count: out, number of engines (software threads or hardware
 *	queues) that execute descriptors for this device
 * @caps: out, AFD_CAP_* bits
 * @ops_supported: out, bit (1 << &enum afd_op) for each supported operation
 * @max_queues_per_process: out, queues one open file may hold at once
 * @max_queues: out, queues the whole device may hold at once
 * @min_ring_entries: out, smallest ring size (a power of two)
 * @max_ring_entries: out, largest ring size (a power of two)
 * @name: out, NUL-terminated device name ("accel0")
 *
 * Returns the device's identity, ABI version and limits. The call never
 * fails on a valid file descriptor of the opening process with valid input.
 */
struct afd_info {
	__u32 flags;
	__u32 pad;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 device_index;
	__u32 engine_count;
	__u64 caps;
	__u64 ops_supported;
	__u32 max_queues_per_process;
	__u32 max_queues;
	__u32 min_ring_entries;
	__u32 max_ring_entries;
	char name[AFD_NAME_LEN];
};

#define AFD_IOC_GET_INFO _IOWR(AFD_IOCTL_BASE, 0x00, struct afd_info)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_LINUX_ACCELFD_H */
