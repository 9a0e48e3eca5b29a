#include "config.h"

#include "media.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "i18n.h"
#include "xalloc.h"

enum kind { K_UNKNOWN, K_JPEG, K_PNG, K_OTHER };

struct media_check {
	enum kind kind;
	uint64_t pos; /* bytes seen */
	uint8_t head[8];
	/* JPEG */
	int js; /* state */
	uint32_t seglen, skip;
	bool in_scan;
	bool prev_ff;
	/* PNG */
	uint8_t hdr[8];
	unsigned hdr_n;
	uint32_t clen, cleft, crc_stored;
	uLong crc;
	unsigned crc_n;
	char ctype[5];
	int ps;
	bool done; /* EOI / IEND reached */
	/* an image to show: a JPEG's frame header (SOF) and scan (SOS), a
	 * PNG's IHDR and IDAT; without them a viewer shows nothing */
	bool frame, scan;
	const char *why;
	uint64_t bad_at;
};

media_check *media_check_new(void) { return xcalloc(1, sizeof(media_check)); }

static void fail(media_check *mc, const char *why)
{
	if (!mc->why) {
		mc->why = why;
		mc->bad_at = mc->pos;
	}
}

/* JPEG states */
enum { J_SOI0, J_SOI1, J_MARK, J_CODE, J_LEN0, J_LEN1, J_SKIP, J_SCAN };

static void jpeg_byte(media_check *mc, uint8_t b)
{
	switch (mc->js) {
	case J_SOI0: mc->js = b == 0xFF ? J_SOI1 : -1; break;
	case J_SOI1: mc->js = b == 0xD8 ? J_MARK : -1; break;
	case J_MARK:
		if (b != 0xFF)
			fail(mc, N_("a JPEG segment does not start with a marker"));
		else
			mc->js = J_CODE;
		break;
	case J_CODE:
		if (b == 0xFF)
			break; /* fill bytes */
		if (b == 0xD9) {
			mc->done = true;
		} else if ((b >= 0xD0 && b <= 0xD7) || b == 0x01) {
			mc->js = J_MARK;
		} else {
			mc->in_scan = b == 0xDA;
			mc->scan = mc->scan || mc->in_scan;
			/* SOF0-SOF15, but DHT (C4), JPG (C8) and DAC (CC) */
			mc->frame = mc->frame ||
			            (b >= 0xC0 && b <= 0xCF && b != 0xC4 && b != 0xC8 && b != 0xCC);
			mc->js = J_LEN0;
		}
		break;
	case J_LEN0: mc->seglen = (uint32_t)b << 8, mc->js = J_LEN1; break;
	case J_LEN1:
		mc->seglen |= b;
		if (mc->seglen < 2) {
			fail(mc, N_("a JPEG segment has an impossible length"));
			break;
		}
		mc->skip = mc->seglen - 2;
		mc->js = mc->skip ? J_SKIP : (mc->in_scan ? J_SCAN : J_MARK);
		break;
	case J_SKIP:
		if (--mc->skip == 0)
			mc->js = mc->in_scan ? J_SCAN : J_MARK;
		break;
	case J_SCAN:
		/* Entropy-coded data: FF 00 is a byte, FF D0-D7 a restart. */
		if (mc->prev_ff) {
			mc->prev_ff = false;
			if (b == 0x00 || (b >= 0xD0 && b <= 0xD7) || b == 0xFF) {
				mc->prev_ff = b == 0xFF;
				break;
			}
			mc->in_scan = false;
			mc->js = J_CODE;
			jpeg_byte(mc, b);
			return;
		}
		if (b == 0xFF)
			mc->prev_ff = true;
		break;
	}
	if (mc->js == -1)
		fail(mc, N_("the JPEG does not start with its SOI marker"));
}

enum { P_LEN, P_TYPE, P_DATA, P_CRC };

