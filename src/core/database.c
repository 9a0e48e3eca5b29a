#include "config.h"

#include "database.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "configuration.h"
#include "feed.h"
#include "i18n.h"
#include "io.h"
#include "keys.h"
#include "report.h"
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
	/* A temporary folder others may write to: nothing below root is
	 * reached through a symbolic link (io_open_beneath()); NULL: paths are
	 * followed as they are. */
	char *root;
	db_copy copy; /* which copy of a temporary folder's database is read */
	int bad_feed; /* DB_COPY_UNPACKED_OVER_PACKED: the packed feed that does not
	                 verify, or -1: the packed tar itself is damaged or cut, -2:
	                 it could not be opened */
	char *dbdir;  /* the folder of the feeds (list_feeds()) */
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

/* stat(2) of p, or below a temporary folder's root without following a
 * link (v->root). */
static bool v_stat(const db_view *v, const char *p, struct stat *st)
{
	return v->root ? io_lstat_beneath(v->root, p, st) : stat(p, st) == 0;
}

static bool v_is_dir(const db_view *v, const char *p)
{
	struct stat st;
	return v_stat(v, p, &st) && S_ISDIR(st.st_mode);
}

static DIR *v_opendir(const db_view *v, const char *p)
{
	return v->root ? io_opendir_beneath(v->root, p) : opendir(p);
}

/* Below a temporary folder (root), p is a symbolic link: it is not read
 * (io_open_beneath()), and said, so that what it points to does not just
 * look missing. The finding, or NULL when p is no link (or root NULL). */
static finding *link_skipped(const char *root, const char *p, findings *fl)
{
	struct stat st;
	if (!root || !io_lstat_beneath(root, p, &st) || !S_ISLNK(st.st_mode))
		return NULL;
	char *e = report_escape(p);
	finding *f = fnd_add(fl, FND_LINK_NOT_FOLLOWED,
	                     _("%s is a symbolic link: it was not read, since others may write "
	                       "in a temporary folder, so what it points to is not in this check"),
	                     e);
	free(e);
	return f;
}

/* lstat(2): a regular file or folder that is no symbolic link. */
static bool is_kind(const char *p, mode_t kind)
{
	struct stat st;
	return lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == kind;
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
	/* a leftover osm-p2p-syncfile-* folder: its database unpacked in
	 * multifeed/, packed in osm-p2p-db.tar (written there on close), or
	 * both (doc/formats.md §3); neither is followed when it is a link */
	p = xasprintf("%s/multifeed", path);
	char *tar = xasprintf("%s/" DB_MEMBER, path);
	bool temp = is_kind(p, S_IFDIR) || is_kind(tar, S_IFREG);
	free(tar);
	if (temp) {
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
		sd_status st = v->root ? sdin_open_beneath(v->root, f->path, &v->cur, err)
		                       : sdin_open(f->path, &v->cur, err);
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
	free(v->root);
	free(v->dbdir);
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
	if (!v_stat(v, path, &st) || !S_ISREG(st.st_mode))
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
		if (!v_stat(v, v->files[i].path, &st) || (uint64_t)st.st_size != v->files[i].size ||
		    (int64_t)st.st_mtime != v->files[i].mtime)
			return sd_error_set(
			    err, SD_ERR_CHANGED,
			    _("%s changed while it was being read: is Mapeo running? Close "
			      "it and check again"),
			    v->files[i].path);
	}
	return SD_OK;
}

/* A feed's secret key: read only when a check signs a damaged signature
 * of this computer's own feed again (feed.h), into the caller's buffer,
 * which wipes it; never kept, shown or written. Exactly 64 bytes, a
 * regular file, no link followed below a temporary folder. */
