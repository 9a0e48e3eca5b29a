/* strmap.h: a string-keyed hash table (module prefix smap_), so that work
 * over a file's members, feeds and observations looks things up by name or
 * key in constant time instead of scanning (a file may hold 100,000 members).
 *
 * Ownership: the map copies nothing. Keys must outlive the map; values are
 * plain size_t (an index into the caller's array). smap_free() frees the
 * table only. */
#ifndef SD_STRMAP_H
#define SD_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct smap_slot {
	const char *key; /* NULL: empty */
	size_t len;
	size_t value;
} smap_slot;

typedef struct smap {
	smap_slot *slots;
	size_t cap; /* a power of two */
	size_t n;
} smap;

void smap_init(smap *m);
void smap_free(smap *m);
/* Set key (its first len bytes) to value, replacing an earlier value. */
void smap_put(smap *m, const char *key, size_t len, size_t value);
/* True and *value set when key is in the map. */
bool smap_get(const smap *m, const char *key, size_t len, size_t *value);
/* The 64-bit hash the map uses (FNV-1a), for callers that sort by it
 * instead of keeping the keys. */
uint64_t smap_hash(const char *key, size_t len);

#endif
