/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: mapping rings and doorbells into their process.
 */
#ifndef __AFD_MMAP_H__
#define __AFD_MMAP_H__

struct file;
struct vm_area_struct;

int afd_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* __AFD_MMAP_H__ */
