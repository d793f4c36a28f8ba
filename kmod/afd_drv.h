/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: the device, shared by every file of the module.
 */
#ifndef __AFD_DRV_H__
#define __AFD_DRV_H__

#include <linux/bits.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <linux/accelfd.h>

#define AFD_MAX_DEVICES 64

/**
 * enum afd_device_state - whether a device accepts work
 * @AFD_DEV_ENABLED: open() and ioctls are served
 * @AFD_DEV_REMOVING: the device is going away; new calls get -ENODEV
 */
enum afd_device_state {
	AFD_DEV_ENABLED,
	AFD_DEV_REMOVING,
};

/**
 * struct afd_limits - per-device limits, reported by GET_INFO and sysfs
 * @max_queues_per_process: queues one process may hold, over all its files
 * @max_queues: queues the device may hold in all
 * @min_ring_entries: smallest ring, a power of two
 * @max_ring_entries: largest ring, a power of two
 * @max_transfer: largest descriptor length
 * @max_queues_per_user: queues one user (uid) may hold on the device
 * @max_memory_per_user: bytes of queue memory one user may hold on the
 *	device, counted until the memory is freed
 * @max_streams_per_process: streams one process may hold, over all its
 *	queues
 * @max_streams: streams the device may hold in all
 */
struct afd_limits {
	u32 max_queues_per_process;
	u32 max_queues;
	u32 min_ring_entries;
	u32 max_ring_entries;
	u64 max_transfer;
	u32 max_queues_per_user;
	u64 max_memory_per_user;
	u32 max_streams_per_process;
	u32 max_streams;
};

/* Bounds within which an administrator may set the limits. */
#define AFD_LIMIT_MAX_QUEUES		0xffff	/* queue ids are 16 bits */
#define AFD_LIMIT_MIN_RING_ENTRIES	8
#define AFD_LIMIT_MAX_RING_ENTRIES	4096
#define AFD_LIMIT_MAX_TRANSFER		BIT_ULL(30)
#define AFD_LIMIT_MAX_USER_MEMORY	BIT_ULL(40)
#define AFD_LIMIT_MAX_STREAMS		0xffff

struct afd_engine_ops;

/**
 * struct afd_device - one software accelerator, /dev/accelN
 * @dev: the class device; its release frees this struct
 * @cdev: the character device behind /dev/accelN
 * @index: N of /dev/accelN
 * @engine_count: engines executing descriptors for this device
 * @ops_supported: bit (1 << &enum afd_op) per supported operation
 * @engine_ops: the engine behind the device (software threads here)
 * @engine: the engine's private data
 * @queue_ids: allocator of device-unique queue ids
 * @context_ids: allocator of device-unique context ids (sysfs names)
 * @queues: every live queue of the device by id, for administration and
 *	debugfs; its own lock. A queue is here from creation until unlinked,
 *	and its context lives all that time (closing a file unlinks its
 *	queues before the file's reference on the context is dropped).
 * @context_dir: sysfs directory "context", one subdirectory per context
 * @queue_dir: sysfs directory "queue", one subdirectory per queue
 * @debugfs: this device's debugfs directory
 * @active: SRCU read side held by every file operation in flight; removal
 *	waits them out with synchronize_srcu() (see afd_device_enter()).
 *	Not an rwsem: a queued writer would block new readers, and an mmap()
 *	reader holds the mmap lock an engine's page fault may need while a
 *	DESTROY reader waits for that engine.
 * @lock: protects @state, @disabled, @limits, @contexts, @queue_count,
 *	@frontend_data and each context's queue_count
 * @state: &enum afd_device_state
 * @disabled: an administrator disabled the device: no new queues, and
 *	descriptors complete with -ECANCELED unexecuted (read locklessly by
 *	the engines)
 * @limits: current limits
 * @contexts: open files of this device (&struct afd_context.node)
 * @queue_count: queues of all contexts
 * @stream_count: streams of all queues; raised under @lock, against the
 *	limits, and lowered without it
 * @frontend_data: front ends' memory freed with the device (under @lock)
 * @users_lock: protects @users; taken where a queue's memory is freed,
 *	which may be under the mmap lock, so it is not @lock
 * @users: &struct afd_user_usage of each user holding queues or queue
 *	memory on the device
 */
