// SPDX-License-Identifier: MIT
// Administration: AFD_IOC_QUEUE_ADMIN on other processes' queues, the
// device settings in sysfs, the per-context and per-queue sysfs
// directories, debugfs, and what an unprivileged user may do.
#include <poll.h>
#include <sys/stat.h>

#include "accel/accel.hpp"
#include "guest_util.hpp"
#include "queue_owner.hpp"

namespace {

using guest::Outcome;
using guest::QueueOwner;
using guest::queue_admin;

const std::string accel0 = "/sys/class/accelfd/accel0/";

std::string queue_attr(std::uint32_t id, const std::string &attr)
{
	return guest::read_line(accel0 + "queue/" + std::to_string(id) + "/" + attr);
}

bool exists(const std::string &path)
{
	struct stat st;
	return ::stat(path.c_str(), &st) == 0;
}

/// The errno of AFD_IOC_QUEUE_ADMIN from a child without CAP_SYS_ADMIN.
int admin_errno_without_cap(std::uint32_t queue_id, std::uint32_t op)
{
	return guest::in_child([&] {
		if (!guest::drop_cap_sys_admin())
			return 200;
		guest::OpenDevice dev;
		return guest::queue_admin(dev.fd, queue_id, op);
	});
}

} // namespace

BOOST_AUTO_TEST_SUITE(queue_admin_validation)

BOOST_AUTO_TEST_CASE(without_cap_sys_admin_is_eperm)
{
	QueueOwner owner;
	BOOST_TEST(admin_errno_without_cap(owner.queue_id(), AFD_QUEUE_ADMIN_SUSPEND) == EPERM);
	BOOST_TEST(owner.ask(QueueOwner::query).state == AFD_QUEUE_STATE_ACTIVE);
}

BOOST_AUTO_TEST_CASE(nonzero_flags_are_einval)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_TEST(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_SUSPEND, 0, 1) == EINVAL);
}

BOOST_AUTO_TEST_CASE(a_priority_with_another_op_is_einval)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_TEST(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_SUSPEND, 3) == EINVAL);
}

BOOST_AUTO_TEST_CASE(a_priority_above_the_maximum_is_einval)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_TEST(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_SET_PRIORITY,
			       AFD_QUEUE_PRIORITY_MAX + 1) == EINVAL);
}

BOOST_AUTO_TEST_CASE(an_unknown_op_is_einval)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_TEST(queue_admin(admin.fd, owner.queue_id(), 0) == EINVAL);
	BOOST_TEST(queue_admin(admin.fd, owner.queue_id(), 99) == EINVAL);
}

BOOST_AUTO_TEST_CASE(an_unknown_queue_is_enoent)
{
	guest::OpenDevice admin;
	BOOST_TEST(queue_admin(admin.fd, 0xfff0, AFD_QUEUE_ADMIN_SUSPEND) == ENOENT);
}

BOOST_AUTO_TEST_CASE(resuming_an_active_queue_is_einval)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_TEST(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_RESUME) == EINVAL);
}

BOOST_AUTO_TEST_CASE(suspending_a_suspended_queue_is_einval)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_REQUIRE(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_SUSPEND) == 0);
	BOOST_TEST(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_SUSPEND) == EINVAL);
}

BOOST_AUTO_TEST_CASE(resetting_a_queue_not_in_error_is_einval)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_TEST(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_RESET) == EINVAL);
}

BOOST_AUTO_TEST_CASE(evicting_twice_is_enoent)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_REQUIRE(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_EVICT) == 0);
	BOOST_TEST(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_EVICT) == ENOENT);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(queue_admin_effects)

BOOST_AUTO_TEST_CASE(a_suspended_queue_cancels_its_work_and_says_so)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_REQUIRE(owner.ask(QueueOwner::run_nops, 4).outcome == (Outcome{4, 0, 0, 0}));
	BOOST_REQUIRE(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_SUSPEND) == 0);

	const auto ring = owner.ask(QueueOwner::run_nops, 5);
	BOOST_TEST(ring.outcome == (Outcome{0, 5, 0, 0}));
	BOOST_TEST((ring.cq_flags & AFD_CQ_F_SUSPENDED) != 0u);
	const auto syscall = owner.ask(QueueOwner::run_nops_syscall, 3);
	BOOST_TEST(syscall.err == 0);
	BOOST_TEST(syscall.outcome == (Outcome{0, 3, 0, 0}));
	BOOST_TEST(owner.ask(QueueOwner::query).state == AFD_QUEUE_STATE_SUSPENDED);
	BOOST_TEST(queue_attr(owner.queue_id(), "state") == "suspended");
	BOOST_TEST(queue_attr(owner.queue_id(), "errors") == "8");
}

