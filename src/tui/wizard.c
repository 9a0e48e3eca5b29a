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

#include "configuration.h"
#include "env.h"
#include "i18n.h"
#include "io.h"
#include "journal.h"
#include "log.h"
#include "rebuild.h"
#include "report.h"
#include "session.h"
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

void wiz_offer_stale(const char *path)
{
	char **stale = io_stale_temps(path);
	for (char **p = stale; *p; p++) {
		char *shown = wiz_show_path(*p);
		char *q = xasprintf(_("%s was left by an earlier run that was killed while it "
		                      "wrote this file. Remove it?"),
		                    shown);
		if (ui_confirm(q)) {
			ui_log_answer("remove %s: %s", shown, unlink(*p) == 0 ? "done" : "failed");
		}
		free(q);
		free(shown);
	}
	io_free_list(stale);
}

bool wiz_is_config_file(const char *path, char **title)
{
	struct stat st;
	/* configurations are small; never read a big sync file twice for this */
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 16 * 1024 * 1024)
		return false;
	mapeo_config *c = NULL;
	findings fl;
	fnd_init(&fl);
	bool is = cfg_open(path, &c, &fl, NULL) == SD_OK && c && c->presets != NULL;
	if (is && title) {
		char *t = cfg_title(c);
		*title = report_escape(t);
		free(t);
	}
	if (c)
		cfg_free(c);
	fnd_free(&fl);
	return is;
}

const char *wiz_project_unknown(const wizard *w, const sd_report *r)
{
	if (r->verdict == VERDICT_UNREADABLE)
		return _("The sync file could not be read, so its project is not known.");
	if (w->file_is_config)
		return _("This is a configuration file (.mapeosettings), not a sync file: it "
		         "belongs to no sync. Go back and choose the sync file (.mapeodata).");
	if (fnd_has(&r->findings, FND_NOT_A_SYNC_FILE))
		return _("This is not a Mapeo sync file, so it names no project (see step 3).");
	if (fnd_has(&r->findings, FND_MISSING_INDEX) || fnd_has(&r->findings, FND_DAMAGED_INDEX) ||
	    fnd_has(&r->findings, FND_INDEX_DISAGREES))
		return _("The part of the sync file that names its project (its index) is lost "
		         "or damaged, so which project it belongs to cannot be told here. Mapeo "
		         "cannot open the file either (see step 3).");
	if (r->era && strcmp(r->era, "kappa-osm-v2") != 0)
		return _("This sync file comes from a Mapeo older than projects (see step 2): "
		         "it names no project to compare.");
	return NULL;
}

