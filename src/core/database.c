#include "config.h"

#include "database.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "configuration.h"
#include "i18n.h"
#include "io.h"
#include "keys.h"
#include "sdlimits.h"
#include "xalloc.h"

#define DB_MEMBER "osm-p2p-db.tar"

typedef struct db_file {
	char *path;
	uint64_t size;
	int64_t mtime;
	uint64_t base; /* offset in the virtual address space */
} db_file;

typedef struct db_view {
	db_kind kind;
	db_file *files;
	size_t n, cap;
	uint64_t end;
	sd_input *cur; /* the file read last, kept open */
	size_t cur_i;
} db_view;

const char *db_kind_name(db_kind k)
{
	switch (k) {
	case DB_KIND_DESKTOP: return "desktop";
	case DB_KIND_TEMP: return "temp";
	case DB_KIND_FOLDER: return "folder";
	default: return "none";
	}
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_numeric(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 8)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* A folder of numbered feed folders, or of Desktop's own parts. */
static bool has_feeds(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (!is_numeric(e->d_name) && !keys_is_hex64(e->d_name))
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		found = is_dir(p);
		free(p);
	}
	closedir(d);
	return found;
}

/* path without trailing slashes (the root stays "/"). */
static char *trimmed(const char *path)
{
	char *t = xstrdup(path);
	size_t n = strlen(t);
	while (n > 1 && t[n - 1] == '/')
		t[--n] = '\0';
	return t;
}

static db_kind resolve_trimmed(const char *path, char **dbdir, char **media);

/* Where the feeds and the photos of path are. */
static db_kind resolve(const char *path, char **dbdir, char **media)
{
	char *t = trimmed(path);
	db_kind k = resolve_trimmed(t, dbdir, media);
	free(t);
	return k;
}

static db_kind resolve_trimmed(const char *path, char **dbdir, char **media)
{
	*dbdir = *media = NULL;
	if (!is_dir(path))
		return DB_KIND_NONE;
	char *p = xasprintf("%s/kappa.db", path);
	if (is_dir(p)) {
		*dbdir = p;
		*media = xasprintf("%s/media", p);
		return DB_KIND_DESKTOP;
	}
	free(p);
	p = xasprintf("%s/multifeed", path);
	if (is_dir(p)) {
		*dbdir = p;
		return DB_KIND_TEMP;
	}
	free(p);
	p = xasprintf("%s/db", path);
	if (is_dir(p) && has_feeds(p)) {
		*dbdir = p;
		*media = xasprintf("%s/media", path);
		return DB_KIND_FOLDER;
	}
	free(p);
	char *m = xasprintf("%s/media", path);
	if (has_feeds(path) || (!strcmp(base_name(path), "kappa.db") && is_dir(m))) {
		*dbdir = xstrdup(path);
		if (!is_dir(m)) {
			free(m);
			m = xasprintf("%s/../media", path);
		}
		*media = m;
		if (!strcmp(base_name(path), "kappa.db"))
			return DB_KIND_DESKTOP;
		if (!strcmp(base_name(path), "multifeed"))
			return DB_KIND_TEMP;
		return DB_KIND_FOLDER;
	}
	free(m);
	return DB_KIND_NONE;
}

db_kind db_probe(const char *path)
{
	char *a, *b;
	db_kind k = resolve(path, &a, &b);
	free(a), free(b);
	return k;
}

char *db_find_default(const char *userdata_override)
{
	char **cands = cfg_userdata_candidates(userdata_override);
	char *found = NULL;
	for (char **p = cands; *p && !found; p++) {
		char *kdb = xasprintf("%s/kappa.db", *p);
		if (is_dir(kdb))
			found = xstrdup(*p);
		free(kdb);
	}
	cfg_free_list(cands);
	return found;
}

char *db_userdata_of(const char *path)
{
	char *p = trimmed(path);
	if (strcmp(base_name(p), "kappa.db") != 0)
		return p;
	char *slash = strrchr(p, '/');
	if (!slash) {
		free(p);
		return xstrdup(".");
	}
	if (slash == p)
		slash[1] = '\0';
	else
		*slash = '\0';
	return p;
}

/* ---- the virtual address space ---- */

