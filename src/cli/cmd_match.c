/* cmd_match.c: 'syncdoctor match FILE CFG...|DIR': which configuration made
 * a sync file. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "configuration.h"
#include "diagnosis.h"
#include "i18n.h"
#include "keys.h"
#include "report_match.h"
#include "syncfile.h"

static void usage(void)
{
	printf(_("Usage: syncdoctor match [OPTION]... FILE CFG...\n"
	         "Tell which of the given configurations made the sync file FILE, or that none\n"
	         "did. Each CFG is a .mapeosettings file, a configuration folder, or a folder\n"
	         "searched (recursively) for both.\n"
	         "\n"
	         "  -f, --format=FMT   text (default), json or yaml\n"
	         "  -h, --help         display this help and exit\n"
	         "\n"
	         "Each configuration is shown with the id Mapeo's errors give it (us=...).\n"
	         "\n"
	         "Exit status: 0 a configuration matched, 2 none did, 3 FILE could not be\n"
	         "read or its project cannot be read, 1 usage error.\n"));
}

typedef struct match_state {
	const char *want; /* the file's discovery key, "" for the default project */
	report_match out;
} match_state;

static void try_config(match_state *ms, const char *path)
{
	findings fl;
	fnd_init(&fl);
	mapeo_config *c = NULL;
	sd_error err;
	if (cfg_open(path, &c, &fl, &err) == SD_OK && c->metadata_lost) {
		/* its key was never read (damaged before its metadata.json, or
		 * no configuration at all): neither "no" nor "MATCH" */
		for (size_t i = 0; i < fnd_n(&fl); i++)
			if (fnd_at(&fl, i)->id == FND_CONFIG_DAMAGED)
				cli_warning("%s", fnd_at(&fl, i)->message);
		cli_warning(_("%s: the project key it names cannot be read: it is left out of "
		              "the comparison"),
		            path);
	} else if (c) {
		report_match_add(&ms->out, path, c->name, c->version, c->footer, c->discovery_key,
		                 cfg_same_project(c, ms->want));
	} else {
		cli_warning(_("%s; it is left out of the comparison"), err.msg);
	}
	cfg_free(c);
	fnd_free(&fl);
}

/* path itself when it is not a folder (any name), else every configuration
 * cfg_search finds under it. */
static void scan(match_state *ms, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		cli_warning(_("%s: cannot open: %s; it is left out of the comparison"), path,
		            strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		try_config(ms, path);
		return;
	}
	char **found = NULL;
	size_t n = 0, cap = 0;
	cfg_search(path, 8, SIZE_MAX, &found, &n, &cap);
	for (size_t i = 0; i < n; i++) {
		try_config(ms, found[i]);
		free(found[i]);
	}
	free(found);
}

int cmd_match(int argc, char **argv, sess_options *g)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	report_format fmt = REPORT_TEXT;
	int c;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'f':
			if (!cli_format_option(optarg, &fmt))
				return EXIT_USAGE;
			break;
		case 'h': usage(); return EXIT_OK;
		default: return cli_usage_error(_("unknown option"));
		}
	}
	/* Without CFG: the configuration file's config_search folders. */
	bool from_conf = argc - optind == 1 && g->config_search && *g->config_search;
	if (argc - optind < 2 && !from_conf)
		return cli_usage_error(_("match needs a sync file and at least one configuration"));
	findings fl;
	fnd_init(&fl);
	syncfile *sf = NULL;
	sd_error err;
	if (sf_open(argv[optind], &sf, &fl, NULL, &err) != SD_OK) {
		cli_error("%s", err.msg);
		fnd_free(&fl);
		return EXIT_UNREADABLE;
	}
	/* a file whose project cannot be read is no file of the default
	 * project: saying which configuration "made" it would be a guess */
	char *untold = check_project_untold(sf);
	if (untold) {
		const finding *nf = NULL;
		for (size_t i = 0; i < fnd_n(&fl) && !nf; i++)
			if (fnd_at(&fl, i)->id == FND_NOT_A_SYNC_FILE)
				nf = fnd_at(&fl, i);
		cli_error(_("%s: which project it belongs to cannot be told: %s"), argv[optind],
		          nf ? nf->message : untold);
		free(untold);
		sf_close(sf);
		fnd_free(&fl);
		return EXIT_UNREADABLE;
	}
	match_state ms;
	memset(&ms, 0, sizeof ms);
	ms.want = sf->has_discovery_key ? sf->discovery_key : "";
	ms.out.file = argv[optind];
	for (int i = optind + 1; i < argc; i++)
		scan(&ms, argv[i]);
	for (const char *const *p = from_conf ? g->config_search : NULL; p && *p; p++)
		scan(&ms, *p);
	if (sess_interrupted) {
		cli_error(_("interrupted"));
		report_match_free(&ms.out);
		sf_close(sf);
		fnd_free(&fl);
		return EXIT_INTERRUPTED;
	}
	keys_error_form(ms.want, ms.out.project);
	strbuf out = SB_INIT;
	report_match_render(&ms.out, fmt, &out);
	cli_print(sb_str(&out));
	sb_free(&out);
	size_t n = ms.out.n_matches;
	report_match_free(&ms.out);
	sf_close(sf);
	fnd_free(&fl);
	return n ? EXIT_OK : EXIT_PROBLEMS;
}
