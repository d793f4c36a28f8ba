// SPDX-License-Identifier: MIT
// M1-M3: the submission paths with NOPs, and io_uring's NOP beside them.
#include <atomic>
#include <liburing.h>
#include <sched.h>
#include <thread>
#include <vector>

#include "measure.hpp"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point start)
{
	return std::chrono::duration<double, std::nano>(Clock::now() - start).count();
}

void drain(accel::Queue &q, unsigned count)
{
	afd_completion out[64];
	for (unsigned got = 0; got < count;)
		got += q.poll(out);
}

/// The physical limit of publishing a tail: a store and a release fence.
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

/// Nanoseconds per descriptor of @p submit in batches of @p batch NOPs:
/// each round fills the SQ (the engine takes them meanwhile), timed as a
/// whole so that no clock read counts per batch; the completions are
/// drained outside the timed part.
template <typename Submit>
double submit_ns(accel::Queue &q, unsigned batch, unsigned rounds, Submit submit)
{
	const std::vector<afd_desc> nops(batch, accel::op::nop());
	const unsigned per_round = q.sq_entries() / batch * batch;
	double total = 0;
	for (unsigned r = 0; r < rounds; r++) {
		const auto start = Clock::now();
		for (unsigned sent = 0; sent < per_round; sent += batch)
			if (submit(std::span<const afd_desc>(nops)) != batch)
				throw std::runtime_error("a batch did not fit the SQ");
		total += ns_since(start);
		drain(q, per_round);
	}
	return total / (double(rounds) * per_round);
}

/// The latencies of @p n round trips, @p once(i) each, after 100 that warm up.
template <typename Once> Histogram timed_round_trips(unsigned n, Once once)
{
	Histogram h;
	for (unsigned i = 0; i < n + 100; i++) {
		const auto start = Clock::now();
		once(i);
		if (i >= 100)
			h.record(static_cast<std::uint64_t>(ns_since(start)));
	}
	return h;
}

enum class Wait { poll, block, syscall_poll };

Histogram round_trip(accel::Queue &q, Wait how, unsigned n)
{
	const afd_desc nop = accel::op::nop();
	afd_completion c;
	return timed_round_trips(n, [&](unsigned) {
		if (how == Wait::syscall_poll)
			(void)q.submit_syscall({&nop, 1});
		else
			(void)q.try_submit({&nop, 1});
		if (how == Wait::block)
			while (q.wait({&c, 1}) == 0) {
			}
		else
			while (q.poll({&c, 1}) == 0) {
			}
	});
}

/// Pins the calling thread to @p cpu for its lifetime; restores its mask.
class Pinned {
public:
	explicit Pinned(int cpu)
	{
		if (::sched_getaffinity(0, sizeof(saved_), &saved_) != 0)
			throw accel::Error(errno, "sched_getaffinity");
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (::sched_setaffinity(0, sizeof(one), &one) != 0)
			throw accel::Error(errno, "sched_setaffinity to CPU " + std::to_string(cpu));
	}
	~Pinned() { (void)::sched_setaffinity(0, sizeof(saved_), &saved_); }
	Pinned(const Pinned &) = delete;
	Pinned &operator=(const Pinned &) = delete;

private:
	cpu_set_t saved_;
};

/// The floor of any polled hand-over between two CPUs: two threads pinned
/// to CPUs 0 and 1 passing one cache line back and forth (odd values go
/// out, even ones come back).
Histogram ping_pong(unsigned n)
{
	alignas(64) std::atomic<std::uint32_t> line{0};
	const std::uint32_t last = 2 * (n + 100);
	std::jthread echo([&] {
		const Pinned pin(1);
		for (std::uint32_t v = 0; v != last;) {
			v = line.load(std::memory_order_acquire);
			if (v & 1)
				line.store(++v, std::memory_order_release);
		}
	});
	const Pinned pin(0);
	return timed_round_trips(n, [&](std::uint32_t i) {
		line.store(2 * i + 1, std::memory_order_release);
		while (line.load(std::memory_order_acquire) != 2 * i + 2) {
		}
	});
}

/// An io_uring instance, plain or with SQPOLL.
struct Ring {
	explicit Ring(bool sqpoll)
	{
		io_uring_params params{};
		if (sqpoll) {
			params.flags = IORING_SETUP_SQPOLL;
			params.sq_thread_idle = 2000; // ms: it polls throughout
		}
		if (int ret = io_uring_queue_init_params(256, &ring, &params); ret < 0)
			throw accel::Error(-ret, sqpoll ? "io_uring_queue_init (SQPOLL)" : "io_uring_queue_init");
	}
	~Ring() { io_uring_queue_exit(&ring); }
	Ring(const Ring &) = delete;
	Ring &operator=(const Ring &) = delete;

	void submit_nops(unsigned n)
	{
		for (unsigned i = 0; i < n; i++)
			io_uring_prep_nop(io_uring_get_sqe(&ring));
		io_uring_submit(&ring); // with SQPOLL: a syscall only if the thread sleeps
	}
	void reap(unsigned n)
	{
		for (unsigned got = 0; got < n;) {
			io_uring_cqe *cqe = nullptr;
			if (io_uring_peek_cqe(&ring, &cqe) == 0) {
				io_uring_cqe_seen(&ring, cqe);
				got++;
			}
		}
	}
	io_uring ring;
};

