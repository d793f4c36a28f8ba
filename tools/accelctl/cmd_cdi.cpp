// SPDX-License-Identifier: MIT
// accelctl cdi generate: a Container Device Interface spec of the devices
// present and their mdevs, for podman run --device accelfd.dev/accel=accel0
// (cdi.hpp builds it; this file reads what it describes).
#include <cerrno>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "accel/error.hpp"
#include "cdi.hpp"
#include "commands.hpp"

namespace accelctl {
namespace {

namespace fs = std::filesystem;

std::string numbers(dev_t dev)
{
	return std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
}

/// The device number a sysfs "dev" attribute holds ("240:0"), or nothing
/// if there is no such attribute.
std::optional<dev_t> sysfs_dev(const fs::path &attr)
{
	std::ifstream in(attr);
	unsigned maj = 0, min = 0;
	char colon = 0;
	if (!in)
		return std::nullopt;
	if (!(in >> maj >> colon >> min) || colon != ':')
		throw Failure(EXIT_FAILED, "cannot parse " + attr.string() + " as major:minor");
	return makedev(maj, min);
}

/// The node at @p path, which must be the character device that the sysfs
/// attribute @p dev_attr names (when the kernel has one): a spec pointing
/// at a stale or foreign node would hand containers the wrong device.
cdi::HostNode host_node(const std::string &path, const fs::path &dev_attr, const std::string &what)
{
	// lstat: the runtimes do not follow a symlink in place of a node.
	struct stat st {};
	if (::lstat(path.c_str(), &st) != 0)
		throw accel::Error(errno, "stat " + path,
				   what + " has no node at this path (is udev, or devtmpfs, "
					  "running?)");
	if (!S_ISCHR(st.st_mode))
		throw Failure(EXIT_FAILED,
			      path + " is not a character device, so it is not " + what + "'s node");
	if (const auto want = sysfs_dev(dev_attr); want && *want != st.st_rdev)
		throw Failure(EXIT_FAILED, path + " is device " + numbers(st.st_rdev) + " but " +
						   dev_attr.string() + " says " + numbers(*want) +
						   ": the node is not " + what +
						   "'s (a stale node?)");
	return {path, static_cast<std::uint32_t>(st.st_mode & 07777), st.st_uid, st.st_gid};
}

cdi::Inventory read_inventory()
{
	require_module();
	cdi::Inventory inventory;
	const auto mdevs = accel::read_mdevs();
	bool any_mdev = false;
	for (const auto &name : accel::device_names()) {
		const fs::path sysfs = "/sys/class/accelfd/" + name;
		cdi::Device dev{name, host_node("/dev/" + name, sysfs / "dev", name), {}};
		for (const auto &m : mdevs) {
			if (m.device != name)
				continue;
			const std::string what = "mdev " + m.uuid + " of " + name;
			if (m.iommu_group.empty())
				throw Failure(EXIT_FAILED, what + " has no IOMMU group (/sys/bus/mdev/"
							  "devices/" + m.uuid + "/iommu_group)");
			const std::string group = m.iommu_group;
			dev.mdevs.push_back({m.uuid, host_node("/dev/vfio/" + group,
							       "/sys/class/vfio/" + group + "/dev",
							       what + "'s VFIO group")});
			any_mdev = true;
		}
		inventory.devices.push_back(std::move(dev));
	}
	if (inventory.devices.empty())
		throw Failure(EXIT_FAILED, "no accelfd devices to describe: /sys/class/accelfd has "
					   "none (add one with 'echo 1 > "
					   "/sys/class/accelfd/add_device')");
	if (any_mdev)
		inventory.vfio_container = host_node("/dev/vfio/vfio", "/sys/class/misc/vfio/dev",
						     "VFIO's container");
	return inventory;
}

/// "accel0, accel1 (2 mdevs), all": what a written spec offers.
std::string summary(const cdi::Inventory &inventory)
{
	std::string out;
	for (const auto &dev : inventory.devices) {
		out += dev.name;
		if (const auto n = dev.mdevs.size(); n)
			out += " (" + std::to_string(n) + (n == 1 ? " mdev)" : " mdevs)");
		out += ", ";
	}
	return out + std::string(cdi::all_devices);
}

} // namespace

void add_cdi(CLI::App &app)
{
	auto *cmd = app.add_subcommand("cdi",
				       "Container Device Interface specs, for container engines");
	cmd->require_subcommand(1);

	auto *generate = cmd->add_subcommand(
		"generate", "Write a CDI spec of the devices present and their mdevs (one CDI device "
			    "per accelN, and 'all')");
	auto output = std::make_shared<std::string>(cdi::default_output);
	generate->add_option("-o,--output", *output,
			     "Where to write it, replacing the file atomically with mode 0644 ('-': "
			     "standard output)")
		->capture_default_str();
	generate->callback([output] {
		const cdi::Inventory inventory = read_inventory();
		const std::string text = cdi::build_spec(inventory).dump(2) + '\n';
		if (*output == "-") {
			std::cout << text;
			return;
		}
		cdi::write_file_atomically(*output, text);
		std::cout << *output << ": " << cdi::kind << ": " << summary(inventory) << '\n';
	});
}

} // namespace accelctl
