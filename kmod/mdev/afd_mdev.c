// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd_mdev: the VFIO-mdev front end, the WarpDrive way.
 *
 * Every accelfd device becomes an mdev parent with one type,
 * "accelfd-queue"; each mdev of it is one queue pair on the same engine the
 * character device uses. Opening the mdev's VFIO device creates a context
 * for the opening process (it appears in sysfs and accelctl as any other);
 * the register region configures and enables its queue, whose rings and
 * doorbell are mapped through VFIO regions with the char device's layout.
 *
 * Memory is the VFIO way: descriptors carry IOVAs that user space mapped
 * with VFIO_IOMMU_MAP_DMA, and the engine reaches them with vfio_dma_rw(),
 * which translates each IOVA through the container and copies from the
 * mapping process's memory. It pins nothing: a pin taken per copy could
 * not honour type1's unmap contract (every pin of an unmapped range must
 * be gone when dma_unmap returns, or type1 BUG()s) without fencing the
 * range against the engine, and charging RLIMIT_MEMLOCK page by page on
 * the fast path would throttle it for nothing.
 *
 * Lock order: m->lock, then what the core takes (context, device, queue
 * locks, and the mmap lock for RLIMIT_MEMLOCK). Nothing takes m->lock
 * under the mmap lock: mmap() finds the queue under @q_lock instead.
 *
 * Completions signal an eventfd (VFIO_DEVICE_SET_IRQS); the CQ can also
 * be polled, as on the char device.
 */
#include <linux/eventfd.h>
#include <linux/kobject.h>
#include <linux/mdev.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/workqueue.h>

#include <linux/accelfd_mdev.h>

#include "afd_compat.h"
#include "afd_context.h"
#include "afd_debugfs.h"
#include "afd_drv.h"
#include "afd_mmap.h"
#include "afd_queue.h"
#include "afd_stream.h"

/* VFIO region offsets: the region index in the high bits, as mtty does. */
#define AFD_MDEV_OFFSET_SHIFT	40
#define AFD_MDEV_OFFSET(index)	((u64)(index) << AFD_MDEV_OFFSET_SHIFT)
#define AFD_MDEV_INDEX(off)	((off) >> AFD_MDEV_OFFSET_SHIFT)
#define AFD_MDEV_OFFSET_MASK	(AFD_MDEV_OFFSET(1) - 1)

#define AFD_MDEV_DEFAULT_SQ_ENTRIES 64

/**
 * struct afd_mdev_parent - an accelfd device as an mdev parent
 * @parent: the mdev core's parent
 * @type: the one type, "accelfd-queue"
 * @types: the array mdev_register_parent() takes
 * @adev: the device
 * @idle: mdevs of this parent without a queue; with the device's queues
 *	they make up what available_instances subtracts
 */
struct afd_mdev_parent {
	struct mdev_parent parent;
	struct mdev_type type;
	struct mdev_type *types[1];
	struct afd_device *adev;
	atomic_t idle;
};

/**
 * struct afd_mdev - one mdev: a VFIO device with at most one queue
 * @vdev: the VFIO device; first, as vfio_alloc_device() wants
 * @parent: its parent
 * @lock: protects @ctx, @config, @stream_config, @removing, and serialises
 *	changes of @q
 * @ctx: the opener's context, while the device file is open
 * @config: the RW registers of the queue
 * @stream_config: the RW registers of streams (op, level, stream_id)
 * @removing: removal has begun: no new queue
 * @q_lock: protects @q for mmap(), which must not take @lock
 * @q: the queue, while enabled; a reference of ours
 * @irq_lock: protects @trigger; the engine signals under it
 * @trigger: eventfds of &enum afd_mdev_irq
 */
struct afd_mdev {
	struct vfio_device vdev;
	struct afd_mdev_parent *parent;

	/* Protects ctx, config, stream_config, removing; changes of q */
	struct mutex lock;
	struct afd_context *ctx;
	struct afd_queue_create config;
	struct afd_stream_create stream_config;
	bool removing;

	spinlock_t q_lock; /* Protects q */
	struct afd_queue *q;

	spinlock_t irq_lock; /* Protects trigger */
	struct eventfd_ctx *trigger[AFD_MDEV_NUM_IRQS];
};

