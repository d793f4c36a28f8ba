// SPDX-License-Identifier: MIT
// accel::Device: an open /dev/accelN or mdev, and the devices the module
// offers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <linux/accelfd.h>

#include "accel/dma.hpp"
#include "accel/fd.hpp"

namespace accel {

namespace detail {
class Mdev;
}

/// What AFD_IOC_GET_INFO reports (or sysfs, for a device not opened).
struct DeviceInfo {
	std::string name;
	std::uint32_t index = 0;
	std::uint32_t abi_major = 0;
	std::uint32_t abi_minor = 0;
	std::uint32_t engine_count = 0;
	std::uint64_t caps = 0;
	std::uint64_t ops_supported = 0;
	std::uint32_t max_queues_per_process = 0;
	std::uint32_t max_queues = 0;
	std::uint32_t min_ring_entries = 0;
	std::uint32_t max_ring_entries = 0;
	std::uint64_t max_transfer = 0;
	std::uint32_t max_queues_per_user = 0;
	std::uint64_t max_memory_per_user = 0; ///< bytes, counted until freed
	std::uint32_t max_streams_per_process = 0;
	std::uint32_t max_streams = 0;

	[[nodiscard]] bool supports(afd_op op) const noexcept
	{
		return ops_supported & (std::uint64_t{1} << op);
	}
	bool operator==(const DeviceInfo &) const = default;
};

/// A device's run-time state from sysfs, beside its fixed description.
struct DeviceStatus {
	DeviceInfo info;
	std::string state;	  ///< "enabled", "disabled" or "removing"
	bool enabled = true;	  ///< the administrator's setting
	std::uint32_t contexts = 0; ///< open files
	std::uint32_t queues = 0;   ///< queues of all processes
	std::uint32_t streams = 0;  ///< DEFLATE and INFLATE streams of all queues
	std::uint64_t engine_busy_ns = 0; ///< time the engines spent executing
	std::uint64_t engine_sleeps = 0;  ///< times an engine slept for want of work
	std::uint64_t engine_wakeups = 0; ///< times a kick woke one
};

/// Name of an operation ("memmove"), or "op<N>" for one this library
/// does not know.
[[nodiscard]] std::string op_name(unsigned op);
/// Names of the operations whose bits are set in @p ops.
[[nodiscard]] std::vector<std::string> op_names(std::uint64_t ops);

/// True if the accelfd module is loaded (its sysfs class exists).
[[nodiscard]] bool module_loaded();
/// Names of the devices ("accel0", ...), in index order; empty if the
/// module is not loaded.
[[nodiscard]] std::vector<std::string> device_names();
/// Reads a device's description and state from sysfs, without opening it.
[[nodiscard]] DeviceStatus read_status(const std::string &name);

/// How the process reaches the device (docs/mdev.md compares the two).
enum class Model {
	char_device, ///< /dev/accelN: any number of queues per open file
	mdev,	     ///< an mdev through VFIO: one queue pair per mdev
};

/// An open device: /dev/accelN (the context of this process on it), or an
/// mdev of one opened through VFIO. Queue::create() and the operations
/// work the same on both; map_dma() does what each model needs to let the
/// device reach a buffer. A char device is usable by the threads of the
/// opening process only (the kernel answers EBADF to any other process,
/// including a forked child).
class Device {
public:
	[[nodiscard]] static Device open(unsigned index);
	[[nodiscard]] static Device open(const std::filesystem::path &path);
	/// Opens the mdev @p uuid (accelctl mdev create makes one): its VFIO
	/// container (type1 v2), group and device file.
	[[nodiscard]] static Device open_mdev(const std::string &uuid);

	[[nodiscard]] Model model() const noexcept { return mdev_ ? Model::mdev : Model::char_device; }
	[[nodiscard]] DeviceInfo info() const;
	/// /dev/accelN, or /sys/bus/mdev/devices/<uuid>.
	[[nodiscard]] const std::filesystem::path &path() const noexcept { return path_; }
	/// The char device's file, or the mdev's VFIO device file.
	[[nodiscard]] int fd() const noexcept { return fd_->get(); }
	/// Shared with the Queues created on it, which keep the file open.
	[[nodiscard]] const std::shared_ptr<const Fd> &shared_fd() const noexcept { return fd_; }

	/// Lets the device reach @p buffer until the result is destroyed; call
	/// it for every buffer a descriptor names. Nothing to do on the char
	/// device (the engine works in this process's address space); on an
	/// mdev, VFIO_IOMMU_MAP_DMA of the buffer's pages at IOVA == address,
	/// so descriptors carry the same addresses in both models.
	[[nodiscard]] DmaMapping map_dma(std::span<const std::byte> buffer) const;
	template <typename T> [[nodiscard]] DmaMapping map_dma(std::span<T> buffer) const
	{
		return map_dma(std::as_bytes(buffer));
	}

	/// ioctl on this device that throws an accel::Error naming it.
	int ioctl(unsigned long request, void *arg, const char *request_name) const;

	/// The mdev behind this Device (null for a char device); for the
	/// library's own use.
	[[nodiscard]] const std::shared_ptr<detail::Mdev> &mdev() const noexcept { return mdev_; }

private:
	Device(std::shared_ptr<const Fd> fd, std::filesystem::path path,
	       std::shared_ptr<detail::Mdev> mdev = nullptr);

	std::shared_ptr<const Fd> fd_;
	std::filesystem::path path_;
	std::shared_ptr<detail::Mdev> mdev_;
};

} // namespace accel
