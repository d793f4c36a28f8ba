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
#define AFD_ABI_MAJOR 2
#define AFD_ABI_MINOR 1

/*
 * The ioctl type byte. accelfd is out of tree, so the number is not listed in
 * Documentation/userspace-api/ioctl/ioctl-number.rst; that table, in 6.1 and
 * in 6.12 alike, leaves 0xC4 free (0xC0 is iowarrior's, 0xCA cxl's). ABI 1
 * used 0xAF, which the table gives to fsl_hypervisor.h.
 */
#define AFD_IOCTL_BASE 0xC4

#define AFD_NAME_LEN 32

/**
 * enum afd_op - descriptor operations an engine may support
 * @AFD_OP_NOP: do nothing, complete at once
 * @AFD_OP_MEMMOVE: copy, overlap-safe
 * @AFD_OP_FILL: fill with an 8-byte pattern
 * @AFD_OP_COMPARE: compare two buffers
 * @AFD_OP_CRC32C: seeded CRC32C of a buffer
 * @AFD_OP_DEFLATE: compress into raw DEFLATE (RFC 1951), ABI 2.1
 * @AFD_OP_INFLATE: decompress raw DEFLATE, ABI 2.1
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
	AFD_OP_DEFLATE = 5,
	AFD_OP_INFLATE = 6,
	AFD_OP_COUNT
};

/*
 * Capability bits in &struct afd_info.caps; each later feature that user
 * space may need to detect adds one.
 *
 * AFD_CAP_QUEUES: CREATE/DESTROY/QUERY_QUEUE, rings and doorbells by mmap.
 * AFD_CAP_SUBMIT_IOCTL: AFD_IOC_SUBMIT, the syscall submission path.
 * AFD_CAP_POLL: poll()/epoll on the file wake on completions.
 * AFD_CAP_QUEUE_ADMIN: AFD_IOC_QUEUE_ADMIN, queue states SUSPENDED and
 *	evicted queues (ABI 1.1).
 * AFD_CAP_STREAMS: AFD_IOC_CREATE_STREAM and AFD_IOC_DESTROY_STREAM,
 *	stateful DEFLATE and INFLATE (ABI 2.1).
 */
#define AFD_CAP_QUEUES		(1ULL << 0)
#define AFD_CAP_SUBMIT_IOCTL	(1ULL << 1)
#define AFD_CAP_POLL		(1ULL << 2)
#define AFD_CAP_QUEUE_ADMIN	(1ULL << 3)
#define AFD_CAP_STREAMS		(1ULL << 4)
#define AFD_CAPS_ALL (AFD_CAP_QUEUES | AFD_CAP_SUBMIT_IOCTL | AFD_CAP_POLL | \
		      AFD_CAP_QUEUE_ADMIN | AFD_CAP_STREAMS)

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
 * @max_queues_per_process: out, queues one process may hold on the device
 *	at once, over all the files it opened
 * @max_queues: out, queues the whole device may hold at once
 * @min_ring_entries: out, smallest ring size (a power of two)
 * @max_ring_entries: out, largest ring size (a power of two)
 * @max_transfer: out, largest &struct afd_desc.len the device accepts
 * @name: out, NUL-terminated device name ("accel0")
 * @max_queues_per_user: out, queues one user (uid) may hold on the device
 *	at once, over all its processes (CAP_SYS_RESOURCE exceeds it)
 * @pad2: out, zero
 * @max_memory_per_user: out, bytes of queue memory one user may hold on
 *	the device, counted until the memory is freed (at the last munmap()
 *	of a destroyed queue, or when a stream is destroyed;
 *	CAP_SYS_RESOURCE exceeds it)
 * @max_streams_per_process: out, streams one process may hold on the
 *	device at once, over all its queues (ABI 2.1)
 * @max_streams: out, streams the whole device may hold at once (ABI 2.1)
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
	__u64 max_transfer;
	char name[AFD_NAME_LEN];
	__u32 max_queues_per_user;
	__u32 pad2;
	__u64 max_memory_per_user;
	__u32 max_streams_per_process;
	__u32 max_streams;
};

