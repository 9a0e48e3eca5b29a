#!/bin/sh
# bench/same-output.sh BEFORE AFTER FILE...: the same findings, byte for
# byte. Runs 'check --format json' and 'check --quick --format json' of
# each FILE with two syncdoctor binaries (a build before a change and one
# after it), each under a fresh HOME with its own journal and the source
# tree's version table, and compares stdout and exit status. Prints one
# line per file and mode; exits 1 when any differ. For changes made for
# speed or memory (issue 21), which must not change what is reported.
set -u
before=$1
after=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
run() { # BINARY TAG MODE FILE: stdout to $tmp/TAG.out, status to $tmp/TAG.rc
	rm -rf "$tmp/home" && mkdir -p "$tmp/home"
	HOME=$tmp/home "$1" --journal="$tmp/home/j.sqlite" check --versions="$top/data/mapeo-versions.yaml" \
		$3 --format json "$4" >"$tmp/$2.out" 2>"$tmp/$2.err"
	echo $? >"$tmp/$2.rc"
}
for f in "$@"; do
	for mode in --full --quick; do
		m=$mode
		[ "$m" = --full ] && m=
		run "$before" b "$m" "$f"
		run "$after" a "$m" "$f"
		if cmp -s "$tmp/b.out" "$tmp/a.out" && cmp -s "$tmp/b.rc" "$tmp/a.rc"; then
			echo "same      $mode $f"
		else
			echo "DIFFERENT $mode $f"
			diff "$tmp/b.out" "$tmp/a.out" | head -20
			bad=1
		fi
	done
done
exit $bad
