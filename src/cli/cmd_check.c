/* cmd_check.c: 'syncdoctor check' (placeholder until its issue lands). */
#include "config.h"

#include "cli.h"
#include "i18n.h"

int cmd_check(int argc, char **argv, cli_globals *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	cli_error(_("the '%s' command is not available in this version yet"), "check");
	return EXIT_USAGE;
}
