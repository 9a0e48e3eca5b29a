/* media.h: is a photo complete? A streaming check fed chunk by chunk: JPEG
 * by a segment walk to EOI, PNG by its chunks and their CRC-32 (zlib) to
 * IEND. The type comes from the first bytes, not from the name. */
#ifndef SD_MEDIA_H
#define SD_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct media_check media_check;

media_check *media_check_new(void);
void media_check_feed(media_check *mc, const uint8_t *buf, size_t len);
/* false once the verdict is known (the end marker seen, or damage): the
 * caller may stop reading the member. */
bool media_check_wants_more(const media_check *mc);
/* true when the image is complete; otherwise *why (translated, static) and
 * *at (byte offset in the member) say what is wrong. Frees mc. */
bool media_check_finish(media_check *mc, const char **why, uint64_t *at);

#endif
