/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: per-process queues: their memory, rings and life cycle.
 */
#ifndef __AFD_QUEUE_H__
#define __AFD_QUEUE_H__

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kfifo.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <linux/accelfd.h>

struct afd_context;
struct afd_device;
struct page;
struct user_struct;

/**
 * enum afd_q_state - life cycle of a queue
 * @AFD_Q_ACTIVE: the engine takes and executes its descriptors
 * @AFD_Q_SUSPENDED: the engine takes its descriptors and cancels them
 * @AFD_Q_ERROR: user space corrupted a ring index; no more work is taken
 * @AFD_Q_DEAD: destroyed, or its process's address space is gone
 *
 * Transitions happen in afd_queue.c only, under &struct afd_queue.lock:
 * ACTIVE <-> SUSPENDED (administrator), ACTIVE or SUSPENDED -> ERROR,
 * ERROR -> ACTIVE (administrator's reset), and any -> DEAD, which is final.
 */
enum afd_q_state {
	AFD_Q_ACTIVE,
	AFD_Q_SUSPENDED,
	AFD_Q_ERROR,
	AFD_Q_DEAD,
};

/**
 * struct afd_queue_stats - counters
 * @submitted: descriptors taken
 * @completed: completions posted
 * @errors: completions with a non-zero status
 * @bytes: bytes processed
 *
 * One writer at a time, the engine serving the queue (or an eviction once
 * it has let go), with WRITE_ONCE() once per batch: no atomics. Readers
 * use READ_ONCE().
 */
struct afd_queue_stats {
	u64 submitted;
	u64 completed;
	u64 errors;
	u64 bytes;
};

/**
 * struct afd_region - memory a queue shares with its process
 * @vaddr: the kernel's contiguous view of @pages (vmap())
 * @pages: the pages, each charged to the creator's memory cgroup
 * @nr_pages: their number
 */
struct afd_region {
	void *vaddr;
	struct page **pages;
	unsigned int nr_pages;
};

/**
 * struct afd_queue - a submission ring, a completion ring and a doorbell
 * @ref: held by the context until destroy, and by each mapping
 * @ctx: owning context; valid while @ref is held (mappings hold the file)
 * @adev: device
 * @id: device-unique id, in the mmap offsets
 * @priority: 0..AFD_QUEUE_PRIORITY_MAX
 * @sq_entries: SQ size, a power of two
 * @cq_entries: CQ size, a power of two
 * @sq_region: SQ region (header, then entries)
 * @sq_size: its size
 * @cq_region: CQ region (header, then entries)
 * @cq_size: its size
 * @db_region: the doorbell page
 * @doorbell: its first u32, the SQ tail
 * @sq_hdr: header at the start of @sq_region
 * @sq_ring: SQ entries
 * @cq_hdr: header at the start of @cq_region
 * @cq_ring: CQ entries
 * @sq_head: SQ head, the engine's private copy (the header's is a mirror
 *	user space could overwrite)
 * @cq_tail: CQ tail, likewise
 * @user: the creator's user, charged for the memory until it is freed
 * @charged_pages: pages charged to @user's RLIMIT_MEMLOCK (0 with
 *	CAP_IPC_LOCK)
 * @lock: protects @state, @priority writes and the producer side of
 *	@submit_fifo (whose memory, @submit_buf, a queue has until it is
 *	dead)
 * @state: &enum afd_q_state
 * @submit_fifo: descriptors from AFD_IOC_SUBMIT, consumed by the engine
 * @submit_buf: its memory, freed once the queue is shut down and the
 *	engine has let go of it
 * @shut_down: completed when afd_queue_shutdown() is done with the queue
 *	and the engine has let go of it
 * @shutdown_parties: who has yet to finish the shutdown before @shut_down
 *	completes, when the destroyer stopped waiting for the engine: the
 *	destroyer and the engine (afd_queue_engine_released())
 * @service_lock: protects @in_service: serialises taking the queue out of
 *	the engine's service (destroy, reset) and putting it back (reset)
 * @in_service: the engine serves the queue
 * @evicted: an administrator destroyed it; its id stays allocated, held by
 *	a tombstone in the context, until the owner destroys it. Set once,
 *	before the queue is unlinked.
 * @engine_node: entry in the engine's lists of queues
 * @engine_data: the engine's per-queue data
 * @engine_flags: the engine's per-queue state bits
 * @kobj: its sysfs directory
 * @stats: counters
 * @streams: its streams by id (&struct afd_stream), each holding a
 *	reference; added under the context's lock while the context lists
 *	the queue, all destroyed at shutdown
 * @next_stream_id: where xa_alloc_cyclic() looks for the next stream id
 */
