/* observations.c: feed blocks (ndjson) -> the observation model (observations.h).
 *
 * Hand-written JSON scanner, on purpose. A block is read for ten fields
 * (id, type, deleted, links, created_at, timestamp, tags.categoryId, lat,
 * lon, attachments[].id); building a jansson tree for each block was 73% of
 * a check's instructions, and jsmn (libjsmn-dev) would need a token array
 * sized for the worst block plus our own validation anyway, since it does
 * not check escapes, UTF-8 or numbers. So the scanner below makes one pass,
 * keeps only those fields, and accepts what jansson 2.14's
 * json_loadb(data, len, 0) accepts: an object or array at the top, strict
 * grammar, valid UTF-8, at most JSON_PARSER_MAX_DEPTH (2048) levels; a key
 * given twice keeps its last value, as jansson does. Where jansson is
 * stricter than JavaScript's JSON.parse, which is what reads an entry in
 * Mapeo, the scanner follows Mapeo ("entry-not-json" says Mapeo cannot read
 * the entry, and a salvage cuts a feed there): \u0000 and lone surrogates
 * in strings (a text cut inside an emoji) and integers past 64 bits or reals
 * past a double (a long number typed in a field) are accepted, as the real
 * Mapeo accepts them (seen in tests/interop); a decoded \u0000 or lone
 * surrogate reads as U+FFFD. One deliberate
 * difference: jansson skips a NUL byte right after a number or a literal
 * (its lexer's put-back char looks like an empty buffer); here any NUL
 * outside a string is an error, as JavaScript's JSON.parse in Mapeo has it.
 * It recurses at most that deep and never reads past the block.
 * tests/fuzz/fuzz_entries.c drives it; the unit test
 * entries_scanner_matches_jansson compares its verdicts with jansson's (and
 * a million mutated real blocks gave the same findings through both).
 *
 * Memory: every string an entry keeps (id, attachment ids, dates not in
 * toISOString form) lives in one arena and is named by a 32-bit offset;
 * categories are interned; an entry is 80 bytes. Past a budget (4 MiB, about
 * 40,000 observations; SYNCDOCTOR_OBS_BUDGET in bytes for tests) the
 * entries are moved to a temporary SQLite database and the model works
 * from it (see "spill" below), so a check runs in flat memory whatever the
 * number of observations. SQLite rather than sorted runs of our own:
 * finishing needs the entries in two orders (by version, to mark what links
 * supersede; by id and newest timestamp, to group forks) and then lookups
 * by head number and by photo id; SQLite, already a dependency (the
 * journal), sorts and indexes tables larger than memory within its own
 * bounded page cache, where runs would need an external merge sort and two
 * on-disk indexes written by hand. Under the budget (every real file seen so
 * far) nothing changes: the arrays below, sorted in memory. */
#include "config.h"

#include "observations.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <sqlite3.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "keys.h"
#include "sdlimits.h"
#include "strbuf.h"
#include "strmap.h"
#include "xalloc.h"

#define MAX_LINKS      64
#define MAX_ATTS       1000
#define MAX_CATEGORIES 1024
#define MAX_DEPTH      2048 /* jansson's JSON_PARSER_MAX_DEPTH */
#define NO_TIME        INT64_MIN
/* for the scanner's per-string and per-number steps: a call each cost more
 * than the step (GCC and clang, as SD_PRINTF) */
#define ALWAYS_INLINE inline __attribute__((always_inline))

typedef struct olink {
	uint32_t key;
	uint64_t seq;
} olink;

enum { E_OBSERVATION = 1, E_DELETED = 2, E_SUPERSEDED = 4, E_LOCATION = 8 };

typedef struct entry {
	uint32_t id;  /* arena offset */
	uint32_t key; /* index in the key table */
	uint64_t seq;
	int64_t created_ms, ts_ms; /* NO_TIME when absent */
	double lat, lon;
	uint32_t links_at, att_at;
	uint32_t created_raw, ts_raw; /* arena offset + 1 of the text when not in
	                                 toISOString form, 0 otherwise */
	int32_t feed;
	uint16_t n_links, n_att;
	uint16_t cat; /* category index + 1, 0 none */
	uint8_t flags;
} entry;

/* A string as it stands in the block: raw bytes between the quotes. */
typedef struct span {
	const char *p;
	size_t len;
	bool esc; /* holds escapes: decode before use */
} span;

typedef enum vkind { V_NONE, V_STRING, V_NUMBER, V_TRUE, V_OTHER } vkind;

/* What one block says, gathered by the scanner (the last value of a key
 * given twice wins, as in jansson). */
typedef struct scan {
	const char *p, *end;
	bool fail;
	span id, type, created, ts, cat, lat, lon;
	bool has_id, has_type, has_created, has_ts, has_cat, deleted;
	bool lat_num, lon_num, lat_real, lon_real;
	span links[MAX_LINKS];
	size_t n_links;
	span atts[MAX_ATTS];
	size_t n_atts;
	bool att_has_id; /* the attachment being read has a string id */
	span att_id;
} scan;

struct obs_model {
	entry *v;
	size_t n, cap;
	char *arena; /* NUL-terminated strings, named by offset */
	size_t arena_len, arena_cap;
	char (*keys)[KEYS_HEX_SIZE];
	size_t n_keys, keys_cap;
	uint32_t *key_slot; /* hash of keys: index + 1, 0 empty */
	size_t key_slots;   /* a power of two, at least twice n_keys */
	uint32_t key_last;  /* the key key_index() gave last */
	char **cats;
	size_t n_cats, cats_cap;
	olink *links;
	size_t n_links, links_cap;
	uint32_t *atts; /* arena offsets */
	size_t n_atts, atts_cap;
	const char **att_ptr; /* after finish: atts as pointers, for obs_head */
	uint32_t *heads;
	size_t n_heads;
	struct att_ref *by_att; /* (photo id, head) sorted, built on demand */
	size_t n_by_att;
	const char **referenced; /* sorted attachment ids of every version */
	obs_counts counts;
	bool keys_over;     /* a feed key was past SD_LIMIT_KEYS */
	bool keys_reported; /* and a finding says so */
	char *tmp;          /* decoding scratch */
	size_t tmp_cap;
	scan sc;
	/* spill (see there): the database, once the budget is passed */
	size_t budget;
	sqlite3 *db;
	sqlite3_stmt *ins_e, *ins_l, *ins_a, *get_head, *get_atts, *has_att, *find_att;
	uint64_t spilled; /* entries already moved: the next entry's number */
	char *error;      /* the first failure of the database; the model then stays empty */
	char **hstr;      /* strings of the last head read from the database */
	size_t n_hstr, hstr_cap;
	const char **hatts;
	size_t hatts_cap;
};

obs_model *obs_model_new(void)
{
	obs_model *m = xcalloc(1, sizeof(obs_model));
	/* offset 0 is the empty string */
	SD_GROW(m->arena, m->arena_cap, 1);
	m->arena[0] = '\0';
	m->arena_len = 1;
	const char *b = getenv("SYNCDOCTOR_OBS_BUDGET");
	m->budget = b && *b ? (size_t)strtoull(b, NULL, 10) : (size_t)4 << 20;
	return m;
}

static void spill_close(obs_model *m);
static void spill_maybe(obs_model *m);

void obs_model_free(obs_model *m)
{
	if (!m)
		return;
	free(m->v);
	free(m->arena);
	free(m->keys);
	free(m->key_slot);
	for (size_t i = 0; i < m->n_cats; i++)
		free(m->cats[i]);
	free(m->cats);
	free(m->links);
	free(m->atts);
	free(m->att_ptr);
	free(m->heads);
	free(m->by_att);
	free(m->referenced);
	free(m->tmp);
	spill_close(m);
	free(m->error);
	free(m);
}

static const char *astr(const obs_model *m, uint32_t off) { return m->arena + off; }
static const char *entry_id(const obs_model *m, const entry *e) { return astr(m, e->id); }

/* The arrays that grow with the observations grow by a quarter, not
 * double: less slack at the peak, and realloc of blocks this large moves
 * pages (mremap) rather than copying them. */
static void grow_slow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t c = *cap + *cap / 4 + 4096;
	if (c < need)
		c = need;
	*p = xreallocarray(*p, c, elem);
	*cap = c;
}
#define GROW_SLOW(arr, cap, need) grow_slow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* Copy len bytes (no NUL among them) into the arena; its offset. */
static uint32_t arena_put(obs_model *m, const char *s, size_t len)
{
	if (m->arena_len + len + 1 > UINT32_MAX)
		sd_fatal("%s", _("allocation size overflow"));
	GROW_SLOW(m->arena, m->arena_cap, m->arena_len + len + 1);
	uint32_t off = (uint32_t)m->arena_len;
	memcpy(m->arena + off, s, len);
	m->arena[off + len] = '\0';
	m->arena_len += len + 1;
	return off;
}

