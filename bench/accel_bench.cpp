// SPDX-License-Identifier: MIT
// accel_bench: every submission path of accelfd side by side, against
// io_uring and against the CPU, in one run (docs/benchmarks.md).
//
//   accel_bench [--full] [--nop-only | --codec-only | --scaling-only] [--out DIR] [--mdev UUID]
//
// Quick mode (the default, under two minutes in a TCG guest) prints a short
// table; --out writes every figure as results.json, the tables as
// results.md and the plot data for bench/plot.gp. The mdev paths use the
// mdev given, or one created for the run (root, accelfd_mdev loaded).
// Absolute times under software emulation mean little; the ratios measured
// in one run are what to compare.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "measure.hpp"

namespace bench {

void progress(const std::string &step)
{
	static const bool tty = ::isatty(STDERR_FILENO);
	std::fprintf(stderr, tty ? "\r\x1b[K[%s]" : "[%s]\n", step.c_str());
	std::fflush(stderr);
}

} // namespace bench

namespace {

/// An mdev made for the run, removed at its end.
struct RunMdev {
	explicit RunMdev(std::string given)
		: uuid(given.empty() ? accel::create_mdev("accel0") : std::move(given)),
		  owned(given.empty())
	{
	}
	~RunMdev()
	{
		if (owned)
			try {
				accel::remove_mdev(uuid);
			} catch (const std::exception &e) {
				std::cerr << "accel_bench: " << e.what() << '\n';
			}
	}
	RunMdev(const RunMdev &) = delete;
	RunMdev &operator=(const RunMdev &) = delete;
	std::string uuid;
	bool owned;
};

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"accel_bench: accelfd's submission paths against io_uring and the CPU"};
	bool full = false, nop_only = false, codec_only = false, scaling_only = false;
	std::string out, mdev;
	app.add_flag("--full", full, "Long runs for the documentation (default: quick)");
	app.add_flag("--nop-only", nop_only,
		     "Only the NOP paths (M1-M3), e.g. for a second guest CPU model");
	app.add_flag("--codec-only", codec_only, "Only DEFLATE and INFLATE against zlib (M7)")
		->excludes("--nop-only");
	app.add_flag("--scaling-only", scaling_only, "Only the scaling over processes and the idle engine (M6)")
		->excludes("--nop-only")
		->excludes("--codec-only");
	app.add_option("--out", out, "Write results.json, results.md and plot data here");
	app.add_option("--mdev", mdev, "The mdev for the mdev paths (default: create one)");
	CLI11_PARSE(app, argc, argv);

	bench::Settings settings;
	settings.full = full;
	if (full) {
		settings.round_trips = 20000;
		settings.span = std::chrono::milliseconds(2000);
		settings.setups = 20;
		settings.data_bytes = 128 << 20;
	}
	try {
		const RunMdev run_mdev(mdev);
		settings.mdev = run_mdev.uuid;
		bench::Report report(full ? "full" : "quick");

		// M4 first: it opens the mdev itself, and a VFIO group opens once.
		const bool paths = !codec_only && !scaling_only, data = !nop_only && !codec_only && !scaling_only,
			   codec = !nop_only && !scaling_only;
		if (data)
			bench::measure_setup(report, settings);
		if (paths || data || codec) {
			auto char_device = accel::Device::open(0);
			auto char_queue = accel::Queue::create(char_device, {.sq_entries = 256});
			auto mdev_device = accel::Device::open_mdev(settings.mdev);
			auto mdev_queue = accel::Queue::create(mdev_device, {.sq_entries = 256});
			bench::Targets targets{std::move(char_device), std::move(char_queue),
					       std::move(mdev_device), std::move(mdev_queue)};
			if (paths) {
				bench::measure_submission(report, settings, targets);
				bench::measure_round_trip(report, settings, targets);
				bench::measure_throughput(report, settings, targets);
			}
			if (data)
				bench::measure_data(report, settings, targets);
			if (codec)
				bench::measure_codec(report, settings, targets);
		}
		if (data || scaling_only)
			bench::measure_scaling(report, settings);
		std::fprintf(stderr, ::isatty(STDERR_FILENO) ? "\r\x1b[K" : "");

		report.print_summary();
		if (!out.empty()) {
			std::filesystem::create_directories(out);
			report.write_json(std::filesystem::path(out) / "results.json");
			report.write_markdown(std::filesystem::path(out) / "results.md");
			report.write_plot_data(out);
			std::printf("results: %s/results.json, results.md, *.dat\n", out.c_str());
		}
		return 0;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "\naccel_bench: %s\n", e.what());
		return 1;
	}
}
