/* The observation model (observations.c): dates, forks and heads, and its JSON
 * scanner against jansson. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "damage.h"
#include "observations.h"
#include "report.h"
#include "strbuf.h"
#include "testutil.h"
#include "xalloc.h"

static void block_into(obs_model *m, const char *json, findings *fl)
{
	obs_model_add_block(m, 0, "aa", 0, (const uint8_t *)json, strlen(json), fl);
}

static void block(obs_model *m, uint64_t seq, const char *json, findings *fl)
{
	obs_model_add_block(m, 0, "aa", seq, (const uint8_t *)json, strlen(json), fl);
}

START_TEST(entries_dates_and_forks)
{
	findings fl;
	fnd_init(&fl);
	obs_model *m = obs_model_new();
	block(m, 0,
	      "{\"type\":\"observation\",\"id\":\"a1\",\"created_at\":\"1970-01-01T00:00:05.000Z\","
	      "\"timestamp\":\"1970-01-01T00:00:05.000Z\",\"tags\":{\"categoryId\":\"river\"},"
	      "\"links\":[]}\n",
	      &fl);
	block(m, 1,
	      "{\"type\":\"observation\",\"id\":\"b2\",\"created_at\":\"2099-05-01T00:00:00.000Z\","
	      "\"links\":[]}\n",
	      &fl);
	block(
	    m, 2,
	    "{\"type\":\"observation\",\"id\":\"c3\",\"created_at\":\"yesterday\",\"links\":[]}\n",
	    &fl);
	block(m, 3, "{not json}\n", &fl);
	block(m, 4, "{\"type\":\"observation\",\"id\":\"d4\"}\n{\"x\":1}\n", &fl);
	/* an edit and a fork of e5, then a deleted f6 */
	block(m, 5,
	      "{\"type\":\"observation\",\"id\":\"e5\",\"timestamp\":\"2026-01-01T00:00:00.000Z\","
	      "\"links\":[]}\n",
	      &fl);
	block(m, 6,
	      "{\"type\":\"observation\",\"id\":\"e5\",\"timestamp\":\"2026-01-02T00:00:00.000Z\","
	      "\"links\":[\"aa@5\"]}\n",
	      &fl);
	block(m, 7,
	      "{\"type\":\"observation\",\"id\":\"e5\",\"timestamp\":\"2026-01-03T00:00:00.000Z\","
	      "\"links\":[\"aa@5\"]}\n",
	      &fl);
	block(m, 8, "{\"type\":\"observation\",\"id\":\"f6\",\"links\":[]}\n", &fl);
	block(m, 9,
	      "{\"type\":\"observation\",\"id\":\"f6\",\"deleted\":true,\"links\":[\"aa@8\"]}\n",
	      &fl);
	obs_model_finish(m, 1800000000, &fl);
	obs_counts c = obs_model_counts(m);
	ck_assert_uint_eq(c.heads, 4); /* a1 b2 c3 e5 */
	ck_assert_uint_eq(c.forks, 1);
	ck_assert_uint_eq(c.deleted, 1);
	ck_assert_uint_eq(obs_model_n_heads(m), 4);
	obs_head h;
	obs_model_head(m, 3, &h);
	ck_assert_str_eq(h.id, "e5");
	ck_assert_str_eq(h.feed_key, "aa");
	ck_assert_uint_eq(h.seq, 7);
	int epoch = 0, future = 0, malformed = 0, notjson = 0;
	for (size_t i = 0; i < fnd_n(&fl); i++) {
		const finding *f = fnd_at(&fl, i);
		if (f->id == FND_DATE_EPOCH) {
			epoch++;
			ck_assert_str_eq(f->observation, "a1");
			ck_assert_ptr_nonnull(strstr(f->detail, "river"));
		}
		if (f->id == FND_DATE_FUTURE) {
			future++;
			ck_assert_str_eq(f->observation, "b2");
		}
		if (f->id == FND_DATE_MALFORMED) {
			malformed++;
			ck_assert_str_eq(f->observation, "c3");
		}
		if (f->id == FND_ENTRY_NOT_JSON) {
			notjson++;
			ck_assert(f->block == 3 || f->block == 4);
		}
	}
	ck_assert_int_eq(epoch, 1);
	ck_assert_int_eq(future, 1);
	ck_assert_int_eq(malformed, 1);
	ck_assert_int_eq(notjson, 2);
	obs_model_free(m);
	fnd_free(&fl);
}
END_TEST

