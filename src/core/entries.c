#include "config.h"

#include "entries.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "keys.h"
#include "sdlimits.h"
#include "xalloc.h"

#define MAX_LINKS      64
#define MAX_CATEGORIES 1024
#define NO_TIME        INT64_MIN

typedef struct olink {
	uint32_t key;
	uint64_t seq;
} olink;

typedef struct entry {
	char id[17];
	char *id_long; /* ids longer than 16 characters */
	uint32_t key;  /* index in the key table */
	uint64_t seq;
	int feed;
	bool observation, deleted, superseded, has_location;
	int64_t created_ms, ts_ms;  /* NO_TIME when absent */
	char *created_raw, *ts_raw; /* kept only when not in toISOString form */
	const char *category;
	double lat, lon;
	uint32_t links_at, n_links;
	uint32_t att_at, n_att;
} entry;

struct obs_model {
	entry *v;
	size_t n, cap;
	char (*keys)[KEYS_HEX_SIZE];
	size_t n_keys, keys_cap;
	uint32_t *key_slot; /* hash of keys: index + 1, 0 empty */
	size_t key_slots;   /* a power of two, at least twice n_keys */
	char **cats;
	size_t n_cats, cats_cap;
	olink *links;
	size_t n_links, links_cap;
	char **atts;
	size_t n_atts, atts_cap;
	uint32_t *heads;
	size_t n_heads;
	const char **referenced; /* sorted attachment ids of every version */
	obs_counts counts;
	bool keys_over;     /* a feed key was past SD_LIMIT_KEYS */
	bool keys_reported; /* and a finding says so */
};

obs_model *obs_model_new(void) { return xcalloc(1, sizeof(obs_model)); }

void obs_model_free(obs_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].id_long);
		free(m->v[i].created_raw);
		free(m->v[i].ts_raw);
	}
	free(m->v);
	free(m->keys);
	free(m->key_slot);
	for (size_t i = 0; i < m->n_cats; i++)
		free(m->cats[i]);
	free(m->cats);
	free(m->links);
	for (size_t i = 0; i < m->n_atts; i++)
		free(m->atts[i]);
	free(m->atts);
	free(m->heads);
	free(m->referenced);
	free(m);
}

static const char *entry_id(const entry *e) { return e->id_long ? e->id_long : e->id; }

static size_t key_hash(const char *s, size_t len, size_t slots)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return (size_t)h & (slots - 1);
}

static void key_place(obs_model *m, uint32_t k)
{
	size_t i = key_hash(m->keys[k], strlen(m->keys[k]), m->key_slots);
	while (m->key_slot[i])
		i = (i + 1) & (m->key_slots - 1);
	m->key_slot[i] = k + 1;
}

/* Keys come from every link of every entry: a hash, so that a hostile feed
 * with many distinct keys is not read in quadratic time. */
static uint32_t key_index(obs_model *m, const char *hex, size_t len)
{
	if (len > 64)
		len = 64;
	if (m->key_slots) {
		for (size_t i = key_hash(hex, len, m->key_slots); m->key_slot[i];
		     i = (i + 1) & (m->key_slots - 1)) {
			const char *k = m->keys[m->key_slot[i] - 1];
			if (!strncmp(k, hex, len) && k[len] == '\0')
				return m->key_slot[i] - 1;
		}
	}
	if (m->n_keys >= sd_limit(SD_LIMIT_KEYS)) {
		m->keys_over = true;
		return UINT32_MAX;
	}
	SD_GROW(m->keys, m->keys_cap, m->n_keys + 1);
	memcpy(m->keys[m->n_keys], hex, len);
	m->keys[m->n_keys][len] = '\0';
	uint32_t k = (uint32_t)m->n_keys++;
	if (2 * m->n_keys > m->key_slots) {
		free(m->key_slot);
		m->key_slots = m->key_slots ? 2 * m->key_slots : 64;
		m->key_slot = xcalloc(m->key_slots, sizeof *m->key_slot);
		for (uint32_t i = 0; i < m->n_keys; i++)
			key_place(m, i);
	} else {
		key_place(m, k);
	}
	return k;
}

