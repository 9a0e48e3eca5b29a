# mk/env.mk: Mapeo on this computer, the version table, 'syncdoctor env'.
syncdoctor_SOURCES += src/cli/cmd_env.c
