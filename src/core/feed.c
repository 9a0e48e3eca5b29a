#include "config.h"

#include "feed.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypercore.h"
#include "i18n.h"
#include "keys.h"
#include "xalloc.h"

#define MAX_REPORTED 5 /* per feed and kind; then one summary */

static unsigned depth_of(uint64_t i)
{
	unsigned d = 0;
	while (i & 1)
		i >>= 1, d++;
	return d;
}

size_t feed_full_roots(uint64_t len, uint64_t *roots)
{
	size_t n = 0;
	uint64_t b = 0;
	for (int j = 63; j >= 0; j--) {
		uint64_t chunk = (uint64_t)1 << j;
		if (len & chunk) {
			roots[n++] = 2 * b + chunk - 1;
			b += chunk;
		}
	}
	return n;
}

/* Node i of the tree file, or NULL when absent (all zero) or beyond it. */
static const uint8_t *node(const uint8_t *tree, size_t tree_len, uint64_t i)
{
	if (tree_len < HC_HEADER || i >= (tree_len - HC_HEADER) / HC_NODE)
		return NULL;
	const uint8_t *p = tree + HC_HEADER + i * HC_NODE;
	for (int k = 0; k < HC_NODE; k++)
		if (p[k])
			return p;
	return NULL;
}

/* Tree hash for length len with node `over` replaced by repl (40 bytes). */
static bool tree_hash_over(const uint8_t *tree, size_t tree_len, uint64_t len, uint64_t over,
                           const uint8_t *repl, uint8_t out[32])
{
	uint64_t roots[64];
	size_t n = feed_full_roots(len, roots);
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	uint8_t t = 2;
	crypto_generichash_update(&st, &t, 1);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *nd = roots[i] == over ? repl : node(tree, tree_len, roots[i]);
		if (!nd)
			return false;
		uint8_t buf[48];
		memcpy(buf, nd, 32);
		hc_put_be64(buf + 32, roots[i]);
		memcpy(buf + 40, nd + 32, 8);
		crypto_generichash_update(&st, buf, sizeof buf);
	}
	crypto_generichash_final(&st, out, 32);
	return true;
}

bool feed_tree_hash(const uint8_t *tree, size_t tree_len, uint64_t len, uint8_t out[32])
{
	return tree_hash_over(tree, tree_len, len, UINT64_MAX, NULL, out);
}

static bool bit(const uint8_t *bf, size_t bf_len, size_t page_size, unsigned part_off,
                unsigned part_bits, uint64_t i)
{
	if (!bf || bf_len < HC_HEADER || !page_size)
		return false;
	uint64_t page = i / part_bits, in = i % part_bits;
	uint64_t byte = HC_HEADER + page * page_size + part_off + in / 8;
	if (byte >= bf_len)
		return false;
	return (bf[byte] & (0x80 >> (in & 7))) != 0;
}

static finding *feed_finding(findings *fl, fnd_code code, int index, const char *dir,
                             const char *file, int64_t block, const char *fmt, ...) SD_PRINTF(7, 8);

static finding *feed_finding(findings *fl, fnd_code code, int index, const char *dir,
                             const char *file, int64_t block, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	finding *f = fnd_add(fl, code, "%s", msg);
	free(msg);
	f->feed = index;
	f->block = block;
	if (file) {
		char inner[96];
		snprintf(inner, sizeof inner, "%s/%s", dir, file);
		fnd_set_inner(f, inner);
	}
	return f;
}

/* Byte offset of block k in the data file, from the sizes of the roots of
 * length k (as hypercore does); false when a needed node is absent. */
static bool block_offset(const uint8_t *tree, size_t tree_len, uint64_t k, uint64_t *off)
{
	uint64_t roots[64];
	size_t n = feed_full_roots(k, roots);
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *nd = node(tree, tree_len, roots[i]);
		if (!nd)
			return false;
		sum += hc_be64(nd + 32);
	}
	*off = sum;
	return true;
}

