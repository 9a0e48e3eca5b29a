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
	finding *f = fnd_add(&l, FND_MEDIA_ORPHAN, "orphan %d", 1);
	fnd_set_media(f, "original/x.jpg");
	f = fnd_add(&l, FND_PROJECT_MISMATCH, "mismatch");
	f = fnd_add(&l, FND_FEED_HASH_MISMATCH, "hash");
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
	ck_assert(fnd_has(&l, FND_MEDIA_ORPHAN));
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
		ck_assert_int_eq(c[i].id, (int)i);
		ck_assert_ptr_eq(fnd_info(c[i].id), &c[i]);
		for (const char *p = c[i].code; *p; p++)
			ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			                  *p == '-',
			              "bad code %s", c[i].code);
	}
}
END_TEST

/* Each constant is the code's own name (FND_ + the code in capitals, '-' as
 * '_'), so reading FND_FEED_GAP in code means "feed-gap" in a report. */
START_TEST(code_constants_name_their_codes)
{
	static const struct {
		const char *name, *code;
	} t[] = {
#define FND(name, code, step, sev, summary, advice) {#name, code},
#include "finding_codes.h"
#undef FND
	};
	ck_assert_uint_eq(sizeof t / sizeof t[0], FND_COUNT);
	for (size_t i = 0; i < FND_COUNT; i++) {
		char want[64];
		size_t k = 0;
		for (const char *p = t[i].code; *p && k + 1 < sizeof want; p++)
			want[k++] =
			    *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		want[k] = '\0';
		ck_assert_str_eq(t[i].name, want);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(t[i].code, t[j].code);
	}
	ck_assert_ptr_null(fnd_lookup("feed-hsh-mismatch"));
	ck_assert_str_eq(fnd_info(FND_FEED_GAP)->code, "feed-gap");
	ck_assert_str_eq(fnd_lookup("feed-gap")->code, "feed-gap");
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

static Suite *suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, strbuf_grows);
	tcase_add_test(tc, findings_catalogue_and_sort);
	tcase_add_test(tc, every_code_has_a_summary);
	tcase_add_test(tc, code_constants_name_their_codes);
	tcase_add_test(tc, input_refuses_directories_and_missing);
	tcase_add_test(tc, output_is_atomic_and_faults_clean_up);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
