#!/bin/sh
# 'syncdoctor env' and the version step of 'syncdoctor check', on a fake
# computer built under a temporary HOME: a Mapeo Desktop install, its data
# folder with a configuration and logs (plain and gzip), and folders left
# by interrupted syncs in a temporary directory.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
A=$D/good-project-A.mapeodata
B=$D/good-project-B.mapeodata
KEY_A=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e

HOME=$TMP/home
XDG_CONFIG_HOME=$HOME/.config
SYNCDOCTOR_SYSROOT=$TMP/root
SYNCDOCTOR_TMPDIRS=$TMP/tmp
export HOME XDG_CONFIG_HOME SYNCDOCTOR_SYSROOT SYNCDOCTOR_TMPDIRS
unset APPDATA LOCALAPPDATA PROGRAMFILES
mkdir -p "$HOME" "$SYNCDOCTOR_TMPDIRS"

# An empty computer.
status "env, nothing installed" 0 "$SYNCDOCTOR" env
check "env: no install" grep -q "No installation found" "$TMP/out"
check "env: no data folder" grep -q "Not found" "$TMP/out"
check "env: default configuration" grep -q "footer MAPEO" "$TMP/out"
check "env: names the version table" grep -q "Version table: .*mapeo-versions.yaml" "$TMP/out"
status "env json, nothing installed" 0 "$SYNCDOCTOR" env --format json
is "env json: no installs" "$(jq '.installs | length' "$TMP/out")" 0
is "env json: userdata null" "$(jq -r '.userdata' "$TMP/out")" null
is "env json: table loaded" "$(jq '.version_table.releases > 5' "$TMP/out")" true

# Mapeo Desktop 5.4.2 in /opt, its data folder, logs, leftovers.
mkdir -p "$SYNCDOCTOR_SYSROOT/opt/Mapeo/resources/app" "$XDG_CONFIG_HOME/Mapeo/logs" \
	"$XDG_CONFIG_HOME/Mapeo/presets/default"
printf '{"name":"mapeo","productName":"Mapeo","version":"5.4.2"}' \
	>"$SYNCDOCTOR_SYSROOT/opt/Mapeo/resources/app/package.json"
printf '{"name":"Proyecto A","version":"1.2.0","projectKey":"%s"}' "$KEY_A" \
	>"$XDG_CONFIG_HOME/Mapeo/presets/default/metadata.json"
cat >"$XDG_CONFIG_HOME/Mapeo/logs/2026-11-20.log" <<'EOF'
2026-11-20T14:02:47.000Z [main] info: Locale es
2026-11-20T14:05:01.100Z [mapeo-core] error: sync error Error: trying to sync two different projects (us=97c1152) (syncfile=c9907bd)
2026-11-20T15:00:00.000Z [main] info: Stopped background processes 3ms
EOF
if command -v gzip >/dev/null 2>&1; then
	printf '%s\n' '2026-10-01T09:00:00.000Z [mapeo-core] error: sync error Error: unsupported syncfile type' |
		gzip -c >"$XDG_CONFIG_HOME/Mapeo/logs/2026-10-01.log.gz"
	nerr=2
else
	nerr=1
fi
mkdir -p "$SYNCDOCTOR_TMPDIRS/osm-p2p-syncfile-4242/multifeed/0" "$SYNCDOCTOR_TMPDIRS/osm-p2p-syncfile-5151"
head -c 32 /dev/urandom >"$SYNCDOCTOR_TMPDIRS/osm-p2p-syncfile-4242/multifeed/0/key"
# a leftover whose multifeed is a symbolic link (others may write to the
# temporary folder): never followed
mkdir "$SYNCDOCTOR_TMPDIRS/osm-p2p-syncfile-6161"
ln -s ../osm-p2p-syncfile-4242/multifeed "$SYNCDOCTOR_TMPDIRS/osm-p2p-syncfile-6161/multifeed"
# more links, each said in one line and never followed: a leftover folder
# that is a link (its name holds an escape character), a feed folder, a
# feed's key file
T=$SYNCDOCTOR_TMPDIRS
ESC=$(printf '\033')
ln -s osm-p2p-syncfile-4242 "$T/osm-p2p-syncfile-7171${ESC}[2J"
ln -s ../../osm-p2p-syncfile-4242/multifeed/0 "$T/osm-p2p-syncfile-4242/multifeed/1"
mkdir "$T/osm-p2p-syncfile-4242/multifeed/2"
ln -s ../0/key "$T/osm-p2p-syncfile-4242/multifeed/2/key"
NOTFOLLOWED="is a symbolic link: it was not followed, since others may write in a temporary folder"

