// SPDX-License-Identifier: MIT
// accelctl: devices and queues of accelfd, from the command line.
#include <cstdio>
#include <iostream>

#include "accel/error.hpp"
#include "commands.hpp"

namespace accelctl {
namespace {

struct Command {
	const char *name;
	void (*add)(CLI::App &app);
};

constexpr Command commands[] = {
	{"list", add_list},
	{"info", add_info},
};

constexpr const char *exit_codes =
	"Exit status: 0 success, 1 a device or system call failed, 2 usage "
	"error, 3 the accelfd module is not loaded.";

} // namespace

void require_module()
{
	if (!accel::module_loaded())
		throw Failure(EXIT_NOT_LOADED,
			      "the accelfd module is not loaded (no /sys/class/accelfd); "
			      "load it with 'modprobe accelfd'");
}

Json to_json(const accel::DeviceStatus &status)
{
	const accel::DeviceInfo &info = status.info;
	return Json{
		{"device", info.name},
		{"index", info.index},
		{"path", "/dev/" + info.name},
		{"state", status.state},
		{"abi_major", info.abi_major},
		{"abi_minor", info.abi_minor},
		{"engines", info.engine_count},
		{"contexts", status.contexts},
		{"caps", info.caps},
		{"ops", accel::op_names(info.ops_supported)},
		{"max_queues_per_process", info.max_queues_per_process},
		{"max_queues", info.max_queues},
		{"min_ring_entries", info.min_ring_entries},
		{"max_ring_entries", info.max_ring_entries},
	};
}

} // namespace accelctl

namespace {

/// "accelctl: list: <what>" for an error raised inside a subcommand.
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
	using namespace accelctl;

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
	} catch (const std::exception &e) { // accel::Error, and any other
		return report(app, e.what(), EXIT_FAILED);
	}
	if (std::fflush(stdout) != 0 || !std::cout.flush()) {
		std::perror("accelctl: writing the output");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}
