/* sfindex.c: a hand-written streaming scanner for the sync file's index.
 *
 * Why not jansson here: json_loadb() needs the whole text in memory and
 * builds a tree of it; an index naming 200,000 members is tens of MiB of
 * text and several times that of tree, and parsing it was half of
 * `check --quick`. The index has one fixed shape, so this scanner reads it
 * in 64 KiB chunks through the input's buffered reads, keeps only the name
 * being read and a list of 64-bit hashes of the names seen (for
 * JSON_REJECT_DUPLICATES: sorted and compared once at the end, 8 bytes a
 * name where a hash set took 24), and knows each entry's byte offset. It is a
 * fast path only: whatever it is not sure jansson would read the same way
 * (invalid JSON, duplicates, a hash collision, other shapes) makes it
 * answer SFI_OTHER, and the caller parses with jansson as before, so the
 * findings and their messages come from one place. The small "userdata"
 * value is copied (at most 1 MiB) and parsed by jansson. */
#include "config.h"

#include "sfindex.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define SFI_CHUNK          (64u << 10)
#define SFI_USERDATA_MAX   (1u << 20)
#define SFI_USERDATA_DEPTH 1024
#define SFI_MAX_DIGITS     18 /* below json_int_t's range: no overflow to decide */

typedef struct sfi_reader {
	sd_input *in;
	uint64_t off, len, pos; /* pos: bytes of the index consumed */
	uint8_t *buf;
	size_t bpos, bn;
	const sd_progress *prog;
	bool failed, cancelled;
	/* the decoded string last read */
	char *str;
	size_t slen, scap;
	char *name; /* the entry name, set aside while its entry is read */
	size_t ncap;
	/* hashes of the entry names seen, in index order */
	uint64_t *seen;
	size_t seen_cap, seen_n;
	/* when copying (userdata): bytes taken go here too */
	char *copy;
	size_t clen;
	bool copying;
} sfi_reader;

static bool refill(sfi_reader *r)
{
	if (r->pos >= r->len || r->failed)
		return false;
	if (sd_progress_cancelled(r->prog)) {
		r->cancelled = r->failed = true;
		return false;
	}
	uint64_t left = r->len - r->pos;
	size_t want = left < SFI_CHUNK ? (size_t)left : SFI_CHUNK, got = 0;
	if (sdin_pread(r->in, r->buf, want, r->off + r->pos, &got, NULL) != SD_OK || got != want) {
		r->failed = true;
		return false;
	}
	r->bpos = 0;
	r->bn = got;
	return true;
}

/* The next byte without taking it, -1 at the end (or on a read error). */
static int peek(sfi_reader *r)
{
	if (r->bpos == r->bn && !refill(r))
		return -1;
	return r->buf[r->bpos];
}

static int take(sfi_reader *r)
{
	int c = peek(r);
	if (c < 0)
		return -1;
	r->bpos++;
	r->pos++;
	if (r->copying) {
		if (r->clen == SFI_USERDATA_MAX) {
			r->failed = true;
			return -1;
		}
		r->copy[r->clen++] = (char)c;
	}
	return c;
}

/* Skip JSON white space (the four characters jansson allows) and take the
 * next byte. */
