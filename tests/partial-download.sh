#!/bin/sh
# A feed a sync downloaded in part: what Mapeo leaves in its temporary
# folder (osm-p2p-syncfile-*) when a sync stops half way. The feeds in
# tests/data/partial-download were written by the hypercore 6 that the sync
# file side of Mapeo runs (tests/interop/partial-download.js): blocks 0-3
# and blocks 2-4 of project A's second feed (7 blocks), with the tree nodes
# and the one signature (for length 7) their proofs brought. The blocks a
# feed holds are proved by that signature; a rescue gives them back, and
# the real Mapeo takes them.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MKDB=${top_builddir}/tests/unit/mkdb
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
CFG=$D/config-A.v3-tar.mapeosettings
[ -x "$MKDB" ] || { echo "1..0 # SKIP mkdb not built (no Check)"; exit 0; }
state() { (cd "$1" && find . -type f -exec cksum {} + | sort); }

# folder NAME PART: project A's temp folder, its feed 1 the partial one
folder() {
	"$MKDB" --temp "$D/good-project-A.mapeodata" "$TMP/$1" || fail "mkdb --temp"
	rm -rf "$TMP/$1/multifeed/1"
	cp -R "$D/partial-download/$2" "$TMP/$1/multifeed/1"
}

# partial NAME PART HELD FIRST_HELD RESCUED OBSERVATIONS
partial() {
	name=$1 part=$2 held=$3 first=$4 rescued=$5 obs=$6
	dir=$TMP/osm-p2p-syncfile-$name
	folder "osm-p2p-syncfile-$name" "$part"
	before=$(state "$dir")
	status "$name: check finds it incomplete" 2 "$SYNCDOCTOR" --no-journal check --no-config --no-environment "$dir"
	check "$name: feed 1 holds $held of its 7 blocks, $first verified from its start" \
		grep -q "^  Feed 1 (1892c3d): 7 blocks, $first verified; Database status $held/7\.$" "$TMP/out"
	check "$name: said incomplete, not damaged" grep -q "\[feed-incomplete\]" "$TMP/out"
	check "$name: no block is called damaged" sh -c "! grep -q 'hash-mismatch\|does not match the hash' '$TMP/out'"
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$dir" >"$TMP/j" 2>/dev/null
	is "$name: JSON: verified" "$(jq -r '.feeds[1].verified' "$TMP/j")" "$first"
	is "$name: JSON: present" "$(jq -r '.feeds[1].present' "$TMP/j")" "$held"
	# the advice is the salvage (feed 0 whole), and the rescue it also names
	is "$name: JSON: a rescue gives back what the salvage leaves out" "$(jq -r '.repair.rescue_more' "$TMP/j")" "$rescued"
	is "$name: the check names the rescue after the salvage, for a folder" \
		"$(also "$TMP/out" | cut -c1-149)" \
		"Also: $rescued entries that a salvage leaves out still hash to what their device signed. 'syncdoctor rebuild --rescue --database DIR --config CONFIG -o OUT'"

	status "$name: a plain rebuild refuses (Mapeo would wait for the missing blocks)" 2 \
		"$SYNCDOCTOR" --no-journal rebuild --database "$dir" --config "$CFG" -o "$TMP/$name-plain.mapeodata"
	check "$name: nothing written" test ! -e "$TMP/$name-plain.mapeodata"
	status "$name: the salvage writes" 0 \
		"$SYNCDOCTOR" --no-journal rebuild --salvage --database "$dir" --config "$CFG" -o "$TMP/$name-salvage.mapeodata"
	check "$name: the salvage names the rescue of the $rescued blocks it holds" \
		grep -q "^  Rescue: $rescued entr[a-z]* left out still hash to what their device signed" "$TMP/out"
	status "$name: the rescue writes" 0 \
		"$SYNCDOCTOR" --no-journal rebuild --rescue --database "$dir" --config "$CFG" -o "$TMP/$name.mapeodata"
	check "$name: the rescue keeps the $rescued blocks the feed holds" \
		grep -q "^    feed 2 (new key): $rescued entr[a-z]* rescued$" "$TMP/out"
	# (a temporary folder holds no photo: their absence is the one warning)
	"$SYNCDOCTOR" --no-journal check --no-config --no-environment --format json "$TMP/$name.mapeodata" >"$TMP/j" 2>/dev/null
	is "$name: the rescued file: no problem but the photos a folder lacks" \
		"$(jq -r '[.findings[] | select(.severity != "info") | .code] | unique | join(" ")' "$TMP/j")" \
		"attachment-missing"
	is "$name: the rescued file: every feed verified whole" \
		"$(jq -c '[.feeds[] | [.length, .present, .verified]]' "$TMP/j")" "[[20,20,20],[0,0,0],[$rescued,$rescued,$rescued]]"
	is "$name: with $obs observations" "$(jq -r '.observations.heads' "$TMP/j")" "$obs"
	mapeo "$name: the rescued file" "$TMP/$name.mapeodata" "$KA" "$obs" 0
	is "$name: the folder is not changed" "$(state "$dir")" "$before"
}

# blocks 0-3: the prefix; their roots' signature for length 7 proves them
partial first-four blocks-0-3 4 4 4 24
# blocks 2-4: after two it lacks, found by the nodes over blocks 0-1
partial middle-three blocks-2-4 3 0 3 23

done_testing
