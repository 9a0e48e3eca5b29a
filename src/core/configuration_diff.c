#include "config.h"

#include "configuration_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "i18n.h"
#include "keys.h"
#include "report.h"
#include "xalloc.h"

const char *cfg_diff_kind_name(cfg_diff_kind k)
{
	static const char *const n[] = {"added", "removed", "changed", "renamed"};
	return n[k];
}

static bool diff_cancelled(cfg_diff *d)
{
	if (d->cancel && *d->cancel)
		d->cancelled = true;
	return d->cancelled;
}

bool cfg_diff_item_is_build(const cfg_diff_item *it)
{
	if (!strcmp(it->area, "container") || !strcmp(it->area, "icon"))
		return true;
	return !strcmp(it->area, "metadata") && it->what &&
	       (!strcmp(it->what, "buildDate") || !strcmp(it->what, "builder") ||
	        !strcmp(it->what, "fileVersion"));
}

static void add(cfg_diff *d, cfg_diff_kind kind, const char *area, const char *id, const char *what,
                const char *old_value, const char *new_value)
{
	SD_GROW(d->v, d->cap, d->n + 1);
	cfg_diff_item *it = &d->v[d->n++];
	it->kind = kind;
	it->area = area;
	it->id = xstrdup_or_null(id);
	it->what = xstrdup_or_null(what);
	it->old_value = xstrdup_or_null(old_value);
	it->new_value = xstrdup_or_null(new_value);
	if (!cfg_diff_item_is_build(it))
		d->content_differs = true;
}

void cfg_diff_free(cfg_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].id), free(d->v[i].what);
		free(d->v[i].old_value), free(d->v[i].new_value);
	}
	free(d->v);
	free(d);
}

/* A short display of any JSON value. */
static char *show(json_t *v)
{
	if (!v)
		return NULL;
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return s ? s : xstrdup("?");
}

static void cmp_str(cfg_diff *d, const char *area, const char *id, const char *what, const char *a,
                    const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		add(d, DIFF_CHANGED, area, id, what, a, b);
}

/* ---- fields: one model for both schemas ---- */

typedef struct nfield {
	const char *id;
	const char *key;
	char type[32];
	json_t *raw;
	char **values;
	size_t n_values;
} nfield;

static void norm_type(const char *t, char out[32])
{
	/* select_one -> selectOne */
	size_t j = 0;
	bool up = false;
	for (size_t i = 0; t[i] && j < 31; i++) {
		if (t[i] == '_') {
			up = true;
			continue;
		}
		out[j++] = up && t[i] >= 'a' && t[i] <= 'z' ? (char)(t[i] - 32) : t[i];
		up = false;
	}
	out[j] = '\0';
}

static nfield *norm_fields(json_t *fields, size_t *n)
{
	*n = json_is_object(fields) ? json_object_size(fields) : 0;
	nfield *v = xcalloc(*n ? *n : 1, sizeof *v);
	size_t i = 0;
	const char *id;
	json_t *f;
	if (*n)
		json_object_foreach(fields, id, f)
		{
			nfield *x = &v[i++];
			x->id = id;
			x->raw = f;
			json_t *k = json_object_get(f, "key");
			if (!json_is_string(k))
				k = json_object_get(f, "tagKey");
			x->key = json_is_string(k) ? json_string_value(k) : "";
			json_t *t = json_object_get(f, "type");
			norm_type(json_is_string(t) ? json_string_value(t) : "", x->type);
			json_t *opts = json_object_get(f, "options");
			if (json_is_array(opts)) {
				x->values = xcalloc(json_array_size(opts) + 1, sizeof *x->values);
				size_t k2;
				json_t *o;
				json_array_foreach(opts, k2, o)
				{
					json_t *val =
					    json_is_object(o) ? json_object_get(o, "value") : o;
					if (json_is_string(val))
						x->values[x->n_values++] =
						    (char *)json_string_value(val);
				}
			}
		}
	return v;
}

