#!/bin/sh
# The damage Mapeo itself leaves, read and repaired (issue 16, h16a): a
# torn append (the database's header never patched, the file cut inside the
# inner tar), a damaged tree node over intact data, a damaged block named by
# its observation. Damaged copies are made by tests/unit/mkdamage from the
# real fixtures; each rebuild is proved with the real Mapeo (tests/interop).
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
CA=$D/config-A.v3-tar.mapeosettings
[ -x "$MK" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }

has() { jq -e --arg c "$2" 'any(.findings[]; .code == $c)' "$1" >/dev/null; }

# 1. The torn append: Mapeo died while it put the database back. Feed 0
# (20 observations) is whole; the cut falls in feed 1's bitfield.
cp "$D/good-project-A.mapeodata" "$TMP/torn.mapeodata"
"$MK" torn "$TMP/torn.mapeodata" 1/bitfield 1000
status "torn: check" 2 "$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/torn.mapeodata"
cp "$TMP/out" "$TMP/torn.json"
for c in unpatched-header missing-index missing-trailer inner-tar-damaged project-unreadable; do
	check "torn: $c is reported" has "$TMP/torn.json" "$c"
done
is "torn: the cut entry is named as inside the database" \
	"$(jq -r '[.findings[] | select(.code == "inner-tar-damaged" and .inner == "1/bitfield") | .member] | join(" ")' "$TMP/torn.json")" "osm-p2p-db.tar"
is "torn: feeds as read (length verified)" "$(jq -r '[.feeds[] | "\(.length)/\(.verified)"] | join(" ")' "$TMP/torn.json")" "20/20 0/0"
is "torn: the whole feed's observations count" "$(jq -r .observations.heads "$TMP/torn.json")" 20
check "torn: no photo called an orphan" sh -c "! jq -e 'any(.findings[]; .code == \"media-orphan\")' '$TMP/torn.json' >/dev/null"
check "torn: no project mismatch predicted" sh -c "! jq -e 'any(.findings[]; .code == \"project-mismatch\")' '$TMP/torn.json' >/dev/null"
is "torn: 30 photos, no inner entry taken for a member" "$(jq -r '[.members, .media.members] | join(" ")' "$TMP/torn.json")" "31 30"
status "torn: the text says CANNOT TELL" 2 "$SYNCDOCTOR" check --no-environment --config "$CA" "$TMP/torn.mapeodata"
check "torn: CANNOT TELL" grep -q "CANNOT TELL" "$TMP/out"
check "torn: no MISMATCH" sh -c "! grep -q MISMATCH '$TMP/out'"

status "torn: salvage" 0 "$SYNCDOCTOR" rebuild --salvage --config "$CA" "$TMP/torn.mapeodata" -o "$TMP/torn-s.mapeodata"
check "torn: the plan keeps feed 0 whole" grep -q "feed 0 (8c884bb): 20 of 20 blocks" "$TMP/out"
check "torn: the plan says the cut feed is left out" grep -q "feed 1 (1892c3d): the file was cut" "$TMP/out"
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/torn-s.mapeodata" >"$TMP/s.json"
is "torn: salvaged file verifies" "$(jq -r '[.verdict, .observations.heads, .media.members] | join(" ")' "$TMP/s.json")" "ok 20 30"
is "torn: salvaged file has no warning or problem" "$(jq -r '[.findings[] | select(.severity != "info") | .code] | unique | join(" ")' "$TMP/s.json")" ""
mapeo "torn, salvaged" "$TMP/torn-s.mapeodata" "$KA" 20 30
status "torn: default rebuild" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/torn.mapeodata" -o "$TMP/torn-d.mapeodata"
is "torn: default rebuild keeps feed 0" "$("$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/torn-d.mapeodata" | jq -r '.observations.heads')" 20
mapeo "torn, rebuilt" "$TMP/torn-d.mapeodata" "$KA" 20 30
# The cut feed is one line of what is left out (the plan's lists stay in
# step: this crashed once); a second source that holds it whole gives it,
# and then nothing is said left out.
status "torn: the plan as JSON" 0 "$SYNCDOCTOR" rebuild -n --format json --config "$CA" "$TMP/torn.mapeodata" -o "$TMP/torn-n.mapeodata"
is "torn: the cut feed is left out once" "$(jq -r '[.dropped[] | select(test("^feed 1 \\(1892c3d\\): the file was cut"))] | length' "$TMP/out")" 1
status "torn: rebuild with a whole copy beside it" 0 "$SYNCDOCTOR" rebuild --salvage --config "$CA" "$TMP/torn.mapeodata" "$D/good-project-A.mapeodata" -o "$TMP/torn-m.mapeodata"
check "torn: the other source gives feed 1" grep -q "feed 1 (1892c3d): 7 of 7 blocks" "$TMP/out"
check "torn: nothing is said left out" grep -q "Nothing is left out" "$TMP/out"
is "torn: every observation back" "$("$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/torn-m.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "torn, joined with a whole copy" "$TMP/torn-m.mapeodata" "$KA" 24 30

