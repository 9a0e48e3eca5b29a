#include "config.h"

#include "diagnosis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "i18n.h"
#include "io.h"
#include "source.h"
#include "strmap.h"
#include "versions.h"
#include "xalloc.h"

const char *check_verdict_name(check_verdict v)
{
	switch (v) {
	case VERDICT_OK: return "ok";
	case VERDICT_PROBLEMS: return "problems";
	default: return "unreadable";
	}
}

void report_free(sd_report *r)
{
	if (!r)
		return;
	check_version_free(&r->version);
	free(r->file), free(r->era_text), free(r->p2p_db);
	free(r->config_path), free(r->config_name), free(r->config_version), free(r->config_source);
	for (size_t i = 0; i < r->n_feeds; i++)
		free(r->feeds[i].dir);
	free(r->feeds);
	for (size_t i = 0; i < r->n_obs; i++) {
		free(r->obs[i].id), free(r->obs[i].version), free(r->obs[i].category);
		free(r->obs[i].created_at);
	}
	free(r->obs);
	free(r->heads);
	obs_model_free(r->heads_model);
	for (size_t i = 0; i < r->n_photo_ids; i++)
		free(r->photo_ids[i]);
	free(r->photo_ids);
	fnd_free(&r->findings);
	free(r);
}

void report_drop_heads(sd_report *r)
{
	free(r->heads);
	obs_model_free(r->heads_model);
	r->heads = NULL, r->heads_model = NULL;
	r->n_heads = 0;
}

void check_head_version(const sd_report *r, const report_head *h, char out[96])
{
	const char *key = "";
	for (size_t i = 0; i < r->n_feeds; i++)
		if (r->feeds[i].index == h->feed)
			key = r->feeds[i].key_hex;
	snprintf(out, 96, "%s@%llu", key, (unsigned long long)h->seq);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort and drop repeats of ids[0..n), freeing them; returns the new n. */
static size_t sort_unique(char **ids, size_t n)
{
	if (n)
		qsort(ids, n, sizeof *ids, cmp_str);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out && !strcmp(ids[out - 1], ids[i]))
			free(ids[i]);
		else
			ids[out++] = ids[i];
	}
	return out;
}

/* r->photo_ids from the live photo members of sf: sorted, each id once.
 * Taken in batches, each sorted and merged into the ids so far, so that a
 * photo's three copies (original, preview, thumbnail) are held once. */
void check_photo_ids(sd_report *r, const syncfile *sf)
{
	if (!sf || r->photo_ids)
		return;
	enum { BATCH = 8192 };
	char **batch = xcalloc(BATCH, sizeof *batch), **ids = NULL;
	size_t nb = 0, n = 0;
	sf_member mb, *m = &mb;
	for (size_t i = 0; i <= sf->n_members; i++) {
		if (i < sf->n_members) {
			sf_member_peek(sf, i, m);
			if (m->kind != SF_KIND_MEDIA || (sf->has_index && !m->in_index))
				continue;
			sf_member_get(sf, i, m);
			const char *slash = strchr(m->name, '/');
			if (slash)
				batch[nb++] = xstrdup(slash + 1);
			if (nb < BATCH)
				continue;
		}
		nb = sort_unique(batch, nb);
		char **merged = xcalloc(n + nb + 1, sizeof *merged);
		size_t a = 0, b = 0, k = 0;
		while (a < n || b < nb) {
			int c = a == n ? 1 : b == nb ? -1 : strcmp(ids[a], batch[b]);
			if (c <= 0)
				merged[k++] = ids[a++];
			if (c == 0)
				free(batch[b++]);
			else if (c > 0)
				merged[k++] = batch[b++];
		}
		free(ids);
		ids = merged;
		n = k;
		nb = 0;
	}
	free(batch);
	r->photo_ids = ids;
	r->n_photo_ids = n;
}

