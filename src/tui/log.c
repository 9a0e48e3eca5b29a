/* log.c: the session log (see log.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "io.h"
#include "log.h"
#include "report.h"
#include "strbuf.h"
#include "widgets.h"

static FILE *log_fp;
static char *log_path;
static char *log_problem;

static char *default_dir(void) { return sd_state_path("logs"); }

/* Every line of the log goes through the one escaping function: the log
 * is read in a terminal too, and is sent along in support bundles. */
static void log_vput(const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);
	char *e = report_escape_text(s, true);
	fputs(e, log_fp);
	free(e);
	free(s);
}

static void log_put(const char *fmt, ...) SD_PRINTF(1, 2);
static void log_put(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vput(fmt, ap);
	va_end(ap);
}

/* The command line as the kernel recorded it (best effort). */
static void write_cmdline(void)
{
	FILE *f = fopen("/proc/self/cmdline", "r");
	strbuf line = SB_INIT;
	sb_add(&line, "command line:");
	if (f) {
		/* The program by its name only: where it lives says nothing to
		 * whoever helps, and a path of any length wraps the log page
		 * differently. Control characters never reach the log raw. */
		bool first = true, in_name = true, space = false;
		char name[256];
		size_t n = 0;
		int c;
		sb_addc(&line, ' ');
		while ((c = fgetc(f)) != EOF) {
			if (first) {
				if (c == '/') {
					n = 0;
				} else if (c) {
					if (n < sizeof name - 1)
						name[n++] = (char)c;
				} else {
					name[n] = '\0';
					sb_add(&line, name);
					first = in_name = false;
					space = true;
				}
				continue;
			}
			if (c == 0) {
				space = true;
				continue;
			}
			if (space)
				sb_addc(&line, ' ');
			space = false;
			sb_addc(&line, ((unsigned char)c < 0x20 || c == 0x7f) ? '?' : (char)c);
		}
		if (in_name) {
			name[n] = '\0';
			sb_add(&line, name);
		}
		fclose(f);
	} else {
		sb_add(&line, " (unknown)");
	}
	log_put("%s\n", sb_str(&line));
	sb_free(&line);
}

bool ui_log_open(const char *where)
{
	char *dir = where && *where ? xstrdup(where) : default_dir();
	if (!dir) {
		log_problem = xstrdup(_("no session log: HOME is not set"));
		return false;
	}
	if (!sd_mkdir_p(dir, 0700) /* private: the log names files */) {
		log_problem = xasprintf(_("no session log: the folder %s could not be made (%s)"),
		                        dir, strerror(errno));
		free(dir);
		return false;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	/* A log is appended line by line so that it survives a crash: the
	 * write-beside-and-rename scheme of io.h (for whole outputs) does not
	 * fit. O_EXCL: never write through someone else's file or link. */
	int fd = -1;
	for (int i = 0; i < 100 && fd < 0; i++) {
		free(log_path);
		log_path = i ? xasprintf("%s/session-%s-%d.log", dir, stamp, i)
		             : xasprintf("%s/session-%s.log", dir, stamp);
		fd = open(log_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0 || !(log_fp = fdopen(fd, "w"))) {
		log_problem = xasprintf(_("no session log: %s could not be created (%s)"), log_path,
		                        strerror(errno));
		if (fd >= 0)
			close(fd);
		free(log_path);
		log_path = NULL;
		free(dir);
		return false;
	}
	free(dir);
	setvbuf(log_fp, NULL, _IOLBF, 0);
	char when[64];
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %z", &tm);
	fprintf(log_fp, "syncdoctor %s session log, %s\n", PACKAGE_VERSION, when);
	fprintf(log_fp, "curses: %s\n", curses_version());
	write_cmdline();
	const char *v[] = {"TERM", "LANG", "LC_ALL", "LANGUAGE", "LINES", "COLUMNS", "NO_COLOR"};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const char *s = getenv(v[i]);
		fprintf(log_fp, "%s=%s\n", v[i], s ? s : "(unset)");
	}
	fprintf(log_fp, "charset: %s\n", nl_langinfo(CODESET));
	fflush(log_fp);
	return true;
}

void ui_log_close(void)
{
	if (log_fp) {
		fputs("end of session\n", log_fp);
		fclose(log_fp);
	}
	log_fp = NULL;
	free(log_path);
	free(log_problem);
	log_path = log_problem = NULL;
}

const char *ui_log_path(void) { return log_path; }
const char *ui_log_problem(void) { return log_problem; }

void ui_log_printf(const char *fmt, ...)
{
	if (!log_fp)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vput(fmt, ap);
	va_end(ap);
	fputc('\n', log_fp);
	fflush(log_fp);
}

void ui_log_page(const ui_page *p)
{
	if (!log_fp)
		return;
	log_put("\n==== [%d/%d] %s ====\n", p->step, p->nsteps, p->title);
	for (size_t i = 0; i < p->n_lines; i++)
		log_put("%*s%s\n", p->lines[i].indent, "", p->lines[i].text);
	for (size_t i = 0; i < p->n_choices; i++)
		log_put("  [%zu] %s\n", i + 1, p->choices[i].label);
	fflush(log_fp);
}

void ui_log_answer(const char *fmt, ...)
{
	if (!log_fp)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	/* one answer, one line: a newline typed or in a file's name is escaped
	 * too */
	char *e = report_escape(s);
	fprintf(log_fp, "> %s\n", e);
	free(e), free(s);
	fflush(log_fp);
}
