/* panel_database.c: the database the sync files are made from. A sync file
 * is only a copy of a Mapeo database: when the database is damaged, every
 * new sync file is damaged too. Offered by the summary when the file is
 * healthy but the guide's symptoms persist, or when the file holds no
 * database, and started directly by 'syncdoctor DIR'. Finds this
 * computer's Mapeo Desktop data folder (cfg_userdata_candidates, the
 * configuration file's mapeo_userdata first) or takes a typed folder (a
 * copied phone database too), checks it in place with check_run() (the
 * database is only read, never written), and shows the verdict, every
 * device's Database status, the suspect observations worst first with
 * what finds them in Mapeo, and what to do. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configuration.h"
#include "database.h"
#include "i18n.h"
#include "log.h"
#include "report.h"
#include "wizard.h"

/* Mapeo Desktop data folders on this computer that hold a database. */
static size_t find_databases(const wizard *w, char ***out)
{
	char **c = cfg_userdata_candidates(w->g->userdata);
	char **v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; c && c[i]; i++) {
		if (db_probe(c[i]) == DB_KIND_NONE)
			continue;
		SD_GROW(v, cap, n + 1);
		v[n++] = xstrdup(c[i]);
	}
	cfg_free_list(c);
	*out = v;
	return n;
}

/* "1970-01-01 00:00" from an ISO date; the text as it is otherwise. */
static char *when_of(const char *iso)
{
	if (!iso || !*iso)
		return xstrdup(_("no date"));
	if (strlen(iso) >= 16 && iso[10] == 'T')
		return xasprintf("%.10s %.5s", iso, iso + 11);
	return report_escape(iso);
}

/* A path to paste into a shell: as shown when it needs no quoting. */
static char *shell_path(const char *path)
{
	char *shown = wiz_show_path(path);
	const char *s = shown;
	strbuf b = SB_INIT;
	if (s[0] == '~' && s[1] == '/') {
		sb_printf(&b, "~/");
		s += 2;
	}
	if (*s &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+-") ==
	        strlen(s)) {
		sb_printf(&b, "%s", s);
	} else {
		sb_printf(&b, "'");
		for (; *s; s++)
			sb_printf(&b, *s == '\'' ? "'\\''" : "%c", *s);
		sb_printf(&b, "'");
	}
	free(shown);
	return sb_take(&b);
}

/* The checks that failed for one observation, in plain words. */
static char *failed_checks(const sd_report *r, const char *id)
{
	strbuf b = SB_INIT;
	strbuf seen = SB_INIT;
	for (size_t k = 0; k < fnd_n(&r->findings); k++) {
		const finding *f = fnd_at(&r->findings, k);
		if (!f->observation || strcmp(f->observation, id) != 0)
			continue;
		char tag[64];
		snprintf(tag, sizeof tag, " %s ", f->code);
		if (strstr(sb_str(&seen), tag))
			continue;
		sb_printf(&seen, "%s", tag);
		sb_printf(&b, "%s%s", b.len ? "; " : "", _(fnd_info(f->id)->summary));
	}
	sb_free(&seen);
	return sb_take(&b);
}

static void add_status(ui_page *p, const sd_report *r)
{
	if (!r->n_feeds)
		return;
	page_gap(p);
	page_add(p, UI_HEAD, 0, "%s",
	         _("Database status (as Mapeo Desktop shows it in Help, Database status)"));
	size_t shown = r->n_feeds < 12 ? r->n_feeds : 12;
	for (size_t i = 0; i < shown; i++) {
		const report_feed *f = &r->feeds[i];
		const char *key = f->key_hex[0] ? f->key_hex : "?";
		if (f->own)
			page_add(p, UI_TEXT, 2,
			         _("Device %d (%.7s), this computer's own: %" PRIu64 "/%" PRIu64
			           ", %" PRIu64 " verified"),
			         f->index, key, f->present, f->length, f->verified);
		else
			page_add(
			    p, UI_TEXT, 2,
			    _("Device %d (%.7s): %" PRIu64 "/%" PRIu64 ", %" PRIu64 " verified"),
			    f->index, key, f->present, f->length, f->verified);
		if (f->present < f->length)
			page_add(p, UI_TEXT, 4,
			         P_("%" PRIu64 " block is missing: this device's data has a hole",
			            "%" PRIu64 " blocks are missing: this device's data has holes",
			            f->length - f->present),
			         f->length - f->present);
	}
	if (r->n_feeds > shown)
		page_add(
		    p, UI_TEXT, 2,
		    P_("... and %zu more device", "... and %zu more devices", r->n_feeds - shown),
		    r->n_feeds - shown);
}

