/* Step 2 and the computer: the version table (loads, bad YAML names the
 * line), era and hints for every fixture and for variants made in code, and
 * a fake computer (Mapeo installs, userData, plain and gzip logs, leftover
 * temp folders) built under a temporary HOME. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "damage.h"
#include "diagnosis.h"
#include "env.h"
#include "keys.h"
#include "syncfile.h"
#include "tar.h"
#include "testutil.h"
#include "versions.h"

#define KEY_A "ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e"

static const char *const fixtures[] = {"good-project-A.mapeodata", "good-project-B.mapeodata",
                                       "good-no-key.mapeodata", "edge-empty-device-A.mapeodata"};

/* ---- helpers ---- */

static void mkdirs(const char *path)
{
	char *p = strdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
	free(p);
}

static void write_text(const char *path, const char *text)
{
	char *dir = strdup(path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	free(dir);
	sd_test_write(path, text, strlen(text));
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
	p[3] = (uint8_t)(v >> 24);
}

/* An Electron app.asar holding index.js and package.json, as asar packs it. */
static void write_asar(const char *path, const char *version)
{
	char pkg[256], js[] = "console.log('mapeo')\n";
	snprintf(pkg, sizeof pkg,
	         "{\"name\":\"mapeo\",\"productName\":\"Mapeo\",\"version\":\"%s\"}", version);
	char hdr[512];
	snprintf(
	    hdr, sizeof hdr,
	    "{\"files\":{\"index.js\":{\"size\":%zu,\"offset\":\"0\"},\"package.json\":{\"size\":"
	    "%zu,\"offset\":\"%zu\"}}}",
	    strlen(js), strlen(pkg), strlen(js));
	size_t l = strlen(hdr), al = (l + 3) & ~(size_t)3;
	size_t total = 16 + al + strlen(js) + strlen(pkg);
	uint8_t *b = calloc(1, total);
	put32(b, 4);
	put32(b + 4, (uint32_t)(8 + al));
	put32(b + 8, (uint32_t)(4 + al));
	put32(b + 12, (uint32_t)l);
	memcpy(b + 16, hdr, l);
	memcpy(b + 16 + al, js, strlen(js));
	memcpy(b + 16 + al + strlen(js), pkg, strlen(pkg));
	char *dir = strdup(path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	free(dir);
	sd_test_write(path, b, total);
	free(b);
}

static void write_gz(const char *path, const char *text)
{
	gzFile g = gzopen(path, "wb");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
	ck_assert_int_eq(gzclose(g), Z_OK);
}

static void write_key(const char *path, const char *hex)
{
	uint8_t k[32];
	ck_assert(keys_decode(hex, k));
	char *dir = strdup(path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	free(dir);
	sd_test_write(path, k, 32);
}

/* A packed database as osm-p2p-syncfile leaves it during close: one feed key. */
static void write_db_tar(const char *path, const char *hex)
{
	uint8_t b[512 * 4] = {0};
	ck_assert(tar_header_build(b, "0/key", 32, 1700000000, 0644, TAR_ENC_STREAM));
	ck_assert(keys_decode(hex, b + 512));
	sd_test_write(path, b, sizeof b);
}

static ver_table *load_table(void)
{
	ver_table *t = NULL;
	sd_error err;
	ck_assert_msg(ver_table_load(SD_VERSIONS_FILE, &t, &err) == SD_OK, "%s", err.msg);
	return t;
}

static sd_report *check_quiet(const char *path)
{
	check_options opt = {0};
	opt.no_auto_config = true;
	opt.no_local_mapeo = true;
	opt.versions = SD_VERSIONS_FILE;
	sd_report *r = NULL;
	sd_error err;
	ck_assert_int_eq(check_run(path, &opt, NULL, &r, &err), SD_OK);
	return r;
}

static bool has_caution(const sd_report *r, const char *needle)
{
	for (size_t i = 0; i < r->version.n_cautions; i++)
		if (strstr(r->version.cautions[i], needle))
			return true;
	return false;
}

/* ---- the table ---- */

START_TEST(table_loads)
{
	ver_table *t = load_table();
	ck_assert_uint_ge(t->n, 10);
	const ver_release *r = ver_find(t, "5.4.2");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->series, "5.4.x");
	ck_assert_str_eq(r->core, "8.6.1");
	ck_assert(r->strict_project_check);
	ck_assert(r->rejected_sync_strips_database);
	ck_assert(!r->close_on_error);
	r = ver_find(t, "5.5.0");
	ck_assert(r->close_on_error && !r->rejected_sync_strips_database);
	ck_assert_str_eq(r->core, "8.6.2");
	r = ver_find(t, "v5.6.2");
	ck_assert_str_eq(r->series, "5.6.x");
	ck_assert(!ver_find(t, "5.3.9")->strict_project_check);
	ck_assert(ver_find(t, "5.3.0")->missing_data_handling);
	ck_assert(!ver_find(t, "5.2.1")->missing_data_handling);
	ck_assert(!ver_find(t, "5.0.0")->windows_path_fix);
	ck_assert(ver_find(t, "5.0.1")->windows_path_fix);
	ck_assert(ver_find(t, "5.2.0")->exposes_key_directory);
	ck_assert(!ver_find(t, "5.3.0")->exposes_key_directory);
	ck_assert(ver_find(t, "5.0.0")->rejected_sync_strips_database);
	ck_assert(!ver_reads(ver_find(t, "5.6.0"), "hyperlog-v1"));
	ck_assert(ver_reads(ver_find(t, "3.1.0"), "hyperlog-v1"));
	ck_assert_ptr_null(ver_find(t, "0.9.0"));
	ck_assert_ptr_null(ver_find(t, "not a version"));
	/* past the newest series: unknown, not "the 5.6.x series" */
	ck_assert_str_eq(ver_find(t, "5.6.9")->series, "5.6.x");
	ck_assert_ptr_null(ver_find(t, "5.7.0"));
	ck_assert_ptr_null(ver_find(t, "6.0.0"));
	ck_assert_ptr_null(ver_find(t, "99.1"));
	ck_assert_str_eq(ver_find(t, "4.3.1")->desktop, "4.0.0"); /* a gap: its series */
	ck_assert_int_lt(ver_compare("5.9.3", "5.10.0"), 0);
	ck_assert_int_eq(ver_compare("5.4", "5.4.0"), 0);
	ck_assert_int_eq(ver_compare("5.6.0-beta.2", "5.6.0"), 0);
	/* Every release series is newer than the one before it. */
	for (size_t i = 1; i < t->n; i++)
		ck_assert_int_lt(ver_compare(t->v[i - 1].desktop, t->v[i].desktop), 0);
	ver_table_free(t);
}
END_TEST

static void expect_bad(const char *yaml, const char *needle, unsigned line)
{
	char *dir = sd_test_tmpdir();
	char path[512];
	snprintf(path, sizeof path, "%s/versions.yaml", dir);
	sd_test_write(path, yaml, strlen(yaml));
	ver_table *t = NULL;
	sd_error err;
	ck_assert_int_eq(ver_table_load(path, &t, &err), SD_ERR_FORMAT);
	ck_assert_ptr_null(t);
	char want[32];
	snprintf(want, sizeof want, "line %u", line);
	ck_assert_msg(strstr(err.msg, path) != NULL, "no file name in: %s", err.msg);
	ck_assert_msg(strstr(err.msg, want) != NULL, "no '%s' in: %s", want, err.msg);
	if (needle)
		ck_assert_msg(strstr(err.msg, needle) != NULL, "no '%s' in: %s", needle, err.msg);
	unlink(path);
	rmdir(dir);
	free(dir);
}

#define ENTRY(v, extra)                                                                            \
	"  - desktop: \"" v "\"\n"                                                                 \
	"    writes: kappa-osm-v2\n"                                                               \
	"    reads: [kappa-osm-v2]\n"                                                              \
	"    strict_project_check: true\n"                                                         \
	"    rejected_sync_strips_database: false\n"                                               \
	"    windows_path_fix: true\n"                                                             \
	"    missing_data_handling: true\n"                                                        \
	"    close_on_error: true\n" extra "    exposes_key_directory: false\n"

START_TEST(bad_yaml_names_the_line)
{
	/* A good minimal table loads. */
	char *dir = sd_test_tmpdir();
	char path[512];
	snprintf(path, sizeof path, "%s/ok.yaml", dir);
	const char *good = "format: 1\nreleases:\n" ENTRY("5.5.0", "");
	sd_test_write(path, good, strlen(good));
	ver_table *t = NULL;
	sd_error err;
	ck_assert_int_eq(ver_table_load(path, &t, &err), SD_OK);
	ck_assert_uint_eq(t->n, 1);
	ck_assert_int_eq(t->v[0].line, 3);
	ver_table_free(t);
	unlink(path);
	rmdir(dir);
	free(dir);

	/* Syntax: an unclosed flow sequence on line 5. */
	expect_bad("format: 1\nreleases:\n  - desktop: \"5.5.0\"\n    writes: kappa-osm-v2\n"
	           "    reads: [kappa-osm-v2\n    strict_project_check: true\n",
	           "YAML", 6);
	/* Bad indentation on line 4. */
	expect_bad("format: 1\nreleases:\n  - desktop: \"5.5.0\"\n   writes: x\n", "YAML", 4);
	/* Meaning: an unknown era on line 4, a word for a boolean on line 7. */
	expect_bad("format: 1\nreleases:\n  - desktop: \"5.5.0\"\n    writes: kappa-osm-v9\n",
	           "kappa-osm-v9", 4);
	expect_bad("format: 1\nreleases:\n" ENTRY("5.5.0", "    confirmed: maybe\n"), "confirmed",
	           11);
	/* A required field missing: the entry's own line. */
	expect_bad("format: 1\nreleases:\n  - desktop: \"5.5.0\"\n    writes: kappa-osm-v2\n",
	           "reads", 3);
	/* An unknown key, the wrong format, releases out of order. */
	expect_bad("format: 1\nreleases:\n" ENTRY("5.5.0", "    colour: blue\n"), "colour", 11);
	expect_bad("format: 2\nreleases: []\n", "format", 1);
	expect_bad("format: 1\nreleases:\n" ENTRY("5.5.0", "") ENTRY("5.4.0", ""), "5.4.0", 12);
	expect_bad("", "empty", 1);
	/* A missing table is an I/O error naming the file. */
	ck_assert_int_eq(ver_table_load("/nonexistent/mapeo-versions.yaml", &t, &err), SD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/mapeo-versions.yaml"));
}
END_TEST

/* ---- era and hints of every fixture ---- */

START_TEST(fixture_eras)
{
	for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
		sd_report *r = check_quiet(sd_test_data(fixtures[i]));
		const report_version *v = &r->version;
		ck_assert_str_eq(r->era, "kappa-osm-v2");
		ck_assert_msg(v->table_loaded, "%s", v->table_error ? v->table_error : "");
		/* Written by mapeo-core 8.6.2: no root feed folder, so 5.3 or later. */
		ck_assert_msg(strstr(v->writers, "5.3.x") && strstr(v->writers, "later"), "%s: %s",
		              fixtures[i], v->writers);
		ck_assert_msg(strstr(v->readers, "4.x and later"), "%s", v->readers);
		ck_assert(has_caution(r, "5.0.0 to 5.4.x"));
		ck_assert(!has_caution(r, "project key into this file"));
		bool keyed = strcmp(fixtures[i], "good-no-key.mapeodata") != 0;
		ck_assert_int_eq(r->has_discovery_key, keyed);
		/* A file naming no project: strict releases refuse it in a project. */
		ck_assert_int_eq(has_caution(r, "names no project"), !keyed);
		ck_assert_int_eq(fnd_has(&r->findings, FND_WRITER_HINT), keyed);
		ck_assert(fnd_has(&r->findings, FND_ERA_KAPPA_OSM));
		ck_assert_ptr_null(v->local_text); /* no_local_mapeo */
		report_free(r);
	}
}
END_TEST

/* The inner database's first entry with a name starting with prefix: the
 * offset of its header. */
static uint64_t inner_header(const char *path, const char *prefix)
{
	syncfile *sf = NULL;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(path, &sf, &fl, NULL, NULL), SD_OK);
	uint64_t off = 0;
	for (size_t i = 0; i < sf->n_inner && !off; i++)
		if (!strncmp(sf->inner[i].name, prefix, strlen(prefix)))
			off = sf->inner[i].off - 512;
	sf_close(sf);
	fnd_free(&fl);
	ck_assert_uint_ne(off, 0);
	return off;
}

START_TEST(variant_eras)
{
	/* Legacy gzip. */
	char *p = dmg_copy("good-project-B.mapeodata");
	uint8_t gz[2048] = {0x1f, 0x8b, 8, 0};
	dmg_write(p, 0, gz, sizeof gz);
	dmg_truncate(p, sizeof gz);
	sd_report *r = check_quiet(p);
	ck_assert_str_eq(r->era, "gzip-v0");
	ck_assert_str_eq(r->version.writers, "Mapeo Desktop 1.x and 2.x");
	ck_assert_str_eq(r->version.readers, "Mapeo Desktop 3.x or older");
	report_free(r);
	dmg_done(p);

	/* Hyperlog (Desktop 3). */
	p = dmg_copy("good-project-B.mapeodata");
	char *json = dmg_index_json(p);
	char *bad = dmg_replace(json, "\"p2p-db\":\"kappa-osm\"", "\"p2p-db\":\"hyperlog\"");
	dmg_rewrite_index(p, bad);
	r = check_quiet(p);
	ck_assert_str_eq(r->era, "hyperlog-v1");
	ck_assert_ptr_nonnull(strstr(r->version.readers, "3.x"));
	ck_assert_ptr_null(strstr(r->version.readers, "5."));
	report_free(r);
	free(json), free(bad);
	dmg_done(p);

	/* Windows names: written by a release before the path fix (5.0.1). */
	p = dmg_copy("good-project-A.mapeodata");
	uint64_t h = inner_header(p, "1/");
	char name[101] = {0};
	dmg_read(p, h, name, 100);
	ck_assert(name[1] == '/');
	name[1] = '\\';
	dmg_rename(p, h, name);
	r = check_quiet(p);
	ck_assert_str_eq(r->version.writers, "Mapeo Desktop 5.0.0");
	ck_assert(has_caution(r, "backslash"));
	ck_assert(fnd_has(&r->findings, FND_WINDOWS_PATHS));
	report_free(r);

	/* A root feed folder named after the project key: 5.0 to 5.2 wrote it. */
	dmg_rename(p, h, KEY_A "/key");
	r = check_quiet(p);
	ck_assert_msg(strstr(r->version.writers, "5.0.0 and later"), "%s", r->version.writers);
	ck_assert(has_caution(r, "project key into this file"));
	ck_assert(fnd_has(&r->findings, FND_PROJECT_KEY_EXPOSED));
	report_free(r);
	dmg_done(p);
}
END_TEST

/* Step 2 knows that data is missing from the feeds' own counts (blocks
 * present against the tree's length), not from step 3's feed-incomplete
 * finding: the counts alone give the caution, the finding alone none. */
START_TEST(missing_data_from_the_feeds_not_a_finding)
{
	sd_report *r = check_quiet(sd_test_data("good-project-A.mapeodata"));
	check_options opt = {
	    .no_auto_config = true, .no_local_mapeo = true, .versions = SD_VERSIONS_FILE};
	ck_assert(!fnd_has(&r->findings, FND_FEED_INCOMPLETE));
	ck_assert(!has_caution(r, "Some data is missing"));
	ck_assert_uint_ge(r->n_feeds, 1);
	ck_assert(r->feeds[0].checked);
	ck_assert_uint_ge(r->feeds[0].length, 1);
	uint64_t present = r->feeds[0].present;
	r->feeds[0].present = r->feeds[0].length - 1;
	check_version_step(r, NULL, &opt);
	ck_assert(!fnd_has(&r->findings, FND_FEED_INCOMPLETE));
	ck_assert(has_caution(r, "Some data is missing"));
	r->feeds[0].present = present;
	fnd_add(&r->findings, FND_FEED_INCOMPLETE, "planted");
	check_version_step(r, NULL, &opt);
	ck_assert(!has_caution(r, "Some data is missing"));
	report_free(r);
}
END_TEST

START_TEST(assess_by_release)
{
	ver_table *t = load_table();
	ver_clues c = {.era = "kappa-osm-v2", .discovery_key = false, .incomplete = true};
	const ver_release *old = ver_find(t, "5.2.1"), *cur = ver_find(t, "5.6.2");
	ck_assert(ver_release_can_read(old, &c));
	char *s = ver_release_advice(old, "5.2.1", &c);
	ck_assert_ptr_nonnull(strstr(s, "5.2.1"));
	ck_assert_ptr_nonnull(strstr(s, "empties"));
	ck_assert_ptr_nonnull(strstr(s, "hang"));
	ck_assert_ptr_null(strstr(s, "no project key is configured"));
	free(s);
	s = ver_release_advice(cur, "5.6.2", &c);
	ck_assert_ptr_null(strstr(s, "empties"));
	ck_assert_ptr_nonnull(strstr(s, "no project key is configured"));
	free(s);
	c.era = "hyperlog-v1";
	ck_assert(!ver_release_can_read(cur, &c));
	s = ver_release_advice(cur, "5.6.2", &c);
	ck_assert_ptr_nonnull(strstr(s, "cannot read"));
	free(s);
	ver_assessment a;
	c.era = "unknown";
	ver_assess(t, &c, &a);
	ck_assert_str_eq(a.readers_text, "no Mapeo Desktop");
	ck_assert_ptr_null(a.writer_first);
	ver_assessment_free(&a);
	ver_table_free(t);
}
END_TEST

/* ---- a fake computer ---- */

static char *home;

static void fake_computer(void)
{
	home = sd_test_tmpdir();
	char p[1024];
	setenv("HOME", home, 1);
	snprintf(p, sizeof p, "%s/.config", home);
	setenv("XDG_CONFIG_HOME", p, 1);
	unsetenv("APPDATA");
	unsetenv("PROGRAMFILES");
	snprintf(p, sizeof p, "%s/root", home);
	setenv("SYNCDOCTOR_SYSROOT", p, 1);
	snprintf(p, sizeof p, "%s/AppData/Local", home);
	setenv("LOCALAPPDATA", p, 1);
	snprintf(p, sizeof p, "%s/t1:%s/t2:%s/missing", home, home, home);
	setenv("SYNCDOCTOR_TMPDIRS", p, 1);
	snprintf(p, sizeof p, "%s/t1", home);
	mkdirs(p);
	snprintf(p, sizeof p, "%s/t2", home);
	mkdirs(p);
}

static void rm_home(void)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	ck_assert_int_eq(system(cmd), 0);
	free(home);
	home = NULL;
}

