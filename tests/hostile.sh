#!/bin/sh
# Hostile input: no crash, no hang, no injected escape, no leaked key, no
# clobbered device, and the exit codes the help documents.
#
# tests/hostile/mkhostile makes hostile tar, ZIP, JSON, YAML, hypercore feed
# and config.yaml inputs from the real files in tests/data; every run it
# lists is made under a time bound (a hang is a failure, not a slow test: the
# bound is minutes where a run takes well under a second) and a memory bound,
# and its standard output and error, the journal and the session log are
# scanned for control sequences and the full project key. The figures go to
# BUILD/tests/hostile-figures.md.new; `make hostile-figures` (or
# SD_HOSTILE_UPDATE_FIGURES=1) copies them over tests/hostile-figures.md, so
# a plain make check never changes a tracked file. Then one regression test per fault of issue 22.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir:-.}/tests/hostile/mkhostile
KEY=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
G=$TMP/gen
BOUND=${SD_HOSTILE_SECONDS:-300}
# 1 GiB of address space, except under ASan (it reserves terabytes).
MEM=1048576
case $(ldd "$SYNCDOCTOR" 2>/dev/null) in *asan*) MEM=unlimited ;; esac
# Under qemu-user the program is a script running the emulator, which
# reserves 4 GiB of address space for its guest: no bound there.
[ "$(od -An -c -N4 "$SYNCDOCTOR" | tr -d ' ')" = '177ELF' ] || MEM=unlimited
export XDG_STATE_HOME=$TMP/state
mkdir -p "$XDG_STATE_HOME"

if ! "$MK" gen "$D" "$G" >"$TMP/gen.err" 2>&1; then
	fail "the generator ran"
	diag "$(cat "$TMP/gen.err")"
	done_testing
	exit 1
fi
ok "the generator made $(wc -l <"$G/cases" | tr -d ' ') runs"

# What must not change: every input (the sparse ones by size and time, not
# read through their terabyte of holes).
fingerprint() {
	(cd "$G" && find . -type f ! -name 'out-*' ! -name '.*sdtmp*' ! -name cases | sort |
		while read -r f; do
			if [ "$(stat -c %s "$f")" -lt 67108864 ]; then cksum "$f"; else stat -c '%n %s %Y' "$f"; fi
		done)
	cksum "$D/good-project-A.mapeodata" "$D/config-A.mapeosettings"
}
fingerprint >"$TMP/before"

HAVE_TIME=false
[ -x /usr/bin/time ] && HAVE_TIME=true
# run_one CLASS EXITS ARGS: one bounded run; appends to $TMP/figures.
run_one() {
	class=$1 exits=$2 args=$3 conf=
	case $args in CONF=*)
		conf=$G/${args%% *}
		conf=$G/${conf#"$G"/CONF=}
		args=${args#* }
		;;
	esac
	args=$(printf '%s' "$args" | sed "s|@|$G|g")
	rm -f "$TMP/mem"
	# shellcheck disable=SC2086 # ARGS are words by design
	(
		ulimit -v "$MEM" 2>/dev/null
		if $HAVE_TIME; then
			exec env ${conf:+SYNCDOCTOR_CONFIG=$conf} timeout -k 10 "$BOUND" \
				/usr/bin/time -f %M -o "$TMP/mem" "$SYNCDOCTOR" $args
		else
			exec env ${conf:+SYNCDOCTOR_CONFIG=$conf} timeout -k 10 "$BOUND" "$SYNCDOCTOR" $args
		fi
	) >"$TMP/o" 2>"$TMP/e"
	rc=$?
	crash=0 hang=0 badexit=0 mem=0
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		hang=1
	elif [ "$rc" -gt 128 ] && [ "$rc" -ne 130 ] || grep -q 'terminated by signal' "$TMP/mem" 2>/dev/null; then
		crash=1
	fi
	case ",$exits," in *",$rc,"*) ;; *) badexit=1 ;; esac
	[ -s "$TMP/mem" ] && mem=$(tail -n 1 "$TMP/mem" | tr -cd 0-9)
	found=$("$MK" scan "$KEY" "$TMP/o" "$TMP/e")
	esc=$(echo "$found" | cut -d' ' -f2) keys=$(echo "$found" | cut -d' ' -f4)
	echo "$class $crash $hang $badexit ${mem:-0} $esc $keys" >>"$TMP/figures"
	if [ "$crash$hang$badexit$esc$keys" = 00000 ]; then
		ok "$class: $args (exit $rc)"
	else
		fail "$class: $args: exit $rc (allowed $exits), crash $crash, hang $hang, escapes $esc, keys $keys"
		diag "$(head -c 600 "$TMP/e")"
	fi
}

