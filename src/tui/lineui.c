/* lineui.c: line mode. The same pages as plain numbered text on standard
 * output, answers read line by line from standard input. Used when
 * standard output is not a terminal, TERM is dumb, unset or unknown, so
 * the wizard works through a serial console, a screen reader, or a pipe
 * (printf '2\n\n' | syncdoctor FILE). End of input quits. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "log.h"
#include "report.h"
#include "widgets.h"

static int width = 80;

void line_open(void)
{
	/* the terminal's own width when there is one (after the curses
	 * wizard gave way to a small terminal: wrapped at 80, every long line
	 * broke mid-word), else $COLUMNS, else 80 */
	struct winsize ws;
	const char *c = getenv("COLUMNS");
	int n = isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col
	            ? ws.ws_col
	        : c ? atoi(c)
	            : 0;
	if (n >= 40)
		width = n > 132 ? 132 : n;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

int line_width(void) { return width - 2; }

typedef struct out_ctx {
	int indent;
	const char *first, *rest; /* prefixes */
	bool started;
} out_ctx;

static void put_line(void *ud, const char *s, size_t len)
{
	out_ctx *o = ud;
	printf("%*s%s%.*s\n", o->indent, "", o->started ? o->rest : o->first, (int)len, s);
	o->started = true;
}

static void print_page(const ui_page *p)
{
	printf("\n");
	char *head = xasprintf(_("Step %d of %d"), p->step, p->nsteps);
	printf("=== %s: %s ===\n\n", head, p->title);
	free(head);
	for (size_t i = 0; i < p->n_lines; i++) {
		const ui_line *l = &p->lines[i];
		out_ctx o = {l->indent, "", "", false};
		if (l->style == UI_PRE) {
			printf("%*s%s\n", l->indent, "", l->text);
		} else if (l->style == UI_BIG) {
			printf("*** %s ***\n", l->text);
		} else {
			int hang = ui_hang(l->text);
			char rest[8];
			snprintf(rest, sizeof rest, "%*s", hang, "");
			o.rest = rest;
			ui_wrap(l->text, width - l->indent - hang, put_line, &o);
		}
	}
	if (p->n_choices && p->n_lines)
		printf("\n");
	for (size_t i = 0; i < p->n_choices; i++) {
		char num[32];
		snprintf(num, sizeof num, "%3zu) ", i + 1);
		out_ctx o = {0, num, "     ", false};
		ui_wrap(p->choices[i].label, width - 6, put_line, &o);
	}
}

/* Read one line; NULL at end of input. Trailing newline and spaces removed. */
static char *read_answer(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		if (!isatty(STDIN_FILENO))
			printf("\n");
		return NULL;
	}
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	/* an answer typed at a prompt that was piped in is echoed, so the
	 * transcript reads like a conversation */
	if (!isatty(STDIN_FILENO))
		printf("%s\n", line);
	char *s = line;
	while (isspace((unsigned char)*s))
		s++;
	char *r = xstrdup(s);
	free(line);
	return r;
}

static void prompt(const ui_page *p)
{
	if (p->n_choices > 1)
		printf(_("Answer: a number 1-%zu, Enter for next, b back, q quit, ? help: "),
		       p->n_choices);
	else if (p->n_choices == 1)
		printf(_("Answer: 1 to choose, Enter for next, b back, q quit, ? help: "));
	else
		printf(_("Answer: Enter for next, b back, q quit, ? help: "));
	fflush(stdout);
}

