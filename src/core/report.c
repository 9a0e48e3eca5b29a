#include "config.h"

#include "report.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "i18n.h"
#include "keys.h"
#include "observations.h"
#include "strmap.h"
#include "xalloc.h"

bool report_format_parse(const char *s, report_format *out)
{
	if (!strcmp(s, "text"))
		*out = REPORT_TEXT;
	else if (!strcmp(s, "json"))
		*out = REPORT_JSON;
	else if (!strcmp(s, "yaml"))
		*out = REPORT_YAML;
	else
		return false;
	return true;
}

/* Length of the valid UTF-8 sequence at p and its code point; 0 when the
 * bytes are not valid UTF-8 (overlong forms and surrogates included). */
static int utf8_seq(const unsigned char *p, uint32_t *cp)
{
	int n = p[0] >= 0xc2 && p[0] <= 0xdf   ? 2
	        : p[0] >= 0xe0 && p[0] <= 0xef ? 3
	        : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
	                                       : 0;
	if (!n)
		return 0;
	uint32_t v = p[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (n == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	*cp = v;
	return n;
}

/* C1 controls (0x80-0x9f, U+0085 included), and the bidirectional marks,
 * embeddings, overrides and isolates that reorder what a terminal shows. */
static bool escaped_code_point(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

typedef enum escape_mode {
	ESC_NAME,  /* one name or value: every control escaped */
	ESC_LINES, /* a whole text output: newlines and tabs kept */
	ESC_TREE,  /* JSON or YAML text: C0 is already escaped by the emitters */
} escape_mode;

/* The one escaping function of syncdoctor: every text output (CLI, session
 * log, bundles, wizard) goes through it, so a file can never send a control
 * sequence to a terminal nor show a key it carries. In ESC_TREE mode DEL,
 * C1 and bidi controls become \u escapes (jansson escapes only C0; libyaml
 * leaves bidi controls raw), valid because these code points can only be
 * inside double-quoted strings there (emit_scalar() quotes them). */
static void escape_into(strbuf *b, const char *s, escape_mode mode)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p;) {
		uint32_t cp = 0;
		int n;
		char footer[16];
		size_t klen = keys_secret_at((const char *)p, footer);
		/* 64 hex digits or more in a name or a message: a key this run
		 * never read (a projectKey copied into a photo's name) is masked
		 * too, in Mapeo's footer form. Only there: a whole output keeps
		 * the fields scripts read (a fingerprint, the public discovery and
		 * feed keys in JSON) */
		size_t hex = !klen && mode == ESC_NAME && isxdigit(*p)
		                 ? keys_hex_run(s, (const char *)p)
		                 : 0;
		if (klen) {
			sb_add(b, footer);
			p += klen;
		} else if (hex >= 64) {
			sb_addn(b, (const char *)p, 5);
			sb_add(b, "**********");
			p += hex;
		} else if (*p == 0x7f && mode == ESC_TREE) {
			sb_add(b, "\\u007f");
			p++;
		} else if ((*p < 0x20 && mode != ESC_TREE &&
		            !(mode == ESC_LINES && (*p == '\n' || *p == '\t'))) ||
		           *p == 0x7f) {
			sb_printf(b, "\\x%02x", *p++);
		} else if (*p < 0x80) {
			sb_addc(b, (char)*p++);
		} else if ((n = utf8_seq(p, &cp)) == 0) {
			/* a lone byte 0x80..0xff: 0x9b is CSI on 8-bit terminals */
			if (mode == ESC_TREE)
				sb_addc(b, (char)*p++);
			else
				sb_printf(b, "\\x%02x", *p++);
		} else if (escaped_code_point(cp)) {
			sb_printf(b, "\\u%04x", (unsigned)cp);
			p += n;
		} else {
			sb_addn(b, (const char *)p, (size_t)n);
			p += n;
		}
	}
}

char *report_escape_text(const char *s, bool keep_lines)
{
	strbuf b = SB_INIT;
	escape_into(&b, s, keep_lines ? ESC_LINES : ESC_NAME);
	return sb_take(&b);
}

char *report_escape(const char *s) { return report_escape_text(s, false); }

json_t *report_json_str(const char *s)
{
	if (!s)
		return NULL;
	json_t *j = json_string(s);
	if (j)
		return j;
	char *e = report_escape(s);
	j = json_string(e);
	free(e);
	return j ? j : json_string("");
}

static json_t *jstr_or_null(const char *s) { return s ? report_json_str(s) : json_null(); }

/* A finding's words and names into JSON with any 64 hex digits masked (a
 * key copied into a name), as the text shows them. */
static void json_set_masked(json_t *o, const char *k, const char *v)
{
	char *m = keys_mask_hex(v);
	json_object_set_new(o, k, report_json_str(m));
	free(m);
}

static json_t *finding_json(const finding *f, sd_front front)
{
	json_t *o = json_object();
	json_object_set_new(o, "code", report_json_str(f->code));
	json_object_set_new(o, "step", report_json_str(fnd_step_name(f->step)));
	json_object_set_new(o, "severity", report_json_str(fnd_severity_name(f->severity)));
	json_set_masked(o, "message", f->message);
	const char *adv = fnd_advice_for(f->id, front);
	if (adv)
		json_object_set_new(o, "advice", report_json_str(adv));
	if (f->offset >= 0)
		json_object_set_new(o, "offset", json_integer(f->offset));
	if (f->member)
		json_set_masked(o, "member", f->member);
	if (f->inner)
		json_set_masked(o, "inner", f->inner);
	if (f->feed >= 0)
		json_object_set_new(o, "feed", json_integer(f->feed));
	if (f->block >= 0)
		json_object_set_new(o, "block", json_integer(f->block));
	if (f->observation)
		json_set_masked(o, "observation", f->observation);
	if (f->media)
		json_set_masked(o, "media", f->media);
	if (f->detail)
		json_set_masked(o, "detail", f->detail);
	return o;
}

/* The version step and this computer (diagnosis.h report_version). */
static json_t *version_json(const sd_report *r)
{
	const report_version *v = &r->version;
	json_t *o = json_object();
	json_object_set_new(o, "era", report_json_str(r->era));
	json_object_set_new(o, "table", jstr_or_null(v->table_path));
	if (v->table_error)
		json_object_set_new(o, "table_error", report_json_str(v->table_error));
	json_object_set_new(o, "written_by", jstr_or_null(v->writers));
	json_object_set_new(o, "readable_by", jstr_or_null(v->readers));
	json_t *c = json_array();
	for (size_t i = 0; i < v->n_cautions; i++)
		json_array_append_new(c, report_json_str(v->cautions[i]));
	json_object_set_new(o, "cautions", c);
	json_t *l = json_object();
	json_object_set_new(l, "found", json_boolean(v->local_found));
	json_object_set_new(l, "version", jstr_or_null(v->local_version));
	json_object_set_new(l, "path", jstr_or_null(v->local_path));
	json_object_set_new(l, "can_read",
	                    v->local_can_read < 0 ? json_null() : json_boolean(v->local_can_read));
	json_object_set_new(l, "advice", jstr_or_null(v->local_text));
	json_object_set_new(l, "userdata", jstr_or_null(v->userdata));
	json_object_set_new(o, "this_computer", l);
	json_t *log = json_array();
	for (size_t i = 0; i < v->n_log; i++) {
		const report_log_line *x = &v->log[i];
		json_t *e = json_object();
		json_object_set_new(e, "date", report_json_str(x->date));
		json_object_set_new(e, "kind", report_json_str(x->kind));
		json_object_set_new(e, "message", report_json_str(x->text));
		json_object_set_new(e, "file", report_json_str(x->file));
		json_object_set_new(e, "line", json_integer(x->line));
		if (!strcmp(x->kind, "project-mismatch"))
			json_object_set_new(e, "this_file", json_boolean(x->this_file));
		json_array_append_new(log, e);
	}
	json_object_set_new(o, "log", log);
	json_object_set_new(o, "log_total", json_integer((json_int_t)v->n_log_total));
	return o;
}

void report_head_get(const sd_report *r, size_t i, report_head *out)
{
	if (r->heads) {
		*out = r->heads[i];
		return;
	}
	obs_head h;
	obs_model_head(r->heads_model, i, &h);
	memset(out, 0, sizeof *out);
	snprintf(out->id, sizeof out->id, "%s", h.id);
	out->feed = h.feed;
	out->seq = h.seq;
}

/* The report as a tree; with ids and fnds, empty arrays stand for the
 * observations' ids and the findings, and *ids and *fnds are they
 * (report_render_stream() writes them in their place). */
static json_t *report_json(const sd_report *r, json_t **ids, json_t **fnds);

json_t *report_to_json(const sd_report *r) { return report_json(r, NULL, NULL); }

static json_t *feeds_json(const sd_report *r)
{
	json_t *feeds = json_array();
	for (size_t i = 0; i < r->n_feeds; i++) {
		const report_feed *f = &r->feeds[i];
		json_t *jf = json_object();
		json_object_set_new(jf, "index", json_integer(f->index));
		json_object_set_new(jf, "key",
		                    f->key_hex[0] ? report_json_str(f->key_hex) : json_null());
		json_object_set_new(jf, "length", json_integer((json_int_t)f->length));
		json_object_set_new(jf, "present", json_integer((json_int_t)f->present));
		json_object_set_new(jf, "checked", json_boolean(f->checked));
		if (f->checked) {
			json_object_set_new(jf, "intact", json_integer((json_int_t)f->intact));
			json_object_set_new(jf, "verified", json_integer((json_int_t)f->verified));
			json_object_set_new(jf, "signed", json_integer(f->signed_len));
		}
		if (r->is_database) {
			json_object_set_new(jf, "own", json_boolean(f->own));
			/* as Mapeo Desktop's Help > Database status shows it */
			json_t *ds = json_object();
			json_object_set_new(ds, "sofar", json_integer((json_int_t)f->present));
			json_object_set_new(ds, "total", json_integer((json_int_t)f->length));
			json_object_set_new(jf, "database_status", ds);
		}
		json_array_append_new(feeds, jf);
	}
	return feeds;
}

/* The codes of the findings that name a suspect observation, each once, in
 * the list's order (codes are the catalogue's strings). */
typedef struct suspect_codes {
	const char **v;
	size_t n, cap;
} suspect_codes;

/* Those of every suspect (r->obs[i] has [i]), in one pass over the
 * findings: a list past its budget is read from its temporary file once,
 * not once a suspect. Free with free_suspect_codes(). */
static suspect_codes *codes_of_suspects(const sd_report *r)
{
	suspect_codes *c = xcalloc(r->n_obs + 1, sizeof *c);
	smap by_id;
	smap_init(&by_id);
	for (size_t i = r->n_obs; i-- > 0;) /* the first of an id given twice */
		smap_put(&by_id, r->obs[i].id, strlen(r->obs[i].id), i);
	for (size_t k = 0, n = r->n_obs ? fnd_n(&r->findings) : 0; k < n; k++) {
		const finding *f = fnd_at(&r->findings, k);
		size_t i;
		if (!f->observation ||
		    !smap_get(&by_id, f->observation, strlen(f->observation), &i))
			continue;
		bool dup = false;
		for (size_t j = 0; j < c[i].n && !dup; j++)
			dup = !strcmp(c[i].v[j], f->code);
		if (!dup) {
			SD_GROW(c[i].v, c[i].cap, c[i].n + 1);
			c[i].v[c[i].n++] = f->code;
		}
	}
	for (size_t i = 0; i < r->n_obs; i++) {
		size_t first;
		if (smap_get(&by_id, r->obs[i].id, strlen(r->obs[i].id), &first) && first != i &&
		    c[first].n) {
			c[i].v = xreallocarray(NULL, c[first].n, sizeof *c[i].v);
			memcpy(c[i].v, c[first].v, c[first].n * sizeof *c[i].v);
			c[i].n = c[i].cap = c[first].n;
		}
	}
	smap_free(&by_id);
	return c;
}

static void free_suspect_codes(suspect_codes *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].v);
	free(c);
}

