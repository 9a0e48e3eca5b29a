# mk/core.mk: the shared core pieces (allocation, errors, findings, I/O).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_core
TESTS += tests/unit/test_core
tests_unit_test_core_SOURCES = tests/unit/test_core.c $(TEST_UTIL)
tests_unit_test_core_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_core_LDADD = $(TEST_LDADD)
endif
