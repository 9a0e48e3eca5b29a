#!/bin/sh
# The wizard, driven without a person (tig style): keys from a script
# (SYNCDOCTOR_UI_SCRIPT, tests/ui/*.keys; the hooks are described at the
# top of src/tui/ui.c), the screen written as text (SYNCDOCTOR_UI_DUMP),
# curses drawing to /dev/null (or SYNCDOCTOR_UI_TTY, to count bytes) at
# the size LINES x COLUMNS. Each case's screens are compared with
# tests/ui/golden/CASE.txt; SD_UI_REGEN=1 writes them instead
# (tests/ui/regen-golden.sh). The computer is a fake one under $TMP: no
# Mapeo install, temp folders, settings or journal of this machine.
. "$(dirname "$0")/lib.sh"
unset APPDATA LOCALAPPDATA PROGRAMFILES SYNCDOCTOR_CONFIG
UI=$top_srcdir/tests/ui
GOLDEN=${SD_UI_GOLDEN:-$UI/golden}
W=$TMP/work
mkdir -p "$W/home/.config" "$W/state" "$W/media/USB1/sub" "$W/sysroot" "$W/tmp" "$W/etc"
D=$SD_TEST_DATA
cp "$D/good-project-A.mapeodata" "$D/good-project-B.mapeodata" \
	"$D/config-A.v3-tar.mapeosettings" "$D/config-B.v3-tar.mapeosettings" "$W/"
chmod u+w "$W"/*
# A sync file renamed so only its content tells what it is, and a file
# that is not one.
cp "$D/good-project-B.mapeodata" "$W/media/USB1/datos.bin"
echo "not a sync file" >"$W/media/USB1/notes.txt"
# A configuration renamed: a tar too, but never a sync file to offer.
cp "$D/config-B.v3-tar.mapeosettings" "$W/media/USB1/ajustes.bin"
# Damage a COPY the way the unit tests do: one byte flipped inside
# device 0's block 10 (tests/unit/mkdamage, built with Check).
MK=${top_builddir:-.}/tests/unit/mkdamage
DMG=
cp "$D/good-project-A.mapeodata" "$W/dmg.mapeodata"
chmod u+w "$W/dmg.mapeodata"
[ -x "$MK" ] && "$MK" data "$W/dmg.mapeodata" 0 10 && DMG=1 && cp "$W/dmg.mapeodata" "$TMP/dmg.orig"
TZ=UTC
export TZ
touch -d '2024-05-01 12:00' "$W/media/USB1/datos.bin" "$W/media/USB1/notes.txt"

# Spanish catalog from the .po file as it is now (as tests/i18n.sh does),
# else the built one. The Spanish goldens hold whatever es.po translated
# when they were made: regen-golden.sh records a checksum of its
# translations in golden/es.po.sum, and when they changed since (new
# translations) the Spanish screens are checked for their Spanish text, not
# compared.
LOCALES=
mkdir -p "$TMP/locale/es/LC_MESSAGES"
mo=$TMP/locale/es/LC_MESSAGES/syncdoctor.mo
if command -v msgfmt >/dev/null 2>&1 && msgfmt -o "$mo" "$top_srcdir/po/es.po"; then
	LOCALES=$TMP/locale
else
	for d in "${top_builddir:-.}/po" "$top_srcdir/po"; do
		[ -f "$d/es.gmo" ] && cp "$d/es.gmo" "$mo" && LOCALES=$TMP/locale && break
	done
fi
# The key of the catalog: its translated entries only (msgmerge rewrites
# line numbers and dates whenever any source string changes).
if command -v msgattrib >/dev/null 2>&1; then
	es_sum=$(msgattrib --translated --no-fuzzy --no-location --no-wrap --sort-output "$top_srcdir/po/es.po" 2>/dev/null |
		grep -v '^"POT-Creation-Date\|^"PO-Revision-Date\|^"Project-Id-Version\|^#' | cksum)
else
	es_sum=$(cksum <"$top_srcdir/po/es.po")
fi
if [ -n "$SD_UI_REGEN" ]; then
	echo "$es_sum" >"$GOLDEN/es.po.sum"
fi
es_same=
[ "$(cat "$GOLDEN/es.po.sum" 2>/dev/null)" = "$es_sum" ] && es_same=1

# run NAME COLSxROWS LANG KEYS [ARGS...]: exit status in $rc, screens in
# $TMP/NAME.txt, the session log in $TMP/NAME.log. NO_COLOR is unset
# unless $nocolor is set.
LOGS=$W/home/.local/state/syncdoctor/logs
# The session log shows the command line, wrapped on the log page: run the
# binary through a link whose path has the same length on every machine
# (mktemp's), so a long build path (make distcheck) wraps nothing.
mkdir -p "$TMP/bin" && ln -s "$SYNCDOCTOR" "$TMP/bin/syncdoctor"
run() {
	name=$1 size=$2 lang=$3 keys=$4
	shift 4
	cols=${size%x*} rows=${size#*x}
	case $keys in */*) kf=$keys ;; *) kf=$UI/$keys.keys ;; esac
	rm -f "$TMP/$name.raw"
	# One log per run: two runs in the same second would otherwise get
	# session-DATE-TIME-1.log, and a longer name wraps differently. No
	# case journal from earlier runs either (its "seen before" has dates),
	# unless $keep_journal is set.
	rm -rf "$LOGS"
	[ -n "$keep_journal" ] || rm -f "$W"/home/.local/state/syncdoctor/journal.sqlite*
	(
		cd "$W" || exit 99
		if [ "$lang" = es ]; then LANGUAGE=es; else LANGUAGE=; fi
		unset NO_COLOR
		[ -n "$nocolor" ] && NO_COLOR=1 && export NO_COLOR
		env HOME="$W/home" XDG_CONFIG_HOME="${CFGHOME:-$W/home/.config}" XDG_STATE_HOME=state \
			SYNCDOCTOR_SYSROOT="${SYSROOT:-$W/sysroot}" SYNCDOCTOR_TMPDIRS="$W/tmp" \
			SYNCDOCTOR_SYSCONFDIR="$W/etc" SYNCDOCTOR_VERSIONS="$top_srcdir/data/mapeo-versions.yaml" \
			TERM=xterm LINES=$rows COLUMNS=$cols LANG=C.UTF-8 LC_ALL="${LOCALE:-C.UTF-8}" LANGUAGE=$LANGUAGE \
			SYNCDOCTOR_LOCALEDIR="${LOCALES:-/nonexistent}" SYNCDOCTOR_UI_MEDIA="media/*" \
			SYNCDOCTOR_UI_SCRIPT="$kf" SYNCDOCTOR_UI_DUMP="$TMP/$name.raw" SYNCDOCTOR_UI_TTY="$TTYOUT" \
			"$TMP/bin/syncdoctor" "$@" </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err"
	)
	rc=$?
	cat "$LOGS"/session-*.log >"$TMP/$name.log" 2>/dev/null
	# Nothing volatile in a golden: the log's name and its heading hold
	# the time, the version changes with releases, the curses version and
	# the command line (the binary's path) with the machine.
	sed -e 's/session-[0-9]\{8\}-[0-9]\{6\}\(-[0-9]*\)\{0,1\}\.log/session-DATE-TIME.log/' \
		-e "s/syncdoctor [0-9][0-9.]*[0-9a-z~-]* /syncdoctor VERSION /" \
		-e 's/session log, [0-9-]* [0-9:]* [+-][0-9]*/session log, DATE/' \
		-e 's/^\( *\)curses: .*/\1curses: VERSION/' \
		-e 's/^\( *\)command line: .*/\1command line: ARGS/' \
		-e 's|/sdsh-[A-Za-z0-9]\{6\}/|/sdsh-XXXXXX/|g' \
		"$TMP/$name.raw" >"$TMP/$name.txt" 2>/dev/null
	# SD_UI_KEEP=DIR: keep every run's screens and log there, to read them
	if [ -n "$SD_UI_KEEP" ]; then
		mkdir -p "$SD_UI_KEEP" && cp "$TMP/$name.txt" "$TMP/$name.log" "$SD_UI_KEEP/" 2>/dev/null
	fi
}