/* The observations; with ids, an empty array stands for their ids and
 * *ids is it (report_render_stream() writes them in its place). */
static json_t *observations_json(const sd_report *r, json_t **ids_node)
{
	json_t *ob = json_object();
	json_object_set_new(ob, "heads", json_integer((json_int_t)r->obs_heads));
	json_object_set_new(ob, "forks", json_integer((json_int_t)r->obs_forks));
	json_object_set_new(ob, "deleted", json_integer((json_int_t)r->obs_deleted));
	json_object_set_new(ob, "with_attachments",
	                    json_integer((json_int_t)r->obs_with_attachments));
	json_t *ids = json_array();
	json_t *suspect = json_array();
	if (ids_node)
		*ids_node = ids;
	for (size_t i = 0; i < r->n_heads && !ids_node; i++) {
		report_head h;
		report_head_get(r, i, &h);
		json_array_append_new(ids, report_json_str(h.id));
	}
	suspect_codes *sc = codes_of_suspects(r);
	for (size_t i = 0; i < r->n_obs; i++) {
		const report_observation *x = &r->obs[i];
		json_t *s = json_object();
		json_object_set_new(s, "id", report_json_str(x->id));
		json_object_set_new(s, "version", report_json_str(x->version));
		json_object_set_new(s, "category", jstr_or_null(x->category));
		json_object_set_new(s, "created_at", jstr_or_null(x->created_at));
		if (x->has_location) {
			json_object_set_new(s, "lat", json_real(x->lat));
			json_object_set_new(s, "lon", json_real(x->lon));
		}
		json_object_set_new(s, "severity",
		                    report_json_str(fnd_severity_name((fnd_severity)x->worst)));
		json_t *codes = json_array();
		for (size_t k = 0; k < sc[i].n; k++)
			json_array_append_new(codes, report_json_str(sc[i].v[k]));
		json_object_set_new(s, "checks", codes);
		json_array_append_new(suspect, s);
	}
	free_suspect_codes(sc, r->n_obs);
	json_object_set_new(ob, "ids", ids);
	json_object_set_new(ob, "suspect", suspect);
	return ob;
}

/* The command line of a rebuild in mode (REPAIR_*) for r's input: a
 * database folder is read with --database, --config where r needs one. */
enum { REPAIR_PLAIN, REPAIR_RESCUE, REPAIR_SALVAGE };
static const char *repair_cmd(int mode, const sd_report *r)
{
	/* [plain, rescue, salvage][file, folder][names its project, needs one] */
	static const char *const cmd[3][2][2] = {
	    {{"syncdoctor rebuild FILE -o OUT", "syncdoctor rebuild --config CONFIG FILE -o OUT"},
	     {"syncdoctor rebuild --database DIR -o OUT",
	      "syncdoctor rebuild --database DIR --config CONFIG -o OUT"}},
	    {{"syncdoctor rebuild --rescue FILE -o OUT",
	      "syncdoctor rebuild --rescue --config CONFIG FILE -o OUT"},
	     {"syncdoctor rebuild --rescue --database DIR -o OUT",
	      "syncdoctor rebuild --rescue --database DIR --config CONFIG -o OUT"}},
	    {{"syncdoctor rebuild --salvage FILE -o OUT",
	      "syncdoctor rebuild --salvage --config CONFIG FILE -o OUT"},
	     {"syncdoctor rebuild --salvage --database DIR -o OUT",
	      "syncdoctor rebuild --salvage --database DIR --config CONFIG -o OUT"}}};
	return cmd[mode][r->is_database][r->needs_config];
}

/* The rebuild the advice names (the one that keeps the most), or NULL
 * when the check planned none (rebuild_advise()). */
static const char *repair_command(const sd_report *r)
{
	if (!r->advised || (!r->rebuild_whole && r->salvage_refused))
		return NULL;
	return repair_cmd(r->rebuild_whole ? REPAIR_PLAIN
	                  : r->rescue_only ? REPAIR_RESCUE
	                                   : REPAIR_SALVAGE,
	                  r);
}

/* The CLI's words after a next action that names the salvage, when a
 * rescue gives back entries the salvage leaves out (r->rescue_more: only
 * then set, rebuild_advise()), or NULL. The wizard asks before its repair.
 * Caller frees. */
static char *rescue_more_text(const sd_report *r)
{
	if (!r->rescue_more || r->front == SD_FRONT_WIZARD)
		return NULL;
	return xasprintf(P_("Also: %zu entry that a salvage leaves out still hashes to what its "
	                    "device signed. '%s' keeps it too, copied under a new key: it gets "
	                    "a new version, and may appear twice when that device syncs again.",
	                    "Also: %zu entries that a salvage leaves out still hash to what their "
	                    "device signed. '%s' keeps them too, copied under a new key: they "
	                    "get new versions, and may appear twice when that device syncs "
	                    "again.",
	                    r->rescue_more),
	                 r->rescue_more, repair_cmd(REPAIR_RESCUE, r));
}

