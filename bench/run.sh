#!/bin/sh
# bench/run.sh GEN SYNCDOCTOR [PART...]: the speed and memory benchmark
# (make bench). Never run by the test suite.
#
# Parts (all by default):
#   speed   the real-shaped file (gen-syncfile's defaults: 3 feeds, 5,000
#           observations, 600 photos, about 31 MB, as written by
#           @mapeo/core 8.6.2): 'check' with the case journal on against
#           'b2sum', 'check --quick' too, 'rebuild' against 'cp', each
#           both over the last run's output and to a new file
#   memory  peak RSS of 'check' at 1,000, 100,000 and 1,000,000 observations,
#           with the report in JSON and in YAML, of 'check' and
#           'check --quick' of a file with 180,000 photo members
#           (BENCH_MANY: one already written, it takes minutes) and of its
#           'rebuild' (alone, and given twice as two sources), of
#           'rebuild' at 100,000 and 1,000,000 observations, and of the
#           analysis of damaged feeds at those counts, the damage made by
#           the project's own tests/unit/mkdamage (BENCH_MKDAMAGE): a
#           second database that lacks what the first holds ('mkdamage
#           dbmerge', rebuilt with the project's configuration), and one
#           damaged block ('mkdamage data', rebuilt: refused, the plan
#           made; and with --salvage); 'memory-damaged' runs those alone
#   linear  'check' time at four sizes, up to 4 GiB (the real shape scaled)
#
# Timing: with perf (linux-perf), each command runs BENCH_RUNS times
# (default 20; BENCH_RUNS_LARGE, default 3, for the memory and linear
# parts) under 'perf stat -r': the mean elapsed (wall-clock) time and
# its spread, and the mean task-clock (CPU time of every thread: the
# fingerprint's hashing thread included) are printed. Without perf, the
# minimum over BENCH_RUNS runs of GNU time's elapsed time, whose 0.01 s
# resolution is coarse for a 50 ms command (it says so). Peak RSS comes
# from one more run under GNU time. Warm page cache; the machine's load
# average is printed with each part, since wall-clock ratios on a shared
# machine move with the load. Files are generated once in $BENCH_DIR
# (default /var/tmp/syncdoctor-bench) and kept. Nothing is installed here:
# bench/README lists what the bench needs.
# Targets: check (journal on) <= 1.5x b2sum; check --quick < 0.4x b2sum;
# rebuild <= 3x cp; peak RSS <= 16 MiB at every size; time linear in size.
set -eu
gen=$1
sd=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
mkdamage=${BENCH_MKDAMAGE:-$(dirname "$gen")/../tests/unit/mkdamage}
parts=${*:-speed memory linear}
dir=${BENCH_DIR:-/var/tmp/syncdoctor-bench}
runs=${BENCH_RUNS:-20}
mkdir -p "$dir"
[ -x /usr/bin/time ] || { echo "bench needs GNU time: apt-get install time" >&2; exit 1; }

# file NAME FEEDS OBSERVATIONS PHOTOS [PHOTO_BYTES]: generate once.
file() {
	f=$dir/$1.mapeodata
	[ -f "$f" ] || "$gen" "$f" "$2" "$3" "$4" "${5:-36000}" >/dev/null
	echo "$f"
}

use_perf=false
if command -v perf >/dev/null 2>&1 && perf stat -o /dev/null true 2>/dev/null; then
	use_perf=true
else
	echo "note: no usable perf (apt-get install linux-perf; perf_event_paranoid <= 2):" \
		"minimum of GNU time's 0.01 s readings instead" >&2
fi

# best NAME COMMAND...: the command's wall time (s) into $best_s (perf: the
# mean of $runs runs; else the minimum), and the peak RSS (KiB) of one run.
# With $fresh set to a path, that file is removed before each run (a new
# output, not one replacing the last run's).
fresh=""
best() {
	name=$1
	shift
	[ -z "$fresh" ] || rm -f "$fresh"
	/usr/bin/time -f "%e %M" -o "$dir/time.res" "$@" >/dev/null 2>"$dir/err.txt" || true
	# the last line: GNU time says first when the command exited non-zero
	# (2: the report has warnings, as without a version table)
	tail -n 1 "$dir/time.res" >"$dir/time.last"
	read -r s best_kb <"$dir/time.last" || { cat "$dir/err.txt" >&2; exit 1; }
	if $use_perf; then
		perf stat -r "$runs" ${fresh:+--pre "rm -f '$fresh'"} -o "$dir/perf.txt" -- "$@" \
			>/dev/null 2>"$dir/err.txt" || true
		best_s=$(awk '/seconds time elapsed/ { print $1 }' "$dir/perf.txt")
		spread=$(awk '/seconds time elapsed/ { print $3 }' "$dir/perf.txt")
		cpu=$(awk '/task-clock/ { print $1 }' "$dir/perf.txt")
		printf '  %-30s %8.1f ms +- %5.1f  task-clock %7.1f ms  peak RSS %7s KiB\n' \
			"$name" "$(echo "$best_s * 1000" | bc)" "$(echo "${spread:-0} * 1000" | bc)" \
			"$cpu" "$best_kb"
		return
	fi
	best_s=$s
	i=1
	while [ "$i" -lt "$runs" ]; do
		[ -z "$fresh" ] || rm -f "$fresh"
		/usr/bin/time -f "%e %M" -o "$dir/time.res" "$@" >/dev/null 2>"$dir/err.txt" || true
		read -r s kb <"$dir/time.res" || { cat "$dir/err.txt" >&2; exit 1; }
		if [ "$(echo "$s < $best_s" | bc)" = 1 ]; then
			best_s=$s
		fi
		i=$((i + 1))
	done
	printf '  %-30s %8s s   peak RSS %7s KiB\n' "$name" "$best_s" "$best_kb"
}

