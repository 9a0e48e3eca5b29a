#include "config.h"

#include "feedwrite.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "hypercore.h"
#include "xalloc.h"

struct fwb {
	uint8_t *nodes; /* HC_NODE bytes per flat-tree index */
	size_t cap;     /* in nodes */
	uint64_t len;   /* blocks */
};

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
		b->nodes = xreallocarray(b->nodes, n, HC_NODE);
		memset(b->nodes + old * HC_NODE, 0, (n - old) * HC_NODE);
		b->cap = n;
	}
	return b->nodes + i * HC_NODE;
}

void fwb_append(fwb *b, const uint8_t *data, size_t len)
{
	uint64_t k = b->len++;
	uint8_t *leaf = node_at(b, 2 * k);
	hc_leaf_hash(data, len, leaf);
	hc_put_be64(leaf + 32, len);
	/* every parent whose right edge is this block */
	for (unsigned d = 1; d < 64 && ((k + 1) & (((uint64_t)1 << d) - 1)) == 0; d++) {
		uint64_t o = ((k + 1) >> d) - 1;
		uint64_t i = ((2 * o + 1) << d) - 1, half = (uint64_t)1 << (d - 1);
		uint8_t *p = node_at(b, i);
		const uint8_t *l = b->nodes + (i - half) * HC_NODE,
		              *r = b->nodes + (i + half) * HC_NODE;
		hc_parent_node(l, r, p);
	}
}

uint8_t *fwb_tree(const fwb *b, size_t *len)
{
	size_t n = b->len ? (size_t)(2 * b->len - 1) : 0;
	*len = 32 + n * HC_NODE;
	uint8_t *t = xcalloc(1, *len);
	hc_header_write(t, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE);
	if (n)
		memcpy(t + 32, b->nodes, n * HC_NODE);
	return t;
}

uint8_t *fwb_signatures(const fwb *b, const uint8_t sk[64], size_t *len)
{
	*len = 32 + (size_t)b->len * 64;
	uint8_t *s = xcalloc(1, *len);
	hc_header_write(s, HC_TYPE_SIGNATURES, HC_SIG, HC_ALGO_SIGNATURES);
	if (b->len) {
		size_t tl;
		uint8_t *tree = fwb_tree(b, &tl), th[32];
		feed_tree_hash(tree, tl, b->len, th);
		crypto_sign_detached(s + 32 + (b->len - 1) * 64, NULL, th, 32, sk);
		free(tree);
	}
	return s;
}

static bool fwb_node(void *ctx, uint64_t i, uint8_t out[HC_NODE])
{
	memcpy(out, ((const fwb *)ctx)->nodes + i * HC_NODE, HC_NODE);
	return true;
}

uint8_t *fwb_bitfield(const fwb *b, size_t *len)
{
	return hc_bitfield_build(b->len, b->len, fwb_node, (void *)b, len);
}
