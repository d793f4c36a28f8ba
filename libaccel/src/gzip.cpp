// SPDX-License-Identifier: MIT
// The gzip and zlib framings. zlib (the library) is linked for its
// checksum routines only; compression is the engine's.
#include "accel/gzip.hpp"

#include <cstdio>
#include <limits>
#include <stdexcept>
#include <zlib.h>

namespace accel {
namespace {

// zlib's checksum calls take at most a uInt of length at once.
constexpr std::size_t max_zlib_chunk = std::numeric_limits<uInt>::max();

const Bytef *bytes_of(std::span<const std::byte> data) noexcept
{
	return reinterpret_cast<const Bytef *>(data.data());
}

/// Runs zlib's @p update (crc32 or adler32) over @p data, a uInt at a time.
template <typename Update>
std::uint32_t checksum_in_chunks(Update update, std::span<const std::byte> data,
				 std::uint32_t seed) noexcept
{
	uLong sum = seed;
	while (!data.empty()) {
		const std::size_t n = std::min(data.size(), max_zlib_chunk);
		sum = update(sum, bytes_of(data), static_cast<uInt>(n));
		data = data.subspan(n);
	}
	return static_cast<std::uint32_t>(sum);
}

std::uint8_t u8(std::byte b) noexcept
{
	return std::to_integer<std::uint8_t>(b);
}

std::uint32_t load_le32(std::span<const std::byte> p) noexcept
{
	return std::uint32_t{u8(p[0])} | std::uint32_t{u8(p[1])} << 8 | std::uint32_t{u8(p[2])} << 16 |
	       std::uint32_t{u8(p[3])} << 24;
}

std::uint32_t load_be32(std::span<const std::byte> p) noexcept
{
	return std::uint32_t{u8(p[0])} << 24 | std::uint32_t{u8(p[1])} << 16 | std::uint32_t{u8(p[2])} << 8 |
	       std::uint32_t{u8(p[3])};
}

void store_le32(std::byte *p, std::uint32_t v) noexcept
{
	for (int i = 0; i < 4; i++)
		p[i] = std::byte(v >> (8 * i));
}

void store_be32(std::byte *p, std::uint32_t v) noexcept
{
	for (int i = 0; i < 4; i++)
		p[i] = std::byte(v >> (24 - 8 * i));
}

std::string hex(unsigned value, int digits)
{
	char buf[16];
	std::snprintf(buf, sizeof buf, "0x%0*x", digits, value);
	return buf;
}

void append_string(std::vector<std::byte> &out, const std::string &s, const char *field)
{
	if (s.find('\0') != std::string::npos)
		throw std::invalid_argument(std::string("accel::gzip::encode_header: the ") + field +
					    " holds a NUL byte, which would end it early");
	for (char c : s)
		out.push_back(std::byte(static_cast<unsigned char>(c)));
	out.push_back(std::byte{0});
}

gzip::HeaderParse invalid(gzip::HeaderError error, std::size_t offset, std::string message)
{
	gzip::HeaderParse p;
	p.status = ParseStatus::invalid;
	p.error = error;
	p.error_offset = offset;
	p.message = std::move(message);
	return p;
}

/// The NUL-terminated string at @p pos of @p in, and where it ends (past
/// the NUL); nullopt if the NUL is not within @p in.
std::optional<std::pair<std::string, std::size_t>> c_string(std::span<const std::byte> in, std::size_t pos)
{
	for (std::size_t end = pos; end < in.size(); end++) {
		if (in[end] == std::byte{0}) {
			std::string s(reinterpret_cast<const char *>(in.data() + pos), end - pos);
			return std::pair{std::move(s), end + 1};
		}
	}
	return std::nullopt;
}

} // namespace

namespace gzip {

std::vector<std::byte> encode_header(const Header &header)
{
	std::vector<std::byte> out;
	out.reserve(fixed_header_size + (header.name ? header.name->size() + 1 : 0));
	std::uint8_t flags = 0;
	if (header.text)
		flags |= flag::text;
	if (header.header_crc)
		flags |= flag::hcrc;
	if (header.extra)
		flags |= flag::extra;
	if (header.name)
		flags |= flag::name;
	if (header.comment)
		flags |= flag::comment;

	out.resize(fixed_header_size);
	out[0] = id1;
	out[1] = id2;
	out[2] = std::byte{method_deflate};
	out[3] = std::byte{flags};
	store_le32(&out[4], header.mtime);
	out[8] = std::byte{header.extra_flags};
	out[9] = std::byte{header.os};
	if (header.extra) {
		const std::size_t n = header.extra->size();
		if (n > 0xffff)
			throw std::invalid_argument("accel::gzip::encode_header: the extra field has " +
						    std::to_string(n) + " bytes; XLEN holds at most 65535");
		out.push_back(std::byte(n & 0xff));
		out.push_back(std::byte(n >> 8));
		out.insert(out.end(), header.extra->begin(), header.extra->end());
	}
	if (header.name)
		append_string(out, *header.name, "name");
	if (header.comment)
		append_string(out, *header.comment, "comment");
	if (header.header_crc) {
		const std::uint32_t crc = crc32(out);
		out.push_back(std::byte(crc & 0xff));
		out.push_back(std::byte((crc >> 8) & 0xff));
	}
	return out;
}

HeaderParse parse_header(std::span<const std::byte> in)
{
	HeaderParse need_more; // status need_more by default
	if (in.empty())
		return need_more;
	if (in[0] != id1)
		return invalid(HeaderError::not_gzip, 0, "not in gzip format");
	if (in.size() < 2)
		return need_more;
	if (in[1] != id2)
		return invalid(HeaderError::not_gzip, 1, "not in gzip format");
	if (in.size() < 3)
		return need_more;
	if (const unsigned method = u8(in[2]); method != method_deflate)
		return invalid(HeaderError::unknown_method, 2,
			       "unknown compression method " + std::to_string(method) +
				       " (gzip defines only 8, deflate)");
	if (in.size() < 4)
		return need_more;
	const std::uint8_t flags = u8(in[3]);
	if (flags & flag::reserved)
		return invalid(HeaderError::reserved_flags, 3,
			       "reserved header flags " + hex(flags & flag::reserved, 2) +
				       " set (a format this program does not know)");
	if (in.size() < fixed_header_size)
		return need_more;

	Header h;
	h.mtime = load_le32(in.subspan(4, 4));
	h.extra_flags = u8(in[8]);
	h.os = u8(in[9]);
	h.text = flags & flag::text;
	h.header_crc = flags & flag::hcrc;
	std::size_t pos = fixed_header_size;

	if (flags & flag::extra) {
		if (in.size() < pos + 2)
			return need_more;
		const std::size_t xlen = u8(in[pos]) | std::size_t{u8(in[pos + 1])} << 8;
		pos += 2;
		if (in.size() < pos + xlen)
			return need_more;
		h.extra.emplace(in.begin() + pos, in.begin() + pos + xlen);
		pos += xlen;
	}
	if (flags & flag::name) {
		auto s = c_string(in, pos);
		if (!s)
			return need_more;
		h.name = std::move(s->first);
		pos = s->second;
	}
	if (flags & flag::comment) {
		auto s = c_string(in, pos);
		if (!s)
			return need_more;
		h.comment = std::move(s->first);
		pos = s->second;
	}
	if (flags & flag::hcrc) {
		if (in.size() < pos + 2)
			return need_more;
		const unsigned stored = u8(in[pos]) | unsigned{u8(in[pos + 1])} << 8;
		const unsigned computed = crc32(in.first(pos)) & 0xffff;
		if (stored != computed)
			return invalid(HeaderError::header_crc, pos,
				       "header CRC mismatch: stored " + hex(stored, 4) + ", computed " +
					       hex(computed, 4));
		pos += 2;
	}

	HeaderParse done;
	done.status = ParseStatus::complete;
	done.header = std::move(h);
	done.size = pos;
	return done;
}

std::array<std::byte, trailer_size> encode_trailer(const Trailer &trailer) noexcept
{
	std::array<std::byte, trailer_size> out;
	store_le32(&out[0], trailer.crc32);
	store_le32(&out[4], trailer.size);
	return out;
}

Trailer parse_trailer(std::span<const std::byte, trailer_size> in) noexcept
{
	return {.crc32 = load_le32(in.first(4)), .size = load_le32(in.subspan(4, 4))};
}

std::uint32_t crc32(std::span<const std::byte> data, std::uint32_t seed) noexcept
{
	return checksum_in_chunks(::crc32, data, seed);
}

std::uint32_t crc32_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b) noexcept
{
	return static_cast<std::uint32_t>(::crc32_combine64(crc_a, crc_b, static_cast<z_off64_t>(length_b)));
}

} // namespace gzip

