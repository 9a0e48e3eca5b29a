/* human.h: sizes and times as people read them, one rule for the CLI, the
 * wizard and the reports, so the same file never shows two sizes.
 *
 * Sizes are binary units with one decimal ("512 bytes", "1.5 KiB",
 * "3.2 MiB", "4.0 GiB"), translated; times are this computer's local time
 * to the minute ("2026-11-20 14:05"), the form the wizard's file list and
 * the journal already used. */
#ifndef SD_HUMAN_H
#define SD_HUMAN_H

#include <stdint.h>

/* A new translated string the caller frees; never NULL. */
char *human_size(uint64_t bytes);
/* Local time of t (seconds since the epoch) into out; the number of
 * seconds itself when the system cannot convert it. */
void human_time(int64_t t, char out[32]);

#endif
