#!/bin/sh
# Damage inside a hypercore feed (doc/formats.md §4). The tree file cut short
# or emptied while the bitfield still counts the blocks, a leaf's size
# damaged with its hash intact: the check must not call such a file healthy,
# must not blame the device's signatures, and a salvage keeps every block (the
# data split into its entries gives the tree back, and the device's own
# signature proves it). A key file of the wrong length: its key is written
# again when the device's signature proves one found; otherwise a rebuild
# never drops the feed silently, and only --salvage leaves it out. A
# bitfield zeroed, cut or with bits cleared: the counts are what the file
# holds, and a repair keeps every block. Each rebuilt file is
# proved with the real Mapeo (tests/interop). Damaged copies are made by
# tests/unit/mkdamage from the real fixture.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
[ -x "$MK" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }

json() { "$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$1" | jq -r "$2"; }

# case NAME MKDAMAGE-ARGS...: the damage made on a copy of project A's file,
# whose feed 1 has 7 blocks signed at lengths 5 and 7.
case_() {
	name=$1
	shift
	f="$TMP/$name.mapeodata"
	cp "$D/good-project-A.mapeodata" "$f"
	mode=$1
	shift
	"$MK" "$mode" "$f" "$@" || fail "$name: mkdamage $mode"
	status "$name: the check finds problems" 2 "$SYNCDOCTOR" --no-journal check --no-config --no-environment "$f"
	check "$name: not 'nothing to report'" sh -c "! grep -q 'Nothing to report' '$TMP/out'"
	is "$name: feed 1 keeps its length (the bitfield's)" "$(json "$f" '.feeds[1].length')" 7
	is "$name: the check counts every observation the data holds" "$(json "$f" '.observations.heads')" 24
	is "$name: the check says what a salvage keeps" \
		"$(json "$f" '[.findings[] | select(.code == "feed-hash-mismatch") | .message | select(test("keeps 7 of the feed.s 7 blocks"))] | length')" 1
	is "$name: no entry is called not JSON in its own words" \
		"$(json "$f" '[.findings[] | select(.code == "entry-not-json") | .message | select(test("not one line"))] | length')" 0
	is "$name: its signatures are not called missing" \
		"$(json "$f" '[.findings[] | select(.code == "feed-unsigned")] | length')" 0
	is "$name: the device's signatures are not blamed" \
		"$(json "$f" '[.findings[] | select(.code == "feed-signature-invalid")] | length')" 0
	status "$name: --repair copies it whole, so it refuses" 2 "$SYNCDOCTOR" --no-journal rebuild --repair "$f" -o "$TMP/$name.repair.mapeodata"
	status "$name: --salvage" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/$name.out.mapeodata"
	check "$name: the plan keeps every block" grep -q "feed 1 (1892c3d): 7 of 7 blocks" "$TMP/out"
	check "$name: the plan says the tree is computed again" grep -q "computed again" "$TMP/out"
	check "$name: nothing is left out" grep -q "Nothing is left out" "$TMP/out"
	is "$name: the salvaged file is whole" \
		"$(json "$TMP/$name.out.mapeodata" '[.verdict, .observations.heads, .feeds[1].verified] | join(" ")')" "ok 24 7"
	mapeo "$name" "$TMP/$name.out.mapeodata" "$KA" 24 30
}

case_ "tree emptied" cut 1/tree 32
case_ "tree cut after 6 nodes" cut 1/tree 272
case_ "a leaf's size damaged" leafsize 1 2
# cut inside its 32-byte header, or to nothing: no node is left, and the
# salvage gave none of the 7 blocks back although the check said it keeps
# them all
case_ "tree cut inside its header" cut 1/tree 20
case_ "tree cut to nothing" cut 1/tree 0

# The tree lost and the signature for length 5 damaged: nothing could try
# that signature before the salvage computed the tree, and the tree's
# salvage copied it as it was, so its own read-back refused the file
# (found by fuzz_rebuild). It is cleared; the one for 7 keeps every block.
f="$TMP/treesig.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
{ "$MK" sig "$f" 1 4 && "$MK" cut "$f" 1/tree 0; } || fail "tree lost, a signature damaged: mkdamage"
status "tree lost, a signature damaged: --salvage" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/treesig.out.mapeodata"
check "... the plan keeps every block" grep -q "feed 1 (1892c3d): 7 of 7 blocks" "$TMP/out"
check "... the plan says the bad signature is cleared" grep -q "feed 1: signatures that do not verify are cleared" "$TMP/out"
is "... the salvaged file is whole" "$(json "$TMP/treesig.out.mapeodata" '[.verdict, .observations.heads, .feeds[1].verified] | join(" ")')" "ok 24 7"
mapeo "tree lost, a signature damaged, salvaged" "$TMP/treesig.out.mapeodata" "$KA" 24 30

# An empty feed (a device that never wrote) whose signatures or tree file
# is cut inside its 32-byte header: the rebuild copied the header cut
# short, and its own check of what it wrote refused it (found by
# fuzz_rebuild). It writes the header whole.
for part in signatures tree; do
	f="$TMP/empty-$part.mapeodata"
	cp "$D/edge-empty-device-A.mapeodata" "$f"
	"$MK" cut "$f" "0/$part" 16 || fail "empty feed, $part cut: mkdamage"
	status "empty feed, $part cut inside its header: a plain rebuild" 0 \
		"$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/empty-$part.out.mapeodata"
	check "... the plan says the header is written again" grep -q "file headers are written again" "$TMP/out"
	is "... the file written is whole" \
		"$(json "$TMP/empty-$part.out.mapeodata" '[.verdict, .feeds[0].length] | map(tostring) | join(" ")')" "ok 0"
	mapeo "empty feed, $part cut inside its header, rebuilt" "$TMP/empty-$part.out.mapeodata" "$KA" 0 0
done

# Feed 1's tree and bitfield both emptied: they give it no block, but its
# signatures (for lengths 5 and 7) and its data hold 7. The check must not
# call the feed empty and the file healthy: the data split into its entries
# is proved by the signature for length 7, so every block is counted and a
# salvage keeps all 7.
f="$TMP/both.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
"$MK" cut "$f" 1/tree 32 && "$MK" bitzero "$f" 1 || fail "tree and bitfield emptied: mkdamage"
status "tree and bitfield emptied: the check finds problems" 2 "$SYNCDOCTOR" --no-journal check --no-config --no-environment "$f"
is "tree and bitfield emptied: the feed and its observations counted" \
	"$(json "$f" '[.feeds[1].length, .feeds[1].present, .observations.heads] | join(" ")')" "7 7 24"
is "tree and bitfield emptied: the check says a salvage keeps all 7" \
	"$(json "$f" '[.findings[] | select(.code == "feed-hash-mismatch") | .message | select(test("keeps all 7"))] | length')" 1
status "tree and bitfield emptied: --salvage" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/both.out.mapeodata"
check "tree and bitfield emptied: the plan keeps every block" grep -q "feed 1 (1892c3d): 7 of 7 blocks" "$TMP/out"
is "tree and bitfield emptied: the salvaged file" "$(json "$TMP/both.out.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 24"
mapeo "tree and bitfield emptied, salvaged" "$TMP/both.out.mapeodata" "$KA" 24 30

