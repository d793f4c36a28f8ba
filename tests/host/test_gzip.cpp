// SPDX-License-Identifier: MIT
// The gzip and zlib framings (accel/gzip.hpp): headers and trailers
// against bytes other programs wrote, every prefix of a header, every
// rule a header can break, and the checksum helpers.
#include <cstdint>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "accel/gzip.hpp"

namespace gz = accel::gzip;
namespace zf = accel::zlib_format;

namespace {

/// ParseStatus as a number, which Boost.Test can print.
int as_int(accel::ParseStatus s)
{
	return static_cast<int>(s);
}

constexpr int complete = static_cast<int>(accel::ParseStatus::complete);
constexpr int need_more = static_cast<int>(accel::ParseStatus::need_more);
constexpr int invalid = static_cast<int>(accel::ParseStatus::invalid);

std::vector<std::byte> bytes(std::initializer_list<unsigned> values)
{
	std::vector<std::byte> out;
	for (unsigned v : values)
		out.push_back(std::byte(v));
	return out;
}

std::vector<std::byte> bytes(const std::string &s)
{
	std::vector<std::byte> out;
	for (char c : s)
		out.push_back(std::byte(static_cast<unsigned char>(c)));
	return out;
}

// The file "hello.txt" holding "hello, accelfd\n" with mtime 1700000000,
// compressed by GNU gzip 1.12 with `gzip -N -9 -c hello.txt`,
// `gzip -N -1 -c` and `gzip -n -c`: the header, the deflate data, then
// the trailer (CRC-32 0x5af4e1e8, length 15).
const std::vector<std::byte> gzip_best_with_name = bytes({
	0x1f, 0x8b, 0x08, 0x08, 0x00, 0xf1, 0x53, 0x65, 0x02, 0x03, 0x68, 0x65,
	0x6c, 0x6c, 0x6f, 0x2e, 0x74, 0x78, 0x74, 0x00, 0xcb, 0x48, 0xcd, 0xc9,
	0xc9, 0xd7, 0x51, 0x48, 0x4c, 0x4e, 0x4e, 0xcd, 0x49, 0x4b, 0xe1, 0x02,
	0x00, 0xe8, 0xe1, 0xf4, 0x5a, 0x0f, 0x00, 0x00, 0x00,
});
const std::vector<std::byte> gzip_fast_header = bytes({
	0x1f, 0x8b, 0x08, 0x08, 0x00, 0xf1, 0x53, 0x65, 0x04, 0x03, 0x68, 0x65,
	0x6c, 0x6c, 0x6f, 0x2e, 0x74, 0x78, 0x74, 0x00,
});
const std::vector<std::byte> gzip_no_name = bytes({
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48,
	0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x48, 0x4c, 0x4e, 0x4e, 0xcd, 0x49, 0x4b,
	0xe1, 0x02, 0x00, 0xe8, 0xe1, 0xf4, 0x5a, 0x0f, 0x00, 0x00, 0x00,
});
// gzip writes neither FEXTRA, FCOMMENT nor FHCRC; this header has all
// five flags, assembled byte by byte from RFC 1952 with the FHCRC (0x1c58)
// computed by Python's zlib.crc32 over the 29 bytes before it: FTEXT,
// mtime 1700000000, XFL 0, OS 3, an extra field with one subfield "AP" of
// two bytes "hi", the name "a.txt" and the comment "note".
const std::vector<std::byte> every_flag_header = bytes({
	0x1f, 0x8b, 0x08, 0x1f, 0x00, 0xf1, 0x53, 0x65, 0x00, 0x03, 0x06, 0x00,
	0x41, 0x50, 0x02, 0x00, 0x68, 0x69, 0x61, 0x2e, 0x74, 0x78, 0x74, 0x00,
	0x6e, 0x6f, 0x74, 0x65, 0x00, 0x58, 0x1c,
});

constexpr std::uint32_t hello_crc = 0x5af4e1e8;

gz::Header every_flag_fields()
{
	gz::Header h;
	h.mtime = 1700000000;
	h.text = true;
	h.header_crc = true;
	h.extra = bytes({'A', 'P', 2, 0, 'h', 'i'});
	h.name = "a.txt";
	h.comment = "note";
	return h;
}

} // namespace

BOOST_AUTO_TEST_SUITE(gzip_framing)

