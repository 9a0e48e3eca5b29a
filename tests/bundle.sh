#!/bin/sh
# Support bundles: what is inside, and what never is (keys, photo bytes).
. "$(dirname "$0")/lib.sh"
D=$(cd "$SD_TEST_DATA" && pwd -P) # the journal keeps real paths
A=$D/good-project-A.mapeodata
XDG_STATE_HOME=$TMP/state
export XDG_STATE_HOME
KEY_A=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
KEY_B=7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514
hex() { od -An -tx1 -v | tr -d ' \n'; }

"$SYNCDOCTOR" check "$A" >/dev/null
status "report" 0 "$SYNCDOCTOR" report -c "$D/config-A.v3-tar.mapeosettings" "$A" -o "$TMP/b.tar.gz"
tar -tzf "$TMP/b.tar.gz" >"$TMP/list"
is "members" "$(tr '\n' ' ' <"$TMP/list")" \
	"syncdoctor-report/README syncdoctor-report/report.txt syncdoctor-report/report.json syncdoctor-report/report.yaml syncdoctor-report/index.json syncdoctor-report/database-listing.txt syncdoctor-report/journal.txt syncdoctor-report/journal.json "
is "gzip (zlib) compressed" "$(head -c 2 "$TMP/b.tar.gz" | hex)" 1f8b
mkdir "$TMP/x"
tar -xzf "$TMP/b.tar.gz" -C "$TMP/x"
R=$TMP/x/syncdoctor-report
check "README says what is inside" grep -q "^Inside: report.txt" "$R/README"
check "and what is not" grep -q "^Not inside: photos" "$R/README"
is "report.json is the diagnosis" "$(jq -r '[.config.name, .config.match, .verdict] | join(" ")' "$R/report.json")" \
	"Proyecto A true ok"
check "report.yaml too" grep -q "^verdict: \"*ok\"*$" "$R/report.yaml"
check "report.txt too" test -s "$R/report.txt"
is "the index, with its userdata" "$(jq -r '.userdata.syncfile["p2p-db"]' "$R/index.json")" kappa-osm
is "every index entry" "$(jq '.index | length' "$R/index.json")" 31
check "the database listing names the feeds" grep -q "  0/data$" "$R/database-listing.txt"
check "and sizes" grep -q "^ *14325  0/data$" "$R/database-listing.txt"
is "the journal entries of that file" "$(jq -r '[.checks[].path] | unique | join(" ")' "$R/journal.json")" "$A"
is "both checks (the report's own too)" "$(jq '.checks | length' "$R/journal.json")" 2
check "journal.txt summary" grep -q "checked 2 times" "$R/journal.txt"
zcat "$TMP/b.tar.gz" >"$TMP/b.tar"
if grep -q -i -e "$KEY_A" -e "$KEY_B" "$TMP/b.tar"; then fail "no projectKey inside"; else ok "no projectKey inside"; fi
check "the key only in footer form" grep -q "ae0a6\*\*\*\*\*\*\*\*\*\*" "$R/report.txt"
if grep -q -e '"lat"' -e '"lon"' "$R/report.json"; then fail "no coordinates"; else ok "no coordinates"; fi
# Photo bytes: no image magic, and no 64-byte run from the middle of a photo.
if grep -q -a -e "$(printf '\377\330\377')" -e "$(printf '\211PNG')" "$TMP/b.tar"; then
	fail "no JPEG or PNG data inside"
else
	ok "no JPEG or PNG data inside"
fi
off=$(jq '.index["original/f7bd20e3f105ecf7ddbe193e1fca5982.jpg"].offset' "$R/index.json")
chunk=$(dd if="$A" bs=1 skip=$((off + 512 + 4096)) count=64 2>/dev/null | hex)
is "the chunk is 64 bytes" "${#chunk}" 128
case $(hex <"$TMP/b.tar") in
*"$chunk"*) fail "no photo bytes inside" ;;
*) ok "no photo bytes inside" ;;
esac

# Never over an existing file without --force; never over the input.
cp "$TMP/b.tar.gz" "$TMP/b.orig"
status "existing bundle is kept" 4 "$SYNCDOCTOR" report "$A" -o "$TMP/b.tar.gz"
check "unchanged" cmp -s "$TMP/b.tar.gz" "$TMP/b.orig"
status "--force replaces it" 0 "$SYNCDOCTOR" report --force "$A" -o "$TMP/b.tar.gz"
cp "$A" "$TMP/in.mapeodata"
status "never over the input" 1 "$SYNCDOCTOR" report --force "$TMP/in.mapeodata" -o "$TMP/in.mapeodata"
check "the input is untouched" cmp -s "$A" "$TMP/in.mapeodata"
ls -a "$TMP" | grep -q sdtmp && fail "no temporary file left" || ok "no temporary file left"
status "unreadable file" 3 "$SYNCDOCTOR" report "$TMP/missing.mapeodata" -o "$TMP/m.tar.gz"
check "nothing written" test ! -e "$TMP/m.tar.gz"
status "no output" 1 "$SYNCDOCTOR" report "$A"

