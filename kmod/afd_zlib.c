// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: DEFLATE and INFLATE descriptors, on the kernel's zlib.
 *
 * Raw DEFLATE only (RFC 1951): the zlib and gzip framings are a few bytes
 * user space writes itself. The CRC-32 a gzip trailer needs is computed
 * here, on the bytes as they pass, where they are in the cache anyway.
 *
 * zlib reads and writes kernel memory, so input comes through one bounce
 * buffer and output goes through the other, a chunk at a time; next to
 * what zlib spends per byte, the copies are small (docs/design.md,
 * "Compression"). A
 * stateless descriptor runs on a state the engine thread owns; a stream's
 * state (its history window and the bits not yet written) lives in the
 * kernel between descriptors, and is never mapped.
 */
#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "afd_ops.h"
#include "afd_zlib.h"

/* Raw DEFLATE (no zlib header) with zlib's largest window. */
#define AFD_ZLIB_WBITS (-MAX_WBITS)

/**
 * afd_zlib_workspace_size() - memory one state of @op takes
 * @op: AFD_OP_DEFLATE or AFD_OP_INFLATE
 *
 * Return: bytes.
 */
size_t afd_zlib_workspace_size(u8 op)
{
	if (op == AFD_OP_DEFLATE)
		return zlib_deflate_workspacesize(AFD_ZLIB_WBITS, MAX_MEM_LEVEL);
	return zlib_inflate_workspacesize();
}

/* Starts a new stream on @zs, forgetting the last. */
static int afd_zlib_begin(struct afd_zlib *zs)
{
	int ret;

	zs->ended = false;
	zs->failed = false;
	if (zs->op == AFD_OP_DEFLATE)
		ret = zlib_deflateInit2(&zs->z, zs->level, Z_DEFLATED,
					AFD_ZLIB_WBITS, MAX_MEM_LEVEL,
					Z_DEFAULT_STRATEGY);
	else
		ret = zlib_inflateInit2(&zs->z, AFD_ZLIB_WBITS);
	return ret == Z_OK ? 0 : -EINVAL;
}

/**
 * afd_zlib_init() - allocate and start a state
 * @zs: the state
 * @op: AFD_OP_DEFLATE or AFD_OP_INFLATE
 * @level: DEFLATE's level, AFD_DEFLATE_LEVEL_MIN to _MAX; for INFLATE, 0
 * @gfp: GFP_KERNEL_ACCOUNT for a process's stream
 *
 * Return: 0, -ENOMEM, or -EINVAL for a level zlib refuses.
 */
int afd_zlib_init(struct afd_zlib *zs, u8 op, unsigned int level, gfp_t gfp)
{
	memset(zs, 0, sizeof(*zs));
	zs->op = op;
	zs->level = op == AFD_OP_DEFLATE ? level : 0;
	zs->z.workspace = kvmalloc(afd_zlib_workspace_size(op), gfp);
	if (!zs->z.workspace)
		return -ENOMEM;
	if (afd_zlib_begin(zs)) {
		afd_zlib_free(zs);
		return -EINVAL;
	}
	return 0;
}

/**
 * afd_zlib_free() - free a state's workspace
 * @zs: the state, initialised or zeroed
 */
void afd_zlib_free(struct afd_zlib *zs)
{
	kvfree(zs->z.workspace);
	zs->z.workspace = NULL;
}

/**
 * afd_zlib_check() - validate a DEFLATE or INFLATE descriptor
 * @d: the descriptor
 * @max_transfer: the device's limit on the input, on INFLATE's output, and
 *	(through AFD_DEFLATE_BOUND()) on DEFLATE's
 *
 * Return: 0, or the status its completion gets (&struct afd_desc).
 */