/* What the check's plans say of the repair; null when none was planned. */
static json_t *repair_json(const sd_report *r)
{
	if (!r->advised)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "rebuild_whole", json_boolean(r->rebuild_whole));
	json_object_set_new(o, "salvage_whole",
	                    r->rebuild_whole ? json_null() : json_boolean(r->salvage_whole));
	json_object_set_new(o, "rescue_only", json_boolean(r->rescue_only));
	json_object_set_new(o, "salvage_refused", json_boolean(r->salvage_refused));
	json_object_set_new(o, "rescue_more", json_integer((json_int_t)r->rescue_more));
	json_object_set_new(o, "needs_config", json_boolean(r->needs_config));
	const char *c = repair_command(r);
	json_object_set_new(o, "command", c ? report_json_str(c) : json_null());
	return o;
}

static json_t *report_json(const sd_report *r, json_t **ids, json_t **fnds)
{
	json_t *o = json_object();
	json_object_set_new(o, "file", report_json_str(r->file));
	json_object_set_new(o, "kind", report_json_str(r->is_database ? "database" : "syncfile"));
	json_object_set_new(o, "size", json_integer((json_int_t)r->size));
	json_object_set_new(o, "verdict", report_json_str(check_verdict_name(r->verdict)));
	/* false when a safety limit left part of the input unread (limit-exceeded) */
	json_object_set_new(o, "complete",
	                    json_boolean(!fnd_has(&r->findings, FND_LIMIT_EXCEEDED)));
	json_object_set_new(o, "era", report_json_str(r->era));
	if (r->era_text)
		json_object_set_new(o, "era_text", report_json_str(r->era_text));
	if (r->database_copy)
		json_object_set_new(o, "database_copy", report_json_str(r->database_copy));
	json_t *p = json_object();
	json_object_set_new(p, "discovery_key",
	                    r->has_discovery_key ? report_json_str(r->discovery_key) : json_null());
	char form[16];
	keys_error_form(r->has_discovery_key ? r->discovery_key : NULL, form);
	json_object_set_new(p, "shown_as", report_json_str(form));
	json_object_set_new(p, "default", json_boolean(r->project_default));
	json_object_set_new(p, "known", json_boolean(!r->project_unknown));
	json_object_set_new(p, "p2p_db", jstr_or_null(r->p2p_db));
	json_object_set_new(o, "project", p);
	if (r->config_used) {
		json_t *c = json_object();
		json_object_set_new(c, "path", report_json_str(r->config_path));
		json_object_set_new(c, "name", jstr_or_null(r->config_name));
		json_object_set_new(c, "version", jstr_or_null(r->config_version));
		json_object_set_new(c, "discovery_key",
		                    r->config_has_key ? report_json_str(r->config_discovery_key)
		                                      : json_null());
		json_object_set_new(c, "footer", report_json_str(r->config_footer));
		json_object_set_new(
		    c, "match", r->project_unknown ? json_null() : json_boolean(r->config_match));
		json_object_set_new(c, "source", jstr_or_null(r->config_source));
		json_object_set_new(o, "config", c);
	}
	json_object_set_new(o, "members", json_integer((json_int_t)r->members));
	json_t *m = json_object();
	json_object_set_new(m, "members", json_integer((json_int_t)r->media_members));
	json_object_set_new(m, "bytes", json_integer((json_int_t)r->media_bytes));
	json_object_set_new(m, "checked", json_boolean(r->photos_checked));
	if (r->photos_checked)
		json_object_set_new(m, "damaged", json_integer((json_int_t)r->photos_damaged));
	json_object_set_new(o, "media", m);
	json_object_set_new(o, "database", json_boolean(r->has_database));
	json_object_set_new(o, "feeds", feeds_json(r));
	if (r->observations_checked)
		json_object_set_new(o, "observations", observations_json(r, ids));
	if (r->verdict != VERDICT_UNREADABLE)
		json_object_set_new(o, "version", version_json(r));
	json_t *fs = json_array();
	if (fnds)
		*fnds = fs;
	for (size_t i = 0; i < fnd_n(&r->findings) && !fnds; i++)
		json_array_append_new(fs, finding_json(fnd_at(&r->findings, i), r->front));
	json_object_set_new(o, "findings", fs);
	json_object_set_new(o, "next_action", report_json_str(report_next_action(r)));
	json_object_set_new(o, "repair", repair_json(r));
	return o;
}

/* ---- trees, written as they are walked (report.h report_tree) ---- */

#define TREE_PIECE (64u << 10) /* hand output over past this many bytes */
#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

struct report_tree {
	report_format fmt;
	void (*emit)(const char *, void *);
	void *ud;
	strbuf raw; /* written, not yet escaped and handed over */
	bool ok;    /* YAML: no emitter failure yet (after one, nothing more is emitted) */
	/* per open container, its closing bracket and (JSON) its items so far */
	char *close;
	size_t *items;
	size_t depth, cap;
	bool keyed; /* a key was just written: its value goes on the same line */
	yaml_emitter_t em;
};

/* Escape the first n bytes of raw (whole lines: neither a UTF-8 sequence
 * nor a key that escaping masks spans a line), hand them over, drop them. */
static void tree_hand_over(report_tree *t, size_t n)
{
	if (!n)
		return;
	char c = t->raw.s[n];
	t->raw.s[n] = '\0';
	strbuf b = SB_INIT;
	escape_into(&b, t->raw.s, ESC_TREE);
	t->raw.s[n] = c;
	t->emit(sb_str(&b), t->ud);
	sb_free(&b);
	memmove(t->raw.s, t->raw.s + n, t->raw.len - n + 1);
	t->raw.len -= n;
}

/* Every whole line of raw, once there are enough of them (all: any). */
static void tree_lines(report_tree *t, bool all)
{
	if (t->raw.len < (all ? 1u : TREE_PIECE))
		return;
	const char *nl = memrchr(t->raw.s, '\n', t->raw.len);
	if (nl)
		tree_hand_over(t, (size_t)(nl - t->raw.s) + 1);
}

static int tree_yaml_write(void *ud, unsigned char *buf, size_t size)
{
	report_tree *t = ud;
	sb_addn(&t->raw, (const char *)buf, size);
	tree_lines(t, false);
	return 1;
}

/* True when s holds a code point escape_into() rewrites in trees. */
static bool needs_tree_escape(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		uint32_t cp;
		if (*p == 0x7f || (*p >= 0x80 && utf8_seq(p, &cp) && escaped_code_point(cp)))
			return true;
	}
	return false;
}

static void tree_yaml_emit(report_tree *t, yaml_event_t *ev)
{
	if (t->ok && !yaml_emitter_emit(&t->em, ev))
		t->ok = false;
}

/* A YAML scalar: plain_ok for keys, numbers and literals; strings are
 * quoted (libyaml picks the style), and so is every string escape_into()
 * rewrites, since its \u escapes are valid only inside double quotes. */
static void tree_yaml_scalar(report_tree *t, const char *s, bool plain_ok)
{
	yaml_event_t ev;
	if (!t->ok)
		return;
	if (plain_ok && needs_tree_escape(s))
		plain_ok = false;
	if (!yaml_scalar_event_initialize(
	        &ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), plain_ok, !plain_ok,
	        plain_ok ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE)) {
		t->ok = false;
		return;
	}
	tree_yaml_emit(t, &ev);
}

/* JSON: what goes before a value (or a key) in the open container. */
static void tree_json_item(report_tree *t)
{
	if (t->keyed) {
		t->keyed = false;
		return;
	}
	if (!t->depth)
		return;
	if (t->items[t->depth - 1]++)
		sb_addc(&t->raw, ',');
	sb_addc(&t->raw, '\n');
	for (size_t k = 0; k < t->depth * 2; k++)
		sb_addc(&t->raw, ' ');
}

