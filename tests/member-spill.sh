#!/bin/sh
# The member records past their memory budget (src/core/syncfile.c, issue
# 21): with a budget of one byte (every record in the temporary file, read
# back through 4 blocks) check and rebuild say byte for byte what they say
# with the records in memory, on the fixtures and on damaged copies made by
# the project's own code (headers the index vouches for put back in place,
# members dropped inside another, an index under zeros); a temporary file
# that cannot be made is a clear error naming the folder.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
[ -x "$MK" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }
unset SYNCDOCTOR_MEMBER_BUDGET SYNCDOCTOR_MEMBER_CACHE

A=$D/good-project-A.mapeodata
for f in good-project-A good-project-B good-no-key edge-empty-device-A; do
	cp "$D/$f.mapeodata" "$TMP/$f.mapeodata"
done
mk() { # name recipe...: a damaged copy of project A
	n=$1
	shift
	cp "$A" "$TMP/$n.mapeodata"
	while [ $# -gt 0 ]; do
		# shellcheck disable=SC2086
		"$MK" $1 "$TMP/$n.mapeodata" $2 >/dev/null
		shift 2
	done
	FILES="$FILES $n"
}
FILES="good-project-A good-project-B good-no-key edge-empty-device-A"
GOOD=$FILES
mk nodb nodb ""
mk photo photo 3
mk torn torn "0/data 5000"
mk unpatched unpatched ""
mk noindex noindex ""
mk names mhdr "2 260" mhdr "7 345" noindex ""
mk swallow mhdr "0 130 1" noindex ""
mk twoindex twoindex ""
mk stale twoindex stale
GOOD="$GOOD twoindex" # a second index, the same: no damage
mk ixzero ixzero "0 1024"
mk ixmid ixzero "512 100"
mk hzero hzero osm-p2p-db.tar
mk mzero mzero 2
mk mzero2 mzero 2 mzero 3
mk dbagain dbagain ""
mk dbmerge dbmerge ""

mkdir "$TMP/t"
# the report without what names the run (fingerprint, journal)
strip() { jq -S 'del(.fingerprint, .journal, .journal_id)' "$1" 2>/dev/null || cat "$1"; }
run() { # tag file: check and rebuild of file, their JSON in $TMP/tag.*
	"$SYNCDOCTOR" --no-journal check --no-environment --no-config --format json "$TMP/$2.mapeodata" \
		>"$TMP/$1.check" 2>"$TMP/$1.check.err"
	echo $? >>"$TMP/$1.check"
	rm -f "$TMP/out.mapeodata"
	"$SYNCDOCTOR" --no-journal rebuild --format json -o "$TMP/out.mapeodata" "$TMP/$2.mapeodata" \
		>"$TMP/$1.rebuild" 2>"$TMP/$1.rebuild.err"
	echo $? >>"$TMP/$1.rebuild"
	if [ -f "$TMP/out.mapeodata" ]; then
		"$SYNCDOCTOR" --no-journal check --no-environment --no-config --format json \
			"$TMP/out.mapeodata" >"$TMP/$1.out" 2>&1
		echo $? >>"$TMP/$1.out"
	else
		echo none >"$TMP/$1.out"
	fi
}
for f in $FILES; do
	run mem "$f"
	SYNCDOCTOR_MEMBER_BUDGET=1 SYNCDOCTOR_MEMBER_CACHE=4 TMPDIR=$TMP/t run spill "$f"
	for k in check rebuild out; do
		strip "$TMP/mem.$k" >"$TMP/a"
		strip "$TMP/spill.$k" >"$TMP/b"
		check "$f: $k says the same with the records spilled" cmp -s "$TMP/a" "$TMP/b"
		cmp -s "$TMP/a" "$TMP/b" || diag "$(diff "$TMP/a" "$TMP/b" | head -20)"
	done
	check "$f: the check's errors are the same" cmp -s "$TMP/mem.check.err" "$TMP/spill.check.err"
	case " $GOOD " in
	*" $f "*) ;;
	*) is "$f: the damaged copy has problems" "$(jq -r .verdict "$TMP/mem.check" 2>/dev/null | head -1)" problems ;;
	esac
done
check "the temporary files were removed" test -z "$(ls -A "$TMP/t")"

# a file's few members never touch the disk
# (with no other list sent to the disk: the sanitizer runs spill findings)
status "a few members: no temporary file" 0 env -u SYNCDOCTOR_FINDINGS_BUDGET \
	-u SYNCDOCTOR_OBS_BUDGET TMPDIR="$TMP/none" "$SYNCDOCTOR" --no-journal \
	check --no-environment --no-config --format json "$A"

# no place for them: said, naming the folder
status "no temporary folder: unreadable" 3 env -u SYNCDOCTOR_FINDINGS_BUDGET \
	-u SYNCDOCTOR_OBS_BUDGET SYNCDOCTOR_MEMBER_BUDGET=1 TMPDIR="$TMP/none" \
	"$SYNCDOCTOR" --no-journal check --no-environment --no-config "$A"
check "the error names the folder" \
	grep -q "temporary file in $TMP/none to hold the file's member records" "$TMP/err"
check "no report of part of the members" grep -q "UNREADABLE" "$TMP/out"
done_testing
