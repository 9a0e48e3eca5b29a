# tests/lib.sh: a tiny TAP producer for shell tests. Source it, call
# ok/fail/is/skip, and end with done_testing. Runs from make check with
# $SYNCDOCTOR, $SD_TEST_DATA and $top_srcdir set (Makefile.am).
_n=0
_failed=0
SYNCDOCTOR=${SYNCDOCTOR:-syncdoctor}
SD_TEST_DATA=${SD_TEST_DATA:-$(dirname "$0")/data}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sdsh-XXXXXX")
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
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }
