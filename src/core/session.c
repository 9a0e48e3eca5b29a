/* session.c: the run's options, interrupt flag and places (session.h). */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "journal.h"
#include "session.h"
#include "versions.h"
#include "xalloc.h"

volatile sig_atomic_t sess_interrupted;
void (*volatile sess_signal_restore)(void);

/* End now: put the terminal back (the wizard's hook), remove temporary
 * outputs, then die of the same signal so the parent sees it. Only
 * async-signal-safe calls. */
static void die_of(int sig)
{
	void (*restore)(void) = sess_signal_restore;
	if (restore)
		restore();
	sdout_cleanup_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_signal(int sig)
{
	/* First Ctrl-C (or TERM, HUP) asks the work to stop cleanly; a second
	 * one, or Ctrl-\, ends now. */
	if (sess_interrupted || sig == SIGQUIT) {
		die_of(sig);
		return;
	}
	sess_interrupted = 1;
}

/* A crash still leaves the terminal usable. Not installed where a sanitizer
 * already handles the signal (its report matters more). */
static void on_fatal(int sig) { die_of(sig); }

void sess_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a key read waiting on the terminal returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Past a file-size limit, write() fails with EFBIG: a write error like
	 * a full disk (exit 4, the temporary removed), not a kill. */
	signal(SIGXFSZ, SIG_IGN);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
		struct sigaction old;
		if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
		    !(old.sa_flags & SA_SIGINFO)) {
			struct sigaction fa = sa;
			fa.sa_handler = on_fatal;
			fa.sa_flags = SA_RESETHAND;
			sigaction(fatal[i], &fa, NULL);
		}
	}
}

/* Kept for the whole run: sess_options borrows its strings. */
static ucf_config user_config;

const ucf_config *sess_load_config(void)
{
	ucf_init(&user_config);
	ucf_load_default(&user_config);
	return &user_config;
}

void sess_apply_config(sess_options *o, const ucf_config *u)
{
	if (u->language) {
		/* An explicit LANGUAGE in the environment still wins. */
		const char *l = getenv("LANGUAGE");
		if (!l || !*l)
			setenv("LANGUAGE", u->language, 1);
		o->language = u->language;
	}
	if (u->color == 0)
		o->no_color = true;
	if (u->ascii == 1)
		o->ascii = true;
	if (u->journal)
		o->journal = u->journal;
	if (u->no_journal)
		o->no_journal = true;
	o->userdata = u->mapeo_userdata;
	o->config_search = (const char *const *)u->config_search;
	o->log_dir = u->log_dir;
	o->version_table = u->version_table;
	ver_set_path(u->version_table); /* below SYNCDOCTOR_VERSIONS and --versions */
}

char *sess_journal_path(const sess_options *o)
{
	if (o->no_journal)
		return NULL;
	return o->journal ? xstrdup(o->journal) : jnl_default_path();
}
