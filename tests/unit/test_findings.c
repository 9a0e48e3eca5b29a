/* test_findings.c: the findings list past its memory budget (finding.h).
 *
 * Every test builds the same findings twice: in memory (a budget no list
 * here reaches) and spilled to the temporary database (a budget of one
 * byte: every finding past the first moves there), and reads both back
 * through fnd_at(): the same findings, fields and order, as added and as
 * sorted, the same counts, and fnd_append() across spilled lists alike. */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "finding.h"
#include "testutil.h"
#include "xalloc.h"

/* Codes of every step and severity, some with the severity overridden. */
static const fnd_code codes[] = {
    FND_MEDIA_ORPHAN,           FND_PROJECT_MISMATCH, FND_FEED_HASH_MISMATCH, FND_WINDOWS_PATHS,
    FND_LEFTOVER_TEMP_DATABASE, FND_ERA_KAPPA_OSM,    FND_TRUNCATED_FILE};
#define N_CODES (sizeof codes / sizeof codes[0])

/* The budget is read once (finding.c): read it again after each change. */
static void budget(const char *bytes)
{
	setenv("SYNCDOCTOR_FINDINGS_BUDGET", bytes, 1);
	fnd_budget_reload();
}

/* Finding number i, with every field set or left unset by i. */
static void add_one(findings *l, size_t i)
{
	fnd_code c = codes[(i * 7 + i / 5) % N_CODES];
	finding *f = i % 11 == 3 ? fnd_add_sev(l, c, SEV_WARNING, "finding %zu (overridden)", i)
	                         : fnd_add(l, c, "finding %zu: é ü \"%s\"", i, "quoted");
	char s[64];
	if (i % 2) {
		snprintf(s, sizeof s, "original/member-%zu.jpg", i);
		fnd_set_member(f, s);
		fnd_set_media(f, s);
	}
	if (i % 3 == 0) {
		snprintf(s, sizeof s, "%zu/data", i % 4);
		fnd_set_inner(f, s);
	}
	if (i % 4 == 1) {
		snprintf(s, sizeof s, "obs%05zu", i / 3);
		fnd_set_observation(f, s);
	}
	if (i % 5 == 2)
		fnd_set_detail(f, "category river, 1970-01-01");
	if (i % 6 != 5) {
		f->offset = (int64_t)i * 512 + ((int64_t)1 << 33); /* past 32 bits */
		f->feed = (int)(i % 9);
		f->block = (int64_t)i * 3;
	}
}

static void add_range(findings *l, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		add_one(l, i);
}

/* Findings from..to added to mem in memory and to sp spilled. */
static void add_both(findings *mem, findings *sp, size_t from, size_t to)
{
	budget("1000000000");
	add_range(mem, from, to);
	budget("1");
	add_range(sp, from, to);
}

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		ck_assert_ptr_eq(a, b);
	else
		ck_assert_str_eq(a, b);
}

/* a and b hold the same findings in the same order, every field. */
static void same_list(const findings *a, const findings *b)
{
	ck_assert_uint_eq(fnd_n(a), fnd_n(b));
	for (size_t i = 0; i < fnd_n(a); i++) {
		finding x = *fnd_at(a, i); /* valid until the next call on a */
		x.message = xstrdup(x.message);
		const finding *y = fnd_at(b, i);
		ck_assert_msg(x.id == y->id, "finding %zu: %s, not %s", i, y->code, x.code);
		ck_assert_str_eq(x.code, y->code);
		ck_assert_int_eq(x.step, y->step);
		ck_assert_int_eq(x.severity, y->severity);
		ck_assert_str_eq(x.message, y->message);
		free(x.message);
		ck_assert_int_eq(x.offset, y->offset);
		ck_assert_int_eq(x.feed, y->feed);
		ck_assert_int_eq(x.block, y->block);
		const finding *z = fnd_at(a, i); /* the strings again, one list at a time */
		char *m = xstrdup_or_null(z->member), *in = xstrdup_or_null(z->inner),
		     *o = xstrdup_or_null(z->observation), *me = xstrdup_or_null(z->media),
		     *d = xstrdup_or_null(z->detail);
		y = fnd_at(b, i);
		same_str(m, y->member);
		same_str(in, y->inner);
		same_str(o, y->observation);
		same_str(me, y->media);
		same_str(d, y->detail);
		free(m), free(in), free(o), free(me), free(d);
	}
	ck_assert_int_eq(fnd_worst(a), fnd_worst(b));
	for (int sev = SEV_INFO; sev <= SEV_ERROR; sev++) {
		ck_assert_uint_eq(fnd_count(a, (fnd_severity)sev), fnd_count(b, (fnd_severity)sev));
		for (int st = 0; st < STEP_COUNT; st++)
			ck_assert_uint_eq(fnd_count_in(a, (fnd_step)st, (fnd_severity)sev),
			                  fnd_count_in(b, (fnd_step)st, (fnd_severity)sev));
	}
	for (int st = 0; st < STEP_COUNT; st++)
		ck_assert_int_eq(fnd_has_step(a, (fnd_step)st), fnd_has_step(b, (fnd_step)st));
	for (int c = 0; c < FND_COUNT; c++) {
		ck_assert_int_eq(fnd_has(a, (fnd_code)c), fnd_has(b, (fnd_code)c));
		ck_assert_uint_eq(fnd_count_code(a, (fnd_code)c), fnd_count_code(b, (fnd_code)c));
	}
	ck_assert_int_eq(fnd_status(a, NULL), SD_OK);
	ck_assert_int_eq(fnd_status(b, NULL), SD_OK);
}

