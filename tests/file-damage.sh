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

# 2. Headers of indexed-tarball's first pass (size 0) never patched. A
# photo's, in place, with the index naming it: Mapeo reads it whole through
# the index, and so does the check; a rebuild keeps it (it dropped it as
# "cut short").
P=original/967423bc293d1d03e9e7b8659120e1b9.jpg
T=thumbnail/9780225523c1e1c69cd5e02fe96ced05.jpg
cp "$D/good-project-A.mapeodata" "$TMP/up.mapeodata"
"$MK" unpatch "$TMP/up.mapeodata" "$P"
json "$TMP/up.mapeodata"
check "an unpatched photo: said, read through the index" jq -e --arg p "$P" \
	'any(.findings[]; .code == "unpatched-header" and .member == $p and (.message | test("index names it with its size \\(28813 bytes\\): Mapeo reads it whole")))' "$TMP/c.json"
is "an unpatched photo the index names: a warning, no reason to freeze" "$(jq -r --arg p "$P" '[.findings[] | select(.code == "unpatched-header" and .member == $p and (.message | test("no reason for Mapeo to freeze"))) | .severity] | join(" ")' "$TMP/c.json")" warning
is "an unpatched photo: its bytes as the index gives them" "$(jq -c '[.media.bytes, .media.damaged]' "$TMP/c.json")" '[531405,0]'
mapeo "an unpatched photo, as it is" "$TMP/up.mapeodata" "$KA" 24 30
status "an unpatched photo: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/up.mapeodata" -o "$TMP/up-r.mapeodata"
check "an unpatched photo: nothing left out" grep -q "Nothing is left out" "$TMP/out"
is "an unpatched photo: rebuilt whole" "$(verdict "$TMP/up-r.mapeodata" '[.verdict, .observations.heads, .media.members, .media.bytes] | join(" ")')" "ok 24 30 531405"
mapeo "an unpatched photo, rebuilt" "$TMP/up-r.mapeodata" "$KA" 24 30

# several at once, the index's too: Mapeo takes the index's size from its
# header and cannot open the file; the index is still read from what follows
cp "$D/good-project-A.mapeodata" "$TMP/up3.mapeodata"
"$MK" unpatch "$TMP/up3.mapeodata" "$T" "$P" ___index.json
json "$TMP/up3.mapeodata"
is "three unpatched headers: each said, the index's an error, the others warnings" "$(jq -r '[.findings[] | select(.code == "unpatched-header") | "\(.member) \(.severity)"] | join(",")' "$TMP/c.json")" "___index.json error,$T warning,$P warning"
check "three unpatched headers: the index's, Mapeo cannot open the file" jq -e \
	'any(.findings[]; .code == "unpatched-header" and .member == "___index.json" and (.message | test("reads nothing and cannot open the file")))' "$TMP/c.json"
is "three unpatched headers: the index is read, every photo and observation" "$(jq -c '[.media.members, .media.bytes, .observations.heads, ([.findings[] | select(.code == "missing-index" or .code == "damaged-index")] | length)]' "$TMP/c.json")" '[30,531405,24,0]'
mapeo_refuses "three unpatched headers" "$TMP/up3.mapeodata" "$KA"
status "three unpatched headers: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/up3.mapeodata" -o "$TMP/up3-r.mapeodata"
is "three unpatched headers: rebuilt whole" "$(verdict "$TMP/up3-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "three unpatched headers, rebuilt" "$TMP/up3-r.mapeodata" "$KA" 24 30

# as Mapeo leaves it: a photo's append during a sync died after its data,
# before the patch (no index, the database in its temporary folder). The
# photo is whole: its size is where its data ends, and a rebuild keeps it.
cp "$TMP/nodb.mapeodata" "$TMP/upc.mapeodata"
"$MK" unpatch "$TMP/upc.mapeodata" cut "$P"
json "$TMP/upc.mapeodata"
check "an append died before the patch: said with the photo's size" jq -e --arg p "$P" \
	'any(.findings[]; .code == "unpatched-header" and .member == $p and (.message | test("28813 bytes of data")))' "$TMP/c.json"
is "an append died before the patch: every photo checked, whole" "$(jq -c '.media' "$TMP/c.json")" \
	'{"members":30,"bytes":531405,"checked":true,"damaged":0}'
status "an append died before the patch: rebuilt with the temporary folder" 0 "$SYNCDOCTOR" rebuild --config "$CA" \
	"$TMP/upc.mapeodata" --database "$TMP/osm-p2p-syncfile-77" -o "$TMP/upc-r.mapeodata"
