/* strbuf.h: a growable NUL-terminated string (for reports and messages).
 * Zero-initialise (SB_INIT) or sb_init(); free with sb_free(). */
#ifndef SD_STRBUF_H
#define SD_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "xalloc.h"

typedef struct strbuf {
	char *s; /* always NUL-terminated once anything was added; may be NULL when empty */
	size_t len;
	size_t cap;
} strbuf;

#define SB_INIT                                                                                    \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void sb_init(strbuf *b);
void sb_free(strbuf *b);
void sb_reset(strbuf *b);
void sb_add(strbuf *b, const char *s);
void sb_addn(strbuf *b, const char *s, size_t n);
void sb_addc(strbuf *b, char c);
void sb_printf(strbuf *b, const char *fmt, ...) SD_PRINTF(2, 3);
void sb_vprintf(strbuf *b, const char *fmt, va_list ap) SD_PRINTF(2, 0);
/* The contents ("" when empty); stays owned by b. */
const char *sb_str(const strbuf *b);
/* Hand the string to the caller (never NULL) and reset b. */
char *sb_take(strbuf *b);

#endif
