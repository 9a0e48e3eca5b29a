#include "config.h"

#include "damage.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syncfile.h"
#include "tar.h"
#include "testutil.h"

/* The same helpers back mkdamage, a plain program outside Check's runner,
 * where ck_assert cannot report: there a failed step exits with status 2. */
#ifdef DMG_STANDALONE
#define DMG_ASSERT(c)                                                                              \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "mkdamage: %s:%d: %s failed\n", __FILE__, __LINE__, #c);   \
			exit(2);                                                                   \
		}                                                                                  \
	} while (0)
#else
#define DMG_ASSERT(c) ck_assert(c)
#endif

char *dmg_copy(const char *fixture)
{
	char *dir = sd_test_tmpdir();
	const char *base = strrchr(fixture, '/');
	char *p = sd_test_copy(sd_test_data(fixture), dir, base ? base + 1 : fixture);
	free(dir);
	return p;
}

void dmg_write(const char *path, uint64_t off, const void *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);
	DMG_ASSERT(fd >= 0);
	DMG_ASSERT(pwrite(fd, bytes, n, (off_t)off) == (ssize_t)n);
	close(fd);
}

void dmg_read(const char *path, uint64_t off, void *bytes, size_t n)
{
	int fd = open(path, O_RDONLY);
	DMG_ASSERT(fd >= 0);
	DMG_ASSERT(pread(fd, bytes, n, (off_t)off) == (ssize_t)n);
	close(fd);
}

void dmg_flip(const char *path, uint64_t off)
{
	uint8_t b;
	dmg_read(path, off, &b, 1);
	b ^= 0x5a;
	dmg_write(path, off, &b, 1);
}

void dmg_truncate(const char *path, uint64_t len) { DMG_ASSERT(truncate(path, (off_t)len) == 0); }

uint64_t dmg_size(const char *path)
{
	struct stat st;
	DMG_ASSERT(stat(path, &st) == 0);
	return (uint64_t)st.st_size;
}

