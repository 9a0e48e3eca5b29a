#include "config.h"

#include "testutil.h"

#include <ftw.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sd_test_run(Suite *s)
{
	setlocale(LC_ALL, "");
	SRunner *sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

const char *sd_test_data(const char *name)
{
	static char buf[PATH_MAX];
	const char *dir = getenv("SD_TEST_DATA");
	if (!dir)
		dir = TEST_DATA_DIR;
	snprintf(buf, sizeof buf, "%s/%s", dir, name);
	return buf;
}

/* The folders sd_test_tmpdir() made, each removed when the process that
 * made it exits: Check forks a process per test, and a fixture's folder,
 * made in the parent before the fork, must outlive the test's child. The
 * suites ran six times a CI run and left every folder behind (hundreds of
 * MiB of journals): a CI machine's disk filled. */
static struct {
	pid_t pid;
	char *path;
} made[256];
static size_t n_made;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void remove_made(void)
{
	for (size_t i = 0; i < n_made; i++) {
		if (made[i].pid == getpid())
			nftw(made[i].path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		free(made[i].path);
	}
	n_made = 0;
}

char *sd_test_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	snprintf(tmpl, sizeof tmpl, "%s/sdtest-XXXXXX", t && *t ? t : "/tmp");
	char *d = mkdtemp(tmpl);
	ck_assert_msg(d != NULL, "mkdtemp failed");
	if (n_made == 0)
		atexit(remove_made);
	if (n_made < sizeof made / sizeof made[0]) {
		made[n_made].pid = getpid();
		made[n_made].path = strdup(d);
		n_made++;
	}
	return strdup(d);
}

uint8_t *sd_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc((size_t)n + 1);
	ck_assert(buf != NULL);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

void sd_test_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot create %s", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

char *sd_test_copy(const char *src, const char *dir, const char *name)
{
	size_t n;
	uint8_t *b = sd_test_slurp(src, &n);
	char *dst = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(dst, "%s/%s", dir, name);
	sd_test_write(dst, b, n);
	free(b);
	return dst;
}
