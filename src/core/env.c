#include "config.h"

#include "env.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_SYS_VFS_H
#include <sys/vfs.h>
#endif

#include "configuration.h"
#include "i18n.h"
#include "io.h"
#include "keys.h"
#include "observations.h"
#include "strbuf.h"
#include "tar.h"
#include "xalloc.h"

#define ASAR_HEADER_MAX  (64u << 20)
#define PACKAGE_JSON_MAX (1u << 20)
#define LOG_LINE_MAX     8192
#define LOG_FILES_MAX    400
#define TEMP_DEPTH_MAX   8

/* ---- small helpers ---- */

static bool is_dir(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *envs(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static bool starts_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static char **list_new(size_t *n, size_t *cap)
{
	char **l = NULL;
	*n = 0, *cap = 0;
	SD_GROW(l, *cap, 1);
	l[0] = NULL;
	return l;
}

static void list_push(char ***l, size_t *n, size_t *cap, char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*l)[i], s)) {
			free(s);
			return;
		}
	SD_GROW(*l, *cap, *n + 2);
	(*l)[(*n)++] = s;
	(*l)[*n] = NULL;
}

void env_free_list(char **list) { cfg_free_list(list); }

/* ---- installs ---- */

static char *json_version(const char *buf, size_t len)
{
	json_error_t je;
	json_t *j = json_loadb(buf, len, 0, &je);
	if (!j)
		return NULL;
	const char *v = json_string_value(json_object_get(j, "version"));
	char *out = NULL;
	if (v && strlen(v) < 64)
		out = xstrdup(v);
	json_decref(j);
	return out;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* app.asar: a Chromium Pickle holding the JSON header (u32 4, u32 header
 * size, then the pickle: u32 payload size, u32 string length, the JSON),
 * then the files; a file's offset counts from the end of the header. */
char *env_asar_version(const char *asar_path)
{
	FILE *f = io_fopen_regular(asar_path);
	if (!f)
		return NULL;
	char *out = NULL, *hdr = NULL, *pkg = NULL;
	json_t *j = NULL;
	uint8_t b[16];
	if (fread(b, 1, 16, f) != 16 || le32(b) != 4)
		goto done;
	uint32_t header_size = le32(b + 4), json_len = le32(b + 12);
	if (json_len > ASAR_HEADER_MAX || json_len + 8u > header_size)
		goto done;
	hdr = xmalloc(json_len + 1);
	if (fread(hdr, 1, json_len, f) != json_len)
		goto done;
	json_error_t je;
	j = json_loadb(hdr, json_len, 0, &je);
	json_t *ent = json_object_get(json_object_get(j, "files"), "package.json");
	if (!ent)
		goto done;
	json_int_t size = json_integer_value(json_object_get(ent, "size"));
	const char *off_s = json_string_value(json_object_get(ent, "offset"));
	if (json_is_true(json_object_get(ent, "unpacked"))) {
		char *up = xasprintf("%s.unpacked/package.json", asar_path);
		FILE *g = io_fopen_regular(up);
		free(up);
		if (g) {
			pkg = xmalloc(PACKAGE_JSON_MAX);
			size_t got = fread(pkg, 1, PACKAGE_JSON_MAX, g);
			fclose(g);
			out = json_version(pkg, got);
		}
		goto done;
	}
	if (!off_s || size <= 0 || size > (json_int_t)PACKAGE_JSON_MAX)
		goto done;
	char *end;
	errno = 0;
	unsigned long long off = strtoull(off_s, &end, 10);
	if (errno || *end || off > (1ull << 40))
		goto done;
	if (fseeko(f, (off_t)(8u + header_size + off), SEEK_SET) != 0)
		goto done;
	pkg = xmalloc((size_t)size);
	if (fread(pkg, 1, (size_t)size, f) != (size_t)size)
		goto done;
	out = json_version(pkg, (size_t)size);
done:
	json_decref(j);
	free(hdr);
	free(pkg);
	fclose(f);
	return out;
}

static char *file_version(const char *path)
{
	FILE *f = io_fopen_regular(path);
	if (!f)
		return NULL;
	char *buf = xmalloc(PACKAGE_JSON_MAX);
	size_t got = fread(buf, 1, PACKAGE_JSON_MAX, f);
	fclose(f);
	char *v = json_version(buf, got);
	free(buf);
	return v;
}

typedef struct install_list {
	env_install *v;
	size_t n, cap;
} install_list;

static void add_install(install_list *l, char *path, const char *kind)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].path, path)) {
			free(path);
			return;
		}
	SD_GROW(l->v, l->cap, l->n + 1);
	env_install *in = &l->v[l->n++];
	memset(in, 0, sizeof *in);
	in->path = path;
	in->kind = kind;
	static const char *const res[] = {"resources", "Contents/Resources"};
	for (size_t i = 0; i < 2 && !in->version; i++) {
		char *asar = xasprintf("%s/%s/app.asar", path, res[i]);
		char *plain = xasprintf("%s/%s/app/package.json", path, res[i]);
		if ((in->version = env_asar_version(asar)))
			in->version_from = asar, asar = NULL;
		else if ((in->version = file_version(plain)))
			in->version_from = plain, plain = NULL;
		free(asar), free(plain);
	}
}

