/* session.h: what one run of syncdoctor shares between its front ends (the
 * command line in src/cli, the wizard in src/tui): the options of the run,
 * the interrupt flag, the exit codes, and the run's places (the case
 * journal, the log folder, the configuration folders to search, the version
 * table), settled once from the configuration file (userconf.h) and the
 * command line.
 *
 * The program's main() (src/main.c) fills a sess_options, installs the
 * signal handlers and hands the options to the front end it picks; neither
 * front end includes the other's headers. Nothing here prints. */
#ifndef SD_SESSION_H
#define SD_SESSION_H

#include <signal.h>
#include <stdbool.h>

#include "userconf.h"

/* Documented in the man page (EXIT STATUS) and README. */
enum {
	EXIT_OK = 0,          /* nothing wrong (or: identical, one matched) */
	EXIT_USAGE = 1,       /* bad command line */
	EXIT_PROBLEMS = 2,    /* problems found (or: different, none matched) */
	EXIT_UNREADABLE = 3,  /* an input could not be read at all */
	EXIT_NOT_WRITTEN = 4, /* an output could not be written; nothing was left behind */
	EXIT_INTERRUPTED = 130,
};

/* The options of the run. Strings are borrowed: from argv or from the
 * configuration file sess_load_config() keeps for the whole run. */
typedef struct sess_options {
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
} sess_options;

/* Set by the SIGINT handler; pass to the core through sd_progress.cancel. */
extern volatile sig_atomic_t sess_interrupted;
/* Set by the wizard while it owns the terminal: puts the terminal back as
 * it found it using only async-signal-safe calls. The signal handlers call
 * it before the process dies of a signal (a second Ctrl-C, Ctrl-\, a
 * crash), so the shell never inherits a hidden cursor or the alternate
 * screen. */
extern void (*volatile sess_signal_restore)(void);

/* Install the run's signal handlers: the first SIGINT, SIGTERM or SIGHUP
 * sets sess_interrupted; a second one, or SIGQUIT, or a crash puts the
 * terminal back (sess_signal_restore), removes temporary outputs
 * (sdout_cleanup_all) and dies of the same signal. SIGXFSZ is ignored, so a
 * file-size limit is a write error. */
void sess_install_signals(void);

/* Load the configuration file (ucf_load_default) and keep it for the whole
 * run; the caller shows its warnings (before sess_apply_config() changes the
 * language). Never NULL. */
const ucf_config *sess_load_config(void);
/* Apply u to o, below the environment and the command line: the language
 * (unless LANGUAGE is set), colour, line drawing, journal, data folder,
 * configuration folders, log folder and version table (ver_set_path). */
void sess_apply_config(sess_options *o, const ucf_config *u);

/* Where the case journal is: --journal, the configuration file's, or
 * jnl_default_path(). NULL with --no-journal or when there is no place for
 * it. Caller frees. */
char *sess_journal_path(const sess_options *o);

#endif
