#include "config.h"

#include "hypercore.h"

#include <string.h>

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
