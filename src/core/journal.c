/* journal.c: the case journal (see journal.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "human.h"
#include "i18n.h"
#include "report.h"
#include "io.h"
#include "journal.h"
#include "keys.h"
#include "rebuild.h"
#include "strbuf.h"

struct jnl_db {
	sqlite3 *db;
	char *path;
};

/* Long enough for a slow disk and a large check's findings; a second run
 * waits instead of failing with "database is locked". */
#define JNL_BUSY_MS 15000

char *jnl_default_path(void) { return sd_state_path("journal.sqlite"); }

const char *jnl_path(const jnl_db *j) { return j->path; }

static sd_status db_error(jnl_db *j, sd_error *err)
{
	return sd_error_set(err, SD_ERR_IO, _("the case journal %s could not be used: %s"), j->path,
	                    sqlite3_errmsg(j->db));
}

/* mkdir -p, private: the journal names the files of other people's projects. */
static bool make_parent_dirs(const char *path)
{
	char *d = xstrdup(path);
	char *slash = strrchr(d, '/');
	bool ok = !slash || slash == d || (*slash = '\0', sd_mkdir_p(d, 0700));
	free(d);
	return ok;
}

static int exec(jnl_db *j, const char *sql) { return sqlite3_exec(j->db, sql, NULL, NULL, NULL); }

