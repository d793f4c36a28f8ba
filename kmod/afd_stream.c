// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: streams, DEFLATE and INFLATE state kept between descriptors.
 *
 * A stream belongs to one queue, so one engine thread at a time uses it,
 * in the order of the queue's descriptors. Its workspace is kernel memory
 * a process can ask for at will (270 KiB for DEFLATE), so each stream
 * counts against the process's and the device's stream limits until it is
 * freed, and its pages against the user's max_memory_per_user and memory
 * cgroup, as a queue's rings do.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "afd_context.h"
#include "afd_drv.h"
#include "afd_queue.h"
#include "afd_stream.h"
#include "afd_user.h"

/* Streams the process owning @ctx holds on its device, over all its files. */
static u32 afd_process_stream_count(struct afd_context *ctx)
{
	struct afd_context *other;
	u32 count = 0;

	lockdep_assert_held(&ctx->adev->lock);
	list_for_each_entry(other, &ctx->adev->contexts, node)
		if (other->owner == ctx->owner)
			count += atomic_read(&other->stream_count);
	return count;
}

/* Counts a new stream against the process's and the device's limits. */
static int afd_stream_reserve(struct afd_context *ctx)
{
	struct afd_device *adev = ctx->adev;
	int ret = 0;

	mutex_lock(&adev->lock);
	if (afd_process_stream_count(ctx) >=
	    adev->limits.max_streams_per_process ||
	    atomic_read(&adev->stream_count) >= adev->limits.max_streams) {
		ret = -ENOSPC;
	} else {
		atomic_inc(&adev->stream_count);
		atomic_inc(&ctx->stream_count);
	}
	mutex_unlock(&adev->lock);
	return ret;
}

/*
 * Without the device lock: the engine may free a stream, and the lock's
 * holders may wait for the engine. Counts only fall outside the lock, so
 * the limits hold all the same.
 */
static void afd_stream_unreserve(struct afd_context *ctx)
{
	atomic_dec(&ctx->adev->stream_count);
	atomic_dec(&ctx->stream_count);
}

/* Charges the workspace to the queue's user, as afd_queue_charge() does. */
static int afd_stream_charge(struct afd_queue *q, unsigned long pages)
{
	struct afd_device *adev = q->adev;
	int ret;

	ret = afd_user_charge(adev, q->user->uid, 0, pages, false);
	if (ret == -ENOMEM && capable(CAP_SYS_RESOURCE))
		ret = afd_user_charge(adev, q->user->uid, 0, pages, true);
	return ret;
}

static void afd_stream_release(struct kref *ref)
{
	struct afd_stream *stream = container_of(ref, struct afd_stream, ref);
	struct afd_queue *q = stream->queue;

	afd_zlib_free(&stream->zlib);
	afd_user_release_pages(q->adev, q->user->uid, stream->pages);
	afd_stream_unreserve(q->ctx);
	kfree(stream);
}

/**
 * afd_stream_put() - drop a reference on a stream
 * @stream: the stream; freed with the last reference
 */
void afd_stream_put(struct afd_stream *stream)
{
	kref_put(&stream->ref, afd_stream_release);
}
EXPORT_SYMBOL_GPL(afd_stream_put);

/**
 * afd_stream_get() - the stream a descriptor names
 * @q: the descriptor's queue
 * @id: the stream's id
 *
 * Return: the stream with a reference the caller drops with
 * afd_stream_put(), or NULL if @q has no such stream.
 */
struct afd_stream *afd_stream_get(struct afd_queue *q, u32 id)
{
	struct afd_stream *stream;

	xa_lock(&q->streams);
	stream = xa_load(&q->streams, id);
	if (stream)
		kref_get(&stream->ref);
	xa_unlock(&q->streams);
	return stream;
}

/**
 * afd_stream_create() - create a stream on a queue
 * @q: a queue of the caller's context
 * @args: AFD_IOC_CREATE_STREAM's argument, validated here; @args->stream_id
 *	gets the new stream's id
 *
 * Return: the stream, with a reference for the caller to drop with
 * afd_stream_put() while it still holds @q; ERR_PTR(-EINVAL) for a bad
 * field, -ENOENT for a queue destroyed meanwhile, -ECANCELED for one an
 * administrator evicted, -EIO for one in error (or whose process is gone),
 * -ENOSPC at a stream limit, -ENOMEM when memory or max_memory_per_user
 * runs out.
 */
struct afd_stream *afd_stream_create(struct afd_queue *q,
				     struct afd_stream_create *args)
{
	struct afd_context *ctx = q->ctx;
	struct afd_stream *stream;
	unsigned long pages;
	void *listed;
	u32 id;
	int ret;

