#!/bin/sh
# The wizard, driven without a person (tig style): keys from a script
# (SYNCDOCTOR_UI_SCRIPT), the screen written as text (SYNCDOCTOR_UI_DUMP),
# curses drawing to /dev/null at the size LINES x COLUMNS. Each case's
# screens are compared with tests/ui/golden/CASE.txt; SD_UI_REGEN=1 writes
# them instead (tests/ui/regen-golden.sh).
. "$(dirname "$0")/lib.sh"
UI=$top_srcdir/tests/ui
GOLDEN=${SD_UI_GOLDEN:-$UI/golden}
W=$TMP/work
mkdir -p "$W/home/.config" "$W/state" "$W/media/USB1/sub"
D=$SD_TEST_DATA
cp "$D/good-project-A.mapeodata" "$D/good-project-B.mapeodata" \
	"$D/config-A.v3-tar.mapeosettings" "$D/config-B.v3-tar.mapeosettings" "$W/"
chmod u+w "$W"/*
# A sync file renamed so only its content tells what it is, and a file
# that is not one.
cp "$D/good-project-B.mapeodata" "$W/media/USB1/datos.bin"
echo "not a sync file" >"$W/media/USB1/notes.txt"
# Damage a COPY: one byte inside device 0's first data block (the inner
# database starts at tar block 1084 and its 0/data member's content at
# inner block 21; see tests/data/README.md for the fixture).
cp "$D/good-project-A.mapeodata" "$W/dmg.mapeodata"
chmod u+w "$W/dmg.mapeodata"
printf 'X' | dd of="$W/dmg.mapeodata" bs=1 seek=$(((1084 + 21) * 512 + 700)) conv=notrunc 2>/dev/null
TZ=UTC
export TZ
touch -d '2024-05-01 12:00' "$W/media/USB1/datos.bin" "$W/media/USB1/notes.txt"

# Spanish catalog from the .po file as it is now.
LOCALES=
if command -v msgfmt >/dev/null 2>&1; then
	mkdir -p "$TMP/locale/es/LC_MESSAGES"
	msgfmt -o "$TMP/locale/es/LC_MESSAGES/syncdoctor.mo" "$top_srcdir/po/es.po" && LOCALES=$TMP/locale
fi

# run NAME COLSxROWS LANG KEYS [ARGS...]: exit status in $rc, screens in $TMP/NAME.txt
run() {
	name=$1 size=$2 lang=$3 keys=$4
	shift 4
	cols=${size%x*} rows=${size#*x}
	rm -f "$TMP/$name.raw"
	(
		cd "$W" || exit 99
		if [ "$lang" = es ]; then LANGUAGE=es; else LANGUAGE=; fi
		env HOME="$W/home" XDG_CONFIG_HOME="$W/home/.config" XDG_STATE_HOME=state \
			TERM=xterm LINES=$rows COLUMNS=$cols LC_ALL=C.UTF-8 LANGUAGE=$LANGUAGE \
			SYNCDOCTOR_LOCALEDIR="${LOCALES:-/nonexistent}" SYNCDOCTOR_UI_MEDIA="media/*" \
			SYNCDOCTOR_UI_SCRIPT="$UI/$keys.keys" SYNCDOCTOR_UI_DUMP="$TMP/$name.raw" \
			"$SYNCDOCTOR" "$@" </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err"
	)
	rc=$?
	# the log's name holds the time; the version changes with releases
	sed -e 's/session-[0-9]\{8\}-[0-9]\{6\}\(-[0-9]*\)\{0,1\}\.log/session-DATE-TIME.log/' \
		-e "s/syncdoctor [0-9][0-9.]*[0-9a-z~-]* /syncdoctor VERSION /" \
		"$TMP/$name.raw" >"$TMP/$name.txt" 2>/dev/null
}

# golden NAME: compare (or regenerate) the screens of the last run
golden() {
	if [ -n "$SD_UI_REGEN" ]; then
		cp "$TMP/$1.txt" "$GOLDEN/$1.txt"
		ok "$1: golden written"
	elif [ ! -f "$GOLDEN/$1.txt" ]; then
		fail "$1: golden screens exist"
	elif diff -u "$GOLDEN/$1.txt" "$TMP/$1.txt" >"$TMP/$1.diff"; then
		ok "$1: screens as the golden ones"
	else
		fail "$1: screens as the golden ones"
		diag "$(head -40 "$TMP/$1.diff")"
	fi
}

has() { grep -q -- "$2" "$TMP/$1.txt"; }

run match-en-80x24 80x24 en match good-project-A.mapeodata
is "match: exit status 0 (no problems)" "$rc" 0
check "match: step number shown" has match-en-80x24 "Step 3 of 6"
check "match: big MATCH" has match-en-80x24 "MATCH: SAME PROJECT"
check "match: footer form of config A" has match-en-80x24 'ae0a6\*\*\*\*\*\*\*\*\*\*'
check "match: error form of project A" has match-en-80x24 "syncfile=c9907bd"
check "match: 24 observations" has match-en-80x24 "Observations: 24 (9 with photos, 1 deleted"
check "match: feed 0 verified" has match-en-80x24 "20 blocks, 20 present, 20 verified"
check "match: the help of step 1" has match-en-80x24 "Mapeo syncs a file only with a computer"
check "match: the log's place on the welcome screen" has match-en-80x24 "state/syncdoctor/logs/session-DATE-TIME.log"
golden match-en-80x24

run match-en-132x43 132x43 en match good-project-A.mapeodata
is "match 132x43: exit status 0" "$rc" 0
check "match 132x43: the wide layout" has match-en-132x43 "(132x43)"
golden match-en-132x43

if [ -n "$LOCALES" ]; then
	run match-es-80x24 80x24 es match good-project-A.mapeodata
	is "match es: exit status 0" "$rc" 0
	golden match-es-80x24
	run match-es-132x43 132x43 es match good-project-A.mapeodata
	is "match es 132x43: exit status 0" "$rc" 0
	golden match-es-132x43
else
	skip "match es: msgfmt is missing"
	skip "match es 132x43: msgfmt is missing"
fi

run mismatch-en-80x24 80x24 en mismatch good-project-B.mapeodata
is "mismatch: exit status 2 (problems)" "$rc" 2
check "mismatch: big MISMATCH" has mismatch-en-80x24 "MISMATCH: DIFFERENT PROJECTS"
check "mismatch: Mapeo's own message" has mismatch-en-80x24 "(us=c9907bd) (syncfile=97c1152)"
check "mismatch: the matching configuration" has mismatch-en-80x24 "matches the sync file: Proyecto B 1.3.0"
check "mismatch: the diff shows the renamed field" has mismatch-en-80x24 "field observed-by renamed to observer"
check "mismatch: Option A" has mismatch-en-80x24 "Option A: change the configuration on this computer"
check "mismatch: Option B" has mismatch-en-80x24 "click Create Sync File"
check "mismatch: Option C" has mismatch-en-80x24 "1) Option C: write a copy"
golden mismatch-en-80x24

run damaged-en-80x24 80x24 en damaged dmg.mapeodata
is "damaged: exit status 2 (problems)" "$rc" 2
check "damaged: big DAMAGED" has damaged-en-80x24 "DAMAGED"
check "damaged: the hash mismatch" has damaged-en-80x24 "the hash the tree holds"
check "damaged: where (device and block)" has damaged-en-80x24 "Where: member osm-p2p-db.tar\|device 0, block 0"
check "damaged: the 1970/dates sign answered" has damaged-en-80x24 "Yes: 1 observation has an impossible date"
check "damaged: the freeze sign answered" has damaged-en-80x24 "Yes, this file can cause that"
check "damaged: a repair plan" has damaged-en-80x24 "Repair: what the new sync file will hold"
check "damaged: the repaired file was written" test -f "$W/dmg-repaired.mapeodata"
status "damaged: the repaired file checks clean" 0 "$SYNCDOCTOR" check --config "$W/config-A.v3-tar.mapeosettings" "$W/dmg-repaired.mapeodata"
check "damaged: the original is unchanged" sh -c "! cmp -s '$D/good-project-A.mapeodata' '$W/dmg.mapeodata' && test \$(wc -c <'$W/dmg.mapeodata') -eq \$(wc -c <'$D/good-project-A.mapeodata')"
golden damaged-en-80x24

run repair-en-80x24 80x24 en repair good-project-B.mapeodata
is "repair: quit after a repair: exit status 2 (the file had problems)" "$rc" 2
check "repair: the plan changes the project" has repair-en-80x24 "THE NEW FILE BELONGS TO ANOTHER PROJECT"
check "repair: the confirmation names the output" has repair-en-80x24 "Write a new sync file good-project-B-repaired.mapeodata?"
check "repair: written and verified" has repair-en-80x24 "Written and verified: good-project-B-repaired.mapeodata"
status "repair: the copy now matches config A" 0 "$SYNCDOCTOR" check --config "$W/config-A.v3-tar.mapeosettings" "$W/good-project-B-repaired.mapeodata"
check "repair: the original is unchanged" cmp -s "$D/good-project-B.mapeodata" "$W/good-project-B.mapeodata"
golden repair-en-80x24

run browse-en-80x24 80x24 en browse
is "browse: end of input before a diagnosis: exit status 130" "$rc" 130
check "browse: the USB drive is offered" has browse-en-80x24 "USB drive or card: media/USB1"
check "browse: a renamed sync file is found by content" has browse-en-80x24 "datos.bin  (100.0 KiB, 2024-05-01 12:00)"
check "browse: other files are not listed" sh -c "! grep -q notes.txt '$TMP/browse-en-80x24.txt'"
check "browse: a folder without sync files says so" has browse-en-80x24 "No sync file in this folder."
check "browse: the step count includes the file step" has browse-en-80x24 "Step 3 of 7"
golden browse-en-80x24

run resize-en 80x24 en resize good-project-A.mapeodata
is "resize: exit status 0" "$rc" 0
check "resize: relaid out at 100x30" has resize-en "(100x30)"
check "resize: too small at 60x20" has resize-en "The terminal is too small: syncdoctor needs 80x24"
is "resize: back to 80x24" "$(grep -c "(80x24)" "$TMP/resize-en.txt")" 4
check "resize: quit asks first" has resize-en "Quit syncdoctor now?"
golden resize-en

run ascii-en-80x24 80x24 en ascii --ascii good-project-A.mapeodata
check "--ascii: no UTF-8 line drawing" sh -c "! grep -q '─' '$TMP/ascii-en-80x24.txt'"
check "--ascii: ASCII lines" has ascii-en-80x24 "^--------"
golden ascii-en-80x24

run quit-en-80x24 80x24 en quit good-project-A.mapeodata
is "quit: confirmed quit keeps the verdict's exit status" "$rc" 0
check "quit: the question" has quit-en-80x24 "Quit syncdoctor now?"
golden quit-en-80x24

# The session log: versions, terminal, pages and answers.
# XDG_STATE_HOME was relative, so (as the XDG rules say) it was ignored.
log=$(ls "$W"/home/.local/state/syncdoctor/logs/session-*.log 2>/dev/null | head -1)
check "session log written" test -s "$log"
check "session log: versions" grep -q "^syncdoctor .* session log" "$log"
check "session log: terminal" grep -q "^TERM=xterm" "$log"
check "session log: pages and answers" sh -c "grep -q '==== \[1/6\] Welcome to syncdoctor' '$log' && grep -q '^> ' '$log'"

done_testing
