/* diagnosis.h: the diagnosis (module prefix check_). Runs the guide's steps
 * in order on one sync file (or a Mapeo database folder) and returns a report
 * the front ends render. Not named check.h so that it never shadows the Check
 * unit-test framework's <check.h>.
 *
 * Steps: configuration (project of the file vs. a configuration), version
 * (era and writer clues), corruption (structure, feeds, entries, media), and
 * environment (this computer). The file is opened read-only and read once,
 * front to back; nothing is extracted to disk.
 *
 * Ownership: check_run() returns a report the caller frees with
 * report_free(). Every string in it is owned by the report. */
#ifndef SD_DIAGNOSIS_H
#define SD_DIAGNOSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "finding.h"
#include "keys.h"
#include "progress.h"
#include "status.h"

typedef enum check_verdict {
	VERDICT_OK = 0,     /* no warnings or errors */
	VERDICT_PROBLEMS,   /* at least one warning or error */
	VERDICT_UNREADABLE, /* could not be read at all (missing, permission, I/O) */
} check_verdict;

typedef struct check_options {
	const char *config_path; /* configuration to compare with; NULL: find Mapeo's own */
	bool no_auto_config;     /* do not look for Mapeo Desktop's active configuration */
	const char *userdata;    /* Mapeo Desktop userData folder override; NULL: default */
	bool quick;              /* structure and index only: no feed hashing, entries, media */
	bool environment;        /* add environment findings (temp dirs, free space, FAT32) */
	int64_t now;             /* "now" for date-future; 0: the file's write time */
	const char *versions;    /* version table (versions.h); NULL: ver_default_path() */
	bool no_local_mapeo;     /* do not look for Mapeo Desktop or its logs here */
	bool fingerprint;        /* fill sd_report.fingerprint from the check's own read (a
	                            sync file, not --quick) */
	struct syncfile **keep;  /* when not NULL and the check ran to its end: receives the
	                            open view of the file (sf_close() it) instead of closing
	                            it, so a rebuild copies from what was checked without
	                            opening and parsing the file again; the caller sets
	                            it to NULL first */
} check_options;

typedef struct report_feed {
	int index;                   /* directory number */
	char *dir;                   /* directory name as stored (normalised) */
	char key_hex[KEYS_HEX_SIZE]; /* feed public key, "" when unreadable */
	uint64_t length;             /* blocks the tree says the feed has */
	uint64_t present;            /* blocks whose data is present */
	uint64_t intact;             /* blocks whose data and tree nodes are intact */
	uint64_t verified;           /* highest length whose blocks all hash and verify */
	int64_t signed_len;          /* highest length covered by a valid signature; -1 none */
	bool own;                    /* database folders: this computer's own feed */
	bool checked;                /* false in --quick mode */
} report_feed;

/* One current observation, compact: a file may hold hundreds of thousands. */
typedef struct report_head {
	char id[24];  /* ids longer than 23 characters are cut (they never are in Mapeo) */
	int feed;     /* feed directory number */
	uint64_t seq; /* version = that feed's key "@" seq */
} report_head;

/* A suspect observation, with what a person needs to find it in Mapeo. */
typedef struct report_observation {
	char *id;
	char *version;    /* <feed key hex>@<seq> */
	char *category;   /* tags.categoryId, may be NULL */
	char *created_at; /* may be NULL */
	double lat, lon;
	bool has_location;
	bool suspect; /* some finding names this observation */
	int worst;    /* worst fnd_severity among its findings, -1 none */
} report_observation;

/* A sync error from Mapeo Desktop's logs on this computer (env.h). */
typedef struct report_log_line {
	char *date; /* "2026-11-20T14:02:47", "2026-11-20", or "" */
	char *file; /* log file */
	long line;
	const char *kind; /* env_log_kind_name(): "project-mismatch", … (static) */
	char *text;       /* the message, cleaned */
	bool this_file;   /* a project mismatch naming this file's project ("syncfile=") */
} report_log_line;

/* Step 2, the version: filled by check_run() through check_version_step()
 * (diagnosis.c). Front ends render it; the wizard reads it as it is. */
