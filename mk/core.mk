# mk/core.mk: the shared core pieces (allocation, errors, findings, I/O).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_core
TESTS += tests/unit/test_core
tests_unit_test_core_SOURCES = tests/unit/test_core.c $(TEST_UTIL)
tests_unit_test_core_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_core_LDADD = $(TEST_LDADD)

check_PROGRAMS += tests/unit/test_findings
TESTS += tests/unit/test_findings
tests_unit_test_findings_SOURCES = tests/unit/test_findings.c $(TEST_UTIL)
tests_unit_test_findings_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_findings_LDADD = $(TEST_LDADD)
TESTS += tests/findings-spill.sh
EXTRA_DIST += tests/findings-spill.sh
endif
