# mk/reader.mk: the tolerant tar code and the sync file reader.

if HAVE_CHECK
DAMAGE_UTIL = tests/unit/damage.c tests/unit/damage.h
check_PROGRAMS += tests/unit/test_syncfile
TESTS += tests/unit/test_syncfile
tests_unit_test_syncfile_SOURCES = tests/unit/test_syncfile.c $(DAMAGE_UTIL) $(TEST_UTIL)
tests_unit_test_syncfile_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_syncfile_LDADD = $(TEST_LDADD)
TESTS += tests/member-spill.sh
EXTRA_DIST += tests/member-spill.sh
endif
