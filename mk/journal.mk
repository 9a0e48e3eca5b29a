# mk/journal.mk: case journal, YAML configuration, support bundles.
syncdoctor_SOURCES += src/cli/cmd_history.c src/cli/cmd_report.c

TESTS += tests/journal.sh tests/userconf.sh tests/bundle.sh
EXTRA_DIST += tests/journal.sh tests/userconf.sh tests/bundle.sh

# The annotated example configuration file.
examplesdir = $(docdir)/examples
dist_examples_DATA = contrib/config.yaml

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_journal
TESTS += tests/unit/test_journal
tests_unit_test_journal_SOURCES = tests/unit/test_journal.c $(TEST_UTIL)
tests_unit_test_journal_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_journal_LDADD = $(TEST_LDADD)
endif
