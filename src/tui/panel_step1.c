/* panel_step1.c: the guide's first check, the configuration. Match or
 * mismatch in big plain words, both projects in the two forms Mapeo shows
 * (the Synchronization screen's footer and the error message's 7
 * characters), the known configuration that matches the file, what
 * differs between the two, and the guide's options A, B and C. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "keys.h"
#include "report.h"
#include "settings.h"
#include "settings_diff.h"
#include "wizard.h"

static mapeo_config *open_cfg(const char *path)
{
	mapeo_config *c = NULL;
	findings fl;
	fnd_init(&fl);
	if (cfg_open(path, &c, &fl, NULL) != SD_OK)
		c = NULL;
	fnd_free(&fl);
	return c;
}

/* A configuration found on this computer whose project is the file's:
 * the same discovery key, or both without a key. */
static mapeo_config *find_matching(const wizard *w, const sd_report *r)
{
	char *active = cfg_find_active(NULL);
	mapeo_config *found = NULL;
	size_t n = w->n_nearby + 1;
	for (size_t i = 0; i < n && !found; i++) {
		const char *path = i < w->n_nearby ? w->nearby[i] : active;
		if (!path || (w->cfg_path && strcmp(path, w->cfg_path) == 0))
			continue;
		mapeo_config *c = open_cfg(path);
		if (!c)
			continue;
		bool same =
		    r->has_discovery_key
		        ? c->discovery_key[0] && strcmp(c->discovery_key, r->discovery_key) == 0
		        : r->project_default && !c->has_key;
		if (same)
			found = c;
		else
			cfg_free(c);
	}
	free(active);
	return found;
}

static void add_options(ui_page *p)
{
	page_add(p, UI_HEAD, 0, "%s", _("Option A: change the configuration on this computer"));
	page_add(p, UI_TEXT, 2, "%s",
	         _("1. In Mapeo Desktop, on the top menu bar, click File and choose Import "
	           "Configuration."));
	page_add(
	    p, UI_TEXT, 2, "%s",
	    _("2. Find the configuration file (.mapeosettings) that was used to make the sync "
	      "file, click it, then click Open. The screen may stay white for a few seconds."));
	page_add(p, UI_TEXT, 2, "%s", _("3. Restart Mapeo Desktop."));
	page_add(p, UI_TEXT, 2, "%s", _("4. Try again to sync with the sync file."));
	page_gap(p);
	page_add(p, UI_HEAD, 0, "%s",
	         _("Option B: change the configuration on the computer that made the file"));
	page_add(p, UI_TEXT, 2, "%s",
	         _("1. On the computer that made the sync file, in Mapeo Desktop, click File and "
	           "choose Import Configuration."));
	page_add(p, UI_TEXT, 2, "%s",
	         _("2. Choose this computer's configuration file (.mapeosettings), then click "
	           "Open."));
	page_add(p, UI_TEXT, 2, "%s", _("3. Restart Mapeo Desktop."));
	page_add(p, UI_TEXT, 2, "%s",
	         _("4. On the Synchronization screen, click Create Sync File. Do not leave that "
	           "screen until it has finished: leaving early can make a damaged file."));
	page_add(p, UI_TEXT, 2, "%s", _("5. Bring the new sync file to this computer."));
	page_add(p, UI_TEXT, 2, "%s",
	         _("6. Here, on the Synchronize screen, click Synchronize with synchronization "
	           "file."));
	page_add(p, UI_TEXT, 2, "%s",
	         _("7. Choose the file and click Open. Do not close the screen until the sync has "
	           "finished."));
	page_gap(p);
	page_add(p, UI_HEAD, 0, "%s", _("Option C: rebuild the sync file for this configuration"));
	page_add(p, UI_TEXT, 2, "%s",
	         _("syncdoctor can write a copy of the sync file that belongs to this computer's "
	           "project. The observations then join this project. Choose 1 below."));
}

/* unknown: the project could not be read, so what the core said of it
 * (default project, mismatch) is left out */
static void add_config_notes(ui_page *p, const sd_report *r, bool unknown)
{
	bool head = false;
	for (size_t i = 0; i < r->findings.n; i++) {
		const finding *f = &r->findings.v[i];
		if (f->step != STEP_CONFIGURATION || !strcmp(f->code, "project-match") ||
		    !strcmp(f->code, "project-mismatch") ||
		    (unknown && !strcmp(f->code, "project-default")))
			continue;
		if (!head) {
			page_gap(p);
			page_add(p, UI_HEAD, 0, "%s", _("Also noticed"));
			head = true;
		}
		page_add(p, UI_TEXT, 2, "%s: %s", fnd_severity_label(f->severity), f->message);
		const char *adv = fnd_advice(f->code);
		if (adv && f->severity != SEV_INFO)
			page_add(p, UI_TEXT, 4, _("What to do: %s"), adv);
	}
}

/* Mapeo's own log on this computer, when it recorded a refused sync. */
static void add_log_evidence(ui_page *p, const sd_report *r)
{
	const report_version *v = &r->version;
	bool head = false;
	for (size_t i = 0; i < v->n_log; i++) {
		const report_log_line *l = &v->log[i];
		if (strcmp(l->kind, "project-mismatch") != 0)
			continue;
		if (!head) {
			page_gap(p);
			page_add(p, UI_HEAD, 0, "%s",
			         _("Mapeo's log on this computer says (newest first):"));
			head = true;
		}
		char *text = report_escape(l->text ? l->text : "");
		page_add(p, UI_TEXT, 2, "- %s: %s%s", l->date && l->date[0] ? l->date : "?", text,
		         l->this_file ? _(" (this file's project)") : "");
		free(text);
	}
}