START_TEST(installs_found)
{
	fake_computer();
	char p[1024];
	env_info *e = env_scan(NULL);
	ck_assert_uint_eq(e->n_installs, 0);
	env_free(e);

	snprintf(p, sizeof p, "%s/root/opt/Mapeo/resources/app.asar", home);
	write_asar(p, "5.4.2");
	snprintf(p, sizeof p, "%s/root/Applications/Mapeo.app/Contents/Resources/app/package.json",
	         home);
	write_text(p, "{\"name\":\"mapeo\",\"version\":\"5.6.2\"}");
	snprintf(p, sizeof p, "%s/AppData/Local/Programs/mapeo/resources/app.asar", home);
	write_asar(p, "5.2.0");
	snprintf(p, sizeof p, "%s/Applications/Mapeo-5.3.1.AppImage", home);
	write_text(p, "not really a squashfs");
	/* Not Mapeo, and a Mapeo folder with nothing installed in it. */
	snprintf(p, sizeof p, "%s/root/opt/Other/resources/app.asar", home);
	write_asar(p, "9.9.9");
	snprintf(p, sizeof p, "%s/root/opt/mapeo-empty/README", home);
	write_text(p, "x");
	/* An asar whose header lies about its size. */
	snprintf(p, sizeof p, "%s/root/usr/lib/mapeo-desktop/resources/app.asar", home);
	write_asar(p, "5.1.0");
	uint8_t *b;
	size_t n;
	b = sd_test_slurp(p, &n);
	put32(b + 12, 0x7fffffff);
	sd_test_write(p, b, n);
	free(b);

	e = env_scan(NULL);
	ck_assert_uint_eq(e->n_installs, 5);
	bool linux_ok = false, mac_ok = false, win_ok = false, ai_ok = false, broken_ok = false;
	for (size_t i = 0; i < e->n_installs; i++) {
		const env_install *in = &e->installs[i];
		if (!strcmp(in->kind, "linux") && strstr(in->path, "/opt/Mapeo")) {
			ck_assert_str_eq(in->version, "5.4.2");
			ck_assert(strstr(in->version_from, "app.asar") != NULL);
			linux_ok = true;
		} else if (!strcmp(in->kind, "linux")) {
			ck_assert(strstr(in->path, "mapeo-desktop") != NULL);
			ck_assert_ptr_null(in->version);
			broken_ok = true;
		} else if (!strcmp(in->kind, "macos")) {
			ck_assert_str_eq(in->version, "5.6.2");
			ck_assert(strstr(in->version_from, "app/package.json") != NULL);
			mac_ok = true;
		} else if (!strcmp(in->kind, "windows")) {
			ck_assert_str_eq(in->version, "5.2.0");
			win_ok = true;
		} else if (!strcmp(in->kind, "appimage")) {
			ck_assert_str_eq(in->version, "5.3.1");
			ai_ok = true;
		}
	}
	ck_assert(linux_ok && mac_ok && win_ok && ai_ok && broken_ok);
	env_free(e);
	snprintf(p, sizeof p, "%s/root/opt/Mapeo/resources/app.asar", home);
	char *v = env_asar_version(p);
	ck_assert_str_eq(v, "5.4.2");
	free(v);
	rm_home();
}
END_TEST

