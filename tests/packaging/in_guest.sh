#!/bin/bash
# Inside the guest (tests/guest/run-guest without --module), on the host's
# root as installed: the module DKMS installed for this kernel is the one
# modprobe loads, and with --packages the packaged udev rule, group and
# accelctl work against it, and so do the PROGRAMs (the README's example
# built against the installed library).
#   in_guest.sh [--packages [PROGRAM...]]
set -uo pipefail
packages=no
if [[ ${1:-} == --packages ]]; then
	packages=yes
	shift
fi
kver=$(uname -r)
failed=0

check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		failed=1
	fi
}

# The build ID of a module file, and of the module the kernel loaded (its
# sysfs note: name size, descriptor size, type, "GNU\0", then the ID).
file_build_id() {
	local ko=$1 tmp=/tmp/build-id.ko
	case $ko in
	*.xz) xz -dc "$ko" >"$tmp" ;;
	*.zst) zstd -qdc "$ko" >"$tmp" ;;
	*.gz) gzip -dc "$ko" >"$tmp" ;;
	*) cp "$ko" "$tmp" ;;
	esac
	readelf -n "$tmp" | awk '/Build ID:/ {print $3}'
}
loaded_build_id() {
	od -An -v -tx1 "/sys/module/$1/notes/.note.gnu.build-id" | tr -d ' \n' | cut -c33-
}

from_dkms() {
	local name=$1 path
	path=$(modinfo -n "$name") || return 1
	echo "$name: $path"
	case $path in
	"/lib/modules/$kver/updates/dkms/$name.ko"*) ;;
	*) return 1 ;;
	esac
}

loaded_is_installed() {
	local name=$1 want got
	want=$(file_build_id "$(modinfo -n "$name")")
	got=$(loaded_build_id "$name")
	echo "$name: build ID of the file $want, of the loaded module $got"
	[[ -n $want && $want == "$got" ]]
}

has_mdev() {
	grep -qs '^CONFIG_VFIO_MDEV=[ym]' "/boot/config-$kver"
}

# The root file system is the host's, read-only, and the guest's init
# chroots into it: udevd runs there with SYSTEMD_IGNORE_CHROOT.
start_udevd() {
	export SYSTEMD_IGNORE_CHROOT=1
	/lib/systemd/systemd-udevd --daemon
}
udev_applied() {
	udevadm trigger --action=add --subsystem-match=accelfd &&
		udevadm settle --timeout=60 &&
		stat -c '/dev/accel0: %G:%a' /dev/accel0 &&
		[[ $(stat -c %G:%a /dev/accel0) == accel:660 ]]
}
# As nobody: AFD_IOC_GET_INFO on /dev/accel0 with the group, EACCES
# (exit 4) without.
as_member() {
	setpriv --reuid=nobody --regid=nogroup --groups=accel /usr/bin/accelctl info accel0 >/dev/null
}
as_non_member() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/accelctl info accel0 2>/dev/null
	[[ $? -eq 4 ]]
}
accelctl_lists() {
	local out
	out=$(/usr/bin/accelctl list) || return 1
	echo "$out"
	grep -q accel0 <<<"$out"
}

echo "== $kver"
check "modinfo finds accelfd under updates/dkms" from_dkms accelfd
[[ $packages == yes ]] && check "udevd starts" start_udevd
check "modprobe accelfd" modprobe accelfd
check "/dev/accel0 exists" test -c /dev/accel0
check "the loaded accelfd is the DKMS-installed file" loaded_is_installed accelfd
if has_mdev; then
	check "modinfo finds accelfd_mdev under updates/dkms" from_dkms accelfd_mdev
	check "modprobe accelfd_mdev (with its VFIO dependencies)" modprobe accelfd_mdev
	check "the loaded accelfd_mdev is the DKMS-installed file" loaded_is_installed accelfd_mdev
	check "rmmod accelfd_mdev" rmmod accelfd_mdev
fi
if [[ $packages == yes ]]; then
	check "the packaged rule gives /dev/accel0 to the group accel, 0660" udev_applied
	check "/usr/bin/accelctl list shows accel0" accelctl_lists
	check "a member of accel may open /dev/accel0 (accelctl info)" as_member
	check "a non-member may not (accelctl exit 4)" as_non_member
	for program in "$@"; do
		check "$(basename "$program") (built against the installed libaccel) runs" "$program"
	done
	udevadm control --exit
fi
check "rmmod accelfd" rmmod accelfd
exit $failed
