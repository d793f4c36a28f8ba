/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * accelfd_mdev: the VFIO-mdev front end's device layout.
 *
 * One mdev of type "accelfd-queue" is one queue pair of its parent
 * /dev/accelN, as in the 2018 WarpDrive proposal, over the same engine as
 * the character device. It is a VFIO device of the platform kind: user
 * space reaches it through a VFIO container (type1 v2), group and device
 * file, finds its regions with VFIO_DEVICE_GET_REGION_INFO and its
 * interrupts with VFIO_DEVICE_GET_IRQ_INFO.
 *
 * The rings and the doorbell have the char device's layout (linux/accelfd.h):
 * the same descriptors, completions, ring headers and protocol. What
 * differs is memory: descriptor addresses are IOVAs that user space mapped
 * with VFIO_IOMMU_MAP_DMA (the engine reaches them through vfio_dma_rw(),
 * which translates them in the container), not the process's virtual
 * addresses; an IOVA not mapped faults (-EFAULT).
 */
#ifndef _UAPI_LINUX_ACCELFD_MDEV_H
#define _UAPI_LINUX_ACCELFD_MDEV_H

#include <linux/types.h>

/* The mdev type's name under mdev_supported_types/ of /sys/class/accelfd/accelN. */
#define AFD_MDEV_TYPE_NAME "accelfd-queue"

/**
 * enum afd_mdev_region - VFIO region indices
 * @AFD_MDEV_REGION_SQ: the submission ring (mmap), once the queue is enabled
 * @AFD_MDEV_REGION_CQ: the completion ring (mmap), likewise
 * @AFD_MDEV_REGION_DOORBELL: the doorbell page (mmap), likewise
 * @AFD_MDEV_REGION_REGS: &struct afd_mdev_regs, by pread()/pwrite()
 * @AFD_MDEV_NUM_REGIONS: number of regions
 *
 * While the queue is disabled the ring regions have size 0 and cannot be
 * mapped.
 */
enum afd_mdev_region {
	AFD_MDEV_REGION_SQ = 0,
	AFD_MDEV_REGION_CQ = 1,
	AFD_MDEV_REGION_DOORBELL = 2,
	AFD_MDEV_REGION_REGS = 3,
	AFD_MDEV_NUM_REGIONS
};

/**
 * enum afd_mdev_irq - VFIO interrupt indices, one eventfd each
 * @AFD_MDEV_IRQ_COMPLETION: signalled when completions arrive
 * @AFD_MDEV_IRQ_REQUEST: the mdev is being removed: close the device file
 *	(the queue has already ended, as an evicted queue does)
 * @AFD_MDEV_NUM_IRQS: number of interrupt indices
 */
enum afd_mdev_irq {
	AFD_MDEV_IRQ_COMPLETION = 0,
	AFD_MDEV_IRQ_REQUEST = 1,
	AFD_MDEV_NUM_IRQS
};

/* Values of &struct afd_mdev_regs.command. */
#define AFD_MDEV_CMD_ENABLE	1 /* create the queue from the configuration */
#define AFD_MDEV_CMD_DISABLE	2 /* destroy it */
#define AFD_MDEV_CMD_KICK	3 /* the engine sleeps (AFD_SQ_F_NEED_WAKEUP) */
/* Create a stream of @stream_op at @stream_level; its id lands in @stream_id. */
#define AFD_MDEV_CMD_CREATE_STREAM	4
/* Destroy the stream @stream_id names. */
#define AFD_MDEV_CMD_DESTROY_STREAM	5

/**
 * struct afd_mdev_regs - the register region (AFD_MDEV_REGION_REGS)
 * @abi_major: RO, AFD_ABI_MAJOR of the module
 * @abi_minor: RO, AFD_ABI_MINOR
 * @device_index: RO, N of the parent /dev/accelN
 * @min_ring_entries: RO, the parent's limits
 * @max_ring_entries: RO
 * @pad0: RO, zero
 * @ops_supported: RO, bit (1 << op) per &enum afd_op the engine executes
 * @max_transfer: RO, largest descriptor length
 * @sq_entries: RW, SQ size for AFD_MDEV_CMD_ENABLE (as in CREATE_QUEUE)
 * @cq_entries: RW, CQ size, 0 for twice @sq_entries
 * @priority: RW, 0..AFD_QUEUE_PRIORITY_MAX, AFD_QUEUE_PRIORITY_DEFAULT at
 *	first; above the default needs CAP_SYS_NICE (ENABLE fails -EPERM)
 * @command: WO, AFD_MDEV_CMD_*; the write fails with the command's errno:
 *	ENABLE -EBUSY if enabled, else CREATE_QUEUE's errors; DISABLE and
 *	KICK -ENODEV without a queue; CREATE_STREAM and DESTROY_STREAM
 *	-ENODEV without a queue, else AFD_IOC_CREATE_STREAM's and
 *	AFD_IOC_DESTROY_STREAM's errors
 * @queue_id: RO, the queue's id on the parent device, 0 while disabled
 * @state: RO, &enum afd_queue_state, 0 while disabled
 * @sq_entries_offset: RO, byte offset of the first SQ entry in its region
 * @cq_entries_offset: RO, likewise for the CQ
 * @submitted: RO, the queue's counters (as AFD_IOC_QUERY_QUEUE)
 * @completed: RO
 * @errors: RO
 * @bytes: RO
 * @stream_op: RW, AFD_OP_DEFLATE or AFD_OP_INFLATE for CREATE_STREAM
 *	(ABI 2.1)
 * @stream_level: RW, its level (as &struct afd_stream_create.level)
 * @stream_id: RW, set by CREATE_STREAM to the new stream's id; names the
 *	stream DESTROY_STREAM destroys
 * @pad1: RO, zero
 *
 * Reads may cover any bytes of the region; writes must be one aligned
 * __u32 of a RW or WO field (-EINVAL otherwise).
 */
struct afd_mdev_regs {
	__u32 abi_major;
	__u32 abi_minor;
	__u32 device_index;
	__u32 min_ring_entries;
	__u32 max_ring_entries;
	__u32 pad0;
	__u64 ops_supported;
	__u64 max_transfer;
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 priority;
	__u32 command;
	__u32 queue_id;
	__u32 state;
	__u32 sq_entries_offset;
	__u32 cq_entries_offset;
	__u64 submitted;
	__u64 completed;
	__u64 errors;
	__u64 bytes;
	__u32 stream_op;
	__u32 stream_level;
	__u32 stream_id;
	__u32 pad1;
};

#endif /* _UAPI_LINUX_ACCELFD_MDEV_H */
