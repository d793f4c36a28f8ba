// SPDX-License-Identifier: MIT
// accel-gzip: members, trailers, and what may follow the last of them, as
// gzip 1.12 treats it.
#include "decode.hpp"

#include <cerrno>
#include <cstdio>

namespace accel_gzip {
namespace gz = accel::gzip;

namespace {

std::string hex32(std::uint32_t v)
{
	char buf[16];
	std::snprintf(buf, sizeof buf, "0x%08x", v);
	return buf;
}

Problem end_of_file(std::uint64_t at, const std::string &why)
{
	return error("unexpected end of file at byte " + std::to_string(at) + " (" + why + ")");
}

Problem end_of_file(std::uint64_t at, std::uint64_t member)
{
	return end_of_file(at, "the member at byte " + std::to_string(member) + " is truncated");
}

Problem corrupt(std::uint64_t at, const std::string &why)
{
	return error("invalid compressed data at byte " + std::to_string(at) + ": " + why);
}

/// Reads the member header at the window's start, reading more as it
/// needs; the window is left as it was.
gz::HeaderParse read_header(InputWindow &in, std::uint64_t member)
{
	for (;;) {
		gz::HeaderParse p = gz::parse_header(in.data());
		if (p.status == accel::ParseStatus::complete)
			return p;
		if (p.status == accel::ParseStatus::invalid) {
			if (p.error == gz::HeaderError::not_gzip)
				throw error("not in gzip format");
			const std::uint64_t at = member + p.error_offset;
			throw error("invalid header at byte " + std::to_string(at) + ": " + p.message);
		}
		if (in.data().size() == in.capacity())
			throw error("invalid header at byte " + std::to_string(member) + ": longer than " +
				    std::to_string(in.capacity()) +
				    " bytes (a name or comment without its end?)");
		if (!in.read_more())
			throw end_of_file(in.offset() + in.data().size(), member);
	}
}

/// The rest of the input, counted (and copied to @p out if it has one).
void pass_rest(InputWindow &in, const Sink &out)
{
	do {
		if (out && !in.data().empty())
			out(in.data());
		in.consume(in.data().size());
	} while (in.read_more());
}

/// One member's DEFLATE data, from the window's start to its end.
void inflate_member(InputWindow &in, accel::Decompressor &inflater, const DecodeTarget &target,
		    std::uint64_t member)
{
	const std::uint64_t data_start = in.offset();
	inflater.reset();
	bool output_was_full = false;
	for (;;) {
		// Empty input is worth a call only to drain output the last
		// call had no room for, or to learn that the stream is cut.
		if (in.data().empty() && !in.at_eof() && !output_was_full) {
			in.read_more();
			continue;
		}
		const auto held = in.data();
		const auto input = held.first(std::min<std::uint64_t>(held.size(), target.max_input));
		accel::CodecResult r;
		try {
			const bool last_input = in.at_eof() && input.size() == held.size();
			r = inflater.decompress(input, target.buffer, last_input);
		} catch (const accel::DataError &e) {
			if (e.code().value() == ENODATA)
				throw end_of_file(in.offset() + in.data().size(), member);
			throw corrupt(data_start + e.offset(),
				      "format violated (malformed DEFLATE data in the member at byte " +
					      std::to_string(member) + ")");
		}
		in.consume(r.consumed);
		if (r.produced && target.out)
			target.out(target.buffer.first(r.produced));
		if (r.stream_end)
			return;
		output_was_full = r.produced == target.buffer.size();
		if (r.consumed == 0 && r.produced == 0) {
			// No progress: the engine wants more input than it was given.
			const bool given_all = input.size() == held.size();
			if (given_all && in.at_eof())
				throw end_of_file(in.offset() + in.data().size(), member);
			if (!given_all || held.size() == in.capacity())
				throw accel::Error(EIO, "inflate on " + inflater.name() + " took none of " +
							std::to_string(input.size()) + " bytes of input");
			in.read_more();
		}
	}
}

} // namespace

std::optional<gz::Header> peek_header(InputWindow &in)
{
	for (;;) {
		gz::HeaderParse p = gz::parse_header(in.data());
		if (p.status == accel::ParseStatus::complete)
			return std::move(p.header);
		if (p.status == accel::ParseStatus::invalid || in.data().size() == in.capacity() ||
		    !in.read_more())
			return std::nullopt;
	}
}

DecodeSummary decode(InputWindow &in, accel::Decompressor &inflater, const DecodeTarget &target)
{
	DecodeSummary s;
	for (;;) {
		// A member boundary: the start, or just after a trailer.
		const std::uint64_t member = in.offset();
		in.fill(2);
		const auto head = in.data();
		if (head.empty()) {
			if (s.members == 0 && !target.copy_non_gzip)
				throw end_of_file(member, "the input is empty");
			s.copied = s.members == 0;
			break;
		}
		const bool magic = head.size() >= 2 && head[0] == gz::id1 && head[1] == gz::id2;
		if (!magic) {
			if (target.copy_non_gzip) {
				s.copied = s.members == 0;
				pass_rest(in, target.out);
				break;
			}
			// gzip reads a second magic byte after any first byte but
			// zero, and an input that ends there has ended early.
			if (head.size() == 1 && head[0] != std::byte{0})
				throw end_of_file(member + 1, "a lone byte where a member would start");
			if (s.members == 0)
				throw error("not in gzip format");
			s.trailing_offset = member;
			s.trailing = Trailing::zeros;
			for (;;) {
				const auto d = in.data();
				std::size_t zeros = 0;
				while (zeros < d.size() && d[zeros] == std::byte{0})
					zeros++;
				in.consume(zeros);
				if (zeros < d.size()) {
					s.trailing = Trailing::garbage;
					pass_rest(in, {});
					break;
				}
				if (!in.read_more())
					break;
			}
			break;
		}

		const gz::HeaderParse header = read_header(in, member);
		if (s.members == 0)
			s.first_header = header.header;
		in.consume(header.size);
		inflate_member(in, inflater, target, member);

		const std::uint64_t trailer_at = in.offset();
		if (!in.fill(gz::trailer_size))
			throw end_of_file(in.offset() + in.data().size(), member);
		const gz::Trailer t = gz::parse_trailer(in.data().first<gz::trailer_size>());
		if (t.crc32 != inflater.crc32())
			throw corrupt(trailer_at, "crc error (the trailer says " + hex32(t.crc32) +
							  ", the data has " + hex32(inflater.crc32()) + ")");
		if (t.size != gz::isize(inflater.total_out()))
			throw corrupt(trailer_at + 4, "length error (the trailer says " +
							      std::to_string(t.size) +
							      " bytes modulo 2^32, the data has " +
							      std::to_string(inflater.total_out()) + ")");
		in.consume(gz::trailer_size);

		s.members++;
		s.framing += header.size + gz::trailer_size;
		s.crc32 = gz::crc32_combine(s.crc32, inflater.crc32(), inflater.total_out());
		s.uncompressed += inflater.total_out();
	}
	s.compressed = in.offset();
	return s;
}

} // namespace accel_gzip
