// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: execution of descriptors by the software engine.
 *
 * Descriptor addresses are reached through the context's ops: for the char
 * device the engine has adopted the submitting process's address space, so
 * they are ordinary user addresses (copy_{from,to}_user() fault pages in
 * as they would for the process, and refuse kernel addresses); for the
 * mdev front end they are IOVAs that VFIO translates. The descriptor has
 * been copied out of the shared ring before it gets here, so user space
 * cannot change it under us.
 *
 * Where the context can pin its pages (the char device), user memory is
 * touched once: the pages one side needs are pinned, a chunk at a time, and
 * copied to the other side, compared or checksummed where they are. What
 * cannot be pinned (a fault, a PFN mapping), a context that cannot pin (an
 * mdev) and a MEMMOVE whose buffers overlap go through two bounce buffers,
 * which also find a fault's exact address.
 */
#include <linux/crc32c.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "afd_context.h"
#include "afd_copy.h"
#include "afd_ops.h"
#include "afd_queue.h"
#include "afd_stream.h"

/*
 * A chunk copy failed after @done bytes of @len at @uaddr: copy the rest
 * byte by byte to learn exactly where the fault is. For writes the bytes
 * are the ones the operation meant to store anyway.
 */
static size_t afd_find_fault(struct afd_context *ctx, u64 uaddr, void *buf,
			     size_t done, size_t len, bool write)
{
	for (; done < len; done++) {
		if (write ? ctx->ops->write(ctx, uaddr + done, buf + done, 1) :
			    ctx->ops->read(ctx, buf + done, uaddr + done, 1))
			break;
	}
	return done;
}

/**
 * afd_ops_read() - read descriptor memory into a kernel buffer
 * @ctx: the descriptor's context, entered
 * @uaddr: descriptor address
 * @buf: where to
 * @len: how much
 * @comp: on a fault, gets -EFAULT and the first address that faults
 *
 * Return: true if all was read.
 */
bool afd_ops_read(struct afd_context *ctx, u64 uaddr, void *buf, size_t len,
		  struct afd_completion *comp)
{
	size_t left = ctx->ops->read(ctx, buf, uaddr, len);

	if (likely(!left))
		return true;
	comp->status = -EFAULT;
	comp->fault_addr = uaddr +
		afd_find_fault(ctx, uaddr, buf, len - left, len, false);
	return false;
}

/**
 * afd_ops_write() - write a kernel buffer to descriptor memory
 * @ctx: the descriptor's context, entered
 * @uaddr: descriptor address
 * @buf: what
 * @len: how much
 * @comp: on a fault, gets -EFAULT and the first address that faults, and
 *	@comp->bytes_done grows by what was written before it
 *
 * Return: true if all was written.
 */
bool afd_ops_write(struct afd_context *ctx, u64 uaddr, void *buf, size_t len,
		   struct afd_completion *comp)
{
	size_t left = ctx->ops->write(ctx, uaddr, buf, len);
	size_t done;

	if (likely(!left))
		return true;
	done = afd_find_fault(ctx, uaddr, buf, len - left, len, true);
	comp->status = -EFAULT;
	comp->fault_addr = uaddr + done;
	comp->bytes_done += done;
	return false;
}

/*
 * Pins the pages under [@addr, @addr + @len), @len at most
 * AFD_OPS_PIN_BYTES less the offset of @addr in its page, into @pages.
 * Returns how many of the @len bytes are pinned (from @addr on; 0 if the
 * context cannot pin), their pages in *@nr.
 */
static size_t afd_pin(struct afd_context *ctx, u64 addr, size_t len,
		      bool write, struct page **pages, unsigned int *nr)
{
	unsigned int want = DIV_ROUND_UP(offset_in_page(addr) + len, PAGE_SIZE);
	int got;

	/* The callers' chunks fit: @pages has room for no more. */
	if (WARN_ON_ONCE(want > AFD_OPS_PIN_PAGES))
		want = AFD_OPS_PIN_PAGES;
	got = ctx->ops->pin ? ctx->ops->pin(ctx, addr, want, write, pages) : 0;

	*nr = max(got, 0);
	if (!*nr)
		return 0;
	return min_t(size_t, len, (size_t)*nr * PAGE_SIZE - offset_in_page(addr));
}

