/* gen-syncfile: write a large, valid sync file in upstream's layout with
 * syncdoctor's own writer (sfwrite, feedwrite), for the benchmark.
 *
 * usage: gen-syncfile OUT [FEEDS [OBSERVATIONS [PHOTOS [PHOTO_BYTES]]]]
 * defaults: the shape of a real 31 MB file written by @mapeo/core 8.6.2:
 * 3 feeds, 5,000 observations (about 750 bytes of JSON each, one in fifty
 * an edit of an earlier one), 600 photos whose originals are about 36,000
 * bytes (each with a preview 1/5 and a thumbnail 1/17 of that), about
 * 31 MB. */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedwrite.h"
#include "io.h"
#include "keys.h"
#include "sfwrite.h"
#include "strbuf.h"

/* A baseline JPEG of exactly size bytes, laid out as a camera writes one:
 * SOI, APP0 JFIF, APP1 Exif, two DQT, SOF0, four DHT, DRI, SOS,
 * entropy-coded data, EOI. The entropy-coded data is pseudo-random with
 * 0xFF bytes where real scans have them (each stuffed with 0x00) and a
 * restart marker every 4 KiB, so a checker walks it as it walks a real
 * photo; the bench once used comment segments, which a checker skips. */
typedef struct jpeg_ctx {
	uint64_t size;
	uint32_t seed;
} jpeg_ctx;

static uint8_t jpeg_head[1400];
static size_t jpeg_head_len;

static void seg(uint8_t code, size_t payload, uint8_t fill)
{
	uint8_t *p = jpeg_head + jpeg_head_len;
	p[0] = 0xFF, p[1] = code;
	p[2] = (uint8_t)((payload + 2) >> 8), p[3] = (uint8_t)(payload + 2);
	memset(p + 4, fill, payload);
	jpeg_head_len += 4 + payload;
}

static void jpeg_init(void)
{
	jpeg_head[0] = 0xFF, jpeg_head[1] = 0xD8;
	jpeg_head_len = 2;
	seg(0xE0, 14, 0x01);  /* JFIF */
	seg(0xE1, 700, 0x2A); /* Exif: camera, time, GPS */
	seg(0xDB, 65, 0x10);  /* quantisation tables */
	seg(0xDB, 65, 0x11);
	seg(0xC0, 15, 0x03); /* frame */
	seg(0xC4, 29, 0x00); /* Huffman tables */
	seg(0xC4, 179, 0x01);
	seg(0xC4, 29, 0x10);
	seg(0xC4, 179, 0x11);
	seg(0xDD, 2, 0x00);  /* restart interval */
	seg(0xDA, 10, 0x01); /* start of scan */
}

/* Byte o of the entropy-coded data: in each 4 KiB, pairs of bytes; a pair
 * is FF 00 about once in 128 pairs, else two bytes other than FF; the last
 * pair is a restart marker FF Dn. */
static uint8_t scan_byte(const jpeg_ctx *j, uint64_t o)
{
	uint64_t r = o % 4096;
	if (r >= 4094)
		return r == 4094 ? 0xFF : (uint8_t)(0xD0 + (o / 4096) % 8);
	uint32_t x = (uint32_t)(o / 2) * 2654435761u ^ j->seed;
	x ^= x >> 15;
	x *= 2246822519u;
	x ^= x >> 13;
	if ((x & 127) == 0)
		return o % 2 ? 0x00 : 0xFF;
	uint8_t b = (uint8_t)(o % 2 ? x >> 8 : x >> 16);
	return b == 0xFF ? 0xFE : b;
}

static sd_status jpeg_read(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	(void)err;
	jpeg_ctx *j = ctx;
	uint8_t *p = buf;
	uint64_t scan_end = j->size - 2;
	for (size_t i = 0; i < len; i++) {
		uint64_t o = off + i;
		if (o < jpeg_head_len)
			p[i] = jpeg_head[o];
		else if (o >= scan_end)
			p[i] = o == scan_end ? 0xFF : 0xD9;
		else if (o == scan_end - 1 && scan_byte(j, o - jpeg_head_len) == 0xFF)
			p[i] = 0x00; /* never leave an FF before EOI */
		else
			p[i] = scan_byte(j, o - jpeg_head_len);
	}
	return SD_OK;
}

/* Observation JSON as Mapeo Mobile writes it (the key order and the
 * metadata of the blocks in tests/data, about 750 bytes), with varied
 * values. */
static const char *const categories[] = {"community",     "threat",        "camp", "river",
                                         "animal-tracks", "fishing-place", "tree"};
static const char *const notes[] = {"\xc3\x81rbol de ceibo, ~30 m de altura",
                                    "Quote \\\" and backslash \\\\ inside", "Plain ASCII note",
                                    "Trocha nueva hacia el r\xc3\xado, \xc3\xa1rea de caza",
                                    "Acampamento perto da cachoeira"};

