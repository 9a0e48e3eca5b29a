#!/bin/sh
# The wizard in line mode: standard output is not a terminal, so the same
# steps run as numbered prompts read from standard input; end of input quits.
. "$(dirname "$0")/lib.sh"
unset APPDATA LOCALAPPDATA PROGRAMFILES SYNCDOCTOR_CONFIG
W=$TMP/work
mkdir -p "$W/home"
D=$SD_TEST_DATA
cp "$D/good-project-A.mapeodata" "$D/good-project-B.mapeodata" "$D/good-no-key.mapeodata" \
	"$D/config-A.v3-tar.mapeosettings" "$D/config-B.v3-tar.mapeosettings" "$W/"
chmod u+w "$W"/*
cd "$W" || exit 1
HOME=$W/home
XDG_CONFIG_HOME=$HOME/.config
XDG_STATE_HOME=$HOME/.local/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME
# Not this machine's Mapeo, temp folders or settings.
mkdir -p "$W/sysroot" "$W/tmp" "$W/etc"
SYNCDOCTOR_SYSROOT=$W/sysroot
SYNCDOCTOR_TMPDIRS=$W/tmp
SYNCDOCTOR_SYSCONFDIR=$W/etc
SYNCDOCTOR_VERSIONS=$top_srcdir/data/mapeo-versions.yaml
export SYNCDOCTOR_SYSROOT SYNCDOCTOR_TMPDIRS SYNCDOCTOR_SYSCONFDIR SYNCDOCTOR_VERSIONS
unset SYNCDOCTOR_UI_SCRIPT SYNCDOCTOR_UI_DUMP

# wiz INPUT ARGS...: run with INPUT on stdin; output in $TMP/out, status in $rc
wiz() {
	input=$1
	shift
	printf "$input" | TERM=xterm "$SYNCDOCTOR" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
has() { grep -q -- "$1" "$TMP/out"; }
# says PHRASE [FILE]: PHRASE in FILE ($TMP/out) even where it is wrapped
says() { tr '\n' ' ' <"${2:-$TMP/out}" | tr -s ' ' | grep -q -- "$1"; }

# Welcome, config 1 (config-A: the list is sorted), steps 1-3, summary, EOF.
wiz '\n1\n\n\n\n' good-project-A.mapeodata
is "match: exit status 0" "$rc" 0
check "match: welcome" has "=== Step 1 of 7: Welcome to syncdoctor ==="
check "match: the configurations found nearby are offered" has "1) Proyecto A 1.2.0: config-A.v3-tar.mapeosettings"
check "match: MATCH in big words" has "\*\*\* MATCH: SAME PROJECT \*\*\*"
check "match: footer form" has "ae0a6\*\*\*\*\*\*\*\*\*\*"
check "match: version step" has "=== Step 5 of 7: Check 2 of 3: Version ==="
check "match: corruption step" has "Observations: 24 (9 with photos, 1 deleted"
check "match: the signs answered" has "No: every observation has a sensible date."
check "match: the verdict" has "\*\*\* NO PROBLEMS FOUND \*\*\*"
check "match: the session log named" has "Session log: home/.local/state/syncdoctor/logs/session-"

# A file a salvage repaired: the photo it left out is said to be left out
# by the repair, not a photo of its own that will not open.
cp good-project-A.mapeodata photo.mapeodata
photo=$("${top_builddir}/tests/unit/mkdamage" photo photo.mapeodata 3)
"$SYNCDOCTOR" --no-journal rebuild --salvage photo.mapeodata -o salvaged.mapeodata >/dev/null 2>&1
wiz '\n1\n\n\n\n' salvaged.mapeodata
is "salvaged: exit status 0" "$rc" 0
check "salvaged: the sign names the repair" has "Yes: 1 photo was left out when this file was repaired"
check "salvaged: not called damaged" sh -c "! grep -q 'photo is damaged or missing' '$TMP/out'"
check "salvaged: the photo is named" has "$photo"

wiz '\n1\n\n\n\n' good-project-B.mapeodata
is "mismatch: exit status 2" "$rc" 2
check "mismatch: MISMATCH in big words" has "\*\*\* MISMATCH: DIFFERENT PROJECTS \*\*\*"
check "mismatch: Mapeo's own error" has "(us=c9907bd) (syncfile=97c1152)"
check "mismatch: the other configuration matches" has "matches the sync file: Proyecto B 1.3.0"
check "mismatch: Option B, step 4" has "4. On the Synchronization screen, click Create Sync File."

wiz '' good-project-A.mapeodata
is "end of input at once: exit status 130 (nothing checked)" "$rc" 130
check "end of input at once: the welcome was shown" has "Welcome to syncdoctor"

wiz '\n3\nconfig-B.v3-tar.mapeosettings\n' good-project-A.mapeodata
is "a typed configuration path: exit status 2" "$rc" 2
check "a typed configuration path is used" has "MISMATCH: DIFFERENT PROJECTS"

# The configuration file's config_search folders are offered too.
mkdir -p "$W/etc/cfgs"
cp "$D/config-B.v3-tar.mapeosettings" "$W/etc/cfgs/community.mapeosettings"
printf 'config_search:\n  - %s\n' "$W/etc/cfgs" >"$W/etc/config.yaml"
(
	SYNCDOCTOR_CONFIG=$W/etc/config.yaml
	export SYNCDOCTOR_CONFIG
	wiz '\n1\n' good-project-B.mapeodata
)
check "config_search: its configuration offered" has "1) Proyecto B 1.3.0: .*etc/cfgs/community.mapeosettings"
check "config_search: and used" has "MATCH: SAME PROJECT"

wiz '\n4\n' good-no-key.mapeodata
is "default configuration and a file without key: exit status 0" "$rc" 0
check "default configuration: MATCH" has "MATCH: SAME PROJECT"
check "default configuration: mapeo-sync" has "us=mapeo-sync"

# The core's findings, advice and next action speak the wizard's words:
# its steps and choices, never the CLI's options (the CLI keeps its own,
# tests/cli.sh). Mapeo's default configuration chosen: no file to compare.
wiz '\n4\n' good-project-A.mapeodata
check "wizard words: no configuration, choose one in the configuration step" says "no configuration to compare with: choose this computer's configuration"
check "wizard words: no configuration, no CLI option" sh -c "! grep -q -e '--config' '$TMP/out'"
# a mismatch, its report saved: the next action is the summary's repair
wiz '\n1\n\n\n\n1\nmismatch.txt\n' good-project-B.mapeodata
check "wizard words: the saved report's next action is the summary's repair" says "configuration with the summary's repair" mismatch.txt
check "wizard words: the configuration was chosen in the configuration step" says "(chosen in the configuration step)" mismatch.txt
check "wizard words: no CLI option in the saved report" sh -c "! grep -q -e '--[a-z]' -e 'syncdoctor rebuild' mismatch.txt"

# an output that exists (the repair) or is a folder (a report): the
# wizard has no --force
wiz '\n1\n\n\n\n4\n2\ngood-project-A.mapeodata\ny\n' good-project-B.mapeodata
check "wizard words: the repair's output exists" says "good-project-A.mapeodata already exists; choose another name"
check "wizard words: the repair's output, no --force" sh -c "! grep -q -e '--force' '$TMP/out'"
check "wizard words: the existing file is not replaced" cmp -s "$D/good-project-A.mapeodata" good-project-A.mapeodata
mkdir -p adir
wiz '\n1\n\n\n\n1\nadir\ny\n' good-project-B.mapeodata
check "wizard words: a folder is never replaced" says "adir is a folder: syncdoctor only ever replaces a regular file; choose another name"
check "wizard words: a folder, no --force" sh -c "! grep -q -e '--force' '$TMP/out'"
rmdir adir

# no table of Mapeo versions: the wizard's advice names the configuration
# file's version_table, not the CLI's --versions
(
	SYNCDOCTOR_VERSIONS=$W/no-such-table.yaml
	wiz '\n1\n\n\n' good-project-A.mapeodata
)
check "wizard words: no version table, name one in the configuration file" says "name a table with version_table in syncdoctor's configuration file"
check "wizard words: no version table, no CLI option" sh -c "! grep -q -e '--versions' '$TMP/out'"

# Mapeo's log with more sync errors than are shown: the older ones are
# said to be in that log (the wizard has no 'syncdoctor env')
mkdir -p "$W/manylogs/logs"
sync_errors_log "$W/manylogs/logs/2026-11-20.log" 24
printf 'mapeo_userdata: %s\n' "$W/manylogs" >"$W/etc/manylogs.yaml"
(
	SYNCDOCTOR_CONFIG=$W/etc/manylogs.yaml
	export SYNCDOCTOR_CONFIG
	wiz '\n1\n\n\n\n1\nlogs.txt\n' good-project-A.mapeodata
)
check "wizard words: the older log lines on the screen" says "older ones not shown; Mapeo's log on this computer has them)"
check "wizard words: the older log lines in the saved report" says "older ones not shown; Mapeo's log on this computer has them)" logs.txt
check "wizard words: the log lines, no CLI command" sh -c "! grep -q 'syncdoctor env' '$TMP/out' logs.txt"

wiz '\n1\n\n\n\n2\nreport.json\n8\n' good-project-A.mapeodata
is "save JSON then quit: exit status 0" "$rc" 0
check "the JSON report was saved" grep -q '"verdict": "ok"' report.json
check "the saved message" has "The report was saved as report.json."
# A temporary an earlier killed run left beside the target: the wizard
# names it and asks before removing it (issue 22).
: >.report2.json.sdtmp-AbC123
wiz '\n1\n\n\n\n2\nreport2.json\ny\n8\n' good-project-A.mapeodata
check "stale temporary: named and asked about" has ".report2.json.sdtmp-AbC123 was left by an earlier run"
check "stale temporary: removed once confirmed" test ! -e .report2.json.sdtmp-AbC123
check "stale temporary: the report still saved" grep -q '"verdict": "ok"' report2.json
wiz '\n1\n\n\n\n3\n\n8\n' good-project-A.mapeodata
check "the YAML report under its proposed name" grep -q '^verdict: "\{0,1\}ok' good-project-A-report.yaml
wiz '\n1\n\n\n\n5\n\n8\n' good-project-A.mapeodata
is "support bundle then quit: exit status 0" "$rc" 0
check "the support bundle under its proposed name" sh -c "tar tzf good-project-A-support.tar.gz | grep -q 'report.txt'"
check "the bundle saved message" has "The support bundle was saved as good-project-A-support.tar.gz."

wiz '\n1\nq\nn\nq\ny\n' good-project-A.mapeodata
is "quit asks first, then quits: exit status 0" "$rc" 0
check "quit asks first" has "Quit syncdoctor now?"

# s (sí, sim) is a yes too: the Spanish and Portuguese prompts say [s/N]
wiz '\n1\nq\ns\n\n' good-project-A.mapeodata
is "quit with s (sí): exit status 0" "$rc" 0
check "quit with s: quit at once" sh -c "! grep -q 'Step 5 of 7' '$TMP/out'"

wiz '?\nxyz\n' good-project-A.mapeodata
check "? shows the step's help" has "Numbers choose items in lists"
check "an answer not understood says so" has "That answer was not understood."

wiz '\n1\n\n\n\n4\n1\ny\n' good-project-B.mapeodata
check "repair from the summary: the plan" has "Rebuild plan for good-project-B.mapeodata"
check "repair: written and verified" has "Written and verified: good-project-B-repaired.mapeodata"
status "repair: the new file matches config A" 0 "$SYNCDOCTOR" check --config config-A.v3-tar.mapeosettings good-project-B-repaired.mapeodata
check "repair: the original is unchanged" cmp -s "$D/good-project-B.mapeodata" good-project-B.mapeodata

# A file whose database was popped out: no mode writes a file Mapeo would
# take without its observations, and the wizard says so instead of writing:
# its refusal (issue 17) says what the file would keep and where to look
# for the folder the database was left in (the summary's keys), where the
# command line asks for --database DIR.
if [ -x "${top_builddir}/tests/unit/mkdamage" ]; then
	cp "$D/good-project-A.mapeodata" popped.mapeodata
	chmod u+w popped.mapeodata
	"${top_builddir}/tests/unit/mkdamage" nodb popped.mapeodata
	wiz '\n1\n\n\n\n4\n\n' popped.mapeodata
	check "popped database: the repair is not possible" has "NO REPAIR: THE NEW FILE WOULD KEEP NO OBSERVATIONS"
	check "popped database: it asks for the folder" has "look for a database a sync left in a temporary folder"
	check "popped database: nothing written" test ! -e popped-repaired.mapeodata
	wiz '\n1\n\n\n\n1\npopped.txt\n' popped.mapeodata
	check "popped database, wizard words: the leftover copy is looked for from the summary" says "temporary copy from the summary" popped.txt
	check "popped database, wizard words: no CLI command" sh -c "! grep -q -e 'syncdoctor env' -e '--[a-z]' popped.txt"
	# a damaged block: the advice, the saved report and the plan (the
	# rescue declined) name the summary's salvage, not the CLI's options
	cp "$D/good-project-A.mapeodata" bad.mapeodata
	chmod u+w bad.mapeodata
	"${top_builddir}/tests/unit/mkdamage" data bad.mapeodata 0 10
	wiz '\n1\n\n\n\n1\nbad.txt\n4\nn\nb\n' bad.mapeodata
	check "damaged, wizard words: the advice names the summary's salvage" says "The summary's salvage keeps the blocks before damaged data"
	check "damaged, wizard words: the saved report's next action" says "is intact with the summary's salvage" bad.txt
	check "damaged, wizard words: the declined rescue" says "You chose not to copy them into a new feed"
	check "damaged, wizard words: no CLI option on the screens" sh -c "! grep -q -e 'syncdoctor rebuild' -e \"'--\" '$TMP/out'"
	check "damaged, wizard words: no CLI option in the saved report" sh -c "! grep -q -e 'syncdoctor rebuild' -e '--[a-z]' bad.txt"
	check "damaged, wizard words: nothing written" test ! -e bad-repaired.mapeodata
	# a photo's header never patched, the index naming it: Mapeo reads it
	# through the index, so the file is not why Mapeo froze
	cp "$D/good-project-A.mapeodata" unpatched.mapeodata
	chmod u+w unpatched.mapeodata
	"${top_builddir}/tests/unit/mkdamage" unpatch unpatched.mapeodata original/967423bc293d1d03e9e7b8659120e1b9.jpg
	wiz '\n1\n\n\n\n' unpatched.mapeodata
	check "unpatched photo header: small problems, not damage" has "SMALL PROBLEMS"
	check "unpatched photo header: why Mapeo froze, in plain words" says "Not because of this file. It shows that Mapeo stopped, or was closed, while it wrote the file: a header was never finished. But Mapeo finds that part through the file's table of contents, so the file opens and syncs."
else
	skip "popped database: mkdamage not built (no Check)"
fi

# No file: the places, a typed path.
wiz '\n4\ngood-project-A.mapeodata\n1\n' 
check "no file: step 2 of 7 chooses it" has "=== Step 2 of 7: Choose the sync file ==="
check "no file: a typed path is taken" has "=== Step 4 of 7: Check 1 of 3: Configuration ==="

# The database check (issue 11): this computer's Mapeo Desktop data folder
# ($XDG_CONFIG_HOME/Mapeo), built here by tests/unit/mkdb from
# good-project-A's feeds, re-signed with a 1970 date, and a photo cut.
MKDB=${top_builddir:-.}/tests/unit/mkdb
MK=${top_builddir:-.}/tests/unit/mkdamage
dbstate() { (cd "$1" && find . -type f -exec stat -c '%n %s %Y' {} + | sort && find . -type f -exec cat {} + | cksum); }
if [ -x "$MKDB" ] && [ -x "$MK" ]; then
	"$MKDB" --resign --own --key ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e \
		--epoch 0 4 good-project-A.mapeodata "$XDG_CONFIG_HOME/Mapeo" || fail "mkdb"
	photo=$(ls "$XDG_CONFIG_HOME"/Mapeo/kappa.db/media/original/*/*.jpg | head -n 1)
	truncate -s 3000 "$photo"
	before=$(dbstate "$XDG_CONFIG_HOME/Mapeo")
	rm -rf "$XDG_STATE_HOME/syncdoctor/logs"
	wiz '\n1\n\n\n\n7\n1\n\n8\n' good-project-A.mapeodata
	is "database: exit status 0 (the sync file is healthy)" "$rc" 0
	check "database: offered on a healthy file's summary" has "7) The file is healthy but the problem persists: check Mapeo.s database"
	check "database: this computer's data folder found" has "1) Check home/.config/Mapeo"
	check "database: the verdict" has "\*\*\* OBSERVATIONS TO FIX IN MAPEO \*\*\*"
	check "database: Database status" has "Device 0 (.......), this computer's own: 20/20, 20 verified"
	check "database: worst first, the cut photo" has "1. 2026-11-23 22:56, category animal-tracks"
	check "database: then the 1970 date" has "2. 1970-01-01 00:00, category tree, location -1.22187, -75.32487"
	check "database: which check failed" has "Failed: created_at or timestamp in 1970: a device clock was wrong"
	check "database: the rebuild alternative (a salvage: the cut photo)" has "syncdoctor rebuild --salvage --database home/.config/Mapeo --exclude-suspect"
	check "database: back to the summary, then quit" sh -c "grep -c '=== Step 7 of 7: Summary ===' '$TMP/out' | grep -q '^2$'"
	check "database: the page in the session log" sh -c "cat '$XDG_STATE_HOME'/syncdoctor/logs/session-*.log | grep -q 'Observation id: 82b69b77bbd9ea44'"
	is "database: never written" "$(dbstate "$XDG_CONFIG_HOME/Mapeo")" "$before"
	"$SYNCDOCTOR" history --format json "$XDG_CONFIG_HOME/Mapeo" >"$TMP/hist" 2>&1
	check "database: the check is in the case journal" sh -c "jq -e '.checks | map(select(.verdict == \"problems\")) | length >= 1' '$TMP/hist' >/dev/null"

	# the configuration file's mapeo_userdata is looked at first
	mkdir -p "$W/elsewhere"
	cp -r "$XDG_CONFIG_HOME/Mapeo" "$W/elsewhere/Mapeo"
	printf 'mapeo_userdata: %s\n' "$W/elsewhere/Mapeo" >"$W/etc/ud.yaml"
	(
		SYNCDOCTOR_CONFIG=$W/etc/ud.yaml
		export SYNCDOCTOR_CONFIG
		wiz '\n1\n\n\n\n7\n' good-project-A.mapeodata
	)
	check "mapeo_userdata: offered first" has "1) Check elsewhere/Mapeo"
	check "mapeo_userdata: then the one found" has "2) Check home/.config/Mapeo"

	# syncdoctor DIR
	wiz '\n\n' home/.config/Mapeo
	is "a database folder as argument: exit status 2" "$rc" 2
	check "a database folder as argument: step 2 of 2" has "=== Step 2 of 2: The Mapeo database ==="
	check "a database folder as argument: the list" has "2 observations to look at in Mapeo (worst first)"
	check "a database folder as argument: no other folder offered" sh -c "! grep -q 'Check another database folder' '$TMP/out'"
	"$SYNCDOCTOR" history --format json home/.config/Mapeo >"$TMP/hist" 2>&1
	check "a database folder, wizard words: no configuration beside it, no CLI option" grep -q "Mapeo Desktop's own was not found here, so this computer's project is not known" "$TMP/hist"

	# database-missing: a phone's database typed (mapeo-mobile's layout)
	cp good-project-A.mapeodata nodb.mapeodata
	"$MK" nodb nodb.mapeodata || fail "mkdamage nodb"
	"$MKDB" --own good-project-A.mapeodata "$W/phone" || fail "mkdb phone"
	mv "$W/phone/kappa.db/media" "$W/phone/media"
	mv "$W/phone/kappa.db" "$W/phone/db"
	wiz '\n1\n\n\n\n7\n2\nphone\n' nodb.mapeodata
	is "database-missing: exit status 2" "$rc" 2
	check "database-missing: the finding" has "database-missing\|The observations are missing from this file\|The observations are not in this file"
	check "database-missing: its photos read, every one complete" has "No: every photo in the file is complete."
	check "database-missing: the database check offered" has "7) The sync file holds no database: check this computer's Mapeo database"
	check "database-missing: the phone's database checked" has "\*\*\* THE DATABASE IS HEALTHY \*\*\*"
	check "database-missing: its devices" has "Device 1 (.......): 7/7, 7 verified"
	wiz '\n1\n\n\n\n7\n2\nno-such-folder\n' good-project-A.mapeodata
	check "a folder that is no database: says so" has "THE DATABASE COULD NOT BE READ"

	# the database a sync left packed (osm-p2p-db.tar) in a temporary folder:
	# offered from the summary, and the popped file rebuilt from it
	"$MKDB" --temp --packed good-project-A.mapeodata "$W/tmp/osm-p2p-syncfile-31337" || fail "mkdb --packed"
	cp nodb.mapeodata popped2.mapeodata
	wiz '\n1\n\n\n\n8\n1\n1\ny\n' popped2.mapeodata
	check "a packed leftover: offered" has "1) tmp/osm-p2p-syncfile-31337 (2 feeds)"
	check "a packed leftover: its feeds planned" says "feed 1 is taken from [^ ]*osm-p2p-syncfile-31337"
	is "a packed leftover: the file rebuilt whole" "$("$SYNCDOCTOR" check --no-config --no-environment --format json popped2-repaired.mapeodata | jq -r '[.verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 24 30"
	mapeo "a packed leftover, rebuilt in the wizard" popped2-repaired.mapeodata ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e 24 30
	# a leftover folder that is a symbolic link: not followed, not offered,
	# and said in one line
	ln -s osm-p2p-syncfile-31337 "$W/tmp/osm-p2p-syncfile-4040"
	wiz '\n1\n\n\n\n8\n' nodb.mapeodata
	check "a linked leftover: the real folder offered" has "1) tmp/osm-p2p-syncfile-31337 (2 feeds)"
	check "a linked leftover: the link not offered" sh -c "! grep -q ') tmp/osm-p2p-syncfile-4040' '$TMP/out'"
	check "a linked leftover: said" says "$W/tmp/osm-p2p-syncfile-4040 is a symbolic link: it was not followed, since others may write in a temporary folder"
	rm -rf "$W/tmp/osm-p2p-syncfile-31337" "$W/tmp/osm-p2p-syncfile-4040"
