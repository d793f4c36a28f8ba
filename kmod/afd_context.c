// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: per-process contexts.
 *
 * A context binds an open file to the process that opened it, as KFD binds
 * /dev/kfd to its opener: queues, mappings and doorbells of the context act
 * inside that process only, so a file handed to another process (fork,
 * SCM_RIGHTS) must not be usable there.
 */
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "afd_context.h"
#include "afd_drv.h"
#include "afd_queue.h"
#include "afd_sysfs.h"

static int afd_user_enter(struct afd_context *ctx)
{
	/* The process is exiting: its file will be released soon. */
	if (!mmget_not_zero(ctx->mm))
		return -ESRCH;
	atomic_inc(&ctx->adopted);
	kthread_use_mm(ctx->mm);
	return 0;
}

static void afd_user_leave(struct afd_context *ctx)
{
	kthread_unuse_mm(ctx->mm);
	atomic_dec(&ctx->adopted);
	/* If it is the last, the process's exit_mmap() is not the engine's. */
	mmput_async(ctx->mm);
}

static size_t afd_user_read(struct afd_context *ctx, void *dst, u64 addr,
			    size_t len)
{
	return copy_from_user(dst, u64_to_user_ptr(addr), len);
}

static size_t afd_user_write(struct afd_context *ctx, u64 addr,
			     const void *src, size_t len)
{
	return copy_to_user(u64_to_user_ptr(addr), src, len);
}

/* Short-term pins, a chunk at a time: the process's own memory. */
static int afd_user_pin(struct afd_context *ctx, u64 addr,
			unsigned int nr_pages, bool write, struct page **pages)
{
	return pin_user_pages_fast(addr & PAGE_MASK, nr_pages,
				   write ? FOLL_WRITE : 0, pages);
}

static void afd_user_unpin(struct afd_context *ctx, struct page **pages,
			   unsigned int nr, bool written)
{
	unpin_user_pages_dirty_lock(pages, nr, written);
}

/*
 * The char device's contexts: descriptors carry the opener's virtual
 * addresses, and the engine works inside its address space (kthread_use_mm),
 * as with shared virtual addressing.
 */
const struct afd_context_ops afd_user_context_ops = {
	.enter	= afd_user_enter,
	.leave	= afd_user_leave,
	.read	= afd_user_read,
	.write	= afd_user_write,
	.pin	= afd_user_pin,
	.unpin	= afd_user_unpin,
};

/**
 * afd_context_create() - bind a new context to the calling process
 * @adev: device being opened
 * @mapping: the address space of the file being opened, whose mappings are
 *	revoked if the device goes; NULL if the front end revokes its own
 * @ops: how the engine reaches the context's buffers
 * @frontend_data: the front end's data for @ops
 *
 * Return: the context, or ERR_PTR(-ENODEV) if the device is going away,
 * ERR_PTR(-EPERM) for a caller without an address space (a kernel
 * thread), ERR_PTR(-ENOMEM) if memory is short, or the error of
 * creating its sysfs directory.
 */
struct afd_context *afd_context_create(struct afd_device *adev,
				       struct address_space *mapping,
				       const struct afd_context_ops *ops,
				       void *frontend_data)
{
	struct afd_context *ctx;
	int ret;

	if (!current->mm)
		return ERR_PTR(-EPERM);

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);

	kref_init(&ctx->ref);
	ctx->adev = adev;
	ctx->ops = ops;
	ctx->frontend_data = frontend_data;
	ctx->mapping = mapping;
	ctx->owner = get_task_pid(current, PIDTYPE_TGID);
	ctx->mm = current->mm;
	mmgrab(ctx->mm);
	get_task_comm(ctx->comm, current);
	init_waitqueue_head(&ctx->wq);
	mutex_init(&ctx->lock);
	xa_init(&ctx->queues);
	get_device(&adev->dev);

	ret = ida_alloc(&adev->context_ids, GFP_KERNEL);
	if (ret < 0)
		goto err_put;
	ctx->id = ret;

	mutex_lock(&adev->lock);
	if (adev->state != AFD_DEV_ENABLED) {
		ret = -ENODEV;
		goto err_unlock;
	}
	/* Under the lock: removal drops the sysfs parent once REMOVING. */
	ret = afd_sysfs_add_context(ctx);
	if (ret)
		goto err_unlock;
	list_add_tail(&ctx->node, &adev->contexts);
	mutex_unlock(&adev->lock);
	return ctx;

