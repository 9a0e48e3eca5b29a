#!/bin/sh
# bench/hostile-scaling.sh MKHOSTILE GEN SYNCDOCTOR: how 'diff' and 'rebuild'
# grow with the size of their input (make bench-scaling). Linear work
# doubles its time when the input doubles; quadratic work quadruples it.
#
# diff: two configuration folders of N presets and N fields (half the fields
# renamed, a third of the presets changed) made by tests/hostile/mkhostile.
# rebuild: a sync file of N photos (3N members) made by bench/gen-syncfile.
# Target: the ratio between one size and the next stays under 3 (linear is
# 2; the quadratic lookups this replaced gave 4 to 4.5).
set -eu
mk=$1
gen=$2
sd=$3
dir=${BENCH_DIR:-/var/tmp/syncdoctor-bench}/scaling
mkdir -p "$dir"
[ -x /usr/bin/time ] || { echo "bench needs GNU time: apt-get install time" >&2; exit 1; }

# row WHAT N COMMAND...: wall time, peak RSS and the ratio to the row before.
prev=
row() {
	what=$1 n=$2
	shift 2
	/usr/bin/time -f "%e %M" -o "$dir/t" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$dir/t" >"$dir/t1" # after "Command exited with non-zero status"
	read -r secs kb <"$dir/t1"
	ratio=-
	[ -n "$prev" ] && ratio=$(echo "scale=2; $secs / ($prev + 0.001)" | bc)
	printf '%-8s %8s %8s s %8s KiB   x%s\n' "$what" "$n" "$secs" "$kb" "$ratio"
	prev=$secs
}

echo "what     size      time         peak RSS   vs. previous"
for n in ${SCALE_DIFF:-12500 25000 50000 100000}; do
	"$mk" presets "$dir/a-$n" "$n" same
	"$mk" presets "$dir/b-$n" "$n" renamed
	row diff "$n" "$sd" --no-journal diff --format json "$dir/a-$n" "$dir/b-$n"
done
prev=
for n in ${SCALE_REBUILD:-5000 10000 20000 40000}; do
	[ -f "$dir/s-$n.mapeodata" ] || "$gen" "$dir/s-$n.mapeodata" 1 100 "$n" 200 >/dev/null
	rm -f "$dir/r-$n.mapeodata"
	row rebuild "$((3 * n))" "$sd" --no-journal rebuild "$dir/s-$n.mapeodata" -o "$dir/r-$n.mapeodata"
	rm -f "$dir/r-$n.mapeodata"
done
