/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: mapping rings and doorbells into their process.
 */
#ifndef __AFD_MMAP_H__
#define __AFD_MMAP_H__

struct afd_queue;
struct file;
struct vm_area_struct;

int afd_mmap(struct file *file, struct vm_area_struct *vma);
int afd_queue_mmap(struct afd_queue *q, unsigned int region,
		   struct vm_area_struct *vma);

#endif /* __AFD_MMAP_H__ */
