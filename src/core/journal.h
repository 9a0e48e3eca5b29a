/* journal.h: the case journal (module prefix jnl_), an SQLite database that
 * remembers every check and rebuild, so a technician who sees a file again
 * days later (same content, or same path) learns what was found before.
 *
 * Default place: $XDG_STATE_HOME/syncdoctor/journal.sqlite (~/.local/state
 * when unset). The schema is versioned with PRAGMA user_version and migrated
 * forward on open, inside one IMMEDIATE transaction so two processes never
 * migrate at once; the database runs in WAL mode with a busy timeout, and
 * every write is one transaction, so concurrent runs wait for each other
 * instead of failing or corrupting it.
 *
 * What is stored: time, absolute path, size, the BLAKE2b-256 fingerprint of
 * the file's bytes, era, the discovery key (never a projectKey: the report
 * does not hold one), the verdict, every finding (code, step, severity,
 * message, place), and the configuration compared with (path, name,
 * version, discovery key, footer form, match). Rebuilds: input and output
 * paths and fingerprints, outcome, and the plan's "dropped" and "changes"
 * lines.
 *
 * Errors: a journal that cannot be opened or written (read-only disk,
 * damaged file, newer schema) is an sd_error; the front ends show it as a
 * warning and go on: the journal is never a reason for a diagnosis to fail.
 *
 * Ownership: jnl_open() returns a handle closed with jnl_close(). Lists and
 * summaries are freed with their _free functions; strings returned by
 * jnl_seen_before() and jnl_default_path() are the caller's to free. */
#ifndef SD_JOURNAL_H
#define SD_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "diagnosis.h"
#include "progress.h"
#include "status.h"

/* The schema this build writes. Version 1 (syncdoctor before 0.1.0's
 * journal work) had no discovery key, configuration, finding places or
 * rebuilds. */
#define JNL_SCHEMA_VERSION 2

/* Bounds on what one run stores: strings longer than JNL_MAX_TEXT bytes
 * are cut with a mark; per check at most JNL_MAX_PER_CODE findings of each
 * code and then one row "... and N more"; per rebuild at most
 * JNL_MAX_LINES lines of each kind. Reading loads at most 500 findings of
 * a check, each cut to 2048 bytes (journals written before the bounds). */
#define JNL_MAX_TEXT     1024
#define JNL_MAX_PER_CODE 20
#define JNL_MAX_LINES    200

typedef struct jnl_db jnl_db;

/* $XDG_STATE_HOME/syncdoctor/journal.sqlite, else
 * $HOME/.local/state/syncdoctor/journal.sqlite; NULL when neither is set. */
char *jnl_default_path(void);

/* Open (creating it and its folder when create is true) and migrate.
 * Without create the journal is only read: it is opened read-only when its
 * schema is current, so a full or read-only disk still shows past checks. */
sd_status jnl_open(const char *path, bool create, jnl_db **out, sd_error *err);
void jnl_close(jnl_db *j);
const char *jnl_path(const jnl_db *j);

/* BLAKE2b-256 of the whole file, streamed, as 64 lowercase hex. Honours
 * prog's cancel flag (SD_ERR_CANCELLED). */
sd_status jnl_fingerprint(const char *path, const sd_progress *prog, char out[KEYS_HEX_SIZE],
                          sd_error *err);

/* Record a finished check. fingerprint may be NULL or "" (a folder, or an
 * unreadable file); when_time 0 means now. *id (may be NULL) receives the
 * row id. The path is stored absolute. */
sd_status jnl_record_check(jnl_db *j, const sd_report *r, const char *fingerprint,
                           int64_t when_time, int64_t *id, sd_error *err);

/* Record check r the way every front end does: fingerprint the file first
 * (not a database folder, not a file that could not be read; honours
 * prog's cancel flag, and a cancelled or failed fingerprint records the
 * check without one), then jnl_record_check() at the current time. fp
 * (65 bytes, may be NULL) receives the fingerprint or "". */
sd_status jnl_record_report(jnl_db *j, const sd_report *r, const sd_progress *prog, char *fp,
                            int64_t *id, sd_error *err);

typedef struct jnl_rebuild {
	int64_t time; /* 0: now */
	const char *input;
	const char *input_fingerprint;
	const char *output;
	const char *output_fingerprint; /* NULL when nothing was written */
	const char *mode;               /* "repair" or "salvage" */
	const char *outcome;            /* "written" or the error message */
	const char *discovery_key;      /* target project, "" for the default */
	char *const *dropped;           /* the plan's lines */
	size_t n_dropped;
	char *const *changes;
	size_t n_changes;
} jnl_rebuild;

sd_status jnl_record_rebuild(jnl_db *j, const jnl_rebuild *rb, int64_t *id, sd_error *err);

