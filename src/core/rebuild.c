#include "config.h"

#include "rebuild.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "configuration.h"
#include "diagnosis.h"
#include "env.h"
#include "feed.h"
#include "feedwrite.h"
#include "hypercore.h"
#include "i18n.h"
#include "io.h"
#include "keys.h"
#include "report.h"
#include "session.h"
#include "sfwrite.h"
#include "source.h"
#include "strmap.h"
#include "syncfile.h"
#include "tar.h"
#include "xalloc.h"

#include <sodium.h>

#define SMALL_LIMIT (256u << 20)

static void add_line(char ***v, size_t *n, char *line)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = line;
}

/* Everything a plan owns, but not the plan itself. */
static void rebuild_plan_free_members(rebuild_plan *p)
{
	free(p->input);
	for (size_t i = 0; i < p->n_inputs; i++)
		free(p->inputs[i]);
	free(p->inputs);
	free(p->project_source);
	for (size_t f = 0; f < p->n_feeds; f++) {
		for (size_t i = 0; i < p->feeds[f].n_changes; i++)
			free(p->feeds[f].changes[i]);
		free(p->feeds[f].changes);
		for (size_t i = 0; i < p->feeds[f].n_dropped; i++)
			free(p->feeds[f].dropped[i]);
		free(p->feeds[f].dropped);
	}
	free(p->feeds);
	for (size_t k = 0; k < p->n_media_views; k++)
		free(p->media_keep[k]), free(p->media_damaged[k]);
	free(p->media_keep), free(p->media_damaged);
	for (size_t i = 0; i < p->n_dropped; i++)
		free(p->dropped[i]), free(p->dropped_of[i]);
	free(p->dropped);
	free(p->dropped_of);
	for (size_t i = 0; i < p->n_changes; i++)
		free(p->changes[i]);
	free(p->changes);
	for (size_t i = 0; i < p->n_unclean; i++)
		free(p->unclean[i]);
	free(p->unclean);
	for (int i = 0; i < 5; i++)
		free(p->rescue_files[i]);
	for (size_t k = 0; p->views && k < p->n_views; k++)
		sf_close(p->views[k]);
	free(p->views);
	free(p->view_input), free(p->view_db);
}

void rebuild_plan_free(rebuild_plan *p)
{
	if (!p)
		return;
	rebuild_plan_free_members(p);
	free(p);
}

static uint8_t *load(syncfile *sf, const sf_range *r, size_t *len)
{
	return sf_load(sf, r, SMALL_LIMIT, len);
}

/* The feed's 32-byte public key: the key the check verified it with
 * (key_hex, from the report): its key file's, or, for a key file cut,
 * grown, emptied or damaged by storage, the key the device's signature
 * proved (prove_key() in check_corruption.c); else the key file as it is,
 * or NULL (*kl then the key file's length). */
static uint8_t *load_key(syncfile *sf, const sf_feed *fd, const char *key_hex, size_t *kl)
{
	uint8_t *key = load(sf, &fd->key, kl);
	if (!key_hex || !keys_is_hex64(key_hex))
		return key;
	key = xrealloc(key, 32);
	*kl = 32;
	keys_decode(key_hex, key);
	return key;
}

/* Whether fd's key file is not the key the check verified the feed with. */
static bool key_file_damaged(syncfile *sf, const sf_feed *fd, const char *key_hex)
{
	size_t kl;
	uint8_t *key = load(sf, &fd->key, &kl), want[32];
	bool damaged =
	    !key || kl != 32 ||
	    (keys_is_hex64(key_hex) && keys_decode(key_hex, want) && memcmp(key, want, 32));
	free(key);
	return damaged;
}

/* The size in the leaf of block k of tree t; 0 past its end. */
static uint64_t leaf_size(feed_records *t, uint64_t k)
{
	uint8_t nd[HC_NODE];
	return feed_records_get(t, 2 * k, nd) ? hc_be64(nd + 32) : 0;
}

/* Bytes of data before block k, from the leaves of the tree. */
static uint64_t data_prefix(feed_records *t, uint64_t k)
{
	uint64_t sum = 0;
	for (uint64_t i = 0; i < k && !sess_interrupted; i++)
		sum += leaf_size(t, i);
	return sum;
}

/* Bytes of data before block k from the sizes of the stored nodes that
 * cover blocks 0..k-1 (the roots of length k), as hypercore finds a block
 * in a feed it holds in part; false when one of them is not held. */
static bool stored_offset(feed_records *t, uint64_t k, uint64_t *off)
{
	uint64_t roots[64], sum = 0;
	size_t n = feed_full_roots(k, roots);
	for (size_t i = 0; i < n; i++) {
		uint8_t nd[HC_NODE];
		if (!feed_records_get(t, roots[i], nd) || hc_node_blank(nd))
			return false;
		sum += hc_be64(nd + 32);
	}
	*off = sum;
	return true;
}

/* The input feed a planned feed copies: by its place in the feed table, as
 * two feeds may share a number (a Windows name beside a POSIX one) and both
 * are kept. */
static const sf_feed *find_feed(const syncfile *sf, const rebuild_feed *pf)
{
	if (pf->earlier_copy)
		return &pf->alt; /* ranges of sf, chosen by plan_feed() */
	return pf->pos < sf->n_feeds ? &sf->feeds[pf->pos] : NULL;
}

/* Planned feeds by key, to resolve a link "<key>@<seq>" without a scan. */
static void map_feeds(const rebuild_plan *p, smap *m)
{
	smap_init(m);
	for (size_t f = 0; f < p->n_feeds; f++)
		smap_put(m, p->feeds[f].key_hex, 64, f);
}

/* ---- salvage: what still verifies against a signature ---- */

typedef struct range_ctx {
	syncfile *sf;
	uint64_t off;
} range_ctx;

static sd_status read_range(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	range_ctx *rc = ctx;
	return sf_read(rc->sf, rc->off + off, buf, len, err);
}

/* A feed's stored tree or signatures file by record, read from the source a
 * few pages at a time (feed.h), never loaded: 144 bytes a block, so a damaged
 * feed of a million blocks would otherwise hold 140 MiB (issue 21). NULL
 * where load() gives nothing (absent, or past SMALL_LIMIT). h is what it
 * reads through: it must outlive the records. */
typedef struct stored_file {
	range_ctx rc;
	feed_records *r;
} stored_file;

static feed_records *open_stored(stored_file *h, syncfile *sf, const sf_range *r, size_t rec)
{
	h->rc = (range_ctx){sf, r->off};
	h->r = r->present && r->size <= SMALL_LIMIT
	           ? feed_records_open(read_range, &h->rc, r->size, rec)
	           : NULL;
	return h->r;
}

/* Whether a signature slot is empty (all zero: hypercore's "none here"). */
static bool sig_blank(const uint8_t sig[HC_SIG])
{
	bool blank = true;
	for (int b = 0; b < HC_SIG && blank; b++)
		blank = sig[b] == 0;
	return blank;
}

/* Highest length s <= len with a valid signature over tree; 0 when none. */
static uint64_t signed_length(feed_records *tree, feed_records *sigs, const uint8_t *key,
                              uint64_t len)
{
	for (uint64_t s = len; s > 0 && !sess_interrupted; s--) {
		uint8_t sig[HC_SIG], th[32];
		if (!feed_records_get(sigs, s - 1, sig))
			continue;
		if (!sig_blank(sig) && feed_records_tree_hash(tree, s, th) &&
		    crypto_sign_verify_detached(sig, th, 32, key) == 0)
			return s;
	}
	return 0;
}

/* Whether a signature for a length up to len is not blank and does not
 * verify over tree. */
static bool bad_signature(feed_records *tree, feed_records *sigs, const uint8_t *key, uint64_t len)
{
	for (uint64_t s = 1; s <= len && !sess_interrupted; s++) {
		uint8_t sig[HC_SIG], th[32];
		if (feed_records_get(sigs, s - 1, sig) && !sig_blank(sig) &&
		    (!feed_records_tree_hash(tree, s, th) ||
		     crypto_sign_verify_detached(sig, th, 32, key) != 0))
			return true;
	}
	return false;
}

typedef struct salvaged {
	feed_records *tree;  /* the tree to write (length `length`), computed */
	uint64_t tree_nodes; /* its nodes at that length */
	uint64_t length;     /* blocks the written feed has (signed) */
	uint64_t keep;       /* blocks 0..keep-1 carry data */
	bool recomputed;     /* damaged tree nodes were rebuilt from intact data */
	bool lines;          /* ... with the blocks found by newlines (lines_candidate()) */
	bool bad_sigs;       /* ... and a signature below length does not verify over it */
	/* Blocks below n_authentic whose data hashes to a signed tree: all of
	 * them, or (the data damaged) those whose data hashes to their stored
	 * leaf, which the rescue asks block by block (block_authentic()), so
	 * that no list grows with the feed. */
	bool all_authentic;
	uint64_t n_authentic;
	/* the signature for `length` given back by one byte over the computed
	 * tree (sig_guess()): the rebuild writes it */
	feed_sig_mend mend;
} salvaged;

static void salvaged_free(salvaged *sv)
{
	feed_records_free(sv->tree);
	sv->tree = NULL;
}

/* A third candidate for salvage_feed(): the data split into its entries by
 * newlines, when the stored leaves are lost or their sizes damaged (a tree
 * file cut short or emptied over intact data). Taken in place of *tree
 * (len blocks, signed up to *s1) when a signature verifies over it further
 * than best. */
static void lines_candidate(syncfile *sf, const sf_feed *fd, feed_records *sigs, const uint8_t *key,
                            uint64_t best, feed_records **tree, uint64_t *len, uint64_t *s1)
{
	if (!fd->data.present || feed_records_count(sigs) <= best)
		return;
	range_ctx rc = {sf, fd->data.off};
	uint64_t n;
	feed_records *t =
	    feed_leaves_from_lines(read_range, &rc, fd->data.size, feed_records_count(sigs), &n);
	if (!t)
		return;
	feed_records_compute_parents(t, n);
	uint64_t s = signed_length(t, sigs, key, n);
	if (s <= best) {
		feed_records_free(t);
		return;
	}
	feed_records_set_head(t, feed_records_head(*tree));
	feed_records_free(*tree);
	*tree = t;
	*len = n;
	*s1 = s;
}

/* Whether the first nodes of computed tree a differ from stored tree b, or b
 * has fewer. */
static bool trees_differ(feed_records *a, feed_records *b, uint64_t nodes)
{
	if (nodes > feed_records_count(b))
		return true;
	for (uint64_t i = 0; i < nodes && !sess_interrupted; i++) {
		uint8_t x[HC_NODE] = {0}, y[HC_NODE] = {0};
		feed_records_get(a, i, x);
		if (!feed_records_get(b, i, y) || memcmp(x, y, HC_NODE) != 0)
			return true;
	}
	return false;
}

/* The two candidates of salvage_feed() before their parents are computed:
 * the stored nodes of a feed of len blocks in both, and in from_data the
 * leaves hashed from the data (split by the stored sizes). Returns the
 * first block whose data does not hash to its stored leaf (len when all
 * do). */
static uint64_t fill_candidates(syncfile *sf, const sf_feed *fd, feed_records *tree,
                                feed_records *from_data, feed_records *stored, uint64_t len)
{
	uint64_t nodes = len ? 2 * len - 1 : 0;
	feed_records_set_head(from_data, feed_records_head(tree));
	feed_records_set_head(stored, feed_records_head(tree));
	for (uint64_t i = 0; i < nodes && !sess_interrupted; i++) {
		uint8_t nd[HC_NODE];
		if (feed_records_get(tree, i, nd)) {
			feed_records_put(from_data, i, nd);
			feed_records_put(stored, i, nd);
		}
	}
	uint64_t off = 0, prefix = len;
	uint8_t *buf = NULL;
	for (uint64_t k = 0; k < len && !sess_interrupted; k++) {
		uint8_t leaf[HC_NODE] = {0}, hashed_leaf[HC_NODE];
		feed_records_get(stored, 2 * k, leaf);
		uint64_t size = hc_be64(leaf + 32);
		bool hashed = false, good = false;
		memcpy(hashed_leaf, leaf, HC_NODE);
		if (fd->data.present && size <= FEED_MAX_BLOCK && off + size <= fd->data.size) {
			buf = xrealloc(buf, (size_t)size + 1);
			if (sf_read(sf, fd->data.off + off, buf, (size_t)size, NULL) == SD_OK) {
				hashed = true;
				hc_leaf_hash(buf, (size_t)size, hashed_leaf);
				good = memcmp(hashed_leaf, leaf, 32) == 0;
			}
		}
		/* A block whose data is missing cannot count as intact: a zero leaf
		 * keeps every signature over it from verifying. */
		if (!hashed)
			memset(hashed_leaf, 0, 32);
		feed_records_put(from_data, 2 * k, hashed_leaf);
		if (!good && prefix == len)
			prefix = k;
		off += size;
	}
	free(buf);
	return prefix;
}

/* Every block of a computed tree has a leaf: its data was read. */
static bool every_leaf(feed_records *t, uint64_t len)
{
	for (uint64_t k = 0; k < len && !sess_interrupted; k++) {
		uint8_t nd[HC_NODE];
		if (!feed_records_get(t, 2 * k, nd) || hc_node_blank(nd))
			return false;
	}
	return true;
}

/* Two damages, each mended alone: tree nodes computed again from intact
 * data (from_data), and the signature for the whole length with one
 * damaged byte. The one value of that byte with which the signature
 * verifies over the computed tree is the device's own (as in the check's
 * mend_signature(), which cannot see past the damaged node): it proves the
 * computed tree and every block under it. Searched once a feed (at most
 * 64 x 255 tries, for at most 4 feeds a file), remembered in sf. */
static bool sig_guess(syncfile *sf, const sf_feed *fd, feed_records *from_data, feed_records *sigs,
                      const uint8_t *key, uint64_t len, feed_sig_mend *m)
{
	uint8_t sig[HC_SIG], th[32];
	memset(m, 0, sizeof *m);
	size_t g = 0;
	while (g < sf->n_sig_guesses && sf->sig_guesses[g].sigs_off != fd->signatures.off)
		g++;
	if (g == sf->n_sig_guesses) {
		if (g == SF_SIG_GUESSES || !len || !feed_mending() ||
		    !feed_records_get(sigs, len - 1, sig) || sig_blank(sig) ||
		    !every_leaf(from_data, len) || !feed_records_tree_hash(from_data, len, th))
			return false;
		sf->sig_guesses[g].sigs_off = fd->signatures.off;
		sf->sig_guesses[g].at = -1;
		sf->n_sig_guesses++;
		for (unsigned at = 0; at < HC_SIG && sf->sig_guesses[g].at < 0; at++) {
			uint8_t was = sig[at];
			for (unsigned x = 0; x < 256 && !sess_interrupted; x++) {
				sig[at] = (uint8_t)x;
				if (x != was &&
				    crypto_sign_verify_detached(sig, th, 32, key) == 0) {
					sf->sig_guesses[g].at = (int)at;
					memcpy(sf->sig_guesses[g].sig, sig, HC_SIG);
					break;
				}
			}
			sig[at] = was;
		}
		if (sess_interrupted)
			sf->n_sig_guesses--; /* (not remembered) */
	}
	if (g >= sf->n_sig_guesses || sf->sig_guesses[g].at < 0)
		return false;
	m->on = true;
	m->at = (unsigned)sf->sig_guesses[g].at;
	memcpy(m->sig, sf->sig_guesses[g].sig, HC_SIG);
	return true;
}

/* Two candidate trees: parents recomputed over leaves hashed from the data
 * (right when only tree nodes are damaged), and over the stored leaves
 * (right when data is damaged). Whichever a signature verifies wins. Both
 * are computed files (feed_records_temp()), read and written by node. */
static bool salvage_feed(syncfile *sf, const sf_feed *fd, const char *key_hex, salvaged *out)
{
	memset(out, 0, sizeof *out);
	size_t kl;
	stored_file th, sh;
	uint8_t *key = load_key(sf, fd, key_hex, &kl);
	feed_records *tree = open_stored(&th, sf, &fd->tree, HC_NODE);
	feed_records *sigs = open_stored(&sh, sf, &fd->signatures, HC_SIG);
	bool ok = false;
	if (!key || kl != 32 || !sigs || fd->signatures.size < 32)
		goto done;
	if (!fd->tree.present || fd->tree.size < HC_HEADER) {
		/* a tree lost, or cut inside its header, holds no node; the
		 * data's blocks found by their newlines may still be what a
		 * signature proves (lines_candidate()) */
		feed_records_free(tree);
		tree = feed_records_temp(0, HC_NODE);
	}
	if (!tree)
		goto done;
	uint64_t len = feed_records_count(sigs);
	if (feed_records_count(tree) + 1 < 2 * len)
		len = (feed_records_count(tree) + 1) / 2;
	uint64_t nodes = len ? 2 * len - 1 : 0;
	feed_records *from_data = feed_records_temp(nodes, HC_NODE),
	             *stored = feed_records_temp(nodes, HC_NODE);
	uint64_t prefix = fill_candidates(sf, fd, tree, from_data, stored, len);
	feed_records_compute_parents(from_data, len);
	/* (a feed a sync downloaded in part holds the roots its proofs
	 * brought over blocks it lacks: kept, so its signature still proves
	 * the blocks it holds, for a rescue) */
	feed_records_compute_parents_over(stored, len, true);
	uint64_t s1 = signed_length(from_data, sigs, key, len);
	uint64_t s2 = signed_length(stored, sigs, key, len);
	uint64_t best = s1 > s2 ? s1 : s2;
	lines_candidate(sf, fd, sigs, key, best, &from_data, &len, &s1);
	out->lines = s1 > best;
	/* (over the stored tree the check searched already) */
	if (!s1 && !s2 && len && trees_differ(from_data, tree, 2 * len - 1) &&
	    sig_guess(sf, fd, from_data, sigs, key, len, &out->mend))
		s1 = len;
	if (prefix > len)
		prefix = len; /* the newlines gave fewer blocks */
	/* what a rescue may copy: blocks whose data hashes to the signed tree */
	out->all_authentic = s1 && s1 >= s2;
	out->n_authentic = out->all_authentic ? s1 : s2;
	if (s1 && s1 >= s2) {
		/* the data is intact up to s1: keep all of it */
		out->tree = from_data;
		feed_records_free(stored);
		out->length = s1;
		out->keep = s1;
		out->recomputed = trees_differ(from_data, tree, 2 * s1 - 1);
	} else if (s2) {
		/* Data is damaged: Mapeo needs a signature for the length it is
		 * given, so cut at the last signed length the intact data reaches
		 * (holes would make its sync wait for ever). */
		uint64_t cut = signed_length(stored, sigs, key, prefix < s2 ? prefix : s2);
		out->tree = stored;
		feed_records_free(from_data);
		out->length = cut;
		out->keep = cut;
	} else {
		feed_records_free(from_data), feed_records_free(stored);
		out->tree = NULL;
	}
	if (out->tree) {
		out->tree_nodes = out->length ? 2 * out->length - 1 : 0;
		/* a computed tree: the input's check could not try the signatures
		 * over it (the stored tree was damaged or lost), so a bad one is
		 * found here, and the copy clears it (found by fuzz_rebuild) */
		out->bad_sigs =
		    out->recomputed &&
		    bad_signature(out->tree, sigs, key, out->length - (out->mend.on ? 1 : 0));
		ok = true;
	} else {
		/* nothing verifies: nothing for a rescue either */
		out->all_authentic = false;
		out->n_authentic = 0;
	}
done:
	free(key);
	feed_records_free(tree), feed_records_free(sigs);
	return ok;
}

/* What a plan reads of salvage_feed(): the numbers, without the tree. */
typedef struct salvage_result {
	bool done, ok;
	uint64_t keep, length, data_bytes; /* data_bytes: the data of blocks 0..keep-1 */
	bool recomputed, lines, bad_sigs;
	feed_sig_mend mend; /* salvaged.mend */
} salvage_result;

