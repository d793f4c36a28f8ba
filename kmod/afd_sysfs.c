// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: per-device sysfs attributes, one value per file.
 *
 * These are what an operator's script reads without opening the device
 * (which would create a context); accelctl reads them too.
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/sysfs.h>

#include "afd_drv.h"
#include "afd_engine.h"
#include "afd_sysfs.h"

static const char * const afd_op_names[AFD_OP_COUNT] = {
	[AFD_OP_NOP] = "nop",
	[AFD_OP_MEMMOVE] = "memmove",
	[AFD_OP_FILL] = "fill",
	[AFD_OP_COMPARE] = "compare",
	[AFD_OP_CRC32C] = "crc32c",
};

static const char * const afd_state_names[] = {
	[AFD_DEV_ENABLED] = "enabled",
	[AFD_DEV_REMOVING] = "removing",
};

static ssize_t abi_version_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u.%u\n", AFD_ABI_MAJOR, AFD_ABI_MINOR);
}
static DEVICE_ATTR_RO(abi_version);

static ssize_t engines_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", to_afd_device(dev)->engine_count);
}
static DEVICE_ATTR_RO(engines);

static ssize_t caps_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", AFD_CAPS_ALL);
}
static DEVICE_ATTR_RO(caps);

static ssize_t ops_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct afd_device *adev = to_afd_device(dev);
	int len = 0;
	int op;

	for (op = 0; op < AFD_OP_COUNT; op++)
		if (adev->ops_supported & BIT_ULL(op))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     afd_op_names[op]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(ops);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct afd_device *adev = to_afd_device(dev);
	enum afd_device_state state;

	mutex_lock(&adev->lock);
	state = adev->state;
	mutex_unlock(&adev->lock);
	return sysfs_emit(buf, "%s\n", afd_state_names[state]);
}
static DEVICE_ATTR_RO(state);

static ssize_t contexts_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct afd_device *adev = to_afd_device(dev);
	size_t count;

	mutex_lock(&adev->lock);
	count = list_count_nodes(&adev->contexts);
	mutex_unlock(&adev->lock);
	return sysfs_emit(buf, "%zu\n", count);
}
static DEVICE_ATTR_RO(contexts);

static ssize_t queues_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct afd_device *adev = to_afd_device(dev);
	u32 count;

	mutex_lock(&adev->lock);
	count = adev->queue_count;
	mutex_unlock(&adev->lock);
	return sysfs_emit(buf, "%u\n", count);
}
static DEVICE_ATTR_RO(queues);

#define AFD_ENGINE_STAT_ATTR_RO(field)					\
static ssize_t engine_##field##_show(struct device *dev,		\
				     struct device_attribute *attr,	\
				     char *buf)				\
{									\
	struct afd_device *adev = to_afd_device(dev);			\
	struct afd_engine_stats stats;					\
									\
	adev->engine_ops->stats(adev, &stats);				\
	return sysfs_emit(buf, "%llu\n", stats.field);			\
}									\
static DEVICE_ATTR_RO(engine_##field)

AFD_ENGINE_STAT_ATTR_RO(busy_ns);
AFD_ENGINE_STAT_ATTR_RO(sleeps);
AFD_ENGINE_STAT_ATTR_RO(wakeups);

#define AFD_LIMIT_ATTR_RO(field)					\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct afd_device *adev = to_afd_device(dev);			\
	u32 value;							\
									\
	mutex_lock(&adev->lock);					\
	value = adev->limits.field;					\
	mutex_unlock(&adev->lock);					\
	return sysfs_emit(buf, "%u\n", value);				\
}									\
static DEVICE_ATTR_RO(field)

AFD_LIMIT_ATTR_RO(max_queues_per_process);
AFD_LIMIT_ATTR_RO(max_queues);
AFD_LIMIT_ATTR_RO(min_ring_entries);
AFD_LIMIT_ATTR_RO(max_ring_entries);

static ssize_t max_transfer_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct afd_device *adev = to_afd_device(dev);
	u64 value;

	mutex_lock(&adev->lock);
	value = adev->limits.max_transfer;
	mutex_unlock(&adev->lock);
	return sysfs_emit(buf, "%llu\n", value);
}
static DEVICE_ATTR_RO(max_transfer);

/* "echo 1 > remove": take the device away from its users, now. */
static ssize_t remove_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	bool remove;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = kstrtobool(buf, &remove);
	if (ret)
		return ret;
	if (!remove)
		return -EINVAL;
	/* Removing the device removes this file: let go of it first. */
	if (device_remove_file_self(dev, attr))
		afd_remove_device(to_afd_device(dev));
	return count;
}
static DEVICE_ATTR_WO(remove);

static struct attribute *afd_device_attrs[] = {
	&dev_attr_abi_version.attr,
	&dev_attr_engines.attr,
	&dev_attr_caps.attr,
	&dev_attr_ops.attr,
	&dev_attr_state.attr,
	&dev_attr_contexts.attr,
	&dev_attr_queues.attr,
	&dev_attr_engine_busy_ns.attr,
	&dev_attr_engine_sleeps.attr,
	&dev_attr_engine_wakeups.attr,
	&dev_attr_max_queues_per_process.attr,
	&dev_attr_max_queues.attr,
	&dev_attr_min_ring_entries.attr,
	&dev_attr_max_ring_entries.attr,
	&dev_attr_max_transfer.attr,
	&dev_attr_remove.attr,
	NULL,
};

static const struct attribute_group afd_device_group = {
	.attrs = afd_device_attrs,
};

const struct attribute_group *afd_device_groups[] = {
	&afd_device_group,
	NULL,
};
