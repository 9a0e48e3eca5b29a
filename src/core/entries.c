#include "config.h"

#include "entries.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "xalloc.h"

#define MAX_LINKS 64

typedef struct entry {
	char *version;
	char *id;
	bool observation;
	bool deleted;
	bool superseded;
	char **links;
	size_t n_links;
	obs_head head; /* filled for observations */
} entry;

struct obs_model {
	entry *v;
	size_t n, cap;
	obs_head *heads; /* shallow copies of entry heads */
	size_t n_heads;
	obs_counts counts;
	char **referenced; /* attachment ids of every version */
	size_t n_ref, ref_cap;
};

obs_model *obs_model_new(void) { return xcalloc(1, sizeof(obs_model)); }

void obs_model_free(obs_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		entry *e = &m->v[i];
		free(e->version), free(e->id);
		for (size_t j = 0; j < e->n_links; j++)
			free(e->links[j]);
		free(e->links);
		free(e->head.category), free(e->head.created_at), free(e->head.timestamp);
		for (size_t j = 0; j < e->head.n_attachments; j++)
			free(e->head.attachments[j]);
		free(e->head.attachments);
	}
	free(m->v);
	free(m->heads);
	for (size_t i = 0; i < m->n_ref; i++)
		free(m->referenced[i]);
	free(m->referenced);
	free(m);
}

static char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

void obs_model_add_block(obs_model *m, int feed, const char *key_hex, uint64_t seq,
                         const uint8_t *data, size_t len, findings *fl)
{
	/* hypercore's ndjson codec: exactly one JSON text and a final newline. */
	const char *nl = memchr(data, '\n', len);
	json_error_t je;
	json_t *j = NULL;
	if (nl && (size_t)(nl - (const char *)data) == len - 1)
		j = json_loadb((const char *)data, len, 0, &je);
	if (!j || !json_is_object(j)) {
		char inner[32];
		snprintf(inner, sizeof inner, "%d/data", feed);
		finding *f = fnd_add(fl, "entry-not-json",
		                     _("feed %d, block %llu is not one line of JSON: Mapeo cannot read "
		                       "this entry"),
		                     feed, (unsigned long long)seq);
		f->feed = feed;
		f->block = (int64_t)seq;
		fnd_set_inner(f, inner);
		json_decref(j);
		return;
	}
	SD_GROW(m->v, m->cap, m->n + 1);
	entry *e = &m->v[m->n++];
	memset(e, 0, sizeof *e);
	m->counts.entries++;
	e->version = xasprintf("%s@%llu", key_hex, (unsigned long long)seq);
	e->id = jstr(j, "id");
	json_t *type = json_object_get(j, "type");
	e->observation = json_is_string(type) && !strcmp(json_string_value(type), "observation");
	e->deleted = json_is_true(json_object_get(j, "deleted"));
	json_t *links = json_object_get(j, "links");
	if (json_is_array(links)) {
		size_t n = json_array_size(links);
		if (n > MAX_LINKS)
			n = MAX_LINKS;
		e->links = xcalloc(n ? n : 1, sizeof *e->links);
		for (size_t i = 0; i < n; i++) {
			json_t *l = json_array_get(links, i);
			if (json_is_string(l))
				e->links[e->n_links++] = xstrdup(json_string_value(l));
		}
	}
	obs_head *h = &e->head;
	h->feed = feed;
	h->seq = seq;
	h->created_at = jstr(j, "created_at");
	h->timestamp = jstr(j, "timestamp");
	json_t *tags = json_object_get(j, "tags");
	if (json_is_object(tags))
		h->category = jstr(tags, "categoryId");
	json_t *lat = json_object_get(j, "lat"), *lon = json_object_get(j, "lon");
	if (json_is_number(lat) && json_is_number(lon)) {
		h->has_location = true;
		h->lat = json_number_value(lat);
		h->lon = json_number_value(lon);
	}
	json_t *att = json_object_get(j, "attachments");
	if (json_is_array(att)) {
		size_t n = json_array_size(att);
		h->attachments = xcalloc(n ? n : 1, sizeof *h->attachments);
		for (size_t i = 0; i < n && i < 1000; i++) {
			json_t *id = json_object_get(json_array_get(att, i), "id");
			if (!json_is_string(id))
				continue;
			h->attachments[h->n_attachments++] = xstrdup(json_string_value(id));
			SD_GROW(m->referenced, m->ref_cap, m->n_ref + 1);
			m->referenced[m->n_ref++] = xstrdup(json_string_value(id));
		}
	}
	json_decref(j);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_entry_version(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->version, ((const entry *)b)->version);
}

static int cmp_entry_id(const void *a, const void *b)
{
	const entry *x = *(entry *const *)a, *y = *(entry *const *)b;
	int c = strcmp(x->id ? x->id : "", y->id ? y->id : "");
	if (c)
		return c;
	/* Newest timestamp first among forks (a deletion has none). */
	const char *tx = x->head.timestamp ? x->head.timestamp : "";
	const char *ty = y->head.timestamp ? y->head.timestamp : "";
	return strcmp(ty, tx);
}

static int cmp_head(const void *a, const void *b)
{
	return strcmp(((const obs_head *)a)->id, ((const obs_head *)b)->id);
}

/* RFC 3339 as JavaScript's toISOString writes it (or with an offset). */
static bool parse_time(const char *s, int64_t *out, int *year)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	int y, mo, d, h, mi, sec, n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	int off = 0;
	if (*p == 'Z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) >= 6) {
		int oh, om;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return false;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	/* days from civil (Howard Hinnant's algorithm) */
	int yy = y - (mo <= 2);
	int era = (yy >= 0 ? yy : yy - 399) / 400;
	int yoe = yy - era * 400;
	int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = (int64_t)era * 146097 + doe - 719468;
	*out = days * 86400 + h * 3600 + mi * 60 + sec - off;
	*year = y;
	return true;
}

