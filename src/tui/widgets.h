/* widgets.h: what the curses front end is made of, shared between ui.c
 * (the terminal: start, keys, test script, screen dump, resize) and
 * widgets.c (the page view, dialogs, help, progress bar), plus the line
 * front end's entry points (lineui.c). Internal to src/tui.
 *
 * Keys: ui_getkey() returns a character as its code point, a curses key
 * as UI_K(KEY_...), UI_KEY_EOF or UI_KEY_INTR; escape sequences curses
 * does not know are read whole and dropped, never seen as Esc + text. Code points and curses key
 * codes overlap, hence the offset. */
#ifndef SD_UI_WIDGETS_H
#define SD_UI_WIDGETS_H

/* the wide-character curses API (cchar_t, get_wch) */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <limits.h>
#include <stdbool.h>

#include "ui.h"

#define UI_K(k)    ((k) + 0x110000)
#define UI_KEY_EOF (-1)
/* Ctrl-C (SIGINT, TERM or HUP) arrived: every widget leaves at once and
 * the wizard quits without asking; ui_getkey() keeps returning it. */
#define UI_KEY_INTR (-2)
#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24

/* Line drawing: UTF-8 strings, or ACS characters when acs is set (a
 * non-UTF-8 terminal), or plain ASCII (--ascii). */
typedef struct ui_glyphs {
	bool acs;
	const char *h, *v, *tl, *tr, *bl, *br; /* lines and corners */
	const char *bar_full, *bar_empty;      /* progress bar */
	const char *more_up, *more_down;       /* scroll marks */
	const char *sel;                       /* selection mark */
	const char *arrows;                    /* "↑↓" in the footer */
} ui_glyphs;

extern const ui_glyphs *ui_gl;
extern bool ui_color; /* decoration only: every meaning is in words */

/* ---- ui.c ---- */
int ui_getkey(void);
/* Give k back: the next ui_getkey() returns it (one key). A dialog over
 * the "too small" screen closes on l or q and gives the key back, so the
 * page below does what that screen says. */
void ui_ungetkey(int k);
/* True when the screen is below UI_MIN_COLS x UI_MIN_ROWS (then the
 * "too small" screen is shown instead of the page). */
bool ui_too_small(void);
void ui_draw_too_small(void);
/* Leave curses for the line front end for the rest of the session (the
 * person chose it on the "too small" screen). */
void ui_to_line_mode(void);
/* Progress polling under the test script: true when the next line is
 * "Cancel"; a "Wait" line dumps the screen for the "Dump" lines after it
 * (see ui.c). */
bool ui_script_progress(void);
bool ui_scripted(void);
void ui_hline(WINDOW *w, int y, int x, int n);
void ui_frame(WINDOW *w, int y, int x, int h, int width);
/* Write s (UTF-8) cut to at most n columns; returns columns written. */
int ui_put(WINDOW *w, int y, int x, const char *s, int n);

/* ---- widgets.c (curses) ---- */
ui_answer cw_show(const ui_page *p, bool confirm_quit);
bool cw_confirm(const char *question);
void cw_message(const char *title, const char *text);
void cw_progress_begin(const char *title);
bool cw_progress_update(const char *phase, uint64_t done, uint64_t total);
void cw_progress_end(void);
void cw_progress_whole(void);

/* ---- lineui.c ---- */
void line_open(void);
ui_answer line_show(const ui_page *p, bool confirm_quit);
bool line_confirm(const char *question);
void line_message(const char *title, const char *text);
void line_progress_begin(const char *title);
bool line_progress_update(const char *phase, uint64_t done, uint64_t total);
void line_progress_end(void);
int line_width(void);

#endif
