/* panel_configuration.c: the guide's first check, the configuration. Match or
 * mismatch in big plain words, both projects in the two forms Mapeo shows
 * (the Synchronization screen's footer and the error message's 7
 * characters), the known configuration that matches the file, what
 * differs between the two, and the guide's options A, B and C. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "configuration.h"
#include "configuration_diff.h"
#include "i18n.h"
#include "keys.h"
#include "report.h"
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
	/* Mapeo Desktop imports the tar .mapeosettings, not the ZIP build of
	 * the same project: look on for a tar one after a ZIP */
	for (size_t i = 0; i < n && !(found && found->container == CFG_TAR); i++) {
		const char *path = i < w->n_nearby ? w->nearby[i] : active;
		if (!path || (w->cfg_path && strcmp(path, w->cfg_path) == 0))
			continue;
		mapeo_config *c = open_cfg(path);
		if (!c)
			continue;
		/* a file that names no project (not a sync file) matches none */
		bool same = (r->has_discovery_key || r->project_default) &&
		            cfg_same_project(c, r->has_discovery_key ? r->discovery_key : NULL);
		if (same && (!found || c->container == CFG_TAR)) {
			if (found)
				cfg_free(found);
			found = c;
		} else {
			cfg_free(c);
		}
	}
	free(active);
	return found;
}

/* match: the configuration found that matches the sync file, or NULL. */
typedef struct diff_tally {
	size_t added, removed, changed, renamed;
} diff_tally;

static void tally(diff_tally *t, const cfg_diff_item *it)
{
	switch (it->kind) {
	case DIFF_ADDED: t->added++; break;
	case DIFF_REMOVED: t->removed++; break;
	case DIFF_RENAMED: t->renamed++; break;
	default: t->changed++; break;
	}
}

static void add_tally(ui_page *p, const char *what, const diff_tally *t)
{
	if (!t->added && !t->removed && !t->changed && !t->renamed)
		return;
	strbuf b = SB_INIT;
	const char *sep = "";
	/* TRANSLATORS: counted nouns or forms that agree with none of the
	 * categories (fields, presets, translations...), whose gender varies:
	 * e.g. "1 alta, 2 cambios". */
	if (t->added)
		sb_printf(&b, P_("%s%zu added", "%s%zu added", t->added), sep, t->added),
		    sep = ", ";
	if (t->removed)
		sb_printf(&b, P_("%s%zu removed", "%s%zu removed", t->removed), sep, t->removed),
		    sep = ", ";
	if (t->renamed)
		sb_printf(&b, P_("%s%zu renamed", "%s%zu renamed", t->renamed), sep, t->renamed),
		    sep = ", ";
	if (t->changed)
		sb_printf(&b, P_("%s%zu changed", "%s%zu changed", t->changed), sep, t->changed);
	/* TRANSLATORS: "Fields: 1 added, 2 changed" */
	page_add(p, UI_TEXT, 2, _("%s: %s"), what, sb_str(&b));
	sb_free(&b);
}

/* What differs, in words a person reads first (the project, its name,
 * presets, fields, options, translations), then the list without how the
 * files were built (build dates, builder, icons, tar or ZIP). Two builds of
 * one project's settings are "the same settings". */
