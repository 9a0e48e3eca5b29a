/* diagnosis.h: the diagnosis (module prefix check_): HOW a report is made.
 * Runs the guide's steps in order on one sync file (or a Mapeo database
 * folder) and returns a report (report.h: WHAT was found, the data every
 * renderer reads). Not named check.h so that it never shadows the Check
 * unit-test framework's <check.h>.
 *
 * The source (source.h) is opened read-only and read once, front to back,
 * into facts; nothing is extracted to disk. Then the steps are judged from
 * those facts in the guide's order: configuration (the project of the file
 * vs. a configuration), version (era and writer clues) and this computer,
 * corruption (structure, feeds, entries, media). The code is check.c (the
 * read, then the steps) and one check_STEP.c per step.
 *
 * Ownership: check_run() returns a report the caller frees with
 * report_free(). Every string in it is owned by the report. */
#ifndef SD_DIAGNOSIS_H
#define SD_DIAGNOSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "progress.h"
#include "report.h"
#include "status.h"

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
	bool fingerprint_later;  /* with fingerprint and keep: leave the fingerprint
	                            being taken in the kept view (its hashing thread
	                            reads on while the caller works) and
	                            sd_report.fingerprint empty; the caller finishes it
	                            (sdin_hash_finish() of the view's input) */
	struct syncfile **keep;  /* when not NULL and the check ran to its end: receives the
	                            open view of the file (sf_close() it) instead of closing
	                            it, so a rebuild copies from what was checked without
	                            opening and parsing the file again; the caller sets
	                            it to NULL first */
	sd_front front;          /* whose words the findings and the report's next action
	                            speak (status.h); kept in sd_report.front */
	bool read_back;          /* the check of syncdoctor's own output before its rename:
	                            not noted as read (io_note_read()), so a second repair
	                            may replace it */
	bool other_db;           /* a sync file: read the database whose header is at db_at
	                            (one of its other_dbs, syncfile.h) instead of the last */
	uint64_t db_at;
} check_options;

/* Diagnose path (a sync file, or a database folder). Returns SD_OK with a
 * report whenever a report could be made, including VERDICT_UNREADABLE
 * (then err holds why). Returns SD_ERR_CANCELLED if cancelled. */
sd_status check_run(const char *path, const check_options *opt, const sd_progress *prog,
                    sd_report **out, sd_error *err);
/* A feed whose files the database holds more than once (Mapeo keeps the
 * last copy of each): when fd, as read (rf: its check), does not verify
 * whole and taking an earlier copy of one or more of its files gives a
 * better one (verifying whole, else a longer verified prefix), *alt is fd
 * with those copies and *alt_rf their check, and it returns true. Each
 * try streams the feed (feed.h); false when interrupted, and past 256
 * feeds of one view (sf->copy_scans: each look scans the inner list).
 * alt_found (initialised by the caller, who frees it; may be NULL)
 * receives what the check of *alt found: its bitfield or a signature may
 * still be damaged. */
struct sf_feed;
bool check_earlier_copy(struct syncfile *sf, const struct sf_feed *fd, const report_feed *rf,
                        struct sf_feed *alt, report_feed *alt_rf, findings *alt_found,
                        const sd_progress *prog);
/* Frees a report check_run() made (NULL is fine). */
void report_free(sd_report *r);
/* Frees its list of current observations (heads, heads_model; n_heads 0;
 * the counts stay) for a reader that needs only the rest: a rebuild keeps
 * the report of every source it reads, 4 MiB for 100,000 observations. */
void report_drop_heads(sd_report *r);

/* Step 2 and the computer, as check_run() does it once the file is read:
 * loads the version table (opt->versions), fills r->version from the
 * file's era and writer clues and from its feeds (blocks missing: a fact
 * of r->feeds, not the feed-incomplete finding), looks for Mapeo Desktop
 * and its logs here (unless opt->no_local_mapeo), and, with
 * opt->environment, adds the environment findings (leftover-temp-database,
 * low-disk-space, fat32-size-limit, mapeo-log-error). clues may be NULL:
 * then only what r already says (era, feeds) is used. Safe to call again: it replaces r->version.
 * The wizard calls check_run() and reads r->version; it may call env_scan()
 * (env.h) for a page about the computer. */
struct ver_clues;
void check_version_step(sd_report *r, const struct ver_clues *clues, const check_options *opt);
/* Whether photo member m of sf opens (the photo check of a full check,
 * media.h); when not, *why (translated, static) and *at (a byte of the
 * photo) say why (stopped, its answer moot, when prog is cancelled). For
 * photos the check passed over: those the file's index
 * does not name, which a rebuild may keep. */
struct sf_member;
bool check_photo_opens(struct syncfile *sf, const struct sf_member *m, const sd_progress *prog,
                       const char **why, uint64_t *at);
/* Why the project of an open source cannot be told (translated; caller
 * frees), or NULL when it can: not a sync file, a database that keeps no
 * trace of its project, or step 1's project-unreadable. What 'match' says
 * instead of guessing the default project. */
char *check_project_untold(const struct syncfile *sf);
/* r->photo_ids from sf's live photo members, unless they are there already
 * (or sf is NULL). Taken only when needed: a file of 200,000 photos holds
 * megabytes of ids, and most checks find no leftover database to compare
 * with them (issue 21: flat memory). */
void check_photo_ids(sd_report *r, const struct syncfile *sf);
/* "<feed key hex>@<seq>" of a head into out. */
void check_head_version(const sd_report *r, const report_head *h, char out[96]);

#endif
