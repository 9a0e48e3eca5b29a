#!/bin/sh
# The case journal through the binary: check then history, rebuilds,
# --journal and --no-journal, and journals that cannot be used.
. "$(dirname "$0")/lib.sh"
D=$(cd "$SD_TEST_DATA" && pwd -P) # the journal keeps real paths
A=$D/good-project-A.mapeodata
B=$D/good-project-B.mapeodata
XDG_STATE_HOME=$TMP/state
export XDG_STATE_HOME
J=$TMP/state/syncdoctor/journal.sqlite
rows() { sqlite3 "$1" "$2" 2>/dev/null; }
have_sqlite=false
command -v sqlite3 >/dev/null 2>&1 && have_sqlite=true

status "history before any check" 0 "$SYNCDOCTOR" history
check "says the journal is empty" grep -qx "The case journal holds no checks yet." "$TMP/out"
# an empty journal in each tree format: the arrays closed, the journal named
status "history before any check, json" 0 "$SYNCDOCTOR" history --format json
is "history before any check, json: empty arrays" "$(jq -c '[.checks, .rebuilds, (.journal | type)]' "$TMP/out")" '[[],[],"string"]'
status "history before any check, yaml" 0 "$SYNCDOCTOR" history --format yaml
is "history before any check, yaml" "$(sed -n 1,3p "$TMP/out")" "---
checks: []
rebuilds: []"
status "check A" 0 "$SYNCDOCTOR" check "$A"
check "the default journal was made" test -f "$J"
status "check A against B's configuration" 2 "$SYNCDOCTOR" check -c "$D/config-B.mapeosettings" "$A"
status "check B" 0 "$SYNCDOCTOR" check "$B"
status "history" 0 "$SYNCDOCTOR" history --format json
is "three checks" "$(jq '.checks | length' "$TMP/out")" 3
is "newest first" "$(jq -r '.checks[0].path' "$TMP/out")" "$B"
is "verdicts in order" "$(jq -r '[.checks[].verdict] | join(" ")' "$TMP/out")" "ok problems ok"
is "the fingerprint is BLAKE2b-256 of the file" "$(jq -r '.checks[2].fingerprint' "$TMP/out")" \
	"$(b2sum -l 256 "$A" | cut -d' ' -f1)"
is "every finding is kept" "$(jq -r '[.checks[1].findings[].code] | index("project-mismatch") != null' "$TMP/out")" true
is "the configuration compared with" "$(jq -r '.checks[1].config | [.name, .footer, .match] | join(" ")' "$TMP/out")" \
	"Proyecto B 7cf22********** false"
is "the discovery key, not the projectKey" "$(jq -r '.checks[2].discovery_key' "$TMP/out")" \
	"$("$SYNCDOCTOR" --no-journal check --format json "$A" | jq -r .project.discovery_key)"
if grep -q -e ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e \
	-e 7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514 "$J" "$TMP/out"; then
	fail "no projectKey in the journal"
else
	ok "no projectKey in the journal"
fi

status "history of A" 0 "$SYNCDOCTOR" history "$A"
check "summary" grep -q "^$A: checked 2 times; first seen without a problem on [0-9-]* [0-9:]*, with problems since [0-9-]* [0-9:]*\.$" "$TMP/out"
check "only A's checks" sh -c "! grep -q good-project-B '$TMP/out'"
cp "$A" "$TMP/renamed.mapeodata"
status "history of a copy under another name" 0 "$SYNCDOCTOR" history --format yaml "$TMP/renamed.mapeodata"
check "found by fingerprint" grep -q "checks: 2" "$TMP/out"
status "history --limit" 0 "$SYNCDOCTOR" history --limit 1 --format json
is "one check" "$(jq '.checks | length' "$TMP/out")" 1
status "history takes one file" 1 "$SYNCDOCTOR" history "$A" "$B"
status "history with --no-journal is a usage error" 1 "$SYNCDOCTOR" --no-journal history

# Healthy again at the last check.
"$SYNCDOCTOR" check "$A" >/dev/null
"$SYNCDOCTOR" history "$A" >"$TMP/h"
check "healthy again" grep -q "checked 3 times; first seen without a problem on .*, no problem at the last check on" "$TMP/h"

# --no-journal records nothing.
before=$(jq '.checks | length' <<EOF2
$("$SYNCDOCTOR" history --format json)
EOF2
)
status "check --no-journal" 0 "$SYNCDOCTOR" check --no-journal "$A"
status "--no-journal before the command" 0 "$SYNCDOCTOR" --no-journal check "$A"
"$SYNCDOCTOR" history --format json >"$TMP/h.json"
is "--no-journal recorded nothing" "$(jq '.checks | length' "$TMP/h.json")" "$before"

# --journal PATH
status "check --journal" 0 "$SYNCDOCTOR" check --journal "$TMP/other/j.sqlite" "$A"
check "the journal is where it was asked" test -f "$TMP/other/j.sqlite"
# no checkpoint (four fdatasync) when a run closes it: the commit stays in
# the WAL, and the next runs read it from there (issue 21)
check "the check's commit stays in the WAL" test -s "$TMP/other/j.sqlite-wal"
"$SYNCDOCTOR" --journal "$TMP/other/j.sqlite" history --format json >"$TMP/o.json"
is "and holds that check only" "$(jq '.checks | length' "$TMP/o.json")" 1
if $have_sqlite; then
	is "WAL mode" "$(rows "$TMP/other/j.sqlite" 'PRAGMA journal_mode')" wal
	is "schema version" "$(rows "$TMP/other/j.sqlite" 'PRAGMA user_version')" 2
