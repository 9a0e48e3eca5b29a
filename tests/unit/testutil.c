#include "config.h"

#include "testutil.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

char *sd_test_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	snprintf(tmpl, sizeof tmpl, "%s/sdtest-XXXXXX", t && *t ? t : "/tmp");
	char *d = mkdtemp(tmpl);
	ck_assert_msg(d != NULL, "mkdtemp failed");
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