/* Whether dir holds any of the n names. */
static bool has_any(const char *dir, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		struct stat st;
		bool ok = stat(p, &st) == 0;
		free(p);
		if (ok)
			return true;
	}
	return false;
}

/* An install folder: it has resources/app.asar (or app/) or is a macOS bundle. */
static bool looks_installed(const char *dir)
{
	static const char *const probes[] = {"resources/app.asar", "resources/app",
	                                     "Contents/Resources/app.asar",
	                                     "Contents/Resources/app"};
	return has_any(dir, probes, sizeof probes / sizeof probes[0]);
}

/* Folders in parent whose name starts with prefix (case-insensitive). */
static void scan_dirs(install_list *l, const char *parent, const char *prefix, const char *suffix,
                      const char *kind)
{
	DIR *d = opendir(parent);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !starts_ci(de->d_name, prefix))
			continue;
		if (suffix && !ends_with(de->d_name, suffix))
			continue;
		char *p = xasprintf("%s/%s", parent, de->d_name);
		if (is_dir(p) && looks_installed(p))
			add_install(l, p, kind);
		else
			free(p);
	}
	closedir(d);
}

static void scan_appimages(install_list *l, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!starts_ci(de->d_name, "mapeo") || !ends_with(de->d_name, ".AppImage"))
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		if (!is_file(p)) {
			free(p);
			continue;
		}
		size_t before = l->n;
		add_install(l, p, "appimage");
		if (l->n == before)
			continue;
		/* The squashfs inside is not read: the name carries the version
		 * ("Mapeo-5.6.2.AppImage", "Mapeo_v5.4.0-linux-x86_64.AppImage"). */
		env_install *in = &l->v[l->n - 1];
		const char *s = de->d_name;
		while (*s && !isdigit((unsigned char)*s))
			s++;
		size_t n = 0;
		while (s[n] && (isdigit((unsigned char)s[n]) || s[n] == '.'))
			n++;
		while (n && s[n - 1] == '.')
			n--;
		if (n && memchr(s, '.', n)) {
			in->version = xstrndup(s, n);
			in->version_from = xstrdup(p);
		}
	}
	closedir(d);
}

static void find_installs(env_info *e)
{
	install_list l = {0};
	const char *root = envs("SYNCDOCTOR_SYSROOT");
	const char *r = root ? root : "";
	const char *home = envs("HOME");
	char *p;
	/* Linux */
	p = xasprintf("%s/opt", r);
	scan_dirs(&l, p, "mapeo", NULL, "linux");
	free(p);
	p = xasprintf("%s/usr/lib", r);
	scan_dirs(&l, p, "mapeo", NULL, "linux");
	free(p);
	if (home) {
		p = xasprintf("%s/.local/share", home);
		scan_dirs(&l, p, "mapeo", NULL, "linux");
		free(p);
		static const char *const ai[] = {"", "/Applications", "/Downloads", "/.local/bin"};
		for (size_t i = 0; i < sizeof ai / sizeof ai[0]; i++) {
			p = xasprintf("%s%s", home, ai[i]);
			scan_appimages(&l, p);
			free(p);
		}
	}
	/* macOS */
	p = xasprintf("%s/Applications", r);
	scan_dirs(&l, p, "mapeo", ".app", "macos");
	free(p);
	if (home) {
		p = xasprintf("%s/Applications", home);
		scan_dirs(&l, p, "mapeo", ".app", "macos");
		free(p);
	}
	/* Windows */
	const char *lad = envs("LOCALAPPDATA");
	if (lad) {
		p = xasprintf("%s/Programs", lad);
		scan_dirs(&l, p, "mapeo", NULL, "windows");
		free(p);
	}
	const char *pf = envs("PROGRAMFILES");
	if (pf)
		scan_dirs(&l, pf, "mapeo", NULL, "windows");
	e->installs = l.v;
	e->n_installs = l.n;
}

