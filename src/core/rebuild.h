/* rebuild.h: plan and write a new sync file from a damaged one.
 *
 * The plan says what will be kept, changed and dropped; writing follows it
 * exactly, and never into a file Mapeo would refuse: a plan whose mode keeps
 * damage says so and names the mode that leaves it out. The output is written beside its target
 * under a temporary name (io.h), flushed, re-read and verified with syncdoctor's own checker, and
 * only then renamed; the input is never written. The rebuilt file has the
 * exact upstream layout (sfwrite.h): media, then osm-p2p-db.tar with the
 * feeds renumbered 0, 1, 2, ... (closing any gap), then the index with
 * userdata {"version":"2.0.0","syncfile":{"p2p-db":"kappa-osm",
 * "discoveryKey":...}}.
 *
 * The input may also be a database folder (database.h: Mapeo Desktop's
 * kappa.db, a phone's copy, a leftover osm-p2p-syncfile-* folder): its
 * feeds and photos are read in place through the same syncfile view, and
 * only key, tree, signatures, bitfield and data of numbered feeds are ever
 * copied (never secret_key, localname or the folder named after the key).
 *
 * Ownership: rebuild_plan_make() returns a plan freed with rebuild_plan_free(). */
#ifndef SD_REBUILD_H
#define SD_REBUILD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "feed.h"
#include "keys.h"
#include "finding.h"
#include "progress.h"
#include "status.h"
#include "strbuf.h"
#include "syncfile.h"

typedef struct rebuild_options {
	const char *config_path; /* write for this configuration's project */
	const char *userdata;    /* Mapeo Desktop userData override (for the active config) */
	bool no_auto_config;     /* never use Mapeo Desktop's configuration */
	bool salvage;            /* cut feeds at their last verifiable block, drop damaged photos */
	bool rescue;             /* with salvage: copy the authentic entries salvage leaves out
	                            into a new feed under a new key (they get new versions) */
	bool exclude_suspect;    /* cut each feed before its first suspect observation's block */
	bool force;              /* overwrite an existing output */
	bool fingerprint;        /* take the input's and the output's fingerprints (for the case
	                            journal; hashing both files costs more than the checks) */
	sd_front front;          /* whose words the refusals and the plan speak (status.h) */
} rebuild_options;

typedef struct rebuild_feed {
	int from; /* directory number in the input */
	int to;   /* directory number in the output */
	char key_hex[KEYS_HEX_SIZE];
	uint64_t length;         /* blocks in the input */
	uint64_t keep;           /* blocks whose data is written (0..keep-1) */
	uint64_t written_length; /* length of the written feed (signed); blocks past keep are
	                            holes the signature still covers */
	uint64_t data_bytes;     /* bytes of data written */
	bool salvaged;           /* written from what verifies, not copied */
	size_t src;              /* the view it is copied from (rebuild_plan.views) */
	size_t pos;              /* place in that source's feed table (two may share a number) */
	bool verifies;           /* the input feed verifies whole (every hash and signature) */
	bool entry_bad;          /* a kept block is not an entry Mapeo can read */
	bool data_unverified;    /* data bytes but no tree or signatures: written empty */
	bool from_lines;         /* its tree is made again from the data split at newlines: the
	                            check's block boundaries (and entry-not-json) do not apply */
	bool rewrite_bitfield;   /* a damaged bitfield or header hid intact data: write it again */
	bool clear_bad_sigs;     /* a signature slot does not verify: clear it in the copy */
	feed_sig_mend sig_mend;  /* its last signature, found or made again: written so */
	bool windows_twin;       /* stored with '\' names beside a POSIX feed of its number */
	bool rescue;             /* the new feed of --rescue (no source) */
	bool earlier_copy;       /* the database holds its files more than once and the last
	                            copy (Mapeo's) does not verify: alt, with an earlier copy
	                            of one or more of them, is copied instead */
	sf_feed alt;
	uint64_t rescue_limit; /* blocks at or past it are never rescued (suspects) */
	char **changes;        /* what changes in this feed, translated lines */
	size_t n_changes;
	char **dropped; /* what of this feed is left out, translated lines */
	size_t n_dropped;
} rebuild_feed;

