/* replay.c: run a fuzz target's entry point over its seeds and saved
 * corpus (tests/fuzz/corpus/<name>/: every crash found becomes a file
 * there) without libFuzzer, so make check replays them under gcc.
 *
 * Each input runs whole and cut at 1/5 .. 4/5 of its length (truncation
 * is the common damage), each run in a child process so that a crash is
 * reported as one failed TAP test naming the input and the run goes on.
 * A failure listed in tests/fuzz/known-bugs ("TARGET INPUT K/5 why") is
 * reported as TODO: an expected failure until it is fixed, and then an
 * unexpected pass that asks for the line to be removed. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

static int n;
static char *known; /* the known-bugs file, or NULL */

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The reason given in known-bugs for this input and cut, or NULL. */
static const char *known_bug(const char *input, int k, char *why, size_t whylen)
{
	if (!known)
		return NULL;
	char key[1024];
	snprintf(key, sizeof key, "%s %s %d/5 ", fuzz_name, base(input), k);
	for (const char *line = known; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > strlen(key) && strncmp(line, key, strlen(key)) == 0) {
			size_t w = len - strlen(key);
			if (w >= whylen)
				w = whylen - 1;
			memcpy(why, line + strlen(key), w);
			why[w] = '\0';
			return why;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

static void run_cut(const char *path, const uint8_t *buf, size_t len, int k)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		LLVMFuzzerTestOneInput(buf, len);
		_exit(0);
	}
	int st = -1;
	if (pid > 0)
		waitpid(pid, &st, 0);
	int good = pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	char why[512];
	const char *bug = known_bug(path, k, why, sizeof why);
	printf("%s %d - %s: %s (%zu bytes, %d/5)", good ? "ok" : "not ok", ++n, fuzz_name, path,
	       len, k);
	if (!good && WIFSIGNALED(st))
		printf(" crashed with signal %d", WTERMSIG(st));
	else if (!good)
		printf(" failed");
	if (bug)
		printf(" # TODO known bug: %s", bug);
	printf("\n");
}

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
	for (int k = 5; k >= 1; k--)
		run_cut(path, buf, got * (size_t)k / 5, k);
	free(buf);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = calloc(1, len > 0 ? (size_t)len + 1 : 1);
	if (len > 0 && fread(s, 1, (size_t)len, f) != (size_t)len)
		s[0] = '\0';
	fclose(f);
	return s;
}

int main(void)
{
	const char *data = getenv("SD_TEST_DATA");
	const char *top = getenv("top_srcdir");
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/fuzz/known-bugs", top ? top : ".");
	known = slurp(path);
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
	free(known);
	return 0;
}