/**
 * DOC: Queues, rings and the doorbell
 *
 * A queue is a submission ring (SQ) of &struct afd_desc, a completion ring
 * (CQ) of &struct afd_completion and a doorbell page. CREATE_QUEUE returns
 * for each an mmap offset and size; the mapping must be MAP_SHARED, of
 * exactly that size at exactly that offset, on the file that created the
 * queue, in the process that opened it. Mappings are not inherited by
 * fork() and cannot be moved or grown with mremap().
 *
 * Both rings start with a &struct afd_ring_header and hold their entries at
 * the byte offset CREATE_QUEUE returns (sq_entries_offset, cq_entries_offset).
 * Indices are free-running __u32 counters; an entry's slot is
 * index & (entries - 1). Each index has exactly one writer:
 *
 * - SQ: user space fills slots, then publishes the new tail by storing it
 *   (with release ordering) into the first __u32 of the doorbell page; the
 *   doorbell carries no queue number, so it can ring only its own queue.
 *   The kernel stores the SQ head (release) once it has copied an entry:
 *   the slot is then free again.
 * - CQ: the kernel fills slots, then stores the CQ tail (release); user
 *   space reads entries after loading the tail (acquire) and then stores
 *   the CQ head (release), which frees the slots.
 *
 * The engine stops taking descriptors while the CQ has no free slot, so a
 * full CQ pushes back on the SQ and a full SQ on the submitter; no
 * completion is ever dropped. A ring index that user space corrupts (more
 * entries outstanding than the ring holds) puts the queue in
 * AFD_QUEUE_STATE_ERROR; AFD_CQ_F_ERROR tells the poller.
 *
 * Engines poll an active queue for a short idle window, then set
 * AFD_SQ_F_NEED_WAKEUP, issue a full barrier, look at the rings once more
 * and only then sleep. After storing the doorbell, user space issues a
 * full barrier and reads the SQ flags: only if NEED_WAKEUP is set does it
 * call AFD_IOC_KICK. Both barriers are needed (a store then a load on each
 * side). An engine also sleeps while the CQ is full, so after storing the
 * CQ head with descriptors still outstanding, user space does the same
 * (full barrier, read the flags, kick if NEED_WAKEUP). AFD_IOC_WAIT and
 * poll() kick a sleeping engine themselves.
 */

/* Values of the mmap offset's region field. */
#define AFD_REGION_SQ		1
#define AFD_REGION_CQ		2
#define AFD_REGION_DOORBELL	3

/*
 * An mmap offset names its region and queue in its high bits:
 * bits 32-47 the queue id, bits 28-31 the region. The kernel hands these
 * out; user space only passes them back to mmap().
 */
#define AFD_MMAP_OFFSET(queue_id, region) \
	(((__u64)(queue_id) << 32) | ((__u64)(region) << 28))

/* AFD_SQ_F_NEED_WAKEUP: the engine sleeps; call AFD_IOC_KICK to wake it. */
#define AFD_SQ_F_NEED_WAKEUP	(1U << 0)
/* AFD_CQ_F_ERROR: the queue is in AFD_QUEUE_STATE_ERROR and takes no work. */
#define AFD_CQ_F_ERROR		(1U << 0)
/* AFD_CQ_F_SUSPENDED: an administrator suspended the queue (see below). */
#define AFD_CQ_F_SUSPENDED	(1U << 1)
/* AFD_CQ_F_EVICTED: an administrator destroyed the queue; nothing follows. */
#define AFD_CQ_F_EVICTED	(1U << 2)

