// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: per-process queues.
 *
 * A queue's rings and doorbell live in pages (vmap()ed for the kernel) that are
 * mapped into its process. Everything user space can write there (the
 * doorbell, the CQ head, SQ entries) is read once into a private copy and
 * checked before use: the kernel's own indices (sq_head, cq_tail) are the
 * truth, the header fields are mirrors for user space.
 *
 * Lock order: context lock, then device lock, then queue lock. Nothing
 * waits for an engine with the context lock held (see afd_queue_unlink()).
 */
#include <linux/capability.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "afd_context.h"
#include "afd_debugfs.h"
#include "afd_drv.h"
#include "afd_engine.h"
#include "afd_ops.h"
#include "afd_queue.h"
#include "afd_stream.h"
#include "afd_ring.h"
#include "afd_sysfs.h"
#include "afd_user.h"

#define AFD_QUEUE_ID_MAX 0xffff /* bits 32-47 of an mmap offset */

/* Long-lived queues pass 2^32 descriptors: the suite starts just below. */
static unsigned int afd_initial_ring_index;
module_param_named(initial_ring_index, afd_initial_ring_index, uint, 0644);
MODULE_PARM_DESC(initial_ring_index,
		 "Ring index new queues start at, to test wrap-around (default 0)");

static int afd_queue_check_args(struct afd_device *adev,
				struct afd_queue_create *args)
{
	struct afd_limits limits = afd_device_limits(adev);

	if (args->flags & ~AFD_QUEUE_CREATE_FLAGS_ALL)
		return -EINVAL;
	if (args->pad)
		return -EINVAL;
	/* Outputs, zero so that they can become inputs one day. */
	if (args->queue_id || args->sq_offset || args->sq_size ||
	    args->cq_offset || args->cq_size || args->doorbell_offset ||
	    args->doorbell_size || args->sq_entries_offset ||
	    args->cq_entries_offset)
		return -EINVAL;
	if (!(args->flags & AFD_QUEUE_CREATE_F_PRIORITY)) {
		if (args->priority)
			return -EINVAL;
		args->priority = AFD_QUEUE_PRIORITY_DEFAULT;
	}
	if (args->priority > AFD_QUEUE_PRIORITY_MAX)
		return -EINVAL;
	/* More than a default share of an engine, as a negative nice value. */
	if (args->priority > AFD_QUEUE_PRIORITY_DEFAULT &&
	    !capable(CAP_SYS_NICE))
		return -EPERM;
	if (!is_power_of_2(args->sq_entries) ||
	    args->sq_entries < limits.min_ring_entries ||
	    args->sq_entries > limits.max_ring_entries)
		return -EINVAL;
	if (!args->cq_entries)
		args->cq_entries = 2 * args->sq_entries;
	if (!is_power_of_2(args->cq_entries) ||
	    args->cq_entries < args->sq_entries ||
	    args->cq_entries > 2 * limits.max_ring_entries)
		return -EINVAL;
	return 0;
}

static void afd_region_free(struct afd_region *r)
{
	unsigned int i;

	if (r->vaddr)
		vunmap(r->vaddr);
	/* Pages still mapped somewhere keep a reference of their own. */
	for (i = 0; r->pages && i < r->nr_pages && r->pages[i]; i++)
		__free_page(r->pages[i]);
	kvfree(r->pages);
}

/*
 * Page by page rather than vmalloc_user(): each page is charged to the
 * creator's memory cgroup (vmalloc_user() takes no gfp flags), and none
 * needs a high-order allocation.
 */
static int afd_region_alloc(struct afd_region *r, size_t size)
{
	unsigned int i;

	r->nr_pages = size >> PAGE_SHIFT;
	r->pages = kvcalloc(r->nr_pages, sizeof(*r->pages), GFP_KERNEL_ACCOUNT);
	if (!r->pages)
		return -ENOMEM;
	for (i = 0; i < r->nr_pages; i++) {
		r->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!r->pages[i])
			return -ENOMEM;
	}
	r->vaddr = vmap(r->pages, r->nr_pages, VM_MAP, PAGE_KERNEL);
	return r->vaddr ? 0 : -ENOMEM;
}

static void afd_queue_free_mem(struct afd_queue *q)
{
	kvfree(q->submit_buf);
	afd_region_free(&q->db_region);
	afd_region_free(&q->cq_region);
	afd_region_free(&q->sq_region);
}

