// SPDX-License-Identifier: MIT
// M7: the engine's DEFLATE and INFLATE against zlib in this process, at
// the same level on the same data: the system's own text and binaries,
// nothing written for the benchmark.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>
#include <zlib.h>

#include "measure.hpp"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

/// What accel-gzip hands the engine at a time.
constexpr std::size_t block_size = 1 << 20;

/// Up to @p budget bytes of the regular files under @p dirs, in name order.
std::vector<std::byte> corpus(std::initializer_list<const char *> dirs, std::size_t budget)
{
	std::vector<std::filesystem::path> files;
	for (const char *dir : dirs) {
		std::error_code ec;
		for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
		     it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
			if (it->is_regular_file(ec) && !it->is_symlink(ec) &&
			    it->path().extension() != ".gz")
				files.push_back(it->path());
	}
	std::sort(files.begin(), files.end());
	std::vector<std::byte> out;
	for (const auto &file : files) {
		if (out.size() >= budget)
			break;
		std::ifstream in(file, std::ios::binary);
		std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
		const std::size_t n = std::min(bytes.size(), budget - out.size());
		const auto *p = reinterpret_cast<const std::byte *>(bytes.data());
		out.insert(out.end(), p, p + n);
	}
	if (out.size() < budget / 2)
		throw std::runtime_error("too little data under the corpus directories");
	return out;
}