int afd_zlib_check(const struct afd_desc *d, u64 max_transfer)
{
	bool deflate = d->opcode == AFD_OP_DEFLATE;
	u32 low = lower_32_bits(d->arg);

	if (!d->stream) {
		/* A stateless descriptor is a whole stream or piece of one. */
		if (d->flags & (AFD_DESC_F_FIRST | AFD_DESC_F_FLUSH))
			return -EINVAL;
		if (!deflate && (d->flags & AFD_DESC_F_LAST))
			return -EINVAL;
		if (deflate && (low < AFD_DEFLATE_LEVEL_MIN ||
				low > AFD_DEFLATE_LEVEL_MAX))
			return -EINVAL;
		if (!deflate && low)
			return -EINVAL;
	} else if (low || (!deflate && (d->flags & AFD_DESC_F_FLUSH))) {
		return -EINVAL;
	}
	if (!(d->flags & AFD_DESC_F_CRC32) && upper_32_bits(d->arg))
		return -EINVAL;

	if (d->len > max_transfer ||
	    d->dst_len > (deflate ? AFD_DEFLATE_BOUND(max_transfer) : max_transfer))
		return -E2BIG;
	if (d->src + d->len < d->src || d->dst + d->dst_len < d->dst)
		return -EOVERFLOW;
	return 0;
}

/**
 * enum afd_zlib_stop - why afd_zlib_run() returned
 * @AFD_ZLIB_DONE: the input is consumed and the flush complete (INFLATE:
 *	the input is consumed, the stream goes on)
 * @AFD_ZLIB_END: the stream ended
 * @AFD_ZLIB_FULL: the output is full; more may follow
 * @AFD_ZLIB_FAILED: the completion's status says why
 */
enum afd_zlib_stop {
	AFD_ZLIB_DONE,
	AFD_ZLIB_END,
	AFD_ZLIB_FULL,
	AFD_ZLIB_FAILED,
};

/**
 * struct afd_zlib_job - one descriptor's progress through afd_zlib_run()
 * @d: the descriptor
 * @flush: zlib's flush mode for the calls once all input is in
 * @read: input bytes read into the bounce buffer
 * @written: output bytes written at @d->dst (counted, not written, while
 *	@discard)
 * @crc: the CRC-32 so far, uninverted
 * @discard: a stateless descriptor out of room, counting what it needs
 * @count_limit: where counting gives up: beyond the device's
 *	max_transfer, no descriptor could take it anyway (a small input can
 *	inflate a thousandfold)
 */
struct afd_zlib_job {
	const struct afd_desc *d;
	int flush;
	u64 read;
	u64 written;
	u32 crc;
	bool discard;
	u64 count_limit;
};

static int afd_zlib_step(struct afd_zlib *zs, int flush)
{
	if (zs->op == AFD_OP_DEFLATE)
		return zlib_deflate(&zs->z, flush);
	return zlib_inflate(&zs->z, flush);
}

/* zlib's verdicts that end a descriptor early, as completion statuses. */
static int afd_zlib_errno(int ret)
{
	switch (ret) {
	case Z_DATA_ERROR:
		return -EBADMSG;
	case Z_STREAM_ERROR:
		/* A DEFLATE told to finish, then not to (no AFD_DESC_F_LAST). */
		return -EINVAL;
	default:
		return -EIO;
	}
}

/*
 * Runs @zs over @job's descriptor from where @job stands: input is read
 * from d->src a bounce chunk at a time, output written to d->dst as it
 * comes. z.next_in keeps pointing into the input bounce buffer between
 * calls for the same job.
 */
static enum afd_zlib_stop afd_zlib_run(struct afd_context *ctx,
				       struct afd_zlib *zs,
				       struct afd_zlib_job *job,
				       struct afd_ops_scratch *s,
				       struct afd_completion *comp)
{
	const struct afd_desc *d = job->d;
	bool crc = d->flags & AFD_DESC_F_CRC32;
	u8 *in = s->bounce, *out = s->bounce + AFD_OPS_CHUNK;
	struct z_stream_s *z = &zs->z;

