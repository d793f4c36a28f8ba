// SPDX-License-Identifier: MIT
// The libdrm-style ioctl helper: retries, -errno results, and errors that
// name the call and the device.
#include <cerrno>
#include <fcntl.h>
#include <string>

#include <boost/test/unit_test.hpp>

#include "accel/accel.hpp"

BOOST_AUTO_TEST_SUITE(ioctl_helper)

BOOST_AUTO_TEST_CASE(retries_while_interrupted_then_returns_the_result)
{
	int calls = 0;
	int ret = accel::detail::retry_interrupted([&] {
		if (++calls <= 2) {
			errno = calls == 1 ? EINTR : EAGAIN;
			return -1;
		}
		return 7;
	});
	BOOST_TEST(ret == 7);
	BOOST_TEST(calls == 3);
}

BOOST_AUTO_TEST_CASE(returns_minus_errno_on_other_failures_without_retrying)
{
	int calls = 0;
	int ret = accel::detail::retry_interrupted([&] {
		++calls;
		errno = EINVAL;
		return -1;
	});
	BOOST_TEST(ret == -EINVAL);
	BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(checked_ioctl_names_the_request_the_device_and_the_errno)
{
	accel::Fd null = accel::Fd::open("/dev/null", O_RDWR);
	afd_info info{};
	try {
		accel::checked_ioctl(null.get(), AFD_IOC_GET_INFO, &info, "AFD_IOC_GET_INFO",
				     "/dev/null");
		BOOST_FAIL("an ioctl on /dev/null must fail");
	} catch (const accel::Error &e) {
		const std::string what = e.what();
		BOOST_TEST(e.code().value() == ENOTTY);
		BOOST_TEST(what.find("ioctl(AFD_IOC_GET_INFO) on /dev/null") == 0u);
		BOOST_TEST(what.find("(ENOTTY)") != std::string::npos);
		BOOST_TEST(what.find("not an accelfd device") != std::string::npos);
	}
}

BOOST_AUTO_TEST_CASE(raw_helper_reports_enotty_as_a_negative_errno)
{
	accel::Fd null = accel::Fd::open("/dev/null", O_RDWR);
	afd_info info{};
	BOOST_TEST(accel::detail::ioctl(null.get(), AFD_IOC_GET_INFO, &info) == -ENOTTY);
}

BOOST_AUTO_TEST_SUITE_END()
