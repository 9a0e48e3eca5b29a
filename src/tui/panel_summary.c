/* panel_summary.c: one verdict, the next action, what the case journal
 * knew of the file (journal.h, recorded by wizard.c), and what can be
 * done: save the report (text, JSON, YAML), repair (write a new sync
 * file), save a support bundle (bundle.h), read the session log, quit. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "env.h"
#include "i18n.h"
#include "io.h"
#include "journal.h"
#include "log.h"
#include "report.h"
#include "report_env.h"
#include "wizard.h"

static char *default_report_name(const char *file, const char *ext)
{
	if (!file)
		file = "syncdoctor"; /* no file chosen: the report still gets a name */
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = strcspn(base, ".");
	if (n == 0)
		n = strlen(base);
	return xasprintf("%.*s-report.%s", (int)n, base, ext);
}

/* The report written as it is rendered: a file with 150,000 findings is
 * tens of MiB of report, never whole in memory. */
typedef struct save_ctx {
	sd_output *o;
	sd_status st;
	sd_error *err;
} save_ctx;

static void save_piece(const char *text, void *ud)
{
	save_ctx *c = ud;
	if (c->st == SD_OK)
		c->st = sdout_write(c->o, text, strlen(text), c->err);
}

void wiz_save_report(wizard *w, const sd_report *r, report_format fmt, const char *path)
{
	sd_error err;
	sd_error_clear(&err);
	sd_output *o = NULL;
	wiz_offer_stale(path);
	sd_status st = sdout_open_for(path, false, SD_FRONT_WIZARD, &o, &err);
	char *shown = wiz_show_path(path);
	if (st == SD_ERR_EXISTS) {
		char *q = xasprintf(_("%s already exists. Replace it?"), shown);
		bool yes = ui_confirm(q);
		free(q);
		if (yes)
			st = sdout_open_for(path, true, SD_FRONT_WIZARD, &o, &err);
		else
			st = SD_ERR_CANCELLED;
	}
	if (st == SD_OK) {
		save_ctx c = {o, SD_OK, &err};
		report_render_stream(r, fmt, 80, save_piece, &c);
		st = c.st;
		if (st == SD_OK)
			st = sdout_commit(o, NULL, NULL, &err);
		else
			sdout_abort(o);
	}
	if (st == SD_OK) {
		char *m = xasprintf(_("The report was saved as %s."), shown);
		ui_message(_("Saved"), m);
		free(m);
		w->saved = true;
	} else if (st != SD_ERR_CANCELLED) {
		ui_message(_("The report was not saved"), err.msg);
	}
	free(shown);
}

/* The support bundle (bundle.h): the reports, the session log and what
 * the case journal knows, without photos or project keys. */
static void save_bundle(wizard *w, const sd_report *r, const char *path)
{
	bundle_options bo = {0};
	bo.file = w->file;
	bo.config_path = w->cfg_path;
	bo.no_auto_config = true;
	bo.userdata = w->g->userdata;
	bo.log_path = ui_log_path();
	bo.log_dir = w->g->log_dir;
	char *shown = wiz_show_path(path);
	wiz_offer_stale(path);
	sd_error terr;
	if (io_check_target_for(path, true, SD_FRONT_WIZARD, &terr) == SD_ERR_USAGE) {
		/* a file or folder it reads: refused before any question */
		ui_message(_("The support bundle was not saved"), terr.msg);
		free(shown);
		return;
	}
	struct stat st;
	if (lstat(path, &st) == 0) {
		char *q = xasprintf(_("%s already exists. Replace it?"), shown);
		bo.force = ui_confirm(q);
		free(q);
		if (!bo.force) {
			free(shown);
			return;
		}
	}
	jnl_db *j = wiz_journal(w, false);
	w->cancel = 0;
	sd_progress prog = {NULL, NULL, &w->cancel};
	sd_error err;
	sd_error_clear(&err);
	ui_progress_begin(_("Writing the support bundle..."));
	sd_status rc = bundle_write(path, &bo, r, j, &prog, NULL, &err);
	ui_progress_end();
	jnl_close(j);
	if (rc == SD_OK) {
		char *m =
		    xasprintf(_("The support bundle was saved as %s. It holds the reports and "
		                "the session log, but no photos and no project key: send it "
		                "to whoever helps you."),
		              shown);
		ui_message(_("Saved"), m);
		free(m);
		w->saved = true;
	} else {
		ui_message(_("The support bundle was not saved"), err.msg);
	}
	free(shown);
}

