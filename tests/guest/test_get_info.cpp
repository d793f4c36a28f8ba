// SPDX-License-Identifier: MIT
// AFD_IOC_GET_INFO: its answer, and each validation failure on its own.
#include <cstring>
#include <sys/mman.h>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

/// A GET_INFO command for an argument of @p size bytes.
constexpr unsigned long get_info_sized(unsigned size)
{
	return _IOC(_IOC_READ | _IOC_WRITE, AFD_IOCTL_BASE, 0x00, size);
}

} // namespace

BOOST_AUTO_TEST_SUITE(get_info)

BOOST_AUTO_TEST_CASE(reports_version_identity_and_limits)
{
	guest::OpenDevice dev;
	afd_info info{};
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, &info) == 0);

	BOOST_TEST(info.abi_major == AFD_ABI_MAJOR);
	BOOST_TEST(info.abi_minor == AFD_ABI_MINOR);
	BOOST_TEST(info.device_index == 0u);
	BOOST_TEST(std::string(info.name) == "accel0");
	BOOST_TEST(info.engine_count == guest::read_uint("/sys/module/accelfd/parameters/num_engines"));
	BOOST_TEST(info.caps == AFD_CAPS_ALL);
	BOOST_TEST((info.ops_supported >> AFD_OP_COUNT) == 0u); // no undefined op
	BOOST_TEST(info.max_queues_per_process == guest::read_uint("/sys/class/accelfd/accel0/max_queues_per_process"));
	BOOST_TEST(info.max_queues == guest::read_uint("/sys/class/accelfd/accel0/max_queues"));
	BOOST_TEST(info.min_ring_entries == guest::read_uint("/sys/class/accelfd/accel0/min_ring_entries"));
	BOOST_TEST(info.max_ring_entries == guest::read_uint("/sys/class/accelfd/accel0/max_ring_entries"));
	BOOST_TEST(info.max_queues_per_user == guest::read_uint("/sys/class/accelfd/accel0/max_queues_per_user"));
	BOOST_TEST(info.max_memory_per_user ==
		   std::stoull(guest::read_line("/sys/class/accelfd/accel0/max_memory_per_user")));
	BOOST_TEST(info.pad2 == 0u);
	BOOST_TEST(info.max_queues_per_process >= 1u);
	BOOST_TEST(info.max_queues >= info.max_queues_per_process);
	BOOST_TEST(info.min_ring_entries <= info.max_ring_entries);
	// Ring sizes are powers of two.
	BOOST_TEST((info.min_ring_entries & (info.min_ring_entries - 1)) == 0u);
	BOOST_TEST((info.max_ring_entries & (info.max_ring_entries - 1)) == 0u);
	BOOST_TEST(info.flags == 0u);
	BOOST_TEST(info.pad == 0u);
}

BOOST_AUTO_TEST_CASE(libaccel_info_matches_the_raw_ioctl_and_sysfs)
{
	auto dev = accel::Device::open(0);
	const accel::DeviceInfo info = dev.info();
	BOOST_TEST(info.name == "accel0");
	BOOST_TEST(dev.path() == "/dev/accel0");
	BOOST_CHECK(info == accel::read_status("accel0").info);
}

BOOST_AUTO_TEST_CASE(nonzero_flags_bit0_is_einval)
{
	guest::OpenDevice dev;
	afd_info info{};
	info.flags = 1;
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, &info) == EINVAL);
}

BOOST_AUTO_TEST_CASE(nonzero_flags_bit31_is_einval)
{
	guest::OpenDevice dev;
	afd_info info{};
	info.flags = 1u << 31;
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, &info) == EINVAL);
}

BOOST_AUTO_TEST_CASE(nonzero_pad_is_einval)
{
	guest::OpenDevice dev;
	afd_info info{};
	info.pad = 0x80;
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, &info) == EINVAL);
}

BOOST_AUTO_TEST_CASE(failed_call_copies_nothing_out)
{
	guest::OpenDevice dev;
	afd_info info{};
	info.flags = 2;
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, &info) == EINVAL);
	BOOST_TEST(info.abi_major == 0u);
	BOOST_TEST(info.name[0] == '\0');
}