/* The scanner in observations.c replaced jansson's json_loadb: a block is
 * "entry-not-json" exactly when jansson refuses it or it is not an object,
 * and the fields kept are jansson's (last of a repeated key, escapes
 * decoded, the locale's decimal point), except where jansson is stricter
 * than JSON.parse, which reads the entry in Mapeo (the real Mapeo takes
 * such entries: \u0000, lone surrogates, numbers past 64 bits or a double). */
/* The scanner's short ways give what the long ones gave: a position read
 * by one exact division is strtod's double (bit for bit, the sign of -0
 * too), wherever the number falls back to strtod; a key spelt with \u
 * escapes still names its field; obs_model_head_id() names the head
 * obs_model_head() does. */
START_TEST(entries_short_ways_match)
{
	static const char *const nums[] = {"0",
	                                   "-0",
	                                   "-0.0",
	                                   "7",
	                                   "-77.1234567",
	                                   "0.1234567",
	                                   "3.0000000000000004",
	                                   "0.30000000000000004",
	                                   "123456789012345",
	                                   "1234567890123456",
	                                   "12345678901234567",
	                                   "9007199254740993",
	                                   "-0.000000000000001",
	                                   "0.0000000000000001",
	                                   "1e3",
	                                   "-2.5E-3",
	                                   "123.456e+2",
	                                   "179.9999999",
	                                   "-89.99999999999999",
	                                   "18446744073709551617"};
	for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
		findings fl;
		fnd_init(&fl);
		obs_model *m = obs_model_new();
		char json[256];
		snprintf(json, sizeof json,
		         "{\"type\":\"observation\",\"id\":\"p%zu\",\"lat\":%s,\"lon\":%s,"
		         "\"links\":[]}\n",
		         i, nums[i], nums[i]);
		block(m, 0, json, &fl);
		obs_model_finish(m, 1800000000, &fl);
		ck_assert_uint_eq(obs_model_n_heads(m), 1);
		obs_head h;
		obs_model_head(m, 0, &h);
		double want = strtod(nums[i], NULL);
		ck_assert_msg(h.has_location && !memcmp(&h.lat, &want, sizeof want) &&
		                  !memcmp(&h.lon, &want, sizeof want),
		              "%s read as %.17g, strtod says %.17g", nums[i], h.lat, want);
		obs_model_free(m);
		fnd_free(&fl);
	}
	findings fl;
	fnd_init(&fl);
	obs_model *m = obs_model_new();
	/* "id", "type", "lat", "tags"."categoryId", "links" and an attachment's
	 * "id" escaped; "lon\u00e9", "lo\n" and "created_at\u0000" name nothing */
	block(m, 0,
	      "{\"\\u0074ype\":\"observation\",\"\\u0069d\":\"k1\",\"created_at\":"
	      "\"2026-01-01T00:00:00.000Z\",\"links\":[]}\n",
	      &fl);
	block(m, 1,
	      "{\"type\":\"observation\",\"id\":\"k2\",\"lat\":1.5,\"lon\\u00e9\":2.5,\"lo\\n\":3,"
	      "\"created_at\\u0000\":\"1970-01-01T00:00:00.000Z\",\"links\":[]}\n",
	      &fl);
	block(m, 2,
	      "{\"\\u0074ype\":\"observation\",\"\\u0069d\":\"k1\",\"l\\u0061t\":1.5,\"lon\":2.5,"
	      "\"t\\u0061gs\":{\"\\u0063ategoryId\":\"river\"},\"created_at\":"
	      "\"2026-01-02T00:00:00.000Z\",\"l\\u0069nks\":[\"aa@0\"],"
	      "\"attachments\":[{\"\\u0069d\":\"ph1\"}]}\n",
	      &fl);
	obs_model_finish(m, 1800000000, &fl);
	ck_assert_uint_eq(obs_model_n_heads(m), 2);
	obs_head h, hi;
	obs_model_head(m, 0, &h);
	ck_assert_str_eq(h.id, "k1");
	ck_assert_uint_eq(h.seq, 2); /* the escaped links of block 2 superseded block 0 */
	ck_assert(h.has_location);
	ck_assert(h.lat == 1.5 && h.lon == 2.5);
	ck_assert_str_eq(h.category, "river");
	ck_assert_str_eq(h.created_at, "2026-01-02T00:00:00.000Z");
	ck_assert_uint_eq(h.n_attachments, 1);
	ck_assert_str_eq(h.attachments[0], "ph1");
	obs_model_head_id(m, 0, &hi);
	ck_assert_str_eq(hi.id, "k1");
	ck_assert_str_eq(hi.feed_key, h.feed_key);
	ck_assert_uint_eq(hi.seq, 2);
	ck_assert_int_eq(hi.feed, h.feed);
	ck_assert_str_eq(hi.created_at, "");
	obs_model_head(m, 1, &h);
	ck_assert_str_eq(h.id, "k2");
	ck_assert(!h.has_location);
	ck_assert_str_eq(h.created_at, "");
	ck_assert_int_eq(fnd_count_code(&fl, FND_DATE_EPOCH), 0);
	obs_model_free(m);
	fnd_free(&fl);
}
END_TEST