check "an append died before the patch: nothing left out" grep -q "Nothing is left out" "$TMP/out"
is "an append died before the patch: rebuilt whole" "$(verdict "$TMP/upc-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "an append died before the patch, rebuilt" "$TMP/upc-r.mapeodata" "$KA" 24 30
# and during the data: the photo is cut, said, and only it is left out
truncate -s 540000 "$TMP/upc.mapeodata"
json "$TMP/upc.mapeodata"
check "an append died in the data: the photo said cut" jq -e --arg p "$P" \
	'any(.findings[]; .code == "media-damaged" and .member == $p)' "$TMP/c.json"
status "an append died in the data: salvaged" 0 "$SYNCDOCTOR" rebuild --salvage --config "$CA" \
	"$TMP/upc.mapeodata" --database "$TMP/osm-p2p-syncfile-77" -o "$TMP/upd-r.mapeodata"
is "an append died in the data: every other photo" "$(verdict "$TMP/upd-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 29"

# 3. A photo named as a Windows writer names it ("original\\ID.jpg"):
# Mapeo on Linux imports one photo fewer (proved below); it was read as no
# photo at all, and a rebuild dropped it. Alone, and beside its POSIX copy.
cp "$D/good-project-A.mapeodata" "$TMP/win.mapeodata"
"$MK" winname "$TMP/win.mapeodata" "$P"
json "$TMP/win.mapeodata"
check "a Windows photo name: said" jq -e \
	'any(.findings[]; .code == "media-windows-name" and (.message | test("as on Windows")))' "$TMP/c.json"
is "a Windows photo name: step 2 says Mapeo on Windows wrote it, and what to do" "$(jq -r '[.findings[] | select(.step == "version" and .code == "writer-hint" and (.message | test("^1 photo is named with .* Mapeo on Windows wrote this file .* open the file on Windows, or rebuild it with syncdoctor")))] | length' "$TMP/c.json")" 1
is "a Windows photo name: read as the photo" "$(jq -c '[.media.members, .media.bytes, ([.findings[] | select(.code == "attachment-missing" or .code == "media-orphan")] | length)]' "$TMP/c.json")" '[30,531405,0]'
mapeo_refuses_photo() { # Mapeo on Linux takes 29 of the 30 photos
	if [ -n "${SYNCDOCTOR_NO_INTEROP:-}" ]; then skip "$1 (SYNCDOCTOR_NO_INTEROP set)"; return; fi
	"$top_srcdir/tests/interop/mapeo-accepts.sh" "$2" "$KA" 24 29 >"$TMP/interop.out" 2>"$TMP/interop.err"
	case $? in
	0) ok "$1" ;;
	77) skip "$1 ($(tail -n 1 "$TMP/interop.err"))" ;;
	*) fail "$1"; diag "$(cat "$TMP/interop.out" "$TMP/interop.err")" ;;
	esac
}
mapeo_refuses_photo "a Windows photo name: Mapeo on Linux imports 29 photos" "$TMP/win.mapeodata"
status "a Windows photo name: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/win.mapeodata" -o "$TMP/win-r.mapeodata"
is "a Windows photo name: rebuilt with every photo, named with '/'" "$(verdict "$TMP/win-r.mapeodata" '[.verdict, .observations.heads, .media.members, ([.findings[] | select(.code == "media-windows-name")] | length)] | join(" ")')" "ok 24 30 0"
mapeo "a Windows photo name, rebuilt" "$TMP/win-r.mapeodata" "$KA" 24 30
cp "$D/good-project-A.mapeodata" "$TMP/win2.mapeodata"
"$MK" winname "$TMP/win2.mapeodata" copy "$P"
json "$TMP/win2.mapeodata"
is "a Windows photo name beside the POSIX one: both members counted" "$(jq -r '[.media.members, ([.findings[] | select(.code == "media-windows-name")] | length)] | join(" ")' "$TMP/c.json")" "31 1"
# Mapeo on Linux finds that photo under '/': step 2 does not say it misses it
is "a Windows photo name beside the POSIX one: no hint that Mapeo on Linux misses it" "$(jq -r '[.findings[] | select(.code == "writer-hint" and (.message | test("named with")))] | length' "$TMP/c.json")" 0
mapeo "a Windows photo name beside the POSIX one, as it is: Mapeo on Linux takes every photo" "$TMP/win2.mapeodata" "$KA" 24 30
status "a Windows photo name beside the POSIX one: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/win2.mapeodata" -o "$TMP/win2-r.mapeodata"
is "a Windows photo name beside the POSIX one: one copy kept" "$(verdict "$TMP/win2-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "a Windows photo name beside the POSIX one, rebuilt" "$TMP/win2-r.mapeodata" "$KA" 24 30
# the rebuild tells copies of one name apart without keeping the names (a
# sort by their hash): with every hash alike, the same photos, in order
members() { tar -tvf "$1" | awk '{ print $3, $6 }'; }
status "a Windows photo name beside the POSIX one: rebuilt, every name hash alike" 0 env SYNCDOCTOR_NAME_HASH_BITS=1 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/win2.mapeodata" -o "$TMP/win2-h.mapeodata"
is "every name hash alike: the same photos, in the same order" "$(members "$TMP/win2-h.mapeodata")" "$(members "$TMP/win2-r.mapeodata")"
status "a Windows photo name beside the POSIX one: rebuilt, names sorted 3 at a time" 0 env SYNCDOCTOR_NAME_KEYS=3 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/win2.mapeodata" -o "$TMP/win2-k.mapeodata"
is "names sorted in parts: the same photos, in the same order" "$(members "$TMP/win2-k.mapeodata")" "$(members "$TMP/win2-r.mapeodata")"
# the POSIX copy damaged (its JPEG end zeroed), the Windows one whole: the
# copy that opens is kept (the photo was left out, "it will not open"),
# and the other way round
cp "$TMP/win2.mapeodata" "$TMP/win3.mapeodata"
ent=$(grep -ao "\"$P\":{\"offset\":[0-9]*,\"size\":[0-9]*}" "$TMP/win3.mapeodata" | tail -1)
off=$(echo "$ent" | sed 's/.*"offset":\([0-9]*\).*/\1/') size=$(echo "$ent" | sed 's/.*"size":\([0-9]*\).*/\1/')
head -c 2 /dev/zero | dd of="$TMP/win3.mapeodata" bs=1 seek=$((off + 512 + size - 2)) conv=notrunc 2>/dev/null
status "its POSIX copy damaged: salvaged" 0 "$SYNCDOCTOR" rebuild --salvage --config "$CA" "$TMP/win3.mapeodata" -o "$TMP/win3-r.mapeodata"
check "its POSIX copy damaged: nothing left out" grep -q "Nothing is left out" "$TMP/out"
is "its POSIX copy damaged: every photo kept, whole" "$(verdict "$TMP/win3-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "its POSIX copy damaged, salvaged" "$TMP/win3-r.mapeodata" "$KA" 24 30