: >"$TMP/figures"
while IFS='|' read -r class exits args; do
	run_one "$class" "$exits" "$args"
done <"$G/cases"

# The wizard's session log and the journal carry the same strings.
for f in "$G/tar-escape.mapeodata" "$G/feed-0-data.mapeodata"; do
	run_one wizard 0,2,130 "--no-journal $f" # end of input is a quit (130)
done
logs=$(find "$XDG_STATE_HOME" -name 'session-*.log' | head -n 5 | tr '\n' ' ')
if [ -n "$logs" ]; then
	# shellcheck disable=SC2086
	check "session logs: no escape, no key" sh -c "'$MK' scan '$KEY' $logs >/dev/null"
else
	fail "the wizard wrote a session log"
fi
"$SYNCDOCTOR" history >"$TMP/hist" 2>&1
check "history: no escape, no key" sh -c "'$MK' scan '$KEY' '$TMP/hist' >/dev/null"
"$SYNCDOCTOR" history --format json >"$TMP/hist.json" 2>&1
check "history json: no escape, no key" sh -c "'$MK' scan '$KEY' '$TMP/hist.json' >/dev/null"

fingerprint >"$TMP/after"
if cmp -s "$TMP/before" "$TMP/after"; then
	changed=0
	ok "no input was changed"
else
	changed=1
	fail "an input was changed"
	diag "$(diff "$TMP/before" "$TMP/after" | head -n 5)"
fi

# The table of figures.
fig=${top_builddir:-.}/tests/hostile-figures.md.new
{
	echo "# Hostile input: figures"
	echo
	echo "Written by tests/hostile.sh (make check TESTS=tests/hostile.sh) from"
	echo "tests/hostile/mkhostile's inputs; every run bounded by ${BOUND}s and"
	echo "$MEM KiB of address space. Peak memory is the largest resident set"
	echo "of one run (GNU time)."
	echo
	echo "| class | runs | crashes | hangs | wrong exit | peak memory (KiB) | escapes printed | keys printed |"
	echo "|---|---|---|---|---|---|---|---|"
	awk '{ n[$1]++; c[$1]+=$2; h[$1]+=$3; x[$1]+=$4; if ($5>m[$1]) m[$1]=$5; e[$1]+=$6; k[$1]+=$7 }
	     END { for (i in n) printf "| %s | %d | %d | %d | %d | %d | %d | %d |\n", i, n[i], c[i], h[i], x[i], m[i], e[i], k[i] }' \
		"$TMP/figures" | sort
	awk '{ n++; c+=$2; h+=$3; x+=$4; if ($5>m) m=$5; e+=$6; k+=$7 }
	     END { printf "| all | %d | %d | %d | %d | %d | %d | %d |\n", n, c, h, x, m, e, k }' "$TMP/figures"
	echo
	echo "Inputs changed: $changed."
} >"$fig"
if [ -n "${SD_HOSTILE_UPDATE_FIGURES:-}" ]; then
	cp "$fig" "${top_srcdir:-.}/tests/hostile-figures.md"
fi
diag "$(tail -n 3 "$fig")"

# ---- regression tests, one per fault ----

# says FILE TEXT: TEXT appears in FILE once lines are joined (text output
# is wrapped to the terminal's width).
says() { tr '\n' ' ' <"$1" | tr -s ' ' | grep -qF -- "$2"; }

