/* ui.c: the terminal. Chooses curses or line mode, starts and ends curses,
 * reads keys (from the keyboard or, for tests, from a script), writes
 * screen dumps, and restores the terminal on fatal errors.
 *
 * Test hooks (hidden, for tests/ui-*.sh):
 *   SYNCDOCTOR_UI_SCRIPT=FILE  keys from FILE, one per line: a character,
 *       Enter, Esc, Backspace, Delete, Tab, Space, Up, Down, Left, Right, PgUp, PgDn,
 *       Home, End, F1..F12, Ctrl-A..Ctrl-Z (Ctrl-C raises a real SIGINT, there and
 *       while work runs), "Text STRING", "Resize COLSxROWS", Wait, Dump,
 *       Cancel, "# comment". Curses then draws to /dev/null at the size
 *       given by LINES and COLUMNS. While work runs with a progress bar,
 *       each progress update looks at the next script line: "Cancel"
 *       cancels the work (as the c key does); "Wait" lets it go on, and
 *       the "Dump" lines right after it dump the screen with the bar
 *       drawn. Elsewhere Wait and Cancel do nothing. The bar's clock is
 *       then virtual (one second per update), so its ETA is the same on
 *       every run.
 *   SYNCDOCTOR_UI_DUMP=FILE  append the screen as plain text to FILE at
 *       each Dump line (or after every key when the script has none).
 *   SYNCDOCTOR_UI_TTY=FILE  what curses sends to the terminal goes to FILE
 *       instead of /dev/null (tests count the bytes a key costs). */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "i18n.h"
#include "log.h"
#include "report.h"
#include "widgets.h"
/* tigetstr(); its macros for the terminfo capabilities clash with names here */
#include <term.h>
#undef lines
#undef columns

static const ui_glyphs glyphs_utf8 = {
    false, "─", "│", "┌", "┐", "└", "┘", "█", "░", "↑", "↓", "▶", "↑↓",
};
static const ui_glyphs glyphs_acs = {
    true, "-", "|", "+", "+", "+", "+", "#", ".", "^", "v", ">", "Up/Down",
};
static const ui_glyphs glyphs_ascii = {
    false, "-", "|", "+", "+", "+", "+", "#", ".", "^", "v", ">", "Up/Down",
};

const ui_glyphs *ui_gl = &glyphs_ascii;
bool ui_color;

static bool curses_on;
static SCREEN *scr;
static FILE *null_out;

/* The test script, read whole at the start. */
static char **script;
static size_t script_n, script_pos;
static bool script_has_dump;
static FILE *dump_fp;
static unsigned dump_count;
static bool key_since_dump;
static const char *pending; /* rest of a "Text" line being typed */

static void fatal_restore(void)
{
	if (curses_on) {
		endwin();
		curses_on = false;
	}
}

/* What a signal that ends the process sends to the terminal: attributes
 * off, cursor visible, keypad and alternate screen left; and the terminal
 * modes as they were before curses started. Prepared while curses starts,
 * used from the signal handler (sess_signal_restore), where only write()
 * and tcsetattr() may be called. */
static char sig_seq[512];
static size_t sig_seq_len;
static int sig_fd = -1;
static struct termios sig_tio;
static bool sig_have_tio;

static void signal_restore(void)
{
	if (sig_fd >= 0 && sig_seq_len) {
		ssize_t r = write(sig_fd, sig_seq, sig_seq_len);
		(void)r;
	}
	if (sig_have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &sig_tio);
}

static void sig_seq_add(const char *cap)
{
	char *v = tigetstr((char *)cap);
	if (!v || v == (char *)-1)
		return;
	size_t n = strlen(v);
	if (sig_seq_len + n < sizeof sig_seq) {
		memcpy(sig_seq + sig_seq_len, v, n);
		sig_seq_len += n;
	}
}

static void signal_restore_arm(int fd)
{
	sig_seq_len = 0;
	sig_seq_add("sgr0");
	sig_seq_add("cnorm");
	sig_seq_add("rmkx");
	sig_seq_add("rmcup");
	sig_fd = fd;
	sess_signal_restore = signal_restore;
}

static void signal_restore_disarm(void)
{
	sess_signal_restore = NULL;
	sig_fd = -1;
}

/* Keys terminals send that their terminfo entry may not name (PuTTY,
 * xterm, linux console, rxvt, vt100, under any TERM): taught to curses so
 * that End is End and not Esc, '[', '4', '~'. */