# golden NAME: compare (or regenerate) the screens of the last run
golden() {
	if [ -n "$SD_UI_REGEN" ]; then
		[ -s "$TMP/$1.txt" ] || { fail "$1: screens were dumped"; return; }
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
check "match: step number shown" has match-en-80x24 "Step 4 of 7"
check "match: big MATCH" has match-en-80x24 "MATCH: SAME PROJECT"
check "match: footer form of config A" has match-en-80x24 'ae0a6\*\*\*\*\*\*\*\*\*\*'
check "match: error form of project A" has match-en-80x24 "syncfile=c9907bd"
check "match: 24 observations" has match-en-80x24 "Observations: 24 (9 with photos, 1 deleted"
check "match: feed 0 verified" has match-en-80x24 "20 blocks, 20 present, 20 intact, 20 verified"
check "match: the help of step 1" has match-en-80x24 "Mapeo syncs a file only with a computer"
check "match: the log's place on the welcome screen" has match-en-80x24 "state/syncdoctor/logs/session-DATE-TIME.log"
check "match: the summary's default is an action in sight, not Quit" has match-en-80x24 "▶   1) Save the report as text"
golden match-en-80x24

run match-en-132x43 132x43 en match good-project-A.mapeodata
is "match 132x43: exit status 0" "$rc" 0
check "match 132x43: the wide layout" has match-en-132x43 "(132x43)"
golden match-en-132x43

# golden_es NAME SPANISH: the Spanish screens hold SPANISH (a sentence the
# catalog has translated for long); compared with the goldens only when
# es.po is the one they were made from.
golden_es() {
	check "$1: Spanish from the catalog" has "$1" "$2"
	check "$1: no message ids in place of text" sh -c "! grep -q 'msgid' '$TMP/$1.txt'"
	if [ -n "$es_same" ] || [ -n "$SD_UI_REGEN" ]; then
		golden "$1"
	else
		skip "$1: screens as the golden ones (po/es.po changed since they were made; run tests/ui/regen-golden.sh)"
	fi
}
if [ -n "$LOCALES" ]; then
	run match-es-80x24 80x24 es match good-project-A.mapeodata
	is "match es: exit status 0" "$rc" 0
	golden_es match-es-80x24 "Un archivo de sincronización de Mapeo Desktop"
	run match-es-132x43 132x43 es match good-project-A.mapeodata
	is "match es 132x43: exit status 0" "$rc" 0
	golden_es match-es-132x43 "Un archivo de sincronización de Mapeo Desktop"
	run mismatch-es-80x24 80x24 es mismatch good-project-B.mapeodata
	is "mismatch es: exit status 2" "$rc" 2
	check "mismatch es: Mapeo's own message" has mismatch-es-80x24 "(us=c9907bd) (syncfile=97c1152)"
	golden_es mismatch-es-80x24 "Opción A: cambiar la configuración en este equipo"
	if [ -n "$DMG" ]; then
		run damaged-es-132x43 132x43 es damaged dmg.mapeodata
		is "damaged es 132x43: exit status 2" "$rc" 2
		status "damaged es 132x43: the repaired copy checks clean" 0 "$SYNCDOCTOR" check --config "$W/config-A.v3-tar.mapeosettings" "$W/dmg-repaired.mapeodata"
		rm -f "$W/dmg-repaired.mapeodata"
		golden_es damaged-es-132x43 "los datos no coinciden con el hash"
	fi
else
	skip "Spanish screens: no Spanish catalog (msgfmt is missing and po/es.gmo was not built)"
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
check "mismatch: what differs in words" sh -c "grep -q 'Project: different' '$TMP/mismatch-en-80x24.txt' && grep -q 'Options of fields: 1 added' '$TMP/mismatch-en-80x24.txt'"
check "mismatch: no icon or build noise" sh -c "! grep -q 'icon icons.svg' '$TMP/mismatch-en-80x24.txt'"
check "mismatch: Option A names the tar configuration to import" has mismatch-en-80x24 "2. Find config-B.v3-tar.mapeosettings"
golden mismatch-en-80x24

if [ -n "$DMG" ]; then
	run damaged-en-80x24 80x24 en damaged dmg.mapeodata
	is "damaged: exit status 2 (problems)" "$rc" 2
	check "damaged: big DAMAGED" has damaged-en-80x24 "DAMAGED"
	check "damaged: the hash mismatch" has damaged-en-80x24 "the hash the tree holds"
	check "damaged: where (device and block)" has damaged-en-80x24 "Where: database file 0/data, device 0, block 10"
	check "damaged: the 1970/dates sign answered" has damaged-en-80x24 "No: every observation has a sensible date"
	check "damaged: the photos sign answered" has damaged-en-80x24 "No: every photo in the file is complete"
	check "damaged: the freeze sign answered" has damaged-en-80x24 "Yes, this file can cause that"
	check "damaged: a repair plan" has damaged-en-80x24 "Repair: what the new sync file will hold"
check "damaged: the plan's headline counts what is kept and lost" grep -q "^  Kept: observations: [0-9]* of 24 ([0-9]* lost); photo files: [0-9]* of 30" "$TMP/damaged-en-80x24.txt"
check "damaged: the confirmation repeats the counts" grep -q "Write a new sync file dmg-repaired.mapeodata? Kept: observations:" "$TMP/damaged-en-80x24.txt"
check "damaged: the summary's Next names the salvage key" has damaged-en-80x24 "The file is damaged. Choose 4 to write a new sync file"
check "damaged: salvage is the default" has damaged-en-80x24 "▶   4) Salvage: write a new sync file"
	check "damaged: the repaired file was written" test -f "$W/dmg-repaired.mapeodata"
	status "damaged: the repaired file checks clean" 0 "$SYNCDOCTOR" check --config "$W/config-A.v3-tar.mapeosettings" "$W/dmg-repaired.mapeodata"
	check "damaged: the rescue is asked, with what it costs" has damaged-en-80x24 "they may appear twice"
	check "damaged: the advice names the summary's salvage, not the CLI's" sh -c "grep -q \"The summary's salvage keeps the\" '$TMP/damaged-en-80x24.txt' && ! grep -q 'syncdoctor rebuild' '$TMP/damaged-en-80x24.txt'"
	check "damaged: the rescued entries are in the repaired file" sh -c "'$SYNCDOCTOR' check --no-config --format json '$W/dmg-repaired.mapeodata' | grep -q '\"heads\": *23'"
	check "damaged: the original is unchanged" cmp -s "$TMP/dmg.orig" "$W/dmg.mapeodata"
	golden damaged-en-80x24
else
	skip "damaged: tests/unit/mkdamage was not built (Check is missing)"
fi

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
check "browse: a configuration is not listed as a sync file" sh -c "! grep -q ajustes.bin '$TMP/browse-en-80x24.txt'"
check "browse: a folder without sync files says so" has browse-en-80x24 "No sync file in this folder."
check "browse: the step count includes the file step" has browse-en-80x24 "Step 3 of 7"
golden browse-en-80x24

mkdir -p "$W/many"
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
	cp "$D/good-project-A.mapeodata" "$W/many/f$i.bin"
done
touch -d '2024-05-01 12:00' "$W"/many/*
run many-en-80x24 80x24 en many
is "two digits: end of input on the next step: exit status 130" "$rc" 130
check "two digits: 12 sync files listed" has many-en-80x24 "12 sync files here"
check "two digits: 1 marks the first one" has many-en-80x24 "▶   1) f01.bin"
check "two digits: 12 picks the twelfth" grep -q "^> 12: f12.bin" "$TMP/many-en-80x24.log"
check "two digits: then the configuration step" has many-en-80x24 "This computer's configuration"
golden many-en-80x24

run typing-en-80x24 80x24 en typing
is "typing: end of input on the next step: exit status 130" "$rc" 130
check "typing: the field drawn again at 100x30" sh -c "grep -A30 '(100x30)' '$TMP/typing-en-80x24.txt' | grep -q 'good-pro'"
check "typing: too small while typing" sh -c "grep -A3 '(60x20)' '$TMP/typing-en-80x24.txt' | grep -q 'The terminal is too small'"
check "typing: the text kept (a key pressed while too small is ignored)" has typing-en-80x24 "│ good-project-A.mapeodata     "
check "typing: the typed file chosen" grep -q "^> 4: Type a path: good-project-A.mapeodata" "$TMP/typing-en-80x24.log"
golden typing-en-80x24

# Step 1 says what it cannot know (issue 17): a configuration picked as
# the sync file, a sync file whose index (and so its project) is lost.
# Never MISMATCH, and the summary follows the worst problem.
printf 'Enter\n1\nDump\nEnter\nDump\nEnter\nEnter\nDump\n' >"$TMP/unknown.keys"
run cfgfile-en-80x24 80x24 en "$TMP/unknown.keys" config-B.v3-tar.mapeosettings
check "configuration as sync file: step 1 cannot tell" has cfgfile-en-80x24 "CANNOT TELL"
check "configuration as sync file: said so" has cfgfile-en-80x24 "This is a configuration file (.mapeosettings), not a"
check "configuration as sync file: no mismatch" sh -c "! grep -q 'MISMATCH' '$TMP/cfgfile-en-80x24.txt'"
check "configuration as sync file: step 2 claims no version" sh -c "! grep -q 'NO VERSION PROBLEM' '$TMP/cfgfile-en-80x24.txt'"
check "configuration as sync file: the summary does not advise the configuration" sh -c "! grep -q 'Use the same configuration' '$TMP/cfgfile-en-80x24.txt'"
if [ -n "$DMG" ]; then
	cp "$D/good-project-A.mapeodata" "$W/noidx.mapeodata"
	chmod u+w "$W/noidx.mapeodata"
	"$MK" noindex "$W/noidx.mapeodata"
	run noidx-en-80x24 80x24 en "$TMP/unknown.keys" noidx.mapeodata
	check "lost index: step 1 cannot tell" has noidx-en-80x24 "CANNOT TELL"
	check "lost index: why" has noidx-en-80x24 "(its index) is lost"
	check "lost index: no mismatch" sh -c "! grep -q 'MISMATCH' '$TMP/noidx-en-80x24.txt'"
	# planned, not guessed: a rebuild keeps everything (the index is
	# written again, for the configuration chosen in step 3)
	check "lost index: the summary's Next says nothing is lost" has noidx-en-80x24 "The file is damaged, but nothing in it is lost: choose 4 to"
	check "lost index: ... and names no CLI command" sh -c "! grep -q 'syncdoctor rebuild' '$TMP/noidx-en-80x24.txt'"
	# Mapeo's default chosen (no key): the repair cannot name the project,
	# so the summary says to choose the project's configuration first
	printf 'Enter\n4\nDump\nEnter\nDump\nEnter\nEnter\nDump\n' >"$TMP/default.keys"
	run noidxdef-en-80x24 80x24 en "$TMP/default.keys" noidx.mapeodata
	check "lost index, default configuration: the summary says to choose the project's" has noidxdef-en-80x24 "The file is damaged and no longer says which project it belongs to, but"
	check "lost index, default configuration: ... in step 3, then the repair" sh -c "tr '\n' ' ' <'$TMP/noidxdef-en-80x24.txt' | tr -s ' ' | grep -q 'Choose that project.s configuration (.mapeosettings) in step 3, then choose 4 here to write a new sync file that keeps everything in it.'"
	rm -f "$W/noidx.mapeodata"
	# A tree node over intact data: the summary says a repair keeps
	# everything (the check planned the salvage the repair does), and the
	# repair then keeps all 24 observations.
	cp "$D/good-project-A.mapeodata" "$W/node.mapeodata"
	chmod u+w "$W/node.mapeodata"
	"$MK" node "$W/node.mapeodata" 0 2
	run node-en-80x24 80x24 en damaged node.mapeodata
	check "a tree node: the summary's Next says nothing is lost" has node-en-80x24 "The file is damaged, but nothing in it is lost: choose 4 to write a new$"
	check "a tree node: the repair keeps everything" has node-en-80x24 "Kept: observations: 24 of 24 (0 lost); photo files: 30 of 30 (0 lost)."
	is "a tree node: the repaired file" "$("$SYNCDOCTOR" check --no-config --format json "$W/node-repaired.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
	# A torn append cut inside device 0's data: what verifies holds no
	# observation; the summary names the rescue, and the repair that
	# accepts it is written (it used to be refused as keeping nothing).
	cp "$D/good-project-A.mapeodata" "$W/tdata.mapeodata"
	chmod u+w "$W/tdata.mapeodata"
	"$MK" torn "$W/tdata.mapeodata" 0/data 5000
	run tdata-en-80x24 80x24 en damaged tdata.mapeodata
	check "torn in data: the summary's Next names the rescue" has tdata-en-80x24 "The file is damaged: what still verifies holds none of its observations."
	check "torn in data: the rescue is asked" has tdata-en-80x24 "6 entries that the repair would leave out are still intact and"
	check "torn in data: the headline says what is rescued" has tdata-en-80x24 "Rescued: 6 entries that were still signed, into a new feed"
	is "torn in data: the rescued file" "$("$SYNCDOCTOR" check --no-config --format json "$W/tdata-repaired.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 6 30"
	rm -f "$W/node.mapeodata" "$W/node-repaired.mapeodata" "$W/tdata.mapeodata" "$W/tdata-repaired.mapeodata"
	# Signatures cut short (feed-unsigned): only a warning in step 3, but
	# a plain rebuild refuses the file (tests/advice-warnings.sh). The
	# wizard says damaged, not "can be used", and its salvage is the
	# repair the CLI advises; proved with the real Mapeo.
	cp "$D/good-project-A.mapeodata" "$W/sigcut.mapeodata"
	chmod u+w "$W/sigcut.mapeodata"
	"$MK" cut "$W/sigcut.mapeodata" 0/signatures 100 >/dev/null
	cp "$W/sigcut.mapeodata" "$TMP/sigcut.orig"
	run sigcut-en-80x24 80x24 en sigcut sigcut.mapeodata
	is "signatures cut: exit status 2 (problems)" "$rc" 2
	check "signatures cut: step 3 says damaged" has sigcut-en-80x24 "DAMAGED"
	check "signatures cut: ... not small problems" sh -c "! grep -q 'SMALL PROBLEMS' '$TMP/sigcut-en-80x24.txt'"
	check "signatures cut: the freeze sign does not say the data checks out" has sigcut-en-80x24 "Not that this check can tell, but a warning listed above needs a repair"
	check "signatures cut: the summary never says the file can be used" sh -c "! grep -q 'The file can be used' '$TMP/sigcut-en-80x24.txt'"
	check "signatures cut: the summary's Next names the salvage key" has sigcut-en-80x24 "The file is damaged. Choose 4 to write a new sync file with everything$"
	check "signatures cut: salvage is offered and the default" has sigcut-en-80x24 "▶   4) Salvage: write a new sync file"
	check "signatures cut: ... in the wizard's words" sh -c "! grep -q 'syncdoctor rebuild\|--salvage' '$TMP/sigcut-en-80x24.txt'"
	check "signatures cut: written and verified" has sigcut-en-80x24 "Written and verified: sigcut-repaired.mapeodata"
	check "signatures cut: the original is unchanged" cmp -s "$TMP/sigcut.orig" "$W/sigcut.mapeodata"
	# feed 0 unsigned is cut; feed 1's 5 blocks and every photo are kept
	is "signatures cut: the salvaged file" "$("$SYNCDOCTOR" check --no-config --format json "$W/sigcut-repaired.mapeodata" | jq -r '[.verdict, (.feeds | map(.length) | join("+")), .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 0+5 5 30"
	mapeo "signatures cut: the wizard's salvage" "$W/sigcut-repaired.mapeodata" ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e 5 30
	golden sigcut-en-80x24
	rm -f "$W/sigcut.mapeodata" "$W/sigcut-repaired.mapeodata"
	# B's observations are all in feed 0: the salvage keeps none, so the
	# summary says no repair of the file alone gives one, as the CLI does
	printf 'Enter\n1\nEnter\nEnter\nDump\nPgDn\nDump\nEnter\nDump\n' >"$TMP/step3.keys"
	cp "$D/good-project-B.mapeodata" "$W/sigcutb.mapeodata"
	chmod u+w "$W/sigcutb.mapeodata"
	"$MK" cut "$W/sigcutb.mapeodata" 0/signatures 100 >/dev/null
	printf 'Enter\n1\nEnter\nEnter\nDump\nPgDn\nDump\nEnter\nDump\nEnter\nDump\n' >"$TMP/step3-enter.keys"
	run sigcutb-en-80x24 80x24 en "$TMP/step3-enter.keys" sigcutb.mapeodata
	check "signatures cut, B: step 3 says damaged" has sigcutb-en-80x24 "^  DAMAGED"
	check "signatures cut, B: the summary says no repair of it alone gives a file" sh -c "tr '\n' ' ' <'$TMP/sigcutb-en-80x24.txt' | tr -s ' ' | grep -q 'The file is damaged, and no repair of it alone gives Mapeo a file: what still verifies holds none of its observations. Choose 8 to look for a database'"
	check "signatures cut, B: Enter looks for a leftover database, as Next says" sh -c "grep -q '^ *4) Salvage: write' '$TMP/sigcutb-en-80x24.txt' && grep -q 'Databases left by interrupted syncs' '$TMP/sigcutb-en-80x24.txt'"
	check "signatures cut, B: never that the file can be used" sh -c "! grep -q 'The file can be used' '$TMP/sigcutb-en-80x24.txt'"
	rm -f "$W/sigcutb.mapeodata"
	# A damaged signature a later one outvotes: a warning a plain rebuild
	# mends. As before: small problems, the file can be used, the repair
	# offered is the plain one.
	cp "$D/good-project-A.mapeodata" "$W/sigflip.mapeodata"
	chmod u+w "$W/sigflip.mapeodata"
	"$MK" sig "$W/sigflip.mapeodata" 0 0 >/dev/null
	run sigflip-en-80x24 80x24 en "$TMP/step3.keys" sigflip.mapeodata
	check "outvoted signature: small problems" has sigflip-en-80x24 "^  SMALL PROBLEMS"
	check "outvoted signature: the freeze sign as before" has sigflip-en-80x24 "Not because of this file: its structure and every device's data check"
	check "outvoted signature: the file can be used" has sigflip-en-80x24 "The file can be used, but read the warnings above"
	check "outvoted signature: the plain repair, not the salvage" sh -c "grep -q '4) Repair: write a new, repaired sync file' '$TMP/sigflip-en-80x24.txt' && ! grep -q 'Salvage:' '$TMP/sigflip-en-80x24.txt'"
	rm -f "$W/sigflip.mapeodata"
fi

# Going back keeps the choices (issue 17): config B chosen, back from
# step 1, Enter keeps B (it used to become A without a word); back to
# the file step from a folder marks the file chosen there.
printf 'Enter\n2\nb\nDump\nEnter\nDump\n' >"$TMP/back.keys"
run back-en-80x24 80x24 en "$TMP/back.keys" good-project-A.mapeodata
check "back: the earlier choice is said" has back-en-80x24 "Chosen before: Proyecto B 1.3.0"
check "back: and marked" has back-en-80x24 "▶   2) Proyecto B 1.3.0"
check "back: Enter keeps it" sh -c "tail -n 24 '$TMP/back-en-80x24.txt' | grep -q 'This computer (found nearby): Proyecto B 1.3.0'"
printf 'Enter\n1\n1\nb\nDump\n' >"$TMP/backfile.keys"
run backfile-en-80x24 80x24 en "$TMP/backfile.keys"
check "back to the file step: its folder again" has backfile-en-80x24 "Folder: media/USB1"
check "back to the file step: the file marked" grep -q "▶ *[0-9]*) datos.bin" "$TMP/backfile-en-80x24.txt"

run relayout-en 80x24 en relayout good-project-B.mapeodata
check "resize: side by side when wide" sh -c "sed -n '/(132x43)/,/==== screen 2/p' '$TMP/relayout-en.txt' | grep -q 'Observado por *| Nombre del observador'"
check "resize: a list again when narrowed" sh -c "sed -n '/==== screen 2/,/==== screen 3/p' '$TMP/relayout-en.txt' | grep -q '^ *~ translation es.fields.observer.label'"
check "resize: nothing side by side at 80 columns" sh -c "! sed -n '/==== screen 2/,/==== screen 3/p' '$TMP/relayout-en.txt' | grep -q ' | '"
check "resize: the page behind a question drawn again" sh -c "sed -n '/(100x30)/,\$p' '$TMP/relayout-en.txt' | grep -q 'Rebuild plan for good-project-B.mapeodata'"
check "resize: the question too" sh -c "sed -n '/(100x30)/,\$p' '$TMP/relayout-en.txt' | grep -q 'Write a new sync file'"
golden relayout-en

# Below 80x24 the wizard offers the line mode (issue 17): l goes on with
# the same page as plain questions and answers.
printf 'Enter\nResize 60x20\nDump\nl\n' >"$TMP/small.keys"
run small-en 80x24 en "$TMP/small.keys" good-project-A.mapeodata
check "too small: the line mode offered" has small-en "press l to go on in plain"
check "too small: l goes on in line mode" grep -q "=== Step 3 of 7: This computer's configuration ===" "$TMP/small-en.out"
check "too small: logged" grep -q "front end: line mode (the terminal was too small)" "$TMP/small-en.log"

# Text fields (issue 17): the cursor moves, edits happen at it, Tab
# completes a file name.
run editing-en-80x24 80x24 en editing
check "editing: Home, End, Left, Backspace and Delete at the cursor" has editing-en-80x24 "│ good-project-A.mapeodx "
check "editing: Tab completes the name" grep -q "^> 4: Type a path: config-B.v3-tar.mapeosettings" "$TMP/editing-en-80x24.log"

run resize-en 80x24 en resize good-project-A.mapeodata
is "resize: exit status 0" "$rc" 0
check "resize: relaid out at 100x30" has resize-en "(100x30)"
check "resize: too small at 60x20" has resize-en "The terminal is too small: syncdoctor needs 80x24"
check "resize: q asks even when too small" has resize-en "^Quit without saving a report? y Yes  n No"
is "resize: back to 80x24" "$(grep -c "(80x24)" "$TMP/resize-en.txt")" 4
check "resize: quit asks first" has resize-en "Quit syncdoctor now?"
golden resize-en

run ascii-en-80x24 80x24 en ascii --ascii good-project-A.mapeodata
check "--ascii: no UTF-8 line drawing" sh -c "! grep -q '─' '$TMP/ascii-en-80x24.txt'"
check "--ascii: ASCII lines" has ascii-en-80x24 "^--------"
golden ascii-en-80x24

# Not a UTF-8 locale: the terminal's own line drawing (ACS), and no
# UTF-8 bytes sent at all.
LOCALE=C
run acs-en-80x24 80x24 en ascii good-project-A.mapeodata
LOCALE=
check "ACS: used outside UTF-8" grep -q "lines ACS" "$TMP/acs-en-80x24.log"
check "ACS: drawn as line characters (dumped as -)" has acs-en-80x24 "^--------"
check "ACS: no UTF-8 on the screen" sh -c "! LC_ALL=C grep -q '[^ -~]' '$TMP/acs-en-80x24.txt'"
golden acs-en-80x24

# Ctrl-C quits cleanly wherever it comes (issue 17): on a question
# (it used to loop on it forever), during the progress bar.
run interrupt-en-80x24 80x24 en interrupt good-project-A.mapeodata
is "Ctrl-C on the quit question: exit status 130 (interrupted)" "$rc" 130
check "Ctrl-C: logged" grep -q "^> interrupted (Ctrl-C)" "$TMP/interrupt-en-80x24.log"
check "Ctrl-C: the question was not asked again" test "$(grep -c 'Quit syncdoctor now?' "$TMP/interrupt-en-80x24.log")" -eq 1
check "Ctrl-C: the terminal restored and the log named" grep -q "the session log is" "$TMP/interrupt-en-80x24.err"
run interrupt-progress-en-80x24 80x24 en interrupt-progress good-project-A.mapeodata
is "Ctrl-C on the progress bar: exit status 130" "$rc" 130
check "Ctrl-C on the progress bar: the work stopped" grep -q "^> cancel" "$TMP/interrupt-progress-en-80x24.log"
check "Ctrl-C on the progress bar: no message to dismiss" sh -c "! grep -q 'The check was cancelled' '$TMP/interrupt-progress-en-80x24.log'"
check "Ctrl-C on the progress bar: the terminal restored" grep -q "the session log is" "$TMP/interrupt-progress-en-80x24.err"

run quit-en-80x24 80x24 en quit good-project-A.mapeodata
is "quit: confirmed quit keeps the verdict's exit status" "$rc" 0
check "quit: the question" has quit-en-80x24 "Quit syncdoctor now?"
golden quit-en-80x24

# The database check (issue 11): a healthy sync file, but this computer's
# Mapeo Desktop data folder (found through XDG_CONFIG_HOME, built here by
# tests/unit/mkdb from good-project-A's feeds, re-signed with a 1970 date,
# and a photo cut) holds the damage. The devices' keys are made new by
# mkdb on every run: the golden shows them as KEY.
MKDB=${top_builddir:-.}/tests/unit/mkdb
KEY_A=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
dbstate() { (cd "$1" && find . -type f -exec stat -c '%n %s %Y' {} + | sort && find . -type f -exec cat {} + | cksum); }
if [ -x "$MKDB" ]; then
	"$MKDB" --resign --own --key "$KEY_A" --epoch 0 4 "$D/good-project-A.mapeodata" "$W/dbcfg/Mapeo" || fail "mkdb"
	photo=$(ls "$W"/dbcfg/Mapeo/kappa.db/media/original/*/*.jpg | head -n 1)
	truncate -s 3000 "$photo"
	dbbefore=$(dbstate "$W/dbcfg/Mapeo")
	CFGHOME=$W/dbcfg
	run database-en-80x24 80x24 en database good-project-A.mapeodata
	CFGHOME=
	sed -i 's/^\(.*Device [0-9]* (\)[0-9a-f]\{7\})/\1KEY)/' "$TMP/database-en-80x24.txt"
	is "database: exit status 0 (the sync file is healthy)" "$rc" 0
	check "database: offered when the file is healthy" has database-en-80x24 "7) The file is healthy but the problem persists: check Mapeo.s database"
	check "database: this computer's data folder found" has database-en-80x24 "1) Check dbcfg/Mapeo"
	check "database: the progress bar" has database-en-80x24 "Checking the Mapeo database..."
	check "database: cancel" has database-en-80x24 "The check was cancelled. Nothing was changed."
	check "database: the verdict" has database-en-80x24 "OBSERVATIONS TO FIX IN MAPEO"
	check "database: Database status, this computer's own device" has database-en-80x24 "Device 0 (KEY), this computer's own: 20/20, 20 verified"
	check "database: worst first, the cut photo" has database-en-80x24 "1. 2026-11-23 22:56, category animal-tracks"
	check "database: then the 1970 date, with category and place" has database-en-80x24 "2. 1970-01-01 00:00, category tree, location -1.22187, -75.32487"
	check "database: which check failed" has database-en-80x24 "Failed: created_at or timestamp in 1970"
	check "database: what to do in Mapeo" has database-en-80x24 "find each observation above by its date and category"
	check "database: the rebuild alternative (a salvage: the cut photo)" has database-en-80x24 "syncdoctor rebuild --salvage --database dbcfg/Mapeo --exclude-suspect"
	check "database: back on the summary" sh -c "tail -n 30 '$TMP/database-en-80x24.txt' | grep -q 'NO PROBLEMS FOUND'"
	check "database: the page in the session log" sh -c "grep -q 'OBSERVATIONS TO FIX IN MAPEO' '$TMP/database-en-80x24.log' && grep -q 'Failed: a photo is not a complete JPEG' '$TMP/database-en-80x24.log'"
	is "database: never written" "$(dbstate "$W/dbcfg/Mapeo")" "$dbbefore"
	golden database-en-80x24

	# syncdoctor DIR: the wizard on a database folder directly
	printf 'Enter\nDump\n' >"$TMP/dbdir.keys"
	run dbdir-en-80x24 80x24 en "$TMP/dbdir.keys" dbcfg/Mapeo/kappa.db
	is "database folder as argument: exit status 2 (problems)" "$rc" 2
	check "database folder as argument: its page is step 2 of 2" has dbdir-en-80x24 "Step 2 of 2"
	check "database folder as argument: the list" has dbdir-en-80x24 "2 observations to look at in Mapeo"

	# both devices' first entries damaged: what still verifies holds no
	# observation, so the rebuild shown is the rescue (the plain
	# --exclude-suspect it showed refused: exit 2); stray bits in a
	# bitfield: no observation to fix, and a plain rebuild keeps everything
	"$MKDB" --own --key "$KEY_A" "$D/good-project-A.mapeodata" "$W/dbres" || fail "mkdb"
	for f in 0 1; do
		printf 'Z' | dd of="$W/dbres/kappa.db/$f/data" bs=1 seek=50 conv=notrunc 2>/dev/null
	done
	printf 'Enter\nDump\nPgDn\nDump\nPgDn\nDump\n' >"$TMP/dbres.keys"
	run dbres-en-80x24 80x24 en "$TMP/dbres.keys" dbres/kappa.db
	sed -i 's/^\(.*Device [0-9]* (\)[0-9a-f]\{7\})/\1KEY)/' "$TMP/dbres-en-80x24.txt"
	is "damaged at their start: exit status 2 (problems)" "$rc" 2
	check "damaged at their start: the rescue, in words" has dbres-en-80x24 "Or save the entries that are still signed into a new sync file,"
	check "damaged at their start: the rescue's command" has dbres-en-80x24 "syncdoctor rebuild --rescue --database dbres/kappa.db --exclude-suspect -o"
	golden dbres-en-80x24
	"$MKDB" --own --key "$KEY_A" "$D/good-project-A.mapeodata" "$W/dbbit" || fail "mkdb"
	printf 'Z' | dd of="$W/dbbit/kappa.db/1/bitfield" bs=1 seek=40 conv=notrunc 2>/dev/null
	run dbbit-en-80x24 80x24 en "$TMP/dbres.keys" dbbit/kappa.db
	is "a damaged bitfield: exit status 2 (problems)" "$rc" 2
	check "a damaged bitfield: a rebuild keeps everything" has dbbit-en-80x24 "A rebuild keeps everything in this database: write it into a new sync"
	check "a damaged bitfield: the plain rebuild's command" has dbbit-en-80x24 "syncdoctor rebuild --database dbbit/kappa.db -o NEW.mapeodata"

	# a sync file whose database was taken out (database-missing): the
	# database check is offered; a phone's database typed (built here in
	# mapeo-mobile's layout, <privateStorage>/db with media/ beside it)
	MK=${top_builddir:-.}/tests/unit/mkdamage
	cp "$D/good-project-A.mapeodata" "$W/nodb.mapeodata"
	chmod u+w "$W/nodb.mapeodata"
	"$MK" nodb "$W/nodb.mapeodata" || fail "mkdamage nodb"
	"$MKDB" --own "$D/good-project-A.mapeodata" "$W/phone" || fail "mkdb phone"
	mv "$W/phone/kappa.db/media" "$W/phone/media"
	mv "$W/phone/kappa.db" "$W/phone/db"
	printf 'Enter\n1\nEnter\nEnter\nEnter\n7\nDump\n1\nText phone\nEnter\nDump\n' >"$TMP/nodb.keys"
	run nodb-en-80x24 80x24 en "$TMP/nodb.keys" nodb.mapeodata
	is "database-missing: exit status 2" "$rc" 2
	check "database-missing: the database check offered" grep -q "^> 7: The sync file holds no database: check this computer's Mapeo database" "$TMP/nodb-en-80x24.log"
	check "database-missing: no data folder on this computer" has nodb-en-80x24 "Mapeo Desktop's data folder was not found on this computer"
	check "database-missing: why" has nodb-en-80x24 "The sync file holds no database (no observations)"
	check "database-missing: a typed phone database" grep -q "^> 1: Type the path of a database folder.*: phone" "$TMP/nodb-en-80x24.log"
	check "database-missing: the phone's database is healthy" has nodb-en-80x24 "THE DATABASE IS HEALTHY"

	# Issue 17: a repair that would keep no database is never offered as a
	# fix; the leftover of an interrupted sync is a key away, and the file
	# rebuilt from it is checked with one more key.
	rm -rf "$W/tmp"/osm-p2p-syncfile-*
	"$MKDB" --temp "$D/good-project-A.mapeodata" "$W/tmp/osm-p2p-syncfile-4242" || fail "mkdb --temp"
	rm -f "$W"/nodb-repaired*.mapeodata
	printf 'Enter\n1\nEnter\nEnter\nEnter\nDump\n4\nDump\nb\n8\nDump\n1\nDump\n1\nDump\ny\nEnter\nDump\nEnter\nDump\nb\nDump\n' >"$TMP/leftover.keys"
	run leftover-en-80x24 80x24 en "$TMP/leftover.keys" nodb.mapeodata
	check "no database: the summary's Next names the keys" has leftover-en-80x24 "Choose 8 to look for a database a$"
	check "no database: the repair is refused" has leftover-en-80x24 "NO REPAIR: THE NEW FILE WOULD KEEP NO OBSERVATIONS"
	check "no database: the refusal says what would be kept" has leftover-en-80x24 "Kept: observations: 0 of 0 (0 lost); photo files: 30 of 30"
	check "no database: the leftover folder listed" has leftover-en-80x24 "1) tmp/osm-p2p-syncfile-4242 ("
	# the folder is joined to the sync file (rebuild FILE --database DIR):
	# the photos that stayed in the file are kept
	check "no database: the plan is for the sync file" has leftover-en-80x24 "Rebuild plan for .*nodb.mapeodata"
	check "no database: the plan joins the leftover" has leftover-en-80x24 "joined with .*/tmp/osm-p2p-syncfile-4242"
	check "no database: the plan keeps the file's photos" has leftover-en-80x24 "Keep: 30 photo files and"
	check "no database: the new file written" test -f "$W/nodb-repaired.mapeodata"
	check "no database: the summary names the new file in full" has leftover-en-80x24 "^    /.*/work/nodb-repaired.mapeodata"
	check "no database: checking the new file is the default" has leftover-en-80x24 "▶   1) Check the new file (nodb-repaired.mapeodata)"
	check "no database: the new file checked" sh -c "tail -n 48 '$TMP/leftover-en-80x24.txt' | grep -q 'Sync file: nodb-repaired.mapeodata'"
	"$SYNCDOCTOR" check --format json --config "$W/config-A.v3-tar.mapeosettings" "$W/nodb-repaired.mapeodata" >"$TMP/nodb-rep.json" 2>&1
	check "no database: the new file holds the observations" grep -q '"observations": 24\|"heads": 24\|"current": 24' "$TMP/nodb-rep.json"
	check "no database: the new file has no error" sh -c "! grep -q '\"severity\": \"error\"' '$TMP/nodb-rep.json'"
	# the sync file's photos are in the new file, every one of them, and none
	# is missing from it any more
	"$SYNCDOCTOR" check --format json --config "$W/config-A.v3-tar.mapeosettings" "$W/nodb.mapeodata" >"$TMP/nodb-orig.json" 2>&1
	check "no database: the new file holds the sync file's 30 photos" sh -c "tr -d ' \n' <'$TMP/nodb-rep.json' | grep -q '\"media\":{\"members\":30,'"
	check "no database: as many photo bytes as the sync file" test "$(tr -d ' \n' <"$TMP/nodb-rep.json" | sed -n 's/.*"media":{"members":[0-9]*,"bytes":\([0-9]*\)}.*/\1/p')" = "$(tr -d ' \n' <"$TMP/nodb-orig.json" | sed -n 's/.*"media":{"members":[0-9]*,"bytes":\([0-9]*\)}.*/\1/p')"
	check "no database: no photo missing in the new file" sh -c "! grep -q '\"code\": \"attachment-missing\"' '$TMP/nodb-rep.json'"
	mapeo "no database: the file rebuilt from the leftover" "$W/nodb-repaired.mapeodata" ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e 24 30
	rm -f "$W"/nodb-repaired*.mapeodata
	# repeated notes: a file made from the folder alone (its photos left
	# behind) has thirty observations whose photo is not in it
	"$SYNCDOCTOR" rebuild --database "$W/tmp/osm-p2p-syncfile-4242" --config "$W/config-A.v3-tar.mapeosettings" -o "$W/nophotos.mapeodata" >/dev/null 2>&1 || fail "rebuild from the folder alone"
	printf 'Enter\n1\nEnter\nEnter\nEnter\nb\nDump\n' >"$TMP/notes.keys"
	run notes-en-80x24 80x24 en "$TMP/notes.keys" nophotos.mapeodata
	check "repeated notes: one line with a count" has notes-en-80x24 "(and 29 more like it)"
	check "repeated notes: not one line each" test "$(grep -c 'is not in the file' "$TMP/notes-en-80x24.txt")" -le 2
	rm -f "$W/nophotos.mapeodata"
	if [ -n "$DMG" ]; then
		# a leftover of another project is not offered for this file
		rm -rf "$W/tmp"/osm-p2p-syncfile-*
		"$MKDB" --temp "$D/good-project-B.mapeodata" "$W/tmp/osm-p2p-syncfile-5151" || fail "mkdb --temp B"
		printf 'Enter\n1\nEnter\nEnter\nEnter\n8\nDump\n' >"$TMP/leftover2.keys"
		run leftover2-en-80x24 80x24 en "$TMP/leftover2.keys" dmg.mapeodata
		check "leftover of another project: not listed" has leftover2-en-80x24 "No folder left by an interrupted sync on this computer can belong"
		check "leftover of another project: not among step 3's notes either" sh -c "grep -q 'Check 3 of 3' '$TMP/leftover2-en-80x24.log' && ! grep -q 'osm-p2p-syncfile-5151' '$TMP/leftover2-en-80x24.log'"
		rm -rf "$W/tmp"/osm-p2p-syncfile-*
	fi
