// SPDX-License-Identifier: MIT
// accel-gzip: the device, its queues, and compression spread over them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "accel/compress.hpp"
#include "accel/device.hpp"
#include "accel/queue.hpp"
#include "gzip_tool.hpp"

namespace accel_gzip {

/// The device and its queues, opened when a file first needs them (so
/// that a run that fails on its operands, or only prints help, never
/// touches the device).
class Engine {
public:
	Engine(unsigned device_index, unsigned queue_count) noexcept
		: index_(device_index), queue_count_(queue_count)
	{
	}

	/// The queues compression spreads over: as many as asked, or one per
	/// engine of the device. Throws accel::Error.
	[[nodiscard]] std::span<accel::Queue> queues();
	/// One queue, for decompression (a stream works on one queue).
	[[nodiscard]] accel::Queue &queue();
	/// The device's largest transfer, which bounds every buffer given to it.
	[[nodiscard]] std::uint64_t max_transfer();

private:
	void open();
	void create_queues(unsigned n);

	unsigned index_, queue_count_;
	std::optional<accel::Device> device_;
	accel::DeviceInfo info_;
	// Created once, never resized: Decompressors point into it.
	std::vector<accel::Queue> queues_;
};

/// What one compression produced.
struct DeflateTotals {
	std::uint64_t in = 0;	 ///< uncompressed bytes
	std::uint64_t out = 0;	 ///< raw DEFLATE bytes
	std::uint32_t crc32 = 0; ///< of the uncompressed bytes
};

/// Compresses an input in blocks, each a one-shot DEFLATE on one of the
/// queues (one thread per queue, each the only user of its queue), and
/// joins the pieces in input order into one DEFLATE stream: every block
/// but the last ends byte-aligned and non-final, so the pieces concatenate.
/// Blocks start at fixed offsets and each is compressed alone, so the
/// output depends on the data, the level and the block size only, never
/// on the number of queues or on timing.
class DeflatePool {
public:
	DeflatePool(std::span<accel::Queue> queues, unsigned level, std::size_t block_size);
	DeflatePool(const DeflatePool &) = delete;
	DeflatePool &operator=(const DeflatePool &) = delete;
	~DeflatePool();

	/// Reads @p in_fd to its end and passes the DEFLATE stream to @p out
	/// in order. Throws SystemError for a read, accel::Error for the
	/// device, or what @p out throws; nothing is in flight afterwards.
	DeflateTotals compress(int in_fd, const Sink &out);

private:
	struct Block {
		std::vector<std::byte> input;
		std::vector<std::byte> output;
		std::size_t input_size = 0;
		std::size_t output_size = 0;
		std::uint32_t crc32 = 0;
		bool final = false;
		bool done = false;
		std::exception_ptr error;
	};

	void work(std::size_t worker, accel::Queue &queue);
	void dispatch(std::uint64_t seq, bool final);
	/// Waits for block @p seq and takes its error, if any.
	Block &wait_done(std::uint64_t seq);
	void drain(std::uint64_t from, std::uint64_t to) noexcept;

	[[nodiscard]] Block &slot(std::uint64_t seq) noexcept { return blocks_[seq % blocks_.size()]; }

	unsigned level_;
	std::size_t block_size_;
	std::vector<Block> blocks_;
	std::mutex mutex_;
	std::condition_variable work_ready_, block_done_;
	std::vector<std::deque<std::uint64_t>> pending_; // per worker, sequence numbers
	bool stopping_ = false;
	std::vector<std::jthread> threads_; // last: joined before the rest goes
};

} // namespace accel_gzip
