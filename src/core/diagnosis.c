#include "config.h"

#include "diagnosis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "database.h"
#include "entries.h"
#include "env.h"
#include "feed.h"
#include "human.h"
#include "i18n.h"
#include "keys.h"
#include "media.h"
#include "report.h"
#include "sdlimits.h"
#include "strbuf.h"
#include "settings.h"
#include "syncfile.h"
#include "versions.h"
#include "xalloc.h"

#define MEDIA_CHUNK (64u << 10)

const char *check_verdict_name(check_verdict v)
{
	switch (v) {
	case VERDICT_OK: return "ok";
	case VERDICT_PROBLEMS: return "problems";
	default: return "unreadable";
	}
}

static void version_free(report_version *v)
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

void report_free(sd_report *r)
{
	if (!r)
		return;
	version_free(&r->version);
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
	for (size_t i = 0; i < r->n_photo_ids; i++)
		free(r->photo_ids[i]);
	free(r->photo_ids);
	fnd_free(&r->findings);
	free(r);
}

/* ---- step 1: configuration ---- */

static void compare_config(sd_report *r, const syncfile *sf, const check_options *opt)
{
	char *auto_path = NULL;
	const char *path = opt->config_path;
	if (!path && !opt->no_auto_config) {
		auto_path = cfg_find_active(opt->userdata);
		path = auto_path;
	}
	if (!path) {
		fnd_add(
		    &r->findings, FND_PROJECT_UNKNOWN,
		    _("no configuration to compare with: give this computer's configuration with "
		      "--config (Mapeo Desktop's own was not found here)"));
		return;
	}
	mapeo_config *c = NULL;
	sd_error err;
	if (cfg_open(path, &c, &r->findings, &err) != SD_OK) {
		fnd_add(&r->findings, FND_CONFIG_DAMAGED, "%s", err.msg);
		free(auto_path);
		return;
	}
	r->config_used = true;
	r->config_path = xstrdup(path);
	r->config_name = xstrdup_or_null(c->name);
	r->config_version = xstrdup_or_null(c->version);
	r->config_has_key = c->has_key && c->discovery_key[0];
	snprintf(r->config_discovery_key, sizeof r->config_discovery_key, "%s", c->discovery_key);
	snprintf(r->config_footer, sizeof r->config_footer, "%s", c->footer);
	r->config_source = xstrdup(auto_path ? _("Mapeo Desktop's configuration on this computer")
	                                     : _("given with --config"));
	if (r->project_unknown) {
		/* project_unreadable() said why: no prediction of a mismatch */
		cfg_free(c);
		free(auto_path);
		return;
	}
	const char *ours = r->config_has_key ? c->discovery_key : "";
	const char *theirs = sf->has_discovery_key ? sf->discovery_key : "";
	char us[16], them[16];
	keys_error_form(ours, us);
	keys_error_form(theirs, them);
	char *title = cfg_title(c);
	r->config_match = cfg_same_project(c, theirs);
	if (c->has_key && !c->discovery_key[0]) {
		/* config-invalid-key says it: Mapeo stops at the key, before comparing */
	} else if (r->config_match) {
		fnd_add(
		    &r->findings, FND_PROJECT_MATCH,
		    _("the file belongs to the project of the configuration \"%s\" (%s): both say "
		      "%s"),
		    title, c->footer, us);
	} else {
		fnd_add(
		    &r->findings, FND_PROJECT_MISMATCH,
		    _("the file belongs to a different project than the configuration \"%s\" (%s). "
		      "Mapeo will say: trying to sync two different projects (us=%s) "
		      "(syncfile=%s)"),
		    title, c->footer, us, them);
	}
	free(title);
	cfg_free(c);
	free(auto_path);
}

/* Why the file's project cannot be compared with a configuration, or NULL
 * when it can: the index that holds the project is lost, or the file is of
 * another era, which Mapeo refuses before it ever compares projects
 * (mapeo-core 8.6.2 sync.js checks p2p-db first). Translated, owned. */