static void png_byte(media_check *mc, uint8_t b)
{
	switch (mc->ps) {
	case P_LEN:
		mc->clen = mc->clen << 8 | b;
		if (++mc->crc_n == 4) {
			mc->crc_n = 0;
			if (mc->clen > 0x7fffffffu) {
				fail(mc, N_("a PNG chunk has an impossible length"));
				return;
			}
			mc->ps = P_TYPE;
			mc->crc = crc32(0L, Z_NULL, 0);
		}
		break;
	case P_TYPE:
		mc->ctype[mc->crc_n++] = (char)b;
		mc->crc = crc32(mc->crc, &b, 1);
		if (mc->crc_n == 4) {
			mc->ctype[4] = '\0';
			mc->crc_n = 0;
			mc->cleft = mc->clen;
			mc->ps = mc->cleft ? P_DATA : P_CRC;
		}
		break;
	case P_DATA:
		mc->crc = crc32(mc->crc, &b, 1);
		if (--mc->cleft == 0)
			mc->ps = P_CRC;
		break;
	case P_CRC:
		mc->crc_stored = mc->crc_stored << 8 | b;
		if (++mc->crc_n == 4) {
			if (mc->crc_stored != (uint32_t)mc->crc)
				fail(mc, N_("a PNG chunk fails its CRC check"));
			else if (!strcmp(mc->ctype, "IEND"))
				mc->done = true;
			mc->frame = mc->frame || !strcmp(mc->ctype, "IHDR");
			mc->scan = mc->scan || !strcmp(mc->ctype, "IDAT");
			mc->crc_n = 0;
			mc->crc_stored = 0;
			mc->clen = 0;
			mc->ps = P_LEN;
		}
		break;
	}
}

void media_check_feed(media_check *mc, const uint8_t *buf, size_t len)
{
	static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	size_t i = 0;
	while (i < len) {
		if (mc->why || mc->done || mc->kind == K_OTHER) {
			mc->pos += len - i;
			return;
		}
		/* Bulk paths: segment payloads are skipped, entropy-coded data is
		 * searched for 0xFF, PNG chunk data goes to crc32 whole. */
		if (mc->kind == K_JPEG && mc->js == J_SKIP) {
			size_t n = len - i < mc->skip ? len - i : mc->skip;
			mc->skip -= (uint32_t)n;
			mc->pos += n;
			i += n;
			if (mc->skip == 0)
				mc->js = mc->in_scan ? J_SCAN : J_MARK;
			continue;
		}
		if (mc->kind == K_JPEG && mc->js == J_SCAN && !mc->prev_ff) {
			/* FF 00 (a byte) and FF D0-D7 (a restart) within the buffer
			 * leave the scan as jpeg_byte() would: stepped over here */
			const uint8_t *p = buf + i, *e = buf + len, *ff;
			while ((ff = memchr(p, 0xFF, (size_t)(e - p))) && e - ff >= 2 &&
			       (ff[1] == 0x00 || (ff[1] >= 0xD0 && ff[1] <= 0xD7)))
				p = ff + 2;
			size_t n = ff ? (size_t)(ff - (buf + i)) : len - i;
			mc->pos += n;
			i += n;
			if (!ff)
				continue;
		}
		if (mc->kind == K_PNG && mc->hdr_n >= 8 && mc->ps == P_DATA) {
			size_t n = len - i < mc->cleft ? len - i : mc->cleft;
			mc->crc = crc32(mc->crc, buf + i, (uInt)n);
			mc->cleft -= (uint32_t)n;
			mc->pos += n;
			i += n;
			if (mc->cleft == 0)
				mc->ps = P_CRC;
			continue;
		}
		uint8_t b = buf[i];
		if (mc->kind == K_UNKNOWN)
			mc->kind = b == 0xFF ? K_JPEG : b == 0x89 ? K_PNG : K_OTHER;
		if (mc->kind == K_JPEG) {
			jpeg_byte(mc, b);
		} else if (mc->kind == K_PNG) {
			if (mc->hdr_n < 8) {
				if (b != png_sig[mc->hdr_n])
					fail(mc, N_("the PNG signature is wrong"));
				mc->hdr_n++;
			} else {
				png_byte(mc, b);
			}
		}
		mc->pos++;
		i++;
	}
}

bool media_check_wants_more(const media_check *mc)
{
	return !mc->why && !mc->done && mc->kind != K_OTHER;
}

bool media_check_finish(media_check *mc, const char **why, uint64_t *at)
{
	bool ok = false;
	*why = NULL;
	*at = 0;
	if (mc->why) {
		*why = _(mc->why);
		*at = mc->bad_at;
	} else if (mc->kind == K_OTHER || mc->pos == 0) {
		*why = mc->pos ? _("it is neither a JPEG nor a PNG image") : _("it is empty");
	} else if (!mc->done) {
		*why = mc->kind == K_JPEG
		           ? _("the JPEG ends before its EOI marker (the photo was cut)")
		           : _("the PNG ends before its IEND chunk (the image was cut)");
		*at = mc->pos;
	} else if (!mc->frame || !mc->scan) {
		*why = mc->kind == K_JPEG
		           ? _("the JPEG holds no image: it ends without a frame header or "
		               "without image data")
		           : _("the PNG holds no image: it ends without its IHDR header or "
		               "without image data");
		*at = 0;
	} else {
		ok = true;
	}
	free(mc);
	return ok;
}