/**
 * struct afd_ring_header - the first bytes of each ring's region
 * @head: consumer index. SQ: written by the kernel. CQ: written by user
 *	space.
 * @pad0: keeps @head alone on its cacheline
 * @tail: producer index. CQ: written by the kernel. SQ: unused (zero); the
 *	SQ's producer index is the doorbell.
 * @pad1: keeps @tail alone on its cacheline
 * @flags: written by the kernel: AFD_SQ_F_* in the SQ, AFD_CQ_F_* in the CQ
 * @dropped: written by the kernel: completions lost. Always zero in this
 *	version (a full CQ stalls the engine rather than dropping); kept so
 *	that a future engine that must drop says so.
 * @entries: number of entries, a power of two; constant
 * @entry_size: size of one entry in bytes; constant
 * @pad2: keeps the header a whole number of cachelines
 */
struct afd_ring_header {
	__u32 head;
	__u32 pad0[15];
	__u32 tail;
	__u32 pad1[15];
	__u32 flags;
	__u32 dropped;
	__u32 entries;
	__u32 entry_size;
	__u32 pad2[12];
};

/*
 * Flags of &struct afd_desc, for DEFLATE and INFLATE only (zero for every
 * other operation):
 *
 * AFD_DESC_F_LAST: DEFLATE: the input ends with this descriptor: finish
 *	the stream with a final block. Without it a stateless DEFLATE ends
 *	its output with a sync flush instead: a byte-aligned, non-final
 *	piece of a stream, to be concatenated with others. INFLATE with a
 *	stream: no input follows, so a stream that does not end here is
 *	truncated (-ENODATA).
 * AFD_DESC_F_FIRST: with a stream only: start a new stream (its history
 *	and state are forgotten; the level stays).
 * AFD_DESC_F_FLUSH: DEFLATE with a stream only: end this descriptor's
 *	output with a sync flush, so that everything consumed so far can be
 *	decompressed.
 * AFD_DESC_F_CRC32: also compute the CRC-32 of gzip (RFC 1952) of the
 *	uncompressed bytes: consumed by DEFLATE, produced by INFLATE, seeded
 *	with the upper 32 bits of &struct afd_desc.arg (a previous checksum,
 *	or zero); it arrives in &struct afd_completion.checksum.
 */
#define AFD_DESC_F_LAST		(1U << 0)
#define AFD_DESC_F_FIRST	(1U << 1)
#define AFD_DESC_F_FLUSH	(1U << 2)
#define AFD_DESC_F_CRC32	(1U << 3)
#define AFD_DESC_FLAGS_ALL (AFD_DESC_F_LAST | AFD_DESC_F_FIRST | \
			    AFD_DESC_F_FLUSH | AFD_DESC_F_CRC32)

/* Compression levels of DEFLATE, as zlib's. */
#define AFD_DEFLATE_LEVEL_MIN 1
#define AFD_DEFLATE_LEVEL_MAX 9

/*
 * The most a stateless DEFLATE of @len bytes can produce, with or without
 * AFD_DESC_F_LAST: an output buffer this large never fails with -ENOSPC.
 * (The kernel zlib's own bound, and room for a sync flush's and a final
 * block's markers.)
 */
#define AFD_DEFLATE_BOUND(len) \
	((len) + (((len) + 7) >> 3) + (((len) + 63) >> 6) + 21)

