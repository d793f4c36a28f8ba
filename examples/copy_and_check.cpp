// SPDX-License-Identifier: MIT
// A first libaccel program, written from the README alone: on the smallest
// and the largest queue the device allows, fill a buffer, copy it, compare
// the copy and checksum both halves of the work.
#include <accel/accel.hpp>

#include <cstdio>
#include <vector>

int main()
{
	try {
		auto dev = accel::Device::open(0);
		const accel::DeviceInfo info = dev.info();

		for (std::uint32_t entries : {info.min_ring_entries, info.max_ring_entries}) {
			auto queue = accel::Queue::create(dev, {.sq_entries = entries});
			std::vector<std::byte> a(1 << 20), b(1 << 20);

			auto fill = queue.run(accel::op::fill(a, 0x0123456789abcdefULL, 1));
			auto copy = queue.run(accel::op::memmove(b, a, 2));
			auto same = queue.run(accel::op::compare(a, b, 3));
			auto crc_a = queue.run(accel::op::crc32c(a, 0, 4));
			auto crc_b = queue.run(accel::op::crc32c(b, 0, 5));

			const bool ok = fill.status == 0 && copy.status == 0 && same.status == 0 &&
					same.result == a.size() && crc_a.result == crc_b.result && a == b;
			std::printf("%s: queue %u with %u entries: fill, copy, compare, crc32c=%08llx: %s\n",
				    info.name.c_str(), queue.id(), queue.sq_entries(),
				    static_cast<unsigned long long>(crc_a.result), ok ? "ok" : "WRONG");
			if (!ok)
				return 1;
		}
		return 0;
	} catch (const accel::Error &e) {
		std::fprintf(stderr, "copy_and_check: %s\n", e.what());
		return 1;
	}
}
