// SPDX-License-Identifier: MIT
// The ABI's layout: what a 32-bit and a 64-bit process, C and C++, and the
// kernel must all agree on. Any change here is an ABI break.
#include <cstddef>

#include <boost/test/unit_test.hpp>
#include <linux/accelfd.h>
#include <linux/accelfd_mdev.h>

BOOST_AUTO_TEST_SUITE(uapi_layout)

BOOST_AUTO_TEST_CASE(afd_info_offsets_are_fixed)
{
	BOOST_TEST(sizeof(afd_info) == 120u);
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
	BOOST_TEST(offsetof(afd_info, max_transfer) == 56u);
	BOOST_TEST(offsetof(afd_info, name) == 64u);
	BOOST_TEST(offsetof(afd_info, max_queues_per_user) == 96u);
	BOOST_TEST(offsetof(afd_info, pad2) == 100u);
	BOOST_TEST(offsetof(afd_info, max_memory_per_user) == 104u);
	BOOST_TEST(alignof(afd_info) == 8u);
}

BOOST_AUTO_TEST_CASE(ring_header_puts_head_tail_and_flags_on_their_own_cachelines)
{
	BOOST_TEST(sizeof(afd_ring_header) == 192u);
	BOOST_TEST(offsetof(afd_ring_header, head) == 0u);
	BOOST_TEST(offsetof(afd_ring_header, tail) == 64u);
	BOOST_TEST(offsetof(afd_ring_header, flags) == 128u);
	BOOST_TEST(offsetof(afd_ring_header, dropped) == 132u);
	BOOST_TEST(offsetof(afd_ring_header, entries) == 136u);
	BOOST_TEST(offsetof(afd_ring_header, entry_size) == 140u);
}

BOOST_AUTO_TEST_CASE(descriptor_is_64_bytes_with_fixed_offsets)
{
	BOOST_TEST(sizeof(afd_desc) == 64u);
	BOOST_TEST(offsetof(afd_desc, opcode) == 0u);
	BOOST_TEST(offsetof(afd_desc, flags) == 1u);
	BOOST_TEST(offsetof(afd_desc, rsvd0) == 2u);
	BOOST_TEST(offsetof(afd_desc, stream) == 4u);
	BOOST_TEST(offsetof(afd_desc, src) == 8u);
	BOOST_TEST(offsetof(afd_desc, dst) == 16u);
	BOOST_TEST(offsetof(afd_desc, len) == 24u);
	BOOST_TEST(offsetof(afd_desc, arg) == 32u);
	BOOST_TEST(offsetof(afd_desc, cookie) == 40u);
	BOOST_TEST(offsetof(afd_desc, dst_len) == 48u);
	BOOST_TEST(offsetof(afd_desc, rsvd2) == 56u);
}

BOOST_AUTO_TEST_CASE(completion_is_48_bytes_with_fixed_offsets)
{
	BOOST_TEST(sizeof(afd_completion) == 48u);
	BOOST_TEST(offsetof(afd_completion, cookie) == 0u);
	BOOST_TEST(offsetof(afd_completion, result) == 8u);
	BOOST_TEST(offsetof(afd_completion, bytes_done) == 16u);
	BOOST_TEST(offsetof(afd_completion, fault_addr) == 24u);
	BOOST_TEST(offsetof(afd_completion, status) == 32u);
	BOOST_TEST(offsetof(afd_completion, flags) == 36u);
	BOOST_TEST(offsetof(afd_completion, checksum) == 40u);
	BOOST_TEST(offsetof(afd_completion, rsvd) == 44u);
}

BOOST_AUTO_TEST_CASE(stream_ioctl_arguments_are_padded_to_64_bits)
{
	BOOST_TEST(sizeof(afd_stream_create) == 24u);
	BOOST_TEST(sizeof(afd_stream_destroy) == 16u);
	BOOST_TEST(sizeof(afd_info) % 8 == 0u);
	BOOST_TEST(offsetof(afd_info, max_streams_per_process) == 112u);
	BOOST_TEST(offsetof(afd_mdev_regs, stream_op) == 104u);
	BOOST_TEST(sizeof(afd_mdev_regs) == 120u);
}

BOOST_AUTO_TEST_CASE(queue_ioctl_arguments_are_padded_to_64_bits)
{
	BOOST_TEST(sizeof(afd_queue_create) == 80u);
	BOOST_TEST(offsetof(afd_queue_create, queue_id) == 16u);
	BOOST_TEST(offsetof(afd_queue_create, sq_offset) == 24u);
	BOOST_TEST(offsetof(afd_queue_create, doorbell_size) == 64u);
	BOOST_TEST(offsetof(afd_queue_create, cq_entries_offset) == 76u);
	BOOST_TEST(sizeof(afd_queue_destroy) == 8u);
	BOOST_TEST(sizeof(afd_queue_query) == 56u);
	BOOST_TEST(offsetof(afd_queue_query, submitted) == 24u);
	BOOST_TEST(sizeof(afd_wait) == 32u);
	BOOST_TEST(offsetof(afd_wait, deadline_ns) == 16u);
	BOOST_TEST(offsetof(afd_wait, index) == 24u);
	BOOST_TEST(sizeof(afd_submit) == 24u);
	BOOST_TEST(offsetof(afd_submit, descs) == 8u);
	BOOST_TEST(sizeof(afd_kick) == 8u);
}

BOOST_AUTO_TEST_CASE(mmap_offsets_carry_queue_and_region_in_high_bits)
{
	BOOST_TEST(AFD_MMAP_OFFSET(3, AFD_REGION_CQ) == ((3ull << 32) | (2ull << 28)));
	BOOST_TEST((AFD_MMAP_OFFSET(0xffff, AFD_REGION_DOORBELL) & 0xfffffff) == 0u);
}

BOOST_AUTO_TEST_CASE(queue_commands_have_distinct_numbers_and_kernel_sizes)
{
	BOOST_TEST(_IOC_NR(AFD_IOC_CREATE_QUEUE) == 1u);
	BOOST_TEST(_IOC_NR(AFD_IOC_DESTROY_QUEUE) == 2u);
	BOOST_TEST(_IOC_NR(AFD_IOC_QUERY_QUEUE) == 3u);
	BOOST_TEST(_IOC_NR(AFD_IOC_WAIT) == 4u);
	BOOST_TEST(_IOC_NR(AFD_IOC_SUBMIT) == 5u);
	BOOST_TEST(_IOC_NR(AFD_IOC_KICK) == 6u);
	BOOST_TEST(_IOC_SIZE(AFD_IOC_WAIT) == sizeof(afd_wait));
	BOOST_TEST(_IOC_DIR(AFD_IOC_DESTROY_QUEUE) == _IOC_WRITE);
	BOOST_TEST(_IOC_DIR(AFD_IOC_KICK) == _IOC_WRITE);
}

BOOST_AUTO_TEST_CASE(get_info_command_encodes_type_nr_size_and_direction)
{
	BOOST_TEST(_IOC_TYPE(AFD_IOC_GET_INFO) == AFD_IOCTL_BASE);
	// ioctl-number.rst gives 0xAF 00-1F to fsl_hypervisor.h.
	BOOST_TEST(AFD_IOCTL_BASE != 0xAF);
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
