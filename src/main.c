/* main.c: the program. It readies the process (environment, language,
 * signals, the configuration file) into one session (session.h), then hands
 * the run to the command line (src/cli), which parses the global options and
 * runs a command or says the wizard (src/tui) is wanted. The two front ends
 * share only the core; only this file knows both. */
#include "config.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "i18n.h"
#include "session.h"
#include "tui/ui.h"
#include "userconf.h"
#include "xalloc.h"

/* Values from the environment, checked before setlocale() and gettext see
 * them: a language list of megabytes is copied onto the stack for every
 * translated message; paths longer than PATH_MAX name nothing. Bad ones are
 * removed and named once the messages can be translated. */
static const char *bad_env[16];
static size_t n_bad_env;

static void sanitize_environment(void)
{
	static const char *const langs[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		const char *v = getenv(langs[i]);
		/* LC_* and LANG may also say "C" or "POSIX". */
		if (v && *v && !ucf_language_ok(v) && strcmp(v, "C") && strcmp(v, "POSIX") &&
		    strcmp(v, "C.UTF-8") && strcmp(v, "C.utf8")) {
			unsetenv(langs[i]);
			bad_env[n_bad_env++] = langs[i];
		}
	}
	static const char *const paths[] = {"HOME",
	                                    "XDG_CONFIG_HOME",
	                                    "XDG_STATE_HOME",
	                                    "SYNCDOCTOR_CONFIG",
	                                    "SYNCDOCTOR_SYSCONFDIR",
	                                    "SYNCDOCTOR_VERSIONS",
	                                    "APPDATA",
	                                    "SYNCDOCTOR_LOCALEDIR"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		const char *v = getenv(paths[i]);
		if (v && strlen(v) > PATH_MAX) {
			unsetenv(paths[i]);
			bad_env[n_bad_env++] = paths[i];
		}
	}
}

/* Where the catalogues are: SYNCDOCTOR_LOCALEDIR; else, for a binary run
 * from its build tree (README's first command), the locale tree the build
 * makes beside it (po/locale), found from the program's own location
 * (/proc/self/exe) so no build path is written into the binary; else the
 * installed LOCALEDIR. Caller frees. */
static char *find_localedir(void)
{
	const char *env = getenv("SYNCDOCTOR_LOCALEDIR");
	if (env && *env)
		return xstrdup(env);
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char *tree = xasprintf("%s/po/locale", exe);
			struct stat st;
			if (stat(tree, &st) == 0 && S_ISDIR(st.st_mode))
				return tree;
			free(tree);
		}
	}
	return xstrdup(LOCALEDIR);
}

int main(int argc, char **argv)
{
	sanitize_environment();
	setlocale(LC_ALL, "");
	char *localedir = find_localedir();
	bindtextdomain(PACKAGE, localedir);
	free(localedir);
	textdomain(PACKAGE);
	sess_install_signals();

	for (size_t i = 0; i < n_bad_env; i++)
		cli_warning(_("the environment variable %s is too long or not of its form "
		              "(ignored)"),
		            bad_env[i]);
	sess_options o = {0};
	const ucf_config *u = sess_load_config();
	for (size_t i = 0; i < u->n_warnings; i++)
		cli_warning("%s", u->warnings[i]);
	sess_apply_config(&o, u);
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		o.no_color = true;

	const char *file = NULL;
	int rc = cli_main(argc, argv, &o, &file);
	if (rc == CLI_RUN_WIZARD)
		rc = ui_wizard_main(file, &o);
	return rc;
}
