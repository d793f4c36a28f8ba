// SPDX-License-Identifier: MIT
// The benchmark's quick mode, as the main job runs it (through accelctl
// bench): it completes and writes valid JSON with every metric present.
// No test asserts a speed.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "guest_util.hpp"

BOOST_AUTO_TEST_SUITE(benchmark)

BOOST_AUTO_TEST_CASE(quick_mode_writes_every_metric_as_json)
{
	const std::string out = "/tmp/accel-bench-quick";
	const std::string cmd = std::string(ACCELCTL_PATH) + " bench --out " + out + " > " + out + ".log 2>&1";
	const int status = std::system(cmd.c_str());
	BOOST_REQUIRE_MESSAGE(status == 0, "accelctl bench failed; see " << out << ".log");

	std::ifstream in(out + "/results.json");
	BOOST_REQUIRE(in);
	const auto json = nlohmann::json::parse(in);
	BOOST_TEST(json.at("format") == "accelfd-bench");
	BOOST_TEST(json.at("mode") == "quick");
	const auto &machine = json.at("machine");
	BOOST_TEST(!machine.at("kernel").get<std::string>().empty());
	BOOST_TEST(!machine.at("cpu").get<std::string>().empty());
	BOOST_TEST(machine.at("accel") == "tcg"); // run-guest's default

	std::set<std::string> seen;
	for (const auto &f : json.at("figures")) {
		const double v = f.at("value").get<double>();
		BOOST_TEST(std::isfinite(v));
		BOOST_TEST(v >= 0);
		BOOST_TEST(!f.at("unit").get<std::string>().empty());
		seen.insert(f.at("metric").get<std::string>() + "|" + f.at("path").get<std::string>() + "|" +
			    f.at("param").get<std::string>());
	}
	// Every metric of the benchmark issue, on every path it names.
	std::vector<std::string> expected;
	for (const char *path : {"store + release fence", "char ring", "char SUBMIT ioctl", "mdev ring"})
		for (const char *b : {"batch=1", "batch=64"})
			expected.push_back(std::string("M1|") + path + "|" + b);
	for (const char *path : {"two-CPU ping-pong (floor)", "char ring + poll", "char ring + WAIT",
				 "char SUBMIT ioctl + poll", "mdev ring + poll", "io_uring NOP",
				 "io_uring NOP, SQPOLL"})
		for (const char *p : {"p50", "p90", "p99", "p99.9"})
			expected.push_back(std::string("M2|") + path + "|" + p);
	for (const char *path : {"char ring", "mdev ring", "io_uring NOP, SQPOLL"})
		for (const char *b : {"batch=1", "batch=8", "batch=64"})
			expected.push_back(std::string("M3|") + path + "|" + b);
	for (const char *path : {"char device", "mdev"})
		for (const char *p : {"time", "syscalls"})
			expected.push_back(std::string("M4|") + path + "|" + p);
	for (const char *path : {"engine MEMMOVE", "CPU memcpy", "engine CRC32C", "CPU CRC32C (SSE4.2)"})
		for (const char *size : {"size=4096", "size=65536", "size=1048576", "size=4194304"})
			expected.push_back(std::string("M5|") + path + "|" + size);
	for (const char *path : {"char ring, aggregate", "char ring, Jain's fairness"})
		for (const char *p : {"processes=1", "processes=2", "processes=4", "processes=8"})
			expected.push_back(std::string("M6|") + path + "|" + p);
	expected.push_back("M6|engine threads, idle|cpu");
	for (const auto &key : expected)
		BOOST_TEST(seen.count(key) == 1u, key);

	for (const char *file : {"results.md", "latency_cdf.dat", "throughput.dat", "scaling.dat"})
		BOOST_TEST(std::ifstream(out + "/" + file).good(), file);
}

BOOST_AUTO_TEST_SUITE_END()