# keycase NAME FEED BLOCKS KEPT OBS BYTES: feed FEED's key file cut to BYTES
# bytes; BLOCKS of it are lost, KEPT feeds are written, OBS
# observations reach Mapeo.
keycase() {
	f="$TMP/key$2.mapeodata"
	cp "$D/good-project-A.mapeodata" "$f"
	"$MK" cut "$f" "$2/key" "$6" || fail "$1: mkdamage cut"
	status "$1: --repair does not leave the feed out, so it refuses" 2 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/key$2.repair.mapeodata"
	check "$1: --repair says the feed is left out" grep -q "feed $2, all its $3 blocks: its key file" "$TMP/out"
	check "$1: --repair names --salvage" grep -q -- "--salvage" "$TMP/err"
	check "$1: --repair wrote nothing" test ! -e "$TMP/key$2.repair.mapeodata"
	status "$1: --salvage" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/key$2.out.mapeodata"
	check "$1: --salvage says the feed is left out" grep -q "feed $2, all its $3 blocks: its key file" "$TMP/out"
	check "$1: --salvage does not say nothing is left out" sh -c "! grep -q 'Nothing is left out' '$TMP/out'"
	is "$1: the salvaged file" "$(json "$TMP/key$2.out.mapeodata" '[.verdict, (.feeds | length), .observations.heads] | join(" ")')" "ok $4 $5"
	mapeo "$1" "$TMP/key$2.out.mapeodata" "$KA" "$5" 30
}
keycase "feed 1's key emptied" 1 7 1 20 0
check "feed 1's key emptied: the check says no key could be proved" \
	sh -c "'$SYNCDOCTOR' --no-journal check --no-config --no-environment --format json '$TMP/key1.mapeodata' | jq -r '.findings[] | select(.code == \"feed-key-invalid\") | .message' | grep -q 'no key that its signatures prove'"
is "feed 1's key emptied: its signatures are not called invalid or missing" \
	"$(json "$TMP/key1.mapeodata" '[.findings[] | select(.code == "feed-unsigned" or .code == "feed-signature-invalid")] | length')" 0

# A key file cut by a byte, grown, or emptied while another feed's entries
# link to the feed by its key: the key is found (the 256 bytes that could
# end it, every 32 bytes of a grown file, the "<key>@<block>" links of the
# entries) and proved by the device's own Ed25519 signature over the feed's
# tree; then the check verifies the feed with it and a repair writes it
# again, keeping every block.
provedkey() {
	f="$TMP/pk$2.mapeodata" out="$TMP/pk$2.out.mapeodata"
	cp "$D/good-project-A.mapeodata" "$f"
	"$MK" cut "$f" "$3/key" "$4" || fail "$1: mkdamage cut"
	is "$1: the feed verifies with the key found" "$(json "$f" "[.feeds[$3].verified, .feeds[$3].length, .observations.heads] | join(\" \")")" "$5"
	is "$1: the key is said to be proved" \
		"$(json "$f" '[.findings[] | select(.code == "feed-key-invalid") | .message | test("is proved")] | join(" ")')" true
	status "$1: --repair" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$out"
	check "$1: the plan writes the key again" grep -q "key file is written again" "$TMP/out"
	check "$1: nothing is left out" grep -q "Nothing is left out" "$TMP/out"
	is "$1: the rebuilt file" "$(json "$out" '[.verdict, (.feeds | length), .observations.heads] | join(" ")')" "ok 2 24"
	mapeo "$1, rebuilt" "$out" "$KA" 24 30
}
provedkey "feed 0's key of 31 bytes" cut31 0 31 "20 20 24"
provedkey "feed 1's key of 31 bytes" cut1 1 31 "7 7 24"
provedkey "feed 1's key grown to 40 bytes" grown 1 40 "7 7 24"
provedkey "feed 0's key emptied, linked to from feed 1" empty0 0 0 "20 20 24"

# Feed 1 is signed at lengths 5 and 7 (each append signs its end). A bad
# signature for length 5 under the good one for 7 does not stop Mapeo, which
# proves blocks with the latest signature: the real Mapeo takes this very
# file whole, so the check says it as a warning, not "Mapeo will stop".
f="$TMP/sig.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
"$MK" sig "$f" 1 4 || fail "mkdamage sig"
is "a bad signature under a good one: a warning" \
	"$(json "$f" '[.findings[] | select(.code == "feed-signature-invalid") | .severity] | join(" ")')" warning
check "a bad signature under a good one: it does not say Mapeo stops" sh -c "! '$SYNCDOCTOR' --no-journal check --no-config --no-environment '$f' | grep -q 'will stop'"
mapeo "a bad signature under a good one, as it is" "$f" "$KA" 24 30
status "a bad signature under a good one: --repair clears it" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/sig.out.mapeodata"
is "a bad signature under a good one: the rebuilt file" "$(json "$TMP/sig.out.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 24"

# Feed 1's last signature (length 7) damaged past mending: a salvage keeps
# it to length 5, and block 6, the deletion of an observation, is left out,
# so Mapeo shows that observation again. The plan says so (it called it
# "the entry of observation ...", and the real Mapeo showed 25 of 24).
f="$TMP/sig6.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
"$MK" sig "$f" 1 6 || fail "mkdamage sig"
"$SYNCDOCTOR" --no-journal rebuild --salvage --dry-run "$f" >"$TMP/out" 2>&1
check "a deletion left out: the plan says the observation shows again" grep -q "feed 1, block 6: the deletion of observation 0d72da978fe44566, which Mapeo will show again" "$TMP/out"

# A stray tree bit far to the right (node 803): hypercore reads a feed's
# length by walking the marked nodes from node 0, so it never reaches it,
# and the real Mapeo syncs the file whole; the check says it is healthy (it
# must not count the feed as 403 blocks long because of the tree-file fix).
f="$TMP/treebit.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
"$MK" treebit "$f" 0 803 || fail "mkdamage treebit"
is "a stray tree bit: feed 0 is still 20 blocks long" "$(json "$f" '[.verdict, .feeds[0].length] | join(" ")')" "ok 20"
mapeo "a stray tree bit, as it is" "$f" "$KA" 24 30

