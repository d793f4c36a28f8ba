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
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "afd_compat.h"
#include "afd_context.h"
#include "afd_copy.h"
#include "afd_debugfs.h"
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
	.max_queues_per_user = 64,
	.max_memory_per_user = 64 << 20,
	.max_streams_per_process = 64,
	.max_streams = 1024,
};

static dev_t afd_devt;
static struct class *afd_class;
static DEFINE_MUTEX(afd_devices_lock); /* Protects afd_devices, frontends */
static struct afd_device *afd_devices[AFD_MAX_DEVICES];
static LIST_HEAD(afd_frontends);

static int afd_open(struct inode *inode, struct file *file)
{
	struct afd_device *adev =
		container_of(inode->i_cdev, struct afd_device, cdev);
	struct afd_context *ctx;

	ctx = afd_context_create(adev, file->f_mapping, &afd_user_context_ops,
				 NULL);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

static int afd_release(struct inode *inode, struct file *file)
{
	afd_context_close(file->private_data);
	return 0;
}

/*
 * Readable when a queue has completions to consume; error if one failed or
 * was evicted.
 */
static __poll_t afd_poll(struct file *file, poll_table *wait)
{
	struct afd_context *ctx = file->private_data;
	struct afd_queue *q;
	unsigned long id;
	__poll_t mask = 0;
	void *entry;

	if (!afd_context_is_owner(ctx))
		return EPOLLERR;
	poll_wait(file, &ctx->wq, wait);
	if (afd_device_removing(ctx->adev))
		return EPOLLERR | EPOLLHUP;

	mutex_lock(&ctx->lock);
	xa_for_each(&ctx->queues, id, entry) {
		if (xa_is_value(entry)) {
			mask |= EPOLLERR;
			continue;
		}
		q = entry;
		if (afd_queue_state(q) == AFD_Q_ERROR)
			mask |= EPOLLERR;
		if (afd_queue_cq_pending(q))
			mask |= EPOLLIN | EPOLLRDNORM;
		afd_queue_kick_if_stalled(q);
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
};

/* An allocation of afd_device_alloc_frontend_data(). */
struct afd_frontend_data {
	struct list_head node;
	unsigned long data[];
};

/**
 * afd_device_alloc_frontend_data() - zeroed memory freed with the device
 * @adev: the device
 * @size: its size in bytes
 *
 * For a front end's per-device data that what it registers elsewhere may
 * reach until the device's last reference goes, after the front end let
 * go of the device: an mdev type's kobject holds the device, and reads its
 * parent (in this memory) when it is released. devm would not do:
 * device_del() releases devres.
 *
 * Return: the memory, or NULL.
 */
void *afd_device_alloc_frontend_data(struct afd_device *adev, size_t size)
{
	struct afd_frontend_data *fd;

	fd = kzalloc(struct_size(fd, data, DIV_ROUND_UP(size, sizeof(long))),
		     GFP_KERNEL);
	if (!fd)
		return NULL;
	mutex_lock(&adev->lock);
	list_add(&fd->node, &adev->frontend_data);
	mutex_unlock(&adev->lock);
	return fd->data;
}
EXPORT_SYMBOL_GPL(afd_device_alloc_frontend_data);

static void afd_device_release(struct device *dev)
{
	struct afd_device *adev = to_afd_device(dev);
	struct afd_frontend_data *fd, *next;

	list_for_each_entry_safe(fd, next, &adev->frontend_data, node)
		kfree(fd);

	/* Every queue's memory is freed before its context lets go of us. */
	WARN_ON_ONCE(!list_empty(&adev->users));
	xa_destroy(&adev->queues);
	ida_destroy(&adev->context_ids);
	ida_destroy(&adev->queue_ids);
	cleanup_srcu_struct(&adev->active);
	kfree(adev);
}

static struct afd_device *afd_device_create(u32 index)
{
	struct afd_device *adev;
	int ret;

	adev = kzalloc(sizeof(*adev), GFP_KERNEL);
	if (!adev)
		return ERR_PTR(-ENOMEM);
	ret = init_srcu_struct(&adev->active);
	if (ret) {
		kfree(adev);
		return ERR_PTR(ret);
	}

	adev->index = index;
	adev->engine_count = num_engines;
	adev->ops_supported = AFD_SW_OPS_SUPPORTED;
	adev->engine_ops = &afd_sw_engine_ops;
	adev->limits = afd_default_limits;
	adev->state = AFD_DEV_ENABLED;
	mutex_init(&adev->lock);
	INIT_LIST_HEAD(&adev->contexts);
	INIT_LIST_HEAD(&adev->frontend_data);
	spin_lock_init(&adev->users_lock);
	INIT_LIST_HEAD(&adev->users);
	ida_init(&adev->queue_ids);
	ida_init(&adev->context_ids);
	xa_init(&adev->queues);

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

	/*
	 * Neither a uevent nor an open() before context/ and queue/ exist:
	 * an early open would make its context's directory with no parent.
	 * Until cdev_add() an open of the node fails with -ENXIO.
	 */
	dev_set_uevent_suppress(&adev->dev, true);
	ret = device_add(&adev->dev);
	if (ret)
		goto err_stop_engine;
	afd_debugfs_widen_race_window();
	ret = afd_sysfs_add_dirs(adev);
	if (ret)
		goto err_del_device;
	cdev_init(&adev->cdev, &afd_fops);
	adev->cdev.owner = THIS_MODULE;
	cdev_set_parent(&adev->cdev, &adev->dev.kobj);
	ret = cdev_add(&adev->cdev, adev->dev.devt, 1);
	if (ret)
		goto err_remove_dirs;
	dev_set_uevent_suppress(&adev->dev, false);
	kobject_uevent(&adev->dev.kobj, KOBJ_ADD);
	afd_debugfs_add_device(adev);
	return adev;

err_remove_dirs:
	afd_sysfs_remove_dirs(adev);
err_del_device:
	device_del(&adev->dev);
err_stop_engine:
	adev->engine_ops->stop(adev);
err_put_device:
	put_device(&adev->dev);
	return ERR_PTR(ret);
}

/*
 * Removal, with files possibly still open and mapped: new calls fail with
 * -ENODEV, calls in flight are waited out, waiters are woken, mappings are
 * revoked and queues destroyed; the files stay until closed.
 */
static void afd_device_destroy(struct afd_device *adev)
{
	struct afd_context *ctx;

	mutex_lock(&adev->lock);
	WRITE_ONCE(adev->state, AFD_DEV_REMOVING);
	list_for_each_entry(ctx, &adev->contexts, node)
		wake_up_all(&ctx->wq);
	mutex_unlock(&adev->lock);

	synchronize_srcu(&adev->active);
	/* Before the name can be reused by a new device. */
	afd_debugfs_remove_device(adev);
	cdev_device_del(&adev->cdev, &adev->dev);
	afd_context_revoke_all(adev);
	afd_sysfs_remove_dirs(adev);
	adev->engine_ops->stop(adev);
	put_device(&adev->dev);
}

/* Tells the front ends after @last (all if NULL) that @adev is going. */
static void afd_frontends_remove(struct afd_device *adev,
				 struct afd_frontend *last)
{
	struct afd_frontend *fe;

	lockdep_assert_held(&afd_devices_lock);
	fe = last ? last : list_last_entry(&afd_frontends, struct afd_frontend,
					   node);
	list_for_each_entry_from_reverse(fe, &afd_frontends, node)
		fe->remove(adev);
}

/* Offers a new device to every front end; undone if one refuses. */
static int afd_frontends_add(struct afd_device *adev)
{
	struct afd_frontend *fe;
	int ret;

	lockdep_assert_held(&afd_devices_lock);
	list_for_each_entry(fe, &afd_frontends, node) {
		ret = fe->add(adev);
		if (ret) {
			afd_err(adev, "front end %s: %d\n", fe->name, ret);
			if (!list_is_first(&fe->node, &afd_frontends))
				afd_frontends_remove(adev, list_prev_entry(fe, node));
			return ret;
		}
	}
	return 0;
}

/**
 * afd_add_device() - add a software device at the lowest free index
 *
 * Return: the new device's index, or a negative errno: -ENOSPC when all
 * AFD_MAX_DEVICES exist.
 */
int afd_add_device(void)
{
	struct afd_device *adev;
	int index, ret;

	mutex_lock(&afd_devices_lock);
	for (index = 0; index < AFD_MAX_DEVICES; index++)
		if (!afd_devices[index])
			break;
	if (index == AFD_MAX_DEVICES) {
		index = -ENOSPC;
		goto out_unlock;
	}
	adev = afd_device_create(index);
	if (IS_ERR(adev)) {
		index = PTR_ERR(adev);
		goto out_unlock;
	}
	ret = afd_frontends_add(adev);
	if (ret) {
		afd_device_destroy(adev);
		index = ret;
		goto out_unlock;
	}
	afd_devices[index] = adev;
out_unlock:
	mutex_unlock(&afd_devices_lock);
	return index;
}

/**
 * afd_remove_device() - remove a device, even one in use
 * @adev: the device
 *
 * The front ends let go first; the mdev front end waits there until the
 * users of the device's mdevs close them (VFIO asks them to). The caller
 * holds a reference on @adev; of callers racing (module unload, sysfs
 * "remove"), one removes it and the others return at once.
 */
void afd_remove_device(struct afd_device *adev)
{
	afd_debugfs_widen_race_window();
	mutex_lock(&afd_devices_lock);
	/* Whoever takes the slot removes the device: the other caller goes. */
	if (afd_devices[adev->index] != adev) {
		mutex_unlock(&afd_devices_lock);
		return;
	}
	afd_devices[adev->index] = NULL;
	if (!list_empty(&afd_frontends))
		afd_frontends_remove(adev, NULL);
	mutex_unlock(&afd_devices_lock);
	afd_device_destroy(adev);
}

/**
 * afd_register_frontend() - add a front end, and offer it every device
 * @fe: the front end
 *
 * Return: 0, or the first error of @fe->add, after which @fe is not
 * registered and has been told to remove the devices it took.
 */
int afd_register_frontend(struct afd_frontend *fe)
{
	int i, ret = 0;

	mutex_lock(&afd_devices_lock);
	for (i = 0; i < AFD_MAX_DEVICES; i++) {
		if (!afd_devices[i])
			continue;
		ret = fe->add(afd_devices[i]);
		if (ret)
			break;
	}
	if (ret) {
		while (i-- > 0)
			if (afd_devices[i])
				fe->remove(afd_devices[i]);
	} else {
		list_add_tail(&fe->node, &afd_frontends);
	}
	mutex_unlock(&afd_devices_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(afd_register_frontend);

/**
 * afd_unregister_frontend() - take a front end away from every device
 * @fe: a registered front end
 */
void afd_unregister_frontend(struct afd_frontend *fe)
{
	int i;

	mutex_lock(&afd_devices_lock);
	list_del(&fe->node);
	for (i = AFD_MAX_DEVICES - 1; i >= 0; i--)
		if (afd_devices[i])
			fe->remove(afd_devices[i]);
	mutex_unlock(&afd_devices_lock);
}
EXPORT_SYMBOL_GPL(afd_unregister_frontend);

static void afd_remove_devices(void)
{
	struct afd_device *adev;
	int i;

	for (i = AFD_MAX_DEVICES - 1; i >= 0; i--) {
		mutex_lock(&afd_devices_lock);
		adev = afd_devices[i];
		/* A sysfs "remove" may free it once the lock is dropped. */
		if (adev)
			get_device(&adev->dev);
		mutex_unlock(&afd_devices_lock);
		if (adev) {
			afd_remove_device(adev);
			put_device(&adev->dev);
		}
	}
}

static ssize_t add_device_store(AFD_CLASS_CONST struct class *class,
				AFD_CLASS_CONST struct class_attribute *attr,
				const char *buf, size_t count)
{
	int index;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	index = afd_add_device();
	return index < 0 ? index : count;
}
static CLASS_ATTR_WO(add_device);

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
	afd_copy_init();

	ret = alloc_chrdev_region(&afd_devt, 0, AFD_MAX_DEVICES, "accelfd");
	if (ret)
		return ret;
	afd_debugfs_init();

	afd_class = afd_class_create("accelfd");
	if (IS_ERR(afd_class)) {
		ret = PTR_ERR(afd_class);
		goto err_unregister_chrdev;
	}

	ret = class_create_file(afd_class, &class_attr_add_device);
	if (ret)
		goto err_destroy_class;

	for (i = 0; i < num_devices; i++) {
		ret = afd_add_device();
		if (ret < 0) {
			pr_err("accelfd: cannot add accel%u: %d\n", i, ret);
			goto err_remove_devices;
		}
	}

	pr_info("accelfd: %u device(s), ABI %u.%u\n", num_devices,
		AFD_ABI_MAJOR, AFD_ABI_MINOR);
	return 0;

err_remove_devices:
	afd_remove_devices();
	class_remove_file(afd_class, &class_attr_add_device);
err_destroy_class:
	class_destroy(afd_class);
err_unregister_chrdev:
	afd_debugfs_exit();
	unregister_chrdev_region(afd_devt, AFD_MAX_DEVICES);
	return ret;
}

static void __exit afd_exit(void)
{
	class_remove_file(afd_class, &class_attr_add_device);
	afd_remove_devices();
	class_destroy(afd_class);
	afd_debugfs_exit();
	unregister_chrdev_region(afd_devt, AFD_MAX_DEVICES);
}

module_init(afd_init);
module_exit(afd_exit);

MODULE_DESCRIPTION("accelfd: per-process accelerator queues behind a char device");
MODULE_AUTHOR("The accelfd developers");
MODULE_LICENSE("GPL");