BOOST_AUTO_TEST_CASE(null_argument_is_efault)
{
	guest::OpenDevice dev;
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, nullptr) == EFAULT);
}

BOOST_AUTO_TEST_CASE(unmapped_argument_is_efault)
{
	guest::OpenDevice dev;
	void *page = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	BOOST_REQUIRE(page != MAP_FAILED);
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, page) == EFAULT);
	::munmap(page, 4096);
}

BOOST_AUTO_TEST_CASE(read_only_argument_is_efault_on_copy_out)
{
	guest::OpenDevice dev;
	void *page = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	BOOST_REQUIRE(page != MAP_FAILED);
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_GET_INFO, page) == EFAULT);
	::munmap(page, 4096);
}

BOOST_AUTO_TEST_CASE(unknown_command_number_is_enotty)
{
	guest::OpenDevice dev;
	afd_info info{};
	BOOST_TEST(guest::ioctl_errno(dev.fd, _IOWR(AFD_IOCTL_BASE, 0x3f, afd_info), &info) == ENOTTY);
}

// ABI 1's type byte belongs to fsl_hypervisor.h: no longer answered.
BOOST_AUTO_TEST_CASE(the_abi_1_type_byte_is_enotty)
{
	guest::OpenDevice dev;
	afd_info info{};
	BOOST_TEST(guest::ioctl_errno(dev.fd, _IOWR(0xAF, 0x00, afd_info), &info) == ENOTTY);
}

BOOST_AUTO_TEST_CASE(foreign_ioctl_type_is_enotty)
{
	guest::OpenDevice dev;
	afd_info info{};
	BOOST_TEST(guest::ioctl_errno(dev.fd, _IOWR('K', 0x00, afd_info), &info) == ENOTTY);
}

BOOST_AUTO_TEST_CASE(shorter_argument_from_older_user_space_is_served_truncated)
{
	guest::OpenDevice dev;
	unsigned char buf[sizeof(afd_info) + 8];
	std::memset(buf, 0xee, sizeof(buf));
	std::memset(buf, 0, 16); // flags, pad, abi_major, abi_minor
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, get_info_sized(16), buf) == 0);
	afd_info head{};
	std::memcpy(&head, buf, 16);
	BOOST_TEST(head.abi_major == AFD_ABI_MAJOR);
	BOOST_TEST(head.abi_minor == AFD_ABI_MINOR);
	BOOST_TEST(buf[16] == 0xee); // not one byte past the caller's size
}

BOOST_AUTO_TEST_CASE(longer_argument_with_zero_tail_is_served)
{
	guest::OpenDevice dev;
	unsigned char buf[sizeof(afd_info) + 16] = {};
	BOOST_REQUIRE(guest::ioctl_errno(dev.fd, get_info_sized(sizeof(buf)), buf) == 0);
	afd_info info{};
	std::memcpy(&info, buf, sizeof(info));
	BOOST_TEST(std::string(info.name) == "accel0");
}

BOOST_AUTO_TEST_CASE(longer_argument_with_nonzero_tail_is_e2big)
{
	guest::OpenDevice dev;
	unsigned char buf[sizeof(afd_info) + 16] = {};
	buf[sizeof(afd_info) + 3] = 1; // a field this kernel does not know
	BOOST_TEST(guest::ioctl_errno(dev.fd, get_info_sized(sizeof(buf)), buf) == E2BIG);
}

BOOST_AUTO_TEST_CASE(read_only_direction_ignores_the_input)
{
	// The kernel's definition decides what is copied in: without _IOC_WRITE
	// the caller's bytes are not read, so garbage flags do not matter.
	guest::OpenDevice dev;
	afd_info info{};
	info.flags = 0xffffffff;
	BOOST_TEST(guest::ioctl_errno(dev.fd, _IOR(AFD_IOCTL_BASE, 0x00, afd_info), &info) == 0);
	BOOST_TEST(info.abi_major == AFD_ABI_MAJOR);
}

BOOST_AUTO_TEST_CASE(write_only_direction_copies_nothing_out)
{
	guest::OpenDevice dev;
	afd_info info{};
	BOOST_TEST(guest::ioctl_errno(dev.fd, _IOW(AFD_IOCTL_BASE, 0x00, afd_info), &info) == 0);
	BOOST_TEST(info.abi_major == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
