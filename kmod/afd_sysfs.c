// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: sysfs, one value per file.
 *
 * These are what an operator's script reads without opening the device
 * (which would create a context); accelctl reads them too:
 *
 *   /sys/class/accelfd/accelN/            the device: limits, engine stats
 *   /sys/class/accelfd/accelN/context/C/  one per open file: pid, comm
 *   /sys/class/accelfd/accelN/queue/Q/    one per queue: owner, counters
 *
 * The device's limits and "enabled" are its settings, written by an
 * administrator (CAP_SYS_ADMIN). Acting on one queue is an ioctl
 * (AFD_IOC_QUEUE_ADMIN): it must name a live queue and report why it
 * failed, which a write to a directory that may vanish cannot do well.
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "afd_context.h"
#include "afd_drv.h"
#include "afd_engine.h"
#include "afd_queue.h"
#include "afd_stream.h"
#include "afd_sysfs.h"

static const char * const afd_op_names[AFD_OP_COUNT] = {
	[AFD_OP_NOP] = "nop",
	[AFD_OP_MEMMOVE] = "memmove",
	[AFD_OP_FILL] = "fill",
	[AFD_OP_COMPARE] = "compare",
	[AFD_OP_CRC32C] = "crc32c",
	[AFD_OP_DEFLATE] = "deflate",
	[AFD_OP_INFLATE] = "inflate",
};

static const char * const afd_q_state_names[] = {
	[AFD_Q_ACTIVE] = "active",
	[AFD_Q_SUSPENDED] = "suspended",
	[AFD_Q_ERROR] = "error",
	[AFD_Q_DEAD] = "dead",
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
	const char *state;

	mutex_lock(&adev->lock);
	if (adev->state == AFD_DEV_REMOVING)
		state = "removing";
	else
		state = adev->disabled ? "disabled" : "enabled";
	mutex_unlock(&adev->lock);
	return sysfs_emit(buf, "%s\n", state);
}
static DEVICE_ATTR_RO(state);

static ssize_t enabled_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct afd_device *adev = to_afd_device(dev);
	bool disabled;

	mutex_lock(&adev->lock);
	disabled = adev->disabled;
	mutex_unlock(&adev->lock);
	return sysfs_emit(buf, "%d\n", !disabled);
}

/* "echo 0 > enabled": no new queues; queued work is cancelled, not run. */
static ssize_t enabled_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct afd_device *adev = to_afd_device(dev);
	bool enable;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = kstrtobool(buf, &enable);
	if (ret)
		return ret;
	mutex_lock(&adev->lock);
	WRITE_ONCE(adev->disabled, !enable);
	mutex_unlock(&adev->lock);
	afd_device_kick_all(adev);
	return count;
}
static DEVICE_ATTR_RW(enabled);

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

static ssize_t streams_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct afd_device *adev = to_afd_device(dev);

	return sysfs_emit(buf, "%d\n", atomic_read(&adev->stream_count));
}
static DEVICE_ATTR_RO(streams);

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

/*
 * Is @value allowed for the limit at @field, given the other limits? A
 * limit changes what later calls may do; queues that exist keep theirs.
 */
static bool afd_limit_valid(const struct afd_limits *limits, size_t field,
			    u64 value)
{
	switch (field) {
	case offsetof(struct afd_limits, max_queues_per_process):
	case offsetof(struct afd_limits, max_queues):
	case offsetof(struct afd_limits, max_queues_per_user):
		return value >= 1 && value <= AFD_LIMIT_MAX_QUEUES;
	case offsetof(struct afd_limits, max_streams_per_process):
	case offsetof(struct afd_limits, max_streams):
		return value >= 1 && value <= AFD_LIMIT_MAX_STREAMS;
	case offsetof(struct afd_limits, max_memory_per_user):
		return value >= PAGE_SIZE && value <= AFD_LIMIT_MAX_USER_MEMORY;
	case offsetof(struct afd_limits, min_ring_entries):
		return is_power_of_2(value) &&
		       value >= AFD_LIMIT_MIN_RING_ENTRIES &&
		       value <= limits->max_ring_entries;
	case offsetof(struct afd_limits, max_ring_entries):
		return is_power_of_2(value) &&
		       value >= limits->min_ring_entries &&
		       value <= AFD_LIMIT_MAX_RING_ENTRIES;
	case offsetof(struct afd_limits, max_transfer):
		return value >= 1 && value <= AFD_LIMIT_MAX_TRANSFER;
	}
	return false;
}

