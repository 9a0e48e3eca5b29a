/* userconf.c: syncdoctor's configuration file (see userconf.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "i18n.h"
#include "io.h"
#include "userconf.h"
#include "xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

void ucf_init(ucf_config *c)
{
	memset(c, 0, sizeof *c);
	c->color = -1;
	c->ascii = -1;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void ucf_free(ucf_config *c)
{
	free(c->mapeo_userdata);
	free_list(c->config_search, c->n_config_search);
	free(c->journal);
	free(c->language);
	free(c->log_dir);
	free(c->version_table);
	free_list(c->warnings, c->n_warnings);
	free_list(c->files, c->n_files);
	ucf_init(c);
}

static void warn(ucf_config *c, const char *file, size_t line, const char *fmt, ...)
    SD_PRINTF(4, 5);
static void warn(ucf_config *c, const char *file, size_t line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	SD_GROW(c->warnings, c->warnings_cap, c->n_warnings + 1);
	c->warnings[c->n_warnings++] =
	    line ? xasprintf("%s:%zu: %s", file, line, msg) : xasprintf("%s: %s", file, msg);
	free(msg);
}

static void set_str(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* "~/x" is $HOME/x; a relative path is relative to the file's folder. */
static char *resolve_path(const char *file, const char *v)
{
	if (v[0] == '~' && (v[1] == '/' || v[1] == '\0')) {
		const char *home = getenv("HOME");
		if (home && *home)
			return xasprintf("%s%s", home, v + 1);
	}
	if (v[0] == '/')
		return xstrdup(v);
	const char *slash = strrchr(file, '/');
	if (!slash)
		return xstrdup(v);
	return xasprintf("%.*s/%s", (int)(slash - file), file, v);
}

/* YAML 1.1 booleans, as people write them. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes",
	                                  "YES",  "on",   "On",   "ON"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No",
	                                 "NO",    "off",   "Off",   "OFF"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -1;
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE: return _("a list");
	case YAML_MAPPING_NODE: return _("a mapping");
	default: return _("a single value");
	}
}

static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

bool ucf_language_ok(const char *s)
{
	/* "es", "pt_BR", "es_ES.UTF-8", "ca@valencia", "es:en": gettext copies
	 * the whole value onto the stack for every message. */
	size_t len = strlen(s);
	if (!len || len > UCF_MAX_LANGUAGE)
		return false;
	for (const char *p = s; *p;) {
		size_t n = 0;
		while (p[n] >= 'a' && p[n] <= 'z')
			n++;
		if (n < 2 || n > 3)
			return false;
		p += n;
		while (*p && *p != ':') {
			unsigned char ch = (unsigned char)*p++;
			if (!(ch == '_' || ch == '.' || ch == '@' || ch == '-' ||
			      (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
			      (ch >= 'A' && ch <= 'Z')))
				return false;
		}
		if (*p == ':')
			p++;
	}
	return true;
}

/* Type, length and form of one value, before anything uses it. */
static bool ucf_value_ok(ucf_config *c, const char *file, size_t line, const char *key,
                         const char *s, size_t len)
{
	if (len > UCF_MAX_VALUE) {
		warn(c, file, line, _("'%s' is %zu bytes long; at most %d are allowed (ignored)"),
		     key, len, UCF_MAX_VALUE);
		return false;
	}
	if (strlen(s) != len) {
		warn(c, file, line, _("'%s' contains a NUL character (ignored)"), key);
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			warn(c, file, line, _("'%s' contains control characters (ignored)"), key);
			return false;
		}
	if (!strcmp(key, "language") && *s && !ucf_language_ok(s)) {
		warn(c, file, line,
		     _("'language' must be a language code such as es or pt_BR, not '%.40s' "
		       "(ignored)"),
		     s);
		return false;
	}
	return true;
}

