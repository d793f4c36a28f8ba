// SPDX-License-Identifier: MIT
#include "accel/ioctl.hpp"

#include <string>

#include "accel/error.hpp"

namespace accel {

int checked_ioctl(int fd, unsigned long request, void *arg,
		  std::string_view request_name, std::string_view device)
{
	int ret = detail::ioctl(fd, request, arg);
	if (ret < 0) {
		std::string what = "ioctl(";
		what += request_name;
		what += ") on ";
		what += device;
		throw Error(-ret, what);
	}
	return ret;
}

} // namespace accel
