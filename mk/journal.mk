# mk/journal.mk: case journal, YAML configuration, support bundles.
syncdoctor_SOURCES += src/cli/cmd_history.c src/cli/cmd_report.c
