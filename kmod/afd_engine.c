// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: the software engine.
 *
 * Each device has num_engines kernel threads; each queue is served by one
 * of them, chosen at creation (the least loaded). A thread visits its
 * queues in turn, taking up to (priority + 1) * AFD_ENGINE_BATCH
 * descriptors from a queue per visit, and executes them inside the
 * queue's process's address space, as io_uring's SQPOLL thread does.
 *
 * A visit to a busy queue is a handful of loads and stores: one look at
 * the doorbell and at the CQ head, the descriptors copied, one release
 * store each of the SQ head and the CQ tail per batch (and after each data
 * operation, whose completion is not held back), a wake-up only if
 * somebody waits. The list of queues is the thread's own: creation and destroy
 * leave requests under a lock the thread takes only when a flag says
 * there are some, and the thread holds a reference on every queue it
 * serves, so a visit takes no lock and no reference. The process's
 * address space is adopted only for a descriptor that reaches memory,
 * and kept while the thread serves the same context.
 *
 * When passes find nothing to do, the thread keeps polling for
 * engine_idle_us, then sets AFD_SQ_F_NEED_WAKEUP on its queues, issues a
 * full barrier, looks once more and only then sleeps until AFD_IOC_KICK.
 * An idle engine uses no CPU.
 */
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "afd_context.h"
#include "afd_drv.h"
#include "afd_engine.h"
#include "afd_ops.h"
#include "afd_queue.h"
#include "afd_ring.h"

unsigned int afd_engine_idle_us = 200;
module_param_named(engine_idle_us, afd_engine_idle_us, uint, 0644);
MODULE_PARM_DESC(engine_idle_us,
		 "Microseconds an engine polls for work before it sleeps (default 200)");

/* Descriptors a priority-0 queue may run per visit. */
#define AFD_ENGINE_BATCH 4

/* Passes between two looks at the clock (idle deadline, busy time). */
#define AFD_ENGINE_CLOCK_PASSES 64

/* &struct afd_queue.engine_flags bits, under &struct afd_sw_engine.lock. */
enum {
	AFD_SWQ_TAKEN,		/* on the thread's own list, not incoming */
	AFD_SWQ_LEAVING,	/* destroy asked the thread to let go */
	AFD_SWQ_RELEASED,	/* it has: destroy may return */
	AFD_SWQ_ABANDONED,	/* destroy was killed before: finish it */
};

/**
 * struct afd_sw_engine - one engine thread
 * @adev: its device
 * @thread: the kernel thread
 * @scratch: buffers for afd_desc_execute()
 * @lock: protects @incoming, @nr_queues, @changed, @sleeping and the
 *	queues' engine_flags
 * @incoming: queues created since the thread last looked
 * @nr_queues: queues served, for placing new ones
 * @changed: a queue arrived in @incoming or is leaving; the thread reads
 *	it without the lock once per visit
 * @sleeping: NEED_WAKEUP is set on every queue the thread serves
 * @queues: the thread's own list of the queues it serves: only the thread
 *	touches it, and it holds a reference on each queue and its context
 * @entered: the context whose buffers the thread has entered (its mm
 *	adopted), kept across visits until another context needs the thread
 * @in_op: the queue whose data operation the thread is executing, or NULL
 * @desc: the private copy of the descriptor being run
 * @comp: its completion; both here rather than on the stack, which the
 *	kernel's automatic variable initialisation would zero (a string
 *	instruction) at every visit
 * @kicked: a kick arrived since the thread last prepared to sleep
 * @wq: the thread sleeps here
 * @released_wq: destroy_queue waits here for the thread to let go
 * @busy_ns: time spent executing descriptors, sampled (see
 *	afd_engine_thread())
 * @sleeps: times the thread slept
 * @wakeups: times a kick woke it
 *
 * The counters are written by the thread alone (WRITE_ONCE()) and read
 * with READ_ONCE(): no atomics.
 */
struct afd_sw_engine {
	struct afd_device *adev;
	struct task_struct *thread;
	struct afd_ops_scratch *scratch;

	spinlock_t lock; /* Protects incoming, nr_queues, flags, engine_flags */
	struct list_head incoming;
	u32 nr_queues;
	bool changed;
	bool sleeping;

