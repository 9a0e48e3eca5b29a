#include "config.h"

#include "versions.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "exedir.h"
#include "i18n.h"
#include "io.h"
#include "strbuf.h"
#include "xalloc.h"

#define TABLE_NAME "mapeo-versions.yaml"

static char *set_path;

void ver_set_path(const char *path)
{
	free(set_path);
	set_path = path && *path ? xstrdup(path) : NULL;
}

const char *ver_default_path(void)
{
	const char *e = getenv("SYNCDOCTOR_VERSIONS");
	if (e && *e)
		return e;
	if (set_path)
		return set_path;
	/* Run before 'make install' (README's first command runs ./syncdoctor
	 * in the source tree; an out-of-tree build folder links data/ in): the
	 * table beside the program or up to two folders above it (the unit
	 * tests run from tests/unit). No build folder path is compiled in. The
	 * installed table always wins when present. */
	static char found[4096];
	if (!found[0]) {
		snprintf(found, sizeof found, "%s", PKGDATADIR "/" TABLE_NAME);
		char *beside = access(found, R_OK) == 0 ? NULL : exe_find("data/" TABLE_NAME, 2);
		if (beside)
			snprintf(found, sizeof found, "%s", beside);
		free(beside);
	}
	return found;
}

/* ---- versions ---- */

static const char *num(const char *s, long *out)
{
	*out = 0;
	if (!isdigit((unsigned char)*s))
		return NULL;
	while (isdigit((unsigned char)*s)) {
		if (*out < 100000000)
			*out = *out * 10 + (*s - '0');
		s++;
	}
	return s;
}

static bool parse_version(const char *s, long v[3])
{
	v[0] = v[1] = v[2] = 0;
	if (!s)
		return false;
	if (*s == 'v' || *s == 'V')
		s++;
	for (int i = 0; i < 3; i++) {
		s = num(s, &v[i]);
		if (!s)
			return i > 0;
		if (*s != '.')
			return true;
		s++;
	}
	return true;
}

int ver_compare(const char *a, const char *b)
{
	long x[3], y[3];
	parse_version(a, x);
	parse_version(b, y);
	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

const ver_release *ver_find(const ver_table *t, const char *desktop_version)
{
	long v[3];
	if (!t || !parse_version(desktop_version, v))
		return NULL;
	const ver_release *best = NULL;
	for (size_t i = 0; i < t->n; i++)
		if (ver_compare(t->v[i].desktop, desktop_version) <= 0)
			best = &t->v[i];
	/* past the newest series the table knows (6.0, 99.1): nothing can be
	 * said of it, rather than calling it the newest known series */
	long b[3];
	if (best && best == &t->v[t->n - 1] && parse_version(best->desktop, b) &&
	    (v[0] != b[0] || v[1] != b[1]))
		return NULL;
	return best;
}

bool ver_reads(const ver_release *rel, const char *era)
{
	for (size_t i = 0; era && i < rel->n_reads; i++)
		if (!strcmp(rel->reads[i], era))
			return true;
	return false;
}

/* ---- loading ---- */

static const char *const eras[] = {"gzip-v0", "hyperlog-v1", "kappa-osm-v2"};
static const char *const root_feeds[] = {"none", "key", "_fake", "fake"};
static const char *const userdata_keys[] = {"discoveryKey", "projectId", "none"};

static bool one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, set[i]))
			return true;
	return false;
}
#define ONE_OF(s, set) one_of((s), (set), sizeof(set) / sizeof(set)[0])

static void release_free(ver_release *r)
{
	free(r->desktop), free(r->series), free(r->released), free(r->core), free(r->syncfile);
	free(r->writes), free(r->root_feed), free(r->userdata_key);
	for (size_t i = 0; i < r->n_reads; i++)
		free(r->reads[i]);
	free(r->reads);
}

void ver_table_free(ver_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		release_free(&t->v[i]);
	free(t->v);
	free(t->path);
	free(t);
}

typedef struct loader {
	const char *path;
	yaml_document_t *doc;
	sd_error *err;
} loader;