/* JSON: s as jansson writes a string, false when s is not UTF-8. */
static bool tree_json_string(report_tree *t, const char *s)
{
	/* Mapeo's ids and most names: as jansson writes them, quoted;
	 * anything else goes through jansson itself */
	bool plain = true;
	for (const char *p = s; *p && plain; p++)
		plain = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\';
	if (plain) {
		sb_addc(&t->raw, '"');
		sb_add(&t->raw, s);
		sb_addc(&t->raw, '"');
		return true;
	}
	json_t *js = report_json_str(s); /* NULL when not UTF-8 */
	char *d = js ? json_dumps(js, JSON_FLAGS | JSON_ENCODE_ANY) : NULL;
	json_decref(js);
	if (!d)
		return false;
	sb_add(&t->raw, d);
	free(d);
	return true;
}

report_tree *report_tree_open(report_format fmt, void (*emit)(const char *text, void *ud), void *ud)
{
	report_tree *t = xcalloc(1, sizeof *t);
	t->fmt = fmt;
	t->emit = emit;
	t->ud = ud;
	t->ok = true;
	if (fmt != REPORT_YAML)
		return t;
	yaml_event_t ev;
	t->ok = yaml_emitter_initialize(&t->em);
	if (!t->ok)
		return t;
	yaml_emitter_set_output(&t->em, tree_yaml_write, t);
	yaml_emitter_set_unicode(&t->em, 1);
	yaml_emitter_set_width(&t->em, -1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	tree_yaml_emit(t, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
	tree_yaml_emit(t, &ev);
	return t;
}

static void tree_open(report_tree *t, bool map)
{
	if (t->fmt != REPORT_YAML)
		tree_json_item(t);
	SD_GROW(t->items, t->cap, t->depth + 1);
	t->close = xrealloc(t->close, t->cap);
	t->close[t->depth] = map ? '}' : ']';
	t->items[t->depth++] = 0;
	if (t->fmt == REPORT_YAML) {
		yaml_event_t ev;
		if (map)
			yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
			                                    YAML_BLOCK_MAPPING_STYLE);
		else
			yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
			                                     YAML_BLOCK_SEQUENCE_STYLE);
		tree_yaml_emit(t, &ev);
		return;
	}
	sb_addc(&t->raw, map ? '{' : '[');
}

void report_tree_map(report_tree *t) { tree_open(t, true); }

void report_tree_seq(report_tree *t) { tree_open(t, false); }

void report_tree_end(report_tree *t)
{
	t->depth--;
	if (t->fmt == REPORT_YAML) {
		yaml_event_t ev;
		if (t->close[t->depth] == '}')
			yaml_mapping_end_event_initialize(&ev);
		else
			yaml_sequence_end_event_initialize(&ev);
		tree_yaml_emit(t, &ev);
		return;
	}
	if (t->items[t->depth]) {
		sb_addc(&t->raw, '\n');
		for (size_t k = 0; k < t->depth * 2; k++)
			sb_addc(&t->raw, ' ');
	}
	sb_addc(&t->raw, t->close[t->depth]);
	tree_lines(t, false);
}

void report_tree_key(report_tree *t, const char *key)
{
	if (t->fmt == REPORT_YAML) {
		tree_yaml_scalar(t, key, true);
		return;
	}
	tree_json_item(t);
	tree_json_string(t, key);
	sb_add(&t->raw, ": ");
	t->keyed = true;
}

/* Is s UTF-8? (ASCII at once; else as jansson tells it) */
static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p && *p < 0x80)
		p++;
	if (!*p)
		return true;
	json_t *js = json_string(s);
	json_decref(js);
	return js != NULL;
}

void report_tree_string(report_tree *t, const char *s)
{
	/* bytes that are not UTF-8 as \xNN, as report_json_str() does for the
	 * trees (jansson, and so this writer, left such a string out) */
	char *esc = utf8_ok(s) ? NULL : report_escape(s);
	if (esc)
		s = esc;
	if (t->fmt == REPORT_YAML) {
		tree_yaml_scalar(t, s, false);
		free(esc);
		return;
	}
	size_t len = t->raw.len;
	bool keyed = t->keyed;
	size_t items = t->depth ? t->items[t->depth - 1] : 0;
	tree_json_item(t);
	if (!tree_json_string(t, s)) { /* undo the separator */
		t->raw.len = len;
		t->raw.s[len] = '\0';
		t->keyed = keyed;
		if (t->depth)
			t->items[t->depth - 1] = items;
		free(esc);
		return;
	}
	free(esc);
	tree_lines(t, false);
}

/* One scalar of a jansson tree. */
static void tree_scalar(report_tree *t, json_t *j)
{
	char buf[64];
	if (json_is_string(j)) {
		if (t->fmt == REPORT_YAML)
			tree_yaml_scalar(t, json_string_value(j), false);
		else
			report_tree_string(t, json_string_value(j));
		return;
	}
	if (t->fmt == REPORT_YAML) {
		switch (json_typeof(j)) {
		case JSON_INTEGER:
			snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
			break;
		case JSON_REAL: snprintf(buf, sizeof buf, "%.17g", json_real_value(j)); break;
		case JSON_TRUE: snprintf(buf, sizeof buf, "true"); break;
		case JSON_FALSE: snprintf(buf, sizeof buf, "false"); break;
		default: snprintf(buf, sizeof buf, "null"); break;
		}
		tree_yaml_scalar(t, buf, true);
		return;
	}
	tree_json_item(t);
	char *d = json_dumps(j, JSON_FLAGS | JSON_ENCODE_ANY);
	sb_add(&t->raw, d ? d : "null");
	free(d);
}

/* Nodes a walk does not write: fill[k](t, ud) writes node[k]'s value in
 * its place (report_render_stream()). */
typedef struct tree_defer {
	const json_t *node[2];
	void (*fill[2])(report_tree *t, void *ud);
	void *ud;
} tree_defer;

/* Walk j into t, but for the nodes d defers (d may be NULL). */
static void tree_walk(report_tree *t, json_t *j, const tree_defer *d)
{
	for (int n = 0; d && n < 2; n++)
		if (d->node[n] && j == d->node[n]) {
			d->fill[n](t, d->ud);
			return;
		}
	const char *k;
	json_t *v;
	size_t i;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		report_tree_map(t);
		json_object_foreach(j, k, v)
		{
			report_tree_key(t, k);
			tree_walk(t, v, d);
		}
		report_tree_end(t);
		break;
	case JSON_ARRAY:
		report_tree_seq(t);
		json_array_foreach(j, i, v) tree_walk(t, v, d);
		report_tree_end(t);
		break;
	default: tree_scalar(t, j); break;
	}
}

void report_tree_value(report_tree *t, json_t *j) { tree_walk(t, j, NULL); }

void report_tree_flush(report_tree *t)
{
	if (t->fmt == REPORT_YAML && t->ok && !yaml_emitter_flush(&t->em))
		t->ok = false;
	tree_lines(t, true);
}

bool report_tree_close(report_tree *t)
{
	bool ok = t->ok;
	if (t->fmt == REPORT_YAML) {
		yaml_event_t ev;
		yaml_document_end_event_initialize(&ev, 1);
		tree_yaml_emit(t, &ev);
		yaml_stream_end_event_initialize(&ev);
		tree_yaml_emit(t, &ev);
		ok = t->ok;
		yaml_emitter_delete(&t->em);
	} else {
		sb_addc(&t->raw, '\n');
	}
	tree_hand_over(t, t->raw.len);
	sb_free(&t->raw);
	free(t->items);
	free(t->close);
	free(t);
	return ok;
}

static void append_to(const char *text, void *ud) { sb_add(ud, text); }

bool report_json_to_yaml(json_t *j, strbuf *out)
{
	report_tree *t = report_tree_open(REPORT_YAML, append_to, out);
	report_tree_value(t, j);
	return report_tree_close(t);
}

/* ---- text ---- */

/* Append s wrapped at width, every line starting with indent spaces (the
 * first with lead instead when given). */
static void wrap(strbuf *out, const char *lead, int indent, int width, const char *s)
{
	char *e = report_escape(s);
	const char *p = e;
	bool first = true;
	while (*p) {
		int avail = width - indent;
		if (first && lead)
			sb_add(out, lead);
		else
			for (int i = 0; i < indent; i++)
				sb_addc(out, ' ');
		first = false;
		/* Count characters, not bytes (UTF-8). */
		const char *q = p, *brk = NULL;
		int cols = 0;
		while (*q && cols < avail) {
			if (*q == ' ')
				brk = q;
			q++;
			while ((*q & 0xC0) == 0x80)
				q++;
			cols++;
		}
		if (*q && brk && brk > p)
			q = brk;
		sb_addn(out, p, (size_t)(q - p));
		sb_addc(out, '\n');
		p = q;
		while (*p == ' ')
			p++;
	}
	free(e);
}

