/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: DEFLATE and INFLATE descriptors, on the kernel's zlib.
 */
#ifndef __AFD_ZLIB_H__
#define __AFD_ZLIB_H__

#include <linux/types.h>
#include <linux/zlib.h>

#include <linux/accelfd.h>

struct afd_completion;
struct afd_context;
struct afd_ops_scratch;

/**
 * struct afd_zlib - one DEFLATE or INFLATE state and its workspace
 * @z: zlib's stream; @z.workspace is ours (kvmalloc())
 * @op: AFD_OP_DEFLATE or AFD_OP_INFLATE
 * @level: DEFLATE's level
 * @ended: the stream is complete: only AFD_DESC_F_FIRST goes on
 * @failed: INFLATE found malformed input, or output was lost to a fault:
 *	likewise
 * @failed_status: what every descriptor gets while @failed
 *
 * Used by one engine thread at a time: a stream belongs to one queue,
 * which one engine serves; an engine's stateless states are its own.
 */
struct afd_zlib {
	struct z_stream_s z;
	u8 op;
	u8 level;
	bool ended;
	bool failed;
	int failed_status;
};

size_t afd_zlib_workspace_size(u8 op);
int afd_zlib_init(struct afd_zlib *zs, u8 op, unsigned int level, gfp_t gfp);
void afd_zlib_free(struct afd_zlib *zs);
int afd_zlib_check(const struct afd_desc *d, u64 max_transfer);
void afd_zlib_execute(struct afd_context *ctx, struct afd_zlib *stream,
		      const struct afd_desc *d, u64 max_transfer,
		      struct afd_ops_scratch *s, struct afd_completion *comp);

#endif /* __AFD_ZLIB_H__ */
