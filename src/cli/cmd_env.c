/* cmd_env.c: 'syncdoctor env': what syncdoctor knows about this computer's
 * Mapeo (install and version, data folder, active configuration, sync
 * errors in the logs, folders left by interrupted syncs, free space),
 * without a sync file. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "env.h"
#include "human.h"
#include "i18n.h"
#include "report.h"
#include "strbuf.h"
#include "versions.h"

static void usage(void)
{
	printf(_("Usage: syncdoctor env [OPTION]...\n"
	         "Show what syncdoctor knows about Mapeo on this computer: the installed\n"
	         "Mapeo Desktop and its version, its data folder, the active configuration,\n"
	         "sync errors in its logs, folders left by interrupted syncs, and free space.\n"
	         "Nothing is changed.\n"
	         "\n"
	         "  -f, --format=FMT    text (default), json or yaml\n"
	         "      --userdata=DIR  Mapeo Desktop's data folder (default: found)\n"
	         "      --versions=FILE the table of Mapeo versions to use\n"
	         "  -h, --help          display this help and exit\n"));
}

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *release_json(const ver_release *rel)
{
	json_t *o = json_object();
	json_object_set_new(o, "series", json_string(rel->series));
	json_object_set_new(o, "core", jstr(rel->core));
	json_object_set_new(o, "writes", json_string(rel->writes));
	json_t *reads = json_array();
	for (size_t i = 0; i < rel->n_reads; i++)
		json_array_append_new(reads, json_string(rel->reads[i]));
	json_object_set_new(o, "reads", reads);
	json_object_set_new(o, "strict_project_check", json_boolean(rel->strict_project_check));
	json_object_set_new(o, "rejected_sync_strips_database",
	                    json_boolean(rel->rejected_sync_strips_database));
	json_object_set_new(o, "windows_path_fix", json_boolean(rel->windows_path_fix));
	json_object_set_new(o, "missing_data_handling", json_boolean(rel->missing_data_handling));
	json_object_set_new(o, "close_on_error", json_boolean(rel->close_on_error));
	json_object_set_new(o, "exposes_key_directory", json_boolean(rel->exposes_key_directory));
	return o;
}

static json_t *env_json(const env_info *e, const ver_table *t, const char *table_path,
                        const char *table_error)
{
	json_t *o = json_object();
	json_t *vt = json_object();
	json_object_set_new(vt, "path", json_string(table_path));
	json_object_set_new(vt, "releases", json_integer(t ? (json_int_t)t->n : 0));
	if (table_error)
		json_object_set_new(vt, "error", json_string(table_error));
	json_object_set_new(o, "version_table", vt);
	json_t *ins = json_array();
	for (size_t i = 0; i < e->n_installs; i++) {
		const env_install *in = &e->installs[i];
		json_t *j = json_object();
		json_object_set_new(j, "path", json_string(in->path));
		json_object_set_new(j, "kind", json_string(in->kind));
		json_object_set_new(j, "version", jstr(in->version));
		json_object_set_new(j, "version_from", jstr(in->version_from));
		const ver_release *rel = in->version && t ? ver_find(t, in->version) : NULL;
		json_object_set_new(j, "release", rel ? release_json(rel) : json_null());
		json_array_append_new(ins, j);
	}
	json_object_set_new(o, "installs", ins);
	json_object_set_new(o, "userdata", jstr(e->userdata));
	json_t *cands = json_array();
	for (char **p = e->userdata_candidates; p && *p; p++)
		json_array_append_new(cands, json_string(*p));
	json_object_set_new(o, "userdata_candidates", cands);
	json_t *c = json_object();
	json_object_set_new(c, "found", json_boolean(e->config_found));
	if (e->config_found) {
		json_object_set_new(c, "path", json_string(e->config_path));
		json_object_set_new(c, "name", jstr(e->config_name));
		json_object_set_new(c, "version", jstr(e->config_version));
	}
	json_object_set_new(c, "footer", json_string(e->config_found ? e->config_footer : "MAPEO"));
	json_object_set_new(o, "configuration", c);
	json_t *logs = json_array();
	for (size_t i = 0; i < e->n_logs; i++) {
		const env_log_file *lf = &e->logs[i];
		json_t *j = json_object();
		json_object_set_new(j, "path", json_string(lf->path));
		json_object_set_new(j, "gzip", json_boolean(lf->gz));
		json_object_set_new(j, "size", json_integer((json_int_t)lf->size));
		json_object_set_new(j, "sync_errors", json_integer((json_int_t)lf->n_events));
		json_object_set_new(j, "readable", json_boolean(!lf->unreadable));
		json_array_append_new(logs, j);
	}
	json_object_set_new(o, "logs", logs);
	json_t *ev = json_array();
	for (size_t i = 0; i < e->n_events; i++) {
		const env_log_event *x = &e->events[i];
		json_t *j = json_object();
		json_object_set_new(j, "date", json_string(x->date));
		json_object_set_new(j, "kind", json_string(env_log_kind_name(x->kind)));
		json_object_set_new(j, "message", json_string(x->text));
		json_object_set_new(j, "file", json_string(x->file));
		json_object_set_new(j, "line", json_integer(x->line));
		json_array_append_new(ev, j);
	}
	json_object_set_new(o, "sync_errors", ev);
	json_object_set_new(o, "sync_errors_total", json_integer((json_int_t)e->n_events_total));
	json_t *td = json_array();
	for (char **p = e->temp_dirs; p && *p; p++)
		json_array_append_new(td, json_string(*p));
	json_object_set_new(o, "temp_dirs", td);
	json_t *tmp = json_array();
	for (size_t i = 0; i < e->n_temps; i++) {
		const env_temp *x = &e->temps[i];
		json_t *j = json_object();
		json_object_set_new(j, "path", json_string(x->path));
		json_object_set_new(j, "mtime", json_integer(x->mtime));
		json_object_set_new(j, "bytes", json_integer((json_int_t)x->bytes));
		json_object_set_new(j, "database", json_boolean(x->has_multifeed || x->has_db_tar));
		json_object_set_new(j, "packed", json_boolean(x->has_db_tar));
		json_object_set_new(j, "feeds", json_integer((json_int_t)x->n_feeds));
		char dk[8];
		snprintf(dk, sizeof dk, "%.7s", x->project_dk);
		json_object_set_new(j, "project", x->project_dk[0] ? json_string(dk) : json_null());
		json_array_append_new(tmp, j);
	}
	json_object_set_new(o, "leftover_temp", tmp);
	json_t *sp = json_object();
	if (e->temp_dirs && e->temp_dirs[0] && e->temp_space.known) {
		json_object_set_new(sp, "path", json_string(e->temp_dirs[0]));
		json_object_set_new(sp, "free", json_integer((json_int_t)e->temp_space.free_bytes));
		json_object_set_new(sp, "total",
		                    json_integer((json_int_t)e->temp_space.total_bytes));
		json_object_set_new(sp, "filesystem", json_string(e->temp_space.fs));
	}
	json_object_set_new(o, "temp_space", sp);
	return o;
}

static void line(strbuf *b, int indent, const char *fmt, ...) SD_PRINTF(3, 4);
static void line(strbuf *b, int indent, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	char *esc = report_escape(s);
	for (int i = 0; i < indent; i++)
		sb_addc(b, ' ');
	sb_add(b, esc);
	sb_addc(b, '\n');
	free(esc);
	free(s);
}

static void heading(strbuf *b, const char *s)
{
	sb_addc(b, '\n');
	line(b, 0, "%s", s);
}

static void env_text(const env_info *e, const ver_table *t, const char *table_path,
                     const char *table_error, strbuf *b)
{
	line(b, 0, "%s", _("Mapeo Desktop"));
	if (!e->n_installs)
		line(b, 2, "%s",
		     _("No installation found (looked in /opt, /usr/lib, ~/.local/share, "
		       "AppImages, /Applications and LOCALAPPDATA\\Programs)."));
	for (size_t i = 0; i < e->n_installs; i++) {
		const env_install *in = &e->installs[i];
		if (in->version)
			line(b, 2, _("Version %s in %s (read from %s)"), in->version, in->path,
			     in->version_from);
		else
			line(b, 2, _("Installed in %s; its version could not be read"), in->path);
		const ver_release *rel = in->version && t ? ver_find(t, in->version) : NULL;
		if (rel) {
			line(b, 4, _("Series %s, mapeo-core %s."), rel->series,
			     rel->core ? rel->core : "?");
			if (rel->rejected_sync_strips_database)
				line(b, 4, "%s",
				     _("A refused sync empties the sync file's database in this "
				       "version: "
				       "update to 5.5 or later."));
			if (rel->strict_project_check)
				line(b, 4, "%s",
				     _("It refuses a sync file of another project, and one that "
				       "names no "
				       "project when a project key is configured."));
			if (!rel->windows_path_fix)
				line(b, 4, "%s",
				     _("It writes Windows names that Mapeo on macOS or Linux of "
				       "the same "
				       "time cannot read."));
		}
	}
	if (table_error)
		line(b, 2, _("The table of Mapeo versions could not be read: %s"), table_error);
	else
		line(b, 2, _("Version table: %s (%zu releases)"), table_path, t ? t->n : 0);

	heading(b, _("Data folder (userData)"));
	if (e->userdata)
		line(b, 2, "%s", e->userdata);
	else
		line(b, 2, "%s", _("Not found."));

	heading(b, _("Active configuration"));
	if (e->config_found)
		line(b, 2, _("\"%s\" %s, shown in Mapeo's footer as %s (%s)"),
		     e->config_name ? e->config_name : _("(no name)"),
		     e->config_version ? e->config_version : "", e->config_footer, e->config_path);
	else
		line(b, 2, "%s",
		     _("None imported: Mapeo uses its built-in default (no project key; footer "
		       "MAPEO)."));

	heading(b, _("Logs"));
	if (!e->n_logs)
		line(b, 2, "%s", _("No log files found."));
	for (size_t i = 0; i < e->n_logs; i++) {
		const env_log_file *lf = &e->logs[i];
		char *sz = human_size(lf->size);
		if (lf->unreadable)
			line(b, 2, _("%s (%s): could not be read"), lf->path, sz);
		else
			line(
			    b, 2,
			    P_("%s (%s): %zu sync error", "%s (%s): %zu sync errors", lf->n_events),
			    lf->path, sz, lf->n_events);
		free(sz);
	}
	if (e->n_events) {
		heading(b, _("Sync errors in the logs (newest first)"));
		for (size_t i = 0; i < e->n_events; i++) {
			const env_log_event *x = &e->events[i];
			line(b, 2, "%s [%s] %s", x->date[0] ? x->date : "?",
			     env_log_kind_label(x->kind), x->text);
		}
		if (e->n_events_total > e->n_events)
			line(b, 2, _("(%zu older ones not shown)"),
			     e->n_events_total - e->n_events);
	}

	heading(b, _("Folders left by interrupted syncs"));
	strbuf dirs = SB_INIT;
	for (char **p = e->temp_dirs; p && *p; p++)
		sb_printf(&dirs, "%s%s", dirs.len ? ", " : "", *p);
	line(b, 2, _("Looked in: %s"), dirs.len ? sb_str(&dirs) : _("(no temporary folder)"));
	sb_free(&dirs);
	if (!e->n_temps)
		line(b, 2, "%s", _("None."));
	for (size_t i = 0; i < e->n_temps; i++) {
		const env_temp *x = &e->temps[i];
		char when[32];
		human_time(x->mtime, when);
		char *sz = human_size(x->bytes);
		if (x->has_multifeed || x->has_db_tar)
			line(b, 2, _("%s (%s, %s): a database with %zu feeds%s%.7s"), x->path, when,
			     sz, x->n_feeds, x->project_dk[0] ? _(", project ") : "",
			     x->project_dk);
		else
			line(b, 2, _("%s (%s, %s): no database in it"), x->path, when, sz);
		free(sz);
	}
	if (e->n_temps)
		line(b, 2, "%s",
		     _("Check a sync file with 'syncdoctor check' to see whether one of these "
		       "belongs "
		       "to it; 'syncdoctor check DIR' reads such a folder."));

	heading(b, _("Free space"));
	if (e->temp_dirs && e->temp_dirs[0] && e->temp_space.known) {
		char *fr = human_size(e->temp_space.free_bytes),
		     *to = human_size(e->temp_space.total_bytes);
		line(b, 2, _("Temporary folder %s: %s free of %s%s%s"), e->temp_dirs[0], fr, to,
		     e->temp_space.fs[0] ? ", " : "", e->temp_space.fs);
		free(fr), free(to);
		line(b, 2, "%s",
		     _("Mapeo unpacks a sync file's whole database there, and packs it again when "
		       "the sync ends."));
	} else {
		line(b, 2, "%s", _("Unknown."));
	}
}

int cmd_env(int argc, char **argv, sess_options *g)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"userdata", required_argument, NULL, 'u'},
	    {"versions", required_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	report_format fmt = REPORT_TEXT;
	env_options eo = {0};
	const char *versions = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'f':
			if (!cli_format_option(optarg, &fmt))
				return EXIT_USAGE;
			break;
		case 'u': eo.userdata = optarg; break;
		case 'V': versions = optarg; break;
		case 'h': usage(); return EXIT_OK;
		default: return cli_usage_error(_("unknown option"));
		}
	}
	if (optind < argc)
		return cli_usage_error(_("env takes no file; '%s' is one too many"), argv[optind]);
	if (!eo.userdata)
		eo.userdata = g->userdata;

	ver_table *t = NULL;
	sd_error err;
	const char *table_path = versions ? versions : ver_default_path();
	bool table_ok = ver_table_load(table_path, &t, &err) == SD_OK;
	env_info *e = env_scan(&eo);
	strbuf out = SB_INIT;
	if (fmt == REPORT_TEXT) {
		env_text(e, t, table_path, table_ok ? NULL : err.msg, &out);
	} else {
		json_t *j = env_json(e, t, table_path, table_ok ? NULL : err.msg);
		report_tree_render(j, fmt, &out);
		json_decref(j);
	}
	cli_print(sb_str(&out));
	sb_free(&out);
	env_free(e);
	ver_table_free(t);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error(_("could not write the report to standard output"));
		return EXIT_NOT_WRITTEN;
	}
	if (!table_ok && versions) {
		cli_error("%s", err.msg);
		return EXIT_UNREADABLE;
	}
	return EXIT_OK;
}