# The cut inside feed 1's data, before its key: the feed is said left out,
# not lost silently.
cp "$D/good-project-A.mapeodata" "$TMP/tkey.mapeodata"
"$MK" torn "$TMP/tkey.mapeodata" 1/data 300
status "torn before a key: rebuild" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/tkey.mapeodata" -o "$TMP/tkey-r.mapeodata"
check "torn before a key: the feed is said left out" grep -q "feed 1: the file was cut before its key was written" "$TMP/out"
is "torn before a key: feed 0 kept" "$("$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/tkey-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 20 30"
mapeo "torn before a key, rebuilt" "$TMP/tkey-r.mapeodata" "$KA" 20 30

# The cut inside feed 0's data: no signed length is left whole, so no
# block of feed 0 can be kept. A file of photos alone is one Mapeo takes
# and shows nothing in: every mode refuses it (as the wizard does), writes
# nothing, and names the rescue, which gives back the entries still signed.
cp "$D/good-project-A.mapeodata" "$TMP/tdata.mapeodata"
"$MK" torn "$TMP/tdata.mapeodata" 0/data 5000
for mode in "" --salvage; do
	status "torn in data: rebuild $mode refuses" 2 "$SYNCDOCTOR" --no-journal rebuild $mode --config "$CA" "$TMP/tdata.mapeodata" -o "$TMP/tdata-r.mapeodata"
	check "torn in data ($mode): the plan cuts the feed" grep -q "feed 0 (8c884bb): 0 of 20 blocks" "$TMP/out"
	check "torn in data ($mode): the plan says why" grep -q "^    - the file would keep photos and none of the observations, so Mapeo would show none; a rescue copies the entries that are still signed into a new feed$" "$TMP/out"
	check "torn in data ($mode): the plan names the rescue" grep -q "^  Rebuild with --rescue to get a file Mapeo accepts.$" "$TMP/out"
	is "torn in data ($mode): the refusal" "$(cat "$TMP/err")" "syncdoctor: the file this mode writes would hold photos and no observation: nothing was written; rebuild with --rescue"
	check "torn in data ($mode): nothing written" test ! -e "$TMP/tdata-r.mapeodata"
done
status "torn in data: the plan as JSON" 2 "$SYNCDOCTOR" --no-journal rebuild -n --format json --config "$CA" "$TMP/tdata.mapeodata"
is "torn in data: JSON names the rescue" "$(jq -r '[.clean_mode, (.refused | length), .rescuable] | join(" ")' "$TMP/out")" "--rescue 1 6"
status "torn in data: rescue" 0 "$SYNCDOCTOR" --no-journal rebuild --rescue --config "$CA" "$TMP/tdata.mapeodata" -o "$TMP/tdata-x.mapeodata"
is "torn in data: the rescued file holds the signed entries" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/tdata-x.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members, ([.findings[] | select(.severity != "info")] | length)] | join(" ")')" "ok 6 30 0"
mapeo "torn in data, rescued" "$TMP/tdata-x.mapeodata" "$KA" 6 30
# check says so too: what verifies keeps no observation, the rescue does
status "torn in data: check" 2 "$SYNCDOCTOR" --no-journal check --no-environment --no-config --format json "$TMP/tdata.mapeodata"
is "torn in data: the repair planned" "$(jq -c .repair "$TMP/out")" '{"rebuild_whole":false,"salvage_whole":false,"rescue_only":true,"salvage_refused":false,"rescue_more":0,"needs_config":true,"command":"syncdoctor rebuild --rescue --config CONFIG FILE -o OUT"}'
status "torn in data: check (text)" 2 "$SYNCDOCTOR" --no-journal check --no-environment --no-config "$TMP/tdata.mapeodata"
is "torn in data: Next names the rescue" "$(sed -n '/^  Next: /,$p' "$TMP/out" | tr '\n' ' ' | tr -s ' ')" " Next: The file is damaged: what still verifies holds none of its observations. Make a new sync file on the computer that made it, and do not leave the Synchronization screen until it finishes; or save the entries that are still signed with 'syncdoctor rebuild --rescue --config CONFIG FILE -o OUT' (they get new versions), CONFIG being the .mapeosettings file of the file's project (the file no longer says which project it belongs to). "

# The whole database written, its header never patched: nothing is lost.
cp "$D/good-project-A.mapeodata" "$TMP/unp.mapeodata"
"$MK" unpatched "$TMP/unp.mapeodata"
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/unp.mapeodata" >"$TMP/unp.json"
is "unpatched: the findings" "$(jq -r '[.findings[] | select(.severity != "info") | .code] | unique | join(" ")' "$TMP/unp.json")" "missing-index project-unreadable unpatched-header"
is "unpatched: every observation" "$(jq -r '[.observations.heads, .media.members, .members] | join(" ")' "$TMP/unp.json")" "24 30 31"
status "unpatched: rebuild" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/unp.mapeodata" -o "$TMP/unp-r.mapeodata"
is "unpatched: rebuilt file" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/unp-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "unpatched, rebuilt" "$TMP/unp-r.mapeodata" "$KA" 24 30