err_unlock:
	mutex_unlock(&adev->lock);
	ida_free(&adev->context_ids, ctx->id);
err_put:
	put_device(&adev->dev);
	mmdrop(ctx->mm);
	put_pid(ctx->owner);
	kfree(ctx);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(afd_context_create);

static void afd_context_release(struct kref *ref)
{
	struct afd_context *ctx = container_of(ref, struct afd_context, ref);
	struct afd_device *adev = ctx->adev;

	ida_free(&adev->context_ids, ctx->id);
	mmdrop(ctx->mm);
	put_pid(ctx->owner);
	kfree(ctx);
	put_device(&adev->dev);
}

void afd_context_get(struct afd_context *ctx)
{
	kref_get(&ctx->ref);
}

void afd_context_put(struct afd_context *ctx)
{
	kref_put(&ctx->ref, afd_context_release);
}

/**
 * afd_context_drop_tombstone() - forget an evicted queue, freeing its id
 * @ctx: the context, locked
 * @id: the id of a tombstone in @ctx->queues
 */
void afd_context_drop_tombstone(struct afd_context *ctx, u32 id)
{
	lockdep_assert_held(&ctx->lock);
	xa_erase(&ctx->queues, id);
	ida_free(&ctx->adev->queue_ids, id);
}

/* Destroys every queue of @ctx, one at a time, each outside ctx->lock. */
static void afd_context_destroy_queues(struct afd_context *ctx)
{
	struct afd_queue *q;
	unsigned long id;
	void *entry;

	for (;;) {
		id = 0;
		q = NULL;
		mutex_lock(&ctx->lock);
		entry = xa_find(&ctx->queues, &id, ULONG_MAX, XA_PRESENT);
		if (xa_is_value(entry)) {
			afd_context_drop_tombstone(ctx, id);
		} else if (entry) {
			q = entry;
			afd_queue_unlink(q);
		}
		mutex_unlock(&ctx->lock);
		if (!entry)
			break;
		if (q)
			afd_queue_shutdown(q);
	}
}

/**
 * afd_context_close() - release everything a context owns
 * @ctx: context of a file being released
 */
void afd_context_close(struct afd_context *ctx)
{
	struct afd_device *adev = ctx->adev;

	afd_context_destroy_queues(ctx);
	xa_destroy(&ctx->queues);

	mutex_lock(&adev->lock);
	list_del(&ctx->node);
	mutex_unlock(&adev->lock);
	afd_sysfs_remove_context(ctx);
	afd_context_put(ctx);
}
EXPORT_SYMBOL_GPL(afd_context_close);

/**
 * afd_context_revoke_all() - take a removed device away from its users
 * @adev: a device in AFD_DEV_REMOVING with no file operation in flight
 *
 * Every mapping of every open file is zapped (a later access raises
 * SIGBUS) and every queue destroyed; the files stay open, and each call on
 * them fails with -ENODEV until they are closed.
 */
void afd_context_revoke_all(struct afd_device *adev)
{
	struct afd_context *ctx;
	bool found;

	do {
		found = false;
		mutex_lock(&adev->lock);
		list_for_each_entry(ctx, &adev->contexts, node) {
			if (!ctx->revoked) {
				ctx->revoked = true;
				kref_get(&ctx->ref);
				found = true;
				break;
			}
		}
		mutex_unlock(&adev->lock);
		if (found) {
			if (ctx->mapping)
				unmap_mapping_range(ctx->mapping, 0, 0, 1);
			afd_context_destroy_queues(ctx);
			wake_up_all(&ctx->wq);
			afd_context_put(ctx);
		}
	} while (found);
}

