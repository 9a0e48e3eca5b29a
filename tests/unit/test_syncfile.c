/* The reader against the real fixtures, and against damaged variants made
 * here in code: every structural finding with its location. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "damage.h"
#include "io.h"
#include "keys.h"
#include "sfindex.h"
#include "sfwrite.h"
#include "strbuf.h"
#include "syncfile.h"
#include "tar.h"
#include "testutil.h"

#define KEY_A "ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e"
#define DK_A  "c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af"
#define DK_B  "97c1152af3cba51b9b7b9837de41f4894696b7a92e36b9e24ea2b4da97341a76"

static syncfile *open_sf(const char *path, findings *fl)
{
	syncfile *sf = NULL;
	sd_error err;
	fnd_init(fl);
	ck_assert_int_eq(sf_open(path, &sf, fl, NULL, &err), SD_OK);
	return sf;
}

/* Every fixture gives the feeds, media and discovery key upstream wrote. */
static void check_fixture(const char *name, const char *dk, size_t nfeeds, const char *keys[])
{
	char fname[128], ename[128];
	snprintf(fname, sizeof fname, "%s.mapeodata", name);
	snprintf(ename, sizeof ename, "%s.expected.json", name);
	findings fl;
	syncfile *sf = open_sf(sd_test_data(fname), &fl);
	ck_assert_int_eq(sf->era, SF_ERA_KAPPA_OSM_V2);
	ck_assert(sf->has_index);
	ck_assert_ptr_nonnull(sf->db);
	ck_assert_str_eq(sf->p2p_db, "kappa-osm");
	if (dk) {
		ck_assert(sf->has_discovery_key);
		ck_assert_str_eq(sf->discovery_key, dk);
	} else {
		ck_assert(!sf->has_discovery_key);
	}
	ck_assert_uint_eq(sf->n_feeds, nfeeds);
	for (size_t i = 0; i < nfeeds; i++) {
		ck_assert_int_eq(sf->feeds[i].index, (int)i);
		ck_assert(sf->feeds[i].key.present && sf->feeds[i].key.size == 32);
		ck_assert(sf->feeds[i].tree.present && sf->feeds[i].signatures.present &&
		          sf->feeds[i].bitfield.present);
		ck_assert(!sf->feeds[i].has_secret_key);
		uint8_t k[32];
		ck_assert_int_eq(sf_read(sf, sf->feeds[i].key.off, k, 32, NULL), SD_OK);
		char hex[KEYS_HEX_SIZE];
		for (int j = 0; j < 32; j++)
			sprintf(hex + 2 * j, "%02x", k[j]);
		ck_assert_str_eq(hex, keys[i]);
	}
	json_t *e = json_load_file(sd_test_data(ename), 0, NULL);
	ck_assert_ptr_nonnull(e);
	json_t *mk = json_object_get(e, "mediaKeys");
	ck_assert_uint_eq(sf->n_media, json_array_size(mk));
	size_t i;
	json_t *v;
	json_array_foreach(mk, i, v)
	{
		sf_member m;
		ck_assert_msg(sf_find_member(sf, json_string_value(v), &m), "media %s not found",
		              json_string_value(v));
		ck_assert(m.in_index);
	}
	json_decref(e);
	/* a healthy file has no structural problem */
	ck_assert_uint_eq(fnd_count(&fl, SEV_WARNING), 0);
	sf_close(sf);
	fnd_free(&fl);
}

/* Feed keys from tests/data/manifest.json. */
static const char *manifest_key(const char *file, size_t step)
{
	static char buf[8][KEYS_HEX_SIZE];
	static int n;
	json_t *m = json_load_file(sd_test_data("manifest.json"), 0, NULL);
	ck_assert_ptr_nonnull(m);
	json_t *steps =
	    json_object_get(json_object_get(json_object_get(m, "files"), file), "steps");
	size_t found = 0, i;
	json_t *s;
	const char *r = NULL;
	json_array_foreach(steps, i, s)
	{
		json_t *k = json_object_get(s, "deviceFeed");
		if (!json_is_string(k))
			continue;
		if (found++ == step) {
			char *slot = buf[n++ % 8];
			snprintf(slot, 65, "%s", json_string_value(k));
			r = slot;
			break;
		}
	}
	json_decref(m);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* The index a writer streams (its entries' text, past 256 KiB in a
 * temporary file) is, byte for byte, what jansson wrote for the same
 * object: names that need escapes, a name that is not UTF-8 (left out, as
 * jansson leaves out such a key), and enough of them to spill. */
START_TEST(index_text_as_jansson_writes_it)
{
	char *dir = sd_test_tmpdir();
	char *out = xasprintf("%s/ix.mapeodata", dir);
	sd_output *o = NULL;
	sd_error err;
	ck_assert_int_eq(sdout_open(out, true, &o, &err), SD_OK);
	sfw *w = sfw_begin(o, 1700000000);
	json_t *want = json_object();
	static const char *const odd[] = {
	    "original/q\"uote.jpg",           "original/back\\slash.jpg", "original/tab\there.jpg",
	    "original/\xc3\xa9t\xc3\xa9.jpg", "original/bad\xff.jpg",     "original/ctl\x01.jpg"};
	uint64_t off = 0;
	size_t refused = 0;
	for (size_t i = 0; i < 6000; i++) {
		char name[64];
		if (i < sizeof odd / sizeof odd[0])
			snprintf(name, sizeof name, "%s", odd[i]);
		else
			snprintf(name, sizeof name, "original/%06zu-%s.jpg", i, i % 2 ? "a" : "bb");
		size_t size = 1 + i % 3;
		/* a name no tar header can hold is refused before a byte is written */
		if (sfw_add_buf(w, name, "xyz", size, &err) != SD_OK) {
			ck_assert_uint_lt(i, sizeof odd / sizeof odd[0]);
			refused++;
			continue;
		}
		json_t *e = json_object();
		json_object_set_new(e, "offset", json_integer((json_int_t)off));
		json_object_set_new(e, "size", json_integer((json_int_t)size));
		json_object_set_new(want, name, e); /* refused (not UTF-8): left out */
		off += TAR_BLOCK + tar_padded(size);
	}
	/* tar headers hold printable ASCII only: the quote and the backslash stay */
	ck_assert_uint_eq(refused, 4);
	ck_assert_int_eq(sfw_finish(w, "kappa-osm", NULL, &err), SD_OK);
	ck_assert_int_eq(sdout_commit(o, NULL, NULL, &err), SD_OK);
	json_t *root = json_object(), *ud = json_object(), *sf = json_object();
	json_object_set_new(root, "index", want);
	json_object_set_new(ud, "version", json_string("2.0.0"));
	json_object_set_new(sf, "p2p-db", json_string("kappa-osm"));
	json_object_set_new(ud, "syncfile", sf);
	json_object_set_new(root, "userdata", ud);
	char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	size_t len = strlen(text);
	ck_assert_uint_gt(len, 256u << 10); /* the entries went to the temporary file */
	/* the index member follows the last photo: its header, then the text */
	FILE *f = fopen(out, "rb");
	ck_assert_ptr_nonnull(f);
	char *got = xmalloc(len + 1);
	uint8_t h[TAR_BLOCK];
	ck_assert_int_eq(fseeko(f, (off_t)off, SEEK_SET), 0);
	ck_assert_uint_eq(fread(h, 1, TAR_BLOCK, f), TAR_BLOCK);
	ck_assert_str_eq((const char *)h, "___index.json");
	ck_assert_uint_eq(fread(got, 1, len, f), len);
	got[len] = '\0';
	ck_assert_int_eq(memcmp(got, text, len), 0);
	fclose(f);
	free(got);
	free(text);
	unlink(out);
	free(out);
	free(dir);
}
END_TEST

START_TEST(fixtures_read_as_upstream_wrote_them)
{
	const char *a[] = {manifest_key("good-project-A", 0), manifest_key("good-project-A", 1)};
	check_fixture("good-project-A", DK_A, 2, a);
	const char *b[] = {manifest_key("good-project-B", 0), manifest_key("good-project-B", 1)};
	check_fixture("good-project-B", DK_B, 2, b);
	const char *n[] = {manifest_key("good-no-key", 0), manifest_key("good-no-key", 1)};
	check_fixture("good-no-key", NULL, 2, n);
	const char *e[] = {manifest_key("edge-empty-device-A", 0)};
	check_fixture("edge-empty-device-A", DK_A, 1, e);
}
END_TEST

START_TEST(reading_never_changes_the_input)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	struct stat before, after;
	ck_assert_int_eq(stat(p, &before), 0);
	size_t n1, n2;
	uint8_t *b1 = sd_test_slurp(p, &n1);
	sd_report *r = dmg_check(p);
	report_free(r);
	uint8_t *b2 = sd_test_slurp(p, &n2);
	ck_assert_int_eq(stat(p, &after), 0);
	ck_assert_uint_eq(n1, n2);
	ck_assert(memcmp(b1, b2, n1) == 0);
	ck_assert_int_eq(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	ck_assert_int_eq(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	free(b1), free(b2);
	dmg_done(p);
}
END_TEST

static void expect(const char *path, const char *code, int64_t offset, const char *member)
{
	sd_report *r = dmg_check(path);
	const finding *f = dmg_find(r, code);
	ck_assert_msg(f != NULL, "%s: expected finding %s", path, code);
	if (offset != -2)
		ck_assert_int_eq(f->offset, offset);
	if (member)
		ck_assert_msg(f->member && !strcmp(f->member, member), "member %s, expected %s",
		              f->member ? f->member : "(none)", member);
	ck_assert_int_eq(r->verdict, f->severity >= SEV_WARNING ? VERDICT_PROBLEMS : r->verdict);
	report_free(r);
}

START_TEST(tiny_and_foreign_files)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	dmg_truncate(p, 1000);
	expect(p, "file-too-small", 0, NULL);
	dmg_truncate(p, 0);
	expect(p, "file-too-small", 0, NULL);
	uint8_t rnd[4096];
	for (size_t i = 0; i < sizeof rnd; i++)
		rnd[i] = (uint8_t)(i * 7919 + 13);
	dmg_write(p, 0, rnd, sizeof rnd);
	expect(p, "not-a-sync-file", 0, NULL);
	dmg_done(p);

	p = dmg_copy("config-A.mapeosettings"); /* a ZIP */
	expect(p, "not-a-sync-file", 0, NULL);
	uint8_t gz[2048] = {0x1f, 0x8b, 8, 0};
	dmg_write(p, 0, gz, sizeof gz);
	dmg_truncate(p, sizeof gz);
	sd_report *r = dmg_check(p);
	ck_assert_str_eq(r->era, "gzip-v0");
	ck_assert_ptr_nonnull(dmg_find(r, "era-legacy-gzip"));
	report_free(r);
	dmg_done(p);
}
END_TEST

START_TEST(unreadable_inputs)
{
	sd_report *r;
	sd_error err;
	check_options opt = {.no_auto_config = true};
	char *dir = sd_test_tmpdir();
	ck_assert_int_eq(check_run(dir, &opt, NULL, &r, &err), SD_OK);
	ck_assert_int_eq(r->verdict, VERDICT_UNREADABLE);
	ck_assert_ptr_nonnull(strstr(err.msg, dir));
	report_free(r);
	char fifo[4096];
	snprintf(fifo, sizeof fifo, "%s/pipe", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(check_run(fifo, &opt, NULL, &r, &err), SD_OK);
	ck_assert_int_eq(r->verdict, VERDICT_UNREADABLE);
	report_free(r);
	unlink(fifo);
	snprintf(fifo, sizeof fifo, "%s/missing.mapeodata", dir);
	ck_assert_int_eq(check_run(fifo, &opt, NULL, &r, &err), SD_OK);
	ck_assert_int_eq(r->verdict, VERDICT_UNREADABLE);
	report_free(r);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(truncations)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	uint64_t size = dmg_size(p);
	/* a length that is not a multiple of 512 */
	dmg_truncate(p, size - 100);
	expect(p, "truncated-file", (int64_t)((size - 100) / 512 * 512), NULL);
	dmg_done(p);

	p = dmg_copy("good-project-A.mapeodata");
	findings fl;
	syncfile *sf = open_sf(p, &fl);
	uint64_t db = sf->db->header_off, idx = sf->index_member->header_off;
	sf_close(sf);
	fnd_free(&fl);
	/* cut inside the database: no index either */
	dmg_truncate(p, db + 512 + 5120);
	expect(p, "truncated-file", (int64_t)db, "osm-p2p-db.tar");
	expect(p, "missing-index", -2, NULL);
	dmg_done(p);

	/* the index and trailer gone */
	p = dmg_copy("good-project-A.mapeodata");
	dmg_truncate(p, idx);
	expect(p, "missing-index", -2, NULL);
	dmg_done(p);

	/* the trailer cut */
	p = dmg_copy("good-project-A.mapeodata");
	dmg_truncate(p, size - 1024);
	expect(p, "missing-trailer", -2, NULL);
	dmg_done(p);
}
END_TEST

START_TEST(index_damage)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	char *json = dmg_index_json(p);
	/* one byte in the top-level key: upstream silently reads the old format */
	char *bad = dmg_replace(json, "{\"index\"", "{\"indey\"");
	dmg_rewrite_index(p, bad);
	expect(p, "damaged-index", -2, "___index.json");
	free(bad);
	/* not JSON */
	bad = dmg_replace(json, "\"userdata\"", "\"userdata");
	dmg_rewrite_index(p, bad);
	expect(p, "damaged-index", -2, "___index.json");
	free(bad);
	/* an entry pointing one byte off */
	bad = dmg_replace(json, "\"osm-p2p-db.tar\":{\"offset\":554496",
	                  "\"osm-p2p-db.tar\":{\"offset\":554497");
	dmg_rewrite_index(p, bad);
	expect(p, "index-disagrees", 554497, "osm-p2p-db.tar");
	free(bad);
	/* no userdata */
	char *cut = strstr(json, ",\"userdata\"");
	ck_assert_ptr_nonnull(cut);
	char *nou = strndup(json, (size_t)(cut - json));
	char *nou2 = malloc(strlen(nou) + 2);
	sprintf(nou2, "%s}", nou);
	dmg_rewrite_index(p, nou2);
	expect(p, "userdata-missing", -2, NULL);
	sd_report *r = dmg_check(p);
	ck_assert(r->project_default);
	report_free(r);
	free(nou), free(nou2);
	/* a hyperlog file */
	bad = dmg_replace(json, "\"p2p-db\":\"kappa-osm\"", "\"p2p-db\":\"hyperlog\"");
	dmg_rewrite_index(p, bad);
	r = dmg_check(p);
	ck_assert_str_eq(r->era, "hyperlog-v1");
	ck_assert_ptr_nonnull(dmg_find(r, "era-hyperlog"));
	report_free(r);
	free(bad);
	/* a media member left out of the index: dead space, and a photo that is
	 * in the file where Mapeo does not look (not one that did not travel) */
	bad = dmg_replace(json,
	                  "\"thumbnail/f7bd20e3f105ecf7ddbe193e1fca5982.jpg\":{\"offset\":0,"
	                  "\"size\":1730},",
	                  "");
	dmg_rewrite_index(p, bad);
	expect(p, "dead-space", 0, "thumbnail/f7bd20e3f105ecf7ddbe193e1fca5982.jpg");
	r = dmg_check(p);
	ck_assert_ptr_null(dmg_find(r, "attachment-missing"));
	const finding *f = dmg_find(r, "attachment-unindexed");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->media, "thumbnail/f7bd20e3f105ecf7ddbe193e1fca5982.jpg");
	ck_assert_int_eq(f->severity, SEV_WARNING);
	ck_assert_ptr_nonnull(f->observation);
	report_free(r);
	free(bad);
	free(json);
	dmg_done(p);
}
END_TEST

