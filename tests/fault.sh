#!/bin/sh
# Fault injection: 'syncdoctor rebuild' killed with SIGKILL at many points,
# write failures (ENOSPC, EIO) at many points, and an input that shrinks or
# grows while it is being read.
#
# After a kill the input must be byte-identical and nothing may exist under
# the output's name. A kill cannot clean up, so the temporary file may stay
# behind: it is always named .OUT.sdtmp-XXXXXX (io.h), beside OUT, and the
# next rebuild to OUT is not disturbed by it. A write failure must give a
# clear message, exit 4, and leave no temporary file at all.
#
# Hooks (src/core/io.c): SYNCDOCTOR_FAULT_KILL=N (SIGKILL once N output
# bytes are written), SYNCDOCTOR_FAULT_WRITE=ENOSPC:N / EIO:N, and
# SYNCDOCTOR_FAULT_PAUSE_READ=N (SIGSTOP once N input bytes are read).
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir:-.}/tests/unit/mkdamage
CFG=$D/config-A.v3-tar.mapeosettings

cp "$D/good-project-A.mapeodata" "$TMP/a.mapeodata"
cp "$D/good-project-A.mapeodata" "$TMP/orig.mapeodata"
chmod u+w "$TMP/a.mapeodata"
"$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/full.mapeodata" >/dev/null 2>&1
size=$(wc -c <"$TMP/full.mapeodata" | tr -d ' ')
check "a plain rebuild writes $size bytes" test "$size" -gt 100000
rm -f "$TMP/full.mapeodata"

# A damaged input rebuilt with --salvage (the writer's other path): one
# flipped byte in a feed's data, made by the test code.
salv=""
if [ -x "$MK" ]; then
	cp "$D/good-project-A.mapeodata" "$TMP/s.mapeodata"
	if "$MK" data "$TMP/s.mapeodata" 0 10 >/dev/null 2>&1; then
		cp "$TMP/s.mapeodata" "$TMP/s-orig.mapeodata"
		"$SYNCDOCTOR" rebuild --salvage --config "$CFG" "$TMP/s.mapeodata" -o "$TMP/sfull.mapeodata" \
			>/dev/null 2>&1 && salv=$(wc -c <"$TMP/sfull.mapeodata" | tr -d ' ')
		rm -f "$TMP/sfull.mapeodata"
	fi
fi

# only_temps DIR: every file left in DIR/out (the output folder) is a
# clearly named temporary of out.mapeodata.
only_temps() {
	for f in "$1"/.* "$1"/*; do
		case ${f##*/} in
		. | .. | '*' | '.*') ;;
		.out.mapeodata.sdtmp-??????) ;;
		*) echo "unexpected file: $f"; return 1 ;;
		esac
	done
	return 0
}

# killed_at NAME INPUT ORIG N [ARGS]: rebuild INPUT, SIGKILL after N bytes.
killed_at() {
	name=$1 in=$2 orig=$3 at=$4
	shift 4
	out=$TMP/kill
	rm -rf "$out"
	mkdir "$out"
	env SYNCDOCTOR_FAULT_KILL="$at" "$SYNCDOCTOR" rebuild "$@" "$in" -o "$out/out.mapeodata" \
		>"$TMP/out" 2>"$TMP/err"
	st=$?
	bad=""
	[ "$st" -eq 137 ] || bad="exit $st, not 137 (SIGKILL)"
	cmp -s "$in" "$orig" || bad="$bad; the input changed"
	[ ! -e "$out/out.mapeodata" ] || bad="$bad; a file exists under the output name"
	only_temps "$out" >"$TMP/temps" || bad="$bad; $(cat "$TMP/temps")"
	if [ -z "$bad" ]; then
		ok "$name: killed after $at bytes: input intact, nothing under the output name"
	else
		fail "$name: killed after $at bytes"
		diag "$bad"
	fi
}

points="0 1 511 512 513 1024 4096 65536"
i=1
while [ $i -lt 16 ]; do
	points="$points $((size * i / 16))"
	i=$((i + 1))