/*
 * Unlists and shuts down the queue listed under @id, or forgets the
 * tombstone of one an administrator evicted; with @only, just that queue,
 * if it is still the one listed.
 */
static int afd_context_remove_queue(struct afd_context *ctx, u32 id,
				    const struct afd_queue *only)
{
	struct afd_queue *q = NULL;
	void *entry;
	int ret = 0;

	mutex_lock(&ctx->lock);
	entry = xa_load(&ctx->queues, id);
	if (only && entry != only) {
		ret = -ENOENT;
	} else if (xa_is_value(entry)) {
		afd_context_drop_tombstone(ctx, id);
	} else if (entry) {
		q = entry;
		afd_queue_unlink(q);
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&ctx->lock);
	if (q)
		afd_queue_shutdown(q);
	return ret;
}

/**
 * afd_context_destroy_queue() - destroy a queue of a context, or forget a
 *	queue an administrator evicted
 * @ctx: the context
 * @id: the queue's id
 *
 * Return: 0, or -ENOENT if the context holds no such queue.
 */
int afd_context_destroy_queue(struct afd_context *ctx, u32 id)
{
	return afd_context_remove_queue(ctx, id, NULL);
}
EXPORT_SYMBOL_GPL(afd_context_destroy_queue);

/**
 * afd_context_undo_create_queue() - destroy a new queue whose creator
 *	never learned its id
 * @ctx: the context
 * @q: the queue, from afd_queue_create(); the caller still holds its
 *	reference
 *
 * By pointer, not by id: another thread may have destroyed @q and been
 * given its id for a queue of its own meanwhile. A queue an administrator
 * evicted meanwhile leaves its tombstone until the file closes.
 */
void afd_context_undo_create_queue(struct afd_context *ctx,
				   struct afd_queue *q)
{
	afd_context_remove_queue(ctx, q->id, q);
}

/**
 * afd_context_is_owner() - may the calling thread use this context?
 * @ctx: context of the file being used
 *
 * Threads of the opening process may; a forked child, a process that
 * received the file over a socket, or the opener after execve() may not.
 */
bool afd_context_is_owner(const struct afd_context *ctx)
{
	/* The address space too: a file kept across execve() is not usable. */
	return task_tgid(current) == ctx->owner && current->mm == ctx->mm;
}

/**
 * afd_context_get_queue() - look up a queue of this context
 * @ctx: the context
 * @id: queue id from user space
 *
 * Return: the queue with a reference the caller must put;
 * ERR_PTR(-ECANCELED) for a queue an administrator evicted,
 * ERR_PTR(-ENOENT) for an id the context does not hold.
 */
struct afd_queue *afd_context_get_queue(struct afd_context *ctx, u32 id)
{
	struct afd_queue *q;

	mutex_lock(&ctx->lock);
	q = xa_load(&ctx->queues, id);
	if (xa_is_value(q))
		q = ERR_PTR(-ECANCELED);
	else if (q)
		afd_queue_get(q);
	else
		q = ERR_PTR(-ENOENT);
	mutex_unlock(&ctx->lock);
	return q;
}
EXPORT_SYMBOL_GPL(afd_context_get_queue);

/**
 * afd_context_notify() - wake WAIT and poll() after new completions
 * @ctx: the context
 */
void afd_context_notify(struct afd_context *ctx)
{
	/* The barrier in wq_has_sleeper() orders the CQ tail store first. */
	if (wq_has_sleeper(&ctx->wq))
		wake_up_all(&ctx->wq);
	if (ctx->ops->notify)
		ctx->ops->notify(ctx);
}