static ssize_t afd_limit_show(struct device *dev, char *buf, size_t field,
			      size_t size)
{
	struct afd_device *adev = to_afd_device(dev);
	void *limit = (void *)&adev->limits + field;
	u64 value;

	mutex_lock(&adev->lock);
	value = size == sizeof(u64) ? *(u64 *)limit : *(u32 *)limit;
	mutex_unlock(&adev->lock);
	return sysfs_emit(buf, "%llu\n", value);
}

static ssize_t afd_limit_store(struct device *dev, const char *buf,
			       size_t count, size_t field, size_t size)
{
	struct afd_device *adev = to_afd_device(dev);
	void *limit = (void *)&adev->limits + field;
	u64 value;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = kstrtou64(buf, 0, &value);
	if (ret)
		return ret;

	mutex_lock(&adev->lock);
	if (!afd_limit_valid(&adev->limits, field, value))
		ret = -EINVAL;
	else if (size == sizeof(u64))
		WRITE_ONCE(*(u64 *)limit, value);
	else
		WRITE_ONCE(*(u32 *)limit, value);
	mutex_unlock(&adev->lock);
	return ret ? ret : count;
}

#define AFD_LIMIT_ATTR_RW(field)					\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return afd_limit_show(dev, buf,					\
			      offsetof(struct afd_limits, field),	\
			      sizeof_field(struct afd_limits, field));	\
}									\
static ssize_t field##_store(struct device *dev,			\
			     struct device_attribute *attr,		\
			     const char *buf, size_t count)		\
{									\
	return afd_limit_store(dev, buf, count,				\
			       offsetof(struct afd_limits, field),	\
			       sizeof_field(struct afd_limits, field));	\
}									\
static DEVICE_ATTR_RW(field)

AFD_LIMIT_ATTR_RW(max_queues_per_process);
AFD_LIMIT_ATTR_RW(max_queues);
AFD_LIMIT_ATTR_RW(min_ring_entries);
AFD_LIMIT_ATTR_RW(max_ring_entries);
AFD_LIMIT_ATTR_RW(max_transfer);
AFD_LIMIT_ATTR_RW(max_queues_per_user);
AFD_LIMIT_ATTR_RW(max_memory_per_user);
AFD_LIMIT_ATTR_RW(max_streams_per_process);
AFD_LIMIT_ATTR_RW(max_streams);

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
	/*
	 * Removing the device removes this file: let go of it first. That
	 * also ends what kept the module from unloading under us, so hold it
	 * (module unload, already under way, removes the device itself), and
	 * the device.
	 */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	get_device(dev);
	if (device_remove_file_self(dev, attr))
		afd_remove_device(to_afd_device(dev));
	put_device(dev);
	module_put(THIS_MODULE);
	return count;
}
static DEVICE_ATTR_WO(remove);