/* Lookups by id, key and value go through hash tables (jansson objects
 * used as maps to an index): a configuration with 100,000 presets or fields
 * is diffed in linear time. */
static json_t *index_by(const char *const *names, size_t n)
{
	json_t *m = json_object();
	for (size_t i = n; i-- > 0;) /* the first of equal names wins */
		json_object_set_new(m, names[i], json_integer((json_int_t)i));
	return m;
}

static json_t *field_index(const nfield *v, size_t n)
{
	const char **ids = xcalloc(n + 1, sizeof *ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = v[i].id;
	json_t *m = index_by(ids, n);
	free(ids);
	return m;
}

static nfield *find_field(nfield *v, json_t *index, const char *id)
{
	json_t *i = json_object_get(index, id);
	return i ? &v[json_integer_value(i)] : NULL;
}

/* Renames found: old id -> new id. */
typedef struct renames {
	const char *from[256];
	const char *to[256];
	size_t n;
} renames;

static const char *renamed(const renames *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->from[i], id))
			return r->to[i];
	return id;
}

static void cmp_field_props(cfg_diff *d, const nfield *fa, const nfield *fb)
{
	static const char *const props[] = {"label", "placeholder", "helperText"};
	for (size_t i = 0; i < 3; i++) {
		json_t *a = json_object_get(fa->raw, props[i]),
		       *b = json_object_get(fb->raw, props[i]);
		if (a && b && json_equal(a, b))
			continue;
		if (!a && !b)
			continue;
		char *sa = show(a), *sb = show(b);
		add(d, DIFF_CHANGED, "field", fb->id, props[i], sa, sb);
		free(sa), free(sb);
	}
	cmp_str(d, "field", fb->id, "key", fa->key, fb->key);
	cmp_str(d, "field", fb->id, "type", fa->type, fb->type);
	json_t *va = index_by((const char *const *)fa->values, fa->n_values),
	       *vb = index_by((const char *const *)fb->values, fb->n_values);
	for (size_t i = 0; i < fb->n_values; i++)
		if (!json_object_get(va, fb->values[i]))
			add(d, DIFF_ADDED, "field", fb->id, "option", NULL, fb->values[i]);
	for (size_t i = 0; i < fa->n_values; i++)
		if (!json_object_get(vb, fa->values[i]))
			add(d, DIFF_REMOVED, "field", fb->id, "option", fa->values[i], NULL);
	json_decref(va), json_decref(vb);
}

