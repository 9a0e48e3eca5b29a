/* damage.h: make damaged variants of the real fixtures, in code.
 * Every helper works on a copy in a private temporary folder and aborts
 * the test on failure. */
#ifndef SD_DAMAGE_H
#define SD_DAMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "diagnosis.h"

/* Copy tests/data/<fixture> into a new temp folder; returns the path. */
char *dmg_copy(const char *fixture);
void dmg_flip(const char *path, uint64_t off);
void dmg_write(const char *path, uint64_t off, const void *bytes, size_t n);
void dmg_read(const char *path, uint64_t off, void *bytes, size_t n);
void dmg_truncate(const char *path, uint64_t len);
uint64_t dmg_size(const char *path);
/* Recompute the checksum of the tar header at off (keeps its encoding). */
void dmg_fix_checksum(const char *path, uint64_t off);
/* Replace the name of the tar header at off and fix its checksum. */
void dmg_rename(const char *path, uint64_t off, const char *name);
/* Replace ___index.json (and the trailer) with json, written as upstream does. */
void dmg_rewrite_index(const char *path, const char *json);
/* Cut the file at off and write an index (and trailer) there. */
void dmg_write_index_at(const char *path, uint64_t off, const char *json);
/* The raw index JSON of a sync file (caller frees). */
char *dmg_index_json(const char *path);
/* Replace the first occurrence of from with to in s (caller frees the result). */
char *dmg_replace(const char *s, const char *from, const char *to);

/* h16a: Mapeo died while it appended the database (FORMATS.md A.1, A.3):
 * the database's header becomes tar-stream's first-pass header (size 0,
 * checksum computed over it, mtime kept) and the file ends `into` bytes
 * into the data of the inner entry named `inner` (no index, no trailer).
 * Returns the new length of the file. */
uint64_t dmg_torn_append(const char *path, const char *inner, uint64_t into);
/* h16a: Mapeo died after it wrote the whole database and its padding but
 * before it patched the header: first-pass header, no index, no trailer. */
void dmg_unpatched_db(const char *path);

/* An append that died before its index: the index (and trailer) cut
 * away and the database member appended `copies` times in its place.
 * Returns where the first copy starts; *first is the original database's
 * header offset, *len the bytes of one copy (header, data, padding). */
uint64_t dmg_db_again(const char *path, int copies, uint64_t *first, uint64_t *len);

/* Inner tars packed again, as tar-stream packs them (mkdamage's names,
 * dupentry and dbmerge, and the unit tests). */
/* Append a member (header h, then data and its padding) to buf. */
void dmg_put_member(uint8_t **buf, size_t *len, const uint8_t h[512], const void *data,
                    size_t size);
/* The inner tar's end (1024 zero bytes) after the entries in buf. */
void dmg_end_tar(uint8_t **buf, size_t *len);
/* The database member of the sync file sf (open on path) written again at
 * its place with the inner tar buf (entries only: its end is added; buf is
 * taken), the index saying its new size. */
struct syncfile;
void dmg_replace_db(struct syncfile *sf, const char *path, uint8_t *buf, size_t len);
/* The inner tar of sf packed again from its entries: those under skip
 * ("1/") left out, the one named cut only its first cut_bytes, and the one
 * named again written a second time at the end with its first
 * again_bytes (NULLs: none). Caller frees. */
uint8_t *dmg_repack(struct syncfile *sf, const char *path, const char *skip, const char *cut,
                    size_t cut_bytes, const char *again, size_t again_bytes, size_t *len);

/* Run check_run with no configuration; caller frees with report_free. */
sd_report *dmg_check(const char *path);
/* The first finding with code, or NULL. */
const finding *dmg_find(const sd_report *r, const char *code);
/* Remove the temp copy and its folder; frees path. */
void dmg_done(char *path);

#endif
