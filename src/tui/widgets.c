/* widgets.c: the page model, text wrapping, and the curses widgets: the
 * page view (title bar, scrollable body with numbered choices, footer),
 * dialogs (yes/no, message, text field), the help window and the
 * progress bar.
 *
 * Redrawing: everything is drawn into stdscr and pushed with wnoutrefresh
 * and doupdate, so curses sends only the cells that changed; nothing ever
 * calls clear() (a full repaint) except on a resize. That keeps a key press
 * to a few bytes on a 9600-baud serial or SSH link. */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <wchar.h>

#include "i18n.h"
#include "log.h"
#include "report.h"
#include "session.h"
#include "strbuf.h"
#include "widgets.h"

/* ---- the page model ---- */

void page_init(ui_page *p, int step, int nsteps, const char *title)
{
	memset(p, 0, sizeof *p);
	p->step = step;
	p->nsteps = nsteps;
	p->title = xstrdup(title);
	p->selected = -1;
	p->can_back = true;
}

void page_free(ui_page *p)
{
	for (size_t i = 0; i < p->n_lines; i++)
		free(p->lines[i].text);
	for (size_t i = 0; i < p->n_choices; i++) {
		free(p->choices[i].label);
		free(p->choices[i].prompt);
		free(p->choices[i].preset);
	}
	free(p->lines);
	free(p->choices);
	free(p->title);
	memset(p, 0, sizeof *p);
}

/* Every line of a page, escaped here, once: a finding's message quotes
 * names from the file as they are, and a newline or an escape sequence in
 * one must neither reach the terminal (line mode prints the page as it
 * is) nor make a line of its own on screen or in the session log. */
static void add_line(ui_page *p, ui_style st, int indent, char *text)
{
	char *e = report_escape(text);
	free(text);
	SD_GROW(p->lines, p->cap_lines, p->n_lines + 1);
	p->lines[p->n_lines++] = (ui_line){st, indent, e};
}

void page_add(ui_page *p, ui_style st, int indent, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_line(p, st, indent, xvasprintf(fmt, ap));
	va_end(ap);
}

void page_gap(ui_page *p) { add_line(p, UI_TEXT, 0, xstrdup("")); }

void page_add_pre(ui_page *p, int indent, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		add_line(p, UI_PRE, indent, xstrndup(text, n));
		text += n;
		if (*text == '\n')
			text++;
	}
}

void page_add_block(ui_page *p, int indent, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		size_t sp = 0;
		while (sp < n && text[sp] == ' ')
			sp++;
		add_line(p, UI_TEXT, indent + (int)sp, xstrndup(text + sp, n - sp));
		text += n;
		if (*text == '\n')
			text++;
	}
}

int page_choice_text(ui_page *p, const char *label, const char *prompt, const char *preset)
{
	SD_GROW(p->choices, p->cap_choices, p->n_choices + 1);
	p->choices[p->n_choices] =
	    (ui_choice){xstrdup(label), xstrdup_or_null(prompt), xstrdup_or_null(preset)};
	return (int)p->n_choices++;
}

int page_choice(ui_page *p, const char *label) { return page_choice_text(p, label, NULL, NULL); }

/* ---- text width and wrapping (both front ends) ---- */

int ui_str_width(const char *s, size_t len)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int w = 0;
	size_t i = 0;
	while (i < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, len - i, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof st);
			w++;
			i++;
			continue;
		}
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : cw;
		i += k;
	}
	return w;
}

/* Bytes of s (len bytes) that fit in width columns, on a character boundary. */
static size_t fit_bytes(const char *s, size_t len, int width)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int w = 0;
	size_t i = 0;
	while (i < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, len - i, &st);
		int cw = 1;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof st);
			k = 1;
		} else {
			cw = wcwidth(wc) < 0 ? 1 : wcwidth(wc);
		}
		if (w + cw > width)
			break;
		w += cw;
		i += k;
	}
	return i ? i : (len ? 1 : 0);
}

void ui_wrap(const char *text, int width, void (*fn)(void *ud, const char *s, size_t len), void *ud)
{
	if (width < 10)
		width = 10;
	do {
		size_t para = strcspn(text, "\n");
		const char *s = text;
		size_t left = para;
		if (left == 0)
			fn(ud, s, 0);
		while (left > 0) {
			if (ui_str_width(s, left) <= width) {
				fn(ud, s, left);
				break;
			}
			size_t fit = fit_bytes(s, left, width);
			size_t cut = fit;
			/* break at the last space that fits, else mid-word */
			if (s[fit] != ' ') {
				while (cut > 0 && s[cut - 1] != ' ')
					cut--;
				if (cut == 0)
					cut = fit;
			}
			size_t out = cut;
			while (out > 0 && s[out - 1] == ' ')
				out--;
			fn(ud, s, out);
			s += cut;
			left -= cut;
			while (left > 0 && *s == ' ') {
				s++;
				left--;
			}
		}
		text += para;
	} while (*text++ == '\n');
}