done
points="$points $((size - 1024)) $((size - 1))"
for at in $points; do
	killed_at "repair" "$TMP/a.mapeodata" "$TMP/orig.mapeodata" "$at"
done
if [ -n "$salv" ]; then
	for at in 0 4096 $((salv / 3)) $((salv / 2)) $((salv - 4096)) $((salv - 1)); do
		killed_at "salvage" "$TMP/s.mapeodata" "$TMP/s-orig.mapeodata" "$at" --salvage --config "$CFG"
	done
else
	skip "salvage: killed at several points (mkdamage not built, or no salvage)"
fi

# The temporary a kill left does not stop the next rebuild, which cleans
# up only after itself (it never removes what it did not create).
killed_at "before a retry" "$TMP/a.mapeodata" "$TMP/orig.mapeodata" $((size / 2))
status "a rebuild after a kill" 0 "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/kill/out.mapeodata"
is "after a kill: the retried output is complete" \
	"$("$SYNCDOCTOR" check --no-config --format json "$TMP/kill/out.mapeodata" | jq -r .verdict)" ok

# SIGKILL from outside after random short delays: anywhere in reading,
# planning, writing, verifying or renaming. Either the kill came too late
# (a complete, verified output) or there is nothing under the name.
for delay in 0 0.002 0.004 0.006 0.008 0.01 0.012 0.014 0.016 0.018 0.02 0.025 0.03 0.05 0.1; do
	out=$TMP/rand
	rm -rf "$out"
	mkdir "$out"
	"$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$out/out.mapeodata" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	st=$?
	bad=""
	cmp -s "$TMP/a.mapeodata" "$TMP/orig.mapeodata" || bad="the input changed"
	if [ -e "$out/out.mapeodata" ]; then
		v=$("$SYNCDOCTOR" check --no-config --format json "$out/out.mapeodata" | jq -r .verdict)
		# killed after the rename (exit 137) or not at all: complete either way
		[ "$v" = ok ] || bad="$bad; exit $st and an output whose verdict is $v"
		what="renamed before the kill, exit $st"
	else
		what="killed"
		only_temps "$out" >"$TMP/temps" || bad="$bad; $(cat "$TMP/temps")"
	fi
	if [ -z "$bad" ]; then
		ok "kill -9 after ${delay}s ($what): input intact, output complete or absent"
	else
		fail "kill -9 after ${delay}s"
		diag "$bad"
	fi
done

# Write failures at many points: a clear message, exit 4, nothing left.
for fault in ENOSPC EIO; do
	case $fault in
	ENOSPC) msg="No space left" ;;
	EIO) msg="Input/output error" ;;
	esac
	for at in 0 1 512 $((size / 4)) $((size / 2)) $((size - 1)); do
		out=$TMP/wf
		rm -rf "$out"
		mkdir "$out"
		env SYNCDOCTOR_FAULT_WRITE="$fault:$at" LC_ALL=C "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" \
			-o "$out/out.mapeodata" >"$TMP/out" 2>"$TMP/err"
		st=$?
		bad=""
		[ "$st" -eq 4 ] || bad="exit $st, not 4"
		grep -q "$msg" "$TMP/err" || bad="$bad; no '$msg' in: $(head -c 300 "$TMP/err")"
		[ -z "$(ls -A "$out")" ] || bad="$bad; left: $(ls -A "$out")"
		cmp -s "$TMP/a.mapeodata" "$TMP/orig.mapeodata" || bad="$bad; the input changed"
		if [ -z "$bad" ]; then
			ok "$fault after $at bytes: exit 4, '$msg', nothing left"
		else
			fail "$fault after $at bytes"
			diag "$bad"
		fi
	done
done
if [ -n "$salv" ]; then
	out=$TMP/wf
	rm -rf "$out"
	mkdir "$out"
	status "salvage: ENOSPC half way" 4 env SYNCDOCTOR_FAULT_WRITE=ENOSPC:$((salv / 2)) \
		"$SYNCDOCTOR" rebuild --salvage --config "$CFG" "$TMP/s.mapeodata" -o "$out/out.mapeodata"
	is "salvage: ENOSPC: nothing left" "$(ls -A "$out")" ""