static void afd_queue_size_mem(struct afd_queue *q)
{
	q->sq_size = PAGE_ALIGN(AFD_RING_ENTRIES_OFFSET +
				(size_t)q->sq_entries * sizeof(struct afd_desc));
	q->cq_size = PAGE_ALIGN(AFD_RING_ENTRIES_OFFSET +
				(size_t)q->cq_entries *
				sizeof(struct afd_completion));
}

/* Where a new queue's indices start; they run free and wrap at 2^32. */
static void afd_queue_start_indices(struct afd_queue *q, u32 start)
{
	WRITE_ONCE(q->sq_head, start);
	WRITE_ONCE(q->cq_tail, start);
	WRITE_ONCE(*q->doorbell, start);
	WRITE_ONCE(q->sq_hdr->head, start);
	WRITE_ONCE(q->sq_hdr->tail, start);
	WRITE_ONCE(q->cq_hdr->head, start);
	WRITE_ONCE(q->cq_hdr->tail, start);
}

static int afd_queue_alloc_mem(struct afd_queue *q)
{
	/*
	 * Up to 256 KiB: kvmalloc() falls back to vmalloc() instead of failing
	 * an order-6 kmalloc() with a warning that a user could repeat at will.
	 */
	q->submit_buf = kvmalloc_array(q->sq_entries, sizeof(*q->submit_buf),
				       GFP_KERNEL_ACCOUNT);
	if (!q->submit_buf || afd_region_alloc(&q->sq_region, q->sq_size) ||
	    afd_region_alloc(&q->cq_region, q->cq_size) ||
	    afd_region_alloc(&q->db_region, PAGE_SIZE)) {
		afd_queue_free_mem(q);
		return -ENOMEM;
	}
	q->doorbell = q->db_region.vaddr;
	kfifo_init(&q->submit_fifo, q->submit_buf,
		   q->sq_entries * sizeof(*q->submit_buf));

	q->sq_hdr = q->sq_region.vaddr;
	q->sq_ring = q->sq_region.vaddr + AFD_RING_ENTRIES_OFFSET;
	q->sq_hdr->entries = q->sq_entries;
	q->sq_hdr->entry_size = sizeof(struct afd_desc);
	q->cq_hdr = q->cq_region.vaddr;
	q->cq_ring = q->cq_region.vaddr + AFD_RING_ENTRIES_OFFSET;
	q->cq_hdr->entries = q->cq_entries;
	q->cq_hdr->entry_size = sizeof(struct afd_completion);
	afd_queue_start_indices(q, READ_ONCE(afd_initial_ring_index));
	return 0;
}

/* Pages of ring and doorbell memory, charged to RLIMIT_MEMLOCK. */
static unsigned long afd_queue_pages(struct afd_queue *q)
{
	return (q->sq_size + q->cq_size + PAGE_SIZE) >> PAGE_SHIFT;
}

/*
 * The rings and the doorbell are kernel memory the process keeps resident,
 * as io_uring's rings are, until the last munmap(), which may come long
 * after DESTROY_QUEUE. From creation until they are freed they count
 * against the user's max_memory_per_user on the device and, unless
 * CAP_IPC_LOCK, the user's RLIMIT_MEMLOCK, through the per-user counter
 * io_uring uses, which needs no mmap lock. The queue itself counts against
 * max_queues_per_user until it is destroyed.
 */
static int afd_queue_charge(struct afd_queue *q)
{
	unsigned long pages = afd_queue_pages(q);
	unsigned long limit, cur;
	int ret;

	/* The capability is asked for only when needed: asking is audited. */
	ret = afd_user_charge(q->adev, q->user->uid, 1, pages, false);
	if ((ret == -ENOSPC || ret == -ENOMEM) && capable(CAP_SYS_RESOURCE))
		ret = afd_user_charge(q->adev, q->user->uid, 1, pages, true);
	if (ret)
		return ret;
	if (capable(CAP_IPC_LOCK))
		return 0;
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&q->user->locked_vm);
	do {
		if (cur + pages > limit) {
			afd_user_release_queue(q->adev, q->user->uid);
			afd_user_release_pages(q->adev, q->user->uid, pages);
			return -ENOMEM;
		}
	} while (!atomic_long_try_cmpxchg(&q->user->locked_vm, &cur,
					  cur + pages));
	q->charged_pages = pages;
	return 0;
}