static void add_diff(ui_page *p, const cfg_diff *d, const mapeo_config *mine, const mapeo_config *m)
{
	diff_tally presets = {0}, fields = {0}, options = {0}, translations = {0}, other = {0};
	bool project = false, name = false;
	cfg_diff shown = {0};
	shown.v = xcalloc(d->n ? d->n : 1, sizeof *shown.v);
	shown.content_differs = true;
	for (size_t i = 0; i < d->n; i++) {
		const cfg_diff_item *it = &d->v[i];
		if (cfg_diff_item_is_build(it))
			continue;
		shown.v[shown.n++] = *it; /* a view: the items stay d's */
		const char *a = it->area;
		if (!strcmp(a, "metadata")) {
			if (it->what && !strcmp(it->what, "projectKey"))
				project = true;
			else
				name = true;
		} else if (!strcmp(a, "field")) {
			tally(it->what && !strcmp(it->what, "option") ? &options : &fields, it);
		} else if (!strcmp(a, "preset") || !strcmp(a, "category") ||
		           !strcmp(a, "defaults")) {
			tally(&presets, it);
		} else if (!strcmp(a, "translation")) {
			tally(&translations, it);
		} else {
			tally(&other, it);
		}
	}
	page_gap(p);
	page_add(p, UI_HEAD, 0, "%s", _("What differs between the two configurations"));
	if (!shown.n) {
		page_add(p, UI_TEXT, 2, "%s",
		         _("The same settings: only how the files were built differs (build date, "
		           "icons, tar or ZIP)."));
		free(shown.v);
		return;
	}
	if (project)
		page_add(p, UI_TEXT, 2, "%s",
		         _("Project: different (another project key: Mapeo keeps their data "
		           "apart)"));
	if (name) {
		char *ta = cfg_title(mine), *tb = cfg_title(m);
		char *ea = report_escape(ta), *eb = report_escape(tb);
		page_add(p, UI_TEXT, 2, _("Name and version: %s, then %s"), ea, eb);
		free(ea), free(eb), free(ta), free(tb);
	}
	add_tally(p, _("Presets and categories"), &presets);
	add_tally(p, _("Fields"), &fields);
	add_tally(p, _("Options of fields"), &options);
	add_tally(p, _("Translations"), &translations);
	add_tally(p, _("Imagery, layers and style"), &other);
	page_gap(p);
	strbuf b = SB_INIT;
	cfg_diff_to_text(&shown, mine, m, ui_text_width() - 2, &b);
	page_add_block(p, 2, sb_str(&b));
	sb_free(&b);
	free(shown.v);
}