fi

# An input that changes while it is read: the process stops itself after
# N bytes (SIGSTOP), the test cuts or extends the file, and continues it.
# wait_stopped PID: until the process is stopped (state T) or gone. The
# limit (300 s) only catches a hook that never fires: under sanitizers or
# qemu on a loaded machine, reading up to the hook can take long.
wait_stopped() {
	end=$(($(date +%s) + 300))
	while [ "$(date +%s)" -le "$end" ]; do
		s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
		[ "$s" = T ] && return 0
		[ -e "/proc/$1" ] || return 1
		[ "$s" = Z ] && return 1
		sleep 0.05
	done
	return 1
}
# changed NAME HOW AT: HOW is a shell command run on $f while stopped.
changed() {
	name=$1 how=$2 at=$3
	f=$TMP/changing.mapeodata
	cp "$D/good-project-A.mapeodata" "$f"
	chmod u+w "$f"
	env SYNCDOCTOR_FAULT_PAUSE_READ="$at" "$SYNCDOCTOR" check --no-config --format json "$f" \
		>"$TMP/chg.json" 2>"$TMP/chg.err" &
	pid=$!
	if ! wait_stopped "$pid"; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid"
		fail "$name: the check did not stop after $at bytes (hook)"
		return
	fi
	sh -c "$how" f="$f"
	kill -CONT "$pid"
	wait "$pid"
	st=$?
	codes=$(jq -r '[.findings[].code] | join(" ")' "$TMP/chg.json" 2>/dev/null)
	case " $codes " in
	*" input-changed "*)
		if [ "$st" -eq 2 ]; then
			ok "$name after $at bytes: reported as input-changed (exit 2)"
		else
			fail "$name after $at bytes: exit $st"
		fi
		;;
	*)
		fail "$name after $at bytes: no input-changed finding (exit $st)"
		diag "$codes" "$(head -c 300 "$TMP/chg.err")"
		;;
	esac
}
if [ ! -r /proc/self/stat ]; then
	skip "an input that changes while read (needs /proc to see a stopped process)"
	done_testing
	exit $?
fi
for at in 1 4096 $((size / 3)) $((size * 2 / 3)); do
	changed "shrinks" "truncate -s $((size / 4)) \"$TMP/changing.mapeodata\"" "$at"
	changed "grows" "head -c 100000 /dev/zero >>\"$TMP/changing.mapeodata\"" "$at"
	changed "cut to nothing" ": >\"$TMP/changing.mapeodata\"" "$at"
done

# The same for rebuild: it must refuse (never write a file from an input
# that changed under it), and exit without a crash.
f=$TMP/changing.mapeodata
cp "$D/good-project-A.mapeodata" "$f"
chmod u+w "$f"
rm -rf "$TMP/rc"
mkdir "$TMP/rc"
env SYNCDOCTOR_FAULT_PAUSE_READ=$((size / 2)) "$SYNCDOCTOR" rebuild "$f" -o "$TMP/rc/out.mapeodata" \
	>"$TMP/out" 2>"$TMP/err" &
pid=$!
if wait_stopped "$pid"; then
	truncate -s $((size / 4)) "$f"
	kill -CONT "$pid"
	wait "$pid"
	st=$?
	if [ "$st" -ne 0 ] && [ "$st" -lt 128 ] && [ -z "$(ls -A "$TMP/rc")" ]; then
		ok "rebuild of a file cut while read: refused (exit $st), nothing written"
	else
		fail "rebuild of a file cut while read: exit $st, left: $(ls -A "$TMP/rc")"
		diag "$(head -c 400 "$TMP/err")"
	fi
	grep -q "changed while it was being read" "$TMP/err" &&
		ok "rebuild of a file cut while read: says the file changed" ||
		{ fail "rebuild of a file cut while read: says the file changed"; diag "$(head -c 400 "$TMP/err")"; }