	struct list_head queues;
	struct afd_context *entered;
	struct afd_queue *in_op;
	struct afd_desc desc;
	struct afd_completion comp;

	bool kicked;
	wait_queue_head_t wq;
	wait_queue_head_t released_wq;
	u64 busy_ns;
	u64 sleeps;
	u64 wakeups;
};

/**
 * struct afd_sw_engines - the engines of one device
 * @count: number of engines
 * @engines: the engines
 */
struct afd_sw_engines {
	u32 count;
	struct afd_sw_engine engines[];
};

/* Adopts @ctx's buffers (its mm) unless they already are; false if gone. */
static bool afd_engine_enter(struct afd_sw_engine *eng, struct afd_context *ctx)
{
	if (eng->entered == ctx)
		return true;
	if (eng->entered && eng->entered->ops->leave)
		eng->entered->ops->leave(eng->entered);
	eng->entered = NULL;
	if (ctx->ops->enter && ctx->ops->enter(ctx))
		return false;
	eng->entered = ctx;
	return true;
}

static void afd_engine_leave(struct afd_sw_engine *eng)
{
	if (eng->entered && eng->entered->ops->leave)
		eng->entered->ops->leave(eng->entered);
	eng->entered = NULL;
}

/* A batch's tally, until it is counted and published. */
struct afd_batch {
	u32 taken;
	u32 posted;
	u32 errors;
	u64 bytes;
};

/*
 * Counts, publishes and announces what @b holds, then empties it. Counted
 * first: who has seen a completion finds it in QUERY_QUEUE.
 */
static void afd_engine_flush(struct afd_queue *q, struct afd_batch *b)
{
	afd_queue_count(q, b->taken, b->posted, b->errors, b->bytes);
	afd_ring_publish(q);
	if (b->posted)
		afd_context_notify(q->ctx);
	memset(b, 0, sizeof(*b));
}

/*
 * Executes a descriptor that reaches memory. Meanwhile @in_op names @q: the
 * thread may sleep in a fault there for as long as the process's storage
 * takes, and a destroyer of another queue need not wait for that. Returns
 * false if the buffers are gone for good (the process is exiting).
 */
static bool afd_engine_run_data_op(struct afd_sw_engine *eng,
				   struct afd_queue *q, u64 max_transfer)
{
	/*
	 * Release: a destroyer that sees @in_op name another queue than its
	 * own sees the thread's last writes to its own. The barrier in
	 * wq_has_sleeper() pairs with afd_sw_let_go_early().
	 */
	smp_store_release(&eng->in_op, q);
	if (wq_has_sleeper(&eng->released_wq))
		wake_up_all(&eng->released_wq);
	if (!afd_engine_enter(eng, q->ctx)) {
		/* Before the look at @changed, as below. */
		smp_store_mb(eng->in_op, NULL);
		return false;
	}
	afd_desc_execute(q, &eng->desc, max_transfer, eng->scratch,
			 &eng->comp);
	/* Ordered before the look at @changed that follows (the pairing). */
	smp_store_mb(eng->in_op, NULL);
	return true;
}

/*
 * Runs up to one visit's budget of @q: what there is to do is computed
 * once, from one look at the doorbell and the CQ head, and published once,
 * or after each data operation, whose completion is not held back.
 * Returns the number of descriptors taken.
 */