static struct attribute *afd_device_attrs[] = {
	&dev_attr_abi_version.attr,
	&dev_attr_engines.attr,
	&dev_attr_caps.attr,
	&dev_attr_ops.attr,
	&dev_attr_state.attr,
	&dev_attr_enabled.attr,
	&dev_attr_contexts.attr,
	&dev_attr_queues.attr,
	&dev_attr_streams.attr,
	&dev_attr_engine_busy_ns.attr,
	&dev_attr_engine_sleeps.attr,
	&dev_attr_engine_wakeups.attr,
	&dev_attr_max_queues_per_process.attr,
	&dev_attr_max_queues.attr,
	&dev_attr_min_ring_entries.attr,
	&dev_attr_max_ring_entries.attr,
	&dev_attr_max_transfer.attr,
	&dev_attr_max_queues_per_user.attr,
	&dev_attr_max_memory_per_user.attr,
	&dev_attr_max_streams_per_process.attr,
	&dev_attr_max_streams.attr,
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

/*
 * Per-context and per-queue directories. Each is a kobject of its own,
 * freed by its release; it points at its context or queue, which outlives
 * it: kobject_del() waits for every show() in progress, and the object is
 * freed only after that.
 */
struct afd_sysfs_node {
	struct kobject kobj;
	void *object;
};

static void afd_sysfs_node_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct afd_sysfs_node, kobj));
}

static void *afd_sysfs_object(struct kobject *kobj)
{
	return container_of(kobj, struct afd_sysfs_node, kobj)->object;
}

static struct kobject *afd_sysfs_add_node(const struct kobj_type *ktype,
					  struct kobject *parent, void *object,
					  u32 id)
{
	struct afd_sysfs_node *node;
	int ret;

	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return ERR_PTR(-ENOMEM);
	node->object = object;
	ret = kobject_init_and_add(&node->kobj, ktype, parent, "%u", id);
	if (ret) {
		kobject_put(&node->kobj);
		return ERR_PTR(ret);
	}
	return &node->kobj;
}

static void afd_sysfs_remove_node(struct kobject *kobj)
{
	kobject_del(kobj);
	kobject_put(kobj);
}

/* Fields of the owning context, shown in its directory and its queues'. */
static ssize_t afd_show_pid(struct afd_context *ctx, char *buf)
{
	return sysfs_emit(buf, "%d\n", pid_vnr(ctx->owner));
}

static ssize_t afd_show_comm(struct afd_context *ctx, char *buf)
{
	return sysfs_emit(buf, "%s\n", ctx->comm);
}

static ssize_t ctx_pid_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return afd_show_pid(afd_sysfs_object(kobj), buf);
}

static struct kobj_attribute ctx_attr_pid = __ATTR(pid, 0444, ctx_pid_show,
						   NULL);

static ssize_t ctx_comm_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return afd_show_comm(afd_sysfs_object(kobj), buf);
}

static struct kobj_attribute ctx_attr_comm = __ATTR(comm, 0444, ctx_comm_show,
						    NULL);

static ssize_t ctx_queues_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct afd_context *ctx = afd_sysfs_object(kobj);
	u32 count;

	mutex_lock(&ctx->adev->lock);
	count = ctx->queue_count;
	mutex_unlock(&ctx->adev->lock);
	return sysfs_emit(buf, "%u\n", count);
}

static struct kobj_attribute ctx_attr_queues = __ATTR(queues, 0444,
						      ctx_queues_show, NULL);

static struct attribute *afd_context_attrs[] = {
	&ctx_attr_pid.attr,
	&ctx_attr_comm.attr,
	&ctx_attr_queues.attr,
	NULL,
};
ATTRIBUTE_GROUPS(afd_context);

static const struct kobj_type afd_context_ktype = {
	.release = afd_sysfs_node_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = afd_context_groups,
};

