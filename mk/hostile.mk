# mk/hostile.mk: hostile input (tests/hostile.sh): the project's own
# generator of hostile tar, ZIP, JSON, YAML, feed and config.yaml inputs,
# every run bounded in time and memory, and the table of figures it writes.
check_PROGRAMS += tests/hostile/mkhostile
tests_hostile_mkhostile_SOURCES = tests/hostile/mkhostile.c
tests_hostile_mkhostile_LDADD = libsdcore.a $(DEP_LIBS)
TESTS += tests/hostile.sh
EXTRA_DIST += tests/hostile.sh tests/hostile-figures.md bench/hostile-scaling.sh
CLEANFILES += tests/hostile-figures.md.new
# How diff and rebuild grow with their input (run by hand).
bench-scaling: tests/hostile/mkhostile bench/gen-syncfile syncdoctor
	$(SHELL) $(srcdir)/bench/hostile-scaling.sh $(abs_builddir)/tests/hostile/mkhostile \
		$(abs_builddir)/bench/gen-syncfile $(abs_builddir)/syncdoctor
.PHONY: bench-scaling

# The figures table of tests/hostile.sh, written again into the source tree.
hostile-figures:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS=tests/hostile.sh SD_HOSTILE_UPDATE_FIGURES=1
.PHONY: hostile-figures
