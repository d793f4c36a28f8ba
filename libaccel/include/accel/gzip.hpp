// SPDX-License-Identifier: MIT
// The gzip (RFC 1952) and zlib (RFC 1950) framings around raw DEFLATE.
//
// Pure logic: no device, no I/O. The engine compresses and decompresses
// (accel/compress.hpp) and computes the CRC-32 of the data as it passes;
// what is left for the CPU is a few bytes of header and trailer, the CRC
// of a header, and combining the CRCs of blocks compressed in parallel.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace accel {

/// What a parser found in the bytes it was given.
enum class ParseStatus {
	complete,  ///< a whole header (or trailer) was read
	need_more, ///< valid so far, but it goes on past the bytes given
	invalid,   ///< not a valid header; see the error
};

namespace gzip {

inline constexpr std::byte id1{0x1f}, id2{0x8b};
inline constexpr std::uint8_t method_deflate = 8;
/// OS byte of a member written on Unix, as gzip writes it.
inline constexpr std::uint8_t os_unix = 3;
/// ID1 ID2 CM FLG MTIME(4) XFL OS: every header starts so.
inline constexpr std::size_t fixed_header_size = 10;
/// CRC-32 and ISIZE, little-endian.
inline constexpr std::size_t trailer_size = 8;

/// FLG bits.
namespace flag {
inline constexpr std::uint8_t text = 0x01;    ///< FTEXT
inline constexpr std::uint8_t hcrc = 0x02;    ///< FHCRC
inline constexpr std::uint8_t extra = 0x04;   ///< FEXTRA
inline constexpr std::uint8_t name = 0x08;    ///< FNAME
inline constexpr std::uint8_t comment = 0x10; ///< FCOMMENT
inline constexpr std::uint8_t reserved = 0xe0;
} // namespace flag

/// XFL values.
inline constexpr std::uint8_t xfl_slowest = 2; ///< "maximum compression": level 9
inline constexpr std::uint8_t xfl_fastest = 4; ///< level 1

/// A member header's fields. Strings hold the stored bytes (ISO 8859-1
/// by the RFC; on Unix whatever bytes the file name had), without the
/// terminating NUL.
struct Header {
	std::uint32_t mtime = 0;	///< seconds since the epoch; 0: none stored
	std::uint8_t extra_flags = 0;	///< XFL
	std::uint8_t os = os_unix;	///< OS
	bool text = false;		///< FTEXT: the data is probably text
	bool header_crc = false;	///< FHCRC: a CRC-16 of the header ends it
	std::optional<std::vector<std::byte>> extra; ///< FEXTRA's data, at most 65535 bytes
	std::optional<std::string> name;	     ///< FNAME: the original file name
	std::optional<std::string> comment;	     ///< FCOMMENT

	bool operator==(const Header &) const = default;
};

/// XFL as gzip sets it for a compression level: 2 for 9, 4 for 1, else 0.
[[nodiscard]] constexpr std::uint8_t extra_flags_for_level(unsigned level) noexcept
{
	return level >= 9 ? xfl_slowest : level == 1 ? xfl_fastest : 0;
}

/// The bytes of @p header, method deflate. Throws std::invalid_argument
/// for a name or comment holding a NUL byte, or an extra field longer
/// than 65535 bytes: neither can be stored.
[[nodiscard]] std::vector<std::byte> encode_header(const Header &header);

/// Why a header is invalid.
enum class HeaderError {
	none,
	not_gzip,	///< ID1 ID2 are not 0x1f 0x8b
	unknown_method, ///< CM is not 8 (deflate)
	reserved_flags, ///< FLG has a reserved bit set
	header_crc,	///< FHCRC does not match the header
};

struct HeaderParse {
	ParseStatus status = ParseStatus::need_more;
	Header header;		///< complete: the fields
	std::size_t size = 0;	///< complete: the header's length in bytes
	HeaderError error = HeaderError::none; ///< invalid: which rule was broken
	std::size_t error_offset = 0;	       ///< invalid: offset of the offending byte
	std::string message;		       ///< invalid: the problem in words
};

/// Parses the member header at the start of @p in. need_more means the
/// header is valid as far as @p in goes and continues beyond it: call
/// again with more bytes (the parse restarts from the first byte; headers
/// are short). A first byte that is not ID1 is invalid at once, so one
/// byte tells gzip from anything else.
[[nodiscard]] HeaderParse parse_header(std::span<const std::byte> in);

struct Trailer {
	std::uint32_t crc32 = 0; ///< CRC-32 of the uncompressed data
	std::uint32_t size = 0;	 ///< ISIZE: its length modulo 2^32