/**
 * struct afd_desc - one unit of work, 64 bytes
 * @opcode: &enum afd_op
 * @flags: AFD_DESC_F_*, DEFLATE and INFLATE only; zero otherwise
 * @rsvd0: must be zero
 * @stream: DEFLATE, INFLATE: a stream of the queue (AFD_IOC_CREATE_STREAM)
 *	of the same operation, or zero for a stateless descriptor; zero
 *	for every other operation (ABI 2.1; reserved before)
 * @src: source address in the submitting process
 *	(MEMMOVE, COMPARE, CRC32C, DEFLATE, INFLATE; zero otherwise)
 * @dst: destination address in the submitting process
 *	(MEMMOVE, FILL, COMPARE's second buffer, DEFLATE, INFLATE; zero
 *	otherwise)
 * @len: bytes to process (DEFLATE, INFLATE: of input at @src), at most
 *	&struct afd_info.max_transfer
 * @arg: FILL: the 8-byte pattern (byte i of dst gets byte i % 8 of the
 *	little-endian pattern); CRC32C: the seed, a previous result or zero;
 *	DEFLATE without a stream: the level in the lower 32 bits
 *	(AFD_DEFLATE_LEVEL_MIN to _MAX); DEFLATE, INFLATE: with
 *	AFD_DESC_F_CRC32, the CRC-32 seed in the upper 32 bits; zero
 *	otherwise
 * @cookie: returned unchanged in the completion
 * @dst_len: DEFLATE, INFLATE: room at @dst, at most max_transfer (DEFLATE:
 *	AFD_DEFLATE_BOUND(max_transfer)); zero otherwise (ABI 2.1; reserved
 *	before)
 * @rsvd2: must be zero
 *
 * Addresses are the submitting process's virtual addresses: the engine
 * works inside that process's address space, so pages fault in as usual.
 * Validation failures complete the descriptor with a negative status:
 * -EOPNOTSUPP for an unknown opcode; -EINVAL for a flag or field the
 * operation does not take, a CRC32C seed above 32 bits or a bad level;
 * -E2BIG for len (or dst_len) above its limit; -EOVERFLOW when an
 * address plus its length wraps around; -ENOENT for a stream the queue
 * does not have (-EINVAL if it is of the other operation); -EFAULT for
 * memory the process cannot read or write, with the first failing address
 * in fault_addr.
 *
 * DEFLATE and INFLATE complete with bytes_done the input consumed and
 * result the output produced, and these statuses:
 *
 * - Stateless DEFLATE: the whole input, compressed with the level of @arg;
 *   -ENOSPC if @dst_len is too small, with result AFD_DEFLATE_BOUND(len).
 *   (Without AFD_DESC_F_LAST, a buffer of exactly the piece's size may
 *   count as too small: zlib cannot tell that its sync flush fitted.)
 * - Stateless INFLATE: one whole stream, from its first byte to the end of
 *   its final block (bytes_done says where that is; the bytes after it are
 *   not consumed); -ENODATA if the input ends first (truncated); -ENOSPC if
 *   @dst_len is too small, with result the size the output needs (or a
 *   size above max_transfer, where the engine stopped counting: use a
 *   stream).
 * - With a stream: as much as fits. While bytes_done < len, or result ==
 *   dst_len (more output may be waiting), or (DEFLATE with AFD_DESC_F_LAST)
 *   until AFD_COMP_F_STREAM_END, submit the rest again, with the same
 *   flags, and more room. Once a DEFLATE with AFD_DESC_F_LAST has consumed
 *   all its input, more input is -EINVAL. A stream that ended takes only a
 *   descriptor with AFD_DESC_F_FIRST (-EINVAL otherwise).
 * - INFLATE of malformed input: -EBADMSG, with bytes_done the input
 *   consumed when it was found. A stream then fails every descriptor with
 *   -EBADMSG until one with AFD_DESC_F_FIRST; likewise with -EFAULT after
 *   a fault, which may have lost output.
 *
 * For DEFLATE, @dst_len may reach AFD_DEFLATE_BOUND(max_transfer).
 */
struct afd_desc {
	__u8 opcode;
	__u8 flags;
	__u16 rsvd0;
	__u32 stream;
	__u64 src;
	__u64 dst;
	__u64 len;
	__u64 arg;
	__u64 cookie;
	__u64 dst_len;
	__u64 rsvd2;
};

/*
 * Flags of &struct afd_completion.
 *
 * AFD_COMP_F_STREAM_END: INFLATE reached the end of the stream's final
 *	block; DEFLATE with AFD_DESC_F_LAST wrote all of its output.
 */
#define AFD_COMP_F_STREAM_END	(1U << 0)

