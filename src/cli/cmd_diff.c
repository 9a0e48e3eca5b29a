/* cmd_diff.c: 'syncdoctor diff CFG_A CFG_B': how two configurations differ. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "configuration_diff.h"
#include "i18n.h"
#include "io.h"
#include "report.h"

static void usage(void)
{
	printf(_("Usage: syncdoctor diff [OPTION]... CFG_A CFG_B\n"
	         "Show how two Mapeo configurations differ, by meaning: metadata, categories,\n"
	         "presets, fields (renames included), defaults, translations, icons, imagery\n"
	         "and style. Each CFG is a .mapeosettings file (tar or ZIP) or a folder.\n"
	         "\n"
	         "  -f, --format=FMT   text (default), json or yaml\n"
	         "  -w, --width=N      text width; side by side from 120 columns\n"
	         "  -h, --help         display this help and exit\n"
	         "\n"
	         "Exit status: 0 the same, 2 different, 3 a configuration could not be read\n"
	         "(or only in part: what was read is compared, and the damage named), 1 usage\n"
	         "error.\n"));
}

int cmd_diff(int argc, char **argv, sess_options *g)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"width", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	report_format fmt = REPORT_TEXT;
	int width = 0, c;
	while ((c = getopt_long(argc, argv, "f:w:h", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'f':
			if (!cli_format_option(optarg, &fmt))
				return EXIT_USAGE;
			break;
		case 'w': {
			char *end;
			errno = 0;
			long w = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || w < 20 || w > 1000)
				return cli_usage_error(_("--width takes a number of columns from "
				                         "20 to 1000, not '%s'"),
				                       optarg);
			width = (int)w;
			break;
		}
		case 'h': usage(); return EXIT_OK;
		default: return cli_usage_error(_("unknown option"));
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(_("diff needs exactly two configurations"));
	if (!width) {
		struct winsize ws;
		width = isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0
		            ? ws.ws_col
		            : 80;
	}
	mapeo_config *cfg[2] = {NULL, NULL};
	findings fl;
	fnd_init(&fl);
	for (int i = 0; i < 2; i++) {
		sd_error err;
		if (cfg_open(argv[optind + i], &cfg[i], &fl, &err) != SD_OK) {
			cli_error("%s", err.msg);
			cfg_free(cfg[0]);
			fnd_free(&fl);
			return EXIT_UNREADABLE;
		}
	}
	size_t damaged = 0;
	for (size_t i = 0; i < fnd_n(&fl); i++)
		if (fnd_at(&fl, i)->severity == SEV_ERROR) {
			cli_warning("%s", fnd_at(&fl, i)->message);
			damaged++;
		}
	for (int i = 0; i < 2; i++)
		if (!cfg[i]->metadata) {
			/* no metadata.json read: every setting would show as "removed"
			 * and its project as the default one, a diff of nothing */
			cli_error(_("%s: its metadata.json could not be read, so there is nothing "
			            "to compare"),
			          cfg[i]->path);
			cfg_free(cfg[0]), cfg_free(cfg[1]);
			fnd_free(&fl);
			return EXIT_UNREADABLE;
		}
	sd_test_point("diff");
	cfg_diff *d = cfg_diff_compute_cancel(cfg[0], cfg[1], &sess_interrupted);
	if (d->cancelled) {
		cli_error(_("interrupted"));
		cfg_diff_free(d);
		cfg_free(cfg[0]), cfg_free(cfg[1]);
		fnd_free(&fl);
		return EXIT_INTERRUPTED;
	}
	strbuf out = SB_INIT;
	if (fmt == REPORT_TEXT) {
		cfg_diff_to_text(d, cfg[0], cfg[1], width, &out);
	} else {
		json_t *j = cfg_diff_to_json(d, cfg[0], cfg[1]);
		json_t *probs = json_array();
		for (size_t i = 0; i < fnd_n(&fl); i++)
			if (fnd_at(&fl, i)->severity == SEV_ERROR)
				json_array_append_new(probs, json_string(fnd_at(&fl, i)->message));
		json_object_set_new(j, "problems", probs);
		report_tree_render(j, fmt, &out);
		json_decref(j);
	}
	cli_print(sb_str(&out));
	sb_free(&out);
	/* the same settings built twice are no problem */
	int rc = damaged ? EXIT_UNREADABLE : d->content_differs ? EXIT_PROBLEMS : EXIT_OK;
	cfg_diff_free(d);
	cfg_free(cfg[0]), cfg_free(cfg[1]);
	fnd_free(&fl);
	return rc;
}