/* When the memory is freed. */
static void afd_queue_uncharge_memory(struct afd_queue *q)
{
	atomic_long_sub(q->charged_pages, &q->user->locked_vm);
	afd_user_release_pages(q->adev, q->user->uid, afd_queue_pages(q));
}

/* Queues the process owning @ctx holds on its device, over all its files. */
static u32 afd_process_queue_count(struct afd_context *ctx)
{
	struct afd_context *other;
	u32 count = 0;

	lockdep_assert_held(&ctx->adev->lock);
	list_for_each_entry(other, &ctx->adev->contexts, node)
		if (other->owner == ctx->owner)
			count += other->queue_count;
	return count;
}

/* Counts a new queue against the process's and the device's limits. */
static int afd_queue_reserve(struct afd_context *ctx)
{
	struct afd_device *adev = ctx->adev;
	int ret = 0;

	mutex_lock(&adev->lock);
	if (adev->disabled) {
		ret = -ENXIO;
	} else if (afd_process_queue_count(ctx) >=
		   adev->limits.max_queues_per_process ||
		   adev->queue_count >= adev->limits.max_queues) {
		ret = -ENOSPC;
	} else {
		adev->queue_count++;
		ctx->queue_count++;
	}
	mutex_unlock(&adev->lock);
	return ret;
}

static void afd_queue_unreserve(struct afd_context *ctx)
{
	struct afd_device *adev = ctx->adev;

	mutex_lock(&adev->lock);
	adev->queue_count--;
	ctx->queue_count--;
	mutex_unlock(&adev->lock);
}

/**
 * afd_queue_create() - create a queue for a context and start it
 * @ctx: the calling process's context
 * @args: the validated-here CREATE_QUEUE argument; outputs are filled in
 *
 * The context holds the new queue's reference, and the caller one of its
 * own: from the moment it is listed, another thread may destroy it and
 * reuse its id.
 *
 * Return: the queue, to be put with afd_queue_put(); ERR_PTR(-EINVAL) for
 * a bad argument, -EPERM for a priority above the default without
 * CAP_SYS_NICE, -ENOSPC at a queue limit (of the process, the user or the
 * device), -ENOMEM when memory, the user's max_memory_per_user or
 * RLIMIT_MEMLOCK runs out, -ENXIO while the device is disabled.
 */
struct afd_queue *afd_queue_create(struct afd_context *ctx,
				   struct afd_queue_create *args)
{
	struct afd_device *adev = ctx->adev;
	struct afd_queue *q;
	int ret;

	ret = afd_queue_check_args(adev, args);
	if (ret)
		return ERR_PTR(ret);

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return ERR_PTR(-ENOMEM);
	kref_init(&q->ref);
	spin_lock_init(&q->lock);
	mutex_init(&q->service_lock);
	init_completion(&q->shut_down);
	atomic_set(&q->shutdown_parties, 2);
	xa_init_flags(&q->streams, XA_FLAGS_ALLOC1);
	INIT_LIST_HEAD(&q->engine_node);
	q->ctx = ctx;
	q->adev = adev;
	q->priority = args->priority;
	q->sq_entries = args->sq_entries;
	q->cq_entries = args->cq_entries;
	q->state = AFD_Q_ACTIVE;

	q->user = get_uid(current_user());

	/* Charged first: a user over its limits makes the kernel allocate nothing. */
	afd_queue_size_mem(q);
	ret = afd_queue_charge(q);
	if (ret)
		goto err_put_user;
	ret = afd_queue_alloc_mem(q);
	if (ret)
		goto err_unaccount;

	ret = ida_alloc_range(&adev->queue_ids, 1, AFD_QUEUE_ID_MAX,
			      GFP_KERNEL);
	if (ret < 0)
		goto err_free_mem;
	q->id = ret;

