// SPDX-License-Identifier: MIT
#include "accel/compress.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "accel/ops.hpp"

namespace accel {
namespace {

/// Distinct from the cookies applications pick for their own descriptors
/// on the same queue.
constexpr std::uint64_t codec_cookie = 0xdef1a7e000000000ULL;

const char *op_word(afd_op op) noexcept
{
	return op == AFD_OP_DEFLATE ? "deflate" : "inflate";
}

/// Throws what a failed completion means; @p consumed_before is the
/// stream's input before this descriptor, for the offset.
[[noreturn]] void throw_status(const afd_completion &c, const std::string &what,
			       std::uint64_t consumed_before)
{
	const int err = -c.status;
	const std::uint64_t offset = consumed_before + c.bytes_done;
	switch (err) {
	case EBADMSG:
		throw DataError(err, what + ": malformed DEFLATE data at input offset " +
					     std::to_string(offset), offset);
	case ENODATA:
		throw DataError(err, what + ": the DEFLATE stream is truncated at input offset " +
					     std::to_string(offset), offset);
	case EFAULT: {
		char address[32];
		std::snprintf(address, sizeof(address), "%#llx",
			      static_cast<unsigned long long>(c.fault_addr));
		throw Error(err, what + ": the engine cannot reach address " + address +
					 " (on an mdev, map buffers with Device::map_dma())");
	}
	default:
		throw Error(err, what);
	}
}

} // namespace

DataError::DataError(int err, std::string_view what, std::uint64_t offset)
	: Error(err, what), offset_(offset)
{
}

BufferTooSmall::BufferTooSmall(std::string_view what, std::uint64_t needed)
	: Error(ENOSPC, what), needed_(needed)
{
}

namespace detail {

CodecStream::CodecStream(Queue &queue, afd_op op, unsigned level)
	: queue_(&queue), op_(op), id_(queue.create_stream(op, level))
{
}

CodecStream::CodecStream(CodecStream &&other) noexcept
	: queue_(other.queue_), op_(other.op_), id_(std::exchange(other.id_, 0)),
	  first_(other.first_), crc32_(other.crc32_), total_in_(other.total_in_),
	  total_out_(other.total_out_)
{
}

CodecStream &CodecStream::operator=(CodecStream &&other) noexcept
{
	if (this != &other) {
		destroy();
		queue_ = other.queue_;
		op_ = other.op_;
		id_ = std::exchange(other.id_, 0);
		first_ = other.first_;
		crc32_ = other.crc32_;
		total_in_ = other.total_in_;
		total_out_ = other.total_out_;
	}
	return *this;
}

CodecStream::~CodecStream()
{
	destroy();
}

void CodecStream::destroy() noexcept
{
	if (id_)
		(void)queue_->destroy_stream(std::exchange(id_, 0));
}

void CodecStream::reset() noexcept
{
	first_ = true;
	crc32_ = 0;
	total_in_ = total_out_ = 0;
}

std::string CodecStream::name() const
{
	return queue_->name() + " " + op_word(op_) + " stream " + std::to_string(id_);
}

CodecResult CodecStream::run(std::span<const std::byte> in, std::span<std::byte> out,
			     std::uint8_t flags)
{
	// A descriptor moves at most max_transfer bytes in (DEFLATE's output up
	// to its bound): larger spans go in pieces, one descriptor each, as
	// long as the last filled its output and @p out has more room, or it
	// took its whole input and more follows. The finish or the flush goes
	// with the last piece of input only.
	const std::size_t in_limit = queue_->max_transfer();
	const std::size_t out_limit = op_ == AFD_OP_DEFLATE && in_limit < SIZE_MAX / 2
					      ? AFD_DEFLATE_BOUND(in_limit)
					      : in_limit;
	CodecResult total{};
	for (;;) {
		const auto in_piece = in.subspan(total.consumed).first(std::min(in.size() - total.consumed, in_limit));
		const auto out_piece = out.subspan(total.produced).first(std::min(out.size() - total.produced, out_limit));
		const bool last_piece = total.consumed + in_piece.size() == in.size();
		const CodecResult r = run_piece(
			in_piece, out_piece,
			last_piece ? flags : static_cast<std::uint8_t>(flags & ~(AFD_DESC_F_LAST | AFD_DESC_F_FLUSH)));
		total.consumed += r.consumed;
		total.produced += r.produced;
		total.stream_end = r.stream_end;
		if (r.stream_end || total.produced == out.size())
			return total;
		const bool filled_its_output = r.produced == out_piece.size();
		const bool took_its_input = r.consumed == in_piece.size();
		if (!filled_its_output && !(took_its_input && !last_piece))
			return total;
	}
}

CodecResult CodecStream::run_piece(std::span<const std::byte> in, std::span<std::byte> out,
				   std::uint8_t flags)
{
	if (first_)
		flags |= AFD_DESC_F_FIRST;
	const op::CodecArgs args{.flags = static_cast<std::uint8_t>(flags | AFD_DESC_F_CRC32),
				 .stream = id_, .crc_seed = crc32_, .cookie = codec_cookie | id_};
	const afd_desc d = op_ == AFD_OP_DEFLATE ? op::deflate(in, out, 0, args) : op::inflate(in, out, args);
	const afd_completion c = queue_->run(d);
	if (c.status)
		throw_status(c, std::string(op_word(op_)) + " on " + name(), total_in_);
	first_ = false;
	crc32_ = c.checksum;
	total_in_ += c.bytes_done;
	total_out_ += c.result;
	return {static_cast<std::size_t>(c.bytes_done), static_cast<std::size_t>(c.result),
		(c.flags & AFD_COMP_F_STREAM_END) != 0};
}

} // namespace detail

Compressor::Compressor(Queue &queue, unsigned level) : CodecStream(queue, AFD_OP_DEFLATE, level) {}

CodecResult Compressor::compress(std::span<const std::byte> in, std::span<std::byte> out, Flush flush)
{
	std::uint8_t flags = 0;
	if (flush == Flush::finish)
		flags = AFD_DESC_F_LAST;
	else if (flush == Flush::sync)
		flags = AFD_DESC_F_FLUSH;
	return run(in, out, flags);
}

Decompressor::Decompressor(Queue &queue) : CodecStream(queue, AFD_OP_INFLATE, 0) {}

CodecResult Decompressor::decompress(std::span<const std::byte> in, std::span<std::byte> out,
				     bool last_input)
{
	return run(in, out, last_input ? AFD_DESC_F_LAST : 0);
}

namespace {

/// Runs a one-shot descriptor; @p what names it, @p room_word says what an
/// -ENOSPC completion's result is (a bound, or the exact size).
OneShotResult run_one_shot(Queue &queue, const afd_desc &d, const std::string &what,
			   const char *room_word)
{
	const afd_completion c = queue.run(d);
	if (c.status == -ENOSPC)
		throw BufferTooSmall(what + ": the output needs " + room_word + std::to_string(c.result) +
					     " bytes, it has " + std::to_string(d.dst_len),
				     c.result);
	if (c.status)
		throw_status(c, what, 0);
	return {static_cast<std::size_t>(c.bytes_done), static_cast<std::size_t>(c.result), c.checksum};
}

} // namespace

OneShotResult deflate(Queue &queue, std::span<const std::byte> in, std::span<std::byte> out,
		      unsigned level, bool final, std::uint32_t crc_seed)
{
	const op::CodecArgs args{
		.flags = static_cast<std::uint8_t>(AFD_DESC_F_CRC32 | (final ? AFD_DESC_F_LAST : 0)),
		.crc_seed = crc_seed, .cookie = codec_cookie};
	return run_one_shot(queue, op::deflate(in, out, level, args),
			    "deflate of " + std::to_string(in.size()) + " bytes on " + queue.name(), "up to ");
}

OneShotResult inflate(Queue &queue, std::span<const std::byte> in, std::span<std::byte> out,
		      std::uint32_t crc_seed)
{
	const op::CodecArgs args{.flags = AFD_DESC_F_CRC32, .crc_seed = crc_seed, .cookie = codec_cookie};
	return run_one_shot(queue, op::inflate(in, out, args),
			    "inflate of " + std::to_string(in.size()) + " bytes on " + queue.name(), "");
}

} // namespace accel
