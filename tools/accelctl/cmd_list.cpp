// SPDX-License-Identifier: MIT
// accelctl list: every device, from sysfs (no device is opened).
#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace accelctl {
namespace {

std::string join(const std::vector<std::string> &items, char sep)
{
	std::string out;
	for (const auto &item : items)
		out += (out.empty() ? "" : std::string(1, sep)) + item;
	return out.empty() ? "-" : out;
}

void print_table(const std::vector<accel::DeviceStatus> &devices)
{
	const auto row = [](auto &&...cols) {
		const int widths[] = {8, 10, 8, 9, 12, 7, 10, 0};
		int i = 0;
		((std::cout << std::left << std::setw(widths[i++]) << cols), ...);
		std::cout << '\n';
	};
	row("DEVICE", "STATE", "ENGINES", "CONTEXTS", "QUEUES/PROC", "QUEUES", "RING", "OPS");
	for (const auto &status : devices) {
		const accel::DeviceInfo &info = status.info;
		row(info.name, status.state, info.engine_count, status.contexts,
		    info.max_queues_per_process, info.max_queues,
		    std::to_string(info.min_ring_entries) + "-" +
			    std::to_string(info.max_ring_entries),
		    join(accel::op_names(info.ops_supported), ','));
	}
}

} // namespace

void add_list(CLI::App &app)
{
	auto *cmd = app.add_subcommand("list", "List the devices and their limits");
	auto json = std::make_shared<bool>(false);
	cmd->add_flag("--json", *json, "Print a JSON array of devices");
	cmd->callback([json] {
		require_module();
		std::vector<accel::DeviceStatus> devices;
		for (const auto &name : accel::device_names())
			devices.push_back(accel::read_status(name));

		if (*json) {
			Json out = Json::array();
			for (const auto &status : devices)
				out.push_back(to_json(status));
			std::cout << out.dump(2) << '\n';
		} else {
			print_table(devices);
		}
	});
}

} // namespace accelctl
