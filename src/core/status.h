/* status.h: the one error style of syncdoctor.
 *
 * Every fallible core function returns an sd_status and, on failure, fills
 * an sd_error whose msg is a complete, translated sentence naming the file,
 * the place and the problem, ready for the caller to show as it is. Callers
 * may pass NULL for the sd_error when they only need the status. */
#ifndef SD_STATUS_H
#define SD_STATUS_H

#include "xalloc.h"

typedef enum sd_status {
	SD_OK = 0,
	SD_ERR_IO,        /* open/read/write/stat failed (missing, permission, EIO) */
	SD_ERR_FORMAT,    /* the input is not what it must be */
	SD_ERR_LIMIT,     /* the input exceeds a safety limit */
	SD_ERR_USAGE,     /* the caller asked for something impossible */
	SD_ERR_EXISTS,    /* an output exists and overwriting was not allowed */
	SD_ERR_NOSPACE,   /* not enough free space for an output */
	SD_ERR_CHANGED,   /* an input changed while it was being read */
	SD_ERR_CANCELLED, /* the user interrupted the work */
	SD_ERR_REFUSED,   /* the work would give a result Mapeo refuses; nothing was done */
} sd_status;

/* Which front end the person is in. A message that tells what to do next
 * names that front end's controls: the CLI's options ("--config"), or the
 * wizard's steps and choices, which have no options. Each variant is a
 * whole sentence of its own (never fragments glued together). Zero is the
 * CLI, so an options struct left at zero speaks as the CLI always has. */
typedef enum sd_front { SD_FRONT_CLI = 0, SD_FRONT_WIZARD } sd_front;

typedef struct sd_error {
	sd_status status;
	char msg[1024];
} sd_error;

void sd_error_clear(sd_error *e);
/* Set e (if not NULL) and return st. */
sd_status sd_error_set(sd_error *e, sd_status st, const char *fmt, ...) SD_PRINTF(3, 4);
/* "PATH: WHAT: strerror(errnum)"; status SD_ERR_IO, or SD_ERR_NOSPACE for ENOSPC/EDQUOT. */
sd_status sd_error_errno(sd_error *e, int errnum, const char *path, const char *what);

#endif
