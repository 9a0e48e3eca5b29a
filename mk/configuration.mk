# mk/configuration.mk: configurations (.mapeosettings), their diff, 'match' and 'diff'.
syncdoctor_SOURCES += src/cli/cmd_match.c src/cli/cmd_diff.c

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_configuration
TESTS += tests/unit/test_configuration
tests_unit_test_configuration_SOURCES = tests/unit/test_configuration.c $(DAMAGE_UTIL) $(TEST_UTIL)
tests_unit_test_configuration_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_configuration_LDADD = $(TEST_LDADD)
endif
