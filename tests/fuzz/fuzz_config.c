/* Configurations: tar and ZIP containers, their JSON members. */
#include "config.h"

#include <unistd.h>

#include "fuzz.h"
#include "configuration.h"

const char *const fuzz_name = "config";
const char *const fuzz_seeds[] = {"config-A.mapeosettings", "config-no-key.v3-tar.mapeosettings",
                                  NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = fuzz_tmpfile(data, size);
	findings fl;
	fnd_init(&fl);
	mapeo_config *c = NULL;
	if (cfg_open(p, &c, &fl, NULL) == SD_OK)
		cfg_free(c);
	fnd_free(&fl);
	unlink(p);
	return 0;
}