static char *project_unreadable(const syncfile *sf)
{
	if (sf->era == SF_ERA_GZIP_V0)
		return xstrdup(
		    _("an old compressed sync file (Mapeo Desktop 2 or older) names no "
		      "project, and current Mapeo refuses it before it compares projects "
		      "('unsupported syncfile type'): a configuration cannot change that; "
		      "open it with the old Mapeo that made it (step 2)"));
	if (sf->p2p_db && strcmp(sf->p2p_db, "kappa-osm") != 0) {
		char *db = report_escape(sf->p2p_db);
		char *m =
		    !strcmp(sf->p2p_db, "hyperlog")
		        ? xasprintf(
		              _("a Mapeo Desktop 3 file names no project, and Mapeo Desktop 4 "
		                "and later refuse it before they compare projects, with "
		                "'trying to sync this kappa-osm database with a hyperlog "
		                "database!': no configuration changes that; sync it with "
		                "Mapeo Desktop 3, then make a new sync file with a current "
		                "Mapeo (step 2)"))
		        : xasprintf(_("the file holds a '%s' database, and Mapeo refuses it before "
		                      "it compares projects, with 'trying to sync this kappa-osm "
		                      "database with a %s database!': no configuration changes "
		                      "that"),
		                    db, db);
		free(db);
		return m;
	}
	if (!sf->has_index)
		return xstrdup(
		    _("the file's index, where Mapeo writes the project, is lost or "
		      "damaged, so which project the file belongs to cannot be read; Mapeo "
		      "cannot open the file at all (step 3). A rebuild with --config gives "
		      "it the project of that configuration"));
	return NULL;
}

/* ---- step 3: feeds, entries, media ---- */

/* Photos against observations. When a torn append cut the database, the
 * observations that name a photo may be in the part that was lost: the
 * photos no observation read names are then one note, not orphans. */
static void check_photos(sd_report *r, const syncfile *sf, obs_model *model, const char **names,
                         size_t nn)
{
	findings tmp;
	fnd_init(&tmp);
	obs_model_check_media(model, names, nn, &tmp);
	size_t unnamed = 0;
	for (size_t i = 0; i < tmp.n; i++) {
		const finding *f = &tmp.v[i];
		if (sf->inner_cut && f->id == FND_MEDIA_ORPHAN) {
			unnamed++;
			continue;
		}
		finding *c = fnd_add_sev(&r->findings, f->id, f->severity, "%s", f->message);
		fnd_set_observation(c, f->observation);
		fnd_set_media(c, f->media);
		fnd_set_member(c, f->member);
	}
	fnd_free(&tmp);
	if (unnamed)
		fnd_add(&r->findings, FND_MEDIA_ORPHAN,
		        P_("%zu photo is named by no observation that could be read: the database "
		           "was cut, so the observation that names it may be in the part that was "
		           "lost",
		           "%zu photos are named by no observation that could be read: the "
		           "database was cut, so the observations that name them may be in the "
		           "part that was lost",
		           unnamed),
		        unnamed);
}

typedef struct feed_ctx {
	syncfile *sf;
	const sf_range *data;
} feed_ctx;

static sd_status read_feed_data(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	feed_ctx *fc = ctx;
	if (off + len > fc->data->size)
		return sd_error_set(err, SD_ERR_FORMAT, _("read beyond the data file"));
	return sf_read(fc->sf, fc->data->off + off, buf, len, err);
}

static uint8_t *load_range(syncfile *sf, const sf_range *r, size_t *len)
{
	*len = 0;
	/* feed_over_limit() has reported anything larger */
	if (!r->present || r->size > sd_limit_feed_file_bytes() + SD_LIMIT_BITFIELD_SLACK)
		return NULL;
	uint8_t *b = xmalloc((size_t)r->size + 1);
	if (sf_read(sf, r->off, b, (size_t)r->size, NULL) != SD_OK) {
		free(b);
		return NULL;
	}
	*len = (size_t)r->size;
	return b;
}

