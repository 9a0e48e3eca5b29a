#!/bin/sh
# File-level damage in the shapes Mapeo leaves, told as it is and rebuilt
# keeping what Mapeo would: the photos of a file with no database (checked
# and counted all the same). Damaged copies are made by tests/unit/mkdamage
# from the real fixtures; each rebuild is proved with the real Mapeo
# (tests/interop).
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
MKDB=${top_builddir}/tests/unit/mkdb
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
CA=$D/config-A.v3-tar.mapeosettings
[ -x "$MK" ] && [ -x "$MKDB" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }

json() { "$SYNCDOCTOR" check --no-environment --no-config --format json "$@" >"$TMP/c.json"; }
verdict() { "$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$1" | jq -r "$2"; }

# 1. A file with no database (taken out during a sync, never put back):
# its photos are still members, checked as in any file and counted.
cp "$D/good-project-A.mapeodata" "$TMP/nodb.mapeodata"
"$MK" nodb "$TMP/nodb.mapeodata"
json "$TMP/nodb.mapeodata"
is "no database: the photos checked, none damaged" "$(jq -c '.media' "$TMP/c.json")" \
	'{"members":30,"bytes":531405,"checked":true,"damaged":0}'
status "no database: text" 2 "$SYNCDOCTOR" check --no-environment --no-config "$TMP/nodb.mapeodata"
check "no database: text says every photo opens" grep -q "Photos: 30 read, every one opens." "$TMP/out"
status "no database, --quick: text" 2 "$SYNCDOCTOR" check --quick --no-environment --no-config "$TMP/nodb.mapeodata"
check "no database, --quick: photos said not read" grep -q "Photos: not read (--quick)." "$TMP/out"
json --quick "$TMP/nodb.mapeodata"
is "no database, --quick: not said checked" "$(jq -c '.media' "$TMP/c.json")" '{"members":30,"bytes":531405,"checked":false}'

cp "$TMP/nodb.mapeodata" "$TMP/nodb-bad.mapeodata"
bad=$("$MK" photo "$TMP/nodb-bad.mapeodata" 3)
json "$TMP/nodb-bad.mapeodata"
is "no database, a photo cut: counted" "$(jq -c '[.media.checked, .media.damaged]' "$TMP/c.json")" '[true,1]'
check "no database, a photo cut: named" jq -e --arg p "$bad" \
	'any(.findings[]; .code == "media-damaged" and .member == $p)' "$TMP/c.json"
status "no database, a photo cut: text" 2 "$SYNCDOCTOR" check --no-environment --no-config "$TMP/nodb-bad.mapeodata"
check "no database, a photo cut: text counts it" grep -q "Photos: 30 read, 1 will not open (below)." "$TMP/out"
status "no database, a photo cut: YAML" 2 "$SYNCDOCTOR" check --no-environment --no-config --format yaml "$TMP/nodb-bad.mapeodata"
check "no database, a photo cut: YAML counts it" sh -c "grep -A4 '^media:' '$TMP/out' | grep -q '^  damaged: 1'"

# rebuilt with the database left in its temporary folder: the photo that
# will not open is now known (it was kept unchecked, "nothing left out"),
# so the plain mode refuses and names the salvage, which keeps every other
mkdir "$TMP/osm-p2p-syncfile-77"
"$MKDB" --temp "$D/good-project-A.mapeodata" "$TMP/osm-p2p-syncfile-77"
status "no database, a photo cut: the plain rebuild refuses" 2 "$SYNCDOCTOR" rebuild --config "$CA" \
	"$TMP/nodb-bad.mapeodata" --database "$TMP/osm-p2p-syncfile-77" -o "$TMP/nodb-r.mapeodata"
check "no database, a photo cut: the plan names the photo" grep -q "photo $bad will not open" "$TMP/out"
check "no database, a photo cut: nothing written" test ! -e "$TMP/nodb-r.mapeodata"
status "no database, a photo cut: salvaged with the temporary folder" 0 "$SYNCDOCTOR" rebuild --salvage --config "$CA" \
	"$TMP/nodb-bad.mapeodata" --database "$TMP/osm-p2p-syncfile-77" -o "$TMP/nodb-s.mapeodata"
is "no database, a photo cut: every observation, every other photo" \
	"$(verdict "$TMP/nodb-s.mapeodata" '[.verdict, .observations.heads, .media.members, .media.damaged] | join(" ")')" "ok 24 29 0"
mapeo "no database, a photo cut, salvaged" "$TMP/nodb-s.mapeodata" "$KA" 24 29
status "no database: rebuilt with the temporary folder" 0 "$SYNCDOCTOR" rebuild --config "$CA" \
	"$TMP/nodb.mapeodata" --database "$TMP/osm-p2p-syncfile-77" -o "$TMP/nodb-r.mapeodata"
is "no database: every observation and photo" \
	"$(verdict "$TMP/nodb-r.mapeodata" '[.verdict, .observations.heads, .media.members, .media.damaged] | join(" ")')" "ok 24 30 0"

done_testing
