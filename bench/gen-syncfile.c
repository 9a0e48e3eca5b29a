/* gen-syncfile: write a large, valid sync file in upstream's layout with
 * syncdoctor's own writer (sfwrite, feedwrite), for the benchmark.
 *
 * usage: gen-syncfile OUT [FEEDS [OBSERVATIONS [PHOTOS [PHOTO_BYTES]]]]
 * defaults: 10 feeds, 100000 observations, 5000 photos of 190000 bytes
 * (each photo has original, preview and thumbnail members), about 1.1 GiB. */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedwrite.h"
#include "io.h"
#include "keys.h"
#include "sfwrite.h"
#include "strbuf.h"

/* A complete JPEG of exactly size bytes: SOI, comment segments of
 * pseudo-random bytes, EOI. */
typedef struct jpeg_ctx {
	uint64_t size;
	uint32_t seed;
} jpeg_ctx;

static sd_status jpeg_read(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	(void)err;
	jpeg_ctx *j = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		uint64_t o = off + i;
		uint8_t b;
		if (o == 0)
			b = 0xFF;
		else if (o == 1)
			b = 0xD8;
		else if (o >= j->size - 2)
			b = o == j->size - 2 ? 0xFF : 0xD9;
		else {
			/* segments of 60000 bytes: FF FE len(2) then payload */
			uint64_t s = (o - 2) % 60000;
			uint64_t seg_start = o - s;
			uint64_t seg_len =
			    j->size - 2 - seg_start < 60000 ? j->size - 2 - seg_start : 60000;
			if (s == 0)
				b = 0xFF;
			else if (s == 1)
				b = 0xFE;
			else if (s == 2)
				b = (uint8_t)((seg_len - 2) >> 8);
			else if (s == 3)
				b = (uint8_t)(seg_len - 2);
			else
				b = (uint8_t)((o * 2654435761u + j->seed) >> 13);
		}
		p[i] = b;
	}
	return SD_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
		        "usage: gen-syncfile OUT [FEEDS [OBSERVATIONS [PHOTOS [PHOTO_BYTES]]]]\n");
		return 1;
	}
	int feeds = argc > 2 ? atoi(argv[2]) : 10;
	long obs = argc > 3 ? atol(argv[3]) : 100000;
	long photos = argc > 4 ? atol(argv[4]) : 5000;
	uint64_t psize = argc > 5 ? strtoull(argv[5], NULL, 10) : 190000;
	if (sodium_init() < 0 || feeds < 1 || psize < 64)
		return 1;
	sd_output *o;
	sd_error err;
	if (sdout_open(argv[1], true, &o, &err) != SD_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	sfw *w = sfw_begin(o, 1795500000);
	char(*ids)[37] = calloc((size_t)photos + 1, 37);
	static const char *const kinds[] = {"thumbnail", "preview", "original"};
	for (long p = 0; p < photos; p++) {
		uint8_t r[16];
		randombytes_buf(r, sizeof r);
		keys_hex(r, 16, ids[p]);
		strcat(ids[p], ".jpg");
		for (int k = 0; k < 3; k++) {
			char name[64];
			snprintf(name, sizeof name, "%s/%s", kinds[k], ids[p]);
			jpeg_ctx j = {k == 2   ? psize
			              : k == 1 ? psize / 8
			                       : psize / 64,
			              (uint32_t)(p * 3 + k)};
			if (j.size < 64)
				j.size = 64;
			if (sfw_add(w, name, j.size, jpeg_read, &j, &err) != SD_OK)
				goto fail;
		}
	}
	/* the feeds, kept in memory one at a time */
	uint64_t *sizes = calloc((size_t)feeds * 5, sizeof *sizes);
	uint8_t **files = calloc((size_t)feeds * 5, sizeof *files);
	long next_photo = 0;
	for (int f = 0; f < feeds; f++) {
		uint8_t pk[32], sk[64];
		crypto_sign_keypair(pk, sk);
		fwb *b = fwb_new();
		strbuf data = SB_INIT;
		long n = obs / feeds + (f < obs % feeds);
		for (long i = 0; i < n; i++) {
			uint8_t idb[8];
			randombytes_buf(idb, sizeof idb);
			char id[17];
			keys_hex(idb, 8, id);
			size_t start = data.len;
			sb_printf(
			    &data,
			    "{\"type\":\"observation\",\"lat\":%.7f,\"lon\":%.7f,\"attachments\":[",
			    -10 + (double)(i % 1000) / 100, -70 + (double)(i % 777) / 100);
			if (next_photo < photos && i % 2 == 0)
				sb_printf(&data, "{\"id\":\"%s\",\"type\":\"image/jpeg\"}",
				          ids[next_photo++]);
			sb_printf(
			    &data,
			    "],\"tags\":{\"categoryId\":\"river\",\"notes\":\"observation %ld of "
			    "feed "
			    "%d\"},\"metadata\":{\"manualLocation\":false},\"schemaVersion\":3,"
			    "\"timestamp\":\"2026-11-20T10:%02ld:%02ld.000Z\",\"created_at\":"
			    "\"2026-11-20T10:%02ld:%02ld.000Z\",\"id\":\"%s\",\"links\":[]}\n",
			    i, f, (i / 60) % 60, i % 60, (i / 60) % 60, i % 60, id);
			fwb_append(b, (const uint8_t *)data.s + start, data.len - start);
		}
		size_t tl, sl, bl;
		files[f * 5 + 0] = malloc(32);
		memcpy(files[f * 5 + 0], pk, 32);
		sizes[f * 5 + 0] = 32;
		files[f * 5 + 1] = fwb_tree(b, &tl);
		sizes[f * 5 + 1] = tl;
		files[f * 5 + 2] = fwb_signatures(b, sk, &sl);
		sizes[f * 5 + 2] = sl;
		files[f * 5 + 3] = fwb_bitfield(b, &bl);
		sizes[f * 5 + 3] = bl;
		sizes[f * 5 + 4] = data.len;
		files[f * 5 + 4] = (uint8_t *)sb_take(&data);
		fwb_free(b);
	}
	static const char *const fnames[] = {"key", "tree", "signatures", "bitfield", "data"};
	if (sfw_db_begin(w, sfw_inner_size(sizes, (size_t)feeds * 5), &err) != SD_OK)
		goto fail;
	for (int f = 0; f < feeds; f++)
		for (int k = 0; k < 5; k++) {
			char name[32];
			snprintf(name, sizeof name, "%d/%s", f, fnames[k]);
			if (sfw_db_add_buf(w, name, files[f * 5 + k], (size_t)sizes[f * 5 + k],
			                   &err) != SD_OK)
				goto fail;
		}
	if (sfw_db_end(w, &err) != SD_OK)
		goto fail;
	/* GEN_PROJECT_KEY sets the project (hex); otherwise a random one */
	uint8_t project[32];
	randombytes_buf(project, sizeof project);
	char ph[65], dk[65];
	keys_hex(project, 32, ph);
	if (getenv("GEN_PROJECT_KEY") && strlen(getenv("GEN_PROJECT_KEY")) == 64)
		snprintf(ph, sizeof ph, "%s", getenv("GEN_PROJECT_KEY"));
	keys_discovery_hex(ph, dk);
	if (sfw_finish(w, "kappa-osm", dk, &err) != SD_OK) {
		sdout_abort(o);
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (sdout_commit(o, NULL, NULL, &err) != SD_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("%s: %d feeds, %ld observations, %ld photos\n", argv[1], feeds, obs, photos);
	return 0;
fail:
	fprintf(stderr, "%s\n", err.msg);
	sfw_abort(w);
	sdout_abort(o);
	return 1;
}