static void define_keys(void)
{
	static const struct {
		const char *seq;
		int key;
	} k[] = {
	    {"\033[1~", KEY_HOME},   {"\033[7~", KEY_HOME},   {"\033[H", KEY_HOME},
	    {"\033OH", KEY_HOME},    {"\033[4~", KEY_END},    {"\033[8~", KEY_END},
	    {"\033[F", KEY_END},     {"\033OF", KEY_END},     {"\033[5~", KEY_PPAGE},
	    {"\033[6~", KEY_NPAGE},  {"\033[2~", KEY_IC},     {"\033[3~", KEY_DC},
	    {"\033[A", KEY_UP},      {"\033[B", KEY_DOWN},    {"\033[C", KEY_RIGHT},
	    {"\033[D", KEY_LEFT},    {"\033OA", KEY_UP},      {"\033OB", KEY_DOWN},
	    {"\033OC", KEY_RIGHT},   {"\033OD", KEY_LEFT},    {"\033OP", KEY_F(1)},
	    {"\033OQ", KEY_F(2)},    {"\033OR", KEY_F(3)},    {"\033OS", KEY_F(4)},
	    {"\033[11~", KEY_F(1)},  {"\033[12~", KEY_F(2)},  {"\033[13~", KEY_F(3)},
	    {"\033[14~", KEY_F(4)},  {"\033[15~", KEY_F(5)},  {"\033[[A", KEY_F(1)},
	    {"\033[[B", KEY_F(2)},   {"\033[[C", KEY_F(3)},   {"\033[[D", KEY_F(4)},
	    {"\033[[E", KEY_F(5)},   {"\033[17~", KEY_F(6)},  {"\033[18~", KEY_F(7)},
	    {"\033[19~", KEY_F(8)},  {"\033[20~", KEY_F(9)},  {"\033[21~", KEY_F(10)},
	    {"\033[23~", KEY_F(11)}, {"\033[24~", KEY_F(12)},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (key_defined(k[i].seq) == 0)
			define_key(k[i].seq, k[i].key);
}

static void load_script(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0, n_cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		SD_GROW(script, n_cap, script_n + 1);
		script[script_n++] = xstrdup(line);
		if (strcmp(line, "Dump") == 0)
			script_has_dump = true;
	}
	free(line);
	fclose(f);
}

static bool utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static bool try_curses(const sess_options *g)
{
	const char *sp = getenv("SYNCDOCTOR_UI_SCRIPT");
	if (sp && *sp) {
		load_script(sp);
		const char *dp = getenv("SYNCDOCTOR_UI_DUMP");
		if (dp && *dp)
			dump_fp = fopen(dp, "w");
		const char *tp = getenv("SYNCDOCTOR_UI_TTY");
		null_out = fopen(tp && *tp ? tp : "/dev/null", "w");
		if (!null_out)
			return false;
		scr = newterm(NULL, null_out, stdin);
	} else {
		const char *term = getenv("TERM");
		if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO) || !term || !*term ||
		    strcmp(term, "dumb") == 0)
			return false;
		sig_have_tio = tcgetattr(STDIN_FILENO, &sig_tio) == 0;
		scr = newterm(NULL, stdout, stdin);
	}
	if (!scr)
		return false; /* unknown terminal: line mode */
	set_term(scr);
	curses_on = true;
	cbreak(); /* not raw(): Ctrl-C still interrupts */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	define_keys();
	/* Long enough for a key's bytes to arrive together over SSH, short
	 * enough that a lone Esc (Back) feels immediate; ESCDELAY wins. */
	if (!getenv("ESCDELAY"))
		set_escdelay(200);
	curs_set(0);
	signal_restore_arm(fileno(null_out ? null_out : stdout));
	if (g->ascii)
		ui_gl = &glyphs_ascii;
	else if (utf8_locale())
		ui_gl = &glyphs_utf8;
	else
		ui_gl = &glyphs_acs;
	ui_color = !g->no_color && has_colors();
	if (ui_color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_WHITE, COLOR_BLUE); /* title and footer bars */
		init_pair(2, COLOR_YELLOW, -1);        /* verdict words */
		init_pair(3, COLOR_WHITE, COLOR_BLUE); /* dialogs */
	}
	ui_log_printf("screen: %dx%d, colour %s, lines %s", COLS, LINES, ui_color ? "on" : "off",
	              ui_gl == &glyphs_utf8  ? "UTF-8"
	              : ui_gl == &glyphs_acs ? "ACS"
	                                     : "ASCII");
	return true;
}