BOOST_AUTO_TEST_CASE(parses_what_gzip_writes)
{
	auto p = gz::parse_header(gzip_best_with_name);
	BOOST_TEST_REQUIRE(as_int(p.status) == complete);
	BOOST_TEST(p.size == 20u);
	BOOST_TEST(p.header.mtime == 1700000000u);
	BOOST_TEST(p.header.extra_flags == gz::xfl_slowest);
	BOOST_TEST(p.header.os == gz::os_unix);
	BOOST_TEST(p.header.name.value_or("") == "hello.txt");
	BOOST_TEST(!p.header.comment);
	BOOST_TEST(!p.header.extra);
	BOOST_TEST(!p.header.text);
	BOOST_TEST(!p.header.header_crc);

	auto t = gz::parse_trailer(std::span(gzip_best_with_name).last<gz::trailer_size>());
	BOOST_TEST(t.crc32 == hello_crc);
	BOOST_TEST(t.size == 15u);

	auto fast = gz::parse_header(gzip_fast_header);
	BOOST_TEST(fast.header.extra_flags == gz::xfl_fastest);

	auto bare = gz::parse_header(gzip_no_name);
	BOOST_TEST_REQUIRE(as_int(bare.status) == complete);
	BOOST_TEST(bare.size == gz::fixed_header_size);
	BOOST_TEST(bare.header.mtime == 0u);
	BOOST_TEST(!bare.header.name);
}

BOOST_AUTO_TEST_CASE(encodes_the_header_gzip_writes)
{
	gz::Header h;
	h.mtime = 1700000000;
	h.extra_flags = gz::extra_flags_for_level(9);
	h.name = "hello.txt";
	const auto encoded = gz::encode_header(h);
	const std::vector<std::byte> expected(gzip_best_with_name.begin(), gzip_best_with_name.begin() + 20);
	BOOST_TEST(encoded == expected);

	h.extra_flags = gz::extra_flags_for_level(1);
	BOOST_TEST(gz::encode_header(h) == gzip_fast_header);

	const std::vector<std::byte> bare(gzip_no_name.begin(), gzip_no_name.begin() + 10);
	BOOST_TEST(gz::encode_header(gz::Header{}) == bare);
}

BOOST_AUTO_TEST_CASE(extra_flags_follow_gzip)
{
	BOOST_TEST(gz::extra_flags_for_level(1) == 4);
	for (unsigned level = 2; level <= 8; level++)
		BOOST_TEST(gz::extra_flags_for_level(level) == 0);
	BOOST_TEST(gz::extra_flags_for_level(9) == 2);
}

BOOST_AUTO_TEST_CASE(every_flag_parses_and_encodes_to_the_same_bytes)
{
	auto p = gz::parse_header(every_flag_header);
	BOOST_TEST_REQUIRE(as_int(p.status) == complete);
	BOOST_TEST(p.size == every_flag_header.size());
	BOOST_TEST((p.header == every_flag_fields()));
	BOOST_TEST(gz::encode_header(every_flag_fields()) == every_flag_header);
}

BOOST_AUTO_TEST_CASE(every_prefix_needs_more_bytes)
{
	for (const auto *header : {&every_flag_header, &gzip_fast_header}) {
		for (std::size_t n = 0; n < header->size(); n++) {
			auto p = gz::parse_header(std::span(*header).first(n));
			BOOST_TEST(as_int(p.status) == need_more,
				   "prefix of " << n << " bytes");
		}
	}
	// Bytes after the header are not its business.
	auto whole = gz::parse_header(gzip_best_with_name);
	BOOST_TEST(whole.size == 20u);
}

BOOST_AUTO_TEST_CASE(all_flag_combinations_round_trip)
{
	for (unsigned mask = 0; mask < 32; mask++) {
		gz::Header h;
		h.mtime = 0x01020304u * mask;
		h.extra_flags = static_cast<std::uint8_t>(mask);
		h.os = static_cast<std::uint8_t>(255 - mask);
		h.text = mask & gz::flag::text;
		h.header_crc = mask & gz::flag::hcrc;
		if (mask & gz::flag::extra)
			h.extra = std::vector<std::byte>(mask * 7, std::byte{0xee});
		if (mask & gz::flag::name)
			h.name = "name \xe9" + std::to_string(mask); // ISO 8859-1, not UTF-8
		if (mask & gz::flag::comment)
			h.comment = std::string(mask, 'c');
		const auto encoded = gz::encode_header(h);
		BOOST_TEST(std::to_integer<unsigned>(encoded[3]) == mask);
		auto p = gz::parse_header(encoded);
		BOOST_TEST_REQUIRE(as_int(p.status) == complete);
		BOOST_TEST(p.size == encoded.size());
		BOOST_TEST((p.header == h), "flags " << mask);
	}
}

BOOST_AUTO_TEST_CASE(empty_extra_name_and_comment_are_kept_apart_from_absent_ones)
{
	gz::Header h;
	h.extra = std::vector<std::byte>{};
	h.name = "";
	h.comment = "";
	auto p = gz::parse_header(gz::encode_header(h));
	BOOST_TEST((p.header == h));
	BOOST_TEST(p.size == gz::fixed_header_size + 2 + 1 + 1);
}

