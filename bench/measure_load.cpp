// SPDX-License-Identifier: MIT
// M5: data operations against the CPU doing the same; M6: scaling over
// processes, fairness between them, and the engine's CPU use while idle.
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <immintrin.h>
#include <numeric>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "measure.hpp"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start)
{
	return std::chrono::duration<double>(Clock::now() - start).count();
}

/// CRC-32C with the SSE4.2 instruction, as a CPU library would compute it.
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::uint32_t crc, const std::byte *p,
							     std::size_t n)
{
	std::uint64_t c = ~crc;
	for (; n >= 8; n -= 8, p += 8) {
		std::uint64_t word;
		std::memcpy(&word, p, 8);
		c = _mm_crc32_u64(c, word);
	}
	for (; n; n--, p++)
		c = _mm_crc32_u8(static_cast<std::uint32_t>(c), std::to_integer<std::uint8_t>(*p));
	return ~static_cast<std::uint32_t>(c);
}

/// GB/s of the engine running @p make(i) over the whole byte budget, with
/// up to 8 descriptors outstanding.
template <typename Make> double engine_gbps(accel::Queue &q, std::size_t size, std::size_t total, Make make)
{
	const std::size_t count = std::max<std::size_t>(1, total / size);
	std::size_t sent = 0, done = 0;
	afd_completion out[8];
	const auto start = Clock::now();
	while (done < count) {
		while (sent < count && sent - done < 8) {
			const afd_desc d = make(sent);
			if (q.try_submit({&d, 1}) == 0)
				break;
			sent++;
		}
		const unsigned n = q.poll(out);
		for (unsigned i = 0; i < n; i++)
			if (out[i].status != 0)
				throw std::runtime_error("a data descriptor failed");
		done += n;
	}
	return static_cast<double>(count * size) / seconds_since(start) / 1e9;
}

template <typename Op> double cpu_gbps(std::size_t size, std::size_t total, Op op)
{
	const std::size_t count = std::max<std::size_t>(1, total / size);
	const auto start = Clock::now();
	for (std::size_t i = 0; i < count; i++)
		op();
	return static_cast<double>(count * size) / seconds_since(start) / 1e9;
}

/// Clock ticks the device's engine threads have used ("afdN-engM").
std::uint64_t engine_ticks()
{
	std::uint64_t ticks = 0;
	DIR *proc = ::opendir("/proc");
	while (dirent *e = proc ? ::readdir(proc) : nullptr) {
		const std::string dir = std::string("/proc/") + e->d_name;
		std::ifstream comm(dir + "/comm");
		std::string name;
		if (!(comm >> name) || !name.starts_with("afd0-eng"))
			continue;
		std::ifstream stat(dir + "/stat");
		std::string field;
		// utime and stime are fields 14 and 15 (comm has no spaces here).
		for (int i = 1; i <= 15 && stat >> field; i++)
			if (i >= 14)
				ticks += std::stoull(field);
	}
	if (proc)
		::closedir(proc);
	return ticks;
}

/// A child process with a queue of its own, running NOP batches of 8 from
/// the start signal for @p span; writes how many it completed. It sleeps
/// in WAIT for its completions: more spinning processes than CPUs would
/// measure the scheduler, not the device.
[[noreturn]] void scaling_child(int start_fd, int result_fd, std::chrono::milliseconds span)
{
	std::uint64_t done = 0;
	try {
		auto dev = accel::Device::open(0);
		auto q = accel::Queue::create(dev, {.sq_entries = 64});
		const std::vector<afd_desc> nops(8, accel::op::nop());
		afd_completion out[8];
		char go;
		if (::read(start_fd, &go, 1) != 0) // EOF: start
			::_exit(1);
		const auto end = Clock::now() + span;
		while (Clock::now() < end) {
			q.submit(nops);
			for (unsigned got = 0; got < 8;)
				got += q.wait(std::span(out).first(8 - got));
			done += 8;
		}
	} catch (...) {
		::_exit(2);
	}
	::_exit(::write(result_fd, &done, sizeof(done)) == sizeof(done) ? 0 : 3);
}

} // namespace