# damaged: the memory part's rows for damaged feeds, whose analysis reads
# the tree and signatures by node (the salvage's computed trees in
# temporary files), never whole. The project is test project A, so that a
# file whose userdata the damage lost is rebuilt with its configuration.
damaged() {
	if [ -x "$mkdamage" ]; then
		cfg=$top/tests/data/config-A.mapeosettings
		for n in 100000 1000000; do
			f=$dir/projA$n.mapeodata
			[ -f "$f" ] || GEN_PROJECT_KEY=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e \
				"$gen" "$f" 3 $n 600 36000 >/dev/null
			d=$dir/dbmerge$n.mapeodata
			[ -f "$d" ] || { cp "$f" "$d.tmp" && "$mkdamage" dbmerge "$d.tmp" && mv "$d.tmp" "$d"; }
			best "$n observations, two databases, rebuild" "$sd" \
				--journal="$dir/journal.sqlite" rebuild --config "$cfg" --force "$d" \
				-o "$dir/out.mapeodata"
			d=$dir/block$n.mapeodata
			[ -f "$d" ] || { cp "$f" "$d.tmp" && "$mkdamage" data "$d.tmp" 0 5000 &&
				mv "$d.tmp" "$d"; }
			# refused (exit 2: only --salvage gives Mapeo a feed it
			# accepts), after the whole plan
			best "$n observations, one damaged block, rebuild" "$sd" \
				--journal="$dir/journal.sqlite" rebuild --force "$d" -o "$dir/out.mapeodata"
			best "$n observations, one damaged block, --salvage" "$sd" \
				--journal="$dir/journal.sqlite" rebuild --salvage --force "$d" \
				-o "$dir/out.mapeodata"
			rm -f "$dir/out.mapeodata"
		done
	else
		echo "  (no $mkdamage: 'make check' builds it; the damaged cases are left out)"
	fi
}

