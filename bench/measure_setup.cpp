// SPDX-License-Identifier: MIT
// M4: from nothing to the first completion of a NOP, on each model: how
// long it takes and how many system calls it makes (counted by tracing a
// child that does it once, with ptrace, as strace -c would).
#include <algorithm>
#include <csignal>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "measure.hpp"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

/// Opens the device, creates a queue, runs one NOP and calls @p done with
/// the time that took; everything is closed again afterwards.
template <typename Done> void first_completion(const std::string &mdev, Done done)
{
	const auto start = Clock::now();
	auto dev = mdev.empty() ? accel::Device::open(0) : accel::Device::open_mdev(mdev);
	auto q = accel::Queue::create(dev, {.sq_entries = 64});
	if (q.run(accel::op::nop(), std::chrono::seconds(30)).status != 0)
		throw std::runtime_error("the first NOP failed");
	done(std::chrono::duration<double, std::nano>(Clock::now() - start).count());
}

/// System calls a child makes doing first_completion() once, up to and not
/// counting its exit.
unsigned count_syscalls(const std::string &mdev)
{
	const pid_t pid = ::fork();
	if (pid < 0)
		throw accel::Error(errno, "fork");
	if (pid == 0) {
		::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
		::raise(SIGSTOP);
		try {
			// No destructor runs: only the way to the completion counts.
			first_completion(mdev, [](double) { ::_exit(0); });
		} catch (...) {
			::_exit(2);
		}
	}
	int status;
	::waitpid(pid, &status, 0); // the SIGSTOP
	::ptrace(PTRACE_SETOPTIONS, pid, nullptr, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
	unsigned stops = 0;
	for (;;) {
		::ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr);
		if (::waitpid(pid, &status, 0) != pid || WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (WIFSTOPPED(status) && WSTOPSIG(status) == (SIGTRAP | 0x80))
			stops++;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		throw std::runtime_error("the traced setup failed");
	// An entry and an exit stop per call; exit_group enters and never returns.
	return (stops + 1) / 2 - 1;
}

} // namespace

void measure_setup(Report &report, const Settings &settings)
{
	for (const auto &[path, mdev] : {std::pair<std::string, std::string>{"char device", ""},
					 std::pair<std::string, std::string>{"mdev", settings.mdev}}) {
		progress("M4 " + path);
		std::vector<double> times;
		first_completion(mdev, [](double) {}); // warm up
		for (unsigned i = 0; i < settings.setups; i++)
			first_completion(mdev, [&](double ns) { times.push_back(ns); });
		std::ranges::sort(times);
		report.add({"M4", path, "time", times[times.size() / 2], "ns"});
		report.add({"M4", path, "syscalls", static_cast<double>(count_syscalls(mdev)), "syscalls"});
	}
}

} // namespace bench