# Two damages at once: the append died (no index to vouch for any header)
# and a photo's header has a flipped bit in tar's magic ("ustar"), which
# also fails its checksum. Its name and size are intact and lead to the next
# header: the photo is kept, as a flip in any other byte of the header
# keeps it (it used to be left out as "not a tar header").
cp "$D/good-project-A.mapeodata" "$TMP/magic.mapeodata"
photo=$("$MK" mhdr "$TMP/magic.mapeodata" 2 260)
"$MK" unpatched "$TMP/magic.mapeodata"
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/magic.mapeodata" >"$TMP/magic.json"
is "magic and no index: every photo is read" "$(jq -r '[.media.members, ([.findings[] | select(.code == "attachment-missing")] | length)] | join(" ")' "$TMP/magic.json")" "30 0"
check "magic and no index: the damaged header is named" jq -e --arg p "$photo" 'any(.findings[]; .code == "bad-header-checksum" and .member == $p)' "$TMP/magic.json"
status "magic and no index: rebuild" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/magic.mapeodata" -o "$TMP/magic-r.mapeodata"
check "magic and no index: nothing is left out" grep -q "Nothing is left out" "$TMP/out"
is "magic and no index: rebuilt whole and clean" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/magic-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "magic and no index, rebuilt" "$TMP/magic-r.mapeodata" "$KA" 24 30

# Six headers damaged in storage and no index to vouch for any of them
# (the file cut before its index): a header's magic, a byte of a photo's
# name, a byte of another's ustar prefix, a byte of another's size. The stored checksum gives each
# damaged name or size back (the photo was kept under a name no
# observation has, or left out), so nothing is lost.
cp "$D/good-project-A.mapeodata" "$TMP/names.mapeodata"
"$MK" mhdr "$TMP/names.mapeodata" 1 260 >/dev/null
named=$("$MK" mhdr "$TMP/names.mapeodata" 2 20)
prefixed=$("$MK" mhdr "$TMP/names.mapeodata" 7 345)
sized=$("$MK" mhdr "$TMP/names.mapeodata" 20 129)
# and two flips that leave a well-formed name: a hex digit to another
# ('b' to '8'), one bit of the extension ('jpg' to 'jqg'): the photo's
# other two members (original, preview, thumbnail of one ID) tell which
hexed=$("$MK" mhdr "$TMP/names.mapeodata" 0 12 0x5a)
"$MK" mhdr "$TMP/names.mapeodata" 9 44 1 >/dev/null
"$MK" noindex "$TMP/names.mapeodata"
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/names.mapeodata" >"$TMP/names.json"
is "damaged names, no index: every photo under its name" "$(jq -r '[.media.members, .observations.heads, ([.findings[] | select(.code == "attachment-missing" or .code == "not-a-sync-file")] | length)] | join(" ")' "$TMP/names.json")" "30 24 0"
check "damaged names, no index: the name given back is said" jq -e --arg p "$named" 'any(.findings[]; .code == "bad-header-checksum" and .member == $p and (.message | test("gives it back")))' "$TMP/names.json"
check "damaged names, no index: so is the prefix" jq -e --arg p "$prefixed" 'any(.findings[]; .code == "bad-header-checksum" and .member == $p)' "$TMP/names.json"
check "damaged names, no index: a hex digit given back is said" jq -e --arg p "$hexed" 'any(.findings[]; .code == "bad-header-checksum" and .member == $p and (.message | test("gives it back")))' "$TMP/names.json"
check "damaged names, no index: a size field given back is said" jq -e --arg p "$sized" 'any(.findings[]; .code == "bad-header-checksum" and .member == $p and (.message | test("one byte of its size")))' "$TMP/names.json"
status "damaged names, no index: rebuild" 0 env SYNCDOCTOR_NAMES_BUDGET=0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/names.mapeodata" -o "$TMP/names-r.mapeodata"
is "damaged names, no index: rebuilt whole and clean" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/names-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members, ([.findings[] | select(.severity != "info")] | length)] | join(" ")')" "ok 24 30 0"
check "damaged names, no index: the photo is written under its name" sh -c "tar -tf '$TMP/names-r.mapeodata' | grep -qx '$named'"
mapeo "damaged names, no index, rebuilt" "$TMP/names-r.mapeodata" "$KA" 24 30
# one bit of the first photo's size (3302 octal becomes 103302): that
# size leads to the header of a photo eight members on, and the photos
# between were taken for its data; the first header the walk meets gives
# its size back
cp "$D/good-project-A.mapeodata" "$TMP/swallow.mapeodata"
"$MK" mhdr "$TMP/swallow.mapeodata" 0 130 1 >/dev/null
"$MK" noindex "$TMP/swallow.mapeodata"
is "a size that swallows photos: every photo is read" "$("$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/swallow.mapeodata" | jq -r '[.media.members, ([.findings[] | select(.code == "attachment-missing")] | length)] | join(" ")')" "30 0"
# one bit of the last digit of a size (3302 octal becomes 3303): it still
# leads to the next header, inside the padding, and the photo took a zero
# byte that is not its own; the size that ends at its last byte, and that
# the checksum confirms, is given back
cp "$D/good-project-A.mapeodata" "$TMP/pad.mapeodata"
padded=$("$MK" mhdr "$TMP/pad.mapeodata" 0 135 1)
"$MK" noindex "$TMP/pad.mapeodata"
status "a size off inside the padding: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/pad.mapeodata" -o "$TMP/pad-r.mapeodata"
is "a size off inside the padding: the photo has its own size" "$(tar -tvf "$TMP/pad-r.mapeodata" | awk -v p="$padded" '$6 == p {print $3}')" "$(tar -tvf "$D/good-project-A.mapeodata" | awk -v p="$padded" '$6 == p {print $3}')"
# the first header's magic flipped and no index: the file was "not a sync
# file", and nothing of it could be rebuilt
cp "$D/good-project-A.mapeodata" "$TMP/first.mapeodata"
"$MK" mhdr "$TMP/first.mapeodata" 0 260 >/dev/null
"$MK" noindex "$TMP/first.mapeodata"
is "a damaged first header, no index: still a sync file, read whole" "$("$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/first.mapeodata" | jq -r '[.media.members, .observations.heads, ([.findings[] | select(.code == "not-a-sync-file")] | length)] | join(" ")')" "30 24 0"
status "a damaged first header, no index: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/first.mapeodata" -o "$TMP/first-r.mapeodata"
is "a damaged first header, no index: rebuilt whole" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/first-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"

