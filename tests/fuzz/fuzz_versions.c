/* The version table (YAML, versions.h): load from any bytes and look a
 * few releases up. A table that loads must be freed cleanly; a bad one
 * is an error naming the file, never a crash. */
#include "config.h"

#include <unistd.h>

#include "fuzz.h"
#include "versions.h"

const char *const fuzz_name = "versions";
const char *const fuzz_seeds[] = {"../../data/mapeo-versions.yaml", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = fuzz_tmpfile(data, size);
	ver_table *t = NULL;
	sd_error err = {0};
	if (ver_table_load(p, &t, &err) == SD_OK) {
		static const char *const v[] = {"4.0.0", "5.2.1", "5.6", "9999.0.0-beta", "", "x"};
		for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
			const ver_release *r = ver_find(t, v[i]);
			if (r)
				(void)ver_reads(r, "kappa-osm-v2");
		}
		ver_table_free(t);
	}
	unlink(p);
	return 0;
}
