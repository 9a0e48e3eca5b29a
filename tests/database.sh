#!/bin/sh
# Database folders: 'check DIR', 'check --database', 'rebuild --database' on
# Mapeo Desktop's real data folder and on databases built in test code from
# the real fixtures' feeds (tests/unit/mkdb); the real Mapeo (tests/interop)
# accepts every rebuilt file; secret_key never leaves the database.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MKDB=${top_builddir}/tests/unit/mkdb
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
KB=7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514
DKA=c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af
[ -x "$MKDB" ] || { echo "1..0 # SKIP mkdb not built (no Check)"; exit 0; }

j() { "$SYNCDOCTOR" check --no-config --format json "$1" | jq -r "$2"; }
state() { (cd "$1" && find . -type f -exec stat -c '%n %s %Y' {} + | sort && find . -type f -exec cat {} + | cksum); }
# no_secret NAME FILE SECRETFILE: the private half of secret_key (its first
# 32 bytes; the rest is the public key) is in FILE neither raw nor as hex.
no_secret() {
	if python3 - "$2" "$3" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
seed = open(sys.argv[2], 'rb').read()[:32]
low = data.lower()
bad = [seed[:16], seed[16:], seed[:16].hex().encode(), seed[16:].hex().encode()]
sys.exit(1 if any(b in data or b in low for b in bad) else 0)
PY
	then ok "$1: no secret_key bytes"; else fail "$1: no secret_key bytes"; fi
}

# ---- the real Mapeo Desktop data folder ----
U=$D/desktop-userdata-A
before=$(state "$U")
status "check the real userData" 0 "$SYNCDOCTOR" check "$U"
check "it is checked against its own configuration" grep -q "Proyecto A" "$TMP/out"
is "kind, verdict, feeds, observations, photos" "$(j "$U" '[.kind, .verdict, (.feeds | length), .observations.heads, .media.members] | join(" ")')" "database ok 2 17 12"
is "this computer's own feed" "$(j "$U" '[.feeds[] | .own] | map(tostring) | join(" ")')" "true false"
is "Database status as Desktop shows it" "$(j "$U" '[.feeds[] | "\(.database_status.sofar)/\(.database_status.total)"] | join(" ")')" "12/12 5/5"
is "kappa.db/ is compared with the configuration beside it" "$("$SYNCDOCTOR" check --format json "$U/kappa.db/" | jq -r '[.config.name, .config.match] | map(tostring) | join(" ")')" "Proyecto A true"
is "the project from the root feed folder" "$(j "$U/kappa.db" .project.discovery_key)" "$DKA"
for f in json yaml text; do
	"$SYNCDOCTOR" check --no-config --format $f "$U" >"$TMP/real.$f" 2>&1
	no_secret "real userData, $f report" "$TMP/real.$f" "$U/kappa.db/0/secret_key"
	check "real userData, $f report: no project key" sh -c "! grep -q $KA '$TMP/real.$f'"
done
status "check --database=DIR" 0 "$SYNCDOCTOR" check --no-config --database="$U"
mkdir -p "$TMP/home/.config"
cp -r "$U" "$TMP/home/.config/Mapeo"
status "check --database finds this computer's" 0 env HOME="$TMP/home" XDG_CONFIG_HOME= APPDATA= "$SYNCDOCTOR" check --database --format json
is "... and it is that one" "$(jq -r .file "$TMP/out")" "$TMP/home/.config/Mapeo"
status "check --database with none here" 3 env HOME="$TMP/nohome" XDG_CONFIG_HOME= APPDATA= "$SYNCDOCTOR" check --database
# a feed folder without its key: Mapeo ignores it and every feed after it
cp -r "$U" "$TMP/nokey"
rm "$TMP/nokey/kappa.db/1/key"
is "a feed without its key: feed-key-invalid on feed 1" "$(j "$TMP/nokey" '[.findings[] | select(.code == "feed-key-invalid") | .feed] | map(tostring) | join(" ")')" "1"
mkdir "$TMP/empty"
status "an empty folder is no database" 3 "$SYNCDOCTOR" check --no-config "$TMP/empty"
check "... and it says so" grep -q "no Mapeo database" "$TMP/err"

status "rebuild --database from the real userData" 0 "$SYNCDOCTOR" rebuild --database "$U" -o "$TMP/real.mapeodata" --config "$D/config-A.v3-tar.mapeosettings"
check "plan: secret_key and localname stay" grep -q "never copied" "$TMP/out"
is "rebuilt: healthy" "$(j "$TMP/real.mapeodata" '[.kind, .verdict, .observations.heads, .media.members, .project.discovery_key] | join(" ")')" "syncfile ok 17 12 $DKA"
is "rebuilt: upstream member names" "$(tar tf "$TMP/real.mapeodata" | grep -c '^\(original\|preview\|thumbnail\)/[0-9a-f]\{32\}\.jpg$')" 12
is "rebuilt: only key, tree, signatures, bitfield, data" "$(tar xOf "$TMP/real.mapeodata" osm-p2p-db.tar | tar tf - | sed 's,^[0-9]*/,,' | sort -u | tr '\n' ' ')" "bitfield data key signatures tree "
no_secret "rebuilt from the real userData" "$TMP/real.mapeodata" "$U/kappa.db/0/secret_key"
check "rebuilt: no project key folder" sh -c "! tar xOf '$TMP/real.mapeodata' osm-p2p-db.tar | tar tf - | grep -q $KA"
mapeo "rebuilt from the real userData" "$TMP/real.mapeodata" "$KA" 17 12
is "the real userData was never written" "$(state "$U")" "$before"

