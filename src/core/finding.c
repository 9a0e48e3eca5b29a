#include "config.h"

#include "finding.h"

#include <errno.h>
#ifdef HAVE_PTHREAD
#include <pthread.h>
#endif
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"

/* Every code syncdoctor can report, in fnd_code order (finding_codes.h). */
static const fnd_code_info catalogue[] = {
#define FND(name, code, step, sev, summary, advice) {FND_##name, code, step, sev, summary, advice},
#include "finding_codes.h"
#undef FND
};

static const size_t n_catalogue = sizeof catalogue / sizeof catalogue[0];
_Static_assert(sizeof catalogue / sizeof catalogue[0] == FND_COUNT, "one entry per code");

const fnd_code_info *fnd_info(fnd_code code)
{
	if ((size_t)code >= n_catalogue)
		sd_fatal("internal error: finding code %d out of range", (int)code);
	return &catalogue[code];
}

const fnd_code_info *fnd_lookup(const char *code)
{
	for (size_t i = 0; i < n_catalogue; i++)
		if (strcmp(catalogue[i].code, code) == 0)
			return &catalogue[i];
	return NULL;
}

const fnd_code_info *fnd_catalogue(size_t *n)
{
	*n = n_catalogue;
	return catalogue;
}

/* ---- the list: an array in memory, then a temporary database ----
 *
 * A list past its budget (finding.h) moves the findings in memory to its
 * store, a table f whose key k is bucket << KEY_SHIFT | number in the
 * bucket, the bucket being step x severity in fnd_sort()'s order, and whose
 * column n is the number in the order added (indexed). The findings still
 * in memory follow those in the store (positions from store->n on, read
 * there) until the budget is passed again or a sort moves them.
 * Positions below store->sorted are in sorted order (bucket after bucket,
 * each bucket's first sorted_bucket[b] findings, which are those that
 * preceded the sort), the rest in the order added. Writes go in one
 * transaction a move. */

#define N_BUCKETS (STEP_COUNT * (SEV_ERROR + 1))
#define KEY_SHIFT 40

struct fnd_store {
	sqlite3 *db;
	sqlite3_stmt *ins, *by_key, *by_n, *upd;
	size_t n;                   /* findings in the database */
	size_t bucket[N_BUCKETS];   /* of them, per bucket */
	size_t per_code[FND_COUNT]; /* and per code */
	size_t sorted;              /* positions in sorted order */
	size_t sorted_bucket[N_BUCKETS];
	sqlite3_stmt *cur; /* by_key or by_n, stepped last, and the key it returned */
	int64_t cur_last;
	finding got; /* the last finding read (fnd_at, fnd_edit), strings owned */
	int64_t got_key;
	bool dirty; /* got came from fnd_edit(): written back at the next call */
	char *error;
};

static int bucket_of(const finding *f)
{
	return (int)f->step * (SEV_ERROR + 1) + (SEV_ERROR - (int)f->severity);
}

/* The budget, read from the environment once: it was a getenv() on every
 * finding added (150,000 photos, 150,000 scans of the environment), and
 * getenv() is not safe beside a setenv() in another thread. Findings are
 * only made by the thread that runs the check or the rebuild (io.c's
 * threads hash and fsync, and never touch a list); the once-guard keeps
 * the first read safe should that change. */
static size_t budget_bytes;

static void budget_read(void)
{
	const char *b = getenv("SYNCDOCTOR_FINDINGS_BUDGET");
	budget_bytes = b && *b ? (size_t)strtoull(b, NULL, 10) : (size_t)256 << 10;
}

#ifdef HAVE_PTHREAD
static pthread_once_t budget_once = PTHREAD_ONCE_INIT;
static size_t budget(void)
{
	pthread_once(&budget_once, budget_read);
	return budget_bytes;
}
#else
static size_t budget(void)
{
	static bool read;
	if (!read)
		budget_read(), read = true;
	return budget_bytes;
}
#endif