START_TEST(header_damage)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	/* a byte of a media member's name: its checksum no longer matches */
	dmg_flip(p, 2560 + 3);
	expect(p, "bad-header-checksum", 2560, NULL);
	dmg_done(p);

	/* a header whose size was never patched */
	p = dmg_copy("good-project-A.mapeodata");
	dmg_write(p, 2560 + 124, "000000000000", 12);
	dmg_fix_checksum(p, 2560);
	expect(p, "unpatched-header", 2560, "thumbnail/dc31e902d78324ba0439aa27f0dd625b.jpg");
	dmg_done(p);
}
END_TEST

START_TEST(database_damage)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	findings fl;
	syncfile *sf = open_sf(p, &fl);
	uint64_t db_data = sf->db->data_off;
	uint64_t feed1_key = 0, feed1[8];
	size_t n1 = 0;
	char names[8][32];
	for (size_t i = 0; i < sf->n_inner; i++) {
		if (!strcmp(sf->inner[i].name, "1/key"))
			feed1_key = sf->inner[i].off - 512;
		if (!strncmp(sf->inner[i].name, "1/", 2) && n1 < 8) {
			snprintf(names[n1], sizeof names[n1], "2/%s", sf->inner[i].name + 2);
			feed1[n1++] = sf->inner[i].off - 512;
		}
	}
	sf_close(sf);
	fnd_free(&fl);
	ck_assert_uint_ne(feed1_key, 0);

	/* the first inner header */
	dmg_flip(p, db_data + 20);
	expect(p, "inner-tar-damaged", (int64_t)db_data, "osm-p2p-db.tar");
	dmg_flip(p, db_data + 20);

	/* Windows names */
	dmg_rename(p, feed1_key, "1\\key");
	expect(p, "windows-paths", -2, "osm-p2p-db.tar");
	/* feed 1 without its key: Mapeo stops loading there */
	dmg_rename(p, feed1_key, "1/kez");
	expect(p, "feed-key-invalid", -2, NULL);
	/* feed 1 renamed to 2: a gap */
	for (size_t i = 0; i < n1; i++)
		dmg_rename(p, feed1[i], names[i]);
	expect(p, "feed-gap", -2, "osm-p2p-db.tar");
	/* a key-named root feed directory exposes the key */
	dmg_rename(p, feed1_key, KEY_A "/key");
	sd_report *r = dmg_check(p);
	const finding *f = dmg_find(r, "project-key-exposed");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_null(strstr(f->message, KEY_A));
	ck_assert_ptr_nonnull(strstr(f->message, "ae0a6**********"));
	ck_assert_ptr_null(strstr(f->inner, KEY_A));
	report_free(r);
	dmg_done(p);
}
END_TEST

START_TEST(database_missing)
{
	/* media and an index, but the database popped and never re-appended */
	char *p = dmg_copy("good-project-B.mapeodata");
	char *json = dmg_index_json(p);
	findings fl;
	syncfile *sf = open_sf(p, &fl);
	uint64_t db = sf->db->header_off, dbsize = sf->db->size;
	sf_close(sf);
	fnd_free(&fl);
	char from[128];
	snprintf(from, sizeof from, ",\"osm-p2p-db.tar\":{\"offset\":%llu,\"size\":%llu}",
	         (unsigned long long)db, (unsigned long long)dbsize);
	char *bad = dmg_replace(json, from, "");
	dmg_write_index_at(p, db, bad); /* over the database member */
	expect(p, "database-missing", -2, NULL);
	free(bad), free(json);
	dmg_done(p);
}
END_TEST

