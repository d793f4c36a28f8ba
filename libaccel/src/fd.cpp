// SPDX-License-Identifier: MIT
#include "accel/fd.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "accel/error.hpp"
#include "accel/ioctl.hpp"

namespace accel {

Fd Fd::open(const std::filesystem::path &path, int flags)
{
	int fd = detail::retry_interrupted([&] { return ::open(path.c_str(), flags | O_CLOEXEC); });
	if (fd < 0)
		throw Error(-fd, "open " + path.string());
	return Fd(fd);
}

void Fd::reset(int fd) noexcept
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = fd;
}

} // namespace accel