void fnd_budget_reload(void)
{
	(void)budget(); /* the once-guard spent, so it never overwrites this read */
	budget_read();
}

static size_t str_bytes(const char *s) { return s ? strlen(s) + 1 + 16 : 0; }

/* What a finding holds on the heap, about (16 for malloc's own). */
static size_t fsize(const finding *f)
{
	return sizeof *f + str_bytes(f->message) + str_bytes(f->member) + str_bytes(f->inner) +
	       str_bytes(f->observation) + str_bytes(f->media) + str_bytes(f->detail);
}

void fnd_init(findings *l) { memset(l, 0, sizeof *l); }

static void finding_free(finding *f)
{
	free(f->message);
	free(f->member);
	free(f->inner);
	free(f->observation);
	free(f->media);
	free(f->detail);
}

static void store_close(fnd_store *s)
{
	if (s->cur)
		sqlite3_reset(s->cur);
	sqlite3_stmt *st[] = {s->ins, s->by_key, s->by_n, s->upd};
	for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
		sqlite3_finalize(st[i]);
	s->ins = s->by_key = s->by_n = s->upd = s->cur = NULL;
	if (s->db)
		sqlite3_close_v2(s->db);
	s->db = NULL;
	finding_free(&s->got);
	memset(&s->got, 0, sizeof s->got);
	s->dirty = false;
}

/* The findings in memory go; the array stays for the next ones. */
static void mem_clear(findings *l)
{
	for (size_t i = 0; i < l->n_mem; i++)
		finding_free(&l->mem[i]);
	l->n_mem = l->mem_bytes = 0;
}

static void mem_free(findings *l)
{
	mem_clear(l);
	free(l->mem);
	l->mem = NULL, l->cap = 0;
}

void fnd_free(findings *l)
{
	mem_free(l);
	if (l->store) {
		store_close(l->store);
		free(l->store->error);
		free(l->store);
	}
	fnd_init(l);
}

static const char *tmp_dir(void)
{
	const char *dir = getenv("TMPDIR");
	return dir && *dir ? dir : "/tmp";
}

/* The store failed: the list drops everything (finding.h), the database
 * goes, and the first reason stays. */
static void store_drop(fnd_store *s, char *error)
{
	if (!s->error)
		s->error = error;
	else
		free(error);
	store_close(s);
	s->n = s->sorted = 0;
	memset(s->bucket, 0, sizeof s->bucket);
	memset(s->sorted_bucket, 0, sizeof s->sorted_bucket);
	memset(s->per_code, 0, sizeof s->per_code);
}

static void store_fail(findings *l, const char *why)
{
	store_drop(l->store, xasprintf(_("the temporary file in %s that holds the findings "
	                                 "could not be written: %s"),
	                               tmp_dir(), why));
	mem_free(l);
}

static bool store_ok(findings *l, int rc)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE)
		return true;
	store_fail(l, l->store->db ? sqlite3_errmsg(l->store->db) : sqlite3_errstr(rc));
	return false;
}

/* The database: a file of our own in $TMPDIR, never the input's folder,
 * unlinked at once (it goes when the process does, whatever happens: an
 * interrupt, a crash). */
