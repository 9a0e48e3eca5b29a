/* The case journal, the configuration file and bundle redaction: rows after
 * a real check and rebuild, the history summary, migration from schema 1,
 * two writers at once, and journals that cannot be used. */
#include "config.h"

#include <malloc.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "diagnosis.h"
#include "io.h"
#include "journal.h"
#include "keys.h"
#include "rebuild.h"
#include "testutil.h"
#include "userconf.h"

static jnl_db *open_new(char **dir_out, char **path_out)
{
	char *dir = sd_test_tmpdir();
	char *path = xasprintf("%s/state/syncdoctor/journal.sqlite", dir);
	jnl_db *j = NULL;
	sd_error err;
	ck_assert_msg(jnl_open(path, true, &j, &err) == SD_OK, "%s", err.msg);
	*dir_out = dir;
	*path_out = path;
	return j;
}

static int64_t count(const char *path, const char *sql)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *s;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql,
	              sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

START_TEST(check_rows_and_fingerprint)
{
	char *dir, *path;
	jnl_db *j = open_new(&dir, &path);
	char *file = xstrdup(sd_test_data("good-project-A.mapeodata"));
	check_options co = {0};
	char *cfg = xstrdup(sd_test_data("config-B.mapeosettings"));
	co.config_path = cfg;
	sd_report *r = NULL;
	sd_error err;
	ck_assert_int_eq(check_run(file, &co, NULL, &r, &err), SD_OK);
	ck_assert_int_eq(r->verdict, VERDICT_PROBLEMS);
	char fp[KEYS_HEX_SIZE];
	ck_assert_int_eq(jnl_fingerprint(file, NULL, fp, &err), SD_OK);
	/* The same as BLAKE2b-256 over the whole file at once. */
	size_t len;
	uint8_t *data = sd_test_slurp(file, &len);
	uint8_t h[32];
	crypto_generichash(h, 32, data, len, NULL, 0);
	char hex[KEYS_HEX_SIZE];
	keys_hex(h, 32, hex);
	ck_assert_str_eq(fp, hex);
	free(data);
	/* The check's own read gives the same fingerprint (no second read);
	 * --quick reads too little for one. */
	sd_report *rf = NULL;
	co.fingerprint = true;
	ck_assert_int_eq(check_run(file, &co, NULL, &rf, &err), SD_OK);
	ck_assert_str_eq(rf->fingerprint, hex);
	ck_assert_uint_eq(fnd_n(&rf->findings), fnd_n(&r->findings));
	for (size_t i = 0; i < fnd_n(&r->findings); i++)
		ck_assert_str_eq(fnd_at(&rf->findings, i)->message,
		                 fnd_at(&r->findings, i)->message);
	report_free(rf);
	co.quick = true;
	ck_assert_int_eq(check_run(file, &co, NULL, &rf, &err), SD_OK);
	ck_assert_str_eq(rf->fingerprint, "");
	ck_assert(rf->quick);
	report_free(rf);
	co.quick = co.fingerprint = false;

	int64_t id = 0;
	ck_assert_int_eq(jnl_record_check(j, r, fp, 0, &id, &err), SD_OK);
	ck_assert_int_gt(id, 0);
	jnl_list l;
	ck_assert_int_eq(jnl_list_get(j, file, NULL, 0, &l, &err), SD_OK);
	ck_assert_uint_eq(l.n_checks, 1);
	const jnl_check *c = &l.checks[0];
	ck_assert_str_eq(c->verdict, "problems");
	ck_assert_str_eq(c->era, "kappa-osm-v2");
	ck_assert_str_eq(c->fingerprint, fp);
	ck_assert_str_eq(c->discovery_key, r->discovery_key);
	ck_assert_uint_eq(c->size, r->size);
	ck_assert_int_eq(c->config_match, 0);
	ck_assert_str_eq(c->config_name, "Proyecto B");
	ck_assert_str_eq(c->config_footer, r->config_footer);
	ck_assert_uint_eq(c->n_findings, fnd_n(&r->findings));
	for (size_t i = 0; i < fnd_n(&r->findings); i++)
		ck_assert_str_eq(c->findings[i].code, fnd_at(&r->findings, i)->code);
	ck_assert_uint_eq(count(path, "SELECT count(*) FROM findings"), fnd_n(&r->findings));
	/* By fingerprint alone (the file moved) it is found too. */
	jnl_list_free(&l);
	ck_assert_int_eq(jnl_list_get(j, "/elsewhere/renamed.mapeodata", fp, 0, &l, &err), SD_OK);
	ck_assert_uint_eq(l.n_checks, 1);
	jnl_list_free(&l);
	/* The journal never holds a projectKey: config-B's key is not in it. */
	ck_assert_int_eq(count(path, "SELECT count(*) FROM checks WHERE config_discovery_key LIKE "
	                             "'7cf227dd%' OR config_footer LIKE '7cf227dd%'"),
	                 0);
	report_free(r);
	jnl_close(j);
	free(file);
	free(cfg);
	free(dir);
	free(path);
}
END_TEST

/* What both front ends record: a file with its fingerprint, a database
 * folder without one. */
START_TEST(a_report_is_recorded_with_its_fingerprint)
{
	char *dir, *path;
	jnl_db *j = open_new(&dir, &path);
	check_options co = {.no_auto_config = true, .no_local_mapeo = true, .fingerprint = true};
	sd_report *r = NULL;
	sd_error err;
	char *file = xstrdup(sd_test_data("good-no-key.mapeodata"));
	ck_assert_int_eq(check_run(file, &co, NULL, &r, &err), SD_OK);
	char fp[KEYS_HEX_SIZE], want[KEYS_HEX_SIZE];
	int64_t id = 0;
	ck_assert_int_eq(jnl_record_report(j, r, NULL, fp, &id, &err), SD_OK);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(jnl_fingerprint(file, NULL, want, &err), SD_OK);
	ck_assert_str_eq(fp, want);
	report_free(r);
	char *db = xstrdup(sd_test_data("desktop-userdata-A"));
	ck_assert_int_eq(check_run(db, &co, NULL, &r, &err), SD_OK);
	ck_assert(r->is_database);
	ck_assert_int_eq(jnl_record_report(j, r, NULL, fp, &id, &err), SD_OK);
	ck_assert_str_eq(fp, "");
	ck_assert_int_eq(count(path, "SELECT count(*) FROM checks WHERE fingerprint IS NULL OR "
	                             "fingerprint = ''"),
	                 1);
	report_free(r);
	jnl_close(j);
	free(db);
	free(file);
	free(dir);
	free(path);
}
END_TEST

