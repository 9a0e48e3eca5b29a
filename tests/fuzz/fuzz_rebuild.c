/* The rebuild planner end to end: parse, plan, write, re-parse. A plan
 * that was made must be writable, and rebuild_write() reads the written
 * file back and compares it with the plan: a disagreement (SD_ERR_FORMAT)
 * is a bug, so it aborts here. The plain rebuild, then the salvage with
 * the rescue, for the configuration of project A so the project can
 * always be told. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "rebuild.h"

const char *const fuzz_name = "rebuild";
const char *const fuzz_seeds[] = {"good-project-A.mapeodata", "edge-empty-device-A.mapeodata",
                                  "good-no-key.mapeodata", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = fuzz_tmpfile(data, size);
	char out[300];
	snprintf(out, sizeof out, "%s.out", p);
	const char *d = getenv("SD_TEST_DATA");
	char cfg[4096];
	snprintf(cfg, sizeof cfg, "%s/config-A.v3-tar.mapeosettings", d && *d ? d : TEST_DATA_DIR);
	/* the plain rebuild (which refuses what it would not keep whole),
	 * then the salvage with the rescue */
	for (int salvage = 0; salvage < 2; salvage++) {
		rebuild_options opt = {.config_path = cfg,
		                       .no_auto_config = true,
		                       .salvage = salvage,
		                       .rescue = salvage,
		                       .force = true};
		rebuild_plan *plan = NULL;
		sd_error err = {0};
		if (rebuild_plan_make(p, &opt, NULL, &plan, &err) == SD_OK) {
			sd_status st = rebuild_write(plan, out, &opt, NULL, &err);
			rebuild_plan_free(plan);
			if (st == SD_ERR_FORMAT) {
				fprintf(stderr, "fuzz_rebuild (%s): %s\n",
				        salvage ? "salvage" : "plain", err.msg);
				abort();
			}
		}
		unlink(out);
	}
	unlink(p);
	return 0;
}