# 1. a megabyte language value: warned about with file and line, no crash
status "1: a 2 MB language in config.yaml" 0 env SYNCDOCTOR_CONFIG="$G/conf-language.yaml" "$SYNCDOCTOR" --version
check "1: too large a file is named" grep -q "conf-language.yaml: the file is larger than" "$TMP/err"
printf 'language: es%s\n' "$(head -c 5000 /dev/zero | tr '\0' x)" >"$TMP/long.yaml"
status "1: a 5000-byte language" 0 env SYNCDOCTOR_CONFIG="$TMP/long.yaml" "$SYNCDOCTOR" --version
check "1: warned with file and line" grep -q "long.yaml:1: 'language' is 5002 bytes long" "$TMP/err"
printf 'language: "es; rm"\n' >"$TMP/form.yaml"
status "1: a language not of its form" 0 env SYNCDOCTOR_CONFIG="$TMP/form.yaml" "$SYNCDOCTOR" --version
check "1: warned" grep -q "form.yaml:1: 'language' must be a language code" "$TMP/err"
status "1: LANGUAGE of 100 KB in the environment" 0 env LANGUAGE="$(head -c 100000 /dev/zero | tr '\0' e)" "$SYNCDOCTOR" --version
check "1: the variable is named" grep -q "environment variable LANGUAGE" "$TMP/err"

# 2. interrupts, delivered at a known point by the test hook
status "2: diff interrupted" 130 env SYNCDOCTOR_TEST_INTERRUPT=diff "$SYNCDOCTOR" diff "$D/config-A.mapeosettings" "$D/config-B.mapeosettings"
is "2: diff prints nothing once interrupted" "$(wc -c <"$TMP/out" | tr -d ' ')" 0
mkdir -p "$TMP/rb"
status "2: rebuild interrupted just after its plan" 130 env SYNCDOCTOR_TEST_INTERRUPT=rebuild-planned "$SYNCDOCTOR" --no-journal rebuild "$D/good-project-A.mapeodata" -o "$TMP/rb/out.mapeodata"
is "2: and writes nothing" "$(ls -A "$TMP/rb")" ""
# the written file is checked again before it gets its name: Ctrl-C there
# stops that read too, and the temporary file goes
status "2: rebuild interrupted while its output is checked" 130 env SYNCDOCTOR_TEST_INTERRUPT=verify "$SYNCDOCTOR" --no-journal rebuild "$D/good-project-A.mapeodata" -o "$TMP/rb/out.mapeodata"
is "2: and leaves nothing, not even its temporary file" "$(ls -A "$TMP/rb")" ""
check "2: it says the output was not kept" grep -q "it was not kept" "$TMP/err"
# a zero run of written zeros: SIGINT while it is read (the read hook stops
# the process inside the run) ends the check with 130
cp "$D/good-project-A.mapeodata" "$TMP/zeros.mapeodata"
size=$(wc -c <"$TMP/zeros.mapeodata" | tr -d ' ')
head -c 67108864 /dev/zero >>"$TMP/zeros.mapeodata"
env SYNCDOCTOR_FAULT_PAUSE_READ=$((size + 4194304)) "$SYNCDOCTOR" --no-journal check --no-config "$TMP/zeros.mapeodata" >/dev/null 2>&1 &
pid=$!
if wait_stopped "$pid"; then
	kill -INT "$pid"
	kill -CONT "$pid"
	wait "$pid"
	is "2: Ctrl-C inside a zero run (exit 130)" "$?" 130
else
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	skip "2: Ctrl-C inside a zero run (the read hook did not stop it)"
fi

