#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "database.h"
#include "env.h"
#include "human.h"
#include "i18n.h"
#include "keys.h"
#include "versions.h"
#include "xalloc.h"

void check_version_free(report_version *v)
{
	free(v->table_path), free(v->table_error), free(v->writers), free(v->readers);
	for (size_t i = 0; i < v->n_cautions; i++)
		free(v->cautions[i]);
	free(v->cautions);
	free(v->local_version), free(v->local_path), free(v->local_text), free(v->userdata);
	for (size_t i = 0; i < v->n_log; i++)
		free(v->log[i].date), free(v->log[i].file), free(v->log[i].text);
	free(v->log);
	memset(v, 0, sizeof *v);
}

static void era_text(sd_report *r, const syncfile *sf)
{
	switch (sf->era) {
	case SF_ERA_GZIP_V0:
		r->era_text =
		    xstrdup(_("An old compressed sync file, written by Mapeo Desktop 2 or "
		              "older. Only those old versions can read it; current Mapeo "
		              "refuses it."));
		break;
	case SF_ERA_HYPERLOG_V1:
		r->era_text =
		    xstrdup(_("A sync file from Mapeo Desktop 3. Only Mapeo Desktop 3 can read "
		              "it; Mapeo Desktop 4 and later refuse it."));
		break;
	case SF_ERA_KAPPA_OSM_V2:
		r->era_text = xstrdup(
		    sf->hints.key_dir
		        ? _("A sync file from Mapeo Desktop 5.0 to 5.2 (its database carries a "
		            "folder "
		            "named after the project key). Mapeo Desktop 4 to 5.6 can read it.")
		        : _("A sync file from Mapeo Desktop 4 to 5.6. Every Mapeo Desktop from 4 "
		            "to "
		            "5.6 can read it; use 5.5 or later on both computers so that a refused "
		            "sync does not strip the database from the file."));
		break;
	default:
		r->era_text =
		    xstrdup(_("The version of Mapeo that wrote this file could not be told."));
	}
}

/* A temporary folder: which copy of its database was read, and why. */
static char *temp_facts(const syncfile *sf)
{
	int bad;
	db_copy c = db_view_copy(sf, &bad);
	const char *what = _("The database a sync left behind in a temporary folder "
	                     "(osm-p2p-syncfile-*): it may hold what a sync file lost.");
	if (c == DB_COPY_PACKED)
		return xasprintf("%s %s", what,
		                 _("It was read from its packed copy, osm-p2p-db.tar."));
	if (c == DB_COPY_PACKED_OVER_UNPACKED)
		return xasprintf("%s %s", what,
		                 _("It holds the database twice: the packed copy "
		                   "(osm-p2p-db.tar) is whole and verifies, so it was read, "
		                   "not the unpacked one (multifeed)."));
	if (c == DB_COPY_UNPACKED_OVER_PACKED && bad >= 0) {
		char *why = xasprintf(_("It holds the database twice: feed %d of the packed copy "
		                        "(osm-p2p-db.tar) does not verify, so the unpacked one "
		                        "(multifeed) was read."),
		                      bad);
		char *t = xasprintf("%s %s", what, why);
		free(why);
		return t;
	}
	if (c == DB_COPY_UNPACKED_OVER_PACKED && bad == -2)
		return xasprintf("%s %s", what,
		                 _("It holds the database twice: the packed copy "
		                   "(osm-p2p-db.tar) could not be opened, so the unpacked one "
		                   "(multifeed) was read."));
	if (c == DB_COPY_UNPACKED_OVER_PACKED)
		return xasprintf("%s %s", what,
		                 _("It holds the database twice: the packed copy "
		                   "(osm-p2p-db.tar) is cut short or damaged (Mapeo died while "
		                   "it packed it), so the unpacked one (multifeed) was read."));
	return xstrdup(what);
}

