#!/bin/bash
# accelctl cdi generate, read by a real container engine: podman (with
# crun) runs the README example in a container given accelfd.dev/accel=accel0
# through CDI, as a user who is not root and has the group accel added, and
# it passes; without the device, or without the group, the same container
# cannot reach the device. With an mdev on accel0, the spec gives its VFIO
# nodes too. Runs in the guest (tests/guest/suite.sh) with accelfd.ko
# loaded with defaults and /dev/accel0 given to the group accel by udev;
# the mdev checks run when accelfd_mdev.ko is loaded too.
#   test_cdi_podman.sh ACCELCTL EXAMPLE
# The guest's root is the host's, read-only: the spec goes to /var/run/cdi
# (on the guest's tmpfs /run, and the directory CDI keeps for generated
# specs), podman's storage to /tmp.
set -u
accelctl=$(realpath "$1")
example=$(realpath "$2")
work=$(mktemp -d /tmp/cdi-podman-test.XXXXXX)
spec=/var/run/cdi/accelfd.dev-accel.json
image=localhost/accelfd-cdi-test:latest
user=65534:65534 # nobody:nogroup, who may not open /dev/accel0 on its own
passed=0 failed=0 skipped=0
mounted_cgroup=false

cleanup() {
	rm -f "$spec"
	[ -n "${uuid:-}" ] && "$accelctl" mdev remove "$uuid" >/dev/null 2>&1
	rm -rf "$work"
	$mounted_cgroup && umount /sys/fs/cgroup 2>/dev/null
}
trap cleanup EXIT

check() {
	name=$1
	shift
	if "$@"; then
		echo "PASS: cdi: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: cdi: $name"
		failed=$((failed + 1))
	fi
}
skip() {
	echo "SKIP: cdi: $1"
	skipped=$((skipped + 1))
}
fail() {
	echo "  $*" >&2
	return 1
}
# Prints what a command said, indented, when a check about it fails.
show() { sed 's/^/    | /' "$1" >&2; }

# Podman as the guest allows it: storage on the tmpfs /tmp (vfs: no
# overlay needed), no network, cgroups through the file system (no
# systemd), events in a file; TMPDIR for the import's staging files.
pm() {
	TMPDIR=$work/tmp podman --root "$work/storage" --runroot "$work/runroot" \
		--tmpdir "$work/libpod" --storage-driver vfs --cgroup-manager cgroupfs \
		--events-backend file "$@"
}
# podman run of the test image, removed when it exits, as $user.
run() {
	pm run --rm --pull never --network none --user "$user" "$@"
}

# ---- premises: what suite.sh's setup gives ----
accel_gid=$(getent group accel | cut -d: -f3)
premises() {
	[ -n "$accel_gid" ] || fail "no group accel" || return 1
	udevadm settle --timeout=30 # the rule applied to a node just created
	[ "$(stat -c %G:%a /dev/accel0)" = accel:660 ] ||
		fail "/dev/accel0 is $(stat -c %U:%G:%a /dev/accel0), not root:accel 0660 (udev)" || return 1
	command -v podman >/dev/null && command -v crun >/dev/null ||
		fail "podman or crun is not installed (scripts/install-deps)" || return 1
	if ! grep -q '^[^ ]* /sys/fs/cgroup cgroup2 ' /proc/mounts; then
		mount -t cgroup2 cgroup2 /sys/fs/cgroup || return 1
		mounted_cgroup=true
	fi
	mkdir -p "$work/tmp"
}
check "premises: group accel owns /dev/accel0 (0660), podman and crun, cgroup2 mounted" premises