int ui_hang(const char *text)
{
	/* "1. text" and "- text" wrap under the text, not under the mark */
	size_t i = 0;
	while (text[i] >= '0' && text[i] <= '9')
		i++;
	if (i > 0 && i < 4 && text[i] == '.' && text[i + 1] == ' ')
		return (int)i + 2;
	/* "- " lists, and "+ "/"~ " lines of a configuration diff */
	if ((text[0] == '-' || text[0] == '+' || text[0] == '~') && text[1] == ' ')
		return 2;
	return 0;
}

/* ---- the page view ---- */

typedef enum vkind { V_TEXT, V_BIG, V_HEAD, V_PRE, V_CHOICE } vkind;

typedef struct vrow {
	char *text;
	vkind kind;
	int indent;
	int choice; /* -1: not part of a choice */
	bool first; /* first row of its line or choice */
} vrow;

typedef struct view {
	vrow *v;
	size_t n, cap;
	/* while wrapping */
	vkind kind;
	int indent, choice, hang;
	bool first;
	const char *number;
} view;

static void view_push(void *ud, const char *s, size_t len)
{
	view *vw = ud;
	SD_GROW(vw->v, vw->cap, vw->n + 1);
	char *t;
	if (vw->kind == V_CHOICE)
		t = vw->first ? xasprintf("%4s %.*s", vw->number, (int)len, s)
		              : xasprintf("     %.*s", (int)len, s);
	else
		t = xstrndup(s, len);
	int indent = vw->indent + (vw->first ? 0 : vw->hang);
	vw->v[vw->n++] = (vrow){t, vw->kind, indent, vw->choice, vw->first};
	vw->first = false;
}

static void view_free(view *vw)
{
	for (size_t i = 0; i < vw->n; i++)
		free(vw->v[i].text);
	free(vw->v);
	memset(vw, 0, sizeof *vw);
}

static void view_layout(view *vw, const ui_page *p, int width)
{
	view_free(vw);
	for (size_t i = 0; i < p->n_lines; i++) {
		const ui_line *l = &p->lines[i];
		static const vkind kinds[] = {V_TEXT, V_BIG, V_HEAD, V_PRE};
		vw->kind = kinds[l->style];
		vw->indent = l->indent;
		vw->choice = -1;
		vw->first = true;
		vw->hang = 0;
		if (l->style == UI_PRE) {
			view_push(vw, l->text, strlen(l->text));
		} else {
			/* wrap at the narrower continuation width; the first row then
			 * has room to spare, which is harmless */
			vw->hang = ui_hang(l->text);
			ui_wrap(l->text, width - l->indent - vw->hang, view_push, vw);
		}
	}
	if (p->n_choices && p->n_lines) {
		vw->kind = V_TEXT;
		vw->indent = 0;
		vw->choice = -1;
		vw->hang = 0;
		view_push(vw, "", 0);
	}
	for (size_t i = 0; i < p->n_choices; i++) {
		char num[32];
		snprintf(num, sizeof num, "%zu)", i + 1);
		vw->kind = V_CHOICE;
		vw->indent = 0;
		vw->choice = (int)i;
		vw->first = true;
		vw->hang = 0;
		vw->number = num;
		ui_wrap(p->choices[i].label, width - 6, view_push, vw);
	}
}

static int body_top(void) { return 3; }
static int body_rows(void) { return LINES - 6; }
static int text_cols(void) { return COLS - 4; }

static attr_t bar_attr(void) { return ui_color ? COLOR_PAIR(1) | A_BOLD : A_REVERSE; }

static void draw_bar(int y, const char *left, const char *right)
{
	wattrset(stdscr, bar_attr());
	mvwhline(stdscr, y, 0, ' ', COLS);
	ui_put(stdscr, y, 1, left, COLS - 2);
	if (right) {
		int w = ui_str_width(right, strlen(right));
		if (w < COLS - 2)
			ui_put(stdscr, y, COLS - 1 - w, right, w);
	}
	wattrset(stdscr, A_NORMAL);
}

static void draw_header(const ui_page *p)
{
	char *step = xasprintf(_("Step %d of %d"), p->step, p->nsteps);
	draw_bar(0, "syncdoctor " PACKAGE_VERSION, step);
	free(step);
	wmove(stdscr, 1, 0);
	wclrtoeol(stdscr);
	wattrset(stdscr, A_BOLD);
	ui_put(stdscr, 1, 2, p->title, COLS - 4);
	wattrset(stdscr, A_NORMAL);
	ui_hline(stdscr, 2, 0, COLS);
}

