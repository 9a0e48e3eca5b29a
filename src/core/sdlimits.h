/* sdlimits.h: the safety limits on counts an attacker controls (feeds,
 * members, blocks, photos, feed keys). Not named limits.h so that it never
 * shadows <limits.h>.
 *
 * Every producer that stops at one of these limits reports a
 * "limit-exceeded" finding naming the file, the place and what was left
 * unread, so a diagnosis never says "ok" about data it did not read.
 *
 * Test hook: SYNCDOCTOR_LIMIT_FEEDS, SYNCDOCTOR_LIMIT_MEMBERS,
 * SYNCDOCTOR_LIMIT_INNER_MEMBERS, SYNCDOCTOR_LIMIT_BLOCKS,
 * SYNCDOCTOR_LIMIT_MEDIA and SYNCDOCTOR_LIMIT_KEYS=N lower the limit of that
 * name to N (a positive number below the default; anything else is
 * ignored), so tests exceed them with small files. Read once, at the first
 * sd_limit() call. */
#ifndef SD_SDLIMITS_H
#define SD_SDLIMITS_H

#include <stdint.h>

typedef enum sd_limit_kind {
	SD_LIMIT_FEEDS,         /* feed folders in a database or an inner tar */
	SD_LIMIT_MEMBERS,       /* members of a sync file's outer tar */
	SD_LIMIT_INNER_MEMBERS, /* members of the inner database tar */
	SD_LIMIT_BLOCKS,        /* blocks of one feed (bounds its tree, signatures, bitfield) */
	SD_LIMIT_MEDIA,         /* photo files in a database folder */
	SD_LIMIT_KEYS,          /* distinct feed keys observations link to */
	SD_LIMIT_COUNT
} sd_limit_kind;

uint64_t sd_limit(sd_limit_kind k);
/* Largest tree or signatures file loaded for a feed of at most
 * sd_limit(SD_LIMIT_BLOCKS) blocks (the tree has two 40-byte nodes a block).
 * A bitfield may be one page (up to 64 KiB) more: it is written a page at
 * a time. */
uint64_t sd_limit_feed_file_bytes(void);
#define SD_LIMIT_BITFIELD_SLACK 65536u
/* Read the environment again (tests only). */
void sd_limits_reload(void);

#endif