BOOST_AUTO_TEST_CASE(a_resumed_queue_executes_again)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_REQUIRE(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_SUSPEND) == 0);
	BOOST_REQUIRE(owner.ask(QueueOwner::run_nops, 2).outcome.cancelled == 2u);
	BOOST_REQUIRE(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_RESUME) == 0);
	const auto reply = owner.ask(QueueOwner::run_nops, 6);
	BOOST_TEST(reply.outcome == (Outcome{6, 0, 0, 0}));
	BOOST_TEST(reply.cq_flags == 0u);
	BOOST_TEST(queue_attr(owner.queue_id(), "state") == "active");
}

BOOST_AUTO_TEST_CASE(set_priority_shows_in_query_and_sysfs)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	BOOST_REQUIRE(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_SET_PRIORITY, 9) == 0);
	BOOST_TEST(queue_attr(owner.queue_id(), "priority") == "9");
	BOOST_TEST(owner.ask(QueueOwner::run_nops, 3).outcome.ok == 3u);
}

BOOST_AUTO_TEST_CASE(a_queue_in_error_is_reset_and_works_again)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	owner.ask(QueueOwner::corrupt);
	bool in_error = false;
	for (int i = 0; i < 3000 && !in_error; i++) {
		in_error = owner.ask(QueueOwner::query).state == AFD_QUEUE_STATE_ERROR;
		if (!in_error) {
			owner.ask(QueueOwner::kick);
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
	}
	BOOST_REQUIRE(in_error);
	BOOST_TEST(queue_attr(owner.queue_id(), "state") == "error");

	BOOST_REQUIRE(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_RESET) == 0);
	BOOST_TEST(owner.ask(QueueOwner::query).state == AFD_QUEUE_STATE_ACTIVE);
	const auto resynced = owner.ask(QueueOwner::resync);
	BOOST_TEST(resynced.cq_flags == 0u);
	BOOST_TEST(owner.ask(QueueOwner::run_nops, 8).outcome == (Outcome{8, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(an_evicted_queue_fails_its_owners_calls_with_ecanceled)
{
	QueueOwner owner;
	guest::OpenDevice admin;
	const unsigned queues = guest::read_uint(accel0 + "queues");
	BOOST_REQUIRE(queue_admin(admin.fd, owner.queue_id(), AFD_QUEUE_ADMIN_EVICT) == 0);

	BOOST_TEST(owner.ask(QueueOwner::query).err == ECANCELED);
	BOOST_TEST(owner.ask(QueueOwner::kick).err == ECANCELED);
	const auto submit = owner.ask(QueueOwner::run_nops_syscall, 1);
	BOOST_TEST(submit.err == ECANCELED);
	BOOST_TEST((submit.cq_flags & AFD_CQ_F_EVICTED) != 0u);
	// Ring submissions go nowhere; WAIT says why rather than blocking.
	BOOST_TEST(owner.ask(QueueOwner::run_nops, 1).outcome.wait_errno == ECANCELED);

	BOOST_TEST(guest::read_uint(accel0 + "queues") == queues - 1);
	BOOST_TEST(!exists(accel0 + "queue/" + std::to_string(owner.queue_id())));
	BOOST_TEST(owner.ask(QueueOwner::destroy).err == 0);	  // frees the id
	BOOST_TEST(owner.ask(QueueOwner::destroy).err == ENOENT); // gone now
}

BOOST_AUTO_TEST_CASE(eviction_completes_every_pending_descriptor_with_ecanceled)
{
	// An owner whose SQ holds slow copies when the operator evicts it:
	// each descriptor ends, executed or cancelled; none is lost.
	guest::RawQueue q(64);
	std::vector<std::byte> buf(4 << 20);
	q.submit(64, [&](unsigned i) {
		return accel::op::memmove(std::span(buf).subspan(2 << 20),
					  std::span<const std::byte>(buf).first(2 << 20), i);
	});
	guest::OpenDevice admin;
	BOOST_REQUIRE(queue_admin(admin.fd, q.id(), AFD_QUEUE_ADMIN_EVICT) == 0);

	Outcome seen;
	const std::uint32_t tail = q.cq_header()->tail;
	for (std::uint32_t i = 0; i < tail; i++) {
		const std::int32_t status = q.cq_ring()[i & (q.args.cq_entries - 1)].status;
		(status == 0 ? seen.ok : status == -ECANCELED ? seen.cancelled : seen.other)++;
	}
	BOOST_TEST(tail == 64u);
	BOOST_TEST(seen.ok + seen.cancelled == 64u);
	BOOST_TEST(seen.cancelled > 0u);
	BOOST_TEST((q.cq_header()->flags & AFD_CQ_F_EVICTED) != 0u);
}

BOOST_AUTO_TEST_CASE(an_evicted_queue_makes_poll_report_an_error)
{
	guest::RawQueue q;
	guest::OpenDevice admin;
	BOOST_REQUIRE(queue_admin(admin.fd, q.id(), AFD_QUEUE_ADMIN_EVICT) == 0);
	pollfd pfd{q.dev.fd, POLLIN, 0};
	BOOST_TEST(::poll(&pfd, 1, 0) == 1);
	BOOST_TEST((pfd.revents & POLLERR) != 0);
}

BOOST_AUTO_TEST_CASE(an_evicted_id_is_not_reused_until_its_owner_destroys_it)
{
	guest::RawQueue q;
	guest::OpenDevice admin;
	BOOST_REQUIRE(queue_admin(admin.fd, q.id(), AFD_QUEUE_ADMIN_EVICT) == 0);
	const afd_queue_create other = guest::create_queue(q.dev.fd);
	BOOST_TEST(other.queue_id != q.id());
	afd_queue_destroy d{other.queue_id, 0};
	BOOST_TEST(guest::ioctl_errno(q.dev.fd, AFD_IOC_DESTROY_QUEUE, &d) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(device_settings)

BOOST_AUTO_TEST_CASE(a_disabled_device_refuses_queues_with_enxio_and_cancels_work)
{
	guest::RawQueue q;
	{
		guest::AttrOverride disabled("enabled", "0");
		BOOST_TEST(guest::sysfs("accel0", "state") == "disabled");
		afd_queue_create args = guest::queue_args();
		BOOST_TEST(guest::ioctl_errno(q.dev.fd, AFD_IOC_CREATE_QUEUE, &args) == ENXIO);
		BOOST_TEST(q.run_nops(3) == (Outcome{0, 3, 0, 0}));
	}
	BOOST_TEST(guest::sysfs("accel0", "state") == "enabled");
	BOOST_TEST(q.run_nops(3) == (Outcome{3, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(settings_without_cap_sys_admin_are_eperm)
{
	for (const char *attr : {"enabled", "max_queues_per_process", "max_queues",
				 "min_ring_entries", "max_ring_entries", "max_transfer",
				 "max_queues_per_user", "max_memory_per_user"}) {
		const std::string path = accel0 + attr;
		const std::string value = guest::read_line(path);
		const int err = guest::in_child([&] {
			return guest::drop_cap_sys_admin() ? guest::write_attr(path, value) : 200;
		});
		BOOST_TEST(err == EPERM, attr);
	}
}

BOOST_AUTO_TEST_CASE(enabled_takes_a_boolean)
{
	BOOST_TEST(guest::write_attr(accel0 + "enabled", "maybe") == EINVAL);
	BOOST_TEST(guest::sysfs("accel0", "enabled") == "1");
}

BOOST_AUTO_TEST_CASE(max_queues_per_process_out_of_range_is_einval)
{
	BOOST_TEST(guest::write_attr(accel0 + "max_queues_per_process", "0") == EINVAL);
	BOOST_TEST(guest::write_attr(accel0 + "max_queues_per_process", "65536") == EINVAL);
	BOOST_TEST(guest::write_attr(accel0 + "max_queues_per_process", "many") == EINVAL);
}

BOOST_AUTO_TEST_CASE(max_queues_out_of_range_is_einval)
{
	BOOST_TEST(guest::write_attr(accel0 + "max_queues", "0") == EINVAL);
	BOOST_TEST(guest::write_attr(accel0 + "max_queues", "65536") == EINVAL);
}

BOOST_AUTO_TEST_CASE(ring_entries_must_be_powers_of_two_in_order)
{
	BOOST_TEST(guest::write_attr(accel0 + "min_ring_entries", "12") == EINVAL);
	BOOST_TEST(guest::write_attr(accel0 + "min_ring_entries", "4") == EINVAL);
	BOOST_TEST(guest::write_attr(accel0 + "min_ring_entries", "8192") == EINVAL); // > max
	BOOST_TEST(guest::write_attr(accel0 + "max_ring_entries", "8192") == EINVAL);
	guest::AttrOverride min("min_ring_entries", "64");
	BOOST_TEST(guest::write_attr(accel0 + "max_ring_entries", "32") == EINVAL); // < min
}

BOOST_AUTO_TEST_CASE(max_transfer_out_of_range_is_einval)
{
	BOOST_TEST(guest::write_attr(accel0 + "max_transfer", "0") == EINVAL);
	BOOST_TEST(guest::write_attr(accel0 + "max_transfer", "1073741825") == EINVAL);
}

BOOST_AUTO_TEST_CASE(max_queues_per_user_out_of_range_is_einval)
{
	BOOST_TEST(guest::write_attr(accel0 + "max_queues_per_user", "0") == EINVAL);
	BOOST_TEST(guest::write_attr(accel0 + "max_queues_per_user", "65536") == EINVAL);
}

BOOST_AUTO_TEST_CASE(max_memory_per_user_out_of_range_is_einval)
{
	BOOST_TEST(guest::write_attr(accel0 + "max_memory_per_user", "4095") == EINVAL);
	BOOST_TEST(guest::write_attr(accel0 + "max_memory_per_user", "1099511627777") == EINVAL);
}

BOOST_AUTO_TEST_CASE(new_limits_apply_to_later_calls)
{
	guest::OpenDevice dev;
	{
		guest::AttrOverride per_process("max_queues_per_process", "1");
		guest::AttrOverride max_ring("max_ring_entries", "64");
		accel::Device d = accel::Device::open(0);
		BOOST_TEST(d.info().max_queues_per_process == 1u);
		BOOST_TEST(d.info().max_ring_entries == 64u);
		afd_queue_create big = guest::queue_args(128);
		BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_CREATE_QUEUE, &big) == EINVAL);
		guest::create_queue(dev.fd, 64);
		afd_queue_create second = guest::queue_args(8);
		BOOST_TEST(guest::ioctl_errno(dev.fd, AFD_IOC_CREATE_QUEUE, &second) == ENOSPC);
	}
	guest::create_queue(dev.fd, 128); // restored
}

BOOST_AUTO_TEST_CASE(a_lower_max_transfer_fails_longer_descriptors)
{
	guest::AttrOverride max_transfer("max_transfer", "4096");
	auto dev = accel::Device::open(0);
	auto q = accel::Queue::create(dev);
	std::vector<std::byte> src(8192), dst(8192);
	BOOST_TEST(q.run(accel::op::memmove(dst, src, 1), std::chrono::seconds(30)).status == -E2BIG);
	BOOST_TEST(q.run(accel::op::memmove(std::span(dst).first(4096),
					    std::span<const std::byte>(src).first(4096), 2),
			 std::chrono::seconds(30))
			   .status == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sysfs_contexts_and_queues)

BOOST_AUTO_TEST_CASE(each_open_file_has_a_context_directory)
{
	guest::RawQueue q;
	const auto contexts = accel::read_contexts("accel0");
	const auto mine = std::ranges::find_if(contexts, [](const accel::ContextStatus &c) {
		return c.pid == ::getpid() && c.queues == 1;
	});
	BOOST_REQUIRE(mine != contexts.end());
	BOOST_TEST(mine->comm == guest::read_line("/proc/self/comm"));
}

BOOST_AUTO_TEST_CASE(each_queue_has_a_directory_with_its_owner_and_counters)
{
	QueueOwner owner(16);
	BOOST_REQUIRE(owner.ask(QueueOwner::run_nops, 10).outcome.ok == 10u);
	const std::uint32_t id = owner.queue_id();
	BOOST_TEST(queue_attr(id, "pid") == std::to_string(owner.pid()));
	BOOST_TEST(queue_attr(id, "state") == "active");
	BOOST_TEST(queue_attr(id, "sq_entries") == "16");
	BOOST_TEST(queue_attr(id, "cq_entries") == "32");
	BOOST_TEST(queue_attr(id, "submitted") == "10");
	BOOST_TEST(queue_attr(id, "completed") == "10");
	BOOST_TEST(queue_attr(id, "errors") == "0");
	BOOST_TEST(queue_attr(id, "bytes") == "0");
	const std::string context = queue_attr(id, "context");
	BOOST_TEST(guest::read_line(accel0 + "context/" + context + "/pid") ==
		   std::to_string(owner.pid()));
}

BOOST_AUTO_TEST_CASE(directories_go_with_their_queue_and_file)
{
	std::string queue_dir, context_dir;
	{
		guest::RawQueue q;
		queue_dir = accel0 + "queue/" + std::to_string(q.id());
		context_dir = accel0 + "context/" + guest::read_line(queue_dir + "/context");
		BOOST_REQUIRE(exists(queue_dir));
		BOOST_REQUIRE(exists(context_dir));
	}
	BOOST_TEST(!exists(queue_dir));
	BOOST_TEST(!exists(context_dir));
}

BOOST_AUTO_TEST_CASE(debugfs_shows_the_raw_ring_state)
{
	guest::RawQueue q;
	BOOST_REQUIRE(q.run_nops(3).ok == 3u);
	std::ifstream rings("/sys/kernel/debug/accelfd/accel0/rings");
	BOOST_REQUIRE(rings);
	std::string header, line;
	std::getline(rings, header);
	BOOST_TEST(header.starts_with("queue pid state sq_head doorbell"));
	bool found = false;
	while (std::getline(rings, line)) {
		std::istringstream cols(line);
		unsigned id, pid, state, sq_head, doorbell;
		cols >> id >> pid >> state >> sq_head >> doorbell;
		if (id == q.id()) {
			found = true;
			BOOST_TEST(pid == static_cast<unsigned>(::getpid()));
			BOOST_TEST(sq_head == 3u);
			BOOST_TEST(doorbell == 3u);
		}
	}
	BOOST_TEST(found);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(permissions)

BOOST_AUTO_TEST_CASE(the_udev_rule_gives_the_accel_group_the_device)
{
	struct stat st;
	BOOST_REQUIRE(::stat("/dev/accel0", &st) == 0);
	const group *accel = ::getgrnam("accel");
	BOOST_REQUIRE_MESSAGE(accel, "no group accel: the guest suite sets it up");
	BOOST_TEST(st.st_gid == accel->gr_gid);
	BOOST_TEST((st.st_mode & 0777) == 0660u);
}

BOOST_AUTO_TEST_CASE(a_group_member_runs_work_but_cannot_administer)
{
	QueueOwner victim;
	const int status = guest::in_child([&] {
		if (!guest::become_nobody(true))
			return 200;
		guest::RawQueue q;
		if (q.run_nops(4) != Outcome{4, 0, 0, 0})
			return 201;
		if (guest::queue_admin(q.dev.fd, victim.queue_id(), AFD_QUEUE_ADMIN_EVICT) != EPERM)
			return 202;
		if (guest::queue_admin(q.dev.fd, q.id(), AFD_QUEUE_ADMIN_SUSPEND) != EPERM)
			return 203;
		if (guest::write_attr(accel0 + "max_queues", "1") != EACCES)
			return 204;
		return 0;
	});
	BOOST_TEST(status == 0);
	BOOST_TEST(victim.ask(QueueOwner::run_nops, 1).outcome.ok == 1u);
}

BOOST_AUTO_TEST_CASE(a_user_outside_the_group_cannot_open_the_device)
{
	const int err = guest::in_child([] {
		if (!guest::become_nobody(false))
			return 200;
		const int fd = ::open("/dev/accel0", O_RDWR | O_CLOEXEC);
		return fd < 0 ? errno : 0;
	});
	BOOST_TEST(err == EACCES);
}

BOOST_AUTO_TEST_CASE(anyone_may_read_the_sysfs_view)
{
	QueueOwner owner;
	const int status = guest::in_child([&] {
		if (!guest::become_nobody(false))
			return 200;
		const auto queues = accel::read_queues("accel0");
		return std::ranges::any_of(queues, [&](const accel::QueueStatus &q) {
			       return q.id == owner.queue_id() && q.pid == owner.pid();
		       })
			       ? 0
			       : 1;
	});
	BOOST_TEST(status == 0);
}

BOOST_AUTO_TEST_SUITE_END()