static void draw_footer(const ui_page *p)
{
	/* Every F-key has a letter; the footer names the letters first. When
	 * the keys do not fit (ASCII arrows, a longer language), the scroll
	 * keys are said shorter, then left out, then "back": the help (?)
	 * names them all. Next, quit, help and the numbers always stay. */
	enum { K_NEXT, K_BACK, K_QUIT, K_HELP, K_SCROLL, K_CHOOSE, K_N };
	char *k[K_N] = {0};
	k[K_NEXT] = xstrdup(_("Enter/n Next"));
	if (p->can_back)
		k[K_BACK] = xstrdup(_("b/Esc Back"));
	k[K_QUIT] = xstrdup(_("q Quit"));
	k[K_HELP] = xstrdup(_("?/h/F1 Help"));
	k[K_SCROLL] = xasprintf(_("%s PgUp/PgDn Scroll"), ui_gl->arrows);
	if (p->n_choices == 1)
		k[K_CHOOSE] = xstrdup(_("1 Choose"));
	else if (p->n_choices)
		k[K_CHOOSE] = xasprintf(_("1-%zu Choose"), p->n_choices);
	strbuf f = SB_INIT;
	for (int pass = 0;; pass++) {
		sb_reset(&f);
		for (int i = 0; i < K_N; i++) {
			if (!k[i])
				continue;
			if (f.len)
				sb_add(&f, "  ");
			sb_add(&f, k[i]);
		}
		if (ui_str_width(sb_str(&f), f.len) <= COLS - 2 || pass >= 3)
			break;
		if (pass == 0) {
			free(k[K_SCROLL]);
			k[K_SCROLL] = xstrdup(_("PgUp/PgDn Scroll"));
		} else if (pass == 1) {
			free(k[K_SCROLL]);
			k[K_SCROLL] = NULL;
		} else {
			free(k[K_BACK]);
			k[K_BACK] = NULL;
		}
	}
	draw_bar(LINES - 1, sb_str(&f), NULL);
	sb_free(&f);
	for (int i = 0; i < K_N; i++)
		free(k[i]);
}

static void draw_hint(const char *hint)
{
	wmove(stdscr, LINES - 2, 0);
	wclrtoeol(stdscr);
	if (hint)
		ui_put(stdscr, LINES - 2, 2, hint, COLS - 4);
}

static void draw_body(const view *vw, int top, int sel)
{
	int rows = body_rows(), y0 = body_top();
	for (int r = 0; r < rows; r++) {
		wmove(stdscr, y0 + r, 0);
		wclrtoeol(stdscr);
		size_t i = (size_t)(top + r);
		if (i >= vw->n)
			continue;
		const vrow *row = &vw->v[i];
		attr_t a = A_NORMAL;
		if (row->kind == V_BIG)
			a = A_BOLD | A_REVERSE;
		else if (row->kind == V_HEAD)
			a = A_BOLD | A_UNDERLINE;
		bool is_sel = row->kind == V_CHOICE && row->choice == sel;
		if (is_sel) {
			a = A_REVERSE;
			if (row->first)
				mvwaddstr(stdscr, y0 + r, 0, ui_gl->sel);
		}
		wattrset(stdscr, a);
		int x = 2 + row->indent;
		int w = ui_put(stdscr, y0 + r, x, row->text, text_cols() - row->indent);
		if (row->kind == V_BIG ||
		    is_sel) /* a band, so the word stands out without colour */
			for (int k = x + w; k < x + w + 2 && k < COLS; k++)
				mvwaddch(stdscr, y0 + r, k, ' ');
		wattrset(stdscr, A_NORMAL);
	}
	/* the line under the body says when there is more */
	ui_hline(stdscr, LINES - 3, 0, COLS);
	int maxtop = (int)vw->n - rows;
	if (maxtop > 0) {
		char *more;
		int pct = top * 100 / maxtop;
		if (top == 0)
			more = xasprintf(_(" %s more below "), ui_gl->more_down);
		else if (top >= maxtop)
			more = xasprintf(_(" %s more above "), ui_gl->more_up);
		else
			more = xasprintf(_(" %s%s %d%% "), ui_gl->more_up, ui_gl->more_down, pct);
		int w = ui_str_width(more, strlen(more));
		ui_put(stdscr, LINES - 3, COLS - w - 2, more, w);
		free(more);
	}
}

/* Rows of choice c: first and last. */
static void choice_rows(const view *vw, int c, int *first, int *last)
{
	*first = *last = -1;
	for (size_t i = 0; i < vw->n; i++)
		if (vw->v[i].kind == V_CHOICE && vw->v[i].choice == c) {
			if (*first < 0)
				*first = (int)i;
			*last = (int)i;
		}
}

static int clamp_top(const view *vw, int top)
{
	int maxtop = (int)vw->n - body_rows();
	if (top > maxtop)
		top = maxtop;
	return top < 0 ? 0 : top;
}

/* A boxed window in the middle of the screen with wrapped text; the
 * caller adds its own last lines (keys). Returns the window. */
typedef struct wrapbuf {
	char **l;
	size_t n, cap;
} wrapbuf;

static void wb_push(void *ud, const char *s, size_t len)
{
	wrapbuf *b = ud;
	SD_GROW(b->l, b->cap, b->n + 1);
	b->l[b->n++] = xstrndup(s, len);
}

static void wb_free(wrapbuf *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->l[i]);
	free(b->l);
	memset(b, 0, sizeof *b);
}

