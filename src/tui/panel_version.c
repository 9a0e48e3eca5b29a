/* panel_version.c: the guide's second check, the version. What the report's
 * version step found (diagnosis.h report_version, made by the core from
 * versions.h and env.h): which Mapeo Desktop releases could have written
 * the file and which can read it, what goes wrong with which releases, the
 * Mapeo Desktop installed here and whether it can read the file, the sync
 * errors in its logs, and what to update. Nothing is worked out here: the
 * page only shows the core's sentences. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "report.h"
#include "versions.h"
#include "wizard.h"

#define MAX_LOG_LINES 8

static void add_log(ui_page *p, const report_version *v)
{
	if (!v->n_log)
		return;
	page_gap(p);
	page_add(p, UI_HEAD, 0, "%s", _("Sync errors in Mapeo's log on this computer"));
	size_t shown = v->n_log < MAX_LOG_LINES ? v->n_log : MAX_LOG_LINES;
	for (size_t i = 0; i < shown; i++) {
		const report_log_line *l = &v->log[i];
		char *text = report_escape(l->text ? l->text : "");
		page_add(p, UI_TEXT, 2, "- %s: %s%s", l->date && l->date[0] ? l->date : "?", text,
		         l->this_file ? _(" (this file's project)") : "");
		free(text);
	}
	if (v->n_log_total > shown)
		page_add(p, UI_TEXT, 4,
		         P_("(%zu older one not shown; Mapeo's log on this computer has it)",
		            "(%zu older ones not shown; Mapeo's log on this computer has them)",
		            v->n_log_total - shown),
		         v->n_log_total - shown);
}

/* The version the other computer shows, typed: can that Mapeo read this
 * file, and how does it compare with this computer's. */
static void compare_typed(const sd_report *r, const char *typed)
{
	char *tv = report_escape(typed);
	ver_table *t = NULL;
	sd_error err;
	sd_error_clear(&err);
	if (ver_table_load(NULL, &t, &err) != SD_OK) {
		ui_message(_("The versions cannot be compared"), err.msg);
		free(tv);
		return;
	}
	const ver_release *rel = ver_find(t, typed);
	strbuf b = SB_INIT;
	if (!rel) {
		sb_printf(
		    &b,
		    _("%s is not a Mapeo Desktop version syncdoctor knows (the numbers at the "
		      "bottom left of the Mapeo modes panel, like 5.4.2)."),
		    tv);
	} else {
		bool can = r->era && ver_reads(rel, r->era);
		sb_printf(&b,
		          can ? _("Mapeo Desktop %s (the %s series) can read this sync file.")
		              : _("Mapeo Desktop %s (the %s series) cannot read this sync file: "
		                  "update it."),
		          tv, rel->series);
		const char *here = r->version.local_version;
		if (here) {
			int c = ver_compare(typed, here);
			sb_addc(&b, ' ');
			sb_printf(&b,
			          c == 0 ? _("This computer runs the same version (%s).")
			          : c < 0
			              ? _("This computer runs a newer one (%s): update the other "
			                  "computer to it.")
			              : _("This computer runs an older one (%s): update this "
			                  "computer to the other's version."),
			          here);
		} else {
			sb_addc(&b, ' ');
			sb_add(&b,
			       _("The version of this computer's Mapeo is not known: compare it "
			         "with the other's by hand."));
		}
	}
	ui_message(_("The other computer's Mapeo"), sb_str(&b));
	sb_free(&b);
	ver_table_free(t);
	free(tv);
}