typedef struct block_ctx {
	obs_model *model;
	int feed;
	const char *key_hex;
	findings *fl;
} block_ctx;

static void on_block(void *ud, uint64_t seq, const uint8_t *data, size_t len, bool hash_ok)
{
	block_ctx *bc = ud;
	size_t before = bc->fl->n;
	/* damaged blocks are still decoded: they may be readable */
	obs_model_add_block(bc->model, bc->feed, bc->key_hex, seq, data, len, bc->fl);
	char id[24];
	bool named = false;
	/* The findings about this block (a hash mismatch just before the call,
	 * entry-not-json in it) name the observation it holds, so that it is
	 * among the suspects even when it is no longer JSON. */
	size_t from = !hash_ok && before ? before - 1 : before; /* feed_verify's, just made */
	for (size_t i = from; i < bc->fl->n; i++) {
		finding *f = &bc->fl->v[i];
		if (f->feed != bc->feed || f->block != (int64_t)seq || f->observation ||
		    (f->id != FND_FEED_HASH_MISMATCH && f->id != FND_ENTRY_NOT_JSON))
			continue;
		if (!named && !obs_guess_id(data, len, id, sizeof id))
			return;
		named = true;
		fnd_set_observation(f, id);
	}
}

/* A tree, signatures or bitfield file too large for SD_LIMIT_BLOCKS blocks:
 * the feed is not verified, and a finding says so. */
static bool feed_over_limit(sd_report *r, const syncfile *sf, const sf_feed *fd)
{
	const uint64_t max = sd_limit_feed_file_bytes();
	const struct {
		const sf_range *r;
		const char *name;
	} files[] = {
	    {&fd->tree, "tree"}, {&fd->signatures, "signatures"}, {&fd->bitfield, "bitfield"}};
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		uint64_t allowed = k == 2 ? max + SD_LIMIT_BITFIELD_SLACK : max;
		if (!files[k].r->present || files[k].r->size <= allowed)
			continue;
		char *inner = xasprintf("%s/%s", fd->dir, files[k].name);
		finding *f = fnd_add(
		    &r->findings, FND_LIMIT_EXCEEDED,
		    _("feed %d of %s is too large to check: its %s file (%llu bytes) is for more "
		      "than %llu blocks, so its blocks were not verified and its observations "
		      "were not read"),
		    fd->index, sf->path, inner, (unsigned long long)files[k].r->size,
		    (unsigned long long)sd_limit(SD_LIMIT_BLOCKS));
		f->feed = fd->index;
		if (!db_is_view(sf)) {
			f->offset = (int64_t)files[k].r->off;
			fnd_set_member(f, "osm-p2p-db.tar");
		}
		fnd_set_inner(f, inner);
		free(inner);
		return true;
	}
	return false;
}

/* A feed the cut of a torn append reached before its tree, signatures or
 * bitfield were written: nothing of it can be verified, so it is reported
 * once (not as damaged headers) and its data is read only for the photos it
 * names. Returns false for a feed the cut left whole. */
static bool cut_feed(sd_report *r, syncfile *sf, const sf_feed *fd, report_feed *rf,
                     obs_model *model)
{
	if (fd->tree.present && fd->signatures.present && fd->bitfield.present)
		return false;
	strbuf missing;
	sb_init(&missing);
	const struct {
		bool present;
		const char *name;
	} files[] = {{fd->key.present, "key"},
	             {fd->tree.present, "tree"},
	             {fd->signatures.present, "signatures"},
	             {fd->bitfield.present, "bitfield"},
	             {fd->data.present, "data"}};
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
		if (!files[k].present)
			sb_printf(&missing, "%s%s", missing.len ? ", " : "", files[k].name);
	finding *f = fnd_add(
	    &r->findings, FND_INNER_TAR_DAMAGED,
	    _("feed %d was cut with the database before all its files were written (missing: "
	      "%s): none of its blocks can be verified, and a rebuild leaves it out (the devices "
	      "that synced it can bring it again)"),
	    fd->index, missing.s ? missing.s : "");
	sb_free(&missing);
	f->feed = fd->index;
	fnd_set_member(f, "osm-p2p-db.tar");
	if (fd->key.present && fd->key.size == 32) {
		uint8_t k[32];
		if (sf_read(sf, fd->key.off, k, 32, NULL) == SD_OK)
			keys_hex(k, 32, rf->key_hex);
	}
	size_t len;
	uint8_t *data = load_range(sf, &fd->data, &len);
	if (data)
		obs_model_note_references(model, data, len);
	free(data);
	return true;
}

