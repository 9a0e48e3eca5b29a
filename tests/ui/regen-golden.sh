#!/bin/sh
# Rewrite the wizard's golden screens (tests/ui/golden/*.txt) from the
# binary as it is now, e.g. after the translations changed:
#     tests/ui/regen-golden.sh /path/to/build
# BUILD is the build directory (default: the current one; it needs
# tests/unit/mkdamage, built by 'make check'). It also records which
# Spanish translations the Spanish screens were made with
# (golden/es.po.sum): until it is run again after po/es.po changes, those
# screens are checked for Spanish text but not compared. Review the result
# with 'git diff tests/ui/golden' before committing it.
set -e
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
if [ ! -x "$build/syncdoctor" ]; then
	echo "regen-golden.sh: no syncdoctor in $build; give the build directory" >&2
	exit 1
fi
SYNCDOCTOR=$build/syncdoctor
top_builddir=$build
SD_TEST_DATA=$top_srcdir/tests/data
SD_UI_REGEN=1
NO_COLOR=1
export top_srcdir top_builddir SYNCDOCTOR SD_TEST_DATA SD_UI_REGEN NO_COLOR
sh "$top_srcdir/tests/ui-wizard.sh"
