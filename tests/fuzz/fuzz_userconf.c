/* syncdoctor's own YAML configuration (userconf.h): any bytes load into
 * settings or warnings, never a crash. */
#include "config.h"

#include <unistd.h>

#include "fuzz.h"
#include "userconf.h"

const char *const fuzz_name = "userconf";
const char *const fuzz_seeds[] = {"../../contrib/config.yaml", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = fuzz_tmpfile(data, size);
	ucf_config c;
	ucf_init(&c);
	ucf_load_file(&c, p);
	ucf_free(&c);
	unlink(p);
	return 0;
}