static sd_status verify_feeds(sd_report *r, syncfile *sf, obs_model *model, const sd_progress *prog,
                              sd_error *err)
{
	r->feeds = xcalloc(sf->n_feeds ? sf->n_feeds : 1, sizeof *r->feeds);
	for (size_t i = 0; i < sf->n_feeds; i++) {
		const sf_feed *fd = &sf->feeds[i];
		report_feed *rf = &r->feeds[r->n_feeds++];
		rf->index = fd->index;
		rf->dir = xstrdup(fd->dir);
		rf->signed_len = -1;
		rf->checked = true;
		if (feed_over_limit(r, sf, fd)) {
			rf->checked = false;
			continue;
		}
		if (sf->inner_cut && cut_feed(r, sf, fd, rf, model))
			continue;
		feed_source src = {0};
		size_t kl, tl, sl, bl;
		uint8_t *key = load_range(sf, &fd->key, &kl);
		uint8_t *tree = load_range(sf, &fd->tree, &tl);
		uint8_t *sigs = load_range(sf, &fd->signatures, &sl);
		uint8_t *bf = load_range(sf, &fd->bitfield, &bl);
		src.dir = fd->dir;
		src.key = key, src.key_len = kl;
		src.tree = tree, src.tree_len = tl, src.has_tree = tree != NULL;
		src.signatures = sigs, src.signatures_len = sl, src.has_signatures = sigs != NULL;
		src.bitfield = bf, src.bitfield_len = bl, src.has_bitfield = bf != NULL;
		feed_ctx fc = {sf, &fd->data};
		src.data_size = fd->data.present ? fd->data.size : 0;
		src.read_data = read_feed_data;
		src.ctx = &fc;
		feed_result res;
		char key_hex[KEYS_HEX_SIZE] = "";
		if (key && kl == 32)
			keys_hex(key, 32, key_hex);
		block_ctx bc = {model, fd->index, key_hex, &r->findings};
		sd_status st =
		    feed_verify(&src, fd->index, &res, &r->findings, on_block, &bc, prog, err);
		free(key), free(tree), free(sigs), free(bf);
		if (st != SD_OK)
			return st;
		snprintf(rf->key_hex, sizeof rf->key_hex, "%s", res.key_hex);
		rf->length = res.length;
		rf->present = res.present;
		rf->verified = res.verified;
		rf->intact = res.intact;
		rf->signed_len = res.signed_len;
	}
	return SD_OK;
}

static void check_media(findings *fl, syncfile *sf, const sd_progress *prog)
{
	uint8_t *buf = xmalloc(MEDIA_CHUNK);
	uint64_t done = 0;
	for (size_t i = 0; i < sf->n_members; i++) {
		const sf_member *m = &sf->members[i];
		if (m->kind != SF_KIND_MEDIA || (sf->has_index && !m->in_index))
			continue;
		if (sd_progress_cancelled(prog))
			break;
		media_check *mc = media_check_new();
		uint64_t avail = m->data_off < sf->size ? sf->size - m->data_off : 0;
		uint64_t size = m->size < avail ? m->size : avail;
		for (uint64_t off = 0; off < size && media_check_wants_more(mc);) {
			size_t n = (size_t)(size - off < MEDIA_CHUNK ? size - off : MEDIA_CHUNK);
			if (sf_read(sf, m->data_off + off, buf, n, NULL) != SD_OK)
				break;
			media_check_feed(mc, buf, n);
			off += n;
		}
		done += size;
		sd_progress_report(prog, _("photos"), done, sf->media_bytes, i, sf->n_members);
		const char *why;
		uint64_t at;
		if (!media_check_finish(mc, &why, &at)) {
			finding *f =
			    fnd_add(fl, FND_MEDIA_DAMAGED,
			            _("the photo %s will not open: %s (at byte %llu of it)"),
			            m->name, why, (unsigned long long)at);
			fnd_set_media(f, m->name);
			fnd_set_member(f, m->name);
			f->offset = (int64_t)(m->data_off + at);
		}
	}
	free(buf);
}