# ---- built from good-project-A's feeds, in the same layout ----
"$MKDB" --own --key "$KA" --secret-out "$TMP/sec1" "$D/good-project-A.mapeodata" "$TMP/u1" || fail "mkdb"
status "check a built database" 0 "$SYNCDOCTOR" check --no-config "$TMP/u1/kappa.db"
is "same as its sync file" "$(j "$TMP/u1" '[.verdict, .observations.heads, .media.members] | join(" ")')" "$(j "$D/good-project-A.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')"
for f in json yaml text; do
	"$SYNCDOCTOR" check --no-config --format $f "$TMP/u1" >"$TMP/u1.$f" 2>&1
	no_secret "built database, $f report" "$TMP/u1.$f" "$TMP/sec1"
done

# a planted 1970 date (feed re-signed as its writer would), and a cut photo
"$MKDB" --resign --own --key "$KA" --epoch 0 4 --secret-out "$TMP/sec2" "$D/good-project-A.mapeodata" "$TMP/u2" || fail "mkdb --epoch"
photo=$(ls "$TMP"/u2/kappa.db/media/original/*/*.jpg | head -n 1)
truncate -s 3000 "$photo"
status "a 1970 date and a cut photo: problems" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/u2"
is "suspects, worst first" "$(jq -r '[.observations.suspect[] | .checks[0]] | join(" ")' "$TMP/out")" "media-damaged date-epoch"
is "the 1970 one has date, category and place" "$(jq -r '.observations.suspect[1] | [.created_at, (.category != null), (.lat != null), (.lon != null)] | map(tostring) | join(" ")' "$TMP/out")" "1970-01-01T00:00:05.000Z true true true"
"$SYNCDOCTOR" check --no-config "$TMP/u2" >"$TMP/u2.txt"
check "text lists them to look at in Mapeo" grep -q "Observations to look at in Mapeo (2, worst first)" "$TMP/u2.txt"
check "text names the failed check" grep -q "failed: date-epoch" "$TMP/u2.txt"
"$SYNCDOCTOR" check --no-config --format yaml "$TMP/u2" >"$TMP/u2.yaml"
check "yaml carries the list" grep -q "created_at: \"\?1970-01-01" "$TMP/u2.yaml"
before=$(state "$TMP/u2")
status "rebuild --exclude-suspect" 0 "$SYNCDOCTOR" rebuild --database "$TMP/u2" --exclude-suspect --salvage -o "$TMP/x.mapeodata" --config "$D/config-A.v3-tar.mapeosettings"
check "plan: the cut and what it costs" grep -q "cut before block 4, its first suspect one" "$TMP/out"
check "plan: the photo that will not open is left out" grep -q "will not open" "$TMP/out"
is "exclude-suspect: healthy, 1970 gone" "$(j "$TMP/x.mapeodata" '[.verdict, ([.findings[] | select(.code == "date-epoch")] | length), .feeds[0].length] | map(tostring) | join(" ")')" "ok 0 4"
obs=$(j "$TMP/x.mapeodata" .observations.heads)
media=$(j "$TMP/x.mapeodata" .media.members)
no_secret "exclude-suspect output" "$TMP/x.mapeodata" "$TMP/sec2"
mapeo "rebuilt without suspects" "$TMP/x.mapeodata" "$KA" "$obs" "$media"
is "the built database was never written" "$(state "$TMP/u2")" "$before"

# a phone's database: <privateStorage>/db and media/ beside it (mapeo-mobile)
"$MKDB" --own "$D/good-project-A.mapeodata" "$TMP/phone" || fail "mkdb"
mv "$TMP/phone/kappa.db/media" "$TMP/phone/media"
mv "$TMP/phone/kappa.db" "$TMP/phone/db"
is "phone copy: observations and photos" "$(j "$TMP/phone" '[.kind, .verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "database ok 24 30"
is "phone copy, its db folder: photos beside it" "$(j "$TMP/phone/db" '.media.members')" 30
status "rebuild from a phone's copy" 0 "$SYNCDOCTOR" rebuild --database "$TMP/phone" -o "$TMP/p.mapeodata" --config "$D/config-A.v3-tar.mapeosettings"
mapeo "rebuilt from a phone's copy" "$TMP/p.mapeodata" "$KA" 24 30

# a flipped byte in the other device's feed
"$MKDB" --own --key "$KA" "$D/good-project-A.mapeodata" "$TMP/u3" || fail "mkdb"
size=$(stat -c %s "$TMP/u3/kappa.db/1/data")
printf 'X' | dd of="$TMP/u3/kappa.db/1/data" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
status "a flipped byte" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/u3"
is "found in feed 1" "$(jq -r '[.findings[] | select(.code == "feed-hash-mismatch") | .feed] | unique | map(tostring) | join(" ")' "$TMP/out")" "1"
# the advice names the command for a folder, the one that then works
check "a damaged database: the advice names rebuild --salvage --database DIR" jq -e \
	'.next_action | test("^The database is damaged. Save what is intact into a new sync file with .syncdoctor rebuild --salvage --database DIR -o OUT.")' "$TMP/out"
is "... and its JSON the command" "$(jq -r .repair.command "$TMP/out")" "syncdoctor rebuild --salvage --database DIR -o OUT"
status "rebuild --salvage from it" 0 "$SYNCDOCTOR" rebuild --database "$TMP/u3" --salvage -o "$TMP/s.mapeodata"
is "salvaged: healthy" "$(j "$TMP/s.mapeodata" .verdict)" ok
mapeo "salvaged from a database" "$TMP/s.mapeodata" "$KA" "$(j "$TMP/s.mapeodata" .observations.heads)" 30

# stray bits in feed 1's bitfield: a plain rebuild writes it again and
# keeps everything, and the advice says so (it said --salvage for every
# damaged folder)
"$MKDB" --own --key "$KA" "$D/good-project-A.mapeodata" "$TMP/u6" || fail "mkdb"
printf 'Z' | dd of="$TMP/u6/kappa.db/1/bitfield" bs=1 seek=40 conv=notrunc 2>/dev/null
status "a damaged bitfield" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/u6"
is "... the advice: a plain rebuild keeps everything" "$(jq -r '[([.findings[] | select(.severity != "info" and .step == "corruption") | .code] | unique | join(",")), .repair.rebuild_whole, .repair.command] | map(tostring) | join(" | ")' "$TMP/out")" \
	"feed-bitfield-damaged | true | syncdoctor rebuild --database DIR -o OUT"
check "... in words" jq -e '.next_action | test("^The database is damaged, but a rebuild keeps everything in it: .syncdoctor rebuild --database DIR -o OUT. [(]DIR being this folder[)]")' "$TMP/out"
status "... and that command works" 0 "$SYNCDOCTOR" rebuild --database "$TMP/u6" -o "$TMP/u6.mapeodata"
check "... leaving nothing out" grep -q "^  Nothing is left out\.$" "$TMP/out"
is "... its file healthy" "$(j "$TMP/u6.mapeodata" '[.verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 24 30"
mapeo "rebuilt from a folder with a damaged bitfield" "$TMP/u6.mapeodata" "$KA" 24 30

# one byte of feed 1's last signature damaged: found again, and a plain
# rebuild writes the device's signature back (feed-signature-mended)
"$MKDB" --own --key "$KA" "$D/good-project-A.mapeodata" "$TMP/u7" || fail "mkdb"
sz=$(stat -c %s "$TMP/u7/kappa.db/1/signatures")
printf 'Q' | dd of="$TMP/u7/kappa.db/1/signatures" bs=1 seek=$((sz - 30)) conv=notrunc 2>/dev/null
status "a byte of a signature" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/u7"
is "... found again: every block verifies, a plain rebuild keeps everything" "$(jq -r '[([.findings[] | select(.severity != "info" and .step == "corruption") | .code] | unique | join(",")), (.feeds | map(.verified) | join(",")), .repair.command] | join(" | ")' "$TMP/out")" \
	"feed-signature-mended | 20,7 | syncdoctor rebuild --database DIR -o OUT"
status "... rebuilt" 0 "$SYNCDOCTOR" rebuild --database "$TMP/u7" -o "$TMP/u7.mapeodata"
is "... its file healthy" "$(j "$TMP/u7.mapeodata" '[.verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 24 30"
mapeo "a folder's signature written back" "$TMP/u7.mapeodata" "$KA" 24 30

# this computer's own feed (real userData, feed 0, its secret_key beside
# it): its last signature damaged past one byte, zeroed or cut off. The
# secret key signs the intact tree to the device's own signature again
# (Ed25519 gives the same bytes), so every block is kept under the same key;
# before, the blocks past its last good signature were lost
# same_slot NAME FILE: FILE holds feed 0's last signature as the device made it
same_slot() {
	if python3 - "$2" "$U/kappa.db/0/signatures" <<'PY'
import sys
out = open(sys.argv[1], 'rb').read()
sigs = open(sys.argv[2], 'rb').read()
n = (len(sigs) - 32) // 64
sys.exit(0 if n and sigs[32 + 64 * (n - 1):32 + 64 * n] in out else 1)
PY
	then ok "$1"; else fail "$1"; fi
}
sz=$(stat -c %s "$U/kappa.db/0/signatures")
for how in zeroed bytes cut cut-many cut-mid gone; do
	rm -rf "$TMP/own-$how"
	cp -r "$U" "$TMP/own-$how"
	chmod -R u+w "$TMP/own-$how"
	sg=$TMP/own-$how/kappa.db/0/signatures
	case $how in
	zeroed) dd if=/dev/zero of="$sg" bs=1 seek=$((sz - 64)) count=64 conv=notrunc 2>/dev/null ;;
	bytes) printf 'QQQQ' | dd of="$sg" bs=1 seek=$((sz - 40)) conv=notrunc 2>/dev/null ;;
	cut) truncate -s $((sz - 20)) "$sg" ;;
	cut-many) truncate -s $((32 + 64 * 5)) "$sg" ;;
	cut-mid) truncate -s $((32 + 64 * 5 + 20)) "$sg" ;;
	gone) rm "$sg" ;;
	esac
	codes=feed-signature-remade
	[ "$how" = gone ] && codes=feed-header-invalid,$codes
	before_own=$(state "$TMP/own-$how")
	status "own feed, last signature $how" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/own-$how"
	is "... made again with its secret key: every block verifies, a plain rebuild keeps everything" "$(jq -r '[([.findings[] | select(.severity != "info" and .step == "corruption") | .code] | unique | join(",")), (.feeds | map(.verified) | join(",")), .repair.command] | join(" | ")' "$TMP/out")" \
		"$codes | 12,5 | syncdoctor rebuild --database DIR -o OUT"
	no_secret "... the report" "$TMP/out" "$U/kappa.db/0/secret_key"
	status "... rebuilt" 0 "$SYNCDOCTOR" rebuild --database "$TMP/own-$how" -o "$TMP/own-$how.mapeodata"
	check "... leaving nothing out" grep -q "^  Nothing is left out\.$" "$TMP/out"
	check "... and saying how the signature was made" grep -q "signed again with this computer's secret key" "$TMP/out"
	is "... its file healthy" "$(j "$TMP/own-$how.mapeodata" '[.verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 17 12"
	same_slot "... the device's own signature, byte for byte" "$TMP/own-$how.mapeodata"
	no_secret "... the rebuilt file" "$TMP/own-$how.mapeodata" "$U/kappa.db/0/secret_key"
	is "... the folder was never written" "$(state "$TMP/own-$how")" "$before_own"
	mapeo "own feed's signature made again ($how)" "$TMP/own-$how.mapeodata" "$KA" 17 12
done
# the own feed's key file emptied: the public half of its secret key is a
# candidate, proved by the device's signature; with its last signature
# zeroed too, the key is proved at length 11 and the signature made again
for how in key key-sig; do
	rm -rf "$TMP/own-$how"
	cp -r "$U" "$TMP/own-$how"
	chmod -R u+w "$TMP/own-$how"
	: >"$TMP/own-$how/kappa.db/0/key"
	[ "$how" = key-sig ] && dd if=/dev/zero of="$TMP/own-$how/kappa.db/0/signatures" bs=1 seek=$((sz - 64)) count=64 conv=notrunc 2>/dev/null
	status "own feed, its key file emptied ($how)" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/own-$how"
	is "... its key from the secret key, proved; a plain rebuild keeps everything" "$(jq -r '[(.feeds | map(.verified) | join(",")), .repair.command] | join(" | ")' "$TMP/out")" \
		"12,5 | syncdoctor rebuild --database DIR -o OUT"
	check "... and it says where the key was found" jq -e '[.findings[] | select(.code == "feed-key-invalid" and .feed == 0) | .message | test("its key [(]a71b2be[)] was found in this computer.s secret key for it and is proved")] | any' "$TMP/out"
	no_secret "... the report" "$TMP/out" "$U/kappa.db/0/secret_key"
	status "... rebuilt" 0 "$SYNCDOCTOR" rebuild --database "$TMP/own-$how" -o "$TMP/own-$how.mapeodata"
	check "... leaving nothing out" grep -q "^  Nothing is left out\.$" "$TMP/out"
	is "... its file healthy" "$(j "$TMP/own-$how.mapeodata" '[.verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 17 12"
	no_secret "... the rebuilt file" "$TMP/own-$how.mapeodata" "$U/kappa.db/0/secret_key"
	mapeo "own feed's key from its secret key ($how)" "$TMP/own-$how.mapeodata" "$KA" 17 12
done
# its key file emptied and every signature zeroed: nothing proves a key
# (its secret key is looked at too, and says so), nothing is signed
cp -r "$TMP/own-key" "$TMP/own-nosig"
dd if=/dev/zero of="$TMP/own-nosig/kappa.db/0/signatures" bs=1 seek=32 count=$((sz - 32)) conv=notrunc 2>/dev/null
status "own feed, its key file emptied and every signature zeroed" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/own-nosig"
is "... nothing proved, nothing signed" "$(jq -r '[([.findings[] | select(.code == "feed-signature-remade")] | length), .feeds[0].verified] | map(tostring) | join(" ")' "$TMP/out")" "0 0"
check "... and it says where it looked" jq -e '[.findings[] | select(.code == "feed-key-invalid" and .feed == 0) | .message | test("no key that its signatures prove was found [(]in what is left of its key file, in the links of the entries or in this computer.s secret key for it[)]")] | any' "$TMP/out"
# never over damaged data: a block of the own feed damaged too, nothing is
# signed (the salvage keeps what the device's signatures prove)
cp -r "$TMP/own-zeroed" "$TMP/own-data"
printf 'Z' | dd of="$TMP/own-data/kappa.db/0/data" bs=1 seek=100 conv=notrunc 2>/dev/null
status "own feed, last signature and a block damaged" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/own-data"
is "... nothing signed over the damaged block" "$(jq -r '[([.findings[] | select(.code == "feed-signature-remade")] | length), .feeds[0].verified] | map(tostring) | join(" ")' "$TMP/out")" "0 0"
# a secret key that is not the feed's (mkdb --own writes random bytes), or
# is not 64 bytes: nothing is signed, and the search for one byte stays
cp -r "$TMP/own-zeroed" "$TMP/own-short"
truncate -s 63 "$TMP/own-short/kappa.db/0/secret_key"
status "own feed, a secret key cut short" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/own-short"
is "... nothing signed" "$(jq -r '[([.findings[] | select(.code == "feed-signature-remade")] | length), (.feeds | map(.verified) | join(","))] | map(tostring) | join(" ")' "$TMP/out")" "0 11,5"
"$MKDB" --own --key "$KA" "$D/good-project-A.mapeodata" "$TMP/own-alien" || fail "mkdb"
sz0=$(stat -c %s "$TMP/own-alien/kappa.db/0/signatures")
dd if=/dev/zero of="$TMP/own-alien/kappa.db/0/signatures" bs=1 seek=$((sz0 - 64)) count=64 conv=notrunc 2>/dev/null
status "a secret key that is not the feed's" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/own-alien"
is "... nothing signed" "$(jq -r '[([.findings[] | select(.code == "feed-signature-remade")] | length), .feeds[0].verified] | map(tostring) | join(" ")' "$TMP/out")" "0 0"

# both feeds' first entry damaged: what still verifies holds no
# observation; the advice names --rescue (a salvage refuses), and the
# rescue gives back the entries after them
"$MKDB" --own --key "$KA" "$D/good-project-A.mapeodata" "$TMP/u5" || fail "mkdb"
for f in 0 1; do
	printf 'Z' | dd of="$TMP/u5/kappa.db/$f/data" bs=1 seek=50 conv=notrunc 2>/dev/null
done
status "both feeds damaged at their start" 2 "$SYNCDOCTOR" check --no-config --format json "$TMP/u5"
is "... the advice: a rescue only" "$(jq -r '[.repair.rescue_only, .repair.salvage_refused, .repair.command] | map(tostring) | join(" | ")' "$TMP/out")" \
	"true | false | syncdoctor rebuild --rescue --database DIR -o OUT"
check "... in words" jq -e '.next_action | test("^The database is damaged: what still verifies holds none of its observations. Save the entries that are still signed with .syncdoctor rebuild --rescue --database DIR -o OUT.")' "$TMP/out"
status "... a salvage refuses" 2 "$SYNCDOCTOR" rebuild --database "$TMP/u5" --salvage -o "$TMP/u5s.mapeodata"
check "... and writes nothing" test ! -e "$TMP/u5s.mapeodata"
status "... the rescue works" 0 "$SYNCDOCTOR" rebuild --database "$TMP/u5" --rescue -o "$TMP/u5.mapeodata"
# (the two damaged entries are lost: 22 of the 24 observations)
is "... its file healthy, the other entries back" "$(j "$TMP/u5.mapeodata" '[.verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 22 30"
mapeo "rescued from a folder" "$TMP/u5.mapeodata" "$KA" 22 30
# (the wizard's database page shows it with --exclude-suspect)
status "... with --exclude-suspect too" 0 "$SYNCDOCTOR" rebuild --rescue --database "$TMP/u5" --exclude-suspect -o "$TMP/u5x.mapeodata" --config "$D/config-A.v3-tar.mapeosettings"

# feed 1's tree file gone from the folder (its data and signatures there):
# the data split into its entries is what the device's signature proves,
# so a salvage computes the tree again and keeps all 7 blocks; it kept none
"$MKDB" --own --key "$KA" "$D/good-project-A.mapeodata" "$TMP/notree" || fail "mkdb"
rm "$TMP/notree/kappa.db/1/tree"
status "a tree file gone: rebuild --salvage" 0 "$SYNCDOCTOR" rebuild --database "$TMP/notree" --salvage -o "$TMP/notree.mapeodata"
check "... the plan keeps every block" grep -q "feed 1 (1892c3d): 7 of 7 blocks" "$TMP/out"
check "... nothing is left out" grep -q "Nothing is left out" "$TMP/out"
is "... its file whole" "$(j "$TMP/notree.mapeodata" '[.verdict, .observations.heads] | map(tostring) | join(" ")')" "ok 24"
mapeo "salvaged from a folder without a tree file" "$TMP/notree.mapeodata" "$KA" 24 30

# a damaged folder that does not say its project: the advice adds
# --config, and that command works
"$MKDB" "$D/good-project-A.mapeodata" "$TMP/u4" || fail "mkdb"
printf 'X' | dd of="$TMP/u4/kappa.db/1/data" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
status "a damaged folder with no project" 2 env HOME="$TMP/nohome" XDG_CONFIG_HOME= APPDATA= "$SYNCDOCTOR" check --no-environment --format json "$TMP/u4"
check "... the advice adds --config CONFIG" jq -e \
	'.next_action | test("rebuild --salvage --database DIR --config CONFIG -o OUT. [(]DIR being this folder, CONFIG the .mapeosettings file of its project")' "$TMP/out"
is "... and its JSON" "$(jq -r .repair.command "$TMP/out")" "syncdoctor rebuild --salvage --database DIR --config CONFIG -o OUT"
status "... and that command works" 0 "$SYNCDOCTOR" rebuild --salvage --database "$TMP/u4" --config "$D/config-A.v3-tar.mapeosettings" -o "$TMP/s4.mapeodata"
is "... its file healthy" "$(j "$TMP/s4.mapeodata" .verdict)" ok

# a leftover temp folder (the database a sync took out of a file)
"$MKDB" --temp "$D/good-project-B.mapeodata" "$TMP/osm-p2p-syncfile-4242" || fail "mkdb --temp"
status "check a temp folder" 0 "$SYNCDOCTOR" check --no-config --format json "$TMP/osm-p2p-syncfile-4242"
is "temp folder: observations, project unknown" "$(jq -r '[.kind, .observations.heads, ([.findings[] | select(.code == "project-unknown")] | length), .database_copy] | map(tostring) | join(" ")' "$TMP/out")" "database 4 1 unpacked"
status "rebuild from a temp folder needs a project" 1 env HOME="$TMP/nohome" XDG_CONFIG_HOME= APPDATA= "$SYNCDOCTOR" rebuild --database "$TMP/osm-p2p-syncfile-4242" -o "$TMP/t.mapeodata"
status "rebuild from a temp folder with --config" 0 "$SYNCDOCTOR" rebuild --database "$TMP/osm-p2p-syncfile-4242" -o "$TMP/t.mapeodata" --config "$D/config-B.v3-tar.mapeosettings"
mapeo "rebuilt from a temp folder" "$TMP/t.mapeodata" "$KB" 4 0

# ---- a temp folder whose database is packed (osm-p2p-db.tar, Mapeo's close) ----
# made from good-project-A's own osm-p2p-db.tar; the sync file it was popped
# out of keeps its 30 photos (mkdamage nodb)
MK=${top_builddir}/tests/unit/mkdamage
cp "$D/good-project-A.mapeodata" "$TMP/popped.mapeodata"
"$MK" nodb "$TMP/popped.mapeodata" || fail "mkdamage nodb"
T=$TMP/osm-p2p-syncfile-777
"$MKDB" --temp --packed "$D/good-project-A.mapeodata" "$T" || fail "mkdb --temp --packed"
before=$(state "$T")
status "check a packed temp folder" 0 "$SYNCDOCTOR" check --no-config --no-environment --format json "$T"
is "packed: read as a database, its feeds and observations" "$(jq -r '[.kind, .verdict, (.feeds | length), .observations.heads, .media.members] | map(tostring) | join(" ")' "$TMP/out")" "database ok 2 24 0"
check "packed: says the tar was read" sh -c "jq -r .era_text '$TMP/out' | grep -q 'read from its packed copy, osm-p2p-db.tar'"
is "packed: database_copy for scripts" "$(jq -r .database_copy "$TMP/out")" packed
status "check --database=DIR on it" 0 "$SYNCDOCTOR" check --no-config --no-environment --database="$T"
check "... says the same in text" grep -q "packed copy" "$TMP/out"
status "rebuild FILE --database DIR from it" 0 "$SYNCDOCTOR" rebuild "$TMP/popped.mapeodata" --database "$T" -o "$TMP/packed.mapeodata" --config "$D/config-A.v3-tar.mapeosettings"
is "rebuilt from the packed tar: healthy, all of it" "$(j "$TMP/packed.mapeodata" '[.verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 24 30"
mapeo "rebuilt from a packed temp folder" "$TMP/packed.mapeodata" "$KA" 24 30
status "an output inside the folder read is refused" 1 "$SYNCDOCTOR" rebuild --database "$T" -o "$T/out.mapeodata" --config "$D/config-A.v3-tar.mapeosettings"
check "... and it says why" grep -q "is inside .*osm-p2p-syncfile-777, which is read: syncdoctor never writes into what it reads" "$TMP/err"
is "the packed temp folder was never written" "$(state "$T")" "$before"

# both copies: the tar whole, then cut, then with a flipped byte in feed 1
"$MKDB" --temp --packed --unpacked-too "$D/good-project-A.mapeodata" "$TMP/both" || fail "mkdb --unpacked-too"
status "both copies, the tar whole" 0 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/both"
check "... the tar is read" sh -c "jq -r .era_text '$TMP/out' | grep -q 'the packed copy (osm-p2p-db.tar) is whole and verifies, so it was read'"
is "... its feeds and observations" "$(jq -r '[(.feeds | length), .observations.heads] | map(tostring) | join(" ")' "$TMP/out")" "2 24"
# 25088: the header of 1/data, the first of feed 1's files (python's tarfile says so)
"$MKDB" --temp --packed --unpacked-too --cut 27600 "$D/good-project-A.mapeodata" "$TMP/bothcut" || fail "mkdb --cut"
status "both copies, the tar cut (a close that died packing)" 0 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/bothcut"
check "... the unpacked copy is read, and why" sh -c "jq -r .era_text '$TMP/out' | grep -q 'is cut short or damaged (Mapeo died while it packed it), so the unpacked one (multifeed) was read'"
is "... database_copy for scripts" "$(jq -r .database_copy "$TMP/out")" unpacked
is "... all of it" "$(jq -r '[.verdict, (.feeds | length), .observations.heads] | map(tostring) | join(" ")' "$TMP/out")" "ok 2 24"
status "rebuild FILE --database DIR from it" 0 "$SYNCDOCTOR" rebuild "$TMP/popped.mapeodata" --database "$TMP/bothcut" -o "$TMP/bothcut.mapeodata" --config "$D/config-A.v3-tar.mapeosettings"
is "rebuilt from the unpacked copy beside a cut tar: healthy, all of it" "$(j "$TMP/bothcut.mapeodata" '[.verdict, .observations.heads, .media.members] | map(tostring) | join(" ")')" "ok 24 30"
mapeo "rebuilt from the unpacked copy beside a cut tar" "$TMP/bothcut.mapeodata" "$KA" 24 30
"$MKDB" --temp --packed --unpacked-too "$D/good-project-A.mapeodata" "$TMP/bothflip" || fail "mkdb"
printf 'X' | dd of="$TMP/bothflip/osm-p2p-db.tar" bs=1 seek=27600 conv=notrunc 2>/dev/null
status "both copies, a byte of feed 1 flipped in the tar" 0 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/bothflip"
check "... the unpacked copy is read: feed 1 of the tar does not verify" sh -c "jq -r .era_text '$TMP/out' | grep -q 'feed 1 of the packed copy (osm-p2p-db.tar) does not verify'"
is "... all of it" "$(jq -r '[.verdict, .observations.heads] | map(tostring) | join(" ")' "$TMP/out")" "ok 24"

# both copies, the tar unreadable (its permissions; root reads it anyway)
if [ "$(id -u)" != 0 ]; then
	"$MKDB" --temp --packed --unpacked-too "$D/good-project-A.mapeodata" "$TMP/bothperm" || fail "mkdb"
	chmod 000 "$TMP/bothperm/osm-p2p-db.tar"
	status "both copies, the tar unreadable" 0 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/bothperm"
	check "... the unpacked copy is read: the tar could not be opened" sh -c "jq -r .era_text '$TMP/out' | grep -q 'could not be opened, so the unpacked one (multifeed) was read'"
	chmod 644 "$TMP/bothperm/osm-p2p-db.tar"
else
	skip "both copies, the tar unreadable (root reads every file)"
fi

# only the tar, cut in feed 1's data: feed 0 whole, feed 1's key lost
"$MKDB" --temp --packed --cut 27600 "$D/good-project-A.mapeodata" "$TMP/osm-p2p-syncfile-cut" || fail "mkdb --cut"
status "a cut packed tar alone: problems" 2 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/osm-p2p-syncfile-cut"
is "... the cut entry, named in the tar, and feed 1 lost with it" "$(jq -r '[.findings[] | select(.code == "inner-tar-damaged") | "\(.member) \(.inner) \(.feed)"] | join(",")' "$TMP/out")" "osm-p2p-db.tar 1/data null,osm-p2p-db.tar null 1"
is "... feed 0 whole" "$(jq -r '[.feeds[0].length, .feeds[0].verified] | map(tostring) | join(" ")' "$TMP/out")" "20 20"
status "a salvage from it" 0 "$SYNCDOCTOR" rebuild "$TMP/popped.mapeodata" --database "$TMP/osm-p2p-syncfile-cut" --salvage -o "$TMP/cut.mapeodata" --config "$D/config-A.v3-tar.mapeosettings"
obs=$(j "$TMP/cut.mapeodata" .observations.heads)
is "salvaged from a cut tar: healthy, feed 0's observations" "$(j "$TMP/cut.mapeodata" '[.verdict, (.feeds | length), .media.members] | map(tostring) | join(" ")')" "ok 1 30"
mapeo "salvaged from a cut packed tar" "$TMP/cut.mapeodata" "$KA" "$obs" 30

# a close that died packing, the tar cut right after an entry (25088: the
# header of 1/data, where feed 1 begins): no entry is cut, but the tar has
# no end; beside the unpacked copy it is not taken for whole (feed 1 is
# only in multifeed/), and alone it is told
"$MKDB" --temp --packed --unpacked-too --cut 25088 "$D/good-project-A.mapeodata" "$TMP/bothedge" || fail "mkdb --cut 25088"
status "both copies, the tar cut between two entries" 0 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/bothedge"
check "... the unpacked copy is read, and why" sh -c "jq -r .era_text '$TMP/out' | grep -q 'is cut short or damaged (Mapeo died while it packed it), so the unpacked one (multifeed) was read'"
is "... all of it, feed 1 too" "$(jq -r '[.verdict, .database_copy, (.feeds | length), .observations.heads] | map(tostring) | join(" ")' "$TMP/out")" "ok unpacked 2 24"
"$MKDB" --temp --packed --cut 25088 "$D/good-project-A.mapeodata" "$TMP/osm-p2p-syncfile-edge" || fail "mkdb --cut 25088"
status "that tar alone: problems" 2 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/osm-p2p-syncfile-edge"
is "... its end missing, after 0/data" "$(jq -r '[.findings[] | select(.severity == "error") | "\(.code) \(.member) \(.message)"] | join(",")' "$TMP/out")" \
	"inner-tar-damaged osm-p2p-db.tar the database ends after its entry '0/data' without the end of its tar: the file was cut there, and the entries after it are lost"
: >"$TMP/osm-p2p-syncfile-edge/osm-p2p-db.tar"
status "an empty tar alone: problems" 2 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/osm-p2p-syncfile-edge"
is "... told as a pack that stopped at once" "$(jq -r '[.findings[] | select(.severity == "error") | "\(.code) \(.message)"] | join(",")' "$TMP/out")" \
	"inner-tar-damaged the database holds no entry and not the end of its tar: Mapeo stopped as it began to pack it"

# a key file cut to one byte: said in the singular
"$MKDB" --temp "$D/good-project-A.mapeodata" "$TMP/osm-p2p-syncfile-key1" || fail "mkdb --temp"
truncate -s 1 "$TMP/osm-p2p-syncfile-key1/multifeed/1/key"
status "a key of one byte" 2 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/osm-p2p-syncfile-key1"
check "... said in the singular" sh -c "jq -r '.findings[] | select(.code == \"feed-key-invalid\") | .message' '$TMP/out' | grep -q '^the key of feed 1 is 1 byte instead of 32'"

# nothing below a temp folder is followed through a symbolic link
mkdir "$TMP/osm-p2p-syncfile-link"
ln -s "$T/osm-p2p-db.tar" "$TMP/osm-p2p-syncfile-link/osm-p2p-db.tar"
status "a linked osm-p2p-db.tar is not followed" 3 "$SYNCDOCTOR" check --no-config --no-environment "$TMP/osm-p2p-syncfile-link"
check "... no database there" grep -q "holds no Mapeo database" "$TMP/err"
check "... and why: the link named" grep -q "osm-p2p-syncfile-link/osm-p2p-db.tar is a symbolic link, not followed, since others may write in a temporary folder" "$TMP/err"
# links: told (link-not-followed), the path escaped
links() { jq -r '[.findings[] | select(.code == "link-not-followed") | "\(.severity) \(.feed) \(.inner) \(.message)"] | join("|")' "$TMP/out"; }
"$MKDB" --temp "$D/good-project-A.mapeodata" "$TMP/osm-p2p-syncfile-ln1" || fail "mkdb --temp"
mv "$TMP/osm-p2p-syncfile-ln1/multifeed/1" "$TMP/elsewhere1"
ln -s "$TMP/elsewhere1" "$TMP/osm-p2p-syncfile-ln1/multifeed/1"
status "a linked feed folder is not read" 2 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/osm-p2p-syncfile-ln1"
is "... only feed 0" "$(jq -r '[(.feeds | length), .feeds[0].verified] | map(tostring) | join(" ")' "$TMP/out")" "1 20"
is "... and why feed 1 is not there" "$(links)" "warning 1 1 $TMP/osm-p2p-syncfile-ln1/multifeed/1 is a symbolic link: it was not read, since others may write in a temporary folder, so what it points to is not in this check"
"$MKDB" --temp "$D/good-project-A.mapeodata" "$TMP/osm-p2p-syncfile-ln2" || fail "mkdb --temp"
mv "$TMP/osm-p2p-syncfile-ln2/multifeed/0/data" "$TMP/elsewhere-data"
ln -s "$TMP/elsewhere-data" "$TMP/osm-p2p-syncfile-ln2/multifeed/0/data"
status "a linked data file is not read" 2 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/osm-p2p-syncfile-ln2"
is "... no block of feed 0 verifies" "$(jq -r '[.feeds[0].verified, ([.findings[] | select(.code == "feed-hash-mismatch")] | length)] | map(tostring) | join(" ")' "$TMP/out")" "0 6"
is "... and why its data is not there" "$(links)" "warning 0 0/data $TMP/osm-p2p-syncfile-ln2/multifeed/0/data is a symbolic link: it was not read, since others may write in a temporary folder, so what it points to is not in this check"
"$MKDB" --temp "$D/good-project-A.mapeodata" "$TMP/osm-p2p-syncfile-ln3" || fail "mkdb --temp"
ln -s "$T/osm-p2p-db.tar" "$TMP/osm-p2p-syncfile-ln3/osm-p2p-db.tar"
ln -s "$TMP/elsewhere1" "$TMP/osm-p2p-syncfile-ln3/multifeed/7"
status "a linked osm-p2p-db.tar beside the unpacked copy" 2 "$SYNCDOCTOR" check --no-config --no-environment --format json "$TMP/osm-p2p-syncfile-ln3"
is "... the unpacked copy read, the tar and a linked feed folder told" "$(jq -r '[.database_copy, (.feeds | length)] | map(tostring) | join(" ")' "$TMP/out") $(links | sed "s|$TMP|TMP|g")" \
	"unpacked 2 warning null null TMP/osm-p2p-syncfile-ln3/osm-p2p-db.tar is a symbolic link: it was not read, since others may write in a temporary folder, so what it points to is not in this check|warning 7 7 TMP/osm-p2p-syncfile-ln3/multifeed/7 is a symbolic link: it was not read, since others may write in a temporary folder, so what it points to is not in this check"

# a path with a control character: escaped
E="$TMP/osm-p2p-syncfile-$(printf '\033')[31m"
"$MKDB" --temp "$D/good-project-A.mapeodata" "$E" || fail "mkdb --temp"
rm -r "$E/multifeed/1" && ln -s "$TMP/elsewhere1" "$E/multifeed/1"
status "a linked feed folder below a name with a control character" 2 "$SYNCDOCTOR" check --no-config --no-environment --format json "$E"
is "... named escaped" "$(links | sed "s|$TMP|TMP|g")" "warning 1 1 TMP/osm-p2p-syncfile-\\x1b[31m/multifeed/1 is a symbolic link: it was not read, since others may write in a temporary folder, so what it points to is not in this check"
check "... no control character shown" sh -c "! grep -q \"$(printf '\033')\" '$TMP/out'"

# A leftover folder of another sync file is not joined to this one (it was,
# in silence: project B's observations moved into project A): its
# observations name photos, none of them in the file, and no feed is shared.
cp "$D/good-project-A.mapeodata" "$TMP/nodb.mapeodata" && chmod u+w "$TMP/nodb.mapeodata"
"${top_builddir}/tests/unit/mkdamage" nodb "$TMP/nodb.mapeodata" >/dev/null || fail "mkdamage nodb"
"$MKDB" --temp "$D/good-project-B.mapeodata" "$TMP/tb/osm-p2p-syncfile-B" >/dev/null || fail "mkdb --temp B"
"$MKDB" --temp "$D/good-project-A.mapeodata" "$TMP/ta/osm-p2p-syncfile-A" >/dev/null || fail "mkdb --temp A"
status "another file's leftover folder: refused" 2 "$SYNCDOCTOR" --no-journal rebuild "$TMP/nodb.mapeodata" --database "$TMP/tb/osm-p2p-syncfile-B" -o "$TMP/ab.mapeodata"
check "it says why" grep -q "osm-p2p-syncfile-B comes from another sync file: its observations name 2 photos, none of them in" "$TMP/err"
check "nothing is written" test ! -e "$TMP/ab.mapeodata"
status "its own leftover folder: joined" 0 "$SYNCDOCTOR" --no-journal rebuild "$TMP/nodb.mapeodata" --database "$TMP/ta/osm-p2p-syncfile-A" -o "$TMP/aa.mapeodata"

# A feed's file this user may not read is no damage: the check says it
# could not read the folder (exit 3), never "cut short" with a salvage that
# drops a whole feed. As root, the run drops to nobody (root reads all).
P=$(mktemp -d /tmp/sd-perm.XXXXXX)
chmod 755 "$P"
cp -R "$U" "$P/ud"
chmod -R a+rX "$P/ud"
chmod 000 "$P/ud/kappa.db/1/data"
as_other=
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	as_other="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$P"
	# shellcheck disable=SC2086 # (a build below a private folder: nobody cannot run it)
	$as_other "$SYNCDOCTOR" --version >/dev/null 2>&1 || as_other=none
fi
if [ "$as_other" != none ] && { [ "$(id -u)" -ne 0 ] || [ -n "$as_other" ]; }; then
	# shellcheck disable=SC2086 # words by design
	status "a feed's data file that may not be read: unreadable, not damaged" 3 $as_other "$SYNCDOCTOR" --no-journal check --no-config --no-environment "$P/ud"
	check "it names the file and why" grep -q "kappa.db/1/data: cannot open: Permission denied" "$TMP/err"
	check "no salvage is advised" sh -c "! grep -q 'salvage' '$TMP/out'"
else
	skip "a feed's data file that may not be read (root, and no setpriv or no way for nobody to run the build)"
fi
chmod -R u+rwX "$P"
rm -rf "$P"

done_testing
