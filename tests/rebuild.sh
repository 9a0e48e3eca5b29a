#!/bin/sh
# 'syncdoctor rebuild': every mode writes a file syncdoctor verifies and the
# real Mapeo (tests/interop, @mapeo/core 8.6.2 from the npm registry)
# accepts with the expected observations and photos; safety of the output.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
KB=7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514
[ -x "$MK" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }

# mapeo NAME FILE KEY OBS MEDIA: tests/lib.sh
verdict() { "$SYNCDOCTOR" check --no-config --format json "$1" | jq -r "$2"; }

cp "$D/good-project-A.mapeodata" "$TMP/a.mapeodata"
before=$(sha256sum <"$TMP/a.mapeodata")

# a healthy file, rebuilt as it is
status "repair of a healthy file" 0 "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/r1.mapeodata"
is "same observations" "$(verdict "$TMP/r1.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
is "same project" "$(verdict "$TMP/r1.mapeodata" .project.discovery_key)" c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af
mapeo "repair" "$TMP/r1.mapeodata" "$KA" 24 30
is "the input is unchanged" "$(sha256sum <"$TMP/a.mapeodata")" "$before"

# the index and trailer gone (a torn append): the project went with them
cp "$D/good-project-A.mapeodata" "$TMP/noindex.mapeodata"
"$MK" noindex "$TMP/noindex.mapeodata"
status "no index, no configuration: refused" 1 env HOME="$TMP/nohome" XDG_CONFIG_HOME= "$SYNCDOCTOR" rebuild --repair "$TMP/noindex.mapeodata" -o "$TMP/r2.mapeodata"
status "no index, --config: rebuild" 0 "$SYNCDOCTOR" rebuild --repair --config "$D/config-A.v3-tar.mapeosettings" "$TMP/noindex.mapeodata" -o "$TMP/r2.mapeodata"
check "no index: plan says so" grep -q "new index" "$TMP/out"
check "no index: plan names the configuration" grep -q "Proyecto A" "$TMP/out"
is "no index: rebuilt file is healthy" "$(verdict "$TMP/r2.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 24"
mapeo "no index" "$TMP/r2.mapeodata" "$KA" 24 30

# the userdata lost: never silently the default project
cp "$D/good-project-A.mapeodata" "$TMP/noud.mapeodata"
"$MK" nouserdata "$TMP/noud.mapeodata"
status "userdata lost, no configuration: refused" 1 env HOME="$TMP/nohome" XDG_CONFIG_HOME= "$SYNCDOCTOR" rebuild "$TMP/noud.mapeodata" -o "$TMP/r3.mapeodata"
check "refusal asks for --config" grep -q -- "--config" "$TMP/err"
check "and wrote nothing" test ! -e "$TMP/r3.mapeodata"
status "userdata lost, --config: restored" 0 "$SYNCDOCTOR" rebuild --config "$D/config-A.v3-tar.mapeosettings" "$TMP/noud.mapeodata" -o "$TMP/r3.mapeodata"
is "project restored" "$(verdict "$TMP/r3.mapeodata" .project.discovery_key)" c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af
mapeo "userdata restored" "$TMP/r3.mapeodata" "$KA" 24 30

# for another configuration's project (the guide's Option B)
status "--config B" 0 "$SYNCDOCTOR" rebuild --config "$D/config-B.v3-tar.mapeosettings" "$TMP/a.mapeodata" -o "$TMP/r4.mapeodata"
check "--config B warns of the merge" grep -q "another project" "$TMP/err"
is "project B" "$(verdict "$TMP/r4.mapeodata" .project.discovery_key)" 97c1152af3cba51b9b7b9837de41f4894696b7a92e36b9e24ea2b4da97341a76
mapeo "for project B" "$TMP/r4.mapeodata" "$KB" 24 30

# salvage: a damaged block; what depends on it goes too
cp "$D/good-project-A.mapeodata" "$TMP/bad.mapeodata"
"$MK" data "$TMP/bad.mapeodata" 0 10
status "salvage a damaged block" 0 "$SYNCDOCTOR" rebuild --salvage "$TMP/bad.mapeodata" -o "$TMP/r5.mapeodata"
check "salvage lists the observations left out" grep -q "observation 32873cd6715a34eb" "$TMP/out"
is "salvaged file verifies" "$(verdict "$TMP/r5.mapeodata" .verdict)" ok
mapeo "salvage" "$TMP/r5.mapeodata" "$KA" 5 30

# one bad block in a feed signed only at its end (feed 0 of this file was
# signed once, at length 20): salvage loses the whole feed and offers the
# rescue; --rescue copies the authentic entries into a new feed
check "salvage offers the rescue" grep -q "Rescue: 21 entries" "$TMP/out"
check "and says what it costs" grep -q "may appear twice" "$TMP/out"
status "--rescue" 0 "$SYNCDOCTOR" rebuild --rescue "$TMP/bad.mapeodata" -o "$TMP/r5r.mapeodata"
check "the plan says what the rescue costs" grep -q "get new versions" "$TMP/out"
check "only the damaged block is left out" grep -q "feed 0, block 10: the entry of observation 7645136f660f12fc" "$TMP/out"
is "rescued: one observation lost, every hash and signature verifies" "$(verdict "$TMP/r5r.mapeodata" '[.verdict, .observations.heads, ([.feeds[] | .verified] | join(","))] | join(" ")')" "ok 23 0,5,21"
mapeo "rescue" "$TMP/r5r.mapeodata" "$KA" 23 30
cp "$D/good-project-A.mapeodata" "$TMP/bad1.mapeodata"
"$MK" data "$TMP/bad1.mapeodata" 1 2
status "--rescue of the second device's feed" 0 "$SYNCDOCTOR" rebuild --rescue "$TMP/bad1.mapeodata" -o "$TMP/r5s.mapeodata"
mapeo "rescue, second device" "$TMP/r5s.mapeodata" "$KA" 23 30

