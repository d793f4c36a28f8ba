// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: execution of descriptors by the software engine.
 *
 * Descriptor addresses are reached through the context's ops: for the char
 * device the engine has adopted the submitting process's address space, so
 * they are ordinary user addresses (copy_{from,to}_user() fault pages in
 * as they would for the process, and refuse kernel addresses); for the
 * mdev front end they are IOVAs that VFIO translates. Every operation goes
 * through two bounce buffers of AFD_OPS_CHUNK bytes; the descriptor has
 * been copied out of the shared ring before it gets here, so user space
 * cannot change it under us.
 */
#include <linux/crc32c.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "afd_context.h"
#include "afd_ops.h"

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

/* Read @len bytes at @uaddr; on a fault fill in @comp and return false. */
static bool afd_read(struct afd_context *ctx, u64 uaddr, void *buf,
		     size_t len, struct afd_completion *comp)
{
	size_t left = ctx->ops->read(ctx, buf, uaddr, len);

	if (likely(!left))
		return true;
	comp->status = -EFAULT;
	comp->fault_addr = uaddr +
		afd_find_fault(ctx, uaddr, buf, len - left, len, false);
	return false;
}

/* Write @len bytes at @uaddr; on a fault fill in @comp and return false. */
static bool afd_write(struct afd_context *ctx, u64 uaddr, void *buf,
		      size_t len, struct afd_completion *comp)
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

static void afd_memmove(struct afd_context *ctx, const struct afd_desc *d,
			void *buf, struct afd_completion *comp)
{
	/* Copying backwards is what makes an overlap with dst > src safe. */
	bool backwards = d->dst > d->src && d->dst < d->src + d->len;
	u64 left = d->len;

	while (left) {
		size_t n = min_t(u64, left, AFD_OPS_CHUNK);
		u64 off = backwards ? left - n : d->len - left;

		if (!afd_read(ctx, d->src + off, buf, n, comp) ||
		    !afd_write(ctx, d->dst + off, buf, n, comp))
			return;
		comp->bytes_done += n;
		left -= n;
		cond_resched();
	}
}

static void afd_fill(struct afd_context *ctx, const struct afd_desc *d,
		     void *buf, struct afd_completion *comp)
{
	__le64 pattern = cpu_to_le64(d->arg);
	u64 off;
	size_t i;

	/* AFD_OPS_CHUNK is a multiple of 8, so every chunk starts in phase. */
	for (i = 0; i < AFD_OPS_CHUNK; i += sizeof(pattern))
		memcpy(buf + i, &pattern, sizeof(pattern));

	for (off = 0; off < d->len; off += AFD_OPS_CHUNK) {
		size_t n = min_t(u64, d->len - off, AFD_OPS_CHUNK);

		if (!afd_write(ctx, d->dst + off, buf, n, comp))
			return;
		comp->bytes_done += n;
		cond_resched();
	}
}

static void afd_compare(struct afd_context *ctx, const struct afd_desc *d,
			void *buf, struct afd_completion *comp)
{
	void *other = buf + AFD_OPS_CHUNK;
	u64 off;

	comp->result = d->len;
	for (off = 0; off < d->len; off += AFD_OPS_CHUNK) {
		size_t n = min_t(u64, d->len - off, AFD_OPS_CHUNK);
		size_t i;

		if (!afd_read(ctx, d->src + off, buf, n, comp) ||
		    !afd_read(ctx, d->dst + off, other, n, comp))
			return;
		if (memcmp(buf, other, n)) {
			for (i = 0; ((u8 *)buf)[i] == ((u8 *)other)[i]; i++)
				;
			comp->result = off + i;
			comp->bytes_done += i;
			return;
		}
		comp->bytes_done += n;
		cond_resched();
	}
}

static void afd_crc32c(struct afd_context *ctx, const struct afd_desc *d,
		       void *buf, struct afd_completion *comp)
{
	/* The standard CRC-32C inverts in and out; so chaining inverts too. */
	u32 crc = ~(u32)d->arg;
	u64 off;

	for (off = 0; off < d->len; off += AFD_OPS_CHUNK) {
		size_t n = min_t(u64, d->len - off, AFD_OPS_CHUNK);

		if (!afd_read(ctx, d->src + off, buf, n, comp))
			return;
		crc = crc32c(crc, buf, n);
		comp->bytes_done += n;
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
	if (d->rsvd0 || d->rsvd1 || d->rsvd2[0] || d->rsvd2[1])
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
 * afd_desc_execute() - run one descriptor of a context
 * @ctx: the context, entered (&struct afd_context_ops.enter)
 * @desc: the descriptor, a private copy
 * @max_transfer: the device's limit on @desc->len
 * @bounce: two buffers of AFD_OPS_CHUNK bytes
 * @comp: filled with the outcome
 */
void afd_desc_execute(struct afd_context *ctx, const struct afd_desc *desc,
		      u64 max_transfer, void *bounce,
		      struct afd_completion *comp)
{
	memset(comp, 0, sizeof(*comp));
	comp->cookie = desc->cookie;
	comp->status = afd_desc_check(desc, max_transfer);
	if (comp->status)
		return;

	switch (desc->opcode) {
	case AFD_OP_MEMMOVE:
		afd_memmove(ctx, desc, bounce, comp);
		break;
	case AFD_OP_FILL:
		afd_fill(ctx, desc, bounce, comp);
		break;
	case AFD_OP_COMPARE:
		afd_compare(ctx, desc, bounce, comp);
		break;
	case AFD_OP_CRC32C:
		afd_crc32c(ctx, desc, bounce, comp);
		break;
	default:
		break;
	}
}