/* The salvage results of one advice's two plans (rebuild_advise()), by
 * view and place in its feed table: the second plan reads the feeds the
 * first one salvaged from here, not from the file again. */
struct rb_memo {
	salvage_result **by_view;
	size_t *n;
	size_t n_views;
};

static void memo_free(struct rb_memo *m)
{
	for (size_t k = 0; k < m->n_views; k++)
		free(m->by_view[k]);
	free(m->by_view);
	free(m->n);
}

/* salvage_feed() of feed pos of view src (fd: the copy planned), or its
 * result when p's memo already holds it. An interrupted pass is never
 * remembered: the plan that reads it is cancelled. */
static void feed_salvage(const rebuild_plan *p, syncfile *sf, const sf_feed *fd, size_t src,
                         size_t pos, const char *key_hex, salvage_result *out)
{
	struct rb_memo *m = p->memo;
	salvage_result *slot =
	    m && src < m->n_views && pos < m->n[src] ? &m->by_view[src][pos] : NULL;
	if (slot && slot->done) {
		*out = *slot;
		return;
	}
	memset(out, 0, sizeof *out);
	salvaged sv;
	out->ok = salvage_feed(sf, fd, key_hex, &sv);
	out->done = true;
	if (out->ok) {
		out->keep = sv.keep;
		out->length = sv.length;
		out->data_bytes = data_prefix(sv.tree, sv.keep);
		out->recomputed = sv.recomputed;
		out->lines = sv.lines;
		out->bad_sigs = sv.bad_sigs;
		out->mend = sv.mend;
	}
	salvaged_free(&sv);
	if (slot && !sess_interrupted)
		*slot = *out;
}

/* Whether block k of a feed whose salvage is sv may be rescued: its data
 * (buf, len bytes, read at the offset the stored leaves give) hashes to a
 * signed tree. */
static bool block_authentic(const salvaged *sv, feed_records *tree, uint64_t k, const uint8_t *buf,
                            size_t len)
{
	if (k >= sv->n_authentic)
		return false;
	if (sv->all_authentic)
		return true;
	uint8_t leaf[HC_NODE], h[32];
	if (!feed_records_get(tree, 2 * k, leaf))
		return false;
	hc_leaf_hash(buf, len, h);
	return memcmp(h, leaf, 32) == 0;
}

/* The highest length up to len that a signature of fd verifies over its
 * stored tree; 0 when none (or its key, tree or signatures are unreadable). */
static uint64_t stored_signed_length(syncfile *sf, const sf_feed *fd, const char *key_hex,
                                     uint64_t len)
{
	size_t kl;
	stored_file th, sh;
	uint8_t *key = load_key(sf, fd, key_hex, &kl);
	feed_records *tree = open_stored(&th, sf, &fd->tree, HC_NODE);
	feed_records *sigs = open_stored(&sh, sf, &fd->signatures, HC_SIG);
	uint64_t s = key && kl == 32 && tree && sigs ? signed_length(tree, sigs, key, len) : 0;
	free(key);
	feed_records_free(tree), feed_records_free(sigs);
	return s;
}

/* Bytes of fd's data before block k, from its stored tree (0 without one). */
static uint64_t stored_data_prefix(syncfile *sf, const sf_feed *fd, uint64_t k)
{
	stored_file th;
	feed_records *tree = open_stored(&th, sf, &fd->tree, HC_NODE);
	uint64_t off = tree ? data_prefix(tree, k) : 0;
	feed_records_free(tree);
	return off;
}

/* One bit a block past a cut: what the rescue copies (8 times smaller than
 * a flag a block). */
static uint8_t *bits_new(uint64_t n) { return xcalloc((size_t)(n / 8) + 1, 1); }
static bool bit_get(const uint8_t *b, uint64_t i) { return (b[i / 8] >> (i % 8)) & 1; }
static void bit_set(uint8_t *b, uint64_t i) { b[i / 8] |= (uint8_t)(1u << (i % 8)); }

/* What the cut blocks held, for the report. */
static void describe_cut(rebuild_feed *p, syncfile *sf, const sf_feed *fd, uint64_t keep,
                         uint64_t length, const uint8_t *skip)
{
	stored_file th;
	feed_records *tree = open_stored(&th, sf, &fd->tree, HC_NODE);
	uint64_t off = tree ? data_prefix(tree, keep) : 0;
	size_t listed = 0;
	/* with the tree lost, the blocks are still named (their entries cannot be) */
	for (uint64_t k = keep; k < length && !sess_interrupted; k++) {
		uint64_t size = tree ? leaf_size(tree, k) : 0;
		char *id = NULL;
		bool deletion = false;
		if (size && size < (1u << 20) && fd->data.present && off + size <= fd->data.size) {
			char *buf = xmalloc((size_t)size + 1);
			if (sf_read(sf, fd->data.off + off, buf, (size_t)size, NULL) == SD_OK) {
				json_t *j = json_loadb(buf, (size_t)size, 0, NULL);
				json_t *v = json_object_get(j, "id");
				if (json_is_string(v))
					id = xstrdup(json_string_value(v));
				deletion = json_is_true(json_object_get(j, "deleted"));
				json_decref(j);
			}
			free(buf);
		}
		off += size;
		if (skip && bit_get(skip, k - keep)) {
			free(id);
			continue; /* copied by the rescue */
		}
		if (listed++ < 200)
			add_line(
			    &p->dropped, &p->n_dropped,
			    /* a deletion left out brings its observation back: said so
			     * (the real Mapeo showed the deleted one again) */
			    id && deletion
			        ? xasprintf(
			              _("feed %d, block %llu: the deletion of observation %s, "
			                "which Mapeo will show again"),
			              fd->index, (unsigned long long)k, id)
			    : id ? xasprintf(_("feed %d, block %llu: the entry of observation %s"),
			                     fd->index, (unsigned long long)k, id)
			         : xasprintf(_("feed %d, block %llu"), fd->index,
			                     (unsigned long long)k));
		free(id);
	}
	feed_records_free(tree);
}

/* First kept block of fd (below keep) whose entry links to a version that
 * is not in the output: Mapeo's indexer would wait for it for ever. */
static uint64_t first_dangling(const rebuild_plan *p, const smap *by_key, syncfile *sf,
                               const sf_feed *fd, uint64_t keep)
{
	stored_file th;
	feed_records *tree = open_stored(&th, sf, &fd->tree, HC_NODE);
	uint64_t off = 0, found = keep;
	char *buf = NULL;
	for (uint64_t k = 0; k < keep && tree && found == keep && !sess_interrupted; k++) {
		uint64_t size = leaf_size(tree, k);
		if (size && size < (1u << 20) && fd->data.present && off + size <= fd->data.size) {
			buf = xrealloc(buf, (size_t)size + 1);
			if (sf_read(sf, fd->data.off + off, buf, (size_t)size, NULL) == SD_OK) {
				json_t *j = json_loadb(buf, (size_t)size, 0, NULL);
				size_t i;
				json_t *l;
				json_array_foreach(json_object_get(j, "links"), i, l)
				{
					const char *v = json_string_value(l),
					           *at2 = v ? strrchr(v, '@') : NULL;
					if (!at2 || at2 - v != 64)
						continue;
					uint64_t seq = strtoull(at2 + 1, NULL, 10);
					size_t f;
					bool present =
					    smap_get(by_key, v, 64, &f) && seq < p->feeds[f].keep;
					if (!present)
						found = k;
				}
				json_decref(j);
			}
		}
		off += size;
	}
	free(buf);
	feed_records_free(tree);
	return found;
}

/* Cut feeds whose kept entries depend on dropped ones, until none does. */
static void cut_dangling(rebuild_plan *p, syncfile **sfs)
{
	smap by_key;
	map_feeds(p, &by_key);
	for (int round = 0; round < 16; round++) {
		bool changed = false;
		for (size_t f = 0; f < p->n_feeds; f++) {
			rebuild_feed *pf = &p->feeds[f];
			syncfile *sf = sfs[pf->src];
			const sf_feed *fd = find_feed(sf, pf);
			if (!fd || !pf->keep)
				continue;
			uint64_t bad = first_dangling(p, &by_key, sf, fd, pf->keep);
			if (bad >= pf->keep)
				continue;
			uint64_t cut = stored_signed_length(sf, fd, pf->key_hex, bad);
			add_line(&pf->changes, &pf->n_changes,
			         xasprintf(
			             _("feed %d is cut at block %llu: its entry there edits or "
			               "deletes data that is left out, and Mapeo would wait for it "
			               "for ever"),
			             pf->from, (unsigned long long)bad));
			describe_cut(pf, sf, fd, cut, pf->keep, NULL);
			pf->keep = pf->written_length = cut;
			pf->salvaged = true;
			pf->data_bytes = stored_data_prefix(sf, fd, cut);
			changed = true;
		}
		if (!changed)
			break;
	}
	smap_free(&by_key);
}

/* Names without keeping them (issue 21: a map of a source's names cost
 * about 150 bytes a photo). Entries 0..n-1 are sorted by a 64-bit key: the
 * hash of the entry's name in the high bits, the entry's number in the low
 * `bits` (so two entries never share a key, and those of one hash come
 * together in their own order); names are read again only where hashes
 * meet. name_fn fills m and returns the name of entry k, or NULL for an
 * entry that takes no part. */
typedef const char *(*name_fn)(const void *ctx, size_t k, sf_member *m);

typedef struct name_keys {
	uint64_t *keys;
	size_t n, cap;
	uint64_t part, parts; /* the entries whose hash is part modulo parts */
	unsigned bits;        /* of the entry's number */
	unsigned hash_bits;   /* of the hash kept above them: 64 - bits, or fewer with
	                         SYNCDOCTOR_NAME_HASH_BITS (tests: every run then
	                         holds names that differ) */
} name_keys;

static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static uint64_t name_hash(const char *name) { return smap_hash(name, strlen(name)); }

/* A name's key without its entry's number, from its hash h. */
static uint64_t name_high(const name_keys *nk, uint64_t h)
{
	return h >> (64 - nk->hash_bits) << nk->bits;
}

/* The part a name is sorted in: the low bits of its hash h, where
 * name_high() takes the high ones. */
static uint64_t name_part(const name_keys *nk, uint64_t h) { return h % nk->parts; }

/* At most this many keys at a time (512 KiB): past it the entries are
 * sorted in parts, by their hash modulo the number of parts, the names read
 * once a part (SYNCDOCTOR_NAME_KEYS for tests). */
#define NAME_KEYS_MAX 65536

/* How many parts for about n entries. */
static uint64_t name_parts(size_t n)
{
	const char *e = getenv("SYNCDOCTOR_NAME_KEYS");
	size_t max = e && *e && strtoul(e, NULL, 10) ? strtoul(e, NULL, 10) : NAME_KEYS_MAX;
	return n / max + 1;
}

/* The keys of part `part` of `parts` of entries 0..n-1. (Interrupted: the
 * keys of the entries read so far; the caller asks prog.) */
static void name_keys_make(name_keys *nk, size_t n, name_fn fn, const void *ctx, uint64_t part,
                           uint64_t parts, const sd_progress *prog)
{
	free(nk->keys);
	nk->keys = NULL;
	nk->cap = 0;
	nk->part = part, nk->parts = parts;
	nk->bits = 1; /* at most 63: an array holds fewer than 2^63 entries */
	while (nk->bits < 63 && n >> nk->bits)
		nk->bits++;
	nk->hash_bits = 64 - nk->bits;
	const char *hb = getenv("SYNCDOCTOR_NAME_HASH_BITS");
	if (hb && *hb && strtoul(hb, NULL, 10) >= 1 && strtoul(hb, NULL, 10) < nk->hash_bits)
		nk->hash_bits = (unsigned)strtoul(hb, NULL, 10);
	nk->n = 0;
	sf_member m;
	for (size_t k = 0; k < n && !sd_progress_cancelled(prog); k++) {
		const char *name = fn(ctx, k, &m);
		uint64_t h = name ? name_hash(name) : 0;
		if (!name || name_part(nk, h) != part)
			continue;
		SD_GROW(nk->keys, nk->cap, nk->n + 1);
		nk->keys[nk->n++] = name_high(nk, h) | k;
	}
	if (nk->n) /* (no array when no entry is in this part) */
		qsort(nk->keys, nk->n, sizeof *nk->keys, key_cmp);
}

/* The end of the run of keys that share keys[at]'s hash. */
static size_t name_run(const name_keys *nk, size_t at)
{
	uint64_t high = nk->keys[at] >> nk->bits;
	size_t end = at + 1;
	while (end < nk->n && nk->keys[end] >> nk->bits == high)
		end++;
	return end;
}

static size_t name_entry(const name_keys *nk, size_t at)
{
	return (size_t)(nk->keys[at] & ((1ull << nk->bits) - 1));
}

/* True when some entry is named name, of hash h (nk's part holds it). */
static bool name_known(const name_keys *nk, name_fn fn, const void *ctx, const char *name,
                       uint64_t h)
{
	uint64_t high = name_high(nk, h);
	size_t lo = 0, hi = nk->n;
	while (lo < hi) { /* the first key at or above high */
		size_t mid = lo + (hi - lo) / 2;
		if (nk->keys[mid] < high)
			lo = mid + 1;
		else
			hi = mid;
	}
	sf_member m;
	for (size_t at = lo; at < nk->n && nk->keys[at] >> nk->bits == high >> nk->bits; at++) {
		const char *other = fn(ctx, name_entry(nk, at), &m);
		if (other && strcmp(other, name) == 0)
			return true;
	}
	return false;
}

/* The distinct names of one run, each with a number (0, 1, ...): a run
 * of one hash is short, but the map keeps a hostile one linear. */
typedef struct name_groups {
	smap map;
	char **names;
	size_t n, cap;
} name_groups;

static size_t group_of(name_groups *g, const char *name, bool *is_new)
{
	size_t id, len = strlen(name);
	*is_new = !smap_get(&g->map, name, len, &id);
	if (*is_new) {
		SD_GROW(g->names, g->cap, g->n + 1);
		g->names[g->n] = xstrdup(name);
		id = g->n++;
		smap_put(&g->map, g->names[id], len, id);
	}
	return id;
}

static void groups_clear(name_groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->names[i]);
	g->n = 0;
	smap_free(&g->map);
}

static const char *media_name(const void *ctx, size_t i, sf_member *m)
{
	const syncfile *sf = ctx;
	sf_member_peek(sf, i, m);
	if (m->kind != SF_KIND_MEDIA)
		return NULL;
	sf_member_get(sf, i, m);
	return m->name;
}

/* live_media() over one part's keys. */
static void live_runs(const syncfile *sf, const name_keys *nk, uint8_t *live,
                      const sd_progress *prog)
{
	name_groups g = {0};
	size_t *winner = NULL, cap = 0;
	sf_member m;
	for (size_t at = 0, end; at < nk->n && !sd_progress_cancelled(prog); at = end) {
		end = name_run(nk, at);
		if (end == at + 1) {
			size_t i = name_entry(nk, at);
			bit_set(live, i);
			continue;
		}
		/* in file order within the run: the copy the index names wins,
		 * else one named with '/', else the last (sf_copy_wins()) */
		for (size_t k = at; k < end; k++) {
			size_t i = name_entry(nk, k);
			bool is_new;
			size_t id = group_of(&g, media_name(sf, i, &m), &is_new);
			SD_GROW(winner, cap, g.n);
			sf_member pm;
			if (!is_new)
				sf_member_peek(sf, winner[id], &pm);
			if (is_new ||
			    sf_copy_wins(m.backslash, m.in_index, pm.backslash, pm.in_index))
				winner[id] = i;
		}
		for (size_t id = 0; id < g.n; id++)
			bit_set(live, winner[id]);
		groups_clear(&g);
	}
	free(winner);
	free(g.names);
}

/* The live copy of each photo's name in sf, one bit a member (set: live):
 * the copy the index names, else the last, as sf_find_member() decides.
 * NULL when interrupted. */
static uint8_t *live_media(const syncfile *sf, const sd_progress *prog)
{
	uint8_t *live = bits_new(sf->n_members);
	name_keys nk = {0};
	uint64_t parts = name_parts(sf->n_media);
	for (uint64_t part = 0; part < parts && !sd_progress_cancelled(prog); part++) {
		name_keys_make(&nk, sf->n_members, media_name, sf, part, parts, prog);
		live_runs(sf, &nk, live, prog);
	}
	free(nk.keys);
	if (sd_progress_cancelled(prog)) {
		free(live);
		return NULL;
	}
	return live;
}

/* The next photo kept (rebuild_media_next()), from views sfs, without its
 * name (m->name NULL: a name past the budget is a read); it is member
 * it->member - 1 of view it->view. */
static bool media_next(const rebuild_plan *p, syncfile *const *sfs, rebuild_media_iter *it,
                       sf_member *m, bool *damaged)
{
	for (; it->view < p->n_media_views; it->view++, it->member = 0) {
		const uint8_t *keep = p->media_keep[it->view];
		size_t n = keep ? sfs[it->view]->n_members : 0;
		while (it->member < n) {
			size_t i = it->member++;
			if (!keep[i / 8]) { /* eight members at a time where none is kept */
				it->member = (i / 8 + 1) * 8;
				continue;
			}
			if (!bit_get(keep, i))
				continue;
			*damaged = bit_get(p->media_damaged[it->view], i);
			sf_member_peek(sfs[it->view], i, m);
			return true;
		}
	}
	return false;
}

bool rebuild_media_next(const rebuild_plan *p, rebuild_media_iter *it, sf_member *m, bool *damaged)
{
	if (!media_next(p, p->views, it, m, damaged))
		return false;
	sf_member_get(p->views[it->view], it->member - 1, m);
	return true;
}

/* A finding about a block Mapeo cannot take as an entry: not JSON, or null
 * (its indexer fails on it); JSON that is not an object otherwise is passed
 * over by Mapeo (entry-not-object as a note) and kept. */
static bool entry_unreadable(const finding *fn)
{
	return fn->block >= 0 && (fn->id == FND_ENTRY_NOT_JSON ||
	                          (fn->id == FND_ENTRY_NOT_OBJECT && fn->severity == SEV_ERROR));
}

/* --exclude-suspect: each feed ends before the block of its first suspect
 * observation (at the highest signed length there, as Mapeo needs a
 * signature for the length it is given); say what that costs. */
