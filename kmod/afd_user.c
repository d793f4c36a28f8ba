// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: per-user accounting on a device.
 *
 * The per-process limit alone lets one user take every queue of a device
 * with enough processes, or keep the slots of processes that passed their
 * files on and exited. Each user (uid) therefore has, per device, a count
 * of live queues and of ring pages not yet freed, bounded by the device's
 * max_queues_per_user and max_memory_per_user. A queue's slot is released
 * when it is destroyed; its pages when they are freed, at the last
 * munmap(), which may come much later.
 */
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "afd_drv.h"
#include "afd_user.h"

/**
 * struct afd_user_usage - what one user holds on a device
 * @node: entry in &struct afd_device.users
 * @uid: the user
 * @queues: its live queues
 * @pages: ring pages of its queues, live or destroyed, not yet freed
 */
struct afd_user_usage {
	struct list_head node;
	kuid_t uid;
	u32 queues;
	unsigned long pages;
};

static struct afd_user_usage *afd_user_find(struct afd_device *adev,
					    kuid_t uid)
{
	struct afd_user_usage *usage;

	lockdep_assert_held(&adev->users_lock);
	list_for_each_entry(usage, &adev->users, node)
		if (uid_eq(usage->uid, uid))
			return usage;
	return NULL;
}

/* Forgets a user that holds nothing any more. */
static void afd_user_put_if_idle(struct afd_user_usage *usage)
{
	if (usage->queues || usage->pages)
		return;
	list_del(&usage->node);
	kfree(usage);
}

/**
 * afd_user_charge() - count a new queue or stream and its pages against a user
 * @adev: the device
 * @uid: the creator
 * @queues: 1 for a queue, 0 for a stream (which has only memory)
 * @pages: its ring and doorbell pages, or a stream's state
 * @unlimited: the creator may exceed the per-user limits (CAP_SYS_RESOURCE,
 *	as for rlimits); it is counted all the same
 *
 * Return: 0; -ENOSPC at max_queues_per_user; -ENOMEM at
 * max_memory_per_user or when memory is short.
 */
int afd_user_charge(struct afd_device *adev, kuid_t uid, u32 queues,
		    unsigned long pages, bool unlimited)
{
	u32 max_queues = READ_ONCE(adev->limits.max_queues_per_user);
	u64 max_bytes = READ_ONCE(adev->limits.max_memory_per_user);
	struct afd_user_usage *usage, *fresh;
	int ret = 0;

	/* Allocated before the lock, freed again if the user has an entry. */
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return -ENOMEM;

	spin_lock(&adev->users_lock);
	usage = afd_user_find(adev, uid);
	if (!usage) {
		usage = fresh;
		fresh = NULL;
		usage->uid = uid;
		list_add(&usage->node, &adev->users);
	}
	if (!unlimited && queues && usage->queues >= max_queues) {
		ret = -ENOSPC;
	} else if (!unlimited &&
		   (u64)(usage->pages + pages) << PAGE_SHIFT > max_bytes) {
		ret = -ENOMEM;
	} else {
		usage->queues += queues;
		usage->pages += pages;
	}
	afd_user_put_if_idle(usage);
	spin_unlock(&adev->users_lock);
	kfree(fresh);
	return ret;
}

/**
 * afd_user_release_queue() - a user's queue was destroyed
 * @adev: the device
 * @uid: the queue's creator
 */
void afd_user_release_queue(struct afd_device *adev, kuid_t uid)
{
	struct afd_user_usage *usage;

	spin_lock(&adev->users_lock);
	usage = afd_user_find(adev, uid);
	if (!WARN_ON_ONCE(!usage || !usage->queues)) {
		usage->queues--;
		afd_user_put_if_idle(usage);
	}
	spin_unlock(&adev->users_lock);
}

/**
 * afd_user_release_pages() - a user's ring or stream pages were freed
 * @adev: the device
 * @uid: their creator
 * @pages: how many
 */
void afd_user_release_pages(struct afd_device *adev, kuid_t uid,
			    unsigned long pages)
{
	struct afd_user_usage *usage;

	spin_lock(&adev->users_lock);
	usage = afd_user_find(adev, uid);
	if (!WARN_ON_ONCE(!usage || usage->pages < pages)) {
		usage->pages -= pages;
		afd_user_put_if_idle(usage);
	}
	spin_unlock(&adev->users_lock);
}
