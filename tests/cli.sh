#!/bin/sh
# The command line: options, exit codes, reports, and the promises every
# command keeps (inputs untouched, no projectKey printed).
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
A=$D/good-project-A.mapeodata
B=$D/good-project-B.mapeodata
CA=$D/config-A.v3-tar.mapeosettings
KEY_A=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
KEY_B=7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514

status "--help" 0 "$SYNCDOCTOR" --help
check "--help names the commands" grep -q "check FILE" "$TMP/out"
status "--version" 0 "$SYNCDOCTOR" --version
check "--version names the program" grep -q "^syncdoctor " "$TMP/out"
status "unknown option" 1 "$SYNCDOCTOR" --bogus
is "unknown option: a one-line error" "$(wc -l <"$TMP/err" | tr -d ' ')" "1"
check "unknown option: named" grep -q "'--bogus'" "$TMP/err"
status "unknown option of a command" 1 "$SYNCDOCTOR" check --bogus "$A"
is "unknown option of a command: one line naming it" "$(grep -c "'--bogus'.*check --help" "$TMP/err")/$(wc -l <"$TMP/err" | tr -d ' ')" "1/1"
status "unknown command" 1 "$SYNCDOCTOR" frobnicate x y
status "check without a file" 1 "$SYNCDOCTOR" check
# GNU habits (issue 17): a mistyped one-word command is an error, not the
# wizard; a missing file says so; what --help wrote must have been written.
status "unknown one-word command" 1 "$SYNCDOCTOR" chek
check "unknown one-word command: named" grep -q "unknown command 'chek'" "$TMP/err"
status "a missing file" 3 "$SYNCDOCTOR" "$TMP/no-such.mapeodata"
check "a missing file: said" grep -q "no-such.mapeodata: No such file or directory" "$TMP/err"
if [ -w /dev/full ]; then
	status "--help to a full disk" 4 sh -c "'$SYNCDOCTOR' --help >/dev/full"
	check "--help to a full disk: said" grep -q "write error" "$TMP/err"
	status "--version to a full disk" 4 sh -c "'$SYNCDOCTOR' --version >/dev/full"
	status "check --help to a full disk" 4 sh -c "'$SYNCDOCTOR' check --help >/dev/full"
fi
status "check - (standard input)" 1 "$SYNCDOCTOR" check -
check "check -: says why" grep -q "not from standard input" "$TMP/err"
# a warning (version-table-missing): exit 2, as for any warning; the
# summary says what is missing, not problems with the file
status "no version table" 2 "$SYNCDOCTOR" check --versions "$TMP/no-such.yaml" --config "$CA" "$A"
check "no version table: not 'Summary: OK'" sh -c "! grep -q '^Summary: OK' '$TMP/out' && grep -q '^Summary: INCOMPLETE' '$TMP/out' && grep -q 'version-table-missing' '$TMP/out'"
status "check a missing file" 3 "$SYNCDOCTOR" check "$TMP/no-such.mapeodata"
check "check a missing file: the reason" grep -q "no-such.mapeodata: cannot open: No such file" "$TMP/err"
check "check a missing file: no report of (0 bytes)" sh -c "! grep -q '0 bytes' '$TMP/out'"
# The progress line on a terminal (a pty from script(1)) and TERM=dumb:
# carriage returns and spaces, never an escape sequence.
if command -v script >/dev/null 2>&1; then
	TERM=dumb script -qec "'$SYNCDOCTOR' check --config '$CA' '$A' >/dev/null" "$TMP/typescript" >/dev/null 2>&1 </dev/null
	check "progress line: drawn on a terminal" grep -q "%" "$TMP/typescript"
	check "progress line: no escape sequence" sh -c "! grep -q \"\$(printf '\\033')\" '$TMP/typescript'"
else
	skip "progress line: script(1) is missing"
fi
status "check --help" 0 "$SYNCDOCTOR" check --help
status "check bad format" 1 "$SYNCDOCTOR" check --format=xml "$A"

