// SPDX-License-Identifier: MIT
// accelctl info DEVICE: what the device itself reports (AFD_IOC_GET_INFO).
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace accelctl {

void add_info(CLI::App &app)
{
	auto *cmd = app.add_subcommand("info", "Show what one device reports about itself");
	auto device = std::make_shared<std::string>();
	auto json = std::make_shared<bool>(false);
	cmd->add_option("device", *device, "Device name (accel0) or path (/dev/accel0)")
		->required();
	cmd->add_flag("--json", *json, "Print a JSON object (docs/accelctl-json.md)");
	cmd->callback([device, json] {
		const std::string name = device_name(*device);
		auto dev = accel::Device::open("/dev/" + name);

		accel::DeviceStatus status = accel::read_status(name);
		status.info = dev.info();

		Json out = to_json(status);
		if (*json) {
			std::cout << out.dump(2) << '\n';
			return;
		}
		for (const auto &[key, value] : out.items()) {
			if (value.is_object()) {
				for (const auto &[sub, v] : value.items())
					std::cout << key << '.' << sub << ": " << v.dump() << '\n';
				continue;
			}
			std::cout << key << ": "
				  << (value.is_string() ? value.get<std::string>() : value.dump())
				  << '\n';
		}
	});
}

} // namespace accelctl
