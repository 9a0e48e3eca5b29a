/* report_history.h: what 'syncdoctor history' shows of the case journal
 * (module prefix report_history_), as text, JSON or YAML, streamed.
 *
 * The journal may hold 100,000 checks: rows are rendered one at a time, as
 * jnl_walk() hands them over, so the memory is that of one row. The whole
 * output is {checks: [...], rebuilds: [...], journal, summary} in JSON and
 * YAML, written by one report_tree (report.h) as the rows come: byte for
 * byte what report_tree_render() gives for that tree at once (a row's
 * last line comes with the next call); text lists the checks, then the
 * rebuilds.
 *
 * Use: report_history_begin(), report_history_check() for every check,
 * report_history_checks_end(), report_history_rebuild() for every rebuild,
 * report_history_end(), or report_history_abandon() when the walk stops
 * early. Each appends to out; the caller prints out (which it may empty)
 * between calls. Names from files are escaped in text and in the tree
 * (report_tree).
 *
 * Ownership: a report_history holds its report_tree from
 * report_history_begin() to report_history_end() or
 * report_history_abandon(); its other pointers stay the caller's and must
 * live until then. */
#ifndef SD_REPORT_HISTORY_H
#define SD_REPORT_HISTORY_H

#include "journal.h"
#include "report.h"
#include "strbuf.h"

typedef struct report_history {
	report_format fmt;
	const char *file;            /* the file asked about (its summary), NULL: all */
	const char *fingerprint;     /* its content's fingerprint, "" unknown */
	const jnl_summary *sum;      /* the file's summary (file given) */
	const char *journal;         /* the journal's path */
	size_t n_checks, n_rebuilds; /* rendered so far */
	report_tree *tree;           /* JSON, YAML: the output (owned), NULL before */
	strbuf *out;                 /* the call's out, where tree's text goes */
} report_history;

/* Text: the file's summary line first. */
void report_history_begin(report_history *h, strbuf *out);
void report_history_check(report_history *h, const jnl_check *c, strbuf *out);
/* After the last check (JSON, YAML: closes the checks). */
void report_history_checks_end(report_history *h, strbuf *out);
void report_history_rebuild(report_history *h, const jnl_rebuild_row *b, strbuf *out);
/* After the last rebuild: the rest of the tree, or the text's last word. */
void report_history_end(report_history *h, strbuf *out);
/* Instead of report_history_end() when the rows stopped coming (an error,
 * Ctrl-C): frees the tree, writes nothing more. */
void report_history_abandon(report_history *h);

/* A word the journal keeps in stable English ("ok", "problems", "error",
 * "repair", "written", ...) in the reader's language; an unknown one as it
 * is. Static or translated: never freed. */
const char *report_history_label(const char *word);

#endif