static sd_status bad(loader *ld, const yaml_node_t *n, const char *fmt, ...) SD_PRINTF(3, 4);
static sd_status bad(loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	sd_status st = sd_error_set(ld->err, SD_ERR_FORMAT, _("%s, line %lu: %s"), ld->path,
	                            (unsigned long)(n ? n->start_mark.line + 1 : 1), what);
	free(what);
	return st;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static sd_status get_bool(loader *ld, const yaml_node_t *n, const char *key, bool *out)
{
	const char *s = scalar(n);
	if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
		*out = true;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
		*out = false;
	else
		return bad(ld, n, _("'%s' must be true or false"), key);
	return SD_OK;
}

static sd_status get_str(loader *ld, const yaml_node_t *n, const char *key, char **out)
{
	const char *s = scalar(n);
	if (!s)
		return bad(ld, n, _("'%s' must be a single value"), key);
	free(*out);
	*out = xstrdup(s);
	return SD_OK;
}

enum {
	F_DESKTOP = 1 << 0,
	F_WRITES = 1 << 1,
	F_READS = 1 << 2,
	F_STRICT = 1 << 3,
	F_STRIPS = 1 << 4,
	F_WINPATH = 1 << 5,
	F_MISSING = 1 << 6,
	F_CLOSE = 1 << 7,
	F_KEYDIR = 1 << 8,
	F_REQUIRED = (1 << 9) - 1,
};

static sd_status load_release(loader *ld, yaml_node_t *map, ver_release *r)
{
	memset(r, 0, sizeof *r);
	r->line = (int)map->start_mark.line + 1;
	r->confirmed = true;
	if (map->type != YAML_MAPPING_NODE)
		return bad(ld, map, _("a release must be a mapping of keys to values"));
	unsigned seen = 0;
	sd_status st = SD_OK;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     st == SD_OK && p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
		const char *key = scalar(k);
		if (!key)
			return bad(ld, k, _("a key must be a plain word"));
		if (!strcmp(key, "desktop")) {
			long dummy[3];
			st = get_str(ld, v, key, &r->desktop);
			if (st == SD_OK && !parse_version(r->desktop, dummy))
				st = bad(ld, v, _("'%s' is not a version number"), r->desktop);
			seen |= F_DESKTOP;
		} else if (!strcmp(key, "series")) {
			st = get_str(ld, v, key, &r->series);
		} else if (!strcmp(key, "released")) {
			st = get_str(ld, v, key, &r->released);
		} else if (!strcmp(key, "core")) {
			st = get_str(ld, v, key, &r->core);
		} else if (!strcmp(key, "syncfile")) {
			st = get_str(ld, v, key, &r->syncfile);
		} else if (!strcmp(key, "writes")) {
			st = get_str(ld, v, key, &r->writes);
			if (st == SD_OK && !ONE_OF(r->writes, eras))
				st = bad(ld, v, _("unknown sync file era '%s'"), r->writes);
			seen |= F_WRITES;
		} else if (!strcmp(key, "reads")) {
			if (!v || v->type != YAML_SEQUENCE_NODE)
				return bad(ld, v, _("'%s' must be a list"), key);
			size_t n =
			    (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			/* a second "reads:" key replaces the first (found by fuzzing:
			 * it used to append past the new list) */
			for (size_t i = 0; i < r->n_reads; i++)
				free(r->reads[i]);
			free(r->reads);
			r->n_reads = 0;
			r->reads = xcalloc(n ? n : 1, sizeof *r->reads);
			for (yaml_node_item_t *it = v->data.sequence.items.start;
			     it < v->data.sequence.items.top; it++) {
				yaml_node_t *e = yaml_document_get_node(ld->doc, *it);
				const char *s = scalar(e);
				if (!s || !ONE_OF(s, eras))
					return bad(ld, e, _("unknown sync file era '%s'"),
					           s ? s : "?");
				r->reads[r->n_reads++] = xstrdup(s);
			}
			seen |= F_READS;
		} else if (!strcmp(key, "root_feed")) {
			st = get_str(ld, v, key, &r->root_feed);
			if (st == SD_OK && !ONE_OF(r->root_feed, root_feeds))
				st = bad(ld, v, _("unknown root feed folder '%s'"), r->root_feed);
		} else if (!strcmp(key, "userdata_key")) {
			st = get_str(ld, v, key, &r->userdata_key);
			if (st == SD_OK && !ONE_OF(r->userdata_key, userdata_keys))
				st = bad(ld, v, _("unknown userdata key '%s'"), r->userdata_key);
		} else if (!strcmp(key, "strict_project_check")) {
			st = get_bool(ld, v, key, &r->strict_project_check), seen |= F_STRICT;
		} else if (!strcmp(key, "rejected_sync_strips_database")) {
			st = get_bool(ld, v, key, &r->rejected_sync_strips_database),
			seen |= F_STRIPS;
		} else if (!strcmp(key, "windows_path_fix")) {
			st = get_bool(ld, v, key, &r->windows_path_fix), seen |= F_WINPATH;
		} else if (!strcmp(key, "missing_data_handling")) {
			st = get_bool(ld, v, key, &r->missing_data_handling), seen |= F_MISSING;
		} else if (!strcmp(key, "close_on_error")) {
			st = get_bool(ld, v, key, &r->close_on_error), seen |= F_CLOSE;
		} else if (!strcmp(key, "exposes_key_directory")) {
			st = get_bool(ld, v, key, &r->exposes_key_directory), seen |= F_KEYDIR;
		} else if (!strcmp(key, "confirmed")) {
			st = get_bool(ld, v, key, &r->confirmed);
		} else {
			return bad(ld, k, _("unknown key '%s'"), key);
		}
	}
	if (st != SD_OK)
		return st;
	static const struct {
		unsigned bit;
		const char *name;
	} required[] = {
	    {F_DESKTOP, "desktop"},
	    {F_WRITES, "writes"},
	    {F_READS, "reads"},
	    {F_STRICT, "strict_project_check"},
	    {F_STRIPS, "rejected_sync_strips_database"},
	    {F_WINPATH, "windows_path_fix"},
	    {F_MISSING, "missing_data_handling"},
	    {F_CLOSE, "close_on_error"},
	    {F_KEYDIR, "exposes_key_directory"},
	};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!(seen & required[i].bit))
			return bad(ld, map, _("the release has no '%s'"), required[i].name);
	if (!r->series)
		r->series = xstrdup(r->desktop);
	if (!r->root_feed)
		r->root_feed = xstrdup("none");
	if (!r->userdata_key)
		r->userdata_key = xstrdup("none");
	return SD_OK;
}

