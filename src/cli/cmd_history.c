/* cmd_history.c: 'syncdoctor history [FILE]', and how the other commands
 * use the case journal (journal.h). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "diagnosis.h"
#include "i18n.h"
#include "journal.h"
#include "rebuild.h"
#include "report.h"

struct jnl_db *cli_journal_open(const sess_options *g, bool create)
{
	char *path = sess_journal_path(g);
	if (!path)
		return NULL;
	jnl_db *j = NULL;
	sd_error err;
	if (jnl_open(path, create, &j, &err) != SD_OK) {
		fflush(stdout);
		fprintf(stderr, _("syncdoctor: warning: %s; going on without the case journal\n"),
		        err.msg);
		j = NULL;
	}
	free(path);
	return j;
}

long long cli_journal_check(const sess_options *g, const struct sd_report *r)
{
	jnl_db *j = cli_journal_open(g, true);
	if (!j)
		return 0;
	sd_progress prog = {NULL, NULL, &sess_interrupted};
	int64_t id = 0;
	sd_error err;
	if (jnl_record_report(j, r, &prog, NULL, &id, &err) != SD_OK) {
		fflush(stdout);
		fprintf(stderr, _("syncdoctor: warning: %s; this check was not recorded\n"),
		        err.msg);
	}
	jnl_close(j);
	return id;
}

void cli_journal_rebuild(const sess_options *g, const struct rebuild_plan *p, const char *output,
                         bool salvage, const char *error)
{
	jnl_db *j = cli_journal_open(g, true);
	if (!j)
		return;
	sd_progress prog = {NULL, NULL, &sess_interrupted};
	sd_error err;
	if (jnl_record_plan(j, p, output, salvage, error, &prog, &err) != SD_OK) {
		fflush(stdout);
		fprintf(stderr, _("syncdoctor: warning: %s; this rebuild was not recorded\n"),
		        err.msg);
	}
	jnl_close(j);
}

static void usage(void)
{
	printf(_("Usage: syncdoctor history [OPTION]... [FILE]\n"
	         "List the checks and rebuilds kept in the case journal, newest first. With FILE,\n"
	         "only those of that file (the same content, or the same path), and a summary:\n"
	         "how many times it was checked, when it was first seen healthy, and since when\n"
	         "it is damaged.\n"
	         "\n"
	         "  -f, --format=FMT    text (default), json or yaml\n"
	         "  -n, --limit=N       at most N checks (and N rebuilds)\n"
	         "  -h, --help          display this help and exit\n"
	         "\n"
	         "The journal is $XDG_STATE_HOME/syncdoctor/journal.sqlite unless --journal\n"
	         "or the configuration file says otherwise.\n"
	         "\n"
	         "Exit status: 0 listed (even when empty), 1 usage error, 3 the journal could\n"
	         "not be read.\n"));
}

static void local_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}

/* What the walk's callbacks share: rows are rendered as they come, so the
 * memory of 'history' is that of one row whatever the journal holds. */
typedef struct hist_out {
	report_format fmt;
	size_t n_checks, n_rebuilds;
} hist_out;

/* JSON or YAML, streamed: the tree is {checks: [...], rebuilds: [...],
 * journal, summary}. Each row is rendered as the only item of {KEY: [row]}
 * and only the item's lines are kept, so that it comes out exactly as in the
 * whole tree rendered at once (report_tree_render()). */
static void render(const hist_out *h, json_t *o, strbuf *out)
{
	report_tree_render(o, h->fmt, out);
	json_decref(o);
}

/* YAML documents open with "---" and the emitter closes them with "...". */
static const char *yaml_body(const strbuf *out, size_t *len)
{
	const char *s = sb_str(out), *end = s + out->len;
	if (!strncmp(s, "---\n", 4))
		s += 4;
	if (end - s >= 4 && !strncmp(end - 4, "...\n", 4))
		end -= 4;
	*len = (size_t)(end - s);
	return s;
}

static void print_tree_item(const hist_out *h, const char *key, json_t *row, size_t n)
{
	json_t *o = json_object(), *a = json_array();
	json_array_append_new(a, row);
	json_object_set_new(o, key, a);
	strbuf out = SB_INIT;
	render(h, o, &out);
	const char *s = sb_str(&out);
	if (h->fmt == REPORT_YAML) {
		size_t len;
		s = yaml_body(&out, &len);
		const char *item = memchr(s, '\n', len); /* after "KEY:" */
		item = item ? item + 1 : s + len;
		if (!n && !strcmp(key, "checks"))
			cli_printf("%s", strncmp(sb_str(&out), "---\n", 4) ? "" : "---\n");
		if (!n)
			cli_printf("%.*s", (int)(item - s), s);
		cli_printf("%.*s", (int)(s + len - item), item);
	} else {
		/* "{\n  \"KEY\": [\n" ITEM "\n  ]\n}\n" */
		const char *item = strstr(s, "[\n"), *end = s + out.len - strlen("\n  ]\n}\n");
		item = item ? item + 2 : end;
		if (!n)
			cli_printf("%s  \"%s\": [\n", strcmp(key, "checks") ? ",\n" : "{\n", key);
		else
			cli_printf(",\n");
		cli_printf("%.*s", (int)(end - item), item);
	}
	sb_free(&out);
}

