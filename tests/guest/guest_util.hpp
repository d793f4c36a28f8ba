// SPDX-License-Identifier: MIT
// Small helpers of the guest tests.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <ostream>
#include <grp.h>
#include <linux/capability.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <linux/accelfd.h>

#include "accel/admin.hpp"

namespace guest {

/// First line of a sysfs or procfs file.
inline std::string read_line(const std::string &path)
{
	std::ifstream in(path);
	std::string line;
	BOOST_REQUIRE_MESSAGE(in && std::getline(in, line), "cannot read " << path);
	return line;
}

inline unsigned read_uint(const std::string &path)
{
	return static_cast<unsigned>(std::stoul(read_line(path)));
}

inline std::string sysfs(const std::string &device, const std::string &attr)
{
	return read_line("/sys/class/accelfd/" + device + "/" + attr);
}

/// The errno of one raw ioctl, 0 on success.
inline int ioctl_errno(int fd, unsigned long request, void *arg)
{
	return ::ioctl(fd, request, arg) == 0 ? 0 : errno;
}

/// An open descriptor of /dev/accel0 (closed at scope exit).
struct OpenDevice {
	explicit OpenDevice(const char *path = "/dev/accel0")
		: fd(::open(path, O_RDWR | O_CLOEXEC))
	{
		BOOST_REQUIRE_MESSAGE(fd >= 0, "open " << path << ": " << strerror(errno));
	}
	~OpenDevice() { ::close(fd); }
	OpenDevice(const OpenDevice &) = delete;
	OpenDevice &operator=(const OpenDevice &) = delete;
	int fd;
};

/// The errno of a call that returned -1, or 0 if it did not fail: read
/// before any assertion can change errno.
inline int errno_of(long ret)
{
	return ret == -1 ? errno : 0;
}

/// A CREATE_QUEUE argument with @p sq_entries and defaults elsewhere.
inline afd_queue_create queue_args(unsigned sq_entries = 16)
{
	afd_queue_create args{};
	args.sq_entries = sq_entries;
	return args;
}

/// Creates a queue with raw ioctls; returns its id (fails the test if not).
inline afd_queue_create create_queue(int fd, unsigned sq_entries = 16)
{
	afd_queue_create args = queue_args(sq_entries);
	BOOST_REQUIRE_MESSAGE(ioctl_errno(fd, AFD_IOC_CREATE_QUEUE, &args) == 0,
			      "CREATE_QUEUE: " << strerror(errno));
	return args;
}

/// A module parameter's value, and setting it (restored by the destructor).
class ParamOverride {
public:
	ParamOverride(const std::string &name, const std::string &value)
		: path_("/sys/module/accelfd/parameters/" + name), old_(read_line(path_))
	{
		write(value);
	}
	~ParamOverride() { write(old_); }
	ParamOverride(const ParamOverride &) = delete;
	ParamOverride &operator=(const ParamOverride &) = delete;

private:
	void write(const std::string &value)
	{
		std::ofstream out(path_);
		out << value << '\n';
	}
	std::string path_, old_;
};

/// Runs @p child in a forked process; returns its exit status (0..255) or
/// 128 + signal. An exception in the child ends it with 125: it must never
/// unwind into the test framework and run the rest of the suite there.
template <typename Fn> int in_child(Fn &&child)
{
	pid_t pid = fork();
	BOOST_REQUIRE(pid >= 0);
	if (pid == 0) {
		try {
			_exit(child());
		} catch (...) {
			_exit(125);
		}
	}
	int status = 0;
	BOOST_REQUIRE(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// True if the child @p pid exits (and is reaped) within @p limit.
inline bool exits_within(pid_t pid, std::chrono::milliseconds limit)
{
	const auto until = std::chrono::steady_clock::now() + limit;
	do {
		if (waitpid(pid, nullptr, WNOHANG) == pid)
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	} while (std::chrono::steady_clock::now() < until);
	return false;
}

/// Where new queues' ring indices start (the module's initial_ring_index,
/// set near 2^32 for the suite's run across the wrap).
inline std::uint32_t initial_ring_index()
{
	std::uint32_t index = 0;
	std::ifstream("/sys/module/accelfd/parameters/initial_ring_index") >> index;
	return index;
}

/// Writes a sysfs attribute; returns 0 or the errno of the write.
inline int write_attr(const std::string &path, const std::string &value)
{
	const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	const int err = ::write(fd, value.data(), value.size()) < 0 ? errno : 0;
	::close(fd);
	return err;
}

/// Sets an attribute of accel0 (a limit, "enabled"), or the file at an
/// absolute path (a module parameter), and restores it at scope exit.
class AttrOverride {
public:
	AttrOverride(const std::string &attr, const std::string &value)
		: path_(attr.starts_with('/') ? attr : "/sys/class/accelfd/accel0/" + attr),
		  old_(read_line(path_))
	{
		BOOST_REQUIRE_MESSAGE(write_attr(path_, value) == 0,
				      "write " << value << " to " << path_ << ": " << strerror(errno));
	}
	~AttrOverride() { write_attr(path_, old_); }
	AttrOverride(const AttrOverride &) = delete;
	AttrOverride &operator=(const AttrOverride &) = delete;

private:
	std::string path_, old_;
};

/// Drops capability @p cap from every set of the calling process (for a
/// forked child).
inline bool drop_cap(unsigned cap)
{
	__user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
	__user_cap_data_struct data[2]{};
	if (::syscall(SYS_capget, &header, data) != 0)
		return false;
	const unsigned word = cap / 32, bit = 1u << (cap % 32);
	data[word].effective &= ~bit;
	data[word].permitted &= ~bit;
	data[word].inheritable &= ~bit;
	return ::syscall(SYS_capset, &header, data) == 0;
}

inline bool drop_cap_sys_admin()
{
	return drop_cap(CAP_SYS_ADMIN);
}

/// Becomes user nobody, in the group "accel" as well if @p in_accel_group
/// (for a forked child). The guest suite creates that group and installs
/// the project's udev rule (tests/guest/suite.sh).
inline bool become_nobody(bool in_accel_group)
{
	const group *accel = ::getgrnam("accel");
	if (!accel)
		return false;
	const gid_t groups[] = {accel->gr_gid};
	return ::setgroups(in_accel_group ? 1 : 0, groups) == 0 && ::setgid(65534) == 0 &&
	       ::setuid(65534) == 0;
}

/// CLOCK_MONOTONIC now plus @p ms, as AFD_IOC_WAIT takes it.
inline std::int64_t deadline_in(int ms)
{
	timespec ts{};
	::clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec + ms * 1000000LL;
}

/// How a batch of descriptors ended, as their completions tell.
struct Outcome {
	unsigned ok = 0;	///< status 0
	unsigned cancelled = 0; ///< status -ECANCELED
	unsigned other = 0;	///< any other status
	int wait_errno = 0;	///< why waiting stopped early, 0 if it did not
	bool operator==(const Outcome &) const = default;
	friend std::ostream &operator<<(std::ostream &out, const Outcome &o)
	{
		return out << "{ok " << o.ok << ", cancelled " << o.cancelled << ", other "
			   << o.other << ", wait errno " << o.wait_errno << '}';
	}
};

/// A queue whose rings the test writes by hand, with raw ioctls only.
struct RawQueue {
	OpenDevice dev;
	afd_queue_create args;
	void *sq, *cq;
	volatile std::uint32_t *doorbell;
	std::uint32_t tail, cq_head;

	explicit RawQueue(unsigned sq_entries = 8)
		: args(create_queue(dev.fd, sq_entries)),
		  sq(map(args.sq_offset, args.sq_size)),
		  cq(map(args.cq_offset, args.cq_size)),
		  doorbell(static_cast<volatile std::uint32_t *>(
			  map(args.doorbell_offset, args.doorbell_size))),
		  // Not necessarily 0: the module's initial_ring_index.
		  tail(*doorbell), cq_head(cq_header()->head)
	{
	}
	~RawQueue()
	{
		::munmap(sq, args.sq_size);
		::munmap(cq, args.cq_size);
		::munmap(const_cast<std::uint32_t *>(doorbell), args.doorbell_size);
	}
	RawQueue(const RawQueue &) = delete;
	RawQueue &operator=(const RawQueue &) = delete;

	void *map(std::uint64_t offset, std::uint64_t size) const
	{
		void *p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, dev.fd,
				 static_cast<off_t>(offset));
		BOOST_REQUIRE_MESSAGE(p != MAP_FAILED, "mmap: " << strerror(errno));
		return p;
	}
	afd_ring_header *sq_header() const { return static_cast<afd_ring_header *>(sq); }
	afd_ring_header *cq_header() const { return static_cast<afd_ring_header *>(cq); }
	afd_desc *sq_ring() const
	{
		return reinterpret_cast<afd_desc *>(static_cast<char *>(sq) + args.sq_entries_offset);
	}
	afd_completion *cq_ring() const
	{
		return reinterpret_cast<afd_completion *>(static_cast<char *>(cq) +
							  args.cq_entries_offset);
	}
	std::uint32_t id() const { return args.queue_id; }

	afd_queue_query query() const
	{
		afd_queue_query q{};
		q.queue_id = args.queue_id;
		BOOST_REQUIRE(ioctl_errno(dev.fd, AFD_IOC_QUERY_QUEUE, &q) == 0);
		return q;
	}
	int kick() const
	{
		afd_kick k{args.queue_id, 0};
		return ioctl_errno(dev.fd, AFD_IOC_KICK, &k);
	}
	/// Kicks and waits for the queue to reach @p state.
	bool reaches(std::uint32_t state) const
	{
		for (int i = 0; i < 3000; i++) {
			kick();
			if (query().state == state)
				return true;
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
		return false;
	}

	/// Writes @p count descriptors made by @p make(i) and rings the
	/// doorbell (count must fit the SQ).
	template <typename Make> void submit(unsigned count, Make make)
	{
		for (unsigned i = 0; i < count; i++)
			sq_ring()[(tail + i) & (args.sq_entries - 1)] = make(i);
		tail += count;
		__atomic_store_n(const_cast<std::uint32_t *>(doorbell), tail, __ATOMIC_SEQ_CST);
		kick();
	}
	void submit_nops(unsigned count)
	{
		submit(count, [](unsigned i) {
			afd_desc d{};
			d.opcode = AFD_OP_NOP;
			d.cookie = i;
			return d;
		});
	}
	/// Reaps @p count completions, blocking in AFD_IOC_WAIT up to 10 s.
	Outcome reap(unsigned count)
	{
		Outcome out;
		for (unsigned got = 0; got < count;) {
			const std::uint32_t cq_tail =
				__atomic_load_n(&cq_header()->tail, __ATOMIC_ACQUIRE);
			if (cq_tail == cq_head) {
				afd_wait w{};
				w.queue_id = args.queue_id;
				w.head = cq_head;
				w.deadline_ns = deadline_in(10000);
				if (const int err = ioctl_errno(dev.fd, AFD_IOC_WAIT, &w)) {
					out.wait_errno = err;
					return out;
				}
				continue;
			}
			for (; cq_head != cq_tail && got < count; cq_head++, got++) {
				const std::int32_t status =
					cq_ring()[cq_head & (args.cq_entries - 1)].status;
				(status == 0 ? out.ok : status == -ECANCELED ? out.cancelled : out.other)++;
			}
			__atomic_store_n(&cq_header()->head, cq_head, __ATOMIC_RELEASE);
		}
		return out;
	}
	Outcome run_nops(unsigned count)
	{
		submit_nops(count);
		return reap(count);
	}
	/// After an administrator's reset: the kernel zeroed every index.
	void resync()
	{
		tail = *doorbell;
		cq_head = cq_header()->head;
	}
};

/// AFD_IOC_QUEUE_ADMIN on @p fd; returns 0 or the errno.
inline int queue_admin(int fd, std::uint32_t queue_id, std::uint32_t op, std::uint32_t priority = 0,
		       std::uint32_t flags = 0)
{
	afd_queue_admin args{queue_id, op, priority, flags};
	return ioctl_errno(fd, AFD_IOC_QUEUE_ADMIN, &args);
}

/// An mdev of accel0 for one test; removed at scope exit (after the
/// objects declared after it have closed its files).
struct TestMdev {
	TestMdev() : uuid(accel::create_mdev("accel0")) {}
	~TestMdev()
	{
		try {
			accel::remove_mdev(uuid);
		} catch (const std::exception &) {
			// A test that removed it itself.
		}
	}
	TestMdev(const TestMdev &) = delete;
	TestMdev &operator=(const TestMdev &) = delete;
	std::string uuid;
};

/// One byte of payload with room for one descriptor in the control data.
struct FdMessage {
	char byte = 'x';
	iovec iov{&byte, 1};
	alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
	msghdr msg{};

	FdMessage()
	{
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
	}
};

/// Sends @p fd over the unix socket @p sock (SCM_RIGHTS).
inline void send_fd(int sock, int fd)
{
	FdMessage m;
	cmsghdr *cmsg = CMSG_FIRSTHDR(&m.msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	BOOST_REQUIRE(::sendmsg(sock, &m.msg, 0) == 1);
}

/// Receives a descriptor sent with send_fd(), or -1.
inline int receive_fd(int sock)
{
	FdMessage m;
	if (::recvmsg(sock, &m.msg, 0) != 1 || !CMSG_FIRSTHDR(&m.msg))
		return -1;
	int fd;
	std::memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m.msg)), sizeof(int));
	return fd;
}

} // namespace guest