char *report_place(const finding *f)
{
	strbuf b = SB_INIT;
	const char *sep = "";
	if (f->member) {
		char *e = report_escape(f->member);
		sb_printf(&b, _("member %s"), e);
		free(e);
		sep = ", ";
	}
	if (f->inner) {
		char *e = report_escape(f->inner);
		sb_printf(&b, _("%sdatabase file %s"), sep, e);
		free(e);
		sep = ", ";
	}
	if (f->offset >= 0) {
		sb_printf(&b, _("%sbyte %" PRId64), sep, f->offset);
		sep = ", ";
	}
	if (f->feed >= 0) {
		if (f->block >= 0)
			sb_printf(&b, _("%sdevice %d, block %" PRId64), sep, f->feed, f->block);
		else
			sb_printf(&b, _("%sdevice %d"), sep, f->feed);
		sep = ", ";
	}
	if (f->observation) {
		char *e = report_escape(f->observation);
		sb_printf(&b, _("%sobservation %s"), sep, e);
		free(e);
		sep = ", ";
	}
	if (f->media && (!f->member || strcmp(f->media, f->member) != 0)) {
		char *e = report_escape(f->media);
		sb_printf(&b, _("%sphoto %s"), sep, e);
		free(e);
		sep = ", ";
	}
	/* a detail alone is no place: it goes with the message (never an
	 * empty "Where:") */
	if (f->detail && *sep) {
		char *e = report_escape(f->detail);
		sb_printf(&b, " (%s)", e);
		free(e);
	}
	return sb_take(&b);
}

/* Every suspect observation, worst first, with what finds it in Mapeo. */
static void suspect_list(const sd_report *r, int width, strbuf *out)
{
	if (!r->n_obs)
		return;
	char *l = xasprintf(_("Observations to look at in Mapeo (%zu, worst first):"), r->n_obs);
	wrap(out, NULL, 2, width, l);
	free(l);
	suspect_codes *sc = codes_of_suspects(r);
	for (size_t i = 0; i < r->n_obs; i++) {
		const report_observation *x = &r->obs[i];
		strbuf codes = SB_INIT;
		for (size_t k = 0; k < sc[i].n; k++)
			if (!strstr(sb_str(&codes), sc[i].v[k]))
				sb_printf(&codes, "%s%s", codes.len ? ", " : "", sc[i].v[k]);
		char loc[64];
		if (x->has_location)
			snprintf(loc, sizeof loc, "%.6f, %.6f", x->lat, x->lon);
		else
			snprintf(loc, sizeof loc, "%s", _("no location"));
		l = xasprintf(_("%s: date %s, category %s, location %s; failed: %s"), x->id,
		              x->created_at ? x->created_at : _("(none)"),
		              x->category ? x->category : _("(none)"), loc, sb_str(&codes));
		wrap(out, "    - ", 6, width, l);
		free(l);
		sb_free(&codes);
	}
	free_suspect_codes(sc, r->n_obs);
}

/* Where text goes as it is made (report_render_stream()): NULL keeps it
 * whole in out. */
typedef struct text_sink {
	void (*emit)(const char *text, void *ud);
	void *ud;
} text_sink;

static void step_findings(const sd_report *r, fnd_step step, int width, strbuf *out,
                          const text_sink *sink)
{
	bool any = false;
	size_t n = fnd_has_step(&r->findings, step) ? fnd_n(&r->findings) : 0;
	for (size_t i = 0; i < n; i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (f->step != step)
			continue;
		any = true;
		char lead[64];
		const char *tag = f->severity == SEV_ERROR     ? _("PROBLEM")
		                  : f->severity == SEV_WARNING ? _("WARNING")
		                                               : _("note");
		snprintf(lead, sizeof lead, "  %-8s ", tag);
		char *place = report_place(f);
		char *detail = f->detail && !*place ? report_escape(f->detail) : NULL;
		char *line = detail ? xasprintf("%s (%s) [%s]", f->message, detail, f->code)
		                    : xasprintf("%s [%s]", f->message, f->code);
		free(detail);
		wrap(out, lead, 11, width, line);
		free(line);
		if (*place) {
			char *l = xasprintf("%s: %s", _("Where"), place);
			wrap(out, NULL, 11, width, l);
			free(l);
		}
		free(place);
		const char *adv = fnd_advice_for(f->id, r->front);
		if (adv && f->severity > SEV_INFO) {
			char *l = xasprintf("%s: %s", _("What to do"), adv);
			wrap(out, NULL, 11, width, l);
			free(l);
		}
		/* 150,000 findings are tens of MiB of text: never whole */
		if (sink && out->len >= 64u << 10) {
			sink->emit(sb_str(out), sink->ud);
			sb_reset(out);
		}
	}
	if (!any)
		wrap(out, NULL, 2, width, _("Nothing to report."));
}

/* Sync errors from Mapeo's logs here; project_only: the step 1 evidence. */
static void log_text(const sd_report *r, bool project_only, int width, strbuf *out)
{
	const report_version *v = &r->version;
	size_t shown = 0;
	for (size_t i = 0; i < v->n_log; i++) {
		const report_log_line *x = &v->log[i];
		if (project_only && strcmp(x->kind, "project-mismatch") != 0)
			continue;
		if (!shown++)
			wrap(
			    out, NULL, 2, width,
			    project_only
			        ? _("Mapeo's log on this computer says (newest first):")
			        : _("Sync errors in Mapeo's log on this computer (newest first):"));
		char *l = xasprintf("%s: %s%s", x->date[0] ? x->date : "?", x->text,
		                    x->this_file ? _(" (this file's project)") : "");
		wrap(out, "    - ", 6, width, l);
		free(l);
	}
	if (!project_only && v->n_log_total > v->n_log) {
		/* the wizard has no 'env' command: the log itself is named */
		char *l = r->front == SD_FRONT_WIZARD
		              ? xasprintf(P_("(%zu older one not shown; Mapeo's log on this "
		                             "computer has it)",
		                             "(%zu older ones not shown; Mapeo's log on this "
		                             "computer has them)",
		                             v->n_log_total - v->n_log),
		                          v->n_log_total - v->n_log)
		              : xasprintf(P_("(%zu older one not shown; see 'syncdoctor env')",
		                             "(%zu older ones not shown; see 'syncdoctor env')",
		                             v->n_log_total - v->n_log),
		                          v->n_log_total - v->n_log);
		wrap(out, NULL, 6, width, l);
		free(l);
	}
}

static void version_text(const sd_report *r, int width, strbuf *out)
{
	const report_version *v = &r->version;
	char *l;
	if (v->table_error && !r->is_database) {
		l = xasprintf(_("The table of Mapeo versions could not be read: %s"),
		              v->table_error);
		wrap(out, NULL, 2, width, l);
		free(l);
	} else if (v->writers) {
		l = xasprintf(_("Written by: %s."), v->writers);
		wrap(out, NULL, 2, width, l);
		free(l);
		l = xasprintf(_("Can be read by: %s."), v->readers);
		wrap(out, NULL, 2, width, l);
		free(l);
		for (size_t i = 0; i < v->n_cautions; i++)
			wrap(out, "  * ", 4, width, v->cautions[i]);
	}
	if (v->local_text) {
		l = xasprintf("%s: %s", _("This computer"), v->local_text);
		wrap(out, NULL, 2, width, l);
		free(l);
	}
}

/* damage_advice() for a database folder: the rebuild reads it with
 * --database and writes a new sync file; the folder is never changed.
 * NULL: the folder's words of old (report_next_action()). */