/* The photos named original\ID.jpg (media-windows-name) that the file
 * does not also hold as original/ID.jpg: only those does Mapeo on Linux or
 * macOS not find (a Windows device that syncs a file made elsewhere adds
 * its own copy beside the other, doc/formats.md §11). The syncfile names
 * both original/ID.jpg; the findings' offsets tell the Windows ones. Two
 * passes and a map of those names only: no scan per photo. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static size_t windows_alone(const syncfile *sf, const findings *fl, const sd_progress *prog)
{
	size_t nw = fnd_count_code(fl, FND_MEDIA_WINDOWS_NAME), n = 0, alone = 0;
	if (!nw)
		return 0;
	uint64_t *at = xcalloc(nw, sizeof *at);
	for (size_t i = 0, k = 0; i < fnd_n(fl); i++)
		if (fnd_at(fl, i)->id == FND_MEDIA_WINDOWS_NAME)
			at[k++] = (uint64_t)fnd_at(fl, i)->offset;
	qsort(at, nw, sizeof *at, cmp_u64);
	char **names = xcalloc(nw, sizeof *names);
	bool *twin = xcalloc(nw, sizeof *twin);
	smap win;
	smap_init(&win);
	sf_member m;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sf->n_members && !sd_progress_cancelled(prog); i++) {
			sf_member_peek(sf, i, &m);
			bool windows = bsearch(&m.header_off, at, nw, sizeof *at, cmp_u64) != NULL;
			if (m.kind != SF_KIND_MEDIA || windows != (pass == 0))
				continue;
			sf_member_get(sf, i, &m);
			size_t k, len = strlen(m.name);
			if (pass == 1 && smap_get(&win, m.name, len, &k))
				twin[k] = true;
			else if (pass == 0 && n < nw && !smap_get(&win, m.name, len, &k)) {
				names[n] = xstrdup(m.name); /* one photo, named so twice: once */
				smap_put(&win, names[n], len, n);
				n++;
			}
		}
	for (size_t k = 0; k < n; k++) {
		alone += !twin[k];
		free(names[k]);
	}
	free(names), free(twin), free(at);
	smap_free(&win);
	return alone;
}

/* What the source says of itself, before its photos and feeds are read. */
static void source_facts(sd_report *r, check_read *rd, const check_options *opt)
{
	const syncfile *sf = rd->sf;
	r->size = sf->size;
	r->mtime = sf->mtime;
	r->era = sf_era_name(sf->era);
	r->is_database = sf->src.kind == SRC_DATABASE;
	check_era_text(r, sf);
	r->has_discovery_key = sf->has_discovery_key;
	snprintf(r->discovery_key, sizeof r->discovery_key, "%s", sf->discovery_key);
	rd->project_why = sf->is_tar || sf->era == SF_ERA_GZIP_V0
	                      ? check_project_unreadable(sf, opt->front)
	                      : NULL;
	r->project_unknown = rd->project_why != NULL;
	r->project_default = sf->is_tar && !sf->has_discovery_key && !rd->project_why;
	r->p2p_db = xstrdup_or_null(sf->p2p_db);
	r->members = sf->n_members;
	r->media_members = sf->n_media;
	r->media_bytes = sf->media_bytes;
	r->has_database = sf->db != NULL;
	r->end_unwritten = sf->end_unwritten;
	r->database_bytes = sf->db ? sf->db->size : 0;
	r->quick = opt->quick;
}

void check_read_free(check_read *rd)
{
	sf_close(rd->sf);
	obs_model_free(rd->model);
	fnd_free(&rd->media);
	free(rd->project_why);
	free(rd->feeds_error);
	free(rd->model_error);
	memset(rd, 0, sizeof *rd);
}

/* The source could not be checked to the end (the observations' or the
 * findings' temporary database failed): nothing about the file, only why. */
static sd_status unreadable(sd_report *r, check_read *rd, const char *why)
{
	r->verdict = VERDICT_UNREADABLE;
	free(r->era_text);
	r->era_text = xstrdup(why);
	check_read_free(rd);
	return SD_OK;
}

/* Interrupted: no report at all. */
static sd_status cancelled(sd_report *r, check_read *rd, sd_report **out, sd_error *err)
{
	check_read_free(rd);
	report_free(r);
	*out = NULL;
	return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
}

static void set_verdict(sd_report *r)
{
	fnd_sort(&r->findings);
	r->verdict = fnd_count(&r->findings, SEV_WARNING) ? VERDICT_PROBLEMS : VERDICT_OK;
}