typedef struct rebuild_plan {
	char *input;   /* the first source */
	char **inputs; /* every source: sync files and database folders of one project */
	size_t n_inputs;
	bool has_db;
	/* (one source's plan) its database was read to its end: what a cut
	 * database of another source lost is then no longer said lost */
	bool db_whole;
	char discovery_key[KEYS_HEX_SIZE]; /* "" for the default project */
	char footer[16];      /* how Mapeo shows the target project, or "" when unknown */
	char *project_source; /* translated: where the project comes from */
	bool changes_project; /* the data joins another project */
	rebuild_feed *feeds;
	size_t n_feeds;
	/* The photos kept: for each source view, one bit a member (issue 21:
	 * a list of names cost 150 bytes a photo). Written view by view in
	 * the members' order; read with rebuild_media_next(). */
	uint8_t **media_keep;
	uint8_t **media_damaged; /* it will not open (kept only by the default mode) */
	size_t n_media_views;
	size_t n_media;
	char **dropped;    /* what is left out besides feeds' blocks, translated lines */
	char **dropped_of; /* the photo each line is about, the key (64 hex) of a feed
	                      left out whole, or NULL; one per dropped line */
	size_t n_dropped;
	char **changes; /* what changes, translated lines */
	size_t n_changes;
	uint64_t estimated_size;
	bool salvage;
	sd_front front; /* rebuild_options.front: rebuild_plan_text() speaks its words */
	/* What Mapeo would refuse in the file this mode writes, translated
	 * lines. When any, rebuild_write() writes nothing (SD_ERR_REFUSED) and
	 * the options below name the mode that gives a clean file. */
	char **unclean;
	size_t n_unclean;
	bool needs_salvage;   /* --salvage would leave the damage out */
	bool needs_exclude;   /* --exclude-suspect would leave it out */
	bool needs_database;  /* the database is missing: --database DIR gives it */
	bool no_observations; /* one of the unclean lines: the file would keep photos and
	                         none of the sources' observations (Mapeo shows nothing) */
	bool needs_rescue;    /* ... and --rescue copies signed entries into a new feed */
	/* --rescue: entries left out that still hash to what their device
	 * signed, copied in order into a new feed signed with a key pair made
	 * here (the secret key is wiped once the feed is signed). */
	size_t n_rescuable;       /* entries a rescue would save; 0: nothing to offer */
	size_t n_rescued;         /* entries copied (opt->rescue) */
	uint8_t *rescue_files[5]; /* key, tree, signatures, bitfield, data */
	size_t rescue_sizes[5];
	/* The sources as the plan's check read them, kept open for
	 * rebuild_write() (one open and one parse of each input, and what is
	 * copied is what was checked: a source changed since then is refused);
	 * closed by rebuild_plan_free(). One per input, then one per other
	 * database a sync file without an index holds (syncfile.h,
	 * other_dbs): view_input[k] is the input view k reads, view_db[k] the
	 * header offset of its database when it is such an other one, else
	 * -1. rebuild_feed.src is a view. */
	struct syncfile **views;
	size_t n_views;
	size_t *view_input;
	int64_t *view_db;
	/* Fingerprints (BLAKE2b-256, hex; "" when not taken) for the journal:
	 * of the first input from the plan's own read, finished by
	 * rebuild_write() (its hashing goes on beside the plan and the write),
	 * of the output by the last successful rebuild_write() (read back
	 * behind the writer). */
	char input_fingerprint[KEYS_HEX_SIZE];
	char output_fingerprint[KEYS_HEX_SIZE];
	/* While it is planned only: the salvage results an advice's two plans
	 * share (rebuild_advise()); NULL otherwise. Not the plan's. */
	struct rb_memo *memo;
} rebuild_plan;

