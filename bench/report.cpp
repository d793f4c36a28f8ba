// SPDX-License-Identifier: MIT
#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <sys/utsname.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace bench {
namespace {

constexpr const char *floor_path = "two-CPU ping-pong (floor)";

std::string first_match(const std::string &file, const std::string &key)
{
	std::ifstream in(file);
	for (std::string line; std::getline(in, line);)
		if (line.starts_with(key)) {
			const auto colon = line.find(':');
			return colon == std::string::npos ? line : line.substr(line.find_first_not_of(" \t", colon + 1));
		}
	return "unknown";
}

std::string format(double v)
{
	char buf[32];
	if (v >= 100 || v == static_cast<double>(static_cast<long long>(v)))
		std::snprintf(buf, sizeof(buf), "%.0f", v);
	else if (v >= 1)
		std::snprintf(buf, sizeof(buf), "%.2f", v);
	else
		std::snprintf(buf, sizeof(buf), "%.3f", v);
	return buf;
}

void write_file(const std::filesystem::path &file, const std::string &text)
{
	std::ofstream out(file);
	out << text;
	if (!out.flush())
		throw std::runtime_error("cannot write " + file.string());
}

const std::map<std::string, std::string> metric_titles = {
	{"M1", "Submission cost per NOP descriptor"},
	{"M2", "NOP round trip, one outstanding"},
	{"M3", "NOP throughput by batch"},
	{"M4", "Setup: from nothing to the first completion"},
	{"M5", "Data operations against the CPU"},
	{"M6", "Scaling over processes, and the idle engine"},
	{"M7", "DEFLATE and INFLATE against zlib in the same process"},
};

} // namespace

Machine Machine::here()
{
	Machine m;
	utsname u{};
	::uname(&u);
	m.kernel = u.release;
	m.cpu = first_match("/proc/cpuinfo", "model name");
	m.cpus = static_cast<unsigned>(::sysconf(_SC_NPROCESSORS_ONLN));
	std::ifstream cmdline("/proc/cmdline");
	std::string word;
	m.accel = m.cpu_model = "unknown";
	while (cmdline >> word)
		if (word.starts_with("afd_accel="))
			m.accel = word.substr(10);
		else if (word.starts_with("afd_cpu="))
			m.cpu_model = word.substr(8);
	std::istringstream flags(first_match("/proc/cpuinfo", "flags"));
	for (std::string flag; flags >> flag;)
		m.erms = m.erms || flag == "erms" || flag == "fsrm";
	return m;
}

const Figure *Report::find(const std::string &metric, const std::string &path,
			   const std::string &param) const
{
	for (const Figure &f : figures_)
		if (f.metric == metric && f.path == path && f.param == param)
			return &f;
	return nullptr;
}

void Report::write_json(const std::filesystem::path &file) const
{
	nlohmann::ordered_json out{
		{"format", "accelfd-bench"},
		{"version", 1},
		{"mode", mode_},
		{"machine",
		 {{"kernel", machine_.kernel},
		  {"cpu", machine_.cpu},
		  {"cpus", machine_.cpus},
		  {"accel", machine_.accel},
		  {"cpu_model", machine_.cpu_model},
		  {"erms_or_fsrm", machine_.erms}}},
		{"figures", nlohmann::ordered_json::array()},
	};
	for (const Figure &f : figures_)
		out["figures"].push_back({{"metric", f.metric},
					  {"path", f.path},
					  {"param", f.param},
					  {"value", f.value},
					  {"unit", f.unit}});
	write_file(file, out.dump(2) + "\n");
}

std::string Report::markdown() const
{
	std::ostringstream md;
	md << "Machine: " << machine_.cpu << " (QEMU -cpu " << machine_.cpu_model << ", "
	   << (machine_.erms ? "with" : "without") << " ERMS/FSRM), " << machine_.cpus << " CPUs, kernel "
	   << machine_.kernel << ", guest under " << machine_.accel << "; mode " << mode_ << ".\n";
	for (const auto &[metric, title] : metric_titles) {
		std::vector<std::string> params, paths;
		for (const Figure &f : figures_) {
			if (f.metric != metric)
				continue;
			if (std::find(params.begin(), params.end(), f.param) == params.end())
				params.push_back(f.param);
			if (std::find(paths.begin(), paths.end(), f.path) == paths.end())
				paths.push_back(f.path);
		}
		if (paths.empty())
			continue;
		md << "\n### " << metric << ": " << title << "\n\n| path |";
		for (const auto &p : params)
			md << ' ' << p << " |";
		md << "\n|---|";
		for (std::size_t i = 0; i < params.size(); i++)
			md << "---:|";
		md << '\n';
		for (const auto &path : paths) {
			md << "| " << path << " |";
			for (const auto &param : params) {
				const Figure *f = find(metric, path, param);
				md << ' ' << (f ? format(f->value) + ' ' + f->unit : std::string("—")) << " |";
			}
			md << '\n';
		}
	}
	md << ratios();
	return md.str();
}