# salvage: a damaged tree node over intact data is computed again
cp "$D/good-project-A.mapeodata" "$TMP/node.mapeodata"
"$MK" node "$TMP/node.mapeodata" 0 1
status "salvage a damaged tree node" 0 "$SYNCDOCTOR" rebuild --salvage "$TMP/node.mapeodata" -o "$TMP/r6.mapeodata"
check "the node is computed again" grep -q "computed again" "$TMP/out"
is "nothing lost" "$(verdict "$TMP/r6.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 24"
mapeo "tree node" "$TMP/r6.mapeodata" "$KA" 24 30

# Every damaged case in every mode: either a file with no problem in step 3
# of its own full check (every hash and signature), or nothing written and
# the mode that can named. Notes on what people wrote (dates, photos that did
# not travel) are not damage.
step3() {
	"$SYNCDOCTOR" check --no-config --format json "$1" | jq -r '[.findings[] |
		select(.step == "corruption" and .severity != "info" and
		       (.code | test("^(date-|attachment-missing)") | not)) | .code] | join(",")'
}
for c in photo:3 collide:"1 0" sig:"0 19" header:0 data:"1 2" node:"0 1" data:"0 10" noindex: nouserdata: nodb:; do
	w=${c%%:*} a=${c#*:}
	cp "$D/good-project-A.mapeodata" "$TMP/case.mapeodata"
	# shellcheck disable=SC2086
	"$MK" "$w" "$TMP/case.mapeodata" $a >/dev/null
	for m in --repair --exclude-suspect --salvage; do
		rm -f "$TMP/case-out.mapeodata"
		"$SYNCDOCTOR" rebuild $m --config "$D/config-A.v3-tar.mapeosettings" "$TMP/case.mapeodata" -o "$TMP/case-out.mapeodata" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		case $rc in
		0) is "$w $a $m: written with no problem in step 3" "$(step3 "$TMP/case-out.mapeodata")" "" ;;
		2) check "$w $a $m: refused before writing, naming the mode that can" grep -q "rebuild with --" "$TMP/err"
		   check "$w $a $m: the plan says why" grep -q "would fail its own full check" "$TMP/out"
		   check "$w $a $m: nothing written" test ! -e "$TMP/case-out.mapeodata" ;;
		*) fail "$w $a $m: exit $rc"; diag "$(cat "$TMP/err")" ;;
		esac
	done
done
# the modes that can, proved with the real Mapeo
cp "$D/good-project-A.mapeodata" "$TMP/sig.mapeodata"
"$MK" sig "$TMP/sig.mapeodata" 0 19
status "a bad signature: the default mode refuses" 2 "$SYNCDOCTOR" rebuild "$TMP/sig.mapeodata" -o "$TMP/r7.mapeodata"
check "and names --salvage" grep -q -- "--salvage" "$TMP/err"
status "a bad signature: --salvage" 0 "$SYNCDOCTOR" rebuild --salvage "$TMP/sig.mapeodata" -o "$TMP/r7.mapeodata"
mapeo "bad signature, salvage" "$TMP/r7.mapeodata" "$KA" 5 30
# a bad signature below one that verifies (feed 0 is signed at its end): the
# blocks are all vouched for; the bad slot is cleared, not copied (it used
# to make the written file fail its own check, and nothing was written)
cp "$D/good-project-A.mapeodata" "$TMP/sig15.mapeodata"
"$MK" sig "$TMP/sig15.mapeodata" 0 15
status "a bad signature under a good one: repaired" 0 "$SYNCDOCTOR" rebuild "$TMP/sig15.mapeodata" -o "$TMP/r7b.mapeodata"
check "the plan says the bad signature is cleared" grep -q "signatures that do not verify are cleared" "$TMP/out"
is "nothing lost, every signature verifies" "$(verdict "$TMP/r7b.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 24"
mapeo "bad signature under a good one" "$TMP/r7b.mapeodata" "$KA" 24 30
# cut inside the database before any device's key: a file of photos alone
# would fail its own check (database-missing), so nothing is written
blk=$(tar -tRf "$D/good-project-A.mapeodata" | sed -n 's/^block \([0-9]*\): osm-p2p-db.tar$/\1/p')
head -c $(((blk + 1) * 512 + 2062)) "$D/good-project-A.mapeodata" >"$TMP/nofeed.mapeodata"
status "no device's data verifies: refused" 2 "$SYNCDOCTOR" rebuild --salvage --config "$D/config-A.v3-tar.mapeosettings" "$TMP/nofeed.mapeodata" -o "$TMP/r7c.mapeodata"
check "no device's data verifies: says why" grep -q "the file would hold photos and no observation" "$TMP/out"
check "no device's data verifies: nothing written" test ! -e "$TMP/r7c.mapeodata"
cp "$D/good-project-A.mapeodata" "$TMP/hdr.mapeodata"
"$MK" header "$TMP/hdr.mapeodata" 0
status "a damaged feed header: repaired" 0 "$SYNCDOCTOR" rebuild "$TMP/hdr.mapeodata" -o "$TMP/r8.mapeodata"
mapeo "feed header" "$TMP/r8.mapeodata" "$KA" 24 30