static bool store_open(findings *l)
{
	fnd_store *s = l->store;
	char *path = xasprintf("%s/syncdoctor-findings-XXXXXX", tmp_dir());
	int fd = mkstemp(path);
	if (fd < 0) {
		s->error = xasprintf(_("cannot make a temporary file in %s to hold the findings "
		                       "(set TMPDIR to a folder with room): %s"),
		                     tmp_dir(), strerror(errno));
		free(path);
		store_fail(l, "");
		return false;
	}
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL);
	unlink(path);
	close(fd);
	free(path);
	static const char cols[] =
	    "k, n, id, off, feed, block, msg, member, inner, obs, media, detail";
	char *by_key = xasprintf("SELECT %s FROM f WHERE k >= ?1 ORDER BY k", cols);
	char *by_n = xasprintf("SELECT %s FROM f WHERE n >= ?1 ORDER BY n", cols);
	/* no journal (nothing to recover: a failure drops the list), a small
	 * page cache: the findings are written and read in order */
	bool ok =
	    store_ok(l, rc) &&
	    store_ok(l, sqlite3_exec(s->db,
	                             "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	                             "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-256;"
	                             "PRAGMA temp_store=FILE;"
	                             "CREATE TABLE f(k INTEGER PRIMARY KEY, n INT, id INT,"
	                             " off INT, feed INT, block INT, msg TEXT, member TEXT,"
	                             " inner TEXT, obs TEXT, media TEXT, detail TEXT);"
	                             "CREATE UNIQUE INDEX fn ON f(n);",
	                             NULL, NULL, NULL)) &&
	    store_ok(l, sqlite3_prepare_v2(s->db, "INSERT INTO f VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
	                                   -1, &s->ins, NULL)) &&
	    store_ok(l, sqlite3_prepare_v2(s->db, by_key, -1, &s->by_key, NULL)) &&
	    store_ok(l, sqlite3_prepare_v2(s->db, by_n, -1, &s->by_n, NULL)) &&
	    store_ok(l, sqlite3_prepare_v2(s->db,
	                                   "UPDATE f SET off=?2, feed=?3, block=?4, msg=?5,"
	                                   " member=?6, inner=?7, obs=?8, media=?9,"
	                                   " detail=?10 WHERE k=?1",
	                                   -1, &s->upd, NULL));
	free(by_key);
	free(by_n);
	return ok;
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* The location, message and detail of f into st from parameter at on. */
static void bind_place(sqlite3_stmt *st, int at, const finding *f)
{
	sqlite3_bind_int64(st, at, f->offset);
	sqlite3_bind_int(st, at + 1, f->feed);
	sqlite3_bind_int64(st, at + 2, f->block);
	bind_str(st, at + 3, f->message);
	bind_str(st, at + 4, f->member);
	bind_str(st, at + 5, f->inner);
	bind_str(st, at + 6, f->observation);
	bind_str(st, at + 7, f->media);
	bind_str(st, at + 8, f->detail);
}

/* Before any other use of the store: the cursor stops (writes follow, or
 * another order), and an amended finding is written back. */
static bool store_settle(findings *l)
{
	fnd_store *s = l->store;
	if (s->cur)
		sqlite3_reset(s->cur);
	s->cur = NULL;
	if (!s->dirty || !s->db)
		return s->db != NULL;
	s->dirty = false;
	finding *f = &s->got;
	if (bucket_of(f) != (int)(s->got_key >> KEY_SHIFT) || fnd_info(f->id)->code != f->code)
		sd_fatal("internal error: a finding's code, step or severity changed in fnd_edit");
	sqlite3_reset(s->upd);
	sqlite3_bind_int64(s->upd, 1, s->got_key);
	bind_place(s->upd, 2, f);
	return store_ok(l, sqlite3_step(s->upd));
}

/* Every finding in memory into the store, in one transaction. */
static bool store_flush(findings *l)
{
	if (!l->store)
		l->store = xcalloc(1, sizeof *l->store);
	fnd_store *s = l->store;
	if (s->error) {
		mem_free(l);
		return false;
	}
	if (!s->db && !store_open(l))
		return false;
	if (!store_settle(l))
		return false;
	if (!l->n_mem)
		return true;
	if (!store_ok(l, sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL)))
		return false;
	for (size_t i = 0; i < l->n_mem; i++) {
		const finding *f = &l->mem[i];
		int b = bucket_of(f);
		sqlite3_reset(s->ins);
		sqlite3_bind_int64(s->ins, 1, (int64_t)b << KEY_SHIFT | (int64_t)s->bucket[b]);
		sqlite3_bind_int64(s->ins, 2, (int64_t)(s->n + i));
		sqlite3_bind_int(s->ins, 3, (int)f->id);
		bind_place(s->ins, 4, f);
		if (!store_ok(l, sqlite3_step(s->ins)))
			return false;
		s->bucket[b]++;
		s->per_code[f->id]++;
	}
	sqlite3_reset(s->ins); /* its strings are about to go */
	if (!store_ok(l, sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)))
		return false;
	s->n += l->n_mem;
	mem_clear(l);
	return true;
}

