// SPDX-License-Identifier: MIT
// CREATE/DESTROY/QUERY_QUEUE and the mappings of a queue: each validation
// failure on its own, with its errno.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <string>
#include <sys/personality.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <thread>
#include <tuple>
#include <vector>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

constexpr long page = 4096;

void *map(int fd, size_t size, std::uint64_t offset, int flags = MAP_SHARED)
{
	return ::mmap(nullptr, size, PROT_READ | PROT_WRITE, flags, fd, static_cast<off_t>(offset));
}

int map_errno(int fd, size_t size, std::uint64_t offset, int flags = MAP_SHARED)
{
	void *p = map(fd, size, offset, flags);
	if (p != MAP_FAILED) {
		::munmap(p, size);
		return 0;
	}
	return errno;
}

int create_errno(int fd, afd_queue_create args)
{
	return guest::ioctl_errno(fd, AFD_IOC_CREATE_QUEUE, &args);
}

} // namespace

BOOST_AUTO_TEST_SUITE(queue_create)

BOOST_AUTO_TEST_CASE(returns_typed_offsets_and_sizes)
{
	guest::OpenDevice dev;
	afd_queue_create q = guest::create_queue(dev.fd, 16);
	BOOST_TEST(q.queue_id > 0u);
	BOOST_TEST(q.cq_entries == 32u); // default: twice the SQ
	BOOST_TEST(q.sq_offset == AFD_MMAP_OFFSET(q.queue_id, AFD_REGION_SQ));
	BOOST_TEST(q.cq_offset == AFD_MMAP_OFFSET(q.queue_id, AFD_REGION_CQ));
	BOOST_TEST(q.doorbell_offset == AFD_MMAP_OFFSET(q.queue_id, AFD_REGION_DOORBELL));
	BOOST_TEST(q.doorbell_size == static_cast<std::uint64_t>(page));
	BOOST_TEST(q.sq_size >= q.sq_entries_offset + 16 * sizeof(afd_desc));
	BOOST_TEST(q.cq_size >= q.cq_entries_offset + 32 * sizeof(afd_completion));
	BOOST_TEST(q.sq_entries_offset >= sizeof(afd_ring_header));
}

BOOST_AUTO_TEST_CASE(queue_ids_are_unique_across_files)
{
	guest::OpenDevice a, b;
	BOOST_TEST(guest::create_queue(a.fd).queue_id != guest::create_queue(b.fd).queue_id);
}

BOOST_AUTO_TEST_CASE(nonzero_flags_is_einval)
{
	guest::OpenDevice dev;
	auto args = guest::queue_args();
	args.flags = ~AFD_QUEUE_CREATE_FLAGS_ALL;
	BOOST_TEST(create_errno(dev.fd, args) == EINVAL);
}

BOOST_AUTO_TEST_CASE(nonzero_pad_is_einval)
{
	guest::OpenDevice dev;
	auto args = guest::queue_args();
	args.pad = 1;
	BOOST_TEST(create_errno(dev.fd, args) == EINVAL);
}

BOOST_AUTO_TEST_CASE(priority_above_15_is_einval)
{
	guest::OpenDevice dev;
	auto args = guest::queue_args();
	args.flags = AFD_QUEUE_CREATE_F_PRIORITY;
	args.priority = AFD_QUEUE_PRIORITY_MAX + 1;
	BOOST_TEST(create_errno(dev.fd, args) == EINVAL);
	args.priority = AFD_QUEUE_PRIORITY_MAX;
	BOOST_TEST(create_errno(dev.fd, args) == 0);
}

BOOST_AUTO_TEST_CASE(a_priority_without_its_flag_is_einval)
{
	guest::OpenDevice dev;
	auto args = guest::queue_args();
	args.priority = 3;
	BOOST_TEST(create_errno(dev.fd, args) == EINVAL);
}

