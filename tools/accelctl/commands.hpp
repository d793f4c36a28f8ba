// SPDX-License-Identifier: MIT
// accelctl: the subcommands, one file per group, and what they share.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "accel/admin.hpp"
#include "accel/device.hpp"

namespace accelctl {

/// Exit codes, documented in --help, accelctl(1) and the README.
enum Exit : int {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	   ///< a device or system call failed
	EXIT_USAGE = 2,		   ///< bad command line or configuration file
	EXIT_NOT_LOADED = 3,	   ///< the accelfd module is not loaded
	EXIT_DENIED = 4,	   ///< the caller lacks the privilege (EPERM, EACCES)
};

/// Raised when a subcommand cannot proceed; main prints it and exits.
struct Failure : std::runtime_error {
	Failure(Exit code, const std::string &what) : std::runtime_error(what), code(code) {}
	Exit code;
};

/// Throws Failure(EXIT_NOT_LOADED) with the sentence an operator needs.
void require_module();
/// "accel0" for "accel0" or "/dev/accel0"; Failure if there is no such
/// device.
[[nodiscard]] std::string device_name(const std::string &arg);
/// The devices to show: @p only if given, else all.
[[nodiscard]] std::vector<std::string> selected_devices(const std::string &only);

/// The JSON forms, shared by every subcommand that prints them and
/// described in docs/accelctl-json.md.
using Json = nlohmann::ordered_json;
[[nodiscard]] Json to_json(const accel::DeviceStatus &status);
[[nodiscard]] Json to_json(const accel::ContextStatus &ctx);
[[nodiscard]] Json to_json(const accel::QueueStatus &q);

/// A text table: columns as wide as their widest cell.
class Table {
public:
	explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
	void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
	void print(std::ostream &out) const;

private:
	std::vector<std::vector<std::string>> rows_;
};

void add_list(CLI::App &app);
void add_info(CLI::App &app);
void add_stats(CLI::App &app);
void add_top(CLI::App &app);
void add_config(CLI::App &app);
void add_save_config(CLI::App &app);
void add_load_config(CLI::App &app);
void add_queue(CLI::App &app);
void add_device(CLI::App &app);
void add_bench(CLI::App &app);
void add_mdev(CLI::App &app);
void add_cdi(CLI::App &app);

} // namespace accelctl
