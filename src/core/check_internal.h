/* check_internal.h: what the parts of the diagnosis share (private to
 * check*.c; nothing outside the diagnosis includes it).
 *
 * check_run() (check.c) reads the source once, front to back, into facts:
 * the report's own fields (structure, project, feeds) and a check_read
 * (below); then it judges the guide's steps in order from those facts:
 * configuration (check_configuration.c), version and this computer
 * (check_version.c), corruption (check_corruption.c). No step reads
 * another step's findings.
 *
 * Ownership: check_read holds the open source and what was read from it
 * until check_read_free(); the report owns everything else. */
#ifndef SD_CHECK_INTERNAL_H
#define SD_CHECK_INTERNAL_H

#include "diagnosis.h"
#include "observations.h"
#include "syncfile.h"

typedef struct check_read {
	syncfile *sf;      /* the source, open until check_run() ends */
	char *project_why; /* why its project cannot be compared with a configuration
	                      (translated), NULL when it can */
	/* What the feeds and photos held (filled by check_read_contents()). */
	obs_model *model;  /* entries of the feeds; NULL when they were not read */
	findings media;    /* what the photos' own check found */
	bool media_read;   /* every photo was read (not in --quick mode) */
	sd_status feeds;   /* SD_OK, or why reading the feeds stopped */
	char *feeds_error; /* and its message, when it stopped */
	char *model_error; /* why the observations' temporary database failed, or NULL */

	/* The interrupt flag, for step 3's loops. */
	const sd_progress *prog;
} check_read;

void check_read_free(check_read *rd);

/* check_configuration.c: step 1. */
/* Why the source's project cannot be compared with a configuration, or
 * NULL when it can (translated; caller frees). */
char *check_project_unreadable(const syncfile *sf, sd_front front);
/* Step 1's findings, from the read's facts. */
void check_configuration_step(sd_report *r, const check_read *rd, const check_options *opt);

/* check_version.c: step 2 and this computer. */
/* r->era_text: what the source is and which Mapeo wrote it, in plain words. */
void check_era_text(sd_report *r, const syncfile *sf);
/* Frees what v holds and zeroes it. */
void check_version_free(report_version *v);

/* check_corruption.c: step 3. */
/* Reads the photos and the feeds in the order the source stores them
 * (src.media_first), so that a sync file is read front to back and its
 * fingerprint comes from these reads: r->feeds, rd->model, rd->media, and
 * the findings that only the reading sees (a feed's hashes and signatures,
 * a block that is no JSON). In --quick mode, or without a database, it
 * lists the feeds from the structure alone (the photos are still read,
 * but in --quick mode). SD_ERR_CANCELLED when
 * interrupted; the status of the observations' temporary database when it
 * fails (rd->model_error); any other failure stays in rd->feeds for step 3. */
sd_status check_read_contents(sd_report *r, check_read *rd, const check_options *opt,
                              const sd_progress *prog);
/* Step 3's judgements on what was read: dates and attachments, photos
 * against observations, the suspect observations. SD_ERR_CANCELLED when
 * interrupted (rd->prog); fails otherwise (rd->model_error says why) only
 * when the observations' temporary database does. */
sd_status check_corruption_step(sd_report *r, check_read *rd, const check_options *opt);

#endif