/* @written: the engine stored into the pages through its own mapping. */
static void afd_unpin(struct afd_context *ctx, struct page **pages,
		      unsigned int nr, bool written)
{
	if (nr)
		ctx->ops->unpin(ctx, pages, nr, written);
}

/* How much of a buffer at @addr one chunk takes: up to AFD_OPS_PIN_BYTES. */
static size_t afd_chunk(u64 addr, u64 left)
{
	return min_t(u64, left, AFD_OPS_PIN_BYTES - offset_in_page(addr));
}

/* The page of @pages, pinned from @start's on, that holds @start + @off. */
static struct page *afd_page_at(struct page **pages, u64 start, size_t off)
{
	return pages[(offset_in_page(start) + off) >> PAGE_SHIFT];
}

/*
 * Maps the piece of a buffer pinned from @addr on (@pages[0] holds its
 * page) that starts @off bytes in and lies in one page, of at most @len - @off
 * bytes (*@n). kunmap_local() takes the address returned.
 */
static void *afd_map_piece(struct page **pages, u64 addr, size_t off,
			   size_t len, size_t *n)
{
	*n = min(len - off, PAGE_SIZE - offset_in_page(addr + off));
	return kmap_local_page(afd_page_at(pages, addr, off)) +
	       offset_in_page(addr + off);
}

/* The bounce path of one chunk: read @n bytes at @src, write them at @dst. */
static bool afd_bounce_copy(struct afd_context *ctx, u64 dst, u64 src,
			    size_t n, void *buf, struct afd_completion *comp)
{
	if (!afd_ops_read(ctx, src, buf, n, comp) ||
	    !afd_ops_write(ctx, dst, buf, n, comp))
		return false;
	comp->bytes_done += n;
	return true;
}

/*
 * One chunk of a MEMMOVE whose buffers do not overlap: both pinned and
 * copied between their kernel mappings, or bounced where they cannot be
 * pinned. Returns false at a fault; *@done is what the chunk moved.
 */
static bool afd_copy_chunk(struct afd_context *ctx, u64 dst, u64 src,
			   size_t n, struct afd_ops_scratch *s,
			   struct afd_completion *comp, size_t *done)
{
	struct page **src_pages = s->pages;
	struct page **dst_pages = s->pages + AFD_OPS_PIN_PAGES;
	unsigned int src_nr, dst_nr, written;
	size_t pinned, off, piece;

	pinned = min(afd_pin(ctx, src, n, false, src_pages, &src_nr),
		     afd_pin(ctx, dst, n, true, dst_pages, &dst_nr));
	if (pinned)
		afd_copy_begin();
	for (off = 0; off < pinned; off += piece) {
		void *from = kmap_local_page(afd_page_at(src_pages, src, off));
		void *to = kmap_local_page(afd_page_at(dst_pages, dst, off));

		piece = min3(pinned - off, PAGE_SIZE - offset_in_page(src + off),
			     PAGE_SIZE - offset_in_page(dst + off));
		afd_copy(to + offset_in_page(dst + off),
			 from + offset_in_page(src + off), piece);
		kunmap_local(to);
		kunmap_local(from);
	}
	if (pinned)
		afd_copy_end();
	/* Only the pages written are dirty: the copy may have stopped short. */
	written = pinned ? DIV_ROUND_UP(offset_in_page(dst) + pinned, PAGE_SIZE) : 0;
	afd_unpin(ctx, dst_pages, written, true);
	afd_unpin(ctx, dst_pages + written, dst_nr - written, false);
	afd_unpin(ctx, src_pages, src_nr, false);
	comp->bytes_done += pinned;
	if (pinned) {
		*done = pinned;
		return true;
	}
	/* Not pinned: a fault, a read-only page, or a PFN mapping. */
	*done = min_t(size_t, n, AFD_OPS_CHUNK);
	return afd_bounce_copy(ctx, dst, src, *done, s->bounce, comp);
}

static void afd_memmove(struct afd_context *ctx, const struct afd_desc *d,
			struct afd_ops_scratch *s, struct afd_completion *comp)
{
	bool overlap = d->dst < d->src + d->len && d->src < d->dst + d->len;
	/* Copying backwards is what makes an overlap with dst > src safe. */
	bool backwards = overlap && d->dst > d->src;
	u64 left = d->len;
	size_t n;

