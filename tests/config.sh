#!/bin/sh
# Configurations from the command line: match, diff, and the configuration
# Mapeo Desktop uses on this computer found by check.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
A=$D/good-project-A.mapeodata

status "match: one matches" 0 "$SYNCDOCTOR" match --format json "$A" "$D/config-B.mapeosettings" "$D/config-A.v3-tar.mapeosettings"
is "match: json" "$(jq -c '[.matches, .checked]' "$TMP/out")" "[[\"$D/config-A.v3-tar.mapeosettings\"],2]"
# the text and YAML renderings of the same answer (src/core/report_match.c)
status "match: text" 0 "$SYNCDOCTOR" match "$A" "$D/config-B.mapeosettings" "$D/config-A.v3-tar.mapeosettings"
is "match: text, line by line" "$(cat "$TMP/out")" "$A belongs to the project Mapeo shows as 'syncfile=c9907bd'.
no    $D/config-B.mapeosettings (Proyecto B 1.3.0, 7cf22**********)
MATCH $D/config-A.v3-tar.mapeosettings (Proyecto A 1.2.0, ae0a6**********)
1 of 2 configurations made this file."
status "match: yaml" 0 "$SYNCDOCTOR" match --format yaml "$A" "$D/config-B.mapeosettings" "$D/config-A.v3-tar.mapeosettings"
is "match: yaml, the JSON's tree" "$(sed -n '1,4p;$p' "$TMP/out")" "---
matches:
- \"$D/config-A.v3-tar.mapeosettings\"
checked: 2
  match: true"
check "match: yaml: footers only, never a key" sh -c "grep -q '^  footer: \"ae0a6\*\*\*\*\*\*\*\*\*\*\"' '$TMP/out' && ! grep -q ae0a68592 '$TMP/out'"
status "match: none" 2 "$SYNCDOCTOR" match "$A" "$D/config-B.mapeosettings" "$D/config-no-key.mapeosettings"
check "match: says none" grep -q "None of the 2" "$TMP/out"
status "match: a folder scanned" 0 "$SYNCDOCTOR" match --format json "$D/good-no-key.mapeodata" "$D"
is "match: both no-key configurations" "$(jq -r '.matches | length' "$TMP/out")" 2
status "match: unreadable file" 3 "$SYNCDOCTOR" match "$TMP/none" "$D"
status "diff: same file" 0 "$SYNCDOCTOR" diff "$D/config-A.mapeosettings" "$D/config-A.mapeosettings"
# The tar (builder 3.4.1) and ZIP (builder 6.0.0) of one project: the
# same settings, whatever the builders wrote differently.
status "diff: tar and ZIP of one project (exit 0)" 0 "$SYNCDOCTOR" diff "$D/config-A.mapeosettings" "$D/config-A.v3-tar.mapeosettings"
check "diff: tar and ZIP: the same settings" grep -q "The same settings" "$TMP/out"
check "diff: tar and ZIP: no empty-list noise" sh -c "! grep -q 'fieldRefs\|addTags\|buildDate' '$TMP/out'"
status "diff: tar and ZIP, json" 0 "$SYNCDOCTOR" diff --format json "$D/config-A.mapeosettings" "$D/config-A.v3-tar.mapeosettings"
is "diff: tar and ZIP: json says content is the same" "$(jq -r '.content_differs' "$TMP/out")" false
status "diff: A and B" 2 "$SYNCDOCTOR" diff --format json "$D/config-A.v3-tar.mapeosettings" "$D/config-B.v3-tar.mapeosettings"
is "diff: rename found" "$(jq -r '.differences[] | select(.kind == "renamed") | .old + ">" + .new' "$TMP/out")" "observed-by>observer"
is "diff: preset added" "$(jq -r '[.differences[] | select(.area == "preset" and .kind == "added") | .id] | join(",")' "$TMP/out")" mine
"$SYNCDOCTOR" diff --width 132 "$D/config-A.v3-tar.mapeosettings" "$D/config-B.v3-tar.mapeosettings" >"$TMP/wide"
check "diff: side by side when wide" grep -q " | " "$TMP/wide"
check "diff: build differences on one line" grep -q "more differences in how the files were built" "$TMP/wide"
check "diff: no build date listed" sh -c "! grep -q buildDate '$TMP/wide'"
# Columns in display cells, not bytes (issue 17): "Río" is 3 cells but
# 4 bytes, and its row's bar stays in line with the others.
LC_ALL=C.UTF-8 sed -n 's/ | .*//p' "$TMP/wide" | while IFS= read -r l; do printf '%s\n' "$l" | LC_ALL=C.UTF-8 wc -m; done | sort -u >"$TMP/cols"
is "diff: every row's bar in the same column" "$(wc -l <"$TMP/cols" | tr -d ' ')" 1
check "diff: the Río row" grep -q "es.presets.river.name: Río *| Río grande" "$TMP/wide"
# A value wider than its column wraps onto the next row, never cut.
"$SYNCDOCTOR" diff --width 120 "$D/config-A.v3-tar.mapeosettings" "$D/config-B.v3-tar.mapeosettings" >"$TMP/w120"
"$SYNCDOCTOR" diff --format json "$D/config-A.v3-tar.mapeosettings" "$D/config-B.v3-tar.mapeosettings" >"$TMP/dj"
check "diff: nothing cut" sh -c "tr -d ' |\n' <'$TMP/w120' | grep -q 'translationes.fields.observer.label:ObservadoporNombredelobservador'"
"$SYNCDOCTOR" diff --width 80 "$D/config-A.v3-tar.mapeosettings" "$D/config-B.v3-tar.mapeosettings" >"$TMP/narrow"
check "diff: unified when narrow" grep -q "^+ preset mine" "$TMP/narrow"
status "diff: missing" 3 "$SYNCDOCTOR" diff "$TMP/x" "$D/config-A.mapeosettings"
if grep -q -e ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e -e 7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514 "$TMP/wide" "$TMP/narrow" "$TMP/out"; then
	fail "diff never prints a projectKey"
