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
 * When a whole pass finds nothing to do, the thread keeps polling for
 * engine_idle_us, then sets AFD_SQ_F_NEED_WAKEUP on its queues, issues a
 * full barrier, looks once more and only then sleeps until AFD_IOC_KICK.
 * An idle engine uses no CPU.
 */
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "afd_context.h"
#include "afd_drv.h"
#include "afd_engine.h"
#include "afd_ops.h"
#include "afd_queue.h"

unsigned int afd_engine_idle_us = 200;
module_param_named(engine_idle_us, afd_engine_idle_us, uint, 0644);
MODULE_PARM_DESC(engine_idle_us,
		 "Microseconds an engine polls for work before it sleeps (default 200)");

/* Descriptors a priority-0 queue may run per visit. */
#define AFD_ENGINE_BATCH 4

/**
 * struct afd_sw_engine - one engine thread
 * @adev: its device
 * @thread: the kernel thread
 * @bounce: two AFD_OPS_CHUNK buffers for afd_desc_execute()
 * @lock: protects @queues, @nr_queues, @current_queue and @sleeping
 * @queues: queues served (&struct afd_queue.engine_node), in visit order
 * @nr_queues: length of @queues
 * @current_queue: the queue being served; the thread holds a reference on
 *	it and on its context meanwhile
 * @sleeping: NEED_WAKEUP is set on every queue of @queues
 * @kicked: a kick arrived since the thread last prepared to sleep
 * @wq: the thread sleeps here
 * @idle_wq: destroy_queue waits here for the thread to let go of a queue
 * @busy_ns: time spent executing descriptors
 * @sleeps: times the thread slept
 * @wakeups: times a kick woke it
 */
struct afd_sw_engine {
	struct afd_device *adev;
	struct task_struct *thread;
	void *bounce;

	spinlock_t lock; /* Protects queues, nr_queues, current_queue, sleeping */
	struct list_head queues;
	u32 nr_queues;
	struct afd_queue *current_queue;
	bool sleeping;

