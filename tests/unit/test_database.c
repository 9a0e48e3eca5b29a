/* Database folders: Mapeo Desktop's real kappa.db (tests/data/desktop-userdata-A)
 * read as its expected.json says, databases built in test code from the
 * real fixtures' feeds in exactly that layout, planted 1970 dates, cut
 * photos, flipped bytes, a leftover temp folder, and rebuilds from them.
 * The secret key never reaches a report or a rebuilt file. */
#include "config.h"

#include <ftw.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "database.h"
#include "dbfixture.h"
#include "diagnosis.h"
#include "keys.h"
#include "rebuild.h"
#include "report.h"
#include "source.h"
#include "strbuf.h"
#include "syncfile.h"
#include "testutil.h"

#define KEY_A "ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e"
#define DK_A  "c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af"

static sd_report *check(const char *path)
{
	check_options o = {.no_auto_config = true, .now = 1800000000};
	sd_report *r = NULL;
	sd_error err;
	ck_assert_int_eq(check_run(path, &o, NULL, &r, &err), SD_OK);
	ck_assert_ptr_nonnull(r);
	return r;
}

static const finding *find(const sd_report *r, const char *code)
{
	ck_assert_msg(fnd_lookup(code), "unknown finding code %s", code);
	for (size_t i = 0; i < fnd_n(&r->findings); i++)
		if (!strcmp(fnd_at(&r->findings, i)->code, code))
			return fnd_at(&r->findings, i);
	return NULL;
}