std::string Report::ratios() const
{
	std::ostringstream md;
	const auto ratio = [&](const char *metric, const std::string &path, const std::string &over,
			       const std::string &param) -> std::string {
		const Figure *a = find(metric, path, param);
		const Figure *b = find(metric, over, param);
		return a && b && b->value > 0 ? format(a->value / b->value) + "x" : "—";
	};
	const auto measured = [&](const char *metric) {
		return std::any_of(figures_.begin(), figures_.end(),
				   [&](const Figure &f) { return f.metric == metric; });
	};
	md << "\n### Ratios measured in this run\n";
	if (measured("M2")) {
		md << "\nNOP round trip against the two-CPU ping-pong (the floor of any polled hand-over) "
		      "and against io_uring's NOP (lower is better for accelfd):\n\n"
		   << "| path | p50 vs floor | p50 vs io_uring NOP | p50 vs SQPOLL | p99 vs SQPOLL |\n"
		   << "|---|---:|---:|---:|---:|\n";
		for (const char *path : {"char ring + poll", "char ring + WAIT", "char SUBMIT ioctl + poll",
					 "mdev ring + poll", "mdev ring + eventfd", "io_uring NOP",
					 "io_uring NOP, SQPOLL"})
			md << "| " << path << " | " << ratio("M2", path, floor_path, "p50") << " | "
			   << ratio("M2", path, "io_uring NOP", "p50") << " | "
			   << ratio("M2", path, "io_uring NOP, SQPOLL", "p50") << " | "
			   << ratio("M2", path, "io_uring NOP, SQPOLL", "p99") << " |\n";
	}
	if (measured("M1")) {
		md << "\nSubmission cost per descriptor against a store and a release fence (lower is "
		      "better):\n\n| path | batch=1 | batch=64 |\n|---|---:|---:|\n";
		for (const char *path : {"char ring", "char SUBMIT ioctl", "mdev ring"})
			md << "| " << path << " | " << ratio("M1", path, "store + release fence", "batch=1")
			   << " | " << ratio("M1", path, "store + release fence", "batch=64") << " |\n";
	}
	if (measured("M3")) {
		md << "\nNOP throughput against io_uring with SQPOLL (higher is better for accelfd):\n\n"
		   << "| path | batch=1 | batch=8 | batch=64 |\n|---|---:|---:|---:|\n";
		for (const char *path : {"char ring", "mdev ring"}) {
			md << "| " << path << " |";
			for (const char *batch : {"batch=1", "batch=8", "batch=64"})
				md << ' ' << ratio("M3", path, "io_uring NOP, SQPOLL", batch) << " |";
			md << '\n';
		}
	}
	if (measured("M5")) {
		md << "\nThe engine's data operations against the CPU doing the same in the same guest "
		      "(higher is better for accelfd):\n\n"
		   << "| operation | 4 KiB | 64 KiB | 1 MiB | 4 MiB |\n|---|---:|---:|---:|---:|\n";
		for (const auto &[op, cpu] : {std::pair{"engine MEMMOVE", "CPU memcpy"},
					      std::pair{"engine CRC32C", "CPU CRC32C (SSE4.2)"}}) {
			md << "| " << op << " vs " << cpu << " |";
			for (const char *size : {"size=4096", "size=65536", "size=1048576", "size=4194304"})
				md << ' ' << ratio("M5", op, cpu, size) << " |";
			md << '\n';
		}
	}
	if (measured("M7")) {
		md << "\nThe engine's DEFLATE and INFLATE against zlib in this process at the same level, "
		      "one stream of 1 MiB blocks (speed: higher is better for accelfd; size: lower):\n\n"
		   << "| data, level | DEFLATE speed | DEFLATE size | two queues' DEFLATE speed | "
		      "INFLATE speed |\n|---|---:|---:|---:|---:|\n";
		for (const char *kind : {"text", "binary"})
			for (const char *level : {" level 1", " level 6", " level 9"}) {
				const std::string param = std::string(kind) + level;
				md << "| " << param << " | " << ratio("M7", "engine DEFLATE", "zlib deflate", param)
				   << " | " << ratio("M7", "engine DEFLATE size", "zlib deflate size", param) << " | "
				   << ratio("M7", "engine DEFLATE, 2 queues", "zlib deflate", param) << " | "
				   << ratio("M7", "engine INFLATE", "zlib inflate", param) << " |\n";
			}
	}
	return md.str();
}

void Report::write_markdown(const std::filesystem::path &file) const
{
	write_file(file, markdown());
}

