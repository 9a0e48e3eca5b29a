# mk/tui.mk: the wizard (curses and line mode).
syncdoctor_SOURCES += src/tui/wizard.c
