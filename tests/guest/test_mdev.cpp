// SPDX-License-Identifier: MIT
// The VFIO-mdev front end: an mdev's life (create, open, use, remove while
// open), what differs from the char device (DMA mapping, one queue per
// mdev, eventfds), and each VFIO call's failure on its own.
#include <filesystem>
#include <fstream>
#include <linux/vfio.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <thread>

#include <linux/accelfd_mdev.h>
#include <nlohmann/json.hpp>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path type_dir = "/sys/class/accelfd/accel0/mdev_supported_types/" AFD_MDEV_TYPE_NAME;

/// An mdev opened with raw VFIO calls, for the error paths.
struct RawMdev {
	guest::TestMdev mdev;
	int container = ::open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	int group = -1;
	int device = -1;

	RawMdev()
	{
		BOOST_REQUIRE(container >= 0);
		const auto group_path =
			"/dev/vfio/" + fs::read_symlink("/sys/bus/mdev/devices/" + mdev.uuid + "/iommu_group")
					       .filename()
					       .string();
		group = ::open(group_path.c_str(), O_RDWR | O_CLOEXEC);
		BOOST_REQUIRE_MESSAGE(group >= 0, group_path << ": " << strerror(errno));
		BOOST_REQUIRE(::ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) == 0);
		BOOST_REQUIRE(::ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) == 0);
		device = ::ioctl(group, VFIO_GROUP_GET_DEVICE_FD, mdev.uuid.c_str());
		BOOST_REQUIRE_MESSAGE(device >= 0, "GET_DEVICE_FD: " << strerror(errno));
	}
	~RawMdev()
	{
		::close(device);
		::close(group);
		::close(container);
	}
	RawMdev(const RawMdev &) = delete;
	RawMdev &operator=(const RawMdev &) = delete;

	static off_t regs(std::size_t field)
	{
		return static_cast<off_t>((std::uint64_t{AFD_MDEV_REGION_REGS} << 40) + field);
	}
	/// The errno of writing @p value to the register at @p field.
	int write_reg(std::size_t field, std::uint32_t value) const
	{
		return ::pwrite(device, &value, sizeof(value), regs(field)) == sizeof(value) ? 0 : errno;
	}
	afd_mdev_regs read_regs() const
	{
		afd_mdev_regs r{};
		BOOST_REQUIRE(::pread(device, &r, sizeof(r), regs(0)) == sizeof(r));
		return r;
	}
	vfio_region_info region(unsigned index) const
	{
		vfio_region_info info{};
		info.argsz = sizeof(info);
		info.index = index;
		BOOST_REQUIRE(::ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &info) == 0);
		return info;
	}
	/// The errno of VFIO_DEVICE_SET_IRQS with @p flags for @p index.
	int set_irqs(std::uint32_t flags, std::uint32_t index, std::uint32_t count, std::int32_t fd = -1) const
	{
		alignas(vfio_irq_set) std::byte buf[sizeof(vfio_irq_set) + sizeof(std::int32_t)]{};
		vfio_irq_set set{};
		set.argsz = sizeof(buf);
		set.flags = flags;
		set.index = index;
		set.count = count;
		std::memcpy(buf, &set, sizeof(set));
		std::memcpy(buf + sizeof(set), &fd, sizeof(fd));
		return guest::ioctl_errno(device, VFIO_DEVICE_SET_IRQS, buf);
	}
};

unsigned available_instances()
{
	return guest::read_uint(type_dir / "available_instances");
}

} // namespace

BOOST_AUTO_TEST_SUITE(mdev_life)

BOOST_AUTO_TEST_CASE(the_type_describes_itself_and_counts_instances)
{
	BOOST_TEST(guest::read_line(type_dir / "device_api") == "vfio-platform");
	BOOST_TEST(guest::read_line(type_dir / "name") == "accelfd queue pair");
	const unsigned before = available_instances();
	BOOST_TEST(before > 0u);
	{
		guest::TestMdev mdev;
		BOOST_TEST(available_instances() == before - 1);
		BOOST_TEST(fs::exists("/sys/bus/mdev/devices/" + mdev.uuid));
	}
	BOOST_TEST(available_instances() == before);
}