static size_t key_hash(const char *s, size_t len, size_t slots)
{
	return (size_t)smap_hash(s, len) & (slots - 1);
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
	/* the key asked last (a feed's own key, block after block) is found
	 * without hashing; each key is in the table once, so it is the one */
	if (m->key_last < m->n_keys && !strncmp(m->keys[m->key_last], hex, len) &&
	    m->keys[m->key_last][len] == '\0')
		return m->key_last;
	if (m->key_slots) {
		for (size_t i = key_hash(hex, len, m->key_slots); m->key_slot[i];
		     i = (i + 1) & (m->key_slots - 1)) {
			const char *k = m->keys[m->key_slot[i] - 1];
			if (!strncmp(k, hex, len) && k[len] == '\0')
				return m->key_last = m->key_slot[i] - 1;
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
	m->key_last = k;
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

/* Category index + 1, 0 when past MAX_CATEGORIES. */
static uint16_t intern(obs_model *m, const char *s, size_t len)
{
	for (size_t i = 0; i < m->n_cats; i++)
		if (!strncmp(m->cats[i], s, len) && m->cats[i][len] == '\0')
			return (uint16_t)(i + 1);
	if (m->n_cats >= MAX_CATEGORIES)
		return 0;
	SD_GROW(m->cats, m->cats_cap, m->n_cats + 1);
	m->cats[m->n_cats] = xstrndup(s, len);
	return (uint16_t)++m->n_cats;
}

static const char *entry_cat(const obs_model *m, const entry *e)
{
	return e->cat ? m->cats[e->cat - 1] : NULL;
}

/* ---- the scanner ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int32_t u_escape(const char *p)
{
	int32_t v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Length of the valid UTF-8 sequence at p (before end), 0 when invalid:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned u = p[0];
	size_t n;
	uint32_t v;
	if (u >= 0xC2 && u <= 0xDF)
		n = 2, v = u & 0x1F;
	else if (u >= 0xE0 && u <= 0xEF)
		n = 3, v = u & 0x0F;
	else if (u >= 0xF0 && u <= 0xF4)
		n = 4, v = u & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
	    (n == 4 && v < 0x10000))
		return 0;
	return n;
}

static void ws(scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* The bytes among the 8 at p that end a run of plain string bytes (below
 * 0x20, '"', '\\', or 0x80 and up), by their high bit: the classic tests
 * for a zero byte and for a byte below n (n <= 0x80). Zero exactly when
 * there is none; a borrow can mark a byte after the first one it finds,
 * never one before it. */
static uint64_t word_special(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint64_t x, q, b;
	memcpy(&x, p, 8);
	q = x ^ (ones * '"');
	b = x ^ (ones * '\\');
	return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x) & high;
}

/* How many bytes before the first one word_special() marked (in memory
 * order): the lowest mark on a little-endian machine; elsewhere 0, and
 * the byte loop finds it. */
static size_t word_skip(uint64_t marks)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (size_t)__builtin_ctzll(marks) / 8;
#else
	(void)marks;
	return 0;
#endif
}

/* A string at s->p (its opening quote): validated, its raw span in *out. */
static ALWAYS_INLINE bool scan_string(scan *s, span *out)
{
	const unsigned char *p = (const unsigned char *)s->p + 1,
	                    *end = (const unsigned char *)s->end;
	out->p = (const char *)p;
	out->esc = false;
	for (;;) {
		/* the common case: printable ASCII, eight bytes at a time while
		 * none of them is a control, a quote, a backslash or past 0x7F */
		while (end - p >= 8) {
			uint64_t marks = word_special(p);
			if (marks) {
				p += word_skip(marks);
				break;
			}
			p += 8;
		}
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p >= end)
			return false;
		if (*p == '"')
			break;
		if (*p < 0x20)
			return false;
		if (*p >= 0x80) {
			size_t n = utf8_len(p, end);
			if (!n)
				return false;
			p += n;
			continue;
		}
		/* an escape */
		out->esc = true;
		if (p + 1 >= end)
			return false;
		unsigned char c = p[1];
		if (c == 'u') {
			if (end - p < 6)
				return false;
			if (u_escape((const char *)p + 2) < 0)
				return false; /* bad hex; \u0000 and lone surrogates pass */
			p += 6;
		} else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
		           c == 'r' || c == 't') {
			p += 2;
		} else {
			return false;
		}
	}
	out->len = (size_t)((const char *)p - out->p);
	s->p = (const char *)p + 1;
	return true;
}

/* strtod reads the locale's decimal point: put it in place of '.', as
 * jansson does before its strtod. */
static void local_point(char *num)
{
	const char *point = localeconv()->decimal_point;
	char *dot = strchr(num, '.');
	if (dot && point && point[0] && point[0] != '.')
		*dot = point[0];
}

/* Past one digit or more at p, or NULL when there is none. */
static const char *digit_run(const char *p, const char *end)
{
	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/* A number, as JSON.parse lexes it (jansson also wants integers within 64
 * bits and reals within a double; Mapeo does not). *real: it has a fraction
 * or an exponent. */
static ALWAYS_INLINE bool scan_number(scan *s, span *out, bool *real)
{
	const char *p = s->p, *end = s->end, *start = p;
	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return false;
	if (*p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9')
			return false;
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	bool frac = false, exp = false;
	if (p < end && *p == '.') {
		if (!(p = digit_run(p + 1, end)))
			return false;
		frac = true;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!(p = digit_run(p, end)))
			return false;
		exp = true;
	}
	out->p = start;
	out->len = (size_t)(p - start);
	out->esc = false;
	*real = frac || exp;
	s->p = p;
	return true;
}

static bool lit(scan *s, const char *w, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
		return false;
	s->p += n;
	return true;
}

/* Where a value sits, for what is kept of it. */
typedef enum role { R_SKIP, R_TOP, R_TAGS, R_LINKS, R_ATTS, R_ATT } role;

static bool scan_value(scan *s, int depth, role r, vkind *kind, span *str, bool *real);

/* The fields kept, by the key that names them in an object of role r. */
typedef enum fkey {
	F_NONE,
	F_TAGS,
	F_LINKS,
	F_ATTS,
	F_ID,
	F_TYPE,
	F_DELETED,
	F_CREATED,
	F_TS,
	F_LAT,
	F_LON,
	F_CAT,
	F_ATT_ID
} fkey;

/* The field a key's text (len bytes) names: its length picks the one or
 * two names to compare. */
static fkey name_field(const char *p, size_t len, role r)
{
	if (r == R_TAGS)
		return len == 10 && !memcmp(p, "categoryId", 10) ? F_CAT : F_NONE;
	if (r == R_ATT)
		return len == 2 && !memcmp(p, "id", 2) ? F_ATT_ID : F_NONE;
	if (r != R_TOP)
		return F_NONE;
	switch (len) {
	case 2: return !memcmp(p, "id", 2) ? F_ID : F_NONE;
	case 3: return !memcmp(p, "lat", 3) ? F_LAT : !memcmp(p, "lon", 3) ? F_LON : F_NONE;
	case 4: return !memcmp(p, "tags", 4) ? F_TAGS : !memcmp(p, "type", 4) ? F_TYPE : F_NONE;
	case 5: return !memcmp(p, "links", 5) ? F_LINKS : F_NONE;
	case 7: return !memcmp(p, "deleted", 7) ? F_DELETED : F_NONE;
	case 9: return !memcmp(p, "timestamp", 9) ? F_TS : F_NONE;
	case 10: return !memcmp(p, "created_at", 10) ? F_CREATED : F_NONE;
	case 11: return !memcmp(p, "attachments", 11) ? F_ATTS : F_NONE;
	default: return F_NONE;
	}
}

/* Which field key k names in an object of role r. A key with escapes is
 * compared decoded; the names are ASCII, so only \uXXXX of ASCII can spell
 * one (none holds " \ / or a control). */
static fkey field_of(const span *k, role r)
{
	if (!k->esc)
		return name_field(k->p, k->len, r);
	char name[12]; /* the longest name, "attachments", and one more */
	size_t n = 0;
	for (const char *p = k->p, *e = k->p + k->len; p < e; n++) {
		int c = (unsigned char)*p;
		if (c == '\\') {
			if (p[1] != 'u')
				return F_NONE;
			int32_t v = u_escape(p + 2);
			if (v < 0 || v >= 0x80)
				return F_NONE;
			c = v;
			p += 6;
		} else {
			p++;
		}
		if (n == sizeof name)
			return F_NONE;
		name[n] = (char)c;
	}
	return name_field(name, n, r);
}

/* At an opening bracket: skip it; true when the container is empty (and
 * then skipped whole). */
static bool open_empty(scan *s, char close)
{
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return true;
	}
	return false;
}