else
	ok "diff never prints a projectKey"
fi

# Mapeo Desktop's own configuration, found in a fake home
mkdir -p "$TMP/home/.config/Mapeo/presets"
cp -R "$D/desktop-userdata-A/presets/default" "$TMP/home/.config/Mapeo/presets/"
HOME=$TMP/home XDG_CONFIG_HOME= "$SYNCDOCTOR" check --format json "$A" >"$TMP/auto.json"
is "check uses Mapeo Desktop's configuration" "$(jq -r '[.config.name, .config.match] | join(" ")' "$TMP/auto.json")" "Proyecto A true"
check "and says where it came from" sh -c "jq -r .config.path '$TMP/auto.json' | grep -q '.config/Mapeo/presets/default'"
HOME=$TMP/home XDG_CONFIG_HOME= "$SYNCDOCTOR" check --format json "$D/good-project-B.mapeodata" >"$TMP/autob.json"
is "and finds the mismatch" "$(jq -r .config.match "$TMP/autob.json")" false
APPDATA=$TMP/home/.config HOME=/nonexistent XDG_CONFIG_HOME= "$SYNCDOCTOR" check --format json "$A" >"$TMP/win.json"
is "Windows %APPDATA%\\Mapeo" "$(jq -r .config.name "$TMP/win.json")" "Proyecto A"
# A configuration cut before its metadata.json (where the project key is,
# block 45 of this one): its key is unknown, not the default project's. It
# used to be taken for MAPEO: "MISMATCH", "Mapeo will say us=mapeo-sync",
# and "no" in match.
head -c 3000 "$D/config-A.v3-tar.mapeosettings" >"$TMP/cut.mapeosettings"
status "a cut configuration: check" 2 "$SYNCDOCTOR" check --no-environment --format json --config "$TMP/cut.mapeosettings" "$A"
is "a cut configuration: no mismatch predicted, the damage and the unknown project said" "$(jq -r '[(.findings[] | select(.step == "configuration") | .code)] | join(" ")' "$TMP/out")" "config-damaged project-unknown"
status "a cut configuration: text" 2 "$SYNCDOCTOR" check --no-environment --config "$TMP/cut.mapeosettings" "$A"
check "a cut configuration: no MISMATCH" sh -c "! grep -q 'MISMATCH' '$TMP/out'"
status "a cut configuration: match leaves it out" 0 "$SYNCDOCTOR" match "$A" "$TMP/cut.mapeosettings" "$D/config-A.v3-tar.mapeosettings"
check "a cut configuration: match says why" grep -q "cut.mapeosettings is damaged before its metadata.json" "$TMP/err"
check "a cut configuration: match does not call it MAPEO" sh -c "! grep -q 'cut.mapeosettings' '$TMP/out'"
done_testing