static int take_after_ws(sfi_reader *r)
{
	int c;
	while ((c = take(r)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		;
	return c;
}

static void put_byte(sfi_reader *r, uint8_t b)
{
	if (r->slen + 2 > r->scap) {
		r->scap = r->scap ? r->scap * 2 : 256;
		r->str = xrealloc(r->str, r->scap);
	}
	r->str[r->slen++] = (char)b;
}

/* Plain bytes taken straight from the buffer: most of every name. */
static void plain_run(sfi_reader *r)
{
	size_t i = r->bpos;
	while (i < r->bn && r->buf[i] >= 0x20 && r->buf[i] < 0x80 && r->buf[i] != '"' &&
	       r->buf[i] != '\\')
		i++;
	size_t n = i - r->bpos;
	if (n == 0 || r->copying)
		return;
	if (r->slen + n + 2 > r->scap) {
		while (r->slen + n + 2 > r->scap)
			r->scap *= 2;
		r->str = xrealloc(r->str, r->scap);
	}
	memcpy(r->str + r->slen, r->buf + r->bpos, n);
	r->slen += n;
	r->bpos = i;
	r->pos += n;
}

static void put_utf8(sfi_reader *r, uint32_t cp)
{
	if (cp < 0x80) {
		put_byte(r, (uint8_t)cp);
	} else if (cp < 0x800) {
		put_byte(r, (uint8_t)(0xC0 | cp >> 6));
		put_byte(r, (uint8_t)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		put_byte(r, (uint8_t)(0xE0 | cp >> 12));
		put_byte(r, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
		put_byte(r, (uint8_t)(0x80 | (cp & 0x3F)));
	} else {
		put_byte(r, (uint8_t)(0xF0 | cp >> 18));
		put_byte(r, (uint8_t)(0x80 | ((cp >> 12) & 0x3F)));
		put_byte(r, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
		put_byte(r, (uint8_t)(0x80 | (cp & 0x3F)));
	}
}

/* One raw UTF-8 sequence whose first byte c was taken; false unless it is
 * one jansson accepts (no overlong form, no surrogate, at most U+10FFFF). */
static bool raw_utf8(sfi_reader *r, int c)
{
	int n = c >= 0xC2 && c <= 0xDF   ? 1
	        : c >= 0xE0 && c <= 0xEF ? 2
	        : c >= 0xF0 && c <= 0xF4 ? 3
	                                 : -1;
	if (n < 0)
		return false;
	put_byte(r, (uint8_t)c);
	for (int i = 0; i < n; i++) {
		int d = take(r);
		if (d < 0x80 || d > 0xBF)
			return false;
		if (i == 0 && ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) ||
		               (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F)))
			return false;
		put_byte(r, (uint8_t)d);
	}
	return true;
}

static bool hex4(sfi_reader *r, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int c = take(r);
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			return false;
		*v = *v << 4 | (uint32_t)d;
	}
	return true;
}

/* \uXXXX (the 'u' taken): a pair for what is above the BMP; no U+0000,
 * which jansson refuses without JSON_ALLOW_NUL. */
static bool unicode_escape(sfi_reader *r)
{
	uint32_t cp, lo;
	if (!hex4(r, &cp) || cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
		return false;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (take(r) != '\\' || take(r) != 'u' || !hex4(r, &lo) || lo < 0xDC00 ||
		    lo > 0xDFFF)
			return false;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	put_utf8(r, cp);
	return true;
}

/* A string whose opening quote was taken, decoded into r->str. */
static bool string(sfi_reader *r)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	r->slen = 0;
	r->str[0] = '\0';
	for (;;) {
		plain_run(r);
		int c = take(r);
		if (c == '"') {
			r->str[r->slen] = '\0';
			return true;
		}
		if (c < 0x20)
			return false;
		if (c >= 0x80) {
			if (!raw_utf8(r, c))
				return false;
		} else if (c != '\\') {
			put_byte(r, (uint8_t)c);
		} else {
			c = take(r);
			const char *p = c > 0 ? strchr(esc_in, c) : NULL;
			if (c == 'u') {
				if (!unicode_escape(r))
					return false;
			} else if (!p || !*p) {
				return false;
			} else {
				put_byte(r, (uint8_t)esc_out[p - esc_in]);
			}
		}
	}
}

/* A non-negative integer jansson reads as json_int_t; *next: the byte after. */
static bool integer(sfi_reader *r, int c, uint64_t *v, int *next)
{
	int digits = 0;
	*v = 0;
	for (; c >= '0' && c <= '9'; c = take(r)) {
		if (++digits > SFI_MAX_DIGITS || (digits == 2 && *v == 0))
			return false;
		*v = *v * 10 + (uint64_t)(c - '0');
	}
	*next = c;
	return digits > 0 && c != '.' && c != 'e' && c != 'E';
}

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a, then a final mix */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ull;
	h ^= h >> 27;
	return h ? h : 1;
}

/* Note a name's hash; repeats are found once the index is read
 * (repeated_name()): the entries handed over until then are void anyway
 * when the answer is SFI_OTHER. */
static bool first_sight(sfi_reader *r, uint64_t h)
{
	if (r->seen_n == r->seen_cap) {
		r->seen_cap = r->seen_cap ? r->seen_cap * 2 : 64;
		r->seen = xreallocarray(r->seen, r->seen_cap, sizeof *r->seen);
	}
	r->seen[r->seen_n++] = h;
	return true;
}

static int cmp_hash(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* A repeated name, or (rarely) two names with one hash, which jansson then
 * tells apart. */
static bool repeated_name(sfi_reader *r)
{
	qsort(r->seen, r->seen_n, sizeof *r->seen, cmp_hash);
	for (size_t i = 1; i < r->seen_n; i++)
		if (r->seen[i] == r->seen[i - 1])
			return true;
	return false;
}

/* {"offset":N,"size":N} in either order (the '{' taken). */
static bool entry(sfi_reader *r, uint64_t *off, uint64_t *size)
{
	bool have_off = false, have_size = false;
	int c = take_after_ws(r);
	while (c == '"') {
		if (!string(r))
			return false;
		bool is_off = !strcmp(r->str, "offset") && r->slen == 6;
		bool is_size = !strcmp(r->str, "size") && r->slen == 4;
		if ((!is_off && !is_size) || (is_off && have_off) || (is_size && have_size) ||
		    take_after_ws(r) != ':')
			return false;
		if (!integer(r, take_after_ws(r), is_off ? off : size, &c))
			return false;
		have_off |= is_off;
		have_size |= is_size;
		while (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			c = take(r);
		if (c == '}')
			return have_off && have_size;
		if (c != ',')
			return false;
		c = take_after_ws(r);
	}
	return false;
}

/* The "index" object, its '{' not yet taken. */
static bool index_object(sfi_reader *r, sfi_entry_fn fn, void *ud)
{
	if (take_after_ws(r) != '{')
		return false;
	int c = take_after_ws(r);
	if (c == '}')
		return true;
	for (;;) {
		uint64_t off = 0, size = 0;
		if (c != '"' || !string(r) || !first_sight(r, name_hash(r->str, r->slen)))
			return false;
		char *t = r->name;
		size_t tcap = r->ncap;
		r->name = r->str;
		r->ncap = r->scap;
		r->str = t;
		r->scap = tcap;
		if (take_after_ws(r) != ':' || take_after_ws(r) != '{' || !entry(r, &off, &size))
			return false;
		/* The name held no U+0000, so its length is strlen's. */
		fn(ud, r->name, off, size);
		c = take_after_ws(r);
		if (c == '}')
			return true;
		if (c != ',')
			return false;
		c = take_after_ws(r);
	}
}

/* The "userdata" value copied whole (strings and brackets followed only far
 * enough to find its end) and parsed by jansson, which checks it. */
static json_t *userdata_value(sfi_reader *r)
{
	int c;
	while ((c = peek(r)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		take(r);
	r->copy = xmalloc(SFI_USERDATA_MAX);
	r->clen = 0;
	r->copying = true;
	size_t depth = 0, deepest = 0;
	bool in_str = false;
	for (;;) {
		c = peek(r);
		if (c < 0)
			break;
		if (!in_str && depth == 0 && r->clen > 0 &&
		    (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' ||
		     c == '\r'))
			break;
		take(r);
		if (in_str) {
			if (c == '\\')
				take(r);
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > deepest)
				deepest = depth;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			break;
		}
	}
	r->copying = false;
	/* jansson counts the depth from the top: leave the deep ones to it. */
	json_t *v =
	    r->failed || deepest > SFI_USERDATA_DEPTH
	        ? NULL
	        : json_loadb(r->copy, r->clen, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	free(r->copy);
	r->copy = NULL;
	return v;
}

/* The top object: "index" and "userdata", each at most once, nothing else. */
static bool top(sfi_reader *r, sfi_entry_fn fn, void *ud, json_t **userdata)
{
	bool have_index = false;
	if (take_after_ws(r) != '{')
		return false;
	int c = take_after_ws(r);
	while (c == '"') {
		if (!string(r) || take_after_ws(r) != ':')
			return false;
		if (!strcmp(r->str, "index") && r->slen == 5 && !have_index) {
			if (!index_object(r, fn, ud))
				return false;
			have_index = true;
		} else if (!strcmp(r->str, "userdata") && r->slen == 8 && !*userdata) {
			if (!(*userdata = userdata_value(r)))
				return false;
		} else {
			return false;
		}
		c = take_after_ws(r);
		if (c == '}')
			return have_index && take_after_ws(r) < 0 && !r->failed;
		if (c != ',')
			return false;
		c = take_after_ws(r);
	}
	return false;
}

sfi_result sfi_scan(sd_input *in, uint64_t off, uint64_t len, size_t n_hint, sfi_entry_fn fn,
                    void *ud, json_t **userdata, const sd_progress *prog)
{
	sfi_reader r = {.in = in, .off = off, .len = len, .prog = prog};
	r.buf = xmalloc(SFI_CHUNK);
	r.scap = 256;
	r.str = xmalloc(r.scap);
	r.ncap = 256;
	r.name = xmalloc(r.ncap);
	r.seen_cap = n_hint + 1;
	r.seen = xcalloc(r.seen_cap, sizeof *r.seen);
	*userdata = NULL;
	bool ok = top(&r, fn, ud, userdata) && !repeated_name(&r);
	free(r.buf);
	free(r.str);
	free(r.name);
	free(r.seen);
	if (!ok) {
		json_decref(*userdata);
		*userdata = NULL;
	}
	return r.cancelled ? SFI_CANCELLED : ok ? SFI_OK : SFI_OTHER;
}

/* ---- the tail: what survives when storage zeroed the index's start ----
 *
 * The text here is a suffix of the index's JSON, cut anywhere, so it is
 * read from its end, where its shape is known: the top object's '}', before
 * it the userdata object's '}', before that the index object's '}' and its
 * entries, each {"offset":N,"size":N} after its name (doc/formats.md §1,
 * "The index's tail"). */

#define SFI_TAIL_MAX        (SFI_USERDATA_MAX + (1u << 20))
#define SFI_TAIL_CANDIDATES 64 /* "userdata" keys tried before giving up */

static bool is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* i moved back over white space before it. */
static size_t back_ws(const char *t, size_t i)
{
	while (i > 0 && is_ws((unsigned char)t[i - 1]))
		i--;
	return i;
}

/* One past the '}' or ']' closing the value that opens at t[at], strings and
 * their escapes followed; 0 when it does not close before n. */
static size_t value_end(const char *t, size_t n, size_t at)
{
	size_t depth = 0;
	bool in_str = false;
	for (size_t i = at; i < n; i++) {
		char c = t[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && depth && --depth == 0) {
			return i + 1;
		}
	}
	return 0;
}

/* The userdata object: after a "userdata" key that follows ',' or '{', and
 * ending right before the text's last '}'. *sep: where that ',' or '{' is. */
static json_t *tail_userdata(const char *t, size_t n, size_t *sep, const sd_progress *prog,
                             bool *cancelled)
{
	static const char key[] = "\"userdata\"";
	const size_t klen = sizeof key - 1;
	size_t e = back_ws(t, n), u;
	if (e == 0 || t[e - 1] != '}' || (u = back_ws(t, e - 1)) == 0 || t[u - 1] != '}')
		return NULL;
	size_t floor = u > SFI_USERDATA_MAX + klen + 8 ? u - SFI_USERDATA_MAX - klen - 8 : 0;
	unsigned tries = 0;
	for (size_t p = u; p-- > floor && tries < SFI_TAIL_CANDIDATES;) {
		if (t[p] != '"' || u - p < klen || memcmp(t + p, key, klen) != 0)
			continue;
		if (sd_progress_cancelled(prog)) {
			*cancelled = true;
			return NULL;
		}
		tries++;
		size_t b = back_ws(t, p), q = p + klen;
		if (b == 0 || (t[b - 1] != ',' && t[b - 1] != '{'))
			continue;
		while (q < u && is_ws((unsigned char)t[q]))
			q++;
		if (q == u || t[q++] != ':')
			continue;
		while (q < u && is_ws((unsigned char)t[q]))
			q++;
		if (q == u || t[q] != '{' || value_end(t, u, q) != u)
			continue;
		json_t *v = json_loadb(t + q, u - q, JSON_REJECT_DUPLICATES, NULL);
		if (json_is_object(v)) {
			*sep = b - 1;
			return v;
		}
		json_decref(v);
	}
	return NULL;
}

typedef enum { BK_OK, BK_CUT, BK_JUNK } bk_result;

typedef struct tail_entry {
	char *name;
	uint64_t off, size;
} tail_entry;

/* The character before *i past white space, *i moved before it; -1 at the
 * start of the text (the cut). */
static int bk(const char *t, size_t *i)
{
	*i = back_ws(t, *i);
	return *i ? (unsigned char)t[--*i] : -1;
}

/* A non-negative integer that ends at *i (past white space), as integer()
 * reads it forwards. */
static bk_result bk_integer(const char *t, size_t *i, uint64_t *v)
{
	size_t end = back_ws(t, *i), s = end;
	while (s > 0 && t[s - 1] >= '0' && t[s - 1] <= '9')
		s--;
	if (s == 0)
		return BK_CUT; /* the digits may have gone on before the cut */
	if (s == end || end - s > SFI_MAX_DIGITS || (end - s > 1 && t[s] == '0') ||
	    t[s - 1] == '-' || t[s - 1] == '.')
		return BK_JUNK;
	*v = 0;
	for (size_t k = s; k < end; k++)
		*v = *v * 10 + (uint64_t)(t[k] - '0');
	*i = s;
	return BK_OK;
}

/* A string whose closing quote is t[*i - 1]: its opening quote is the one
 * before it that no backslash escapes (an odd run of them escapes). */
static bk_result bk_string(const char *t, size_t *i, size_t *open)
{
	for (size_t q = *i - 1; q-- > 0;) {
		if (t[q] != '"')
			continue;
		size_t bs = 0;
		while (bs < q && t[q - 1 - bs] == '\\')
			bs++;
		if (bs == q)
			return BK_CUT; /* the run of backslashes may go on before the cut */
		if (bs % 2 == 0) {
			*open = q;
			*i = q;
			return BK_OK;
		}
	}
	return BK_CUT;
}

/* One field of an entry read backwards: N, ':', "offset" or "size";
 * have: bit 1 offset, bit 2 size, each once. */
static bk_result bk_field(const char *t, size_t *i, uint64_t *off, uint64_t *size, int *have)
{
	uint64_t v;
	size_t open;
	bk_result r = bk_integer(t, i, &v);
	if (r != BK_OK)
		return r;
	int c = bk(t, i);
	if (c == ':')
		c = bk(t, i);
	else if (c >= 0)
		return BK_JUNK;
	if (c != '"')
		return c < 0 ? BK_CUT : BK_JUNK;
	size_t close = *i;
	(*i)++;
	if ((r = bk_string(t, i, &open)) != BK_OK)
		return r;
	size_t klen = close - open - 1;
	int bit = klen == 6 && !memcmp(t + open + 1, "offset", 6) ? 1
	          : klen == 4 && !memcmp(t + open + 1, "size", 4) ? 2
	                                                          : 0;
	if (!bit || (*have & bit))
		return BK_JUNK;
	*have |= bit;
	*(bit == 1 ? off : size) = v;
	return BK_OK;
}

/* One entry read backwards, from after its '}' to before the ',' or '{'
 * before its name (*c: that character). */
static bk_result bk_entry(const char *t, size_t *i, tail_entry *e, int *c)
{
	int have = 0;
	if ((*c = bk(t, i)) != '}')
		return *c < 0 ? BK_CUT : BK_JUNK;
	for (int k = 0; k < 2; k++) {
		bk_result r = bk_field(t, i, &e->off, &e->size, &have);
		if (r != BK_OK)
			return r;
		if ((*c = bk(t, i)) != (k == 0 ? ',' : '{'))
			return *c < 0 ? BK_CUT : BK_JUNK;
	}
	if ((*c = bk(t, i)) != ':' || (*c = bk(t, i)) != '"')
		return *c < 0 ? BK_CUT : BK_JUNK;
	size_t close = *i, open;
	(*i)++;
	bk_result r = bk_string(t, i, &open);
	if (r != BK_OK)
		return r;
	/* the name is whole only when what comes before it survived too */
	if ((*c = bk(t, i)) != ',' && *c != '{')
		return *c < 0 ? BK_CUT : BK_JUNK;
	json_t *s = json_loadb(t + open, close + 1 - open, JSON_DECODE_ANY, NULL);
	if (!json_is_string(s) || strlen(json_string_value(s)) != json_string_length(s)) {
		json_decref(s);
		return BK_JUNK;
	}
	e->name = xstrdup(json_string_value(s));
	json_decref(s);
	return BK_OK;
}

static int cmp_entry_name(const void *a, const void *b)
{
	return strcmp(((const tail_entry *)a)->name, ((const tail_entry *)b)->name);
}

/* The entries between the cut and the index object's '}' at t[end]; *n 0
 * when one of them is not exact, or a name repeats (jansson refuses the
 * whole index then). */
static tail_entry *tail_entries(const char *t, size_t end, size_t *n, const sd_progress *prog,
                                bool *cancelled)
{
	tail_entry *v = NULL;
	size_t cap = 0, i = end;
	bk_result r = BK_OK;
	int c = '}';
	*n = 0;
	while (r == BK_OK && c != '{') {
		if ((*n & 4095) == 4095 && sd_progress_cancelled(prog)) {
			*cancelled = true;
			r = BK_JUNK;
			break;
		}
		size_t j = back_ws(t, i);
		if (j && t[j - 1] == '{' && *n == 0)
			break; /* an empty index */
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[*n].name = NULL;
		if ((r = bk_entry(t, &i, &v[*n], &c)) == BK_OK)
			(*n)++;
	}
	bool dup = false;
	if (*n > 1) /* (v is NULL for an empty index: qsort must not see it) */
		qsort(v, *n, sizeof *v, cmp_entry_name);
	for (size_t k = 1; k < *n && !dup; k++)
		dup = !strcmp(v[k].name, v[k - 1].name);
	if (r == BK_JUNK || dup) {
		for (size_t k = 0; k < *n; k++)
			free(v[k].name);
		*n = 0;
	}
	return v;
}

sfi_result sfi_tail_text(const char *t, size_t n, sfi_entry_fn fn, void *ud, json_t **userdata,
                         size_t *n_entries, const sd_progress *prog)
{
	size_t sep = 0, ne = 0;
	bool cancelled = false;
	*n_entries = 0;
	*userdata = memchr(t, '\0', n) ? NULL : tail_userdata(t, n, &sep, prog, &cancelled);
	if (!*userdata)
		return cancelled ? SFI_CANCELLED : SFI_OTHER;
	size_t i = sep;
	tail_entry *v = NULL;
	/* the index object's '}' before ",\"userdata\"" */
	if (t[sep] == ',' && bk(t, &i) == '}')
		v = tail_entries(t, i, &ne, prog, &cancelled);
	if (cancelled) {
		json_decref(*userdata);
		*userdata = NULL;
		ne = 0;
	}
	for (size_t k = 0; k < ne; k++) {
		fn(ud, v[k].name, v[k].off, v[k].size);
		free(v[k].name);
	}
	free(v);
	*n_entries = ne;
	return cancelled ? SFI_CANCELLED : SFI_OK;
}

/* Where the last zero byte before off + from is, searched back to off, a
 * chunk at a time; false when there is none (or on a read error). */
static bool last_zero_before(sd_input *in, uint64_t off, uint64_t from, uint64_t *at,
                             const sd_progress *prog, bool *cancelled)
{
	uint8_t *b = xmalloc(SFI_CHUNK);
	bool found = false;
	while (from > 0 && !found) {
		size_t n = from < SFI_CHUNK ? (size_t)from : SFI_CHUNK;
		if (sd_progress_cancelled(prog)) {
			*cancelled = true;
			break;
		}
		if (sdin_read_exact(in, b, n, off + from - n, NULL) != SD_OK)
			break;
		for (size_t k = n; k-- > 0 && !found;)
			if (!b[k]) {
				*at = from - n + k;
				found = true;
			}
		from -= n;
	}
	free(b);
	return found;
}

sfi_result sfi_tail(sd_input *in, uint64_t off, uint64_t len, sfi_entry_fn fn, void *ud,
                    json_t **userdata, sfi_tail_info *info, const sd_progress *prog)
{
	uint64_t take = len < SFI_TAIL_MAX ? len : SFI_TAIL_MAX, zero = 0;
	char *buf = xmalloc((size_t)take + 1);
	bool cancelled = false;
	*userdata = NULL;
	info->intact = info->n_entries = 0;
	for (uint64_t at = 0; at < take; at += SFI_CHUNK) {
		size_t want = take - at < SFI_CHUNK ? (size_t)(take - at) : SFI_CHUNK;
		if (sd_progress_cancelled(prog)) {
			free(buf);
			return SFI_CANCELLED;
		}
		if (sdin_read_exact(in, buf + at, want, off + len - take + at, NULL) != SD_OK) {
			free(buf);
			return SFI_OTHER;
		}
	}
	size_t z = (size_t)take;
	while (z > 0 && buf[z - 1] != '\0')
		z--;
	/* none in the window: the whole of it is intact when zeros come before */
	if (z == 0 && !last_zero_before(in, off, len - take, &zero, prog, &cancelled)) {
		free(buf);
		return cancelled ? SFI_CANCELLED : SFI_OTHER;
	}
	info->intact = z ? take - z : len - zero - 1;
	sfi_result r =
	    sfi_tail_text(buf + z, (size_t)(take - z), fn, ud, userdata, &info->n_entries, prog);
	free(buf);
	return r;
}

/* The end of an index whose start is lost, told from other bytes (the
 * remains a rebuild writes anew, doc/formats.md §1, "The index's tail"):
 * JSON text cut anywhere, inside a string or out of one, checked for shape
 * only. Every bracket opened in it closes in it with its own kind, strings
 * close, outside them only JSON's own characters, and it ends "}}", the
 * last one closing what the lost start opened (the root object). */
#define SFI_SHAPE_DEPTH 64

typedef struct sfi_shape {
	bool in_str, esc, bad;
	unsigned hex;               /* hex digits a \u escape still needs */
	size_t depth, unmatched;    /* open here; closed here, opened before the cut */
	char open[SFI_SHAPE_DEPTH]; /* the closer each open bracket needs */
	int last, before;           /* the last two characters outside white space */
	bool last_unmatched;
} sfi_shape;

static void shape_byte(sfi_shape *s, unsigned char c)
{
	if (s->bad)
		return;
	if (s->in_str) {
		if (s->hex) {
			s->bad = !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			           (c >= 'A' && c <= 'F'));
			s->hex--;
		} else if (s->esc) {
			s->esc = false;
			s->bad = !strchr("\"\\/bfnrtu", c) || !c;
			s->hex = c == 'u' ? 4 : 0;
		} else if (c == '\\') {
			s->esc = true;
		} else if (c == '"') {
			s->in_str = false;
		} else {
			s->bad = c < 0x20;
		}
		return;
	}
	if (is_ws(c))
		return;
	s->before = s->last;
	s->last = c;
	s->last_unmatched = false;
	if (c == '"') {
		s->in_str = true;
	} else if (c == '{' || c == '[') {
		if (s->depth == SFI_SHAPE_DEPTH)
			s->bad = true;
		else
			s->open[s->depth++] = c == '{' ? '}' : ']';
	} else if (c == '}' || c == ']') {
		if (s->depth)
			s->bad = s->open[--s->depth] != c;
		else
			s->unmatched++, s->last_unmatched = true;
	} else {
		s->bad = !c || !strchr(",:-+.0123456789eEtrufalsn", c);
	}
}

static bool shape_ok(const sfi_shape *s)
{
	return !s->bad && !s->in_str && !s->depth && s->last == '}' && s->before == '}' &&
	       s->last_unmatched;
}

/* The three places a cut can leave the text: outside a string, inside one,
 * right after a string's backslash. */
static void shapes_init(sfi_shape s[3])
{
	memset(s, 0, 3 * sizeof *s);
	s[1].in_str = s[2].in_str = s[2].esc = true;
}

static void shapes_feed(sfi_shape s[3], const char *t, size_t n)
{
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < n && !s[k].bad; i++)
			shape_byte(&s[k], (unsigned char)t[i]);
}

static bool shapes_ok(const sfi_shape s[3])
{
	return shape_ok(&s[0]) || shape_ok(&s[1]) || shape_ok(&s[2]);
}

bool sfi_index_end_text(const char *t, size_t n)
{
	sfi_shape s[3];
	shapes_init(s);
	shapes_feed(s, t, n);
	return n && shapes_ok(s);
}

bool sfi_index_end(sd_input *in, uint64_t off, uint64_t len, const sd_progress *prog,
                   bool *cancelled)
{
	sfi_shape s[3];
	char *b = xmalloc(SFI_CHUNK);
	bool failed = !len;
	shapes_init(s);
	for (uint64_t at = 0; at < len && !failed; at += SFI_CHUNK) {
		size_t n = len - at < SFI_CHUNK ? (size_t)(len - at) : SFI_CHUNK;
		if (sd_progress_cancelled(prog))
			*cancelled = failed = true;
		else if (sdin_read_exact(in, b, n, off + at, NULL) != SD_OK)
			failed = true;
		else
			shapes_feed(s, b, n);
	}
	free(b);
	return !failed && shapes_ok(s);
}