wiz_nav panel_step1(wizard *w)
{
	sd_report *r = wiz_check(w, true);
	if (!r)
		return NAV_BACK;
	for (;;) {
		ui_page p;
		page_init(&p, w->step, w->nsteps, _("Check 1 of 3: Configuration"));
		p.help =
		    _("Mapeo syncs a file only with a computer that uses the configuration of the "
		      "same project. This step compares the project written in the sync file with "
		      "this computer's configuration. The short codes are the ones Mapeo itself "
		      "shows: at the bottom of the Synchronization screen, and in its error "
		      "message \"trying to sync two different projects\". Press 1 for Option C.");
		bool known = r->config_used || w->cfg_default;
		bool file_known = r->has_discovery_key || r->project_default;
		bool match = r->config_used ? r->config_match : r->project_default;
		char file_id[16], us[16];
		keys_error_form(r->has_discovery_key ? r->discovery_key : "", file_id);
		keys_error_form(r->config_used ? r->config_discovery_key : "", us);
		const char *footer = r->config_used ? r->config_footer : "MAPEO";
		int c_rebuild = -1;
		const char *unknown = wiz_project_unknown(w, r);
		if (r->verdict == VERDICT_UNREADABLE) {
			page_add(&p, UI_BIG, 0, "%s", _("THE SYNC FILE COULD NOT BE READ"));
			page_add(&p, UI_TEXT, 0, "%s", report_next_action(r));
		} else if (unknown) {
			/* never a mismatch from a project that could not be read */
			page_add(&p, UI_BIG, 0, "%s", _("CANNOT TELL"));
			page_add(&p, UI_TEXT, 0, "%s", unknown);
			file_known = false;
		} else if (!known || !file_known) {
			page_add(&p, UI_BIG, 0, "%s", _("CANNOT TELL"));
			page_add(&p, UI_TEXT, 0, "%s",
			         !file_known
			             ? _("The sync file does not say which project it belongs "
			                 "to, so it cannot be compared.")
			             : _("No configuration was chosen for this computer."));
		} else if (match) {
			page_add(&p, UI_BIG, 0, "%s", _("MATCH: SAME PROJECT"));
			page_add(&p, UI_TEXT, 0, "%s",
			         _("This computer's configuration can sync with this file. The "
			           "configuration is not the problem."));
		} else {
			page_add(&p, UI_BIG, 0, "%s", _("MISMATCH: DIFFERENT PROJECTS"));
			page_add(&p, UI_TEXT, 0,
			         _("Mapeo will refuse this file on this computer and say: trying "
			           "to sync "
			           "two different projects (us=%s) (syncfile=%s)"),
			         us, file_id);
		}
		page_gap(&p);
		if (file_known)
			page_add(
			    &p, UI_TEXT, 0,
			    _("The sync file's project: Mapeo's messages show it as syncfile=%s."),
			    file_id);
		if (r->config_used) {
			char *name = report_escape(r->config_name ? r->config_name : "");
			char *ver = report_escape(r->config_version ? r->config_version : "");
			page_add(&p, UI_TEXT, 0,
			         _("This computer (%s): %s %s. The Synchronization screen shows %s "
			           "at the "
			           "bottom; Mapeo's messages show us=%s."),
			         w->cfg_how ? w->cfg_how : "", name, ver, footer, us);
			free(name);
			free(ver);
		} else if (w->cfg_default) {
			page_add(
			    &p, UI_TEXT, 0,
			    _("This computer: Mapeo's default configuration. The Synchronization "
			      "screen shows MAPEO at the bottom; Mapeo's messages show "
			      "us=mapeo-sync."));
		}
		if (known && file_known && !match && r->verdict != VERDICT_UNREADABLE) {
			mapeo_config *m = find_matching(w, r);
			page_gap(&p);
			if (m) {
				char *t = cfg_title(m);
				char *te = report_escape(t);
				char *mp = wiz_show_path(m->path);
				page_add(&p, UI_TEXT, 0,
				         _("The configuration that matches the sync file: %s (%s). "
				           "Mapeo "
				           "shows it as %s."),
				         te, mp, m->footer);
				free(te);
				free(t);
				free(mp);
				mapeo_config *mine = w->cfg_path ? open_cfg(w->cfg_path) : NULL;
				if (mine) {
					cfg_diff *d = cfg_diff_compute(mine, m);
					page_gap(&p);
					page_add(&p, UI_HEAD, 0, "%s",
					         _("What differs between the two configurations"));
					strbuf b = SB_INIT;
					cfg_diff_to_text(d, mine, m, ui_text_width() - 2, &b);
					page_add_block(&p, 2, sb_str(&b));
					sb_free(&b);
					cfg_diff_free(d);
					cfg_free(mine);
				}
				cfg_free(m);
			} else {
				page_add(&p, UI_TEXT, 0, "%s",
				         _("None of the configurations found on this computer "
				           "belongs to "
				           "the sync file's project. Ask the person who made the "
				           "sync file "
				           "for their .mapeosettings file."));
			}
			page_gap(&p);
			add_options(&p);
			c_rebuild = page_choice(
			    &p, _("Option C: write a copy of the sync file for this computer's "
			          "configuration (the original is not changed)"));
		}
		add_config_notes(&p, r, unknown != NULL);
		add_log_evidence(&p, r);
		p.relayout = true; /* the diff is side by side only when wide */
		ui_answer a = ui_show(&p, wiz_work_unsaved(w));
		page_free(&p);
		free(a.text);
		if (a.act == ACT_RESIZE)
			continue;
		if (a.act == ACT_PICK && a.choice == c_rebuild) {
			wiz_rebuild(w, true);
			continue;
		}
		if (a.act == ACT_PICK)
			continue;
		return wiz_nav_of(&a);
	}
}
