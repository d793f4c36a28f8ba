// SPDX-License-Identifier: MIT
// The engine as the operation tests drive it: one device and queue per
// test case on the model a Path names, and buffers with a guard page.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <random>
#include <span>
#include <sys/mman.h>

#include <boost/test/data/test_case.hpp>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace guest {

inline constexpr std::size_t page = 4096;

/// How descriptors reach the engine: the char device's ring or SUBMIT
/// ioctl, or an mdev's ring (the mdev model has no syscall path).
enum class Path { ring, syscall, mdev };

inline std::ostream &operator<<(std::ostream &os, Path path)
{
	return os << (path == Path::ring ? "char-ring" : path == Path::syscall ? "char-syscall" : "mdev-ring");
}

/// One device and queue per test case (on an mdev of its own for
/// Path::mdev); runs descriptors on its path.
struct Engine {
	explicit Engine(Path path) : path(path) {}

	Path path;
	std::optional<TestMdev> mdev = path == Path::mdev ? std::make_optional<TestMdev>()
								  : std::nullopt;
	accel::Device dev = mdev ? accel::Device::open_mdev(mdev->uuid) : accel::Device::open(0);
	accel::Queue queue = accel::Queue::create(dev, {.sq_entries = 64});
	std::uint64_t next_cookie = 1;

	/// What every program does for the buffers its descriptors name.
	[[nodiscard]] accel::DmaMapping map(std::span<const std::byte> buffer) const
	{
		return dev.map_dma(buffer);
	}

	afd_completion run(afd_desc d)
	{
		d.cookie = next_cookie++;
		if (path != Path::syscall)
			return queue.run(d, std::chrono::seconds(60));
		BOOST_REQUIRE(queue.submit_syscall({&d, 1}) == 1u);
		return queue.wait_for(d.cookie, std::chrono::seconds(60));
	}
};

/// Page-aligned memory with a guard page after it, so that page crossings
/// and overruns are real.
struct Buffer {
	explicit Buffer(std::size_t size)
		: size(size), mapped((std::max<std::size_t>(1, (size + page - 1) / page) + 1) * page)
	{
		base = static_cast<std::byte *>(::mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
						       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		BOOST_REQUIRE(base != MAP_FAILED);
		::mprotect(base + mapped - page, page, PROT_NONE);
	}
	~Buffer() { ::munmap(base, mapped); }
	Buffer(const Buffer &) = delete;
	Buffer &operator=(const Buffer &) = delete;
	std::size_t size, mapped;
	std::byte *base;
	std::byte *guard() const { return base + mapped - page; }
	/// Every page, the guard page too (a device mapping may cover pages
	/// the process cannot touch; using them faults).
	std::span<const std::byte> all() const { return {base, mapped}; }
};

inline void randomize(std::span<std::byte> s, unsigned seed)
{
	std::mt19937 rng(seed);
	for (auto &b : s)
		b = static_cast<std::byte>(rng());
}

inline const auto paths = boost::unit_test::data::make({Path::ring, Path::syscall, Path::mdev});
inline const auto models = boost::unit_test::data::make({Path::ring, Path::mdev});

inline afd_completion run_raw(Path path, afd_desc d)
{
	Engine e(path);
	return e.run(d);
}


} // namespace guest
