/* wizard.c: the step-by-step wizard. Walks the guide's steps in order
 * (welcome, sync file, this computer's configuration, check 1
 * configuration, check 2 version, check 3 corruption, summary), runs the
 * core's diagnosis and repair with a progress bar (with the options
 * 'syncdoctor check' uses, so the exit status is the CLI's), records them
 * in the case journal as the CLI does, and keeps the session log. The
 * panels are in panel_*.c; the front ends in ui.c, widgets.c and
 * lineui.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "i18n.h"
#include "journal.h"
#include "log.h"
#include "rebuild.h"
#include "report.h"
#include "wizard.h"

void wiz_set(char **slot, const char *s)
{
	char *c = xstrdup_or_null(s);
	free(*slot);
	*slot = c;
}

char *wiz_show_path(const char *path)
{
	char cwd[4096];
	const char *home = getenv("HOME");
	char *shown;
	size_t cl;
	if (getcwd(cwd, sizeof cwd) && (cl = strlen(cwd)) > 1 && strncmp(path, cwd, cl) == 0 &&
	    path[cl] == '/')
		shown = xstrdup(path + cl + 1);
	else if (home && *home && strlen(home) > 1 && strncmp(path, home, strlen(home)) == 0 &&
	         (path[strlen(home)] == '/' || path[strlen(home)] == '\0'))
		shown = xasprintf("~%s", path + strlen(home));
	else
		shown = xstrdup(path);
	/* names on disk may hold control characters: never send them raw */
	char *esc = report_escape(shown);
	free(shown);
	return esc;
}

wiz_nav wiz_nav_of(const ui_answer *a)
{
	switch (a->act) {
	case ACT_BACK: return NAV_BACK;
	case ACT_QUIT: return NAV_QUIT;
	case ACT_EOF: return NAV_EOF;
	default: return NAV_NEXT;
	}
}

static void on_progress(void *ud, const char *phase, uint64_t bytes_done, uint64_t bytes_total,
                        uint64_t items_done, uint64_t items_total)
{
	wizard *w = ud;
	uint64_t done = bytes_total ? bytes_done : items_done;
	uint64_t total = bytes_total ? bytes_total : items_total;
	/* the core names its phases except a device's data (counted in blocks) */
	if (ui_progress_update(phase ? phase : _("the devices' data"), done, total))
		w->cancel = 1;
}

struct jnl_db *wiz_journal(const wizard *w, bool create)
{
	if (w->g->no_journal)
		return NULL;
	char *path = w->g->journal ? xstrdup(w->g->journal) : jnl_default_path();
	if (!path)
		return NULL;
	jnl_db *j = NULL;
	sd_error err;
	sd_error_clear(&err);
	if (jnl_open(path, create, &j, &err) != SD_OK) {
		ui_log_printf("no case journal: %s", err.msg);
		j = NULL;
	}
	free(path);
	return j;
}

void wiz_record_database(wizard *w, const sd_report *r)
{
	jnl_db *j = wiz_journal(w, true);
	if (!j)
		return;
	sd_error err;
	sd_error_clear(&err);
	if (jnl_record_check(j, r, NULL, 0, NULL, &err) != SD_OK)
		ui_log_printf("the database check was not recorded in the case journal: %s",
		              err.msg);
	jnl_close(j);
}

/* Remember the full check in the case journal, and what it knew of the
 * file before (for the summary). */
static void record_check(wizard *w, const sd_report *r)
{
	free(w->seen_before);
	w->seen_before = NULL;
	w->journal_id = 0;
	w->fingerprint[0] = '\0';
	jnl_db *j = wiz_journal(w, true);
	if (!j)
		return;
	sd_progress prog = {NULL, NULL, &w->cancel};
	if (r->fingerprint[0])
		memcpy(w->fingerprint, r->fingerprint, sizeof r->fingerprint);
	else if (!r->is_database && r->verdict != VERDICT_UNREADABLE)
		jnl_fingerprint(r->file, &prog, w->fingerprint, NULL);
	int64_t id = 0;
	sd_error err;
	sd_error_clear(&err);
	if (jnl_record_check(j, r, w->fingerprint, 0, &id, &err) != SD_OK)
		ui_log_printf("the check was not recorded in the case journal: %s", err.msg);
	w->journal_id = id;
	w->seen_before =
	    jnl_seen_before(j, r->file, w->fingerprint[0] ? w->fingerprint : NULL, r, id);
	jnl_close(j);
}

/* Remember a rebuild in the case journal (as 'syncdoctor rebuild' does). */
static void record_rebuild(wizard *w, const rebuild_plan *p, const char *output, bool salvage,
                           const char *error)
{
	jnl_db *j = wiz_journal(w, true);
	if (!j)
		return;
	sd_progress prog = {NULL, NULL, &w->cancel};
	sd_error err;
	sd_error_clear(&err);
	if (jnl_record_plan(j, p, output, salvage, error, &prog, &err) != SD_OK)
		ui_log_printf("the rebuild was not recorded in the case journal: %s", err.msg);
	jnl_close(j);
}