# ---- the spec ----
echo "cdi: at $SECONDS s: accelctl cdi generate"
generate() {
	"$accelctl" cdi generate --output "$spec" >"$work/gen.out" 2>&1 ||
		{ show "$work/gen.out"; return 1; }
	grep -q "^$spec: accelfd.dev/accel: accel0, all\$" "$work/gen.out" ||
		{ show "$work/gen.out"; fail "no summary line"; }
}
check "accelctl cdi generate --output $spec" generate
spec_is_right() {
	[ "$(stat -c %a "$spec")" = 644 ] || fail "mode $(stat -c %a "$spec"), not 644" || return 1
	python3 - "$spec" "$accel_gid" <<'EOF'
import json, sys
spec, gid = json.load(open(sys.argv[1])), int(sys.argv[2])
assert spec["cdiVersion"] == "0.5.0", spec["cdiVersion"]
assert spec["kind"] == "accelfd.dev/accel", spec["kind"]
assert [d["name"] for d in spec["devices"]] == ["accel0", "all"], spec["devices"]
for d in spec["devices"]:
    assert d["containerEdits"]["deviceNodes"] == [
        {"path": "/dev/accel0", "type": "c", "permissions": "rw",
         "fileMode": 0o660, "uid": 0, "gid": gid}], d
EOF
}
check "the spec: cdiVersion 0.5.0, kind accelfd.dev/accel, accel0 and all with /dev/accel0 root:accel 0660" \
	spec_is_right
not_root_is_refused() {
	cp "$spec" "$work/before.json"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$accelctl" cdi generate --output "$spec" >"$work/denied.out" 2>&1
	rc=$?
	[ $rc -eq 4 ] || { show "$work/denied.out"; fail "exit status $rc, wanted 4"; } || return 1
	grep -q "^accelctl: cdi: create a temporary file beside $spec: Permission denied (EACCES); writing into /var/run/cdi needs root" \
		"$work/denied.out" || { show "$work/denied.out"; return 1; }
	cmp -s "$spec" "$work/before.json" || fail "the spec changed"
}
check "as user nobody: exit 4, the file and the reason named, the spec untouched" not_root_is_refused
stdout_is_the_file() {
	"$accelctl" cdi generate --output - >"$work/stdout.json" && cmp "$spec" "$work/stdout.json"
}
check "--output - prints the same spec" stdout_is_the_file

