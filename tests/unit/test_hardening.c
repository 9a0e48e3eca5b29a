/* Limits on everything an attacker controls, each proven with a malicious
 * file built here in code: ZIP bombs (ratio, overlapping members, sizes
 * past the end), JSON depth and size in the index, member sizes beyond
 * the file, and names that must never be used as paths nor reach a
 * terminal raw. The count limits (feeds, members, blocks, photos, feed
 * keys; sdlimits.h) are lowered through their test hooks so that the real
 * fixtures exceed them: each must give a limit-exceeded finding and a
 * verdict that is not "ok". */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "configuration.h"
#include "damage.h"
#include "dbfixture.h"
#include "io.h"
#include "keys.h"
#include "rebuild.h"
#include "report.h"
#include "sdlimits.h"
#include "strbuf.h"
#include "syncfile.h"
#include "testutil.h"
#include "xalloc.h"
#include "zip.h"

/* ---- ZIP archives made in memory ---- */

typedef struct zbuf {
	uint8_t *b;
	size_t n, cap;
} zbuf;

static void zput(zbuf *z, const void *p, size_t n)
{
	if (z->n + n > z->cap) {
		z->cap = (z->n + n) * 2;
		z->b = xrealloc(z->b, z->cap);
	}
	memcpy(z->b + z->n, p, n);
	z->n += n;
}
static void z16(zbuf *z, unsigned v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	zput(z, b, 2);
}
static void z32(zbuf *z, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	zput(z, b, 4);
}

/* Raw deflate of n zero bytes. */
static uint8_t *deflate_zeros(size_t n, size_t *clen, uint32_t *crc)
{
	uint8_t *in = xcalloc(1, n ? n : 1);
	uLong bound = compressBound((uLong)n) + 64;
	uint8_t *out = xmalloc(bound);
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)bound;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*clen = zs.total_out;
	deflateEnd(&zs);
	*crc = (uint32_t)crc32(0L, in, (uInt)n);
	free(in);
	return out;
}

/* One local member (name, deflated comp of clen bytes), then `entries`
 * central directory records that all point at it, each claiming `size`
 * bytes and comp_size `claim_comp` (0: the real clen). */
static char *write_zip(const char *dir, const char *file, const uint8_t *comp, size_t clen,
                       uint32_t crc, uint32_t size, uint32_t claim_comp, unsigned entries)
{
	zbuf z = {0};
	const char *name = "presets.json";
	uint32_t cs = claim_comp ? claim_comp : (uint32_t)clen;
	z32(&z, 0x04034b50), z16(&z, 20), z16(&z, 0), z16(&z, 8), z16(&z, 0), z16(&z, 0);
	z32(&z, crc), z32(&z, cs), z32(&z, size), z16(&z, (unsigned)strlen(name)), z16(&z, 0);
	zput(&z, name, strlen(name));
	zput(&z, comp, clen);
	size_t cd = z.n;
	for (unsigned i = 0; i < entries; i++) {
		char nm[32];
		snprintf(nm, sizeof nm, "m%05u.json", i);
		z32(&z, 0x02014b50), z16(&z, 20), z16(&z, 20), z16(&z, 0), z16(&z, 8), z16(&z, 0),
		    z16(&z, 0);
		z32(&z, crc), z32(&z, cs), z32(&z, size), z16(&z, (unsigned)strlen(nm)), z16(&z, 0),
		    z16(&z, 0), z16(&z, 0), z16(&z, 0), z32(&z, 0), z32(&z, 0);
		zput(&z, nm, strlen(nm));
	}
	size_t cd_size = z.n - cd;
	z32(&z, 0x06054b50), z16(&z, 0), z16(&z, 0), z16(&z, entries), z16(&z, entries);
	z32(&z, (uint32_t)cd_size), z32(&z, (uint32_t)cd), z16(&z, 0);
	char *path = xasprintf("%s/%s", dir, file);
	sd_test_write(path, z.b, z.n);
	free(z.b);
	return path;
}