static void diff_fields(cfg_diff *d, json_t *a, json_t *b, renames *rn)
{
	size_t na, nb;
	nfield *fa = norm_fields(a, &na), *fb = norm_fields(b, &nb);
	json_t *ia = field_index(fa, na), *ib = field_index(fb, nb);
	bool *used_b = xcalloc(nb + 1, 1);
	for (size_t i = 0; i < na && !diff_cancelled(d); i++) {
		nfield *m = find_field(fb, ib, fa[i].id);
		if (m) {
			used_b[m - fb] = true;
			cmp_field_props(d, &fa[i], m);
		}
	}
	/* Rename candidates: the fields only in b, by tag key and type, each
	 * list in b's order (the first unused one is taken, as before). */
	json_t *by_kt = json_object();
	for (size_t j = 0; j < nb; j++) {
		if (used_b[j] || find_field(fa, ia, fb[j].id))
			continue;
		char *kt = xasprintf("%s%c%s", fb[j].key, 1, fb[j].type);
		json_t *l = json_object_get(by_kt, kt);
		if (!l) {
			/* element 0: the next position to take */
			json_object_set_new(by_kt, kt, l = json_array());
			json_array_append_new(l, json_integer(1));
		}
		json_array_append_new(l, json_integer((json_int_t)j));
		free(kt);
	}
	for (size_t i = 0; i < na && !diff_cancelled(d); i++) {
		if (find_field(fb, ib, fa[i].id))
			continue;
		nfield *match = NULL;
		char *kt = xasprintf("%s%c%s", fa[i].key, 1, fa[i].type);
		json_t *cand = json_object_get(by_kt, kt);
		free(kt);
		size_t next = cand ? (size_t)json_integer_value(json_array_get(cand, 0)) : 0;
		while (cand && next < json_array_size(cand) && !match) {
			size_t j = (size_t)json_integer_value(json_array_get(cand, next++));
			if (!used_b[j])
				match = &fb[j];
		}
		if (cand)
			json_integer_set(json_array_get(cand, 0), (json_int_t)next);
		if (match) {
			used_b[match - fb] = true;
			add(d, DIFF_RENAMED, "field", fa[i].id, NULL, fa[i].id, match->id);
			if (rn->n < 256) {
				rn->from[rn->n] = fa[i].id;
				rn->to[rn->n++] = match->id;
			}
			cmp_field_props(d, &fa[i], match);
		} else {
			json_t *l = json_object_get(fa[i].raw, "label");
			add(d, DIFF_REMOVED, "field", fa[i].id, NULL,
			    json_is_string(l) ? json_string_value(l) : NULL, NULL);
		}
	}
	for (size_t j = 0; j < nb; j++)
		if (!used_b[j]) {
			json_t *l = json_object_get(fb[j].raw, "label");
			add(d, DIFF_ADDED, "field", fb[j].id, NULL, NULL,
			    json_is_string(l) ? json_string_value(l) : NULL);
		}
	for (size_t i = 0; i < na; i++)
		free(fa[i].values);
	for (size_t i = 0; i < nb; i++)
		free(fb[i].values);
	json_decref(ia), json_decref(ib), json_decref(by_kt);
	free(fa), free(fb), free(used_b);
}

/* A copy of an array of ids with renames applied. */
static json_t *map_ids(json_t *arr, const renames *rn)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v))
			json_array_append_new(out,
			                      report_json_str(renamed(rn, json_string_value(v))));
		else
			json_array_append(out, v);
	}
	return out;
}

/* An empty list or map says what an absent one says: builders differ in
 * which they write (fieldRefs: [] beside no fieldRefs at all). */
static bool empty_value(json_t *v)
{
	return !v || json_is_null(v) || (json_is_array(v) && !json_array_size(v)) ||
	       (json_is_object(v) && !json_object_size(v));
}

static void diff_objects(cfg_diff *d, const char *area, json_t *a, json_t *b, const renames *rn,
                         bool by_property)
{
	const char *id;
	json_t *va, *vb;
	if (json_is_object(a))
		json_object_foreach(a, id, va)
		{
			if (diff_cancelled(d))
				return;
			vb = json_object_get(b, id);
			if (!vb) {
				json_t *nm = json_object_get(va, "name");
				add(d, DIFF_REMOVED, area, id, NULL,
				    json_is_string(nm) ? json_string_value(nm) : NULL, NULL);
				continue;
			}
			if (json_equal(va, vb))
				continue;
			if (!by_property || !json_is_object(va) || !json_is_object(vb)) {
				char *sa = show(va), *sb = show(vb);
				add(d, DIFF_CHANGED, area, id, NULL, sa, sb);
				free(sa), free(sb);
				continue;
			}
			const char *p;
			json_t *pa, *pb;
			json_object_foreach(va, p, pa)
			{
				pb = json_object_get(vb, p);
				if (empty_value(pa) && empty_value(pb))
					continue;
				json_t *ma = json_is_array(pa) ? map_ids(pa, rn) : json_incref(pa);
				bool same = pb && json_equal(ma, pb);
				json_decref(ma);
				if (same)
					continue;
				char *sa = show(pa), *sb = show(pb);
				add(d, DIFF_CHANGED, area, id, p, sa, sb);
				free(sa), free(sb);
			}
			json_object_foreach(vb, p, pb)
			{
				if (json_object_get(va, p) || empty_value(pb))
					continue;
				char *sb = show(pb);
				add(d, DIFF_CHANGED, area, id, p, NULL, sb);
				free(sb);
			}
		}
	if (json_is_object(b))
		json_object_foreach(b, id, vb)
		{
			if (diff_cancelled(d))
				return;
			if (json_object_get(a, id))
				continue;
			json_t *nm = json_object_get(vb, "name");
			add(d, DIFF_ADDED, area, id, NULL, NULL,
			    json_is_string(nm) ? json_string_value(nm) : NULL);
		}
}