else
	skip "database: tests/unit/mkdb was not built (Check is missing)"
fi

# A computer with Mapeo Desktop 5.4.2 (in a fake root), its configuration
# (Proyecto A) and a log that recorded a refused sync: the configuration
# step offers Mapeo's own, step 1 shows the log line, step 2 the local
# Mapeo, what that version does with the file, and the sync errors.
KEY_A=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
M=$W/computer
mkdir -p "$M/root/opt/Mapeo/resources/app" "$M/config/Mapeo/logs" "$M/config/Mapeo/presets/default"
printf '{"name":"mapeo","productName":"Mapeo","version":"5.4.2"}' >"$M/root/opt/Mapeo/resources/app/package.json"
printf '{"name":"Proyecto A","version":"1.2.0","projectKey":"%s"}' "$KEY_A" >"$M/config/Mapeo/presets/default/metadata.json"
cat >"$M/config/Mapeo/logs/2026-11-20.log" <<'EOF'
2026-11-20T14:02:47.000Z [main] info: Locale es
2026-11-20T14:05:01.100Z [mapeo-core] error: sync error Error: trying to sync two different projects (us=97c1152) (syncfile=c9907bd)
2026-11-20T14:07:00.000Z [mapeo-core] error: sync error Error: unsupported syncfile type
EOF
SYSROOT=$M/root CFGHOME=$M/config
run version-en-80x24 80x24 en version good-project-A.mapeodata
SYSROOT= CFGHOME=
is "version: end of input after step 2: exit status 0 (no problems)" "$rc" 0
check "version: Mapeo's own configuration offered first" has version-en-80x24 "1) The one Mapeo Desktop uses here: Proyecto A 1.2.0"
check "version: step 1 quotes Mapeo's log" has version-en-80x24 "sync two different projects (us=97c1152) (syncfile=c9907bd) (this file.s"
check "version: the local Mapeo" has version-en-80x24 "5.4.2"
check "version: which releases can read it" has version-en-80x24 "Can be read by: Mapeo Desktop"
check "version: the sync errors of Mapeo's log" has version-en-80x24 "Sync errors in Mapeo's log on this computer"
check "version: the unsupported file error" has version-en-80x24 "sync error Error: unsupported"
check "version: the other computer's version compared" has version-en-80x24 "Mapeo Desktop 5.3.1 (the 5.3.x series) can read this"
check "version: and with this computer's" has version-en-80x24 "computer runs a newer one (5.4.2)"
golden version-en-80x24

