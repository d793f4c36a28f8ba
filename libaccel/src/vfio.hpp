// SPDX-License-Identifier: MIT
// The VFIO side of an mdev: container, group and device files, the
// register region, and the container's IOVA space.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include <linux/accelfd_mdev.h>
#include <linux/vfio.h>

#include "accel/dma.hpp"
#include "accel/fd.hpp"

namespace accel::detail {

/// The container's IOVA space, in runs of pages mapped at IOVA == address
/// and shared by the DmaMappings that overlap them.
class DmaSpace : public std::enable_shared_from_this<DmaSpace> {
public:
	DmaSpace(std::shared_ptr<const Fd> container, std::string name)
		: container_(std::move(container)), name_(std::move(name))
	{
	}
	[[nodiscard]] DmaMapping map(std::span<const std::byte> buffer);
	void release(const std::vector<std::uint64_t> &runs) noexcept;

private:
	struct Run {
		std::uint64_t end;
		unsigned refs;
	};
	void map_run(std::uint64_t start, std::uint64_t end);
	void unmap_run(std::uint64_t start) noexcept;

	std::shared_ptr<const Fd> container_;
	std::string name_;
	std::mutex lock_; // protects runs_
	std::map<std::uint64_t, Run> runs_;
};

/// An opened mdev: what its Device and Queues share.
class Mdev {
public:
	/// Opens the mdev @p uuid through VFIO: container (type1 v2), group,
	/// device file. Throws accel::Error naming the step that failed.
	[[nodiscard]] static std::shared_ptr<Mdev> open(const std::string &uuid);

	[[nodiscard]] const std::string &name() const noexcept { return name_; }
	[[nodiscard]] const std::shared_ptr<const Fd> &device() const noexcept { return device_; }
	[[nodiscard]] const std::shared_ptr<DmaSpace> &dma() const noexcept { return dma_; }

	[[nodiscard]] afd_mdev_regs read_regs() const;
	/// Writes one RW register (or the command); -errno on failure.
	[[nodiscard]] int write_reg(std::size_t offset, std::uint32_t value) const noexcept;
	[[nodiscard]] vfio_region_info region(unsigned index) const;
	/// Points interrupt @p irq at @p eventfd (-1: none).
	void set_trigger(unsigned irq, int eventfd) const;

private:
	std::string name_; // "mdev <uuid>"
	std::shared_ptr<const Fd> container_;
	Fd group_;
	std::shared_ptr<const Fd> device_;
	std::uint64_t regs_offset_ = 0;
	std::shared_ptr<DmaSpace> dma_;
};

} // namespace accel::detail