/**
 * struct afd_completion - the outcome of one descriptor, 48 bytes
 * @cookie: the descriptor's cookie
 * @result: COMPARE: offset of the first difference, or len if the buffers
 *	are equal; CRC32C: the CRC-32C (Castagnoli), chainable by passing it
 *	as the next descriptor's seed; DEFLATE, INFLATE: bytes written at
 *	dst (see &struct afd_desc for -ENOSPC); zero otherwise
 * @bytes_done: bytes processed before the operation ended (DEFLATE,
 *	INFLATE: input consumed)
 * @fault_addr: with -EFAULT, the first address that could not be accessed
 * @status: zero or a negative errno
 * @flags: AFD_COMP_F_*
 * @checksum: with AFD_DESC_F_CRC32, the CRC-32; zero otherwise (ABI 2.1)
 * @rsvd: zero
 */
struct afd_completion {
	__u64 cookie;
	__u64 result;
	__u64 bytes_done;
	__u64 fault_addr;
	__s32 status;
	__u32 flags;
	__u32 checksum;
	__u32 rsvd;
};

/* Flags of AFD_IOC_CREATE_QUEUE. */
#define AFD_QUEUE_CREATE_F_PRIORITY (1U << 0) /* @priority is given */
#define AFD_QUEUE_CREATE_FLAGS_ALL AFD_QUEUE_CREATE_F_PRIORITY

/*
 * Queue priorities: 0 (lowest) to AFD_QUEUE_PRIORITY_MAX. A queue gets the
 * default unless its creator asks otherwise; asking for more than the
 * default needs CAP_SYS_NICE, as a negative nice value does, so that no
 * unprivileged process takes more than its share of an engine.
 */
#define AFD_QUEUE_PRIORITY_MAX 15
#define AFD_QUEUE_PRIORITY_DEFAULT 7

/**
 * struct afd_queue_create - argument of AFD_IOC_CREATE_QUEUE
 * @sq_entries: in, SQ size: a power of two within the device's limits
 * @cq_entries: in, CQ size: zero for twice @sq_entries, else a power of
 *	two, at least @sq_entries and within the limits; out, the size used
 * @flags: in, AFD_QUEUE_CREATE_F_*
 * @priority: in, with AFD_QUEUE_CREATE_F_PRIORITY: 0 (lowest) to
 *	AFD_QUEUE_PRIORITY_MAX; without it, zero, and the queue gets
 *	AFD_QUEUE_PRIORITY_DEFAULT. A queue of priority p gets p + 1 turns
 *	for each turn of a priority-0 queue on its engine.
 * @queue_id: out, the queue's id (unique on the device)
 * @pad: must be zero
 * @sq_offset: out, mmap offset of the SQ region
 * @sq_size: out, its size in bytes
 * @cq_offset: out, mmap offset of the CQ region
 * @cq_size: out, its size in bytes
 * @doorbell_offset: out, mmap offset of the doorbell page
 * @doorbell_size: out, its size in bytes (one page)
 * @sq_entries_offset: out, byte offset of the first SQ entry in its region
 * @cq_entries_offset: out, byte offset of the first CQ entry in its region
 *
 * Every out field must be zero on input (so that it can become an input
 * later).
 *
 * The queue's memory (both regions and the doorbell page) is charged to
 * the user's RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK (as io_uring's
 * rings are), to its max_memory_per_user and to its memory cgroup, from
 * creation until the memory is freed: at destroy, or at the last munmap()
 * of a region still mapped then.
 *
 * Errors: -EINVAL for a bad field; -EPERM for a priority above the default
 * without CAP_SYS_NICE; -EFAULT if the result cannot be copied out (the
 * queue is then destroyed); -ENOSPC when the process
 * (max_queues_per_process), the user (max_queues_per_user) or the device
 * (max_queues) holds as many queues as it may; -ENOMEM when memory, the
 * user's max_memory_per_user or RLIMIT_MEMLOCK runs out; -ENXIO while
 * an administrator has disabled the device (sysfs "enabled"). While it is
 * disabled, existing queues' descriptors complete with -ECANCELED,
 * unexecuted.
 */