	while (left) {
		u64 off = d->len - left;

		if (overlap) {
			/* Bounced: a pinned source would change under the copy. */
			n = min_t(u64, left, AFD_OPS_CHUNK);
			if (backwards)
				off = left - n;
			if (!afd_bounce_copy(ctx, d->dst + off, d->src + off, n,
					     s->bounce, comp))
				return;
		} else if (!afd_copy_chunk(ctx, d->dst + off, d->src + off,
					   min(afd_chunk(d->src + off, left),
					       afd_chunk(d->dst + off, left)),
					   s, comp, &n)) {
			return;
		}
		left -= n;
		cond_resched();
	}
}

static void afd_fill(struct afd_context *ctx, const struct afd_desc *d,
		     struct afd_ops_scratch *s, struct afd_completion *comp)
{
	__le64 pattern = cpu_to_le64(d->arg);
	void *buf = s->bounce;
	u64 off;
	size_t i;

	/*
	 * The pattern's source: user memory is written once, from here.
	 * AFD_OPS_CHUNK is a multiple of 8, so every chunk starts in phase.
	 */
	for (i = 0; i < AFD_OPS_CHUNK; i += sizeof(pattern))
		memcpy(buf + i, &pattern, sizeof(pattern));

	for (off = 0; off < d->len; off += AFD_OPS_CHUNK) {
		size_t n = min_t(u64, d->len - off, AFD_OPS_CHUNK);

		if (!afd_ops_write(ctx, d->dst + off, buf, n, comp))
			return;
		comp->bytes_done += n;
		cond_resched();
	}
}

/*
 * Offset of the first difference of @a and @b, or @n if none. Bounded
 * twice: pinned pages are the process's, which may change them between
 * memcmp() and the scan.
 */
static size_t afd_mismatch(const void *a, const void *b, size_t n)
{
	size_t i;

	if (!memcmp(a, b, n))
		return n;
	for (i = 0; i < n && ((const u8 *)a)[i] == ((const u8 *)b)[i]; i++)
		;
	return i;
}

/* Compares @n bytes at @off of both buffers; false at a difference or fault. */
static bool afd_compare_chunk(struct afd_context *ctx,
			      const struct afd_desc *d, u64 off, size_t n,
			      struct afd_ops_scratch *s,
			      struct afd_completion *comp)
{
	struct page **src_pages = s->pages;
	struct page **dst_pages = s->pages + AFD_OPS_PIN_PAGES;
	unsigned int src_nr, dst_nr;
	size_t done = 0, same;
	bool equal = true;

	/* Both sides pinned: compared where they are. */
	n = min(afd_pin(ctx, d->src + off, n, false, src_pages, &src_nr),
		afd_pin(ctx, d->dst + off, n, false, dst_pages, &dst_nr));
	while (equal && done < n) {
		u64 a = d->src + off + done, b = d->dst + off + done;
		size_t piece = min3(n - done, PAGE_SIZE - offset_in_page(a),
				    PAGE_SIZE - offset_in_page(b));
		void *ka = kmap_local_page(afd_page_at(src_pages, d->src + off,
						       done));
		void *kb = kmap_local_page(afd_page_at(dst_pages, d->dst + off,
						       done));

		same = afd_mismatch(ka + offset_in_page(a), kb + offset_in_page(b),
				    piece);
		kunmap_local(kb);
		kunmap_local(ka);
		done += same;
		equal = same == piece;
	}
	afd_unpin(ctx, dst_pages, dst_nr, false);
	afd_unpin(ctx, src_pages, src_nr, false);
	comp->bytes_done += done;
	if (!equal) {
		comp->result = off + done;
		return false;
	}
	return true;
}

/* The bounce path of COMPARE, for what could not be pinned. */
static bool afd_compare_bounced(struct afd_context *ctx,
				const struct afd_desc *d, u64 off, size_t n,
				struct afd_ops_scratch *s,
				struct afd_completion *comp)
{
	void *a = s->bounce, *b = s->bounce + AFD_OPS_CHUNK;
	size_t same;

