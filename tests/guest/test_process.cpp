// SPDX-License-Identifier: MIT
// A context belongs to the process that opened it.
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <thread>

#include "accel/accel.hpp"
#include "guest_util.hpp"

using guest::receive_fd;
using guest::send_fd;

BOOST_AUTO_TEST_SUITE(process_binding)

BOOST_AUTO_TEST_CASE(forked_child_gets_ebadf_and_the_parent_keeps_working)
{
	guest::OpenDevice dev;
	const int child_errno = guest::in_child([&] {
		afd_info info{};
		return guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, &info);
	});
	BOOST_TEST(child_errno == EBADF);

	afd_info info{};
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, &info) == 0);
}

BOOST_AUTO_TEST_CASE(forked_child_may_open_the_device_itself)
{
	const int child_errno = guest::in_child([] {
		int fd = ::open("/dev/accel0", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return 100;
		afd_info info{};
		return guest::ioctl_errno(fd, AFD_IOC_GET_INFO, &info);
	});
	BOOST_TEST(child_errno == 0);
}

BOOST_AUTO_TEST_CASE(fd_passed_over_scm_rights_gets_ebadf)
{
	// The receiver is forked before the device is opened, so the only way
	// it gets the file is the socket.
	int socks[2];
	BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) == 0);
	pid_t pid = ::fork();
	BOOST_REQUIRE(pid >= 0);
	if (pid == 0) {
		::close(socks[0]);
		int fd = receive_fd(socks[1]);
		if (fd < 0)
			_exit(100);
		afd_info info{};
		_exit(guest::ioctl_errno(fd, AFD_IOC_GET_INFO, &info));
	}
	::close(socks[1]);
	{
		guest::OpenDevice dev;
		send_fd(socks[0], dev.fd);
	}
	::close(socks[0]);
	int status = 0;
	BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
	BOOST_REQUIRE(WIFEXITED(status));
	BOOST_TEST(WEXITSTATUS(status) == EBADF);
}

BOOST_AUTO_TEST_CASE(a_file_kept_across_execve_gets_ebadf)
{
	const int fd = ::open("/dev/accel0", O_RDWR); // no O_CLOEXEC, on purpose
	BOOST_REQUIRE(fd >= 0);
	const int status = guest::in_child([&] {
		const std::string arg = std::to_string(fd);
		::execl(IOCTL_PROBE_PATH, IOCTL_PROBE_PATH, arg.c_str(), nullptr);
		return 101;
	});
	::close(fd);
	BOOST_TEST(status == EBADF);
}

BOOST_AUTO_TEST_CASE(threads_of_the_owner_may_use_the_context)
{
	guest::OpenDevice dev;
	int thread_errno = -1;
	std::thread([&] {
		afd_info info{};
		thread_errno = guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, &info);
	}).join();
	BOOST_TEST(thread_errno == 0);
}

BOOST_AUTO_TEST_CASE(libaccel_error_for_a_foreign_process_names_device_and_cause)
{
	auto dev = accel::Device::open(0);
	const int ok = guest::in_child([&] {
		try {
			(void)dev.info();
			return 1;
		} catch (const accel::Error &e) {
			const std::string what = e.what();
			return e.code().value() == EBADF &&
					       what.find("ioctl(AFD_IOC_GET_INFO) on /dev/accel0") == 0 &&
					       what.find("process that opened it") != std::string::npos
				       ? 0
				       : 2;
		}
	});
	BOOST_TEST(ok == 0);
}

BOOST_AUTO_TEST_SUITE_END()
