#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "finding.h"
#include "io.h"
#include "status.h"
#include "strbuf.h"
#include "strmap.h"
#include "testutil.h"

START_TEST(strbuf_grows)
{
	strbuf b = SB_INIT;
	ck_assert_str_eq(sb_str(&b), "");
	for (int i = 0; i < 1000; i++)
		sb_printf(&b, "%d,", i);
	ck_assert_uint_eq(b.len, strlen(b.s));
	ck_assert(strncmp(b.s, "0,1,2,", 6) == 0);
	char *s = sb_take(&b);
	ck_assert_ptr_null(b.s);
	free(s);
}
END_TEST

START_TEST(findings_catalogue_and_sort)
{
	findings l;
	fnd_init(&l);
	finding *f = fnd_add(&l, "media-orphan", "orphan %d", 1);
	fnd_set_media(f, "original/x.jpg");
	f = fnd_add(&l, "project-mismatch", "mismatch");
	f = fnd_add(&l, "feed-hash-mismatch", "hash");
	f->feed = 1;
	f->block = 7;
	ck_assert_int_eq(l.v[2].step, STEP_CORRUPTION);
	ck_assert_int_eq(l.v[2].severity, SEV_ERROR);
	fnd_sort(&l);
	ck_assert_str_eq(l.v[0].code, "project-mismatch");
	ck_assert_str_eq(l.v[1].code, "feed-hash-mismatch");
	ck_assert_str_eq(l.v[2].code, "media-orphan");
	ck_assert_str_eq(l.v[2].media, "original/x.jpg");
	ck_assert_int_eq(l.v[1].block, 7);
	ck_assert(fnd_has(&l, "media-orphan"));
	ck_assert_int_eq(fnd_worst(&l), SEV_ERROR);
	ck_assert_uint_eq(fnd_count(&l, SEV_WARNING), 2);
	fnd_free(&l);
}
END_TEST

START_TEST(every_code_has_a_summary)
{
	size_t n;
	const fnd_code_info *c = fnd_catalogue(&n);
	ck_assert_uint_gt(n, 40);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(c[i].summary);
		ck_assert_ptr_eq(fnd_lookup(c[i].code), &c[i]);
		for (const char *p = c[i].code; *p; p++)
			ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			                  *p == '-',
			              "bad code %s", c[i].code);
	}
}
END_TEST

START_TEST(input_refuses_directories_and_missing)
{
	sd_input *in;
	sd_error err;
	char *dir = sd_test_tmpdir();
	ck_assert_int_eq(sdin_open(dir, &in, &err), SD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, dir));
	char *missing = malloc(strlen(dir) + 20);
	sprintf(missing, "%s/nothere", dir);
	ck_assert_int_eq(sdin_open(missing, &in, &err), SD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "nothere"));
	free(missing);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(output_is_atomic_and_faults_clean_up)
{
	char *dir = sd_test_tmpdir();
	char target[4096];
	snprintf(target, sizeof target, "%s/out.bin", dir);
	sd_output *o;
	sd_error err;
	ck_assert_int_eq(sdout_open(target, false, &o, &err), SD_OK);
	ck_assert_int_eq(sdout_write(o, "hello", 5, &err), SD_OK);
	struct stat st;
	ck_assert_int_ne(stat(target, &st), 0); /* nothing under the name yet */
	ck_assert_int_eq(sdout_commit(o, NULL, NULL, &err), SD_OK);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 5);
	/* refuses to overwrite without force */
	ck_assert_int_eq(sdout_open(target, false, &o, &err), SD_ERR_EXISTS);
	/* injected ENOSPC: error, temporary removed, target untouched */
	setenv("SYNCDOCTOR_FAULT_WRITE", "ENOSPC:3", 1);
	ck_assert_int_eq(sdout_open(target, true, &o, &err), SD_OK);
	char *tmp = strdup(sdout_tmp_path(o));
	ck_assert_int_eq(sdout_write(o, "abcdef", 6, &err), SD_ERR_NOSPACE);
	sdout_abort(o);
	unsetenv("SYNCDOCTOR_FAULT_WRITE");
	ck_assert_int_ne(stat(tmp, &st), 0);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 5);
	free(tmp);
	unlink(target);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(strmap_finds_every_key)
{
	/* enough keys to grow the table several times; keys that share a
	 * prefix and keys that are prefixes of others */
	enum { N = 5000 };
	char(*keys)[16] = calloc(N, sizeof *keys);
	smap m;
	smap_init(&m);
	for (size_t i = 0; i < N; i++) {
		snprintf(keys[i], sizeof keys[i], "k%zu", i);
		smap_put(&m, keys[i], strlen(keys[i]), i);
	}
	ck_assert_uint_eq(m.n, N);
	size_t v;
	for (size_t i = 0; i < N; i++) {
		ck_assert(smap_get(&m, keys[i], strlen(keys[i]), &v));
		ck_assert_uint_eq(v, i);
	}
	ck_assert(!smap_get(&m, "k5000", 5, &v));
	ck_assert(!smap_get(&m, "k1", 1, &v));      /* a prefix of a key is another key */
	smap_put(&m, keys[7], strlen(keys[7]), 99); /* replacing keeps one entry */
	ck_assert_uint_eq(m.n, N);
	ck_assert(smap_get(&m, "k7", 2, &v));
	ck_assert_uint_eq(v, 99);
	smap_free(&m);
	ck_assert(!smap_get(&m, "k7", 2, &v)); /* an empty map finds nothing */
	free(keys);
}
END_TEST

START_TEST(output_never_replaces_what_is_not_a_file)
{
	char *dir = sd_test_tmpdir();
	char fifo[4096], link[4096], file[4096];
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	snprintf(link, sizeof link, "%s/link", dir);
	snprintf(file, sizeof file, "%s/file", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	FILE *f = fopen(file, "w");
	fclose(f);
	ck_assert_int_eq(symlink(file, link), 0);
	sd_error err;
	sd_output *o = NULL;
	ck_assert_int_eq(sdout_open(fifo, true, &o, &err), SD_ERR_IO);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(sdout_open(link, true, &o, &err), SD_ERR_IO);
	ck_assert_int_eq(sdout_open(dir, true, &o, &err), SD_ERR_IO);
	ck_assert_int_eq(sdout_target_ok(file, false, &err), SD_ERR_EXISTS);
	ck_assert_int_eq(sdout_target_ok(file, true, &err), SD_OK);
	struct stat st;
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	unlink(fifo), unlink(link), unlink(file);
	rmdir(dir);
	free(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, strbuf_grows);
	tcase_add_test(tc, findings_catalogue_and_sort);
	tcase_add_test(tc, every_code_has_a_summary);
	tcase_add_test(tc, input_refuses_directories_and_missing);
	tcase_add_test(tc, output_is_atomic_and_faults_clean_up);
	tcase_add_test(tc, output_never_replaces_what_is_not_a_file);
	tcase_add_test(tc, strmap_finds_every_key);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