/* A sync file over 4 GiB (sparse): 64-bit offsets in headers and index. */
START_TEST(larger_than_4_gib)
{
	const uint64_t big = (9ULL << 29); /* 4.5 GiB, a multiple of 512 */
	char *p = dmg_copy("good-project-B.mapeodata");
	findings fl;
	syncfile *sf = open_sf(p, &fl);
	uint64_t idx = sf->index_member->header_off;
	size_t ilen;
	char *itext = sf_index_text(sf, &ilen);
	json_t *root = json_loads(itext, 0, NULL);
	free(itext);
	sf_close(sf);
	fnd_free(&fl);
	ck_assert_ptr_nonnull(root);
	size_t len;
	uint8_t *bytes = sd_test_slurp(p, &len);
	char out[4096];
	snprintf(out, sizeof out, "%s.big", p);
	FILE *f = fopen(out, "wb");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	if (truncate(out, (off_t)(512 + big)) != 0) {
		unlink(out);
		free(bytes);
		json_decref(root);
		dmg_done(p);
		return; /* this file system cannot hold it */
	}
	uint8_t h[512];
	ck_assert(tar_header_build(h, "original/big.jpg", big, 1700000000, 0644, TAR_ENC_PATCHED));
	dmg_write(out, 0, h, sizeof h);
	dmg_write(out, 512 + big, bytes, (size_t)idx); /* every member of B after it */
	json_t *index = json_object_get(root, "index"), *ent;
	const char *name;
	json_object_foreach(index, name, ent)
	{
		json_int_t o = json_integer_value(json_object_get(ent, "offset"));
		json_object_set_new(ent, "offset", json_integer(o + (json_int_t)(512 + big)));
	}
	json_t *bj = json_object();
	json_object_set_new(bj, "offset", json_integer(0));
	json_object_set_new(bj, "size", json_integer((json_int_t)big));
	json_object_set_new(index, "original/big.jpg", bj);
	char *js = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	dmg_write_index_at(out, 512 + big + idx, js);
	ck_assert_uint_gt(dmg_size(out), 4ULL << 30);
	sd_report *r = dmg_check(out);
	ck_assert_str_eq(r->era, "kappa-osm-v2");
	ck_assert_ptr_null(dmg_find(r, "index-disagrees"));
	ck_assert_ptr_null(dmg_find(r, "bad-header-checksum"));
	ck_assert_uint_eq(r->media_members, 7);
	ck_assert_uint_eq(r->media_bytes, 78731 + big);
	ck_assert_uint_eq(r->obs_heads, 4);
	const finding *fd = dmg_find(r, "media-damaged");
	ck_assert_ptr_nonnull(fd);
	ck_assert_str_eq(fd->media, "original/big.jpg");
	ck_assert_uint_eq(r->size,
	                  512 + big + idx + 512 + strlen(js) + (512 - strlen(js) % 512) + 1024);
	report_free(r);
	free(js);
	json_decref(root);
	free(bytes);
	unlink(out);
	dmg_done(p);
}
END_TEST

/* h16a: a check with a configuration. */
static sd_report *check_with(const char *path, const char *config)
{
	char *file = strdup(path); /* sd_test_data() reuses its buffer */
	check_options opt = {.no_auto_config = true, .config_path = sd_test_data(config)};
	sd_report *r = NULL;
	sd_error err;
	ck_assert_int_eq(check_run(file, &opt, NULL, &r, &err), SD_OK);
	free(file);
	return r;
}

static size_t count_code(const sd_report *r, const char *code)
{
	size_t n = 0;
	for (size_t i = 0; i < fnd_n(&r->findings); i++)
		n += !strcmp(fnd_at(&r->findings, i)->code, code);
	return n;
}

/* The database appended again where the index was, and no index (an
 * append that died before its index): the last one is read, the earlier
 * one is listed, and sf_open_db() reads it. With a block of the last one
 * damaged, the check says that the earlier one holds a better copy. */
START_TEST(two_databases)
{
	for (int damaged = 0; damaged < 2; damaged++) {
		char *p = dmg_copy("good-project-A.mapeodata");
		uint64_t first, len, at = dmg_db_again(p, 1, &first, &len);
		syncfile *sf;
		findings fl;
		fnd_init(&fl);
		ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
		ck_assert_uint_eq(sf->db->header_off, at);
		ck_assert_uint_eq(sf->n_other_dbs, 1);
		ck_assert_uint_eq(sf->other_dbs[0], first);
		ck_assert(sf->src.holds_photos);
		if (damaged)
			dmg_flip(p, sf->feeds[0].data.off + 3);
		sf_close(sf);
		fnd_free(&fl);

		sd_error err;
		fnd_init(&fl);
		ck_assert_int_eq(sf_open_db(p, first, &sf, &fl, NULL, &err), SD_OK);
		ck_assert_uint_eq(sf->db->header_off, first);
		ck_assert_uint_eq(sf->n_other_dbs, 0);
		ck_assert(!sf->src.holds_photos);
		ck_assert_uint_eq(sf->n_feeds, 2);
		ck_assert_uint_eq(sf->n_media, 30);
		sf_close(sf);
		fnd_free(&fl);
		/* no database there (the first photo's header) */
		fnd_init(&fl);
		ck_assert_int_eq(sf_open_db(p, 0, &sf, &fl, NULL, &err), SD_ERR_FORMAT);
		ck_assert_ptr_null(sf);
		fnd_free(&fl);

		sd_report *r = dmg_check(p);
		const finding *e = dmg_find(r, "earlier-database"), *d = dmg_find(r, "dead-space");
		if (damaged) {
			ck_assert_ptr_nonnull(e);
			ck_assert_int_eq(e->offset, (int64_t)first);
			ck_assert_ptr_nonnull(
			    strstr(e->message, "a shorter or damaged copy of: 1"));
			ck_assert_ptr_null(d);
		} else {
			ck_assert_ptr_null(e);
			ck_assert_ptr_nonnull(d);
			ck_assert_ptr_nonnull(strstr(d->message, "holds nothing it lacks"));
		}
		report_free(r);
		dmg_done(p);
	}
}
END_TEST

/* A hostile file of many databases and no index: each other one is read
 * again whole, so only the SF_OTHER_DBS_MAX nearest the end are, and a
 * finding says so. */
START_TEST(many_databases)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	uint64_t first, len, at = dmg_db_again(p, SF_OTHER_DBS_MAX + 2, &first, &len);
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
	ck_assert_uint_eq(sf->n_other_dbs, SF_OTHER_DBS_MAX);
	/* the nearest to the last one, in file order */
	for (size_t k = 0; k < sf->n_other_dbs; k++)
		ck_assert_uint_eq(sf->other_dbs[k], at + (k + 1) * len);
	ck_assert_uint_eq(sf->db->header_off, at + (SF_OTHER_DBS_MAX + 1) * len);
	ck_assert(fnd_has(&fl, FND_LIMIT_EXCEEDED));
	sf_close(sf);
	fnd_free(&fl);
	dmg_done(p);
}
END_TEST

/* A feed file the database names twice, the later copy (the one Mapeo
 * keeps) cut short: the check follows Mapeo and says that the earlier copy
 * verifies, and check_earlier_copy() gives that copy. */
START_TEST(earlier_copy)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
	size_t len;
	uint8_t *buf = dmg_repack(sf, p, NULL, NULL, 0, "0/data", 5000, &len);
	dmg_replace_db(sf, p, buf, len);
	sf_close(sf);
	fnd_free(&fl);

	sd_report *r = dmg_check(p);
	ck_assert_uint_eq(r->feeds[0].length, 20);
	ck_assert_uint_lt(r->feeds[0].verified, 20);
	const finding *f = dmg_find(r, "inner-tar-damaged");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->feed, 0);
	ck_assert_ptr_nonnull(strstr(f->message, "verifies 20 blocks"));
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
	ck_assert(sf->feeds[0].twice);
	ck_assert(!sf->feeds[1].twice);
	sf_feed alt;
	report_feed alt_rf;
	findings found;
	fnd_init(&found);
	ck_assert(check_earlier_copy(sf, &sf->feeds[0], &r->feeds[0], &alt, &alt_rf, &found, NULL));
	/* what the check of the copy taken found: that copy is whole (an
	 * earlier copy with a stray bitfield bit: corpus/rebuild) */
	ck_assert(!fnd_has(&found, FND_FEED_HASH_MISMATCH));
	ck_assert(!fnd_has(&found, FND_FEED_BITFIELD_DAMAGED));
	fnd_free(&found);
	ck_assert_uint_eq(alt_rf.verified, 20);
	ck_assert_uint_eq(alt_rf.length, 20);
	ck_assert_uint_lt(alt.data.off, sf->feeds[0].data.off);
	ck_assert_uint_eq(alt.tree.off, sf->feeds[0].tree.off);
	/* a feed that verifies has no better copy to look for */
	ck_assert(!check_earlier_copy(sf, &sf->feeds[1], &r->feeds[1], &alt, &alt_rf, NULL, NULL));
	sf_close(sf);
	fnd_free(&fl);
	report_free(r);
	dmg_done(p);
}
END_TEST

/* Mapeo died while it put the database back (issue 16, item 1): the
 * database's first-pass header (size 0) and part of its inner tar end the
 * file. The inner tar is read from that header on, not as outer members. */