void ui_open(const sess_options *g)
{
	sd_set_fatal_hook(fatal_restore);
	if (!try_curses(g))
		line_open();
}

void ui_close(void)
{
	signal_restore_disarm();
	if (curses_on) {
		endwin();
		curses_on = false;
	}
	if (scr)
		delscreen(scr);
	scr = NULL;
	if (null_out)
		fclose(null_out);
	null_out = NULL;
	if (dump_fp)
		fclose(dump_fp);
	dump_fp = NULL;
	for (size_t i = 0; i < script_n; i++)
		free(script[i]);
	free(script);
	script = NULL;
	script_n = script_pos = 0;
}

void ui_to_line_mode(void)
{
	if (!curses_on)
		return;
	signal_restore_disarm();
	endwin();
	curses_on = false;
	ui_log_printf("front end: line mode (the terminal was too small)");
	line_open();
}

bool ui_is_curses(void) { return curses_on; }
bool ui_scripted(void) { return script != NULL; }

int ui_text_width(void)
{
	if (!curses_on)
		return line_width();
	int w = COLS - 4;
	return w < 40 ? 40 : w;
}

/* ---- drawing helpers ---- */

int ui_put(WINDOW *w, int y, int x, const char *s, int n)
{
	int col = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wmove(w, y, x);
	while (*s && col < n) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, strlen(s), &st);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&st, 0, sizeof st);
			waddch(w, '?');
			s++;
			col++;
			continue;
		}
		int cw = wcwidth(wc);
		if (cw < 0) {
			/* control characters never reach the terminal */
			wc = L'?';
			cw = 1;
		}
		if (col + cw > n)
			break;
		waddnwstr(w, &wc, 1);
		col += cw;
		s += k;
	}
	return col;
}

void ui_hline(WINDOW *w, int y, int x, int n)
{
	if (ui_gl->acs) {
		mvwhline(w, y, x, ACS_HLINE, n);
		return;
	}
	wmove(w, y, x);
	for (int i = 0; i < n; i++)
		waddstr(w, ui_gl->h);
}

void ui_frame(WINDOW *w, int y, int x, int h, int width)
{
	if (ui_gl->acs) {
		mvwaddch(w, y, x, ACS_ULCORNER);
		mvwhline(w, y, x + 1, ACS_HLINE, width - 2);
		mvwaddch(w, y, x + width - 1, ACS_URCORNER);
		mvwvline(w, y + 1, x, ACS_VLINE, h - 2);
		mvwvline(w, y + 1, x + width - 1, ACS_VLINE, h - 2);
		mvwaddch(w, y + h - 1, x, ACS_LLCORNER);
		mvwhline(w, y + h - 1, x + 1, ACS_HLINE, width - 2);
		mvwaddch(w, y + h - 1, x + width - 1, ACS_LRCORNER);
		return;
	}
	mvwaddstr(w, y, x, ui_gl->tl);
	ui_hline(w, y, x + 1, width - 2);
	waddstr(w, ui_gl->tr);
	for (int i = 1; i < h - 1; i++) {
		mvwaddstr(w, y + i, x, ui_gl->v);
		mvwaddstr(w, y + i, x + width - 1, ui_gl->v);
	}
	mvwaddstr(w, y + h - 1, x, ui_gl->bl);
	ui_hline(w, y + h - 1, x + 1, width - 2);
	waddstr(w, ui_gl->br);
}

bool ui_too_small(void) { return COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS; }