static bool mapeo_reads(const char *line)
{
	static const char *const more[] = {
	    "{\"a\":1e400}",
	    "{\"a\":9223372036854775808}",
	    "{\"a\":-9223372036854775809}",
	    "{\"a\":\"\\u0000\"}",
	    "{\"a\":\"\\ud800\"}",
	    "{\"a\":\"\\udc00\"}",
	    "{\"a\":\"\\ud800\\u0041\"}",
	};
	for (size_t i = 0; i < sizeof more / sizeof *more; i++)
		if (!strcmp(line, more[i]))
			return true;
	return false;
}

START_TEST(entries_scanner_matches_jansson)
{
	static const char *const lines[] = {
	    "{\"id\":\"a\",\"type\":\"observation\"}",
	    "{\"id\":\"a\",}",
	    "{\"id\" : \"a\" , \"type\" : \"observation\" }",
	    "[1,2]",
	    "\"text\"",
	    "{}",
	    "{\"a\":01}",
	    "{\"a\":-0}",
	    "{\"a\":1.}",
	    "{\"a\":.5}",
	    "{\"a\":1e}",
	    "{\"a\":1E+2}",
	    "{\"a\":1e400}",
	    "{\"a\":1e-400}",
	    "{\"a\":9223372036854775807,\"b\":-9223372036854775808}",
	    "{\"a\":9223372036854775808}",
	    "{\"a\":-9223372036854775809}",
	    "{\"a\":\"\\u0000\"}",
	    "{\"a\":\"\\ud800\"}",
	    "{\"a\":\"\\udc00\"}",
	    "{\"a\":\"\\ud83d\\ude00\"}",
	    "{\"a\":\"\\ud800\\u0041\"}",
	    "{\"a\":\"\\uZZZZ\"}",
	    "{\"a\":\"\\x\"}",
	    "{\"a\":\"\\/\"}",
	    "{\"a\":\"\xc3\xa9\"}",
	    "{\"a\":\"\xc0\x80\"}",
	    "{\"a\":\"\xed\xa0\x80\"}",
	    "{\"a\":\"\xf4\x90\x80\x80\"}",
	    "{\"a\":\"\xf0\x9f\x98\"}",
	    "{\"a\":\"\x01\"}",
	    "{\"a\":tru}",
	    "{\"a\":true,\"b\":false,\"c\":null}",
	    "{\"a\":[1,{\"b\":[]},\"c\"],}",
	    "{\"a\":1} x",
	    "  {\"a\":1}  ",
	    "null",
	    " 42 ",
	    "true",
	    "[]",
	    "nul",
	};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		char block[256];
		snprintf(block, sizeof block, "%s\n", lines[i]);
		/* any JSON value is JSON (JSON.parse reads it); only an object
		 * is an entry (entry-not-object otherwise) */
		json_t *j = json_loads(block, JSON_DECODE_ANY, NULL);
		bool want_ok = j || mapeo_reads(lines[i]);
		bool want_object = (j && json_is_object(j)) || (!j && want_ok);
		json_decref(j);
		findings fl;
		fnd_init(&fl);
		obs_model *m = obs_model_new();
		block_into(m, block, &fl);
		ck_assert_msg(fnd_has(&fl, FND_ENTRY_NOT_JSON) == !want_ok, "line %zu: %s", i,
		              lines[i]);
		ck_assert_msg(fnd_has(&fl, FND_ENTRY_NOT_OBJECT) == (want_ok && !want_object),
		              "line %zu: %s (object)", i, lines[i]);
		if (fnd_has(&fl, FND_ENTRY_NOT_OBJECT))
			ck_assert_int_eq(fnd_at(&fl, 0)->severity,
			                 strstr(lines[i], "null") ? SEV_ERROR : SEV_INFO);
		obs_model_free(m);
		fnd_free(&fl);
	}
	/* nesting: jansson allows 2048 levels of values */
	for (int depth = 2046; depth <= 2049; depth++) {
		char *b = xmalloc((size_t)depth * 2 + 16);
		size_t n = 0;
		b[n++] = '{', b[n++] = '"', b[n++] = 'a', b[n++] = '"', b[n++] = ':';
		for (int k = 0; k < depth; k++)
			b[n++] = '[';
		for (int k = 0; k < depth; k++)
			b[n++] = ']';
		b[n++] = '}', b[n++] = '\n', b[n] = '\0';
		json_t *j = json_loads(b, 0, NULL);
		findings fl;
		fnd_init(&fl);
		obs_model *m = obs_model_new();
		block_into(m, b, &fl);
		ck_assert_msg(fnd_has(&fl, FND_ENTRY_NOT_JSON) == (j == NULL), "depth %d", depth);
		json_decref(j);
		obs_model_free(m);
		fnd_free(&fl);
		free(b);
	}
	/* fields: repeated keys keep the last value, escapes are decoded */
	findings fl;
	fnd_init(&fl);
	obs_model *m = obs_model_new();
	block_into(m,
	           "{\"id\":5,\"i\\u0064\":\"x\\u00e9\",\"type\":\"observ\\u0061tion\","
	           "\"tags\":{\"categoryId\":\"old\"},\"tags\":{\"categoryId\":\"river\"},"
	           "\"lat\":1.5,\"lon\":-2,\"attachments\":[{\"id\":\"p.jpg\"},3,{\"id\":4},"
	           "{\"x\":{\"id\":\"no\"}},{\"id\":\"q\",\"id\":\"r.jpg\"}],"
	           "\"created_at\":\"2026-01-02T03:04:05.678Z\"}\n",
	           &fl);
	obs_model_finish(m, 1800000000, &fl);
	ck_assert_uint_eq(obs_model_n_heads(m), 1);
	obs_head h;
	obs_model_head(m, 0, &h);
	ck_assert_str_eq(h.id, "x\xc3\xa9");
	ck_assert_str_eq(h.category, "river");
	ck_assert(h.has_location && h.lat == 1.5 && h.lon == -2);
	ck_assert_str_eq(h.created_at, "2026-01-02T03:04:05.678Z");
	ck_assert_uint_eq(h.n_attachments, 2);
	ck_assert_str_eq(h.attachments[0], "p.jpg");
	ck_assert_str_eq(h.attachments[1], "r.jpg");
	obs_model_free(m);
	fnd_free(&fl);
}
END_TEST

