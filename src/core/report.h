/* report.h: renderings of a diagnosis (sd_report) for people and scripts.
 *
 * JSON and YAML carry the same tree (YAML is emitted from the JSON tree with
 * libyaml, so the two can never drift apart). Text follows the guide's
 * order and ends with one verdict and the next action. Names that came from
 * the file are escaped so they cannot inject terminal control sequences.
 *
 * The full projectKey never appears in any rendering (the report does not
 * hold it). */
#ifndef SD_REPORT_H
#define SD_REPORT_H

#include <jansson.h>

#include "diagnosis.h"
#include "strbuf.h"

typedef enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_YAML } report_format;

/* Parse "text", "json", "yaml"; false when unknown. */
bool report_format_parse(const char *s, report_format *out);

/* A new JSON tree (caller decrefs). */
json_t *report_to_json(const sd_report *r);
/* Text for people, wrapped to width columns (>= 40). */
void report_to_text(const sd_report *r, int width, strbuf *out);
/* Any JSON tree as YAML (block style, UTF-8); false on emitter failure. */
bool report_json_to_yaml(json_t *j, strbuf *out);
/* Any JSON tree as JSON (indented, keys in insertion order) or, for
 * REPORT_YAML, as YAML, into out. j stays the caller's. What every command
 * with --format json|yaml prints. */
void report_tree_render(json_t *j, report_format fmt, strbuf *out);
/* Render r in fmt into out. */
void report_render(const sd_report *r, report_format fmt, int width, strbuf *out);
/* The same bytes, handed to emit in order, a piece at a time: the JSON
 * report's list of every current observation's id is never whole in memory
 * (text has no such list; YAML is rendered whole). */
void report_render_stream(const sd_report *r, report_format fmt, int width,
                          void (*emit)(const char *text, void *ud), void *ud);

/* One sentence: what to do next (translated). */
const char *report_next_action(const sd_report *r);
/* Where a finding was seen, for people: "member x, database file 0/data,
 * device 0, block 7, observation abc, photo y (detail)"; translated, every
 * name from the file escaped; "" when it has no place (caller frees). The
 * one wording the text report and the wizard share. */
char *report_place(const finding *f);
/* The one escaping function for every text output: a copy of s (caller
 * frees) with C0 controls, ESC, DEL and bytes that are not UTF-8 shown as
 * \xNN, C1 controls and bidirectional controls (U+200E/F, U+202A-202E,
 * U+2066-2069) as \uNNNN, and every key the process has read
 * (keys_note_secret()) in its footer form. keep_lines keeps newlines and
 * tabs (whole outputs); without it they are escaped too (one name). JSON
 * and YAML renderings (report_tree_render(), report_json_to_yaml()) get the
 * same treatment as \u escapes. */
char *report_escape_text(const char *s, bool keep_lines);
/* report_escape_text(s, false): for one name or value from a file. */
char *report_escape(const char *s);

#endif
