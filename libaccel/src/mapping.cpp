// SPDX-License-Identifier: MIT
#include "accel/mapping.hpp"

#include <cerrno>
#include <string>
#include <sys/mman.h>

#include "accel/error.hpp"

namespace accel {

Mapping Mapping::map(int fd, std::size_t size, off_t offset, std::string_view what)
{
	void *addr = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
	if (addr == MAP_FAILED) {
		const int err = errno;
		throw Error(err, "mmap " + std::string(what));
	}
	Mapping m;
	m.addr_ = addr;
	m.size_ = size;
	return m;
}

void Mapping::reset() noexcept
{
	if (addr_)
		::munmap(addr_, size_);
	addr_ = nullptr;
	size_ = 0;
}

} // namespace accel