struct afd_queue_create {
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 flags;
	__u32 priority;
	__u32 queue_id;
	__u32 pad;
	__u64 sq_offset;
	__u64 sq_size;
	__u64 cq_offset;
	__u64 cq_size;
	__u64 doorbell_offset;
	__u64 doorbell_size;
	__u32 sq_entries_offset;
	__u32 cq_entries_offset;
};

/**
 * struct afd_queue_destroy - argument of AFD_IOC_DESTROY_QUEUE
 * @queue_id: in, a queue of this file
 * @flags: in, must be zero
 *
 * Stops the queue: descriptors not yet taken are discarded, the one being
 * executed finishes. Mappings stay valid (and inert) until unmapped.
 * Errors: -ENOENT for an unknown queue. Destroying a queue an
 * administrator evicted succeeds and frees its id.
 */
struct afd_queue_destroy {
	__u32 queue_id;
	__u32 flags;
};

/**
 * enum afd_queue_state - &struct afd_queue_query.state
 * @AFD_QUEUE_STATE_ACTIVE: takes and executes descriptors
 * @AFD_QUEUE_STATE_ERROR: stopped after a ring index was corrupted; an
 *	administrator's AFD_QUEUE_ADMIN_RESET makes it active again
 * @AFD_QUEUE_STATE_SUSPENDED: an administrator suspended it: descriptors
 *	are taken but not executed, each completes with -ECANCELED
 */
enum afd_queue_state {
	AFD_QUEUE_STATE_ACTIVE = 1,
	AFD_QUEUE_STATE_ERROR = 2,
	AFD_QUEUE_STATE_SUSPENDED = 3,
};

/**
 * struct afd_queue_query - argument of AFD_IOC_QUERY_QUEUE
 * @queue_id: in, a queue of this file
 * @flags: in, must be zero
 * @state: out, &enum afd_queue_state
 * @priority: out
 * @sq_entries: out
 * @cq_entries: out
 * @submitted: out, descriptors taken from the SQ or from AFD_IOC_SUBMIT
 * @completed: out, completions posted
 * @errors: out, completions with a non-zero status
 * @bytes: out, bytes processed
 */
struct afd_queue_query {
	__u32 queue_id;
	__u32 flags;
	__u32 state;
	__u32 priority;
	__u32 sq_entries;
	__u32 cq_entries;
	__u64 submitted;
	__u64 completed;
	__u64 errors;
	__u64 bytes;
};

/* Flags of AFD_IOC_WAIT. */
#define AFD_WAIT_F_SQ_SPACE (1U << 0) /* wait for SQ head to pass @head */
#define AFD_WAIT_FLAGS_ALL AFD_WAIT_F_SQ_SPACE

/**
 * struct afd_wait - argument of AFD_IOC_WAIT
 * @queue_id: in, a queue of this file
 * @flags: in, AFD_WAIT_F_*
 * @head: in, the CQ head user space has consumed up to: the call returns
 *	once the CQ tail differs from it. With AFD_WAIT_F_SQ_SPACE: an SQ
 *	head value; the call returns once the SQ head differs from it.
 * @pad: must be zero
 * @deadline_ns: in, absolute CLOCK_MONOTONIC time to give up at; zero
 *	means do not block
 * @index: out, the CQ tail (the SQ head with AFD_WAIT_F_SQ_SPACE); must
 *	be zero on input
 * @pad2: must be zero
 *
 * Returns 0 when the condition holds (at once if it already does),
 * -ETIME when the deadline passes, -EINTR on a signal (restarted
 * transparently where the handler asks for it: the deadline is absolute),
 * -EIO if the queue is in AFD_QUEUE_STATE_ERROR, -ECANCELED if an
 * administrator evicted it.
 */
struct afd_wait {
	__u32 queue_id;
	__u32 flags;
	__u32 head;
	__u32 pad;
	__s64 deadline_ns;
	__u32 index;
	__u32 pad2;
};

