# shellcheck shell=bash disable=SC2154 # tool, src and work are the caller's
# Shared by test_dkms.sh and test_debs.sh (sourced; they set $src, $work).
# Both change the machine (DKMS tree, /usr/src, /lib/modules, packages), so
# they run as root, refuse to start over an existing accelfd install, and
# put the machine back as they found it, on failure too.

say() { echo "$tool: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

# ACCELFD_BUILD_LOCK: a file to hold (flock) around builds and guest boots,
# where other builds share the machine; says how long it waited.
locked() {
	if [[ -n ${ACCELFD_BUILD_LOCK:-} ]]; then
		# shellcheck disable=SC2016 # for the inner shell
		flock "$ACCELFD_BUILD_LOCK" bash -c \
			'echo "($(($(date +%s) - $0)) s waiting for the build lock)" >&2; exec "$@"' \
			"$(date +%s)" "$@"
	else
		"$@"
	fi
}

# Kernels given, or every kernel with both image and headers.
tested_kernels() {
	local v
	if [[ $# -gt 0 ]]; then
		printf '%s\n' "$@"
		return
	fi
	for v in $(ls /lib/modules 2>/dev/null | sort -V); do
		[[ -e /boot/vmlinuz-$v && -e /lib/modules/$v/build/Makefile ]] && echo "$v"
	done
}

has_mdev() {
	grep -qs '^CONFIG_VFIO_MDEV=[ym]' "/lib/modules/$1/build/include/config/auto.conf"
}

# Everything of accelfd's that DKMS or the packages leave on the machine,
# one line each; nothing when the machine is clean.
accelfd_leftovers() {
	local f
	dkms status -m accelfd 2>/dev/null | sed 's/^/dkms status: /'
	for f in /var/lib/dkms/accelfd /usr/src/accelfd-* /lib/modules/*/updates/dkms/accelfd* \
		/etc/dkms/accelfd.conf; do
		[[ -e $f ]] && echo "left: $f"
	done
	grep -l accelfd /lib/modules/*/modules.dep 2>/dev/null | sed 's/^/in modules.dep: /'
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' accelfd-dkms accelfd-tools \
		libaccel0 libaccel-dev 2>/dev/null | awk '$1 != "un" {print "package: " $0}'
	return 0
}

require_clean_machine() {
	[[ $(id -u) -eq 0 ]] || { say "needs root (it installs into the system); skipped"; exit 77; }
	local left
	left=$(accelfd_leftovers)
	[[ -z $left ]] || fail "accelfd is installed already; remove it first:"$'\n'"$left"
}

# dkms makes a signing key on its first build (its own, shared by every DKMS
# module, and kept when modules are removed): dropped again if this test
# made it.
mok_key_made=no
note_mok_key() {
	[[ -e /var/lib/dkms/mok.key ]] || mok_key_made=yes
}
drop_mok_key() {
	if [[ $mok_key_made == yes ]]; then
		rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	fi
}

# DKMS builds for every kernel with headers, the packages' postinst too:
# an override (dkms.conf's, /etc/dkms/<module>.conf) keeps it to the
# tested ones, for the time of the test.
restrict_dkms_to() {
	local k all=() re=""
	mapfile -t all < <(ls /lib/modules)
	for k in "$@"; do
		re+="${re:+|}$(sed 's/[.+]/\\&/g' <<<"$k")"
	done
	for k in "${all[@]}"; do
		if [[ -e /lib/modules/$k/build/Makefile && " $* " != *" $k "* ]]; then
			say "DKMS restricted to the tested kernels: $*"
			echo "BUILD_EXCLUSIVE_KERNEL=\"^($re)\$\"" >/etc/dkms/accelfd.conf
			return
		fi
	done
}

# The module files DKMS installed for a kernel, as modinfo finds them there.
check_installed_for() {
	local k=$1 name path
	for name in accelfd $(has_mdev "$k" && echo accelfd_mdev); do
		path=$(modinfo -k "$k" -n "$name" 2>/dev/null) ||
			fail "$k: modinfo does not find $name"
		case $path in
		"/lib/modules/$k/updates/dkms/$name.ko"*) say "$k: $path" ;;
		*) fail "$k: $name is $path, not DKMS's (updates/dkms)" ;;
		esac
		[[ $(modinfo -k "$k" -F vermagic "$name" | cut -d' ' -f1) == "$k" ]] ||
			fail "$k: $name's vermagic is not $k's"
	done
}

# One guest boot per kernel, no --module: in_guest.sh modprobes itself.
guest_check() {
	local k=$1
	shift
	locked "$src/tests/guest/run-guest" --kernel "$k" --workdir "$work/guest" --timeout 600 \
		-- "$src/tests/packaging/in_guest.sh" "$@" ||
		fail "$k: the guest's checks failed"
}

check_nothing_left() {
	local left
	left=$(accelfd_leftovers)
	[[ -z $left ]] || fail "left behind:"$'\n'"$left"
	say "nothing of accelfd is left (DKMS tree, /usr/src, updates/dkms, modules.dep, packages)"
}
