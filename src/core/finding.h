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
 * Ownership: a findings list owns every string in it. Pointers returned by
 * fnd_add() stay valid only until the next fnd_add() on the same list. */
#ifndef SD_FINDING_H
#define SD_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

typedef struct findings {
	finding *v;
	size_t n;
	size_t cap;
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
void fnd_free(findings *l);

/* Add a finding with code and a printf-style translated message.
 * Location fields start unset; set them on the returned pointer with the
 * setters below. */
finding *fnd_add(findings *l, fnd_code code, const char *fmt, ...) SD_PRINTF(3, 4);
/* Same, with the severity overridden (e.g. feed-incomplete as info). */
finding *fnd_add_sev(findings *l, fnd_code code, fnd_severity sev, const char *fmt, ...)
    SD_PRINTF(4, 5);

void fnd_set_member(finding *f, const char *member);
void fnd_set_inner(finding *f, const char *inner);
void fnd_set_observation(finding *f, const char *id);
void fnd_set_media(finding *f, const char *media);
void fnd_set_detail(finding *f, const char *detail);

/* Move every finding of src to the end of dst; src becomes empty. */
void fnd_append(findings *dst, findings *src);
/* Sort by step (guide order), then severity (worst first), stable otherwise. */
void fnd_sort(findings *l);

bool fnd_has(const findings *l, fnd_code code);
size_t fnd_count(const findings *l, fnd_severity min);
fnd_severity fnd_worst(const findings *l); /* SEV_INFO when empty */

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

#endif
