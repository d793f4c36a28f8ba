// SPDX-License-Identifier: MIT
// RAII of descriptors and the messages of failed opens.
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "accel/accel.hpp"

BOOST_AUTO_TEST_SUITE(errors_and_fds)

BOOST_AUTO_TEST_CASE(open_of_a_missing_device_says_the_module_may_be_missing)
{
	try {
		(void)accel::Device::open("/dev/accel-none-such");
		BOOST_FAIL("opening a missing path must throw");
	} catch (const accel::Error &e) {
		const std::string what = e.what();
		BOOST_TEST(e.code().value() == ENOENT);
		BOOST_TEST(what == "open /dev/accel-none-such: No such file or directory (ENOENT); "
				   "no such device; is the accelfd module loaded (modprobe accelfd)?");
	}
}

BOOST_AUTO_TEST_CASE(fd_is_cloexec_and_closed_once_by_its_last_owner)
{
	int raw;
	{
		accel::Fd a = accel::Fd::open("/dev/null", O_RDONLY);
		raw = a.get();
		BOOST_TEST((fcntl(raw, F_GETFD) & FD_CLOEXEC) != 0);
		accel::Fd b = std::move(a);
		BOOST_TEST(!a);
		BOOST_TEST(b.get() == raw);
		BOOST_TEST(fcntl(raw, F_GETFD) != -1);
	}
	const int closed = fcntl(raw, F_GETFD) == -1 ? errno : 0;
	BOOST_TEST(closed == EBADF);
}

BOOST_AUTO_TEST_CASE(release_gives_up_ownership)
{
	accel::Fd a = accel::Fd::open("/dev/null", O_RDONLY);
	int raw = a.release();
	BOOST_TEST(!a);
	BOOST_TEST(fcntl(raw, F_GETFD) != -1);
	::close(raw);
}

BOOST_AUTO_TEST_CASE(op_names_cover_the_uapi_and_mark_unknown_bits)
{
	BOOST_TEST(accel::op_name(AFD_OP_CRC32C) == "crc32c");
	auto names = accel::op_names((1u << AFD_OP_NOP) | (1u << AFD_OP_FILL) | (1ull << 40));
	BOOST_TEST(names.size() == 3u);
	BOOST_TEST(names[0] == "nop");
	BOOST_TEST(names[1] == "fill");
	BOOST_TEST(names[2] == "op40");
}

BOOST_AUTO_TEST_SUITE_END()
