// SPDX-License-Identifier: MIT
// accelctl against the real module, with real queues of a second process:
// every subcommand, its JSON checked against docs/accelctl.schema.json.
#include <array>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "accel/accel.hpp"
#include "guest_util.hpp"
#include "queue_owner.hpp"

namespace {

using guest::Outcome;
using guest::QueueOwner;
using Json = nlohmann::json;

struct Run {
	int status;
	std::string out;
};

/// Runs a shell command line; its output with stderr folded in.
Run shell(const std::string &cmd)
{
	FILE *pipe = ::popen((cmd + " 2>&1").c_str(), "r");
	BOOST_REQUIRE(pipe);
	std::string out;
	std::array<char, 4096> buf;
	while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe))
		out.append(buf.data(), n);
	const int status = ::pclose(pipe);
	return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

Run accelctl(const std::string &args)
{
	return shell(std::string(ACCELCTL_PATH) + " " + args);
}

/// accelctl's JSON output, required to succeed.
Json accelctl_json(const std::string &args)
{
	const Run run = accelctl(args);
	BOOST_REQUIRE_MESSAGE(run.status == 0, "accelctl " << args << ": " << run.out);
	return Json::parse(run.out);
}

/// Checks accelctl's output against one definition of the documented schema.
bool matches_schema(const std::string &args, const std::string &definition)
{
	const Run run = shell(std::string(ACCELCTL_PATH) + " " + args + " | " CHECK_SCHEMA_PATH " " +
			      ACCELFD_SOURCE_DIR "/docs/accelctl.schema.json " + definition);
	BOOST_TEST_MESSAGE(run.out);
	return run.status == 0;
}

const Json *find_queue(const Json &queues, std::uint32_t id)
{
	for (const Json &q : queues)
		if (q.at("queue") == id)
			return &q;
	return nullptr;
}