/**
 * struct afd_submit - argument of AFD_IOC_SUBMIT
 * @queue_id: in, a queue of this file
 * @flags: in, must be zero
 * @descs: in, user pointer to @count &struct afd_desc
 * @count: in, number of descriptors, at most the SQ size
 * @submitted: out, how many were accepted (fewer when the queue's kernel
 *	submission buffer, as large as its SQ, is full); must be zero on input
 *
 * The syscall path: the kernel reads the descriptors the call names and
 * queues them for the same engine; completions arrive in the CQ as for
 * the ring path. Errors: -EFAULT, -EINVAL, -ENOENT, -EIO (queue in error),
 * -ECANCELED (queue evicted).
 */
struct afd_submit {
	__u32 queue_id;
	__u32 flags;
	__u64 descs;
	__u32 count;
	__u32 submitted;
};

/**
 * struct afd_kick - argument of AFD_IOC_KICK
 * @queue_id: in, a queue of this file
 * @flags: in, must be zero
 *
 * Wakes the queue's engine after user space saw AFD_SQ_F_NEED_WAKEUP.
 */
struct afd_kick {
	__u32 queue_id;
	__u32 flags;
};

/**
 * enum afd_queue_admin_op - &struct afd_queue_admin.op
 * @AFD_QUEUE_ADMIN_SUSPEND: stop executing the queue's descriptors: each
 *	one completes with -ECANCELED, unexecuted, until resumed; the CQ
 *	header shows AFD_CQ_F_SUSPENDED. -EINVAL unless the queue is active.
 * @AFD_QUEUE_ADMIN_RESUME: undo SUSPEND. -EINVAL unless suspended.
 * @AFD_QUEUE_ADMIN_RESET: bring a queue in AFD_QUEUE_STATE_ERROR back:
 *	descriptors not yet taken are discarded, every ring index and flag
 *	becomes zero, the queue is active again. Its owner must reread the
 *	indices before using the rings. -EINVAL unless in error.
 * @AFD_QUEUE_ADMIN_EVICT: destroy another process's queue. Descriptors it
 *	had not taken complete with -ECANCELED while the CQ has room, then
 *	the CQ header shows AFD_CQ_F_EVICTED (once it does, every such
 *	completion is in the CQ), and every later call of the owner on the
 *	queue id fails with -ECANCELED until the owner destroys it (which
 *	succeeds and frees the id).
 * @AFD_QUEUE_ADMIN_SET_PRIORITY: change the queue's priority to
 *	&struct afd_queue_admin.priority
 */
enum afd_queue_admin_op {
	AFD_QUEUE_ADMIN_SUSPEND = 1,
	AFD_QUEUE_ADMIN_RESUME = 2,
	AFD_QUEUE_ADMIN_RESET = 3,
	AFD_QUEUE_ADMIN_EVICT = 4,
	AFD_QUEUE_ADMIN_SET_PRIORITY = 5,
};

/**
 * struct afd_queue_admin - argument of AFD_IOC_QUEUE_ADMIN
 * @queue_id: in, any queue of the device, whichever process owns it
 * @op: in, &enum afd_queue_admin_op
 * @priority: in, the new priority for AFD_QUEUE_ADMIN_SET_PRIORITY;
 *	must be zero for every other op
 * @flags: in, must be zero
 *
 * For operators, not applications: the caller needs CAP_SYS_ADMIN
 * (-EPERM otherwise, before anything else is checked). Errors: -EINVAL for
 * a bad field or an op the queue's state does not allow, -ENOENT for a
 * queue id the device does not have or a queue that went away while the
 * operation waited (a RESET ended by its owner's DESTROY or an EVICT).
 */
struct afd_queue_admin {
	__u32 queue_id;
	__u32 op;
	__u32 priority;
	__u32 flags;
};

