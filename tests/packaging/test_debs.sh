#!/bin/bash
# The Debian packages as a user gets them: scripts/build-debs (lintian
# included), then apt-get install ./*.deb, whose accelfd-dkms builds and
# installs the module for each tested kernel; on the machine, the group
# accel, the udev rule and the sysusers file, and the README's example
# built against the installed library with CMake and with pkg-config; in a
# guest per kernel, the DKMS-installed module loaded by modprobe, the
# packaged rule applied by udevd, /usr/bin/accelctl and the example against
# it (in_guest.sh --packages); then apt-get purge leaves nothing behind.
#   test_debs.sh WORKDIR [KERNEL...]   (default: every kernel with image and headers)
# Runs as root; exit 77 (skipped) otherwise.
set -euo pipefail
tool=test_debs # for lib.sh
src=$(realpath "$(dirname "$0")/../..")
work=$(realpath -m "$1")
shift
. "$src/tests/packaging/lib.sh"

packages=(accelfd-dkms accelfd-tools libaccel-dev libaccel0)
require_clean_machine
mapfile -t kernels < <(tested_kernels "$@")
[[ ${#kernels[@]} -gt 0 ]] || fail "no kernel with image and headers"
rm -rf "$work"
mkdir -p "$work"
note_mok_key
group_made=no
getent group accel >/dev/null || group_made=yes
installed_packages() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${packages[@]}" 2>/dev/null |
		awk '$1 != "un" {print $2}'
	return 0
}
cleanup() {
	local left
	set +e
	left=$(installed_packages)
	# shellcheck disable=SC2086 # one word per package
	# After a failure: the machine must be left clean, and where it cannot
	# be, the next run refuses to start (require_clean_machine).
	[[ -z $left ]] || apt-get purge -y -qq $left >"$work/cleanup-purge.log" 2>&1 ||
		echo "test_debs: cleanup: apt-get purge $left failed ($work/cleanup-purge.log)" >&2
	rm -f /etc/dkms/accelfd.conf
	drop_mok_key
	# Purging keeps the group, as Debian does with system groups; a test
	# machine gets back the group file it had.
	if [[ $group_made == yes ]] && getent group accel >/dev/null; then
		groupdel accel
	fi
}
trap cleanup EXIT
start=$(date +%s)
elapsed() { echo "$(($(date +%s) - $1)) s"; }

t=$(date +%s)
locked "$src/scripts/build-debs" "$work/debs" >"$work/build-debs.log" 2>&1 || {
	tail -60 "$work/build-debs.log" >&2
	fail "scripts/build-debs failed (log: $work/build-debs.log)"
}
say "scripts/build-debs (package build and lintian) took $(elapsed "$t"); lintian:"
grep -E '^[EWIPX]: ' "$work/build-debs.log" >&2 || say "(no lintian tags)"

restrict_dkms_to "${kernels[@]}"
t=$(date +%s)
DEBIAN_FRONTEND=noninteractive locked apt-get install -y -q "$work"/debs/*.deb \
	>"$work/apt-install.log" 2>&1 || {
	cat "$work/apt-install.log" >&2
	fail "apt-get install ./*.deb failed"
}
say "apt-get install (DKMS building for ${kernels[*]}) took $(elapsed "$t")"

# --- on the machine
for k in "${kernels[@]}"; do
	dkms status -m accelfd -k "$k" 2>/dev/null | grep -q ': installed' ||
		fail "$k: DKMS did not install the module: $(dkms status -m accelfd -k "$k")"
	check_installed_for "$k"
done
version=$(dpkg-query -W -f='${Version}' accelfd-dkms)
"$src/scripts/dkms-source" "$work/dkms-source" >/dev/null
diff -r "$work/dkms-source/usr/src/accelfd-${version%%-*}" "/usr/src/accelfd-${version%%-*}" ||
	fail "accelfd-dkms's source tree is not the one scripts/dkms-source makes"
getent group accel >/dev/null || fail "installing accelfd-tools did not create the group accel"
cmp "$src/udev/70-accelfd.rules" /usr/lib/udev/rules.d/70-accelfd.rules ||
	fail "the udev rule is not in /usr/lib/udev/rules.d"
cmp "$src/udev/accelfd.sysusers" /usr/lib/sysusers.d/accelfd.conf ||
	fail "the sysusers file is not /usr/lib/sysusers.d/accelfd.conf"
for f in /usr/bin/accelctl /usr/bin/accel-gzip /usr/bin/accel-gunzip /usr/bin/accel-zcat \
	/usr/libexec/accelfd/accel_bench; do
	[[ -x $f ]] || fail "$f is missing"
done
for page in accelctl accel-gzip accel-gunzip accel-zcat; do
	[[ -e /usr/share/man/man1/$page.1.gz ]] || fail "the man page $page.1 is missing"
done
say "group accel, udev rule, sysusers file, programs and man pages are in place"

# The README's example against the installed library, not the build tree.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
t=$(date +%s)
cmake -S "$src/tests/host/consumer" -B "$work/consumer" \
	-DEXAMPLE_SOURCE="$src/examples/copy_and_check.cpp" >"$work/consumer.log"
locked cmake --build "$work/consumer" >>"$work/consumer.log"
found=$(sed -n 's/^accel_DIR:PATH=//p' "$work/consumer/CMakeCache.txt")
[[ $found == "/usr/lib/$multiarch/cmake/accel" ]] || fail "find_package(accel) found $found"
[[ $(realpath -m "$(env -u PKG_CONFIG_PATH pkg-config --variable=libdir libaccel)") == "/usr/lib/$multiarch" ]] ||
	fail "pkg-config's libaccel is not the installed one"
# shellcheck disable=SC2046 # pkg-config's output is a list of words
locked g++ -o "$work/copy_and_check_pc" "$src/examples/copy_and_check.cpp" \
	$(env -u PKG_CONFIG_PATH pkg-config --cflags --libs libaccel)
for program in "$work/consumer/copy_and_check" "$work/copy_and_check_pc"; do
	lib=$(ldd "$program" | awk '$1 == "libaccel.so.0" {print $3}')
	[[ -n $lib ]] && dpkg-query -S "$(realpath "$lib")" | grep -q '^libaccel0:' ||
		fail "$program does not link libaccel0's libaccel.so.0 (but ${lib:-none})"
done
say "the README example builds against the package with find_package and pkg-config ($(elapsed "$t"))"

# --- in the guest: the host's root as installed (depmod ran in dkms install)
for k in "${kernels[@]}"; do
	t=$(date +%s)
	guest_check "$k" --packages "$work/consumer/copy_and_check" "$work/copy_and_check_pc"
	say "$k: the guest took $(elapsed "$t")"
done

# --- purge: the prerm's dkms remove, then no file of the packages is left
for p in "${packages[@]}"; do
	dpkg-query -L "$p"
done | while read -r f; do [[ -d $f ]] || echo "$f"; done >"$work/package-files.txt"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${packages[@]}" >"$work/apt-purge.log" 2>&1 || {
	cat "$work/apt-purge.log" >&2
	fail "apt-get purge failed"
}
rm -f /etc/dkms/accelfd.conf
while read -r f; do
	[[ ! -e $f && ! -L $f ]] || fail "$f is left after the purge"
done <"$work/package-files.txt"
check_nothing_left
say "passed on ${kernels[*]} in $(elapsed "$start")"