static u32 afd_engine_serve(struct afd_sw_engine *eng, struct afd_queue *q)
{
	enum afd_q_state state = READ_ONCE(q->state);
	struct afd_completion *comp = &eng->comp;
	struct afd_desc *desc = &eng->desc;
	struct afd_batch b = {};
	u32 taken, budget;
	u64 max_transfer;
	long ring, space;
	bool cancel;

	if (state != AFD_Q_ACTIVE && state != AFD_Q_SUSPENDED)
		return 0;
	ring = afd_ring_sq_pending(q);
	if (!ring && kfifo_is_empty(&q->submit_fifo))
		return 0;
	if (ring < 0) {
		afd_queue_fail(q, "doorbell beyond the SQ's capacity");
		return 0;
	}
	space = afd_ring_cq_space(q);
	if (space <= 0) {
		if (space < 0)
			afd_queue_fail(q, "CQ head out of range");
		return 0;
	}
	budget = min_t(u64, (READ_ONCE(q->priority) + 1) * AFD_ENGINE_BATCH,
		       min_t(u64, space, ring + kfifo_len(&q->submit_fifo)));
	max_transfer = READ_ONCE(q->adev->limits.max_transfer);
	/* Cancelled, not held: nobody waits for an operator's resume. */
	cancel = state == AFD_Q_SUSPENDED || afd_device_disabled(q->adev);

	for (taken = 0; taken < budget; taken++) {
		bool data_op;

		/* The fifo's entries were counted first: the ring's follow. */
		if (!kfifo_get(&q->submit_fifo, desc))
			afd_ring_take_desc(q, desc);
		b.taken++;
		data_op = !cancel && desc->opcode != AFD_OP_NOP;

		if (cancel) {
			afd_desc_cancel(desc, comp);
		} else if (!data_op) {
			afd_desc_execute(q, desc, max_transfer, NULL, comp);
		} else if (!afd_engine_run_data_op(eng, q, max_transfer)) {
			afd_queue_set_dead(q);
			taken++;
			break;
		}
		afd_ring_post(q, comp);
		b.posted++;
		b.errors += comp->status != 0;
		b.bytes += comp->bytes_done;
		if (data_op) {
			afd_engine_flush(q, &b);
			/* Destroy marks the queue dead first: take no more. */
			if (READ_ONCE(q->state) == AFD_Q_DEAD ||
			    READ_ONCE(eng->changed)) {
				taken++;
				break;
			}
		}
	}
	afd_engine_flush(q, &b);
	return taken;
}

/* Lets go of @q, which destroy_queue asked for; the caller drops the refs. */
static void afd_engine_release(struct afd_sw_engine *eng, struct afd_queue *q)
{
	lockdep_assert_held(&eng->lock);
	list_del_init(&q->engine_node);
	__set_bit(AFD_SWQ_RELEASED, &q->engine_flags);
}

static void afd_engine_put(struct afd_queue *q)
{
	struct afd_context *ctx = q->ctx;

	afd_queue_put(q);
	afd_context_put(ctx);
}

/*
 * Lets go of the queues on @leaving (the thread's own list): each is marked
 * released only once its node is off every list, so that a reset may add
 * it to an engine again at once; the thread's references go last.
 */
static void afd_engine_let_go(struct afd_sw_engine *eng,
			      struct list_head *leaving)
{
	struct afd_queue *q, *next;
	bool abandoned;

	list_for_each_entry_safe(q, next, leaving, engine_node) {
		/* Its context may go with the reference: leave it first. */
		if (eng->entered == q->ctx)
			afd_engine_leave(eng);
		spin_lock(&eng->lock);
		afd_engine_release(eng, q);
		abandoned = test_bit(AFD_SWQ_ABANDONED, &q->engine_flags);
		spin_unlock(&eng->lock);
		wake_up_all(&eng->released_wq);
		if (abandoned)
			afd_queue_engine_released(q);
		afd_engine_put(q);
	}
}

/*
 * Takes in the queues created and lets go of those destroyed since the
 * thread last looked: only here does its own list change.
 */
static void afd_engine_apply_changes(struct afd_sw_engine *eng)
{
	struct afd_queue *q, *next;
	LIST_HEAD(leaving);

	spin_lock(&eng->lock);
	list_for_each_entry(q, &eng->incoming, engine_node)
		__set_bit(AFD_SWQ_TAKEN, &q->engine_flags);
	list_splice_tail_init(&eng->incoming, &eng->queues);
	list_for_each_entry_safe(q, next, &eng->queues, engine_node)
		if (test_bit(AFD_SWQ_LEAVING, &q->engine_flags))
			list_move_tail(&q->engine_node, &leaving);
	WRITE_ONCE(eng->changed, false);
	spin_unlock(&eng->lock);

	afd_engine_let_go(eng, &leaving);
}

/*
 * Visits every queue once; returns true if any work was done. A change to
 * the list ends the pass early, so that destroy waits one visit at most.
 */
