/* bundle.h: support bundles (module prefix bundle_): one .tar.gz a
 * technician sends to whoever helps next.
 *
 * Inside, under "syncdoctor-report/": README (what is inside and what is
 * not), report.txt, report.json, report.yaml (the diagnosis, without
 * observation coordinates), session.log (when there is one), index.json
 * (the sync file's ___index.json with its userdata), database-listing.txt
 * (names and sizes of the inner database's files), journal.json and
 * journal.txt (what the case journal knows of this file).
 *
 * Never inside: photos or any other member's bytes, observation content
 * beyond ids, categories and dates, and any projectKey. Project keys are
 * found three ways and replaced by their footer form ("ae0a6**********"):
 * legacy projectKey/projectId fields in the userdata, 64-hex root-feed
 * directory names of the inner database (multifeed 4.1.7-4.1.10), and any
 * 64-hex string whose discovery key is the file's or the configuration's.
 * The written file is re-read before it is renamed into place, and refused
 * if a key is still found.
 *
 * Written through io.h (temporary name, fsync, verify, rename); an existing
 * output is replaced only with force, and the input can never be the output. */
#ifndef SD_BUNDLE_H
#define SD_BUNDLE_H

#include <stdbool.h>
#include <stdint.h>

#include "diagnosis.h"
#include "journal.h"
#include "progress.h"
#include "status.h"

typedef struct bundle_options {
	const char *file;        /* the sync file (required) */
	const char *config_path; /* --config: compared with, and its key is searched for */
	const char *userdata;    /* Mapeo Desktop userData override */
	bool no_auto_config;
	const char *log_path; /* the session log to include; NULL: the newest in log_dir
	                         that names the file */
	const char *log_dir;  /* NULL: $XDG_STATE_HOME/syncdoctor/logs */
	bool force;           /* replace an existing output */
} bundle_options;

/* Write the bundle to output. r is the diagnosis to include (the wizard's);
 * NULL runs one with opt's configuration. j may be NULL (no journal: the
 * README says so). *log_used (may be NULL) receives the session log that was
 * included, or NULL (caller frees). */
sd_status bundle_write(const char *output, const bundle_options *opt, const sd_report *r, jnl_db *j,
                       const sd_progress *prog, char **log_used, sd_error *err);

/* Replace every 64-hex run that is a known key (keys: lowercase hex,
 * NULL-terminated, may be NULL) or whose discovery key is one of dks
 * (NULL-terminated) by its footer form. Returns a new string; *n_redacted
 * (may be NULL) counts replacements. Exposed for tests. */
char *bundle_redact(const char *text, const char *const *keys, const char *const *dks,
                    size_t *n_redacted);

#endif
