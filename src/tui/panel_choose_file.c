/* panel_choose_file.c: choose the sync file. First the places a sync file is
 * usually carried on (USB drives and cards under /media, /run/media and
 * /mnt, then home and the current folder), then a folder browser that
 * lists sync files by what they hold (sf_probe: the first bytes), not by
 * their name, with size and date. A path can be typed at any time.
 *
 * SYNCDOCTOR_UI_MEDIA (hidden, for tests) replaces the mount point
 * patterns: a ':'-separated list of glob patterns. */
#include "config.h"

#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "human.h"
#include "i18n.h"
#include "syncfile.h"
#include "wizard.h"

#define MAX_ENTRIES 300

typedef struct entry {
	char *name;
	bool dir;
	uint64_t size;
	time_t mtime;
} entry;

static int entry_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	if (x->dir != y->dir)
		return x->dir ? 1 : -1; /* sync files first */
	return strcmp(x->name, y->name);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

/* Places: mount points that exist, home, the current folder. */
static size_t find_places(char ***out)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	const char *env = getenv("SYNCDOCTOR_UI_MEDIA");
	char *pats = xstrdup(env ? env : "/media/*:/media/*/*:/run/media/*/*:/mnt/*");
	for (char *save = NULL, *pat = strtok_r(pats, ":", &save); pat;
	     pat = strtok_r(NULL, ":", &save)) {
		glob_t g;
		if (glob(pat, GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct stat st;
			if (stat(g.gl_pathv[i], &st) != 0 || !S_ISDIR(st.st_mode) ||
			    access(g.gl_pathv[i], R_OK | X_OK) != 0)
				continue;
			SD_GROW(v, cap, n + 1);
			v[n++] = xstrdup(g.gl_pathv[i]);
		}
		globfree(&g);
	}
	free(pats);
	*out = v;
	return n;
}

static size_t list_dir(const char *dir, entry **out, bool *more)
{
	entry *v = NULL;
	size_t n = 0, cap = 0;
	*more = false;
	DIR *d = opendir(dir);
	if (!d) {
		*out = NULL;
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *p = join(dir, de->d_name);
		struct stat st;
		bool keep = false, isdir = false;
		if (stat(p, &st) == 0) {
			isdir = S_ISDIR(st.st_mode);
			/* a .mapeosettings tar looks like a sync file by its first
			 * bytes: never offer a configuration as the sync file */
			keep = isdir ||
			       (S_ISREG(st.st_mode) && sf_probe(p) && !wiz_is_config_file(p, NULL));
		}
		free(p);
		if (!keep)
			continue;
		if (n >= MAX_ENTRIES) {
			*more = true;
			break;
		}
		SD_GROW(v, cap, n + 1);
		v[n++] = (entry){xstrdup(de->d_name), isdir, (uint64_t)st.st_size, st.st_mtime};
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, entry_cmp);
	*out = v;
	return n;
}

static const char *help_text(void)
{
	return _("Choose the sync file (.mapeodata) that Mapeo cannot sync. It is usually on a "
	         "USB drive or memory card, or was received by e-mail or messenger. syncdoctor "
	         "recognises sync files by what is inside them, even when they were renamed. "
	         "Press the number of a place or folder to open it, the number of a file to "
	         "choose it, or choose \"Type a path\" to type where the file is.");
}

/* Accept a typed path: a file is chosen, a folder is opened. */
static bool use_typed(wizard *w, char **dir, const char *text)
{
	struct stat st;
	if (stat(text, &st) != 0) {
		char *m = xasprintf(_("%s does not exist. Check the name and try again."), text);
		ui_message(_("Not found"), m);
		free(m);
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		wiz_set(dir, text);
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		/* a pipe or a device: said now, not after the configuration step */
		char *m = xasprintf(_("%s is not a file (a pipe or a device): choose the sync file "
		                      "itself."),
		                    text);
		ui_message(_("Not a file"), m);
		free(m);
		return false;
	}
	wiz_set(&w->file, text);
	return true;
}

/* One page of the walk: what is listed and the number of each choice. */
typedef struct file_page {
	char **places; /* the list of places (dir NULL) */
	size_t n_places;
	entry *ents; /* a folder's entries */
	size_t n_ents;
	int c_type, c_up, c_places, c_home, c_cwd, first_ent, chosen;
} file_page;

static void file_page_free(file_page *fp)
{
	for (size_t i = 0; i < fp->n_places; i++)
		free(fp->places[i]);
	free(fp->places);
	for (size_t i = 0; i < fp->n_ents; i++)
		free(fp->ents[i].name);
	free(fp->ents);
}

/* The places to look in: USB drives and cards, home, the current folder. */
static void add_places(ui_page *p, file_page *fp)
{
	page_add(p, UI_TEXT, 0, "%s",
	         _("Where is the sync file? Choose a place to look in, or type its "
	           "path."));
	fp->n_places = find_places(&fp->places);
	if (!fp->n_places)
		page_add(p, UI_TEXT, 0, "%s",
		         _("No USB drive or memory card was found. If the file is on "
		           "one, "
		           "plug it in and go back and forth (b, then Enter) to look "
		           "again."));
	for (size_t i = 0; i < fp->n_places; i++) {
		char *pl = wiz_show_path(fp->places[i]);
		char *l = xasprintf(_("USB drive or card: %s"), pl);
		free(pl);
		page_choice(p, l);
		free(l);
	}
	fp->c_home = page_choice(p, _("Your home folder (~)"));
	fp->c_cwd = page_choice(p, _("The current folder"));
}