void Report::write_plot_data(const std::filesystem::path &dir) const
{
	// Latency CDFs: one block per path, separated by two blank lines
	// (gnuplot's "index"), each headed by its title.
	std::ostringstream cdf;
	for (const auto &[path, points] : latencies_) {
		if (cdf.tellp() > 0)
			cdf << "\n\n";
		cdf << '"' << path << "\" \"fraction\"\n";
		for (const auto &[ns, fraction] : points)
			cdf << ns << ' ' << fraction << '\n';
	}
	write_file(dir / "latency_cdf.dat", cdf.str());

	// Throughput by batch, a column per path; scaling by processes.
	const auto table = [&](const std::string &metric, const std::string &key) {
		std::vector<std::string> paths;
		std::set<double> xs;
		for (const Figure &f : figures_)
			if (f.metric == metric && f.param.starts_with(key + "=")) {
				if (std::find(paths.begin(), paths.end(), f.path) == paths.end())
					paths.push_back(f.path);
				xs.insert(std::stod(f.param.substr(key.size() + 1)));
			}
		std::ostringstream out;
		out << key;
		for (const auto &p : paths)
			out << " \"" << p << '"';
		out << '\n';
		for (double x : xs) {
			out << x;
			for (const auto &p : paths) {
				std::ostringstream param;
				param << key << '=' << x;
				const Figure *f = find(metric, p, param.str());
				out << ' ' << (f ? std::to_string(f->value) : "NaN");
			}
			out << '\n';
		}
		return out.str();
	};
	write_file(dir / "throughput.dat", table("M3", "batch"));
	write_file(dir / "scaling.dat", table("M6", "processes"));
}

void Report::print_summary() const
{
	const auto value = [&](const char *metric, const char *path, const char *param) {
		const Figure *f = find(metric, path, param);
		return f ? f->value : 0.0;
	};
	const double floor_p50 = value("M2", floor_path, "p50");
	const double sqpoll = value("M2", "io_uring NOP, SQPOLL", "p50");
	std::printf("accel_bench (%s, kernel %s, %s) — ratios count, not absolute times\n",
		    mode_.c_str(), machine_.kernel.c_str(), machine_.accel.c_str());
	std::printf("%-34s %8s %10s %10s\n", "NOP round trip, one outstanding", "p50 ns", "vs floor",
		    "vs SQPOLL");
	for (const char *path : {floor_path, "char ring + poll", "char ring + WAIT", "char SUBMIT ioctl + poll",
				 "mdev ring + poll", "mdev ring + eventfd", "io_uring NOP",
				 "io_uring NOP, SQPOLL"}) {
		const double p50 = value("M2", path, "p50");
		std::printf("  %-32s %8.0f %9.2fx %9.2fx\n", path, p50, floor_p50 > 0 ? p50 / floor_p50 : 0.0,
			    sqpoll > 0 ? p50 / sqpoll : 0.0);
	}
	std::printf("%-34s %8s %10s\n", "NOP throughput, batch 64", "M/s", "vs SQPOLL");
	const double sqpoll_rate = value("M3", "io_uring NOP, SQPOLL", "batch=64");
	for (const char *path : {"char ring", "mdev ring", "io_uring NOP, SQPOLL"}) {
		const double rate = value("M3", path, "batch=64");
		std::printf("  %-32s %8.2f %9.2fx\n", path, rate / 1e6, sqpoll_rate > 0 ? rate / sqpoll_rate : 0.0);
	}
	const double store = value("M1", "store + release fence", "batch=1");
	std::printf("%-34s %8s %10s %10s\n", "Submission cost per descriptor", "batch=1", "vs store",
		    "batch=64");
	for (const char *path : {"store + release fence", "char ring", "char SUBMIT ioctl", "mdev ring"}) {
		const double one = value("M1", path, "batch=1"), many = value("M1", path, "batch=64");
		std::printf("  %-32s %8.1f %9.1fx %9.1fx\n", path, one, store > 0 ? one / store : 0.0,
			    store > 0 ? many / store : 0.0);
	}
	std::printf("%-34s %12s %14s\n", "Setup to the first completion", "syscalls", "us");
	for (const char *path : {"char device", "mdev"})
		std::printf("  %-32s %12.0f %14.0f\n", path, value("M4", path, "syscalls"),
			    value("M4", path, "time") / 1000);
	if (!find("M7", "engine DEFLATE", "text level 6"))
		return;
	std::printf("%-34s %8s %10s %10s\n", "DEFLATE, text level 6", "MB/s", "size", "vs zlib");
	for (const char *path : {"engine DEFLATE", "zlib deflate"}) {
		const double speed = value("M7", path, "text level 6");
		std::printf("  %-32s %8.1f %9.1f%% %9.2fx\n", path, speed,
			    value("M7", (std::string(path) + " size").c_str(), "text level 6"),
			    speed / value("M7", "zlib deflate", "text level 6"));
	}
}

} // namespace bench
