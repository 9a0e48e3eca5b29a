#include "config.h"

#include "diagnosis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "entries.h"
#include "feed.h"
#include "i18n.h"
#include "keys.h"
#include "media.h"
#include "settings.h"
#include "syncfile.h"
#include "xalloc.h"

#define SMALL_FILE_LIMIT (256u << 20) /* tree/signatures/bitfield of ~3 million blocks */
#define MEDIA_CHUNK (64u << 10)

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
		fnd_add(&r->findings, "project-unknown",
		        _("no configuration to compare with: give this computer's configuration with "
		          "--config (Mapeo Desktop's own was not found here)"));
		return;
	}
	mapeo_config *c = NULL;
	sd_error err;
	if (cfg_open(path, &c, &r->findings, &err) != SD_OK) {
		fnd_add(&r->findings, "config-damaged", "%s", err.msg);
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
	const char *ours = r->config_has_key ? c->discovery_key : "";
	const char *theirs = sf->has_discovery_key ? sf->discovery_key : "";
	char us[16], them[16];
	keys_error_form(ours, us);
	keys_error_form(theirs, them);
	char *title = cfg_title(c);
	r->config_match = strcmp(ours, theirs) == 0;
	if (r->config_match) {
		fnd_add(&r->findings, "project-match",
		        _("the file belongs to the project of the configuration \"%s\" (%s): both say "
		          "%s"),
		        title, c->footer, us);
	} else {
		fnd_add(&r->findings, "project-mismatch",
		        _("the file belongs to a different project than the configuration \"%s\" (%s). "
		          "Mapeo will say: trying to sync two different projects (us=%s) "
		          "(syncfile=%s)"),
		        title, c->footer, us, them);
	}
	free(title);
	cfg_free(c);
	free(auto_path);
}

/* ---- step 3: feeds, entries, media ---- */

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
	if (!r->present || r->size > SMALL_FILE_LIMIT)
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
	(void)hash_ok; /* damaged blocks are still decoded: they may be readable */
	obs_model_add_block(bc->model, bc->feed, bc->key_hex, seq, data, len, bc->fl);
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
		char key_hex[65] = "";
		if (key && kl == 32)
			keys_hex(key, 32, key_hex);
		block_ctx bc = {model, fd->index, key_hex, &r->findings};
		sd_status st = feed_verify(&src, fd->index, &res, &r->findings, on_block, &bc, prog, err);
		free(key), free(tree), free(sigs), free(bf);
		if (st != SD_OK)
			return st;
		snprintf(rf->key_hex, sizeof rf->key_hex, "%s", res.key_hex);
		rf->length = res.length;
		rf->present = res.present;
		rf->verified = res.verified;
		rf->signed_len = res.signed_len;
	}
	return SD_OK;
}

static void check_media(sd_report *r, syncfile *sf, const sd_progress *prog)
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
			finding *f = fnd_add(&r->findings, "media-damaged",
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

static int cmp_suspect(const void *a, const void *b)
{
	const report_observation *x = a, *y = b;
	if (x->worst != y->worst)
		return y->worst - x->worst;
	return strcmp(x->id, y->id);
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
	for (size_t i = 0; i < n; i++) {
		obs_head h;
		obs_model_head(model, i, &h);
		snprintf(r->heads[i].id, sizeof r->heads[i].id, "%s", h.id);
		r->heads[i].feed = h.feed;
		r->heads[i].seq = h.seq;
		int worst = -1;
		for (size_t k = 0; k < nn; k++)
			if (!strcmp(named[k]->observation, h.id) && (int)named[k]->severity > worst)
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
	free(named);
	if (r->n_obs > 1)
		qsort(r->obs, r->n_obs, sizeof *r->obs, cmp_suspect);
}

static void era_text(sd_report *r, const syncfile *sf)
{
	switch (sf->era) {
	case SF_ERA_GZIP_V0:
		r->era_text = xstrdup(_("An old compressed sync file, written by Mapeo Desktop 2 or "
		                        "older. Only those old versions can read it; current Mapeo "
		                        "refuses it."));
		break;
	case SF_ERA_HYPERLOG_V1:
		r->era_text = xstrdup(_("A sync file from Mapeo Desktop 3. Only Mapeo Desktop 3 can read "
		                        "it; Mapeo Desktop 4 and later refuse it."));
		break;
	case SF_ERA_KAPPA_OSM_V2:
		r->era_text = xstrdup(
		    sf->hints.key_dir
		        ? _("A sync file from Mapeo Desktop 5.0 to 5.2 (its database carries a folder "
		            "named after the project key). Mapeo Desktop 4 to 5.6 can read it.")
		        : _("A sync file from Mapeo Desktop 4 to 5.6. Every Mapeo Desktop from 4 to "
		            "5.6 can read it; use 5.5 or later on both computers so that a refused "
		            "sync does not strip the database from the file."));
		break;
	default:
		r->era_text = xstrdup(_("The version of Mapeo that wrote this file could not be told."));
	}
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
	sd_status st = sf_open(path, &sf, &r->findings, prog, err);
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
	r->project_default = sf->is_tar && !sf->has_discovery_key;
	r->p2p_db = xstrdup_or_null(sf->p2p_db);
	r->members = sf->n_members;
	r->media_members = sf->n_media;
	r->media_bytes = sf->media_bytes;
	r->has_database = sf->db != NULL;

	/* Step 1 */
	if (sf->is_tar && r->project_default)
		fnd_add(&r->findings, "project-default",
		        _("the file belongs to the default project (it names no project key): only a "
		          "Mapeo without a project key will sync with it"));
	if (sf->is_tar || sf->era == SF_ERA_GZIP_V0)
		compare_config(r, sf, opt);

	/* Step 3 */
	if (!opt->quick && sf->db && sf->era == SF_ERA_KAPPA_OSM_V2) {
		obs_model *model = obs_model_new();
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
			obs_model_check_media(model, names, nn, &r->findings);
			free(names);
			check_media(r, sf, prog);
			fill_observations(r, model);
		}
		obs_model_free(model);
		if (st == SD_ERR_CANCELLED || sd_progress_cancelled(prog)) {
			sf_close(sf);
			report_free(r);
			*out = NULL;
			return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
		}
		if (st != SD_OK) {
			fnd_add(&r->findings, "truncated-file", "%s", err ? err->msg : "");
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
	sd_error cerr;
	if (sdin_check_unchanged(sf->in, &cerr) != SD_OK)
		fnd_add(&r->findings, "input-changed", "%s", cerr.msg);
	sf_close(sf);
	set_verdict(r);
	return SD_OK;
}