namespace zlib_format {
namespace {

// zlib's FLEVEL: 0 for level 1, 1 up to 5, 2 for the default 6, 3 above.
unsigned flevel_of(unsigned level) noexcept
{
	return level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
}

constexpr std::uint8_t cm_deflate = 8;
constexpr std::uint8_t fdict = 0x20;

} // namespace

std::array<std::byte, header_size> encode_header(unsigned level) noexcept
{
	const unsigned cmf = 7u << 4 | cm_deflate; // CINFO 7: a 32 KiB window
	unsigned flg = flevel_of(level) << 6;
	if (const unsigned rest = (cmf << 8 | flg) % 31; rest != 0)
		flg += 31 - rest; // FCHECK, the low five bits
	return {std::byte(cmf), std::byte(flg)};
}

HeaderParse parse_header(std::span<const std::byte> in)
{
	HeaderParse p;
	auto fail = [&p](std::size_t offset, std::string message) {
		p.status = ParseStatus::invalid;
		p.error_offset = offset;
		p.message = std::move(message);
		return p;
	};
	if (in.empty())
		return p;
	const unsigned cmf = u8(in[0]);
	if ((cmf & 0x0f) != cm_deflate)
		return fail(0, "not a zlib stream: compression method " + std::to_string(cmf & 0x0f) +
				       " (only 8, deflate, is defined)");
	if ((cmf >> 4) > 7)
		return fail(0, "not a zlib stream: window of 2^" + std::to_string((cmf >> 4) + 8) +
				       " bytes (at most 2^15)");
	if (in.size() < 2)
		return p;
	const unsigned flg = u8(in[1]);
	if ((cmf << 8 | flg) % 31 != 0)
		return fail(1, "not a zlib stream: header check bits wrong");
	std::size_t size = header_size;
	if (flg & fdict) {
		if (in.size() < header_size + 4)
			return p;
		p.dictionary_id = load_be32(in.subspan(2, 4));
		size += 4;
	}
	p.status = ParseStatus::complete;
	p.window_bits = (cmf >> 4) + 8;
	p.flevel = flg >> 6;
	p.size = size;
	return p;
}

std::array<std::byte, trailer_size> encode_trailer(std::uint32_t adler) noexcept
{
	std::array<std::byte, trailer_size> out;
	store_be32(out.data(), adler);
	return out;
}

std::uint32_t parse_trailer(std::span<const std::byte, trailer_size> in) noexcept
{
	return load_be32(in);
}

std::uint32_t adler32(std::span<const std::byte> data, std::uint32_t seed) noexcept
{
	return checksum_in_chunks(::adler32, data, seed);
}

std::uint32_t adler32_combine(std::uint32_t adler_a, std::uint32_t adler_b, std::uint64_t length_b) noexcept
{
	return static_cast<std::uint32_t>(
		::adler32_combine64(adler_a, adler_b, static_cast<z_off64_t>(length_b)));
}

} // namespace zlib_format
} // namespace accel
