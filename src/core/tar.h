/* tar.h: tolerant ustar headers, member iteration over a byte range, and
 * the header writer that reproduces upstream's two encodings.
 *
 * Hand-written on purpose: syncdoctor needs the byte offset of every header
 * and data range, must keep going past damage (bad checksums, lone zero
 * blocks, unpatched sizes, truncation) and must accept quirks of the
 * JavaScript writers (doc/formats.md §1, §8) that strict tar libraries reject.
 *
 * Ownership: tar_header and tar_entry are plain values; tar_entry.name is
 * owned by the iterator and valid until the next tar_iter_next() call. */
#ifndef SD_TAR_H
#define SD_TAR_H

#include <stdbool.h>
#include <stdint.h>

#include "io.h"
#include "status.h"

#define TAR_BLOCK 512

typedef enum tar_encoding {
	TAR_ENC_OTHER = 0,
	TAR_ENC_PATCHED, /* indexed-tarball append: 12-digit size, 8-digit checksum, no terminators
	                  */
	TAR_ENC_STREAM,  /* tar-stream pack(): 11 digits + space size, 6 digits + space + NUL
	                    checksum */
} tar_encoding;

typedef struct tar_header {
	char name[257]; /* prefix "/" name, NUL-terminated (raw bytes otherwise) */
	uint64_t size;
	int64_t mtime;
	char typeflag;
	bool zero;        /* the whole block is zero bytes */
	bool magic_ustar; /* "ustar\0" (POSIX) */
	bool magic_gnu;   /* "ustar  \0" (GNU tar) */
	bool size_ok;     /* the size field parsed */
	bool mtime_ok;
	bool mtime_negative; /* a signed value such as "-1476665643 " (clock after 2038, A.8) */
	bool checksum_ok;    /* stored checksum equals the computed one (unsigned or signed sum) */
	uint32_t checksum_stored;
	uint32_t checksum_computed;
	tar_encoding encoding;
} tar_header;

/* Parse one 512-byte block. Always fills h; returns true when the block
 * looks like a tar header (magic present or checksum valid) and is not zero. */
bool tar_header_parse(const uint8_t blk[TAR_BLOCK], tar_header *h);

/* Padded length of a member's data: size rounded up to 512. */
static inline uint64_t tar_padded(uint64_t size) { return (size + 511) & ~(uint64_t)511; }

typedef struct tar_entry {
	const char *name;    /* owned by the iterator */
	uint64_t header_off; /* absolute offset of the header in the input */
	uint64_t data_off;   /* header_off + 512 */
	uint64_t size;
	int64_t mtime;
	bool mtime_negative;
	char typeflag;
	bool checksum_ok;
	tar_encoding encoding;
	bool truncated; /* data runs past the end of the range */
	bool gnu_magic;
} tar_entry;

typedef enum tar_event {
	TAR_END = 0, /* no more members (end marker or end of range) */
	TAR_MEMBER,  /* *e describes a member */
	TAR_DAMAGE,  /* a block that should be a header is not one; err says where;
	                iteration may continue (it resyncs on the next valid header) */
} tar_event;

typedef struct tar_iter {
	sd_input *in;
	uint64_t start, end, pos;
	char *name;
	char *longname; /* a GNU long name ('L') or pax path ('x') for the next member */
	unsigned zero_run;
	bool done;
	uint64_t damage_off; /* offset of the last TAR_DAMAGE block */
	uint64_t max_members;
	uint64_t members;
} tar_iter;

/* Iterate the tar stored in [start, start+len) of in. */
void tar_iter_init(tar_iter *it, sd_input *in, uint64_t start, uint64_t len);
/* Returns TAR_MEMBER, TAR_DAMAGE (err holds a translated description with
 * the offset; it->damage_off is the offset) or TAR_END. I/O errors end the
 * iteration with TAR_DAMAGE and it->done set. A GNU long name ('L') or pax
 * header ('x') is returned as a member of that type, and the name it gives
 * (its "path") is the next member's e->name. */
tar_event tar_iter_next(tar_iter *it, tar_entry *e, sd_error *err);
void tar_iter_free(tar_iter *it);

/* The path an entry name (slashes forward) is extracted to, in place: Mapeo
 * writes each entry of a database tar to path.join(folder, name), and
 * Desktop extracts a configuration the same way, which drops empty and "."
 * parts and resolves ".." (never above the folder); so "./0/key", "0//key"
 * or a long "./././.../metadata.json" from another tar writer (its GNU long
 * name or pax path) is that file to Mapeo. */
void tar_path_join(char *name);

/* Build one header. Names longer than 100 bytes are split into prefix and
 * name at a '/' like tar-stream; returns false when the name cannot be
 * stored (too long, non-ASCII). mode e.g. 0644. */
bool tar_header_build(uint8_t out[TAR_BLOCK], const char *name, uint64_t size, int64_t mtime,
                      unsigned mode, tar_encoding enc);

/* Write header + data + zero padding to o (padding (512 - size%512) % 512). */
sd_status tar_write_member(sd_output *o, const char *name, const void *data, uint64_t size,
                           int64_t mtime, tar_encoding enc, sd_error *err);
/* Write n zero bytes. */
sd_status tar_write_zeros(sd_output *o, uint64_t n, sd_error *err);

#endif