static bool view_secret_key(void *ctx, const char *feed_dir, uint8_t sk[64])
{
	const db_view *v = ctx;
	if (!v->dbdir)
		return false;
	char *p = xasprintf("%s/%s/secret_key", v->dbdir, feed_dir);
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
	int fd = v->root ? io_open_beneath(v->root, p, flags) : open(p, flags | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return false;
	struct stat st;
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 64 &&
	          pread(fd, sk, 64, 0) == 64;
	close(fd);
	if (!ok)
		sodium_memzero(sk, 64);
	return ok;
}

static const src_ops view_ops = {view_read, view_check_unchanged, view_free, view_secret_key};

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
	free(v->dbdir);
	v->dbdir = xstrdup(dbdir);
	DIR *d = v_opendir(v, dbdir);
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
		bool dir = v_is_dir(v, p);
		finding *lf = !dir && is_numeric(e->d_name) ? link_skipped(v->root, p, fl) : NULL;
		free(p);
		if (lf) {
			lf->feed = atoi(e->d_name);
			fnd_set_inner(lf, e->d_name);
		}
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
		    P_("%s has more than %llu feed folders: %llu of them (%s) was not read nor "
		       "checked",
		       "%s has more than %llu feed folders: %llu of them (%s among them) were not "
		       "read nor checked",
		       over),
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
			finding *lf = add_file(v, p, ranges[k], k == 4 ? &sf->write_time : NULL)
			                  ? NULL
			                  : link_skipped(v->root, p, fl);
			free(p);
			if (lf) {
				char *inner = xasprintf("%s/%s", fd->dir, files[k]);
				lf->feed = fd->index;
				fnd_set_inner(lf, inner);
				free(inner);
			}
		}
		/* Only whether they exist: a secret key is opened only to sign
		 * a damaged signature again (view_secret_key()). */
		struct stat st;
		char *p = xasprintf("%s/%s/secret_key", dbdir, fd->dir);
		fd->has_secret_key = v_stat(v, p, &st);
		free(p);
		p = xasprintf("%s/%s/localname", dbdir, fd->dir);
		fd->has_localname = v_stat(v, p, &st);
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
		finding *f =
		    fnd_add(fl, FND_LIMIT_EXCEEDED,
		            P_("%s has more than %llu photo files: %llu of them (%s) was not "
		               "read nor checked",
		               "%s has more than %llu photo files: %llu of them (%s among "
		               "them) were not read nor checked",
		               over),
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

/* A view of its own, for a source at path. */
static syncfile *new_view(const char *path, db_kind kind, const char *root, db_view **vout)
{
	syncfile *sf = xcalloc(1, sizeof *sf);
	db_view *v = *vout = xcalloc(1, sizeof *v);
	v->kind = kind;
	v->root = root ? xstrdup(root) : NULL;
	v->bad_feed = -1;
	as_source(sf, v, path);
	sf->path = xstrdup(path);
	sf->era = SF_ERA_KAPPA_OSM_V2;
	sf->is_tar = false;
	return sf;
}

/* The feed folders in dbdir and the photos in media (NULL: none). */
static syncfile *open_folder(const char *path, db_kind kind, const char *root, const char *dbdir,
                             const char *media, findings *fl)
{
	db_view *v;
	syncfile *sf = new_view(path, kind, root, &v);
	struct stat st;
	if (v_stat(v, dbdir, &st))
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
	return sf;
}

/* ---- a temporary folder's packed database ---- */

typedef struct range_ctx {
	syncfile *sf;
	const sf_range *r;
} range_ctx;

static sd_status range_read(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	const range_ctx *c = ctx;
	if (off > c->r->size || len > c->r->size - off)
		return sd_error_set(err, SD_ERR_FORMAT, _("read beyond the end of the file"));
	return sf_read(c->sf, c->r->off + off, buf, len, err);
}

/* Every block of fd verifies (hashes and signatures, feed.h), with no
 * error on the way. */
static bool feed_whole(syncfile *sf, const sf_feed *fd, const sd_progress *prog)
{
	size_t kl = 0, bl = 0;
	uint8_t *key = sf_load(sf, &fd->key, 32, &kl);
	uint8_t *bf =
	    sf_load(sf, &fd->bitfield, sd_limit_feed_file_bytes() + SD_LIMIT_BITFIELD_SLACK, &bl);
	range_ctx tc = {sf, &fd->tree}, sc = {sf, &fd->signatures}, dc = {sf, &fd->data};
	feed_source src = {.dir = fd->dir,
	                   .key = key,
	                   .key_len = kl,
	                   .has_tree = fd->tree.present,
	                   .tree_len = fd->tree.size,
	                   .read_tree = range_read,
	                   .tree_ctx = &tc,
	                   .has_signatures = fd->signatures.present,
	                   .signatures_len = fd->signatures.size,
	                   .read_signatures = range_read,
	                   .signatures_ctx = &sc,
	                   .bitfield = bf,
	                   .bitfield_len = bl,
	                   .has_bitfield = bf != NULL,
	                   .data_size = fd->data.present ? fd->data.size : 0,
	                   .read_data = range_read,
	                   .ctx = &dc};
	findings tmp;
	fnd_init(&tmp);
	feed_result res;
	sd_error err;
	bool whole = key && kl == 32 &&
	             feed_verify(&src, fd->index, &res, &tmp, NULL, NULL, prog, &err) == SD_OK &&
	             !fnd_count(&tmp, SEV_ERROR) && res.verified == res.length;
	fnd_free(&tmp);
	free(key);
	free(bf);
	return whole;
}

/* The tar read to its end without damage, and every feed in it verifies;
 * else *bad_feed is the first feed that does not (-1: the tar itself). */
static bool packed_whole(syncfile *sf, const findings *read, const sd_progress *prog, int *bad_feed)
{
	*bad_feed = -1;
	if (!sf->inner_ok || sf->inner_cut || !sf->n_feeds || fnd_count(read, SEV_ERROR))
		return false;
	for (size_t i = 0; i < sf->n_feeds; i++)
		if (!feed_whole(sf, &sf->feeds[i], prog)) {
			*bad_feed = sf->feeds[i].index;
			return false;
		}
	return true;
}

/* osm-p2p-db.tar below root as the view's database (sf_read_packed()). */
static sd_status open_packed(const char *path, const char *root, const char *tar, syncfile **out,
                             findings *fl, const sd_progress *prog, sd_error *err)
{
	*out = NULL;
	sd_input *in;
	sd_status st = sdin_open_beneath(root, tar, &in, err);
	if (st != SD_OK)
		return st;
	db_view *v;
	syncfile *sf = new_view(path, DB_KIND_TEMP, root, &v);
	sf->src.in_member = true; /* findings name the tar and a byte in it */
	SD_GROW(v->files, v->cap, 1);
	v->files[0] = (db_file){xstrdup(tar), sdin_size(in), sdin_mtime(in), 0};
	v->n = 1;
	v->end = sdin_size(in);
	v->cur = in;
	v->cur_i = 0;
	sf->size = sf->zeros_from = v->end;
	sf->mtime = sf->write_time = sdin_mtime(in);
	v->copy = DB_COPY_PACKED;
	sf_read_packed(sf, in, fl, prog);
	if (sd_progress_cancelled(prog)) {
		sf_close(sf);
		return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
	}
	sf->src.project = sf->has_discovery_key ? SRC_PROJECT_NAMED : SRC_PROJECT_UNNAMED;
	*out = sf;
	return SD_OK;
}

/* A numbered feed folder in dir (below root, no link followed). */
static bool has_feed_folder(const char *root, const char *dir)
{
	DIR *d = io_opendir_beneath(root, dir);
	struct dirent *e;
	bool found = false;
	while (d && !found && (e = readdir(d)))
		found = is_numeric(e->d_name);
	if (d)
		closedir(d);
	return found;
}

/* A leftover temporary folder: its packed database when it is the only
 * copy, or whole and verified; else the unpacked one (database.h). */
static sd_status open_temp(const char *path, const char *dbdir, syncfile **out, findings *fl,
                           const sd_progress *prog, sd_error *err)
{
	char *root = trimmed(path);
	char *tar = xasprintf("%s/" DB_MEMBER, root);
	struct stat st;
	bool packed = io_lstat_beneath(root, tar, &st) && S_ISREG(st.st_mode);
	bool unpacked = has_feed_folder(root, dbdir);
	if (!packed)
		link_skipped(root, tar, fl);
	if (!unpacked)
		link_skipped(root, dbdir, fl);
	int bad = -1;
	sd_status s = SD_OK;
	*out = NULL;
	if (packed) {
		findings pfl;
		fnd_init(&pfl);
		s = open_packed(path, root, tar, out, &pfl, prog, err);
		if (s == SD_OK && unpacked && !packed_whole(*out, &pfl, prog, &bad)) {
			sf_close(*out);
			*out = NULL;
		} else if (s == SD_OK) {
			((db_view *)(*out)->src.ctx)->copy =
			    unpacked ? DB_COPY_PACKED_OVER_UNPACKED : DB_COPY_PACKED;
			fnd_append(fl, &pfl);
		}
		fnd_free(&pfl);
		if (s == SD_ERR_CANCELLED || (s != SD_OK && !unpacked)) {
			unpacked = false;
		} else if (s != SD_OK) {
			bad = -2; /* it could not be opened: the unpacked copy */
			s = SD_OK;
		}
	}
	if (!*out && unpacked) {
		*out = open_folder(path, DB_KIND_TEMP, root, dbdir, NULL, fl);
		db_view *v = (*out)->src.ctx;
		v->copy = packed ? DB_COPY_UNPACKED_OVER_PACKED : DB_COPY_UNPACKED;
		v->bad_feed = bad;
	} else if (!*out && s == SD_OK) {
		*out = open_folder(path, DB_KIND_TEMP, root, dbdir, NULL, fl);
	}
	free(tar);
	free(root);
	return s;
}

/* A temporary folder's database (multifeed/ or osm-p2p-db.tar in path)
 * that is a symbolic link, escaped; NULL when neither is one. */
static char *linked_database(const char *path)
{
	static const char *const names[] = {"multifeed", DB_MEMBER};
	char *found = NULL;
	for (size_t k = 0; k < 2 && !found; k++) {
		char *p = xasprintf("%s/%s", path, names[k]);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode))
			found = report_escape(p);
		free(p);
	}
	return found;
}

