// SPDX-License-Identifier: MIT
// The proof of the title: on a busy engine, submissions and completions
// make no system call at all.
//
// A forked child sets up a queue, warms the engine up, then enters
// seccomp's strict mode, in which any system call but read, write, exit
// and sigreturn kills the process with SIGKILL. It then submits and reaps
// thousands of descriptors through accel::Queue's fast path and leaves with
// exit(2). Surviving is the proof; a single kick, wait or allocation that
// reached the kernel would have killed it.
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

constexpr unsigned rounds = 500, batch = 8;

[[noreturn]] void strict_exit(int code)
{
	::syscall(SYS_exit, code); // exit_group is not allowed in strict mode
	__builtin_unreachable();
}

int submit_and_reap_without_syscalls()
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev, {.sq_entries = 64});
	afd_desc descs[batch];
	afd_completion comps[batch];
	for (unsigned i = 0; i < batch; i++)
		descs[i] = accel::op::nop(i);
	for (int i = 0; i < 20; i++) // the engine is awake from here on
		(void)q.run(accel::op::nop(1000 + i), std::chrono::seconds(30));

	::alarm(60); // a hang ends with SIGALRM, not the guest's time limit
	if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0)
		return 100;
	std::uint64_t reaped = 0;
	for (unsigned r = 0; r < rounds; r++) {
		unsigned queued = 0;
		while (queued < batch)
			queued += q.try_submit(std::span(descs).subspan(queued));
		unsigned got = 0;
		while (got < batch)
			got += q.poll(std::span(comps).subspan(got));
		reaped += got;
	}
	strict_exit(reaped == rounds * batch ? 0 : 101);
}

} // namespace

BOOST_AUTO_TEST_SUITE(zero_syscall)

BOOST_AUTO_TEST_CASE(busy_engine_submission_and_completion_make_no_syscall)
{
	guest::ParamOverride idle("engine_idle_us", "2000000"); // 2 s of polling
	const int status = guest::in_child(submit_and_reap_without_syscalls);
	// 128 + SIGKILL: a syscall was made; 128 + SIGALRM: completions stopped.
	BOOST_TEST(status == 0);
}

BOOST_AUTO_TEST_CASE(the_check_catches_a_syscall_when_the_engine_sleeps)
{
	// The same loop with an engine that sleeps at once: the library must
	// kick it with an ioctl, and seccomp kills the child. This shows the
	// test above can fail.
	guest::ParamOverride idle("engine_idle_us", "0");
	const int status = guest::in_child(submit_and_reap_without_syscalls);
	BOOST_TEST(status == 128 + SIGKILL);
}

BOOST_AUTO_TEST_SUITE_END()