static void cut_suspect(rebuild_plan *p, syncfile *sf, const sd_report *r)
{
	/* One pass over the suspects and one over the findings (a file may
	 * hold many of both): each feed's first suspect block and why. */
	size_t n = p->n_feeds;
	uint64_t *firsts = xcalloc(n + 1, sizeof *firsts);
	const char **ids = xcalloc(n + 1, sizeof *ids), **codes = xcalloc(n + 1, sizeof *codes);
	for (size_t f = 0; f < n; f++)
		firsts[f] = UINT64_MAX;
	smap by_key, by_obs, by_index;
	map_feeds(p, &by_key);
	smap_init(&by_obs);
	smap_init(&by_index);
	char(*numbers)[24] = xcalloc(n + 1, sizeof *numbers);
	for (size_t f = n; f-- > 0;) {
		snprintf(numbers[f], sizeof numbers[f], "%d", p->feeds[f].from);
		smap_put(&by_index, numbers[f], strlen(numbers[f]), f);
	}
	/* the code of the first finding that names each suspect (the list
	 * hands out one finding at a time: keys are the suspects' ids) */
	const char **first_code = xcalloc(r->n_obs + 1, sizeof *first_code);
	for (size_t i = r->n_obs; i-- > 0;)
		smap_put(&by_obs, r->obs[i].id, strlen(r->obs[i].id), i);
	for (size_t k = 0; k < fnd_n(&r->findings); k++) {
		const finding *fn = fnd_at(&r->findings, k);
		size_t i;
		if (fn->observation &&
		    smap_get(&by_obs, fn->observation, strlen(fn->observation), &i) &&
		    !first_code[i])
			first_code[i] = fn->code;
	}
	for (size_t i = 0; i < r->n_obs; i++) {
		const char *v = r->obs[i].version, *at = strrchr(v, '@');
		size_t f, k;
		if (!at || at - v != 64 || !smap_get(&by_key, v, 64, &f))
			continue;
		uint64_t seq = strtoull(at + 1, NULL, 10);
		if (seq < firsts[f]) {
			firsts[f] = seq;
			ids[f] = r->obs[i].id;
			codes[f] =
			    smap_get(&by_obs, ids[f], strlen(ids[f]), &k) ? first_code[k] : NULL;
		}
	}
	for (size_t k = 0; k < fnd_n(&r->findings); k++) {
		const finding *fn = fnd_at(&r->findings, k);
		char num[24];
		size_t f;
		snprintf(num, sizeof num, "%d", fn->feed);
		if (!entry_unreadable(fn) || !smap_get(&by_index, num, strlen(num), &f) ||
		    (uint64_t)fn->block >= firsts[f])
			continue;
		firsts[f] = (uint64_t)fn->block;
		ids[f] = NULL;
		codes[f] = fn->code;
	}
	smap_free(&by_obs);
	smap_free(&by_index);
	free(numbers);
	free(first_code);
	/* suspects per feed, counted once the cuts are known */
	uint64_t *cuts = xcalloc(n + 1, sizeof *cuts), *suspects = xcalloc(n + 1, sizeof *suspects);
	for (size_t f = 0; f < n; f++) {
		rebuild_feed *pf = &p->feeds[f];
		const sf_feed *fd = find_feed(sf, pf);
		cuts[f] = pf->keep;
		if (!fd || firsts[f] >= pf->keep)
			continue;
		cuts[f] = stored_signed_length(sf, fd, pf->key_hex, firsts[f]);
	}
	for (size_t i = 0; i < r->n_obs; i++) {
		const char *v = r->obs[i].version, *at = strrchr(v, '@');
		size_t f;
		if (!at || at - v != 64 || !smap_get(&by_key, v, 64, &f))
			continue;
		uint64_t seq = strtoull(at + 1, NULL, 10);
		if (seq >= cuts[f] && seq < p->feeds[f].keep)
			suspects[f]++;
	}
	smap_free(&by_key);
	for (size_t f = 0; f < n; f++) {
		rebuild_feed *pf = &p->feeds[f];
		const sf_feed *fd = find_feed(sf, pf);
		uint64_t first = firsts[f], cut = cuts[f];
		const char *why_id = ids[f], *why_code = codes[f];
		if (!fd || first >= pf->keep)
			continue;
		uint64_t lost = pf->keep - cut;
		/* a first suspect that is no entry (not JSON, null) is a suspect
		 * block too, though no observation */
		suspects[f] += !why_id;
		char *why =
		    why_id ? xasprintf(_("observation %s, %s"), why_id, why_code ? why_code : "?")
		           : xstrdup(why_code ? why_code : "?");
		add_line(
		    &pf->changes, &pf->n_changes,
		    xasprintf(
		        P_("feed %d is cut before block %llu, its first suspect one (%s): %llu "
		           "block is left out, %llu of them not suspect%s",
		           "feed %d is cut before block %llu, its first suspect one (%s): %llu "
		           "blocks are left out, %llu of them not suspect%s",
		           lost),
		        pf->from, (unsigned long long)first, why, (unsigned long long)lost,
		        (unsigned long long)(lost > suspects[f] ? lost - suspects[f] : 0),
		        cut < first ? _(" (the nearest signed length is earlier)") : ""));
		free(why);
		describe_cut(pf, sf, fd, cut, pf->keep, NULL);
		pf->rescue_limit = cut; /* suspects are left out, not rescued */
		pf->keep = pf->written_length = cut;
		pf->salvaged = true;
		pf->data_bytes = stored_data_prefix(sf, fd, cut);
	}
	free(firsts), free(ids), free(codes), free(cuts), free(suspects);
}

/* ---- rescue: authentic entries a cut leaves out, into a new feed ---- */

/* A version "<64 hex>@<seq>" at s (not NUL-terminated): its length, or 0. */
static size_t version_len(const char *s, size_t avail)
{
	if (avail < 66)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	if (s[64] != '@')
		return 0;
	size_t n = 65;
	while (n < avail && n < 65 + 20 && s[n] >= '0' && s[n] <= '9')
		n++;
	return n > 65 ? n : 0;
}

typedef struct rescue_state {
	const rebuild_plan *p;
	smap kept;       /* feed key -> plan feed */
	uint8_t **skips; /* per plan feed, a bit per block past its cut: moved */
	uint64_t n;      /* entries moved */
	/* Only when the new feed is made (--rescue): a count needs none of
	 * these, which grow with what is moved (issue 21). */
	bool build;
	smap moved;   /* old version -> new seq (keys in names) */
	char **names; /* the old versions moved, owned */
	size_t n_names;
	char new_hex[KEYS_HEX_SIZE];
	fwb *b;
	strbuf data;
} rescue_state;

/* Whether version v (vl bytes, "<key>@<seq>") was moved into the new feed:
 * a block past the cut of a planned feed, copied already. */
static bool is_moved(const rescue_state *rs, const char *v, size_t vl)
{
	size_t f;
	if (!smap_get(&rs->kept, v, 64, &f) || !rs->skips[f])
		return false;
	const rebuild_feed *pf = &rs->p->feeds[f];
	uint64_t seq = strtoull(v + 65, NULL, 10);
	char canon[24];
	/* a moved version is written as "%llu": "7", never "07" */
	int cl = snprintf(canon, sizeof canon, "%llu", (unsigned long long)seq);
	return (size_t)cl == vl - 65 && memcmp(canon, v + 65, (size_t)cl) == 0 && seq >= pf->keep &&
	       seq < pf->length && bit_get(rs->skips[f], seq - pf->keep);
}

/* Is every link of entry (JSON) either kept in the output or moved? */
static bool links_resolve(rescue_state *rs, const char *buf, size_t len)
{
	json_t *j = json_loadb(buf, len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return false; /* not an entry Mapeo can read */
	}
	bool ok = true;
	size_t i, f;
	json_t *l;
	json_array_foreach(json_object_get(j, "links"), i, l)
	{
		const char *v = json_string_value(l);
		size_t vl = v ? version_len(v, strlen(v)) : 0;
		if (!vl || vl != strlen(v)) {
			ok = false;
			break;
		}
		uint64_t s = strtoull(v + 65, NULL, 10);
		if (!(smap_get(&rs->kept, v, 64, &f) && s < rs->p->feeds[f].keep) &&
		    !is_moved(rs, v, vl)) {
			ok = false;
			break;
		}
	}
	json_decref(j);
	return ok;
}

/* Append entry to the new feed, every moved version in it (its links, and
 * the stale "version" copies mapeo-core leaves) replaced by its new one.
 * Without rs->build, only counted. */
static void rescue_append(rescue_state *rs, const char *buf, size_t len, const char *self)
{
	size_t seq = (size_t)rs->n++;
	if (!rs->build)
		return;
	strbuf e = SB_INIT;
	for (size_t i = 0; i < len; i++) {
		size_t vl, moved;
		if (buf[i] == '"' && (vl = version_len(buf + i + 1, len - i - 1)) &&
		    i + 1 + vl < len && buf[i + 1 + vl] == '"' &&
		    smap_get(&rs->moved, buf + i + 1, vl, &moved)) {
			sb_printf(&e, "\"%s@%zu\"", rs->new_hex, moved);
			i += vl + 1;
		} else {
			sb_addc(&e, buf[i]);
		}
	}
	fwb_append(rs->b, (const uint8_t *)sb_str(&e), e.len);
	sb_addn(&rs->data, sb_str(&e), e.len);
	sb_free(&e);
	rs->names = xreallocarray(rs->names, rs->n_names + 1, sizeof *rs->names);
	rs->names[rs->n_names] = xstrdup(self);
	smap_put(&rs->moved, rs->names[rs->n_names], strlen(self), seq);
	rs->n_names++;
}

/* The blocks of feed pf that a rescue copies: authentic, past the cut,
 * before any suspect, and with every link resolved. Sets their bits in
 * skip (a bit per block past the cut), which is also what says they moved. */
static void rescue_feed(rescue_state *rs, syncfile *sf, rebuild_feed *pf, uint8_t *skip,
                        const sd_progress *prog)
{
	const sf_feed *fd = find_feed(sf, pf);
	salvaged sv = {0};
	if (!fd || (!pf->verifies && !salvage_feed(sf, fd, pf->key_hex, &sv)))
		return;
	stored_file th;
	feed_records *tree = open_stored(&th, sf, &fd->tree, HC_NODE);
	uint64_t off = tree ? data_prefix(tree, pf->keep) : 0;
	bool placed = true; /* off is where block k starts */
	char *buf = NULL;
	for (uint64_t k = pf->keep;
	     tree && k < pf->length && !sd_progress_cancelled(prog) && !sess_interrupted; k++) {
		uint8_t leaf[HC_NODE];
		bool held = feed_records_get(tree, 2 * k, leaf) && !hc_node_blank(leaf);
		uint64_t size = held ? hc_be64(leaf + 32) : 0;
		/* past a block the feed does not hold (a sync downloaded it in
		 * part, in any order), the nodes above place the next one */
		if (!placed)
			placed = stored_offset(tree, k, &off);
		if (placed && k < pf->rescue_limit && size && size <= FEED_MAX_BLOCK &&
		    fd->data.present && off + size <= fd->data.size) {
			buf = xrealloc(buf, (size_t)size + 1);
			if (sf_read(sf, fd->data.off + off, buf, (size_t)size, NULL) == SD_OK &&
			    (pf->verifies ||
			     block_authentic(&sv, tree, k, (const uint8_t *)buf, (size_t)size)) &&
			    links_resolve(rs, buf, (size_t)size)) {
				char self[96];
				snprintf(self, sizeof self, "%s@%llu", pf->key_hex,
				         (unsigned long long)k);
				rescue_append(rs, buf, (size_t)size, self);
				bit_set(skip, k - pf->keep);
			}
		}
		placed = placed && held;
		off += size;
	}
	free(buf);
	feed_records_free(tree);
	salvaged_free(&sv);
}

/* Count what a rescue would save; with opt->rescue, make the new feed. */
static void plan_rescue(rebuild_plan *p, syncfile **sfs, const rebuild_options *opt,
                        const sd_progress *prog)
{
	rescue_state rs = {.p = p, .data = SB_INIT, .build = opt->rescue};
	map_feeds(p, &rs.kept);
	smap_init(&rs.moved);
	rs.b = fwb_new();
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	crypto_sign_keypair(pk, sk);
	keys_hex(pk, 32, rs.new_hex);
	uint8_t **skips = xcalloc(p->n_feeds + 1, sizeof *skips);
	rs.skips = skips;
	for (size_t f = 0; f < p->n_feeds; f++) {
		rebuild_feed *pf = &p->feeds[f];
		if (pf->rescue || pf->keep >= pf->length)
			continue;
		skips[f] = bits_new(pf->length - pf->keep);
		rescue_feed(&rs, sfs[pf->src], pf, skips[f], prog);
	}
	uint64_t n = rs.n;
	p->n_rescuable = (size_t)n;
	if (opt->rescue && n) {
		p->n_rescued = (size_t)n;
		/* what each feed leaves out, without the entries now copied */
		for (size_t f = 0; f < p->n_feeds; f++) {
			rebuild_feed *pf = &p->feeds[f];
			if (!skips[f])
				continue;
			for (size_t i = 0; i < pf->n_dropped; i++)
				free(pf->dropped[i]);
			free(pf->dropped);
			pf->dropped = NULL, pf->n_dropped = 0;
			describe_cut(pf, sfs[pf->src], find_feed(sfs[pf->src], pf), pf->keep,
			             pf->length, skips[f]);
		}
		p->rescue_files[0] = xmalloc(32);
		memcpy(p->rescue_files[0], pk, 32);
		p->rescue_sizes[0] = 32;
		p->rescue_files[1] = fwb_tree(rs.b, &p->rescue_sizes[1]);
		p->rescue_files[2] = fwb_signatures(rs.b, sk, &p->rescue_sizes[2]);
		p->rescue_files[3] = fwb_bitfield(rs.b, &p->rescue_sizes[3]);
		p->rescue_sizes[4] = rs.data.len;
		p->rescue_files[4] = (uint8_t *)sb_take(&rs.data);
		p->feeds = xreallocarray(p->feeds, p->n_feeds + 1, sizeof *p->feeds);
		rebuild_feed *r = &p->feeds[p->n_feeds];
		memset(r, 0, sizeof *r);
		r->rescue = true;
		r->from = -1;
		r->to = (int)p->n_feeds;
		memcpy(r->key_hex, rs.new_hex, sizeof r->key_hex);
		r->length = r->keep = r->written_length = n;
		r->data_bytes = p->rescue_sizes[4];
		r->verifies = true;
		add_line(
		    &r->changes, &r->n_changes,
		    xasprintf(P_("feed %d is new: %llu entry left out above still hashes to what "
		                 "its device signed, and is copied into it under a new key "
		                 "syncdoctor made. That observation gets a new version; when "
		                 "the device that made it syncs again, it may appear twice",
		                 "feed %d is new: %llu entries left out above still hash to what "
		                 "their device signed, and are copied into it under a new key "
		                 "syncdoctor made. Those observations get new versions; when "
		                 "the device that made them syncs again, they may appear "
		                 "twice",
		                 n),
		              r->to, (unsigned long long)n));
		p->n_feeds++;
		p->estimated_size += 5 * TAR_BLOCK + r->data_bytes + n * 104 + HC_PAGE * 2;
	}
	sodium_memzero(sk, sizeof sk);
	for (size_t f = 0; f < p->n_feeds; f++)
		free(skips[f]);
	free(skips);
	for (size_t i = 0; i < rs.n_names; i++)
		free(rs.names[i]);
	free(rs.names);
	smap_free(&rs.kept);
	smap_free(&rs.moved);
	sb_free(&rs.data);
	fwb_free(rs.b);
}

/* What the output would still show in step 3 of its own check, and the
 * options that avoid it: the plan says so, and nothing is written. */
static void assess(rebuild_plan *p, syncfile *const *sfs, const rebuild_options *opt)
{
	for (size_t f = 0; f < p->n_feeds; f++) {
		const rebuild_feed *pf = &p->feeds[f];
		if (!pf->salvaged && !pf->verifies) {
			/* salvage keeps only what verifies */
			add_line(&p->unclean, &p->n_unclean,
			         xasprintf(_("feed %d does not verify (a block, tree node or "
			                     "signature is damaged or missing), and this mode "
			                     "copies it whole: Mapeo would refuse the file"),
			                   pf->from));
			p->needs_salvage = true;
		}
		if (pf->data_unverified && !opt->salvage) {
			add_line(&p->unclean, &p->n_unclean,
			         xasprintf(_("feed %d has data that no tree or signatures are left "
			                     "to verify, and this mode does not leave data out"),
			                   pf->from));
			p->needs_salvage = true;
		}
		if (pf->entry_bad) {
			add_line(&p->unclean, &p->n_unclean,
			         xasprintf(_("feed %d holds a block that is not an entry Mapeo "
			                     "can read, and this mode keeps it"),
			                   pf->from));
			p->needs_exclude = !opt->exclude_suspect;
		}
	}
	rebuild_media_iter it = {0, 0};
	sf_member m;
	bool damaged;
	while (media_next(p, sfs, &it, &m, &damaged))
		if (damaged) {
			sf_member_get(sfs[it.view], it.member - 1, &m);
			char *e = report_escape(m.name);
			add_line(&p->unclean, &p->n_unclean,
			         xasprintf(_("photo %s will not open, and this mode keeps it"), e));
			free(e);
			p->needs_salvage = true;
		}
}

const char *rebuild_clean_mode(const rebuild_plan *p)
{
	if (p->needs_database)
		return "--database DIR";
	if (p->needs_rescue)
		return "--rescue"; /* (it salvages too) */
	if (p->needs_salvage && p->needs_exclude)
		return "--salvage --exclude-suspect";
	if (p->needs_salvage)
		return "--salvage";
	if (p->needs_exclude)
		return "--exclude-suspect";
	return NULL;
}

/* One source read and checked: the report of its full check and the
 * syncfile view the plan copies from. */
typedef struct rb_source {
	const char *path;
	sd_report *r;
	syncfile *sf;
	size_t input;   /* the input it reads (rebuild_plan.inputs) */
	bool db_only;   /* a view of another database of that input (syncfile.h, other_dbs):
	                   only its feeds are planned, its photos are the input's */
	uint64_t db_at; /* then: that database's header offset */
	/* Its current observations, before report_drop_heads(): how many, and
	 * for each feed of r->feeds the lowest seq of one (UINT64_MAX: none),
	 * so a plan tells whether it keeps any (plan_keeps_observations()). */
	size_t n_heads;
	uint64_t *first_head;
} rb_source;

static void source_close(rb_source *s)
{
	sf_close(s->sf);
	report_free(s->r);
	free(s->first_head);
	s->sf = NULL, s->r = NULL, s->first_head = NULL;
}

/* s->n_heads and s->first_head from s->r's list of current observations. */
static void source_heads(rb_source *s)
{
	const sd_report *r = s->r;
	s->n_heads = r->observations_checked ? r->n_heads : 0;
	s->first_head = xcalloc(r->n_feeds + 1, sizeof *s->first_head);
	for (size_t f = 0; f < r->n_feeds; f++)
		s->first_head[f] = UINT64_MAX;
	/* feed numbers are directory numbers: a table from number to place
	 * (the first feed of a number, as the wizard's count takes it) */
	int top = -1;
	for (size_t f = 0; f < r->n_feeds; f++)
		if (r->feeds[f].index > top && r->feeds[f].index < (1 << 20))
			top = r->feeds[f].index;
	size_t *at = xcalloc((size_t)top + 2, sizeof *at);
	for (size_t f = r->n_feeds; f-- > 0;)
		if (r->feeds[f].index >= 0 && r->feeds[f].index <= top && r->feeds[f].key_hex[0])
			at[r->feeds[f].index] = f + 1;
	for (size_t i = 0; i < s->n_heads && !sess_interrupted; i++) {
		report_head h;
		report_head_get(r, i, &h);
		size_t f = h.feed >= 0 && h.feed <= top ? at[h.feed] : 0;
		if (f && h.seq < s->first_head[f - 1])
			s->first_head[f - 1] = h.seq;
	}
	free(at);
}

