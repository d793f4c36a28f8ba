// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: table-driven ioctl dispatch.
 *
 * As in DRM and KFD, the kernel's own definition of each command decides the
 * argument's size and direction; the caller's command only says how many
 * bytes it has. A shorter argument (older user space) is zero-extended, a
 * longer one (newer user space) is accepted only if the bytes the kernel does
 * not know are zero (-E2BIG otherwise, as copy_struct_from_user() rules for
 * clone3 and openat2). The result is copied out only on success, and never
 * more bytes than the caller has.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "afd_context.h"
#include "afd_drv.h"
#include "afd_engine.h"
#include "afd_ioctl.h"
#include "afd_queue.h"
#include "afd_stream.h"

/**
 * struct afd_ioctl_desc - one entry of the dispatch table
 * @cmd: the kernel's definition of the command
 * @fn: handler; gets a kernel copy of the argument
 * @create: instead of @fn, for a command that creates an object: returns
 *	it with a reference of the caller's, or an ERR_PTR
 * @finish: drops that reference once the result is copied out; with
 *	@undo, when it could not be, first destroys the object, which the
 *	caller would otherwise never learn of
 */
struct afd_ioctl_desc {
	unsigned int cmd;
	int (*fn)(struct afd_context *ctx, void *data);
	void *(*create)(struct afd_context *ctx, void *data);
	void (*finish)(struct afd_context *ctx, void *created, bool undo);
};

#define AFD_IOCTL_DEF(ioctl, func) \
	[_IOC_NR(ioctl)] = { .cmd = ioctl, .fn = func }
#define AFD_IOCTL_DEF_CREATE(ioctl, create_func, finish_func) \
	[_IOC_NR(ioctl)] = { .cmd = ioctl, .create = create_func, \
			     .finish = finish_func }

/* Largest argument the table holds; arguments live on the stack. */
#define AFD_IOCTL_MAX_ARG 128

static int afd_ioctl_get_info(struct afd_context *ctx, void *data)
{
	struct afd_device *adev = ctx->adev;
	struct afd_info *info = data;
	struct afd_limits limits;

	if (info->flags & ~AFD_INFO_FLAGS_ALL)
		return -EINVAL;
	if (info->pad)
		return -EINVAL;

	info->abi_major = AFD_ABI_MAJOR;
	info->abi_minor = AFD_ABI_MINOR;
	info->device_index = adev->index;
	info->engine_count = adev->engine_count;
	info->caps = AFD_CAPS_ALL;
	info->ops_supported = adev->ops_supported;

	limits = afd_device_limits(adev);
	info->max_queues_per_process = limits.max_queues_per_process;
	info->max_queues = limits.max_queues;
	info->min_ring_entries = limits.min_ring_entries;
	info->max_ring_entries = limits.max_ring_entries;
	info->max_transfer = limits.max_transfer;
	info->max_queues_per_user = limits.max_queues_per_user;
	info->max_memory_per_user = limits.max_memory_per_user;
	info->max_streams_per_process = limits.max_streams_per_process;
	info->max_streams = limits.max_streams;

	strscpy(info->name, dev_name(&adev->dev), sizeof(info->name));
	return 0;
}

static void *afd_ioctl_create_queue(struct afd_context *ctx, void *data)
{
	return afd_queue_create(ctx, data);
}

static void afd_ioctl_create_queue_finish(struct afd_context *ctx,
					  void *created, bool undo)
{
	struct afd_queue *q = created;

	if (undo)
		afd_context_undo_create_queue(ctx, q);
	afd_queue_put(q);
}

static int afd_ioctl_destroy_queue(struct afd_context *ctx, void *data)
{
	struct afd_queue_destroy *args = data;

	if (args->flags)
		return -EINVAL;
	return afd_context_destroy_queue(ctx, args->queue_id);
}

/* The new stream's queue keeps the reference taken here until finish. */
static void *afd_ioctl_create_stream(struct afd_context *ctx, void *data)
{
	struct afd_stream_create *args = data;
	struct afd_stream *stream;
	struct afd_queue *q;

	q = afd_context_get_queue(ctx, args->queue_id);
	if (IS_ERR(q))
		return q;
	stream = afd_stream_create(q, args);
	if (IS_ERR(stream))
		afd_queue_put(q);
	return stream;
}

static void afd_ioctl_create_stream_finish(struct afd_context *ctx,
					   void *created, bool undo)
{
	struct afd_stream *stream = created;
	struct afd_queue *q = stream->queue;

	if (undo)
		afd_stream_undo_create(q, stream);
	/* The stream's release reaches its queue: that goes last. */
	afd_stream_put(stream);
	afd_queue_put(q);
}

