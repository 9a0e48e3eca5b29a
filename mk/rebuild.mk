# mk/rebuild.mk: the sync file writer and 'syncdoctor rebuild'.
libsdcore_a_SOURCES += src/core/sfwrite.c src/core/sfwrite.h src/core/feedwrite.c src/core/feedwrite.h
syncdoctor_SOURCES += src/cli/cmd_rebuild.c

# The benchmark (run by hand: make bench).
EXTRA_PROGRAMS += bench/gen-syncfile
bench_gen_syncfile_SOURCES = bench/gen-syncfile.c
bench_gen_syncfile_LDADD = libsdcore.a $(DEP_LIBS)
CLEANFILES += bench/gen-syncfile
EXTRA_DIST += bench/run.sh bench/RESULTS.md bench/README
bench: bench/gen-syncfile syncdoctor
	$(SHELL) $(srcdir)/bench/run.sh $(abs_builddir)/bench/gen-syncfile $(abs_builddir)/syncdoctor
.PHONY: bench