status "env on a computer with Mapeo" 0 "$SYNCDOCTOR" env
check "env: the install and its version" grep -q "Version 5.4.2 in $SYNCDOCTOR_SYSROOT/opt/Mapeo" "$TMP/out"
check "env: what that version does" grep -q "empties the sync file's database" "$TMP/out"
check "env: the data folder" grep -q "^  $XDG_CONFIG_HOME/Mapeo\$" "$TMP/out"
check "env: the configuration, footer form" grep -q '"Proyecto A" 1.2.0, shown in Mapeo.s footer as ae0a6\*\*\*\*\*\*\*\*\*\*' "$TMP/out"
check "env: a sync error with its date" grep -q "2026-11-20T14:05:01 \[different projects\] .*trying to sync two different projects" "$TMP/out"
check "env: the leftover folder" grep -q "osm-p2p-syncfile-4242 (.*): a database with 1 feed$" "$TMP/out"
check "env: the empty leftover" grep -q "osm-p2p-syncfile-5151 (.*): no database" "$TMP/out"
check "env: a linked multifeed is not followed" grep -q "osm-p2p-syncfile-6161 (.*): no database" "$TMP/out"
check "env: ... and said" grep -qxF "  $T/osm-p2p-syncfile-6161/multifeed $NOTFOLLOWED" "$TMP/out"
check "env: a linked leftover folder said, its name escaped" grep -qxF "  $T/osm-p2p-syncfile-7171\\x1b[2J $NOTFOLLOWED" "$TMP/out"
check "env: ... and not listed as a leftover" sh -c "! grep -q 'osm-p2p-syncfile-7171.* (.*):' '$TMP/out'"
check "env: a linked feed folder said" grep -qxF "  $T/osm-p2p-syncfile-4242/multifeed/1 $NOTFOLLOWED" "$TMP/out"
check "env: a linked key file said" grep -qxF "  $T/osm-p2p-syncfile-4242/multifeed/2/key $NOTFOLLOWED" "$TMP/out"
is "env: one line for each link, no more" "$(grep -c "$NOTFOLLOWED" "$TMP/out")" 4
check "env: no raw escape character" sh -c "! grep -q '$ESC' '$TMP/out'"
check "env: free space" grep -q "Temporary folder $SYNCDOCTOR_TMPDIRS: .* free of" "$TMP/out"
is "env: never the project key" "$(grep -c "$KEY_A" "$TMP/out")" 0

status "env json" 0 "$SYNCDOCTOR" env --format json
is "env json: version" "$(jq -r '.installs[0].version' "$TMP/out")" 5.4.2
is "env json: release series" "$(jq -r '.installs[0].release.series' "$TMP/out")" 5.4.x
is "env json: strict check" "$(jq -r '.installs[0].release.strict_project_check' "$TMP/out")" true
is "env json: footer" "$(jq -r '.configuration.footer' "$TMP/out")" "ae0a6**********"
is "env json: sync errors" "$(jq '.sync_errors | length' "$TMP/out")" "$nerr"
is "env json: newest first" "$(jq -r '.sync_errors[0].kind' "$TMP/out")" project-mismatch
is "env json: leftovers" "$(jq '.leftover_temp | length' "$TMP/out")" 3
is "env json: the links not followed" "$(jq -r '[.links_not_followed_total, (.links_not_followed | map(sub(".*/osm-p2p-syncfile-"; "")) | sort | join(" "))] | map(tostring) | join(" ")' "$TMP/out")" "4 4242/multifeed/1 4242/multifeed/2/key 6161/multifeed 7171${ESC}[2J"
is "env json: never the key" "$(grep -c "$KEY_A" "$TMP/out")" 0
status "env yaml" 0 "$SYNCDOCTOR" env --format yaml
check "env yaml: installs" grep -q "^installs:" "$TMP/out"
status "env --userdata elsewhere" 0 "$SYNCDOCTOR" env --format json --userdata "$TMP"
is "env --userdata: its logs only" "$(jq '.logs | length' "$TMP/out")" 0

