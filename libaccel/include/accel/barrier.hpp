// SPDX-License-Identifier: MIT
// The memory orderings of the ring protocol, in one place.
//
// Each function names the kernel barrier it pairs with (docs/design.md,
// "Ring protocol"). Ring memory is shared with the kernel, so accesses go
// through std::atomic_ref on plain __u32 fields of the uapi structs.
#pragma once

#include <atomic>
#include <cstdint>

namespace accel::detail {

/// Load of an index the kernel publishes with smp_store_release().
[[nodiscard]] inline std::uint32_t load_acquire(const std::uint32_t &index) noexcept
{
	return std::atomic_ref(const_cast<std::uint32_t &>(index)).load(std::memory_order_acquire);
}

/// Store of an index the kernel reads with smp_load_acquire().
inline void store_release(std::uint32_t &index, std::uint32_t value) noexcept
{
	std::atomic_ref(index).store(value, std::memory_order_release);
}

/// A flag word the kernel writes with WRITE_ONCE(); ordering comes from
/// full_fence().
[[nodiscard]] inline std::uint32_t load_relaxed(const std::uint32_t &word) noexcept
{
	return std::atomic_ref(const_cast<std::uint32_t &>(word)).load(std::memory_order_relaxed);
}

/// Pairs with the engine's smp_mb() between setting NEED_WAKEUP and its
/// last look at the rings: a store then a load on each side (Dekker).
inline void full_fence() noexcept
{
	std::atomic_thread_fence(std::memory_order_seq_cst);
}

} // namespace accel::detail
