#!/bin/sh
# The check plans its advice for step 3's warnings too, where a plain
# rebuild would still show them (rebuild_advise(), rebuild_blocks_output()):
# signatures cut short are only a warning (feed-unsigned), yet a plain
# rebuild refuses the file, so the advice names the salvage; a damaged
# signature that a later one outvotes is a warning a plain rebuild mends:
# the words for warnings stay, the repair planned names the plain rebuild.
# Damaged copies by tests/unit/mkdamage from the real fixtures; every
# rebuilt file is proved with the real Mapeo.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
[ -x "$MK" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
SALVAGE="The file is damaged. Make a new sync file on the computer that made it, and do not leave the Synchronization screen until it finishes; or save what is intact with 'syncdoctor rebuild --salvage'."

# damaged NAME FILE MODE ARGS...: a damaged copy and its check as JSON
damaged() {
	n=$1 f=$2 m=$3
	shift 3
	cp "$D/good-project-$f.mapeodata" "$TMP/$n.mapeodata"
	chmod u+w "$TMP/$n.mapeodata"
	"$MK" "$m" "$TMP/$n.mapeodata" "$@" >/dev/null || fail "mkdamage $m $*"
	"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/$n.mapeodata" >"$TMP/$n.json"
}
fact() { jq -r "$2" "$TMP/$1.json"; }
steps3() { fact "$1" '[.findings[] | select(.step == "corruption" and .severity != "info") | "\(.code):\(.severity)"] | unique | join(",")'; }
after() { "$SYNCDOCTOR" check --no-environment --no-config --format json "$1" | jq -r "$2"; }

# signatures cut short: only warnings; the plain rebuild refuses
# sigcut NAME FILE: feed 0's signatures cut to 100 bytes (none whole)
sigcut() {
	damaged "$1" "$2" cut 0/signatures 100
	is "$1: only a warning in step 3" "$(steps3 "$1")" "feed-unsigned:warning"
	status "$1: a plain rebuild refuses" 2 "$SYNCDOCTOR" rebuild "$TMP/$1.mapeodata" -o "$TMP/$1-r.mapeodata"
	check "$1: ... and writes nothing" test ! -e "$TMP/$1-r.mapeodata"
}
sigcut sigA A
is "sigA: the advice names the salvage" "$(fact sigA .next_action)" "$SALVAGE"
is "sigA: ... as its repair command" "$(fact sigA '[.repair.rebuild_whole, .repair.command] | map(tostring) | join(" ")')" "false syncdoctor rebuild --salvage FILE -o OUT"
status "sigA: the salvage the advice names" 0 "$SYNCDOCTOR" rebuild --salvage "$TMP/sigA.mapeodata" -o "$TMP/sigA-r.mapeodata"
# feed 0 unsigned: cut; feed 1's last two blocks link to its versions
is "sigA: salvaged, clean, feed 0 cut, feed 1's 5 blocks, every photo" \
	"$(after "$TMP/sigA-r.mapeodata" '[.verdict, (.feeds | map(.length) | join("+")), .media.members] | map(tostring) | join(" ")')" "ok 0+5 30"
obs=$(after "$TMP/sigA-r.mapeodata" .observations.heads)
mapeo "sigA, salvaged" "$TMP/sigA-r.mapeodata" "$KA" "$obs" 30
# B keeps every observation in feed 0: no rebuild of it keeps one, and
# the advice says so instead of "can be used"
sigcut sigB B
is "sigB: the advice says no rebuild of it alone gives a file" "$(fact sigB .next_action)" \
	"The file is damaged, and no rebuild of it alone gives Mapeo a file: what still verifies holds none of its observations. Copy it again from where it came from, look for a leftover temporary copy with 'syncdoctor env', or make a new sync file on the computer that made it."
is "sigB: ... no repair command" "$(fact sigB '[.repair.salvage_refused, .repair.command] | map(tostring) | join(" ")')" "true null"
status "sigB: the salvage refuses too, as planned" 2 "$SYNCDOCTOR" rebuild --salvage "$TMP/sigB.mapeodata" -o "$TMP/sigB-r.mapeodata"
check "sigB: ... and writes nothing" test ! -e "$TMP/sigB-r.mapeodata"

# a damaged signature that a later one outvotes: a warning a plain rebuild mends
damaged sigflip A sig 0 0
is "sigflip: only a warning in step 3" "$(steps3 sigflip)" "feed-signature-invalid:warning"
is "sigflip: the words for warnings, the plain rebuild as the repair" "$(fact sigflip '[.next_action, .repair.rebuild_whole, .repair.command] | map(tostring) | join(" ")')" \
	"The file can be used, but read the warnings above: they say what may go wrong. true syncdoctor rebuild FILE -o OUT"
status "sigflip: the plain rebuild" 0 "$SYNCDOCTOR" rebuild "$TMP/sigflip.mapeodata" -o "$TMP/sigflip-r.mapeodata"
is "sigflip: rebuilt, clean, everything kept" "$(after "$TMP/sigflip-r.mapeodata" '[.verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 24 30"
mapeo "sigflip, rebuilt" "$TMP/sigflip-r.mapeodata" "$KA" 24 30

# an intact file: no plan, the healthy words
"$SYNCDOCTOR" check --no-environment --no-config --format json "$D/good-project-A.mapeodata" >"$TMP/good.json"
is "intact: nothing planned" "$(fact good '[.repair, (.next_action | startswith("The file is healthy"))] | map(tostring) | join(" ")')" "null true"

done_testing