/* Entries jansson refuses and Mapeo reads (tests/interop took a file of
 * these whole): each is an observation, its text decoded as Mapeo shows
 * it, with U+FFFD for a NUL or a lone surrogate. */
START_TEST(entries_mapeo_reads_what_jansson_refuses)
{
	findings fl;
	fnd_init(&fl);
	obs_model *m = obs_model_new();
	block_into(m,
	           "{\"type\":\"observation\",\"id\":\"a\\u0000b\",\"links\":[],"
	           "\"tags\":{\"phone\":12345678901234567890123}}\n",
	           &fl);
	block_into(m,
	           "{\"type\":\"observation\",\"id\":\"c\\ud83d\",\"links\":[],\"lat\":1e400,"
	           "\"lon\":-9223372036854775809}\n",
	           &fl);
	block_into(m, "{\"type\":\"observation\",\"id\":\"\\udc00\\ud83d\\ude00\",\"links\":[]}\n",
	           &fl);
	ck_assert(!fnd_has(&fl, FND_ENTRY_NOT_JSON));
	obs_model_finish(m, 1800000000, &fl);
	ck_assert_uint_eq(obs_model_n_heads(m), 3);
	bool seen[3] = {false, false, false};
	for (size_t i = 0; i < 3; i++) {
		obs_head h;
		obs_model_head(m, i, &h);
		seen[0] = seen[0] || !strcmp(h.id, "a\xef\xbf\xbd"
		                                   "b");
		seen[1] = seen[1] || !strcmp(h.id, "c\xef\xbf\xbd");
		seen[2] = seen[2] || !strcmp(h.id, "\xef\xbf\xbd\xf0\x9f\x98\x80");
	}
	ck_assert(seen[0] && seen[1] && seen[2]);
	obs_model_free(m);
	fnd_free(&fl);
}
END_TEST

