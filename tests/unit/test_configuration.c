/* Configurations: both containers and a folder, keys in the forms users
 * see, the meaning-level diff, and damaged configurations. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "configuration.h"
#include "configuration_diff.h"
#include "damage.h"
#include "diagnosis.h"
#include "keys.h"
#include "tar.h"
#include "testutil.h"

#define KEY_A "ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e"
#define DK_A  "c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af"
#define KEY_B "7cf227dd1d2d6268a4c39b74552535d7105c4dc154d4fbf3bdfbf9f07e349514"
#define DK_B  "97c1152af3cba51b9b7b9837de41f4894696b7a92e36b9e24ea2b4da97341a76"

/* fl must be initialised by the caller; findings accumulate. */
static mapeo_config *open_cfg(const char *path, findings *fl)
{
	mapeo_config *c = NULL;
	sd_error err;
	ck_assert_int_eq(cfg_open(path, &c, fl, &err), SD_OK);
	return c;
}

START_TEST(keys_and_forms)
{
	char dk[KEYS_HEX_SIZE], f[16];
	ck_assert(keys_discovery_hex(KEY_A, dk));
	ck_assert_str_eq(dk, DK_A);
	ck_assert(keys_discovery_hex(KEY_B, dk));
	ck_assert_str_eq(dk, DK_B);
	keys_footer_form(KEY_A, f);
	ck_assert_str_eq(f, "ae0a6**********");
	keys_footer_form(NULL, f);
	ck_assert_str_eq(f, "MAPEO");
	keys_error_form(DK_B, f);
	ck_assert_str_eq(f, "97c1152");
	keys_error_form("", f);
	ck_assert_str_eq(f, "mapeo-sync");
	char why[256];
	ck_assert(keys_valid_project_key(KEY_A, why, sizeof why));
	ck_assert(!keys_valid_project_key("abc", why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "64"));
	char upper[KEYS_HEX_SIZE];
	strcpy(upper, KEY_A);
	upper[0] = 'A';
	ck_assert(!keys_valid_project_key(upper, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "1"));
	ck_assert(keys_discovery_hex(upper, dk)); /* mapeo-core itself accepts upper case */
	ck_assert_str_eq(dk, DK_A);
}
END_TEST

/* One rule for "same project" (check, match, the wizard): discovery key
 * against discovery key, no key against no key; an undecodable key
 * matches nothing. */
START_TEST(same_project_is_one_rule)
{
	findings fl;
	fnd_init(&fl);
	mapeo_config *a = open_cfg(sd_test_data("config-A.mapeosettings"), &fl);
	mapeo_config *none = open_cfg(sd_test_data("config-no-key.mapeosettings"), &fl);
	ck_assert(cfg_same_project(a, DK_A));
	ck_assert(!cfg_same_project(a, DK_B));
	ck_assert(!cfg_same_project(a, NULL));
	ck_assert(!cfg_same_project(a, ""));
	ck_assert(cfg_same_project(none, NULL));
	ck_assert(cfg_same_project(none, ""));
	ck_assert(!cfg_same_project(none, DK_A));
	ck_assert(cfg_same_project(NULL, NULL));
	ck_assert(!cfg_same_project(NULL, DK_A));
	mapeo_config bad = {.has_key = true}; /* a projectKey Mapeo cannot decode */
	ck_assert(!cfg_same_project(&bad, NULL));
	ck_assert(!cfg_same_project(&bad, ""));
	cfg_free(a);
	cfg_free(none);
	fnd_free(&fl);
}
END_TEST

/* A configuration whose projectKey Mapeo cannot decode: check says so and
 * claims neither a match nor a mismatch (Mapeo stops at the key). */
START_TEST(check_with_an_undecodable_key)
{
	char *dir = sd_test_tmpdir();
	char *meta = xasprintf("%s/metadata.json", dir);
	FILE *f = fopen(meta, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"name\":\"broken\",\"projectKey\":\"not-a-key\"}", f);
	ck_assert_int_eq(fclose(f), 0);
	check_options co = {.config_path = dir, .no_local_mapeo = true, .quick = true};
	sd_report *r = NULL;
	sd_error err;
	ck_assert_int_eq(check_run(sd_test_data("good-no-key.mapeodata"), &co, NULL, &r, &err),
	                 SD_OK);
	ck_assert(fnd_has(&r->findings, FND_CONFIG_INVALID_KEY));
	ck_assert(!fnd_has(&r->findings, FND_PROJECT_MATCH));
	ck_assert(!fnd_has(&r->findings, FND_PROJECT_MISMATCH));
	ck_assert(!r->config_match);
	report_free(r);
	free(meta);
	free(dir);
}
END_TEST

