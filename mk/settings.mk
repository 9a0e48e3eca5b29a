# mk/settings.mk: configurations (.mapeosettings), their diff, 'match' and 'diff'.
syncdoctor_SOURCES += src/cli/cmd_match.c src/cli/cmd_diff.c

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_settings
TESTS += tests/unit/test_settings
tests_unit_test_settings_SOURCES = tests/unit/test_settings.c $(DAMAGE_UTIL) $(TEST_UTIL)
tests_unit_test_settings_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_settings_LDADD = $(TEST_LDADD)
endif