static WINDOW *dialog(const char *title, const char *text, int extra_rows, int *text_end)
{
	int w = COLS - 8 < 72 ? COLS - 8 : 72;
	wrapbuf b = {0};
	ui_wrap(text, w - 4, wb_push, &b);
	int maxtext = LINES - 6 - extra_rows;
	int shown = (int)b.n < maxtext ? (int)b.n : maxtext;
	int h = shown + 4 + extra_rows;
	WINDOW *win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	wbkgdset(win, ' ' | (ui_color ? COLOR_PAIR(3) : A_NORMAL));
	werase(win);
	ui_frame(win, 0, 0, h, w);
	if (title && *title) {
		wattrset(win, A_BOLD | (ui_color ? COLOR_PAIR(3) : A_NORMAL));
		mvwaddstr(win, 0, 2, " ");
		int tw = ui_put(win, 0, 3, title, w - 6);
		mvwaddstr(win, 0, 3 + tw, " ");
		wattrset(win, ui_color ? COLOR_PAIR(3) : A_NORMAL);
	}
	for (int i = 0; i < shown; i++)
		ui_put(win, 2 + i, 2, b.l[i], w - 4);
	*text_end = 2 + shown;
	wb_free(&b);
	return win;
}

static void dialog_close(WINDOW *win)
{
	delwin(win);
	touchwin(stdscr);
	wnoutrefresh(stdscr);
}

/* A key the "too small" screen offers (l: line mode, q: quit) pressed over
 * a dialog: given back for the page below, which does it; the dialog
 * closes as cancelled. */
static bool too_small_key(int k)
{
	if (k != 'l' && k != 'L' && k != 'q' && k != 'Q')
		return false;
	ui_ungetkey(k);
	return true;
}

/* A dialog with one line of keys under its text, drawn again (centred, on
 * a cleared screen) after a resize. Below the minimum size the "too
 * small" screen replaces it until the terminal grows. */
static WINDOW *dialog_keys(const char *title, const char *text, const char *keys)
{
	if (ui_too_small()) {
		ui_draw_too_small();
		return NULL;
	}
	int end;
	WINDOW *win = dialog(title, text, 1, &end);
	ui_put(win, end + 1, 2, keys, getmaxx(win) - 4);
	wnoutrefresh(win);
	return win;
}

/* The page on screen, so that a dialog drawn again after a resize has the
 * page, laid out for the new size, behind it. */
static struct {
	const ui_page *p;
	view *vw;
	int *top;
	const int *sel;
} shown;

/* The page last left, kept (a copy: the panel frees its own) so that a
 * dialog opened after it (a confirmation, a message) and drawn again after
 * a resize has that page behind it, laid out for the new size, instead of
 * a blank screen. */
static struct {
	ui_page p;
	view vw;
	int top, sel;
	bool set;
} behind;

static void keep_behind(const ui_page *p, int top, int sel)
{
	if (behind.set)
		page_free(&behind.p);
	view_free(&behind.vw);
	page_init(&behind.p, p->step, p->nsteps, p->title);
	for (size_t i = 0; i < p->n_lines; i++)
		page_add(&behind.p, p->lines[i].style, p->lines[i].indent, "%s", p->lines[i].text);
	for (size_t i = 0; i < p->n_choices; i++)
		page_choice(&behind.p, p->choices[i].label);
	behind.p.help = p->help;
	behind.p.can_back = p->can_back;
	behind.top = top;
	behind.sel = sel;
	behind.set = true;
	shown.p = &behind.p;
	shown.vw = &behind.vw;
	shown.top = &behind.top;
	shown.sel = &behind.sel;
}

/* The page is left with answer a (act set to act): say so in the session
 * log and forget the page's layout (its text stays behind dialogs). */
static ui_answer page_leave(view *vw, ui_answer a, ui_act act, const char *logged)
{
	a.act = act;
	ui_log_answer("%s", logged);
	const ui_page *p = shown.p;
	if (p && p != &behind.p)
		keep_behind(p, *shown.top, *shown.sel);
	view_free(vw);
	return a;
}

static void draw_page(bool full);

static WINDOW *dialog_resized(WINDOW *win, const char *title, const char *text, const char *keys)
{
	if (win)
		delwin(win);
	if (shown.p) {
		draw_page(true);
	} else {
		erase();
		wnoutrefresh(stdscr);
	}
	return dialog_keys(title, text, keys);
}

bool cw_confirm(const char *question)
{
	const char *title = _("Please confirm"), *keys = _("y Yes     n No");
	WINDOW *win = dialog_keys(title, question, keys);
	ui_log_page(&(ui_page){.title = (char *)question});
	bool yes = false;
	for (;;) {
		int k = ui_getkey();
		if (k == UI_K(KEY_RESIZE)) {
			win = dialog_resized(win, title, question, keys);
			continue;
		}
		if (k == UI_KEY_INTR)
			break;
		if (!win && too_small_key(k))
			break; /* no: the page below goes on in line mode, or quits */
		if (!win && k != UI_KEY_EOF)
			continue; /* too small: a bigger terminal, l, q or end of input */
		if (k == 'y' || k == 'Y' || k == 's' || k == 'S') { /* s: sí / sim */
			yes = true;
			break;
		}
		if (k == 'n' || k == 'N' || k == 27 || k == 'q' || k == 'b' || k == UI_KEY_EOF ||
		    k == '\r' || k == '\n')
			break;
	}
	ui_log_answer("%s", yes ? "yes" : "no");
	if (win)
		dialog_close(win);
	return yes;
}