void measure_data(Report &report, const Settings &settings, Targets &t)
{
	const std::size_t max = 4 << 20;
	std::vector<std::byte> src(max), dst(max);
	std::iota(reinterpret_cast<unsigned char *>(src.data()),
		  reinterpret_cast<unsigned char *>(src.data()) + max, 0);
	const bool sse42 = __builtin_cpu_supports("sse4.2");
	for (std::size_t size : {std::size_t{4096}, std::size_t{65536}, std::size_t{1} << 20, max}) {
		const std::string param = "size=" + std::to_string(size);
		const std::span<std::byte> d(dst.data(), size);
		const std::span<const std::byte> s(src.data(), size);
		progress("M5 " + param);
		report.add({"M5", "engine MEMMOVE", param,
			    engine_gbps(t.char_queue, size, settings.data_bytes,
					[&](std::size_t i) { return accel::op::memmove(d, s, i); }),
			    "GB/s"});
		report.add({"M5", "CPU memcpy", param,
			    cpu_gbps(size, settings.data_bytes,
				     [&] {
					     std::memcpy(d.data(), s.data(), size);
					     asm volatile("" ::: "memory");
				     }),
			    "GB/s"});
		report.add({"M5", "engine CRC32C", param,
			    engine_gbps(t.char_queue, size, settings.data_bytes,
					[&](std::size_t i) { return accel::op::crc32c(s, 0, i); }),
			    "GB/s"});
		if (sse42) {
			volatile std::uint32_t sink = 0;
			report.add({"M5", "CPU CRC32C (SSE4.2)", param,
				    cpu_gbps(size, settings.data_bytes,
					     [&] { sink = crc32c_sse42(0, s.data(), size); }),
				    "GB/s"});
		}
	}
}

void measure_scaling(Report &report, const Settings &settings)
{
	for (unsigned processes : {1u, 2u, 4u, 8u}) {
		const std::string param = "processes=" + std::to_string(processes);
		progress("M6 " + param);
		int start[2], results[2];
		if (::pipe2(start, O_CLOEXEC) || ::pipe2(results, O_CLOEXEC))
			throw accel::Error(errno, "pipe");
		std::vector<pid_t> children;
		for (unsigned i = 0; i < processes; i++) {
			const pid_t pid = ::fork();
			if (pid == 0) {
				::close(start[1]);
				scaling_child(start[0], results[1], settings.span);
			}
			children.push_back(pid);
		}
		::close(start[0]);
		::close(results[1]);
		std::this_thread::sleep_for(std::chrono::milliseconds(200)); // all queues created
		::close(start[1]);					   // go
		std::vector<double> rates;
		std::uint64_t done;
		while (::read(results[0], &done, sizeof(done)) == sizeof(done))
			rates.push_back(static_cast<double>(done) /
					std::chrono::duration<double>(settings.span).count());
		::close(results[0]);
		for (pid_t pid : children)
			::waitpid(pid, nullptr, 0);
		if (rates.size() != processes)
			throw std::runtime_error("a scaling process failed");
		const double sum = std::accumulate(rates.begin(), rates.end(), 0.0);
		const double squares = std::inner_product(rates.begin(), rates.end(), rates.begin(), 0.0);
		report.add({"M6", "char ring, aggregate", param, sum, "ops/s"});
		report.add({"M6", "char ring, Jain's fairness", param, sum * sum / (processes * squares), "index"});
	}

	progress("M6 idle engine");
	std::this_thread::sleep_for(std::chrono::milliseconds(500)); // past the idle window
	const std::uint64_t before = engine_ticks();
	const auto window = settings.full ? std::chrono::seconds(5) : std::chrono::seconds(2);
	std::this_thread::sleep_for(window);
	const double ticks = static_cast<double>(engine_ticks() - before);
	report.add({"M6", "engine threads, idle", "cpu",
		    100.0 * ticks / static_cast<double>(::sysconf(_SC_CLK_TCK)) /
			    std::chrono::duration<double>(window).count(),
		    "%"});
}

} // namespace bench