/// The errno of CREATE_QUEUE at @p priority from a child without
/// CAP_SYS_NICE (and without CAP_SYS_ADMIN, which does not stand in for it).
int create_errno_without_cap_sys_nice(std::uint32_t priority)
{
	return guest::in_child([priority] {
		if (!guest::drop_cap(CAP_SYS_NICE) || !guest::drop_cap_sys_admin())
			return 200;
		guest::OpenDevice dev;
		auto args = guest::queue_args();
		args.flags = AFD_QUEUE_CREATE_F_PRIORITY;
		args.priority = priority;
		return create_errno(dev.fd, args);
	});
}

BOOST_AUTO_TEST_CASE(a_priority_above_the_default_without_cap_sys_nice_is_eperm)
{
	BOOST_TEST(create_errno_without_cap_sys_nice(AFD_QUEUE_PRIORITY_DEFAULT + 1) == EPERM);
	BOOST_TEST(create_errno_without_cap_sys_nice(AFD_QUEUE_PRIORITY_MAX) == EPERM);
}

BOOST_AUTO_TEST_CASE(the_default_or_a_lower_priority_needs_no_capability)
{
	BOOST_TEST(create_errno_without_cap_sys_nice(AFD_QUEUE_PRIORITY_DEFAULT) == 0);
	BOOST_TEST(create_errno_without_cap_sys_nice(0) == 0);
}

BOOST_AUTO_TEST_CASE(libaccel_names_cap_sys_nice_when_a_priority_is_refused)
{
	const int status = guest::in_child([] {
		if (!guest::drop_cap(CAP_SYS_NICE))
			return 200;
		auto dev = accel::Device::open(0);
		try {
			(void)accel::Queue::create(dev, {.sq_entries = 16,
							 .priority = AFD_QUEUE_PRIORITY_MAX});
		} catch (const accel::Error &e) {
			const std::string what = e.what();
			return e.code().value() == EPERM &&
					       what.find("CAP_SYS_NICE") != std::string::npos
				       ? 0
				       : 1;
		}
		return 2;
	});
	BOOST_TEST(status == 0);
}

BOOST_AUTO_TEST_CASE(without_a_priority_a_queue_gets_the_default)
{
	guest::OpenDevice dev;
	auto args = guest::create_queue(dev.fd);
	afd_queue_query query{};
	query.queue_id = args.queue_id;
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_QUERY_QUEUE, &query) == 0);
	BOOST_TEST(query.priority == static_cast<unsigned>(AFD_QUEUE_PRIORITY_DEFAULT));
}

// Each output of CREATE_QUEUE must be zero on input, so that it can become
// an input later.
#define OUTPUT_MUST_BE_ZERO(field)                                          \
	BOOST_AUTO_TEST_CASE(nonzero_output_##field##_is_einval)             \
	{                                                                   \
		guest::OpenDevice dev;                                      \
		auto args = guest::queue_args();                            \
		args.field = 1;                                             \
		BOOST_TEST(create_errno(dev.fd, args) == EINVAL);           \
	}
OUTPUT_MUST_BE_ZERO(queue_id)
OUTPUT_MUST_BE_ZERO(sq_offset)
OUTPUT_MUST_BE_ZERO(sq_size)
OUTPUT_MUST_BE_ZERO(cq_offset)
OUTPUT_MUST_BE_ZERO(cq_size)
OUTPUT_MUST_BE_ZERO(doorbell_offset)
OUTPUT_MUST_BE_ZERO(doorbell_size)
OUTPUT_MUST_BE_ZERO(sq_entries_offset)
OUTPUT_MUST_BE_ZERO(cq_entries_offset)
#undef OUTPUT_MUST_BE_ZERO

// A result that cannot be copied out must not leave a queue behind whose
// id the caller never learns (it would hold a slot until close).
BOOST_AUTO_TEST_CASE(a_read_only_argument_is_efault_and_leaves_no_queue)
{
	guest::OpenDevice dev;
	const unsigned before = guest::read_uint("/sys/class/accelfd/accel0/queues");
	void *page_mem = ::mmap(nullptr, page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	BOOST_REQUIRE(page_mem != MAP_FAILED);
	auto *args = static_cast<afd_queue_create *>(page_mem);
	*args = guest::queue_args();
	BOOST_REQUIRE(::mprotect(page_mem, page, PROT_READ) == 0);
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_CREATE_QUEUE, args) == EFAULT);
	BOOST_TEST(guest::read_uint("/sys/class/accelfd/accel0/queues") == before);
	::munmap(page_mem, page);
}

