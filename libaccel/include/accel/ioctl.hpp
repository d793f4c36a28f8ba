// SPDX-License-Identifier: MIT
// The one way libaccel enters the kernel with an ioctl.
#pragma once

#include <cerrno>
#include <string_view>

#include <sys/ioctl.h>

namespace accel {
namespace detail {

/// Calls @p syscall until it stops failing with EINTR or EAGAIN (as
/// libdrm's drmIoctl does: accelfd ioctls are restartable). Returns the
/// call's non-negative result or -errno; never throws.
template <typename Syscall>
[[nodiscard]] int retry_interrupted(Syscall &&syscall) noexcept
{
	int ret;

	do {
		ret = syscall();
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : ret;
}

/// ioctl(2) with retries; returns >= 0 or -errno.
[[nodiscard]] inline int ioctl(int fd, unsigned long request, void *arg) noexcept
{
	return retry_interrupted([&] { return ::ioctl(fd, request, arg); });
}

} // namespace detail

/// ioctl(2) with retries that throws accel::Error naming @p request_name
/// and @p device on failure, e.g. "ioctl(AFD_IOC_GET_INFO) on /dev/accel0:
/// Bad file descriptor (EBADF); ...".
int checked_ioctl(int fd, unsigned long request, void *arg,
		  std::string_view request_name, std::string_view device);

} // namespace accel
