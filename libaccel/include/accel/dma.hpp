// SPDX-License-Identifier: MIT
// accel::DmaMapping: making a buffer reachable by the device, whichever
// model it is reached through.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace accel {

namespace detail {
class DmaSpace;
}

/// Keeps a buffer reachable by the device while it lives; returned by
/// Device::map_dma(). Descriptors name the buffer by its own address in
/// both models.
///
/// On the char device the engine works in the process's address space, so
/// this holds nothing. On an mdev the buffer's pages are mapped into the
/// VFIO container at IOVAs equal to their addresses (VFIO_IOMMU_MAP_DMA);
/// pages shared with other mapped buffers are mapped once and unmapped
/// with the last DmaMapping that covers them.
class DmaMapping {
public:
	DmaMapping() noexcept = default;
	DmaMapping(DmaMapping &&) noexcept = default;
	DmaMapping &operator=(DmaMapping &&other) noexcept;
	DmaMapping(const DmaMapping &) = delete;
	DmaMapping &operator=(const DmaMapping &) = delete;
	~DmaMapping();

private:
	friend class detail::DmaSpace;
	std::shared_ptr<detail::DmaSpace> space_;
	std::vector<std::uint64_t> runs_; ///< the mapped runs this buffer holds
};

} // namespace accel