# 3 and 4 are the scans above; the exact strings too
"$SYNCDOCTOR" --no-journal match "$D/good-project-A.mapeodata" "$G/cfg-keyname" >"$TMP/m" 2>&1
check "4: a key copied into the name is masked" grep -q "Proyecto ae0a6\*\*\*\*\*\*\*\*\*\*" "$TMP/m"
"$SYNCDOCTOR" --no-journal diff --format json "$G/cfg-escape" "$D/config-A.mapeosettings" >"$TMP/j" 2>&1
check "3: JSON \\u-escapes C1 and bidi controls" grep -q 'u009b31m\\u0085\\u202e' "$TMP/j"
check "3: and stays valid JSON" sh -c "jq -e . '$TMP/j' >/dev/null"
"$SYNCDOCTOR" --no-journal diff --format yaml "$G/cfg-escape" "$D/config-A.mapeosettings" >"$TMP/y" 2>&1
check "3: YAML too" grep -q 'u202e' "$TMP/y"
"$SYNCDOCTOR" --no-journal diff "$G/cfg-escape" "$D/config-A.mapeosettings" >"$TMP/t" 2>&1
check "3: text shows \\x1b" grep -qF 'Proyecto \x1b]0;owned\x07' "$TMP/t"

for cmd in "match $D/good-project-A.mapeodata $G/cfg-newline" "diff $G/cfg-newline $D/config-A.mapeosettings" \
	"diff --width 132 $G/cfg-newline $D/config-A.mapeosettings"; do
	# shellcheck disable=SC2086 # words by design
	"$SYNCDOCTOR" --no-journal $cmd >"$TMP/t" 2>&1
	check "3: a newline in a name is escaped, no forged line: ${cmd%% *}" sh -c "grep -qF 'Proyecto\x0aFORGED LINE' '$TMP/t' && ! grep -q '^FORGED' '$TMP/t'"
done

# a photo whose header was renamed to escapes (the index still names it):
# the plan says it is not copied, never "Nothing is left out"
"$SYNCDOCTOR" --no-journal rebuild --dry-run "$G/tar-escape.mapeodata" >"$TMP/t" 2>&1
check "3: the plan names the member it leaves out" sh -c "grep -q 'its name is not safe as a file name, so it is not copied' '$TMP/t' && ! grep -q 'Nothing is left out' '$TMP/t'"

# 5. outputs that are not regular files, even with --force
mkfifo "$TMP/fifo"
status "5: rebuild --force over a FIFO" 4 "$SYNCDOCTOR" --no-journal rebuild --force "$D/good-project-A.mapeodata" -o "$TMP/fifo"
check "5: the FIFO is still one" test -p "$TMP/fifo"
check "5: and it says why" grep -q "is a pipe (FIFO): syncdoctor only ever replaces a regular file" "$TMP/err"
status "5: report --force over a FIFO" 4 "$SYNCDOCTOR" --no-journal report --force "$D/good-project-A.mapeodata" -o "$TMP/fifo"
check "5: the FIFO is still one" test -p "$TMP/fifo"
mkdir "$TMP/adir"
status "5: rebuild --force over a folder" 4 "$SYNCDOCTOR" --no-journal rebuild --force "$D/good-project-A.mapeodata" -o "$TMP/adir"
ln -s "$TMP/nowhere" "$TMP/link"
status "5: report --force over a symbolic link" 4 "$SYNCDOCTOR" --no-journal report --force "$D/good-project-A.mapeodata" -o "$TMP/link"
check "5: the link is still one" test -L "$TMP/link"
: >"$TMP/exists.mapeodata"
status "5: an existing output without --force (documented exit 4)" 4 "$SYNCDOCTOR" --no-journal rebuild "$D/good-project-A.mapeodata" -o "$TMP/exists.mapeodata"