static const char *intern(obs_model *m, const char *s)
{
	for (size_t i = 0; i < m->n_cats; i++)
		if (!strcmp(m->cats[i], s))
			return m->cats[i];
	if (m->n_cats >= MAX_CATEGORIES)
		return NULL;
	SD_GROW(m->cats, m->cats_cap, m->n_cats + 1);
	m->cats[m->n_cats] = xstrdup(s);
	return m->cats[m->n_cats++];
}

/* days from civil (Howard Hinnant's algorithm) */
static int64_t days_from_civil(int y, int mo, int d)
{
	int yy = y - (mo <= 2);
	int era = (yy >= 0 ? yy : yy - 399) / 400;
	int yoe = yy - era * 400;
	int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + doe - 719468;
}

/* RFC 3339 as JavaScript's toISOString writes it (or with an offset).
 * *canonical is true when format_time() gives the same text back. */
static bool parse_time(const char *s, int64_t *ms, bool *canonical)
{
	int y, mo, d, h, mi, sec, n = 0;
	*canonical = false;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	const char *p = s + 19;
	int frac = 0, digits = 0;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9') {
			if (digits < 3)
				frac = frac * 10 + (*p - '0');
			digits++;
			p++;
		}
		for (int k = digits; k < 3; k++)
			frac *= 10;
	}
	int off = 0;
	bool zulu = false;
	if (*p == 'Z') {
		zulu = true;
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
	*ms = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off) * 1000 + frac;
	*canonical = zulu && digits == 3 && sec < 60 && y >= 0 && y <= 9999;
	return true;
}

static void format_time(int64_t ms, char out[40])
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)t * 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[96];
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	snprintf(out, 40, "%.39s", buf);
}

static void take_time(json_t *j, const char *k, int64_t *ms, char **raw)
{
	*ms = NO_TIME;
	*raw = NULL;
	json_t *v = json_object_get(j, k);
	if (!json_is_string(v))
		return;
	bool canonical;
	if (!parse_time(json_string_value(v), ms, &canonical))
		*ms = NO_TIME;
	if (!canonical)
		*raw = xstrndup(json_string_value(v), 39);
}

static void time_text(int64_t ms, const char *raw, char out[40])
{
	if (raw)
		snprintf(out, 40, "%s", raw);
	else if (ms != NO_TIME)
		format_time(ms, out);
	else
		out[0] = '\0';
}

