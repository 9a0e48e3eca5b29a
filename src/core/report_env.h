/* report_env.h: what 'syncdoctor env' shows about this computer's Mapeo
 * (module prefix report_env_), as text, JSON or YAML.
 *
 * The command fills a report_env (env_scan() and the version table) and
 * hands it here; nothing is read from disk while rendering. Text lines are
 * escaped one by one (report_escape()), JSON and YAML go through
 * report_tree_render(). Only the footer form of a configuration's key is
 * ever shown (env_info holds no key), and leftover folders' projects by
 * their discovery key's first 7 characters.
 *
 * Ownership: every pointer in a report_env stays the caller's. */
#ifndef SD_REPORT_ENV_H
#define SD_REPORT_ENV_H

#include "env.h"
#include "report.h"
#include "strbuf.h"
#include "versions.h"

typedef struct report_env {
	const env_info *env;
	const ver_table *table;  /* NULL when it could not be read */
	const char *table_path;  /* the table asked for (or the default one) */
	const char *table_error; /* why it could not be read, NULL */
} report_env;

/* Append e rendered in fmt to out. */
void report_env_render(const report_env *e, report_format fmt, strbuf *out);
/* One translated line for each symbolic link the scan of the temporary
 * folders did not follow (env_info.temp_links), its path escaped, and
 * one for those past ENV_LINKS_MAX: emit(text, ud) for each, text owned
 * by the callee only while it runs. For `syncdoctor env` and the
 * wizard's offer of leftover folders. */
void report_env_links(const env_info *e, void (*emit)(const char *text, void *ud), void *ud);

#endif