static void diff_defaults(cfg_diff *d, json_t *a, json_t *b, const renames *rn)
{
	const char *g;
	json_t *la;
	json_t *keys = json_object();
	if (json_is_object(a))
		json_object_foreach(a, g, la) json_object_set_new(keys, g, json_true());
	if (json_is_object(b))
		json_object_foreach(b, g, la) json_object_set_new(keys, g, json_true());
	json_t *unused;
	json_object_foreach(keys, g, unused)
	{
		json_t *empty = json_array(); /* a group only b has */
		json_t *ma = map_ids(json_object_get(a, g) ? json_object_get(a, g) : empty, rn);
		json_decref(empty);
		json_t *lb = json_object_get(b, g);
		size_t i;
		json_t *v;
		json_array_foreach(ma, i, v)
		{
			bool found = false;
			size_t j;
			json_t *w;
			json_array_foreach(lb, j, w) found = found || json_equal(v, w);
			if (!found)
				add(d, DIFF_REMOVED, "defaults", g, NULL, json_string_value(v),
				    NULL);
		}
		json_array_foreach(lb, i, v)
		{
			bool found = false;
			size_t j;
			json_t *w;
			json_array_foreach(ma, j, w) found = found || json_equal(v, w);
			if (!found)
				add(d, DIFF_ADDED, "defaults", g, NULL, NULL, json_string_value(v));
		}
		json_decref(ma);
	}
	json_decref(keys);
}

/* Flatten translations to "lang.section.id.prop" -> string, renames applied. */
static void flatten(json_t *v, const char *prefix, const renames *rn, json_t *out, int depth)
{
	if (depth > 8)
		return;
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach(v, k, c)
		{
			char *p = *prefix ? xasprintf("%s.%s", prefix, renamed(rn, k)) : xstrdup(k);
			flatten(c, p, rn, out, depth + 1);
			free(p);
		}
	} else if (json_is_string(v)) {
		json_object_set(out, prefix, v);
	} else if (!json_is_null(v)) {
		json_object_set(out, prefix, v);
	}
}

static void diff_translations(cfg_diff *d, json_t *a, json_t *b, const renames *rn)
{
	renames none = {.n = 0};
	json_t *fa = json_object(), *fb = json_object();
	flatten(a, "", rn, fa, 0);
	flatten(b, "", &none, fb, 0);
	const char *k;
	json_t *v;
	json_object_foreach(fa, k, v)
	{
		if (diff_cancelled(d))
			break;
		json_t *w = json_object_get(fb, k);
		char *sa = show(v), *sb = show(w);
		if (!w)
			add(d, DIFF_REMOVED, "translation", k, NULL, sa, NULL);
		else if (!json_equal(v, w))
			add(d, DIFF_CHANGED, "translation", k, NULL, sa, sb);
		free(sa), free(sb);
	}
	json_object_foreach(fb, k, v)
	{
		if (diff_cancelled(d))
			break;
		if (json_object_get(fa, k))
			continue;
		char *sb = show(v);
		add(d, DIFF_ADDED, "translation", k, NULL, NULL, sb);
		free(sb);
	}
	json_decref(fa), json_decref(fb);
}