# a photo that will not open: the default mode refuses, --salvage and
# --exclude-suspect leave it out
cp "$D/good-project-A.mapeodata" "$TMP/photo.mapeodata"
photo=$("$MK" photo "$TMP/photo.mapeodata" 3)
status "a broken photo: the default mode refuses" 2 "$SYNCDOCTOR" rebuild "$TMP/photo.mapeodata" -o "$TMP/r9.mapeodata"
status "a broken photo: --exclude-suspect" 0 "$SYNCDOCTOR" rebuild --exclude-suspect "$TMP/photo.mapeodata" -o "$TMP/r9.mapeodata"
check "--exclude-suspect leaves the photo out" grep -q "photo $photo: it will not open" "$TMP/out"
is "--exclude-suspect: the photo is not in the file" "$(verdict "$TMP/r9.mapeodata" '.media.members')" 29
mapeo "broken photo, exclude-suspect" "$TMP/r9.mapeodata" "$KA" 5 29
status "a broken photo: --salvage" 0 "$SYNCDOCTOR" rebuild --salvage "$TMP/photo.mapeodata" -o "$TMP/r10.mapeodata"
mapeo "broken photo, salvage" "$TMP/r10.mapeodata" "$KA" 24 29
# the new file says why the photo is absent: no problem left in step 3
is "salvage: the rebuilt file checks clean" "$(verdict "$TMP/r10.mapeodata" .verdict)" ok
is "salvage: the photo is said to be left out by the rebuild" "$(verdict "$TMP/r10.mapeodata" '[.findings[] | select(.code == "attachment-left-out") | .media] | join(" ")')" "$photo"

# nothing of a database to read (here, not a sync file at all): never an
# empty file said to be verified
status "no database can be read: refused" 2 "$SYNCDOCTOR" rebuild --salvage --config "$D/config-B.v3-tar.mapeosettings" "$D/config-A.mapeosettings" -o "$TMP/r10c.mapeodata"
check "no database can be read: says why" grep -q "no database can be read from the sources" "$TMP/out"
check "no database can be read: nothing written" test ! -e "$TMP/r10c.mapeodata"

# the first header's magic damaged: still a sync file (its index is at the
# end), and the index vouches for the photo the damaged header holds
cp "$D/good-project-B.mapeodata" "$TMP/magic.mapeodata"
"$MK" mhdr "$TMP/magic.mapeodata" 0 257 >/dev/null
is "a damaged first header: still read whole" "$(verdict "$TMP/magic.mapeodata" '[.media.members, .observations.heads, ([.findings[] | select(.code == "not-a-sync-file")] | length)] | join(" ")')" "6 4 0"
status "a damaged first header: rebuilt" 0 "$SYNCDOCTOR" rebuild --config "$D/config-B.v3-tar.mapeosettings" "$TMP/magic.mapeodata" -o "$TMP/r10d.mapeodata"
is "a damaged first header: nothing lost, clean" "$(verdict "$TMP/r10d.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 4 6"
mapeo "a damaged first header" "$TMP/r10d.mapeodata" "$KB" 4 6

# photo headers damaged over intact data (storage bit flips): the index
# still names each at its offset with its size, so nothing is lost
cp "$D/good-project-A.mapeodata" "$TMP/mhdr.mapeodata"
"$MK" mhdr "$TMP/mhdr.mapeodata" 0 300 >/dev/null
"$MK" mhdr "$TMP/mhdr.mapeodata" 1 300 >/dev/null
named=$("$MK" mhdr "$TMP/mhdr.mapeodata" 3 20)
is "damaged photo headers: every photo is still read" "$(verdict "$TMP/mhdr.mapeodata" '[.media.members, ([.findings[] | select(.code == "index-disagrees" or .code == "attachment-missing")] | length)] | join(" ")')" "30 0"
is "damaged photo headers: each is said" "$(verdict "$TMP/mhdr.mapeodata" '[.findings[] | select(.code == "bad-header-checksum")] | length')" 3
status "damaged photo headers: rebuilt" 0 "$SYNCDOCTOR" rebuild "$TMP/mhdr.mapeodata" -o "$TMP/r10b.mapeodata"
is "damaged photo headers: nothing lost, clean" "$(verdict "$TMP/r10b.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
check "damaged photo headers: the damaged name is the index's again" sh -c "tar -tf '$TMP/r10b.mapeodata' | grep -qx '$named'"
mapeo "damaged photo headers" "$TMP/r10b.mapeodata" "$KA" 24 30

# a flipped byte in photo headers' size fields: the walk cannot use the
# size, but the index names each at its offset, and with the index's size
# the header's checksum holds again: nothing is lost (two photos were left
# out over intact data)
cp "$D/good-project-A.mapeodata" "$TMP/msize.mapeodata"
"$MK" mhdr "$TMP/msize.mapeodata" 2 130 >/dev/null
"$MK" mhdr "$TMP/msize.mapeodata" 4 124 >/dev/null
is "damaged size fields: every photo is read" "$(verdict "$TMP/msize.mapeodata" '[.media.members, ([.findings[] | select(.code == "attachment-missing")] | length)] | join(" ")')" "30 0"
status "damaged size fields: rebuilt" 0 "$SYNCDOCTOR" rebuild "$TMP/msize.mapeodata" -o "$TMP/r10e.mapeodata"
check "damaged size fields: nothing is left out" grep -q "Nothing is left out" "$TMP/out"
is "damaged size fields: nothing lost, clean" "$(verdict "$TMP/r10e.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "damaged size fields" "$TMP/r10e.mapeodata" "$KA" 24 30

