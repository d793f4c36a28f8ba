// SPDX-License-Identifier: MIT
// Reading and writing sysfs attributes, for the library's own use.
#pragma once

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "accel/error.hpp"

namespace accel::sysfs {

inline const std::filesystem::path class_dir = "/sys/class/accelfd";

/// The first line of an attribute; throws accel::Error naming the file.
std::string read(const std::filesystem::path &path);

/// Writes @p value to an attribute, as `echo value > path` does.
void write(const std::filesystem::path &path, std::string_view value);

/// An attribute holding one unsigned number, decimal or "0x" hexadecimal.
template <typename T = std::uint64_t> T read_number(const std::filesystem::path &path)
{
	const std::string text = read(path);
	std::string_view digits = text;
	int base = 10;
	if (digits.starts_with("0x")) {
		digits.remove_prefix(2);
		base = 16;
	}
	T value{};
	auto [end, ec] = std::from_chars(digits.begin(), digits.end(), value, base);
	if (ec != std::errc() || end != digits.end() || digits.empty())
		throw Error(EPROTO, "parse " + path.string() + " value '" + text + "'");
	return value;
}

} // namespace accel::sysfs