static void show_log(wizard *w)
{
	const char *path = ui_log_path();
	if (!path) {
		ui_message(_("Session log"), ui_log_problem() ? ui_log_problem() : "");
		return;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		ui_message(_("Session log"), _("The session log cannot be read."));
		return;
	}
	ui_page p;
	page_init(&p, w->step, w->nsteps, _("The session log"));
	p.help = _("Everything this session showed and every answer, as sent to whoever helps "
	           "you. Press Enter or b to go back.");
	char *shown = wiz_show_path(path);
	page_add(&p, UI_HEAD, 0, "%s", shown);
	free(shown);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		/* wrapped, not cut: a log line is read to its end */
		char *e = report_escape(line);
		page_add_block(&p, 0, *e ? e : " ");
		free(e);
	}
	free(line);
	fclose(f);
	ui_answer a = ui_show(&p, false);
	free(a.text);
	page_free(&p);
}

static void link_text(const char *text, void *ud) { page_add(ud, UI_TEXT, 0, "%s", text); }

/* Leftover folders a sync left in the temporary folders that can belong
 * to this file (its feeds or its project, or it cannot be told) and hold
 * a database: list them, rebuild from the one chosen. */
static void rebuild_from_leftover(wizard *w, const sd_report *r)
{
	int *match;
	size_t *shared;
	env_info *e = wiz_leftovers(w, r, &match, &shared);
	ui_page p;
	page_init(&p, w->step, w->nsteps, _("Databases left by interrupted syncs"));
	p.help = _("When Mapeo Desktop syncs with a sync file it unpacks the file's database into "
	           "a temporary folder (osm-p2p-syncfile-...). A sync that was interrupted leaves "
	           "it there, sometimes with observations the sync file lost. Only folders that "
	           "can belong to this sync file are listed. Choosing one writes a new sync file "
	           "from it joined with this one (the photos that stayed in this file are "
	           "kept), beside this one; neither is ever changed.");
	size_t *idx = xcalloc(e->n_temps ? e->n_temps : 1, sizeof *idx);
	size_t n = 0;
	for (size_t i = 0; i < e->n_temps; i++) {
		const env_temp *t = &e->temps[i];
		if (!(t->has_multifeed || t->has_db_tar) || match[i] == 0)
			continue;
		char *sp = wiz_show_path(t->path);
		char *l =
		    shared[i]
		        ? xasprintf(P_("%s (%zu feed, %zu in this file)",
		                       "%s (%zu feeds, %zu of them in this file)", t->n_feeds),
		                    sp, t->n_feeds, shared[i])
		        : xasprintf(P_("%s (%zu feed)", "%s (%zu feeds)", t->n_feeds), sp,
		                    t->n_feeds);
		page_choice(&p, l);
		free(l);
		free(sp);
		idx[n++] = i;
	}
	if (n == 0) {
		page_add(&p, UI_TEXT, 0, "%s",
		         _("No folder left by an interrupted sync on this computer can belong to "
		           "this sync file. Look on the computer that made the file, or make a new "
		           "sync file there."));
	} else {
		page_add(&p, UI_TEXT, 0, "%s",
		         _("Choose a folder to write a new sync file from its database:"));
		p.selected = 0;
	}
	/* a link there is not followed (others may write there): said, so
	 * that what it points to does not just look missing */
	report_env_links(e, link_text, &p);
	ui_answer a = ui_show(&p, false);
	page_free(&p);
	/* a folder no longer says its project: it is written for the
	 * configuration chosen for this computer, the one it must sync with */
	if (a.act == ACT_PICK && (size_t)a.choice < n) {
		if (w->cfg_path && !w->cfg_default)
			wiz_rebuild_from(w, e->temps[idx[a.choice]].path, w->cfg_path);
		else
			ui_message(
			    _("Repair"),
			    _("A database folder does not say which project it belongs to: "
			      "choose this computer's configuration (.mapeosettings) in step "
			      "3 first."));
	}
	free(a.text);
	free(idx);
	free(match);
	free(shared);
	env_free(e);
}

