#!/bin/sh
# The guest suite: runs inside the QEMU guest (tests/guest/run-guest), with
# accelfd.ko already loaded by the harness.
#   suite.sh GUEST_TESTS ACCELCTL ACCELFD_KO EXAMPLE FUZZER ACCELFD_MDEV_KO ACCEL_GZIP [KERNEL_TREE]
# KERNEL_TREE: the build tree of a guest kernel whose modules are not under
# /lib/modules (the debug kernel); VFIO's modules are loaded from there.
# FUZZ_OPS sets the length of each fuzz run (default 20000).
# AFD_SUITE_SCOPE=debug (scripts/test-debug, on the debug kernel) leaves out
# what the stock run covers and a debug kernel adds nothing to, at several
# times the cost under KASAN: accelctl's output, the benchmark's quick mode
# the data operations against their CPU reference, accel-gzip's checks
# (a user-space tool whose kernel paths the codec tests take) and podman
# with accelctl's CDI spec (test_cdi_podman.sh); the kill
# storm has 60 processes instead of 500 and each fuzz run 12000 operations
# instead of 20000 (at 90 s and 50 s each, they were two fifths of the
# debug run).
# Every attack, validation, lifetime, removal, mdev, codec and fuzz test
# stays.
# AFD_SUITE_SCOPE=module (every kernel after the first of a CTest run) leaves
# out the user-space tools' checks, which the first kernel's suite runs:
# accelctl's output with three devices, the benchmark's quick mode,
# accel-gzip's checks and podman. They add nothing on another kernel: the
# module's ioctls and sysfs files they use are the same code, tested there
# by the rest of the suite. accelctl's output with one device stays (it
# parses what the kernel's mdev core writes, which kernels change).
guest_tests=$1 accelctl=$2 ko=$3 example=$4 fuzzer=$5 mdev_ko=$6 accel_gzip=$7 kernel_tree=${8:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0
only="" devices3=device_node,get_info,accelctl_cli
across_the_wrap=ring_wrap,operations,zero_syscall,back_pressure,wait_ioctl,submit_and_kick_ioctls,bad_addresses,mdev_life
user_space_tools=true
case "${AFD_SUITE_SCOPE:-full}" in
full) ;;
module)
	only="--run_test=!benchmark"
	devices3=device_node,get_info
	user_space_tools=false
	;;
debug)
	# The two large codec matrices: the other codec tests take the same
	# kernel paths in a tenth of the time.
	only="--run_test=!accelctl_cli:!benchmark:!operations:!compression/stateless_deflate_is_read_by_zlib:!compression/stateless_inflate_reads_zlib"
	devices3=device_node,get_info
	across_the_wrap=ring_wrap,zero_syscall,back_pressure,mdev_life
	user_space_tools=false
	export AFD_KILL_STORM_PROCESSES=60
	FUZZ_OPS=${FUZZ_OPS:-12000}
	;;
*)
	echo "suite.sh: AFD_SUITE_SCOPE=$AFD_SUITE_SCOPE is none of full, module, debug" >&2
	exit 2
	;;
esac

# Each check's line gives its time: the suite's cost is to be watched.
check() {
	name=$1
	shift
	start=$(date +%s)
	if "$@"; then
		echo "PASS: $name ($(($(date +%s) - start)) s)"
		passed=$((passed + 1))
	else
		echo "FAIL: $name ($(($(date +%s) - start)) s)"
		failed=$((failed + 1))
	fi
}