static char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* The finding at key want of stmt's order (k or n) into s->got: the
 * cursor steps on when it stands just before it. */
static finding *store_get(findings *l, sqlite3_stmt *st, int64_t want)
{
	fnd_store *s = l->store;
	if (s->cur != st || s->cur_last + 1 != want) {
		if (s->cur)
			sqlite3_reset(s->cur);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, want);
		s->cur = st;
	}
	finding_free(&s->got);
	memset(&s->got, 0, sizeof s->got);
	int rc = sqlite3_step(st);
	int64_t got = rc == SQLITE_ROW ? sqlite3_column_int64(st, st == s->by_key ? 0 : 1) : -1;
	if (got != want) {
		/* (the findings in memory stay: the list may be a copy's) */
		const char *why = rc == SQLITE_ROW || rc == SQLITE_DONE
		                      ? _("a finding is missing from it")
		                      : sqlite3_errmsg(s->db);
		store_drop(s, xasprintf(_("the temporary file in %s that holds the findings could "
		                          "not be read: %s"),
		                        tmp_dir(), why));
		return NULL;
	}
	s->cur_last = want;
	finding *f = &s->got;
	s->got_key = sqlite3_column_int64(st, 0);
	const fnd_code_info *ci = fnd_info((fnd_code)sqlite3_column_int(st, 2));
	int b = (int)(s->got_key >> KEY_SHIFT);
	f->id = ci->id;
	f->code = ci->code;
	f->step = (fnd_step)(b / (SEV_ERROR + 1));
	f->severity = (fnd_severity)(SEV_ERROR - b % (SEV_ERROR + 1));
	f->offset = sqlite3_column_int64(st, 3);
	f->feed = sqlite3_column_int(st, 4);
	f->block = sqlite3_column_int64(st, 5);
	f->message = col_str(st, 6);
	f->member = col_str(st, 7);
	f->inner = col_str(st, 8);
	f->observation = col_str(st, 9);
	f->media = col_str(st, 10);
	f->detail = col_str(st, 11);
	return f;
}

size_t fnd_n(const findings *l) { return (l->store ? l->store->n : 0) + l->n_mem; }

sd_status fnd_status(const findings *l, sd_error *err)
{
	if (!l->store || !l->store->error)
		return SD_OK;
	return sd_error_set(err, SD_ERR_IO, "%s", l->store->error);
}

/* Finding i of a list: in memory, or read from the store. */
/* Finding i of a list: in memory, or read from the store. Only the
 * store's state changes (its cursor, an amended finding written back),
 * never the list's fields: a report may be read through a copy of it. */
static finding *at(findings *l, size_t i)
{
	if (l->store && l->store->error)
		return NULL;
	if (i >= fnd_n(l))
		sd_fatal("internal error: finding %zu of %zu", i, fnd_n(l));
	fnd_store *s = l->store;
	if (!s || i >= s->n)
		return &l->mem[i - (s ? s->n : 0)]; /* the last ones, not moved yet */
	if (s->dirty && !store_settle(l))
		return NULL;
	if (i >= s->sorted)
		return store_get(l, s->by_n, (int64_t)i);
	size_t k = i;
	int b = 0;
	while (k >= s->sorted_bucket[b])
		k -= s->sorted_bucket[b++];
	return store_get(l, s->by_key, (int64_t)b << KEY_SHIFT | (int64_t)k);
}

