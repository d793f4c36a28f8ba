// SPDX-License-Identifier: MIT
#include "vfio.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/ioctl.h>
#include <unistd.h>
#include <vector>

#include "accel/error.hpp"
#include "accel/ioctl.hpp"

namespace accel {

DmaMapping &DmaMapping::operator=(DmaMapping &&other) noexcept
{
	if (this != &other) {
		if (space_)
			space_->release(runs_);
		space_ = std::move(other.space_);
		runs_ = std::move(other.runs_);
	}
	return *this;
}

DmaMapping::~DmaMapping()
{
	if (space_)
		space_->release(runs_);
}

namespace detail {
namespace {

const std::uint64_t page_size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));

/// The iommu group number of an mdev, from sysfs.
std::string group_of(const std::string &uuid)
{
	const std::filesystem::path link = "/sys/bus/mdev/devices/" + uuid + "/iommu_group";
	std::error_code ec;
	const auto target = std::filesystem::read_symlink(link, ec);
	if (ec)
		throw Error(ec.value(), "read " + link.string(),
			    ec.value() == ENOENT
				    ? "no such mdev ('accelctl mdev list' shows them)"
				    : std::string_view{});
	return target.filename().string();
}

} // namespace

void DmaSpace::map_run(std::uint64_t start, std::uint64_t end)
{
	vfio_iommu_type1_dma_map map{};
	map.argsz = sizeof(map);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = start;
	map.iova = start;
	map.size = end - start;
	checked_ioctl(container_->get(), VFIO_IOMMU_MAP_DMA, &map, "VFIO_IOMMU_MAP_DMA", name_);
	runs_[start] = Run{end, 0};
}

DmaMapping DmaSpace::map(std::span<const std::byte> buffer)
{
	DmaMapping mapping;
	if (buffer.empty())
		return mapping;
	const auto addr = reinterpret_cast<std::uint64_t>(buffer.data());
	const std::uint64_t start = addr & ~(page_size - 1);
	const std::uint64_t end = (addr + buffer.size() + page_size - 1) & ~(page_size - 1);

	std::lock_guard guard(lock_);
	// The run that covers @p at, or the first one after it.
	const auto run_at = [&](std::uint64_t at) {
		auto it = runs_.upper_bound(at);
		if (it != runs_.begin() && std::prev(it)->second.end > at)
			--it;
		return it;
	};
	// Map the pages no run covers yet, each gap a run of its own...
	std::vector<std::uint64_t> created;
	try {
		for (std::uint64_t at = start; at < end;) {
			auto it = run_at(at);
			if (it != runs_.end() && it->first <= at) {
				at = it->second.end;
				continue;
			}
			const std::uint64_t gap_end = it == runs_.end() ? end : std::min(it->first, end);
			map_run(at, gap_end);
			created.push_back(at);
			at = gap_end;
		}
	} catch (...) {
		for (std::uint64_t run : created)
			unmap_run(run);
		throw;
	}
	// ...then take a reference on every run the buffer touches.
	for (auto it = run_at(start); it != runs_.end() && it->first < end; ++it) {
		it->second.refs++;
		mapping.runs_.push_back(it->first);
	}
	mapping.space_ = shared_from_this();
	return mapping;
}

void DmaSpace::unmap_run(std::uint64_t start) noexcept
{
	vfio_iommu_type1_dma_unmap unmap{};
	unmap.argsz = sizeof(unmap);
	unmap.iova = start;
	unmap.size = runs_[start].end - start;
	(void)detail::ioctl(container_->get(), VFIO_IOMMU_UNMAP_DMA, &unmap);
	runs_.erase(start);
}

void DmaSpace::release(const std::vector<std::uint64_t> &runs) noexcept
{
	std::lock_guard guard(lock_);
	for (std::uint64_t start : runs) {
		auto it = runs_.find(start);
		if (it != runs_.end() && --it->second.refs == 0)
			unmap_run(start);
	}
}