static void rm_rf(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* A built database of good-project-A: own feed 0 with a planted secret. */
static char *build(const dbfx_options *o, uint8_t secret[64])
{
	char *dir = sd_test_tmpdir();
	char *ud = xasprintf("%s/userdata", dir);
	dbfx_build(sd_test_data("good-project-A.mapeodata"), ud, o, secret);
	free(dir);
	return ud;
}

static void done(char *ud)
{
	char *parent = xstrdup(ud);
	*strrchr(parent, '/') = '\0';
	rm_rf(parent);
	free(parent);
	free(ud);
}

/* ---- the real Desktop database ---- */

START_TEST(real_userdata_matches_expected)
{
	json_t *x = json_load_file(sd_test_data("desktop-userdata-A.expected.json"), 0, NULL);
	ck_assert_ptr_nonnull(x);
	static const char *const paths[] = {"desktop-userdata-A", "desktop-userdata-A/kappa.db"};
	for (int p = 0; p < 2; p++) {
		char *path = xstrdup(sd_test_data(paths[p]));
		ck_assert_int_eq(db_probe(path), DB_KIND_DESKTOP);
		sd_report *r = check(path);
		ck_assert(r->is_database);
		ck_assert_int_eq(r->verdict, VERDICT_OK);
		ck_assert(r->has_discovery_key);
		ck_assert_str_eq(r->discovery_key,
		                 json_string_value(json_object_get(x, "discoveryKey")));
		json_t *feeds = json_object_get(x, "feeds");
		ck_assert_uint_eq(r->n_feeds, json_array_size(feeds));
		for (size_t i = 0; i < r->n_feeds; i++) {
			json_t *f = json_array_get(feeds, i);
			ck_assert_str_eq(r->feeds[i].key_hex,
			                 json_string_value(json_object_get(f, "key")));
			ck_assert_uint_eq(r->feeds[i].length, (uint64_t)json_integer_value(
			                                          json_object_get(f, "length")));
			ck_assert_uint_eq(r->feeds[i].verified, r->feeds[i].length);
			ck_assert_int_eq(r->feeds[i].own, json_is_true(json_object_get(f, "own")));
		}
		/* Database status: sofar/total per feed key */
		json_t *ds;
		size_t k;
		json_array_foreach(json_object_get(x, "databaseStatus"), k, ds)
		{
			bool seen = false;
			for (size_t i = 0; i < r->n_feeds; i++)
				if (!strcmp(r->feeds[i].key_hex,
				            json_string_value(json_object_get(ds, "id")))) {
					seen = true;
					ck_assert_uint_eq(r->feeds[i].present,
					                  (uint64_t)json_integer_value(
					                      json_object_get(ds, "sofar")));
					ck_assert_uint_eq(r->feeds[i].length,
					                  (uint64_t)json_integer_value(
					                      json_object_get(ds, "total")));
				}
			ck_assert(seen);
		}
		/* every observation mapeo-core lists, and nothing else */
		json_t *obs = json_object_get(x, "observations");
		ck_assert_uint_eq(r->n_heads, json_array_size(obs));
		json_t *o;
		json_array_foreach(obs, k, o)
		{
			bool seen = false;
			for (size_t i = 0; i < r->n_heads && !seen; i++) {
				report_head h;
				report_head_get(r, i, &h);
				seen = !strcmp(h.id, json_string_value(json_object_get(o, "id")));
			}
			ck_assert_msg(seen, "observation %s",
			              json_string_value(json_object_get(o, "id")));
		}
		ck_assert_uint_eq(r->media_members,
		                  json_array_size(json_object_get(x, "mediaKeys")));
		const finding *own = find(r, "own-feed");
		ck_assert_ptr_nonnull(own);
		ck_assert_int_eq(own->feed, 0);
		/* the project key is never in a report, though a folder is named after it */
		strbuf b = SB_INIT;
		report_render(r, REPORT_JSON, 80, &b);
		report_render(r, REPORT_TEXT, 80, &b);
		report_render(r, REPORT_YAML, 80, &b);
		ck_assert_ptr_null(strstr(sb_str(&b), KEY_A));
		ck_assert_ptr_nonnull(strstr(sb_str(&b), "\"kind\": \"database\""));
		ck_assert_ptr_nonnull(strstr(sb_str(&b), "database_status"));
		sb_free(&b);
		report_free(r);
		free(path);
	}
	json_decref(x);
}
END_TEST

START_TEST(real_userdata_secret_never_shown)
{
	size_t len;
	uint8_t *sec =
	    sd_test_slurp(sd_test_data("desktop-userdata-A/kappa.db/0/secret_key"), &len);
	ck_assert_uint_eq(len, 64);
	char hex[129];
	keys_hex(sec, 64, hex);
	sd_report *r = check(sd_test_data("desktop-userdata-A"));
	strbuf b = SB_INIT;
	report_render(r, REPORT_JSON, 80, &b);
	report_render(r, REPORT_TEXT, 80, &b);
	report_render(r, REPORT_YAML, 80, &b);
	ck_assert_ptr_null(strstr(sb_str(&b), hex));
	ck_assert_ptr_null(memmem(b.len ? sb_str(&b) : "", b.len, sec, 16));
	char half[33];
	memcpy(half, hex, 32), half[32] = '\0'; /* the private half starts the file */
	ck_assert_ptr_null(strstr(sb_str(&b), half));
	sb_free(&b);
	report_free(r);
	free(sec);
}
END_TEST

/* ---- the layout built in code is the real one ---- */

static json_t *shapes;
static const char *walk_root;

/* A path with keys, numbers and ids replaced by their kind. */
static int add_shape(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (type != FTW_F)
		return 0;
	const char *rel = path + strlen(walk_root) + 1;
	strbuf s = SB_INIT;
	char *copy = xstrdup(rel), *save = NULL;
	char *parent = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(c);
		bool hex = n == 64 && strspn(c, "0123456789abcdef") == 64;
		bool num = n > 0 && strspn(c, "0123456789") == n;
		const char *part = c;
		if (parent && n == 2 && !strcmp(parent, "<kind>"))
			part = "<2>";
		else if (parent && !strcmp(parent, "<2>"))
			part = "<id>";
		else if (hex)
			part = "<key>";
		else if (num)
			part = "<n>";
		else if (!strcmp(c, "original") || !strcmp(c, "preview") || !strcmp(c, "thumbnail"))
			part = "<kind>";
		sb_printf(&s, "/%s", part);
		free(parent);
		parent = xstrdup(part);
	}
	/* the 2-character folder is the first 2 characters of the id */
	const char *last = strrchr(rel, '/');
	if (strstr(sb_str(&s), "/<2>/<id>"))
		ck_assert_int_eq(strncmp(last - 2, last + 1, 2), 0);
	json_object_set_new(shapes, sb_str(&s), json_true());
	free(parent);
	free(copy);
	sb_free(&s);
	return 0;
}

static json_t *shape_of(const char *kappa)
{
	shapes = json_object();
	walk_root = kappa;
	ck_assert_int_eq(nftw(kappa, add_shape, 16, FTW_PHYS), 0);
	return shapes;
}

START_TEST(built_layout_is_upstream)
{
	dbfx_options o = {.own = true, .project_key_hex = KEY_A, .epoch_feed = -1};
	char *ud = build(&o, NULL);
	char *kdb = xasprintf("%s/kappa.db", ud);
	json_t *built = shape_of(kdb);
	json_t *real = shape_of(sd_test_data("desktop-userdata-A/kappa.db"));
	ck_assert_msg(json_equal(built, real), "%s\nvs\n%s", json_dumps(built, JSON_SORT_KEYS),
	              json_dumps(real, JSON_SORT_KEYS));
	json_decref(built), json_decref(real);
	/* and the sizes of what Mapeo writes at fixed size */
	struct stat st;
	char *p = xasprintf("%s/0/localname", kdb);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 7);
	free(p);
	p = xasprintf("%s/%s/tree", kdb, KEY_A);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 32);
	free(p);
	free(kdb);
	done(ud);
}
END_TEST