# The database's own header damaged and no index to name it (byte 554496
# of project A's file): one bit of its name ('osm-p2p-db.tar' read as
# 'osm,p2p-db.tar'), of a size digit (its size then leads into its own
# first entry, or into its end marker's zeros: the walk read the feeds'
# files as members), of its checksum. The database was "NO database"; the
# checksum gives the name or the size back (the size its inner tar ends
# at), and every rebuild keeps it all.
# dbhdr NAME BYTE MASK: the header's byte BYTE xor MASK, then no index
dbhdr() {
	cp "$D/good-project-A.mapeodata" "$TMP/$1.mapeodata"
	python3 - "$TMP/$1.mapeodata" "$2" "$3" <<'PY'
import sys
p, at, mask = sys.argv[1], 554496 + int(sys.argv[2]), int(sys.argv[3], 0)
with open(p, 'r+b') as f:
    f.seek(at)
    b = f.read(1)[0] ^ mask
    f.seek(at)
    f.write(bytes([b]))
PY
	"$MK" noindex "$TMP/$1.mapeodata"
}
for c in "name 3 0x01 name" "size 129 0x04 size" "short 132 0x04 size" "sum 150 0x01 -"; do
	set -- $c
	dbhdr "dbh-$1" "$2" "$3"
	"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/dbh-$1.mapeodata" >"$TMP/dbh.json"
	is "the database's header, a bit of its $1, no index: read whole" "$(jq -r '[.media.members, .observations.heads, (.feeds | map("\(.length)/\(.verified)") | join(" "))] | join(" ")' "$TMP/dbh.json")" "30 24 20/20 7/7"
	is "the database's header, a bit of its $1: said, and only that and the index" "$(jq -r '[.findings[] | select(.severity == "error") | .code] | unique | join(" ")' "$TMP/dbh.json")" "bad-header-checksum missing-index"
	case $4 in
	name) check "the database's header, a bit of its name: the name given back is said" jq -e 'any(.findings[]; .code == "bad-header-checksum" and .member == "osm-p2p-db.tar" and (.message | test("osm,p2p-db.tar")))' "$TMP/dbh.json" ;;
	size) check "the database's header, a bit of its $1: the size given back is said" jq -e 'any(.findings[]; .code == "bad-header-checksum" and .member == "osm-p2p-db.tar" and (.message | test("one byte of its size was damaged.*39936 bytes")))' "$TMP/dbh.json" ;;
	esac
	status "the database's header, a bit of its $1: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/dbh-$1.mapeodata" -o "$TMP/dbh-$1-r.mapeodata"
	check "the database's header, a bit of its $1: nothing is left out" grep -q "Nothing is left out" "$TMP/out"
	is "the database's header, a bit of its $1: rebuilt whole" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/dbh-$1-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
done
mapeo "the database's header, a bit of its name, no index, rebuilt" "$TMP/dbh-name-r.mapeodata" "$KA" 24 30
mapeo "the database's header, a bit of its size, no index, rebuilt" "$TMP/dbh-size-r.mapeodata" "$KA" 24 30