# One bit of feed 0's bitfield flipped, nothing else wrong, and the check
# said "OK" while the real Mapeo refuses the file: a data bit set for block
# 1131, far past the feed's 20 blocks (Mapeo offers the block and cannot
# prove it: "No proof available for this index"), or the tree bit of node 15
# (the root over blocks 0 to 15) cleared, so that hypercore reads the feed
# as 15 blocks long ("Remote checksum failed"). A rebuild writes the
# bitfield again.
bitcase() {
	f="$TMP/$2.mapeodata"
	cp "$D/good-project-A.mapeodata" "$f"
	"$MK" "$2" "$f" 0 "$3" || fail "$1: mkdamage $2"
	status "$1: the check finds it" 2 "$SYNCDOCTOR" --no-journal check --no-config --no-environment "$f"
	check "$1: said as such" grep -q "feed-bitfield-damaged" "$TMP/out"
	if [ -n "${SYNCDOCTOR_NO_INTEROP:-}" ]; then
		skip "$1: Mapeo refuses the file as it is (SYNCDOCTOR_NO_INTEROP set)"
	else
		"$top_srcdir/tests/interop/mapeo-accepts.sh" "$f" "$KA" 24 30 >"$TMP/interop.out" 2>"$TMP/interop.err"
		case $? in
		1) ok "$1: Mapeo refuses the file as it is" ;;
		77) skip "$1: Mapeo refuses it ($(tail -n 1 "$TMP/interop.err"))" ;;
		*) fail "$1: Mapeo refuses the file as it is" ;;
		esac
	fi
	status "$1: --repair" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/$2.out.mapeodata"
	check "$1: the plan says the bitfield is written again" grep -q "damaged bitfield is written again" "$TMP/out"
	is "$1: the rebuilt file" "$(json "$TMP/$2.out.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 24"
	mapeo "$1, rebuilt" "$TMP/$2.out.mapeodata" "$KA" 24 30
}
bitcase "a bitfield bit past the end" databit 1131
bitcase "a root's tree bit cleared" treebit 15

# The bitfield zeroed, emptied or cut inside its first page (storage damage
# over the whole file), or one data bit of a block cleared: the tree, the
# data and the device's signature still hold every block. The check counts
# what the file holds (every block, every observation; no photo called an
# orphan), says the bitfield is damaged and not that blocks are missing, and
# a repair writes the bitfield again. Seen with the real Mapeo: the zeroed
# bitfield syncs "fine" with only feed 1's 6 observations (hypercore reads
# feed 0 as empty), a cleared data bit makes the sync wait for ever.
# zerocase NAME TAG MODE ARGS...: mkdamage MODE on a copy, then ARGS.
zerocase() {
	name=$1 tag=$2 mode=$3
	shift 3
	f="$TMP/bz$tag.mapeodata" out="$TMP/bz$tag.out.mapeodata"
	cp "$D/good-project-A.mapeodata" "$f"
	"$MK" "$mode" "$f" "$@" || fail "$name: mkdamage $mode"
	is "$name: every block and observation counted" \
		"$(json "$f" '[.feeds[0].present, .feeds[0].verified, .observations.heads] | join(" ")')" "20 20 24"
	is "$name: no photo is called an orphan" "$(json "$f" '[.findings[] | select(.code == "media-orphan")] | length')" 0
	is "$name: the bitfield is said to be damaged, no block missing" \
		"$(json "$f" '[.findings[] | select(.code == "feed-bitfield-damaged" or .code == "feed-incomplete") | .code] | join(" ")')" \
		feed-bitfield-damaged
	status "$name: --repair" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$out"
	check "$name: the plan keeps every block" grep -q "feed 0 (8c884bb): 20 of 20 blocks" "$TMP/out"
	is "$name: the rebuilt file" "$(json "$out" '[.verdict, .observations.heads] | join(" ")')" "ok 24"
	mapeo "$name, rebuilt" "$out" "$KA" 24 30
}
zerocase "feed 0's bitfield zeroed" zero bitzero 0
zerocase "feed 0's bitfield emptied" empty cut 0/bitfield 32
zerocase "feed 0's bitfield cut in its first page" cut cut 0/bitfield 100
zerocase "a data bit of block 3 cleared" bit databit 0 3
f="$TMP/bzzero.mapeodata"
is "a zeroed bitfield: said as a shorter feed Mapeo syncs without error" \
	"$(json "$f" '[.findings[] | select(.code == "feed-bitfield-damaged") | .message | test("without the others, with no error")] | join(" ")')" true
mapeo "a zeroed bitfield, as it is: only feed 1's observations arrive" "$f" "$KA" 6 30
# Feed 1's tree bit of node 9 cleared: hypercore reads it as 5 blocks long,
# a length the device signed, but the data bits still offer blocks 5 and 6:
# the real Mapeo stops ("Missing tree roots needed for verify").
f="$TMP/t9.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
"$MK" treebit "$f" 1 9 || fail "mkdamage treebit 1 9"
is "a tree bit cleared under a signed length: said to stop the sync" \
	"$(json "$f" '[.findings[] | select(.code == "feed-bitfield-damaged") | .message | test("Missing tree roots")] | join(" ")')" true
mapeo_refuses "a tree bit cleared under a signed length, as it is" "$f" "$KA"
# Blocks that are JSON but not an object, in a feed added by another writer
# (signed at its end with a key pair mkdamage makes). Seen with the real
# Mapeo: an array, a string, a number or a boolean syncs and the indexer
# passes over it (every observation listed); null makes kappa-osm's indexer
# fail ("Cannot read properties of null") and Mapeo stop. The check says
# "JSON, but not an entry", a note for the first kind (the file is fine) and
# an error for null; a rebuild keeps the first kind, and --exclude-suspect
# cuts the feed before a null.
f="$TMP/arr.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
"$MK" newfeed "$f" '[]' || fail "mkdamage newfeed []"
is "a block '[]': JSON, but not an entry, a note" \
	"$(json "$f" '[.verdict, (.findings[] | select(.code | startswith("entry")) | .code, .severity)] | join(" ")')" "ok entry-not-object info"
mapeo "a block '[]', as it is" "$f" "$KA" 24 30
"$MK" bitzero "$f" 0 || fail "mkdamage bitzero"
status "a block '[]' and a zeroed bitfield: --repair" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/arr.out.mapeodata"
is "a block '[]' and a zeroed bitfield: the rebuilt file keeps the block" \
	"$(json "$TMP/arr.out.mapeodata" '[.verdict, .feeds[2].length, .observations.heads] | join(" ")')" "ok 1 24"
mapeo "a block '[]' and a zeroed bitfield, rebuilt" "$TMP/arr.out.mapeodata" "$KA" 24 30
f="$TMP/null.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
"$MK" newfeed "$f" null || fail "mkdamage newfeed null"
is "a block 'null': JSON, but not an entry, an error" \
	"$(json "$f" '[.verdict, (.findings[] | select(.code | startswith("entry")) | .code, .severity)] | join(" ")')" "problems entry-not-object error"
mapeo_refuses "a block 'null', as it is" "$f" "$KA"
status "a block 'null': --repair keeps it, so it refuses" 2 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/null.repair.mapeodata"
check "a block 'null': --repair names --exclude-suspect" grep -q -- "--exclude-suspect" "$TMP/err"
status "a block 'null': --exclude-suspect" 0 "$SYNCDOCTOR" --no-journal rebuild --exclude-suspect "$f" -o "$TMP/null.out.mapeodata"
check "a block 'null': the plan counts it as suspect" grep -q "1 block is left out, 0 of them not suspect" "$TMP/out"
is "a block 'null': the rebuilt file" "$(json "$TMP/null.out.mapeodata" '[.verdict, .feeds[2].length, .observations.heads] | join(" ")')" "ok 0 24"
mapeo "a block 'null', rebuilt" "$TMP/null.out.mapeodata" "$KA" 24 30