BOOST_AUTO_TEST_CASE(a_queue_on_an_mdev_runs_and_shows_like_any_other)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	BOOST_TEST((dev.model() == accel::Model::mdev));
	BOOST_TEST(dev.info().name == "accel0");
	auto q = accel::Queue::create(dev, {.sq_entries = 16});
	BOOST_TEST(q.run(accel::op::nop(1), std::chrono::seconds(30)).status == 0);

	const std::string queue_id =
		guest::read_line("/sys/bus/mdev/devices/" + mdev.uuid + "/accelfd/queue_id");
	BOOST_TEST(queue_id == std::to_string(q.id()));
	const auto queues = accel::read_queues("accel0");
	const auto mine = std::ranges::find(queues, q.id(), &accel::QueueStatus::id);
	BOOST_REQUIRE(mine != queues.end());
	BOOST_TEST(mine->pid == ::getpid());
	BOOST_TEST(mine->sq_entries == 16u);
	BOOST_TEST(mine->completed == 1u);
	BOOST_TEST(q.stats().completed == 1u);
}

BOOST_AUTO_TEST_CASE(one_mdev_is_one_queue_pair)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto q = accel::Queue::create(dev);
	try {
		(void)accel::Queue::create(dev);
		BOOST_FAIL("a second queue on one mdev");
	} catch (const accel::Error &e) {
		BOOST_TEST(e.code().value() == EBUSY);
	}
}

BOOST_AUTO_TEST_CASE(a_queue_ended_and_recreated_on_the_same_mdev)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	for (int round = 0; round < 3; round++) {
		auto q = accel::Queue::create(dev, {.sq_entries = 8});
		BOOST_TEST(q.run(accel::op::nop(), std::chrono::seconds(30)).status == 0);
	}
	BOOST_TEST(guest::read_line("/sys/bus/mdev/devices/" + mdev.uuid + "/accelfd/queue_id") == "0");
}

BOOST_AUTO_TEST_CASE(blocking_wait_sleeps_on_the_completion_eventfd)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto q = accel::Queue::create(dev);
	std::vector<std::byte> src(8 << 20), dst(8 << 20);
	const auto dma = {dev.map_dma(std::span(src)), dev.map_dma(std::span(dst))};
	q.submit(std::array{accel::op::memmove(dst, src, 7)});
	afd_completion c[1];
	unsigned n = 0;
	for (int i = 0; i < 100 && n == 0; i++)
		n = q.wait(c, std::chrono::seconds(1));
	BOOST_REQUIRE(n == 1u);
	BOOST_TEST(c[0].status == 0);
	BOOST_TEST(c[0].cookie == 7u);
	BOOST_TEST((dst == src));
}

BOOST_AUTO_TEST_CASE(a_buffer_not_mapped_for_dma_is_out_of_the_mdevs_reach)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto q = accel::Queue::create(dev);
	std::vector<std::byte> buf(4096);
	afd_completion c = q.run(accel::op::fill(buf, 1), std::chrono::seconds(30));
	BOOST_TEST(c.status == -EFAULT);
	BOOST_TEST(c.fault_addr == reinterpret_cast<std::uintptr_t>(buf.data()));
	{
		const auto dma = dev.map_dma(std::span(buf));
		BOOST_TEST(q.run(accel::op::fill(buf, 1), std::chrono::seconds(30)).status == 0);
	}
	// Unmapped again with its DmaMapping.
	BOOST_TEST(q.run(accel::op::fill(buf, 2), std::chrono::seconds(30)).status == -EFAULT);
}

BOOST_AUTO_TEST_CASE(buffers_sharing_pages_are_mapped_once_and_kept_while_either_lives)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto q = accel::Queue::create(dev);
	alignas(4096) static std::byte pages[3 * 4096];
	const std::span<std::byte> a(pages + 100, 5000), b(pages + 4000, 6000);
	auto dma_a = dev.map_dma(a);
	{
		const auto dma_b = dev.map_dma(b); // overlaps a's pages
		BOOST_TEST(q.run(accel::op::fill(b, 3), std::chrono::seconds(30)).status == 0);
	}
	BOOST_TEST(q.run(accel::op::fill(a, 4), std::chrono::seconds(30)).status == 0);
	dma_a = accel::DmaMapping{};
	BOOST_TEST(q.run(accel::op::fill(a, 5), std::chrono::seconds(30)).status == -EFAULT);
}

