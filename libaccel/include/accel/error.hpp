// SPDX-License-Identifier: MIT
// accel::Error: what failed, on which device, and why.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace accel {

/// Thrown by every slow-path call. code() holds the errno; what() reads
/// "<call> on <device>: <strerror> (<ERRNO>)[; <hint>]".
class Error : public std::system_error {
public:
	Error(int err, std::string_view what);
	/// With @p hint in place of the generic explanation of @p err.
	Error(int err, std::string_view what, std::string_view hint);

	/// The whole message (std::system_error's own would append the
	/// errno's text a second time).
	[[nodiscard]] const char *what() const noexcept override { return message_.c_str(); }

private:
	std::string message_;
};

/// A sentence that explains an accelfd errno for @p call, or "" if the
/// plain strerror says it all.
[[nodiscard]] std::string explain_errno(int err, std::string_view call);

} // namespace accel
