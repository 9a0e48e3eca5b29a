/* panel_step2.c: the guide's second check, the version: which Mapeo wrote
 * the file and which can read it (the report's era), the writer clues,
 * and what to update. The local Mapeo's version comes from the
 * environment module once it exists; until then the page says how to read
 * it in Mapeo Desktop. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "wizard.h"

wiz_nav panel_step2(wizard *w)
{
	sd_report *r = wiz_check(w, true);
	if (!r)
		return NAV_BACK;
	ui_page p;
	page_init(&p, w->step, w->nsteps, _("Check 2 of 3: Version"));
	p.help = _("Different Mapeo versions usually sync without trouble, but very old and very "
	           "new ones cannot read each other's sync files. This step tells which Mapeo made "
	           "the file and which versions can read it. Mapeo Desktop shows its version at the "
	           "bottom left of the Mapeo modes panel.");
	bool bad = false;
	for (size_t i = 0; i < r->findings.n; i++)
		if (r->findings.v[i].step == STEP_VERSION && r->findings.v[i].severity != SEV_INFO)
			bad = true;
	if (r->verdict == VERDICT_UNREADABLE)
		page_add(&p, UI_BIG, 0, "%s", _("THE SYNC FILE COULD NOT BE READ"));
	else
		page_add(&p, UI_BIG, 0, "%s",
		         bad ? _("VERSION PROBLEM") : _("NO VERSION PROBLEM IN THE FILE"));
	page_gap(&p);
	page_add(&p, UI_HEAD, 0, "%s", _("Which Mapeo made this file"));
	page_add(&p, UI_TEXT, 2, "%s", r->era_text ? r->era_text : _("It could not be told."));
	for (size_t i = 0; i < r->findings.n; i++) {
		const finding *f = &r->findings.v[i];
		if (f->step != STEP_VERSION)
			continue;
		page_add(&p, UI_TEXT, 2, "%s: %s", fnd_severity_label(f->severity), f->message);
		const char *adv = fnd_advice(f->code);
		if (adv && f->severity != SEV_INFO)
			page_add(&p, UI_TEXT, 4, _("What to do: %s"), adv);
	}
	page_gap(&p);
	page_add(&p, UI_HEAD, 0, "%s", _("Mapeo on this computer"));
	page_add(&p, UI_TEXT, 2, "%s",
	         _("Not available: this version of syncdoctor cannot read which Mapeo is installed "
	           "here. In Mapeo Desktop, the version is shown at the bottom left of the Mapeo "
	           "modes panel."));
	page_gap(&p);
	page_add(&p, UI_HEAD, 0, "%s", _("What to do"));
	page_add(&p, UI_TEXT, 2, "%s",
	         _("1. Compare the Mapeo version of both computers. If they are the same, go on to "
	           "the next step."));
	page_add(&p, UI_TEXT, 2, "%s",
	         _("2. If they differ, update Mapeo on the computer with the older version (see "
	           "the guide \"Updating Mapeo Desktop\"), then try the sync again."));
	ui_answer a = ui_show(&p, wiz_work_unsaved(w));
	page_free(&p);
	free(a.text);
	return wiz_nav_of(&a);
}
