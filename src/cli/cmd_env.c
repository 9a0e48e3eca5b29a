/* cmd_env.c: 'syncdoctor env': what syncdoctor knows about this computer's
 * Mapeo (install and version, data folder, active configuration, sync
 * errors in the logs, folders left by interrupted syncs, free space),
 * without a sync file. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "env.h"
#include "i18n.h"
#include "report_env.h"
#include "strbuf.h"
#include "versions.h"

static void usage(void)
{
	printf(_("Usage: syncdoctor env [OPTION]...\n"
	         "Show what syncdoctor knows about Mapeo on this computer: the installed\n"
	         "Mapeo Desktop and its version, its data folder, the active configuration,\n"
	         "sync errors in its logs, folders left by interrupted syncs, and free space.\n"
	         "Nothing is changed.\n"
	         "\n"
	         "  -f, --format=FMT    text (default), json or yaml\n"
	         "      --userdata=DIR  Mapeo Desktop's data folder (default: found)\n"
	         "      --versions=FILE the table of Mapeo versions to use\n"
	         "  -h, --help          display this help and exit\n"));
}

int cmd_env(int argc, char **argv, sess_options *g)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"userdata", required_argument, NULL, 'u'},
	    {"versions", required_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	report_format fmt = REPORT_TEXT;
	env_options eo = {0};
	const char *versions = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'f':
			if (!cli_format_option(optarg, &fmt))
				return EXIT_USAGE;
			break;
		case 'u': eo.userdata = optarg; break;
		case 'V': versions = optarg; break;
		case 'h': usage(); return EXIT_OK;
		default: return cli_usage_error(_("unknown option"));
		}
	}
	if (optind < argc)
		return cli_usage_error(_("env takes no file; '%s' is one too many"), argv[optind]);
	if (!eo.userdata)
		eo.userdata = g->userdata;

	ver_table *t = NULL;
	sd_error err;
	const char *table_path = versions ? versions : ver_default_path();
	bool table_ok = ver_table_load(table_path, &t, &err) == SD_OK;
	env_info *e = env_scan(&eo);
	report_env view = {e, t, table_path, table_ok ? NULL : err.msg};
	strbuf out = SB_INIT;
	report_env_render(&view, fmt, &out);
	cli_print(sb_str(&out));
	sb_free(&out);
	env_free(e);
	ver_table_free(t);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error(_("could not write the report to standard output"));
		return EXIT_NOT_WRITTEN;
	}
	if (!table_ok && versions) {
		cli_error("%s", err.msg);
		return EXIT_UNREADABLE;
	}
	return EXIT_OK;
}