// The undo of a CREATE_QUEUE whose result cannot be copied out destroys
// that queue, not whichever holds its id by then. The copy-out is held in
// a userfaultfd write-protect fault while another thread destroys the new
// queue and gets its id (the lowest free) for a queue of its own; then the
// argument page turns read-only and the copy-out fails. An undo by id
// destroys the other thread's queue.
BOOST_AUTO_TEST_CASE(a_failed_copy_out_undoes_its_own_queue_not_the_next_with_its_id)
{
	guest::OpenDevice dev;
	const int uffd = static_cast<int>(::syscall(SYS_userfaultfd, O_CLOEXEC));
	BOOST_REQUIRE_MESSAGE(uffd >= 0, "userfaultfd: " << std::strerror(errno));
	uffdio_api api{};
	api.api = UFFD_API;
	api.features = UFFD_FEATURE_PAGEFAULT_FLAG_WP;
	BOOST_REQUIRE(::ioctl(uffd, UFFDIO_API, &api) == 0);

	void *page_mem = ::mmap(nullptr, page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	BOOST_REQUIRE(page_mem != MAP_FAILED);
	auto *args = static_cast<afd_queue_create *>(page_mem);
	*args = guest::queue_args();
	const uffdio_range range{reinterpret_cast<std::uintptr_t>(page_mem), page};
	uffdio_register reg{range, UFFDIO_REGISTER_MODE_WP, 0};
	BOOST_REQUIRE(::ioctl(uffd, UFFDIO_REGISTER, &reg) == 0);
	uffdio_writeprotect protect{range, UFFDIO_WRITEPROTECT_MODE_WP};
	BOOST_REQUIRE(::ioctl(uffd, UFFDIO_WRITEPROTECT, &protect) == 0);

	// The id the next queue gets.
	const std::uint32_t id = guest::create_queue(dev.fd).queue_id;
	afd_queue_destroy destroy{id, 0};
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_DESTROY_QUEUE, &destroy) == 0);

	std::atomic<int> create_err{-1};
	std::thread creator([&] { create_err = guest::ioctl_errno(dev.fd, AFD_IOC_CREATE_QUEUE, args); });
	pollfd ready{uffd, POLLIN, 0};
	uffd_msg msg{};
	const bool held = ::poll(&ready, 1, 30000) == 1 && ::read(uffd, &msg, sizeof(msg)) == sizeof(msg) &&
			  msg.event == UFFD_EVENT_PAGEFAULT && (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP);
	int successor_err = -1;
	afd_queue_create successor = guest::queue_args();
	if (held) {
		// The queue is created and listed; its creator is in the fault.
		successor_err = guest::ioctl_errno(dev.fd, AFD_IOC_DESTROY_QUEUE, &destroy);
		if (successor_err == 0)
			successor_err = guest::ioctl_errno(dev.fd, AFD_IOC_CREATE_QUEUE, &successor);
	}
	// The copy-out retries the fault and finds the page read-only.
	BOOST_REQUIRE(::mprotect(page_mem, page, PROT_READ) == 0);
	uffdio_range wake = range;
	BOOST_REQUIRE(::ioctl(uffd, UFFDIO_WAKE, &wake) == 0);
	creator.join();
	::close(uffd);
	::munmap(page_mem, page);

	BOOST_REQUIRE_MESSAGE(held, "the copy-out of CREATE_QUEUE did not fault on the write-protected page");
	BOOST_REQUIRE(successor_err == 0);
	BOOST_TEST(successor.queue_id == id);
	BOOST_TEST(create_err == EFAULT);
	afd_queue_query query{};
	query.queue_id = successor.queue_id;
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_QUERY_QUEUE, &query) == 0,
		   "the other thread's queue with the same id survives the undo");
}

