/* dbfixture.h: build Mapeo database folders in test code from the real
 * fixtures' feeds, in the exact layout of tests/data/desktop-userdata-A
 * (doc/formats.md §10): <userData>/kappa.db/<n>/{key,tree,signatures,bitfield,
 * data}, secret_key and localname ("default") in this computer's own feed,
 * a root feed folder named after the project key (key = the 32 raw key
 * bytes, header-only tree, signatures, bitfield), LevelDB index/ and
 * storage/ files, and photos under media/<kind>/<2 characters>/<id>.
 *
 * Without resign the feeds are the sync file's own bytes and the planted
 * secret_key is random. With resign every feed gets a new key pair (the
 * keys inside entries are replaced to match) and is signed again, as its
 * writer would have: the own feed in every slot, the others in the last;
 * that is what lets a test plant a 1970 date in a feed that still verifies.
 * Every failure aborts the program. */
#ifndef SD_DBFIXTURE_H
#define SD_DBFIXTURE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct dbfx_options {
	bool resign;
	bool own;                    /* feed 0 gets secret_key and localname */
	const char *project_key_hex; /* the root feed folder; NULL: none (multifeed 4.3) */
	int epoch_feed;              /* plant created_at 1970 in this feed (-1: none) */
	long epoch_block;            /*   at this block */
	bool no_media;               /* leave the photos out (a temp folder has none) */
} dbfx_options;

/* Build userdata/kappa.db from the sync file. secret (may be NULL) receives
 * the 64 bytes written as the own feed's secret_key. */
void dbfx_build(const char *sync_path, const char *userdata, const dbfx_options *o,
                uint8_t secret[64]);
/* Build a leftover temporary folder: dir/multifeed/<n>/... (no secret, no
 * root folder, no media), as osm-p2p-syncfile leaves it. */
void dbfx_build_temp(const char *sync_path, const char *dir);
/* The same folder with its database packed, as Mapeo's close leaves it:
 * dir/osm-p2p-db.tar, the sync file's own database member byte for byte,
 * cut to its first cut bytes (cut >= 0: a close that died while packing);
 * unpacked_too: dir/multifeed/ beside it, as dbfx_build_temp() makes it. */
void dbfx_build_packed(const char *sync_path, const char *dir, bool unpacked_too, long cut);

#endif
