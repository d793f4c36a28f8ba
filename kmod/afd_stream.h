/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: streams, DEFLATE and INFLATE state kept between descriptors.
 */
#ifndef __AFD_STREAM_H__
#define __AFD_STREAM_H__

#include <linux/kref.h>
#include <linux/types.h>

#include <linux/accelfd.h>

#include "afd_zlib.h"

struct afd_queue;

/* Stream ids of a queue: 1 to this. */
#define AFD_STREAM_ID_MAX 0xffff

/**
 * struct afd_stream - a stream of a queue
 * @ref: held by the queue's &struct afd_queue.streams until the stream is
 *	destroyed, by the engine while it executes a descriptor naming it,
 *	and by its creator until the id is copied out
 * @id: its id in &struct afd_queue.streams
 * @queue: the queue, and its context: their shutdown destroys the stream
 *	(and the engine, which may hold it longer, holds both)
 * @pages: pages charged to the queue's user
 * @zlib: the state
 */
struct afd_stream {
	struct kref ref;
	struct afd_queue *queue;
	u32 id;
	unsigned long pages;
	struct afd_zlib zlib;
};

struct afd_stream *afd_stream_create(struct afd_queue *q,
				     struct afd_stream_create *args);
void afd_stream_undo_create(struct afd_queue *q, struct afd_stream *stream);
int afd_stream_destroy(struct afd_queue *q, u32 id);
void afd_stream_destroy_all(struct afd_queue *q);
u32 afd_stream_count(struct afd_queue *q);
struct afd_stream *afd_stream_get(struct afd_queue *q, u32 id);
void afd_stream_put(struct afd_stream *stream);

#endif /* __AFD_STREAM_H__ */