START_TEST(torn_append)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	findings fl;
	syncfile *sf = open_sf(p, &fl);
	uint64_t db_hdr = sf->db->header_off, bf_hdr = 0;
	for (size_t i = 0; i < sf->n_inner; i++)
		if (!strcmp(sf->inner[i].name, "1/bitfield"))
			bf_hdr = sf->inner[i].off - 512;
	sf_close(sf);
	fnd_free(&fl);
	uint64_t len = dmg_torn_append(p, "1/bitfield", 1000);
	ck_assert_uint_eq(len % 512, 1000 % 512); /* cut inside a block, as writes are */

	sf = open_sf(p, &fl);
	ck_assert_ptr_nonnull(sf->db);
	ck_assert(sf->db->unpatched);
	ck_assert(sf->db->truncated);
	ck_assert_uint_eq(sf->db->header_off, db_hdr);
	ck_assert_uint_eq(sf->db->size, len - db_hdr - 512);
	ck_assert_uint_eq(sf->n_members, 31); /* 30 photos and the database: no inner entry */
	ck_assert_uint_eq(sf->n_media, 30);
	ck_assert_uint_eq(sf->n_feeds, 2);
	ck_assert(sf->inner_cut);
	sf_close(sf);
	fnd_free(&fl);

	sd_report *r = check_with(p, "config-A.v3-tar.mapeosettings");
	const finding *f = dmg_find(r, "unpatched-header");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->offset, (int64_t)db_hdr);
	ck_assert_str_eq(f->member, "osm-p2p-db.tar");
	/* the cut entry, as an inner entry with its place */
	f = NULL;
	/* the first: a finding is valid until the next read of its list */
	for (size_t i = 0; i < fnd_n(&r->findings) && !f; i++)
		if (fnd_at(&r->findings, i)->id == FND_INNER_TAR_DAMAGED &&
		    fnd_at(&r->findings, i)->inner &&
		    !strcmp(fnd_at(&r->findings, i)->inner, "1/bitfield"))
			f = fnd_at(&r->findings, i);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->offset, (int64_t)bf_hdr);
	ck_assert_str_eq(f->member, "osm-p2p-db.tar");
	ck_assert_ptr_nonnull(dmg_find(r, "missing-index"));
	f = dmg_find(r, "missing-trailer");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_le(f->offset, (int64_t)len);
	/* the whole feed verifies and its observations count; the cut one is
	 * reported once, not as three damaged headers */
	ck_assert_uint_eq(r->n_feeds, 2);
	ck_assert_uint_eq(r->feeds[0].length, 20);
	ck_assert_uint_eq(r->feeds[0].verified, 20);
	ck_assert_uint_eq(r->obs_heads, 20);
	ck_assert_ptr_null(dmg_find(r, "feed-header-invalid"));
	ck_assert_uint_eq(count_code(r, "inner-tar-damaged"), 2);
	/* the photos of the cut feed's observations are not orphans */
	ck_assert_ptr_null(dmg_find(r, "media-orphan"));
	/* step 1: the project went with the index; no mismatch is predicted */
	ck_assert_ptr_null(dmg_find(r, "project-mismatch"));
	ck_assert_ptr_null(dmg_find(r, "project-default"));
	ck_assert_ptr_nonnull(dmg_find(r, "project-unreadable"));
	ck_assert(r->project_unknown);
	ck_assert(!r->project_default);
	report_free(r);
	dmg_done(p);
}
END_TEST

/* Other places a torn append can stop: inside an entry's header, and
 * inside a feed's data (the blocks before the cut still verify). */
START_TEST(torn_append_elsewhere)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	uint64_t len = dmg_torn_append(p, "1/bitfield", 0);
	dmg_truncate(p, len - 412); /* 100 bytes into 1/bitfield's header */
	sd_report *r = dmg_check(p);
	ck_assert_ptr_nonnull(dmg_find(r, "unpatched-header"));
	const finding *f = dmg_find(r, "inner-tar-damaged");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "100 bytes into the header"));
	ck_assert_ptr_null(strstr(f->message, "Invalid tar header"));
	ck_assert_ptr_null(dmg_find(r, "feed-header-invalid")); /* feed 1: one finding */
	ck_assert_uint_eq(r->feeds[0].verified, 20);
	ck_assert_uint_eq(r->obs_heads, 20);
	report_free(r);
	dmg_done(p);

	p = dmg_copy("good-project-A.mapeodata");
	dmg_torn_append(p, "0/data", 5000);
	r = dmg_check(p);
	ck_assert_uint_eq(r->n_feeds, 1);
	ck_assert_uint_eq(r->feeds[0].length, 20);
	ck_assert_uint_eq(r->feeds[0].intact, 6); /* blocks 0 to 5 end before byte 5000 */
	ck_assert_uint_eq(r->obs_heads, 6);
	/* the photos of the lost observations: one note, not 21 orphans */
	ck_assert_uint_eq(count_code(r, "media-orphan"), 1);
	ck_assert_ptr_nonnull(strstr(dmg_find(r, "media-orphan")->message, "cut"));
	report_free(r);
	dmg_done(p);
}
END_TEST

/* Step 1 says what it cannot know (issue 16 item 8, issue 17 item 3). */
START_TEST(step1_cannot_tell)
{
	/* a Mapeo Desktop 3 file: refused for its database type first */
	char *p = dmg_copy("good-project-A.mapeodata");
	char *json = dmg_index_json(p);
	char *bad = dmg_replace(json, "\"p2p-db\":\"kappa-osm\"", "\"p2p-db\":\"hyperlog\"");
	dmg_rewrite_index(p, bad);
	sd_report *r = check_with(p, "config-B.v3-tar.mapeosettings");
	ck_assert_ptr_null(dmg_find(r, "project-mismatch"));
	const finding *f = dmg_find(r, "project-unreadable");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(
	    strstr(f->message, "trying to sync this kappa-osm database with a hyperlog database!"));
	ck_assert(r->project_unknown);
	report_free(r);
	free(bad);
	free(json);
	/* the index lost */
	dmg_done(p);
	p = dmg_copy("good-project-A.mapeodata");
	findings fl;
	syncfile *sf = open_sf(p, &fl);
	uint64_t idx = sf->index_member->header_off;
	sf_close(sf);
	fnd_free(&fl);
	dmg_truncate(p, idx);
	r = check_with(p, "config-B.v3-tar.mapeosettings");
	ck_assert_ptr_null(dmg_find(r, "project-mismatch"));
	ck_assert_ptr_nonnull(dmg_find(r, "project-unreadable"));
	report_free(r);
	dmg_done(p);
	/* a configuration given as the sync file */
	r = check_with(sd_test_data("config-B.v3-tar.mapeosettings"),
	               "config-A.v3-tar.mapeosettings");
	ck_assert_ptr_nonnull(dmg_find(r, "not-a-sync-file"));
	ck_assert_ptr_null(dmg_find(r, "project-mismatch"));
	ck_assert_ptr_null(dmg_find(r, "missing-index"));
	ck_assert(!r->project_default);
	report_free(r);
	r = check_with(sd_test_data("config-B.mapeosettings"), "config-A.v3-tar.mapeosettings");
	ck_assert_ptr_nonnull(dmg_find(r, "not-a-sync-file"));
	ck_assert_ptr_null(dmg_find(r, "project-mismatch"));
	report_free(r);
	/* a healthy file still gets its answer */
	r = check_with(sd_test_data("good-project-A.mapeodata"), "config-B.v3-tar.mapeosettings");
	ck_assert_ptr_nonnull(dmg_find(r, "project-mismatch"));
	ck_assert_ptr_null(dmg_find(r, "project-unreadable"));
	report_free(r);
}
END_TEST

/* Dangerous names: the quick pass for printable ASCII decides as escaping
 * a copy does, remembered keys included. */
START_TEST(dangerous_names)
{
	ck_assert(!sf_name_dangerous("original/3fa5b1c2d3e4f5a6b7c8d9e0f1a2b3c4.jpg"));
	ck_assert(!sf_name_dangerous("preview/caf\xc3\xa9 photo.jpg"));
	ck_assert(sf_name_dangerous("original/a\x01b.jpg"));
	ck_assert(sf_name_dangerous("original/a\x7f.jpg"));
	ck_assert(sf_name_dangerous("original/\xff.jpg"));
	ck_assert(sf_name_dangerous("original/../x.jpg"));
	ck_assert(sf_name_dangerous("/etc/passwd"));
	const char *key = "5f2a9c0e7b1d4e8fa3c6b9d2e5f8a1c4b7d0e3f6a9c2b5e8d1f4a7c0b3e6d9f2";
	char *name = xasprintf("original/%s.jpg", key);
	ck_assert(!sf_name_dangerous(name));
	keys_note_secret(key); /* a key read by this process is never shown */
	ck_assert(sf_name_dangerous(name));
	ck_assert(!sf_name_dangerous("original/3fa5b1c2d3e4f5a6b7c8d9e0f1a2b3c4.jpg"));
	free(name);
	/* a key that begins with a letter, noted in one case, met in the other
	 * (keys_secret_in() skips bytes by their first letter) */
	const char *lower = "c4b7d0e3f6a9c2b5e8d1f4a7c0b3e6d95f2a9c0e7b1d4e8fa3c6b9d2e5f8a1";
	char *upper = xasprintf("preview/x%sx.jpg",
	                        "C4B7D0E3F6A9C2B5E8D1F4A7C0B3E6D95F2A9C0E7B1D4E8FA3C6B9D2E5F8A1");
	ck_assert(!sf_name_dangerous(upper));
	keys_note_secret(lower);
	ck_assert(sf_name_dangerous(upper));
	ck_assert(keys_secret_in(upper));
	ck_assert(!keys_secret_in("preview/c4b7d0e3.jpg"));
	free(upper);
}
END_TEST

