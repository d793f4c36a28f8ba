// SPDX-License-Identifier: MIT
// The paths a review and an attack matrix found unguarded: each test takes
// one of them as a hostile or careless process, or a racing operator, would.
// Several bugs here were silent on a stock kernel: the guest suite boots it
// with slub_debug=FZP (freed objects poisoned) and scripts/test-debug with
// KASAN, so that a use-after-free faults instead.
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <grp.h>
#include <thread>

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
	const std::uint32_t entries = q.args.sq_entries, cq_mask = q.args.cq_entries - 1;
	for (std::uint32_t i = 0; i < entries; i++)
		q.sq_ring()[i] = accel::op::nop(i);

	std::atomic<bool> stop{false};
	std::atomic<std::uint64_t> cancelled{0};
	std::thread refill([&] {
		// Stops by itself: EVICT must return long before.
		const auto give_up = std::chrono::steady_clock::now() + 60s;
		std::uint32_t cq_head = 0;
		while (!stop.load(std::memory_order_relaxed) &&
		       std::chrono::steady_clock::now() < give_up) {
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
	});
	std::this_thread::sleep_for(200ms); // the engine is busy with NOPs
	guest::OpenDevice admin;
	const auto start = std::chrono::steady_clock::now();
	const int err = guest::queue_admin(admin.fd, q.id(), AFD_QUEUE_ADMIN_EVICT);
	const auto took = std::chrono::steady_clock::now() - start;
	std::this_thread::sleep_for(100ms); // the owner drains what EVICT posted
	stop = true;
	refill.join();

	BOOST_TEST(err == 0);
	BOOST_TEST_MESSAGE("EVICT took " << std::chrono::duration<double>(took).count()
					 << " s and cancelled " << cancelled.load());
	BOOST_TEST(cancelled.load() <= entries);
	BOOST_TEST((q.cq_header()->flags & AFD_CQ_F_EVICTED) != 0u);
}

// A queue kept full of NOPs on an mdev (whose buffers need no mm, so no
// scheduling point comes from adopting one) for longer than the
// soft-lockup threshold (20 s by default): the engine must still give the
// CPU back. The harness fails the suite on a "soft lockup" in the log.
BOOST_AUTO_TEST_CASE(an_mdev_queue_kept_full_for_30_s_causes_no_soft_lockup)
{
	guest::TestMdev mdev;
	auto dev = accel::Device::open_mdev(mdev.uuid);
	auto q = accel::Queue::create(dev, {.sq_entries = 256});
	std::vector<afd_desc> batch(64, accel::op::nop());
	std::vector<afd_completion> done(512);
	std::uint64_t completed = 0;
	const auto until = std::chrono::steady_clock::now() + 30s;
	while (std::chrono::steady_clock::now() < until) {
		(void)q.try_submit(batch);
		completed += q.poll(done);
	}
	while (q.outstanding() > 0)
		completed += q.wait(done, 10s);
	BOOST_TEST_MESSAGE(completed << " NOPs in 30 s");
	BOOST_TEST(completed > 0u);
}

// Until a new device's context/ and queue/ exist, nobody may open it: a
// context made before would have its sysfs directory at the root of sysfs.
BOOST_AUTO_TEST_CASE(an_open_racing_device_creation_finds_its_sysfs_parent)
{
	const fs::path root = "/sys/class/accelfd";
	std::atomic<bool> stop{false};
	std::atomic<unsigned> opened{0};
	std::thread opener([&] {
		while (!stop.load(std::memory_order_relaxed)) {
			const int fd = ::open("/dev/accel1", O_RDWR | O_CLOEXEC);
			if (fd >= 0) {
				opened++;
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
	for (const auto &entry : fs::directory_iterator("/sys"))
		BOOST_TEST(!std::isdigit(static_cast<unsigned char>(entry.path().filename().string()[0])),
			   entry.path() << " is a context directory without a parent");
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
