#!/bin/sh
# The project's own scripts that remove folders (contrib/build-debs,
# tests/debs.sh) stop when they cannot make their work folder, as on a full
# disk, instead of going on with an empty path: a CI run once saw debs.sh
# take /root for its Debian root and remove it.
. "$(dirname "$0")/lib.sh"
# a folder that cannot be made: under a regular file
: >"$TMP/file"
status "contrib/build-debs: an output folder that cannot be made" 1 "$top_srcdir/contrib/build-debs" "$TMP/file/out"
check "... says so" grep -q "cannot make the output folder" "$TMP/err"
check "... and removes nothing (the file beside it stays)" test -f "$TMP/file"
status "tests/debs.sh: a work folder that cannot be made" 1 "$top_srcdir/tests/debs.sh" "$TMP/file/work"
check "... bails out in its TAP" grep -q "^Bail out! cannot make the work folder" "$TMP/out"
done_testing
