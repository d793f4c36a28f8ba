// SPDX-License-Identifier: MIT
// The measurements, M1 to M7 (docs/benchmarks.md says what each means).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <accel/accel.hpp>

#include "report.hpp"

namespace bench {

struct Settings {
	bool full = false;
	unsigned round_trips = 2000;	    ///< M2 samples per path
	std::chrono::milliseconds span{300}; ///< M3, M6: time per configuration
	unsigned setups = 5;		    ///< M4 timed repetitions
	std::size_t data_bytes = 16 << 20;   ///< M5: bytes per size and operation
	std::string mdev;		    ///< the mdev the mdev paths use
};

/// "[M3 4/9] mdev ring batch=8" on stderr, as long runs go.
void progress(const std::string &step);

/// A queue on each model, as the path measurements use them.
struct Targets {
	accel::Device char_device;
	accel::Queue char_queue;
	accel::Device mdev_device;
	accel::Queue mdev_queue;
};

void measure_submission(Report &report, const Settings &settings, Targets &targets); // M1
void measure_round_trip(Report &report, const Settings &settings, Targets &targets); // M2
void measure_throughput(Report &report, const Settings &settings, Targets &targets); // M3
void measure_setup(Report &report, const Settings &settings);			     // M4
void measure_data(Report &report, const Settings &settings, Targets &targets);	     // M5
void measure_scaling(Report &report, const Settings &settings);			     // M6
void measure_codec(Report &report, const Settings &settings, Targets &targets);	     // M7

} // namespace bench
