#!/bin/bash
# accel-gzip against the system's gzip (and pigz where installed), on the
# real device: round trips over sizes, kinds of data and levels, each
# program reading the other's output, multi-member input, damaged input
# (gzip's exit status, the file and byte named, no output left, the input
# kept), the options, and output that does not depend on the number of
# queues. Runs in the guest with accelfd.ko loaded (tests/guest/suite.sh).
#   test_accel_gzip.sh ACCEL_GZIP
set -u
gz=$(realpath "$1")
bindir=$(dirname "$gz")
gunzip_alias=$bindir/accel-gunzip zcat_alias=$bindir/accel-zcat
work=$(mktemp -d /tmp/accel-gzip-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
passed=0 failed=0 skipped=0

check() {
	name=$1
	shift
	start=$SECONDS
	if "$@"; then
		echo "PASS: accel-gzip: $name ($((SECONDS - start)) s)"
		passed=$((passed + 1))
	else
		echo "FAIL: accel-gzip: $name ($((SECONDS - start)) s)"
		failed=$((failed + 1))
	fi
}
skip() {
	echo "SKIP: accel-gzip: $1"
	skipped=$((skipped + 1))
}
# Runs "$@" and fails (saying so) unless its exit status is $1.
status_is() {
	want=$1
	shift
	"$@"
	got=$?
	[ "$got" -eq "$want" ] || { echo "  exit status $got, wanted $want: $*" >&2; return 1; }
}
fail() {
	echo "  $*" >&2
	return 1
}
# No file but those named is left in directory $1 (no output, no temporary).
only_files() {
	dir=$1
	shift
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	have=$(ls -A "$dir" | sort | tr '\n' ' ')
	[ "$want" = "$have" ] || fail "directory $dir holds '$have', wanted '$want'"
}

# ---- inputs ----
mkdir data
# Text: licences and man pages, repeated to 5 MiB.
cat /usr/share/common-licenses/* >data/text.one 2>/dev/null
for m in $(ls /usr/share/man/man1/*.1.gz 2>/dev/null | head -12); do
	gzip -dc "$m" >>data/text.one 2>/dev/null
done
for _ in $(seq $(((5 << 20) / $(stat -c %s data/text.one) + 1))); do
	cat data/text.one
done | head -c $((5 << 20)) >data/text.src
# Machine code: the programs of /usr/bin, to 5 MiB.
find /usr/bin -maxdepth 1 -type f -size +64k 2>/dev/null | sort | head -40 | xargs cat 2>/dev/null |
	head -c $((5 << 20)) >data/binary.src
head -c $((5 << 20)) /dev/urandom >data/random.src
head -c $((5 << 20)) /dev/zero >data/zero.src
sizes="0 1 4095 4097 $((1048576 + 1)) $((5 << 20))"
levels="1 6 9"
for kind in text binary random zero; do
	[ "$(stat -c %s data/$kind.src)" -eq $((5 << 20)) ] || echo "  setup: data/$kind.src is short" >&2
done

# From here on a pipeline fails if any of its programs does: a tool that
# writes the right bytes and then fails is caught.
set -o pipefail

# ---- round trips ----
echo "accel-gzip: at $SECONDS s: round trips"
# Compresses a copy of the first $2 bytes of data/$1.src at level $3 with
# -k; the result must be read byte-exact by gzip -d, pass gzip -t, and
# come back through accel-gzip -d (whose -t the other checks cover); the
# input stays, the output keeps its mode and times.
round_trip() {
	kind=$1 size=$2 level=$3
	d=rt-$kind-$size-$level
	mkdir "$d" && head -c "$size" "data/$kind.src" >"$d/f" || return 1
	chmod 640 "$d/f" && touch -d @1600000000 "$d/f"
	status_is 0 "$gz" "-$level" -k "$d/f" || return 1
	[ -f "$d/f" ] || fail "input removed despite -k" || return 1
	gzip -dc "$d/f.gz" | cmp -s - "$d/f" || fail "gzip -d does not give the input back" || return 1
	gzip -t "$d/f.gz" || fail "gzip -t fails" || return 1
	"$gz" -dc "$d/f.gz" | cmp -s - "$d/f" || fail "accel-gzip -dc does not give the input back" || return 1
	[ "$(stat -c %a:%Y "$d/f.gz")" = 640:1600000000 ] ||
		fail "mode and mtime not kept: $(stat -c %a:%Y "$d/f.gz")" || return 1
	# The header: FNAME set, the name, gzip's XFL for the level, OS 3.
	xfl=0
	[ "$level" = 9 ] && xfl=2
	[ "$level" = 1 ] && xfl=4
	hdr=$(od -An -tu1 -N12 "$d/f.gz" | tr -s ' ' | sed 's/^ //')
	[ "$hdr" = "31 139 8 8 0 16 94 95 $xfl 3 102 0" ] || fail "header $hdr" || return 1
	rm -r "$d"
}
for kind in text binary random zero; do
	for size in $sizes; do
		for level in $levels; do
			# Text and zeros at every level; for machine code and
			# random data (stored blocks) the default is enough.
			[ $kind = random ] || [ $kind = binary ] && [ $level != 6 ] && continue
			check "round trip: $kind, $size bytes, level $level" round_trip $kind $size $level
		done
	done
done

# ---- what gzip writes, we read ----
echo "accel-gzip: at $SECONDS s: what gzip writes, we read"
reads_gzip() {
	kind=$1 size=$2 level=$3
	head -c "$size" "data/$kind.src" >g.in
	gzip "-$level" -c g.in >g.gz || return 1
	"$gz" -dc g.gz | cmp -s - g.in || fail "accel-gzip -dc of gzip -$level output differs" || return 1
	status_is 0 "$gz" -t g.gz
}
for kind in text random zero; do
	for level in $levels; do
		check "reads gzip -$level: $kind, 5 MiB" reads_gzip $kind $((5 << 20)) $level
	done
	check "reads gzip -6: $kind, 0 bytes" reads_gzip $kind 0 6
done
if command -v pigz >/dev/null; then
	pigz_both_ways() {
		head -c $((5 << 20)) data/text.src >p.in
		pigz -c p.in >p.gz && "$gz" -dc p.gz | cmp -s - p.in || fail "accel-gzip cannot read pigz" || return 1
		"$gz" -c p.in >q.gz && pigz -t q.gz && pigz -dc q.gz | cmp -s - p.in ||
			fail "pigz cannot read accel-gzip"
	}
	check "pigz reads us and we read pigz" pigz_both_ways
else
	skip "pigz is not installed"
fi

# ---- multi-member input ----
echo "accel-gzip: at $SECONDS s: multi-member input"
multi_member() {
	head -c 100000 data/text.src >m1
	head -c 3000 data/binary.src >m2
	: >m3
	{ "$gz" -c m1; gzip -c m2; "$gz" -c m3; gzip -c m1; } >m.gz
	cat m1 m2 m3 m1 >m.want
	"$gz" -dc m.gz | cmp -s - m.want || fail "members not all decompressed" || return 1
	gzip -dc m.gz | cmp -s - m.want || fail "gzip disagrees" || return 1
	status_is 0 "$gz" -t m.gz || return 1
	# -l counts every member (gzip shows the last one's length only).
	"$gz" -l m.gz | awk -v n="$(stat -c %s m.want)" 'NR == 2 { exit $2 != n }' ||
		fail "-l: $("$gz" -l m.gz)"
}
check "multi-member input is decompressed to its end" multi_member
concatenated_operands() {
	head -c 5000 data/text.src >c1
	head -c 7000 data/zero.src >c2
	"$gz" -c c1 c2 >c.gz && cat c1 c2 >c.want || return 1
	"$gz" -dc c.gz | cmp -s - c.want && gzip -dc c.gz | cmp -s - c.want
}
check "-c FILE FILE writes one member per file" concatenated_operands

# ---- damaged input ----
echo "accel-gzip: at $SECONDS s: damaged input"
# $1: a name, $3: the damaged file. Decompressing it must exit as gzip -d
# does (and $2, gzip 1.12's status), name the file and the byte (for
# errors), leave no output (or, for a warning, the output gzip leaves),
# and keep the input unless gzip removes it.
damaged() {
	label=$1 want=$2 file=$3
	mkdir "d-$label" "g-$label" || return 1
	cp "$file" "d-$label/x.gz" && cp "$file" "g-$label/x.gz" || return 1
	(cd "g-$label" && gzip -d x.gz 2>/dev/null)
	gzip_status=$?
	[ "$gzip_status" -eq "$want" ] || fail "gzip itself exits $gzip_status, the test assumed $want" || return 1
	"$gz" -d "d-$label/x.gz" 2>"d-$label.err"
	got=$?
	[ "$got" -eq "$gzip_status" ] || fail "exit status $got, gzip's $gzip_status: $(cat "d-$label.err")" || return 1
	# The same files remain as with gzip.
	[ "$(ls -A "d-$label")" = "$(ls -A "g-$label")" ] ||
		fail "left '$(ls -A "d-$label" | tr '\n' ' ')', gzip '$(ls -A "g-$label" | tr '\n' ' ')'" || return 1
	if [ -e "d-$label/x.gz" ]; then
		cmp -s "d-$label/x.gz" "$file" || fail "the input changed" || return 1
	fi
	if [ -e "g-$label/x" ]; then
		cmp -s "d-$label/x" "g-$label/x" || fail "the output differs from gzip's" || return 1
	fi
	if [ "$want" -eq 1 ]; then
		grep -q "^accel-gzip: d-$label/x.gz: .*byte [0-9]" "d-$label.err" ||
			grep -q "^accel-gzip: d-$label/x.gz: not in gzip format" "d-$label.err" ||
			fail "message: $(cat "d-$label.err")" || return 1
		# -t and -c fail the same way; -t writes nothing.
		status_is 1 "$gz" -t "$file" 2>/dev/null || return 1
		status_is 1 "$gz" -dc "$file" >/dev/null 2>&1 || return 1
	fi
	return 0
}
head -c 300000 data/text.src >good
"$gz" -c good >good.gz
size=$(stat -c %s good.gz)
# good.gz with byte $1 (from 0) XORed with $2.
flip() {
	python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[int(sys.argv[2])] ^= int(sys.argv[3])
sys.stdout.buffer.write(b)' good.gz "$1" "$2"
}
mkdir bad
head -c $((size / 2)) good.gz >bad/mid
head -c $((size - 3)) good.gz >bad/trailer
head -c 7 good.gz >bad/header
printf '\037\213' >bad/magic
: >bad/empty
flip $((size / 3)) 16 >bad/flip
flip $((size - 7)) 1 >bad/crc
flip $((size - 2)) 1 >bad/length
flip 3 64 >bad/reserved
flip 2 1 >bad/method
head -c 5000 data/text.src >bad/notgz
{ cat good.gz; printf 'garbage'; } >bad/garbage
{ cat good.gz; head -c 1000 /dev/zero; } >bad/zeros
{ cat good.gz; printf 'x'; } >bad/lonebyte
{ cat good.gz; head -c 20 good.gz; } >bad/second
check "truncated in the middle: exit 1" damaged mid 1 bad/mid
check "truncated in the trailer: exit 1" damaged trailer 1 bad/trailer
check "truncated in the header: exit 1" damaged header 1 bad/header
check "only the magic: exit 1" damaged magic 1 bad/magic
check "empty file: exit 1" damaged empty 1 bad/empty
check "bit flipped in the data: exit 1" damaged flip 1 bad/flip
check "bad CRC: exit 1" damaged crc 1 bad/crc
check "bad length: exit 1" damaged length 1 bad/length
check "reserved flag bit: exit 1" damaged reserved 1 bad/reserved
check "unknown method: exit 1" damaged method 1 bad/method
check "not gzip at all: exit 1" damaged notgz 1 bad/notgz
check "trailing garbage: exit 2, output kept" damaged garbage 2 bad/garbage
check "trailing zeros: exit 0" damaged zeros 0 bad/zeros
check "a lone byte after a member: exit 1" damaged lonebyte 1 bad/lonebyte
check "a second member cut short: exit 1" damaged second 1 bad/second
messages_name_what_is_wrong() {
	grep -q "crc error" d-crc.err && grep -q "length error" d-length.err &&
		grep -q "unexpected end of file at byte" d-mid.err &&
		grep -q "trailing garbage ignored" d-garbage.err ||
		fail "$(cat d-crc.err d-length.err d-mid.err d-garbage.err)"
}
check "messages say crc error, length error, end of file, garbage" messages_name_what_is_wrong
quiet_garbage() {
	{ cat good.gz; printf 'junk'; } >qg.gz
	out=$("$gz" -tq qg.gz 2>&1)
	st=$?
	[ $st -eq 2 ] && [ -z "$out" ] || fail "-tq: exit $st, said '$out'"
}
check "-q silences the garbage warning, the status stays 2" quiet_garbage
passthrough() {
	head -c 1000 data/text.src >pt
	{ cat good.gz; cat pt; } >pt.gz
	{ cat good; cat pt; } >pt.want
	"$gz" -dcf pt.gz | cmp -s - pt.want && "$gz" -dcf pt | cmp -s - pt
}
check "-dcf copies what is not gzip, as gzip -dcf" passthrough

# ---- options ----
echo "accel-gzip: at $SECONDS s: options"
opt_dir() {
	rm -rf o && mkdir o && head -c 20000 data/text.src >o/a && touch -d @1500000000 o/a
}
keep_and_remove() {
	opt_dir
	status_is 0 "$gz" o/a || return 1
	only_files o a.gz || return 1
	status_is 0 "$gz" -d o/a.gz || return 1
	only_files o a || return 1
	head -c 20000 data/text.src | cmp -s o/a - || fail "content" || return 1
	[ "$(stat -c %Y o/a)" = 1500000000 ] || fail "mtime not restored from the .gz"
	status_is 0 "$gz" -k o/a && only_files o a a.gz
}
check "input removed on success, kept with -k" keep_and_remove
force() {
	opt_dir
	echo old >o/a.gz
	status_is 2 "$gz" o/a 2>o.err || return 1
	grep -q "o/a.gz already exists; not overwritten" o.err || fail "$(cat o.err)" || return 1
	[ "$(cat o/a.gz)" = old ] && [ -f o/a ] || fail "the existing output or the input was touched" || return 1
	only_files o a a.gz || return 1
	status_is 0 "$gz" -f o/a && only_files o a.gz && gzip -t o/a.gz
}
check "existing output: exit 2 and untouched; -f replaces it" force
to_stdout() {
	opt_dir
	"$gz" -c o/a >o.c.gz && only_files o a && gzip -dc o.c.gz | cmp -s - o/a &&
		"$gz" -dc o.c.gz | cmp -s - o/a && { "$gz" -c o/a | "$gz" -d | cmp -s - o/a; }
}
check "-c writes to stdout and keeps the input" to_stdout
test_writes_nothing() {
	opt_dir
	gzip -k o/a && status_is 0 "$gz" -t o/a.gz && only_files o a a.gz &&
		[ "$("$gz" -tv o/a.gz 2>&1)" = "$(printf 'o/a.gz:\t OK')" ]
}
check "-t writes nothing; -tv says OK" test_writes_nothing
list_like_gzip() {
	opt_dir
	"$gz" -k o/a || return 1
	mine=$("$gz" -l o/a.gz) theirs=$(gzip -l o/a.gz)
	[ "$mine" = "$theirs" ] || fail "-l: '$mine', gzip: '$theirs'" || return 1
	head -c 3000 data/binary.src >o/b && gzip o/b || return 1
	mine=$("$gz" -l o/a.gz o/b.gz) theirs=$(gzip -l o/a.gz o/b.gz)
	[ "$mine" = "$theirs" ] || fail "-l of two files: '$mine', gzip: '$theirs'" || return 1
	mine=$("$gz" -lv o/a.gz) theirs=$(gzip -lv o/a.gz)
	[ "$mine" = "$theirs" ] || fail "-lv: '$mine', gzip: '$theirs'"
}
check "-l and -lv print what gzip -l prints" list_like_gzip
suffix() {
	opt_dir
	status_is 0 "$gz" -S .zz o/a && only_files o a.zz || return 1
	status_is 2 "$gz" -d o/a.zz 2>/dev/null || return 1 # not a known suffix
	status_is 0 "$gz" -d -S .zz o/a.zz && only_files o a
}
check "-S .zz names the output and is needed to decompress it" suffix
names() {
	opt_dir
	"$gz" o/a && mv o/a.gz o/renamed.gz || return 1
	# gzip -lN shows the stored name; -dN restores it and the time.
	gzip -lN o/renamed.gz | grep ' o/a$' >/dev/null || fail "stored name: $(gzip -lN o/renamed.gz)" || return 1
	[ "$("$gz" -lN o/renamed.gz)" = "$(gzip -lN o/renamed.gz)" ] || fail "-lN: $("$gz" -lN o/renamed.gz)" || return 1
	status_is 0 "$gz" -dk o/renamed.gz && only_files o renamed renamed.gz || return 1
	rm o/renamed && touch -d @1700000000 o/renamed.gz
	status_is 0 "$gz" -dN o/renamed.gz && only_files o a || return 1
	[ "$(stat -c %Y o/a)" = 1500000000 ] || fail "-N: mtime $(stat -c %Y o/a)" || return 1
	# -n stores neither: flags 0, MTIME 0.
	"$gz" -n -c o/a >o.n.gz || return 1
	hdr=$(od -An -tu1 -N8 o.n.gz | tr -s ' ' | sed 's/^ //')
	[ "$hdr" = "31 139 8 0 0 0 0 0" ] || fail "-n header $hdr"
}
check "names: stored by default, -dN restores name and time, -n stores none" names
suffix_skipped() {
	opt_dir
	gzip -k o/a || return 1
	out=$("$gz" o/a.gz 2>&1)
	st=$?
	[ $st -eq 0 ] && echo "$out" | grep -q "o/a.gz already has .gz suffix -- unchanged" &&
		only_files o a a.gz || fail "exit $st: $out"
}
check "a file with the suffix is left alone" suffix_skipped
refusals() {
	opt_dir
	status_is 1 "$gz" o/none 2>/dev/null || return 1
	mkdir o/dir && status_is 2 "$gz" o/dir 2>/dev/null || return 1
	ln o/a o/hard && status_is 2 "$gz" o/a 2>/dev/null && only_files o a hard dir || return 1
	rm o/hard && ln -s a o/sym && status_is 1 "$gz" o/sym 2>/dev/null && only_files o a sym dir || return 1
	status_is 2 "$gz" -d o/a 2>/dev/null && only_files o a sym dir # unknown suffix
}
check "missing file 1, directory 2, hard link 2, symlink 1, unknown suffix 2" refusals
finds_the_suffix() {
	opt_dir
	"$gz" o/a && status_is 0 "$gz" -d o/a && only_files o a
}
check "-d NAME finds NAME.gz" finds_the_suffix
stdin_stdout() {
	head -c 200000 data/text.src >s.in
	"$gz" <s.in >s.gz && gzip -dc s.gz | cmp -s - s.in || return 1
	"$gz" -d <s.gz | cmp -s - s.in || return 1
	# A pipe stores no name and no time; a regular file on stdin its time.
	cat s.in | "$gz" >s.pipe.gz || return 1
	hdr=$(od -An -tu1 -N8 s.pipe.gz | tr -s ' ' | sed 's/^ //')
	[ "$hdr" = "31 139 8 0 0 0 0 0" ] || fail "pipe header $hdr" || return 1
	cat s.in s.in >s.twice
	cat s.gz s.gz | "$gz" -d | cmp -s - s.twice || fail "multi-member from a pipe"
}
check "stdin to stdout both ways" stdin_stdout
terminal_refused() {
	command -v script >/dev/null || return 0
	out=$(script -qec "$gz" /dev/null </dev/null 2>&1)
	echo "$out" | grep -q "compressed data not written to a terminal" || fail "$out"
}
if command -v script >/dev/null; then
	check "compressed data is not written to a terminal" terminal_refused
else
	skip "no script(1) for a terminal"
fi
aliases() {
	opt_dir
	"$gz" -k o/a && "$zcat_alias" o/a.gz | cmp -s - o/a && rm o/a && "$gunzip_alias" o/a.gz && only_files o a
}
check "accel-gunzip and accel-zcat" aliases
device_error() {
	opt_dir
	out=$("$gz" --device 63 o/a 2>&1)
	st=$?
	[ $st -eq 1 ] && echo "$out" | grep -q "^accel-gzip: o/a: open /dev/accel63" && only_files o a ||
		fail "exit $st: $out"
}
check "a missing device: exit 1, the device named, the input kept" device_error
interrupted() {
	# A large level-9 compression, interrupted: either it finished (and
	# the output is whole) or no output and no temporary file remain.
	mkdir i && head -c $((5 << 20)) data/text.src >i/big && cat data/text.src >>i/big || return 1
	"$gz" -9 -k i/big &
	pid=$!
	sleep 0.3
	kill -TERM $pid
	wait $pid
	if [ -e i/big.gz ]; then
		echo "  (the compression ended before the signal)" >&2
		only_files i big big.gz && gzip -t i/big.gz
	else
		only_files i big
	fi
}
check "an interrupted compression leaves its input and no partial output" interrupted

# ---- determinism ----
echo "accel-gzip: at $SECONDS s: determinism"
queues_agree() {
	size=$1
	head -c "$size" data/text.src >q.in
	"$gz" -n -c --queues 1 q.in >q1.gz && "$gz" -n -c --queues 2 q.in >q2.gz &&
		"$gz" -n -c --queues 3 q.in >q3.gz || return 1
	cmp q1.gz q2.gz && cmp q1.gz q3.gz || return 1
	# Standard input is read in the same blocks.
	cat q.in | "$gz" --queues 2 >qp.gz && cmp q1.gz qp.gz || return 1
	gzip -dc q2.gz | cmp -s - q.in
}
check "--queues 1, 2, 3 and a pipe give the same bytes (1 MiB + 1)" queues_agree $((1048576 + 1))
check "--queues 1, 2, 3 and a pipe give the same bytes (5 MiB)" queues_agree $((5 << 20))

echo "accel-gzip: $passed passed, $failed failed, $skipped skipped in $SECONDS s"
[ $failed -eq 0 ]