/* Every key a run reads is masked, however many: 'match' over a folder of
 * hundreds of configurations printed the 33rd and later whole. */
START_TEST(many_keys_all_masked)
{
	char key[65];
	for (unsigned i = 0; i < 300; i++) {
		snprintf(key, sizeof key, "%08x%056x", i * 2654435761u, i);
		keys_note_secret(key);
	}
	for (unsigned i = 0; i < 300; i++) {
		snprintf(key, sizeof key, "%08x%056x", i * 2654435761u, i);
		char *line = xasprintf("name %s, its key", key);
		char *m = keys_mask(line);
		ck_assert_msg(strstr(m, key) == NULL, "key %u shown: %s", i, m);
		char footer[16];
		keys_footer_form(key, footer);
		ck_assert_ptr_nonnull(strstr(m, footer));
		free(m), free(line);
	}
}
END_TEST

/* The header parser's one-pass checksum and name gives what the plain
 * per-byte definition gives (unsigned and signed sums, zero block, the
 * ustar prefix, GNU's ignored one), on real headers and on blocks of
 * random bytes with a valid magic or checksum planted in some. */
static void ref_parse(const uint8_t *b, bool *zero, uint32_t *usum, uint32_t *ssum, char *name)
{
	*zero = true;
	*usum = *ssum = 256;
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		if (b[i])
			*zero = false;
		if (i >= 148 && i < 156)
			continue;
		*usum += b[i];
		*ssum += (uint32_t)(int32_t)(int8_t)b[i];
	}
	char nm[101], pre[156];
	memcpy(nm, b, 100), nm[100] = '\0';
	memcpy(pre, b + 345, 155), pre[155] = '\0';
	if (!memcmp(b + 257, "ustar\0", 6) && pre[0])
		snprintf(name, 257, "%s/%s", pre, nm);
	else
		snprintf(name, 257, "%s", nm);
}

START_TEST(header_checksum_and_name)
{
	uint8_t b[TAR_BLOCK];
	uint32_t x = 12345;
	for (int round = 0; round < 3000; round++) {
		if (round % 3 == 0) {
			char nm[40];
			snprintf(nm, sizeof nm, "original/%08x.jpg", (unsigned)round);
			ck_assert(tar_header_build(b, nm, (uint64_t)round * 977, 1700000000, 0644,
			                           round % 2 ? TAR_ENC_PATCHED : TAR_ENC_STREAM));
		} else {
			for (size_t i = 0; i < TAR_BLOCK; i++) {
				x = x * 1103515245u + 12345u;
				b[i] =
				    round % 5 == 1 ? (uint8_t)(x >> 16) & 0x7f : (uint8_t)(x >> 16);
			}
			if (round % 4 == 1)
				memcpy(b + 257, "ustar\0", 6);
			else if (round % 4 == 2)
				memcpy(b + 257, "ustar  \0", 8);
			if (round % 7 == 0)
				b[345] = 0;
		}
		if (round % 11 == 5) /* a signed checksum, as old tars wrote */
			for (size_t i = 0; i < 4; i++)
				b[i] |= 0x80;
		bool zero;
		uint32_t usum, ssum;
		char name[257];
		ref_parse(b, &zero, &usum, &ssum, name);
		if (round % 13 == 3) { /* store the signed or unsigned sum */
			char ck[9];
			snprintf(ck, sizeof ck, "%06o",
			         (unsigned)((round & 1 ? ssum : usum) & 0777777));
			memcpy(b + 148, ck, 6);
			b[154] = '\0', b[155] = ' ';
			ref_parse(b, &zero, &usum, &ssum, name);
		}
		tar_header h;
		tar_header_parse(b, &h);
		ck_assert_uint_eq(h.zero, zero);
		ck_assert_uint_eq(h.checksum_computed, usum);
		ck_assert_str_eq(h.name, name);
		uint64_t stored = 0;
		bool digits = true;
		for (int i = 148; i < 154; i++)
			digits = digits && b[i] >= '0' && b[i] <= '7';
		if (digits) {
			for (int i = 148; i < 154; i++)
				stored = stored * 8 + (uint64_t)(b[i] - '0');
			if (b[154] == '\0' && b[155] == ' ')
				ck_assert_uint_eq(h.checksum_ok, stored == usum || stored == ssum);
		}
	}
	memset(b, 0, sizeof b);
	tar_header h;
	ck_assert(!tar_header_parse(b, &h));
	ck_assert(h.zero);
}
END_TEST

/* The index scanner (sfindex.h) on its own: what it hands over, and that it
 * accepts nothing jansson would read differently. */
typedef struct scan_got {
	char **names;
	uint64_t *off, *size;
	size_t n;
} scan_got;

static void got_entry(void *ud, const char *name, uint64_t offset, uint64_t size)
{
	scan_got *g = ud;
	g->names = realloc(g->names, (g->n + 1) * sizeof *g->names);
	g->off = realloc(g->off, (g->n + 1) * sizeof *g->off);
	g->size = realloc(g->size, (g->n + 1) * sizeof *g->size);
	g->names[g->n] = strdup(name);
	g->off[g->n] = offset;
	g->size[g->n++] = size;
}

static void got_free(scan_got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->names[i]);
	free(g->names), free(g->off), free(g->size);
	memset(g, 0, sizeof *g);
}

static sfi_result scan_text(const char *text, size_t len, scan_got *g, json_t **ud)
{
	static char *dir;
	if (!dir)
		dir = sd_test_tmpdir();
	char path[4096];
	snprintf(path, sizeof path, "%s/index.json", dir);
	FILE *fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	fclose(fp);
	sd_input *in = NULL;
	ck_assert_int_eq(sdin_open(path, &in, NULL), SD_OK);
	memset(g, 0, sizeof *g);
	sfi_result res = sfi_scan(in, 0, len, 4, got_entry, g, ud, NULL);
	sdin_close(in);
	return res;
}

/* The scanner accepts only what jansson reads, and to the same values;
 * returns whether it accepted. */
static bool scan_agrees(const char *text, size_t len)
{
	scan_got g;
	json_t *ud = NULL;
	sfi_result res = scan_text(text, len, &g, &ud);
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (res == SFI_OK) {
		ck_assert_msg(root != NULL,
		              "scanner accepted what jansson refuses (%s at %d): %.*s", jerr.text,
		              jerr.position, (int)(len < 300 ? len : 300), text);
		json_t *idx = json_object_get(root, "index");
		ck_assert(json_is_object(idx));
		ck_assert_uint_eq(json_object_size(root), 1 + (ud != NULL));
		ck_assert_uint_eq(json_object_size(idx), g.n);
		size_t i = 0;
		const char *k;
		json_t *v;
		json_object_foreach(idx, k, v)
		{
			ck_assert_str_eq(k, g.names[i]);
			ck_assert_int_eq(json_integer_value(json_object_get(v, "offset")),
			                 (long long)g.off[i]);
			ck_assert_int_eq(json_integer_value(json_object_get(v, "size")),
			                 (long long)g.size[i]);
			i++;
		}
		ck_assert(ud ? json_equal(ud, json_object_get(root, "userdata"))
		             : !json_object_get(root, "userdata"));
	} else {
		ck_assert(ud == NULL);
	}
	json_decref(ud);
	json_decref(root);
	got_free(&g);
	return res == SFI_OK;
}

