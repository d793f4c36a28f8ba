// SPDX-License-Identifier: MIT
// accelctl config, save-config, load-config: a device's settings (its
// limits and whether it is enabled), which live in sysfs.
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "commands.hpp"

namespace accelctl {
namespace {

constexpr const char *config_format = "accelfd-config";
constexpr unsigned config_version = 1;

using Limits = std::map<std::string, std::uint64_t, std::less<>>;

Json settings_json(const std::string &name)
{
	const Json dev = to_json(accel::read_status(name));
	return Json{{"device", name}, {"enabled", dev["enabled"]}, {"limits", dev["limits"]}};
}

/// Sets @p limits on @p name. The ring bounds are set in the order that
/// keeps min <= max at every step, which the kernel insists on.
void apply_limits(const std::string &name, const Limits &limits)
{
	const auto current = accel::read_status(name).info;
	std::vector<std::string_view> order(std::begin(accel::settable_limits),
					    std::end(accel::settable_limits));
	if (auto min = limits.find("min_ring_entries");
	    min != limits.end() && min->second > current.max_ring_entries)
		std::ranges::iter_swap(std::ranges::find(order, "min_ring_entries"),
				       std::ranges::find(order, "max_ring_entries"));
	for (std::string_view limit : order)
		if (auto it = limits.find(limit); it != limits.end())
			accel::set_limit(name, limit, it->second);
}

/// Checks one device's entry of a configuration file before anything is
/// applied; Failure(EXIT_USAGE) names what is wrong.
void check_entry(const Json &entry, const std::string &where)
{
	const auto bad = [&](const std::string &what) {
		throw Failure(EXIT_USAGE, where + ": " + what);
	};
	if (!entry.is_object() || !entry.contains("device") || !entry["device"].is_string())
		bad("each device entry needs a \"device\" name");
	if (entry.contains("enabled") && !entry["enabled"].is_boolean())
		bad("\"enabled\" must be true or false");
	if (!entry.contains("limits"))
		return;
	if (!entry["limits"].is_object())
		bad("\"limits\" must be an object");
	for (const auto &[key, value] : entry["limits"].items()) {
		if (std::ranges::find(accel::settable_limits, key) == std::end(accel::settable_limits))
			bad("unknown limit \"" + key + "\"");
		if (!value.is_number_unsigned())
			bad("limit \"" + key + "\" must be a non-negative integer");
	}
}

} // namespace

void add_config(CLI::App &app)
{
	auto *cmd = app.add_subcommand(
		"config", "Show a device's settings, or set its limits (needs CAP_SYS_ADMIN)");
	auto device = std::make_shared<std::string>();
	auto values = std::make_shared<std::map<std::string, std::uint64_t>>();
	auto json = std::make_shared<bool>(false);
	cmd->add_option("device", *device, "Device name (accel0) or path")->required();
	for (std::string_view limit : accel::settable_limits) {
		std::string flag = "--" + std::string(limit);
		std::ranges::replace(flag, '_', '-');
		cmd->add_option_function<std::uint64_t>(
			flag, [values, limit](std::uint64_t v) { (*values)[std::string(limit)] = v; },
			"Set " + std::string(limit));
	}
	cmd->add_flag("--json", *json, "Print the settings as JSON");
	cmd->callback([device, values, json] {
		const std::string name = device_name(*device);
		if (!values->empty())
			apply_limits(name, Limits(values->begin(), values->end()));
		const Json settings = settings_json(name);
		if (*json) {
			std::cout << settings.dump(2) << '\n';
			return;
		}
		std::cout << "device: " << name << "\nenabled: " << settings["enabled"] << '\n';
		for (const auto &[key, value] : settings["limits"].items())
			std::cout << key << ": " << value << '\n';
	});
}

void add_save_config(CLI::App &app)
{
	auto *cmd = app.add_subcommand("save-config",
				       "Write every device's settings as JSON, for load-config");
	auto file = std::make_shared<std::string>("-");
	cmd->add_option("file", *file, "Where to write ('-', the default, is standard output)");
	cmd->callback([file] {
		Json config{{"format", config_format},
			    {"version", config_version},
			    {"devices", Json::array()}};
		for (const auto &name : selected_devices(""))
			config["devices"].push_back(settings_json(name));
		if (*file == "-") {
			std::cout << config.dump(2) << '\n';
			return;
		}
		std::ofstream out(*file);
		if (!(out << config.dump(2) << '\n') || !out.flush())
			throw Failure(EXIT_FAILED, "cannot write " + *file);
	});
}

void add_load_config(CLI::App &app)
{
	auto *cmd = app.add_subcommand(
		"load-config", "Apply settings saved by save-config (needs CAP_SYS_ADMIN)");
	auto file = std::make_shared<std::string>();
	cmd->add_option("file", *file, "The file ('-' for standard input)")->required();
	cmd->callback([file] {
		require_module();
		Json config;
		try {
			if (*file == "-") {
				config = Json::parse(std::cin);
			} else {
				std::ifstream in(*file);
				if (!in)
					throw Failure(EXIT_FAILED, "cannot open " + *file);
				config = Json::parse(in);
			}
		} catch (const Json::parse_error &e) {
			throw Failure(EXIT_USAGE, *file + ": not JSON: " + e.what());
		}
		if (!config.is_object() || config.value("format", "") != config_format ||
		    !config.contains("version") || config["version"] != config_version ||
		    !config.contains("devices") || !config["devices"].is_array())
			throw Failure(EXIT_USAGE, *file + ": not an accelfd-config file of version " +
							  std::to_string(config_version));
		for (const Json &entry : config["devices"])
			check_entry(entry, *file);

		for (const Json &entry : config["devices"]) {
			const std::string name = device_name(entry["device"].get<std::string>());
			if (entry.contains("limits"))
				apply_limits(name, entry["limits"].get<Limits>());
			if (entry.contains("enabled"))
				accel::set_enabled(name, entry["enabled"].get<bool>());
		}
	});
}

} // namespace accelctl