BOOST_AUTO_TEST_CASE(sq_size_not_a_power_of_two_is_einval)
{
	guest::OpenDevice dev;
	BOOST_TEST(create_errno(dev.fd, guest::queue_args(24)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(sq_size_zero_is_einval)
{
	guest::OpenDevice dev;
	BOOST_TEST(create_errno(dev.fd, guest::queue_args(0)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(sq_size_below_the_minimum_is_einval)
{
	guest::OpenDevice dev;
	const auto info = accel::Device::open(0).info();
	BOOST_TEST(create_errno(dev.fd, guest::queue_args(info.min_ring_entries / 2)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(sq_size_above_the_maximum_is_einval)
{
	guest::OpenDevice dev;
	const auto info = accel::Device::open(0).info();
	BOOST_TEST(create_errno(dev.fd, guest::queue_args(info.max_ring_entries * 2)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(cq_smaller_than_sq_is_einval)
{
	guest::OpenDevice dev;
	auto args = guest::queue_args(32);
	args.cq_entries = 16;
	BOOST_TEST(create_errno(dev.fd, args) == EINVAL);
}

BOOST_AUTO_TEST_CASE(cq_size_not_a_power_of_two_is_einval)
{
	guest::OpenDevice dev;
	auto args = guest::queue_args(16);
	args.cq_entries = 48;
	BOOST_TEST(create_errno(dev.fd, args) == EINVAL);
}

BOOST_AUTO_TEST_CASE(cq_above_twice_the_maximum_is_einval)
{
	guest::OpenDevice dev;
	const auto info = accel::Device::open(0).info();
	auto args = guest::queue_args(16);
	args.cq_entries = info.max_ring_entries * 4;
	BOOST_TEST(create_errno(dev.fd, args) == EINVAL);
}

BOOST_AUTO_TEST_CASE(the_per_process_limit_is_enospc_and_named_by_libaccel)
{
	auto dev = accel::Device::open(0);
	const auto info = dev.info();
	std::vector<accel::Queue> queues;
	for (unsigned i = 0; i < info.max_queues_per_process; i++)
		queues.push_back(accel::Queue::create(dev, {.sq_entries = 8}));
	try {
		(void)accel::Queue::create(dev, {.sq_entries = 8});
		BOOST_FAIL("one queue past the limit must fail");
	} catch (const accel::Error &e) {
		BOOST_TEST(e.code().value() == ENOSPC);
		BOOST_TEST(std::string(e.what()).find("max_queues_per_process") != std::string::npos);
	}
	queues.pop_back(); // destroying one makes room again
	BOOST_CHECK_NO_THROW(queues.push_back(accel::Queue::create(dev, {.sq_entries = 8})));
}

BOOST_AUTO_TEST_CASE(the_per_process_limit_counts_every_file_of_the_process)
{
	auto first = accel::Device::open(0);
	const auto info = first.info();
	std::vector<accel::Queue> queues;
	for (unsigned i = 0; i < info.max_queues_per_process; i++)
		queues.push_back(accel::Queue::create(first, {.sq_entries = 8}));
	auto second = accel::Device::open(0); // a new file does not reset the count
	try {
		(void)accel::Queue::create(second, {.sq_entries = 8});
		BOOST_FAIL("a second file must not escape the per-process limit");
	} catch (const accel::Error &e) {
		BOOST_TEST(e.code().value() == ENOSPC);
	}
}

BOOST_AUTO_TEST_CASE(the_per_device_limit_is_enospc_and_named_by_libaccel)
{
	// Fill the device from enough processes, each at its own limit.
	const auto info = accel::Device::open(0).info();
	std::vector<pid_t> holders;
	int release[2];
	BOOST_REQUIRE(::pipe2(release, O_CLOEXEC) == 0);
	struct Release { // whatever happens, the holders go away with the test
		int *fds;
		std::vector<pid_t> &pids;
		~Release()
		{
			::close(fds[1]);
			::close(fds[0]);
			for (pid_t pid : pids)
				::waitpid(pid, nullptr, 0);
		}
	} release_guard{release, holders};
	for (unsigned held = 0; held < info.max_queues; held += info.max_queues_per_process) {
		const unsigned count = std::min(info.max_queues_per_process, info.max_queues - held);
		int ready[2];
		BOOST_REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
		pid_t pid = ::fork();
		BOOST_REQUIRE(pid >= 0);
		if (pid == 0) {
			::close(release[1]); // or the read below never sees EOF
			try {
				auto dev = accel::Device::open(0);
				std::vector<accel::Queue> queues;
				for (unsigned i = 0; i < count; i++)
					queues.push_back(accel::Queue::create(dev, {.sq_entries = 8}));
				(void)!::write(ready[1], "x", 1);
				char x;
				(void)!::read(release[0], &x, 1); // until the parent closes it
			} catch (...) {
			}
			::_exit(0);
		}
		::close(ready[1]);
		char x;
		BOOST_REQUIRE(::read(ready[0], &x, 1) == 1);
		::close(ready[0]);
		holders.push_back(pid);
	}
	BOOST_TEST(guest::read_uint("/sys/class/accelfd/accel0/queues") == info.max_queues);
	auto extra = accel::Device::open(0);
	try {
		(void)accel::Queue::create(extra, {.sq_entries = 8});
		BOOST_FAIL("one queue past the device limit must fail");
	} catch (const accel::Error &e) {
		BOOST_TEST(e.code().value() == ENOSPC);
		BOOST_TEST(std::string(e.what()).find("max_queues") != std::string::npos);
		BOOST_TEST(std::string(e.what()).find("the device holds its limit") != std::string::npos);
	}
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(queue_destroy_and_query)

BOOST_AUTO_TEST_CASE(destroy_of_an_unknown_queue_is_enoent)
{
	guest::OpenDevice dev;
	afd_queue_destroy args{.queue_id = 0xfffe, .flags = 0};
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_DESTROY_QUEUE, &args) == ENOENT);
}

BOOST_AUTO_TEST_CASE(destroy_with_flags_is_einval)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	afd_queue_destroy args{.queue_id = q.queue_id, .flags = 1};
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_DESTROY_QUEUE, &args) == EINVAL);
}

BOOST_AUTO_TEST_CASE(destroy_twice_is_enoent_the_second_time)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	afd_queue_destroy args{.queue_id = q.queue_id, .flags = 0};
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_DESTROY_QUEUE, &args) == 0);
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_DESTROY_QUEUE, &args) == ENOENT);
}

BOOST_AUTO_TEST_CASE(another_files_queue_cannot_be_destroyed)
{
	guest::OpenDevice a, b;
	auto q = guest::create_queue(a.fd);
	afd_queue_destroy args{.queue_id = q.queue_id, .flags = 0};
	BOOST_TEST(guest::ioctl_errno(b.fd, AFD_IOC_DESTROY_QUEUE, &args) == ENOENT);
}

BOOST_AUTO_TEST_CASE(query_reports_the_queue)
{
	guest::OpenDevice dev;
	auto args = guest::queue_args(32);
	args.flags = AFD_QUEUE_CREATE_F_PRIORITY;
	args.priority = 3;
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_CREATE_QUEUE, &args) == 0);
	afd_queue_query query{};
	query.queue_id = args.queue_id;
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_QUERY_QUEUE, &query) == 0);
	BOOST_TEST(query.state == AFD_QUEUE_STATE_ACTIVE);
	BOOST_TEST(query.priority == 3u);
	BOOST_TEST(query.sq_entries == 32u);
	BOOST_TEST(query.cq_entries == 64u);
	BOOST_TEST(query.submitted == 0u);
}

