#!/bin/sh
# File-level damage told as it is: an end never written (a copy to a USB
# stick taken out too soon: zeros or a sparse hole to the end, its size
# kept) whatever its size, from one 512-byte block up, and a tar's own end
# (two zero blocks, padded to a 10,240-byte record by some writers) not
# taken for one. Damaged copies are made by tests/unit/mkdamage from the
# real fixtures; each rebuild is proved with the real Mapeo (tests/interop).
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
CA=$D/config-A.v3-tar.mapeosettings
[ -x "$MK" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }

json() { "$SYNCDOCTOR" check --no-environment --no-config --format json "$1" >"$TMP/c.json"; }
unwritten_from() { # NAME FROM: said unwritten from byte FROM, and copy it again
	check "$1: said never written, from byte $2" jq -e --argjson o "$2" \
		'any(.findings[]; .code == "truncated-file" and .offset == $o and (.message | test("only zeros from byte \($o) ")))' "$TMP/c.json"
	check "$1: next, copy it again" jq -e '.next_action | test("never written.*Copy it again")' "$TMP/c.json"
}
not_unwritten() {
	check "$1: no end said unwritten" sh -c "! jq -e 'any(.findings[]; .code == \"truncated-file\")' '$TMP/c.json' >/dev/null"
	check "$1: next is not to copy it again" sh -c "! jq -e '.next_action | test(\"never written\")' '$TMP/c.json' >/dev/null"
}

# 1. Zeros (or a hole) after the whole database: the index and the trailer
# never written (4096 bytes: fewer than any bound on a tar's end). From
# inside the database's own closing zeros, the same: it is whole, and the
# zeros are told from its end.
for how in zeros hole; do
	for at in 39936 39424; do
		cp "$D/good-project-A.mapeodata" "$TMP/db.mapeodata"
		if [ $how = zeros ]; then h=; else h=hole; fi
		"$MK" zeros "$TMP/db.mapeodata" osm-p2p-db.tar $at $h
		json "$TMP/db.mapeodata"
		unwritten_from "after the database ($how from $at)" 594944
		check "after the database ($how from $at): the database is not said damaged" sh -c \
			"! jq -e 'any(.findings[]; .member == \"osm-p2p-db.tar\")' '$TMP/c.json' >/dev/null"
		is "after the database ($how from $at): every observation and photo read" \
			"$(jq -r '[.observations.heads, .media.members] | join(" ")' "$TMP/c.json")" "24 30"
	done
done
status "after the database: rebuild" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/db.mapeodata" -o "$TMP/db-r.mapeodata"
check "after the database: the plan keeps everything" grep -q "Nothing is left out" "$TMP/out"
is "after the database: rebuilt whole and clean" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/db-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "after the database, rebuilt" "$TMP/db-r.mapeodata" "$KA" 24 30

# 2. Zeros over the index's last bytes: a JSON never ends in zeros, so
# even one block (or one byte) of them is an end never written.
for at in 0 2048 2536; do
	cp "$D/good-project-A.mapeodata" "$TMP/ix.mapeodata"
	"$MK" zeros "$TMP/ix.mapeodata" ___index.json $at
	json "$TMP/ix.mapeodata"
	unwritten_from "over the index from $at" $((595456 + at))
	check "over the index from $at: the index named" jq -e \
		'any(.findings[]; .code == "truncated-file" and .member == "___index.json")' "$TMP/c.json"
done
cp "$D/good-project-A.mapeodata" "$TMP/ixh.mapeodata"
"$MK" zeros "$TMP/ixh.mapeodata" ___index.json 512 hole
json "$TMP/ixh.mapeodata"
unwritten_from "over the index, a hole from 512" 595968
status "over the index: rebuild" 0 "$SYNCDOCTOR" rebuild --config "$CA" "$TMP/ix.mapeodata" -o "$TMP/ix-r.mapeodata"
is "over the index: rebuilt whole and clean" "$("$SYNCDOCTOR" check --no-environment --config "$CA" --format json "$TMP/ix-r.mapeodata" | jq -r '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
mapeo "over the index, rebuilt" "$TMP/ix-r.mapeodata" "$KA" 24 30

# 3. The boundaries, past a whole database (39936 bytes, a multiple of
# 512) with no index: 512 is older indexed-tarball's padding block, 1024 a
# tar's end, 1536 both, 9216 a tar's end padded to a 10,240-byte record
# (the file's length then a multiple of it); 2048 (the least Mapeo's own
# end can be) and 10240 (not a record's end here) were never written.
for n in 512 1024 1536 9216 2048 10240 12288 12800; do
	cp "$D/good-project-A.mapeodata" "$TMP/n.mapeodata"
	"$MK" noindex "$TMP/n.mapeodata"
	truncate -s +$n "$TMP/n.mapeodata"
	json "$TMP/n.mapeodata"
	check "$n zeros after the database: no index said" jq -e 'any(.findings[]; .code == "missing-index")' "$TMP/c.json"
	case $n in
	512 | 1024 | 1536 | 9216) not_unwritten "$n zeros after the database" ;;
	*) unwritten_from "$n zeros after the database" 594944 ;;
	esac
done

# past a whole photo (28813 bytes: no older writer's padding block) in a
# file with no database: one block of zeros is already never written
cp "$D/good-project-A.mapeodata" "$TMP/p.mapeodata"
"$MK" nodb "$TMP/p.mapeodata"
"$MK" noindex "$TMP/p.mapeodata"
for n in 512 1024 2048; do
	cp "$TMP/p.mapeodata" "$TMP/pn.mapeodata"
	truncate -s +$n "$TMP/pn.mapeodata"
	json "$TMP/pn.mapeodata"
	case $n in
	1024) not_unwritten "$n zeros after the last photo" ;;
	*)
		check "$n zeros after the last photo: said never written, from byte 554496" jq -e \
			'any(.findings[]; .code == "truncated-file" and .offset == 554496 and (.message | test("only zeros from byte 554496 ")))' "$TMP/c.json"
		check "$n zeros after the last photo: the database said lost there" jq -e \
			'any(.findings[]; .code == "database-missing" and (.message | test("zeros from byte 554496")))' "$TMP/c.json"
		;;
	esac
done

done_testing
