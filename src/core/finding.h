/* finding.h: the findings list, the vocabulary every diagnosis is made of.
 *
 * A finding is a stable code (its identity, see doc/findings.md and the man
 * page), the step of the guide it belongs to, a severity, a translated
 * message (the words, free to improve) and where it was found. The step,
 * severity and advice of a code come from the one table in finding_codes.h,
 * so every producer reports a code the same way. Code takes the fnd_code
 * constants (FND_MISSING_INDEX, ...), so a misspelt code does not compile;
 * the strings ("missing-index") are for output and for data read back from
 * the journal.
 *
 * Ownership: a findings list owns every string in it. A finding pointer
 * from fnd_add(), fnd_at() or fnd_edit() stays valid only until the next
 * call that takes the same list (the counts below excepted): copy what
 * must outlive it; so no two findings of one list at once.
 *
 * Memory is flat whatever the number of findings (a file may hold 150,000
 * photos that no observation names, each a finding). Past a budget (256
 * KiB of findings, about 800; the environment variable
 * SYNCDOCTOR_FINDINGS_BUDGET, in bytes, read once per process, sets
 * another, for tests: 1 sends every finding there) a list moves its findings to a temporary SQLite
 * database in $TMPDIR (or /tmp), unlinked at once (it goes with the
 * process, Ctrl-C or crash alike), in one transaction a budget's worth, and
 * reads them back one at a time through fnd_at(). The budget is small
 * because a full check's peak (16 MiB, bench/README) is mostly the
 * syncfile's member records and the observations.
 * SQLite, as the observations' model does (observations.c), rather than a
 * plain temporary file: a list is read in two orders (as added, and
 * fnd_sort()'s) and by position in either, and a finding may be amended
 * after later ones were added (fnd_edit()); one table keyed by (step x
 * severity bucket, number in the bucket) with an index on the order added
 * gives both orders and lookups without a sort or an index of our own in
 * memory, and sorting is reading the buckets in order. Under the budget
 * (every file but one with hundreds of findings) nothing changes: an
 * array in memory. The counts (fnd_has, fnd_count, ...) are kept as
 * findings move, so they never read the database. A list may be read
 * (fnd_at(), never changed) through a shallow copy of it, as bundle.c
 * renders a copy of a report.
 *
 * When that database cannot be made or written (a full disk), the list
 * drops every finding (fnd_n() is 0 from then on; later ones are dropped
 * too) and fnd_status() says why, naming the folder: never a list silently
 * cut short. Whoever makes a list that can grow large checks it. */
#ifndef SD_FINDING_H
#define SD_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "xalloc.h"

typedef enum fnd_step {
	STEP_CONFIGURATION = 0,
	STEP_VERSION,
	STEP_CORRUPTION,
	STEP_ENVIRONMENT,
	STEP_COUNT
} fnd_step;

typedef enum fnd_severity {
	SEV_INFO = 0,
	SEV_WARNING,
	SEV_ERROR,
} fnd_severity;

/* FND_NOT_A_SYNC_FILE, ...: one constant per line of finding_codes.h. */
typedef enum fnd_code {
#define FND(name, code, step, sev, summary, advice) FND_##name,
#include "finding_codes.h"
#undef FND
	FND_COUNT
} fnd_code;

typedef struct finding {
	fnd_code id;
	const char *code; /* its string, static, from the catalogue */
	fnd_step step;
	fnd_severity severity;
	char *message; /* translated sentence, owned */
	/* Location; unset fields are -1 / NULL. */
	int64_t offset;    /* byte offset in the file */
	char *member;      /* outer tar member name */
	char *inner;       /* member of the inner database tar (normalised name) */
	int feed;          /* feed index (directory number) */
	int64_t block;     /* block number in that feed */
	char *observation; /* observation id */
	char *media;       /* media member name */
	char *detail;      /* extra context for people, e.g. "category river, 1970-01-01" */
} finding;

/* The temporary database of a list past its budget (finding.c). */
typedef struct fnd_store fnd_store;

/* A list of findings. Its fields are private: read it with fnd_n() and
 * fnd_at(). Zero-initialised or fnd_init() is an empty list. */
typedef struct findings {
	finding *mem; /* in memory, in list order: every finding, or (once
	                 spilled) those added since the last move to the store */
	size_t n_mem, cap;
	size_t mem_bytes; /* heap held by mem[0 .. n_mem - 2] (the last may still change) */
	fnd_store *store; /* NULL until the budget is passed */
} findings;

