#!/bin/sh
# Storage zeros over the start of the index (a lost sector, 1 or 2 KiB over
# its tar header and the start of its JSON): the userdata Mapeo writes last
# survives at the index's end and still names the project, so a plain
# rebuild needs no --config (doc/formats.md §1, "The index's tail"). Where
# the zeros wipe the whole JSON (a 4 KiB page) or reach into the userdata,
# nothing is taken from what is left, and the advice names --config FILE. Damaged copies are
# made by tests/unit/mkdamage ixzero from the real fixtures; every rebuilt
# file is proved with the real Mapeo (tests/interop).
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
[ -x "$MK" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
KB=7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514
DKA=c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af
DKB=97c1152af3cba51b9b7b9837de41f4894696b7a92e36b9e24ea2b4da97341a76

# damaged NAME FILE FROM BYTES: a copy with BYTES zeros FROM bytes into
# the index member, and its check as JSON in $TMP/NAME.json.
damaged() {
	cp "$D/good-project-$2.mapeodata" "$TMP/$1.mapeodata"
	chmod u+w "$TMP/$1.mapeodata"
	"$MK" ixzero "$TMP/$1.mapeodata" "$3" "$4"
	"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/$1.mapeodata" >"$TMP/$1.json"
}
fact() { jq -r "$2" "$TMP/$1.json"; }
jqe() { jq -e "$@" >/dev/null; }
# taken NAME FILE DK INTACT SIZE ENTRIES OBS MEDIA KEY HEAD: the userdata
# read from the tail: the project known, one damaged-index finding saying
# how much survives; a plain rebuild written, its own check clean, Mapeo
# takes it.
taken() {
	is "$1: the project read from the index's end" \
		"$(fact "$1" '[.project.known, .project.discovery_key, .project.p2p_db] | join(" ")')" "true $3 kappa-osm"
	is "$1: one finding, on the index" \
		"$(fact "$1" '[.findings[] | select(.severity != "info") | "\(.code)@\(.member)"] | join(" ")')" \
		"damaged-index@___index.json"
	check "$1: says what survives" jqe --arg m "${10}.*its last $4 of $5 bytes survive and hold its userdata, which names the project, and $6 whole entries \\($6 agreeing with the members found\\)" \
		'any(.findings[]; .code == "damaged-index" and (.message | test($m)))' "$TMP/$1.json"
	other=B; [ "$2" = B ] && other=A
	is "$1: step 1 compares it with its own configuration" \
		"$("$SYNCDOCTOR" check --no-environment --config "$D/config-$2.v3-tar.mapeosettings" --format json "$TMP/$1.mapeodata" | jq -r '.config.match')" true
	"$SYNCDOCTOR" check --no-environment --config "$D/config-$other.v3-tar.mapeosettings" --format json "$TMP/$1.mapeodata" >"$TMP/$1-other.json"
	is "$1: ... and tells another project's apart" \
		"$(fact "$1-other" '[.config.match, any(.findings[]; .code == "project-mismatch")] | join(" ")')" "false true"
	check "$1: no older writer's padding told from the lost header" sh -c \
		"! jq -e 'any(.findings[]; .code == \"writer-hint\" and (.message | test(\"extra zero block\")))' '$TMP/$1.json' >/dev/null"
	status "$1: a plain rebuild" 0 "$SYNCDOCTOR" rebuild "$TMP/$1.mapeodata" -o "$TMP/$1-r.mapeodata"
	check "$1: the rebuild writes the index again" grep -q "a new index and trailer are written" "$TMP/out"
	"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/$1-r.mapeodata" >"$TMP/$1-r.json"
	is "$1: rebuilt, its own check clean, the same project" \
		"$(fact "$1-r" '[.verdict, .project.discovery_key, .observations.heads, .media.members, ([.findings[] | select(.severity != "info")] | length)] | join(" ")')" \
		"ok $3 $7 $8 0"
	mapeo "$1, rebuilt" "$TMP/$1-r.mapeodata" "$9" "$7" "$8"
}
# lost NAME FILE CONFIG OBS MEDIA KEY ADVICE: nothing of the userdata taken;
# the project unknown, the advice names the rebuild with --config (ADVICE
# "whole": the plain one, which keeps everything: nothing of the file is
# left out, what is left of the index being written anew; "unwritten": the
# copy's end was never written), and so does the plain rebuild, which then
# writes a file Mapeo takes.
WHOLE="The file is damaged and no longer says which project it belongs to, but a rebuild keeps everything in it: 'syncdoctor rebuild --config CONFIG FILE -o OUT' writes a repaired copy for the project of CONFIG (that project's .mapeosettings file)."
lost() {
	is "$1: the project not read" "$(fact "$1" '[.project.known, (.project.discovery_key // "none")] | join(" ")')" "false none"
	case $7 in
	whole) is "$1: the advice names the plain rebuild --config CONFIG FILE -o OUT" "$(fact "$1" .next_action)" "$WHOLE" ;;
	*) check "$1: the advice names rebuild --config FILE" jqe \
		'.next_action | test("^The end of this copy was never written.*syncdoctor rebuild --config FILE., where FILE is the project.s configuration")' "$TMP/$1.json" ;;
	esac
	status "$1: a plain rebuild asks for --config" 1 "$SYNCDOCTOR" rebuild "$TMP/$1.mapeodata" -o "$TMP/$1-r.mapeodata"
	check "$1: ... in words" grep -q "its userdata is lost.*give the configuration with --config" "$TMP/err"
	check "$1: ... and writes nothing" test ! -e "$TMP/$1-r.mapeodata"
	status "$1: the plan with --config" 0 "$SYNCDOCTOR" rebuild -n --config "$D/$3" "$TMP/$1.mapeodata" -o "$TMP/$1-r.mapeodata"
	check "$1: ... leaves nothing out" sh -c "! grep -q 'Left out' '$TMP/out'"
	status "$1: rebuilt with --config" 0 "$SYNCDOCTOR" rebuild --config "$D/$3" "$TMP/$1.mapeodata" -o "$TMP/$1-r.mapeodata"
	is "$1: rebuilt with --config, clean" \
		"$(verdict_of "$TMP/$1-r.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok $4 $5"
	mapeo "$1, rebuilt with --config" "$TMP/$1-r.mapeodata" "$6" "$4" "$5"
}
verdict_of() { "$SYNCDOCTOR" check --no-environment --no-config --format json "$1" | jq -r "$2"; }

