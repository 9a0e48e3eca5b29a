# mk/rebuild.mk: the sync file writer and 'syncdoctor rebuild'.
syncdoctor_SOURCES += src/cli/cmd_rebuild.c

# The benchmark (run by hand: make bench). Its generator is built by make
# check too: tests/yaml.sh makes a file of many observations with it.
check_PROGRAMS += bench/gen-syncfile
bench_gen_syncfile_SOURCES = bench/gen-syncfile.c
CLEANFILES += bench/gen-syncfile
# how long libsodium takes to hash the bench's file in memory: the floor of
# a check that takes the journal's fingerprint
check_PROGRAMS += bench/hash-floor
bench_hash_floor_SOURCES = bench/hash-floor.c
CLEANFILES += bench/hash-floor
EXTRA_DIST += bench/run.sh bench/RESULTS.md bench/README bench/rebuild-scaling.sh bench/REBUILD-SCALING.md \
	bench/same-output.sh
bench: bench/gen-syncfile bench/hash-floor tests/unit/mkdamage syncdoctor
	BENCH_MKDAMAGE=$(abs_builddir)/tests/unit/mkdamage \
	$(SHELL) $(srcdir)/bench/run.sh $(abs_builddir)/bench/gen-syncfile $(abs_builddir)/syncdoctor $(BENCH_PARTS)
.PHONY: bench

if HAVE_CHECK
check_PROGRAMS += tests/unit/mkdamage
tests_unit_mkdamage_SOURCES = tests/unit/mkdamage.c $(DAMAGE_UTIL) $(TEST_UTIL)
tests_unit_mkdamage_CFLAGS = $(TEST_CFLAGS) -DDMG_STANDALONE
tests_unit_mkdamage_LDADD = $(TEST_LDADD)
endif
TESTS += tests/rebuild.sh tests/feed-damage.sh tests/damage-sweep.sh tests/damage-combos.sh tests/inner-cuts.sh
EXTRA_DIST += tests/rebuild.sh tests/feed-damage.sh tests/damage-sweep.sh tests/damage-combos.sh tests/inner-cuts.sh \
	tests/damage-lib.sh
