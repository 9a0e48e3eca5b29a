/* mkdb: build a Mapeo database folder from a sync file's feeds, for the
 * shell tests (the same code as the unit tests, dbfixture.h).
 *
 *   mkdb [--resign] [--own] [--key HEX] [--epoch FEED BLOCK] [--no-media]
 *        [--secret-out FILE] SYNCFILE USERDATA
 *   mkdb --temp SYNCFILE DIR     a leftover osm-p2p-syncfile-* folder */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbfixture.h"

int main(int argc, char **argv)
{
	dbfx_options o = {.epoch_feed = -1};
	const char *secret_out = NULL;
	int i = 1;
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--resign"))
			o.resign = true;
		else if (!strcmp(argv[i], "--own"))
			o.own = true;
		else if (!strcmp(argv[i], "--no-media"))
			o.no_media = true;
		else if (!strcmp(argv[i], "--key") && i + 1 < argc)
			o.project_key_hex = argv[++i];
		else if (!strcmp(argv[i], "--secret-out") && i + 1 < argc)
			secret_out = argv[++i];
		else if (!strcmp(argv[i], "--epoch") && i + 2 < argc) {
			o.epoch_feed = atoi(argv[++i]);
			o.epoch_block = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--temp") && i + 2 < argc) {
			dbfx_build_temp(argv[i + 1], argv[i + 2]);
			return 0;
		} else {
			fprintf(stderr, "mkdb: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (i + 2 != argc) {
		fprintf(stderr, "usage: mkdb [options] SYNCFILE USERDATA\n");
		return 2;
	}
	uint8_t secret[64];
	dbfx_build(argv[i], argv[i + 1], &o, secret);
	if (secret_out) {
		FILE *f = fopen(secret_out, "wb");
		if (!f || fwrite(secret, 1, 64, f) != 64 || fclose(f) != 0)
			return 2;
	}
	return 0;
}
