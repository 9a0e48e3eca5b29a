/* feed.h: verify one hypercore feed (hypercore 6.26 and 7.7 storage,
 * doc/formats.md §4) with libsodium: headers, leaf and parent hashes, Ed25519
 * signatures over tree hashes, the bitfield, and the length that verifies.
 *
 * The same code serves a sync file (the files are members of the inner tar)
 * and a database folder (files on disk): the caller loads the small files
 * (key, bitfield) and streams the data file through read_data; the tree and
 * signatures files (80 and 64 bytes a block) are either given whole or read
 * on demand through read_tree / read_signatures, a few pages at a time, so
 * a feed of any length verifies in bounded memory. Blocks are handed to a
 * callback in order, so entries are decoded in the same pass. */
#ifndef SD_FEED_H
#define SD_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "keys.h"
#include "progress.h"
#include "status.h"

#define FEED_MAX_BLOCK (8u << 20) /* a block larger than this is reported, not loaded */

/* Read len bytes at offset off of one of the feed's files. */
typedef sd_status (*feed_read_fn)(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err);

typedef struct feed_source {
	const char *dir; /* directory name, for messages and finding locations */
	const uint8_t *key;
	size_t key_len;
	/* The tree and signatures files: whole in memory (tree, signatures), or
	 * else read through read_tree(tree_ctx, ...) and
	 * read_signatures(signatures_ctx, ...); *_len is the file's size. */
	const uint8_t *tree;
	uint64_t tree_len;
	const uint8_t *signatures;
	uint64_t signatures_len;
	feed_read_fn read_tree, read_signatures;
	void *tree_ctx, *signatures_ctx;
	const uint8_t *bitfield;
	size_t bitfield_len;
	bool has_tree, has_signatures, has_bitfield;
	uint64_t data_size; /* 0 when there is no data file */
	/* Read len bytes at offset off of the data file. */
	feed_read_fn read_data;
	void *ctx;
	/* The searches for a signature with one damaged byte this check made
	 * so far (feed_result.sig_mend), at most FEED_MENDS; NULL: none. */
	unsigned *mends_used;
	/* This computer's own feed (a database folder): reads the feed's
	 * secret key (libsodium's 64 bytes) into sk, false when it cannot
	 * (no file, not 64 bytes). Asked only when the signature for the
	 * feed's whole length does not verify; the caller's buffer is wiped
	 * after one signature. NULL: no secret key (every sync file). */
	bool (*read_secret_key)(void *ctx, uint8_t sk[64]);
	void *secret_ctx;
} feed_source;

/* The signature for a feed's whole length, as the device made it, where
 * the stored one does not verify (mend_signature() in feed.c): either one
 * damaged byte found again (byte `at` reads sig[at]), or, for this
 * computer's own feed, made again with its secret key (remade: Ed25519
 * signs the same tree hash to the same bytes). sig is slot length - 1.
 * Copied as it is into the report and the rebuild's plan. */
typedef struct feed_sig_mend {
	bool on;
	bool remade;
	unsigned at;
	uint8_t sig[64]; /* HC_SIG */
} feed_sig_mend;

/* Searches for a signature with one damaged byte in one check: each tries
 * up to 64 x 255 signatures (about a second), so a file of many such
 * feeds stays quick. */
#define FEED_MENDS 4

/* Fuzzing only: no such search (a second an input), nor a rebuild's
 * (salvage_feed() in rebuild.c, which asks feed_mending()). */
void feed_set_mending(bool on);
bool feed_mending(void);

typedef struct feed_result {
	char key_hex[KEYS_HEX_SIZE]; /* "" when the key is unreadable */
	bool headers_ok;
	uint64_t length;    /* blocks the tree says the feed has */
	uint64_t present;   /* blocks the file holds: marked in the data bitfield, or not
	                       marked but hashing to their leaf (a damaged bitfield) */
	uint64_t unmarked;  /* of those, the blocks the data bitfield does not mark */
	uint64_t hashed_ok; /* blocks whose data hashes to their leaf */
	uint64_t intact;    /* blocks whose data and every tree node above them are intact
	                       (they verify, but a salvage keeps them only up to a signed length) */
	uint64_t verified;  /* largest n: blocks 0..n-1 present, hashing, and covered by a valid
	                       signature at length n or more through intact tree nodes */
	int64_t signed_len; /* highest length with a valid signature; -1 none */
	uint64_t first_bad; /* first block that does not verify (== length when all do) */
	/* The signature for the whole length, found again (one damaged byte)
	 * or made again with the feed's secret key: the device's own
	 * signature, which a rebuild writes. signed_len and verified count it. */
	feed_sig_mend sig_mend;
} feed_result;

/* Called for each present block in order; hash_ok tells whether its data
 * matches the tree. data is valid only during the call. */