START_TEST(built_database_reads_like_its_sync_file)
{
	uint8_t secret[64];
	dbfx_options o = {.own = true, .project_key_hex = KEY_A, .epoch_feed = -1};
	char *ud = build(&o, secret);
	sd_report *f = check(sd_test_data("good-project-A.mapeodata"));
	sd_report *d = check(ud);
	ck_assert(d->is_database && !f->is_database);
	ck_assert_int_eq(d->verdict, VERDICT_OK);
	ck_assert_str_eq(d->discovery_key, DK_A);
	ck_assert_uint_eq(d->n_feeds, f->n_feeds);
	for (size_t i = 0; i < d->n_feeds; i++) {
		ck_assert_str_eq(d->feeds[i].key_hex, f->feeds[i].key_hex);
		ck_assert_uint_eq(d->feeds[i].verified, f->feeds[i].verified);
		ck_assert_int_eq(d->feeds[i].own, i == 0);
	}
	ck_assert_uint_eq(d->n_heads, f->n_heads);
	for (size_t i = 0; i < d->n_heads; i++) {
		report_head dh, fh;
		report_head_get(d, i, &dh);
		report_head_get(f, i, &fh);
		ck_assert_str_eq(dh.id, fh.id);
	}
	ck_assert_uint_eq(d->media_members, f->media_members);
	ck_assert_uint_eq(d->media_bytes, f->media_bytes);
	strbuf b = SB_INIT;
	report_render(d, REPORT_JSON, 80, &b);
	report_render(d, REPORT_TEXT, 80, &b);
	report_render(d, REPORT_YAML, 80, &b);
	char hex[129];
	keys_hex(secret, 64, hex);
	ck_assert_ptr_null(strstr(sb_str(&b), hex));
	ck_assert_ptr_null(memmem(sb_str(&b), b.len, secret, 8));
	ck_assert_ptr_null(strstr(sb_str(&b), KEY_A));
	sb_free(&b);
	report_free(f), report_free(d);
	done(ud);
}
END_TEST

/* ---- damage ---- */

START_TEST(planted_epoch_and_cut_photo_listed_worst_first)
{
	dbfx_options o = {.own = true,
	                  .resign = true,
	                  .project_key_hex = KEY_A,
	                  .epoch_feed = 0,
	                  .epoch_block = 3};
	char *ud = build(&o, NULL);
	/* a photo of another observation cut short */
	sd_report *r0 = check(ud);
	ck_assert_int_eq(r0->n_obs, 1);
	ck_assert_int_eq(r0->verdict, VERDICT_PROBLEMS);
	const report_observation *e = &r0->obs[0];
	ck_assert_str_eq(e->created_at, "1970-01-01T00:00:05.000Z");
	ck_assert_ptr_nonnull(e->category);
	ck_assert(e->has_location);
	ck_assert_ptr_nonnull(strstr(e->version, "@3"));
	const finding *fe = find(r0, "date-epoch");
	ck_assert_ptr_nonnull(fe);
	ck_assert_int_eq(fe->feed, 0);
	ck_assert_int_eq(fe->block, 3);
	char *epoch_id = xstrdup(e->id);
	/* every feed still verifies: the dates were planted by a signing writer */
	for (size_t i = 0; i < r0->n_feeds; i++)
		ck_assert_uint_eq(r0->feeds[i].verified, r0->feeds[i].length);
	report_free(r0);

	/* cut a photo an observation (not the 1970 one) refers to */
	char *cmd = xasprintf("ls '%s'/kappa.db/media/original/*/*.jpg | head -1", ud);
	FILE *pp = popen(cmd, "r");
	char photo[4096] = "";
	ck_assert_ptr_nonnull(fgets(photo, sizeof photo, pp));
	pclose(pp);
	free(cmd);
	photo[strcspn(photo, "\n")] = '\0';
	ck_assert_int_eq(truncate(photo, 4000), 0);
	sd_report *r = check(ud);
	ck_assert_uint_eq(r->n_obs, 2);
	/* the photo (an error) comes before the date (a warning) */
	ck_assert_int_eq(r->obs[0].worst, SEV_ERROR);
	ck_assert_int_eq(r->obs[1].worst, SEV_WARNING);
	ck_assert_str_eq(r->obs[1].id, epoch_id);
	const finding *fm = find(r, "media-damaged");
	ck_assert_ptr_nonnull(fm);
	ck_assert_str_eq(fm->observation, r->obs[0].id);
	ck_assert_str_eq(fm->media + strlen("original/"), strrchr(photo, '/') + 1);
	/* every rendering carries the list with date, category, place and check */
	strbuf b = SB_INIT;
	report_render(r, REPORT_TEXT, 200, &b);
	ck_assert_ptr_nonnull(strstr(sb_str(&b), "Observations to look at in Mapeo (2"));
	ck_assert_ptr_nonnull(strstr(sb_str(&b), "1970-01-01T00:00:05.000Z"));
	ck_assert_ptr_nonnull(strstr(sb_str(&b), "failed: date-epoch"));
	ck_assert_ptr_nonnull(strstr(sb_str(&b), "failed: media-damaged"));
	ck_assert(strstr(sb_str(&b), "failed: media-damaged") <
	          strstr(sb_str(&b), "failed: date-epoch"));
	sb_free(&b);
	json_t *j = report_to_json(r);
	json_t *s = json_object_get(json_object_get(j, "observations"), "suspect");
	ck_assert_uint_eq(json_array_size(s), 2);
	json_t *s1 = json_array_get(s, 1);
	ck_assert_str_eq(json_string_value(json_object_get(s1, "created_at")),
	                 "1970-01-01T00:00:05.000Z");
	ck_assert(json_is_real(json_object_get(s1, "lat")) &&
	          json_is_real(json_object_get(s1, "lon")));
	ck_assert(json_is_string(json_object_get(s1, "category")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(s1, "checks"), 0)),
	                 "date-epoch");
	strbuf y = SB_INIT;
	ck_assert(report_json_to_yaml(j, &y));
	ck_assert_ptr_nonnull(strstr(sb_str(&y), "date-epoch"));
	ck_assert_ptr_nonnull(strstr(sb_str(&y), "created_at"));
	sb_free(&y);
	json_decref(j);
	report_free(r);
	free(epoch_id);
	done(ud);
}
END_TEST

