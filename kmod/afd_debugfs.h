/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: debugfs, raw ring state and a race window for debugging only.
 */
#ifndef __AFD_DEBUGFS_H__
#define __AFD_DEBUGFS_H__

#include <linux/types.h>

struct afd_device;

void afd_debugfs_init(void);
void afd_debugfs_exit(void);
void afd_debugfs_add_device(struct afd_device *adev);
void afd_debugfs_remove_device(struct afd_device *adev);
void afd_debugfs_widen_race_window(void);
u32 afd_debugfs_race_window_ms(void);

#endif /* __AFD_DEBUGFS_H__ */