# photo headers zeroed (a sector lost on an SD card), their data intact:
# the index names each at its offset with its size. They were left out as
# "bytes that are not a tar header", though Mapeo reads the file whole
# through its index (proved on the damaged input itself).
cp "$D/good-project-A.mapeodata" "$TMP/mzero.mapeodata"
"$MK" mzero "$TMP/mzero.mapeodata" 0 >/dev/null
zname=$("$MK" mzero "$TMP/mzero.mapeodata" 2)
is "zeroed photo headers: every photo is still read" "$(verdict "$TMP/mzero.mapeodata" '[.media.members, ([.findings[] | select(.code == "index-disagrees" or .code == "attachment-missing")] | length)] | join(" ")')" "30 0"
is "zeroed photo headers: each is said, as zeros" "$(verdict "$TMP/mzero.mapeodata" '[.findings[] | select(.code == "bad-header-checksum" and (.message | test("all zeros")))] | length')" 2
mapeo "zeroed photo headers (the damaged file itself)" "$TMP/mzero.mapeodata" "$KA" 24 30
status "zeroed photo headers: rebuilt" 0 "$SYNCDOCTOR" rebuild "$TMP/mzero.mapeodata" -o "$TMP/r10z.mapeodata"
check "zeroed photo headers: nothing is left out" grep -q "Nothing is left out" "$TMP/out"
is "zeroed photo headers: nothing lost, clean" "$(verdict "$TMP/r10z.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
check "zeroed photo headers: the name is the index's again" sh -c "tar -tf '$TMP/r10z.mapeodata' | grep -qx '$zname'"
mapeo "zeroed photo headers" "$TMP/r10z.mapeodata" "$KA" 24 30
# the database's header zeroed: its own entries are not walked as members
cp "$D/good-project-A.mapeodata" "$TMP/dbzero.mapeodata"
"$MK" hzero "$TMP/dbzero.mapeodata" osm-p2p-db.tar >/dev/null
is "a zeroed database header: read whole, its entries not taken for members" "$(verdict "$TMP/dbzero.mapeodata" '[.members, .observations.heads, ([.findings[] | select(.code == "dead-space")] | length)] | join(" ")')" "32 24 0"
status "a zeroed database header: rebuilt" 0 "$SYNCDOCTOR" rebuild "$TMP/dbzero.mapeodata" -o "$TMP/r10y.mapeodata"
is "a zeroed database header: nothing lost, clean" "$(verdict "$TMP/r10y.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "a zeroed database header" "$TMP/r10y.mapeodata" "$KA" 24 30
# the index's header zeroed: Mapeo cannot find the index, but its data
# still names the project (a rebuild asked for --config before)
cp "$D/good-project-A.mapeodata" "$TMP/ixzero.mapeodata"
"$MK" hzero "$TMP/ixzero.mapeodata" ___index.json >/dev/null
is "a zeroed index header: the index is read, the project known" "$(verdict "$TMP/ixzero.mapeodata" '[.members, .observations.heads, ([.findings[] | select(.code == "missing-index" or .code == "project-unreadable")] | length), ([.findings[] | select(.code == "bad-header-checksum" and .member == "___index.json")] | length)] | join(" ")')" "32 24 0 1"
mapeo_refuses "a zeroed index header (the damaged file itself)" "$TMP/ixzero.mapeodata" "$KA"
status "a zeroed index header: rebuilt without --config" 0 "$SYNCDOCTOR" rebuild "$TMP/ixzero.mapeodata" -o "$TMP/r10x.mapeodata"
is "a zeroed index header: nothing lost, clean" "$(verdict "$TMP/r10x.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "a zeroed index header" "$TMP/r10x.mapeodata" "$KA" 24 30

# a 4 KiB page lost over project B's database header and its first entries
# (an empty feed's files): the index still names the database, whose other
# entries hold all 4 observations. It was "no database".
cp "$D/good-project-B.mapeodata" "$TMP/dbpage.mapeodata"
dd if=/dev/zero of="$TMP/dbpage.mapeodata" bs=4096 seek=20 count=1 conv=notrunc 2>/dev/null
is "a page lost over the database's header: its observations are read" "$(verdict "$TMP/dbpage.mapeodata" '[.observations.heads, ([.findings[] | select(.code == "database-missing" or (.code == "bad-header-checksum" and .member == null))] | length)] | join(" ")')" "4 0"
status "a page lost over the database's header: salvaged" 0 "$SYNCDOCTOR" rebuild --salvage "$TMP/dbpage.mapeodata" -o "$TMP/r10w.mapeodata"
check "a page lost over the database's header: one feed and 5 photos kept" grep -q "Keep: 5 photo files and 1 feed:" "$TMP/out"
is "a page lost over the database's header: clean" "$(verdict "$TMP/r10w.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 4 5"
mapeo "a page lost over the database's header" "$TMP/r10w.mapeodata" "$KB" 4 5

# Windows names beside POSIX ones: two feeds numbered 0, both kept
cp "$D/good-project-A.mapeodata" "$TMP/collide.mapeodata"
"$MK" collide "$TMP/collide.mapeodata" 1 0
status "a Windows feed beside a POSIX one" 0 "$SYNCDOCTOR" rebuild "$TMP/collide.mapeodata" -o "$TMP/r11.mapeodata"
check "the plan keeps both" grep -q "both feeds numbered 0 are kept" "$TMP/out"
is "both feeds are in the file" "$(verdict "$TMP/r11.mapeodata" '[.verdict, (.feeds | length), .observations.heads] | join(" ")')" "ok 2 24"
mapeo "Windows and POSIX feeds" "$TMP/r11.mapeodata" "$KA" 24 30

# the database packed by another tar writer: names "./0/key", GNU long
# names, pax paths. Mapeo extracts each entry to path.join(folder, name),
# so it reads every feed (proved below on the inputs themselves); they
# used to be no feed at all: "healthy" with no observation, and a rebuild
# that dropped them
for form in dot gnu pax; do
	cp "$D/good-project-A.mapeodata" "$TMP/names-$form.mapeodata"
	"$MK" names "$TMP/names-$form.mapeodata" "$form"
	is "names $form: every feed is read" "$(verdict "$TMP/names-$form.mapeodata" '[.verdict, (.feeds | length), .observations.heads] | join(" ")')" "ok 2 24"
	status "names $form: rebuilt" 0 "$SYNCDOCTOR" rebuild "$TMP/names-$form.mapeodata" -o "$TMP/names-$form-r.mapeodata"
	is "names $form: nothing lost" "$(verdict "$TMP/names-$form-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