START_TEST(zip_ratio_bomb)
{
	/* 1 MiB of zeros deflates to about 1 KiB; the directory claims 60 MiB */
	char *dir = sd_test_tmpdir();
	size_t clen;
	uint32_t crc;
	uint8_t *comp = deflate_zeros(1u << 20, &clen, &crc);
	char *path = write_zip(dir, "ratio.zip", comp, clen, crc, 60u << 20, 0, 1);
	sd_input *in;
	ck_assert_int_eq(sdin_open(path, &in, NULL), SD_OK);
	zip_archive za;
	sd_error err;
	ck_assert_int_eq(zip_open(in, &za, &err), SD_OK);
	ck_assert_uint_eq(za.n, 1);
	uint8_t *d = NULL;
	size_t len;
	ck_assert_int_eq(zip_read(&za, &za.entries[0], &d, &len, &err), SD_ERR_LIMIT);
	ck_assert_ptr_null(d);
	ck_assert_ptr_nonnull(strstr(err.msg, "ZIP bomb"));
	zip_close(&za);
	sdin_close(in);
	free(comp), free(path), free(dir);
}
END_TEST

START_TEST(zip_overlapping_bomb)
{
	/* 400 directory entries share one 1 MiB member: 400 MiB if believed */
	char *dir = sd_test_tmpdir();
	size_t clen;
	uint32_t crc;
	uint8_t *comp = deflate_zeros(1u << 20, &clen, &crc);
	char *path = write_zip(dir, "overlap.zip", comp, clen, crc, 1u << 20, 0, 400);
	sd_input *in;
	ck_assert_int_eq(sdin_open(path, &in, NULL), SD_OK);
	zip_archive za;
	sd_error err;
	ck_assert_int_eq(zip_open(in, &za, &err), SD_OK);
	ck_assert_uint_eq(za.n, 400);
	size_t good = 0, refused = 0;
	for (size_t i = 0; i < za.n; i++) {
		uint8_t *d = NULL;
		size_t len;
		sd_status st = zip_read(&za, &za.entries[i], &d, &len, &err);
		if (st == SD_OK) {
			ck_assert_uint_eq(len, 1u << 20);
			good++;
		} else {
			ck_assert_int_eq(st, SD_ERR_LIMIT);
			refused++;
		}
		free(d);
	}
	ck_assert_uint_eq(good, ZIP_MAX_TOTAL / (1u << 20));
	ck_assert_uint_eq(refused, 400 - good);
	ck_assert_uint_le(za.inflated, ZIP_MAX_TOTAL);
	zip_close(&za);
	sdin_close(in);

	/* the configuration reader reports it and goes on */
	mapeo_config *c = NULL;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(cfg_open(path, &c, &fl, &err), SD_OK);
	ck_assert(fnd_has(&fl, FND_CONFIG_DAMAGED));
	cfg_free(c);
	fnd_free(&fl);
	free(comp), free(path), free(dir);
}
END_TEST

START_TEST(zip_member_past_end)
{
	/* a member that claims 10 MiB of compressed data in a tiny file */
	char *dir = sd_test_tmpdir();
	size_t clen;
	uint32_t crc;
	uint8_t *comp = deflate_zeros(1000, &clen, &crc);
	char *path = write_zip(dir, "past.zip", comp, clen, crc, 20u << 20, 10u << 20, 1);
	sd_input *in;
	ck_assert_int_eq(sdin_open(path, &in, NULL), SD_OK);
	zip_archive za;
	sd_error err;
	ck_assert_int_eq(zip_open(in, &za, &err), SD_OK);
	uint8_t *d = NULL;
	size_t len;
	ck_assert_int_eq(zip_read(&za, &za.entries[0], &d, &len, &err), SD_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "past the end of the file"));
	zip_close(&za);
	sdin_close(in);
	free(comp), free(path), free(dir);
}
END_TEST

/* ---- sync files ---- */

static uint64_t index_header(const char *path)
{
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(path, &sf, &fl, NULL, NULL), SD_OK);
	ck_assert_ptr_nonnull(sf->index_member);
	uint64_t off = sf->index_member->header_off;
	sf_close(sf);
	fnd_free(&fl);
	return off;
}

