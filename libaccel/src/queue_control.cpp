// SPDX-License-Identifier: MIT
#include "queue_control.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <poll.h>
#include <unistd.h>

#include "accel/barrier.hpp"
#include "accel/error.hpp"
#include "accel/ioctl.hpp"
#include "vfio.hpp"

namespace accel::detail {
namespace {

/// The char device: each slow-path call is an ioctl on /dev/accelN.
class CharQueueControl final : public QueueControl {
public:
	CharQueueControl(std::shared_ptr<const Fd> fd, std::string path, std::uint32_t id)
		: fd_(std::move(fd)), path_(std::move(path)), id_(id)
	{
	}
	std::string name() const override { return path_ + " queue " + std::to_string(id_); }

	int kick() noexcept override
	{
		afd_kick args{};
		args.queue_id = id_;
		return detail::ioctl(fd_->get(), AFD_IOC_KICK, &args);
	}

	int wait(bool sq_space, std::uint32_t head, std::int64_t deadline_ns) noexcept override
	{
		afd_wait args{};
		args.queue_id = id_;
		args.flags = sq_space ? AFD_WAIT_F_SQ_SPACE : 0;
		args.head = head;
		args.deadline_ns = deadline_ns;
		return detail::ioctl(fd_->get(), AFD_IOC_WAIT, &args);
	}
	std::string wait_call() const override { return "ioctl(AFD_IOC_WAIT) on " + name(); }

	unsigned submit_syscall(std::span<const afd_desc> descs) override
	{
		afd_submit args{};
		args.queue_id = id_;
		args.descs = reinterpret_cast<std::uintptr_t>(descs.data());
		args.count = static_cast<std::uint32_t>(descs.size());
		checked_ioctl(fd_->get(), AFD_IOC_SUBMIT, &args, "AFD_IOC_SUBMIT", name());
		return args.submitted;
	}

	QueueStats stats() const override
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

	void destroy() noexcept override
	{
		afd_queue_destroy args{};
		args.queue_id = id_;
		(void)detail::ioctl(fd_->get(), AFD_IOC_DESTROY_QUEUE, &args);
	}

	std::uint32_t create_stream(afd_op op, unsigned level) override
	{
		afd_stream_create args{};
		args.queue_id = id_;
		args.op = op;
		args.level = level;
		checked_ioctl(fd_->get(), AFD_IOC_CREATE_STREAM, &args, "AFD_IOC_CREATE_STREAM", name());
		return args.stream_id;
	}

	int destroy_stream(std::uint32_t id) noexcept override
	{
		afd_stream_destroy args{};
		args.queue_id = id_;
		args.stream_id = id;
		return detail::ioctl(fd_->get(), AFD_IOC_DESTROY_STREAM, &args);
	}

private:
	std::shared_ptr<const Fd> fd_;
	std::string path_;
	std::uint32_t id_;
};

/// An mdev: registers for the commands, an eventfd for completions.
class MdevQueueControl final : public QueueControl {
public:
	MdevQueueControl(std::shared_ptr<Mdev> mdev, std::string name, Fd eventfd, RingView rings)
		: mdev_(std::move(mdev)), name_(std::move(name)), eventfd_(std::move(eventfd)),
		  rings_(rings)
	{
	}
	std::string name() const override { return name_; }

	int kick() noexcept override
	{
		const int ret = mdev_->write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_KICK);
		return ret < 0 ? ret : 0;
	}

