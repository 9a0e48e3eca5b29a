# mk/rebuild.mk: the sync file writer and 'syncdoctor rebuild'.
syncdoctor_SOURCES += src/cli/cmd_rebuild.c
