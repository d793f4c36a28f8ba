// SPDX-License-Identifier: MIT
// accelctl: what every subcommand shares: devices, JSON forms, tables.
#include <algorithm>
#include <iostream>

#include "commands.hpp"

namespace accelctl {

void require_module()
{
	if (!accel::module_loaded())
		throw Failure(EXIT_NOT_LOADED,
			      "the accelfd module is not loaded (no /sys/class/accelfd); "
			      "load it with 'modprobe accelfd'");
}

std::string device_name(const std::string &arg)
{
	require_module();
	const std::string name = arg.starts_with("/dev/") ? arg.substr(5) : arg;
	const auto names = accel::device_names();
	if (std::ranges::find(names, name) == names.end())
		throw Failure(EXIT_FAILED, "no device '" + arg +
						   "' ('accelctl list' shows the devices)");
	return name;
}

std::vector<std::string> selected_devices(const std::string &only)
{
	if (!only.empty())
		return {device_name(only)};
	require_module();
	return accel::device_names();
}

Json to_json(const accel::DeviceStatus &status)
{
	const accel::DeviceInfo &info = status.info;
	return Json{
		{"device", info.name},
		{"index", info.index},
		{"path", "/dev/" + info.name},
		{"state", status.state},
		{"enabled", status.enabled},
		{"abi_major", info.abi_major},
		{"abi_minor", info.abi_minor},
		{"engines", info.engine_count},
		{"context_count", status.contexts},
		{"queue_count", status.queues},
		{"stream_count", status.streams},
		{"caps", info.caps},
		{"ops", accel::op_names(info.ops_supported)},
		{"limits",
		 {
			 {"max_queues_per_process", info.max_queues_per_process},
			 {"max_queues", info.max_queues},
			 {"min_ring_entries", info.min_ring_entries},
			 {"max_ring_entries", info.max_ring_entries},
			 {"max_transfer", info.max_transfer},
			 {"max_queues_per_user", info.max_queues_per_user},
			 {"max_memory_per_user", info.max_memory_per_user},
			 {"max_streams_per_process", info.max_streams_per_process},
			 {"max_streams", info.max_streams},
		 }},
		{"engine",
		 {
			 {"busy_ns", status.engine_busy_ns},
			 {"sleeps", status.engine_sleeps},
			 {"wakeups", status.engine_wakeups},
		 }},
	};
}

Json to_json(const accel::ContextStatus &ctx)
{
	return Json{
		{"context", ctx.id},
		{"pid", ctx.pid},
		{"comm", ctx.comm},
		{"queue_count", ctx.queues},
	};
}

Json to_json(const accel::QueueStatus &q)
{
	return Json{
		{"queue", q.id},
		{"context", q.context},
		{"pid", q.pid},
		{"comm", q.comm},
		{"state", q.state},
		{"priority", q.priority},
		{"sq_entries", q.sq_entries},
		{"cq_entries", q.cq_entries},
		{"submitted", q.submitted},
		{"completed", q.completed},
		{"errors", q.errors},
		{"bytes", q.bytes},
		{"streams", q.streams},
	};
}

void Table::print(std::ostream &out) const
{
	std::vector<std::size_t> widths;
	for (const auto &row : rows_) {
		widths.resize(std::max(widths.size(), row.size()));
		for (std::size_t i = 0; i < row.size(); i++)
			widths[i] = std::max(widths[i], row[i].size());
	}
	for (const auto &row : rows_) {
		std::string line;
		for (std::size_t i = 0; i < row.size(); i++) {
			line += row[i];
			if (i + 1 < row.size())
				line += std::string(widths[i] - row[i].size() + 2, ' ');
		}
		out << line << '\n';
	}
}

} // namespace accelctl