	if (args->flags & ~AFD_STREAM_CREATE_FLAGS_ALL || args->pad ||
	    args->stream_id)
		return ERR_PTR(-EINVAL);
	if (args->op == AFD_OP_DEFLATE) {
		if (args->level < AFD_DEFLATE_LEVEL_MIN ||
		    args->level > AFD_DEFLATE_LEVEL_MAX)
			return ERR_PTR(-EINVAL);
	} else if (args->op != AFD_OP_INFLATE || args->level) {
		return ERR_PTR(-EINVAL);
	}

	ret = afd_stream_reserve(ctx);
	if (ret)
		return ERR_PTR(ret);
	pages = DIV_ROUND_UP(sizeof(*stream) + afd_zlib_workspace_size(args->op),
			     PAGE_SIZE);
	ret = afd_stream_charge(q, pages);
	if (ret)
		goto err_unreserve;
	stream = kzalloc(sizeof(*stream), GFP_KERNEL_ACCOUNT);
	if (!stream) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	kref_init(&stream->ref);
	stream->queue = q;
	stream->pages = pages;
	ret = afd_zlib_init(&stream->zlib, args->op, args->level,
			    GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_free;

	/*
	 * Listed under the context lock, while the context lists the queue:
	 * every destroy takes it out there first, then destroys its streams,
	 * so none comes after.
	 */
	mutex_lock(&ctx->lock);
	listed = xa_load(&ctx->queues, q->id);
	if (listed != q) {
		/* A tombstone: an administrator evicted it. */
		ret = xa_is_value(listed) ? -ECANCELED : -ENOENT;
		goto err_unlock;
	}
	if (!afd_queue_accepts_work(q)) {
		ret = -EIO;
		goto err_unlock;
	}
	/*
	 * Cyclic: a descriptor still naming a destroyed stream must not find
	 * a new one under its id.
	 */
	ret = xa_alloc_cyclic(&q->streams, &id, stream,
			      XA_LIMIT(1, AFD_STREAM_ID_MAX), &q->next_stream_id,
			      GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		/* xa_alloc_cyclic() says -EBUSY when the ids are all taken. */
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_unlock;
	}
	stream->id = id;
	kref_get(&stream->ref);
	mutex_unlock(&ctx->lock);
	args->stream_id = id;
	return stream;

err_unlock:
	mutex_unlock(&ctx->lock);
	afd_zlib_free(&stream->zlib);
err_free:
	kfree(stream);
err_uncharge:
	afd_user_release_pages(q->adev, q->user->uid, pages);
err_unreserve:
	afd_stream_unreserve(ctx);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(afd_stream_create);

/**
 * afd_stream_undo_create() - destroy a new stream whose creator never
 *	learned its id
 * @q: the stream's queue
 * @stream: from afd_stream_create(); the caller still holds its reference
 *
 * By pointer: another thread may have destroyed it meanwhile, and its id
 * may name a stream of that thread's by now.
 */
void afd_stream_undo_create(struct afd_queue *q, struct afd_stream *stream)
{
	void *was = xa_cmpxchg(&q->streams, stream->id, stream, NULL,
			       GFP_KERNEL);

	if (was == stream)
		afd_stream_put(stream);
}

/**
 * afd_stream_destroy() - destroy a stream of a queue
 * @q: the queue
 * @id: the stream's id
 *
 * Does not wait: a descriptor in execution on it finishes, and the
 * stream's memory and its place under the limits go with it; later
 * descriptors find no stream (-ENOENT).
 *
 * Return: 0, or -ENOENT for an id @q does not have.
 */
int afd_stream_destroy(struct afd_queue *q, u32 id)
{
	struct afd_stream *stream = xa_erase(&q->streams, id);

	if (!stream)
		return -ENOENT;
	afd_stream_put(stream);
	return 0;
}
EXPORT_SYMBOL_GPL(afd_stream_destroy);

/**
 * afd_stream_destroy_all() - destroy every stream of a queue
 * @q: a queue being shut down, or an mdev's being reset
 */
void afd_stream_destroy_all(struct afd_queue *q)
{
	struct afd_stream *stream;
	unsigned long id;

	xa_for_each(&q->streams, id, stream)
		afd_stream_destroy(q, id);
}
EXPORT_SYMBOL_GPL(afd_stream_destroy_all);

/**
 * afd_stream_count() - how many streams a queue has
 * @q: the queue
 *
 * Return: the number, which may change at once.
 */
u32 afd_stream_count(struct afd_queue *q)
{
	struct afd_stream *stream;
	unsigned long id;
	u32 count = 0;

	xa_for_each(&q->streams, id, stream)
		count++;
	return count;
}
