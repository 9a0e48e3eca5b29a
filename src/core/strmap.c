#include "config.h"

#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void smap_init(smap *m) { m->slots = NULL, m->cap = 0, m->n = 0; }

void smap_free(smap *m)
{
	free(m->slots);
	smap_init(m);
}

/* FNV-1a: keys come from files, but a lookup is never worse than the
 * probe length, and the table stays under half full. */
uint64_t smap_hash(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
	return h;
}

static size_t hash(const char *key, size_t len)
{
	uint64_t h = smap_hash(key, len);
	return (size_t)(h ^ h >> 29);
}

static smap_slot *find(const smap *m, const char *key, size_t len)
{
	size_t i = hash(key, len) & (m->cap - 1);
	while (m->slots[i].key &&
	       (m->slots[i].len != len || memcmp(m->slots[i].key, key, len) != 0))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

void smap_put(smap *m, const char *key, size_t len, size_t value)
{
	if (2 * (m->n + 1) > m->cap) {
		smap old = *m;
		m->cap = old.cap ? 2 * old.cap : 64;
		m->slots = xcalloc(m->cap, sizeof *m->slots);
		m->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.slots[i].key)
				smap_put(m, old.slots[i].key, old.slots[i].len, old.slots[i].value);
		free(old.slots);
	}
	smap_slot *s = find(m, key, len);
	if (!s->key) {
		s->key = key, s->len = len;
		m->n++;
	}
	s->value = value;
}

bool smap_get(const smap *m, const char *key, size_t len, size_t *value)
{
	if (!m->cap)
		return false;
	const smap_slot *s = find(m, key, len);
	if (!s->key)
		return false;
	*value = s->value;
	return true;
}
