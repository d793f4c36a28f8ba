// SPDX-License-Identifier: MIT
// A kill storm: hundreds of processes, each with queues and work in
// flight, killed with SIGKILL at random points (some before they have
// even opened the device). Afterwards no queue or context is left.
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

constexpr int at_once = 16;

/// 500, or AFD_KILL_STORM_PROCESSES (the debug kernel's run takes fewer:
/// KASAN makes each one slow).
int storm_size()
{
	const char *n = std::getenv("AFD_KILL_STORM_PROCESSES");
	return n ? std::atoi(n) : 500;
}

[[noreturn]] void victim_loop(unsigned seed)
{
	std::mt19937 rng(seed);
	std::vector<std::byte> buf(256 << 10);
	auto dev = accel::Device::open(0);
	std::vector<accel::Queue> queues;
	for (unsigned i = 0; i < 1 + rng() % 3; i++)
		queues.push_back(accel::Queue::create(dev, {.sq_entries = 16}));
	std::vector<afd_desc> work(16, accel::op::memmove(std::span(buf).subspan(128 << 10),
							  std::span<const std::byte>(buf).first(128 << 10)));
	for (;;) {
		afd_completion out[16];
		for (auto &q : queues) {
			(void)q.try_submit(work);
			(void)q.poll(out);
		}
	}
}

[[noreturn]] void victim(unsigned seed)
{
	try {
		victim_loop(seed);
	} catch (...) {
		::_exit(1); // never back into the test framework of the parent
	}
}

unsigned sysfs_count(const char *attr)
{
	return guest::read_uint(std::string("/sys/class/accelfd/accel0/") + attr);
}

} // namespace

BOOST_AUTO_TEST_SUITE(kill_storm)

BOOST_AUTO_TEST_CASE(hundreds_of_processes_killed_mid_flight_leave_nothing)
{
	const int processes = storm_size();
	BOOST_REQUIRE(processes >= 16);
	const unsigned seed = std::random_device{}();
	BOOST_TEST_MESSAGE("kill storm seed " << seed);
	std::mt19937 rng(seed);
	const unsigned queues = sysfs_count("queues"), contexts = sysfs_count("contexts");

	std::vector<pid_t> alive;
	int killed = 0;
	for (int started = 0; started < processes || !alive.empty();) {
		while (started < processes && alive.size() < at_once) {
			const unsigned child_seed = rng();
			pid_t pid = ::fork();
			BOOST_REQUIRE(pid >= 0);
			if (pid == 0)
				victim(child_seed);
			alive.push_back(pid);
			started++;
		}
		std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
		const std::size_t i = rng() % alive.size();
		::kill(alive[i], SIGKILL);
		int status = 0;
		BOOST_REQUIRE(::waitpid(alive[i], &status, 0) == alive[i]);
		killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		alive.erase(alive.begin() + static_cast<std::ptrdiff_t>(i));
	}
	BOOST_TEST(killed == processes);
	bool settled = false;
	for (int i = 0; i < 3000 && !settled; i++) {
		settled = sysfs_count("queues") == queues && sysfs_count("contexts") == contexts;
		if (!settled)
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	BOOST_TEST(settled);
	BOOST_TEST(sysfs_count("queues") == queues);
	BOOST_TEST(sysfs_count("contexts") == contexts);
}

BOOST_AUTO_TEST_SUITE_END()
