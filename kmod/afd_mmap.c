// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: mapping rings and doorbells into their process.
 *
 * The mmap offset names a queue and a region (AFD_MMAP_OFFSET); the queue
 * must belong to the file's context, the caller must be its process, and
 * the mapping must be shared and exactly the region's size. Each mapping
 * holds a reference on the queue, so its memory outlives DESTROY_QUEUE
 * until munmap(). Mappings are not copied into a forked child (not even
 * after MADV_DOFORK), cannot be grown, moved or split.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/personality.h>
#include <linux/sched.h>

#include "afd_compat.h"
#include "afd_context.h"
#include "afd_drv.h"
#include "afd_mmap.h"
#include "afd_queue.h"

#define AFD_MMAP_ID(off)	(((off) >> 32) & 0xffff)
#define AFD_MMAP_REGION(off)	(((off) >> 28) & 0xf)
/* Bits an offset from AFD_MMAP_OFFSET() never has. */
#define AFD_MMAP_OTHER_BITS	(~(0xffffULL << 32 | 0xfULL << 28))

static void afd_vm_open(struct vm_area_struct *vma)
{
	afd_queue_get(vma->vm_private_data);
}

static void afd_vm_close(struct vm_area_struct *vma)
{
	afd_queue_put(vma->vm_private_data);
}

static int afd_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int afd_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct afd_vm_ops = {
	.open		= afd_vm_open,
	.close		= afd_vm_close,
	.may_split	= afd_vm_may_split,
	.mremap		= afd_vm_mremap,
};

/**
 * afd_queue_mmap() - map one region of a queue
 * @q: the queue; on success the mapping holds a reference of its own
 * @region: AFD_REGION_SQ, AFD_REGION_CQ or AFD_REGION_DOORBELL
 * @vma: the new mapping, which must be shared and exactly the region's size
 *
 * Used by the char device's mmap and by the mdev front end's, so that a
 * queue's memory behaves the same whichever way it was mapped.
 *
 * Return: 0, -EINVAL for a private mapping, an unknown region or a wrong
 * size, -EPERM for an executable mapping (unless the personality asked
 * for it: READ_IMPLIES_EXEC), or the error of
 * vm_map_pages_zero().
 */
int afd_queue_mmap(struct afd_queue *q, unsigned int region,
		   struct vm_area_struct *vma)
{
	struct afd_region *r;
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/*
	 * Memory the kernel writes is never code: no PROT_EXEC, now or later.
	 * A personality with READ_IMPLIES_EXEC turns every PROT_READ into
	 * PROT_EXEC without asking; such a process gets the mapping without
	 * it, and page protections that say so.
	 */
	if (vma->vm_flags & VM_EXEC) {
		if (!(current->personality & READ_IMPLIES_EXEC))
			return -EPERM;
		afd_vma_clear_flags(vma, VM_EXEC);
		vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	}

	switch (region) {
	case AFD_REGION_SQ:
		r = &q->sq_region;
		break;
	case AFD_REGION_CQ:
		r = &q->cq_region;
		break;
	case AFD_REGION_DOORBELL:
		r = &q->db_region;
		break;
	default:
		return -EINVAL;
	}
	if (vma_pages(vma) != r->nr_pages)
		return -EINVAL;

	/* VM_IO: madvise(MADV_DOFORK) must not undo VM_DONTCOPY. */
	afd_vma_set_flags(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP |
			       VM_IO);
	afd_vma_clear_flags(vma, VM_MAYEXEC);
	/* The offset names the region, not a page in it: map from its start. */
	ret = vm_map_pages_zero(vma, r->pages, r->nr_pages);
	if (ret)
		return ret;

	afd_queue_get(q);
	vma->vm_private_data = q;
	vma->vm_ops = &afd_vm_ops;
	return 0;
}
EXPORT_SYMBOL_GPL(afd_queue_mmap);

static int afd_mmap_queue(struct afd_context *ctx, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct afd_queue *q;
	int ret;

	if (off & AFD_MMAP_OTHER_BITS)
		return -EINVAL;
	q = afd_context_get_queue(ctx, AFD_MMAP_ID(off));
	if (IS_ERR(q))
		return -EINVAL;
	ret = afd_queue_mmap(q, AFD_MMAP_REGION(off), vma);
	afd_queue_put(q);
	return ret;
}

/**
 * afd_mmap() - the mmap file operation of /dev/accelN
 * @file: an accelfd file
 * @vma: the new mapping
 *
 * Return: 0; -EBADF from a process other than the opener; -ENODEV once
 * the device is removed; -EINVAL for a private mapping, an offset that
 * names no region of this file's queues, or a size other than the
 * region's; -EPERM for PROT_EXEC, except from a READ_IMPLIES_EXEC
 * process, whose mapping is made without exec; -ENOMEM.
 */
int afd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct afd_context *ctx = file->private_data;
	int idx, ret;

	if (!afd_context_is_owner(ctx))
		return -EBADF;
	idx = afd_device_enter(ctx->adev);
	if (idx < 0)
		return idx;
	ret = afd_mmap_queue(ctx, vma);
	afd_device_exit(ctx->adev, idx);
	return ret;
}