/* A fingerprint case: hashing in line (thread 0) or in the hashing thread
 * (1); a new folder *dir holding *file, size patterned bytes, whose
 * BLAKE2b-256 goes into hex. The bytes and both names are the caller's. */
static uint8_t *pattern_file(int thread, const char *name, size_t size, char **dir, char **file,
                             char hex[KEYS_HEX_SIZE])
{
	setenv("SYNCDOCTOR_HASH_THREAD", thread ? "1" : "0", 1);
	*dir = sd_test_tmpdir();
	*file = xasprintf("%s/%s", *dir, name);
	const char *path = *file;
	uint8_t *data = xmalloc(size);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, size, f), size);
	fclose(f);
	uint8_t h[32];
	crypto_generichash(h, 32, data, size, NULL, 0);
	keys_hex(h, 32, hex);
	return data;
}

/* Reads in any order (forward jumps short and long, backward, read-ahead)
 * still give the whole file's fingerprint, each byte read about once:
 * hashed in line (_i 0) and by the hashing thread (_i 1, io.c). */
START_TEST(fingerprint_from_scattered_reads)
{
	char *dir, *file, hex[KEYS_HEX_SIZE];
	size_t size = (20u << 20) + 12345;
	uint8_t *data = pattern_file(_i, "big.bin", size, &dir, &file, hex);
	sd_input *in;
	sd_error err;
	ck_assert_int_eq(sdin_open(file, &in, &err), SD_OK);
	sdin_hash_start(in);
	uint8_t buf[4096];
	static const uint64_t at[] = {0,    512,  100,         9000,  9100,
	                              9200, 9300, (12u << 20), 70000, 80000};
	for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
		ck_assert_int_eq(sdin_read_exact(in, buf, sizeof buf, at[i], &err), SD_OK);
		ck_assert(!memcmp(buf, data + at[i], sizeof buf));
	}
	char out[KEYS_HEX_SIZE];
	ck_assert_int_eq(sdin_hash_finish(in, NULL, out, &err), SD_OK);
	ck_assert_str_eq(out, hex);
	/* the gaps were read once, not the whole file twice */
	ck_assert_uint_lt(sdin_bytes_read(in), size + (1u << 20));
	sdin_close(in);
	unlink(file);
	free(file);
	free(data);
	free(dir);
}
END_TEST

/* An interrupted fingerprint stops and its thread is joined, whether the
 * interrupt comes at the finish or the input is closed half hashed; a
 * second start begins again. Leaks or a thread left running show under
 * ASan and in the result. */
START_TEST(fingerprint_interrupted)
{
	char *dir, *file, hex[KEYS_HEX_SIZE];
	size_t size = (3u << 20) + 777;
	uint8_t *data = pattern_file(_i, "mid.bin", size, &dir, &file, hex);
	uint8_t *buf = xmalloc(1u << 20);
	sd_input *in;
	sd_error err;
	char out[KEYS_HEX_SIZE];
	volatile sig_atomic_t stop = 1;
	sd_progress prog = {NULL, NULL, &stop};
	ck_assert_int_eq(sdin_open(file, &in, &err), SD_OK);
	sdin_hash_start(in);
	ck_assert_int_eq(sdin_read_exact(in, buf, 1u << 20, 0, &err), SD_OK);
	ck_assert_int_eq(sdin_hash_finish(in, &prog, out, &err), SD_ERR_CANCELLED);
	ck_assert_str_eq(out, "");
	/* started again, then closed half way */
	sdin_hash_start(in);
	ck_assert_int_eq(sdin_read_exact(in, buf, 1u << 20, 0, &err), SD_OK);
	sdin_hash_start(in);
	ck_assert_int_eq(sdin_read_exact(in, buf, 1u << 20, 1u << 20, &err), SD_OK);
	sdin_close(in);
	/* and a whole run after an abandoned one gives the right digest */
	ck_assert_int_eq(sdin_open(file, &in, &err), SD_OK);
	sdin_hash_start(in);
	ck_assert_int_eq(sdin_read_exact(in, buf, 1u << 20, 0, &err), SD_OK);
	ck_assert_int_eq(sdin_hash_finish(in, NULL, out, &err), SD_OK);
	sdin_close(in);
	ck_assert_str_eq(out, hex);
	unlink(file);
	free(buf);
	free(file);
	free(data);
	free(dir);
}
END_TEST

/* A fingerprint taken of a patterned file: opened and started, with a
 * 1 MiB buffer to read into; fp_close() frees it all. */
typedef struct fp_case {
	char *dir, *file, hex[KEYS_HEX_SIZE], out[KEYS_HEX_SIZE];
	uint8_t *data, *buf;
	sd_input *in;
	sd_error err;
} fp_case;

static void fp_open(fp_case *c, const char *thread, const char *name, size_t size)
{
	c->data = pattern_file(1, name, size, &c->dir, &c->file, c->hex);
	setenv("SYNCDOCTOR_HASH_THREAD", thread, 1);
	c->buf = xmalloc(1u << 20);
	ck_assert_int_eq(sdin_open(c->file, &c->in, &c->err), SD_OK);
	sdin_hash_start(c->in);
}

