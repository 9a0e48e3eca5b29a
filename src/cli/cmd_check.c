/* cmd_check.c: 'syncdoctor check': the diagnosis as text, JSON or YAML. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "database.h"
#include "diagnosis.h"
#include "i18n.h"
#include "rebuild.h"
#include "report.h"
#include "syncfile.h"

static void usage(void)
{
	printf(_("Usage: syncdoctor check [OPTION]... FILE\n"
	         "  or:  syncdoctor check [OPTION]... DIR\n"
	         "  or:  syncdoctor check [OPTION]... --database[=DIR]\n"
	         "Diagnose a Mapeo sync file in the guide's order: configuration, version,\n"
	         "corruption. The file is only read, never changed. DIR is a Mapeo database\n"
	         "folder (Mapeo Desktop's data folder or its kappa.db, a copy of a phone's\n"
	         "database, or a leftover osm-p2p-syncfile-* folder, its database unpacked\n"
	         "or packed as osm-p2p-db.tar), checked in place.\n"
	         "\n"
	         "      --database[=DIR]  check a database folder; without DIR, Mapeo\n"
	         "                      Desktop's on this computer\n"
	         "  -c, --config=CFG    compare with this configuration (.mapeosettings or a\n"
	         "                      folder); default: Mapeo Desktop's on this computer\n"
	         "      --no-config     do not look for Mapeo Desktop's configuration\n"
	         "      --userdata=DIR  Mapeo Desktop's data folder (default: found)\n"
	         "  -f, --format=FMT    text (default), json or yaml\n"
	         "  -q, --quick         structure and index only (no feed hashing)\n"
	         "      --versions=FILE the table of Mapeo versions to use\n"
	         "      --no-environment  do not look at this computer (Mapeo install, logs,\n"
	         "                      temporary folders, free space)\n"
	         "  -h, --help          display this help and exit\n"
	         "\n"
	         "Exit status: 0 no problems, 1 usage error, 2 problems found,\n"
	         "3 the file could not be read, 130 interrupted.\n"));
}

/* One line on stderr, rewritten in place with a carriage return and
 * spaces only: no escape sequence, so it reads right on TERM=dumb, a
 * serial console or a screen reader. Off when stderr is not a terminal. */
typedef struct progress_line {
	bool on;
	time_t start;
	time_t last;
	int len; /* columns of the line now shown */
} progress_line;

static void progress_clear(progress_line *pl)
{
	fprintf(stderr, "\r%*s\r", pl->len, "");
	pl->len = 0;
	fflush(stderr);
}

static void on_progress(void *ud, const char *phase, uint64_t done, uint64_t total, uint64_t items,
                        uint64_t items_total)
{
	progress_line *pl = ud;
	(void)items, (void)items_total;
	if (!pl->on || !total)
		return;
	time_t now = time(NULL);
	if (now == pl->last)
		return;
	pl->last = now;
	double frac = (double)done / (double)total;
	long eta = frac > 0.01 ? (long)((double)(now - pl->start) * (1 - frac) / frac) : -1;
	char *line = eta >= 0 ? xasprintf(_("%s: %3.0f%%, about %lds left "), phase ? phase : "",
	                                  frac * 100, eta)
	                      : xasprintf("%s: %3.0f%% ", phase ? phase : "", frac * 100);
	char *e = report_escape(line);
	int n = (int)strlen(e);
	/* spaces over what a longer line before left */
	fprintf(stderr, "\r%s%*s", e, pl->len > n ? pl->len - n : 0, "");
	pl->len = n > pl->len ? n : pl->len;
	free(e);
	free(line);
	fflush(stderr);
}

static void print_piece(const char *text, void *ud)
{
	(void)ud;
	cli_print(text);
}

static int term_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col < 120 ? ws.ws_col : 120;
	return 80;
}

/* check_run(), then the repair a damaged file's advice names, planned
 * from what the check read (rebuild_advise()). *r is NULL when cancelled. */
sd_status cli_check(const char *path, check_options *opt, const sd_progress *prog, sd_report **r,
                    sd_error *err)
{
	syncfile *sf = NULL;
	opt->keep = opt->quick ? NULL : &sf;
	sd_status st = check_run(path, opt, prog, r, err);
	if (st == SD_OK && sf)
		st = rebuild_advise(*r, sf, prog);
	sf_close(sf);
	if (st == SD_ERR_CANCELLED && *r) {
		report_free(*r);
		*r = NULL;
	}
	return st;
}

