/* cmd_history.c: 'syncdoctor history' (placeholder until its issue lands). */
#include "config.h"

#include "cli.h"
#include "i18n.h"

int cmd_history(int argc, char **argv, cli_globals *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	cli_error(_("the '%s' command is not available in this version yet"), "history");
	return EXIT_USAGE;
}
