/* report.h: a diagnosis's report (sd_report) and its renderings: WHAT a
 * check found, the data every renderer, the journal and a bundle read
 * (diagnosis.h says HOW it is found: check_run() makes it).
 *
 * JSON and YAML carry the same tree (one walk of it drives either writer,
 * report_tree, so the two can never drift apart). Text follows the guide's
 * order and ends with one verdict and the next action. Names that came from
 * the file are escaped so they cannot inject terminal control sequences.
 *
 * The full projectKey never appears in any rendering (the report does not
 * hold it). Ownership: every string and array of an sd_report belongs to
 * it; report_free() (diagnosis.h) frees it. */
#ifndef SD_REPORT_H
#define SD_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "feed.h"
#include "finding.h"
#include "keys.h"
#include "strbuf.h"

typedef enum check_verdict {
	VERDICT_OK = 0,     /* no warnings or errors */
	VERDICT_PROBLEMS,   /* at least one warning or error */
	VERDICT_UNREADABLE, /* could not be read at all (missing, permission, I/O) */
} check_verdict;
/* "ok", "problems", "unreadable": the verdict's name in reports and the
 * journal (defined with check_run(), check.c). */
const char *check_verdict_name(check_verdict v);

typedef struct report_feed {
	int index;                   /* directory number */
	char *dir;                   /* directory name as stored (normalised) */
	char key_hex[KEYS_HEX_SIZE]; /* feed public key, "" when unreadable */
	uint64_t length;             /* blocks the tree says the feed has */
	uint64_t present;            /* blocks whose data is present */
	uint64_t intact;             /* blocks whose data and tree nodes are intact */
	uint64_t verified;           /* highest length whose blocks all hash and verify */
	int64_t signed_len;          /* highest length covered by a valid signature; -1 none */
	feed_sig_mend sig_mend;      /* its last signature, found or made again */
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
 * (check_version.c). Front ends render it; the wizard reads it as it is. */
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
	sd_front front; /* check_options.front: report_next_action() speaks its words */
	check_verdict verdict;
	const char *era; /* "gzip-v0", "hyperlog-v1", "kappa-osm-v2", "unknown" (static) */
	char *era_text;  /* translated plain words: which Mapeo wrote it and can read it */
	/* A leftover temporary folder: the copy of its database that was read,
	 * "packed" (osm-p2p-db.tar) or "unpacked" (multifeed/); NULL for any
	 * other source (static) */
	const char *database_copy;
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
	char *config_source; /* translated: "given with --config" (the wizard: "chosen in the
	                        configuration step"), "Mapeo Desktop on this computer" */
	/* structure */
	size_t members;
	size_t media_members;
	uint64_t media_bytes;
	char **photo_ids; /* the photos in the file as observations name them ("<id>.jpg",
	                     without "original/"), sorted, once each; to tell leftover
	                     temporary databases that name them */
	size_t n_photo_ids;
	bool has_database;
	bool end_unwritten; /* no index, and zeros where the end was never written */
	/* feeds */
	report_feed *feeds;
	size_t n_feeds;
	/* every photo read and checked (not in --quick mode, nor without a
	 * database to read: then "complete" cannot be said) */
	bool photos_checked;
	size_t photos_damaged; /* of them, the photos that will not open (media-damaged) */
	/* observations (not filled in --quick mode) */
	bool observations_checked;
	size_t obs_heads;
	size_t obs_forks;
	size_t obs_deleted;
	size_t obs_with_attachments;
	report_head *heads; /* every current observation, sorted by id; NULL when they
	                       outgrew memory: read them with report_head_get() */
	size_t n_heads;
	struct obs_model *heads_model; /* then: where they are (observations.h), owned */
	report_observation *obs;       /* the suspect ones, worst first */
	size_t n_obs, obs_cap;
	/* the repair advised when step 3 found an error or a warning that a
	 * rebuild's output would still show (rebuild_advise(),
	 * rebuild.h; not in --quick mode): planned, not guessed */
	bool advised;         /* the plain rebuild was planned */
	bool rebuild_whole;   /* a plain rebuild writes a file that keeps everything */
	bool salvage_whole;   /* when it does not: a salvage keeps everything */
	bool rescue_only;     /* a salvage would keep no observation, and --rescue gives
	                         signed entries back */
	bool salvage_refused; /* neither: a salvage keeps no observation (or no
	                         database), and no rescue gives one back */
	size_t rescue_more;   /* a salvage keeps observations, and leaves out this many
	                         entries that --rescue gives back (still signed) */
	bool needs_config;    /* the file no longer names its project (a database folder:
	                         none is named after its discovery key): a rebuild needs
	                         the configuration (--config) */
	/* everything found, in guide order */
	findings findings;
	/* step 2 and this computer (versions.h, env.h) */
	uint64_t database_bytes; /* size of osm-p2p-db.tar, 0 when absent */
	report_version version;
} sd_report;

