// SPDX-License-Identifier: MIT
// The typed descriptor builders of accel/ops.hpp.
#include <array>
#include <cstdint>
#include <stdexcept>

#include <boost/test/unit_test.hpp>

#include "accel/ops.hpp"

namespace {
std::uint64_t addr(const void *p)
{
	return reinterpret_cast<std::uintptr_t>(p);
}
} // namespace

BOOST_AUTO_TEST_SUITE(ops_builders)

BOOST_AUTO_TEST_CASE(nop_has_only_opcode_and_cookie)
{
	afd_desc d = accel::op::nop(42);
	BOOST_TEST(d.opcode == AFD_OP_NOP);
	BOOST_TEST(d.cookie == 42u);
	BOOST_TEST((d.src | d.dst | d.len | d.arg) == 0u);
}

BOOST_AUTO_TEST_CASE(memmove_takes_length_from_source)
{
	std::array<std::byte, 16> src{}, dst{};
	afd_desc d = accel::op::memmove(dst, std::span<const std::byte>(src).first(10), 7);
	BOOST_TEST(d.opcode == AFD_OP_MEMMOVE);
	BOOST_TEST(d.src == addr(src.data()));
	BOOST_TEST(d.dst == addr(dst.data()));
	BOOST_TEST(d.len == 10u);
	BOOST_TEST(d.cookie == 7u);
}

BOOST_AUTO_TEST_CASE(memmove_into_a_smaller_destination_throws)
{
	std::array<std::byte, 16> src{}, dst{};
	BOOST_CHECK_THROW((void)accel::op::memmove(std::span(dst).first(8), src), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(fill_and_crc32c_carry_pattern_and_seed_in_arg)
{
	std::array<std::byte, 24> buf{};
	afd_desc f = accel::op::fill(buf, 0x1122334455667788u);
	BOOST_TEST(f.opcode == AFD_OP_FILL);
	BOOST_TEST(f.src == 0u);
	BOOST_TEST(f.dst == addr(buf.data()));
	BOOST_TEST(f.arg == 0x1122334455667788u);
	afd_desc c = accel::op::crc32c(buf, 0xdeadbeef);
	BOOST_TEST(c.opcode == AFD_OP_CRC32C);
	BOOST_TEST(c.dst == 0u);
	BOOST_TEST(c.len == 24u);
	BOOST_TEST(c.arg == 0xdeadbeefu);
}

BOOST_AUTO_TEST_CASE(compare_of_different_sizes_throws)
{
	std::array<std::byte, 16> a{}, b{};
	BOOST_CHECK_THROW((void)accel::op::compare(a, std::span(b).first(15)), std::invalid_argument);
	afd_desc d = accel::op::compare(a, b);
	BOOST_TEST(d.len == 16u);
	BOOST_TEST(d.arg == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