static void touch(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{}", f);
	ck_assert_int_eq(fclose(f), 0);
	free(p);
}

static bool listed(char **list, size_t n, const char *dir, const char *name)
{
	char *want = xasprintf("%s/%s", dir, name);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		found = found || strcmp(list[i], want) == 0;
	free(want);
	return found;
}

/* The search 'match' and the wizard share: configuration files and
 * folders, hidden ones skipped, each once, as deep as asked, no more than
 * asked. */
START_TEST(configurations_are_searched_once)
{
	char *dir = sd_test_tmpdir();
	char *sub = xasprintf("%s/sub", dir), *cfgdir = xasprintf("%s/cfg", dir);
	char *link = xasprintf("%s/again.mapeosettings", dir);
	char *target = xasprintf("%s/a.mapeosettings", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_eq(mkdir(cfgdir, 0700), 0);
	touch(dir, "a.mapeosettings");
	touch(dir, ".hidden.mapeosettings");
	touch(dir, "notes.txt");
	touch(sub, "b.mapeosettings");
	touch(cfgdir, "metadata.json");
	ck_assert_int_eq(symlink(target, link), 0);
	char **l = NULL;
	size_t n = 0, cap = 0;
	cfg_search(dir, 0, 100, &l, &n, &cap);
	ck_assert_uint_eq(n, 2);
	ck_assert(listed(l, n, dir, "a.mapeosettings") || listed(l, n, dir, "again.mapeosettings"));
	ck_assert(listed(l, n, dir, "cfg"));
	cfg_search(dir, 1, 100, &l, &n, &cap); /* already listed ones are not added again */
	ck_assert_uint_eq(n, 3);
	ck_assert(listed(l, n, dir, "sub/b.mapeosettings"));
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	n = 0;
	cfg_search(dir, 1, 1, &l, &n, &cap);
	ck_assert_uint_eq(n, 1);
	free(l[0]);
	n = 0;
	cfg_search(cfgdir, 0, 10, &l, &n, &cap); /* a configuration folder is itself */
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0], cfgdir);
	free(l[0]);
	free(l);
	free(sub), free(cfgdir), free(link), free(target), free(dir);
}
END_TEST

START_TEST(every_real_configuration)
{
	static const struct {
		const char *file, *name, *version, *dk;
		cfg_container cont;
	} t[] = {
	    {"config-A.mapeosettings", "Proyecto A", "1.2.0", DK_A, CFG_ZIP},
	    {"config-A.v3-tar.mapeosettings", "Proyecto A", "1.2.0", DK_A, CFG_TAR},
	    {"config-B.mapeosettings", "Proyecto B", "1.3.0", DK_B, CFG_ZIP},
	    {"config-B.v3-tar.mapeosettings", "Proyecto B", "1.3.0", DK_B, CFG_TAR},
	    {"config-no-key.mapeosettings", NULL, NULL, "", CFG_ZIP},
	    {"config-no-key.v3-tar.mapeosettings", NULL, NULL, "", CFG_TAR},
	    {"desktop-userdata-A/presets/default", "Proyecto A", "1.2.0", DK_A, CFG_DIR},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		findings fl;
		fnd_init(&fl);
		fnd_init(&fl);
		mapeo_config *c = open_cfg(sd_test_data(t[i].file), &fl);
		ck_assert_int_eq(c->container, t[i].cont);
		if (t[i].name) {
			ck_assert_str_eq(c->name, t[i].name);
			ck_assert_str_eq(c->version, t[i].version);
		}
		ck_assert_str_eq(c->discovery_key, t[i].dk);
		ck_assert_int_eq(c->has_key, t[i].dk[0] != 0);
		ck_assert_ptr_nonnull(c->presets);
		ck_assert_ptr_nonnull(c->translations);
		ck_assert_int_eq(fnd_has(&fl, FND_CONFIG_NOT_IMPORTABLE), t[i].cont == CFG_ZIP);
		ck_assert(!fnd_has(&fl, FND_CONFIG_DAMAGED));
		/* the key is not kept */
		ck_assert_ptr_null(json_object_get(c->metadata, "projectKey"));
		cfg_free(c);
		fnd_free(&fl);
	}
}
END_TEST