/* After a member or an element: 1 when a comma says another follows, 0 when
 * the container closes, -1 for anything else. */
static int after_item(scan *s, char close)
{
	ws(s);
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		ws(s);
		return 1;
	}
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	return -1;
}

static bool scan_object(scan *s, int depth, role r)
{
	if (open_empty(s, '}'))
		return true;
	for (;;) {
		if (s->p >= s->end || *s->p != '"')
			return false;
		span k;
		if (!scan_string(s, &k))
			return false;
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return false;
		s->p++;
		ws(s);
		role child = R_SKIP;
		vkind vk;
		span v;
		bool real = false;
		fkey f = r == R_SKIP ? F_NONE : field_of(&k, r);
		if (f == F_TAGS) {
			child = R_TAGS;
			s->has_cat = false;
		} else if (f == F_LINKS) {
			child = R_LINKS;
			s->n_links = 0;
		} else if (f == F_ATTS) {
			child = R_ATTS;
			s->n_atts = 0;
		}
		if (!scan_value(s, depth + 1, child, &vk, &v, &real))
			return false;
		bool str = vk == V_STRING, num = vk == V_NUMBER;
		switch (f) {
		case F_ID: s->has_id = str, s->id = v; break;
		case F_TYPE: s->has_type = str, s->type = v; break;
		case F_DELETED: s->deleted = vk == V_TRUE; break;
		case F_CREATED: s->has_created = str, s->created = v; break;
		case F_TS: s->has_ts = str, s->ts = v; break;
		case F_LAT: s->lat_num = num, s->lat = v, s->lat_real = real; break;
		case F_LON: s->lon_num = num, s->lon = v, s->lon_real = real; break;
		case F_CAT: s->has_cat = str, s->cat = v; break;
		case F_ATT_ID: s->att_has_id = str, s->att_id = v; break;
		default: break;
		}
		int next = after_item(s, '}');
		if (next <= 0)
			return next == 0;
	}
}

static bool scan_array(scan *s, int depth, role r)
{
	if (open_empty(s, ']'))
		return true;
	for (size_t i = 0;; i++) {
		role child = r == R_ATTS ? R_ATT : R_SKIP;
		vkind vk;
		span v;
		bool real;
		s->att_has_id = false;
		if (!scan_value(s, depth + 1, child, &vk, &v, &real))
			return false;
		if (r == R_LINKS && i < MAX_LINKS && vk == V_STRING)
			s->links[s->n_links++] = v;
		else if (r == R_ATTS && i < MAX_ATTS && s->att_has_id && vk == V_OTHER)
			s->atts[s->n_atts++] = s->att_id;
		int next = after_item(s, ']');
		if (next <= 0)
			return next == 0;
	}
}

/* One value at s->p (no space before it). r: what to keep of it; only
 * objects in R_TOP, R_TAGS and R_ATT roles and arrays in R_LINKS and R_ATTS
 * roles are kept, any other value is checked and skipped. */
static bool scan_value(scan *s, int depth, role r, vkind *kind, span *str, bool *real)
{
	*kind = V_OTHER;
	if (depth > MAX_DEPTH || s->p >= s->end)
		return false;
	switch (*s->p) {
	case '{':
		return scan_object(s, depth, r == R_TOP || r == R_TAGS || r == R_ATT ? r : R_SKIP);
	case '[': return scan_array(s, depth, r == R_LINKS || r == R_ATTS ? r : R_SKIP);
	case '"': *kind = V_STRING; return scan_string(s, str);
	case 't': *kind = V_TRUE; return lit(s, "true", 4);
	case 'f': return lit(s, "false", 5);
	case 'n': return lit(s, "null", 4);
	default: *kind = V_NUMBER; return scan_number(s, str, real);
	}
}

/* The text of a span, NUL-terminated: the block's bytes when it has no
 * escapes (copied to scratch), else decoded. Valid until the next call. */
static const char *span_text(obs_model *m, const span *sp, size_t *len)
{
	SD_GROW(m->tmp, m->tmp_cap, sp->len + 1);
	char *o = m->tmp;
	if (!sp->esc) {
		memcpy(o, sp->p, sp->len);
		o[sp->len] = '\0';
		*len = sp->len;
		return o;
	}
	const char *p = sp->p, *e = sp->p + sp->len;
	size_t n = 0;
	while (p < e) {
		if (*p != '\\') {
			o[n++] = *p++;
			continue;
		}
		char c = p[1];
		p += 2;
		switch (c) {
		case 'b': o[n++] = '\b'; break;
		case 'f': o[n++] = '\f'; break;
		case 'n': o[n++] = '\n'; break;
		case 'r': o[n++] = '\r'; break;
		case 't': o[n++] = '\t'; break;
		case 'u': {
			uint32_t v = (uint32_t)u_escape(p);
			p += 4;
			uint32_t w = e - p >= 6 && p[0] == '\\' && p[1] == 'u'
			                 ? (uint32_t)u_escape(p + 2)
			                 : 0;
			if (v >= 0xD800 && v <= 0xDBFF && w >= 0xDC00 && w <= 0xDFFF) {
				v = ((v - 0xD800) << 10) + (w - 0xDC00) + 0x10000;
				p += 6;
			} else if (v == 0 || (v >= 0xD800 && v <= 0xDFFF)) {
				v = 0xFFFD; /* no NUL in a C string, no surrogate in UTF-8 */
			}
			/* \uXXXX takes 6 bytes and encodes in at most 3; a pair takes 12 for 4 */
			if (v < 0x80) {
				o[n++] = (char)v;
			} else if (v < 0x800) {
				o[n++] = (char)(0xC0 | (v >> 6));
				o[n++] = (char)(0x80 | (v & 0x3F));
			} else if (v < 0x10000) {
				o[n++] = (char)(0xE0 | (v >> 12));
				o[n++] = (char)(0x80 | ((v >> 6) & 0x3F));
				o[n++] = (char)(0x80 | (v & 0x3F));
			} else {
				o[n++] = (char)(0xF0 | (v >> 18));
				o[n++] = (char)(0x80 | ((v >> 12) & 0x3F));
				o[n++] = (char)(0x80 | ((v >> 6) & 0x3F));
				o[n++] = (char)(0x80 | (v & 0x3F));
			}
			break;
		}
		default: o[n++] = c; /* " \ / */
		}
	}
	o[n] = '\0';
	*len = n;
	return o;
}

/* A number token of at most 15 digits and no exponent (what Mapeo writes
 * for a position) as strtod reads it: its digits are an integer below 2^53
 * and the power of ten that scales it is exact up to 10^22, so one IEEE
 * division gives the correctly rounded value, as strtod does. Only where
 * doubles are evaluated as doubles (not x87's extended precision). */
static bool exact_number(const span *sp, double *out)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	static const double tens[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
	                              1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	const char *p = sp->p, *e = sp->p + sp->len;
	bool neg = p < e && *p == '-';
	uint64_t m = 0;
	int digits = 0, scale = 0;
	bool point = false;
	for (p += neg; p < e; p++) {
		if (*p == '.' && !point) {
			point = true;
		} else if (*p >= '0' && *p <= '9') {
			m = m * 10 + (uint64_t)(*p - '0');
			digits++;
			scale += point;
		} else {
			return false; /* an exponent */
		}
	}
	if (!digits || digits > 15)
		return false;
	double d = (double)m / tens[scale];
	*out = neg ? -d : d;
	return true;
#else
	(void)sp;
	(void)out;
	return false;
#endif
}

/* The value of a number token: strtod with the locale's decimal point, as
 * jansson does it; an integer past 64 bits is a double, as in JavaScript. */
static double span_number(const span *sp, bool real)
{
	double d;
	if (exact_number(sp, &d))
		return d;
	char small[64], *buf = sp->len < sizeof small ? small : xmalloc(sp->len + 1);
	memcpy(buf, sp->p, sp->len);
	buf[sp->len] = '\0';
	if (real)
		local_point(buf);
	d = strtod(buf, NULL);
	if (buf != small)
		free(buf);
	return d;
}

/* ---- dates ---- */

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

/* and back */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool digits2(const char *p, int *v)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return false;
	*v = (p[0] - '0') * 10 + (p[1] - '0');
	return true;
}

/* RFC 3339 as JavaScript's toISOString writes it (or with an offset).
 * *canonical is true when format_time() gives the same text back. The
 * fixed-width digits Mapeo writes are read directly; anything else goes
 * through the sscanf this replaced, so odd texts are judged as before. */
