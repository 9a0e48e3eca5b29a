#include "config.h"

#include "feedwrite.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "xalloc.h"

#define NODE 40
#define PAGE 3584

struct fwb {
	uint8_t *nodes; /* NODE bytes per flat-tree index */
	size_t cap;     /* in nodes */
	uint64_t len;   /* blocks */
};

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

fwb *fwb_new(void)
{
	if (sodium_init() < 0)
		sd_fatal("libsodium could not be initialised");
	return xcalloc(1, sizeof(fwb));
}

void fwb_free(fwb *b)
{
	if (b) {
		free(b->nodes);
		free(b);
	}
}

uint64_t fwb_length(const fwb *b) { return b->len; }

static uint8_t *node_at(fwb *b, uint64_t i)
{
	if (i >= b->cap) {
		size_t old = b->cap;
		size_t n = old ? old : 64;
		while (n <= i)
			n *= 2;
		b->nodes = xreallocarray(b->nodes, n, NODE);
		memset(b->nodes + old * NODE, 0, (n - old) * NODE);
		b->cap = n;
	}
	return b->nodes + i * NODE;
}

void fwb_append(fwb *b, const uint8_t *data, size_t len)
{
	uint64_t k = b->len++;
	uint8_t *leaf = node_at(b, 2 * k);
	crypto_generichash_state st;
	uint8_t pre[9] = {0};
	put_be64(pre + 1, len);
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, pre, 9);
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, leaf, 32);
	put_be64(leaf + 32, len);
	/* every parent whose right edge is this block */
	for (unsigned d = 1; d < 64 && ((k + 1) & (((uint64_t)1 << d) - 1)) == 0; d++) {
		uint64_t o = ((k + 1) >> d) - 1;
		uint64_t i = ((2 * o + 1) << d) - 1, half = (uint64_t)1 << (d - 1);
		uint8_t *p = node_at(b, i);
		const uint8_t *l = b->nodes + (i - half) * NODE, *r = b->nodes + (i + half) * NODE;
		uint8_t buf[73];
		buf[0] = 1;
		put_be64(buf + 1, be64(l + 32) + be64(r + 32));
		memcpy(buf + 9, l, 32);
		memcpy(buf + 41, r, 32);
		crypto_generichash(p, 32, buf, sizeof buf, NULL, 0);
		put_be64(p + 32, be64(l + 32) + be64(r + 32));
	}
}

static void header(uint8_t *h, uint8_t type, uint16_t entry, const char *algo)
{
	memset(h, 0, 32);
	h[0] = 0x05, h[1] = 0x02, h[2] = 0x57, h[3] = type, h[4] = 0;
	h[5] = (uint8_t)(entry >> 8), h[6] = (uint8_t)entry;
	h[7] = (uint8_t)strlen(algo);
	memcpy(h + 8, algo, strlen(algo));
}

uint8_t *fwb_tree(const fwb *b, size_t *len)
{
	size_t n = b->len ? (size_t)(2 * b->len - 1) : 0;
	*len = 32 + n * NODE;
	uint8_t *t = xcalloc(1, *len);
	header(t, 2, NODE, "BLAKE2b");
	if (n)
		memcpy(t + 32, b->nodes, n * NODE);
	return t;
}

uint8_t *fwb_signatures(const fwb *b, const uint8_t sk[64], size_t *len)
{
	*len = 32 + (size_t)b->len * 64;
	uint8_t *s = xcalloc(1, *len);
	header(s, 1, 64, "Ed25519");
	if (b->len) {
		size_t tl;
		uint8_t *tree = fwb_tree(b, &tl), th[32];
		feed_tree_hash(tree, tl, b->len, th);
		crypto_sign_detached(s + 32 + (b->len - 1) * 64, NULL, th, 32, sk);
		free(tree);
	}
	return s;
}

uint8_t *fwb_bitfield(const fwb *b, size_t *len)
{
	uint64_t nodes = b->len ? 2 * b->len - 1 : 0;
	uint64_t pages = b->len ? (b->len + 8191) / 8192 : 1;
	uint64_t tpages = nodes ? (nodes + 16383) / 16384 : 1;
	if (tpages > pages)
		pages = tpages;
	*len = 32 + (size_t)pages * PAGE;
	uint8_t *f = xcalloc(1, *len);
	header(f, 0, PAGE, "");
	for (uint64_t k = 0; k < b->len; k++)
		f[32 + (k / 8192) * PAGE + (k % 8192) / 8] |= (uint8_t)(0x80 >> (k & 7));
	for (uint64_t i = 0; i < nodes; i++) {
		/* parents over a partial subtree do not exist yet */
		const uint8_t *nd = b->nodes + i * NODE;
		bool present = false;
		for (int k = 0; k < NODE && !present; k++)
			present = nd[k] != 0;
		if (present)
			f[32 + (i / 16384) * PAGE + 1024 + (i % 16384) / 8] |=
			    (uint8_t)(0x80 >> (i & 7));
	}
	return f;
}