/* ---- logs ---- */

const char *env_log_kind_name(env_log_kind k)
{
	switch (k) {
	case ENV_LOG_PROJECT_MISMATCH: return "project-mismatch";
	case ENV_LOG_UNSUPPORTED: return "unsupported-syncfile";
	case ENV_LOG_DATABASE_TYPE: return "database-type";
	case ENV_LOG_DISK_FULL: return "disk-full";
	case ENV_LOG_DAMAGED: return "damaged-file";
	default: return "sync-error";
	}
}

const char *env_log_kind_label(env_log_kind k)
{
	switch (k) {
	case ENV_LOG_PROJECT_MISMATCH: return _("different projects");
	case ENV_LOG_UNSUPPORTED: return _("old sync file");
	case ENV_LOG_DATABASE_TYPE: return _("old database type");
	case ENV_LOG_DISK_FULL: return _("disk full");
	case ENV_LOG_DAMAGED: return _("damaged file");
	default: return _("sync error");
	}
}

static const struct {
	const char *needle;
	env_log_kind kind;
} patterns[] = {
    {"trying to sync two different projects", ENV_LOG_PROJECT_MISMATCH},
    {"unsupported syncfile type", ENV_LOG_UNSUPPORTED},
    {"trying to sync this kappa-osm database with", ENV_LOG_DATABASE_TYPE},
    {"insufficient disk space", ENV_LOG_DISK_FULL},
    {"ENOSPC", ENV_LOG_DISK_FULL},
    {"Invalid tar header", ENV_LOG_DAMAGED},
    {"Unexpected end of data", ENV_LOG_DAMAGED},
    {"Unexpected end of JSON input", ENV_LOG_DAMAGED},
    {"is not valid JSON", ENV_LOG_DAMAGED},
    {"No files found.", ENV_LOG_DAMAGED},
    {"Malformed file", ENV_LOG_DAMAGED},
    {"Remote signature could not be verified", ENV_LOG_DAMAGED},
    {"Another hypercore is stored here", ENV_LOG_DAMAGED},
    {"Cannot read properties of undefined (reading 'ready')", ENV_LOG_DAMAGED},
    {"sync error", ENV_LOG_SYNC_ERROR},
    {"syncfile is not ready", ENV_LOG_SYNC_ERROR},
};

static bool find_kind(const char *line, env_log_kind *k)
{
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
		if (strcasestr(line, patterns[i].needle)) {
			*k = patterns[i].kind;
			return true;
		}
	return false;
}

/* The message for people: no control characters, hex runs of 16 or more
 * cut to 7 (a log line must never carry a whole key), at most 300 bytes. */
