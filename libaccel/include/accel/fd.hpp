// SPDX-License-Identifier: MIT
// accel::Fd: an owned file descriptor.
#pragma once

#include <filesystem>
#include <utility>

namespace accel {

/// Move-only owner of a file descriptor; closes it on destruction.
class Fd {
public:
	Fd() noexcept = default;
	/// Adopts @p fd; the caller gives up ownership.
	explicit Fd(int fd) noexcept : fd_(fd) {}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	Fd(Fd &&other) noexcept : fd_(other.release()) {}
	Fd &operator=(Fd &&other) noexcept
	{
		if (this != &other)
			reset(other.release());
		return *this;
	}
	~Fd() { reset(); }

	/// open(2) with O_CLOEXEC added; throws accel::Error naming @p path.
	[[nodiscard]] static Fd open(const std::filesystem::path &path, int flags);

	[[nodiscard]] int get() const noexcept { return fd_; }
	[[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
	explicit operator bool() const noexcept { return fd_ >= 0; }
	/// Closes the current descriptor (errors ignored: the fd is gone
	/// either way) and adopts @p fd.
	void reset(int fd = -1) noexcept;

private:
	int fd_ = -1;
};

} // namespace accel
