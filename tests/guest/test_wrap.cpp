// SPDX-License-Identifier: MIT
// Ring indices run free and wrap at 2^32, which a long-lived queue passes.
// The suite loads the module a second time with initial_ring_index just
// below 2^32 and runs these, the operations and libaccel's fast path across
// the wrap; with the default (0) they check the start and run without one.
#include <cstddef>
#include <vector>

#include "accel/accel.hpp"
#include "guest_util.hpp"

BOOST_AUTO_TEST_SUITE(ring_wrap)

BOOST_AUTO_TEST_CASE(a_new_queue_starts_at_the_module_parameter)
{
	guest::RawQueue q(8);
	const std::uint32_t start = guest::initial_ring_index();
	BOOST_TEST(*q.doorbell == start);
	BOOST_TEST(q.sq_header()->head == start);
	BOOST_TEST(q.sq_header()->tail == start);
	BOOST_TEST(q.cq_header()->head == start);
	BOOST_TEST(q.cq_header()->tail == start);
}

// Many laps of a small ring: with the parameter near 2^32 the indices pass
// it within the first laps, and every completion arrives, in order.
BOOST_AUTO_TEST_CASE(raw_indices_cross_the_wrap_in_order)
{
	guest::RawQueue q(8);
	const std::uint32_t start = q.tail;
	std::uint64_t next_cookie = 0;
	for (unsigned lap = 0; lap < 64; lap++) {
		const std::uint64_t first = next_cookie;
		q.submit(8, [&](unsigned i) { return accel::op::nop(first + i); });
		next_cookie += 8;
		for (unsigned got = 0; got < 8;) {
			const std::uint32_t tail = __atomic_load_n(&q.cq_header()->tail, __ATOMIC_ACQUIRE);
			for (; q.cq_head != tail; q.cq_head++, got++) {
				const afd_completion &c = q.cq_ring()[q.cq_head & (q.args.cq_entries - 1)];
				BOOST_REQUIRE(c.status == 0);
				BOOST_REQUIRE(c.cookie == first + got);
			}
			__atomic_store_n(&q.cq_header()->head, q.cq_head, __ATOMIC_RELEASE);
			if (got < 8)
				q.kick();
		}
	}
	BOOST_TEST(q.sq_header()->head == start + 512u);
	BOOST_TEST(q.cq_header()->tail == start + 512u);
	BOOST_TEST(q.query().completed == 512u);
}

// libaccel's fast path, batches that straddle the wrap, a data operation
// on each side of it.
BOOST_AUTO_TEST_CASE(libaccel_batches_straddle_the_wrap)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev, {.sq_entries = 16});
	std::vector<afd_desc> batch(12);
	std::vector<afd_completion> out(32);
	for (unsigned round = 0; round < 40; round++) {
		for (unsigned i = 0; i < batch.size(); i++)
			batch[i] = accel::op::nop(round * 100 + i);
		q.submit(batch, std::chrono::seconds(10));
		for (unsigned got = 0; got < batch.size();) {
			const unsigned n = q.wait(std::span(out).first(batch.size() - got), std::chrono::seconds(10));
			BOOST_REQUIRE(n > 0);
			for (unsigned i = 0; i < n; i++) {
				BOOST_REQUIRE(out[i].status == 0);
				BOOST_REQUIRE(out[i].cookie == round * 100 + got + i);
			}
			got += n;
		}
		std::vector<std::byte> src(3000, static_cast<std::byte>(round)), dst(3000);
		const afd_completion c = q.run(accel::op::memmove(dst, src, round), std::chrono::seconds(10));
		BOOST_REQUIRE(c.status == 0);
		BOOST_REQUIRE(dst == src);
	}
	BOOST_TEST(q.stats().completed == 40u * 13u);
}

BOOST_AUTO_TEST_SUITE_END()
