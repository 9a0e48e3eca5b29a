# mk/check.mk: the diagnosis pipeline, reports, and 'syncdoctor check'.
libsdcore_a_SOURCES += src/core/diagnosis.c src/core/report.c src/core/report.h
syncdoctor_SOURCES += src/cli/cmd_check.c
TESTS += tests/torn.sh
EXTRA_DIST += tests/torn.sh