db_copy db_view_copy(const syncfile *sf, int *bad_feed)
{
	const db_view *v = db_is_view(sf) ? sf->src.ctx : NULL;
	if (bad_feed)
		*bad_feed = v ? v->bad_feed : -1;
	return v ? v->copy : DB_COPY_UNPACKED;
}

sd_status db_open(const char *path, syncfile **out, findings *fl, const sd_progress *prog,
                  sd_error *err)
{
	*out = NULL;
	char *dbdir, *media;
	db_kind kind = resolve(path, &dbdir, &media);
	if (kind == DB_KIND_NONE) {
		if (!is_dir(path))
			return sd_error_set(err, SD_ERR_IO, _("%s is not a folder"), path);
		char *link = linked_database(path);
		if (link) {
			sd_error_set(
			    err, SD_ERR_FORMAT,
			    _("%s holds no Mapeo database that can be read: %s is a symbolic "
			      "link, not followed, since others may write in a temporary "
			      "folder"),
			    path, link);
			free(link);
			return SD_ERR_FORMAT;
		}
		return sd_error_set(err, SD_ERR_FORMAT,
		                    _("%s is a folder but holds no Mapeo database (no kappa.db, no "
		                      "numbered feed folders)"),
		                    path);
	}
	sd_status st = SD_OK;
	if (kind == DB_KIND_TEMP)
		st = open_temp(path, dbdir, out, fl, prog, err); /* it holds no photos */
	else
		*out = open_folder(path, kind, NULL, dbdir, media, fl);
	free(dbdir);
	free(media);
	return st;
}