void check_head_version(const sd_report *r, const report_head *h, char out[96])
{
	const char *key = "";
	for (size_t i = 0; i < r->n_feeds; i++)
		if (r->feeds[i].index == h->feed)
			key = r->feeds[i].key_hex;
	snprintf(out, 96, "%s@%llu", key, (unsigned long long)h->seq);
}

/* A photo that will not open makes its observation one to look at: name the
 * observation (and its block) on the media-damaged finding. */
static void link_media_findings(sd_report *r, obs_model *model)
{
	for (size_t k = 0; k < r->findings.n; k++) {
		finding *f = &r->findings.v[k];
		if (f->id != FND_MEDIA_DAMAGED || f->observation || !f->media)
			continue;
		const char *slash = strchr(f->media, '/');
		const char *id = slash ? slash + 1 : f->media;
		size_t i;
		if (obs_model_find_attachment(model, id, &i)) {
			obs_head h;
			obs_model_head(model, i, &h);
			fnd_set_observation(f, h.id);
			f->feed = h.feed;
			f->block = (int64_t)h.seq;
		}
	}
}

static int cmp_suspect(const void *a, const void *b)
{
	const report_observation *x = a, *y = b;
	if (x->worst != y->worst)
		return y->worst - x->worst;
	return strcmp(x->id, y->id);
}

static int cmp_named(const void *a, const void *b)
{
	const finding *x = *(const finding *const *)a, *y = *(const finding *const *)b;
	return strcmp(x->observation, y->observation);
}

