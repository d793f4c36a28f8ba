// SPDX-License-Identifier: MIT
// accel::Queue: a submission ring, a completion ring and a doorbell.
//
// The fast path (try_submit, poll) is inline here: it reserves SQ slots,
// copies descriptors in, stores the doorbell, and reads completions, with
// no system call unless the engine has gone to sleep (AFD_SQ_F_NEED_WAKEUP),
// no allocation and no exception. Everything else lives in src/queue.cpp.
//
// Thread safety: a Queue is used by one thread at a time (like an io_uring
// ring); give each thread its own Queue, or lock around a shared one.
// Queues of one Device may be used from different threads at once.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <linux/accelfd.h>

#include "accel/barrier.hpp"
#include "accel/device.hpp"
#include "accel/mapping.hpp"

namespace accel {

namespace detail {
class QueueControl;
}

struct QueueOptions {
	std::uint32_t sq_entries = 64; ///< power of two within the device's limits
	std::uint32_t cq_entries = 0;  ///< 0: twice sq_entries
	/// 0..AFD_QUEUE_PRIORITY_MAX; unset: AFD_QUEUE_PRIORITY_DEFAULT. Above
	/// the default needs CAP_SYS_NICE (creation fails with EPERM).
	std::optional<std::uint32_t> priority = std::nullopt;
};

/// What AFD_IOC_QUERY_QUEUE reports.
struct QueueStats {
	afd_queue_state state;
	std::uint32_t priority, sq_entries, cq_entries;
	std::uint64_t submitted, completed, errors, bytes;
};

class Queue {
public:
	static constexpr std::chrono::nanoseconds forever = std::chrono::nanoseconds::max();

	/// Creates a queue on @p device and maps its rings and doorbell: on
	/// the char device with AFD_IOC_CREATE_QUEUE (any number per file),
	/// on an mdev by enabling its one queue pair (EBUSY for a second).
	/// Throws accel::Error; at a queue limit (ENOSPC) the message names
	/// the limit.
	[[nodiscard]] static Queue create(const Device &device, const QueueOptions &options = {});

	Queue(Queue &&) noexcept;
	Queue &operator=(Queue &&) noexcept;
	Queue(const Queue &) = delete;
	Queue &operator=(const Queue &) = delete;
	/// Unmaps and destroys the queue; descriptors not yet taken are dropped.
	~Queue();

	/// Queues as many of @p descs as the SQ has room for and rings the
	/// doorbell once. Returns how many were queued (0 when the SQ is full).
	[[nodiscard]] unsigned try_submit(std::span<const afd_desc> descs) noexcept;

	/// Copies up to out.size() completions that have arrived; returns how
	/// many. Never blocks, never enters the kernel unless the engine sleeps
	/// with work held back by a full CQ.
	[[nodiscard]] unsigned poll(std::span<afd_completion> out) noexcept;

	/// Free SQ slots.
	[[nodiscard]] unsigned sq_space() const noexcept
	{
		return sq_entries_ - (sq_tail_ - detail::load_acquire(sq_header_->head));
	}
	/// Descriptors submitted whose completions have not been polled yet.
	[[nodiscard]] std::uint64_t outstanding() const noexcept { return submitted_ - reaped_; }

	/// Queues all of @p descs, waiting for SQ room while the engine works;
	/// throws accel::Error (ETIME) if @p timeout passes first.
	void submit(std::span<const afd_desc> descs, std::chrono::nanoseconds timeout = forever);

	/// The syscall path: AFD_IOC_SUBMIT hands @p descs to the kernel, which
	/// reads them itself. Returns how many it accepted. The char device
	/// only (an mdev has no such path: EOPNOTSUPP).
	[[nodiscard]] unsigned submit_syscall(std::span<const afd_desc> descs);

	/// Blocks until at least one completion arrives or @p timeout passes;
	/// returns how many were copied to @p out (0 on timeout).
	[[nodiscard]] unsigned wait(std::span<afd_completion> out,
				    std::chrono::nanoseconds timeout = forever);

	/// Waits for the completion of @p cookie; completions of other
	/// cookies that arrive meanwhile are kept for later poll()/wait().
	/// Throws accel::Error (ETIME) on timeout.
	[[nodiscard]] afd_completion wait_for(std::uint64_t cookie,
					      std::chrono::nanoseconds timeout = forever);

	/// Submits one descriptor and waits for its completion.
	[[nodiscard]] afd_completion run(const afd_desc &desc,
					 std::chrono::nanoseconds timeout = forever);

	[[nodiscard]] QueueStats stats() const;