static sd_status source_open(rb_source *s, const char *input, bool fingerprint,
                             const sd_progress *prog, sd_error *err)
{
	bool db_only = s->db_only;
	uint64_t db_at = s->db_at;
	size_t in = s->input;
	memset(s, 0, sizeof *s);
	s->path = input;
	s->input = in, s->db_only = db_only, s->db_at = db_at;
	/* An internal check: this computer's Mapeo says nothing about what to
	 * copy; the check's read gives the journal its fingerprint, and its
	 * open view of the file is what the plan and the write copy from. The
	 * fingerprint is finished after the write (input_fingerprint_finish()):
	 * its thread hashes on beside the plan and the write. */
	check_options co = {.no_auto_config = true,
	                    .no_local_mapeo = true,
	                    .fingerprint = fingerprint && !db_only,
	                    .fingerprint_later = true,
	                    .keep = &s->sf,
	                    .other_db = db_only,
	                    .db_at = db_at};
	sd_status st = check_run(input, &co, prog, &s->r, err);
	if (st != SD_OK)
		return st;
	if (s->r->verdict == VERDICT_UNREADABLE) {
		source_close(s);
		return err->status ? err->status : SD_ERR_IO;
	}
	s->sf->copy_scans = 0; /* the plan looks for earlier copies again: its own budget */
	/* the plan reads the feeds, the findings and the suspects, never the
	 * list of current observations: flat memory with several sources */
	source_heads(s);
	report_drop_heads(s->r);
	/* A plan made from a file another program is writing would not match
	 * what is read next. */
	const findings *fl = &s->r->findings;
	for (size_t i = 0, n = fnd_has(fl, FND_INPUT_CHANGED) ? fnd_n(fl) : 0; i < n; i++) {
		const finding *f = fnd_at(fl, i);
		if (f->id == FND_INPUT_CHANGED) {
			sd_error_set(err, SD_ERR_CHANGED, "%s", f->message);
			source_close(s);
			return SD_ERR_CHANGED;
		}
	}
	if (strcmp(s->r->era, "kappa-osm-v2") != 0 && strcmp(s->r->era, "unknown") != 0) {
		sd_error_set(
		    err, SD_ERR_REFUSED,
		    _("%s is a %s sync file: syncdoctor rebuilds only Mapeo Desktop 4 to 5.6 "
		      "files"),
		    input, s->r->era);
		source_close(s);
		return SD_ERR_REFUSED; /* it was read: it is not for rebuilding */
	}
	return SD_OK;
}

/* dropped_of of the line that says a source's database was cut short */
#define RB_DB_CUT "\001database-cut"

/* Every line of p->dropped goes through here: plan_merge() reads dropped_of
 * beside each one. of: the photo name or feed key the line is about, or
 * NULL; line is taken. */
static void add_dropped(rebuild_plan *p, const char *of, char *line)
{
	p->dropped_of = xreallocarray(p->dropped_of, p->n_dropped + 1, sizeof *p->dropped_of);
	p->dropped_of[p->n_dropped] = of ? xstrdup(of) : NULL;
	add_line(&p->dropped, &p->n_dropped, line);
}

/* The project of the output: the configuration's when one is given (or
 * when no source knows its own and Mapeo Desktop's is found), else the one
 * every source that knows it names. */
static sd_status plan_project(rebuild_plan *p, const rb_source *src, size_t n,
                              const rebuild_options *opt, sd_error *err)
{
	const char *file_dk = NULL, *first = NULL;
	for (size_t k = 0; k < n; k++) {
		const syncfile *sf = src[k].sf;
		if (!sf->p2p_db)
			continue;
		const char *dk = sf->has_discovery_key ? sf->discovery_key : "";
		if (!file_dk) {
			file_dk = dk, first = src[k].path;
		} else if (strcmp(dk, file_dk) != 0 && !opt->config_path) {
			char a[16], b[16];
			keys_error_form(file_dk, a);
			keys_error_form(dk, b);
			return sd_error_set(err, SD_ERR_REFUSED,
			                    _("%s belongs to project %s and %s to project %s: "
			                      "syncdoctor joins only sources of one project (give "
			                      "--config to move them all into one)"),
			                    first, a, src[k].path, b);
		}
	}
	bool file_known = file_dk != NULL;
	if (opt->config_path || (!file_known && !opt->no_auto_config)) {
		char *active = opt->config_path ? NULL : cfg_find_active(opt->userdata);
		const char *path = opt->config_path ? opt->config_path : active;
		if (!path)
			return sd_error_set(
			    err, SD_ERR_USAGE,
			    _("%s no longer says which project it belongs to (its userdata is "
			      "lost) and Mapeo Desktop's configuration was not found here: give "
			      "the configuration with --config"),
			    p->input);
		mapeo_config *c = NULL;
		findings cf;
		fnd_init(&cf);
		sd_status st = cfg_open(path, &c, &cf, err);
		if (st == SD_OK && (!c->metadata || (c->has_key && !c->discovery_key[0]))) {
			/* its project cannot be read: writing the file for the
			 * default project would move it out of its own, in silence */
			const char *why = c->metadata ? NULL : path;
			for (size_t i = 0; i < fnd_n(&cf) && !c->metadata; i++)
				if (fnd_at(&cf, i)->severity == SEV_ERROR) {
					why = fnd_at(&cf, i)->message;
					break;
				}
			st = why ? sd_error_set(
			               err, SD_ERR_REFUSED,
			               _("%s: the project it names cannot be read, so the file "
			                 "is not written for it. Give the project's own "
			                 ".mapeosettings file."),
			               why)
			         : sd_error_set(
			               err, SD_ERR_REFUSED,
			               _("the projectKey of the configuration %s cannot be used "
			                 "(Mapeo cannot use it either), so the file is not "
			                 "written for it. Give the project's own .mapeosettings "
			                 "file."),
			               path);
			cfg_free(c);
		}
		fnd_free(&cf);
		if (st != SD_OK) {
			free(active);
			return st;
		}
		snprintf(p->discovery_key, sizeof p->discovery_key, "%s",
		         c->has_key ? c->discovery_key : "");
		snprintf(p->footer, sizeof p->footer, "%s", c->footer);
		char *title = cfg_title(c);
		p->project_source =
		    opt->config_path ? xasprintf(_("the configuration \"%s\" (%s)"), title, path)
		                     : xasprintf(_("Mapeo Desktop's configuration \"%s\" on this "
		                                   "computer"),
		                                 title);
		free(title);
		cfg_free(c);
		free(active);
		if (file_known && strcmp(file_dk, p->discovery_key) != 0) {
			p->changes_project = true;
			char a[16], b[16];
			keys_error_form(file_dk, a);
			keys_error_form(p->discovery_key, b);
			add_line(
			    &p->changes, &p->n_changes,
			    xasprintf(
			        _("the file moves from project %s to project %s (%s): its data "
			          "will merge into that project on every computer that syncs "
			          "with it"),
			        a, b, p->footer));
		}
	} else if (file_known) {
		snprintf(p->discovery_key, sizeof p->discovery_key, "%s", file_dk);
		p->project_source = n > 1 ? xasprintf(_("the sources themselves (%s)"), first)
		                    : src[0].sf->src.kind == SRC_DATABASE
		                        ? xstrdup(_("the database itself"))
		                        : xstrdup(_("the file itself"));
	} else if (opt->front == SD_FRONT_WIZARD) {
		/* the wizard's configuration was Mapeo's default (no key) */
		return sd_error_set(
		    err, SD_ERR_USAGE,
		    _("%s no longer says which project it belongs to (the part that named it "
		      "is lost), and the configuration chosen has no project key. Choose the "
		      ".mapeosettings file of the project this file belongs to in the "
		      "configuration step, then choose the repair again."),
		    p->input);
	} else {
		return sd_error_set(
		    err, SD_ERR_USAGE,
		    _("%s no longer says which project it belongs to (its userdata is lost): "
		      "give the configuration with --config"),
		    p->input);
	}
	return SD_OK;
}

/* Another copy of photo member i's name that opens (*twin), or false. */
static bool intact_twin(syncfile *sf, size_t i, const char *name, const sd_progress *prog,
                        size_t *twin)
{
	sf_member t;
	for (size_t j = 0; j < sf->n_members && !sd_progress_cancelled(prog); j++) {
		const char *why;
		uint64_t at;
		sf_member_peek(sf, j, &t);
		if (j == i || t.kind != SF_KIND_MEDIA || t.truncated)
			continue;
		sf_member_get(sf, j, &t);
		if (!strcmp(t.name, name) && check_photo_opens(sf, &t, prog, &why, &at)) {
			*twin = j;
			return true;
		}
	}
	return false;
}

/* The live copy of each photo of one source; salvage and --exclude-suspect
 * leave out what will not open. */
static void plan_media(rebuild_plan *p, syncfile *sf, const sd_report *r,
                       const rebuild_options *opt, const sd_progress *prog)
{
	smap damaged_media;
	uint8_t *live = live_media(sf, prog);
	if (!live)
		return;
	p->n_media_views = 1; /* this source's: plan_merge() places it */
	p->media_keep = xcalloc(1, sizeof *p->media_keep);
	p->media_damaged = xcalloc(1, sizeof *p->media_damaged);
	p->media_keep[0] = bits_new(sf->n_members);
	p->media_damaged[0] = bits_new(sf->n_members);
	smap_init(&damaged_media);
	/* the map's keys: copies (the list hands out one finding at a time) */
	char **damaged = NULL;
	size_t n_damaged = 0, damaged_cap = 0;
	for (size_t k = 0, nk = fnd_has(&r->findings, FND_MEDIA_DAMAGED) ? fnd_n(&r->findings) : 0;
	     k < nk; k++) {
		const finding *f = fnd_at(&r->findings, k);
		if (f->id != FND_MEDIA_DAMAGED || !f->media)
			continue;
		SD_GROW(damaged, damaged_cap, n_damaged + 1);
		damaged[n_damaged] = xstrdup(f->media);
		smap_put(&damaged_media, damaged[n_damaged], strlen(f->media), k);
		n_damaged++;
	}
	sf_member mb, *m = &mb;
	unsigned twins_tried = 0; /* each a walk of the members: a few */
	for (size_t i = 0; i < sf->n_members && !sd_progress_cancelled(prog); i++) {
		size_t li;
		if (!bit_get(live, i))
			continue; /* not a photo, or an older copy */
		sf_member_get(sf, i, m);
		if (sf_name_dangerous(m->name)) {
			/* Mapeo would use the name as a path when it imports the photo */
			char *e = report_escape(m->name);
			add_dropped(
			    p, m->name,
			    xasprintf(_("photo %s: its name is not safe as a file name"), e));
			free(e);
			continue;
		}
		/* a header never patched over whole data keeps it: the photo's
		 * own check says whether it opens */
		if (m->truncated) {
			char *e = report_escape(m->name);
			add_dropped(p, m->name,
			            xasprintf(_("photo %s: it is cut short in the file"), e));
			free(e);
			continue;
		}
		bool is_damaged = smap_get(&damaged_media, m->name, strlen(m->name), &li);
		if (is_damaged) {
			/* by its bytes, not only its name: the twin of a photo stored
			 * under both 'original/ID' and 'original\ID' that opens is not
			 * the one that does not (the intact copy was left out) */
			const finding *df = fnd_at(&r->findings, li);
			if (df->offset >= 0 && ((uint64_t)df->offset < m->data_off ||
			                        (uint64_t)df->offset > m->data_off + m->size))
				is_damaged = false;
		}
		const char *why;
		uint64_t at;
		if (!is_damaged && sf->has_index && !m->in_index &&
		    !check_photo_opens(sf, m, prog, &why, &at))
			/* the index does not name it, so the check passed over it; the
			 * new index will, so the written file is checked with it */
			is_damaged = true;
		size_t twin;
		if (is_damaged && twins_tried < 64 && (twins_tried++, true) &&
		    intact_twin(sf, i, m->name, prog, &twin)) {
			/* the same photo stored twice ('original/ID' and 'original\ID'),
			 * the live copy damaged: the copy that opens is kept */
			bit_set(p->media_keep[0], twin);
			p->n_media++;
			continue;
		}
		if (is_damaged && (opt->salvage || opt->exclude_suspect)) {
			char *e = report_escape(m->name);
			add_dropped(p, m->name, xasprintf(_("photo %s: it will not open"), e));
			free(e);
			continue;
		}
		bit_set(p->media_keep[0], i);
		if (is_damaged)
			bit_set(p->media_damaged[0], i);
		p->n_media++;
	}
	free(live);
	smap_free(&damaged_media);
	for (size_t k = 0; k < n_damaged; k++)
		free(damaged[k]);
	free(damaged);
}

/* A member whose name is not safe as a path and that is no photo the plan
 * listed (plan_media()): a header renamed to control characters over a
 * photo the index still names. It is not copied: said, not lost silently
 * ("Nothing is left out" while the check said a rebuild drops it). */
static void plan_unsafe_names(rebuild_plan *p, const sd_report *r)
{
	for (size_t k = 0, nk = fnd_has(&r->findings, FND_DANGEROUS_NAME) ? fnd_n(&r->findings) : 0;
	     k < nk; k++) {
		const finding *f = fnd_at(&r->findings, k);
		if (f->id != FND_DANGEROUS_NAME || !f->member || f->inner)
			continue;
		bool listed = false;
		for (size_t d = 0; d < p->n_dropped && !listed; d++) {
			char *e = p->dropped_of[d] ? report_escape(p->dropped_of[d]) : NULL;
			listed = e && !strcmp(e, f->member);
			free(e);
		}
		if (!listed)
			add_dropped(
			    p, NULL,
			    xasprintf(_("the member %s (at byte %lld): its name is not safe "
			                "as a file name, so it is not copied"),
			              f->member, (long long)f->offset));
	}
}

/* A damaged header the walk could not trust and the index did not vouch
 * for: what followed it up to the next header is not copied; said, not lost
 * silently. */
static void plan_unread(rebuild_plan *p, const syncfile *sf, const sd_report *r)
{
	for (size_t k = 0,
	            nk = fnd_has(&r->findings, FND_BAD_HEADER_CHECKSUM) ? fnd_n(&r->findings) : 0;
	     k < nk; k++) {
		const finding *f = fnd_at(&r->findings, k);
		if (f->id != FND_BAD_HEADER_CHECKSUM || f->offset < 0 ||
		    (sf->index_remains && (uint64_t)f->offset >= sf->index_remains))
			continue; /* what is left of a lost index: written anew */
		bool read = false;
		sf_member m;
		for (size_t i = 0; i < sf->n_members && !read; i++) {
			sf_member_peek(sf, i, &m);
			read = m.header_off == (uint64_t)f->offset;
		}
		if (read)
			continue;
		/* (a header whose name field was zeroed names nothing) */
		char *e = f->member && *f->member ? report_escape(f->member) : NULL;
		add_dropped(p, f->member,
		            e ? xasprintf(_("%s (at byte %lld) and what follows it up to the next "
		                            "readable header: its tar header is damaged and the "
		                            "index does not vouch for it, so they cannot be read"),
		                          e, (long long)f->offset)
		              : xasprintf(_("the bytes from %lld to the next tar header: they "
		                            "are damaged and cannot be read"),
		                          (long long)f->offset));
		free(e);
	}
	/* bytes of the database no entry read (syncfile.h): never copied */
	for (size_t k = 0; k < sf->n_unread; k++) {
		unsigned long long at = sf->unread[k].at, end = sf->unread[k].end,
		                   n = sf->unread[k].end - sf->unread[k].at;
		add_dropped(
		    p, NULL,
		    xasprintf(P_("the database's %llu byte from byte %llu to %llu: it is in no tar "
		                 "entry that could be read (storage lost the headers of the files "
		                 "there), so it cannot be read back or verified",
		                 "the database's %llu bytes from byte %llu to %llu: they are in no "
		                 "tar entry that could be read (storage lost the headers of the "
		                 "files there), so they cannot be read back or verified",
		                 n),
		              n, at, end));
	}
}

/* The files of fd that alt takes from an earlier copy, named ("data",
 * "tree and data"...) into b. */
static void earlier_files(const sf_feed *fd, const sf_feed *alt, strbuf *b)
{
	const struct {
		const sf_range *a, *b;
		const char *name;
	} f[] = {{&fd->key, &alt->key, "key"},
	         {&fd->tree, &alt->tree, "tree"},
	         {&fd->signatures, &alt->signatures, "signatures"},
	         {&fd->bitfield, &alt->bitfield, "bitfield"},
	         {&fd->data, &alt->data, "data"}};
	for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
		if (f[k].a->off != f[k].b->off || f[k].a->size != f[k].b->size)
			sb_printf(b, "%s%s/%s", b->len ? ", " : "", fd->dir, f[k].name);
}

/* What a copy of feed pf (numbered feed) still has wrong and the rebuild
 * writes again: signatures that do not verify (cleared), a bitfield with
 * blocks past the end or fewer than the tree holds (Mapeo's sync stops: it
 * is written from what the copy keeps), damaged file headers. */
static void plan_mends(rebuild_feed *pf, int feed, bool sigs, bool bitfield, bool headers)
{
	if (sigs) {
		pf->clear_bad_sigs = true;
		add_line(&pf->changes, &pf->n_changes,
		         xasprintf(_("feed %d: signatures that do not verify are "
		                     "cleared; the ones that verify are kept"),
		                   feed));
	}
	if (bitfield) {
		pf->rewrite_bitfield = true;
		add_line(&pf->changes, &pf->n_changes,
		         xasprintf(_("feed %d: its damaged bitfield is written again from its tree "
		                     "and blocks"),
		                   feed));
	}
	if (headers)
		add_line(&pf->changes, &pf->n_changes,
		         xasprintf(_("feed %d: damaged or missing file headers are written "
		                     "again"),
		                   feed));
}

/* A feed whose files the database holds twice, the last copy (Mapeo's)
 * not verifying: when an earlier copy gives a better feed, pf copies it
 * (pf->alt, *alt_rf its check) and says so. */
static bool take_earlier_copy(rebuild_feed *pf, syncfile *sf, const sf_feed *fd,
                              const report_feed *rf, report_feed *alt_rf, const sd_progress *prog)
{
	findings found;
	fnd_init(&found);
	if (!check_earlier_copy(sf, fd, rf, &pf->alt, alt_rf, &found, prog)) {
		fnd_free(&found);
		return false;
	}
	/* Mapeo keeps the last copy of a file the database names twice; an
	 * earlier one that verifies is what the devices wrote */
	strbuf names = SB_INIT;
	earlier_files(fd, &pf->alt, &names);
	add_line(&pf->changes, &pf->n_changes,
	         xasprintf(_("feed %d: the database holds %s more than once, and the last "
	                     "copy, the one Mapeo reads, does not verify (%llu of %llu "
	                     "blocks); the earlier copy verifies %llu of %llu blocks and "
	                     "is the one copied"),
	                   rf->index, sb_str(&names), (unsigned long long)rf->verified,
	                   (unsigned long long)rf->length, (unsigned long long)alt_rf->verified,
	                   (unsigned long long)alt_rf->length));
	sb_free(&names);
	pf->earlier_copy = true;
	/* what the copy taken still has wrong, written again as for any feed
	 * (an earlier bitfield with a stray bit was copied as it was: found
	 * by fuzz_rebuild) */
	plan_mends(pf, rf->index, fnd_has(&found, FND_FEED_SIGNATURE_INVALID),
	           fnd_has(&found, FND_FEED_BITFIELD_DAMAGED),
	           fnd_has(&found, FND_FEED_HEADER_INVALID));
	fnd_free(&found);
	return true;
}

/* A feed whose key file is missing or not 32 bytes: no signature of it can
 * be checked, so nothing of it can be written for Mapeo (which ignores it,
 * and every feed after it, anyway). Its blocks are said to be left out,
 * never dropped silently, and only a salvage may leave them out. rf->length
 * blocks, or, when no tree or signatures tell its length, data_bytes bytes
 * of data: left out by a salvage, a reason for any other mode to refuse. */
static void plan_keyless(rebuild_plan *p, const report_feed *rf, uint64_t data_bytes,
                         const rebuild_options *opt)
{
	if (rf->length)
		add_dropped(p, NULL,
		            xasprintf(P_("feed %d, its %llu block: its key file is missing or "
		                         "damaged, so none of it can be verified",
		                         "feed %d, all its %llu blocks: its key file is missing or "
		                         "damaged, so none of it can be verified",
		                         rf->length),
		                      rf->index, (unsigned long long)rf->length));
	else
		add_dropped(
		    p, NULL,
		    xasprintf(
		        P_("feed %d, its %llu byte of data: its key file is missing or damaged, "
		           "and no tree or signatures are left to tell its blocks, so none of "
		           "it can be verified",
		           "feed %d, its %llu bytes of data: its key file is missing or "
		           "damaged, and no tree or signatures are left to tell its blocks, "
		           "so none of it can be verified",
		           data_bytes),
		        rf->index, (unsigned long long)data_bytes));
	if (opt->salvage)
		return;
	add_line(&p->unclean, &p->n_unclean,
	         xasprintf(_("feed %d has no key that can be read, so none of it can be "
	                     "verified, and this mode does not leave data out"),
	                   rf->index));
	p->needs_salvage = true;
}