/* Icons: icons/<id>-<size>@<n>x.png grouped by id; the sprite as one. */
static json_t *member_index(const mapeo_config *c)
{
	const char **names = xcalloc(c->n_members + 1, sizeof *names);
	for (size_t i = 0; i < c->n_members; i++)
		names[i] = c->members[i].name;
	json_t *m = index_by(names, c->n_members);
	free(names);
	return m;
}

static const cfg_member *member(const mapeo_config *c, json_t *index, const char *name)
{
	json_t *i = json_object_get(index, name);
	return i ? &c->members[json_integer_value(i)] : NULL;
}

static char *icon_id(const char *name)
{
	const char *base = name + 6; /* "icons/" */
	const char *dash = NULL;
	for (const char *p = base; *p; p++)
		if (*p == '-' && (!strncmp(p, "-small@", 7) || !strncmp(p, "-medium@", 8) ||
		                  !strncmp(p, "-large@", 7)))
			dash = p;
	return dash ? xstrndup(base, (size_t)(dash - base)) : xstrdup(base);
}

static void diff_icons(cfg_diff *d, const mapeo_config *a, const mapeo_config *b)
{
	json_t *seen = json_object();
	json_t *index[2] = {member_index(a), member_index(b)};
	for (int pass = 0; pass < 2; pass++) {
		const mapeo_config *x = pass ? b : a, *y = pass ? a : b;
		for (size_t i = 0; i < x->n_members && !diff_cancelled(d); i++) {
			const cfg_member *m = &x->members[i];
			if (strncmp(m->name, "icons/", 6) != 0)
				continue;
			const cfg_member *o = member(y, index[!pass], m->name);
			char *id = icon_id(m->name);
			cfg_diff_kind k = !o ? (pass ? DIFF_ADDED : DIFF_REMOVED) : DIFF_CHANGED;
			bool differs = !o || o->crc != m->crc || o->size != m->size;
			if (differs && (pass == 0 || !o) && !json_object_get(seen, id)) {
				json_object_set_new(seen, id, json_true());
				add(d, k, "icon", id, NULL, NULL, NULL);
			}
			free(id);
		}
	}
	json_decref(seen);
	static const char *const sprite[] = {"icons.svg", "icons.png", "icons.json"};
	for (int i = 0; i < 3; i++) {
		const cfg_member *ma = member(a, index[0], sprite[i]),
		                 *mb = member(b, index[1], sprite[i]);
		if (!ma && !mb)
			continue;
		if (!ma || !mb || ma->crc != mb->crc || ma->size != mb->size) {
			add(d,
			    !ma   ? DIFF_ADDED
			    : !mb ? DIFF_REMOVED
			          : DIFF_CHANGED,
			    "icon", sprite[i], NULL, NULL, NULL);
		}
	}
	json_decref(index[0]), json_decref(index[1]);
}

static void diff_json_member(cfg_diff *d, const char *area, json_t *a, json_t *b)
{
	if (!a && !b)
		return;
	if (a && b && json_equal(a, b))
		return;
	add(d, !a ? DIFF_ADDED : !b ? DIFF_REMOVED : DIFF_CHANGED, area, NULL, NULL, NULL, NULL);
}

cfg_diff *cfg_diff_compute(const mapeo_config *a, const mapeo_config *b)
{
	return cfg_diff_compute_cancel(a, b, NULL);
}