BOOST_AUTO_TEST_CASE(invalid_headers_name_the_rule_and_the_byte)
{
	struct Case {
		std::vector<std::byte> in;
		gz::HeaderError error;
		std::size_t offset;
		const char *words;
	};
	const Case cases[] = {
		{bytes({'x'}), gz::HeaderError::not_gzip, 0, "not in gzip format"},
		{bytes({0x1f, 0x9d}), gz::HeaderError::not_gzip, 1, "not in gzip format"},
		{bytes({0x1f, 0x8b, 0x09}), gz::HeaderError::unknown_method, 2, "method 9"},
		{bytes({0x1f, 0x8b, 0x08, 0x20}), gz::HeaderError::reserved_flags, 3, "0x20"},
		{bytes({0x1f, 0x8b, 0x08, 0x48}), gz::HeaderError::reserved_flags, 3, "0x40"},
		{bytes({0x1f, 0x8b, 0x08, 0x80}), gz::HeaderError::reserved_flags, 3, "0x80"},
	};
	for (const Case &c : cases) {
		auto p = gz::parse_header(c.in);
		BOOST_TEST_REQUIRE(as_int(p.status) == invalid);
		BOOST_TEST(static_cast<int>(p.error) == static_cast<int>(c.error));
		BOOST_TEST(p.error_offset == c.offset);
		BOOST_TEST(p.message.find(c.words) != std::string::npos, p.message);
	}

	auto bad_crc = every_flag_header;
	bad_crc.back() ^= std::byte{0x01};
	auto p = gz::parse_header(bad_crc);
	BOOST_TEST_REQUIRE(as_int(p.status) == invalid);
	BOOST_TEST(static_cast<int>(p.error) == static_cast<int>(gz::HeaderError::header_crc));
	BOOST_TEST(p.error_offset == every_flag_header.size() - 2);
	BOOST_TEST(p.message == "header CRC mismatch: stored 0x1d58, computed 0x1c58");

	// A changed name with the old FHCRC is caught too.
	auto renamed = every_flag_header;
	renamed[18] = std::byte{'b'};
	BOOST_TEST(as_int(gz::parse_header(renamed).status) == invalid);
}

BOOST_AUTO_TEST_CASE(unstorable_headers_are_refused)
{
	gz::Header h;
	h.name = std::string("a\0b", 3);
	BOOST_CHECK_THROW((void)gz::encode_header(h), std::invalid_argument);
	h.name.reset();
	h.comment = std::string(1, '\0');
	BOOST_CHECK_THROW((void)gz::encode_header(h), std::invalid_argument);
	h.comment.reset();
	h.extra = std::vector<std::byte>(65536);
	BOOST_CHECK_THROW((void)gz::encode_header(h), std::invalid_argument);
	h.extra->resize(65535);
	BOOST_TEST(gz::encode_header(h).size() == gz::fixed_header_size + 2 + 65535);
}

BOOST_AUTO_TEST_CASE(trailer_is_little_endian_and_isize_wraps)
{
	const gz::Trailer t{.crc32 = 0x11223344, .size = 0xaabbccdd};
	const auto encoded = gz::encode_trailer(t);
	BOOST_TEST((std::vector<std::byte>(encoded.begin(), encoded.end()) ==
		    bytes({0x44, 0x33, 0x22, 0x11, 0xdd, 0xcc, 0xbb, 0xaa})));
	BOOST_TEST((gz::parse_trailer(encoded) == t));
	BOOST_TEST(gz::isize(0) == 0u);
	BOOST_TEST(gz::isize((std::uint64_t{1} << 32) + 5) == 5u);
	BOOST_TEST(gz::isize(0xffffffffu) == 0xffffffffu);
}

BOOST_AUTO_TEST_CASE(crc32_matches_gzip_and_continues_from_a_seed)
{
	const auto hello = bytes(std::string("hello, accelfd\n"));
	BOOST_TEST(gz::crc32(hello) == hello_crc);
	BOOST_TEST(gz::crc32({}) == 0u);
	const auto head = std::span(hello).first(6), tail = std::span(hello).subspan(6);
	BOOST_TEST(gz::crc32(tail, gz::crc32(head)) == hello_crc);
	// The standard check value of CRC-32/ISO-HDLC.
	BOOST_TEST(gz::crc32(bytes(std::string("123456789"))) == 0xcbf43926u);
}

