/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: the engine's copies between kernel mappings of pinned pages.
 */
#ifndef __AFD_COPY_H__
#define __AFD_COPY_H__

#include <linux/types.h>

void afd_copy_init(void);
void afd_copy_begin(void);
void afd_copy(void *dst, const void *src, size_t len);
void afd_copy_end(void);

#endif /* __AFD_COPY_H__ */
