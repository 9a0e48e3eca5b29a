#!/bin/sh
# 'syncdoctor rebuild': every mode writes a file syncdoctor verifies and the
# real Mapeo (tests/interop, @mapeo/core 8.6.2 from the npm registry)
# accepts with the expected observations and photos; safety of the output.
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
MK=${top_builddir}/tests/unit/mkdamage
INTEROP=$top_srcdir/tests/interop/mapeo-accepts.sh
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
KB=7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514
[ -x "$MK" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }

# mapeo NAME FILE KEY OBS MEDIA: the real Mapeo accepts FILE.
mapeo() {
	if [ -n "${SYNCDOCTOR_NO_INTEROP:-}" ]; then skip "$1: Mapeo accepts it (SYNCDOCTOR_NO_INTEROP set)"; return; fi
	"$INTEROP" "$2" "$3" "$4" "$5" >"$TMP/interop.out" 2>"$TMP/interop.err"
	case $? in
	0) ok "$1: Mapeo accepts it ($4 observations, $5 photos)" ;;
	77) skip "$1: Mapeo accepts it ($(tail -n 1 "$TMP/interop.err"))" ;;
	*) fail "$1: Mapeo accepts it"; diag "$(cat "$TMP/interop.out" "$TMP/interop.err")" ;;
	esac
}
verdict() { "$SYNCDOCTOR" check --no-config --format json "$1" | jq -r "$2"; }

cp "$D/good-project-A.mapeodata" "$TMP/a.mapeodata"
before=$(sha256sum <"$TMP/a.mapeodata")

# a healthy file, rebuilt as it is
status "repair of a healthy file" 0 "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/r1.mapeodata"
is "same observations" "$(verdict "$TMP/r1.mapeodata" '[.verdict, .observations.heads, .media.members] | join(" ")')" "ok 24 30"
is "same project" "$(verdict "$TMP/r1.mapeodata" .project.discovery_key)" c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af
mapeo "repair" "$TMP/r1.mapeodata" "$KA" 24 30
is "the input is unchanged" "$(sha256sum <"$TMP/a.mapeodata")" "$before"

# the index and trailer gone (a torn append): the project went with them
cp "$D/good-project-A.mapeodata" "$TMP/noindex.mapeodata"
"$MK" noindex "$TMP/noindex.mapeodata"
status "no index, no configuration: refused" 1 env HOME="$TMP/nohome" XDG_CONFIG_HOME= "$SYNCDOCTOR" rebuild --repair "$TMP/noindex.mapeodata" -o "$TMP/r2.mapeodata"
status "no index, --config: rebuild" 0 "$SYNCDOCTOR" rebuild --repair --config "$D/config-A.v3-tar.mapeosettings" "$TMP/noindex.mapeodata" -o "$TMP/r2.mapeodata"
check "no index: plan says so" grep -q "new index" "$TMP/out"
check "no index: plan names the configuration" grep -q "Proyecto A" "$TMP/out"
is "no index: rebuilt file is healthy" "$(verdict "$TMP/r2.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 24"
mapeo "no index" "$TMP/r2.mapeodata" "$KA" 24 30

# the userdata lost: never silently the default project
cp "$D/good-project-A.mapeodata" "$TMP/noud.mapeodata"
"$MK" nouserdata "$TMP/noud.mapeodata"
status "userdata lost, no configuration: refused" 1 env HOME="$TMP/nohome" XDG_CONFIG_HOME= "$SYNCDOCTOR" rebuild "$TMP/noud.mapeodata" -o "$TMP/r3.mapeodata"
check "refusal asks for --config" grep -q -- "--config" "$TMP/err"
check "and wrote nothing" test ! -e "$TMP/r3.mapeodata"
status "userdata lost, --config: restored" 0 "$SYNCDOCTOR" rebuild --config "$D/config-A.v3-tar.mapeosettings" "$TMP/noud.mapeodata" -o "$TMP/r3.mapeodata"
is "project restored" "$(verdict "$TMP/r3.mapeodata" .project.discovery_key)" c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af
mapeo "userdata restored" "$TMP/r3.mapeodata" "$KA" 24 30

# for another configuration's project (the guide's Option B)
status "--config B" 0 "$SYNCDOCTOR" rebuild --config "$D/config-B.v3-tar.mapeosettings" "$TMP/a.mapeodata" -o "$TMP/r4.mapeodata"
check "--config B warns of the merge" grep -q "another project" "$TMP/err"
is "project B" "$(verdict "$TMP/r4.mapeodata" .project.discovery_key)" 97c1152af3cba51b9b7b9837de41f4894696b7a92e36b9e24ea2b4da97341a76
mapeo "for project B" "$TMP/r4.mapeodata" "$KB" 24 30

# salvage: a damaged block; what depends on it goes too
cp "$D/good-project-A.mapeodata" "$TMP/bad.mapeodata"
"$MK" data "$TMP/bad.mapeodata" 0 10
status "salvage a damaged block" 0 "$SYNCDOCTOR" rebuild --salvage "$TMP/bad.mapeodata" -o "$TMP/r5.mapeodata"
check "salvage lists the observations left out" grep -q "observation 32873cd6715a34eb" "$TMP/out"
is "salvaged file verifies" "$(verdict "$TMP/r5.mapeodata" .verdict)" ok
mapeo "salvage" "$TMP/r5.mapeodata" "$KA" 5 30

# salvage: a damaged tree node over intact data is computed again
cp "$D/good-project-A.mapeodata" "$TMP/node.mapeodata"
"$MK" node "$TMP/node.mapeodata" 0 1
status "salvage a damaged tree node" 0 "$SYNCDOCTOR" rebuild --salvage "$TMP/node.mapeodata" -o "$TMP/r6.mapeodata"
check "the node is computed again" grep -q "computed again" "$TMP/out"
is "nothing lost" "$(verdict "$TMP/r6.mapeodata" '[.verdict, .observations.heads] | join(" ")')" "ok 24"
mapeo "tree node" "$TMP/r6.mapeodata" "$KA" 24 30

# safety
status "--dry-run" 0 "$SYNCDOCTOR" rebuild --dry-run "$TMP/a.mapeodata" -o "$TMP/dry.mapeodata"
check "--dry-run writes nothing" test ! -e "$TMP/dry.mapeodata"
status "an existing output is kept" 4 "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/r1.mapeodata"
status "--force replaces it" 0 "$SYNCDOCTOR" rebuild --force "$TMP/a.mapeodata" -o "$TMP/r1.mapeodata"
status "never over the input" 1 "$SYNCDOCTOR" rebuild --force "$TMP/a.mapeodata" -o "$TMP/a.mapeodata"
status "a full disk" 4 env SYNCDOCTOR_FAULT_WRITE=ENOSPC:200000 "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/full.mapeodata"
check "a full disk: clear message" grep -q "No space left" "$TMP/err"
check "a full disk: nothing under the name" test ! -e "$TMP/full.mapeodata"
is "a full disk: no temporary left" "$(ls -A "$TMP" | grep -c sdtmp)" 0
status "an I/O error" 4 env SYNCDOCTOR_FAULT_WRITE=EIO:1000 "$SYNCDOCTOR" rebuild "$TMP/a.mapeodata" -o "$TMP/eio.mapeodata"
check "an I/O error: nothing under the name" test ! -e "$TMP/eio.mapeodata"
is "the input is still unchanged" "$(sha256sum <"$TMP/a.mapeodata")" "$before"
done_testing
