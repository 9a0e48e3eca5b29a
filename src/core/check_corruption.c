#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "feed.h"
#include "i18n.h"
#include "io.h"
#include "keys.h"
#include "media.h"
#include "sdlimits.h"
#include "session.h"
#include "strmap.h"
#include "strbuf.h"
#include "xalloc.h"

#define MEDIA_CHUNK (64u << 10)

/* ---- step 3: feeds, entries, media ---- */

/* Photos against observations (a photo an earlier rebuild left out is
 * said as such). When a torn append cut the database, the
 * observations that name a photo may be in the part that was lost: the
 * photos no observation read names are then one note, not orphans. */
/* The photos the check looks at, one name at a time, in file order (a file
 * may hold 200,000: their names are never all in memory). */
typedef struct photo_names {
	const syncfile *sf;
	const sd_progress *prog;
	size_t member; /* the member after the last name handed out */
	sf_member mb;
} photo_names;

static const char *photo_name(void *ctx, size_t i)
{
	photo_names *pn = ctx;
	if (i == 0) {
		pn->member = 0;
		sd_test_point("photos");
	}
	if (sd_progress_cancelled(pn->prog))
		return NULL; /* interrupted: the check stops there */
	for (;; pn->member++) {
		sf_member_peek(pn->sf, pn->member, &pn->mb);
		if (pn->mb.kind == SF_KIND_MEDIA && (!pn->sf->has_index || pn->mb.in_index))
			break;
	}
	sf_member_get(pn->sf, pn->member++, &pn->mb);
	return pn->mb.name;
}

/* f, said as code with msg (taken) instead, into fl. */
static void add_retold(findings *fl, const finding *f, fnd_code code, char *msg)
{
	const fnd_code_info *ci = fnd_info(code);
	finding t = *f;
	t.id = ci->id, t.code = ci->code, t.step = ci->step, t.severity = ci->severity;
	t.message = msg;
	fnd_add_copy(fl, &t);
	free(msg);
}

/* The names of the photos the index does not name (Mapeo does not see
 * them), into m (the caller frees both); how many. */
static size_t unindexed_photos(const syncfile *sf, smap *m, char ***names)
{
	size_t n = 0;
	*names = NULL;
	for (size_t i = 0; sf->has_index && i < sf->n_members; i++) {
		sf_member mb;
		sf_member_peek(sf, i, &mb);
		if (mb.kind != SF_KIND_MEDIA || mb.in_index)
			continue;
		sf_member_get(sf, i, &mb);
		*names = xreallocarray(*names, n + 1, sizeof **names);
		(*names)[n] = xstrdup(mb.name);
		smap_put(m, (*names)[n], strlen((*names)[n]), n);
		n++;
	}
	return n;
}

static void check_photos(sd_report *r, const syncfile *sf, obs_model *model, size_t nn,
                         const sd_progress *prog)
{
	photo_names pn = {.sf = sf, .prog = prog};
	/* A file may have 150,000 photos no observation names: nothing to
	 * amend (the common case), they go straight to the report's list; else
	 * to a list of their own, copied to the report's amended (both keep
	 * flat memory, finding.h). */
	smap unindexed;
	smap_init(&unindexed);
	char **un_names;
	size_t n_un = unindexed_photos(sf, &unindexed, &un_names);
	if (!sf->inner_cut && !sf->n_left_out && !n_un) {
		obs_model_check_media_each(model, nn, photo_name, &pn, &r->findings);
		smap_free(&unindexed);
		return;
	}
	findings l;
	fnd_init(&l);
	size_t unnamed = 0;
	obs_model_check_media_each(model, nn, photo_name, &pn, &l);
	for (size_t i = 0; i < fnd_n(&l) && !sd_progress_cancelled(prog); i++) {
		const finding *f = fnd_at(&l, i);
		if (sf->inner_cut && f->id == FND_MEDIA_ORPHAN) {
			unnamed++;
			continue;
		}
		if (f->id == FND_ATTACHMENT_MISSING && f->media && sf_left_out(sf, f->media))
			/* said as what it is, not as a photo that did not travel */
			add_retold(&r->findings, f, FND_ATTACHMENT_LEFT_OUT,
			           xasprintf(_("observation %s: its photo %s was left out by a "
			                       "syncdoctor rebuild because it was damaged"),
			                     f->observation ? f->observation : "-", f->media));
		else if (f->id == FND_ATTACHMENT_MISSING && f->media &&
		         smap_get(&unindexed, f->media, strlen(f->media), &(size_t){0}))
			/* in the file, where Mapeo does not look: not lost */
			add_retold(
			    &r->findings, f, FND_ATTACHMENT_UNINDEXED,
			    xasprintf(_("observation %s: its photo %s is in the file, but the "
			                "file's index does not name it, so Mapeo does not see "
			                "it; a rebuild writes it into the index"),
			              f->observation ? f->observation : "-", f->media));
		else
			fnd_add_copy(&r->findings, f);
	}
	if (fnd_status(&l, NULL) != SD_OK)
		fnd_append(&r->findings, &l); /* its failure, to the report's list */
	fnd_free(&l);
	smap_free(&unindexed);
	for (size_t i = 0; i < n_un; i++)
		free(un_names[i]);
	free(un_names);
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
	/* feed_over_limit() has reported anything larger */
	return sf_load(sf, r, sd_limit_feed_file_bytes() + SD_LIMIT_BITFIELD_SLACK, len);
}