/* The end of the KEY array, or the whole of it when it had no item. */
static void print_tree_close(const hist_out *h, const char *key, size_t n)
{
	if (n) {
		if (h->fmt == REPORT_JSON)
			cli_printf("\n  ]");
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, key, json_array());
	strbuf out = SB_INIT;
	render(h, o, &out);
	if (h->fmt == REPORT_YAML) {
		size_t len;
		const char *s = yaml_body(&out, &len);
		if (!strcmp(key, "checks"))
			cli_printf("%s", strncmp(sb_str(&out), "---\n", 4) ? "" : "---\n");
		cli_printf("%.*s", (int)len, s);
	} else {
		/* "{\n  \"KEY\": []\n}\n" */
		cli_printf("%s%.*s", strcmp(key, "checks") ? ",\n" : "{\n", (int)(out.len - 5),
		           sb_str(&out) + 2);
	}
	sb_free(&out);
}

/* The members after the arrays, and the end of the tree. */
static void print_tree_tail(const hist_out *h, json_t *o)
{
	strbuf out = SB_INIT;
	report_tree_render(o, h->fmt, &out);
	if (h->fmt == REPORT_YAML) {
		const char *s = sb_str(&out);
		if (!strncmp(s, "---\n", 4))
			s += 4;
		cli_printf("%s", s);
	} else {
		cli_printf(",%s", sb_str(&out) + 1); /* "{" + "\n  \"journal\"..." */
	}
	sb_free(&out);
}

static sd_status print_check(void *ctx, jnl_check *c)
{
	hist_out *h = ctx;
	if (sess_interrupted)
		return SD_ERR_CANCELLED;
	if (h->fmt != REPORT_TEXT) {
		print_tree_item(h, "checks", jnl_check_json(c), h->n_checks++);
		return SD_OK;
	}
	h->n_checks++;
	char d[32];
	local_time(c->time, d);
	char *esc = report_escape(c->path);
	cli_printf("%s  %-10s  %s\n", d, c->verdict, esc);
	free(esc);
	cli_printf(_("    era %s, %llu bytes"), c->era[0] ? c->era : "?",
	           (unsigned long long)c->size);
	if (c->fingerprint[0])
		cli_printf(_(", fingerprint %.16s"), c->fingerprint);
	if (c->discovery_key[0])
		cli_printf(_(", project %.7s"), c->discovery_key);
	putchar('\n');
	if (c->config_match >= 0) {
		char *cn = report_escape(c->config_name ? c->config_name : "");
		cli_printf(_("    compared with %s %s (%s): %s\n"), cn,
		           c->config_version ? c->config_version : "",
		           c->config_footer ? c->config_footer : "",
		           c->config_match ? _("same project") : _("another project"));
		free(cn);
	}
	for (size_t k = 0; k < c->n_findings; k++) {
		const jnl_finding *f = &c->findings[k];
		cli_printf("    %-7s %s\n", f->severity ? f->severity : "", f->code);
	}
	return SD_OK;
}

static sd_status print_rebuild(void *ctx, jnl_rebuild_row *b)
{
	hist_out *h = ctx;
	if (sess_interrupted)
		return SD_ERR_CANCELLED;
	if (h->fmt != REPORT_TEXT) {
		print_tree_item(h, "rebuilds", jnl_rebuild_json(b), h->n_rebuilds++);
		return SD_OK;
	}
	if (!h->n_rebuilds++)
		cli_printf(_("\nRebuilds:\n"));
	char d[32];
	local_time(b->time, d);
	char *in = report_escape(b->input), *out = report_escape(b->output);
	cli_printf(_("%s  %s -> %s (%s): %s\n"), d, in, out, b->mode, b->outcome);
	free(in);
	free(out);
	for (size_t k = 0; k < b->n_dropped; k++) {
		char *e = report_escape(b->dropped[k]);
		cli_printf(_("    dropped: %s\n"), e);
		free(e);
	}
	return SD_OK;
}