static void fp_close(fp_case *c)
{
	sdin_close(c->in);
	unsetenv("SYNCDOCTOR_HASH_THREAD");
	unlink(c->file);
	free(c->buf);
	free(c->file);
	free(c->data);
	free(c->dir);
}

static void fp_append(const char *file, int times)
{
	FILE *f = fopen(file, "ab");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < times; i++)
		ck_assert_int_eq(fputs("appended while read ", f) >= 0, 1);
	fclose(f);
}

/* The check's large reads handed to a hashing thread that is slow to take
 * them: the slots fill, and the rest is left for the thread to read (a
 * check once wrote past its slots here, and one rebuild's output
 * fingerprint in 30 was wrong). Reads of 64 KiB front to back, then one
 * backwards. */
START_TEST(fingerprint_with_slots_full)
{
	fp_case c;
	size_t size = (4u << 20) + 4321;
	fp_open(&c, "slow", "slots.bin", size);
	for (uint64_t off = 0; off < size; off += 1u << 16) {
		size_t got;
		ck_assert_int_eq(sdin_pread(c.in, c.buf, 1u << 16, off, &got, &c.err), SD_OK);
		ck_assert(!memcmp(c.buf, c.data + off, got));
	}
	ck_assert_int_eq(sdin_read_exact(c.in, c.buf, 1u << 16, 1u << 20, &c.err), SD_OK);
	ck_assert_int_eq(sdin_hash_finish(c.in, NULL, c.out, &c.err), SD_OK);
	ck_assert_str_eq(c.out, c.hex);
	fp_close(&c);
}
END_TEST

/* A file that changes while it is hashed gets no fingerprint (the bytes
 * hashed may not be the bytes the check read), in line (_i 0) and with the
 * hashing thread (_i 1), which may have hashed it all before the change. */
START_TEST(fingerprint_of_a_changing_file)
{
	fp_case c;
	fp_open(&c, _i ? "1" : "0", "grows.bin", (2u << 20) + 99);
	ck_assert_int_eq(sdin_read_exact(c.in, c.buf, 1u << 20, 0, &c.err), SD_OK);
	fp_append(c.file, 1);
	ck_assert_int_eq(sdin_hash_finish(c.in, NULL, c.out, &c.err), SD_ERR_CHANGED);
	ck_assert_str_eq(c.out, "");
	ck_assert_ptr_nonnull(strstr(c.err.msg, "changed while it was being read"));
	fp_close(&c);
}
END_TEST

/* A file that grew, read past the size it had when opened: the bytes past
 * it are not handed to the thread (it once spun on them, and the check
 * hung), and there is no fingerprint. In line (_i 0) and threaded (_i 1). */
START_TEST(fingerprint_of_a_file_that_grew)
{
	fp_case c;
	size_t size = 100u << 10, got;
	fp_open(&c, _i ? "1" : "0", "grew.bin", size);
	fp_append(c.file, 4000);
	ck_assert_int_eq(sdin_pread(c.in, c.buf, 1u << 20, 0, &got, &c.err), SD_OK);
	ck_assert_uint_eq(got, size + 80000);
	ck_assert_int_eq(sdin_hash_finish(c.in, NULL, c.out, &c.err), SD_ERR_CHANGED);
	ck_assert_str_eq(c.out, "");
	fp_close(&c);
}
END_TEST

/* Run after run, the journal's WAL file stays small: each run rebuilds its
 * index from the whole file, and SQLite's own checkpoint never empties it,
 * so it grew without end and, past 1,000 pages, was copied again with
 * three flushes at every commit. */
static sd_report *fake(const char *file, check_verdict v, const char *code);

START_TEST(wal_stays_small)
{
	char *dir, *path;
	jnl_db *j = open_new(&dir, &path);
	jnl_close(j);
	sd_error err;
	char *wal = xasprintf("%s-wal", path);
	off_t most = 0;
	for (int run = 0; run < 300; run++) {
		ck_assert_int_eq(jnl_open(path, true, &j, &err), SD_OK);
		sd_report *r = fake("/run.mapeodata", VERDICT_PROBLEMS, "missing-index");
		ck_assert_int_eq(jnl_record_check(j, r, NULL, 0, NULL, &err), SD_OK);
		report_free(r);
		jnl_close(j);
		struct stat st;
		if (stat(wal, &st) == 0 && st.st_size > most)
			most = st.st_size;
	}
	/* 256 pages of 4 KiB and their frame headers, and one commit's more */
	ck_assert_int_lt(most, 300 * 4120);
	ck_assert_int_eq(count(path, "SELECT count(*) FROM checks"), 300);
	free(wal);
	free(dir);
	free(path);
}
END_TEST

/* The write copies from the plan's own open view of the input: an input
 * changed after the plan (here: bytes appended) is refused, not copied
 * from its new content under the old plan, and nothing is written. */
