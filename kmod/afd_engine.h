/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: the engine interface, and the software engine behind it.
 *
 * The char device, the queues and the mdev front end talk to an engine
 * only through &struct afd_engine_ops. The software engine in afd_engine.c
 * runs kernel threads; a hardware driver would implement the same ops by
 * programming its queues with the rings' addresses and writing doorbells.
 */
#ifndef __AFD_ENGINE_H__
#define __AFD_ENGINE_H__

#include <linux/types.h>

struct afd_device;
struct afd_queue;

/**
 * struct afd_engine_stats - what an engine reports about itself
 * @busy_ns: time spent executing descriptors
 * @sleeps: times an engine went to sleep for want of work
 * @wakeups: times an engine was woken by a kick
 */
struct afd_engine_stats {
	u64 busy_ns;
	u64 sleeps;
	u64 wakeups;
};

/**
 * struct afd_engine_ops - what the core asks of an engine
 * @start: bring up the device's engines; the device is not yet visible
 * @stop: stop them; every queue has been destroyed before
 * @create_queue: take @q into service: from now on its doorbell and rings
 *	are live. May fail with -ENOMEM.
 * @destroy_queue: take @q out of service; on return the engine no longer
 *	touches @q or its memory. With @killable, a fatal signal ends the
 *	wait for a descriptor in execution early, and an exiting caller does
 *	not wait (-EINTR): the engine then finishes it on its own references
 *	to @q and its context, and calls afd_queue_engine_released() once it
 *	no longer touches @q, before it drops them.
 * @queue_dead: optional; @q has just been marked dead, so that a
 *	destroy_queue waiting for the engine may now be able to return early.
 *	Called on the engine's own thread too, under the context's or the
 *	queue's service mutex, for a queue in service or not: must not sleep
 *	or wait for the engine.
 * @kick: user space saw AFD_SQ_F_NEED_WAKEUP and asks for service
 * @stats: sum of the device's engine counters
 */
struct afd_engine_ops {
	int (*start)(struct afd_device *adev);
	void (*stop)(struct afd_device *adev);
	int (*create_queue)(struct afd_device *adev, struct afd_queue *q);
	int (*destroy_queue)(struct afd_device *adev, struct afd_queue *q,
			     bool killable);
	void (*queue_dead)(struct afd_device *adev, struct afd_queue *q);
	void (*kick)(struct afd_device *adev, struct afd_queue *q);
	void (*stats)(struct afd_device *adev, struct afd_engine_stats *stats);
};

extern const struct afd_engine_ops afd_sw_engine_ops;

/* Tunable: how long an engine polls for work before it sleeps. */
extern unsigned int afd_engine_idle_us;

#endif /* __AFD_ENGINE_H__ */