static void apply_key(ucf_config *c, const char *file, yaml_document_t *doc, const char *key,
                      size_t key_line, yaml_node_t *v)
{
	size_t line = v->start_mark.line + 1;
	enum { PATH, BOOL, STRING, LIST } kind;
	if (!strcmp(key, "mapeo_userdata") || !strcmp(key, "log_dir") ||
	    !strcmp(key, "version_table") || !strcmp(key, "journal"))
		kind = PATH;
	else if (!strcmp(key, "color") || !strcmp(key, "ascii"))
		kind = BOOL;
	else if (!strcmp(key, "language"))
		kind = STRING;
	else if (!strcmp(key, "config_search"))
		kind = LIST;
	else {
		warn(c, file, key_line,
		     _("unknown key '%s' (ignored); known keys: mapeo_userdata, config_search, "
		       "journal, "
		       "language, color, ascii, log_dir, version_table"),
		     key);
		return;
	}
	if (kind == LIST) {
		if (v->type != YAML_SEQUENCE_NODE) {
			warn(c, file, line, _("'%s' must be a list of folders, not %s (ignored)"),
			     key, node_kind(v));
			return;
		}
		char **list = NULL;
		size_t n = 0, cap = 0;
		SD_GROW(list, cap, 1);
		list[0] = NULL;
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(doc, *it);
			if (!e || e->type != YAML_SCALAR_NODE || !*scalar(e)) {
				warn(c, file, e ? e->start_mark.line + 1 : line,
				     _("each entry of '%s' must be a folder (ignored)"), key);
				continue;
			}
			if (!ucf_value_ok(c, file, e->start_mark.line + 1, key, scalar(e),
			                  e->data.scalar.length))
				continue;
			SD_GROW(list, cap, n + 2);
			list[n++] = resolve_path(file, scalar(e));
			list[n] = NULL;
		}
		free_list(c->config_search, c->n_config_search);
		c->config_search = list;
		c->n_config_search = n;
		return;
	}
	if (v->type != YAML_SCALAR_NODE) {
		warn(c, file, line, _("'%s' must be a single value, not %s (ignored)"), key,
		     node_kind(v));
		return;
	}
	const char *s = scalar(v);
	bool plain = v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (!ucf_value_ok(c, file, line, key, s, v->data.scalar.length))
		return;
	if (kind == BOOL) {
		int b = plain ? parse_bool(s) : -1;
		if (b < 0) {
			warn(c, file, line, _("'%s' must be true or false, not '%.40s' (ignored)"),
			     key, s);
			return;
		}
		if (!strcmp(key, "color"))
			c->color = b;
		else
			c->ascii = b;
		return;
	}
	if (!strcmp(key, "journal") && plain && parse_bool(s) == 0) {
		c->no_journal = 1;
		set_str(&c->journal, NULL);
		return;
	}
	if (!*s || (plain && (parse_bool(s) >= 0 || !strcmp(s, "~") || !strcmp(s, "null")))) {
		warn(c, file, line, _("'%s' needs a value (ignored)"), key);
		return;
	}
	if (kind == STRING) {
		set_str(&c->language, xstrdup(s));
		return;
	}
	char *p = resolve_path(file, s);
	if (!strcmp(key, "mapeo_userdata"))
		set_str(&c->mapeo_userdata, p);
	else if (!strcmp(key, "log_dir"))
		set_str(&c->log_dir, p);
	else if (!strcmp(key, "version_table"))
		set_str(&c->version_table, p);
	else {
		set_str(&c->journal, p);
		c->no_journal = 0;
	}
}

bool ucf_load_file(ucf_config *c, const char *path)
{
	FILE *f = io_fopen_regular(path);
	if (!f) {
		if (errno == EINVAL)
			warn(c, path, 0,
			     _("it is not a regular file (a pipe or a device): ignored"));
		else if (errno != ENOENT && errno != ENOTDIR)
			warn(c, path, 0, _("cannot read it: %s (ignored)"), strerror(errno));
		return false;
	}
	SD_GROW(c->files, c->files_cap, c->n_files + 1);
	c->files[c->n_files++] = xstrdup(path);
	/* A few lines of settings: anything larger is not one (and a deeply
	 * nested document costs time and memory to load). */
	if (fseeko(f, 0, SEEK_END) == 0 && ftello(f) > UCF_MAX_FILE) {
		warn(c, path, 0, _("the file is larger than %d bytes (file ignored)"),
		     UCF_MAX_FILE);
		fclose(f);
		return true;
	}
	rewind(f);
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		warn(c, path, parser.problem_mark.line + 1, _("not valid YAML: %s (file ignored)"),
		     parser.problem ? parser.problem : _("unknown error"));
		yaml_parser_delete(&parser);
		fclose(f);
		return true;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
		     p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			yaml_node_t *v = yaml_document_get_node(&doc, p->value);
			if (!k || !v)
				continue;
			if (k->type != YAML_SCALAR_NODE) {
				warn(c, path, k->start_mark.line + 1,
				     _("a key must be a word (ignored)"));
				continue;
			}
			apply_key(c, path, &doc, scalar(k), k->start_mark.line + 1, v);
		}
	} else if (root && !(root->type == YAML_SCALAR_NODE && !*scalar(root))) {
		warn(c, path, root->start_mark.line + 1,
		     _("the file must be a list of 'key: value' lines, not %s (file ignored)"),
		     node_kind(root));
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return true;
}

void ucf_default_paths(char **system_path, char **user_path)
{
	const char *sys = getenv("SYNCDOCTOR_SYSCONFDIR");
	*system_path = xasprintf("%s/syncdoctor/config.yaml", sys && *sys ? sys : SYSCONFDIR);
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME"),
	           *named = getenv("SYNCDOCTOR_CONFIG");
	if (named && *named)
		*user_path = xstrdup(named);
	else if (xdg && xdg[0] == '/')
		*user_path = xasprintf("%s/syncdoctor/config.yaml", xdg);
	else if (home && *home)
		*user_path = xasprintf("%s/.config/syncdoctor/config.yaml", home);
	else
		*user_path = NULL;
}

void ucf_load_default(ucf_config *c)
{
	char *sys, *user;
	ucf_default_paths(&sys, &user);
	ucf_load_file(c, sys);
	if (user)
		ucf_load_file(c, user);
	free(sys);
	free(user);
}
