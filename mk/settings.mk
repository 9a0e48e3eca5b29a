# mk/settings.mk: configurations (.mapeosettings), their diff, 'match' and 'diff'.
libsdcore_a_SOURCES += src/core/keys.c src/core/keys.h src/core/zip.c src/core/zip.h \
	src/core/settings.c src/core/settings.h
syncdoctor_SOURCES += src/cli/cmd_match.c src/cli/cmd_diff.c
