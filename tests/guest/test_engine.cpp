// SPDX-License-Identifier: MIT
// The software engine's scheduling: priority is honoured, and an idle
// engine sleeps instead of polling.
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

/// utime + stime, in clock ticks, of every "afd0-eng*" kernel thread.
std::uint64_t engine_cpu_ticks()
{
	std::uint64_t ticks = 0;
	unsigned threads = 0;
	DIR *proc = ::opendir("/proc");
	BOOST_REQUIRE(proc);
	while (dirent *entry = ::readdir(proc)) {
		const std::string pid = entry->d_name;
		if (pid.find_first_not_of("0123456789") != std::string::npos)
			continue;
		std::ifstream stat("/proc/" + pid + "/stat");
		std::string line;
		if (!std::getline(stat, line) || line.find("(afd0-eng") == std::string::npos)
			continue;
		std::istringstream fields(line.substr(line.rfind(')') + 2));
		std::string field;
		for (int i = 3; i <= 13; i++) // skip to utime, field 14
			fields >> field;
		std::uint64_t utime = 0, stime = 0;
		fields >> utime >> stime;
		ticks += utime + stime;
		threads++;
	}
	::closedir(proc);
	BOOST_REQUIRE(threads == guest::read_uint("/sys/class/accelfd/accel0/engines"));
	return ticks;
}

} // namespace

BOOST_AUTO_TEST_SUITE(engine)

BOOST_AUTO_TEST_CASE(an_idle_engine_uses_no_cpu)
{
	{
		auto dev = accel::Device::open(0);
		auto q = accel::Queue::create(dev);
		(void)q.run(accel::op::nop(), std::chrono::seconds(30));
	}
	std::this_thread::sleep_for(std::chrono::milliseconds(100)); // past the idle window
	const std::uint64_t before = engine_cpu_ticks();
	std::this_thread::sleep_for(std::chrono::seconds(1));
	// A polling engine would burn ~100 ticks per second; a sleeping one none
	// (one tick of slack for accounting at the boundaries).
	BOOST_TEST(engine_cpu_ticks() - before <= 1u);
}

BOOST_AUTO_TEST_CASE(a_high_priority_queue_gets_more_turns)
{
	// With no other queue on the device, queues are placed on the least
	// loaded engine, lowest index first: low and high share engine 0.
	BOOST_REQUIRE(guest::read_uint("/sys/class/accelfd/accel0/queues") == 0u);
	auto dev = accel::Device::open(0);
	const unsigned engines = dev.info().engine_count;
	auto low = accel::Queue::create(dev, {.sq_entries = 256, .priority = 0});
	std::vector<accel::Queue> fillers;
	for (unsigned i = 1; i < engines; i++)
		fillers.push_back(accel::Queue::create(dev));
	auto high = accel::Queue::create(dev, {.sq_entries = 256, .priority = AFD_QUEUE_PRIORITY_MAX});

	std::vector<std::byte> a(64 << 10), b(64 << 10);
	std::vector<afd_desc> work(256, accel::op::memmove(b, a));
	BOOST_REQUIRE(low.try_submit(work) == 256u);
	BOOST_REQUIRE(high.try_submit(work) == 256u);
	// The engine starts on the low queue before the high one has work; a
	// vCPU preempted between the two submits must not count against it.
	const auto low_before = low.stats().completed;

	afd_completion out[256];
	unsigned high_done = 0;
	while (high_done < 256) {
		unsigned n = high.wait(out, std::chrono::seconds(60));
		BOOST_REQUIRE(n > 0u);
		high_done += n;
	}
	const auto low_done = low.stats().completed - low_before;
	BOOST_TEST_MESSAGE("low-priority completions while the high one ran its 256: "
			   << low_done << " (" << low_before << " before it had work)");
	BOOST_TEST(low_done < 256u / 2);
}

BOOST_AUTO_TEST_SUITE_END()
