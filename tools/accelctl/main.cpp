// SPDX-License-Identifier: MIT
// accelctl: devices and queues of accelfd, from the command line.
#include <cerrno>
#include <cstdio>
#include <iostream>

#include "accel/error.hpp"
#include "commands.hpp"

namespace {

using namespace accelctl;

struct Command {
	const char *name;
	void (*add)(CLI::App &app);
};

constexpr Command commands[] = {
	{"list", add_list},
	{"info", add_info},
	{"stats", add_stats},
	{"top", add_top},
	{"config", add_config},
	{"save-config", add_save_config},
	{"load-config", add_load_config},
	{"queue", add_queue},
	{"device", add_device},
	{"mdev", add_mdev},
	{"cdi", add_cdi},
	{"bench", add_bench},
};

constexpr const char *exit_codes =
	"Exit status: 0 success, 1 a device or system call failed, 2 usage or "
	"configuration file error, 3 the accelfd module is not loaded, 4 "
	"permission denied (administration needs CAP_SYS_ADMIN).";

/// "accelctl: queue: <what>" for an error raised inside a subcommand.
int report(const CLI::App &app, const char *what, int code)
{
	std::cerr << "accelctl: ";
	if (auto subs = app.get_subcommands(); !subs.empty())
		std::cerr << subs.front()->get_name() << ": ";
	std::cerr << what << '\n';
	return code;
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"accelctl: inspect and manage accelfd devices and queues"};
	app.footer(exit_codes);
	app.require_subcommand(1);
	for (const Command &cmd : commands)
		cmd.add(app);

	try {
		app.parse(argc, argv); // runs the chosen subcommand
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::ParseError &e) {
		app.exit(e);
		return EXIT_USAGE;
	} catch (const Failure &e) {
		return report(app, e.what(), e.code);
	} catch (const accel::Error &e) {
		const int err = e.code().value();
		return report(app, e.what(), err == EPERM || err == EACCES ? EXIT_DENIED : EXIT_FAILED);
	} catch (const std::exception &e) {
		return report(app, e.what(), EXIT_FAILED);
	}
	if (std::fflush(stdout) != 0 || !std::cout.flush()) {
		std::perror("accelctl: writing the output");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}
