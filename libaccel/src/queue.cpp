// SPDX-License-Identifier: MIT
// accel::Queue: creation, teardown and the blocking calls.
#include "accel/queue.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <stdexcept>

#include <sys/eventfd.h>
#include <unistd.h>

#include "accel/admin.hpp"
#include "accel/error.hpp"
#include "accel/ioctl.hpp"
#include "queue_control.hpp"
#include "vfio.hpp"

namespace accel {
namespace {

using detail::monotonic_ns;

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
	const std::string where = " in /sys/class/accelfd/" + info.name + ")";
	if (status.queues >= info.max_queues)
		return "the device holds its limit of " + std::to_string(info.max_queues) +
		       " queues (max_queues" + where;
	const auto queues = read_queues(info.name);
	const auto mine = std::ranges::count(queues, ::getpid(), &QueueStatus::pid);
	if (mine >= info.max_queues_per_process)
		return "this process holds its limit of " +
		       std::to_string(info.max_queues_per_process) +
		       " queues on the device (max_queues_per_process" + where;
	return "this user holds its limit of " + std::to_string(info.max_queues_per_user) +
	       " queues on the device, over all its processes (max_queues_per_user" + where;
}

/// Throws the error of a queue creation that failed with -@p ret.
[[noreturn]] void creation_failed(const Device &device, int ret, const std::string &what)
{
	if (ret == -ENOSPC)
		throw Error(ENOSPC, what, explain_queue_limit(device));
	if (ret == -EPERM) // creation has no other
		throw Error(EPERM, what,
			    "a priority above " + std::to_string(AFD_QUEUE_PRIORITY_DEFAULT) +
				    " (the default) needs CAP_SYS_NICE");
	throw Error(-ret, what);
}

} // namespace

Queue::Queue() = default;
Queue::Queue(Queue &&) noexcept = default;

Queue Queue::create(const Device &device, const QueueOptions &options)
{
	if (device.model() == Model::char_device) {
		Queue q = create_on_char_device(device, options);
		q.max_transfer_ = device.info().max_transfer;
		return q;
	}
	Queue q = create_on_mdev(device, options);
	// The parent's sysfs says; a container given only the VFIO device may
	// not see it, and then spans go to the engine whole.
	try {
		q.max_transfer_ = device.info().max_transfer;
	} catch (const Error &) {
		q.max_transfer_ = UINT64_MAX;
	}
	return q;
}

Queue Queue::create_on_char_device(const Device &device, const QueueOptions &options)
{
	afd_queue_create args{};
	args.sq_entries = options.sq_entries;
	args.cq_entries = options.cq_entries;
	if (options.priority) {
		args.flags |= AFD_QUEUE_CREATE_F_PRIORITY;
		args.priority = *options.priority;
	}

	const std::string path = device.path().string();
	const int ret = detail::ioctl(device.fd(), AFD_IOC_CREATE_QUEUE, &args);
	if (ret < 0)
		creation_failed(device, ret, "ioctl(AFD_IOC_CREATE_QUEUE) on " + path);

	Queue q;
	q.control_ = detail::char_queue_control(device.shared_fd(), path, args.queue_id);
	q.id_ = args.queue_id;
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
	q.attach_rings(args.sq_entries_offset, args.cq_entries_offset);
	return q;
}