START_TEST(index_too_deep)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	char *idx = dmg_index_json(p);
	/* 100000 levels of arrays in the userdata: jansson stops at its depth
	 * limit (2048), and the index is reported, not crashed on */
	size_t depth = 100000;
	char *deep = xmalloc(2 * depth + 1);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = '\0';
	char *close = strrchr(idx, '}');
	ck_assert_ptr_nonnull(close);
	*close = '\0';
	char *json = xasprintf("%s,\"deep\":%s}", idx, deep);
	dmg_rewrite_index(p, json);
	sd_report *r = dmg_check(p);
	const finding *f = dmg_find(r, "damaged-index");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "depth"));
	report_free(r);
	free(json), free(deep), free(idx);
	dmg_done(p);
}
END_TEST

START_TEST(index_too_large)
{
	/* an index that claims 100 MiB (over the 64 MiB limit) is refused
	 * before it is read into memory */
	char *p = dmg_copy("good-project-A.mapeodata");
	uint64_t h = index_header(p);
	dmg_write(p, h + 124, "00620000000", 11); /* 104857600 bytes */
	dmg_fix_checksum(p, h);
	sd_report *r = dmg_check(p);
	ck_assert(dmg_find(r, "damaged-index") || dmg_find(r, "truncated-file") ||
	          dmg_find(r, "missing-index"));
	report_free(r);
	dmg_done(p);

	/* and a real one over the limit, index JSON of 65 MiB */
	p = dmg_copy("good-project-A.mapeodata");
	char *idx = dmg_index_json(p);
	size_t pad = 65u << 20;
	char *big = xmalloc(strlen(idx) + pad + 32);
	char *close = strrchr(idx, '}');
	*close = '\0';
	int n = sprintf(big, "%s,\"pad\":\"", idx);
	memset(big + n, 'x', pad);
	strcpy(big + n + pad, "\"}");
	dmg_rewrite_index(p, big);
	free(big);
	r = dmg_check(p);
	const finding *f = dmg_find(r, "damaged-index");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "claims"));
	report_free(r);
	free(idx);
	dmg_done(p);
}
END_TEST

START_TEST(index_with_nul)
{
	/* a NUL inside a name in the index: JSON with \u0000 is refused */
	char *p = dmg_copy("good-project-A.mapeodata");
	char *idx = dmg_index_json(p);
	char *json = dmg_replace(idx, "\"original/", "\"orig\\u0000inal/");
	ck_assert_str_ne(json, idx);
	dmg_rewrite_index(p, json);
	sd_report *r = dmg_check(p);
	ck_assert_ptr_nonnull(dmg_find(r, "damaged-index"));
	report_free(r);
	free(json), free(idx);
	dmg_done(p);
}
END_TEST

/* The offset of the first media member's header, and its name. */
static uint64_t first_media(const char *path, char *name, size_t len)
{
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(path, &sf, &fl, NULL, NULL), SD_OK);
	uint64_t off = 0;
	sf_member m;
	for (size_t i = 0; i < sf->n_members && !off; i++) {
		sf_member_get(sf, i, &m);
		if (m.kind == SF_KIND_MEDIA) {
			off = m.header_off;
			snprintf(name, len, "%s", m.name);
		}
	}
	sf_close(sf);
	fnd_free(&fl);
	ck_assert_uint_ne(off, 0);
	return off;
}

START_TEST(member_size_beyond_file)
{
	/* a photo whose header claims 8 GiB in a 600 KB file */
	char *p = dmg_copy("good-project-A.mapeodata");
	char name[256];
	uint64_t h = first_media(p, name, sizeof name);
	dmg_write(p, h + 124, "100000000000", 12);
	dmg_fix_checksum(p, h);
	sd_report *r = dmg_check(p);
	ck_assert_int_ne(r->verdict, VERDICT_OK);
	ck_assert(dmg_find(r, "truncated-file") || dmg_find(r, "index-disagrees") ||
	          dmg_find(r, "bad-header-checksum"));
	report_free(r);
	dmg_done(p);
}
END_TEST

