#!/bin/sh
# The boundaries of HACKING.md's "How the parts fit", measured with the
# project's own tool (contrib/shape): the core includes neither curses nor
# a front end's header, and the CLI and the wizard do not include each
# other's headers; and no function is over 120 lines (split by what it
# does, HACKING.md).
. "$(dirname "$0")/lib.sh"
SHAPE=$top_srcdir/contrib/shape

"$SHAPE" --check "$top_srcdir" >"$TMP/out" 2>"$TMP/err"
rc=$?
is "the tree keeps its boundaries (contrib/shape --check)" "$rc" 0
[ "$rc" = 0 ] || diag "$(cat "$TMP/out" "$TMP/err")"
check "the report lists function lengths" grep -q "^Functions over 120 lines" "$TMP/out"
"$SHAPE" --functions-only "$top_srcdir" >"$TMP/len" 2>&1
is "no function over 120 lines" "$(sed -n 2p "$TMP/len" | tr -d ' ')" none
[ "$(sed -n 2p "$TMP/len" | tr -d ' ')" = none ] || diag "$(cat "$TMP/len")"

# The tool itself: a small tree that crosses every boundary is caught.
T=$TMP/tree
mkdir -p "$T/src/core" "$T/src/cli" "$T/src/tui"
printf '/* core */\n' >"$T/src/core/finding.h"
printf '/* cli */\n' >"$T/src/cli/cli.h"
printf '/* tui */\n' >"$T/src/tui/ui.h"
printf '/* tui */\n' >"$T/src/tui/widgets.h"
printf '#include "config.h"\n#include "finding.h"\nint ok(void)\n{\n\treturn 0;\n}\n' >"$T/src/core/good.c"
"$SHAPE" --check "$T" >"$TMP/out" 2>&1
is "a clean tree passes" "$?" 0
printf '#include "config.h"\n#include <ncursesw/curses.h>\n' >"$T/src/core/a.c"
status "the core including curses is caught" 1 "$SHAPE" --check "$T"
check "and named with its line" grep -q "src/core/a.c:2: #include <ncursesw/curses.h>" "$TMP/out"
rm "$T/src/core/a.c"
printf '#include "config.h"\n#include "../tui/ui.h"\n' >"$T/src/core/b.c"
status "the core including the wizard's header is caught" 1 "$SHAPE" --check "$T"
rm "$T/src/core/b.c"
printf '#include "cli.h"\n' >"$T/src/core/c.h"
status "a core header including the CLI's is caught" 1 "$SHAPE" --check "$T"
rm "$T/src/core/c.h"
printf '#include "config.h"\n#include "cli.h"\n' >"$T/src/tui/d.c"
status "the wizard including the CLI's header is caught" 1 "$SHAPE" --check "$T"
check "under its heading" sh -c "sed -n '/^src.tui files/,\$p' '$TMP/out' | grep -q 'src/tui/d.c:2'"
rm "$T/src/tui/d.c"
printf '#include "config.h"\n#include "widgets.h"\n' >"$T/src/cli/e.c"
status "the CLI including the wizard's header is caught" 1 "$SHAPE" --check "$T"
rm "$T/src/cli/e.c"
# a long function is reported and the check still passes
{
	printf 'static int long_one(void)\n{\n'
	i=0
	while [ $i -lt 130 ]; do printf '\t(void)0;\n'; i=$((i + 1)); done
	printf '\treturn 0;\n}\n'
} >"$T/src/core/long.c"
status "a long function is no failure" 0 "$SHAPE" --check "$T"
check "but it is listed with its length" grep -q "^ *133  long_one  src/core/long.c:2$" "$TMP/out"
status "--lines 200 leaves it out" 0 "$SHAPE" --lines 200 "$T"
check "nothing over 200" sh -c "sed -n 2p '$TMP/out' | grep -q none"
done_testing
