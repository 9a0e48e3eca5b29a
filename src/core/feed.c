/* feed.c: verify one hypercore feed (feed.h).
 *
 * The tree and signatures files are read on demand, never whole: a feed of a
 * million blocks has 80 MB of tree and 64 MB of signatures, and a check must
 * run in flat memory (issue 21). Records come through a small direct-mapped
 * cache of pages (rfile below); the verifier's passes go front to back, so
 * almost every lookup is in the page just read. The roots of a length, which
 * block offsets and tree hashes need for every block and signature, change
 * little from one length to the next: a memo of them (rootmemo) keeps those
 * lookups out of the cache. Nodes the verifier finds damaged and recomputes
 * are kept aside (patches), as few as the damage. */
#include "config.h"

#include "feed.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypercore.h"
#include "i18n.h"
#include "io.h"
#include "keys.h"
#include "session.h"
#include "xalloc.h"

#define MAX_REPORTED 5 /* per feed and kind; then one summary */
#define RF_SLOTS     16

/* Records per page of the cache: a test may make it tiny (feed_set_page_records). */
static size_t page_records = 256;

void feed_set_page_records(size_t n) { page_records = n ? n : 256; }

static bool mending = true; /* mend_signature() */
void feed_set_mending(bool on) { mending = on; }
bool feed_mending(void) { return mending; }

/* A tree or signatures file: in memory, or read through a callback into a
 * few cached pages of records. A read failure is kept (the first one) and
 * the record reads as absent; feed_verify returns it. */
typedef struct rfile {
	const uint8_t *mem; /* the whole file, or NULL to read it */
	uint64_t len;
	size_t rec; /* HC_NODE or HC_SIG */
	uint64_t n_rec;
	feed_read_fn read;
	void *ctx;
	uint8_t *page[RF_SLOTS];
	uint64_t page_no[RF_SLOTS]; /* + 1; 0 empty */
	/* a file the rebuild computes (feed_records_temp): written back on eviction */
	int fd;
	bool dirty[RF_SLOTS];
	sd_status st;
	sd_error err;
	/* a signatures file: record mend_rec reads as the signature found
	 * or made again (mend_signature()), even past the file's end; the
	 * file itself is never written */
	feed_sig_mend mend;
	uint64_t mend_rec;
} rfile;

static void rf_init(rfile *f, bool present, const uint8_t *mem, uint64_t len, feed_read_fn read,
                    void *ctx, size_t rec)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	if (!present || (!mem && !read))
		return;
	f->mem = mem, f->len = len, f->read = read, f->ctx = ctx, f->rec = rec;
	f->n_rec = len >= HC_HEADER ? (len - HC_HEADER) / rec : 0;
}

static void rf_free(rfile *f)
{
	for (int s = 0; s < RF_SLOTS; s++)
		free(f->page[s]);
}

/* Read len bytes at off (within the file) into out; false on failure. */
static bool rf_bytes(rfile *f, uint64_t off, uint8_t *out, size_t len)
{
	if (f->mem) {
		memcpy(out, f->mem + off, len);
		return true;
	}
	if (f->st != SD_OK)
		return false;
	sd_error e;
	f->st = f->read(f->ctx, off, out, len, &e);
	if (f->st != SD_OK)
		f->err = e;
	return f->st == SD_OK;
}

/* The page in slot s of a computed file, written to its temporary file. */
static bool rf_write_back(rfile *f, int s)
{
	uint64_t first = (f->page_no[s] - 1) * page_records;
	uint64_t n = f->n_rec - first < page_records ? f->n_rec - first : page_records;
	f->dirty[s] = false;
	if (f->st != SD_OK)
		return false;
	size_t len = (size_t)n * f->rec;
	off_t at = (off_t)(HC_HEADER + first * f->rec);
	/* its room was reserved when it was made (feed_records_temp()): a
	 * failure here is the disk's, and the records then read as absent */
	if (pwrite(f->fd, f->page[s], len, at) != (ssize_t)len)
		f->st = SD_ERR_IO;
	return f->st == SD_OK;
}

/* Record i (rec bytes) into out; false when beyond the file or unreadable. */
static bool rf_get_stored(rfile *f, uint64_t i, uint8_t *out)
{
	if (i >= f->n_rec)
		return false;
	if (f->mem) {
		memcpy(out, f->mem + HC_HEADER + i * f->rec, f->rec);
		return true;
	}
	uint64_t no = i / page_records;
	int s = (int)(no % RF_SLOTS);
	if (f->page_no[s] != no + 1) {
		uint64_t first = no * page_records;
		uint64_t n = f->n_rec - first < page_records ? f->n_rec - first : page_records;
		if (!f->page[s])
			f->page[s] = xmalloc(page_records * f->rec);
		if (f->dirty[s] && !rf_write_back(f, s))
			return false;
		f->page_no[s] = 0;
		if (!rf_bytes(f, HC_HEADER + first * f->rec, f->page[s], (size_t)n * f->rec))
			return false;
		f->page_no[s] = no + 1;
	}
	memcpy(out, f->page[s] + (i - no * page_records) * f->rec, f->rec);
	return true;
}

/* Record i into out, a mended signature in its place; false when absent. */
static bool rf_get(rfile *f, uint64_t i, uint8_t *out)
{
	if (f->mend.on && i == f->mend_rec) {
		memcpy(out, f->mend.sig, sizeof f->mend.sig);
		return true;
	}
	return rf_get_stored(f, i, out);
}

/* The header (HC_HEADER bytes, or fewer when the file is shorter) is valid. */
static bool rf_header_ok(rfile *f, bool present, uint8_t type, uint16_t entry, const char *algo)
{
	uint8_t h[HC_HEADER];
	size_t n = f->len < HC_HEADER ? (size_t)f->len : HC_HEADER;
	if (!present || !rf_bytes(f, 0, h, n))
		return false;
	return hc_header_ok(h, n, type, entry, algo);
}

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
#if defined(__GNUC__)
	/* the set bits of len, highest first: a block's offset asks this for
	 * every block, and most of the 64 bits are clear */
	for (uint64_t rest = len; rest;) {
		uint64_t chunk = (uint64_t)1 << (63 - __builtin_clzll(rest));
		roots[n++] = 2 * b + chunk - 1;
		b += chunk;
		rest &= ~chunk;
	}
#else
	for (int j = 63; j >= 0; j--) {
		uint64_t chunk = (uint64_t)1 << j;
		if (len & chunk) {
			roots[n++] = 2 * b + chunk - 1;
			b += chunk;
		}
	}
#endif
	return n;
}

/* Node i of the tree into out; false when absent (all zero) or beyond it. */
static bool node(rfile *t, uint64_t i, uint8_t out[HC_NODE])
{
	return rf_get(t, i, out) && !hc_node_blank(out);
}

/* Nodes recomputed over damage, sorted by index once all are known. */
typedef struct patch {
	uint64_t i;
	uint8_t nd[HC_NODE];
} patch;

typedef struct patches {
	patch *v;
	size_t n, cap;
} patches;

static int cmp_patch(const void *a, const void *b)
{
	const patch *x = a, *y = b;
	return x->i < y->i ? -1 : x->i > y->i;
}

static const patch *patch_find(const patches *p, uint64_t i)
{
	patch key = {.i = i};
	return p && p->n ? bsearch(&key, p->v, p->n, sizeof *p->v, cmp_patch) : NULL;
}

/* The roots of the last length asked, by position: the next length mostly
 * keeps them. */
typedef struct rootmemo {
	uint64_t idx[64];
	bool have[64], ok[64];
	uint8_t nd[64][HC_NODE];
} rootmemo;

/* The roots of len into nodes, patched by p (may be NULL), the stored ones
 * through memo (may be NULL; it holds only stored nodes, so one memo serves
 * patched and unpatched lookups); false when one is absent. */
