/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: execution of descriptors by the software engine.
 */
#ifndef __AFD_OPS_H__
#define __AFD_OPS_H__

#include <linux/types.h>

#include <linux/accelfd.h>

/* Bytes of each of the two bounce buffers an engine thread owns. */
#define AFD_OPS_CHUNK (16 * 1024)

/* Operations the software engine executes. */
#define AFD_SW_OPS_SUPPORTED						\
	(BIT_ULL(AFD_OP_NOP) | BIT_ULL(AFD_OP_MEMMOVE) |		\
	 BIT_ULL(AFD_OP_FILL) | BIT_ULL(AFD_OP_COMPARE) |		\
	 BIT_ULL(AFD_OP_CRC32C))

struct afd_context;

void afd_desc_execute(struct afd_context *ctx, const struct afd_desc *desc,
		      u64 max_transfer, void *bounce,
		      struct afd_completion *comp);

#endif /* __AFD_OPS_H__ */