cfg_diff *cfg_diff_compute_cancel(const mapeo_config *a, const mapeo_config *b,
                                  volatile sig_atomic_t *cancel)
{
	cfg_diff *d = xcalloc(1, sizeof *d);
	d->cancel = cancel;
	if (a->container != b->container)
		add(d, DIFF_CHANGED, "container", NULL, NULL, cfg_container_name(a->container),
		    cfg_container_name(b->container));
	cmp_str(d, "metadata", NULL, "name", a->name, b->name);
	cmp_str(d, "metadata", NULL, "version", a->version, b->version);
	cmp_str(d, "metadata", NULL, "dataset_id", a->dataset_id, b->dataset_id);
	cmp_str(d, "metadata", NULL, "syncServer", a->sync_server, b->sync_server);
	cmp_str(d, "metadata", NULL, "fileVersion", a->file_version, b->file_version);
	cmp_str(d, "metadata", NULL, "buildDate", a->build_date, b->build_date);
	cmp_str(d, "metadata", NULL, "builder", a->builder_version, b->builder_version);
	if (strcmp(a->discovery_key, b->discovery_key) != 0 || a->has_key != b->has_key) {
		/* both forms people meet: the footer and the id of Mapeo's errors */
		char fa[64], fb[64], ea[16], eb[16];
		keys_error_form(a->has_key ? a->discovery_key : NULL, ea);
		keys_error_form(b->has_key ? b->discovery_key : NULL, eb);
		snprintf(fa, sizeof fa, "%s (us=%s)", a->footer, ea);
		snprintf(fb, sizeof fb, "%s (us=%s)", b->footer, eb);
		add(d, DIFF_CHANGED, "metadata", NULL, "projectKey", fa, fb);
	}
	renames rn = {.n = 0};
	json_t *fa = json_object_get(a->presets, "fields"),
	       *fb = json_object_get(b->presets, "fields");
	diff_fields(d, fa, fb, &rn);
	diff_objects(d, "category", json_object_get(a->presets, "categories"),
	             json_object_get(b->presets, "categories"), &rn, true);
	diff_objects(d, "preset", json_object_get(a->presets, "presets"),
	             json_object_get(b->presets, "presets"), &rn, true);
	diff_defaults(d, json_object_get(a->presets, "defaults"),
	              json_object_get(b->presets, "defaults"), &rn);
	diff_translations(d, a->translations, b->translations, &rn);
	diff_icons(d, a, b);
	diff_json_member(d, "imagery", a->imagery, b->imagery);
	diff_json_member(d, "layers", a->layers, b->layers);
	if ((a->style_css == NULL) != (b->style_css == NULL) ||
	    (a->style_css && strcmp(a->style_css, b->style_css)))
		add(d, DIFF_CHANGED, "style", "style.css", NULL, NULL, NULL);
	return d;
}

static const char *area_label(const char *area)
{
	static const struct {
		const char *area, *label;
	} t[] = {{"container", N_("container")},
	         {"metadata", N_("metadata")},
	         {"category", N_("category")},
	         {"preset", N_("preset")},
	         {"field", N_("field")},
	         {"defaults", N_("default presets for")},
	         {"translation", N_("translation")},
	         {"icon", N_("icon")},
	         {"imagery", N_("imagery")},
	         {"style", N_("style")},
	         {"layers", N_("layers")}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(t[i].area, area))
			return _(t[i].label);
	return area;
}

char *cfg_diff_item_text(const cfg_diff_item *it)
{
	const char *area = area_label(it->area);
	const char *id = it->id ? it->id : "";
	const char *o = it->old_value ? it->old_value : "-",
	           *n = it->new_value ? it->new_value : "-";
	switch (it->kind) {
	case DIFF_ADDED:
		if (it->what)
			return xasprintf(_("%s %s: %s \"%s\" added"), area, id, it->what, n);
		return it->new_value ? xasprintf(_("%s %s added (%s)"), area, id, n)
		                     : xasprintf(_("%s %s added"), area, id);
	case DIFF_REMOVED:
		if (it->what)
			return xasprintf(_("%s %s: %s \"%s\" removed"), area, id, it->what, o);
		return it->old_value ? xasprintf(_("%s %s removed (%s)"), area, id, o)
		                     : xasprintf(_("%s %s removed"), area, id);
	case DIFF_RENAMED: return xasprintf(_("%s %s renamed to %s"), area, o, n);
	default:
		if (it->what)
			return xasprintf(_("%s %s%s%s: \"%s\" -> \"%s\""), area, id, *id ? " " : "",
			                 it->what, o, n);
		if (it->old_value || it->new_value)
			return xasprintf(_("%s %s: \"%s\" -> \"%s\""), area, id, o, n);
		return xasprintf(_("%s %s changed"), area, id);
	}
}

