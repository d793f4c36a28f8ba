/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: execution of descriptors by the software engine.
 */
#ifndef __AFD_OPS_H__
#define __AFD_OPS_H__

#include <linux/mm_types.h>
#include <linux/types.h>

#include <linux/accelfd.h>

#include "afd_zlib.h"

/* Bytes of each of the two bounce buffers an engine thread owns. */
#define AFD_OPS_CHUNK (64 * 1024)

/* Pages of one buffer pinned at a time: the bound on what an engine pins. */
#define AFD_OPS_PIN_PAGES 16
#define AFD_OPS_PIN_BYTES (AFD_OPS_PIN_PAGES * PAGE_SIZE)

/* Operations the software engine executes. */
#define AFD_SW_OPS_SUPPORTED						\
	(BIT_ULL(AFD_OP_NOP) | BIT_ULL(AFD_OP_MEMMOVE) |		\
	 BIT_ULL(AFD_OP_FILL) | BIT_ULL(AFD_OP_COMPARE) |		\
	 BIT_ULL(AFD_OP_CRC32C) | BIT_ULL(AFD_OP_DEFLATE) |		\
	 BIT_ULL(AFD_OP_INFLATE))

struct afd_context;
struct afd_queue;
struct page;

/**
 * struct afd_ops_scratch - an engine thread's buffers for its descriptors
 * @bounce: two AFD_OPS_CHUNK buffers, for what cannot be pinned
 * @pages: the pages pinned of two buffers, AFD_OPS_PIN_PAGES each
 * @deflate: the state of stateless DEFLATE descriptors
 * @inflate: the state of stateless INFLATE descriptors
 */
struct afd_ops_scratch {
	void *bounce;
	struct page *pages[2 * AFD_OPS_PIN_PAGES];
	struct afd_zlib deflate;
	struct afd_zlib inflate;
};

struct afd_ops_scratch *afd_ops_scratch_alloc(void);
void afd_ops_scratch_free(struct afd_ops_scratch *s);
void afd_desc_cancel(const struct afd_desc *desc, struct afd_completion *comp);
void afd_desc_execute(struct afd_queue *q, const struct afd_desc *desc,
		      u64 max_transfer, struct afd_ops_scratch *scratch,
		      struct afd_completion *comp);
bool afd_ops_read(struct afd_context *ctx, u64 uaddr, void *buf, size_t len,
		  struct afd_completion *comp);
bool afd_ops_write(struct afd_context *ctx, u64 uaddr, void *buf, size_t len,
		   struct afd_completion *comp);

#endif /* __AFD_OPS_H__ */