static char *clean_text(const char *s)
{
	strbuf b = SB_INIT;
	while (*s == ' ' || *s == '\t')
		s++;
	for (const char *p = s; *p && b.len < 300;) {
		size_t hex = 0;
		while (isxdigit((unsigned char)p[hex]))
			hex++;
		if (hex >= 16) {
			sb_addn(&b, p, 7);
			sb_add(&b, "...");
			p += hex;
			continue;
		}
		unsigned char c = (unsigned char)*p++;
		sb_addc(&b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	char *out = sb_take(&b);
	size_t n = strlen(out);
	while (n && (out[n - 1] == '?' || out[n - 1] == ' '))
		out[--n] = '\0';
	return out;
}

static void form_after(const char *line, const char *tag, char out[16])
{
	out[0] = '\0';
	const char *p = strstr(line, tag);
	if (!p)
		return;
	p += strlen(tag);
	size_t n = strcspn(p, ") \t\r\n");
	if (n > 10) /* a full 64-hex key (mapeo-core <= 8.3): its error form */
		n = 7;
	memcpy(out, p, n < 15 ? n : 15);
	out[n < 15 ? n : 15] = '\0';
}

static void name_date(const char *name, char out[24])
{
	out[0] = '\0';
	size_t n = 0;
	while (n < 10 && (isdigit((unsigned char)name[n]) || name[n] == '-'))
		n++;
	if (n >= 7 && name[4] == '-')
		memcpy(out, name, n), out[n] = '\0';
	while (n && out[n - 1] == '-')
		out[--n] = '\0';
}

typedef struct event_list {
	env_log_event *v;
	size_t n, cap;
} event_list;

/* Lines of a log, read by chunks: gzgets() cannot say how much it read,
 * so a NUL byte in a line (a log a crash left) cut the line there and
 * made its end look like the next line's. A NUL is read as a control
 * character, shown as one (clean_text()). */
typedef struct log_reader {
	gzFile g;
	char chunk[LOG_LINE_MAX];
	size_t pos, len;
	bool eof;
} log_reader;

/* The next line (or its first cap - 1 bytes: *whole false) into buf, NUL
 * terminated; false at the end of the log. */
static bool log_line(log_reader *r, char *buf, size_t cap, bool *whole)
{
	size_t n = 0;
	*whole = false;
	while (n + 1 < cap) {
		if (r->pos == r->len) {
			int got = r->eof ? 0 : gzread(r->g, r->chunk, sizeof r->chunk);
			if (got <= 0) {
				r->eof = true;
				break;
			}
			r->pos = 0, r->len = (size_t)got;
		}
		char c = r->chunk[r->pos++];
		buf[n++] = c ? c : '\x01';
		if (c == '\n') {
			*whole = true;
			break;
		}
	}
	buf[n] = '\0';
	return n > 0;
}

static void scan_log(env_log_file *lf, const char *base, event_list *ev)
{
	int fd = io_open_regular(lf->path);
	gzFile g = fd >= 0 ? gzdopen(fd, "rb") : NULL;
	if (fd >= 0 && !g)
		close(fd);
	if (!g) {
		lf->unreadable = true;
		return;
	}
	char fdate[24];
	name_date(base, fdate);
	char *buf = xmalloc(LOG_LINE_MAX);
	long lineno = 0;
	bool cont = false; /* inside a line longer than the buffer */
	log_reader *rd = xcalloc(1, sizeof *rd);
	rd->g = g;
	bool whole;
	while (log_line(rd, buf, LOG_LINE_MAX, &whole)) {
		size_t len = strlen(buf);
		if (!cont)
			lineno++;
		bool was_cont = cont;
		cont = !whole;
		if (was_cont)
			continue;
		env_log_kind k;
		if (!find_kind(buf, &k))
			continue;
		SD_GROW(ev->v, ev->cap, ev->n + 1);
		env_log_event *e = &ev->v[ev->n++];
		memset(e, 0, sizeof *e);
		e->kind = k;
		e->file = xstrdup(lf->path);
		e->line = lineno;
		const char *msg = buf;
		/* "<ISO time> [label] level: message" (Desktop's logger) */
		if (len >= 19 && isdigit((unsigned char)buf[0]) && buf[4] == '-' &&
		    buf[10] == 'T') {
			memcpy(e->date, buf, 19);
			e->date[19] = '\0';
			const char *sp = strchr(buf, ' ');
			msg = sp ? sp + 1 : buf;
		} else {
			snprintf(e->date, sizeof e->date, "%s", fdate);
		}
		e->text = clean_text(msg);
		if (k == ENV_LOG_PROJECT_MISMATCH) {
			form_after(buf, "(us=", e->us);
			form_after(buf, "(syncfile=", e->them);
		}
		lf->n_events++;
	}
	int errnum = 0;
	gzerror(g, &errnum);
	if (errnum != Z_OK && errnum != Z_STREAM_END)
		lf->unreadable = lf->n_events == 0;
	gzclose(g);
	free(buf);
	free(rd);
}

static int cmp_event(const void *a, const void *b)
{
	const env_log_event *x = a, *y = b;
	int c = strcmp(y->date, x->date); /* newest first */
	if (c)
		return c;
	c = strcmp(x->file, y->file);
	if (c)
		return c;
	return x->line < y->line ? 1 : x->line > y->line ? -1 : 0;
}

static int cmp_log(const void *a, const void *b)
{
	const env_log_file *x = a, *y = b;
	return strcmp(x->path, y->path);
}

static void read_logs(env_info *e, size_t max_events)
{
	if (!e->userdata)
		return;
	char *dir = xasprintf("%s/logs", e->userdata);
	DIR *d = opendir(dir);
	if (!d) {
		free(dir);
		return;
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) && e->n_logs < LOG_FILES_MAX) {
		bool gz = ends_with(de->d_name, ".log.gz") || ends_with(de->d_name, ".gz");
		if (de->d_name[0] == '.' || (!gz && !ends_with(de->d_name, ".log")))
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		SD_GROW(e->logs, cap, e->n_logs + 1);
		env_log_file *lf = &e->logs[e->n_logs++];
		memset(lf, 0, sizeof *lf);
		lf->path = p;
		lf->gz = gz;
		lf->size = (uint64_t)st.st_size;
		lf->mtime = (int64_t)st.st_mtime;
	}
	closedir(d);
	if (e->n_logs > 1)
		qsort(e->logs, e->n_logs, sizeof *e->logs, cmp_log);
	event_list ev = {0};
	for (size_t i = 0; i < e->n_logs; i++) {
		const char *base = strrchr(e->logs[i].path, '/');
		scan_log(&e->logs[i], base ? base + 1 : e->logs[i].path, &ev);
	}
	if (ev.n > 1)
		qsort(ev.v, ev.n, sizeof *ev.v, cmp_event);
	e->n_events_total = ev.n;
	while (ev.n > max_events) {
		env_log_event *x = &ev.v[--ev.n];
		free(x->file), free(x->text);
	}
	e->events = ev.v;
	e->n_events = ev.n;
	free(dir);
}

/* ---- temp folders ---- */

char **env_temp_dirs(void)
{
	size_t n, cap;
	char **l = list_new(&n, &cap);
	const char *over = envs("SYNCDOCTOR_TMPDIRS");
	if (over) {
		char *copy = xstrdup(over), *save = NULL;
		for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
			if (is_dir(t))
				list_push(&l, &n, &cap, xstrdup(t));
		free(copy);
		return l;
	}
	static const char *const vars[] = {"TMPDIR", "TEMP", "TMP"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = envs(vars[i]);
		if (v && is_dir(v))
			list_push(&l, &n, &cap, xstrdup(v));
	}
	static const char *const fixed[] = {"/tmp", "/var/tmp"};
	for (size_t i = 0; i < 2; i++)
		if (is_dir(fixed[i]))
			list_push(&l, &n, &cap, xstrdup(fixed[i]));
	return l;
}

static void add_key(env_temp *t, const uint8_t key[32], size_t *cap)
{
	char hex[KEYS_HEX_SIZE];
	keys_hex(key, 32, hex);
	for (size_t i = 0; i < t->n_feeds; i++)
		if (!strcmp(t->feed_keys[i], hex))
			return;
	SD_GROW(t->feed_keys, *cap, t->n_feeds + 1);
	memcpy(t->feed_keys[t->n_feeds++], hex, KEYS_HEX_SIZE);
}

/* A leftover temporary folder is in a folder others may write to: nothing
 * below that folder (the temporary folder included) is reached through a
 * symbolic link (io_open_beneath()); root is that folder. */
static bool temp_is(const char *root, const char *path, mode_t kind)
{
	struct stat st;
	return io_lstat_beneath(root, path, &st) && (st.st_mode & S_IFMT) == kind;
}

/* path below root is a symbolic link, not followed: noted in e (the
 * report says so, so that what it points to does not just look missing).
 * True when it is one. */
static bool temp_link(env_info *e, const char *root, const char *path)
{
	struct stat st;
	if (!io_lstat_beneath(root, path, &st) || !S_ISLNK(st.st_mode))
		return false;
	if (e->n_temp_links_kept < ENV_LINKS_MAX) {
		if (!e->temp_links)
			e->temp_links = xcalloc(ENV_LINKS_MAX + 1, sizeof *e->temp_links);
		e->temp_links[e->n_temp_links_kept++] = xstrdup(path);
	}
	e->n_temp_links++;
	return true;
}

static uint64_t du(const char *root, const char *path, int depth)
{
	struct stat st;
	if (!io_lstat_beneath(root, path, &st))
		return 0;
	if (S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	if (!S_ISDIR(st.st_mode) || depth > TEMP_DEPTH_MAX)
		return 0;
	DIR *d = io_opendir_beneath(root, path);
	if (!d)
		return 0;
	uint64_t sum = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *p = xasprintf("%s/%s", path, de->d_name);
		sum += du(root, p, depth + 1);
		free(p);
	}
	closedir(d);
	return sum;
}

static void temp_multifeed(env_info *e, env_temp *t, const char *root, const char *mf, size_t *cap)
{
	DIR *d = io_opendir_beneath(root, mf);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		bool numeric = *n && strspn(n, "0123456789") == strlen(n) && strlen(n) < 9;
		if (!numeric && !keys_is_hex64(n))
			continue;
		char *fp = xasprintf("%s/%s", mf, n);
		bool linked = temp_link(e, root, fp);
		free(fp);
		if (linked)
			continue;
		char *kp = xasprintf("%s/%s/key", mf, n);
		sd_input *in;
		uint8_t key[32];
		bool got =
		    !temp_link(e, root, kp) && sdin_open_beneath(root, kp, &in, NULL) == SD_OK;
		free(kp);
		if (got) {
			got = sdin_size(in) == 32 && sdin_read_exact(in, key, 32, 0, NULL) == SD_OK;
			sdin_close(in);
		}
		if (!got)
			continue;
		if (numeric) {
			add_key(t, key, cap);
		} else if (!keys_discovery_hex(n, t->project_dk)) {
			t->project_dk[0] = '\0';
		}
	}
	closedir(d);
}

