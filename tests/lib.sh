# tests/lib.sh: a tiny TAP producer for shell tests. Source it, call
# ok/fail/is/skip, and end with done_testing. Runs from make check with
# $SYNCDOCTOR, $SD_TEST_DATA and $top_srcdir set (Makefile.am).
_n=0
_failed=0
# A run bounded by time (tests/cross/qemu.sh under CROSS_TEST_SECONDS: a
# suite under qemu on a slow machine) starts no test past its deadline;
# a test that started runs to its end.
if [ -n "${SYNCDOCTOR_TEST_DEADLINE:-}" ] && [ "$(date +%s)" -ge "$SYNCDOCTOR_TEST_DEADLINE" ]; then
	echo "1..0 # SKIP the run's time budget is spent (SYNCDOCTOR_TEST_DEADLINE)"
	exit 0
fi
SYNCDOCTOR=${SYNCDOCTOR:-syncdoctor}
SD_TEST_DATA=${SD_TEST_DATA:-$(dirname "$0")/data}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sdsh-XXXXXX")
# The environment step looks in the temporary folders for what interrupted
# syncs left, and other tests (the real Mapeo of tests/interop too) leave
# such folders in /tmp while this one runs: a test looks only in its own.
SYNCDOCTOR_TMPDIRS=${SYNCDOCTOR_TMPDIRS:-$TMP/tmpdirs}
mkdir -p "$SYNCDOCTOR_TMPDIRS"
export SYNCDOCTOR_TMPDIRS
trap 'rm -rf "$TMP"' EXIT
# make -j runs tests at once: each gets a HOME (journal, settings) of its
# own instead of the build's shared tests/home, so none sees another's.
if [ -n "${top_builddir:-}" ] && [ "${HOME:-}" = "$top_builddir/tests/home" ]; then
	for v in XDG_CONFIG_HOME XDG_STATE_HOME SYNCDOCTOR_SYSCONFDIR; do
		eval "val=\${$v:-}"
		case $val in "$HOME"/*) eval "$v=\$TMP/sdhome\${val#\"\$HOME\"}" && export $v ;; esac
	done
	HOME=$TMP/sdhome
	export HOME
	mkdir -p "$HOME"
fi

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
fail() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n - $* # SKIP"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# is DESCRIPTION GOT WANT
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1"; diag "got:  $2" "want: $3"; fi
}
# status DESCRIPTION WANT COMMAND...: the command's exit status.
status() {
	d=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	is "$d (exit $want)" "$got" "$want"
}
# mapeo NAME FILE KEY OBS MEDIA: the real Mapeo (tests/interop, @mapeo/core
# 8.6.2) accepts FILE with OBS observations and MEDIA photos; skipped when
# SYNCDOCTOR_NO_INTEROP is set or node/npm cannot be had.
mapeo() {
	if [ -n "${SYNCDOCTOR_NO_INTEROP:-}" ]; then skip "$1: Mapeo accepts it (SYNCDOCTOR_NO_INTEROP set)"; return; fi
	"$top_srcdir/tests/interop/mapeo-accepts.sh" "$2" "$3" "$4" "$5" >"$TMP/interop.out" 2>"$TMP/interop.err"
	case $? in
	0) ok "$1: Mapeo accepts it ($4 observations, $5 photos)" ;;
	77) skip "$1: Mapeo accepts it ($(tail -n 1 "$TMP/interop.err"))" ;;
	*) fail "$1: Mapeo accepts it"; diag "$(cat "$TMP/interop.out" "$TMP/interop.err")" ;;
	esac
}

# mapeo_refuses NAME FILE KEY: the proof that Mapeo refuses FILE (it
# cannot open it, or takes nothing from it), where syncdoctor says so.
mapeo_refuses() {
	if [ -n "${SYNCDOCTOR_NO_INTEROP:-}" ]; then skip "$1: Mapeo refuses it (SYNCDOCTOR_NO_INTEROP set)"; return; fi
	"$top_srcdir/tests/interop/mapeo-accepts.sh" "$2" "$3" >"$TMP/interop.out" 2>"$TMP/interop.err"
	case $? in
	1) ok "$1: Mapeo refuses it" ;;
	77) skip "$1: Mapeo refuses it ($(tail -n 1 "$TMP/interop.err"))" ;;
	*) fail "$1: Mapeo refuses it"; diag "$(cat "$TMP/interop.out" "$TMP/interop.err")" ;;
	esac
}

# sync_errors_log FILE N: a Mapeo Desktop log FILE recording N sync
# errors (N <= 24, one an hour on 2026-11-20): past 20, more than a report
# shows.
sync_errors_log() {
	i=0
	while [ $i -lt "$2" ]; do
		printf '2026-11-20T%02d:05:01.100Z [mapeo-core] error: sync error Error: unsupported syncfile type\n' $i
		i=$((i + 1))
	done >"$1"
}

# wait_stopped PID: true once the process is stopped (state T, from a test
# hook such as SYNCDOCTOR_FAULT_PAUSE_READ), false when it ended. The limit
# (300 s) only catches a hook that never fires: under sanitizers or qemu on
# a loaded machine, reading up to the hook can take long. A condition
# polled for, not a delay.
wait_stopped() {
	end=$(($(date +%s) + 300))
	while [ "$(date +%s)" -le "$end" ]; do
		s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
		[ "$s" = T ] && return 0
		[ -e "/proc/$1" ] || return 1
		[ "$s" = Z ] && return 1
		sleep 0.05
	done
	return 1
}
# also FILE: a check's "Also:" paragraph (after Next: a rescue that
# keeps more than the salvage), on one line.
also() { sed -n '/^  Also: /,$p' "$1" | tr '\n' ' ' | tr -s ' ' | sed 's/^ //; s/ $//'; }
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }
