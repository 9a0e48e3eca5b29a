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

/* A macro, not a function: the phase (a _() call, a catalogue lookup that
 * reads the environment) is evaluated only when someone listens. The
 * loops call it per member, and a check with no progress shown spent a
 * tenth of a --quick run translating "structure" for nobody. */
#define sd_progress_report(p, phase, bytes_done, bytes_total, items_done, items_total)             \
	do {                                                                                       \
		const sd_progress *sd_p_ = (p);                                                    \
		if (sd_p_ && sd_p_->fn)                                                            \
			sd_p_->fn(sd_p_->ud, (phase), (bytes_done), (bytes_total), (items_done),   \
			          (items_total));                                                  \
	} while (0)

static inline bool sd_progress_cancelled(const sd_progress *p)
{
	return p && p->cancel && *p->cancel;
}

#endif