/* What only a database has: which folder it is, in plain words. */
static void database_facts(sd_report *r, const syncfile *sf)
{
	free(r->era_text);
	switch (db_view_kind(sf)) {
	case DB_KIND_DESKTOP:
		r->era_text =
		    xstrdup(_("Mapeo Desktop's database on a computer (its kappa.db folder), "
		              "read in place: nothing in it is changed."));
		break;
	case DB_KIND_TEMP: {
		db_copy c = db_view_copy(sf, NULL);
		r->era_text = temp_facts(sf);
		r->database_copy = c == DB_COPY_PACKED || c == DB_COPY_PACKED_OVER_UNPACKED
		                       ? "packed"
		                       : "unpacked";
		break;
	}
	default:
		r->era_text =
		    xstrdup(_("A Mapeo database folder (numbered feed folders, as Mapeo "
		              "Mobile keeps them), read in place: nothing in it is changed."));
	}
}

void check_era_text(sd_report *r, const syncfile *sf)
{
	era_text(r, sf);
	if (sf->src.kind == SRC_DATABASE)
		database_facts(r, sf);
}

/* ---- step 2 and this computer (versions.h, env.h) ---- */

#define MIB        (1024ull * 1024ull)
#define GIB        (1024ull * MIB)
#define FAT32_MAX  (4 * GIB - 1)
#define FAT32_NEAR (FAT32_MAX - 512 * MIB)

static void local_mapeo(report_version *v, const env_info *e, const ver_table *t,
                        const ver_clues *c)
{
	const env_install *in = NULL;
	for (size_t i = 0; i < e->n_installs && !in; i++)
		if (e->installs[i].version)
			in = &e->installs[i];
	if (!in && e->n_installs)
		in = &e->installs[0];
	if (!in) {
		v->local_text =
		    xstrdup(_("No Mapeo Desktop installation was found on this computer. "
		              "Mapeo Desktop shows its version at the bottom left of the "
		              "Mapeo modes panel."));
		return;
	}
	v->local_found = true;
	v->local_path = xstrdup(in->path);
	v->local_version = xstrdup_or_null(in->version);
	if (!in->version) {
		v->local_text =
		    xasprintf(_("Mapeo Desktop is installed in %s, but its version could "
		                "not be read; Mapeo Desktop shows it at the bottom left of "
		                "the Mapeo modes panel."),
		              in->path);
		return;
	}
	const ver_release *rel = t ? ver_find(t, in->version) : NULL;
	if (!c) {
		/* A database folder: no sync file era to read. */
		v->local_text = xasprintf(_("Mapeo Desktop %s is installed here."), in->version);
		return;
	}
	if (!rel) {
		v->local_text =
		    xasprintf(_("Mapeo Desktop %s is installed here; the version table does "
		                "not know it, so what it does with this file cannot be "
		                "told."),
		              in->version);
		return;
	}
	v->local_can_read = ver_release_can_read(rel, c) ? 1 : 0;
	v->local_text = ver_release_advice(rel, in->version, c);
}

static void log_evidence(sd_report *r, const env_info *e)
{
	report_version *v = &r->version;
	char form[16];
	keys_error_form(r->has_discovery_key ? r->discovery_key : NULL, form);
	v->userdata = xstrdup_or_null(e->userdata);
	v->log = xcalloc(e->n_events ? e->n_events : 1, sizeof *v->log);
	for (size_t i = 0; i < e->n_events; i++) {
		const env_log_event *ev = &e->events[i];
		report_log_line *l = &v->log[v->n_log++];
		l->date = xstrdup(ev->date);
		l->file = xstrdup(ev->file);
		l->line = ev->line;
		l->kind = env_log_kind_name(ev->kind);
		l->text = xstrdup(ev->text);
		l->this_file = ev->kind == ENV_LOG_PROJECT_MISMATCH && ev->them[0] &&
		               r->verdict != VERDICT_UNREADABLE && !strcmp(ev->them, form);
	}
	v->n_log_total = e->n_events_total;
}

