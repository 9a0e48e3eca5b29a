/* The whole diagnosis of a sync file: outer tar, index JSON, inner tar,
 * feeds, entries, photos. */
#include "config.h"

#include <unistd.h>

#include "diagnosis.h"
#include "feed.h"
#include "fuzz.h"

const char *const fuzz_name = "syncfile";
const char *const fuzz_seeds[] = {"edge-empty-device-A.mapeodata", "good-project-B.mapeodata",
                                  "good-no-key.mapeodata", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* (a second an input where a last signature is damaged: the search
	 * for its one damaged byte is fuzz_rebuild's, with the write) */
	feed_set_mending(false);
	const char *p = fuzz_tmpfile(data, size);
	check_options opt = {.no_auto_config = true};
	sd_report *r = NULL;
	sd_error err;
	if (check_run(p, &opt, NULL, &r, &err) == SD_OK)
		report_free(r);
	unlink(p);
	return 0;
}
