#include "config.h"

#include "dbfixture.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "feed.h"
#include "feedwrite.h"
#include "keys.h"
#include "syncfile.h"
#include "xalloc.h"

static void die(const char *what, const char *path)
{
	fprintf(stderr, "dbfixture: %s %s: %s\n", what, path, strerror(errno));
	abort();
}

static void mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST)
				die("mkdir", p);
			*s = '/';
		}
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		die("mkdir", p);
	free(p);
}

static void put(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		die("write", path);
}

static void putf(const void *data, size_t len, const char *fmt, ...) SD_PRINTF(3, 4);
static void putf(const void *data, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char path[4096];
	vsnprintf(path, sizeof path, fmt, ap);
	va_end(ap);
	put(path, data, len);
}

static uint8_t *range(syncfile *sf, const sf_range *r, size_t *len)
{
	*len = 0;
	if (!r->present)
		return NULL;
	uint8_t *b = xmalloc((size_t)r->size + 1);
	if (r->size && sf_read(sf, r->off, b, (size_t)r->size, NULL) != SD_OK)
		die("read", sf->path);
	*len = (size_t)r->size;
	return b;
}

static uint64_t be64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* Replace every occurrence of from (n bytes) by to (n bytes). */
static void swap_all(uint8_t *b, size_t len, const char *from, const char *to, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(b + i, from, n))
			memcpy(b + i, to, n);
}

/* created_at of the entry in b set to a moment in 1970 (same length). */
static void plant_epoch(uint8_t *b, size_t len)
{
	static const char tag[] = "\"created_at\":\"";
	size_t tl = sizeof tag - 1;
	for (size_t i = 0; i + tl + 24 <= len; i++)
		if (!memcmp(b + i, tag, tl) && b[i + tl + 23] == 'Z') {
			memcpy(b + i + tl, "1970-01-01T00:00:05.000Z", 24);
			return;
		}
	fprintf(stderr, "dbfixture: no created_at to plant a 1970 date in\n");
	abort();
}

