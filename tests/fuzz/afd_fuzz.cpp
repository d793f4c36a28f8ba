// SPDX-License-Identifier: MIT
// afd_fuzz: a seeded random sequence of opens, closes, ioctls with random
// arguments, mmaps, munmaps, mremaps, descriptors, doorbell and CQ-head
// writes, and forked children using inherited files, against /dev/accelN.
// The same seed gives the same sequence of calls. The process must
// survive; afterwards every queue and context it made must be gone. The
// guest harness fails the run on any BUG, WARNING, Oops or lockup in the
// kernel log.
//
//   afd_fuzz [--seed N] [--ops N] [--device /dev/accel0]
//
// Descriptors only ever point their destination at the fuzzer's scratch
// area or at memory it cannot write, so the engine cannot corrupt the
// fuzzer itself; sources may point anywhere.
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <linux/accelfd.h>

namespace {

constexpr std::size_t page = 4096;
constexpr std::size_t scratch_size = 1 << 20;

struct Mapping {
	void *addr;
	std::size_t size;
	int region; // AFD_REGION_* or 0 if unknown
	std::uint32_t entries_offset;
};

struct Queue {
	int fd;
	afd_queue_create info;
	std::uint32_t tail = 0;
};

class Fuzzer {
public:
	Fuzzer(std::uint64_t seed, std::string device) : rng_(seed), device_(std::move(device))
	{
		scratch_ = static_cast<std::byte *>(::mmap(nullptr, scratch_size, PROT_READ | PROT_WRITE,
							   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		no_access_ = ::mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		read_only_ = ::mmap(nullptr, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}

	void run(unsigned ops)
	{
		for (unsigned i = 0; i < ops; i++) {
			switch (pick(13)) {
			case 0: open_file(); break;
			case 1: close_file(); break;
			case 2: case 3: case 4: random_ioctl(); break;
			case 5: create_queue(); break;
			case 6: map_region(); break;
			case 7: unmap_or_remap(); break;
			case 8: case 9: submit_through_ring(); break;
			case 10: corrupt_indices(); break;
			case 11: fork_child(); break;
			case 12: create_stream(); break;
			}
			calls_++;
		}
	}

	/// Closes and unmaps everything.
	void cleanup()
	{
		for (auto &m : maps_)
			::munmap(m.addr, m.size);
		maps_.clear();
		for (int fd : fds_)
			::close(fd);
		fds_.clear();
		queues_.clear();
	}

	unsigned calls() const { return calls_; }
	unsigned succeeded() const { return succeeded_; }

private:
	std::uint64_t rand64() { return rng_(); }
	unsigned pick(unsigned n) { return static_cast<unsigned>(rng_() % n); }

	int any_fd()
	{
		if (fds_.empty() || pick(20) == 0)
			return pick(2) ? -1 : 0; // not even an accelfd file
		return fds_[pick(static_cast<unsigned>(fds_.size()))];
	}

	void open_file()
	{
		if (fds_.size() >= 4)
			return;
		int fd = ::open(device_.c_str(), O_RDWR | (pick(2) ? O_CLOEXEC : 0));
		if (fd >= 0)
			fds_.push_back(fd);
	}

	void close_file()
	{
		if (fds_.empty())
			return;
		const unsigned i = pick(static_cast<unsigned>(fds_.size()));
		::close(fds_[i]);
		std::erase_if(queues_, [&](const Queue &q) { return q.fd == fds_[i]; });
		fds_.erase(fds_.begin() + i);
	}

	/// An address for a descriptor's source: anything at all.
	std::uint64_t any_address()
	{
		switch (pick(7)) {
		case 0: return 0;
		case 1: return reinterpret_cast<std::uintptr_t>(no_access_);
		case 2: return 0xffff888000000000ull + (rand64() & 0xffffff);
		case 3: return rand64();
		case 4: return ~0ull - pick(4096);
		default: return writable_address();
		}
	}

	/// An address for a destination: never the fuzzer's own live memory.
	std::uint64_t writable_address()
	{
		switch (pick(6)) {
		case 0: return reinterpret_cast<std::uintptr_t>(read_only_);
		case 1: return reinterpret_cast<std::uintptr_t>(no_access_) + pick(page);
		case 2: return 0xffffffff81000000ull;
		default: return reinterpret_cast<std::uintptr_t>(scratch_) + pick(scratch_size);
		}
	}

	afd_desc random_desc()
	{
		afd_desc d{};
		d.opcode = static_cast<std::uint8_t>(pick(8) == 0 ? rand64() : pick(AFD_OP_COUNT));
		const bool codec = d.opcode == AFD_OP_DEFLATE || d.opcode == AFD_OP_INFLATE;
		d.flags = pick(10) == 0 ? static_cast<std::uint8_t>(rand64())
			  : codec       ? static_cast<std::uint8_t>(pick(16)) // the defined flags
					: 0;
		// Small ids: the streams create_stream() makes on each queue.
		d.stream = pick(20) == 0 ? static_cast<std::uint32_t>(rand64()) : codec && pick(2) ? pick(5) : 0;
		d.src = any_address();
		d.dst = writable_address();
		const auto scratch = reinterpret_cast<std::uintptr_t>(scratch_);
		// What the engine writes at dst: len bytes, or dst_len for a codec.
		__u64 *written = codec ? &d.dst_len : &d.len;
		if (d.dst >= scratch && d.dst < scratch + scratch_size)
			*written = pick(static_cast<unsigned>(scratch + scratch_size - d.dst) + 1);
		else
			*written = pick(3) == 0 ? rand64() : pick(1 << 17);
		if (codec)
			d.len = pick(3) == 0 ? rand64() : pick(1 << 17);
		d.arg = pick(2) ? rand64() : codec ? pick(11) : 0;
		d.cookie = rand64();
		return d;
	}

	void random_ioctl()
	{
		alignas(8) std::array<std::uint8_t, 256> arg{};
		for (auto &b : arg)
			b = static_cast<std::uint8_t>(pick(4) == 0 ? rng_() : 0);
		const unsigned nr = pick(10);
		unsigned size = pick(3) ? 0 : pick(200);
		const unsigned dir = pick(4);
		if (size == 0) {
			static constexpr unsigned sizes[] = {sizeof(afd_info), sizeof(afd_queue_create), sizeof(afd_queue_destroy),
							     sizeof(afd_queue_query), sizeof(afd_wait), sizeof(afd_submit),
							     sizeof(afd_kick), 8, 8, 8};
			size = sizes[nr];
		}
		if (!queues_.empty() && pick(2)) // often name a real queue
			std::memcpy(arg.data(), &queues_[pick(static_cast<unsigned>(queues_.size()))].info.queue_id, 4);
		std::vector<afd_desc> descs;
		if (nr == 4) { // WAIT: never block for long
			afd_wait w{};
			std::memcpy(&w, arg.data(), sizeof(w));
			w.deadline_ns = pick(2) ? 0 : now_ns() + pick(2'000'000);
			std::memcpy(arg.data(), &w, sizeof(w));
		}
		if (nr == 5) { // SUBMIT: descriptors from the safe generator
			for (unsigned i = 0, n = pick(10); i < n; i++)
				descs.push_back(random_desc());
			afd_submit s{};
			std::memcpy(&s, arg.data(), sizeof(s));
			s.descs = reinterpret_cast<std::uintptr_t>(descs.data());
			s.count = pick(8) == 0 ? static_cast<std::uint32_t>(rand64()) % 5000
					       : static_cast<std::uint32_t>(descs.size());
			if (s.count > descs.size())
				s.descs = pick(2) ? 0 : reinterpret_cast<std::uintptr_t>(no_access_);
			std::memcpy(arg.data(), &s, sizeof(s));
		}
		void *ptr = arg.data();
		switch (pick(12)) {
		case 0: ptr = nullptr; break;
		case 1: ptr = no_access_; break;
		case 2: ptr = read_only_; break;
		default: break;
		}
		const unsigned long cmd = _IOC(dir, pick(15) == 0 ? pick(256) : AFD_IOCTL_BASE, nr, size);
		// Queues this creates are not tracked for mapping (create_queue()
		// makes those); closing their file frees them all the same.
		if (::ioctl(any_fd(), cmd, ptr) == 0)
			succeeded_++;
	}

	void create_queue()
	{
		if (fds_.empty())
			return;
		Queue q{fds_[pick(static_cast<unsigned>(fds_.size()))], {}};
		q.info.sq_entries = 1u << pick(14);
		q.info.cq_entries = pick(3) == 0 ? 1u << pick(15) : 0;
		q.info.flags = pick(4) != 0 ? AFD_QUEUE_CREATE_F_PRIORITY : 0;
		q.info.priority = pick(18);
		if (::ioctl(q.fd, AFD_IOC_CREATE_QUEUE, &q.info) == 0) {
			succeeded_++;
			queues_.push_back(q);
		}
	}

	void create_stream()
	{
		if (queues_.empty())
			return;
		const Queue &q = queues_[pick(static_cast<unsigned>(queues_.size()))];
		afd_stream_create args{};
		args.queue_id = q.info.queue_id;
		args.op = pick(2) ? AFD_OP_DEFLATE : AFD_OP_INFLATE;
		args.level = pick(11);
		if (::ioctl(q.fd, AFD_IOC_CREATE_STREAM, &args) == 0)
			succeeded_++;
	}

	void map_region()
	{
		if (maps_.size() > 24)
			return;
		std::uint64_t offset;
		std::size_t size = page;
		int region = 0;
		std::uint32_t entries_offset = 0;
		int fd = any_fd();
		if (!queues_.empty() && pick(4)) {
			const Queue &q = queues_[pick(static_cast<unsigned>(queues_.size()))];
			fd = pick(6) ? q.fd : fd;
			region = static_cast<int>(1 + pick(3));
			offset = region == AFD_REGION_SQ ? q.info.sq_offset
				 : region == AFD_REGION_CQ ? q.info.cq_offset
							     : q.info.doorbell_offset;
			size = region == AFD_REGION_SQ ? q.info.sq_size
			       : region == AFD_REGION_CQ ? q.info.cq_size
							   : q.info.doorbell_size;
			entries_offset = region == AFD_REGION_SQ ? q.info.sq_entries_offset : q.info.cq_entries_offset;
			if (pick(8) == 0)
				size += page * (1 + pick(3));
			if (pick(8) == 0)
				offset += page;
		} else {
			offset = AFD_MMAP_OFFSET(pick(70000), pick(16)) | (pick(4) == 0 ? rand64() & 0xfffff000 : 0);
			size = page * (1 + pick(64));
		}
		const int prot = pick(6) == 0 ? PROT_READ : PROT_READ | PROT_WRITE;
		const int flags = pick(8) == 0 ? MAP_PRIVATE : MAP_SHARED;
		void *addr = ::mmap(nullptr, size, prot, flags, fd, static_cast<off_t>(offset));
		if (addr == MAP_FAILED)
			return;
		succeeded_++;
		maps_.push_back({addr, size, prot & PROT_WRITE ? region : 0, entries_offset});
	}

	void unmap_or_remap()
	{
		if (maps_.empty())
			return;
		const unsigned i = pick(static_cast<unsigned>(maps_.size()));
		Mapping &m = maps_[i];
		switch (pick(4)) {
		case 0: // grow or move: refused
			(void)::mremap(m.addr, m.size, m.size + page, MREMAP_MAYMOVE);
			return;
		case 1: // a split: refused
			if (m.size > page)
				(void)::munmap(static_cast<char *>(m.addr) + page, page);
			return;
		case 2:
			(void)::madvise(m.addr, m.size, MADV_DOFORK);
			return;
		default:
			::munmap(m.addr, m.size);
			maps_.erase(maps_.begin() + i);
		}
	}

	Mapping *find_map(int region)
	{
		std::vector<Mapping *> found;
		for (auto &m : maps_)
			if (m.region == region)
				found.push_back(&m);
		return found.empty() ? nullptr : found[pick(static_cast<unsigned>(found.size()))];
	}

	void submit_through_ring()
	{
		Mapping *sq = find_map(AFD_REGION_SQ);
		Mapping *doorbell = find_map(AFD_REGION_DOORBELL);
		if (!sq || !doorbell)
			return;
		auto *header = static_cast<afd_ring_header *>(sq->addr);
		const std::uint32_t entries = header->entries;
		if (entries == 0 || (entries & (entries - 1)) || sq->entries_offset + entries * sizeof(afd_desc) > sq->size)
			return;
		auto *ring = reinterpret_cast<afd_desc *>(static_cast<char *>(sq->addr) + sq->entries_offset);
		auto *bell = static_cast<std::uint32_t *>(doorbell->addr);
		std::uint32_t tail = __atomic_load_n(bell, __ATOMIC_RELAXED);
		for (unsigned i = 0, n = pick(8); i < n; i++)
			ring[(tail + i) & (entries - 1)] = random_desc();
		tail += pick(8);
		__atomic_store_n(bell, tail, __ATOMIC_RELEASE);
		if (!queues_.empty() && pick(2)) {
			afd_kick k{queues_[pick(static_cast<unsigned>(queues_.size()))].info.queue_id, 0};
			(void)::ioctl(any_fd(), AFD_IOC_KICK, &k);
		}
	}

	void corrupt_indices()
	{
		if (Mapping *cq = find_map(AFD_REGION_CQ); cq && pick(2))
			__atomic_store_n(&static_cast<afd_ring_header *>(cq->addr)->head,
					 static_cast<std::uint32_t>(pick(3) ? rand64() : pick(16)), __ATOMIC_RELEASE);
		else if (Mapping *bell = find_map(AFD_REGION_DOORBELL))
			__atomic_store_n(static_cast<std::uint32_t *>(bell->addr), static_cast<std::uint32_t>(rand64()),
					 __ATOMIC_RELEASE);
	}

	void fork_child()
	{
		if (pick(4) != 0) // forks are slow under emulation: fewer of them
			return;
		const unsigned child_seed = static_cast<unsigned>(rand64());
		pid_t pid = ::fork();
		if (pid == 0) {
			std::mt19937_64 child_rng(child_seed);
			for (int fd : fds_) {
				afd_info info{};
				(void)::ioctl(fd, AFD_IOC_GET_INFO, &info);
				(void)::mmap(nullptr, page, PROT_READ, MAP_SHARED, fd,
					     static_cast<off_t>(AFD_MMAP_OFFSET(child_rng() % 64, AFD_REGION_DOORBELL)));
			}
			::_exit(0);
		}
		if (pid > 0)
			while (::waitpid(pid, nullptr, 0) == -1 && errno == EINTR) {
			}
	}

	static std::int64_t now_ns()
	{
		timespec ts{};
		::clock_gettime(CLOCK_MONOTONIC, &ts);
		return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
	}

	std::mt19937_64 rng_;
	std::string device_;
	std::vector<int> fds_;
	std::vector<Queue> queues_;
	std::vector<Mapping> maps_;
	std::byte *scratch_;
	void *no_access_;
	void *read_only_;
	unsigned calls_ = 0, succeeded_ = 0;
};

unsigned read_count(const std::string &device, const char *attr)
{
	std::ifstream in("/sys/class/accelfd/" + device.substr(device.rfind('/') + 1) + "/" + attr);
	unsigned value = ~0u;
	in >> value;
	return value;
}

void on_alarm(int) {}

} // namespace

int main(int argc, char **argv)
{
	std::uint64_t seed = 1;
	unsigned ops = 1000;
	std::string device = "/dev/accel0";
	for (int i = 1; i + 1 < argc; i += 2) {
		const std::string opt = argv[i];
		if (opt == "--seed")
			seed = std::strtoull(argv[i + 1], nullptr, 0);
		else if (opt == "--ops")
			ops = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 0));
		else if (opt == "--device")
			device = argv[i + 1];
		else {
			std::fprintf(stderr, "usage: afd_fuzz [--seed N] [--ops N] [--device PATH]\n");
			return 2;
		}
	}

	// A periodic signal without SA_RESTART: blocking calls see EINTR too.
	struct sigaction sa {};
	sa.sa_handler = on_alarm;
	::sigaction(SIGALRM, &sa, nullptr);
	itimerval tick{{0, 20000}, {0, 20000}};
	::setitimer(ITIMER_REAL, &tick, nullptr);

	const unsigned queues = read_count(device, "queues"), contexts = read_count(device, "contexts");
	Fuzzer fuzzer(seed, device);
	fuzzer.run(ops);
	fuzzer.cleanup();

	bool clean = false;
	for (int i = 0; i < 1000 && !clean; i++) {
		clean = read_count(device, "queues") == queues && read_count(device, "contexts") == contexts;
		if (!clean)
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	std::printf("afd_fuzz: seed %llu: %u operations, %u calls succeeded; %s\n",
		    static_cast<unsigned long long>(seed), fuzzer.calls(), fuzzer.succeeded(),
		    clean ? "every queue and context freed" : "LEAKED queues or contexts");
	return clean ? 0 : 1;
}
