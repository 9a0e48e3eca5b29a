/* wizard.c: the step-by-step wizard (placeholder until its issue lands). */
#include "config.h"

#include "cli/cli.h"
#include "i18n.h"

int ui_wizard_main(const char *file, cli_globals *g)
{
	(void)file;
	(void)g;
	cli_error(_("the wizard is not available in this version yet; run 'syncdoctor --help'"));
	return EXIT_USAGE;
}