static sd_status view_read(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	db_view *v = ctx;
	size_t lo = 0, hi = v->n;
	while (lo < hi) { /* the last file whose base <= off */
		size_t mid = (lo + hi) / 2;
		if (v->files[mid].base <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return sd_error_set(err, SD_ERR_FORMAT, _("read outside the database's files"));
	size_t i = lo - 1;
	/* several empty files can share a base: take the one that holds the range */
	const db_file *f = &v->files[i];
	if (off + len > f->base + f->size)
		return sd_error_set(err, SD_ERR_FORMAT, _("%s: read beyond the end of the file"),
		                    f->path);
	if (!v->cur || v->cur_i != i) {
		sdin_close(v->cur);
		v->cur = NULL;
		sd_status st = sdin_open(f->path, &v->cur, err);
		if (st != SD_OK)
			return st;
		v->cur_i = i;
	}
	return sdin_read_exact(v->cur, buf, len, off - f->base, err);
}

static void view_free(void *ctx)
{
	db_view *v = ctx;
	for (size_t i = 0; i < v->n; i++)
		free(v->files[i].path);
	free(v->files);
	sdin_close(v->cur);
	free(v);
}

bool db_is_view(const syncfile *sf) { return sf && sf->src.kind == SRC_DATABASE; }

db_kind db_view_kind(const syncfile *sf)
{
	return db_is_view(sf) ? ((const db_view *)sf->src.ctx)->kind : DB_KIND_NONE;
}

/* Give path a range; false when it is not a readable regular file. */
static bool add_file(db_view *v, const char *path, sf_range *r, int64_t *newest)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	SD_GROW(v->files, v->cap, v->n + 1);
	db_file *f = &v->files[v->n++];
	f->path = xstrdup(path);
	f->size = (uint64_t)st.st_size;
	f->mtime = (int64_t)st.st_mtime;
	f->base = v->end;
	v->end += f->size;
	if (r) {
		r->present = true;
		r->off = f->base;
		r->size = f->size;
	}
	if (newest && f->mtime > *newest)
		*newest = f->mtime;
	return true;
}

static sd_status view_check_unchanged(void *ctx, sd_error *err)
{
	const db_view *v = ctx;
	for (size_t i = 0; i < v->n; i++) {
		struct stat st;
		if (stat(v->files[i].path, &st) != 0 || (uint64_t)st.st_size != v->files[i].size ||
		    (int64_t)st.st_mtime != v->files[i].mtime)
			return sd_error_set(
			    err, SD_ERR_CHANGED,
			    _("%s changed while it was being read: is Mapeo running? Close "
			      "it and check again"),
			    v->files[i].path);
	}
	return SD_OK;
}

static const src_ops view_ops = {view_read, view_check_unchanged, view_free};

/* Many files in one address space, its feeds before its photos. Secret
 * keys mark this computer's own feed; Desktop's database goes with the
 * configuration beside it, and names its project when it keeps the folder
 * named after the key (list_feeds()). A temporary folder holds only the
 * database: its photos stayed in the sync file. */
static void as_source(syncfile *sf, db_view *v, const char *path)
{
	sf->src.kind = SRC_DATABASE;
	sf->src.ops = &view_ops;
	sf->src.ctx = v;
	sf->src.own_keys = true;
	sf->src.holds_photos = v->kind != DB_KIND_TEMP;
	sf->src.config_userdata = v->kind == DB_KIND_DESKTOP ? db_userdata_of(path) : NULL;
}

/* ---- feeds ---- */

static int cmp_feed(const void *a, const void *b)
{
	const sf_feed *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

static void list_feeds(syncfile *sf, db_view *v, const char *dbdir, findings *fl)
{
	DIR *d = opendir(dbdir);
	if (!d)
		return;
	size_t cap = 0;
	struct dirent *e;
	char **names = NULL;
	size_t nn = 0, ncap = 0;
	uint64_t over = 0; /* numbered folders past SD_LIMIT_FEEDS */
	char *first_over = NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dbdir, e->d_name);
		bool dir = is_dir(p);
		free(p);
		if (!dir)
			continue;
		if (keys_is_hex64(e->d_name) && !sf->has_discovery_key) {
			/* The root feed folder carries the project key in its name: only
			 * its discovery key is kept. */
			char lower[KEYS_HEX_SIZE];
			for (size_t i = 0; i < KEYS_HEX_SIZE; i++)
				lower[i] = (char)tolower((unsigned char)e->d_name[i]);
			sf->hints.key_dir = true;
			if (keys_discovery_hex(lower, sf->discovery_key)) {
				sf->has_discovery_key = true;
				free(sf->p2p_db);
				sf->p2p_db = xstrdup("kappa-osm");
			}
			memset(lower, 0, sizeof lower);
		} else if (is_numeric(e->d_name)) {
			if (nn >= sd_limit(SD_LIMIT_FEEDS)) {
				if (!over++)
					first_over = xstrdup(e->d_name);
				continue;
			}
			SD_GROW(names, ncap, nn + 1);
			names[nn++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	if (over) {
		finding *f = fnd_add(
		    fl, FND_LIMIT_EXCEEDED,
		    _("%s has more than %llu feed folders: %llu of them (%s among them) were not "
		      "read nor checked"),
		    dbdir, (unsigned long long)sd_limit(SD_LIMIT_FEEDS), (unsigned long long)over,
		    first_over);
		f->feed = atoi(first_over);
		fnd_set_inner(f, first_over);
		free(first_over);
	}
	for (size_t i = 0; i < nn; i++) {
		SD_GROW(sf->feeds, cap, sf->n_feeds + 1);
		sf_feed *fd = &sf->feeds[sf->n_feeds++];
		memset(fd, 0, sizeof *fd);
		fd->index = atoi(names[i]);
		fd->dir = names[i];
	}
	free(names);
	if (sf->n_feeds)
		qsort(sf->feeds, sf->n_feeds, sizeof *sf->feeds, cmp_feed);
	for (size_t i = 0; i < sf->n_feeds; i++) {
		sf_feed *fd = &sf->feeds[i];
		static const char *const files[] = {"key", "tree", "signatures", "bitfield",
		                                    "data"};
		sf_range *ranges[] = {&fd->key, &fd->tree, &fd->signatures, &fd->bitfield,
		                      &fd->data};
		for (size_t k = 0; k < 5; k++) {
			char *p = xasprintf("%s/%s/%s", dbdir, fd->dir, files[k]);
			add_file(v, p, ranges[k], k == 4 ? &sf->write_time : NULL);
			free(p);
		}
		/* Only whether they exist: they are never opened. */
		struct stat st;
		char *p = xasprintf("%s/%s/secret_key", dbdir, fd->dir);
		fd->has_secret_key = stat(p, &st) == 0;
		free(p);
		p = xasprintf("%s/%s/localname", dbdir, fd->dir);
		fd->has_localname = stat(p, &st) == 0;
		free(p);
	}
	/* Feeds Mapeo loads: 0, 1, 2, … until the first number without a key. */
	int expect = 0;
	for (size_t i = 0; i < sf->n_feeds; i++) {
		const sf_feed *fd = &sf->feeds[i];
		if (fd->index > expect) {
			finding *f =
			    fnd_add(fl, FND_FEED_GAP,
			            _("feed folder %d is missing from the database: Mapeo ignores "
			              "feed %d and every feed after it"),
			            expect, fd->index);
			f->feed = expect;
			break;
		}
		expect = fd->index + 1;
	}
	sf_check_feed_keys(sf, fl);
}

/* ---- photos ---- */

typedef struct media_file {
	char *name; /* "original/<id>" */
	char *path;
} media_file;

static int cmp_media(const void *a, const void *b)
{
	return strcmp(((const media_file *)a)->name, ((const media_file *)b)->name);
}

static void list_media(syncfile *sf, db_view *v, const char *media, findings *fl)
{
	static const char *const types[] = {"original", "preview", "thumbnail"};
	media_file *mf = NULL;
	size_t n = 0, cap = 0;
	uint64_t over = 0; /* photos past SD_LIMIT_MEDIA */
	char *first_over = NULL;
	for (size_t t = 0; t < 3; t++) {
		char *tdir = xasprintf("%s/%s", media, types[t]);
		DIR *d = opendir(tdir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char *sub = xasprintf("%s/%s", tdir, e->d_name);
			DIR *s = opendir(sub);
			struct dirent *f;
			while (s && (f = readdir(s))) {
				if (f->d_name[0] == '.')
					continue;
				bool bad = false;
				for (const char *c = f->d_name; *c && !bad; c++)
					bad = (unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\';
				char *name = xasprintf("%s/%s", types[t], f->d_name);
				if (bad) {
					finding *fd = fnd_add(
					    fl, FND_DANGEROUS_NAME,
					    _("the photo file %s/%s has control characters in "
					      "its name: it is left out"),
					    types[t], e->d_name);
					(void)fd;
					free(name);
					continue;
				}
				if (n >= sd_limit(SD_LIMIT_MEDIA)) {
					if (!over++)
						first_over = xstrdup(name);
					free(name);
					continue;
				}
				SD_GROW(mf, cap, n + 1);
				mf[n].name = name;
				mf[n].path = xasprintf("%s/%s", sub, f->d_name);
				n++;
			}
			if (s)
				closedir(s);
			free(sub);
		}
		if (d)
			closedir(d);
		free(tdir);
	}
	if (over) {
		finding *f = fnd_add(fl, FND_LIMIT_EXCEEDED,
		                     _("%s has more than %llu photo files: %llu of them (%s among "
		                       "them) were not read nor checked"),
		                     media, (unsigned long long)sd_limit(SD_LIMIT_MEDIA),
		                     (unsigned long long)over, first_over);
		fnd_set_media(f, first_over);
		free(first_over);
	}
	if (n)
		qsort(mf, n, sizeof *mf, cmp_media);
	for (size_t i = 0; i < n; i++) {
		sf_range r = {0};
		if (add_file(v, mf[i].path, &r, &sf->write_time)) {
			sf_member m = {.data_off = r.off,
			               .size = r.size,
			               .kind = SF_KIND_MEDIA,
			               .in_index = true,
			               .checksum_ok = true};
			sf_member_append(sf, &m, mf[i].name);
			mf[i].name = NULL;
			sf->n_media++;
			sf->media_bytes += r.size;
		}
		free(mf[i].name);
		free(mf[i].path);
	}
	free(mf);
}

sd_status db_open(const char *path, syncfile **out, findings *fl, const sd_progress *prog,
                  sd_error *err)
{
	(void)prog;
	*out = NULL;
	char *dbdir, *media;
	db_kind kind = resolve(path, &dbdir, &media);
	if (kind == DB_KIND_NONE) {
		if (!is_dir(path))
			return sd_error_set(err, SD_ERR_IO, _("%s is not a folder"), path);
		return sd_error_set(err, SD_ERR_FORMAT,
		                    _("%s is a folder but holds no Mapeo database (no kappa.db, no "
		                      "numbered feed folders)"),
		                    path);
	}
	syncfile *sf = xcalloc(1, sizeof *sf);
	db_view *v = xcalloc(1, sizeof *v);
	v->kind = kind;
	as_source(sf, v, path);
	sf->path = xstrdup(path);
	sf->era = SF_ERA_KAPPA_OSM_V2;
	sf->is_tar = false;
	struct stat st;
	if (stat(dbdir, &st) == 0)
		sf->mtime = (int64_t)st.st_mtime;
	list_feeds(sf, v, dbdir, fl);
	/* The database "member" stands for the feed folders; never read: the
	 * size says how much a sync file's database would hold. */
	sf_member dbm = {.size = v->end, .kind = SF_KIND_DB, .in_index = true, .checksum_ok = true};
	sf_member_append(sf, &dbm, xstrdup(DB_MEMBER));
	if (media)
		list_media(sf, v, media, fl);
	sf_member_get(sf, 0, &sf->db_m);
	sf->db = &sf->db_m;
	sf->src.project = sf->has_discovery_key ? SRC_PROJECT_NAMED : SRC_PROJECT_UNNAMED;
	sf->inner_ok = true;
	sf->size = v->end;
	if (!sf->write_time)
		sf->write_time = sf->mtime;
	for (size_t i = 0; i < sf->n_feeds; i++) {
		const sf_feed *fd = &sf->feeds[i];
		if (!fd->has_secret_key)
			continue;
		char key_hex[KEYS_HEX_SIZE] = "";
		uint8_t k[32];
		if (fd->key.present && fd->key.size == 32 &&
		    sf_read(sf, fd->key.off, k, 32, NULL) == SD_OK)
			keys_hex(k, 32, key_hex);
		finding *f =
		    fnd_add(fl, FND_OWN_FEED,
		            _("feed %d (%.7s) is this computer's own: it holds the secret key "
		              "Mapeo writes new observations with, which never leaves this "
		              "computer"),
		            fd->index, key_hex[0] ? key_hex : "?");
		f->feed = fd->index;
	}
	free(dbdir);
	free(media);
	*out = sf;
	return SD_OK;
}
