/* syncfile.h: a .mapeodata opened read-only, and its structure.
 *
 * sf_open() walks the outer tar FORWARD from offset 0, hopping by member
 * sizes (never upstream's backward scan, which lands on inner headers when
 * the index is gone), reads the index and userdata, and lists the inner
 * osm-p2p-db.tar in place. It reads headers and the index only: member
 * contents are left for the verifier to stream. Every problem in the file is
 * a finding; only a file that cannot be read at all is an error.
 *
 * A Mapeo database folder is presented in the same view (database.h); the
 * view's `src` part (source.h) says which one it is and how it is read.
 *
 * Ownership: the syncfile owns every string and array in it, and the open
 * input; sf_close() frees all. Nothing here ever writes to the file. */
#ifndef SD_SYNCFILE_H
#define SD_SYNCFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "io.h"
#include "keys.h"
#include "progress.h"
#include "source.h"
#include "status.h"

typedef enum sf_era {
	SF_ERA_UNKNOWN = 0,
	SF_ERA_GZIP_V0,      /* hyperlog-sneakernet gzip tar (Desktop 2.x and older) */
	SF_ERA_HYPERLOG_V1,  /* indexed tar with p2p-db "hyperlog" (Desktop 3) */
	SF_ERA_KAPPA_OSM_V2, /* indexed tar with a multifeed database (Desktop 4 to 5.6) */
} sf_era;

typedef enum sf_kind { SF_KIND_MEDIA, SF_KIND_DB, SF_KIND_INDEX, SF_KIND_OTHER } sf_kind;

/* One outer member as sf_member_get() hands it out. The syncfile keeps
 * members compactly (sf_mrec, 24 bytes: no name) and, past the first MiB
 * of names, reads a name again from its tar header when it is asked for,
 * so that 200,000 photos cost a few MiB (a name the header does not hold,
 * a recovered member's or a folder's photo's, is kept). name points into namebuf or at a name the
 * syncfile owns: valid while this struct is not filled again, and not in a
 * copy of it. */
#define SF_NAME_MAX 257 /* tar's prefix "/" name, NUL-terminated (tar.h) */
typedef struct sf_member {
	const char *name;    /* NULL from sf_member_peek() */
	uint64_t header_off; /* 0 for a folder's photo, which has no header */
	uint64_t data_off;
	uint64_t size;
	sf_kind kind;
	bool in_index; /* the index points at this very header */
	bool checksum_ok;
	bool truncated; /* data runs past the end of the file */
	bool unpatched; /* header said size 0 but data followed (size recovered) */
	bool backslash; /* a photo named with '\\' in its header (Windows) */
	char namebuf[SF_NAME_MAX];
} sf_member;

/* How a member is kept (syncfile.c); only sf_member_get() reads it. */
#define SF_NAME_ARENA 0x80000000u
typedef struct sf_mrec {
	uint64_t data_off;
	uint64_t size;
	uint32_t name; /* 0: in the header before data_off; SF_NAME_ARENA | off: at
	                  sf->names + off; else sf->mnames[name - 1] */
	uint8_t kind;
	uint8_t flags;
	uint16_t pad; /* 0: no byte of a record is left unset (they go to a file
	                 once there are many: syncfile.c) */
} sf_mrec;

typedef struct sf_range {
	bool present;
	uint64_t off; /* absolute offset in the sync file */
	uint64_t size;
} sf_range;

/* A stretch of bytes [at, end) of the sync file. */
typedef struct sf_span {
	uint64_t at, end;
} sf_span;

typedef struct sf_feed {
	int index;      /* directory number */
	char *dir;      /* directory name as stored, normalised to '/' */
	bool backslash; /* names were stored with '\' (Windows, syncfile < 4.1.1) */
	sf_range key, tree, signatures, bitfield, data;
	bool has_secret_key;
	bool has_localname;
	bool twice; /* the inner tar names one of its files more than once (the ranges
	               above are the last copy's, the one Mapeo keeps) */
} sf_feed;

typedef struct sf_inner {
	char *name;   /* normalised ('\' -> '/') */
	uint64_t off; /* data offset in the sync file */
	uint64_t size;
	bool backslash;
} sf_inner;

typedef struct sf_hints {
	bool key_dir;           /* a 64-hex root feed directory (multifeed 4.1.7-4.1.10) */
	bool fake_dir;          /* "_fake" (multifeed 3.x-4.1.6) */
	bool old_fake_dir;      /* "fake" (multifeed 2.x) */
	bool backslashes;       /* Windows names (osm-p2p-syncfile < 4.1.1) */
	bool discovery_key;     /* userdata has discoveryKey (mapeo-core >= 8.0.4) */
	bool legacy_project_id; /* userdata has projectId/projectKey (mapeo-core 7.1-8.0.2) */
	bool extra_zero_block;  /* pre-3.1.1 padding (indexed-tarball < 3.1.1) */
	bool negative_mtime;    /* a device clock after 2038 */
} sf_hints;

