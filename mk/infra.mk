# mk/infra.mk: fuzz targets, corpus replay, shell tests, and what the
# release tarball must carry.

FUZZ_COMMON = tests/fuzz/fuzz.h tests/fuzz/fuzz_common.c
FUZZ_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests/fuzz -DTEST_DATA_DIR=\"$(abs_top_srcdir)/tests/data\"

# Replays of every target's seeds and saved corpus, under the normal
# compiler (tests/fuzz/replay.c), so each crash found stays a regression test.
FUZZ_REPLAYS = tests/fuzz/replay_syncfile tests/fuzz/replay_config tests/fuzz/replay_entries \
	tests/fuzz/replay_media tests/fuzz/replay_feed tests/fuzz/replay_tar tests/fuzz/replay_zip \
	tests/fuzz/replay_rebuild tests/fuzz/replay_versions tests/fuzz/replay_userconf
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS)

tests_fuzz_replay_syncfile_SOURCES = tests/fuzz/fuzz_syncfile.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_syncfile_CFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_replay_config_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_config_CFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_replay_entries_SOURCES = tests/fuzz/fuzz_entries.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_entries_CFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_replay_media_SOURCES = tests/fuzz/fuzz_media.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_media_CFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_replay_feed_SOURCES = tests/fuzz/fuzz_feed.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_feed_CFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_replay_tar_SOURCES = tests/fuzz/fuzz_tar.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_tar_CFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_replay_zip_SOURCES = tests/fuzz/fuzz_zip.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_zip_CFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_replay_rebuild_SOURCES = tests/fuzz/fuzz_rebuild.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_rebuild_CFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_replay_versions_SOURCES = tests/fuzz/fuzz_versions.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_versions_CFLAGS = $(FUZZ_CFLAGS)

tests_fuzz_replay_userconf_SOURCES = tests/fuzz/fuzz_userconf.c tests/fuzz/replay.c $(FUZZ_COMMON)
tests_fuzz_replay_userconf_CFLAGS = $(FUZZ_CFLAGS)

# libFuzzer targets (./configure CC=clang --enable-fuzzing; make fuzz-targets).
FUZZ_PROGS = tests/fuzz/fuzz_syncfile tests/fuzz/fuzz_config tests/fuzz/fuzz_entries \
	tests/fuzz/fuzz_media tests/fuzz/fuzz_feed tests/fuzz/fuzz_tar tests/fuzz/fuzz_zip \
	tests/fuzz/fuzz_rebuild tests/fuzz/fuzz_versions tests/fuzz/fuzz_userconf
EXTRA_PROGRAMS += $(FUZZ_PROGS)
CLEANFILES += $(FUZZ_PROGS)
FUZZ_LINK = -fsanitize=fuzzer

tests_fuzz_fuzz_syncfile_SOURCES = tests/fuzz/fuzz_syncfile.c $(FUZZ_COMMON)
tests_fuzz_fuzz_syncfile_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_syncfile_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c $(FUZZ_COMMON)
tests_fuzz_fuzz_config_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_entries_SOURCES = tests/fuzz/fuzz_entries.c $(FUZZ_COMMON)
tests_fuzz_fuzz_entries_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_entries_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_media_SOURCES = tests/fuzz/fuzz_media.c $(FUZZ_COMMON)
tests_fuzz_fuzz_media_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_media_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_feed_SOURCES = tests/fuzz/fuzz_feed.c $(FUZZ_COMMON)
tests_fuzz_fuzz_feed_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_feed_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_tar_SOURCES = tests/fuzz/fuzz_tar.c $(FUZZ_COMMON)
tests_fuzz_fuzz_tar_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_tar_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_zip_SOURCES = tests/fuzz/fuzz_zip.c $(FUZZ_COMMON)
tests_fuzz_fuzz_zip_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_zip_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_rebuild_SOURCES = tests/fuzz/fuzz_rebuild.c $(FUZZ_COMMON)
tests_fuzz_fuzz_rebuild_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_rebuild_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_versions_SOURCES = tests/fuzz/fuzz_versions.c $(FUZZ_COMMON)
tests_fuzz_fuzz_versions_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_versions_LDFLAGS = $(FUZZ_LINK)

tests_fuzz_fuzz_userconf_SOURCES = tests/fuzz/fuzz_userconf.c $(FUZZ_COMMON)
tests_fuzz_fuzz_userconf_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_userconf_LDFLAGS = $(FUZZ_LINK)

if ENABLE_FUZZING
fuzz-targets: $(FUZZ_PROGS)
else
fuzz-targets:
	@echo "fuzz targets need: ./configure CC=clang --enable-fuzzing" >&2; exit 1
endif
.PHONY: fuzz-targets

# Limits on hostile input (tests/unit/test_hardening.c) and fault
# injection (tests/fault.sh: kill -9, ENOSPC/EIO, an input that changes).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_hardening
TESTS += tests/unit/test_hardening
tests_unit_test_hardening_SOURCES = tests/unit/test_hardening.c $(DAMAGE_UTIL) $(DBFIXTURE_UTIL) $(TEST_UTIL)
tests_unit_test_hardening_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_hardening_LDADD = $(TEST_LDADD)
endif
TESTS += tests/fault.sh
EXTRA_DIST += tests/fault.sh

# Shell tests that drive the real binary.
TESTS += tests/cli.sh tests/config.sh tests/man.sh tests/po.sh tests/i18n.sh tests/completion.sh tests/shape.sh
EXTRA_DIST += tests/lib.sh tests/cli.sh tests/config.sh tests/man.sh tests/po.sh tests/i18n.sh tests/completion.sh \
	tests/shape.sh contrib/shape \
	tests/run-all tests/fuzz/README tests/fuzz/corpus tests/fuzz/seed-corpus tests/fuzz/known-bugs \
	tests/cross/armhf.sh contrib/install-deps \
	tests/interop/package.json tests/interop/package-lock.json tests/interop/mapeo-sync.js \
	tests/interop/mapeo-accepts.sh tests/interop/parallel-proof.sh tests/interop/partial-download.js \
	HACKING.md COPYING

# The real fixtures the tests read (whole folder, including the data folder).
dist-hook:
	cp -pR $(srcdir)/tests/data $(distdir)/tests/
	chmod -R u+w $(distdir)/tests/data

# bashcompletiondir comes from configure (--with-bash-completion-dir).
if INSTALL_BASH_COMPLETION
dist_bashcompletion_DATA = contrib/bash-completion/syncdoctor
else
EXTRA_DIST += contrib/bash-completion/syncdoctor
endif