/* Append the ids of an attachments array to m->atts; returns how many. */
static uint32_t add_attachments(obs_model *m, json_t *att)
{
	uint32_t n = 0;
	size_t i;
	json_t *a;
	json_array_foreach(att, i, a)
	{
		json_t *aid = json_object_get(a, "id");
		if (i >= 1000 || !json_is_string(aid))
			continue;
		SD_GROW(m->atts, m->atts_cap, m->n_atts + 1);
		m->atts[m->n_atts++] = xstrdup(json_string_value(aid));
		n++;
	}
	return n;
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
		finding *f =
		    fnd_add(fl, FND_ENTRY_NOT_JSON,
		            _("feed %d, block %llu is not one line of JSON: Mapeo cannot read "
		              "this entry"),
		            feed, (unsigned long long)seq);
		f->feed = feed;
		f->block = (int64_t)seq;
		fnd_set_inner(f, inner);
		json_decref(j);
		return;
	}
	json_t *id = json_object_get(j, "id");
	if (!json_is_string(id)) {
		json_decref(j);
		return; /* not an element: nothing of it is listed */
	}
	SD_GROW(m->v, m->cap, m->n + 1);
	entry *e = &m->v[m->n++];
	memset(e, 0, sizeof *e);
	m->counts.entries++;
	const char *ids = json_string_value(id);
	if (strlen(ids) < sizeof e->id)
		strcpy(e->id, ids);
	else
		e->id_long = xstrdup(ids);
	e->key = key_index(m, key_hex, strlen(key_hex));
	e->seq = seq;
	e->feed = feed;
	json_t *type = json_object_get(j, "type");
	e->observation = json_is_string(type) && !strcmp(json_string_value(type), "observation");
	e->deleted = json_is_true(json_object_get(j, "deleted"));
	json_t *links = json_object_get(j, "links");
	e->links_at = (uint32_t)m->n_links;
	if (json_is_array(links)) {
		size_t i;
		json_t *l;
		json_array_foreach(links, i, l)
		{
			if (i >= MAX_LINKS || !json_is_string(l))
				continue;
			const char *s = json_string_value(l), *at = strrchr(s, '@');
			if (!at)
				continue;
			SD_GROW(m->links, m->links_cap, m->n_links + 1);
			m->links[m->n_links].key = key_index(m, s, (size_t)(at - s));
			m->links[m->n_links++].seq = strtoull(at + 1, NULL, 10);
			e->n_links++;
		}
	}
	take_time(j, "created_at", &e->created_ms, &e->created_raw);
	take_time(j, "timestamp", &e->ts_ms, &e->ts_raw);
	json_t *tags = json_object_get(j, "tags");
	json_t *cat = json_is_object(tags) ? json_object_get(tags, "categoryId") : NULL;
	if (json_is_string(cat))
		e->category = intern(m, json_string_value(cat));
	json_t *lat = json_object_get(j, "lat"), *lon = json_object_get(j, "lon");
	if (json_is_number(lat) && json_is_number(lon)) {
		e->has_location = true;
		e->lat = json_number_value(lat);
		e->lon = json_number_value(lon);
	}
	e->att_at = (uint32_t)m->n_atts;
	e->n_att = add_attachments(m, json_object_get(j, "attachments"));
	json_decref(j);
	if (m->keys_over && !m->keys_reported) {
		m->keys_reported = true;
		char inner[32];
		snprintf(inner, sizeof inner, "%d/data", feed);
		finding *f = fnd_add(
		    fl, FND_LIMIT_EXCEEDED,
		    _("feed %d, block %llu links to more than %llu different feeds, more than "
		      "any Mapeo project has: links to feeds past that were not followed, so "
		      "which versions are current may be wrong from there on"),
		    feed, (unsigned long long)seq, (unsigned long long)sd_limit(SD_LIMIT_KEYS));
		f->feed = feed;
		f->block = (int64_t)seq;
		fnd_set_inner(f, inner);
	}
}

static bool id_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-' || c == '_';
}

/* The value of the string that starts at data[i] (just past its quote) when
 * it is a plausible id followed by its closing quote. */
static bool take_id(const uint8_t *data, size_t len, size_t i, char *out, size_t outlen)
{
	size_t n = 0;
	while (i + n < len && n + 1 < outlen && id_char(data[i + n]))
		n++;
	if (!n || i + n >= len || data[i + n] != '"')
		return false;
	memcpy(out, data + i, n);
	out[n] = '\0';
	return true;
}

bool obs_guess_id(const uint8_t *data, size_t len, char *out, size_t outlen)
{
	static const char key[] = "\"id\"";
	const size_t kl = sizeof key - 1;
	/* First the top-level key: walk the text keeping depth and strings. */
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == '"') {
			if (depth == 1 && i + kl <= len && !memcmp(data + i, key, kl)) {
				size_t j = i + kl;
				while (j < len && data[j] == ' ')
					j++;
				if (j < len && data[j] == ':') {
					j++;
					while (j < len && data[j] == ' ')
						j++;
					if (j < len && data[j] == '"' &&
					    take_id(data, len, j + 1, out, outlen))
						return true;
				}
			}
			in_str = true;
		}
	}
	/* Damage broke the structure: kappa-osm writes the element's id last
	 * but for links, after any attachment's id. */
	for (size_t i = len; i-- > 0;)
		if (i + kl + 2 <= len && !memcmp(data + i, key, kl) && data[i + kl] == ':' &&
		    data[i + kl + 1] == '"' && take_id(data, len, i + kl + 2, out, outlen))
			return true;
	return false;
}

