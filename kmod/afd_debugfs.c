// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: debugfs, for debugging only.
 *
 * /sys/kernel/debug/accelfd/accelN/rings shows every queue's indices as
 * the kernel keeps them beside the copies user space can write, which is
 * what one wants to see when a queue stalls or went to the error state.
 * /sys/kernel/debug/accelfd/race_window_ms widens, for tests, the windows
 * in which earlier versions of the module raced (see
 * afd_debugfs_widen_race_window()). Nothing here is an interface: tools
 * read sysfs.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kfifo.h>
#include <linux/seq_file.h>

#include "afd_context.h"
#include "afd_debugfs.h"
#include "afd_drv.h"
#include "afd_queue.h"

static struct dentry *afd_debugfs_root;

/* Milliseconds each widened window lasts; 0 (the default) widens none. */
static u32 afd_race_window_ms;

/**
 * afd_debugfs_race_window_ms() - how long a widened window lasts
 *
 * For front ends whose windows are not a sleep in one place: accelfd_mdev
 * holds a removed device's mdev type this long past its unregistration.
 *
 * Return: the window in milliseconds, 0 when windows are not widened.
 */
u32 afd_debugfs_race_window_ms(void)
{
	return READ_ONCE(afd_race_window_ms);
}
EXPORT_SYMBOL_GPL(afd_debugfs_race_window_ms);

/**
 * afd_debugfs_widen_race_window() - sleep where a race used to be
 *
 * Called at the points where a concurrent operator's action once did harm
 * (a device removed twice, an open before the device's sysfs directories
 * existed, a killed eviction's notify after an mdev was freed), so that the
 * guest suite can hold the window open and show that what is done there
 * today is safe. Root alone can set the delay.
 */
void afd_debugfs_widen_race_window(void)
{
	u32 ms = afd_debugfs_race_window_ms();

	if (ms)
		msleep(ms);
}

static int afd_rings_show(struct seq_file *m, void *unused)
{
	struct afd_device *adev = m->private;
	struct afd_queue *q;
	unsigned long id;

	seq_puts(m, "queue pid state sq_head doorbell sq_hdr_head sq_flags fifo cq_tail cq_hdr_head cq_hdr_tail cq_flags\n");
	/* Listed queues are alive, memory and all, while the lock is held. */
	xa_lock(&adev->queues);
	xa_for_each(&adev->queues, id, q)
		seq_printf(m, "%u %d %d %u %u %u 0x%x %u %u %u %u 0x%x\n",
			   q->id, pid_nr(q->ctx->owner), afd_queue_state(q),
			   READ_ONCE(q->sq_head), READ_ONCE(*q->doorbell),
			   READ_ONCE(q->sq_hdr->head),
			   READ_ONCE(q->sq_hdr->flags),
			   kfifo_len(&q->submit_fifo), READ_ONCE(q->cq_tail),
			   READ_ONCE(q->cq_hdr->head),
			   READ_ONCE(q->cq_hdr->tail),
			   READ_ONCE(q->cq_hdr->flags));
	xa_unlock(&adev->queues);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(afd_rings);

void afd_debugfs_init(void)
{
	afd_debugfs_root = debugfs_create_dir("accelfd", NULL);
	debugfs_create_u32("race_window_ms", 0600, afd_debugfs_root,
			   &afd_race_window_ms);
}

void afd_debugfs_exit(void)
{
	debugfs_remove(afd_debugfs_root);
}

void afd_debugfs_add_device(struct afd_device *adev)
{
	adev->debugfs = debugfs_create_dir(dev_name(&adev->dev),
					   afd_debugfs_root);
	debugfs_create_file("rings", 0400, adev->debugfs, adev,
			    &afd_rings_fops);
}

/* Waits for readers of the files to finish. */
void afd_debugfs_remove_device(struct afd_device *adev)
{
	debugfs_remove(adev->debugfs);
}
