/* mkdb: build a Mapeo database folder from a sync file's feeds, for the
 * shell tests (the same code as the unit tests, dbfixture.h).
 *
 *   mkdb [--resign] [--own] [--key HEX] [--epoch FEED BLOCK] [--no-media]
 *        [--secret-out FILE] SYNCFILE USERDATA
 *   mkdb --temp [--packed [--unpacked-too] [--cut N]] SYNCFILE DIR
 *                                a leftover osm-p2p-syncfile-* folder: its
 *                                database unpacked (multifeed/), or packed
 *                                (osm-p2p-db.tar, the file's own; --cut N:
 *                                its first N bytes only), or both */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbfixture.h"

int main(int argc, char **argv)
{
	dbfx_options o = {.epoch_feed = -1};
	const char *secret_out = NULL;
	bool temp = false, packed = false, unpacked_too = false;
	long cut = -1;
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
		} else if (!strcmp(argv[i], "--temp"))
			temp = true;
		else if (!strcmp(argv[i], "--packed"))
			packed = true;
		else if (!strcmp(argv[i], "--unpacked-too"))
			unpacked_too = true;
		else if (!strcmp(argv[i], "--cut") && i + 1 < argc)
			cut = atol(argv[++i]);
		else {
			fprintf(stderr, "mkdb: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (i + 2 != argc) {
		fprintf(stderr, "usage: mkdb [options] SYNCFILE USERDATA\n");
		return 2;
	}
	if (temp && packed)
		dbfx_build_packed(argv[i], argv[i + 1], unpacked_too, cut);
	else if (temp)
		dbfx_build_temp(argv[i], argv[i + 1]);
	if (temp)
		return 0;
	uint8_t secret[64];
	dbfx_build(argv[i], argv[i + 1], &o, secret);
	if (secret_out) {
		FILE *f = fopen(secret_out, "wb");
		if (!f || fwrite(secret, 1, 64, f) != 64 || fclose(f) != 0)
			return 2;
	}
	return 0;
}
