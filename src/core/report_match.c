/* report_match.c: 'syncdoctor match' as text, JSON and YAML
 * (report_match.h). */
#include "config.h"

#include "report_match.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "report.h"
#include "keys.h"
#include "xalloc.h"

void report_match_add(report_match *m, const char *path, const char *name, const char *version,
                      const char *footer, const char *discovery_key, bool match)
{
	SD_GROW(m->v, m->cap, m->n + 1);
	report_match_config *c = &m->v[m->n++];
	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	c->name = name ? xstrdup(name) : NULL;
	c->version = version ? xstrdup(version) : NULL;
	snprintf(c->footer, sizeof c->footer, "%s", footer);
	keys_error_form(discovery_key, c->error_id);
	c->match = match;
	m->n_matches += match;
}

void report_match_free(report_match *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].name);
		free(m->v[i].version);
	}
	free(m->v);
	m->v = NULL;
	m->n = m->cap = m->n_matches = 0;
}

static json_t *match_json(const report_match *m)
{
	json_t *matches = json_array(), *checked = json_array();
	for (size_t i = 0; i < m->n; i++) {
		const report_match_config *c = &m->v[i];
		json_t *one = json_object();
		json_object_set_new(one, "path", report_json_str(c->path));
		json_object_set_new(one, "name", c->name ? report_json_str(c->name) : json_null());
		json_object_set_new(one, "version",
		                    c->version ? report_json_str(c->version) : json_null());
		json_object_set_new(one, "footer", report_json_str(c->footer));
		json_object_set_new(one, "error_id", report_json_str(c->error_id));
		json_object_set_new(one, "match", json_boolean(c->match));
		json_array_append_new(checked, one);
		if (c->match)
			json_array_append_new(matches, report_json_str(c->path));
	}
	json_t *o = json_object();
	json_object_set_new(o, "matches", matches);
	json_object_set_new(o, "checked", json_integer((json_int_t)m->n));
	json_object_set_new(o, "configurations", checked);
	return o;
}

/* Characters (not bytes) of UTF-8 s: "não" is 3. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* A copy of s without trailing spaces (the English "no   " was padded). */
static char *trimmed(const char *s)
{
	char *t = xstrdup(s);
	for (size_t n = strlen(t); n && t[n - 1] == ' ';)
		t[--n] = '\0';
	return t;
}

static void match_text(const report_match *m, strbuf *out)
{
	char *file = report_escape(m->file);
	sb_printf(out, _("%s belongs to the project Mapeo shows as 'syncfile=%s'.\n"), file,
	          m->project);
	free(file);
	/* the two words in one column, whatever their length in the language */
	char *yes = trimmed(_("MATCH")), *no = trimmed(_("no   "));
	size_t width = utf8_chars(yes) > utf8_chars(no) ? utf8_chars(yes) : utf8_chars(no);
	for (size_t i = 0; i < m->n; i++) {
		const report_match_config *c = &m->v[i];
		char *path = report_escape(c->path);
		char *name = c->name ? report_escape(c->name) : xstrdup(_("(no name)"));
		char *version = report_escape(c->version ? c->version : "");
		const char *label = c->match ? yes : no;
		sb_printf(out, "%s%*s %s (%s%s%s, %s, us=%s)\n", label,
		          (int)(width - utf8_chars(label)), "", path, name, *version ? " " : "",
		          version, c->footer, c->error_id);
		free(path), free(name), free(version);
	}
	free(yes), free(no);
	if (m->n_matches)
		sb_printf(out,
		          P_("%zu of %zu configurations made this file.\n",
		             "%zu of %zu configurations made this file.\n", m->n),
		          m->n_matches, m->n);
	else
		sb_printf(out,
		          P_("None of the %zu configuration made this file.\n",
		             "None of the %zu configurations made this file.\n", m->n),
		          m->n);
}

void report_match_render(const report_match *m, report_format fmt, strbuf *out)
{
	if (fmt == REPORT_TEXT) {
		match_text(m, out);
		return;
	}
	json_t *o = match_json(m);
	report_tree_render(o, fmt, out);
	json_decref(o);
}