	if (!afd_ops_read(ctx, d->src + off, a, n, comp) ||
	    !afd_ops_read(ctx, d->dst + off, b, n, comp))
		return false;
	same = afd_mismatch(a, b, n);
	comp->bytes_done += same;
	if (same < n) {
		comp->result = off + same;
		return false;
	}
	return true;
}

static void afd_compare(struct afd_context *ctx, const struct afd_desc *d,
			struct afd_ops_scratch *s, struct afd_completion *comp)
{
	u64 off = 0;

	comp->result = d->len;
	while (off < d->len) {
		size_t n = min(afd_chunk(d->src + off, d->len - off),
			       afd_chunk(d->dst + off, d->len - off));
		u64 before = comp->bytes_done;

		if (!afd_compare_chunk(ctx, d, off, n, s, comp))
			return;
		off += comp->bytes_done - before;
		/* Not pinned: a fault, or a PFN mapping; one bounce chunk. */
		if (comp->bytes_done == before) {
			n = min_t(u64, d->len - off, AFD_OPS_CHUNK);
			if (!afd_compare_bounced(ctx, d, off, n, s, comp))
				return;
			off += n;
		}
		cond_resched();
	}
}

static void afd_crc32c(struct afd_context *ctx, const struct afd_desc *d,
		       struct afd_ops_scratch *s, struct afd_completion *comp)
{
	/* The standard CRC-32C inverts in and out; so chaining inverts too. */
	u32 crc = ~(u32)d->arg;
	u64 off = 0;

	while (off < d->len) {
		size_t n = afd_chunk(d->src + off, d->len - off), at, piece;
		unsigned int nr;
		size_t pinned = afd_pin(ctx, d->src + off, n, false, s->pages,
					&nr);

		/* Checksummed where they are. */
		for (at = 0; at < pinned; at += piece) {
			void *kaddr = afd_map_piece(s->pages, d->src + off, at,
						    pinned, &piece);

			crc = crc32c(crc, kaddr, piece);
			kunmap_local(kaddr);
		}
		afd_unpin(ctx, s->pages, nr, false);
		/* Not pinned: a fault, or a PFN mapping; one chunk bounced. */
		n = pinned ? pinned : min_t(u64, d->len - off, AFD_OPS_CHUNK);
		if (!pinned) {
			if (!afd_ops_read(ctx, d->src + off, s->bounce, n, comp))
				return;
			crc = crc32c(crc, s->bounce, n);
		}
		comp->bytes_done += n;
		off += n;
		cond_resched();
	}
	comp->result = ~crc;
}

/* Validation common to all operations; returns 0 or a negative errno. */
static int afd_desc_check(const struct afd_desc *d, u64 max_transfer)
{
	bool uses_src, uses_dst;

	if (d->flags & ~AFD_DESC_FLAGS_ALL)
		return -EINVAL;
	if (d->rsvd0 || d->rsvd2)
		return -EINVAL;
	if (d->opcode == AFD_OP_DEFLATE || d->opcode == AFD_OP_INFLATE)
		return afd_zlib_check(d, max_transfer);
	if (d->flags || d->stream || d->dst_len)
		return -EINVAL;

	switch (d->opcode) {
	case AFD_OP_NOP:
		return d->src || d->dst || d->len || d->arg ? -EINVAL : 0;
	case AFD_OP_MEMMOVE:
	case AFD_OP_COMPARE:
		uses_src = true;
		uses_dst = true;
		if (d->arg)
			return -EINVAL;
		break;
	case AFD_OP_FILL:
		uses_src = false;
		uses_dst = true;
		if (d->src)
			return -EINVAL;
		break;
	case AFD_OP_CRC32C:
		uses_src = true;
		uses_dst = false;
		if (d->dst || d->arg > U32_MAX)
			return -EINVAL;
		break;
	default:
		return -EOPNOTSUPP;
	}

	if (d->len > max_transfer)
		return -E2BIG;
	if ((uses_src && d->src + d->len < d->src) ||
	    (uses_dst && d->dst + d->len < d->dst))
		return -EOVERFLOW;
	return 0;
}

/**
 * afd_ops_scratch_alloc() - what one engine thread lends afd_desc_execute()
 *
 * Return: the scratch, or NULL without memory.
 */
