#!/bin/sh
# bench/run.sh GEN SYNCDOCTOR: the speed and memory benchmark (make bench).
#
# Generates a large valid sync file with syncdoctor's own writer (1 GiB or
# more, 100,000 observations over 10 feeds, 5,000 photos), then times, in
# one run, 'syncdoctor check' against 'b2sum' and 'cat > /dev/null' of the
# same file, and reports the peak resident memory of each.
# Targets: check takes at most 2x the time of b2sum; peak RSS under 32 MiB.
set -eu
gen=$1
sd=$2
dir=${BENCH_DIR:-/var/tmp/syncdoctor-bench}
file=$dir/bench.mapeodata
mkdir -p "$dir"
if [ ! -f "$file" ]; then
	"$gen" "$file" "${BENCH_FEEDS:-10}" "${BENCH_OBSERVATIONS:-100000}" "${BENCH_PHOTOS:-5000}" \
		"${BENCH_PHOTO_BYTES:-190000}"
fi
size=$(stat -c %s "$file")
echo "file: $file ($size bytes)"
cat "$file" >/dev/null # a warm cache for every contender

# measure TAG NAME COMMAND...: wall time and peak RSS of one command.
measure() {
	tag=$1
	name=$2
	shift 2
	/usr/bin/time -f "%e %M" -o "$dir/$tag.res" "$@" >/dev/null 2>&1 || true
	read -r secs kb <"$dir/$tag.res"
	printf '%-28s %8s s   peak RSS %6s KiB\n' "$name" "$secs" "$kb"
}

[ -x /usr/bin/time ] || { echo "bench needs GNU time: apt-get install time" >&2; exit 1; }
measure cat "cat > /dev/null" cat "$file"
measure b2sum "b2sum" b2sum "$file"
measure check "syncdoctor check" "$sd" check --no-config --format json "$file"
measure quick "syncdoctor check --quick" "$sd" check --no-config --quick "$file"
read -r tb mb <"$dir/b2sum.res"
read -r tc mc <"$dir/check.res"
ratio=$(echo "scale=2; $tc / $tb" | bc)
echo "check / b2sum: ${ratio}x (target <= 2); check peak RSS: ${mc} KiB (target < 32768)"