run progress-en-80x24 80x24 en progress good-project-A.mapeodata
is "progress: exit status 0 after the check ran again" "$rc" 0
check "progress: the bar's title" has progress-en-80x24 "Checking every part of the sync file..."
check "progress: an ETA part way" grep -q "[0-9]%, about [0-9]* \(s\|min\) left" "$TMP/progress-en-80x24.txt"
check "progress: the cancel key shown" has progress-en-80x24 "Press c to cancel"
# one bar for the whole check: a sync file's photos, read right after the
# structure (front to back, issue 21), go on from where the structure left
# it (20% of the whole at their 14th update; 16% if they began from 0)
check "progress: one bar for the whole check, with its phase" sh -c "sed -n '/==== screen 2/,/==== screen 3/p' '$TMP/progress-en-80x24.txt' | grep -q '│ photos ' && sed -n '/==== screen 2/,/==== screen 3/p' '$TMP/progress-en-80x24.txt' | grep -q '  20%, about'"
check "progress: cancelled, nothing changed" has progress-en-80x24 "The check was cancelled. Nothing was changed."
check "progress: the cancel is logged" grep -q "^> cancel" "$TMP/progress-en-80x24.log"
check "progress: back on step 2 after the cancel" sh -c "grep -c 'Check 2 of 3: Version' '$TMP/progress-en-80x24.txt' | grep -q '^4$'"
check "progress: the check then runs to the end" has progress-en-80x24 "NO DAMAGE FOUND"
golden progress-en-80x24
# and the devices' data, read after the photos, go on from where the photos
# left the bar (93%), not back to the structure's end (5%): 33 updates of
# the structure, 30 of the photos, then the first of the devices' data
{
	printf 'Enter\n1\nEnter\nEnter\n'
	i=0
	while [ $i -lt 64 ]; do printf 'Wait\n'; i=$((i + 1)); done
	printf 'Dump\nCancel\n'
} >"$TMP/progress-order.keys"
run progress-order-en-80x24 80x24 en "$TMP/progress-order.keys" good-project-A.mapeodata
check "progress: the devices' data after the photos, further along the bar" sh -c "grep -q \"│ the devices' data \" '$TMP/progress-order-en-80x24.txt' && grep -q '  93%, about' '$TMP/progress-order-en-80x24.txt'"

