/* cmd_rebuild.c: 'syncdoctor rebuild FILE -o OUT': write a repaired sync file. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "io.h"
#include "rebuild.h"
#include "report.h"

static void usage(void)
{
	printf(_("Usage: syncdoctor rebuild [OPTION]... SOURCE... -o OUT\n"
	         "  or:  syncdoctor rebuild [OPTION]... [FILE] --database DIR -o OUT\n"
	         "Write a new sync file OUT in the exact layout Mapeo writes, with a new index\n"
	         "and trailer, the project restored, dead space dropped and the feeds numbered\n"
	         "without gaps. Each SOURCE is a sync file or a database folder of one project:\n"
	         "feeds are united by key at the longest length that verifies, photos by name\n"
	         "(FILE --database DIR restores a file whose database was popped out into a\n"
	         "temporary folder; A B joins two sync files). No source is ever changed. OUT\n"
	         "is written under a temporary name, verified with every hash and signature,\n"
	         "and only then renamed; a file Mapeo would refuse is never written.\n"
	         "\n"
	         "  -o, --output=OUT    the file to write (required)\n"
	         "  -c, --config=CFG    write it for this configuration's project; the data\n"
	         "                      joins that project\n"
	         "      --repair        rebuild index, trailer and project (the default)\n"
	         "      --salvage       keep every block that verifies and cut each feed at its\n"
	         "                      first one that does not; leave out photos that will\n"
	         "                      not open\n"
	         "      --rescue        with --salvage: copy the entries it leaves out that still\n"
	         "                      hash to what their device signed into a new feed under\n"
	         "                      a new key, so Mapeo receives them (they get new\n"
	         "                      versions, and may appear twice once the device that\n"
	         "                      made them syncs again)\n"
	         "      --database=DIR  read a database folder too (or instead): Mapeo\n"
	         "                      Desktop's data folder or kappa.db, a phone's copy,\n"
	         "                      or a leftover osm-p2p-syncfile-* folder (its database\n"
	         "                      unpacked or packed as osm-p2p-db.tar); secret_key\n"
	         "                      and localname are never copied\n"
	         "      --exclude-suspect  cut each feed before its first suspect observation\n"
	         "                      (1970 dates, photos that will not open, ...)\n"
	         "  -n, --dry-run       print the plan and write nothing\n"
	         "      --force         replace OUT when it exists and is a regular file\n"
	         "      --remove-stale  remove temporaries an earlier killed run left beside OUT\n"
	         "      --format=FMT    the plan as text (default), json or yaml\n"
	         "  -h, --help          display this help and exit\n"
	         "\n"
	         "Exit status: 0 written (or planned), 1 usage error, 2 refused: the file this\n"
	         "mode writes would fail its own full check (the plan names the mode that gives\n"
	         "a clean file), FILE is of an era that is not rebuilt, or the configuration\n"
	         "given names no project it can use (damaged, or not a configuration), 3 FILE\n"
	         "could not be read, 4 OUT could not be written, exists without --force or is\n"
	         "not a regular file (nothing was left under its name). OUT inside a folder it\n"
	         "reads is a usage error: syncdoctor never writes into what it reads.\n"));
}

/* The exit status of a failed plan or write; other: for any other error. */
static int exit_of(sd_status st, int other)
{
	return st == SD_ERR_CANCELLED ? EXIT_INTERRUPTED
	       : st == SD_ERR_USAGE   ? EXIT_USAGE
	       : st == SD_ERR_REFUSED ? EXIT_PROBLEMS
	                              : other;
}

/* Print the plan, then write it unless it is a dry run, it would not be
 * clean, or the person pressed Ctrl-C. Returns the exit status. */