# exit status and JSON for each case
status "healthy file, matching configuration" 0 "$SYNCDOCTOR" check --config "$CA" "$A"
check "text report names the match" grep -q "MATCH" "$TMP/out"
status "other project" 2 "$SYNCDOCTOR" check --format json --config "$CA" "$B"
is "mismatch code" "$(jq -r '[.findings[].code] | index("project-mismatch") != null' "$TMP/out")" true
check "mismatch shows Mapeo's words" grep -q "us=c9907bd) (syncfile=97c1152)" "$TMP/out"
is "config match false" "$(jq -r .config.match "$TMP/out")" false
status "missing file" 3 "$SYNCDOCTOR" check "$TMP/nothere.mapeodata"
check "missing file: message names it" grep -q "nothere.mapeodata" "$TMP/err"
status "a directory" 3 "$SYNCDOCTOR" check "$TMP"
mkfifo "$TMP/fifo"
status "a FIFO (no hang)" 3 "$SYNCDOCTOR" check "$TMP/fifo"
: >"$TMP/empty.mapeodata"
status "an empty file" 2 "$SYNCDOCTOR" check --format json --no-config "$TMP/empty.mapeodata"
is "empty: file-too-small" "$(jq -r '.findings[0].code' "$TMP/out")" file-too-small
printf x >"$TMP/one.mapeodata"
status "a file of one byte" 2 "$SYNCDOCTOR" check --format json --no-config --no-environment "$TMP/one.mapeodata"
is "one byte: said in the singular" "$(jq -r '.findings[] | select(.code == "file-too-small") | .message' "$TMP/out")" "the file has only 1 byte: Mapeo treats a file under 1024 bytes as empty and overwrites it"
head -c 5000 /dev/urandom >"$TMP/random.bin"
status "random bytes" 2 "$SYNCDOCTOR" check --no-config "$TMP/random.bin"
check "random bytes: no project is claimed" grep -q "not a Mapeo sync file, so it belongs to no project" "$TMP/out"
status "a ZIP" 2 "$SYNCDOCTOR" check --format json --no-config "$D/config-A.mapeosettings"
is "ZIP: not-a-sync-file" "$(jq -r '.findings[0].code' "$TMP/out")" not-a-sync-file
cp "$A" "$TMP/cut.mapeodata"
truncate -s 300000 "$TMP/cut.mapeodata"
status "a cut copy" 2 "$SYNCDOCTOR" check --format json --no-config "$TMP/cut.mapeodata"
is "cut: verdict" "$(jq -r .verdict "$TMP/out")" problems

# the JSON report's shape and values (fixture manifest)
"$SYNCDOCTOR" check --format json --config "$CA" "$A" >"$TMP/a.json"
is "json: era" "$(jq -r .era "$TMP/a.json")" kappa-osm-v2
is "json: discovery key" "$(jq -r .project.discovery_key "$TMP/a.json")" \
	c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af
is "json: feeds" "$(jq -c '[.feeds[] | [.index, .length, .verified]]' "$TMP/a.json")" '[[0,20,20],[1,7,7]]'
is "json: media" "$(jq -c '[.media.members, .members]' "$TMP/a.json")" '[30,32]'
is "json: observations" "$(jq -r .observations.heads "$TMP/a.json")" \
	"$(jq '.observations | length' "$D/good-project-A.expected.json")"
is "json: heads are mapeo-core's" "$(jq -c .observations.ids "$TMP/a.json")" \
	"$(jq -c '[.observations[].id]' "$D/good-project-A.expected.json")"
is "json: config" "$(jq -c '[.config.name, .config.version, .config.match]' "$TMP/a.json")" \
	'["Proyecto A","1.2.0",true]'
"$SYNCDOCTOR" check --format yaml --config "$CA" "$A" >"$TMP/a.yaml"
check "yaml: same tree" grep -q '^era: "kappa-osm-v2"' "$TMP/a.yaml"
check "yaml: findings" grep -q '^findings:' "$TMP/a.yaml"

# never a full projectKey, in any format, for any configuration
for f in text json yaml; do
	for c in "$CA" "$D/config-B.mapeosettings" "$D/config-B.v3-tar.mapeosettings"; do
		"$SYNCDOCTOR" check --format $f --config "$c" "$A" >"$TMP/k" 2>&1
		if grep -q -e "$KEY_A" -e "$KEY_B" "$TMP/k"; then
			fail "no projectKey in $f output ($(basename "$c"))"
		else
			ok "no projectKey in $f output ($(basename "$c"))"
		fi
	done
done

