// SPDX-License-Identifier: MIT
// accelctl cdi: a Container Device Interface spec for the devices present.
// Building the spec is a pure function of a description of the devices
// (read from sysfs and /dev by cmd_cdi.cpp), so that it is unit tested on
// the build machine (tests/host/test_cdi.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace accelctl::cdi {

/// The CDI spec version written. 0.5.0 is the newest that Debian 12's
/// podman 4.3 (container-device-interface 0.5) accepts; the spec uses
/// nothing newer than 0.3.0 has, and every later CDI reads 0.5.0.
inline constexpr std::string_view spec_version = "0.5.0";
/// The kind: podman run --device accelfd.dev/accel=accel0.
inline constexpr std::string_view kind = "accelfd.dev/accel";
/// The device that holds every other one.
inline constexpr std::string_view all_devices = "all";
/// Where the spec goes by default. The CDI directories are /etc/cdi, for
/// specs installed with a package, and /var/run/cdi, for specs generated
/// on the machine, which take precedence. This spec describes what is
/// present now (devices added and removed, mdevs created, device numbers
/// and IOMMU groups handed out at load), so it is a generated one, and
/// /var/run is emptied at boot, so it cannot outlive the devices it
/// names. The file name is CDI's convention, <vendor>-<class>.json.
inline constexpr std::string_view default_output = "/var/run/cdi/accelfd.dev-accel.json";

/// A device node of the host as the container gets it: the same path,
/// and the host node's permission bits, owner and group, so that a
/// container user needs what a host user needs (for /dev/accelN, the
/// group accel); left out, podman 4.3 with crun creates the node 0666 and
/// owned by the container's user. Major and minor are not written: the
/// runtime reads them from the host node when it starts the container, so
/// the spec stays right when a reload hands out other numbers, and an
/// accelN node that is gone fails the start. (A VFIO group node is named
/// by its number: a stale spec can name a group reused since; write the
/// spec again after removing an mdev.)
struct HostNode {
	std::string path;	 ///< "/dev/accel0", absolute
	std::uint32_t mode = 0;	 ///< permission bits, e.g. 0660
	std::uint32_t uid = 0;
	std::uint32_t gid = 0;
};

/// An mdev of type accelfd-queue: used through VFIO, it needs its VFIO
/// group's node /dev/vfio/N and the container node /dev/vfio/vfio.
struct Mdev {
	std::string uuid;
	HostNode group; ///< /dev/vfio/<its IOMMU group>
};

/// One accelfd device and the mdevs created on it.
struct Device {
	std::string name; ///< "accel0": the CDI device's name
	HostNode node;	  ///< /dev/accel0
	std::vector<Mdev> mdevs;
};

/// What the spec describes: the devices in the order given (accelctl
/// gives them by index), and /dev/vfio/vfio if any device has an mdev.
struct Inventory {
	std::vector<Device> devices;
	std::optional<HostNode> vfio_container;
};

/// The CDI spec: one CDI device per accelfd device, named as it is, with
/// its node and those of its mdevs, and the device "all" with every node.
/// Throws std::invalid_argument, saying what is wrong, for an inventory
/// that cannot make a valid spec: no device, a name CDI does not allow or
/// given twice, a path that is not absolute, an mdev without the VFIO
/// container node.
[[nodiscard]] nlohmann::ordered_json build_spec(const Inventory &inventory);

/// Replaces @p path with @p text as a whole: writes a temporary file in
/// the same directory (named so that no CDI reader takes it for a spec),
/// flushes it to disk, sets @p mode and renames it over @p path, so that a
/// reader sees the old file or the new one, never a part. The directory is
/// created (mode 0755) if it does not exist but its parent does. Throws
/// accel::Error naming the call and file that failed; no temporary file is
/// left behind.
void write_file_atomically(const std::filesystem::path &path, std::string_view text,
			   std::uint32_t mode = 0644);

} // namespace accelctl::cdi
