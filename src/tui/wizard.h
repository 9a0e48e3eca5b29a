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

#include "cli/cli.h"
#include "diagnosis.h"
#include "ui.h"

typedef enum wiz_nav { NAV_NEXT, NAV_BACK, NAV_QUIT, NAV_EOF } wiz_nav;

typedef struct wizard {
	cli_globals *g;
	char *file;       /* the sync file */
	bool file_given;  /* on the command line: the file step is skipped */
	char *cfg_path;   /* this computer's configuration; NULL with cfg_default */
	bool cfg_default; /* Mapeo's bundled default: no project key */
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
	long long journal_id; /* the full check's row in the case journal, 0 none */
	char fingerprint[65]; /* of the sync file, "" until the full check */
	char *seen_before;    /* translated: what the journal knew of the file, NULL */
	volatile sig_atomic_t cancel;
	int step, nsteps; /* of the page being shown */
} wizard;

/* Replace *slot with a copy of s (NULL allowed). */
void wiz_set(char **slot, const char *s);
/* A path for people: relative to the current folder when inside it, "~/"
 * for home, escaped. Caller frees. */
char *wiz_show_path(const char *path);
/* Run the diagnosis for the current file and configuration with a
 * progress bar (cached while they do not change). Returns the report, or
 * NULL when cancelled or impossible (a message was shown). */
sd_report *wiz_check(wizard *w, bool quick);
/* The repair flow: plan, confirm naming the output, write, verify.
 * for_config: rebuild for this computer's configuration (Option C). */
void wiz_rebuild(wizard *w, bool for_config);
/* The case journal (journal.h), as the CLI opens it (--journal,
 * --no-journal); NULL when there is none (why goes to the session log,
 * never to the screen). Close with jnl_close(). */
struct jnl_db *wiz_journal(const wizard *w, bool create);
/* The exit status the CLI would give for what is known now. */
int wiz_exit_status(const wizard *w);
/* Whether quitting now loses work (a diagnosis not saved anywhere). */
bool wiz_work_unsaved(const wizard *w);

wiz_nav panel_welcome(wizard *w);
wiz_nav panel_file(wizard *w);
wiz_nav panel_config(wizard *w);
wiz_nav panel_step1(wizard *w);
wiz_nav panel_step2(wizard *w);
wiz_nav panel_step3(wizard *w);
wiz_nav panel_summary(wizard *w);

/* Map a front-end answer that is not a pick to a navigation. */
wiz_nav wiz_nav_of(const ui_answer *a);

#endif