/* The three checks in one line each: problems and warnings, or why none
 * can be counted. */
static void add_step_counts(ui_page *p, const wizard *w, const sd_report *r)
{
	bool project_unknown = wiz_project_unknown(w, r) != NULL;
	for (int s = STEP_CONFIGURATION; s <= STEP_CORRUPTION; s++) {
		size_t e = fnd_count_in(&r->findings, (fnd_step)s, SEV_ERROR);
		size_t wn = fnd_count_in(&r->findings, (fnd_step)s, SEV_WARNING);
		if (s == STEP_CORRUPTION) {
			e += fnd_count_in(&r->findings, STEP_ENVIRONMENT, SEV_ERROR);
			wn += fnd_count_in(&r->findings, STEP_ENVIRONMENT, SEV_WARNING);
		}
		/* no mismatch counted from a project that was not read */
		size_t nm = project_unknown && s == (int)fnd_info(FND_PROJECT_MISMATCH)->step &&
		                    fnd_has(&r->findings, FND_PROJECT_MISMATCH)
		                ? fnd_n(&r->findings)
		                : 0;
		for (size_t i = 0; i < nm; i++) {
			const finding *fd = fnd_at(&r->findings, i);
			if (fd->id == FND_PROJECT_MISMATCH) {
				e -= fd->severity == SEV_ERROR;
				wn -= fd->severity == SEV_WARNING;
			}
		}
		char *counts;
		if (e || wn) {
			char *pe = xasprintf(P_("%zu problem", "%zu problems", e), e);
			char *pw = xasprintf(P_("%zu warning", "%zu warnings", wn), wn);
			/* TRANSLATORS: "1 problem, 0 warnings" */
			counts = xasprintf(_("%s, %s"), pe, pw);
			free(pe);
			free(pw);
		} else if (project_unknown && s == STEP_CONFIGURATION) {
			counts = xstrdup(_("cannot tell (the file's project is not known)"));
		} else {
			counts = xstrdup(_("nothing wrong"));
		}
		page_add(p, UI_TEXT, 2, "%d. %s: %s", s + 1, fnd_step_label((fnd_step)s), counts);
		free(counts);
	}
}

/* What the file's findings say, and the number of each choice (-1: not
 * offered). */
typedef struct summary_choices {
	bool mismatch, damaged, no_db, readable;
	int check_new, text, json, yaml, repair, bundle, log, db, other, leftover, quit;
} summary_choices;