/**
 * DOC: Streams
 *
 * A stream is DEFLATE or INFLATE state the kernel keeps between the
 * descriptors of one queue that name it: the history window, the bits
 * not yet written, a block half decoded. Its memory (about 270 KiB for
 * DEFLATE, 45 KiB for INFLATE) is the kernel's alone, never mapped; it is
 * charged to the creator's memory cgroup and max_memory_per_user, and
 * counted against max_streams_per_process and max_streams. A stream goes
 * with AFD_IOC_DESTROY_STREAM, or with its queue (destroyed, evicted, or
 * its file closed).
 */

/* Flags of AFD_IOC_CREATE_STREAM: none yet. */
#define AFD_STREAM_CREATE_FLAGS_ALL 0U

/**
 * struct afd_stream_create - argument of AFD_IOC_CREATE_STREAM
 * @queue_id: in, a queue of this file
 * @flags: in, must be zero
 * @op: in, AFD_OP_DEFLATE or AFD_OP_INFLATE
 * @level: in, DEFLATE: AFD_DEFLATE_LEVEL_MIN to _MAX; INFLATE: zero
 * @stream_id: out, the stream's id on the queue (never zero); must be zero
 *	on input
 * @pad: must be zero
 *
 * Errors: -EINVAL for a bad field; -ENOENT for an unknown queue; -ENOSPC
 * at max_streams_per_process or max_streams; -ENOMEM when memory or the
 * user's max_memory_per_user runs out (CAP_SYS_RESOURCE exceeds the
 * memory limit); -EIO for a queue in error (or whose process is gone);
 * -ECANCELED for an evicted one; -EFAULT if the result cannot be copied
 * out (the stream is then destroyed).
 */
struct afd_stream_create {
	__u32 queue_id;
	__u32 flags;
	__u32 op;
	__u32 level;
	__u32 stream_id;
	__u32 pad;
};

/**
 * struct afd_stream_destroy - argument of AFD_IOC_DESTROY_STREAM
 * @queue_id: in, a queue of this file
 * @stream_id: in, a stream of that queue
 * @flags: in, must be zero
 * @pad: must be zero
 *
 * A descriptor that names the stream later completes with -ENOENT (ids
 * are not reused until the 16-bit id space wraps). The call does not wait
 * for a descriptor in execution on the stream: that one finishes, and the
 * stream's memory and place under the limits go with it. Errors: -EINVAL,
 * -ENOENT (queue or stream), -ECANCELED for an evicted queue.
 */
struct afd_stream_destroy {
	__u32 queue_id;
	__u32 stream_id;
	__u32 flags;
	__u32 pad;
};

#define AFD_IOC_GET_INFO	_IOWR(AFD_IOCTL_BASE, 0x00, struct afd_info)
#define AFD_IOC_CREATE_QUEUE	_IOWR(AFD_IOCTL_BASE, 0x01, struct afd_queue_create)
#define AFD_IOC_DESTROY_QUEUE	_IOW(AFD_IOCTL_BASE, 0x02, struct afd_queue_destroy)
#define AFD_IOC_QUERY_QUEUE	_IOWR(AFD_IOCTL_BASE, 0x03, struct afd_queue_query)
#define AFD_IOC_WAIT		_IOWR(AFD_IOCTL_BASE, 0x04, struct afd_wait)
#define AFD_IOC_SUBMIT		_IOWR(AFD_IOCTL_BASE, 0x05, struct afd_submit)
#define AFD_IOC_KICK		_IOW(AFD_IOCTL_BASE, 0x06, struct afd_kick)
#define AFD_IOC_QUEUE_ADMIN	_IOW(AFD_IOCTL_BASE, 0x07, struct afd_queue_admin)
#define AFD_IOC_CREATE_STREAM	_IOWR(AFD_IOCTL_BASE, 0x08, struct afd_stream_create)
#define AFD_IOC_DESTROY_STREAM	_IOW(AFD_IOCTL_BASE, 0x09, struct afd_stream_destroy)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_LINUX_ACCELFD_H */