static const char *database_advice(const sd_report *r)
{
	if (r->rebuild_whole && r->needs_config)
		return _("The database is damaged, but a rebuild keeps everything in it: "
		         "'syncdoctor rebuild --database DIR --config CONFIG -o OUT' (DIR being "
		         "this folder, CONFIG the .mapeosettings file of its project: the folder "
		         "does not say which project it belongs to) writes it into a new sync "
		         "file. Sync that file on a computer with a healthy Mapeo.");
	if (r->rebuild_whole)
		return _("The database is damaged, but a rebuild keeps everything in it: "
		         "'syncdoctor rebuild --database DIR -o OUT' (DIR being this folder) "
		         "writes it into a new sync file. Sync that file on a computer with a "
		         "healthy Mapeo.");
	if (r->salvage_whole && r->needs_config)
		return _("The database is damaged. A plain rebuild would not give Mapeo a file it "
		         "accepts, but a salvage keeps everything in it: 'syncdoctor rebuild "
		         "--salvage --database DIR --config CONFIG -o OUT' (DIR being this "
		         "folder, CONFIG the .mapeosettings file of its project: the folder does "
		         "not say which project it belongs to) writes it into a new sync file. "
		         "Sync that file on a computer with a healthy Mapeo.");
	if (r->salvage_whole)
		return _("The database is damaged. A plain rebuild would not give Mapeo a file it "
		         "accepts, but a salvage keeps everything in it: 'syncdoctor rebuild "
		         "--salvage --database DIR -o OUT' (DIR being this folder) writes it into "
		         "a new sync file. Sync that file on a computer with a healthy Mapeo.");
	if (r->rescue_only && r->needs_config)
		return _("The database is damaged: what still verifies holds none of its "
		         "observations. Save the entries that are still signed with 'syncdoctor "
		         "rebuild --rescue --database DIR --config CONFIG -o OUT' (DIR being this "
		         "folder, CONFIG the .mapeosettings file of its project: the folder does "
		         "not say which project it belongs to). They get new versions. Sync that "
		         "file on a computer with a healthy Mapeo.");
	if (r->rescue_only)
		return _("The database is damaged: what still verifies holds none of its "
		         "observations. Save the entries that are still signed with 'syncdoctor "
		         "rebuild --rescue --database DIR -o OUT' (DIR being this folder). They "
		         "get new versions. Sync that file on a computer with a healthy Mapeo.");
	if (r->salvage_refused)
		return _("The database is damaged, and no rebuild of it gives Mapeo a file: what "
		         "still verifies holds none of its observations. Look for another copy "
		         "of them: a sync file made from this database before, a computer it "
		         "synced with, or a leftover temporary copy ('syncdoctor env').");
	return NULL;
}

/* The CLI's advice for a damaged file from the check's plans
 * (rebuild_advise()), or NULL for the advice of old. */
static const char *damage_advice(const sd_report *r)
{
	if (r->quick)
		return _("The file is damaged. Run the check again without --quick: only the full "
		         "check reads enough of the file to plan its repair.");
	if (r->is_database)
		return database_advice(r);
	if (r->rebuild_whole && r->needs_config)
		return _("The file is damaged and no longer says which project it belongs to, but "
		         "a rebuild keeps everything in it: 'syncdoctor rebuild --config CONFIG "
		         "FILE -o OUT' writes a repaired copy for the project of CONFIG (that "
		         "project's .mapeosettings file).");
	if (r->rebuild_whole)
		return _("The file is damaged, but a rebuild keeps everything in it: 'syncdoctor "
		         "rebuild FILE -o OUT' writes a repaired copy.");
	if (r->salvage_whole && r->needs_config)
		return _(
		    "The file is damaged and no longer says which project it belongs to. A "
		    "plain rebuild would not give Mapeo a file it accepts, but a salvage keeps "
		    "everything in it: 'syncdoctor rebuild --salvage --config CONFIG FILE -o "
		    "OUT' writes a repaired copy for the project of CONFIG (that project's "
		    ".mapeosettings file).");
	if (r->salvage_whole)
		return _("The file is damaged. A plain rebuild would not give Mapeo a file it "
		         "accepts, but a salvage keeps everything in it: 'syncdoctor rebuild "
		         "--salvage FILE -o OUT' writes a repaired copy.");
	if (r->rescue_only && r->needs_config)
		return _(
		    "The file is damaged: what still verifies holds none of its observations. "
		    "Make a new sync file on the computer that made it, and do not leave the "
		    "Synchronization screen until it finishes; or save the entries that are "
		    "still signed with 'syncdoctor rebuild --rescue --config CONFIG FILE -o "
		    "OUT' (they get new versions), CONFIG being the .mapeosettings file of the "
		    "file's project (the file no longer says which project it belongs to).");
	if (r->rescue_only)
		return _("The file is damaged: what still verifies holds none of its observations. "
		         "Make a new sync file on the computer that made it, and do not leave the "
		         "Synchronization screen until it finishes; or save the entries that are "
		         "still signed with 'syncdoctor rebuild --rescue FILE -o OUT' (they get "
		         "new versions).");
	if (r->salvage_refused)
		return _("The file is damaged, and no rebuild of it alone gives Mapeo a file: "
		         "what still verifies holds none of its observations. Copy it again from "
		         "where it came from, look for a leftover temporary copy with 'syncdoctor "
		         "env', or make a new sync file on the computer that made it.");
	if (r->needs_config)
		return _("The file is damaged. Make a new sync file on the computer that made it, "
		         "and do not leave the Synchronization screen until it finishes; or save "
		         "what is intact with 'syncdoctor rebuild --salvage --config CONFIG FILE "
		         "-o OUT', CONFIG being the .mapeosettings file of the file's project (the "
		         "file no longer says which project it belongs to).");
	return NULL;
}

/* The next action for a copy whose end was never written (r->end_unwritten),
 * or NULL: a copy stopped before it finished. */
static const char *unwritten_advice(const sd_report *r, bool wizard)
{
	const findings *l = &r->findings;
	if (!r->end_unwritten)
		return NULL;
	/* a copy whose end was never written, which a plain rebuild does not
	 * mend: the advice names the rebuild the plans chose, as JSON's repair
	 * does (the words below named a plain rebuild that then refused) */
	if (r->advised && !r->rebuild_whole && !wizard && !r->quick &&
	    fnd_count_in(l, STEP_CORRUPTION, SEV_ERROR)) {
		const char *a = damage_advice(r);
		if (a)
			return a;
	}
	/* no userdata left: a rebuild must be told the project (plan_project) */
	bool lost_project = !r->is_database && !r->p2p_db && !wizard;
	if (lost_project)
		return _("The end of this copy was never written, and with it the part that "
		         "names its project: the copy stopped before it finished (a USB stick "
		         "taken out too soon, or power lost). Copy it again from where it came "
		         "from, and wait until the copy finishes; or save what is intact with "
		         "'syncdoctor rebuild --config FILE', where FILE is the project's "
		         "configuration (.mapeosettings).");
	return wizard ? _("The end of this copy was never written: the copy stopped before "
	                  "it finished (a USB stick taken out too soon, or power lost). Copy "
	                  "it again from where it came from, and wait until the copy "
	                  "finishes; or save what is intact with the summary's repair.")
	              : _("The end of this copy was never written: the copy stopped before "
	                  "it finished (a USB stick taken out too soon, or power lost). Copy "
	                  "it again from where it came from, and wait until the copy "
	                  "finishes; or save what is intact with 'syncdoctor rebuild'.");
}

