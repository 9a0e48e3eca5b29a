# mk/package.mk: what the packages need from the build (debian/,
# contrib/build-debs, tests/debs.sh).

# --version names the commit (configure.ac): the release tarball records it,
# so a build from the tarball or a Debian source package knows it too.
dist-hook: dist-source-commit
dist-source-commit:
	if test -n '$(SD_COMMIT)'; then echo '$(SD_COMMIT)' >'$(distdir)/.source-commit'; fi
.PHONY: dist-source-commit

# An uninstalled program finds the version table relative to itself
# (src/core/exedir.h), never through a compiled-in build path: an
# out-of-tree build folder gets a link to the source tree's table.
all-local: data-link
data-link:
	@if test ! -e data/mapeo-versions.yaml; then \
		$(MKDIR_P) data && ln -s '$(abs_top_srcdir)/data/mapeo-versions.yaml' data/mapeo-versions.yaml; \
	fi
distclean-local: data-unlink
data-unlink:
	@if test -L data/mapeo-versions.yaml; then \
		rm -f data/mapeo-versions.yaml; rmdir data 2>/dev/null || :; \
	fi
.PHONY: data-link data-unlink

EXTRA_DIST += tests/cross/qemu.sh tests/debs.sh contrib/build-debs bench/startup.sh
