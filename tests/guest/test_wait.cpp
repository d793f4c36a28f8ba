// SPDX-License-Identifier: MIT
// WAIT, poll()/epoll, a full ring pushing back, SUBMIT and KICK: the
// blocking and syscall parts of the data path.
#include <atomic>
#include <csignal>
#include <ctime>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <thread>
#include <vector>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

std::int64_t now_ns()
{
	timespec ts{};
	::clock_gettime(CLOCK_MONOTONIC, &ts);
	return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

afd_wait wait_args(std::uint32_t queue, std::uint32_t head, std::int64_t deadline)
{
	afd_wait w{};
	w.queue_id = queue;
	w.head = head;
	w.deadline_ns = deadline;
	return w;
}

void on_signal(int) {}

/// Sends SIGUSR1 to @p thread after @p delay_ms, from another thread.
std::thread signal_later(pthread_t thread, int delay_ms)
{
	return std::thread([thread, delay_ms] {
		std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
		::pthread_kill(thread, SIGUSR1);
	});
}

/// Sends SIGUSR1 to @p thread every 20 ms until @p done: a signal that
/// arrives before the thread blocks does not leave it blocked.
std::thread signal_until(pthread_t thread, const std::atomic<bool> &done)
{
	return std::thread([thread, &done] {
		while (!done) {
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
			if (!done)
				::pthread_kill(thread, SIGUSR1);
		}
	});
}

/// Polls without any system call until @p count completions arrived or
/// 30 s passed.
unsigned poll_only(accel::Queue &q, unsigned count)
{
	afd_completion out[16];
	unsigned got = 0;
	const std::int64_t give_up = now_ns() + 30'000'000'000;
	while (got < count && now_ns() < give_up)
		got += q.poll(out);
	return got;
}

void set_handler(int flags)
{
	struct sigaction sa {};
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	::sigaction(SIGUSR1, &sa, nullptr);
}

} // namespace

BOOST_AUTO_TEST_SUITE(wait_ioctl)

BOOST_AUTO_TEST_CASE(already_completed_returns_at_once)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	(void)q.run(accel::op::nop(1));
	// The CQ head is behind the tail now: no blocking even with deadline 0.
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), 0);
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w) == 0);
	BOOST_TEST(w.index == guest::initial_ring_index() + 1);
}

BOOST_AUTO_TEST_CASE(nothing_pending_with_deadline_zero_is_etime)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), 0);
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w) == ETIME);
}

BOOST_AUTO_TEST_CASE(a_passed_deadline_is_etime_after_blocking)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	const std::int64_t start = now_ns();
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), start + 50'000'000);
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w) == ETIME);
	BOOST_TEST(now_ns() - start >= 50'000'000); // it did wait until the deadline
}

BOOST_AUTO_TEST_CASE(a_completion_wakes_a_blocked_waiter)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	std::thread submitter([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		afd_desc d = accel::op::nop(9);
		BOOST_CHECK(q.submit_syscall({&d, 1}) == 1u);
	});
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), now_ns() + 30'000'000'000);
	const int err = guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w);
	submitter.join();
	BOOST_TEST(err == 0);
	BOOST_TEST(w.index == guest::initial_ring_index() + 1);
}

BOOST_AUTO_TEST_CASE(a_signal_interrupts_with_eintr)
{
	set_handler(0); // no SA_RESTART
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	std::atomic<bool> done = false;
	auto killer = signal_until(::pthread_self(), done);
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), now_ns() + 30'000'000'000);
	const int err = guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w);
	done = true;
	killer.join();
	BOOST_TEST(err == EINTR);
}

BOOST_AUTO_TEST_CASE(with_sa_restart_the_wait_resumes_to_its_absolute_deadline)
{
	set_handler(SA_RESTART);
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	const std::int64_t start = now_ns();
	auto killer = signal_later(::pthread_self(), 20);
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), start + 200'000'000);
	const int err = guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w);
	killer.join();
	BOOST_TEST(err == ETIME);
	BOOST_TEST(now_ns() - start >= 200'000'000);
}

BOOST_AUTO_TEST_CASE(unknown_flags_are_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), 0);
	w.flags = 1u << 7;
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w) == EINVAL);
}

BOOST_AUTO_TEST_CASE(nonzero_pad_is_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), 0);
	w.pad = 1;
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w) == EINVAL);
}

BOOST_AUTO_TEST_CASE(nonzero_output_index_is_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), 0);
	w.index = 1;
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w) == EINVAL);
}

