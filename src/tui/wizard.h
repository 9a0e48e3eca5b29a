/* wizard.h: the wizard's state and its step panels (internal to src/tui).
 *
 * wizard.c walks the steps in the guide's order; each panel_*.c builds its
 * page from what the core found (check_run's sd_report, cfg_* for
 * configurations, rebuild_* for repairs) and returns where to go next.
 * Panels never parse a file themselves.
 *
 * Ownership: the wizard owns every string and report in it; panels replace
 * them with wiz_set() and the reports through wiz_check(). */
#ifndef SD_WIZARD_H
#define SD_WIZARD_H

#include <signal.h>
#include <stdbool.h>

#include "session.h"
#include "diagnosis.h"
#include "report.h"
#include "ui.h"

/* One numbering whatever the wizard was started with (the help's "tell
 * them the step number" holds): the file step keeps its number when a
 * file on the command line skips it. */
enum {
	WIZ_STEP_WELCOME = 1,
	WIZ_STEP_FILE,
	WIZ_STEP_CONFIG,
	WIZ_STEP_CHECK1,
	WIZ_STEP_CHECK2,
	WIZ_STEP_CHECK3,
	WIZ_STEP_SUMMARY,
	WIZ_NSTEPS = WIZ_STEP_SUMMARY,
};

typedef enum wiz_nav { NAV_NEXT, NAV_BACK, NAV_QUIT, NAV_EOF } wiz_nav;

typedef struct wizard {
	sess_options *g;
	char *file;          /* the sync file */
	bool file_given;     /* on the command line: the file step is skipped */
	bool file_is_config; /* the "sync file" is a configuration (.mapeosettings) */
	char *cfg_path;      /* this computer's configuration; NULL with cfg_default */
	bool cfg_default;    /* Mapeo's bundled default: no project key */
	bool cfg_chosen;
	char *cfg_how; /* translated: where the configuration came from */
	char **nearby; /* .mapeosettings found near the file and at home */
	size_t n_nearby, cap_nearby;
	sd_report *quick; /* structure and index only: steps 1 and 2 */
	sd_report *full;  /* every check: step 3 and the summary */
	char *quick_key;  /* file + configuration the reports were made for */
	char *full_key;
	bool saved; /* a report was saved: quitting loses nothing */
	bool rebuilt;
	char *rebuilt_path;              /* the last file a repair wrote (absolute), NULL */
	char *rebuilt_what;              /* translated: what it kept, in counts */
	long long journal_id;            /* the full check's row in the case journal, 0 none */
	char fingerprint[KEYS_HEX_SIZE]; /* of the sync file, "" until the full check */
	char *seen_before;               /* translated: what the journal knew of the file, NULL */
	char *db_dir;  /* a Mapeo database folder to check (syncdoctor DIR), NULL */
	sd_report *db; /* the last database check (panel_database.c), NULL */
	volatile sig_atomic_t cancel;
	int step, nsteps; /* of the page being shown */
} wizard;

/* Replace *slot with a copy of s (NULL allowed). */
void wiz_set(char **slot, const char *s);
/* A path for people: relative to the current folder when inside it, "~/"
 * for home, escaped. Caller frees. */
char *wiz_show_path(const char *path);
/* Before writing path: for each temporary an earlier killed run left
 * beside it (io_stale_temps()), ask whether to remove it. */
void wiz_offer_stale(const char *path);
/* Run the diagnosis for the current file and configuration with a
 * progress bar (cached while they do not change). Returns the report, or
 * NULL when cancelled or impossible (a message was shown). */
sd_report *wiz_check(wizard *w, bool quick);
/* Run check_run() on path with opt, under a progress bar titled title (c
 * cancels). Returns the report (caller frees), or NULL when cancelled or
 * impossible (a message was shown). */