/* Whether the report has a finding of code about feed number feed. */
static bool feed_has(const sd_report *r, fnd_code code, int feed)
{
	for (size_t k = 0, nk = fnd_has(&r->findings, code) ? fnd_n(&r->findings) : 0; k < nk; k++)
		if (fnd_at(&r->findings, k)->id == code && fnd_at(&r->findings, k)->feed == feed)
			return true;
	return false;
}

/* A feed with no tree or signatures left: its length reads 0, its data is
 * still there and nothing can verify it. It is written as an empty feed,
 * its key kept, and its data said with it, so that another source's copy
 * chosen instead drops the line (plan_merge()), never dropped unsaid; any
 * mode but a salvage refuses (assess()). */
static void data_unverified(rebuild_feed *pf)
{
	add_line(&pf->dropped, &pf->n_dropped,
	         xasprintf(P_("feed %d (%.7s), its %llu byte of data: no tree or "
	                      "signatures are left to tell its blocks, so none of it "
	                      "can be verified",
	                      "feed %d (%.7s), its %llu bytes of data: no tree or "
	                      "signatures are left to tell its blocks, so none of it "
	                      "can be verified",
	                      pf->data_bytes),
	                   pf->from, pf->key_hex, (unsigned long long)pf->data_bytes));
	pf->data_unverified = true;
	pf->data_bytes = 0;
}

/* What a salvage of pf (sv) keeps, into the plan's feed. */
static void take_salvage(rebuild_feed *pf, const salvage_result *sv)
{
	if (!sv->ok) {
		pf->keep = 0;
		pf->written_length = 0;
		pf->data_bytes = 0;
		return;
	}
	pf->keep = sv->keep;
	pf->written_length = sv->length;
	pf->data_bytes = sv->data_bytes;
	pf->from_lines = sv->lines;
	if (sv->mend.on)
		pf->sig_mend = sv->mend; /* written as the device made it */
	if (sv->recomputed)
		add_line(
		    &pf->changes, &pf->n_changes,
		    xasprintf(_("feed %d: damaged tree nodes are computed again from the intact "
		                "data"),
		              pf->from));
}

/* Feed i of the source's report, planned (p->feeds[p->n_feeds], numbered
 * in order) unless nothing of it can be verified. */
static void plan_feed(rebuild_plan *p, syncfile *sf, const sd_report *r, size_t src, size_t i,
                      const rebuild_options *opt, const sd_progress *prog)
{
	const report_feed *rf = &r->feeds[i];
	report_feed alt_rf;
	/* the report lists the feeds in the order of the feed table */
	const sf_feed *fd = i < sf->n_feeds ? &sf->feeds[i] : NULL;
	if (fd && !rf->key_hex[0] && sf->inner_cut) {
		/* the torn append cut it before its key: said, not lost silently */
		add_dropped(p, NULL,
		            xasprintf(_("feed %d: the file was cut before its key was "
		                        "written, so none of it can be verified"),
		                      rf->index));
		return;
	}
	if (!fd || !rf->key_hex[0]) {
		/* (with no tree or signatures its length is 0: its data is
		 * still there, and must not go unsaid) */
		uint64_t data = fd && fd->data.present ? fd->data.size : 0;
		if (fd && (rf->length || data))
			plan_keyless(p, rf, data, opt);
		return;
	}
	if (sf->inner_cut &&
	    (!fd->tree.present || !fd->signatures.present || !fd->bitfield.present)) {
		/* a torn append cut it before it was whole: nothing verifies.
		 * Named by its key, so plan_merge() drops the line when
		 * another source gives the feed. */
		add_dropped(p, rf->key_hex,
		            xasprintf(_("feed %d (%.7s): the file was cut before its tree and "
		                        "signatures were written, so none of it can be verified"),
		                      rf->index, rf->key_hex));
		return;
	}
	rebuild_feed *pf = &p->feeds[p->n_feeds];
	pf->src = src;
	pf->pos = i;
	if (!sf->inner_cut && take_earlier_copy(pf, sf, fd, rf, &alt_rf, prog)) {
		fd = &pf->alt;
		rf = &alt_rf;
	}
	pf->rescue_limit = rf->length;
	pf->from = rf->index;
	pf->sig_mend = rf->sig_mend;
	snprintf(pf->key_hex, sizeof pf->key_hex, "%s", rf->key_hex);
	pf->windows_twin = fd->backslash && i > 0 && sf->feeds[i - 1].index == fd->index;
	pf->verifies = !rf->checked || (rf->verified == rf->length && rf->present == rf->length &&
	                                (rf->length == 0 || rf->signed_len == (int64_t)rf->length));
	/* one salvage_feed() pass of a feed a plan asks twice (and, in an
	 * advice, of the two plans: rebuild_advise()) */
	salvage_result sv = {0};
	if (!pf->verifies) {
		/* A damaged file header or bitfield hides intact data from the
		 * check; the copy writes both again, so it verifies when every
		 * block hashes to the stored tree a signature covers whole. */
		feed_salvage(p, sf, fd, src, i, pf->key_hex, &sv);
		if (sv.ok && sv.length == rf->length && sv.keep == rf->length && !sv.recomputed)
			pf->verifies = pf->rewrite_bitfield = true;
	}
	pf->to = (int)p->n_feeds;
	pf->length = rf->length;
	pf->keep = rf->length;
	pf->written_length = rf->length;
	pf->data_bytes = fd->data.present ? fd->data.size : 0;
	if (!rf->length && pf->data_bytes)
		data_unverified(pf);
	/* a torn append that cut a feed's data: only a salvage gives
	 * Mapeo a feed it accepts, whatever the mode */
	bool torn = sf->inner_cut && rf->intact < rf->length;
	if ((opt->salvage || torn) && (rf->verified < rf->length || rf->present < rf->length)) {
		pf->salvaged = true;
		if (!sv.done)
			feed_salvage(p, sf, fd, src, i, pf->key_hex, &sv);
		take_salvage(pf, &sv);
	}
	if (pf->keep < pf->length)
		describe_cut(pf, sf, fd, pf->keep, pf->length, NULL);
	/* (the findings are about the copy Mapeo reads; an earlier copy's
	 * are take_earlier_copy()'s) */
	bool bad_sigs = pf->salvaged && sv.ok && sv.bad_sigs;
	/* (the one the salvage gave back is not cleared: said below) */
	bool guessed = pf->salvaged && sv.ok && sv.mend.on;
	if (!pf->earlier_copy)
		plan_mends(pf, pf->from,
		           bad_sigs ||
		               (!guessed && feed_has(r, FND_FEED_SIGNATURE_INVALID, rf->index)),
		           feed_has(r, FND_FEED_BITFIELD_DAMAGED, rf->index),
		           feed_has(r, FND_FEED_HEADER_INVALID, rf->index));
	else if (bad_sigs && !pf->clear_bad_sigs)
		plan_mends(pf, pf->from, true, false, false);
	if (pf->sig_mend.remade)
		add_line(
		    &pf->changes, &pf->n_changes,
		    xasprintf(_("feed %d: its signature for length %llu was damaged or missing; "
		                "it is written as the device made it, signed again with this "
		                "computer's secret key for the feed"),
		              pf->from, (unsigned long long)pf->length));
	else if (pf->sig_mend.on)
		add_line(&pf->changes, &pf->n_changes,
		         xasprintf(_("feed %d: its signature for length %llu had one damaged byte; "
		                     "it is written back as the device made it"),
		                   pf->from, (unsigned long long)pf->length));
	if (key_file_damaged(sf, fd, pf->key_hex))
		/* its key proved by its signature (the check found it) */
		add_line(&pf->changes, &pf->n_changes,
		         xasprintf(_("feed %d: its damaged key file is written again with the key "
		                     "its signature proves"),
		                   pf->from));
	p->n_feeds++;
}

/* The photos and feeds of one source, planned as if it were the only one
 * (feeds numbered from 0); plan_merge() then unites the sources. */
static void plan_source(rebuild_plan *p, const rb_source *source, size_t src,
                        const rebuild_options *opt, const sd_progress *prog)
{
	syncfile *sf = source->sf;
	const sd_report *r = source->r;
	if (source->db_only)
		; /* another database of a file: the view of the file says the rest */
	else if (sf->src.kind == SRC_DATABASE)
		; /* a database folder has no index or userdata to restore */
	else if (!sf->has_index || fnd_has(&r->findings, FND_MISSING_TRAILER) ||
	         fnd_has(&r->findings, FND_DAMAGED_INDEX) ||
	         fnd_has(&r->findings, FND_INDEX_DISAGREES))
		add_line(&p->changes, &p->n_changes,
		         xstrdup(_("a new index and trailer are written")));
	if (sf->src.kind != SRC_DATABASE && !source->db_only && (!sf->has_userdata || !sf->p2p_db))
		add_line(&p->changes, &p->n_changes,
		         xstrdup(_("the project (userdata) that was lost is written again")));
	if (sf->n_other_dbs)
		add_line(&p->changes, &p->n_changes,
		         xstrdup(_("the file holds more than one database and no index to say "
		                   "which one counts: each feed is taken from the database that "
		                   "holds its best verified copy, into one database")));

	if (!source->db_only) {
		plan_media(p, sf, r, opt, prog);
		plan_unsafe_names(p, r);
		plan_unread(p, sf, r);
	}
	p->db_whole = sf->inner_ok && !sf->inner_cut;
	if (sf->inner_cut)
		/* What followed the cut is not in the file, and nothing tells what
		 * it was (a feed after the cut leaves no trace): said, so a plan
		 * never says "Nothing is left out" over it. */
		add_dropped(
		    p, RB_DB_CUT,
		    sf->db && sf->size > sf->db->data_off
		        ? xasprintf(_("whatever the database held past its byte %llu, where "
		                      "the file ends: it was cut short or never finished, so "
		                      "that part is not in it and what it held cannot be "
		                      "told"),
		                    (unsigned long long)(sf->size - sf->db->data_off))
		        : xstrdup(_("whatever the database held past where it ends: it was "
		                    "cut short or never finished, so that part is not in it "
		                    "and what it held cannot be told")));
	if (fnd_has(&r->findings, FND_ATTACHMENT_UNINDEXED))
		add_line(&p->changes, &p->n_changes,
		         xstrdup(_("photos in the file that its index did not name are written "
		                   "into the new index, so Mapeo shows them; other dead space "
		                   "(older copies, orphaned data) is dropped")));
	else if (fnd_has(&r->findings, FND_DEAD_SPACE))
		add_line(&p->changes, &p->n_changes,
		         xstrdup(_("dead space (older copies, orphaned data) is dropped")));
	else if (sf->after_end)
		add_line(&p->changes, &p->n_changes,
		         xasprintf(P_("the %llu byte added after the file's end is dropped",
		                      "the %llu bytes added after the file's end are dropped",
		                      sf->after_end),
		                   (unsigned long long)sf->after_end));

	/* Feeds, renumbered without gaps. */
	p->has_db = sf->db != NULL && r->n_feeds > 0;
	p->feeds = xcalloc(r->n_feeds + 1, sizeof *p->feeds);
	for (size_t i = 0; i < r->n_feeds; i++)
		plan_feed(p, sf, r, src, i, opt, prog);
	if (opt->exclude_suspect)
		cut_suspect(p, sf, r);
	/* blocks Mapeo cannot read as entries, still kept */
	bool any = fnd_has(&r->findings, FND_ENTRY_NOT_JSON) ||
	           fnd_has(&r->findings, FND_ENTRY_NOT_OBJECT);
	for (size_t k = 0, nk = any ? fnd_n(&r->findings) : 0; k < nk; k++) {
		const finding *fn = fnd_at(&r->findings, k);
		if (!entry_unreadable(fn))
			continue;
		for (size_t f = 0; f < p->n_feeds; f++)
			if (p->feeds[f].from == fn->feed && !p->feeds[f].from_lines &&
			    (uint64_t)fn->block < p->feeds[f].keep)
				p->feeds[f].entry_bad = true;
	}
	bool secret = false;
	for (size_t i = 0; i < sf->n_feeds; i++)
		secret = secret || sf->feeds[i].has_secret_key || sf->feeds[i].has_localname;
	if (sf->src.kind == SRC_DATABASE && secret)
		add_line(&p->changes, &p->n_changes,
		         xstrdup(_("this computer's secret_key and localname stay in the database: "
		                   "they are never copied")));
	if (sf->hints.key_dir)
		add_line(
		    &p->changes, &p->n_changes,
		    xstrdup(_("the folder named after the project key is left out, so the file no "
		              "longer exposes the key")));
}

/* Add *line to v unless an equal line is there; *line is taken. */
static void move_line(char ***v, size_t *n, char **line)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], *line)) {
			free(*line);
			*line = NULL;
			return;
		}
	add_line(v, n, *line);
	*line = NULL;
}

static void free_feed_lines(rebuild_feed *f)
{
	for (size_t i = 0; i < f->n_changes; i++)
		free(f->changes[i]);
	for (size_t i = 0; i < f->n_dropped; i++)
		free(f->dropped[i]);
	free(f->changes), free(f->dropped);
	f->changes = f->dropped = NULL;
	f->n_changes = f->n_dropped = 0;
}

/* Is candidate c a better copy of a feed than the one chosen? One that
 * gives Mapeo a clean feed first, then the longer. */
static bool feed_better(const rebuild_feed *c, const rebuild_feed *chosen)
{
	bool cc = (c->salvaged || c->verifies) && !c->entry_bad,
	     ch = (chosen->salvaged || chosen->verifies) && !chosen->entry_bad;
	if (cc != ch)
		return cc;
	return c->written_length > chosen->written_length ||
	       (c->written_length == chosen->written_length && c->keep > chosen->keep);
}

/* Whether a source other than subs[k] read its database to its end and
 * holds every feed subs[k]'s cut database gave, at least as long: only
 * then may it hold what lay past the cut (a database of other devices,
 * or an older one, does not). */
static bool cut_covered(const rebuild_plan *subs, size_t n, size_t k)
{
	const rebuild_plan *s = &subs[k];
	for (size_t w = 0; w < n; w++) {
		if (w == k || !subs[w].db_whole)
			continue;
		bool all = true;
		for (size_t f = 0; f < s->n_feeds && all; f++) {
			bool has = false;
			for (size_t g = 0; g < subs[w].n_feeds && !has; g++) {
				const rebuild_feed *o = &subs[w].feeds[g];
				has = !memcmp(o->key_hex, s->feeds[f].key_hex, 64) &&
				      o->length >= s->feeds[f].length;
			}
			all = has;
		}
		if (all)
			return true;
	}
	return false;
}

/* The members of every view numbered one after the other (view k's
 * member i is off[k] + i): name_fn's ctx over the photos p keeps. */
typedef struct kept_media {
	const rebuild_plan *p;
	syncfile *const *sfs;
	size_t *off; /* n_media_views + 1 */
} kept_media;

static void kept_place(const kept_media *km, size_t k, size_t *view, size_t *i)
{
	size_t v = 0;
	while (k >= km->off[v + 1])
		v++;
	*view = v, *i = k - km->off[v];
}

static const char *kept_name(const void *ctx, size_t k, sf_member *m)
{
	const kept_media *km = ctx;
	size_t v, i;
	kept_place(km, k, &v, &i);
	if (!bit_get(km->p->media_keep[v], i))
		return NULL;
	sf_member_get(km->sfs[v], i, m);
	return m->name;
}

/* Photos of several sources united by name: each from the first source
 * where it opens (nk is over every photo kept before). */
static void merge_media(rebuild_plan *p, const kept_media *km, const name_keys *nk,
                        const sd_progress *prog)
{
	name_groups g = {0};
	size_t *best = NULL, cap = 0;
	sf_member m;
	for (size_t at = 0, end; at < nk->n && !sd_progress_cancelled(prog); at = end) {
		end = name_run(nk, at);
		for (size_t j = at; j < end && end > at + 1; j++) {
			size_t k = name_entry(nk, j), v, i, bv, bi;
			bool is_new;
			size_t id = group_of(&g, kept_name(km, k, &m), &is_new);
			SD_GROW(best, cap, g.n);
			if (is_new) {
				best[id] = k;
				continue;
			}
			kept_place(km, k, &v, &i);
			kept_place(km, best[id], &bv, &bi);
			if (bit_get(p->media_damaged[bv], bi) && !bit_get(p->media_damaged[v], i)) {
				best[id] = k; /* the one kept before goes */
				size_t from = p->view_input[v], before = p->view_input[bv];
				if (from != before) {
					char *e = report_escape(m.name),
					     *a = report_escape(p->inputs[from]),
					     *b = report_escape(p->inputs[before]);
					add_line(
					    &p->changes, &p->n_changes,
					    xasprintf(_("photo %s is taken from %s: the copy in %s "
					                "will not open"),
					              e, a, b));
					free(e), free(a), free(b);
				}
				v = bv, i = bi;
			}
			p->media_keep[v][i / 8] &= (uint8_t) ~(1u << i % 8);
			p->n_media--;
		}
		groups_clear(&g);
	}
	free(best);
	free(g.names);
}

/* Unite the sources' plans into p: feeds by key, photos by name. What the
 * sub-plans hold moves into p. (Interrupted: photos may be listed twice;
 * plan_sources() then says SD_ERR_CANCELLED.) */