START_TEST(index_scanner_cases)
{
	static const struct {
		const char *text;
		bool accepted; /* by the scanner; jansson is asked in scan_agrees */
		size_t n;      /* entries handed over when accepted */
	} cases[] = {
	    {"{\"index\":{\"a\":{\"offset\":0,\"size\":5}},\"userdata\":{\"version\":\"2.0.0\"}}",
	     true, 1},
	    {" {\"userdata\":null , \"index\" : "
	     "{\"b\":{\"size\":1,\"offset\":2},\"a\":{\"offset\":0,"
	     "\"size\":0}}}\r\n",
	     true, 2},
	    {"{\"index\":{}}", true, 0},
	    {"{\"index\":{\"a\":{\"offset\":0,\"size\":5}}", false, 0},   /* cut */
	    {"{\"index\":{\"a\":{\"offset\":0,\"size\":5}},}", false, 0}, /* not JSON */
	    {"{\"index\":{\"a\":{\"offset\":0,\"size\":5},\"a\":{\"offset\":0,\"size\":5}}}", false,
	     0},
	    {"{\"index\":{\"a\":{\"offset\":0,\"offset\":1,\"size\":5}}}", false, 0},
	    {"{\"index\":{\"a\":{\"offset\":\"0\",\"size\":5}}}", false, 0}, /* string offset */
	    {"{\"index\":{\"a\":{\"offset\":-1,\"size\":5}}}", false, 0},
	    {"{\"index\":{\"a\":{\"offset\":1.0,\"size\":5}}}", false, 0},
	    {"{\"index\":{\"a\":{\"offset\":01,\"size\":5}}}", false, 0},
	    {"{\"index\":{\"a\":{\"offset\":99999999999999999999,\"size\":5}}}", false, 0},
	    {"{\"index\":{\"a\":{\"offset\":0,\"size\":5,\"x\":[{}]}}}", false,
	     0}, /* nested junk */
	    {"{\"index\":{},\"junk\":{\"a\":[1,{\"b\":{}}]}}", false, 0},
	    {"{\"index\":{},\"userdata\":{\"a\":1,\"a\":2}}", false, 0},
	    {"{\"index\":{},\"userdata\":{\"a\":\"}\"}}", true, 0},
	    {"{\"index\":{\"\\u00e9\\ud83d\\ude00\\n\":{\"offset\":0,\"size\":5}}}", true, 1},
	    {"{\"index\":{\"\\u0000\":{\"offset\":0,\"size\":5}}}", false, 0},
	    {"{\"index\":{\"\\ud83d\":{\"offset\":0,\"size\":5}}}", false, 0},
	    {"{\"index\":{\"\xc3\xa9\":{\"offset\":0,\"size\":5}}}", true, 1},
	    {"{\"index\":{\"\xc0\xa9\":{\"offset\":0,\"size\":5}}}", false, 0},
	    {"{\"index\":{\"\xed\xa0\x80\":{\"offset\":0,\"size\":5}}}", false, 0},
	    {"{\"index\":{\"a\tb\":{\"offset\":0,\"size\":5}}}", false, 0},
	    {"{\"index\":{}} x", false, 0},
	    {"[]", false, 0},
	    {"", false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t len = strlen(cases[i].text);
		ck_assert_msg(scan_agrees(cases[i].text, len) == cases[i].accepted, "case %zu", i);
		scan_got g;
		json_t *ud = NULL;
		if (scan_text(cases[i].text, len, &g, &ud) == SFI_OK)
			ck_assert_uint_eq(g.n, cases[i].n);
		json_decref(ud);
		got_free(&g);
	}
	/* \u00e9 is the member name é, as jansson decodes it */
	scan_got g;
	json_t *ud = NULL;
	const char *t = "{\"index\":{\"thumbnail/\\u00e9.jpg\":{\"offset\":7,\"size\":5}}}";
	ck_assert_int_eq(scan_text(t, strlen(t), &g, &ud), SFI_OK);
	ck_assert_str_eq(g.names[0], "thumbnail/\xc3\xa9.jpg");
	got_free(&g);
	/* a huge name (over the 64 KiB read chunk), and many entries */
	strbuf sb = SB_INIT;
	size_t name_len = 0;
	sb_add(&sb, "{\"index\":{\"");
	for (int i = 0; i < 200000; i++) {
		sb_add(&sb, i % 7 ? "n" : "\\u00e9");
		name_len += i % 7 ? 1 : 2;
	}
	sb_add(&sb, "\":{\"offset\":0,\"size\":1}");
	for (int i = 0; i < 20000; i++)
		sb_printf(&sb, ",\"m%d\":{\"offset\":%d,\"size\":%d}", i, i * 512, i);
	sb_add(&sb, "},\"userdata\":{\"version\":\"2.0.0\"}}");
	ck_assert(scan_agrees(sb.s, sb.len));
	ck_assert_int_eq(scan_text(sb.s, sb.len, &g, &ud), SFI_OK);
	ck_assert_uint_eq(g.n, 20001);
	ck_assert_uint_eq(strlen(g.names[0]), name_len);
	json_decref(ud);
	got_free(&g);
	sb_free(&sb);
}
END_TEST

/* Real indexes mutated a few hundred ways (a fixed seed): the scanner never
 * accepts what jansson refuses or reads differently. */
START_TEST(index_scanner_agrees_with_jansson)
{
	static const char *const files[] = {"good-project-A.mapeodata", "good-project-B.mapeodata",
	                                    "good-no-key.mapeodata",
	                                    "edge-empty-device-A.mapeodata"};
	static const char alphabet[] = "{}[]\":,\\0123456789-.eEu abnrtfl\x01\x80\xc3\xa9";
	uint64_t seed = 0x5eed2026;
	size_t accepted = 0, refused = 0;
	for (size_t fi = 0; fi < sizeof files / sizeof *files; fi++) {
		char *p = dmg_copy(files[fi]);
		char *json = dmg_index_json(p);
		size_t len = strlen(json);
		ck_assert(scan_agrees(json, len)); /* the real index takes the fast path */
		char *m = malloc(len + 64);
		for (int k = 0; k < 150; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			size_t at = (size_t)(seed >> 33) % len, n = len;
			char c = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
			memcpy(m, json, len);
			switch ((seed >> 8) % 5) {
			case 0: /* one byte replaced */ m[at] = c; break;
			case 1: /* one byte removed */
				memmove(m + at, m + at + 1, len - at - 1);
				n = len - 1;
				break;
			case 2: /* one byte added */
				memmove(m + at + 1, m + at, len - at);
				m[at] = c;
				n = len + 1;
				break;
			case 3: /* cut */ n = at; break;
			default: { /* a span repeated: duplicate names and keys */
				size_t w = len - at < 40 ? len - at : 40;
				memcpy(m + at + w, json + at, w);
				memcpy(m + at + 2 * w, json + at + w, len - at - w);
				n = len + w;
				break;
			}
			}
			if (scan_agrees(m, n))
				accepted++;
			else
				refused++;
		}
		free(m);
		free(json);
		dmg_done(p);
	}
	/* both ways taken, so the comparison means something */
	ck_assert_uint_gt(accepted, 20);
	ck_assert_uint_gt(refused, 100);
}
END_TEST

/* The findings on damaged indexes through the whole reader. */
START_TEST(index_findings)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	char *json = dmg_index_json(p);
	findings fl;
	syncfile *sf = open_sf(p, &fl);
	uint64_t data_off = sf->index_member->data_off;
	ck_assert(sf->has_index);
	size_t base_n = fnd_n(&fl);
	sf_close(sf);
	fnd_free(&fl);
	/* not JSON: jansson's character position, as before */
	char *bad = dmg_replace(json, "\"userdata\"", "\"userdata");
	json_error_t jerr;
	ck_assert_ptr_null(json_loads(bad, JSON_REJECT_DUPLICATES, &jerr));
	dmg_rewrite_index(p, bad);
	char want[512];
	snprintf(want, sizeof want, "the index is not valid JSON (%s, at character %d)", jerr.text,
	         jerr.position);
	sd_report *r = dmg_check(p);
	const finding *f = dmg_find(r, "damaged-index");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->message, want);
	ck_assert_int_eq(f->offset, (int64_t)data_off + jerr.position);
	report_free(r);
	free(bad);
	/* a duplicate entry */
	char *dup = dmg_replace(json, "{\"index\":{",
	                        "{\"index\":{\"osm-p2p-db.tar\":{\"offset\":1,\"size\":2},");
	dmg_rewrite_index(p, dup);
	r = dmg_check(p);
	f = dmg_find(r, "damaged-index");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "duplicate"));
	report_free(r);
	free(dup);
	/* a string offset */
	bad = dmg_replace(json, "\"offset\":554496", "\"offset\":\"554496\"");
	dmg_rewrite_index(p, bad);
	expect(p, "damaged-index", -2, "osm-p2p-db.tar");
	r = dmg_check(p);
	ck_assert_str_eq(dmg_find(r, "damaged-index")->message,
	                 "the index entry for 'osm-p2p-db.tar' has no valid offset and size");
	report_free(r);
	free(bad);
	/* nested junk jansson reads: no finding */
	bad = dmg_replace(json, "{\"index\":{", "{\"junk\":{\"a\":[1,{\"b\":{}}]},\"index\":{");
	dmg_rewrite_index(p, bad);
	sf = open_sf(p, &fl);
	ck_assert(sf->has_index);
	ck_assert_uint_eq(fnd_n(&fl), base_n);
	sf_close(sf);
	fnd_free(&fl);
	free(bad);
	/* \u00e9 in an entry name matches the member é */
	dmg_rename(p, 0, "thumbnail/\xc3\xa9.jpg");
	bad = dmg_replace(json, "thumbnail/f7bd20e3f105ecf7ddbe193e1fca5982.jpg",
	                  "thumbnail/\\u00e9.jpg");
	dmg_rewrite_index(p, bad);
	sf = open_sf(p, &fl);
	sf_member m0;
	sf_member_get(sf, 0, &m0);
	ck_assert_str_eq(m0.name, "thumbnail/\xc3\xa9.jpg");
	ck_assert(m0.in_index);
	for (size_t i = 0; i < fnd_n(&fl); i++)
		ck_assert_int_ne(fnd_at(&fl, i)->id, FND_INDEX_DISAGREES);
	sf_close(sf);
	fnd_free(&fl);
	free(bad);
	/* cut inside the index */
	dmg_truncate(p, data_off + 10);
	r = dmg_check(p);
	f = dmg_find(r, "damaged-index");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "cut: 10 of"));
	report_free(r);
	free(json);
	dmg_done(p);
}
END_TEST

/* The 5,000 photos members_across_blocks writes, read back by place. */
enum { BIG_N = 5000, BIG_HIT = 4500 };

static void check_big(const char *big, bool damaged, uint64_t hit_off[2])
{
	findings fl;
	syncfile *sf = open_sf(big, &fl);
	ck_assert_uint_eq(sf->n_members, BIG_N + 1);
	ck_assert_uint_eq(sf->n_media, BIG_N);
	sf_member m;
	uint64_t prev = 0;
	for (size_t i = 0; i < BIG_N; i++) {
		char want[32];
		snprintf(want, sizeof want, "original/%05zu.jpg", i);
		sf_member_get(sf, i, &m);
		ck_assert_str_eq(m.name, want);
		ck_assert(m.in_index);
		ck_assert_uint_eq(m.size, 1 + i % 700);
		ck_assert_uint_eq(m.data_off, m.header_off + 512);
		ck_assert(i == 0 || m.header_off > prev);
		prev = m.header_off;
		if (i == BIG_HIT || i == BIG_HIT + 1)
			hit_off[i - BIG_HIT] = m.header_off;
	}
	/* the names kept in memory dropped: the same names, read again */
	sf_forget_names(sf);
	ck_assert_ptr_null(sf->names);
	for (size_t i = 0; i < BIG_N; i++) {
		char want[32];
		snprintf(want, sizeof want, "original/%05zu.jpg", i);
		sf_member_get(sf, i, &m);
		ck_assert_str_eq(m.name, want);
		ck_assert_uint_eq(m.size, 1 + i % 700);
	}
	sf_member_peek(sf, BIG_N, &m);
	ck_assert_ptr_null(m.name);
	ck_assert_int_eq(m.kind, SF_KIND_INDEX);
	ck_assert_ptr_nonnull(sf->index_member);
	ck_assert_uint_eq(sf->index_member->header_off, m.header_off);
	ck_assert(sf_find_member(sf, "original/04999.jpg", &m));
	ck_assert(!sf_find_member(sf, "original/05000.jpg", &m));
	ck_assert_int_eq(fnd_has(&fl, FND_BAD_HEADER_CHECKSUM), damaged);
	ck_assert(!fnd_has(&fl, FND_INDEX_DISAGREES));
	ck_assert(!fnd_has(&fl, FND_DEAD_SPACE));
	sf_close(sf);
	fnd_free(&fl);
}

