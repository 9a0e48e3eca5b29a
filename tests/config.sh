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
no    $D/config-B.mapeosettings (Proyecto B 1.3.0, 7cf22**********, us=97c1152)
MATCH $D/config-A.v3-tar.mapeosettings (Proyecto A 1.2.0, ae0a6**********, us=c9907bd)
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
check "a cut configuration: match says why" grep -q "cut.mapeosettings: the project key it names cannot be read: it is left out" "$TMP/err"
check "a cut configuration: match does not call it MAPEO" sh -c "! grep -q 'cut.mapeosettings' '$TMP/out'"
# ... nor does a rebuild write the file for the default project in silence
status "a cut configuration: rebuild --config refuses it" 2 "$SYNCDOCTOR" --no-journal rebuild --config "$TMP/cut.mapeosettings" "$A" -o "$TMP/moved.mapeodata"
check "and says why" grep -q "the project it names cannot be read, so the file is not written for it" "$TMP/err"
check "and writes nothing" sh -c "! ls '$TMP' | grep -q moved"
status "a sync file given as the configuration: refused" 2 "$SYNCDOCTOR" --no-journal rebuild --config "$D/good-project-B.mapeodata" "$A" -o "$TMP/moved.mapeodata"
check "it is named for what it is" grep -q "is a Mapeo sync file (.mapeodata), not a configuration" "$TMP/err"
# a projectKey Mapeo cannot use (63 digits)
mkdir -p "$TMP/k63" && printf '{"name":"K","projectKey":"%s"}' "$(printf '%063d' 7)" >"$TMP/k63/metadata.json"
status "a projectKey of 63 digits: rebuild --config refuses it" 2 "$SYNCDOCTOR" --no-journal rebuild --config "$TMP/k63" "$A" -o "$TMP/moved.mapeodata"
check "and says why" grep -q "cannot be used (Mapeo cannot use it either)" "$TMP/err"
status "a projectKey of 63 digits: check" 2 "$SYNCDOCTOR" --no-journal check --no-environment --config "$TMP/k63" "$A"
check "the next step is the configuration, not a damaged file" sh -c "grep -q 'The configuration given for this computer cannot be used as it is' '$TMP/out' && ! grep -q 'The file is damaged' '$TMP/out'"
# match: a file whose project cannot be read is no file of the default
# project (it said "MATCH" for config-no-key)
head -c 300000 "$A" >"$TMP/A-cut.mapeodata"
status "match: a file whose index is lost" 3 "$SYNCDOCTOR" --no-journal match "$TMP/A-cut.mapeodata" "$D/config-no-key.mapeosettings"
check "says which project cannot be told" grep -q "which project it belongs to cannot be told" "$TMP/err"
check "and matches nothing" test ! -s "$TMP/out"
status "match: a configuration given as the file" 3 "$SYNCDOCTOR" --no-journal match "$D/config-A.v3-tar.mapeosettings" "$D/config-no-key.mapeosettings"
status "match: a configuration that cannot be opened" 0 "$SYNCDOCTOR" --no-journal match "$A" "$TMP/nonexistent.mapeosettings" "$D/config-A.v3-tar.mapeosettings"
check "is named in a warning" grep -q "nonexistent.mapeosettings: cannot open: .*left out of the comparison" "$TMP/err"
# diff: the project key's difference in the forms people meet, and in words
status "diff: two projects" 2 "$SYNCDOCTOR" --no-journal diff "$D/config-A.v3-tar.mapeosettings" "$D/config-B.v3-tar.mapeosettings"
check "the projectKey line gives Mapeo's error ids" grep -q 'projectKey: "ae0a6\*\{10\} (us=c9907bd)" -> "7cf22\*\{10\} (us=97c1152)"' "$TMP/out"
check "and says it in plain words" grep -q "These two configurations belong to different projects" "$TMP/out"
# diff: nothing to compare is no difference
: >"$TMP/empty.mapeosettings"
status "diff: an empty configuration" 3 "$SYNCDOCTOR" --no-journal diff "$TMP/empty.mapeosettings" "$D/config-A.v3-tar.mapeosettings"
check "says it" grep -q "empty.mapeosettings: its metadata.json could not be read, so there is nothing to compare" "$TMP/err"
status "diff: two folders that are not configurations" 3 "$SYNCDOCTOR" --no-journal diff "$TMP" "$TMP/k63/.."
check "says what they are" grep -q "is not a Mapeo configuration folder: it has no metadata.json" "$TMP/err"
done_testing