# An empty feed whose bitfield goes on with a page of zeros: Mapeo waits for
# ever (its 120 s bound here). A rebuild that wrote the headers of project B's
# empty feed 1 again (a 4 KiB page lost over them) wrote such a page, and
# said "verified": the check now finds it, and a rebuild writes the bare
# header, as hypercore does.
KB=7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514
cp "$D/good-project-B.mapeodata" "$TMP/grow.mapeodata"
"$MK" grow "$TMP/grow.mapeodata" 1/bitfield 3584
is "an empty feed's bitfield with a page: found" "$(json "$TMP/grow.mapeodata" '[.findings[] | select(.code == "feed-bitfield-damaged" and .feed == 1)] | length')" 1
mapeo_refuses "an empty feed's bitfield with a page" "$TMP/grow.mapeodata" "$KB"
status "an empty feed's bitfield with a page: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$TMP/grow.mapeodata" -o "$TMP/grow.out.mapeodata"
is "an empty feed's bitfield with a page: the bare header again" "$(json "$TMP/grow.out.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 4"
mapeo "an empty feed's bitfield with a page, rebuilt" "$TMP/grow.out.mapeodata" "$KB" 4 6
cp "$D/good-project-B.mapeodata" "$TMP/lostpage.mapeodata"
dd if=/dev/zero of="$TMP/lostpage.mapeodata" bs=4096 seek=21 count=1 conv=notrunc 2>/dev/null
status "headers of an empty feed lost with a page: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$TMP/lostpage.mapeodata" -o "$TMP/lostpage.out.mapeodata"
check "headers of an empty feed lost with a page: written again" grep -q "feed 1: damaged or missing file headers are written again" "$TMP/out"
is "headers of an empty feed lost with a page: the rebuilt file" "$(json "$TMP/lostpage.out.mapeodata" '[.verdict, .observations.heads, ([.findings[] | select(.code == "feed-bitfield-damaged")] | length)] | join(" ")')" "ok 4 0"
mapeo "headers of an empty feed lost with a page, rebuilt" "$TMP/lostpage.out.mapeodata" "$KB" 4 6
# a page lost over feed 0's tree and most of its data: its blocks cannot be
# kept, and the plan names them (it said "Nothing is left out")
cp "$D/good-project-B.mapeodata" "$TMP/losttree.mapeodata"
dd if=/dev/zero of="$TMP/losttree.mapeodata" bs=4096 seek=23 count=1 conv=notrunc 2>/dev/null
# nothing of the feed is kept, so the file would be photos only: refused (it
# was written "verified", photos and no observation)
status "a tree lost with a page: salvage plan, refused" 2 "$SYNCDOCTOR" --no-journal rebuild --salvage --dry-run "$TMP/losttree.mapeodata" -o "$TMP/losttree.out.mapeodata"
check "a tree lost with a page: the blocks left out are named" sh -c "grep -q 'feed 0, block 3' '$TMP/out' && ! grep -q 'Nothing is left out' '$TMP/out'"
check "a tree lost with a page: no device's data, so no file of photos only" grep -q "no device's data in the database can be verified, so the file would hold photos and no observation" "$TMP/out"
# a key file of the right length damaged in storage (a bit flipped, the
# sector zeroed): no signature verifies with it, so Mapeo would stop with
# 'Remote signature could not be verified' (and the report counted the
# feed's versions as forks). The key one bit away, or named in the entries'
# links, is proved by the device's signature: the feed is read whole, and a
# rebuild writes the key again.
for dmg in "1 77" "0 zero"; do
	set -- $dmg
	f="$TMP/key-$1-$2.mapeodata"
	cp "$D/good-project-A.mapeodata" "$f"
	"$MK" keybit "$f" "$1" "$2"
	is "key of feed $1 damaged ($2): found and proved" "$(json "$f" '[.observations.heads, .observations.forks, ([.findings[] | select(.code == "feed-key-invalid" and .feed == '"$1"' and (.message | test("is proved")))] | length), ([.findings[] | select(.code == "feed-signature-invalid")] | length)] | join(" ")')" "24 0 1 0"
	mapeo_refuses "key of feed $1 damaged ($2)" "$f" "$KA"
	status "key of feed $1 damaged ($2): rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/key-$1-$2.out.mapeodata"
	check "key of feed $1 damaged ($2): the plan writes it again" grep -q "damaged key file is written again" "$TMP/out"
	is "key of feed $1 damaged ($2): the rebuilt file" "$(json "$TMP/key-$1-$2.out.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 24"
	mapeo "key of feed $1 damaged ($2), rebuilt" "$TMP/key-$1-$2.out.mapeodata" "$KA" 24 30
done
# a header inside the database zeroed (a sector lost): feed 0's data, key,
# signatures or tree is still there, and the feed's other files give its
# size; a salvage kept none of it ("the database is damaged"), now the feed
# is read, verified and rebuilt whole
for at in 95232 92160 93184 94208; do
	f="$TMP/inner-$at.mapeodata"
	cp "$D/good-project-B.mapeodata" "$f"
	dd if=/dev/zero of="$f" bs=512 seek=$((at / 512)) count=1 conv=notrunc 2>/dev/null
	is "inner header zeroed at $at: the feed is read" "$(json "$f" '[.observations.heads, .feeds[0].verified, ([.findings[] | select(.code == "inner-tar-damaged" and (.message | test("all zeros")))] | length)] | join(" ")')" "4 4 1"
	status "inner header zeroed at $at: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/inner-$at.out.mapeodata"
	is "inner header zeroed at $at: the rebuilt file" "$(json "$TMP/inner-$at.out.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 4"
done
mapeo_refuses "a zeroed header of 0/data (the file as it is)" "$TMP/inner-95232.mapeodata" "$KB"
mapeo "a zeroed header of 0/data, rebuilt" "$TMP/inner-95232.out.mapeodata" "$KB" 4 6
mapeo "a zeroed header of 0/key, rebuilt" "$TMP/inner-92160.out.mapeodata" "$KB" 4 6
# zeroed SRC NAME OFFSET...: a copy of SRC with the 512-byte sectors at
# OFFSET... zeroed (inner tar headers lost in storage), as $f
zeroed() {
	f="$TMP/$2.mapeodata"
	cp "$1" "$f"
	src=$1 name=$2
	shift 2
	for at; do
		dd if=/dev/zero of="$f" bs=512 seek=$((at / 512)) count=1 conv=notrunc 2>/dev/null
	done
}
guessed() { json "$1" "[.findings[] | select(.code == \"inner-tar-damaged\" and (.message | test(\"all zeros\"))) | .inner] | join(\" \")"; }

# a zeroed header over a bitfield: the bytes after it begin with
# hypercore's bitfield header, and its whole pages before the next header
# are read (feed 0's page; empty feed 1's bare header, which must stay bare:
# with a page of zeros Mapeo waits for ever)
for c in "87552 0 3616" "83456 1 32"; do
	set -- $c
	zeroed "$D/good-project-B.mapeodata" "bitfield-$2" "$1"
	is "bitfield $2's header zeroed: read back" "$(json "$f" '[.observations.heads, (.feeds | map(.verified) | join(",")), ([.findings[] | select(.code == "inner-tar-damaged" and (.message | test("begin with hypercore.s bitfield header, and its '"$3"' bytes")))] | length)] | join(" ")')" "4 4,0 1"
	status "bitfield $2's header zeroed: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/bitfield-$2.out.mapeodata"
	is "bitfield $2's header zeroed: the rebuilt file" "$(json "$TMP/bitfield-$2.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 4 4,0"