static bool is_root_of(uint64_t i, uint64_t len)
{
	uint64_t roots[64];
	size_t n = feed_full_roots(len, roots);
	for (size_t k = 0; k < n; k++)
		if (roots[k] == i)
			return true;
	return false;
}

/* Does repl, put in place of stored node i, fit what is above it? 1: it
 * hashes with its stored sibling to the stored parent, or (a root) a
 * signature verifies over it; 0: what is above disagrees with it; -1:
 * nothing above to tell. Used to tell a damaged tree node over intact data
 * from damaged data under an intact node. */
static int fits_above(const feed_source *src, const uint8_t *tree, size_t tree_len, uint64_t len,
                      uint64_t i, const uint8_t *repl, bool key_ok)
{
	unsigned d = depth_of(i);
	uint64_t o = i >> (d + 1);
	uint64_t sib = (((o ^ 1) * 2 + 1) << d) - 1, par = (((o >> 1) * 2 + 1) << (d + 1)) - 1;
	const uint8_t *ps = node(tree, tree_len, par), *ss = node(tree, tree_len, sib);
	if (ps && ss && ((o >> 1) * 2 + 2) << (d + 1) <= 2 * len) {
		uint8_t h[32];
		hc_parent_hash(o & 1 ? ss : repl, o & 1 ? repl : ss, h);
		return memcmp(h, ps, 32) == 0 ? 1 : 0;
	}
	if (!key_ok || !src->has_signatures || src->signatures_len < HC_HEADER)
		return -1;
	int verdict = -1;
	uint64_t slots = (src->signatures_len - HC_HEADER) / HC_SIG;
	for (uint64_t s = 1; s <= slots && s <= len; s++) {
		const uint8_t *sig = src->signatures + HC_HEADER + (s - 1) * HC_SIG;
		bool blank = true;
		for (int b = 0; b < HC_SIG && blank; b++)
			blank = sig[b] == 0;
		if (blank || !is_root_of(i, s))
			continue;
		uint8_t th[32];
		if (!tree_hash_over(tree, tree_len, s, i, repl, th))
			continue;
		if (crypto_sign_verify_detached(sig, th, 32, src->key) == 0)
			return 1;
		verdict = 0;
	}
	return verdict;
}

/* Record a damaged node's recomputed value in the patched tree (a copy of
 * the stored one, made on the first damaged node). */
static void patch_node(uint8_t **patched, const uint8_t *tree, size_t tree_len, uint64_t i,
                       const uint8_t *repl)
{
	if (!*patched) {
		*patched = xmalloc(tree_len);
		memcpy(*patched, tree, tree_len);
	}
	memcpy(*patched + HC_HEADER + i * HC_NODE, repl, HC_NODE);
}