struct afd_queue {
	struct kref ref;
	struct afd_context *ctx;
	struct afd_device *adev;
	u32 id;
	u32 priority;
	u32 sq_entries;
	u32 cq_entries;

	struct afd_region sq_region;
	size_t sq_size;
	struct afd_region cq_region;
	size_t cq_size;
	struct afd_region db_region;
	u32 *doorbell;
	struct afd_ring_header *sq_hdr;
	struct afd_desc *sq_ring;
	struct afd_ring_header *cq_hdr;
	struct afd_completion *cq_ring;

	u32 sq_head;
	u32 cq_tail;

	struct user_struct *user;
	unsigned long charged_pages;

	spinlock_t lock; /* Protects state, priority, submit_fifo producers */
	enum afd_q_state state;
	DECLARE_KFIFO_PTR(submit_fifo, struct afd_desc);
	struct afd_desc *submit_buf;
	struct completion shut_down;
	atomic_t shutdown_parties;

	struct mutex service_lock; /* Protects in_service */
	bool in_service;
	bool evicted;

	struct list_head engine_node;
	void *engine_data;
	unsigned long engine_flags;
	struct kobject *kobj;
	struct afd_queue_stats stats;
	struct xarray streams;
	u32 next_stream_id;
};

/* Byte offset of the first entry in each ring region. */
#define AFD_RING_ENTRIES_OFFSET PAGE_SIZE

struct afd_queue *afd_queue_create(struct afd_context *ctx,
				   struct afd_queue_create *args);
void afd_queue_unlink(struct afd_queue *q);
void afd_queue_shutdown(struct afd_queue *q);
void afd_queue_engine_released(struct afd_queue *q);
void afd_queue_wait_shutdown(struct afd_queue *q);
void afd_queue_get(struct afd_queue *q);
void afd_queue_put(struct afd_queue *q);

enum afd_q_state afd_queue_state(struct afd_queue *q);
u32 afd_queue_uapi_state(struct afd_queue *q);
void afd_queue_fail(struct afd_queue *q, const char *why);
void afd_queue_set_dead(struct afd_queue *q);
void afd_queue_set_need_wakeup(struct afd_queue *q, bool need);
void afd_queue_kick_if_stalled(struct afd_queue *q);
bool afd_queue_accepts_work(struct afd_queue *q);
void afd_queue_kick(struct afd_queue *q);
int afd_queue_reset(struct afd_queue *q, bool only_in_error);
int afd_queue_evict(struct afd_queue *q);

struct afd_queue *afd_device_get_queue(struct afd_device *adev, u32 id);
void afd_device_kick_all(struct afd_device *adev);
int afd_queue_admin(struct afd_queue *q, const struct afd_queue_admin *args);

int afd_queue_submit(struct afd_queue *q, const struct afd_desc *descs,
		     u32 count);
bool afd_queue_has_work(struct afd_queue *q);
bool afd_queue_cq_pending(struct afd_queue *q);

/* A batch's figures, from the queue's one writer of the moment. */
static inline void afd_queue_count(struct afd_queue *q, u32 taken,
				   u32 completed, u32 errors, u64 bytes)
{
	struct afd_queue_stats *s = &q->stats;

	WRITE_ONCE(s->submitted, s->submitted + taken);
	WRITE_ONCE(s->completed, s->completed + completed);
	WRITE_ONCE(s->errors, s->errors + errors);
	WRITE_ONCE(s->bytes, s->bytes + bytes);
}

#endif /* __AFD_QUEUE_H__ */
