// SPDX-License-Identifier: MIT
// Small helpers of the guest tests.
#pragma once

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <linux/accelfd.h>

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

} // namespace guest
