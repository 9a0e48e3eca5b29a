/* observations.h: feed blocks (ndjson) -> the observation model mapeo-core sees.
 *
 * A block's version is "<feed key hex>@<seq>". Versions named in another
 * block's `links` are superseded; what remains are the heads. An id with
 * several heads is a fork; a head with `deleted: true` hides the id. The
 * current observations are what mapeo-core 8.6.2's observationList returns:
 * one non-deleted head per id of type "observation".
 *
 * Memory is bounded by the number of entries and kept compact (about 100
 * bytes an entry: ids inline, versions and links as feed numbers, dates as
 * numbers, categories interned), never by their bytes. */
#ifndef SD_OBSERVATIONS_H
#define SD_OBSERVATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "status.h"

/* One current observation, as a view into the model (valid while the model
 * lives; the date strings are the head's own copy). */
typedef struct obs_head {
	const char *id;
	const char *feed_key; /* hex key of the feed that wrote this version */
	uint64_t seq;         /* version = feed_key "@" seq */
	int feed;             /* feed directory number */
	const char *category; /* tags.categoryId, may be NULL */
	char created_at[40];  /* "" when absent */
	char timestamp[40];
	double lat, lon;
	bool has_location;
	const char *const *attachments; /* attachment ids */
	size_t n_attachments;
} obs_head;

typedef struct obs_counts {
	size_t entries;          /* blocks decoded */
	size_t heads;            /* current observations */
	size_t forks;            /* ids with more than one head */
	size_t deleted;          /* ids whose head is a deletion */
	size_t with_attachments; /* current observations with photos */
} obs_counts;

typedef struct obs_model obs_model;

/* Past a memory budget (4 MiB; the environment variable
 * SYNCDOCTOR_OBS_BUDGET, in bytes, sets another, for tests) the model moves
 * its entries to a temporary database in $TMPDIR (or /tmp), unlinked at
 * once, and goes on from there: same results, flat memory. */
obs_model *obs_model_new(void);
/* SD_OK, or the failure of that temporary database (it could not be made, or
 * a write failed): then the model is empty and err says why. Check it after
 * the blocks are added and after finish. */
sd_status obs_model_status(const obs_model *m, sd_error *err);
/* The entries went to that database (and obs_model_head reads from it). */
bool obs_model_spilled(const obs_model *m);
void obs_model_free(obs_model *m);
/* Decode one block; entry-not-json when it is not one line of JSON. */
void obs_model_add_block(obs_model *m, int feed, const char *feed_key_hex, uint64_t seq,
                         const uint8_t *data, size_t len, findings *fl);
/* The photos named by the lines of data that cannot be verified (a feed
 * cut before its tree was written): they count as referenced, so that their
 * photos are not called orphans, but no entry is added. Tolerant: lines that
 * are not JSON are skipped. */
void obs_model_note_references(obs_model *m, const uint8_t *data, size_t len);
/* The attachment ids of ndjson data, read by the same scanner as the
 * blocks (so the same lines count as JSON, with the same decoding): for
 * every line that is one whole JSON object (white space around it
 * allowed), fn gets each element of its top-level "attachments" array that
 * is an object with a string "id", in order, the id decoded (id[len] is
 * NUL; valid only during the call). Other lines are skipped. At most the
 * model's bound of 1000 attachments a line are read. Keeps nothing. */
typedef void (*obs_ref_fn)(void *ctx, const char *id, size_t len);
void obs_scan_references(const uint8_t *data, size_t len, obs_ref_fn fn, void *ctx);
/* The id of the element a damaged block holds, read tolerantly (the block
 * may no longer be JSON): the top-level "id" string, else the last "id"
 * whose value looks like one. Only letters, digits, '-' and '_' are taken,
 * so the id is safe to show. Returns false when none is found. */
bool obs_guess_id(const uint8_t *data, size_t len, char *out, size_t outlen);
/* Resolve heads, forks and deletions; date checks against now (seconds
 * since the epoch; 0 skips date-future). */
void obs_model_finish(obs_model *m, int64_t now, findings *fl);
/* Cross-check photos with the media present (names like "original/<id>"). */
void obs_model_check_media(obs_model *m, const char *const *media, size_t n_media, findings *fl);
/* The same, the names handed out one at a time: name_at(ctx, i) is media
 * name i (< n_media), valid until the next call; i goes from 0 to
 * n_media - 1, twice (the names are never all in memory, unless the model
 * itself is in its temporary database). name_at returns NULL when the
 * caller was interrupted: the check stops there, its findings incomplete. */
typedef const char *(*obs_media_fn)(void *ctx, size_t i);
void obs_model_check_media_each(obs_model *m, size_t n_media, obs_media_fn name_at, void *ctx,
                                findings *fl);
/* After finish: the current observations, sorted by id. */
size_t obs_model_n_heads(const obs_model *m);
/* In a spilled model (see obs_model_new) the strings of out are valid only
 * until the next call. */
void obs_model_head(obs_model *m, size_t i, obs_head *out);
/* The same head's id, feed_key, seq and feed only, the rest empty (a
 * spilled model fills it all): for a walk over every head that needs no
 * more, without formatting two dates for each. */
void obs_model_head_id(obs_model *m, size_t i, obs_head *out);
obs_counts obs_model_counts(const obs_model *m);
/* After finish: the current observation (its index in obs_model_head's
 * order) that has the photo id among its attachments; false when none. */
bool obs_model_find_attachment(obs_model *m, const char *id, size_t *head);

#endif