static int afd_ioctl_destroy_stream(struct afd_context *ctx, void *data)
{
	const struct afd_stream_destroy *args = data;
	struct afd_queue *q;
	int ret;

	if (args->flags || args->pad)
		return -EINVAL;
	q = afd_context_get_queue(ctx, args->queue_id);
	if (IS_ERR(q))
		return PTR_ERR(q);
	ret = afd_stream_destroy(q, args->stream_id);
	afd_queue_put(q);
	return ret;
}

static int afd_ioctl_query_queue(struct afd_context *ctx, void *data)
{
	struct afd_queue_query *args = data;
	struct afd_queue *q;

	if (args->flags)
		return -EINVAL;
	q = afd_context_get_queue(ctx, args->queue_id);
	if (IS_ERR(q))
		return PTR_ERR(q);

	args->state = afd_queue_uapi_state(q);
	args->priority = READ_ONCE(q->priority);
	args->sq_entries = q->sq_entries;
	args->cq_entries = q->cq_entries;
	args->submitted = READ_ONCE(q->stats.submitted);
	args->completed = READ_ONCE(q->stats.completed);
	args->errors = READ_ONCE(q->stats.errors);
	args->bytes = READ_ONCE(q->stats.bytes);
	afd_queue_put(q);
	return 0;
}

/* The index a WAIT watches, and whether it has moved or the queue stopped. */
static u32 afd_wait_index(struct afd_queue *q, const struct afd_wait *args)
{
	return args->flags & AFD_WAIT_F_SQ_SPACE ? READ_ONCE(q->sq_head) :
						   READ_ONCE(q->cq_tail);
}

static bool afd_wait_done(struct afd_queue *q, const struct afd_wait *args)
{
	/* A suspended queue still completes descriptors (cancelled). */
	return afd_wait_index(q, args) != args->head ||
	       !afd_queue_accepts_work(q) ||
	       afd_device_removing(q->adev);
}

static int afd_ioctl_wait(struct afd_context *ctx, void *data)
{
	struct afd_device *adev = ctx->adev;
	struct afd_wait *args = data;
	struct afd_queue *q;
	ktime_t left;
	int ret = 0;

	if (args->flags & ~AFD_WAIT_FLAGS_ALL)
		return -EINVAL;
	if (args->pad || args->deadline_ns < 0 || args->index || args->pad2)
		return -EINVAL;
	q = afd_context_get_queue(ctx, args->queue_id);
	if (IS_ERR(q))
		return PTR_ERR(q);

	afd_queue_kick_if_stalled(q);

	if (!afd_wait_done(q, args)) {
		left = ns_to_ktime(args->deadline_ns - ktime_get_ns());
		if (!args->deadline_ns || left <= 0)
			ret = -ETIME;
		else
			ret = wait_event_interruptible_hrtimeout(ctx->wq,
								 afd_wait_done(q, args),
								 left);
	}
	if (!ret) {
		if (afd_device_removing(adev))
			ret = -ENODEV;
		else if (afd_queue_state(q) == AFD_Q_ERROR)
			ret = -EIO;
		else if (afd_queue_state(q) == AFD_Q_DEAD)
			ret = READ_ONCE(q->evicted) ? -ECANCELED : -ENOENT;
		args->index = afd_wait_index(q, args);
	}
	afd_queue_put(q);
	return ret;
}

static int afd_ioctl_submit(struct afd_context *ctx, void *data)
{
	struct afd_submit *args = data;
	struct afd_desc *descs;
	struct afd_queue *q;
	int ret;

	if (args->flags || args->submitted)
		return -EINVAL;
	q = afd_context_get_queue(ctx, args->queue_id);
	if (IS_ERR(q))
		return PTR_ERR(q);
	if (!args->count || args->count > q->sq_entries) {
		ret = -EINVAL;
		goto out_put;
	}

	descs = kvmalloc_array(args->count, sizeof(*descs), GFP_KERNEL);
	if (!descs) {
		ret = -ENOMEM;
		goto out_put;
	}
	if (copy_from_user(descs, u64_to_user_ptr(args->descs),
			   array_size(args->count, sizeof(*descs)))) {
		ret = -EFAULT;
		goto out_free;
	}

	ret = afd_queue_submit(q, descs, args->count);
	if (ret >= 0) {
		args->submitted = ret;
		afd_queue_kick(q);
		ret = 0;
	}
out_free:
	kvfree(descs);
out_put:
	afd_queue_put(q);
	return ret;
}

static int afd_ioctl_kick(struct afd_context *ctx, void *data)
{
	struct afd_kick *args = data;
	struct afd_queue *q;

	if (args->flags)
		return -EINVAL;
	q = afd_context_get_queue(ctx, args->queue_id);
	if (IS_ERR(q))
		return PTR_ERR(q);
	afd_queue_kick(q);
	afd_queue_put(q);
	return 0;
}