	bool kicked;
	wait_queue_head_t wq;
	wait_queue_head_t idle_wq;
	atomic64_t busy_ns;
	atomic64_t sleeps;
	atomic64_t wakeups;
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

/* Serve up to one visit's budget of @q; returns descriptors executed. */
static u32 afd_engine_serve(struct afd_sw_engine *eng, struct afd_queue *q)
{
	u32 budget = (READ_ONCE(q->priority) + 1) * AFD_ENGINE_BATCH;
	u64 max_transfer = READ_ONCE(eng->adev->limits.max_transfer);
	struct afd_context *ctx = q->ctx;
	struct afd_completion comp;
	struct afd_desc desc;
	u32 done = 0;
	u64 start;
	int ret;

	/* The buffers are gone (the process is exiting): so is the queue. */
	if (ctx->ops->enter(ctx)) {
		afd_queue_set_dead(q);
		return 0;
	}
	start = ktime_get_ns();

	/* Destroy marks the queue dead first: take nothing more from it. */
	while (done < budget && afd_queue_accepts_work(q)) {
		ret = afd_queue_cq_space(q);
		if (ret < 0) {
			afd_queue_fail(q, "CQ head out of range");
			break;
		}
		if (!ret)
			break;
		ret = afd_queue_take(q, &desc);
		if (ret < 0) {
			afd_queue_fail(q, "doorbell beyond the SQ's capacity");
			break;
		}
		if (!ret)
			break;
		done++;
		/* Cancelled, not held: nobody waits for an operator's resume. */
		if (afd_queue_state(q) == AFD_Q_SUSPENDED ||
		    afd_device_disabled(q->adev)) {
			afd_queue_post_cancelled(q, &desc);
			continue;
		}
		afd_desc_execute(ctx, &desc, max_transfer, eng->bounce, &comp);
		afd_queue_post(q, &comp);
	}

	atomic64_add(ktime_get_ns() - start, &eng->busy_ns);
	ctx->ops->leave(ctx);
	if (done)
		afd_context_notify(ctx);
	return done;
}

/* Visit every queue once; returns true if any work was done. */
static bool afd_engine_pass(struct afd_sw_engine *eng)
{
	bool did_work = false;
	struct afd_context *ctx;
	struct afd_queue *q;
	u32 i, n;

	spin_lock(&eng->lock);
	n = eng->nr_queues;
	spin_unlock(&eng->lock);

	for (i = 0; i < n; i++) {
		spin_lock(&eng->lock);
		q = list_first_entry_or_null(&eng->queues, struct afd_queue,
					     engine_node);
		if (q) {
			list_rotate_left(&eng->queues);
			eng->current_queue = q;
			/*
			 * A killed destroyer may stop waiting for us (a fault
			 * on slow storage): what we use stays alive until put.
			 */
			afd_queue_get(q);
			afd_context_get(q->ctx);
		}
		spin_unlock(&eng->lock);
		if (!q)
			break;

		if (afd_queue_has_work(q) && afd_engine_serve(eng, q))
			did_work = true;

		spin_lock(&eng->lock);
		eng->current_queue = NULL;
		spin_unlock(&eng->lock);
		if (wq_has_sleeper(&eng->idle_wq))
			wake_up_all(&eng->idle_wq);
		ctx = q->ctx;
		afd_queue_put(q);
		afd_context_put(ctx);
	}
	return did_work;
}

static void afd_engine_set_need_wakeup(struct afd_sw_engine *eng, bool need)
{
	struct afd_queue *q;

	lockdep_assert_held(&eng->lock);
	eng->sleeping = need;
	list_for_each_entry(q, &eng->queues, engine_node)
		afd_queue_set_need_wakeup(q, need);
}

static void afd_engine_sleep(struct afd_sw_engine *eng)
{
	bool work = false;
	struct afd_queue *q;

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

	spin_lock(&eng->lock);
	list_for_each_entry(q, &eng->queues, engine_node)
		work = work || afd_queue_has_work(q);
	spin_unlock(&eng->lock);

	if (!work) {
		atomic64_inc(&eng->sleeps);
		wait_event_idle(eng->wq,
				READ_ONCE(eng->kicked) || kthread_should_stop());
		if (READ_ONCE(eng->kicked))
			atomic64_inc(&eng->wakeups);
	}

	spin_lock(&eng->lock);
	afd_engine_set_need_wakeup(eng, false);
	spin_unlock(&eng->lock);
}

static int afd_engine_thread(void *data)
{
	struct afd_sw_engine *eng = data;
	u64 last_work = ktime_get_ns();

	while (!kthread_should_stop()) {
		if (afd_engine_pass(eng)) {
			last_work = ktime_get_ns();
			/*
			 * A queue kept full for ever (NOPs, cancelled work, an
			 * mdev's) reaches no other scheduling point.
			 */
			cond_resched();
			continue;
		}
		if (ktime_get_ns() - last_work <
		    (u64)READ_ONCE(afd_engine_idle_us) * NSEC_PER_USEC) {
			cond_resched();
			cpu_relax();
			continue;
		}
		afd_engine_sleep(eng);
		last_work = ktime_get_ns();
	}
	return 0;
}

static struct afd_sw_engines *afd_engines(struct afd_device *adev)
{
	return adev->engine;
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
		kvfree(eng->bounce);
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
		INIT_LIST_HEAD(&eng->queues);
		init_waitqueue_head(&eng->wq);
		init_waitqueue_head(&eng->idle_wq);
		eng->bounce = kvmalloc(2 * AFD_OPS_CHUNK, GFP_KERNEL);
		if (!eng->bounce) {
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

static int afd_sw_create_queue(struct afd_device *adev, struct afd_queue *q)
{
	struct afd_sw_engines *engines = afd_engines(adev);
	struct afd_sw_engine *eng = &engines->engines[0];
	u32 i;

	for (i = 1; i < engines->count; i++)
		if (READ_ONCE(engines->engines[i].nr_queues) <
		    READ_ONCE(eng->nr_queues))
			eng = &engines->engines[i];

	q->engine_data = eng;
	spin_lock(&eng->lock);
	/* A sleeping engine must be kicked for this queue's first work. */
	afd_queue_set_need_wakeup(q, eng->sleeping);
	list_add_tail(&q->engine_node, &eng->queues);
	eng->nr_queues++;
	spin_unlock(&eng->lock);
	return 0;
}

static int afd_sw_destroy_queue(struct afd_device *adev, struct afd_queue *q,
				bool killable)
{
	struct afd_sw_engine *eng = q->engine_data;

	spin_lock(&eng->lock);
	list_del_init(&q->engine_node);
	eng->nr_queues--;
	spin_unlock(&eng->lock);

	if (killable) {
		/* An exiting process cannot be killed again: it does not wait. */
		if (current->flags & PF_EXITING)
			return READ_ONCE(eng->current_queue) == q ? -EINTR : 0;
		/* Pairs with the engine's wake-up after clearing current_queue. */
		return wait_event_killable(eng->idle_wq,
					   READ_ONCE(eng->current_queue) != q);
	}
	wait_event(eng->idle_wq, READ_ONCE(eng->current_queue) != q);
	return 0;
}

static void afd_sw_kick(struct afd_device *adev, struct afd_queue *q)
{
	struct afd_sw_engine *eng = q->engine_data;

	/* Orders the caller's ring stores before the kick the engine sees. */
	smp_mb();
	WRITE_ONCE(eng->kicked, true);
	wake_up(&eng->wq);
}

static void afd_sw_stats(struct afd_device *adev, struct afd_engine_stats *stats)
{
	struct afd_sw_engines *engines = afd_engines(adev);
	u32 i;

	memset(stats, 0, sizeof(*stats));
	for (i = 0; i < engines->count; i++) {
		stats->busy_ns += atomic64_read(&engines->engines[i].busy_ns);
		stats->sleeps += atomic64_read(&engines->engines[i].sleeps);
		stats->wakeups += atomic64_read(&engines->engines[i].wakeups);
	}
}

const struct afd_engine_ops afd_sw_engine_ops = {
	.start		= afd_sw_start,
	.stop		= afd_sw_stop,
	.create_queue	= afd_sw_create_queue,
	.destroy_queue	= afd_sw_destroy_queue,
	.kick		= afd_sw_kick,
	.stats		= afd_sw_stats,
};