/* issue 21: past its memory budget the model moves to a temporary database
 * (SYNCDOCTOR_OBS_BUDGET). With a budget of one byte every block goes there
 * at once; the results must be those of the model in memory. */
static void many_kinds(obs_model *m, findings *fl)
{
	static const char *const blocks[] = {
	    "{\"type\":\"observation\",\"id\":\"a1\",\"created_at\":\"1970-01-01T00:00:05.000Z\","
	    "\"timestamp\":\"1970-01-01T00:00:05.000Z\",\"tags\":{\"categoryId\":\"river\"},"
	    "\"links\":[],\"lat\":1.5,\"lon\":-2,\"attachments\":[{\"id\":\"p1.jpg\"}]}\n",
	    "{\"type\":\"observation\",\"id\":\"b2\",\"created_at\":\"2099-05-01T00:00:00.000Z\","
	    "\"links\":[]}\n",
	    "{\"type\":\"observation\",\"id\":\"c3\",\"created_at\":\"yesterday\",\"links\":[]}\n",
	    "{not json}\n",
	    "{\"type\":\"observation\",\"id\":\"e5\",\"timestamp\":\"2026-01-01T00:00:00.000Z\","
	    "\"links\":[]}\n",
	    "{\"type\":\"observation\",\"id\":\"e5\",\"timestamp\":\"2026-01-02T00:00:00.000Z\","
	    "\"links\":[\"aa@4\"],\"attachments\":[{\"id\":\"p2.jpg\"},{\"id\":\"p3.jpg\"}]}\n",
	    "{\"type\":\"observation\",\"id\":\"e5\",\"timestamp\":\"2026-01-02T00:00:00.000Z\","
	    "\"links\":[\"aa@4\"],\"attachments\":[{\"id\":\"p4.jpg\"}]}\n",
	    "{\"type\":\"observation\",\"id\":\"f6\",\"links\":[]}\n",
	    "{\"type\":\"observation\",\"id\":\"f6\",\"deleted\":true,\"links\":[\"aa@7\"]}\n",
	    "{\"type\":\"node\",\"id\":\"g7\",\"links\":[]}\n",
	    "{\"type\":\"observation\",\"id\":\"h8\",\"created_at\":\"2020-02-02 10:00\","
	    "\"timestamp\":\"2020-02-02T10:00:00.000Z\",\"links\":[\"bb@0\"],"
	    "\"tags\":{\"categoryId\":\"tree\"},\"attachments\":[{\"id\":\"p1.jpg\"}]}\n",
	};
	for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
		block(m, i, blocks[i], fl);
	/* the same version again, from a second copy of the feed */
	obs_model_add_block(m, 1, "aa", 4, (const uint8_t *)blocks[4], strlen(blocks[4]), fl);
	obs_model_add_block(m, 2, "bb", 0, (const uint8_t *)blocks[1], strlen(blocks[1]), fl);
	static const char refs[] = "{\"id\":\"x\",\"attachments\":[{\"id\":\"q9.jpg\"}]}\n";
	obs_model_note_references(m, (const uint8_t *)refs, strlen(refs));
}