static void temp_db_tar(env_temp *t, const char *root, const char *tarpath, size_t *cap)
{
	sd_input *in;
	if (sdin_open_beneath(root, tarpath, &in, NULL) != SD_OK)
		return;
	tar_iter it;
	tar_iter_init(&it, in, 0, sdin_size(in));
	tar_entry e;
	tar_event ev;
	while ((ev = tar_iter_next(&it, &e, NULL)) != TAR_END) {
		if (ev != TAR_MEMBER || e.size != 32 || e.truncated)
			continue;
		const char *slash = strchr(e.name, '/');
		if (!slash)
			slash = strchr(e.name, '\\');
		if (!slash || strcmp(slash + 1, "key") != 0)
			continue;
		char dir[80];
		size_t dl = (size_t)(slash - e.name);
		if (dl >= sizeof dir)
			continue;
		memcpy(dir, e.name, dl);
		dir[dl] = '\0';
		uint8_t key[32];
		if (sdin_read_exact(in, key, 32, e.data_off, NULL) != SD_OK)
			continue;
		if (dl && strspn(dir, "0123456789") == dl)
			add_key(t, key, cap);
		else if (keys_is_hex64(dir) && !keys_discovery_hex(dir, t->project_dk))
			t->project_dk[0] = '\0';
	}
	tar_iter_free(&it);
	sdin_close(in);
}