# ---- an image holding the example and what it links to ----
echo "cdi: at $SECONDS s: podman import"
make_image() {
	root=$work/rootfs
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" || return 1
	cp "$example" "$root/bin/copy_and_check" || return 1
	# Each library where ldd found it (the build tree's libaccel too:
	# the example's RUNPATH names it), and the dynamic loader.
	for lib in $(ldd "$example" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		cp --parents -L "$lib" "$root/" || return 1
	done
	# busybox (static) for the checks inside: stat, test, sh.
	cp /bin/busybox "$root/bin/busybox" && ln -s busybox "$root/bin/sh" || return 1
	tar -C "$root" -cf "$work/rootfs.tar" . &&
		pm import --quiet "$work/rootfs.tar" "$image" >"$work/import.out" 2>&1 ||
		{ show "$work/import.out"; return 1; }
}
check "podman import of a rootfs with the example, its libraries and busybox" make_image

# ---- containers ----
# The node as the container sees it, then the example's outcome.
probe='if [ -e /dev/accel0 ]; then stat -c "node: %F %a %u:%g" /dev/accel0; else echo "node: none"; fi
copy_and_check; echo "example exit: $?"'

echo "cdi: at $SECONDS s: podman run"
with_the_device() {
	run --device accelfd.dev/accel=accel0 --group-add "$accel_gid" "$image" \
		sh -c "$probe" >"$work/with.out" 2>&1
	grep -q "^node: character special file 660 0:$accel_gid\$" "$work/with.out" &&
		[ "$(grep -c '^accel0: queue .*: ok$' "$work/with.out")" -eq 2 ] &&
		grep -q '^example exit: 0$' "$work/with.out" || { show "$work/with.out"; return 1; }
}
check "--device accelfd.dev/accel=accel0 --user $user --group-add accel: the example passes on the node root:accel 0660" \
	with_the_device

without_the_device() {
	run --group-add "$accel_gid" "$image" sh -c "$probe" >"$work/without.out" 2>&1
	grep -q '^node: none$' "$work/without.out" &&
		grep -q "^copy_and_check: open /dev/accel0: No such file or directory" "$work/without.out" &&
		grep -q '^example exit: 1$' "$work/without.out" || { show "$work/without.out"; return 1; }
}
check "without --device: no /dev/accel0 in the container, the example fails (ENOENT)" without_the_device

without_the_group() {
	run --device accelfd.dev/accel=accel0 "$image" sh -c "$probe" >"$work/nogroup.out" 2>&1
	grep -q "^node: character special file 660 0:$accel_gid\$" "$work/nogroup.out" &&
		grep -q "^copy_and_check: open /dev/accel0: Permission denied" "$work/nogroup.out" &&
		grep -q '^example exit: 1$' "$work/nogroup.out" || { show "$work/nogroup.out"; return 1; }
}
check "--device without --group-add: the node keeps the host's 0660, the example fails (EACCES)" \
	without_the_group

unknown_device() {
	! run --device accelfd.dev/accel=accel7 "$image" true >"$work/unknown.out" 2>&1 &&
		grep -q 'unresolvable CDI devices accelfd.dev/accel=accel7' "$work/unknown.out" || { show "$work/unknown.out"; return 1; }
}
check "--device accelfd.dev/accel=accel7, which the spec does not have: podman refuses" unknown_device

# ---- an mdev: its VFIO group and the VFIO container come with accel0 ----
if [ -d /sys/class/accelfd/accel0/mdev_supported_types ]; then
	echo "cdi: at $SECONDS s: an mdev"
	uuid=$("$accelctl" mdev create accel0)
	group=$(basename "$(readlink "/sys/bus/mdev/devices/$uuid/iommu_group")")
	mdev_in_spec() {
		[ -n "$uuid" ] && [ -n "$group" ] || fail "mdev create failed" || return 1
		"$accelctl" cdi generate --output "$spec" >"$work/gen.out" 2>&1 ||
			{ show "$work/gen.out"; return 1; }
		grep -q "^$spec: accelfd.dev/accel: accel0 (1 mdev), all\$" "$work/gen.out" ||
			{ show "$work/gen.out"; return 1; }
		python3 - "$spec" "$group" <<'EOF'
import json, sys
spec, group = json.load(open(sys.argv[1])), sys.argv[2]
for d in spec["devices"]:
    paths = [n["path"] for n in d["containerEdits"]["deviceNodes"]]
    assert paths == ["/dev/accel0", "/dev/vfio/vfio", "/dev/vfio/" + group], (d["name"], paths)
EOF
	}
	check "after mdev create: accel0 and all also give /dev/vfio/vfio and /dev/vfio/\$group" mdev_in_spec
	vfio_nodes_in_container() {
		run --device accelfd.dev/accel=all "$image" \
			sh -c "test -c /dev/accel0 && test -c /dev/vfio/vfio && test -c /dev/vfio/$group && echo nodes-present" \
			>"$work/vfio.out" 2>&1
		grep -q '^nodes-present$' "$work/vfio.out" || { show "$work/vfio.out"; return 1; }
	}
	check "--device accelfd.dev/accel=all: /dev/accel0, /dev/vfio/vfio and the mdev's group inside" \
		vfio_nodes_in_container
	mdev_gone() {
		"$accelctl" mdev remove "$uuid" >/dev/null && uuid= &&
			"$accelctl" cdi generate --output "$spec" >/dev/null &&
			! grep -q /dev/vfio "$spec" || fail "the spec still names VFIO nodes"
	}
	check "after mdev remove, a new spec has no VFIO node" mdev_gone
else
	skip "mdev checks (accelfd_mdev is not loaded)"
fi

echo "cdi: $passed passed, $failed failed, $skipped skipped in $SECONDS s"
[ $failed -eq 0 ]