done
mapeo "names ./N/file, as Mapeo reads them" "$TMP/names-dot.mapeodata" "$KA" 24 30
mapeo "names in pax headers, as Mapeo reads them" "$TMP/names-pax.mapeodata" "$KA" 24 30
mapeo "GNU long names, rebuilt" "$TMP/names-gnu-r.mapeodata" "$KA" 24 30

# several sources of one project: a database popped out into a temporary
# folder, with the file left holding only the photos, restored whole
cp "$D/good-project-A.mapeodata" "$TMP/popped.mapeodata"
"$MK" nodb "$TMP/popped.mapeodata"
mkdir "$TMP/osm-p2p-syncfile-x1"
"${top_builddir}/tests/unit/mkdb" --temp "$D/good-project-A.mapeodata" "$TMP/osm-p2p-syncfile-x1"
status "the popped file alone: refused (it would hold no observation)" 2 "$SYNCDOCTOR" rebuild "$TMP/popped.mapeodata" -o "$TMP/r12.mapeodata"
check "the popped file alone: asks for the folder" grep -q -- "rebuild with --database DIR" "$TMP/err"
check "the popped file alone: nothing written" test ! -e "$TMP/r12.mapeodata"
status "FILE --database DIR" 0 "$SYNCDOCTOR" rebuild "$TMP/popped.mapeodata" --database "$TMP/osm-p2p-syncfile-x1" -o "$TMP/r13.mapeodata"
check "the plan names both sources" grep -q "joined with $TMP/osm-p2p-syncfile-x1" "$TMP/out"
is "restored whole" "$(verdict "$TMP/r13.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "a popped database restored" "$TMP/r13.mapeodata" "$KA" 24 30
# two sync files of one project joined without Mapeo: each is damaged in
# the feed the other holds intact, so together they are whole
cp "$D/good-project-A.mapeodata" "$TMP/x.mapeodata"
"$MK" data "$TMP/x.mapeodata" 0 10
cp "$D/good-project-A.mapeodata" "$TMP/y.mapeodata"
"$MK" data "$TMP/y.mapeodata" 1 2
status "A B -o OUT" 0 "$SYNCDOCTOR" rebuild "$TMP/x.mapeodata" "$TMP/y.mapeodata" -o "$TMP/r14.mapeodata"
check "feed 0 comes from the copy where it verifies" grep -q "feed 0 is taken from $TMP/y.mapeodata" "$TMP/out"
is "joined whole" "$(verdict "$TMP/r14.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "two files joined" "$TMP/r14.mapeodata" "$KA" 24 30
# a photo that will not open in one copy is taken from the other, whichever
# comes first; the plan says where it comes from
cp "$D/good-project-A.mapeodata" "$TMP/p1.mapeodata"
ph=$("$MK" photo "$TMP/p1.mapeodata" 3)
status "a photo damaged in the first source: joined" 0 "$SYNCDOCTOR" rebuild "$TMP/p1.mapeodata" "$D/good-project-A.mapeodata" -o "$TMP/r14p.mapeodata"
check "the plan says the photo comes from the other source" grep -qF "photo $ph is taken from $D/good-project-A.mapeodata: the copy in $TMP/p1.mapeodata will not open" "$TMP/out"
is "a photo damaged in the first source: healthy, every photo" "$(verdict "$TMP/r14p.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
is "the intact copy is written" "$(tar -xOf "$TMP/r14p.mapeodata" "$ph" | sha256sum)" "$(tar -xOf "$D/good-project-A.mapeodata" "$ph" | sha256sum)"
mapeo "a photo damaged in one source, joined" "$TMP/r14p.mapeodata" "$KA" 24 30
status "a photo damaged in the second source: joined" 0 "$SYNCDOCTOR" rebuild "$D/good-project-A.mapeodata" "$TMP/p1.mapeodata" -o "$TMP/r14q.mapeodata"
check "the first source's copy opens: no photo is said taken from the other" sh -c '! grep -q "photo .* is taken from" "$1"' _ "$TMP/out"
is "a photo damaged in the second source: the first file's photos, as they were" "$(tar -tvf "$TMP/r14q.mapeodata" | awk '$6 != "osm-p2p-db.tar" { print $3, $6 }')" "$(tar -tvf "$D/good-project-A.mapeodata" | awk '$6 != "osm-p2p-db.tar" { print $3, $6 }')"
status "every name hash alike (SYNCDOCTOR_NAME_HASH_BITS=1): joined" 0 env SYNCDOCTOR_NAME_HASH_BITS=1 "$SYNCDOCTOR" rebuild "$TMP/p1.mapeodata" "$D/good-project-A.mapeodata" -o "$TMP/r14h.mapeodata"
is "every name hash alike: the same photos, in the same order" "$(tar -tvf "$TMP/r14h.mapeodata" | awk '{ print $3, $6 }')" "$(tar -tvf "$TMP/r14p.mapeodata" | awk '{ print $3, $6 }')"
# past a number of names the sort goes in parts (by hash): with 4 names a
# part (17 parts), the same photos, in the same order, the same plan
status "names sorted 4 at a time (SYNCDOCTOR_NAME_KEYS=4): joined" 0 env SYNCDOCTOR_NAME_KEYS=4 "$SYNCDOCTOR" rebuild "$TMP/p1.mapeodata" "$D/good-project-A.mapeodata" -o "$TMP/r14k.mapeodata"
is "names sorted in parts: the same photos, in the same order" "$(tar -tvf "$TMP/r14k.mapeodata" | awk '{ print $3, $6 }')" "$(tar -tvf "$TMP/r14p.mapeodata" | awk '{ print $3, $6 }')"
check "names sorted in parts: the plan says where the photo comes from" grep -qF "photo $ph is taken from" "$TMP/out"
# --salvage leaves the copy that will not open out of the first source's
# plan; the second keeps the photo, so nothing is said left out
for k in "" 2; do
	status "--salvage, a photo damaged in one source (SYNCDOCTOR_NAME_KEYS=$k)" 0 env SYNCDOCTOR_NAME_KEYS=$k "$SYNCDOCTOR" rebuild --salvage "$TMP/p1.mapeodata" "$D/good-project-A.mapeodata" -o "$TMP/r14s$k.mapeodata"
	check "--salvage from two sources: nothing is left out (keys $k)" grep -q "Nothing is left out" "$TMP/out"
	is "--salvage from two sources: every photo (keys $k)" "$(verdict "$TMP/r14s$k.mapeodata" '[.verdict, .media.members] | join(" ")')" "ok 30"
