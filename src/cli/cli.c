/* cli.c: the command line: its global options, --help and --version, the
 * dispatch to one cmd_NAME.c per command, and the messages they share. */
#include "config.h"

#include <ctype.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "io.h"
#include "report.h"
#include "xalloc.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("syncdoctor: ", stderr);
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* Messages quote names from files and paths: never raw control bytes. */
	char *e = report_escape(msg);
	fputs(e, stderr);
	free(e);
	free(msg);
	fputc('\n', stderr);
}

void cli_print(const char *text)
{
	char *e = report_escape_text(text, true);
	fputs(e, stdout);
	free(e);
}

void cli_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	cli_print(msg);
	free(msg);
}

void cli_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *e = report_escape(msg);
	fflush(stdout);
	fprintf(stderr, _("syncdoctor: warning: %s\n"), e);
	free(e);
	free(msg);
}

/* The argv getopt is scanning (main's, then the command's) and the command's
 * name, so an unknown option can be named in one line. */
static char **scan_argv;
static const char *scan_cmd;

/* getopt's own message (opterr) would be a second line, prefixed with the
 * command's name instead of the program's: name the option ourselves. */
static int bad_option(void)
{
	char *typed = report_escape(optind > 0 ? scan_argv[optind - 1] : "");
	const char *arg = typed;
	const char *cmd = scan_cmd ? scan_cmd : "";
	const char *sp = scan_cmd ? " " : "";
	fflush(stdout);
	if (strncmp(arg, "--", 2) == 0) {
		int len = (int)strcspn(arg, "=");
		if (optopt == 0)
			fprintf(stderr,
			        _("syncdoctor: unrecognized option '%.*s'; see 'syncdoctor "
			          "%s%s--help'\n"),
			        len, arg, cmd, sp);
		else
			fprintf(
			    stderr,
			    _("syncdoctor: option '%.*s' is missing its value or takes none; see "
			      "'syncdoctor %s%s--help'\n"),
			    len, arg, cmd, sp);
	} else {
		fprintf(
		    stderr,
		    _("syncdoctor: invalid option '-%c' or missing value; see 'syncdoctor %s%s--"
		      "help'\n"),
		    isprint(optopt) ? optopt : '?', cmd, sp);
	}
	free(typed);
	return EXIT_USAGE;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	/* The commands report getopt's '?' as "unknown option". */
	if (strcmp(fmt, _("unknown option")) == 0)
		return bad_option();
	fflush(stdout);
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* it quotes what was typed: a command or a name, never raw bytes */
	char *e = report_escape(msg);
	fprintf(stderr, "syncdoctor: %s\n", e);
	free(e), free(msg);
	fprintf(stderr, _("Try 'syncdoctor --help' for more information.\n"));
	return EXIT_USAGE;
}

bool cli_format_option(const char *arg, report_format *fmt)
{
	if (report_format_parse(arg, fmt))
		return true;
	cli_usage_error(_("unknown format '%s' (use text, json or yaml)"), arg);
	return false;
}

int cli_output_ready(const char *target, bool force, bool remove_stale)
{
	char **stale = io_stale_temps(target);
	for (char **p = stale; *p; p++) {
		if (remove_stale && unlink(*p) == 0) {
			cli_warning(_("removed %s, left by an earlier run that was killed"), *p);
		} else if (!remove_stale) {
			cli_warning(_("%s was left by an earlier run that was killed; "
			              "--remove-stale removes it"),
			            *p);
		}
	}
	io_free_list(stale);
	sd_error err;
	if (io_check_target(target, force, &err) != SD_OK) {
		cli_error("%s", err.msg);
		return err.status == SD_ERR_USAGE ? EXIT_USAGE : EXIT_NOT_WRITTEN;
	}
	return EXIT_OK;
}

bool cli_common_option(int opt, const char *arg, sess_options *g)
{
	switch (opt) {
	case CLI_OPT_NO_COLOR: g->no_color = true; return true;
	case CLI_OPT_ASCII: g->ascii = true; return true;
	case CLI_OPT_JOURNAL:
		g->journal = arg;
		g->no_journal = false; /* over the configuration file's "journal: false" */
		return true;
	case CLI_OPT_NO_JOURNAL: g->no_journal = true; return true;
	default: return false;
	}
}