static bool has_item(const cfg_diff *d, cfg_diff_kind k, const char *area, const char *id,
                     const char *what, const char *nv)
{
	for (size_t i = 0; i < d->n; i++) {
		const cfg_diff_item *it = &d->v[i];
		if (it->kind == k && !strcmp(it->area, area) &&
		    (!id || (it->id && !strcmp(it->id, id))) &&
		    (!what || (it->what && !strcmp(it->what, what))) &&
		    (!nv || (it->new_value && !strcmp(it->new_value, nv))))
			return true;
	}
	return false;
}

static void diff_a_b(const char *fa, const char *fb)
{
	findings fl;
	fnd_init(&fl);
	mapeo_config *a = open_cfg(sd_test_data(fa), &fl);
	mapeo_config *b = open_cfg(sd_test_data(fb), &fl);
	cfg_diff *d = cfg_diff_compute(a, b);
	/* what the fixtures README names */
	ck_assert(has_item(d, DIFF_ADDED, "preset", "mine", NULL, NULL));
	ck_assert(has_item(d, DIFF_RENAMED, "field", "observed-by", NULL, "observer"));
	ck_assert(has_item(d, DIFF_ADDED, "field", "threat-type", "option", "hunting"));
	ck_assert(has_item(d, DIFF_CHANGED, "preset", "camp", "color", "#B35C00"));
	ck_assert(
	    has_item(d, DIFF_CHANGED, "translation", "es.presets.river.name", NULL, "Río grande"));
	ck_assert(has_item(d, DIFF_CHANGED, "metadata", NULL, "name", "Proyecto B"));
	ck_assert(has_item(d, DIFF_CHANGED, "metadata", NULL, "version", "1.3.0"));
	ck_assert(has_item(d, DIFF_CHANGED, "metadata", NULL, "projectKey", NULL));
	/* and nothing the rename explains: no removed/added observed-by, no preset field churn */
	ck_assert(!has_item(d, DIFF_REMOVED, "field", "observed-by", NULL, NULL));
	ck_assert(!has_item(d, DIFF_ADDED, "field", "observer", NULL, NULL));
	ck_assert(!has_item(d, DIFF_CHANGED, "preset", "threat", "fields", NULL));
	ck_assert(
	    !has_item(d, DIFF_REMOVED, "translation", "es.fields.observed-by.label", NULL, NULL));
	ck_assert(!has_item(d, DIFF_CHANGED, "container", NULL, NULL, NULL));
	for (size_t i = 0; i < d->n; i++) {
		char *t = cfg_diff_item_text(&d->v[i]);
		ck_assert_ptr_null(strstr(t, KEY_A));
		ck_assert_ptr_null(strstr(t, KEY_B));
		free(t);
	}
	cfg_diff_free(d);
	cfg_free(a), cfg_free(b);
	fnd_free(&fl);
}

START_TEST(diff_names_what_changed)
{
	diff_a_b("config-A.v3-tar.mapeosettings", "config-B.v3-tar.mapeosettings");
	diff_a_b("config-A.mapeosettings", "config-B.mapeosettings");
}
END_TEST

START_TEST(diff_of_both_schemas_by_meaning)
{
	/* builder 3.x (tar) and builder 6 (ZIP) of the same project: field
	 * schemas differ in form, not in meaning */
	findings fl;
	fnd_init(&fl);
	mapeo_config *a = open_cfg(sd_test_data("config-A.v3-tar.mapeosettings"), &fl);
	mapeo_config *b = open_cfg(sd_test_data("config-A.mapeosettings"), &fl);
	cfg_diff *d = cfg_diff_compute(a, b);
	ck_assert(has_item(d, DIFF_CHANGED, "container", NULL, NULL, "zip"));
	for (size_t i = 0; i < d->n; i++) {
		ck_assert_msg(strcmp(d->v[i].area, "field") != 0, "field difference: %s %s",
		              d->v[i].id, d->v[i].what ? d->v[i].what : "");
	}
	cfg_diff_free(d);
	cfg_free(a), cfg_free(b);
	fnd_free(&fl);
}
END_TEST

