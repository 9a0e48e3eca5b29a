#!/bin/sh
# rebuild-scaling.sh GEN SYNCDOCTOR: how 'syncdoctor check' and 'rebuild'
# grow with the number of members (rebuild was quadratic: 10,000 members
# 1.2 s, 100,000 over a minute). Writes files of small photos with GEN
# (bench/gen-syncfile) and reports the CPU seconds (user + system, GNU time:
# steadier than wall time on a shared machine) of each; per tripling of the
# members the time should about triple (linear), never grow ninefold.
# Run by hand:
#     sh bench/rebuild-scaling.sh ./bench/gen-syncfile ./syncdoctor
# Record the output in bench/REBUILD-SCALING.md with the machine.
set -e
gen=$1 sd=$2
dir=${BENCH_DIR:-/var/tmp/syncdoctor-bench}/scaling
mkdir -p "$dir"
cpu() { /usr/bin/time -f '%U %S' -o "$dir/time" "$@" >/dev/null 2>&1 || true; awk '{ printf "%.2f", $1 + $2 }' "$dir/time"; }
printf '%10s %10s %10s\n' members check_cpu rebuild_cpu
for photos in 3334 10000 33334; do
	f=$dir/m$photos.mapeodata
	[ -e "$f" ] || "$gen" "$f" 2 200 "$photos" 64 >/dev/null
	rm -f "$dir/out.mapeodata"
	c=$(cpu "$sd" check --no-config "$f")
	r=$(cpu "$sd" rebuild "$f" -o "$dir/out.mapeodata")
	printf '%10s %10s %10s\n' "$(( photos * 3 + 2 ))" "$c" "$r"
done
rm -f "$dir/out.mapeodata" "$dir/time"
