/* report_match.h: what 'syncdoctor match' shows (module prefix
 * report_match_): which of the configurations tried made a sync file, as
 * text, JSON or YAML.
 *
 * The command fills a report_match (report_match_add() for every
 * configuration it opened, in the order tried) and hands it here. Only a
 * configuration's footer form and the id Mapeo's errors give it ('us=...')
 * are kept, never its key; the file's project is shown in the form of
 * Mapeo's errors ('syncfile=...'). Names from files are escaped here (a
 * newline in a preset name would print a line of its own), the rest by the
 * caller's printing (cli_print()); JSON and YAML go through
 * report_tree_render().
 *
 * Ownership: report_match_add() copies what it is given;
 * report_match_free() frees it. file stays the caller's. */
#ifndef SD_REPORT_MATCH_H
#define SD_REPORT_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "strbuf.h"

typedef struct report_match_config {
	char *path;
	char *name, *version; /* NULL when the configuration has none */
	char footer[16];      /* "ae0a6**********" or "MAPEO" */
	char error_id[16];    /* as Mapeo's errors show it: "us=97c1152" names this */
	bool match;           /* made the file: the same project */
} report_match_config;

typedef struct report_match {
	const char *file;       /* the sync file, as given */
	char project[16];       /* its project as Mapeo's errors show it */
	report_match_config *v; /* every configuration opened, in order */
	size_t n, cap;
	size_t n_matches;
} report_match;

/* discovery_key: the configuration's, "" for the default project or a key
 * Mapeo cannot decode. */
void report_match_add(report_match *m, const char *path, const char *name, const char *version,
                      const char *footer, const char *discovery_key, bool match);
void report_match_free(report_match *m);
/* Append m rendered in fmt to out. */
void report_match_render(const report_match *m, report_format fmt, strbuf *out);

#endif