/// Restores accel0's settings when a test that changes them ends.
struct SettingsGuard {
	std::string saved = accelctl("save-config").out;
	~SettingsGuard() { shell("echo '" + saved + "' | " ACCELCTL_PATH " load-config -"); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(accelctl_cli)

BOOST_AUTO_TEST_CASE(list_json_matches_the_schema_and_get_info)
{
	BOOST_TEST(matches_schema("list --json", "list"));
	const Json json = accelctl_json("list --json");
	BOOST_REQUIRE(json.is_array());
	BOOST_REQUIRE(json.size() == accel::device_names().size());
	const Json &first = json.at(0);
	BOOST_TEST(first.at("device") == "accel0");
	BOOST_TEST(first.at("path") == "/dev/accel0");
	BOOST_TEST(first.at("state") == "enabled");
	const accel::DeviceInfo info = accel::Device::open(0).info();
	BOOST_TEST(first.at("index").get<unsigned>() == info.index);
	BOOST_TEST(first.at("abi_minor").get<unsigned>() == info.abi_minor);
	BOOST_TEST(first.at("engines").get<unsigned>() == info.engine_count);
	BOOST_TEST(first.at("caps").get<std::uint64_t>() == info.caps);
	const Json &limits = first.at("limits");
	BOOST_TEST(limits.at("max_queues_per_process").get<unsigned>() == info.max_queues_per_process);
	BOOST_TEST(limits.at("max_ring_entries").get<unsigned>() == info.max_ring_entries);
	BOOST_TEST(limits.at("max_transfer").get<std::uint64_t>() == info.max_transfer);
	BOOST_TEST(limits.at("max_queues_per_user").get<unsigned>() == info.max_queues_per_user);
	BOOST_TEST(limits.at("max_memory_per_user").get<std::uint64_t>() == info.max_memory_per_user);
	BOOST_TEST(first.at("ops").get<std::vector<std::string>>() == accel::op_names(info.ops_supported));
}

BOOST_AUTO_TEST_CASE(list_and_stats_show_a_queues_streams)
{
	QueueOwner owner(16);
	BOOST_REQUIRE(owner.ask(QueueOwner::create_stream, 1).err == 0);
	BOOST_REQUIRE(owner.ask(QueueOwner::create_stream, 9).err == 0);
	BOOST_TEST(matches_schema("list --json", "list"));
	const Json dev = accelctl_json("list --json --device accel0").at(0);
	const Json *q = find_queue(dev.at("queues"), owner.queue_id());
	BOOST_REQUIRE(q);
	BOOST_TEST(q->at("streams").get<unsigned>() == 2u);
	BOOST_TEST(dev.at("stream_count").get<unsigned>() >= 2u);
	const Run table = accelctl("stats --device accel0");
	BOOST_TEST(table.status == 0);
	BOOST_TEST(table.out.find("STREAMS") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(list_shows_another_processs_context_and_queue)
{
	QueueOwner owner(16);
	BOOST_REQUIRE(owner.ask(QueueOwner::run_nops, 5).outcome.ok == 5u);
	BOOST_TEST(matches_schema("list --json", "list"));
	const Json dev = accelctl_json("list --json --device accel0").at(0);
	const Json *q = find_queue(dev.at("queues"), owner.queue_id());
	BOOST_REQUIRE(q);
	BOOST_TEST(q->at("pid").get<int>() == owner.pid());
	BOOST_TEST(q->at("state") == "active");
	BOOST_TEST(q->at("sq_entries").get<unsigned>() == 16u);
	BOOST_TEST(q->at("completed").get<unsigned>() == 5u);
	bool context_found = false;
	for (const Json &c : dev.at("contexts"))
		if (c.at("context") == q->at("context"))
			context_found = c.at("pid").get<int>() == owner.pid();
	BOOST_TEST(context_found);

	const Run table = accelctl("list");
	BOOST_TEST(table.out.find("QUEUE") != std::string::npos);
	BOOST_TEST(table.out.find(" " + std::to_string(owner.pid()) + " ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(list_filters_by_pid_and_queue)
{
	QueueOwner a, b;
	const Json by_pid = accelctl_json("list --json --pid " + std::to_string(a.pid())).at(0);
	BOOST_TEST(by_pid.at("queues").size() == 1u);
	BOOST_TEST(by_pid.at("queues").at(0).at("queue") == a.queue_id());
	BOOST_TEST(by_pid.at("contexts").size() == 1u);
	const Json by_queue = accelctl_json("list --json -q " + std::to_string(b.queue_id())).at(0);
	BOOST_TEST(by_queue.at("queues").size() == 1u);
	BOOST_TEST(by_queue.at("queues").at(0).at("pid").get<int>() == b.pid());
	BOOST_TEST(accelctl_json("list --json --pid 999999").at(0).at("queues").empty());
}

BOOST_AUTO_TEST_CASE(list_of_a_missing_device_fails_with_a_sentence)
{
	const Run run = accelctl("list --device accel63");
	BOOST_TEST(run.status == 1);
	BOOST_TEST(run.out.find("accelctl: list: no device 'accel63'") == 0u, run.out);
}

BOOST_AUTO_TEST_CASE(info_json_matches_the_schema_and_counts_its_own_context)
{
	BOOST_TEST(matches_schema("info accel0 --json", "device"));
	const Json json = accelctl_json("info accel0 --json");
	BOOST_TEST(json.at("abi_major").get<unsigned>() == AFD_ABI_MAJOR);
	BOOST_TEST(json.at("context_count").get<unsigned>() >= 1u); // accelctl's own open
}

BOOST_AUTO_TEST_CASE(info_accepts_a_path_and_prints_key_value_lines)
{
	const Run run = accelctl("info /dev/accel0");
	BOOST_REQUIRE_MESSAGE(run.status == 0, run.out);
	BOOST_TEST(run.out.find("device: accel0\n") == 0u);
	BOOST_TEST(run.out.find("limits.max_ring_entries: ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(info_of_a_missing_device_fails_with_a_sentence)
{
	const Run run = accelctl("info accel63");
	BOOST_TEST(run.status == 1);
	BOOST_TEST(run.out.find("accelctl: info: no device 'accel63'") == 0u, run.out);
}

BOOST_AUTO_TEST_CASE(bad_usage_exits_2)
{
	BOOST_TEST(accelctl("").status == 2);
	BOOST_TEST(accelctl("list --no-such-flag").status == 2);
	BOOST_TEST(accelctl("info").status == 2);
	BOOST_TEST(accelctl("queue suspend accel0").status == 2);
	BOOST_TEST(accelctl("queue set-priority accel0 1 16").status == 2);
}

BOOST_AUTO_TEST_CASE(every_subcommand_has_help)
{
	for (const char *sub :
	     {"list", "info", "stats", "top", "config", "save-config", "load-config", "queue",
	      "queue suspend", "queue resume", "queue reset", "queue evict", "queue set-priority",
	      "device", "device enable", "device disable", "mdev", "mdev create", "mdev list",
	      "mdev remove", "cdi", "cdi generate", "bench"}) {
		const Run run = accelctl(std::string(sub) + " --help");
		BOOST_TEST(run.status == 0, sub);
		BOOST_TEST(run.out.find("Usage:") != std::string::npos, sub);
	}
	BOOST_TEST(accelctl("--help").out.find("Exit status: 0 success") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stats_counts_what_a_queue_did)
{
	QueueOwner owner;
	BOOST_REQUIRE(owner.ask(QueueOwner::run_nops, 7).outcome.ok == 7u);
	BOOST_TEST(matches_schema("stats --json", "stats"));
	const Json dev = accelctl_json("stats --json -d accel0").at(0);
	const Json *q = find_queue(dev.at("queues"), owner.queue_id());
	BOOST_REQUIRE(q);
	BOOST_TEST(q->at("submitted").get<unsigned>() == 7u);
	BOOST_TEST(q->at("completed").get<unsigned>() == 7u);
	BOOST_TEST(q->at("errors").get<unsigned>() == 0u);
	BOOST_TEST(dev.at("engine").at("busy_ns").get<std::uint64_t>() > 0u);
	const Run text = accelctl("stats");
	BOOST_TEST(text.out.find("accel0: engines") == 0u);
}

BOOST_AUTO_TEST_CASE(top_shows_each_queue_with_its_rate)
{
	QueueOwner owner;
	BOOST_REQUIRE(owner.ask(QueueOwner::run_nops, 3).outcome.ok == 3u);
	const Run run = accelctl("top -n 2 -i 0.1 -d accel0");
	BOOST_REQUIRE_MESSAGE(run.status == 0, run.out);
	BOOST_TEST(run.out.find("OPS/S") != std::string::npos);
	std::istringstream lines(run.out);
	bool row = false;
	for (std::string line; std::getline(lines, line);) {
		std::istringstream cols(line);
		std::uint32_t id;
		int pid;
		if (cols >> id >> pid && id == owner.queue_id() && pid == owner.pid())
			row = true;
	}
	BOOST_TEST(row, run.out);
}

BOOST_AUTO_TEST_CASE(config_sets_limits_and_shows_settings)
{
	SettingsGuard guard;
	BOOST_TEST(matches_schema("config accel0 --json", "settings"));
	const Run set = accelctl("config accel0 --max-queues 100 --max-ring-entries 1024");
	BOOST_REQUIRE_MESSAGE(set.status == 0, set.out);
	BOOST_TEST(guest::sysfs("accel0", "max_queues") == "100");
	BOOST_TEST(guest::sysfs("accel0", "max_ring_entries") == "1024");
	BOOST_TEST(set.out.find("max_queues: 100") != std::string::npos);
	// The ring bounds go in whichever order keeps min <= max.
	BOOST_TEST(accelctl("config accel0 --min-ring-entries 2048 --max-ring-entries 4096").status == 0);
	BOOST_TEST(guest::sysfs("accel0", "min_ring_entries") == "2048");
}

BOOST_AUTO_TEST_CASE(config_with_a_bad_value_names_device_and_setting)
{
	const Run run = accelctl("config accel0 --min-ring-entries 12");
	BOOST_TEST(run.status == 1);
	BOOST_TEST(run.out.find("accel0/min_ring_entries") != std::string::npos, run.out);
	BOOST_TEST(run.out.find("refused the value") != std::string::npos, run.out);
}

BOOST_AUTO_TEST_CASE(save_then_load_restores_the_settings)
{
	SettingsGuard guard;
	const std::string file = "/tmp/accelctl-config.json";
	BOOST_REQUIRE(accelctl("save-config " + file).status == 0);
	BOOST_TEST(shell(CHECK_SCHEMA_PATH " " ACCELFD_SOURCE_DIR "/docs/accelctl.schema.json config < " + file)
			   .status == 0);
	const std::string before = accelctl("save-config").out;

	BOOST_REQUIRE(accelctl("config accel0 --max-queues-per-process 3 --max-transfer 65536 "
			       "--min-ring-entries 16")
			      .status == 0);
	BOOST_REQUIRE(accelctl("device disable accel0").status == 0);
	BOOST_REQUIRE(accelctl("save-config").out != before);

	const Run load = accelctl("load-config " + file);
	BOOST_REQUIRE_MESSAGE(load.status == 0, load.out);
	BOOST_TEST(accelctl("save-config").out == before);
	BOOST_TEST(guest::sysfs("accel0", "state") == "enabled");
}

BOOST_AUTO_TEST_CASE(load_config_refuses_a_bad_file_before_changing_anything)
{
	const std::string before = accelctl("save-config").out;
	const Run not_json = shell("echo '{' | " ACCELCTL_PATH " load-config -");
	BOOST_TEST(not_json.status == 2);
	const Run unknown = shell("echo '{\"format\":\"accelfd-config\",\"version\":1,\"devices\":["
				  "{\"device\":\"accel0\",\"limits\":{\"max_queues\":5}},"
				  "{\"device\":\"accel0\",\"limits\":{\"max_speed\":1}}]}' | " ACCELCTL_PATH
				  " load-config -");
	BOOST_TEST(unknown.status == 2);
	BOOST_TEST(unknown.out.find("unknown limit \"max_speed\"") != std::string::npos, unknown.out);
	BOOST_TEST(accelctl("save-config").out == before);
}

BOOST_AUTO_TEST_CASE(queue_suspend_and_resume_another_processs_queue)
{
	QueueOwner owner;
	const std::string id = std::to_string(owner.queue_id());
	const Run suspend = accelctl("queue suspend accel0 " + id);
	BOOST_REQUIRE_MESSAGE(suspend.status == 0, suspend.out);
	BOOST_TEST(suspend.out == "accel0 queue " + id + ": suspend done\n");
	const auto cancelled = owner.ask(QueueOwner::run_nops, 4);
	BOOST_TEST(cancelled.outcome == (Outcome{0, 4, 0, 0}));
	BOOST_TEST(accelctl_json("list --json -q " + id).at(0).at("queues").at(0).at("state") ==
		   "suspended");
	BOOST_REQUIRE(accelctl("queue resume accel0 " + id).status == 0);
	BOOST_TEST(owner.ask(QueueOwner::run_nops, 4).outcome == (Outcome{4, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(queue_set_priority_throttles_or_favours_a_queue)
{
	QueueOwner owner;
	const std::string id = std::to_string(owner.queue_id());
	BOOST_REQUIRE(accelctl("queue set-priority accel0 " + id + " 12").status == 0);
	BOOST_TEST(accelctl_json("list --json -q " + id).at(0).at("queues").at(0).at("priority") == 12);
}

BOOST_AUTO_TEST_CASE(queue_reset_brings_a_corrupted_queue_back)
{
	QueueOwner owner;
	const std::string id = std::to_string(owner.queue_id());
	owner.ask(QueueOwner::corrupt);
	bool in_error = false;
	for (int i = 0; i < 300 && !in_error; i++) {
		owner.ask(QueueOwner::kick);
		in_error = owner.ask(QueueOwner::query).state == AFD_QUEUE_STATE_ERROR;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	BOOST_REQUIRE(in_error);
	const Run reset = accelctl("queue reset accel0 " + id);
	BOOST_REQUIRE_MESSAGE(reset.status == 0, reset.out);
	owner.ask(QueueOwner::resync);
	BOOST_TEST(owner.ask(QueueOwner::run_nops, 5).outcome == (Outcome{5, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(queue_evict_ends_another_processs_queue)
{
	QueueOwner owner;
	const std::string id = std::to_string(owner.queue_id());
	BOOST_REQUIRE(accelctl("queue evict accel0 " + id).status == 0);
	BOOST_TEST(owner.ask(QueueOwner::query).err == ECANCELED);
	BOOST_TEST(accelctl_json("list --json -q " + id).at(0).at("queues").empty());
}

BOOST_AUTO_TEST_CASE(queue_errors_are_sentences_naming_device_and_queue)
{
	const Run missing = accelctl("queue suspend accel0 65000");
	BOOST_TEST(missing.status == 1);
	BOOST_TEST(missing.out.find("AFD_IOC_QUEUE_ADMIN(suspend, queue 65000)) on /dev/accel0") !=
			   std::string::npos,
		   missing.out);
	BOOST_TEST(missing.out.find("the device has no queue with this id") != std::string::npos);

	QueueOwner owner;
	const Run active = accelctl("queue resume accel0 " + std::to_string(owner.queue_id()));
	BOOST_TEST(active.status == 1);
	BOOST_TEST(active.out.find("(EINVAL); the queue's state does not allow this") !=
			   std::string::npos,
		   active.out);
}

BOOST_AUTO_TEST_CASE(device_disable_cancels_work_and_enable_restores_it)
{
	QueueOwner owner;
	BOOST_REQUIRE(accelctl("device disable accel0").status == 0);
	const Outcome disabled = owner.ask(QueueOwner::run_nops, 2).outcome;
	const std::string state = guest::sysfs("accel0", "state");
	BOOST_REQUIRE(accelctl("device enable accel0").status == 0);
	BOOST_TEST(disabled == (Outcome{0, 2, 0, 0}));
	BOOST_TEST(state == "disabled");
	BOOST_TEST(owner.ask(QueueOwner::run_nops, 2).outcome == (Outcome{2, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(an_unprivileged_user_may_look_but_not_administer)
{
	QueueOwner owner;
	const std::string id = std::to_string(owner.queue_id());
	const int status = guest::in_child([&] {
		if (!guest::become_nobody(true))
			return 200;
		if (accelctl("list --json").status != 0)
			return 201;
		const Run suspend = accelctl("queue suspend accel0 " + id);
		if (suspend.status != 4 || suspend.out.find("CAP_SYS_ADMIN") == std::string::npos)
			return 202;
		const Run config = accelctl("config accel0 --max-queues 5");
		if (config.status != 4 || config.out.find("only root") == std::string::npos)
			return 203;
		if (accelctl("device disable accel0").status != 4)
			return 204;
		return 0;
	});
	BOOST_TEST(status == 0);
	BOOST_TEST(owner.ask(QueueOwner::query).state == AFD_QUEUE_STATE_ACTIVE);
}

BOOST_AUTO_TEST_SUITE_END()
