#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exedir.h"
#include "finding.h"
#include "io.h"
#include "status.h"
#include "strbuf.h"
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

/* Data is found relative to the program, never through a compiled-in
 * build path: this program is BUILD/tests/unit/test_core. */
START_TEST(exe_dir_and_find_beside_the_program)
{
	char *dir = exe_dir();
	ck_assert_ptr_nonnull(dir);
	ck_assert_int_eq(dir[0], '/');
	char *self = exe_find("test_core", 0);
	ck_assert_ptr_nonnull(self);
	char *want = xasprintf("%s/test_core", dir);
	ck_assert_str_eq(self, want);
	free(want);
	free(self);
	/* Two folders up is the build folder, which has tests/unit/test_core. */
	char *up = exe_find("tests/unit/test_core", 2);
	ck_assert_ptr_nonnull(up);
	free(up);
	ck_assert_ptr_null(exe_find("tests/unit/test_core", 1));
	ck_assert_ptr_null(exe_find("no-such-file-anywhere.yaml", 2));
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
	tcase_add_test(tc, exe_dir_and_find_beside_the_program);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
