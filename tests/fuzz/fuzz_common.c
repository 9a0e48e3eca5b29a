#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

const char *fuzz_tmpfile(const uint8_t *data, size_t size)
{
	static char path[256];
	if (!path[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/sdfuzz-%ld.bin", t && *t ? t : "/tmp",
		         (long)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	return path;
}