	for (;;) {
		size_t room, made;
		const u8 *from;
		int ret;

		if (!job->discard && job->written == d->dst_len)
			return AFD_ZLIB_FULL;
		if (job->discard && job->written > job->count_limit)
			return AFD_ZLIB_FULL;
		if (!z->avail_in && job->read < d->len) {
			size_t n = min_t(u64, d->len - job->read, AFD_OPS_CHUNK);

			if (!afd_ops_read(ctx, d->src + job->read, in, n, comp))
				return AFD_ZLIB_FAILED;
			z->next_in = in;
			z->avail_in = n;
			job->read += n;
		}
		room = job->discard ? AFD_OPS_CHUNK :
			min_t(u64, d->dst_len - job->written, AFD_OPS_CHUNK);
		z->next_out = out;
		z->avail_out = room;
		from = z->next_in;

		ret = afd_zlib_step(zs, job->read == d->len ? job->flush :
					Z_NO_FLUSH);
		made = room - z->avail_out;
		if (crc && zs->op == AFD_OP_DEFLATE)
			job->crc = crc32_le(job->crc, from, z->next_in - from);
		else if (crc && !job->discard)
			job->crc = crc32_le(job->crc, out, made);
		if (made && !job->discard &&
		    !afd_ops_write(ctx, d->dst + job->written, out, made, comp))
			return AFD_ZLIB_FAILED;
		job->written += made;

		if (ret == Z_STREAM_END)
			return AFD_ZLIB_END;
		/*
		 * No progress possible: nothing in, or nothing to flush; or
		 * input offered to a DEFLATE that was told it had it all.
		 */
		if (ret == Z_BUF_ERROR && z->avail_in) {
			comp->status = -EINVAL;
			return AFD_ZLIB_FAILED;
		}
		if (ret == Z_BUF_ERROR)
			return AFD_ZLIB_DONE;
		if (ret != Z_OK) {
			comp->status = afd_zlib_errno(ret);
			return AFD_ZLIB_FAILED;
		}
		/* All input in, and room left over: zlib has said it all. */
		if (job->read == d->len && !z->avail_in && z->avail_out)
			return AFD_ZLIB_DONE;
		cond_resched();
	}
}

/* A stateless DEFLATE: the whole input, in one stream or piece of one. */
static void afd_zlib_deflate_once(struct afd_context *ctx, struct afd_zlib *zs,
				  struct afd_zlib_job *job,
				  struct afd_ops_scratch *s,
				  struct afd_completion *comp)
{
	enum afd_zlib_stop stop;

	zs->level = lower_32_bits(job->d->arg);
	if (afd_zlib_begin(zs)) {
		comp->status = -EINVAL;
		return;
	}
	job->flush = job->d->flags & AFD_DESC_F_LAST ? Z_FINISH : Z_SYNC_FLUSH;
	stop = afd_zlib_run(ctx, zs, job, s, comp);
	if (stop == AFD_ZLIB_FULL) {
		/* Room for exactly all of it, unless zlib has more to say. */
		job->discard = true;
		job->count_limit = job->d->dst_len;
		stop = afd_zlib_run(ctx, zs, job, s, comp);
		if (stop != AFD_ZLIB_FAILED && job->written > job->d->dst_len) {
			comp->status = -ENOSPC;
			job->written = AFD_DEFLATE_BOUND(job->d->len);
			return;
		}
	}
	if (stop == AFD_ZLIB_END)
		comp->flags |= AFD_COMP_F_STREAM_END;
}

/* A stateless INFLATE: one whole stream, or a count of what it needs. */
static void afd_zlib_inflate_once(struct afd_context *ctx, struct afd_zlib *zs,
				  struct afd_zlib_job *job,
				  struct afd_ops_scratch *s,
				  struct afd_completion *comp)
{
	enum afd_zlib_stop stop;
	u64 room = job->d->dst_len;