int cmd_check(int argc, char **argv, sess_options *g)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"no-config", no_argument, NULL, 'N'},
	    {"userdata", required_argument, NULL, 'u'},
	    {"format", required_argument, NULL, 'f'},
	    {"quick", no_argument, NULL, 'q'},
	    {"versions", required_argument, NULL, 'V'},
	    {"no-environment", no_argument, NULL, 'E'},
	    {"database", optional_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	check_options opt = {0};
	opt.environment = true;
	report_format fmt = REPORT_TEXT;
	bool database = false;
	const char *database_dir = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:f:qh", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'c': opt.config_path = optarg; break;
		case 'N': opt.no_auto_config = true; break;
		case 'u': opt.userdata = optarg; break;
		case 'f':
			if (!cli_format_option(optarg, &fmt))
				return EXIT_USAGE;
			break;
		case 'q': opt.quick = true; break;
		case 'V': opt.versions = optarg; break;
		case 'E': opt.no_local_mapeo = true; break;
		case 'D':
			database = true;
			database_dir = optarg;
			break;
		case 'h': usage(); return EXIT_OK;
		default: return cli_usage_error(_("unknown option"));
		}
	}
	char *found_db = NULL;
	const char *path = optind < argc ? argv[optind] : NULL;
	if (database && database_dir) {
		if (path)
			return cli_usage_error(_("check takes one database; '%s' is one too many"),
			                       path);
		path = database_dir;
	} else if (database && !path) {
		found_db = db_find_default(opt.userdata);
		if (!found_db) {
			cli_error(
			    _("Mapeo Desktop's data folder was not found on this computer: give it "
			      "with --database=DIR"));
			return EXIT_UNREADABLE;
		}
		path = found_db;
	}
	if (!path)
		return cli_usage_error(_("check needs the sync file to check"));
	if (strcmp(path, "-") == 0)
		return cli_usage_error(
		    _("check reads a sync file by its name, not from standard input ('-'): save it "
		      "to a file and give that file's name"));
	if (optind + (database_dir ? 0 : 1) < argc)
		return cli_usage_error(_("check takes one file; '%s' is one too many"),
		                       argv[optind + (database_dir ? 0 : 1)]);

	if (!opt.userdata)
		opt.userdata = g->userdata; /* the configuration file's mapeo_userdata */
	opt.environment = !opt.no_local_mapeo;
	opt.fingerprint = !g->no_journal; /* for the case journal */
	progress_line pl = {isatty(STDERR_FILENO) && !g->quiet, time(NULL), 0, 0};
	/* no listener when nothing is drawn: the core then skips the work */
	sd_progress prog = {pl.on ? on_progress : NULL, &pl, &sess_interrupted};
	sd_report *r = NULL;
	sd_error err;
	sd_status st = cli_check(path, &opt, &prog, &r, &err);
	free(found_db);
	if (pl.on && pl.last)
		progress_clear(&pl);
	if (st == SD_ERR_CANCELLED) {
		cli_error(_("interrupted; nothing was changed"));
		return EXIT_INTERRUPTED;
	}
	struct stat sb;
	if (r->verdict == VERDICT_UNREADABLE && fmt == REPORT_TEXT && stat(path, &sb) != 0) {
		/* nothing was read: the reason, not a report of "(0 bytes)" */
		cli_error("%s", err.msg);
		report_free(r);
		return EXIT_UNREADABLE;
	}
	if (r->verdict == VERDICT_UNREADABLE)
		cli_error("%s", err.msg);
	/* printed as it is rendered: a million observations' ids are never
	 * whole in memory */
	report_render_stream(r, fmt, term_width(), print_piece, NULL);
	cli_journal_check(g, r);
	int rc = r->verdict == VERDICT_OK         ? EXIT_OK
	         : r->verdict == VERDICT_PROBLEMS ? EXIT_PROBLEMS
	                                          : EXIT_UNREADABLE;
	/* the findings could not be read back from their temporary file */
	if (fnd_status(&r->findings, &err) != SD_OK && r->verdict != VERDICT_UNREADABLE) {
		cli_error("%s", err.msg);
		rc = EXIT_UNREADABLE;
	}
	report_free(r);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error(_("could not write the report to standard output"));
		return EXIT_NOT_WRITTEN;
	}
	return rc;
}