std::shared_ptr<Mdev> Mdev::open(const std::string &uuid)
{
	auto mdev = std::make_shared<Mdev>();
	mdev->name_ = "mdev " + uuid;
	const std::string group = "/dev/vfio/" + group_of(uuid);

	mdev->container_ = std::make_shared<const Fd>(Fd::open("/dev/vfio/vfio", O_RDWR));
	const int container = mdev->container_->get();
	if (::ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		throw Error(EPROTO, "VFIO_GET_API_VERSION on /dev/vfio/vfio");
	if (::ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		throw Error(ENOTSUP, "VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU) on /dev/vfio/vfio",
			    "load vfio_iommu_type1 (modprobe vfio_iommu_type1)");

	mdev->group_ = Fd::open(group, O_RDWR);
	vfio_group_status status{};
	status.argsz = sizeof(status);
	checked_ioctl(mdev->group_.get(), VFIO_GROUP_GET_STATUS, &status, "VFIO_GROUP_GET_STATUS", group);
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		throw Error(EBUSY, "VFIO_GROUP_GET_STATUS on " + group, "the group is not viable");
	int container_fd = container;
	checked_ioctl(mdev->group_.get(), VFIO_GROUP_SET_CONTAINER, &container_fd,
		      "VFIO_GROUP_SET_CONTAINER", group);
	checked_ioctl(container, VFIO_SET_IOMMU, reinterpret_cast<void *>(VFIO_TYPE1v2_IOMMU),
		      "VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)", "/dev/vfio/vfio");

	const int device = detail::retry_interrupted(
		[&] { return ::ioctl(mdev->group_.get(), VFIO_GROUP_GET_DEVICE_FD, uuid.c_str()); });
	if (device < 0)
		throw Error(-device, "ioctl(VFIO_GROUP_GET_DEVICE_FD) on " + group + " for " + uuid);
	mdev->device_ = std::make_shared<const Fd>(device);

	vfio_device_info info{};
	info.argsz = sizeof(info);
	checked_ioctl(device, VFIO_DEVICE_GET_INFO, &info, "VFIO_DEVICE_GET_INFO", mdev->name_);
	if (info.num_regions < AFD_MDEV_NUM_REGIONS || info.num_irqs < AFD_MDEV_NUM_IRQS)
		throw Error(ENODEV, mdev->name_ + " has " + std::to_string(info.num_regions) +
					    " regions and " + std::to_string(info.num_irqs) + " interrupts",
			    "not an accelfd mdev");
	mdev->regs_offset_ = mdev->region(AFD_MDEV_REGION_REGS).offset;
	mdev->dma_ = std::make_shared<DmaSpace>(mdev->container_, mdev->name_);
	return mdev;
}

afd_mdev_regs Mdev::read_regs() const
{
	afd_mdev_regs regs{};
	const ssize_t n = ::pread(device_->get(), &regs, sizeof(regs), static_cast<off_t>(regs_offset_));
	if (n != static_cast<ssize_t>(sizeof(regs)))
		throw Error(n < 0 ? errno : EIO, "read the registers of " + name_);
	return regs;
}

int Mdev::write_reg(std::size_t offset, std::uint32_t value) const noexcept
{
	return detail::retry_interrupted([&] {
		return static_cast<int>(::pwrite(device_->get(), &value, sizeof(value),
						 static_cast<off_t>(regs_offset_ + offset)));
	});
}

vfio_region_info Mdev::region(unsigned index) const
{
	vfio_region_info info{};
	info.argsz = sizeof(info);
	info.index = index;
	checked_ioctl(device_->get(), VFIO_DEVICE_GET_REGION_INFO, &info,
		      "VFIO_DEVICE_GET_REGION_INFO", name_);
	return info;
}

void Mdev::set_trigger(unsigned irq, int eventfd) const
{
	// A vfio_irq_set followed by its data, one eventfd.
	alignas(vfio_irq_set) std::byte buf[sizeof(vfio_irq_set) + sizeof(std::int32_t)]{};
	vfio_irq_set set{};
	set.argsz = sizeof(buf);
	set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set.index = irq;
	set.start = 0;
	set.count = 1;
	const std::int32_t fd = eventfd;
	std::memcpy(buf, &set, sizeof(set));
	std::memcpy(buf + sizeof(set), &fd, sizeof(fd));
	checked_ioctl(device_->get(), VFIO_DEVICE_SET_IRQS, buf, "VFIO_DEVICE_SET_IRQS", name_);
}

} // namespace detail
} // namespace accel