	/// AFD_CQ_F_* as the kernel shows them: ERROR (a ring index was
	/// corrupted), SUSPENDED or EVICTED (by an administrator).
	[[nodiscard]] std::uint32_t cq_flags() const noexcept
	{
		return detail::load_acquire(cq_header_->flags);
	}
	/// After an administrator reset the queue (AFD_QUEUE_ADMIN_RESET):
	/// takes the kernel's zeroed indices; what was outstanding is gone.
	void resync() noexcept;
	[[nodiscard]] std::uint32_t id() const noexcept { return id_; }
	[[nodiscard]] std::uint32_t sq_entries() const noexcept { return sq_entries_; }
	[[nodiscard]] std::uint32_t cq_entries() const noexcept { return cq_entries_; }
	/// The most bytes one descriptor may move: the device's max_transfer
	/// when the queue was created (UINT64_MAX where an mdev's parent
	/// cannot be read).
	[[nodiscard]] std::uint64_t max_transfer() const noexcept { return max_transfer_; }
	/// "/dev/accel0 queue 3", for messages.
	[[nodiscard]] std::string name() const;

	/// The low-level half of accel::Compressor and accel::Decompressor:
	/// creates a stream of @p op (AFD_OP_DEFLATE at @p level, or
	/// AFD_OP_INFLATE with level 0) for descriptors of this queue; returns
	/// its id. Throws accel::Error (ENOSPC at the stream limits).
	[[nodiscard]] std::uint32_t create_stream(afd_op op, unsigned level);
	/// Destroys a stream; 0 or -errno (ENOENT for an id the queue lacks).
	int destroy_stream(std::uint32_t id) noexcept;

private:
	Queue();
	static Queue create_on_char_device(const Device &device, const QueueOptions &options);
	static Queue create_on_mdev(const Device &device, const QueueOptions &options);
	/// Points the fast path at the mapped rings.
	void attach_rings(std::uint32_t sq_entries_offset, std::uint32_t cq_entries_offset) noexcept;
	/// Wakes a sleeping engine; returns 0 or -errno (the fast path does
	/// not throw).
	int kick() noexcept;
	unsigned take_stashed(std::span<afd_completion> out) noexcept;
	void destroy() noexcept;

	std::unique_ptr<detail::QueueControl> control_; // the model's slow path
	std::uint32_t id_ = 0;
	Mapping sq_, cq_, doorbell_map_;

	// Cached at creation so the fast path touches shared memory only for
	// the indices themselves.
	afd_ring_header *sq_header_ = nullptr;
	afd_ring_header *cq_header_ = nullptr;
	afd_desc *sq_ring_ = nullptr;
	afd_completion *cq_ring_ = nullptr;
	std::uint32_t *doorbell_ = nullptr;
	std::uint32_t sq_entries_ = 0, cq_entries_ = 0;
	std::uint64_t max_transfer_ = 0;
	std::uint32_t sq_tail_ = 0; // ours; published through the doorbell
	std::uint32_t sq_head_seen_ = 0; // the engine's SQ head when last read
	std::uint32_t cq_head_ = 0; // ours; published in the CQ header
	std::uint64_t submitted_ = 0, reaped_ = 0;
	std::vector<afd_completion> stash_; // set aside by wait_for()
};

inline unsigned Queue::try_submit(std::span<const afd_desc> descs) noexcept
{
	// The engine's head is shared memory it writes: read it only when our
	// last view of it leaves too little room, as liburing does.
	if (sq_entries_ - (sq_tail_ - sq_head_seen_) < descs.size())
		sq_head_seen_ = detail::load_acquire(sq_header_->head);
	const auto n = static_cast<std::uint32_t>(
		std::min<std::size_t>(sq_entries_ - (sq_tail_ - sq_head_seen_), descs.size()));
	if (n == 0)
		return 0;
	for (std::uint32_t i = 0; i < n; i++)
		sq_ring_[(sq_tail_ + i) & (sq_entries_ - 1)] = descs[i];
	sq_tail_ += n;
	submitted_ += n;
	// Entries are written before the engine sees the tail (its acquire).
	detail::store_release(*doorbell_, sq_tail_);
	detail::full_fence();
	if (detail::load_relaxed(sq_header_->flags) & AFD_SQ_F_NEED_WAKEUP) [[unlikely]]
		(void)kick(); // a failed kick shows up as a missing completion
	return n;
}

inline unsigned Queue::poll(std::span<afd_completion> out) noexcept
{
	if (!stash_.empty()) [[unlikely]]
		return take_stashed(out);
	// Pairs with the kernel's release store of the CQ tail.
	const std::uint32_t tail = detail::load_acquire(cq_header_->tail);
	const bool cq_was_full = tail - cq_head_ == cq_entries_;
	const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(tail - cq_head_, out.size()));
	if (n == 0)
		return 0;
	for (std::uint32_t i = 0; i < n; i++)
		out[i] = cq_ring_[(cq_head_ + i) & (cq_entries_ - 1)];
	cq_head_ += n;
	reaped_ += n;
	// Entries are read before the kernel may reuse their slots (its acquire).
	detail::store_release(cq_header_->head, cq_head_);
	if (cq_was_full && outstanding()) {
		// Only a full CQ holds the engine back: it may sleep behind it.
		// (If its last tail store is not visible yet, a later poll sees
		// the CQ full, or WAIT kicks.)
		detail::full_fence();
		if (detail::load_relaxed(sq_header_->flags) & AFD_SQ_F_NEED_WAKEUP) [[unlikely]]
			(void)kick();
	}
	return n;
}

} // namespace accel