static bool roots_of(rfile *t, rootmemo *memo, const patches *p, uint64_t len, uint64_t roots[64],
                     uint8_t (*nodes)[HC_NODE], size_t *n)
{
	*n = feed_full_roots(len, roots);
	for (size_t k = 0; k < *n; k++) {
		const patch *pt = patch_find(p, roots[k]);
		if (pt) {
			memcpy(nodes[k], pt->nd, HC_NODE);
			continue;
		}
		if (memo && memo->have[k] && memo->idx[k] == roots[k]) {
			if (!memo->ok[k])
				return false;
			memcpy(nodes[k], memo->nd[k], HC_NODE);
			continue;
		}
		bool ok = node(t, roots[k], nodes[k]);
		if (memo) {
			memo->have[k] = true, memo->idx[k] = roots[k], memo->ok[k] = ok;
			memcpy(memo->nd[k], nodes[k], HC_NODE);
		}
		if (!ok)
			return false;
	}
	return true;
}

/* Tree hash for length len with node `over` replaced by repl (40 bytes). */
static bool tree_hash_over(rfile *t, rootmemo *memo, const patches *p, uint64_t len, uint64_t over,
                           const uint8_t *repl, uint8_t out[32])
{
	uint64_t roots[64];
	uint8_t nodes[64][HC_NODE];
	size_t n;
	if (over == UINT64_MAX) {
		if (!roots_of(t, memo, p, len, roots, nodes, &n))
			return false;
	} else {
		n = feed_full_roots(len, roots);
		for (size_t i = 0; i < n; i++) {
			if (roots[i] == over)
				memcpy(nodes[i], repl, HC_NODE);
			else if (!node(t, roots[i], nodes[i]))
				return false;
		}
	}
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	uint8_t ty = 2;
	crypto_generichash_update(&st, &ty, 1);
	for (size_t i = 0; i < n; i++) {
		uint8_t buf[48];
		memcpy(buf, nodes[i], 32);
		hc_put_be64(buf + 32, roots[i]);
		memcpy(buf + 40, nodes[i] + 32, 8);
		crypto_generichash_update(&st, buf, sizeof buf);
	}
	crypto_generichash_final(&st, out, 32);
	return true;
}

bool feed_tree_hash(const uint8_t *tree, size_t tree_len, uint64_t len, uint8_t out[32])
{
	rfile t;
	rf_init(&t, tree != NULL, tree, tree_len, NULL, NULL, HC_NODE);
	return tree_hash_over(&t, NULL, NULL, len, UINT64_MAX, NULL, out);
}

/* ---- feed_records: a tree or signatures file by record (feed.h) ---- */

struct feed_records {
	rfile f;
	uint8_t *own; /* a computed file in memory: no temporary file could be made */
	uint8_t head[HC_HEADER];
	rootmemo memo; /* the roots last hashed, until the next put */
};

/* A computed file's page from its temporary file: zeros where nothing was
 * written yet (the file is sparse). */