const char *report_next_action(const sd_report *r)
{
	const findings *l = &r->findings;
	if (r->verdict == VERDICT_UNREADABLE)
		return _(
		    "The file could not be read. Check its name, that it was copied completely, "
		    "and that you may read it.");
	if (fnd_has(l, FND_NOT_A_SYNC_FILE))
		return _("This is not a Mapeo sync file. Check that the right file was copied.");
	bool wizard = r->front == SD_FRONT_WIZARD; /* its summary, not the CLI's commands */
	if (fnd_has(l, FND_PROJECT_MISMATCH))
		return wizard
		           ? _("Use the same configuration on both computers (the guide's Option "
		               "A or B), or write a copy of the file for this computer's "
		               "configuration with the summary's repair.")
		           : _("Use the same configuration on both computers (the guide's Option "
		               "A or B), or rebuild the file for this computer's configuration "
		               "with 'syncdoctor rebuild --config'.");
	if (fnd_has(l, FND_ERA_LEGACY_GZIP) || fnd_has(l, FND_ERA_HYPERLOG))
		return _(
		    "This file comes from an old Mapeo. Sync it with that version, then update "
		    "Mapeo on every computer and make a new sync file.");
	if (fnd_has(l, FND_DATABASE_MISSING) && fnd_has(l, FND_TRUNCATED_FILE))
		return wizard
		           ? _("The observations are not in what is left of this file: it was cut "
		               "short. Copy it again from where it came from; if that copy is cut "
		               "too, look for a leftover temporary copy from the summary, or make "
		               "a "
		               "new sync file on the computer that made this one.")
		           : _("The observations are not in what is left of this file: it was cut "
		               "short. Copy it again from where it came from; if that copy is cut "
		               "too, look for a leftover temporary copy with 'syncdoctor env', or "
		               "make a new sync file on the computer that made this one.");
	if (fnd_has(l, FND_DATABASE_MISSING))
		return wizard
		           ? _("The observations are missing from this file. Look for a leftover "
		               "temporary copy from the summary, or make a new sync file on the "
		               "computer that made this one.")
		           : _("The observations are missing from this file. Look for a leftover "
		               "temporary copy with 'syncdoctor env', or make a new sync file on "
		               "the computer that made this one.");
	const char *unwritten = unwritten_advice(r, wizard);
	if (unwritten)
		return unwritten;
	/* no userdata left: a rebuild must be told the project (plan_project) */
	bool lost_project = !r->is_database && !r->p2p_db && !wizard;
	if (fnd_has(l, FND_LIMIT_EXCEEDED) && !fnd_count(l, SEV_ERROR))
		return _("The check is incomplete: part of the input is past syncdoctor's safety "
		         "limits and was not read, so problems may remain there. Check that the "
		         "right file or folder was given.");
	/* planned for step 3's warnings too (rebuild_advise()): signatures cut
	 * short are only a warning, but a plain rebuild refuses them; warnings
	 * a plain rebuild mends keep the words for warnings */
	/* only step 3's errors are damage: a configuration that cannot be read
	 * or used (step 1) says nothing of the file */
	bool corrupt = fnd_count_in(l, STEP_CORRUPTION, SEV_ERROR) > 0;
	if (!corrupt && (fnd_has(l, FND_CONFIG_DAMAGED) || fnd_has(l, FND_CONFIG_INVALID_KEY)))
		return _("The configuration given for this computer cannot be used as it is (step "
		         "1 says why): get a good copy of the project's .mapeosettings file from "
		         "whoever made it, import it in Mapeo Desktop, and check again.");
	bool damaged = corrupt || (r->advised && !r->rebuild_whole && !wizard);
	if (damaged && (r->quick || r->advised) && !wizard) {
		const char *a = damage_advice(r);
		if (a)
			return a;
	}
	/* a database folder: rebuilt from --database DIR (the project from the
	 * configuration beside it, or --config when none says it) */
	if (damaged && r->is_database && !wizard)
		return r->has_discovery_key
		           ? _("The database is damaged. Save what is intact into a new sync "
		               "file with 'syncdoctor rebuild --salvage --database DIR -o OUT' "
		               "(DIR being this folder), and sync that file on a computer with a "
		               "healthy Mapeo.")
		           : _("The database is damaged. Save what is intact into a new sync "
		               "file with 'syncdoctor rebuild --salvage --database DIR --config "
		               "CONFIG -o OUT' (DIR being this folder, CONFIG the .mapeosettings "
		               "file of its project: the folder does not say which project it "
		               "belongs to), and sync that file on a computer with a healthy "
		               "Mapeo.");
	if (damaged && lost_project)
		return _("The file is damaged and no longer says which project it belongs to. "
		         "Make a new sync file on the computer that made it, and do not leave "
		         "the Synchronization screen until it finishes; or save what is intact "
		         "with 'syncdoctor rebuild --salvage --config FILE', where FILE is the "
		         "project's configuration (.mapeosettings).");
	if (damaged)
		return wizard ? _("The file is damaged. Make a new sync file on the computer that "
		                  "made it, and do not leave the Synchronization screen until it "
		                  "finishes; or save what is intact with the summary's salvage.")
		              : _("The file is damaged. Make a new sync file on the computer that "
		                  "made it, and do not leave the Synchronization screen until it "
		                  "finishes; or save what is intact with 'syncdoctor rebuild "
		                  "--salvage'.");
	if (fnd_has(l, FND_ATTACHMENT_UNINDEXED))
		return wizard
		           ? _("Photos are in the file that its index does not name, so Mapeo "
		               "does not show them: the summary's repair writes a new file with "
		               "them in its index.")
		           : _("Photos are in the file that its index does not name, so Mapeo "
		               "does not show them: 'syncdoctor rebuild FILE -o OUT' writes a new "
		               "file with them in its index.");
	if (fnd_count(l, SEV_WARNING))
		return _("The file can be used, but read the warnings above: they say what may go "
		         "wrong.");
	return _(
	    "The file is healthy. If Mapeo still cannot sync, make sure both computers run the "
	    "same version of Mapeo.");
}

/* Step 1: the file's project, the configuration it was compared with. */
static void configuration_text(const sd_report *r, int width, strbuf *out, const text_sink *sink)
{
	/* the project in the one form people meet it in, Mapeo's errors: a
	 * 64-digit key on screen matches nothing they see, and no full key is
	 * shown (JSON keeps the discovery key whole for scripts: a public hash
	 * Mapeo announces on the network, never the projectKey) */
	char us[16];
	keys_error_form(r->has_discovery_key ? r->discovery_key : NULL, us);
	sb_printf(out, "\n%s\n", _("Step 1 of 3: Configuration"));
	char *l;
	if (r->is_database && !r->has_discovery_key)
		l = xstrdup(_("This database does not say which project it belongs to."));
	else if (r->is_database)
		l = xasprintf(
		    _("This database's project: %s (Mapeo's error messages on its computer "
		      "show it as 'us=%s')."),
		    us, us);
	else if (fnd_has(&r->findings, FND_NOT_A_SYNC_FILE))
		l = xstrdup(_("This is not a Mapeo sync file, so it belongs to no project; "
		              "there is no configuration to compare (see step 3)."));
	else if (r->project_unknown)
		l = xstrdup(_("This file's project cannot be read (see below)."));
	else
		l = xasprintf(_("This file's project: %s (Mapeo's error messages show it as "
		                "'syncfile=%s')."),
		              r->has_discovery_key ? us : _("the default project"), us);
	wrap(out, NULL, 2, width, l);
	free(l);
	if (r->config_used) {
		char cf[16];
		keys_error_form(r->config_has_key ? r->config_discovery_key : NULL, cf);
		const char *name = r->config_name ? r->config_name : _("(no name)");
		char *title = r->config_version && *r->config_version
		                  ? xasprintf("%s %s", name, r->config_version)
		                  : xstrdup(name);
		/* a projectKey Mapeo cannot decode has no 'us=' id: Mapeo stops
		 * at the key (config-invalid-key), its errors never say one */
		bool bad_key = !r->config_has_key && strcmp(r->config_footer, "MAPEO") != 0;
		l = bad_key
		        ? xasprintf(_("Compared with: %s, %s (%s); Mapeo's footer shows %s, but "
		                      "Mapeo cannot use its projectKey."),
		                    title, r->config_path, r->config_source ? r->config_source : "",
		                    r->config_footer)
		        : xasprintf(_("Compared with: %s, %s (%s); Mapeo's footer shows %s, its "
		                      "errors 'us=%s'."),
		                    title, r->config_path, r->config_source ? r->config_source : "",
		                    r->config_footer, cf);
		free(title);
		wrap(out, NULL, 2, width, l);
		free(l);
		wrap(out, NULL, 2, width,
		     r->project_unknown
		         ? _("CANNOT TELL: the file's project cannot be read, so it cannot be "
		             "compared with this computer's configuration.")
		     : r->config_match
		         ? _("MATCH: this computer's configuration can sync with the file.")
		         : _("MISMATCH: this computer's configuration cannot sync with the "
		             "file."));
	}
	step_findings(r, STEP_CONFIGURATION, width, out, sink);
	log_text(r, true, width, out);
}

/* One feed of step 3: its blocks and how many verify. */
static void feed_text(const sd_report *r, const report_feed *f, int width, strbuf *out)
{
	char *l;
	if (f->checked && r->is_database)
		l = xasprintf(P_("Feed %d (%.7s)%s: %llu block, %llu verified; Database status "
		                 "%llu/%llu.",
		                 "Feed %d (%.7s)%s: %llu blocks, %llu verified; Database status "
		                 "%llu/%llu.",
		                 f->length),
		              f->index, f->key_hex[0] ? f->key_hex : "?",
		              f->own ? _(", this computer's own") : "",
		              (unsigned long long)f->length, (unsigned long long)f->verified,
		              (unsigned long long)f->present, (unsigned long long)f->length);
	else if (f->checked)
		l = xasprintf(P_("Feed %d (%.7s): %llu block, %llu present, %llu intact, "
		                 "%llu verified.",
		                 "Feed %d (%.7s): %llu blocks, %llu present, %llu intact, "
		                 "%llu verified.",
		                 f->length),
		              f->index, f->key_hex[0] ? f->key_hex : "?",
		              (unsigned long long)f->length, (unsigned long long)f->present,
		              (unsigned long long)f->intact, (unsigned long long)f->verified);
	else
		l = xasprintf(_("Feed %d (%.7s)%s: not verified (--quick)."), f->index,
		              f->key_hex[0] ? f->key_hex : "?",
		              f->own ? _(", this computer's own") : "");
	wrap(out, NULL, 2, width, l);
	free(l);
}