typedef struct fnd_code_info {
	fnd_code id;
	const char *code;
	fnd_step step;
	fnd_severity severity;
	const char *summary; /* N_() one-line meaning */
	const char *advice;  /* N_() what to tell the user; may be NULL */
} fnd_code_info;

void fnd_init(findings *l);
/* Frees every finding, and the temporary database with them. */
void fnd_free(findings *l);
/* SD_OK, or the failure of the list's temporary database (see above): then
 * the list is empty and err says why. Check it once the list is complete. */
sd_status fnd_status(const findings *l, sd_error *err);
/* The number of findings. */
size_t fnd_n(const findings *l);
/* Finding i (< fnd_n(l)) in list order: as added, or as fnd_sort() left
 * it. Valid until the next call that takes l (see Ownership above). Reading
 * in order, i then i + 1, is cheap for a spilled list too. */
const finding *fnd_at(const findings *l, size_t i);
/* The same finding, to amend in place: its location fields, message and
 * detail may change, never id, code, step or severity (they place it in
 * fnd_sort()'s order and in the counts). The change is kept (a spilled
 * list writes it back at the next call that takes l). */
finding *fnd_edit(findings *l, size_t i);

/* Add a finding with code and a printf-style translated message.
 * Location fields start unset; set them on the returned pointer with the
 * setters below. */
finding *fnd_add(findings *l, fnd_code code, const char *fmt, ...) SD_PRINTF(3, 4);
/* Same, with the severity overridden (e.g. feed-incomplete as info). */
finding *fnd_add_sev(findings *l, fnd_code code, fnd_severity sev, const char *fmt, ...)
    SD_PRINTF(4, 5);

/* A copy of f (any finding, from any list) at the end of l; the returned
 * pointer as fnd_add()'s. */
finding *fnd_add_copy(findings *l, const finding *f);

void fnd_set_member(finding *f, const char *member);
void fnd_set_inner(finding *f, const char *inner);
void fnd_set_observation(finding *f, const char *id);
void fnd_set_media(finding *f, const char *media);
void fnd_set_detail(finding *f, const char *detail);

/* Move every finding of src to the end of dst, in src's order; src becomes
 * empty (a failure of src's database passes to dst). */
void fnd_append(findings *dst, findings *src);
/* Remove from l every finding drop() says to, keeping the others in their
 * order (the list is copied: for the rare finding that later evidence
 * shows to be no fault, not for a hot path). */
void fnd_remove_if(findings *l, bool (*drop)(const finding *f, void *ud), void *ud);
/* Sort by step (guide order), then severity (worst first), stable otherwise.
 * A spilled list keeps its findings in buckets of step x severity as they
 * come, so this only marks them to be read bucket after bucket. */
void fnd_sort(findings *l);

/* Counts, without reading a spilled list's database. */
bool fnd_has(const findings *l, fnd_code code);
bool fnd_has_step(const findings *l, fnd_step step);
size_t fnd_count_code(const findings *l, fnd_code code);
size_t fnd_count(const findings *l, fnd_severity min);
/* Those of one step with exactly that severity. */
size_t fnd_count_in(const findings *l, fnd_step step, fnd_severity sev);
fnd_severity fnd_worst(const findings *l); /* SEV_INFO when empty */

/* Tests only: read SYNCDOCTOR_FINDINGS_BUDGET again. It is read once, at
 * the first finding a list counts, and holds for every list after. */
void fnd_budget_reload(void);

/* The catalogue, indexed by fnd_code. */
const fnd_code_info *fnd_info(fnd_code code);
/* By the code's string, for codes read back from outside (the journal):
 * NULL when unknown. */
const fnd_code_info *fnd_lookup(const char *code);
const fnd_code_info *fnd_catalogue(size_t *n);
const char *fnd_step_name(fnd_step s);          /* "configuration", … (stable, untranslated) */
const char *fnd_step_label(fnd_step s);         /* translated, for people */
const char *fnd_severity_name(fnd_severity s);  /* "info", "warning", "error" */
const char *fnd_severity_label(fnd_severity s); /* translated */
/* Translated advice for a code, or NULL. */
const char *fnd_advice(fnd_code code);
/* The same in the words of a front end (status.h): the wizard's for the
 * few codes whose advice names the CLI's commands or options. */
const char *fnd_advice_for(fnd_code code, sd_front front);

#endif