static sd_status read_temp(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	(void)err;
	const int *fd = ctx;
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(*fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return SD_ERR_IO;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	memset((uint8_t *)buf + got, 0, len - got);
	return SD_OK;
}

feed_records *feed_records_open(feed_read_fn read, void *ctx, uint64_t size, size_t rec)
{
	feed_records *r = xcalloc(1, sizeof *r);
	rf_init(&r->f, true, NULL, size, read, ctx, rec);
	/* a file shorter than its header keeps the bytes it has, zeros after */
	if (!rf_bytes(&r->f, 0, r->head, size < HC_HEADER ? (size_t)size : HC_HEADER))
		memset(r->head, 0, sizeof r->head);
	r->f.st = SD_OK; /* a header that cannot be read is not the records' failure */
	return r;
}

feed_records *feed_records_temp(uint64_t cap, size_t rec)
{
	feed_records *r = xcalloc(1, sizeof *r);
	uint64_t size = HC_HEADER + cap * rec;
	/* In $TMPDIR, unlinked at once (it goes with the process, whatever
	 * happens), its room reserved now so that a full disk shows here and
	 * not halfway through; failing that, in memory, as before issue 21. */
	int fd = io_temp_fd("tree", NULL);
	if (fd >= 0 && posix_fallocate(fd, 0, (off_t)size) != 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		r->own = xcalloc(1, (size_t)size);
		rf_init(&r->f, true, r->own, size, NULL, NULL, rec);
		return r;
	}
	rf_init(&r->f, true, NULL, size, read_temp, NULL, rec);
	r->f.fd = fd;
	r->f.ctx = &r->f.fd;
	return r;
}

uint64_t feed_records_count(const feed_records *r) { return r->f.n_rec; }

const uint8_t *feed_records_head(const feed_records *r) { return r->head; }

void feed_records_set_head(feed_records *r, const uint8_t head[HC_HEADER])
{
	memcpy(r->head, head, HC_HEADER);
}

bool feed_records_get(feed_records *r, uint64_t i, uint8_t *out) { return rf_get(&r->f, i, out); }

void feed_records_put(feed_records *r, uint64_t i, const uint8_t *in)
{
	rfile *f = &r->f;
	if (i >= f->n_rec || (!r->own && f->fd < 0))
		return; /* a stored file is never written */
	memset(&r->memo, 0, sizeof r->memo);
	if (r->own) {
		memcpy(r->own + HC_HEADER + i * f->rec, in, f->rec);
		return;
	}
	uint8_t old[HC_SIG];
	if (!rf_get(f, i, old)) /* brings its page into the cache */
		return;
	uint64_t no = i / page_records;
	int s = (int)(no % RF_SLOTS);
	memcpy(f->page[s] + (i - no * page_records) * f->rec, in, f->rec);
	f->dirty[s] = true;
}

bool feed_records_tree_hash(feed_records *r, uint64_t len, uint8_t out[32])
{
	return tree_hash_over(&r->f, &r->memo, NULL, len, UINT64_MAX, NULL, out);
}

void feed_records_free(feed_records *r)
{
	if (!r)
		return;
	if (r->f.fd >= 0)
		close(r->f.fd); /* its dirty pages go with it: nothing reads them again */
	rf_free(&r->f);
	free(r->own);
	free(r);
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

/* One verification: the source, its files and what is found so far. */
typedef struct verifier {
	const feed_source *src;
	int index;
	const char *dir;
	findings *fl;
	feed_result *res;
	rfile tree, sigs;
	rootmemo memo; /* roots of the stored tree, for block offsets and signatures */
	bool key_ok;
	size_t page; /* bitfield page size; 0 without a usable bitfield */
	uint64_t len, n_nodes;
	uint64_t bits_len;       /* the length hypercore reads from the bitfield */
	uint8_t *ok;             /* bit k: block k is present, hashes and sits under intact nodes */
	uint64_t first_unmarked; /* the first block held that the data bits do not mark, */
	uint64_t unmarked_within; /* ... and how many, within the length the bitfield gives */
	uint8_t *handed;          /* bit k: block k was handed to the callback, and verifies */
	uint64_t unplaced;     /* marked blocks that do not verify against the tree (no node, past
	                          the data, a hash that does not match) */
	uint64_t lines_signed; /* the length lines_salvage() proves; 0 none */
	size_t first_finding;  /* the list's length when this feed began */
	patches patched;
	unsigned reported;
} verifier;

static bool ok_get(const verifier *v, uint64_t k) { return (v->ok[k / 8] >> (k % 8)) & 1; }
static void ok_set(verifier *v, uint64_t k, bool on)
{
	if (on)
		v->ok[k / 8] |= (uint8_t)(1u << (k % 8));
	else
		v->ok[k / 8] &= (uint8_t) ~(1u << (k % 8));
}

/* Byte offset of block k in the data file, from the sizes of the roots of
 * length k (as hypercore does); false when a needed node is absent. */
static bool block_offset(verifier *v, uint64_t k, uint64_t *off)
{
	uint64_t roots[64];
	uint8_t nodes[64][HC_NODE];
	size_t n;
	if (!roots_of(&v->tree, &v->memo, NULL, k, roots, nodes, &n))
		return false;
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += hc_be64(nodes[i] + 32);
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

/* A blank record is read to its end: one memcmp rather than 64 tests (the
 * check asks for every length, and most lengths of the bench's feeds are
 * not signed). */
static bool sig_blank(const uint8_t *sig)
{
	static const uint8_t zero[HC_SIG];
	return !memcmp(sig, zero, HC_SIG);
}

/* Does repl, put in place of stored node i, fit what is above it? 1: it
 * hashes with its stored sibling to the stored parent, or (a root) a
 * signature verifies over it; 0: what is above disagrees with it; -1:
 * nothing above to tell. Used to tell a damaged tree node over intact data
 * from damaged data under an intact node. */
static int fits_above(verifier *v, uint64_t i, const uint8_t *repl)
{
	unsigned d = depth_of(i);
	uint64_t o = i >> (d + 1);
	uint64_t sib = (((o ^ 1) * 2 + 1) << d) - 1, par = (((o >> 1) * 2 + 1) << (d + 1)) - 1;
	uint8_t ps[HC_NODE], ss[HC_NODE];
	bool have_ps = node(&v->tree, par, ps), have_ss = have_ps && node(&v->tree, sib, ss);
	if (have_ps && have_ss && ((o >> 1) * 2 + 2) << (d + 1) <= 2 * v->len) {
		uint8_t h[32];
		hc_parent_hash(o & 1 ? ss : repl, o & 1 ? repl : ss, h);
		return memcmp(h, ps, 32) == 0 ? 1 : 0;
	}
	if (!v->key_ok || !v->src->has_signatures || v->sigs.len < HC_HEADER)
		return -1;
	int verdict = -1;
	for (uint64_t s = 1; s <= v->sigs.n_rec && s <= v->len; s++) {
		uint8_t sig[HC_SIG];
		if (!is_root_of(i, s) || !rf_get(&v->sigs, s - 1, sig) || sig_blank(sig))
			continue;
		uint8_t th[32];
		if (!tree_hash_over(&v->tree, NULL, NULL, s, i, repl, th))
			continue;
		if (crypto_sign_verify_detached(sig, th, 32, v->src->key) == 0)
			return 1;
		verdict = 0;
	}
	return verdict;
}

/* Record a damaged node's recomputed value. */
static void patch_node(verifier *v, uint64_t i, const uint8_t *repl)
{
	SD_GROW(v->patched.v, v->patched.cap, v->patched.n + 1);
	v->patched.v[v->patched.n].i = i;
	memcpy(v->patched.v[v->patched.n++].nd, repl, HC_NODE);
}

/* Headers of the three files; sets headers_ok and the bitfield's page size. */
static void check_headers(verifier *v)
{
	const feed_source *src = v->src;
	int index = v->index;
	v->res->headers_ok = true;
	if (!rf_header_ok(&v->tree, src->has_tree, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE)) {
		feed_finding(v->fl, FND_FEED_HEADER_INVALID, index, v->dir, "tree", -1,
		             src->has_tree ? _("feed %d: the tree file's header is not hypercore's")
		                           : _("feed %d has no tree file"),
		             index);
		v->res->headers_ok = false;
	}
	if (!rf_header_ok(&v->sigs, src->has_signatures, HC_TYPE_SIGNATURES, HC_SIG,
	                  HC_ALGO_SIGNATURES)) {
		feed_finding(v->fl, FND_FEED_HEADER_INVALID, index, v->dir, "signatures", -1,
		             src->has_signatures
		                 ? _("feed %d: the signatures file's header is not hypercore's")
		                 : _("feed %d has no signatures file"),
		             index);
		v->res->headers_ok = false;
	}
	if (!src->has_bitfield ||
	    !hc_header_ok(src->bitfield, src->bitfield_len, HC_TYPE_BITFIELD, 0, "")) {
		feed_finding(v->fl, FND_FEED_HEADER_INVALID, index, v->dir, "bitfield", -1,
		             src->has_bitfield ? _("feed %d: the bitfield file's header is not "
		                                   "hypercore's")
		                               : _("feed %d has no bitfield file"),
		             index);
		v->res->headers_ok = false;
	} else {
		v->page = (size_t)(src->bitfield[5] << 8 | src->bitfield[6]);
		if (v->page == 0 || v->page % 7 != 0)
			v->page = HC_PAGE;
	}
}

/* A page is data bits (2/7), tree bits (4/7), index bits (1/7): with the
 * default 3584 bytes, 8192 blocks and 16384 nodes per page. */
static bool data_bit(const verifier *v, uint64_t k)
{
	return v->page && bit(v->src->bitfield, v->src->bitfield_len, v->page, 0,
	                      (unsigned)(v->page * 2 / 7 * 8), k);
}

static bool tree_bit(const verifier *v, uint64_t i)
{
	return v->page && bit(v->src->bitfield, v->src->bitfield_len, v->page,
	                      (unsigned)(v->page * 2 / 7), (unsigned)(v->page * 4 / 7 * 8), i);
}

/* flat-tree: the node at depth d and offset o, a node's offset, parent and
 * left child (d is the node's depth). */
static uint64_t ft_index(unsigned d, uint64_t o) { return ((2 * o + 1) << d) - 1; }
static uint64_t ft_offset(uint64_t i, unsigned d) { return i >> (d + 1); }
static uint64_t ft_left(uint64_t i, unsigned d) { return ft_index(d - 1, ft_offset(i, d) * 2); }

/* The length hypercore gives a feed it opens (tree-index blocks() and
 * verifiedBy() over the bitfield's tree bits): climb from node 0 through
 * the marked parents, then walk down the right edge of what is marked. A
 * stray bit far to the right is not reached (the real Mapeo syncs such a
 * file whole); bits marking nodes the tree file lacks are (a tree file cut
 * short or emptied: the nodes are missing, the feed is not shorter). */
static uint64_t bitfield_length(verifier *v, uint64_t max)
{
	uint64_t top = 0, next = 0;
	for (unsigned d = 0;
	     d < 62 && ((next & 1) ? ((ft_offset(next, d) + 1) << (d + 1)) - 2 : next) < max; d++) {
		next = ft_index(d + 1, ft_offset(next, d) >> 1);
		if (tree_bit(v, next))
			top = next;
	}
	if (!tree_bit(v, top))
		return 0;
	unsigned d = depth_of(top);
	uint64_t parent = ft_index(d + 1, ft_offset(top, d) >> 1);
	while (d < 62 && tree_bit(v, parent) && tree_bit(v, ft_index(d, ft_offset(top, d) ^ 1))) {
		top = parent;
		d++;
		parent = ft_index(d + 1, ft_offset(top, d) >> 1);
	}
	while (d) {
		top = ft_left(ft_index(d, ft_offset(top, d) + 1), d);
		d--;
		while (!tree_bit(v, top) && d)
			top = ft_left(top, d--);
	}
	return (tree_bit(v, top) ? top + 2 : top) / 2;
}

/* Length: the right edge of the highest node the tree file holds or the
 * bitfield marks within it, or the length hypercore reads from the
 * bitfield (which counts blocks whose nodes the tree file lacks). */
static uint64_t feed_length(verifier *v)
{
	uint64_t len = 0;
	uint8_t nd[HC_NODE];
	for (uint64_t i = 0; i < v->n_nodes; i++) {
		if (!tree_bit(v, i) && !node(&v->tree, i, nd))
			continue;
		unsigned d = depth_of(i);
		uint64_t right = ((i >> (d + 1)) + 1) << d;
		if (right > len)
			len = right;
	}
	if (!v->page || v->src->bitfield_len <= HC_HEADER)
		return len;
	uint64_t pages = (v->src->bitfield_len - HC_HEADER + v->page - 1) / v->page,
	         hc = bitfield_length(v, pages * (v->page * 4 / 7 * 8));
	v->bits_len = hc;
	return hc > len ? hc : len;
}

/* Block k: read it, hash it against its leaf, hand it to cb. A block the
 * bitfield marks is said when it does not verify; one it does not mark is
 * held only when its data hashes to its leaf (or to what the tree above
 * vouches for): a bitfield zeroed, cut or with bits cleared by storage
 * damage over intact blocks (doc/formats.md §4), where a missing block's
 * place is a hole or another block's bytes and is passed over in silence. */
static sd_status verify_block(verifier *v, uint64_t k, bool marked, uint8_t **buf, size_t *bufcap,
                              feed_block_fn cb, void *ud, sd_error *err)
{
	const feed_source *src = v->src;
	int index = v->index;
	uint8_t leaf[HC_NODE];
	uint64_t off;
	v->res->present += marked;
	if (!node(&v->tree, 2 * k, leaf) || !block_offset(v, k, &off)) {
		v->unplaced += marked;
		if (marked && v->reported++ < MAX_REPORTED)
			feed_finding(v->fl, FND_FEED_HASH_MISMATCH, index, v->dir, "tree",
			             (int64_t)k,
			             _("feed %d, block %llu: the tree has no node for this block"),
			             index, (unsigned long long)k);
		return SD_OK;
	}
	uint64_t size = hc_be64(leaf + 32);
	if (size > FEED_MAX_BLOCK || off + size > src->data_size) {
		v->unplaced += marked;
		if (marked && v->reported++ < MAX_REPORTED)
			feed_finding(v->fl, FND_FEED_HASH_MISMATCH, index, v->dir, "data",
			             (int64_t)k,
			             off + size > src->data_size
			                 ? _("feed %d, block %llu: the data file ends before this "
			                     "block (it needs bytes %llu to %llu)")
			                 : _("feed %d, block %llu claims %llu bytes, more than "
			                     "syncdoctor reads"),
			             index, (unsigned long long)k, (unsigned long long)off,
			             (unsigned long long)(off + size));
		return SD_OK;
	}
	if (size + 1 > *bufcap) {
		*bufcap = (size_t)size + 1;
		*buf = xrealloc(*buf, *bufcap);
	}
	sd_status st = src->read_data(src->ctx, off, *buf, (size_t)size, err);
	if (st != SD_OK)
		return st;
	uint8_t h[40];
	hc_leaf_hash(*buf, (size_t)size, h);
	memcpy(h + 32, leaf + 32, 8);
	bool good = memcmp(h, leaf, 32) == 0, fits = !good && fits_above(v, 2 * k, h) == 1;
	if (!marked && !good && !fits)
		return SD_OK; /* not held: a hole where the block would be */
	if (!marked && !v->res->unmarked++)
		v->first_unmarked = k;
	v->unmarked_within += !marked && k < v->bits_len;
	v->res->present += !marked;
	if (good) {
		ok_set(v, k, true);
		v->res->hashed_ok++;
	} else if (fits) {
		/* the data hashes to what the parent (or a signature) vouches
		 * for: the stored leaf node is what was damaged */
		patch_node(v, 2 * k, h);
		if (v->reported++ < MAX_REPORTED)
			feed_finding(v->fl, FND_FEED_TREE_DAMAGED, index, v->dir, "tree",
			             (int64_t)k,
			             _("feed %d: tree node %llu, the hash of block %llu, is "
			               "damaged; the block's data is intact (it hashes to what "
			               "the tree above it vouches for)"),
			             index, (unsigned long long)(2 * k), (unsigned long long)k);
	} else {
		v->unplaced++; /* (an unmarked block gets here only when marked) */
		if (v->reported++ < MAX_REPORTED)
			feed_finding(v->fl, FND_FEED_HASH_MISMATCH, index, v->dir, "data",
			             (int64_t)k,
			             _("feed %d, block %llu (bytes %llu to %llu of its data): the "
			               "data does not match the hash the tree holds; it was "
			               "damaged"),
			             index, (unsigned long long)k, (unsigned long long)off,
			             (unsigned long long)(off + size));
	}
	if (good || fits) /* a block that does not verify may be handed again */
		v->handed[k / 8] |= (uint8_t)(1u << (k % 8));
	if (cb)
		cb(ud, k, *buf, (size_t)size, good);
	return SD_OK;
}

/* Which blocks are held and hash right. */
static sd_status verify_blocks(verifier *v, feed_block_fn cb, void *ud, const sd_progress *prog,
                               sd_error *err)
{
	uint8_t *buf = NULL;
	size_t bufcap = 0;
	sd_status st = SD_OK;
	for (uint64_t k = 0; k < v->len && st == SD_OK; k++) {
		if (sd_progress_cancelled(prog)) {
			st = sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
			break;
		}
		st = verify_block(v, k, data_bit(v, k), &buf, &bufcap, cb, ud, err);
		if (st == SD_OK)
			sd_progress_report(prog, NULL, 0, 0, k + 1, v->len);
	}
	free(buf);
	return st;
}

/* Parents: each present parent must hash its two children. A damaged
 * parent taints every block below it. */
static void verify_parents(verifier *v, const sd_progress *prog)
{
	int index = v->index;
	for (uint64_t i = 1; i < v->n_nodes; i += 2) {
		if ((i & 0xffff) == 1 && sd_progress_cancelled(prog))
			return; /* feed_verify reports it */
		uint8_t p[HC_NODE], l[HC_NODE], r[HC_NODE];
		if (!node(&v->tree, i, p))
			continue;
		unsigned d = depth_of(i);
		uint64_t half = (uint64_t)1 << (d - 1);
		if (!node(&v->tree, i - half, l) || !node(&v->tree, i + half, r))
			continue;
		uint8_t h[40];
		hc_parent_hash(l, r, h);
		hc_put_be64(h + 32, hc_be64(l + 32) + hc_be64(r + 32));
		if (memcmp(h, p, 40) == 0)
			continue;
		uint64_t first = (i >> (d + 1)) << d, last = first + ((uint64_t)1 << d);
		int fits = fits_above(v, i, h);
		if (fits == 0)
			continue; /* a node or block below it is damaged: reported there */
		if (fits == 1) {
			patch_node(v, i, h);
			if (v->reported++ < MAX_REPORTED)
				feed_finding(
				    v->fl, FND_FEED_TREE_DAMAGED, index, v->dir, "tree",
				    (int64_t)first,
				    _("feed %d: tree node %llu (over blocks %llu to %llu) is "
				      "damaged; the data under it is intact (its blocks hash "
				      "to the nodes below it, which fit the tree above)"),
				    index, (unsigned long long)i, (unsigned long long)first,
				    (unsigned long long)(last - 1));
		} else if (v->reported++ < MAX_REPORTED) {
			feed_finding(
			    v->fl, FND_FEED_HASH_MISMATCH, index, v->dir, "tree", (int64_t)first,
			    _("feed %d: tree node %llu (over blocks %llu to %llu) does not "
			      "hash its children; the tree file is damaged there"),
			    index, (unsigned long long)i, (unsigned long long)first,
			    (unsigned long long)(last - 1));
		}
		for (uint64_t k = first; k < last && k < v->len; k++)
			ok_set(v, k, false);
	}
}

/* Does the signature in slot s (for length s + 1) verify over the stored
 * tree, or over it with the damaged nodes computed again? 1 yes, 0 no, -1
 * cannot tell: a root of length s + 1 is missing from the tree file (said
 * as a block without its node), so there is no tree hash to judge the
 * signature by, and it is not called invalid (a rebuild would clear it). */
static int sig_valid(verifier *v, uint64_t s, const uint8_t *sig)
{
	uint8_t th[32];
	if (!v->key_ok)
		return -1; /* no key to judge by: feed-key-invalid says so */
	bool stored = tree_hash_over(&v->tree, &v->memo, NULL, s + 1, UINT64_MAX, NULL, th);
	if (stored && crypto_sign_verify_detached(sig, th, 32, v->src->key) == 0)
		return 1;
	/* over the damaged nodes computed again, the device's signature
	 * still verifies: the node is the damage, not the signature */
	bool patched = v->patched.n &&
	               tree_hash_over(&v->tree, &v->memo, &v->patched, s + 1, UINT64_MAX, NULL, th);
	if (patched && crypto_sign_verify_detached(sig, th, 32, v->src->key) == 0)
		return 1;
	return stored || patched ? 0 : -1;
}

/* Every block is present, hashes, and sits under intact tree nodes. */
static bool all_intact(const verifier *v)
{
	for (uint64_t k = 0; k < v->len; k++)
		if (!ok_get(v, k))
			return false;
	return true;
}

/* The signature for length len as the device made it, taken for slot
 * len - 1 (the report, the rebuild's plan and every later read of it). */
static void mend_take(verifier *v, const feed_sig_mend *m)
{
	v->res->sig_mend = *m;
	v->sigs.mend = *m;
	v->sigs.mend_rec = v->len - 1;
	v->res->signed_len = (int64_t)v->len;
}

/* This computer's own feed: its secret key signs the tree hash th to the
 * signature the device made for it (Ed25519 is deterministic: the same key
 * and bytes give the same signature), whatever happened to the stored one
 * (damaged, zeroed, cut off). Only with a secret key that is the feed's
 * (its public half is the feed's key) and a signature that verifies. */
static bool remake_signature(verifier *v, const uint8_t th[32])
{
	uint8_t sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	feed_sig_mend m = {.on = true, .remade = true};
	bool ok = v->src->read_secret_key(v->src->secret_ctx, sk) &&
	          crypto_sign_ed25519_sk_to_pk(pk, sk) == 0 &&
	          sodium_memcmp(pk, v->src->key, sizeof pk) == 0 &&
	          crypto_sign_detached(m.sig, NULL, th, 32, sk) == 0 &&
	          crypto_sign_verify_detached(m.sig, th, 32, v->src->key) == 0;
	sodium_memzero(sk, sizeof sk);
	if (ok)
		mend_take(v, &m);
	return ok;
}

/* The signature for the feed's whole length does not verify, and none
 * later does. Tried only where every block is intact under the stored
 * tree, so the tree hash is the one the device signed. On this computer's
 * own feed, its secret key makes the signature again (remake_signature()).
 * Elsewhere, with one byte of it damaged (a flipped or rewritten byte), the
 * one value of that byte with which it verifies is the signature the device
 * made (Ed25519: no other verifies). Either way the feed keeps every block
 * where otherwise nothing past its last good signature would (a feed signed
 * only at its end, as Mapeo's batches are, would lose all of it). The
 * search: at most 64 x 255 verifications, within the check's budget
 * (feed_source.mends_used). */
static void mend_signature(verifier *v, const sd_progress *prog)
{
	uint8_t sig[HC_SIG], th[32];
	uint64_t s = v->len - 1;
	if (!v->len || !v->key_ok || !mending || v->res->signed_len >= (int64_t)v->len ||
	    v->patched.n)
		return;
	/* (the cheap tests first: a file of many unsigned feeds has no secret
	 * key and nothing to search) */
	bool own = v->src->read_secret_key != NULL;
	bool search = v->src->mends_used && *v->src->mends_used < FEED_MENDS &&
	              rf_get(&v->sigs, s, sig) && !sig_blank(sig);
	if ((!own && !search) || !all_intact(v) ||
	    !tree_hash_over(&v->tree, &v->memo, NULL, v->len, UINT64_MAX, NULL, th))
		return;
	if ((own && remake_signature(v, th)) || !search)
		return;
	(*v->src->mends_used)++;
	for (unsigned at = 0; at < HC_SIG; at++) {
		uint8_t was = sig[at];
		for (unsigned x = 0; x < 256; x++) {
			if (x % 64 == 0 && sd_progress_cancelled(prog))
				return;
			sig[at] = (uint8_t)x;
			if (x == was || crypto_sign_verify_detached(sig, th, 32, v->src->key) != 0)
				continue;
			feed_sig_mend m = {.on = true, .at = at};
			memcpy(m.sig, sig, HC_SIG);
			mend_take(v, &m);
			return;
		}
		sig[at] = was;
	}
}

/* Signatures: a valid one at length s vouches for the roots of s. */
static void verify_signatures(verifier *v, const sd_progress *prog)
{
	if (v->patched.n > 1)
		qsort(v->patched.v, v->patched.n, sizeof *v->patched.v, cmp_patch);
	uint64_t bad[MAX_REPORTED];
	unsigned n_bad = 0;
	for (uint64_t s = 0; s < v->sigs.n_rec && s < v->len; s++) {
		if ((s & 0xffff) == 0 && sd_progress_cancelled(prog))
			break; /* feed_verify reports it */
		uint8_t sig[HC_SIG];
		if (!rf_get(&v->sigs, s, sig) || sig_blank(sig))
			continue;
		int valid = sig_valid(v, s, sig);
		if (valid == 1)
			v->res->signed_len = (int64_t)(s + 1);
		else if (valid == 0 && n_bad < MAX_REPORTED)
			bad[n_bad++] = s;
	}
	mend_signature(v, prog);
	if (v->res->sig_mend.remade)
		feed_finding(v->fl, FND_FEED_SIGNATURE_REMADE, v->index, v->dir, "signatures",
		             (int64_t)(v->len - 1),
		             _("feed %d: the signature for length %llu is damaged or missing; this "
		               "computer holds the feed's secret key, and signed with it the "
		               "intact tree gives the device's own signature again, byte for byte, "
		               "so a rebuild writes it and keeps every block; as it is stored, "
		               "Mapeo will stop with 'Remote signature could not be verified'"),
		             v->index, (unsigned long long)v->len);
	else if (v->res->sig_mend.on)
		feed_finding(v->fl, FND_FEED_SIGNATURE_MENDED, v->index, v->dir, "signatures",
		             (int64_t)(v->len - 1),
		             _("feed %d: the signature for length %llu has one damaged byte (byte "
		               "%u of its 64): with the one value that makes it verify with the "
		               "feed's key it is the device's own signature again, so a rebuild "
		               "writes it back and keeps every block; as it is stored, Mapeo will "
		               "stop with 'Remote signature could not be verified'"),
		             v->index, (unsigned long long)v->len, v->res->sig_mend.at + 1);
	/* Mapeo proves the blocks it receives with the sender's latest
	 * signature (seen: a file with a bad slot under a good later one
	 * syncs whole in tests/interop), so only a bad signature past the last
	 * good one stops a sync (doc/formats.md §4). */
	for (unsigned i = 0; i < n_bad; i++) {
		if (v->res->sig_mend.on && bad[i] == v->len - 1)
			continue; /* said above */
		if ((int64_t)(bad[i] + 1) < v->res->signed_len) {
			finding *f = fnd_add_sev(
			    v->fl, FND_FEED_SIGNATURE_INVALID, SEV_WARNING,
			    _("feed %d: the signature for length %llu does not verify with the "
			      "feed's key, but a later one (for length %lld) does: Mapeo checks "
			      "the blocks against that one, so this does not stop a sync; a "
			      "rebuild clears the bad one"),
			    v->index, (unsigned long long)(bad[i] + 1),
			    (long long)v->res->signed_len);
			char inner[96];
			snprintf(inner, sizeof inner, "%s/signatures", v->dir);
			f->feed = v->index;
			f->block = (int64_t)bad[i];
			fnd_set_inner(f, inner);
			continue;
		}
		feed_finding(v->fl, FND_FEED_SIGNATURE_INVALID, v->index, v->dir, "signatures",
		             (int64_t)bad[i],
		             _("feed %d: the signature for length %llu does not verify with the "
		               "feed's key; Mapeo will stop with 'Remote signature could not be "
		               "verified'"),
		             v->index, (unsigned long long)(bad[i] + 1));
	}
}

/* How many of the blocks before n in node i's span (i stored, its hash
 * proved) are linked to i: on the way down each stored node hashes its two
 * stored children (a leaf is the hash of its block: ok_get()). Stops at the
 * first block that is not. */
static uint64_t linked_blocks(verifier *v, uint64_t i, const uint8_t in[HC_NODE], uint64_t n)
{
	unsigned d = depth_of(i);
	uint64_t first = ft_offset(i, d) << d;
	if (first >= n)
		return 0;
	if (!d)
		return 1;
	uint8_t l[HC_NODE], r[HC_NODE], h[HC_NODE];
	uint64_t half = (uint64_t)1 << (d - 1);
	if (!node(&v->tree, i - half, l) || !node(&v->tree, i + half, r))
		return 0;
	hc_parent_hash(l, r, h);
	if (memcmp(h, in, 32) != 0)
		return 0;
	uint64_t got = linked_blocks(v, i - half, l, n);
	return got < half ? got : got + linked_blocks(v, i + half, r, n);
}

/* Of the prefix's n intact blocks, how many a valid signature for length
 * s > n proves: a feed downloaded in part (a sync left it, or cut short)
 * holds its first blocks and the roots its proofs brought, signed for a
 * length past what it holds. Blocks 0..m-1 are proved when each sits under
 * stored nodes up to a root of s. */
static uint64_t proved_under(verifier *v, uint64_t n, uint64_t s)
{
	uint64_t roots[64], m = 0;
	size_t nr = feed_full_roots(s, roots);
	for (size_t j = 0; j < nr && m < n && !sess_interrupted; j++) {
		uint8_t nd[HC_NODE];
		unsigned d = depth_of(roots[j]);
		if (!node(&v->tree, roots[j], nd))
			break;
		uint64_t got = linked_blocks(v, roots[j], nd, n), span = (uint64_t)1 << d;
		m += got;
		if (got < span)
			break;
	}
	return m < n ? m : n;
}

/* Intact blocks, the first bad one, and the largest valid signature length
 * the intact prefix reaches, or the part of it a later signature proves. */
static void verified_prefix(verifier *v)
{
	feed_result *res = v->res;
	for (uint64_t k = 0; k < v->len; k++)
		res->intact += ok_get(v, k);
	uint64_t prefix = 0;
	while (prefix < v->len && ok_get(v, prefix))
		prefix++;
	res->first_bad = prefix;
	uint64_t last = (uint64_t)(res->signed_len > 0 ? res->signed_len : 0);
	for (uint64_t s = last; s > res->verified; s--) {
		uint8_t sig[HC_SIG], th[32];
		/* Past the prefix only the last valid signature is tried (one
		 * walk: a feed signed at every block has thousands there). */
		if (s > prefix && s != last)
			continue;
		/* (rf_get: false past the file's end, but for a slot made again) */
		if (!rf_get(&v->sigs, s - 1, sig))
			continue;
		if (!sig_blank(sig) && v->key_ok &&
		    tree_hash_over(&v->tree, NULL, NULL, s, UINT64_MAX, NULL, th) &&
		    crypto_sign_verify_detached(sig, th, 32, v->src->key) == 0) {
			res->verified = s <= prefix ? s : proved_under(v, prefix, s);
			if (s <= prefix)
				break;
		}
	}
}

/* The bitfield marks fewer blocks than the file holds intact: its tree bits
 * (a cut, zeroed or damaged bitfield: hypercore reads the feed's length from
 * them) or its data bits (hypercore does not offer a block it does not mark,
 * and the other side waits for it: seen, the real Mapeo hangs). Where a
 * signature fits the shorter length (or it is 0) and no data bit marks a
 * block past it, Mapeo ends the sync without those blocks, with no error
 * (seen: a zeroed bitfield gives a sync that brings only the other feeds'
 * observations); otherwise it stops (seen: "Remote checksum failed" where no
 * signature fits, "Missing tree roots needed for verify" where one does but
 * the data bits still offer the blocks past it). */
static void bitfield_short(verifier *v)
{
	uint8_t sig[HC_SIG];
	uint64_t bl = v->bits_len;
	if (v->page && bl < v->len) {
		bool quiet = !bl || (rf_get(&v->sigs, bl - 1, sig) && !sig_blank(sig) &&
		                     sig_valid(v, bl - 1, sig) == 1);
		for (uint64_t k = bl; k < v->len && quiet; k++)
			quiet = !data_bit(v, k);
		feed_finding(
		    v->fl, FND_FEED_BITFIELD_DAMAGED, v->index, v->dir, "bitfield", (int64_t)bl,
		    quiet ? P_("feed %d: its bitfield gives it %llu block where its tree "
		               "holds %llu: Mapeo reads the feed as %llu block long and "
		               "ends the sync without the others, with no error (their "
		               "observations do not arrive)",
		               "feed %d: its bitfield gives it %llu blocks where its tree "
		               "holds %llu: Mapeo reads the feed as %llu blocks long and "
		               "ends the sync without the others, with no error (their "
		               "observations do not arrive)",
		               bl)
		          : P_("feed %d: its bitfield gives it %llu block where its tree "
		               "holds %llu: Mapeo takes the bitfield's count (%llu), so the "
		               "blocks past it do not sync, and the sync stops ('Remote "
		               "checksum failed' or 'Missing tree roots needed for "
		               "verify')",
		               "feed %d: its bitfield gives it %llu blocks where its tree "
		               "holds %llu: Mapeo takes the bitfield's count (%llu), so the "
		               "blocks past it do not sync, and the sync stops ('Remote "
		               "checksum failed' or 'Missing tree roots needed for "
		               "verify')",
		               bl),
		    v->index, (unsigned long long)bl, (unsigned long long)v->len,
		    (unsigned long long)bl);
	}
	if (v->page && v->unmarked_within)
		feed_finding(v->fl, FND_FEED_BITFIELD_DAMAGED, v->index, v->dir, "bitfield",
		             (int64_t)v->first_unmarked,
		             P_("feed %d: its bitfield does not mark %llu block the file holds "
		                "intact (block %llu): Mapeo does not offer it, and the sync "
		                "waits for it for ever",
		                "feed %d: its bitfield does not mark %llu blocks the file holds "
		                "intact (block %llu and on): Mapeo does not offer them, and the "
		                "sync waits for them for ever",
		                v->unmarked_within),
		             v->index, (unsigned long long)v->unmarked_within,
		             (unsigned long long)v->first_unmarked);
}

/* Data bits set at or past the feed's end (one flipped bit of a page is
 * enough): hypercore announces those blocks as held, a peer asks for them
 * and the sync stops with "No proof available for this index" (seen with
 * the real Mapeo), while nothing else in the feed is wrong. */
static void bits_past_end(verifier *v)
{
	const uint8_t *bf = v->src->bitfield;
	size_t part = v->page * 2 / 7, n = 0;
	uint64_t first = 0;
	for (size_t at = HC_HEADER; v->page && at < v->src->bitfield_len; at++) {
		size_t pg = (at - HC_HEADER) / v->page, b = (at - HC_HEADER) % v->page;
		if (b >= part || !bf[at])
			continue;
		for (unsigned k = 0; k < 8; k++) {
			uint64_t block = ((uint64_t)pg * part + b) * 8 + k;
			if (!(bf[at] & (0x80 >> k)) || block < v->len)
				continue;
			if (!n++)
				first = block;
		}
	}
	bitfield_short(v);
	if (n)
		feed_finding(v->fl, FND_FEED_BITFIELD_DAMAGED, v->index, v->dir, "bitfield",
		             (int64_t)first,
		             P_("feed %d: its bitfield marks %zu block past its end (block %llu; "
		                "the feed has %llu): Mapeo offers it, cannot prove it and stops "
		                "with 'No proof available for this index'",
		                "feed %d: its bitfield marks %zu blocks past its end (block %llu "
		                "and on; the feed has %llu): Mapeo offers them, cannot prove them "
		                "and stops with 'No proof available for this index'",
		                n),
		             v->index, n, (unsigned long long)first, (unsigned long long)v->len);
}

/* An empty feed whose bitfield holds pages of zeros after its header:
 * hypercore writes none for a feed with no blocks, and Mapeo, given such a
 * file, waits for ever (seen with @mapeo/core 8.6.2: a rebuild wrote one
 * page for an empty feed whose headers it wrote again). */
static void empty_feed_pages(verifier *v)
{
	const uint8_t *bf = v->src->bitfield;
	size_t n = v->src->bitfield_len;
	if (v->len || !bf || n <= HC_HEADER)
		return;
	for (size_t at = HC_HEADER; at < n; at++)
		if (bf[at])
			return; /* bits set: bits_past_end() tells them */
	feed_finding(v->fl, FND_FEED_BITFIELD_DAMAGED, v->index, v->dir, "bitfield", -1,
	             P_("feed %d has no blocks, but its bitfield goes on for %zu byte of zeros "
	                "after its header: hypercore writes none for an empty feed, and Mapeo "
	                "waits for ever on a file that has it; a rebuild writes the bare "
	                "header",
	                "feed %d has no blocks, but its bitfield goes on for %zu bytes of zeros "
	                "after its header: hypercore writes none for an empty feed, and Mapeo "
	                "waits for ever on a file that has them; a rebuild writes the bare "
	                "header",
	                n - HC_HEADER),
	             v->index, n - HC_HEADER);
}

/* The feed-wide findings: missing blocks, an unsigned end. */
static void summary_findings(verifier *v)
{
	const feed_result *res = v->res;
	uint64_t len = v->len;
	int index = v->index;
	bits_past_end(v);
	empty_feed_pages(v);
	if (len && res->present < len)
		feed_finding(v->fl, FND_FEED_INCOMPLETE, index, v->dir, "bitfield", -1,
		             P_("feed %d has %llu of its %llu block (%llu missing): a sync "
		                "with this file can stall waiting for it",
		                "feed %d has %llu of its %llu blocks (%llu missing): a sync "
		                "with this file can stall waiting for them",
		                len),
		             index, (unsigned long long)res->present, (unsigned long long)len,
		             (unsigned long long)(len - res->present));
	/* without a key nothing tells a good signature from a bad one:
	 * feed-key-invalid says so */
	if (len && res->signed_len < (int64_t)len && res->headers_ok && v->key_ok &&
	    v->lines_signed < len) {
		if (res->signed_len < 0)
			feed_finding(v->fl, FND_FEED_UNSIGNED, index, v->dir, "signatures", 0,
			             P_("feed %d: no valid signature covers its %llu block",
			                "feed %d: no valid signature covers any of its %llu blocks",
			                len),
			             index, (unsigned long long)len);
		else
			feed_finding(
			    v->fl, FND_FEED_UNSIGNED, index, v->dir, "signatures", res->signed_len,
			    _("feed %d: no valid signature covers its last blocks (signed up to "
			      "%lld of %llu)"),
			    index, (long long)res->signed_len, (unsigned long long)len);
	}
}

void feed_records_compute_parents(feed_records *t, uint64_t len)
{
	feed_records_compute_parents_over(t, len, false);
}

void feed_records_compute_parents_over(feed_records *t, uint64_t len, bool keep_held)
{
	/* level by level, so that each level reads and writes its nodes in
	 * order */
	for (unsigned d = 1; d < 64 && ((uint64_t)1 << d) <= len; d++) {
		uint64_t span = (uint64_t)1 << d;
		for (uint64_t o = 0; (o + 1) * span <= len && !sess_interrupted; o++) {
			uint64_t i = ((2 * o + 1) << d) - 1, half = span / 2;
			uint8_t l[HC_NODE] = {0}, r[HC_NODE] = {0}, pn[HC_NODE];
			feed_records_get(t, i - half, l);
			feed_records_get(t, i + half, r);
			if (keep_held && hc_node_blank(l) && hc_node_blank(r))
				continue; /* nothing below it: the node held stays */
			hc_parent_node(l, r, pn);
			feed_records_put(t, i, pn);
		}
	}
}

/* Blocks the stored tree cannot place (no node: a tree file cut short or
 * emptied; a leaf whose size runs past the data): a salvage builds the tree
 * again on the data split into its entries (feed_leaves_from_lines()) and
 * keeps it as far as a signature verifies over it (salvage_feed() in
 * rebuild.c). That length is what it keeps, said here with its count; the
 * entries under it that were not handed to cb are read, so that the
 * observations the file holds are all counted. */
static sd_status lines_salvage(verifier *v, feed_block_fn cb, void *ud, sd_error *err)
{
	const feed_source *src = v->src;
	/* a signature past the length the tree and bitfield give: both cut */
	bool longer = false;
	uint8_t sg[HC_SIG];
	for (uint64_t l = v->len; l < v->sigs.n_rec && !longer && !sess_interrupted; l++)
		longer = rf_get(&v->sigs, l, sg) && !sig_blank(sg);
	if ((!v->unplaced && !longer) || !v->key_ok || !v->sigs.n_rec || !src->data_size)
		return SD_OK;
	uint64_t n, s = 0;
	feed_records *t =
	    feed_leaves_from_lines(src->read_data, src->ctx, src->data_size, v->sigs.n_rec, &n);
	if (!t)
		return SD_OK;
	feed_records_compute_parents(t, n);
	for (uint64_t l = n; l > v->res->verified && !s && !sess_interrupted; l--) {
		uint8_t sig[HC_SIG], th[32];
		if (rf_get(&v->sigs, l - 1, sig) && !sig_blank(sig) &&
		    feed_records_tree_hash(t, l, th) &&
		    crypto_sign_verify_detached(sig, th, 32, src->key) == 0)
			s = l;
	}
	sd_status st = SD_OK;
	uint8_t *buf = NULL;
	for (uint64_t k = 0, off = 0; k < s && st == SD_OK; k++) {
		uint8_t leaf[HC_NODE] = {0};
		feed_records_get(t, 2 * k, leaf);
		uint64_t size = hc_be64(leaf + 32);
		if ((k >= v->len || !(v->handed[k / 8] >> (k % 8) & 1)) && cb) {
			buf = xrealloc(buf, (size_t)size + 1);
			st = src->read_data(src->ctx, off, buf, (size_t)size, err);
			if (st == SD_OK)
				cb(ud, k, buf, (size_t)size, true);
		}
		off += size;
	}
	free(buf);
	feed_records_free(t);
	v->lines_signed = s;
	if (!s)
		return st;
	/* the data under s is proved: a mismatch there is the tree's */
	for (size_t i = v->first_finding; i < fnd_n(v->fl); i++) {
		const finding *f = fnd_at(v->fl, i);
		bool json = f->id == FND_ENTRY_NOT_JSON;
		if ((f->id != FND_FEED_HASH_MISMATCH && !json) || f->feed != v->index ||
		    f->block < 0 || (uint64_t)f->block >= s || !f->inner ||
		    !strstr(f->inner, "/data"))
			continue;
		finding *e = fnd_edit(v->fl, i);
		free(e->message);
		e->message =
		    json ? xasprintf(_("feed %d, block %llu: the bytes where the damaged tree "
		                       "places it are not one entry; where it really lies, its "
		                       "data is intact (see below)"),
		                     v->index, (unsigned long long)e->block)
		         : xasprintf(_("feed %d, block %llu: its data does not match the node "
		                       "the tree holds for it, but the data is intact (see "
		                       "below): the tree is what was damaged"),
		                     v->index, (unsigned long long)e->block);
	}
	if (s > v->len) {
		/* the tree and the bitfield were both cut: the device signed more,
		 * and the data holds it */
		feed_finding(v->fl, FND_FEED_HASH_MISMATCH, v->index, v->dir, "tree", -1,
		             P_("feed %d: its tree and bitfield give it %llu block, but its data "
		                "split into its entries gives %llu that the device's signature "
		                "for length %llu proves (the tree and bitfield were cut or "
		                "damaged): a salvage computes the tree again and keeps all %llu",
		                "feed %d: its tree and bitfield give it %llu blocks, but its data "
		                "split into its entries gives %llu that the device's signature "
		                "for length %llu proves (the tree and bitfield were cut or "
		                "damaged): a salvage computes the tree again and keeps all %llu",
		                v->len),
		             v->index, (unsigned long long)v->len, (unsigned long long)s,
		             (unsigned long long)s, (unsigned long long)s);
		v->res->present += s - v->len;
		v->res->length = s;
		return st;
	}
	feed_finding(v->fl, FND_FEED_HASH_MISMATCH, v->index, v->dir, "tree", -1,
	             P_("feed %d: %llu of its blocks does not verify against its tree, but its "
	                "data split into its entries gives blocks that the device's signature "
	                "for length %llu proves: a salvage computes the tree again from them "
	                "and keeps %llu of the feed's %llu blocks",
	                "feed %d: %llu of its blocks do not verify against its tree, but its "
	                "data split into its entries gives blocks that the device's signature "
	                "for length %llu proves: a salvage computes the tree again from them "
	                "and keeps %llu of the feed's %llu blocks",
	                v->unplaced),
	             v->index, (unsigned long long)v->unplaced, (unsigned long long)s,
	             (unsigned long long)s, (unsigned long long)v->len);
	return st;
}

/* The first read failure of the tree or signatures file, else st. */
static sd_status files_status(verifier *v, sd_status st, sd_error *err)
{
	rfile *f = v->tree.st != SD_OK ? &v->tree : v->sigs.st != SD_OK ? &v->sigs : NULL;
	if (st != SD_OK || !f)
		return st;
	if (err)
		*err = f->err;
	return f->st;
}

sd_status feed_verify(const feed_source *src, int index, feed_result *res, findings *fl,
                      feed_block_fn cb, void *ud, const sd_progress *prog, sd_error *err)
{
	memset(res, 0, sizeof *res);
	res->signed_len = -1;
	if (sodium_init() < 0)
		sd_fatal(_("libsodium could not be initialised"));
	verifier *v = xcalloc(1, sizeof *v);
	v->src = src, v->index = index, v->fl = fl, v->res = res;
	v->first_finding = fnd_n(fl);
	v->dir = src->dir ? src->dir : "?";
	v->key_ok = src->key && src->key_len == 32;
	if (v->key_ok)
		keys_hex(src->key, 32, res->key_hex);
	rf_init(&v->tree, src->has_tree, src->tree, src->tree_len, src->read_tree, src->tree_ctx,
	        HC_NODE);
	rf_init(&v->sigs, src->has_signatures, src->signatures, src->signatures_len,
	        src->read_signatures, src->signatures_ctx, HC_SIG);
	v->n_nodes = v->tree.n_rec;

	check_headers(v);
	v->len = res->length = feed_length(v);
	v->ok = xcalloc((size_t)(v->len / 8) + 1, 1);
	v->handed = xcalloc((size_t)(v->len / 8) + 1, 1);
	sd_status st = verify_blocks(v, cb, ud, prog, err);
	if (st == SD_OK) {
		verify_parents(v, prog);
		if (v->reported > MAX_REPORTED)
			feed_finding(fl, FND_FEED_HASH_MISMATCH, index, v->dir, NULL, -1,
			             P_("feed %d: %u more hash problem was not listed",
			                "feed %d: %u more hash problems were not listed one by one",
			                v->reported - MAX_REPORTED),
			             index, v->reported - MAX_REPORTED);
		verify_signatures(v, prog);
		verified_prefix(v);
		st = lines_salvage(v, cb, ud, err);
		summary_findings(v);
		if (sd_progress_cancelled(prog))
			st = sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
	}
	st = files_status(v, st, err);
	free(v->ok), free(v->handed), free(v->patched.v);
	rf_free(&v->tree), rf_free(&v->sigs);
	free(v);
	return st;
}

long feed_key_prove(const feed_source *src, const uint8_t *cands, size_t n, uint64_t *signed_len)
{
	if (sodium_init() < 0)
		sd_fatal(_("libsodium could not be initialised"));
	rfile t, sg;
	rf_init(&t, src->has_tree, src->tree, src->tree_len, src->read_tree, src->tree_ctx,
	        HC_NODE);
	rf_init(&sg, src->has_signatures, src->signatures, src->signatures_len,
	        src->read_signatures, src->signatures_ctx, HC_SIG);
	/* the last signed lengths whose tree hash the stored tree gives: each
	 * candidate is one Ed25519 verification against each */
	uint8_t sig[FEED_KEY_SIGS][HC_SIG], th[FEED_KEY_SIGS][32];
	uint64_t len[FEED_KEY_SIGS];
	size_t m = 0;
	uint64_t roots = t.n_rec / 2 + 1;
	for (uint64_t s = sg.n_rec < roots ? sg.n_rec : roots; s > 0 && m < FEED_KEY_SIGS; s--) {
		if (!rf_get(&sg, s - 1, sig[m]) || sig_blank(sig[m]) ||
		    !tree_hash_over(&t, NULL, NULL, s, UINT64_MAX, NULL, th[m]))
			continue;
		len[m++] = s;
	}
	long found = m ? -1 : -2;
	for (size_t c = 0; c < n && found < 0 && m && !sess_interrupted; c++)
		for (size_t k = 0; k < m && found < 0; k++)
			if (crypto_sign_verify_detached(sig[k], th[k], 32, cands + 32 * c) == 0) {
				found = (long)c;
				*signed_len = len[k];
			}
	rf_free(&t), rf_free(&sg);
	return found;
}

/* Two scans for newlines, 64 KiB at a time: the first counts the blocks
 * (the tree's size), the second reads each block whole and hashes it into
 * its leaf, so that no list of sizes grows with the feed. */
static bool lines_scan(feed_read_fn read, void *ctx, uint64_t data_size, uint64_t max,
                       feed_records *tree, uint64_t *count)
{
	enum { CHUNK = 64 << 10 };
	uint8_t *chunk = xmalloc(CHUNK), *buf = NULL;
	uint64_t start = 0;
	bool ok = true;
	*count = 0;
	for (uint64_t off = 0; off < data_size && *count < max && ok; off += CHUNK) {
		size_t len = data_size - off < CHUNK ? (size_t)(data_size - off) : CHUNK;
		ok = !sess_interrupted && read(ctx, off, chunk, len, NULL) == SD_OK;
		for (size_t i = 0; ok && i < len && *count < max; i++) {
			if (chunk[i] != '\n')
				continue;
			uint64_t size = off + i + 1 - start;
			if (size > FEED_MAX_BLOCK) {
				max = *count; /* a block syncdoctor does not load ends the guess */
				break;
			}
			if (tree) {
				uint8_t leaf[HC_NODE];
				buf = xrealloc(buf, (size_t)size);
				ok = !sess_interrupted &&
				     read(ctx, start, buf, (size_t)size, NULL) == SD_OK;
				hc_leaf_hash(buf, (size_t)size, leaf);
				hc_put_be64(leaf + 32, size);
				feed_records_put(tree, 2 * *count, leaf);
			}
			++*count;
			start = off + i + 1;
		}
	}
	free(chunk), free(buf);
	return ok;
}

feed_records *feed_leaves_from_lines(feed_read_fn read, void *ctx, uint64_t data_size, uint64_t max,
                                     uint64_t *n)
{
	uint64_t count;
	*n = 0;
	if (!lines_scan(read, ctx, data_size, max, NULL, &count) || !count)
		return NULL;
	feed_records *tree = feed_records_temp(2 * count - 1, HC_NODE);
	uint64_t again;
	if (!lines_scan(read, ctx, data_size, count, tree, &again) || again != count) {
		feed_records_free(tree);
		return NULL;
	}
	*n = count;
	return tree;
}
