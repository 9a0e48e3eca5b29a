#!/bin/sh
# The YAML reports hold the same data as the JSON ones: every command's
# YAML, read back with libyaml (tests/unit/yamleq), equals its JSON, for
# the real files in tests/data and a generated file of many observations
# (its ids streamed, in memory and spilled to the model's database).
. "$(dirname "$0")/lib.sh"
D=$SD_TEST_DATA
EQ=$top_builddir/tests/unit/yamleq
GEN=$top_builddir/bench/gen-syncfile
V=$top_srcdir/data/mapeo-versions.yaml
# this computer's temporary folders, made here (a leftover of an
# interrupted sync in them): the machine's own change while the test runs
SYNCDOCTOR_TMPDIRS=$TMP/tmp
export SYNCDOCTOR_TMPDIRS
mkdir -p "$SYNCDOCTOR_TMPDIRS/osm-p2p-syncfile-4242/multifeed/0"
head -c 32 /dev/urandom >"$SYNCDOCTOR_TMPDIRS/osm-p2p-syncfile-4242/multifeed/0/key"

# same NAME ARGS...: 'ARGS --format yaml' and '--format json' exit alike
# and their reports are the same data (but for the top-level key $X).
same() {
	n=$1
	shift
	x=${X:+-x $X}
	"$SYNCDOCTOR" --no-journal "$@" --format yaml >"$TMP/y" 2>/dev/null
	y=$?
	"$SYNCDOCTOR" --no-journal "$@" --format json >"$TMP/j" 2>/dev/null
	j=$?
	if [ "$y" = "$j" ] && [ -s "$TMP/j" ] && "$EQ" $x "$TMP/y" "$TMP/j" 2>"$TMP/eq"; then
		ok "$n: YAML = JSON"
	else
		fail "$n: YAML = JSON"
		diag "exit yaml $y json $j" "$(head -c 2000 "$TMP/eq")"
	fi
}

# the comparison itself: another report is not the same data
"$SYNCDOCTOR" --no-journal check --no-config --format yaml "$D/good-project-A.mapeodata" >"$TMP/y"
"$SYNCDOCTOR" --no-journal check --no-config --format json "$D/good-project-B.mapeodata" >"$TMP/j"
status "yamleq: A's YAML is not B's JSON" 1 "$EQ" "$TMP/y" "$TMP/j"

for f in "$D"/*.mapeodata "$D/desktop-userdata-A"; do
	b=$(basename "$f")
	same "check $b" check --versions "$V" --no-config "$f"
	same "check --quick $b" check --versions "$V" --quick --no-config "$f"
	same "check $b, config A" check --versions "$V" --config "$D/config-A.mapeosettings" "$f"
done
same "check of no file" check --versions "$V" --no-config "$TMP/none.mapeodata"
same "rebuild plan" rebuild --dry-run --config "$D/config-B.mapeosettings" \
	-o "$TMP/b.mapeodata" "$D/good-project-A.mapeodata"
X=temp_space same "env (but the free space)" env --versions "$V"
same "match" match "$D/good-project-A.mapeodata" "$D/config-A.mapeosettings" \
	"$D/config-B.mapeosettings" "$D/config-no-key.mapeosettings"
same "diff" diff "$D/config-A.mapeosettings" "$D/config-B.mapeosettings"

# names that need escaping, in the report and in the journal's history
w=$TMP/$(printf 'w\033[31m\342\200\256\177"z').mapeodata
cp "$D/good-project-B.mapeodata" "$w"
same "check of a name with controls" check --versions "$V" --no-config "$w"
J=$TMP/j.sqlite
"$SYNCDOCTOR" --journal "$J" check --no-config "$w" >/dev/null 2>&1
"$SYNCDOCTOR" --journal "$J" check --no-config "$D/good-project-A.mapeodata" >/dev/null 2>&1
"$SYNCDOCTOR" --journal "$J" rebuild --config "$D/config-B.mapeosettings" \
	-o "$TMP/b.mapeodata" "$D/good-project-A.mapeodata" >/dev/null 2>&1
# hist NAME ARGS...
hist() {
	n=$1
	shift
	"$SYNCDOCTOR" --journal "$J" history "$@" --format yaml >"$TMP/y"
	"$SYNCDOCTOR" --journal "$J" history "$@" --format json >"$TMP/j"
	check "$n: YAML = JSON" "$EQ" "$TMP/y" "$TMP/j"
}
hist "history"
is "history: every row read back" "$(grep -c '^- id:' "$TMP/y")" \
	"$(jq '(.checks | length) + (.rebuilds | length)' "$TMP/j")"
hist "history of the name with controls" "$w"
hist "history --limit 1" --limit 1

# many observations: 20,000 ids, kept in memory and spilled
"$GEN" "$TMP/many.mapeodata" 3 20000 5 >/dev/null
same "check of 20,000 observations" check --versions "$V" --no-config "$TMP/many.mapeodata"
is "check of 20,000 observations: every id listed" \
	"$(jq '.observations.ids | length' "$TMP/j")" "$(jq '.observations.heads' "$TMP/j")"
SYNCDOCTOR_OBS_BUDGET=1
export SYNCDOCTOR_OBS_BUDGET
same "check of 20,000 observations, spilled" check --versions "$V" --no-config \
	"$TMP/many.mapeodata"
unset SYNCDOCTOR_OBS_BUDGET
done_testing
