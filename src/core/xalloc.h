/* xalloc.h: allocation wrappers that never return NULL (htop style).
 *
 * On exhaustion they call the fatal hook (the front ends install one that
 * restores the terminal) and then abort(): a diagnosis tool that runs out of
 * memory cannot continue meaningfully, and checking every allocation would
 * bury the logic. Sizes are checked for overflow. */
#ifndef SD_XALLOC_H
#define SD_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define SD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SD_NORETURN     __attribute__((noreturn))
#else
#define SD_PRINTF(f, a)
#define SD_NORETURN
#endif

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray: realloc to nmemb*size bytes, aborting on overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* xstrdup_or_null: NULL stays NULL. */
char *xstrdup_or_null(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) SD_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) SD_PRINTF(1, 0);

/* Called once before abort() on a fatal error; may be NULL. */
void sd_set_fatal_hook(void (*hook)(void));
/* Restore the terminal (through the hook) and abort with a message on stderr.
 * The only place the core may write to stderr: the process is ending. */
SD_NORETURN void sd_fatal(const char *fmt, ...) SD_PRINTF(1, 2);

/* Grow *p (an array of *cap elements of size elem) so it holds at least
 * need elements. Doubling; never returns on failure. */
void sd_grow(void **p, size_t *cap, size_t need, size_t elem);
#define SD_GROW(arr, cap, need) sd_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif
