// SPDX-License-Identifier: MIT
// The paths a review and an attack matrix found unguarded: each test takes
// one of them as a hostile or careless process, or a racing operator, would.
// Several bugs here were silent on a stock kernel: the guest suite boots it
// with slub_debug=FZP (freed objects poisoned) and scripts/test-debug with
// KASAN, so that a use-after-free faults instead.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <grp.h>
#include <linux/userfaultfd.h>
#include <memory>
#include <optional>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <thread>
#include <vector>

#include "accel/accel.hpp"
#include "guest_util.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::uint32_t load_acquire(const std::uint32_t &v)
{
	return __atomic_load_n(&v, __ATOMIC_ACQUIRE);
}

void store_release(std::uint32_t &v, std::uint32_t value)
{
	__atomic_store_n(&v, value, __ATOMIC_RELEASE);
}

/// Keeps @p q's SQ full of NOPs, as a hostile owner would: the doorbell a
/// whole ring ahead of the head, the CQ drained at once. Until @p stop or
/// @p limit; returns how many completions were cancelled.
std::uint64_t keep_full(guest::RawQueue &q, const std::atomic<bool> &stop,
			std::chrono::seconds limit)
{
	const std::uint32_t entries = q.args.sq_entries, cq_mask = q.args.cq_entries - 1;
	for (std::uint32_t i = 0; i < entries; i++)
		q.sq_ring()[i] = accel::op::nop(i);
	std::uint64_t cancelled = 0;
	std::uint32_t cq_head = 0;
	const auto until = std::chrono::steady_clock::now() + limit;
	while (!stop.load(std::memory_order_relaxed) && std::chrono::steady_clock::now() < until) {
		const std::uint32_t tail = load_acquire(q.cq_header()->tail);
		for (; cq_head != tail; cq_head++)
			if (q.cq_ring()[cq_head & cq_mask].status == -ECANCELED)
				cancelled++;
		store_release(q.cq_header()->head, cq_head);
		store_release(*const_cast<std::uint32_t *>(q.doorbell),
			      load_acquire(q.sq_header()->head) + entries);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (q.sq_header()->flags & AFD_SQ_F_NEED_WAKEUP)
			q.kick();
	}
	return cancelled;
}

cpu_set_t cpus(std::initializer_list<int> list)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int cpu : list)
		CPU_SET(cpu, &set);
	return set;
}

/// Moves every task whose name starts with @p prefix (kernel threads too)
/// to @p set; returns how many.
unsigned set_affinity_by_name(const std::string &prefix, const cpu_set_t &set)
{
	unsigned moved = 0;
	for (const auto &entry : fs::directory_iterator("/proc")) {
		const std::string pid = entry.path().filename();
		if (!std::isdigit(static_cast<unsigned char>(pid[0])))
			continue;
		std::string comm;
		std::getline(std::ifstream(entry.path() / "comm"), comm);
		if (comm.starts_with(prefix) && ::sched_setaffinity(std::stoi(pid), sizeof(set), &set) == 0)
			moved++;
	}
	return moved;
}

/// The calling thread on @p set until destroyed, then on every CPU.
struct PinnedThread {
	explicit PinnedThread(const cpu_set_t &set) { BOOST_REQUIRE(::sched_setaffinity(0, sizeof(set), &set) == 0); }
	~PinnedThread()
	{
		const cpu_set_t all = cpus({0, 1});
		(void)::sched_setaffinity(0, sizeof(all), &all);
	}
};

} // namespace

BOOST_AUTO_TEST_SUITE(hardening)

// A queue used only through AFD_IOC_SUBMIT has no mapping holding it: the
// operator's reference is the last one EVICT leaves. Freeing it before
// reading its context was a use-after-free (a fault at 0x6b6b6b6b6b6b6b6b
// under slab poisoning, a KASAN report on the debug kernel).
BOOST_AUTO_TEST_CASE(evicting_a_queue_that_was_never_mapped)
{
	guest::OpenDevice owner;
	const auto args = guest::create_queue(owner.fd);
	afd_desc nop = accel::op::nop(1);
	afd_submit submit{args.queue_id, 0, reinterpret_cast<std::uintptr_t>(&nop), 1, 0};
	BOOST_REQUIRE(guest::ioctl_errno(owner.fd, AFD_IOC_SUBMIT, &submit) == 0);

	guest::OpenDevice admin;
	BOOST_TEST(guest::queue_admin(admin.fd, args.queue_id, AFD_QUEUE_ADMIN_EVICT) == 0);
	afd_queue_query query{};
	query.queue_id = args.queue_id;
	BOOST_TEST(guest::ioctl_errno(owner.fd, AFD_IOC_QUERY_QUEUE, &query) == ECANCELED);
	afd_queue_destroy destroy{args.queue_id, 0};
	BOOST_TEST(guest::ioctl_errno(owner.fd, AFD_IOC_DESTROY_QUEUE, &destroy) == 0);
}

// An owner that refills its SQ as fast as the kernel drains it must not
// keep an EVICT cancelling for ever: only what was queued when the
// eviction began is cancelled (it cancelled millions before).
BOOST_AUTO_TEST_CASE(evict_against_an_owner_that_keeps_refilling)
{
	guest::RawQueue q(4096);
	std::atomic<bool> stop{false};
	std::uint64_t cancelled = 0;
	// Stops by itself: EVICT must return long before.
	std::thread owner([&] { cancelled = keep_full(q, stop, 60s); });
	std::this_thread::sleep_for(200ms); // the engine is busy with NOPs
	guest::OpenDevice admin;
	const auto start = std::chrono::steady_clock::now();
	const int err = guest::queue_admin(admin.fd, q.id(), AFD_QUEUE_ADMIN_EVICT);
	const auto took = std::chrono::steady_clock::now() - start;
	std::this_thread::sleep_for(100ms); // the owner drains what EVICT posted
	stop = true;
	owner.join();

	BOOST_TEST(err == 0);
	BOOST_TEST_MESSAGE("EVICT took " << std::chrono::duration<double>(took).count()
					 << " s and cancelled " << cancelled);
	BOOST_TEST(cancelled <= q.args.sq_entries);
	BOOST_TEST((q.cq_header()->flags & AFD_CQ_F_EVICTED) != 0u);
}

// SQs kept full of NOPs for longer than the soft-lockup threshold (20 s
// with the watchdog at its default): executing NOPs reaches no scheduling
// point, so the engine must give the CPU back itself. Two char-device
// queues on one engine (queues go to the least loaded engine: the first
// and the third) and an mdev's queue, which adopts no mm, on the other.
// Both engines are pinned to CPU 0 and the owners to CPU 1: an owner
// sharing the engine's CPU would starve, its queue run dry, and the engine
// sleep, hiding the bug (as it did before the pinning); for the same
// reason the engines poll rather than sleep while the other CPU serves a
// timer or a kworker. An engine that kept CPU 0 would leave the other's
// queue without completions, and the harness fails the suite on a "soft
// lockup" in the log.
BOOST_AUTO_TEST_CASE(char_and_mdev_queues_kept_full_for_30_s_cause_no_soft_lockup)
{
	const guest::AttrOverride poll_throughout("/sys/module/accelfd/parameters/engine_idle_us", "60000000");
	constexpr auto kept_full = 30s;
	guest::RawQueue first(4096);
	guest::TestMdev mdev;
	const auto mdev_device = accel::Device::open_mdev(mdev.uuid);
	auto mdev_queue = accel::Queue::create(mdev_device, {.sq_entries = 4096});
	guest::RawQueue third(4096);
	BOOST_REQUIRE(set_affinity_by_name("afd0-eng", cpus({0})) == 2u);
	std::atomic<bool> stop{false};
	std::thread char_owner([&] {
		const PinnedThread pin(cpus({1}));
		(void)keep_full(third, stop, kept_full);
	});
	std::thread mdev_owner([&] {
		const PinnedThread pin(cpus({1}));
		const std::vector<afd_desc> nops(mdev_queue.sq_entries(), accel::op::nop());
		std::vector<afd_completion> out(mdev_queue.cq_entries());
		const auto until = std::chrono::steady_clock::now() + kept_full;
		while (std::chrono::steady_clock::now() < until) {
			(void)mdev_queue.poll(out);
			(void)mdev_queue.try_submit(nops);
		}
	});
	{
		const PinnedThread pin(cpus({1}));
		BOOST_TEST(keep_full(first, stop, kept_full) == 0u); // nothing cancelled
	}
	char_owner.join();
	mdev_owner.join();
	BOOST_TEST(set_affinity_by_name("afd0-eng", cpus({0, 1})) == 2u);
	const std::uint64_t mdev_completed = mdev_queue.stats().completed;
	BOOST_TEST_MESSAGE(first.query().completed + third.query().completed << " NOPs on the char device and "
									   << mdev_completed << " on the mdev in 30 s");
	BOOST_TEST(first.query().completed > 0u);
	BOOST_TEST(third.query().completed > 0u);
	BOOST_TEST(mdev_completed > 0u);
}

// Until a new device's context/ and queue/ exist, nobody may open it: a
// context made before would have its sysfs directory at the root of sysfs.
// The module's debugfs race window holds each creation 20 ms between the
// device's node appearing and those directories being made (without it the
// window is a few instructions wide), and each open is checked while its
// file is open (checked only at the end, the test could not fail: every
// stray directory had gone with its file).
BOOST_AUTO_TEST_CASE(an_open_racing_device_creation_finds_its_sysfs_parent)
{
	const fs::path root = "/sys/class/accelfd";
	const guest::AttrOverride widen("/sys/kernel/debug/accelfd/race_window_ms", "20");
	const auto context_at_the_root = [] {
		for (const auto &entry : fs::directory_iterator("/sys"))
			if (std::isdigit(static_cast<unsigned char>(entry.path().filename().string()[0])))
				return true;
		return false;
	};
	std::atomic<bool> stop{false};
	std::atomic<unsigned> opened{0}, orphaned{0};
	std::thread opener([&] {
		while (!stop.load(std::memory_order_relaxed)) {
			const int fd = ::open("/dev/accel1", O_RDWR | O_CLOEXEC);
			if (fd >= 0) {
				opened++;
				// Now: a context's directory goes when its file closes.
				if (context_at_the_root())
					orphaned++;
				::close(fd);
			}
		}
	});
	for (int i = 0; i < 40; i++) {
		BOOST_REQUIRE(guest::write_attr(root / "add_device", "1") == 0);
		BOOST_REQUIRE(guest::write_attr(root / "accel1" / "remove", "1") == 0);
	}
	stop = true;
	opener.join();
	BOOST_TEST_MESSAGE(opened.load() << " opens of accel1 succeeded");
	BOOST_TEST(opened.load() > 0u);
	BOOST_TEST(orphaned.load() == 0u, orphaned.load() << " opens found a context directory at the root of sysfs");
	BOOST_TEST(!context_at_the_root(), "a context directory without a parent is left");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

/// A process of user @p uid (in the group accel, no capabilities) that
/// creates queues of @p sq_entries until it has @p count or one fails, and
/// keeps them until destroyed. Each queue's rings are mapped and, with
/// @p destroy_each, the queue destroyed at once (its memory stays mapped).
class UserProcess {
public:
	UserProcess(uid_t uid, unsigned count, unsigned sq_entries = 8, bool destroy_each = false)
	{
		int up[2], down[2];
		BOOST_REQUIRE(::pipe2(up, O_CLOEXEC) == 0 && ::pipe2(down, O_CLOEXEC) == 0);
		pid_ = ::fork();
		BOOST_REQUIRE(pid_ >= 0);
		if (pid_ == 0) {
			::close(up[0]);
			::close(down[1]);
			Result r = run(uid, count, sq_entries, destroy_each);
			(void)!::write(up[1], &r, sizeof(r));
			char x;
			(void)!::read(down[0], &x, 1); // until the test lets go
			::_exit(0);
		}
		::close(up[1]);
		::close(down[0]);
		release_ = down[1];
		BOOST_REQUIRE(::read(up[0], &result_, sizeof(result_)) == sizeof(result_));
		::close(up[0]);
	}
	~UserProcess()
	{
		::close(release_);
		::waitpid(pid_, nullptr, 0);
	}
	UserProcess(const UserProcess &) = delete;
	UserProcess &operator=(const UserProcess &) = delete;

	[[nodiscard]] unsigned created() const { return result_.created; }
	[[nodiscard]] int err() const { return result_.err; } ///< of the creation that failed
	[[nodiscard]] bool hint_names(const char *limit) const
	{
		return std::strstr(result_.hint, limit) != nullptr;
	}

private:
	struct Result {
		unsigned created = 0;
		int err = 0;
		char hint[256] = {};
	};
	static Result run(uid_t uid, unsigned count, unsigned sq_entries, bool destroy_each)
	{
		Result r;
		const group *accel = ::getgrnam("accel");
		if (!accel || ::setgroups(1, &accel->gr_gid) != 0 || ::setgid(uid) != 0 ||
		    ::setuid(uid) != 0) {
			r.err = -1;
			return r;
		}
		const int fd = ::open("/dev/accel0", O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			r.err = -2;
			return r;
		}
		for (; r.created < count; r.created++) {
			afd_queue_create args = guest::queue_args(sq_entries);
			if (::ioctl(fd, AFD_IOC_CREATE_QUEUE, &args) != 0) {
				r.err = errno;
				break;
			}
			for (const auto &[offset, size] : {std::pair{args.sq_offset, args.sq_size},
							   std::pair{args.cq_offset, args.cq_size},
							   std::pair{args.doorbell_offset, args.doorbell_size}})
				(void)::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
					     static_cast<off_t>(offset));
			if (destroy_each) {
				afd_queue_destroy destroy{args.queue_id, 0};
				(void)::ioctl(fd, AFD_IOC_DESTROY_QUEUE, &destroy);
			}
		}
		if (r.err) { // what libaccel tells the user about the same failure
			try {
				auto dev = accel::Device::open(0);
				(void)accel::Queue::create(dev, {.sq_entries = sq_entries});
			} catch (const std::exception &e) {
				std::strncpy(r.hint, e.what(), sizeof(r.hint) - 1);
			}
		}
		return r;
	}

	pid_t pid_ = -1;
	int release_ = -1;
	Result result_;
};

constexpr uid_t user_a = 60001, user_b = 60002;

} // namespace

BOOST_AUTO_TEST_SUITE(per_user_limits)

// Sixteen processes of one user could take every queue of the device, and
// a process holding files passed on by others kept their slots: the limit
// is per user, over all its processes.
BOOST_AUTO_TEST_CASE(max_queues_per_user_counts_every_process_of_the_user)
{
	guest::AttrOverride limit("max_queues_per_user", "3");
	UserProcess first(user_a, 2);
	BOOST_TEST(first.created() == 2u);
	UserProcess second(user_a, 2);
	BOOST_TEST(second.created() == 1u);
	BOOST_TEST(second.err() == ENOSPC);
	BOOST_TEST(second.hint_names("max_queues_per_user"));
	UserProcess other_user(user_b, 3);
	BOOST_TEST(other_user.created() == 3u);
	BOOST_TEST(other_user.err() == 0);
}

BOOST_AUTO_TEST_CASE(a_destroyed_queue_frees_its_users_slot)
{
	guest::AttrOverride limit("max_queues_per_user", "2");
	UserProcess churn(user_a, 10, 8, /*destroy_each=*/true);
	BOOST_TEST(churn.created() == 10u);
	BOOST_TEST(churn.err() == 0);
}

// Queue memory counts until it is freed: a user that destroys its queues
// and keeps their rings mapped still holds the memory.
BOOST_AUTO_TEST_CASE(max_memory_per_user_counts_destroyed_queues_still_mapped)
{
	guest::AttrOverride limit("max_memory_per_user", std::to_string(2 << 20));
	UserProcess churn(user_a, 100, 4096, /*destroy_each=*/true); // ~650 KiB each
	BOOST_TEST(churn.created() == 3u);
	BOOST_TEST(churn.err() == ENOMEM);
	BOOST_TEST(churn.hint_names("max_memory_per_user"));
	UserProcess other_user(user_b, 3, 4096);
	BOOST_TEST(other_user.created() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

/// A page whose faults a userfaultfd leaves unresolved, as a fault on a
/// hung FUSE or NFS mount would be; false if it cannot be made.
bool make_stuck_page(int &uffd, void *&page)
{
	uffd = static_cast<int>(::syscall(SYS_userfaultfd, O_CLOEXEC));
	uffdio_api api{};
	api.api = UFFD_API;
	if (uffd < 0 || ::ioctl(uffd, UFFDIO_API, &api) != 0)
		return false;
	page = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uffdio_register reg{};
	reg.range.start = reinterpret_cast<std::uintptr_t>(page);
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	return page != MAP_FAILED && ::ioctl(uffd, UFFDIO_REGISTER, &reg) == 0;
}

/// A child whose queue's engine is stuck in a page fault on a stuck page.
/// The test holds the userfaultfd: closing it fails the fault and frees
/// the engine. Behind the stuck MEMMOVE waits a NOP. The queue is on
/// /dev/accel0, or with @p mdev_uuid on that mdev.
class StuckEngine {
public:
	enum class Then {
		destroy,	///< the child destroys its queue
		wait,		///< it waits to be killed
		report,		///< at report(), it reports its CQ
	};
	/// What the child saw in its CQ, for Then::report.
	struct Report {
		std::uint32_t queue_id;
		std::uint32_t cq_flags;
		std::uint32_t completions;
		std::int32_t status[2];
	};

	explicit StuckEngine(Then then, const std::string &mdev_uuid = {})
		: report_(static_cast<Report *>(::mmap(nullptr, sizeof(Report), PROT_READ | PROT_WRITE,
						       MAP_SHARED | MAP_ANONYMOUS, -1, 0)))
	{
		BOOST_REQUIRE(report_ != MAP_FAILED);
		int sv[2];
		BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
		pid_ = ::fork();
		BOOST_REQUIRE(pid_ >= 0);
		if (pid_ == 0) {
			::close(sv[0]);
			try {
				::_exit(mdev_uuid.empty() ? child(sv[1], then, *report_)
							  : mdev_child(sv[1], mdev_uuid, *report_));
			} catch (...) {
				::_exit(125);
			}
		}
		::close(sv[1]);
		sock_ = sv[0];
		uffd_ = guest::receive_fd(sock_);
		BOOST_REQUIRE_MESSAGE(uffd_ >= 0, "the child could not get its engine stuck");
	}
	~StuckEngine()
	{
		release();
		if (pid_ > 0) {
			::kill(pid_, SIGKILL);
			::waitpid(pid_, nullptr, 0);
		}
		::close(sock_);
		::munmap(report_, sizeof(Report));
	}
	StuckEngine(const StuckEngine &) = delete;
	StuckEngine &operator=(const StuckEngine &) = delete;

	std::uint32_t queue_id() const { return report_->queue_id; }
	/// Ends the fault (it fails), and with it the engine's wait.
	void release()
	{
		if (uffd_ >= 0)
			::close(uffd_);
		uffd_ = -1;
	}
	/// Sends SIGKILL; true if the child is gone within @p limit.
	bool killed_within(std::chrono::milliseconds limit)
	{
		::kill(pid_, SIGKILL);
		const bool gone = guest::exits_within(pid_, limit);
		if (gone)
			pid_ = -1;
		return gone;
	}
	/// For Then::report: once the CQ shows the queue evicted with both
	/// descriptors completed (10 s at most), what it shows.
	Report report()
	{
		BOOST_REQUIRE(::write(sock_, "r", 1) == 1);
		int status = -1;
		BOOST_REQUIRE(::waitpid(pid_, &status, 0) == pid_);
		pid_ = -1;
		BOOST_TEST(WIFEXITED(status));
		BOOST_TEST(WEXITSTATUS(status) == 0);
		return *report_;
	}

private:
	static int child(int sock, Then then, Report &report)
	{
		constexpr std::size_t page = 4096;
		int uffd;
		void *hole;
		if (!make_stuck_page(uffd, hole))
			return 2;
		guest::RawQueue q(8);
		static std::byte dst[page];
		const afd_desc descs[] = {
			accel::op::memmove(std::span(dst), std::span(static_cast<const std::byte *>(hole), page), 1),
			accel::op::nop(2),
		};
		afd_submit submit{q.args.queue_id, 0, reinterpret_cast<std::uintptr_t>(descs), 2, 0};
		if (::ioctl(q.dev.fd, AFD_IOC_SUBMIT, &submit) != 0)
			return 4;
		uffd_msg msg;
		if (::read(uffd, &msg, sizeof(msg)) != sizeof(msg)) // the engine is in the fault
			return 5;
		report.queue_id = q.args.queue_id;
		guest::send_fd(sock, uffd);
		::close(uffd);
		switch (then) {
		case Then::destroy: {
			afd_queue_destroy d{q.args.queue_id, 0};
			return ::ioctl(q.dev.fd, AFD_IOC_DESTROY_QUEUE, &d) == 0 ? 0 : 6;
		}
		case Then::wait:
			::pause();
			return 0;
		case Then::report:
			break;
		}
		char go;
		if (::read(sock, &go, 1) != 1)
			return 7;
		const auto until = std::chrono::steady_clock::now() + 10s;
		const std::uint32_t head = q.cq_header()->head;
		do {
			report.cq_flags = load_acquire(q.cq_header()->flags);
			report.completions = load_acquire(q.cq_header()->tail) - head;
		} while ((!(report.cq_flags & AFD_CQ_F_EVICTED) || report.completions < 2) &&
			 std::chrono::steady_clock::now() < until);
		for (std::uint32_t i = 0; i < std::min(report.completions, 2u); i++)
			report.status[i] = q.cq_ring()[(head + i) & (q.args.cq_entries - 1)].status;
		return 0;
	}

	/// Then::report on an mdev: the engine is stuck in vfio_dma_rw().
	static int mdev_child(int sock, const std::string &uuid, Report &report)
	{
		int uffd;
		void *hole;
		if (!make_stuck_page(uffd, hole))
			return 2;
		auto dev = accel::Device::open_mdev(uuid);
		auto q = accel::Queue::create(dev);
		static std::byte dst[4096];
		const std::span src(static_cast<const std::byte *>(hole), sizeof(dst));
		const auto src_mapping = dev.map_dma(src);
		const auto dst_mapping = dev.map_dma(std::span(dst));
		const afd_desc descs[] = {accel::op::memmove(std::span(dst), src, 1), accel::op::nop(2)};
		if (q.try_submit(descs) != 2)
			return 4;
		uffd_msg msg;
		if (::read(uffd, &msg, sizeof(msg)) != sizeof(msg))
			return 5;
		report.queue_id = q.id();
		guest::send_fd(sock, uffd);
		::close(uffd);
		char go;
		if (::read(sock, &go, 1) != 1)
			return 7;
		const auto until = std::chrono::steady_clock::now() + 10s;
		afd_completion seen[2];
		report.completions = 0;
		do {
			report.cq_flags = q.cq_flags();
			report.completions += q.poll(std::span(seen).subspan(report.completions));
		} while ((!(report.cq_flags & AFD_CQ_F_EVICTED) || report.completions < 2) &&
			 std::chrono::steady_clock::now() < until);
		for (std::uint32_t i = 0; i < report.completions; i++)
			report.status[i] = seen[i].status;
		return 0;
	}

	Report *report_;
	pid_t pid_ = -1;
	int sock_ = -1;
	int uffd_ = -1;
};

/// The device still serves new work once a stuck engine is free.
void device_still_works()
{
	auto dev = accel::Device::open(0);
	for (int i = 0; i < 4; i++) { // a queue on each engine
		auto q = accel::Queue::create(dev, {.sq_entries = 8});
		BOOST_TEST(q.run(accel::op::nop(1), 30s).status == 0);
	}
}

/// An administrator's EVICT of @p stuck's queue (Then::report) waits until
/// killed; the engine then cancels what was left when it lets go.
void evict_is_killable_and_the_engine_finishes_it(StuckEngine &stuck)
{
	const pid_t admin = ::fork();
	BOOST_REQUIRE(admin >= 0);
	if (admin == 0) {
		stuck.release(); // its copy of the userfaultfd would keep the fault
		const int fd = ::open("/dev/accel0", O_RDWR | O_CLOEXEC);
		afd_queue_admin args{};
		args.queue_id = stuck.queue_id();
		args.op = AFD_QUEUE_ADMIN_EVICT;
		::_exit(fd >= 0 && ::ioctl(fd, AFD_IOC_QUEUE_ADMIN, &args) == 0 ? 0 : 1);
	}
	std::this_thread::sleep_for(300ms);
	BOOST_TEST(::waitpid(admin, nullptr, WNOHANG) == 0, "EVICT returned while the queue's engine is stuck");
	::kill(admin, SIGKILL);
	const bool killed = guest::exits_within(admin, 5s);
	BOOST_TEST(killed, "an EVICT waiting for a stuck engine is not killable");
	stuck.release();
	if (!killed)
		::waitpid(admin, nullptr, 0);
	const auto seen = stuck.report();
	BOOST_TEST((seen.cq_flags & AFD_CQ_F_EVICTED) != 0);
	BOOST_REQUIRE(seen.completions == 2);
	// The MEMMOVE was in execution: it completes (its fault resolves once
	// the userfaultfd is gone), it is not cancelled.
	BOOST_TEST((seen.status[0] == 0 || seen.status[0] == -EFAULT), "MEMMOVE: " << seen.status[0]);
	BOOST_TEST(seen.status[1] == -ECANCELED);
	device_still_works();
}

} // namespace

BOOST_AUTO_TEST_SUITE(stuck_engine)

// DESTROY waits for the descriptor in execution; when that is stuck in a
// fault on slow storage, the process must stay killable (it stayed in D
// state until the fault resolved).
BOOST_AUTO_TEST_CASE(a_destroy_waiting_for_a_stuck_engine_is_killable)
{
	StuckEngine stuck(StuckEngine::Then::destroy);
	std::this_thread::sleep_for(300ms); // the child waits in DESTROY_QUEUE
	BOOST_TEST(stuck.killed_within(5s));
	stuck.release();
	device_still_works();
}

// An exiting process cannot be killed again: its queues' teardown must
// not wait for a stuck engine at all.
BOOST_AUTO_TEST_CASE(a_process_killed_while_its_engine_is_stuck_exits_at_once)
{
	StuckEngine stuck(StuckEngine::Then::wait);
	BOOST_TEST(stuck.killed_within(5s));
	stuck.release();
	device_still_works();
}

// An administrator's EVICT of the stuck queue itself waits for the
// descriptor in execution, killably (it stayed in D state until the fault
// resolved). The engine then cancels what was left when it lets go: the
// owner still finds the NOP behind the stuck MEMMOVE cancelled and its CQ
// marked evicted.
BOOST_AUTO_TEST_CASE(an_evict_waiting_for_a_stuck_engine_is_killable_and_the_engine_finishes_it)
{
	StuckEngine stuck(StuckEngine::Then::report);
	evict_is_killable_and_the_engine_finishes_it(stuck);
}

// The same for an mdev's queue, whose engine is stuck in vfio_dma_rw(): the
// EVICT waits killably (it stayed in D state until the fault resolved),
// and the mdev's own close waits for the engine, which finishes the
// shutdown when it lets go.
BOOST_AUTO_TEST_CASE(an_evict_of_an_mdev_queue_waiting_for_a_stuck_engine_is_killable)
{
	guest::TestMdev mdev;
	StuckEngine stuck(StuckEngine::Then::report, mdev.uuid);
	evict_is_killable_and_the_engine_finishes_it(stuck);
}

// A killed EVICT still notifies the queue's context on its way out, and
// the mdev that context reaches must outlive that: the mdev's close waits
// for the EVICT as well as for the engine. (The engine alone ended that
// wait: with the EVICT held 2 s before its notify by race_window_ms, the
// mdev was closed and removed first, and the notify reached freed memory.)
BOOST_AUTO_TEST_CASE(a_killed_evict_notifies_an_mdev_that_is_still_there)
{
	auto mdev = std::make_optional<guest::TestMdev>();
	StuckEngine stuck(StuckEngine::Then::report, mdev->uuid);
	const guest::AttrOverride widen("/sys/kernel/debug/accelfd/race_window_ms", "2000");
	const pid_t admin = ::fork();
	BOOST_REQUIRE(admin >= 0);
	if (admin == 0) {
		stuck.release();
		const int fd = ::open("/dev/accel0", O_RDWR | O_CLOEXEC);
		::_exit(fd >= 0 && guest::queue_admin(fd, stuck.queue_id(), AFD_QUEUE_ADMIN_EVICT) == 0 ? 0 : 1);
	}
	std::this_thread::sleep_for(300ms);
	::kill(admin, SIGKILL); // its wait ends, and it sits in the window
	std::this_thread::sleep_for(300ms);
	stuck.release(); // the engine lets go and finishes the eviction
	const auto seen = stuck.report(); // the owner closes the mdev and exits
	mdev.reset(); // the mdev is removed
	const bool gone = guest::exits_within(admin, 10s);
	BOOST_TEST(gone);
	if (!gone)
		::waitpid(admin, nullptr, 0);
	BOOST_TEST((seen.cq_flags & AFD_CQ_F_EVICTED) != 0);
	BOOST_TEST(seen.completions == 2u);
	device_still_works();
}

// An administrator's RESET of a queue in error waits until the engine lets
// go of it, that is until another queue's stuck fault resolves. An EVICT
// (or the owner's DESTROY) of that queue meanwhile makes it dead, which
// ends the RESET's wait: both return. (The wait was not woken: the RESET
// held the queue's service lock, and the EVICT waited on it in D state.)
BOOST_AUTO_TEST_CASE(an_evict_ends_a_reset_waiting_for_a_stuck_engine)
{
	// Four queues in error, two of them on the engine about to get stuck.
	std::vector<std::unique_ptr<guest::RawQueue>> queues;
	for (int i = 0; i < 4; i++) {
		auto &q = *queues.emplace_back(std::make_unique<guest::RawQueue>(8));
		q.submit_nops(1);
		BOOST_REQUIRE(q.reap(1).ok == 1u);
		*q.doorbell = *q.doorbell + 1000;
		BOOST_REQUIRE(q.reaches(AFD_QUEUE_STATE_ERROR));
	}
	StuckEngine stuck(StuckEngine::Then::wait);
	std::atomic<unsigned> done{0};
	std::vector<int> reset_result(queues.size(), -1);
	std::vector<std::thread> admins;
	for (std::size_t i = 0; i < queues.size(); i++)
		admins.emplace_back([&done, &result = reset_result[i], id = queues[i]->id()] {
			guest::OpenDevice admin;
			result = guest::queue_admin(admin.fd, id, AFD_QUEUE_ADMIN_RESET);
			done++;
		});
	std::this_thread::sleep_for(300ms);
	BOOST_TEST(done.load() < queues.size(), "no RESET waited for the stuck engine");
	for (const auto &q : queues)
		admins.emplace_back([&done, id = q->id()] {
			guest::OpenDevice admin;
			BOOST_CHECK(guest::queue_admin(admin.fd, id, AFD_QUEUE_ADMIN_EVICT) == 0);
			done++;
		});
	const auto until = std::chrono::steady_clock::now() + 10s;
	while (done < admins.size() && std::chrono::steady_clock::now() < until)
		std::this_thread::sleep_for(10ms);
	BOOST_TEST(done.load() == admins.size(), "RESET and EVICT waited for another queue's fault");
	stuck.release(); // unblocks waiting administrators, so that they can be joined
	for (auto &t : admins)
		t.join();
	// The RESETs the EVICTs ended found their queue gone: ENOENT, as for any
	// queue that goes away meanwhile (it was EINVAL, as for a queue not in
	// error). The others were done before.
	const auto ended = std::count(reset_result.begin(), reset_result.end(), ENOENT);
	BOOST_TEST(ended > 0);
	BOOST_TEST(ended + std::count(reset_result.begin(), reset_result.end(), 0) == 4);
	device_still_works();
}

// Destroying or evicting another queue of the engine that is stuck in a
// fault must not wait for the fault: the destroyer of a dead queue returns
// while the engine is inside another queue's data operation. (Before, each
// waited for the engine's next pass, that is until the fault resolved: an
// owner's DESTROY until killed, an administrator's EVICT in D state.)
BOOST_AUTO_TEST_CASE(other_queues_of_a_stuck_engine_are_destroyed_and_evicted_at_once)
{
	// Queues go to the least loaded engine: of these four, two share the
	// engine the stuck queue goes to. Each has run a NOP, so the engines
	// have taken them in before one of them gets stuck.
	auto dev = accel::Device::open(0);
	std::vector<accel::Queue> queues;
	for (int i = 0; i < 4; i++) {
		queues.push_back(accel::Queue::create(dev, {.sq_entries = 8}));
		BOOST_REQUIRE(queues.back().run(accel::op::nop(1), 30s).status == 0);
	}
	StuckEngine stuck(StuckEngine::Then::wait);
	std::atomic<bool> done{false};
	std::thread destroyer([&] {
		guest::OpenDevice admin;
		for (int i = 0; i < 2; i++)
			BOOST_CHECK(guest::queue_admin(admin.fd, queues[i].id(), AFD_QUEUE_ADMIN_EVICT) == 0);
		queues.clear(); // DESTROY_QUEUE of each
		done = true;
	});
	const auto until = std::chrono::steady_clock::now() + 10s;
	while (!done && std::chrono::steady_clock::now() < until)
		std::this_thread::sleep_for(10ms);
	BOOST_TEST(done.load(), "EVICT and DESTROY waited for another queue's fault");
	stuck.release(); // unblocks a waiting destroyer, so that it can be joined
	destroyer.join();
	device_still_works();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(engine_review)

// MEMMOVE over several chunks with the buffers at different page offsets:
// the destination of a chunk spans one page more than the source, and the
// engine pinned those pages into an array one entry too short (silent on
// a stock kernel, a slab-out-of-bounds report under KASAN).
BOOST_AUTO_TEST_CASE(memmove_of_buffers_at_different_page_offsets_over_several_chunks)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev, {.sq_entries = 8});
	constexpr std::size_t len = 256 << 10, page = 4096;
	std::vector<std::byte> src_mem(len + 2 * page), dst_mem(len + 2 * page);
	auto *src = reinterpret_cast<std::byte *>((reinterpret_cast<std::uintptr_t>(src_mem.data()) + page - 1) &
						  ~(page - 1));
	auto *dst = reinterpret_cast<std::byte *>((reinterpret_cast<std::uintptr_t>(dst_mem.data()) + page - 1) &
						  ~(page - 1)) + 100;
	for (std::size_t i = 0; i < len; i++)
		src[i] = static_cast<std::byte>(i * 7 + 3);
	const afd_completion c = q.run(accel::op::memmove(std::span(dst, len), std::span(src, len), 1), 30s);
	BOOST_TEST(c.status == 0);
	BOOST_TEST(c.bytes_done == len);
	BOOST_TEST(std::memcmp(dst, src, len) == 0);
}

// COMPARE works on the process's pinned pages, which another thread may
// change between the engine's memcmp() and its scan for the first
// difference: the scan must stay within the buffers (it ran on into the
// next pages of kernel memory). A flipper toggles the last byte of one
// page-aligned buffer while COMPAREs run.
BOOST_AUTO_TEST_CASE(compare_racing_a_writer_stays_within_its_buffers)
{
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev, {.sq_entries = 8});
	constexpr std::size_t len = 4096;
	std::vector<std::byte> a_mem(3 * len), b_mem(3 * len);
	auto align = [](std::byte *p) {
		return reinterpret_cast<std::byte *>((reinterpret_cast<std::uintptr_t>(p) + len - 1) & ~(len - 1));
	};
	std::byte *a = align(a_mem.data()), *b = align(b_mem.data());
	std::atomic<bool> stop{false};
	std::thread flipper([&] {
		auto &last = reinterpret_cast<std::atomic<unsigned char> &>(b[len - 1]);
		while (!stop.load(std::memory_order_relaxed))
			last.fetch_xor(1, std::memory_order_relaxed);
	});
	unsigned beyond = 0;
	for (int i = 0; i < 3000; i++) {
		const afd_completion c = q.run(accel::op::compare(std::span<const std::byte>(a, len),
								  std::span<const std::byte>(b, len), i),
					       30s);
		if (c.status != 0 || c.result > len || c.bytes_done > len)
			beyond++;
	}
	stop = true;
	flipper.join();
	BOOST_TEST(beyond == 0u);
}

// An exited process's address space, kept adopted by an engine that never
// sleeps (other queues keep it busy with NOPs, which adopt nothing, and it
// polls rather than sleeps between them), was
// never torn down: its ring mappings kept its file, so its context and
// queues, for as long as the engine stayed busy.
BOOST_AUTO_TEST_CASE(an_exited_process_is_torn_down_while_its_engine_stays_busy)
{
	// Polling throughout: an engine going to sleep lets go of the mm.
	const guest::AttrOverride poll_throughout("/sys/module/accelfd/parameters/engine_idle_us", "60000000");
	guest::RawQueue first(4096), second(4096); // one on each engine
	std::atomic<bool> stop{false};
	std::thread load1([&] { (void)keep_full(first, stop, 60s); });
	std::thread load2([&] { (void)keep_full(second, stop, 60s); });
	const pid_t child = ::fork();
	BOOST_REQUIRE(child >= 0);
	if (child == 0) {
		try {
			// Two queues, one on each engine: both adopt the mm.
			auto dev = accel::Device::open(0);
			auto q1 = accel::Queue::create(dev, {.sq_entries = 8});
			auto q2 = accel::Queue::create(dev, {.sq_entries = 8});
			std::vector<std::byte> src(4096, std::byte{1}), dst(4096);
			const bool ok = q1.run(accel::op::memmove(dst, src, 1), 10s).status == 0 &&
					q2.run(accel::op::memmove(dst, src, 2), 10s).status == 0;
			::_exit(ok ? 0 : 1);
		} catch (...) {
			::_exit(2);
		}
	}
	int status = 0;
	BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
	BOOST_TEST(WIFEXITED(status));
	BOOST_TEST(WEXITSTATUS(status) == 0);
	const auto context_left = [&] {
		for (const auto &entry : fs::directory_iterator("/sys/class/accelfd/accel0/context")) {
			std::string pid;
			std::getline(std::ifstream(entry.path() / "pid"), pid);
			if (pid == std::to_string(child))
				return true;
		}
		return false;
	};
	const auto until = std::chrono::steady_clock::now() + 5s;
	while (context_left() && std::chrono::steady_clock::now() < until)
		std::this_thread::sleep_for(20ms);
	BOOST_TEST(!context_left(), "the exited child's context is still there");
	stop = true;
	load1.join();
	load2.join();
}

// An administrator's RESET puts a queue back into the engine's service the
// moment the engine has let go of it; the engine must be done with the
// queue's list entry by then (it unlinked it afterwards, losing the queue
// from the list it had just been added to). Each round corrupts the
// doorbell, resets, and needs a NOP to complete.
BOOST_AUTO_TEST_CASE(queues_reset_in_a_loop_keep_being_served)
{
	guest::RawQueue q(8);
	guest::OpenDevice admin;
	for (int round = 0; round < 200; round++) {
		*q.doorbell = *q.doorbell + 1000;
		BOOST_REQUIRE(q.reaches(AFD_QUEUE_STATE_ERROR));
		BOOST_REQUIRE(guest::queue_admin(admin.fd, q.id(), AFD_QUEUE_ADMIN_RESET) == 0);
		q.tail = 0; // a reset zeroes the indices
		q.cq_head = 0;
		q.submit_nops(1);
		const auto out = q.reap(1);
		BOOST_REQUIRE_MESSAGE(out.ok == 1u, "round " << round << ": the reset queue is not served");
	}
}

BOOST_AUTO_TEST_SUITE_END()