done
status "a file with another device joined" 0 "$SYNCDOCTOR" rebuild "$D/good-project-A.mapeodata" "$D/edge-empty-device-A.mapeodata" -o "$TMP/r15.mapeodata"
is "three feeds" "$(verdict "$TMP/r15.mapeodata" '[.verdict, (.feeds | length), .observations.heads] | join(" ")')" "ok 3 24"
status "two projects are never joined" 2 "$SYNCDOCTOR" rebuild "$D/good-project-A.mapeodata" "$D/good-project-B.mapeodata" -o "$TMP/r16.mapeodata"
check "two projects: says so" grep -q "joins only sources of one project" "$TMP/err"
check "two projects: nothing written" test ! -e "$TMP/r16.mapeodata"

# another era is refused (2), not "could not be read" (3)
cp "$D/good-project-A.mapeodata" "$TMP/v3.mapeodata"
"$MK" hyperlog "$TMP/v3.mapeodata"
status "a Mapeo 3 file is refused" 2 "$SYNCDOCTOR" rebuild "$TMP/v3.mapeodata" -o "$TMP/r17.mapeodata"
check "a Mapeo 3 file: says why" grep -q "hyperlog" "$TMP/err"

# one byte of the index's p2p-db flipped ("kappa-osn") over a kappa-osm
# database: Mapeo refuses the file, but the feeds are whole. They were read
# as an unknown era: not checked, and a rebuild kept none of them (and said
# no device's data verifies)
cp "$D/good-project-A.mapeodata" "$TMP/p2p.mapeodata"
"$MK" p2pflip "$TMP/p2p.mapeodata"
is "a flipped p2p-db: the feeds are read, the damage said" "$(verdict "$TMP/p2p.mapeodata" '[.era, .observations.heads, ([.findings[] | select(.code == "damaged-index" or .code == "project-unreadable") | .code] | join(","))] | join(" ")')" "kappa-osm-v2 24 project-unreadable,damaged-index"
status "a flipped p2p-db: rebuilt" 0 "$SYNCDOCTOR" rebuild "$TMP/p2p.mapeodata" -o "$TMP/r18.mapeodata"
is "a flipped p2p-db: nothing lost, clean" "$(verdict "$TMP/r18.mapeodata" '[.verdict, .observations.heads, .media.members, .project.p2p_db] | join(" ")')" "ok 24 30 kappa-osm"
mapeo "a flipped p2p-db" "$TMP/r18.mapeodata" "$KA" 24 30

# safety
status "--dry-run" 0 "$SYNCDOCTOR" rebuild --dry-run "$TMP/a.mapeodata" -o "$TMP/dry.mapeodata"
check "--dry-run writes nothing" test ! -e "$TMP/dry.mapeodata"
status "an existing output is kept" 4 "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/r1.mapeodata"
status "--force replaces it" 0 "$SYNCDOCTOR" rebuild --force "$TMP/a.mapeodata" -o "$TMP/r1.mapeodata"
status "never over the input" 1 "$SYNCDOCTOR" rebuild --force "$TMP/a.mapeodata" -o "$TMP/a.mapeodata"
status "a full disk" 4 env SYNCDOCTOR_FAULT_WRITE=ENOSPC:200000 "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/full.mapeodata"
check "a full disk: clear message" grep -q "No space left" "$TMP/err"
check "a full disk: nothing under the name" test ! -e "$TMP/full.mapeodata"
is "a full disk: no temporary left" "$(ls -A "$TMP" | grep -c sdtmp)" 0
# never a device, FIFO or link in place of a file, even with --force
mkfifo "$TMP/fifo"
status "a FIFO is never replaced" 4 "$SYNCDOCTOR" rebuild --force "$TMP/a.mapeodata" -o "$TMP/fifo"
check "a FIFO: still a FIFO" test -p "$TMP/fifo"
check "a FIFO: says why" grep -q "is a pipe (FIFO): syncdoctor only ever replaces a regular file" "$TMP/err"
ln -s "$TMP/r1.mapeodata" "$TMP/link.mapeodata"
status "a link is never replaced" 4 "$SYNCDOCTOR" rebuild --force "$TMP/a.mapeodata" -o "$TMP/link.mapeodata"
check "a link: still a link" test -L "$TMP/link.mapeodata"
status "an I/O error" 4 env SYNCDOCTOR_FAULT_WRITE=EIO:1000 "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/eio.mapeodata"
check "an I/O error: nothing under the name" test ! -e "$TMP/eio.mapeodata"
is "the input is still unchanged" "$(sha256sum <"$TMP/a.mapeodata")" "$before"

