#include "config.h"

#include "hypercore.h"

#include <sodium.h>
#include <string.h>

#include "session.h"
#include "xalloc.h"

bool hc_header_ok(const uint8_t *p, size_t len, uint8_t type, uint16_t entry, const char *algo)
{
	size_t al = strlen(algo);
	if (!p || len < HC_HEADER || p[0] != 0x05 || p[1] != 0x02 || p[2] != 0x57 || p[3] != type ||
	    p[4] != 0 || p[7] != al || memcmp(p + 8, algo, al) != 0)
		return false;
	return !entry || (uint16_t)(p[5] << 8 | p[6]) == entry;
}

void hc_header_write(uint8_t *out, uint8_t type, uint16_t entry, const char *algo)
{
	size_t al = strlen(algo);
	memset(out, 0, HC_HEADER);
	out[0] = 0x05, out[1] = 0x02, out[2] = 0x57, out[3] = type, out[4] = 0;
	out[5] = (uint8_t)(entry >> 8), out[6] = (uint8_t)entry;
	out[7] = (uint8_t)al;
	memcpy(out + 8, algo, al < HC_HEADER - 8 ? al : HC_HEADER - 8);
}

uint8_t *hc_bitfield_build(uint64_t len, uint64_t data_blocks,
                           bool (*node)(void *ctx, uint64_t i, uint8_t out[HC_NODE]), void *ctx,
                           size_t *size)
{
	uint64_t nodes = len ? 2 * len - 1 : 0;
	uint64_t pages = (len + HC_PAGE_BLOCKS - 1) / HC_PAGE_BLOCKS;
	uint64_t tpages = (nodes + HC_PAGE_NODES - 1) / HC_PAGE_NODES;
	if (tpages > pages)
		pages = tpages;
	*size = HC_HEADER + (size_t)pages * HC_PAGE;
	uint8_t *bf = xcalloc(1, *size);
	hc_header_write(bf, HC_TYPE_BITFIELD, HC_PAGE, "");
	for (uint64_t k = 0; k < data_blocks && k < len; k++)
		bf[HC_HEADER + (k / HC_PAGE_BLOCKS) * HC_PAGE + (k % HC_PAGE_BLOCKS) / 8] |=
		    (uint8_t)(0x80 >> (k & 7));
	for (uint64_t i = 0; i < nodes && !sess_interrupted; i++) {
		uint8_t nd[HC_NODE];
		bool present = false;
		if (node(ctx, i, nd))
			for (int b = 0; b < HC_NODE && !present; b++)
				present = nd[b] != 0;
		if (present)
			bf[HC_HEADER + (i / HC_PAGE_NODES) * HC_PAGE + 1024 +
			   (i % HC_PAGE_NODES) / 8] |= (uint8_t)(0x80 >> (i & 7));
	}
	return bf;
}

void hc_leaf_hash(const uint8_t *data, size_t len, uint8_t out[32])
{
	crypto_generichash_state st;
	uint8_t pre[9] = {0};
	hc_put_be64(pre + 1, len);
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, pre, sizeof pre);
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, out, 32);
}

void hc_parent_hash(const uint8_t *l, const uint8_t *r, uint8_t out[32])
{
	uint8_t buf[1 + 8 + 64];
	buf[0] = 1;
	hc_put_be64(buf + 1, hc_be64(l + 32) + hc_be64(r + 32));
	memcpy(buf + 9, l, 32);
	memcpy(buf + 41, r, 32);
	crypto_generichash(out, 32, buf, sizeof buf, NULL, 0);
}

void hc_parent_node(const uint8_t *l, const uint8_t *r, uint8_t *out)
{
	uint64_t size = hc_be64(l + 32) + hc_be64(r + 32);
	hc_parent_hash(l, r, out);
	hc_put_be64(out + 32, size);
}

bool hc_node_blank(const uint8_t *node)
{
	for (size_t k = 0; k < HC_NODE; k++)
		if (node[k])
			return false;
	return true;
}
