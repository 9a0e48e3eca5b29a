/* mkhostile: the project's hostile-input generator and output scanner
 * (tests/hostile.sh drives it).
 *
 *   mkhostile gen DATA DIR   write hostile tar, ZIP, JSON, YAML, hypercore
 *                            feed and config.yaml inputs made from the real
 *                            files in DATA (tests/data) into DIR, and the
 *                            list of runs to try, DIR/cases, one per line:
 *                            CLASS|EXITS|ARGS (EXITS: the documented exit
 *                            codes allowed, comma-separated; ARGS: the
 *                            command line, words separated by spaces, @ for
 *                            DIR)
 *   mkhostile scan KEY FILE...  count what must never be printed: ESC and
 *                            other C0 controls but newline, tab and the
 *                            progress line's carriage return, DEL, C1
 *                            controls (raw or UTF-8), bidirectional controls,
 *                            and KEY (a full 64-hex project key) in any case.
 *                            Prints "escapes N keys M"; exit 1 when either
 *                            is not zero.
 *   mkhostile presets DIR N  a configuration folder with N presets and N
 *                            fields (bench/hostile-scaling.sh)
 *
 * Every damaged input starts from a real file that upstream Mapeo wrote;
 * nothing here is committed as a binary. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "syncfile.h"
#include "tar.h"
#include "xalloc.h"

/* The key of tests/data/config-A (and of good-project-A's project). */
#define KEY_A "ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e"

/* What a hostile name carries: a window title (OSC 0), a clear screen, the
 * clipboard (OSC 52), an 8-bit CSI, a C1 control as UTF-8, a right-to-left
 * override, DEL and a byte that is not UTF-8. */
#define EVIL                                                                                       \
	"\x1b]0;owned\x07\x1b[2J\x1b]52;c;b3duZWQ=\x07\xc2\x9b"                                    \
	"31m\xc2\x85\xe2\x80\xae"                                                                  \
	"gpj.exe\x7f\xff"

/* EVIL without the byte that is not UTF-8 (for jstr()). */
#define EVIL_RAW_UTF8                                                                              \
	"\x1b]0;owned\x07\x1b[2J\x1b]52;c;b3duZWQ=\x07\xc2\x9b"                                    \
	"31m\xc2\x85\xe2\x80\xae"                                                                  \
	"gpj.exe\x7f"

/* The same inside a JSON string (C0 as \u escapes; no invalid UTF-8,
 * which a JSON parser refuses whole). */
#define EVIL_JSON                                                                                  \
	"\\u001b]0;owned\\u0007\\u001b[2J\\u001b]52;c;b3duZWQ=\\u0007\xc2\x9b"                     \
	"31m\xc2\x85\xe2\x80\xae"                                                                  \
	"gpj.exe\x7f"

static const char *out_dir;
static FILE *cases;

static void die(const char *what)
{
	fprintf(stderr, "mkhostile: %s: %s\n", what, strerror(errno));
	exit(2);
}

static char *at(const char *name) { return xasprintf("%s/%s", out_dir, name); }

static void put(const char *name, const void *data, size_t len)
{
	char *p = at(name);
	FILE *f = fopen(p, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		die(p);
	free(p);
}

static void puts_file(const char *name, const char *text) { put(name, text, strlen(text)); }

static void dir(const char *name)
{
	char *p = at(name);
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		die(p);
	free(p);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die(path);
	strbuf b = SB_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_addn(&b, buf, n);
	fclose(f);
	*len = b.len;
	return (uint8_t *)sb_take(&b);
}

static void add_case(const char *class, const char *exits, const char *fmt, ...) SD_PRINTF(3, 4);
static void add_case(const char *class, const char *exits, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(cases, "%s|%s|", class, exits);
	vfprintf(cases, fmt, ap);
	fputc('\n', cases);
	va_end(ap);
}

/* ---- configurations (JSON in a folder, a tar and a ZIP) ---- */

static const char *presets_json =
    "{\"categories\":{},\"fields\":{\"f1\":{\"key\":\"k\",\"type\":\"text\",\"label\":\"" EVIL_JSON
    "\"}},\"presets\":{\"p1\":{\"name\":\"" EVIL_JSON "\",\"fields\":[\"f1\"],\"tags\":{}}},"
    "\"defaults\":{}}";

/* JSON-escape s (control bytes as \u00XX) without validating UTF-8: a
 * JSON parser decides what it makes of the rest. */
static char *jstr(const char *s)
{
	strbuf b = SB_INIT;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == '"' || *p == '\\')
			sb_printf(&b, "\\u%04x", *p);
		else
			sb_addc(&b, (char)*p);
	return sb_take(&b);
}