static void add_choices(ui_page *p, const wizard *w, const sd_report *r, summary_choices *c)
{
	c->check_new = -1;
	if (w->rebuilt_path) {
		char *sp = wiz_show_path(w->rebuilt_path);
		char *l = xasprintf(_("Check the new file (%s)"), sp);
		c->check_new = page_choice(p, l);
		free(l);
		free(sp);
	}
	/* a mismatch only when the file's project could be read */
	c->mismatch = fnd_has(&r->findings, FND_PROJECT_MISMATCH) && !wiz_project_unknown(w, r);
	c->damaged = wiz_needs_repair(r);
	c->no_db = fnd_has(&r->findings, FND_DATABASE_MISSING);
	c->readable =
	    r->verdict != VERDICT_UNREADABLE && !fnd_has(&r->findings, FND_NOT_A_SYNC_FILE);
	char *t = default_report_name(w->file, "txt");
	char *j = default_report_name(w->file, "json");
	char *y = default_report_name(w->file, "yaml");
	const char *prompt = _("Save the report as:");
	c->text = page_choice_text(p, _("Save the report as text"), prompt, t);
	c->json = page_choice_text(p, _("Save the report as JSON"), prompt, j);
	c->yaml = page_choice_text(p, _("Save the report as YAML"), prompt, y);
	free(t);
	free(j);
	free(y);
	c->repair = page_choice(
	    p, c->damaged && !c->no_db
	           ? _("Salvage: write a new sync file with everything that is intact (the "
	               "original is not changed)")
	       : c->mismatch ? _("Repair: write a copy of the sync file for this computer's "
	                         "configuration (the original is not changed)")
	                     : _("Repair: write a new, repaired sync file (the original is not "
	                         "changed)"));
	char *bn = default_report_name(w->file, "tar.gz");
	char *b =
	    xasprintf("%.*s-support.tar.gz", (int)(strlen(bn) - strlen("-report.tar.gz")), bn);
	free(bn);
	c->bundle =
	    page_choice_text(p, _("Save a support bundle (.tar.gz) to send to whoever helps you"),
	                     _("Save the support bundle as:"), b);
	free(b);
	c->log = page_choice(p, _("Read the session log"));
	/* the guide's symptoms come from the database when the file is
	 * healthy, and the file's own database may be gone */
	c->db = -1;
	if (c->no_db)
		c->db = page_choice(p, _("The sync file holds no database: check this "
		                         "computer's Mapeo database"));
	else if (r->verdict == VERDICT_OK)
		c->db = page_choice(p, _("The file is healthy but the problem persists: "
		                         "check Mapeo's database"));
	c->other = c->leftover = -1;
	if (c->readable && !c->no_db) {
		const char *preset = NULL;
		for (size_t i = 0; i < w->n_nearby && !preset; i++)
			if (!w->cfg_path || strcmp(w->nearby[i], w->cfg_path) != 0)
				preset = w->nearby[i];
		c->other = page_choice_text(
		    p, _("Rebuild the sync file for another configuration (.mapeosettings)"),
		    _("The configuration (.mapeosettings) to rebuild the sync file for:"), preset);
	}
	if (r->verdict != VERDICT_OK && c->readable)
		c->leftover = page_choice(
		    p, _("Look for a database a sync left in a temporary folder, and rebuild "
		         "from it"));
	c->quit = page_choice(p, _("Quit"));
}

/* A damaged file's "Next" from the check's plans (sd_report.advised), the
 * CLI's advice in the wizard's words: its repair is a salvage, which keeps
 * everything when a plain rebuild does. NULL: the words of old. */
static char *damaged_text(const wizard *w, const sd_report *r, const summary_choices *c)
{
	/* the repair writes for the configuration chosen in step 3 when the
	 * file no longer names its project (wiz_rebuild()) */
	if (r->needs_config && (w->cfg_default || !w->cfg_path) && !r->salvage_refused)
		return xasprintf(
		    r->rebuild_whole || r->salvage_whole
		        ? _("The file is damaged and no longer says which project it "
		            "belongs to, but nothing in it is lost. Choose that "
		            "project's configuration (.mapeosettings) in step %d, then "
		            "choose %d here to write a new sync file that keeps "
		            "everything in it.")
		        : _("The file is damaged and no longer says which project it "
		            "belongs to. Choose that project's configuration "
		            "(.mapeosettings) in step %d, then choose %d here to write "
		            "a new sync file with everything that is intact."),
		    WIZ_STEP_CONFIG, c->repair + 1);
	if (r->rebuild_whole || r->salvage_whole)
		return xasprintf(_("The file is damaged, but nothing in it is lost: choose %d to "
		                   "write a new sync file that keeps everything in it."),
		                 c->repair + 1);
	if (r->rescue_only)
		return xasprintf(_("The file is damaged: what still verifies holds none of its "
		                   "observations. Choose %d to write a new sync file with the "
		                   "entries that are still signed (they get new versions), or %d "
		                   "to look for a database a sync left on this computer; or make "
		                   "a new sync file on the computer that made it."),
		                 c->repair + 1, c->leftover + 1);
	if (r->salvage_refused)
		return xasprintf(_("The file is damaged, and no repair of it alone gives Mapeo a "
		                   "file: what still verifies holds none of its observations. "
		                   "Choose %d to look for a database a sync left on this "
		                   "computer; or copy the file again from where it came from, or "
		                   "make a new sync file on the computer that made it."),
		                 c->leftover + 1);
	return NULL;
}