	mutex_lock(&ctx->lock);
	ret = afd_queue_reserve(ctx);
	if (ret)
		goto err_unlock;
	ret = xa_insert(&ctx->queues, q->id, q, GFP_KERNEL);
	if (ret)
		goto err_unreserve;
	ret = afd_sysfs_add_queue(q);
	if (ret)
		goto err_erase;
	/*
	 * Reserved before the engine takes the queue in, so that publishing
	 * it cannot fail once the engine holds it: unwinding would have to
	 * wait for the engine with the context lock held.
	 */
	ret = xa_reserve(&adev->queues, q->id, GFP_KERNEL);
	if (ret)
		goto err_remove_sysfs;
	ret = adev->engine_ops->create_queue(adev, q);
	if (ret)
		goto err_release_slot;
	q->in_service = true;
	/* Last: from here an administrator may find, kick and hold it. */
	xa_store(&adev->queues, q->id, q, GFP_KERNEL);

	/* Before unlocking: from then on another thread may destroy @q. */
	args->queue_id = q->id;
	args->sq_offset = AFD_MMAP_OFFSET(q->id, AFD_REGION_SQ);
	args->sq_size = q->sq_size;
	args->cq_offset = AFD_MMAP_OFFSET(q->id, AFD_REGION_CQ);
	args->cq_size = q->cq_size;
	args->doorbell_offset = AFD_MMAP_OFFSET(q->id, AFD_REGION_DOORBELL);
	args->doorbell_size = PAGE_SIZE;
	args->sq_entries_offset = AFD_RING_ENTRIES_OFFSET;
	args->cq_entries_offset = AFD_RING_ENTRIES_OFFSET;
	afd_queue_get(q);
	mutex_unlock(&ctx->lock);
	return q;

err_release_slot:
	xa_release(&adev->queues, q->id);
err_remove_sysfs:
	afd_sysfs_remove_queue(q);
err_erase:
	xa_erase(&ctx->queues, q->id);
err_unreserve:
	afd_queue_unreserve(ctx);
err_unlock:
	mutex_unlock(&ctx->lock);
	ida_free(&adev->queue_ids, q->id);
err_free_mem:
	afd_queue_free_mem(q);
err_unaccount:
	afd_user_release_queue(adev, q->user->uid);
	afd_queue_uncharge_memory(q);
err_put_user:
	free_uid(q->user);
	kfree(q);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(afd_queue_create);

/* What unlink and evict share, once the context's entry is dealt with. */
static void afd_queue_detach(struct afd_queue *q)
{
	lockdep_assert_held(&q->ctx->lock);
	/* Before the id can be reused: the sysfs name is the id. */
	afd_sysfs_remove_queue(q);
	xa_erase(&q->adev->queues, q->id);
	afd_queue_unreserve(q->ctx);
	afd_user_release_queue(q->adev, q->user->uid);
	afd_queue_set_dead(q);
}

/**
 * afd_queue_unlink() - first half of destroy: take a queue out of its context
 * @q: a queue of its context, looked up under the context lock
 *
 * From here the queue cannot be found by id and takes no new work. The
 * caller then drops the context lock and calls afd_queue_shutdown(), which
 * may wait for the engine: an engine in a page fault needs the mmap lock,
 * and mmap() holds that while it takes the context lock.
 */
void afd_queue_unlink(struct afd_queue *q)
{
	xa_erase(&q->ctx->queues, q->id);
	afd_queue_detach(q);
}

static int afd_queue_start_service(struct afd_queue *q)
{
	int ret;

	lockdep_assert_held(&q->service_lock);
	ret = q->adev->engine_ops->create_queue(q->adev, q);
	if (!ret)
		q->in_service = true;
	return ret;
}

/*
 * On return the engine no longer touches @q, unless @killable and a fatal
 * signal ended the wait (false): the engine then finishes on references of
 * its own.
 */
static bool afd_queue_stop_service(struct afd_queue *q, bool killable)
{
	bool stopped = true;

	lockdep_assert_held(&q->service_lock);
	if (q->in_service)
		stopped = !q->adev->engine_ops->destroy_queue(q->adev, q,
							      killable);
	q->in_service = false;
	return stopped;
}

/*
 * An evicted queue's owner learns of it from its CQ, as of any ending.
 * Only what was queued when the eviction began is cancelled: an owner that
 * refills its SQ as fast as it drains must not keep the caller here.
 */
static void afd_queue_cancel_pending(struct afd_queue *q)
{
	long ring = afd_ring_sq_pending(q), space = afd_ring_cq_space(q);
	struct afd_completion comp;
	struct afd_desc desc;
	u32 left, done;

	/* A corrupt index: nothing of the rings can be trusted. */
	left = ring < 0 || space < 0 ? 0 :
	       min_t(u64, kfifo_len(&q->submit_fifo) + ring, space);
	for (done = 0; done < left; done++) {
		if (!kfifo_get(&q->submit_fifo, &desc)) {
			if (!ring--)
				break;
			afd_ring_take_desc(q, &desc);
		}
		afd_desc_cancel(&desc, &comp);
		afd_ring_post(q, &comp);
	}
	afd_queue_count(q, done, done, done, 0);
	afd_ring_publish(q);
	/* After the completions: who sees the flag finds them all. */
	smp_store_release(&q->cq_hdr->flags,
			  READ_ONCE(q->cq_hdr->flags) | AFD_CQ_F_EVICTED);
}

/*
 * What waits until the engine no longer touches @q: cancelling what an
 * eviction left pending, and freeing the submit kfifo (a dead queue's is
 * never touched again: submit checks the state under the lock first).
 */
static void afd_queue_after_engine(struct afd_queue *q)
{
	if (READ_ONCE(q->evicted))
		afd_queue_cancel_pending(q);
	kvfree(q->submit_buf);
	q->submit_buf = NULL;
}

/**
 * afd_queue_shutdown() - second half of destroy, without the context lock
 * @q: an unlinked queue; its context's reference is dropped
 *
 * Descriptors not yet taken are discarded (cancelled into the CQ if an
 * administrator evicted the queue); the one in execution finishes before
 * the engine lets go. Mappings keep the memory until unmapped.
 */
void afd_queue_shutdown(struct afd_queue *q)
{
	struct afd_device *adev = q->adev;
	bool stopped;

	/*
	 * The owner's destroy (or its exit) and an administrator's eviction
	 * stay killable while the engine finishes a descriptor stuck in a
	 * fault on slow storage; the engine then finishes the shutdown when
	 * it lets go (afd_queue_engine_released()).
	 */
	mutex_lock(&q->service_lock);
	stopped = afd_queue_stop_service(q, true);
	mutex_unlock(&q->service_lock);
	if (stopped)
		afd_queue_after_engine(q);
	/* An evicted queue's id stays taken until its owner forgets it. */
	if (!READ_ONCE(q->evicted))
		ida_free(&adev->queue_ids, q->id);
	/*
	 * Unlinked, so no stream comes after. An engine that has not let go
	 * (a killed wait for a stuck fault) holds its own references.
	 */
	afd_stream_destroy_all(q);
	if (!stopped)
		afd_debugfs_widen_race_window();
	/* Every waiter, including a front end's (an eventfd). */
	afd_context_notify(q->ctx);
	/*
	 * A front end whose context ops reach memory of its own (an mdev's)
	 * waits for this before freeing it: after the notify above, and after
	 * the engine's if it had not let go.
	 */
	if (stopped || atomic_dec_and_test(&q->shutdown_parties))
		complete_all(&q->shut_down);
	afd_queue_put(q);
}

/**
 * afd_queue_engine_released() - an engine lets go of a queue late
 * @q: a queue whose destroyer stopped waiting for the engine (its wait was
 *	killed, or it was exiting: destroy_queue returned nonzero); the
 *	engine still holds its references to @q and its context
 *
 * Called by the engine once it no longer touches @q: finishes what
 * afd_queue_shutdown() had to leave (an eviction's cancelled descriptors
 * reach the CQ now), wakes the owner's waiters to see it, and, once the
 * destroyer is done too, ends afd_queue_wait_shutdown(). Exported for
 * engines in other modules, as the engine interface is.
 *
 * Context: process context; no engine lock held.
 */
void afd_queue_engine_released(struct afd_queue *q)
{
	afd_queue_after_engine(q);
	afd_context_notify(q->ctx);
	if (atomic_dec_and_test(&q->shutdown_parties))
		complete_all(&q->shut_down);
}
EXPORT_SYMBOL_GPL(afd_queue_engine_released);

/**
 * afd_queue_wait_shutdown() - wait until a destroyed queue is shut down
 * @q: a queue the caller holds a reference on, destroyed or evicted
 *
 * An administrator's eviction shuts a queue down outside its context's
 * lock: a front end whose context ops reach memory of its own must wait
 * for that before freeing it, and for the engine to let go of the queue
 * when the eviction's wait for it was killed.
 */
void afd_queue_wait_shutdown(struct afd_queue *q)
{
	wait_for_completion(&q->shut_down);
}
EXPORT_SYMBOL_GPL(afd_queue_wait_shutdown);

static void afd_queue_release(struct kref *ref)
{
	struct afd_queue *q = container_of(ref, struct afd_queue, ref);

	afd_queue_free_mem(q);
	afd_queue_uncharge_memory(q);
	xa_destroy(&q->streams);
	free_uid(q->user);
	kfree(q);
}

/**
 * afd_queue_get() - take a reference on a queue
 * @q: a queue the caller holds a reference on already, or finds under a
 *	lock that keeps it alive
 */
void afd_queue_get(struct afd_queue *q)
{
	kref_get(&q->ref);
}
EXPORT_SYMBOL_GPL(afd_queue_get);

/**
 * afd_queue_put() - drop a reference on a queue
 * @q: the queue; freed with the last reference
 */
void afd_queue_put(struct afd_queue *q)
{
	kref_put(&q->ref, afd_queue_release);
}
EXPORT_SYMBOL_GPL(afd_queue_put);

/**
 * afd_queue_state() - the queue's state
 * @q: the queue
 *
 * Return: &enum afd_q_state; it may change at once unless the caller
 * holds the queue's lock.
 */
enum afd_q_state afd_queue_state(struct afd_queue *q)
{
	return READ_ONCE(q->state);
}
EXPORT_SYMBOL_GPL(afd_queue_state);

/**
 * afd_queue_uapi_state() - the queue's state as user space sees it
 * @q: the queue
 *
 * Return: &enum afd_queue_state; a dead queue reads as in error.
 */
u32 afd_queue_uapi_state(struct afd_queue *q)
{
	switch (afd_queue_state(q)) {
	case AFD_Q_ACTIVE:
		return AFD_QUEUE_STATE_ACTIVE;
	case AFD_Q_SUSPENDED:
		return AFD_QUEUE_STATE_SUSPENDED;
	default:
		return AFD_QUEUE_STATE_ERROR;
	}
}
EXPORT_SYMBOL_GPL(afd_queue_uapi_state);

/**
 * afd_queue_kick() - ask the queue's engine for service
 * @q: the queue, whose process saw AFD_SQ_F_NEED_WAKEUP
 */
void afd_queue_kick(struct afd_queue *q)
{
	q->adev->engine_ops->kick(q->adev, q);
}
EXPORT_SYMBOL_GPL(afd_queue_kick);

/* Does the queue take descriptors (to execute or to cancel)? */
bool afd_queue_accepts_work(struct afd_queue *q)
{
	enum afd_q_state state = afd_queue_state(q);

	return state == AFD_Q_ACTIVE || state == AFD_Q_SUSPENDED;
}

/**
 * afd_queue_fail() - stop taking work after user space broke the protocol
 * @q: the queue
 * @why: for the log
 */
void afd_queue_fail(struct afd_queue *q, const char *why)
{
	bool failed = false;

	spin_lock(&q->lock);
	if (q->state == AFD_Q_ACTIVE || q->state == AFD_Q_SUSPENDED) {
		WRITE_ONCE(q->state, AFD_Q_ERROR);
		WRITE_ONCE(q->cq_hdr->flags, AFD_CQ_F_ERROR);
		failed = true;
	}
	spin_unlock(&q->lock);
	if (failed) {
		afd_warn_ratelimited(q->adev, "queue %u of %s: %s\n", q->id,
				     q->ctx->comm, why);
		afd_context_notify(q->ctx);
	}
}

void afd_queue_set_dead(struct afd_queue *q)
{
	const struct afd_engine_ops *ops = q->adev->engine_ops;

	spin_lock(&q->lock);
	WRITE_ONCE(q->state, AFD_Q_DEAD);
	spin_unlock(&q->lock);
	/*
	 * A reset may be waiting for an engine stuck in another queue's
	 * fault, holding the service lock a destroy needs next.
	 */
	if (ops->queue_dead)
		ops->queue_dead(q->adev, q);
}

void afd_queue_set_need_wakeup(struct afd_queue *q, bool need)
{
	WRITE_ONCE(q->sq_hdr->flags, need ? AFD_SQ_F_NEED_WAKEUP : 0);
}

/**
 * afd_queue_kick_if_stalled() - wake an engine that slept behind a full CQ
 * @q: a queue whose CQ user space may have drained since
 *
 * Called from the calls that may block on @q (WAIT, poll). Only a sleeping
 * engine with descriptors still waiting is kicked: a needless kick would
 * cost a whole idle window of polling.
 */
void afd_queue_kick_if_stalled(struct afd_queue *q)
{
	if (!(READ_ONCE(q->sq_hdr->flags) & AFD_SQ_F_NEED_WAKEUP))
		return;
	if (READ_ONCE(*q->doorbell) != READ_ONCE(q->sq_head) ||
	    !kfifo_is_empty(&q->submit_fifo))
		afd_queue_kick(q);
}

/**
 * afd_queue_submit() - queue descriptors given to AFD_IOC_SUBMIT
 * @q: the queue
 * @descs: kernel copies of the descriptors
 * @count: how many
 *
 * Return: how many were accepted, or -EIO if the queue takes no work.
 */
int afd_queue_submit(struct afd_queue *q, const struct afd_desc *descs,
		     u32 count)
{
	int ret;

	spin_lock(&q->lock);
	if (!afd_queue_accepts_work(q))
		ret = -EIO;
	else
		ret = kfifo_in(&q->submit_fifo, descs, count);
	spin_unlock(&q->lock);
	return ret;
}

/*
 * Is there something to take, and room for its completion? For an engine
 * about to sleep; a corrupt index counts as work, for the engine to fail.
 */
bool afd_queue_has_work(struct afd_queue *q)
{
	if (!afd_queue_accepts_work(q))
		return false;
	if (kfifo_is_empty(&q->submit_fifo) && !afd_ring_sq_pending(q))
		return false;
	return afd_ring_cq_space(q) != 0;
}

/* Does the CQ hold entries user space has not consumed? Any context. */
bool afd_queue_cq_pending(struct afd_queue *q)
{
	return READ_ONCE(q->cq_tail) != READ_ONCE(q->cq_hdr->head);
}

/*
 * Administration: an operator acting on any process's queue. The caller
 * found the queue with afd_device_get_queue() and holds a reference on it
 * and on its context.
 */

/**
 * afd_device_get_queue() - look up any queue of a device
 * @adev: the device
 * @id: queue id
 *
 * Return: the queue, or NULL. The caller must afd_queue_put() it and
 * afd_context_put() its context.
 */
struct afd_queue *afd_device_get_queue(struct afd_device *adev, u32 id)
{
	struct afd_queue *q;

