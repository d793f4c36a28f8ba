// SPDX-License-Identifier: MIT
// The device node, its sysfs directory, and contexts.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "accel/accel.hpp"
#include "guest_util.hpp"

BOOST_AUTO_TEST_SUITE(device_node)

BOOST_AUTO_TEST_CASE(dev_accel0_is_a_char_device_with_the_sysfs_numbers)
{
	struct stat st {};
	BOOST_REQUIRE(::stat("/dev/accel0", &st) == 0);
	BOOST_TEST(S_ISCHR(st.st_mode));

	const std::string dev = guest::sysfs("accel0", "dev");
	const unsigned major_nr = std::stoul(dev.substr(0, dev.find(':')));
	const unsigned minor_nr = std::stoul(dev.substr(dev.find(':') + 1));
	BOOST_TEST(major(st.st_rdev) == major_nr);
	BOOST_TEST(minor(st.st_rdev) == 0u);
	BOOST_TEST(minor_nr == 0u);
	BOOST_TEST(major_nr != 0u);
}

BOOST_AUTO_TEST_CASE(class_is_accelfd_not_the_drm_accel_class)
{
	struct stat st {};
	BOOST_TEST(::stat("/sys/class/accelfd/accel0", &st) == 0);
	BOOST_TEST(guest::sysfs("accel0", "uevent").find("MAJOR=") == 0u);
}

BOOST_AUTO_TEST_CASE(sysfs_attributes_describe_the_device)
{
	BOOST_TEST(guest::sysfs("accel0", "abi_version") ==
		   std::to_string(AFD_ABI_MAJOR) + "." + std::to_string(AFD_ABI_MINOR));
	BOOST_TEST(guest::sysfs("accel0", "state") == "enabled");
	BOOST_TEST(std::stoul(guest::sysfs("accel0", "engines")) ==
		   guest::read_uint("/sys/module/accelfd/parameters/num_engines"));
	BOOST_TEST(std::stoull(guest::sysfs("accel0", "caps"), nullptr, 16) == AFD_CAPS_ALL);
}

BOOST_AUTO_TEST_CASE(each_open_is_one_context_and_close_ends_it)
{
	const unsigned before = std::stoul(guest::sysfs("accel0", "contexts"));
	{
		guest::OpenDevice a, b;
		BOOST_TEST(std::stoul(guest::sysfs("accel0", "contexts")) == before + 2);
	}
	BOOST_TEST(std::stoul(guest::sysfs("accel0", "contexts")) == before);
}

BOOST_AUTO_TEST_CASE(device_cannot_seek)
{
	guest::OpenDevice dev;
	BOOST_TEST(guest::errno_of(::lseek(dev.fd, 0, SEEK_SET)) == ESPIPE);
}

BOOST_AUTO_TEST_CASE(devices_match_the_num_devices_parameter)
{
	const unsigned expected = guest::read_uint("/sys/module/accelfd/parameters/num_devices");
	const auto names = accel::device_names();
	BOOST_REQUIRE(names.size() == expected);
	for (unsigned i = 0; i < expected; i++) {
		BOOST_TEST(names[i] == "accel" + std::to_string(i));
		auto dev = accel::Device::open(i);
		BOOST_TEST(dev.info().index == i);
		BOOST_TEST(dev.info().name == names[i]);
	}
}

BOOST_AUTO_TEST_SUITE_END()
