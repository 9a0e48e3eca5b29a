/* zip.h: read the members of a ZIP archive (configurations from
 * mapeo-settings-builder 4 and later).
 *
 * Hand-written because the allowed dependencies offer only raw inflate
 * (zlib); the format needed here is small: the central directory, local
 * headers, stored and deflated members, CRC-32 checks, and hard limits so a
 * hostile archive cannot exhaust memory (ZIP bombs). */
#ifndef SD_ZIP_H
#define SD_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "status.h"

typedef struct zip_entry {
	char *name;
	uint64_t local_off;
	uint64_t comp_size;
	uint64_t size;
	uint32_t crc;
	uint16_t method;
} zip_entry;

typedef struct zip_archive {
	sd_input *in; /* borrowed */
	zip_entry *entries;
	size_t n;
	uint64_t inflated; /* bytes extracted so far, against ZIP_MAX_TOTAL */
} zip_archive;

#define ZIP_MAX_MEMBER (64u << 20)
/* All members together: entries may share one compressed stream (an
 * overlapping ZIP bomb), so each member's own limit is not enough. */
#define ZIP_MAX_TOTAL (256u << 20)
/* Deflate cannot expand beyond about 1032:1; a member that claims more is
 * refused before anything is allocated for it. */
#define ZIP_MAX_RATIO 1032u

/* Read the central directory of in. */
sd_status zip_open(sd_input *in, zip_archive *za, sd_error *err);
void zip_close(zip_archive *za);
/* Extract one member into a new buffer (NUL-terminated for convenience),
 * checking sizes and CRC-32; members over ZIP_MAX_MEMBER, past the end of
 * the file, beyond ZIP_MAX_RATIO, or past ZIP_MAX_TOTAL for the archive are
 * refused (SD_ERR_LIMIT or SD_ERR_FORMAT). */
sd_status zip_read(zip_archive *za, const zip_entry *e, uint8_t **out, size_t *len, sd_error *err);

#endif