# The database appended again where the index was, and no index: which
# one counts cannot be told, the last is read, and the earlier one is said
# (it was passed over in silence), in the check and in the plan
cp "$D/good-project-A.mapeodata" "$TMP/db2.mapeodata"
"$MK" dbagain "$TMP/db2.mapeodata"
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/db2.mapeodata" >"$TMP/db2.json"
check "two databases, no index: the earlier one is said" jq -e 'any(.findings[]; .code == "dead-space" and .member == "osm-p2p-db.tar" and (.message | test("another database")))' "$TMP/db2.json"
status "two databases, no index: rebuild" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/db2.mapeodata" -o "$TMP/db2-r.mapeodata"
check "two databases, no index: the plan says what is dropped" grep -q "dead space" "$TMP/out"
check "two databases, no index: the plan says which database each feed comes from" grep -q "feed 1 (1892c3d) is taken from the last database" "$TMP/out"
check "two databases, no index: the same copies are not called data the last one lacks" sh -c "! jq -e 'any(.findings[]; .code == \"earlier-database\")' '$TMP/db2.json' >/dev/null"

# Two databases and no index, the last one lacking feed 1 and holding feed
# 0's data cut in half: the earlier one holds what the last one lost. The
# check says so (not "dead space"), and a rebuild takes each feed from the
# database with its best verified copy (it used to keep only the last
# database: feed 1 and 20 observations lost, the default mode refused).
cp "$D/good-project-A.mapeodata" "$TMP/dbm.mapeodata"
"$MK" dbmerge "$TMP/dbm.mapeodata"
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/dbm.mapeodata" >"$TMP/dbm.json"
check "an earlier database with more: the check says so" jq -e 'any(.findings[]; .code == "earlier-database" and .severity == "warning" and .member == "osm-p2p-db.tar" and (.message | test("feeds it does not have: 1; feeds it has a shorter or damaged copy of: 1")))' "$TMP/dbm.json"
check "an earlier database with more: not called dead space" sh -c "! jq -e 'any(.findings[]; .code == \"dead-space\")' '$TMP/dbm.json' >/dev/null"
# (its first 10 blocks, before the cut, are proved by the signature for
# length 20 through the nodes stored above them)
is "an earlier database with more: the check reads the last one" "$(jq -r '[.feeds[] | "\(.length)/\(.verified)"] | join(" ")' "$TMP/dbm.json")" "20/10"
"$SYNCDOCTOR" check --quick --no-environment --no-config --format json "$TMP/dbm.mapeodata" >"$TMP/dbm-q.json"
check "an earlier database, --quick: said, and that a full check compares" jq -e 'any(.findings[]; .code == "dead-space" and (.message | test("full check compares")))' "$TMP/dbm-q.json"
for mode in "" --salvage; do
	status "an earlier database with more: rebuild $mode" 0 "$SYNCDOCTOR" rebuild $mode --config "$CA" "$TMP/dbm.mapeodata" -o "$TMP/dbm-r$mode.mapeodata"
	check "an earlier database with more: the plan takes feed 0 from it ($mode)" grep -q "feed 0 (8c884bb) is taken from the earlier database in .* (osm-p2p-db.tar at byte [0-9]*, feed 0 there)" "$TMP/out"
	check "an earlier database with more: the plan takes feed 1 from it ($mode)" grep -q "feed 1 (1892c3d) is taken from the earlier database" "$TMP/out"
	check "an earlier database with more: nothing left out ($mode)" grep -q "Nothing is left out" "$TMP/out"
	is "an earlier database with more: every observation back ($mode)" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/dbm-r$mode.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members, ([.findings[] | select(.severity != "info")] | length)] | join(" ")')" "ok 24 30 0"
done
mapeo "two databases, the earlier with more, rebuilt" "$TMP/dbm-r.mapeodata" "$KA" 24 30
# Ctrl-C while the other database is compared, or while it is read for a
# rebuild: stopped there (exit 130), nothing written
status "an earlier database: Ctrl-C in the comparison" 130 env SYNCDOCTOR_TEST_INTERRUPT=other-databases "$SYNCDOCTOR" --no-journal check --no-environment --no-config "$TMP/dbm.mapeodata"
mkdir "$TMP/dbm-int"
status "an earlier database: Ctrl-C in a rebuild" 130 env SYNCDOCTOR_TEST_INTERRUPT=other-databases "$SYNCDOCTOR" --no-journal rebuild --config "$CA" "$TMP/dbm.mapeodata" -o "$TMP/dbm-int/out.mapeodata"
is "an earlier database: nothing written after Ctrl-C" "$(ls -A "$TMP/dbm-int")" ""
status "an earlier database with more: the plan as JSON" 0 "$SYNCDOCTOR" rebuild -n --format json --config "$CA" "$TMP/dbm.mapeodata" -o "$TMP/dbm-n.mapeodata"
is "an earlier database with more: JSON says each feed's database" "$(jq -r '[.feeds[] | "\(.source):\(.database_offset != null):\(.earlier_copy)"] | join(" ")' "$TMP/out")" "0:true:false 0:true:false"
status "an earlier database with more: the plan as YAML" 0 "$SYNCDOCTOR" rebuild -n --format yaml --config "$CA" "$TMP/dbm.mapeodata" -o "$TMP/dbm-n.mapeodata"
check "an earlier database with more: YAML says each feed's database" grep -q "database_offset: [0-9]" "$TMP/out"

