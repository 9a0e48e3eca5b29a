#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "configuration.h"
#include "i18n.h"
#include "keys.h"
#include "report.h"
#include "xalloc.h"

/* ---- step 1: configuration ---- */

static void compare_config(sd_report *r, const syncfile *sf, const check_options *opt)
{
	char *auto_path = NULL;
	const char *path = opt->config_path;
	if (!path && !opt->no_auto_config) {
		auto_path = cfg_find_active(opt->userdata);
		path = auto_path;
	}
	if (!path) {
		/* the wizard has no --config: the person chose Mapeo's default
		 * configuration in its configuration step, or (a database folder's
		 * walk, which has no such step) Desktop's own was not found */
		const char *m =
		    opt->front != SD_FRONT_WIZARD
		        ? _("no configuration to compare with: give this computer's configuration "
		            "with --config (Mapeo Desktop's own was not found here)")
		    : opt->no_auto_config
		        ? _("no configuration to compare with: choose this computer's "
		            "configuration (its .mapeosettings file) in the configuration step")
		        : _("no configuration to compare with: Mapeo Desktop's own was not found "
		            "here, so this computer's project is not known");
		fnd_add(&r->findings, FND_PROJECT_UNKNOWN, "%s", m);
		return;
	}
	mapeo_config *c = NULL;
	sd_error err;
	if (cfg_open(path, &c, &r->findings, &err) != SD_OK) {
		fnd_add(&r->findings, FND_CONFIG_DAMAGED, "%s", err.msg);
		free(auto_path);
		return;
	}
	if (c->metadata_lost) {
		/* A damaged archive whose metadata.json was never read says
		 * nothing of its key: it used to be taken for the default
		 * project and a mismatch predicted ("us=mapeo-sync"), and Mapeo
		 * cannot import it anyway. config-damaged says why. */
		fnd_add(&r->findings, FND_PROJECT_UNKNOWN,
		        _("the configuration %s is damaged before its metadata.json, where its "
		          "project key is: it cannot be compared with the file"),
		        path);
		cfg_free(c);
		free(auto_path);
		return;
	}
	r->config_used = true;
	r->config_path = xstrdup(path);
	r->config_name = xstrdup_or_null(c->name);
	r->config_version = xstrdup_or_null(c->version);
	r->config_has_key = c->has_key && c->discovery_key[0];
	snprintf(r->config_discovery_key, sizeof r->config_discovery_key, "%s", c->discovery_key);
	snprintf(r->config_footer, sizeof r->config_footer, "%s", c->footer);
	r->config_source =
	    xstrdup(auto_path ? _("Mapeo Desktop's configuration on this computer")
	            : opt->front == SD_FRONT_WIZARD ? _("chosen in the configuration step")
	                                            : _("given with --config"));
	if (r->project_unknown) {
		/* project_unreadable() said why: no prediction of a mismatch */
		cfg_free(c);
		free(auto_path);
		return;
	}
	const char *ours = r->config_has_key ? c->discovery_key : "";
	const char *theirs = sf->has_discovery_key ? sf->discovery_key : "";
	char us[16], them[16];
	keys_error_form(ours, us);
	keys_error_form(theirs, them);
	char *title = cfg_title(c);
	r->config_match = cfg_same_project(c, theirs);
	if (c->has_key && !c->discovery_key[0]) {
		/* config-invalid-key says it: Mapeo stops at the key, before comparing */
	} else if (r->config_match) {
		fnd_add(
		    &r->findings, FND_PROJECT_MATCH,
		    _("the file belongs to the project of the configuration \"%s\" (%s): both say "
		      "%s"),
		    title, c->footer, us);
	} else {
		fnd_add(
		    &r->findings, FND_PROJECT_MISMATCH,
		    _("the file belongs to a different project than the configuration \"%s\" (%s). "
		      "Mapeo will say: trying to sync two different projects (us=%s) "
		      "(syncfile=%s)"),
		    title, c->footer, us, them);
	}
	free(title);
	cfg_free(c);
	free(auto_path);
}

