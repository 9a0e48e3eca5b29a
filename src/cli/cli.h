/* cli.h: what the subcommands share: the usage-error style, the common
 * options, and the entry points cli_main() dispatches to (the session's
 * options and exit codes are the core's, session.h).
 *
 * Each subcommand lives in its own file (cmd_NAME.c), parses its own
 * options with getopt_long (optind is reset before it runs) and returns the
 * process exit status. None of them parses a file format: they ask the core. */
#ifndef SD_CLI_H
#define SD_CLI_H

#include <stdbool.h>

#include "report.h"
#include "session.h"
#include "xalloc.h"

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
 * then io_check_target(). EXIT_OK, or (after saying why) the exit status
 * when target must not be written: EXIT_USAGE for a file or folder the run
 * reads, else EXIT_NOT_WRITTEN. */
int cli_output_ready(const char *target, bool force, bool remove_stale);
/* True when opt was one of the common options (and g was updated). */
bool cli_common_option(int opt, const char *arg, sess_options *g);

int cmd_check(int argc, char **argv, sess_options *g);
int cmd_match(int argc, char **argv, sess_options *g);
int cmd_diff(int argc, char **argv, sess_options *g);
int cmd_env(int argc, char **argv, sess_options *g);
int cmd_history(int argc, char **argv, sess_options *g);
int cmd_report(int argc, char **argv, sess_options *g);
int cmd_rebuild(int argc, char **argv, sess_options *g);
/* check_run(), then, for a damaged file, the repair its advice names,
 * planned from what the check read (rebuild_advise()): what 'check' and
 * 'report' run (cmd_check.c). opt->keep is set here. *r is NULL when
 * cancelled. */
struct check_options;
struct sd_progress;
struct sd_error;
sd_status cli_check(const char *path, struct check_options *opt, const struct sd_progress *prog,
                    struct sd_report **r, struct sd_error *err);
/* The case journal (cmd_history.c). cli_journal_open() returns NULL with
 * --no-journal, or after warning on stderr when it cannot be used: the
 * journal never changes a command's outcome. */
struct jnl_db;
struct jnl_db *cli_journal_open(const sess_options *g, bool create);
/* Record a check (fingerprints the file); returns the row id or 0. */
struct sd_report;
long long cli_journal_check(const sess_options *g, const struct sd_report *r);
/* Record a rebuild of input into output (written or not; error NULL when written). */
struct rebuild_plan;
void cli_journal_rebuild(const sess_options *g, const struct rebuild_plan *p, const char *output,
                         bool salvage, const char *error);
/* Parse the global options in argv and run the command they name; returns
 * its exit status, or CLI_RUN_WIZARD when no command was named (then
 * *wizard_file is the one file given, or NULL): main() starts the wizard. */
#define CLI_RUN_WIZARD (-1)
int cli_main(int argc, char **argv, sess_options *g, const char **wizard_file);

#endif