static void build(const char *sfpath, const char *dbdir, const char *media, const dbfx_options *o,
                  uint8_t secret[64])
{
	if (sodium_init() < 0)
		abort();
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	if (sf_open(sfpath, &sf, &fl, NULL, NULL) != SD_OK)
		die("open", sfpath);
	fnd_free(&fl);
	mkdirs(dbdir);
	size_t n = sf->n_feeds;
	char(*old_hex)[KEYS_HEX_SIZE] = xcalloc(n + 1, sizeof *old_hex);
	char(*new_hex)[KEYS_HEX_SIZE] = xcalloc(n + 1, sizeof *new_hex);
	uint8_t(*pk)[32] = xcalloc(n + 1, sizeof *pk);
	uint8_t(*sk)[64] = xcalloc(n + 1, sizeof *sk);
	for (size_t i = 0; i < n; i++) {
		size_t kl;
		uint8_t *k = range(sf, &sf->feeds[i].key, &kl);
		if (!k || kl != 32)
			die("key of feed", sf->feeds[i].dir);
		keys_hex(k, 32, old_hex[i]);
		free(k);
		if (o->resign) {
			crypto_sign_keypair(pk[i], sk[i]);
			keys_hex(pk[i], 32, new_hex[i]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const sf_feed *fd = &sf->feeds[i];
		int idx = fd->index;
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/%d", dbdir, idx);
		mkdirs(dir);
		size_t kl, tl, sl, bl, dl;
		uint8_t *key = range(sf, &fd->key, &kl), *tree = range(sf, &fd->tree, &tl);
		uint8_t *sigs = range(sf, &fd->signatures, &sl),
		        *bf = range(sf, &fd->bitfield, &bl);
		uint8_t *data = range(sf, &fd->data, &dl);
		bool own = o->own && idx == 0;
		if (o->resign) {
			/* blocks from the tree's leaves, keys replaced, signed again */
			uint64_t len = tl >= 32 ? ((tl - 32) / 40 + 1) / 2 : 0;
			fwb *b = fwb_new();
			uint64_t off = 0;
			for (uint64_t k = 0; k < len; k++) {
				uint64_t size = be64(tree + 32 + 2 * k * 40 + 32);
				if (off + size > dl)
					die("data of feed", fd->dir);
				for (size_t f = 0; f < n; f++)
					swap_all(data + off, (size_t)size, old_hex[f], new_hex[f],
					         64);
				if (idx == o->epoch_feed && (long)k == o->epoch_block)
					plant_epoch(data + off, (size_t)size);
				fwb_append(b, data + off, (size_t)size);
				off += size;
			}
			free(tree), free(sigs), free(bf), free(key);
			key = xmalloc(32);
			memcpy(key, pk[i], 32), kl = 32;
			tree = fwb_tree(b, &tl);
			bf = fwb_bitfield(b, &bl);
			sigs = fwb_signatures(b, len ? sk[i] : NULL, &sl);
			if (own) /* a local writer that appended one by one signed every slot */
				for (uint64_t s = 1; s < len; s++) {
					uint8_t th[32];
					if (!feed_tree_hash(tree, tl, s, th))
						abort();
					crypto_sign_detached(sigs + 32 + (s - 1) * 64, NULL, th, 32,
					                     sk[i]);
				}
			dl = (size_t)off;
			fwb_free(b);
		}
		putf(key, kl, "%s/key", dir);
		putf(tree, tl, "%s/tree", dir);
		putf(sigs, sl, "%s/signatures", dir);
		putf(bf, bl, "%s/bitfield", dir);
		if (data && dl)
			putf(data, dl, "%s/data", dir);
		if (own) {
			uint8_t sec[64];
			if (o->resign)
				memcpy(sec, sk[i], 64);
			else
				randombytes_buf(sec, sizeof sec);
			putf(sec, 64, "%s/secret_key", dir);
			putf("default", 7, "%s/localname", dir);
			if (secret)
				memcpy(secret, sec, 64);
		}
		free(key), free(tree), free(sigs), free(bf), free(data);
	}
	if (o->project_key_hex) {
		/* multifeed 4.1.10's root feed: key = the raw project key bytes */
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/%s", dbdir, o->project_key_hex);
		mkdirs(dir);
		uint8_t k[32];
		if (!keys_decode(o->project_key_hex, k))
			abort();
		putf(k, 32, "%s/key", dir);
		fwb *e = fwb_new();
		size_t l;
		uint8_t *t = fwb_tree(e, &l);
		putf(t, l, "%s/tree", dir);
		free(t);
		t = fwb_signatures(e, NULL, &l);
		putf(t, l, "%s/signatures", dir);
		free(t);
		t = fwb_bitfield(e, &l);
		putf(t, l, "%s/bitfield", dir);
		free(t);
		fwb_free(e);
		/* LevelDB views and the spatial index: present, never read */
		char p[4096];
		snprintf(p, sizeof p, "%s/index", dbdir);
		mkdirs(p);
		putf("MANIFEST-000004\n", 16, "%s/index/CURRENT", dbdir);
		putf("", 0, "%s/index/LOCK", dbdir);
		putf("leveldb log\n", 12, "%s/index/LOG", dbdir);
		putf("\x56\xf9\xb8\xf8", 4, "%s/index/MANIFEST-000004", dbdir);
		putf("ldb", 3, "%s/index/000005.ldb", dbdir);
		putf("log", 3, "%s/index/000006.log", dbdir);
		snprintf(p, sizeof p, "%s/storage", dbdir);
		mkdirs(p);
		uint8_t z[1024] = {0};
		putf(z, sizeof z, "%s/storage/meta", dbdir);
		putf(z, 100, "%s/storage/staging", dbdir);
	}
	if (media) {
		/* safe-fs-blob-store: <kind>/<first 2 characters of the id>/<id> */
		sf_member mb, *m = &mb;
		for (size_t i = 0; i < sf->n_members; i++) {
			sf_member_get(sf, i, m);
			if (m->kind != SF_KIND_MEDIA || !m->in_index)
				continue;
			const char *slash = strchr(m->name, '/');
			if (!slash || strlen(slash + 1) < 2)
				continue;
			char dir[4096];
			snprintf(dir, sizeof dir, "%s/%.*s/%.2s", media, (int)(slash - m->name),
			         m->name, slash + 1);
			mkdirs(dir);
			uint8_t *b = xmalloc((size_t)m->size + 1);
			if (sf_read(sf, m->data_off, b, (size_t)m->size, NULL) != SD_OK)
				die("read", m->name);
			putf(b, (size_t)m->size, "%s/%s", dir, slash + 1);
			free(b);
		}
	}
	sodium_memzero(sk, (n + 1) * sizeof *sk);
	free(old_hex), free(new_hex), free(pk), free(sk);
	sf_close(sf);
}

void dbfx_build(const char *sync_path, const char *userdata, const dbfx_options *o,
                uint8_t secret[64])
{
	char *db = xasprintf("%s/kappa.db", userdata);
	char *media = o->no_media ? NULL : xasprintf("%s/media", db);
	build(sync_path, db, media, o, secret);
	free(db), free(media);
}

void dbfx_build_temp(const char *sync_path, const char *dir)
{
	dbfx_options o = {.epoch_feed = -1};
	char *db = xasprintf("%s/multifeed", dir);
	build(sync_path, db, NULL, &o, NULL);
	free(db);
}

void dbfx_build_packed(const char *sync_path, const char *dir, bool unpacked_too, long cut)
{
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	if (sf_open(sync_path, &sf, &fl, NULL, NULL) != SD_OK || !sf->db)
		die("open", sync_path);
	mkdirs(dir);
	/* the sync file's own osm-p2p-db.tar, byte for byte: what Mapeo packs */
	sf_range r = {true, sf->db->data_off, sf->db->size};
	size_t len;
	uint8_t *b = range(sf, &r, &len);
	if (cut >= 0 && (size_t)cut < len)
		len = (size_t)cut;
	putf(b, len, "%s/osm-p2p-db.tar", dir);
	free(b);
	sf_close(sf);
	fnd_free(&fl);
	if (unpacked_too)
		dbfx_build_temp(sync_path, dir);
}
