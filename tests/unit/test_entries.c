/* The observation model (entries.c): dates, forks and heads, and its JSON
 * scanner against jansson. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entries.h"
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
	for (size_t i = 0; i < fl.n; i++) {
		const finding *f = &fl.v[i];
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

/* The scanner in entries.c replaced jansson's json_loadb: a block is
 * "entry-not-json" exactly when jansson refuses it or it is not an object,
 * and the fields kept are jansson's (last of a repeated key, escapes
 * decoded, the locale's decimal point). */
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
	};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		char block[256];
		snprintf(block, sizeof block, "%s\n", lines[i]);
		json_t *j = json_loads(block, 0, NULL);
		bool want_ok = j && json_is_object(j);
		json_decref(j);
		findings fl;
		fnd_init(&fl);
		obs_model *m = obs_model_new();
		block_into(m, block, &fl);
		ck_assert_msg(fnd_has(&fl, FND_ENTRY_NOT_JSON) == !want_ok, "line %zu: %s", i,
		              lines[i]);
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

static Suite *suite(void)
{
	Suite *s = suite_create("entries");
	TCase *tc = tcase_create("entries");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, entries_dates_and_forks);
	tcase_add_test(tc, entries_scanner_matches_jansson);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
