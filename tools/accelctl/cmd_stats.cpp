// SPDX-License-Identifier: MIT
// accelctl stats and top: the counters of devices and queues, once or live.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <thread>
#include <unistd.h>

#include "commands.hpp"

namespace accelctl {
namespace {

struct Snapshot {
	std::chrono::steady_clock::time_point when;
	accel::DeviceStatus device;
	std::vector<accel::QueueStatus> queues;
};

Snapshot snapshot(const std::string &name)
{
	// Queues first: a queue's counters never run ahead of its device's.
	auto queues = accel::read_queues(name);
	return {std::chrono::steady_clock::now(), accel::read_status(name), std::move(queues)};
}

Json stats_json(const Snapshot &s)
{
	Json dev = to_json(s.device);
	Json out{{"device", s.device.info.name},
		 {"engines", s.device.info.engine_count},
		 {"engine", dev["engine"]},
		 {"queues", Json::array()}};
	for (const auto &q : s.queues)
		out["queues"].push_back(to_json(q));
	return out;
}

void print_stats(const Snapshot &s)
{
	std::cout << s.device.info.name << ": engines " << s.device.info.engine_count
		  << ", busy " << s.device.engine_busy_ns << " ns, sleeps "
		  << s.device.engine_sleeps << ", wakeups " << s.device.engine_wakeups << '\n';
	Table t({"QUEUE", "PID", "COMM", "STATE", "SUBMITTED", "COMPLETED", "ERRORS", "BYTES",
		 "STREAMS"});
	for (const auto &q : s.queues)
		t.add({std::to_string(q.id), std::to_string(q.pid), q.comm, q.state,
		       std::to_string(q.submitted), std::to_string(q.completed),
		       std::to_string(q.errors), std::to_string(q.bytes), std::to_string(q.streams)});
	t.print(std::cout);
}

std::string fixed(double value, int decimals = 1)
{
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
	return buf;
}

/// One screen of top: rates between two snapshots of one device.
void print_rates(const Snapshot &before, const Snapshot &after)
{
	const double seconds = std::chrono::duration<double>(after.when - before.when).count();
	const double busy_ns =
		static_cast<double>(after.device.engine_busy_ns - before.device.engine_busy_ns);
	const double engines = std::max(1u, after.device.info.engine_count);
	std::cout << after.device.info.name << "  state " << after.device.state << "  engines "
		  << after.device.info.engine_count << "  busy "
		  << fixed(100.0 * busy_ns / (seconds * 1e9 * engines)) << "%  queues "
		  << after.queues.size() << '\n';

	std::map<std::uint32_t, const accel::QueueStatus *> old;
	for (const auto &q : before.queues)
		old[q.id] = &q;
	struct Row {
		double ops, mbytes, errors;
		const accel::QueueStatus *q;
	};
	std::vector<Row> rows;
	for (const auto &q : after.queues) {
		const auto it = old.find(q.id);
		const accel::QueueStatus zero{};
		const accel::QueueStatus &o = it == old.end() ? zero : *it->second;
		rows.push_back({static_cast<double>(q.completed - o.completed) / seconds,
				static_cast<double>(q.bytes - o.bytes) / seconds / 1e6,
				static_cast<double>(q.errors - o.errors) / seconds, &q});
	}
	std::ranges::sort(rows, [](const Row &a, const Row &b) { return a.ops > b.ops; });
	Table t({"QUEUE", "PID", "COMM", "STATE", "PRIO", "OPS/S", "MB/S", "ERR/S", "COMPLETED"});
	for (const auto &r : rows)
		t.add({std::to_string(r.q->id), std::to_string(r.q->pid), r.q->comm, r.q->state,
		       std::to_string(r.q->priority), fixed(r.ops), fixed(r.mbytes, 2),
		       fixed(r.errors), std::to_string(r.q->completed)});
	t.print(std::cout);
}

} // namespace

void add_stats(CLI::App &app)
{
	auto *cmd = app.add_subcommand("stats", "Show the engine and queue counters");
	auto device = std::make_shared<std::string>();
	auto json = std::make_shared<bool>(false);
	cmd->add_option("-d,--device", *device, "Only this device");
	cmd->add_flag("--json", *json, "Print a JSON array (docs/accelctl-json.md)");
	cmd->callback([device, json] {
		Json out = Json::array();
		for (const auto &name : selected_devices(*device)) {
			const Snapshot s = snapshot(name);
			if (*json)
				out.push_back(stats_json(s));
			else
				print_stats(s);
		}
		if (*json)
			std::cout << out.dump(2) << '\n';
	});
}

void add_top(CLI::App &app)
{
	auto *cmd = app.add_subcommand("top", "Show live rates per queue, busiest first");
	auto device = std::make_shared<std::string>();
	auto interval = std::make_shared<double>(1.0);
	auto iterations = std::make_shared<unsigned>(0);
	cmd->add_option("-d,--device", *device, "Only this device");
	cmd->add_option("-i,--interval", *interval, "Seconds between screens (default 1)")
		->check(CLI::Range(0.05, 3600.0));
	cmd->add_option("-n,--iterations", *iterations,
			"Screens to show, then exit (default: until interrupted)");
	cmd->callback([device, interval, iterations] {
		const auto names = selected_devices(*device);
		const bool tty = ::isatty(STDOUT_FILENO);
		std::vector<Snapshot> last;
		for (const auto &name : names)
			last.push_back(snapshot(name));
		for (unsigned round = 0; *iterations == 0 || round < *iterations; round++) {
			std::this_thread::sleep_for(std::chrono::duration<double>(*interval));
			if (tty)
				std::cout << "\x1b[H\x1b[2J"; // home, clear
			for (std::size_t i = 0; i < names.size(); i++) {
				Snapshot now = snapshot(names[i]);
				print_rates(last[i], now);
				last[i] = std::move(now);
			}
			std::cout << std::endl;
		}
	});
}

} // namespace accelctl