rm -f "$W"/good-project-A-report.* "$W/my-report.yaml" "$W/good-project-A-support.tar.gz"
run save-en-80x24 80x24 en save good-project-A.mapeodata
is "save: quit after saving: exit status 0" "$rc" 0
check "save: the text report under its proposed name" has save-en-80x24 "The report was saved as good-project-A-report.txt."
check "save: the text report is the CLI's" sh -c "grep -q '^Step 1 of 3: Configuration' '$W/good-project-A-report.txt' && grep -q '^Summary: OK' '$W/good-project-A-report.txt'"
check "save: the JSON report" grep -q '"verdict": "ok"' "$W/good-project-A-report.json"
check "save: a name taken is not replaced without asking" has save-en-80x24 "good-project-A-report.json already exists. Replace it?"
check "save: a folder that does not exist is an error" has save-en-80x24 "The report was not saved"
check "save: nothing left behind by the failed save" test ! -e "$W/no-such-folder"
check "save: the YAML report under a typed name" grep -q '^verdict: "\{0,1\}ok' "$W/my-report.yaml"
check "save: the support bundle" has save-en-80x24 "The support bundle was saved as good-project-A-support.tar.gz."
check "save: the bundle holds the reports and this session's log" sh -c \
	"tar tzf '$W/good-project-A-support.tar.gz' >'$TMP/bundle.lst' && grep -q 'report.json' '$TMP/bundle.lst' && grep -q 'session.log' '$TMP/bundle.lst'"