static int user_version(jnl_db *j, int *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(j->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Each step takes the schema from version i to i + 1. Never edit a step
 * that has shipped: add one. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE checks(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, path TEXT NOT NULL,"
    " size INTEGER, fingerprint TEXT, era TEXT, verdict TEXT NOT NULL);"
    "CREATE TABLE findings(check_id INTEGER NOT NULL REFERENCES checks(id), code TEXT NOT NULL,"
    " severity TEXT, message TEXT);",
    /* 1 -> 2: discovery key, configuration, finding places, rebuilds */
    "ALTER TABLE checks ADD COLUMN discovery_key TEXT;"
    "ALTER TABLE checks ADD COLUMN config_path TEXT;"
    "ALTER TABLE checks ADD COLUMN config_name TEXT;"
    "ALTER TABLE checks ADD COLUMN config_version TEXT;"
    "ALTER TABLE checks ADD COLUMN config_discovery_key TEXT;"
    "ALTER TABLE checks ADD COLUMN config_footer TEXT;"
    "ALTER TABLE checks ADD COLUMN config_match INTEGER;"
    "ALTER TABLE checks ADD COLUMN tool_version TEXT;"
    "ALTER TABLE findings ADD COLUMN step TEXT;"
    "ALTER TABLE findings ADD COLUMN place TEXT;"
    "CREATE INDEX checks_fingerprint ON checks(fingerprint);"
    "CREATE INDEX checks_path ON checks(path);"
    "CREATE INDEX findings_check ON findings(check_id);"
    "CREATE TABLE rebuilds(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, input TEXT,"
    " input_fingerprint TEXT, output TEXT, output_fingerprint TEXT, mode TEXT, outcome TEXT,"
    " discovery_key TEXT, tool_version TEXT);"
    "CREATE TABLE rebuild_lines(rebuild_id INTEGER NOT NULL REFERENCES rebuilds(id),"
    " kind TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX rebuild_lines_rebuild ON rebuild_lines(rebuild_id);",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == JNL_SCHEMA_VERSION,
               "one migration per schema version");

static sd_status migrate(jnl_db *j, sd_error *err)
{
	int v;
	if (user_version(j, &v) != SQLITE_OK)
		return db_error(j, err);
	if (v > JNL_SCHEMA_VERSION)
		return sd_error_set(
		    err, SD_ERR_FORMAT,
		    _("the case journal %s was written by a newer syncdoctor (schema "
		      "%d; this one knows %d)"),
		    j->path, v, JNL_SCHEMA_VERSION);
	if (v == JNL_SCHEMA_VERSION)
		return SD_OK;
	/* IMMEDIATE: a second process waits here, then sees the new version. */
	if (exec(j, "BEGIN IMMEDIATE") != SQLITE_OK)
		return db_error(j, err);
	if (user_version(j, &v) != SQLITE_OK)
		goto fail;
	for (; v < JNL_SCHEMA_VERSION; v++)
		if (exec(j, migrations[v]) != SQLITE_OK)
			goto fail;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", JNL_SCHEMA_VERSION);
	if (exec(j, sql) != SQLITE_OK || exec(j, "COMMIT") != SQLITE_OK)
		goto fail;
	return SD_OK;
fail:;
	sd_status st = db_error(j, err);
	exec(j, "ROLLBACK");
	return st;
}

/* Reading only (history, bundles): opened read-only, so a full or
 * read-only disk does not hide past checks. NULL when that cannot be done
 * (an older schema must be migrated first). */
static jnl_db *open_read_only(const char *path)
{
	jnl_db *j = xcalloc(1, sizeof *j);
	j->path = xstrdup(path);
	int v = -1;
	if (sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(j->db, JNL_BUSY_MS);
		if (user_version(j, &v) != SQLITE_OK)
			v = -1;
	}
	if (v == JNL_SCHEMA_VERSION)
		return j;
	jnl_close(j);
	return NULL;
}

/* After a commit: once the WAL holds JNL_WAL_FRAMES pages, checkpoint it
 * and cut it to nothing. SQLite's own automatic checkpoint (at 1,000
 * pages) never empties the file, and every run rebuilds the WAL's index
 * from the whole file, sees none of it checkpointed, and copied it all
 * again with three flushes at every commit once it had grown past 1,000
 * pages (bench/RESULTS.md, 2026-12-06): a few checks' worth is read at each
 * opening instead. Never waits: another run reading the journal makes it
 * wait for a later commit. */
#define JNL_WAL_FRAMES 256
static int wal_hook(void *ud, sqlite3 *db, const char *name, int frames)
{
	(void)ud;
	if (frames >= JNL_WAL_FRAMES) {
		sqlite3_busy_timeout(db, 0);
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		sqlite3_busy_timeout(db, JNL_BUSY_MS);
	}
	return SQLITE_OK;
}

sd_status jnl_open(const char *path, bool create, jnl_db **out, sd_error *err)
{
	*out = NULL;
	struct stat sb;
	if (!create && stat(path, &sb) != 0)
		return sd_error_errno(err, errno, path, _("cannot open the case journal"));
	if (!create && (*out = open_read_only(path)) != NULL)
		return SD_OK;
	if (create && io_is_read(path))
		return sd_error_set(err, SD_ERR_USAGE,
		                    _("%s is read by this run: syncdoctor never writes to a file "
		                      "it reads, so the case journal is not kept there"),
		                    path);
	if (create && !make_parent_dirs(path))
		return sd_error_errno(err, errno, path, _("cannot make the case journal's folder"));
	jnl_db *j = xcalloc(1, sizeof *j);
	j->path = xstrdup(path);
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	sd_status st = SD_OK;
	if (sqlite3_open_v2(path, &j->db, flags, NULL) != SQLITE_OK) {
		st = db_error(j, err);
		goto fail;
	}
	sqlite3_busy_timeout(j->db, JNL_BUSY_MS);
	/* Private: it names files of other people's projects (WAL files copy
	 * the database's mode). */
	if (create && stat(path, &sb) == 0 && (sb.st_mode & 077))
		chmod(path, sb.st_mode & 0700);
	/* Reading the version is the first real access: a file that is not a
	 * database fails here. */
	int v;
	if (user_version(j, &v) != SQLITE_OK) {
		st = db_error(j, err);
		goto fail;
	}
	if (v <= JNL_SCHEMA_VERSION) {
		/* WAL: readers never block the writer; a crash loses at most the
		 * last transaction, never the file. Switching to it needs the
		 * file to itself, and SQLite answers BUSY at once (no busy
		 * handler) while a second run is opening it too: try again. */
		int rc = SQLITE_BUSY;
		for (int tries = 0;
		     tries < JNL_BUSY_MS / 10 && (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
		     tries++) {
			sqlite3_stmt *s;
			if (sqlite3_prepare_v2(j->db, "PRAGMA journal_mode=WAL", -1, &s, NULL) !=
			    SQLITE_OK) {
				rc = sqlite3_errcode(j->db);
				if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
					sqlite3_sleep(10);
					continue;
				}
				st = db_error(j, err);
				goto fail;
			}
			rc = sqlite3_step(s);
			sqlite3_finalize(s);
			if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
				sqlite3_sleep(10);
		}
		if (rc != SQLITE_ROW && sqlite3_db_readonly(j->db, "main") != 1) {
			st = db_error(j, err);
			goto fail;
		}
		/* Durable against a crash of the program (the WAL holds every
		 * committed transaction); a power cut or a crash of the system may
		 * lose the last few checks, never the journal. What it saves is
		 * the flush at each commit, and, with no checkpoint when the last
		 * run closes it, the four fdatasync() a checkpoint costs: a check
		 * of a small file spent most of its time there on a slow SD card.
		 * The -wal and -shm files then stay beside the journal, and a
		 * later commit checkpoints once the WAL reaches JNL_WAL_FRAMES
		 * pages (wal_hook). */
		exec(j, "PRAGMA synchronous=NORMAL");
		sqlite3_db_config(j->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		sqlite3_wal_hook(j->db, wal_hook, NULL);
	}
	if ((st = migrate(j, err)) != SD_OK)
		goto fail;
	*out = j;
	return SD_OK;
fail:
	jnl_close(j);
	return st;
}

void jnl_close(jnl_db *j)
{
	if (!j)
		return;
	sqlite3_close(j->db);
	free(j->path);
	free(j);
}

sd_status jnl_fingerprint(const char *path, const sd_progress *prog, char out[KEYS_HEX_SIZE],
                          sd_error *err)
{
	out[0] = '\0';
	sd_input *in;
	sd_status st = sdin_open(path, &in, err);
	if (st != SD_OK)
		return st;
	st = sdin_hash_finish(in, prog, out, err);
	sdin_close(in);
	return st;
}

/* The path as it will be compared later: absolute, symlinks resolved when
 * it exists. */
static char *abs_path(const char *p)
{
	char *r = realpath(p, NULL);
	if (r)
		return r;
	if (p[0] == '/')
		return xstrdup(p);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
}

/* Long strings are cut (at a UTF-8 boundary) with a mark saying how long
 * they were: a configuration with a 10 MB name must not make a 10 MB row. */
static void bind_text_cut(sqlite3_stmt *s, int i, const char *v);

/* Every key this process read is masked before it is stored: the journal
 * is shown later by runs that never read that key. */
static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	char *m = v ? keys_mask(v) : NULL;
	bind_text_cut(s, i, m);
	free(m);
}

static void bind_text_cut(sqlite3_stmt *s, int i, const char *v)
{
	size_t len = v ? strlen(v) : 0;
	if (!len) {
		sqlite3_bind_null(s, i);
	} else if (len <= JNL_MAX_TEXT) {
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	} else {
		size_t cut = JNL_MAX_TEXT;
		while (cut > 0 && ((unsigned char)v[cut] & 0xc0) == 0x80)
			cut--;
		char *t = xasprintf("%.*s[... %zu bytes in all]", (int)cut, v, len);
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
		free(t);
	}
}

static char *finding_place(const finding *f)
{
	strbuf b = SB_INIT;
	if (f->member)
		sb_printf(&b, "%smember=%s", b.len ? " " : "", f->member);
	if (f->inner)
		sb_printf(&b, "%sinner=%s", b.len ? " " : "", f->inner);
	if (f->feed >= 0)
		sb_printf(&b, "%sfeed=%d", b.len ? " " : "", f->feed);
	if (f->block >= 0)
		sb_printf(&b, "%sblock=%lld", b.len ? " " : "", (long long)f->block);
	if (f->offset >= 0)
		sb_printf(&b, "%soffset=%lld", b.len ? " " : "", (long long)f->offset);
	if (f->observation)
		sb_printf(&b, "%sobservation=%s", b.len ? " " : "", f->observation);
	if (f->media)
		sb_printf(&b, "%smedia=%s", b.len ? " " : "", f->media);
	return b.len ? sb_take(&b) : NULL;
}

static int64_t now_or(int64_t t) { return t ? t : (int64_t)time(NULL); }

sd_status jnl_record_report(jnl_db *j, const sd_report *r, const sd_progress *prog, char *fp,
                            int64_t *id, sd_error *err)
{
	char own[KEYS_HEX_SIZE] = "";
	if (!fp)
		fp = own;
	fp[0] = '\0';
	/* The check's own read gave the fingerprint; --quick reads too little of
	 * the file for one, and is recorded by its path only. */
	if (r->fingerprint[0])
		memcpy(fp, r->fingerprint, KEYS_HEX_SIZE);
	else if (!r->is_database && !r->quick && r->verdict != VERDICT_UNREADABLE &&
	         jnl_fingerprint(r->file, prog, fp, NULL) != SD_OK)
		fp[0] = '\0';
	return jnl_record_check(j, r, fp, 0, id, err);
}

/* The checks row of r (path: its absolute path); its id into *cid. */
static int insert_check(jnl_db *j, const sd_report *r, const char *fingerprint, int64_t when_time,
                        const char *path, int64_t *cid)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(
	    j->db,
	    "INSERT INTO checks(time, path, size, fingerprint, era, verdict, discovery_key,"
	    " config_path, config_name, config_version, config_discovery_key, config_footer,"
	    " config_match, tool_version) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, now_or(when_time));
	bind_text(s, 2, path);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->size);
	bind_text(s, 4, fingerprint);
	bind_text(s, 5, r->era);
	bind_text(s, 6, check_verdict_name(r->verdict));
	bind_text(s, 7, r->has_discovery_key ? r->discovery_key : NULL);
	if (r->config_used) {
		char *cp = r->config_path ? abs_path(r->config_path) : NULL;
		bind_text(s, 8, cp);
		free(cp);
		bind_text(s, 9, r->config_name);
		bind_text(s, 10, r->config_version);
		bind_text(s, 11, r->config_has_key ? r->config_discovery_key : NULL);
		bind_text(s, 12, r->config_footer);
		sqlite3_bind_int(s, 13, r->config_match);
	}
	bind_text(s, 14, PACKAGE_VERSION);
	rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	sqlite3_finalize(s);
	*cid = sqlite3_last_insert_rowid(j->db);
	return rc;
}

/* One findings row through s (the INSERT of insert_findings). */
static bool insert_finding(sqlite3_stmt *s, int64_t cid, const char *code, const char *severity,
                           const char *message, const char *step, const char *place)
{
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, cid);
	bind_text(s, 2, code);
	bind_text(s, 3, severity);
	bind_text(s, 4, message);
	bind_text(s, 5, step);
	bind_text(s, 6, place);
	return sqlite3_step(s) == SQLITE_DONE;
}