static void fill_observations(sd_report *r, obs_model *model)
{
	size_t n = obs_model_n_heads(model);
	obs_counts c = obs_model_counts(model);
	r->observations_checked = true;
	r->obs_heads = c.heads;
	r->obs_forks = c.forks;
	r->obs_deleted = c.deleted;
	r->obs_with_attachments = c.with_attachments;
	r->heads = xcalloc(n ? n : 1, sizeof *r->heads);
	r->n_heads = n;
	/* Findings that name an observation, sorted by id for lookups. */
	const finding **named = xcalloc(r->findings.n + 1, sizeof *named);
	size_t nn = 0;
	for (size_t k = 0; k < r->findings.n; k++)
		if (r->findings.v[k].observation)
			named[nn++] = &r->findings.v[k];
	if (nn > 1)
		qsort(named, nn, sizeof *named, cmp_named);
	for (size_t i = 0; i < n; i++) {
		obs_head h;
		obs_model_head(model, i, &h);
		snprintf(r->heads[i].id, sizeof r->heads[i].id, "%s", h.id);
		r->heads[i].feed = h.feed;
		r->heads[i].seq = h.seq;
		int worst = -1;
		size_t lo = 0, hi = nn;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (strcmp(named[mid]->observation, h.id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < nn && !strcmp(named[k]->observation, h.id); k++)
			if ((int)named[k]->severity > worst)
				worst = (int)named[k]->severity;
		if (worst < 0)
			continue;
		SD_GROW(r->obs, r->obs_cap, r->n_obs + 1);
		report_observation *o = &r->obs[r->n_obs++];
		memset(o, 0, sizeof *o);
		o->id = xstrdup(h.id);
		o->version = xasprintf("%s@%llu", h.feed_key, (unsigned long long)h.seq);
		o->category = xstrdup_or_null(h.category);
		o->created_at = h.created_at[0] ? xstrdup(h.created_at) : NULL;
		o->lat = h.lat;
		o->lon = h.lon;
		o->has_location = h.has_location;
		o->suspect = true;
		o->worst = worst;
	}
	/* An observation named only by a damaged block (no longer JSON, or no
	 * longer an observation) is no head, but it is the first to look for. */
	for (size_t k = 0; k < nn; k++) {
		const finding *f = named[k];
		bool listed = false;
		for (size_t i = 0; i < r->n_obs && !listed; i++)
			if (!strcmp(r->obs[i].id, f->observation)) {
				listed = true;
				if ((int)f->severity > r->obs[i].worst)
					r->obs[i].worst = (int)f->severity;
			}
		if (listed || f->feed < 0 || f->block < 0)
			continue;
		const char *key = "";
		for (size_t i = 0; i < r->n_feeds; i++)
			if (r->feeds[i].index == f->feed)
				key = r->feeds[i].key_hex;
		SD_GROW(r->obs, r->obs_cap, r->n_obs + 1);
		report_observation *o = &r->obs[r->n_obs++];
		memset(o, 0, sizeof *o);
		o->id = xstrdup(f->observation);
		o->version = xasprintf("%s@%lld", key, (long long)f->block);
		o->suspect = true;
		o->worst = (int)f->severity;
	}
	free(named);
	if (r->n_obs > 1)
		qsort(r->obs, r->n_obs, sizeof *r->obs, cmp_suspect);
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

/* What only a database has: which folder it is, in plain words. */
static void database_facts(sd_report *r, const syncfile *sf)
{
	r->is_database = true;
	free(r->era_text);
	switch (db_view_kind(sf)) {
	case DB_KIND_DESKTOP:
		r->era_text =
		    xstrdup(_("Mapeo Desktop's database on a computer (its kappa.db folder), "
		              "read in place: nothing in it is changed."));
		break;
	case DB_KIND_TEMP:
		r->era_text =
		    xstrdup(_("The database a sync left behind in a temporary folder "
		              "(osm-p2p-syncfile-*): it may hold what a sync file lost."));
		break;
	default:
		r->era_text =
		    xstrdup(_("A Mapeo database folder (numbered feed folders, as Mapeo "
		              "Mobile keeps them), read in place: nothing in it is changed."));
	}
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* r->photo_ids from the live photo members of sf. */
static void photo_ids(sd_report *r, const syncfile *sf)
{
	r->photo_ids = xcalloc(sf->n_members + 1, sizeof *r->photo_ids);
	for (size_t i = 0; i < sf->n_members; i++) {
		const sf_member *m = &sf->members[i];
		const char *slash = strchr(m->name, '/');
		if (m->kind == SF_KIND_MEDIA && slash && (!sf->has_index || m->in_index))
			r->photo_ids[r->n_photo_ids++] = xstrdup(slash + 1);
	}
	if (r->n_photo_ids)
		qsort(r->photo_ids, r->n_photo_ids, sizeof *r->photo_ids, cmp_str);
	size_t out = 0;
	for (size_t i = 0; i < r->n_photo_ids; i++) {
		if (out && !strcmp(r->photo_ids[out - 1], r->photo_ids[i]))
			free(r->photo_ids[i]);
		else
			r->photo_ids[out++] = r->photo_ids[i];
	}
	r->n_photo_ids = out;
}

static void environment_findings(sd_report *r, const env_info *e)
{
	/* Folders left by interrupted syncs. */
	char(*keys)[KEYS_HEX_SIZE] = xcalloc(r->n_feeds ? r->n_feeds : 1, sizeof *keys);
	for (size_t i = 0; i < r->n_feeds; i++)
		memcpy(keys[i], r->feeds[i].key_hex, 65);
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
		if (!(m > 0 && shared) && (t->has_multifeed || t->has_db_tar))
			named = env_temp_photos(t, (const char *const *)r->photo_ids,
			                        r->n_photo_ids, &refs);
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
			f = fnd_add(&r->findings, FND_LEFTOVER_TEMP_DATABASE,
			            _("%s, left by an interrupted sync on %s (%s), holds %s whose "
			              "observations name %zu photos, none of them in this file: it "
			              "comes from another sync file"),
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
		char *d = xasprintf(_("%zu feeds"), t->n_feeds);
		fnd_set_detail(f, d);
		free(d);
	}
	free(keys);
	free(self);

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

	/* Mapeo's own logs. */
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

void check_version_step(sd_report *r, const ver_clues *clues, const check_options *opt)
{
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
	c.incomplete = c.incomplete || fnd_has(&r->findings, FND_FEED_INCOMPLETE);
	report_version *v = &r->version;
	version_free(v);
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
			environment_findings(r, e);
		env_free(e);
	}
	ver_table_free(t);
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
	fnd_init(&r->findings);
	sd_error_clear(err);

	syncfile *sf = NULL;
	struct stat pst;
	bool is_db = stat(path, &pst) == 0 && S_ISDIR(pst.st_mode);
	sd_status st = is_db ? db_open(path, &sf, &r->findings, prog, err)
	                     : sf_open(path, &sf, &r->findings, prog, err);
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
	r->size = sf->size;
	r->mtime = sf->mtime;
	r->era = sf_era_name(sf->era);
	era_text(r, sf);
	r->has_discovery_key = sf->has_discovery_key;
	snprintf(r->discovery_key, sizeof r->discovery_key, "%s", sf->discovery_key);
	char *unknown = sf->is_tar || sf->era == SF_ERA_GZIP_V0 ? project_unreadable(sf) : NULL;
	r->project_unknown = unknown != NULL;
	r->project_default = sf->is_tar && !sf->has_discovery_key && !unknown;
	r->p2p_db = xstrdup_or_null(sf->p2p_db);
	r->members = sf->n_members;
	r->media_members = sf->n_media;
	r->media_bytes = sf->media_bytes;
	photo_ids(r, sf);
	r->has_database = sf->db != NULL;
	r->database_bytes = sf->db ? sf->db->size : 0;
	if (is_db)
		database_facts(r, sf);

	/* Step 1 */
	if (unknown) {
		fnd_add(&r->findings, FND_PROJECT_UNREADABLE, "%s", unknown);
		free(unknown);
	}
	if (sf->is_tar && r->project_default)
		fnd_add(
		    &r->findings, FND_PROJECT_DEFAULT,
		    _("the file belongs to the default project (it names no project key): only a "
		      "Mapeo without a project key will sync with it"));
	if (is_db && sf->has_discovery_key && db_view_kind(sf) == DB_KIND_DESKTOP &&
	    !opt->config_path && !opt->userdata) {
		/* Desktop's database is compared with the configuration beside it. */
		check_options o2 = *opt;
		char *ud = db_userdata_of(path);
		o2.userdata = ud;
		compare_config(r, sf, &o2);
		free(ud);
	} else if (sf->is_tar || sf->era == SF_ERA_GZIP_V0 || (is_db && sf->has_discovery_key))
		compare_config(r, sf, opt);
	else if (is_db)
		fnd_add(
		    &r->findings, FND_PROJECT_UNKNOWN,
		    _("the database does not say which project it belongs to (only Mapeo "
		      "Desktop's keeps a folder that tells it): compare the configuration on the "
		      "device it came from"));

	/* Step 3 */
	r->quick = opt->quick;
	bool hashing = opt->fingerprint && !opt->quick && !is_db && sf->in;
	if (hashing)
		sdin_hash_start(sf->in);
	if (!opt->quick && sf->db && sf->era == SF_ERA_KAPPA_OSM_V2) {
		obs_model *model = obs_model_new();
		/* Photos come before the database in Mapeo's sync files: read them
		 * first, so that the file is read front to back (its fingerprint
		 * comes from these reads); their findings still follow the
		 * database's. A database folder keeps its order (feeds first). */
		findings media_fl;
		fnd_init(&media_fl);
		if (!is_db)
			check_media(&media_fl, sf, prog);
		st = verify_feeds(r, sf, model, prog, err);
		if (st == SD_OK) {
			int64_t now = opt->now ? opt->now : sf->write_time;
			obs_model_finish(model, now, &r->findings);
			const char **names = xcalloc(sf->n_media + 1, sizeof *names);
			size_t nn = 0;
			for (size_t i = 0; i < sf->n_members; i++)
				if (sf->members[i].kind == SF_KIND_MEDIA &&
				    (!sf->has_index || sf->members[i].in_index))
					names[nn++] = sf->members[i].name;
			/* a temp folder holds the database only: its photos stayed in the
			 * sync file */
			if (!is_db || db_view_kind(sf) != DB_KIND_TEMP)
				check_photos(r, sf, model, names, nn);
			free(names);
			if (is_db)
				check_media(&media_fl, sf, prog);
			fnd_append(&r->findings, &media_fl);
			link_media_findings(r, model);
			fill_observations(r, model);
		}
		fnd_free(&media_fl);
		obs_model_free(model);
		if (st == SD_ERR_CANCELLED || sd_progress_cancelled(prog)) {
			sf_close(sf);
			report_free(r);
			*out = NULL;
			return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
		}
		if (st != SD_OK) {
			fnd_add(&r->findings, FND_TRUNCATED_FILE, "%s", err ? err->msg : "");
			sd_error_clear(err);
		}
	} else if (!sf->db || opt->quick) {
		/* Feeds listed from the structure alone. */
		r->feeds = xcalloc(sf->n_feeds ? sf->n_feeds : 1, sizeof *r->feeds);
		for (size_t i = 0; i < sf->n_feeds; i++) {
			report_feed *rf = &r->feeds[r->n_feeds++];
			rf->index = sf->feeds[i].index;
			rf->dir = xstrdup(sf->feeds[i].dir);
			rf->signed_len = -1;
			if (sf->feeds[i].key.present && sf->feeds[i].key.size == 32) {
				uint8_t k[32];
				if (sf_read(sf, sf->feeds[i].key.off, k, 32, NULL) == SD_OK)
					keys_hex(k, 32, rf->key_hex);
			}
		}
	}
	/* Step 2 (the version) and this computer. */
	ver_clues clues = {
	    .era = r->era,
	    .key_dir = sf->hints.key_dir,
	    .fake_dir = sf->hints.fake_dir,
	    .old_fake_dir = sf->hints.old_fake_dir,
	    .backslashes = sf->hints.backslashes,
	    .discovery_key = sf->hints.discovery_key || sf->has_discovery_key,
	    .legacy_project_id = sf->hints.legacy_project_id,
	    .has_database = sf->db != NULL,
	};
	check_version_step(r, &clues, opt);

	if (is_db) /* report feeds follow the folder's feeds one for one */
		for (size_t i = 0; i < r->n_feeds && i < sf->n_feeds; i++)
			r->feeds[i].own = sf->feeds[i].has_secret_key;
	sd_error cerr;
	if (hashing && sdin_hash_finish(sf->in, prog, r->fingerprint, &cerr) == SD_ERR_CANCELLED) {
		sf_close(sf);
		report_free(r);
		*out = NULL;
		return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
	}
	if ((is_db ? db_check_unchanged(sf, &cerr) : sdin_check_unchanged(sf->in, &cerr)) != SD_OK)
		fnd_add(&r->findings, FND_INPUT_CHANGED, "%s", cerr.msg);
	if (opt->keep)
		*opt->keep = sf;
	else
		sf_close(sf);
	set_verdict(r);
	return SD_OK;
}
