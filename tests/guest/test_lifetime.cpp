// SPDX-License-Identifier: MIT
// Queues end with their file or process, whatever is in flight; a queue is
// safe to use from its own thread; corrupted ring indices stop a queue
// rather than running wild.
#include <csignal>
#include <poll.h>
#include <sys/mman.h>
#include <thread>
#include <vector>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

unsigned device_queues()
{
	return guest::read_uint("/sys/class/accelfd/accel0/queues");
}

unsigned device_contexts()
{
	return guest::read_uint("/sys/class/accelfd/accel0/contexts");
}

/// Fills the SQ with 1 MiB copies over @p buf (2 MiB) and rings the doorbell.
void load_up(accel::Queue &q, std::vector<std::byte> &buf)
{
	std::vector<afd_desc> work;
	for (unsigned i = 0; i < q.sq_entries(); i++)
		work.push_back(accel::op::memmove(std::span(buf).subspan(1 << 20),
						  std::span<const std::byte>(buf).first(1 << 20), i));
	(void)q.try_submit(work);
}

/// Waits until the kernel shows no queue and no context left on accel0
/// (a killed process's file is released as it is reaped).
bool settles_to(unsigned queues, unsigned contexts)
{
	for (int i = 0; i < 3000; i++) {
		if (device_queues() == queues && device_contexts() == contexts)
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(lifetime)

BOOST_AUTO_TEST_CASE(closing_the_file_with_work_in_flight_frees_everything)
{
	const unsigned queues = device_queues(), contexts = device_contexts();
	std::vector<std::byte> buf(2 << 20);
	{
		auto dev = accel::Device::open(0);
		auto q1 = accel::Queue::create(dev, {.sq_entries = 32});
		auto q2 = accel::Queue::create(dev, {.sq_entries = 32});
		load_up(q1, buf);
		load_up(q2, buf);
		BOOST_TEST(device_queues() == queues + 2);
	} // Queue destructors unmap and destroy, the Device closes the file
	BOOST_TEST(settles_to(queues, contexts));
}

BOOST_AUTO_TEST_CASE(exiting_with_work_in_flight_frees_everything)
{
	const unsigned queues = device_queues(), contexts = device_contexts();
	const int status = guest::in_child([] {
		std::vector<std::byte> buf(2 << 20);
		auto dev = accel::Device::open(0);
		auto q = accel::Queue::create(dev, {.sq_entries = 64});
		load_up(q, buf);
		::_exit(0); // no destructor runs: the kernel cleans up
		return 0;
	});
	BOOST_TEST(status == 0);
	BOOST_TEST(settles_to(queues, contexts));
}

BOOST_AUTO_TEST_CASE(kill_9_with_work_in_flight_frees_everything)
{
	const unsigned queues = device_queues(), contexts = device_contexts();
	for (int round = 0; round < 10; round++) {
		int ready[2];
		BOOST_REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
		pid_t pid = ::fork();
		BOOST_REQUIRE(pid >= 0);
		if (pid == 0) {
			try {
				std::vector<std::byte> buf(2 << 20);
				auto dev = accel::Device::open(0);
				std::vector<accel::Queue> qs;
				for (int i = 0; i < 3; i++)
					qs.push_back(accel::Queue::create(dev, {.sq_entries = 16}));
				for (auto &q : qs)
					load_up(q, buf);
				(void)!::write(ready[1], "x", 1);
				for (;;) { // keep the engine busy until killed
					afd_completion c[16];
					for (auto &q : qs)
						if (q.poll(c) > 0)
							load_up(q, buf);
				}
			} catch (...) {
				::_exit(125); // the parent's read then fails its REQUIRE
			}
		}
		::close(ready[1]);
		char x;
		BOOST_REQUIRE(::read(ready[0], &x, 1) == 1);
		::close(ready[0]);
		std::this_thread::sleep_for(std::chrono::milliseconds(round * 3));
		::kill(pid, SIGKILL);
		int status = 0;
		BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
		BOOST_TEST(WIFSIGNALED(status));
	}
	BOOST_TEST(settles_to(queues, contexts));
}

BOOST_AUTO_TEST_CASE(each_thread_with_its_own_queue_runs_independently)
{
	auto dev = accel::Device::open(0);
	constexpr int threads = 4, per_thread = 300;
	std::vector<int> good(threads, 0);
	std::vector<std::thread> workers;
	for (int t = 0; t < threads; t++) {
		workers.emplace_back([&, t] {
			auto q = accel::Queue::create(dev, {.sq_entries = 16});
			std::vector<std::byte> src(4096), dst(4096);
			for (int i = 0; i < per_thread; i++) {
				std::fill(src.begin(), src.end(), std::byte(t * 16 + i % 16));
				auto c = q.run(accel::op::memmove(dst, src, i), std::chrono::seconds(60));
				if (c.status == 0 && c.cookie == static_cast<std::uint64_t>(i) && dst == src)
					good[t]++;
			}
		});
	}
	for (auto &w : workers)
		w.join();
	for (int t = 0; t < threads; t++)
		BOOST_TEST(good[t] == per_thread);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(corrupted_rings)

using guest::RawQueue;

BOOST_AUTO_TEST_CASE(a_doorbell_far_beyond_the_head_puts_the_queue_in_error)
{
	RawQueue q;
	*q.doorbell = 1000; // 1000 entries in an 8-entry ring
	BOOST_TEST(q.reaches(AFD_QUEUE_STATE_ERROR));
	BOOST_TEST((q.cq_header()->flags & AFD_CQ_F_ERROR) != 0u);
	BOOST_TEST(q.query().submitted == 0u); // nothing was executed
}

BOOST_AUTO_TEST_CASE(a_doorbell_moving_backwards_puts_the_queue_in_error)
{
	RawQueue q;
	*q.doorbell = 0xffffffffu; // "tail" one behind head 0
	BOOST_TEST(q.reaches(AFD_QUEUE_STATE_ERROR));
}

BOOST_AUTO_TEST_CASE(a_cq_head_beyond_the_tail_puts_the_queue_in_error)
{
	RawQueue q;
	q.cq_header()->head = 5000;
	auto *ring = reinterpret_cast<afd_desc *>(static_cast<char *>(q.sq) + q.args.sq_entries_offset);
	ring[0] = accel::op::nop();
	*q.doorbell = 1;
	BOOST_TEST(q.reaches(AFD_QUEUE_STATE_ERROR));
}

BOOST_AUTO_TEST_CASE(a_queue_in_error_fails_wait_with_eio_and_polls_as_error)
{
	RawQueue q;
	*q.doorbell = 1000;
	BOOST_REQUIRE(q.reaches(AFD_QUEUE_STATE_ERROR));
	afd_wait w{};
	w.queue_id = q.args.queue_id;
	BOOST_TEST(guest::ioctl_errno(q.dev.fd, AFD_IOC_WAIT, &w) == EIO);
	pollfd pfd{q.dev.fd, POLLIN, 0};
	BOOST_TEST(::poll(&pfd, 1, 0) == 1);
	BOOST_TEST((pfd.revents & POLLERR) != 0);
	afd_desc d = accel::op::nop();
	afd_submit s{q.args.queue_id, 0, reinterpret_cast<std::uintptr_t>(&d), 1, 0};
	BOOST_TEST(guest::ioctl_errno(q.dev.fd, AFD_IOC_SUBMIT, &s) == EIO);
}

BOOST_AUTO_TEST_CASE(other_queues_keep_working_beside_a_queue_in_error)
{
	RawQueue bad;
	auto dev = accel::Device::open(0);
	auto good = accel::Queue::create(dev);
	*bad.doorbell = 1000;
	BOOST_REQUIRE(bad.reaches(AFD_QUEUE_STATE_ERROR));
	BOOST_TEST(good.run(accel::op::nop(3), std::chrono::seconds(30)).status == 0);
}

BOOST_AUTO_TEST_SUITE_END()
