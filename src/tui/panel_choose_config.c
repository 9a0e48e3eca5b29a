/* panel_choose_config.c: which configuration this computer (the one that should
 * receive the data) uses: Mapeo Desktop's active one (cfg_find_active),
 * .mapeosettings files found near the sync file and in the usual folders,
 * a typed path, or Mapeo's default (no project key). */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "configuration.h"
#include "i18n.h"
#include "report.h"
#include "wizard.h"

#define MAX_NEARBY 20

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* kept as found (short, as people know it); once each by real path */
static void scan_dir(wizard *w, const char *dir)
{
	cfg_search(dir, 0, MAX_NEARBY, &w->nearby, &w->n_nearby, &w->cap_nearby);
}

static void find_nearby(wizard *w)
{
	for (size_t i = 0; i < w->n_nearby; i++)
		free(w->nearby[i]);
	w->n_nearby = 0;
	if (w->file) {
		char *dir = xstrdup(w->file);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		scan_dir(w, slash ? (*dir ? dir : "/") : ".");
		free(dir);
	}
	scan_dir(w, ".");
	const char *home = getenv("HOME");
	if (home && *home) {
		static const char *const sub[] = {"",           "/Downloads",  "/Descargas",
		                                  "/Desktop",   "/Escritorio", "/Documents",
		                                  "/Documentos"};
		for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
			char *d = xasprintf("%s%s", home, sub[i]);
			scan_dir(w, d);
			free(d);
		}
	}
	/* the folders the configuration file names (config_search) */
	for (const char *const *d = w->g->config_search; d && *d; d++)
		scan_dir(w, *d);
	if (w->n_nearby)
		qsort(w->nearby, w->n_nearby, sizeof *w->nearby, str_cmp);
}

/* "Proyecto A 1.2.0: Mapeo shows ae0a6**********" or why it cannot be read. */
static char *describe(const char *path)
{
	mapeo_config *c = NULL;
	findings fl;
	fnd_init(&fl);
	sd_status st = cfg_open(path, &c, &fl, NULL);
	fnd_free(&fl);
	char *shown = wiz_show_path(path);
	char *s;
	if (st != SD_OK || !c) {
		s = xasprintf(_("%s (cannot be read)"), shown);
	} else if (c->metadata_lost) {
		/* not MAPEO: its key was never read */
		s = xasprintf(_("%s (damaged: its project cannot be read)"), shown);
		cfg_free(c);
	} else {
		char *t = cfg_title(c);
		char *te = report_escape(t);
		s = xasprintf(_("%s: %s (Mapeo shows %s)"), te, shown, c->footer);
		free(te);
		free(t);
		cfg_free(c);
	}
	free(shown);
	return s;
}

static const char *help_text(void)
{
	return _("Mapeo syncs a file only with a computer that uses the same configuration "
	         "(the same project). Choose the configuration of the computer that should "
	         "receive the data. Mapeo Desktop shows it at the bottom of its Synchronization "
	         "screen: five letters and ten stars, like ae0a6**********, or MAPEO for the "
	         "default. If this is not that computer, choose or type the .mapeosettings file "
	         "it uses.");
}

/* Validate and take a configuration path. */
static bool take_path(wizard *w, const char *path, const char *how)
{
	mapeo_config *c = NULL;
	findings fl;
	fnd_init(&fl);
	sd_error err;
	sd_error_clear(&err);
	sd_status st = cfg_open(path, &c, &fl, &err);
	if (st == SD_OK && !c->metadata) {
		/* its project cannot be read (damaged, or no configuration): said
		 * here, with why, not later as "no configuration was chosen" */
		const char *why = path;
		for (size_t i = 0; i < fnd_n(&fl); i++)
			if (fnd_at(&fl, i)->severity == SEV_ERROR) {
				why = fnd_at(&fl, i)->message;
				break;
			}
		sd_error_set(&err, SD_ERR_FORMAT,
		             _("%s: the project it names cannot be read, so it cannot be "
		               "compared with the file. Choose the project's own "
		               ".mapeosettings file."),
		             why);
		cfg_free(c);
		c = NULL;
		st = SD_ERR_FORMAT;
	}
	fnd_free(&fl);
	if (st != SD_OK) {
		ui_message(_("This configuration cannot be used"), err.msg);
		return false;
	}
	cfg_free(c);
	wiz_set(&w->cfg_path, path);
	wiz_set(&w->cfg_how, how);
	w->cfg_default = false;
	w->cfg_chosen = true;
	return true;
}

