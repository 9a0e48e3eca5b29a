/* userconf.h: syncdoctor's own configuration file (module prefix ucf_),
 * YAML read with libyaml. Not to be confused with Mapeo configurations
 * (configuration.h).
 *
 * Files, later ones overriding earlier ones key by key:
 *   1. $SYNCDOCTOR_SYSCONFDIR/syncdoctor/config.yaml when that variable is
 *      set (tests), else SYSCONFDIR/syncdoctor/config.yaml (configure's
 *      sysconfdir: /etc for distribution packages);
 *   2. $XDG_CONFIG_HOME/syncdoctor/config.yaml (~/.config when unset), or
 *      $SYNCDOCTOR_CONFIG instead when that is set.
 * A missing file is not a problem. Every problem in a file (YAML syntax,
 * unknown key, wrong type) is a warning naming the file and line; the key is
 * ignored and everything else still applies. Relative paths are taken
 * relative to the file's folder, and "~/" means $HOME.
 *
 * Keys: mapeo_userdata (path), config_search (list of folders), journal
 * (path, or false for no journal), language (e.g. "es", "pt_BR"), color
 * (bool), ascii (bool), log_dir (path), version_table (path).
 *
 * Ownership: a ucf_config owns every string in it; free with ucf_free().
 * The command line overrides all of it (src/main.c applies it first, through sess_apply_config). */
#ifndef SD_USERCONF_H
#define SD_USERCONF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ucf_config {
	char *mapeo_userdata;
	char **config_search; /* NULL-terminated; NULL when unset */
	size_t n_config_search;
	char *journal;
	int no_journal; /* 1: "journal: false"; 0 unset */
	char *language;
	int color; /* -1 unset, 0, 1 */
	int ascii; /* -1 unset, 0, 1 */
	char *log_dir;
	char *version_table;
	/* "FILE:LINE: message" lines (translated), in the order found */
	char **warnings;
	size_t n_warnings, warnings_cap;
	/* the files that were read */
	char **files;
	size_t n_files, files_cap;
} ucf_config;

/* Bounds on what is read: a file larger than UCF_MAX_FILE is ignored, a
 * value longer than UCF_MAX_VALUE, with control characters, or (language)
 * not of the form ll[_CC][.charset][@variant][:...] is ignored, each with a
 * warning naming the file and line. */
#define UCF_MAX_FILE     (64 * 1024)
#define UCF_MAX_VALUE    4096
#define UCF_MAX_LANGUAGE 64
/* True when s is a language list gettext may be given (main.c checks the
 * environment's LANGUAGE with it too). */
bool ucf_language_ok(const char *s);

void ucf_init(ucf_config *c);
void ucf_free(ucf_config *c);
/* Read one file and merge it into c; a missing file is ignored (returns
 * false), anything wrong in it becomes a warning. */
bool ucf_load_file(ucf_config *c, const char *path);
/* The system file, then the user's. */
void ucf_load_default(ucf_config *c);
/* The two paths ucf_load_default() reads (caller frees; user may be NULL). */
void ucf_default_paths(char **system_path, char **user_path);

#endif
