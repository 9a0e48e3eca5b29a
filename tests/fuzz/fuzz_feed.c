/* Hypercore feed verification: the input is cut into key, tree,
 * signatures, bitfield and data files by its first bytes. */
#include "config.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
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
	findings fl;
	fnd_init(&fl);
	feed_result res;
	feed_verify(&src, 0, &res, &fl, NULL, NULL, NULL, NULL);
	fnd_free(&fl);
	return 0;
}
