#!/bin/bash
# libaccel as an application developer gets it: install the build into a
# fresh prefix, then build the README's example against the installed
# headers and library twice, with find_package(accel) and with pkg-config.
#   install_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(realpath "$1") build=$(realpath "$2")
prefix=$build/install-test
rm -rf "$prefix" "$build/consumer-build"
cmake --install "$build" --prefix "$prefix" >/dev/null
# What an operator gets beside the library.
for f in bin/accelctl share/man/man1/accelctl.1 lib/udev/rules.d/70-accelfd.rules \
	lib/sysusers.d/accelfd.conf libexec/accelfd/accel_bench \
	bin/accel-gzip bin/accel-gunzip bin/accel-zcat share/man/man1/accel-gzip.1 \
	share/man/man1/accel-gunzip.1 share/man/man1/accel-zcat.1; do
	test -e "$prefix/$f" || { echo "install: $f is missing" >&2; exit 1; }
done

cmake -S "$src/tests/host/consumer" -B "$build/consumer-build" \
	-DCMAKE_PREFIX_PATH="$prefix" -DEXAMPLE_SOURCE="$src/examples/copy_and_check.cpp" >/dev/null
cmake --build "$build/consumer-build" >/dev/null
test -x "$build/consumer-build/copy_and_check"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig
# shellcheck disable=SC2046 # pkg-config's output is a list of words
g++ -o "$build/consumer-build/copy_and_check_pc" "$src/examples/copy_and_check.cpp" \
	$(pkg-config --cflags --libs libaccel)
test -x "$build/consumer-build/copy_and_check_pc"
echo "install: find_package(accel) and pkg-config libaccel both build the example"
