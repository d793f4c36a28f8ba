// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: module entry, character devices and their file operations.
 *
 * Each software device is /dev/accelN in the class "accelfd" (the DRM accel
 * subsystem owns the class name "accel" on Linux 6.2 and later). Every
 * open() creates a context bound to the opening process.
 */
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "afd_compat.h"
#include "afd_context.h"
#include "afd_drv.h"
#include "afd_engine.h"
#include "afd_ioctl.h"
#include "afd_mmap.h"
#include "afd_ops.h"
#include "afd_queue.h"
#include "afd_sysfs.h"

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of software devices (1-64, default 1)");

static unsigned int num_engines = 2;
module_param(num_engines, uint, 0444);
MODULE_PARM_DESC(num_engines, "Engines per device (1-16, default 2)");

#define AFD_MAX_ENGINES 16

static const struct afd_limits afd_default_limits = {
	.max_queues_per_process = 16,
	.max_queues = 256,
	.min_ring_entries = 8,
	.max_ring_entries = 4096,
	.max_transfer = 16 << 20,
};

static dev_t afd_devt;
static struct class *afd_class;
/* Written only at module init and exit. */
static struct afd_device *afd_devices[AFD_MAX_DEVICES];

static int afd_open(struct inode *inode, struct file *file)
{
	struct afd_device *adev =
		container_of(inode->i_cdev, struct afd_device, cdev);
	struct afd_context *ctx;

	ctx = afd_context_create(adev);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

static int afd_release(struct inode *inode, struct file *file)
{
	afd_context_destroy(file->private_data);
	return 0;
}

/* Readable when a queue has completions to consume; error if one failed. */
static __poll_t afd_poll(struct file *file, poll_table *wait)
{
	struct afd_context *ctx = file->private_data;
	struct afd_queue *q;
	unsigned long id;
	__poll_t mask = 0;

	if (!afd_context_is_owner(ctx))
		return EPOLLERR;
	poll_wait(file, &ctx->wq, wait);

	mutex_lock(&ctx->lock);
	xa_for_each(&ctx->queues, id, q) {
		if (afd_queue_state(q) == AFD_Q_ERROR)
			mask |= EPOLLERR;
		if (afd_queue_cq_pending(q))
			mask |= EPOLLIN | EPOLLRDNORM;
		/* An engine asleep behind a full CQ the caller since drained. */
		if (afd_queue_need_wakeup(q))
			ctx->adev->engine_ops->kick(ctx->adev, q);
	}
	mutex_unlock(&ctx->lock);
	return mask;
}

static const struct file_operations afd_fops = {
	.owner		= THIS_MODULE,
	.open		= afd_open,
	.release	= afd_release,
	.poll		= afd_poll,
	.mmap		= afd_mmap,
	.unlocked_ioctl	= afd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static void afd_device_release(struct device *dev)
{
	struct afd_device *adev = to_afd_device(dev);

	ida_destroy(&adev->queue_ids);
	kfree(adev);
}

static struct afd_device *afd_device_add(u32 index)
{
	struct afd_device *adev;
	int ret;

	adev = kzalloc(sizeof(*adev), GFP_KERNEL);
	if (!adev)
		return ERR_PTR(-ENOMEM);

	adev->index = index;
	adev->engine_count = num_engines;
	adev->ops_supported = AFD_SW_OPS_SUPPORTED;
	adev->engine_ops = &afd_sw_engine_ops;
	adev->limits = afd_default_limits;
	adev->state = AFD_DEV_ENABLED;
	mutex_init(&adev->lock);
	INIT_LIST_HEAD(&adev->contexts);
	ida_init(&adev->queue_ids);

	device_initialize(&adev->dev);
	adev->dev.class = afd_class;
	adev->dev.devt = MKDEV(MAJOR(afd_devt), index);
	adev->dev.groups = afd_device_groups;
	adev->dev.release = afd_device_release;
	ret = dev_set_name(&adev->dev, "accel%u", index);
	if (ret)
		goto err_put_device;

	ret = adev->engine_ops->start(adev);
	if (ret)
		goto err_put_device;

	cdev_init(&adev->cdev, &afd_fops);
	adev->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&adev->cdev, &adev->dev);
	if (ret)
		goto err_stop_engine;

	return adev;

err_stop_engine:
	adev->engine_ops->stop(adev);
err_put_device:
	put_device(&adev->dev);
	return ERR_PTR(ret);
}

static void afd_device_remove(struct afd_device *adev)
{
	mutex_lock(&adev->lock);
	adev->state = AFD_DEV_REMOVING;
	mutex_unlock(&adev->lock);

	cdev_device_del(&adev->cdev, &adev->dev);
	/* Open files hold the module, so no queue is left by now. */
	adev->engine_ops->stop(adev);
	put_device(&adev->dev);
}

static void afd_remove_devices(void)
{
	int i;

	for (i = AFD_MAX_DEVICES - 1; i >= 0; i--) {
		if (afd_devices[i])
			afd_device_remove(afd_devices[i]);
		afd_devices[i] = NULL;
	}
}

static int __init afd_init(void)
{
	unsigned int i;
	int ret;

	if (num_devices < 1 || num_devices > AFD_MAX_DEVICES) {
		pr_err("accelfd: num_devices=%u is outside 1-%u\n",
		       num_devices, AFD_MAX_DEVICES);
		return -EINVAL;
	}
	if (num_engines < 1 || num_engines > AFD_MAX_ENGINES) {
		pr_err("accelfd: num_engines=%u is outside 1-%u\n",
		       num_engines, AFD_MAX_ENGINES);
		return -EINVAL;
	}

	ret = alloc_chrdev_region(&afd_devt, 0, AFD_MAX_DEVICES, "accelfd");
	if (ret)
		return ret;

	afd_class = afd_class_create("accelfd");
	if (IS_ERR(afd_class)) {
		ret = PTR_ERR(afd_class);
		goto err_unregister_chrdev;
	}

	for (i = 0; i < num_devices; i++) {
		struct afd_device *adev = afd_device_add(i);

		if (IS_ERR(adev)) {
			ret = PTR_ERR(adev);
			pr_err("accelfd: cannot add accel%u: %d\n", i, ret);
			goto err_remove_devices;
		}
		afd_devices[i] = adev;
	}

	pr_info("accelfd: %u device(s), ABI %u.%u\n", num_devices,
		AFD_ABI_MAJOR, AFD_ABI_MINOR);
	return 0;

err_remove_devices:
	afd_remove_devices();
	class_destroy(afd_class);
err_unregister_chrdev:
	unregister_chrdev_region(afd_devt, AFD_MAX_DEVICES);
	return ret;
}

static void __exit afd_exit(void)
{
	afd_remove_devices();
	class_destroy(afd_class);
	unregister_chrdev_region(afd_devt, AFD_MAX_DEVICES);
}

module_init(afd_init);
module_exit(afd_exit);

MODULE_DESCRIPTION("accelfd: per-process accelerator queues behind a char device");
MODULE_AUTHOR("The accelfd developers");
MODULE_LICENSE("GPL");
