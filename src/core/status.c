#include "config.h"

#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void sd_error_clear(sd_error *e)
{
	if (e) {
		e->status = SD_OK;
		e->msg[0] = '\0';
	}
}

sd_status sd_error_set(sd_error *e, sd_status st, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		e->status = st;
	}
	return st;
}

sd_status sd_error_errno(sd_error *e, int errnum, const char *path, const char *what)
{
	sd_status st = SD_ERR_IO;
#ifdef EDQUOT
	if (errnum == EDQUOT)
		st = SD_ERR_NOSPACE;
#endif
	if (errnum == ENOSPC)
		st = SD_ERR_NOSPACE;
	return sd_error_set(e, st, "%s: %s: %s", path, what, strerror(errnum));
}