	xa_lock(&adev->queues);
	q = xa_load(&adev->queues, id);
	if (q) {
		/* Listed queues hold their context: both are alive. */
		afd_queue_get(q);
		afd_context_get(q->ctx);
	}
	xa_unlock(&adev->queues);
	return q;
}

/**
 * afd_device_kick_all() - make every engine of a device look at its queues
 * @adev: the device, whose disabled state just changed
 */
void afd_device_kick_all(struct afd_device *adev)
{
	struct afd_queue *q;
	unsigned long id;

	xa_lock(&adev->queues);
	xa_for_each(&adev->queues, id, q)
		adev->engine_ops->kick(adev, q);
	xa_unlock(&adev->queues);
}

static int afd_queue_suspend(struct afd_queue *q, bool suspend)
{
	enum afd_q_state from = suspend ? AFD_Q_ACTIVE : AFD_Q_SUSPENDED;
	enum afd_q_state to = suspend ? AFD_Q_SUSPENDED : AFD_Q_ACTIVE;
	int ret = -EINVAL;

	spin_lock(&q->lock);
	if (q->state == from) {
		WRITE_ONCE(q->state, to);
		WRITE_ONCE(q->cq_hdr->flags, suspend ? AFD_CQ_F_SUSPENDED : 0);
		ret = 0;
	}
	spin_unlock(&q->lock);
	/* Descriptors waiting now run, or are cancelled, without delay. */
	if (!ret)
		afd_queue_kick(q);
	return ret;
}

/* Zeroes every index of a queue the engine no longer serves. */
static void afd_queue_zero_rings(struct afd_queue *q)
{
	lockdep_assert_held(&q->lock);
	afd_queue_start_indices(q, 0);
	WRITE_ONCE(q->sq_hdr->flags, 0);
	WRITE_ONCE(q->cq_hdr->flags, 0);
	kfifo_reset(&q->submit_fifo);
}

/**
 * afd_queue_reset() - discard a queue's pending work and zero its rings
 * @q: the queue
 * @only_in_error: refuse (-EINVAL) unless the queue is in AFD_Q_ERROR, as
 *	an administrator's reset does; a device reset (VFIO) resets any
 *	queue that is not dead
 *
 * Return: 0, -EINVAL, -ENOENT if the queue is dead (destroyed or evicted,
 * before or while the reset waited for the engine), or the engine's error
 * taking the queue back (the queue is then dead).
 */
int afd_queue_reset(struct afd_queue *q, bool only_in_error)
{
	enum afd_q_state state;
	int ret = -EINVAL;

	mutex_lock(&q->service_lock);
	state = afd_queue_state(q);
	if (state == AFD_Q_DEAD) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (only_in_error && state != AFD_Q_ERROR)
		goto out_unlock;
	afd_queue_stop_service(q, false);

	spin_lock(&q->lock);
	/* Destroy may have marked it dead meanwhile; that is final. */
	if (q->state == AFD_Q_DEAD) {
		ret = -ENOENT;
	} else {
		afd_queue_zero_rings(q);
		/* A device reset does not lift an administrator's suspension. */
		if (q->state == AFD_Q_SUSPENDED)
			WRITE_ONCE(q->cq_hdr->flags, AFD_CQ_F_SUSPENDED);
		else
			WRITE_ONCE(q->state, AFD_Q_ACTIVE);
		ret = 0;
	}
	spin_unlock(&q->lock);

	if (!ret) {
		ret = afd_queue_start_service(q);
		if (ret)
			afd_queue_set_dead(q);
		/*
		 * Under the service lock: a refused reset must not notify, and
		 * neither may one after close, when a front end's context
		 * (an mdev's) may be gone.
		 */
		afd_context_notify(q->ctx);
	}
out_unlock:
	mutex_unlock(&q->service_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(afd_queue_reset);

/**
 * afd_queue_evict() - end another process's queue
 * @q: the queue; the caller holds a reference on it and on its context
 *
 * Its pending descriptors complete with -ECANCELED, its CQ shows
 * AFD_CQ_F_EVICTED, and its owner's calls on the id fail with -ECANCELED
 * until the owner destroys it.
 *
 * Return: 0, or -ENOENT if the queue was destroyed meanwhile.
 */
int afd_queue_evict(struct afd_queue *q)
{
	struct afd_context *ctx = q->ctx;

	mutex_lock(&ctx->lock);
	if (xa_load(&ctx->queues, q->id) != q) {
		mutex_unlock(&ctx->lock);
		return -ENOENT;
	}
	WRITE_ONCE(q->evicted, true);
	/* Replacing an entry allocates nothing, so this cannot fail. */
	xa_store(&ctx->queues, q->id, xa_mk_value(q->id), GFP_KERNEL);
	afd_queue_detach(q);
	mutex_unlock(&ctx->lock);

	afd_queue_shutdown(q);
	return 0;
}
EXPORT_SYMBOL_GPL(afd_queue_evict);

static void afd_queue_set_priority(struct afd_queue *q, u32 priority)
{
	spin_lock(&q->lock);
	WRITE_ONCE(q->priority, priority);
	spin_unlock(&q->lock);
}

/**
 * afd_queue_admin() - carry out an administrator's AFD_IOC_QUEUE_ADMIN
 * @q: the queue, from afd_device_get_queue()
 * @args: the validated argument
 *
 * Return: 0, -EINVAL if the queue's state does not allow the operation,
 * -ENOENT if the queue went away meanwhile.
 */
int afd_queue_admin(struct afd_queue *q, const struct afd_queue_admin *args)
{
	if (afd_queue_state(q) == AFD_Q_DEAD)
		return -ENOENT;

	switch (args->op) {
	case AFD_QUEUE_ADMIN_SUSPEND:
		return afd_queue_suspend(q, true);
	case AFD_QUEUE_ADMIN_RESUME:
		return afd_queue_suspend(q, false);
	case AFD_QUEUE_ADMIN_RESET:
		return afd_queue_reset(q, true);
	case AFD_QUEUE_ADMIN_EVICT:
		return afd_queue_evict(q);
	case AFD_QUEUE_ADMIN_SET_PRIORITY:
		afd_queue_set_priority(q, args->priority);
		return 0;
	}
	return -EINVAL;
}