typedef struct syncfile {
	char *path;
	sd_input *in; /* open read-only input; NULL when unreadable, and for a folder */
	uint64_t size;
	int64_t mtime;
	sf_era era;
	bool is_tar; /* the outer container was recognised as tar */
	/* outer members in file order: read them with sf_member_get() (kept
	 * in blocks of sf_mrec, in memory up to a budget and past it in a
	 * temporary file read back through a few blocks: syncfile.c; names
	 * not read from a header in mnames) */
	struct sf_mstore *mstore;
	size_t n_members;
	char **mnames;
	size_t n_mnames;
	/* the first names the walk reads, up to a budget (1 MiB;
	 * SYNCDOCTOR_NAMES_BUDGET in bytes for tests): a file of a few
	 * thousand members reads no header twice */
	char *names;
	size_t names_len, names_cap, names_budget;
	unsigned name_fixes; /* damaged names tried against their checksum (bounded) */
	                     /* A feed's last signature given back by one byte over a salvage's
	                      * computed tree (rebuild.c): what each search found (at -1: none),
	                      * by the signatures file's offset, so that a rebuild's passes over
	                      * the feed search once; at most SF_SIG_GUESSES feeds a file. */
#define SF_SIG_GUESSES 4
	struct {
		uint64_t sigs_off;
		int at;
		uint8_t sig[64];
	} sig_guesses[SF_SIG_GUESSES];
	unsigned n_sig_guesses;
	size_t n_media;
	uint64_t media_bytes;
	/* osm-p2p-db.tar (the one the index names) and the index: pointers
	 * to db_m and index_m, or NULL */
	const sf_member *db;
	const sf_member *index_member;
	sf_member db_m, index_m;
	/* while the index is read: members its entries vouch for under a
	 * damaged header (sf_open() merges them into members, then frees) */
	sf_mrec *recovered; /* names in recovered_names */
	char **recovered_names;
	size_t n_recovered;
	unsigned zeroed_looks; /* index entries over a zeroed header looked at */
	/* index */
	bool has_index; /* ___index.json found and parsed as {index: …} */
	/* userdata */
	bool has_userdata;
	char *userdata_version;
	char *p2p_db;    /* "kappa-osm", "hyperlog", or NULL */
	char **left_out; /* photos a syncdoctor rebuild left out (userdata), sorted */
	size_t n_left_out;
	bool has_discovery_key;
	char discovery_key[KEYS_HEX_SIZE]; /* lowercase hex when has_discovery_key */
	int64_t write_time;                /* newest header mtime: when the file was last written */
	/* where the run of zero bytes that ends the file begins (set by the
	 * walk when the file ends in zeros after its last member, or in the
	 * last member's own data); sf->size when it ends in anything else */
	uint64_t zeros_from;
	/* of them, the bytes after every member's data and its padding (0:
	 * none): a tar's end, or an end never written */
	uint64_t zeros_past;
	/* a file with no index whose end was never written: zeros past what
	 * any tar ends with, or over a photo's or a damaged database's last
	 * bytes (told as truncated-file) */
	bool end_unwritten;
	/* bytes after a whole end (index, then its 1024 zeros) that are no
	 * member: added to the file after Mapeo wrote it (0: none) */
	uint64_t after_end;
	/* no index, and from here (where its header was) to the end only what
	 * is left of it: zeros over its start and its userdata, the end of its
	 * JSON, zeros (doc/formats.md §1, "The index's tail"); a rebuild writes
	 * it anew, so nothing there is left out. 0: none */
	uint64_t index_remains;
	/* inner database */
	bool inner_ok;  /* the inner tar read without damage */
	bool inner_cut; /* the file ends inside the inner tar (a torn append): entries are lost */
	sf_inner *inner;
	size_t n_inner;
	/* bytes of a damaged inner tar that no entry read (a header, its data
	 * and padding) accounts for and that are not all zeros: what files
	 * they held cannot be read, so a rebuild leaves them out (each
	 * stretch from its first to its last block that is not zeros) */
	sf_span *unread;
	size_t n_unread;
	sf_feed *feeds; /* numeric feed directories, sorted by number */
	size_t n_feeds;
	/* With no index to say which database counts, the last one is read:
	 * the header offsets of the others (an append that died after
	 * another), in file order, at most SF_OTHER_DBS_MAX (the nearest to the
	 * end; limit-exceeded says so); sf_open_db() reads one of them. */
	uint64_t *other_dbs;
	size_t n_other_dbs;
	unsigned copy_scans; /* feeds whose earlier copies were looked for (bounded:
	                        check_earlier_copy(), diagnosis.h) */
	unsigned sig_mends;  /* signatures with one damaged byte searched for
	                        (feed_source.mends_used, FEED_MENDS) */
	sf_hints hints;
	/* How its ranges are read and what kind of source it is (source.h):
	 * sf_open() fills it for a sync file, db_open() for a folder. */
	src_info src;
} syncfile;

/* More zeros at the end than any tar writer leaves (GNU tar pads its end
 * to a 10,240-byte record; Mapeo's files end in about 1.5 KiB of them):
 * past this, the end of the file was never written. */
