/* configuration_diff.h: what differs between two configurations, by meaning.
 *
 * Both field schemas are compared as one model: builder 3.x
 * {key, type: select_one, options: ["a"]} and builder 4+ {tagKey, type:
 * selectOne, options: [{label, value}]}. A field whose id changed but whose
 * tag key and type did not is a rename, and references to it (preset field
 * lists, defaults, translations) follow the rename instead of showing as
 * changes. Keys are shown only in their footer and discovery forms.
 *
 * Ownership: cfg_diff_compute() returns a list freed with cfg_diff_free(). */
#ifndef SD_CONFIGURATION_DIFF_H
#define SD_CONFIGURATION_DIFF_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>

#include "configuration.h"
#include "strbuf.h"

typedef enum cfg_diff_kind { DIFF_ADDED, DIFF_REMOVED, DIFF_CHANGED, DIFF_RENAMED } cfg_diff_kind;

typedef struct cfg_diff_item {
	cfg_diff_kind kind;
	const char *area; /* "metadata", "container", "category", "preset", "field", "defaults",
	                     "translation", "icon", "imagery", "style", "layers" (static) */
	char *id;         /* preset/field/category id, language path, icon name */
	char *what;       /* the property that changed ("label", "options", …), may be NULL */
	char *old_value;  /* may be NULL */
	char *new_value;  /* may be NULL */
} cfg_diff_item;

typedef struct cfg_diff {
	cfg_diff_item *v;
	size_t n, cap;
	bool content_differs;          /* anything beyond how the files were built */
	volatile sig_atomic_t *cancel; /* the interrupt flag (may be NULL) */
	bool cancelled;                /* the work stopped early: the list is partial */
} cfg_diff;

cfg_diff *cfg_diff_compute(const mapeo_config *a, const mapeo_config *b);
/* The same, stopping early (d->cancelled set) once *cancel becomes
 * non-zero; every loop over the configurations checks it. */
cfg_diff *cfg_diff_compute_cancel(const mapeo_config *a, const mapeo_config *b,
                                  volatile sig_atomic_t *cancel);
void cfg_diff_free(cfg_diff *d);
/* How the files were built, not what they ask people (tar or ZIP, build
 * date, builder, file version, icons): shown apart from the rest. */
bool cfg_diff_item_is_build(const cfg_diff_item *it);
const char *cfg_diff_kind_name(cfg_diff_kind k); /* "added", "removed", "changed", "renamed" */
/* One line for people, translated (caller frees). */
char *cfg_diff_item_text(const cfg_diff_item *it);
/* Unified (width < 120) or side by side. */
void cfg_diff_to_text(const cfg_diff *d, const mapeo_config *a, const mapeo_config *b, int width,
                      strbuf *out);
json_t *cfg_diff_to_json(const cfg_diff *d, const mapeo_config *a, const mapeo_config *b);

#endif