/* t from the leftover folder p (taken over) below root, whose lstat is st:
 * its database unpacked and packed, their feeds; links below root noted in
 * e, never followed. */
static void temp_fill(env_info *e, env_temp *t, const char *root, char *p, const struct stat *st)
{
	memset(t, 0, sizeof *t);
	t->path = p;
	t->mtime = (int64_t)st->st_mtime;
	t->bytes = du(root, p, 0);
	size_t kcap = 0;
	char *mf = xasprintf("%s/multifeed", p);
	if (temp_is(root, mf, S_IFDIR)) {
		t->has_multifeed = true;
		temp_multifeed(e, t, root, mf, &kcap);
	} else {
		(void)temp_link(e, root, mf);
	}
	free(mf);
	char *tp = xasprintf("%s/osm-p2p-db.tar", p);
	if (temp_is(root, tp, S_IFREG)) {
		t->has_db_tar = true;
		temp_db_tar(t, root, tp, &kcap);
	} else {
		(void)temp_link(e, root, tp);
	}
	free(tp);
}

bool env_temp_read(const char *path, env_temp *out)
{
	struct stat st;
	memset(out, 0, sizeof *out);
	if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return false;
	char *root = xstrdup(path), *slash = strrchr(root, '/');
	if (!slash)
		strcpy(root, ".");
	else if (slash == root)
		slash[1] = '\0';
	else
		*slash = '\0';
	env_info scratch;
	memset(&scratch, 0, sizeof scratch);
	temp_fill(&scratch, out, root, xstrdup(path), &st);
	env_free_list(scratch.temp_links);
	free(root);
	return true;
}

void env_temp_free(env_temp *t)
{
	free(t->path);
	free(t->feed_keys);
	memset(t, 0, sizeof *t);
}

static void scan_temps(env_info *e)
{
	size_t cap = 0;
	for (char **dir = e->temp_dirs; *dir; dir++) {
		DIR *d = opendir(*dir);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "osm-p2p-syncfile-", 17) != 0)
				continue;
			char *p = xasprintf("%s/%s", *dir, de->d_name);
			struct stat st;
			if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
				(void)temp_link(e, *dir, p);
				free(p);
				continue;
			}
			SD_GROW(e->temps, cap, e->n_temps + 1);
			env_temp *t = &e->temps[e->n_temps++];
			temp_fill(e, t, *dir, p, &st);
		}
		closedir(d);
	}
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct ref_count {
	const char *const *ids; /* sorted with strcmp */
	size_t n_ids;
	size_t named, refs;
} ref_count;

