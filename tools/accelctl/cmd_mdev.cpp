// SPDX-License-Identifier: MIT
// accelctl mdev: queue pairs as VFIO mediated devices (accelfd_mdev.ko),
// the WarpDrive way over the same engine. Creating and removing need
// CAP_SYS_ADMIN.
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace accelctl {

void add_mdev(CLI::App &app)
{
	auto *cmd = app.add_subcommand("mdev", "Create, list and remove mdevs (VFIO queue pairs)");
	cmd->require_subcommand(1);

	auto *create = cmd->add_subcommand("create", "Create an mdev on a device; prints its UUID");
	auto device = std::make_shared<std::string>();
	auto uuid = std::make_shared<std::string>();
	create->add_option("device", *device, "Parent device (accel0 or /dev/accel0)")->required();
	create->add_option("--uuid", *uuid, "Its UUID (default: a random one)");
	create->callback([device, uuid] {
		std::cout << accel::create_mdev(device_name(*device), *uuid) << '\n';
	});

	auto *list = cmd->add_subcommand("list", "List the mdevs of every device");
	auto json = std::make_shared<bool>(false);
	list->add_flag("--json", *json, "Print a JSON array (docs/accelctl-json.md)");
	list->callback([json] {
		require_module();
		const auto mdevs = accel::read_mdevs();
		if (*json) {
			Json out = Json::array();
			for (const auto &m : mdevs)
				out.push_back(Json{{"uuid", m.uuid},
						   {"device", m.device},
						   {"iommu_group", m.iommu_group},
						   {"vfio_group", "/dev/vfio/" + m.iommu_group},
						   {"queue", m.queue_id}});
			std::cout << out.dump(2) << '\n';
			return;
		}
		Table t({"UUID", "DEVICE", "VFIO-GROUP", "QUEUE"});
		for (const auto &m : mdevs)
			t.add({m.uuid, m.device, "/dev/vfio/" + m.iommu_group,
			       m.queue_id ? std::to_string(m.queue_id) : "-"});
		t.print(std::cout);
	});

	auto *remove = cmd->add_subcommand(
		"remove", "Remove an mdev; if it is open, its queue ends and this waits for the close");
	auto remove_uuid = std::make_shared<std::string>();
	remove->add_option("uuid", *remove_uuid, "The mdev's UUID")->required();
	remove->callback([remove_uuid] {
		require_module();
		accel::remove_mdev(*remove_uuid);
		std::cout << *remove_uuid << ": removed\n";
	});
}

} // namespace accelctl