	if (afd_zlib_begin(zs)) {
		comp->status = -EINVAL;
		return;
	}
	job->flush = Z_SYNC_FLUSH;
	stop = afd_zlib_run(ctx, zs, job, s, comp);
	if (stop == AFD_ZLIB_FULL) {
		/* Decoded on, unwritten, to say how much room it needs. */
		job->discard = true;
		stop = afd_zlib_run(ctx, zs, job, s, comp);
		if ((stop == AFD_ZLIB_END && job->written > room) ||
		    stop == AFD_ZLIB_FULL) {
			comp->status = -ENOSPC;
			return;
		}
	}
	if (stop == AFD_ZLIB_DONE)
		comp->status = -ENODATA;
	else if (stop == AFD_ZLIB_END)
		comp->flags |= AFD_COMP_F_STREAM_END;
}

/* A descriptor of a stream: as much as fits, the state kept. */
static void afd_zlib_stream(struct afd_context *ctx, struct afd_zlib *zs,
			    struct afd_zlib_job *job, struct afd_ops_scratch *s,
			    struct afd_completion *comp)
{
	u8 flags = job->d->flags;
	enum afd_zlib_stop stop;

	if ((flags & AFD_DESC_F_FIRST) && afd_zlib_begin(zs)) {
		comp->status = -EINVAL;
		return;
	}
	if (zs->failed || zs->ended) {
		comp->status = zs->failed ? zs->failed_status : -EINVAL;
		return;
	}
	if (zs->op == AFD_OP_INFLATE)
		job->flush = Z_SYNC_FLUSH;
	else if (flags & AFD_DESC_F_LAST)
		job->flush = Z_FINISH;
	else
		job->flush = flags & AFD_DESC_F_FLUSH ? Z_SYNC_FLUSH : Z_NO_FLUSH;

	stop = afd_zlib_run(ctx, zs, job, s, comp);
	if (stop == AFD_ZLIB_END) {
		zs->ended = true;
		comp->flags |= AFD_COMP_F_STREAM_END;
	} else if (stop == AFD_ZLIB_FAILED &&
		   (comp->status == -EBADMSG || comp->status == -EFAULT)) {
		/* Malformed input, or output zlib made and we could not store. */
		zs->failed = true;
		zs->failed_status = comp->status;
	} else if (stop == AFD_ZLIB_DONE && zs->op == AFD_OP_INFLATE &&
		   (flags & AFD_DESC_F_LAST)) {
		comp->status = -ENODATA;
	}
}

/**
 * afd_zlib_execute() - run a validated DEFLATE or INFLATE descriptor
 * @ctx: the context, entered
 * @stream: the stream @d names, of @d's operation; NULL if stateless
 * @d: the descriptor
 * @max_transfer: the device's limit on a descriptor's lengths
 * @s: the engine thread's scratch, with its stateless states
 * @comp: filled with the outcome (&struct afd_desc)
 */
void afd_zlib_execute(struct afd_context *ctx, struct afd_zlib *stream,
		      const struct afd_desc *d, u64 max_transfer,
		      struct afd_ops_scratch *s, struct afd_completion *comp)
{
	struct afd_zlib_job job = {
		.d = d,
		.crc = ~upper_32_bits(d->arg),
		.count_limit = max_transfer,
	};
	struct afd_zlib *zs = stream;

	if (!zs)
		zs = d->opcode == AFD_OP_DEFLATE ? &s->deflate : &s->inflate;
	/* Nothing of an earlier job's input is left for this one. */
	zs->z.avail_in = 0;

	if (stream)
		afd_zlib_stream(ctx, zs, &job, s, comp);
	else if (d->opcode == AFD_OP_DEFLATE)
		afd_zlib_deflate_once(ctx, zs, &job, s, comp);
	else
		afd_zlib_inflate_once(ctx, zs, &job, s, comp);

	comp->bytes_done = job.read - zs->z.avail_in;
	/* Past dst_len only the size -ENOSPC names was counted, not written. */
	comp->result = comp->status == -ENOSPC ? job.written :
		       min(job.written, d->dst_len);
	if (d->flags & AFD_DESC_F_CRC32)
		comp->checksum = ~job.crc;
}