START_TEST(flipped_byte_found_in_place)
{
	dbfx_options o = {.own = true, .project_key_hex = KEY_A, .epoch_feed = -1};
	char *ud = build(&o, NULL);
	char *data = xasprintf("%s/kappa.db/1/data", ud);
	size_t len;
	uint8_t *b = sd_test_slurp(data, &len);
	b[len / 2] ^= 0x20;
	sd_test_write(data, b, len);
	free(b);
	sd_report *r = check(ud);
	ck_assert_int_eq(r->verdict, VERDICT_PROBLEMS);
	const finding *f = find(r, "feed-hash-mismatch");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->feed, 1);
	ck_assert_uint_lt(r->feeds[1].verified, r->feeds[1].length);
	ck_assert_uint_eq(r->feeds[0].verified, r->feeds[0].length);
	report_free(r);
	free(data);
	done(ud);
}
END_TEST

/* The last signature of the own feed damaged past one byte: its secret key
 * signs the intact tree to the same bytes again (only a key whose public
 * half is the feed's; a random secret_key signs nothing). */
static void damage_last_signature(const char *ud, uint8_t slot[64])
{
	char *sigs = xasprintf("%s/kappa.db/0/signatures", ud);
	size_t len;
	uint8_t *b = sd_test_slurp(sigs, &len);
	ck_assert_uint_ge(len, 32 + 64);
	memcpy(slot, b + len - 64, 64);
	for (size_t i = 0; i < 3; i++)
		b[len - 64 + 10 * i] ^= 0x41;
	sd_test_write(sigs, b, len);
	free(b);
	free(sigs);
}

START_TEST(own_feed_signature_made_again_with_its_secret_key)
{
	dbfx_options o = {.resign = true, .own = true, .project_key_hex = KEY_A, .epoch_feed = -1};
	uint8_t secret[64], slot[64];
	char *ud = build(&o, secret);
	damage_last_signature(ud, slot);
	sd_report *r = check(ud);
	const finding *f = find(r, "feed-signature-remade");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->feed, 0);
	ck_assert_int_eq(f->severity, SEV_ERROR);
	ck_assert_ptr_null(find(r, "feed-signature-invalid"));
	ck_assert_ptr_null(find(r, "feed-signature-mended"));
	ck_assert(r->feeds[0].sig_mend.on && r->feeds[0].sig_mend.remade);
	ck_assert_mem_eq(r->feeds[0].sig_mend.sig, slot, 64);
	ck_assert_uint_eq(r->feeds[0].verified, r->feeds[0].length);
	char hex[129];
	sodium_bin2hex(hex, sizeof hex, secret, 32);
	ck_assert_ptr_null(strstr(f->message, hex));
	report_free(r);
	done(ud);

	/* a secret_key that is not the feed's */
	dbfx_options alien = {.own = true, .project_key_hex = KEY_A, .epoch_feed = -1};
	ud = build(&alien, NULL);
	damage_last_signature(ud, slot);
	r = check(ud);
	ck_assert_ptr_null(find(r, "feed-signature-remade"));
	ck_assert(!r->feeds[0].sig_mend.on);
	ck_assert_uint_lt(r->feeds[0].verified, r->feeds[0].length);
	report_free(r);
	done(ud);
}
END_TEST

