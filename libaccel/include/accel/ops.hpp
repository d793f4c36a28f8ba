// SPDX-License-Identifier: MIT
// Typed descriptor builders, one per operation.
//
// Buffers are spans of the calling process's memory: the engine reads and
// writes them in place, so they must stay valid until the completion with
// the same cookie arrives.
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <stdexcept>

#include <linux/accelfd.h>

namespace accel::op {

namespace detail {
inline std::uint64_t address(const void *p) noexcept
{
	return reinterpret_cast<std::uintptr_t>(p);
}
} // namespace detail

[[nodiscard]] inline afd_desc nop(std::uint64_t cookie = 0) noexcept
{
	afd_desc d{};
	d.opcode = AFD_OP_NOP;
	d.cookie = cookie;
	return d;
}

/// Copies src into dst (overlap-safe); dst must be at least as large.
[[nodiscard]] inline afd_desc memmove(std::span<std::byte> dst, std::span<const std::byte> src,
				      std::uint64_t cookie = 0)
{
	if (dst.size() < src.size())
		throw std::invalid_argument("accel::op::memmove: destination smaller than source");
	afd_desc d{};
	d.opcode = AFD_OP_MEMMOVE;
	d.src = detail::address(src.data());
	d.dst = detail::address(dst.data());
	d.len = src.size();
	d.cookie = cookie;
	return d;
}

/// Fills dst with the 8-byte pattern (byte i gets byte i % 8 of the
/// pattern in little-endian order).
[[nodiscard]] inline afd_desc fill(std::span<std::byte> dst, std::uint64_t pattern,
				   std::uint64_t cookie = 0) noexcept
{
	afd_desc d{};
	d.opcode = AFD_OP_FILL;
	d.dst = detail::address(dst.data());
	d.len = dst.size();
	d.arg = pattern;
	d.cookie = cookie;
	return d;
}

/// Compares a and b (same size); the completion's result is the offset of
/// the first difference, or the size if they are equal.
[[nodiscard]] inline afd_desc compare(std::span<const std::byte> a, std::span<const std::byte> b,
				      std::uint64_t cookie = 0)
{
	if (a.size() != b.size())
		throw std::invalid_argument("accel::op::compare: buffers of different sizes");
	afd_desc d{};
	d.opcode = AFD_OP_COMPARE;
	d.src = detail::address(a.data());
	d.dst = detail::address(b.data());
	d.len = a.size();
	d.cookie = cookie;
	return d;
}

/// CRC-32C of data; pass a previous result as seed to continue it.
[[nodiscard]] inline afd_desc crc32c(std::span<const std::byte> data, std::uint32_t seed = 0,
				     std::uint64_t cookie = 0) noexcept
{
	afd_desc d{};
	d.opcode = AFD_OP_CRC32C;
	d.src = detail::address(data.data());
	d.len = data.size();
	d.arg = seed;
	d.cookie = cookie;
	return d;
}

/// The rest of a DEFLATE or INFLATE descriptor (see linux/accelfd.h).
struct CodecArgs {
	std::uint8_t flags = 0;	   ///< AFD_DESC_F_*
	std::uint32_t stream = 0;  ///< a stream of the queue, 0 for stateless
	std::uint32_t crc_seed = 0; ///< with AFD_DESC_F_CRC32
	std::uint64_t cookie = 0;
};

namespace detail {
inline afd_desc codec(afd_op opcode, std::span<const std::byte> in, std::span<std::byte> out,
		      std::uint32_t level, const CodecArgs &args) noexcept
{
	afd_desc d{};
	d.opcode = opcode;
	d.flags = args.flags;
	d.stream = args.stream;
	d.src = address(in.data());
	d.len = in.size();
	d.dst = address(out.data());
	d.dst_len = out.size();
	d.arg = (std::uint64_t{args.crc_seed} << 32) | level;
	d.cookie = args.cookie;
	return d;
}
} // namespace detail

/// Compresses @p in into raw DEFLATE at @p out: stateless at @p level
/// (AFD_DEFLATE_LEVEL_MIN to _MAX), or on args.stream with level 0 (the
/// stream has its own). accel::Compressor and accel::deflate() wrap this.
[[nodiscard]] inline afd_desc deflate(std::span<const std::byte> in, std::span<std::byte> out,
				      std::uint32_t level, const CodecArgs &args = {}) noexcept
{
	return detail::codec(AFD_OP_DEFLATE, in, out, level, args);
}

/// Decompresses raw DEFLATE at @p in into @p out, stateless or on
/// args.stream.
[[nodiscard]] inline afd_desc inflate(std::span<const std::byte> in, std::span<std::byte> out,
				      const CodecArgs &args = {}) noexcept
{
	return detail::codec(AFD_OP_INFLATE, in, out, 0, args);
}

} // namespace accel::op