static void plan_merge(rebuild_plan *p, rebuild_plan *subs, size_t n, syncfile *const *sfs,
                       const sd_progress *prog)
{
	smap by_key;
	smap_init(&by_key);
	size_t total_feeds = 0;
	for (size_t k = 0; k < n; k++)
		total_feeds += subs[k].n_feeds;
	p->feeds = xcalloc(total_feeds + 1, sizeof *p->feeds);
	p->n_media_views = n;
	p->media_keep = xcalloc(n + 1, sizeof *p->media_keep);
	p->media_damaged = xcalloc(n + 1, sizeof *p->media_damaged);
	kept_media km = {p, sfs, xcalloc(n + 2, sizeof *km.off)};
	bool photo_dropped = false;
	for (size_t k = 0; k < n; k++) {
		rebuild_plan *s = &subs[k];
		for (size_t i = 0; i < s->n_changes; i++)
			move_line(&p->changes, &p->n_changes, &s->changes[i]);
		for (size_t i = 0; i < s->n_unclean; i++)
			move_line(&p->unclean, &p->n_unclean, &s->unclean[i]);
		p->needs_salvage = p->needs_salvage || s->needs_salvage;
		for (size_t f = 0; f < s->n_feeds; f++) {
			rebuild_feed *c = &s->feeds[f];
			size_t at;
			if (!smap_get(&by_key, c->key_hex, 64, &at)) {
				at = p->n_feeds++;
			} else if (!feed_better(c, &p->feeds[at])) {
				continue;
			}
			free_feed_lines(&p->feeds[at]);
			p->feeds[at] = *c;
			/* the map keeps pointing at the key stored in p */
			smap_put(&by_key, p->feeds[at].key_hex, 64, at);
			c->changes = c->dropped = NULL;
			c->n_changes = c->n_dropped = 0;
		}
		if (s->n_media_views) { /* a sub-plan's photos are its own view's */
			p->media_keep[k] = s->media_keep[0], s->media_keep[0] = NULL;
			p->media_damaged[k] = s->media_damaged[0], s->media_damaged[0] = NULL;
		}
		km.off[k + 1] = km.off[k] + (p->media_keep[k] ? sfs[k]->n_members : 0);
		p->n_media += s->n_media;
		for (size_t i = 0; i < s->n_dropped; i++)
			photo_dropped =
			    photo_dropped || (s->dropped_of[i] && strchr(s->dropped_of[i], '/'));
	}
	/* one source lists each name once (plan_media() keeps its live copy);
	 * the names are read again only to unite sources, or to tell whether
	 * another keeps a photo left out (kept[]: one bit a dropped line) */
	size_t n_lines = 0;
	for (size_t k = 0; k < n; k++)
		n_lines += subs[k].n_dropped;
	uint8_t *kept = bits_new(n_lines);
	name_keys nk = {0};
	uint64_t parts = n > 1 || photo_dropped ? name_parts(p->n_media) : 0;
	for (uint64_t part = 0; part < parts && !sd_progress_cancelled(prog); part++) {
		name_keys_make(&nk, km.off[n], kept_name, &km, part, parts, prog);
		if (n > 1)
			merge_media(p, &km, &nk, prog);
		for (size_t k = 0, line = 0; k < n; k++)
			for (size_t i = 0; i < subs[k].n_dropped; i++, line++) {
				const char *of = subs[k].dropped_of[i];
				bool photo = of && strchr(of, '/');
				uint64_t h = photo ? name_hash(of) : 0;
				if (photo && name_part(&nk, h) == part &&
				    name_known(&nk, kept_name, &km, of, h))
					bit_set(kept, line);
			}
	}
	/* what a source left out that no other source gives (a cut database:
	 * another source's database read to its end that holds every feed
	 * read before the cut, as long, which may hold the rest) */
	for (size_t k = 0, line = 0; k < n; k++) {
		rebuild_plan *s = &subs[k];
		for (size_t i = 0; i < s->n_dropped; i++, line++) {
			size_t at;
			const char *of = s->dropped_of[i];
			if (of && strcmp(of, RB_DB_CUT) == 0) {
				if (cut_covered(subs, n, k))
					continue;
			} else if (bit_get(kept, line) ||
			           (of && strlen(of) == 64 && smap_get(&by_key, of, 64, &at)))
				continue;
			add_dropped(p, s->dropped_of[i], s->dropped[i]);
			s->dropped[i] = NULL;
		}
	}
	smap_free(&by_key);
	free(kept);
	free(nk.keys);
	free(km.off);
	/* numbered without gaps, in the order first seen */
	for (size_t f = 0; f < p->n_feeds; f++) {
		rebuild_feed *pf = &p->feeds[f];
		pf->to = (int)f;
		p->estimated_size +=
		    5 * TAR_BLOCK + pf->data_bytes + (uint64_t)pf->keep * 104 + HC_PAGE * 2;
	}
	rebuild_media_iter it = {0, 0};
	sf_member m;
	bool damaged;
	while (media_next(p, sfs, &it, &m, &damaged))
		p->estimated_size += TAR_BLOCK + tar_padded(m.size);
	p->estimated_size += 64 * 1024;
}

/* The lines that say where each feed goes, once they are numbered. */
static void plan_renumber_lines(rebuild_plan *p, syncfile *const *sfs)
{
	for (size_t f = 0; f < p->n_feeds; f++) {
		rebuild_feed *pf = &p->feeds[f];
		if (pf->rescue)
			continue;
		if (p->view_db[pf->src] >= 0) {
			char *e = report_escape(p->inputs[p->view_input[pf->src]]);
			add_line(
			    &pf->changes, &pf->n_changes,
			    xasprintf(_("feed %d (%.7s) is taken from the earlier database in %s "
			                "(osm-p2p-db.tar at byte %lld, feed %d there): the last "
			                "database lacks it, or holds a shorter or damaged copy"),
			              pf->to, pf->key_hex, e, (long long)p->view_db[pf->src],
			              pf->from));
			free(e);
		} else if (p->n_inputs > 1) {
			char *e = report_escape(p->inputs[p->view_input[pf->src]]);
			add_line(&pf->changes, &pf->n_changes,
			         xasprintf(_("feed %d is taken from %s (feed %d there)"), pf->to, e,
			                   pf->from));
			free(e);
		} else if (sfs[pf->src]->n_other_dbs && sfs[pf->src]->db) {
			add_line(&pf->changes, &pf->n_changes,
			         xasprintf(_("feed %d (%.7s) is taken from the last database "
			                     "(osm-p2p-db.tar at byte %llu, feed %d there)"),
			                   pf->to, pf->key_hex,
			                   (unsigned long long)sfs[pf->src]->db->header_off,
			                   pf->from));
		} else if (pf->windows_twin) {
			add_line(&pf->changes, &pf->n_changes,
			         xasprintf(_("the feed stored as %d with Windows names ('%d\\key') "
			                     "becomes feed %d: both feeds numbered %d are kept"),
			                   pf->from, pf->from, pf->to, pf->from));
		} else if (pf->from != pf->to) {
			add_line(&pf->changes, &pf->n_changes,
			         xasprintf(_("feed %d becomes feed %d, so Mapeo loads it"),
			                   pf->from, pf->to));
		}
	}
}

/* The plan when no source gives the database: what is missing, and where
 * the user may find it (n: the inputs; views of other databases after). */
static void plan_database_needed(rebuild_plan *p, const rb_source *src, size_t n)
{
	/* A file whose database was popped out holds only photos: Mapeo
	 * takes it and shows no observation. The folder it was left in
	 * makes the file whole. */
	bool popped = false, had_db = false, zeroed = false;
	for (size_t k = 0; k < n; k++) {
		bool missing = fnd_has(&src[k].r->findings, FND_DATABASE_MISSING);
		popped = popped || missing;
		/* its end never written: the database may have been there */
		zeroed = zeroed || (missing && src[k].sf->end_unwritten);
		had_db = had_db || src[k].sf->db != NULL;
	}
	/* feeds that held blocks, none of which is kept (no observation could
	 * be read, so plan_no_observations() cannot say it): the file would
	 * be photos only, and was written "verified" */
	bool held = false, kept = p->n_rescued > 0;
	for (size_t i = 0; i < p->n_feeds; i++) {
		held = held || p->feeds[i].length > 0;
		kept = kept || p->feeds[i].keep > 0 || p->feeds[i].rescue;
	}
	for (size_t k = 0; k < n; k++)
		kept = kept || src[k].n_heads > 0; /* then plan_no_observations() says it */
	if (!popped && (!p->n_feeds || (held && !kept))) {
		/* Cut before any feed was whole, or no structure left to read: a
		 * file without a database fails its own check
		 * (database-missing); the observations are in no source given. */
		add_line(&p->unclean, &p->n_unclean,
		         had_db ? xstrdup(_("no device's data in the database can be verified, "
		                            "so the file would hold photos and no observation; "
		                            "give another copy of the data (a leftover "
		                            "osm-p2p-syncfile folder 'syncdoctor env' lists, or "
		                            "the database of a device that has it)"))
		                : xstrdup(_("no database can be read from the sources (a file "
		                            "Mapeo did not write, or one whose structure is "
		                            "lost), so the file would hold no observation; give "
		                            "another copy of the data")));
		p->needs_database = true;
	} else if (popped && !p->has_db) {
		add_line(&p->unclean, &p->n_unclean,
		         zeroed ? xstrdup(_("no source holds the database (the observations): "
		                            "the file is only zeros where it would be, its end "
		                            "never written; copy the file again from where it "
		                            "came from, or give a folder that holds the database "
		                            "('syncdoctor env' lists leftover osm-p2p-syncfile "
		                            "folders)"))
		                : xstrdup(_("no source holds the database (the observations): "
		                            "it was taken out of the file and not put back; give "
		                            "the folder it was left in ('syncdoctor env' lists "
		                            "leftover osm-p2p-syncfile folders)")));
		p->needs_database = true;
	}
}

/* Whether the plan keeps a current observation of a source: the block of
 * its version is written (as the wizard counts them). The rescue's feed
 * is not counted: it is what --rescue adds. */
static bool plan_keeps_observations(const rebuild_plan *p, const rb_source *src, size_t nv)
{
	smap by_key;
	map_feeds(p, &by_key);
	bool kept = false;
	for (size_t k = 0; k < nv && !kept; k++)
		for (size_t f = 0; f < src[k].r->n_feeds && !kept; f++) {
			size_t at;
			const report_feed *rf = &src[k].r->feeds[f];
			kept = src[k].first_head && src[k].first_head[f] != UINT64_MAX &&
			       smap_get(&by_key, rf->key_hex, 64, &at) && !p->feeds[at].rescue &&
			       src[k].first_head[f] < p->feeds[at].keep;
		}
	smap_free(&by_key);
	return kept;
}

/* A file of photos and no observation, when the sources hold some: Mapeo
 * takes it and shows nothing, so it is not written (the wizard refuses it
 * as well). Names --rescue when the rescue gives observations back. */
static void plan_no_observations(rebuild_plan *p, const rb_source *src, size_t nv, syncfile **sfs,
                                 const rebuild_options *opt, const sd_progress *prog)
{
	bool heads = false;
	for (size_t k = 0; k < nv; k++)
		heads = heads || src[k].n_heads > 0;
	if (!heads || !p->has_db || p->n_rescued || plan_keeps_observations(p, src, nv))
		return;
	/* only counts: nothing is built. A salvage counted already
	 * (plan_sources()); an advice's plain plan needs no count (its salvage
	 * plan names the rescue) */
	if (!opt->salvage && !p->memo)
		plan_rescue(p, sfs, opt, prog);
	p->no_observations = true;
	p->needs_rescue = p->n_rescuable > 0;
	add_line(&p->unclean, &p->n_unclean,
	         p->needs_rescue
	             ? xstrdup(_("the file would keep photos and none of the observations, so "
	                         "Mapeo would show none; a rescue copies the entries that are "
	                         "still signed into a new feed"))
	             : xstrdup(_("the file would keep photos and none of the observations, so "
	                         "Mapeo would show none; give another copy of the data")));
}

/* Everything after the sources are open: each planned alone, united, cut,
 * offered the rescue, assessed (nv views, of which the first n are the
 * inputs). p's project is already decided. */
static sd_status plan_sources(rebuild_plan *p, rb_source *src, size_t nv, size_t n,
                              const rebuild_options *opt, const sd_progress *prog, sd_error *err)
{
	sd_status st = SD_OK;
	rebuild_plan *subs = xcalloc(nv + 1, sizeof *subs);
	for (size_t k = 0; k < nv; k++) {
		subs[k].memo = p->memo;
		plan_source(&subs[k], &src[k], k, opt, prog);
		p->has_db = p->has_db || (src[k].sf->db != NULL && subs[k].n_feeds > 0);
		if (fnd_has(&src[k].r->findings, FND_DEAD_SPACE))
			add_line(&subs[k].changes, &subs[k].n_changes,
			         xstrdup(_("dead space (older copies, orphaned data) is dropped")));
	}
	syncfile **sfs = xcalloc(nv + 1, sizeof *sfs);
	for (size_t k = 0; k < nv; k++)
		sfs[k] = src[k].sf;
	plan_merge(p, subs, nv, sfs, prog);
	for (size_t k = 0; k < nv; k++)
		rebuild_plan_free_members(&subs[k]);
	free(subs);
	if (opt->salvage || opt->exclude_suspect)
		cut_dangling(p, sfs);
	plan_renumber_lines(p, sfs);
	/* a salvage counts what a rescue gives back (an advice's too: it
	 * names --rescue then); a plain rebuild only when it would keep no
	 * observation (plan_no_observations()) */
	if (opt->salvage)
		plan_rescue(p, sfs, opt, prog);
	assess(p, sfs, opt);
	plan_database_needed(p, src, n);
	plan_no_observations(p, src, nv, sfs, opt, prog);
	if (sd_progress_cancelled(prog) || sess_interrupted)
		st = sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
	free(sfs);
	return st;
}

/* A leftover folder joined to a sync file (FILE --database DIR) must be
 * that file's: a folder says no project, so one of another sync file was
 * joined in silence, its observations merged into this project. Refused
 * when the folder's observations name photos and none is in the file, and
 * no feed is shared (check's leftover-temp-database says the same). */
static sd_status sources_belong(rb_source *src, size_t n, sd_error *err)
{
	for (size_t k = 0; k < n; k++) {
		if (src[k].sf->src.project != SRC_PROJECT_UNNAMED)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (j == k || src[j].sf->src.kind != SRC_SYNC_FILE || !src[j].sf->n_media)
				continue;
			sd_report *fr = src[j].r;
			check_photo_ids(fr, src[j].sf);
			if (!fr->n_photo_ids)
				continue;
			env_temp t;
			if (!env_temp_read(src[k].path, &t))
				continue;
			size_t refs = 0;
			size_t named = env_temp_photos(&t, (const char *const *)fr->photo_ids,
			                               fr->n_photo_ids, &refs);
			env_temp_free(&t);
			bool shared = false;
			for (size_t a = 0; a < src[k].r->n_feeds && !shared; a++)
				for (size_t b = 0; b < fr->n_feeds && !shared; b++)
					shared = src[k].r->feeds[a].key_hex[0] &&
					         !strcmp(src[k].r->feeds[a].key_hex,
					                 fr->feeds[b].key_hex);
			if (refs && !named && !shared)
				return sd_error_set(
				    err, SD_ERR_REFUSED,
				    P_("%s comes from another sync file: its observations name %zu "
				       "photo, not in %s, and they share no feed. It is not joined "
				       "to this file (its observations would move into this file's "
				       "project).",
				       "%s comes from another sync file: its observations name %zu "
				       "photos, none of them in %s, and they share no feed. It is "
				       "not "
				       "joined to this file (its observations would move into this "
				       "file's project).",
				       refs),
				    src[k].path, refs, src[j].path);
		}
	}
	return SD_OK;
}

sd_status rebuild_plan_make_multi(const char *const *inputs, size_t n, const rebuild_options *opt,
                                  const sd_progress *prog, rebuild_plan **out, sd_error *err)
{
	*out = NULL;
	rb_source *src = xcalloc(n + 1, sizeof *src);
	sd_status st = SD_OK;
	size_t opened = 0;
	/* the journal records the first input's fingerprint only */
	while (opened < n &&
	       (st = source_open(&src[opened], inputs[opened], opt->fingerprint && opened == 0,
	                         prog, err)) == SD_OK)
		src[opened].input = opened, opened++;
	/* A sync file without an index that holds more than one database:
	 * each other one is a source too, of feeds only (feeds by key, the
	 * best copy wins, in plan_merge()). */
	size_t nv = n;
	for (size_t k = 0; k < n && st == SD_OK; k++) {
		const syncfile *sf = src[k].sf;
		for (size_t d = 0; d < sf->n_other_dbs && st == SD_OK; d++) {
			src = xreallocarray(src, nv + 2, sizeof *src);
			src[nv] =
			    (rb_source){.input = k, .db_only = true, .db_at = sf->other_dbs[d]};
			if ((st = source_open(&src[nv], inputs[k], false, prog, err)) == SD_OK)
				opened = ++nv;
		}
	}
	rebuild_plan *p = xcalloc(1, sizeof *p);
	p->input = xstrdup(inputs[0]);
	p->inputs = xcalloc(n + 1, sizeof *p->inputs);
	for (size_t k = 0; k < n; k++)
		p->inputs[k] = xstrdup(inputs[k]);
	p->n_inputs = n;
	p->salvage = opt->salvage;
	p->front = opt->front;
	if (st == SD_OK)
		st = plan_project(p, src, n, opt, err);
	if (st == SD_OK)
		st = sources_belong(src, n, err);
	p->n_views = nv;
	p->view_input = xcalloc(nv + 1, sizeof *p->view_input);
	p->view_db = xcalloc(nv + 1, sizeof *p->view_db);
	for (size_t k = 0; k < nv; k++) {
		p->view_input[k] = k < opened ? src[k].input : k;
		p->view_db[k] = k < opened && src[k].db_only ? (int64_t)src[k].db_at : -1;
	}
	if (st == SD_OK)
		st = plan_sources(p, src, nv, n, opt, prog, err);
	if (st == SD_OK) {
		/* the write copies from these views: nothing is opened again */
		p->views = xcalloc(nv + 1, sizeof *p->views);
		for (size_t k = 0; k < nv; k++)
			p->views[k] = src[k].sf, src[k].sf = NULL;
	}
	for (size_t k = 0; k < opened; k++)
		source_close(&src[k]);
	free(src);
	if (st != SD_OK) {
		rebuild_plan_free(p);
		return st;
	}
	*out = p;
	return SD_OK;
}

sd_status rebuild_plan_make(const char *input, const rebuild_options *opt, const sd_progress *prog,
                            rebuild_plan **out, sd_error *err)
{
	return rebuild_plan_make_multi(&input, 1, opt, prog, out, err);
}

/* Whether plan p writes a file that keeps everything its sources hold:
 * it is not refused, leaves nothing out and cuts no feed. */
static bool plan_whole(const rebuild_plan *p)
{
	if (p->n_unclean || p->n_dropped || !p->has_db)
		return false;
	for (size_t f = 0; f < p->n_feeds; f++) {
		const rebuild_feed *pf = &p->feeds[f];
		if (pf->n_dropped || pf->keep < pf->length || pf->written_length < pf->length)
			return false;
	}
	return true;
}

/* One plan of an advice (salvage or not) from the open sources; *whole
 * says whether it keeps everything, *rescuable (a salvage's) how many
 * entries it leaves out that a rescue gives back. */
static sd_status advise_plan(rb_source *src, size_t nv, struct rb_memo *memo, bool salvage,
                             const sd_progress *prog, bool *whole, bool *rescue, bool *refused,
                             size_t *rescuable)
{
	rebuild_options opt = {.no_auto_config = true, .salvage = salvage};
	rebuild_plan *p = xcalloc(1, sizeof *p);
	p->input = xstrdup(src[0].path);
	p->inputs = xcalloc(2, sizeof *p->inputs);
	p->inputs[0] = xstrdup(src[0].path);
	p->n_inputs = 1;
	p->salvage = salvage;
	p->memo = memo;
	p->n_views = nv;
	p->view_input = xcalloc(nv + 1, sizeof *p->view_input);
	p->view_db = xcalloc(nv + 1, sizeof *p->view_db);
	for (size_t k = 0; k < nv; k++) {
		p->view_db[k] = src[k].db_only ? (int64_t)src[k].db_at : -1;
		src[k].sf->copy_scans = 0; /* each plan looks for earlier copies: its own budget */
	}
	sd_error err;
	sd_error_clear(&err);
	sd_status st = plan_sources(p, src, nv, 1, &opt, prog, &err);
	*whole = st == SD_OK && plan_whole(p);
	*rescue = st == SD_OK && p->needs_rescue;
	*rescuable = st == SD_OK ? p->n_rescuable : 0;
	/* (a refusal for a block that is not an entry is --exclude-suspect's:
	 * the advice of old names the salvage then) */
	*refused = st == SD_OK && (p->no_observations || p->needs_database);
	rebuild_plan_free(p); /* (views NULL: the sources stay open) */
	return st;
}

/* Does step 3 say something a plain rebuild would still show, so refuse
 * or leave out: an error, or a warning such as signatures cut short
 * (feed-unsigned) or a dangerous name? Not a limit past which nothing was
 * read (the advice of old says so), nor notes on what people wrote. Only
 * the findings are read: an intact file is not planned. */
static bool advice_due(const sd_report *r)
{
	for (size_t k = 0, n = fnd_n(&r->findings); k < n; k++) {
		const finding *f = fnd_at(&r->findings, k);
		if (rebuild_blocks_output(f) && f->id != FND_LIMIT_EXCEEDED)
			return true;
	}
	return false;
}

