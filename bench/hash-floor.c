/* hash-floor: how long libsodium takes to hash a file already in memory,
 * the way the case journal's fingerprint does (crypto_generichash,
 * BLAKE2b-256, fed 64 KiB at a time), for the benchmark.
 *
 * usage: hash-floor FILE [RUNS]
 * prints: "MS HEX": the fastest of RUNS (default 5) hashes in milliseconds,
 * and the digest (which `b2sum -l 256 FILE` prints too).
 *
 * Why: the fingerprint is one BLAKE2b stream that a single core computes.
 * No check that takes it can finish sooner than this, whatever else it
 * overlaps, so the bench prints it beside b2sum as the floor of
 * "check (journal on)". */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: hash-floor FILE [RUNS]\n");
		return 1;
	}
	int runs = argc == 3 ? atoi(argv[2]) : 5;
	if (runs < 1)
		runs = 1;
	FILE *f = fopen(argv[1], "rb");
	if (!f || fseeko(f, 0, SEEK_END) != 0) {
		perror(argv[1]);
		return 1;
	}
	off_t size = ftello(f);
	/* the bench's file is 34 MB; a file that does not fit is refused */
	if (size < 0 || (unsigned long long)size > (unsigned long long)SIZE_MAX / 2) {
		fprintf(stderr, "%s: too large to hold in memory\n", argv[1]);
		return 1;
	}
	size_t n = (size_t)size;
	unsigned char *buf = malloc(n ? n : 1);
	rewind(f);
	if (!buf || fread(buf, 1, n, f) != n) {
		perror(argv[1]);
		return 1;
	}
	fclose(f);
	if (sodium_init() < 0)
		return 1;

	unsigned char out[32];
	double best = -1;
	for (int r = 0; r < runs; r++) {
		double t0 = now_ms();
		crypto_generichash_state st;
		crypto_generichash_init(&st, NULL, 0, sizeof out);
		for (size_t at = 0; at < n; at += 65536)
			crypto_generichash_update(&st, buf + at, n - at < 65536 ? n - at : 65536);
		crypto_generichash_final(&st, out, sizeof out);
		double t = now_ms() - t0;
		if (best < 0 || t < best)
			best = t;
	}
	printf("%.1f ", best);
	for (size_t i = 0; i < sizeof out; i++)
		printf("%02x", out[i]);
	printf("\n");
	free(buf);
	return 0;
}