/* A folder's sync files and subfolders, the chosen file marked. */
static void add_folder(const wizard *w, ui_page *p, const char *dir, file_page *fp)
{
	char *shown = wiz_show_path(dir);
	page_add(p, UI_HEAD, 0, _("Folder: %s"), shown);
	free(shown);
	bool more = false;
	fp->n_ents = list_dir(dir, &fp->ents, &more);
	size_t files = 0;
	for (size_t i = 0; i < fp->n_ents; i++)
		files += !fp->ents[i].dir;
	if (!files)
		page_add(p, UI_TEXT, 0, "%s", _("No sync file in this folder."));
	else
		page_add(p, UI_TEXT, 0,
		         P_("%zu sync file here (recognised by its content):",
		            "%zu sync files here (recognised by their content):", files),
		         files);
	if (more)
		page_add(p, UI_TEXT, 0,
		         _("Only the first %d entries are shown; type a path for "
		           "the rest."),
		         MAX_ENTRIES);
	for (size_t i = 0; i < fp->n_ents; i++) {
		const entry *e = &fp->ents[i];
		char *name = wiz_show_path(e->name);
		char *l;
		if (e->dir) {
			l = xasprintf(_("%s/ (folder)"), name);
		} else {
			char when[32];
			human_time((int64_t)e->mtime, when);
			char *sz = human_size(e->size);
			l = xasprintf(_("%s  (%s, %s)"), name, sz, when);
			free(sz);
		}
		int c = page_choice(p, l);
		if (fp->first_ent < 0)
			fp->first_ent = c;
		char *full = join(dir, e->name);
		if (w->file && !strcmp(full, w->file))
			fp->chosen = c;
		free(full);
		free(l);
		free(name);
	}
	fp->c_up = page_choice(p, _("Up one folder"));
	fp->c_places = page_choice(p, _("Back to the list of places"));
}

/* A choice on the list of places or in a folder: the folder to show next
 * in *dir, or the file chosen. True when the walk is over (*nav says
 * where to). */
static bool follow_pick(wizard *w, char **dir, const file_page *fp, const ui_answer *a,
                        wiz_nav *nav)
{
	if (a->choice == fp->c_type) {
		if (!a->text || !*a->text || !use_typed(w, dir, a->text))
			return false;
		*nav = NAV_NEXT;
		return true;
	}
	if (!*dir) {
		if (a->choice < (int)fp->n_places) {
			wiz_set(dir, fp->places[a->choice]);
		} else if (a->choice == fp->c_home) {
			const char *h = getenv("HOME");
			wiz_set(dir, h && *h ? h : "/");
		} else if (a->choice == fp->c_cwd) {
			char cwd[4096];
			wiz_set(dir, getcwd(cwd, sizeof cwd) ? cwd : ".");
		}
		return false;
	}
	if (a->choice == fp->c_up) {
		char *slash = strrchr(*dir, '/');
		if (slash && slash != *dir)
			*slash = '\0';
		else
			wiz_set(dir, "/");
	} else if (a->choice == fp->c_places) {
		wiz_set(dir, NULL);
	} else if (fp->first_ent >= 0 && a->choice >= fp->first_ent &&
	           a->choice < fp->first_ent + (int)fp->n_ents) {
		const entry *e = &fp->ents[a->choice - fp->first_ent];
		char *path = join(*dir, e->name);
		bool file = !e->dir;
		wiz_set(file ? &w->file : dir, path);
		free(path);
		if (file) {
			*nav = NAV_NEXT;
			return true;
		}
	}
	return false;
}

wiz_nav panel_file(wizard *w)
{
	char *dir = NULL; /* NULL: the list of places */
	wiz_nav nav = NAV_NEXT;
	/* coming back: open the chosen file's folder with the file marked */
	if (w->file && strchr(w->file, '/')) {
		dir = xstrdup(w->file);
		*strrchr(dir, '/') = '\0';
		if (!*dir)
			wiz_set(&dir, "/");
	}
	for (;;) {
		ui_page p;
		page_init(&p, w->step, w->nsteps, _("Choose the sync file"));
		p.help = help_text();
		file_page fp = {NULL, 0, NULL, 0, -1, -1, -1, -1, -1, -1, -1};
		if (!dir)
			add_places(&p, &fp);
		else
			add_folder(w, &p, dir, &fp);
		fp.c_type =
		    page_choice_text(&p, _("Type a path"),
		                     _("Path of the sync file (or of a folder to open):"), w->file);
		p.selected = fp.chosen >= 0 ? fp.chosen : 0;
		ui_answer a = ui_show(&p, false);
		page_free(&p);
		bool done = false;
		if (a.act == ACT_BACK) {
			if (dir) {
				wiz_set(&dir, NULL);
			} else {
				nav = NAV_BACK;
				done = true;
			}
		} else if (a.act == ACT_NEXT) {
			/* "next" without a choice goes on only with a file already chosen */
			if (w->file) {
				nav = NAV_NEXT;
				done = true;
			}
		} else if (a.act != ACT_PICK) {
			nav = wiz_nav_of(&a);
			done = true;
		} else {
			done = follow_pick(w, &dir, &fp, &a, &nav);
		}
		free(a.text);
		file_page_free(&fp);
		if (done)
			break;
	}
	free(dir);
	return nav;
}