struct afd_ops_scratch *afd_ops_scratch_alloc(void)
{
	struct afd_ops_scratch *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->bounce = kvmalloc(2 * AFD_OPS_CHUNK, GFP_KERNEL);
	if (!s->bounce)
		goto err_free;
	if (afd_zlib_init(&s->deflate, AFD_OP_DEFLATE, AFD_DEFLATE_LEVEL_MIN,
			  GFP_KERNEL))
		goto err_free_bounce;
	if (afd_zlib_init(&s->inflate, AFD_OP_INFLATE, 0, GFP_KERNEL))
		goto err_free_deflate;
	return s;

err_free_deflate:
	afd_zlib_free(&s->deflate);
err_free_bounce:
	kvfree(s->bounce);
err_free:
	kfree(s);
	return NULL;
}

/**
 * afd_ops_scratch_free() - free what afd_ops_scratch_alloc() returned
 * @s: the scratch, or NULL
 */
void afd_ops_scratch_free(struct afd_ops_scratch *s)
{
	if (!s)
		return;
	afd_zlib_free(&s->inflate);
	afd_zlib_free(&s->deflate);
	kvfree(s->bounce);
	kfree(s);
}

/*
 * Field by field, not memset(): that is a string instruction, which an
 * emulator runs an iteration at a time, for every NOP.
 */
static void afd_comp_init(struct afd_completion *comp, u64 cookie, int status)
{
	comp->cookie = cookie;
	comp->result = 0;
	comp->bytes_done = 0;
	comp->fault_addr = 0;
	comp->status = status;
	comp->flags = 0;
	comp->checksum = 0;
	comp->rsvd = 0;
}

/**
 * afd_desc_cancel() - complete a descriptor without running it
 * @desc: the descriptor
 * @comp: filled with -ECANCELED
 */
void afd_desc_cancel(const struct afd_desc *desc, struct afd_completion *comp)
{
	afd_comp_init(comp, desc->cookie, -ECANCELED);
}

/* DEFLATE and INFLATE: stateless, or on the queue's stream @d names. */
static void afd_codec(struct afd_queue *q, const struct afd_desc *d,
		      u64 max_transfer, struct afd_ops_scratch *s,
		      struct afd_completion *comp)
{
	struct afd_stream *stream = NULL;

	if (d->stream) {
		stream = afd_stream_get(q, d->stream);
		if (!stream) {
			comp->status = -ENOENT;
			return;
		}
		if (stream->zlib.op != d->opcode) {
			comp->status = -EINVAL;
			afd_stream_put(stream);
			return;
		}
	}
	afd_zlib_execute(q->ctx, stream ? &stream->zlib : NULL, d, max_transfer,
			 s, comp);
	if (stream)
		afd_stream_put(stream);
}

/**
 * afd_desc_execute() - run one descriptor of a queue
 * @q: the queue; its context is entered (&struct afd_context_ops.enter)
 *	unless the descriptor is a NOP
 * @desc: the descriptor, a private copy
 * @max_transfer: the device's limit on @desc->len
 * @scratch: the engine thread's buffers (NULL is fine for a NOP)
 * @comp: filled with the outcome
 */
void afd_desc_execute(struct afd_queue *q, const struct afd_desc *desc,
		      u64 max_transfer, struct afd_ops_scratch *scratch,
		      struct afd_completion *comp)
{
	struct afd_context *ctx = q->ctx;

	afd_comp_init(comp, desc->cookie, afd_desc_check(desc, max_transfer));
	if (comp->status)
		return;

	switch (desc->opcode) {
	case AFD_OP_MEMMOVE:
		afd_memmove(ctx, desc, scratch, comp);
		break;
	case AFD_OP_FILL:
		afd_fill(ctx, desc, scratch, comp);
		break;
	case AFD_OP_COMPARE:
		afd_compare(ctx, desc, scratch, comp);
		break;
	case AFD_OP_CRC32C:
		afd_crc32c(ctx, desc, scratch, comp);
		break;
	case AFD_OP_DEFLATE:
	case AFD_OP_INFLATE:
		afd_codec(q, desc, max_transfer, scratch, comp);
		break;
	default:
		break;
	}
}