static int afd_ioctl_queue_admin(struct afd_context *ctx, void *data)
{
	struct afd_queue_admin *args = data;
	struct afd_context *owner;
	struct afd_queue *q;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (args->flags)
		return -EINVAL;
	if (args->op < AFD_QUEUE_ADMIN_SUSPEND ||
	    args->op > AFD_QUEUE_ADMIN_SET_PRIORITY)
		return -EINVAL;
	if (args->op == AFD_QUEUE_ADMIN_SET_PRIORITY ?
	    args->priority > AFD_QUEUE_PRIORITY_MAX : args->priority)
		return -EINVAL;

	q = afd_device_get_queue(ctx->adev, args->queue_id);
	if (!q)
		return -ENOENT;
	/* Read before the put: ours may be the queue's last reference. */
	owner = q->ctx;
	ret = afd_queue_admin(q, args);
	afd_queue_put(q);
	afd_context_put(owner);
	return ret;
}

static const struct afd_ioctl_desc afd_ioctls[] = {
	AFD_IOCTL_DEF(AFD_IOC_GET_INFO, afd_ioctl_get_info),
	AFD_IOCTL_DEF_CREATE(AFD_IOC_CREATE_QUEUE, afd_ioctl_create_queue,
			     afd_ioctl_create_queue_finish),
	AFD_IOCTL_DEF(AFD_IOC_DESTROY_QUEUE, afd_ioctl_destroy_queue),
	AFD_IOCTL_DEF(AFD_IOC_QUERY_QUEUE, afd_ioctl_query_queue),
	AFD_IOCTL_DEF(AFD_IOC_WAIT, afd_ioctl_wait),
	AFD_IOCTL_DEF(AFD_IOC_SUBMIT, afd_ioctl_submit),
	AFD_IOCTL_DEF(AFD_IOC_KICK, afd_ioctl_kick),
	AFD_IOCTL_DEF(AFD_IOC_QUEUE_ADMIN, afd_ioctl_queue_admin),
	AFD_IOCTL_DEF_CREATE(AFD_IOC_CREATE_STREAM, afd_ioctl_create_stream,
			     afd_ioctl_create_stream_finish),
	AFD_IOCTL_DEF(AFD_IOC_DESTROY_STREAM, afd_ioctl_destroy_stream),
};

/* Copies the argument in, runs the handler, copies the result out. */
static long afd_ioctl_dispatch(struct afd_context *ctx,
			       const struct afd_ioctl_desc *desc,
			       unsigned int cmd, void __user *uarg)
{
	char kdata[AFD_IOCTL_MAX_ARG] __aligned(8);
	size_t usize = _IOC_SIZE(cmd);
	size_t ksize = _IOC_SIZE(desc->cmd);
	void *created = NULL;
	bool copied;
	int ret;

	if (WARN_ON_ONCE(ksize > sizeof(kdata)))
		return -EINVAL;

	if (_IOC_DIR(cmd) & _IOC_DIR(desc->cmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(kdata, ksize, uarg, usize);
		if (ret)
			return ret;
	} else {
		memset(kdata, 0, ksize);
	}

	if (desc->create) {
		created = desc->create(ctx, kdata);
		if (IS_ERR(created))
			return PTR_ERR(created);
	} else {
		ret = desc->fn(ctx, kdata);
		if (ret)
			return ret;
	}

	copied = !(_IOC_DIR(cmd) & _IOC_DIR(desc->cmd) & _IOC_READ) ||
		 !copy_to_user(uarg, kdata, min(usize, ksize));
	if (created)
		desc->finish(ctx, created, !copied);
	return copied ? 0 : -EFAULT;
}

/**
 * afd_ioctl() - the unlocked_ioctl of /dev/accelN
 * @file: an open accelfd file
 * @cmd: the caller's command
 * @arg: user pointer to the argument
 *
 * Return: the handler's result; -ENOTTY for a command the table lacks,
 * -EBADF when called from a process other than the opener, -ENODEV once
 * the device is removed, -EFAULT or -E2BIG when the argument cannot be
 * copied.
 */
long afd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct afd_context *ctx = file->private_data;
	const struct afd_ioctl_desc *desc;
	unsigned int nr = _IOC_NR(cmd);
	long ret;
	int idx;

	if (_IOC_TYPE(cmd) != AFD_IOCTL_BASE || nr >= ARRAY_SIZE(afd_ioctls))
		return -ENOTTY;
	desc = &afd_ioctls[array_index_nospec(nr, ARRAY_SIZE(afd_ioctls))];
	if (!desc->cmd)
		return -ENOTTY;

	if (!afd_context_is_owner(ctx))
		return -EBADF;
	idx = afd_device_enter(ctx->adev);
	if (idx < 0)
		return idx;
	ret = afd_ioctl_dispatch(ctx, desc, cmd, (void __user *)arg);
	afd_device_exit(ctx->adev, idx);
	return ret;
}
