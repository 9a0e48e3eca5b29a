/* report_env.c: 'syncdoctor env' as text, JSON and YAML (report_env.h). */
#include "config.h"

#include "report_env.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "human.h"
#include "i18n.h"
#include "report.h"
#include "xalloc.h"

/* ---- JSON (and YAML, from the same tree) ---- */

static json_t *jstr(const char *s) { return s ? report_json_str(s) : json_null(); }

static json_t *release_json(const ver_release *rel)
{
	json_t *o = json_object();
	json_object_set_new(o, "series", report_json_str(rel->series));
	json_object_set_new(o, "core", jstr(rel->core));
	json_object_set_new(o, "writes", report_json_str(rel->writes));
	json_t *reads = json_array();
	for (size_t i = 0; i < rel->n_reads; i++)
		json_array_append_new(reads, report_json_str(rel->reads[i]));
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

static json_t *installs_json(const env_info *e, const ver_table *t)
{
	json_t *ins = json_array();
	for (size_t i = 0; i < e->n_installs; i++) {
		const env_install *in = &e->installs[i];
		json_t *j = json_object();
		json_object_set_new(j, "path", report_json_str(in->path));
		json_object_set_new(j, "kind", report_json_str(in->kind));
		json_object_set_new(j, "version", jstr(in->version));
		json_object_set_new(j, "version_from", jstr(in->version_from));
		const ver_release *rel = in->version && t ? ver_find(t, in->version) : NULL;
		json_object_set_new(j, "release", rel ? release_json(rel) : json_null());
		json_array_append_new(ins, j);
	}
	return ins;
}

static json_t *config_json(const env_info *e)
{
	json_t *c = json_object();
	json_object_set_new(c, "found", json_boolean(e->config_found));
	if (e->config_found) {
		json_object_set_new(c, "path", report_json_str(e->config_path));
		json_object_set_new(c, "name", jstr(e->config_name));
		json_object_set_new(c, "version", jstr(e->config_version));
	}
	json_object_set_new(c, "footer",
	                    report_json_str(e->config_found ? e->config_footer : "MAPEO"));
	return c;
}

static json_t *logs_json(const env_info *e)
{
	json_t *logs = json_array();
	for (size_t i = 0; i < e->n_logs; i++) {
		const env_log_file *lf = &e->logs[i];
		json_t *j = json_object();
		json_object_set_new(j, "path", report_json_str(lf->path));
		json_object_set_new(j, "gzip", json_boolean(lf->gz));
		json_object_set_new(j, "size", json_integer((json_int_t)lf->size));
		json_object_set_new(j, "sync_errors", json_integer((json_int_t)lf->n_events));
		json_object_set_new(j, "readable", json_boolean(!lf->unreadable));
		json_array_append_new(logs, j);
	}
	return logs;
}

static json_t *events_json(const env_info *e)
{
	json_t *ev = json_array();
	for (size_t i = 0; i < e->n_events; i++) {
		const env_log_event *x = &e->events[i];
		json_t *j = json_object();
		json_object_set_new(j, "date", report_json_str(x->date));
		json_object_set_new(j, "kind", report_json_str(env_log_kind_name(x->kind)));
		json_object_set_new(j, "message", report_json_str(x->text));
		json_object_set_new(j, "file", report_json_str(x->file));
		json_object_set_new(j, "line", json_integer(x->line));
		json_array_append_new(ev, j);
	}
	return ev;
}

static json_t *temps_json(const env_info *e)
{
	json_t *tmp = json_array();
	for (size_t i = 0; i < e->n_temps; i++) {
		const env_temp *x = &e->temps[i];
		json_t *j = json_object();
		json_object_set_new(j, "path", report_json_str(x->path));
		json_object_set_new(j, "mtime", json_integer(x->mtime));
		json_object_set_new(j, "bytes", json_integer((json_int_t)x->bytes));
		json_object_set_new(j, "database", json_boolean(x->has_multifeed || x->has_db_tar));
		json_object_set_new(j, "packed", json_boolean(x->has_db_tar));
		json_object_set_new(j, "feeds", json_integer((json_int_t)x->n_feeds));
		char dk[8];
		snprintf(dk, sizeof dk, "%.7s", x->project_dk);
		json_object_set_new(j, "project",
		                    x->project_dk[0] ? report_json_str(dk) : json_null());
		json_array_append_new(tmp, j);
	}
	return tmp;
}

static json_t *space_json(const env_info *e)
{
	json_t *sp = json_object();
	if (e->temp_dirs && e->temp_dirs[0] && e->temp_space.known) {
		json_object_set_new(sp, "path", report_json_str(e->temp_dirs[0]));
		json_object_set_new(sp, "free", json_integer((json_int_t)e->temp_space.free_bytes));
		json_object_set_new(sp, "total",
		                    json_integer((json_int_t)e->temp_space.total_bytes));
		json_object_set_new(sp, "filesystem", report_json_str(e->temp_space.fs));
	}
	return sp;
}

static json_t *env_json(const report_env *r)
{
	const env_info *e = r->env;
	json_t *o = json_object();
	json_t *vt = json_object();
	json_object_set_new(vt, "path", report_json_str(r->table_path));
	json_object_set_new(vt, "releases", json_integer(r->table ? (json_int_t)r->table->n : 0));
	if (r->table_error)
		json_object_set_new(vt, "error", report_json_str(r->table_error));
	json_object_set_new(o, "version_table", vt);
	json_object_set_new(o, "installs", installs_json(e, r->table));
	json_object_set_new(o, "userdata", jstr(e->userdata));
	json_t *cands = json_array();
	for (char **p = e->userdata_candidates; p && *p; p++)
		json_array_append_new(cands, report_json_str(*p));
	json_object_set_new(o, "userdata_candidates", cands);
	json_object_set_new(o, "configuration", config_json(e));
	json_object_set_new(o, "logs", logs_json(e));
	json_object_set_new(o, "sync_errors", events_json(e));
	json_object_set_new(o, "sync_errors_total", json_integer((json_int_t)e->n_events_total));
	json_t *td = json_array();
	for (char **p = e->temp_dirs; p && *p; p++)
		json_array_append_new(td, report_json_str(*p));
	json_object_set_new(o, "temp_dirs", td);
	json_object_set_new(o, "leftover_temp", temps_json(e));
	json_t *links = json_array();
	for (size_t i = 0; i < e->n_temp_links_kept; i++)
		json_array_append_new(links, report_json_str(e->temp_links[i]));
	json_object_set_new(o, "links_not_followed", links);
	json_object_set_new(o, "links_not_followed_total",
	                    json_integer((json_int_t)e->n_temp_links));
	json_object_set_new(o, "temp_space", space_json(e));
	return o;
}

/* ---- text ---- */

/* One line of text, indented, every name in it escaped. */
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

/* What the version table says of one release, in the words of a person. */
static void release_text(const ver_release *rel, strbuf *b)
{
	line(b, 4, _("Series %s, mapeo-core %s."), rel->series, rel->core ? rel->core : "?");
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

static void installs_text(const report_env *r, strbuf *b)
{
	const env_info *e = r->env;
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
		const ver_release *rel =
		    in->version && r->table ? ver_find(r->table, in->version) : NULL;
		if (rel)
			release_text(rel, b);
	}
	if (r->table_error)
		line(b, 2, _("The table of Mapeo versions could not be read: %s"), r->table_error);
	else
		line(b, 2,
		     P_("Version table: %s (%zu release)", "Version table: %s (%zu releases)",
		        r->table ? r->table->n : 0),
		     r->table_path, r->table ? r->table->n : 0);
}

static void config_text(const env_info *e, strbuf *b)
{
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
}

static void logs_text(const env_info *e, strbuf *b)
{
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
	if (!e->n_events)
		return;
	heading(b, _("Sync errors in the logs (newest first)"));
	for (size_t i = 0; i < e->n_events; i++) {
		const env_log_event *x = &e->events[i];
		line(b, 2, "%s [%s] %s", x->date[0] ? x->date : "?", env_log_kind_label(x->kind),
		     x->text);
	}
	if (e->n_events_total > e->n_events)
		line(b, 2,
		     P_("(%zu older one not shown)", "(%zu older ones not shown)",
		        e->n_events_total - e->n_events),
		     e->n_events_total - e->n_events);
}

void report_env_links(const env_info *e, void (*emit)(const char *text, void *ud), void *ud)
{
	for (size_t i = 0; i < e->n_temp_links_kept; i++) {
		char *p = report_escape(e->temp_links[i]);
		char *l = xasprintf(_("%s is a symbolic link: it was not followed, since others "
		                      "may write in a temporary folder"),
		                    p);
		emit(l, ud);
		free(l);
		free(p);
	}
	size_t more = e->n_temp_links - e->n_temp_links_kept;
	if (more) {
		char *l =
		    xasprintf(P_("... and %zu more symbolic link, not followed either",
		                 "... and %zu more symbolic links, not followed either", more),
		              more);
		emit(l, ud);
		free(l);
	}
}

/* text is escaped already (report_env_links()) */
static void link_line(const char *text, void *ud) { sb_printf(ud, "  %s\n", text); }

/* The links the scan did not follow, one line each (report_env_links()). */
static void env_links_text(const env_info *e, strbuf *b) { report_env_links(e, link_line, b); }

static void temps_text(const env_info *e, strbuf *b)
{
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
			line(b, 2,
			     P_("%s (%s, %s): a database with %zu feed%s%.7s",
			        "%s (%s, %s): a database with %zu feeds%s%.7s", x->n_feeds),
			     x->path, when, sz, x->n_feeds, x->project_dk[0] ? _(", project ") : "",
			     x->project_dk);
		else
			line(b, 2, _("%s (%s, %s): no database in it"), x->path, when, sz);
		free(sz);
	}
	env_links_text(e, b);
	if (e->n_temps)
		line(b, 2, "%s",
		     _("Check a sync file with 'syncdoctor check' to see whether one of these "
		       "belongs "
		       "to it; 'syncdoctor check DIR' reads such a folder."));
}

static void space_text(const env_info *e, strbuf *b)
{
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

void report_env_render(const report_env *e, report_format fmt, strbuf *out)
{
	if (fmt != REPORT_TEXT) {
		json_t *j = env_json(e);
		report_tree_render(j, fmt, out);
		json_decref(j);
		return;
	}
	installs_text(e, out);
	config_text(e->env, out);
	logs_text(e->env, out);
	temps_text(e->env, out);
	space_text(e->env, out);
}