struct afd_device {
	struct device dev;
	struct cdev cdev;
	u32 index;
	u32 engine_count;
	u64 ops_supported;
	const struct afd_engine_ops *engine_ops;
	void *engine;
	struct ida queue_ids;
	struct ida context_ids;
	struct xarray queues;
	struct kobject *context_dir;
	struct kobject *queue_dir;
	struct dentry *debugfs;
	struct srcu_struct active;

	/* Protects state, disabled, limits, contexts, counts, frontend_data */
	struct mutex lock;
	enum afd_device_state state;
	bool disabled;
	struct afd_limits limits;
	struct list_head contexts;
	u32 queue_count;
	atomic_t stream_count;
	struct list_head frontend_data;

	spinlock_t users_lock; /* Protects users */
	struct list_head users;
};

static inline struct afd_device *to_afd_device(struct device *dev)
{
	return container_of(dev, struct afd_device, dev);
}

/**
 * afd_device_enter() - begin a file operation on a device
 * @adev: the device
 *
 * Return: -ENODEV if the device is being removed; otherwise a cookie for
 * afd_device_exit(), and removal waits until then.
 */
static inline int afd_device_enter(struct afd_device *adev)
{
	int idx = srcu_read_lock(&adev->active);

	if (READ_ONCE(adev->state) == AFD_DEV_ENABLED)
		return idx;
	srcu_read_unlock(&adev->active, idx);
	return -ENODEV;
}

static inline void afd_device_exit(struct afd_device *adev, int idx)
{
	srcu_read_unlock(&adev->active, idx);
}

static inline bool afd_device_removing(struct afd_device *adev)
{
	return READ_ONCE(adev->state) != AFD_DEV_ENABLED;
}

/* A consistent copy of the device's limits. */
static inline struct afd_limits afd_device_limits(struct afd_device *adev)
{
	struct afd_limits limits;

	mutex_lock(&adev->lock);
	limits = adev->limits;
	mutex_unlock(&adev->lock);
	return limits;
}

static inline bool afd_device_disabled(struct afd_device *adev)
{
	return READ_ONCE(adev->disabled);
}

/**
 * struct afd_frontend - another way to reach the devices than /dev/accelN
 * @name: for the log
 * @add: a device appeared (or the front end registered while it existed)
 * @remove: a device is going: stop using it; may wait for users
 * @node: entry in the list of front ends
 *
 * The char device is built in; the VFIO-mdev front end (accelfd_mdev.ko)
 * registers one of these.
 */
struct afd_frontend {
	const char *name;
	int (*add)(struct afd_device *adev);
	void (*remove)(struct afd_device *adev);
	struct list_head node;
};

int afd_register_frontend(struct afd_frontend *fe);
void *afd_device_alloc_frontend_data(struct afd_device *adev, size_t size);
void afd_unregister_frontend(struct afd_frontend *fe);

int afd_add_device(void);
void afd_remove_device(struct afd_device *adev);

#define afd_err(adev, fmt, ...) \
	dev_err(&(adev)->dev, "%s: " fmt, __func__, ##__VA_ARGS__)
#define afd_dbg(adev, fmt, ...) \
	dev_dbg(&(adev)->dev, "%s: " fmt, __func__, ##__VA_ARGS__)
/* For conditions a user can trigger at will. */
#define afd_warn_ratelimited(adev, fmt, ...) \
	dev_warn_ratelimited(&(adev)->dev, "%s: " fmt, __func__, ##__VA_ARGS__)

#endif /* __AFD_DRV_H__ */
