/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accelfd: what each user holds on a device, against its per-user limits.
 */
#ifndef __AFD_USER_H__
#define __AFD_USER_H__

#include <linux/types.h>
#include <linux/uidgid.h>

struct afd_device;

int afd_user_charge(struct afd_device *adev, kuid_t uid, u32 queues,
		    unsigned long pages, bool unlimited);
void afd_user_release_queue(struct afd_device *adev, kuid_t uid);
void afd_user_release_pages(struct afd_device *adev, kuid_t uid,
			    unsigned long pages);

#endif /* __AFD_USER_H__ */
