/* testutil.h: shared helpers for the Check suites.
 *
 * sd_test_run() runs a suite and prints TAP on stdout (automake's
 * tap-driver reads it); returns the process exit status.
 * sd_test_data("x") is the path of tests/data/x (SD_TEST_DATA, set by make
 * check). sd_test_tmpdir() makes a fresh private directory per call, removed
 * with all it holds when the process that made it exits. */
#ifndef SD_TESTUTIL_H
#define SD_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

int sd_test_run(Suite *s);
/* Returned path is static storage, valid until the next call. */
const char *sd_test_data(const char *name);
/* New directory under $TMPDIR; caller frees the string. */
char *sd_test_tmpdir(void);
/* Read a whole file into memory (aborts the test on failure). */
uint8_t *sd_test_slurp(const char *path, size_t *len);
/* Write a whole file (aborts the test on failure). */
void sd_test_write(const char *path, const void *data, size_t len);
/* Copy a file; returns the new path (caller frees). */
char *sd_test_copy(const char *src, const char *dir, const char *name);

#endif