static void add_options(ui_page *p, const mapeo_config *match)
{
	page_add(p, UI_HEAD, 0, "%s", _("Option A: change the configuration on this computer"));
	page_add(p, UI_TEXT, 2, "%s",
	         _("1. In Mapeo Desktop, on the top menu bar, click File and choose Import "
	           "Configuration."));
	if (match && match->container == CFG_TAR) {
		char *mp = wiz_show_path(match->path);
		page_add(p, UI_TEXT, 2,
		         _("2. Find %s (the configuration of the sync file's project, found "
		           "above), click it, then click Open. The screen may stay white for a few "
		           "seconds."),
		         mp);
		free(mp);
	} else if (match) {
		page_add(p, UI_TEXT, 2, "%s",
		         _("2. The configuration found above is a ZIP build, which Mapeo Desktop "
		           "cannot import: ask whoever made the sync file for the .mapeosettings "
		           "file of the same project (the tar one), click it, then click Open."));
	} else {
		page_add(
		    p, UI_TEXT, 2, "%s",
		    _("2. Find the configuration file (.mapeosettings) that was used to make "
		      "the sync file, click it, then click Open. The screen may stay white for "
		      "a few seconds."));
	}
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
	for (size_t i = 0; i < fnd_n(&r->findings); i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (f->step != STEP_CONFIGURATION || f->id == FND_PROJECT_MATCH ||
		    f->id == FND_PROJECT_MISMATCH || (unknown && f->id == FND_PROJECT_DEFAULT))
			continue;
		if (!head) {
			page_gap(p);
			page_add(p, UI_HEAD, 0, "%s", _("Also noticed"));
			head = true;
		}
		page_add(p, UI_TEXT, 2, "%s: %s", fnd_severity_label(f->severity), f->message);
		const char *adv = fnd_advice_for(f->id, SD_FRONT_WIZARD);
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

/* The answer in big letters and why. Returns whether the file's project
 * is known (never from a project that could not be read). */
static bool add_verdict(ui_page *p, const wizard *w, const sd_report *r, const char *us,
                        const char *file_id)
{
	bool known = r->config_used || w->cfg_default;
	bool file_known = r->has_discovery_key || r->project_default;
	bool match = r->config_used ? r->config_match : r->project_default;
	const char *unknown = wiz_project_unknown(w, r);
	if (r->verdict == VERDICT_UNREADABLE) {
		page_add(p, UI_BIG, 0, "%s", _("THE SYNC FILE COULD NOT BE READ"));
		page_add(p, UI_TEXT, 0, "%s", report_next_action(r));
	} else if (unknown) {
		/* never a mismatch from a project that could not be read */
		page_add(p, UI_BIG, 0, "%s", _("CANNOT TELL"));
		page_add(p, UI_TEXT, 0, "%s", unknown);
		file_known = false;
	} else if (!known || !file_known) {
		page_add(p, UI_BIG, 0, "%s", _("CANNOT TELL"));
		page_add(p, UI_TEXT, 0, "%s",
		         !file_known ? _("The sync file does not say which project it belongs "
		                         "to, so it cannot be compared.")
		                     : _("No configuration was chosen for this computer."));
	} else if (match) {
		page_add(p, UI_BIG, 0, "%s", _("MATCH: SAME PROJECT"));
		page_add(p, UI_TEXT, 0, "%s",
		         _("This computer's configuration can sync with this file. The "
		           "configuration is not the problem."));
	} else {
		page_add(p, UI_BIG, 0, "%s", _("MISMATCH: DIFFERENT PROJECTS"));
		page_add(p, UI_TEXT, 0,
		         _("Mapeo will refuse this file on this computer and say: trying "
		           "to sync "
		           "two different projects (us=%s) (syncfile=%s)"),
		         us, file_id);
	}
	return file_known;
}

/* The codes Mapeo shows for the file and for this computer. */
static void add_codes(ui_page *p, const wizard *w, const sd_report *r, bool file_known,
                      const char *us, const char *file_id)
{
	page_gap(p);
	if (file_known)
		page_add(p, UI_TEXT, 0,
		         _("The sync file's project: Mapeo's messages show it as syncfile=%s."),
		         file_id);
	if (r->config_used) {
		char *name = report_escape(r->config_name ? r->config_name : "");
		char *ver = report_escape(r->config_version ? r->config_version : "");
		page_add(p, UI_TEXT, 0,
		         _("This computer (%s): %s %s. The Synchronization screen shows %s "
		           "at the "
		           "bottom; Mapeo's messages show us=%s."),
		         w->cfg_how ? w->cfg_how : "", name, ver, r->config_footer, us);
		free(name);
		free(ver);
	} else if (w->cfg_default) {
		page_add(p, UI_TEXT, 0,
		         _("This computer: Mapeo's default configuration. The Synchronization "
		           "screen shows MAPEO at the bottom; Mapeo's messages show "
		           "us=mapeo-sync."));
	}
}

/* A mismatch: the configuration that matches (and how it differs from
 * this computer's), the guide's options, and Option C. Returns Option C's
 * choice. */
static int add_mismatch(ui_page *p, wizard *w, const sd_report *r)
{
	mapeo_config *m = find_matching(w, r);
	page_gap(p);
	if (m) {
		char *t = cfg_title(m);
		char *te = report_escape(t);
		char *mp = wiz_show_path(m->path);
		page_add(p, UI_TEXT, 0,
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
			add_diff(p, d, mine, m);
			cfg_diff_free(d);
			cfg_free(mine);
		}
	} else {
		page_add(p, UI_TEXT, 0, "%s",
		         _("None of the configurations found on this computer "
		           "belongs to "
		           "the sync file's project. Ask the person who made the "
		           "sync file "
		           "for their .mapeosettings file."));
	}
	page_gap(p);
	add_options(p, m);
	if (m)
		cfg_free(m);
	return page_choice(p, _("Option C: write a copy of the sync file for this computer's "
	                        "configuration (the original is not changed)"));
}

wiz_nav panel_configuration(wizard *w)
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
		bool match = r->config_used ? r->config_match : r->project_default;
		char file_id[16], us[16];
		keys_error_form(r->has_discovery_key ? r->discovery_key : "", file_id);
		keys_error_form(r->config_used ? r->config_discovery_key : "", us);
		bool file_known = add_verdict(&p, w, r, us, file_id);
		add_codes(&p, w, r, file_known, us, file_id);
		int c_rebuild = -1;
		if (known && file_known && !match && r->verdict != VERDICT_UNREADABLE)
			c_rebuild = add_mismatch(&p, w, r);
		add_config_notes(&p, r, wiz_project_unknown(w, r) != NULL);
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