START_TEST(inner_member_size_beyond_file)
{
	/* feed 0's signatures claim 300 MiB inside a 600 KB file: nothing that
	 * large is allocated, and the damage is reported */
	char *p = dmg_copy("good-project-A.mapeodata");
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
	uint64_t h = 0;
	for (size_t i = 0; i < sf->n_inner; i++)
		if (!strcmp(sf->inner[i].name, "0/signatures"))
			h = sf->inner[i].off - 512;
	sf_close(sf);
	fnd_free(&fl);
	ck_assert_uint_ne(h, 0);
	dmg_write(p, h + 124, "02260000000", 11); /* 314572800 bytes */
	dmg_fix_checksum(p, h);
	sd_report *r = dmg_check(p);
	ck_assert_int_ne(r->verdict, VERDICT_OK);
	report_free(r);
	dmg_done(p);
}
END_TEST

/* A damaged header of a feed's tree, signatures or bitfield file (fixed
 * bytes, found by fuzzing the rebuild) is written again by a rebuild. */
static const char *const feed_files[] = {"0/tree", "0/signatures", "0/bitfield"};

START_TEST(damaged_feed_header_rebuilt)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
	uint64_t off = 0;
	for (size_t i = 0; i < sf->n_inner; i++)
		if (!strcmp(sf->inner[i].name, feed_files[_i]))
			off = sf->inner[i].off;
	sf_close(sf);
	fnd_free(&fl);
	ck_assert_uint_ne(off, 0);
	dmg_write(p, off + 2, "X", 1);
	sd_report *r = dmg_check(p);
	ck_assert_ptr_nonnull(dmg_find(r, "feed-header-invalid"));
	report_free(r);

	rebuild_options opt = {.no_auto_config = true};
	rebuild_plan *plan = NULL;
	sd_error err;
	ck_assert_int_eq(rebuild_plan_make(p, &opt, NULL, &plan, &err), SD_OK);
	char *out = xasprintf("%s.out", p);
	ck_assert_msg(rebuild_write(plan, out, &opt, NULL, &err) == SD_OK, "%s", err.msg);
	rebuild_plan_free(plan);
	r = dmg_check(out);
	ck_assert_ptr_null(dmg_find(r, "feed-header-invalid"));
	ck_assert_int_eq(r->verdict, VERDICT_OK);
	report_free(r);
	unlink(out);
	free(out);
	dmg_done(p);
}
END_TEST

/* Names that must never become paths, nor reach a terminal raw. */
static const char *const hostile[] = {"\x1b[2J\x1b]0;pwned\x07.jpg", "../../../etc/cron.d/x",
                                      "/etc/passwd", "original/../../x.jpg",
                                      "original/\x9b"
                                      "31mred.jpg"};

