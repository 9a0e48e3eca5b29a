/* report_history.c: 'syncdoctor history' as text, JSON and YAML, one row at
 * a time (report_history.h). */
#include "config.h"

#include "report_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "report.h"
#include "xalloc.h"

static void local_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}

/* ---- JSON and YAML, streamed: {checks: [...], rebuilds: [...], journal,
 * summary} written by one report_tree as the rows come ---- */

static void tree_emit(const char *text, void *ud)
{
	report_history *h = ud;
	sb_add(h->out, text);
}

/* One row, handed over at once (but for its last line, which the next
 * call ends). */
static void tree_row(report_history *h, json_t *row, strbuf *out)
{
	h->out = out;
	report_tree_value(h->tree, row);
	json_decref(row);
	report_tree_flush(h->tree);
}

/* The members after the arrays, and the end of the tree. */
static void tree_tail(report_history *h)
{
	json_t *journal = report_json_str(h->journal); /* bytes not UTF-8 as \xNN */
	if (journal) {
		report_tree_key(h->tree, "journal");
		report_tree_value(h->tree, journal);
		json_decref(journal);
	}
	if (h->file) {
		const jnl_summary *sum = h->sum;
		json_t *s = json_object();
		char *text = jnl_summary_text(sum);
		json_object_set_new(s, "file", report_json_str(h->file));
		json_object_set_new(s, "fingerprint",
		                    h->fingerprint[0] ? report_json_str(h->fingerprint)
		                                      : json_null());
		json_object_set_new(s, "checks", json_integer((json_int_t)sum->n_checks));
		json_object_set_new(s, "last_verdict",
		                    sum->last_verdict ? report_json_str(sum->last_verdict)
		                                      : json_null());
		json_object_set_new(s, "contents_seen",
		                    json_integer((json_int_t)sum->n_fingerprints));
		json_object_set_new(s, "text", report_json_str(text));
		free(text);
		report_tree_key(h->tree, "summary");
		report_tree_value(h->tree, s);
		json_decref(s);
	}
	report_tree_end(h->tree);
}

/* ---- text ---- */

/* The journal keeps stable English words (scripts read them in JSON); the
 * text shows them in the reader's language. Unknown words (a newer
 * syncdoctor's) as stored, escaped by the caller's printing. */
const char *report_history_label(const char *word)
{
	static const struct {
		const char *word, *label;
	} t[] = {{"ok", N_("no problem")},         {"problems", N_("problems")},
	         {"unreadable", N_("unreadable")}, {"info", N_("info")},
	         {"warning", N_("warning")},       {"error", N_("error")},
	         {"repair", N_("repair")},         {"salvage", N_("salvage")},
	         {"written", N_("written")}};
	for (size_t i = 0; word && i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(word, t[i].word))
			return _(t[i].label);
	return word ? word : "";
}

static void check_text(const jnl_check *c, strbuf *out)
{
	char d[32];
	local_time(c->time, d);
	char *esc = report_escape(c->path);
	sb_printf(out, "%s  %-10s  %s\n", d, report_history_label(c->verdict), esc);
	free(esc);
	sb_printf(out, P_("    era %s, %llu byte", "    era %s, %llu bytes", c->size),
	          c->era[0] ? c->era : "?", (unsigned long long)c->size);
	if (c->fingerprint[0])
		sb_printf(out, _(", fingerprint %.16s"), c->fingerprint);
	if (c->discovery_key[0])
		sb_printf(out, _(", project %.7s"), c->discovery_key);
	sb_addc(out, '\n');
	if (c->config_match >= 0) {
		char *cn = report_escape(c->config_name ? c->config_name : "");
		sb_printf(out, _("    compared with %s %s (%s): %s\n"), cn,
		          c->config_version ? c->config_version : "",
		          c->config_footer ? c->config_footer : "",
		          c->config_match ? _("same project") : _("another project"));
		free(cn);
	}
	for (size_t k = 0; k < c->n_findings; k++) {
		const jnl_finding *f = &c->findings[k];
		sb_printf(out, "    %-7s %s\n", report_history_label(f->severity), f->code);
	}
}

static void rebuild_text(const jnl_rebuild_row *b, bool first, strbuf *out)
{
	if (first)
		sb_add(out, _("\nRebuilds:\n"));
	char d[32];
	local_time(b->time, d);
	char *in = report_escape(b->input), *o = report_escape(b->output);
	char *outcome = report_escape(report_history_label(b->outcome));
	sb_printf(out, _("%s  %s -> %s (%s): %s\n"), d, in, o, report_history_label(b->mode),
	          outcome);
	free(outcome);
	free(in);
	free(o);
	for (size_t k = 0; k < b->n_dropped; k++) {
		char *e = report_escape(b->dropped[k]);
		sb_printf(out, _("    dropped: %s\n"), e);
		free(e);
	}
}

/* ---- the calls, in order ---- */

void report_history_begin(report_history *h, strbuf *out)
{
	if (h->fmt != REPORT_TEXT) {
		h->out = out;
		h->tree = report_tree_open(h->fmt, tree_emit, h);
		report_tree_map(h->tree);
		report_tree_key(h->tree, "checks");
		report_tree_seq(h->tree);
		return;
	}
	if (!h->file)
		return;
	char *s = jnl_summary_text(h->sum);
	char *esc = report_escape(h->file);
	sb_printf(out, "%s: %s\n", esc, s);
	free(esc);
	free(s);
	if (h->sum->n_checks)
		sb_addc(out, '\n');
}

void report_history_check(report_history *h, const jnl_check *c, strbuf *out)
{
	if (h->fmt == REPORT_TEXT)
		check_text(c, out);
	else
		tree_row(h, jnl_check_json(c), out);
	h->n_checks++;
}

void report_history_checks_end(report_history *h, strbuf *out)
{
	if (h->fmt == REPORT_TEXT)
		return;
	h->out = out;
	report_tree_end(h->tree);
	report_tree_key(h->tree, "rebuilds");
	report_tree_seq(h->tree);
}

void report_history_rebuild(report_history *h, const jnl_rebuild_row *b, strbuf *out)
{
	if (h->fmt == REPORT_TEXT)
		rebuild_text(b, !h->n_rebuilds, out);
	else
		tree_row(h, jnl_rebuild_json(b), out);
	h->n_rebuilds++;
}

void report_history_end(report_history *h, strbuf *out)
{
	if (h->fmt == REPORT_TEXT) {
		if (!h->file && !h->n_checks && !h->n_rebuilds)
			sb_add(out, _("The case journal holds no checks yet.\n"));
		return;
	}
	h->out = out;
	report_tree_end(h->tree);
	tree_tail(h);
	report_tree_close(h->tree);
	h->tree = NULL;
}

void report_history_abandon(report_history *h)
{
	if (!h->tree)
		return;
	strbuf rest = SB_INIT;
	h->out = &rest;
	report_tree_close(h->tree);
	h->tree = NULL;
	sb_free(&rest);
}