done
mapeo_refuses "a zeroed header of 0/bitfield (the file as it is)" "$TMP/bitfield-0.mapeodata" "$KB"
mapeo "a zeroed header of 0/bitfield, rebuilt" "$TMP/bitfield-0.out.mapeodata" "$KB" 4 6
mapeo "a zeroed header of an empty feed's bitfield, rebuilt" "$TMP/bitfield-1.out.mapeodata" "$KB" 4 6

# several headers of one feed zeroed in one stretch: read as the files the
# feed lacks in turn, each size told by the files found before it (the
# signatures by the tree, the tree by the data's entries, the data by the
# signed length's newlines, the bitfield by the pages that length needs),
# then every one verified
for c in "B sigs-tree 0/signatures,0/tree 93184 94208" \
	"B tree-data 0/tree,0/data 94208 95232" \
	"A key-sigs-tree 0/key,0/signatures,0/tree 559616 560640 562688" \
	"A data-key-bitfield-tree 1/data,1/key,1/bitfield,1/tree 580096 585728 586752 591360"; do
	set -- $c
	p=$1 name=$2 files=$3
	shift 3
	zeroed "$D/good-project-$p.mapeodata" "$name" "$@"
	whole=$([ "$p" = A ] && echo "24 20,7" || echo "4 4,0")
	is "$name headers zeroed: each file read" "$(guessed "$f" | tr ' ' ',')" "$files"
	is "$name headers zeroed: no byte called unread (zeroed headers, padding, the tar's end)" "$(json "$f" '[.findings[] | select(.message | test("in no entry that could be read"))] | length')" 0
	is "$name headers zeroed: every feed verified" "$(json "$f" '[.observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "$whole"
	status "$name headers zeroed: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/$name.out.mapeodata"
	is "$name headers zeroed: the rebuilt file" "$(json "$TMP/$name.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok $whole"
done
# feed 1's data, tree and signatures headers zeroed (two stretches): no
# other file gives the data's size, so it runs to its last entry's newline;
# then its 7 entries give the tree's and the signatures' sizes
zeroed "$D/good-project-A.mapeodata" "data-own" 580096 591360 592896
is "data, tree and signatures headers zeroed: each file read" "$(guessed "$f" | tr ' ' ',')" "1/data,1/tree,1/signatures"
is "data, tree and signatures headers zeroed: the data by its own newlines" "$(json "$f" '[.findings[] | select(.inner == "1/data") | .message | select(test("no other file of the feed gives its size, so its 4846 bytes run to the newline that ends its last entry"))] | length')" 1
is "data, tree and signatures headers zeroed: every feed verified" "$(json "$f" '[.observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "24 20,7"
status "data, tree and signatures headers zeroed: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/data-own.out.mapeodata"
is "data, tree and signatures headers zeroed: the rebuilt file" "$(json "$TMP/data-own.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 24 20,7"
mapeo "feed 1's data, tree and signatures headers zeroed, rebuilt" "$TMP/data-own.out.mapeodata" "$KA" 24 30
mapeo_refuses "the signatures' and tree's headers zeroed (the file as it is)" "$TMP/sigs-tree.mapeodata" "$KB"
mapeo "the signatures' and tree's headers zeroed, rebuilt" "$TMP/sigs-tree.out.mapeodata" "$KB" 4 6
mapeo "the tree's and data's headers zeroed, rebuilt" "$TMP/tree-data.out.mapeodata" "$KB" 4 6
mapeo "the key's, signatures' and tree's headers zeroed, rebuilt" "$TMP/key-sigs-tree.out.mapeodata" "$KA" 24 30
mapeo "feed 1's data, key, bitfield and tree headers zeroed, rebuilt" "$TMP/data-key-bitfield-tree.out.mapeodata" "$KA" 24 30

# a guess that does not verify is damage: the tree read after its zeroed
# header with one hash byte changed (its size still fits)
zeroed "$D/good-project-B.mapeodata" "bad-guess" 93184 94208
printf 'X' | dd of="$f" bs=1 seek=$((94720 + 32 + 40 * 2)) conv=notrunc 2>/dev/null
is "a guessed tree that does not verify: read, and told" "$(guessed "$f") $(json "$f" '[.feeds[0].verified, ([.findings[] | select(.feed == 0 and .severity == "error" and .code != "inner-tar-damaged")] | length > 0)] | join(" ")')" "0/signatures 0/tree 0 true"
status "a guessed tree that does not verify: a repair refuses" 2 "$SYNCDOCTOR" --no-journal rebuild --repair "$f" -o "$TMP/bad-guess.out.mapeodata"

# a real 4 KiB page over 0/key's header and bytes and 0/signatures' header:
# the signatures are read, the key lost is said, never guessed from zeros
zeroed "$D/good-project-B.mapeodata" "page-key" 89600 90112 90624 91136 91648 92160 92672 93184
is "a page over the key and the signatures' header: signatures read" "$(guessed "$f")" "0/signatures"
is "a page over the key and the signatures' header: the key is said lost" "$(json "$f" '[.findings[] | select(.code == "feed-key-invalid" and .feed == 0)] | length > 0')" "true"