HEAD="storage zeroed the tar header of ___index.json at byte"
BYTES='storage zeroed bytes of ___index.json \(its header at byte'

# File A: its index's JSON is 2537 bytes at 595456 (header at 594944),
# the userdata its last 147.
damaged a512 A 0 512
is "A, its header zeroed: read from its start as before" \
	"$(fact a512 '[.project.known, ([.findings[] | select(.severity != "info") | .code] | join(","))] | join(" ")')" "true bad-header-checksum"
status "A, its header zeroed: a plain rebuild" 0 "$SYNCDOCTOR" rebuild "$TMP/a512.mapeodata" -o "$TMP/a512-r.mapeodata"
damaged a1024 A 0 1024
taken a1024 A $DKA 2025 2537 24 24 30 $KA "$HEAD 594944 and the start of its data"
damaged a2048 A 0 2048
taken a2048 A $DKA 1001 2537 11 24 30 $KA "$HEAD 594944 and the start of its data"
damaged asector A 512 512
taken asector A $DKA 2025 2537 24 24 30 $KA "$BYTES 594944\\), the last of them at byte 595967, so Mapeo cannot read the index"
damaged a4096 A 0 4096
lost a4096 A config-A.v3-tar.mapeosettings 24 30 $KA unwritten
# zeros that reach into the userdata (it begins 2390 bytes into the JSON):
# what is left of it is never taken
damaged aud A 2900 16
lost aud A config-A.v3-tar.mapeosettings 24 30 $KA whole
is "A, zeros inside the userdata: the index told as JSON that is not valid" \
	"$(fact aud '[.findings[] | select(.severity != "info") | .code] | join(",")')" "project-unreadable,damaged-index"
check "A, zeros inside the userdata: ... where the zeros begin (597844)" jqe \
	'any(.findings[]; .code == "damaged-index" and .offset == 597845 and (.message | test("not valid JSON")))' "$TMP/aud.json"
damaged aud2 A 0 2920
lost aud2 A config-A.v3-tar.mapeosettings 24 30 $KA whole
is "A, zeros from its header into the userdata: the text after them told as what is left of the index" \
	"$(fact aud2 '[.findings[] | select(.code == "bad-header-checksum") | "\(.offset) \(.member) \(.message | test("^bytes 597504 to 599040 are what is left of the index .___index.json, its header at byte 594944.: storage zeroed it up to byte 597864"))"] | join(",")')" \
	"597504 ___index.json true"