sd_status rebuild_advise(sd_report *r, syncfile *sf, const sd_progress *prog)
{
	r->advised = r->rebuild_whole = r->salvage_whole = r->rescue_only = false;
	r->salvage_refused = r->needs_config = false;
	r->rescue_more = 0;
	if (r->quick || !advice_due(r) || fnd_has(&r->findings, FND_INPUT_CHANGED) ||
	    (strcmp(r->era, "kappa-osm-v2") != 0 && strcmp(r->era, "unknown") != 0))
		return SD_OK;
	/* the check's view and report are the first source; another database
	 * a file without an index holds is read as the plan reads it */
	size_t nv = 1;
	rb_source *src = xcalloc(sf->n_other_dbs + 2, sizeof *src);
	src[0] = (rb_source){.path = r->file, .r = r, .sf = sf};
	source_heads(&src[0]);
	sd_error err;
	sd_status st = SD_OK;
	for (size_t d = 0; d < sf->n_other_dbs && st == SD_OK; d++) {
		src[nv] = (rb_source){.db_only = true, .db_at = sf->other_dbs[d]};
		if ((st = source_open(&src[nv], r->file, false, prog, &err)) == SD_OK)
			nv++;
	}
	struct rb_memo memo = {.n_views = nv};
	memo.by_view = xcalloc(nv + 1, sizeof *memo.by_view);
	memo.n = xcalloc(nv + 1, sizeof *memo.n);
	for (size_t k = 0; k < nv; k++) {
		memo.n[k] = src[k].sf->n_feeds;
		memo.by_view[k] = xcalloc(memo.n[k] + 1, sizeof **memo.by_view);
	}
	/* The salvage plan is a plan of its own (what it drops: photos that
	 * will not open, feeds without a key, what links to lost versions),
	 * so that the advice is exactly what a salvage does (correctness
	 * first). Only the feeds' salvage, the pass over a damaged feed's
	 * data, is the first plan's (memo). The rest reads again what a real
	 * salvage reads: cut_dangling() the kept entries' links (the check
	 * keeps no list of them), and the rescue's count of the entries the
	 * salvage leaves out that still hash to what was signed, to name
	 * --rescue when it gives some back (a read of what the salvage cut
	 * only). When the plain plan keeps everything, no salvage plan is made. */
	bool whole = false, salvage_whole = false, rescue = false, refused = false, unused[2];
	size_t rescuable = 0, none;
	if (st == SD_OK)
		st =
		    advise_plan(src, nv, &memo, false, prog, &whole, &unused[0], &unused[1], &none);
	if (st == SD_OK && !whole) {
		sd_test_point("advise"); /* (tests: Ctrl-C between the two plans) */
		st = advise_plan(src, nv, &memo, true, prog, &salvage_whole, &rescue, &refused,
		                 &rescuable);
	}
	if (st == SD_OK && sess_interrupted)
		st = SD_ERR_CANCELLED;
	memo_free(&memo);
	free(src[0].first_head);
	for (size_t k = 1; k < nv; k++)
		source_close(&src[k]);
	free(src);
	if (st == SD_ERR_CANCELLED)
		return st;
	if (st != SD_OK)
		return SD_OK; /* another database of the file could not be read: no advice */
	r->advised = true;
	/* a database cut short lost what came after the cut, which no plan
	 * sees (a cut right after an entry leaves every feed it holds whole):
	 * no rebuild keeps everything the file held */
	r->rebuild_whole = whole && !sf->inner_cut;
	r->salvage_whole = salvage_whole && !sf->inner_cut;
	r->rescue_only = rescue;
	r->salvage_refused = refused && !rescue;
	/* a salvage that keeps observations, and leaves out entries a rescue
	 * gives back (a feed signed only at its full length, a block of it
	 * damaged; a feed a sync downloaded in part) */
	r->rescue_more = !rescue && !refused && !salvage_whole ? rescuable : 0;
	/* a database folder names its project by the folder named after its
	 * discovery key; a file by its userdata */
	r->needs_config = sf->src.kind == SRC_DATABASE ? !sf->has_discovery_key : !sf->p2p_db;
	return SD_OK;
}

char **rebuild_plan_lines(const rebuild_plan *p, bool changes, size_t *n)
{
	size_t total = changes ? p->n_changes : p->n_dropped;
	for (size_t f = 0; f < p->n_feeds; f++)
		total += changes ? p->feeds[f].n_changes : p->feeds[f].n_dropped;
	char **v = xcalloc(total + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < (changes ? p->n_changes : p->n_dropped); i++)
		v[(*n)++] = changes ? p->changes[i] : p->dropped[i];
	for (size_t f = 0; f < p->n_feeds; f++) {
		const rebuild_feed *pf = &p->feeds[f];
		for (size_t i = 0; i < (changes ? pf->n_changes : pf->n_dropped); i++)
			v[(*n)++] = changes ? pf->changes[i] : pf->dropped[i];
	}
	return v;
}

/* lines may quote ids and names from the file: escaped */
static void put_lines(strbuf *out, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *e = report_escape(v[i]);
		sb_printf(out, "    - %s\n", e);
		free(e);
	}
}

void rebuild_plan_text(const rebuild_plan *p, strbuf *out)
{
	char *in = report_escape(p->input), *src = report_escape(p->project_source);
	sb_printf(out, _("Rebuild plan for %s\n"), in);
	for (size_t k = 1; k < p->n_inputs; k++) {
		char *e = report_escape(p->inputs[k]);
		sb_printf(out, _("  joined with %s\n"), e);
		free(e);
	}
	char form[16];
	keys_error_form(p->discovery_key, form);
	sb_printf(out, _("  Project: %s (Mapeo shows it as '%s'), taken from %s.\n"),
	          p->footer[0] ? p->footer : form, form, src);
	free(in), free(src);
	char *photos = xasprintf(P_("%zu photo file", "%zu photo files", p->n_media), p->n_media);
	char *feeds = xasprintf(P_("%zu feed", "%zu feeds", p->n_feeds), p->n_feeds);
	/* TRANSLATORS: "Keep: 5 photo files and 1 feed:" */
	sb_printf(out, _("  Keep: %s and %s:\n"), photos, feeds);
	free(photos), free(feeds);
	for (size_t i = 0; i < p->n_feeds; i++)
		if (p->feeds[i].rescue) /* its key is new at every run: not worth showing */
			sb_printf(out,
			          P_("    feed %d (new key): %llu entry rescued\n",
			             "    feed %d (new key): %llu entries rescued\n",
			             p->feeds[i].keep),
			          p->feeds[i].to, (unsigned long long)p->feeds[i].keep);
		else
			sb_printf(out,
			          P_("    feed %d (%.7s): %llu of %llu block\n",
			             "    feed %d (%.7s): %llu of %llu blocks\n",
			             p->feeds[i].length),
			          p->feeds[i].to, p->feeds[i].key_hex,
			          (unsigned long long)p->feeds[i].keep,
			          (unsigned long long)p->feeds[i].length);
	size_t n_changes = p->n_changes, n_dropped = p->n_dropped;
	for (size_t f = 0; f < p->n_feeds; f++)
		n_changes += p->feeds[f].n_changes, n_dropped += p->feeds[f].n_dropped;
	if (n_changes) {
		sb_printf(out, "%s\n", _("  Changes:"));
		put_lines(out, p->changes, p->n_changes);
		for (size_t f = 0; f < p->n_feeds; f++)
			put_lines(out, p->feeds[f].changes, p->feeds[f].n_changes);
	}
	if (n_dropped) {
		sb_printf(out, "%s\n", _("  Left out:"));
		put_lines(out, p->dropped, p->n_dropped);
		for (size_t f = 0; f < p->n_feeds; f++)
			put_lines(out, p->feeds[f].dropped, p->feeds[f].n_dropped);
	} else {
		sb_printf(out, "%s\n", _("  Nothing is left out."));
	}
	if (p->n_rescuable && !p->n_rescued && p->front == SD_FRONT_WIZARD)
		/* the wizard offers the rescue before it shows a plan */
		sb_printf(out,
		          P_("  Rescue: %zu entry left out still hashes to what its device "
		             "signed. You chose not to copy it into a new feed, so it is "
		             "left out; choose the repair again to be asked again.\n",
		             "  Rescue: %zu entries left out still hash to what their device "
		             "signed. You chose not to copy them into a new feed, so they are "
		             "left out; choose the repair again to be asked again.\n",
		             p->n_rescuable),
		          p->n_rescuable);
	else if (p->n_rescuable && !p->n_rescued)
		sb_printf(
		    out,
		    P_("  Rescue: %zu entry left out still hashes to what its device signed. "
		       "'--rescue' copies it into a new feed under a new key that syncdoctor "
		       "makes, so Mapeo receives it. What it costs: that observation gets a "
		       "new version, and when the device that made it syncs again it may "
		       "appear twice.\n",
		       "  Rescue: %zu entries left out still hash to what their device signed. "
		       "'--rescue' copies them into a new feed under a new key that syncdoctor "
		       "makes, so Mapeo receives them. What it costs: those observations get "
		       "new versions, and when the device that made them syncs again they may "
		       "appear twice.\n",
		       p->n_rescuable),
		    p->n_rescuable);
	if (p->n_unclean == 1 && p->no_observations) {
		sb_printf(out, "%s\n",
		          _("  The file this mode writes would hold no observation, so it is not "
		            "written:"));
	} else if (p->n_unclean) {
		sb_printf(
		    out, "%s\n",
		    _("  The file this mode writes would fail its own full check, so it is not "
		      "written:"));
	}
	if (p->n_unclean) {
		put_lines(out, p->unclean, p->n_unclean);
		const char *mode = rebuild_clean_mode(p);
		if (mode)
			sb_printf(out, _("  Rebuild with %s to get a file Mapeo accepts.\n"), mode);
	}
}

json_t *rebuild_plan_json(const rebuild_plan *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "input", report_json_str(p->input));
	json_t *ins = json_array();
	for (size_t k = 0; k < p->n_inputs; k++)
		json_array_append_new(ins, report_json_str(p->inputs[k]));
	json_object_set_new(o, "inputs", ins);
	json_object_set_new(o, "discovery_key",
	                    p->discovery_key[0] ? report_json_str(p->discovery_key) : json_null());
	json_object_set_new(o, "project_source", report_json_str(p->project_source));
	json_object_set_new(o, "changes_project", json_boolean(p->changes_project));
	json_t *feeds = json_array();
	for (size_t i = 0; i < p->n_feeds; i++) {
		json_t *f = json_object();
		json_object_set_new(f, "from", json_integer(p->feeds[i].from));
		json_object_set_new(f, "to", json_integer(p->feeds[i].to));
		json_object_set_new(f, "key", report_json_str(p->feeds[i].key_hex));
		json_object_set_new(f, "length", json_integer((json_int_t)p->feeds[i].length));
		json_object_set_new(f, "keep", json_integer((json_int_t)p->feeds[i].keep));
		/* where the copy comes from: the input, the database in it (an
		 * other one a file without an index holds), and whether an
		 * earlier copy of a file the database holds twice is taken */
		bool own = p->feeds[i].rescue;
		size_t v = p->feeds[i].src;
		json_object_set_new(f, "source",
		                    own ? json_null() : json_integer((json_int_t)p->view_input[v]));
		json_object_set_new(f, "database_offset",
		                    own || p->view_db[v] < 0 ? json_null()
		                                             : json_integer(p->view_db[v]));
		json_object_set_new(f, "earlier_copy", json_boolean(p->feeds[i].earlier_copy));
		json_array_append_new(feeds, f);
	}
	json_object_set_new(o, "feeds", feeds);
	json_object_set_new(o, "media", json_integer((json_int_t)p->n_media));
	json_t *d = json_array(), *c = json_array();
	for (size_t i = 0; i < p->n_dropped; i++)
		json_array_append_new(d, report_json_str(p->dropped[i]));
	for (size_t i = 0; i < p->n_changes; i++)
		json_array_append_new(c, report_json_str(p->changes[i]));
	for (size_t f = 0; f < p->n_feeds; f++) {
		for (size_t i = 0; i < p->feeds[f].n_dropped; i++)
			json_array_append_new(d, report_json_str(p->feeds[f].dropped[i]));
		for (size_t i = 0; i < p->feeds[f].n_changes; i++)
			json_array_append_new(c, report_json_str(p->feeds[f].changes[i]));
	}
	json_object_set_new(o, "dropped", d);
	json_object_set_new(o, "changes", c);
	json_t *u = json_array();
	for (size_t i = 0; i < p->n_unclean; i++)
		json_array_append_new(u, report_json_str(p->unclean[i]));
	json_object_set_new(o, "refused", u);
	json_object_set_new(o, "rescuable", json_integer((json_int_t)p->n_rescuable));
	json_object_set_new(o, "rescued", json_integer((json_int_t)p->n_rescued));
	const char *mode = rebuild_clean_mode(p);
	json_object_set_new(o, "clean_mode", mode ? report_json_str(mode) : json_null());
	return o;
}

/* ---- writing ---- */

/* A damaged header of a tree or signatures file is written again. */
static void fix_header(uint8_t *p, size_t len, uint8_t type, uint16_t entry, const char *algo)
{
	if (!p || len < 32 || hc_header_ok(p, len, type, entry, algo))
		return;
	hc_header_write(p, type, entry, algo);
}

bool rebuild_blocks_output(const finding *f)
{
	/* Notes on what people wrote (a wrong clock, a photo that did not
	 * travel) are not damage: Mapeo accepts them, and only
	 * --exclude-suspect leaves those observations out. */
	static const fnd_code content[] = {FND_DATE_EPOCH, FND_DATE_FUTURE, FND_DATE_MALFORMED,
	                                   FND_ATTACHMENT_MISSING};
	if (f->step != STEP_CORRUPTION || f->severity < SEV_WARNING)
		return false;
	for (size_t i = 0; i < sizeof content / sizeof content[0]; i++)
		if (f->id == content[i])
			return false;
	return true;
}

typedef struct verify_ctx {
	rebuild_plan *p;
	sd_output *o; /* its fingerprint, when taken (sdout_hash_start()) */
	bool fingerprint;
	const sd_progress *prog; /* only its cancel flag is used */
} verify_ctx;

/* The first input's fingerprint, which the plan's check left being taken
 * (check_options.fingerprint_later) so that its hashing ran beside the
 * plan and the write instead of before them: into p->input_fingerprint,
 * whatever the write's outcome (the journal records both). Stays "" when
 * the input changed meanwhile (the write refuses a changed input by
 * itself), could not be read to its end, or prog cancels (the file may be
 * written by then: the journal reads it again, or is not written). */
static void input_fingerprint_finish(rebuild_plan *p, const sd_progress *prog)
{
	syncfile *sf = p->n_views ? p->views[0] : NULL;
	if (sf && sf->in && sdin_hashing(sf->in))
		sdin_hash_finish(sf->in, prog, p->input_fingerprint, NULL);
}

/* The written file must read back as the plan says, before it gets the name. */
static sd_status verify_output(void *ud, const char *tmp, sd_error *err)
{
	rebuild_plan *p = ((verify_ctx *)ud)->p;
	static const fnd_code structural[] = {FND_NOT_A_SYNC_FILE,  FND_FILE_TOO_SMALL,
	                                      FND_TRUNCATED_FILE,   FND_MISSING_INDEX,
	                                      FND_DAMAGED_INDEX,    FND_INDEX_DISAGREES,
	                                      FND_MISSING_TRAILER,  FND_BAD_HEADER_CHECKSUM,
	                                      FND_UNPATCHED_HEADER, FND_INNER_TAR_DAMAGED,
	                                      FND_FEED_GAP,         FND_FEED_KEY_INVALID,
	                                      FND_USERDATA_MISSING, FND_DATABASE_MISSING,
	                                      FND_DANGEROUS_NAME,   FND_FEED_HEADER_INVALID,
	                                      FND_LIMIT_EXCEEDED};
	/* The full check (every hash and signature), without what says nothing
	 * about the file (this computer's Mapeo). The output's fingerprint
	 * is taken beside it, by the thread that reads the file back behind
	 * the writer (sdout_hash_start()). */
	check_options co = {.no_auto_config = true, .no_local_mapeo = true, .read_back = true};
	sd_report *r = NULL;
	sd_error cerr;
	/* Ctrl-C stops the read-back of a large output too; no progress is
	 * drawn for it (the write's own line stays the last one shown). */
	const sd_progress *wp = ((verify_ctx *)ud)->prog;
	sd_progress cancel_only = {.cancel = wp ? wp->cancel : NULL};
	sd_test_point("verify");
	sd_status cst = check_run(tmp, &co, &cancel_only, &r, &cerr);
	if (cst == SD_ERR_CANCELLED || sd_progress_cancelled(&cancel_only)) {
		report_free(r);
		return sd_error_set(err, SD_ERR_CANCELLED,
		                    _("interrupted while the rebuilt file was checked; it was not "
		                      "kept"));
	}
	if (cst != SD_OK || r->verdict == VERDICT_UNREADABLE) {
		report_free(r);
		return sd_error_set(err, SD_ERR_FORMAT,
		                    _("the rebuilt file could not be read back"));
	}
	const char *bad = NULL;
	for (size_t i = 0; i < sizeof structural / sizeof structural[0] && !bad; i++)
		if (fnd_has(&r->findings, structural[i]) &&
		    (structural[i] != FND_DATABASE_MISSING || p->has_db))
			bad = fnd_info(structural[i])->code;
	/* (a file of photos only, from sources that never held a database, has
	 * no database to miss) */
	/* "Verified" means every hash and signature: the full check of the
	 * output must show no problem in step 3. */
	for (size_t i = 0; i < fnd_n(&r->findings) && !bad; i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (rebuild_blocks_output(f) && (f->id != FND_DATABASE_MISSING || p->has_db))
			bad = f->code;
	}
	if (!bad && strcmp(r->has_discovery_key ? r->discovery_key : "", p->discovery_key) != 0)
		bad = "project";
	if (!bad && r->n_feeds != p->n_feeds)
		bad = "feeds";
	for (size_t i = 0; i < r->n_feeds && !bad; i++)
		if (r->feeds[i].length != p->feeds[i].written_length ||
		    r->feeds[i].present != p->feeds[i].keep ||
		    (p->salvage && r->feeds[i].verified != p->feeds[i].keep))
			bad = "feed length";
	if (!bad && r->media_members != p->n_media)
		bad = "media";
	report_free(r);
	if (bad)
		return sd_error_set(
		    err, SD_ERR_FORMAT,
		    _("the rebuilt file does not read back as planned (%s); it was not "
		      "kept"),
		    bad);
	/* a fingerprint that cannot be read back leaves it "" (the journal
	 * then reads the file itself), never the file unwritten */
	if (((verify_ctx *)ud)->fingerprint &&
	    sdout_hash_finish(((verify_ctx *)ud)->o, &cancel_only, p->output_fingerprint, &cerr) ==
	        SD_ERR_CANCELLED)
		return sd_error_set(err, SD_ERR_CANCELLED,
		                    _("interrupted while the rebuilt file was checked; it was not "
		                      "kept"));
	return SD_OK;
}

/* Refused before anything is written: a plan Mapeo would refuse, the
 * input as output or inside an input folder, too little room. */
static sd_status write_allowed(const rebuild_plan *p, const char *output, sd_error *err)
{
	if (p->n_unclean) {
		const char *mode = rebuild_clean_mode(p);
		return mode
		           ? sd_error_set(err, SD_ERR_REFUSED,
		                          _("%s was not written: Mapeo would refuse what this mode "
		                            "writes; rebuild with %s"),
		                          output, mode)
		           : sd_error_set(err, SD_ERR_REFUSED,
		                          _("%s was not written: Mapeo would refuse what this mode "
		                            "writes"),
		                          output);
	}
	/* an input (noted when its source was opened), or inside an input
	 * folder: io.h's one rule for every output */
	sd_error terr;
	if (io_check_target_for(output, true, p->front, &terr) == SD_ERR_USAGE) {
		if (err)
			*err = terr;
		return SD_ERR_USAGE;
	}
	uint64_t free_bytes;
	if (sd_free_space(output, &free_bytes) && free_bytes < p->estimated_size + (1u << 20))
		return sd_error_set(
		    err, SD_ERR_NOSPACE,
		    P_("%s: not enough free space (%llu byte free, about %llu needed)",
		       "%s: not enough free space (%llu bytes free, about %llu needed)",
		       free_bytes),
		    output, (unsigned long long)free_bytes, (unsigned long long)p->estimated_size);
	return SD_OK;
}

