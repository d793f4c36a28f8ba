// SPDX-License-Identifier: MIT
// A second process that owns a queue and uses it when the test asks: what
// an operator administers is always someone else's queue.
#pragma once

#include <csignal>
#include <cstdint>
#include <sys/types.h>
#include <unistd.h>

#include "guest_util.hpp"

namespace guest {

class QueueOwner {
public:
	enum Command : char {
		run_nops = 'n',	      ///< @p count NOPs through the ring
		run_nops_syscall = 's', ///< @p count NOPs through AFD_IOC_SUBMIT
		corrupt = 'c',	      ///< a doorbell far beyond the SQ
		resync = 'r',	      ///< take the indices a reset zeroed
		query = 'q',	      ///< AFD_IOC_QUERY_QUEUE
		kick = 'k',	      ///< AFD_IOC_KICK
		destroy = 'd',	      ///< AFD_IOC_DESTROY_QUEUE
		create_stream = 'z',  ///< AFD_IOC_CREATE_STREAM, DEFLATE at level @p count
	};
	struct Reply {
		Outcome outcome;
		std::uint32_t cq_flags = 0;
		std::uint32_t state = 0; ///< from query
		int err = 0;		 ///< errno of the ioctl, for query/kick/destroy/create_stream
	};

	explicit QueueOwner(unsigned sq_entries = 8)
	{
		int to_child[2], to_parent[2];
		BOOST_REQUIRE(::pipe2(to_child, O_CLOEXEC) == 0);
		BOOST_REQUIRE(::pipe2(to_parent, O_CLOEXEC) == 0);
		pid_ = ::fork();
		BOOST_REQUIRE(pid_ >= 0);
		if (pid_ == 0) {
			::close(to_child[1]);
			::close(to_parent[0]);
			serve(sq_entries, to_child[0], to_parent[1]); // never returns
		}
		::close(to_child[0]);
		::close(to_parent[1]);
		out_ = to_child[1];
		in_ = to_parent[0];
		BOOST_REQUIRE_MESSAGE(::read(in_, &queue_id_, sizeof(queue_id_)) == sizeof(queue_id_),
				      "the owner process could not create its queue");
	}
	~QueueOwner()
	{
		::close(out_); // the child exits at end of input
		::close(in_);
		int status;
		::waitpid(pid_, &status, 0);
	}
	QueueOwner(const QueueOwner &) = delete;
	QueueOwner &operator=(const QueueOwner &) = delete;

	[[nodiscard]] std::uint32_t queue_id() const { return queue_id_; }
	[[nodiscard]] pid_t pid() const { return pid_; }

	Reply ask(Command command, std::uint32_t count = 0)
	{
		char request[5] = {command};
		std::memcpy(request + 1, &count, sizeof(count));
		BOOST_REQUIRE(::write(out_, request, sizeof(request)) == sizeof(request));
		Reply reply;
		BOOST_REQUIRE_MESSAGE(::read(in_, &reply, sizeof(reply)) == sizeof(reply),
				      "the owner process died");
		return reply;
	}

private:
	[[noreturn]] static void serve(unsigned sq_entries, int in, int out)
	{
		try {
			RawQueue q(sq_entries);
			const std::uint32_t id = q.id();
			if (::write(out, &id, sizeof(id)) != sizeof(id))
				::_exit(1);
			char request[5];
			while (::read(in, request, sizeof(request)) == sizeof(request)) {
				std::uint32_t count;
				std::memcpy(&count, request + 1, sizeof(count));
				const Reply reply = act(q, static_cast<Command>(request[0]), count);
				if (::write(out, &reply, sizeof(reply)) != sizeof(reply))
					::_exit(1);
			}
			::_exit(0);
		} catch (...) {
			::_exit(125); // never unwind into the test framework
		}
	}

	static Reply act(RawQueue &q, Command command, std::uint32_t count)
	{
		Reply reply;
		switch (command) {
		case run_nops:
			reply.outcome = q.run_nops(count);
			break;
		case run_nops_syscall: {
			std::vector<afd_desc> descs(count);
			for (unsigned i = 0; i < count; i++)
				descs[i].opcode = AFD_OP_NOP;
			afd_submit s{q.id(), 0, reinterpret_cast<std::uintptr_t>(descs.data()), count, 0};
			reply.err = ioctl_errno(q.dev.fd, AFD_IOC_SUBMIT, &s);
			if (!reply.err)
				reply.outcome = q.reap(count);
			break;
		}
		case corrupt:
			*q.doorbell = q.tail + 1000;
			q.kick();
			break;
		case resync:
			q.resync();
			break;
		case query: {
			afd_queue_query args{};
			args.queue_id = q.id();
			reply.err = ioctl_errno(q.dev.fd, AFD_IOC_QUERY_QUEUE, &args);
			reply.state = args.state;
			break;
		}
		case kick:
			reply.err = q.kick();
			break;
		case destroy: {
			afd_queue_destroy args{q.id(), 0};
			reply.err = ioctl_errno(q.dev.fd, AFD_IOC_DESTROY_QUEUE, &args);
			break;
		}
		case create_stream: {
			afd_stream_create args{};
			args.queue_id = q.id();
			args.op = AFD_OP_DEFLATE;
			args.level = count;
			reply.err = ioctl_errno(q.dev.fd, AFD_IOC_CREATE_STREAM, &args);
			break;
		}
		}
		reply.cq_flags = q.cq_header()->flags;
		return reply;
	}

	pid_t pid_ = -1;
	int out_ = -1, in_ = -1;
	std::uint32_t queue_id_ = 0;
};

} // namespace guest
