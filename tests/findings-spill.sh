#!/bin/sh
# A findings list past its memory budget (src/core/finding.h): the real
# binary with a budget of one byte (every finding moves to the temporary
# database) says byte for byte what it says with the findings in memory, on
# damaged files made from tests/data by the project's own code; a store that
# cannot be made or written is a clear error, never a shorter report; Ctrl-C
# in the photo check stops it.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
[ -x "$MK" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }
unset SYNCDOCTOR_FINDINGS_BUDGET

# a block's data and a photo damaged; and an append torn in a feed's data
# (its blocks fail their hashes, the photos of the observations lost are one
# note)
cp "$D/good-project-A.mapeodata" "$TMP/damaged.mapeodata"
"$MK" data "$TMP/damaged.mapeodata" 0 10 >/dev/null
"$MK" photo "$TMP/damaged.mapeodata" 3 >/dev/null
cp "$D/good-project-A.mapeodata" "$TMP/torn.mapeodata"
"$MK" torn "$TMP/torn.mapeodata" 0/data 5000 >/dev/null
mkdir "$TMP/t"

for f in damaged torn; do
	for fmt in json yaml text; do
		"$SYNCDOCTOR" --no-journal check --no-environment --no-config --format $fmt "$TMP/$f.mapeodata" \
			>"$TMP/$f.mem.$fmt" 2>/dev/null
		echo $? >"$TMP/$f.mem.rc"
		SYNCDOCTOR_FINDINGS_BUDGET=1 TMPDIR=$TMP/t "$SYNCDOCTOR" --no-journal check --no-environment --no-config \
			--format $fmt "$TMP/$f.mapeodata" >"$TMP/$f.spill.$fmt" 2>/dev/null
		echo $? >"$TMP/$f.spill.rc"
		check "$f, $fmt: the same report with the findings spilled" \
			cmp -s "$TMP/$f.mem.$fmt" "$TMP/$f.spill.$fmt"
		is "$f, $fmt: the same exit status" "$(cat "$TMP/$f.spill.rc")" "$(cat "$TMP/$f.mem.rc")"
	done
done
is "the damaged file has its findings" \
	"$(jq -r '[.findings[].code] | map(select(. == "feed-hash-mismatch" or . == "media-damaged")) | length' "$TMP/damaged.mem.json")" 2
check "the torn file has its findings" \
	test "$(jq -r '[.findings[] | select(.code == "feed-hash-mismatch")] | length' "$TMP/torn.mem.json")" -gt 1
check "the temporary database was removed" test -z "$(ls -A "$TMP/t")"

# the budget is used only past it: a file's few findings never touch the disk
status "a few findings: no temporary file" 2 env TMPDIR="$TMP/none" "$SYNCDOCTOR" --no-journal \
	check --no-environment --no-config --format json "$TMP/torn.mapeodata"
check "and the same report" cmp -s "$TMP/out" "$TMP/torn.mem.json"

# no place for it: said, naming the folder
status "no temporary folder: unreadable" 3 env SYNCDOCTOR_FINDINGS_BUDGET=1 TMPDIR="$TMP/none" \
	"$SYNCDOCTOR" --no-journal check --no-environment --no-config "$TMP/torn.mapeodata"
check "the error names the folder" grep -q "temporary file in $TMP/none to hold the findings" "$TMP/err"
check "no list of findings cut short" grep -q "UNREADABLE" "$TMP/out"
# a full disk (writes past a file size limit fail): said too
(
	ulimit -f 1 || exit 9
	SYNCDOCTOR_FINDINGS_BUDGET=1 TMPDIR=$TMP/t exec "$SYNCDOCTOR" --no-journal check --no-environment --no-config \
		--format json "$TMP/torn.mapeodata" 2>"$TMP/full.err"
) | cat >"$TMP/full.json"
is "a full disk: the verdict" "$(jq -r .verdict "$TMP/full.json")" unreadable
check "a full disk: the error names the folder and the problem" \
	grep -q "temporary file in $TMP/t that holds the findings could not be written" "$TMP/full.err"
is "a full disk: no findings listed" "$(jq -r '.findings | length' "$TMP/full.json")" 0
check "the temporary database was removed" test -z "$(ls -A "$TMP/t")"

# Ctrl-C while the photos are matched with the observations (a file may
# have 200,000): the check stops there, no report, nothing left behind
status "interrupted in the photo check" 130 env SYNCDOCTOR_FINDINGS_BUDGET=1 TMPDIR="$TMP/t" \
	SYNCDOCTOR_TEST_INTERRUPT=photos "$SYNCDOCTOR" --no-journal check --no-environment --no-config \
	"$TMP/damaged.mapeodata"
check "interrupted: no report" test ! -s "$TMP/out"
check "interrupted: said" grep -q "interrupted" "$TMP/err"
check "interrupted: the temporary database was removed" test -z "$(ls -A "$TMP/t")"
done_testing