no_accel_nodes() { ! ls /dev/accel[0-9]* >/dev/null 2>&1; }
not_loaded_exit_3() {
	out=$("$accelctl" list 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 3 ] && echo "$out" | grep -q "accelfd module is not loaded"
}
load_vfio() {
	if [ -z "$kernel_tree" ]; then
		modprobe -a vfio_iommu_type1 mdev
		return
	fi
	for m in vfio/vfio vfio/vfio_iommu_type1 vfio/mdev/mdev; do
		[ -d "/sys/module/$(basename $m)" ] || insmod "$kernel_tree/drivers/$m.ko" || return 1
	done
}
insmod_refused() { ! insmod "$ko" "$@" 2>/dev/null && [ ! -d /sys/module/accelfd ]; }
# Module unload while an operator removes devices through sysfs: each
# device must be removed once, by one of them (it was destroyed twice). The
# module's debugfs race window holds every removal 1 s before it takes
# the device table's lock, so that rmmod comes while the removes are still
# on their way (without it this never failed, the old module included).
unload_racing_sysfs_remove() {
	refused=0
	for round in $(seq 1 5); do
		insmod "$ko" num_devices=4 || return 1
		echo 1000 >/sys/kernel/debug/accelfd/race_window_ms || return 1
		for d in 3 2 1 0; do
			(echo 1 >/sys/class/accelfd/accel$d/remove) 2>/dev/null &
		done
		# rmmod once a removal is under way (its file is gone, and it
		# sleeps in the window): the removal holds the module, so rmmod
		# is EBUSY until it is done.
		tries=0 c=/sys/class/accelfd
		while [ -e $c/accel0/remove ] && [ -e $c/accel1/remove ] &&
			[ -e $c/accel2/remove ] && [ -e $c/accel3/remove ]; do
			tries=$((tries + 1)) # shell builtins only: no fork in this loop
			[ $tries -lt 1000000 ] || return 1
		done
		tries=0
		until rmmod accelfd 2>/dev/null; do
			tries=$((tries + 1))
			[ $tries -lt 100 ] || return 1
			sleep 0.1
		done
		[ $tries -eq 0 ] || refused=$((refused + 1))
		wait
		[ ! -e /sys/class/accelfd ] || return 1
	done
	# A round where every removal was over before rmmod raced nothing.
	echo "rmmod was refused while removals ran in $refused of 5 rounds"
	[ $refused -gt 0 ]
}

# A removed device's mdev type outliving the parent's unregistration, as
# it does while an mdev of the type is still being released: the type's
# release reads the parent, which must go with the device, not at
# unregistration as it once did (slab poisoning, which the stock runs
# boot with, or KASAN on the debug kernel makes that read fault). With
# the race window set, accelfd_mdev holds each removed device's type that
# long: for a device removed through sysfs, for the device added in its
# place and removed while the first is held, and for the one that the
# module's own exit removes.
held_types_let_go() {
	# Earlier tests removed devices in the window too: only what the
	# kernel logs after this test's mark counts.
	mark="suite.sh: mdev type test $$"
	echo "$mark" >/dev/kmsg || return 1
	count() {
		dmesg | grep -qF "$mark" || { echo -1; return; } # wrapped
		dmesg | sed -n "/$mark/,\$p" | grep -cE "$1"
	}
	insmod "$ko" num_devices=2 && insmod "$mdev_ko" || return 1
	echo 500 >/sys/kernel/debug/accelfd/race_window_ms || return 1
	c=/sys/class/accelfd
	echo 1 >$c/accel1/remove && echo 1 >$c/add_device && echo 1 >$c/accel1/remove ||
		return 1
	[ "$(count 'accel1: holding the mdev type 500 ms past removal')" -eq 2 ] ||
		{ echo "removing accel1 twice did not hold two types"; return 1; }
	tries=0
	until [ "$(count 'accel1: mdev type let go after removal')" -eq 2 ]; do
		tries=$((tries + 1))
		[ $tries -lt 100 ] || { echo "accel1's types were not let go"; return 1; }
		sleep 0.1
	done
	rmmod accelfd_mdev || return 1
	[ "$(count 'accel0: mdev type let go after removal')" -eq 1 ] ||
		{ echo "accelfd_mdev's exit let go of no type"; return 1; }
	echo 0 >/sys/kernel/debug/accelfd/race_window_ms || return 1
	rmmod accelfd || return 1
	[ "$(count 'BUG|WARNING:|Oops|general protection fault')" -eq 0 ]
}
mdev_type_outlives_parent() {
	held_types_let_go && return
	# Leave no module behind to fail the checks that follow.
	echo 0 >/sys/kernel/debug/accelfd/race_window_ms
	rmmod accelfd_mdev
	rmmod accelfd
	return 1
}

# What an install gives a real machine (udev/): the group "accel" and the
# rule that hands it /dev/accelN, applied by a running udevd. The root file
# system is the host's, read-only: the group file is overlaid, the rule
# goes to /run/udev/rules.d. The guest's init chroots to that file system,
# which udevadm would otherwise take as a reason to do nothing.
setup_permissions() {
	export SYSTEMD_IGNORE_CHROOT=1
	cp /etc/group /tmp/group &&
		{ grep -q '^accel:' /tmp/group || echo "accel:x:987:" >>/tmp/group; } &&
		mount --bind /tmp/group /etc/group &&
		mkdir -p /run/udev/rules.d &&
		cp "$src/udev/70-accelfd.rules" /run/udev/rules.d/ &&
		/lib/systemd/systemd-udevd --daemon &&
		udevadm trigger --action=add --subsystem-match=accelfd &&
		udevadm settle --timeout=60 &&
		[ "$(stat -c %G:%a /dev/accel0)" = accel:660 ]
}