#define SF_ZERO_TAIL 12288

/* Open and analyse path. Returns SD_OK with *out set whenever the file could
 * be read (problems become findings in fl), or an error (missing, directory,
 * FIFO, permission, I/O) with *out NULL. */
sd_status sf_open(const char *path, syncfile **out, findings *fl, const sd_progress *prog,
                  sd_error *err);
/* sf_open(), the file's fingerprint started as it is opened when a second
 * thread can take it (sdin_hash_start_threaded): the hashing then runs
 * beside the whole check, the structure's walk included. */
sd_status sf_open_fingerprinted(const char *path, syncfile **out, findings *fl,
                                const sd_progress *prog, sd_error *err);
#define SF_OTHER_DBS_MAX 8

/* sf_open(), reading the database whose osm-p2p-db.tar header is at
 * db_header (one of another view's other_dbs) instead of the one Mapeo
 * would read; an error when there is none there. The view's photos are the
 * file's, left to the view of the whole file: src.holds_photos is false,
 * and it lists no other_dbs. */
#define SF_DB_DEFAULT UINT64_MAX
sd_status sf_open_db(const char *path, uint64_t db_header, syncfile **out, findings *fl,
                     const sd_progress *prog, sd_error *err);
/* A database's own tar (osm-p2p-db.tar, doc/formats.md §3) as the
 * database of the view sf (database.c: a leftover temporary folder's):
 * in spans it whole, read as a sync file's database member at offset 0,
 * its feeds listed as sf_open() lists them. in stays the caller's (sf->in
 * is left NULL). */
void sf_read_packed(syncfile *sf, sd_input *in, findings *fl, const sd_progress *prog);
void sf_close(syncfile *sf);
/* The index member's text as it is in the file (cut short where the file
 * ends), NUL-terminated, *len its length; NULL when there is no index or it
 * claims more than the reader accepts. Read on each call; caller frees. */
char *sf_index_text(syncfile *sf, size_t *len);
/* Add feed-key-invalid for every feed without a 32-byte key (Mapeo ignores
 * it and every feed after it); shared by sync files and database folders. */
void sf_check_feed_keys(const syncfile *sf, findings *fl);

/* Read bytes of the source (for located ranges), through its src.ops. */
sd_status sf_read(syncfile *sf, uint64_t off, void *buf, size_t len, sd_error *err);

/* "gzip-v0", "hyperlog-v1", "kappa-osm-v2", "unknown" */
const char *sf_era_name(sf_era e);

/* Cheap look at the first bytes, for file browsers: true when the file
 * starts like a sync file (a ustar header or gzip magic). */
bool sf_probe(const char *path);

/* Member i (< sf->n_members) into *out, its name included (one header read
 * for a member of a sync file: call it per member only where the names
 * are needed). */
void sf_member_get(const syncfile *sf, size_t i, sf_member *out);
/* The same without the name (out->name NULL): no read. */
void sf_member_peek(const syncfile *sf, size_t i, sf_member *out);
/* Drop the names kept in memory (the budget is the process's: syncfile.c);
 * members' names are then read again from their headers. A rebuild calls
 * it on its sources once they are copied, before it checks the output. */
void sf_forget_names(syncfile *sf);
/* Add a member at the end (database.c: a folder's photos and database).
 * name: taken over by the syncfile. */
void sf_member_append(syncfile *sf, const sf_member *m, char *name);

/* Of two copies of one photo's name, in file order, does the later one
 * (backslash, in_index) win over the earlier (prev_...)? The copy the index
 * names, else one named with '/' over one named with '\\' (Mapeo on Linux
 * and macOS finds that one), else the later: the one rule of
 * sf_find_member() and the rebuild's live copies. */
bool sf_copy_wins(bool backslash, bool in_index, bool prev_backslash, bool prev_in_index);
/* The member named name (the one the index names when there are several).
 * A scan of the member list: for one look-up (tests, a single photo). Never
 * call it per member: that is quadratic at 200,000 members; the rebuild's
 * writer builds one hash map of names per source instead (rebuild.c,
 * live_members), and sf_open() finds index entries by offset (a binary
 * search). No name index is kept: it would cost memory on every open for
 * look-ups the program does not make. False when there is none. */
bool sf_find_member(const syncfile *sf, const char *name, sf_member *out);
/* The bytes of range r (a feed file in the database), or NULL with *len 0
 * when it is absent, larger than limit, or cannot be read whole. The
 * caller frees; one byte past the end is allocated. */
uint8_t *sf_load(syncfile *sf, const sf_range *r, uint64_t limit, size_t *len);
/* True when the file's userdata says a syncdoctor rebuild left out the
 * photo `name` (sfw_note_left_out()). */
bool sf_left_out(const syncfile *sf, const char *name);
/* True for a name that must never be used as a path: absolute, with a
 * '..' component, or with control characters (the dangerous-name finding). */
bool sf_name_dangerous(const char *name);

#endif