else
	skip "database: tests/unit/mkdb was not built (Check is missing)"
fi

# A configuration cut before its metadata.json, beside the file: offered
# as damaged (it was offered as MAPEO), and chosen it is refused with why
mkdir "$W/cut" && cp good-project-A.mapeodata "$W/cut/"
head -c 3000 config-A.v3-tar.mapeosettings >"$W/cut/cut.mapeosettings"
(cd "$W/cut" && wiz '\n1\n\n\n\n' good-project-A.mapeodata)
check "a cut configuration: offered as damaged" has "1) cut.mapeosettings (damaged: its project cannot be read)"
check "a cut configuration: no mismatch" sh -c "! grep -q 'MISMATCH' '$TMP/out'"
check "a cut configuration: refused when chosen, saying why" says "the project it names cannot be read, so it cannot be compared with the file"

# A file cut before its index (its project with it), the configuration
# chosen in step 1: the salvage writes the file for that configuration's
# project (it was refused with "give the configuration with --config")
if [ -x "${top_builddir}/tests/unit/mkdamage" ]; then
	mkdir "$W/noindex" && cp good-project-A.mapeodata config-A.v3-tar.mapeosettings "$W/noindex/"
	"${top_builddir}/tests/unit/mkdamage" noindex "$W/noindex/good-project-A.mapeodata"
	(cd "$W/noindex" && wiz '\n1\n\n\n\n4\n1\ny\n' good-project-A.mapeodata)
	check "no index, wizard words: the summary's repair gives it the chosen project" says "The summary's repair gives it the project of the configuration chosen"
	check "no index, wizard words: no CLI option" sh -c "! grep -q -e 'with --config' '$TMP/out'"
	check "no index: the salvage takes the chosen configuration" has "configuration \"Proyecto A 1.2.0\" (config-A.v3-tar.mapeosettings)"
	check "no index: written" has "Written and verified: good-project-A-repaired.mapeodata"
	is "no index: the new file is whole" "$("$SYNCDOCTOR" check --no-config --format json "$W/noindex/good-project-A-repaired.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
	# the same with Mapeo's default configuration chosen: no project to
	# write for, said in the wizard's words (not the CLI's "--config")
	rm -f "$W/noindex/good-project-A-repaired.mapeodata"
	(cd "$W/noindex" && wiz '\n3\n\n\n\n4\n' good-project-A.mapeodata)
	check "no index, default configuration: the repair is refused" has "The repair is not possible"
	check "no index, default configuration: says what to choose, from the core" says "good-project-A.mapeodata no longer says which project it belongs to (the part that named it is lost), and the configuration chosen has no project key"
	check "no index, default configuration: no CLI option named" sh -c "! grep -q 'give the configuration with --config' '$TMP/out'"
	check "no index, default configuration: nothing written" test ! -e "$W/noindex/good-project-A-repaired.mapeodata"
	# two databases and no index, the earlier one holding what the last
	# one lost: the summary keeps every observation the check counted
	# (they come from the earlier copy of their feed) and the plan says
	# which database gives each feed
	mkdir "$W/twodb" && cp good-project-A.mapeodata config-A.v3-tar.mapeosettings "$W/twodb/"
	"${top_builddir}/tests/unit/mkdamage" dbmerge "$W/twodb/good-project-A.mapeodata"
	(cd "$W/twodb" && wiz '\n1\n\n\n\n4\n1\ny\n' good-project-A.mapeodata)
	check "two databases: the plan says where a feed comes from" has "feed 1 (1892c3d) is taken from the earlier database"
	check "two databases: no observation counted as lost" sh -c "grep -q 'observations: \([0-9]*\) of \1 (0 lost)' '$TMP/out'"
	check "two databases: written" has "Written and verified: good-project-A-repaired.mapeodata"
	is "two databases: the new file is whole" "$("$SYNCDOCTOR" check --no-config --format json "$W/twodb/good-project-A-repaired.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
	# the end never written, over a photo and where the database was: the
	# photos are read without it, and the one the zeros cut is said
	cp good-project-A.mapeodata zeros.mapeodata
	"${top_builddir}/tests/unit/mkdamage" zeros zeros.mapeodata original/ad8b42c503eecb8be187886b9d4b49a3.png 123904
	wiz '\n1\n\n\n\n' zeros.mapeodata
	check "end unwritten: said in the corruption step" says "the file is only zeros from byte 359424 to its end"
	check "end unwritten: the photos not said complete" sh -c "! grep -q 'every photo in the file is complete' '$TMP/out'"
	check "end unwritten: the photos checked, the cut one said" says "Yes: 1 photo is damaged or missing (listed above)."
	check "end unwritten: the photos not said unchecked" sh -c "! grep -q 'Not checked: without' '$TMP/out'"
else
	skip "no index: tests/unit/mkdamage was not built (Check is missing)"
fi

# TERM=dumb, or a terminal curses does not know: line mode too (stdout is
# a pipe here anyway; tests/ui-tmux.sh checks it on a real terminal).
printf '' | TERM=dumb "$SYNCDOCTOR" good-project-A.mapeodata >"$TMP/out" 2>&1
check "TERM=dumb: line mode" has "=== Step 1 of 7"

done_testing
