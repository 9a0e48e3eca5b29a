/* progress.h: how long work reports progress and learns it must stop.
 *
 * The core calls fn (when not NULL) as work advances; totals are known up
 * front (0 when not). The front ends draw a progress line or bar from it.
 * Cancellation: when *cancel (if not NULL) becomes non-zero (a SIGINT
 * handler sets it), long loops stop and return SD_ERR_CANCELLED. */
#ifndef SD_PROGRESS_H
#define SD_PROGRESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct sd_progress {
	void (*fn)(void *ud, const char *phase, uint64_t bytes_done, uint64_t bytes_total,
	           uint64_t items_done, uint64_t items_total);
	void *ud;
	volatile sig_atomic_t *cancel;
} sd_progress;

static inline void sd_progress_report(const sd_progress *p, const char *phase, uint64_t bytes_done,
                                      uint64_t bytes_total, uint64_t items_done,
                                      uint64_t items_total)
{
	if (p && p->fn)
		p->fn(p->ud, phase, bytes_done, bytes_total, items_done, items_total);
}

static inline bool sd_progress_cancelled(const sd_progress *p)
{
	return p && p->cancel && *p->cancel;
}

#endif