# Strict: bytes there that are not an index's end stay damage the rebuild
# leaves out, and the advice no longer says it keeps everything.
# junk NAME OFFSET BYTE: aud2 with BYTE (octal) written at OFFSET.
junk() {
	cp "$TMP/aud2.mapeodata" "$TMP/$1.mapeodata"
	printf "\\$3" | dd of="$TMP/$1.mapeodata" bs=1 seek="$2" conv=notrunc 2>/dev/null
	"$SYNCDOCTOR" check --no-environment --no-config --format json "$TMP/$1.mapeodata" >"$TMP/$1.json"
	is "$1: told as damage" "$(fact "$1" '[.findings[] | select(.code == "bad-header-checksum") | "\(.offset) \(.member)"] | join(",")')" "597504 null"
	check "$1: the advice does not say a plain rebuild keeps everything" sh -c "! jq -e '.next_action | test(\"keeps everything\")' '$TMP/$1.json' >/dev/null"
	status "$1: the plan with --config" 0 "$SYNCDOCTOR" rebuild -n --config "$D/config-A.v3-tar.mapeosettings" "$TMP/$1.mapeodata" -o "$TMP/$1-r.mapeodata"
	check "$1: ... leaves those bytes out" grep -q "the bytes from 597504 to the next tar header" "$TMP/out"
}
junk aud2-end 597992 170           # its last '}' an 'x': no index's end
junk aud2-ctl 597900 001           # a control character in the text
junk aud2-after 598500 170         # a byte after the text, in the trailer
junk aud2-open 597875 133          # a '[' for the comma after "2.0.0": a bracket left open

# File B: its JSON is 663 bytes at 100352, the userdata its last 147; a
# 1 KiB run leaves 151 bytes and no whole entry.
damaged b1024 B 0 1024
taken b1024 B $DKB 151 663 0 4 6 $KB "$HEAD 99840 and the start of its data"
damaged bsector B 512 512
taken bsector B $DKB 151 663 0 4 6 $KB "$BYTES 99840\\), the last of them at byte 100863, so Mapeo cannot read the index"
damaged b2048 B 0 2048
lost b2048 B config-B.v3-tar.mapeosettings 4 6 $KB unwritten
damaged b4096 B 0 4096
lost b4096 B config-B.v3-tar.mapeosettings 4 6 $KB unwritten
damaged bud B 0 1060
lost bud B config-B.v3-tar.mapeosettings 4 6 $KB whole

# An index, whole and parsed, that does not name the database: Mapeo finds
# the database through the index, so the real Mapeo read none of its 24
# observations, where the check said "healthy" (dead space only). The
# entry is blanked in place (JSON spaces), every other byte intact.
cp "$D/good-project-A.mapeodata" "$TMP/nodbidx.mapeodata" && chmod u+w "$TMP/nodbidx.mapeodata"
ent=$(grep -abo ',"osm-p2p-db.tar":{[^}]*}' "$TMP/nodbidx.mapeodata" | tail -1)
off=${ent%%:*} len=$((${#ent} - ${#off} - 1))
head -c "$len" /dev/zero | tr '\0' ' ' | dd of="$TMP/nodbidx.mapeodata" bs=1 seek="$off" conv=notrunc 2>/dev/null
status "an index that does not name the database" 2 "$SYNCDOCTOR" --no-journal check --no-environment --no-config --format json "$TMP/nodbidx.mapeodata"
check "is damaged-index, an error" jq -e 'any(.findings[]; .code == "damaged-index" and .severity == "error" and (.message | test("does not name osm-p2p-db.tar")))' "$TMP/out"
is "and a plain rebuild is advised" "$(jq -r .repair.command "$TMP/out")" "syncdoctor rebuild FILE -o OUT"
mapeo "an index that does not name the database: none of its observations" "$TMP/nodbidx.mapeodata" "$KA" 0 30
status "rebuilt" 0 "$SYNCDOCTOR" --no-journal rebuild "$TMP/nodbidx.mapeodata" -o "$TMP/nodbidx-r.mapeodata"
mapeo "an index that does not name the database, rebuilt" "$TMP/nodbidx-r.mapeodata" "$KA" 24 30

done_testing
