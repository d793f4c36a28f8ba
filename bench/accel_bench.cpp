// SPDX-License-Identifier: MIT
// accel_bench: the submission paths of accelfd side by side, in one run.
//
//   accel_bench [--iterations N]
//
// Prints, for NOP descriptors on one queue:
// - submission cost per descriptor: a store plus release fence (the floor),
//   the zero-syscall ring path (try_submit), and the AFD_IOC_SUBMIT path;
// - round trip with one descriptor outstanding (p50, p99): ring + polling,
//   ring + blocking WAIT, SUBMIT ioctl + polling, and io_uring's
//   IORING_OP_NOP through liburing, plain (io_uring_enter per NOP) and with
//   SQPOLL (a kernel thread polls the ring, as accelfd's engine does).
// Absolute times under software emulation mean little; the ratios measured
// in one run are what to compare.
#include <accel/accel.hpp>
#include <liburing.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point start)
{
	return std::chrono::duration<double, std::nano>(Clock::now() - start).count();
}

struct Percentiles {
	double p50, p99;
};

Percentiles percentiles(std::vector<double> samples)
{
	std::sort(samples.begin(), samples.end());
	auto at = [&](double q) { return samples[static_cast<std::size_t>(q * (samples.size() - 1))]; };
	return {at(0.50), at(0.99)};
}

void drain(accel::Queue &q, unsigned count)
{
	afd_completion out[64];
	for (unsigned got = 0; got < count;)
		got += q.poll(out);
}

double store_fence_ns(unsigned n)
{
	std::uint32_t word = 0;
	const auto start = Clock::now();
	for (unsigned i = 0; i < n; i++) {
		std::atomic_ref(word).store(i, std::memory_order_release);
		std::atomic_thread_fence(std::memory_order_seq_cst);
	}
	return ns_since(start) / n;
}

/// Mean time per descriptor that @p submit takes to queue batches of 32.
template <typename Submit> double submit_ns(accel::Queue &q, unsigned batches, Submit submit)
{
	std::vector<afd_desc> batch(32, accel::op::nop());
	double total = 0;
	for (unsigned b = 0; b < batches; b++) {
		const auto start = Clock::now();
		unsigned queued = 0;
		while (queued < batch.size())
			queued += submit(std::span<const afd_desc>(batch).subspan(queued));
		total += ns_since(start);
		drain(q, static_cast<unsigned>(batch.size()));
	}
	return total / (batches * batch.size());
}

enum class Path { ring_poll, ring_wait, syscall_poll };

Percentiles round_trip(accel::Queue &q, Path path, unsigned n)
{
	std::vector<double> samples;
	samples.reserve(n);
	const afd_desc nop = accel::op::nop(1);
	afd_completion c;
	for (unsigned i = 0; i < n; i++) {
		const auto start = Clock::now();
		if (path == Path::syscall_poll)
			(void)q.submit_syscall({&nop, 1});
		else
			while (q.try_submit({&nop, 1}) == 0) {
			}
		if (path == Path::ring_wait)
			while (q.wait({&c, 1}) == 0) {
			}
		else
			while (q.poll({&c, 1}) == 0) {
			}
		samples.push_back(ns_since(start));
	}
	return percentiles(std::move(samples));
}

/// NOP round trips through io_uring, completions reaped without a syscall.
Percentiles io_uring_round_trip(bool sqpoll, unsigned n)
{
	io_uring ring;
	io_uring_params params{};
	if (sqpoll) {
		params.flags = IORING_SETUP_SQPOLL;
		params.sq_thread_idle = 2000; // ms, so that it polls throughout
	}
	if (int ret = io_uring_queue_init_params(64, &ring, &params); ret < 0)
		throw accel::Error(-ret, sqpoll ? "io_uring_queue_init (SQPOLL)" : "io_uring_queue_init");
	std::vector<double> samples;
	samples.reserve(n);
	for (unsigned i = 0; i < n + 100; i++) { // the first 100 warm up
		const auto start = Clock::now();
		io_uring_prep_nop(io_uring_get_sqe(&ring));
		io_uring_submit(&ring); // with SQPOLL: a syscall only if the thread sleeps
		io_uring_cqe *cqe = nullptr;
		while (io_uring_peek_cqe(&ring, &cqe) != 0) {
		}
		io_uring_cqe_seen(&ring, cqe);
		if (i >= 100)
			samples.push_back(ns_since(start));
	}
	io_uring_queue_exit(&ring);
	return percentiles(std::move(samples));
}

} // namespace

int main(int argc, char **argv)
{
	unsigned iterations = 2000;
	if (argc == 3 && std::strcmp(argv[1], "--iterations") == 0)
		iterations = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 0));
	try {
		auto dev = accel::Device::open(0);
		auto q = accel::Queue::create(dev, {.sq_entries = 256});
		drain(q, 0);
		(void)round_trip(q, Path::ring_poll, 200); // warm up

		const double floor = store_fence_ns(iterations * 32);
		const double ring = submit_ns(q, iterations / 4, [&](auto descs) { return q.try_submit(descs); });
		const double sys = submit_ns(q, iterations / 4, [&](auto descs) { return q.submit_syscall(descs); });
		const Percentiles poll = round_trip(q, Path::ring_poll, iterations);
		const Percentiles wait = round_trip(q, Path::ring_wait, iterations);
		const Percentiles sys_rt = round_trip(q, Path::syscall_poll, iterations);
		const Percentiles uring = io_uring_round_trip(false, iterations);
		const Percentiles uring_sqpoll = io_uring_round_trip(true, iterations);

		std::printf("submission cost per NOP descriptor (batches of 32)\n");
		std::printf("  %-28s %10.1f ns   1.0x\n", "store + release fence", floor);
		std::printf("  %-28s %10.1f ns %6.1fx\n", "ring (zero-syscall)", ring, ring / floor);
		std::printf("  %-28s %10.1f ns %6.1fx\n", "AFD_IOC_SUBMIT (syscall)", sys, sys / floor);
		std::printf("NOP round trip, one outstanding        p50          p99   p50 vs ring\n");
		std::printf("  %-28s %10.0f ns %10.0f ns   1.0x\n", "ring + poll", poll.p50, poll.p99);
		std::printf("  %-28s %10.0f ns %10.0f ns %6.1fx\n", "ring + blocking WAIT", wait.p50, wait.p99,
			    wait.p50 / poll.p50);
		std::printf("  %-28s %10.0f ns %10.0f ns %6.1fx\n", "SUBMIT ioctl + poll", sys_rt.p50, sys_rt.p99,
			    sys_rt.p50 / poll.p50);
		std::printf("  %-28s %10.0f ns %10.0f ns %6.1fx\n", "io_uring NOP", uring.p50, uring.p99,
			    uring.p50 / poll.p50);
		std::printf("  %-28s %10.0f ns %10.0f ns %6.1fx\n", "io_uring NOP, SQPOLL", uring_sqpoll.p50,
			    uring_sqpoll.p99, uring_sqpoll.p50 / poll.p50);
		std::printf("(%u iterations; under emulation compare the ratios, not the times)\n", iterations);
		return 0;
	} catch (const accel::Error &e) {
		std::fprintf(stderr, "accel_bench: %s\n", e.what());
		return 1;
	}
}
