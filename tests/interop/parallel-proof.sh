#!/bin/sh
# tests/interop/parallel-proof.sh [ROUNDS]: proof that the interop cache
# survives parallel use (issue: make -j2 ran two interop tests at once
# against one half-installed npm folder).
#
# Each round starts from an empty cache folder and runs four copies of
# mapeo-accepts.sh at once, as make -j does; every other round also
# plants a half-written install under the final name (no completion
# marker, a truncated module) and a stale temporary folder, which must be
# replaced. Any copy that fails or skips (77) fails the round. Needs node,
# npm and the npm registry (or npm's own cache).
#
# Knobs: ROUNDS (10), PROOF_DIR (/var/tmp): where each round's cache goes;
# it is removed when the round passes, kept (and named) when it fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data
rounds=${1:-${ROUNDS:-10}}
KA=ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e
KB=7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514
hash=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-16)
passed=0
r=1
while [ "$r" -le "$rounds" ]; do
	started=$(date +%s)
	cache=$(mktemp -d "${PROOF_DIR:-/var/tmp}/sd-interop-proof-XXXXXX")
	planted=""
	if [ $((r % 2)) -eq 0 ]; then
		mkdir -p "$cache/$hash/node_modules/@mapeo/core" "$cache/$hash.tmp-1"
		echo "module.exports = function (" >"$cache/$hash/node_modules/@mapeo/core/index.js"
		planted=" (over a half-written install)"
	fi
	SYNCDOCTOR_INTEROP_CACHE=$cache "$here/mapeo-accepts.sh" "$data/good-project-A.mapeodata" $KA 24 30 >"$cache/1.out" 2>&1 &
	p1=$!
	SYNCDOCTOR_INTEROP_CACHE=$cache "$here/mapeo-accepts.sh" "$data/good-project-B.mapeodata" $KB >"$cache/2.out" 2>&1 &
	p2=$!
	SYNCDOCTOR_INTEROP_CACHE=$cache "$here/mapeo-accepts.sh" "$data/good-no-key.mapeodata" none >"$cache/3.out" 2>&1 &
	p3=$!
	SYNCDOCTOR_INTEROP_CACHE=$cache "$here/mapeo-accepts.sh" "$data/good-project-A.mapeodata" $KA 24 30 >"$cache/4.out" 2>&1 &
	p4=$!
	bad=""
	i=1
	for p in $p1 $p2 $p3 $p4; do
		wait "$p" || bad="$bad $i(exit $?)"
		i=$((i + 1))
	done
	if [ -n "$bad" ]; then
		echo "round $r$planted: FAILED:$bad; logs in $cache"
		for i in 1 2 3 4; do sed "s/^/    $i: /" "$cache/$i.out" | cut -c1-200; done
	else
		passed=$((passed + 1))
		echo "round $r$planted: 4 of 4 accepted ($(($(date +%s) - started))s)"
		rm -rf "$cache"
	fi
	r=$((r + 1))
done
echo "$passed of $rounds rounds passed"
[ "$passed" -eq "$rounds" ]