# The advice after a check names the repair that really keeps the most:
# the check plans it (rebuild_advise()), and the command it names then does
# what it said. next FILE: the text report's "Next:" sentence, one line;
# also FILE (tests/lib.sh): the "Also:" paragraph after it.
next() { sed -n '/^  Next: /,$p' "$1" | sed '/^  Also: /,$d' | tr '\n' ' ' | tr -s ' ' | sed 's/^ //; s/ $//'; }
advice() { # advice NAME FILE WANT_NEXT WANT_REPAIR_JSON [WANT_ALSO]
	status "advice, $1: check" 2 "$SYNCDOCTOR" --no-journal check --no-environment --no-config "$2"
	is "advice, $1: Next" "$(next "$TMP/out")" "$3"
	is "advice, $1: Also" "$(also "$TMP/out")" "${5:-}"
	status "advice, $1: check as JSON" 2 "$SYNCDOCTOR" --no-journal check --no-environment --no-config --format json "$2"
	is "advice, $1: the repair in JSON" "$(jq -c .repair "$TMP/out")" "$4"
	is "advice, $1: next_action in JSON" "Next: $(jq -r .next_action "$TMP/out")" "$3"
	status "advice, $1: check as YAML" 2 "$SYNCDOCTOR" --no-journal check --no-environment --no-config --format yaml "$2"
	check "advice, $1: the repair in YAML" grep -q "^repair:" "$TMP/out"
}
CA=$D/config-A.v3-tar.mapeosettings
# a bit of the bitfield: a plain rebuild writes it again, and keeps all
cp "$D/good-project-A.mapeodata" "$TMP/adv-bit.mapeodata"
"$MK" databit "$TMP/adv-bit.mapeodata" 0 3
advice "a bitfield bit" "$TMP/adv-bit.mapeodata" \
	"Next: The file is damaged, but a rebuild keeps everything in it: 'syncdoctor rebuild FILE -o OUT' writes a repaired copy." \
	'{"rebuild_whole":true,"salvage_whole":null,"rescue_only":false,"salvage_refused":false,"rescue_more":0,"needs_config":false,"command":"syncdoctor rebuild FILE -o OUT"}'
status "advice, a bitfield bit: the plain rebuild it names" 0 "$SYNCDOCTOR" --no-journal rebuild "$TMP/adv-bit.mapeodata" -o "$TMP/adv-bit-r.mapeodata"
check "advice, a bitfield bit: nothing is left out" grep -q "^  Nothing is left out.$" "$TMP/out"
is "advice, a bitfield bit: everything kept" "$(verdict "$TMP/adv-bit-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "advice, a bitfield bit: the advised rebuild" "$TMP/adv-bit-r.mapeodata" "$KA" 24 30
# a tree node over intact data: the plain rebuild refuses, a salvage
# computes the node again and keeps every block
cp "$D/good-project-A.mapeodata" "$TMP/adv-node.mapeodata"
"$MK" node "$TMP/adv-node.mapeodata" 0 2
advice "a tree node" "$TMP/adv-node.mapeodata" \
	"Next: The file is damaged. A plain rebuild would not give Mapeo a file it accepts, but a salvage keeps everything in it: 'syncdoctor rebuild --salvage FILE -o OUT' writes a repaired copy." \
	'{"rebuild_whole":false,"salvage_whole":true,"rescue_only":false,"salvage_refused":false,"rescue_more":0,"needs_config":false,"command":"syncdoctor rebuild --salvage FILE -o OUT"}'
status "advice, a tree node: the plain rebuild refuses" 2 "$SYNCDOCTOR" --no-journal rebuild "$TMP/adv-node.mapeodata" -o "$TMP/adv-node-r.mapeodata"
status "advice, a tree node: the salvage it names" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$TMP/adv-node.mapeodata" -o "$TMP/adv-node-r.mapeodata"
check "advice, a tree node: nothing is left out" grep -q "^  Nothing is left out.$" "$TMP/out"
is "advice, a tree node: everything kept" "$(verdict "$TMP/adv-node-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "advice, a tree node: the advised rebuild" "$TMP/adv-node-r.mapeodata" "$KA" 24 30
# the index lost: the project went with it, so the rebuild needs --config
cp "$D/good-project-A.mapeodata" "$TMP/adv-noidx.mapeodata"
"$MK" noindex "$TMP/adv-noidx.mapeodata"
advice "the index lost" "$TMP/adv-noidx.mapeodata" \
	"Next: The file is damaged and no longer says which project it belongs to, but a rebuild keeps everything in it: 'syncdoctor rebuild --config CONFIG FILE -o OUT' writes a repaired copy for the project of CONFIG (that project's .mapeosettings file)." \
	'{"rebuild_whole":true,"salvage_whole":null,"rescue_only":false,"salvage_refused":false,"rescue_more":0,"needs_config":true,"command":"syncdoctor rebuild --config CONFIG FILE -o OUT"}'
status "advice, the index lost: the rebuild it names" 0 "$SYNCDOCTOR" --no-journal rebuild --config "$CA" "$TMP/adv-noidx.mapeodata" -o "$TMP/adv-noidx-r.mapeodata"
check "advice, the index lost: nothing is left out" grep -q "^  Nothing is left out.$" "$TMP/out"
is "advice, the index lost: everything kept" "$(verdict "$TMP/adv-noidx-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "advice, the index lost: the advised rebuild" "$TMP/adv-noidx-r.mapeodata" "$KA" 24 30
# a block's data damaged: the salvage cuts the feed there; today's advice
cp "$D/good-project-A.mapeodata" "$TMP/adv-data.mapeodata"
"$MK" data "$TMP/adv-data.mapeodata" 0 3
advice "a block's data" "$TMP/adv-data.mapeodata" \
	"Next: The file is damaged. Make a new sync file on the computer that made it, and do not leave the Synchronization screen until it finishes; or save what is intact with 'syncdoctor rebuild --salvage'." \
	'{"rebuild_whole":false,"salvage_whole":false,"rescue_only":false,"salvage_refused":false,"rescue_more":21,"needs_config":false,"command":"syncdoctor rebuild --salvage FILE -o OUT"}' \
	"Also: 21 entries that a salvage leaves out still hash to what their device signed. 'syncdoctor rebuild --rescue FILE -o OUT' keeps them too, copied under a new key: they get new versions, and may appear twice when that device syncs again."