BOOST_AUTO_TEST_CASE(crc32_combine_joins_blocks_at_any_split)
{
	std::vector<std::byte> data(3000);
	for (std::size_t i = 0; i < data.size(); i++)
		data[i] = std::byte((i * 131 + 7) & 0xff);
	const std::uint32_t whole = gz::crc32(data);
	for (std::size_t split : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{2999},
				  data.size()}) {
		auto a = std::span(data).first(split), b = std::span(data).subspan(split);
		BOOST_TEST(gz::crc32_combine(gz::crc32(a), gz::crc32(b), b.size()) == whole,
			   "split at " << split);
	}
	// Three blocks, as the compressor joins them, in order.
	std::uint32_t running = 0;
	for (std::size_t at = 0; at < data.size(); at += 1024) {
		auto block = std::span(data).subspan(at, std::min<std::size_t>(1024, data.size() - at));
		running = gz::crc32_combine(running, gz::crc32(block), block.size());
	}
	BOOST_TEST(running == whole);
}

BOOST_AUTO_TEST_CASE(crc32_combine_takes_lengths_beyond_4_gib)
{
	// Appending n zero bytes is a multiplication whose order is odd, so a
	// length cut to 32 bits would give another CRC.
	const std::uint32_t a = 0x12345678;
	const std::uint64_t half = (std::uint64_t{1} << 31) + 4;
	const std::uint32_t in_one = gz::crc32_combine(a, 0, 2 * half);
	const std::uint32_t in_two = gz::crc32_combine(gz::crc32_combine(a, 0, half), 0, half);
	BOOST_TEST(in_one == in_two);
	BOOST_TEST(in_one != gz::crc32_combine(a, 0, 8));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(zlib_framing)

BOOST_AUTO_TEST_CASE(header_per_level_is_zlibs)
{
	// What zlib's compress2() writes at levels 1, 2 to 5, 6 and 7 to 9
	// (checked with Python's zlib.compress(b"", level)[:2]).
	auto is = [](unsigned level, unsigned b0, unsigned b1) {
		const auto h = zf::encode_header(level);
		return std::to_integer<unsigned>(h[0]) == b0 && std::to_integer<unsigned>(h[1]) == b1;
	};
	BOOST_TEST(is(1, 0x78, 0x01));
	BOOST_TEST(is(3, 0x78, 0x5e));
	BOOST_TEST(is(6, 0x78, 0x9c));
	BOOST_TEST(is(9, 0x78, 0xda));
	for (unsigned level = 1; level <= 9; level++) {
		auto p = zf::parse_header(zf::encode_header(level));
		BOOST_TEST_REQUIRE(as_int(p.status) == complete);
		BOOST_TEST(p.size == 2u);
		BOOST_TEST(p.window_bits == 15u);
		BOOST_TEST(!p.dictionary_id);
	}
}

BOOST_AUTO_TEST_CASE(header_errors_and_preset_dictionary)
{
	auto status = [](std::vector<std::byte> in) { return as_int(zf::parse_header(in).status); };
	BOOST_TEST(status({}) == need_more);
	BOOST_TEST(status(bytes({0x78})) == need_more);
	BOOST_TEST(status(bytes({0x79})) == invalid);	    // CM 9
	BOOST_TEST(status(bytes({0x88})) == invalid);	    // CINFO 8: a 64 KiB window
	BOOST_TEST(status(bytes({0x78, 0x9d})) == invalid); // FCHECK
	BOOST_TEST(zf::parse_header(bytes({0x78, 0x9d})).error_offset == 1u);

	// 0x78 0xbb: FLEVEL 2 with FDICT, then DICTID big-endian.
	BOOST_TEST(status(bytes({0x78, 0xbb, 0x01, 0x02, 0x03})) == need_more);
	auto p = zf::parse_header(bytes({0x78, 0xbb, 0x01, 0x02, 0x03, 0x04}));
	BOOST_TEST_REQUIRE(as_int(p.status) == complete);
	BOOST_TEST(p.size == 6u);
	BOOST_TEST(p.dictionary_id.value_or(0) == 0x01020304u);
}

BOOST_AUTO_TEST_CASE(adler32_trailer_and_combine)
{
	const auto wiki = bytes(std::string("Wikipedia"));
	BOOST_TEST(zf::adler32(wiki) == 0x11e60398u);
	BOOST_TEST(zf::adler32({}) == 1u);
	const auto a = std::span(wiki).first(4), b = std::span(wiki).subspan(4);
	BOOST_TEST(zf::adler32_combine(zf::adler32(a), zf::adler32(b), b.size()) == 0x11e60398u);
	const auto t = zf::encode_trailer(0x11e60398u);
	BOOST_TEST((std::vector<std::byte>(t.begin(), t.end()) == bytes({0x11, 0xe6, 0x03, 0x98})));
	BOOST_TEST(zf::parse_trailer(t) == 0x11e60398u);
}

BOOST_AUTO_TEST_SUITE_END()