static void add_suspects(ui_page *p, const sd_report *r)
{
	if (!r->n_obs)
		return;
	page_gap(p);
	page_add(p, UI_HEAD, 0,
	         P_("%zu observation to look at in Mapeo (worst first)",
	            "%zu observations to look at in Mapeo (worst first)", r->n_obs),
	         r->n_obs);
	for (size_t i = 0; i < r->n_obs; i++) {
		const report_observation *x = &r->obs[i];
		char *when = when_of(x->created_at);
		char *cat = x->category ? report_escape(x->category) : xstrdup(_("no category"));
		char *loc = x->has_location ? xasprintf("%.5f, %.5f", x->lat, x->lon)
		                            : xstrdup(_("no location"));
		/* TRANSLATORS: "1. 1970-01-01 00:00, category river, location 4.1, -73.2" */
		page_add(p, UI_TEXT, 2, _("%zu. %s, category %s, location %s"), i + 1, when, cat,
		         loc);
		char *failed = failed_checks(r, x->id);
		if (*failed)
			page_add(p, UI_TEXT, 5, _("Failed: %s"), failed);
		char *id = report_escape(x->id);
		page_add(p, UI_TEXT, 5, _("Observation id: %s"), id);
		free(id);
		free(failed);
		free(loc);
		free(cat);
		free(when);
	}
}

/* Findings about the database as a whole (not one observation). */
static void add_others(ui_page *p, const sd_report *r)
{
	bool head = false;
	for (size_t i = 0; i < fnd_n(&r->findings); i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (f->observation || f->severity == SEV_INFO)
			continue;
		if (!head) {
			page_gap(p);
			page_add(p, UI_HEAD, 0, "%s", _("Other problems"));
			head = true;
		}
		page_add(p, UI_TEXT, 2, "- %s", f->message);
		const char *adv = fnd_advice_for(f->id, SD_FRONT_WIZARD);
		if (adv)
			page_add(p, UI_TEXT, 4, _("What to do: %s"), adv);
	}
}

/* The mode of the rebuild the check's plans advise (rebuild_advise()):
 * "" a plain one, or NULL when no rebuild of this database gives Mapeo a
 * file. (A salvage keeps all a plain rebuild keeps, with --exclude-suspect
 * too: where the damage lies past the suspect observations, only the
 * salvage writes.) */
static const char *advised_mode(const sd_report *r)
{
	if (!r->advised || r->rebuild_whole)
		return "";
	if (r->rescue_only)
		return " --rescue";
	if (r->salvage_refused)
		return NULL;
	return " --salvage";
}

/* "syncdoctor rebuild" with mode and extra for dir, with the
 * configuration the wizard knows (or a placeholder). */
static void add_command(ui_page *p, const wizard *w, const sd_report *r, const char *dir,
                        const char *mode, const char *extra)
{
	char *d = shell_path(dir);
	const char *cfg = w->cfg_path                           ? w->cfg_path
	                  : r->config_used && r->config_has_key ? r->config_path
	                                                        : NULL;
	char *c = cfg ? shell_path(cfg) : xstrdup(_("CONFIGURATION.mapeosettings"));
	page_add(p, UI_TEXT, 2, "syncdoctor rebuild%s --database %s%s -o NEW.mapeodata --config %s",
	         mode, d, extra, c);
	free(c);
	free(d);
}

/* No rebuild of the database gives Mapeo a file (rebuild_advise()). */
static void add_refused(ui_page *p)
{
	page_add(p, UI_TEXT, 0, "%s",
	         _("No rebuild of this database gives Mapeo a file: what still verifies holds "
	           "none of its observations. Look for another copy of them: a sync file made "
	           "from this database before, a computer it synced with, or a database a sync "
	           "left on this computer."));
}

/* Damage to the feeds beyond single observations: the rebuild the check's
 * plans advise, in words and as a command. */