# feed 0 is signed at its full length only: a salvage keeps none of it
# (5 observations, of feed 1); the rescue the Also names gives 23 back
status "advice, a block's data: the salvage" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$TMP/adv-data.mapeodata" -o "$TMP/adv-data-s.mapeodata"
check "advice, a block's data: the salvage names the same rescue" grep -q "^  Rescue: 21 entries left out still hash to what their device signed" "$TMP/out"
is "advice, a block's data: what the salvage keeps" "$(verdict "$TMP/adv-data-s.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 5"
status "advice, a block's data: the rescue the Also names" 0 "$SYNCDOCTOR" --no-journal rebuild --rescue "$TMP/adv-data.mapeodata" -o "$TMP/adv-data-r.mapeodata"
check "advice, a block's data: the rescue copies the 21" grep -q "^    feed 2 (new key): 21 entries rescued$" "$TMP/out"
is "advice, a block's data: the rescue keeps all but the damaged one" "$(verdict "$TMP/adv-data-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 23 30"
mapeo "advice, a block's data: the rescue the Also names" "$TMP/adv-data-r.mapeodata" "$KA" 23 30
# the same file checked --quick: the damage is not read, nothing planned
status "advice, --quick: check" 0 "$SYNCDOCTOR" --no-journal check --quick --no-environment --no-config --format json "$TMP/adv-data.mapeodata"
is "advice, --quick on what it cannot see: no repair planned" "$(jq -c .repair "$TMP/out")" null
# the index lost, checked --quick: damaged, and quick reads too little to plan
status "advice, --quick on a damaged file: check" 2 "$SYNCDOCTOR" --no-journal check --quick --no-environment --no-config "$TMP/adv-noidx.mapeodata"
is "advice, --quick on a damaged file: Next" "$(next "$TMP/out")" "Next: The file is damaged. Run the check again without --quick: only the full check reads enough of the file to plan its repair."
# Ctrl-C between the two plans: the check stops, says so, and leaks nothing
status "advice: Ctrl-C while the repair is planned" 130 env SYNCDOCTOR_TEST_INTERRUPT=advise "$SYNCDOCTOR" --no-journal check --no-environment --no-config "$TMP/adv-node.mapeodata"
is "advice: Ctrl-C said" "$(cat "$TMP/err")" "syncdoctor: interrupted; nothing was changed"
is "advice: Ctrl-C prints no report" "$(cat "$TMP/out")" ""
# (under the sanitizers LeakSanitizer does this at every exit, and
# valgrind cannot run them)
case $(ldd "$SYNCDOCTOR" 2>/dev/null) in *asan*) asan=1 ;; *) asan= ;; esac
if command -v valgrind >/dev/null 2>&1 && [ -z "$asan" ]; then
	status "advice: Ctrl-C while the repair is planned leaks nothing (valgrind)" 130 env SYNCDOCTOR_TEST_INTERRUPT=advise valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 "$SYNCDOCTOR" --no-journal check --no-environment --no-config "$TMP/adv-node.mapeodata"
else
	skip "advice: Ctrl-C while the repair is planned leaks nothing (no valgrind, or the sanitizers check it)"
fi
# The advice agrees with the real plans, whatever the damage: the check's
# "a plain rebuild keeps everything" is the plain plan's, "a salvage does"
# the salvage plan's (the two share each damaged feed's salvage pass).
whole='(.refused | length == 0) and (.dropped | length == 0) and all(.feeds[]; .keep >= .length)'
n=0
for dmg in "data 1 2" "node 1 1" "header 0" "photo 2" "torn 1/bitfield 1000" "leafsize 0 4" "keybit 0 5" "keybit 1 zero" "cut 0/tree 100" "cut 1/data 50" "dupentry 0/data 3000" "dbmerge" "mzero 3"; do
	n=$((n + 1))
	f=$TMP/agree$n.mapeodata
	cp "$D/good-project-A.mapeodata" "$f"
	# shellcheck disable=SC2086
	set -- $dmg
	op=$1
	shift
	"$MK" "$op" "$f" "$@" >/dev/null
	"$SYNCDOCTOR" --no-journal check --no-environment --no-config --format json "$f" >"$TMP/agree.json"
	"$SYNCDOCTOR" --no-journal rebuild -n --config "$CA" --format json "$f" >"$TMP/agree-p.json" 2>/dev/null
	"$SYNCDOCTOR" --no-journal rebuild -n --salvage --config "$CA" --format json "$f" >"$TMP/agree-s.json" 2>/dev/null
	p=$(jq -r "$whole" "$TMP/agree-p.json")
	sv=$(jq -r "$whole" "$TMP/agree-s.json")
	[ "$p" = true ] && sv=null
	is "advice agrees with the plans ($dmg)" "$(jq -r '[.repair.rebuild_whole, .repair.salvage_whole] | join(" ")' "$TMP/agree.json" | sed 's/ $/ null/')" "$p $sv"
	# what a rescue gives back that the salvage leaves out: the salvage's count
	# (none when the plain rebuild keeps all, or the rescue is the advice)
	r=$(jq -r 'if .repair.rebuild_whole or .repair.rescue_only or .repair.salvage_refused then 0 else null end' "$TMP/agree.json")
	[ "$r" = null ] && r=$(jq -r .rescuable "$TMP/agree-s.json")
	is "advice counts the rescue as the salvage does ($dmg)" "$(jq -r .repair.rescue_more "$TMP/agree.json")" "$r"
done
done_testing