static bool afd_engine_pass(struct afd_sw_engine *eng)
{
	bool did_work = false;
	struct afd_queue *q;

	if (READ_ONCE(eng->changed))
		afd_engine_apply_changes(eng);
	list_for_each_entry(q, &eng->queues, engine_node) {
		if (afd_engine_serve(eng, q))
			did_work = true;
		if (READ_ONCE(eng->changed)) {
			/* The next pass resumes after @q: a change starves nobody. */
			if (!list_is_last(&q->engine_node, &eng->queues))
				list_rotate_to_front(q->engine_node.next,
						     &eng->queues);
			break;
		}
	}
	return did_work;
}

static void afd_engine_set_need_wakeup(struct afd_sw_engine *eng, bool need)
{
	struct afd_queue *q;

	lockdep_assert_held(&eng->lock);
	eng->sleeping = need;
	list_for_each_entry(q, &eng->incoming, engine_node)
		afd_queue_set_need_wakeup(q, need);
	list_for_each_entry(q, &eng->queues, engine_node)
		afd_queue_set_need_wakeup(q, need);
}

static bool afd_engine_has_work(struct afd_sw_engine *eng)
{
	struct afd_queue *q;

	if (READ_ONCE(eng->changed))
		return true;
	list_for_each_entry(q, &eng->queues, engine_node)
		if (afd_queue_has_work(q))
			return true;
	return false;
}

static void afd_engine_sleep(struct afd_sw_engine *eng)
{
	/* A sleeping thread holds on to no process's address space. */
	afd_engine_leave(eng);

	/* Ordered before the flags: a kick after them must not be erased. */
	smp_store_mb(eng->kicked, false);
	spin_lock(&eng->lock);
	afd_engine_set_need_wakeup(eng, true);
	spin_unlock(&eng->lock);

	/*
	 * Pairs with user space's full fence between its doorbell store and
	 * its load of the SQ flags: either we see the new doorbell now, or
	 * it sees NEED_WAKEUP and kicks.
	 */
	smp_mb();

	if (!afd_engine_has_work(eng)) {
		WRITE_ONCE(eng->sleeps, eng->sleeps + 1);
		wait_event_idle(eng->wq,
				READ_ONCE(eng->kicked) || kthread_should_stop());
		if (READ_ONCE(eng->kicked))
			WRITE_ONCE(eng->wakeups, eng->wakeups + 1);
	}

	spin_lock(&eng->lock);
	afd_engine_set_need_wakeup(eng, false);
	spin_unlock(&eng->lock);
}

/*
 * An address space kept adopted after its process exited would never be
 * torn down: its ring mappings would keep the file, so the queues, open.
 * Only engine threads' references are left then (one per engine that
 * adopted it): let it go.
 */
static void afd_engine_drop_exited(struct afd_sw_engine *eng)
{
	struct afd_context *ctx = eng->entered;

	if (ctx && ctx->ops->leave &&
	    atomic_read(&ctx->mm->mm_users) <= atomic_read(&ctx->adopted))
		afd_engine_leave(eng);
}

/*
 * The clock is read after a productive pass and every
 * AFD_ENGINE_CLOCK_PASSES empty ones, not per visit: busy time is the
 * time up to each productive pass since the previous look, so it includes
 * at most that many empty passes before the work.
 */
static int afd_engine_thread(void *data)
{
	struct afd_sw_engine *eng = data;
	u64 last_clock = local_clock(), last_work = last_clock, now;
	u32 empty = 0;

	while (!kthread_should_stop()) {
		bool did_work = afd_engine_pass(eng);

		/*
		 * A queue kept full for ever (NOPs, cancelled work, an mdev's)
		 * reaches no other scheduling point.
		 */
		cond_resched();
		/*
		 * No cpu_relax(), as in io_uring's SQPOLL loop: a pass is work
		 * enough between two looks, and under emulation (TCG) a pause
		 * leaves the translated code, which cost 0.5 us per round trip.
		 */
		if (!did_work) {
			if (++empty < AFD_ENGINE_CLOCK_PASSES)
				continue;
		}
		empty = 0;
		/* Per CPU: after a migration it may read less than before. */
		now = local_clock();
		if (did_work) {
			WRITE_ONCE(eng->busy_ns, eng->busy_ns +
				   max_t(s64, now - last_clock, 0));
			last_work = now;
		}
		last_clock = now;
		afd_engine_drop_exited(eng);
		if ((s64)(now - last_work) <
		    (s64)READ_ONCE(afd_engine_idle_us) * NSEC_PER_USEC)
			continue;
		afd_engine_sleep(eng);
		last_clock = local_clock();
		last_work = last_clock;
	}
	afd_engine_leave(eng);
	return 0;
}

