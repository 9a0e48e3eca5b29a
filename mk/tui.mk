# mk/tui.mk: the wizard (curses and line mode).
syncdoctor_SOURCES += src/tui/ui.c src/tui/ui.h src/tui/widgets.c src/tui/widgets.h \
	src/tui/lineui.c src/tui/log.c src/tui/log.h src/tui/wizard.c src/tui/wizard.h \
	src/tui/panel_welcome.c src/tui/panel_choose_file.c src/tui/panel_choose_config.c \
	src/tui/panel_configuration.c src/tui/panel_version.c src/tui/panel_corruption.c \
	src/tui/panel_summary.c src/tui/panel_database.c

# The wizard driven without a person: scripted keys and golden screens
# (tests/ui/), line mode with piped input, and a tmux smoke test.
TESTS += tests/ui-wizard.sh tests/ui-line.sh tests/ui-tmux.sh
# tests/ui: the key scripts, the golden screens and regen-golden.sh.
EXTRA_DIST += tests/ui-wizard.sh tests/ui-line.sh tests/ui-tmux.sh tests/ui