/* Current observation i (< n_heads) of r, from heads or heads_model alike. */
void report_head_get(const sd_report *r, size_t i, report_head *out);

typedef enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_YAML } report_format;

/* Parse "text", "json", "yaml"; false when unknown. */
bool report_format_parse(const char *s, report_format *out);

/* A new JSON tree (caller decrefs). */
json_t *report_to_json(const sd_report *r);
/* Text for people, wrapped to width columns (>= 40). */
void report_to_text(const sd_report *r, int width, strbuf *out);
/* Any JSON tree as YAML (block style, UTF-8); false on emitter failure. */
bool report_json_to_yaml(json_t *j, strbuf *out);
/* Any JSON tree as JSON (indented, keys in insertion order) or, for
 * REPORT_YAML, as YAML, into out. j stays the caller's. What every command
 * with --format json|yaml prints. */
void report_tree_render(json_t *j, report_format fmt, strbuf *out);

/* A tree written as it is walked (report_tree_open()): the one writer of
 * every JSON and YAML output, so that a report too large for memory (a
 * million observations' ids, a journal's 100,000 checks) is never whole
 * in memory, as a tree or as text. The same calls drive either format:
 * JSON comes out byte for byte as jansson's json_dumps(JSON_INDENT(2) |
 * JSON_PRESERVE_ORDER) writes the whole tree, YAML as libyaml's emitter
 * writes its events (block style, UTF-8, no line folding). Output goes to
 * emit escaped as report_escape_text() says for trees, whole lines at a
 * time, in pieces of about 64 KiB.
 *
 * Use: report_tree_map() or report_tree_seq() opens a container and
 * report_tree_end() closes the innermost one; in a map every value follows
 * its report_tree_key(); a value is report_tree_value() (any jansson tree,
 * which stays the caller's), report_tree_string() or a container. The
 * root is one value; report_tree_close() ends the output, hands over the
 * rest and frees the writer. emit's text is valid only during the call. */
typedef struct report_tree report_tree;
report_tree *report_tree_open(report_format fmt, void (*emit)(const char *text, void *ud),
                              void *ud);
void report_tree_map(report_tree *t);
void report_tree_seq(report_tree *t);
void report_tree_end(report_tree *t);
void report_tree_key(report_tree *t, const char *key);
void report_tree_value(report_tree *t, json_t *j);
/* A string item of a sequence without a jansson node; left out (as
 * jansson leaves out a string that is not UTF-8) when s is not UTF-8, so
 * not for a map's value: its key would be left without one. */
void report_tree_string(report_tree *t, const char *s);
/* Hand over every whole line written so far (for output shown as it
 * comes). */
void report_tree_flush(report_tree *t);
/* End the output (JSON: a final newline) and free t; false when the YAML
 * emitter failed (what it wrote is handed over). */
bool report_tree_close(report_tree *t);

/* Render r in fmt into out. */
void report_render(const sd_report *r, report_format fmt, int width, strbuf *out);
/* The same bytes, handed to emit in order, a piece at a time: the JSON and
 * YAML reports' list of every current observation's id, and the findings
 * in any format, are never whole in memory (report_tree; text in pieces of
 * about 64 KiB). */
void report_render_stream(const sd_report *r, report_format fmt, int width,
                          void (*emit)(const char *text, void *ud), void *ud);

/* One sentence: what to do next (translated), in the words of r->front:
 * the CLI names its commands and options, the wizard its choices. */
const char *report_next_action(const sd_report *r);
/* Where a finding was seen, for people: "member x, database file 0/data,
 * device 0, block 7, observation abc, photo y (detail)"; translated, every
 * name from the file escaped; "" when it has no place (caller frees). The
 * one wording the text report and the wizard share. */
char *report_place(const finding *f);
/* The one escaping function for every text output: a copy of s (caller
 * frees) with C0 controls, ESC, DEL and bytes that are not UTF-8 shown as
 * \xNN, C1 controls and bidirectional controls (U+200E/F, U+202A-202E,
 * U+2066-2069) as \uNNNN, and every key the process has read
 * (keys_note_secret()) in its footer form. keep_lines keeps newlines and
 * tabs (whole outputs); without it they are escaped too (one name). JSON
 * and YAML renderings (report_tree_render(), report_json_to_yaml()) get the
 * same treatment as \u escapes. */
char *report_escape_text(const char *s, bool keep_lines);
/* A JSON string of s for the reports (never NULL for a non-NULL s): as it
 * is when it is UTF-8, else with its bytes that are not as \xNN
 * (report_escape()): jansson refuses such a string, and a key set to NULL
 * was left out of the output. NULL for NULL. */
struct json_t;
struct json_t *report_json_str(const char *s);
/* report_escape_text(s, false): for one name or value from a file. */
char *report_escape(const char *s);

#endif
