// SPDX-License-Identifier: MIT
#include "accel/admin.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include <linux/accelfd_mdev.h>

#include "accel/error.hpp"
#include "sysfs.hpp"

namespace accel {
namespace {

namespace fs = std::filesystem;

/// Ids of the numbered subdirectories of @p dir, in order.
std::vector<std::uint32_t> entry_ids(const fs::path &dir)
{
	std::vector<std::uint32_t> ids;
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(dir, ec)) {
		const std::string name = entry.path().filename().string();
		std::uint32_t id;
		auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), id);
		if (err == std::errc() && end == name.data() + name.size())
			ids.push_back(id);
	}
	if (ec)
		throw Error(ec.value(), "list " + dir.string());
	std::ranges::sort(ids);
	return ids;
}

/// Reads every entry of @p dir with @p read_one, leaving out the ones that
/// vanish meanwhile (ENOENT, or ENODEV from a removed directory).
template <typename Status, typename ReadOne>
std::vector<Status> read_entries(const fs::path &dir, ReadOne read_one)
{
	std::vector<Status> entries;
	for (std::uint32_t id : entry_ids(dir)) {
		try {
			entries.push_back(read_one(dir / std::to_string(id), id));
		} catch (const Error &e) {
			if (e.code().value() != ENOENT && e.code().value() != ENODEV)
				throw;
		}
	}
	return entries;
}

} // namespace

std::vector<ContextStatus> read_contexts(const std::string &device)
{
	return read_entries<ContextStatus>(
		sysfs::class_dir / device / "context", [](const fs::path &dir, std::uint32_t id) {
			ContextStatus ctx;
			ctx.id = id;
			ctx.pid = sysfs::read_number<int>(dir / "pid");
			ctx.comm = sysfs::read(dir / "comm");
			ctx.queues = sysfs::read_number<std::uint32_t>(dir / "queues");
			return ctx;
		});
}

std::vector<QueueStatus> read_queues(const std::string &device)
{
	return read_entries<QueueStatus>(
		sysfs::class_dir / device / "queue", [](const fs::path &dir, std::uint32_t id) {
			const auto u32 = [&](const char *attr) {
				return sysfs::read_number<std::uint32_t>(dir / attr);
			};
			const auto u64 = [&](const char *attr) {
				return sysfs::read_number<std::uint64_t>(dir / attr);
			};
			QueueStatus q;
			q.id = id;
			q.context = u32("context");
			q.pid = sysfs::read_number<int>(dir / "pid");
			q.comm = sysfs::read(dir / "comm");
			q.state = sysfs::read(dir / "state");
			q.priority = u32("priority");
			q.sq_entries = u32("sq_entries");
			q.cq_entries = u32("cq_entries");
			q.submitted = u64("submitted");
			q.completed = u64("completed");
			q.errors = u64("errors");
			q.bytes = u64("bytes");
			q.streams = u32("streams");
			return q;
		});
}

void set_limit(const std::string &device, std::string_view limit, std::uint64_t value)
{
	if (std::ranges::find(settable_limits, limit) == std::end(settable_limits))
		throw Error(EINVAL, "set limit '" + std::string(limit) + "' on " + device,
			    "not a limit; those are max_queues_per_process, max_queues, "
			    "min_ring_entries, max_ring_entries, max_transfer, "
			    "max_queues_per_user, max_memory_per_user, "
			    "max_streams_per_process, max_streams");
	sysfs::write(sysfs::class_dir / device / limit, std::to_string(value));
}

void set_enabled(const std::string &device, bool enabled)
{
	sysfs::write(sysfs::class_dir / device / "enabled", enabled ? "1" : "0");
}

std::string_view action_name(QueueAction action) noexcept
{
	switch (action) {
	case QueueAction::suspend:
		return "suspend";
	case QueueAction::resume:
		return "resume";
	case QueueAction::reset:
		return "reset";
	case QueueAction::evict:
		return "evict";
	case QueueAction::set_priority:
		return "set-priority";
	}
	return "unknown";
}

namespace {

const fs::path mdev_bus = "/sys/bus/mdev/devices";

fs::path mdev_type_dir(const std::string &device)
{
	return sysfs::class_dir / device / "mdev_supported_types" / AFD_MDEV_TYPE_NAME;
}

} // namespace

bool mdev_supported(const std::string &device)
{
	std::error_code ec;
	return fs::is_directory(mdev_type_dir(device), ec);
}

std::string create_mdev(const std::string &device, const std::string &uuid)
{
	if (!mdev_supported(device))
		throw Error(ENODEV, "create an mdev on " + device,
			    "the VFIO-mdev front end is not loaded (modprobe accelfd_mdev)");
	const std::string id = uuid.empty() ? sysfs::read("/proc/sys/kernel/random/uuid") : uuid;
	sysfs::write(mdev_type_dir(device) / "create", id);
	return id;
}

std::vector<MdevStatus> read_mdevs()
{
	std::vector<MdevStatus> mdevs;
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(mdev_bus, ec)) {
		std::error_code link_ec;
		const fs::path type = fs::read_symlink(entry.path() / "mdev_type", link_ec);
		if (link_ec || type.filename() != AFD_MDEV_TYPE_NAME)
			continue;
		MdevStatus mdev;
		mdev.uuid = entry.path().filename().string();
		// The mdev's directory lies under its parent's.
		mdev.device = fs::canonical(entry.path(), link_ec).parent_path().filename().string();
		mdev.iommu_group = fs::read_symlink(entry.path() / "iommu_group", link_ec).filename().string();
		try {
			mdev.queue_id = sysfs::read_number<std::uint32_t>(entry.path() / "accelfd/queue_id");
		} catch (const Error &) {
			continue; // removed meanwhile
		}
		mdevs.push_back(std::move(mdev));
	}
	std::ranges::sort(mdevs, {}, &MdevStatus::uuid);
	return mdevs;
}

void remove_mdev(const std::string &uuid)
{
	sysfs::write(mdev_bus / uuid / "remove", "1");
}

void administer_queue(const Device &device, std::uint32_t queue_id, QueueAction action,
		      std::uint32_t priority)
{
	afd_queue_admin args{};
	args.queue_id = queue_id;
	args.op = static_cast<std::uint32_t>(action);
	args.priority = priority;
	const std::string call = "AFD_IOC_QUEUE_ADMIN(" + std::string(action_name(action)) +
				 ", queue " + std::to_string(queue_id) + ")";
	device.ioctl(AFD_IOC_QUEUE_ADMIN, &args, call.c_str());
}

} // namespace accel
