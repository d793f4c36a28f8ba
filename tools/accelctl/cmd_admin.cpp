// SPDX-License-Identifier: MIT
// accelctl queue and device: an operator acting on any process's queue,
// and on a whole device. Both need CAP_SYS_ADMIN.
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace accelctl {
namespace {

struct QueueArgs {
	std::string device;
	std::uint32_t queue = 0;
	std::uint32_t priority = 0;
};

void add_queue_action(CLI::App &parent, accel::QueueAction action, const char *help)
{
	auto *cmd = parent.add_subcommand(std::string(accel::action_name(action)), help);
	auto args = std::make_shared<QueueArgs>();
	cmd->add_option("device", args->device, "Device name (accel0) or path")->required();
	cmd->add_option("queue", args->queue, "Queue id ('accelctl list' shows them)")
		->required();
	if (action == accel::QueueAction::set_priority)
		cmd->add_option("priority", args->priority, "0 (lowest) to 15")
			->required()
			->check(CLI::Range(0, AFD_QUEUE_PRIORITY_MAX));
	cmd->callback([args, action] {
		const std::string name = device_name(args->device);
		const auto dev = accel::Device::open("/dev/" + name);
		accel::administer_queue(dev, args->queue, action, args->priority);
		std::cout << name << " queue " << args->queue << ": "
			  << accel::action_name(action) << " done\n";
	});
}

} // namespace

void add_queue(CLI::App &app)
{
	auto *cmd = app.add_subcommand("queue", "Act on any process's queue (needs CAP_SYS_ADMIN)");
	cmd->require_subcommand(1);
	add_queue_action(*cmd, accel::QueueAction::suspend,
			 "Stop executing the queue's work: each descriptor completes with "
			 "ECANCELED until resumed");
	add_queue_action(*cmd, accel::QueueAction::resume, "Execute a suspended queue's work again");
	add_queue_action(*cmd, accel::QueueAction::reset,
			 "Bring a queue in error back: pending work is dropped, indices zeroed");
	add_queue_action(*cmd, accel::QueueAction::evict,
			 "Destroy the queue; its owner's later calls on it fail with ECANCELED");
	add_queue_action(*cmd, accel::QueueAction::set_priority,
			 "Change the queue's priority (its share of its engine)");
}

void add_device(CLI::App &app)
{
	auto *cmd = app.add_subcommand("device", "Enable or disable a device (needs CAP_SYS_ADMIN)");
	cmd->require_subcommand(1);
	for (const bool enable : {true, false}) {
		auto *sub = cmd->add_subcommand(
			enable ? "enable" : "disable",
			enable ? "Accept new queues and execute work again"
			       : "Refuse new queues (ENXIO); queued work completes with ECANCELED");
		auto device = std::make_shared<std::string>();
		sub->add_option("device", *device, "Device name (accel0) or path")->required();
		sub->callback([device, enable] {
			const std::string name = device_name(*device);
			accel::set_enabled(name, enable);
			std::cout << name << ": " << (enable ? "enabled" : "disabled") << '\n';
		});
	}
}

} // namespace accelctl
