#!/bin/sh
# po/POTFILES.in lists exactly the source files with translatable strings.
. "$(dirname "$0")/lib.sh"
cd "$top_srcdir" || exit 1
grep -rlE '\b_\("|N_\("|P_\(' src | sort >"$TMP/have"
grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort >"$TMP/listed"
is "POTFILES.in lists every file with strings" "$(comm -23 "$TMP/have" "$TMP/listed" | tr '\n' ' ')" ""
is "every file in POTFILES.in exists" "$(while read -r f; do [ -f "$f" ] || echo "$f"; done <"$TMP/listed" | tr '\n' ' ')" ""
check "LINGUAS has es and pt_BR" grep -qx es po/LINGUAS
check "LINGUAS has pt_BR" grep -qx pt_BR po/LINGUAS
for l in es pt_BR; do
	if command -v msgfmt >/dev/null 2>&1; then
		check "po/$l.po compiles" msgfmt -c -o /dev/null "po/$l.po"
	else
		skip "po/$l.po compiles (no msgfmt)"
	fi
done
done_testing