static const char *const log_plain =
    "2026-11-20T14:02:47.000Z [main] info: Locale es\n"
    "2026-11-20T14:02:48.557Z [mapeo-core] info: got encryptionKey ae0a\n"
    "2026-11-20T14:05:01.100Z [mapeo-core] error: sync error Error: trying to sync two "
    "different projects (us=97c1152) (syncfile=c9907bd)\n"
    "    at Sync._handleError (sync.js:120)\n"
    "2026-11-20T15:00:00.000Z [main] info: Stopped background processes 3ms\n";
static const char *const log_rotated =
    "2026-10-01T09:00:00.000Z [mapeo-core] error: sync error Error: unsupported syncfile type\n"
    "2026-10-01T09:10:00.000Z [mapeo-core] error: Error: trying to sync this kappa-osm database "
    "with a hyperlog database!\n";
static const char *const log_error =
    "sync error Error: Invalid tar header. Maybe the tar is corrupted or it needs to be "
    "gunzipped?\n"
    "sync error Error: trying to sync two different projects "
    "(us=c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af) "
    "(syncfile=97c1152af3cba51b9b7b9837de41f4894696b7a92e36b9e24ea2b4da97341a76)\n";

static void fake_userdata(void)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/.config/Mapeo/presets/default/metadata.json", home);
	write_text(p,
	           "{\"name\":\"Proyecto A\",\"version\":\"1.2.0\",\"projectKey\":\"" KEY_A "\"}");
	snprintf(p, sizeof p, "%s/.config/Mapeo/logs/2026-11-20.log", home);
	write_text(p, log_plain);
	snprintf(p, sizeof p, "%s/.config/Mapeo/logs/2026-10-01.log.gz", home);
	write_gz(p, log_rotated);
	snprintf(p, sizeof p, "%s/.config/Mapeo/logs/2026-09.error.log", home);
	write_text(p, log_error);
	snprintf(p, sizeof p, "%s/.config/Mapeo/logs/notes.txt", home);
	write_text(p, "sync error that is not in a log file\n");
	/* A damaged .gz: read as far as it goes, never fatal. */
	snprintf(p, sizeof p, "%s/.config/Mapeo/logs/2026-08-01.log.gz", home);
	write_text(p, "\x1f\x8b\x08\x00garbage");
}

START_TEST(userdata_and_logs)
{
	fake_computer();
	env_info *e = env_scan(NULL);
	ck_assert_ptr_null(e->userdata);
	ck_assert(!e->config_found);
	ck_assert_uint_eq(e->n_logs, 0);
	env_free(e);

	fake_userdata();
	e = env_scan(NULL);
	char want[1024];
	snprintf(want, sizeof want, "%s/.config/Mapeo", home);
	ck_assert_str_eq(e->userdata, want);
	ck_assert(e->config_found);
	ck_assert_str_eq(e->config_name, "Proyecto A");
	ck_assert_str_eq(e->config_footer, "ae0a6**********");
	ck_assert_uint_eq(e->n_logs, 4);
	ck_assert_uint_eq(e->n_events, 5);
	ck_assert_uint_eq(e->n_events_total, 5);
	/* Newest first, with dates from the lines or the file names. */
	ck_assert_str_eq(e->events[0].date, "2026-11-20T14:05:01");
	ck_assert_int_eq(e->events[0].kind, ENV_LOG_PROJECT_MISMATCH);
	ck_assert_str_eq(e->events[0].us, "97c1152");
	ck_assert_str_eq(e->events[0].them, "c9907bd");
	ck_assert_int_eq(e->events[0].line, 3);
	ck_assert_str_eq(e->events[1].date, "2026-10-01T09:10:00");
	ck_assert_int_eq(e->events[1].kind, ENV_LOG_DATABASE_TYPE);
	ck_assert_str_eq(e->events[2].date, "2026-10-01T09:00:00");
	ck_assert_int_eq(e->events[2].kind, ENV_LOG_UNSUPPORTED);
	ck_assert(strstr(e->events[2].file, ".log.gz") != NULL);
	ck_assert_str_eq(e->events[3].date, "2026-09");
	ck_assert_str_eq(e->events[4].date, "2026-09");
	bool tar = false, full = false;
	for (size_t i = 3; i < 5; i++) {
		if (e->events[i].kind == ENV_LOG_DAMAGED)
			tar = true;
		if (e->events[i].kind == ENV_LOG_PROJECT_MISMATCH) {
			/* A full 64-hex key (mapeo-core 8.3) is shown in its short form. */
			ck_assert_str_eq(e->events[i].them, "97c1152");
			ck_assert_ptr_null(strstr(e->events[i].text, "97c1152af3cba51b9b7b"));
			full = true;
		}
	}
	ck_assert(tar && full);
	for (size_t i = 0; i < e->n_logs; i++)
		if (strstr(e->logs[i].path, "2026-08-01"))
			ck_assert_uint_eq(e->logs[i].n_events, 0);
	env_free(e);

	/* The cut keeps the newest. */
	env_options eo = {.max_events = 2};
	e = env_scan(&eo);
	ck_assert_uint_eq(e->n_events, 2);
	ck_assert_uint_eq(e->n_events_total, 5);
	ck_assert_str_eq(e->events[0].date, "2026-11-20T14:05:01");
	env_free(e);

	/* --userdata elsewhere. */
	char other[1024];
	snprintf(other, sizeof other, "%s/elsewhere", home);
	mkdirs(other);
	eo = (env_options){.userdata = other};
	e = env_scan(&eo);
	ck_assert_str_eq(e->userdata, other);
	ck_assert_uint_eq(e->n_logs, 0);
	env_free(e);
	rm_home();
}
END_TEST

START_TEST(temp_folders_and_the_check)
{
	fake_computer();
	fake_userdata();
	char p[1024];
	snprintf(p, sizeof p, "%s/root/opt/Mapeo/resources/app.asar", home);
	write_asar(p, "5.4.2");
	/* The file's own feed 0 key, from the fixture. */
	sd_report *r = check_quiet(sd_test_data("good-project-A.mapeodata"));
	ck_assert_uint_ge(r->n_feeds, 1);
	char key0[KEYS_HEX_SIZE];
	memcpy(key0, r->feeds[0].key_hex, KEYS_HEX_SIZE);
	report_free(r);

	snprintf(p, sizeof p, "%s/t1/osm-p2p-syncfile-123456/multifeed/0/key", home);
	write_key(p, key0);
	snprintf(p, sizeof p, "%s/t1/osm-p2p-syncfile-123456/multifeed/0/data", home);
	write_text(p, "{\"type\":\"observation\"}\n");
	snprintf(p, sizeof p, "%s/t2/osm-p2p-syncfile-777/multifeed/0/key", home);
	write_key(p, "1111111111111111111111111111111111111111111111111111111111111111");
	snprintf(p, sizeof p, "%s/t2/osm-p2p-syncfile-888", home);
	mkdirs(p);
	snprintf(p, sizeof p, "%s/t2/osm-p2p-syncfile-888/osm-p2p-db.tar", home);
	write_db_tar(p, key0);
	snprintf(p, sizeof p, "%s/t2/osm-p2p-syncfile-999/multifeed/" KEY_A "/key", home);
	write_key(p, KEY_A);
	snprintf(p, sizeof p, "%s/t2/unrelated", home);
	mkdirs(p);

	env_info *e = env_scan(NULL);
	ck_assert_uint_eq(e->n_temps, 4);
	ck_assert_str_eq(strrchr(e->temp_dirs[0], '/'), "/t1");
	ck_assert_str_eq(strrchr(e->temp_dirs[1], '/'), "/t2");
	ck_assert_ptr_null(e->temp_dirs[2]); /* the missing one is left out */
	ck_assert(e->temp_space.known);
	const char(*keys)[KEYS_HEX_SIZE] = (const char(*)[KEYS_HEX_SIZE])key0;
	char dk_a[KEYS_HEX_SIZE];
	ck_assert(keys_discovery_hex(KEY_A, dk_a));
	int seen = 0;
	for (size_t i = 0; i < e->n_temps; i++) {
		const env_temp *t = &e->temps[i];
		size_t shared = 0;
		int m = env_temp_match(t, dk_a, keys, 1, &shared);
		if (strstr(t->path, "-123456")) {
			ck_assert(t->has_multifeed && !t->has_db_tar);
			ck_assert_int_eq(m, 1);
			ck_assert_uint_eq(shared, 1);
			ck_assert_uint_ge(t->bytes, 32);
			seen |= 1;
		} else if (strstr(t->path, "-777")) {
			ck_assert_int_eq(m, 0);
			seen |= 2;
		} else if (strstr(t->path, "-888")) {
			ck_assert(t->has_db_tar);
			ck_assert_int_eq(m, 1);
			seen |= 4;
		} else if (strstr(t->path, "-999")) {
			ck_assert_str_eq(t->project_dk, dk_a);
			ck_assert_int_eq(m, 1);
			ck_assert_int_eq(env_temp_match(t, "", NULL, 0, NULL), 0);
			ck_assert_int_eq(env_temp_match(t, NULL, NULL, 0, NULL), -1);
			seen |= 8;
		}
	}
	ck_assert_int_eq(seen, 15);
	env_free(e);

	/* The whole check: version step, log evidence, environment findings. */
	check_options opt = {0};
	opt.no_auto_config = true;
	opt.versions = SD_VERSIONS_FILE;
	opt.environment = true;
	sd_error err;
	ck_assert_int_eq(check_run(sd_test_data("good-project-A.mapeodata"), &opt, NULL, &r, &err),
	                 SD_OK);
	const report_version *v = &r->version;
	ck_assert(v->local_found);
	ck_assert_str_eq(v->local_version, "5.4.2");
	ck_assert_int_eq(v->local_can_read, 1);
	ck_assert_ptr_nonnull(strstr(v->local_text, "5.4.2"));
	ck_assert_ptr_nonnull(strstr(v->local_text, "empties"));
	ck_assert_uint_eq(v->n_log, 5);
	ck_assert_str_eq(v->log[0].kind, "project-mismatch");
	ck_assert(v->log[0].this_file); /* syncfile=c9907bd is file A */
	for (size_t i = 1; i < v->n_log; i++)
		if (!strcmp(v->log[i].kind, "project-mismatch"))
			ck_assert(!v->log[i].this_file); /* syncfile=97c1152 is project B */
	size_t leftovers = 0;
	bool belongs = false, other = false;
	for (size_t i = 0; i < fnd_n(&r->findings); i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (f->id == FND_LEFTOVER_TEMP_DATABASE) {
			leftovers++;
			ck_assert_int_eq(f->step, STEP_ENVIRONMENT);
			if (strstr(f->message, "-123456") &&
			    strstr(f->message, "belongs to this file"))
				belongs = true;
			if (strstr(f->message, "-777") && strstr(f->message, "another sync file"))
				other = true;
		}
	}
	ck_assert_uint_eq(leftovers, 4);
	ck_assert(belongs && other);
	ck_assert(fnd_has(&r->findings, FND_MAPEO_LOG_ERROR));
	ck_assert(!fnd_has(&r->findings, FND_FAT32_SIZE_LIMIT));
	report_free(r);

	/* Without environment: no environment findings, but the version step. */
	opt.environment = false;
	ck_assert_int_eq(check_run(sd_test_data("good-project-A.mapeodata"), &opt, NULL, &r, &err),
	                 SD_OK);
	ck_assert(!fnd_has(&r->findings, FND_LEFTOVER_TEMP_DATABASE));
	ck_assert_str_eq(r->version.local_version, "5.4.2");
	report_free(r);
	rm_home();
}
END_TEST