static sd_status load_doc(loader *ld, ver_table *t)
{
	yaml_node_t *root = yaml_document_get_root_node(ld->doc);
	if (!root)
		return bad(ld, NULL, _("the file is empty"));
	if (root->type != YAML_MAPPING_NODE)
		return bad(ld, root, _("the table must be a mapping with 'format' and 'releases'"));
	yaml_node_t *rels = NULL;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
		const char *key = scalar(k);
		if (key && !strcmp(key, "format")) {
			const char *f = scalar(v);
			if (!f || strcmp(f, "1") != 0)
				return bad(
				    ld, v,
				    _("format '%s' is not known (this syncdoctor reads format 1)"),
				    f ? f : "?");
		} else if (key && !strcmp(key, "releases")) {
			rels = v;
		} else {
			return bad(ld, k, _("unknown key '%s'"), key ? key : "?");
		}
	}
	if (!rels || rels->type != YAML_SEQUENCE_NODE)
		return bad(ld, rels ? rels : root, _("'releases' must be a list"));
	size_t n = (size_t)(rels->data.sequence.items.top - rels->data.sequence.items.start);
	if (!n)
		return bad(ld, rels, _("'releases' is empty"));
	t->v = xcalloc(n, sizeof *t->v);
	for (yaml_node_item_t *it = rels->data.sequence.items.start;
	     it < rels->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(ld->doc, *it);
		sd_status st = load_release(ld, e, &t->v[t->n]);
		t->n++;
		if (st != SD_OK)
			return st;
		if (t->n > 1 && ver_compare(t->v[t->n - 2].desktop, t->v[t->n - 1].desktop) >= 0)
			return bad(ld, e, _("release %s is not newer than the one before it"),
			           t->v[t->n - 1].desktop);
	}
	return SD_OK;
}

/* The table is a few KiB, two levels deep under a list: a file far larger
 * or deeper is not one, and loading it whole would cost seconds and
 * hundreds of MiB (libyaml builds every node). Checked first with the
 * event parser, in constant memory; f is rewound. */
#define VER_MAX_BYTES (1u << 20)
#define VER_MAX_DEPTH 16