static char *check_key(const wizard *w)
{
	return xasprintf("%s\n%s\n%d", w->file ? w->file : "", w->cfg_path ? w->cfg_path : "",
	                 w->cfg_default);
}

sd_report *wiz_run_check(wizard *w, const char *path, const check_options *opt, const char *title)
{
	w->cancel = 0;
	sd_progress prog = {on_progress, w, &w->cancel};
	ui_progress_begin(title);
	sd_report *r = NULL;
	sd_error err;
	sd_error_clear(&err);
	sd_status st = check_run(path, opt, &prog, &r, &err);
	ui_progress_end();
	if (st == SD_ERR_CANCELLED) {
		if (r)
			report_free(r);
		ui_message(_("Cancelled"), _("The check was cancelled. Nothing was changed."));
		return NULL;
	}
	if (st != SD_OK || !r) {
		if (r)
			report_free(r);
		ui_message(_("The check could not run"), err.msg);
		return NULL;
	}
	struct stat sb;
	if (r->verdict == VERDICT_UNREADABLE && err.msg[0])
		ui_message(r->is_database || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		               ? _("The database could not be read")
		               : _("The file could not be read"),
		           err.msg);
	return r;
}

sd_report *wiz_check(wizard *w, bool quick)
{
	char *key = check_key(w);
	/* a full report serves the quick steps too */
	if (w->full && w->full_key && strcmp(w->full_key, key) == 0) {
		free(key);
		return w->full;
	}
	if (quick && w->quick && w->quick_key && strcmp(w->quick_key, key) == 0) {
		free(key);
		return w->quick;
	}
	/* as 'syncdoctor check' does, so the exit status is the CLI's */
	check_options opt = {0};
	opt.config_path = w->cfg_path;
	opt.no_auto_config = true; /* the person chose the configuration */
	opt.quick = quick;
	opt.fingerprint = !quick && !w->g->no_journal; /* for the case journal */
	opt.environment = true;
	opt.userdata = w->g->userdata;
	opt.versions = w->g->version_table;
	sd_report *r = wiz_run_check(w, w->file, &opt,
	                             quick ? _("Reading the sync file's table of contents...")
	                                   : _("Checking every part of the sync file..."));
	if (!r) {
		free(key);
		return NULL;
	}
	ui_log_printf("[check%s] %s: %s, %zu findings", quick ? " quick" : "", w->file,
	              check_verdict_name(r->verdict), r->findings.n);
	if (quick) {
		if (w->quick)
			report_free(w->quick);
		w->quick = r;
		free(w->quick_key);
		w->quick_key = key;
	} else {
		if (w->full)
			report_free(w->full);
		w->full = r;
		free(w->full_key);
		w->full_key = key;
		w->saved = false;
		record_check(w, r);
	}
	return r;
}

int wiz_exit_status(const wizard *w)
{
	const sd_report *r = w->full ? w->full : w->quick;
	if (!r)
		r = w->db;
	if (!r)
		return EXIT_INTERRUPTED;
	switch (r->verdict) {
	case VERDICT_OK: return EXIT_OK;
	case VERDICT_PROBLEMS: return EXIT_PROBLEMS;
	default: return EXIT_UNREADABLE;
	}
}

bool wiz_work_unsaved(const wizard *w) { return (w->full || w->quick || w->db) && !w->saved; }

/* ---- repair ---- */

static bool has_corruption(const sd_report *r)
{
	for (size_t i = 0; r && i < r->findings.n; i++)
		if (r->findings.v[i].step == STEP_CORRUPTION &&
		    r->findings.v[i].severity == SEV_ERROR)
			return true;
	return false;
}

/* "<dir>/<name>-repaired.mapeodata", numbered when taken. */
static char *default_output(const char *input)
{
	size_t n = strlen(input);
	const char *ext = ".mapeodata";
	if (n > strlen(ext) && strcmp(input + n - strlen(ext), ext) == 0)
		n -= strlen(ext);
	for (int i = 1;; i++) {
		char *p = i == 1 ? xasprintf("%.*s-repaired.mapeodata", (int)n, input)
		                 : xasprintf("%.*s-repaired-%d.mapeodata", (int)n, input, i);
		struct stat st;
		if (lstat(p, &st) != 0 || i == 99)
			return p;
		free(p);
	}
}

