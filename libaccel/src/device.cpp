// SPDX-License-Identifier: MIT
#include "accel/device.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>

#include "accel/error.hpp"
#include "accel/ioctl.hpp"

namespace accel {
namespace {

const std::filesystem::path sysfs_class = "/sys/class/accelfd";

constexpr std::array<const char *, AFD_OP_COUNT> known_ops = {
	"nop", "memmove", "fill", "compare", "crc32c",
};

std::string read_attr(const std::string &device, const char *attr)
{
	const auto path = sysfs_class / device / attr;
	errno = 0;
	std::ifstream in(path);
	std::string value;
	if (!in || !std::getline(in, value)) {
		const int err = errno ? errno : EIO;
		throw Error(err, "read " + path.string());
	}
	return value;
}

template <typename T>
T parse_number(const std::string &device, const char *attr, int base = 10)
{
	const std::string text = read_attr(device, attr);
	std::string_view digits = text;
	if (base == 16 && digits.starts_with("0x"))
		digits.remove_prefix(2);
	T value{};
	auto [end, ec] = std::from_chars(digits.begin(), digits.end(), value, base);
	if (ec != std::errc() || end != digits.end())
		throw Error(EPROTO, "parse " + (sysfs_class / device / attr).string() +
					    " value '" + text + "'");
	return value;
}

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
	return std::filesystem::is_directory(sysfs_class, ec);
}

std::vector<std::string> device_names()
{
	std::vector<std::string> names;
	std::error_code ec;
	for (const auto &entry : std::filesystem::directory_iterator(sysfs_class, ec)) {
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
	DeviceStatus status;
	DeviceInfo &info = status.info;

	info.name = name;
	const std::string dev = read_attr(name, "dev");
	info.index = static_cast<std::uint32_t>(std::stoul(dev.substr(dev.find(':') + 1)));
	const std::string abi = read_attr(name, "abi_version");
	if (std::sscanf(abi.c_str(), "%u.%u", &info.abi_major, &info.abi_minor) != 2)
		throw Error(EPROTO, "parse " + (sysfs_class / name / "abi_version").string());
	info.engine_count = parse_number<std::uint32_t>(name, "engines");
	info.caps = parse_number<std::uint64_t>(name, "caps", 16);
	std::istringstream ops(read_attr(name, "ops"));
	for (std::string op; ops >> op;) {
		auto it = std::ranges::find(known_ops, op);
		if (it != known_ops.end())
			info.ops_supported |= std::uint64_t{1} << (it - known_ops.begin());
	}
	info.max_queues_per_process = parse_number<std::uint32_t>(name, "max_queues_per_process");
	info.max_queues = parse_number<std::uint32_t>(name, "max_queues");
	info.min_ring_entries = parse_number<std::uint32_t>(name, "min_ring_entries");
	info.max_ring_entries = parse_number<std::uint32_t>(name, "max_ring_entries");
	info.max_transfer = parse_number<std::uint64_t>(name, "max_transfer");
	status.state = read_attr(name, "state");
	status.contexts = parse_number<std::uint32_t>(name, "contexts");
	status.queues = parse_number<std::uint32_t>(name, "queues");
	return status;
}

Device Device::open(unsigned index)
{
	return open("/dev/accel" + std::to_string(index));
}

Device Device::open(const std::filesystem::path &path)
{
	return Device(Fd::open(path, O_RDWR), path);
}

int Device::ioctl(unsigned long request, void *arg, const char *request_name) const
{
	return checked_ioctl(fd_->get(), request, arg, request_name, path_.string());
}

DeviceInfo Device::info() const
{
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
	return info;
}

} // namespace accel
