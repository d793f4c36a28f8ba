// SPDX-License-Identifier: MIT
// accel::Mapping: an owned shared mapping of a device region.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <sys/types.h>
#include <utility>

namespace accel {

/// Move-only owner of an mmap()ed region; unmaps it on destruction.
class Mapping {
public:
	Mapping() noexcept = default;
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
	Mapping(Mapping &&other) noexcept
		: addr_(std::exchange(other.addr_, nullptr)), size_(std::exchange(other.size_, 0))
	{
	}
	Mapping &operator=(Mapping &&other) noexcept
	{
		if (this != &other) {
			reset();
			addr_ = std::exchange(other.addr_, nullptr);
			size_ = std::exchange(other.size_, 0);
		}
		return *this;
	}
	~Mapping() { reset(); }

	/// MAP_SHARED read-write mapping of @p size bytes at @p offset of
	/// @p fd; throws accel::Error whose message starts with @p what.
	[[nodiscard]] static Mapping map(int fd, std::size_t size, off_t offset, std::string_view what);

	[[nodiscard]] std::span<std::byte> bytes() const noexcept
	{
		return {static_cast<std::byte *>(addr_), size_};
	}
	/// A typed view of the object at @p offset bytes into the mapping.
	template <typename T> [[nodiscard]] T *at(std::size_t offset) const noexcept
	{
		return reinterpret_cast<T *>(static_cast<std::byte *>(addr_) + offset);
	}
	explicit operator bool() const noexcept { return addr_ != nullptr; }
	void reset() noexcept;

private:
	void *addr_ = nullptr;
	std::size_t size_ = 0;
};

} // namespace accel
