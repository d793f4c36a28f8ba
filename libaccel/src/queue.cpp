// SPDX-License-Identifier: MIT
// accel::Queue: creation, teardown and the blocking calls.
#include "accel/queue.hpp"

#include <cerrno>
#include <climits>
#include <ctime>
#include <stdexcept>

#include "accel/error.hpp"
#include "accel/ioctl.hpp"

namespace accel {
namespace {

std::int64_t monotonic_ns() noexcept
{
	timespec ts{};
	::clock_gettime(CLOCK_MONOTONIC, &ts);
	return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

/// Absolute CLOCK_MONOTONIC deadline for a relative timeout.
std::int64_t deadline_after(std::chrono::nanoseconds timeout) noexcept
{
	const std::int64_t now = monotonic_ns();
	if (timeout.count() >= INT64_MAX - now)
		return INT64_MAX;
	return now + std::max<std::int64_t>(timeout.count(), 0);
}

/// Which of the two queue limits an ENOSPC hit, as a sentence.
std::string explain_queue_limit(const Device &device)
{
	const DeviceInfo info = device.info(); // its name, not the path: that may be a link
	const DeviceStatus status = read_status(info.name);
	if (status.queues >= info.max_queues)
		return "the device holds its limit of " + std::to_string(info.max_queues) +
		       " queues (max_queues in /sys/class/accelfd/" + info.name + ")";
	return "this process holds its limit of " + std::to_string(info.max_queues_per_process) +
	       " queues on the device (max_queues_per_process in /sys/class/accelfd/" + info.name + ")";
}

} // namespace

Queue Queue::create(const Device &device, const QueueOptions &options)
{
	afd_queue_create args{};
	args.sq_entries = options.sq_entries;
	args.cq_entries = options.cq_entries;
	args.priority = options.priority;

	const std::string path = device.path().string();
	int ret = detail::ioctl(device.fd(), AFD_IOC_CREATE_QUEUE, &args);
	if (ret == -ENOSPC)
		throw Error(ENOSPC, "ioctl(AFD_IOC_CREATE_QUEUE) on " + path,
			    explain_queue_limit(device));
	if (ret < 0)
		throw Error(-ret, "ioctl(AFD_IOC_CREATE_QUEUE) on " + path);

	Queue q;
	q.fd_ = device.shared_fd();
	q.path_ = path;
	q.id_ = args.queue_id;
	q.sq_entries_ = args.sq_entries;
	q.cq_entries_ = args.cq_entries;
	try {
		const std::string name = q.name();
		q.sq_ = Mapping::map(device.fd(), args.sq_size, args.sq_offset, name + " SQ");
		q.cq_ = Mapping::map(device.fd(), args.cq_size, args.cq_offset, name + " CQ");
		q.doorbell_map_ = Mapping::map(device.fd(), args.doorbell_size,
					       args.doorbell_offset, name + " doorbell");
	} catch (...) {
		q.destroy();
		throw;
	}
	q.sq_header_ = q.sq_.at<afd_ring_header>(0);
	q.cq_header_ = q.cq_.at<afd_ring_header>(0);
	q.sq_ring_ = q.sq_.at<afd_desc>(args.sq_entries_offset);
	q.cq_ring_ = q.cq_.at<afd_completion>(args.cq_entries_offset);
	q.doorbell_ = q.doorbell_map_.at<std::uint32_t>(0);
	return q;
}

Queue &Queue::operator=(Queue &&other) noexcept
{
	if (this != &other) {
		destroy();
		fd_ = std::move(other.fd_);
		path_ = std::move(other.path_);
		id_ = other.id_;
		sq_ = std::move(other.sq_);
		cq_ = std::move(other.cq_);
		doorbell_map_ = std::move(other.doorbell_map_);
		sq_header_ = other.sq_header_;
		cq_header_ = other.cq_header_;
		sq_ring_ = other.sq_ring_;
		cq_ring_ = other.cq_ring_;
		doorbell_ = other.doorbell_;
		sq_entries_ = other.sq_entries_;
		cq_entries_ = other.cq_entries_;
		sq_tail_ = other.sq_tail_;
		cq_head_ = other.cq_head_;
		submitted_ = other.submitted_;
		reaped_ = other.reaped_;
		stash_ = std::move(other.stash_);
	}
	return *this;
}

Queue::~Queue()
{
	destroy();
}

void Queue::destroy() noexcept
{
	if (!fd_)
		return;
	sq_.reset();
	cq_.reset();
	doorbell_map_.reset();
	afd_queue_destroy args{};
	args.queue_id = id_;
	(void)detail::ioctl(fd_->get(), AFD_IOC_DESTROY_QUEUE, &args);
	fd_.reset();
}

std::string Queue::name() const
{
	return path_ + " queue " + std::to_string(id_);
}

int Queue::kick() noexcept
{
	afd_kick args{};
	args.queue_id = id_;
	return detail::ioctl(fd_->get(), AFD_IOC_KICK, &args);
}

unsigned Queue::take_stashed(std::span<afd_completion> out) noexcept
{
	const auto n = std::min(stash_.size(), out.size());
	std::copy_n(stash_.begin(), n, out.begin());
	stash_.erase(stash_.begin(), stash_.begin() + static_cast<std::ptrdiff_t>(n));
	return static_cast<unsigned>(n);
}

void Queue::submit(std::span<const afd_desc> descs, std::chrono::nanoseconds timeout)
{
	const std::int64_t deadline = deadline_after(timeout);
	const std::size_t total = descs.size();
	while (!descs.empty()) {
		const std::uint32_t head = detail::load_acquire(sq_header_->head);
		descs = descs.subspan(try_submit(descs));
		if (descs.empty())
			break;
		afd_wait args{};
		args.queue_id = id_;
		args.flags = AFD_WAIT_F_SQ_SPACE;
		args.head = head;
		args.deadline_ns = deadline;
		int ret = detail::ioctl(fd_->get(), AFD_IOC_WAIT, &args);
		if (ret == -ETIME)
			throw Error(ETIME,
				    "submit on " + name() + " after queuing " +
					    std::to_string(total - descs.size()) + " of " + std::to_string(total),
				    "the SQ stayed full; is the CQ being polled?");
		if (ret < 0)
			throw Error(-ret, "ioctl(AFD_IOC_WAIT) on " + name());
	}
}

unsigned Queue::submit_syscall(std::span<const afd_desc> descs)
{
	afd_submit args{};
	args.queue_id = id_;
	args.descs = reinterpret_cast<std::uintptr_t>(descs.data());
	args.count = static_cast<std::uint32_t>(descs.size());
	checked_ioctl(fd_->get(), AFD_IOC_SUBMIT, &args, "AFD_IOC_SUBMIT", name());
	submitted_ += args.submitted;
	return args.submitted;
}

unsigned Queue::wait(std::span<afd_completion> out, std::chrono::nanoseconds timeout)
{
	if (out.empty())
		throw std::invalid_argument("accel::Queue::wait: no room for completions");
	if (unsigned n = poll(out))
		return n;
	const std::int64_t deadline = deadline_after(timeout);
	for (;;) {
		afd_wait args{};
		args.queue_id = id_;
		args.head = cq_head_;
		args.deadline_ns = deadline;
		int ret = detail::ioctl(fd_->get(), AFD_IOC_WAIT, &args);
		if (ret == -ETIME)
			return poll(out);
		if (ret < 0)
			throw Error(-ret, "ioctl(AFD_IOC_WAIT) on " + name());
		if (unsigned n = poll(out))
			return n;
	}
}

afd_completion Queue::wait_for(std::uint64_t cookie, std::chrono::nanoseconds timeout)
{
	for (auto it = stash_.begin(); it != stash_.end(); ++it) {
		if (it->cookie == cookie) {
			afd_completion found = *it;
			stash_.erase(it);
			return found;
		}
	}
	const std::int64_t deadline = deadline_after(timeout);
	std::vector<afd_completion> others;
	// Completions of other cookies are kept, even if waiting fails.
	auto keep_others = [&] { stash_.insert(stash_.end(), others.begin(), others.end()); };
	for (;;) {
		afd_completion batch[16];
		const std::int64_t left = deadline - monotonic_ns();
		unsigned n;
		try {
			n = left > 0 ? wait(batch, std::chrono::nanoseconds(left)) : poll(batch);
		} catch (...) {
			keep_others();
			throw;
		}
		if (n == 0) {
			keep_others();
			throw Error(ETIME, "waiting for cookie " + std::to_string(cookie) + " on " + name());
		}
		for (unsigned i = 0; i < n; i++) {
			if (batch[i].cookie != cookie) {
				others.push_back(batch[i]);
				continue;
			}
			afd_completion found = batch[i];
			others.insert(others.end(), batch + i + 1, batch + n);
			keep_others();
			return found;
		}
	}
}

afd_completion Queue::run(const afd_desc &desc, std::chrono::nanoseconds timeout)
{
	const std::int64_t deadline = deadline_after(timeout);
	submit({&desc, 1}, timeout);
	return wait_for(desc.cookie, std::chrono::nanoseconds(std::max<std::int64_t>(deadline - monotonic_ns(), 0)));
}

void Queue::resync() noexcept
{
	sq_tail_ = detail::load_acquire(*doorbell_);
	cq_head_ = detail::load_acquire(cq_header_->head);
	submitted_ = reaped_ = 0;
	stash_.clear();
}

QueueStats Queue::stats() const
{
	afd_queue_query args{};
	args.queue_id = id_;
	checked_ioctl(fd_->get(), AFD_IOC_QUERY_QUEUE, &args, "AFD_IOC_QUERY_QUEUE", name());
	return QueueStats{static_cast<afd_queue_state>(args.state),
			  args.priority,
			  args.sq_entries,
			  args.cq_entries,
			  args.submitted,
			  args.completed,
			  args.errors,
			  args.bytes};
}

} // namespace accel