void obs_model_note_references(obs_model *m, const uint8_t *data, size_t len)
{
	size_t start = 0;
	while (start < len) {
		const uint8_t *nl = memchr(data + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - data) : len;
		json_error_t je;
		json_t *j = json_loadb((const char *)data + start, end - start, 0, &je);
		if (json_is_object(j))
			add_attachments(m, json_object_get(j, "attachments"));
		json_decref(j);
		start = end + 1;
	}
}

/* qsort has no context argument: the model being sorted. */
static const obs_model *sorting;

static int cmp_version(const void *a, const void *b)
{
	const entry *x = &sorting->v[*(const uint32_t *)a], *y = &sorting->v[*(const uint32_t *)b];
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_head(const void *a, const void *b)
{
	const entry *x = &sorting->v[*(const uint32_t *)a], *y = &sorting->v[*(const uint32_t *)b];
	int c = strcmp(entry_id(x), entry_id(y));
	if (c)
		return c;
	/* newest timestamp first among forks (a deletion has none) */
	return x->ts_ms < y->ts_ms ? 1 : x->ts_ms > y->ts_ms ? -1 : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_date(const obs_model *m, const entry *e, const char *field, int64_t ms,
                       const char *raw, int64_t now, findings *fl)
{
	char text[40];
	time_text(ms, raw, text);
	if (!text[0])
		return;
	const char *id = entry_id(e);
	const char *cat = e->category ? e->category : _("no category");
	finding *f = NULL;
	if (ms == NO_TIME)
		f = fnd_add(fl, FND_DATE_MALFORMED,
		            _("observation %s: its %s '%s' is not a valid date"), id, field, text);
	else if (ms >= 0 && ms < 31536000000LL)
		f = fnd_add(
		    fl, FND_DATE_EPOCH,
		    _("observation %s (%s) has its %s in 1970 (%s): the device's clock was not "
		      "set"),
		    id, cat, field, text);
	else if (now > 0 && ms / 1000 > now + 86400)
		f = fnd_add(
		    fl, FND_DATE_FUTURE,
		    _("observation %s (%s) has its %s in the future (%s), after the file was "
		      "written"),
		    id, cat, field, text);
	(void)m;
	if (f) {
		char detail[160];
		snprintf(detail, sizeof detail, "%s, %s", e->category ? e->category : "-", text);
		fnd_set_observation(f, id);
		fnd_set_detail(f, detail);
		f->feed = e->feed;
		f->block = (int64_t)e->seq;
	}
}

void obs_model_finish(obs_model *m, int64_t now, findings *fl)
{
	sorting = m;
	uint32_t *byver = xcalloc(m->n + 1, sizeof *byver);
	for (size_t i = 0; i < m->n; i++)
		byver[i] = (uint32_t)i;
	if (m->n)
		qsort(byver, m->n, sizeof *byver, cmp_version);
	/* Mark superseded versions. */
	for (size_t i = 0; i < m->n; i++) {
		const entry *e = &m->v[i];
		for (uint32_t l = 0; l < e->n_links; l++) {
			const olink *ln = &m->links[e->links_at + l];
			size_t lo = 0, hi = m->n;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				const entry *t = &m->v[byver[mid]];
				if (t->key < ln->key || (t->key == ln->key && t->seq < ln->seq))
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < m->n && m->v[byver[lo]].key == ln->key &&
			    m->v[byver[lo]].seq == ln->seq)
				m->v[byver[lo]].superseded = true;
		}
	}
	/* Heads grouped by id: reuse the array. */
	size_t nh = 0;
	for (size_t i = 0; i < m->n; i++)
		if (!m->v[i].superseded)
			byver[nh++] = (uint32_t)i;
	if (nh)
		qsort(byver, nh, sizeof *byver, cmp_head);
	m->heads = byver; /* compacted in place below */
	size_t out = 0;
	for (size_t i = 0; i < nh;) {
		size_t j = i;
		const char *id = entry_id(&m->v[byver[i]]);
		bool any_obs = false;
		while (j < nh && !strcmp(entry_id(&m->v[byver[j]]), id)) {
			any_obs = any_obs || m->v[byver[j]].observation;
			j++;
		}
		const entry *best = &m->v[byver[i]];
		if (any_obs) {
			if (j - i > 1)
				m->counts.forks++;
			if (best->deleted) {
				m->counts.deleted++;
			} else if (best->observation) {
				m->heads[out++] = byver[i];
				if (best->n_att)
					m->counts.with_attachments++;
			}
		}
		i = j;
	}
	m->n_heads = out;
	m->counts.heads = out;
	for (size_t i = 0; i < out; i++) {
		const entry *e = &m->v[m->heads[i]];
		check_date(m, e, "created_at", e->created_ms, e->created_raw, now, fl);
		bool ts_epoch = e->ts_ms != NO_TIME && e->ts_ms >= 0 && e->ts_ms < 31536000000LL;
		bool cr_epoch =
		    e->created_ms != NO_TIME && e->created_ms >= 0 && e->created_ms < 31536000000LL;
		if ((e->created_ms == NO_TIME && !e->created_raw) || (ts_epoch && !cr_epoch))
			check_date(m, e, "timestamp", e->ts_ms, e->ts_raw, now, fl);
	}
	m->referenced = xcalloc(m->n_atts + 1, sizeof *m->referenced);
	for (size_t i = 0; i < m->n_atts; i++)
		m->referenced[i] = m->atts[i];
	if (m->n_atts)
		qsort(m->referenced, m->n_atts, sizeof *m->referenced, cmp_str);
}

void obs_model_check_media(obs_model *m, const char *const *media, size_t n, findings *fl)
{
	static const char *const kinds[] = {"original", "preview", "thumbnail"};
	/* Sorted names make each lookup a binary search. */
	const char **sorted = xcalloc(n + 1, sizeof *sorted);
	memcpy(sorted, media, n * sizeof *sorted);
	if (n)
		qsort(sorted, n, sizeof *sorted, cmp_str);
	for (size_t i = 0; i < m->n_heads; i++) {
		const entry *e = &m->v[m->heads[i]];
		for (uint32_t a = 0; a < e->n_att; a++) {
			const char *att = m->atts[e->att_at + a];
			for (int k = 0; k < 3; k++) {
				char name[256];
				snprintf(name, sizeof name, "%s/%s", kinds[k], att);
				const char *key = name;
				if (n && bsearch(&key, sorted, n, sizeof *sorted, cmp_str))
					continue;
				char when[40];
				time_text(e->created_ms, e->created_raw, when);
				finding *f = fnd_add(
				    fl, FND_ATTACHMENT_MISSING,
				    _("observation %s (%s, %s): its photo %s is not in the "
				      "file"),
				    entry_id(e), e->category ? e->category : _("no category"),
				    when[0] ? when : "-", name);
				fnd_set_observation(f, entry_id(e));
				fnd_set_media(f, name);
			}
		}
	}
	free(sorted);
	for (size_t i = 0; i < n; i++) {
		const char *slash = strchr(media[i], '/');
		if (!slash)
			continue;
		const char *id = slash + 1;
		if (m->n_atts &&
		    bsearch(&id, m->referenced, m->n_atts, sizeof *m->referenced, cmp_str))
			continue;
		finding *f =
		    fnd_add(fl, FND_MEDIA_ORPHAN,
		            _("the photo %s belongs to no observation in the file"), media[i]);
		fnd_set_media(f, media[i]);
	}
}

size_t obs_model_n_heads(const obs_model *m) { return m->n_heads; }

void obs_model_head(const obs_model *m, size_t i, obs_head *h)
{
	const entry *e = &m->v[m->heads[i]];
	memset(h, 0, sizeof *h);
	h->id = entry_id(e);
	h->feed_key = e->key < m->n_keys ? m->keys[e->key] : "";
	h->seq = e->seq;
	h->feed = e->feed;
	h->category = e->category;
	time_text(e->created_ms, e->created_raw, h->created_at);
	time_text(e->ts_ms, e->ts_raw, h->timestamp);
	h->lat = e->lat;
	h->lon = e->lon;
	h->has_location = e->has_location;
	h->attachments = (const char *const *)m->atts + e->att_at;
	h->n_attachments = e->n_att;
}

obs_counts obs_model_counts(const obs_model *m) { return m->counts; }
