#!/bin/sh
# The man page renders cleanly and lists every finding code.
. "$(dirname "$0")/lib.sh"
man=$top_srcdir/man/syncdoctor.1
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -W warning "$man" >"$TMP/lint" 2>&1
	if [ -s "$TMP/lint" ]; then fail "mandoc -Tlint is clean"; diag "$(cat "$TMP/lint")"; else ok "mandoc -Tlint is clean"; fi
else
	skip "mandoc -Tlint (mandoc not installed)"
fi
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS KEYS "EXIT STATUS" FINDINGS ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
	check "section $section" grep -q "^\.SH \"*$section\"*\$" "$man"
done
missing=""
for code in $(sed -n 's/^[[:space:]]*{"\([a-z0-9-]*\)", STEP_.*/\1/p' "$top_srcdir/src/core/finding.c"); do
	grep -q "^\.B $code\$" "$man" || missing="$missing $code"
done
is "every finding code is documented" "$missing" ""
done_testing
