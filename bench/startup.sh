#!/bin/sh
# bench/startup.sh [PACKAGE.deb | PROGRAM]: instructions from exec to the
# wizard's first screen, counted by valgrind's callgrind (run by hand,
# never by the test suite; record results in bench/RESULTS.md).
#
# A Raspberry Pi on an SD card feels every million instructions at start;
# the target is at most 8,000,000 instructions to the first screen of the
# package's program, dynamic loader included.
#
# Default: the amd64 package contrib/build-debs left in _build/debs (its
# program, version table and translations are unpacked; the program is
# pointed at them with SYNCDOCTOR_VERSIONS and SYNCDOCTOR_LOCALEDIR). The
# wizard runs with curses at 80x24, its first screen drawn to /dev/null
# (the test hook SYNCDOCTOR_UI_SCRIPT, src/tui/ui.c); callgrind dumps its
# counts when the first doupdate() (curses' screen update) returns.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
arg=${1:-$(ls "$top"/_build/debs/syncdoctor_*_amd64.deb 2>/dev/null | head -n 1)}
[ -n "$arg" ] || { echo "startup: no package; run contrib/build-debs first, or name a program" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "startup: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sd-startup-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
case $arg in
*.deb)
	dpkg-deb -x "$arg" "$tmp/root"
	prog=$tmp/root/usr/bin/syncdoctor
	export SYNCDOCTOR_VERSIONS="$tmp/root/usr/share/syncdoctor/mapeo-versions.yaml"
	export SYNCDOCTOR_LOCALEDIR="$tmp/root/usr/share/locale"
	what="$(basename "$arg")"
	;;
*)
	prog=$arg
	what=$arg
	;;
esac
mkdir -p "$tmp/home"
printf 'Dump\n' >"$tmp/keys"
(
	cd "$tmp"
	env HOME="$tmp/home" XDG_STATE_HOME="$tmp/home/state" XDG_CONFIG_HOME="$tmp/home/config" \
		SYNCDOCTOR_SYSCONFDIR="$tmp/etc" SYNCDOCTOR_UI_SCRIPT="$tmp/keys" SYNCDOCTOR_UI_DUMP="$tmp/screen.txt" \
		TERM=xterm LINES=24 COLUMNS=80 LC_ALL=C.UTF-8 NO_COLOR=1 \
		valgrind --tool=callgrind --dump-after=doupdate --callgrind-out-file="$tmp/cg.out" \
		"$prog" >"$tmp/out" 2>"$tmp/valgrind.log"
) || true
first=$(ls "$tmp"/cg.out.1 "$tmp"/cg.out.*1 2>/dev/null | head -n 1)
[ -n "$first" ] || { echo "startup: no dump at the first doupdate():" >&2; tail -n 20 "$tmp/valgrind.log" >&2; exit 1; }
ir=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$first" | head -n 1)
# The dynamic loader's share: functions of ld-linux*.so (ob= lines name the object).
ld=$(callgrind_annotate --inclusive=no "$first" 2>/dev/null | awk '/ld-linux/ { gsub(",", "", $1); s += $1 } END { print s + 0 }')
printf 'program: %s\n' "$what"
printf 'first screen: %s\n' "$(grep -m1 -o 'syncdoctor[^|]*' "$tmp/screen.txt" 2>/dev/null | head -n 1 | sed 's/ *$//')"
printf 'instructions to the first screen: %s (dynamic loader: %s)\n' "$ir" "$ld"
if [ "$ir" -le 8000000 ]; then
	echo "target <= 8000000: met"
else
	echo "target <= 8000000: MISSED"
	exit 1
fi
