/* panel_welcome.c: what syncdoctor does, that it never changes files, the
 * language, and where the session log goes. */
#include "config.h"

#include <stdlib.h>

#include "i18n.h"
#include "log.h"
#include "wizard.h"

wiz_nav panel_welcome(wizard *w)
{
	ui_page p;
	page_init(&p, w->step, w->nsteps, _("Welcome to syncdoctor"));
	p.can_back = false;
	p.help =
	    _("This wizard asks a few questions and then checks the sync file in the order "
	      "of Mapeo's guide. Press Enter (or n) to go to the next step, b to go back, q to "
	      "quit. Numbers choose items in lists. The arrows and PgUp/PgDn scroll long "
	      "pages. If someone helps you on the phone, tell them the step number shown at "
	      "the top right.");
	page_add(&p, UI_TEXT, 0, "%s",
	         _("syncdoctor helps when Mapeo cannot sync with a sync file (.mapeodata). It "
	           "follows the three checks of Mapeo's guide \"I can't sync with the sync file\", "
	           "in this order:"));
	page_add(&p, UI_TEXT, 2, "%s",
	         _("1. Configuration: do both computers use the same configuration (project)?"));
	page_add(&p, UI_TEXT, 2, "%s",
	         _("2. Version: can this computer's Mapeo read a file from that Mapeo?"));
	page_add(&p, UI_TEXT, 2, "%s", _("3. Corruption: is the sync file damaged?"));
	if (w->db_dir) {
		page_gap(&p);
		page_add(&p, UI_TEXT, 0, "%s",
		         _("This time it checks a Mapeo database folder instead of a sync file: "
		           "the same checks of every device's data, observation and photo, read "
		           "where they are."));
	}
	page_gap(&p);
	page_add(&p, UI_TEXT, 0, "%s",
	         _("syncdoctor only reads your files and never changes them. When it repairs a "
	           "sync file, it writes a new file next to the old one, and only after you say "
	           "yes."));
	page_gap(&p);
	/* TRANSLATORS: the name of your language, written in your language. */
	page_add(&p, UI_TEXT, 0,
	         _("Language: %s. For another one, start syncdoctor with "
	           "LANGUAGE=es (Español) or LANGUAGE=pt_BR (Português)."),
	         _("English"));
	if (ui_log_path()) {
		char *lp = wiz_show_path(ui_log_path());
		page_add(
		    &p, UI_TEXT, 0,
		    _("Session log: %s. Everything shown and answered here is written to it, so "
		      "you can send it to whoever helps you."),
		    lp);
		free(lp);
	} else {
		page_add(&p, UI_TEXT, 0, "%s", ui_log_problem());
	}
	ui_answer a = ui_show(&p, false);
	page_free(&p);
	free(a.text);
	return wiz_nav_of(&a);
}