/* What load_range() would load: present, within the limit and readable to
 * its end (a cut file reads as absent, as it did when loaded whole). */
static bool range_readable(syncfile *sf, const sf_range *r)
{
	uint8_t b;
	if (!r->present || r->size > sd_limit_feed_file_bytes() + SD_LIMIT_BITFIELD_SLACK)
		return false;
	return !r->size || (sf_read(sf, r->off, &b, 1, NULL) == SD_OK &&
	                    sf_read(sf, r->off + r->size - 1, &b, 1, NULL) == SD_OK);
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
	size_t before = fnd_n(bc->fl);
	/* damaged blocks are still decoded: they may be readable */
	obs_model_add_block(bc->model, bc->feed, bc->key_hex, seq, data, len, bc->fl);
	char id[24];
	bool named = false;
	/* The findings about this block (a hash mismatch just before the call,
	 * entry-not-json in it) name the observation it holds, so that it is
	 * among the suspects even when it is no longer JSON. */
	size_t from = !hash_ok && before ? before - 1 : before; /* feed_verify's, just made */
	for (size_t i = from; i < fnd_n(bc->fl); i++) {
		const finding *f = fnd_at(bc->fl, i);
		if (f->feed != bc->feed || f->block != (int64_t)seq || f->observation ||
		    (f->id != FND_FEED_HASH_MISMATCH && f->id != FND_ENTRY_NOT_JSON))
			continue;
		if (!named && !obs_guess_id(data, len, id, sizeof id))
			return;
		named = true;
		fnd_set_observation(fnd_edit(bc->fl, i), id);
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
		if (sf->src.in_member) {
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
	if (data && model)
		obs_model_note_references(model, data, len);
	free(data);
	return true;
}

/* ---- a feed's key of the wrong length (doc/formats.md §3) ---- */

#define KEY_CANDIDATES 4096        /* distinct candidates tried, at most */
#define KEY_SCAN_BYTES (64u << 20) /* of the feeds' data read for links, at most */
#define KEY_PROOFS     8           /* feeds per check whose key is looked for */

typedef struct key_cands {
	uint8_t *v; /* KEY_CANDIDATES * 32 bytes, never moved: the map points into it */
	size_t n;
	smap seen;
} key_cands;

static void cand_add(key_cands *c, const uint8_t *k)
{
	size_t dummy;
	if (c->n >= KEY_CANDIDATES || smap_get(&c->seen, (const char *)k, 32, &dummy))
		return;
	memcpy(c->v + 32 * c->n, k, 32);
	smap_put(&c->seen, (const char *)(c->v + 32 * c->n), 32, c->n);
	c->n++;
}

/* Every "<64 hex>@" in buf (a version or link names a feed by its key,
 * doc/formats.md §6). */
static void cands_from_links(key_cands *c, const uint8_t *buf, size_t len)
{
	for (size_t i = 64; i < len; i++) {
		if (buf[i] != '@')
			continue;
		char hex[KEYS_HEX_SIZE];
		memcpy(hex, buf + i - 64, 64);
		hex[64] = '\0';
		uint8_t k[32];
		if (keys_is_hex64(hex) && keys_decode(hex, k))
			cand_add(c, k);
	}
}

/* The candidates for a feed's key: from its key file's own bytes (key, kl:
 * a file cut by a byte, either end; or grown: every 32 bytes in it), or,
 * with links, the links and versions in every feed's entries
 * that name a feed by its key. */
static void key_candidates(syncfile *sf, const uint8_t *key, size_t kl, key_cands *c, bool links)
{
	uint8_t k[32];
	if (kl == 31) {
		for (unsigned b = 0; b < 256; b++) {
			memcpy(k, key, 31), k[31] = (uint8_t)b;
			cand_add(c, k);
			k[0] = (uint8_t)b, memcpy(k + 1, key, 31);
			cand_add(c, k);
		}
	}
	for (size_t at = 0; key && kl > 32 && at + 32 <= kl && at < 1024; at++)
		cand_add(c, key + at);
	for (unsigned bit = 0; key && kl == 32 && bit < 256; bit++) {
		memcpy(k, key, 32);
		k[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		cand_add(c, k);
	}
	if (!links)
		return;
	enum { CHUNK = 64 << 10 };
	uint8_t *buf = xmalloc(CHUNK + 64);
	uint64_t budget = KEY_SCAN_BYTES;
	for (size_t f = 0; f < sf->n_feeds && budget && !sess_interrupted; f++) {
		const sf_range *d = &sf->feeds[f].data;
		size_t keep = 0; /* the last 64 bytes of the chunk before */
		for (uint64_t off = 0;
		     d->present && off < d->size && budget && !sess_interrupted;) {
			size_t len = d->size - off < CHUNK ? (size_t)(d->size - off) : CHUNK;
			if (sf_read(sf, d->off + off, buf + keep, len, NULL) != SD_OK)
				break;
			cands_from_links(c, buf, keep + len);
			off += len;
			budget = budget > len ? budget - len : 0;
			size_t total = keep + len;
			keep = total < 64 ? total : 64;
			memmove(buf, buf + total - keep, keep);
		}
	}
	free(buf);
}

/* The tree and signatures of fd into src, read on demand: flat memory. */
static void tree_and_signatures(syncfile *sf, const sf_feed *fd, feed_source *src, feed_ctx *tc,
                                feed_ctx *sc)
{
	*tc = (feed_ctx){sf, &fd->tree}, *sc = (feed_ctx){sf, &fd->signatures};
	src->dir = fd->dir;
	src->has_tree = range_readable(sf, &fd->tree);
	src->tree_len = fd->tree.size, src->read_tree = read_feed_data, src->tree_ctx = tc;
	src->has_signatures = range_readable(sf, &fd->signatures);
	src->signatures_len = fd->signatures.size, src->read_signatures = read_feed_data;
	src->signatures_ctx = sc;
}

/* A feed's 32-byte key file that no signature proves, where another key
 * (one bit away, from the links, or this computer's secret key: where) is
 * proved: storage damage. */
static void damaged_key_finding(sd_report *r, const sf_feed *fd, const uint8_t *stored,
                                const uint8_t *proved, const char *where, uint64_t len)
{
	char was[KEYS_HEX_SIZE], now[KEYS_HEX_SIZE], inner[96];
	keys_hex(stored, 32, was);
	keys_hex(proved, 32, now);
	finding *f = fnd_add(
	    &r->findings, FND_FEED_KEY_INVALID,
	    _("feed %d: its key file is damaged: no signature verifies with the key it holds "
	      "(%.7s), but the key %.7s, found %s, is proved by the device's signature for "
	      "length %llu: the feed is checked with it, and a rebuild writes it again"),
	    fd->index, was, now, where, (unsigned long long)len);
	snprintf(inner, sizeof inner, "%s/key", fd->dir);
	f->feed = fd->index;
	fnd_set_inner(f, inner);
}

/* This computer's own feed (a database folder): its secret key, read
 * through the source (src_ops.secret_key) for feed.h's read_secret_key. */
typedef struct secret_ctx {
	syncfile *sf;
	const char *dir;
} secret_ctx;

static bool has_secret(const syncfile *sf, const sf_feed *fd)
{
	return fd->has_secret_key && sf->src.ops && sf->src.ops->secret_key;
}

static bool read_secret(void *ctx, uint8_t sk[64])
{
	const secret_ctx *c = ctx;
	return c->sf->src.ops->secret_key(c->sf->src.ctx, c->dir, sk);
}

/* The public half of this computer's secret key for fd, a candidate for a
 * damaged key file (a signature must still prove it); false: none. */
static bool own_public_key(syncfile *sf, const sf_feed *fd, uint8_t pk[32])
{
	uint8_t sk[64];
	secret_ctx c = {sf, fd->dir};
	bool ok =
	    has_secret(sf, fd) && read_secret(&c, sk) && crypto_sign_ed25519_sk_to_pk(pk, sk) == 0;
	sodium_memzero(sk, sizeof sk);
	return ok;
}

/* A feed whose key file is not 32 bytes (sf_check_feed_keys() said so), or
 * whose 32 bytes prove none of its signatures (a bit flipped, the sector
 * zeroed): its key into out when a candidate (key_candidates()) is proved
 * by the device's own signature; the finding then says where it was found,
 * or, for a wrong length, that none could be proved (for 32 bytes the
 * signatures' findings say it). searches: how many searches ran before,
 * at most KEY_PROOFS. */
static bool prove_key(sd_report *r, syncfile *sf, const sf_feed *fd, uint8_t out[32],
                      unsigned *searches)
{
	size_t kl = 0;
	uint8_t *key = fd->key.present ? load_range(sf, &fd->key, &kl) : NULL;
	feed_source src = {0};
	feed_ctx tc, sc;
	tree_and_signatures(sf, fd, &src, &tc, &sc);
	uint64_t len = 0;
	/* each search reads the feeds' data again: a hostile database of many
	 * keyless feeds gets a bounded number (the rest keep the finding as
	 * sf_check_feed_keys() made it) */
	if ((key && kl == 32 && feed_key_prove(&src, key, 1, &len) != -1) ||
	    *searches >= KEY_PROOFS) {
		free(key); /* its key proves a signature, or nothing can tell */
		return false;
	}
	(*searches)++;
	key_cands c = {.v = xmalloc(32 * KEY_CANDIDATES)};
	smap_init(&c.seen);
	uint8_t own[32];
	if (own_public_key(sf, fd, own))
		cand_add(&c, own);
	size_t from_secret = c.n;
	key_candidates(sf, key, kl, &c, false);
	size_t from_file = c.n;
	key_candidates(sf, NULL, 0, &c, true);
	long at = feed_key_prove(&src, c.v, c.n, &len);
	if (at >= 0)
		memcpy(out, c.v + 32 * at, 32);
	free(c.v), smap_free(&c.seen);
	const char *where = at < 0                     ? ""
	                    : (size_t)at < from_secret ? _("in this computer's secret key for it")
	                    : (size_t)at >= from_file  ? _("in the links of the entries")
	                    : key && kl == 32          ? _("one bit away from it")
	                                               : _("in what is left of its key file");
	if (key && kl == 32) {
		/* a key of the right length that no signature proves: damaged, when
		 * another key is proved; else the signatures' findings say it */
		if (at >= 0)
			damaged_key_finding(r, fd, key, out, where, len);
		free(key);
		return at >= 0;
	}
	free(key);
	for (size_t i = 0; i < fnd_n(&r->findings); i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (f->id != FND_FEED_KEY_INVALID || f->feed != fd->index)
			continue;
		finding *e = fnd_edit(&r->findings, i);
		char hex[KEYS_HEX_SIZE] = "";
		if (at >= 0)
			keys_hex(out, 32, hex);
		char *m;
		if (at >= 0)
			m = xasprintf(
			    _("%s; its key (%.7s) was found %s and is proved: the device's "
			      "signature for length %llu verifies with it, so a rebuild "
			      "writes it again"),
			    e->message, hex, where, (unsigned long long)len);
		else if (from_secret)
			m = xasprintf(
			    _("%s; no key that its signatures prove was found (in what is "
			      "left of its key file, in the links of the entries or in this "
			      "computer's secret key for it), so none of it can be verified"),
			    e->message);
		else
			m = xasprintf(
			    _("%s; no key that its signatures prove was found (in what is "
			      "left of its key file or in the links of the entries), so none "
			      "of it can be verified"),
			    e->message);
		free(e->message);
		e->message = m;
		break;
	}
	return at >= 0;
}

/* Verify the files fd names into rf (its key, lengths, what verifies);
 * findings to fl, blocks to model when there is one. proved: the key a
 * signature proved for a key file of the wrong length (prove_key()), or
 * NULL. */
static sd_status verify_one(syncfile *sf, const sf_feed *fd, report_feed *rf, findings *fl,
                            obs_model *model, const uint8_t *proved, const sd_progress *prog,
                            sd_error *err)
{
	feed_source src = {0};
	size_t kl, bl;
	uint8_t *key = load_range(sf, &fd->key, &kl);
	uint8_t *bf = load_range(sf, &fd->bitfield, &bl);
	if (proved) {
		free(key);
		key = xmalloc(32);
		memcpy(key, proved, 32);
		kl = 32;
	}
	src.key = key, src.key_len = kl;
	src.mends_used = &sf->sig_mends;
	secret_ctx skc = {sf, fd->dir};
	if (has_secret(sf, fd))
		src.read_secret_key = read_secret, src.secret_ctx = &skc;
	feed_ctx tc, sc;
	tree_and_signatures(sf, fd, &src, &tc, &sc);
	src.bitfield = bf, src.bitfield_len = bl, src.has_bitfield = bf != NULL;
	feed_ctx fc = {sf, &fd->data};
	src.data_size = fd->data.present ? fd->data.size : 0;
	src.read_data = read_feed_data;
	src.ctx = &fc;
	feed_result res;
	char key_hex[KEYS_HEX_SIZE] = "";
	if (key && kl == 32)
		keys_hex(key, 32, key_hex);
	block_ctx bc = {model, fd->index, key_hex, fl};
	sd_status st =
	    feed_verify(&src, fd->index, &res, fl, model ? on_block : NULL, &bc, prog, err);
	free(key), free(bf);
	if (st != SD_OK)
		return st;
	snprintf(rf->key_hex, sizeof rf->key_hex, "%s", res.key_hex);
	rf->length = res.length;
	rf->present = res.present;
	rf->verified = res.verified;
	rf->intact = res.intact;
	rf->signed_len = res.signed_len;
	rf->sig_mend = res.sig_mend;
	return SD_OK;
}

static bool verifies_whole(const report_feed *rf)
{
	return rf->verified == rf->length && rf->present == rf->length &&
	       (rf->length == 0 || rf->signed_len == (int64_t)rf->length);
}

/* Is a better copy than b: one that verifies whole, then the longer
 * verified prefix (the rebuild's rule for two copies of a feed). */
static bool copy_better(const report_feed *a, const report_feed *b)
{
	if (verifies_whole(a) != verifies_whole(b))
		return verifies_whole(a);
	return a->verified > b->verified;
}

/* The copies of fd's file (key, tree, ...) the inner tar also holds under
 * the same name, before the one Mapeo keeps (its last): at most 4 each (each
 * is a pass over the feed). */
#define EARLIER_COPIES 4
static size_t earlier_copies(const syncfile *sf, const sf_feed *fd, const char *file,
                             const sf_range *kept, sf_range out[EARLIER_COPIES])
{
	size_t n = 0, dl = strlen(fd->dir);
	for (size_t i = 0; i < sf->n_inner && n < EARLIER_COPIES; i++) {
		const sf_inner *in = &sf->inner[i];
		if (in->backslash != fd->backslash || strncmp(in->name, fd->dir, dl) != 0 ||
		    in->name[dl] != '/' || strcmp(in->name + dl + 1, file) != 0 ||
		    in->off == kept->off || !in->size)
			continue;
		out[n++] = (sf_range){.present = true, .off = in->off, .size = in->size};
	}
	return n;
}

bool check_earlier_copy(syncfile *sf, const sf_feed *fd, const report_feed *rf, sf_feed *alt,
                        report_feed *alt_rf, findings *alt_found, const sd_progress *prog)
{
	static const char *const files[] = {"key", "tree", "signatures", "bitfield", "data"};
	*alt = *fd;
	*alt_rf = *rf;
	bool found = false;
	/* each look scans the inner list: a hostile database of many feeds
	 * named twice gets a bounded number */
	if (verifies_whole(rf) || !sf->src.in_member || !fd->twice || sf->copy_scans >= 256)
		return false;
	sf->copy_scans++;
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		sf_range *slot = k == 0   ? &alt->key
		                 : k == 1 ? &alt->tree
		                 : k == 2 ? &alt->signatures
		                 : k == 3 ? &alt->bitfield
		                          : &alt->data;
		sf_range copies[EARLIER_COPIES];
		size_t n = earlier_copies(sf, fd, files[k], slot, copies);
		for (size_t c = 0; c < n && !sd_progress_cancelled(prog); c++) {
			sd_test_point("earlier-copy");
			/* one file at a time, over the best found so far */
			sf_feed try = *alt;
			sf_range *ts = k == 0   ? &try.key
			               : k == 1 ? &try.tree
			               : k == 2 ? &try.signatures
			               : k == 3 ? &try.bitfield
			                        : &try.data;
			*ts = copies[c];
			report_feed t = *rf;
			findings quiet;
			fnd_init(&quiet);
			sd_error err;
			sd_status st = verify_one(sf, &try, &t, &quiet, NULL, NULL, prog, &err);
			if (st == SD_OK && copy_better(&t, alt_rf)) {
				*alt = try;
				*alt_rf = t;
				found = true;
				if (alt_found) {
					fnd_free(alt_found);
					*alt_found = quiet; /* (moved) */
					fnd_init(&quiet);
				}
			}
			fnd_free(&quiet);
		}
	}
	return found && !sd_progress_cancelled(prog);
}

/* A feed that Mapeo reads from the last of two copies of a file, cut or
 * damaged, while an earlier copy the database also holds verifies: said,
 * since a rebuild takes it. */
static void earlier_copy_note(sd_report *r, syncfile *sf, const sf_feed *fd, const report_feed *rf,
                              const sd_progress *prog)
{
	sf_feed alt;
	report_feed alt_rf;
	if (!check_earlier_copy(sf, fd, rf, &alt, &alt_rf, NULL, prog))
		return;
	/* TRANSLATORS: how much of the last copy verifies: "3 of 20 blocks" */
	char *last = xasprintf(P_("%llu of %llu block", "%llu of %llu blocks", rf->length),
	                       (unsigned long long)rf->verified, (unsigned long long)rf->length);
	char *earlier = xasprintf(P_("%llu block", "%llu blocks", alt_rf.verified),
	                          (unsigned long long)alt_rf.verified);
	/* TRANSLATORS: the first %s is "3 of 20 blocks", the second "20 blocks" */
	finding *f = fnd_add(&r->findings, FND_INNER_TAR_DAMAGED,
	                     _("the database holds feed %d's files more than once, and Mapeo "
	                       "keeps the last copy, which does not verify (%s); an earlier copy "
	                       "that the database also holds verifies %s, and a rebuild takes it"),
	                     fd->index, last, earlier);
	free(last), free(earlier);
	f->feed = fd->index;
	fnd_set_member(f, "osm-p2p-db.tar");
}

static sd_status verify_feeds(sd_report *r, syncfile *sf, obs_model *model, const sd_progress *prog,
                              sd_error *err)
{
	r->feeds = xcalloc(sf->n_feeds ? sf->n_feeds : 1, sizeof *r->feeds);
	unsigned searches = 0;
	for (size_t i = 0; i < sf->n_feeds; i++) {
		const sf_feed *fd = &sf->feeds[i];
		report_feed *rf = &r->feeds[r->n_feeds++];
		rf->index = fd->index;
		rf->dir = xstrdup(fd->dir);
		rf->signed_len = -1;
		rf->checked = true;
		rf->own = sf->src.own_keys && fd->has_secret_key;
		if (feed_over_limit(r, sf, fd)) {
			rf->checked = false;
			continue;
		}
		if (sf->inner_cut && cut_feed(r, sf, fd, rf, model))
			continue;
		uint8_t proved[32];
		bool have = prove_key(r, sf, fd, proved, &searches);
		sd_status st =
		    verify_one(sf, fd, rf, &r->findings, model, have ? proved : NULL, prog, err);
		if (st != SD_OK)
			return st;
		earlier_copy_note(r, sf, fd, rf, prog);
	}
	return SD_OK;
}

/* With no index, the last database is read; each other one the file
 * holds is compared with it, feed by feed (its feeds verified, quietly):
 * when it holds a feed the last lacks, or a better copy of one, Mapeo's
 * file has lost data only a rebuild brings back (earlier-database); else
 * it is dead space. In --quick mode nothing is verified: it is said so. */
static sd_status other_databases(sd_report *r, syncfile *sf, bool compare, const sd_progress *prog)
{
	for (size_t k = 0; k < sf->n_other_dbs; k++) {
		uint64_t at = sf->other_dbs[k];
		sd_test_point("other-databases");
		syncfile *v = NULL;
		findings vfl;
		fnd_init(&vfl);
		sd_error err;
		sd_report t = {0};
		fnd_init(&t.findings);
		size_t n_new = 0, n_better = 0;
		bool compared = compare &&
		                sf_open_db(sf->path, at, &v, &vfl, prog, &err) == SD_OK && v->db &&
		                verify_feeds(&t, v, NULL, prog, &err) == SD_OK;
		for (size_t i = 0; compared && i < t.n_feeds; i++) {
			const report_feed *e = &t.feeds[i];
			const report_feed *l = NULL;
			for (size_t j = 0; j < r->n_feeds && !l; j++)
				if (e->key_hex[0] && !strcmp(r->feeds[j].key_hex, e->key_hex))
					l = &r->feeds[j];
			if (!e->key_hex[0] || !e->verified)
				continue;
			if (!l)
				n_new++;
			else if (copy_better(e, l))
				n_better++;
		}
		uint64_t size = v && v->db ? v->db->size : 0;
		for (size_t i = 0; i < t.n_feeds; i++)
			free(t.feeds[i].dir);
		free(t.feeds);
		fnd_free(&t.findings);
		fnd_free(&vfl);
		sf_close(v);
		if (sd_progress_cancelled(prog))
			return SD_ERR_CANCELLED;
		finding *f;
		if (n_new || n_better)
			f = fnd_add(
			    &r->findings, FND_EARLIER_DATABASE,
			    _("the file holds an earlier database (osm-p2p-db.tar at byte %llu, "
			      "%llu bytes) and no index to say which one counts: only the last "
			      "one is read, and the earlier one holds what it lacks (feeds it "
			      "does not have: %zu; feeds it has a shorter or damaged copy of: "
			      "%zu); a rebuild keeps the best copy of each feed"),
			    (unsigned long long)at, (unsigned long long)size, n_new, n_better);
		else if (compared)
			f = fnd_add(
			    &r->findings, FND_DEAD_SPACE,
			    _("the file holds another database (osm-p2p-db.tar at byte %llu, "
			      "%llu bytes) and no index to say which one counts: only the last "
			      "one is read, and the other one holds nothing it lacks (each of "
			      "its feeds is there, as long and as verified)"),
			    (unsigned long long)at, (unsigned long long)size);
		else
			f = fnd_add(
			    &r->findings, FND_DEAD_SPACE,
			    _("the file holds another database (osm-p2p-db.tar at byte %llu) "
			      "and no index to say which one counts: only the last one is read "
			      "here; a full check compares them, and a rebuild keeps the best "
			      "copy of each feed"),
			    (unsigned long long)at);
		f->offset = (int64_t)at;
		fnd_set_member(f, "osm-p2p-db.tar");
	}
	return SD_OK;
}

/* The photo's own check (media.h) over m's data in the file; buf holds
 * MEDIA_CHUNK bytes. Returns the bytes it covered. */
static uint64_t photo_check(syncfile *sf, const sf_member *m, uint8_t *buf, bool *opens,
                            const char **why, uint64_t *at, const sd_progress *prog)
{
	media_check *mc = media_check_new();
	uint64_t avail = m->data_off < sf->size ? sf->size - m->data_off : 0;
	uint64_t size = m->size < avail ? m->size : avail;
	/* (Ctrl-C inside a large photo too: the caller then drops its work) */
	for (uint64_t off = 0;
	     off < size && media_check_wants_more(mc) && !sd_progress_cancelled(prog);) {
		size_t n = (size_t)(size - off < MEDIA_CHUNK ? size - off : MEDIA_CHUNK);
		if (sf_read(sf, m->data_off + off, buf, n, NULL) != SD_OK)
			break;
		media_check_feed(mc, buf, n);
		off += n;
	}
	*opens = media_check_finish(mc, why, at);
	return size;
}

bool check_photo_opens(syncfile *sf, const sf_member *m, const sd_progress *prog, const char **why,
                       uint64_t *at)
{
	uint8_t *buf = xmalloc(MEDIA_CHUNK);
	bool opens;
	photo_check(sf, m, buf, &opens, why, at, prog);
	free(buf);
	return opens;
}

static void check_media(findings *fl, syncfile *sf, const sd_progress *prog)
{
	uint8_t *buf = xmalloc(MEDIA_CHUNK);
	uint64_t done = 0;
	sf_member mb, *m = &mb;
	for (size_t i = 0; i < sf->n_members; i++) {
		sf_member_peek(sf, i, m);
		/* (a photo the index does not name, Mapeo never reads; a rebuild
		 * that keeps it checks it then: check_photo_opens()) */
		if (m->kind != SF_KIND_MEDIA || (sf->has_index && !m->in_index))
			continue;
		if (sd_progress_cancelled(prog))
			break;
		const char *why;
		uint64_t at;
		bool opens;
		done += photo_check(sf, m, buf, &opens, &why, &at, prog);
		if (sd_progress_cancelled(prog))
			break;
		sd_progress_report(prog, _("photos"), done, sf->media_bytes, i, sf->n_members);
		if (!opens) {
			sf_member_get(sf, i, m);
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

/* A photo that will not open makes its observation one to look at: name the
 * observation (and its block) on the media-damaged finding. */
static void link_media_findings(sd_report *r, obs_model *model)
{
	for (size_t k = 0; k < fnd_n(&r->findings); k++) {
		const finding *c = fnd_at(&r->findings, k);
		if (c->id != FND_MEDIA_DAMAGED || c->observation || !c->media)
			continue;
		finding *f = fnd_edit(&r->findings, k);
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

/* What fill_observations() needs of a finding that names an observation
 * (a copy: a spilled list hands out one finding at a time). */
typedef struct named_finding {
	char *observation;
	int severity;
	int feed;
	int64_t block;
	size_t at; /* its place in the list: ties keep the list's order */
} named_finding;

static int cmp_named(const void *a, const void *b)
{
	const named_finding *x = a, *y = b;
	int c = strcmp(x->observation, y->observation);
	return c ? c : (x->at > y->at) - (x->at < y->at);
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
	/* a model that outgrew memory keeps the heads for the report */
	if (obs_model_spilled(model))
		r->heads_model = model;
	else
		r->heads = xcalloc(n ? n : 1, sizeof *r->heads);
	r->n_heads = n;
	/* Findings that name an observation, sorted by id for lookups. */
	named_finding *named = NULL;
	size_t nn = 0, named_cap = 0;
	for (size_t k = 0; k < fnd_n(&r->findings); k++) {
		const finding *f = fnd_at(&r->findings, k);
		if (!f->observation)
			continue;
		SD_GROW(named, named_cap, nn + 1);
		named[nn++] = (named_finding){xstrdup(f->observation), (int)f->severity, f->feed,
		                              f->block, k};
	}
	if (nn > 1)
		qsort(named, nn, sizeof *named, cmp_named);
	/* A spilled model keeps its heads (no r->heads to fill) and reads each
	 * from its database: when no finding names an observation, no head can
	 * be a suspect and none is read. */
	for (size_t i = 0; i < n && (r->heads || nn); i++) {
		obs_head h;
		obs_model_head_id(model, i, &h);
		if (r->heads) {
			/* as snprintf "%s" would: cut to the field */
			size_t idlen = strnlen(h.id, sizeof r->heads[i].id - 1);
			memcpy(r->heads[i].id, h.id, idlen);
			r->heads[i].id[idlen] = '\0';
			r->heads[i].feed = h.feed;
			r->heads[i].seq = h.seq;
		}
		int worst = -1;
		size_t lo = 0, hi = nn;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (strcmp(named[mid].observation, h.id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < nn && !strcmp(named[k].observation, h.id); k++)
			if (named[k].severity > worst)
				worst = named[k].severity;
		if (worst < 0)
			continue;
		obs_model_head(model, i, &h);
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
		const named_finding *f = &named[k];
		bool listed = false;
		for (size_t i = 0; i < r->n_obs && !listed; i++)
			if (!strcmp(r->obs[i].id, f->observation)) {
				listed = true;
				if (f->severity > r->obs[i].worst)
					r->obs[i].worst = f->severity;
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
		o->worst = f->severity;
	}
	for (size_t k = 0; k < nn; k++)
		free(named[k].observation);
	free(named);
	if (r->n_obs > 1)
		qsort(r->obs, r->n_obs, sizeof *r->obs, cmp_suspect);
}

/* Feeds listed from the structure alone (--quick, or no database to read). */
static void list_feeds(sd_report *r, syncfile *sf)
{
	r->feeds = xcalloc(sf->n_feeds ? sf->n_feeds : 1, sizeof *r->feeds);
	for (size_t i = 0; i < sf->n_feeds; i++) {
		report_feed *rf = &r->feeds[r->n_feeds++];
		rf->index = sf->feeds[i].index;
		rf->dir = xstrdup(sf->feeds[i].dir);
		rf->signed_len = -1;
		rf->own = sf->src.own_keys && sf->feeds[i].has_secret_key;
		if (sf->feeds[i].key.present && sf->feeds[i].key.size == 32) {
			uint8_t k[32];
			if (sf_read(sf, sf->feeds[i].key.off, k, 32, NULL) == SD_OK)
				keys_hex(k, 32, rf->key_hex);
		}
	}
}

sd_status check_read_contents(sd_report *r, check_read *rd, const check_options *opt,
                              const sd_progress *prog)
{
	syncfile *sf = rd->sf;
	rd->prog = prog;
	if (!opt->quick && sf->db && sf->era == SF_ERA_KAPPA_OSM_V2) {
		rd->model = obs_model_new();
		/* Photos come before the database in Mapeo's sync files: read them
		 * first, so that the file is read front to back (its fingerprint
		 * comes from these reads); their findings still follow the
		 * database's. A database folder keeps its order (feeds first). */
		if (sf->src.media_first)
			check_media(&rd->media, sf, prog);
		sd_error err;
		sd_error_clear(&err);
		rd->feeds = verify_feeds(r, sf, rd->model, prog, &err);
		/* the observations' temporary database failed: an error, not a
		 * finding */
		if (rd->feeds == SD_OK && obs_model_status(rd->model, &err) != SD_OK) {
			rd->model_error = xstrdup(err.msg);
			return err.status;
		}
		if (rd->feeds == SD_OK && !sf->src.media_first)
			check_media(&rd->media, sf, prog);
		rd->media_read = rd->feeds == SD_OK;
		if (rd->feeds == SD_OK && sf->n_other_dbs)
			rd->feeds = other_databases(r, sf, true, prog);
		if (rd->feeds == SD_ERR_CANCELLED || sd_progress_cancelled(prog))
			return SD_ERR_CANCELLED;
		if (rd->feeds != SD_OK)
			rd->feeds_error = xstrdup(err.msg);
	} else {
		/* no database to read (or one of another era): its photos are
		 * still there, and what Mapeo would carry */
		if (!opt->quick && sf->src.holds_photos) {
			check_media(&rd->media, sf, prog);
			if (sd_progress_cancelled(prog))
				return SD_ERR_CANCELLED;
			rd->media_read = true;
		}
		if (!sf->db || opt->quick) {
			list_feeds(r, sf);
			if (other_databases(r, sf, false, prog) != SD_OK)
				return SD_ERR_CANCELLED;
		}
	}
	return SD_OK;
}

sd_status check_corruption_step(sd_report *r, check_read *rd, const check_options *opt)
{
	syncfile *sf = rd->sf;
	if (!rd->model) {
		/* no observation to hold the photos against: their own check */
		r->photos_checked = rd->media_read;
		r->photos_damaged = fnd_n(&rd->media);
		fnd_append(&r->findings, &rd->media);
		return SD_OK;
	}
	if (rd->feeds != SD_OK) {
		fnd_add(&r->findings, FND_TRUNCATED_FILE, "%s", rd->feeds_error);
		return SD_OK;
	}
	int64_t now = opt->now ? opt->now : sf->write_time;
	obs_model_finish(rd->model, now, &r->findings);
	sd_error err;
	if (obs_model_status(rd->model, &err) != SD_OK) {
		rd->model_error = xstrdup(err.msg);
		return err.status;
	}
	/* the photos: as many as the walk counted, at most */
	size_t nn = 0;
	sf_member mb;
	for (size_t i = 0; i < sf->n_members && nn < sf->n_media; i++) {
		sf_member_peek(sf, i, &mb);
		nn += mb.kind == SF_KIND_MEDIA && (!sf->has_index || mb.in_index);
	}
	/* a temp folder holds the database only: its photos stayed in the
	 * sync file */
	if (sf->src.holds_photos)
		check_photos(r, sf, rd->model, nn, rd->prog);
	if (sd_progress_cancelled(rd->prog))
		return SD_ERR_CANCELLED;
	/* the photos' names go to the temporary database of a large model,
	 * which can fail there too (a full disk) */
	if (obs_model_status(rd->model, &err) != SD_OK) {
		rd->model_error = xstrdup(err.msg);
		return err.status;
	}
	r->photos_checked = sf->src.holds_photos && rd->media_read;
	r->photos_damaged = fnd_n(&rd->media);
	fnd_append(&r->findings, &rd->media);
	link_media_findings(r, rd->model);
	fill_observations(r, rd->model);
	if (r->heads_model == rd->model)
		rd->model = NULL; /* the report owns it now */
	return SD_OK;
}