echo "== module loaded with defaults"
check "udev gives /dev/accel0 to the group accel (udev/70-accelfd.rules)" setup_permissions
# The VFIO-mdev front end: VFIO's modules from the guest kernel, ours.
check "load vfio_iommu_type1 and mdev" load_vfio
check "insmod accelfd_mdev.ko" insmod "$mdev_ko"
check "Boost.Test guest suite (1 device)" "$guest_tests" --color_output=no --log_level=test_suite $only
check "README example: smallest and largest queue" "$example"
check "fuzz, fixed seed 1" "$fuzzer" --seed 1 --ops "${FUZZ_OPS:-20000}"
seed=$(date +%s)
check "fuzz, seed $seed" "$fuzzer" --seed "$seed" --ops "${FUZZ_OPS:-20000}"
check "rmmod accelfd_mdev" rmmod accelfd_mdev
check "rmmod accelfd" rmmod accelfd
check "no /dev/accelN left after unload" no_accel_nodes
check "no /sys/class/accelfd left after unload" test ! -e /sys/class/accelfd
check "accelctl says the module is not loaded, exit 3" not_loaded_exit_3

# 2^32 - 100: every queue's indices wrap within its first laps.
echo "== ring indices starting 100 below 2^32"
check "insmod initial_ring_index=4294967196" insmod "$ko" initial_ring_index=4294967196
check "insmod accelfd_mdev.ko (indices near the wrap)" insmod "$mdev_ko"
check "Boost.Test ring, operation and fast-path tests across the wrap" "$guest_tests" \
	--color_output=no --log_level=test_suite --run_test=$across_the_wrap
check "README example across the wrap" "$example"
check "fuzz across the wrap, seed $seed" "$fuzzer" --seed "$seed" --ops "${FUZZ_OPS:-20000}"
check "rmmod accelfd_mdev (indices near the wrap)" rmmod accelfd_mdev
check "rmmod accelfd (indices near the wrap)" rmmod accelfd

echo "== module loaded with num_devices=3 num_engines=4"
check "insmod num_devices=3 num_engines=4" insmod "$ko" num_devices=3 num_engines=4
check "three device nodes" test -c /dev/accel0 -a -c /dev/accel1 -a -c /dev/accel2
check "Boost.Test device tests (3 devices)" "$guest_tests" --color_output=no --log_level=test_suite --run_test=$devices3
check "rmmod accelfd (3 devices)" rmmod accelfd
check "no /dev/accelN left after unload (3 devices)" no_accel_nodes

# The script prints a PASS or FAIL line for each of its own checks.
if $user_space_tools; then
	echo "== accel-gzip against gzip (module loaded with defaults)"
	check "insmod (accel-gzip)" insmod "$ko"
	check "accel-gzip: tests/guest/test_accel_gzip.sh" "$src/tests/guest/test_accel_gzip.sh" "$accel_gzip"
	check "rmmod accelfd (accel-gzip)" rmmod accelfd

	# podman runs the README example with the device from accelctl's CDI
	# spec (the script prints a PASS or FAIL line for each of its checks).
	echo "== CDI and podman (module loaded with defaults, and accelfd_mdev)"
	check "insmod (CDI)" insmod "$ko"
	check "insmod accelfd_mdev.ko (CDI)" insmod "$mdev_ko"
	check "CDI: tests/guest/test_cdi_podman.sh" "$src/tests/guest/test_cdi_podman.sh" "$accelctl" "$example"
	check "rmmod accelfd_mdev (CDI)" rmmod accelfd_mdev
	check "rmmod accelfd (CDI)" rmmod accelfd
fi

echo "== module unload racing sysfs remove"
check "5 rounds of rmmod against echo 1 > remove on four devices" unload_racing_sysfs_remove

echo "== an mdev type outliving its parent's unregistration"
check "removed devices' types held 500 ms past removal, then let go" mdev_type_outlives_parent

echo "== bad module parameters"
check "num_devices=0 is refused" insmod_refused num_devices=0
check "num_devices=65 is refused" insmod_refused num_devices=65
check "num_engines=0 is refused" insmod_refused num_engines=0

echo "guest: $passed passed, $failed failed"
[ $failed -eq 0 ]
