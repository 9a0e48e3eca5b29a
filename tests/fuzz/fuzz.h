/* fuzz.h: what every fuzz target shares. A target defines
 * LLVMFuzzerTestOneInput and FUZZ_SEEDS (names under tests/data used as its
 * seed corpus); replay.c turns it into a plain test program for make check. */
#ifndef SD_FUZZ_H
#define SD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char *const fuzz_seeds[];
extern const char *const fuzz_name;

/* Write data to a private temporary file; returns its path (static). */
const char *fuzz_tmpfile(const uint8_t *data, size_t size);

#endif