# The shape a torn append really leaves: the database appended again and
# cut (in feed 1's bitfield) before its header was patched, the earlier
# whole database still before it. Feed 1 is whole only in the earlier one:
# it used to be left out ("the file was cut"), with 4 observations.
cp "$D/good-project-A.mapeodata" "$TMP/tdb.mapeodata"
"$MK" dbagain "$TMP/tdb.mapeodata"
"$MK" torn "$TMP/tdb.mapeodata" 1/bitfield 1000
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/tdb.mapeodata" >"$TMP/tdb.json"
check "torn after an earlier database: the check says the earlier one has more" jq -e 'any(.findings[]; .code == "earlier-database" and (.message | test("feeds it does not have: 0; feeds it has a shorter or damaged copy of: 1")))' "$TMP/tdb.json"
status "torn after an earlier database: rebuild" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/tdb.mapeodata" -o "$TMP/tdb-r.mapeodata"
check "torn after an earlier database: feed 0 from the last one" grep -q "feed 0 (8c884bb) is taken from the last database" "$TMP/out"
check "torn after an earlier database: feed 1 from the earlier one" grep -q "feed 1 (1892c3d) is taken from the earlier database" "$TMP/out"
check "torn after an earlier database: nothing left out" grep -q "Nothing is left out" "$TMP/out"
is "torn after an earlier database: every observation back" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/tdb-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "torn after an earlier database, rebuilt" "$TMP/tdb-r.mapeodata" "$KA" 24 30

# An inner entry named twice, its later copy (the one Mapeo keeps) cut to
# 5000 bytes: the check follows Mapeo and says that an earlier copy
# verifies; every rebuild copies that one (salvage used to drop feed 0).
cp "$D/good-project-A.mapeodata" "$TMP/dup.mapeodata"
"$MK" dupentry "$TMP/dup.mapeodata" 0/data 5000
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/dup.mapeodata" >"$TMP/dup.json"
is "an entry twice: the check reads Mapeo's copy (6 whole blocks before the cut)" "$(jq -r '[.feeds[] | "\(.length)/\(.verified)"] | join(" ")' "$TMP/dup.json")" "20/6 7/7"
check "an entry twice: the earlier copy is said" jq -e 'any(.findings[]; .code == "inner-tar-damaged" and .feed == 0 and (.message | test("earlier copy .* verifies 20 blocks")))' "$TMP/dup.json"
for mode in "" --salvage; do
	status "an entry twice: rebuild $mode" 0 "$SYNCDOCTOR" rebuild $mode --config "$CA" "$TMP/dup.mapeodata" -o "$TMP/dup-r$mode.mapeodata"
	check "an entry twice: the plan takes the earlier copy ($mode)" grep -q "feed 0: the database holds 0/data more than once, .* the earlier copy verifies 20 of 20 blocks" "$TMP/out"
	check "an entry twice: the plan keeps feed 0 whole ($mode)" grep -q "feed 0 (8c884bb): 20 of 20 blocks" "$TMP/out"
	is "an entry twice: every observation ($mode)" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/dup-r$mode.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members, ([.findings[] | select(.severity != "info")] | length)] | join(" ")')" "ok 24 30 0"
done
check "an entry twice: written once" sh -c "test \"\$(tar -xOf '$TMP/dup-r--salvage.mapeodata' osm-p2p-db.tar | tar -t | grep -c '^0/data\$')\" = 1"
mapeo "an entry twice, salvaged" "$TMP/dup-r--salvage.mapeodata" "$KA" 24 30
status "an entry twice: Ctrl-C while the earlier copy is tried" 130 env SYNCDOCTOR_TEST_INTERRUPT=earlier-copy "$SYNCDOCTOR" --no-journal rebuild --salvage --config "$CA" "$TMP/dup.mapeodata" -o "$TMP/dbm-int/dup.mapeodata"
is "an entry twice: nothing written after Ctrl-C" "$(ls -A "$TMP/dbm-int")" ""
status "an entry twice: the plan as JSON" 0 "$SYNCDOCTOR" rebuild -n --format json --config "$CA" "$TMP/dup.mapeodata" -o "$TMP/dup-n.mapeodata"
is "an entry twice: JSON says the earlier copy" "$(jq -r '[.feeds[] | .earlier_copy] | join(" ")' "$TMP/out")" "true false"