/* The folders left by interrupted syncs, each said with whether it
 * belongs to this file. */
static void leftover_findings(sd_report *r, const env_info *e, const syncfile *sf)
{
	char(*keys)[KEYS_HEX_SIZE] = xcalloc(r->n_feeds ? r->n_feeds : 1, sizeof *keys);
	for (size_t i = 0; i < r->n_feeds; i++)
		memcpy(keys[i], r->feeds[i].key_hex, KEYS_HEX_SIZE);
	const char *dk = r->has_discovery_key ? r->discovery_key : r->project_default ? "" : NULL;
	char *self = realpath(r->file, NULL);
	for (size_t i = 0; i < e->n_temps; i++) {
		const env_temp *t = &e->temps[i];
		char *tp = realpath(t->path, NULL);
		bool is_self = self && tp && !strcmp(self, tp);
		free(tp);
		if (is_self) /* the folder being checked */
			continue;
		size_t shared = 0;
		int m =
		    env_temp_match(t, dk, (const char(*)[KEYS_HEX_SIZE])keys, r->n_feeds, &shared);
		char when[32];
		human_time(t->mtime, when);
		char *size = human_size(t->bytes);
		const char *what = t->has_multifeed || t->has_db_tar
		                       ? _("a database")
		                       : _("no database (only empty folders or other files)");
		/* Its observations' photos tell when its feeds cannot: the file
		 * whose database was taken out keeps the photos (FORMATS.md A.3). */
		size_t refs = 0, named = 0;
		if (!(m > 0 && shared) && (t->has_multifeed || t->has_db_tar)) {
			check_photo_ids(r, sf);
			named = env_temp_photos(t, (const char *const *)r->photo_ids,
			                        r->n_photo_ids, &refs);
		}
		finding *f;
		if (m > 0 && shared)
			f = fnd_add(
			    &r->findings, FND_LEFTOVER_TEMP_DATABASE,
			    _("%s, left by an interrupted sync on %s (%s), holds %s with %zu of "
			      "the feeds in this file: it belongs to this file"),
			    t->path, when, size, what, shared);
		else if (named)
			f = fnd_add(
			    &r->findings, FND_LEFTOVER_TEMP_DATABASE,
			    _("%s, left by an interrupted sync on %s (%s), holds %s whose "
			      "observations name %zu of the photos in this file: it belongs "
			      "to this file"),
			    t->path, when, size, what, named);
		else if (m < 0 && refs && r->n_photo_ids)
			f = fnd_add(
			    &r->findings, FND_LEFTOVER_TEMP_DATABASE,
			    P_("%s, left by an interrupted sync on %s (%s), holds %s whose "
			       "observations name %zu photo, not in this file: it comes from "
			       "another sync file",
			       "%s, left by an interrupted sync on %s (%s), holds %s whose "
			       "observations name %zu photos, none of them in this file: it "
			       "comes from another sync file",
			       refs),
			    t->path, when, size, what, refs);
		else if (m < 0 && !t->has_multifeed && !t->has_db_tar)
			f = fnd_add(
			    &r->findings, FND_LEFTOVER_TEMP_DATABASE,
			    _("%s, left by an interrupted sync on %s (%s), holds no database "
			      "(only empty folders or other files): nothing in it can be "
			      "recovered"),
			    t->path, when, size);
		else if (m > 0)
			f = fnd_add(
			    &r->findings, FND_LEFTOVER_TEMP_DATABASE,
			    _("%s, left by an interrupted sync on %s (%s), holds %s of this file's "
			      "project"),
			    t->path, when, size, what);
		else if (m == 0)
			f = fnd_add(
			    &r->findings, FND_LEFTOVER_TEMP_DATABASE,
			    _("%s, left by an interrupted sync on %s (%s), holds %s that shares "
			      "nothing with this file: it comes from another sync file"),
			    t->path, when, size, what);
		else
			f = fnd_add(
			    &r->findings, FND_LEFTOVER_TEMP_DATABASE,
			    _("%s, left by an interrupted sync on %s (%s), holds %s, but neither "
			      "it nor this file has a feed or a photo to compare: whether it "
			      "belongs to this file cannot be told"),
			    t->path, when, size, what);
		free(size);
		char *d = xasprintf(P_("%zu feed", "%zu feeds", t->n_feeds), t->n_feeds);
		fnd_set_detail(f, d);
		free(d);
	}
	free(keys);
	free(self);
}

