// SPDX-License-Identifier: MIT
// accelctl: the subcommands, one file each, and what they share.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "accel/device.hpp"

namespace accelctl {

/// Exit codes, documented in --help and the README.
enum Exit : int {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	   ///< a device or system call failed
	EXIT_USAGE = 2,		   ///< bad command line
	EXIT_NOT_LOADED = 3,	   ///< the accelfd module is not loaded
};

/// Raised when a subcommand cannot proceed; main prints it and exits.
struct Failure : std::runtime_error {
	Failure(Exit code, const std::string &what) : std::runtime_error(what), code(code) {}
	Exit code;
};

/// Throws Failure(EXIT_NOT_LOADED) with the sentence an operator needs.
void require_module();

using Json = nlohmann::ordered_json;
/// The one JSON form of a device, shared by list and info.
Json to_json(const accel::DeviceStatus &status);

void add_list(CLI::App &app);
void add_info(CLI::App &app);

} // namespace accelctl