# A log line holding a NUL byte (a log a crash left): the line after it was
# read as its end and its sync error never said
mkdir -p "$TMP/nul/logs"
{
	printf '2026-11-21T10:00:00.000Z [main] info: crash \000 here\n'
	printf '2026-11-21T10:00:01.000Z [mapeo-core] error: sync error Error: Malformed file\n'
} >"$TMP/nul/logs/2026-11-21.log"
status "a NUL in a log line" 0 "$SYNCDOCTOR" env --format json --userdata "$TMP/nul"
is "a NUL in a log line: the next line's sync error is said" "$(jq -r '[.sync_errors[] | .message] | join("|")' "$TMP/out")" "[mapeo-core] error: sync error Error: Malformed file"

# The real Desktop data folder of the fixtures: its log has no sync error.
if [ -d "$D/desktop-userdata-A/logs" ]; then
	status "env on the fixture's data folder" 0 "$SYNCDOCTOR" env --format json --userdata "$D/desktop-userdata-A"
	is "fixture: one log" "$(jq '.logs | length' "$TMP/out")" 1
	is "fixture: no sync error in it" "$(jq '.sync_errors | length' "$TMP/out")" 0
	is "fixture: its configuration" "$(jq -r '.configuration.name' "$TMP/out")" "Proyecto A"
else
	skip "env on the fixture's data folder (no logs folder)"
fi

# Usage and a bad table.
status "env with a file" 1 "$SYNCDOCTOR" env "$A"
status "env bad format" 1 "$SYNCDOCTOR" env --format xml
status "env --help" 0 "$SYNCDOCTOR" env --help
status "env --versions missing" 3 "$SYNCDOCTOR" env --versions "$TMP/none.yaml"
check "env --versions missing: names the file" grep -q "$TMP/none.yaml" "$TMP/err"
printf 'format: 1\nreleases:\n  - desktop: "5.5.0"\n    writes: [oops\n' >"$TMP/bad.yaml"
status "env --versions bad YAML" 3 "$SYNCDOCTOR" env --versions "$TMP/bad.yaml"
check "env --versions bad YAML: names file and line" grep -q "$TMP/bad.yaml, line [45]" "$TMP/err"
SYNCDOCTOR_VERSIONS=$TMP/bad.yaml "$SYNCDOCTOR" env --format json >"$TMP/out" 2>"$TMP/err"
check "SYNCDOCTOR_VERSIONS is read" grep -q "bad.yaml, line" "$TMP/out"

printf 'version_table: %s\n' "$TMP/bad.yaml" >"$TMP/config.yaml"
SYNCDOCTOR_VERSIONS= SYNCDOCTOR_CONFIG=$TMP/config.yaml "$SYNCDOCTOR" env --format json >"$TMP/out" 2>"$TMP/err"
is "config.yaml version_table is read" "$(jq -r '.version_table.path' "$TMP/out")" "$TMP/bad.yaml"
SYNCDOCTOR_CONFIG=$TMP/config.yaml "$SYNCDOCTOR" env --format json >"$TMP/out" 2>"$TMP/err"
is "SYNCDOCTOR_VERSIONS wins over it" "$(jq -r '.version_table.error // "none"' "$TMP/out")" none

