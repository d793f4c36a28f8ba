// SPDX-License-Identifier: MIT
// A log-linear latency histogram in the manner of HdrHistogram: each power
// of two is split into 128 linear buckets, so every recorded value is kept
// within 1% whatever its magnitude, in constant memory.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

namespace bench {

class Histogram {
public:
	void record(std::uint64_t ns) noexcept
	{
		counts_[index(ns)]++;
		total_++;
	}
	[[nodiscard]] std::uint64_t count() const noexcept { return total_; }

	/// The smallest value v such that a fraction @p q of samples is <= v.
	[[nodiscard]] double percentile(double q) const noexcept
	{
		const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
		std::uint64_t seen = 0;
		for (std::size_t i = 0; i < counts_.size(); i++) {
			seen += counts_[i];
			if (seen >= rank)
				return static_cast<double>(upper(i));
		}
		return 0;
	}

	/// (value, cumulative fraction) at every non-empty bucket.
	[[nodiscard]] std::vector<std::pair<double, double>> cdf() const
	{
		std::vector<std::pair<double, double>> points;
		std::uint64_t seen = 0;
		for (std::size_t i = 0; i < counts_.size(); i++) {
			if (!counts_[i])
				continue;
			seen += counts_[i];
			points.emplace_back(static_cast<double>(upper(i)),
					    static_cast<double>(seen) / static_cast<double>(total_));
		}
		return points;
	}

private:
	static constexpr unsigned sub_bits = 7; // 128 buckets per power of two
	static constexpr std::size_t sub = std::size_t{1} << sub_bits;

	static std::size_t index(std::uint64_t v) noexcept
	{
		if (v < sub)
			return v;
		const unsigned exp = std::bit_width(v) - 1 - sub_bits; // >= 0
		return (exp + 1) * sub + ((v >> exp) - sub);
	}
	/// The largest value that falls in bucket @p i.
	static std::uint64_t upper(std::size_t i) noexcept
	{
		if (i < sub)
			return i;
		const unsigned exp = static_cast<unsigned>(i / sub) - 1;
		return ((sub + i % sub + 1) << exp) - 1;
	}

	std::array<std::uint64_t, (64 - sub_bits + 1) * sub> counts_{};
	std::uint64_t total_ = 0;
};

} // namespace bench