BOOST_AUTO_TEST_CASE(query_with_flags_is_einval)
{
	guest::OpenDevice dev;
	afd_queue_query query{};
	query.queue_id = guest::create_queue(dev.fd).queue_id;
	query.flags = 4;
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_QUERY_QUEUE, &query) == EINVAL);
}

BOOST_AUTO_TEST_CASE(query_of_an_unknown_queue_is_enoent)
{
	guest::OpenDevice dev;
	afd_queue_query query{};
	query.queue_id = 0xfffe;
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_QUERY_QUEUE, &query) == ENOENT);
}

BOOST_AUTO_TEST_CASE(sysfs_counts_queues_and_close_frees_them)
{
	const unsigned before = guest::read_uint("/sys/class/accelfd/accel0/queues");
	{
		guest::OpenDevice dev;
		guest::create_queue(dev.fd);
		guest::create_queue(dev.fd);
		BOOST_TEST(guest::read_uint("/sys/class/accelfd/accel0/queues") == before + 2);
	}
	BOOST_TEST(guest::read_uint("/sys/class/accelfd/accel0/queues") == before);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(queue_mmap)

BOOST_AUTO_TEST_CASE(each_region_maps_at_its_offset_and_size)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	void *sq = map(dev.fd, q.sq_size, q.sq_offset);
	void *cq = map(dev.fd, q.cq_size, q.cq_offset);
	void *db = map(dev.fd, q.doorbell_size, q.doorbell_offset);
	BOOST_REQUIRE(sq != MAP_FAILED);
	BOOST_REQUIRE(cq != MAP_FAILED);
	BOOST_REQUIRE(db != MAP_FAILED);
	BOOST_TEST(static_cast<afd_ring_header *>(sq)->entries == q.sq_entries);
	BOOST_TEST(static_cast<afd_ring_header *>(sq)->entry_size == sizeof(afd_desc));
	BOOST_TEST(static_cast<afd_ring_header *>(cq)->entries == q.cq_entries);
	BOOST_TEST(static_cast<afd_ring_header *>(cq)->entry_size == sizeof(afd_completion));
	::munmap(sq, q.sq_size);
	::munmap(cq, q.cq_size);
	::munmap(db, q.doorbell_size);
}