# The version step of 'check'.
status "check with the computer" 0 "$SYNCDOCTOR" check --no-config "$A"
s1=$(grep -n "^Step 1 of 3" "$TMP/out" | cut -d: -f1)
s2=$(grep -n "^Step 2 of 3: Version" "$TMP/out" | cut -d: -f1)
s3=$(grep -n "^Step 3 of 3" "$TMP/out" | cut -d: -f1)
check "check: version step between configuration and corruption" test "$s1" -lt "$s2" -a "$s2" -lt "$s3"
# The report wraps lines: read each step as one line.
sed -n "${s2},${s3}p" "$TMP/out" | tr '\n' ' ' | tr -s ' ' >"$TMP/step2"
sed -n "${s1},${s2}p" "$TMP/out" | tr '\n' ' ' | tr -s ' ' >"$TMP/step1"
check "check: who wrote it" grep -q "Written by: Mapeo Desktop 5.3.x and later" "$TMP/step2"
check "check: who reads it" grep -q "Can be read by: Mapeo Desktop 4.x and later" "$TMP/step2"
check "check: this computer's Mapeo" grep -q "This computer: Mapeo Desktop 5.4.2 on this" "$TMP/step2"
check "check: log evidence in step 2" grep -q "trying to sync two different" "$TMP/step2"
check "check: project log evidence in step 1" grep -q "(this file's project)" "$TMP/step1"
check "check: leftover folders" grep -q "leftover-temp-database" "$TMP/out"
check "check: log finding" grep -q "mapeo-log-error" "$TMP/out"
status "check json" 0 "$SYNCDOCTOR" check --no-config --format json "$A"
is "check json: version.readable_by" "$(jq -r '.version.readable_by' "$TMP/out")" "Mapeo Desktop 4.x and later"
is "check json: local version" "$(jq -r '.version.this_computer.version' "$TMP/out")" 5.4.2
is "check json: can read" "$(jq -r '.version.this_computer.can_read' "$TMP/out")" true
is "check json: log names this file" "$(jq -r '.version.log[0].this_file' "$TMP/out")" true
is "check json: cautions" "$(jq '.version.cautions | length > 0' "$TMP/out")" true
status "check json, other project" 0 "$SYNCDOCTOR" check --no-config --format json "$B"
is "check json: log is not about file B" "$(jq -r '.version.log[0].this_file' "$TMP/out")" false
status "check --no-environment" 0 "$SYNCDOCTOR" check --no-config --no-environment --format json "$A"
is "check --no-environment: no install looked for" "$(jq -r '.version.this_computer.found' "$TMP/out")" false
is "check --no-environment: no environment findings" \
	"$(jq '[.findings[] | select(.step == "environment")] | length' "$TMP/out")" 0
status "check --versions bad" 2 "$SYNCDOCTOR" check --no-config --versions "$TMP/bad.yaml" --format json "$A"
check "check --versions bad: said in the report" sh -c "jq -r '.version.table_error' '$TMP/out' | grep -q 'bad.yaml, line'"
is "check --versions bad: a step 2 finding" \
	"$(jq -r '[.findings[] | select(.code == "version-table-missing") | .step] | join(",")' "$TMP/out")" version
# A missing table is a finding (exit 2), in the text report too.
status "check, table missing" 2 env SYNCDOCTOR_VERSIONS="$TMP/none.yaml" "$SYNCDOCTOR" check --no-config "$A"
check "check, table missing: the finding" grep -q "version-table-missing" "$TMP/out"
check "check, table missing: names the file" grep -q "none.yaml" "$TMP/out"
status "check yaml" 0 "$SYNCDOCTOR" check --no-config --format yaml "$A"
check "check yaml: version object" grep -q "^version:" "$TMP/out"
# Past ENV_LINKS_MAX (20) links, the rest in one line with their count
mkdir "$TMP/links"
i=0
while [ $i -lt 23 ]; do
	i=$((i + 1))
	ln -s /nonexistent "$TMP/links/osm-p2p-syncfile-l$i"
done
SYNCDOCTOR_TMPDIRS=$TMP/links "$SYNCDOCTOR" env >"$TMP/out" 2>"$TMP/err"
is "many links: twenty lines" "$(grep -c "$NOTFOLLOWED" "$TMP/out")" 20
check "many links: the rest counted" grep -qx "  ... and 3 more symbolic links, not followed either" "$TMP/out"
SYNCDOCTOR_TMPDIRS=$TMP/links "$SYNCDOCTOR" env --format json >"$TMP/out" 2>"$TMP/err"
is "many links, json: twenty paths, 23 in all" "$(jq -r '[(.links_not_followed | length), .links_not_followed_total] | map(tostring) | join(" ")' "$TMP/out")" "20 23"

# Not installed yet (README's first command runs the program in the tree):
# the table is found without SYNCDOCTOR_VERSIONS.
(unset SYNCDOCTOR_VERSIONS; "$SYNCDOCTOR" check --no-config --format json "$A") >"$TMP/out" 2>"$TMP/err"
is "uninstalled: the table is found" "$(jq -r '.version.table_error // "none"' "$TMP/out")" none
done_testing
