// SPDX-License-Identifier: MIT
// accelctl against the real module: its table and its JSON.
#include <array>
#include <cstdio>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

struct Run {
	int status;
	std::string out;
};

/// Runs accelctl with @p args (stderr folded into the output).
Run accelctl(const std::string &args)
{
	const std::string cmd = std::string(ACCELCTL_PATH) + " " + args + " 2>&1";
	FILE *pipe = ::popen(cmd.c_str(), "r");
	BOOST_REQUIRE(pipe);
	std::string out;
	std::array<char, 4096> buf;
	while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe))
		out.append(buf.data(), n);
	const int status = ::pclose(pipe);
	return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

} // namespace

BOOST_AUTO_TEST_SUITE(accelctl_cli)

BOOST_AUTO_TEST_CASE(list_json_is_an_array_of_devices_matching_get_info)
{
	const Run run = accelctl("list --json");
	BOOST_REQUIRE_MESSAGE(run.status == 0, run.out);
	const auto json = nlohmann::ordered_json::parse(run.out);
	BOOST_REQUIRE(json.is_array());
	BOOST_REQUIRE(json.size() == accel::device_names().size());

	const auto &first = json.at(0);
	BOOST_TEST(first.begin().key() == "device"); // the name comes first
	BOOST_TEST(first.at("device") == "accel0");
	BOOST_TEST(first.at("path") == "/dev/accel0");
	BOOST_TEST(first.at("state") == "enabled");

	const accel::DeviceInfo info = accel::Device::open(0).info();
	BOOST_TEST(first.at("index").is_number_unsigned());
	BOOST_TEST(first.at("index").get<unsigned>() == info.index);
	BOOST_TEST(first.at("abi_major").get<unsigned>() == info.abi_major);
	BOOST_TEST(first.at("abi_minor").get<unsigned>() == info.abi_minor);
	BOOST_TEST(first.at("engines").get<unsigned>() == info.engine_count);
	BOOST_TEST(first.at("caps").get<std::uint64_t>() == info.caps);
	BOOST_TEST(first.at("max_queues_per_process").get<unsigned>() == info.max_queues_per_process);
	BOOST_TEST(first.at("max_queues").get<unsigned>() == info.max_queues);
	BOOST_TEST(first.at("min_ring_entries").get<unsigned>() == info.min_ring_entries);
	BOOST_TEST(first.at("max_ring_entries").get<unsigned>() == info.max_ring_entries);
	BOOST_TEST(first.at("ops").get<std::vector<std::string>>() == accel::op_names(info.ops_supported));
	BOOST_TEST(first.at("contexts").get<unsigned>() == 0u);
}

BOOST_AUTO_TEST_CASE(list_table_has_a_header_and_a_row_per_device)
{
	const Run run = accelctl("list");
	BOOST_REQUIRE_MESSAGE(run.status == 0, run.out);
	std::istringstream lines(run.out);
	std::string header, row;
	std::getline(lines, header);
	BOOST_TEST(header.starts_with("DEVICE"));
	BOOST_TEST(header.find("ENGINES") != std::string::npos);
	BOOST_TEST(header.find("RING") != std::string::npos);

	const accel::DeviceInfo info = accel::Device::open(0).info();
	std::getline(lines, row);
	std::istringstream cols(row);
	std::string name, state;
	unsigned engines = 0;
	cols >> name >> state >> engines;
	BOOST_TEST(name == "accel0");
	BOOST_TEST(state == "enabled");
	BOOST_TEST(engines == info.engine_count);
	BOOST_TEST(row.find(std::to_string(info.min_ring_entries) + "-" +
			    std::to_string(info.max_ring_entries)) != std::string::npos);
	unsigned rows = 1;
	while (std::getline(lines, row))
		rows++;
	BOOST_TEST(rows == accel::device_names().size());
}

BOOST_AUTO_TEST_CASE(info_json_comes_from_the_device_and_counts_its_own_context)
{
	const Run run = accelctl("info accel0 --json");
	BOOST_REQUIRE_MESSAGE(run.status == 0, run.out);
	const auto json = nlohmann::json::parse(run.out);
	BOOST_TEST(json.at("device") == "accel0");
	BOOST_TEST(json.at("abi_major").get<unsigned>() == AFD_ABI_MAJOR);
	BOOST_TEST(json.at("contexts").get<unsigned>() == 1u); // accelctl's own open
}

BOOST_AUTO_TEST_CASE(info_accepts_a_path_and_prints_key_value_lines)
{
	const Run run = accelctl("info /dev/accel0");
	BOOST_REQUIRE_MESSAGE(run.status == 0, run.out);
	BOOST_TEST(run.out.find("device: accel0\n") == 0u);
	BOOST_TEST(run.out.find("max_ring_entries: ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(info_of_a_missing_device_fails_with_a_sentence)
{
	const Run run = accelctl("info accel63");
	BOOST_TEST(run.status == 1);
	BOOST_TEST(run.out.find("accelctl: info: open /dev/accel63: No such file or directory") == 0u);
}

BOOST_AUTO_TEST_CASE(bad_usage_exits_2)
{
	BOOST_TEST(accelctl("").status == 2);
	BOOST_TEST(accelctl("list --no-such-flag").status == 2);
	BOOST_TEST(accelctl("info").status == 2);
}

BOOST_AUTO_TEST_SUITE_END()
