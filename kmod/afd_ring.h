/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: the kernel half of the ring protocol.
 *
 * The engine is the only consumer of a queue's SQ and the only producer of
 * its CQ; user space is the other half (libaccel's queue.hpp and
 * barrier.hpp, docs/design.md "Ring protocol"). Everything user space can
 * write (the doorbell, the CQ head, SQ entries) is read once: the queue's
 * own sq_head and cq_tail are the truth, the headers' copies mirror them.
 * Indices run free and wrap at 2^32: only their differences are used.
 *
 * A batch reads the doorbell and the CQ head once, copies and completes
 * entries, then publishes the SQ head and the CQ tail once each (and
 * after each data operation, whose completion is not held back).
 */
#ifndef __AFD_RING_H__
#define __AFD_RING_H__

#include <linux/compiler.h>
#include <asm/barrier.h>

#include "afd_queue.h"

/* Entries the doorbell says are waiting, or -EPROTO beyond the SQ's size. */
static inline long afd_ring_sq_pending(const struct afd_queue *q)
{
	/* Pairs with user space's release store of the doorbell. */
	u32 pending = smp_load_acquire(q->doorbell) - q->sq_head;

	if (pending > q->sq_entries)
		return -EPROTO;
	return pending;
}

/* Free CQ slots, or -EPROTO if the CQ head is not within the ring. */
static inline long afd_ring_cq_space(const struct afd_queue *q)
{
	/* Pairs with user space's release store of the CQ head. */
	u32 used = q->cq_tail - smp_load_acquire(&q->cq_hdr->head);

	if (used > q->cq_entries)
		return -EPROTO;
	return q->cq_entries - used;
}

/*
 * Takes the SQ entry at the head into @d, field by field: user space may
 * be rewriting it, and each field must be read exactly once (a memcpy()
 * may be a byte loop, and the compiler may reload a plain field).
 */
static inline void afd_ring_take_desc(struct afd_queue *q, struct afd_desc *d)
{
	const struct afd_desc *s = &q->sq_ring[q->sq_head & (q->sq_entries - 1)];

	d->opcode = READ_ONCE(s->opcode);
	d->flags = READ_ONCE(s->flags);
	d->rsvd0 = READ_ONCE(s->rsvd0);
	d->stream = READ_ONCE(s->stream);
	d->src = READ_ONCE(s->src);
	d->dst = READ_ONCE(s->dst);
	d->len = READ_ONCE(s->len);
	d->arg = READ_ONCE(s->arg);
	d->cookie = READ_ONCE(s->cookie);
	d->dst_len = READ_ONCE(s->dst_len);
	d->rsvd2 = READ_ONCE(s->rsvd2);
	WRITE_ONCE(q->sq_head, q->sq_head + 1);
}

/* Writes @c into the CQ slot at the tail; user space sees it once published. */
static inline void afd_ring_post(struct afd_queue *q,
				 const struct afd_completion *c)
{
	struct afd_completion *d = &q->cq_ring[q->cq_tail & (q->cq_entries - 1)];

	d->cookie = c->cookie;
	d->result = c->result;
	d->bytes_done = c->bytes_done;
	d->fault_addr = c->fault_addr;
	d->status = c->status;
	d->flags = c->flags;
	d->checksum = c->checksum;
	d->rsvd = 0;
	WRITE_ONCE(q->cq_tail, q->cq_tail + 1);
}

/* Publishes what a batch took and completed. */
static inline void afd_ring_publish(struct afd_queue *q)
{
	/* The SQ slots are copied before user space may reuse them. */
	smp_store_release(&q->sq_hdr->head, q->sq_head);
	/* The CQ entries are written before user space sees the tail. */
	smp_store_release(&q->cq_hdr->tail, q->cq_tail);
}

#endif /* __AFD_RING_H__ */