Queue Queue::create_on_mdev(const Device &device, const QueueOptions &options)
{
	const auto &mdev = device.mdev();
	const std::string what = "enable the queue of " + mdev->name();
	for (const auto &[offset, value] :
	     {std::pair{offsetof(afd_mdev_regs, sq_entries), options.sq_entries},
	      std::pair{offsetof(afd_mdev_regs, cq_entries), options.cq_entries},
	      std::pair{offsetof(afd_mdev_regs, priority),
			options.priority.value_or(AFD_QUEUE_PRIORITY_DEFAULT)}})
		if (const int ret = mdev->write_reg(offset, value); ret < 0)
			throw Error(-ret, "write a register of " + mdev->name());
	if (const int ret = mdev->write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_ENABLE);
	    ret < 0)
		creation_failed(device, ret, what);

	Queue q;
	try {
		const afd_mdev_regs regs = mdev->read_regs();
		q.id_ = regs.queue_id;
		const std::string name = mdev->name() + " (accel" + std::to_string(regs.device_index) +
					 " queue " + std::to_string(regs.queue_id) + ")";
		Fd eventfd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
		if (!eventfd)
			throw Error(errno, "eventfd for " + name);
		const auto map = [&](unsigned region, const char *label) {
			const vfio_region_info info = mdev->region(region);
			return Mapping::map(device.fd(), info.size, static_cast<off_t>(info.offset),
					    name + " " + label);
		};
		q.sq_ = map(AFD_MDEV_REGION_SQ, "SQ");
		q.cq_ = map(AFD_MDEV_REGION_CQ, "CQ");
		q.doorbell_map_ = map(AFD_MDEV_REGION_DOORBELL, "doorbell");
		q.attach_rings(regs.sq_entries_offset, regs.cq_entries_offset);
		mdev->set_trigger(AFD_MDEV_IRQ_COMPLETION, eventfd.get());
		q.control_ = detail::mdev_queue_control(mdev, name, std::move(eventfd),
							{q.sq_header_, q.cq_header_, q.doorbell_});
	} catch (...) {
		q.sq_.reset();
		q.cq_.reset();
		q.doorbell_map_.reset();
		(void)mdev->write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_DISABLE);
		throw;
	}
	return q;
}

void Queue::attach_rings(std::uint32_t sq_entries_offset, std::uint32_t cq_entries_offset) noexcept
{
	sq_header_ = sq_.at<afd_ring_header>(0);
	cq_header_ = cq_.at<afd_ring_header>(0);
	sq_ring_ = sq_.at<afd_desc>(sq_entries_offset);
	cq_ring_ = cq_.at<afd_completion>(cq_entries_offset);
	doorbell_ = doorbell_map_.at<std::uint32_t>(0);
	// The kernel wrote the sizes it used (a CQ of 0 entries means twice the SQ).
	sq_entries_ = sq_header_->entries;
	cq_entries_ = cq_header_->entries;
	// Indices need not start at 0: they run free and wrap at 2^32.
	resync();
}

Queue &Queue::operator=(Queue &&other) noexcept
{
	if (this != &other) {
		destroy();
		control_ = std::move(other.control_);
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
		max_transfer_ = other.max_transfer_;
		sq_tail_ = other.sq_tail_;
		sq_head_seen_ = other.sq_head_seen_;
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
	if (!control_)
		return;
	sq_.reset();
	cq_.reset();
	doorbell_map_.reset();
	control_->destroy();
	control_.reset();
}

std::string Queue::name() const
{
	return control_ ? control_->name() : "a moved-from accel::Queue";
}

std::uint32_t Queue::create_stream(afd_op op, unsigned level)
{
	return control_->create_stream(op, level);
}

int Queue::destroy_stream(std::uint32_t id) noexcept
{
	return control_->destroy_stream(id);
}

int Queue::kick() noexcept
{
	return control_->kick();
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
		const int ret = control_->wait(true, head, deadline);
		if (ret == -ETIME)
			throw Error(ETIME,
				    "submit on " + name() + " after queuing " +
					    std::to_string(total - descs.size()) + " of " + std::to_string(total),
				    "the SQ stayed full; is the CQ being polled?");
		if (ret < 0)
			throw Error(-ret, control_->wait_call());
	}
}

unsigned Queue::submit_syscall(std::span<const afd_desc> descs)
{
	const unsigned accepted = control_->submit_syscall(descs);
	submitted_ += accepted;
	return accepted;
}

unsigned Queue::wait(std::span<afd_completion> out, std::chrono::nanoseconds timeout)
{
	if (out.empty())
		throw std::invalid_argument("accel::Queue::wait: no room for completions");
	if (unsigned n = poll(out))
		return n;
	const std::int64_t deadline = deadline_after(timeout);
	for (;;) {
		const int ret = control_->wait(false, cq_head_, deadline);
		if (ret == -ETIME)
			return poll(out);
		if (ret < 0)
			throw Error(-ret, control_->wait_call());
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
	sq_head_seen_ = detail::load_acquire(sq_header_->head);
	cq_head_ = detail::load_acquire(cq_header_->head);
	submitted_ = reaped_ = 0;
	stash_.clear();
}

QueueStats Queue::stats() const
{
	return control_->stats();
}

} // namespace accel