env_info *wiz_leftovers(const wizard *w, const sd_report *r, int **match, size_t **shared)
{
	env_options eo = {0};
	eo.userdata = w->g->userdata;
	env_info *e = env_scan(&eo);
	char(*keys)[KEYS_HEX_SIZE] = xcalloc(r->n_feeds ? r->n_feeds : 1, sizeof *keys);
	for (size_t i = 0; i < r->n_feeds; i++)
		memcpy(keys[i], r->feeds[i].key_hex, KEYS_HEX_SIZE);
	const char *dk = r->has_discovery_key ? r->discovery_key : r->project_default ? "" : NULL;
	*match = xcalloc(e->n_temps ? e->n_temps : 1, sizeof **match);
	*shared = xcalloc(e->n_temps ? e->n_temps : 1, sizeof **shared);
	for (size_t i = 0; i < e->n_temps; i++)
		(*match)[i] = env_temp_match(&e->temps[i], dk, (const char(*)[KEYS_HEX_SIZE])keys,
		                             r->n_feeds, &(*shared)[i]);
	free(keys);
	return e;
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

/* The whole check as one bar: the quick report (steps 1 and 2) already
 * says how big each part is, so the structure (about a twentieth of the
 * file: headers only), every device's data (the database's bytes, shared
 * by blocks) and the photos (their bytes) are parts of one total, and the
 * time left is the whole check's, not the current part's. The part after
 * the structure is whichever comes first: a sync file's photos (read
 * before its database, front to back), a database folder's feeds. */
static struct {
	bool on;
	bool photos_seen; /* the photos began before the devices' data */
	uint64_t structure, database, media, total;
	uint64_t blocks; /* in every feed (0: not known from a quick check) */
	size_t n_feeds, feeds_started;
	uint64_t feeds_done; /* bytes of the feeds finished */
	uint64_t cur_len;    /* blocks of the feed being checked */
	uint64_t cur_k;
	uint64_t cur_share;
} whole;

static void whole_begin(const sd_report *quick)
{
	memset(&whole, 0, sizeof whole);
	if (!quick || quick->verdict == VERDICT_UNREADABLE)
		return;
	whole.n_feeds = quick->n_feeds;
	for (size_t i = 0; i < quick->n_feeds; i++)
		whole.blocks += quick->feeds[i].length;
	whole.structure = quick->size / 20 + 1;
	whole.media = quick->media_bytes;
	whole.database = quick->database_bytes       ? quick->database_bytes
	                 : quick->size > whole.media ? quick->size - whole.media
	                                             : 1;
	whole.total = whole.structure + whole.database + whole.media;
	whole.on = true;
}

static uint64_t scale(uint64_t part, uint64_t done, uint64_t of)
{
	if (!of)
		return 0;
	if (done > of)
		done = of;
	return (uint64_t)((double)part * (double)done / (double)of);
}

static void on_progress(void *ud, const char *phase, uint64_t bytes_done, uint64_t bytes_total,
                        uint64_t items_done, uint64_t items_total)
{
	wizard *w = ud;
	uint64_t done = bytes_total ? bytes_done : items_done;
	uint64_t total = bytes_total ? bytes_total : items_total;
	/* the core names its phases except a device's data (counted in blocks) */
	const char *label = phase ? phase : _("the devices' data");
	if (whole.on && (!phase || !strcmp(phase, _("structure")) || !strcmp(phase, _("photos")))) {
		uint64_t at;
		if (!phase) {
			/* a device's share: by its blocks, or an equal part when the
			 * quick check did not count them */
			uint64_t share = whole.blocks
			                     ? scale(whole.database, items_total, whole.blocks)
			                     : whole.database / (whole.n_feeds ? whole.n_feeds : 1);
			if (items_done <= whole.cur_k || items_total != whole.cur_len) {
				/* a new device: the one before is done */
				if (whole.feeds_started++)
					whole.feeds_done += whole.cur_share;
				whole.cur_len = items_total;
				whole.cur_share = share;
			}
			whole.cur_k = items_done;
			at = whole.structure + (whole.photos_seen ? whole.media : 0) +
			     whole.feeds_done + scale(share, items_done, items_total);
		} else if (!strcmp(phase, _("structure"))) {
			at = scale(whole.structure, done, total);
		} else {
			if (!whole.feeds_started)
				whole.photos_seen = true;
			at = whole.structure + (whole.photos_seen ? 0 : whole.database) +
			     scale(whole.media, done, total);
		}
		done = at < whole.total ? at : whole.total;
		total = whole.total;
	}
	if (ui_progress_update(label, done, total))
		w->cancel = 1;
}

struct jnl_db *wiz_journal(const wizard *w, bool create)
{
	char *path = sess_journal_path(w->g);
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
	if (jnl_record_report(j, r, NULL, NULL, NULL, &err) != SD_OK)
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
	int64_t id = 0;
	sd_error err;
	sd_error_clear(&err);
	if (jnl_record_report(j, r, &prog, w->fingerprint, &id, &err) != SD_OK)
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
	if (whole.on)
		ui_progress_whole();
	/* a damaged file's repair is planned from what the check read, so
	 * that the summary advises what really keeps the most */
	syncfile *sf = NULL;
	check_options co = *opt;
	if (!co.quick && !co.keep)
		co.keep = &sf;
	sd_status st = check_run(path, &co, &prog, &r, &err);
	if (st == SD_OK && sf)
		st = rebuild_advise(r, sf, &prog);
	sf_close(sf);
	ui_progress_end();
	memset(&whole, 0, sizeof whole);
	if (st == SD_ERR_CANCELLED) {
		if (r)
			report_free(r);
		if (!sess_interrupted) /* Ctrl-C quits: no message to dismiss first */
			ui_message(_("Cancelled"),
			           _("The check was cancelled. Nothing was changed."));
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
	opt.front = SD_FRONT_WIZARD;
	opt.quick = quick;
	opt.fingerprint = !quick && !w->g->no_journal; /* for the case journal */
	opt.environment = true;
	opt.userdata = w->g->userdata;
	opt.versions = w->g->version_table;
	if (!quick && w->quick && w->quick_key && strcmp(w->quick_key, key) == 0)
		whole_begin(w->quick);
	sd_report *r = wiz_run_check(w, w->file, &opt,
	                             quick ? _("Reading the sync file's table of contents...")
	                                   : _("Checking every part of the sync file..."));
	if (!r) {
		free(key);
		return NULL;
	}
	w->file_is_config = wiz_is_config_file(w->file, NULL);
	ui_log_printf("[check%s] %s: %s, %zu findings", quick ? " quick" : "", w->file,
	              check_verdict_name(r->verdict), fnd_n(&r->findings));
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

bool wiz_needs_repair(const sd_report *r)
{
	if (!r)
		return false;
	/* the plan of rebuild_advise(): a plain rebuild refuses or leaves
	 * out what such warnings mark, so the repair is the salvage */
	return fnd_count_in(&r->findings, STEP_CORRUPTION, SEV_ERROR) > 0 ||
	       (r->advised && !r->rebuild_whole);
}

/* "<dir>/<name>-repaired.mapeodata", numbered when taken. */
static char *default_output(const char *input)
{
	if (!input)
		input = "syncdoctor"; /* a folder alone: beside the working folder */
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

/* What a plan keeps, in the units a person counts: observations (the
 * current ones the full check listed, kept when the block of their
 * version is written) and photo files. total < 0: not known (no full
 * check). */
typedef struct plan_counts {
	long obs_total, obs_kept;
	long photos_total, photos_kept;
	size_t rescued; /* entries the rescue copies (not counted above) */
} plan_counts;

static plan_counts count_plan(const wizard *w /* NULL: another input */, const rebuild_plan *plan)
{
	plan_counts c = {-1, 0, -1, (long)plan->n_media, plan->n_rescued};
	const sd_report *r = w ? w->full : NULL;
	if (!r)
		return c;
	c.photos_total = (long)r->media_members;
	if (!r->has_database && r->verdict != VERDICT_UNREADABLE)
		c.obs_total = 0; /* none in the file: none to keep */
	if (!r->observations_checked)
		return c;
	c.obs_total = (long)r->n_heads;
	for (size_t i = 0; i < r->n_heads && plan->has_db; i++) {
		report_head h;
		report_head_get(r, i, &h);
		/* by the feed's key: the plan may take it from another copy (another
		 * source, an earlier database of the file) under another number */
		const char *key = NULL;
		for (size_t f = 0; f < r->n_feeds && !key; f++)
			if (r->feeds[f].index == h.feed && r->feeds[f].key_hex[0])
				key = r->feeds[f].key_hex;
		for (size_t k = 0; key && k < plan->n_feeds; k++)
			if (!plan->feeds[k].rescue && !strcmp(plan->feeds[k].key_hex, key) &&
			    h.seq < plan->feeds[k].keep) {
				c.obs_kept++;
				break;
			}
	}
	return c;
}

/* "Keeps 20 of 24 observations (4 lost) and 30 of 30 photo files (none
 * lost)": the plan's headline, repeated in the confirmation. */
static char *plan_headline(const plan_counts *c)
{
	char *obs = c->obs_total < 0
	                ? xstrdup(_("observations: counted when the new file is "
	                            "checked"))
	                : xasprintf(_("observations: %ld of %ld (%ld lost)"), c->obs_kept,
	                            c->obs_total, c->obs_total - c->obs_kept);
	char *ph =
	    c->photos_total < 0
	        ? xasprintf(_("photo files: %ld"), c->photos_kept)
	        : xasprintf(
	              _("photo files: %ld of %ld (%ld lost)"), c->photos_kept, c->photos_total,
	              c->photos_total > c->photos_kept ? c->photos_total - c->photos_kept : 0);
	/* TRANSLATORS: "Kept: observations: 20 of 24 (4 lost); photo files: ..." */
	char *h = xasprintf(_("Kept: %s; %s."), obs, ph);
	free(obs);
	free(ph);
	if (c->rescued) {
		char *h2 = xasprintf(P_("%s Rescued: %zu entry that was still signed, into a new "
		                        "feed (new versions).",
		                        "%s Rescued: %zu entries that were still signed, into a "
		                        "new feed (new versions).",
		                        c->rescued),
		                     h, c->rescued);
		free(h);
		h = h2;
	}
	return h;
}

/* A file that keeps no database would sync nothing into Mapeo: it is
 * never offered as a fix. Says why and what to do instead. */
static void refuse_empty_plan(wizard *w, const rebuild_plan *plan, const plan_counts *c)
{
	ui_page p;
	page_init(&p, w->step, w->nsteps, _("Repair: what the new sync file will hold"));
	p.help = _("A repair is offered only when the new file keeps observations. Press b to go "
	           "back to the summary.");
	page_add(&p, UI_BIG, 0, "%s", _("NO REPAIR: THE NEW FILE WOULD KEEP NO OBSERVATIONS"));
	char *h = plan_headline(c);
	page_add(&p, UI_HEAD, 0, "%s", h);
	free(h);
	page_gap(&p);
	page_add(&p, UI_TEXT, 0, "%s",
	         !plan->has_db
	             ? _("The sync file holds no database, so a new file made from it would hold "
	                 "only photos: Mapeo would sync no observation from it. Nothing was "
	                 "written.")
	             : _("Nothing of the database can be kept: a new file would hold no "
	                 "observation Mapeo can sync. Nothing was written."));
	page_add(&p, UI_TEXT, 0, "%s",
	         _("Look for the observations elsewhere: the summary's keys check this "
	           "computer's Mapeo database and look for a database a sync left in a "
	           "temporary folder; or make a new sync file on the computer that made this "
	           "one."));
	ui_answer a = ui_show(&p, false);
	free(a.text);
	page_free(&p);
}

void wiz_rebuild(wizard *w, bool for_config)
{
	if (for_config && (w->cfg_default || !w->cfg_path)) {
		ui_message(_("Repair"),
		           _("A sync file can only be rebuilt for a configuration that has a "
		             "project key. Choose this computer's .mapeosettings file in the "
		             "configuration step, or use Option A or B."));
		return;
	}
	/* A file that no longer names its project (its index or userdata lost)
	 * is rebuilt for the configuration chosen in step 1, as the CLI's
	 * --config does: the repair was refused with "give the configuration
	 * with --config" right after the person had chosen it. With no key to
	 * write for (Mapeo's default chosen), the core's refusal says what to
	 * choose in the wizard's words (rebuild_options.front). */
	const sd_report *r = w->full ? w->full : w->quick;
	const char *cfg = for_config ? w->cfg_path : NULL;
	if (!cfg && r && r->project_unknown && !r->has_discovery_key && w->cfg_path &&
	    !w->cfg_default)
		cfg = w->cfg_path;
	wiz_rebuild_from(w, NULL, cfg);
}

/* The plan for sources[0..n), planned again with the mode that leaves the
 * damage out when the first one would not give Mapeo a clean file, and
 * with the rescue when the person accepts it. NULL after saying why. */
static rebuild_plan *plan_repair(const char *const *sources, size_t n, rebuild_options *opt,
                                 const sd_progress *prog)
{
	ui_progress_begin(_("Planning the repair..."));
	rebuild_plan *plan = NULL;
	sd_error err;
	sd_error_clear(&err);
	sd_status st = rebuild_plan_make_multi(sources, n, opt, prog, &plan, &err);
	if (st == SD_OK && plan->n_unclean && (plan->needs_salvage || plan->needs_exclude)) {
		/* never offer a file Mapeo would refuse: plan again with the mode
		 * that leaves the damage out (the plan shows what that costs) */
		opt->salvage = opt->salvage || plan->needs_salvage;
		opt->exclude_suspect = opt->exclude_suspect || plan->needs_exclude;
		rebuild_plan_free(plan);
		plan = NULL;
		st = rebuild_plan_make_multi(sources, n, opt, prog, &plan, &err);
	}
	ui_progress_end();
	if (st == SD_OK && plan->n_rescuable && !opt->rescue) {
		char *q = xasprintf(
		    P_("%zu entry that the repair would leave out is still intact and signed. "
		       "Copy it into a new feed under a new key, so Mapeo receives it? That "
		       "observation gets a new version, and when the device that made it syncs "
		       "again it may appear twice.",
		       "%zu entries that the repair would leave out are still intact and signed. "
		       "Copy them into a new feed under a new key, so Mapeo receives them? Those "
		       "observations get new versions, and when the device that made them syncs "
		       "again they may appear twice.",
		       plan->n_rescuable),
		    plan->n_rescuable);
		bool yes = ui_confirm(q);
		free(q);
		if (yes) {
			opt->rescue = true;
			rebuild_plan_free(plan);
			plan = NULL;
			ui_progress_begin(_("Planning the repair..."));
			st = rebuild_plan_make_multi(sources, n, opt, prog, &plan, &err);
			ui_progress_end();
		}
	}
	if (st != SD_OK) {
		ui_message(_("The repair is not possible"), err.msg);
		return NULL;
	}
	return plan;
}

/* The plan's page, the output's name, the confirmation, the write and its
 * check, until one is written or the person goes back. orig_path: the
 * input the confirmation names. */
static void confirm_and_write(wizard *w, rebuild_plan *plan, const char *orig_path,
                              rebuild_options *opt, const sd_progress *prog, const char *headline)
{
	char *out = default_output(w->file ? w->file : orig_path);
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
		page_add(&p, UI_HEAD, 0, "%s", headline);
		page_gap(&p);
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
		/* the name is tried before any question (it used to be confirmed,
		 * then refused): a file or folder this run reads, a name that
		 * exists (a repair never replaces a file) or no regular file; the
		 * plan then offers its own name again */
		sd_error terr;
		if (io_check_target_for(out, false, SD_FRONT_WIZARD, &terr) != SD_OK) {
			ui_message(_("The new sync file was not written"), terr.msg);
			free(shown);
			free(out);
			out = default_output(w->file ? w->file : orig_path);
			continue;
		}
		char *orig = wiz_show_path(orig_path);
		char *q = xasprintf(_("Write a new sync file %s? %s The file %s is not changed."),
		                    shown, headline, orig);
		free(orig);
		bool yes = ui_confirm(q);
		free(q);
		if (!yes) {
			free(shown);
			continue;
		}
		wiz_offer_stale(out);
		ui_progress_begin(_("Writing and checking the new sync file..."));
		w->cancel = 0;
		sd_error err;
		sd_error_clear(&err);
		sd_status st = rebuild_write(plan, out, opt, prog, &err);
		ui_progress_end();
		record_rebuild(w, plan, out, opt->salvage, st == SD_OK ? NULL : err.msg);
		if (st == SD_OK) {
			char *m = xasprintf(_("Written and verified: %s. %s The summary shows it; "
			                      "press the key of \"Check the new file\" there."),
			                    shown, headline);
			ui_message(_("Repair finished"), m);
			free(m);
			w->rebuilt = true;
			char *abs = realpath(out, NULL);
			wiz_set(&w->rebuilt_path, abs ? abs : out);
			free(abs);
			wiz_set(&w->rebuilt_what, headline);
			free(shown);
			break;
		}
		ui_message(_("The new sync file was not written"), err.msg);
		free(shown);
		if (st == SD_ERR_CANCELLED)
			break;
	}
	free(out);
}

void wiz_rebuild_from(wizard *w, const char *folder, const char *cfg)
{
	rebuild_options opt = {0};
	opt.no_auto_config = true;
	opt.front = SD_FRONT_WIZARD;         /* its refusals name the wizard's steps, not options */
	opt.fingerprint = !w->g->no_journal; /* for the case journal */
	opt.config_path = cfg;
	bool own = !folder; /* the sync file alone: its check counts what is kept */
	/* the plan's headline counts observations from the full check */
	if (own && !w->full && !wiz_check(w, false))
		return;
	/* a leftover folder is what an interrupted sync left: keep what verifies */
	opt.salvage = !own || wiz_needs_repair(w->full ? w->full : w->quick);
	w->cancel = 0;
	sd_progress prog = {on_progress, w, &w->cancel};
	/* A folder is joined to the sync file, as 'rebuild FILE --database DIR'
	 * does: the photos and feeds that stay in the file are kept too. */
	const char *sources[2] = {w->file, folder};
	size_t n = own ? 1 : 2;
	if (!own && !w->file) {
		sources[0] = folder;
		n = 1;
	}
	rebuild_plan *plan = plan_repair(sources, n, &opt, &prog);
	if (!plan)
		return;
	plan_counts counts = count_plan(own ? w : NULL, plan);
	/* before the plan's own refusal: a file without its database (the
	 * rebuild asks for --database DIR) is refused here with what it would
	 * keep and where the observations may be */
	/* (the rescue's entries are observations Mapeo receives: a plan that
	 * keeps only them is written, as the CLI's --rescue does) */
	if (!plan->has_db || plan->n_feeds == 0 ||
	    (counts.obs_total > 0 && counts.obs_kept == 0 && !plan->n_rescued)) {
		ui_log_printf("repair refused: the plan keeps no database");
		refuse_empty_plan(w, plan, &counts);
		rebuild_plan_free(plan);
		return;
	}
	if (plan->n_unclean) {
		/* no mode gives Mapeo a clean file from here: the plan says why */
		strbuf b = SB_INIT;
		rebuild_plan_text(plan, &b);
		ui_message(_("The repair is not possible"), sb_str(&b));
		sb_free(&b);
		rebuild_plan_free(plan);
		return;
	}
	char *headline = plan_headline(&counts);
	confirm_and_write(w, plan, own ? w->file : folder, &opt, &prog, headline);
	free(headline);
	rebuild_plan_free(plan);
}

/* ---- the walk ---- */

typedef wiz_nav (*panel_fn)(wizard *);

int ui_wizard_main(const char *file, sess_options *g)
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
	int number[7];
	int n = 0, total = WIZ_NSTEPS;
	number[n] = WIZ_STEP_WELCOME, steps[n++] = panel_welcome;
	if (w.db_dir) {
		number[n] = 2, steps[n++] = panel_database;
		total = 2;
	} else {
		if (!w.file_given)
			number[n] = WIZ_STEP_FILE, steps[n++] = panel_file;
		number[n] = WIZ_STEP_CONFIG, steps[n++] = panel_config;
		number[n] = WIZ_STEP_CHECK1, steps[n++] = panel_configuration;
		number[n] = WIZ_STEP_CHECK2, steps[n++] = panel_version;
		number[n] = WIZ_STEP_CHECK3, steps[n++] = panel_corruption;
		number[n] = WIZ_STEP_SUMMARY, steps[n++] = panel_summary;
	}

	int i = 0;
	while (i < n) {
		w.step = number[i];
		w.nsteps = total;
		wiz_nav nav = steps[i](&w);
		if (sess_interrupted)
			break; /* Ctrl-C, TERM or HUP: leave from wherever it came */
		if (nav == NAV_NEXT)
			i++;
		else if (nav == NAV_BACK)
			i = i > 0 ? i - 1 : 0;
		else
			break;
	}
	int rc = sess_interrupted ? EXIT_INTERRUPTED : wiz_exit_status(&w);
	if (sess_interrupted)
		ui_log_printf("interrupted");
	bool curses = ui_is_curses();
	ui_close();
	/* both front ends name it: it is what a technician asks for */
	if (!curses && sess_interrupted)
		fputc('\n', stderr); /* Ctrl-C left the line's prompt unfinished */
	if (ui_log_path()) {
		char *e = report_escape(ui_log_path());
		fflush(stdout);
		fprintf(stderr, _("syncdoctor: the session log is %s\n"), e);
		free(e);
	}
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
	free(w.rebuilt_path);
	free(w.rebuilt_what);
	return rc;
}