/* Analyse input and decide. Errors: the input cannot be read, or the
 * project cannot be told (then a --config is needed: it never silently
 * writes a default-project file). */
sd_status rebuild_plan_make(const char *input, const rebuild_options *opt, const sd_progress *prog,
                            rebuild_plan **out, sd_error *err);
/* The same from several sources of one project (sync files and database
 * folders, in the order given): feeds are united by key, each taken from
 * the source that gives the longest length that verifies; photos are
 * united by name, each taken from the first source where it opens. Sources
 * that name different projects are refused (SD_ERR_REFUSED) unless a
 * configuration is given. */
sd_status rebuild_plan_make_multi(const char *const *inputs, size_t n, const rebuild_options *opt,
                                  const sd_progress *prog, rebuild_plan **out, sd_error *err);
void rebuild_plan_free(rebuild_plan *p);
void rebuild_plan_text(const rebuild_plan *p, strbuf *out);
/* Every line of the plan of one kind (changes, or what is left out): the
 * plan's own, then each feed's. The array is the caller's (free()); the
 * strings stay the plan's. */
char **rebuild_plan_lines(const rebuild_plan *p, bool changes, size_t *n);
json_t *rebuild_plan_json(const rebuild_plan *p);
/* The photos a plan keeps, one at a time in the order they are written:
 * start with it zeroed; each call fills m (its name valid while m is not
 * filled again: syncfile.h) and *damaged (it will not open), false after
 * the last. */
typedef struct rebuild_media_iter {
	size_t view, member;
} rebuild_media_iter;
bool rebuild_media_next(const rebuild_plan *p, rebuild_media_iter *it, sf_member *m, bool *damaged);

/* The options that give Mapeo a clean file when this plan's mode cannot
 * ("--salvage", ...), or NULL (static string, not translated: it is a
 * command-line option). */
const char *rebuild_clean_mode(const rebuild_plan *p);
/* True when f, found in a rebuilt file's own check, keeps it from being
 * written: a warning or error of step 3 (corruption), other than the notes
 * on what people wrote (dates, photos that did not travel). */
bool rebuild_blocks_output(const finding *f);

/* The repair to advise after a check: r is the report of a full check of
 * one sync file or database folder (not --quick), sf the view it read
 * (check_options.keep),
 * both the caller's. When r's step 3 holds an error, or a warning the
 * output would still show (rebuild_blocks_output(): signatures cut short,
 * a dangerous name; not limit-exceeded), plans the plain
 * rebuild from what the check read (no second check, no copy) and sets
 * r->advised, r->rebuild_whole and, when the plain plan refuses or leaves
 * something out, r->salvage_whole from the salvage's plan (which takes the
 * feeds the first plan salvaged from it, not from the file), and
 * r->rescue_only when that salvage keeps no observation but --rescue
 * gives some back, or r->salvage_refused when no rebuild of it keeps an
 * observation, or r->rescue_more, how many entries a salvage that keeps
 * observations leaves out that --rescue gives back; r->needs_config
 * when the file no longer names its project
 * (a folder: when it is not named after the project's discovery key).
 * Neither "whole" is set when the file's database is cut short
 * (sf->inner_cut): what followed the cut is lost, and no plan sees it.
 * Nothing is written. The first plan's salvage_feed() passes are the only
 * new reads of the feeds (and the rescue's count, of the blocks the
 * salvage cut). SD_ERR_CANCELLED when interrupted (r->advised false,
 * everything freed); otherwise SD_OK, r->advised false when no plan
 * applies (another era, the input changed). */
struct sd_report;
sd_status rebuild_advise(struct sd_report *r, syncfile *sf, const sd_progress *prog);

/* Write the plan to output (never over the input; an existing output only
 * with opt->force). Nothing is left under output's name on failure. Sets
 * p->output_fingerprint ("" on failure) and, unless interrupted,
 * p->input_fingerprint. */
sd_status rebuild_write(rebuild_plan *p, const char *output, const rebuild_options *opt,
                        const sd_progress *prog, sd_error *err);

#endif
