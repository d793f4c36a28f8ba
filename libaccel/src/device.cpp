// SPDX-License-Identifier: MIT
#include "accel/device.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fcntl.h>
#include <sstream>

#include "accel/error.hpp"
#include "accel/ioctl.hpp"
#include "sysfs.hpp"
#include "vfio.hpp"

namespace accel {
namespace {

constexpr std::array<const char *, AFD_OP_COUNT> known_ops = {
	"nop", "memmove", "fill", "compare", "crc32c", "deflate", "inflate",
};

} // namespace

std::string op_name(unsigned op)
{
	return op < known_ops.size() ? known_ops[op] : "op" + std::to_string(op);
}

std::vector<std::string> op_names(std::uint64_t ops)
{
	std::vector<std::string> names;
	for (unsigned op = 0; op < 64; op++)
		if (ops & (std::uint64_t{1} << op))
			names.push_back(op_name(op));
	return names;
}

bool module_loaded()
{
	std::error_code ec;
	return std::filesystem::is_directory(sysfs::class_dir, ec);
}

std::vector<std::string> device_names()
{
	std::vector<std::string> names;
	std::error_code ec;
	for (const auto &entry : std::filesystem::directory_iterator(sysfs::class_dir, ec)) {
		// Devices are links to directories; add_device is a file.
		std::error_code dir_ec;
		if (std::filesystem::is_directory(entry.path(), dir_ec))
			names.push_back(entry.path().filename().string());
	}
	std::ranges::sort(names, [](const std::string &a, const std::string &b) {
		return a.size() != b.size() ? a.size() < b.size() : a < b;
	});
	return names;
}

DeviceStatus read_status(const std::string &name)
{
	const auto dir = sysfs::class_dir / name;
	const auto number = [&]<typename T = std::uint32_t>(const char *attr) {
		return sysfs::read_number<T>(dir / attr);
	};
	DeviceStatus status;
	DeviceInfo &info = status.info;

	info.name = name;
	const std::string dev = sysfs::read(dir / "dev");
	info.index = static_cast<std::uint32_t>(std::stoul(dev.substr(dev.find(':') + 1)));
	const std::string abi = sysfs::read(dir / "abi_version");
	if (std::sscanf(abi.c_str(), "%u.%u", &info.abi_major, &info.abi_minor) != 2)
		throw Error(EPROTO, "parse " + (dir / "abi_version").string());
	info.engine_count = number("engines");
	info.caps = number.operator()<std::uint64_t>("caps");
	std::istringstream ops(sysfs::read(dir / "ops"));
	for (std::string op; ops >> op;) {
		auto it = std::ranges::find(known_ops, op);
		if (it != known_ops.end())
			info.ops_supported |= std::uint64_t{1} << (it - known_ops.begin());
	}
	info.max_queues_per_process = number("max_queues_per_process");
	info.max_queues = number("max_queues");
	info.min_ring_entries = number("min_ring_entries");
	info.max_ring_entries = number("max_ring_entries");
	info.max_transfer = number.operator()<std::uint64_t>("max_transfer");
	info.max_queues_per_user = number("max_queues_per_user");
	info.max_memory_per_user = number.operator()<std::uint64_t>("max_memory_per_user");
	info.max_streams_per_process = number("max_streams_per_process");
	info.max_streams = number("max_streams");
	status.state = sysfs::read(dir / "state");
	status.enabled = number("enabled") != 0;
	status.contexts = number("contexts");
	status.queues = number("queues");
	status.streams = number("streams");
	status.engine_busy_ns = number.operator()<std::uint64_t>("engine_busy_ns");
	status.engine_sleeps = number.operator()<std::uint64_t>("engine_sleeps");
	status.engine_wakeups = number.operator()<std::uint64_t>("engine_wakeups");
	return status;
}

Device Device::open(unsigned index)
{
	return open("/dev/accel" + std::to_string(index));
}

Device Device::open(const std::filesystem::path &path)
{
	return Device(std::make_shared<const Fd>(Fd::open(path, O_RDWR)), path);
}

Device Device::open_mdev(const std::string &uuid)
{
	auto mdev = detail::Mdev::open(uuid);
	return Device(mdev->device(), "/sys/bus/mdev/devices/" + uuid, mdev);
}

Device::Device(std::shared_ptr<const Fd> fd, std::filesystem::path path,
	       std::shared_ptr<detail::Mdev> mdev)
	: fd_(std::move(fd)), path_(std::move(path)), mdev_(std::move(mdev))
{
}

DmaMapping Device::map_dma(std::span<const std::byte> buffer) const
{
	return mdev_ ? mdev_->dma()->map(buffer) : DmaMapping{};
}

int Device::ioctl(unsigned long request, void *arg, const char *request_name) const
{
	return checked_ioctl(fd_->get(), request, arg, request_name, path_.string());
}

DeviceInfo Device::info() const
{
	// An mdev is its parent's: sysfs describes that whole.
	if (mdev_)
		return read_status("accel" + std::to_string(mdev_->read_regs().device_index)).info;
	afd_info raw{};
	ioctl(AFD_IOC_GET_INFO, &raw, "AFD_IOC_GET_INFO");

	DeviceInfo info;
	info.name.assign(raw.name, strnlen(raw.name, sizeof(raw.name)));
	info.index = raw.device_index;
	info.abi_major = raw.abi_major;
	info.abi_minor = raw.abi_minor;
	info.engine_count = raw.engine_count;
	info.caps = raw.caps;
	info.ops_supported = raw.ops_supported;
	info.max_queues_per_process = raw.max_queues_per_process;
	info.max_queues = raw.max_queues;
	info.min_ring_entries = raw.min_ring_entries;
	info.max_ring_entries = raw.max_ring_entries;
	info.max_transfer = raw.max_transfer;
	info.max_queues_per_user = raw.max_queues_per_user;
	info.max_memory_per_user = raw.max_memory_per_user;
	info.max_streams_per_process = raw.max_streams_per_process;
	info.max_streams = raw.max_streams;
	return info;
}

} // namespace accel