/* Everything the model tells, as text. */
static char *model_text(const char *budget)
{
	if (budget)
		setenv("SYNCDOCTOR_OBS_BUDGET", budget, 1);
	else
		unsetenv("SYNCDOCTOR_OBS_BUDGET");
	findings fl;
	fnd_init(&fl);
	obs_model *m = obs_model_new();
	many_kinds(m, &fl);
	ck_assert_int_eq(obs_model_status(m, NULL), SD_OK);
	obs_model_finish(m, 1800000000, &fl);
	static const char *const media[] = {"original/p1.jpg",  "preview/p1.jpg",
	                                    "thumbnail/p1.jpg", "original/p2.jpg",
	                                    "original/q9.jpg",  "original/zz.jpg"};
	obs_model_check_media(m, media, sizeof media / sizeof media[0], &fl);
	ck_assert_int_eq(obs_model_status(m, NULL), SD_OK);
	strbuf b;
	sb_init(&b);
	obs_counts c = obs_model_counts(m);
	sb_printf(&b, "%zu %zu %zu %zu %zu\n", c.entries, c.heads, c.forks, c.deleted,
	          c.with_attachments);
	for (size_t i = 0; i < obs_model_n_heads(m); i++) {
		obs_head h;
		obs_model_head(m, i, &h);
		sb_printf(&b, "%s %s %llu %d %s %s %s %g %g %d", h.id, h.feed_key,
		          (unsigned long long)h.seq, h.feed, h.category ? h.category : "-",
		          h.created_at, h.timestamp, h.lat, h.lon, h.has_location);
		for (size_t a = 0; a < h.n_attachments; a++)
			sb_printf(&b, " %s", h.attachments[a]);
		sb_addc(&b, '\n');
	}
	static const char *const photos[] = {"p1.jpg", "p2.jpg", "p4.jpg", "q9.jpg", "none"};
	for (size_t i = 0; i < sizeof photos / sizeof photos[0]; i++) {
		size_t head = 99;
		bool found = obs_model_find_attachment(m, photos[i], &head);
		sb_printf(&b, "%s %d %zu\n", photos[i], found, found ? head : 0);
	}
	for (size_t i = 0; i < fnd_n(&fl); i++) {
		const finding *f = fnd_at(&fl, i); /* one read: valid until the next */
		sb_printf(&b, "%s|%s|%s|%s|%d|%lld|%s\n", f->code, f->message,
		          f->observation ? f->observation : "-", f->detail ? f->detail : "-",
		          f->feed, (long long)f->block, f->media ? f->media : "-");
	}
	obs_model_free(m);
	fnd_free(&fl);
	unsetenv("SYNCDOCTOR_OBS_BUDGET");
	return b.s;
}

START_TEST(entries_spill_matches_memory)
{
	char *mem = model_text(NULL);
	ck_assert_ptr_nonnull(strstr(mem, "e5 aa 5 0")); /* the equal-time fork: the first */
	ck_assert_ptr_nonnull(strstr(mem, "missing"));
	ck_assert_ptr_nonnull(strstr(mem, "media-orphan"));
	static const char *const budgets[] = {"1", "300", "2000"};
	for (size_t i = 0; i < 3; i++) {
		char *db = model_text(budgets[i]);
		ck_assert_str_eq(mem, db);
		free(db);
	}
	free(mem);
}
END_TEST

/* The whole report of the real fixtures, and of damaged ones, byte for
 * byte, whether the model stays in memory or not. */
static char *report_json(const char *path, const char *budget)
{
	if (budget)
		setenv("SYNCDOCTOR_OBS_BUDGET", budget, 1);
	sd_report *r = dmg_check(path);
	unsetenv("SYNCDOCTOR_OBS_BUDGET");
	strbuf b;
	sb_init(&b);
	report_render(r, REPORT_JSON, 80, &b);
	report_free(r);
	return b.s;
}

START_TEST(entries_spill_same_report)
{
	static const char *const names[] = {"good-project-A.mapeodata", "good-project-B.mapeodata",
	                                    "good-no-key.mapeodata",
	                                    "edge-empty-device-A.mapeodata"};
	for (size_t n = 0; n < 4; n++) {
		char *p = dmg_copy(names[n]);
		for (int damaged = 0; damaged < 2; damaged++) {
			if (damaged) /* somewhere in the database: a block, a node, a photo */
				dmg_flip(p, dmg_size(p) * 2 / 3);
			char *mem = report_json(p, NULL), *db = report_json(p, "1");
			ck_assert_str_eq(mem, db);
			free(mem), free(db);
		}
		dmg_done(p);
	}
}
END_TEST

