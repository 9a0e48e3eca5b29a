/* cmd_match.c: 'syncdoctor match FILE CFG...|DIR': which configuration made
 * a sync file. */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "i18n.h"
#include "keys.h"
#include "report.h"
#include "settings.h"
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
	         "Exit status: 0 a configuration matched, 2 none did, 3 FILE could not be\n"
	         "read, 1 usage error.\n"));
}

typedef struct match_state {
	const char *want; /* the file's discovery key, "" for the default project */
	json_t *matches;
	json_t *checked;
} match_state;

static void try_config(match_state *ms, const char *path)
{
	findings fl;
	fnd_init(&fl);
	mapeo_config *c = NULL;
	if (cfg_open(path, &c, &fl, NULL) == SD_OK) {
		bool same = cfg_same_project(c, ms->want);
		json_t *one = json_object();
		json_object_set_new(one, "path", json_string(path));
		json_object_set_new(one, "name", c->name ? json_string(c->name) : json_null());
		json_object_set_new(one, "version",
		                    c->version ? json_string(c->version) : json_null());
		json_object_set_new(one, "footer", json_string(c->footer));
		json_object_set_new(one, "match", json_boolean(same));
		json_array_append_new(ms->checked, one);
		if (same)
			json_array_append_new(ms->matches, json_string(path));
		cfg_free(c);
	}
	fnd_free(&fl);
}

/* path itself when it is not a folder (any name), else every configuration
 * cfg_search finds under it. */
static void scan(match_state *ms, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;
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
	match_state ms = {sf->has_discovery_key ? sf->discovery_key : "", json_array(),
	                  json_array()};
	for (int i = optind + 1; i < argc; i++)
		scan(&ms, argv[i]);
	for (const char *const *p = from_conf ? g->config_search : NULL; p && *p; p++)
		scan(&ms, *p);
	if (sess_interrupted) {
		cli_error(_("interrupted"));
		json_decref(ms.matches);
		json_decref(ms.checked);
		sf_close(sf);
		fnd_free(&fl);
		return EXIT_INTERRUPTED;
	}
	char form[16];
	keys_error_form(ms.want, form);
	size_t n = json_array_size(ms.matches);
	if (fmt == REPORT_TEXT) {
		cli_printf(_("%s belongs to the project Mapeo shows as 'syncfile=%s'.\n"),
		           argv[optind], form);
		size_t i;
		json_t *one;
		json_array_foreach(ms.checked, i, one)
		{
			const char *name = json_string_value(json_object_get(one, "name"));
			const char *ver = json_string_value(json_object_get(one, "version"));
			cli_printf("%s %s (%s %s, %s)\n",
			           json_is_true(json_object_get(one, "match")) ? _("MATCH")
			                                                       : _("no   "),
			           json_string_value(json_object_get(one, "path")),
			           name ? name : _("(no name)"), ver ? ver : "",
			           json_string_value(json_object_get(one, "footer")));
		}
		if (n)
			cli_printf(P_("%zu of %zu configurations made this file.\n",
			              "%zu of %zu configurations made this file.\n",
			              json_array_size(ms.checked)),
			           n, json_array_size(ms.checked));
		else
			cli_printf(P_("None of the %zu configuration made this file.\n",
			              "None of the %zu configurations made this file.\n",
			              json_array_size(ms.checked)),
			           json_array_size(ms.checked));
	} else {
		json_t *o = json_object();
		json_object_set(o, "matches", ms.matches);
		json_object_set_new(o, "checked",
		                    json_integer((json_int_t)json_array_size(ms.checked)));
		json_object_set(o, "configurations", ms.checked);
		strbuf out = SB_INIT;
		report_tree_render(o, fmt, &out);
		cli_print(sb_str(&out));
		sb_free(&out);
		json_decref(o);
	}
	json_decref(ms.matches);
	json_decref(ms.checked);
	sf_close(sf);
	fnd_free(&fl);
	return n ? EXIT_OK : EXIT_PROBLEMS;
}