void dmg_fix_checksum(const char *path, uint64_t off)
{
	uint8_t b[512];
	dmg_read(path, off, b, sizeof b);
	bool patched = b[148 + 7] >= '0' && b[148 + 7] <= '7';
	memset(b + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += b[i];
	char ck[9];
	if (patched) {
		snprintf(ck, sizeof ck, "%08o", sum);
		memcpy(b + 148, ck, 8);
	} else {
		snprintf(ck, sizeof ck, "%06o", sum);
		memcpy(b + 148, ck, 6);
		b[154] = ' ';
		b[155] = 0;
	}
	dmg_write(path, off, b, sizeof b);
}

void dmg_rename(const char *path, uint64_t off, const char *name)
{
	uint8_t field[100] = {0};
	memcpy(field, name, strlen(name));
	dmg_write(path, off, field, sizeof field);
	dmg_fix_checksum(path, off);
}

static uint64_t index_header(const char *path)
{
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	DMG_ASSERT(sf_open(path, &sf, &fl, NULL, NULL) == SD_OK);
	DMG_ASSERT(sf->index_member != NULL);
	uint64_t off = sf->index_member->header_off;
	sf_close(sf);
	fnd_free(&fl);
	return off;
}

char *dmg_index_json(const char *path)
{
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	DMG_ASSERT(sf_open(path, &sf, &fl, NULL, NULL) == SD_OK);
	size_t len;
	char *s = sf_index_text(sf, &len);
	DMG_ASSERT(s != NULL);
	sf_close(sf);
	fnd_free(&fl);
	return s;
}

void dmg_rewrite_index(const char *path, const char *json)
{
	dmg_write_index_at(path, index_header(path), json);
}

void dmg_write_index_at(const char *path, uint64_t off, const char *json)
{
	dmg_truncate(path, off);
	size_t len = strlen(json);
	uint8_t h[512];
	DMG_ASSERT(tar_header_build(h, "___index.json", len, 1700000000, 0644, TAR_ENC_STREAM));
	dmg_write(path, off, h, sizeof h);
	dmg_write(path, off + 512, json, len);
	/* upstream: a full 512 of padding when len % 512 == 0, then 1024 zeros */
	size_t pad = 512 - len % 512;
	uint8_t *z = calloc(1, pad + 1024);
	dmg_write(path, off + 512 + len, z, pad + 1024);
	free(z);
}

/* The mtime of the tar header at off (kept when the header is written
 * again). */
static int64_t header_mtime(const char *path, uint64_t off)
{
	uint8_t b[512];
	tar_header h;
	dmg_read(path, off, b, sizeof b);
	(void)tar_header_parse(b, &h);
	return h.mtime;
}

uint64_t dmg_torn_append(const char *path, const char *inner, uint64_t into)
{
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	DMG_ASSERT(sf_open(path, &sf, &fl, NULL, NULL) == SD_OK);
	DMG_ASSERT(sf->db != NULL);
	uint64_t hdr = sf->db->header_off, cut = 0;
	int64_t mtime = header_mtime(path, hdr);
	for (size_t i = 0; i < sf->n_inner; i++)
		if (!strcmp(sf->inner[i].name, inner)) {
			DMG_ASSERT(into < sf->inner[i].size);
			cut = sf->inner[i].off + into;
		}
	sf_close(sf);
	fnd_free(&fl);
	DMG_ASSERT(cut > hdr);
	/* indexed-tarball's append writes tar-stream's header with size 0 and
	 * patches size and checksum only after the last byte of data */
	uint8_t h[512];
	DMG_ASSERT(tar_header_build(h, "osm-p2p-db.tar", 0, mtime, 0644, TAR_ENC_STREAM));
	dmg_write(path, hdr, h, sizeof h);
	dmg_truncate(path, cut);
	return cut;
}

void dmg_unpatched_db(const char *path)
{
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	DMG_ASSERT(sf_open(path, &sf, &fl, NULL, NULL) == SD_OK);
	DMG_ASSERT(sf->db != NULL);
	uint64_t hdr = sf->db->header_off, end = sf->db->data_off + tar_padded(sf->db->size);
	int64_t mtime = header_mtime(path, hdr);
	sf_close(sf);
	fnd_free(&fl);
	uint8_t h[512];
	DMG_ASSERT(tar_header_build(h, "osm-p2p-db.tar", 0, mtime, 0644, TAR_ENC_STREAM));
	dmg_write(path, hdr, h, sizeof h);
	dmg_truncate(path, end);
}

uint64_t dmg_db_again(const char *path, int copies, uint64_t *first, uint64_t *len)
{
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	DMG_ASSERT(sf_open(path, &sf, &fl, NULL, NULL) == SD_OK);
	DMG_ASSERT(sf->db != NULL && sf->index_member != NULL);
	uint64_t at = sf->index_member->header_off;
	*first = sf->db->header_off;
	*len = TAR_BLOCK + tar_padded(sf->db->size);
	sf_close(sf);
	fnd_free(&fl);
	uint8_t *db = malloc(*len);
	dmg_read(path, *first, db, *len);
	dmg_truncate(path, at);
	for (int k = 0; k < copies; k++)
		dmg_write(path, at + (uint64_t)k * *len, db, *len);
	free(db);
	return at;
}

/* Append a member (header h, then data and its padding) to buf. */
void dmg_put_member(uint8_t **buf, size_t *len, const uint8_t h[TAR_BLOCK], const void *data,
                    size_t size)
{
	size_t padded = (size_t)tar_padded(size);
	*buf = realloc(*buf, *len + TAR_BLOCK + padded);
	memcpy(*buf + *len, h, TAR_BLOCK);
	memset(*buf + *len + TAR_BLOCK, 0, padded);
	memcpy(*buf + *len + TAR_BLOCK, data, size);
	*len += TAR_BLOCK + padded;
}

/* The inner tar's end (1024 zero bytes) after the entries in buf. */
void dmg_end_tar(uint8_t **buf, size_t *len)
{
	*buf = realloc(*buf, *len + 1024);
	memset(*buf + *len, 0, 1024);
	*len += 1024;
}

/* The database member written again at its place with the inner tar buf
 * (entries only: its end is added), the index saying its new size. */
void dmg_replace_db(syncfile *sf, const char *path, uint8_t *buf, size_t len)
{
	dmg_end_tar(&buf, &len);
	uint8_t h[TAR_BLOCK];
	uint64_t at = sf->db->header_off, old = sf->db->size;
	char *json = dmg_index_json(path), from[128], to[128];
	snprintf(from, sizeof from, "\"osm-p2p-db.tar\":{\"offset\":%llu,\"size\":%llu}",
	         (unsigned long long)at, (unsigned long long)old);
	snprintf(to, sizeof to, "\"osm-p2p-db.tar\":{\"offset\":%llu,\"size\":%zu}",
	         (unsigned long long)at, len);
	char *fixed = dmg_replace(json, from, to);
	tar_header_build(h, "osm-p2p-db.tar", len, 1700000000, 0644, TAR_ENC_PATCHED);
	dmg_truncate(path, at);
	dmg_write(path, at, h, TAR_BLOCK);
	dmg_write(path, at + TAR_BLOCK, buf, len);
	dmg_write_index_at(path, at + TAR_BLOCK + tar_padded(len), fixed);
	free(fixed);
	free(json);
	free(buf);
}

/* One inner entry as tar-stream packs it: its name, its first size bytes
 * of data from the file at off. */
static void put_entry(uint8_t **buf, size_t *len, const char *path, const char *name, uint64_t off,
                      size_t size)
{
	uint8_t h[TAR_BLOCK], *data = malloc(size + 1);
	dmg_read(path, off, data, size);
	tar_header_build(h, name, size, 1700000000, 0644, TAR_ENC_STREAM);
	dmg_put_member(buf, len, h, data, size);
	free(data);
}

/* The inner tar packed again from its entries: those under skip ("1/") left
 * out, the one named cut only its first cut_bytes, and the one named again
 * written a second time at the end with its first again_bytes. */
uint8_t *dmg_repack(syncfile *sf, const char *path, const char *skip, const char *cut,
                    size_t cut_bytes, const char *again, size_t again_bytes, size_t *len)
{
	uint8_t *buf = NULL;
	*len = 0;
	const sf_inner *twice = NULL;
	for (size_t i = 0; i < sf->n_inner; i++) {
		const sf_inner *in = &sf->inner[i];
		if (skip && !strncmp(in->name, skip, strlen(skip)))
			continue;
		bool short_one = cut && !strcmp(in->name, cut) && cut_bytes < in->size;
		put_entry(&buf, len, path, in->name, in->off, short_one ? cut_bytes : in->size);
		if (again && !strcmp(in->name, again))
			twice = in;
	}
	if (again && (!twice || again_bytes > twice->size))
		DMG_ASSERT(false);
	if (twice)
		put_entry(&buf, len, path, twice->name, twice->off, again_bytes);
	return buf;
}

char *dmg_replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	DMG_ASSERT(p != NULL);
	size_t n = strlen(s) - strlen(from) + strlen(to);
	char *r = malloc(n + 1);
	size_t pre = (size_t)(p - s);
	memcpy(r, s, pre);
	strcpy(r + pre, to);
	strcat(r, p + strlen(from));
	return r;
}

sd_report *dmg_check(const char *path)
{
	check_options opt = {0};
	opt.no_auto_config = true;
	sd_report *r = NULL;
	sd_error err;
	DMG_ASSERT(check_run(path, &opt, NULL, &r, &err) == SD_OK);
	DMG_ASSERT(r != NULL);
	return r;
}

const finding *dmg_find(const sd_report *r, const char *code)
{
	DMG_ASSERT(fnd_lookup(code) != NULL); /* a misspelt code would never be found */
	for (size_t i = 0; i < fnd_n(&r->findings); i++)
		if (!strcmp(fnd_at(&r->findings, i)->code, code))
			return fnd_at(&r->findings, i);
	return NULL;
}

void dmg_done(char *path)
{
	unlink(path);
	char *slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
		rmdir(path);
	}
	free(path);
}