static struct afd_sw_engines *afd_engines(struct afd_device *adev)
{
	return adev->engine;
}

/* After the thread: the queues it still served go with their references. */
static void afd_sw_release_all(struct afd_sw_engine *eng)
{
	LIST_HEAD(leaving);

	spin_lock(&eng->lock);
	list_splice_init(&eng->incoming, &leaving);
	list_splice_init(&eng->queues, &leaving);
	spin_unlock(&eng->lock);
	afd_engine_let_go(eng, &leaving);
}

static void afd_sw_stop(struct afd_device *adev)
{
	struct afd_sw_engines *engines = afd_engines(adev);
	u32 i;

	if (!engines)
		return;
	for (i = engines->count; i-- > 0;) {
		struct afd_sw_engine *eng = &engines->engines[i];

		if (eng->thread)
			kthread_stop(eng->thread);
		afd_sw_release_all(eng);
		afd_ops_scratch_free(eng->scratch);
	}
	kfree(engines);
	adev->engine = NULL;
}

static int afd_sw_start(struct afd_device *adev)
{
	struct afd_sw_engines *engines;
	u32 i;
	int ret;

	engines = kzalloc(struct_size(engines, engines, adev->engine_count),
			  GFP_KERNEL);
	if (!engines)
		return -ENOMEM;
	adev->engine = engines;

	for (i = 0; i < adev->engine_count; i++) {
		struct afd_sw_engine *eng = &engines->engines[i];
		struct task_struct *thread;

		eng->adev = adev;
		spin_lock_init(&eng->lock);
		INIT_LIST_HEAD(&eng->incoming);
		INIT_LIST_HEAD(&eng->queues);
		init_waitqueue_head(&eng->wq);
		init_waitqueue_head(&eng->released_wq);
		eng->scratch = afd_ops_scratch_alloc();
		if (!eng->scratch) {
			ret = -ENOMEM;
			goto err_stop;
		}
		engines->count = i + 1;
		thread = kthread_run(afd_engine_thread, eng, "afd%u-eng%u",
				     adev->index, i);
		if (IS_ERR(thread)) {
			ret = PTR_ERR(thread);
			goto err_stop;
		}
		eng->thread = thread;
	}
	return 0;

err_stop:
	afd_sw_stop(adev);
	return ret;
}

static void afd_engine_wake(struct afd_sw_engine *eng)
{
	/* Orders the caller's stores before the kick the thread sees. */
	smp_mb();
	WRITE_ONCE(eng->kicked, true);
	wake_up(&eng->wq);
}

static int afd_sw_create_queue(struct afd_device *adev, struct afd_queue *q)
{
	struct afd_sw_engines *engines = afd_engines(adev);
	struct afd_sw_engine *eng = &engines->engines[0];
	u32 i;

	for (i = 1; i < engines->count; i++)
		if (READ_ONCE(engines->engines[i].nr_queues) <
		    READ_ONCE(eng->nr_queues))
			eng = &engines->engines[i];

	/* The thread's, until it lets go of the queue. */
	afd_queue_get(q);
	afd_context_get(q->ctx);
	WRITE_ONCE(q->engine_data, eng);
	spin_lock(&eng->lock);
	q->engine_flags = 0;
	/* A sleeping engine must be kicked for this queue's first work. */
	afd_queue_set_need_wakeup(q, eng->sleeping);
	list_add_tail(&q->engine_node, &eng->incoming);
	eng->nr_queues++;
	WRITE_ONCE(eng->changed, true);
	spin_unlock(&eng->lock);
	return 0;
}

static bool afd_sw_released(struct afd_sw_engine *eng, struct afd_queue *q)
{
	bool released;

	spin_lock(&eng->lock);
	released = test_bit(AFD_SWQ_RELEASED, &q->engine_flags);
	spin_unlock(&eng->lock);
	return released;
}