/* Where no observation line says what became of the photos (no database,
 * another era, --quick): whether they were read, and how many will not
 * open. */
static void photos_text(const sd_report *r, int width, strbuf *out)
{
	char *l;
	if (r->observations_checked || !r->media_members)
		return;
	if (!r->photos_checked)
		l = xstrdup(r->quick ? _("Photos: not read (--quick).") : _("Photos: not read."));
	else if (r->photos_damaged)
		l = xasprintf(_("Photos: %zu read, %zu will not open (below)."), r->media_members,
		              r->photos_damaged);
	else
		l = xasprintf(P_("Photos: %zu read, it opens.",
		                 "Photos: %zu read, every one opens.", r->media_members),
		              r->media_members);
	wrap(out, NULL, 2, width, l);
	free(l);
}

/* Step 3: what the file holds, every feed, the observations to look at. */
static void corruption_text(const sd_report *r, int width, strbuf *out, const text_sink *sink)
{
	sb_printf(out, "\n%s\n", _("Step 3 of 3: Corruption"));
	char *l;
	char *photos =
	    xasprintf(P_("%zu photo file", "%zu photo files", r->media_members), r->media_members);
	char *bytes = xasprintf(P_("%llu byte", "%llu bytes", r->media_bytes),
	                        (unsigned long long)r->media_bytes);
	char *parts = r->is_database
	                  ? xasprintf(P_("%zu feed", "%zu feeds", r->n_feeds), r->n_feeds)
	                  : xasprintf(P_("%zu member", "%zu members", r->members), r->members);
	if (r->is_database)
		l = xasprintf(_("A database folder: %s, %s (%s)."), parts, photos, bytes);
	else
		l = xasprintf(_("%s, %s (%s), %s."), parts, photos, bytes,
		              r->has_database ? _("a database") : _("NO database"));
	free(photos), free(bytes), free(parts);
	wrap(out, NULL, 2, width, l);
	free(l);
	photos_text(r, width, out);
	for (size_t i = 0; i < r->n_feeds; i++)
		feed_text(r, &r->feeds[i], width, out);
	if (r->observations_checked) {
		l = xasprintf(_("Observations: %zu (%zu with photos, %zu deleted, %zu forked)."),
		              r->obs_heads, r->obs_with_attachments, r->obs_deleted, r->obs_forks);
		wrap(out, NULL, 2, width, l);
		free(l);
		suspect_list(r, width, out);
	}
	step_findings(r, STEP_CORRUPTION, width, out, sink);
}

/* The verdict in one line and the next action. */
static void summary_text(const sd_report *r, int width, strbuf *out)
{
	/* without the version table step 2 did not run: never a plain OK. Its
	 * finding (a warning: exit 2) is then all that was found, so the
	 * summary says what is missing rather than problems with the file. */
	bool no_table = r->version.table_error && !r->is_database;
	bool only_no_table = no_table && r->verdict != VERDICT_UNREADABLE &&
	                     fnd_count(&r->findings, SEV_WARNING) ==
	                         (fnd_has(&r->findings, FND_VERSION_TABLE_MISSING) ? 1u : 0u);
	sb_printf(out, "\n%s\n",
	          fnd_has(&r->findings, FND_LIMIT_EXCEEDED)
	              ? _("Summary: PROBLEMS FOUND, CHECK INCOMPLETE")
	          : (r->verdict == VERDICT_OK && no_table) || only_no_table
	              ? _("Summary: INCOMPLETE (step 2 did not run: no table of Mapeo versions)")
	          : r->verdict == VERDICT_OK ? _("Summary: OK")
	                                     : _("Summary: PROBLEMS FOUND"));
	char *l = xasprintf("%s: %s", _("Next"), report_next_action(r));
	wrap(out, NULL, 2, width, l);
	free(l);
	if ((l = rescue_more_text(r)) != NULL) {
		wrap(out, NULL, 2, width, l);
		free(l);
	}
}

static void to_text(const sd_report *r, int width, strbuf *out, const text_sink *sink)
{
	if (width < 40)
		width = 40;
	char *file = report_escape(r->file);
	/* an unreadable file's size is not known (a pipe, no permission): none
	 * is said rather than "0 bytes" */
	if (r->verdict == VERDICT_UNREADABLE)
		sb_printf(out, "syncdoctor %s: %s\n", PACKAGE_VERSION, file);
	else
		sb_printf(out,
		          P_("syncdoctor %s: %s (%llu byte)\n", "syncdoctor %s: %s (%llu bytes)\n",
		             r->size),
		          PACKAGE_VERSION, file, (unsigned long long)r->size);
	free(file);
	if (r->verdict == VERDICT_UNREADABLE) {
		sb_addc(out, '\n');
		wrap(out, NULL, 0, width, r->era_text ? r->era_text : "");
		sb_printf(out, "\n%s\n", _("Summary: UNREADABLE"));
		wrap(out, NULL, 2, width, report_next_action(r));
		return;
	}
	configuration_text(r, width, out, sink);

	sb_printf(out, "\n%s\n", _("Step 2 of 3: Version"));
	if (r->era_text)
		wrap(out, NULL, 2, width, r->era_text);
	version_text(r, width, out);
	step_findings(r, STEP_VERSION, width, out, sink);
	log_text(r, false, width, out);

	corruption_text(r, width, out, sink);

	if (fnd_has_step(&r->findings, STEP_ENVIRONMENT)) {
		sb_printf(out, "\n%s\n", _("This computer"));
		step_findings(r, STEP_ENVIRONMENT, width, out, sink);
	}
	summary_text(r, width, out);
}

void report_to_text(const sd_report *r, int width, strbuf *out) { to_text(r, width, out, NULL); }

/* The ids of the current observations, in the place of the node that
 * stands for them (report_render_stream()). */
static void ids_fill(report_tree *t, void *ud)
{
	const sd_report *r = ud;
	report_tree_seq(t);
	for (size_t i = 0; i < r->n_heads; i++) {
		report_head h;
		report_head_get(r, i, &h);
		report_tree_string(t, h.id);
	}
	report_tree_end(t);
}

/* The findings, one at a time: a file may hold 150,000 photos that no
 * observation names, each a finding. */
static void findings_fill(report_tree *t, void *ud)
{
	const sd_report *r = ud;
	report_tree_seq(t);
	for (size_t i = 0; i < fnd_n(&r->findings); i++) {
		json_t *fj = finding_json(fnd_at(&r->findings, i), r->front);
		report_tree_value(t, fj);
		json_decref(fj);
	}
	report_tree_end(t);
}

void report_render_stream(const sd_report *r, report_format fmt, int width,
                          void (*emit)(const char *text, void *ud), void *ud)
{
	if (fmt == REPORT_TEXT) {
		strbuf b = SB_INIT;
		text_sink sink = {emit, ud};
		to_text(r, width, &b, &sink);
		if (b.len)
			emit(sb_str(&b), ud);
		sb_free(&b);
		return;
	}
	/* a file may hold a million observations, or 150,000 findings:
	 * neither a tree of them nor the whole text is ever in memory; the
	 * bytes are those of report_tree_render(report_to_json(r)) */
	json_t *ids = NULL, *fnds = NULL;
	json_t *j = report_json(r, &ids, &fnds);
	report_tree *t = report_tree_open(fmt, emit, ud);
	tree_defer d = {{ids, fnds}, {ids_fill, findings_fill}, (void *)r};
	tree_walk(t, j, &d);
	report_tree_close(t);
	json_decref(j);
}

void report_render(const sd_report *r, report_format fmt, int width, strbuf *out)
{
	report_render_stream(r, fmt, width, append_to, out);
}

void report_tree_render(json_t *j, report_format fmt, strbuf *out)
{
	report_tree *t = report_tree_open(fmt, append_to, out);
	report_tree_value(t, j);
	report_tree_close(t);
}