static void count_ref(void *ctx, const char *id, size_t len)
{
	(void)len;
	ref_count *c = ctx;
	c->refs++;
	if (c->n_ids && bsearch(&id, c->ids, c->n_ids, sizeof *c->ids, cmp_id))
		c->named++;
}

/* Count the attachment ids of the ndjson lines in buf[0..len), read as
 * the check reads a feed's blocks (observations.h). */
static void count_refs(const char *buf, size_t len, const char *const *ids, size_t n_ids,
                       size_t *named, size_t *refs)
{
	ref_count c = {ids, n_ids, 0, 0};
	obs_scan_references((const uint8_t *)buf, len, count_ref, &c);
	*named += c.named;
	*refs += c.refs;
}

static void data_file_refs(const char *root, const char *path, const char *const *ids, size_t n_ids,
                           size_t *named, size_t *refs)
{
	sd_input *in;
	if (sdin_open_beneath(root, path, &in, NULL) != SD_OK)
		return;
	uint64_t size = sdin_size(in);
	size_t len = (size_t)(size < ENV_TEMP_DATA_MAX ? size : ENV_TEMP_DATA_MAX);
	char *buf = xmalloc(len + 1);
	if (sdin_read_exact(in, buf, len, 0, NULL) == SD_OK)
		count_refs(buf, len, ids, n_ids, named, refs);
	free(buf);
	sdin_close(in);
}

size_t env_temp_photos(const env_temp *t, const char *const *ids, size_t n_ids, size_t *n_refs)
{
	size_t named = 0, refs = 0;
	char *root = xstrdup(t->path); /* the folder that holds it */
	char *cut = strrchr(root, '/');
	if (cut)
		*(cut == root ? cut + 1 : cut) = '\0';
	char *mf = xasprintf("%s/multifeed", t->path);
	DIR *d = io_opendir_beneath(root, mf);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		const char *n = de->d_name;
		if (!*n || strspn(n, "0123456789") != strlen(n) || strlen(n) >= 9)
			continue;
		char *dp = xasprintf("%s/%s/data", mf, n);
		if (temp_is(root, dp, S_IFREG))
			data_file_refs(root, dp, ids, n_ids, &named, &refs);
		free(dp);
	}
	if (d)
		closedir(d);
	free(mf);
	char *tp = xasprintf("%s/osm-p2p-db.tar", t->path);
	sd_input *in;
	if (temp_is(root, tp, S_IFREG) && sdin_open_beneath(root, tp, &in, NULL) == SD_OK) {
		tar_iter it;
		tar_iter_init(&it, in, 0, sdin_size(in));
		tar_entry e;
		tar_event ev;
		while ((ev = tar_iter_next(&it, &e, NULL)) != TAR_END) {
			if (ev != TAR_MEMBER || e.truncated || e.size > ENV_TEMP_DATA_MAX)
				continue;
			const char *slash = strpbrk(e.name, "/\\");
			if (!slash || strcmp(slash + 1, "data") != 0 ||
			    strspn(e.name, "0123456789") != (size_t)(slash - e.name))
				continue;
			char *buf = xmalloc((size_t)e.size + 1);
			if (sdin_read_exact(in, buf, (size_t)e.size, e.data_off, NULL) == SD_OK)
				count_refs(buf, (size_t)e.size, ids, n_ids, &named, &refs);
			free(buf);
		}
		tar_iter_free(&it);
		sdin_close(in);
	}
	free(tp);
	free(root);
	if (n_refs)
		*n_refs = refs;
	return named;
}

int env_temp_match(const env_temp *t, const char *file_dk, const char (*keys)[KEYS_HEX_SIZE],
                   size_t n_keys, size_t *shared)
{
	size_t s = 0;
	for (size_t i = 0; i < t->n_feeds; i++)
		for (size_t k = 0; k < n_keys; k++)
			if (keys[k][0] && !strcmp(t->feed_keys[i], keys[k]))
				s++;
	if (shared)
		*shared = s;
	if (s)
		return 1;
	if (t->project_dk[0] && file_dk)
		return strcmp(t->project_dk, file_dk) == 0 ? 1 : 0;
	if (n_keys && t->n_feeds)
		return 0;
	return -1;
}