Histogram io_uring_round_trip(bool sqpoll, unsigned n)
{
	Ring r(sqpoll);
	return timed_round_trips(n, [&](unsigned) {
		r.submit_nops(1);
		r.reap(1);
	});
}

/// NOPs per second with @p batch outstanding at a time, for @p span.
template <typename Batch> double ops_per_second(std::chrono::milliseconds span, unsigned batch, Batch run)
{
	std::uint64_t done = 0;
	const auto start = Clock::now();
	const auto end = start + span;
	while (Clock::now() < end) {
		run(batch);
		done += batch;
	}
	return static_cast<double>(done) / std::chrono::duration<double>(Clock::now() - start).count();
}

void queue_batch(accel::Queue &q, unsigned batch)
{
	static const std::vector<afd_desc> nops(64, accel::op::nop());
	afd_completion out[64];
	unsigned sent = 0, got = 0;
	while (got < batch) {
		if (sent < batch)
			sent += q.try_submit(std::span(nops).first(batch - sent));
		got += q.poll(std::span(out).first(batch));
	}
}

} // namespace

void measure_submission(Report &report, const Settings &settings, Targets &t)
{
	const unsigned rounds = settings.round_trips / 16;
	progress("M1 store + release fence");
	const double store_fence = store_fence_ns(settings.round_trips * 32);
	for (unsigned batch : {1u, 64u}) {
		const std::string param = "batch=" + std::to_string(batch);
		// The floor is per descriptor whatever the batch: one table row.
		report.add({"M1", "store + release fence", param, store_fence, "ns"});
		progress("M1 char ring " + param);
		report.add({"M1", "char ring", param,
			    submit_ns(t.char_queue, batch, rounds, [&](auto d) { return t.char_queue.try_submit(d); }),
			    "ns"});
		progress("M1 char SUBMIT ioctl " + param);
		report.add({"M1", "char SUBMIT ioctl", param,
			    submit_ns(t.char_queue, batch, rounds,
				      [&](auto d) { return t.char_queue.submit_syscall(d); }),
			    "ns"});
		progress("M1 mdev ring " + param);
		report.add({"M1", "mdev ring", param,
			    submit_ns(t.mdev_queue, batch, rounds, [&](auto d) { return t.mdev_queue.try_submit(d); }),
			    "ns"});
	}
}

void measure_round_trip(Report &report, const Settings &settings, Targets &t)
{
	const unsigned n = settings.round_trips;
	const auto add = [&](const std::string &path, const Histogram &h) {
		for (const auto &[param, q] : {std::pair{"p50", 0.50}, std::pair{"p90", 0.90},
					       std::pair{"p99", 0.99}, std::pair{"p99.9", 0.999}})
			report.add({"M2", path, param, h.percentile(q), "ns"});
		report.add_latency(path, h);
	};
	const std::pair<const char *, std::function<Histogram()>> paths[] = {
		{"two-CPU ping-pong (floor)", [&] { return ping_pong(n); }},
		{"char ring + poll", [&] { return round_trip(t.char_queue, Wait::poll, n); }},
		{"char ring + WAIT", [&] { return round_trip(t.char_queue, Wait::block, n); }},
		{"char SUBMIT ioctl + poll", [&] { return round_trip(t.char_queue, Wait::syscall_poll, n); }},
		{"mdev ring + poll", [&] { return round_trip(t.mdev_queue, Wait::poll, n); }},
		{"mdev ring + eventfd", [&] { return round_trip(t.mdev_queue, Wait::block, n); }},
		{"io_uring NOP", [&] { return io_uring_round_trip(false, n); }},
		{"io_uring NOP, SQPOLL", [&] { return io_uring_round_trip(true, n); }},
	};
	for (const auto &[path, measure] : paths) {
		progress(std::string("M2 ") + path);
		add(path, measure());
	}
}

void measure_throughput(Report &report, const Settings &settings, Targets &t)
{
	for (unsigned batch : {1u, 8u, 64u}) {
		const std::string param = "batch=" + std::to_string(batch);
		progress("M3 char ring " + param);
		report.add({"M3", "char ring", param,
			    ops_per_second(settings.span, batch, [&](unsigned b) { queue_batch(t.char_queue, b); }),
			    "ops/s"});
		progress("M3 mdev ring " + param);
		report.add({"M3", "mdev ring", param,
			    ops_per_second(settings.span, batch, [&](unsigned b) { queue_batch(t.mdev_queue, b); }),
			    "ops/s"});
		progress("M3 io_uring SQPOLL " + param);
		Ring ring(true);
		report.add({"M3", "io_uring NOP, SQPOLL", param,
			    ops_per_second(settings.span, batch,
					   [&](unsigned b) {
						   ring.submit_nops(b);
						   ring.reap(b);
					   }),
			    "ops/s"});
	}
}

} // namespace bench