sd_status check_run(const char *path, const check_options *opt, const sd_progress *prog,
                    sd_report **out, sd_error *err)
{
	static const check_options defaults = {0};
	if (!opt)
		opt = &defaults;
	sd_report *r = xcalloc(1, sizeof *r);
	*out = r;
	r->file = xstrdup(path);
	r->era = "unknown";
	r->front = opt->front;
	fnd_init(&r->findings);
	sd_error_clear(err);

	/* The read: the structure, then the photos and the feeds, once and
	 * front to back; a sync file's fingerprint comes from these reads. */
	check_read rd = {0};
	fnd_init(&rd.media);
	/* what a check reads is never an output, nor a folder one is written
	 * into (io_check_target()) */
	if (!opt->read_back)
		io_note_read(path);
	bool want_fp = opt->fingerprint && !opt->quick;
	sd_status st = opt->other_db ? sf_open_db(path, opt->db_at, &rd.sf, &r->findings, prog, err)
	               : want_fp     ? src_open_fingerprinted(path, &rd.sf, &r->findings, prog, err)
	                             : src_open(path, &rd.sf, &r->findings, prog, err);
	if (st == SD_ERR_CANCELLED) {
		report_free(r);
		*out = NULL;
		return st;
	}
	if (st != SD_OK) {
		r->verdict = VERDICT_UNREADABLE;
		r->era_text = xstrdup(err ? err->msg : "");
		return SD_OK;
	}
	syncfile *sf = rd.sf;
	source_facts(r, &rd, opt);
	/* A folder is many files (sf->in is NULL): no fingerprint. */
	bool hashing = want_fp && sf->in;
	if (hashing && opt->fingerprint_later && opt->keep)
		sdin_hash_solo(sf->in);
	if (hashing && !sdin_hashing(sf->in))
		sdin_hash_start(sf->in); /* in line: with the reads below */
	st = check_read_contents(r, &rd, opt, prog);
	if (rd.model_error)
		return unreadable(r, &rd, rd.model_error);
	/* a database folder's file that cannot be opened or read (permission,
	 * EIO; one that vanished is input-changed's) is no damage: a salvage would drop a feed that
	 * is whole; the check says it could not read the folder, and why */
	sd_error uerr;
	if (st == SD_OK && rd.feeds == SD_ERR_IO && sf->src.kind == SRC_DATABASE &&
	    rd.feeds_error && src_check_unchanged(sf, &uerr) == SD_OK) {
		sd_error_set(err, SD_ERR_IO, "%s", rd.feeds_error);
		return unreadable(r, &rd, err ? err->msg : "");
	}
	sd_error cerr;
	if (st == SD_OK && hashing && !(opt->fingerprint_later && opt->keep) &&
	    sdin_hash_finish(sf->in, prog, r->fingerprint, &cerr) == SD_ERR_CANCELLED)
		st = SD_ERR_CANCELLED;
	if (st == SD_ERR_CANCELLED)
		return cancelled(r, &rd, out, err);

	/* The steps, in the guide's order, each from what was read. */
	check_configuration_step(r, &rd, opt);
	ver_clues clues = {
	    .era = r->era,
	    .key_dir = sf->hints.key_dir,
	    .fake_dir = sf->hints.fake_dir,
	    .old_fake_dir = sf->hints.old_fake_dir,
	    .backslashes = sf->hints.backslashes,
	    .discovery_key = sf->hints.discovery_key || sf->has_discovery_key,
	    .legacy_project_id = sf->hints.legacy_project_id,
	    .has_database = sf->db != NULL,
	    .windows_photos = windows_alone(sf, &r->findings, prog),
	    .file = sf,
	};
	check_version_step(r, &clues, opt);
	st = check_corruption_step(r, &rd, opt);
	if (st == SD_ERR_CANCELLED)
		return cancelled(r, &rd, out, err);
	if (st != SD_OK)
		return unreadable(r, &rd, rd.model_error);

	if (src_check_unchanged(sf, &cerr) != SD_OK)
		fnd_add(&r->findings, FND_INPUT_CHANGED, "%s", cerr.msg);
	/* the findings' temporary database failed (a full disk): an error,
	 * never a list cut short */
	if (fnd_status(&r->findings, &cerr) != SD_OK) {
		if (err)
			*err = cerr;
		return unreadable(r, &rd, cerr.msg);
	}
	if (opt->keep) /* the caller copies from what was checked */
		*opt->keep = sf, rd.sf = NULL;
	check_read_free(&rd);
	set_verdict(r);
	return SD_OK;
}