BOOST_AUTO_TEST_CASE(vfio_reset_empties_the_rings)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto q = accel::Queue::create(dev);
	BOOST_REQUIRE(q.run(accel::op::nop(), std::chrono::seconds(30)).status == 0);
	BOOST_REQUIRE(::ioctl(dev.fd(), VFIO_DEVICE_RESET) == 0);
	q.resync();
	BOOST_TEST(q.run(accel::op::nop(2), std::chrono::seconds(30)).status == 0);
}

BOOST_AUTO_TEST_CASE(vfio_reset_keeps_an_administrators_suspension)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto q = accel::Queue::create(dev);
	guest::OpenDevice admin;
	BOOST_REQUIRE(guest::queue_admin(admin.fd, q.id(), AFD_QUEUE_ADMIN_SUSPEND) == 0);
	BOOST_REQUIRE(::ioctl(dev.fd(), VFIO_DEVICE_RESET) == 0);
	q.resync();
	BOOST_TEST(q.stats().state == AFD_QUEUE_STATE_SUSPENDED);
	BOOST_TEST((q.cq_flags() & AFD_CQ_F_SUSPENDED) != 0u);
	BOOST_TEST(q.run(accel::op::nop(), std::chrono::seconds(30)).status == -ECANCELED);
}

BOOST_AUTO_TEST_CASE(an_evicted_mdev_queue_fails_waits_with_ecanceled)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto q = accel::Queue::create(dev);
	guest::OpenDevice admin;
	BOOST_REQUIRE(guest::queue_admin(admin.fd, q.id(), AFD_QUEUE_ADMIN_EVICT) == 0);
	BOOST_TEST((q.cq_flags() & AFD_CQ_F_EVICTED) != 0u);
	afd_completion c[1];
	try {
		(void)q.wait(c, std::chrono::seconds(5));
		BOOST_FAIL("wait on an evicted queue returned");
	} catch (const accel::Error &e) {
		BOOST_TEST(e.code().value() == ECANCELED);
	}
}

BOOST_AUTO_TEST_CASE(a_wait_blocked_on_the_eventfd_wakes_when_the_queue_is_evicted)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto q = accel::Queue::create(dev);
	int err = 0;
	std::thread waiter([&] {
		afd_completion c[1];
		try {
			(void)q.wait(c, std::chrono::seconds(60));
		} catch (const accel::Error &e) {
			err = e.code().value();
		}
	});
	std::this_thread::sleep_for(std::chrono::milliseconds(200)); // let it block
	guest::OpenDevice admin;
	BOOST_REQUIRE(guest::queue_admin(admin.fd, q.id(), AFD_QUEUE_ADMIN_EVICT) == 0);
	waiter.join(); // a lost wakeup would hold it the whole 60 s, then fail below
	BOOST_TEST(err == ECANCELED);
}

BOOST_AUTO_TEST_CASE(removing_an_open_mdev_ends_its_queue_and_waits_for_the_close)
{
	guest::TestMdev mdev;
	int ready[2];
	BOOST_REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
	const pid_t pid = ::fork();
	BOOST_REQUIRE(pid >= 0);
	if (pid == 0) {
		int status = 0;
		try {
			auto dev = accel::Device::open_mdev(mdev.uuid);
			auto q = accel::Queue::create(dev);
			const int request = ::eventfd(0, EFD_CLOEXEC);
			alignas(vfio_irq_set) std::byte buf[sizeof(vfio_irq_set) + 4]{};
			vfio_irq_set set{sizeof(buf), VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
					 AFD_MDEV_IRQ_REQUEST, 0, 1};
			std::memcpy(buf, &set, sizeof(set));
			std::memcpy(buf + sizeof(set), &request, 4);
			if (::ioctl(dev.fd(), VFIO_DEVICE_SET_IRQS, buf) != 0)
				::_exit(10);
			if (q.run(accel::op::nop(), std::chrono::seconds(30)).status != 0)
				::_exit(11);
			(void)!::write(ready[1], "x", 1);
			pollfd pfd{request, POLLIN, 0};
			if (::poll(&pfd, 1, 60000) != 1) // the kernel asks to close
				::_exit(12);
			if (!(q.cq_flags() & AFD_CQ_F_EVICTED))
				::_exit(13);
			afd_completion c[1];
			try {
				(void)q.wait(c, std::chrono::seconds(5));
				status = 14;
			} catch (const accel::Error &e) {
				status = e.code().value() == ECANCELED ? 0 : 15;
			}
		} catch (...) {
			status = 125;
		}
		::_exit(status); // closes the device file: the removal completes
	}
	::close(ready[1]);
	char x;
	BOOST_REQUIRE(::read(ready[0], &x, 1) == 1);
	::close(ready[0]);
	accel::remove_mdev(mdev.uuid); // blocks until the child closes
	int status = 0;
	BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
	BOOST_TEST(WIFEXITED(status));
	BOOST_TEST(WEXITSTATUS(status) == 0);
	BOOST_TEST(!fs::exists("/sys/bus/mdev/devices/" + mdev.uuid));
}