/* Per check, the first JNL_MAX_PER_CODE findings of each code, then one row
 * a code saying how many more there were (in the order the codes first
 * came): a file with 100,000 damaged members is remembered in a few KiB. */
static int insert_findings(jnl_db *j, const sd_report *r, int64_t cid)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(j->db,
	                            "INSERT INTO findings(check_id, code, severity, message, step,"
	                            " place) VALUES(?,?,?,?,?,?)",
	                            -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	size_t seen[FND_COUNT] = {0}, left = 0, n_order = 0;
	fnd_code order[FND_COUNT];
	for (int c = 0; c < FND_COUNT; c++) {
		size_t k = fnd_count_code(&r->findings, (fnd_code)c);
		left += k < JNL_MAX_PER_CODE ? k : JNL_MAX_PER_CODE;
	}
	/* once those rows are written, the rest of the list (150,000 photos no
	 * observation names) is only counted, not read */
	bool ok = true;
	for (size_t i = 0, nf = fnd_n(&r->findings); i < nf && left && ok; i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (!seen[f->id]++)
			order[n_order++] = f->id;
		if (seen[f->id] > JNL_MAX_PER_CODE)
			continue;
		left--;
		/* a key copied into a name is never stored whole either */
		char *raw = finding_place(f);
		char *place = raw ? keys_mask_hex(raw) : NULL;
		char *msg = keys_mask_hex(f->message);
		ok = insert_finding(s, cid, f->code, fnd_severity_name(f->severity), msg,
		                    fnd_step_name(f->step), place);
		free(raw), free(place), free(msg);
	}
	for (size_t c = 0; c < n_order && ok; c++) {
		size_t total = fnd_count_code(&r->findings, order[c]);
		if (total <= JNL_MAX_PER_CODE)
			continue;
		char *m = xasprintf(P_("... and %lld more finding of this kind",
		                       "... and %lld more findings of this kind",
		                       total - JNL_MAX_PER_CODE),
		                    (long long)(total - JNL_MAX_PER_CODE));
		ok = insert_finding(s, cid, fnd_info(order[c])->code, NULL, m, NULL, NULL);
		free(m);
	}
	sqlite3_finalize(s);
	return ok ? SQLITE_OK : SQLITE_ERROR;
}