# 3. A damaged tree node over intact data: the node is named, the data is
# said intact, and the advice says what salvage then does.
cp "$D/good-project-A.mapeodata" "$TMP/node.mapeodata"
"$MK" node "$TMP/node.mapeodata" 0 1
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/node.mapeodata" >"$TMP/node.json"
is "node: named as a tree node" "$(jq -r '[.findings[] | select(.severity != "info") | .code] | unique | join(" ")' "$TMP/node.json")" "feed-tree-damaged"
check "node: the data is said intact" jq -e 'any(.findings[]; .code == "feed-tree-damaged" and (.message | test("tree node 1 .*intact")))' "$TMP/node.json"
check "node: the advice names the salvage that computes it again" jq -e 'any(.findings[]; .code == "feed-tree-damaged" and (.advice // "" | test("computes the damaged node again")))' "$TMP/node.json"
status "node: salvage" 0 "$SYNCDOCTOR" rebuild --salvage "$TMP/node.mapeodata" -o "$TMP/node-s.mapeodata"
check "node: the plan computes it again" grep -q "computed again" "$TMP/out"
check "node: the plan keeps every block" grep -q "feed 0 (8c884bb): 20 of 20 blocks" "$TMP/out"
is "node: nothing lost" "$("$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/node-s.mapeodata" | jq -r '[.verdict, .observations.heads] | join(" ")')" "ok 24"
mapeo "node, salvaged" "$TMP/node-s.mapeodata" "$KA" 24 30

# 9. A damaged block: its observation is named and is a suspect.
cp "$D/good-project-A.mapeodata" "$TMP/block.mapeodata"
"$MK" data "$TMP/block.mapeodata" 0 10
"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/block.mapeodata" >"$TMP/block.json"
is "block: the finding names the observation" "$(jq -r '[.findings[] | select(.code == "feed-hash-mismatch") | .observation] | join(" ")' "$TMP/block.json")" "7645136f660f12fc"
is "block: it is a suspect" "$(jq -r '[.observations.suspect[].id] | join(" ")' "$TMP/block.json")" "7645136f660f12fc"

# The end never written: a copy to a USB stick taken out too soon, or a
# computer that lost power, leaves a file of full length that is zeros (or
# a sparse hole) from some byte on. Here from inside the PNG photo before
# the database: the database is lost with the rest, and the file says so,
# not "taken out during a sync".
png=original/ad8b42c503eecb8be187886b9d4b49a3.png
for how in zeros hole; do
	cp "$D/good-project-A.mapeodata" "$TMP/z-$how.mapeodata"
	if [ $how = zeros ]; then
		"$MK" zeros "$TMP/z-$how.mapeodata" "$png" 123904
	else
		"$MK" zeros "$TMP/z-$how.mapeodata" "$png" 123904 hole
	fi
	is "end unwritten ($how): the size is kept" "$(wc -c <"$TMP/z-$how.mapeodata" | tr -d ' ')" 599040
	status "end unwritten ($how): check" 2 "$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/z-$how.mapeodata"
	cp "$TMP/out" "$TMP/z-$how.json"
	check "end unwritten ($how): said, from where, over which photo" jq -e --arg p "$png" \
		'any(.findings[]; .code == "truncated-file" and .member == $p and .offset == 359424 and (.message | test("only zeros from byte 359424")))' "$TMP/z-$how.json"
	check "end unwritten ($how): the database lost there, not taken out by a sync" jq -e \
		'any(.findings[]; .code == "database-missing" and (.message | test("zeros from byte 359424")) and (.message | test("never put back") | not))' "$TMP/z-$how.json"
	check "end unwritten ($how): no writer hint from the zeros" sh -c "! jq -e 'any(.findings[]; .code == \"writer-hint\" and (.message | test(\"extra zero block\")))' '$TMP/z-$how.json' >/dev/null"
	check "end unwritten ($how): next, copy it again" jq -e '.next_action | test("Copy it again")' "$TMP/z-$how.json"
done
status "end unwritten: rebuild refuses" 2 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/z-zeros.mapeodata" -o "$TMP/z-r.mapeodata"
check "end unwritten: the plan says why" grep -q "its end never written; copy the file again" "$TMP/out"
check "end unwritten: nothing written" test ! -e "$TMP/z-r.mapeodata"
# from inside the database: its inner tar is read as far as it goes
cp "$D/good-project-A.mapeodata" "$TMP/z-db.mapeodata"
"$MK" zeros "$TMP/z-db.mapeodata" osm-p2p-db.tar 15000
status "end unwritten in the database: check" 2 "$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/z-db.mapeodata"
check "end unwritten in the database: said, over the database" jq -e \
	'any(.findings[]; .code == "truncated-file" and .member == "osm-p2p-db.tar" and (.message | test("only zeros")))' "$TMP/out"