/* "Next" follows the most serious problem of any step: a file that cannot
 * be read or is damaged before a configuration question (caller frees). */
static char *next_text(const wizard *w, const sd_report *r, const summary_choices *c)
{
	char *next;
	if (w->file_is_config)
		next = xstrdup(wiz_project_unknown(w, r));
	else if (!c->readable)
		next = xstrdup(report_next_action(r));
	else if (c->no_db)
		next = xasprintf(_("The observations are not in this file. Choose %d to look "
		                   "for a database a sync left on this computer, or %d to "
		                   "check this computer's Mapeo database; or make a new sync "
		                   "file on the computer that made this one."),
		                 c->leftover + 1, c->db + 1);
	else if (c->damaged && r->advised && (next = damaged_text(w, r, c)) != NULL)
		;
	else if (c->damaged)
		next = xasprintf(_("The file is damaged. Choose %d to write a new sync file "
		                   "with everything that is intact, or %d to look for a "
		                   "database a sync left on this computer; or make a new sync "
		                   "file on the computer that made it, without leaving the "
		                   "Synchronization screen until it finishes."),
		                 c->repair + 1, c->leftover + 1);
	else if (c->mismatch)
		next = xasprintf(_("Use the same configuration on both computers (Option A or "
		                   "B of step %d), or choose %d to write a copy of the sync "
		                   "file for this computer's configuration, or %d for another "
		                   "configuration."),
		                 WIZ_STEP_CHECK1, c->repair + 1, c->other + 1);
	else
		next = xstrdup(report_next_action(r));
	if (c->check_new >= 0) {
		char *n2 = xasprintf(_("Choose %d to check the new file, then give it to Mapeo "
		                       "Desktop on its Synchronize screen."),
		                     c->check_new + 1);
		free(next);
		next = n2;
	}
	return next;
}

/* Do what was chosen. *r becomes the new file's report when it is
 * checked. Returns NAV_NEXT to stay on the summary, else where to go. */
static wiz_nav follow_choice(wizard *w, sd_report **r, const summary_choices *c, const ui_answer *a)
{
	if ((a->choice == c->text || a->choice == c->json || a->choice == c->yaml) && a->text &&
	    *a->text)
		wiz_save_report(w, *r,
		                a->choice == c->text   ? REPORT_TEXT
		                : a->choice == c->json ? REPORT_JSON
		                                       : REPORT_YAML,
		                a->text);
	else if (a->choice == c->bundle && a->text && *a->text)
		save_bundle(w, *r, a->text);
	else if (a->choice == c->repair)
		wiz_rebuild(w, c->mismatch);
	else if (a->choice == c->other && a->text && *a->text)
		wiz_rebuild_from(w, NULL, a->text);
	else if (a->choice == c->leftover)
		rebuild_from_leftover(w, *r);
	else if (a->choice == c->log)
		show_log(w);
	else if (a->choice == c->check_new) {
		/* the new file becomes the file: every step is checked again */
		wiz_set(&w->file, w->rebuilt_path);
		wiz_set(&w->rebuilt_path, NULL);
		wiz_set(&w->rebuilt_what, NULL);
		sd_report *nr = wiz_check(w, false);
		if (nr)
			*r = nr;
	} else if (a->choice == c->db) {
		wiz_nav nv = wiz_database(
		    w, c->no_db ? _("The sync file holds no database (no observations): "
		                    "they may still be in the database of the computer "
		                    "or phone that made it.")
		                : _("The sync file is healthy. When Mapeo still freezes, "
		                    "shows photos that will not open or dates that make "
		                    "no sense, the damage is in the database the sync "
		                    "files are made from: every new sync file carries "
		                    "it."));
		if (nv == NAV_QUIT || nv == NAV_EOF)
			return nv;
	}
	return NAV_NEXT;
}

