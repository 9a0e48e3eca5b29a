# mk/verify.mk: hypercore feed verification, the observation model, photo checks.

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_verify
TESTS += tests/unit/test_verify
tests_unit_test_verify_SOURCES = tests/unit/test_verify.c $(DAMAGE_UTIL) $(TEST_UTIL)
tests_unit_test_verify_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_verify_LDADD = $(TEST_LDADD)
endif