void cw_message(const char *title, const char *text)
{
	const char *keys = _("Press Enter to continue");
	WINDOW *win = dialog_keys(title, text, keys);
	ui_log_printf("[%s] %s", title ? title : "", text);
	for (;;) {
		int k = ui_getkey();
		if (k == UI_K(KEY_RESIZE)) {
			win = dialog_resized(win, title, text, keys);
			continue;
		}
		if (!win && too_small_key(k))
			break;
		if (!win && k != UI_KEY_EOF && k != UI_KEY_INTR)
			continue;
		if (k == '\r' || k == '\n' || k == 27 || k == ' ' || k == 'q' || k == UI_KEY_EOF ||
		    k == UI_KEY_INTR || k == UI_K(KEY_ENTER) || k == 'n' || k == 'b')
			break;
	}
	if (win)
		dialog_close(win);
}

/* Returns true when the terminal was resized meanwhile (the page must
 * then be laid out again). */
static bool show_help(const ui_page *p)
{
	int end;
	const char *text = p->help ? p->help : _("There is no help for this step.");
	WINDOW *win = dialog(_("Help"), text, 1, &end);
	ui_put(win, end + 1, 2, _("Press any key to go back"), getmaxx(win) - 4);
	wnoutrefresh(win);
	ui_log_answer("help");
	bool resized = ui_getkey() == UI_K(KEY_RESIZE);
	dialog_close(win);
	return resized;
}

/* The byte offset of the character before (dir < 0) or after cur. */
static size_t utf8_step(const char *s, size_t len, size_t cur, int dir)
{
	if (dir < 0) {
		if (cur == 0)
			return 0;
		cur--;
		while (cur > 0 && ((unsigned char)s[cur] & 0xC0) == 0x80)
			cur--;
		return cur;
	}
	if (cur >= len)
		return len;
	cur++;
	while (cur < len && ((unsigned char)s[cur] & 0xC0) == 0x80)
		cur++;
	return cur;
}

/* Tab in a path field: complete the last part of the path from the names
 * in its folder (as far as they agree; a folder gets its '/'). The text up
 * to cur is completed; what follows the cursor is kept. Returns the new
 * cursor. */
static size_t complete_path(strbuf *b, size_t cur)
{
	char *head = xstrndup(b->s ? b->s : "", cur);
	char *tail = xstrdup(b->s ? b->s + cur : "");
	const char *slash = strrchr(head, '/');
	char *dir = slash ? xstrndup(head, (size_t)(slash - head) + 1) : xstrdup("./");
	const char *prefix = slash ? slash + 1 : head;
	size_t plen = strlen(prefix);
	char *best = NULL;
	bool best_dir = false;
	size_t matches = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL && !sess_interrupted) {
		if (strncmp(e->d_name, prefix, plen) != 0 || !strcmp(e->d_name, ".") ||
		    !strcmp(e->d_name, "..") || (plen == 0 && e->d_name[0] == '.'))
			continue;
		matches++;
		if (!best) {
			best = xstrdup(e->d_name);
			char *full = xasprintf("%s%s", dir, e->d_name);
			struct stat st;
			best_dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
			free(full);
		} else {
			size_t i = 0;
			while (best[i] && best[i] == e->d_name[i])
				i++;
			best[i] = '\0';
		}
	}
	if (d)
		closedir(d);
	size_t ncur = cur;
	if (best && strlen(best) >= plen) {
		strbuf nb = SB_INIT;
		sb_addn(&nb, head, (size_t)(prefix - head));
		sb_add(&nb, best);
		if (matches == 1 && best_dir)
			sb_addc(&nb, '/');
		ncur = nb.len;
		sb_add(&nb, tail);
		sb_reset(b);
		sb_add(b, sb_str(&nb));
		sb_free(&nb);
	} else {
		beep();
	}
	free(best);
	free(dir);
	free(head);
	free(tail);
	return ncur;
}

/* A one-line text field in a dialog: a visible cursor, Left/Right,
 * Home/End (and Ctrl-A/Ctrl-E), Backspace/Delete at the cursor, Ctrl-U to
 * clear, Tab to complete a path. Returns what was typed or NULL when
 * cancelled (Esc). */
