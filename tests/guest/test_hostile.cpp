// SPDX-License-Identifier: MIT
// What a hostile process may try beyond the validation tests: exhausting
// kernel memory through queues, and pulling the rings away from an engine
// in the middle of its work.
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

/// Drops CAP_IPC_LOCK, which would let root ignore RLIMIT_MEMLOCK.
bool drop_ipc_lock()
{
	__user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
	__user_cap_data_struct data[2] = {};
	if (::syscall(SYS_capget, &header, data) != 0)
		return false;
	data[0].effective &= ~(1u << CAP_IPC_LOCK);
	data[0].permitted &= ~(1u << CAP_IPC_LOCK);
	return ::syscall(SYS_capset, &header, data) == 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(hostile)

BOOST_AUTO_TEST_CASE(queue_memory_is_bounded_by_rlimit_memlock)
{
	const int status = guest::in_child([] {
		const rlimit limit{64 << 10, 64 << 10};
		if (::setrlimit(RLIMIT_MEMLOCK, &limit) != 0 || !drop_ipc_lock())
			return 100;
		try {
			auto dev = accel::Device::open(0);
			std::optional<accel::Queue> small = accel::Queue::create(dev, {.sq_entries = 8}); // 5 pages
			try {
				(void)accel::Queue::create(dev, {.sq_entries = 1024}); // ~115 pages
				return 1;
			} catch (const accel::Error &e) {
				if (e.code().value() != ENOMEM)
					return 2;
				if (std::string(e.what()).find("RLIMIT_MEMLOCK") == std::string::npos)
					return 3;
			}
			small.reset(); // freeing the small queue returns its pages
			auto again = accel::Queue::create(dev, {.sq_entries = 8});
			return again.run(accel::op::nop(), std::chrono::seconds(30)).status == 0 ? 0 : 4;
		} catch (...) {
			return 5;
		}
	});
	BOOST_TEST(status == 0);
}

/// MemAvailable of /proc/meminfo, in KiB.
long mem_available_kib()
{
	std::ifstream in("/proc/meminfo");
	long value = 0;
	for (std::string line; std::getline(in, line);)
		if (std::sscanf(line.c_str(), "MemAvailable: %ld kB", &value) == 1)
			return value;
	BOOST_FAIL("no MemAvailable in /proc/meminfo");
	return 0;
}

// Ring memory stays until the last munmap(), long after DESTROY_QUEUE: it
// stays charged until then, so a loop of create, map, destroy stops at the
// limit with ENOMEM (it used to go on, about 0.9 MiB a turn, up to
// vm.max_map_count turns).
BOOST_AUTO_TEST_CASE(create_map_destroy_stops_at_rlimit_memlock)
{
	constexpr long limit_kib = 8 << 10;
	const int status = guest::in_child([] {
		const rlimit limit{limit_kib << 10, limit_kib << 10};
		if (::setrlimit(RLIMIT_MEMLOCK, &limit) != 0 || !drop_ipc_lock())
			return 100;
		const long before = mem_available_kib();
		guest::OpenDevice dev;
		for (int turn = 0; turn < 200; turn++) {
			afd_queue_create args = guest::queue_args(4096);
			if (guest::ioctl_errno(dev.fd, AFD_IOC_CREATE_QUEUE, &args) != 0) {
				if (errno != ENOMEM || turn == 0)
					return 1;
				// What the kernel kept is about the limit, not more.
				return before - mem_available_kib() < 2 * limit_kib ? 0 : 2;
			}
			for (const auto &[offset, size] : {std::pair{args.sq_offset, args.sq_size},
							   std::pair{args.cq_offset, args.cq_size},
							   std::pair{args.doorbell_offset, args.doorbell_size}})
				if (::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, dev.fd,
					   static_cast<off_t>(offset)) == MAP_FAILED)
					return 3;
			afd_queue_destroy destroy{args.queue_id, 0};
			if (guest::ioctl_errno(dev.fd, AFD_IOC_DESTROY_QUEUE, &destroy) != 0)
				return 4;
		}
		return 5; // 200 turns (about 130 MiB) and never refused
	});
	BOOST_TEST(status == 0);
}