BOOST_AUTO_TEST_CASE(accelctl_creates_lists_and_removes_mdevs)
{
	const std::string uuid = "5f1b9c3e-0d7a-4a53-9a8e-1c2b3d4e5f60";
	const std::string accelctl = ACCELCTL_PATH;
	BOOST_REQUIRE(std::system((accelctl + " mdev create accel0 --uuid " + uuid + " > /tmp/mdev.out").c_str()) == 0);
	BOOST_TEST(guest::read_line("/tmp/mdev.out") == uuid);
	BOOST_REQUIRE(std::system((accelctl + " mdev list --json > /tmp/mdev.json").c_str()) == 0);
	std::ifstream in("/tmp/mdev.json");
	const auto list = nlohmann::json::parse(in);
	bool found = false;
	for (const auto &m : list)
		if (m.at("uuid") == uuid)
			found = m.at("device") == "accel0" && m.at("queue") == 0 &&
				m.at("vfio_group").get<std::string>().starts_with("/dev/vfio/");
	BOOST_TEST(found);
	BOOST_TEST(std::system(CHECK_SCHEMA_PATH " " ACCELFD_SOURCE_DIR
				"/docs/accelctl.schema.json mdev_list < /tmp/mdev.json") == 0);
	BOOST_REQUIRE(std::system((accelctl + " mdev remove " + uuid + " > /dev/null").c_str()) == 0);
	BOOST_TEST(!fs::exists("/sys/bus/mdev/devices/" + uuid));
	BOOST_TEST(std::system((accelctl + " mdev remove " + uuid + " 2> /dev/null").c_str()) != 0);
}

BOOST_AUTO_TEST_CASE(opening_a_missing_mdev_names_it)
{
	try {
		(void)accel::Device::open_mdev("00000000-0000-4000-8000-000000000000");
		BOOST_FAIL("opened a missing mdev");
	} catch (const accel::Error &e) {
		BOOST_TEST(e.code().value() == ENOENT);
		BOOST_TEST(std::string(e.what()).find("no such mdev") != std::string::npos);
	}
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mdev_vfio_errors)

BOOST_AUTO_TEST_CASE(device_info_says_platform_with_reset)
{
	RawMdev m;
	vfio_device_info info{};
	info.argsz = sizeof(info);
	BOOST_REQUIRE(::ioctl(m.device, VFIO_DEVICE_GET_INFO, &info) == 0);
	BOOST_TEST((info.flags & VFIO_DEVICE_FLAGS_PLATFORM) != 0u);
	BOOST_TEST((info.flags & VFIO_DEVICE_FLAGS_RESET) != 0u);
	BOOST_TEST(info.num_regions == unsigned{AFD_MDEV_NUM_REGIONS});
	BOOST_TEST(info.num_irqs == unsigned{AFD_MDEV_NUM_IRQS});
}

BOOST_AUTO_TEST_CASE(region_info_of_an_unknown_region_is_einval)
{
	RawMdev m;
	vfio_region_info info{};
	info.argsz = sizeof(info);
	info.index = AFD_MDEV_NUM_REGIONS;
	BOOST_TEST(guest::ioctl_errno(m.device, VFIO_DEVICE_GET_REGION_INFO, &info) == EINVAL);
}

BOOST_AUTO_TEST_CASE(irq_info_of_an_unknown_interrupt_is_einval)
{
	RawMdev m;
	vfio_irq_info info{};
	info.argsz = sizeof(info);
	info.index = AFD_MDEV_NUM_IRQS;
	BOOST_TEST(guest::ioctl_errno(m.device, VFIO_DEVICE_GET_IRQ_INFO, &info) == EINVAL);
}

