# mk/env.mk: Mapeo on this computer, the version table, 'syncdoctor env'.
syncdoctor_SOURCES += src/cli/cmd_env.c

# The table of Mapeo Desktop releases, installed to $(pkgdatadir). Tests read
# the source tree's copy through SYNCDOCTOR_VERSIONS.
dist_pkgdata_DATA += data/mapeo-versions.yaml
AM_TESTS_ENVIRONMENT += \
	SYNCDOCTOR_VERSIONS='$(abs_top_srcdir)/data/mapeo-versions.yaml'; export SYNCDOCTOR_VERSIONS;

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_env
TESTS += tests/unit/test_env
tests_unit_test_env_SOURCES = tests/unit/test_env.c $(DAMAGE_UTIL) $(TEST_UTIL)
tests_unit_test_env_CFLAGS = $(TEST_CFLAGS) -DSD_VERSIONS_FILE=\"$(abs_top_srcdir)/data/mapeo-versions.yaml\"
tests_unit_test_env_LDADD = $(TEST_LDADD)
endif
TESTS += tests/env.sh
EXTRA_DIST += tests/env.sh