else
	kill -9 "$pid" 2>/dev/null
	fail "rebuild did not stop at the hook"
fi

# A database folder (check DIR) whose files change while they are read: a
# feed's data file grows or shrinks, a file or a folder of photos
# disappears, a tree is cut. Built from the fixture by tests/unit/mkdb.
MKDB=${top_builddir:-.}/tests/unit/mkdb
if [ ! -x "$MKDB" ]; then
	skip "a database folder that changes while read (mkdb not built: no Check)"
	done_testing
	exit $?
fi
"$MKDB" --own "$D/good-project-A.mapeodata" "$TMP/db-orig" >/dev/null
status "the database built for it is healthy" 0 "$SYNCDOCTOR" check --no-config --no-environment "$TMP/db-orig"
dbsize=$(find "$TMP/db-orig/kappa.db" -type f -exec cat {} + | wc -c | tr -d ' ')
# db_changed NAME HOW AT: HOW is run with $K set to the stopped check's kappa.db.
db_changed() {
	name=$1 how=$2 at=$3
	rm -rf "$TMP/db"
	cp -r "$TMP/db-orig" "$TMP/db"
	env SYNCDOCTOR_FAULT_PAUSE_READ="$at" "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/db" \
		>"$TMP/dbchg.json" 2>"$TMP/dbchg.err" &
	pid=$!
	if ! wait_stopped "$pid"; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid"
		fail "database, $name: the check did not stop after $at bytes (hook)"
		return
	fi
	K="$TMP/db/kappa.db" sh -c "$how"
	kill -CONT "$pid"
	wait "$pid"
	st=$?
	codes=$(jq -r '[.findings[].code] | join(" ")' "$TMP/dbchg.json" 2>/dev/null)
	case " $codes " in
	*" input-changed "*)
		if [ "$st" -eq 2 ]; then
			ok "database, $name after $at bytes: reported as input-changed (exit 2)"
		else
			fail "database, $name after $at bytes: exit $st"
		fi
		;;
	*)
		fail "database, $name after $at bytes: no input-changed finding (exit $st)"
		diag "$codes" "$(head -c 300 "$TMP/dbchg.err")"
		;;
	esac
}
for at in 1 2000 $((dbsize / 3)) $((dbsize * 2 / 3)); do
	db_changed "a feed's data grows" 'head -c 5000 /dev/zero >>"$K/0/data"' "$at"
	db_changed "a feed's data shrinks" 'truncate -s 100 "$K/0/data"' "$at"
	db_changed "a feed's data disappears" 'rm "$K/1/data"' "$at"
	db_changed "a tree is cut" 'truncate -s 10 "$K/1/tree"' "$at"
	db_changed "the original photos disappear" 'rm -r "$K/media/original"' "$at"
done
# rebuild --database from a database that changes: refused, nothing written.
rm -rf "$TMP/db" "$TMP/rc"
cp -r "$TMP/db-orig" "$TMP/db"
mkdir "$TMP/rc"
env SYNCDOCTOR_FAULT_PAUSE_READ=$((dbsize / 3)) "$SYNCDOCTOR" rebuild --database "$TMP/db" --config "$CFG" \
	-o "$TMP/rc/out.mapeodata" >"$TMP/out" 2>"$TMP/err" &
pid=$!
if wait_stopped "$pid"; then
	truncate -s 100 "$TMP/db/kappa.db/0/data"
	kill -CONT "$pid"
	wait "$pid"
	st=$?
	if [ "$st" -ne 0 ] && [ "$st" -lt 128 ] && [ -z "$(ls -A "$TMP/rc")" ] &&
		grep -q "changed while it was being read" "$TMP/err"; then
		ok "rebuild --database of a database cut while read: refused (exit $st), nothing written"
	else
		fail "rebuild --database of a database cut while read: exit $st, left: $(ls -A "$TMP/rc")"
		diag "$(head -c 400 "$TMP/err")"
	fi
else
	kill -9 "$pid" 2>/dev/null
	fail "rebuild --database did not stop at the hook"
fi
done_testing