/* Why the file's project cannot be compared with a configuration, or NULL
 * when it can: the index that holds the project is lost, or the file is of
 * another era, which Mapeo refuses before it ever compares projects
 * (mapeo-core 8.6.2 sync.js checks p2p-db first). Translated, owned. */
char *check_project_unreadable(const syncfile *sf, sd_front front)
{
	if (sf->era == SF_ERA_GZIP_V0)
		return xstrdup(
		    _("an old compressed sync file (Mapeo Desktop 2 or older) names no "
		      "project, and current Mapeo refuses it before it compares projects "
		      "('unsupported syncfile type'): a configuration cannot change that; "
		      "open it with the old Mapeo that made it (step 2)"));
	if (sf->p2p_db && strcmp(sf->p2p_db, "kappa-osm") != 0) {
		char *db = report_escape(sf->p2p_db);
		char *m =
		    !strcmp(sf->p2p_db, "hyperlog")
		        ? xasprintf(
		              _("a Mapeo Desktop 3 file names no project, and Mapeo Desktop 4 "
		                "and later refuse it before they compare projects, with "
		                "'trying to sync this kappa-osm database with a hyperlog "
		                "database!': no configuration changes that; sync it with "
		                "Mapeo Desktop 3, then make a new sync file with a current "
		                "Mapeo (step 2)"))
		        : xasprintf(_("the file holds a '%s' database, and Mapeo refuses it before "
		                      "it compares projects, with 'trying to sync this kappa-osm "
		                      "database with a %s database!': no configuration changes "
		                      "that"),
		                    db, db);
		free(db);
		return m;
	}
	if (!sf->has_index && !sf->has_userdata)
		return xstrdup(
		    front == SD_FRONT_WIZARD
		        ? _("the file's index, where Mapeo writes the project, is lost or "
		            "damaged, so which project the file belongs to cannot be read; Mapeo "
		            "cannot open the file at all (check 3). The summary's repair gives it "
		            "the project of the configuration chosen in the configuration step")
		        : _("the file's index, where Mapeo writes the project, is lost or "
		            "damaged, so which project the file belongs to cannot be read; Mapeo "
		            "cannot open the file at all (step 3). A rebuild with --config gives "
		            "it the project of that configuration"));
	return NULL;
}

char *check_project_untold(const syncfile *sf)
{
	if (sf->src.project == SRC_PROJECT_NONE)
		return xstrdup(_("it is not a Mapeo sync file, so it names no project"));
	if (sf->src.project == SRC_PROJECT_UNNAMED)
		return xstrdup(_("the database does not say which project it belongs to (only "
		                 "Mapeo Desktop's keeps a folder that tells it)"));
	return check_project_unreadable(sf, SD_FRONT_CLI);
}

void check_configuration_step(sd_report *r, const check_read *rd, const check_options *opt)
{
	const syncfile *sf = rd->sf;
	if (rd->project_why)
		fnd_add(&r->findings, FND_PROJECT_UNREADABLE, "%s", rd->project_why);
	if (r->project_default)
		fnd_add(
		    &r->findings, FND_PROJECT_DEFAULT,
		    _("the file belongs to the default project (it names no project key): only a "
		      "Mapeo without a project key will sync with it"));
	if (sf->src.project == SRC_PROJECT_NAMED && sf->src.config_userdata && !opt->config_path &&
	    !opt->userdata) {
		/* Desktop's database is compared with the configuration beside it. */
		check_options o2 = *opt;
		o2.userdata = sf->src.config_userdata;
		compare_config(r, sf, &o2);
	} else if (sf->src.project == SRC_PROJECT_NAMED)
		compare_config(r, sf, opt);
	else if (sf->src.project == SRC_PROJECT_UNNAMED)
		fnd_add(
		    &r->findings, FND_PROJECT_UNKNOWN,
		    _("the database does not say which project it belongs to (only Mapeo "
		      "Desktop's keeps a folder that tells it): compare the configuration on the "
		      "device it came from"));
}
