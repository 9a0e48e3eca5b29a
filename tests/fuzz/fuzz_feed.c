/* Hypercore feed verification: the input is cut into key, tree,
 * signatures, bitfield and data files by its first bytes. With the first
 * byte odd, the feed is this computer's own: a fixed secret key is read
 * for it, and its public half replaces the key file (the signature made
 * again, feed.c's remake_signature()). */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "feed.h"
#include "fuzz.h"

const char *const fuzz_name = "feed";
const char *const fuzz_seeds[] = {NULL};

typedef struct mem {
	const uint8_t *p;
	size_t n;
} mem;

static sd_status rd(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	mem *m = ctx;
	if (off > m->n || len > m->n - off)
		return sd_error_set(err, SD_ERR_FORMAT, "beyond");
	memcpy(buf, m->p + off, len);
	return SD_OK;
}

/* A fixed key pair: seed 0x01 x 32. */
static uint8_t own_pk[32], own_sk[64];
static bool own_ready;

static bool own_secret(void *ctx, uint8_t sk[64])
{
	(void)ctx;
	memcpy(sk, own_sk, 64);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	bool own = data[0] & 1;
	if (own && !own_ready) {
		uint8_t seed[32];
		memset(seed, 1, sizeof seed);
		if (sodium_init() < 0 || crypto_sign_seed_keypair(own_pk, own_sk, seed) != 0)
			return 0;
		own_ready = true;
	}
	size_t cut[4];
	for (int i = 0; i < 4; i++)
		cut[i] = (size_t)(data[2 * i] | data[2 * i + 1] << 8);
	data += 8, size -= 8;
	const uint8_t *parts[5];
	size_t lens[5];
	for (int i = 0; i < 4; i++) {
		size_t n = cut[i] < size ? cut[i] : size;
		parts[i] = data, lens[i] = n;
		data += n, size -= n;
	}
	parts[4] = data, lens[4] = size;
	mem dm = {parts[4], lens[4]};
	feed_source src = {.dir = "0",
	                   .key = parts[0],
	                   .key_len = lens[0],
	                   .tree = parts[1],
	                   .tree_len = lens[1],
	                   .has_tree = true,
	                   .signatures = parts[2],
	                   .signatures_len = lens[2],
	                   .has_signatures = true,
	                   .bitfield = parts[3],
	                   .bitfield_len = lens[3],
	                   .has_bitfield = true,
	                   .data_size = lens[4],
	                   .read_data = rd,
	                   .ctx = &dm};
	if (own) {
		src.key = own_pk, src.key_len = 32;
		src.read_secret_key = own_secret;
	}
	findings fl;
	fnd_init(&fl);
	feed_result res;
	feed_verify(&src, 0, &res, &fl, NULL, NULL, NULL, NULL);
	fnd_free(&fl);
	return 0;
}
