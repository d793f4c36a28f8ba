// SPDX-License-Identifier: MIT
// accel-gzip: reading gzip members, one after the other, to their end.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "accel/compress.hpp"
#include "accel/gzip.hpp"
#include "gzip_tool.hpp"

namespace accel_gzip {

/// What follows the last member.
enum class Trailing {
	none,
	zeros,	 ///< zero bytes to the end (tape blocks): fine, gzip says so with -v
	garbage, ///< anything else: a warning
};

struct DecodeSummary {
	unsigned members = 0;
	std::optional<accel::gzip::Header> first_header;
	std::uint64_t compressed = 0;	///< input bytes, trailing ones included
	std::uint64_t uncompressed = 0; ///< all members'
	std::uint64_t framing = 0;	///< header and trailer bytes of all members
	std::uint32_t crc32 = 0;	///< of all members' data
	Trailing trailing = Trailing::none;
	std::uint64_t trailing_offset = 0; ///< where the trailing bytes start
	bool copied = false;		   ///< not gzip: copied as it is (-cdf)
};

/// How the input is read and where the data goes.
struct DecodeTarget {
	std::span<std::byte> buffer; ///< room for what one descriptor produces
	std::uint64_t max_input = 0; ///< the most input one descriptor may take
	Sink out;		     ///< empty: only check (-t, -l)
	/// Input that is not gzip, where a member would start, is copied to
	/// out as it is (gzip -cdf) instead of being an error or garbage.
	bool copy_non_gzip = false;
};

/// Decompresses every member of @p in on @p inflater (reset for each),
/// checking each member's CRC-32 and length. Throws Problem (an error
/// naming the byte offset, for the caller to prefix with the file name)
/// for input that is not gzip, is malformed or ends early; SystemError
/// for a read or what the sink throws; accel::Error from the device.
DecodeSummary decode(InputWindow &in, accel::Decompressor &inflater, const DecodeTarget &target);

/// Parses the first member's header without consuming it, for a name to
/// give the output before anything is written; nullopt if there is none
/// to parse (decode() then says why).
[[nodiscard]] std::optional<accel::gzip::Header> peek_header(InputWindow &in);

} // namespace accel_gzip