static void observation(strbuf *sb, uint64_t n, const char *id, const char *atts, const char *links,
                        int64_t ms)
{
	double lat = -2 + (double)(n * 7919 % 40000) / 10000.0;
	double lon = -78 + (double)(n * 104729 % 40000) / 10000.0;
	int64_t s = ms / 1000;
	char when[96];
	struct tm tm;
	time_t t = (time_t)s;
	gmtime_r(&t, &tm);
	snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	sb_printf(
	    sb,
	    "{\"lon\":%.7f,\"lat\":%.7f,\"attachments\":[%s],\"tags\":{\"categoryId\":\"%s\","
	    "\"place\":\"hamlet\",\"notes\":\"%s\"},\"metadata\":{\"manualLocation\":false,"
	    "\"location\":{\"error\":false,\"permissions\":\"granted\",\"provider\":{"
	    "\"backgroundModeEnabled\":true,\"gpsAvailable\":true,\"passiveAvailable\":true,"
	    "\"locationServicesEnabled\":true,\"networkAvailable\":%s},\"position\":{"
	    "\"timestamp\":%lld,\"mocked\":false,\"coords\":{\"latitude\":%.7f,\"longitude\":"
	    "%.7f,\"altitude\":%.1f,\"accuracy\":%.1f,\"heading\":0,\"speed\":0}}}},"
	    "\"schemaVersion\":3,\"type\":\"observation\",\"timestamp\":\"%s\",\"created_at\":"
	    "\"%s\",\"id\":\"%s\",\"links\":[%s]}\n",
	    lon, lat, atts, categories[n % 7], notes[n % 5], n % 3 ? "true" : "false",
	    (long long)(ms - 60000), lat, lon, (double)(n % 30000) / 10, 3 + (double)(n % 250) / 10,
	    when, when, id, links);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
		        "usage: gen-syncfile OUT [FEEDS [OBSERVATIONS [PHOTOS [PHOTO_BYTES]]]]\n");
		return 1;
	}
	int feeds = argc > 2 ? atoi(argv[2]) : 3;
	long obs = argc > 3 ? atol(argv[3]) : 5000;
	long photos = argc > 4 ? atol(argv[4]) : 600;
	uint64_t psize = argc > 5 ? strtoull(argv[5], NULL, 10) : 36000;
	if (sodium_init() < 0 || feeds < 1 || psize < 4096)
		return 1;
	jpeg_init();
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
		/* sizes in the ratio of Mapeo's: original, preview 1/5, thumbnail 1/17 */
		for (int k = 0; k < 3; k++) {
			char name[64];
			snprintf(name, sizeof name, "%s/%s", kinds[k], ids[p]);
			uint64_t size = k == 2 ? psize : k == 1 ? psize / 5 : psize / 17;
			size += (uint64_t)(p * 7919 % 997) * size / 20000; /* +-5% */
			jpeg_ctx j = {size, (uint32_t)(p * 3 + k) * 2654435761u};
			if (sfw_add(w, name, j.size, jpeg_read, &j, &err) != SD_OK)
				goto fail;
		}
	}
	/* the feeds, kept in memory one at a time */
	uint64_t *sizes = calloc((size_t)feeds * 5, sizeof *sizes);
	uint8_t **files = calloc((size_t)feeds * 5, sizeof *files);
	long next_photo = 0, g = 0;
	/* dates before the file's write time (1795500000), as in a real file:
	 * later ones would each be a date-future finding */
	int64_t ms = 1795500000000 - (int64_t)obs * 61000;
	for (int f = 0; f < feeds; f++) {
		uint8_t pk[32], sk[64];
		crypto_sign_keypair(pk, sk);
		char pkh[KEYS_HEX_SIZE];
		keys_hex(pk, 32, pkh);
		fwb *b = fwb_new();
		strbuf data = SB_INIT;
		long n = obs / feeds + (f < obs % feeds);
		char(*fids)[17] = calloc((size_t)n + 1, 17);
		for (long i = 0; i < n; i++, g++) {
			ms += 1000 + (g * 7919) % 60000;
			char atts[200] = "", links[100] = "";
			/* one observation in fifty edits an earlier one */
			if (i >= 10 && i % 50 == 0) {
				long prev = i - 1 - (i * 31) % 10;
				memcpy(fids[i], fids[prev], 17);
				snprintf(links, sizeof links, "\"%s@%ld\"", pkh, prev);
			} else {
				uint8_t idb[8];
				randombytes_buf(idb, sizeof idb);
				keys_hex(idb, 8, fids[i]);
			}
			size_t al = 0;
			while (next_photo < photos && next_photo < (g + 1) * photos / obs) {
				al += (size_t)snprintf(atts + al, sizeof atts - al,
				                       "%s{\"id\":\"%s\",\"type\":\"image/jpeg\"}",
				                       al ? "," : "", ids[next_photo++]);
				if (al > 100)
					break;
			}
			size_t start = data.len;
			observation(&data, (uint64_t)g, fids[i], atts, links, ms);
			fwb_append(b, (const uint8_t *)data.s + start, data.len - start);
		}
		free(fids);
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
	char ph[KEYS_HEX_SIZE], dk[KEYS_HEX_SIZE];
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