/* The JSON report streams the ids of the current observations (a file may
 * hold a million): the same bytes as the whole tree rendered at once, with
 * ids that need escaping, one that is not UTF-8 (left out by both), and
 * none at all. */
static void same_as_tree(const sd_report *r)
{
	for (int yaml = 0; yaml < 2; yaml++) {
		report_format fmt = yaml ? REPORT_YAML : REPORT_JSON;
		strbuf streamed = SB_INIT, whole = SB_INIT;
		report_render(r, fmt, 80, &streamed);
		json_t *j = report_to_json(r);
		report_tree_render(j, fmt, &whole);
		json_decref(j);
		ck_assert_str_eq(sb_str(&streamed), sb_str(&whole));
		sb_free(&streamed), sb_free(&whole);
	}
}

/* What jansson writes for j, as the JSON reports write it. */
static void as_jansson(json_t *j)
{
	strbuf ours = SB_INIT;
	report_tree_render(j, REPORT_JSON, &ours);
	char *d = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	strbuf want = SB_INIT;
	sb_add(&want, d);
	sb_addc(&want, '\n');
	ck_assert_str_eq(sb_str(&ours), sb_str(&want));
	free(d);
	sb_free(&ours), sb_free(&want);
}

typedef struct pieces {
	strbuf all;
	size_t n, largest;
} pieces;

static void count_piece(const char *text, void *ud)
{
	pieces *p = ud;
	size_t len = strlen(text);
	p->n++;
	if (len > p->largest)
		p->largest = len;
	sb_add(&p->all, text);
}

START_TEST(report_streams_the_ids)
{
	unsetenv("SYNCDOCTOR_OBS_BUDGET"); /* the heads in memory, to change them */
	sd_report *r = dmg_check(sd_test_data("good-project-A.mapeodata"));
	ck_assert_uint_ge(r->n_heads, 3);
	same_as_tree(r);
	strbuf b = SB_INIT;
	report_render(r, REPORT_JSON, 80, &b);
	ck_assert_ptr_nonnull(strstr(sb_str(&b), r->heads[0].id));
	ck_assert_ptr_null(strstr(sb_str(&b), "syncdoctor-ids"));
	sb_free(&b);
	snprintf(r->heads[0].id, sizeof r->heads[0].id, "q\"b\\s/\x01\x7f\xc3\xa9");
	snprintf(r->heads[1].id, sizeof r->heads[1].id, "bad\xff\xfe");
	snprintf(r->heads[2].id, sizeof r->heads[2].id, "\u202e\xc2\x9b");
	same_as_tree(r);
	size_t n = r->n_heads;
	r->n_heads = 0;
	same_as_tree(r);
	r->n_heads = n;
	report_free(r);
}
END_TEST

/* The JSON and YAML reports of 30,000 observations come out in pieces of
 * about 64 KiB as they are written (never the whole text, nor a tree of
 * the ids), the same bytes as the whole tree rendered at once; the JSON
 * writer writes any tree as jansson does. */
