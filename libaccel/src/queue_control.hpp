// SPDX-License-Identifier: MIT
// What a Queue's slow path asks of the device model behind it: the char
// device answers with ioctls, an mdev with its registers and an eventfd.
// The fast path (the rings) is the same for both.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <span>
#include <string>

#include <linux/accelfd.h>

#include "accel/fd.hpp"
#include "accel/queue.hpp"

namespace accel::detail {

class Mdev;

inline std::int64_t monotonic_ns() noexcept
{
	timespec ts{};
	::clock_gettime(CLOCK_MONOTONIC, &ts);
	return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

class QueueControl {
public:
	virtual ~QueueControl() = default;
	/// "/dev/accel0 queue 3", for messages.
	[[nodiscard]] virtual std::string name() const = 0;
	/// Wakes the engine after AFD_SQ_F_NEED_WAKEUP; 0 or -errno.
	virtual int kick() noexcept = 0;
	/// Blocks until the CQ tail (with @p sq_space: the SQ head) differs
	/// from @p head or CLOCK_MONOTONIC passes @p deadline_ns: 0, -ETIME,
	/// or -errno (EIO: the queue is in error, ECANCELED: evicted).
	[[nodiscard]] virtual int wait(bool sq_space, std::uint32_t head,
				       std::int64_t deadline_ns) noexcept = 0;
	/// The call wait() makes, for messages.
	[[nodiscard]] virtual std::string wait_call() const = 0;
	[[nodiscard]] virtual unsigned submit_syscall(std::span<const afd_desc> descs) = 0;
	[[nodiscard]] virtual QueueStats stats() const = 0;
	/// Ends the queue (errors ignored: it ends either way).
	virtual void destroy() noexcept = 0;
	/// A stream of @p op (AFD_OP_DEFLATE or _INFLATE) on the queue; its id.
	[[nodiscard]] virtual std::uint32_t create_stream(afd_op op, unsigned level) = 0;
	/// 0 or -errno.
	virtual int destroy_stream(std::uint32_t id) noexcept = 0;
};

[[nodiscard]] std::unique_ptr<QueueControl> char_queue_control(std::shared_ptr<const Fd> fd,
							       std::string path, std::uint32_t id);

/// The rings' headers and doorbell, which the mdev's wait() reads itself.
struct RingView {
	const afd_ring_header *sq_header;
	const afd_ring_header *cq_header;
	const std::uint32_t *doorbell;
};

[[nodiscard]] std::unique_ptr<QueueControl> mdev_queue_control(std::shared_ptr<Mdev> mdev,
							       std::string name, Fd eventfd,
							       RingView rings);

} // namespace accel::detail