/* The number of open files of this process that are deleted files named
 * syncdoctor-findings-* in dir: the stores, made there and unlinked. */
static int open_stores(const char *dir)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	char prefix[512];
	snprintf(prefix, sizeof prefix, "%s/syncdoctor-findings-", dir);
	while ((e = readdir(d)) != NULL) {
		char link[600], target[600];
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		ssize_t k = readlink(link, target, sizeof target - 1);
		if (k <= 0)
			continue;
		target[k] = '\0';
		n += !strncmp(target, prefix, strlen(prefix)) && strstr(target, " (deleted)");
	}
	closedir(d);
	return n;
}

static bool dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	bool empty = true;
	while ((e = readdir(d)) != NULL)
		empty = empty && (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."));
	closedir(d);
	return empty;
}

START_TEST(a_spilled_list_reads_back_every_field_in_order)
{
	char *tmp = sd_test_tmpdir();
	setenv("TMPDIR", tmp, 1);
	findings mem, sp;
	fnd_init(&mem);
	fnd_init(&sp);
	budget("1000000000");
	add_range(&mem, 0, 700);
	ck_assert_int_eq(open_stores(tmp), 0);
	budget("1");
	add_range(&sp, 0, 700);
	/* moved to a file in TMPDIR, unlinked at once */
	ck_assert_int_eq(open_stores(tmp), 1);
	ck_assert(dir_empty(tmp));
	same_list(&mem, &sp);
	/* read backwards, and at random places: the cursor starts again */
	for (size_t i = 700; i-- > 0;)
		ck_assert_str_eq(fnd_at(&sp, i)->code, fnd_at(&mem, i)->code);
	ck_assert_int_eq(fnd_at(&sp, 699)->block, 699 * 3);
	ck_assert_int_eq(fnd_at(&sp, 3)->block, 9);
	ck_assert_str_eq(fnd_at(&sp, 3)->message, fnd_at(&mem, 3)->message);
	fnd_free(&sp);
	fnd_free(&mem);
	ck_assert_int_eq(open_stores(tmp), 0);
	unsetenv("TMPDIR");
	rmdir(tmp);
	free(tmp);
}
END_TEST

START_TEST(a_spilled_list_sorts_as_one_in_memory)
{
	findings mem, sp;
	fnd_init(&mem);
	fnd_init(&sp);
	add_both(&mem, &sp, 0, 300);
	fnd_sort(&mem);
	fnd_sort(&sp);
	same_list(&mem, &sp);
	/* guide step, then worst first, stable otherwise */
	for (size_t i = 1; i < fnd_n(&sp); i++) {
		finding a = *fnd_at(&sp, i - 1);
		const finding *b = fnd_at(&sp, i);
		ck_assert(a.step < b->step || (a.step == b->step && a.severity >= b->severity));
	}
	/* findings added after a sort follow the sorted ones, as added... */
	add_both(&mem, &sp, 300, 450);
	same_list(&mem, &sp);
	/* ...until the next sort */
	fnd_sort(&mem);
	fnd_sort(&sp);
	same_list(&mem, &sp);
	fnd_free(&sp);
	fnd_free(&mem);
}
END_TEST