/* A block missing (sparse replication): counted as Desktop's Database status
 * counts it, and reported. Its bit is clear and its place in the data a
 * hole (zeros, as random-access-file leaves it): a clear bit over the
 * block's own bytes is a damaged bitfield instead (test_feed.c). */
START_TEST(feed_with_holes)
{
	dbfx_options o = {.own = true, .project_key_hex = KEY_A, .epoch_feed = -1};
	char *ud = build(&o, NULL);
	char *bf = xasprintf("%s/kappa.db/1/bitfield", ud);
	size_t len;
	uint8_t *b = sd_test_slurp(bf, &len);
	b[32] &= (uint8_t) ~(0x80 >> 2); /* block 2 no longer present */
	sd_test_write(bf, b, len);
	free(b);
	char *tp = xasprintf("%s/kappa.db/1/tree", ud), *dp = xasprintf("%s/kappa.db/1/data", ud);
	size_t tl, dl;
	uint8_t *t = sd_test_slurp(tp, &tl), *d = sd_test_slurp(dp, &dl);
	uint64_t off = 0, size = 0;
	for (int k = 0; k <= 2; k++) { /* leaf 2k at 32 + 80k: its size in its last 8 bytes */
		size = 0;
		for (int i = 0; i < 8; i++)
			size = size << 8 | t[32 + 80 * k + 32 + i];
		off += k < 2 ? size : 0;
	}
	ck_assert_uint_le(off + size, dl);
	memset(d + off, 0, (size_t)size);
	sd_test_write(dp, d, dl);
	free(t), free(d), free(tp), free(dp);
	sd_report *r = check(ud);
	ck_assert_uint_eq(r->feeds[1].length, 7);
	ck_assert_uint_eq(r->feeds[1].present, 6);
	const finding *f = find(r, "feed-incomplete");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->feed, 1);
	json_t *j = report_to_json(r);
	json_t *ds =
	    json_object_get(json_array_get(json_object_get(j, "feeds"), 1), "database_status");
	ck_assert_int_eq(json_integer_value(json_object_get(ds, "sofar")), 6);
	ck_assert_int_eq(json_integer_value(json_object_get(ds, "total")), 7);
	json_decref(j);
	report_free(r);
	free(bf);
	done(ud);
}
END_TEST

START_TEST(feed_gap_and_not_a_database)
{
	dbfx_options o = {.own = true, .project_key_hex = KEY_A, .epoch_feed = -1};
	char *ud = build(&o, NULL);
	char *a = xasprintf("%s/kappa.db/1", ud), *b2 = xasprintf("%s/kappa.db/2", ud);
	ck_assert_int_eq(rename(a, b2), 0);
	sd_report *r = check(ud);
	const finding *f = find(r, "feed-gap");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->feed, 1);
	report_free(r);
	free(a), free(b2);
	done(ud);
	/* an empty folder is no database */
	char *empty = sd_test_tmpdir();
	ck_assert_int_eq(db_probe(empty), DB_KIND_NONE);
	check_options co = {.no_auto_config = true};
	sd_error err;
	ck_assert_int_eq(check_run(empty, &co, NULL, &r, &err), SD_OK);
	ck_assert_int_eq(r->verdict, VERDICT_UNREADABLE);
	ck_assert_ptr_nonnull(strstr(err.msg, "no Mapeo database"));
	report_free(r);
	rm_rf(empty);
	free(empty);
}
END_TEST