BOOST_AUTO_TEST_CASE(a_smaller_size_is_einval)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	BOOST_TEST(map_errno(dev.fd, q.sq_size - page, q.sq_offset) == EINVAL);
}

BOOST_AUTO_TEST_CASE(a_larger_size_is_einval)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	BOOST_TEST(map_errno(dev.fd, q.doorbell_size + page, q.doorbell_offset) == EINVAL);
}

BOOST_AUTO_TEST_CASE(an_offset_inside_a_region_is_einval)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	BOOST_TEST(map_errno(dev.fd, page, q.sq_offset + page) == EINVAL);
}

BOOST_AUTO_TEST_CASE(an_unknown_region_is_einval)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	BOOST_TEST(map_errno(dev.fd, page, AFD_MMAP_OFFSET(q.queue_id, 7)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(an_unknown_queue_is_einval)
{
	guest::OpenDevice dev;
	BOOST_TEST(map_errno(dev.fd, page, AFD_MMAP_OFFSET(0xfffe, AFD_REGION_DOORBELL)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(another_files_offsets_are_einval)
{
	guest::OpenDevice a, b;
	auto q = guest::create_queue(a.fd);
	BOOST_TEST(map_errno(b.fd, q.doorbell_size, q.doorbell_offset) == EINVAL);
	BOOST_TEST(map_errno(b.fd, q.sq_size, q.sq_offset) == EINVAL);
}

BOOST_AUTO_TEST_CASE(another_process_offsets_are_refused)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	const int child = guest::in_child([&] {
		int own = ::open("/dev/accel0", O_RDWR | O_CLOEXEC);
		return own < 0 ? 100 : map_errno(own, q.doorbell_size, q.doorbell_offset);
	});
	BOOST_TEST(child == EINVAL);
}

BOOST_AUTO_TEST_CASE(a_private_mapping_is_einval)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	BOOST_TEST(map_errno(dev.fd, q.doorbell_size, q.doorbell_offset, MAP_PRIVATE) == EINVAL);
}

/// Each region of a new queue, by name, size and offset.
std::vector<std::tuple<const char *, std::uint64_t, std::uint64_t>> regions(const afd_queue_create &q)
{
	return {{"SQ", q.sq_size, q.sq_offset},
		{"CQ", q.cq_size, q.cq_offset},
		{"doorbell", q.doorbell_size, q.doorbell_offset}};
}

// Memory the kernel writes must never be code in the process.
BOOST_AUTO_TEST_CASE(prot_exec_is_eperm_on_every_region)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	for (const auto &[name, size, offset] : regions(q)) {
		void *p = ::mmap(nullptr, size, PROT_READ | PROT_EXEC, MAP_SHARED, dev.fd,
				 static_cast<off_t>(offset));
		BOOST_TEST_CONTEXT(name)
		BOOST_TEST(guest::errno_of(p == MAP_FAILED ? -1 : 0) == EPERM);
		if (p != MAP_FAILED)
			::munmap(p, size);
	}
}

BOOST_AUTO_TEST_CASE(mprotect_to_exec_is_eacces_on_every_region)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	for (const auto &[name, size, offset] : regions(q)) {
		void *p = map(dev.fd, size, offset);
		BOOST_REQUIRE(p != MAP_FAILED);
		BOOST_TEST_CONTEXT(name)
		BOOST_TEST(guest::errno_of(::mprotect(p, size, PROT_READ | PROT_EXEC)) == EACCES);
		::munmap(p, size);
	}
}

/// The permissions /proc/self/maps gives the mapping that holds @p addr
/// ("rw-s"), or "" if there is none.
std::string permissions_of(const void *addr)
{
	const auto at = reinterpret_cast<std::uintptr_t>(addr);
	std::ifstream maps("/proc/self/maps");
	for (std::string line; std::getline(maps, line);) {
		std::uintptr_t start = 0, end = 0;
		char perms[5] = {};
		if (std::sscanf(line.c_str(), "%lx-%lx %4s", &start, &end, perms) == 3 && at >= start && at < end)
			return perms;
	}
	return "";
}

/// In a child whose personality has READ_IMPLIES_EXEC (that of old binaries
/// without PT_GNU_STACK: every PROT_READ also asks for PROT_EXEC), runs
/// @p use on a new queue of its own; the child's exit status, or 128 plus
/// the signal that ended it.
template <typename Fn> int with_read_implies_exec(Fn &&use)
{
	return guest::in_child([&] {
		if (::personality(READ_IMPLIES_EXEC) == -1)
			return 100;
		const int fd = ::open("/dev/accel0", O_RDWR | O_CLOEXEC);
		afd_queue_create q = guest::queue_args();
		if (fd < 0 || ::ioctl(fd, AFD_IOC_CREATE_QUEUE, &q) != 0)
			return 101;
		return use(fd, q);
	});
}

// Such a process cannot map anything readable without asking for
// PROT_EXEC: it gets the rings, never executable, even after mprotect().
BOOST_AUTO_TEST_CASE(read_implies_exec_maps_every_region_without_exec)
{
	const int status = with_read_implies_exec([](int fd, const afd_queue_create &q) {
		int step = 0;
		for (const auto &[name, size, offset] : regions(q)) {
			void *p = map(fd, size, offset);
			if (p == MAP_FAILED)
				return 1 + step;
			if (permissions_of(p) != "rw-s")
				return 11 + step;
			if (::mprotect(p, size, PROT_READ) != 0 || permissions_of(p) != "r--s")
				return 21 + step;
			step++;
		}
		return 0;
	});
	// 1-3: a region did not map; 11-13: it was executable; 21-23: after mprotect.
	BOOST_TEST(status == 0);
}

// The page tables agree with the mapping: code written into a ring does
// not run (a fault, not a return).
BOOST_AUTO_TEST_CASE(read_implies_exec_ring_does_not_execute)
{
	const int status = with_read_implies_exec([](int fd, const afd_queue_create &q) {
		void *p = map(fd, q.sq_size, q.sq_offset);
		if (p == MAP_FAILED)
			return 1;
		*static_cast<volatile unsigned char *>(p) = 0xc3; // ret
		// The test framework's handler would turn the fault into an exit.
		std::signal(SIGSEGV, SIG_DFL);
		reinterpret_cast<void (*)()>(p)();
		return 0;
	});
	BOOST_TEST(status == 128 + SIGSEGV);
}

BOOST_AUTO_TEST_CASE(mapping_from_a_forked_child_is_ebadf)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	const int child = guest::in_child([&] { return map_errno(dev.fd, q.doorbell_size, q.doorbell_offset); });
	BOOST_TEST(child == EBADF);
}