static void add_repair(ui_page *p, const wizard *w, const sd_report *r, const char *dir)
{
	const char *mode = advised_mode(r);
	if (!mode) {
		add_refused(p);
		return;
	}
	page_add(p, UI_TEXT, 0, "%s",
	         r->rebuild_whole || r->salvage_whole
	             ? _("A rebuild keeps everything in this database: write it into a new sync "
	                 "file (the database is not changed):")
	         : r->rescue_only
	             ? _("What still verifies holds none of its observations. Save the entries "
	                 "that are still signed into a new sync file (they get new versions; the "
	                 "database is not changed):")
	             : _("Write what is intact into a new sync file (the database is not "
	                 "changed):"));
	add_command(p, w, r, dir, mode, "");
}

static void add_todo(ui_page *p, const wizard *w, const sd_report *r, const char *dir)
{
	page_gap(p);
	page_add(p, UI_HEAD, 0, "%s", _("What to do in Mapeo"));
	if (r->n_obs) {
		page_add(
		    p, UI_TEXT, 2, "%s",
		    _("1. Open Mapeo on this computer (or on the phone the database came from) "
		      "and find each observation above by its date and category."));
		page_add(p, UI_TEXT, 2, "%s",
		         _("2. Write down what it recorded if it is still needed, then delete it; "
		           "record it again as a new observation if you need it."));
		page_add(p, UI_TEXT, 2, "%s",
		         _("3. Make a new sync file and check it with syncdoctor before taking it "
		           "to the other computers."));
		page_gap(p);
		const char *mode = advised_mode(r);
		if (!mode) {
			add_refused(p);
			return;
		}
		page_add(p, UI_TEXT, 0, "%s",
		         r->rescue_only
		             ? _("Or save the entries that are still signed into a new sync file, "
		                 "without the suspect observations (they get new versions; the "
		                 "database is not changed):")
		             : _("Or write a new sync file from this database without the suspect "
		                 "observations (the database is not changed):"));
		add_command(p, w, r, dir, mode, " --exclude-suspect");
	} else if (r->verdict == VERDICT_OK) {
		page_add(p, UI_TEXT, 2, "%s",
		         _("Nothing: every device's data, observation and photo in this database "
		           "checks out. If Mapeo still shows the problem, send the session log "
		           "(named on the first page) to whoever helps you."));
	} else if (r->verdict == VERDICT_PROBLEMS && r->advised) {
		add_repair(p, w, r, dir);
	} else if (r->verdict == VERDICT_PROBLEMS) {
		page_add(p, UI_TEXT, 2, "%s",
		         _("The problems above are not in single observations: follow what each "
		           "one says."));
	} else {
		page_add(p, UI_TEXT, 2, "%s",
		         _("Check that the folder is Mapeo Desktop's data folder (or its kappa.db "
		           "folder), or a phone's database copied whole, and try again."));
	}
}

/* Check dir, then show what was found until the person moves on.
 * another: offer "check another folder" (NAV_BACK). */
