// SPDX-License-Identifier: MIT
#include "accel/error.hpp"

#include <cerrno>
#include <cstring>

namespace accel {
namespace {

std::string message(int err, std::string_view what, std::string_view hint)
{
	std::string msg(what);
	msg += ": ";
	msg += std::strerror(err);
	if (const char *name = strerrorname_np(err)) {
		msg += " (";
		msg += name;
		msg += ')';
	}
	if (!hint.empty()) {
		msg += "; ";
		msg += hint;
	}
	return msg;
}

} // namespace

Error::Error(int err, std::string_view what)
	: std::system_error(err, std::system_category()),
	  message_(message(err, what, explain_errno(err, what)))
{
}

Error::Error(int err, std::string_view what, std::string_view hint)
	: std::system_error(err, std::system_category()), message_(message(err, what, hint))
{
}

std::string explain_errno(int err, std::string_view call)
{
	const bool is_ioctl = call.starts_with("ioctl");
	const bool is_admin = call.starts_with("ioctl(AFD_IOC_QUEUE_ADMIN");

	switch (err) {
	case EBADF:
		if (is_ioctl)
			return "an accelfd file works only in the process that "
			       "opened it (not in a forked child or a process "
			       "it was passed to)";
		break;
	case ENOTTY:
		if (is_ioctl)
			return "not an accelfd device, or its module is older "
			       "than this library";
		break;
	case ENOENT:
		if (is_admin)
			return "the device has no queue with this id (accelctl "
			       "list shows them)";
		if (call.starts_with("open /dev/accel"))
			return "no such device; is the accelfd module loaded "
			       "(modprobe accelfd)?";
		break;
	case ENOMEM:
		if (call.starts_with("ioctl(AFD_IOC_CREATE_QUEUE)"))
			return "a queue's rings count against the user's "
			       "RLIMIT_MEMLOCK (ulimit -l) and its "
			       "max_memory_per_user on the device until they are "
			       "freed (unmapped); use fewer or smaller queues or "
			       "raise the limit";
		break;
	case ENOSPC:
		if (call.starts_with("ioctl(AFD_IOC_CREATE_STREAM)"))
			return "the process holds max_streams_per_process "
			       "streams, or the device max_streams (sysfs); "
			       "destroy streams or ask the administrator to raise "
			       "the limit";
		break;
	case EBUSY:
		if (call.starts_with("open /dev/vfio/"))
			return "another process has this mdev's VFIO group open; a group "
			       "opens once";
		break;
	case EACCES:
		if (call.starts_with("open /dev/vfio/"))
			return "the mdev's VFIO group is root's unless the administrator "
			       "hands it over (chown or a udev rule)";
		if (call.starts_with("open /dev/accel"))
			return "ask the administrator for access to the device "
			       "(the accelfd group)";
		if (call.starts_with("open /sys/class/accelfd"))
			return "only root may change a device's settings";
		break;
	case EPERM:
		if (is_admin || call.starts_with("write"))
			return "administering a device needs CAP_SYS_ADMIN";
		break;
	case EINVAL:
		if (is_admin)
			return "the queue's state does not allow this: suspend "
			       "needs an active queue, resume a suspended one, "
			       "reset one in error";
		if (call.starts_with("write"))
			return "the kernel refused the value (accelctl(1) gives "
			       "each setting's range)";
		break;
	case ECANCELED:
		if (is_ioctl)
			return "an administrator evicted this queue; destroy it "
			       "and create another";
		break;
	case ENXIO:
		if (call.starts_with("ioctl(AFD_IOC_CREATE_QUEUE)"))
			return "the administrator disabled the device "
			       "(accelctl device enable)";
		break;
	default:
		break;
	}
	return {};
}

} // namespace accel