static int show_and_write(const sess_options *g, rebuild_plan *p, const rebuild_options *opt,
                          const sd_progress *prog, const char *output, bool dry, report_format fmt)
{
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
	if (!dry && sess_interrupted) {
		/* A Ctrl-C while the plan was shown: nothing is written. */
		cli_error(_("interrupted; nothing was written"));
		dry = true;
		rc = EXIT_INTERRUPTED;
	}
	if (p->n_unclean) {
		/* the plan says why and which mode can; nothing is written */
		const char *mode = rebuild_clean_mode(p);
		if (p->n_unclean == 1 && p->no_observations && mode)
			cli_error(
			    _("the file this mode writes would hold photos and no observation: "
			      "nothing was written; rebuild with %s"),
			    mode);
		else if (p->n_unclean == 1 && p->no_observations)
			cli_error("%s", _("the file this mode writes would hold photos and no "
			                  "observation: nothing was written"));
		else if (mode)
			cli_error(_("the file this mode writes would fail its own full check: "
			            "nothing was written; rebuild with %s"),
			          mode);
		else
			cli_error("%s", _("the file this mode writes would fail its own full "
			                  "check: nothing was written"));
		rc = EXIT_PROBLEMS;
	} else if (!dry) {
		sd_error err;
		sd_status st = rebuild_write(p, output, opt, prog, &err);
		cli_journal_rebuild(g, p, output, opt->salvage, st == SD_OK ? NULL : err.msg);
		if (st == SD_OK) {
			if (fmt == REPORT_TEXT)
				cli_printf(_("Written and verified: %s\n"), output);
		} else {
			cli_error("%s", err.msg);
			rc = exit_of(st, EXIT_NOT_WRITTEN);
		}
	}
	return rc;
}

int cmd_rebuild(int argc, char **argv, sess_options *g)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"config", required_argument, NULL, 'c'},
	    {"repair", no_argument, NULL, 'R'},
	    {"salvage", no_argument, NULL, 'S'},
	    {"database", required_argument, NULL, 'D'},
	    {"exclude-suspect", no_argument, NULL, 'X'},
	    {"rescue", no_argument, NULL, 'K'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"force", no_argument, NULL, 'F'},
	    {"remove-stale", no_argument, NULL, 'T'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	rebuild_options opt = {0};
	const char *output = NULL;
	const char **sources = xcalloc((size_t)argc + 1, sizeof *sources);
	size_t n_db = 0;
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
		case 'D': sources[n_db++] = optarg; break;
		case 'X': opt.exclude_suspect = true; break;
		case 'K': opt.rescue = opt.salvage = true; break;
		case 'n': dry = true; break;
		case 'F': opt.force = true; break;
		case 'T': remove_stale = true; break;
		case 'f':
			if (!cli_format_option(optarg, &fmt)) {
				free(sources);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage();
			free(sources);
			return EXIT_OK;
		default: free(sources); return cli_usage_error(_("unknown option"));
		}
	}
	/* the sync files first, in the order given, then the folders */
	size_t n = 0;
	const char **all = xcalloc((size_t)argc + 1, sizeof *all);
	for (int i = optind; i < argc; i++)
		all[n++] = argv[i];
	for (size_t i = 0; i < n_db; i++)
		all[n++] = sources[i];
	free(sources);
	if (!n) {
		free(all);
		return cli_usage_error(_("rebuild needs a sync file or a database folder to read"));
	}
	if (!output && !dry) {
		free(all);
		return cli_usage_error(_("rebuild needs the output file: -o OUT"));
	}
	/* what it reads is never the output, nor a folder it is written into:
	 * said first (without --force, "already exists" came first) */
	for (size_t i = 0; i < n; i++)
		io_note_read(all[i]);
	io_note_read(opt.config_path);
	int ready = dry ? EXIT_OK : cli_output_ready(output, opt.force, remove_stale);
	if (ready != EXIT_OK) {
		free(all);
		return ready;
	}
	if (!opt.userdata)
		opt.userdata = g->userdata; /* the configuration file's mapeo_userdata */
	sd_progress prog = {NULL, NULL, &sess_interrupted};
	rebuild_plan *p = NULL;
	sd_error err;
	opt.fingerprint = !dry && !g->no_journal; /* for the case journal */
	sd_status st = rebuild_plan_make_multi(all, n, &opt, &prog, &p, &err);
	free(all);
	if (st != SD_OK) {
		cli_error("%s", err.msg);
		return exit_of(st, EXIT_UNREADABLE);
	}
	int rc = show_and_write(g, p, &opt, &prog, output, dry, fmt);
	rebuild_plan_free(p);
	return rc;
}
