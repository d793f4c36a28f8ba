// SPDX-License-Identifier: MIT
// What accel_bench measured, and the forms it writes it in: JSON (every
// figure), Markdown (the tables of docs/benchmarks.md), data files for
// bench/plot.gp, and a short table on the terminal.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "histogram.hpp"

namespace bench {

struct Figure {
	std::string metric; ///< "M2"
	std::string path;   ///< "char ring + poll"
	std::string param;  ///< "p50", "batch=8", "size=4096", "processes=4"
	double value;
	std::string unit; ///< "ns", "ops/s", "GB/s", "syscalls", "%", "index"
};

/// Where the run happened, as the figures' context.
struct Machine {
	std::string kernel, cpu, accel; ///< accel: "tcg", "kvm" or "unknown"
	std::string cpu_model;		///< QEMU's -cpu for the guest, or "unknown"
	bool erms = false;		///< the CPU advertises ERMS or FSRM (fast rep movsb)
	unsigned cpus = 0;
	static Machine here();
};

class Report {
public:
	explicit Report(std::string mode) : mode_(std::move(mode)), machine_(Machine::here()) {}

	void add(Figure f) { figures_.push_back(std::move(f)); }
	/// Keeps a latency distribution for the CDF plot.
	void add_latency(const std::string &path, const Histogram &h) { latencies_[path] = h.cdf(); }
	[[nodiscard]] const std::vector<Figure> &figures() const noexcept { return figures_; }
	/// The figure, or nullptr.
	[[nodiscard]] const Figure *find(const std::string &metric, const std::string &path,
					 const std::string &param) const;

	void write_json(const std::filesystem::path &file) const;
	void write_markdown(const std::filesystem::path &file) const;
	/// latency_cdf.dat, throughput.dat, scaling.dat for bench/plot.gp.
	void write_plot_data(const std::filesystem::path &dir) const;
	/// The short table of the main job.
	void print_summary() const;

private:
	[[nodiscard]] std::string markdown() const;
	[[nodiscard]] std::string ratios() const;

	std::string mode_;
	Machine machine_;
	std::vector<Figure> figures_;
	std::map<std::string, std::vector<std::pair<double, double>>> latencies_;
};

} // namespace bench