# 4. The index pointing at a wrong offset: the member is in the file (not
# "missing"), and what Mapeo reads for it are other bytes.
cp "$D/good-project-A.mapeodata" "$TMP/io.mapeodata"
"$MK" idxoff "$TMP/io.mapeodata" "$P" 512
json "$TMP/io.mapeodata"
check "the index off for a photo: said where its header is" jq -e --arg p "$P" \
	'any(.findings[]; .code == "index-disagrees" and .member == $p and (.message | test("but its header is at byte 524800")))' "$TMP/c.json"
is "the index off for a photo: the photo still counted, not missing" "$(jq -c '[.media.members, ([.findings[] | select(.code == "attachment-missing")] | length)]' "$TMP/c.json")" '[30,0]'
status "the index off for a photo: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/io.mapeodata" -o "$TMP/io-r.mapeodata"
is "the index off for a photo: rebuilt whole" "$(verdict "$TMP/io-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"

# 4b. A photo in the file that the index does not name (its entry lost
# from the index, spaces in its place): Mapeo reads members through the
# index, so it shows 29 photos. It used to be "not in the file, did not
# travel"; it is there, and a plain rebuild writes it into the index.
cp "$D/good-project-A.mapeodata" "$TMP/ui.mapeodata"
python3 - "$TMP/ui.mapeodata" <<'PY'
import json, sys
p = sys.argv[1]
f = bytearray(open(p, 'rb').read())
h = 594944  # ___index.json's header in project A's file
size = int(f[h + 124:h + 136].strip(b'\0 '), 8)
raw = bytes(f[h + 512:h + 512 + size]).decode()
key = '"original/f7bd20e3f105ecf7ddbe193e1fca5982.jpg"'
i = raw.index(key)
j = raw.index('}', i) + 1
j += raw[j] == ','
new = raw[:i] + ' ' * (j - i) + raw[j:]
json.loads(new)
f[h + 512:h + 512 + size] = new.encode()
open(p, 'wb').write(f)
PY
status "a photo the index does not name: check" 2 "$SYNCDOCTOR" check --no-environment --no-config "$TMP/ui.mapeodata"
check "a photo the index does not name: not said to have stayed behind" sh -c "! grep -q 'did not travel\|is not in the file' '$TMP/out'"
check "a photo the index does not name: the next step is a rebuild" grep -q "'syncdoctor rebuild FILE -o OUT' writes a new" "$TMP/out"
json "$TMP/ui.mapeodata"
check "a photo the index does not name: said in the file, not seen by Mapeo" jq -e 'any(.findings[]; .code == "attachment-unindexed" and .media == "original/f7bd20e3f105ecf7ddbe193e1fca5982.jpg" and (.message | test("is in the file, but the file.s index does not name it, so Mapeo does not see it")))' "$TMP/c.json"
is "a photo the index does not name: its finding" "$(jq -r '[.findings[] | select(.severity != "info") | .code] | join(" ")' "$TMP/c.json")" "attachment-unindexed"
mapeo "a photo the index does not name, as it is (29 photos)" "$TMP/ui.mapeodata" "$KA" 24 29
status "a photo the index does not name: rebuilt" 0 "$SYNCDOCTOR" rebuild "$TMP/ui.mapeodata" -o "$TMP/ui-r.mapeodata"
check "a photo the index does not name: the plan says it is written into the index" grep -q "photos in the file that its index did not name are written" "$TMP/out"
is "a photo the index does not name: rebuilt whole" "$(verdict "$TMP/ui-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "a photo the index does not name, rebuilt" "$TMP/ui-r.mapeodata" "$KA" 24 30
mapeo "the index off for a photo, rebuilt" "$TMP/io-r.mapeodata" "$KA" 24 30
cp "$D/good-project-A.mapeodata" "$TMP/iod.mapeodata"
"$MK" idxoff "$TMP/iod.mapeodata" osm-p2p-db.tar 512
json "$TMP/iod.mapeodata"
check "the index off for the database: Mapeo cannot open the file" jq -e \
	'any(.findings[]; .code == "index-disagrees" and .member == "osm-p2p-db.tar" and (.message | test("cannot open the file")))' "$TMP/c.json"
