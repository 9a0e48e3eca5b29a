/* cli.h: what the subcommands share: exit codes, global options, the
 * usage-error style, and the entry points main() dispatches to.
 *
 * Each subcommand lives in its own file (cmd_NAME.c), parses its own
 * options with getopt_long (optind is reset before it runs) and returns the
 * process exit status. None of them parses a file format: they ask the core. */
#ifndef SD_CLI_H
#define SD_CLI_H

#include <signal.h>
#include <stdbool.h>

#include "report.h"
#include "xalloc.h"

/* Documented in the man page (EXIT STATUS) and README. */
enum {
	EXIT_OK = 0,          /* nothing wrong (or: identical, one matched) */
	EXIT_USAGE = 1,       /* bad command line */
	EXIT_PROBLEMS = 2,    /* problems found (or: different, none matched) */
	EXIT_UNREADABLE = 3,  /* an input could not be read at all */
	EXIT_NOT_WRITTEN = 4, /* an output could not be written; nothing was left behind */
	EXIT_INTERRUPTED = 130,
};

typedef struct cli_globals {
	bool no_color;       /* --no-color or NO_COLOR */
	bool ascii;          /* --ascii line drawing */
	const char *journal; /* --journal PATH; NULL: default */
	bool no_journal;     /* --no-journal */
	bool quiet;
	/* From the configuration file (userconf.h); the command line wins. */
	const char *userdata; /* mapeo_userdata; NULL: found */
	const char *const
	    *config_search;        /* extra configuration folders, NULL-terminated; may be NULL */
	const char *language;      /* language (already applied to LANGUAGE) */
	const char *log_dir;       /* log_dir; NULL: $XDG_STATE_HOME/syncdoctor/logs */
	const char *version_table; /* version_table; NULL: the built-in one */
} cli_globals;

/* Set by the SIGINT handler; pass to the core through sd_progress.cancel. */
extern volatile sig_atomic_t cli_interrupted;
/* Set by the wizard while it owns the terminal: puts the terminal back as
 * it found it using only async-signal-safe calls. The signal handlers call
 * it before the process dies of a signal (a second Ctrl-C, Ctrl-\, a
 * crash), so the shell never inherits a hidden cursor or the alternate
 * screen. */
extern void (*volatile cli_signal_restore)(void);

/* Print "syncdoctor: MESSAGE" and the --help hint to stderr; returns EXIT_USAGE.
 * Given the (translated) message "unknown option" right after getopt_long()
 * returned '?', it names the offending option in a single line instead. */
int cli_usage_error(const char *fmt, ...) SD_PRINTF(1, 2);
/* Print "syncdoctor: MESSAGE" to stderr. */
void cli_error(const char *fmt, ...) SD_PRINTF(1, 2);
/* Print "syncdoctor: warning: MESSAGE" to stderr, escaped. */
void cli_warning(const char *fmt, ...) SD_PRINTF(1, 2);
/* Every command's standard output goes through these: text (lines kept)
 * through report_escape_text(), so no name from a file reaches the
 * terminal as a control sequence and no key read is shown whole. */
void cli_print(const char *text);
void cli_printf(const char *fmt, ...) SD_PRINTF(1, 2);

/* Long options every subcommand accepts; handle them with cli_common_option(). */
#define CLI_OPT_BASE 0x1000
enum {
	CLI_OPT_NO_COLOR = CLI_OPT_BASE,
	CLI_OPT_ASCII,
	CLI_OPT_JOURNAL,
	CLI_OPT_NO_JOURNAL,
};
#define CLI_COMMON_LONGOPTS                                                                        \
	{"no-color", no_argument, NULL, CLI_OPT_NO_COLOR},                                         \
	    {"ascii", no_argument, NULL, CLI_OPT_ASCII},                                           \
	    {"journal", required_argument, NULL, CLI_OPT_JOURNAL},                                 \
	{                                                                                          \
		"no-journal", no_argument, NULL, CLI_OPT_NO_JOURNAL                                \
	}
/* Parse a --format argument into *fmt; on an unknown name print the usage
 * error and return false (the caller returns EXIT_USAGE). */
bool cli_format_option(const char *arg, report_format *fmt);
/* Before writing target (report, rebuild): name the temporaries an
 * earlier killed run left beside it (removing them when remove_stale),
 * then io_check_target(). False (after saying why) when target must not be
 * written: the command exits EXIT_NOT_WRITTEN. */
bool cli_output_ready(const char *target, bool force, bool remove_stale);
/* True when opt was one of the common options (and g was updated). */
bool cli_common_option(int opt, const char *arg, cli_globals *g);

int cmd_check(int argc, char **argv, cli_globals *g);
int cmd_match(int argc, char **argv, cli_globals *g);
int cmd_diff(int argc, char **argv, cli_globals *g);
int cmd_env(int argc, char **argv, cli_globals *g);
int cmd_history(int argc, char **argv, cli_globals *g);
int cmd_report(int argc, char **argv, cli_globals *g);
int cmd_rebuild(int argc, char **argv, cli_globals *g);
/* The case journal (cmd_history.c). cli_journal_open() returns NULL with
 * --no-journal, or after warning on stderr when it cannot be used: the
 * journal never changes a command's outcome. */
struct jnl_db;
struct jnl_db *cli_journal_open(const cli_globals *g, bool create);
/* Record a check (fingerprints the file); returns the row id or 0. */
struct sd_report;
long long cli_journal_check(const cli_globals *g, const struct sd_report *r);
/* Record a rebuild of input into output (written or not; error NULL when written). */
struct rebuild_plan;
void cli_journal_rebuild(const cli_globals *g, const struct rebuild_plan *p, const char *output,
                         bool salvage, const char *error);
/* The wizard (src/tui); file may be NULL (then it asks). */
int ui_wizard_main(const char *file, cli_globals *g);

#endif
