/* versions.h: the table of Mapeo Desktop releases (module prefix ver_) and
 * what it says about a sync file: which releases could have written it,
 * which can read it, and what can go wrong with a given release.
 *
 * The table is data/mapeo-versions.yaml, installed to the package data
 * directory. Where it is read from, first match wins: a path given to
 * ver_table_load() (the --versions option), the SYNCDOCTOR_VERSIONS
 * environment variable (the tests point it at the source tree's copy),
 * ver_set_path() (the configuration's "version_table" key), and
 * PKGDATADIR/mapeo-versions.yaml.
 *
 * Ownership: ver_table_load() returns a table freed with ver_table_free();
 * releases and strings belong to the table. ver_assess() fills a
 * ver_assessment the caller frees with ver_assessment_free(); its release
 * pointers borrow from the table. */
#ifndef SD_VERSIONS_H
#define SD_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef struct ver_release {
	char *desktop;  /* first release of the series, "5.4.0" */
	char *series;   /* label for people, "5.4.x" */
	char *released; /* "2021", may be NULL */
	char *core;     /* mapeo-core version, may be NULL */
	char *syncfile; /* osm-p2p-syncfile version, may be NULL */
	char *writes;   /* era name written: "gzip-v0", "hyperlog-v1", "kappa-osm-v2" */
	char **reads;   /* era names it can sync with */
	size_t n_reads;
	char *root_feed;    /* "none", "key", "_fake", "fake" */
	char *userdata_key; /* "discoveryKey", "projectId", "none" */
	bool strict_project_check;
	bool rejected_sync_strips_database;
	bool windows_path_fix;
	bool missing_data_handling;
	bool close_on_error;
	bool exposes_key_directory;
	bool confirmed;
	int line; /* line of the entry in the table file */
} ver_release;

typedef struct ver_table {
	char *path;
	ver_release *v; /* oldest first */
	size_t n;
} ver_table;

/* The configuration's table (NULL: none); SYNCDOCTOR_VERSIONS still wins. */
void ver_set_path(const char *path);
/* The path ver_table_load(NULL, …) would read (static storage or the set
 * path; never NULL). */
const char *ver_default_path(void);

/* Load the table from path (NULL: ver_default_path()). Bad YAML or a bad
 * entry is an SD_ERR_FORMAT error naming the file and the line. */
sd_status ver_table_load(const char *path, ver_table **out, sd_error *err);
void ver_table_free(ver_table *t);

/* Compare dotted versions numerically ("5.10.0" > "5.9.3"); a missing part
 * counts as 0, a suffix such as "-beta.1" is ignored. <0, 0, >0. */
int ver_compare(const char *a, const char *b);
/* The release series a Desktop version belongs to, or NULL (older than the
 * table, newer than its newest series, or not a version). */
const ver_release *ver_find(const ver_table *t, const char *desktop_version);
bool ver_reads(const ver_release *rel, const char *era);

struct syncfile;

/* What the file shows (from the sync file reader's era and hints). */
typedef struct ver_clues {
	const char *era;             /* sf_era_name(): "gzip-v0", … "unknown" */
	bool key_dir;                /* a root feed folder named after the project key */
	bool fake_dir;               /* "_fake" */
	bool old_fake_dir;           /* "fake" */
	bool backslashes;            /* Windows names from osm-p2p-syncfile < 4.1.1 */
	bool discovery_key;          /* the userdata names a discovery key */
	bool project_unknown;        /* the userdata cannot be read (index lost): no caution that
	                                the file names no project */
	bool legacy_project_id;      /* the userdata has projectId/projectKey */
	bool has_database;           /* the file holds its osm-p2p-db.tar */
	bool incomplete;             /* some feed has blocks missing */
	size_t windows_photos;       /* photos named original\ID.jpg that the file does not also
	                                hold as original/ID.jpg (check.c), the writer hint's count */
	const struct syncfile *file; /* the file read: sd_report.photo_ids are taken from
	                                it only when a leftover temporary database is to be
	                                compared with them (NULL: as they are) */
} ver_clues;

typedef struct ver_assessment {
	/* Releases that could have written the file last: a contiguous range
	 * of the table, first..last; both NULL when nothing fits. */
	const ver_release *writer_first, *writer_last;
	/* Releases that can read it: first..last of the table (the readers of
	 * an era are contiguous); both NULL when none. */
	const ver_release *reader_first, *reader_last;
	char *writers_text; /* translated: "Mapeo Desktop 5.0.0 to 5.2.x" */
	char *readers_text; /* translated, same form, or "no Mapeo Desktop" */
	char **cautions;    /* translated sentences: what goes wrong with which releases */
	size_t n_cautions;
} ver_assessment;

void ver_assess(const ver_table *t, const ver_clues *c, ver_assessment *out);
void ver_assessment_free(ver_assessment *a);

/* For one release (this computer's): whether it can read the file, and a
 * translated sentence saying so with what to watch for (caller frees). */
bool ver_release_can_read(const ver_release *rel, const ver_clues *c);
char *ver_release_advice(const ver_release *rel, const char *installed_version, const ver_clues *c);

#endif
