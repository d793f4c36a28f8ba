// SPDX-License-Identifier: MIT
// accel-gzip: reads, writes, and output files that appear whole or not at all.
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <unistd.h>

#include "gzip_tool.hpp"

namespace accel_gzip {

SystemError::SystemError(int err, const std::string &what)
	: std::runtime_error(what + ": " + std::strerror(err)), err(err)
{
}

void say(const std::string &message)
{
	std::cerr << program << ": " << message << std::endl;
}

std::size_t read_full(int fd, std::span<std::byte> buf)
{
	std::size_t done = 0;
	while (done < buf.size()) {
		const ssize_t n = ::read(fd, buf.data() + done, buf.size() - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			throw SystemError(errno, "read");
		}
		if (n == 0)
			break;
		done += static_cast<std::size_t>(n);
	}
	return done;
}

void write_all(int fd, std::span<const std::byte> data, const std::string &name)
{
	while (!data.empty()) {
		const ssize_t n = ::write(fd, data.data(), data.size());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			throw SystemError(errno, "writing " + name);
		}
		data = data.subspan(static_cast<std::size_t>(n));
	}
}

InputWindow::InputWindow(int fd, std::size_t capacity) : fd_(fd), buf_(capacity) {}

void InputWindow::consume(std::size_t n) noexcept
{
	begin_ += n;
	offset_ += n;
	if (begin_ == end_)
		begin_ = end_ = 0;
}

void InputWindow::compact() noexcept
{
	if (begin_ == 0)
		return;
	std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
	end_ -= begin_;
	begin_ = 0;
}

bool InputWindow::read_more()
{
	if (eof_)
		return false;
	if (end_ == buf_.size())
		compact();
	if (end_ == buf_.size())
		return true; // full: the caller has all it can hold
	for (;;) {
		const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			throw SystemError(errno, "read");
		}
		if (n == 0) {
			eof_ = true;
			return false;
		}
		end_ += static_cast<std::size_t>(n);
		return true;
	}
}

bool InputWindow::fill(std::size_t n)
{
	n = std::min(n, buf_.size());
	if (buf_.size() - begin_ < n)
		compact();
	while (end_ - begin_ < n)
		if (!read_more())
			return false;
	return true;
}

Metadata metadata_of(const struct stat &st) noexcept
{
	// Permission bits only: gzip refuses set-id and sticky files without
	// -f, and drops those bits with it.
	return {.mode = st.st_mode & 0777,
		.uid = st.st_uid,
		.gid = st.st_gid,
		.atime = st.st_atim,
		.mtime = st.st_mtim};
}

// ---- unfinished outputs and fatal signals ----

namespace {

// The one output being written (the main thread writes them one at a
// time), for the signal handler: plain storage it may read.
char cleanup_path[PATH_MAX];
volatile std::sig_atomic_t cleanup_armed = 0;

constexpr int fatal_signals[] = {SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGXFSZ};

extern "C" void remove_output_and_die(int sig)
{
	if (cleanup_armed)
		::unlink(cleanup_path);
	std::signal(sig, SIG_DFL);
	std::raise(sig); // delivered with the default action once this returns
}

/// Blocks the fatal signals while the cleanup path changes, so that the
/// handler never sees half a name or misses a file just created.
class SignalsBlocked {
public:
	SignalsBlocked() noexcept
	{
		sigset_t set;
		sigemptyset(&set);
		for (int sig : fatal_signals)
			sigaddset(&set, sig);
		pthread_sigmask(SIG_BLOCK, &set, &old_);
	}
	~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
	SignalsBlocked(const SignalsBlocked &) = delete;
	SignalsBlocked &operator=(const SignalsBlocked &) = delete;

private:
	sigset_t old_;
};

// A temporary name is ".NAME.XXXXXX" where that fits in NAME_MAX, else this.
constexpr const char *short_temp_name = ".accel-gzip.XXXXXX";

} // namespace

void install_signal_cleanup()
{
	for (int sig : fatal_signals) {
		struct sigaction old {};
		sigaction(sig, nullptr, &old);
		if (old.sa_handler == SIG_IGN)
			continue; // nohup and the like: stay ignored, as the caller wants
		struct sigaction sa {};
		sa.sa_handler = remove_output_and_die;
		sigemptyset(&sa.sa_mask);
		for (int other : fatal_signals)
			sigaddset(&sa.sa_mask, other);
		sigaction(sig, &sa, nullptr);
	}
}

OutputFile::OutputFile(const std::filesystem::path &target) : target_(target)
{
	const std::string name = target.filename().string();
	const std::string temp_name = name.size() + 8 <= NAME_MAX ? "." + name + ".XXXXXX" : short_temp_name;
	std::string temp = (target.parent_path() / temp_name).string();
	if (temp.size() >= sizeof cleanup_path)
		throw SystemError(ENAMETOOLONG, "creating " + target.string());

	SignalsBlocked blocked;
	const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
	if (fd < 0)
		throw SystemError(errno, "creating a temporary file for " + target.string());
	fd_.reset(fd);
	temp_ = temp;
	std::memcpy(cleanup_path, temp.c_str(), temp.size() + 1);
	cleanup_armed = 1;
}

OutputFile::~OutputFile()
{
	if (committed_)
		return;
	fd_.reset();
	SignalsBlocked blocked;
	::unlink(temp_.c_str());
	cleanup_armed = 0;
}

namespace {

/// rename(2) that fails with EEXIST rather than replace @p to.
int rename_no_replace(const char *from, const char *to)
{
	if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	// A file system without RENAME_NOREPLACE: link(2) refuses an
	// existing name just as atomically.
	if (::link(from, to) == 0) {
		::unlink(from);
		return 0;
	}
	if (errno == EEXIST)
		return -1;
	struct stat st;
	if (::lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return ::rename(from, to);
}

} // namespace

void OutputFile::commit(const Metadata &meta, bool replace)
{
	const int fd = fd_.get();
	const std::string where = target_.string();
	// Only root may give a file away; anyone else keeps it as theirs, as
	// gzip does. The owner goes first: chown clears set-id bits.
	if (::fchown(fd, meta.uid, meta.gid) != 0 && ::fchown(fd, static_cast<uid_t>(-1), meta.gid) != 0) {
		// best effort
	}
	if (::fchmod(fd, meta.mode & 0777) != 0)
		throw SystemError(errno, "setting the mode of " + where);
	const timespec times[2] = {meta.atime, meta.mtime};
	if (::futimens(fd, times) != 0)
		throw SystemError(errno, "setting the times of " + where);
	if (::fsync(fd) != 0)
		throw SystemError(errno, "writing " + where + " to disk (fsync)");
	if (::close(fd_.release()) != 0)
		throw SystemError(errno, "closing " + where);

	{
		SignalsBlocked blocked;
		const int rc = replace ? ::rename(temp_.c_str(), where.c_str())
				       : rename_no_replace(temp_.c_str(), where.c_str());
		if (rc != 0)
			throw SystemError(errno, "renaming " + temp_.string() + " to " + where);
		committed_ = true;
		cleanup_armed = 0;
	}

	// The rename is on disk only once its directory is.
	const std::filesystem::path dir = target_.has_parent_path() ? target_.parent_path() : ".";
	accel::Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (dirfd && ::fsync(dirfd.get()) != 0 && errno != EINVAL && errno != EROFS)
		throw SystemError(errno, "writing the directory " + dir.string() + " to disk (fsync)");
}

} // namespace accel_gzip
