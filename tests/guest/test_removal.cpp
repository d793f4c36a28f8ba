// SPDX-License-Identifier: MIT
// Removing a device (echo 1 > /sys/class/accelfd/accelN/remove) while its
// queues are open, mapped and busy: calls fail with ENODEV, waiters wake
// with ENODEV, mappings are revoked (SIGBUS), nothing leaks, and a new
// device can be added again.
#include <csetjmp>
#include <limits>
#include <csignal>
#include <fstream>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <thread>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

sigjmp_buf bus_error_jump;

void on_sigbus(int)
{
	siglongjmp(bus_error_jump, 1);
}

/// Reads *p; returns false if that raised SIGBUS.
bool readable(volatile std::uint32_t *p)
{
	struct sigaction sa {}, old {};
	sa.sa_handler = on_sigbus;
	::sigaction(SIGBUS, &sa, &old);
	volatile bool ok = false; // survives the longjmp
	if (sigsetjmp(bus_error_jump, 1) == 0) {
		(void)*p;
		ok = true;
	}
	::sigaction(SIGBUS, &old, nullptr);
	return ok;
}

void write_sysfs(const std::string &path, const std::string &value)
{
	std::ofstream out(path);
	out << value << '\n';
	out.flush();
	BOOST_REQUIRE_MESSAGE(out.good(), "write " << path);
}

bool exists(const char *path)
{
	struct stat st {};
	return ::stat(path, &st) == 0;
}

/// accel0 again after a test removed it.
void add_accel0_back();

/// Whatever a test does, accel0 exists again when it ends: the tests that
/// follow need it.
struct RestoreAccel0 {
	~RestoreAccel0()
	{
		if (!exists("/dev/accel0")) {
			std::ofstream("/sys/class/accelfd/add_device") << "1\n";
			for (int i = 0; i < 500 && !exists("/dev/accel0"); i++)
				std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
	}
};

void add_accel0_back()
{
	write_sysfs("/sys/class/accelfd/add_device", "1");
	for (int i = 0; i < 500 && !exists("/dev/accel0"); i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	BOOST_REQUIRE(exists("/dev/accel0"));
}

} // namespace

BOOST_AUTO_TEST_SUITE(device_removal)

BOOST_AUTO_TEST_CASE(removing_a_busy_device_revokes_everything)
{
	RestoreAccel0 restore;
	int fd = ::open("/dev/accel0", O_RDWR | O_CLOEXEC);
	BOOST_REQUIRE(fd >= 0);
	afd_queue_create q = guest::create_queue(fd, 64);
	auto *doorbell = static_cast<volatile std::uint32_t *>(
		::mmap(nullptr, q.doorbell_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, q.doorbell_offset));
	BOOST_REQUIRE(doorbell != MAP_FAILED);
	BOOST_REQUIRE(readable(doorbell));

	// Work in flight through the syscall path: 64 copies of 1 MiB.
	std::vector<std::byte> buf(2 << 20);
	std::vector<afd_desc> work(64, accel::op::memmove(std::span(buf).subspan(1 << 20),
							  std::span<const std::byte>(buf).first(1 << 20)));
	afd_submit s{q.queue_id, 0, reinterpret_cast<std::uintptr_t>(work.data()), 64, 0};
	BOOST_REQUIRE(guest::ioctl_errno(fd, AFD_IOC_SUBMIT, &s) == 0);

	// A waiter blocked on an idle queue must be woken by the removal.
	afd_queue_create idle = guest::create_queue(fd, 8);
	int waiter_errno = -1;
	std::thread waiter([&] {
		afd_wait w{};
		w.queue_id = idle.queue_id;
		w.head = 0; // nothing will complete there
		w.deadline_ns = std::numeric_limits<std::int64_t>::max();
		waiter_errno = guest::ioctl_errno(fd, AFD_IOC_WAIT, &w);
	});
	std::this_thread::sleep_for(std::chrono::milliseconds(50));

	write_sysfs("/sys/class/accelfd/accel0/remove", "1");
	waiter.join();
	BOOST_TEST(waiter_errno == ENODEV);

	BOOST_TEST(!exists("/dev/accel0"));
	BOOST_TEST(!exists("/sys/class/accelfd/accel0"));
	afd_info info{};
	BOOST_TEST(guest::ioctl_errno(fd, AFD_IOC_GET_INFO, &info) == ENODEV);
	afd_queue_create again = guest::queue_args();
	BOOST_TEST(guest::ioctl_errno(fd, AFD_IOC_CREATE_QUEUE, &again) == ENODEV);
	const int map_err = ::mmap(nullptr, q.sq_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, q.sq_offset) == MAP_FAILED
				    ? errno : 0;
	BOOST_TEST(map_err == ENODEV);
	pollfd pfd{fd, POLLIN, 0};
	BOOST_TEST(::poll(&pfd, 1, 0) == 1);
	BOOST_TEST((pfd.revents & (POLLERR | POLLHUP)) != 0);
	BOOST_TEST(!readable(doorbell)); // the mapping is revoked

	::munmap(const_cast<std::uint32_t *>(doorbell), q.doorbell_size);
	::close(fd);
	add_accel0_back();
	auto dev = accel::Device::open(0);
	auto fresh = accel::Queue::create(dev);
	BOOST_TEST(fresh.run(accel::op::nop(1), std::chrono::seconds(30)).status == 0);
}

BOOST_AUTO_TEST_CASE(removing_an_idle_device_and_adding_it_back)
{
	RestoreAccel0 restore;
	write_sysfs("/sys/class/accelfd/accel0/remove", "1");
	BOOST_TEST(!exists("/dev/accel0"));
	add_accel0_back();
	BOOST_TEST(accel::Device::open(0).info().name == "accel0");
}

BOOST_AUTO_TEST_CASE(remove_accepts_only_a_true_value)
{
	std::ofstream out("/sys/class/accelfd/accel0/remove");
	out << "0\n";
	out.flush();
	BOOST_TEST(!out.good()); // EINVAL
	BOOST_TEST(exists("/dev/accel0"));
}

BOOST_AUTO_TEST_SUITE_END()