sd_status jnl_record_check(jnl_db *j, const sd_report *r, const char *fingerprint,
                           int64_t when_time, int64_t *id, sd_error *err)
{
	if (exec(j, "BEGIN IMMEDIATE") != SQLITE_OK)
		return db_error(j, err);
	char *path = abs_path(r->file);
	int64_t cid = 0;
	if (insert_check(j, r, fingerprint, when_time, path, &cid) != SQLITE_OK ||
	    insert_findings(j, r, cid) != SQLITE_OK || exec(j, "COMMIT") != SQLITE_OK) {
		sd_status st = db_error(j, err);
		exec(j, "ROLLBACK");
		free(path);
		return st;
	}
	free(path);
	if (id)
		*id = cid;
	return SD_OK;
}

sd_status jnl_record_rebuild(jnl_db *j, const jnl_rebuild *rb, int64_t *id, sd_error *err)
{
	if (exec(j, "BEGIN IMMEDIATE") != SQLITE_OK)
		return db_error(j, err);
	sqlite3_stmt *s = NULL;
	char *in = rb->input ? abs_path(rb->input) : NULL;
	char *out = rb->output ? abs_path(rb->output) : NULL;
	int rc =
	    sqlite3_prepare_v2(j->db,
	                       "INSERT INTO rebuilds(time, input, input_fingerprint, output,"
	                       " output_fingerprint, mode, outcome, discovery_key, tool_version)"
	                       " VALUES(?,?,?,?,?,?,?,?,?)",
	                       -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, now_or(rb->time));
	bind_text(s, 2, in);
	bind_text(s, 3, rb->input_fingerprint);
	bind_text(s, 4, out);
	bind_text(s, 5, rb->output_fingerprint);
	bind_text(s, 6, rb->mode);
	bind_text(s, 7, rb->outcome);
	if (rb->discovery_key)
		sqlite3_bind_text(s, 8, rb->discovery_key, -1, SQLITE_TRANSIENT);
	bind_text(s, 9, PACKAGE_VERSION);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	int64_t rid = sqlite3_last_insert_rowid(j->db);
	rc = sqlite3_prepare_v2(
	    j->db, "INSERT INTO rebuild_lines(rebuild_id, kind, text) VALUES(?,?,?)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	for (int k = 0; k < 2; k++) {
		char *const *v = k ? rb->changes : rb->dropped;
		size_t n = k ? rb->n_changes : rb->n_dropped;
		for (size_t i = 0; i < n && i < JNL_MAX_LINES; i++) {
			sqlite3_reset(s);
			sqlite3_bind_int64(s, 1, rid);
			sqlite3_bind_text(s, 2, k ? "change" : "dropped", -1, SQLITE_STATIC);
			if (i + 1 == JNL_MAX_LINES && n > JNL_MAX_LINES) {
				char *m = xasprintf(
				    P_("... and %zu more line", "... and %zu more lines", n - i),
				    n - i);
				bind_text(s, 3, m);
				free(m);
			} else {
				bind_text(s, 3, v[i]);
			}
			if (sqlite3_step(s) != SQLITE_DONE)
				goto fail;
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (exec(j, "COMMIT") != SQLITE_OK)
		goto fail;
	free(in);
	free(out);
	if (id)
		*id = rid;
	return SD_OK;
fail:;
	sd_status st = db_error(j, err);
	sqlite3_finalize(s);
	exec(j, "ROLLBACK");
	free(in);
	free(out);
	return st;
}

static char *col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static char *col_str0(sqlite3_stmt *s, int i)
{
	char *v = col_str(s, i);
	return v ? v : xstrdup("");
}

static void free_check(jnl_check *c)
{
	free(c->path);
	free(c->fingerprint);
	free(c->era);
	free(c->discovery_key);
	free(c->verdict);
	free(c->config_path);
	free(c->config_name);
	free(c->config_version);
	free(c->config_footer);
	for (size_t k = 0; k < c->n_findings; k++) {
		jnl_finding *f = &c->findings[k];
		free(f->code);
		free(f->step);
		free(f->severity);
		free(f->message);
		free(f->place);
	}
	free(c->findings);
}

static void free_rebuild(jnl_rebuild_row *b)
{
	free(b->input);
	free(b->input_fingerprint);
	free(b->output);
	free(b->output_fingerprint);
	free(b->mode);
	free(b->outcome);
	for (size_t k = 0; k < b->n_dropped; k++)
		free(b->dropped[k]);
	free(b->dropped);
}

/* Fills c->findings from fs (prepared on the findings of one check), at most
 * 500 of them: the cap keeps one row's memory bounded whatever the journal. */
static bool load_findings(sqlite3_stmt *fs, jnl_check *c)
{
	sqlite3_reset(fs);
	sqlite3_bind_int64(fs, 1, c->id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(fs)) == SQLITE_ROW) {
		SD_GROW(c->findings, cap, c->n_findings + 1);
		jnl_finding *f = &c->findings[c->n_findings++];
		f->code = col_str0(fs, 0);
		f->step = col_str(fs, 1);
		f->severity = col_str(fs, 2);
		f->message = col_str(fs, 3);
		f->place = col_str(fs, 4);
	}
	return rc == SQLITE_DONE;
}

/* The WHERE clause shared by the walk and the summary: ?1 fingerprint, ?2
 * absolute path, ?3 limit. */
#define CHECKS_WHERE " WHERE (fingerprint = ?1 AND ?1 <> '') OR path = ?2"
#define CHECKS_ORDER " ORDER BY time DESC, id DESC LIMIT ?3"

static void bind_selection(sqlite3_stmt *s, bool filter, const char *fingerprint, const char *ap,
                           size_t limit)
{
	if (filter) {
		sqlite3_bind_text(s, 1, fingerprint ? fingerprint : "", -1, SQLITE_TRANSIENT);
		bind_text(s, 2, ap);
	}
	sqlite3_bind_int64(s, 3, limit ? (sqlite3_int64)limit : -1);
}

/* One row of s (with its lines from sub) handed to the callback: false when
 * sub failed; *st is the callback's status. */
typedef bool walk_row_fn(sqlite3_stmt *s, sqlite3_stmt *sub, const jnl_walk_fns *fns, void *ctx,
                         sd_status *st);

static bool check_row(sqlite3_stmt *s, sqlite3_stmt *sub, const jnl_walk_fns *fns, void *ctx,
                      sd_status *st)
{
	jnl_check c = {0};
	c.id = sqlite3_column_int64(s, 0);
	c.time = sqlite3_column_int64(s, 1);
	c.path = col_str0(s, 2);
	c.size = (uint64_t)sqlite3_column_int64(s, 3);
	c.fingerprint = col_str0(s, 4);
	c.era = col_str0(s, 5);
	c.discovery_key = col_str0(s, 6);
	c.verdict = col_str0(s, 7);
	c.config_path = col_str(s, 8);
	c.config_name = col_str(s, 9);
	c.config_version = col_str(s, 10);
	c.config_footer = col_str(s, 11);
	c.config_match = sqlite3_column_type(s, 12) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 12);
	bool ok = load_findings(sub, &c);
	if (ok)
		*st = fns->check(ctx, &c);
	free_check(&c);
	return ok;
}

