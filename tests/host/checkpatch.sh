#!/bin/bash
# The module's sources must be checkpatch-clean (--strict). checkpatch.pl
# comes from Debian's linux-source package, extracted once into WORKDIR.
#   checkpatch.sh SOURCE_DIR WORKDIR
# Ignored on purpose: LINUX_VERSION_CODE and CONSTANT_COMPARISON (an
# out-of-tree module must test the kernel version; afd_compat.h does, once)
# MACRO_ARG_REUSE (table and attribute macros paste a name twice, as
# DRM_IOCTL_DEF does) and CAMELCASE (the kernel's own zlib API is
# zlib_deflateInit2(); --no-tree leaves checkpatch no tree to find it in).
set -euo pipefail
src=$1 work=$2

tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1 || true)
if [[ ! -x $work/scripts/checkpatch.pl ]]; then
	[[ -n $tarball ]] || { echo "checkpatch: no /usr/src/linux-source-*.tar.xz (scripts/install-deps installs it)"; exit 1; }
	mkdir -p "$work"
	tar -xJf "$tarball" -C "$work" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
fi

# --strict seeds its CamelCase table from a tree's include/ even with
# --no-tree: an empty one stands in.
mkdir -p "$work/include"
out=$("$work/scripts/checkpatch.pl" --no-tree --root "$work" --strict --terse --show-types \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON,MACRO_ARG_REUSE,CAMELCASE \
	-f "$src"/kmod/*.c "$src"/kmod/*.h "$src"/kmod/mdev/*.c 2>&1 | grep -v '^total: 0 errors, 0 warnings, 0 checks' || true)
if [[ -n $out ]]; then
	echo "$out"
	exit 1
fi
echo "checkpatch: $(ls "$src"/kmod/*.[ch] "$src"/kmod/mdev/*.c | wc -l) files clean"