static char *cw_input(const char *prompt, const char *preset)
{
	int end;
	const char *keys = _("Enter OK   Esc Cancel   Tab complete a name");
	WINDOW *win = dialog(NULL, prompt, 3, &end);
	int fw = getmaxx(win) - 4;
	ui_put(win, end + 3, 2, keys, fw);
	strbuf b = SB_INIT;
	if (preset)
		sb_add(&b, preset);
	size_t cur = b.len; /* the cursor, a byte offset on a character boundary */
	char *result = NULL;
	if (!ui_scripted())
		curs_set(1);
	for (;;) {
		if (win) {
			/* from the start, or scrolled so the cursor shows at the right */
			const char *s = sb_str(&b);
			size_t from = 0;
			while (ui_str_width(s + from, cur - from) > fw - 1)
				from = utf8_step(s, b.len, from, 1);
			wattrset(win, A_UNDERLINE);
			mvwhline(win, end + 1, 2, ' ', fw);
			ui_put(win, end + 1, 2, s + from, fw - 1);
			wattrset(win, A_NORMAL);
			wmove(win, end + 1, 2 + ui_str_width(s + from, cur - from));
			wnoutrefresh(win);
		}
		int k = ui_getkey();
		if (k == UI_K(KEY_RESIZE)) {
			/* the page and the field again, for the new size; what was
			 * typed is kept */
			if (win)
				delwin(win);
			win = NULL;
			bool small = ui_too_small();
			if (shown.p)
				draw_page(true);
			else if (small)
				ui_draw_too_small();
			if (!small) {
				win = dialog(NULL, prompt, 3, &end);
				fw = getmaxx(win) - 4;
				ui_put(win, end + 3, 2, keys, fw);
			}
			continue;
		}
		if (!win && too_small_key(k))
			break; /* cancelled: the page below goes on in line mode, or quits */
		if (!win && k != UI_KEY_EOF && k != 27 && k != UI_KEY_INTR)
			continue; /* too small: wait for a bigger terminal */
		if (k == '\r' || k == '\n' || k == UI_K(KEY_ENTER)) {
			result = xstrdup(sb_str(&b));
			break;
		}
		if (k == 27 || k == UI_KEY_EOF || k == UI_KEY_INTR)
			break;
		size_t from = cur, to = cur; /* bytes to delete */
		switch (k) {
		case UI_K(KEY_LEFT): cur = utf8_step(b.s, b.len, cur, -1); continue;
		case UI_K(KEY_RIGHT): cur = utf8_step(b.s, b.len, cur, 1); continue;
		case UI_K(KEY_HOME):
		case 1: /* Ctrl-A */ cur = 0; continue;
		case UI_K(KEY_END):
		case 5: /* Ctrl-E */ cur = b.len; continue;
		case 21: /* Ctrl-U */
			sb_reset(&b);
			cur = 0;
			continue;
		case '\t': cur = complete_path(&b, cur); continue;
		case UI_K(KEY_BACKSPACE):
		case 127:
		case 8: from = utf8_step(b.s, b.len, cur, -1); break;
		case UI_K(KEY_DC): to = utf8_step(b.s, b.len, cur, 1); break;
		default:
			if (k >= 32 && k < 0x110000 && k != 127) {
				char mb[MB_LEN_MAX];
				mbstate_t st;
				memset(&st, 0, sizeof st);
				size_t n = wcrtomb(mb, (wchar_t)k, &st);
				if (n != (size_t)-1) {
					char *rest = xstrdup(sb_str(&b) + cur);
					b.len = cur;
					if (b.s)
						b.s[cur] = '\0';
					sb_addn(&b, mb, n);
					cur = b.len;
					sb_add(&b, rest);
					free(rest);
				}
			}
			continue;
		}
		if (to > from) {
			memmove(b.s + from, b.s + to, b.len - to + 1);
			b.len -= to - from;
			cur = from;
		}
	}
	if (!ui_scripted())
		curs_set(0);
	sb_free(&b);
	if (win)
		dialog_close(win);
	return result;
}

static void draw_page(bool full)
{
	const ui_page *p = shown.p;
	if (ui_too_small()) {
		if (full)
			ui_draw_too_small();
		return;
	}
	if (full) {
		erase();
		view_layout(shown.vw, p, text_cols());
		*shown.top = clamp_top(shown.vw, *shown.top);
		draw_header(p);
		draw_footer(p);
		if (p->n_choices && *shown.sel >= 0)
			draw_hint(_("Press a number, or move with the arrows and press Enter."));
		else if (p->n_choices)
			draw_hint(_("Press Enter to go on, or a number to choose."));
		else
			draw_hint(_("Press Enter to go on."));
	}
	draw_body(shown.vw, *shown.top, *shown.sel);
	wnoutrefresh(stdscr);
}

/* The quit question when the terminal is too small for a dialog: one line
 * under the "too small" text. A resize counts as no (the page comes back
 * when it fits). */
static bool small_confirm(void)
{
	const char *q = _("Quit without saving a report? y Yes  n No");
	wmove(stdscr, LINES - 1, 0);
	wclrtoeol(stdscr);
	wattrset(stdscr, A_REVERSE);
	ui_put(stdscr, LINES - 1, 0, q, COLS - 1);
	wattrset(stdscr, A_NORMAL);
	wnoutrefresh(stdscr);
	ui_log_page(&(ui_page){.title = (char *)q});
	bool yes = false;
	for (;;) {
		int k = ui_getkey();
		if (k == 'y' || k == 'Y' || k == 's' || k == 'S') {
			yes = true;
			break;
		}
		if (k == 'n' || k == 'N' || k == 27 || k == 'q' || k == UI_KEY_EOF ||
		    k == UI_KEY_INTR || k == UI_K(KEY_RESIZE) || k == '\r' || k == '\n')
			break;
	}
	ui_log_answer("%s", yes ? "yes" : "no");
	return yes;
}