wiz_nav panel_config(wizard *w)
{
	char *active = cfg_find_active(NULL);
	find_nearby(w);
	for (;;) {
		ui_page p;
		page_init(&p, w->step, w->nsteps, _("This computer's configuration"));
		p.help = help_text();
		page_add(
		    &p, UI_TEXT, 0, "%s",
		    _("Which configuration does the computer that should receive the data use? "
		      "Mapeo Desktop shows it at the bottom of the Synchronization screen."));
		if (!active)
			page_add(
			    &p, UI_TEXT, 0, "%s",
			    _("Mapeo Desktop's data folder was not found on this computer, so its "
			      "configuration cannot be read from there."));
		/* coming back: the choice made before stays marked, so Enter
		 * keeps it (it used to fall back to the first one silently) */
		int c_active = -1, first_near = -1, chosen = -1;
		const char *cur = w->cfg_chosen && !w->cfg_default ? w->cfg_path : NULL;
		if (active) {
			char *d = describe(active);
			char *l = xasprintf(_("The one Mapeo Desktop uses here: %s"), d);
			c_active = page_choice(&p, l);
			if (cur && !strcmp(cur, active))
				chosen = c_active;
			free(l);
			free(d);
		}
		for (size_t i = 0; i < w->n_nearby; i++) {
			char *d = describe(w->nearby[i]);
			int c = page_choice(&p, d);
			if (first_near < 0)
				first_near = c;
			if (cur && chosen < 0 && !strcmp(cur, w->nearby[i]))
				chosen = c;
			free(d);
		}
		int c_type = page_choice_text(&p, _("Type the path of a .mapeosettings file"),
		                              _("Path of the configuration (.mapeosettings):"),
		                              cur && chosen < 0 ? cur : NULL);
		int c_default =
		    page_choice(&p, _("Mapeo's default configuration (no project key; Mapeo shows "
		                      "MAPEO)"));
		if (cur && chosen < 0)
			chosen = c_type;
		if (w->cfg_chosen && w->cfg_default)
			chosen = c_default;
		if (chosen >= 0) {
			char *now = w->cfg_default ? xstrdup(_("Mapeo's default configuration"))
			                           : describe(w->cfg_path);
			page_add(&p, UI_TEXT, 0, _("Chosen before: %s. Press Enter to keep it."),
			         now);
			free(now);
		}
		p.selected = chosen >= 0 ? chosen : 0;
		ui_answer a = ui_show(&p, false);
		page_free(&p);
		wiz_nav nav = NAV_NEXT;
		bool done = true;
		if (a.act == ACT_NEXT) {
			done = w->cfg_chosen; /* "next" keeps an earlier choice */
		} else if (a.act != ACT_PICK) {
			nav = wiz_nav_of(&a);
		} else if (a.choice == c_active) {
			done = take_path(w, active, _("Mapeo Desktop on this computer"));
		} else if (a.choice == c_type) {
			done = a.text && *a.text && take_path(w, a.text, _("typed"));
		} else if (a.choice == c_default) {
			wiz_set(&w->cfg_path, NULL);
			wiz_set(&w->cfg_how, _("Mapeo's default"));
			w->cfg_default = true;
			w->cfg_chosen = true;
		} else if (first_near >= 0 && a.choice >= first_near) {
			done = take_path(w, w->nearby[a.choice - first_near], _("found nearby"));
		}
		free(a.text);
		if (done) {
			free(active);
			return nav;
		}
	}
}