/* Room for the sync: in the temporary folder and on the file's drive. */
static void room_findings(sd_report *r, const env_info *e)
{
	/* Room: Mapeo extracts the whole database to the temp folder and packs
	 * it there again when it closes the file (doc/formats.md §3). */
	uint64_t db = r->database_bytes;
	if (e->temp_dirs && e->temp_dirs[0] && e->temp_space.known && db) {
		uint64_t need = 2 * db + 64 * MIB;
		if (e->temp_space.free_bytes < need) {
			char *fr = human_size(e->temp_space.free_bytes), *nd = human_size(need),
			     *dbs = human_size(db);
			fnd_add(&r->findings, FND_LOW_DISK_SPACE,
			        _("the temporary folder %s has %s free, but Mapeo unpacks and "
			          "packs the "
			          "file's whole database (%s) there: it needs about %s"),
			        e->temp_dirs[0], fr, dbs, nd);
			free(fr), free(nd), free(dbs);
		}
	}
	env_space vs;
	char *dir = xstrdup(r->file);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash == dir ? (void)(dir[1] = '\0') : (void)(*slash = '\0');
	else
		strcpy(dir, ".");
	if (env_volume(dir, &vs)) {
		uint64_t need = 64 * MIB + db / 4;
		if (vs.free_bytes < need) {
			char *fr = human_size(vs.free_bytes), *nd = human_size(need);
			fnd_add(&r->findings, FND_LOW_DISK_SPACE,
			        _("the drive that holds the file has %s free; a sync writes the "
			          "database "
			          "back and adds the new data and photos: keep at least %s free"),
			        fr, nd);
			free(fr), free(nd);
		}
		if (vs.vfat && r->size >= FAT32_NEAR) {
			char *sz = human_size(r->size);
			fnd_add(&r->findings, FND_FAT32_SIZE_LIMIT,
			        r->size > FAT32_MAX ? _("the file is on a FAT32 drive and is %s: "
			                                "FAT32 cannot hold a file "
			                                "over 4 GiB, so it is already cut")
			                            : _("the file is on a FAT32 drive and is %s: "
			                                "the next sync can pass "
			                                "4 GiB, which FAT32 cannot hold"),
			        sz);
			free(sz);
		}
	}
	free(dir);
}

/* Mapeo's own logs. */
static void log_findings(sd_report *r)
{
	const report_version *v = &r->version;
	if (v->n_log) {
		const report_log_line *l = &v->log[0];
		finding *f =
		    fnd_add(&r->findings, FND_MAPEO_LOG_ERROR,
		            P_("Mapeo's log on this computer records %zu sync error, the latest "
		               "on %s: %s",
		               "Mapeo's logs on this computer record %zu sync errors, the latest "
		               "on %s: %s",
		               v->n_log_total),
		            v->n_log_total, l->date[0] ? l->date : "?", l->text);
		char *d = xasprintf("%s:%ld", l->file, l->line);
		fnd_set_detail(f, d);
		free(d);
	}
}

static void environment_findings(sd_report *r, const env_info *e, const syncfile *sf)
{
	leftover_findings(r, e, sf);
	room_findings(r, e);
	log_findings(r);
}

/* Some feed lacks blocks its tree counts: the fact that feed_verify()
 * reports as feed-incomplete, read from the feeds themselves (a report
 * made by hand, or one whose findings were filtered, still answers). */