START_TEST(an_amended_finding_is_kept)
{
	findings mem, sp;
	fnd_init(&mem);
	fnd_init(&sp);
	add_both(&mem, &sp, 0, 100);
	findings *both[] = {&mem, &sp};
	for (int k = 0; k < 2; k++) {
		/* the last one, not moved to the store yet, first */
		fnd_set_detail(fnd_edit(both[k], 99), "amended detail");
		for (size_t i = 0; i < 100; i += 7) {
			finding *f = fnd_edit(both[k], i);
			fnd_set_observation(f, "amended");
			f->block = 4242;
			free(f->message);
			f->message = xstrdup("amended message");
		}
		add_one(both[k], 100); /* an amendment is written back before an add */
	}
	same_list(&mem, &sp);
	ck_assert_str_eq(fnd_at(&sp, 14)->observation, "amended");
	ck_assert_str_eq(fnd_at(&sp, 14)->message, "amended message");
	ck_assert_int_eq(fnd_at(&sp, 14)->block, 4242);
	ck_assert_str_eq(fnd_at(&sp, 99)->detail, "amended detail");
	fnd_free(&sp);
	fnd_free(&mem);
}
END_TEST

/* dst (from..to) + src (from2..to2), each in memory or spilled. */
static void append_case(bool dst_spilled, bool src_spilled, size_t to, size_t to2)
{
	findings ref, ref2, dst, src;
	fnd_init(&ref), fnd_init(&ref2), fnd_init(&dst), fnd_init(&src);
	budget("1000000000");
	add_range(&ref, 0, to);
	add_range(&ref2, 1000, 1000 + to2);
	fnd_append(&ref, &ref2);
	budget(dst_spilled ? "1" : "1000000000");
	add_range(&dst, 0, to);
	budget(src_spilled ? "1" : "1000000000");
	add_range(&src, 1000, 1000 + to2);
	budget("1");
	fnd_append(&dst, &src);
	ck_assert_uint_eq(fnd_n(&src), 0);
	same_list(&ref, &dst);
	/* and both can still grow and sort */
	add_one(&ref, 5000);
	add_one(&dst, 5000);
	fnd_sort(&ref);
	fnd_sort(&dst);
	same_list(&ref, &dst);
	fnd_free(&ref), fnd_free(&ref2), fnd_free(&dst), fnd_free(&src);
}

START_TEST(append_across_spilled_lists)
{
	append_case(false, true, 40, 200); /* spilled into memory */
	append_case(true, false, 200, 40); /* memory into spilled */
	append_case(true, true, 200, 150); /* spilled into spilled */
	append_case(false, true, 0, 150);  /* into an empty list: the store changes hands */
	append_case(true, true, 150, 0);   /* nothing to append */
}
END_TEST

static bool odd_block(const finding *f, void *ud)
{
	(void)ud;
	return f->block % 2 == 1;
}

/* fnd_remove_if: the others stay, in order, every field, in memory and
 * spilled alike; a list with nothing to remove is left as it is. */
START_TEST(removed_findings_leave_the_rest_in_order)
{
	char *tmp = sd_test_tmpdir();
	setenv("TMPDIR", tmp, 1);
	findings mem, sp, want;
	fnd_init(&mem);
	fnd_init(&sp);
	fnd_init(&want);
	add_both(&mem, &sp, 0, 300);
	budget("1000000000");
	for (size_t i = 0; i < 300; i++)
		if (fnd_at(&mem, i)->block % 2 != 1)
			fnd_add_copy(&want, fnd_at(&mem, i));
	ck_assert_uint_lt(fnd_n(&want), 300);
	fnd_remove_if(&mem, odd_block, NULL);
	fnd_remove_if(&sp, odd_block, NULL);
	same_list(&mem, &want);
	same_list(&sp, &want);
	size_t n = fnd_n(&mem);
	fnd_remove_if(&mem, odd_block, NULL);
	ck_assert_uint_eq(fnd_n(&mem), n);
	fnd_free(&mem);
	fnd_free(&sp);
	fnd_free(&want);
	unsetenv("TMPDIR");
	rmdir(tmp);
	free(tmp);
}
END_TEST