/* Members are kept in blocks of records, the first names in memory and
 * the rest read again from their headers (every budget: all, none, some),
 * the records in memory or, past their budget, in a temporary file read
 * back through a cache of 4 blocks (from the first member, or from the
 * 2,500th: written back, evicted and read again as the walk goes on):
 * a file of 5,000 photos (past the first block) reads each member back by
 * its place, and two headers in a row the walk could not trust (a byte of
 * each name flipped: the first one's size leads to no sound header) that
 * the index vouches for are put back in their place in the second block,
 * under the index's names. */
START_TEST(members_across_blocks)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	char *big = xasprintf("%s.big", p);
	sd_output *o = NULL;
	sd_error err;
	ck_assert_int_eq(sdout_open(big, true, &o, &err), SD_OK);
	sfw *w = sfw_begin(o, 1700000000);
	static char data[700];
	for (size_t i = 0; i < BIG_N; i++) {
		char name[32];
		snprintf(name, sizeof name, "original/%05zu.jpg", i);
		ck_assert_int_eq(sfw_add_buf(w, name, data, 1 + i % 700, &err), SD_OK);
	}
	ck_assert_int_eq(sfw_finish(w, "kappa-osm", NULL, &err), SD_OK);
	ck_assert_int_eq(sdout_commit(o, NULL, NULL, &err), SD_OK);
	static const char *const budgets[] = {"", "0", "40000"};
	static const char *const mbudgets[] = {"", "1", "60000"};
	setenv("SYNCDOCTOR_MEMBER_CACHE", "4", 1);
	uint64_t hit_off[2] = {0, 0};
	for (int damaged = 0; damaged < 2; damaged++) {
		if (damaged) {
			dmg_flip(big, hit_off[0]);
			dmg_flip(big, hit_off[1]);
		}
		for (size_t b = 0; b < 9; b++) {
			setenv("SYNCDOCTOR_NAMES_BUDGET", budgets[b % 3], 1);
			setenv("SYNCDOCTOR_MEMBER_BUDGET", mbudgets[b / 3], 1);
			check_big(big, damaged, hit_off);
		}
	}
	unsetenv("SYNCDOCTOR_NAMES_BUDGET");
	unsetenv("SYNCDOCTOR_MEMBER_BUDGET");
	unsetenv("SYNCDOCTOR_MEMBER_CACHE");
	unlink(big);
	free(big);
	dmg_done(p);
}
END_TEST

/* The names kept in memory are one budget for every open syncfile (a
 * rebuild holds its sources open while it checks its output): a file
 * opened while another holds the budget keeps fewer, and gets it back once
 * that one forgets its names or is closed. */
START_TEST(names_budget_shared)
{
	setenv("SYNCDOCTOR_NAMES_BUDGET", "1500", 1);
	const char *path = sd_test_data("good-project-A.mapeodata");
	findings f1, f2, f3;
	syncfile *a = open_sf(path, &f1);
	ck_assert_uint_gt(a->names_cap, 0);
	syncfile *b = open_sf(path, &f2);
	ck_assert_uint_le(a->names_cap + b->names_cap, 1500);
	ck_assert_uint_lt(b->names_cap, a->names_cap);
	sf_forget_names(a);
	ck_assert_uint_eq(a->names_cap, 0);
	syncfile *c = open_sf(path, &f3);
	ck_assert_uint_le(b->names_cap + c->names_cap, 1500);
	ck_assert_uint_gt(c->names_cap, b->names_cap);
	/* every name still read right, kept or not */
	sf_member ma, mb, mc;
	for (size_t i = 0; i < a->n_members; i++) {
		sf_member_get(a, i, &ma);
		sf_member_get(b, i, &mb);
		sf_member_get(c, i, &mc);
		if (ma.name) {
			ck_assert_str_eq(ma.name, mb.name);
			ck_assert_str_eq(ma.name, mc.name);
		}
	}
	sf_close(a), sf_close(b), sf_close(c);
	fnd_free(&f1), fnd_free(&f2), fnd_free(&f3);
	unsetenv("SYNCDOCTOR_NAMES_BUDGET");
}
END_TEST

/* The index's tail (sfi_tail_text): the userdata only when it is a whole
 * object ending right before the last '}', the entries only when every
 * whole one after the cut is exact. */
