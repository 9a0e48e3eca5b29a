/* i18n.h: gettext shorthands shared by every part of syncdoctor.
 *
 * _("...")  translate now.
 * N_("...") mark for translation, translate later with _() (static tables).
 * P_(s, p, n) plural form. */
#ifndef SD_I18N_H
#define SD_I18N_H

#include <libintl.h>

#define _(s)        gettext(s)
#define N_(s)       (s)
#define P_(s, p, n) ngettext((s), (p), (n))

#endif