void wiz_rebuild(wizard *w, bool for_config)
{
	rebuild_options opt = {0};
	opt.no_auto_config = true;
	if (for_config) {
		if (w->cfg_default || !w->cfg_path) {
			ui_message(
			    _("Repair"),
			    _("A sync file can only be rebuilt for a configuration that has a "
			      "project key. Choose this computer's .mapeosettings file in the "
			      "configuration step, or use Option A or B."));
			return;
		}
		opt.config_path = w->cfg_path;
	}
	opt.salvage = has_corruption(w->full ? w->full : w->quick);
	w->cancel = 0;
	sd_progress prog = {on_progress, w, &w->cancel};
	ui_progress_begin(_("Planning the repair..."));
	rebuild_plan *plan = NULL;
	sd_error err;
	sd_error_clear(&err);
	sd_status st = rebuild_plan_make(w->file, &opt, &prog, &plan, &err);
	ui_progress_end();
	if (st != SD_OK) {
		ui_message(_("The repair is not possible"), err.msg);
		return;
	}
	char *out = default_output(w->file);
	for (;;) {
		ui_page p;
		page_init(&p, w->step, w->nsteps, _("Repair: what the new sync file will hold"));
		p.help =
		    _("syncdoctor writes a NEW sync file next to the old one and checks it "
		      "before giving it its name; the old file is never changed. Read the plan, "
		      "then choose where to write the new file, or press b to go back without "
		      "writing anything.");
		if (plan->changes_project) {
			page_add(&p, UI_BIG, 0, "%s", _("THE NEW FILE BELONGS TO ANOTHER PROJECT"));
			page_add(
			    &p, UI_TEXT, 0, "%s",
			    _("Its observations will merge into the project of this computer's "
			      "configuration when it is synced."));
			page_gap(&p);
		}
		strbuf b = SB_INIT;
		rebuild_plan_text(plan, &b);
		page_add_block(&p, 0, sb_str(&b));
		sb_free(&b);
		char *shown = wiz_show_path(out);
		char *l1 = xasprintf(_("Write the new sync file as %s"), shown);
		page_choice(&p, l1);
		page_choice_text(&p, _("Write it under another name"),
		                 _("Name of the new sync file:"), out);
		free(l1);
		p.selected = 0;
		ui_answer a = ui_show(&p, false);
		page_free(&p);
		if (a.act != ACT_PICK) {
			free(shown);
			break;
		}
		if (a.choice == 1) {
			if (!a.text || !*a.text) {
				free(a.text);
				free(shown);
				continue;
			}
			wiz_set(&out, a.text);
			free(a.text);
			free(shown);
			shown = wiz_show_path(out);
		}
		char *orig = wiz_show_path(w->file);
		char *q = xasprintf(_("Write a new sync file %s? The file %s is not changed."),
		                    shown, orig);
		free(orig);
		bool yes = ui_confirm(q);
		free(q);
		if (!yes) {
			free(shown);
			continue;
		}
		ui_progress_begin(_("Writing and checking the new sync file..."));
		w->cancel = 0;
		st = rebuild_write(plan, out, &opt, &prog, &err);
		ui_progress_end();
		record_rebuild(w, plan, out, opt.salvage, st == SD_OK ? NULL : err.msg);
		if (st == SD_OK) {
			char *m =
			    xasprintf(_("Written and verified: %s. In Mapeo Desktop, open the "
			                "Synchronize screen and choose this new file."),
			              shown);
			ui_message(_("Repair finished"), m);
			free(m);
			w->rebuilt = true;
			free(shown);
			break;
		}
		ui_message(_("The new sync file was not written"), err.msg);
		free(shown);
		if (st == SD_ERR_CANCELLED)
			break;
	}
	free(out);
	rebuild_plan_free(plan);
}

/* ---- the walk ---- */

typedef wiz_nav (*panel_fn)(wizard *);

int ui_wizard_main(const char *file, cli_globals *g)
{
	wizard w;
	memset(&w, 0, sizeof w);
	w.g = g;
	struct stat sb;
	if (file && stat(file, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		w.db_dir = xstrdup(file); /* a Mapeo database folder: check it */
	} else if (file) {
		w.file = xstrdup(file);
		w.file_given = true;
	}
	ui_log_open(g->log_dir);
	ui_open(g);
	ui_log_printf("front end: %s", ui_is_curses() ? "curses" : "line mode");

	panel_fn steps[7];
	int n = 0;
	steps[n++] = panel_welcome;
	if (w.db_dir)
		steps[n++] = panel_database;
	else if (!w.file_given)
		steps[n++] = panel_file;
	if (!w.db_dir) {
		steps[n++] = panel_config;
		steps[n++] = panel_step1;
		steps[n++] = panel_step2;
		steps[n++] = panel_step3;
		steps[n++] = panel_summary;
	}

	int i = 0;
	while (i < n) {
		w.step = i + 1;
		w.nsteps = n;
		wiz_nav nav = steps[i](&w);
		if (nav == NAV_NEXT)
			i++;
		else if (nav == NAV_BACK)
			i = i > 0 ? i - 1 : 0;
		else
			break;
	}
	int rc = wiz_exit_status(&w);
	bool curses = ui_is_curses();
	ui_close();
	if (curses && ui_log_path())
		fprintf(stderr, _("syncdoctor: the session log is %s\n"), ui_log_path());
	ui_log_printf("exit status %d", rc);
	ui_log_close();
	if (w.quick)
		report_free(w.quick);
	if (w.full)
		report_free(w.full);
	if (w.db)
		report_free(w.db);
	free(w.db_dir);
	for (size_t k = 0; k < w.n_nearby; k++)
		free(w.nearby[k]);
	free(w.nearby);
	free(w.file);
	free(w.cfg_path);
	free(w.cfg_how);
	free(w.quick_key);
	free(w.full_key);
	free(w.seen_before);
	return rc;
}