else
	skip "WAL mode (no sqlite3)"
	skip "schema version (no sqlite3)"
fi

# Rebuilds: input and output fingerprints, what was dropped.
status "rebuild" 0 "$SYNCDOCTOR" rebuild --journal "$TMP/other/j.sqlite" -c "$D/config-A.v3-tar.mapeosettings" "$A" -o "$TMP/rebuilt.mapeodata"
"$SYNCDOCTOR" --journal "$TMP/other/j.sqlite" history --format json "$A" >"$TMP/r.json"
is "the rebuild is in A's history" "$(jq '.rebuilds | length' "$TMP/r.json")" 1
is "input fingerprint" "$(jq -r '.rebuilds[0].input_fingerprint' "$TMP/r.json")" "$(b2sum -l 256 "$A" | cut -d' ' -f1)"
is "output fingerprint" "$(jq -r '.rebuilds[0].output_fingerprint' "$TMP/r.json")" \
	"$(b2sum -l 256 "$TMP/rebuilt.mapeodata" | cut -d' ' -f1)"
is "outcome" "$(jq -r '.rebuilds[0] | [.mode, .outcome] | join(" ")' "$TMP/r.json")" "repair written"
is "what was dropped is a list" "$(jq -r '.rebuilds[0].dropped | type' "$TMP/r.json")" array
"$SYNCDOCTOR" --journal "$TMP/other/j.sqlite" history "$TMP/rebuilt.mapeodata" >"$TMP/r.txt"
check "and in the output's history" grep -q "repair): written" "$TMP/r.txt"
check "the text lists the rebuilds after the checks" grep -q "^Rebuilds:$" "$TMP/r.txt"
# YAML streamed row by row: checks, then rebuilds, then the journal and the
# summary, each key once
"$SYNCDOCTOR" --journal "$TMP/other/j.sqlite" history --format yaml "$A" >"$TMP/r.yaml"
is "history yaml with a rebuild: the top-level keys in order" "$(grep '^[a-z_]*:' "$TMP/r.yaml" | cut -d: -f1 | tr '\n' ' ')" "checks rebuilds journal summary "
is "history yaml with a rebuild: one rebuild row" "$(grep -c '^- id:' "$TMP/r.yaml")" "$(jq '(.checks | length) + (.rebuilds | length)' "$TMP/r.json")"
check "history yaml with a rebuild: its outcome" grep -q '^  outcome: "written"' "$TMP/r.yaml"

# A journal that cannot be used: the diagnosis still runs, same exit code.
echo "not a database, just text that is long enough to look like one" >"$TMP/damaged.sqlite"
cp "$TMP/damaged.sqlite" "$TMP/damaged.orig"
status "damaged journal: check still runs" 0 "$SYNCDOCTOR" --journal "$TMP/damaged.sqlite" check "$A"
check "with a warning" grep -q "warning: the case journal $TMP/damaged.sqlite could not be used" "$TMP/err"
check "and the full report" grep -q "^Summary: OK" "$TMP/out"
check "the damaged journal is left as it was" cmp -s "$TMP/damaged.sqlite" "$TMP/damaged.orig"
status "damaged journal: problems still exit 2" 2 "$SYNCDOCTOR" --journal "$TMP/damaged.sqlite" check -c "$D/config-B.mapeosettings" "$A"
status "damaged journal: history cannot read it" 3 "$SYNCDOCTOR" --journal "$TMP/damaged.sqlite" history
: >"$TMP/afile"
status "journal folder cannot be made: check still runs" 0 "$SYNCDOCTOR" check --journal "$TMP/afile/sub/j.sqlite" "$A"
check "with a warning" grep -q "warning: .*case journal" "$TMP/err"
mkdir -p "$TMP/ro"
"$SYNCDOCTOR" check --journal "$TMP/ro/j.sqlite" "$A" >/dev/null 2>&1
chmod 0555 "$TMP/ro"
if [ "$(id -u)" -ne 0 ]; then
	status "read-only journal folder: check still runs" 0 "$SYNCDOCTOR" check --journal "$TMP/ro/j.sqlite" "$A"
	check "with a warning" grep -q "warning: " "$TMP/err"
	status "read-only folder, new journal: check still runs" 2 "$SYNCDOCTOR" check --journal "$TMP/ro/new.sqlite" -c "$D/config-B.mapeosettings" "$A"
else
	skip "read-only journal folder (root writes anyway)"
	skip "read-only journal folder warning (root)"
	skip "read-only folder, new journal (root)"
fi
chmod 0755 "$TMP/ro"
# /proc refuses new files even to root: a place where nothing can be written.
if [ -d /proc/self ]; then
	status "unwritable place: check still runs" 2 "$SYNCDOCTOR" check --journal /proc/syncdoctor-journal.sqlite -c "$D/config-B.mapeosettings" "$A"
	check "with a warning" grep -q "^syncdoctor: warning: .*going on without the case journal" "$TMP/err"
	check "and the report" grep -q "project-mismatch\|different project" "$TMP/out"
else
	skip "unwritable place (no /proc)"
	skip "unwritable place warning (no /proc)"
	skip "unwritable place report (no /proc)"
fi
XDG_STATE_HOME= HOME= status "no HOME, no journal: check still runs" 0 "$SYNCDOCTOR" check "$A"
done_testing
