/* ui.h: the wizard's pages and the two front ends that show them.
 *
 * A panel (panel_*.c) never draws: it fills a ui_page (a title, paragraphs,
 * numbered choices, the help for its step) and hands it to the front end,
 * which shows it and says what the person did. The curses front end
 * (ui.c + widgets.c) draws it in boxes with a scrollable body; the line
 * front end (lineui.c) prints it as numbered plain text and reads answers
 * from standard input. Both therefore walk exactly the same steps.
 *
 * Ownership: a ui_page owns every string added to it (page_free()). A
 * ui_answer's text is owned by the caller (free it). The front end is a
 * process-wide singleton: ui_open() picks one, ui_close() ends it. */
#ifndef SD_UI_H
#define SD_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "xalloc.h"

typedef enum ui_style {
	UI_TEXT, /* a paragraph, wrapped to the width */
	UI_BIG,  /* a verdict in big plain words ("MISMATCH") */
	UI_HEAD, /* a heading inside the page */
	UI_PRE,  /* preformatted (diffs, plans): cut, never wrapped */
} ui_style;

typedef struct ui_line {
	ui_style style;
	int indent;
	char *text;
} ui_line;

typedef struct ui_choice {
	char *label;
	char *prompt; /* non-NULL: picking it asks for a line of text */
	char *preset; /* text the field starts with, may be NULL */
} ui_choice;

typedef struct ui_page {
	int step, nsteps; /* "Step N of M" */
	char *title;
	ui_line *lines;
	size_t n_lines, cap_lines;
	ui_choice *choices;
	size_t n_choices, cap_choices;
	int selected;     /* choice Enter picks; -1: Enter means "next" */
	const char *help; /* translated help text for this step */
	bool can_back;
	/* laid out for ui_text_width() (a side-by-side diff): after a resize
	 * that changes it, ui_show() returns ACT_RESIZE and the panel makes
	 * the page again */
	bool relayout;
} ui_page;

void page_init(ui_page *p, int step, int nsteps, const char *title);
void page_free(ui_page *p);
void page_add(ui_page *p, ui_style st, int indent, const char *fmt, ...) SD_PRINTF(4, 5);
/* A blank line. */
void page_gap(ui_page *p);
/* Add every line of a multi-line text as UI_PRE. */
void page_add_pre(ui_page *p, int indent, const char *text);
/* Add every line of a multi-line text as a paragraph, its leading spaces
 * kept as indentation (wrapped, unlike UI_PRE). */
void page_add_block(ui_page *p, int indent, const char *text);
/* Add a numbered choice; returns its index (0-based; shown as index+1). */
int page_choice(ui_page *p, const char *label);
/* A choice that asks for a line of text (a path). */
int page_choice_text(ui_page *p, const char *label, const char *prompt, const char *preset);

typedef enum ui_act {
	ACT_NEXT, /* Enter/n without a choice */
	ACT_BACK,
	ACT_QUIT,   /* q, confirmed when asked to */
	ACT_PICK,   /* choice picked (digit, or Enter on the selection) */
	ACT_EOF,    /* end of input: quit without asking */
	ACT_RESIZE, /* only for pages with relayout: make the page again */
} ui_act;

typedef struct ui_answer {
	ui_act act;
	int choice; /* ACT_PICK */
	char *text; /* ACT_PICK of a text choice: what was typed (caller frees) */
} ui_answer;

/* Open the front end: curses when the terminal can show it (or the test
 * script hook SYNCDOCTOR_UI_SCRIPT is set), else line mode. */
void ui_open(const sess_options *g);
void ui_close(void);
bool ui_is_curses(void);
/* Show p until the person answers. confirm_quit: ask before quitting. */
ui_answer ui_show(const ui_page *p, bool confirm_quit);
/* Ask a yes/no question (default no). End of input counts as no. */
bool ui_confirm(const char *question);
/* Show a message until a key (curses) or print it (line mode). */
void ui_message(const char *title, const char *text);

/* Long work: begin, update (returns true when the person asked to
 * cancel), end. */
void ui_progress_begin(const char *title);
bool ui_progress_update(const char *phase, uint64_t done, uint64_t total);
void ui_progress_end(void);
/* Between begin and end: the updates measure the whole work, whatever
 * their phase, so the time left is the whole work's (a change of phase
 * does not start the bar again). */
void ui_progress_whole(void);

/* Width the text of pages is laid out at (for core renderers). */
int ui_text_width(void);

/* Shared by both front ends (widgets.c). Wrap text to width columns;
 * calls fn for each line (not NUL-terminated: len bytes). */
void ui_wrap(const char *text, int width, void (*fn)(void *ud, const char *s, size_t len),
             void *ud);
/* Columns a wrapped line's continuation rows are indented by ("1. " lists). */
int ui_hang(const char *text);
/* Display columns of a UTF-8 string (invalid bytes count 1). */
int ui_str_width(const char *s, size_t len);

/* The wizard (wizard.c), started by main() when the command line names no
 * command; file may be NULL (then it asks). Returns the exit status. */
int ui_wizard_main(const char *file, sess_options *g);

#endif