# 5b. never over what the run reads, even with --force: a configuration, a
# session log, the journal's place, a configuration folder
cp "$D/config-A.mapeosettings" "$TMP/cfgcopy.mapeosettings"
cksum "$TMP/cfgcopy.mapeosettings" >"$TMP/cfg.sum"
status "5b: report over the configuration it reads" 1 "$SYNCDOCTOR" --no-journal report --force -c "$TMP/cfgcopy.mapeosettings" "$D/good-project-A.mapeodata" -o "$TMP/cfgcopy.mapeosettings"
check "5b: it says why" grep -q "cfgcopy.mapeosettings is read by this run: syncdoctor never writes to a file it reads" "$TMP/err"
status "5b: rebuild over the configuration it reads" 1 "$SYNCDOCTOR" --no-journal rebuild --force -c "$TMP/cfgcopy.mapeosettings" "$D/good-project-A.mapeodata" -o "$TMP/cfgcopy.mapeosettings"
check "5b: the configuration is unchanged" sh -c "cksum '$TMP/cfgcopy.mapeosettings' | cmp -s - '$TMP/cfg.sum'"
echo "a session log" >"$TMP/sess.log"
status "5b: report over the session log it reads" 1 "$SYNCDOCTOR" --no-journal report --force --log "$TMP/sess.log" "$D/good-project-A.mapeodata" -o "$TMP/sess.log"
check "5b: the log is unchanged" grep -qx "a session log" "$TMP/sess.log"
mkdir -p "$TMP/cfgdir" && cp "$G/cfg-escape/metadata.json" "$TMP/cfgdir/"
status "5b: rebuild into the configuration folder it reads" 1 "$SYNCDOCTOR" --no-journal rebuild -c "$TMP/cfgdir" "$D/good-project-A.mapeodata" -o "$TMP/cfgdir/new.mapeodata"
check "5b: nothing was written there" test ! -e "$TMP/cfgdir/new.mapeodata"
: >"$TMP/E0.mapeodata"
"$SYNCDOCTOR" --journal "$TMP/E0.mapeodata" check --no-config "$TMP/E0.mapeodata" >/dev/null 2>"$TMP/err"
check "5b: no journal over the file checked" test ! -s "$TMP/E0.mapeodata"
check "5b: and it says so" grep -q "so the case journal is not kept there" "$TMP/err"
# a pipe given for a file read whole is refused at once, never waited on
mkfifo "$TMP/pipe"
status "5b: --versions naming a FIFO" 2 timeout -k 5 60 "$SYNCDOCTOR" --no-journal check --versions "$TMP/pipe" --no-config --no-environment "$D/good-project-A.mapeodata"
check "5b: the table is said missing" grep -q "version-table-missing" "$TMP/out"
status "5b: report --log naming a FIFO" 3 timeout -k 5 60 "$SYNCDOCTOR" --no-journal report --log "$TMP/pipe" "$D/good-project-A.mapeodata" -o "$TMP/r5b.tar.gz"
mkdir -p "$TMP/fifohome/.config/syncdoctor" && mkfifo "$TMP/fifohome/.config/syncdoctor/config.yaml"
status "5b: a configuration file that is a FIFO" 0 env XDG_CONFIG_HOME="$TMP/fifohome/.config" timeout -k 5 60 "$SYNCDOCTOR" --no-journal check --no-config --no-environment "$D/good-project-A.mapeodata"
check "5b: it is ignored with a warning" grep -q "not a regular file (a pipe or a device): ignored" "$TMP/err"
# what was typed is quoted escaped
"$SYNCDOCTOR" "$(printf 'zz\033[2Jq')" >"$TMP/t" 2>&1
check "5b: an unknown command is quoted escaped" sh -c "grep -qF 'zz\x1b[2Jq' '$TMP/t' && ! grep -q \"$(printf '\033')\" '$TMP/t'"
# a name that is not UTF-8 is kept in JSON, escaped (jansson refused it, and
# the key was left out)
bad=$TMP/$(printf 'bad\377.mapeodata')
cp "$D/good-project-A.mapeodata" "$bad"
"$SYNCDOCTOR" --no-journal check --no-environment --format json "$bad" >"$TMP/j" 2>/dev/null
is "5b: a file name that is not UTF-8, in JSON" "$(jq -r '.file | sub(".*/"; "")' "$TMP/j")" 'bad\xff.mapeodata'
rm -f "$bad"
status "5b: diff --width that is no number" 1 "$SYNCDOCTOR" diff --width abc "$D/config-A.mapeosettings" "$D/config-B.mapeosettings"