mapeo_refuses "the index off for the database" "$TMP/iod.mapeodata" "$KA"

# 5. A second index after the file's end (a write over an older, longer
# file): Mapeo reads the last one. The same one: it takes the file; one
# that names the database 512 bytes off: said, and it refuses the file.
cp "$D/good-project-A.mapeodata" "$TMP/ti.mapeodata"
"$MK" twoindex "$TMP/ti.mapeodata"
is "two indexes, the same: read whole" "$(verdict "$TMP/ti.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "two indexes, the same" "$TMP/ti.mapeodata" "$KA" 24 30
cp "$D/good-project-A.mapeodata" "$TMP/ts.mapeodata"
"$MK" twoindex "$TMP/ts.mapeodata" stale
json "$TMP/ts.mapeodata"
check "two indexes, the last one off: said" jq -e \
	'any(.findings[]; .code == "index-disagrees" and .member == "osm-p2p-db.tar" and (.message | test("cannot open the file")))' "$TMP/c.json"
mapeo_refuses "two indexes, the last one off" "$TMP/ts.mapeodata" "$KA"
status "two indexes, the last one off: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/ts.mapeodata" -o "$TMP/ts-r.mapeodata"
is "two indexes, the last one off: rebuilt whole" "$(verdict "$TMP/ts-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "two indexes, the last one off, rebuilt" "$TMP/ts-r.mapeodata" "$KA" 24 30

# 6. A database's own tar (osm-p2p-db.tar taken out of a sync file, or
# left in a temporary osm-p2p-syncfile folder) given as a sync file: it was
# "a sync file with no database, a sync never finished"; it is a database,
# and what the words say to do with it makes a whole sync file.
mkdir "$TMP/osm-p2p-syncfile-88" "$TMP/x88"
tar -xOf "$D/good-project-A.mapeodata" osm-p2p-db.tar >"$TMP/osm-p2p-syncfile-88/osm-p2p-db.tar"
json "$TMP/osm-p2p-syncfile-88/osm-p2p-db.tar"
is "a database's tar: not a sync file, and nothing else said" "$(jq -r '[.findings[] | select(.severity != "info") | .code] | join(" ")' "$TMP/c.json")" "not-a-sync-file"
check "a database's tar: said what it is and what to do" jq -e \
	'any(.findings[]; .code == "not-a-sync-file" and (.message | test("it is a Mapeo database .*rebuild --database")))' "$TMP/c.json"
