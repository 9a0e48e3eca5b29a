/* cmd_history.c: 'syncdoctor history [FILE]', and how the other commands
 * use the case journal (journal.h). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "diagnosis.h"
#include "i18n.h"
#include "journal.h"
#include "rebuild.h"
#include "report_history.h"

struct jnl_db *cli_journal_open(const sess_options *g, bool create)
{
	char *path = sess_journal_path(g);
	if (!path)
		return NULL;
	jnl_db *j = NULL;
	sd_error err;
	if (jnl_open(path, create, &j, &err) != SD_OK) {
		/* the error may quote the file's bytes (a damaged schema) */
		char *e = report_escape(err.msg);
		fflush(stdout);
		fprintf(stderr, _("syncdoctor: warning: %s; going on without the case journal\n"),
		        e);
		free(e);
		j = NULL;
	}
	free(path);
	return j;
}

long long cli_journal_check(const sess_options *g, const struct sd_report *r)
{
	jnl_db *j = cli_journal_open(g, true);
	if (!j)
		return 0;
	sd_progress prog = {NULL, NULL, &sess_interrupted};
	int64_t id = 0;
	sd_error err;
	if (jnl_record_report(j, r, &prog, NULL, &id, &err) != SD_OK) {
		/* the error may quote the file's bytes (a damaged schema) */
		char *e = report_escape(err.msg);
		fflush(stdout);
		fprintf(stderr, _("syncdoctor: warning: %s; this check was not recorded\n"), e);
		free(e);
	}
	jnl_close(j);
	return id;
}

void cli_journal_rebuild(const sess_options *g, const struct rebuild_plan *p, const char *output,
                         bool salvage, const char *error)
{
	jnl_db *j = cli_journal_open(g, true);
	if (!j)
		return;
	sd_progress prog = {NULL, NULL, &sess_interrupted};
	sd_error err;
	if (jnl_record_plan(j, p, output, salvage, error, &prog, &err) != SD_OK) {
		/* the error may quote the file's bytes (a damaged schema) */
		char *e = report_escape(err.msg);
		fflush(stdout);
		fprintf(stderr, _("syncdoctor: warning: %s; this rebuild was not recorded\n"), e);
		free(e);
	}
	jnl_close(j);
}

static void usage(void)
{
	printf(_("Usage: syncdoctor history [OPTION]... [FILE]\n"
	         "List the checks and rebuilds kept in the case journal, newest first. With FILE,\n"
	         "only those of that file (the same content, or the same path), and a summary:\n"
	         "how many times it was checked, when it was first seen without a problem, and\n"
	         "since when it has problems (any step: a configuration that does not match\n"
	         "counts too).\n"
	         "\n"
	         "  -f, --format=FMT    text (default), json or yaml\n"
	         "  -n, --limit=N       at most N checks (and N rebuilds)\n"
	         "  -h, --help          display this help and exit\n"
	         "\n"
	         "The journal is $XDG_STATE_HOME/syncdoctor/journal.sqlite unless --journal\n"
	         "or the configuration file says otherwise.\n"
	         "\n"
	         "Exit status: 0 listed (even when empty), 1 usage error, 3 the journal could\n"
	         "not be read.\n"));
}

/* Rows are rendered and printed as they come (report_history.h), so the
 * memory of 'history' is that of one row whatever the journal holds. */
typedef struct hist_out {
	report_history r;
	strbuf buf;
} hist_out;

static void flush_out(hist_out *h)
{
	cli_print(sb_str(&h->buf));
	sb_reset(&h->buf);
}

static sd_status print_check(void *ctx, jnl_check *c)
{
	hist_out *h = ctx;
	if (sess_interrupted)
		return SD_ERR_CANCELLED;
	report_history_check(&h->r, c, &h->buf);
	flush_out(h);
	return SD_OK;
}