std::size_t zlib_deflate_block(std::span<const std::byte> in, std::span<std::byte> out, int level)
{
	z_stream z{};
	if (deflateInit2(&z, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		throw std::runtime_error("deflateInit2");
	z.next_in = reinterpret_cast<Bytef *>(const_cast<std::byte *>(in.data()));
	z.avail_in = static_cast<uInt>(in.size());
	z.next_out = reinterpret_cast<Bytef *>(out.data());
	z.avail_out = static_cast<uInt>(out.size());
	const int ret = ::deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (ret != Z_STREAM_END)
		throw std::runtime_error("zlib deflate");
	return z.total_out;
}

std::size_t zlib_inflate_block(std::span<const std::byte> in, std::span<std::byte> out)
{
	z_stream z{};
	if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
		throw std::runtime_error("inflateInit2");
	z.next_in = reinterpret_cast<Bytef *>(const_cast<std::byte *>(in.data()));
	z.avail_in = static_cast<uInt>(in.size());
	z.next_out = reinterpret_cast<Bytef *>(out.data());
	z.avail_out = static_cast<uInt>(out.size());
	const int ret = ::inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (ret != Z_STREAM_END)
		throw std::runtime_error("zlib inflate");
	return z.total_out;
}

/// The data cut into blocks, each compressed into its own buffer.
struct Blocks {
	std::vector<std::span<const std::byte>> plain;
	std::vector<std::vector<std::byte>> packed;
	std::size_t packed_bytes = 0;
};

/// Bytes one engine descriptor of @p d's produced; the codec alone, no CRC,
/// as zlib's raw deflate() and inflate() compute none.
std::size_t engine_run(accel::Queue &q, const afd_desc &d)
{
	const afd_completion c = q.run(d);
	if (c.status)
		throw accel::Error(-c.status, "M7: an engine " + accel::op_name(d.opcode) + " descriptor");
	return c.result;
}

std::size_t engine_deflate(accel::Queue &q, std::span<const std::byte> in, std::span<std::byte> out,
			   int level)
{
	return engine_run(q, accel::op::deflate(in, out, static_cast<std::uint32_t>(level),
						{.flags = AFD_DESC_F_LAST}));
}

double megabytes_per_second(std::size_t bytes, Clock::duration took)
{
	return static_cast<double>(bytes) / std::chrono::duration<double>(took).count() / 1e6;
}

/// MB/s (of uncompressed bytes) of @p code run over every block.
template <typename Code> double megabytes_per_second(std::size_t bytes, Code code)
{
	const auto start = Clock::now();
	code();
	return megabytes_per_second(bytes, Clock::now() - start);
}

/// MB/s of the engine's and of zlib's @p run(block, engine) over @p count
/// blocks of @p bytes in all, taken in turn block by block (each side
/// first every other block, so that neither always finds the block in the
/// cache). Timed one after the other, whole runs differed by up to 1.5x
/// for the same code: the emulated machine's speed drifts, and here the
/// drift falls on both alike.
template <typename Run>
std::pair<double, double> engine_and_zlib(std::size_t bytes, std::size_t count, Run run)
{
	Clock::duration took[2]{};
	for (std::size_t i = 0; i < count; i++) {
		for (const bool engine : {i % 2 == 0, i % 2 != 0}) {
			const auto start = Clock::now();
			run(i, engine);
			took[engine ? 0 : 1] += Clock::now() - start;
		}
	}
	return {megabytes_per_second(bytes, took[0]), megabytes_per_second(bytes, took[1])};
}

} // namespace

void measure_codec(Report &report, const Settings &settings, Targets &t)
{
	const std::size_t budget = settings.full ? 16 << 20 : 4 << 20;
	const std::pair<const char *, std::vector<std::byte>> kinds[] = {
		{"text", corpus({"/usr/share/common-licenses", "/usr/share/doc", "/usr/include"}, budget)},
		{"binary", corpus({"/usr/bin"}, budget)},
	};
	for (const auto &[kind, data] : kinds) {
		Blocks blocks;
		for (std::size_t at = 0; at < data.size(); at += block_size)
			blocks.plain.push_back(std::span(data).subspan(at, std::min(block_size, data.size() - at)));
		std::vector<std::byte> out(accel::deflate_bound(block_size)), back(block_size);
		for (int level : {1, 6, 9}) {
			const std::string param = std::string(kind) + " level " + std::to_string(level);
			progress("M7 " + param);
			std::size_t engine_bytes = 0, zlib_bytes = 0;
			const auto [engine_speed, zlib_speed] =
				engine_and_zlib(data.size(), blocks.plain.size(), [&](std::size_t i, bool engine) {
					if (engine)
						engine_bytes += engine_deflate(t.char_queue, blocks.plain[i], out, level);
					else
						zlib_bytes += zlib_deflate_block(blocks.plain[i], out, level);
				});
			report.add({"M7", "engine DEFLATE", param, engine_speed, "MB/s"});
			report.add({"M7", "zlib deflate", param, zlib_speed, "MB/s"});
			report.add({"M7", "engine DEFLATE size", param,
				    100.0 * static_cast<double>(engine_bytes) / static_cast<double>(data.size()), "%"});
			report.add({"M7", "zlib deflate size", param,
				    100.0 * static_cast<double>(zlib_bytes) / static_cast<double>(data.size()), "%"});
		}
		// Each of two queues (on the device's two engines) takes every
		// other block, as accel-gzip --queues 2 does.
		const std::string both = std::string(kind) + " level 6";
		progress("M7 two queues " + both);
		// Two new queues: the device places each on its least loaded
		// engine, and the run's other queues sit one on each already.
		auto first = accel::Queue::create(t.char_device);
		auto second = accel::Queue::create(t.char_device);
		report.add({"M7", "engine DEFLATE, 2 queues", both, megabytes_per_second(data.size(), [&] {
				    std::thread other([&] {
					    std::vector<std::byte> out2(out.size());
					    for (std::size_t i = 1; i < blocks.plain.size(); i += 2)
						    (void)engine_deflate(second, blocks.plain[i], out2, 6);
				    });
				    for (std::size_t i = 0; i < blocks.plain.size(); i += 2)
					    (void)engine_deflate(first, blocks.plain[i], out, 6);
				    other.join();
			    }),
			    "MB/s"});

		// What both inflate: zlib's level 6 output of each block.
		for (auto block : blocks.plain) {
			const std::size_t n = zlib_deflate_block(block, out, 6);
			blocks.packed.emplace_back(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
		}
		const std::string param = std::string(kind) + " level 6";
		progress("M7 inflate " + param);
		const auto [engine_speed, zlib_speed] =
			engine_and_zlib(data.size(), blocks.packed.size(), [&](std::size_t i, bool engine) {
				if (engine)
					(void)engine_run(t.char_queue, accel::op::inflate(blocks.packed[i], back));
				else
					(void)zlib_inflate_block(blocks.packed[i], back);
			});
		report.add({"M7", "engine INFLATE", param, engine_speed, "MB/s"});
		report.add({"M7", "zlib inflate", param, zlib_speed, "MB/s"});
	}
}

} // namespace bench