	int wait(bool sq_space, std::uint32_t head, std::int64_t deadline_ns) noexcept override
	{
		for (;;) {
			const std::uint32_t index = sq_space ? load_acquire(rings_.sq_header->head)
							     : load_acquire(rings_.cq_header->tail);
			if (index != head)
				return 0;
			const std::uint32_t flags = load_acquire(rings_.cq_header->flags);
			if (flags & AFD_CQ_F_EVICTED)
				return -ECANCELED;
			if (flags & AFD_CQ_F_ERROR)
				return -EIO;
			// What AFD_IOC_WAIT does in the kernel: wake an engine
			// that sleeps with descriptors waiting (behind a full CQ).
			full_fence();
			if ((load_relaxed(rings_.sq_header->flags) & AFD_SQ_F_NEED_WAKEUP) &&
			    load_relaxed(*rings_.doorbell) != load_relaxed(rings_.sq_header->head))
				(void)kick();
			const std::int64_t left = deadline_ns - monotonic_ns();
			if (left <= 0)
				return -ETIME;
			pollfd pfd{eventfd_.get(), POLLIN, 0};
			const auto ms = static_cast<int>(std::min<std::int64_t>((left + 999'999) / 1'000'000, INT_MAX));
			const int ret = ::poll(&pfd, 1, ms);
			if (ret < 0 && errno != EINTR)
				return -errno;
			std::uint64_t count;
			if (ret > 0 && ::read(eventfd_.get(), &count, sizeof(count)) < 0 && errno != EAGAIN)
				return -errno;
		}
	}
	std::string wait_call() const override { return "poll(completion eventfd) of " + name_; }

	unsigned submit_syscall(std::span<const afd_desc>) override
	{
		throw Error(EOPNOTSUPP, "submit_syscall on " + name_,
			    "the mdev model has no syscall submission path; use submit()");
	}

	QueueStats stats() const override
	{
		const afd_mdev_regs regs = mdev_->read_regs();
		return QueueStats{static_cast<afd_queue_state>(regs.state),
				  regs.priority,
				  rings_.sq_header->entries,
				  rings_.cq_header->entries,
				  regs.submitted,
				  regs.completed,
				  regs.errors,
				  regs.bytes};
	}

	void destroy() noexcept override
	{
		(void)mdev_->write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_DISABLE);
		try {
			mdev_->set_trigger(AFD_MDEV_IRQ_COMPLETION, -1);
		} catch (const Error &) {
			// The device file closes with the last Queue anyway.
		}
	}

	std::uint32_t create_stream(afd_op op, unsigned level) override
	{
		write_checked(offsetof(afd_mdev_regs, stream_op), op, "stream_op register");
		write_checked(offsetof(afd_mdev_regs, stream_level), level, "stream_level register");
		write_checked(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_CREATE_STREAM,
			      "AFD_MDEV_CMD_CREATE_STREAM");
		return mdev_->read_regs().stream_id;
	}

	int destroy_stream(std::uint32_t id) noexcept override
	{
		// write_reg(): the bytes written, or -errno.
		int ret = mdev_->write_reg(offsetof(afd_mdev_regs, stream_id), id);
		if (ret >= 0)
			ret = mdev_->write_reg(offsetof(afd_mdev_regs, command), AFD_MDEV_CMD_DESTROY_STREAM);
		return std::min(ret, 0);
	}

private:
	void write_checked(std::size_t offset, std::uint32_t value, std::string_view what) const
	{
		const int ret = mdev_->write_reg(offset, value);
		if (ret < 0)
			throw Error(-ret, std::string("writing the ") + std::string(what) + " of " + name_);
	}

	std::shared_ptr<Mdev> mdev_;
	std::string name_;
	Fd eventfd_;
	RingView rings_;
};

} // namespace

std::unique_ptr<QueueControl> char_queue_control(std::shared_ptr<const Fd> fd, std::string path,
						 std::uint32_t id)
{
	return std::make_unique<CharQueueControl>(std::move(fd), std::move(path), id);
}

std::unique_ptr<QueueControl> mdev_queue_control(std::shared_ptr<Mdev> mdev, std::string name,
						 Fd eventfd, RingView rings)
{
	return std::make_unique<MdevQueueControl>(std::move(mdev), std::move(name), std::move(eventfd),
						  rings);
}

} // namespace accel::detail