# inputs are never changed: bytes and mtime
cp -p "$A" "$TMP/keep.mapeodata"
before=$(sha256sum <"$TMP/keep.mapeodata")$(stat -c %Y.%y "$TMP/keep.mapeodata")
"$SYNCDOCTOR" check --config "$CA" "$TMP/keep.mapeodata" >/dev/null 2>&1
"$SYNCDOCTOR" check --quick --format json "$TMP/keep.mapeodata" >/dev/null 2>&1
after=$(sha256sum <"$TMP/keep.mapeodata")$(stat -c %Y.%y "$TMP/keep.mapeodata")
is "the checked file is unchanged" "$after" "$before"
# every command with --format refuses an unknown one the same way
# The CLI names its own options where the wizard names its steps and
# choices (tests/ui-line.sh): the same findings, the CLI's words.
says() { tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -q -- "$1"; }
"$SYNCDOCTOR" check --no-config "$A" >"$TMP/out" 2>&1
check "CLI words: no configuration" says "give this computer's configuration with --config (Mapeo Desktop's own was not found here)"
"$SYNCDOCTOR" check --no-config --format json "$A" >"$TMP/out" 2>&1
check "CLI words: its advice" says "Give this computer's configuration with --config."
"$SYNCDOCTOR" check --config "$CA" "$B" >"$TMP/out" 2>&1
check "CLI words: the configuration given" says "(given with --config)"
check "CLI words: a mismatch's next action" says "with 'syncdoctor rebuild --config'."
SYNCDOCTOR_VERSIONS=$TMP/no-such-table.yaml "$SYNCDOCTOR" check --config "$CA" "$A" >"$TMP/out" 2>&1
check "CLI words: no version table" says "or name a table with --versions."
mkdir -p "$TMP/ud/logs"
sync_errors_log "$TMP/ud/logs/2026-11-20.log" 24
"$SYNCDOCTOR" check --userdata "$TMP/ud" --config "$CA" "$A" >"$TMP/out" 2>&1
check "CLI words: the older log lines" says "older ones not shown; see 'syncdoctor env')"
cp "$A" "$TMP/exists.mapeodata"
"$SYNCDOCTOR" rebuild "$A" -o "$TMP/exists.mapeodata" >"$TMP/out" 2>&1
check "CLI words: an output that exists" says "exists.mapeodata already exists; choose another name or use --force"
mkdir "$TMP/adir"
"$SYNCDOCTOR" rebuild --force "$A" -o "$TMP/adir" >"$TMP/out" 2>&1
check "CLI words: an output that is a folder" says "adir is a folder: syncdoctor only ever replaces a regular file, even with --force; choose another name"
MK=${top_builddir}/tests/unit/mkdamage
if [ -x "$MK" ]; then
	cp "$A" "$TMP/bad.mapeodata" && chmod u+w "$TMP/bad.mapeodata"
	"$MK" data "$TMP/bad.mapeodata" 0 10
	"$SYNCDOCTOR" check --no-config "$TMP/bad.mapeodata" >"$TMP/out" 2>&1
	check "CLI words: a damaged block's advice" says "'syncdoctor rebuild --salvage --dry-run' shows what it keeps."
	check "CLI words: a damaged file's next action" says "intact with 'syncdoctor rebuild --salvage'."
	"$SYNCDOCTOR" rebuild --salvage --dry-run "$TMP/bad.mapeodata" >"$TMP/out" 2>&1
	check "CLI words: the rescue" says "'--rescue' copies them into a new feed"
	cp "$A" "$TMP/ni.mapeodata" && chmod u+w "$TMP/ni.mapeodata"
	"$MK" noindex "$TMP/ni.mapeodata"
	"$SYNCDOCTOR" check --config "$CA" "$TMP/ni.mapeodata" >"$TMP/out" 2>&1
	check "CLI words: a lost index" says "A rebuild with --config gives it the project of that configuration"
	"$SYNCDOCTOR" rebuild --dry-run "$TMP/ni.mapeodata" >"$TMP/out" 2>&1
	check "CLI words: a lost project, no configuration" says "give the configuration with --config"
	cp "$A" "$TMP/nd.mapeodata" && chmod u+w "$TMP/nd.mapeodata"
	"$MK" nodb "$TMP/nd.mapeodata"
	"$SYNCDOCTOR" check --no-config "$TMP/nd.mapeodata" >"$TMP/out" 2>&1
	check "CLI words: a missing database" says "temporary copy with 'syncdoctor env'"
else
	skip "CLI words: tests/unit/mkdamage was not built (Check is missing)"
fi

for c in check env history match diff rebuild; do
	status "$c --format xml" 1 "$SYNCDOCTOR" $c --format xml
	check "$c --format xml: says which formats exist" grep -q "unknown format 'xml' (use text, json or yaml)" "$TMP/err"
done
done_testing
