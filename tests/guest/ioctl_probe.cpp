// SPDX-License-Identifier: MIT
// ioctl_probe FD: exits with the errno of AFD_IOC_GET_INFO on an inherited
// descriptor (0 on success). The guest tests exec it to check that a file
// kept across execve() is refused.
#include <cerrno>
#include <cstdlib>
#include <sys/ioctl.h>

#include <linux/accelfd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 100;
	afd_info info{};
	return ::ioctl(std::atoi(argv[1]), AFD_IOC_GET_INFO, &info) == 0 ? 0 : errno;
}