static bool feeds_incomplete(const sd_report *r)
{
	for (size_t i = 0; i < r->n_feeds; i++)
		if (r->feeds[i].checked && r->feeds[i].present < r->feeds[i].length)
			return true;
	return false;
}

/* Photos named original\ID.jpg (media-windows-name) tell who wrote the
 * file: Mapeo on Windows, which named them with its own path separator
 * (doc/formats.md §11). Said in step 2, where people look for the writer.
 * Counted without those the file also holds as original/ID.jpg, which
 * Mapeo on Linux or macOS finds (clues->windows_photos); without clues,
 * every one. */
static void windows_writer_hint(sd_report *r, const ver_clues *clues)
{
	size_t n =
	    clues ? clues->windows_photos : fnd_count_code(&r->findings, FND_MEDIA_WINDOWS_NAME);
	if (!n)
		return;
	fnd_add(&r->findings, FND_WRITER_HINT,
	        P_("%zu photo is named with '\\' (original\\ID.jpg): Mapeo on Windows wrote "
	           "this file and named it with Windows's path separator, so Mapeo on Linux or "
	           "macOS does not find it; open the file on Windows, or rebuild it with "
	           "syncdoctor, which names it with '/'",
	           "%zu photos are named with '\\' (original\\ID.jpg): Mapeo on Windows wrote "
	           "this file and named them with Windows's path separator, so Mapeo on Linux or "
	           "macOS does not find them; open the file on Windows, or rebuild it with "
	           "syncdoctor, which names them with '/'",
	           n),
	        n);
}

void check_version_step(sd_report *r, const ver_clues *clues, const check_options *opt)
{
	windows_writer_hint(r, clues);
	static const check_options defaults = {0};
	if (!opt)
		opt = &defaults;
	ver_clues c = {0};
	if (clues)
		c = *clues;
	if (!c.era)
		c.era = r->era;
	if (!clues) {
		c.has_database = r->has_database;
		c.discovery_key = r->has_discovery_key;
	}
	c.project_unknown = c.project_unknown || r->project_unknown;
	c.incomplete = c.incomplete || feeds_incomplete(r);
	report_version *v = &r->version;
	check_version_free(v);
	v->local_can_read = -1;

	ver_table *t = NULL;
	sd_error err;
	if (ver_table_load(opt->versions, &t, &err) == SD_OK) {
		v->table_loaded = true;
		v->table_path = xstrdup(t->path);
	} else {
		v->table_path = xstrdup(opt->versions ? opt->versions : ver_default_path());
		v->table_error = xstrdup(err.msg);
		/* Said as a finding, not only as a line of text: scripts and the
		 * exit status see that step 2 could not be answered. */
		fnd_add(
		    &r->findings, FND_VERSION_TABLE_MISSING,
		    _("the table of Mapeo versions could not be read (%s): which Mapeo versions "
		      "wrote and can read this file is not known"),
		    err.msg);
	}
	/* A database folder is not a sync file: it has no era to explain (its
	 * root feed folder comes from the user database's multifeed 4.1.10). */
	if (t && !r->is_database) {
		ver_assessment a;
		ver_assess(t, &c, &a);
		v->writers = a.writers_text, a.writers_text = NULL;
		v->readers = a.readers_text, a.readers_text = NULL;
		v->cautions = a.cautions, v->n_cautions = a.n_cautions;
		a.cautions = NULL, a.n_cautions = 0;
		ver_assessment_free(&a);
	}
	if (!opt->no_local_mapeo) {
		env_options eo = {.userdata = opt->userdata, .no_temp = !opt->environment};
		env_info *e = env_scan(&eo);
		local_mapeo(v, e, t, r->is_database ? NULL : &c);
		log_evidence(r, e);
		if (opt->environment && r->verdict != VERDICT_UNREADABLE)
			environment_findings(r, e, c.file);
		env_free(e);
	}
	ver_table_free(t);
}