ui_answer line_show(const ui_page *p, bool confirm_quit)
{
	ui_log_page(p);
	print_page(p);
	for (;;) {
		prompt(p);
		ui_answer a = {ACT_NEXT, -1, NULL};
		char *s = read_answer();
		if (!s) {
			a.act = ACT_EOF;
			ui_log_answer("end of input");
			return a;
		}
		bool empty = *s == '\0';
		if (empty || strcmp(s, "n") == 0) {
			free(s);
			if (p->selected >= 0 && empty)
				goto pick_selected;
			ui_log_answer("next");
			return a;
		}
		if (strcmp(s, "b") == 0 && p->can_back) {
			free(s);
			ui_log_answer("back");
			a.act = ACT_BACK;
			return a;
		}
		if (strcmp(s, "q") == 0) {
			free(s);
			if (confirm_quit &&
			    !line_confirm(
			        _("Quit syncdoctor now? What it found has not been saved as a "
			          "report (the session log keeps it).")))
				continue;
			ui_log_answer("quit");
			a.act = ACT_QUIT;
			return a;
		}
		if (strcmp(s, "?") == 0 || strcmp(s, "h") == 0) {
			free(s);
			out_ctx o = {2, "", "", false};
			printf("\n");
			ui_wrap(p->help ? p->help : _("There is no help for this step."), width - 2,
			        put_line, &o);
			printf("\n");
			ui_log_answer("help");
			continue;
		}
		char *end;
		long n = strtol(s, &end, 10);
		bool number = *end == '\0' && end != s;
		free(s);
		if (number && n >= 1 && (size_t)n <= p->n_choices) {
			a.choice = (int)n - 1;
			goto picked;
		}
		printf(_("That answer was not understood.\n"));
		continue;
	pick_selected:
		a.choice = p->selected;
	picked:;
		const ui_choice *c = &p->choices[a.choice];
		if (c->prompt) {
			if (c->preset) {
				/* a name made from the file's: escaped as any */
				char *e = report_escape(c->preset);
				printf(_("%s (Enter: %s) "), c->prompt, e);
				free(e);
			} else
				printf("%s ", c->prompt);
			fflush(stdout);
			char *t = read_answer();
			if (!t) {
				a.act = ACT_EOF;
				return a;
			}
			if (!*t && c->preset) {
				free(t);
				t = xstrdup(c->preset);
			}
			a.text = t;
		}
		a.act = ACT_PICK;
		ui_log_answer("%d: %s%s%s", a.choice + 1, c->label, a.text ? ": " : "",
		              a.text ? a.text : "");
		return a;
	}
}

bool line_confirm(const char *question)
{
	printf(_("%s [y/N] "), question);
	fflush(stdout);
	char *s = read_answer();
	/* the locale's yes, and y or s (sí, sim) whatever the locale: the
	 * Spanish and Portuguese prompts say [s/N] */
	bool yes = s && (rpmatch(s) == 1 || (s[0] && strchr("yYsS", s[0]) && !s[1]) ||
	                 !strcmp(s, "sí") || !strcmp(s, "Sí") || !strcmp(s, "sim"));
	free(s);
	ui_log_printf("[confirm] %s", question);
	ui_log_answer("%s", yes ? "yes" : "no");
	return yes;
}

void line_message(const char *title, const char *text)
{
	out_ctx o = {0, "", "", false};
	printf("\n");
	if (title && *title)
		printf("--- %s ---\n", title);
	ui_wrap(text, width, put_line, &o);
	ui_log_printf("[%s] %s", title ? title : "", text);
}

static struct {
	bool tty;
	int pct;
	time_t last;
	int len; /* columns of the progress line shown */
} lp;

void line_progress_begin(const char *title)
{
	lp.tty = isatty(STDERR_FILENO);
	lp.pct = -1;
	lp.last = 0;
	printf("%s\n", title);
	ui_log_printf("[work] %s", title);
}

bool line_progress_update(const char *phase, uint64_t done, uint64_t total)
{
	if (sess_interrupted)
		return true;
	if (!lp.tty || !total)
		return false;
	int pct = (int)(done * 100 / total);
	time_t now = time(NULL);
	if (pct != lp.pct && now != lp.last) {
		/* carriage return and spaces only: no escape sequence (TERM=dumb) */
		int n = fprintf(stderr, "\r%s: %3d%% ", phase ? phase : "", pct) - 1;
		if (lp.len > n)
			fprintf(stderr, "%*s", lp.len - n, "");
		lp.len = n > lp.len ? n : lp.len;
		lp.pct = pct;
		lp.last = now;
	}
	return false;
}

void line_progress_end(void)
{
	if (lp.tty && lp.last)
		fprintf(stderr, "\r%*s\r", lp.len, "");
	lp.len = 0;
}
