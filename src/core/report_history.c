/* report_history.c: 'syncdoctor history' as text, JSON and YAML, one row at
 * a time (report_history.h). */
#include "config.h"

#include "report_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "xalloc.h"

static void local_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}

/* ---- JSON and YAML, streamed ----
 * Each row is rendered as the only item of {KEY: [row]} and only the
 * item's lines are kept, so that it comes out exactly as in the whole tree
 * rendered at once. */

static void render(const report_history *h, json_t *o, strbuf *out)
{
	report_tree_render(o, h->fmt, out);
	json_decref(o);
}

/* YAML documents open with "---" and the emitter closes them with "...". */
static const char *yaml_body(const strbuf *out, size_t *len)
{
	const char *s = sb_str(out), *end = s + out->len;
	if (!strncmp(s, "---\n", 4))
		s += 4;
	if (end - s >= 4 && !strncmp(end - 4, "...\n", 4))
		end -= 4;
	*len = (size_t)(end - s);
	return s;
}

static void tree_item(const report_history *h, const char *key, json_t *row, size_t n, strbuf *dst)
{
	json_t *o = json_object(), *a = json_array();
	json_array_append_new(a, row);
	json_object_set_new(o, key, a);
	strbuf out = SB_INIT;
	render(h, o, &out);
	const char *s = sb_str(&out);
	if (h->fmt == REPORT_YAML) {
		size_t len;
		s = yaml_body(&out, &len);
		const char *item = memchr(s, '\n', len); /* after "KEY:" */
		item = item ? item + 1 : s + len;
		if (!n && !strcmp(key, "checks"))
			sb_add(dst, strncmp(sb_str(&out), "---\n", 4) ? "" : "---\n");
		if (!n)
			sb_addn(dst, s, (size_t)(item - s));
		sb_addn(dst, item, (size_t)(s + len - item));
	} else {
		/* "{\n  \"KEY\": [\n" ITEM "\n  ]\n}\n" */
		const char *item = strstr(s, "[\n"), *end = s + out.len - strlen("\n  ]\n}\n");
		item = item ? item + 2 : end;
		if (!n)
			sb_printf(dst, "%s  \"%s\": [\n", strcmp(key, "checks") ? ",\n" : "{\n",
			          key);
		else
			sb_add(dst, ",\n");
		sb_addn(dst, item, (size_t)(end - item));
	}
	sb_free(&out);
}

/* The end of the KEY array, or the whole of it when it had no item. */
static void tree_close(const report_history *h, const char *key, size_t n, strbuf *dst)
{
	if (n) {
		if (h->fmt == REPORT_JSON)
			sb_add(dst, "\n  ]");
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, key, json_array());
	strbuf out = SB_INIT;
	render(h, o, &out);
	if (h->fmt == REPORT_YAML) {
		size_t len;
		const char *s = yaml_body(&out, &len);
		if (!strcmp(key, "checks"))
			sb_add(dst, strncmp(sb_str(&out), "---\n", 4) ? "" : "---\n");
		sb_addn(dst, s, len);
	} else {
		/* "{\n  \"KEY\": []\n}\n" */
		sb_add(dst, strcmp(key, "checks") ? ",\n" : "{\n");
		sb_addn(dst, sb_str(&out) + 2, out.len - 5);
	}
	sb_free(&out);
}

/* The members after the arrays, and the end of the tree. */
static void tree_tail(const report_history *h, strbuf *dst)
{
	json_t *o = json_object();
	json_object_set_new(o, "journal", json_string(h->journal));
	if (h->file) {
		const jnl_summary *sum = h->sum;
		json_t *s = json_object();
		char *text = jnl_summary_text(sum);
		json_object_set_new(s, "file", json_string(h->file));
		json_object_set_new(s, "fingerprint",
		                    h->fingerprint[0] ? json_string(h->fingerprint) : json_null());
		json_object_set_new(s, "checks", json_integer((json_int_t)sum->n_checks));
		json_object_set_new(s, "last_verdict",
		                    sum->last_verdict ? json_string(sum->last_verdict)
		                                      : json_null());
		json_object_set_new(s, "contents_seen",
		                    json_integer((json_int_t)sum->n_fingerprints));
		json_object_set_new(s, "text", json_string(text));
		free(text);
		json_object_set_new(o, "summary", s);
	}
	strbuf out = SB_INIT;
	render(h, o, &out);
	if (h->fmt == REPORT_YAML) {
		const char *s = sb_str(&out);
		if (!strncmp(s, "---\n", 4))
			s += 4;
		sb_add(dst, s);
	} else {
		sb_printf(dst, ",%s", sb_str(&out) + 1); /* "{" + "\n  \"journal\"..." */
	}
	sb_free(&out);
}

/* ---- text ---- */

static void check_text(const jnl_check *c, strbuf *out)
{
	char d[32];
	local_time(c->time, d);
	char *esc = report_escape(c->path);
	sb_printf(out, "%s  %-10s  %s\n", d, c->verdict, esc);
	free(esc);
	sb_printf(out, _("    era %s, %llu bytes"), c->era[0] ? c->era : "?",
	          (unsigned long long)c->size);
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
		sb_printf(out, "    %-7s %s\n", f->severity ? f->severity : "", f->code);
	}
}

static void rebuild_text(const jnl_rebuild_row *b, bool first, strbuf *out)
{
	if (first)
		sb_add(out, _("\nRebuilds:\n"));
	char d[32];
	local_time(b->time, d);
	char *in = report_escape(b->input), *o = report_escape(b->output);
	sb_printf(out, _("%s  %s -> %s (%s): %s\n"), d, in, o, b->mode, b->outcome);
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
	if (h->fmt != REPORT_TEXT || !h->file)
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
		tree_item(h, "checks", jnl_check_json(c), h->n_checks, out);
	h->n_checks++;
}

void report_history_checks_end(report_history *h, strbuf *out)
{
	if (h->fmt != REPORT_TEXT)
		tree_close(h, "checks", h->n_checks, out);
}

void report_history_rebuild(report_history *h, const jnl_rebuild_row *b, strbuf *out)
{
	if (h->fmt == REPORT_TEXT)
		rebuild_text(b, !h->n_rebuilds, out);
	else
		tree_item(h, "rebuilds", jnl_rebuild_json(b), h->n_rebuilds, out);
	h->n_rebuilds++;
}

void report_history_end(report_history *h, strbuf *out)
{
	if (h->fmt == REPORT_TEXT) {
		if (!h->file && !h->n_checks && !h->n_rebuilds)
			sb_add(out, _("The case journal holds no checks yet.\n"));
		return;
	}
	tree_close(h, "rebuilds", h->n_rebuilds, out);
	tree_tail(h, out);
}