tar -xf "$TMP/osm-p2p-syncfile-88/osm-p2p-db.tar" -C "$TMP/x88"
status "a database's tar: rebuilt as it says" 0 "$SYNCDOCTOR" rebuild --config "$CA" \
	"$TMP/nodb.mapeodata" --database "$TMP/x88" -o "$TMP/x88.mapeodata"
is "a database's tar: the sync file whole" "$(verdict "$TMP/x88.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "a database's tar, put in a sync file" "$TMP/x88.mapeodata" "$KA" 24 30
status "a database's tar: rebuilt from the folder that holds it, as it says" 0 "$SYNCDOCTOR" rebuild --config "$CA" \
	"$TMP/nodb.mapeodata" --database "$TMP/osm-p2p-syncfile-88" -o "$TMP/x88b.mapeodata"
is "a database's tar, not extracted: the sync file whole" "$(verdict "$TMP/x88b.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "a database's tar, not extracted, put in a sync file" "$TMP/x88b.mapeodata" "$KA" 24 30

# A copy cut right after an entry of its database (25088 bytes into its
# osm-p2p-db.tar, at 555008: before 1/data): feed 1 is not in it, and each
# feed it holds is whole, so no plan sees a loss; the advice does not say a
# rebuild keeps everything, and names the salvage of what is intact
head -c $((555008 + 25088)) "$D/good-project-A.mapeodata" >"$TMP/cutb.mapeodata"
json "$TMP/cutb.mapeodata"
is "cut after a database entry: no rebuild said to keep everything" "$(jq -r '[.repair.rebuild_whole, .repair.salvage_whole, .repair.command] | map(tostring) | join(" ")' "$TMP/c.json")" "false false syncdoctor rebuild --salvage --config CONFIG FILE -o OUT"
check "cut after a database entry: a new sync file, or what is intact saved" jq -e \
	'.next_action | test("^The file is damaged. Make a new sync file on the computer that made it.*save what is intact with .syncdoctor rebuild --salvage --config CONFIG")' "$TMP/c.json"
status "cut after a database entry: the salvage it names" 0 "$SYNCDOCTOR" rebuild --salvage --config "$CA" "$TMP/cutb.mapeodata" -o "$TMP/cutb-r.mapeodata"
is "cut after a database entry: feed 0's observations, every photo" "$(verdict "$TMP/cutb-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 20 30"
mapeo "cut after a database entry, salvaged" "$TMP/cutb-r.mapeodata" "$KA" 20 30
# ... and the plan never says "Nothing is left out" over the cut: it names
# what lies past it as lost, whatever it held (here all of feed 1)
check "cut after a database entry: the plan says what past the cut is not in it" \
	grep -q "whatever the database held past its byte 25088, where the file ends" "$TMP/out"
check "cut after a database entry: ... and not that nothing is left out" sh -c '! grep -q "Nothing is left out" "$1"' - "$TMP/out"
# with a whole copy of the database beside it, what the cut lost may be
# there: the line goes, and the whole copy's feeds are kept
status "cut after a database entry, rebuilt with a whole copy" 0 "$SYNCDOCTOR" --no-journal rebuild "$TMP/cutb.mapeodata" "$D/good-project-A.mapeodata" -o "$TMP/cutb-w.mapeodata"
check "cut, with a whole copy: nothing said lost past the cut" sh -c '! grep -q "whatever the database held past" "$1"' - "$TMP/out"
is "cut, with a whole copy: everything" "$(verdict "$TMP/cutb-w.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
# a whole database that lacks a feed the cut one gave (another device's,
# edge-empty-device-A) cannot hold what lay past the cut: the line stays,
# and the plan never says that nothing is left out
status "cut after a database entry, planned with another device's whole file" 0 "$SYNCDOCTOR" --no-journal rebuild -n --salvage "$TMP/cutb.mapeodata" "$D/edge-empty-device-A.mapeodata" -o "$TMP/cutb-e.mapeodata"
check "cut, with another device's whole file: what past the cut is not in it" \
	grep -q "whatever the database held past its byte 25088, where the file ends" "$TMP/out"
check "cut, with another device's whole file: ... and not that nothing is left out" sh -c '! grep -q "Nothing is left out" "$1"' - "$TMP/out"

done_testing