static bool parse_time(const char *s, int64_t *ms, bool *canonical)
{
	int y, mo, d, h, mi, sec, n = 0, hi, lo;
	*canonical = false;
	if (s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' &&
	    digits2(s, &hi) && digits2(s + 2, &lo) && digits2(s + 5, &mo) && digits2(s + 8, &d) &&
	    digits2(s + 11, &h) && digits2(s + 14, &mi) && digits2(s + 17, &sec)) {
		y = hi * 100 + lo;
	} else if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	           n != 19) {
		return false;
	}
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

static char *put_num(char *o, int64_t v, int width)
{
	char b[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		b[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*o++ = '-';
	for (int k = n + (v < 0); k < width; k++)
		*o++ = '0';
	while (n)
		*o++ = b[--n];
	return o;
}

/* toISOString form, as gmtime_r and "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ"
 * would write it (cut to 39 bytes). */
static void format_time(int64_t ms, char out[40])
{
	int64_t t = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int frac = (int)(ms - t * 1000);
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400, y;
	int mo, d;
	civil_from_days(days, &y, &mo, &d);
	char buf[96], *o = buf;
	o = put_num(o, y, 4);
	*o++ = '-';
	o = put_num(o, mo, 2);
	*o++ = '-';
	o = put_num(o, d, 2);
	*o++ = 'T';
	o = put_num(o, secs / 3600, 2);
	*o++ = ':';
	o = put_num(o, secs / 60 % 60, 2);
	*o++ = ':';
	o = put_num(o, secs % 60, 2);
	*o++ = '.';
	o = put_num(o, frac, 3);
	*o++ = 'Z';
	size_t n = (size_t)(o - buf) < 39 ? (size_t)(o - buf) : 39;
	memcpy(out, buf, n);
	out[n] = '\0';
}

static void take_time(obs_model *m, bool has, const span *sp, int64_t *ms, uint32_t *raw)
{
	*ms = NO_TIME;
	*raw = 0;
	if (!has)
		return;
	size_t len;
	const char *s = span_text(m, sp, &len);
	bool canonical;
	if (!parse_time(s, ms, &canonical))
		*ms = NO_TIME;
	if (!canonical) {
		/* as xstrndup(s, 39): at most 39 bytes */
		*raw = arena_put(m, s, strnlen(s, 39)) + 1;
	}
}

/* A date as Mapeo wrote it: its own text when not in toISOString form (raw,
 * may be NULL), else formatted from ms; "" when absent. */
static void time_text_of(int64_t ms, const char *raw, char out[40])
{
	if (raw) {
		size_t n = strlen(raw);
		memcpy(out, raw, n + 1);
	} else if (ms != NO_TIME) {
		format_time(ms, out);
	} else {
		out[0] = '\0';
	}
}

static void time_text(const obs_model *m, int64_t ms, uint32_t raw, char out[40])
{
	if (raw) {
		size_t n = strlen(astr(m, raw - 1));
		memcpy(out, astr(m, raw - 1), n + 1);
	} else if (ms != NO_TIME) {
		format_time(ms, out);
	} else {
		out[0] = '\0';
	}
}

static void not_json(int feed, uint64_t seq, findings *fl)
{
	char inner[32];
	snprintf(inner, sizeof inner, "%d/data", feed);
	finding *f = fnd_add(fl, FND_ENTRY_NOT_JSON,
	                     _("feed %d, block %llu is not one line of JSON: Mapeo cannot read "
	                       "this entry"),
	                     feed, (unsigned long long)seq);
	f->feed = feed;
	f->block = (int64_t)seq;
	fnd_set_inner(f, inner);
}

/* A block that is JSON but not an object: kappa-osm's indexer reads
 * value.type of every block, so it skips an array, a string, a number or a
 * boolean (seen: the real Mapeo syncs such a block and lists every
 * observation), and fails on null ("Cannot read properties of null", seen:
 * Mapeo stops). doc/formats.md §6. */
static void not_object(int feed, uint64_t seq, bool null, findings *fl)
{
	char inner[32];
	snprintf(inner, sizeof inner, "%d/data", feed);
	finding *f =
	    null ? fnd_add(fl, FND_ENTRY_NOT_OBJECT,
	                   _("feed %d, block %llu is JSON, but null, not an entry: Mapeo's "
	                     "indexer fails on it ('Cannot read properties of null') and Mapeo "
	                     "stops"),
	                   feed, (unsigned long long)seq)
	         : fnd_add_sev(fl, FND_ENTRY_NOT_OBJECT, SEV_INFO,
	                       _("feed %d, block %llu is JSON, but not an entry (an array, a "
	                         "string, a number or a boolean, not an object): Mapeo syncs it "
	                         "and its indexer passes over it"),
	                       feed, (unsigned long long)seq);
	f->feed = feed;
	f->block = (int64_t)seq;
	fnd_set_inner(f, inner);
}

void obs_model_add_block(obs_model *m, int feed, const char *key_hex, uint64_t seq,
                         const uint8_t *data, size_t len, findings *fl)
{
	/* hypercore's ndjson codec: exactly one JSON text and a final newline. */
	const char *nl = memchr(data, '\n', len);
	scan *s = &m->sc;
	s->p = (const char *)data;
	s->end = s->p + len;
	s->has_id = s->has_type = s->has_created = s->has_ts = s->has_cat = s->deleted = false;
	s->lat_num = s->lon_num = false;
	s->n_links = s->n_atts = 0;
	bool ok = nl && (size_t)(nl - (const char *)data) == len - 1, object = false, null = false;
	if (ok) {
		ws(s);
		vkind vk;
		span v;
		bool real;
		object = s->p < s->end && *s->p == '{';
		null = s->p < s->end && *s->p == 'n';
		/* any JSON value, as JSON.parse reads it */
		ok = s->p < s->end && scan_value(s, 1, object ? R_TOP : R_SKIP, &vk, &v, &real);
		ws(s);
		ok = ok && s->p == s->end;
	}
	if (!ok) {
		not_json(feed, seq, fl);
		return;
	}
	if (!object) {
		not_object(feed, seq, null, fl);
		return;
	}
	if (!s->has_id)
		return; /* not an element: nothing of it is listed */
	GROW_SLOW(m->v, m->cap, m->n + 1);
	entry *e = &m->v[m->n++];
	memset(e, 0, sizeof *e);
	m->counts.entries++;
	size_t n;
	const char *t = span_text(m, &s->id, &n);
	e->id = arena_put(m, t, n);
	e->key = key_index(m, key_hex, strlen(key_hex));
	e->seq = seq;
	e->feed = feed;
	if (s->has_type) {
		t = span_text(m, &s->type, &n);
		if (n == 11 && !memcmp(t, "observation", 11))
			e->flags |= E_OBSERVATION;
	}
	if (s->deleted)
		e->flags |= E_DELETED;
	e->links_at = (uint32_t)m->n_links;
	for (size_t i = 0; i < s->n_links; i++) {
		t = span_text(m, &s->links[i], &n);
		const char *at = strrchr(t, '@');
		if (!at)
			continue;
		GROW_SLOW(m->links, m->links_cap, m->n_links + 1);
		m->links[m->n_links].key = key_index(m, t, (size_t)(at - t));
		m->links[m->n_links++].seq = strtoull(at + 1, NULL, 10);
		e->n_links++;
	}
	take_time(m, s->has_created, &s->created, &e->created_ms, &e->created_raw);
	take_time(m, s->has_ts, &s->ts, &e->ts_ms, &e->ts_raw);
	if (s->has_cat) {
		t = span_text(m, &s->cat, &n);
		e->cat = intern(m, t, n);
	}
	if (s->lat_num && s->lon_num) {
		e->flags |= E_LOCATION;
		e->lat = span_number(&s->lat, s->lat_real);
		e->lon = span_number(&s->lon, s->lon_real);
	}
	e->att_at = (uint32_t)m->n_atts;
	for (size_t i = 0; i < s->n_atts; i++) {
		t = span_text(m, &s->atts[i], &n);
		GROW_SLOW(m->atts, m->atts_cap, m->n_atts + 1);
		m->atts[m->n_atts++] = arena_put(m, t, n);
		e->n_att++;
	}
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
	spill_maybe(m);
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

/* Every attachment id of every line of data that scans as a JSON object
 * (whole: nothing but white space after it), decoded, handed to fn. */
static void each_reference(obs_model *m, const uint8_t *data, size_t len, bool whole, obs_ref_fn fn,
                           void *ctx)
{
	size_t start = 0;
	while (start < len) {
		const uint8_t *nl = memchr(data + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - data) : len;
		scan *s = &m->sc;
		s->p = (const char *)data + start;
		s->end = (const char *)data + end;
		s->has_id = s->has_type = s->has_created = s->has_ts = s->has_cat = s->deleted =
		    false;
		s->lat_num = s->lon_num = false;
		s->n_links = s->n_atts = 0;
		ws(s);
		vkind vk;
		span v;
		bool real;
		bool ok = s->p < s->end && *s->p == '{' && scan_value(s, 1, R_TOP, &vk, &v, &real);
		if (ok && whole) {
			ws(s);
			ok = s->p == s->end;
		}
		for (size_t i = 0; ok && i < s->n_atts; i++) {
			size_t n;
			const char *t = span_text(m, &s->atts[i], &n);
			fn(ctx, t, n);
		}
		start = end + 1;
	}
	spill_maybe(m);
}

static void keep_reference(void *ctx, const char *id, size_t len)
{
	obs_model *m = ctx;
	GROW_SLOW(m->atts, m->atts_cap, m->n_atts + 1);
	m->atts[m->n_atts++] = arena_put(m, id, len);
}

void obs_model_note_references(obs_model *m, const uint8_t *data, size_t len)
{
	each_reference(m, data, len, false, keep_reference, m);
}

void obs_scan_references(const uint8_t *data, size_t len, obs_ref_fn fn, void *ctx)
{
	obs_model *m = obs_model_new();
	each_reference(m, data, len, true, fn, ctx);
	obs_model_free(m);
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
	int c = strcmp(entry_id(sorting, x), entry_id(sorting, y));
	if (c)
		return c;
	/* newest timestamp first among forks (a deletion has none) */
	return x->ts_ms < y->ts_ms ? 1 : x->ts_ms > y->ts_ms ? -1 : 0;
}

/* Already in strictly increasing order (blocks are read feed by feed, in
 * order)? Then any sort leaves it as it is, ties being impossible. */
static bool increasing(const uint32_t *v, size_t n, int (*cmp)(const void *, const void *))
{
	for (size_t i = 1; i < n; i++)
		if (cmp(&v[i - 1], &v[i]) >= 0)
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* What the date checks and the photo checks read of a head, from memory or
 * from the spill database alike. */
typedef struct hview {
	const char *id, *cat; /* cat NULL: none */
	int64_t created_ms, ts_ms;
	const char *created_raw, *ts_raw; /* NULL: toISOString form or absent */
	int feed;
	uint64_t seq;
} hview;

static hview view_of(const obs_model *m, const entry *e)
{
	hview v = {entry_id(m, e),
	           entry_cat(m, e),
	           e->created_ms,
	           e->ts_ms,
	           e->created_raw ? astr(m, e->created_raw - 1) : NULL,
	           e->ts_raw ? astr(m, e->ts_raw - 1) : NULL,
	           e->feed,
	           e->seq};
	return v;
}

static void check_date(const hview *e, const char *field, int64_t ms, const char *raw, int64_t now,
                       findings *fl)
{
	/* the text is empty only when the date is absent or raw ""; it is made
	 * only for a finding, so a date that is fine costs no formatting */
	if (raw ? !raw[0] : ms == NO_TIME)
		return;
	bool malformed = ms == NO_TIME, epoch = !malformed && ms >= 0 && ms < 31536000000LL,
	     future = !malformed && !epoch && now > 0 && ms / 1000 > now + 86400;
	if (!malformed && !epoch && !future)
		return;
	char text[40];
	time_text_of(ms, raw, text);
	const char *id = e->id;
	const char *cat = e->cat ? e->cat : _("no category");
	finding *f = NULL;
	if (malformed)
		f = fnd_add(fl, FND_DATE_MALFORMED,
		            _("observation %s: its %s '%s' is not a valid date"), id, field, text);
	else if (epoch)
		f = fnd_add(
		    fl, FND_DATE_EPOCH,
		    _("observation %s (%s) has its %s in 1970 (%s): the device's clock was not "
		      "set"),
		    id, cat, field, text);
	else
		f = fnd_add(
		    fl, FND_DATE_FUTURE,
		    _("observation %s (%s) has its %s in the future (%s), after the file was "
		      "written"),
		    id, cat, field, text);
	if (f) {
		char detail[160];
		snprintf(detail, sizeof detail, "%s, %s", e->cat ? e->cat : "-", text);
		fnd_set_observation(f, id);
		fnd_set_detail(f, detail);
		f->feed = e->feed;
		f->block = (int64_t)e->seq;
	}
}

/* created_at, and the timestamp where created_at says nothing or less. */
static void check_dates(const hview *e, int64_t now, findings *fl)
{
	check_date(e, "created_at", e->created_ms, e->created_raw, now, fl);
	bool ts_epoch = e->ts_ms != NO_TIME && e->ts_ms >= 0 && e->ts_ms < 31536000000LL;
	bool cr_epoch =
	    e->created_ms != NO_TIME && e->created_ms >= 0 && e->created_ms < 31536000000LL;
	if ((e->created_ms == NO_TIME && !e->created_raw) || (ts_epoch && !cr_epoch))
		check_date(e, "timestamp", e->ts_ms, e->ts_raw, now, fl);
}

static void spill_finish(obs_model *m, int64_t now, findings *fl);

void obs_model_finish(obs_model *m, int64_t now, findings *fl)
{
	if (m->db || m->error) {
		spill_finish(m, now, fl);
		return;
	}
	sorting = m;
	uint32_t *byver = xcalloc(m->n + 1, sizeof *byver);
	for (size_t i = 0; i < m->n; i++)
		byver[i] = (uint32_t)i;
	if (m->n && !increasing(byver, m->n, cmp_version))
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
				m->v[byver[lo]].flags |= E_SUPERSEDED;
		}
	}
	/* Heads grouped by id: reuse the array. */
	size_t nh = 0;
	for (size_t i = 0; i < m->n; i++)
		if (!(m->v[i].flags & E_SUPERSEDED))
			byver[nh++] = (uint32_t)i;
	if (nh)
		qsort(byver, nh, sizeof *byver, cmp_head);
	m->heads = byver; /* compacted in place below */
	size_t out = 0;
	for (size_t i = 0; i < nh;) {
		size_t j = i;
		const char *id = entry_id(m, &m->v[byver[i]]);
		bool any_obs = false;
		while (j < nh && !strcmp(entry_id(m, &m->v[byver[j]]), id)) {
			any_obs = any_obs || (m->v[byver[j]].flags & E_OBSERVATION);
			j++;
		}
		const entry *best = &m->v[byver[i]];
		if (any_obs) {
			if (j - i > 1)
				m->counts.forks++;
			if (best->flags & E_DELETED) {
				m->counts.deleted++;
			} else if (best->flags & E_OBSERVATION) {
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
		hview v = view_of(m, &m->v[m->heads[i]]);
		check_dates(&v, now, fl);
	}
	m->referenced = xcalloc(m->n_atts + 1, sizeof *m->referenced);
	m->att_ptr = xcalloc(m->n_atts + 1, sizeof *m->att_ptr);
	for (size_t i = 0; i < m->n_atts; i++)
		m->referenced[i] = m->att_ptr[i] = astr(m, m->atts[i]);
	if (m->n_atts)
		qsort(m->referenced, m->n_atts, sizeof *m->referenced, cmp_str);
}

/* The media present, for the photo checks. To keep memory flat whatever
 * the number of photos: with a model in the temporary database, every name
 * in a table of it (has_name asks it); else which of the three kinds each
 * referenced id has (bits, indexed as the first of its equal ids in
 * m->referenced), or, when an attachment id is too long for that, every
 * name, sorted, in memory. */
typedef struct media_set {
	const char **sorted;
	size_t n;
	const obs_model *m;
	uint8_t *bits;
	sqlite3_stmt *has_name;
} media_set;

static const char *const media_kinds[] = {"original", "preview", "thumbnail"};

/* The first index of id in the model's sorted referenced ids, or n_atts. */
static size_t referenced_at(const obs_model *m, const char *id)
{
	size_t lo = 0, hi = m->n_atts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->referenced[mid], id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n_atts && !strcmp(m->referenced[lo], id) ? lo : m->n_atts;
}

/* The photos of one head against the media present. Without a sorted list
 * of names, an attachment's bits are looked up once for its three names, and
 * a name is written only for the list or for a finding. */
static void check_head_media(const hview *e, const char *const *atts, size_t n_att,
                             const media_set *ms, findings *fl)
{
	for (size_t a = 0; a < n_att; a++) {
		const char *att = atts[a];
		size_t at = ms->bits ? referenced_at(ms->m, att) : 0;
		for (int k = 0; k < 3; k++) {
			if (ms->bits && at < ms->m->n_atts && ms->bits[at] >> k & 1)
				continue;
			char name[256];
			snprintf(name, sizeof name, "%s/%s", media_kinds[k], att);
			const char *key = name;
			if (ms->sorted && ms->n &&
			    bsearch(&key, ms->sorted, ms->n, sizeof *ms->sorted, cmp_str))
				continue;
			if (ms->has_name) {
				sqlite3_bind_text(ms->has_name, 1, name, -1, SQLITE_STATIC);
				bool found = sqlite3_step(ms->has_name) == SQLITE_ROW;
				sqlite3_reset(ms->has_name);
				if (found)
					continue;
			}
			char when[40];
			time_text_of(e->created_ms, e->created_raw, when);
			finding *f = fnd_add(
			    fl, FND_ATTACHMENT_MISSING,
			    _("observation %s (%s, %s): its photo %s is not in the "
			      "file"),
			    e->id, e->cat ? e->cat : _("no category"), when[0] ? when : "-", name);
			fnd_set_observation(f, e->id);
			fnd_set_media(f, name);
		}
	}
}

static void spill_check_heads_media(obs_model *m, const media_set *ms, findings *fl);
static bool spill_referenced(obs_model *m, const char *id);
static bool spill_media_names(obs_model *m, media_set *ms, size_t n, obs_media_fn name_at,
                              void *ctx);

static const char *array_name(void *ctx, size_t i) { return ((const char *const *)ctx)[i]; }

void obs_model_check_media(obs_model *m, const char *const *media, size_t n, findings *fl)
{
	obs_model_check_media_each(m, n, array_name, (void *)media, fl);
}

/* Every name, sorted, in one buffer (a spilled model, or an attachment id
 * so long that its photo's name would be cut as check_head_media() cuts it). */
static void sorted_names(media_set *ms, size_t n, obs_media_fn name_at, void *ctx, char **text)
{
	size_t *at = xcalloc(n + 1, sizeof *at);
	strbuf b = SB_INIT;
	for (size_t i = 0; i < n; i++) {
		const char *name = name_at(ctx, i);
		if (!name) { /* interrupted: nothing to look up */
			n = 0;
			break;
		}
		at[i] = b.len;
		sb_addn(&b, name, strlen(name) + 1);
	}
	*text = sb_take(&b);
	ms->sorted = xcalloc(n + 1, sizeof *ms->sorted);
	for (size_t i = 0; i < n; i++)
		ms->sorted[i] = *text + at[i];
	free(at);
	ms->n = n;
	if (n)
		qsort(ms->sorted, n, sizeof *ms->sorted, cmp_str);
}

void obs_model_check_media_each(obs_model *m, size_t n, obs_media_fn name_at, void *ctx,
                                findings *fl)
{
	if (m->error)
		return; /* obs_model_status() says why */
	media_set ms = {.m = m};
	char *text = NULL;
	bool long_att = false;
	for (size_t i = 0; i < m->n_atts && !long_att; i++)
		long_att = strlen(m->referenced[i]) + sizeof "thumbnail/" > 256;
	if (m->db) {
		if (!spill_media_names(m, &ms, n, name_at, ctx))
			return; /* interrupted, or obs_model_status() says why */
	} else if (long_att) {
		sorted_names(&ms, n, name_at, ctx, &text);
	} else {
		/* one pass over the names: which kinds each referenced id has */
		ms.bits = xcalloc(m->n_atts + 1, 1);
		for (size_t i = 0; i < n; i++) {
			const char *name = name_at(ctx, i), *slash;
			if (!name) { /* interrupted */
				free(ms.bits);
				return;
			}
			slash = strchr(name, '/');
			for (int k = 0; slash && k < 3; k++) {
				size_t kl = strlen(media_kinds[k]);
				if ((size_t)(slash - name) != kl ||
				    strncmp(name, media_kinds[k], kl))
					continue;
				size_t a = referenced_at(m, slash + 1);
				if (a < m->n_atts)
					ms.bits[a] |= (uint8_t)(1u << k);
			}
		}
	}
	if (m->db) {
		spill_check_heads_media(m, &ms, fl);
	} else {
		for (size_t i = 0; i < m->n_heads; i++) {
			const entry *e = &m->v[m->heads[i]];
			hview v = view_of(m, e);
			check_head_media(&v, m->att_ptr + e->att_at, e->n_att, &ms, fl);
		}
	}
	free(ms.sorted);
	free(ms.bits);
	free(text);
	sqlite3_finalize(ms.has_name);
	for (size_t i = 0; i < n; i++) {
		const char *name = name_at(ctx, i);
		if (!name)
			break; /* interrupted */
		const char *slash = strchr(name, '/');
		if (!slash)
			continue;
		const char *id = slash + 1;
		if (m->db ? spill_referenced(m, id)
		          : m->n_atts && bsearch(&id, m->referenced, m->n_atts,
		                                 sizeof *m->referenced, cmp_str))
			continue;
		finding *f = fnd_add(fl, FND_MEDIA_ORPHAN,
		                     _("the photo %s belongs to no observation in the file"), name);
		fnd_set_media(f, name);
	}
}

size_t obs_model_n_heads(const obs_model *m) { return m->n_heads; }

static void spill_head(obs_model *m, size_t i, obs_head *h);

static void head_of(obs_model *m, size_t i, obs_head *h, bool whole)
{
	if (m->db) {
		spill_head(m, i, h);
		return;
	}
	const entry *e = &m->v[m->heads[i]];
	memset(h, 0, sizeof *h);
	h->id = entry_id(m, e);
	h->feed_key = e->key < m->n_keys ? m->keys[e->key] : "";
	h->seq = e->seq;
	h->feed = e->feed;
	if (!whole)
		return;
	h->category = entry_cat(m, e);
	time_text(m, e->created_ms, e->created_raw, h->created_at);
	time_text(m, e->ts_ms, e->ts_raw, h->timestamp);
	h->lat = e->lat;
	h->lon = e->lon;
	h->has_location = (e->flags & E_LOCATION) != 0;
	h->attachments = m->att_ptr + e->att_at;
	h->n_attachments = e->n_att;
}

void obs_model_head(obs_model *m, size_t i, obs_head *h) { head_of(m, i, h, true); }
void obs_model_head_id(obs_model *m, size_t i, obs_head *h) { head_of(m, i, h, false); }

obs_counts obs_model_counts(const obs_model *m) { return m->counts; }

typedef struct att_ref {
	const char *id;
	uint32_t head;
} att_ref;

static int cmp_att_ref(const void *a, const void *b)
{
	const att_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->head > y->head) - (x->head < y->head);
}

static bool spill_find_attachment(obs_model *m, const char *id, size_t *head);

bool obs_model_find_attachment(obs_model *m, const char *id, size_t *head)
{
	if (m->db)
		return spill_find_attachment(m, id, head);
	/* built at the first lookup: most checks make none */
	if (!m->by_att) {
		size_t n = 0;
		for (size_t i = 0; i < m->n_heads; i++)
			n += m->v[m->heads[i]].n_att;
		m->by_att = xcalloc(n + 1, sizeof *m->by_att);
		for (size_t i = 0; i < m->n_heads; i++) {
			const entry *e = &m->v[m->heads[i]];
			for (uint32_t a = 0; a < e->n_att; a++)
				m->by_att[m->n_by_att++] =
				    (att_ref){astr(m, m->atts[e->att_at + a]), (uint32_t)i};
		}
		if (m->n_by_att > 1)
			qsort(m->by_att, m->n_by_att, sizeof *m->by_att, cmp_att_ref);
	}
	size_t lo = 0, hi = m->n_by_att;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(m->by_att[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= m->n_by_att || strcmp(m->by_att[lo].id, id) != 0)
		return false;
	*head = m->by_att[lo].head; /* the first head, as the scan in id order found */
	return true;
}

/* ---- spill: past the budget, the entries live in a temporary database ----
 *
 * Tables: e (one row an entry, n its number in the order added, as the
 * in-memory array's index), l (every link's version), a (attachment ids: of
 * entry n at position pos, n -1 for references only), h (the current
 * observations: head number no, entry n). Every order the in-memory path
 * gets from a stable sort is here an ORDER BY ending in n, so ties break the
 * same way. */

/* what: the statement that failed, for a debugger; the message names the
 * folder and SQLite's reason (a full disk, mostly). */
static void spill_fail(obs_model *m, const char *what)
{
	(void)what;
	if (!m->error) {
		const char *dir = getenv("TMPDIR");
		m->error = xasprintf(_("the temporary file in %s that holds the observations "
		                       "could not be written: %s"),
		                     dir && *dir ? dir : "/tmp",
		                     m->db ? sqlite3_errmsg(m->db) : strerror(errno));
	}
	spill_close(m);
}

bool obs_model_spilled(const obs_model *m) { return m->db != NULL; }

sd_status obs_model_status(const obs_model *m, sd_error *err)
{
	if (!m->error)
		return SD_OK;
	return sd_error_set(err, SD_ERR_IO, "%s", m->error);
}

static void spill_close(obs_model *m)
{
	sqlite3_stmt *st[] = {m->ins_e,    m->ins_l,   m->ins_a,   m->get_head,
	                      m->get_atts, m->has_att, m->find_att};
	for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
		sqlite3_finalize(st[i]);
	m->ins_e = m->ins_l = m->ins_a = m->get_head = m->get_atts = m->has_att = m->find_att =
	    NULL;
	if (m->db)
		sqlite3_close_v2(m->db); /* a statement still open closes it later */
	m->db = NULL;
	for (size_t i = 0; i < m->n_hstr; i++)
		free(m->hstr[i]);
	free(m->hstr);
	free(m->hatts);
	m->hstr = NULL, m->hatts = NULL, m->n_hstr = m->hstr_cap = m->hatts_cap = 0;
}

static bool spill_exec(obs_model *m, const char *sql)
{
	if (m->db && sqlite3_exec(m->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return true;
	spill_fail(m, sql);
	return false;
}

static bool spill_prepare(obs_model *m, sqlite3_stmt **st, const char *sql)
{
	if (m->db && sqlite3_prepare_v2(m->db, sql, -1, st, NULL) == SQLITE_OK)
		return true;
	spill_fail(m, sql);
	return false;
}

/* The database: a file of our own in $TMPDIR, never the input's folder,
 * unlinked at once (it goes when the process does, whatever happens). */
static bool spill_open(obs_model *m)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/syncdoctor-obs-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		m->error = xasprintf(_("cannot make a temporary file in %s to hold the "
		                       "observations (set TMPDIR to a folder with room): %s"),
		                     dir && *dir ? dir : "/tmp", strerror(errno));
		free(path);
		return false;
	}
	/* only the thread that checks uses this connection: no SQLite mutex
	 * taken on every call (a fifteenth of a spilled check's instructions) */
	int rc = sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	unlink(path);
	close(fd);
	free(path);
	if (rc != SQLITE_OK) {
		spill_fail(m, "open");
		return false;
	}
	/* no journal (nothing to recover), a 1 MiB page cache, sorts in files */
	return spill_exec(m, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	                     "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-1024;"
	                     "PRAGMA temp_store=FILE;"
	                     "CREATE TABLE e(n INTEGER PRIMARY KEY, id TEXT, key INT, seq INT,"
	                     " feed INT, flags INT, cat INT, cms INT, tms INT, craw TEXT,"
	                     " traw TEXT, lat REAL, lon REAL, natt INT);"
	                     "CREATE TABLE l(key INT, seq INT);"
	                     "CREATE TABLE a(n INT, pos INT, id TEXT);"
	                     "CREATE TABLE h(no INTEGER PRIMARY KEY, n INT);") &&
	       spill_prepare(m, &m->ins_e, "INSERT INTO e VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)") &&
	       spill_prepare(m, &m->ins_l, "INSERT INTO l VALUES(?,?)") &&
	       spill_prepare(m, &m->ins_a, "INSERT INTO a VALUES(?,?,?)");
}

static bool spill_step(obs_model *m, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return true;
	spill_fail(m, "insert");
	return false;
}

static bool spill_att(obs_model *m, int64_t n, int64_t pos, uint32_t off)
{
	sqlite3_bind_int64(m->ins_a, 1, n);
	sqlite3_bind_int64(m->ins_a, 2, pos);
	sqlite3_bind_text(m->ins_a, 3, astr(m, off), -1, SQLITE_STATIC);
	return spill_step(m, m->ins_a);
}

static bool spill_entry(obs_model *m, const entry *e, int64_t n)
{
	sqlite3_stmt *st = m->ins_e;
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_text(st, 2, entry_id(m, e), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, e->key);
	sqlite3_bind_int64(st, 4, (int64_t)e->seq);
	sqlite3_bind_int64(st, 5, e->feed);
	sqlite3_bind_int64(st, 6, e->flags);
	sqlite3_bind_int64(st, 7, e->cat);
	sqlite3_bind_int64(st, 8, e->created_ms);
	sqlite3_bind_int64(st, 9, e->ts_ms);
	if (e->created_raw)
		sqlite3_bind_text(st, 10, astr(m, e->created_raw - 1), -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 10);
	if (e->ts_raw)
		sqlite3_bind_text(st, 11, astr(m, e->ts_raw - 1), -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 11);
	sqlite3_bind_double(st, 12, e->lat);
	sqlite3_bind_double(st, 13, e->lon);
	sqlite3_bind_int64(st, 14, e->n_att);
	if (!spill_step(m, st))
		return false;
	for (uint32_t l = 0; l < e->n_links; l++) {
		sqlite3_bind_int64(m->ins_l, 1, m->links[e->links_at + l].key);
		sqlite3_bind_int64(m->ins_l, 2, (int64_t)m->links[e->links_at + l].seq);
		if (!spill_step(m, m->ins_l))
			return false;
	}
	for (uint32_t a = 0; a < e->n_att; a++)
		if (!spill_att(m, n, a, m->atts[e->att_at + a]))
			return false;
	return true;
}

/* Move what is in memory to the database and empty the arrays (keeping
 * their room, which the budget bounds). */
static void spill_flush(obs_model *m)
{
	if ((!m->db && (m->error || !spill_open(m))) || !spill_exec(m, "BEGIN")) {
		/* failed: obs_model_status() says so; the model stays empty */
		m->n = m->n_links = m->n_atts = 0;
		m->arena_len = 1;
		return;
	}
	uint8_t *owned = xcalloc(m->n_atts / 8 + 1, 1);
	for (size_t i = 0; i < m->n; i++) {
		const entry *e = &m->v[i];
		for (uint32_t a = 0; a < e->n_att; a++)
			owned[(e->att_at + a) / 8] |= (uint8_t)(1u << ((e->att_at + a) % 8));
		if (!spill_entry(m, e, (int64_t)(m->spilled + i)))
			break;
	}
	/* the photos only named (obs_model_note_references) */
	for (size_t a = 0; a < m->n_atts && m->db; a++)
		if (!(owned[a / 8] >> (a % 8) & 1) && !spill_att(m, -1, 0, m->atts[a]))
			break;
	free(owned);
	if (m->db)
		spill_exec(m, "COMMIT");
	m->spilled += m->n;
	m->n = m->n_links = m->n_atts = 0;
	m->arena_len = 1;
}

/* After each block: past the budget, to the database. */
static void spill_maybe(obs_model *m)
{
	size_t bytes = m->n * sizeof *m->v + m->arena_len + m->n_links * sizeof *m->links +
	               m->n_atts * sizeof *m->atts;
	if (bytes > m->budget && (m->n || m->n_atts))
		spill_flush(m);
}

/* The text of column c, or NULL. */
static const char *col_text(sqlite3_stmt *st, int c)
{
	return (const char *)sqlite3_column_text(st, c);
}

/* Group the heads by id as obs_model_finish does: the newest of an id that
 * has an observation is current unless deleted. */
static void spill_group(obs_model *m)
{
	sqlite3_stmt *q = NULL, *ins = NULL;
	if (!spill_prepare(m, &q,
	                   "SELECT n, id, flags, natt FROM e WHERE flags & 4 = 0"
	                   " ORDER BY id, tms DESC, n") ||
	    !spill_prepare(m, &ins, "INSERT INTO h VALUES(?,?)")) {
		sqlite3_finalize(q);
		return;
	}
	char *id = NULL;
	int64_t best_n = 0, best_flags = 0, best_natt = 0;
	size_t in_group = 0;
	bool any_obs = false, more = true;
	while (more && m->db) {
		int rc = sqlite3_step(q);
		more = rc == SQLITE_ROW;
		if (!more && rc != SQLITE_DONE)
			spill_fail(m, "heads");
		if (id && (!more || strcmp(col_text(q, 1) ? col_text(q, 1) : "", id) != 0)) {
			/* the group of id is complete */
			if (any_obs) {
				if (in_group > 1)
					m->counts.forks++;
				if (best_flags & E_DELETED) {
					m->counts.deleted++;
				} else if (best_flags & E_OBSERVATION) {
					sqlite3_bind_int64(ins, 1, (int64_t)m->n_heads++);
					sqlite3_bind_int64(ins, 2, best_n);
					spill_step(m, ins);
					if (best_natt)
						m->counts.with_attachments++;
				}
			}
			free(id);
			id = NULL;
		}
		if (!more || !m->db)
			break;
		int64_t flags = sqlite3_column_int64(q, 2);
		if (!id) {
			id = xstrdup(col_text(q, 1) ? col_text(q, 1) : "");
			best_n = sqlite3_column_int64(q, 0), best_flags = flags;
			best_natt = sqlite3_column_int64(q, 3);
			in_group = 0, any_obs = false;
		}
		in_group++;
		any_obs = any_obs || (flags & E_OBSERVATION);
	}
	free(id);
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	m->counts.heads = m->n_heads;
}

/* A head's fields from a row of get_head (n, id, key, seq, feed, cat, cms,
 * tms, craw, traw, lat, lon, flags, natt): strings copied, valid until the
 * next read. */
static void spill_row(obs_model *m, sqlite3_stmt *st, hview *v, obs_head *h)
{
	for (size_t i = 0; i < m->n_hstr; i++)
		free(m->hstr[i]);
	m->n_hstr = 0;
	SD_GROW(m->hstr, m->hstr_cap, 3);
	const char *id = col_text(st, 1), *cr = col_text(st, 8), *tr = col_text(st, 9);
	v->id = m->hstr[m->n_hstr++] = xstrdup(id ? id : "");
	v->created_raw = cr ? (m->hstr[m->n_hstr++] = xstrdup(cr)) : NULL;
	v->ts_raw = tr ? (m->hstr[m->n_hstr++] = xstrdup(tr)) : NULL;
	int64_t cat = sqlite3_column_int64(st, 5);
	v->cat = cat ? m->cats[cat - 1] : NULL;
	v->created_ms = sqlite3_column_int64(st, 6);
	v->ts_ms = sqlite3_column_int64(st, 7);
	v->feed = (int)sqlite3_column_int64(st, 4);
	v->seq = (uint64_t)sqlite3_column_int64(st, 3);
	if (!h)
		return;
	uint32_t key = (uint32_t)sqlite3_column_int64(st, 2);
	memset(h, 0, sizeof *h);
	h->id = v->id;
	h->feed_key = key < m->n_keys ? m->keys[key] : "";
	h->seq = v->seq;
	h->feed = v->feed;
	h->category = v->cat;
	time_text_of(v->created_ms, v->created_raw, h->created_at);
	time_text_of(v->ts_ms, v->ts_raw, h->timestamp);
	h->lat = sqlite3_column_double(st, 10);
	h->lon = sqlite3_column_double(st, 11);
	h->has_location = (sqlite3_column_int64(st, 12) & E_LOCATION) != 0;
}

/* The attachment ids of entry n (natt of them) into m->hatts. */
static size_t spill_atts(obs_model *m, int64_t n, int64_t natt)
{
	if (!natt || !m->db)
		return 0;
	SD_GROW(m->hatts, m->hatts_cap, (size_t)natt);
	size_t k = 0;
	sqlite3_bind_int64(m->get_atts, 1, n);
	while (k < (size_t)natt && sqlite3_step(m->get_atts) == SQLITE_ROW) {
		SD_GROW(m->hstr, m->hstr_cap, m->n_hstr + 1);
		const char *t = col_text(m->get_atts, 0);
		m->hatts[k++] = m->hstr[m->n_hstr++] = xstrdup(t ? t : "");
	}
	sqlite3_reset(m->get_atts);
	return k;
}

#define HEAD_COLUMNS                                                                               \
	"SELECT e.n, e.id, e.key, e.seq, e.feed, e.cat, e.cms, e.tms, e.craw, e.traw, e.lat,"      \
	" e.lon, e.flags, e.natt FROM h JOIN e ON e.n = h.n"

static void spill_finish(obs_model *m, int64_t now, findings *fl)
{
	if (m->n || m->n_atts)
		spill_flush(m);
	/* the buffers are no longer needed: the report may keep the model */
	free(m->v), free(m->links), free(m->atts);
	m->v = NULL, m->links = NULL, m->atts = NULL;
	m->cap = m->links_cap = m->atts_cap = 0;
	m->arena = xrealloc(m->arena, 1);
	m->arena_cap = 1;
	/* a link supersedes the first entry of its version, as the binary
	 * search over the stably sorted versions finds it */
	if (!spill_exec(m, "CREATE INDEX ev ON e(key, seq, n);"
	                   "UPDATE e SET flags = flags | 4 WHERE n IN (SELECT (SELECT x.n FROM e"
	                   " AS x WHERE x.key = l.key AND x.seq = l.seq ORDER BY x.n LIMIT 1)"
	                   " FROM l);"))
		return;
	spill_group(m);
	sqlite3_stmt *q = NULL;
	if (!spill_exec(m, "CREATE INDEX an ON a(n, pos); CREATE INDEX ai ON a(id);"
	                   "CREATE INDEX hn ON h(n);") ||
	    !spill_prepare(m, &m->get_atts, "SELECT id FROM a WHERE n = ? ORDER BY pos") ||
	    !spill_prepare(m, &m->get_head, HEAD_COLUMNS " WHERE h.no = ?") ||
	    !spill_prepare(m, &m->has_att, "SELECT 1 FROM a WHERE id = ? LIMIT 1") ||
	    !spill_prepare(m, &m->find_att,
	                   "SELECT min(h.no) FROM a JOIN h ON h.n = a.n WHERE a.id = ?") ||
	    !spill_prepare(m, &q, HEAD_COLUMNS " ORDER BY h.no"))
		return;
	while (sqlite3_step(q) == SQLITE_ROW) {
		hview v;
		spill_row(m, q, &v, NULL);
		check_dates(&v, now, fl);
	}
	sqlite3_finalize(q);
}

static void spill_check_heads_media(obs_model *m, const media_set *ms, findings *fl)
{
	sqlite3_stmt *q = NULL;
	if (!spill_prepare(m, &q, HEAD_COLUMNS " ORDER BY h.no"))
		return;
	while (m->db && sqlite3_step(q) == SQLITE_ROW) {
		hview v;
		spill_row(m, q, &v, NULL);
		size_t k = spill_atts(m, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 13));
		check_head_media(&v, m->hatts, k, ms, fl);
	}
	sqlite3_finalize(q);
}

/* Every name in table mn of the temporary database, and ms->has_name to
 * ask it: a file's 200,000 photo names held in memory, sorted, took 18 MiB
 * (issue 21: flat memory). False when interrupted (a name_at of NULL) or
 * the database fails (obs_model_status() says so). */
static bool spill_media_names(obs_model *m, media_set *ms, size_t n, obs_media_fn name_at,
                              void *ctx)
{
	sqlite3_stmt *ins = NULL;
	if (!spill_exec(m, "DROP TABLE IF EXISTS mn;"
	                   "CREATE TABLE mn(name TEXT PRIMARY KEY) WITHOUT ROWID; BEGIN") ||
	    !spill_prepare(m, &ins, "INSERT OR IGNORE INTO mn VALUES(?)"))
		return false;
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		const char *name = name_at(ctx, i);
		if (!name) {
			ok = false; /* interrupted */
			break;
		}
		sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			spill_fail(m, "INSERT INTO mn");
			ok = false;
		}
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	if (!m->db || !spill_exec(m, "COMMIT"))
		return false;
	return ok && spill_prepare(m, &ms->has_name, "SELECT 1 FROM mn WHERE name = ?");
}

static bool spill_referenced(obs_model *m, const char *id)
{
	if (!m->db)
		return false;
	sqlite3_bind_text(m->has_att, 1, id, -1, SQLITE_STATIC);
	bool found = sqlite3_step(m->has_att) == SQLITE_ROW;
	sqlite3_reset(m->has_att);
	return found;
}

static void spill_head(obs_model *m, size_t i, obs_head *h)
{
	memset(h, 0, sizeof *h);
	h->id = "";
	if (!m->db)
		return;
	sqlite3_bind_int64(m->get_head, 1, (int64_t)i);
	if (sqlite3_step(m->get_head) == SQLITE_ROW) {
		hview v;
		spill_row(m, m->get_head, &v, h);
		int64_t n = sqlite3_column_int64(m->get_head, 0);
		int64_t natt = sqlite3_column_int64(m->get_head, 13);
		sqlite3_reset(m->get_head);
		h->n_attachments = spill_atts(m, n, natt);
		h->attachments = m->hatts;
	}
	sqlite3_reset(m->get_head);
}

static bool spill_find_attachment(obs_model *m, const char *id, size_t *head)
{
	if (!m->db)
		return false;
	sqlite3_bind_text(m->find_att, 1, id, -1, SQLITE_STATIC);
	bool found = sqlite3_step(m->find_att) == SQLITE_ROW &&
	             sqlite3_column_type(m->find_att, 0) != SQLITE_NULL;
	if (found)
		*head = (size_t)sqlite3_column_int64(m->find_att, 0);
	sqlite3_reset(m->find_att);
	return found;
}
