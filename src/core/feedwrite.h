/* feedwrite.h: build a hypercore feed's tree, signatures and bitfield files
 * (the storage of doc/formats.md §4) from blocks appended in order, signing
 * with the feed's secret key. Used by the benchmark's generator and by
 * tests that need feeds syncdoctor did not receive from Mapeo.
 *
 * Memory: 40 bytes per tree node (two per block). Ownership: the returned
 * buffers are the caller's (free()). */
#ifndef SD_FEEDWRITE_H
#define SD_FEEDWRITE_H

#include <stddef.h>
#include <stdint.h>

typedef struct fwb fwb;

fwb *fwb_new(void);
void fwb_free(fwb *b);
void fwb_append(fwb *b, const uint8_t *data, size_t len);
uint64_t fwb_length(const fwb *b);
/* tree file: header + 2L-1 nodes */
uint8_t *fwb_tree(const fwb *b, size_t *len);
/* signatures file with one signature, for the whole length (as a writer
 * that appended everything in one batch leaves it) */
uint8_t *fwb_signatures(const fwb *b, const uint8_t secret_key[64], size_t *len);
/* bitfield file: data and tree bits (the derived index bits stay zero) */
uint8_t *fwb_bitfield(const fwb *b, size_t *len);

#endif