# what Mapeo writes ends in about 1.5 KiB of zeros (its inner tar's end,
# the trailer): none of those is taken for an end never written
for mode in unpatched dbagain noindex; do
	cp "$D/good-project-A.mapeodata" "$TMP/zc-$mode.mapeodata"
	"$MK" $mode "$TMP/zc-$mode.mapeodata"
	"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/zc-$mode.mapeodata" >"$TMP/zc.json"
	check "$mode: no end said unwritten" sh -c "! jq -e 'any(.findings[]; .code == \"truncated-file\")' '$TMP/zc.json' >/dev/null"
done

# Bytes added after a whole end (index, then its 1024 zeros), as a
# download or transfer tool may leave. Mapeo looks for the index from the
# end, 512 bytes at a time: 1024 bytes more are skipped (the file is
# healthy, not "damaged"); 42 more, or a block with tar's "ustar" where it
# looks, and it finds no index.
cp "$D/good-project-A.mapeodata" "$TMP/x-block.mapeodata"
yes 'appended by a transfer tool' | head -c 1024 >>"$TMP/x-block.mapeodata"
status "bytes after the end, 1024: check" 0 "$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/x-block.mapeodata"
check "bytes after the end, 1024: said, where" jq -e \
	'any(.findings[]; .code == "dead-space" and .offset == 599040 and (.message | test("1024 bytes after its end")))' "$TMP/out"
is "bytes after the end, 1024: every observation" "$(jq -r '[.verdict, .observations.heads, .media.members] | join(" ")' "$TMP/out")" "ok 24 30"
mapeo "bytes after the end, 1024" "$TMP/x-block.mapeodata" "$KA" 24 30
cp "$D/good-project-A.mapeodata" "$TMP/x-odd.mapeodata"
yes 'appended by a transfer tool' | head -c 42 >>"$TMP/x-odd.mapeodata"
status "bytes after the end, 42: check" 2 "$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/x-odd.mapeodata"
check "bytes after the end, 42: said, not a cut copy" jq -e \
	'any(.findings[]; .code == "truncated-file" and .offset == 599040 and (.message | test("42 bytes after its end")))' "$TMP/out"
mapeo_refuses "bytes after the end, 42" "$TMP/x-odd.mapeodata" "$KA"
status "bytes after the end, 42: rebuild" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/x-odd.mapeodata" -o "$TMP/x-odd-r.mapeodata"
check "bytes after the end, 42: the plan drops them" grep -q "the 42 bytes added after the file's end are dropped" "$TMP/out"
is "bytes after the end, 42: rebuilt whole and clean" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/x-odd-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members, ([.findings[] | select(.severity != "info")] | length)] | join(" ")')" "ok 24 30 0"
mapeo "bytes after the end, 42, rebuilt" "$TMP/x-odd-r.mapeodata" "$KA" 24 30
cp "$D/good-project-A.mapeodata" "$TMP/x-ustar.mapeodata"
{ yes 'appended' | head -c 257; printf ustar; yes 'appended' | head -c 1274; } >>"$TMP/x-ustar.mapeodata"
status "bytes after the end, a header's magic: check" 2 "$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/x-ustar.mapeodata"
check "bytes after the end, a header's magic: Mapeo would take it" jq -e \
	'any(.findings[]; .code == "truncated-file" and (.message | test("1536 bytes after its end")))' "$TMP/out"
mapeo_refuses "bytes after the end, a header's magic" "$TMP/x-ustar.mapeodata" "$KA"

# A copy cut inside the database's last file, feed 0's data (a USB stick
# pulled): its key, tree and only signature (at block 19) are whole, and
# blocks 0 to 17 are in what is left. They were all lost ("the data file
# ends before this block" from block 0), even with --rescue; the blocks
# before the cut are read now, and the rescue keeps their 18 entries.
head -c 579072 "$D/good-project-A.mapeodata" >"$TMP/cutdata.mapeodata"
"$SYNCDOCTOR" --no-journal check --no-environment --no-config --format json "$TMP/cutdata.mapeodata" >"$TMP/cutdata.json"
is "cut in the last data file: the intact blocks are read" "$(jq -r '.feeds[0] | [.length, .intact] | join(" ")' "$TMP/cutdata.json")" "20 18"
is "cut in the last data file: the advice is the rescue" "$(jq -r .repair.command "$TMP/cutdata.json")" "syncdoctor rebuild --rescue --config CONFIG FILE -o OUT"
status "cut in the last data file: rescued" 0 "$SYNCDOCTOR" --no-journal rebuild --rescue --config "$CA" "$TMP/cutdata.mapeodata" -o "$TMP/cutdata-r.mapeodata"
is "cut in the last data file: its 18 entries kept" "$("$SYNCDOCTOR" --no-journal check --no-environment --config "$CA" --format json "$TMP/cutdata-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 18 30"
mapeo "cut in the last data file, rescued" "$TMP/cutdata-r.mapeodata" "$KA" 18 30

done_testing
