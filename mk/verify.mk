# mk/verify.mk: hypercore feed verification, the observation model, photo checks.

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_feed tests/unit/test_observations tests/unit/test_media
TESTS += tests/unit/test_feed tests/unit/test_observations tests/unit/test_media
tests_unit_test_feed_SOURCES = tests/unit/test_feed.c $(DAMAGE_UTIL) $(TEST_UTIL)
tests_unit_test_feed_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_feed_LDADD = $(TEST_LDADD)
tests_unit_test_observations_SOURCES = tests/unit/test_observations.c $(DAMAGE_UTIL) $(TEST_UTIL)
tests_unit_test_observations_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_observations_LDADD = $(TEST_LDADD)
tests_unit_test_media_SOURCES = tests/unit/test_media.c $(DAMAGE_UTIL) $(TEST_UTIL)
tests_unit_test_media_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_media_LDADD = $(TEST_LDADD)
endif