static struct afd_mdev_parent *afd_mdev_parent_of(struct mdev_device *mdev)
{
	return container_of(mdev->type->parent, struct afd_mdev_parent, parent);
}

static struct afd_mdev *to_afd_mdev(struct vfio_device *vdev)
{
	return container_of(vdev, struct afd_mdev, vdev);
}

static void afd_mdev_signal(struct afd_mdev *m, unsigned int irq)
{
	spin_lock(&m->irq_lock);
	if (m->trigger[irq])
		afd_eventfd_signal(m->trigger[irq]);
	spin_unlock(&m->irq_lock);
}

/*
 * The engine's access to descriptor memory. vfio_dma_rw() returns 0 or an
 * error, nothing in between: on an error nothing counts as copied, and
 * the caller narrows the fault down byte by byte.
 */
static size_t afd_mdev_copy(struct afd_mdev *m, u64 iova, void *buf,
			    size_t len, bool write)
{
	if (iova + len < iova) /* wraps */
		return len;
	return vfio_dma_rw(&m->vdev, iova, buf, len, write) ? len : 0;
}

static size_t afd_mdev_read(struct afd_context *ctx, void *dst, u64 addr,
			    size_t len)
{
	return afd_mdev_copy(ctx->frontend_data, addr, dst, len, false);
}

static size_t afd_mdev_write(struct afd_context *ctx, u64 addr,
			     const void *src, size_t len)
{
	return afd_mdev_copy(ctx->frontend_data, addr, (void *)src, len, true);
}

static void afd_mdev_notify(struct afd_context *ctx)
{
	afd_mdev_signal(ctx->frontend_data, AFD_MDEV_IRQ_COMPLETION);
}

static const struct afd_context_ops afd_mdev_context_ops = {
	.read	= afd_mdev_read,
	.write	= afd_mdev_write,
	.notify	= afd_mdev_notify,
};

static void afd_mdev_set_queue(struct afd_mdev *m, struct afd_queue *q)
{
	lockdep_assert_held(&m->lock);
	spin_lock(&m->q_lock);
	m->q = q;
	spin_unlock(&m->q_lock);
}

static int afd_mdev_enable(struct afd_mdev *m)
{
	struct afd_queue_create args = m->config;
	struct afd_queue *q;

	/* The register always holds a priority (the default at first). */
	args.flags |= AFD_QUEUE_CREATE_F_PRIORITY;

	lockdep_assert_held(&m->lock);
	if (m->q)
		return -EBUSY;
	if (m->removing)
		return -ENODEV;
	/* An eviction meanwhile is found as one after enable would be. */
	q = afd_queue_create(m->ctx, &args);
	if (IS_ERR(q))
		return PTR_ERR(q);
	afd_mdev_set_queue(m, q);
	atomic_dec(&m->parent->idle);
	return 0;
}

static void afd_mdev_disable(struct afd_mdev *m)
{
	struct afd_queue *q = m->q;

	lockdep_assert_held(&m->lock);
	afd_mdev_set_queue(m, NULL);
	afd_context_destroy_queue(m->ctx, q->id);
	/* An administrator's eviction may still be shutting it down. */
	afd_queue_wait_shutdown(q);
	afd_queue_put(q);
	atomic_inc(&m->parent->idle);
}

static int afd_mdev_create_stream(struct afd_mdev *m)
{
	struct afd_stream_create args = {
		.queue_id = m->q->id,
		.op = m->stream_config.op,
		.level = m->stream_config.level,
	};
	struct afd_stream *stream;

	stream = afd_stream_create(m->q, &args);
	if (IS_ERR(stream))
		return PTR_ERR(stream);
	m->stream_config.stream_id = args.stream_id;
	afd_stream_put(stream);
	return 0;
}