wiz_nav panel_version(wizard *w)
{
	sd_report *r = wiz_check(w, true);
	if (!r)
		return NAV_BACK;
	const report_version *v = &r->version;
	ui_page p;
	page_init(&p, w->step, w->nsteps, _("Check 2 of 3: Version"));
	p.help =
	    _("Different Mapeo versions usually sync without trouble, but very old and very "
	      "new ones cannot read each other's sync files. This step tells which Mapeo made "
	      "the file and which versions can read it. Mapeo Desktop shows its version at the "
	      "bottom left of the Mapeo modes panel.");
	bool bad = v->local_can_read == 0;
	if (fnd_count_in(&r->findings, STEP_VERSION, SEV_WARNING) ||
	    fnd_count_in(&r->findings, STEP_VERSION, SEV_ERROR))
		bad = true;
	/* a file no Mapeo reads (a configuration, not a sync file, an
	 * unknown kind) has no version to judge: never "no version problem" */
	bool unknown = w->file_is_config || fnd_has(&r->findings, FND_NOT_A_SYNC_FILE) ||
	               (r->era && strcmp(r->era, "unknown") == 0);
	if (r->verdict == VERDICT_UNREADABLE)
		page_add(&p, UI_BIG, 0, "%s", _("THE SYNC FILE COULD NOT BE READ"));
	else if (unknown) {
		page_add(&p, UI_BIG, 0, "%s", _("CANNOT TELL"));
		page_add(
		    &p, UI_TEXT, 0, "%s",
		    w->file_is_config
		        ? _("This is a configuration file (.mapeosettings), not a sync file: "
		            "no Mapeo Desktop syncs with it. Go back and choose the sync file.")
		        : _("This file is not a sync file any Mapeo Desktop knows, so no "
		            "version can read it (see step 3)."));
	} else if (bad)
		page_add(&p, UI_BIG, 0, "%s", _("VERSION PROBLEM"));
	else if (v->table_error)
		page_add(&p, UI_BIG, 0, "%s", _("CANNOT TELL: NO TABLE OF MAPEO VERSIONS"));
	else if (v->local_can_read == 1)
		page_add(&p, UI_BIG, 0, "%s", _("THIS COMPUTER'S MAPEO CAN READ IT"));
	else
		page_add(&p, UI_BIG, 0, "%s", _("NO VERSION PROBLEM IN THE FILE"));
	page_gap(&p);
	page_add(&p, UI_HEAD, 0, "%s", _("Which Mapeo made this file"));
	if (r->era_text)
		page_add(&p, UI_TEXT, 2, "%s", r->era_text);
	if (v->writers)
		page_add(&p, UI_TEXT, 2, _("Written by: %s."), v->writers);
	if (v->readers)
		page_add(&p, UI_TEXT, 2, _("Can be read by: %s."), v->readers);
	if (!r->era_text && !v->writers)
		page_add(&p, UI_TEXT, 2, "%s", _("It could not be told."));
	if (v->table_error)
		page_add(&p, UI_TEXT, 2, _("The table of Mapeo versions could not be read: %s"),
		         v->table_error);
	for (size_t i = 0; i < v->n_cautions; i++)
		page_add(&p, UI_TEXT, 2, "- %s", v->cautions[i]);
	for (size_t i = 0, n = fnd_has_step(&r->findings, STEP_VERSION) ? fnd_n(&r->findings) : 0;
	     i < n; i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (f->step != STEP_VERSION)
			continue;
		page_add(&p, UI_TEXT, 2, "%s: %s", fnd_severity_label(f->severity), f->message);
		const char *adv = fnd_advice_for(f->id, SD_FRONT_WIZARD);
		if (adv && f->severity != SEV_INFO)
			page_add(&p, UI_TEXT, 4, _("What to do: %s"), adv);
	}
	page_gap(&p);
	page_add(&p, UI_HEAD, 0, "%s", _("Mapeo on this computer"));
	if (v->local_text) {
		page_add(&p, UI_TEXT, 2, "%s", v->local_text);
		if (v->local_path) {
			char *lp = wiz_show_path(v->local_path);
			page_add(&p, UI_TEXT, 2, _("Installed in %s."), lp);
			free(lp);
		}
	} else {
		page_add(
		    &p, UI_TEXT, 2, "%s",
		    _("Not looked for. In Mapeo Desktop, the version is shown at the bottom left "
		      "of the Mapeo modes panel."));
	}
	add_log(&p, v);
	page_gap(&p);
	page_add(&p, UI_HEAD, 0, "%s", _("What to do"));
	if (v->local_can_read == 0)
		page_add(
		    &p, UI_TEXT, 2, "%s",
		    _("1. This computer's Mapeo cannot read this file: follow the advice above "
		      "before you try the sync again."));
	else
		page_add(
		    &p, UI_TEXT, 2, "%s",
		    _("1. Compare the Mapeo version of both computers. If they are the same, go "
		      "on to the next step."));
	page_add(&p, UI_TEXT, 2, "%s",
	         _("2. If they differ, update Mapeo on the computer with the older version (see "
	           "the guide \"Updating Mapeo Desktop\"), then try the sync again."));
	int c_typed = page_choice_text(
	    &p, _("Type the Mapeo Desktop version the other computer shows, to compare"),
	    _("The version the other computer shows (bottom left of the Mapeo modes panel):"),
	    NULL);
	for (;;) {
		ui_answer a = ui_show(&p, wiz_work_unsaved(w));
		if (a.act == ACT_PICK && a.choice == c_typed) {
			if (a.text && *a.text)
				compare_typed(r, a.text);
			free(a.text);
			continue;
		}
		page_free(&p);
		free(a.text);
		return wiz_nav_of(&a);
	}
}
