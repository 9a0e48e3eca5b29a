#include "config.h"

#include "sdlimits.h"

#include <stdbool.h>
#include <stdlib.h>

static const struct {
	const char *env;
	uint64_t dflt;
} defaults[SD_LIMIT_COUNT] = {
    [SD_LIMIT_FEEDS] = {"SYNCDOCTOR_LIMIT_FEEDS", 100000},
    [SD_LIMIT_MEMBERS] = {"SYNCDOCTOR_LIMIT_MEMBERS", 2000000},
    [SD_LIMIT_INNER_MEMBERS] = {"SYNCDOCTOR_LIMIT_INNER_MEMBERS", 1000000},
    /* 32 + 80 bytes a block: a 256 MiB tree file */
    [SD_LIMIT_BLOCKS] = {"SYNCDOCTOR_LIMIT_BLOCKS", ((uint64_t)256 << 20) / 80},
    [SD_LIMIT_MEDIA] = {"SYNCDOCTOR_LIMIT_MEDIA", 2000000},
    [SD_LIMIT_KEYS] = {"SYNCDOCTOR_LIMIT_KEYS", 100000},
};

static uint64_t values[SD_LIMIT_COUNT];
static bool loaded;

void sd_limits_reload(void)
{
	for (int k = 0; k < SD_LIMIT_COUNT; k++) {
		values[k] = defaults[k].dflt;
		const char *v = getenv(defaults[k].env);
		if (!v || !*v)
			continue;
		char *end;
		unsigned long long n = strtoull(v, &end, 10);
		/* only ever lowered: the hook must not open the door to huge inputs */
		if (*end == '\0' && n > 0 && n < defaults[k].dflt)
			values[k] = (uint64_t)n;
	}
	loaded = true;
}

uint64_t sd_limit(sd_limit_kind k)
{
	if (!loaded)
		sd_limits_reload();
	return k < SD_LIMIT_COUNT ? values[k] : 0;
}

uint64_t sd_limit_feed_file_bytes(void) { return 32 + sd_limit(SD_LIMIT_BLOCKS) * 80; }