/* ---- space ---- */

bool env_volume(const char *path, env_space *out)
{
	memset(out, 0, sizeof *out);
	struct statvfs sv;
	if (statvfs(path, &sv) != 0)
		return false;
	out->known = true;
	out->free_bytes = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
	out->total_bytes = (uint64_t)sv.f_blocks * (uint64_t)sv.f_frsize;
#if defined(HAVE_STATFS) && defined(HAVE_SYS_VFS_H)
	struct statfs sf;
	if (statfs(path, &sf) == 0) {
		static const struct {
			unsigned long magic;
			const char *name;
		} fs[] = {
		    {0x4d44UL, "vfat"},     {0x2011BAB0UL, "exfat"}, {0x5346544eUL, "ntfs"},
		    {0x65735546UL, "fuse"}, {0xEF53UL, "ext4"},      {0x9123683EUL, "btrfs"},
		    {0x58465342UL, "xfs"},  {0x01021994UL, "tmpfs"}, {0x794c7630UL, "overlay"},
		    {0x6969UL, "nfs"},      {0xFF534D42UL, "cifs"},  {0x2FC12FC1UL, "zfs"},
		};
		unsigned long m = (unsigned long)sf.f_type & 0xffffffffUL;
		for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
			if (m == fs[i].magic)
				snprintf(out->fs, sizeof out->fs, "%s", fs[i].name);
		out->vfat = m == 0x4d44UL;
	}
#endif
	/* Tests fake a FAT32 stick (mounting one needs root). */
	const char *fake = envs("SYNCDOCTOR_FAKE_VFAT");
	if (fake && !strncmp(path, fake, strlen(fake))) {
		out->vfat = true;
		snprintf(out->fs, sizeof out->fs, "vfat");
	}
	return true;
}

/* ---- the whole picture ---- */

static bool holds_mapeo_data(const char *dir)
{
	static const char *const marks[] = {"kappa.db", "presets", "logs", "config.json"};
	return has_any(dir, marks, sizeof marks / sizeof marks[0]);
}

env_info *env_scan(const env_options *opt)
{
	static const env_options defaults = {0};
	if (!opt)
		opt = &defaults;
	env_info *e = xcalloc(1, sizeof *e);
	find_installs(e);
	e->userdata_candidates = cfg_userdata_candidates(opt->userdata);
	for (char **p = e->userdata_candidates; *p && !e->userdata; p++)
		if (is_dir(*p) &&
		    (holds_mapeo_data(*p) || (opt->userdata && !strcmp(*p, opt->userdata))))
			e->userdata = xstrdup(*p);
	char *cfg = cfg_find_active(opt->userdata);
	if (cfg) {
		mapeo_config *c = NULL;
		findings fl;
		fnd_init(&fl);
		if (cfg_open(cfg, &c, &fl, NULL) == SD_OK) {
			e->config_found = true;
			e->config_path = xstrdup(cfg);
			e->config_name = xstrdup_or_null(c->name);
			e->config_version = xstrdup_or_null(c->version);
			snprintf(e->config_footer, sizeof e->config_footer, "%s", c->footer);
			cfg_free(c);
		}
		fnd_free(&fl);
		free(cfg);
	}
	read_logs(e, opt->max_events ? opt->max_events : 20);
	e->temp_dirs = env_temp_dirs();
	if (!opt->no_temp)
		scan_temps(e);
	if (e->temp_dirs[0])
		env_volume(e->temp_dirs[0], &e->temp_space);
	return e;
}

void env_free(env_info *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_installs; i++)
		free(e->installs[i].path), free(e->installs[i].version),
		    free(e->installs[i].version_from);
	free(e->installs);
	cfg_free_list(e->userdata_candidates);
	free(e->userdata);
	free(e->config_path), free(e->config_name), free(e->config_version);
	for (size_t i = 0; i < e->n_logs; i++)
		free(e->logs[i].path);
	free(e->logs);
	for (size_t i = 0; i < e->n_events; i++)
		free(e->events[i].file), free(e->events[i].text);
	free(e->events);
	cfg_free_list(e->temp_dirs);
	for (size_t i = 0; i < e->n_temps; i++)
		free(e->temps[i].path), free(e->temps[i].feed_keys);
	free(e->temps);
	env_free_list(e->temp_links);
	free(e);
}
