/* i18n.h: gettext shorthands shared by every part of syncdoctor.
 *
 * _("...")  translate now.
 * N_("...") mark for translation, translate later with _() (static tables).
 * P_(s, p, n) plural form. */
#ifndef SD_I18N_H
#define SD_I18N_H

#include <libintl.h>
#include <limits.h>
#include <stdint.h>

#define _(s)        gettext(s)
#define N_(s)       (s)
#define P_(s, p, n) ngettext((s), (p), sd_pn(n))

/* The count ngettext() chooses a form by: n, or where an unsigned long
 * cannot hold it (32-bit ARM), a number with the same last six digits
 * (as the gettext manual advises). */
static inline unsigned long sd_pn(uint64_t n)
{
	return n <= ULONG_MAX ? (unsigned long)n : (unsigned long)(n % 1000000u + 1000000u);
}

#endif