/* h16a (issue 16, item 6): a file whose database was popped has no feed to
 * compare; a leftover folder belongs to it when its observations name the
 * file's photos, and comes from another file when they name only others. */
START_TEST(leftover_named_by_photos)
{
	fake_computer();
	char *f = dmg_copy("good-project-A.mapeodata");
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(f, &sf, &fl, NULL, NULL), SD_OK);
	char from[128];
	snprintf(from, sizeof from, ",\"osm-p2p-db.tar\":{\"offset\":%llu,\"size\":%llu}",
	         (unsigned long long)sf->db->header_off, (unsigned long long)sf->db->size);
	uint64_t db = sf->db->header_off;
	sf_close(sf);
	fnd_free(&fl);
	char *json = dmg_index_json(f);
	char *popped = dmg_replace(json, from, "");
	dmg_write_index_at(f, db, popped);
	free(popped);
	free(json);

	static const char mine[] =
	    "{\"type\":\"observation\",\"attachments\":[{\"id\":"
	    "\"f7bd20e3f105ecf7ddbe193e1fca5982.jpg\"}],\"id\":\"aaaa000011112222\"}\n";
	static const char theirs[] =
	    "{\"type\":\"observation\",\"attachments\":[{\"id\":"
	    "\"00000000000000000000000000000000.jpg\"}],\"id\":\"bbbb000011112222\"}\n";
	char p[1024];
	snprintf(p, sizeof p, "%s/t1/osm-p2p-syncfile-101/multifeed/0/key", home);
	write_key(p, "2222222222222222222222222222222222222222222222222222222222222222");
	snprintf(p, sizeof p, "%s/t1/osm-p2p-syncfile-101/multifeed/0/data", home);
	write_text(p, mine);
	snprintf(p, sizeof p, "%s/t1/osm-p2p-syncfile-202/multifeed/0/key", home);
	write_key(p, "3333333333333333333333333333333333333333333333333333333333333333");
	snprintf(p, sizeof p, "%s/t1/osm-p2p-syncfile-202/multifeed/0/data", home);
	write_text(p, theirs);
	/* packed during close: the data inside osm-p2p-db.tar */
	snprintf(p, sizeof p, "%s/t2/osm-p2p-syncfile-303", home);
	mkdirs(p);
	snprintf(p, sizeof p, "%s/t2/osm-p2p-syncfile-303/osm-p2p-db.tar", home);
	uint8_t b[512 * 5] = {0};
	ck_assert(tar_header_build(b, "0/data", strlen(mine), 1700000000, 0644, TAR_ENC_STREAM));
	memcpy(b + 512, mine, strlen(mine));
	sd_test_write(p, b, sizeof b);

	check_options opt = {
	    .no_auto_config = true, .versions = SD_VERSIONS_FILE, .environment = true};
	sd_report *r = NULL;
	sd_error err;
	ck_assert_int_eq(check_run(f, &opt, NULL, &r, &err), SD_OK);
	ck_assert(fnd_has(&r->findings, FND_DATABASE_MISSING));
	int seen = 0;
	for (size_t i = 0; i < fnd_n(&r->findings); i++) {
		const finding *x = fnd_at(&r->findings, i);
		if (x->id != FND_LEFTOVER_TEMP_DATABASE)
			continue;
		ck_assert_ptr_null(strstr(x->message, "cannot be told"));
		if (strstr(x->message, "-101") && strstr(x->message, "belongs to this file"))
			seen |= 1;
		if (strstr(x->message, "-202") && strstr(x->message, "another sync file"))
			seen |= 2;
		if (strstr(x->message, "-303") && strstr(x->message, "belongs to this file"))
			seen |= 4;
	}
	ck_assert_int_eq(seen, 7);
	report_free(r);
	dmg_done(f);
	rm_home();
}
END_TEST