START_TEST(hostile_member_names)
{
	const char *bad = hostile[_i];
	char *p = dmg_copy("good-project-A.mapeodata");
	char name[256];
	uint64_t h = first_media(p, name, sizeof name);
	dmg_rename(p, h, bad);
	/* the index names the member too */
	char *idx = dmg_index_json(p);
	char *esc = NULL;
	{
		json_t *s = json_string(bad);
		if (s) {
			esc = json_dumps(s, JSON_ENCODE_ANY);
			json_decref(s);
		}
	}
	char *q = xasprintf("\"%s\"", name);
	char *json = esc ? dmg_replace(idx, q, esc) : xstrdup(idx);
	dmg_rewrite_index(p, json);
	free(q), free(json), free(idx), free(esc);

	sd_report *r = dmg_check(p);
	ck_assert_ptr_nonnull(dmg_find(r, "dangerous-name"));
	/* text: no control character of the name reaches the terminal */
	strbuf t = SB_INIT;
	report_to_text(r, 80, &t);
	const char *s = sb_str(&t);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		ck_assert_msg(*c >= 0x20 || *c == '\n', "control byte 0x%02x in the text report",
		              *c);
		ck_assert_msg(*c != 0x9b && *c != 0x7f, "raw C1/DEL byte in the text report");
	}
	if (bad[0] == 0x1b)
		ck_assert_ptr_nonnull(strstr(s, "\\x1b[2J"));
	sb_free(&t);
	report_free(r);

	/* a rebuild never writes such a member into a new file */
	rebuild_options opt = {.no_auto_config = true};
	rebuild_plan *plan = NULL;
	sd_error err;
	ck_assert_int_eq(rebuild_plan_make(p, &opt, NULL, &plan, &err), SD_OK);
	rebuild_media_iter it = {0, 0};
	sf_member m;
	bool damaged;
	while (rebuild_media_next(plan, &it, &m, &damaged))
		ck_assert_str_ne(m.name, bad);
	strbuf pt = SB_INIT;
	rebuild_plan_text(plan, &pt);
	for (const unsigned char *c = (const unsigned char *)sb_str(&pt); *c; c++)
		ck_assert_msg((*c >= 0x20 && *c != 0x7f && *c != 0x9b) || *c == '\n',
		              "control byte 0x%02x in the plan", *c);
	sb_free(&pt);
	rebuild_plan_free(plan);

	/* and the command line's text report, when the binary is at hand */
	const char *bin = getenv("SYNCDOCTOR");
	if (bin && *bin) {
		char *cmd = xasprintf("'%s' check --no-config '%s' 2>&1", bin, p);
		FILE *f = popen(cmd, "r");
		ck_assert_ptr_nonnull(f);
		int c, ctl = 0;
		while ((c = fgetc(f)) != EOF)
			if ((c < 0x20 && c != '\n') || c == 0x7f || c == 0x9b)
				ctl++;
		pclose(f);
		ck_assert_int_eq(ctl, 0);
		free(cmd);
	}
	dmg_done(p);
}
END_TEST

START_TEST(escape_c1_and_invalid_utf8)
{
	char *e = report_escape("a\x1b[2Jb\xc2\x9b"
	                        "c\x9b"
	                        "d\xc3\xa9");
	ck_assert_str_eq(e, "a\\x1b[2Jb\\u009bc\\x9bd\xc3\xa9");
	free(e);
}
END_TEST

/* Issue 22: one escaping function (bidi controls, DEL, whole outputs with
 * their lines kept), every key read masked, and the JSON/YAML renderings. */
