/* sfwrite.h: write a sync file in the exact layout upstream writes
 * (doc/formats.md §1 to §5): members appended with indexed-tarball's patched
 * headers (12-digit size, 8-digit checksum) and (512 - size % 512) % 512
 * padding, the database as an inner tar-stream archive (11-digit sizes,
 * 6-digit checksums, ending in 1024 zero bytes), then ___index.json with
 * tar-stream's header, padded with 512 - len % 512 bytes (a full block when
 * len is a multiple of 512) and followed by the 1024-byte trailer.
 *
 * The writer streams to an sd_output (io.h) and keeps only the index in
 * memory. Ownership: sfw_begin() returns a writer that sfw_finish() or
 * sfw_abort() frees; the sd_output stays the caller's. */
#ifndef SD_SFWRITE_H
#define SD_SFWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "status.h"

typedef struct sfw sfw;

/* Fill buf with len bytes of a member's content at offset off. */
typedef sd_status (*sfw_read_fn)(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err);

sfw *sfw_begin(sd_output *o, int64_t mtime);
/* Append an outer member (media) whose content comes from read. */
sd_status sfw_add(sfw *w, const char *name, uint64_t size, sfw_read_fn read, void *ctx,
                  sd_error *err);
sd_status sfw_add_buf(sfw *w, const char *name, const void *data, size_t size, sd_error *err);

/* The database member: declare the total size first (sfw_inner_size() of
 * the entries), then add each entry, then end it. */
uint64_t sfw_inner_size(const uint64_t *sizes, size_t n);
sd_status sfw_db_begin(sfw *w, uint64_t inner_size, sd_error *err);
sd_status sfw_db_add(sfw *w, const char *name, uint64_t size, sfw_read_fn read, void *ctx,
                     sd_error *err);
sd_status sfw_db_add_buf(sfw *w, const char *name, const void *data, size_t size, sd_error *err);
sd_status sfw_db_end(sfw *w, sd_error *err);

/* Record that a rebuild left out the photo `name` (damaged, cut short or
 * unsafely named): written into the index's userdata as
 * syncdoctor.left_out, which the check reads (syncfile.h left_out). */
void sfw_note_left_out(sfw *w, const char *name);

/* Write the index and trailer. p2p_db NULL writes an empty "syncfile" object
 * (a new file); discovery_hex NULL means the default project. */
sd_status sfw_finish(sfw *w, const char *p2p_db, const char *discovery_hex, sd_error *err);
void sfw_abort(sfw *w);

#endif