BOOST_AUTO_TEST_CASE(rings_of_a_disabled_queue_have_no_size_and_cannot_be_mapped)
{
	RawMdev m;
	const vfio_region_info sq = m.region(AFD_MDEV_REGION_SQ);
	BOOST_TEST(sq.size == 0u);
	BOOST_TEST((sq.flags & VFIO_REGION_INFO_FLAG_MMAP) == 0u);
	void *p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m.device,
			 static_cast<off_t>(sq.offset));
	BOOST_TEST(p == MAP_FAILED);
	BOOST_TEST(errno == EINVAL);
}

BOOST_AUTO_TEST_CASE(a_ring_mapped_with_the_wrong_size_is_einval)
{
	RawMdev m;
	BOOST_REQUIRE(m.write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_ENABLE) == 0);
	const vfio_region_info sq = m.region(AFD_MDEV_REGION_SQ);
	BOOST_REQUIRE((sq.flags & VFIO_REGION_INFO_FLAG_MMAP) != 0u);
	void *p = ::mmap(nullptr, sq.size + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m.device,
			 static_cast<off_t>(sq.offset));
	BOOST_TEST(p == MAP_FAILED);
	BOOST_TEST(errno == EINVAL);
}

BOOST_AUTO_TEST_CASE(a_register_write_of_other_than_four_bytes_is_einval)
{
	RawMdev m;
	const std::uint64_t value = 16;
	BOOST_TEST(::pwrite(m.device, &value, 8, RawMdev::regs(offsetof(afd_mdev_regs, sq_entries))) == -1);
	BOOST_TEST(errno == EINVAL);
}

BOOST_AUTO_TEST_CASE(a_write_to_a_read_only_register_is_einval)
{
	RawMdev m;
	BOOST_TEST(m.write_reg(offsetof(afd_mdev_regs, abi_major), 2) == EINVAL);
	BOOST_TEST(m.write_reg(offsetof(afd_mdev_regs, queue_id), 2) == EINVAL);
}

BOOST_AUTO_TEST_CASE(a_misaligned_register_write_is_einval)
{
	RawMdev m;
	BOOST_TEST(m.write_reg(offsetof(afd_mdev_regs, sq_entries) + 1, 16) == EINVAL);
}

BOOST_AUTO_TEST_CASE(a_read_beyond_the_registers_is_einval)
{
	RawMdev m;
	char buf[16];
	BOOST_TEST(::pread(m.device, buf, sizeof(buf), RawMdev::regs(sizeof(afd_mdev_regs) - 8)) == -1);
	BOOST_TEST(errno == EINVAL);
}

BOOST_AUTO_TEST_CASE(an_unknown_command_is_einval)
{
	RawMdev m;
	BOOST_TEST(m.write_reg(offsetof(afd_mdev_regs, command), 99) == EINVAL);
}

BOOST_AUTO_TEST_CASE(disable_without_a_queue_is_enodev)
{
	RawMdev m;
	BOOST_TEST(m.write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_DISABLE) == ENODEV);
}

BOOST_AUTO_TEST_CASE(kick_without_a_queue_is_enodev)
{
	RawMdev m;
	BOOST_TEST(m.write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_KICK) == ENODEV);
}

BOOST_AUTO_TEST_CASE(enable_twice_is_ebusy)
{
	RawMdev m;
	BOOST_REQUIRE(m.write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_ENABLE) == 0);
	BOOST_TEST(m.write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_ENABLE) == EBUSY);
	BOOST_TEST(m.read_regs().state == unsigned{AFD_QUEUE_STATE_ACTIVE});
}

BOOST_AUTO_TEST_CASE(enable_with_a_ring_size_not_a_power_of_two_is_einval)
{
	RawMdev m;
	BOOST_REQUIRE(m.write_reg(offsetof(afd_mdev_regs, sq_entries), 12) == 0);
	BOOST_TEST(m.write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_ENABLE) == EINVAL);
	BOOST_TEST(m.read_regs().queue_id == 0u);
}

BOOST_AUTO_TEST_CASE(set_irqs_mask_is_einval)
{
	RawMdev m;
	BOOST_TEST(m.set_irqs(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, AFD_MDEV_IRQ_COMPLETION, 1) ==
		   EINVAL);
}

BOOST_AUTO_TEST_CASE(set_irqs_with_bool_data_is_einval)
{
	RawMdev m;
	BOOST_TEST(m.set_irqs(VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER, AFD_MDEV_IRQ_COMPLETION,
			      1) == EINVAL);
}

