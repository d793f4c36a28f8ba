#!/bin/bash
# DKMS by hand, as on a machine without the Debian packages: the source tree
# from scripts/dkms-source, dkms add, then dkms build and install against
# the installed headers of each tested kernel; a guest per kernel where
# modprobe loads the module DKMS installed (in_guest.sh); a build for a
# kernel without VFIO-mdev, which must give accelfd.ko alone; then dkms
# remove --all and the source tree removed leave nothing behind.
#   test_dkms.sh WORKDIR [KERNEL...]   (default: every kernel with image and headers)
# Runs as root; exit 77 (skipped) otherwise.
set -euo pipefail
tool=test_dkms # for lib.sh
src=$(realpath "$(dirname "$0")/../..")
work=$(realpath -m "$1")
shift
. "$src/tests/packaging/lib.sh"

require_clean_machine
mapfile -t kernels < <(tested_kernels "$@")
[[ ${#kernels[@]} -gt 0 ]] || fail "no kernel with image and headers"
mkdir -p "$work"
note_mok_key
cleanup() {
	set +e
	# After a failure (the test's own removal is checked below); where it
	# cannot clean up, the next run refuses to start.
	if dkms status -m accelfd -v "$version" 2>/dev/null | grep -q .; then
		dkms remove -m accelfd -v "$version" --all >"$work/cleanup-remove.log" 2>&1 ||
			echo "test_dkms: cleanup: dkms remove failed ($work/cleanup-remove.log)" >&2
	fi
	rm -rf "/usr/src/accelfd-$version"
	drop_mok_key
}
version=$(sed -n 's/^project(accelfd VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
trap cleanup EXIT

start=$(date +%s)
"$src/scripts/dkms-source" / >/dev/null
dkms add -m accelfd -v "$version" >/dev/null
for k in "${kernels[@]}"; do
	t=$(date +%s)
	locked dkms build -m accelfd -v "$version" -k "$k" >"$work/dkms-build-$k.log" 2>&1 || {
		cat "$work/dkms-build-$k.log" >&2
		[[ ! -r /var/lib/dkms/accelfd/$version/build/make.log ]] ||
			cat "/var/lib/dkms/accelfd/$version/build/make.log" >&2
		fail "$k: dkms build failed"
	}
	dkms install -m accelfd -v "$version" -k "$k" >"$work/dkms-install-$k.log" 2>&1 || {
		cat "$work/dkms-install-$k.log" >&2
		fail "$k: dkms install failed"
	}
	say "$k: dkms build and install took $(($(date +%s) - t)) s"
	check_installed_for "$k"
done
for k in "${kernels[@]}"; do
	t=$(date +%s)
	guest_check "$k"
	say "$k: the guest took $(($(date +%s) - t)) s"
done

# A kernel without VFIO-mdev: the first kernel's headers copied with
# CONFIG_VFIO_MDEV taken out, a DKMS tree of the test's own. DKMS must build
# accelfd.ko alone (dkms.conf lists accelfd_mdev only where Kbuild builds it).
nomdev=$work/no-mdev
rm -rf "$nomdev"
mkdir -p "$nomdev/dkms"
headers=$(realpath "/lib/modules/${kernels[0]}/build")
cp -a "$headers" "$nomdev/headers"
for link in "$headers"/*; do
	[[ -L $link ]] && ln -sfn "$(realpath "$link")" "$nomdev/headers/$(basename "$link")"
done
sed -i '/^CONFIG_VFIO_MDEV=/d' "$nomdev/headers/.config" "$nomdev/headers/include/config/auto.conf"
sed -i '/CONFIG_VFIO_MDEV/d' "$nomdev/headers/include/generated/autoconf.h"
"$src/scripts/dkms-source" "$nomdev/root" >/dev/null
locked dkms build --dkmstree "$nomdev/dkms" --sourcetree "$nomdev/root/usr/src" \
	-m accelfd -v "$version" -k "${kernels[0]}" --kernelsourcedir "$nomdev/headers" \
	>"$work/dkms-build-no-mdev.log" 2>&1 || {
	cat "$work/dkms-build-no-mdev.log" >&2
	fail "dkms build for a kernel without VFIO-mdev failed"
}
built=$(cd "$nomdev/dkms/accelfd/$version/${kernels[0]}/"*/module && echo *)
[[ $built == accelfd.ko* && $built != *accelfd_mdev* ]] ||
	fail "without VFIO-mdev DKMS built: $built"
say "without VFIO-mdev, DKMS builds $built alone"
rm -rf "$nomdev"

dkms remove -m accelfd -v "$version" --all >"$work/dkms-remove.log" 2>&1 || {
	cat "$work/dkms-remove.log" >&2
	fail "dkms remove --all failed"
}
rm -rf "/usr/src/accelfd-$version"
check_nothing_left
say "passed on ${kernels[*]} in $(($(date +%s) - start)) s"
