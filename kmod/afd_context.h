/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: per-process contexts, one per open file.
 */
#ifndef __AFD_CONTEXT_H__
#define __AFD_CONTEXT_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

struct address_space;
struct afd_context;
struct afd_device;
struct afd_queue;
struct mm_struct;
struct page;
struct pid;

/**
 * struct afd_context_ops - how the engine reaches a context's buffers
 * @enter: the engine is about to execute a descriptor of the context that
 *	reaches memory; 0, or an error if the buffers are gone for good (the
 *	queue is then dead). Optional. The engine stays entered across
 *	visits until another context needs it, it sleeps, or the context's
 *	queue leaves it.
 * @leave: it is done for now (optional)
 * @read: copy @len bytes at descriptor address @addr into @dst; returns
 *	the number of bytes not copied, as copy_from_user() does
 * @write: copy @len bytes from @src to descriptor address @addr; likewise
 * @pin: pin up to @nr_pages pages from the one holding descriptor address
 *	@addr on, for writing if @write; returns how many were pinned (from
 *	the first on) or a negative errno. Optional: without it every
 *	operation goes through bounce buffers.
 * @unpin: unpin @nr pages @pin pinned, dirtying them if @written (the
 *	engine stored into them through a kernel mapping)
 * @notify: new completions arrived (optional; WAIT and poll() are woken
 *	in any case)
 *
 * The char device's contexts use the opener's virtual addresses (the
 * engine adopts its mm); the mdev front end's use IOVAs that user space
 * mapped through VFIO.
 */
struct afd_context_ops {
	int (*enter)(struct afd_context *ctx);
	void (*leave)(struct afd_context *ctx);
	size_t (*read)(struct afd_context *ctx, void *dst, u64 addr, size_t len);
	size_t (*write)(struct afd_context *ctx, u64 addr, const void *src,
			size_t len);
	int (*pin)(struct afd_context *ctx, u64 addr, unsigned int nr_pages,
		   bool write, struct page **pages);
	void (*unpin)(struct afd_context *ctx, struct page **pages,
		      unsigned int nr, bool written);
	void (*notify)(struct afd_context *ctx);
};

extern const struct afd_context_ops afd_user_context_ops;

/**
 * struct afd_context - what one open() of /dev/accelN owns
 * @ref: held by the file, by each of its queues while the device lists
 *	them, and briefly by device removal
 * @adev: the device; the context holds a reference on it
 * @id: device-unique id, its sysfs name
 * @ops: how the engine reaches this context's buffers
 * @frontend_data: the front end's (mdev) data for @ops
 * @mapping: the file's address space, whose mappings removal revokes;
 *	NULL for a front end that revokes its own mappings
 * @owner: thread group of the process that opened the file; only its
 *	threads may use the file
 * @mm: the opener's address space (mmgrab()), where the engine executes
 *	this context's descriptors
 * @adopted: engine threads that hold @mm adopted (each with a reference on
 *	its users), so that they can tell when the process is gone
 * @comm: command name of the opener, for sysfs and logs
 * @node: entry in &struct afd_device.contexts, under its lock
 * @revoked: device removal has dealt with it (under the device lock)
 * @wq: WAIT and poll() sleep here; the engine wakes it on completions
 * @kobj: its sysfs directory
 * @lock: protects @queues
 * @queues: the context's queues by id, each holding a reference, and the
 *	tombstones (xa_mk_value()) of queues an administrator evicted
 * @queue_count: live queues in @queues (not tombstones); under the device
 *	lock, which counts
 *	a process's queues over all its files
 * @stream_count: streams of its queues, not yet freed (as
 *	&struct afd_device.stream_count)
 */
struct afd_context {
	struct kref ref;
	struct afd_device *adev;
	u32 id;
	const struct afd_context_ops *ops;
	void *frontend_data;
	struct address_space *mapping;
	struct pid *owner;
	struct mm_struct *mm;
	atomic_t adopted;
	char comm[TASK_COMM_LEN];
	struct list_head node;
	bool revoked;
	wait_queue_head_t wq;
	struct kobject *kobj;

	struct mutex lock; /* Protects queues */
	struct xarray queues;
	u32 queue_count;
	atomic_t stream_count;
};

struct afd_context *afd_context_create(struct afd_device *adev,
				       struct address_space *mapping,
				       const struct afd_context_ops *ops,
				       void *frontend_data);
void afd_context_close(struct afd_context *ctx);
void afd_context_get(struct afd_context *ctx);
void afd_context_put(struct afd_context *ctx);
void afd_context_revoke_all(struct afd_device *adev);
bool afd_context_is_owner(const struct afd_context *ctx);
struct afd_queue *afd_context_get_queue(struct afd_context *ctx, u32 id);
void afd_context_drop_tombstone(struct afd_context *ctx, u32 id);
int afd_context_destroy_queue(struct afd_context *ctx, u32 id);
void afd_context_undo_create_queue(struct afd_context *ctx,
				   struct afd_queue *q);
void afd_context_notify(struct afd_context *ctx);

#endif /* __AFD_CONTEXT_H__ */