BOOST_AUTO_TEST_CASE(set_irqs_of_an_unknown_interrupt_is_einval)
{
	RawMdev m;
	const int efd = ::eventfd(0, EFD_CLOEXEC);
	BOOST_TEST(m.set_irqs(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, AFD_MDEV_NUM_IRQS, 1,
			      efd) == EINVAL);
	::close(efd);
}

BOOST_AUTO_TEST_CASE(set_irqs_with_a_file_that_is_not_an_eventfd_is_einval)
{
	RawMdev m;
	const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
	BOOST_TEST(m.set_irqs(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, AFD_MDEV_IRQ_COMPLETION,
			      1, fd) == EINVAL);
	::close(fd);
}

BOOST_AUTO_TEST_CASE(set_irqs_trigger_without_data_signals_the_eventfd)
{
	RawMdev m;
	const int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	BOOST_REQUIRE(m.set_irqs(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
				 AFD_MDEV_IRQ_COMPLETION, 1, efd) == 0);
	BOOST_REQUIRE(m.set_irqs(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, AFD_MDEV_IRQ_COMPLETION,
				 1) == 0);
	std::uint64_t count = 0;
	BOOST_TEST(::read(efd, &count, sizeof(count)) == 8);
	BOOST_TEST(count == 1u);
	::close(efd);
}

// A refused reset did nothing, so it must tell nobody: notifying reached
// the mdev's ops even after its file was closed and the mdev freed.
BOOST_AUTO_TEST_CASE(a_refused_administrators_reset_does_not_signal_the_eventfd)
{
	RawMdev m;
	BOOST_REQUIRE(m.write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_ENABLE) == 0);
	const int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	BOOST_REQUIRE(m.set_irqs(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
				 AFD_MDEV_IRQ_COMPLETION, 1, efd) == 0);
	guest::OpenDevice admin;
	BOOST_TEST(guest::queue_admin(admin.fd, m.read_regs().queue_id, AFD_QUEUE_ADMIN_RESET) == EINVAL);
	std::uint64_t count = 0;
	BOOST_TEST(::read(efd, &count, sizeof(count)) == -1); // nothing to read
	BOOST_TEST(errno == EAGAIN);
	::close(efd);
}

BOOST_AUTO_TEST_CASE(a_ring_mapped_executable_is_eperm)
{
	RawMdev m;
	BOOST_REQUIRE(m.write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_ENABLE) == 0);
	for (unsigned index : {AFD_MDEV_REGION_SQ, AFD_MDEV_REGION_CQ, AFD_MDEV_REGION_DOORBELL}) {
		const vfio_region_info r = m.region(index);
		void *p = ::mmap(nullptr, r.size, PROT_READ | PROT_EXEC, MAP_SHARED, m.device,
				 static_cast<off_t>(r.offset));
		BOOST_TEST_CONTEXT("region " << index)
		BOOST_TEST(guest::errno_of(p == MAP_FAILED ? -1 : 0) == EPERM);
		if (p != MAP_FAILED)
			::munmap(p, r.size);
	}
}

BOOST_AUTO_TEST_CASE(a_second_open_of_the_group_is_ebusy)
{
	RawMdev m;
	const auto group_path =
		"/dev/vfio/" +
		fs::read_symlink("/sys/bus/mdev/devices/" + m.mdev.uuid + "/iommu_group").filename().string();
	const int again = ::open(group_path.c_str(), O_RDWR | O_CLOEXEC);
	BOOST_TEST(again == -1);
	BOOST_TEST(errno == EBUSY);
}

BOOST_AUTO_TEST_CASE(create_beyond_available_instances_is_refused)
{
	guest::AttrOverride max_queues("max_queues", "1");
	std::vector<std::unique_ptr<guest::TestMdev>> mdevs;
	const unsigned available = available_instances();
	for (unsigned i = 0; i < available; i++)
		mdevs.push_back(std::make_unique<guest::TestMdev>());
	BOOST_TEST(available_instances() == 0u);
	try {
		(void)accel::create_mdev("accel0");
		BOOST_FAIL("created an mdev beyond available_instances");
	} catch (const accel::Error &e) {
		BOOST_TEST(e.code().value() == ENOSPC);
	}
}

BOOST_AUTO_TEST_SUITE_END()
