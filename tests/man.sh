#!/bin/sh
# The man page renders cleanly and lists every finding code; so does
# doc/findings.md. Both stay hand-written (their words are for people and
# translators of the page) and this test holds them to the one table,
# src/core/finding_codes.h: every code, under its step, with its severity.
. "$(dirname "$0")/lib.sh"
man=$top_srcdir/man/syncdoctor.1
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -W warning "$man" >"$TMP/lint" 2>&1
	if [ -s "$TMP/lint" ]; then fail "mandoc -Tlint is clean"; diag "$(cat "$TMP/lint")"; else ok "mandoc -Tlint is clean"; fi
else
	skip "mandoc -Tlint (mandoc not installed)"
fi
# groff through man-db, as users see it.
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
	MANWIDTH=80 man --warnings -l "$man" 2>"$TMP/groff" >"$TMP/rendered"
	if [ -s "$TMP/groff" ]; then fail "man --warnings is clean"; diag "$(cat "$TMP/groff")"; else ok "man --warnings is clean"; fi
	check "it renders" grep -q "diagnose and repair Mapeo sync files" "$TMP/rendered"
else
	skip "man --warnings (man-db or groff not installed)"
	skip "it renders"
fi
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS KEYS "EXIT STATUS" FINDINGS ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
	check "section $section" grep -q "^\.SH \"*$section\"*\$" "$man"
done
# The table: "code step severity" per line.
sed -n 's/^FND([A-Z0-9_]*, "\([a-z0-9-]*\)", STEP_\([A-Z]*\), SEV_\([A-Z]*\),.*/\1 \2 \3/p' \
	"$top_srcdir/src/core/finding_codes.h" | tr 'A-Z' 'a-z' >"$TMP/catalogue"
check "the catalogue was read" test -s "$TMP/catalogue"

# agree WHERE FILE: FILE ("code step severity" lines read from WHERE) lists
# every code of the table, under its step, with its severity, and no other.
agree() {
	check "$1 was read" test -s "$2"
	missing="" wrong=""
	while read -r code step sev; do
		case $(grep "^$code " "$2") in
		"") missing="$missing $code" ;;
		"$code $step $sev") ;;
		*) wrong="$wrong $code" ;;
		esac
	done <"$TMP/catalogue"
	is "every finding code is in $1" "$missing" ""
	is "$1: each under its step, with its severity" "$wrong" ""
	is "$1 lists no code the table lacks" \
		"$(cut -d' ' -f1 "$2" | while read -r c; do grep -q "^$c " "$TMP/catalogue" || printf ' %s' "$c"; done)" ""
}

# The man page's FINDINGS: a subsection per step, .B code, then (severity).
awk '/^\.SH FINDINGS/ { on = 1; next } /^\.SH/ { on = 0 } on' "$man" |
	awk '/^\.SS/ { step = ""; for (i = 2; i <= NF; i++) if (tolower($i) ~ /configuration|version|corruption|environment/) { step = tolower($i); gsub(/[^a-z]/, "", step) } }
	/^\.B [a-z0-9-]+$/ && step != "" { code = $2; next }
	code != "" { sev = $1; gsub(/[()]/, "", sev); print code, step, sev; code = "" }' >"$TMP/documented"
agree "the man page's FINDINGS" "$TMP/documented"

# doc/findings.md: one table row per code, under a heading naming its step.
awk '/^## / { step = ""; for (i = 2; i <= NF; i++) if ($i ~ /configuration|version|corruption|environment/) { step = $i; gsub(/[^a-z]/, "", step) } }
	/^\| `[a-z0-9-]+` \| (info|warning|error) \|/ && step != "" {
		code = $2; gsub(/`/, "", code); print code, step, $4 }' \
	"$top_srcdir/doc/findings.md" >"$TMP/doc"
agree "doc/findings.md" "$TMP/doc"
done_testing