/* What a failed list hands out: an empty finding, never NULL. */
static finding *placeholder(findings *l)
{
	finding *f = &l->store->got;
	finding_free(f);
	memset(f, 0, sizeof *f);
	const fnd_code_info *ci = fnd_info(0);
	f->id = ci->id, f->code = ci->code, f->step = ci->step, f->severity = ci->severity;
	f->message = xstrdup(l->store->error ? l->store->error : "");
	f->offset = f->block = -1;
	f->feed = -1;
	return f;
}

const finding *fnd_at(const findings *l, size_t i)
{
	/* A spilled list moves its cursor: state behind the pointer, not the
	 * list's contents, which stay as they are. */
	findings *ml = (findings *)l;
	finding *f = at(ml, i);
	return f ? f : placeholder(ml);
}

finding *fnd_edit(findings *l, size_t i)
{
	finding *f = at(l, i);
	if (!f)
		return placeholder(l);
	if (l->store && f == &l->store->got) /* (not one still in memory) */
		l->store->dirty = true;
	return f;
}

/* The last finding added is final once another call comes: count its
 * bytes, and move the findings to the store past the budget. */
static void settle_last(findings *l)
{
	if (l->n_mem) {
		l->mem_bytes += fsize(&l->mem[l->n_mem - 1]);
		if (l->mem_bytes > budget())
			store_flush(l);
	}
}

static finding *vadd(findings *l, fnd_code code, int sev, const char *fmt, va_list ap)
{
	const fnd_code_info *ci = fnd_info(code);
	settle_last(l);
	finding *f;
	if (l->store && l->store->error) {
		/* dropped (finding.h): somewhere for the caller's setters */
		finding_free(&l->store->got);
		memset(&l->store->got, 0, sizeof l->store->got);
		f = &l->store->got;
	} else {
		SD_GROW(l->mem, l->cap, l->n_mem + 1);
		f = &l->mem[l->n_mem++];
		memset(f, 0, sizeof *f);
	}
	f->id = ci->id;
	f->code = ci->code;
	f->step = ci->step;
	f->severity = sev >= 0 ? (fnd_severity)sev : ci->severity;
	f->message = xvasprintf(fmt, ap);
	f->offset = -1;
	f->feed = -1;
	f->block = -1;
	return f;
}
finding *fnd_add(findings *l, fnd_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	finding *f = vadd(l, code, -1, fmt, ap);
	va_end(ap);
	return f;
}

finding *fnd_add_sev(findings *l, fnd_code code, fnd_severity sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	finding *f = vadd(l, code, (int)sev, fmt, ap);
	va_end(ap);
	return f;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup_or_null(s);
}

void fnd_set_member(finding *f, const char *s) { set_str(&f->member, s); }
void fnd_set_inner(finding *f, const char *s) { set_str(&f->inner, s); }
void fnd_set_observation(finding *f, const char *s) { set_str(&f->observation, s); }
void fnd_set_media(finding *f, const char *s) { set_str(&f->media, s); }
void fnd_set_detail(finding *f, const char *s) { set_str(&f->detail, s); }

finding *fnd_add_copy(findings *l, const finding *f)
{
	finding *g = fnd_add_sev(l, f->id, f->severity, "%s", f->message ? f->message : "");
	g->step = f->step;
	g->offset = f->offset;
	g->feed = f->feed;
	g->block = f->block;
	g->member = xstrdup_or_null(f->member);
	g->inner = xstrdup_or_null(f->inner);
	g->observation = xstrdup_or_null(f->observation);
	g->media = xstrdup_or_null(f->media);
	g->detail = xstrdup_or_null(f->detail);
	return g;
}

void fnd_remove_if(findings *l, bool (*drop)(const finding *f, void *ud), void *ud)
{
	size_t n = fnd_n(l), i = 0;
	if (l->store && l->store->error)
		return; /* its failure is the list's to report */
	while (i < n && !drop(fnd_at(l, i), ud))
		i++;
	if (i == n)
		return;
	findings kept;
	fnd_init(&kept);
	for (i = 0; i < n; i++) {
		const finding *f = fnd_at(l, i);
		if (!drop(f, ud))
			fnd_add_copy(&kept, f);
	}
	fnd_free(l);
	*l = kept;
}

void fnd_append(findings *dst, findings *src)
{
	if (src->store && src->store->error) {
		if (!dst->store)
			dst->store = xcalloc(1, sizeof *dst->store);
		store_fail(dst, "");
		free(dst->store->error);
		dst->store->error = xstrdup(src->store->error);
	} else if (!dst->store && !src->store) {
		if (src->n_mem) { /* memcpy must not see a NULL array */
			/* dst's last is final now; src's (not yet counted) is dst's last */
			if (dst->n_mem)
				dst->mem_bytes += fsize(&dst->mem[dst->n_mem - 1]);
			dst->mem_bytes += src->mem_bytes;
			SD_GROW(dst->mem, dst->cap, dst->n_mem + src->n_mem);
			memcpy(dst->mem + dst->n_mem, src->mem, src->n_mem * sizeof *src->mem);
			dst->n_mem += src->n_mem;
		}
		free(src->mem);
		fnd_init(src);
		return; /* past the budget, the next call moves them */
	} else if (!fnd_n(dst) && !dst->store) {
		fnd_free(dst);
		*dst = *src; /* the store changes hands */
		fnd_init(src);
		return;
	} else {
		/* one list spilled: the other's findings one at a time, in order */
		for (size_t i = 0, n = fnd_n(src); i < n && !(src->store && src->store->error);
		     i++) {
			const finding *f = fnd_at(src, i);
			fnd_add_copy(dst, f);
		}
		if (src->store && src->store->error) /* src failed on the way */
			fnd_append(dst, src);
	}
	fnd_free(src);
}

void fnd_sort(findings *l)
{
	if (l->store) {
		/* the buckets are the order: mark every finding as sorted */
		if (store_flush(l)) {
			l->store->sorted = l->store->n;
			memcpy(l->store->sorted_bucket, l->store->bucket, sizeof l->store->bucket);
		}
		return;
	}
	/* Bucket pass: stable, and the list is short. */
	if (l->n_mem < 2)
		return;
	finding *tmp = xreallocarray(NULL, l->n_mem, sizeof *tmp);
	size_t k = 0;
	for (int st = 0; st < STEP_COUNT; st++)
		for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--)
			for (size_t i = 0; i < l->n_mem; i++)
				if ((int)l->mem[i].step == st && (int)l->mem[i].severity == sev)
					tmp[k++] = l->mem[i];
	memcpy(l->mem, tmp, k * sizeof *tmp);
	free(tmp);
}

bool fnd_has(const findings *l, fnd_code code) { return fnd_count_code(l, code) > 0; }

size_t fnd_count_code(const findings *l, fnd_code code)
{
	size_t n = l->store && (size_t)code < FND_COUNT ? l->store->per_code[code] : 0;
	for (size_t i = 0; i < l->n_mem; i++)
		n += l->mem[i].id == code;
	return n;
}

bool fnd_has_step(const findings *l, fnd_step step)
{
	for (int sev = SEV_INFO; sev <= SEV_ERROR; sev++)
		if (fnd_count_in(l, step, (fnd_severity)sev))
			return true;
	return false;
}

size_t fnd_count(const findings *l, fnd_severity min)
{
	size_t n = 0;
	for (int b = 0; l->store && b < N_BUCKETS; b++)
		if (SEV_ERROR - b % (SEV_ERROR + 1) >= (int)min)
			n += l->store->bucket[b];
	for (size_t i = 0; i < l->n_mem; i++)
		if (l->mem[i].severity >= min)
			n++;
	return n;
}

size_t fnd_count_in(const findings *l, fnd_step step, fnd_severity sev)
{
	size_t n = 0;
	for (int b = 0; l->store && b < N_BUCKETS; b++)
		if (b / (SEV_ERROR + 1) == (int)step && SEV_ERROR - b % (SEV_ERROR + 1) == (int)sev)
			n += l->store->bucket[b];
	for (size_t i = 0; i < l->n_mem; i++)
		if (l->mem[i].step == step && l->mem[i].severity == sev)
			n++;
	return n;
}

fnd_severity fnd_worst(const findings *l)
{
	fnd_severity w = SEV_INFO;
	for (int b = 0; l->store && b < N_BUCKETS; b++)
		if (l->store->bucket[b] && SEV_ERROR - b % (SEV_ERROR + 1) > (int)w)
			w = (fnd_severity)(SEV_ERROR - b % (SEV_ERROR + 1));
	for (size_t i = 0; i < l->n_mem; i++)
		if (l->mem[i].severity > w)
			w = l->mem[i].severity;
	return w;
}

const char *fnd_step_name(fnd_step s)
{
	static const char *const names[] = {"configuration", "version", "corruption",
	                                    "environment"};
	return s < STEP_COUNT ? names[s] : "?";
}

const char *fnd_step_label(fnd_step s)
{
	static const char *const labels[] = {N_("Configuration"), N_("Version"), N_("Corruption"),
	                                     N_("This computer")};
	return s < STEP_COUNT ? _(labels[s]) : "?";
}

const char *fnd_severity_name(fnd_severity s)
{
	static const char *const names[] = {"info", "warning", "error"};
	return s <= SEV_ERROR ? names[s] : "?";
}

const char *fnd_severity_label(fnd_severity s)
{
	static const char *const labels[] = {N_("info"), N_("warning"), N_("error")};
	return s <= SEV_ERROR ? _(labels[s]) : "?";
}

const char *fnd_advice(fnd_code code)
{
	const fnd_code_info *ci = fnd_info(code);
	return ci->advice ? _(ci->advice) : NULL;
}

/* The advice of the codes whose words (finding_codes.h) name the CLI's
 * commands or options, as the wizard says it: it has no options, and its
 * summary offers the repairs. Whole sentences, one per code. */
static const struct {
	fnd_code code;
	const char *advice;
} wizard_advice[] = {
    {FND_PROJECT_UNKNOWN, N_("Compare it with this computer's configuration (its .mapeosettings "
                             "file).")},
    {FND_VERSION_TABLE_MISSING,
     N_("Reinstall syncdoctor (its package puts the table in /usr/share/syncdoctor), or name a "
        "table with version_table in syncdoctor's configuration file.")},
    {FND_FEED_HASH_MISMATCH,
     N_("The summary's salvage keeps the blocks before damaged data, back to the last length "
        "the device signed; where only the tree is lost or damaged over intact data, it keeps "
        "every block the device's signature proves (a finding then says how many). It shows "
        "what it keeps before it writes anything.")},
    {FND_FEED_TREE_DAMAGED,
     N_("The observations are intact, but Mapeo refuses the feed until the node is mended. The "
        "summary's salvage computes the damaged node again from the intact data and keeps "
        "every block.")},
    {FND_FEED_BITFIELD_DAMAGED,
     N_("Mapeo takes the feed's length and blocks from the bitfield: it stops the sync, "
        "waits for ever, or leaves blocks out, as the finding says. The summary's repair "
        "writes the bitfield again and keeps every block.")},
    {FND_LEFTOVER_TEMP_DATABASE,
     N_("It may hold the missing database: the summary looks for a database a sync left in a "
        "temporary folder and rebuilds from it.")},
};

const char *fnd_advice_for(fnd_code code, sd_front front)
{
	for (size_t i = 0;
	     front == SD_FRONT_WIZARD && i < sizeof wizard_advice / sizeof *wizard_advice; i++)
		if (wizard_advice[i].code == code)
			return _(wizard_advice[i].advice);
	return fnd_advice(code);
}
