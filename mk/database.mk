# mk/database.mk: Mapeo database folders (Desktop's kappa.db, a phone's copy,
# a leftover temp folder) read in place, checked and rebuilt like sync files.

DBFIXTURE_UTIL = tests/unit/dbfixture.c tests/unit/dbfixture.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_database tests/unit/mkdb
TESTS += tests/unit/test_database
tests_unit_test_database_SOURCES = tests/unit/test_database.c $(DBFIXTURE_UTIL) $(TEST_UTIL)
tests_unit_test_database_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_database_LDADD = $(TEST_LDADD)
tests_unit_mkdb_SOURCES = tests/unit/mkdb.c $(DBFIXTURE_UTIL) $(TEST_UTIL)
tests_unit_mkdb_CFLAGS = $(TEST_CFLAGS)
tests_unit_mkdb_LDADD = $(TEST_LDADD)
endif
TESTS += tests/database.sh tests/folder-combos.sh tests/partial-download.sh
EXTRA_DIST += tests/database.sh tests/folder-combos.sh tests/partial-download.sh