sd_status feed_verify(const feed_source *src, int index, feed_result *res, findings *fl,
                      feed_block_fn cb, void *ud, const sd_progress *prog, sd_error *err)
{
	memset(res, 0, sizeof *res);
	res->signed_len = -1;
	if (sodium_init() < 0)
		sd_fatal(_("libsodium could not be initialised"));
	const char *dir = src->dir ? src->dir : "?";

	bool key_ok = src->key && src->key_len == 32;
	if (key_ok)
		keys_hex(src->key, 32, res->key_hex);

	res->headers_ok = true;
	if (!src->has_tree ||
	    !hc_header_ok(src->tree, src->tree_len, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE)) {
		feed_finding(fl, FND_FEED_HEADER_INVALID, index, dir, "tree", -1,
		             src->has_tree ? _("feed %d: the tree file's header is not hypercore's")
		                           : _("feed %d has no tree file"),
		             index);
		res->headers_ok = false;
	}
	if (!src->has_signatures || !hc_header_ok(src->signatures, src->signatures_len,
	                                          HC_TYPE_SIGNATURES, HC_SIG, HC_ALGO_SIGNATURES)) {
		feed_finding(fl, FND_FEED_HEADER_INVALID, index, dir, "signatures", -1,
		             src->has_signatures
		                 ? _("feed %d: the signatures file's header is not hypercore's")
		                 : _("feed %d has no signatures file"),
		             index);
		res->headers_ok = false;
	}
	size_t page = 0;
	if (!src->has_bitfield ||
	    !hc_header_ok(src->bitfield, src->bitfield_len, HC_TYPE_BITFIELD, 0, "")) {
		feed_finding(fl, FND_FEED_HEADER_INVALID, index, dir, "bitfield", -1,
		             src->has_bitfield ? _("feed %d: the bitfield file's header is not "
		                                   "hypercore's")
		                               : _("feed %d has no bitfield file"),
		             index);
		res->headers_ok = false;
	} else {
		page = (size_t)(src->bitfield[5] << 8 | src->bitfield[6]);
		if (page == 0 || page % 7 != 0)
			page = HC_PAGE;
	}
	const uint8_t *tree = src->has_tree ? src->tree : NULL;
	size_t tree_len = tree ? src->tree_len : 0;
	/* A page is data bits (2/7), tree bits (4/7), index bits (1/7): with the
	 * default 3584 bytes, 8192 blocks and 16384 nodes per page. */
	unsigned data_off = 0, tree_off = (unsigned)(page * 2 / 7);
	unsigned data_bits = (unsigned)(page * 2 / 7 * 8), tree_bits = (unsigned)(page * 4 / 7 * 8);

	/* Length: the right edge of the highest node the tree bitfield marks
	 * (tree-index.blocks()), or of the tree file's nodes. */
	uint64_t n_nodes = tree_len >= HC_HEADER ? (tree_len - HC_HEADER) / HC_NODE : 0;
	uint64_t len = 0;
	for (uint64_t i = 0; i < n_nodes; i++) {
		bool in_bf =
		    page && bit(src->bitfield, src->bitfield_len, page, tree_off, tree_bits, i);
		if (!in_bf && !node(tree, tree_len, i))
			continue;
		unsigned d = depth_of(i);
		uint64_t right = ((i >> (d + 1)) + 1) << d;
		if (right > len)
			len = right;
	}
	res->length = len;

	/* Which blocks are present and hash right. */
	uint8_t *ok = xcalloc((size_t)len + 1, 1);
	uint8_t *patched = NULL; /* the tree with damaged nodes recomputed */
	uint8_t *buf = NULL;
	size_t bufcap = 0;
	unsigned reported = 0;
	for (uint64_t k = 0; k < len; k++) {
		if (sd_progress_cancelled(prog)) {
			free(ok), free(buf), free(patched);
			return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
		}
		bool present =
		    page ? bit(src->bitfield, src->bitfield_len, page, data_off, data_bits, k)
		         : false;
		if (!present)
			continue;
		res->present++;
		const uint8_t *leaf = node(tree, tree_len, 2 * k);
		uint64_t off;
		if (!leaf || !block_offset(tree, tree_len, k, &off)) {
			if (reported++ < MAX_REPORTED)
				feed_finding(
				    fl, FND_FEED_HASH_MISMATCH, index, dir, "tree", (int64_t)k,
				    _("feed %d, block %llu: the tree has no node for this block"),
				    index, (unsigned long long)k);
			continue;
		}
		uint64_t size = hc_be64(leaf + 32);
		if (size > FEED_MAX_BLOCK || off + size > src->data_size) {
			if (reported++ < MAX_REPORTED)
				feed_finding(
				    fl, FND_FEED_HASH_MISMATCH, index, dir, "data", (int64_t)k,
				    off + size > src->data_size
				        ? _("feed %d, block %llu: the data file ends before this "
				            "block (it needs bytes %llu to %llu)")
				        : _("feed %d, block %llu claims %llu bytes, more than "
				            "syncdoctor reads"),
				    index, (unsigned long long)k, (unsigned long long)off,
				    (unsigned long long)(off + size));
			continue;
		}
		if (size + 1 > bufcap) {
			bufcap = (size_t)size + 1;
			buf = xrealloc(buf, bufcap);
		}
		sd_status st = src->read_data(src->ctx, off, buf, (size_t)size, err);
		if (st != SD_OK) {
			free(ok), free(buf), free(patched);
			return st;
		}
		uint8_t h[40];
		hc_leaf_hash(buf, (size_t)size, h);
		memcpy(h + 32, leaf + 32, 8);
		bool good = memcmp(h, leaf, 32) == 0;
		if (good) {
			ok[k] = 1;
			res->hashed_ok++;
		} else if (fits_above(src, tree, tree_len, len, 2 * k, h, key_ok) == 1) {
			/* the data hashes to what the parent (or a signature) vouches
			 * for: the stored leaf node is what was damaged */
			patch_node(&patched, tree, tree_len, 2 * k, h);
			if (reported++ < MAX_REPORTED)
				feed_finding(
				    fl, FND_FEED_TREE_DAMAGED, index, dir, "tree", (int64_t)k,
				    _("feed %d: tree node %llu, the hash of block %llu, is "
				      "damaged; the block's data is intact (it hashes to what "
				      "the tree above it vouches for)"),
				    index, (unsigned long long)(2 * k), (unsigned long long)k);
		} else if (reported++ < MAX_REPORTED) {
			feed_finding(
			    fl, FND_FEED_HASH_MISMATCH, index, dir, "data", (int64_t)k,
			    _("feed %d, block %llu (bytes %llu to %llu of its data): the data "
			      "does not match the hash the tree holds; it was damaged"),
			    index, (unsigned long long)k, (unsigned long long)off,
			    (unsigned long long)(off + size));
		}
		if (cb)
			cb(ud, k, buf, (size_t)size, good);
		sd_progress_report(prog, NULL, 0, 0, k + 1, len);
	}
	free(buf);

	/* Parents: each present parent must hash its two children. A damaged
	 * parent taints every block below it. */
	for (uint64_t i = 1; i < n_nodes; i += 2) {
		const uint8_t *p = node(tree, tree_len, i);
		if (!p)
			continue;
		unsigned d = depth_of(i);
		uint64_t half = (uint64_t)1 << (d - 1);
		const uint8_t *l = node(tree, tree_len, i - half),
		              *r = node(tree, tree_len, i + half);
		if (!l || !r)
			continue;
		uint8_t h[40];
		hc_parent_hash(l, r, h);
		hc_put_be64(h + 32, hc_be64(l + 32) + hc_be64(r + 32));
		if (memcmp(h, p, 40) == 0)
			continue;
		uint64_t first = (i >> (d + 1)) << d, last = first + ((uint64_t)1 << d);
		int fits = fits_above(src, tree, tree_len, len, i, h, key_ok);
		if (fits == 0)
			continue; /* a node or block below it is damaged: reported there */
		if (fits == 1) {
			patch_node(&patched, tree, tree_len, i, h);
			if (reported++ < MAX_REPORTED)
				feed_finding(
				    fl, FND_FEED_TREE_DAMAGED, index, dir, "tree", (int64_t)first,
				    _("feed %d: tree node %llu (over blocks %llu to %llu) is "
				      "damaged; the data under it is intact (its blocks hash "
				      "to the nodes below it, which fit the tree above)"),
				    index, (unsigned long long)i, (unsigned long long)first,
				    (unsigned long long)(last - 1));
		} else if (reported++ < MAX_REPORTED) {
			feed_finding(
			    fl, FND_FEED_HASH_MISMATCH, index, dir, "tree", (int64_t)first,
			    _("feed %d: tree node %llu (over blocks %llu to %llu) does not hash "
			      "its children; the tree file is damaged there"),
			    index, (unsigned long long)i, (unsigned long long)first,
			    (unsigned long long)(last - 1));
		}
		for (uint64_t k = first; k < last && k < len; k++)
			ok[k] = 0;
	}
	if (reported > MAX_REPORTED)
		feed_finding(fl, FND_FEED_HASH_MISMATCH, index, dir, NULL, -1,
		             _("feed %d: %u more hash problems were not listed one by one"), index,
		             reported - MAX_REPORTED);

	/* Signatures: a valid one at length s vouches for the roots of s. */
	uint64_t slots = src->has_signatures && src->signatures_len >= HC_HEADER
	                     ? (src->signatures_len - HC_HEADER) / HC_SIG
	                     : 0;
	unsigned bad_sigs = 0;
	for (uint64_t s = 0; s < slots && s < len; s++) {
		const uint8_t *sig = src->signatures + HC_HEADER + s * HC_SIG;
		bool blank = true;
		for (int b = 0; b < HC_SIG && blank; b++)
			blank = sig[b] == 0;
		if (blank)
			continue;
		uint8_t th[32];
		bool valid = key_ok && feed_tree_hash(tree, tree_len, s + 1, th) &&
		             crypto_sign_verify_detached(sig, th, 32, src->key) == 0;
		/* over the damaged nodes computed again, the device's signature
		 * still verifies: the node is the damage, not the signature */
		valid =
		    valid || (key_ok && patched && feed_tree_hash(patched, tree_len, s + 1, th) &&
		              crypto_sign_verify_detached(sig, th, 32, src->key) == 0);
		if (valid) {
			res->signed_len = (int64_t)(s + 1);
		} else if (bad_sigs++ < MAX_REPORTED) {
			feed_finding(
			    fl, FND_FEED_SIGNATURE_INVALID, index, dir, "signatures", (int64_t)s,
			    _("feed %d: the signature for length %llu does not verify with the "
			      "feed's key; Mapeo will stop with 'Remote signature could not be "
			      "verified'"),
			    index, (unsigned long long)(s + 1));
		}
	}
	for (uint64_t k = 0; k < len; k++)
		res->intact += ok[k];
	uint64_t prefix = 0;
	while (prefix < len && ok[prefix])
		prefix++;
	res->first_bad = prefix;
	/* The largest valid signature length the intact prefix reaches. */
	for (uint64_t s = (uint64_t)(res->signed_len > 0 ? res->signed_len : 0); s > 0; s--) {
		const uint8_t *sig =
		    s - 1 < slots ? src->signatures + HC_HEADER + (s - 1) * HC_SIG : NULL;
		if (!sig || s > prefix)
			continue;
		uint8_t th[32];
		bool blank = true;
		for (int b = 0; b < HC_SIG && blank; b++)
			blank = sig[b] == 0;
		if (!blank && key_ok && feed_tree_hash(tree, tree_len, s, th) &&
		    crypto_sign_verify_detached(sig, th, 32, src->key) == 0) {
			res->verified = s;
			break;
		}
	}
	free(ok);
	free(patched);

	if (len && res->present < len) {
		finding *f =
		    feed_finding(fl, FND_FEED_INCOMPLETE, index, dir, "bitfield", -1,
		                 _("feed %d has %llu of its %llu blocks (%llu missing): a sync "
		                   "with this file can stall waiting for them"),
		                 index, (unsigned long long)res->present, (unsigned long long)len,
		                 (unsigned long long)(len - res->present));
		(void)f;
	}
	if (len && res->signed_len < (int64_t)len && res->headers_ok) {
		if (res->signed_len < 0)
			feed_finding(fl, FND_FEED_UNSIGNED, index, dir, "signatures", 0,
			             _("feed %d: no valid signature covers any of its %llu blocks"),
			             index, (unsigned long long)len);
		else
			feed_finding(
			    fl, FND_FEED_UNSIGNED, index, dir, "signatures", res->signed_len,
			    _("feed %d: no valid signature covers its last blocks (signed up to "
			      "%lld of %llu)"),
			    index, (long long)res->signed_len, (unsigned long long)len);
	}
	return SD_OK;
}