void ui_draw_too_small(void)
{
	erase();
	char *msg = xasprintf(_("The terminal is too small: syncdoctor needs %dx%d, this one is "
	                        "%dx%d. Make the window bigger, press l to go on in plain line "
	                        "mode (questions and answers), or press q to quit."),
	                      UI_MIN_COLS, UI_MIN_ROWS, COLS, LINES);
	int row = 0;
	/* Wrap by hand: nothing else fits when the screen is this small. */
	const char *s = msg;
	int w = COLS > 2 ? COLS - 1 : 1;
	while (*s && row < LINES) {
		size_t len = strlen(s);
		size_t cut = len;
		if (ui_str_width(s, len) > w) {
			cut = 0;
			for (size_t i = 0; i < len && ui_str_width(s, i) <= w; i++)
				if (s[i] == ' ')
					cut = i;
			if (cut == 0)
				cut = (size_t)w;
		}
		char *part = xstrndup(s, cut);
		ui_put(stdscr, row++, 0, part, w);
		free(part);
		s += cut;
		while (*s == ' ')
			s++;
	}
	free(msg);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- the screen dump ---- */

/* ACS characters as the plain ones a golden file can hold. */
static char acs_plain(wchar_t c)
{
	switch (c) {
	case 'q': return '-';
	case 'x': return '|';
	case 'a':
	case '0': return '#';
	case '~': return '.';
	default: return '+';
	}
}

static void dump_screen(void)
{
	if (!dump_fp)
		return;
	fprintf(dump_fp, "==== screen %u (%dx%d) ====\n", ++dump_count, COLS, LINES);
	for (int y = 0; y < LINES; y++) {
		char row[4096];
		size_t n = 0, keep = 0;
		mbstate_t st;
		memset(&st, 0, sizeof st);
		for (int x = 0; x < COLS && n + MB_LEN_MAX + 1 < sizeof row; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1] = {0};
			attr_t at;
			short pair;
			if (mvwin_wch(curscr, y, x, &cc) == ERR ||
			    getcchar(&cc, wch, &at, &pair, NULL) == ERR)
				wch[0] = L' ';
			if (wch[0] == 0)
				continue; /* right half of a wide character */
			if (at & A_ALTCHARSET) {
				row[n++] = acs_plain(wch[0]);
			} else {
				size_t k = wcrtomb(row + n, wch[0], &st);
				if (k == (size_t)-1) {
					row[n++] = '?';
					memset(&st, 0, sizeof st);
				} else {
					n += k;
				}
			}
			if (row[n - 1] != ' ')
				keep = n;
		}
		fwrite(row, 1, keep, dump_fp);
		fputc('\n', dump_fp);
	}
	fflush(dump_fp);
}

/* ---- keys ---- */

static const struct {
	const char *name;
	int key;
} key_names[] = {
    {"Enter", '\r'},
    {"Esc", 27},
    {"Backspace", UI_K(KEY_BACKSPACE)},
    {"Tab", '\t'},
    {"Space", ' '},
    {"Up", UI_K(KEY_UP)},
    {"Down", UI_K(KEY_DOWN)},
    {"Left", UI_K(KEY_LEFT)},
    {"Right", UI_K(KEY_RIGHT)},
    {"PgUp", UI_K(KEY_PPAGE)},
    {"PgDn", UI_K(KEY_NPAGE)},
    {"Home", UI_K(KEY_HOME)},
    {"End", UI_K(KEY_END)},
    {"Delete", UI_K(KEY_DC)},
};

static int script_key(void)
{
	for (;;) {
		if (pending && *pending) {
			wchar_t wc;
			mbstate_t st;
			memset(&st, 0, sizeof st);
			size_t k = mbrtowc(&wc, pending, strlen(pending), &st);
			if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
				pending++;
				return '?';
			}
			pending += k;
			return (int)wc;
		}
		pending = NULL;
		if (key_since_dump && !script_has_dump) {
			dump_screen();
			key_since_dump = false;
		}
		if (script_pos >= script_n)
			return UI_KEY_EOF;
		const char *l = script[script_pos++];
		if (strcmp(l, "Dump") == 0) {
			dump_screen();
			continue;
		}
		if (strcmp(l, "Wait") == 0 || strcmp(l, "Cancel") == 0)
			continue; /* only meaningful while work runs (ui_script_progress) */
		key_since_dump = true;
		if (strncmp(l, "Text ", 5) == 0) {
			pending = l + 5;
			continue;
		}
		int cols, rows;
		if (sscanf(l, "Resize %dx%d", &cols, &rows) == 2) {
			resizeterm(rows, cols);
			return UI_K(KEY_RESIZE);
		}
		for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
			if (strcmp(l, key_names[i].name) == 0)
				return key_names[i].key;
		if (strcmp(l, "Ctrl-C") == 0) {
			/* the real thing: the terminal turns Ctrl-C into SIGINT */
			raise(SIGINT);
			return sess_interrupted ? UI_KEY_INTR : 3;
		}
		if (strncmp(l, "Ctrl-", 5) == 0 && l[5] >= 'A' && l[5] <= 'Z' && !l[6])
			return l[5] - 'A' + 1;
		int fn;
		if (l[0] == 'F' && sscanf(l + 1, "%d", &fn) == 1 && fn >= 1 && fn <= 12)
			return UI_K(KEY_F(fn));
		wchar_t wc;
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t k = mbrtowc(&wc, l, strlen(l), &st);
		if (k != (size_t)-1 && k != (size_t)-2 && k > 0)
			return (int)wc;
	}
}