static void usage(void)
{
	printf(_("Usage: syncdoctor [OPTION]... [FILE]\n"
	         "  or:  syncdoctor COMMAND [OPTION]... [ARGUMENT]...\n"
	         "Diagnose and repair Mapeo sync files (.mapeodata), following the order of\n"
	         "Mapeo's guide: configuration, version, corruption.\n"
	         "\n"
	         "Without a COMMAND, syncdoctor starts a step-by-step wizard (a plain\n"
	         "question-and-answer mode when the terminal cannot show it). FILE skips the\n"
	         "question of which sync file to check.\n"
	         "\n"));
	printf(_("Commands:\n"
	         "  check FILE|DIR     diagnose a sync file or a Mapeo database folder\n"
	         "  match FILE CFG...  tell which configurations made a sync file\n"
	         "  diff CFG_A CFG_B   show how two configurations differ\n"
	         "  env                show what syncdoctor knows about this computer's Mapeo\n"
	         "  rebuild FILE -o OUT  write a repaired sync file; the input is never changed\n"
	         "  report FILE -o BUNDLE.tar.gz  make a support bundle to send to a helper\n"
	         "  history [FILE]     list past checks from the case journal\n"
	         "Run 'syncdoctor COMMAND --help' for the options of a command.\n"
	         "\n"));
	printf(_("Options:\n"
	         "      --ascii        draw lines with ASCII characters (for PuTTY)\n"
	         "      --no-color     do not use colour (NO_COLOR is honoured too)\n"
	         "      --journal=PATH keep the case journal in PATH\n"
	         "      --no-journal   do not record this run in the case journal\n"
	         "  -h, --help         display this help and exit\n"
	         "  -V, --version      output version information and exit\n"
	         "\n"));
	printf(_("Exit status:\n"
	         "  0  no problems found\n"
	         "  1  the command line was wrong\n"
	         "  2  problems were found\n"
	         "  3  a file could not be read at all\n"
	         "  4  an output could not be written (nothing was left behind)\n"
	         "\n"));
	printf(_("syncdoctor never writes to a file it was asked to read.\n"
	         "Full documentation: man syncdoctor\n"));
	printf(_("Report bugs to: %s\n"), PACKAGE_BUGREPORT);
}

static void version(void)
{
	/* "syncdoctor 0.1.0 (Debian 0.1.0-1; commit 1a2b3c4d5e6f)": scripts
	 * read the second word; what follows says exactly which build this is. */
	printf("syncdoctor %s", PACKAGE_VERSION);
	if (SD_PACKAGE_VERSION[0] || SD_COMMIT[0])
		printf(" (%s%s%s%s)", SD_PACKAGE_VERSION,
		       SD_PACKAGE_VERSION[0] && SD_COMMIT[0] ? "; " : "",
		       SD_COMMIT[0] ? "commit " : "", SD_COMMIT);
	printf("\n");
	printf("Copyright (C) 2026 The syncdoctor authors.\n");
	printf(_("License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
	         "This is free software: you are free to change and redistribute it.\n"
	         "There is NO WARRANTY, to the extent permitted by law.\n"));
}

/* What --help and --version wrote must have reached stdout: on a full
 * disk (or /dev/full) say so and fail, as GNU programs do. */
static int close_stdout(int rc)
{
	if ((fflush(stdout) != 0 || ferror(stdout)) && rc != EXIT_NOT_WRITTEN) {
		int e = errno;
		fprintf(stderr, _("syncdoctor: write error: %s\n"), strerror(e));
		return EXIT_NOT_WRITTEN;
	}
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(int, char **, sess_options *);
} commands[] = {
    {"check", cmd_check},     {"match", cmd_match},   {"diff", cmd_diff},       {"env", cmd_env},
    {"rebuild", cmd_rebuild}, {"report", cmd_report}, {"history", cmd_history},
};

int cli_main(int argc, char **argv, sess_options *g, const char **wizard_file)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0; /* bad_option() says it in one line */
	scan_argv = argv;
	/* '+': stop at the first non-option, the command. */
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'h': usage(); return close_stdout(EXIT_OK);
		case 'V': version(); return close_stdout(EXIT_OK);
		default: return bad_option();
		}
	}
	if (optind >= argc) {
		*wizard_file = NULL;
		return CLI_RUN_WIZARD;
	}

	const char *cmd = argv[optind];
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(cmd, commands[i].name) == 0) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			optind = 0; /* GNU getopt: full re-initialisation */
			scan_argv = sub_argv;
			scan_cmd = commands[i].name;
			return close_stdout(commands[i].fn(sub_argc, sub_argv, g));
		}
	}
	struct stat st;
	if (optind + 1 == argc && stat(cmd, &st) != 0) {
		/* a word that is neither a command nor a file is a mistyped
		 * command (GNU habit: say so, exit 1), not a wizard on a missing
		 * file */
		if (!strchr(cmd, '/') && !strchr(cmd, '.'))
			return cli_usage_error(_("unknown command '%s' (the commands are check, "
			                         "match, diff, env, rebuild, report and history)"),
			                       cmd);
		cli_error(_("%s: %s"), cmd, strerror(errno));
		return EXIT_UNREADABLE;
	}
	if (optind + 1 == argc) {
		*wizard_file = cmd;
		return CLI_RUN_WIZARD;
	}
	return cli_usage_error(_("unknown command '%s'"), cmd);
}