/* The photos, each from the live copy in its source. */
static sd_status write_media(const rebuild_plan *p, sfw *w, sd_output *o, const sd_progress *prog,
                             sd_error *err)
{
	sd_status st = SD_OK;
	rebuild_media_iter it = {0, 0};
	sf_member mb, *m = &mb;
	bool damaged;
	for (size_t i = 0; st == SD_OK && rebuild_media_next(p, &it, m, &damaged); i++) {
		syncfile *sf = p->views[it.view];
		range_ctx rc = {sf, m->data_off};
		st = sfw_add(w, m->name, m->size, read_range, &rc, err);
		sd_progress_report(prog, _("writing"), sdout_offset(o), p->estimated_size, i,
		                   p->n_media);
		if (sd_progress_cancelled(prog))
			st = sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
	}
	return st;
}

/* A feed's tree and signatures as written when they change (cut to a
 * length, bad signatures cleared): made as they are written, record by
 * record from the source or the salvage's computed tree, never whole in
 * memory (issue 21: 144 bytes a block). One per feed, shared by both. */
typedef struct feed_out {
	syncfile *sf;
	salvaged sv;
	stored_file th;
	feed_records *base; /* the tree the nodes come from: sv.tree or the stored one */
	uint64_t base_nodes;
	uint64_t length; /* a cut tree: its nodes of this length; else the stored tree */
	uint8_t tree_head[HC_HEADER], sigs_head[HC_HEADER];
	uint64_t sigs_off, sigs_stored; /* the stored signatures in sf */
	uint64_t sigs_size;             /* as written */
	bool clear_bad;                 /* slots that do not verify over base are zeros */
	uint8_t key[32];
	uint64_t mend_off; /* where pf->sig_mend's slot lies in the signatures */
	feed_sig_mend mend;
} feed_out;

/* The part of the mended slot that falls in buf, n bytes of the
 * signatures from offset at. */
static void sigs_mend(const feed_out *o, uint64_t at, uint8_t *buf, size_t n)
{
	if (!o->mend.on || o->mend_off >= at + n || o->mend_off + HC_SIG <= at)
		return;
	uint64_t from = o->mend_off > at ? o->mend_off : at,
	         to = o->mend_off + HC_SIG < at + n ? o->mend_off + HC_SIG : at + n;
	memcpy(buf + (from - at), o->mend.sig + (from - o->mend_off), (size_t)(to - from));
}

static void feed_out_free(feed_out *o)
{
	if (!o)
		return;
	salvaged_free(&o->sv);
	feed_records_free(o->th.r);
	free(o);
}

/* Node i of a tree cut to length: the stored node where it exists at that
 * length, zeros elsewhere. */
static void cut_node(feed_out *o, uint64_t i, uint8_t nd[HC_NODE])
{
	unsigned d = 0;
	for (uint64_t x = i; x & 1; x >>= 1)
		d++;
	uint64_t right = ((i >> (d + 1)) + 1) << d;
	if (!(right <= o->length && i < o->base_nodes && feed_records_get(o->base, i, nd)))
		memset(nd, 0, HC_NODE);
}

static sd_status read_cut_tree(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	feed_out *o = ctx;
	if (sess_interrupted)
		return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
	uint8_t *b = buf;
	for (size_t done = 0; done < len;) {
		uint64_t at = off + done;
		size_t n;
		if (at < HC_HEADER) {
			n = HC_HEADER - (size_t)at < len - done ? HC_HEADER - (size_t)at
			                                        : len - done;
			memcpy(b + done, o->tree_head + at, n);
		} else {
			uint64_t i = (at - HC_HEADER) / HC_NODE, in = (at - HC_HEADER) % HC_NODE;
			uint8_t nd[HC_NODE];
			cut_node(o, i, nd);
			n = HC_NODE - (size_t)in < len - done ? HC_NODE - (size_t)in : len - done;
			memcpy(b + done, nd + in, n);
		}
		done += n;
	}
	return SD_OK;
}

/* Signature slots that do not verify over the tree written are cleared:
 * hypercore reads an all-zero slot as "no signature here" and proves a
 * block with the next signature that does verify (a feed signed only at
 * its end has nothing else), where a bad one stops Mapeo's sync. The
 * signatures written: the stored bytes (zeros past their end), the header
 * mended, and with clear_bad such slots zeros. */
static sd_status read_sigs_out(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	feed_out *o = ctx;
	uint8_t *b = buf;
	if (sess_interrupted) /* (a slot left uncleared would be written) */
		return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
	uint64_t have = off < o->sigs_stored ? o->sigs_stored - off : 0;
	size_t n = have < len ? (size_t)have : len;
	memset(b + n, 0, len - n);
	if (n && sf_read(o->sf, o->sigs_off + off, b, n, err) != SD_OK)
		return err->status;
	for (uint64_t i = off; i < off + len && i < HC_HEADER; i++)
		b[i - off] = o->sigs_head[i];
	sigs_mend(o, off, b, len);
	if (!o->clear_bad || !o->base)
		return SD_OK; /* (no tree to try them over: the read-back says so) */
	/* every whole slot the range touches (a slot cut by the range is read
	 * again whole) */
	for (uint64_t k = off < HC_HEADER ? 0 : (off - HC_HEADER) / HC_SIG;
	     HC_HEADER + k * HC_SIG < off + len && HC_HEADER + (k + 1) * HC_SIG <= o->sigs_size;
	     k++) {
		if (sess_interrupted)
			return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
		uint64_t at = HC_HEADER + k * HC_SIG;
		uint8_t slot[HC_SIG] = {0}, th[32];
		if (at >= off && at + HC_SIG <= off + len) {
			memcpy(slot, b + (at - off), HC_SIG);
		} else {
			uint64_t sn = at < o->sigs_stored ? o->sigs_stored - at : 0;
			if (sn && sf_read(o->sf, o->sigs_off + at, slot,
			                  sn < HC_SIG ? (size_t)sn : HC_SIG, err) != SD_OK)
				return err->status;
			sigs_mend(o, at, slot, HC_SIG);
		}
		if (sig_blank(slot) || (feed_records_tree_hash(o->base, k + 1, th) &&
		                        crypto_sign_verify_detached(slot, th, 32, o->key) == 0))
			continue;
		uint64_t from = at > off ? at : off,
		         to = at + HC_SIG < off + len ? at + HC_SIG : off + len;
		memset(b + (from - off), 0, (size_t)(to - from));
	}
	return SD_OK;
}

/* The bitfield of a tree cut to o->length (data_blocks blocks of data): its
 * data bits mark those blocks (the rest stay holes), its tree bits the nodes
 * present. Small: half a byte a block. */
static bool cut_node_of(void *ctx, uint64_t i, uint8_t out[HC_NODE])
{
	cut_node(ctx, i, out);
	return true;
}

static uint8_t *cut_bitfield(feed_out *o, uint64_t data_blocks, size_t *b_len)
{
	return hc_bitfield_build(o->length, data_blocks, cut_node_of, o, b_len);
}

/* One of a feed's five files in the output: held in memory (buf), made as
 * it is written (make, from out), or copied from a source file (sf at off),
 * its 32-byte header mended on the way when mend_head says so. */
typedef struct feed_file {
	uint8_t *buf;
	uint64_t size;
	feed_read_fn make;
	feed_out *out; /* make's context; owned by the signatures file (k == 2) */
	syncfile *sf;
	uint64_t off;
	bool mend_head;
	uint8_t head[32];
} feed_file;

static sd_status read_feed_file(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	const feed_file *f = ctx;
	sd_status st = sf_read(f->sf, f->off + off, buf, len, err);
	if (st == SD_OK && f->mend_head && off < sizeof f->head)
		memcpy(buf, f->head + off,
		       len < sizeof f->head - off ? len : sizeof f->head - (size_t)off);
	return st;
}

/* A tree or signatures file copied as it is: streamed from the source with
 * its header mended, never loaded. These two grow by 144 bytes a block, so a
 * feed of a million observations would otherwise hold 140 MiB (and one past
 * SMALL_LIMIT would be lost). */
static void copy_as_is(feed_file *f, syncfile *sf, const sf_range *r, uint8_t type, uint16_t entry,
                       const char *algo)
{
	if (r->size < HC_HEADER) {
		/* shorter than its header (its tar size damaged, or cut): it
		 * holds no record, and neither Mapeo nor the output's check
		 * reads a header cut short (found by fuzz_rebuild) */
		f->buf = xcalloc(1, HC_HEADER);
		hc_header_write(f->buf, type, entry, algo);
		f->size = HC_HEADER;
		return;
	}
	f->sf = sf;
	f->off = r->off;
	f->size = r->size;
	if (r->size >= sizeof f->head &&
	    sf_read(sf, r->off, f->head, sizeof f->head, NULL) == SD_OK &&
	    !hc_header_ok(f->head, sizeof f->head, type, entry, algo)) {
		hc_header_write(f->head, type, entry, algo);
		f->mend_head = true;
	}
}

/* The five files of feed pf (key, tree, signatures, bitfield, data) into
 * out[0..4], cut or repaired as planned; a file absent from the output has
 * neither buf nor sf. */
static void feed_files(const rebuild_plan *p, const rebuild_feed *pf, feed_file out[5])
{
	memset(out, 0, 5 * sizeof *out);
	if (pf->rescue) {
		/* the new feed of --rescue, made whole in the plan */
		for (int k = 0; k < 5; k++) {
			out[k].buf = xmalloc(p->rescue_sizes[k] + 1);
			memcpy(out[k].buf, p->rescue_files[k], p->rescue_sizes[k]);
			out[k].size = p->rescue_sizes[k];
		}
		return;
	}
	syncfile *sf = p->views[pf->src];
	const sf_feed *fd = find_feed(sf, pf);
	size_t kl, tl = 0, sl = 0, bl;
	uint8_t *key = load_key(sf, fd, pf->key_hex, &kl), *bf = load(sf, &fd->bitfield, &bl);
	bool cut =
	    pf->salvaged || pf->rewrite_bitfield || !hc_header_ok(bf, bl, HC_TYPE_BITFIELD, 0, "");
	out[4].sf = sf, out[4].off = fd->data.off;
	out[4].size = pf->keep ? pf->data_bytes : 0;
	if (bf && !cut && !pf->clear_bad_sigs && !pf->sig_mend.on && fd->tree.present &&
	    fd->signatures.present) {
		out[0].buf = key, out[0].size = kl;
		copy_as_is(&out[1], sf, &fd->tree, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE);
		copy_as_is(&out[2], sf, &fd->signatures, HC_TYPE_SIGNATURES, HC_SIG,
		           HC_ALGO_SIGNATURES);
		out[3].buf = bf, out[3].size = bl;
		return;
	}
	stored_file th, sh;
	feed_records *tree = open_stored(&th, sf, &fd->tree, HC_NODE),
	             *sigs = open_stored(&sh, sf, &fd->signatures, HC_SIG);
	out[0].buf = key, out[0].size = kl;
	if (pf->written_length == 0 && (!tree || !sigs || !bf)) {
		/* a feed without blocks whose header files are lost: write
		 * them as hypercore leaves an empty feed */
		fwb *e = fwb_new();
		free(bf);
		out[1].buf = fwb_tree(e, &tl);
		out[2].buf = fwb_signatures(e, NULL, &sl);
		out[3].buf = fwb_bitfield(e, &bl);
		out[1].size = tl, out[2].size = sl, out[3].size = bl;
		fwb_free(e);
		feed_records_free(tree), feed_records_free(sigs);
		return;
	}
	bool has_tree = tree != NULL, has_sigs = sigs != NULL;
	feed_records_free(tree), feed_records_free(sigs);
	/* (a salvage computes a tree the source lost: salvage_feed()) */
	bool cut_both = cut && has_sigs && (has_tree || pf->salvaged);
	bool clear = pf->clear_bad_sigs && key && kl == 32 && has_sigs && (has_tree || cut_both);
	/* the tree, unless cut: as it is, its header mended */
	if (has_tree && !cut_both)
		copy_as_is(&out[1], sf, &fd->tree, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE);
	out[3].buf = bf, out[3].size = bl;
	if (!cut_both && !clear && !pf->sig_mend.on) {
		if (has_sigs)
			copy_as_is(&out[2], sf, &fd->signatures, HC_TYPE_SIGNATURES, HC_SIG,
			           HC_ALGO_SIGNATURES);
		return;
	}
	/* the signatures (and a cut tree) made as they are written, from a
	 * context that outlives this frame */
	feed_out *o = xcalloc(1, sizeof *o);
	o->sf = sf;
	o->base = open_stored(&o->th, sf, &fd->tree, HC_NODE);
	o->base_nodes = o->base ? feed_records_count(o->base) : 0;
	o->sigs_off = fd->signatures.off;
	o->sigs_stored = o->sigs_size = fd->signatures.size;
	o->length = UINT64_MAX;
	if (o->base)
		memcpy(o->tree_head, feed_records_head(o->base), HC_HEADER);
	if (sf_read(sf, fd->signatures.off, o->sigs_head,
	            o->sigs_stored < HC_HEADER ? (size_t)o->sigs_stored : HC_HEADER, NULL) != SD_OK)
		memset(o->sigs_head, 0, HC_HEADER);
	o->clear_bad = clear;
	if (clear)
		memcpy(o->key, key, 32);
	if (pf->sig_mend.on && pf->length) {
		/* (a slot made again may lie past a signatures file cut short:
		 * the file grows to it, and what is left of a slot the cut
		 * went through is zeros, no signature, as past the end) */
		o->mend = pf->sig_mend;
		o->mend_off = HC_HEADER + (pf->length - 1) * HC_SIG;
		if (o->sigs_size < o->mend_off + HC_SIG) {
			o->sigs_size = o->mend_off + HC_SIG;
			if (o->sigs_stored > HC_HEADER)
				o->sigs_stored -= (o->sigs_stored - HC_HEADER) % HC_SIG;
		}
	}
	if (cut_both) {
		/* the repaired tree when damaged nodes were rebuilt, cut to
		 * the planned length; a bitfield with a damaged header is
		 * made again from the plan */
		if (salvage_feed(sf, fd, pf->key_hex, &o->sv) &&
		    o->sv.length >= pf->written_length) {
			o->base = o->sv.tree;
			o->base_nodes = o->sv.tree_nodes;
		}
		o->length = pf->written_length;
		uint64_t nodes = o->length ? 2 * o->length - 1 : 0;
		fix_header(o->tree_head, HC_HEADER, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE);
		out[1].make = read_cut_tree, out[1].out = o, out[1].size = 32 + nodes * HC_NODE;
		o->sigs_size = 32 + o->length * HC_SIG;
		free(bf);
		out[3].buf = cut_bitfield(o, pf->keep, &bl), out[3].size = bl;
	}
	/* (a signatures file shorter than its header is written as one: the
	 * header cut short would not read back) */
	if (o->sigs_size < HC_HEADER)
		o->sigs_size = HC_HEADER;
	fix_header(o->sigs_head, HC_HEADER, HC_TYPE_SIGNATURES, HC_SIG, HC_ALGO_SIGNATURES);
	out[2].make = read_sigs_out, out[2].out = o, out[2].size = o->sigs_size;
}

/* Whether file k (0..4) of a feed is in the output: the data when it has
 * bytes, the others when they exist. */
static bool feed_file_present(const feed_file *f, size_t k)
{
	return k == 4 ? f->size > 0 : f->buf != NULL || f->sf != NULL || f->make != NULL;
}

/* The database: every feed's files prepared first, then its size declared
 * and the files written. */
static sd_status write_database(const rebuild_plan *p, sfw *w, sd_error *err)
{
	size_t n = p->n_feeds, count = 0;
	feed_file *files = xcalloc(n * 5 + 1, sizeof *files);
	for (size_t f = 0; f < n; f++)
		feed_files(p, &p->feeds[f], files + f * 5);
	/* the entries present, in order: key, tree, signatures, bitfield, data */
	uint64_t *present = xcalloc(n * 5 + 1, sizeof *present);
	for (size_t i = 0; i < n * 5; i++)
		if (feed_file_present(&files[i], i % 5))
			present[count++] = files[i].size;
	static const char *const names[] = {"key", "tree", "signatures", "bitfield", "data"};
	sd_status st = sfw_db_begin(w, sfw_inner_size(present, count), err);
	for (size_t i = 0; i < n * 5 && st == SD_OK; i++) {
		if (!feed_file_present(&files[i], i % 5))
			continue;
		char name[64];
		snprintf(name, sizeof name, "%d/%s", p->feeds[i / 5].to, names[i % 5]);
		if (files[i].buf)
			st = sfw_db_add_buf(w, name, files[i].buf, (size_t)files[i].size, err);
		else if (files[i].make)
			st = sfw_db_add(w, name, files[i].size, files[i].make, files[i].out, err);
		else
			st = sfw_db_add(w, name, files[i].size, read_feed_file, &files[i], err);
	}
	if (st == SD_OK)
		st = sfw_db_end(w, err);
	for (size_t i = 0; i < n * 5; i++) {
		free(files[i].buf);
		if (i % 5 == 2)
			feed_out_free(files[i].out);
	}
	free(files), free(present);
	return st;
}

sd_status rebuild_write(rebuild_plan *p, const char *output, const rebuild_options *opt,
                        const sd_progress *prog, sd_error *err)
{
	p->output_fingerprint[0] = '\0';
	sd_status st = write_allowed(p, output, err);
	if (st != SD_OK) {
		input_fingerprint_finish(p, prog);
		return st;
	}
	/* The sources are the plan's own open views (rebuild_plan.views): each
	 * input is opened and parsed once for the whole rebuild. */
	size_t n_src = p->n_views;
	sd_output *o = NULL;
	st = sdout_open_for(output, opt->force, opt->front, &o, err);
	if (st == SD_OK && opt->fingerprint)
		sdout_hash_start(o);
	sfw *w = st == SD_OK ? sfw_begin(o, (int64_t)time(NULL)) : NULL;
	if (st == SD_OK)
		st = write_media(p, w, o, prog, err);
	if (st == SD_OK && p->has_db)
		st = write_database(p, w, err);
	/* what was copied is what the plan checked: a sync file, or every file
	 * of a database folder (Mapeo may be running) */
	for (size_t k = 0; k < n_src && st == SD_OK; k++)
		if (src_check_unchanged(p->views[k], err) != SD_OK)
			st = err->status;
	/* the sources' names are copied: their memory goes to the output's
	 * check (one budget: syncfile.c) */
	for (size_t k = 0; k < n_src; k++)
		sf_forget_names(p->views[k]);
	if (st == SD_OK) {
		/* the photos left out, by name (a feed's key has no slash) */
		for (size_t i = 0; i < p->n_dropped; i++)
			if (p->dropped_of[i] && strchr(p->dropped_of[i], '/'))
				sfw_note_left_out(w, p->dropped_of[i]);
		st = sfw_finish(w, "kappa-osm", p->discovery_key[0] ? p->discovery_key : NULL, err);
		w = NULL;
	}
	if (st == SD_OK) {
		verify_ctx vc = {p, o, opt->fingerprint, prog};
		st = sdout_commit(o, verify_output, &vc, err);
	} else {
		sfw_abort(w);
		sdout_abort(o);
	}
	if (st != SD_ERR_CANCELLED)
		input_fingerprint_finish(p, prog);
	return st;
}
