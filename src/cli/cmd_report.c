/* cmd_report.c: 'syncdoctor report FILE -o BUNDLE.tar.gz': a support bundle. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "cli.h"
#include "diagnosis.h"
#include "i18n.h"
#include "io.h"
#include "journal.h"

static void usage(void)
{
	printf(_("Usage: syncdoctor report [OPTION]... FILE -o BUNDLE.tar.gz\n"
	         "Diagnose FILE and write a support bundle to send to whoever helps next: the\n"
	         "report as text, JSON and YAML, the session log, the sync file's index, the\n"
	         "list of files in its database and what the case journal knows of it. No\n"
	         "photos, no observation contents beyond ids, categories and dates, and no\n"
	         "projectKey. FILE is never changed.\n"
	         "\n"
	         "  -o, --output=BUNDLE the bundle to write (required)\n"
	         "  -c, --config=CFG    compare with this configuration\n"
	         "      --no-config     do not look for Mapeo Desktop's configuration\n"
	         "      --userdata=DIR  Mapeo Desktop's data folder (default: found)\n"
	         "      --log=LOG       include this session log (default: the newest wizard\n"
	         "                      log that names FILE)\n"
	         "      --force         replace BUNDLE when it exists (only ever a regular\n"
	         "                      file)\n"
	         "      --remove-stale  remove temporaries an earlier killed run left beside\n"
	         "                      BUNDLE\n"
	         "  -h, --help          display this help and exit\n"
	         "\n"
	         "Exit status: 0 written, 1 usage error, 3 FILE or LOG could not be read,\n"
	         "4 BUNDLE could not be written (nothing was left under its name).\n"));
}

int cmd_report(int argc, char **argv, sess_options *g)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"config", required_argument, NULL, 'c'},
	    {"no-config", no_argument, NULL, 'N'},
	    {"userdata", required_argument, NULL, 'u'},
	    {"log", required_argument, NULL, 'l'},
	    {"force", no_argument, NULL, 'F'},
	    {"remove-stale", no_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	bundle_options bo = {0};
	const char *output = NULL;
	bool remove_stale = false;
	int c;
	while ((c = getopt_long(argc, argv, "o:c:h", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'o': output = optarg; break;
		case 'c': bo.config_path = optarg; break;
		case 'N': bo.no_auto_config = true; break;
		case 'u': bo.userdata = optarg; break;
		case 'l': bo.log_path = optarg; break;
		case 'F': bo.force = true; break;
		case 'T': remove_stale = true; break;
		case 'h': usage(); return EXIT_OK;
		default: return cli_usage_error(_("unknown option"));
		}
	}
	if (optind >= argc)
		return cli_usage_error(_("report needs the sync file to describe"));
	if (optind + 1 < argc)
		return cli_usage_error(_("report takes one file; '%s' is one too many"),
		                       argv[optind + 1]);
	if (!output)
		return cli_usage_error(_("report needs the bundle to write: -o BUNDLE.tar.gz"));
	bo.file = argv[optind];
	if (bo.log_path) {
		/* a regular file, opened without waiting on a FIFO (noted as read:
		 * never the bundle) */
		sd_input *lf;
		sd_error lerr;
		if (sdin_open(bo.log_path, &lf, &lerr) != SD_OK) {
			cli_error(_("cannot read the session log: %s"), lerr.msg);
			return EXIT_UNREADABLE;
		}
		sdin_close(lf);
	}
	/* what the report reads is never the bundle it writes */
	io_note_read(bo.file);
	io_note_read(bo.config_path);
	int ready = cli_output_ready(output, bo.force, remove_stale);
	if (ready != EXIT_OK)
		return ready;
	if (!bo.userdata)
		bo.userdata = g->userdata;
	bo.log_dir = g->log_dir;

	check_options co = {0};
	co.config_path = bo.config_path;
	co.userdata = bo.userdata;
	co.no_auto_config = bo.no_auto_config;
	co.fingerprint = !g->no_journal; /* for the case journal */
	sd_progress prog = {NULL, NULL, &sess_interrupted};
	sd_report *r = NULL;
	sd_error err;
	sd_status st = cli_check(bo.file, &co, &prog, &r, &err);
	if (st == SD_ERR_CANCELLED) {
		cli_error(_("interrupted; nothing was written"));
		return EXIT_INTERRUPTED;
	}
	if (st != SD_OK) {
		cli_error("%s", err.msg);
		return EXIT_UNREADABLE;
	}
	if (r->verdict == VERDICT_UNREADABLE) {
		cli_error("%s", err.msg);
		report_free(r);
		return EXIT_UNREADABLE;
	}
	cli_journal_check(g, r);
	jnl_db *j = cli_journal_open(g, false);
	char *log_used = NULL;
	st = bundle_write(output, &bo, r, j, &prog, &log_used, &err);
	jnl_close(j);
	report_free(r);
	if (st != SD_OK) {
		cli_error("%s", err.msg);
		free(log_used);
		return st == SD_ERR_CANCELLED ? EXIT_INTERRUPTED
		       : st == SD_ERR_USAGE   ? EXIT_USAGE
		                              : EXIT_NOT_WRITTEN;
	}
	cli_printf(_("Support bundle written: %s\n"), output);
	if (log_used)
		cli_printf(_("It includes the session log %s.\n"), log_used);
	free(log_used);
	return EXIT_OK;
}
