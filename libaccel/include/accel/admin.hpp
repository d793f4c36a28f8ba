// SPDX-License-Identifier: MIT
// Administration: every process's contexts and queues as sysfs shows them,
// the device's settings, and acting on any queue. Reading needs no
// privilege; changing anything needs CAP_SYS_ADMIN.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <linux/accelfd.h>

#include "accel/device.hpp"

namespace accel {

/// One open file of a device: /sys/class/accelfd/<dev>/context/<id>.
struct ContextStatus {
	std::uint32_t id = 0;
	int pid = 0;
	std::string comm;
	std::uint32_t queues = 0;
};

/// One queue of any process: /sys/class/accelfd/<dev>/queue/<id>.
struct QueueStatus {
	std::uint32_t id = 0;
	std::uint32_t context = 0;
	int pid = 0;
	std::string comm;
	std::string state; ///< "active", "suspended", "error" or "dead"
	std::uint32_t priority = 0;
	std::uint32_t sq_entries = 0;
	std::uint32_t cq_entries = 0;
	std::uint64_t submitted = 0;
	std::uint64_t completed = 0;
	std::uint64_t errors = 0;
	std::uint64_t bytes = 0;
	std::uint32_t streams = 0; ///< DEFLATE and INFLATE streams
};

/// The device's contexts and queues, by id. An entry that vanishes while
/// it is read (its process closed it) is left out.
[[nodiscard]] std::vector<ContextStatus> read_contexts(const std::string &device);
[[nodiscard]] std::vector<QueueStatus> read_queues(const std::string &device);

/// The device limits an administrator may set, by their sysfs names.
inline constexpr std::string_view settable_limits[] = {
	"max_queues_per_process", "max_queues", "min_ring_entries",
	"max_ring_entries", "max_transfer", "max_queues_per_user",
	"max_memory_per_user", "max_streams_per_process", "max_streams",
};

/// Sets one of settable_limits; the kernel checks the value (EINVAL).
void set_limit(const std::string &device, std::string_view limit, std::uint64_t value);
/// Disabled: no new queues, and queued descriptors complete with
/// ECANCELED, unexecuted, until enabled again.
void set_enabled(const std::string &device, bool enabled);

/// What AFD_IOC_QUEUE_ADMIN does to a queue (see the uapi header).
enum class QueueAction : std::uint32_t {
	suspend = AFD_QUEUE_ADMIN_SUSPEND,
	resume = AFD_QUEUE_ADMIN_RESUME,
	reset = AFD_QUEUE_ADMIN_RESET,
	evict = AFD_QUEUE_ADMIN_EVICT,
	set_priority = AFD_QUEUE_ADMIN_SET_PRIORITY,
};

[[nodiscard]] std::string_view action_name(QueueAction action) noexcept;

/// An mdev of type accelfd-queue: /sys/bus/mdev/devices/<uuid>.
struct MdevStatus {
	std::string uuid;
	std::string device;	     ///< the parent, "accel0"
	std::string iommu_group;     ///< N of /dev/vfio/N
	std::uint32_t queue_id = 0;  ///< its queue on the parent, 0 while it has none
};

/// True if accelfd_mdev is loaded (the parent has mdev types).
[[nodiscard]] bool mdev_supported(const std::string &device);
/// Creates an mdev on @p device (CAP_SYS_ADMIN); a random UUID if @p uuid
/// is empty. Returns the UUID.
std::string create_mdev(const std::string &device, const std::string &uuid = {});
/// The accelfd mdevs of every device, by UUID.
[[nodiscard]] std::vector<MdevStatus> read_mdevs();
/// Removes an mdev (CAP_SYS_ADMIN). Waits while its VFIO device file is
/// open: the kernel ends its queue and asks the user to close it.
void remove_mdev(const std::string &uuid);

/// Acts on any process's queue of @p device, which the caller opened.
/// @p priority is for QueueAction::set_priority only.
void administer_queue(const Device &device, std::uint32_t queue_id, QueueAction action,
		      std::uint32_t priority = 0);

} // namespace accel
