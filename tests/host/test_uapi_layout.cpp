// SPDX-License-Identifier: MIT
// The ABI's layout: what a 32-bit and a 64-bit process, C and C++, and the
// kernel must all agree on. Any change here is an ABI break.
#include <cstddef>

#include <boost/test/unit_test.hpp>
#include <linux/accelfd.h>

BOOST_AUTO_TEST_SUITE(uapi_layout)

BOOST_AUTO_TEST_CASE(afd_info_offsets_are_fixed)
{
	BOOST_TEST(sizeof(afd_info) == 88u);
	BOOST_TEST(sizeof(afd_info) % 8 == 0u);
	BOOST_TEST(offsetof(afd_info, flags) == 0u);
	BOOST_TEST(offsetof(afd_info, pad) == 4u);
	BOOST_TEST(offsetof(afd_info, abi_major) == 8u);
	BOOST_TEST(offsetof(afd_info, abi_minor) == 12u);
	BOOST_TEST(offsetof(afd_info, device_index) == 16u);
	BOOST_TEST(offsetof(afd_info, engine_count) == 20u);
	BOOST_TEST(offsetof(afd_info, caps) == 24u);
	BOOST_TEST(offsetof(afd_info, ops_supported) == 32u);
	BOOST_TEST(offsetof(afd_info, max_queues_per_process) == 40u);
	BOOST_TEST(offsetof(afd_info, max_queues) == 44u);
	BOOST_TEST(offsetof(afd_info, min_ring_entries) == 48u);
	BOOST_TEST(offsetof(afd_info, max_ring_entries) == 52u);
	BOOST_TEST(offsetof(afd_info, name) == 56u);
	BOOST_TEST(alignof(afd_info) == 8u);
}

BOOST_AUTO_TEST_CASE(get_info_command_encodes_type_nr_size_and_direction)
{
	BOOST_TEST(_IOC_TYPE(AFD_IOC_GET_INFO) == AFD_IOCTL_BASE);
	BOOST_TEST(_IOC_NR(AFD_IOC_GET_INFO) == 0u);
	BOOST_TEST(_IOC_SIZE(AFD_IOC_GET_INFO) == sizeof(afd_info));
	BOOST_TEST(_IOC_DIR(AFD_IOC_GET_INFO) == (_IOC_READ | _IOC_WRITE));
}

BOOST_AUTO_TEST_CASE(operation_numbers_are_fixed)
{
	BOOST_TEST(AFD_OP_NOP == 0);
	BOOST_TEST(AFD_OP_MEMMOVE == 1);
	BOOST_TEST(AFD_OP_FILL == 2);
	BOOST_TEST(AFD_OP_COMPARE == 3);
	BOOST_TEST(AFD_OP_CRC32C == 4);
	BOOST_TEST(AFD_OP_COUNT <= 64); // one bit each in ops_supported
}

BOOST_AUTO_TEST_SUITE_END()