static void config_dir(const char *name, const char *cfg_name, const char *version,
                       const char *metadata_extra, const char *presets)
{
	dir(name);
	char *n = jstr(cfg_name), *v = jstr(version);
	char *meta = xasprintf("{\"name\":\"%s\",\"version\":\"%s\"%s}", n, v, metadata_extra);
	char *m = xasprintf("%s/metadata.json", name), *p = xasprintf("%s/presets.json", name);
	puts_file(m, meta);
	puts_file(p, presets);
	free(n), free(v), free(meta), free(m), free(p);
}

static void tar_member(strbuf *t, const char *name, const char *data, size_t len)
{
	uint8_t h[TAR_BLOCK];
	if (!tar_header_build(h, name, len, 1700000000, 0644, TAR_ENC_STREAM))
		exit(2);
	sb_addn(t, (const char *)h, TAR_BLOCK);
	sb_addn(t, data, len);
	static const char zeros[TAR_BLOCK];
	sb_addn(t, zeros, (size_t)(tar_padded(len) - len));
}

/* Recompute a header's checksum (tar-stream's form) after a patch. */
static void fix_checksum(uint8_t *h)
{
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

static void le16(strbuf *b, unsigned v)
{
	sb_addc(b, (char)(v & 0xff));
	sb_addc(b, (char)(v >> 8 & 0xff));
}
static void le32(strbuf *b, uint32_t v)
{
	le16(b, v & 0xffff);
	le16(b, v >> 16);
}

/* A stored ZIP of one or two members; comp_size_override (when not 0) is
 * what the directory claims for the first member. */
static void zip_file(const char *name, const char *const *names, const char *const *datas, size_t n,
                     uint32_t comp_size_override)
{
	strbuf z = SB_INIT, cd = SB_INIT;
	for (size_t i = 0; i < n; i++) {
		uint32_t off = (uint32_t)z.len, len = (uint32_t)strlen(datas[i]);
		uint32_t crc = 0; /* never reached: sizes or names are the fault */
		le32(&z, 0x04034b50), le16(&z, 20), le16(&z, 0), le16(&z, 0), le32(&z, 0);
		le32(&z, crc), le32(&z, len), le32(&z, len), le16(&z, (unsigned)strlen(names[i]));
		le16(&z, 0), sb_add(&z, names[i]), sb_add(&z, datas[i]);
		le32(&cd, 0x02014b50), le16(&cd, 20), le16(&cd, 20), le16(&cd, 0), le16(&cd, 0);
		le32(&cd, 0), le32(&cd, crc);
		le32(&cd, i == 0 && comp_size_override ? comp_size_override : len);
		le32(&cd, len), le16(&cd, (unsigned)strlen(names[i])), le16(&cd, 0), le16(&cd, 0);
		le16(&cd, 0), le16(&cd, 0), le32(&cd, 0), le32(&cd, off), sb_add(&cd, names[i]);
	}
	uint32_t cd_off = (uint32_t)z.len;
	sb_addn(&z, sb_str(&cd), cd.len);
	le32(&z, 0x06054b50), le16(&z, 0), le16(&z, 0), le16(&z, (unsigned)n);
	le16(&z, (unsigned)n), le32(&z, (uint32_t)cd.len), le32(&z, cd_off), le16(&z, 0);
	put(name, z.s, z.len);
	sb_free(&z), sb_free(&cd);
}

static void gen_configs(const char *data)
{
	char *cfg_a = xasprintf("%s/config-A.mapeosettings", data);
	char *sync_a = xasprintf("%s/good-project-A.mapeodata", data);
	/* escapes in every string a configuration carries */
	config_dir("cfg-escape", "Proyecto " EVIL_RAW_UTF8, "1.0" EVIL_RAW_UTF8,
	           ",\"projectKey\":\"" KEY_A "\"", presets_json);
	add_case("json", "0,2", "match %s @/cfg-escape", sync_a);
	/* a newline in a name: the text outputs keep their own lines, so it
	 * must be escaped with the name (hostile.sh looks for the forged line) */
	config_dir("cfg-newline", "Proyecto\nFORGED LINE", "1.0\nFORGED VERSION",
	           ",\"projectKey\":\"" KEY_A "\"", presets_json);
	add_case("json", "0", "match %s @/cfg-newline", sync_a);
	add_case("json", "2", "diff @/cfg-newline %s", cfg_a);
	add_case("json", "2", "diff @/cfg-escape %s", cfg_a);
	add_case("json", "2", "diff --format json @/cfg-escape %s", cfg_a);
	add_case("json", "2", "diff --format yaml @/cfg-escape %s", cfg_a);
	add_case("json", "2", "diff --width 132 @/cfg-escape %s", cfg_a);
	add_case("json", "0,2", "check --config @/cfg-escape %s", sync_a);
	add_case("json", "0,2", "check --format json --config @/cfg-escape %s", sync_a);
	/* the key copied into the name and the version */
	config_dir("cfg-keyname", "Proyecto " KEY_A, "1.0-" KEY_A, ",\"projectKey\":\"" KEY_A "\"",
	           presets_json);
	add_case("key", "0,2", "match %s @/cfg-keyname", sync_a);
	add_case("key", "0,2", "match --format yaml %s @/cfg-keyname", sync_a);
	add_case("key", "2", "diff @/cfg-keyname %s", cfg_a);
	add_case("key", "0,2", "check --config @/cfg-keyname %s", sync_a);
	add_case("key", "0,2", "check --format json --config @/cfg-keyname %s", sync_a);
	/* two projectKey values */
	config_dir("cfg-dupkey", "Dup", "1",
	           ",\"projectKey\":\"" KEY_A "\",\"projectKey\":\"" KEY_A "\"", presets_json);
	add_case("json", "2", "check --config @/cfg-dupkey %s", sync_a);
	/* JSON nested past any parser's depth, and a 2 MB name */
	strbuf deep = SB_INIT;
	for (int i = 0; i < 100000; i++)
		sb_addc(&deep, '[');
	for (int i = 0; i < 100000; i++)
		sb_addc(&deep, ']');
	config_dir("cfg-deep", "Deep", "1", "", sb_str(&deep));
	sb_free(&deep);
	add_case("json", "0,2,3", "diff @/cfg-deep %s", cfg_a);
	strbuf big = SB_INIT;
	for (int i = 0; i < 2 << 20; i++)
		sb_addc(&big, (char)('a' + i % 26));
	config_dir("cfg-longname", sb_str(&big), "1", "", presets_json);
	sb_free(&big);
	add_case("json", "0,2", "check --config @/cfg-longname %s", sync_a);
	add_case("json", "2", "diff @/cfg-longname %s", cfg_a);
	/* the same escapes in a tar configuration, member names included */
	strbuf t = SB_INIT;
	{
		const char *md = "{\"name\":\"T\\u001b[2J\",\"version\":\"1\"}";
		tar_member(&t, "metadata.json", md, strlen(md));
	}
	tar_member(&t, "presets.json", presets_json, strlen(presets_json));
	tar_member(&t, "icons/x-small@1x.png", "x", 1);
	/* a header whose size field is not a number (checksum right) */
	tar_member(&t, "style.css", "body{}", 6);
	uint8_t *h = (uint8_t *)t.s + t.len - 2 * TAR_BLOCK;
	memcpy(h + 124, "zzzzzzzzzzz ", 12);
	fix_checksum(h);
	static const char end[2 * TAR_BLOCK];
	sb_addn(&t, end, sizeof end);
	put("cfg-tar.mapeosettings", t.s, t.len);
	sb_free(&t);
	add_case("tar", "3", "diff @/cfg-tar.mapeosettings %s", cfg_a); /* damaged: read in part */
	/* ZIP: a compressed size past the end of the file; an escape in a name */
	const char *names[] = {"metadata.json", "icons/" EVIL ".png"};
	const char *datas[] = {"{\"name\":\"Z\",\"version\":\"1\"}", "png"};
	zip_file("cfg-zip-pastend.mapeosettings", names, datas, 2, 0x7ffffff0u);
	add_case("zip", "2,3", "diff @/cfg-zip-pastend.mapeosettings %s", cfg_a);
	zip_file("cfg-zip-name.mapeosettings", names, datas, 2, 0);
	add_case("zip", "2,3", "diff @/cfg-zip-name.mapeosettings %s", cfg_a);
	free(cfg_a), free(sync_a);
}

/* ---- sync files: tar headers and hypercore feeds ---- */

static syncfile *open_sync(const char *path)
{
	syncfile *sf = NULL;
	findings fl;
	fnd_init(&fl);
	if (sf_open(path, &sf, &fl, NULL, NULL) != SD_OK)
		exit(2);
	fnd_free(&fl);
	return sf;
}

/* Leftover temporary folders holding the file's database packed
 * (osm-p2p-db.tar, database.h): an entry name with every escape, and the
 * tar followed by a 1 TiB hole. */
static void temp_folders(const syncfile *sf, const uint8_t *orig, const char *data)
{
	size_t n = (size_t)sf->db->size;
	uint8_t *t = xmalloc(n);
	memcpy(t, orig + sf->db->data_off, n);
	memcpy(t, "0/" EVIL, strlen("0/" EVIL)); /* the first entry's header */
	fix_checksum(t);
	dir("osm-p2p-syncfile-escape");
	put("osm-p2p-syncfile-escape/osm-p2p-db.tar", t, n);
	add_case("temp", "0,2", "check @/osm-p2p-syncfile-escape");
	add_case("temp", "0,2,4",
	         "rebuild --config %s/config-A.mapeosettings --salvage --database "
	         "@/osm-p2p-syncfile-escape -o @/out-temp-escape.mapeodata",
	         data);
	dir("osm-p2p-syncfile-sparse");
	put("osm-p2p-syncfile-sparse/osm-p2p-db.tar", orig + sf->db->data_off, n);
	char *sp = at("osm-p2p-syncfile-sparse/osm-p2p-db.tar");
	if (truncate(sp, (off_t)1 << 40) != 0)
		die(sp);
	free(sp);
	add_case("temp", "0,2", "check @/osm-p2p-syncfile-sparse");
	free(t);
}

/* The tar header before each of the feeds' files in b (a copy of sf's
 * file) zeroed, the keys' too when keys. */
static void zero_feed_headers(const syncfile *sf, uint8_t *b, bool keys)
{
	for (size_t i = 0; i < sf->n_feeds; i++) {
		const sf_feed *fd = &sf->feeds[i];
		const sf_range *r[] = {&fd->tree, &fd->signatures, &fd->bitfield, &fd->data,
		                       &fd->key};
		for (int k = 0; k < (keys ? 5 : 4); k++)
			if (r[k]->present && r[k]->off >= TAR_BLOCK)
				memset(b + r[k]->off - TAR_BLOCK, 0, TAR_BLOCK);
	}
}

static void gen_syncfiles(const char *data)
{
	char *src = xasprintf("%s/good-project-A.mapeodata", data);
	size_t len;
	uint8_t *orig = slurp(src, &len);
	syncfile *sf = open_sync(src);
	uint8_t *b = xmalloc(len);

	/* a member name with every escape, and a size field that is no number */
	memcpy(b, orig, len);
	sf_member m0b, *m0 = &m0b;
	sf_member_get(sf, 0, m0);
	memcpy(b + m0->header_off, "x/" EVIL, strlen("x/" EVIL));
	fix_checksum(b + m0->header_off);
	put("tar-escape.mapeodata", b, len);
	add_case("tar", "0,2", "check @/tar-escape.mapeodata");
	add_case("tar", "0,2", "check --format yaml @/tar-escape.mapeodata");
	add_case("tar", "0,2,4", "rebuild @/tar-escape.mapeodata -o @/out-escape.mapeodata");
	/* a projectKey this run never reads, copied into a photo's name: text,
	 * JSON, YAML and the plan mask it all the same (run_one's key scan) */
	memcpy(b, orig, len);
	memset(b + m0->header_off, 0, 100);
	memcpy(b + m0->header_off, "original/" KEY_A ".jpg", strlen("original/" KEY_A ".jpg"));
	fix_checksum(b + m0->header_off);
	put("tar-keyname.mapeodata", b, len);
	add_case("key", "0,2", "check @/tar-keyname.mapeodata");
	add_case("key", "0,2", "check --format json @/tar-keyname.mapeodata");
	add_case("key", "0,2", "check --format yaml @/tar-keyname.mapeodata");
	add_case("key", "0,2,4", "rebuild --dry-run --format json @/tar-keyname.mapeodata");
	memcpy(b, orig, len);
	memcpy(b + m0->header_off + 124, "1x2y3z4w5v6 ", 12);
	fix_checksum(b + m0->header_off);
	put("tar-sizenan.mapeodata", b, len);
	add_case("tar", "2", "check @/tar-sizenan.mapeodata");

	/* hypercore feeds: a byte flipped in each file of each feed */
	static const char *const parts[] = {"key", "tree", "signatures", "bitfield", "data"};
	int n = 0;
	for (size_t i = 0; i < sf->n_feeds && n < 20; i++) {
		const sf_feed *fd = &sf->feeds[i];
		const sf_range *r[] = {&fd->key, &fd->tree, &fd->signatures, &fd->bitfield,
		                       &fd->data};
		for (int k = 0; k < 5; k++) {
			if (!r[k]->present || !r[k]->size)
				continue;
			memcpy(b, orig, len);
			b[r[k]->off + r[k]->size / 2] ^= 0x5a;
			char *name = xasprintf("feed-%zu-%s.mapeodata", i, parts[k]);
			put(name, b, len);
			add_case("feed", "0,2", "check @/%s", name);
			add_case("feed", "0,2,4", "rebuild --salvage @/%s -o @/out-%s", name, name);
			free(name);
			n++;
		}
	}
	/* every header of the database but the keys' zeroed (sectors lost in
	 * storage): each feed's stretch read as the files it lacks; and every
	 * one, the keys' too: the feeds read back one after another from one
	 * stretch (formats §3) */
	static const struct {
		bool keys;
		const char *name, *rebuild;
	} zeroed[] = {{false, "feed-headers-zeroed", "rebuild --salvage"},
	              {true, "feed-all-headers-zeroed", "rebuild"}};
	for (size_t z = 0; z < sizeof zeroed / sizeof zeroed[0]; z++) {
		memcpy(b, orig, len);
		zero_feed_headers(sf, b, zeroed[z].keys);
		char *name = xasprintf("%s.mapeodata", zeroed[z].name);
		put(name, b, len);
		add_case("feed", "0,2", "check @/%s", name);
		add_case("feed", "0,2,4", "%s @/%s -o @/out-%s", zeroed[z].rebuild, name, name);
		free(name);
	}
	/* the file followed by a 1 TiB hole: zero runs are not data */
	put("tar-sparse.mapeodata", orig, len);
	char *sp = at("tar-sparse.mapeodata");
	if (truncate(sp, (off_t)1 << 40) != 0)
		die(sp);
	free(sp);
	add_case("tar", "0,2", "check @/tar-sparse.mapeodata");
	/* a first member claiming 1 TiB (base-256 size) over a sparse file */
	memcpy(b, orig, len);
	uint8_t *h = b + m0->header_off + 124;
	memset(h, 0, 12);
	h[0] = 0x80;
	h[6] = 0x01; /* 2^40 */
	fix_checksum(b + m0->header_off);
	put("tar-huge-member.mapeodata", b, len);
	sp = at("tar-huge-member.mapeodata");
	if (truncate(sp, ((off_t)1 << 40) + 4096) != 0)
		die(sp);
	free(sp);
	add_case("tar", "0,2", "check @/tar-huge-member.mapeodata");
	/* 200 databases and no index (appends that died before their index):
	 * each other one is read again whole, so only a few are (syncfile.h) */
	strbuf many = SB_INIT;
	uint64_t db_len = TAR_BLOCK + tar_padded(sf->db->size);
	sb_addn(&many, (const char *)orig, (size_t)sf->index_member->header_off);
	for (int k = 0; k < 200; k++)
		sb_addn(&many, (const char *)orig + sf->db->header_off, (size_t)db_len);
	put("databases-many.mapeodata", sb_str(&many), many.len);
	sb_free(&many);
	add_case("databases", "2", "check @/databases-many.mapeodata");
	add_case("databases", "0,2,4",
	         "rebuild --config %s/config-A.mapeosettings @/databases-many.mapeodata -o "
	         "@/out-databases.mapeodata",
	         data);
	temp_folders(sf, orig, data);
	sf_close(sf);
	free(b), free(orig), free(src);
}

/* ---- YAML: the version table and config.yaml ---- */

static void gen_yaml(const char *data)
{
	char *sync_a = xasprintf("%s/good-project-A.mapeodata", data);
	strbuf y = SB_INIT;
	sb_add(&y, "releases:");
	for (int i = 0; i < 100000; i++)
		sb_add(&y, " [");
	for (int i = 0; i < 100000; i++)
		sb_addc(&y, ']');
	sb_addc(&y, '\n');
	put("versions-deep.yaml", y.s, y.len);
	sb_reset(&y);
	sb_add(&y, "releases:\n");
	for (int i = 0; y.len < (15u << 20); i++)
		sb_printf(&y, "  - {desktop: \"%d.0.0\", series: \"%d\", writes: x}\n", i, i);
	put("versions-big.yaml", y.s, y.len);
	sb_reset(&y);
	add_case("yaml", "0,2", "check --versions @/versions-deep.yaml %s", sync_a);
	add_case("yaml", "0,2", "check --versions @/versions-big.yaml %s", sync_a);
	sb_printf(&y, "versions_note: \"" EVIL "\"\nreleases:\n  - desktop: \"" EVIL "\"\n");
	put("versions-escape.yaml", y.s, y.len);
	add_case("yaml", "0,2", "check --versions @/versions-escape.yaml %s", sync_a);
	sb_free(&y);
	free(sync_a);
}

static void gen_userconf(void)
{
	strbuf y = SB_INIT;
	sb_add(&y, "language: ");
	for (int i = 0; i < (2 << 20); i++)
		sb_addc(&y, i % 2 ? 's' : 'e');
	sb_addc(&y, '\n');
	put("conf-language.yaml", y.s, y.len);
	sb_reset(&y);
	sb_add(&y, "language: \"es\\e[2J\"\ncolor: \"" EVIL "\"\nlog_dir: \"\\e]0;x\\a\"\n"
	           "journal: ");
	for (int i = 0; i < 8000; i++)
		sb_addc(&y, 'j');
	sb_add(&y, "\nwhatever" EVIL ": 1\n");
	put("conf-escape.yaml", y.s, y.len);
	sb_reset(&y);
	for (int i = 0; i < 20000; i++)
		sb_add(&y, "[");
	put("conf-deep.yaml", y.s, y.len);
	sb_free(&y);
	/* CONF=NAME: hostile.sh points SYNCDOCTOR_CONFIG at @/NAME */
	add_case("config.yaml", "0", "CONF=conf-language.yaml env");
	add_case("config.yaml", "0", "CONF=conf-escape.yaml env");
	add_case("config.yaml", "0", "CONF=conf-deep.yaml env");
	add_case("config.yaml", "0", "CONF=conf-language.yaml --version");
}

/* ---- the scanner ---- */

static int scan(const char *key, int nfiles, char **files)
{
	unsigned long escapes = 0, keys = 0;
	size_t kl = strlen(key);
	for (int f = 0; f < nfiles; f++) {
		size_t len;
		uint8_t *d = slurp(files[f], &len);
		for (size_t i = 0; i < len; i++) {
			uint8_t c = d[i];
			if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
				escapes++;
			else if (c == 0xc2 && i + 1 < len && d[i + 1] >= 0x80 && d[i + 1] <= 0x9f)
				escapes++;
			else if (c == 0xe2 && i + 2 < len && d[i + 1] == 0x80 &&
			         (d[i + 2] == 0x8e || d[i + 2] == 0x8f ||
			          (d[i + 2] >= 0xaa && d[i + 2] <= 0xae)))
				escapes++;
			else if (c == 0xe2 && i + 2 < len && d[i + 1] == 0x81 && d[i + 2] >= 0xa6 &&
			         d[i + 2] <= 0xa9)
				escapes++;
			else if (c >= 0x80 && c <= 0x9f && (i == 0 || d[i - 1] < 0xc2))
				escapes++; /* a raw C1 byte (0x9b: CSI) */
			if (kl && i + kl <= len && !strncasecmp((const char *)d + i, key, kl))
				keys++;
		}
		free(d);
	}
	printf("escapes %lu keys %lu\n", escapes, keys);
	return escapes || keys ? 1 : 0;
}

/* ---- scaling (bench) ---- */

static void presets(const char *d, long n, bool renamed)
{
	out_dir = d;
	strbuf p = SB_INIT;
	sb_add(&p, "{\"categories\":{},\"defaults\":{},\"fields\":{");
	for (long i = 0; i < n; i++)
		sb_printf(&p,
		          "%s\"%s%ld\":{\"key\":\"k%ld\",\"type\":\"text\",\"label\":\"F %ld\"}",
		          i ? "," : "", renamed && i % 2 ? "g" : "f", i, i, i);
	sb_add(&p, "},\"presets\":{");
	for (long i = 0; i < n; i++)
		sb_printf(&p,
		          "%s\"p%ld\":{\"name\":\"P "
		          "%ld%s\",\"fields\":[\"f%ld\"],\"tags\":{\"t\":\"%ld\"}}",
		          i ? "," : "", i, i, renamed && i % 3 ? "x" : "", i, i);
	sb_add(&p, "}}");
	puts_file("metadata.json", "{\"name\":\"Scale\",\"version\":\"1\"}");
	puts_file("presets.json", sb_str(&p));
	sb_free(&p);
}

/* ---- an index whose start storage zeroed, read from its end ---- */

/* File A up to its index's header, 1024 zeros over that header and the
 * JSON's start, then text as the index's intact end, padding and trailer. */
static void put_tail(const char *name, const uint8_t *orig, uint64_t idx_hdr, const strbuf *text)
{
	strbuf b = SB_INIT;
	sb_addn(&b, (const char *)orig, (size_t)idx_hdr);
	for (size_t i = 0; i < 1024; i++)
		sb_addc(&b, '\0');
	sb_addn(&b, sb_str(text), text->len);
	for (size_t i = 0, pad = (TAR_BLOCK - b.len % TAR_BLOCK) % TAR_BLOCK; i < pad + 1024; i++)
		sb_addc(&b, '\0');
	put(name, sb_str(&b), b.len);
	sb_free(&b);
}

static void gen_index_tail(const char *data)
{
	static const char ud[] =
	    "},\"userdata\":{\"version\":\"" EVIL_JSON "\",\"syncfile\":{\"p2p-db\":\"kappa-osm\","
	    "\"discoveryKey\":\"c9907bd996f291d85da997d935db81cbed304b7e31c2f10364ae3a17293cf7af\"}"
	    "}}";
	char *src = xasprintf("%s/good-project-A.mapeodata", data);
	size_t len;
	uint8_t *orig = slurp(src, &len);
	syncfile *sf = open_sync(src);
	uint64_t hdr = sf->index_member->header_off;
	sf_close(sf);
	strbuf t = SB_INIT;
	/* escapes in a whole entry's name and in the userdata taken */
	sb_add(&t, "\"x\":{\"offset\":0,\"size\":1},\"original/" EVIL_JSON
	           ".jpg\":{\"offset\":512,\"size\":1}");
	sb_add(&t, ud);
	put_tail("tail-escape.mapeodata", orig, hdr, &t);
	add_case("index-tail", "2", "check @/tail-escape.mapeodata");
	add_case("index-tail", "2", "check --format yaml @/tail-escape.mapeodata");
	add_case("index-tail", "0,2,4", "rebuild @/tail-escape.mapeodata -o @/out-tail.mapeodata");
	/* 3 MiB of "userdata" keys whose objects never close: a bounded few are
	 * tried */
	sb_reset(&t);
	for (int k = 0; k < 160000; k++)
		sb_add(&t, ",\"userdata\":{\"a\":[");
	sb_add(&t, "}}");
	put_tail("tail-keys.mapeodata", orig, hdr, &t);
	add_case("index-tail", "2", "check @/tail-keys.mapeodata");
	/* 8 MiB of whole entries naming no member: the last 2 MiB are read */
	sb_reset(&t);
	for (int k = 0; k < 200000; k++)
		sb_printf(&t, ",\"original/%d.jpg\":{\"offset\":%d,\"size\":1}", k, k * 512);
	sb_add(&t, ud);
	put_tail("tail-entries.mapeodata", orig, hdr, &t);
	add_case("index-tail", "2", "check @/tail-entries.mapeodata");
	sb_free(&t);
	free(orig);
	free(src);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "gen")) {
		out_dir = argv[3];
		if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
			die(out_dir);
		char *cp = at("cases");
		cases = fopen(cp, "w");
		if (!cases)
			die(cp);
		free(cp);
		gen_configs(argv[2]);
		gen_syncfiles(argv[2]);
		gen_index_tail(argv[2]);
		gen_yaml(argv[2]);
		gen_userconf();
		return fclose(cases) == 0 ? 0 : 2;
	}
	if (argc >= 3 && !strcmp(argv[1], "scan"))
		return scan(argv[2], argc - 3, argv + 3);
	if (argc == 5 && !strcmp(argv[1], "presets")) {
		if (mkdir(argv[2], 0755) != 0 && errno != EEXIST)
			die(argv[2]);
		presets(argv[2], atol(argv[3]), !strcmp(argv[4], "renamed"));
		return 0;
	}
	fprintf(stderr, "usage: mkhostile gen DATA DIR | scan KEY FILE... | presets DIR N "
	                "same|renamed\n");
	return 2;
}