/* ---- two columns in display cells ("Río" is 3 cells, 4 bytes) ---- */

/* One character of s: its bytes in *len, its display cells returned (an
 * invalid byte or a control character counts 1). */
static int char_cells(const char *s, size_t *len)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	size_t k = mbrtowc(&wc, s, strlen(s), &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*len = 1;
		return 1;
	}
	*len = k;
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

/* The next row of *s that fits in max cells, broken at a space when one is
 * in reach (never cut: the rest goes to the next row). Appends it to out,
 * padded with spaces to max cells when pad; advances *s. */
static void take_row(const char **s, int max, bool pad, strbuf *out)
{
	const char *p = *s;
	size_t end = 0, brk = 0;
	int used = 0, at_brk = 0;
	while (p[end]) {
		size_t k;
		int c = char_cells(p + end, &k);
		if (used + c > max)
			break;
		used += c;
		end += k;
		if (p[end] == ' ' || !p[end]) {
			brk = end;
			at_brk = used;
		}
	}
	if (p[end] && brk > 0) { /* a word does not fit: break before it */
		end = brk;
		used = at_brk;
	} else if (end == 0 && p[0]) { /* one character wider than the column */
		char_cells(p, &end);
		used = max;
	}
	sb_addn(out, p, end);
	if (pad)
		for (int i = used; i < max; i++)
			sb_addc(out, ' ');
	p += end;
	while (*p == ' ')
		p++;
	*s = p;
}

static void two_columns(strbuf *out, const char *left, const char *right, int col, int rcol)
{
	do {
		take_row(&left, col, true, out);
		sb_add(out, " | ");
		take_row(&right, rcol, false, out);
		sb_addc(out, '\n');
	} while (*left || *right);
}

static char *escaped_title(const mapeo_config *c)
{
	char *t = cfg_title(c), *e = report_escape(t);
	free(t);
	return e;
}