struct rebuild_plan;
/* Record a rebuild made from plan p (rebuild.h): fingerprints the input and,
 * when it was written (error NULL), the output. error: NULL when OUTPUT was
 * written, else what went wrong, in words. What 'syncdoctor rebuild' and
 * the wizard both record. */
sd_status jnl_record_plan(jnl_db *j, const struct rebuild_plan *p, const char *output, bool salvage,
                          const char *error, const sd_progress *prog, sd_error *err);

/* Checks as stored. */
typedef struct jnl_finding {
	char *code, *step, *severity, *message, *place;
} jnl_finding;

typedef struct jnl_check {
	int64_t id;
	int64_t time;
	char *path;
	uint64_t size;
	char *fingerprint; /* "" when none */
	char *era;
	char *discovery_key; /* "" when none */
	char *verdict;       /* "ok", "problems", "unreadable" */
	char *config_path, *config_name, *config_version, *config_footer; /* may be NULL */
	int config_match; /* -1: no configuration compared */
	jnl_finding *findings;
	size_t n_findings;
} jnl_check;

typedef struct jnl_rebuild_row {
	int64_t id;
	int64_t time;
	char *input, *input_fingerprint, *output, *output_fingerprint, *mode, *outcome;
	char **dropped;
	size_t n_dropped;
} jnl_rebuild_row;

typedef struct jnl_list {
	jnl_check *checks; /* newest first */
	size_t n_checks;
	jnl_rebuild_row *rebuilds; /* newest first */
	size_t n_rebuilds;
} jnl_list;

/* Every check (and rebuild), newest first; when path or fingerprint is given,
 * only those of that file: same fingerprint, or same absolute path (rebuilds
 * whose input or output is that file). limit 0: all. */
sd_status jnl_list_get(jnl_db *j, const char *path, const char *fingerprint, size_t limit,
                       jnl_list *out, sd_error *err);

/* The same rows as jnl_list_get(), in the same order, handed one at a time
 * to fns->check then fns->rebuild (either may be NULL: those rows are not
 * read), so that memory stays that of one row whatever the journal holds.
 * The row is freed when the callback returns; a callback may take fields (or
 * the whole row) and leave NULLs/zeros behind. A callback returning other
 * than SD_OK (having filled err) stops the walk, which returns that status. */
typedef struct jnl_walk_fns {
	sd_status (*check)(void *ctx, jnl_check *c);
	sd_status (*rebuild)(void *ctx, jnl_rebuild_row *b);
} jnl_walk_fns;
sd_status jnl_walk(jnl_db *j, const char *path, const char *fingerprint, size_t limit,
                   const jnl_walk_fns *fns, void *ctx, sd_error *err);
void jnl_list_free(jnl_list *l);
json_t *jnl_list_json(const jnl_list *l);
/* One row of jnl_list_json()'s "checks" or "rebuilds" array. */
json_t *jnl_check_json(const jnl_check *c);
json_t *jnl_rebuild_json(const jnl_rebuild_row *b);

/* What the journal knows of one file, from a list made by jnl_list_get(). */
typedef struct jnl_summary {
	size_t n_checks;
	int64_t first_time, last_time;
	int64_t first_healthy; /* first check with verdict ok; 0 none */
	int64_t
	    damaged_since; /* start of the newest run of non-ok checks; 0 when the last was ok */
	const char *last_verdict;
	size_t n_fingerprints;     /* distinct contents seen */
	size_t n_paths;            /* distinct paths seen */
	char last_verdict_buf[24]; /* jnl_summary_get() keeps last_verdict here */
} jnl_summary;

void jnl_summarize(const jnl_list *l, jnl_summary *s);
/* The summary of the checks jnl_walk() would hand over for the same
 * arguments, computed by SQLite without loading them. */
sd_status jnl_summary_get(jnl_db *j, const char *path, const char *fingerprint, size_t limit,
                          jnl_summary *out, sd_error *err);
/* One translated sentence: "checked 3 times; first seen without a problem
 * on 2026-11-20, with problems since 2026-11-22." (dates in local time;
 * a problem of any step: a configuration that does not match is one, so
 * the words never say the file is damaged). */
char *jnl_summary_text(const jnl_summary *s);

/* For the wizard's summary screen: one translated paragraph telling whether
 * this file (same fingerprint or same path) was seen before, when, with what
 * verdict, whether its content changed, and which finding codes are new or
 * gone compared with the last earlier check. now is the check just made (its
 * own journal row, if already recorded, is skipped by passing its id as
 * skip_id; 0 skips nothing). Returns NULL when the file was never seen or
 * the journal cannot be read. fingerprint may be NULL (path only). */
char *jnl_seen_before(jnl_db *j, const char *path, const char *fingerprint, const sd_report *now,
                      int64_t skip_id);

#endif