BOOST_AUTO_TEST_CASE(mremap_cannot_move_or_grow_a_mapping)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	void *db = map(dev.fd, q.doorbell_size, q.doorbell_offset);
	BOOST_REQUIRE(db != MAP_FAILED);
	BOOST_TEST(::mremap(db, page, 2 * page, MREMAP_MAYMOVE) == MAP_FAILED);
	void *spot = ::mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const int moved = ::mremap(db, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, spot) == MAP_FAILED ? errno : 0;
	BOOST_TEST(moved == EINVAL);
	::munmap(spot, page);
	::munmap(db, page);
}

BOOST_AUTO_TEST_CASE(a_partial_munmap_is_refused)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd, 64);
	void *sq = map(dev.fd, q.sq_size, q.sq_offset);
	BOOST_REQUIRE(sq != MAP_FAILED);
	BOOST_REQUIRE(q.sq_size > static_cast<std::uint64_t>(page));
	BOOST_TEST(guest::errno_of(::munmap(static_cast<char *>(sq) + page, page)) == EINVAL);
	BOOST_TEST(::munmap(sq, q.sq_size) == 0);
}

BOOST_AUTO_TEST_CASE(a_forked_child_does_not_inherit_mappings)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	auto *db = static_cast<volatile std::uint32_t *>(map(dev.fd, q.doorbell_size, q.doorbell_offset));
	BOOST_REQUIRE(db != MAP_FAILED);
	const int child = guest::in_child([&] {
		std::signal(SIGSEGV, SIG_DFL); // not Boost.Test's handler
		return static_cast<int>(*db);
	});
	BOOST_TEST(child == 128 + SIGSEGV);
	BOOST_TEST(*db == 0u); // the parent's mapping is unharmed
	::munmap(const_cast<std::uint32_t *>(db), page);
}

