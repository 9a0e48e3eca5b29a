#!/bin/sh
# Damage inside a hypercore feed (doc/formats.md §4). The tree file cut short
# or emptied while the bitfield still counts the blocks, a leaf's size
# damaged with its hash intact: the check must not call such a file healthy,
# must not blame the device's signatures, and a salvage keeps every block (the
# data split into its entries gives the tree back, and the device's own
# signature proves it). A key file of the wrong length: a rebuild never drops
# the feed silently, and only --salvage leaves it out. Each rebuilt file is
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
keycase "feed 0's key of 31 bytes" 0 20 1 5 31
keycase "feed 1's key emptied" 1 7 1 20 0

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
status "a tree lost with a page: salvage plan" 0 "$SYNCDOCTOR" --no-journal rebuild --salvage --dry-run "$TMP/losttree.mapeodata" -o "$TMP/losttree.out.mapeodata"
check "a tree lost with a page: the blocks left out are named" sh -c "grep -q 'feed 0, block 3' '$TMP/out' && ! grep -q 'Nothing is left out' '$TMP/out'"
done_testing