int cmd_history(int argc, char **argv, sess_options *g)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"limit", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	report_format fmt = REPORT_TEXT;
	size_t limit = 0;
	int c;
	while ((c = getopt_long(argc, argv, "f:n:h", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, g))
			continue;
		switch (c) {
		case 'f':
			if (!cli_format_option(optarg, &fmt))
				return EXIT_USAGE;
			break;
		case 'n': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v <= 0)
				return cli_usage_error(
				    _("--limit needs a positive number, not '%s'"), optarg);
			limit = (size_t)v;
			break;
		}
		case 'h': usage(); return EXIT_OK;
		default: return cli_usage_error(_("unknown option"));
		}
	}
	if (optind + 1 < argc)
		return cli_usage_error(_("history takes at most one file; '%s' is one too many"),
		                       argv[optind + 1]);
	if (g->no_journal)
		return cli_usage_error(_("history reads the case journal: it cannot be used with "
		                         "--no-journal"));
	const char *file = optind < argc ? argv[optind] : NULL;
	char *path = sess_journal_path(g);
	if (!path) {
		cli_error(_("there is no case journal: neither XDG_STATE_HOME nor HOME is set"));
		return EXIT_UNREADABLE;
	}
	struct stat st;
	jnl_db *j = NULL;
	sd_error err;
	int rc = EXIT_OK;
	char fp[KEYS_HEX_SIZE] = "";
	if (file) {
		struct stat fs;
		if (stat(file, &fs) == 0 && S_ISREG(fs.st_mode)) {
			sd_progress prog = {NULL, NULL, &sess_interrupted};
			if (jnl_fingerprint(file, &prog, fp, &err) == SD_ERR_CANCELLED)
				return EXIT_INTERRUPTED;
		}
	}
	jnl_summary sum;
	memset(&sum, 0, sizeof sum);
	if (stat(path, &st) == 0) {
		if (jnl_open(path, false, &j, &err) != SD_OK) {
			cli_error("%s", err.msg);
			free(path);
			return EXIT_UNREADABLE;
		}
		/* The summary first, folded by SQLite, so that the rows after it can
		 * be printed as they are read, never held all at once. */
		if (file && jnl_summary_get(j, file, fp, limit, &sum, &err) != SD_OK) {
			cli_error("%s", err.msg);
			jnl_close(j);
			free(path);
			return EXIT_UNREADABLE;
		}
	}
	hist_out h = {fmt, 0, 0};
	if (fmt == REPORT_TEXT && file) {
		char *s = jnl_summary_text(&sum);
		char *esc = report_escape(file);
		cli_printf("%s: %s\n", esc, s);
		free(esc);
		free(s);
		if (sum.n_checks)
			putchar('\n');
	}
	static const jnl_walk_fns checks = {print_check, NULL}, rebuilds = {NULL, print_rebuild};
	sd_status ws = SD_OK;
	if (j)
		ws = jnl_walk(j, file, fp, limit, &checks, &h, &err);
	if (fmt != REPORT_TEXT)
		print_tree_close(&h, "checks", h.n_checks);
	if (j && ws == SD_OK)
		ws = jnl_walk(j, file, fp, limit, &rebuilds, &h, &err);
	if (ws == SD_ERR_CANCELLED) {
		fflush(stdout);
		jnl_close(j);
		free(path);
		return EXIT_INTERRUPTED;
	}
	if (ws != SD_OK) {
		fflush(stdout);
		cli_error("%s", err.msg);
		jnl_close(j);
		free(path);
		return EXIT_UNREADABLE;
	}
	if (fmt == REPORT_TEXT) {
		if (!file && !h.n_checks && !h.n_rebuilds)
			cli_printf(_("The case journal holds no checks yet.\n"));
	} else {
		print_tree_close(&h, "rebuilds", h.n_rebuilds);
		json_t *o = json_object();
		json_object_set_new(o, "journal", json_string(path));
		if (file) {
			json_t *s = json_object();
			char *text = jnl_summary_text(&sum);
			json_object_set_new(s, "file", json_string(file));
			json_object_set_new(s, "fingerprint",
			                    fp[0] ? json_string(fp) : json_null());
			json_object_set_new(s, "checks", json_integer((json_int_t)sum.n_checks));
			json_object_set_new(s, "last_verdict",
			                    sum.last_verdict ? json_string(sum.last_verdict)
			                                     : json_null());
			json_object_set_new(s, "contents_seen",
			                    json_integer((json_int_t)sum.n_fingerprints));
			json_object_set_new(s, "text", json_string(text));
			free(text);
			json_object_set_new(o, "summary", s);
		}
		print_tree_tail(&h, o);
		json_decref(o);
	}
	jnl_close(j);
	free(path);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error(_("could not write to standard output"));
		rc = EXIT_NOT_WRITTEN;
	}
	return rc;
}
