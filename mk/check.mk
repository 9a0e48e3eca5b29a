# mk/check.mk: the diagnosis pipeline, reports, and 'syncdoctor check'.
syncdoctor_SOURCES += src/cli/cmd_check.c
TESTS += tests/torn.sh
EXTRA_DIST += tests/torn.sh
