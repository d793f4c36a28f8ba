// SPDX-License-Identifier: MIT
// accelctl list: devices, the processes that have them open, and their
// queues, from sysfs (no device is opened).
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace accelctl {
namespace {

struct Filter {
	std::string device;
	int pid = 0;		 ///< 0: any
	std::int64_t queue = -1; ///< -1: any

	bool matches(const accel::ContextStatus &ctx) const { return !pid || ctx.pid == pid; }
	bool matches(const accel::QueueStatus &q) const
	{
		return (!pid || q.pid == pid) && (queue < 0 || q.id == queue);
	}
};

struct DeviceView {
	accel::DeviceStatus status;
	std::vector<accel::ContextStatus> contexts;
	std::vector<accel::QueueStatus> queues;
};

std::vector<DeviceView> collect(const Filter &filter)
{
	std::vector<DeviceView> views;
	for (const auto &name : selected_devices(filter.device)) {
		DeviceView view{accel::read_status(name), {}, {}};
		for (auto &ctx : accel::read_contexts(name))
			if (filter.matches(ctx) && filter.queue < 0)
				view.contexts.push_back(std::move(ctx));
		for (auto &q : accel::read_queues(name))
			if (filter.matches(q))
				view.queues.push_back(std::move(q));
		views.push_back(std::move(view));
	}
	return views;
}

std::string join(const std::vector<std::string> &items)
{
	std::string out;
	for (const auto &item : items)
		out += (out.empty() ? "" : ",") + item;
	return out.empty() ? "-" : out;
}

void print_tables(const std::vector<DeviceView> &views)
{
	Table devices({"DEVICE", "STATE", "ENGINES", "CONTEXTS", "QUEUES", "QUEUES/PROC",
		       "MAX-QUEUES", "RING", "OPS"});
	Table contexts({"DEVICE", "CONTEXT", "PID", "COMM", "QUEUES"});
	Table queues({"DEVICE", "QUEUE", "CONTEXT", "PID", "COMM", "STATE", "PRIO", "SQ", "CQ",
		      "SUBMITTED", "COMPLETED", "ERRORS", "BYTES", "STREAMS"});
	bool any_context = false, any_queue = false;
	for (const auto &v : views) {
		const accel::DeviceInfo &info = v.status.info;
		devices.add({info.name, v.status.state, std::to_string(info.engine_count),
			     std::to_string(v.status.contexts), std::to_string(v.status.queues),
			     std::to_string(info.max_queues_per_process),
			     std::to_string(info.max_queues),
			     std::to_string(info.min_ring_entries) + "-" +
				     std::to_string(info.max_ring_entries),
			     join(accel::op_names(info.ops_supported))});
		for (const auto &c : v.contexts) {
			any_context = true;
			contexts.add({info.name, std::to_string(c.id), std::to_string(c.pid), c.comm,
				      std::to_string(c.queues)});
		}
		for (const auto &q : v.queues) {
			any_queue = true;
			queues.add({info.name, std::to_string(q.id), std::to_string(q.context),
				    std::to_string(q.pid), q.comm, q.state, std::to_string(q.priority),
				    std::to_string(q.sq_entries), std::to_string(q.cq_entries),
				    std::to_string(q.submitted), std::to_string(q.completed),
				    std::to_string(q.errors), std::to_string(q.bytes),
				    std::to_string(q.streams)});
		}
	}
	devices.print(std::cout);
	if (any_context) {
		std::cout << '\n';
		contexts.print(std::cout);
	}
	if (any_queue) {
		std::cout << '\n';
		queues.print(std::cout);
	}
}

} // namespace

void add_list(CLI::App &app)
{
	auto *cmd = app.add_subcommand(
		"list", "List devices, the processes that have them open, and their queues");
	auto filter = std::make_shared<Filter>();
	auto json = std::make_shared<bool>(false);
	cmd->add_option("-d,--device", filter->device, "Only this device (accel0 or /dev/accel0)");
	cmd->add_option("-p,--pid", filter->pid, "Only the contexts and queues of this process")
		->check(CLI::PositiveNumber);
	cmd->add_option("-q,--queue", filter->queue, "Only this queue (ids are per device)")
		->check(CLI::NonNegativeNumber);
	cmd->add_flag("--json", *json, "Print a JSON array of devices (docs/accelctl-json.md)");
	cmd->callback([filter, json] {
		const auto views = collect(*filter);
		if (!*json) {
			print_tables(views);
			return;
		}
		Json out = Json::array();
		for (const auto &v : views) {
			Json dev = to_json(v.status);
			dev["contexts"] = Json::array();
			for (const auto &c : v.contexts)
				dev["contexts"].push_back(to_json(c));
			dev["queues"] = Json::array();
			for (const auto &q : v.queues)
				dev["queues"].push_back(to_json(q));
			out.push_back(std::move(dev));
		}
		std::cout << out.dump(2) << '\n';
	});
}

} // namespace accelctl
