// SPDX-License-Identifier: MIT
// accel-gzip: the device's queues and the parallel compressor over them.
#include "engine.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <memory>
#include <pthread.h>

#include "accel/error.hpp"
#include "accel/gzip.hpp"

namespace accel_gzip {

// ---- Engine ----

void Engine::open()
{
	if (device_)
		return;
	device_.emplace(accel::Device::open(index_));
	info_ = device_->info();
	if (!info_.supports(AFD_OP_DEFLATE) || !info_.supports(AFD_OP_INFLATE))
		throw accel::Error(EOPNOTSUPP, "DEFLATE and INFLATE on " + device_->path().string(),
				   "the accelfd module is older than ABI 2.1, which added them");
}

void Engine::create_queues(unsigned n)
{
	open();
	if (!queues_.empty())
		return;
	// Each queue carries one descriptor at a time (a thread waits for
	// each), so the smallest ring the device allows is enough.
	const accel::QueueOptions options{.sq_entries = std::max(info_.min_ring_entries, 1u)};
	queues_.reserve(n);
	for (unsigned i = 0; i < n; i++)
		queues_.push_back(accel::Queue::create(*device_, options));
}

std::span<accel::Queue> Engine::queues()
{
	open();
	create_queues(queue_count_ ? queue_count_ : std::max(info_.engine_count, 1u));
	return queues_;
}

accel::Queue &Engine::queue()
{
	create_queues(1);
	return queues_.front();
}

std::uint64_t Engine::max_transfer()
{
	open();
	return info_.max_transfer;
}

// ---- DeflatePool ----

namespace {

// Two blocks per queue: the one the engine compresses and the next, read
// and waiting, so that an engine never waits for the reader; one more for
// the block read ahead to learn whether its predecessor is the last.
// Memory stays at (2 * queues + 1) * (input + bound) blocks, whatever the
// input's size.
constexpr std::size_t blocks_per_queue = 2;

/// Workers leave the signals that end the program to the main thread,
/// whose handler removes an unfinished output.
void block_termination_signals() noexcept
{
	sigset_t set;
	sigemptyset(&set);
	for (int sig : {SIGHUP, SIGINT, SIGTERM})
		sigaddset(&set, sig);
	pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

} // namespace

DeflatePool::DeflatePool(std::span<accel::Queue> queues, unsigned level, std::size_t block_size)
	: level_(level), block_size_(block_size), blocks_(queues.size() * blocks_per_queue + 1),
	  pending_(queues.size())
{
	for (Block &b : blocks_) {
		b.input.resize(block_size);
		b.output.resize(accel::deflate_bound(block_size));
	}
	threads_.reserve(queues.size());
	for (std::size_t i = 0; i < queues.size(); i++)
		threads_.emplace_back([this, i, &queue = queues[i]] { work(i, queue); });
}

DeflatePool::~DeflatePool()
{
	{
		std::lock_guard lock(mutex_);
		stopping_ = true;
	}
	work_ready_.notify_all();
	// threads_ is destroyed (joined) before the blocks they use.
}

void DeflatePool::work(std::size_t worker, accel::Queue &queue)
{
	block_termination_signals();
	for (;;) {
		std::uint64_t seq;
		{
			std::unique_lock lock(mutex_);
			work_ready_.wait(lock, [&] { return stopping_ || !pending_[worker].empty(); });
			if (stopping_)
				return;
			seq = pending_[worker].front();
			pending_[worker].pop_front();
		}
		// The block is this thread's until it is marked done.
		Block &b = slot(seq);
		try {
			const auto r = accel::deflate(queue, std::span(b.input).first(b.input_size), b.output,
						      level_, b.final);
			b.output_size = r.produced;
			b.crc32 = r.crc32;
			if (r.consumed != b.input_size)
				throw accel::Error(EIO, "deflate on " + queue.name() + " consumed " +
								std::to_string(r.consumed) + " of " +
								std::to_string(b.input_size) + " bytes");
		} catch (...) {
			b.error = std::current_exception();
		}
		{
			std::lock_guard lock(mutex_);
			b.done = true;
		}
		block_done_.notify_all();
	}
}

void DeflatePool::dispatch(std::uint64_t seq, bool final)
{
	{
		std::lock_guard lock(mutex_);
		Block &b = slot(seq);
		b.final = final;
		b.done = false;
		b.error = nullptr;
		pending_[seq % pending_.size()].push_back(seq);
	}
	work_ready_.notify_all();
}

DeflatePool::Block &DeflatePool::wait_done(std::uint64_t seq)
{
	std::unique_lock lock(mutex_);
	Block &b = slot(seq);
	block_done_.wait(lock, [&] { return b.done; });
	if (b.error)
		std::rethrow_exception(std::exchange(b.error, nullptr));
	return b;
}

void DeflatePool::drain(std::uint64_t from, std::uint64_t to) noexcept
{
	std::unique_lock lock(mutex_);
	for (std::uint64_t seq = from; seq < to; seq++) {
		Block &b = slot(seq);
		block_done_.wait(lock, [&] { return b.done; });
		b.error = nullptr;
	}
}

DeflateTotals DeflatePool::compress(int in_fd, const Sink &out)
{
	DeflateTotals totals;
	// Sequence numbers of this input's blocks: read (and dispatched, but
	// for one held back) below next_read, written below next_write.
	std::uint64_t next_read = 0, next_write = 0;
	// The last block read was full: whether it is the last block is
	// known only once the next read returns, so it waits undispatched.
	bool held_back = false;
	bool eof = false;
	try {
		for (;;) {
			while (!eof && next_read - next_write < blocks_.size()) {
				Block &b = slot(next_read);
				b.input_size = read_full(in_fd, b.input);
				eof = b.input_size < block_size_;
				if (held_back) {
					held_back = false;
					if (b.input_size == 0) {
						dispatch(next_read - 1, true);
						break;
					}
					dispatch(next_read - 1, false);
				}
				if (eof)
					dispatch(next_read, true);
				else
					held_back = true;
				next_read++;
			}
			if (next_write == next_read)
				break;
			const Block &b = wait_done(next_write);
			if (out)
				out(std::span(b.output).first(b.output_size));
			totals.crc32 = accel::gzip::crc32_combine(totals.crc32, b.crc32, b.input_size);
			totals.in += b.input_size;
			totals.out += b.output_size;
			next_write++;
		}
	} catch (...) {
		drain(next_write, held_back ? next_read - 1 : next_read);
		throw;
	}
	return totals;
}

} // namespace accel_gzip
