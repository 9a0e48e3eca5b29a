/* database.h: a Mapeo database folder read in place (module prefix db_).
 *
 * Mapeo keeps the same hypercore feed folders a sync file carries in its
 * inner tar (doc/formats.md §3, §10): Mapeo Desktop in <userData>/kappa.db
 * (plus secret_key and localname in this computer's own feed, a folder named
 * after the project key, LevelDB indexes, and photos under
 * media/{original,preview,thumbnail}/<2 characters>/<id>), a leftover
 * osm-p2p-syncfile-* temporary folder in its multifeed/ folder, and a copied
 * Mapeo Mobile database (<privateStorage>/db with media/ beside it, as
 * mapeo-mobile's src/backend/server.js makes them).
 *
 * db_open() presents such a folder as a read-only `syncfile` (syncfile.h):
 * every feed file and photo gets a range in a virtual address space, and
 * sf_read() reads the real files through it (the view's src.ops, source.h,
 * which also say whether a file changed: src_check_unchanged()). So the
 * diagnosis and the rebuild verify a database with exactly the code they
 * use for a sync file.
 * Photos become members named as upstream sync files name them
 * ("original/<id>": the 2-character folder removed).
 *
 * A temporary folder may hold the database packed (osm-p2p-db.tar), read
 * as a sync file reads its database member (sf_read_packed()); with both
 * copies the tar is read when it is whole and every feed in it verifies,
 * else the unpacked one (db_view_copy() says which). Nothing below a
 * temporary folder is reached through a symbolic link (io.h,
 * io_open_beneath()): others may write to the system's temporary folder.
 *
 * Nothing is ever written, and secret_key and localname are never opened:
 * only their presence is noted (sf_feed.has_secret_key marks this
 * computer's own feed). The folder named after the project key is read for
 * its name only, to tell the project (its discovery key; the key itself is
 * never kept or shown). LevelDB indexes are ignored.
 *
 * Ownership: the syncfile from db_open() is freed with sf_close(). */
#ifndef SD_DATABASE_H
#define SD_DATABASE_H

#include <stdbool.h>

#include "finding.h"
#include "progress.h"
#include "status.h"
#include "syncfile.h"

typedef enum db_kind {
	DB_KIND_NONE = 0,
	DB_KIND_DESKTOP, /* Mapeo Desktop: <userData> or its kappa.db */
	DB_KIND_TEMP,    /* a leftover osm-p2p-syncfile-* folder (its multifeed/) */
	DB_KIND_FOLDER,  /* numbered feed folders (a Mapeo Mobile copy, or any other) */
} db_kind;

/* Which copy of a temporary folder's database a view reads: Mapeo
 * unpacks it into multifeed/ when a sync opens the file and packs it into
 * osm-p2p-db.tar beside it when the sync closes (doc/formats.md §3). */
typedef enum db_copy {
	DB_COPY_UNPACKED = 0,         /* multifeed/ (any folder but a temporary one) */
	DB_COPY_PACKED,               /* osm-p2p-db.tar, the only copy */
	DB_COPY_PACKED_OVER_UNPACKED, /* both: the tar is whole and verifies */
	DB_COPY_UNPACKED_OVER_PACKED, /* both: the tar is cut or does not verify */
} db_copy;

/* What path holds, without reading any feed: DB_KIND_NONE when it is not a
 * folder holding a Mapeo database. */
db_kind db_probe(const char *path);
/* "desktop", "temp", "folder" (stable, for reports) */
const char *db_kind_name(db_kind k);

/* The Mapeo Desktop database of this computer: the first
 * <userData>/kappa.db among cfg_userdata_candidates(override). Caller frees;
 * NULL when none exists. */
char *db_find_default(const char *userdata_override);

/* The <userData> folder of a Desktop database path (path itself, or the
 * parent of a kappa.db); caller frees. */
char *db_userdata_of(const char *path);

/* Open path (any folder db_probe() accepts) as a syncfile view. Problems in
 * the database are findings in fl; an error only when it is no database or
 * cannot be read at all. */
sd_status db_open(const char *path, syncfile **out, findings *fl, const sd_progress *prog,
                  sd_error *err);
/* True when sf came from db_open() (sf->src.kind == SRC_DATABASE). */
bool db_is_view(const syncfile *sf);
/* The kind of folder behind a view. */
db_kind db_view_kind(const syncfile *sf);
/* Which copy of the database a view reads; *bad_feed (may be NULL) the
 * packed feed that did not verify for DB_COPY_UNPACKED_OVER_PACKED, -1 when
 * the tar itself is damaged or cut, -2 when it could not be opened. */
db_copy db_view_copy(const syncfile *sf, int *bad_feed);

#endif