static bool rebuild_row(sqlite3_stmt *s, sqlite3_stmt *sub, const jnl_walk_fns *fns, void *ctx,
                        sd_status *st)
{
	jnl_rebuild_row b = {0};
	b.id = sqlite3_column_int64(s, 0);
	b.time = sqlite3_column_int64(s, 1);
	b.input = col_str0(s, 2);
	b.input_fingerprint = col_str0(s, 3);
	b.output = col_str0(s, 4);
	b.output_fingerprint = col_str0(s, 5);
	b.mode = col_str0(s, 6);
	b.outcome = col_str0(s, 7);
	sqlite3_reset(sub);
	sqlite3_bind_int64(sub, 1, b.id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(sub)) == SQLITE_ROW) {
		SD_GROW(b.dropped, cap, b.n_dropped + 1);
		b.dropped[b.n_dropped++] = col_str0(sub, 0);
	}
	if (rc == SQLITE_DONE)
		*st = fns->rebuild(ctx, &b);
	free_rebuild(&b);
	return rc == SQLITE_DONE;
}

/* One row at a time (sqlite3_step), handed over and freed before the next:
 * memory stays that of one row whatever the journal holds. */
static sd_status walk_table(jnl_db *j, const char *sql, const char *sub_sql, bool filter,
                            const char *fingerprint, const char *ap, size_t limit, walk_row_fn *row,
                            const jnl_walk_fns *fns, void *ctx, sd_error *err)
{
	sqlite3_stmt *s = NULL, *sub = NULL;
	sd_status st = SD_OK;
	int rc = SQLITE_ERROR;
	if (sqlite3_prepare_v2(j->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(j->db, sub_sql, -1, &sub, NULL) == SQLITE_OK) {
		bind_selection(s, filter, fingerprint, ap, limit);
		while (st == SD_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
			if (!row(s, sub, fns, ctx, &st)) {
				rc = SQLITE_ERROR;
				break;
			}
	}
	if (st == SD_OK && rc != SQLITE_DONE)
		st = db_error(j, err);
	sqlite3_finalize(s);
	sqlite3_finalize(sub);
	return st;
}

sd_status jnl_walk(jnl_db *j, const char *path, const char *fingerprint, size_t limit,
                   const jnl_walk_fns *fns, void *ctx, sd_error *err)
{
	bool filter = (path && *path) || (fingerprint && *fingerprint);
	char *ap = path && *path ? abs_path(path) : NULL;
	char sql[512];
	sd_status st = SD_OK;
	if (fns->check) {
		snprintf(sql, sizeof sql,
		         "SELECT id, time, path, size, fingerprint, era, discovery_key, verdict,"
		         " config_path, config_name, config_version, config_footer, config_match"
		         " FROM checks%s" CHECKS_ORDER,
		         filter ? CHECKS_WHERE : "");
		st = walk_table(j, sql,
		                "SELECT code, step, severity, substr(message, 1, 2048),"
		                " substr(place, 1, 2048) FROM findings"
		                " WHERE check_id = ? ORDER BY rowid LIMIT 500",
		                filter, fingerprint, ap, limit, check_row, fns, ctx, err);
	}
	if (st == SD_OK && fns->rebuild) {
		snprintf(
		    sql, sizeof sql,
		    "SELECT id, time, input, input_fingerprint, output, output_fingerprint, mode,"
		    " outcome FROM rebuilds%s ORDER BY time DESC, id DESC LIMIT ?3",
		    filter ? " WHERE (?1 <> '' AND (input_fingerprint = ?1 OR output_fingerprint = "
		             "?1)) OR input = ?2 OR output = ?2"
		           : "");
		st = walk_table(j, sql,
		                "SELECT text FROM rebuild_lines WHERE rebuild_id = ? AND kind = "
		                "'dropped' ORDER BY rowid",
		                filter, fingerprint, ap, limit, rebuild_row, fns, ctx, err);
	}
	free(ap);
	return st;
}

/* The list collector takes each row whole, leaving the walk nothing to free. */
static sd_status collect_check(void *ctx, jnl_check *c)
{
	jnl_list *l = ctx;
	if (!(l->n_checks & (l->n_checks - 1))) /* 0, 1, 2, 4...: doubling keeps it linear */
		l->checks =
		    xreallocarray(l->checks, l->n_checks ? 2 * l->n_checks : 1, sizeof *l->checks);
	l->checks[l->n_checks++] = *c;
	memset(c, 0, sizeof *c);
	return SD_OK;
}

static sd_status collect_rebuild(void *ctx, jnl_rebuild_row *b)
{
	jnl_list *l = ctx;
	if (!(l->n_rebuilds & (l->n_rebuilds - 1))) /* 0, 1, 2, 4...: doubling keeps it linear */
		l->rebuilds = xreallocarray(l->rebuilds, l->n_rebuilds ? 2 * l->n_rebuilds : 1,
		                            sizeof *l->rebuilds);
	l->rebuilds[l->n_rebuilds++] = *b;
	memset(b, 0, sizeof *b);
	return SD_OK;
}

sd_status jnl_list_get(jnl_db *j, const char *path, const char *fingerprint, size_t limit,
                       jnl_list *out, sd_error *err)
{
	memset(out, 0, sizeof *out);
	static const jnl_walk_fns collect = {collect_check, collect_rebuild};
	sd_status st = jnl_walk(j, path, fingerprint, limit, &collect, out, err);
	if (st != SD_OK)
		jnl_list_free(out);
	return st;
}

void jnl_list_free(jnl_list *l)
{
	for (size_t i = 0; i < l->n_checks; i++)
		free_check(&l->checks[i]);
	free(l->checks);
	for (size_t i = 0; i < l->n_rebuilds; i++)
		free_rebuild(&l->rebuilds[i]);
	free(l->rebuilds);
	memset(l, 0, sizeof *l);
}

static json_t *jstr(const char *s) { return s && *s ? report_json_str(s) : json_null(); }

static json_t *jtime(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];
	if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_integer(t);
	return report_json_str(buf);
}

json_t *jnl_check_json(const jnl_check *c)
{
	json_t *jc = json_object();
	json_object_set_new(jc, "id", json_integer(c->id));
	json_object_set_new(jc, "time", jtime(c->time));
	json_object_set_new(jc, "path", report_json_str(c->path));
	json_object_set_new(jc, "size", json_integer((json_int_t)c->size));
	json_object_set_new(jc, "fingerprint", jstr(c->fingerprint));
	json_object_set_new(jc, "era", jstr(c->era));
	json_object_set_new(jc, "discovery_key", jstr(c->discovery_key));
	json_object_set_new(jc, "verdict", report_json_str(c->verdict));
	if (c->config_match >= 0) {
		json_t *cf = json_object();
		json_object_set_new(cf, "path", jstr(c->config_path));
		json_object_set_new(cf, "name", jstr(c->config_name));
		json_object_set_new(cf, "version", jstr(c->config_version));
		json_object_set_new(cf, "footer", jstr(c->config_footer));
		json_object_set_new(cf, "match", json_boolean(c->config_match));
		json_object_set_new(jc, "config", cf);
	} else {
		json_object_set_new(jc, "config", json_null());
	}
	json_t *fs = json_array();
	for (size_t k = 0; k < c->n_findings; k++) {
		const jnl_finding *f = &c->findings[k];
		json_t *jf = json_object();
		json_object_set_new(jf, "code", report_json_str(f->code));
		json_object_set_new(jf, "step", jstr(f->step));
		json_object_set_new(jf, "severity", jstr(f->severity));
		/* (a journal of an older syncdoctor may hold one) */
		char *m = f->message ? keys_mask_hex(f->message) : NULL;
		char *pl = f->place ? keys_mask_hex(f->place) : NULL;
		json_object_set_new(jf, "message", jstr(m));
		json_object_set_new(jf, "place", jstr(pl));
		free(m), free(pl);
		json_array_append_new(fs, jf);
	}
	json_object_set_new(jc, "findings", fs);
	return jc;
}

json_t *jnl_rebuild_json(const jnl_rebuild_row *b)
{
	json_t *jb = json_object(), *d = json_array();
	json_object_set_new(jb, "id", json_integer(b->id));
	json_object_set_new(jb, "time", jtime(b->time));
	json_object_set_new(jb, "input", jstr(b->input));
	json_object_set_new(jb, "input_fingerprint", jstr(b->input_fingerprint));
	json_object_set_new(jb, "output", jstr(b->output));
	json_object_set_new(jb, "output_fingerprint", jstr(b->output_fingerprint));
	json_object_set_new(jb, "mode", jstr(b->mode));
	json_object_set_new(jb, "outcome", jstr(b->outcome));
	for (size_t k = 0; k < b->n_dropped; k++)
		json_array_append_new(d, report_json_str(b->dropped[k]));
	json_object_set_new(jb, "dropped", d);
	return jb;
}

json_t *jnl_list_json(const jnl_list *l)
{
	json_t *o = json_object(), *checks = json_array(), *rebuilds = json_array();
	for (size_t i = 0; i < l->n_checks; i++)
		json_array_append_new(checks, jnl_check_json(&l->checks[i]));
	for (size_t i = 0; i < l->n_rebuilds; i++)
		json_array_append_new(rebuilds, jnl_rebuild_json(&l->rebuilds[i]));
	json_object_set_new(o, "checks", checks);
	json_object_set_new(o, "rebuilds", rebuilds);
	return o;
}

static bool str_in(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

void jnl_summarize(const jnl_list *l, jnl_summary *s)
{
	memset(s, 0, sizeof *s);
	s->n_checks = l->n_checks;
	if (!l->n_checks)
		return;
	s->last_time = l->checks[0].time;
	s->first_time = l->checks[l->n_checks - 1].time;
	s->last_verdict = l->checks[0].verdict;
	char **fps = xcalloc(l->n_checks, sizeof *fps),
	     **paths = xcalloc(l->n_checks, sizeof *paths);
	for (size_t i = l->n_checks; i-- > 0;) {
		const jnl_check *c = &l->checks[i];
		if (!s->first_healthy && !strcmp(c->verdict, "ok"))
			s->first_healthy = c->time;
		if (c->fingerprint[0] && !str_in(fps, s->n_fingerprints, c->fingerprint))
			fps[s->n_fingerprints++] = c->fingerprint;
		if (!str_in(paths, s->n_paths, c->path))
			paths[s->n_paths++] = c->path;
	}
	for (size_t i = 0; i < l->n_checks && strcmp(l->checks[i].verdict, "ok") != 0; i++)
		s->damaged_since = l->checks[i].time;
	free(fps);
	free(paths);
}

sd_status jnl_summary_get(jnl_db *j, const char *path, const char *fingerprint, size_t limit,
                          jnl_summary *out, sd_error *err)
{
	memset(out, 0, sizeof *out);
	bool filter = (path && *path) || (fingerprint && *fingerprint);
	char *ap = path && *path ? abs_path(path) : NULL;
	char sql[1400];
	/* The same selection as jnl_walk(), folded by SQLite: nothing grows here
	 * with the number of checks. damaged_since: the oldest check newer than
	 * the newest healthy one (all of them when none was healthy). */
	snprintf(sql, sizeof sql,
	         "WITH c AS (SELECT id, time, verdict, fingerprint, path FROM checks%s" CHECKS_ORDER
	         "), ok AS (SELECT time, id FROM c WHERE verdict = 'ok'"
	         " ORDER BY time DESC, id DESC LIMIT 1)"
	         " SELECT count(*), min(time), max(time),"
	         " (SELECT min(time) FROM c WHERE verdict = 'ok'),"
	         " (SELECT min(time) FROM c WHERE NOT EXISTS (SELECT 1 FROM ok)"
	         "  OR time > (SELECT time FROM ok)"
	         "  OR (time = (SELECT time FROM ok) AND id > (SELECT id FROM ok))),"
	         " (SELECT coalesce(verdict, '') FROM c ORDER BY time DESC, id DESC LIMIT 1),"
	         " count(DISTINCT nullif(fingerprint, '')), count(DISTINCT coalesce(path, ''))"
	         " FROM c",
	         filter ? CHECKS_WHERE : "");
	sqlite3_stmt *s = NULL;
	sd_status st = SD_OK;
	if (sqlite3_prepare_v2(j->db, sql, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	bind_selection(s, filter, fingerprint, ap, limit);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto fail;
	out->n_checks = (size_t)sqlite3_column_int64(s, 0);
	if (out->n_checks) {
		out->first_time = sqlite3_column_int64(s, 1);
		out->last_time = sqlite3_column_int64(s, 2);
		out->first_healthy = sqlite3_column_int64(s, 3);
		out->damaged_since = sqlite3_column_int64(s, 4);
		const unsigned char *v = sqlite3_column_text(s, 5);
		snprintf(out->last_verdict_buf, sizeof out->last_verdict_buf, "%s",
		         v ? (const char *)v : "");
		out->last_verdict = out->last_verdict_buf;
		out->n_fingerprints = (size_t)sqlite3_column_int64(s, 6);
		out->n_paths = (size_t)sqlite3_column_int64(s, 7);
	}
	goto done;
fail:
	st = db_error(j, err);
done:
	sqlite3_finalize(s);
	free(ap);
	return st;
}

char *jnl_summary_text(const jnl_summary *s)
{
	if (!s->n_checks)
		return xstrdup(_("never checked."));
	strbuf b = SB_INIT;
	char d1[32], d2[32];
	sb_printf(&b, P_("checked %zu time", "checked %zu times", s->n_checks), s->n_checks);
	if (s->first_healthy) {
		human_time(s->first_healthy, d1);
		sb_printf(&b, _("; first seen without a problem on %s"), d1);
	} else {
		human_time(s->first_time, d1);
		sb_printf(&b, _("; first seen on %s, never without a problem"), d1);
	}
	if (s->damaged_since) {
		human_time(s->damaged_since, d2);
		sb_printf(&b, _(", with problems since %s"), d2);
	} else {
		human_time(s->last_time, d2);
		sb_printf(&b, _(", no problem at the last check on %s"), d2);
	}
	sb_addc(&b, '.');
	return sb_take(&b);
}

static bool report_has_code(const sd_report *r, const char *code)
{
	const fnd_code_info *ci = fnd_lookup(code);
	return ci && fnd_has(&r->findings, ci->id);
}

static bool check_has_code(const jnl_check *c, const char *code)
{
	for (size_t i = 0; i < c->n_findings; i++)
		if (!strcmp(c->findings[i].code, code))
			return true;
	return false;
}

/* Codes of a (warning or worse) finding in one side and not the other. */
static void add_code_list(strbuf *b, const char *label, char **codes, size_t n)
{
	if (!n)
		return;
	sb_printf(b, " %s ", label);
	for (size_t i = 0; i < n; i++)
		sb_printf(b, "%s%s", i ? ", " : "", codes[i]);
	sb_addc(b, '.');
}

char *jnl_seen_before(jnl_db *j, const char *path, const char *fingerprint, const sd_report *now,
                      int64_t skip_id)
{
	jnl_list l;
	if (jnl_list_get(j, path, fingerprint, 0, &l, NULL) != SD_OK)
		return NULL;
	/* Drop the check just made. */
	for (size_t i = 0; i < l.n_checks; i++)
		if (l.checks[i].id == skip_id) {
			free_check(&l.checks[i]);
			memmove(&l.checks[i], &l.checks[i + 1],
			        (l.n_checks - i - 1) * sizeof l.checks[0]);
			l.n_checks--;
			break;
		}
	if (!l.n_checks) {
		jnl_list_free(&l);
		return NULL;
	}
	strbuf b = SB_INIT;
	const jnl_check *last = &l.checks[0];
	/* the journal keeps the stable name; people read it in their language */
	const char *verdict = !strcmp(last->verdict, "ok")           ? _("no problems")
	                      : !strcmp(last->verdict, "problems")   ? _("problems found")
	                      : !strcmp(last->verdict, "unreadable") ? _("could not be read")
	                                                             : last->verdict;
	char d1[32], d2[32];
	human_time(l.checks[l.n_checks - 1].time, d1);
	human_time(last->time, d2);
	if (l.n_checks == 1)
		sb_printf(&b, _("This file was checked once before, on %s (verdict: %s)."), d2,
		          verdict);
	else
		sb_printf(&b,
		          P_("This file was checked %zu time before, first on %s and last on %s "
		             "(verdict: %s).",
		             "This file was checked %zu times before, first on %s and last on %s "
		             "(verdict: %s).",
		             l.n_checks),
		          l.n_checks, d1, d2, verdict);
	char *ap = path ? abs_path(path) : NULL;
	if (fingerprint && *fingerprint && last->fingerprint[0]) {
		if (!strcmp(last->fingerprint, fingerprint))
			sb_add(&b,
			       _(" Its content has not changed since then (same fingerprint)."));
		else
			sb_add(&b,
			       _(" Its content has changed since then (different fingerprint)."));
	}
	if (ap && strcmp(last->path, ap) != 0) {
		char *esc = xstrdup(last->path);
		for (char *p = esc; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		sb_printf(&b, _(" It was then at %s."), esc);
		free(esc);
	}
	if (now) {
		/* codes, each once: at most the catalogue */
		char **added = xcalloc(FND_COUNT + 1, sizeof *added);
		char **gone = xcalloc(last->n_findings + 1, sizeof *gone);
		size_t na = 0, ng = 0;
		for (size_t i = 0; i < fnd_n(&now->findings); i++) {
			const finding *f = fnd_at(&now->findings, i);
			if (f->severity >= SEV_WARNING && !check_has_code(last, f->code) &&
			    !str_in(added, na, f->code))
				added[na++] = (char *)f->code;
		}
		for (size_t i = 0; i < last->n_findings; i++) {
			const jnl_finding *f = &last->findings[i];
			if (f->severity && strcmp(f->severity, "info") != 0 &&
			    !report_has_code(now, f->code) && !str_in(gone, ng, f->code))
				gone[ng++] = f->code;
		}
		if (!na && !ng)
			sb_add(&b, strcmp(last->verdict, "ok") == 0
			               ? _(" Nothing has changed in what syncdoctor finds.")
			               : _(" The same problems were found then."));
		add_code_list(&b, _("New since then:"), added, na);
		add_code_list(&b, _("Gone since then:"), gone, ng);
		free(added);
		free(gone);
	}
	free(ap);
	jnl_list_free(&l);
	return sb_take(&b);
}

sd_status jnl_record_plan(jnl_db *j, const struct rebuild_plan *p, const char *output, bool salvage,
                          const char *error, const sd_progress *prog, sd_error *err)
{
	/* The plan's check fingerprinted the input as it read it, and the
	 * write the output as it wrote it (read back behind the writer):
	 * hashing them again would read both a second time (a third of a
	 * rebuild's time). */
	char in_fp[KEYS_HEX_SIZE] = "", out_fp[KEYS_HEX_SIZE] = "";
	if (p->input_fingerprint[0])
		memcpy(in_fp, p->input_fingerprint, sizeof in_fp);
	else
		jnl_fingerprint(p->input, prog, in_fp, NULL);
	if (!error && p->output_fingerprint[0])
		memcpy(out_fp, p->output_fingerprint, sizeof out_fp);
	else if (!error)
		jnl_fingerprint(output, prog, out_fp, NULL);
	jnl_rebuild rb = {
	    .input = p->input,
	    .input_fingerprint = in_fp,
	    .output = output,
	    .output_fingerprint = error ? NULL : out_fp,
	    .mode = salvage ? "salvage" : "repair",
	    .outcome = error ? error : "written",
	    .discovery_key = p->discovery_key,
	};
	/* the plan's own lines and each feed's */
	char **dropped = rebuild_plan_lines(p, false, &rb.n_dropped);
	char **changes = rebuild_plan_lines(p, true, &rb.n_changes);
	rb.dropped = dropped, rb.changes = changes;
	sd_status st = jnl_record_rebuild(j, &rb, NULL, err);
	free(dropped), free(changes);
	return st;
}