static sd_status print_rebuild(void *ctx, jnl_rebuild_row *b)
{
	hist_out *h = ctx;
	if (sess_interrupted)
		return SD_ERR_CANCELLED;
	report_history_rebuild(&h->r, b, &h->buf);
	flush_out(h);
	return SD_OK;
}

int cmd_history(int argc, char **argv, sess_options *g)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"limit", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	report_format fmt = REPORT_TEXT;
	size_t limit = 0;
	int c;
	while ((c = getopt_long(argc, argv, "f:n:h", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'f':
			if (!cli_format_option(optarg, &fmt))
				return EXIT_USAGE;
			break;
		case 'n': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v <= 0)
				return cli_usage_error(
				    _("--limit needs a positive number, not '%s'"), optarg);
			limit = (size_t)v;
			break;
		}
		case 'h': usage(); return EXIT_OK;
		default: return cli_usage_error(_("unknown option"));
		}
	}
	if (optind + 1 < argc)
		return cli_usage_error(_("history takes at most one file; '%s' is one too many"),
		                       argv[optind + 1]);
	if (g->no_journal)
		return cli_usage_error(_("history reads the case journal: it cannot be used with "
		                         "--no-journal"));
	const char *file = optind < argc ? argv[optind] : NULL;
	char *path = sess_journal_path(g);
	if (!path) {
		cli_error(_("there is no case journal: neither XDG_STATE_HOME nor HOME is set"));
		return EXIT_UNREADABLE;
	}
	struct stat st;
	jnl_db *j = NULL;
	sd_error err;
	int rc = EXIT_OK;
	char fp[KEYS_HEX_SIZE] = "";
	if (file) {
		struct stat fs;
		if (stat(file, &fs) == 0 && S_ISREG(fs.st_mode)) {
			sd_progress prog = {NULL, NULL, &sess_interrupted};
			if (jnl_fingerprint(file, &prog, fp, &err) == SD_ERR_CANCELLED)
				return EXIT_INTERRUPTED;
		}
	}
	jnl_summary sum;
	memset(&sum, 0, sizeof sum);
	if (stat(path, &st) == 0) {
		if (jnl_open(path, false, &j, &err) != SD_OK) {
			cli_error("%s", err.msg);
			free(path);
			return EXIT_UNREADABLE;
		}
		/* The summary first, folded by SQLite, so that the rows after it can
		 * be printed as they are read, never held all at once. */
		if (file && jnl_summary_get(j, file, fp, limit, &sum, &err) != SD_OK) {
			cli_error("%s", err.msg);
			jnl_close(j);
			free(path);
			return EXIT_UNREADABLE;
		}
	}
	hist_out h = {{fmt, file, fp, &sum, path, 0, 0, NULL, NULL}, SB_INIT};
	report_history_begin(&h.r, &h.buf);
	flush_out(&h);
	static const jnl_walk_fns checks = {print_check, NULL}, rebuilds = {NULL, print_rebuild};
	sd_status ws = SD_OK;
	if (j)
		ws = jnl_walk(j, file, fp, limit, &checks, &h, &err);
	report_history_checks_end(&h.r, &h.buf);
	flush_out(&h);
	if (j && ws == SD_OK)
		ws = jnl_walk(j, file, fp, limit, &rebuilds, &h, &err);
	if (ws != SD_OK) {
		fflush(stdout);
		if (ws != SD_ERR_CANCELLED)
			cli_error("%s", err.msg);
		report_history_abandon(&h.r);
		sb_free(&h.buf);
		jnl_close(j);
		free(path);
		return ws == SD_ERR_CANCELLED ? EXIT_INTERRUPTED : EXIT_UNREADABLE;
	}
	report_history_end(&h.r, &h.buf);
	flush_out(&h);
	sb_free(&h.buf);
	jnl_close(j);
	free(path);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error(_("could not write to standard output"));
		rc = EXIT_NOT_WRITTEN;
	}
	return rc;
}
