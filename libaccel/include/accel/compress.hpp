// SPDX-License-Identifier: MIT
// DEFLATE on the engine: streams that keep their state in the kernel
// (accel::Compressor, accel::Decompressor) and one-shot calls.
//
// Everything here is raw DEFLATE (RFC 1951). The zlib and gzip framings
// (RFC 1950, 1952) are a few bytes around it and live in accel/gzip.hpp;
// the CRC-32 a gzip trailer needs is computed on the engine, as the data
// passes through it, and arrives with each completion.
//
// Buffers are spans of the calling process's memory, as for accel::op; on
// an mdev they must be mapped (Device::map_dma()) while a call runs. A
// Compressor or Decompressor uses its Queue from the calling thread, one
// descriptor at a time, and must not outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <linux/accelfd.h>

#include "accel/error.hpp"
#include "accel/queue.hpp"

namespace accel {

/// Compressed input that is malformed (EBADMSG) or ends in the middle of
/// a stream (ENODATA). offset() is where in the stream's input it was
/// found, counted from its first byte.
class DataError : public Error {
public:
	DataError(int err, std::string_view what, std::uint64_t offset);
	[[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

private:
	std::uint64_t offset_;
};

/// An output buffer too small for a one-shot call (ENOSPC); needed() is
/// the size that suffices.
class BufferTooSmall : public Error {
public:
	BufferTooSmall(std::string_view what, std::uint64_t needed);
	[[nodiscard]] std::uint64_t needed() const noexcept { return needed_; }

private:
	std::uint64_t needed_;
};

/// What one compress() or decompress() call did.
struct CodecResult {
	std::size_t consumed = 0; ///< input bytes taken
	std::size_t produced = 0; ///< output bytes written
	bool stream_end = false;  ///< the stream is complete (AFD_COMP_F_STREAM_END)
};

/// How a Compressor ends what one call produces.
enum class Flush {
	none,   ///< as zlib's Z_NO_FLUSH: output comes when it comes
	sync,   ///< Z_SYNC_FLUSH: everything consumed can be decompressed
	finish, ///< Z_FINISH: the input ends here; call until stream_end
};

/// The most a one-shot deflate() of @p n bytes can produce.
[[nodiscard]] constexpr std::size_t deflate_bound(std::size_t n) noexcept
{
	return AFD_DEFLATE_BOUND(n);
}

namespace detail {

/// A kernel stream on a Queue and the calls common to both directions.
class CodecStream {
public:
	CodecStream(Queue &queue, afd_op op, unsigned level);
	CodecStream(CodecStream &&other) noexcept;
	CodecStream &operator=(CodecStream &&other) noexcept;
	CodecStream(const CodecStream &) = delete;
	CodecStream &operator=(const CodecStream &) = delete;
	~CodecStream();

	/// The next call starts a new stream (AFD_DESC_F_FIRST).
	void reset() noexcept;
	/// CRC-32 (gzip's) of the uncompressed bytes since the start or reset().
	[[nodiscard]] std::uint32_t crc32() const noexcept { return crc32_; }
	[[nodiscard]] std::uint64_t total_in() const noexcept { return total_in_; }
	[[nodiscard]] std::uint64_t total_out() const noexcept { return total_out_; }
	[[nodiscard]] std::uint32_t id() const noexcept { return id_; }
	/// "/dev/accel0 queue 3 deflate stream 1", for messages.
	[[nodiscard]] std::string name() const;

protected:
	/// Runs the stream over @p in and @p out, in as many descriptors as
	/// spans beyond max_transfer need; throws on any failure (the bytes of
	/// the pieces before it are in total_in() and total_out()).
	CodecResult run(std::span<const std::byte> in, std::span<std::byte> out, std::uint8_t flags);

private:
	/// Runs one descriptor on the stream.
	CodecResult run_piece(std::span<const std::byte> in, std::span<std::byte> out, std::uint8_t flags);
	void destroy() noexcept;

	Queue *queue_;
	afd_op op_;
	std::uint32_t id_ = 0;
	bool first_ = true;
	std::uint32_t crc32_ = 0;
	std::uint64_t total_in_ = 0, total_out_ = 0;
};

} // namespace detail

/// Raw-DEFLATE compression with a full history window across calls.
class Compressor : public detail::CodecStream {
public:
	/// Creates a stream at @p level (1 to 9) on @p queue. Throws
	/// accel::Error (ENOSPC at the stream limits, ENOMEM).
	explicit Compressor(Queue &queue, unsigned level = 6);

	/// Compresses as much of @p in into @p out as fits (spans beyond the
	/// queue's max_transfer take a descriptor per piece). Feed the input
	/// not consumed again, with the same @p flush; while a result fills
	/// @p out, more output may wait: call again with more room (for
	/// Flush::finish, until stream_end). If it throws, the pieces before
	/// the failure are consumed all the same: total_in() counts them.
	[[nodiscard]] CodecResult compress(std::span<const std::byte> in, std::span<std::byte> out,
					   Flush flush = Flush::none);
};

/// Raw-DEFLATE decompression of a stream that arrives in pieces.
class Decompressor : public detail::CodecStream {
public:
	explicit Decompressor(Queue &queue);

	/// Decompresses as much of @p in into @p out as fits (spans beyond
	/// the queue's max_transfer take a descriptor per piece); stops at the
	/// end of the stream (stream_end; the bytes after it are not consumed).
	/// While a result fills @p out, more output may wait: call again.
	/// @p last_input: no input follows, so a stream that does not end
	/// within @p in is truncated. Throws DataError for malformed or
	/// truncated input (its offset is the stream's: total_in() counts
	/// the pieces before it).
	[[nodiscard]] CodecResult decompress(std::span<const std::byte> in, std::span<std::byte> out,
					     bool last_input = false);
};

/// What a one-shot call produced.
struct OneShotResult {
	std::size_t consumed = 0; ///< input bytes: all (deflate) or the stream's (inflate)
	std::size_t produced = 0; ///< output bytes
	std::uint32_t crc32 = 0;  ///< CRC-32 of the uncompressed bytes, from @p crc_seed
};

/// Compresses all of @p in, at @p level, into @p out in one descriptor:
/// a complete stream (@p final) or a byte-aligned piece of one, to be
/// concatenated with others and a final piece (as pigz does). @p out
/// needs at most deflate_bound(in.size()) bytes; throws BufferTooSmall
/// if it has fewer and they do not suffice.
[[nodiscard]] OneShotResult deflate(Queue &queue, std::span<const std::byte> in, std::span<std::byte> out,
				    unsigned level = 6, bool final = true, std::uint32_t crc_seed = 0);

/// Decompresses the one stream at the start of @p in into @p out. Throws
/// DataError for malformed or truncated input, BufferTooSmall when @p out
/// is too small.
[[nodiscard]] OneShotResult inflate(Queue &queue, std::span<const std::byte> in, std::span<std::byte> out,
				    std::uint32_t crc_seed = 0);

} // namespace accel