#define AFD_QUEUE_ATTR_RO(name, fmt, expr)				\
static ssize_t queue_##name##_show(struct kobject *kobj,		\
				   struct kobj_attribute *attr,		\
				   char *buf)				\
{									\
	struct afd_queue *q = afd_sysfs_object(kobj);			\
									\
	return sysfs_emit(buf, fmt "\n", expr);				\
}									\
static struct kobj_attribute queue_attr_##name =			\
	__ATTR(name, 0444, queue_##name##_show, NULL)

AFD_QUEUE_ATTR_RO(context, "%u", q->ctx->id);
AFD_QUEUE_ATTR_RO(state, "%s", afd_q_state_names[afd_queue_state(q)]);
AFD_QUEUE_ATTR_RO(priority, "%u", READ_ONCE(q->priority));
AFD_QUEUE_ATTR_RO(sq_entries, "%u", q->sq_entries);
AFD_QUEUE_ATTR_RO(cq_entries, "%u", q->cq_entries);
AFD_QUEUE_ATTR_RO(submitted, "%llu", READ_ONCE(q->stats.submitted));
AFD_QUEUE_ATTR_RO(completed, "%llu", READ_ONCE(q->stats.completed));
AFD_QUEUE_ATTR_RO(errors, "%llu", READ_ONCE(q->stats.errors));
AFD_QUEUE_ATTR_RO(bytes, "%llu", READ_ONCE(q->stats.bytes));
AFD_QUEUE_ATTR_RO(streams, "%u", afd_stream_count(q));

static ssize_t queue_pid_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct afd_queue *q = afd_sysfs_object(kobj);

	return afd_show_pid(q->ctx, buf);
}

static struct kobj_attribute queue_attr_pid = __ATTR(pid, 0444,
						     queue_pid_show, NULL);

static ssize_t queue_comm_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct afd_queue *q = afd_sysfs_object(kobj);

	return afd_show_comm(q->ctx, buf);
}

static struct kobj_attribute queue_attr_comm = __ATTR(comm, 0444,
						      queue_comm_show, NULL);

static struct attribute *afd_queue_attrs[] = {
	&queue_attr_context.attr,
	&queue_attr_pid.attr,
	&queue_attr_comm.attr,
	&queue_attr_state.attr,
	&queue_attr_priority.attr,
	&queue_attr_sq_entries.attr,
	&queue_attr_cq_entries.attr,
	&queue_attr_submitted.attr,
	&queue_attr_completed.attr,
	&queue_attr_errors.attr,
	&queue_attr_bytes.attr,
	&queue_attr_streams.attr,
	NULL,
};
ATTRIBUTE_GROUPS(afd_queue);

static const struct kobj_type afd_queue_ktype = {
	.release = afd_sysfs_node_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = afd_queue_groups,
};

/**
 * afd_sysfs_add_dirs() - create a new device's "context" and "queue"
 * @adev: the device, already added
 *
 * Return: 0 or -ENOMEM.
 */
int afd_sysfs_add_dirs(struct afd_device *adev)
{
	adev->context_dir = kobject_create_and_add("context", &adev->dev.kobj);
	if (!adev->context_dir)
		return -ENOMEM;
	adev->queue_dir = kobject_create_and_add("queue", &adev->dev.kobj);
	if (!adev->queue_dir) {
		kobject_put(adev->context_dir);
		adev->context_dir = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * afd_sysfs_remove_dirs() - drop them; entries still open keep them alive
 * @adev: the device being removed
 */
void afd_sysfs_remove_dirs(struct afd_device *adev)
{
	kobject_put(adev->queue_dir);
	kobject_put(adev->context_dir);
}

int afd_sysfs_add_context(struct afd_context *ctx)
{
	struct kobject *kobj = afd_sysfs_add_node(&afd_context_ktype,
						  ctx->adev->context_dir, ctx,
						  ctx->id);

	if (IS_ERR(kobj))
		return PTR_ERR(kobj);
	ctx->kobj = kobj;
	return 0;
}

void afd_sysfs_remove_context(struct afd_context *ctx)
{
	afd_sysfs_remove_node(ctx->kobj);
}

int afd_sysfs_add_queue(struct afd_queue *q)
{
	struct kobject *kobj = afd_sysfs_add_node(&afd_queue_ktype,
						  q->adev->queue_dir, q, q->id);

	if (IS_ERR(kobj))
		return PTR_ERR(kobj);
	q->kobj = kobj;
	return 0;
}

void afd_sysfs_remove_queue(struct afd_queue *q)
{
	afd_sysfs_remove_node(q->kobj);
}
