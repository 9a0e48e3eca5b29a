/* replay.c: run a fuzz target's entry point over its seeds and saved
 * corpus (tests/fuzz/corpus/<name>/: every crash found becomes a file
 * there) without libFuzzer, so make check replays them under gcc. Each
 * input is one TAP test: it passes when the target returns. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int n;

static void run(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("not ok %d - %s: cannot open\n", ++n, path);
		return;
	}
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
	size_t got = fread(buf, 1, (size_t)(len > 0 ? len : 0), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, got);
	/* and every prefix cut at a few places: truncation is the common damage */
	for (int k = 1; k <= 4; k++)
		LLVMFuzzerTestOneInput(buf, got * (size_t)k / 5);
	free(buf);
	printf("ok %d - %s replays %s\n", ++n, fuzz_name, path);
}

int main(void)
{
	const char *data = getenv("SD_TEST_DATA");
	const char *top = getenv("top_srcdir");
	char path[4096];
	for (const char *const *s = fuzz_seeds; *s; s++) {
		snprintf(path, sizeof path, "%s/%s", data ? data : TEST_DATA_DIR, *s);
		run(path);
	}
	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/%s", top ? top : ".", fuzz_name);
	DIR *d = opendir(path);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			char p[8192];
			snprintf(p, sizeof p, "%s/%s", path, de->d_name);
			run(p);
		}
		closedir(d);
	}
	if (n == 0)
		printf("ok 1 - %s has no seeds yet # SKIP\n", fuzz_name), n = 1;
	printf("1..%d\n", n);
	return 0;
}