static sd_status check_bounds(FILE *f, const char *path, sd_error *err)
{
	if (fseeko(f, 0, SEEK_END) == 0 && ftello(f) > (off_t)VER_MAX_BYTES)
		return sd_error_set(err, SD_ERR_LIMIT,
		                    _("%s: %llu bytes is too large for a version table (at most "
		                      "%u)"),
		                    path, (unsigned long long)ftello(f), VER_MAX_BYTES);
	rewind(f);
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return sd_error_set(err, SD_ERR_LIMIT, _("%s: out of memory"), path);
	yaml_parser_set_input_file(&parser, f);
	sd_status st = SD_OK;
	int depth = 0;
	for (bool done = false; !done && st == SD_OK;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev))
			break; /* the loader names the syntax error */
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
			if (++depth > VER_MAX_DEPTH)
				st = sd_error_set(
				    err, SD_ERR_LIMIT,
				    _("%s, line %lu: nested more than %d levels deep: "
				      "not a version table"),
				    path, (unsigned long)(ev.start_mark.line + 1), VER_MAX_DEPTH);
		} else if (ev.type == YAML_SEQUENCE_END_EVENT ||
		           ev.type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	rewind(f);
	return st;
}

sd_status ver_table_load(const char *path, ver_table **out, sd_error *err)
{
	*out = NULL;
	if (!path)
		path = ver_default_path();
	FILE *f = io_fopen_regular(path);
	if (!f && errno == EINVAL)
		return sd_error_set(
		    err, SD_ERR_IO, "%s: %s", path,
		    _("the version table is not a regular file (a pipe or a device)"));
	if (!f)
		return sd_error_errno(err, errno, path, _("cannot open the version table"));
	sd_status bst = check_bounds(f, path, err);
	if (bst != SD_OK) {
		fclose(f);
		return bst;
	}
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return sd_error_set(err, SD_ERR_LIMIT, _("%s: out of memory"), path);
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		sd_status st =
		    sd_error_set(err, SD_ERR_FORMAT, _("%s, line %lu: not valid YAML: %s"), path,
		                 (unsigned long)(parser.problem_mark.line + 1),
		                 parser.problem ? parser.problem : _("unknown error"));
		yaml_parser_delete(&parser);
		fclose(f);
		return st;
	}
	ver_table *t = xcalloc(1, sizeof *t);
	t->path = xstrdup(path);
	loader ld = {path, &doc, err};
	sd_status st = load_doc(&ld, t);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (st != SD_OK) {
		ver_table_free(t);
		return st;
	}
	*out = t;
	return SD_OK;
}

/* ---- assessment ---- */

static bool fits_writer(const ver_release *r, const ver_clues *c, bool by_root)
{
	if (!c->era || strcmp(r->writes, c->era) != 0)
		return false;
	/* Clues the last writer leaves itself. */
	if (c->backslashes && r->windows_path_fix)
		return false;
	if (c->discovery_key && strcmp(r->userdata_key, "discoveryKey") != 0)
		return false;
	if (c->legacy_project_id && strcmp(r->userdata_key, "projectId") != 0)
		return false;
	/* A root feed folder, once written, stays: a database without one was
	 * only ever written by releases that write none (unless other clues
	 * say otherwise: the table's older rows are partly inferred). */
	if (by_root && c->has_database && !c->key_dir && !c->fake_dir && !c->old_fake_dir &&
	    strcmp(r->root_feed, "none") != 0)
		return false;
	return true;
}

/* A root feed folder stays in the file once written: the last writer is
 * that release or a later one. */
static size_t persist_floor(const ver_table *t, const ver_clues *c)
{
	const char *want = c->key_dir        ? "key"
	                   : c->fake_dir     ? "_fake"
	                   : c->old_fake_dir ? "fake"
	                                     : NULL;
	if (!want)
		return 0;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].root_feed, want))
			return i;
	return 0;
}

static char *range_text(const ver_release *a, const ver_release *b, const ver_table *t)
{
	if (!a)
		return xstrdup(_("no Mapeo Desktop"));
	if (a == b)
		return xasprintf(_("Mapeo Desktop %s"), a->series);
	if (b == &t->v[t->n - 1])
		return xasprintf(_("Mapeo Desktop %s and later"), a->series);
	if (a == &t->v[0])
		return xasprintf(_("Mapeo Desktop %s or older"), b->series);
	return xasprintf(_("Mapeo Desktop %s to %s"), a->series, b->series);
}

static void caution(ver_assessment *a, char *s)
{
	a->cautions = xreallocarray(a->cautions, a->n_cautions + 1, sizeof *a->cautions);
	a->cautions[a->n_cautions++] = s;
}

/* The first..last releases of t (among readers) where field is v; writes
 * the series range into a new string, or NULL when none. */