/* A leftover's photo references are read as the check reads blocks
 * (obs_scan_references), with the answers jansson's json_loadb gave: a
 * line is one whole JSON object, "attachments" is its top-level array, an
 * attachment counts with a string id, a repeated key keeps its last value,
 * escapes are decoded. */
START_TEST(leftover_references_as_json)
{
	fake_computer();
	static const char data[] =
	    "{\"type\":\"observation\",\"attachments\":[{\"id\":\"a.jpg\"},{\"id\":\"b.jpg\"}]}\n"
	    "  {\"attachments\":[{\"id\":\"c\\u002ejpg\"}]}  \r\n"
	    "{\"attachments\":[{\"id\":\"d.jpg\"}]} trailing words\n"
	    "{\"attachments\":[{\"id\":5},{\"name\":\"x\"},\"e.jpg\",[{\"id\":\"f.jpg\"}],"
	    "{\"id\":\"g.jpg\",\"id\":\"h.jpg\"}]}\n"
	    "{\"attachments\":{\"id\":\"i.jpg\"}}\n"
	    "{\"nested\":{\"attachments\":[{\"id\":\"j.jpg\"}]}}\n"
	    "[{\"attachments\":[{\"id\":\"k.jpg\"}]}]\n"
	    "{\"attachments\":[{\"id\":\"a.jpg\"}],\"attachments\":[{\"id\":\"l.jpg\"}]}\n"
	    "{\"attachments\":[{\"id\":\"m.jpg\"}]\n"
	    "\n"
	    "{\"attachments\":[{\"id\":\"z.jpg\"}]}";
	char p[1024];
	snprintf(p, sizeof p, "%s/t1/osm-p2p-syncfile-404/multifeed/0/data", home);
	write_text(p, data);
	env_temp t = {0};
	snprintf(p, sizeof p, "%s/t1/osm-p2p-syncfile-404", home);
	t.path = p;
	static const char *const ids[] = {"a.jpg", "c.jpg", "d.jpg", "h.jpg", "z.jpg"};
	size_t refs = 0;
	size_t named = env_temp_photos(&t, ids, 5, &refs);
	/* a, b; c; h; l; z (d: trailing words; g: replaced; m: cut) */
	ck_assert_uint_eq(refs, 6);
	/* a, c, h, z */
	ck_assert_uint_eq(named, 4);
	/* and jansson, line by line, says the same */
	size_t j_refs = 0, j_named = 0;
	for (const char *l = data; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		json_error_t je;
		json_t *j = json_loadb(l, n, 0, &je);
		json_t *att = json_is_object(j) ? json_object_get(j, "attachments") : NULL;
		size_t i;
		json_t *a;
		json_array_foreach(att, i, a)
		{
			const char *id = json_string_value(json_object_get(a, "id"));
			if (!id)
				continue;
			j_refs++;
			for (size_t k = 0; k < 5; k++)
				j_named += !strcmp(id, ids[k]);
		}
		json_decref(j);
		l += n + (nl != NULL);
	}
	ck_assert_uint_eq(refs, j_refs);
	ck_assert_uint_eq(named, j_named);
	rm_home();
}
END_TEST

