#!/bin/bash
# accel-gzip against gzip and pigz on the same file in the same guest run:
# compression and decompression time, output size, and a check that every
# output decompresses to the input (and that gzip accepts accel-gzip's).
#   gzip_compare.sh ACCEL_GZIP SIZE_MIB OUTFILE
# The file is the system's own text (/usr/include) and binaries (/usr/bin,
# /usr/lib) in a tar stream, cut at SIZE_MIB: data no one here wrote.
# Writes a Markdown table to OUTFILE.
set -euo pipefail
accel_gzip=$1 size_mib=$2 out=$3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -cf - /usr/include /usr/bin /usr/lib/x86_64-linux-gnu 2>/dev/null | head -c "${size_mib}M" >"$work/input.tar" || true
[[ $(stat -c %s "$work/input.tar") -eq $((size_mib << 20)) ]] || { echo "gzip_compare: too little data" >&2; exit 1; }

engines=$(cat /sys/class/accelfd/accel0/engines)
tools=("gzip -6" "accel-gzip -6 --queues 1" "accel-gzip -6 --queues $engines")
if command -v pigz >/dev/null; then
	tools+=("pigz -6 -p 1" "pigz -6 -p 2")
fi

# seconds COMMAND...: wall time of COMMAND, in seconds with two decimals.
seconds() {
	local start end
	start=$(date +%s.%N)
	"$@"
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

{
	echo "| tool | compress s | MB/s | size % | decompress s | MB/s |"
	echo "|---|---:|---:|---:|---:|---:|"
	for tool in "${tools[@]}"; do
		read -r name args <<<"$tool"
		[[ $name == accel-gzip ]] && cmd=$accel_gzip || cmd=$name
		# shellcheck disable=SC2086 # the tool's options split on purpose
		c=$(seconds sh -c "$cmd $args -c <'$work/input.tar' >'$work/out.gz'")
		d=$(seconds sh -c "$cmd -d -c <'$work/out.gz' >'$work/back.tar'")
		cmp -s "$work/input.tar" "$work/back.tar" || { echo "gzip_compare: $tool did not round-trip" >&2; exit 1; }
		gzip -t "$work/out.gz" || { echo "gzip_compare: gzip rejects what $tool wrote" >&2; exit 1; }
		size=$(stat -c %s "$work/out.gz")
		awk -v t="$tool" -v c="$c" -v d="$d" -v n="$size" -v mib="$size_mib" 'BEGIN {
			mb = mib * 1.048576
			printf "| %s | %s | %.1f | %.2f | %s | %.1f |\n", t, c, mb / c, 100 * n / (mib * 1048576), d, mb / d
		}'
	done
} >"$out"
cat "$out"
