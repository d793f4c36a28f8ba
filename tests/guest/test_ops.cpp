// SPDX-License-Identifier: MIT
// Every operation against a reference computed on the CPU, over sizes,
// alignments and page crossings, on both submission paths of the char
// device and on an mdev; then each validation failure of a descriptor on
// its own, and bad addresses, on both models. One suite, parameterised by
// Path: the same test code drives both models through the same API.
#include <cstring>
#include <numeric>
#include <optional>
#include <random>
#include <sys/mman.h>
#include <vector>

#include <boost/test/data/test_case.hpp>

#include "accel/accel.hpp"
#include "engine_fixture.hpp"
#include "guest_util.hpp"

namespace bdata = boost::unit_test::data;

namespace {

using guest::Buffer;
using guest::Engine;
using guest::Path;
using guest::models;
using guest::paths;
using guest::page;
using guest::randomize;
using guest::run_raw;

/// Bitwise CRC-32C (Castagnoli, reflected 0x82F63B78): the reference.
std::uint32_t crc32c_reference(std::uint32_t seed, const std::byte *p, std::size_t n)
{
	std::uint32_t crc = ~seed;
	for (std::size_t i = 0; i < n; i++) {
		crc ^= std::to_integer<std::uint8_t>(p[i]);
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	return ~crc;
}

const std::vector<std::size_t> sizes = {0, 1, 7, 8, 63, 64, 4095, 4096, 4097, 16384 + 5, 65536 + 3, (1u << 20) + 11};
const std::vector<std::size_t> alignments = {0, 1, 3, 4095};
} // namespace

BOOST_AUTO_TEST_SUITE(operations)

BOOST_DATA_TEST_CASE(nop_completes_with_status_zero, paths, path)
{
	Engine e(path);
	afd_completion c = e.run(accel::op::nop());
	BOOST_TEST(c.status == 0);
	BOOST_TEST(c.bytes_done == 0u);
}

BOOST_DATA_TEST_CASE(memmove_matches_memcpy, paths * bdata::make(sizes) * bdata::make(alignments),
		     path, size, align)
{
	Engine e(path);
	Buffer src(size + align), dst(size + align);
	const auto dma = {e.map(src.all()), e.map(dst.all())};
	randomize({src.base, size + align}, static_cast<unsigned>(size));
	std::memset(dst.base, 0x5a, size + align);
	afd_completion c = e.run(accel::op::memmove({dst.base + align, size},
						    std::span<const std::byte>(src.base + align, size)));
	BOOST_REQUIRE(c.status == 0);
	BOOST_TEST(c.bytes_done == size);
	BOOST_TEST(std::memcmp(dst.base + align, src.base + align, size) == 0);
	BOOST_TEST(std::to_integer<int>(dst.base[0]) == (align ? 0x5a : std::to_integer<int>(src.base[0])));
}

BOOST_DATA_TEST_CASE(memmove_handles_overlap_both_ways,
		     models * bdata::make({std::size_t{100}, std::size_t{70000}}) *
			     bdata::make({-4099L, -1L, 1L, 4099L}),
		     path, size, shift)
{
	Engine e(path);
	Buffer buf(size + 2 * 8192);
	const auto dma = e.map(buf.all());
	std::byte *base = buf.base + 8192;
	randomize({buf.base, size + 2 * 8192}, 7);
	std::vector<std::byte> expect(buf.base, buf.base + size + 2 * 8192);
	std::memmove(expect.data() + 8192 + shift, expect.data() + 8192, size);
	afd_completion c = e.run(accel::op::memmove({base + shift, size}, std::span<const std::byte>(base, size)));
	BOOST_REQUIRE(c.status == 0);
	BOOST_TEST(std::memcmp(buf.base, expect.data(), expect.size()) == 0);
}

BOOST_DATA_TEST_CASE(fill_repeats_the_pattern, paths * bdata::make(sizes) * bdata::make(alignments),
		     path, size, align)
{
	Engine e(path);
	Buffer dst(size + align + 8);
	const auto dma = e.map(dst.all());
	std::memset(dst.base, 0x11, size + align + 8);
	const std::uint64_t pattern = 0x0807060504030201u;
	afd_completion c = e.run(accel::op::fill({dst.base + align, size}, pattern));
	BOOST_REQUIRE(c.status == 0);
	BOOST_TEST(c.bytes_done == size);
	bool ok = true;
	for (std::size_t i = 0; i < size; i++)
		ok = ok && std::to_integer<unsigned>(dst.base[align + i]) == (i % 8) + 1;
	BOOST_TEST(ok);
	BOOST_TEST(std::to_integer<int>(dst.base[align + size]) == 0x11); // not one byte more
}

BOOST_DATA_TEST_CASE(compare_finds_the_first_difference, paths * bdata::make(sizes), path, size)
{
	Engine e(path);
	Buffer a(size), b(size);
	const auto dma = {e.map(a.all()), e.map(b.all())};
	randomize({a.base, size}, 3);
	std::memcpy(b.base, a.base, size);
	afd_completion same = e.run(accel::op::compare({a.base, size}, {b.base, size}));
	BOOST_REQUIRE(same.status == 0);
	BOOST_TEST(same.result == size);
	if (size == 0)
		return;
	for (std::size_t at : {std::size_t{0}, size / 2, size - 1}) {
		b.base[at] = ~a.base[at];
		afd_completion diff = e.run(accel::op::compare({a.base, size}, {b.base, size}));
		BOOST_REQUIRE(diff.status == 0);
		BOOST_TEST(diff.result == at);
		b.base[at] = a.base[at];
	}
}

BOOST_DATA_TEST_CASE(crc32c_matches_the_reference, paths * bdata::make(sizes) * bdata::make(alignments),
		     path, size, align)
{
	Engine e(path);
	Buffer buf(size + align);
	const auto dma = e.map(buf.all());
	randomize({buf.base, size + align}, 11);
	const std::span<const std::byte> data(buf.base + align, size);
	afd_completion c = e.run(accel::op::crc32c(data, 0x12345678u));
	BOOST_REQUIRE(c.status == 0);
	BOOST_TEST(c.result == crc32c_reference(0x12345678u, data.data(), size));
	BOOST_TEST(c.bytes_done == size);
}

BOOST_DATA_TEST_CASE(crc32c_of_the_check_string_is_e3069283, models, path)
{
	Engine e(path);
	const char check[] = "123456789";
	const auto dma = e.map(std::as_bytes(std::span(check)));
	afd_completion c = e.run(accel::op::crc32c(std::as_bytes(std::span(check, 9))));
	BOOST_REQUIRE(c.status == 0);
	BOOST_TEST(c.result == 0xE3069283u);
}

BOOST_DATA_TEST_CASE(crc32c_chains_through_the_seed, models, path)
{
	Engine e(path);
	std::vector<std::byte> data(10000);
	const auto dma = e.map(data);
	randomize(data, 5);
	const auto whole = e.run(accel::op::crc32c(data));
	const auto first = e.run(accel::op::crc32c(std::span(data).first(3333)));
	const auto rest = e.run(accel::op::crc32c(std::span(data).subspan(3333),
						 static_cast<std::uint32_t>(first.result)));
	BOOST_TEST(rest.result == whole.result);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(descriptor_validation)

BOOST_DATA_TEST_CASE(unknown_opcode_is_eopnotsupp, models, path)
{
	afd_desc d = accel::op::nop();
	d.opcode = 200;
	BOOST_TEST(run_raw(path, d).status == -EOPNOTSUPP);
}

BOOST_DATA_TEST_CASE(nonzero_flags_is_einval, models, path)
{
	afd_desc d = accel::op::nop();
	d.flags = 1;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(nonzero_rsvd0_is_einval, models, path)
{
	afd_desc d = accel::op::nop();
	d.rsvd0 = 1;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(a_stream_on_a_nop_is_einval, models, path)
{
	afd_desc d = accel::op::nop();
	d.stream = 1;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(nonzero_rsvd2_is_einval, models, path)
{
	afd_desc d = accel::op::nop();
	d.rsvd2 = 1;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(an_output_length_on_a_nop_is_einval, models, path)
{
	afd_desc d = accel::op::nop();
	d.dst_len = 1;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(nop_with_a_length_is_einval, models, path)
{
	afd_desc d = accel::op::nop();
	d.len = 8;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(memmove_with_an_arg_is_einval, models, path)
{
	std::byte a[8], b[8];
	afd_desc d = accel::op::memmove(a, b);
	d.arg = 1;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(fill_with_a_source_is_einval, models, path)
{
	std::byte a[8];
	afd_desc d = accel::op::fill(a, 0);
	d.src = reinterpret_cast<std::uintptr_t>(a);
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(compare_with_an_arg_is_einval, models, path)
{
	std::byte a[8], b[8];
	afd_desc d = accel::op::compare(a, b);
	d.arg = 2;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(crc32c_with_a_destination_is_einval, models, path)
{
	std::byte a[8];
	afd_desc d = accel::op::crc32c(a);
	d.dst = reinterpret_cast<std::uintptr_t>(a);
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(crc32c_seed_above_32_bits_is_einval, models, path)
{
	std::byte a[8];
	afd_desc d = accel::op::crc32c(a);
	d.arg = 1ull << 32;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(length_above_max_transfer_is_e2big, models, path)
{
	const auto info = accel::Device::open(0).info(); // the mdev's parent
	std::byte a[8], b[8];
	afd_desc d = accel::op::memmove(a, b);
	d.len = info.max_transfer + 1;
	afd_completion c = run_raw(path, d);
	BOOST_TEST(c.status == -E2BIG);
	BOOST_TEST(c.bytes_done == 0u);
}

BOOST_DATA_TEST_CASE(source_range_wrapping_the_address_space_is_eoverflow, models, path)
{
	afd_desc d = accel::op::crc32c({});
	d.src = ~0ull - 10;
	d.len = 100;
	BOOST_TEST(run_raw(path, d).status == -EOVERFLOW);
}

BOOST_DATA_TEST_CASE(destination_range_wrapping_the_address_space_is_eoverflow, models, path)
{
	afd_desc d = accel::op::fill({}, 0);
	d.dst = ~0ull - 10;
	d.len = 100;
	BOOST_TEST(run_raw(path, d).status == -EOVERFLOW);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_addresses)

BOOST_DATA_TEST_CASE(unmapped_source_is_efault_at_its_first_byte, models, path)
{
	Engine e(path); // first: its mappings must not land in the hole
	Buffer dst(64);
	const auto dma = e.map(dst.all());
	void *hole = ::mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	::munmap(hole, page);
	afd_completion c = e.run(accel::op::memmove(
		{dst.base, 64}, std::span<const std::byte>(static_cast<std::byte *>(hole), 64)));
	BOOST_TEST(c.status == -EFAULT);
	BOOST_TEST(c.fault_addr == reinterpret_cast<std::uintptr_t>(hole));
	BOOST_TEST(c.bytes_done == 0u);
}

BOOST_DATA_TEST_CASE(source_running_into_a_guard_page_faults_at_the_page, models, path)
{
	Engine e(path);
	Buffer src(page);
	const auto dma = e.map(src.all());
	afd_completion c = e.run(accel::op::crc32c(std::span<const std::byte>(src.base + 100, page)));
	BOOST_TEST(c.status == -EFAULT);
	BOOST_TEST(c.fault_addr == reinterpret_cast<std::uintptr_t>(src.guard()));
}

BOOST_DATA_TEST_CASE(destination_running_into_a_guard_page_stops_there, models, path)
{
	Engine e(path);
	Buffer dst(page);
	const auto dma = e.map(dst.all());
	afd_completion c = e.run(accel::op::fill({dst.base + 1000, page}, 0x0101010101010101u));
	BOOST_TEST(c.status == -EFAULT);
	BOOST_TEST(c.fault_addr == reinterpret_cast<std::uintptr_t>(dst.guard()));
	BOOST_TEST(c.bytes_done == page - 1000);
	BOOST_TEST(std::to_integer<int>(dst.base[page - 1]) == 1); // done up to the fault
}

BOOST_DATA_TEST_CASE(read_only_destination_is_efault, models, path)
{
	Engine e(path);
	Buffer src(64), dst(64);
	const auto dma = {e.map(src.all()), e.map(dst.all())};
	::mprotect(dst.base, page, PROT_READ);
	afd_completion c = e.run(accel::op::memmove({dst.base, 64}, std::span<const std::byte>(src.base, 64)));
	BOOST_TEST(c.status == -EFAULT);
	BOOST_TEST(c.fault_addr == reinterpret_cast<std::uintptr_t>(dst.base));
}

BOOST_DATA_TEST_CASE(kernel_address_is_efault, models, path)
{
	Engine e(path);
	Buffer dst(64);
	const auto dma = e.map(dst.all());
	afd_desc d = accel::op::memmove({dst.base, 64}, std::span<const std::byte>(dst.base, 64));
	d.src = 0xffff888000000000ull; // the kernel's direct map on x86-64
	afd_completion c = e.run(d);
	BOOST_TEST(c.status == -EFAULT);
	BOOST_TEST(c.fault_addr == 0xffff888000000000ull);
}

BOOST_DATA_TEST_CASE(null_destination_is_efault, models, path)
{
	afd_desc d = accel::op::fill({}, 0);
	d.len = 16;
	afd_completion c = run_raw(path, d);
	BOOST_TEST(c.status == -EFAULT);
	BOOST_TEST(c.fault_addr == 0u);
}

BOOST_DATA_TEST_CASE(a_fault_leaves_the_queue_working, models, path)
{
	Engine e(path);
	afd_desc bad = accel::op::fill({}, 0);
	bad.len = 16;
	BOOST_TEST(e.run(bad).status == -EFAULT);
	BOOST_TEST(e.run(accel::op::nop()).status == 0);
	auto stats = e.queue.stats();
	BOOST_TEST(stats.state == AFD_QUEUE_STATE_ACTIVE);
	BOOST_TEST(stats.errors == 1u);
	BOOST_TEST(stats.completed == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
