#!/bin/sh
# A file of the database cut or grown while its tar and the index stay
# consistent (a hypercore file written halfway, a sync that died while it
# wrote one, storage that kept only the start of a file): every file of the
# real databases of project A, B and a device's empty feed, cut to no byte,
# inside its 32-byte header, just past it, at its half and short of its
# end, and grown by a byte, a node's worth and a page. Each copy is held to
# tests/damage-sweep.sh's invariants (judge(), damage-lib.sh). A tree cut
# inside its header is how the check and the salvage were found to
# disagree (the check said a salvage keeps 7 blocks, it kept none), and an
# empty feed's signatures cut so is how a rebuild was found refused by its
# own read-back (8abb3a1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/damage-lib.sh"
[ -x "${top_builddir}/tests/unit/mkdamage" ] || { echo "1..0 # SKIP mkdamage not built (no Check)"; exit 0; }

n=0
for name in good-project-A good-project-B edge-empty-device-A; do
	f="$D/$name.mapeodata"
	tar xOf "$f" osm-p2p-db.tar | tar tvf - | awk '{ print $6, $3 }' >"$TMP/files"
	while read -r inner size; do
		for b in $(printf '%s\n' 0 1 16 31 32 33 $((size / 2)) $((size - 1)) | sort -nu); do
			[ "$b" -lt "$size" ] || continue
			n=$((n + 1))
			[ $((n % every)) -eq 0 ] || continue
			judge "$f" icut "$inner:$b" "$name: $inner cut to $b bytes"
		done
		for b in 1 40 4096; do
			n=$((n + 1))
			[ $((n % every)) -eq 0 ] || continue
			judge "$f" igrow "$inner:$b" "$name: $inner grown by $b bytes"
		done
	done <"$TMP/files"
done
is "database files cut or grown, none broken ($cases in all)" "$broken" 0
done_testing