bool ui_script_progress(void)
{
	if (script_pos >= script_n)
		return false;
	if (strcmp(script[script_pos], "Cancel") == 0) {
		script_pos++;
		return true;
	}
	if (strcmp(script[script_pos], "Ctrl-C") == 0) {
		script_pos++;
		raise(SIGINT);
		return true;
	}
	if (strcmp(script[script_pos], "Wait") == 0) {
		script_pos++;
		while (script_pos < script_n && strcmp(script[script_pos], "Dump") == 0) {
			script_pos++;
			dump_screen();
		}
	}
	return false;
}

/* After an Esc: the rest of an escape sequence curses did not know, read
 * with a short wait (its bytes may arrive apart over a slow link). Returns
 * true when one was read (and dropped); false for a lone Esc. */
static bool skip_unknown_sequence(void)
{
	wint_t wc;
	wtimeout(stdscr, 50);
	int r = get_wch(&wc);
	bool seq = false;
	if (r == OK && (wc == '[' || wc == 'O')) {
		seq = true;
		bool csi = wc == '[';
		/* CSI: parameters and intermediates (0x20-0x3F) up to a final
		 * byte (0x40-0x7E); SS3: one more character */
		for (int n = 0; n < 32; n++) {
			if (get_wch(&wc) != OK)
				break;
			if (!csi || (wc >= 0x40 && wc <= 0x7E && !(n == 0 && wc == '[')))
				break;
		}
	} else if (r == OK) {
		unget_wch((wchar_t)wc); /* Esc, then a key typed quickly: both count */
	} else if (r == KEY_CODE_YES) {
		ungetch((int)wc);
	}
	wtimeout(stdscr, -1);
	return seq;
}

/* One key given back (ui_ungetkey()), read before any other. */
static int pushed_key = -1;

void ui_ungetkey(int k) { pushed_key = k; }

int ui_getkey(void)
{
	doupdate();
	if (sess_interrupted)
		return UI_KEY_INTR;
	if (pushed_key >= 0) {
		int k = pushed_key;
		pushed_key = -1;
		return k;
	}
	if (script)
		return script_key();
	for (;;) {
		if (sess_interrupted)
			return UI_KEY_INTR;
		wint_t wc;
		int r = get_wch(&wc);
		if (r == KEY_CODE_YES)
			return UI_K((int)wc);
		if (r == OK && wc == 27 && skip_unknown_sequence())
			continue;
		if (r == OK)
			return wc == 4 ? UI_KEY_EOF : (int)wc; /* Ctrl-D */
		if (sess_interrupted)
			return UI_KEY_INTR;
		if (feof(stdin) || !isatty(STDIN_FILENO))
			return UI_KEY_EOF;
	}
}

/* ---- the front end, whichever it is ---- */

ui_answer ui_show(const ui_page *p, bool confirm_quit)
{
	return curses_on ? cw_show(p, confirm_quit) : line_show(p, confirm_quit);
}

bool ui_confirm(const char *question)
{
	/* questions and messages quote names (typed, completed, from files):
	 * escaped here for both front ends and the session log */
	char *q = report_escape(question);
	bool yes = curses_on ? cw_confirm(q) : line_confirm(q);
	free(q);
	return yes;
}

void ui_message(const char *title, const char *text)
{
	char *t = report_escape(text);
	if (curses_on)
		cw_message(title, t);
	else
		line_message(title, t);
	free(t);
}

void ui_progress_begin(const char *title)
{
	if (curses_on)
		cw_progress_begin(title);
	else
		line_progress_begin(title);
}

bool ui_progress_update(const char *phase, uint64_t done, uint64_t total)
{
	return curses_on ? cw_progress_update(phase, done, total)
	                 : line_progress_update(phase, done, total);
}

void ui_progress_whole(void)
{
	if (curses_on)
		cw_progress_whole();
}

void ui_progress_end(void)
{
	if (curses_on)
		cw_progress_end();
	else
		line_progress_end();
}
