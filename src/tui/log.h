/* log.h: the wizard's session log (TestDisk style).
 *
 * One plain-text file per session: versions, command line, terminal and
 * language, then the text of every page shown and every answer given,
 * flushed line by line so it survives a crash or a pulled cable. Default
 * place: $XDG_STATE_HOME/syncdoctor/logs/session-YYYYMMDD-HHMMSS.log
 * (~/.local/state when unset). When it cannot be created the session goes
 * on without a log and ui_log_path() says why.
 *
 * The log is a process-wide singleton; strings passed in are copied. */
#ifndef SD_UI_LOG_H
#define SD_UI_LOG_H

#include <stdbool.h>

#include "ui.h"

/* Create the log in dir (NULL: the default place above; the configuration
 * file's log_dir) and write its heading. Returns false when there is none. */
bool ui_log_open(const char *dir);
void ui_log_close(void);
/* The log's path, or NULL when there is none. */
const char *ui_log_path(void);
/* Why there is no log (translated), or NULL. */
const char *ui_log_problem(void);
void ui_log_printf(const char *fmt, ...) SD_PRINTF(1, 2);
/* The text of a page, unwrapped. */
void ui_log_page(const ui_page *p);
/* One answer: "> WHAT". */
void ui_log_answer(const char *fmt, ...) SD_PRINTF(1, 2);

#endif
