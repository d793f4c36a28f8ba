// SPDX-License-Identifier: MIT
#include "sysfs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "accel/fd.hpp"
#include "accel/ioctl.hpp"

namespace accel::sysfs {

std::string read(const std::filesystem::path &path)
{
	const Fd fd = Fd::open(path, O_RDONLY);
	std::string text(4096, '\0');
	const int n = detail::retry_interrupted(
		[&] { return static_cast<int>(::read(fd.get(), text.data(), text.size())); });
	if (n < 0)
		throw Error(-n, "read " + path.string());
	text.resize(static_cast<std::size_t>(n));
	if (const auto eol = text.find('\n'); eol != std::string::npos)
		text.resize(eol);
	return text;
}

void write(const std::filesystem::path &path, std::string_view value)
{
	const Fd fd = Fd::open(path, O_WRONLY);
	// The kernel's store() reports a rejected value here, as an errno.
	const int n = detail::retry_interrupted(
		[&] { return static_cast<int>(::write(fd.get(), value.data(), value.size())); });
	if (n < 0)
		throw Error(-n, "write '" + std::string(value) + "' to " + path.string());
}

} // namespace accel::sysfs