/* A stored ZIP holding the members of a tar configuration. */
static void tar_to_zip(const char *tarpath, const char *zippath)
{
	size_t len;
	uint8_t *t = sd_test_slurp(tarpath, &len);
	FILE *z = fopen(zippath, "wb");
	ck_assert_ptr_nonnull(z);
	uint8_t cd[65536];
	size_t cdlen = 0, n = 0;
	for (size_t off = 0; off + 512 <= len;) {
		tar_header h;
		if (!tar_header_parse(t + off, &h)) {
			off += 512;
			continue;
		}
		const uint8_t *data = t + off + 512;
		uint32_t crc = (uint32_t)crc32(0, data, (uInt)h.size);
		size_t nl = strlen(h.name);
		long lo = ftell(z);
		uint8_t lh[30] = {0x50, 0x4b, 3, 4, 20, 0, 0, 0, 0, 0};
		memcpy(lh + 14, &crc, 4);
		uint32_t sz = (uint32_t)h.size;
		memcpy(lh + 18, &sz, 4), memcpy(lh + 22, &sz, 4);
		lh[26] = (uint8_t)nl, lh[27] = (uint8_t)(nl >> 8);
		fwrite(lh, 1, 30, z), fwrite(h.name, 1, nl, z), fwrite(data, 1, h.size, z);
		uint8_t *c = cd + cdlen;
		memset(c, 0, 46);
		c[0] = 0x50, c[1] = 0x4b, c[2] = 1, c[3] = 2, c[4] = 20, c[6] = 20;
		memcpy(c + 16, &crc, 4), memcpy(c + 20, &sz, 4), memcpy(c + 24, &sz, 4);
		c[28] = (uint8_t)nl, c[29] = (uint8_t)(nl >> 8);
		uint32_t lo32 = (uint32_t)lo;
		memcpy(c + 42, &lo32, 4);
		memcpy(c + 46, h.name, nl);
		cdlen += 46 + nl;
		n++;
		off += 512 + tar_padded(h.size);
	}
	long cdoff = ftell(z);
	fwrite(cd, 1, cdlen, z);
	uint8_t e[22] = {0x50, 0x4b, 5, 6};
	e[8] = e[10] = (uint8_t)n, e[9] = e[11] = (uint8_t)(n >> 8);
	uint32_t cl = (uint32_t)cdlen, co = (uint32_t)cdoff;
	memcpy(e + 12, &cl, 4), memcpy(e + 16, &co, 4);
	fwrite(e, 1, 22, z);
	fclose(z);
	free(t);
}