typedef void (*feed_block_fn)(void *ud, uint64_t seq, const uint8_t *data, size_t len,
                              bool hash_ok);

/* Verify src. Problems are findings (feed index `index`); returns an error
 * only for I/O failures or cancellation. */
sd_status feed_verify(const feed_source *src, int index, feed_result *res, findings *fl,
                      feed_block_fn cb, void *ud, const sd_progress *prog, sd_error *err);

/* A key for src, whose key file is not 32 bytes (cut, grown or emptied by
 * storage damage; src->key is not read): the first of the n candidates
 * (32 bytes each, cands) with which one of the feed's last signed lengths
 * verifies, its signature over the tree hash of the stored tree (Ed25519
 * with libsodium: a key that is not the feed's does not verify). Returns its
 * position and sets *signed_len to that length; -1 when none is proved, -2
 * when the tree and signatures file cannot tell (no signed length whose
 * tree hash the stored tree gives). At most FEED_KEY_SIGS signatures are
 * tried, the last first. */
#define FEED_KEY_SIGS 4
long feed_key_prove(const feed_source *src, const uint8_t *cands, size_t n, uint64_t *signed_len);

/* Tests only: records per cached page of a tree or signatures file read on
 * demand (0: the default, 256), to make a small fixture span many pages. */
void feed_set_page_records(size_t n);

/* A tree or signatures file by record (a node, HC_NODE bytes, or a
 * signature slot, HC_SIG), through a few cached pages, for the rebuild's
 * analysis of a damaged feed (issue 21: a million blocks are 144 MB of tree
 * and signatures, never whole in memory). Either a stored file, read through
 * read(ctx, ...) (size bytes, header included), or one the rebuild computes:
 * cap records, zeros until put, kept in a temporary file of its own in
 * $TMPDIR (unlinked at once; in memory when none can be made). The owner
 * frees it with feed_records_free(); a stored one's ctx must outlive it. */
typedef struct feed_records feed_records;
feed_records *feed_records_open(feed_read_fn read, void *ctx, uint64_t size, size_t rec);
feed_records *feed_records_temp(uint64_t cap, size_t rec);
void feed_records_free(feed_records *r);
/* Records it has: whole ones (a stored file), or cap. */
uint64_t feed_records_count(const feed_records *r);
/* The 32-byte header (a stored file's first bytes, zeros past its end). */
const uint8_t *feed_records_head(const feed_records *r);
void feed_records_set_head(feed_records *r, const uint8_t head[32]);
/* Record i into out; false past the count or when it cannot be read. */
bool feed_records_get(feed_records *r, uint64_t i, uint8_t *out);
/* Record i of a computed file (a stored one is never written). */
void feed_records_put(feed_records *r, uint64_t i, const uint8_t *in);
/* The tree hash for length len, as feed_tree_hash() gives it over the
 * file's count of nodes. */
bool feed_records_tree_hash(feed_records *r, uint64_t len, uint8_t out[32]);

/* The leaves of a feed whose data file is split after each newline: a
 * kappa-osm entry is one JSON value and a newline, and JSON escapes a
 * newline inside a string (doc/formats.md §4, §6). For a tree whose nodes or
 * leaf sizes are lost over intact data: the guess is worth something only
 * when a signature verifies over the tree built on it. Reads the data
 * (data_size bytes) through read(ctx, ...) and puts the leaves of at most
 * max blocks (no block over FEED_MAX_BLOCK, none past the last newline) into
 * a new computed tree of 2n - 1 nodes whose header and parents are zero
 * (the caller computes the parents and frees it); *n blocks. NULL when a
 * read fails, sess_interrupted is set, or there is no block. */
feed_records *feed_leaves_from_lines(feed_read_fn read, void *ctx, uint64_t data_size, uint64_t max,
                                     uint64_t *n);

/* Every parent of t (a tree of a feed of len blocks, by record) computed
 * again from its leaves up; stops early at an interrupt. */
void feed_records_compute_parents(feed_records *t, uint64_t len);
/* The same; with keep_held, a parent both of whose children are blank (no
 * block below it is held: a feed downloaded in part keeps the nodes its
 * proofs brought) keeps the node t holds. A parent with a block below it
 * is always computed, so a signature over the result still proves every
 * block it holds. */
void feed_records_compute_parents_over(feed_records *t, uint64_t len, bool keep_held);

/* flat-tree helpers, exposed for the rebuild and tests. */
/* Roots of a feed of length len (node indexes, left to right); returns the count. */
size_t feed_full_roots(uint64_t len, uint64_t *roots /* at least 64 */);
/* 32-byte tree hash for length len from the stored tree, or false when a root is absent. */
bool feed_tree_hash(const uint8_t *tree, size_t tree_len, uint64_t len, uint8_t out[32]);

#endif