static int afd_mdev_command(struct afd_mdev *m, u32 command)
{
	lockdep_assert_held(&m->lock);
	if (command == AFD_MDEV_CMD_ENABLE)
		return afd_mdev_enable(m);
	if (command < AFD_MDEV_CMD_DISABLE ||
	    command > AFD_MDEV_CMD_DESTROY_STREAM)
		return -EINVAL;
	if (!m->q)
		return -ENODEV;
	switch (command) {
	case AFD_MDEV_CMD_DISABLE:
		afd_mdev_disable(m);
		return 0;
	case AFD_MDEV_CMD_KICK:
		afd_queue_kick(m->q);
		return 0;
	case AFD_MDEV_CMD_CREATE_STREAM:
		return afd_mdev_create_stream(m);
	default:
		return afd_stream_destroy(m->q, m->stream_config.stream_id);
	}
}

static void afd_mdev_fill_regs(struct afd_mdev *m, struct afd_mdev_regs *regs)
{
	struct afd_device *adev = m->parent->adev;
	struct afd_queue *q = m->q;
	struct afd_limits limits;

	lockdep_assert_held(&m->lock);
	memset(regs, 0, sizeof(*regs));
	regs->abi_major = AFD_ABI_MAJOR;
	regs->abi_minor = AFD_ABI_MINOR;
	regs->device_index = adev->index;
	limits = afd_device_limits(adev);
	regs->min_ring_entries = limits.min_ring_entries;
	regs->max_ring_entries = limits.max_ring_entries;
	regs->max_transfer = limits.max_transfer;
	regs->ops_supported = adev->ops_supported;
	regs->sq_entries = m->config.sq_entries;
	regs->cq_entries = m->config.cq_entries;
	regs->priority = m->config.priority;
	regs->stream_op = m->stream_config.op;
	regs->stream_level = m->stream_config.level;
	regs->stream_id = m->stream_config.stream_id;
	if (!q)
		return;
	/* An administrator may have changed it since. */
	regs->priority = READ_ONCE(q->priority);
	regs->queue_id = q->id;
	regs->state = afd_queue_uapi_state(q);
	regs->sq_entries_offset = AFD_RING_ENTRIES_OFFSET;
	regs->cq_entries_offset = AFD_RING_ENTRIES_OFFSET;
	regs->submitted = READ_ONCE(q->stats.submitted);
	regs->completed = READ_ONCE(q->stats.completed);
	regs->errors = READ_ONCE(q->stats.errors);
	regs->bytes = READ_ONCE(q->stats.bytes);
}

static ssize_t afd_mdev_read_regs(struct vfio_device *vdev, char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct afd_mdev *m = to_afd_mdev(vdev);
	u64 off = *ppos & AFD_MDEV_OFFSET_MASK;
	struct afd_mdev_regs regs;

	if (AFD_MDEV_INDEX(*ppos) != AFD_MDEV_REGION_REGS)
		return -EINVAL;
	if (off >= sizeof(regs) || count > sizeof(regs) - off)
		return -EINVAL;

	mutex_lock(&m->lock);
	afd_mdev_fill_regs(m, &regs);
	mutex_unlock(&m->lock);
	if (copy_to_user(buf, (void *)&regs + off, count))
		return -EFAULT;
	*ppos += count;
	return count;
}