START_TEST(temp_folder)
{
	char *dir = sd_test_tmpdir();
	char *tmp = xasprintf("%s/osm-p2p-syncfile-12345", dir);
	dbfx_build_temp(sd_test_data("good-project-B.mapeodata"), tmp);
	ck_assert_int_eq(db_probe(tmp), DB_KIND_TEMP);
	sd_report *r = check(tmp);
	ck_assert(r->is_database);
	ck_assert_uint_eq(r->n_feeds, 2);
	ck_assert(!r->has_discovery_key);
	ck_assert_ptr_nonnull(find(r, "project-unknown"));
	ck_assert_ptr_null(find(r, "own-feed"));
	ck_assert_uint_eq(r->obs_heads, 4);
	report_free(r);
	/* rebuilt for project B with --config, photos cannot come from it */
	rebuild_options ro = {.config_path = sd_test_data("config-B.mapeosettings")};
	rebuild_plan *p = NULL;
	sd_error err;
	ck_assert_int_eq(rebuild_plan_make(tmp, &ro, NULL, &p, &err), SD_OK);
	ck_assert_uint_eq(p->n_feeds, 2);
	ck_assert_uint_eq(p->n_media, 0);
	char *out = xasprintf("%s/out.mapeodata", dir);
	ck_assert_msg(rebuild_write(p, out, &ro, NULL, &err) == SD_OK, "%s", err.msg);
	rebuild_plan_free(p);
	r = check(out);
	ck_assert(!r->is_database);
	ck_assert_str_eq(r->discovery_key,
	                 "97c1152af3cba51b9b7b9837de41f4894696b7a92e36b9e24ea2b4da97341a76");
	ck_assert_uint_eq(r->obs_heads, 4);
	report_free(r);
	free(out), free(tmp);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* A temporary folder holding its database packed (osm-p2p-db.tar), alone
 * or beside the unpacked copy: the tar when whole, else the unpacked one;
 * a rebuild never writes inside it. */
START_TEST(temp_folder_packed)
{
	char *dir = sd_test_tmpdir();
	char *tmp = xasprintf("%s/osm-p2p-syncfile-777", dir);
	char *a = xstrdup(sd_test_data("good-project-A.mapeodata")); /* a static buffer */
	dbfx_build_packed(a, tmp, false, -1);
	ck_assert_int_eq(db_probe(tmp), DB_KIND_TEMP);
	sd_report *r = check(tmp);
	ck_assert(r->is_database);
	ck_assert_str_eq(r->database_copy, "packed");
	ck_assert_uint_eq(r->n_feeds, 2);
	ck_assert_uint_eq(r->obs_heads, 24);
	ck_assert_ptr_null(find(r, "inner-tar-damaged"));
	report_free(r);
	rebuild_options ro = {.config_path = sd_test_data("config-A.mapeosettings")};
	rebuild_plan *p = NULL;
	sd_error err;
	ck_assert_int_eq(rebuild_plan_make(tmp, &ro, NULL, &p, &err), SD_OK);
	char *inside = xasprintf("%s/out.mapeodata", tmp);
	ck_assert_int_eq(rebuild_write(p, inside, &ro, NULL, &err), SD_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "never writes into what it reads"));
	struct stat st;
	ck_assert_int_ne(stat(inside, &st), 0);
	rebuild_plan_free(p);
	free(inside), free(tmp);
	/* both copies: the tar cut in feed 1's data, so the unpacked one */
	tmp = xasprintf("%s/osm-p2p-syncfile-778", dir);
	dbfx_build_packed(a, tmp, true, 27600);
	r = check(tmp);
	ck_assert_str_eq(r->database_copy, "unpacked");
	ck_assert_uint_eq(r->n_feeds, 2);
	ck_assert_uint_eq(r->obs_heads, 24);
	ck_assert_int_eq(r->verdict, VERDICT_OK);
	report_free(r);
	free(tmp), free(a);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* ---- one source interface ---- */

static void append_byte(const char *path)
{
	FILE *f = fopen(path, "ab");
	ck_assert_ptr_nonnull(f);
	fputc(0, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* A sync file and database folders answer, through their src part, every
 * question the diagnosis asks instead of which opener made the view; both
 * read the same feed bytes and both see a change under them. */
START_TEST(sources_answer_what_the_diagnosis_asks)
{
	const char *a = sd_test_data("good-project-A.mapeodata");
	findings fl;
	fnd_init(&fl);
	sd_error err;
	syncfile *sf = NULL;
	ck_assert_int_eq(src_open(a, &sf, &fl, NULL, &err), SD_OK);
	ck_assert_int_eq(sf->src.kind, SRC_SYNC_FILE);
	ck_assert(!db_is_view(sf));
	ck_assert(sf->src.media_first && sf->src.holds_photos && sf->src.in_member);
	ck_assert(!sf->src.own_keys);
	ck_assert_int_eq(sf->src.project, SRC_PROJECT_NAMED);
	ck_assert_ptr_null(sf->src.config_userdata);
	ck_assert_int_eq(src_check_unchanged(sf, &err), SD_OK);
	uint8_t key_file[32], key_db[32];
	ck_assert(sf->n_feeds >= 1 && sf->feeds[0].key.size == 32);
	ck_assert_int_eq(sf_read(sf, sf->feeds[0].key.off, key_file, 32, &err), SD_OK);
	sf_close(sf);

	/* Desktop's database with its key folder: compared with the
	 * configuration beside it, its secret keys mark its own feed */
	dbfx_options o = {.own = true, .project_key_hex = KEY_A, .epoch_feed = -1};
	char *ud = build(&o, NULL);
	ck_assert_int_eq(src_open(ud, &sf, &fl, NULL, &err), SD_OK);
	ck_assert_int_eq(sf->src.kind, SRC_DATABASE);
	ck_assert(db_is_view(sf));
	ck_assert(!sf->src.media_first && !sf->src.in_member);
	ck_assert(sf->src.holds_photos && sf->src.own_keys);
	ck_assert_int_eq(sf->src.project, SRC_PROJECT_NAMED);
	ck_assert_str_eq(sf->src.config_userdata, ud);
	ck_assert_int_eq(sf_read(sf, sf->feeds[0].key.off, key_db, 32, &err), SD_OK);
	ck_assert(!memcmp(key_file, key_db, 32));
	ck_assert_int_eq(src_check_unchanged(sf, &err), SD_OK);
	char *data = xasprintf("%s/kappa.db/0/data", ud);
	append_byte(data);
	ck_assert_int_eq(src_check_unchanged(sf, &err), SD_ERR_CHANGED);
	ck_assert_ptr_nonnull(strstr(err.msg, data));
	free(data);
	sf_close(sf);
	done(ud);

	/* without the key folder it cannot say its project */
	dbfx_options o2 = {.epoch_feed = -1};
	ud = build(&o2, NULL);
	ck_assert_int_eq(src_open(ud, &sf, &fl, NULL, &err), SD_OK);
	ck_assert_int_eq(sf->src.project, SRC_PROJECT_UNNAMED);
	sf_close(sf);
	done(ud);

	/* a leftover temporary folder: its photos stayed in the sync file */
	char *dir = sd_test_tmpdir();
	char *tmp = xasprintf("%s/osm-p2p-syncfile-1", dir);
	dbfx_build_temp(a, tmp);
	ck_assert_int_eq(src_open(tmp, &sf, &fl, NULL, &err), SD_OK);
	ck_assert_int_eq(sf->src.kind, SRC_DATABASE);
	ck_assert(!sf->src.holds_photos);
	ck_assert_ptr_null(sf->src.config_userdata);
	ck_assert_int_eq(sf->src.project, SRC_PROJECT_UNNAMED);
	sf_close(sf);
	free(tmp);
	rm_rf(dir);
	free(dir);

	/* not a sync file: nothing for step 1 to compare */
	ck_assert_int_eq(
	    src_open(sd_test_data("config-A.v3-tar.mapeosettings"), &sf, &fl, NULL, &err), SD_OK);
	ck_assert_int_eq(sf->src.kind, SRC_SYNC_FILE);
	ck_assert_int_eq(sf->src.project, SRC_PROJECT_NONE);
	sf_close(sf);
	fnd_free(&fl);
}
END_TEST

/* ---- rebuild from a database ---- */

static char *tree_state(const char *dir)
{
	char *cmd =
	    xasprintf("cd '%s' && find . -type f -exec stat -c '%%n %%s %%Y' {} + | sort && "
	              "find . -type f -exec cat {} + | cksum",
	              dir);
	FILE *p = popen(cmd, "r");
	strbuf s = SB_INIT;
	char line[4096];
	while (fgets(line, sizeof line, p))
		sb_add(&s, line);
	pclose(p);
	free(cmd);
	char *r = xstrdup(sb_str(&s));
	sb_free(&s);
	return r;
}

START_TEST(rebuild_database_without_secrets)
{
	uint8_t secret[64];
	dbfx_options o = {.own = true,
	                  .resign = true,
	                  .project_key_hex = KEY_A,
	                  .epoch_feed = 0,
	                  .epoch_block = 5};
	char *ud = build(&o, secret);
	char *before = tree_state(ud);
	rebuild_options ro = {.config_path = sd_test_data("config-A.mapeosettings")};
	rebuild_plan *p = NULL;
	sd_error err;
	char *out = xasprintf("%s/../all.mapeodata", ud);
	ck_assert_int_eq(rebuild_plan_make(ud, &ro, NULL, &p, &err), SD_OK);
	ck_assert(!p->changes_project);
	ck_assert_uint_eq(p->n_media, 30);
	rebuild_media_iter it = {0, 0};
	sf_member m;
	bool damaged;
	size_t n = 0;
	for (; rebuild_media_next(p, &it, &m, &damaged); n++) /* as upstream names them: no
	                                                           2-character folder */
		ck_assert_msg(strchr(m.name, '/') == strrchr(m.name, '/') &&
		                  strlen(strchr(m.name, '/') + 1) > 32 && !damaged,
		              "%s", m.name);
	ck_assert_uint_eq(n, 30);
	ck_assert_msg(rebuild_write(p, out, &ro, NULL, &err) == SD_OK, "%s", err.msg);
	rebuild_plan_free(p);
	size_t len;
	uint8_t *bytes = sd_test_slurp(out, &len);
	char hex[129];
	keys_hex(secret, 64, hex);
	ck_assert_ptr_null(memmem(bytes, len, secret, 64));
	ck_assert_ptr_null(memmem(bytes, len, secret, 32));
	ck_assert_ptr_null(memmem(bytes, len, hex, 128));
	ck_assert_ptr_null(memmem(bytes, len, "secret_key", 10));
	ck_assert_ptr_null(memmem(bytes, len, "localname", 9));
	ck_assert_ptr_null(memmem(bytes, len, KEY_A, 64));
	uint8_t kraw[32];
	keys_decode(KEY_A, kraw);
	ck_assert_ptr_null(memmem(bytes, len, kraw, 32));
	free(bytes);
	sd_report *r = check(out);
	ck_assert_str_eq(r->discovery_key, DK_A);
	ck_assert_uint_eq(r->obs_heads, 24);
	ck_assert_uint_eq(r->media_members, 30);
	ck_assert_ptr_nonnull(find(r, "date-epoch")); /* kept: not asked to leave it out */
	report_free(r);

	/* --exclude-suspect: feed 0 ends before block 5, and the plan says so */
	ro.exclude_suspect = true;
	ck_assert_int_eq(rebuild_plan_make(ud, &ro, NULL, &p, &err), SD_OK);
	ck_assert_uint_eq(p->feeds[0].keep, 5);
	ck_assert_uint_eq(p->feeds[0].length, 20);
	bool said = false;
	size_t nc, nd;
	char **changes = rebuild_plan_lines(p, true, &nc),
	     **dropped = rebuild_plan_lines(p, false, &nd);
	for (size_t i = 0; i < nc; i++)
		said = said || strstr(changes[i], "cut before block 5") != NULL;
	ck_assert(said);
	ck_assert_uint_ge(nd, 15);
	free(changes), free(dropped);
	char *cut = xasprintf("%s/../cut.mapeodata", ud);
	ck_assert_msg(rebuild_write(p, cut, &ro, NULL, &err) == SD_OK, "%s", err.msg);
	rebuild_plan_free(p);
	r = check(cut);
	ck_assert_ptr_null(find(r, "date-epoch"));
	ck_assert_int_eq(r->verdict, VERDICT_OK);
	ck_assert_uint_eq(r->feeds[0].length, 5);
	report_free(r);

	/* the same on a sync file that carries the suspect observation */
	ck_assert_int_eq(rebuild_plan_make(out, &ro, NULL, &p, &err), SD_OK);
	ck_assert_uint_eq(p->feeds[0].keep, 5);
	rebuild_plan_free(p);

	/* the database was read, never written */
	char *after = tree_state(ud);
	ck_assert_str_eq(before, after);
	free(before), free(after), free(out), free(cut);
	done(ud);
}
END_TEST

/* A database changed between the plan and the write (Mapeo running): the
 * write is refused and nothing is left under the output's name. */
START_TEST(rebuild_refuses_a_database_changed_after_the_plan)
{
	dbfx_options o = {.own = true, .epoch_feed = -1};
	char *ud = build(&o, NULL);
	rebuild_options ro = {.config_path = sd_test_data("config-A.mapeosettings")};
	rebuild_plan *p = NULL;
	sd_error err;
	ck_assert_int_eq(rebuild_plan_make(ud, &ro, NULL, &p, &err), SD_OK);
	char *data = xasprintf("%s/kappa.db/0/data", ud);
	FILE *f = fopen(data, "ab");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs("{}\n", f) >= 0, 1);
	fclose(f);
	char *out = xasprintf("%s/../changed.mapeodata", ud);
	ck_assert_int_eq(rebuild_write(p, out, &ro, NULL, &err), SD_ERR_CHANGED);
	ck_assert_ptr_nonnull(strstr(err.msg, "changed while it was being read"));
	ck_assert_int_ne(access(out, F_OK), 0);
	rebuild_plan_free(p);
	free(data), free(out);
	done(ud);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("database");
	TCase *t = tcase_create("database");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, real_userdata_matches_expected);
	tcase_add_test(t, real_userdata_secret_never_shown);
	tcase_add_test(t, built_layout_is_upstream);
	tcase_add_test(t, built_database_reads_like_its_sync_file);
	tcase_add_test(t, planted_epoch_and_cut_photo_listed_worst_first);
	tcase_add_test(t, flipped_byte_found_in_place);
	tcase_add_test(t, own_feed_signature_made_again_with_its_secret_key);
	tcase_add_test(t, feed_with_holes);
	tcase_add_test(t, feed_gap_and_not_a_database);
	tcase_add_test(t, temp_folder);
	tcase_add_test(t, temp_folder_packed);
	tcase_add_test(t, sources_answer_what_the_diagnosis_asks);
	tcase_add_test(t, rebuild_database_without_secrets);
	tcase_add_test(t, rebuild_refuses_a_database_changed_after_the_plan);
	suite_add_tcase(s, t);
	return s;
}

int main(void) { return sd_test_run(suite()); }