START_TEST(index_tail_cases)
{
	static const char ud[] = "{\"version\":\"2.0.0\",\"syncfile\":{\"p2p-db\":\"kappa-osm\"}}";
	static const struct {
		const char *text;
		const char *userdata; /* what is taken, NULL: nothing (SFI_OTHER) */
		size_t n;             /* entries handed over */
		const char *first;    /* the first of them, sorted by name */
	} cases[] = {
	    /* exact: the cut entry left out, the whole one taken */
	    {"e\":5},\"b\":{\"offset\":1024,\"size\":7}},\"userdata\":{\"version\":\"2.0.0\","
	     "\"syncfile\":{\"p2p-db\":\"kappa-osm\"}}}",
	     ud, 1, "b"},
	    /* the whole text, fields in either order, white space */
	    {"{\"index\":{\"a\":{\"offset\":0,\"size\":5}, \"b\" : { \"size\" : 7 , \"offset\" : "
	     "1024 } } ,\n\"userdata\" : {\"version\":\"2.0.0\",\"syncfile\":{\"p2p-db\":"
	     "\"kappa-osm\"}} }\n",
	     ud, 2, "a"},
	    {"{\"index\":{},\"userdata\":{\"a\":1}}", "{\"a\":1}", 0, NULL},
	    /* cut objects: never taken */
	    {"ion\":\"2.0.0\",\"syncfile\":{\"p2p-db\":\"kappa-osm\"}}}", NULL, 0, NULL},
	    {"data\":{\"version\":\"2.0.0\"}}", NULL, 0, NULL},
	    {"\"userdata\":{\"version\":\"2.0.0\"}}", NULL, 0, NULL}, /* its ',' lost */
	    {",\"userdata\":{\"version\":\"2.0.0\"}", NULL, 0, NULL}, /* no top '}' */
	    {",\"userdata\":{\"version\":\"2.0.0\"}}x", NULL, 0, NULL},
	    {",\"userdata\":{\"a\":1},\"index\":{}}", NULL, 0, NULL}, /* not at the end */
	    {",\"userdata\":{\"a\":1,\"a\":2}}", NULL, 0, NULL},      /* jansson refuses */
	    {",\"userdata\":{\"a\":01}}", NULL, 0, NULL},
	    {",\"userdata\":[1]}", NULL, 0, NULL},
	    {"garbage}}", NULL, 0, NULL},
	    {"", NULL, 0, NULL},
	    /* nested braces, strings holding braces and escaped quotes */
	    {"},\"userdata\":{\"a\":{\"b\":{\"c\":[1,{\"d\":2}]}},\"e\":3}}",
	     "{\"a\":{\"b\":{\"c\":[1,{\"d\":2}]}},\"e\":3}", 0, NULL},
	    {"},\"userdata\":{\"a\":\"}}\\\"{\",\"b\":\"\\\\\"}}",
	     "{\"a\":\"}}\\\"{\",\"b\":\"\\\\\"}", 0, NULL},
	    {"},\"userdata\":{\"x\":{\"userdata\":{\"k\":1}}}}", "{\"x\":{\"userdata\":{\"k\":1}}}",
	     0, NULL},
	    {"},\"userdata\":{\"note\":\",\\\"userdata\\\":{}\"}}",
	     "{\"note\":\",\\\"userdata\\\":{}\"}", 0, NULL},
	    /* entries: a name with braces and an escaped quote */
	    {",\"a\\\"}{b\":{\"offset\":0,\"size\":1}},\"userdata\":{}}", "{}", 1, "a\"}{b"},
	    /* ... not taken when what comes before its name is lost */
	    {"\"b\":{\"offset\":1,\"size\":2}},\"userdata\":{}}", "{}", 0, NULL},
	    {"2}},\"userdata\":{}}", "{}", 0, NULL},
	    /* ... nor when the cut falls in a run of backslashes before a quote */
	    {"\\\\\"a\":{\"offset\":1,\"size\":2},\"b\":{\"offset\":1024,\"size\":2}},"
	     "\"userdata\":{}}",
	     "{}", 1, "b"},
	    {",\"a\":{\"offset\":0,\"size\":1},\"b\\\\\":{\"offset\":1,\"size\":2}},\"userdata\":{}"
	     "}",
	     "{}", 2, "a"},
	    /* one entry not exact: none taken, the userdata still is */
	    {",\"a\":{\"offset\":0,\"size\":1},\"b\":{\"offset\":-1,\"size\":1}},\"userdata\":{}}",
	     "{}", 0, NULL},
	    {",\"a\":{\"offset\":01,\"size\":1}},\"userdata\":{}}", "{}", 0, NULL},
	    {",\"a\":{\"offset\":1.5,\"size\":1}},\"userdata\":{}}", "{}", 0, NULL},
	    {",\"a\":{\"offset\":0}},\"userdata\":{}}", "{}", 0, NULL},
	    {",\"a\":{\"offset\":0,\"offset\":1}},\"userdata\":{}}", "{}", 0, NULL},
	    {",\"a\":{\"offset\":0,\"length\":1}},\"userdata\":{}}", "{}", 0, NULL},
	    {",\"a\":{\"offset\":0,\"size\":1,\"x\":2}},\"userdata\":{}}", "{}", 0, NULL},
	    {",\"a\":{\"offset\":0,\"size\":1},\"a\":{\"offset\":0,\"size\":1}},\"userdata\":{}}",
	     "{}", 0, NULL},
	    {"xx},\"userdata\":{}}", "{}", 0, NULL},
	    {",\"\\u0000\":{\"offset\":0,\"size\":1}},\"userdata\":{}}", "{}", 0, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		scan_got g = {0};
		json_t *got = NULL;
		size_t n = 99;
		sfi_result res = sfi_tail_text(cases[i].text, strlen(cases[i].text), got_entry, &g,
		                               &got, &n, NULL);
		ck_assert_msg(res == (cases[i].userdata ? SFI_OK : SFI_OTHER), "case %zu: %d", i,
		              (int)res);
		if (cases[i].userdata) {
			json_t *want = json_loads(cases[i].userdata, 0, NULL);
			ck_assert_msg(want && json_equal(got, want), "case %zu: userdata", i);
			json_decref(want);
		} else {
			ck_assert_msg(got == NULL, "case %zu", i);
		}
		ck_assert_msg(n == cases[i].n && g.n == n, "case %zu: %zu entries (%zu)", i, n,
		              g.n);
		if (cases[i].first) {
			size_t k = 0;
			for (size_t j = 1; j < g.n; j++)
				if (strcmp(g.names[j], g.names[k]) < 0)
					k = j;
			ck_assert_str_eq(g.names[k], cases[i].first);
			ck_assert_uint_eq(g.off[k], !strcmp(cases[i].first, "b") ? 1024 : 0);
		}
		json_decref(got);
		got_free(&g);
	}
	/* a text holding a zero byte is not an intact tail */
	static const char nul[] = "},\"userdata\":{\"a\":\"\0\"}}";
	json_t *got = NULL;
	size_t n = 0;
	ck_assert_int_eq(sfi_tail_text(nul, sizeof nul - 1, got_entry, NULL, &got, &n, NULL),
	                 SFI_OTHER);
}
END_TEST

/* sfi_index_end_text: the end of an index's JSON, cut anywhere, and
 * nothing else (what a rebuild writes anew instead of leaving it out). */
START_TEST(index_end_shapes)
{
	static const struct {
		const char *text;
		bool want;
	} cases[] = {
	    {"on\":\"2.0.0\",\"s\":{\"p2p-db\":\"kappa-osm\"}}}", true}, /* in a string */
	    {"\"offset\":1,\"size\":2}},\"userdata\":{\"a\":[1,true,null]}}", true},
	    {"5,\"size\":2}}}", true},  /* in a number */
	    {"n\":\"x\"}}", true},      /* right after a backslash */
	    {"\\u00e9\"}}", true},      /* in a string, an escape */
	    {"\"a\":1}}\n", true},      /* white space after it */
	    {"\"a\":1}", false},        /* one '}': not the root's end */
	    {"\"a\":1}x", false},       /* something after it */
	    {"\"a\":{\"b\":1}", false}, /* the last '}' closes its own '{' */
	    {"\"a\":[1}}", false},      /* a bracket closed by another kind */
	    {"\"a\":1\x01}}", false},   /* a control character */
	    {"\"a\":1 # }}", false},    /* not JSON's */
	    {"\"a\\q\":1}}", false},    /* no such escape, in or out */
	    {"", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(sfi_index_end_text(cases[i].text, strlen(cases[i].text)) ==
		                  cases[i].want,
		              "case %zu", i);
	static const char nul[] = "\"a\":\"\0\"}}";
	ck_assert(!sfi_index_end_text(nul, sizeof nul - 1));
}
END_TEST

/* sfi_tail() on stored bytes: only where zeros cut the index, and how
 * many bytes after them survive. */
START_TEST(index_tail_reads_after_zeros)
{
	static const char tail[] =
	    "\"a\":{\"offset\":0,\"size\":5},\"b\":{\"offset\":1024,\"size\":7}},\"userdata\":"
	    "{\"version\":\"2.0.0\"}}";
	char *dir = sd_test_tmpdir(), path[4096];
	snprintf(path, sizeof path, "%s/tail.json", dir);
	for (int zeros = 0; zeros < 2; zeros++) {
		FILE *fp = fopen(path, "wb");
		ck_assert_ptr_nonnull(fp);
		fputs("{\"index\":{", fp);
		for (int k = 0; zeros && k < 700; k++)
			fputc(0, fp);
		fputs(tail, fp);
		long len = ftell(fp);
		fclose(fp);
		sd_input *in = NULL;
		ck_assert_int_eq(sdin_open(path, &in, NULL), SD_OK);
		scan_got g = {0};
		json_t *ud = NULL;
		sfi_tail_info info;
		sfi_result res = sfi_tail(in, 0, (uint64_t)len, got_entry, &g, &ud, &info, NULL);
		sdin_close(in);
		if (!zeros) { /* read from its start by the others */
			ck_assert_int_eq(res, SFI_OTHER);
			ck_assert_ptr_null(ud);
			ck_assert_uint_eq(g.n, 0);
			continue;
		}
		ck_assert_int_eq(res, SFI_OK);
		ck_assert_uint_eq(info.intact, strlen(tail));
		ck_assert_uint_eq(info.n_entries, 1); /* "a" lost its ',' to the zeros */
		ck_assert_uint_eq(g.n, 1);
		ck_assert_str_eq(g.names[0], "b");
		ck_assert_str_eq(json_string_value(json_object_get(ud, "version")), "2.0.0");
		json_decref(ud);
		got_free(&g);
	}
	free(dir);
}
END_TEST

/* An intact end longer than what is parsed (2 MiB): the zeros are found
 * further back, every byte after them counted, the entries before the
 * window's start left out as cut. */
START_TEST(index_tail_past_window)
{
	char *dir = sd_test_tmpdir(), path[4096];
	snprintf(path, sizeof path, "%s/big.json", dir);
	FILE *fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	for (int k = 0; k < 1000; k++)
		fputc(0, fp);
	fputs("\"a\":{\"offset\":0,\"size\":1}", fp);
	for (int k = 0; k < 100000; k++)
		fprintf(fp, ",\"original/%06d.jpg\":{\"offset\":%d,\"size\":1}", k, k * 512);
	fputs("},\"userdata\":{\"version\":\"2.0.0\"}}", fp);
	long len = ftell(fp);
	fclose(fp);
	ck_assert_int_gt(len, 3 << 20);
	sd_input *in = NULL;
	ck_assert_int_eq(sdin_open(path, &in, NULL), SD_OK);
	scan_got g = {0};
	json_t *ud = NULL;
	sfi_tail_info info;
	ck_assert_int_eq(sfi_tail(in, 0, (uint64_t)len, got_entry, &g, &ud, &info, NULL), SFI_OK);
	sdin_close(in);
	ck_assert_uint_eq(info.intact, (uint64_t)len - 1000);
	ck_assert_uint_gt(info.n_entries, 40000);
	ck_assert_uint_lt(info.n_entries, 100000);
	ck_assert_uint_eq(g.n, info.n_entries);
	for (size_t i = 0; i < g.n; i++) /* each exact as written */
		ck_assert_uint_eq(g.off[i], 512 * strtoull(g.names[i] + 9, NULL, 10));
	json_decref(ud);
	got_free(&g);
	free(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("syncfile");
	TCase *tc = tcase_create("reader");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fixtures_read_as_upstream_wrote_them);
	tcase_add_test(tc, members_across_blocks);
	tcase_add_test(tc, names_budget_shared);
	tcase_add_test(tc, index_text_as_jansson_writes_it);
	tcase_add_test(tc, header_checksum_and_name);
	tcase_add_test(tc, dangerous_names);
	tcase_add_test(tc, many_keys_all_masked);
	tcase_add_test(tc, reading_never_changes_the_input);
	tcase_add_test(tc, tiny_and_foreign_files);
	tcase_add_test(tc, unreadable_inputs);
	tcase_add_test(tc, truncations);
	tcase_add_test(tc, index_damage);
	tcase_add_test(tc, index_scanner_cases);
	tcase_add_test(tc, index_scanner_agrees_with_jansson);
	tcase_add_test(tc, index_tail_cases);
	tcase_add_test(tc, index_end_shapes);
	tcase_add_test(tc, index_tail_reads_after_zeros);
	tcase_add_test(tc, index_tail_past_window);
	tcase_add_test(tc, index_findings);
	tcase_add_test(tc, header_damage);
	tcase_add_test(tc, database_damage);
	tcase_add_test(tc, database_missing);
	tcase_add_test(tc, larger_than_4_gib);
	tcase_add_test(tc, torn_append);
	tcase_add_test(tc, two_databases);
	tcase_add_test(tc, many_databases);
	tcase_add_test(tc, earlier_copy);
	tcase_add_test(tc, torn_append_elsewhere);
	tcase_add_test(tc, step1_cannot_tell);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