static ssize_t afd_mdev_write_regs(struct vfio_device *vdev,
				   const char __user *buf, size_t count,
				   loff_t *ppos)
{
	struct afd_mdev *m = to_afd_mdev(vdev);
	u64 off = *ppos & AFD_MDEV_OFFSET_MASK;
	u32 value;
	int ret = 0;

	if (AFD_MDEV_INDEX(*ppos) != AFD_MDEV_REGION_REGS)
		return -EINVAL;
	if (count != sizeof(value) || !IS_ALIGNED(off, sizeof(value)))
		return -EINVAL;
	if (copy_from_user(&value, buf, sizeof(value)))
		return -EFAULT;

	mutex_lock(&m->lock);
	switch (off) {
	case offsetof(struct afd_mdev_regs, sq_entries):
		m->config.sq_entries = value;
		break;
	case offsetof(struct afd_mdev_regs, cq_entries):
		m->config.cq_entries = value;
		break;
	case offsetof(struct afd_mdev_regs, priority):
		m->config.priority = value;
		break;
	case offsetof(struct afd_mdev_regs, stream_op):
		m->stream_config.op = value;
		break;
	case offsetof(struct afd_mdev_regs, stream_level):
		m->stream_config.level = value;
		break;
	case offsetof(struct afd_mdev_regs, stream_id):
		m->stream_config.stream_id = value;
		break;
	case offsetof(struct afd_mdev_regs, command):
		ret = afd_mdev_command(m, value);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	mutex_unlock(&m->lock);
	if (ret)
		return ret;
	*ppos += count;
	return count;
}

/* Size of region @index now: the rings exist only while enabled. */
static u64 afd_mdev_region_size(struct afd_mdev *m, u32 index)
{
	lockdep_assert_held(&m->lock);
	switch (index) {
	case AFD_MDEV_REGION_SQ:
		return m->q ? m->q->sq_size : 0;
	case AFD_MDEV_REGION_CQ:
		return m->q ? m->q->cq_size : 0;
	case AFD_MDEV_REGION_DOORBELL:
		return m->q ? PAGE_SIZE : 0;
	default:
		return sizeof(struct afd_mdev_regs);
	}
}

static int afd_mdev_get_region_info(struct afd_mdev *m, void __user *arg)
{
	struct vfio_region_info info;
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= AFD_MDEV_NUM_REGIONS)
		return -EINVAL;

	mutex_lock(&m->lock);
	info.size = afd_mdev_region_size(m, info.index);
	mutex_unlock(&m->lock);
	info.offset = AFD_MDEV_OFFSET(info.index);
	info.cap_offset = 0;
	if (info.index == AFD_MDEV_REGION_REGS)
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
	else if (info.size)
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE |
			     VFIO_REGION_INFO_FLAG_MMAP;
	else
		info.flags = 0;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static int afd_mdev_get_irq_info(void __user *arg)
{
	struct vfio_irq_info info;
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= AFD_MDEV_NUM_IRQS)
		return -EINVAL;
	info.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	info.count = 1;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* Replaces the eventfd of @irq; @ctx may be NULL (disable). */
static void afd_mdev_set_trigger(struct afd_mdev *m, unsigned int irq,
				 struct eventfd_ctx *ctx)
{
	struct eventfd_ctx *old;

	spin_lock(&m->irq_lock);
	old = m->trigger[irq];
	m->trigger[irq] = ctx;
	spin_unlock(&m->irq_lock);
	if (old)
		eventfd_ctx_put(old);
}

static int afd_mdev_set_irqs(struct afd_mdev *m, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	struct eventfd_ctx *ctx;
	size_t data_size;
	s32 fd;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, 1, AFD_MDEV_NUM_IRQS,
						 &data_size);
	if (ret)
		return ret;
	/* Edge-triggered eventfds: nothing to mask or unmask. */
	if ((hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;

	if (hdr.flags & VFIO_IRQ_SET_DATA_NONE) {
		if (!hdr.count) /* count 0: disable */
			afd_mdev_set_trigger(m, hdr.index, NULL);
		else
			afd_mdev_signal(m, hdr.index);
		return 0;
	}
	/* DATA_BOOL is not for these interrupts; an eventfd comes one. */
	if (!(hdr.flags & VFIO_IRQ_SET_DATA_EVENTFD) || hdr.count != 1)
		return -EINVAL;
	if (copy_from_user(&fd, arg + minsz, sizeof(fd)))
		return -EFAULT;
	if (fd < 0) {
		afd_mdev_set_trigger(m, hdr.index, NULL);
		return 0;
	}
	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	afd_mdev_set_trigger(m, hdr.index, ctx);
	return 0;
}

static int afd_mdev_reset(struct afd_mdev *m)
{
	int ret = 0;

	mutex_lock(&m->lock);
	if (m->q)
		ret = afd_queue_reset(m->q, false);
	/* A reset device forgets its streams too: their ids mean nothing now. */
	if (m->q && !ret)
		afd_stream_destroy_all(m->q);
	memset(&m->stream_config, 0, sizeof(m->stream_config));
	mutex_unlock(&m->lock);
	return ret;
}

static long afd_mdev_ioctl(struct vfio_device *vdev, unsigned int cmd,
			   unsigned long arg)
{
	struct afd_mdev *m = to_afd_mdev(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO: {
		unsigned long minsz = offsetofend(struct vfio_device_info,
						  num_irqs);
		struct vfio_device_info info;

		if (copy_from_user(&info, uarg, minsz))
			return -EFAULT;
		if (info.argsz < minsz)
			return -EINVAL;
		info.flags = VFIO_DEVICE_FLAGS_PLATFORM |
			     VFIO_DEVICE_FLAGS_RESET;
		info.num_regions = AFD_MDEV_NUM_REGIONS;
		info.num_irqs = AFD_MDEV_NUM_IRQS;
		return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO:
		return afd_mdev_get_region_info(m, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return afd_mdev_get_irq_info(uarg);
	case VFIO_DEVICE_SET_IRQS:
		return afd_mdev_set_irqs(m, uarg);
	case VFIO_DEVICE_RESET:
		return afd_mdev_reset(m);
	}
	return -ENOTTY;
}

static int afd_mdev_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	static const unsigned int regions[] = {
		[AFD_MDEV_REGION_SQ] = AFD_REGION_SQ,
		[AFD_MDEV_REGION_CQ] = AFD_REGION_CQ,
		[AFD_MDEV_REGION_DOORBELL] = AFD_REGION_DOORBELL,
	};
	struct afd_mdev *m = to_afd_mdev(vdev);
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 index = AFD_MDEV_INDEX(off);
	struct afd_queue *q;
	int ret;

	if (index >= ARRAY_SIZE(regions) || (off & AFD_MDEV_OFFSET_MASK))
		return -EINVAL;
	/* The mmap lock is held: @lock would invert the order (see top). */
	spin_lock(&m->q_lock);
	q = m->q;
	if (q)
		afd_queue_get(q);
	spin_unlock(&m->q_lock);
	if (!q)
		return -EINVAL;
	ret = afd_queue_mmap(q, regions[index], vma);
	afd_queue_put(q);
	return ret;
}

static int afd_mdev_open_device(struct vfio_device *vdev)
{
	struct afd_mdev *m = to_afd_mdev(vdev);
	struct afd_context *ctx;

	ctx = afd_context_create(m->parent->adev, NULL, &afd_mdev_context_ops,
				 m);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	mutex_lock(&m->lock);
	m->ctx = ctx;
	mutex_unlock(&m->lock);
	return 0;
}

static void afd_mdev_close_device(struct vfio_device *vdev)
{
	struct afd_mdev *m = to_afd_mdev(vdev);
	unsigned int irq;

	mutex_lock(&m->lock);
	if (m->q)
		afd_mdev_disable(m);
	/* Destroys the queue, or forgets it if it was evicted. */
	afd_context_close(m->ctx);
	m->ctx = NULL;
	mutex_unlock(&m->lock);
	for (irq = 0; irq < AFD_MDEV_NUM_IRQS; irq++)
		afd_mdev_set_trigger(m, irq, NULL);
}

/*
 * Removal of an mdev still open waits in vfio_unregister_group_dev() until
 * its file is closed, asking here (at once, then every 10 s). The queue
 * ends first, as an evicted one does: the user sees AFD_CQ_F_EVICTED and
 * -ECANCELED completions even if it ignores the request eventfd.
 */
static void afd_mdev_request(struct vfio_device *vdev, unsigned int count)
{
	struct afd_mdev *m = to_afd_mdev(vdev);

	mutex_lock(&m->lock);
	m->removing = true;
	if (m->q && afd_queue_state(m->q) != AFD_Q_DEAD)
		afd_queue_evict(m->q);
	mutex_unlock(&m->lock);
	afd_mdev_signal(m, AFD_MDEV_IRQ_COMPLETION);
	afd_mdev_signal(m, AFD_MDEV_IRQ_REQUEST);
	if (!count)
		dev_info(vdev->dev, "removal waits for the device file to be closed\n");
}

static int afd_mdev_init_dev(struct vfio_device *vdev)
{
	struct afd_mdev *m = to_afd_mdev(vdev);

	m->parent = afd_mdev_parent_of(to_mdev_device(vdev->dev));
	mutex_init(&m->lock);
	spin_lock_init(&m->q_lock);
	spin_lock_init(&m->irq_lock);
	m->config.sq_entries = AFD_MDEV_DEFAULT_SQ_ENTRIES;
	m->config.priority = AFD_QUEUE_PRIORITY_DEFAULT;
	return 0;
}

static void afd_mdev_release_dev(struct vfio_device *vdev)
{
	struct afd_mdev *m = to_afd_mdev(vdev);

	mutex_destroy(&m->lock);
	afd_vfio_free_device(vdev);
}

static const struct vfio_device_ops afd_mdev_ops = {
	.name		= "accelfd-mdev",
	.init		= afd_mdev_init_dev,
	.release	= afd_mdev_release_dev,
	AFD_VFIO_EMULATED_IOMMUFD_OPS
	.open_device	= afd_mdev_open_device,
	.close_device	= afd_mdev_close_device,
	.read		= afd_mdev_read_regs,
	.write		= afd_mdev_write_regs,
	.ioctl		= afd_mdev_ioctl,
	.mmap		= afd_mdev_mmap,
	.request	= afd_mdev_request,
};

/* Queues the device could still hold, less the mdevs waiting for one. */
static unsigned int afd_mdev_get_available(struct mdev_type *mtype)
{
	struct afd_mdev_parent *p = container_of(mtype->parent,
						 struct afd_mdev_parent,
						 parent);
	struct afd_device *adev = p->adev;
	int free;

	mutex_lock(&adev->lock);
	free = (int)adev->limits.max_queues - (int)adev->queue_count;
	mutex_unlock(&adev->lock);
	free -= atomic_read(&p->idle);
	return max(free, 0);
}

static ssize_t afd_mdev_show_description(struct mdev_type *mtype, char *buf)
{
	return sysfs_emit(buf, "one accelfd queue pair (SQ, CQ, doorbell) over VFIO\n");
}

static int afd_mdev_probe(struct mdev_device *mdev)
{
	struct afd_mdev *m;
	int ret;

	if (!afd_mdev_get_available(mdev->type))
		return -ENOSPC;
	m = vfio_alloc_device(afd_mdev, vdev, &mdev->dev, &afd_mdev_ops);
	if (IS_ERR(m))
		return PTR_ERR(m);
	atomic_inc(&m->parent->idle);
	ret = vfio_register_emulated_iommu_dev(&m->vdev);
	if (ret)
		goto err_put;
	dev_set_drvdata(&mdev->dev, m);
	return 0;

err_put:
	atomic_dec(&m->parent->idle);
	vfio_put_device(&m->vdev);
	return ret;
}

static void afd_mdev_remove(struct mdev_device *mdev)
{
	struct afd_mdev *m = dev_get_drvdata(&mdev->dev);

	/* Waits for the device file to be closed (afd_mdev_request()). */
	vfio_unregister_group_dev(&m->vdev);
	atomic_dec(&m->parent->idle);
	vfio_put_device(&m->vdev);
}

/* The queue the mdev has now (0: none), to find it in accelctl's list. */
static ssize_t queue_id_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct afd_mdev *m = dev_get_drvdata(dev);
	u32 id;

	mutex_lock(&m->lock);
	id = m->q ? m->q->id : 0;
	mutex_unlock(&m->lock);
	return sysfs_emit(buf, "%u\n", id);
}
static DEVICE_ATTR_RO(queue_id);

static struct attribute *afd_mdev_attrs[] = {
	&dev_attr_queue_id.attr,
	NULL,
};

static const struct attribute_group afd_mdev_group = {
	.name = "accelfd",
	.attrs = afd_mdev_attrs,
};

static const struct attribute_group *afd_mdev_groups[] = {
	&afd_mdev_group,
	NULL,
};

static struct mdev_driver afd_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PLATFORM_STRING,
	.driver = {
		.name = "accelfd_mdev",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = afd_mdev_groups,
	},
	.probe = afd_mdev_probe,
	.remove = afd_mdev_remove,
	.get_available = afd_mdev_get_available,
	.show_description = afd_mdev_show_description,
};

static struct afd_mdev_parent *afd_mdev_parents[AFD_MAX_DEVICES];

/**
 * struct afd_mdev_type_hold - a late reference on a removed device's type
 * @work: drops the reference when the window is over
 * @type: the type held, while @work is pending
 *
 * With accelfd's debugfs race_window_ms set, a device's removal keeps its
 * type that long past mdev_unregister_parent(), as an mdev whose release
 * is still running does, so that the guest suite can show the type's
 * release reading a parent that is still there. One per device index.
 */
struct afd_mdev_type_hold {
	struct delayed_work work;
	struct mdev_type *type;
};

static struct afd_mdev_type_hold afd_mdev_type_holds[AFD_MAX_DEVICES];

static void afd_mdev_release_held_type(struct work_struct *work)
{
	struct afd_mdev_type_hold *hold =
		container_of(work, struct afd_mdev_type_hold, work.work);

	dev_info(hold->type->parent->dev, "mdev type let go after removal\n");
	kobject_put(&hold->type->kobj);
}

/* The works run our code: none may outlive the module. */
static void afd_mdev_let_go_of_held_types(void)
{
	int i;

	for (i = 0; i < AFD_MAX_DEVICES; i++)
		flush_delayed_work(&afd_mdev_type_holds[i].work);
}

static int afd_mdev_add_device(struct afd_device *adev)
{
	struct afd_mdev_parent *p;
	int ret;

	/*
	 * Freed with the device, not at unregistration: the type's kobject
	 * (in @p) holds the device and may outlive mdev_unregister_parent()
	 * while an mdev of the type is still being released.
	 */
	p = afd_device_alloc_frontend_data(adev, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->adev = adev;
	p->type.sysfs_name = "queue";
	p->type.pretty_name = "accelfd queue pair";
	p->types[0] = &p->type;
	ret = mdev_register_parent(&p->parent, &adev->dev, &afd_mdev_driver,
				   p->types, ARRAY_SIZE(p->types));
	if (ret)
		return ret; /* @p goes with the device */
	afd_mdev_parents[adev->index] = p;
	return 0;
}

/* Removes the device's mdevs, waiting for their users to close them. */
static void afd_mdev_remove_device(struct afd_device *adev)
{
	struct afd_mdev_parent *p = afd_mdev_parents[adev->index];
	struct afd_mdev_type_hold *hold = &afd_mdev_type_holds[adev->index];
	u32 hold_ms = afd_debugfs_race_window_ms();

	afd_mdev_parents[adev->index] = NULL;
	if (hold_ms) {
		/* An earlier device of this index may still be held. */
		flush_delayed_work(&hold->work);
		/* Before the core drops its own reference, in unregistration. */
		kobject_get(&p->type.kobj);
		hold->type = &p->type;
		dev_info(&adev->dev, "holding the mdev type %u ms past removal\n",
			 hold_ms);
	}
	mdev_unregister_parent(&p->parent);
	/* The window opens once the parent is unregistered. */
	if (hold_ms)
		schedule_delayed_work(&hold->work, msecs_to_jiffies(hold_ms));
}

static struct afd_frontend afd_mdev_frontend = {
	.name = "mdev",
	.add = afd_mdev_add_device,
	.remove = afd_mdev_remove_device,
};

static int __init afd_mdev_init(void)
{
	int i, ret;

	for (i = 0; i < AFD_MAX_DEVICES; i++)
		INIT_DELAYED_WORK(&afd_mdev_type_holds[i].work,
				  afd_mdev_release_held_type);
	ret = mdev_register_driver(&afd_mdev_driver);
	if (ret)
		return ret;
	ret = afd_register_frontend(&afd_mdev_frontend);
	if (ret)
		goto err_unregister_driver;
	return 0;

err_unregister_driver:
	/* A failed registration removed the devices it had added. */
	afd_mdev_let_go_of_held_types();
	mdev_unregister_driver(&afd_mdev_driver);
	return ret;
}

static void __exit afd_mdev_exit(void)
{
	afd_unregister_frontend(&afd_mdev_frontend);
	afd_mdev_let_go_of_held_types();
	mdev_unregister_driver(&afd_mdev_driver);
}

module_init(afd_mdev_init);
module_exit(afd_mdev_exit);

MODULE_DESCRIPTION("accelfd: queue pairs as VFIO mediated devices");
MODULE_AUTHOR("The accelfd developers");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: accelfd");
