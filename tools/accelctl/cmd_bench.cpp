// SPDX-License-Identifier: MIT
// accelctl bench: runs the benchmark program (bench/), passing its options.
#include <cerrno>
#include <filesystem>
#include <memory>
#include <unistd.h>

#include "accel/error.hpp"
#include "commands.hpp"

namespace accelctl {
namespace {

/// The benchmark beside this build's accelctl, else the installed one.
std::filesystem::path bench_program()
{
	for (const char *candidate : {ACCEL_BENCH_BUILD_PATH, ACCEL_BENCH_INSTALL_PATH}) {
		std::error_code ec;
		if (std::filesystem::exists(candidate, ec))
			return candidate;
	}
	throw Failure(EXIT_FAILED, std::string("the benchmark program is not installed (looked for ") +
					   ACCEL_BENCH_INSTALL_PATH + ")");
}

} // namespace

void add_bench(CLI::App &app)
{
	auto *cmd = app.add_subcommand(
		"bench", "Measure the submission paths against io_uring (options after --)");
	cmd->allow_extras();
	cmd->callback([cmd] {
		require_module();
		const std::string program = bench_program().string();
		std::vector<std::string> args = {program};
		for (const auto &extra : cmd->remaining())
			args.push_back(extra);
		std::vector<char *> argv;
		for (auto &arg : args)
			argv.push_back(arg.data());
		argv.push_back(nullptr);
		::execv(program.c_str(), argv.data());
		throw accel::Error(errno, "exec " + program);
	});
}

} // namespace accelctl