BOOST_AUTO_TEST_CASE(nonzero_pad2_is_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), 0);
	w.pad2 = 1;
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w) == EINVAL);
}

BOOST_AUTO_TEST_CASE(negative_deadline_is_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_wait w = wait_args(q.id(), guest::initial_ring_index(), -1);
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_WAIT, &w) == EINVAL);
}

BOOST_AUTO_TEST_CASE(unknown_queue_is_enoent)
{
	guest::OpenDevice dev;
	afd_wait w = wait_args(0xfffe, 0, 0);
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_WAIT, &w) == ENOENT);
}

BOOST_AUTO_TEST_CASE(library_wait_times_out_with_zero_completions)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_completion out[4];
	BOOST_TEST(q.wait(out, std::chrono::milliseconds(20)) == 0u);
	BOOST_CHECK_THROW((void)q.wait_for(77, std::chrono::milliseconds(20)), accel::Error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pollable_fd)

BOOST_AUTO_TEST_CASE(poll_reports_readable_only_when_completions_wait)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	pollfd pfd{dev.fd(), POLLIN, 0};
	BOOST_TEST(::poll(&pfd, 1, 0) == 0);
	afd_desc d = accel::op::nop(5);
	BOOST_REQUIRE(q.try_submit({&d, 1}) == 1u);
	BOOST_TEST(::poll(&pfd, 1, 30'000) == 1);
	BOOST_TEST((pfd.revents & POLLIN) != 0);
	afd_completion c;
	BOOST_TEST(q.poll({&c, 1}) == 1u);
	BOOST_TEST(::poll(&pfd, 1, 0) == 0); // consumed: no longer readable
}

BOOST_AUTO_TEST_CASE(epoll_wakes_on_a_completion)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	int ep = ::epoll_create1(EPOLL_CLOEXEC);
	epoll_event ev{};
	ev.events = EPOLLIN;
	BOOST_REQUIRE(::epoll_ctl(ep, EPOLL_CTL_ADD, dev.fd(), &ev) == 0);
	epoll_event got{};
	BOOST_TEST(::epoll_wait(ep, &got, 1, 0) == 0);
	std::thread submitter([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(30));
		afd_desc d = accel::op::nop(6);
		BOOST_CHECK(q.submit_syscall({&d, 1}) == 1u);
	});
	const int n = ::epoll_wait(ep, &got, 1, 30'000);
	submitter.join();
	BOOST_TEST(n == 1);
	BOOST_TEST((got.events & EPOLLIN) != 0);
	::close(ep);
}

BOOST_AUTO_TEST_CASE(an_engine_that_slept_behind_a_full_cq_resumes_when_it_drains)
{
	// The engine sleeps at once; descriptors wait behind a full CQ. Draining
	// the CQ with poll() alone (libaccel kicks on NEED_WAKEUP) must get the
	// rest through.
	guest::ParamOverride idle("engine_idle_us", "0");
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev, {.sq_entries = 8, .cq_entries = 8});
	std::vector<afd_desc> nops(16, accel::op::nop());
	BOOST_REQUIRE(q.try_submit(std::span(nops).first(8)) == 8u);
	unsigned queued = 8;
	const std::int64_t give_up = now_ns() + 30'000'000'000;
	while (queued < 16 && now_ns() < give_up) // room once the engine took all 8
		queued += q.try_submit(std::span(nops).subspan(queued));
	BOOST_REQUIRE(queued == 16u);
	// No system call of ours from here: only libaccel's kick can wake it.
	BOOST_TEST(poll_only(q, 16) == 16u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(back_pressure)

BOOST_AUTO_TEST_CASE(a_full_ring_pushes_back_and_nothing_is_lost)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev, {.sq_entries = 8, .cq_entries = 8});
	std::vector<afd_desc> nops;
	for (std::uint64_t i = 0; i < 64; i++)
		nops.push_back(accel::op::nop(i));

	// Nobody polls: the engine fills the CQ, then stops taking from the SQ,
	// which then fills too.
	unsigned queued = 0;
	const std::int64_t give_up = now_ns() + 30'000'000'000;
	while (queued < 16 && now_ns() < give_up)
		queued += q.try_submit(std::span(nops).subspan(queued, 16 - queued));
	BOOST_REQUIRE(queued == 16u);
	std::this_thread::sleep_for(std::chrono::milliseconds(50));
	BOOST_TEST(q.try_submit(std::span(nops).subspan(16, 1)) == 0u); // full
	BOOST_TEST(q.sq_space() == 0u);

	// Consuming the CQ lets everything through, in order, none dropped.
	std::vector<std::uint64_t> cookies;
	afd_completion out[8];
	while (cookies.size() < 64) {
		if (queued < 64)
			queued += q.try_submit(std::span(nops).subspan(queued));
		unsigned n = q.wait(out, std::chrono::seconds(30));
		BOOST_REQUIRE(n > 0u);
		for (unsigned i = 0; i < n; i++)
			cookies.push_back(out[i].cookie);
	}
	for (std::uint64_t i = 0; i < 64; i++)
		BOOST_TEST(cookies[i] == i);
	auto hdr = q.stats();
	BOOST_TEST(hdr.completed == 64u);
}

