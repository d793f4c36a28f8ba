// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: table-driven ioctl dispatch.
 *
 * As in DRM and KFD, the kernel's own definition of each command decides the
 * argument's size and direction; the caller's command only says how many
 * bytes it has. A shorter argument (older user space) is zero-extended, a
 * longer one (newer user space) is accepted only if the bytes the kernel does
 * not know are zero (-E2BIG otherwise, as copy_struct_from_user() rules for
 * clone3 and openat2). The result is copied out only on success, and never
 * more bytes than the caller has.
 */
#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "afd_context.h"
#include "afd_drv.h"
#include "afd_ioctl.h"

typedef int afd_ioctl_fn(struct afd_context *ctx, void *data);

/**
 * struct afd_ioctl_desc - one entry of the dispatch table
 * @cmd: the kernel's definition of the command
 * @fn: handler; gets a kernel copy of the argument
 */
struct afd_ioctl_desc {
	unsigned int cmd;
	afd_ioctl_fn *fn;
};

#define AFD_IOCTL_DEF(ioctl, func) \
	[_IOC_NR(ioctl)] = { .cmd = ioctl, .fn = func }

/* Largest argument the table holds; arguments live on the stack. */
#define AFD_IOCTL_MAX_ARG 128

static int afd_ioctl_get_info(struct afd_context *ctx, void *data)
{
	struct afd_device *adev = ctx->adev;
	struct afd_info *info = data;

	if (info->flags & ~AFD_INFO_FLAGS_ALL)
		return -EINVAL;
	if (info->pad)
		return -EINVAL;

	info->abi_major = AFD_ABI_MAJOR;
	info->abi_minor = AFD_ABI_MINOR;
	info->device_index = adev->index;
	info->engine_count = adev->engine_count;
	info->caps = AFD_CAPS_ALL;
	info->ops_supported = adev->ops_supported;

	mutex_lock(&adev->lock);
	info->max_queues_per_process = adev->limits.max_queues_per_process;
	info->max_queues = adev->limits.max_queues;
	info->min_ring_entries = adev->limits.min_ring_entries;
	info->max_ring_entries = adev->limits.max_ring_entries;
	mutex_unlock(&adev->lock);

	strscpy(info->name, dev_name(&adev->dev), sizeof(info->name));
	return 0;
}

static const struct afd_ioctl_desc afd_ioctls[] = {
	AFD_IOCTL_DEF(AFD_IOC_GET_INFO, afd_ioctl_get_info),
};

/**
 * afd_ioctl() - the unlocked_ioctl of /dev/accelN
 * @file: an open accelfd file
 * @cmd: the caller's command
 * @arg: user pointer to the argument
 *
 * Return: the handler's result; -ENOTTY for a command the table lacks,
 * -EBADF when called from a process other than the opener, -EFAULT or
 * -E2BIG when the argument cannot be copied.
 */
long afd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct afd_context *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct afd_ioctl_desc *desc;
	unsigned int nr = _IOC_NR(cmd);
	char kdata[AFD_IOCTL_MAX_ARG] __aligned(8);
	size_t usize, ksize;
	int ret;

	if (_IOC_TYPE(cmd) != AFD_IOCTL_BASE || nr >= ARRAY_SIZE(afd_ioctls))
		return -ENOTTY;
	desc = &afd_ioctls[array_index_nospec(nr, ARRAY_SIZE(afd_ioctls))];
	if (!desc->fn)
		return -ENOTTY;

	if (!afd_context_is_owner(ctx))
		return -EBADF;

	ksize = _IOC_SIZE(desc->cmd);
	usize = _IOC_SIZE(cmd);
	if (WARN_ON_ONCE(ksize > sizeof(kdata)))
		return -EINVAL;

	if (_IOC_DIR(cmd) & _IOC_DIR(desc->cmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(kdata, ksize, uarg, usize);
		if (ret)
			return ret;
	} else {
		memset(kdata, 0, ksize);
	}

	ret = desc->fn(ctx, kdata);
	if (ret)
		return ret;

	if ((_IOC_DIR(cmd) & _IOC_DIR(desc->cmd) & _IOC_READ) &&
	    copy_to_user(uarg, kdata, min(usize, ksize)))
		return -EFAULT;
	return 0;
}