wiz_nav panel_summary(wizard *w)
{
	sd_report *r = wiz_check(w, false);
	if (!r)
		return NAV_BACK;
	for (;;) {
		ui_page p;
		page_init(&p, w->step, w->nsteps, _("Summary"));
		p.help = _("The result of the three checks and what to do next. Save the report to "
		           "send it to whoever helps you (text for people, JSON or YAML for "
		           "programs). The repair writes a new sync file and never changes the old "
		           "one.");
		page_add(&p, UI_BIG, 0, "%s",
		         r->verdict == VERDICT_OK         ? _("NO PROBLEMS FOUND")
		         : r->verdict == VERDICT_PROBLEMS ? _("PROBLEMS FOUND")
		                                          : _("THE SYNC FILE COULD NOT BE READ"));
		char *f = wiz_show_path(w->file);
		page_add(&p, UI_TEXT, 0, _("Sync file: %s"), f);
		free(f);
		add_step_counts(&p, w, r);
		if (w->rebuilt_path) {
			page_gap(&p);
			page_add(&p, UI_HEAD, 0, "%s", _("The repair wrote a new sync file"));
			char *rp = report_escape(w->rebuilt_path);
			page_add(&p, UI_TEXT, 2, "%s", rp);
			free(rp);
			page_add(&p, UI_TEXT, 2, "%s", w->rebuilt_what ? w->rebuilt_what : "");
		}
		/* the choices first: "Next" names their numbers */
		summary_choices c;
		add_choices(&p, w, r, &c);
		char *next = next_text(w, r, &c);
		/* shown above the choices: a page's lines come first */
		page_gap(&p);
		page_add(&p, UI_HEAD, 0, "%s", _("Next"));
		page_add(&p, UI_TEXT, 2, "%s", next);
		free(next);
		if (w->seen_before) {
			page_gap(&p);
			page_add(&p, UI_HEAD, 0, "%s", _("Seen before"));
			page_add(&p, UI_TEXT, 2, "%s", w->seen_before);
		}
		/* Enter does what "Next" advises; never Quit far below the text */
		/* (no repair of the file alone gives one: "Next" names the
		 * leftover folders only) */
		bool refused = c.damaged && r->advised && r->salvage_refused && !r->rescue_only;
		p.selected = c.check_new >= 0     ? c.check_new
		             : c.no_db || refused ? c.leftover
		             : c.damaged          ? c.repair
		             : c.mismatch         ? c.repair
		                                  : c.text;
		if (p.selected < 0)
			p.selected = c.text;
		ui_answer a = ui_show(&p, wiz_work_unsaved(w));
		page_free(&p);
		if (a.act != ACT_PICK) {
			free(a.text);
			return a.act == ACT_NEXT ? NAV_NEXT : wiz_nav_of(&a);
		}
		if (a.choice == c.quit) {
			free(a.text);
			return NAV_NEXT;
		}
		wiz_nav nv = follow_choice(w, &r, &c, &a);
		free(a.text);
		if (nv != NAV_NEXT)
			return nv;
		if (sess_interrupted)
			return NAV_QUIT;
	}
}