static char *readers_where(const ver_table *t, const ver_clues *c, size_t off, bool v)
{
	const ver_release *first = NULL, *last = NULL;
	for (size_t i = 0; i < t->n; i++) {
		const ver_release *r = &t->v[i];
		bool fv = *(const bool *)((const char *)r + off);
		if (ver_reads(r, c->era) && fv == v) {
			if (!first)
				first = r;
			last = r;
		}
	}
	return first ? range_text(first, last, t) : NULL;
}

void ver_assess(const ver_table *t, const ver_clues *c, ver_assessment *a)
{
	memset(a, 0, sizeof *a);
	size_t floor = persist_floor(t, c);
	for (int by_root = 1; by_root >= 0 && !a->writer_first; by_root--) {
		for (size_t i = floor; i < t->n; i++) {
			if (fits_writer(&t->v[i], c, by_root)) {
				if (!a->writer_first)
					a->writer_first = &t->v[i];
				a->writer_last = &t->v[i];
			}
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		if (ver_reads(&t->v[i], c->era)) {
			if (!a->reader_first)
				a->reader_first = &t->v[i];
			a->reader_last = &t->v[i];
		}
	}
	a->writers_text = a->writer_first ? range_text(a->writer_first, a->writer_last, t)
	                                  : xstrdup(_("a Mapeo Desktop this table does not know"));
	a->readers_text = range_text(a->reader_first, a->reader_last, t);
	if (!a->reader_first)
		return;

	char *s;
	if (!c->discovery_key && !c->project_unknown &&
	    (s = readers_where(t, c, offsetof(ver_release, strict_project_check), true))) {
		caution(a, xasprintf(
		               _("The file names no project, so %s accept it only when no project "
		                 "key is configured; older versions also accept it in a project."),
		               s));
		free(s);
	}
	if ((s = readers_where(t, c, offsetof(ver_release, rejected_sync_strips_database), true))) {
		caution(a,
		        xasprintf(_("If %s refuses this file (another project, another database "
		                    "type), it leaves the file without its observations: sync it "
		                    "with 5.5 or later, or keep a copy first."),
		                  s));
		free(s);
	}
	if (c->backslashes &&
	    (s = readers_where(t, c, offsetof(ver_release, windows_path_fix), false))) {
		caution(a,
		        xasprintf(_("The file was written on Windows with backslash names: %s on "
		                    "macOS or Linux sees no data in it."),
		                  s));
		free(s);
	}
	if (c->incomplete &&
	    (s = readers_where(t, c, offsetof(ver_release, missing_data_handling), false))) {
		caution(a,
		        xasprintf(_("Some data is missing from the file: %s can hang on it without "
		                    "finishing; use 5.3 or later."),
		                  s));
		free(s);
	}
	if (c->key_dir) {
		caution(a, xstrdup(_(
		               "A Mapeo Desktop 5.0 to 5.2 wrote the project key into this file "
		               "(a folder named after it): anyone who has the file has the key.")));
	}
}

void ver_assessment_free(ver_assessment *a)
{
	if (!a)
		return;
	free(a->writers_text);
	free(a->readers_text);
	for (size_t i = 0; i < a->n_cautions; i++)
		free(a->cautions[i]);
	free(a->cautions);
	memset(a, 0, sizeof *a);
}

bool ver_release_can_read(const ver_release *rel, const ver_clues *c)
{
	if (!ver_reads(rel, c->era))
		return false;
	return true;
}

char *ver_release_advice(const ver_release *rel, const char *installed_version, const ver_clues *c)
{
	strbuf b = SB_INIT;
	const char *v = installed_version ? installed_version : rel->desktop;
	if (!ver_release_can_read(rel, c)) {
		sb_printf(&b, _("Mapeo Desktop %s on this computer cannot read this file."), v);
		return sb_take(&b);
	}
	sb_printf(&b, _("Mapeo Desktop %s on this computer can read this file."), v);
	if (rel->strict_project_check && !c->discovery_key && !c->project_unknown)
		sb_printf(
		    &b, " %s",
		    _("It accepts it only when no project key is configured, because the file "
		      "names no project."));
	if (rel->rejected_sync_strips_database)
		sb_printf(
		    &b, " %s",
		    _("This version empties the file's database when it refuses a sync: update "
		      "to 5.5 or later, or keep a copy of the file before syncing."));
	if (c->backslashes && !rel->windows_path_fix)
		sb_printf(&b, " %s",
		          _("On macOS or Linux it sees no data in a file with Windows names."));
	if (c->incomplete && !rel->missing_data_handling)
		sb_printf(&b, " %s", _("It can hang on this file because data is missing."));
	return sb_take(&b);
}