START_TEST(rebuild_copies_what_was_checked)
{
	char *dir = sd_test_tmpdir();
	char *file = sd_test_copy(sd_test_data("good-project-A.mapeodata"), dir, "in.mapeodata");
	rebuild_options ro = {.no_auto_config = true};
	char *cfg = xstrdup(sd_test_data("config-A.v3-tar.mapeosettings"));
	ro.config_path = cfg;
	rebuild_plan *p = NULL;
	sd_error err;
	ck_assert_msg(rebuild_plan_make(file, &ro, NULL, &p, &err) == SD_OK, "%s", err.msg);
	/* no journal, no fingerprint: the file is not hashed */
	ck_assert_str_eq(p->input_fingerprint, "");
	FILE *f = fopen(file, "ab");
	ck_assert_ptr_nonnull(f);
	static const char junk[1024];
	ck_assert_uint_eq(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	fclose(f);
	char *out = xasprintf("%s/rebuilt.mapeodata", dir);
	ck_assert_int_eq(rebuild_write(p, out, &ro, NULL, &err), SD_ERR_CHANGED);
	ck_assert_int_ne(access(out, F_OK), 0);
	ck_assert_str_eq(p->output_fingerprint, "");
	rebuild_plan_free(p);
	unlink(file);
	free(out);
	free(cfg);
	free(file);
	free(dir);
}
END_TEST

/* The output's fingerprint: read back behind the writer by a thread (1),
 * by one that pauses before each chunk so that the writer runs ahead
 * ("slow"), or in line at the finish (0); started before any byte or after
 * some; an abort while the thread reads; a commit without a finish. */
START_TEST(output_fingerprint)
{
	static const char *const modes[] = {"0", "1", "slow"};
	setenv("SYNCDOCTOR_HASH_THREAD", modes[_i % 3], 1);
	char *dir = sd_test_tmpdir();
	char *target = xasprintf("%s/out.bin", dir);
	size_t size = (3u << 20) + 4097;
	uint8_t *data = xmalloc(size);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 11);
	uint8_t h[32];
	crypto_generichash(h, 32, data, size, NULL, 0);
	char want[KEYS_HEX_SIZE], got[KEYS_HEX_SIZE];
	keys_hex(h, 32, want);
	sd_output *o;
	sd_error err;
	ck_assert_int_eq(sdout_open(target, true, &o, &err), SD_OK);
	size_t at = 0, early = _i / 3 ? 70000 : 0, step = 1;
	ck_assert_int_eq(sdout_write(o, data, early, &err), SD_OK);
	at = early;
	sdout_hash_start(o);
	/* writes of every size, from 1 byte to over the thread's chunk */
	while (at < size) {
		size_t n = step < size - at ? step : size - at;
		ck_assert_int_eq(sdout_write(o, data + at, n, &err), SD_OK);
		at += n;
		step = step * 7 + 3;
		if (step > (700u << 10))
			step = 1;
	}
	ck_assert_int_eq(sdout_hash_finish(o, NULL, got, &err), SD_OK);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(sdout_commit(o, NULL, NULL, &err), SD_OK);
	ck_assert_int_eq(jnl_fingerprint(target, NULL, got, &err), SD_OK);
	ck_assert_str_eq(got, want);
	/* an abort while the thread still reads: joined, nothing left */
	ck_assert_int_eq(sdout_open(target, true, &o, &err), SD_OK);
	sdout_hash_start(o);
	ck_assert_int_eq(sdout_write(o, data, size, &err), SD_OK);
	sdout_abort(o);
	/* committed without a finish: the thread is stopped first */
	ck_assert_int_eq(sdout_open(target, true, &o, &err), SD_OK);
	sdout_hash_start(o);
	ck_assert_int_eq(sdout_write(o, data, size, &err), SD_OK);
	ck_assert_int_eq(sdout_commit(o, NULL, NULL, &err), SD_OK);
	unsetenv("SYNCDOCTOR_HASH_THREAD");
	unlink(target);
	free(target);
	free(data);
	free(dir);
}
END_TEST

/* A rebuild with the journal on: both fingerprints are what the journal
 * would compute from the finished files, with the hashing threads (1, and
 * "slow": the input's thread pauses, so the write runs ahead of its
 * hashing and the finish waits for it) and in line (0). */
START_TEST(rebuild_rows)
{
	static const char *const modes[] = {"1", "0", "slow"};
	setenv("SYNCDOCTOR_HASH_THREAD", modes[_i], 1);
	char *dir, *path;
	jnl_db *j = open_new(&dir, &path);
	char *file = xstrdup(sd_test_data("good-project-A.mapeodata"));
	rebuild_options ro = {0};
	char *cfg = xstrdup(sd_test_data("config-A.v3-tar.mapeosettings"));
	ro.config_path = cfg;
	ro.no_auto_config = true;
	ro.fingerprint = true; /* the journal is on */
	rebuild_plan *p = NULL;
	sd_error err;
	ck_assert_msg(rebuild_plan_make(file, &ro, NULL, &p, &err) == SD_OK, "%s", err.msg);
	char *out = xasprintf("%s/rebuilt.mapeodata", dir);
	ck_assert_msg(rebuild_write(p, out, &ro, NULL, &err) == SD_OK, "%s", err.msg);
	char in_fp[KEYS_HEX_SIZE], out_fp[KEYS_HEX_SIZE];
	ck_assert_int_eq(jnl_fingerprint(file, NULL, in_fp, &err), SD_OK);
	ck_assert_int_eq(jnl_fingerprint(out, NULL, out_fp, &err), SD_OK);
	/* the plan's check and the write's verify took them as they read */
	ck_assert_str_eq(p->input_fingerprint, in_fp);
	ck_assert_str_eq(p->output_fingerprint, out_fp);
	char *dropped[] = {"photo original/x.jpg (does not open)", "feed 2 after block 7"};
	jnl_rebuild rb = {.input = file,
	                  .input_fingerprint = in_fp,
	                  .output = out,
	                  .output_fingerprint = out_fp,
	                  .mode = "salvage",
	                  .outcome = "written",
	                  .discovery_key = p->discovery_key,
	                  .dropped = dropped,
	                  .n_dropped = 2,
	                  .changes = p->changes,
	                  .n_changes = p->n_changes};
	int64_t id;
	ck_assert_int_eq(jnl_record_rebuild(j, &rb, &id, &err), SD_OK);
	jnl_list l;
	/* Found from the input and from the output. */
	ck_assert_int_eq(jnl_list_get(j, file, NULL, 0, &l, &err), SD_OK);
	ck_assert_uint_eq(l.n_rebuilds, 1);
	ck_assert_str_eq(l.rebuilds[0].input_fingerprint, in_fp);
	ck_assert_str_eq(l.rebuilds[0].output_fingerprint, out_fp);
	ck_assert_str_ne(in_fp, out_fp);
	ck_assert_uint_eq(l.rebuilds[0].n_dropped, 2);
	ck_assert_str_eq(l.rebuilds[0].dropped[1], "feed 2 after block 7");
	ck_assert_str_eq(l.rebuilds[0].mode, "salvage");
	jnl_list_free(&l);
	ck_assert_int_eq(jnl_list_get(j, NULL, out_fp, 0, &l, &err), SD_OK);
	ck_assert_uint_eq(l.n_rebuilds, 1);
	jnl_list_free(&l);
	ck_assert_uint_eq(count(path, "SELECT count(*) FROM rebuild_lines WHERE kind = 'change'"),
	                  p->n_changes);
	rebuild_plan_free(p);
	jnl_close(j);
	free(file);
	free(cfg);
	free(out);
	free(dir);
	free(path);
	unsetenv("SYNCDOCTOR_HASH_THREAD");
}
END_TEST

