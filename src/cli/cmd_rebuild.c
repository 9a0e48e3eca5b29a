/* cmd_rebuild.c: 'syncdoctor rebuild FILE -o OUT': write a repaired sync file. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "io.h"
#include "i18n.h"
#include "rebuild.h"
#include "report.h"

static void usage(void)
{
	printf(
	    _("Usage: syncdoctor rebuild [OPTION]... FILE -o OUT\n"
	      "  or:  syncdoctor rebuild [OPTION]... --database DIR -o OUT\n"
	      "Write a new sync file OUT from FILE in the exact layout Mapeo writes, with a new\n"
	      "index and trailer, the project restored, dead space dropped and the feeds\n"
	      "numbered without gaps. FILE is never changed. OUT is written under a\n"
	      "temporary name, verified, and only then renamed.\n"
	      "\n"
	      "  -o, --output=OUT    the file to write (required)\n"
	      "  -c, --config=CFG    write it for this configuration's project; the data\n"
	      "                      joins that project\n"
	      "      --repair        rebuild index, trailer and project (the default)\n"
	      "      --salvage       keep every block that verifies and cut each feed at its\n"
	      "                      first one that does not; leave out photos that will\n"
	      "                      not open\n"
	      "      --database=DIR  read a database folder instead of a sync file: Mapeo\n"
	      "                      Desktop's data folder or kappa.db, a phone's copy,\n"
	      "                      or a leftover osm-p2p-syncfile-* folder; secret_key\n"
	      "                      and localname are never copied\n"
	      "      --exclude-suspect  cut each feed before its first suspect observation\n"
	      "                      (1970 dates, photos that will not open, ...)\n"
	      "  -n, --dry-run       print the plan and write nothing\n"
	      "      --force         replace OUT when it exists (only ever a regular file)\n"
	      "      --remove-stale  remove temporaries an earlier killed run left beside OUT\n"
	      "      --format=FMT    the plan as text (default), json or yaml\n"
	      "  -h, --help          display this help and exit\n"
	      "\n"
	      "Exit status: 0 written (or planned), 1 usage error, 3 FILE could not be read,\n"
	      "4 OUT could not be written (nothing was left under its name).\n"));
}

int cmd_rebuild(int argc, char **argv, cli_globals *g)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"config", required_argument, NULL, 'c'},
	    {"repair", no_argument, NULL, 'R'},
	    {"salvage", no_argument, NULL, 'S'},
	    {"database", required_argument, NULL, 'D'},
	    {"exclude-suspect", no_argument, NULL, 'X'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"force", no_argument, NULL, 'F'},
	    {"remove-stale", no_argument, NULL, 'T'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	rebuild_options opt = {0};
	const char *output = NULL, *database = NULL;
	bool dry = false, remove_stale = false;
	report_format fmt = REPORT_TEXT;
	int c;
	while ((c = getopt_long(argc, argv, "o:c:nh", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'o': output = optarg; break;
		case 'c': opt.config_path = optarg; break;
		case 'R': break;
		case 'S': opt.salvage = true; break;
		case 'D': database = optarg; break;
		case 'X': opt.exclude_suspect = true; break;
		case 'n': dry = true; break;
		case 'F': opt.force = true; break;
		case 'T': remove_stale = true; break;
		case 'f':
			if (!cli_format_option(optarg, &fmt))
				return EXIT_USAGE;
			break;
		case 'h': usage(); return EXIT_OK;
		default: return cli_usage_error(_("unknown option"));
		}
	}
	if (database ? optind != argc : optind + 1 != argc)
		return cli_usage_error(_("rebuild needs one sync file to read"));
	const char *input = database ? database : argv[optind];
	if (!output && !dry)
		return cli_usage_error(_("rebuild needs the output file: -o OUT"));
	if (!dry && !cli_output_ready(output, opt.force, remove_stale))
		return EXIT_NOT_WRITTEN;
	if (!opt.userdata)
		opt.userdata = g->userdata; /* the configuration file's mapeo_userdata */
	sd_progress prog = {NULL, NULL, &cli_interrupted};
	rebuild_plan *p = NULL;
	sd_error err;
	sd_status st = rebuild_plan_make(input, &opt, &prog, &p, &err);
	if (st != SD_OK) {
		cli_error("%s", err.msg);
		return st == SD_ERR_CANCELLED ? EXIT_INTERRUPTED
		       : st == SD_ERR_USAGE   ? EXIT_USAGE
		                              : EXIT_UNREADABLE;
	}
	strbuf out = SB_INIT;
	if (fmt == REPORT_TEXT) {
		rebuild_plan_text(p, &out);
	} else {
		json_t *j = rebuild_plan_json(p);
		report_tree_render(j, fmt, &out);
		json_decref(j);
	}
	cli_print(sb_str(&out));
	sb_free(&out);
	if (p->changes_project && fmt == REPORT_TEXT)
		fprintf(stderr,
		        _("syncdoctor: warning: the rebuilt file belongs to another project: "
		          "its observations will merge into that project\n"));
	int rc = EXIT_OK;
	sd_test_point("rebuild-planned");
	if (!dry && cli_interrupted) {
		/* A Ctrl-C while the plan was shown: nothing is written. */
		cli_error(_("interrupted; nothing was written"));
		dry = true;
		rc = EXIT_INTERRUPTED;
	}
	if (!dry) {
		st = rebuild_write(p, output, &opt, &prog, &err);
		cli_journal_rebuild(g, p, output, opt.salvage, st == SD_OK ? NULL : err.msg);
		if (st == SD_OK) {
			if (fmt == REPORT_TEXT)
				cli_printf(_("Written and verified: %s\n"), output);
		} else {
			cli_error("%s", err.msg);
			rc = st == SD_ERR_CANCELLED ? EXIT_INTERRUPTED
			     : st == SD_ERR_USAGE   ? EXIT_USAGE
			                            : EXIT_NOT_WRITTEN;
		}
	}
	rebuild_plan_free(p);
	return rc;
}