ratio() { echo "scale=2; $1 / $2" | bc; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

for part in $parts; do
	case $part in
	speed)
		f=$(file real5k 3 5000 600)
		echo "speed: $f ($(stat -c %s "$f") bytes), load $(load), $runs runs"
		cat "$f" >/dev/null
		j=$dir/journal.sqlite
		rm -f "$j"
		best "cat > /dev/null" cat "$f"
		best "b2sum" b2sum "$f"
		tb=$best_s
		# the fingerprint's single BLAKE2b stream in libsodium, the file
		# already in memory: no check with the journal on ends sooner
		floor=""
		if [ -x "$(dirname "$gen")/hash-floor" ]; then
			"$(dirname "$gen")/hash-floor" "$f" 10 >"$dir/floor.txt"
			read -r floor digest <"$dir/floor.txt"
			printf '  %-30s %8.1f ms (fastest of 10; the floor of check with the journal)\n' \
				"libsodium BLAKE2b, in memory" "$floor"
			# the fingerprint is what b2sum -l 256 prints: say so if not
			[ "$digest" = "$(b2sum -l 256 "$f" | cut -d' ' -f1)" ] ||
				echo "  WARNING: libsodium's BLAKE2b-256 differs from b2sum -l 256's" >&2
		fi
		best "check (journal on)" "$sd" --journal="$j" check --no-config --no-environment \
			--format json "$f"
		tc=$best_s
		# the same with the fingerprint hashed in line (one core)
		best "check (journal on, one core)" env SYNCDOCTOR_HASH_THREAD=0 "$sd" \
			--journal="$j" check --no-config --no-environment --format json "$f"
		best "check --no-journal" "$sd" --no-journal check --no-config --no-environment \
			--format json "$f"
		best "check --quick (journal on)" "$sd" --journal="$j" check --no-config \
			--no-environment --quick "$f"
		tq=$best_s
		# cp over the copy of the run before (O_TRUNC frees it first), and
		# cp to a new file: on a file system that discards freed blocks at
		# once (ext4 mounted with -o discard) the first waits for the
		# disk, and the two differ by more than the copy costs
		best "cp (over the last copy)" cp "$f" "$dir/copy.mapeodata"
		tcp=$best_s
		fresh=$dir/copy.mapeodata
		best "cp (a new file)" cp "$f" "$dir/copy.mapeodata"
		tcpn=$best_s
		fresh=""
		# what a safe write of the same bytes costs: rebuild flushes its
		# output before it gets the name (cp does not)
		best "cp, then fsync the copy" sh -c "cp '$f' '$dir/copy.mapeodata' &&
			exec sync -d '$dir/copy.mapeodata'"
		tcs=$best_s
		# --force: the output of the run before is replaced (no shell in
		# the timing)
		best "rebuild (over the last output)" "$sd" --journal="$j" rebuild --force "$f" \
			-o "$dir/out.mapeodata"
		tr=$best_s
		fresh=$dir/out.mapeodata
		best "rebuild (a new file)" "$sd" --journal="$j" rebuild "$f" -o "$dir/out.mapeodata"
		trn=$best_s
		best "rebuild --no-journal (new)" "$sd" --no-journal rebuild "$f" \
			-o "$dir/out.mapeodata"
		fresh=""
		rm -f "$dir/copy.mapeodata" "$dir/out.mapeodata"
		if [ -n "$floor" ]; then
			echo "  floor/b2sum $(ratio "$(echo "$floor / 1000" | bc -l)" "$tb")x:" \
				"libsodium's hash alone, before the check, start-up and the journal"
		fi
		echo "  check/b2sum $(ratio "$tc" "$tb")x (target <= 1.5)," \
			"quick/b2sum $(ratio "$tq" "$tb")x (target < 0.4)," \
			"rebuild/cp $(ratio "$tr" "$tcp")x over the last copy," \
			"$(ratio "$trn" "$tcpn")x to a new file (target <= 3)," \
			"rebuild/(cp + fsync) $(ratio "$tr" "$tcs")x; load now $(load)"
		;;
	memory)
		runs=${BENCH_RUNS_LARGE:-3} # seconds to minutes a run
		echo "memory: peak RSS of check (journal on) by observation count and report format, load $(load)"
		for n in 1000 100000 1000000; do
			f=$(file obs$n 3 $n 600)
			for fmt in json yaml; do
				best "$n observations ($(($(stat -Lc %s "$f") >> 20)) MiB), $fmt" "$sd" \
					--journal="$dir/journal.sqlite" check --no-config --no-environment \
					--format $fmt "$f"
			done
		done
		# 180,000 photo members (60,000 photos in three sizes, 2.95 GB:
		# minutes and 3 GB of disk to write, once): BENCH_MANY names one
		# already written by 'gen-syncfile FILE 3 5000 60000'.
		many=${BENCH_MANY:-}
		[ -n "$many" ] || many=$(file many 3 5000 60000)
		best "180,000 members, --quick" "$sd" --journal="$dir/journal.sqlite" check --quick \
			--no-config --no-environment --format json "$many"
		best "180,000 members" "$sd" --journal="$dir/journal.sqlite" check --no-config \
			--no-environment --format json "$many"
		# a rebuild keeps one bit a member of its plan's photos, not their
		# names (150 bytes a photo before: 24 MiB at 57,600)
		best "180,000 members, rebuild" "$sd" --journal="$dir/journal.sqlite" rebuild \
			--force "$many" -o "$dir/out.mapeodata"
		# two sources (as 'rebuild A B' joins two copies): every photo
		# named twice, one budget of names for both
		best "180,000 members twice, rebuild" "$sd" --journal="$dir/journal.sqlite" \
			rebuild --force "$many" "$many" -o "$dir/out.mapeodata"
		rm -f "$dir/out.mapeodata"
		# rebuild holds neither a feed's tree nor its signatures (144 bytes
		# a block): streamed from the source
		for n in 100000 1000000; do
			f=$(file obs$n 3 $n 600)
			best "$n observations, rebuild" "$sd" --journal="$dir/journal.sqlite" rebuild \
				--force "$f" -o "$dir/out.mapeodata"
			rm -f "$dir/out.mapeodata"
		done
		damaged
		echo "  target: at most 16384 KiB at every count"
		;;
	memory-damaged) # the damaged rows of the memory part alone
		runs=${BENCH_RUNS_LARGE:-3}
		echo "memory (damaged feeds): peak RSS of rebuild, load $(load)"
		damaged
		echo "  target: at most 16384 KiB at every count"
		;;
	linear)
		runs=${BENCH_RUNS_LARGE:-3}
		echo "linear: check (journal on) time by size (the real shape scaled), load $(load)"
		for k in 1 8 32 124; do
			f=$(file scale$k 3 $((5000 * k)) $((600 * k)))
			size=$(stat -c %s "$f")
			best "x$k ($((size >> 20)) MiB)" "$sd" --journal="$dir/journal.sqlite" check \
				--no-config --no-environment --format json "$f"
			echo "    $(echo "scale=1; $size / 1048576 / $best_s" | bc) MiB/s"
		done
		;;
	esac
done
