/* hypercore.h: the fixed numbers of hypercore's on-disk storage (6.26 in
 * sync files, 7.7 in Desktop's database: the same bytes, doc/formats.md §4)
 * and its big-endian integers, shared by the verifier (feed.c), the feed
 * writer (feedwrite.c) and the rebuilder (rebuild.c), so the three cannot
 * drift apart.
 *
 * Ownership: nothing here allocates; every function works on the caller's
 * bytes. */
#ifndef SD_HYPERCORE_H
#define SD_HYPERCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HC_HEADER      32    /* bytes of header at the start of tree, signatures, bitfield */
#define HC_NODE        40    /* a tree node: 32-byte hash, be64 size */
#define HC_SIG         64    /* a signature slot: Ed25519 detached signature */
#define HC_PAGE        3584  /* a bitfield page: 1024 data + 2048 tree + 512 index bytes */
#define HC_PAGE_BLOCKS 8192  /* blocks one page's data bits cover */
#define HC_PAGE_NODES  16384 /* tree nodes one page's tree bits cover */

/* The type byte of each header, and the algorithm names they carry. */
enum { HC_TYPE_BITFIELD = 0, HC_TYPE_SIGNATURES = 1, HC_TYPE_TREE = 2 };
#define HC_ALGO_TREE       "BLAKE2b"
#define HC_ALGO_SIGNATURES "Ed25519"

static inline uint64_t hc_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void hc_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The BLAKE2b-256 hashes of the tree: a leaf over a block's bytes
 * (00 | be64 length | data), and a parent over its two child nodes (each
 * HC_NODE bytes: 01 | be64 size sum | left hash | right hash). */
void hc_leaf_hash(const uint8_t *data, size_t len, uint8_t out[32]);
void hc_parent_hash(const uint8_t *left, const uint8_t *right, uint8_t out[32]);
/* The whole parent node (hash and size) into out (HC_NODE bytes). */
void hc_parent_node(const uint8_t *left, const uint8_t *right, uint8_t *out);
/* A tree node of HC_NODE bytes that is all zeros: one a tree file does
 * not hold (hypercore leaves a node it lacks as zeros). */
bool hc_node_blank(const uint8_t *node);

/* True when p (len bytes, may be NULL) starts with the header of a file of
 * this type: magic 05 02 57, type, version 0, the entry size (any when
 * entry is 0) and algo (a name of at most 24 characters; "" for none). */
bool hc_header_ok(const uint8_t *p, size_t len, uint8_t type, uint16_t entry, const char *algo);
/* Write that header into the HC_HEADER bytes at out. */
void hc_header_write(uint8_t *out, uint8_t type, uint16_t entry, const char *algo);

/* A new bitfield file (header, then the pages) for a feed of len blocks:
 * the data bits of its first data_blocks blocks set, and the tree bit of
 * every node node(i, ctx) says is present (a node that is not all zeros;
 * nodes of a partial subtree do not exist yet). An empty feed's is the bare
 * header, as hypercore leaves it (with a page of zeros the real Mapeo waits
 * for ever). Never NULL; *len its size. */
uint8_t *hc_bitfield_build(uint64_t len, uint64_t data_blocks,
                           bool (*node)(void *ctx, uint64_t i, uint8_t out[HC_NODE]), void *ctx,
                           size_t *size);

#endif