check "save: the session log shown" has save-en-80x24 "TERM=xterm"
check "save: the log page shows the answers" has save-en-80x24 "> 6: Read the session log"
check "save: no quit question once a report was saved" sh -c "! grep -q 'Quit syncdoctor now?' '$TMP/save-en-80x24.txt'"
golden save-en-80x24

run help-en-80x24 80x24 en help good-project-A.mapeodata
is "help: end of input after step 1: exit status 0" "$rc" 0
check "help: F1 on the welcome" has help-en-80x24 "Numbers choose items in lists"
check "help: h on the configuration step" has help-en-80x24 "should receive the data. Mapeo Desktop shows it"
check "help: ? on step 1" has help-en-80x24 "Press 1 for Option C"
check "help: the resized page" has help-en-80x24 "(132x43)"
check "help: the quit question drawn again at 100x30" sh -c "grep -A30 '(100x30)' '$TMP/help-en-80x24.txt' | grep -q 'Quit syncdoctor now?'"
check "help: too small while asking" sh -c "grep -A3 '(60x20)' '$TMP/help-en-80x24.txt' | grep -q 'The terminal is too small'"
check "help: the question again at 80x24" sh -c "grep -A30 '(80x24)' '$TMP/help-en-80x24.txt' | grep -q 'y Yes     n No'"
check "help: resizes logged" grep -q "^terminal resized to 132x43" "$TMP/help-en-80x24.log"
golden help-en-80x24