START_TEST(no_room_for_the_store_is_an_error_not_a_short_list)
{
	char *tmp = sd_test_tmpdir();
	/* a folder that is not there: the store cannot be made */
	budget("1");
	setenv("TMPDIR", "/nonexistent-syncdoctor-dir", 1);
	findings l;
	fnd_init(&l);
	add_range(&l, 0, 50);
	sd_error err;
	ck_assert_int_eq(fnd_status(&l, &err), SD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent-syncdoctor-dir"));
	ck_assert_ptr_nonnull(strstr(err.msg, "findings"));
	ck_assert_uint_eq(fnd_n(&l), 0); /* dropped, and said */
	fnd_sort(&l);
	ck_assert(!fnd_has(&l, FND_MEDIA_ORPHAN));
	fnd_free(&l);

	/* a full disk: writes past a file size limit fail (EFBIG) */
	setenv("TMPDIR", tmp, 1);
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit old, small = {64 << 10, 64 << 10};
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	findings big, other;
	fnd_init(&big);
	fnd_init(&other);
	add_range(&big, 0, 5000);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	ck_assert_int_eq(fnd_status(&big, &err), SD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, tmp));
	ck_assert_ptr_nonnull(strstr(err.msg, "could not be written"));
	ck_assert_uint_eq(fnd_n(&big), 0);
	add_one(&big, 1); /* still no crash, still said */
	ck_assert_uint_eq(fnd_n(&big), 0);
	/* the failure passes on with the findings */
	add_one(&other, 1);
	fnd_append(&other, &big);
	ck_assert_int_eq(fnd_status(&other, NULL), SD_ERR_IO);
	ck_assert_uint_eq(fnd_n(&other), 0);
	fnd_free(&big);
	fnd_free(&other);
	ck_assert(dir_empty(tmp));
	unsetenv("TMPDIR");
	rmdir(tmp);
	free(tmp);
}
END_TEST

/* The budget is read from the environment once, not at every finding
 * added: a change after that read changes nothing until it is read again. */
START_TEST(the_budget_is_read_once)
{
	budget("1");
	setenv("SYNCDOCTOR_FINDINGS_BUDGET", "1000000000", 1); /* not read again */
	findings l;
	fnd_init(&l);
	add_range(&l, 0, 3);
	ck_assert_ptr_nonnull(l.store); /* still the budget of 1 */
	ck_assert_uint_eq(fnd_n(&l), 3);
	fnd_free(&l);
	fnd_budget_reload(); /* now it is */
	fnd_init(&l);
	add_range(&l, 0, 3);
	ck_assert_ptr_null(l.store);
	fnd_free(&l);
}
END_TEST

/* The wizard has no options: no advice it shows names one (a code whose
 * advice does gets a wizard sentence of its own); the CLI's is the table's. */
START_TEST(the_wizard_advice_names_no_option)
{
	size_t own = 0;
	for (int c = 0; c < FND_COUNT; c++) {
		const char *cli = fnd_advice_for((fnd_code)c, SD_FRONT_CLI);
		const char *wiz = fnd_advice_for((fnd_code)c, SD_FRONT_WIZARD);
		const char *table = fnd_advice((fnd_code)c);
		ck_assert_ptr_eq(cli, table);
		if (!wiz)
			continue;
		ck_assert_msg(!strstr(wiz, "--") && !strstr(wiz, "syncdoctor rebuild") &&
		                  !strstr(wiz, "syncdoctor env"),
		              "%s: the wizard's advice names an option: %s",
		              fnd_info((fnd_code)c)->code, wiz);
		own += wiz != table;
	}
	ck_assert_uint_eq(own, 6);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("findings");
	TCase *tc = tcase_create("findings");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_spilled_list_reads_back_every_field_in_order);
	tcase_add_test(tc, a_spilled_list_sorts_as_one_in_memory);
	tcase_add_test(tc, an_amended_finding_is_kept);
	tcase_add_test(tc, append_across_spilled_lists);
	tcase_add_test(tc, removed_findings_leave_the_rest_in_order);
	tcase_add_test(tc, no_room_for_the_store_is_an_error_not_a_short_list);
	tcase_add_test(tc, the_budget_is_read_once);
	tcase_add_test(tc, the_wizard_advice_names_no_option);
	suite_add_tcase(s, tc);
	return sd_test_run(s);
}