BOOST_AUTO_TEST_CASE(blocking_submit_waits_for_room)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev, {.sq_entries = 8});
	std::vector<afd_desc> nops(12, accel::op::nop());
	q.submit(nops, std::chrono::seconds(30)); // 12 > 8: must wait once
	unsigned got = 0;
	afd_completion out[16];
	while (got < 12) {
		unsigned n = q.wait(out, std::chrono::seconds(30));
		BOOST_REQUIRE(n > 0u);
		got += n;
	}
	BOOST_TEST(q.outstanding() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(submit_and_kick_ioctls)

BOOST_AUTO_TEST_CASE(submit_with_flags_is_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_desc d = accel::op::nop();
	afd_submit s{q.id(), 1, reinterpret_cast<std::uintptr_t>(&d), 1, 0};
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_SUBMIT, &s) == EINVAL);
}

BOOST_AUTO_TEST_CASE(submit_with_a_nonzero_output_submitted_is_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_desc d = accel::op::nop();
	afd_submit s{q.id(), 0, reinterpret_cast<std::uintptr_t>(&d), 1, 1};
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_SUBMIT, &s) == EINVAL);
}

BOOST_AUTO_TEST_CASE(submit_of_zero_descriptors_is_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_desc d = accel::op::nop();
	afd_submit s{q.id(), 0, reinterpret_cast<std::uintptr_t>(&d), 0, 0};
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_SUBMIT, &s) == EINVAL);
}

BOOST_AUTO_TEST_CASE(submit_of_more_than_the_sq_holds_is_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev, {.sq_entries = 8});
	std::vector<afd_desc> d(9, accel::op::nop());
	afd_submit s{q.id(), 0, reinterpret_cast<std::uintptr_t>(d.data()), 9, 0};
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_SUBMIT, &s) == EINVAL);
}

BOOST_AUTO_TEST_CASE(submit_from_a_bad_pointer_is_efault)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_submit s{q.id(), 0, 0x10, 1, 0};
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_SUBMIT, &s) == EFAULT);
}

BOOST_AUTO_TEST_CASE(submit_to_an_unknown_queue_is_enoent)
{
	guest::OpenDevice dev;
	afd_desc d = accel::op::nop();
	afd_submit s{0xfffe, 0, reinterpret_cast<std::uintptr_t>(&d), 1, 0};
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_SUBMIT, &s) == ENOENT);
}

BOOST_AUTO_TEST_CASE(kick_with_flags_is_einval)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	afd_kick k{q.id(), 1};
	BOOST_TEST(guest::ioctl_errno(dev.fd(), AFD_IOC_KICK, &k) == EINVAL);
}

BOOST_AUTO_TEST_CASE(kick_of_an_unknown_queue_is_enoent)
{
	guest::OpenDevice dev;
	afd_kick k{0xfffe, 0};
	BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_KICK, &k) == ENOENT);
}

BOOST_AUTO_TEST_CASE(a_sleeping_engine_is_woken_by_the_library)
{
	// With a short idle window the engine sleeps between these bursts;
	// every burst must still complete (the library kicks on NEED_WAKEUP).
	guest::ParamOverride idle("engine_idle_us", "1");
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	const std::uint64_t wakeups_before = guest::read_uint("/sys/class/accelfd/accel0/engine_wakeups");
	for (std::uint64_t i = 0; i < 5; i++) {
		std::this_thread::sleep_for(std::chrono::milliseconds(20)); // it sleeps
		afd_desc d = accel::op::nop(i);
		BOOST_REQUIRE(q.try_submit({&d, 1}) == 1u);
		BOOST_TEST(poll_only(q, 1) == 1u); // no WAIT: the kick must come from try_submit
	}
	BOOST_TEST(guest::read_uint("/sys/class/accelfd/accel0/engine_wakeups") > wakeups_before);
}

BOOST_AUTO_TEST_SUITE_END()