/// A cgroup v2 child group with the memory controller, removed at scope
/// exit (cgroup2 is mounted on /sys/fs/cgroup if it is not yet).
class MemoryCgroup {
public:
	MemoryCgroup()
	{
		if (!std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers"))
			BOOST_REQUIRE_MESSAGE(::mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, nullptr) == 0,
					      "mount cgroup2: " << strerror(errno));
		BOOST_REQUIRE(guest::write_attr("/sys/fs/cgroup/cgroup.subtree_control", "+memory") == 0);
		std::filesystem::create_directory(path_);
	}
	~MemoryCgroup() { ::rmdir(path_.c_str()); }
	MemoryCgroup(const MemoryCgroup &) = delete;
	MemoryCgroup &operator=(const MemoryCgroup &) = delete;

	bool enter() const { return guest::write_attr(path_ + "/cgroup.procs", "0") == 0; }
	long current() const { return std::stol(guest::read_line(path_ + "/memory.current")); }

private:
	std::string path_ = "/sys/fs/cgroup/accelfd-test";
};

// A memory cgroup must see what its processes make the kernel hold.
BOOST_AUTO_TEST_CASE(ring_memory_is_charged_to_the_memory_cgroup)
{
	MemoryCgroup cgroup;
	const int status = guest::in_child([&] {
		if (!cgroup.enter())
			return 100;
		guest::OpenDevice dev;
		const long before = cgroup.current();
		for (int i = 0; i < 4; i++)
			(void)guest::create_queue(dev.fd, 4096); // about 650 KiB each
		const long grown = cgroup.current() - before;
		std::printf("memory.current grew by %ld KiB for four queues\n", grown >> 10);
		return grown >= 4 * (600 << 10) ? 0 : 1;
	});
	BOOST_TEST(status == 0);
}

BOOST_AUTO_TEST_CASE(unmapping_the_rings_while_work_is_in_flight_is_harmless)
{
	const unsigned before = guest::read_uint("/sys/class/accelfd/accel0/queues");
	guest::OpenDevice dev;
	afd_queue_create q = guest::create_queue(dev.fd, 64);
	void *sq = ::mmap(nullptr, q.sq_size, PROT_READ | PROT_WRITE, MAP_SHARED, dev.fd, q.sq_offset);
	void *cq = ::mmap(nullptr, q.cq_size, PROT_READ | PROT_WRITE, MAP_SHARED, dev.fd, q.cq_offset);
	auto *doorbell = static_cast<std::uint32_t *>(
		::mmap(nullptr, q.doorbell_size, PROT_READ | PROT_WRITE, MAP_SHARED, dev.fd, q.doorbell_offset));
	BOOST_REQUIRE(sq != MAP_FAILED);
	BOOST_REQUIRE(cq != MAP_FAILED);
	BOOST_REQUIRE(doorbell != MAP_FAILED);

	std::vector<std::byte> buf(2 << 20);
	auto *ring = reinterpret_cast<afd_desc *>(static_cast<char *>(sq) + q.sq_entries_offset);
	for (unsigned i = 0; i < 64; i++)
		ring[i] = accel::op::memmove(std::span(buf).subspan(1 << 20),
					     std::span<const std::byte>(buf).first(1 << 20), i);
	__atomic_store_n(doorbell, 64u, __ATOMIC_RELEASE);
	afd_kick kick{q.queue_id, 0}; // the engine may be asleep
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_KICK, &kick) == 0);
	std::this_thread::sleep_for(std::chrono::milliseconds(5));

	::munmap(sq, q.sq_size); // the engine keeps working on kernel memory
	::munmap(cq, q.cq_size);
	::munmap(doorbell, q.doorbell_size);

	afd_queue_query query{};
	query.queue_id = q.queue_id;
	for (int i = 0; i < 3000; i++) {
		BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_QUERY_QUEUE, &query) == 0);
		if (query.completed == 64)
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	BOOST_TEST(query.completed == 64u);
	BOOST_TEST(query.errors == 0u);
	afd_queue_destroy destroy{q.queue_id, 0};
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_DESTROY_QUEUE, &destroy) == 0);
	BOOST_TEST(guest::read_uint("/sys/class/accelfd/accel0/queues") == before);
}

BOOST_AUTO_TEST_SUITE_END()