sd_report *wiz_run_check(wizard *w, const char *path, const check_options *opt, const char *title);
/* Save r as a report in fmt to path (asks before replacing a file). */
void wiz_save_report(wizard *w, const sd_report *r, report_format fmt, const char *path);
/* The database check (panel_database.c): choose a Mapeo database folder
 * (this computer's Mapeo Desktop data folder, found, or a typed one; a
 * copied phone database too), check it in place (never written) and show
 * the suspect observations and what to do in Mapeo. why: translated, the
 * reason it is offered (shown on the choosing page), may be NULL. Returns
 * NAV_QUIT or NAV_EOF when the person quit, else where to go next. */
wiz_nav wiz_database(wizard *w, const char *why);
/* The repair flow: plan, confirm naming the output, write, verify.
 * for_config: rebuild for this computer's configuration (Option C). */
void wiz_rebuild(wizard *w, bool for_config);
/* The repair flow for the sync file (folder NULL) or for the sync file
 * joined with a database folder (e.g. one a sync left in a temporary
 * folder: its feeds united with the file's by key, the file's photos kept,
 * as 'rebuild FILE --database DIR'), written beside the sync file, for the
 * configuration cfg (NULL: the project the sources say).
 * Refuses (says why) a plan that keeps no observations. On success sets
 * w->rebuilt_path and w->rebuilt_what. */
void wiz_rebuild_from(wizard *w, const char *folder, const char *cfg);
/* The case journal (journal.h), as the CLI opens it (--journal,
 * --no-journal); NULL when there is none (why goes to the session log,
 * never to the screen). Close with jnl_close(). */
struct jnl_db *wiz_journal(const wizard *w, bool create);
/* Record a database check in the case journal (as 'syncdoctor check DIR'
 * does); the sync file's own journal state is left as it is. */
void wiz_record_database(wizard *w, const sd_report *r);
/* The exit status the CLI would give for what is known now. */
int wiz_exit_status(const wizard *w);
/* Whether quitting now loses work (a diagnosis not saved anywhere). */
bool wiz_work_unsaved(const wizard *w);

/* Does the file need a repair before Mapeo takes it: an error in step 3,
 * or warnings the check's plan found a plain rebuild would still show
 * (signatures cut short: r->advised without r->rebuild_whole, as the
 * CLI's advice reads it)? Warnings a plain rebuild mends, or Mapeo
 * ignores, do not. r may be NULL. */
bool wiz_needs_repair(const sd_report *r);

wiz_nav panel_welcome(wizard *w);
wiz_nav panel_file(wizard *w);
wiz_nav panel_config(wizard *w); /* which configuration to compare with */
/* The guide's three checks, one file each, named by what they show. */
wiz_nav panel_configuration(wizard *w);
wiz_nav panel_version(wizard *w);
wiz_nav panel_corruption(wizard *w);
wiz_nav panel_summary(wizard *w);
wiz_nav panel_database(wizard *w); /* checks w->db_dir (syncdoctor DIR) */

/* Whether path is a Mapeo configuration (a .mapeosettings tar or ZIP with
 * presets), whatever its name; *title (when title is not NULL) gets its
 * escaped name and version (caller frees). Files over 16 MiB are not
 * looked at (no configuration is that big). */
bool wiz_is_config_file(const char *path, char **title);
/* Why the sync file's project cannot be known (translated), or NULL when
 * the report's project can be compared: step 1 says it instead of a
 * match or mismatch, and the summary does not advise on the project. */
const char *wiz_project_unknown(const wizard *w, const sd_report *r);

/* This computer's folders left by interrupted syncs (env_scan()), each
 * with how it relates to r's file: (*match)[i] as env_temp_match() says
 * (1 it belongs, 0 another file's, -1 cannot tell) and the feeds it
 * shares in (*shared)[i]. Free with env_free(), free(*match), free(*shared). */
struct env_info;
struct env_info *wiz_leftovers(const wizard *w, const sd_report *r, int **match, size_t **shared);

/* Map a front-end answer that is not a pick to a navigation. */
wiz_nav wiz_nav_of(const ui_answer *a);

#endif
