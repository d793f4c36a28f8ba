// SPDX-License-Identifier: MIT
// DEFLATE and INFLATE on the engine, on both models, against zlib in this
// process: what the engine compresses zlib decompresses and the other way
// round, over sizes, levels and kinds of data; streams across many small
// descriptors; every malformed input and every validation on its own;
// streams as bounded resources (limits, charges, freed with their queue,
// their file and their process).
#include <algorithm>
#include <cstring>
#include <numeric>
#include <signal.h>
#include <string>
#include <vector>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <zlib.h>

#include <boost/test/data/test_case.hpp>

#include "accel/accel.hpp"
#include "engine_fixture.hpp"
#include "guest_util.hpp"

namespace bdata = boost::unit_test::data;

namespace {

using guest::Engine;
using guest::models;
using guest::Path;
using guest::run_raw;

enum class Kind { text, binary, random, zeros };

std::ostream &operator<<(std::ostream &os, Kind k)
{
	const char *names[] = {"text", "binary", "random", "zeros"};
	return os << names[static_cast<int>(k)];
}

/// Data nobody here wrote, where the system has it: its licence texts and
/// its own binaries; random and all-zero data as the two extremes.
std::vector<std::byte> sample(Kind kind, std::size_t size)
{
	std::vector<std::byte> out(size);
	if (kind == Kind::random) {
		guest::randomize(out, static_cast<unsigned>(size));
	} else if (kind != Kind::zeros) {
		const char *path = kind == Kind::text ? "/usr/share/common-licenses/GPL-3" : "/bin/bash";
		std::ifstream in(path, std::ios::binary);
		BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
		std::vector<char> file((std::istreambuf_iterator<char>(in)), {});
		BOOST_REQUIRE(!file.empty());
		for (std::size_t i = 0; i < size; i++)
			out[i] = static_cast<std::byte>(file[i % file.size()]);
	}
	return out;
}

std::vector<std::byte> zlib_raw_deflate(std::span<const std::byte> in, int level)
{
	z_stream z{};
	BOOST_REQUIRE(deflateInit2(&z, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	std::vector<std::byte> out(deflateBound(&z, in.size()));
	z.next_in = reinterpret_cast<Bytef *>(const_cast<std::byte *>(in.data()));
	z.avail_in = static_cast<uInt>(in.size());
	z.next_out = reinterpret_cast<Bytef *>(out.data());
	z.avail_out = static_cast<uInt>(out.size());
	BOOST_REQUIRE(::deflate(&z, Z_FINISH) == Z_STREAM_END);
	out.resize(z.total_out);
	deflateEnd(&z);
	return out;
}

/// zlib's inflate of a raw stream; @p end: whether it reached the end.
std::vector<std::byte> zlib_raw_inflate(std::span<const std::byte> in, std::size_t expect, bool *end = nullptr)
{
	z_stream z{};
	BOOST_REQUIRE(inflateInit2(&z, -MAX_WBITS) == Z_OK);
	std::vector<std::byte> out(expect + 1);
	z.next_in = reinterpret_cast<Bytef *>(const_cast<std::byte *>(in.data()));
	z.avail_in = static_cast<uInt>(in.size());
	z.next_out = reinterpret_cast<Bytef *>(out.data());
	z.avail_out = static_cast<uInt>(out.size());
	const int ret = ::inflate(&z, Z_FINISH);
	if (end)
		*end = ret == Z_STREAM_END;
	out.resize(z.total_out);
	inflateEnd(&z);
	return out;
}

std::uint32_t zlib_crc(std::span<const std::byte> data, std::uint32_t seed = 0)
{
	return static_cast<std::uint32_t>(
		crc32(seed, reinterpret_cast<const Bytef *>(data.data()), static_cast<uInt>(data.size())));
}

/// An Engine whose buffers are mapped for the mdev as they are made.
struct Codec : Engine {
	using Engine::Engine;
	std::vector<accel::DmaMapping> mappings;

	std::vector<std::byte> buffer(std::size_t size)
	{
		std::vector<std::byte> b(std::max<std::size_t>(size, 1));
		b.resize(size);
		mappings.push_back(map(std::span<const std::byte>(b.data(), b.capacity())));
		return b;
	}
	std::vector<std::byte> copy(const std::vector<std::byte> &from)
	{
		auto b = buffer(from.size());
		std::ranges::copy(from, b.begin());
		return b;
	}
	std::uint32_t stream(afd_op op, unsigned level = 0) { return queue.create_stream(op, level); }
};

unsigned device_streams()
{
	return guest::read_uint("/sys/class/accelfd/accel0/streams");
}

const std::vector<std::size_t> sizes = {0, 1, 4095, 4097, 65536 + 3};
/// Few cases, each one slow: larger than any bounce chunk or zlib block.
const std::vector<std::size_t> large_sizes = {(1u << 20) + 11, (5u << 20) + 7};

} // namespace

BOOST_AUTO_TEST_SUITE(compression)

BOOST_DATA_TEST_CASE(stateless_deflate_is_read_by_zlib,
		     models * bdata::make(sizes) * bdata::make({1, 6, 9}) *
				     bdata::make({Kind::text, Kind::binary, Kind::random, Kind::zeros}) +
			     models * bdata::make(large_sizes) * bdata::make({1, 9}) *
				     bdata::make({Kind::text, Kind::random}),
		     path, size, level, kind)
{
	Codec e(path);
	const auto data = e.copy(sample(kind, size));
	auto out = e.buffer(AFD_DEFLATE_BOUND(size));
	const afd_completion c = e.run(accel::op::deflate(
		data, out, level, {.flags = AFD_DESC_F_LAST | AFD_DESC_F_CRC32}));
	BOOST_REQUIRE(c.status == 0);
	BOOST_TEST(c.bytes_done == size);
	BOOST_TEST((c.flags & AFD_COMP_F_STREAM_END) != 0);
	BOOST_TEST(c.checksum == zlib_crc(data));
	bool end = false;
	BOOST_TEST((zlib_raw_inflate(std::span(out).first(c.result), size, &end) == data));
	BOOST_TEST(end);
	// As well as zlib at the same level (the kernel's zlib is an older one).
	if (kind != Kind::random && size > 4096)
		BOOST_TEST(c.result <= zlib_raw_deflate(data, level).size() * 11 / 10);
}

BOOST_DATA_TEST_CASE(stateless_inflate_reads_zlib,
		     models * bdata::make(sizes) * bdata::make({1, 9}) *
				     bdata::make({Kind::text, Kind::random, Kind::zeros}) +
			     models * bdata::make(large_sizes) * bdata::make({6}) *
				     bdata::make({Kind::binary, Kind::zeros}),
		     path, size, level, kind)
{
	Codec e(path);
	const auto data = sample(kind, size);
	const auto packed = e.copy(zlib_raw_deflate(data, level));
	auto out = e.buffer(size);
	const afd_completion c = e.run(accel::op::inflate(packed, out, {.flags = AFD_DESC_F_CRC32}));
	BOOST_REQUIRE(c.status == 0);
	BOOST_TEST(c.result == size);
	BOOST_TEST(c.bytes_done == packed.size());
	BOOST_TEST((c.flags & AFD_COMP_F_STREAM_END) != 0);
	BOOST_TEST(c.checksum == zlib_crc(data));
	BOOST_TEST((out == data));
}

BOOST_DATA_TEST_CASE(inflate_stops_at_the_end_of_the_stream, models, path)
{
	Codec e(path);
	const auto data = sample(Kind::text, 10000);
	auto packed = zlib_raw_deflate(data, 6);
	const std::size_t stream_size = packed.size();
	packed.resize(stream_size + 100, std::byte{0x1f}); // what follows: a trailer, a member
	const auto in = e.copy(packed);
	auto out = e.buffer(20000);
	const afd_completion c = e.run(accel::op::inflate(in, out));
	BOOST_REQUIRE(c.status == 0);
	BOOST_TEST(c.bytes_done == stream_size);
	BOOST_TEST(c.result == data.size());
}

BOOST_DATA_TEST_CASE(pieces_without_last_concatenate_into_one_stream, models, path)
{
	Codec e(path);
	const auto data = e.copy(sample(Kind::text, 300000));
	std::vector<std::byte> joined;
	std::uint32_t crc = 0;
	for (std::size_t at = 0; at < data.size(); at += 70000) {
		const auto piece = std::span(data).subspan(at, std::min<std::size_t>(70000, data.size() - at));
		const bool last = at + piece.size() == data.size();
		auto out = e.buffer(AFD_DEFLATE_BOUND(piece.size()));
		const afd_completion c = e.run(accel::op::deflate(
			piece, out, 6,
			{.flags = static_cast<std::uint8_t>(AFD_DESC_F_CRC32 | (last ? AFD_DESC_F_LAST : 0)),
			 .crc_seed = crc}));
		BOOST_REQUIRE(c.status == 0);
		BOOST_TEST((c.flags & AFD_COMP_F_STREAM_END) == (last ? AFD_COMP_F_STREAM_END : 0u));
		crc = c.checksum;
		joined.insert(joined.end(), out.begin(), out.begin() + c.result);
	}
	BOOST_TEST(crc == zlib_crc(data));
	bool end = false;
	BOOST_TEST((zlib_raw_inflate(joined, data.size(), &end) == data));
	BOOST_TEST(end);
}

BOOST_DATA_TEST_CASE(a_deflate_stream_keeps_its_window_across_descriptors, models, path)
{
	Codec e(path);
	// 4 KiB of random data repeated: only a window across descriptors finds the repeats.
	auto unit = sample(Kind::random, 4096);
	std::vector<std::byte> plain;
	for (int i = 0; i < 16; i++)
		plain.insert(plain.end(), unit.begin(), unit.end());
	const auto data = e.copy(plain);
	const std::uint32_t id = e.stream(AFD_OP_DEFLATE, 6);
	std::vector<std::byte> packed;
	auto out = e.buffer(1000); // small: forces descriptors to stop with room exhausted
	std::size_t at = 0;
	bool ended = false;
	std::uint32_t crc = 0;
	for (int turns = 0; !ended && turns < 1000; turns++) {
		const std::size_t n = std::min<std::size_t>(4096, data.size() - at);
		const bool last = at + n == data.size();
		const afd_completion c = e.run(accel::op::deflate(
			std::span(data).subspan(at, n), out, 0,
			{.flags = static_cast<std::uint8_t>(AFD_DESC_F_CRC32 | (last ? AFD_DESC_F_LAST : 0) |
							    (turns == 0 ? AFD_DESC_F_FIRST : 0)),
			 .stream = id, .crc_seed = crc}));
		BOOST_REQUIRE_MESSAGE(c.status == 0, "status " << c.status);
		crc = c.checksum;
		at += c.bytes_done;
		packed.insert(packed.end(), out.begin(), out.begin() + c.result);
		ended = c.flags & AFD_COMP_F_STREAM_END;
	}
	BOOST_REQUIRE(ended);
	BOOST_TEST(at == data.size());
	BOOST_TEST(crc == zlib_crc(data));
	BOOST_TEST((zlib_raw_inflate(packed, data.size()) == data));
	BOOST_TEST(packed.size() < 2 * unit.size()); // the repeats cost almost nothing
}

BOOST_DATA_TEST_CASE(an_inflate_stream_takes_its_input_a_byte_at_a_time, models, path)
{
	Codec e(path);
	const auto data = sample(Kind::text, 50000);
	const auto packed = e.copy(zlib_raw_deflate(data, 9));
	const std::uint32_t id = e.stream(AFD_OP_INFLATE);
	auto out = e.buffer(3000);
	std::vector<std::byte> plain;
	std::size_t at = 0;
	bool ended = false;
	for (int turns = 0; !ended && turns < 200000; turns++) {
		const std::size_t n = std::min<std::size_t>(1, packed.size() - at);
		const afd_completion c = e.run(accel::op::inflate(std::span(packed).subspan(at, n), out, {.stream = id}));
		BOOST_REQUIRE_MESSAGE(c.status == 0, "status " << c.status << " at " << at);
		at += c.bytes_done;
		plain.insert(plain.end(), out.begin(), out.begin() + c.result);
		ended = c.flags & AFD_COMP_F_STREAM_END;
	}
	BOOST_REQUIRE(ended);
	BOOST_TEST(at == packed.size());
	BOOST_TEST((plain == data));
}

BOOST_DATA_TEST_CASE(first_starts_a_stream_anew, models, path)
{
	Codec e(path);
	const auto data = sample(Kind::text, 5000);
	const auto packed = e.copy(zlib_raw_deflate(data, 6));
	const std::uint32_t id = e.stream(AFD_OP_INFLATE);
	auto out = e.buffer(data.size());
	for (int round = 0; round < 3; round++) {
		const afd_completion c = e.run(accel::op::inflate(
			packed, out, {.flags = static_cast<std::uint8_t>(round ? AFD_DESC_F_FIRST : 0), .stream = id}));
		BOOST_REQUIRE(c.status == 0);
		BOOST_TEST((c.flags & AFD_COMP_F_STREAM_END) != 0);
		BOOST_TEST((out == data));
	}
}

BOOST_DATA_TEST_CASE(an_ended_stream_without_first_is_einval, models, path)
{
	Codec e(path);
	const auto data = e.copy(sample(Kind::text, 100));
	auto out = e.buffer(1000);
	const std::uint32_t id = e.stream(AFD_OP_DEFLATE, 1);
	BOOST_REQUIRE(e.run(accel::op::deflate(data, out, 0, {.flags = AFD_DESC_F_LAST, .stream = id})).status == 0);
	BOOST_TEST(e.run(accel::op::deflate(data, out, 0, {.flags = AFD_DESC_F_LAST, .stream = id})).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(stateless_deflate_without_room_is_enospc_with_the_bound, models, path)
{
	Codec e(path);
	const auto data = e.copy(sample(Kind::random, 10000));
	auto out = e.buffer(5000);
	const afd_completion c = e.run(accel::op::deflate(data, out, 6, {.flags = AFD_DESC_F_LAST}));
	BOOST_TEST(c.status == -ENOSPC);
	BOOST_TEST(c.result == AFD_DEFLATE_BOUND(std::uint64_t{10000}));
}

BOOST_DATA_TEST_CASE(stateless_inflate_without_room_is_enospc_with_the_size, models, path)
{
	Codec e(path);
	const auto data = sample(Kind::text, 100000);
	const auto packed = e.copy(zlib_raw_deflate(data, 6));
	auto out = e.buffer(data.size() - 1);
	const afd_completion c = e.run(accel::op::inflate(packed, out));
	BOOST_TEST(c.status == -ENOSPC);
	BOOST_TEST(c.result == data.size());
	auto exact = e.buffer(data.size());
	const afd_completion fits = e.run(accel::op::inflate(packed, exact));
	BOOST_TEST(fits.status == 0);
	BOOST_TEST((exact == data));
}

BOOST_DATA_TEST_CASE(a_stream_out_of_room_goes_on_with_more, models, path)
{
	Codec e(path);
	const auto data = sample(Kind::text, 100000);
	const auto packed = e.copy(zlib_raw_deflate(data, 6));
	const std::uint32_t id = e.stream(AFD_OP_INFLATE);
	auto out = e.buffer(data.size());
	const afd_completion part = e.run(accel::op::inflate(packed, std::span(out).first(1000), {.stream = id}));
	BOOST_REQUIRE(part.status == 0);
	BOOST_TEST(part.result == 1000u);
	BOOST_TEST(part.bytes_done < packed.size());
	const afd_completion rest = e.run(accel::op::inflate(std::span(packed).subspan(part.bytes_done),
							     std::span(out).subspan(1000), {.stream = id}));
	BOOST_REQUIRE(rest.status == 0);
	BOOST_TEST((rest.flags & AFD_COMP_F_STREAM_END) != 0);
	BOOST_TEST((out == data));
}

BOOST_DATA_TEST_CASE(malformed_input_is_ebadmsg_and_the_stream_stays_failed, models, path)
{
	Codec e(path);
	// BTYPE 3 is reserved: the first byte already is malformed.
	const auto bad = e.copy(std::vector<std::byte>(64, std::byte{0xff}));
	auto out = e.buffer(1000);
	const afd_completion once = e.run(accel::op::inflate(bad, out));
	BOOST_TEST(once.status == -EBADMSG);
	BOOST_TEST(once.bytes_done <= bad.size());

	const std::uint32_t id = e.stream(AFD_OP_INFLATE);
	BOOST_TEST(e.run(accel::op::inflate(bad, out, {.stream = id})).status == -EBADMSG);
	const auto good = e.copy(zlib_raw_deflate(sample(Kind::text, 500), 6));
	BOOST_TEST(e.run(accel::op::inflate(good, out, {.stream = id})).status == -EBADMSG);
	BOOST_TEST(e.run(accel::op::inflate(good, out, {.flags = AFD_DESC_F_FIRST, .stream = id})).status == 0);
}

BOOST_DATA_TEST_CASE(a_bit_flip_is_found_or_changes_the_crc, models, path)
{
	Codec e(path);
	const auto data = sample(Kind::text, 20000);
	const auto good = zlib_raw_deflate(data, 6);
	auto out = e.buffer(40000);
	int caught = 0, tries = 0;
	// Not the last byte, whose high bits may be padding after the final block.
	for (std::size_t at = 0; at + 1 < good.size(); at += good.size() / 25 + 1, tries++) {
		auto flipped = e.copy(good);
		flipped[at] ^= std::byte{0x10};
		const afd_completion c = e.run(accel::op::inflate(flipped, out, {.flags = AFD_DESC_F_CRC32}));
		BOOST_TEST((c.status == 0 || c.status == -EBADMSG || c.status == -ENODATA || c.status == -ENOSPC),
			   "status " << c.status);
		caught += c.status != 0 || c.checksum != zlib_crc(data) || c.result != data.size();
	}
	BOOST_TEST(caught == tries); // every flip shows, as a status or in the CRC a trailer holds
}

BOOST_DATA_TEST_CASE(truncated_input_is_enodata, models, path)
{
	Codec e(path);
	const auto packed = zlib_raw_deflate(sample(Kind::text, 20000), 6);
	const auto cut = e.copy(std::vector<std::byte>(packed.begin(), packed.end() - 10));
	auto out = e.buffer(20000);
	const afd_completion once = e.run(accel::op::inflate(cut, out));
	BOOST_TEST(once.status == -ENODATA);
	BOOST_TEST(once.bytes_done == cut.size());

	const std::uint32_t id = e.stream(AFD_OP_INFLATE);
	const afd_completion open = e.run(accel::op::inflate(cut, out, {.stream = id}));
	BOOST_TEST(open.status == 0); // more input may come
	const afd_completion last = e.run(accel::op::inflate({}, out, {.flags = AFD_DESC_F_LAST, .stream = id}));
	BOOST_TEST(last.status == -ENODATA);
}

BOOST_DATA_TEST_CASE(an_unreadable_source_is_efault_at_its_address, models, path)
{
	Codec e(path);
	void *hole = ::mmap(nullptr, guest::page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	::munmap(hole, guest::page);
	auto out = e.buffer(100);
	const afd_completion c = e.run(accel::op::deflate(
		std::span<const std::byte>(static_cast<std::byte *>(hole), 64), out, 6, {.flags = AFD_DESC_F_LAST}));
	BOOST_TEST(c.status == -EFAULT);
	BOOST_TEST(c.fault_addr == reinterpret_cast<std::uintptr_t>(hole));
}

BOOST_DATA_TEST_CASE(an_unwritable_destination_is_efault_at_its_address, models, path)
{
	Codec e(path);
	const auto data = e.copy(sample(Kind::text, 100));
	void *hole = ::mmap(nullptr, guest::page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	::munmap(hole, guest::page);
	const afd_completion c = e.run(accel::op::deflate(
		data, std::span<std::byte>(static_cast<std::byte *>(hole), 1000), 6, {.flags = AFD_DESC_F_LAST}));
	BOOST_TEST(c.status == -EFAULT);
	BOOST_TEST(c.fault_addr == reinterpret_cast<std::uintptr_t>(hole));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(codec_validation)

namespace {

/// A valid stateless DEFLATE of nothing, for one field to spoil.
afd_desc empty_deflate()
{
	return accel::op::deflate({}, {}, 6, {.flags = AFD_DESC_F_LAST});
}

} // namespace

BOOST_DATA_TEST_CASE(the_spoilt_descriptor_is_valid_unspoilt, models, path)
{
	BOOST_TEST(run_raw(path, empty_deflate()).status == -ENOSPC); // no room, but valid
}

BOOST_DATA_TEST_CASE(stateless_level_0_is_einval, models, path)
{
	afd_desc d = empty_deflate();
	d.arg = 0;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(stateless_level_10_is_einval, models, path)
{
	afd_desc d = empty_deflate();
	d.arg = 10;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(stateless_first_is_einval, models, path)
{
	afd_desc d = empty_deflate();
	d.flags |= AFD_DESC_F_FIRST;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(stateless_flush_is_einval, models, path)
{
	afd_desc d = empty_deflate();
	d.flags |= AFD_DESC_F_FLUSH;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(an_unknown_flag_is_einval, models, path)
{
	afd_desc d = empty_deflate();
	d.flags |= 0x80;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(stateless_inflate_with_last_is_einval, models, path)
{
	BOOST_TEST(run_raw(path, accel::op::inflate({}, {}, {.flags = AFD_DESC_F_LAST})).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(inflate_with_a_level_is_einval, models, path)
{
	afd_desc d = accel::op::inflate({}, {});
	d.arg = 6;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(a_crc_seed_without_the_crc_flag_is_einval, models, path)
{
	afd_desc d = empty_deflate();
	d.arg |= std::uint64_t{1} << 32;
	BOOST_TEST(run_raw(path, d).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(a_length_above_max_transfer_is_e2big, models, path)
{
	afd_desc d = empty_deflate();
	d.len = std::uint64_t{1} << 40;
	BOOST_TEST(run_raw(path, d).status == -E2BIG);
}

BOOST_DATA_TEST_CASE(an_output_above_max_transfer_is_e2big, models, path)
{
	afd_desc d = empty_deflate();
	d.dst_len = std::uint64_t{1} << 40;
	BOOST_TEST(run_raw(path, d).status == -E2BIG);
}

BOOST_DATA_TEST_CASE(a_source_wrapping_around_is_eoverflow, models, path)
{
	afd_desc d = empty_deflate();
	d.src = ~0ull - 10;
	d.len = 100;
	BOOST_TEST(run_raw(path, d).status == -EOVERFLOW);
}

BOOST_DATA_TEST_CASE(a_destination_wrapping_around_is_eoverflow, models, path)
{
	afd_desc d = empty_deflate();
	d.dst = ~0ull - 10;
	d.dst_len = 100;
	BOOST_TEST(run_raw(path, d).status == -EOVERFLOW);
}

BOOST_DATA_TEST_CASE(an_unknown_stream_is_enoent, models, path)
{
	afd_desc d = accel::op::deflate({}, {}, 0, {.stream = 4242});
	BOOST_TEST(run_raw(path, d).status == -ENOENT);
}

BOOST_DATA_TEST_CASE(a_stream_of_the_other_operation_is_einval, models, path)
{
	Codec e(path);
	const std::uint32_t id = e.stream(AFD_OP_INFLATE);
	BOOST_TEST(e.run(accel::op::deflate({}, {}, 0, {.stream = id})).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(a_level_on_a_stream_descriptor_is_einval, models, path)
{
	Codec e(path);
	const std::uint32_t id = e.stream(AFD_OP_DEFLATE, 6);
	BOOST_TEST(e.run(accel::op::deflate({}, {}, 6, {.stream = id})).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(flush_on_an_inflate_stream_is_einval, models, path)
{
	Codec e(path);
	const std::uint32_t id = e.stream(AFD_OP_INFLATE);
	BOOST_TEST(e.run(accel::op::inflate({}, {}, {.flags = AFD_DESC_F_FLUSH, .stream = id})).status == -EINVAL);
}

BOOST_DATA_TEST_CASE(a_destroyed_stream_is_enoent, models, path)
{
	Codec e(path);
	const std::uint32_t id = e.stream(AFD_OP_INFLATE);
	BOOST_REQUIRE(e.queue.destroy_stream(id) == 0);
	BOOST_TEST(e.run(accel::op::inflate({}, {}, {.stream = id})).status == -ENOENT);
	BOOST_TEST(e.queue.destroy_stream(id) == -ENOENT);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(streams)

namespace {

/// A queue of a raw /dev/accel0 file, for the stream ioctls' own errors.
struct StreamQueue {
	guest::OpenDevice dev;
	std::uint32_t id = 0;
	StreamQueue()
	{
		afd_queue_create args = guest::queue_args();
		BOOST_REQUIRE(guest::ioctl_errno(dev.fd, AFD_IOC_CREATE_QUEUE, &args) == 0);
		id = args.queue_id;
	}
	afd_stream_create args(afd_op op = AFD_OP_DEFLATE, unsigned level = 6) const
	{
		afd_stream_create a{};
		a.queue_id = id;
		a.op = op;
		a.level = level;
		return a;
	}
	int create(afd_stream_create a) const { return guest::ioctl_errno(dev.fd, AFD_IOC_CREATE_STREAM, &a); }
};

} // namespace

BOOST_AUTO_TEST_CASE(create_returns_distinct_nonzero_ids_and_sysfs_counts_them)
{
	StreamQueue q;
	const unsigned before = device_streams();
	afd_stream_create a = q.args(), b = q.args(AFD_OP_INFLATE, 0);
	BOOST_REQUIRE(guest::ioctl_errno(q.dev.fd, AFD_IOC_CREATE_STREAM, &a) == 0);
	BOOST_REQUIRE(guest::ioctl_errno(q.dev.fd, AFD_IOC_CREATE_STREAM, &b) == 0);
	BOOST_TEST(a.stream_id != 0u);
	BOOST_TEST(b.stream_id != a.stream_id);
	BOOST_TEST(device_streams() == before + 2);
	BOOST_TEST(guest::read_uint("/sys/class/accelfd/accel0/queue/" + std::to_string(q.id) + "/streams") == 2u);
}

BOOST_AUTO_TEST_CASE(an_unknown_op_is_einval)
{
	StreamQueue q;
	BOOST_TEST(q.create(q.args(AFD_OP_MEMMOVE, 0)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(deflate_level_0_is_einval)
{
	StreamQueue q;
	BOOST_TEST(q.create(q.args(AFD_OP_DEFLATE, 0)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(deflate_level_10_is_einval)
{
	StreamQueue q;
	BOOST_TEST(q.create(q.args(AFD_OP_DEFLATE, 10)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(inflate_with_a_level_is_einval)
{
	StreamQueue q;
	BOOST_TEST(q.create(q.args(AFD_OP_INFLATE, 1)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(create_flags_are_einval)
{
	StreamQueue q;
	auto a = q.args();
	a.flags = 1;
	BOOST_TEST(q.create(a) == EINVAL);
}

BOOST_AUTO_TEST_CASE(create_pad_is_einval)
{
	StreamQueue q;
	auto a = q.args();
	a.pad = 1;
	BOOST_TEST(q.create(a) == EINVAL);
}

BOOST_AUTO_TEST_CASE(an_input_stream_id_is_einval)
{
	StreamQueue q;
	auto a = q.args();
	a.stream_id = 1;
	BOOST_TEST(q.create(a) == EINVAL);
}

BOOST_AUTO_TEST_CASE(create_on_an_unknown_queue_is_enoent)
{
	StreamQueue q;
	auto a = q.args();
	a.queue_id = 0xfff0;
	BOOST_TEST(q.create(a) == ENOENT);
}

BOOST_AUTO_TEST_CASE(destroy_of_an_unknown_stream_is_enoent)
{
	StreamQueue q;
	afd_stream_destroy d{};
	d.queue_id = q.id;
	d.stream_id = 77;
	BOOST_TEST(guest::ioctl_errno(q.dev.fd, AFD_IOC_DESTROY_STREAM, &d) == ENOENT);
}

BOOST_AUTO_TEST_CASE(destroy_flags_are_einval)
{
	StreamQueue q;
	afd_stream_create a = q.args();
	BOOST_REQUIRE(guest::ioctl_errno(q.dev.fd, AFD_IOC_CREATE_STREAM, &a) == 0);
	afd_stream_destroy d{};
	d.queue_id = q.id;
	d.stream_id = a.stream_id;
	d.flags = 1;
	BOOST_TEST(guest::ioctl_errno(q.dev.fd, AFD_IOC_DESTROY_STREAM, &d) == EINVAL);
}

BOOST_AUTO_TEST_CASE(destroy_pad_is_einval)
{
	StreamQueue q;
	afd_stream_create a = q.args();
	BOOST_REQUIRE(guest::ioctl_errno(q.dev.fd, AFD_IOC_CREATE_STREAM, &a) == 0);
	afd_stream_destroy d{};
	d.queue_id = q.id;
	d.stream_id = a.stream_id;
	d.pad = 1;
	BOOST_TEST(guest::ioctl_errno(q.dev.fd, AFD_IOC_DESTROY_STREAM, &d) == EINVAL);
}

BOOST_AUTO_TEST_CASE(the_process_limit_is_enospc)
{
	guest::AttrOverride limit("max_streams_per_process", "2");
	StreamQueue q, other;
	BOOST_REQUIRE(q.create(q.args()) == 0);
	BOOST_REQUIRE(other.create(other.args()) == 0); // another file, the same process
	BOOST_TEST(q.create(q.args()) == ENOSPC);
}

BOOST_AUTO_TEST_CASE(the_device_limit_is_enospc)
{
	guest::AttrOverride limit("max_streams", std::to_string(device_streams() + 1));
	StreamQueue q;
	BOOST_REQUIRE(q.create(q.args()) == 0);
	BOOST_TEST(q.create(q.args(AFD_OP_INFLATE, 0)) == ENOSPC);
}

BOOST_AUTO_TEST_CASE(the_user_memory_limit_is_enomem)
{
	// Room for a queue's rings and two DEFLATE workspaces, not three.
	guest::AttrOverride limit("max_memory_per_user", std::to_string(700 << 10));
	const int err = guest::in_child([] {
		if (!guest::become_nobody(true))
			return 100;
		StreamQueue q;
		int ret = 0;
		for (int i = 0; i < 8 && !ret; i++)
			ret = q.create(q.args());
		return ret;
	});
	BOOST_TEST(err == ENOMEM);
}

BOOST_AUTO_TEST_CASE(streams_go_with_their_queue_and_their_file)
{
	const unsigned before = device_streams();
	{
		StreamQueue q;
		BOOST_REQUIRE(q.create(q.args()) == 0);
		BOOST_REQUIRE(q.create(q.args(AFD_OP_INFLATE, 0)) == 0);
		afd_queue_destroy d{};
		d.queue_id = q.id;
		BOOST_REQUIRE(guest::ioctl_errno(q.dev.fd, AFD_IOC_DESTROY_QUEUE, &d) == 0);
		BOOST_TEST(device_streams() == before);
		StreamQueue kept;
		BOOST_REQUIRE(kept.create(kept.args()) == 0);
		BOOST_TEST(device_streams() == before + 1);
	} // the file closes
	BOOST_TEST(device_streams() == before);
}

BOOST_AUTO_TEST_CASE(a_killed_process_leaves_no_stream)
{
	const unsigned before = device_streams();
	int ready[2];
	BOOST_REQUIRE(::pipe(ready) == 0);
	const pid_t child = ::fork();
	if (child == 0) {
		auto dev = accel::Device::open(0);
		auto queue = accel::Queue::create(dev);
		accel::Compressor deflate(queue, 9);
		accel::Decompressor inflate(queue);
		std::vector<std::byte> in(1 << 20), out(AFD_DEFLATE_BOUND(1 << 20));
		(void)deflate.compress(in, out);
		(void)!::write(ready[1], "x", 1);
		for (;;)
			(void)deflate.compress(in, out); // mid-stream when the signal lands
	}
	char c;
	BOOST_REQUIRE(::read(ready[0], &c, 1) == 1);
	BOOST_TEST(device_streams() == before + 2);
	::kill(child, SIGKILL);
	int status = 0;
	::waitpid(child, &status, 0);
	::close(ready[0]);
	::close(ready[1]);
	// The queue's file closes with the process; its engine may finish a
	// descriptor first.
	for (int i = 0; i < 500 && device_streams() != before; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	BOOST_TEST(device_streams() == before);
}

BOOST_AUTO_TEST_CASE(an_evicted_queue_takes_no_stream)
{
	StreamQueue q;
	afd_queue_admin admin{};
	admin.queue_id = q.id;
	admin.op = AFD_QUEUE_ADMIN_EVICT;
	BOOST_REQUIRE(guest::ioctl_errno(q.dev.fd, AFD_IOC_QUEUE_ADMIN, &admin) == 0);
	BOOST_TEST(q.create(q.args()) == ECANCELED);
}

BOOST_AUTO_TEST_CASE(a_queue_in_error_takes_no_stream_eio)
{
	guest::RawQueue q(8);
	*q.doorbell = *q.doorbell + 1000;
	BOOST_REQUIRE(q.reaches(AFD_QUEUE_STATE_ERROR));
	afd_stream_create args{};
	args.queue_id = q.id();
	args.op = AFD_OP_INFLATE;
	BOOST_TEST(guest::ioctl_errno(q.dev.fd, AFD_IOC_CREATE_STREAM, &args) == EIO);
}

BOOST_AUTO_TEST_CASE(the_mdev_creates_and_destroys_streams_through_its_registers)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto queue = accel::Queue::create(dev);
	const unsigned before = device_streams();
	const std::uint32_t id = queue.create_stream(AFD_OP_DEFLATE, 3);
	BOOST_TEST(id != 0u);
	BOOST_TEST(device_streams() == before + 1);
	BOOST_TEST(queue.destroy_stream(id) == 0);
	BOOST_TEST(queue.destroy_stream(id) == -ENOENT);
	BOOST_TEST(device_streams() == before);
	BOOST_CHECK_EXCEPTION((void)queue.create_stream(AFD_OP_DEFLATE, 0), accel::Error,
			      [](const accel::Error &e) { return e.code().value() == EINVAL; });
}

BOOST_AUTO_TEST_SUITE_END()

// What a review of the first version found; each of these failed on it.
BOOST_AUTO_TEST_SUITE(codec_review)

// A thousandfold expansion: counting what a stateless INFLATE needs stops
// past max_transfer, or a small input keeps the engine busy for minutes.
BOOST_AUTO_TEST_CASE(counting_the_room_an_inflate_needs_stops_past_max_transfer)
{
	guest::AttrOverride limit("max_transfer", "65536");
	Codec e(Path::ring);
	const auto packed = e.copy(zlib_raw_deflate(std::vector<std::byte>(1 << 20), 9));
	auto out = e.buffer(4096);
	const afd_completion c = e.run(accel::op::inflate(packed, out));
	BOOST_TEST(c.status == -ENOSPC);
	BOOST_TEST(c.result > 65536u);
	BOOST_TEST(c.result < std::uint64_t{1} << 20); // it did not count it all
}

// Ids are not handed out again at once: a descriptor still naming a
// destroyed stream must not run on a new one.
BOOST_DATA_TEST_CASE(a_new_stream_does_not_take_a_destroyed_ones_id, models, path)
{
	Codec e(path);
	const std::uint32_t old = e.stream(AFD_OP_INFLATE);
	BOOST_REQUIRE(e.queue.destroy_stream(old) == 0);
	const std::uint32_t fresh = e.stream(AFD_OP_INFLATE);
	BOOST_TEST(fresh != old);
	BOOST_TEST(e.run(accel::op::inflate({}, {}, {.stream = old})).status == -ENOENT);
}

// Output lost to a fault leaves the stream unusable, not silently broken.
BOOST_DATA_TEST_CASE(a_fault_writing_a_streams_output_fails_the_stream, models, path)
{
	Codec e(path);
	const auto packed = e.copy(zlib_raw_deflate(sample(Kind::text, 20000), 6));
	void *hole = ::mmap(nullptr, guest::page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	::munmap(hole, guest::page);
	const std::uint32_t id = e.stream(AFD_OP_INFLATE);
	const std::span<std::byte> gone(static_cast<std::byte *>(hole), 1000);
	BOOST_TEST(e.run(accel::op::inflate(packed, gone, {.stream = id})).status == -EFAULT);
	auto out = e.buffer(20000);
	BOOST_TEST(e.run(accel::op::inflate(packed, out, {.stream = id})).status == -EFAULT);
	BOOST_TEST(e.run(accel::op::inflate(packed, out, {.flags = AFD_DESC_F_FIRST, .stream = id})).status == 0);
}

// Room for exactly the output of a whole stream is room enough. (Not for
// a piece without LAST: zlib, given more room after a sync flush that
// filled its buffer, flushes again.)
BOOST_DATA_TEST_CASE(a_stateless_deflate_fits_a_buffer_of_exactly_its_size,
		     models * bdata::make({Kind::text, Kind::random}), path, kind)
{
	Codec e(path);
	const auto data = e.copy(sample(kind, 100000));
	const std::uint8_t flags = AFD_DESC_F_LAST;
	auto roomy = e.buffer(AFD_DEFLATE_BOUND(data.size()));
	const afd_completion first = e.run(accel::op::deflate(data, roomy, 6, {.flags = flags}));
	BOOST_REQUIRE(first.status == 0);
	auto exact = e.buffer(first.result);
	const afd_completion again = e.run(accel::op::deflate(data, exact, 6, {.flags = flags}));
	BOOST_TEST(again.status == 0);
	BOOST_TEST(again.result == first.result);
	BOOST_TEST(std::memcmp(exact.data(), roomy.data(), first.result) == 0);
}

// The bound the ABI names is a length the device accepts.
BOOST_DATA_TEST_CASE(a_deflate_of_max_transfer_takes_the_bound_as_its_room, models, path)
{
	guest::AttrOverride limit("max_transfer", "65536");
	Codec e(path);
	const auto data = e.copy(sample(Kind::random, 65536));
	auto out = e.buffer(AFD_DEFLATE_BOUND(data.size()));
	BOOST_TEST(e.run(accel::op::deflate(data, out, 1, {.flags = AFD_DESC_F_LAST})).status == 0);
}

// result never claims bytes past dst_len, except as -ENOSPC's size.
BOOST_DATA_TEST_CASE(a_truncated_stream_out_of_room_reports_only_what_it_wrote, models, path)
{
	Codec e(path);
	const auto packed = zlib_raw_deflate(sample(Kind::text, 50000), 6);
	const auto cut = e.copy(std::vector<std::byte>(packed.begin(), packed.begin() + packed.size() / 2));
	auto out = e.buffer(1000);
	const afd_completion c = e.run(accel::op::inflate(cut, out));
	BOOST_TEST(c.status == -ENODATA);
	BOOST_TEST(c.result <= out.size());
}

// After a finishing DEFLATE has consumed its input, more input is refused,
// not taken as success with nothing done (a caller resubmitting would spin).
BOOST_DATA_TEST_CASE(input_after_a_finish_has_begun_is_einval, models, path)
{
	Codec e(path);
	const auto data = e.copy(sample(Kind::random, 5000));
	auto out = e.buffer(100);
	const std::uint32_t id = e.stream(AFD_OP_DEFLATE, 6);
	const afd_completion begun = e.run(accel::op::deflate(data, out, 0, {.flags = AFD_DESC_F_LAST, .stream = id}));
	BOOST_REQUIRE(begun.status == 0);
	BOOST_REQUIRE(begun.bytes_done == data.size());
	BOOST_REQUIRE(!(begun.flags & AFD_COMP_F_STREAM_END));
	// Room for what was held back, then the input it should not get.
	auto room = e.buffer(AFD_DEFLATE_BOUND(data.size()));
	const afd_completion more = e.run(accel::op::deflate(data, room, 0, {.flags = AFD_DESC_F_LAST, .stream = id}));
	BOOST_TEST(more.status == -EINVAL);
	BOOST_TEST(more.bytes_done == 0u);
}

/// A queue on accel0 while its max_transfer is 64 KiB, for spans beyond it.
struct SmallTransfer {
	guest::AttrOverride limit{"max_transfer", "65536"};
	accel::Device dev = accel::Device::open(0);
	accel::Queue queue = accel::Queue::create(dev);
	SmallTransfer() { BOOST_REQUIRE(queue.max_transfer() == 65536u); }
};

// The streaming API takes spans beyond max_transfer in pieces, as zlib
// takes any length; the finish waits for the last piece. (They were
// handed to the kernel whole: E2BIG.)
BOOST_FIXTURE_TEST_CASE(compressor_and_decompressor_take_spans_beyond_max_transfer, SmallTransfer)
{
	const auto data = sample(Kind::text, 300000);

	std::vector<std::byte> packed(AFD_DEFLATE_BOUND(data.size()));
	std::size_t in = 0, out = 0;
	accel::Compressor deflate(queue, 6);
	for (bool end = false; !end;) {
		BOOST_REQUIRE(out < packed.size());
		const auto r = deflate.compress(std::span(data).subspan(in), std::span(packed).subspan(out),
						accel::Flush::finish);
		in += r.consumed;
		out += r.produced;
		end = r.stream_end;
	}
	BOOST_TEST(in == data.size());
	packed.resize(out);
	BOOST_TEST((zlib_raw_inflate(packed, data.size()) == data));

	std::vector<std::byte> unpacked(data.size());
	accel::Decompressor inflate(queue);
	in = out = 0;
	for (bool end = false; !end;) {
		BOOST_REQUIRE(out < unpacked.size());
		const auto r = inflate.decompress(std::span(packed).subspan(in), std::span(unpacked).subspan(out),
						  /*last_input=*/true);
		in += r.consumed;
		out += r.produced;
		end = r.stream_end;
	}
	BOOST_TEST(in == packed.size());
	BOOST_TEST((unpacked == data));
}

// One call does what zlib's would, whatever max_transfer: with room for
// all of it, the finish ends the stream and the decompression fills its
// output; with less, the output is filled, not cut at a piece. (Each call
// stopped after one descriptor of max_transfer bytes, with output waiting
// and room left.)
BOOST_FIXTURE_TEST_CASE(one_call_over_pieces_fills_its_output, SmallTransfer)
{
	const auto data = sample(Kind::text, 300000);

	std::vector<std::byte> packed(AFD_DEFLATE_BOUND(data.size()));
	accel::Compressor deflate(queue, 6);
	const auto packing = deflate.compress(data, packed, accel::Flush::finish);
	BOOST_TEST(packing.consumed == data.size());
	BOOST_TEST(packing.stream_end);
	packed.resize(packing.produced);
	BOOST_TEST((zlib_raw_inflate(packed, data.size()) == data));

	std::vector<std::byte> unpacked(data.size());
	accel::Decompressor whole(queue);
	const auto unpacking = whole.decompress(packed, unpacked, /*last_input=*/true);
	BOOST_TEST(unpacking.consumed == packed.size());
	BOOST_TEST(unpacking.produced == data.size());
	BOOST_TEST(unpacking.stream_end);
	BOOST_TEST((unpacked == data));

	std::vector<std::byte> part(100000);
	accel::Decompressor partial(queue);
	const auto first = partial.decompress(packed, part, /*last_input=*/true);
	BOOST_TEST(first.produced == part.size());
	BOOST_TEST(!first.stream_end);
	BOOST_TEST(std::equal(part.begin(), part.end(), data.begin()));
}

// A sync flush over pieces: everything consumed is out, byte-aligned, when
// the call returns with room left.
BOOST_FIXTURE_TEST_CASE(a_sync_flush_over_pieces_leaves_nothing_waiting, SmallTransfer)
{
	const auto data = sample(Kind::binary, 200000);

	std::vector<std::byte> packed(AFD_DEFLATE_BOUND(data.size()));
	accel::Compressor deflate(queue, 6);
	const auto r = deflate.compress(data, packed, accel::Flush::sync);
	BOOST_TEST(r.consumed == data.size());
	BOOST_TEST(!r.stream_end);
	BOOST_REQUIRE(r.produced < packed.size());
	bool end = true;
	BOOST_TEST((zlib_raw_inflate(std::span(packed).first(r.produced), data.size(), &end) == data));
	BOOST_TEST(!end);
}

BOOST_AUTO_TEST_CASE(a_vfio_reset_forgets_the_mdevs_streams)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto queue = accel::Queue::create(dev);
	const unsigned before = device_streams();
	const std::uint32_t id = queue.create_stream(AFD_OP_DEFLATE, 6);
	BOOST_REQUIRE(::ioctl(dev.fd(), VFIO_DEVICE_RESET) == 0);
	BOOST_TEST(device_streams() == before);
	BOOST_TEST(queue.destroy_stream(id) == -ENOENT);
}

BOOST_AUTO_TEST_SUITE_END()