static void check_date(const obs_head *h, const char *field, const char *value, int64_t now,
                       findings *fl)
{
	if (!value)
		return;
	int64_t t;
	int year;
	char detail[160];
	snprintf(detail, sizeof detail, "%s, %s", h->category ? h->category : "-", value);
	finding *f = NULL;
	if (!parse_time(value, &t, &year))
		f = fnd_add(fl, "date-malformed",
		            _("observation %s: its %s '%s' is not a valid date"), h->id, field, value);
	else if (year == 1970)
		f = fnd_add(fl, "date-epoch",
		            _("observation %s (%s) has its %s in 1970 (%s): the device's clock was not "
		              "set"),
		            h->id, h->category ? h->category : _("no category"), field, value);
	else if (now > 0 && t > now + 86400)
		f = fnd_add(fl, "date-future",
		            _("observation %s (%s) has its %s in the future (%s), after the file was "
		              "written"),
		            h->id, h->category ? h->category : _("no category"), field, value);
	if (f) {
		fnd_set_observation(f, h->id);
		fnd_set_detail(f, detail);
		f->feed = h->feed;
		f->block = (int64_t)h->seq;
	}
}

void obs_model_finish(obs_model *m, int64_t now, findings *fl)
{
	/* Mark superseded versions. */
	if (m->n)
		qsort(m->v, m->n, sizeof *m->v, cmp_entry_version);
	for (size_t i = 0; i < m->n; i++) {
		for (size_t j = 0; j < m->v[i].n_links; j++) {
			entry key = {.version = m->v[i].links[j]};
			entry *t = bsearch(&key, m->v, m->n, sizeof *m->v, cmp_entry_version);
			if (t)
				t->superseded = true;
		}
	}
	/* Heads grouped by id. */
	entry **hs = xcalloc(m->n ? m->n : 1, sizeof *hs);
	size_t nh = 0;
	for (size_t i = 0; i < m->n; i++)
		if (!m->v[i].superseded && m->v[i].id)
			hs[nh++] = &m->v[i];
	if (nh)
		qsort(hs, nh, sizeof *hs, cmp_entry_id);
	m->heads = xcalloc(nh ? nh : 1, sizeof *m->heads);
	for (size_t i = 0; i < nh;) {
		size_t j = i;
		while (j < nh && !strcmp(hs[j]->id, hs[i]->id))
			j++;
		entry *best = hs[i];
		bool any_obs = false;
		for (size_t k = i; k < j; k++)
			any_obs = any_obs || hs[k]->observation;
		if (any_obs) {
			if (j - i > 1)
				m->counts.forks++;
			if (best->deleted) {
				m->counts.deleted++;
			} else if (best->observation) {
				obs_head *h = &m->heads[m->n_heads++];
				*h = best->head;
				h->id = best->id;
				h->version = best->version;
				if (h->n_attachments)
					m->counts.with_attachments++;
			}
		} else if (best->deleted) {
			/* A deletion of an observation carries type too; count it. */
		}
		i = j;
	}
	free(hs);
	m->counts.heads = m->n_heads;
	if (m->n_heads)
		qsort(m->heads, m->n_heads, sizeof *m->heads, cmp_head);
	for (size_t i = 0; i < m->n_heads; i++) {
		check_date(&m->heads[i], "created_at", m->heads[i].created_at, now, fl);
		if (!m->heads[i].created_at ||
		    (m->heads[i].timestamp && strncmp(m->heads[i].timestamp, "1970", 4) == 0 &&
		     strncmp(m->heads[i].created_at, "1970", 4) != 0))
			check_date(&m->heads[i], "timestamp", m->heads[i].timestamp, now, fl);
	}
	if (m->n_ref)
		qsort(m->referenced, m->n_ref, sizeof *m->referenced, cmp_str);
}

static bool has_media(const char *const *media, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(media[i], name))
			return true;
	return false;
}

void obs_model_check_media(obs_model *m, const char *const *media, size_t n, findings *fl)
{
	static const char *const kinds[] = {"original", "preview", "thumbnail"};
	for (size_t i = 0; i < m->n_heads; i++) {
		const obs_head *h = &m->heads[i];
		for (size_t a = 0; a < h->n_attachments; a++) {
			for (int k = 0; k < 3; k++) {
				char name[256];
				snprintf(name, sizeof name, "%s/%s", kinds[k], h->attachments[a]);
				if (has_media(media, n, name))
					continue;
				finding *f = fnd_add(fl, "attachment-missing",
				                     _("observation %s (%s, %s): its photo %s is not in the "
				                       "file"),
				                     h->id, h->category ? h->category : _("no category"),
				                     h->created_at ? h->created_at : "-", name);
				fnd_set_observation(f, h->id);
				fnd_set_media(f, name);
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *slash = strchr(media[i], '/');
		if (!slash)
			continue;
		const char *id = slash + 1;
		if (m->n_ref && bsearch(&id, m->referenced, m->n_ref, sizeof *m->referenced, cmp_str))
			continue;
		finding *f = fnd_add(fl, "media-orphan",
		                     _("the photo %s belongs to no observation in the file"), media[i]);
		fnd_set_media(f, media[i]);
	}
}

const obs_head *obs_model_heads(const obs_model *m, size_t *n)
{
	*n = m->n_heads;
	return m->heads;
}

obs_counts obs_model_counts(const obs_model *m) { return m->counts; }