# The session log: given, or the newest wizard log that names the file.
printf 'syncdoctor session\nfile: %s\nkey %s\n  1. 1970-01-01, category camp, location -0.71780, -77.84504\n' "$A" "$KEY_A" >"$TMP/given.log"
status "--log" 0 "$SYNCDOCTOR" report -c "$D/config-A.v3-tar.mapeosettings" --log "$TMP/given.log" "$A" -o "$TMP/l.tar.gz"
tar -xzf "$TMP/l.tar.gz" -C "$TMP/x"
check "the log is inside" grep -q "^file: $A" "$R/session.log"
check "with the key in footer form" grep -q "^key ae0a6\*\*\*\*\*\*\*\*\*\*$" "$R/session.log"
check "and no place where an observation was made" sh -c "grep -q 'category camp, location (place left out)' '$R/session.log' && ! grep -q '77.84504' '$R/session.log'"
status "--log missing" 3 "$SYNCDOCTOR" report --log "$TMP/nolog" "$A" -o "$TMP/n.tar.gz"
mkdir -p "$TMP/state/syncdoctor/logs"
L=$TMP/state/syncdoctor/logs
printf 'session about %s\n' "$A" >"$L/session-20261101-100000.log"
printf 'session about another file\n' >"$L/session-20261102-100000.log"
touch -d '2026-11-01 10:00' "$L/session-20261101-100000.log"
touch -d '2026-11-02 10:00' "$L/session-20261102-100000.log"
status "the newest log about the file" 0 "$SYNCDOCTOR" report "$A" -o "$TMP/w.tar.gz"
check "is named" grep -q "session-20261101-100000.log" "$TMP/out"
rm -rf "$TMP/x" && mkdir "$TMP/x" && tar -xzf "$TMP/w.tar.gz" -C "$TMP/x"
check "is inside" grep -q "session about $A" "$R/session.log"
check "the other file's log is not" sh -c "! grep -rq 'another file' '$TMP/x'"

# A Mapeo database folder whose root-feed folder is named with the key.
status "report on a database folder" 0 "$SYNCDOCTOR" --no-journal report -c "$D/config-A.v3-tar.mapeosettings" "$D/desktop-userdata-A" -o "$TMP/d.tar.gz"
if zcat "$TMP/d.tar.gz" | grep -q -i "$KEY_A"; then fail "no projectKey from the database"; else ok "no projectKey from the database"; fi
# A damaged file's bundle carries the advice the check planned, as check does.
MK=${top_builddir}/tests/unit/mkdamage
if [ -x "$MK" ]; then
	cp "$A" "$TMP/bit.mapeodata"
	"$MK" databit "$TMP/bit.mapeodata" 0 3
	status "report on a damaged file" 0 "$SYNCDOCTOR" --no-journal report --no-config "$TMP/bit.mapeodata" -o "$TMP/bit.tar.gz"
	rm -rf "$TMP/x" && mkdir "$TMP/x" && tar -xzf "$TMP/bit.tar.gz" -C "$TMP/x"
	is "the bundle's repair is the check's" "$(jq -c .repair "$R/report.json")" '{"rebuild_whole":true,"salvage_whole":null,"rescue_only":false,"salvage_refused":false,"rescue_more":0,"needs_config":false,"command":"syncdoctor rebuild FILE -o OUT"}'
	check "the bundle's text report names the plain rebuild" grep -q "^  Next: The file is damaged, but a rebuild keeps everything in it: 'syncdoctor$" "$R/report.txt"
else
	skip "a damaged file's bundle (mkdamage not built)"
fi
# A damaged index (not JSON) is copied escaped and with any key masked: an
# old core's projectKey in its userdata reached index.json whole
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
cp "$A" "$TMP/leak.mapeodata" && chmod u+w "$TMP/leak.mapeodata"
off=$(grep -abo '"discoveryKey":"c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af"' "$TMP/leak.mapeodata" | tail -1 | cut -d: -f1)
printf '"projectKey"  :"%s"' "$KA" | dd of="$TMP/leak.mapeodata" bs=1 seek="$off" conv=notrunc 2>/dev/null
comma=$(grep -abo ',"userdata"' "$TMP/leak.mapeodata" | tail -1 | cut -d: -f1)
printf ';' | dd of="$TMP/leak.mapeodata" bs=1 seek="$comma" conv=notrunc 2>/dev/null
status "a damaged index with a projectKey" 0 "$SYNCDOCTOR" --no-journal report "$TMP/leak.mapeodata" -o "$TMP/leak.tar.gz"
rm -rf "$TMP/x" && mkdir "$TMP/x" && tar -xzf "$TMP/leak.tar.gz" -C "$TMP/x"
check "its index is in the bundle" grep -q "ae0a6\*\*\*\*\*\*\*\*\*\*" "$R/index.json"
check "and the key is nowhere whole" sh -c "! grep -rqi '$KA' '$TMP/x'"
done_testing