	bool operator==(const Trailer &) const = default;
};

/// ISIZE of @p length uncompressed bytes.
[[nodiscard]] constexpr std::uint32_t isize(std::uint64_t length) noexcept
{
	return static_cast<std::uint32_t>(length);
}

[[nodiscard]] std::array<std::byte, trailer_size> encode_trailer(const Trailer &trailer) noexcept;
[[nodiscard]] Trailer parse_trailer(std::span<const std::byte, trailer_size> in) noexcept;

/// CRC-32 (ISO 3309, gzip's) of @p data on the CPU, continuing @p seed (a
/// previous result, or 0). For headers and tests: the data's CRC comes
/// from the engine with each completion.
[[nodiscard]] std::uint32_t crc32(std::span<const std::byte> data, std::uint32_t seed = 0) noexcept;

/// The CRC-32 of A followed by B, from the CRC-32 of A, that of B and the
/// length of B: blocks compressed apart, each with its own CRC, give the
/// CRC of the whole without reading the data again.
[[nodiscard]] std::uint32_t crc32_combine(std::uint32_t crc_a, std::uint32_t crc_b,
					  std::uint64_t length_b) noexcept;

} // namespace gzip

namespace zlib_format {

/// CMF FLG.
inline constexpr std::size_t header_size = 2;
/// Adler-32, big-endian.
inline constexpr std::size_t trailer_size = 4;

/// CMF FLG for a 32 KiB window and @p level (1 to 9) mapped to FLEVEL as
/// zlib maps it, no preset dictionary.
[[nodiscard]] std::array<std::byte, header_size> encode_header(unsigned level) noexcept;

struct HeaderParse {
	ParseStatus status = ParseStatus::need_more;
	unsigned window_bits = 0; ///< complete: log2 of the window (8 to 15)
	unsigned flevel = 0;	  ///< complete: FLEVEL, 0 (fastest) to 3 (slowest)
	std::size_t size = 0;	  ///< complete: header bytes (2, or 6 with FDICT)
	std::optional<std::uint32_t> dictionary_id; ///< complete: DICTID if FDICT
	std::size_t error_offset = 0;		    ///< invalid: offending byte
	std::string message;			    ///< invalid: the problem in words
};

/// Parses a zlib header: CM 8, CINFO at most 7, the FCHECK multiple of 31.
[[nodiscard]] HeaderParse parse_header(std::span<const std::byte> in);

[[nodiscard]] std::array<std::byte, trailer_size> encode_trailer(std::uint32_t adler) noexcept;
[[nodiscard]] std::uint32_t parse_trailer(std::span<const std::byte, trailer_size> in) noexcept;

/// Adler-32 of @p data on the CPU, continuing @p seed (1 to start). The
/// engine computes CRC-32 only, so a zlib stream's checksum is the CPU's.
[[nodiscard]] std::uint32_t adler32(std::span<const std::byte> data, std::uint32_t seed = 1) noexcept;
/// The Adler-32 of A followed by B, as crc32_combine.
[[nodiscard]] std::uint32_t adler32_combine(std::uint32_t adler_a, std::uint32_t adler_b,
					    std::uint64_t length_b) noexcept;

} // namespace zlib_format

} // namespace accel