/* A report made by hand: only what the journal reads. */
static sd_report *fake(const char *file, check_verdict v, const char *code)
{
	sd_report *r = xcalloc(1, sizeof *r);
	r->file = xstrdup(file);
	r->size = 1234;
	r->verdict = v;
	r->era = "kappa-osm-v2";
	fnd_init(&r->findings);
	fnd_add(&r->findings, FND_ERA_KAPPA_OSM, "era");
	if (code)
		fnd_add(&r->findings, fnd_lookup(code)->id, "problem %s", code);
	return r;
}

START_TEST(history_summary)
{
	setenv("TZ", "UTC", 1);
	tzset();
	char *dir, *path;
	jnl_db *j = open_new(&dir, &path);
	char *file = xasprintf("%s/field.mapeodata", dir);
	sd_test_write(file, "x", 1);
	const char *fp1 = "1111111111111111111111111111111111111111111111111111111111111111";
	const char *fp2 = "2222222222222222222222222222222222222222222222222222222222222222";
	sd_error err;
	sd_report *a = fake(file, VERDICT_OK, NULL);
	sd_report *b = fake(file, VERDICT_PROBLEMS, "missing-index");
	sd_report *c = fake(file, VERDICT_PROBLEMS, "missing-index");
	/* 2026-11-20 10:00, 2026-11-22 09:30, 2026-11-23 08:00 UTC */
	ck_assert_int_eq(jnl_record_check(j, a, fp1, 1795168800, NULL, &err), SD_OK);
	ck_assert_int_eq(jnl_record_check(j, b, fp2, 1795339800, NULL, &err), SD_OK);
	ck_assert_int_eq(jnl_record_check(j, c, fp2, 1795420800, NULL, &err), SD_OK);
	/* Another file entirely: never part of this one's history. */
	sd_report *o = fake("/elsewhere/other.mapeodata", VERDICT_OK, NULL);
	ck_assert_int_eq(jnl_record_check(j, o, fp1 + 1, 1795420900, NULL, &err), SD_OK);

	jnl_list l;
	ck_assert_int_eq(jnl_list_get(j, file, fp2, 0, &l, &err), SD_OK);
	ck_assert_uint_eq(l.n_checks, 3);
	ck_assert_int_ge(l.checks[0].time, l.checks[1].time); /* newest first */
	jnl_summary s;
	jnl_summarize(&l, &s);
	ck_assert_uint_eq(s.n_fingerprints, 2);
	char *t = jnl_summary_text(&s);
	ck_assert_str_eq(t, "checked 3 times; first seen without a problem on 2026-11-20 10:00, "
	                    "with problems since 2026-11-22 09:30.");
	free(t);
	jnl_list_free(&l);

	/* The wizard's paragraph: the new check found another problem. */
	sd_report *now = fake(file, VERDICT_PROBLEMS, "feed-signature-invalid");
	char *p = jnl_seen_before(j, file, fp2, now, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(strstr(p, "checked 3 times before") != NULL, "%s", p);
	ck_assert_msg(strstr(p, "has not changed") != NULL, "%s", p);
	ck_assert_msg(strstr(p, "New since then: feed-signature-invalid.") != NULL, "%s", p);
	ck_assert_msg(strstr(p, "Gone since then: missing-index.") != NULL, "%s", p);
	free(p);
	/* Recorded first, then asked with its id: it does not count itself. */
	int64_t id;
	ck_assert_int_eq(jnl_record_check(j, now, fp1, 1795424400, &id, &err), SD_OK);
	p = jnl_seen_before(j, file, fp1, now, id);
	ck_assert_msg(strstr(p, "checked 3 times before") != NULL, "%s", p);
	ck_assert_msg(strstr(p, "has changed") != NULL, "%s", p);
	free(p);
	/* A file never seen. */
	ck_assert_ptr_null(jnl_seen_before(j, "/nowhere/new.mapeodata", fp1 + 2, now, 0));
	report_free(a), report_free(b), report_free(c), report_free(o), report_free(now);
	jnl_close(j);
	free(file);
	free(dir);
	free(path);
}
END_TEST

/* Issue 22: a check with 100 findings of one code stores the first
 * JNL_MAX_PER_CODE and a count; a long message is cut with a mark. */
/* history streams: jnl_walk() hands over one row at a time and the summary
 * is folded by SQLite, so 20,000 checks whose paths would take 20 MiB as a
 * list leave the heap where the first row left it. */
struct walk_count {
	size_t rows;
	size_t heap_first, heap_max;
	int64_t last_id;
};

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static sd_status count_row(void *ctx, jnl_check *c)
{
	struct walk_count *w = ctx;
	size_t h = heap_in_use();
	if (!w->rows++)
		w->heap_first = h;
	if (h > w->heap_max)
		w->heap_max = h;
	ck_assert_uint_eq(strlen(c->path), 1003);
	if (w->last_id)
		ck_assert_int_lt(c->id, w->last_id); /* newest first */
	w->last_id = c->id;
	return SD_OK;
}

static sd_status stop_at_ten(void *ctx, jnl_check *c)
{
	(void)c;
	return ++*(size_t *)ctx == 10 ? SD_ERR_CANCELLED : SD_OK;
}

START_TEST(history_streams)
{
	char *dir, *path;
	jnl_db *j = open_new(&dir, &path);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_exec(db,
	                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	                 " WHERE i < 20000) INSERT INTO checks(time, path, size, fingerprint,"
	                 " era, verdict) SELECT i, '/f/' || hex(zeroblob(500)), 1, 'fp' || (i % 7),"
	                 " 'x', CASE WHEN i % 3 THEN 'problems' ELSE 'ok' END FROM n",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	char *file = xasprintf("/f/%01000d", 0); /* hex(zeroblob(500)) */
	sd_error err;
	struct walk_count w = {0};
	jnl_walk_fns fns = {count_row, NULL};
	ck_assert_int_eq(jnl_walk(j, file, NULL, 0, &fns, &w, &err), SD_OK);
	ck_assert_uint_eq(w.rows, 20000);
	ck_assert_msg(w.heap_max - w.heap_first < 4u << 20, "the heap grew by %zu bytes",
	              w.heap_max - w.heap_first);

	jnl_summary s;
	ck_assert_int_eq(jnl_summary_get(j, file, NULL, 0, &s, &err), SD_OK);
	ck_assert_uint_eq(s.n_checks, 20000);
	ck_assert_int_eq(s.first_time, 1);
	ck_assert_int_eq(s.last_time, 20000);
	ck_assert_int_eq(s.first_healthy, 3);
	ck_assert_int_eq(s.damaged_since, 19999); /* 19998 was the last healthy */
	ck_assert_str_eq(s.last_verdict, "problems");
	ck_assert_uint_eq(s.n_fingerprints, 7);
	ck_assert_uint_eq(s.n_paths, 1);

	/* With --limit, of the newest checks only, as jnl_summarize() of the list. */
	jnl_list l;
	jnl_summary ls;
	ck_assert_int_eq(jnl_summary_get(j, file, NULL, 5, &s, &err), SD_OK);
	ck_assert_int_eq(jnl_list_get(j, file, NULL, 5, &l, &err), SD_OK);
	jnl_summarize(&l, &ls);
	ck_assert_uint_eq(s.n_checks, ls.n_checks);
	ck_assert_int_eq(s.first_time, ls.first_time);
	ck_assert_int_eq(s.last_time, ls.last_time);
	ck_assert_int_eq(s.first_healthy, ls.first_healthy);
	ck_assert_int_eq(s.damaged_since, ls.damaged_since);
	ck_assert_str_eq(s.last_verdict, ls.last_verdict);
	ck_assert_uint_eq(s.n_fingerprints, ls.n_fingerprints);
	jnl_list_free(&l);

	/* A callback's status stops the walk (an interrupt). */
	size_t n = 0;
	fns.check = stop_at_ten;
	ck_assert_int_eq(jnl_walk(j, NULL, NULL, 0, &fns, &n, &err), SD_ERR_CANCELLED);
	ck_assert_uint_eq(n, 10);
	free(file);
	jnl_close(j);
	free(path);
	free(dir);
}
END_TEST

START_TEST(storage_is_bounded)
{
	char *dir, *path;
	jnl_db *j = open_new(&dir, &path);
	sd_report *r = fake("/big.mapeodata", VERDICT_PROBLEMS, NULL);
	for (int i = 0; i < 100; i++)
		fnd_add(&r->findings, FND_MISSING_INDEX, "problem %d", i);
	char *long_msg = xmalloc(100000);
	memset(long_msg, 'x', 99999);
	long_msg[99999] = '\0';
	fnd_add(&r->findings, FND_FEED_SIGNATURE_INVALID, "%s", long_msg);
	free(long_msg);
	sd_error err;
	ck_assert_int_eq(jnl_record_check(j, r, NULL, 0, NULL, &err), SD_OK);
	jnl_close(j);
	/* read back through the read-only path */
	ck_assert_int_eq(jnl_open(path, false, &j, &err), SD_OK);
	jnl_list l;
	ck_assert_int_eq(jnl_list_get(j, NULL, NULL, 0, &l, &err), SD_OK);
	ck_assert_uint_eq(l.n_checks, 1);
	size_t missing = 0;
	bool count_row = false, cut = false;
	for (size_t i = 0; i < l.checks[0].n_findings; i++) {
		const jnl_finding *f = &l.checks[0].findings[i];
		if (!strcmp(f->code, "missing-index")) {
			missing++;
			count_row = count_row || strstr(f->message, "80 more") != NULL;
		}
		if (!strcmp(f->code, "feed-signature-invalid"))
			cut =
			    strlen(f->message) < 2000 && strstr(f->message, "bytes in all") != NULL;
	}
	ck_assert_uint_eq(missing, JNL_MAX_PER_CODE + 1);
	ck_assert(count_row);
	ck_assert(cut);
	jnl_list_free(&l);
	report_free(r);
	jnl_close(j);
	free(dir);
	free(path);
}
END_TEST

START_TEST(migrates_from_v1)
{
	char *dir = sd_test_tmpdir();
	char *path = xasprintf("%s/journal.sqlite", dir);
	/* Schema 1 as the first journal wrote it. */
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_exec(
	        db,
	        "CREATE TABLE checks(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, path TEXT "
	        "NOT NULL, size INTEGER, fingerprint TEXT, era TEXT, verdict TEXT NOT NULL);"
	        "CREATE TABLE findings(check_id INTEGER NOT NULL REFERENCES checks(id), code "
	        "TEXT NOT NULL, severity TEXT, message TEXT);"
	        "INSERT INTO checks VALUES(1, 1700000000, '/old/file.mapeodata', 10, 'ab', "
	        "'hyperlog-v1', 'problems');"
	        "INSERT INTO findings VALUES(1, 'missing-index', 'error', 'no index');"
	        "PRAGMA user_version = 1;",
	        NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	jnl_db *j;
	sd_error err;
	ck_assert_msg(jnl_open(path, false, &j, &err) == SD_OK, "%s", err.msg);
	ck_assert_int_eq(count(path, "PRAGMA user_version"), JNL_SCHEMA_VERSION);
	jnl_list l;
	ck_assert_int_eq(jnl_list_get(j, "/old/file.mapeodata", NULL, 0, &l, &err), SD_OK);
	ck_assert_uint_eq(l.n_checks, 1);
	ck_assert_str_eq(l.checks[0].era, "hyperlog-v1");
	ck_assert_str_eq(l.checks[0].discovery_key, ""); /* unknown in schema 1 */
	ck_assert_int_eq(l.checks[0].config_match, -1);
	ck_assert_uint_eq(l.checks[0].n_findings, 1);
	ck_assert_str_eq(l.checks[0].findings[0].code, "missing-index");
	jnl_list_free(&l);
	/* The new tables and columns work. */
	sd_report *r = fake("/old/file.mapeodata", VERDICT_OK, NULL);
	ck_assert_int_eq(jnl_record_check(j, r, "ab", 0, NULL, &err), SD_OK);
	jnl_rebuild rb = {.input = "/old/file.mapeodata", .outcome = "written", .mode = "repair"};
	ck_assert_int_eq(jnl_record_rebuild(j, &rb, NULL, &err), SD_OK);
	report_free(r);
	jnl_close(j);
	ck_assert_int_eq(count(path, "SELECT count(*) FROM checks"), 2);
	ck_assert_int_eq(count(path, "SELECT count(*) FROM rebuilds"), 1);

	/* A journal from a newer syncdoctor is left alone. */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(jnl_open(path, true, &j, &err), SD_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "newer") != NULL, "%s", err.msg);
	ck_assert_int_eq(count(path, "SELECT count(*) FROM checks"), 2);
	free(path);
	free(dir);
}
END_TEST

START_TEST(two_writers_at_once)
{
	char *dir = sd_test_tmpdir();
	/* Both start on a journal that does not exist yet: creation and
	 * migration race too. */
	char *path = xasprintf("%s/new/journal.sqlite", dir);
	enum { PER_CHILD = 40 };
	pid_t pids[2];
	for (int k = 0; k < 2; k++) {
		pids[k] = fork();
		ck_assert_int_ge(pids[k], 0);
		if (pids[k] == 0) {
			/* The child ends with _exit(): the parent's strings are freed
			 * here so valgrind (tests/run-all) sees no leak in it. */
			char cpath[4096];
			snprintf(cpath, sizeof cpath, "%s", path);
			free(path), free(dir);
			jnl_db *j;
			sd_error err;
			if (jnl_open(cpath, true, &j, &err) != SD_OK) {
				fprintf(stderr, "child %d: %s\n", k, err.msg);
				_exit(1);
			}
			sd_report *r = fake(k ? "/b.mapeodata" : "/a.mapeodata", VERDICT_PROBLEMS,
			                    "missing-index");
			for (int i = 0; i < PER_CHILD; i++)
				if (jnl_record_check(j, r, NULL, 0, NULL, &err) != SD_OK) {
					fprintf(stderr, "child %d: %s\n", k, err.msg);
					_exit(2);
				}
			report_free(r);
			jnl_close(j);
			_exit(0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int status;
		ck_assert_int_eq(waitpid(pids[k], &status, 0), pids[k]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d failed", k);
	}
	ck_assert_int_eq(count(path, "SELECT count(*) FROM checks"), 2 * PER_CHILD);
	ck_assert_int_eq(count(path, "SELECT count(*) FROM findings"), 2 * 2 * PER_CHILD);
	ck_assert_int_eq(count(path, "SELECT count(*) FROM checks WHERE path = '/b.mapeodata'"),
	                 PER_CHILD);
	ck_assert_int_eq(count(path, "SELECT count(*) FROM pragma_integrity_check WHERE "
	                             "integrity_check <> 'ok'"),
	                 0);
	free(path);
	free(dir);
}
END_TEST

START_TEST(unusable_journals)
{
	char *dir = sd_test_tmpdir();
	jnl_db *j;
	sd_error err;
	/* A damaged database file. */
	char *bad = xasprintf("%s/damaged.sqlite", dir);
	char junk[4096];
	memset(junk, 'x', sizeof junk);
	memcpy(junk, "this is not a journal", 21);
	sd_test_write(bad, junk, sizeof junk);
	ck_assert_int_eq(jnl_open(bad, true, &j, &err), SD_ERR_IO);
	ck_assert_ptr_null(j);
	ck_assert_msg(strstr(err.msg, bad) != NULL, "%s", err.msg);
	/* Its bytes are untouched. */
	size_t len;
	uint8_t *back = sd_test_slurp(bad, &len);
	ck_assert_uint_eq(len, sizeof junk);
	ck_assert_int_eq(memcmp(back, junk, len), 0);
	free(back);
	/* Its folder cannot be made (a file is in the way). */
	char *blocked = xasprintf("%s/damaged.sqlite/sub/journal.sqlite", dir);
	ck_assert_int_eq(jnl_open(blocked, true, &j, &err), SD_ERR_IO);
	ck_assert_ptr_null(j);
	/* A read-only folder (root may write anyway). */
	if (geteuid() != 0) {
		char *ro = xasprintf("%s/ro", dir);
		ck_assert_int_eq(mkdir(ro, 0500), 0);
		char *p = xasprintf("%s/journal.sqlite", ro);
		ck_assert_int_ne(jnl_open(p, true, &j, &err), SD_OK);
		chmod(ro, 0700);
		free(p);
		free(ro);
	}
	/* A journal asked for without create that is not there. */
	char *none = xasprintf("%s/none.sqlite", dir);
	ck_assert_int_eq(jnl_open(none, false, &j, &err), SD_ERR_IO);
	struct stat st;
	ck_assert_int_ne(stat(none, &st), 0);
	free(none);
	free(blocked);
	free(bad);
	free(dir);
}
END_TEST

START_TEST(redaction)
{
	const char *key = "ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e";
	char dk[KEYS_HEX_SIZE];
	ck_assert(keys_discovery_hex(key, dk));
	const char *dks[] = {dk, NULL};
	char *text =
	    xasprintf("dir %s/key and %s upper, feed %s, dk %s", key,
	              "AE0A68592EFCE444FC67E48181"
	              "C9B8CB1FD968535B63F54D54DC78D1D49E1C7E",
	              "1111111111111111111111111111111111111111111111111111111111111111", dk);
	size_t n;
	char *out = bundle_redact(text, NULL, dks, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_null(strstr(out, "ae0a68592efce"));
	ck_assert_ptr_null(strstr(out, "AE0A68592EFCE"));
	ck_assert_ptr_nonnull(strstr(out, "dir ae0a6**********/key"));
	ck_assert_ptr_nonnull(strstr(out, dk)); /* the discovery key itself stays */
	ck_assert_ptr_nonnull(
	    strstr(out, "1111111111111111111111111111111111111111111111111111111111111111"));
	free(out);
	const char *keys[] = {"1111111111111111111111111111111111111111111111111111111111111111",
	                      NULL};
	out = bundle_redact(text, keys, NULL, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(strstr(out, "feed 11111**********"));
	free(out);
	free(text);
}
END_TEST

START_TEST(userconf_lines_and_precedence)
{
	char *dir = sd_test_tmpdir();
	char *sys = xasprintf("%s/sys.yaml", dir), *user = xasprintf("%s/user.yaml", dir);
	const char *s1 = "# system\n"
	                 "journal: /var/lib/sd/journal.sqlite\n"
	                 "color: false\n"
	                 "language: es\n"
	                 "config_search:\n  - /srv/configs\n  - rel\n";
	const char *s2 = "language: pt_BR\n"
	                 "colour: true\n"
	                 "ascii: maybe\n"
	                 "log_dir: logs\n"
	                 "config_search: /not/a/list\n"
	                 "mapeo_userdata: ~/Mapeo\n";
	sd_test_write(sys, s1, strlen(s1));
	sd_test_write(user, s2, strlen(s2));
	setenv("HOME", "/home/tech", 1);
	ucf_config c;
	ucf_init(&c);
	ck_assert(ucf_load_file(&c, sys));
	ck_assert(ucf_load_file(&c, user));
	ck_assert_str_eq(c.language, "pt_BR"); /* the later file wins */
	ck_assert_str_eq(c.journal, "/var/lib/sd/journal.sqlite");
	ck_assert_int_eq(c.color, 0);
	ck_assert_int_eq(c.ascii, -1); /* "maybe" was refused */
	ck_assert_uint_eq(c.n_config_search, 2);
	ck_assert_str_eq(c.config_search[0], "/srv/configs");
	char *rel = xasprintf("%s/rel", dir), *logs = xasprintf("%s/logs", dir);
	ck_assert_str_eq(c.config_search[1], rel);
	ck_assert_str_eq(c.log_dir, logs);
	ck_assert_str_eq(c.mapeo_userdata, "/home/tech/Mapeo");
	ck_assert_uint_eq(c.n_warnings, 3);
	char *w0 = xasprintf("%s:2: unknown key 'colour'", user);
	char *w1 = xasprintf("%s:3: 'ascii' must be true or false", user);
	char *w2 = xasprintf("%s:5: 'config_search' must be a list", user);
	ck_assert_msg(!strncmp(c.warnings[0], w0, strlen(w0)), "%s", c.warnings[0]);
	ck_assert_msg(!strncmp(c.warnings[1], w1, strlen(w1)), "%s", c.warnings[1]);
	ck_assert_msg(!strncmp(c.warnings[2], w2, strlen(w2)), "%s", c.warnings[2]);
	/* Broken YAML: a warning with the line, nothing else changes. */
	const char *s3 = "ascii: true\nlanguage: [es\n";
	sd_test_write(user, s3, strlen(s3));
	ck_assert(ucf_load_file(&c, user));
	ck_assert_uint_eq(c.n_warnings, 4);
	ck_assert_msg(strstr(c.warnings[3], "not valid YAML") != NULL, "%s", c.warnings[3]);
	ck_assert_int_eq(c.ascii, -1);
	/* A missing file is no problem. */
	ck_assert(!ucf_load_file(&c, "/nonexistent/config.yaml"));
	ck_assert_uint_eq(c.n_warnings, 4);
	ucf_free(&c);
	free(w0), free(w1), free(w2), free(rel), free(logs);
	free(sys), free(user), free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("journal");
	TCase *t = tcase_create("journal");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, check_rows_and_fingerprint);
	tcase_add_test(t, a_report_is_recorded_with_its_fingerprint);
	tcase_add_loop_test(t, fingerprint_from_scattered_reads, 0, 2);
	tcase_add_loop_test(t, fingerprint_interrupted, 0, 2);
	tcase_add_loop_test(t, fingerprint_of_a_changing_file, 0, 2);
	tcase_add_loop_test(t, fingerprint_of_a_file_that_grew, 0, 2);
	tcase_add_test(t, fingerprint_with_slots_full);
	tcase_add_test(t, wal_stays_small);
	tcase_add_loop_test(t, output_fingerprint, 0, 6);
	tcase_add_loop_test(t, rebuild_rows, 0, 3);
	tcase_add_test(t, rebuild_copies_what_was_checked);
	tcase_add_test(t, history_summary);
	tcase_add_test(t, storage_is_bounded);
	tcase_add_test(t, history_streams);
	tcase_add_test(t, migrates_from_v1);
	tcase_add_test(t, two_writers_at_once);
	tcase_add_test(t, unusable_journals);
	tcase_add_test(t, redaction);
	tcase_add_test(t, userconf_lines_and_precedence);
	suite_add_tcase(s, t);
	return sd_test_run(s);
}