run eof-en-80x24 80x24 en eof good-project-A.mapeodata
is "end of input on the welcome: exit status 130 (nothing checked)" "$rc" 130
check "end of input: logged" grep -q "^> end of input" "$TMP/eof-en-80x24.log"
check "end of input: the terminal restored and the log named" grep -q "the session log is" "$TMP/eof-en-80x24.err"
golden eof-en-80x24

# The case journal: the second check of the same file says what the
# first one found (no golden: it holds dates).
keep_journal=1
run seen1-en-80x24 80x24 en match good-project-A.mapeodata
check "journal: the first check is not 'seen before'" sh -c "! grep -q 'Seen before' '$TMP/seen1-en-80x24.txt'"
run seen2-en-80x24 80x24 en match good-project-A.mapeodata
keep_journal=
check "journal: the second check is 'seen before'" has seen2-en-80x24 "Seen before"
check "journal: the verdict in words, not its stable name" sh -c "grep -A1 '(verdict: ' '$TMP/seen2-en-80x24.txt' | tr -s '\\n ' '  ' | grep -q 'verdict: no problems'"
check "journal: both checks recorded" sh -c "'$SYNCDOCTOR' --journal='$W/home/.local/state/syncdoctor/journal.sqlite' history --format json '$W/good-project-A.mapeodata' >'$TMP/hist.json' 2>&1; grep -c '\"verdict\": \"ok\"' '$TMP/hist.json' | grep -q '^2$'"