# the signatures', tree's and data's headers zeroed: nothing left gives the
# feed's length, and the check says so, naming the feed by its key's short form
zeroed "$D/good-project-B.mapeodata" "no-length" 93184 94208 95232
is "no length left: said" "$(json "$f" '[.findings[] | select(.code == "inner-tar-damaged" and .feed == 0) | .message | select(test("^feed 0 \\(9ec37\\*{10}\\): its signatures, tree and data are not in the database, which is damaged from byte 93184 \\(9728 bytes into it")) | select(test("nothing left gives the feed.s length"))] | length')" 1
# a real page over empty feed 1's key, signatures and tree (and 0/bitfield's
# header): feed 0 is read whole, and feed 1, its key lost too, is said
zeroed "$D/good-project-B.mapeodata" "page-feed1" 83968 84480 84992 85504 86016 86528 87040 87552
is "a page over feed 1's files: feed 0 read whole" "$(json "$f" '[.observations.heads, .feeds[0].verified] | join(" ")')" "4 4"
is "a page over feed 1's files: no length left, said" "$(json "$f" '[.findings[] | select(.code == "inner-tar-damaged" and .feed == 1) | .message | select(startswith("feed 1 (its key lost too): its signatures, tree and data are not in the database, which is damaged from byte 83968 (512 bytes into it"))] | length')" 1
k0=$(json "$D/good-project-B.mapeodata" '.feeds[0].key')
check "no length left: the feed's key is never shown whole" sh -c "! '$SYNCDOCTOR' --no-journal check --no-config --no-environment '$f' | grep -q $k0"
# every header of a feed zeroed (a card losing those sectors): no entry read
# names its files, so the bytes they hold are read by nothing. The check and
# the plan must say those bytes, never "a rebuild keeps everything" nor
# "Nothing is left out". Project B's empty feed 1: its key cannot be proved
# by any signature, so its files stay unread.
# unread NAME FILE FROM TO BYTES: the check's and the plan's words on FILE
unread() {
	status "$1: the check finds problems" 2 "$SYNCDOCTOR" --no-journal check --no-config --no-environment "$2"
	check "$1: the advice does not say a rebuild keeps everything" sh -c "! grep -q 'keeps everything' '$TMP/out'"
	is "$1: the unread bytes said" "$(json "$2" '[.findings[] | select(.code == "inner-tar-damaged" and .severity == "error" and .offset == '"$3"') | .message | select(startswith("'"$5"' bytes of the database (from byte '"$3"' to '"$4"', ")) | select(test("could not be found, are not counted above"))] | length')" 1
	is "$1: neither a rebuild nor a salvage keeps everything" "$(json "$2" '[.repair.rebuild_whole, .repair.salvage_whole] | join(" ")')" "false false"
	status "$1: the plan" 0 "$SYNCDOCTOR" --no-journal rebuild -n "$2" -o "$TMP/$1.out.mapeodata"
	check "$1: the plan leaves those bytes out" grep -qF "the database's $5 bytes from byte $3 to $4: they are in no tar entry that could be read" "$TMP/out"
	check "$1: the plan does not say nothing is left out" sh -c "! grep -q 'Nothing is left out' '$TMP/out'"
}
zeroed "$D/good-project-B.mapeodata" "B-feed1-headers" 83456 84480 85504 86528
unread "B-feed1-headers" "$f" 83968 87552 3584
is "B-feed1-headers: feed 0 still read whole" "$(json "$f" '[.observations.heads, (.feeds | map(.index) | join(",")), .feeds[0].verified] | join(" ")')" "4 0 4"
status "B-feed1-headers: --salvage" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/B-feed1-headers.salvage.mapeodata"
check "B-feed1-headers: --salvage says the bytes are left out" grep -qF "the database's 3584 bytes from byte 83968 to 87552" "$TMP/out"

# every header of project A's feed 1 zeroed (data, key, bitfield, tree,
# signatures; a card losing those sectors): no feed found lacks those files,
# so they are read as a new feed's, by their shapes (the data's JSON lines,
# the key's 32 bytes, hypercore's headers) and the sizes they give each
# other, numbered 1 (the one number the feeds found lack), and verified: the
# key by the signatures, the tree by the signature, the data by the tree
zeroed "$D/good-project-A.mapeodata" "A-feed1-headers" 580096 585728 586752 591360 592896
is "A-feed1-headers: each file read" "$(guessed "$f" | tr ' ' ',')" "1/data,1/key,1/bitfield,1/tree,1/signatures"
is "A-feed1-headers: said as a feed with no header left" "$(json "$f" '[.findings[] | select(.code == "inner-tar-damaged" and .feed == 1) | .message | select(startswith("feed 1: no header of its files is left (storage lost them, from byte 580096, 25088 bytes into the database); 5 files were read"))] | length')" 1
is "A-feed1-headers: every feed verified, nothing unread" "$(json "$f" '[.observations.heads, (.feeds | map(.verified) | join(",")), ([.findings[] | select(.message | test("in no entry that could be read"))] | length), .repair.rebuild_whole] | join(" ")')" "24 20,7 0 true"
status "A-feed1-headers: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/A-feed1-headers.out.mapeodata"
check "A-feed1-headers: the plan keeps feed 1" grep -q "feed 1 (1892c3d): 7 of 7 blocks" "$TMP/out"
is "A-feed1-headers: the rebuilt file" "$(json "$TMP/A-feed1-headers.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 24 20,7"
mapeo "every header of feed 1 zeroed, rebuilt" "$TMP/A-feed1-headers.out.mapeodata" "$KA" 24 30
# the same for project B's feed 0 (bitfield, key, signatures, tree, data:
# its key and bitfield come before any file that gives the length, which
# its tree, found first by its header, tells), its number the gap before
# feed 1
zeroed "$D/good-project-B.mapeodata" "B-feed0-headers" 87552 92160 93184 94208 95232
is "B-feed0-headers: each file read" "$(guessed "$f" | tr ' ' ',')" "0/bitfield,0/key,0/signatures,0/tree,0/data"
is "B-feed0-headers: every feed verified, nothing unread, no gap" "$(json "$f" '[.observations.heads, (.feeds | map("\(.index):\(.verified)") | join(",")), ([.findings[] | select((.message | test("in no entry that could be read")) or .code == "feed-gap")] | length), .repair.rebuild_whole] | join(" ")')" "4 0:4,1:0 0 true"
status "B-feed0-headers: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/B-feed0-headers.out.mapeodata"
is "B-feed0-headers: the rebuilt file" "$(json "$TMP/B-feed0-headers.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 4 4,0"
mapeo "every header of project B's feed 0 zeroed, rebuilt" "$TMP/B-feed0-headers.out.mapeodata" "$KB" 4 6
# a third feed (one block '[]', which Mapeo takes) packed after them: feed
# 1's headers all zeroed, it is read as the gap between feeds 0 and 2; feeds
# 0's and 1's all zeroed, two numbers are missing and two trees lie in the
# one stretch: the tar holds a folder's files together, so the stretch is
# read as one feed after the other, each with all five of its files, and
# they take the two numbers in the order they lie
f3="$TMP/three.mapeodata"
cp "$D/good-project-A.mapeodata" "$f3"
"$MK" newfeed "$f3" '[]' || fail "mkdamage newfeed []"
zeroed "$f3" "three-gap" 580096 585728 586752 591360 592896
is "three feeds, feed 1's headers zeroed: read as the gap" "$(json "$f" '[(.feeds | map("\(.index):\(.verified)") | join(",")), ([.findings[] | select(.code == "inner-tar-damaged" and .feed == 1) | .message | select(test("numbered 1, the one number the feeds found lack"))] | length), .repair.rebuild_whole] | join(" ")')" "0:20,1:7,2:1 1 true"
status "three feeds, feed 1's headers zeroed: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/three-gap.out.mapeodata"
is "three feeds, feed 1's headers zeroed: the rebuilt file" "$(json "$TMP/three-gap.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 24 20,7,1"
mapeo "three feeds, feed 1's headers zeroed, rebuilt" "$TMP/three-gap.out.mapeodata" "$KA" 24 30
zeroed "$f3" "three-two" 555008 559616 560640 562688 565248 580096 585728 586752 591360 592896
is "three feeds, feeds 0's and 1's headers zeroed: both read" "$(guessed "$f" | tr ' ' ',')" "0/bitfield,0/key,0/signatures,0/tree,0/data,1/data,1/key,1/bitfield,1/tree,1/signatures"
is "three feeds, feeds 0's and 1's headers zeroed: said, in order" "$(json "$f" '[.findings[] | select(.code == "inner-tar-damaged" and (.message | test("no header of its files is left.*2 feeds lost all their headers: they take the numbers the feeds found lack, in the order they lie"))) | "\(.feed)@\(.offset)"] | join(",")')" "0@555008,1@580096"
is "three feeds, feeds 0's and 1's headers zeroed: every feed verified, nothing unread" "$(json "$f" '[.observations.heads, (.feeds | map("\(.index):\(.verified)") | join(",")), ([.findings[] | select((.message | test("in no entry that could be read")) or .code == "feed-gap")] | length), .repair.rebuild_whole] | join(" ")')" "24 0:20,1:7,2:1 0 true"
status "three feeds, feeds 0's and 1's headers zeroed: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/three-two.out.mapeodata"
check "three feeds, feeds 0's and 1's headers zeroed: nothing left out" grep -q "Nothing is left out" "$TMP/out"
is "three feeds, feeds 0's and 1's headers zeroed: the rebuilt file" "$(json "$TMP/three-two.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 24 20,7,1"
mapeo "three feeds, feeds 0's and 1's headers zeroed, rebuilt" "$TMP/three-two.out.mapeodata" "$KA" 24 30
# every header of both of project A's feeds zeroed (the whole database's
# headers but its end): both read back, numbered 0 and 1, and rebuilt whole
zeroed "$D/good-project-A.mapeodata" "A-all-headers" 555008 559616 560640 562688 565248 580096 585728 586752 591360 592896
is "A-all-headers: both feeds read, verified, nothing unread" "$(json "$f" '[.observations.heads, (.feeds | map("\(.index):\(.verified)") | join(",")), ([.findings[] | select(.message | test("in no entry that could be read"))] | length), .repair.rebuild_whole] | join(" ")')" "24 0:20,1:7 0 true"
status "A-all-headers: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/A-all-headers.out.mapeodata"
is "A-all-headers: the rebuilt file" "$(json "$TMP/A-all-headers.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 24 20,7"
mapeo "every header of both feeds zeroed, rebuilt" "$TMP/A-all-headers.out.mapeodata" "$KA" 24 30
# ... and of project B's two: its empty feed 1 lies first (its key is never
# guessed, and its tree tells no length), so feed 0 is read from its own
# first file on, after feed 1's bytes, which are said and left out
zeroed "$D/good-project-B.mapeodata" "B-all-headers" 83456 84480 85504 86528 87552 92160 93184 94208 95232
is "B-all-headers: feed 0 read from its own first file" "$(guessed "$f" | tr ' ' ',')" "0/bitfield,0/key,0/signatures,0/tree,0/data"
is "B-all-headers: feed 0 verified" "$(json "$f" '[.observations.heads, (.feeds | map("\(.index):\(.verified)") | join(","))] | join(" ")')" "4 0:4"
unread "B-all-headers" "$f" 83968 87552 3584
status "B-all-headers: --salvage" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/B-all-headers.out.mapeodata"
is "B-all-headers: the salvaged file" "$(json "$TMP/B-all-headers.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 4 4"
mapeo "every header of project B's feeds zeroed, salvaged" "$TMP/B-all-headers.out.mapeodata" "$KB" 4 6
# lost NAME SEEK COUNT REFUSAL LEFT-OUT VERIFIED: COUNT KiB of project A
# zeroed from KiB SEEK over feed 1's files but its data (header and 4846
# bytes intact, nothing left to verify them or tell its blocks): no plan,
# no advice says a rebuild keeps everything, a plain rebuild refuses
# saying REFUSAL, a salvage says LEFT-OUT and keeps 20 of the 24
# observations (feeds verified: VERIFIED), which Mapeo accepts. Found by a
# random sweep: the plan said "Nothing is left out" and wrote 20 of 24.
lost() {
	f="$TMP/$1.mapeodata"
	cp "$D/good-project-A.mapeodata" "$f"
	dd if=/dev/zero of="$f" bs=1024 seek="$2" count="$3" conv=notrunc 2>/dev/null
	is "$1: no rebuild keeps everything" "$(json "$f" '[.repair.rebuild_whole, .repair.salvage_whole] | join(" ")')" "false false"
	status "$1: a plain rebuild refuses" 2 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/$1.out.mapeodata"
	check "$1: ... and says why" grep -qF "$4" "$TMP/out"
	status "$1: --salvage" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/$1.out.mapeodata"
	check "$1: the plan says feed 1's data is left out" grep -qF "$5" "$TMP/out"
	check "$1: --salvage does not say nothing is left out" sh -c "! grep -q 'Nothing is left out' '$TMP/out'"
	is "$1: the salvaged file" "$(json "$TMP/$1.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 20 $6"
	mapeo "$1, salvaged" "$TMP/$1.out.mapeodata" "$KA" 20 30
}
# two 4 KiB pages over its key, bitfield, tree and signatures, headers and
# all: it has no key either, and is left out whole
lost A-feed1-pages 572 8 "feed 1 has no key that can be read, so none of it can be verified" \
	"feed 1, its 4846 bytes of data: its key file is missing or damaged, and no tree or signatures are left to tell its blocks" 20
# 7 KiB from its bitfield's header through its signatures: kept empty
# under its key, its data said with it
lost A-feed1-nolength 573 7 "feed 1 has data that no tree or signatures are left to verify, and this mode does not leave data out" \
	"feed 1 (1892c3d), its 4846 bytes of data: no tree or signatures are left to tell its blocks" 20,0
# ... and its key then damaged too: the key read does not verify the
# signatures, so feed 1 is damage: a plain rebuild refuses, a salvage
# leaves its 7 blocks out and says so
zeroed "$D/good-project-A.mapeodata" "A-feed1-badkey" 580096 585728 586752 591360 592896
printf 'X' | dd of="$f" bs=1 seek=586245 conv=notrunc 2>/dev/null
is "A-feed1-badkey: feed 1 read, not verified" "$(json "$f" '[(.feeds | map(.verified) | join(",")), ([.findings[] | select(.code == "feed-signature-invalid" and .feed == 1)] | length > 0), .repair.rebuild_whole, .repair.salvage_whole] | join(" ")')" "20,0 true false false"
status "A-feed1-badkey: a plain rebuild refuses" 2 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/A-feed1-badkey.out.mapeodata"
status "A-feed1-badkey: --salvage" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/A-feed1-badkey.out.mapeodata"
check "A-feed1-badkey: --salvage leaves feed 1's blocks out" grep -q "feed 1 (1892c3d): 0 of 7 blocks" "$TMP/out"
check "A-feed1-badkey: --salvage does not say nothing is left out" sh -c "! grep -q 'Nothing is left out' '$TMP/out'"

# One byte of a feed's last signature damaged: the one value of that byte
# with which the signature verifies is the device's own (Ed25519), so the
# check finds it, and a rebuild writes it back byte for byte and keeps every
# block. Feed 0 of project A was signed once, at its end (length 20), so
# without it the whole feed was lost (only --rescue gave the entries back,
# under a new key); feed 1 is signed at lengths 5 and 7, and a salvage kept
# 5. Two damaged bytes are not searched for: as before.
sigs_of() { tar -xOf "$1" osm-p2p-db.tar | tar -xOf - "$2/signatures"; }
tar -xOf "$D/good-project-A.mapeodata" osm-p2p-db.tar | tar -xOf - 0/signatures >"$TMP/sigs0"
tar -xOf "$D/good-project-A.mapeodata" osm-p2p-db.tar | tar -xOf - 1/signatures >"$TMP/sigs1"
# 0/signatures' data begins at 561152 (1/signatures' at 593408): 32 bytes
# of header, then 64 bytes a slot
for c in "0 20 $((561152 + 32 + 19 * 64 + 10)) 11" "1 7 $((593408 + 32 + 6 * 64 + 63)) 64"; do
	set -- $c
	feed=$1 len=$2 at=$3 byte=$4
	f="$TMP/sigbyte$feed.mapeodata"
	cp "$D/good-project-A.mapeodata" "$f"
	printf 'Q' | dd of="$f" bs=1 seek="$at" conv=notrunc 2>/dev/null
	is "feed $feed, a byte of its last signature: found again" \
		"$(json "$f" "[([.findings[] | select(.severity != \"info\" and .step == \"corruption\") | .code] | unique | join(\",\")), (.feeds | map(.verified) | join(\",\")), .repair.rebuild_whole] | map(tostring) | join(\" \")")" \
		"feed-signature-mended 20,7 true"
	check "... the finding names the slot and the byte" sh -c "'$SYNCDOCTOR' --no-journal check --no-config --no-environment --format json '$f' | jq -r '.findings[] | select(.code == \"feed-signature-mended\") | .message' | grep -q 'the signature for length $len has one damaged byte (byte $byte of its 64)'"
	status "... a plain rebuild" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/sigbyte$feed.out.mapeodata"
	check "... it says so" grep -q "feed $feed: its signature for length $len had one damaged byte; it is written back as the device made it" "$TMP/out"
	check "... leaving nothing out" grep -q "^  Nothing is left out\.$" "$TMP/out"
	sigs_of "$TMP/sigbyte$feed.out.mapeodata" "$feed" >"$TMP/sigs.out"
	check "... its signatures byte for byte the device's" cmp -s "$TMP/sigs.out" "$TMP/sigs$feed"
	is "... the rebuilt file" "$(json "$TMP/sigbyte$feed.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 24 20,7"
	mapeo "a byte of feed $feed's last signature, written back" "$TMP/sigbyte$feed.out.mapeodata" "$KA" 24 30
done
f="$TMP/sigbytes2.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
printf 'Q' | dd of="$f" bs=1 seek=$((561152 + 32 + 19 * 64 + 10)) conv=notrunc 2>/dev/null
printf 'Q' | dd of="$f" bs=1 seek=$((561152 + 32 + 19 * 64 + 40)) conv=notrunc 2>/dev/null
is "two bytes of feed 0's only signature: not searched for, feed 0 unverified" \
	"$(json "$f" '[([.findings[] | select(.code == "feed-signature-mended")] | length), ([.findings[] | select(.code == "feed-signature-invalid" and .feed == 0)] | length), (.feeds | map(.verified) | join(","))] | map(tostring) | join(" ")')" "0 1 0,7"

# Two damages each mended alone: a byte of feed 0's only signature and a
# byte of one of its tree's leaves (block 3's, its data intact). The check
# cannot find the signature (it is searched over the stored tree, damaged),
# and every mode lost the whole feed (20 observations; --rescue too, as no
# signature proves any block). A salvage computes the tree from the data,
# and the one value of the byte with which the signature verifies over it
# is the device's own: feed 0 is kept whole, its signature written back.
f="$TMP/sig-and-leaf.mapeodata"
cp "$D/good-project-A.mapeodata" "$f"
printf 'Q' | dd of="$f" bs=1 seek=$((561152 + 32 + 19 * 64 + 10)) conv=notrunc 2>/dev/null
"$MK" node "$f" 0 6
is "a signature byte and a tree leaf: told, a salvage keeps everything" \
	"$(json "$f" '[([.findings[] | select(.severity == "error" and .feed == 0) | .code] | unique | join(",")), .repair.salvage_whole] | map(tostring) | join(" ")')" \
	"feed-signature-invalid,feed-tree-damaged true"
status "a signature byte and a tree leaf: a plain rebuild refuses" 2 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$TMP/sig-and-leaf.plain.mapeodata"
status "a signature byte and a tree leaf: salvaged" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/sig-and-leaf.out.mapeodata"
check "... the signature said written back" grep -q "feed 0: its signature for length 20 had one damaged byte; it is written back as the device made it" "$TMP/out"
check "... not said cleared" sh -c "! grep -q 'feed 0: signatures that do not verify are cleared' '$TMP/out'"
check "... leaving nothing out" grep -q "^  Nothing is left out\.$" "$TMP/out"
sigs_of "$TMP/sig-and-leaf.out.mapeodata" 0 >"$TMP/sigs.out"
check "... its signatures byte for byte the device's" cmp -s "$TMP/sigs.out" "$TMP/sigs0"
is "... the salvaged file" "$(json "$TMP/sig-and-leaf.out.mapeodata" '[.verdict, .observations.heads, (.feeds | map(.verified) | join(","))] | join(" ")')" "ok 24 20,7"
mapeo "a signature byte and a tree leaf, salvaged" "$TMP/sig-and-leaf.out.mapeodata" "$KA" 24 30
f="$TMP/sig2-and-leaf.mapeodata"
cp "$TMP/sig-and-leaf.mapeodata" "$f"
printf 'Q' | dd of="$f" bs=1 seek=$((561152 + 32 + 19 * 64 + 40)) conv=notrunc 2>/dev/null
status "two signature bytes and a tree leaf: no salvage keeps feed 0" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage "$f" -o "$TMP/sig2-and-leaf.out.mapeodata"
check "... said left out" grep -q "^    feed 0 (8c884bb): 0 of 20 blocks$" "$TMP/out"

# One flipped bit in a feed file's header inside the database: its name
# ("0/data" read "0/fata", "1/key" read "1/iey", "0/data" read "1/data"),
# its type ('0' read 'p'), tar's magic (no header at all) or a size digit:
# the feed lost its data or its key, where the same header zeroed was read
# back. The one byte that gives the header its checksum back, names a
# feed's regular file under tar's magic and leads to the next header is the
# one damaged; of two such names, the one not named yet, in the folder of
# the entries around it.
flipbyte() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # an octal escape built on purpose
	printf "\\$(printf %03o $((b ^ $3)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
for c in "0/data 565250 2" "1/key 585730 2" "0/data 565507 2" "0/data 565373 2" \
	"0/data 565248 1" "1/data 580252 64" "1/key 585986 1"; do
	# shellcheck disable=SC2086 # three words by design
	set -- $c
	name=$1 at=$2 mask=$3
	f=$TMP/hname-$(echo "$name" | tr / -)-$at.mapeodata
	cp "$D/good-project-A.mapeodata" "$f" && chmod u+w "$f"
	flipbyte "$f" "$at" "$mask"
	is "a flipped bit in $name's header name: every block verified" "$(json "$f" '[.feeds[].verified] | map(tostring) | join(",")')" "20,7"
	check "... and said" sh -c "'$SYNCDOCTOR' --no-journal check --no-config --no-environment --format json '$f' | jq -e 'any(.findings[]; .code == \"inner-tar-damaged\" and (.message | test(\"read as .$name.\")))' >/dev/null"
	status "a flipped bit in $name's header name: rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$f" -o "$f.out"
	is "... whole" "$(json "$f.out" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
	mapeo "a flipped bit in $name's header name, rebuilt" "$f.out" "$KA" 24 30
done

done_testing