/*
 * May a destroyer of @q, a dead queue it asked the thread to let go of,
 * return before the thread has? Yes while the thread executes a data
 * operation of another queue, in which it may sleep for as long as a fault
 * on slow storage takes: afterwards it looks at @changed and takes nothing
 * more before it lets @q go (its references keep @q alive until then).
 * A reset, which puts the queue back on a list, must wait, unless @q
 * turns dead meanwhile: then it puts nothing back.
 */
static bool afd_sw_let_go_early(struct afd_sw_engine *eng,
				struct afd_queue *q)
{
	struct afd_queue *busy;

	if (afd_sw_released(eng, q))
		return true;
	if (afd_queue_state(q) != AFD_Q_DEAD)
		return false;
	/*
	 * Pairs with the barriers around the thread's data operations; the
	 * acquire orders what the caller reads of @q after the thread's last
	 * writes to it (an eviction reads its indices).
	 */
	smp_mb(); /* after the request flag, before in_op */
	busy = smp_load_acquire(&eng->in_op);
	return busy && busy != q;
}

/*
 * The thread lets go of a queue at its next visit, or at once if it never
 * took it in. It holds its own references meanwhile, so a destroyer that
 * stops waiting (killed, exiting, or not needing to: above) leaves nothing
 * behind.
 */
static int afd_sw_destroy_queue(struct afd_device *adev, struct afd_queue *q,
				bool killable)
{
	struct afd_sw_engine *eng = READ_ONCE(q->engine_data);
	bool released = false, let_go;

	spin_lock(&eng->lock);
	eng->nr_queues--;
	if (!test_bit(AFD_SWQ_TAKEN, &q->engine_flags)) {
		afd_engine_release(eng, q);
		released = true;
	} else {
		__set_bit(AFD_SWQ_LEAVING, &q->engine_flags);
		WRITE_ONCE(eng->changed, true);
	}
	spin_unlock(&eng->lock);

	if (released) {
		afd_engine_put(q);
		return 0;
	}
	afd_engine_wake(eng);
	if (!killable) {
		wait_event(eng->released_wq, afd_sw_let_go_early(eng, q));
		return 0;
	}
	/* An exiting process cannot be killed again: it does not wait. */
	if (current->flags & PF_EXITING)
		let_go = afd_sw_let_go_early(eng, q);
	else
		let_go = !wait_event_killable(eng->released_wq,
					      afd_sw_let_go_early(eng, q));
	if (let_go)
		return 0;
	/* The thread finishes the destroy if it has not let go by now. */
	spin_lock(&eng->lock);
	released = test_bit(AFD_SWQ_RELEASED, &q->engine_flags);
	if (!released)
		__set_bit(AFD_SWQ_ABANDONED, &q->engine_flags);
	spin_unlock(&eng->lock);
	return released ? 0 : -EINTR;
}

static void afd_sw_queue_dead(struct afd_device *adev, struct afd_queue *q)
{
	struct afd_sw_engine *eng = READ_ONCE(q->engine_data);

	/* Its destroyers' condition may hold now (afd_sw_let_go_early()). */
	if (eng && wq_has_sleeper(&eng->released_wq))
		wake_up_all(&eng->released_wq);
}

static void afd_sw_kick(struct afd_device *adev, struct afd_queue *q)
{
	afd_engine_wake(READ_ONCE(q->engine_data));
}

static void afd_sw_stats(struct afd_device *adev, struct afd_engine_stats *stats)
{
	struct afd_sw_engines *engines = afd_engines(adev);
	u32 i;

	memset(stats, 0, sizeof(*stats));
	for (i = 0; i < engines->count; i++) {
		stats->busy_ns += READ_ONCE(engines->engines[i].busy_ns);
		stats->sleeps += READ_ONCE(engines->engines[i].sleeps);
		stats->wakeups += READ_ONCE(engines->engines[i].wakeups);
	}
}

const struct afd_engine_ops afd_sw_engine_ops = {
	.start		= afd_sw_start,
	.stop		= afd_sw_stop,
	.create_queue	= afd_sw_create_queue,
	.destroy_queue	= afd_sw_destroy_queue,
	.queue_dead	= afd_sw_queue_dead,
	.kick		= afd_sw_kick,
	.stats		= afd_sw_stats,
};