BOOST_AUTO_TEST_CASE(madv_dofork_cannot_make_a_child_inherit_a_mapping)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	auto *db = static_cast<volatile std::uint32_t *>(map(dev.fd, q.doorbell_size, q.doorbell_offset));
	BOOST_REQUIRE(db != MAP_FAILED);
	BOOST_TEST(guest::errno_of(::madvise(const_cast<std::uint32_t *>(db), page, MADV_DOFORK)) == EINVAL);
	const int child = guest::in_child([&] {
		std::signal(SIGSEGV, SIG_DFL);
		return static_cast<int>(*db);
	});
	BOOST_TEST(child == 128 + SIGSEGV);
	::munmap(const_cast<std::uint32_t *>(db), page);
}

BOOST_AUTO_TEST_CASE(a_mapping_outlives_destroy_and_no_new_one_is_allowed)
{
	guest::OpenDevice dev;
	auto q = guest::create_queue(dev.fd);
	auto *hdr = static_cast<afd_ring_header *>(map(dev.fd, q.sq_size, q.sq_offset));
	BOOST_REQUIRE(hdr != MAP_FAILED);
	afd_queue_destroy args{.queue_id = q.queue_id, .flags = 0};
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_DESTROY_QUEUE, &args) == 0);
	BOOST_TEST(hdr->entries == q.sq_entries); // still readable: memory is held
	BOOST_TEST(map_errno(dev.fd, q.sq_size, q.sq_offset) == EINVAL);
	::munmap(hdr, q.sq_size);
}

BOOST_AUTO_TEST_SUITE_END()