START_TEST(escape_bidi_lines_and_keys)
{
	char *e = report_escape_text("a\n\tb\r\x7f\xe2\x80\xae\xe2\x81\xa6\xe2\x80\x8f", true);
	ck_assert_str_eq(e, "a\n\tb\\x0d\\x7f\\u202e\\u2066\\u200f");
	free(e);
	e = report_escape("a\nb");
	ck_assert_str_eq(e, "a\\x0ab");
	free(e);
	static const char key[] =
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	keys_note_secret(key);
	e = report_escape("name 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef!");
	ck_assert_str_eq(e, "name 01234**********!");
	free(e);
	char *m = keys_mask(key);
	ck_assert_str_eq(m, "01234**********");
	free(m);
	json_t *j = json_pack("{s:s}", "n",
	                      "x\xc2\x85\xe2\x80\xae\x7f"
	                      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	strbuf out = SB_INIT;
	report_tree_render(j, REPORT_JSON, &out);
	ck_assert_ptr_nonnull(strstr(sb_str(&out), "x\\u0085\\u202e\\u007f01234**********"));
	sb_reset(&out);
	report_tree_render(j, REPORT_YAML, &out);
	ck_assert_ptr_nonnull(strstr(sb_str(&out), "\\u202e"));
	ck_assert_ptr_null(strstr(sb_str(&out), "\xe2\x80\xae"));
	ck_assert_ptr_null(strstr(sb_str(&out), key));
	sb_free(&out);
	json_decref(j);
}
END_TEST

/* Issue 22: an output target that is not a regular file is refused even
 * with force; an existing one without force is SD_ERR_EXISTS. */
START_TEST(output_target_must_be_regular)
{
	char dir[] = "/tmp/sdtarget-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *fifo = xasprintf("%s/fifo", dir), *file = xasprintf("%s/file", dir),
	     *tmp = xasprintf("%s/.file.sdtmp-abc123", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	FILE *f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	sd_error err;
	ck_assert_int_eq(io_check_target(fifo, true, &err), SD_ERR_EXISTS);
	ck_assert_ptr_nonnull(strstr(err.msg, "pipe"));
	ck_assert_int_eq(io_check_target(dir, true, &err), SD_ERR_EXISTS);
	ck_assert_int_eq(io_check_target(file, false, &err), SD_ERR_EXISTS);
	ck_assert_int_eq(io_check_target(file, true, &err), SD_OK);
	sd_output *o;
	ck_assert_int_eq(sdout_open(fifo, true, &o, &err), SD_ERR_EXISTS);
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	char **stale = io_stale_temps(file);
	ck_assert_ptr_nonnull(stale[0]);
	ck_assert_str_eq(stale[0], tmp);
	ck_assert_ptr_null(stale[1]);
	io_free_list(stale);
	unlink(tmp), unlink(file), unlink(fifo), rmdir(dir);
	free(fifo), free(file), free(tmp);
}
END_TEST

/* ---- count limits (sdlimits.h), through their test hooks ---- */

static void set_limit(const char *name, const char *value)
{
	if (value)
		ck_assert_int_eq(setenv(name, value, 1), 0);
	else
		unsetenv(name);
	sd_limits_reload();
}

static size_t count_code(const sd_report *r, const char *code)
{
	ck_assert_msg(fnd_lookup(code), "unknown finding code %s", code);
	size_t n = 0;
	for (size_t i = 0; i < fnd_n(&r->findings); i++)
		n += !strcmp(fnd_at(&r->findings, i)->code, code);
	return n;
}

/* The good fixture is "ok" with no limit lowered: the limit tests below can
 * only pass because of the lowered limit. */
static sd_report *check_limited_at(const char *path, const char *name, const char *value,
                                   bool names_file)
{
	sd_report *r = dmg_check(path);
	ck_assert_int_eq(r->verdict, VERDICT_OK);
	ck_assert_ptr_null(dmg_find(r, "limit-exceeded"));
	report_free(r);
	set_limit(name, value);
	r = dmg_check(path);
	set_limit(name, NULL);
	ck_assert_int_eq(r->verdict, VERDICT_PROBLEMS);
	ck_assert_uint_eq(count_code(r, "limit-exceeded"), 1);
	const finding *f = dmg_find(r, "limit-exceeded");
	ck_assert_int_eq(f->severity, SEV_WARNING);
	ck_assert_msg(!names_file || strstr(f->message, path) != NULL, "the file is not named: %s",
	              f->message);
	ck_assert_msg(strstr(f->message, "not") != NULL, "nothing says what was left: %s",
	              f->message);
	/* every report format says the check is incomplete */
	strbuf b = SB_INIT;
	report_render(r, REPORT_TEXT, 80, &b);
	ck_assert_msg(strstr(b.s, "CHECK INCOMPLETE") != NULL, "%s", b.s);
	sb_free(&b);
	report_render(r, REPORT_JSON, 80, &b);
	ck_assert(strstr(b.s, "\"limit-exceeded\"") != NULL);
	ck_assert_msg(strstr(b.s, "\"complete\": false") != NULL, "%s", b.s);
	sb_free(&b);
	return r;
}

static sd_report *check_limited(const char *path, const char *name, const char *value)
{
	return check_limited_at(path, name, value, true);
}

START_TEST(limit_hook_only_lowers)
{
	set_limit("SYNCDOCTOR_LIMIT_FEEDS", "99999999999");
	ck_assert_uint_eq(sd_limit(SD_LIMIT_FEEDS), 100000);
	set_limit("SYNCDOCTOR_LIMIT_FEEDS", "12x");
	ck_assert_uint_eq(sd_limit(SD_LIMIT_FEEDS), 100000);
	set_limit("SYNCDOCTOR_LIMIT_FEEDS", "0");
	ck_assert_uint_eq(sd_limit(SD_LIMIT_FEEDS), 100000);
	set_limit("SYNCDOCTOR_LIMIT_FEEDS", "3");
	ck_assert_uint_eq(sd_limit(SD_LIMIT_FEEDS), 3);
	set_limit("SYNCDOCTOR_LIMIT_FEEDS", NULL);
	ck_assert_uint_eq(sd_limit(SD_LIMIT_FEEDS), 100000);
	ck_assert_uint_eq(sd_limit(SD_LIMIT_MEMBERS), 2000000);
}
END_TEST

START_TEST(limit_feeds_syncfile)
{
	/* two feeds, a limit of one: feed 1 is named and left unread */
	const char *p = sd_test_data("good-project-A.mapeodata");
	sd_report *r = check_limited(p, "SYNCDOCTOR_LIMIT_FEEDS", "1");
	const finding *f = dmg_find(r, "limit-exceeded");
	ck_assert_int_eq(f->feed, 1);
	ck_assert_ptr_nonnull(f->inner);
	ck_assert(!strncmp(f->inner, "1/", 2));
	ck_assert_str_eq(f->member, "osm-p2p-db.tar");
	ck_assert_int_gt(f->offset, 0);
	ck_assert_uint_eq(r->n_feeds, 1);
	ck_assert_int_eq(r->feeds[0].index, 0);
	report_free(r);
}
END_TEST

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static char *build_db(void)
{
	char *dir = sd_test_tmpdir();
	char *ud = xasprintf("%s/userdata", dir);
	dbfx_options o = {.own = true, .epoch_feed = -1};
	dbfx_build(sd_test_data("good-project-A.mapeodata"), ud, &o, NULL);
	free(dir);
	return ud;
}

static void done_db(char *ud)
{
	*strrchr(ud, '/') = '\0';
	nftw(ud, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(ud);
}

START_TEST(limit_feeds_database)
{
	char *ud = build_db();
	sd_report *r = check_limited(ud, "SYNCDOCTOR_LIMIT_FEEDS", "1");
	const finding *f = dmg_find(r, "limit-exceeded");
	/* readdir order decides which one is left out: either way only one
	 * feed is read, and the other is named */
	ck_assert_uint_eq(r->n_feeds, 1);
	ck_assert_int_eq(f->feed, r->feeds[0].index == 0 ? 1 : 0);
	ck_assert_ptr_nonnull(f->inner);
	ck_assert(strstr(f->message, "kappa.db") != NULL);
	report_free(r);
	done_db(ud);
}
END_TEST

START_TEST(limit_media_database)
{
	char *ud = build_db();
	sd_report *r = check_limited(ud, "SYNCDOCTOR_LIMIT_MEDIA", "5");
	const finding *f = dmg_find(r, "limit-exceeded");
	ck_assert_ptr_nonnull(f->media);
	ck_assert_uint_eq(r->media_members, 5);
	ck_assert(strstr(f->message, "25 of them") != NULL); /* 30 photo files */
	report_free(r);
	done_db(ud);
}
END_TEST

START_TEST(limit_members)
{
	const char *p = sd_test_data("good-project-A.mapeodata");
	sd_report *r = check_limited(p, "SYNCDOCTOR_LIMIT_MEMBERS", "10");
	const finding *f = dmg_find(r, "limit-exceeded");
	ck_assert_uint_eq(r->members, 10);
	ck_assert_int_gt(f->offset, 0);
	ck_assert(strstr(f->message, "10 members") != NULL);
	report_free(r);
}
END_TEST

START_TEST(limit_inner_members)
{
	const char *p = sd_test_data("good-project-A.mapeodata");
	sd_report *r = check_limited(p, "SYNCDOCTOR_LIMIT_INNER_MEMBERS", "3");
	const finding *f = dmg_find(r, "limit-exceeded");
	ck_assert_str_eq(f->member, "osm-p2p-db.tar");
	ck_assert(strstr(f->message, "3 entries") != NULL);
	report_free(r);
}
END_TEST

START_TEST(limit_blocks)
{
	/* feed 0 has 20 blocks, feed 1 has 7: with a limit of 10 only feed 0
	 * is left unverified */
	const char *p = sd_test_data("good-project-A.mapeodata");
	sd_report *r = check_limited(p, "SYNCDOCTOR_LIMIT_BLOCKS", "10");
	const finding *f = dmg_find(r, "limit-exceeded");
	ck_assert_int_eq(f->feed, 0);
	ck_assert_str_eq(f->inner, "0/tree");
	ck_assert_uint_eq(r->n_feeds, 2);
	ck_assert(!r->feeds[0].checked);
	ck_assert(r->feeds[1].checked);
	ck_assert_uint_eq(r->feeds[1].verified, 7);
	report_free(r);

	char *ud = build_db();
	r = check_limited(ud, "SYNCDOCTOR_LIMIT_BLOCKS", "10");
	f = dmg_find(r, "limit-exceeded");
	ck_assert_int_eq(f->feed, 0);
	ck_assert(!r->feeds[0].checked);
	report_free(r);
	done_db(ud);
}
END_TEST

START_TEST(limit_keys)
{
	const char *p = sd_test_data("good-project-A.mapeodata");
	/* an entry's finding is placed by feed and block, as entry-not-json is */
	sd_report *r = check_limited_at(p, "SYNCDOCTOR_LIMIT_KEYS", "1", false);
	const finding *f = dmg_find(r, "limit-exceeded");
	ck_assert_int_ge(f->feed, 0);
	ck_assert_int_ge(f->block, 0);
	report_free(r);
}
END_TEST

START_TEST(feed_name_collision)
{
	/* "1/key" renamed "0\\key": two feeds numbered 0 (one with backslash
	 * names), which the feed table must keep apart */
	char *p = dmg_copy("good-project-A.mapeodata");
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
	uint64_t h = 0;
	for (size_t i = 0; i < sf->n_inner; i++)
		if (!strcmp(sf->inner[i].name, "1/key"))
			h = sf->inner[i].off - 512;
	sf_close(sf);
	fnd_free(&fl);
	ck_assert_uint_ne(h, 0);
	dmg_rename(p, h, "0\\key");
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
	size_t zeros = 0;
	for (size_t i = 0; i < sf->n_feeds; i++)
		zeros += sf->feeds[i].index == 0;
	ck_assert_uint_eq(zeros, 2);
	ck_assert(fnd_has(&fl, FND_FEED_NAME_COLLISION));
	sf_close(sf);
	fnd_free(&fl);
	dmg_done(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hardening");
	TCase *t = tcase_create("limits");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, zip_ratio_bomb);
	tcase_add_test(t, zip_overlapping_bomb);
	tcase_add_test(t, zip_member_past_end);
	tcase_add_test(t, index_too_deep);
	tcase_add_test(t, index_too_large);
	tcase_add_test(t, index_with_nul);
	tcase_add_test(t, member_size_beyond_file);
	tcase_add_test(t, inner_member_size_beyond_file);
	tcase_add_loop_test(t, damaged_feed_header_rebuilt, 0,
	                    (int)(sizeof feed_files / sizeof feed_files[0]));
	tcase_add_loop_test(t, hostile_member_names, 0, (int)(sizeof hostile / sizeof hostile[0]));
	tcase_add_test(t, escape_c1_and_invalid_utf8);
	tcase_add_test(t, limit_hook_only_lowers);
	tcase_add_test(t, limit_feeds_syncfile);
	tcase_add_test(t, limit_feeds_database);
	tcase_add_test(t, limit_media_database);
	tcase_add_test(t, limit_members);
	tcase_add_test(t, limit_inner_members);
	tcase_add_test(t, limit_blocks);
	tcase_add_test(t, limit_keys);
	tcase_add_test(t, feed_name_collision);
	tcase_add_test(t, escape_bidi_lines_and_keys);
	tcase_add_test(t, output_target_must_be_regular);
	suite_add_tcase(s, t);
	return s;
}

int main(void) { return sd_test_run(suite()); }