typedef struct report_version {
	bool table_loaded;
	char *table_path;
	char *table_error; /* translated, when the table could not be read */
	char *writers;     /* translated: "Mapeo Desktop 5.0.0 to 5.2.x" */
	char *readers;     /* translated: "Mapeo Desktop 4.x and later", "no Mapeo Desktop" */
	char **cautions;   /* translated sentences */
	size_t n_cautions;
	/* this computer */
	bool local_found;    /* a Mapeo Desktop install was found */
	char *local_version; /* NULL when its version could not be read */
	char *local_path;
	int local_can_read;   /* 1 yes, 0 no, -1 unknown */
	char *local_text;     /* translated: what this computer's Mapeo does with the file */
	char *userdata;       /* the userData folder whose logs were read, NULL */
	report_log_line *log; /* sync errors from Mapeo's logs, newest first */
	size_t n_log;
	size_t n_log_total; /* before the cut to the newest */
} report_version;

typedef struct sd_report {
	char *file;       /* path as given */
	bool is_database; /* a Mapeo database folder rather than a sync file */
	uint64_t size;
	int64_t mtime;
	char fingerprint[KEYS_HEX_SIZE]; /* BLAKE2b-256 hex of the file as checked
	                         (check_options.fingerprint),
	                         "" when not taken */
	bool quick;                      /* made with check_options.quick */
	check_verdict verdict;
	const char *era; /* "gzip-v0", "hyperlog-v1", "kappa-osm-v2", "unknown" (static) */
	char *era_text;  /* translated plain words: which Mapeo wrote it and can read it */
	/* project */
	bool has_discovery_key;
	char discovery_key[KEYS_HEX_SIZE];
	bool project_default;
	bool project_unknown; /* the file's project cannot be read (index lost, another era):
	                         step 1 cannot compare it; a project-unreadable finding says why */
	char *p2p_db;         /* userdata p2p-db value, may be NULL */
	/* configuration compared with (config_used false when none) */
	bool config_used;
	char *config_path;
	char *config_name;
	char *config_version;
	bool config_has_key;
	char config_discovery_key[KEYS_HEX_SIZE]; /* "" for the default project */
	char config_footer[16];                   /* "ae0a6**********" or "MAPEO" */
	bool config_match;
	char *
	    config_source; /* translated: "given with --config", "Mapeo Desktop on this computer" */
	/* structure */
	size_t members;
	size_t media_members;
	uint64_t media_bytes;
	char **photo_ids; /* the photos in the file as observations name them ("<id>.jpg",
	                     without "original/"), sorted, once each; to tell leftover
	                     temporary databases that name them */
	size_t n_photo_ids;
	bool has_database;
	/* feeds */
	report_feed *feeds;
	size_t n_feeds;
	/* observations (not filled in --quick mode) */
	bool observations_checked;
	size_t obs_heads;
	size_t obs_forks;
	size_t obs_deleted;
	size_t obs_with_attachments;
	report_head *heads; /* every current observation, sorted by id */
	size_t n_heads;
	report_observation *obs; /* the suspect ones, worst first */
	size_t n_obs, obs_cap;
	/* everything found, in guide order */
	findings findings;
	/* step 2 and this computer (versions.h, env.h) */
	uint64_t database_bytes; /* size of osm-p2p-db.tar, 0 when absent */
	report_version version;
} sd_report;

/* Diagnose path (a sync file, or a database folder). Returns SD_OK with a
 * report whenever a report could be made, including VERDICT_UNREADABLE
 * (then err holds why). Returns SD_ERR_CANCELLED if cancelled. */
sd_status check_run(const char *path, const check_options *opt, const sd_progress *prog,
                    sd_report **out, sd_error *err);
void report_free(sd_report *r);

/* Step 2 and the computer, as check_run() does it once the file is read:
 * loads the version table (opt->versions), fills r->version from the
 * file's era and writer clues, looks for Mapeo Desktop and its logs here
 * (unless opt->no_local_mapeo), and, with opt->environment, adds the
 * environment findings (leftover-temp-database, low-disk-space,
 * fat32-size-limit, mapeo-log-error). clues may be NULL: then only what
 * r already says (era) is used. Safe to call again: it replaces r->version.
 * The wizard calls check_run() and reads r->version; it may call env_scan()
 * (env.h) for a page about the computer. */
struct ver_clues;
void check_version_step(sd_report *r, const struct ver_clues *clues, const check_options *opt);
/* "<feed key hex>@<seq>" of a head into out. */
void check_head_version(const sd_report *r, const report_head *h, char out[96]);
const char *check_verdict_name(check_verdict v); /* "ok", "problems", "unreadable" */

#endif
