/* source.h: what a diagnosis reads, whichever form it has (module prefix
 * src_).
 *
 * A sync file and a Mapeo database folder are two sources of the same
 * thing: hypercore feeds and photos (doc/formats.md §3, §10). sf_open()
 * (syncfile.c) and db_open() (database.c) both fill one `syncfile` view,
 * and both fill its `src` part: how its bytes are read and the few facts
 * in which the two differ. The diagnosis and the rebuild ask these facts,
 * never which opener made the view; src_open() picks the opener.
 *
 * Ownership: src_info belongs to its syncfile; sf_close() frees it
 * (ops->close(ctx), config_userdata). */
#ifndef SD_SOURCE_H
#define SD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "progress.h"
#include "status.h"

struct syncfile;

typedef enum src_kind {
	SRC_SYNC_FILE = 0, /* a .mapeodata (syncfile.c) */
	SRC_DATABASE,      /* a Mapeo database folder read in place (database.c) */
} src_kind;

/* What step 1 can compare with a configuration. */
typedef enum src_project {
	SRC_PROJECT_NONE = 0, /* not a Mapeo source (not a sync file): nothing to compare */
	SRC_PROJECT_NAMED,    /* it names its project (or should, and step 1 says why it
	                         cannot be read): compare */
	SRC_PROJECT_UNNAMED,  /* a database that keeps no trace of its project */
} src_project;

/* How the bytes of a source are read: every range in the view (sf_range,
 * sf_member) is an offset in one address space that read() serves. */
typedef struct src_ops {
	sd_status (*read)(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err);
	/* SD_ERR_CHANGED (err says which file) when the source changed size
	 * or time since it was opened. */
	sd_status (*check_unchanged)(void *ctx, sd_error *err);
	void (*close)(void *ctx); /* NULL: nothing of its own to free */
	/* The secret key (64 bytes) of feed directory feed_dir, this
	 * computer's own (a database folder: feed.h's read_secret_key says
	 * when it is asked), into sk; false when there is none or it cannot
	 * be read. NULL: the source holds none (a sync file). */
	bool (*secret_key)(void *ctx, const char *feed_dir, uint8_t sk[64]);
} src_ops;

typedef struct src_info {
	src_kind kind;
	const src_ops *ops;
	void *ctx;
	src_project project;
	/* Its photos come before its database when it is read front to back
	 * (a sync file's members); a folder lists its feeds first. */
	bool media_first;
	/* Its photos are its own. A leftover temporary folder holds only the
	 * database: its photos stayed in the sync file, so none is missing. */
	bool holds_photos;
	/* A feed's secret_key marks this computer's own feed (a database); in a
	 * sync file it is a leak, and the reader says so (secret-in-syncfile). */
	bool own_keys;
	/* Feed ranges are bytes of the file inside osm-p2p-db.tar, so findings
	 * can name that member and an offset (a folder's are not). */
	bool in_member;
	/* The userData folder whose configuration belongs with it (Mapeo
	 * Desktop's database), or NULL: step 1 compares with that one unless
	 * told otherwise. */
	char *config_userdata;
} src_info;

/* Open path as a source: a folder through db_open(), anything else through
 * sf_open(). Same contract as those: SD_OK with *out whenever it could be
 * read (problems are findings in fl), else an error and *out NULL. */
sd_status src_open(const char *path, struct syncfile **out, findings *fl, const sd_progress *prog,
                   sd_error *err);
/* src_open(), with a sync file's fingerprint started as it is opened where
 * a thread can take it (sf_open_fingerprinted); a folder has none. */
sd_status src_open_fingerprinted(const char *path, struct syncfile **out, findings *fl,
                                 const sd_progress *prog, sd_error *err);
/* The source's ops->check_unchanged(). */
sd_status src_check_unchanged(const struct syncfile *sf, sd_error *err);

#endif