START_TEST(same_members_in_both_containers)
{
	char *dir = sd_test_tmpdir();
	char zp[4096];
	snprintf(zp, sizeof zp, "%s/repacked.mapeosettings", dir);
	tar_to_zip(sd_test_data("config-B.v3-tar.mapeosettings"), zp);
	findings fl;
	fnd_init(&fl);
	mapeo_config *a = open_cfg(sd_test_data("config-B.v3-tar.mapeosettings"), &fl);
	mapeo_config *b = open_cfg(zp, &fl);
	ck_assert_int_eq(b->container, CFG_ZIP);
	ck_assert(!fnd_has(&fl, FND_CONFIG_DAMAGED));
	cfg_diff *d = cfg_diff_compute(a, b);
	ck_assert_uint_eq(d->n, 1);
	ck_assert_str_eq(d->v[0].area, "container");
	ck_assert(!d->content_differs);
	cfg_diff_free(d);
	cfg_free(a), cfg_free(b);
	fnd_free(&fl);

	/* damaged: a bad CRC, a cut archive */
	size_t len;
	uint8_t *z = sd_test_slurp(zp, &len);
	uint8_t *meta = memmem(z, len, "\"projectKey\"", 12);
	ck_assert_ptr_nonnull(meta);
	meta[1] = 'P';
	sd_test_write(zp, z, len);
	mapeo_config *c = open_cfg(zp, &fl);
	ck_assert(fnd_has(&fl, FND_CONFIG_DAMAGED));
	cfg_free(c);
	fnd_free(&fl);
	sd_test_write(zp, z, len / 2);
	c = open_cfg(zp, &fl);
	ck_assert(fnd_has(&fl, FND_CONFIG_DAMAGED));
	cfg_free(c);
	fnd_free(&fl);
	free(z);
	unlink(zp);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(damaged_tar_configs)
{
	/* bad JSON in metadata.json */
	char *p = dmg_copy("config-A.v3-tar.mapeosettings");
	size_t len;
	uint8_t *t = sd_test_slurp(p, &len);
	uint8_t *m = memmem(t, len, "\"dataset_id\"", 12);
	ck_assert_ptr_nonnull(m);
	uint64_t off = (uint64_t)(m - t);
	free(t);
	dmg_write(p, off, "{", 1);
	findings fl;
	fnd_init(&fl);
	mapeo_config *c = open_cfg(p, &fl);
	ck_assert(fnd_has(&fl, FND_CONFIG_DAMAGED));
	ck_assert_str_eq(fnd_at(&fl, 0)->member, "metadata.json");
	cfg_free(c);
	fnd_free(&fl);
	dmg_done(p);

	/* a key that breaks the builder's rules */
	p = dmg_copy("config-A.v3-tar.mapeosettings");
	t = sd_test_slurp(p, &len);
	m = memmem(t, len, KEY_A, 64);
	ck_assert_ptr_nonnull(m);
	off = (uint64_t)(m - t);
	free(t);
	dmg_write(p, off + 3, "Z", 1);
	c = open_cfg(p, &fl);
	ck_assert(fnd_has(&fl, FND_CONFIG_INVALID_KEY));
	for (size_t i = 0; i < fnd_n(&fl); i++)
		ck_assert_ptr_null(strstr(fnd_at(&fl, i)->message, "ae0Z"));
	cfg_free(c);
	fnd_free(&fl);

	/* cut short */
	dmg_truncate(p, 3000);
	c = open_cfg(p, &fl);
	ck_assert(fnd_has(&fl, FND_CONFIG_DAMAGED));
	cfg_free(c);
	fnd_free(&fl);
	dmg_done(p);
}
END_TEST

/* Desktop extracts a configuration (path.join of each name), so another tar
 * writer's "./././…/metadata.json" or "x/../metadata.json" is metadata.json
 * to it: read as "no metadata.json", the check said "mismatch" against the
 * project the configuration is of. The names are given to the real file's
 * member in place (a GNU long name or pax path yields the same names). */
START_TEST(member_names_as_desktop_extracts_them)
{
	static const char *const names[] = {
	    "./././././././././././././././././././././././././././././././././././././././"
	    "metadata.json",
	    "x/../metadata.json",
	    ".//metadata.json",
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *p = dmg_copy("config-A.v3-tar.mapeosettings");
		size_t len;
		uint8_t *t = sd_test_slurp(p, &len);
		uint64_t off = len;
		for (uint64_t o = 0; o + TAR_BLOCK <= len && off == len; o += TAR_BLOCK)
			if (!strcmp((const char *)t + o, "metadata.json"))
				off = o;
		free(t);
		ck_assert_uint_lt(off, len);
		dmg_rename(p, off, names[i]);
		findings fl;
		fnd_init(&fl);
		mapeo_config *c = open_cfg(p, &fl);
		ck_assert_msg(!fnd_has(&fl, FND_CONFIG_DAMAGED), "%s", names[i]);
		ck_assert_msg(c->has_key, "%s", names[i]);
		ck_assert_str_eq(c->discovery_key, DK_A);
		cfg_free(c);
		fnd_free(&fl);
		dmg_done(p);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("settings");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, keys_and_forms);
	tcase_add_test(tc, same_project_is_one_rule);
	tcase_add_test(tc, configurations_are_searched_once);
	tcase_add_test(tc, check_with_an_undecodable_key);
	tcase_add_test(tc, every_real_configuration);
	tcase_add_test(tc, diff_names_what_changed);
	tcase_add_test(tc, diff_of_both_schemas_by_meaning);
	tcase_add_test(tc, same_members_in_both_containers);
	tcase_add_test(tc, damaged_tar_configs);
	tcase_add_test(tc, member_names_as_desktop_extracts_them);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