# 6. the journal stays small however long the strings
J=$TMP/j6.sqlite
"$SYNCDOCTOR" --journal "$J" check --config "$G/cfg-longname" "$D/good-project-A.mapeodata" >/dev/null 2>&1
jsize=$(cat "$J" "$J-wal" 2>/dev/null | wc -c | tr -d ' ')
check "6: a check with a 2 MB configuration name stores under 1 MiB ($jsize bytes)" test "$jsize" -lt 1048576
status "6: history reads it" 0 "$SYNCDOCTOR" --journal "$J" history
check "6: the name is cut with a mark" grep -q "bytes in all" "$TMP/out"
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$TMP/ro"
	"$SYNCDOCTOR" --journal "$TMP/ro/j.sqlite" check "$D/good-project-A.mapeodata" >/dev/null 2>&1
	"$SYNCDOCTOR" --journal "$TMP/ro/j.sqlite" history >/dev/null 2>&1 # settle the WAL
	chmod a-w "$TMP/ro" "$TMP/ro/j.sqlite"
	status "6: history on a read-only journal" 0 "$SYNCDOCTOR" --journal "$TMP/ro/j.sqlite" history
	check "6: shows the past check" grep -q "good-project-A" "$TMP/out"
	chmod u+w "$TMP/ro" "$TMP/ro/j.sqlite"
else
	skip "6: history on a read-only journal (root ignores permissions)"
fi

# 8. bundles are private
status "8: a bundle" 0 "$SYNCDOCTOR" --no-journal report "$D/good-project-A.mapeodata" -o "$TMP/b.tar.gz"
is "8: created 0600" "$(stat -c %a "$TMP/b.tar.gz")" 600

# 9. a file-size limit is a write error; stale temporaries are named
mkdir -p "$TMP/fs"
( ulimit -f 64; exec "$SYNCDOCTOR" --no-journal rebuild "$D/good-project-A.mapeodata" -o "$TMP/fs/out.mapeodata" ) >"$TMP/out" 2>"$TMP/err"
is "9: past the file-size limit: exit 4" "$?" 4
is "9: nothing left behind" "$(ls -A "$TMP/fs")" ""
check "9: a clear message" grep -q "File too large" "$TMP/err"
: >"$TMP/fs/.out.mapeodata.sdtmp-AbC123"
status "9: a later run" 0 "$SYNCDOCTOR" --no-journal rebuild "$D/good-project-A.mapeodata" -o "$TMP/fs/out.mapeodata"
check "9: names the stale temporary" grep -q ".out.mapeodata.sdtmp-AbC123 was left by an earlier run" "$TMP/err"
check "9: and leaves it" test -e "$TMP/fs/.out.mapeodata.sdtmp-AbC123"
status "9: --remove-stale" 0 "$SYNCDOCTOR" --no-journal rebuild --force --remove-stale "$D/good-project-A.mapeodata" -o "$TMP/fs/out.mapeodata"
check "9: removes it" test ! -e "$TMP/fs/.out.mapeodata.sdtmp-AbC123"

# 10. messages that name the fault
"$SYNCDOCTOR" --no-journal check "$G/tar-sizenan.mapeodata" >"$TMP/out" 2>&1
check "10: a size field that is not a number" says "$TMP/out" "size field that is not a number ('1x2y3z4w5v6 ')"
"$SYNCDOCTOR" --no-journal diff "$G/cfg-zip-pastend.mapeosettings" "$D/config-A.mapeosettings" >"$TMP/out" 2>&1
check "10: a ZIP size past the end of the file" says "$TMP/out" "past the end of the file"
"$SYNCDOCTOR" --no-journal check --versions "$G/versions-deep.yaml" "$D/good-project-A.mapeodata" >"$TMP/out" 2>&1
check "10: a version table nested too deep" says "$TMP/out" "nested more than 16 levels deep"
"$SYNCDOCTOR" --no-journal check --versions "$G/versions-big.yaml" "$D/good-project-A.mapeodata" >"$TMP/out" 2>&1
check "10: a version table too large" says "$TMP/out" "too large for a version table"
"$SYNCDOCTOR" --no-journal check --config "$G/cfg-dupkey" "$D/good-project-A.mapeodata" >"$TMP/out" 2>&1
check "10: two projectKey values" says "$TMP/out" "metadata.json has 2 projectKey values"
done_testing