static wiz_nav check_and_show(wizard *w, const char *dir, bool another)
{
	check_options opt = {0}; /* as 'syncdoctor check DIR' */
	opt.front = SD_FRONT_WIZARD;
	opt.environment = true;
	opt.userdata = w->g->userdata;
	opt.versions = w->g->version_table;
	sd_report *r = wiz_run_check(w, dir, &opt, _("Checking the Mapeo database..."));
	if (!r)
		return NAV_BACK;
	ui_log_printf("[check database] %s: %s, %zu findings, %zu suspect observations", dir,
	              check_verdict_name(r->verdict), fnd_n(&r->findings), r->n_obs);
	wiz_record_database(w, r);
	if (w->db)
		report_free(w->db);
	w->db = r;
	w->saved = false;
	for (;;) {
		ui_page p;
		page_init(&p, w->step, w->nsteps, _("The Mapeo database"));
		p.help =
		    _("Mapeo keeps every observation in a database on the computer (Mapeo "
		      "Desktop's data folder) or on the phone; a sync file is only a copy of it. "
		      "syncdoctor read this database where it is and did not change it. Each "
		      "observation listed failed a check: find it in Mapeo by its date and "
		      "category. The arrows and PgUp/PgDn scroll the list.");
		size_t errors = fnd_count(&r->findings, SEV_ERROR);
		size_t problems = fnd_count(&r->findings, SEV_WARNING);
		page_add(&p, UI_BIG, 0, "%s",
		         r->verdict == VERDICT_UNREADABLE ? _("THE DATABASE COULD NOT BE READ")
		         : r->n_obs                       ? _("OBSERVATIONS TO FIX IN MAPEO")
		         : errors                         ? _("THE DATABASE IS DAMAGED")
		         : problems                       ? _("SMALL PROBLEMS IN THE DATABASE")
		                                          : _("THE DATABASE IS HEALTHY"));
		char *shown = wiz_show_path(dir);
		page_add(&p, UI_TEXT, 0, _("Database folder: %s"), shown);
		free(shown);
		if (r->verdict != VERDICT_UNREADABLE) {
			page_add(
			    &p, UI_TEXT, 0,
			    P_("%zu observation (%zu with photos, %zu deleted), %zu photo files",
			       "%zu observations (%zu with photos, %zu deleted), %zu photo files",
			       r->obs_heads),
			    r->obs_heads, r->obs_with_attachments, r->obs_deleted,
			    r->media_members);
			add_status(&p, r);
			add_suspects(&p, r);
			add_others(&p, r);
		}
		add_todo(&p, w, r, dir);
		int c_save =
		    page_choice_text(&p, _("Save this list as a text report"),
		                     _("Save the report as:"), "mapeo-database-report.txt");
		int c_other = another ? page_choice(&p, _("Check another database folder")) : -1;
		p.selected = -1;
		ui_answer a = ui_show(&p, wiz_work_unsaved(w));
		page_free(&p);
		if (a.act == ACT_PICK && a.choice == c_save) {
			if (a.text && *a.text)
				wiz_save_report(w, r, REPORT_TEXT, a.text);
			free(a.text);
			continue;
		}
		free(a.text);
		if (a.act == ACT_PICK && a.choice == c_other)
			return NAV_BACK;
		return wiz_nav_of(&a);
	}
}

wiz_nav wiz_database(wizard *w, const char *why)
{
	char **found = NULL;
	size_t n = find_databases(w, &found);
	wiz_nav nav = NAV_NEXT;
	for (;;) {
		ui_page p;
		page_init(&p, w->step, w->nsteps, _("Check the Mapeo database"));
		p.help = _("A sync file is made from the database Mapeo keeps on the computer or "
		           "the phone: when the database is damaged, every new sync file is "
		           "damaged too. syncdoctor reads the database where it is and never "
		           "changes it. To check a phone's database, copy its folder to this "
		           "computer and type its path. Press b to go back to the summary.");
		if (why) {
			page_add(&p, UI_TEXT, 0, "%s", why);
			page_gap(&p);
		}
		if (n)
			page_add(&p, UI_TEXT, 0, "%s",
			         P_("Mapeo Desktop's data folder on this computer:",
			            "Mapeo Desktop's data folders on this computer:", n));
		else
			page_add(
			    &p, UI_TEXT, 0, "%s",
			    _("Mapeo Desktop's data folder was not found on this computer. Type "
			      "the path of a database folder: Mapeo Desktop's data folder (or "
			      "its kappa.db folder), or a phone's database copied to this "
			      "computer."));
		for (size_t i = 0; i < n; i++) {
			char *s = wiz_show_path(found[i]);
			char *l = xasprintf(_("Check %s"), s);
			page_choice(&p, l);
			free(l);
			free(s);
		}
		int c_type = page_choice_text(
		    &p,
		    _("Type the path of a database folder (a phone's database copied here too)"),
		    _("Database folder:"), NULL);
		p.selected = 0;
		ui_answer a = ui_show(&p, wiz_work_unsaved(w));
		page_free(&p);
		if (a.act != ACT_PICK) {
			free(a.text);
			nav = a.act == ACT_QUIT || a.act == ACT_EOF ? wiz_nav_of(&a) : NAV_BACK;
			break;
		}
		const char *dir = a.choice == c_type ? a.text : found[a.choice];
		if (!dir || !*dir) {
			free(a.text);
			continue;
		}
		nav = check_and_show(w, dir, true);
		free(a.text);
		if (nav != NAV_BACK)
			break;
	}
	for (size_t i = 0; i < n; i++)
		free(found[i]);
	free(found);
	return nav;
}

wiz_nav panel_database(wizard *w) { return check_and_show(w, w->db_dir, false); }