/* Scrolling and moving the mark: true when k was one of those keys. */
static bool move_key(const ui_page *p, view *vw, int k, int rows, int *sel, int *top)
{
	switch (k) {
	case UI_K(KEY_UP):
	case UI_K(KEY_DOWN): {
		int d = k == UI_K(KEY_UP) ? -1 : 1;
		if (*sel >= 0 && p->n_choices) {
			int ns = *sel + d;
			if (ns >= 0 && ns < (int)p->n_choices)
				*sel = ns;
			int f, l;
			choice_rows(vw, *sel, &f, &l);
			if (f < *top)
				*top = f;
			if (l >= *top + rows)
				*top = l - rows + 1;
			/* moving up to the first choice shows the text above it */
			if (*sel == 0 && d < 0)
				*top = 0;
		} else {
			*top = clamp_top(vw, *top + d);
		}
		return true;
	}
	case UI_K(KEY_NPAGE):
	case ' ': *top = clamp_top(vw, *top + rows - 1); return true;
	case UI_K(KEY_PPAGE): *top = clamp_top(vw, *top - (rows - 1)); return true;
	case UI_K(KEY_HOME): *top = 0; return true;
	case UI_K(KEY_END): *top = clamp_top(vw, (int)vw->n); return true;
	default: return false;
	}
}

/* Any other key: a digit picks a choice (its index), or marks one and
 * waits for a second digit (*digit); -1 when nothing is picked. first: the
 * digit typed just before, 0 none. */
static int number_key(const ui_page *p, view *vw, int k, int first, int rows, int *digit, int *sel,
                      int *top)
{
	if (k >= '0' && k <= '9' && first && first * 10 + (k - '0') <= (int)p->n_choices)
		return first * 10 + (k - '0') - 1;
	if (k < '1' || k > '9' || k - '1' >= (int)p->n_choices)
		return -1;
	/* Long lists: "1" marks item 1 and waits; "12" picks item 12, Enter
	 * picks the marked one. */
	if ((k - '0') * 10 <= (int)p->n_choices) {
		*digit = k - '0';
		*sel = k - '1';
		int f, l;
		choice_rows(vw, *sel, &f, &l);
		if (f < *top || l >= *top + rows)
			*top = clamp_top(vw, f);
		return -1;
	}
	return k - '1';
}

ui_answer cw_show(const ui_page *p, bool confirm_quit)
{
	view vw = {0};
	int top = 0;
	int sel = p->selected;
	bool full = true;
	int digit = 0; /* a first digit typed that a second one may follow ("12") */
	ui_log_page(p);
	int width = ui_text_width(); /* the panel laid p out for this */
	shown.p = p;
	shown.vw = &vw;
	shown.top = &top;
	shown.sel = &sel;
	for (;;) {
		draw_page(full);
		full = false;
		int k = ui_getkey();
		ui_answer a = {ACT_NEXT, -1, NULL};
		if (k == UI_K(KEY_RESIZE)) {
			ui_log_printf("terminal resized to %dx%d", COLS, LINES);
			full = true;
			/* a page laid out for a width (a side-by-side diff) is made
			 * again by its panel for the new one */
			if (p->relayout && ui_text_width() != width)
				return page_leave(&vw, a, ACT_RESIZE,
				                  "resized: the page is made again");
			continue;
		}
		if (k == UI_KEY_EOF) {
			return page_leave(&vw, a, ACT_EOF, "end of input");
		}
		if (k == UI_KEY_INTR) /* Ctrl-C: quit now, asking nothing */
			return page_leave(&vw, a, ACT_QUIT, "interrupted (Ctrl-C)");
		if (ui_too_small()) {
			if (k == 'l' || k == 'L') {
				/* the same page, and every one after it, as plain text */
				ui_log_answer("line mode");
				view_free(&vw);
				shown.p = NULL;
				ui_to_line_mode();
				return line_show(p, confirm_quit);
			}
			if (k == 'q' || k == 'Q' || k == UI_K(KEY_F(10))) {
				if (confirm_quit && !small_confirm()) {
					full = true;
					continue;
				}
				return page_leave(&vw, a, ACT_QUIT, "quit");
			}
			continue;
		}
		int rows = body_rows();
		int pick = -1;
		int first = digit; /* only the very next key completes a number */
		digit = 0;
		if (move_key(p, &vw, k, rows, &sel, &top))
			continue;
		switch (k) {
		case '?':
		case 'h':
		case UI_K(KEY_F(1)): full = show_help(p); continue;
		case 'b':
		case 27:
		case 127:
		case 8:
		case UI_K(KEY_BACKSPACE):
		case UI_K(KEY_LEFT):
			if (!p->can_back)
				continue;
			return page_leave(&vw, a, ACT_BACK, "back");
		case 'q':
		case 'Q':
		case UI_K(KEY_F(10)):
			if (confirm_quit &&
			    !cw_confirm(
			        _("Quit syncdoctor now? What it found has not been saved as a "
			          "report (the session log keeps it)."))) {
				full = true;
				continue;
			}
			return page_leave(&vw, a, ACT_QUIT, "quit");
		case 'n':
		case UI_K(KEY_RIGHT): return page_leave(&vw, a, ACT_NEXT, "next");
		case '\r':
		case '\n':
		case UI_K(KEY_ENTER):
			if (sel < 0) {
				return page_leave(&vw, a, ACT_NEXT, "next");
			}
			pick = sel;
			break;
		default: pick = number_key(p, &vw, k, first, rows, &digit, &sel, &top); break;
		}
		if (pick < 0)
			continue;
		const ui_choice *c = &p->choices[pick];
		if (c->prompt) {
			char *t = cw_input(c->prompt, c->preset);
			full = true;
			if (!t)
				continue;
			a.text = t;
		}
		a.act = ACT_PICK;
		a.choice = pick;
		ui_log_answer("%d: %s%s%s", pick + 1, c->label, a.text ? ": " : "",
		              a.text ? a.text : "");
		keep_behind(p, top, sel);
		view_free(&vw);
		return a;
	}
}