# Colour: on for a colour terminal, off with NO_COLOR or --no-color (the
# screens are the same text: colour is decoration only).
check "colour on by default (xterm)" grep -q "colour on, lines UTF-8" "$TMP/eof-en-80x24.log"
nocolor=1
run nocolor-en-80x24 80x24 en eof good-project-A.mapeodata
nocolor=
check "NO_COLOR: no colour" grep -q "colour off, lines UTF-8" "$TMP/nocolor-en-80x24.log"
check "NO_COLOR: the same screens" cmp -s "$TMP/eof-en-80x24.txt" "$TMP/nocolor-en-80x24.txt"
run nocolor2-en-80x24 80x24 en eof --no-color good-project-A.mapeodata
check "--no-color: no colour" grep -q "colour off" "$TMP/nocolor2-en-80x24.log"
run ascii2-en-80x24 80x24 en eof --ascii good-project-A.mapeodata
check "--ascii: logged" grep -q "lines ASCII" "$TMP/ascii2-en-80x24.log"

# A 9600-baud link (960 bytes a second): a key sends only what changed.
# cost KEYS...: the bytes curses sends for the session with those keys.
TTYOUT=
cost() {
	printf '%s\n' "$@" >"$TMP/cost.keys"
	TTYOUT=$TMP/cost.tty
	run cost-en-80x24 80x24 en "$TMP/cost.keys" good-project-A.mapeodata
	TTYOUT=
	wc -c <"$TMP/cost.tty"
}
page=$(cost Enter 1 Enter)
scroll=$(cost Enter 1 Enter Down)
scroll=$((scroll - page))
mark0=$(cost Enter)
mark=$(cost Enter Down)
mark=$((mark - mark0))
diag "bytes sent: step 2 page $page in all, one line of scrolling $scroll, moving the mark $mark"
check "9600 baud: scrolling a line sends little (under 400 bytes)" test "$scroll" -gt 0 -a "$scroll" -lt 400
check "9600 baud: moving the mark sends little (under 400 bytes)" test "$mark" -gt 0 -a "$mark" -lt 400

# The footer is never cut: it drops keys that do not fit instead.
cat "$TMP"/*.txt | grep '^ Enter/n Next' | grep -v '\(Scroll\|Choose\)$' >"$TMP/cut-footers"
check "no footer is cut" test ! -s "$TMP/cut-footers"
check "the ASCII footer drops the arrows to fit" has acs-en-80x24 "Help  PgUp/PgDn Scroll  1-4 Choose$"

# The session log: versions, terminal, pages and answers.
# XDG_STATE_HOME was relative, so (as the XDG rules say) it was ignored.
log=$(ls "$LOGS"/session-*.log 2>/dev/null | head -1)
check "session log written" test -s "$log"
check "session log: versions" grep -q "^syncdoctor .* session log" "$log"
check "session log: terminal" grep -q "^TERM=xterm" "$log"
check "session log: pages and answers" sh -c "grep -q '==== \[1/7\] Welcome to syncdoctor' '$log' && grep -q '^> ' '$log'"

done_testing