void cfg_diff_to_text(const cfg_diff *d, const mapeo_config *a, const mapeo_config *b, int width,
                      strbuf *out)
{
	/* every name and value from the files escaped here, one line each: the
	 * caller's printing keeps newlines, and a preset named "x\nMATCH"
	 * would print a line of its own */
	char *ta = escaped_title(a), *tb = escaped_title(b);
	char *pa = report_escape(a->path), *pb = report_escape(b->path);
	sb_printf(out, "--- %s (%s, %s)\n+++ %s (%s, %s)\n", ta, pa,
	          cfg_container_name(a->container), tb, pb, cfg_container_name(b->container));
	free(pa), free(pb);
	size_t build = 0;
	for (size_t i = 0; i < d->n; i++)
		build += cfg_diff_item_is_build(&d->v[i]);
	if (!d->n) {
		sb_printf(out, "%s\n", _("The two configurations are the same."));
	} else if (!d->content_differs) {
		sb_printf(out, "%s\n",
		          _("The same settings: only how the files were built differs (build date, "
		            "icons, tar or ZIP)."));
	} else if (width >= 120) {
		int col = (width - 3) / 2, rcol = width - 3 - col;
		two_columns(out, ta, tb, col, rcol);
		for (size_t i = 0; i < d->n; i++) {
			const cfg_diff_item *it = &d->v[i];
			if (cfg_diff_item_is_build(it))
				continue;
			const char *area = area_label(it->area);
			/* whole values, never cut: the columns wrap them */
			char *left = xasprintf("%s %s%s%s: %s", area, it->id ? it->id : "",
			                       it->what ? " " : "", it->what ? it->what : "",
			                       it->kind == DIFF_ADDED     ? _("(absent)")
			                       : it->old_value            ? it->old_value
			                       : it->kind == DIFF_REMOVED ? _("(present)")
			                                                  : "");
			const char *right = it->kind == DIFF_REMOVED ? _("(absent)")
			                    : it->new_value          ? it->new_value
			                    : it->kind == DIFF_ADDED ? _("(present)")
			                                             : _("(changed)");
			char *el = report_escape(left), *er = report_escape(right);
			two_columns(out, el, er, col, rcol);
			free(left), free(el), free(er);
		}
	} else {
		for (size_t i = 0; i < d->n; i++) {
			if (cfg_diff_item_is_build(&d->v[i]))
				continue;
			char *raw = cfg_diff_item_text(&d->v[i]);
			char *t = report_escape(raw);
			free(raw);
			char mark = d->v[i].kind == DIFF_ADDED     ? '+'
			            : d->v[i].kind == DIFF_REMOVED ? '-'
			                                           : '~';
			sb_printf(out, "%c %s\n", mark, t);
			free(t);
		}
	}
	/* the one difference that stops a sync, in plain words */
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].area, "metadata") && d->v[i].what &&
		    !strcmp(d->v[i].what, "projectKey")) {
			sb_printf(out, "%s\n",
			          _("These two configurations belong to different projects: two "
			            "computers that use them cannot sync with each other."));
			break;
		}
	/* how the files were built says nothing of what people see: one line */
	if (build && d->content_differs)
		sb_printf(out,
		          P_("(%zu more difference in how the files were built: build date, "
		             "builder, icons, tar or ZIP; --format json lists it)\n",
		             "(%zu more differences in how the files were built: build date, "
		             "builder, icons, tar or ZIP; --format json lists them)\n",
		             build),
		          build);
	free(ta), free(tb);
}

json_t *cfg_diff_to_json(const cfg_diff *d, const mapeo_config *a, const mapeo_config *b)
{
	json_t *o = json_object();
	json_t *cfgs = json_array();
	const mapeo_config *both[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "path", report_json_str(both[i]->path));
		json_object_set_new(c, "name",
		                    both[i]->name ? report_json_str(both[i]->name) : json_null());
		json_object_set_new(c, "version",
		                    both[i]->version ? report_json_str(both[i]->version)
		                                     : json_null());
		json_object_set_new(c, "container",
		                    report_json_str(cfg_container_name(both[i]->container)));
		json_object_set_new(c, "footer", report_json_str(both[i]->footer));
		json_object_set_new(c, "discovery_key",
		                    both[i]->discovery_key[0]
		                        ? report_json_str(both[i]->discovery_key)
		                        : json_null());
		json_array_append_new(cfgs, c);
	}
	json_object_set_new(o, "configurations", cfgs);
	json_object_set_new(o, "identical", json_boolean(d->n == 0));
	json_object_set_new(o, "content_differs", json_boolean(d->content_differs));
	json_t *items = json_array();
	for (size_t i = 0; i < d->n; i++) {
		const cfg_diff_item *it = &d->v[i];
		json_t *j = json_object();
		json_object_set_new(j, "kind", report_json_str(cfg_diff_kind_name(it->kind)));
		json_object_set_new(j, "area", report_json_str(it->area));
		if (it->id)
			json_object_set_new(j, "id", report_json_str(it->id));
		if (it->what)
			json_object_set_new(j, "what", report_json_str(it->what));
		if (it->old_value)
			json_object_set_new(j, "old", report_json_str(it->old_value));
		if (it->new_value)
			json_object_set_new(j, "new", report_json_str(it->new_value));
		char *t = cfg_diff_item_text(it);
		json_object_set_new(j, "text", report_json_str(t));
		free(t);
		json_array_append_new(items, j);
	}
	json_object_set_new(o, "differences", items);
	return o;
}