/* ---- the progress bar ---- */

static struct {
	char *title;
	char *phase; /* the part of the work the bar measures now */
	time_t start, last;
	time_t phase_start;
	int pct;
	long ticks; /* updates so far: the virtual clock under a test script */
	bool cancelled;
	bool whole; /* one bar for the whole work: a new phase keeps the clock */
} prog;

void cw_progress_whole(void) { prog.whole = true; }

static time_t progress_now(void) { return ui_scripted() ? prog.start + prog.ticks : time(NULL); }

static void progress_draw(const char *phase, uint64_t done, uint64_t total)
{
	int w = COLS - 8 < 64 ? COLS - 8 : 64;
	int h = 8;
	if (w < 20 || LINES < h)
		return;
	WINDOW *win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	werase(win);
	ui_frame(win, 0, 0, h, w);
	wattrset(win, A_BOLD);
	mvwaddstr(win, 0, 2, " ");
	int tw = ui_put(win, 0, 3, prog.title, w - 6);
	mvwaddstr(win, 0, 3 + tw, " ");
	wattrset(win, A_NORMAL);
	ui_put(win, 2, 2, phase ? phase : "", w - 4);
	int bw = w - 4;
	int filled = total ? (int)((double)done / (double)total * bw) : 0;
	wmove(win, 3, 2);
	for (int i = 0; i < bw; i++) {
		if (ui_gl->acs)
			waddch(win, i < filled ? ACS_BLOCK : ACS_CKBOARD);
		else
			waddstr(win, i < filled ? ui_gl->bar_full : ui_gl->bar_empty);
	}
	time_t now = progress_now();
	char *line;
	double frac = total ? (double)done / (double)total : 0;
	if (frac > 0.02 && now - prog.phase_start >= 1) {
		long eta = (long)((double)(now - prog.phase_start) * (1 - frac) / frac);
		line = eta >= 60
		           ? xasprintf(_("%3d%%, about %ld min left"), prog.pct, (eta + 59) / 60)
		           : xasprintf(_("%3d%%, about %ld s left"), prog.pct, eta);
	} else {
		line = xasprintf(_("%3d%%"), prog.pct < 0 ? 0 : prog.pct);
	}
	ui_put(win, 4, 2, line, w - 4);
	free(line);
	ui_put(win, 6, 2, _("Press c to cancel"), w - 4);
	wnoutrefresh(win);
	delwin(win);
	doupdate();
}

void cw_progress_begin(const char *title)
{
	free(prog.title);
	prog.title = xstrdup(title);
	prog.ticks = 0;
	prog.start = ui_scripted() ? 0 : time(NULL);
	prog.phase_start = prog.start;
	prog.last = 0;
	prog.pct = -1;
	prog.cancelled = false;
	prog.whole = false;
	ui_log_printf("[work] %s", title);
	progress_draw("", 0, 0);
}

bool cw_progress_update(const char *phase, uint64_t done, uint64_t total)
{
	if (prog.cancelled)
		return true;
	/* poll for a key without waiting */
	if (ui_scripted()) {
		prog.ticks++;
	} else {
		nodelay(stdscr, TRUE);
		wint_t wc;
		int r = get_wch(&wc);
		nodelay(stdscr, FALSE);
		if (r == OK && (wc == 'c' || wc == 'C' || wc == 27 || wc == 'q'))
			prog.cancelled = true;
		if (r == KEY_CODE_YES && wc == KEY_RESIZE) {
			erase();
			wnoutrefresh(stdscr);
			prog.last = 0;
		}
	}
	if (sess_interrupted)
		prog.cancelled = true;
	if (prog.cancelled) {
		ui_log_answer("cancel");
		return true;
	}
	int pct = total ? (int)(done * 100 / total) : 0;
	time_t now = progress_now();
	/* Each part of the work (reading the structure, each device's data,
	 * the photos) fills the bar from 0: its time left is its own. */
	if (!prog.phase || strcmp(prog.phase, phase ? phase : "") != 0) {
		free(prog.phase);
		prog.phase = xstrdup(phase ? phase : "");
		if (!prog.whole) {
			prog.phase_start = now;
			prog.pct = -1;
		}
	}
	/* redraw only when something a person can see changed */
	if (pct != prog.pct || now != prog.last) {
		prog.pct = pct;
		prog.last = now;
		progress_draw(phase, done, total);
	}
	if (ui_scripted() && ui_script_progress()) {
		prog.cancelled = true;
		ui_log_answer("cancel");
		return true;
	}
	return false;
}

void cw_progress_end(void)
{
	free(prog.title);
	free(prog.phase);
	prog.title = prog.phase = NULL;
	touchwin(stdscr);
	wnoutrefresh(stdscr);
}