START_TEST(report_streams_in_pieces)
{
	unsetenv("SYNCDOCTOR_OBS_BUDGET");
	sd_report *r = dmg_check(sd_test_data("good-project-A.mapeodata"));
	json_t *t = json_object();
	as_jansson(t);
	json_decref(t);
	t = json_pack("{s:[],s:{},s:[[],{},[{}]],s:[i,f,f,b,n,s],s:{s:{s:[s]}}}", "a", "b", "c",
	              "d", -7, 0.1, 3.0, 1, "\xc3\xa9\"\\/\t", "e", "f", "g", "h");
	as_jansson(t);
	json_decref(t);
	t = report_to_json(r);
	as_jansson(t);
	json_decref(t);
	report_head *heads = r->heads;
	size_t n_heads = r->n_heads;
	r->n_heads = 30000;
	r->heads = xcalloc(r->n_heads, sizeof *r->heads);
	for (size_t i = 0; i < r->n_heads; i++)
		snprintf(r->heads[i].id, sizeof r->heads[i].id, "%016zx", i * 2654435761u);
	for (int yaml = 0; yaml < 2; yaml++) {
		report_format fmt = yaml ? REPORT_YAML : REPORT_JSON;
		pieces p = {SB_INIT, 0, 0};
		report_render_stream(r, fmt, 80, count_piece, &p);
		strbuf whole = SB_INIT;
		json_t *j = report_to_json(r);
		report_tree_render(j, fmt, &whole);
		json_decref(j);
		ck_assert_uint_gt(whole.len, 500000);
		ck_assert_str_eq(sb_str(&p.all), sb_str(&whole));
		ck_assert_uint_ge(p.n, whole.len / (96u << 10));
		ck_assert_uint_le(p.largest, 96u << 10);
		sb_free(&p.all), sb_free(&whole);
	}
	free(r->heads);
	r->heads = heads;
	r->n_heads = n_heads;
	report_free(r);
}
END_TEST

/* The findings are streamed too (150,000 photos no observation names):
 * the same bytes as the tree, with every field, strings that need
 * escaping, more than one 64 KiB piece of them, and none at all. */
START_TEST(report_streams_the_findings)
{
	sd_report *r = dmg_check(sd_test_data("good-project-A.mapeodata"));
	for (int k = 0; k < 1500; k++) {
		finding *f = fnd_add(&r->findings, FND_MEDIA_ORPHAN,
		                     "photo %d: \"q\" \\ / \x01 \xc3\xa9\nline\t\u202e", k);
		fnd_set_media(f, k % 2 ? "original/x\x1b[2J.jpg" : "preview/\xff.jpg");
		if (k % 3 == 0) {
			f->offset = k;
			f->feed = k % 4;
			f->block = k * 7;
			fnd_set_member(f, "thumbnail/a.jpg");
			fnd_set_inner(f, "0/data");
			fnd_set_observation(f, "abc\"def");
			fnd_set_detail(f, "category river, 1970-01-01");
		}
	}
	same_as_tree(r);
	strbuf b = SB_INIT;
	report_render(r, REPORT_JSON, 80, &b);
	ck_assert_ptr_null(strstr(sb_str(&b), "syncdoctor-findings"));
	ck_assert_ptr_nonnull(strstr(sb_str(&b), "photo 1499:"));
	sb_free(&b);
	findings saved = r->findings;
	fnd_init(&r->findings);
	same_as_tree(r);
	r->findings = saved;
	report_free(r);
}
END_TEST

/* No room for the temporary database: a clear error, not a crash. */
START_TEST(entries_spill_failure_is_an_error)
{
	setenv("SYNCDOCTOR_OBS_BUDGET", "1", 1);
	const char *old = getenv("TMPDIR");
	char *saved = old ? xstrdup(old) : NULL;
	setenv("TMPDIR", "/nonexistent/syncdoctor-test", 1);
	findings fl;
	fnd_init(&fl);
	obs_model *m = obs_model_new();
	many_kinds(m, &fl);
	sd_error err;
	ck_assert_int_eq(obs_model_status(m, &err), SD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/syncdoctor-test"));
	ck_assert_ptr_nonnull(strstr(err.msg, "TMPDIR"));
	obs_model_finish(m, 0, &fl);
	obs_model_check_media(m, NULL, 0, &fl);
	ck_assert_uint_eq(obs_model_n_heads(m), 0);
	obs_model_free(m);
	fnd_free(&fl);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	unsetenv("SYNCDOCTOR_OBS_BUDGET");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("entries");
	TCase *tc = tcase_create("entries");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, entries_dates_and_forks);
	tcase_add_test(tc, entries_scanner_matches_jansson);
	tcase_add_test(tc, entries_short_ways_match);
	tcase_add_test(tc, entries_mapeo_reads_what_jansson_refuses);
	tcase_add_test(tc, entries_spill_matches_memory);
	tcase_add_test(tc, entries_spill_same_report);
	tcase_add_test(tc, entries_spill_failure_is_an_error);
	tcase_add_test(tc, report_streams_the_ids);
	tcase_add_test(tc, report_streams_in_pieces);
	tcase_add_test(tc, report_streams_the_findings);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