START_TEST(fat32_and_space)
{
	fake_computer();
	char *p = dmg_copy("good-project-B.mapeodata");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", p);
	*strrchr(dir, '/') = '\0';
	setenv("SYNCDOCTOR_FAKE_VFAT", dir, 1);
	env_space s;
	ck_assert(env_volume(dir, &s));
	ck_assert(s.vfat);
	check_options opt = {0};
	opt.no_auto_config = true;
	opt.versions = SD_VERSIONS_FILE;
	opt.environment = true;
	opt.quick = true;
	sd_report *r = NULL;
	sd_error err;
	ck_assert_int_eq(check_run(p, &opt, NULL, &r, &err), SD_OK);
	ck_assert(!fnd_has(&r->findings, FND_FAT32_SIZE_LIMIT)); /* small */
	/* The same report for a file of 3.8 GiB, then 4.5 GiB (reading a sparse
	 * file that big takes too long for a unit test: the step alone runs). */
	static const uint64_t sizes[] = {3800ull << 20, 4608ull << 20};
	for (size_t i = 0; i < 2; i++) {
		fnd_free(&r->findings);
		r->size = sizes[i];
		check_version_step(r, NULL, &opt);
		const finding *f = NULL;
		/* the first: a finding is valid until the next read of its list */
		for (size_t k = 0; k < fnd_n(&r->findings) && !f; k++)
			if (fnd_at(&r->findings, k)->id == FND_FAT32_SIZE_LIMIT)
				f = fnd_at(&r->findings, k);
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(f->severity, SEV_WARNING);
		ck_assert_ptr_nonnull(strstr(f->message, i ? "already cut" : "next sync"));
	}
	/* Room: a database bigger than any disk, then a small one. */
	fnd_free(&r->findings);
	r->size = 1 << 20;
	r->database_bytes = 1ull << 60;
	check_version_step(r, NULL, &opt);
	size_t low = 0;
	bool temp = false, drive = false;
	for (size_t k = 0; k < fnd_n(&r->findings); k++)
		if (fnd_at(&r->findings, k)->id == FND_LOW_DISK_SPACE) {
			low++;
			temp = temp ||
			       strstr(fnd_at(&r->findings, k)->message, "temporary folder") != NULL;
			drive = drive || strstr(fnd_at(&r->findings, k)->message,
			                        "drive that holds") != NULL;
		}
	ck_assert_uint_eq(low, 2);
	ck_assert(temp && drive);
	fnd_free(&r->findings);
	r->database_bytes = 4096;
	check_version_step(r, NULL, &opt);
	ck_assert(!fnd_has(&r->findings, FND_LOW_DISK_SPACE));
	report_free(r);
	unsetenv("SYNCDOCTOR_FAKE_VFAT");
	ck_assert(env_volume(dir, &s));
	ck_assert(!s.vfat); /* the build machine's own disk */
	dmg_done(p);
	rm_home();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("env");
	TCase *tc = tcase_create("versions");
	tcase_add_test(tc, table_loads);
	tcase_add_test(tc, bad_yaml_names_the_line);
	tcase_add_test(tc, fixture_eras);
	tcase_add_test(tc, variant_eras);
	tcase_add_test(tc, assess_by_release);
	tcase_add_test(tc, missing_data_from_the_feeds_not_a_finding);
	suite_add_tcase(s, tc);
	tc = tcase_create("computer");
	tcase_add_test(tc, installs_found);
	tcase_add_test(tc, userdata_and_logs);
	tcase_add_test(tc, temp_folders_and_the_check);
	tcase_add_test(tc, leftover_named_by_photos);
	tcase_add_test(tc, leftover_references_as_json);
	tcase_add_test(tc, fat32_and_space);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
