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

/// The benchmark of the build tree this accelctl is in, else the installed
/// one.
std::filesystem::path bench_program()
{
	namespace fs = std::filesystem;
	std::error_code ec;
	const fs::path self = fs::read_symlink("/proc/self/exe", ec);
	if (!ec) {
		const fs::path built = self.parent_path() / ACCEL_BENCH_BUILD_RELATIVE_PATH;
		if (fs::exists(built, ec))
			return built;
	}
	if (fs::exists(ACCEL_BENCH_INSTALL_PATH, ec))
		return ACCEL_BENCH_INSTALL_PATH;
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
