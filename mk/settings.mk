# mk/settings.mk: configurations (.mapeosettings), their diff, 'match' and 'diff'.
syncdoctor_SOURCES += src/cli/cmd_match.c src/cli/cmd_diff.c
