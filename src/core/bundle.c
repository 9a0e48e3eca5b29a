/* bundle.c: support bundles (see bundle.h). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "bundle.h"
#include "i18n.h"
#include "io.h"
#include "keys.h"
#include "report.h"
#include "report_history.h"
#include "strbuf.h"
#include "syncfile.h"
#include "tar.h"

#define BUNDLE_DIR "syncdoctor-report/"
/* A session log is text; more than this is not a log worth mailing. */
#define BUNDLE_LOG_MAX (8u << 20)

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool in_list(const char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* Is this 64-hex run (lowercased) a project key we know of? */
static bool is_secret(const char *hex, const char *const *keys, const char *const *dks)
{
	if (in_list(keys, hex))
		return true;
	if (dks && *dks) {
		char dk[KEYS_HEX_SIZE];
		if (keys_discovery_hex(hex, dk) && in_list(dks, dk))
			return true;
	}
	return false;
}

char *bundle_redact(const char *text, const char *const *keys, const char *const *dks,
                    size_t *n_redacted)
{
	strbuf b = SB_INIT;
	size_t n = 0;
	const char *p = text;
	while (*p) {
		if (!is_hex(*p)) {
			sb_addc(&b, *p++);
			continue;
		}
		const char *q = p;
		while (is_hex(*q))
			q++;
		if (q - p == 64) {
			char hex[KEYS_HEX_SIZE];
			for (int i = 0; i < 64; i++)
				hex[i] = (char)(p[i] >= 'A' && p[i] <= 'F' ? p[i] + 32 : p[i]);
			hex[64] = '\0';
			if (is_secret(hex, keys, dks)) {
				char footer[16];
				keys_footer_form(hex, footer);
				sb_add(&b, footer);
				n++;
				p = q;
				continue;
			}
		}
		sb_addn(&b, p, (size_t)(q - p));
		p = q;
	}
	if (n_redacted)
		*n_redacted = n;
	return sb_take(&b);
}

/* One coordinate as the wizard and the reports print one ("-77.84504"):
 * its length at p, or 0. */
static size_t coordinate_at(const char *p)
{
	size_t n = *p == '-' ? 1 : 0, d = 0, f = 0;
	while (isdigit((unsigned char)p[n]) && d < 4)
		n++, d++;
	if (!d || p[n] != '.')
		return 0;
	n++;
	while (isdigit((unsigned char)p[n]))
		n++, f++;
	return f >= 4 ? n : 0;
}

/* text with every pair of coordinates ("-0.71780, -77.84504": a suspect
 * observation's place in the session log) left out: the bundle promises
 * no place where an observation was made. Caller frees. */
static char *redact_coordinates(const char *text)
{
	strbuf b = SB_INIT;
	for (const char *p = text; *p;) {
		size_t a = (p == text || !isdigit((unsigned char)p[-1])) ? coordinate_at(p) : 0;
		size_t c = a && p[a] == ',' && p[a + 1] == ' ' ? coordinate_at(p + a + 2) : 0;
		if (c) {
			sb_add(&b, _("(place left out)"));
			p += a + 2 + c;
		} else {
			sb_addc(&b, *p++);
		}
	}
	return sb_take(&b);
}

/* Does data still hold a key? (the check on the written bundle) */
static bool has_secret(const uint8_t *d, size_t len, const char *const *keys,
                       const char *const *dks)
{
	size_t i = 0;
	while (i < len) {
		if (!is_hex((char)d[i])) {
			i++;
			continue;
		}
		size_t s = i;
		while (i < len && is_hex((char)d[i]))
			i++;
		if (i - s == 64) {
			char hex[KEYS_HEX_SIZE];
			for (int k = 0; k < 64; k++)
				hex[k] = (char)(d[s + k] >= 'A' && d[s + k] <= 'F' ? d[s + k] + 32
				                                                   : d[s + k]);
			hex[64] = '\0';
			if (is_secret(hex, keys, dks))
				return true;
		}
	}
	return false;
}

/* A growing NULL-terminated list of strings. */
typedef struct strlist {
	char **v;
	size_t n, cap;
} strlist;

static void sl_add(strlist *l, const char *s)
{
	if (in_list((const char *const *)l->v, s))
		return;
	SD_GROW(l->v, l->cap, l->n + 2);
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

static void sl_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* gzip stream into an sd_output. */
typedef struct gzout {
	sd_output *o;
	z_stream z;
	uint8_t buf[1 << 16];
} gzout;

static sd_status gz_push(gzout *g, const void *data, size_t len, int flush, sd_error *err)
{
	g->z.next_in = (Bytef *)(uintptr_t)data;
	g->z.avail_in = (uInt)len;
	do {
		g->z.next_out = g->buf;
		g->z.avail_out = sizeof g->buf;
		int rc = deflate(&g->z, flush);
		if (rc == Z_STREAM_ERROR)
			return sd_error_set(err, SD_ERR_IO, _("%s: compression failed"),
			                    sdout_tmp_path(g->o));
		size_t have = sizeof g->buf - g->z.avail_out;
		if (have) {
			sd_status st = sdout_write(g->o, g->buf, have, err);
			if (st != SD_OK)
				return st;
		}
	} while (g->z.avail_out == 0);
	return SD_OK;
}

static sd_status gz_write(gzout *g, const void *data, size_t len, sd_error *err)
{
	const uint8_t *p = data;
	while (len) {
		size_t n = len > (1u << 30) ? (1u << 30) : len;
		sd_status st = gz_push(g, p, n, Z_NO_FLUSH, err);
		if (st != SD_OK)
			return st;
		p += n;
		len -= n;
	}
	return SD_OK;
}

static sd_status gz_finish(gzout *g, sd_error *err)
{
	for (;;) {
		g->z.next_in = NULL;
		g->z.avail_in = 0;
		g->z.next_out = g->buf;
		g->z.avail_out = sizeof g->buf;
		int rc = deflate(&g->z, Z_FINISH);
		size_t have = sizeof g->buf - g->z.avail_out;
		if (have) {
			sd_status st = sdout_write(g->o, g->buf, have, err);
			if (st != SD_OK)
				return st;
		}
		if (rc == Z_STREAM_END)
			return SD_OK;
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return sd_error_set(err, SD_ERR_IO, _("%s: compression failed"),
			                    sdout_tmp_path(g->o));
	}
}

static sd_status add_member(gzout *g, const char *name, const char *text, int64_t mtime,
                            sd_error *err)
{
	char *full = xasprintf(BUNDLE_DIR "%s", name);
	size_t len = strlen(text);
	uint8_t h[TAR_BLOCK];
	bool ok = tar_header_build(h, full, len, mtime, 0644, TAR_ENC_STREAM);
	free(full);
	if (!ok)
		return sd_error_set(err, SD_ERR_USAGE,
		                    _("the name '%s' cannot be stored in a tar header"), name);
	static const uint8_t zeros[TAR_BLOCK];
	sd_status st = gz_write(g, h, sizeof h, err);
	if (st == SD_OK)
		st = gz_write(g, text, len, err);
	if (st == SD_OK)
		st = gz_write(g, zeros, (size_t)(tar_padded(len) - len), err);
	return st;
}

/* The verification of the written bundle: it inflates, it is a tar of the
 * members we meant, and no key is in any of them. */
typedef struct verify_ctx {
	const char *const *keys;
	const char *const *dks;
	size_t members;
} verify_ctx;

static sd_status verify_bundle(void *ud, const char *tmp, sd_error *err)
{
	verify_ctx *vc = ud;
	gzFile f = gzopen(tmp, "rb");
	if (!f)
		return sd_error_errno(err, errno, tmp, _("cannot re-read the written bundle"));
	sd_status st = SD_OK;
	size_t members = 0;
	uint8_t blk[TAR_BLOCK];
	for (;;) {
		int got = gzread(f, blk, sizeof blk);
		if (got != TAR_BLOCK) {
			st = sd_error_set(err, SD_ERR_FORMAT,
			                  _("%s: the written bundle does not read back as a tar"),
			                  tmp);
			break;
		}
		tar_header h;
		if (!tar_header_parse(blk, &h)) {
			if (!h.zero)
				st = sd_error_set(
				    err, SD_ERR_FORMAT,
				    _("%s: the written bundle does not read back as a tar"), tmp);
			break;
		}
		if (!h.checksum_ok || strncmp(h.name, BUNDLE_DIR, strlen(BUNDLE_DIR)) != 0 ||
		    h.size > (1ull << 31)) {
			st = sd_error_set(err, SD_ERR_FORMAT,
			                  _("%s: the written bundle does not read back as a tar"),
			                  tmp);
			break;
		}
		size_t padded = (size_t)tar_padded(h.size);
		uint8_t *data = xmalloc(padded ? padded : 1);
		if (padded && gzread(f, data, (unsigned)padded) != (int)padded) {
			free(data);
			st = sd_error_set(err, SD_ERR_FORMAT,
			                  _("%s: the written bundle does not read back as a tar"),
			                  tmp);
			break;
		}
		bool leak = has_secret(data, (size_t)h.size, vc->keys, vc->dks);
		free(data);
		if (leak) {
			st = sd_error_set(
			    err, SD_ERR_FORMAT,
			    _("%s: refused: a project key would have been in the bundle "
			      "(member %s)"),
			    tmp, h.name);
			break;
		}
		members++;
	}
	gzclose(f);
	if (st == SD_OK && members != vc->members)
		st = sd_error_set(err, SD_ERR_FORMAT,
		                  P_("%s: the written bundle holds %zu member instead of %zu",
		                     "%s: the written bundle holds %zu members instead of %zu",
		                     members),
		                  tmp, members, vc->members);
	return st;
}

static char *default_log_dir(void) { return sd_state_path("logs"); }

static char *slurp_text(const char *path, size_t max, bool *cut)
{
	FILE *f = io_fopen_regular(path);
	if (!f)
		return NULL;
	strbuf b = SB_INIT;
	char buf[8192];
	size_t n;
	*cut = false;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (b.len + n > max) {
			sb_addn(&b, buf, max - b.len);
			*cut = true;
			break;
		}
		sb_addn(&b, buf, n);
	}
	fclose(f);
	/* A NUL would end the text early: show it instead. */
	for (size_t i = 0; i < b.len; i++)
		if (b.s[i] == '\0')
			b.s[i] = '?';
	return sb_take(&b);
}

/* The newest session-*.log in dir that names the file: a log about another
 * community's file has no business in this bundle. */
static char *find_log(const char *dir, const char *file)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	char *best = NULL;
	int64_t best_mtime = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, "session-", 8) != 0 || len < 12 ||
		    strcmp(e->d_name + len - 4, ".log") != 0)
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		bool cut;
		char *text = NULL;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    (!best || (int64_t)st.st_mtime > best_mtime) &&
		    (text = slurp_text(p, BUNDLE_LOG_MAX, &cut)) && strstr(text, base)) {
			free(best);
			best = p;
			p = NULL;
			best_mtime = (int64_t)st.st_mtime;
		}
		free(text);
		free(p);
	}
	closedir(d);
	return best;
}

/* A name from the file: control characters escaped, 64-hex parts (root
 * feed directories are named with the projectKey) recorded as secrets. */
static void collect_hex_names(const char *name, strlist *keys)
{
	const char *p = name;
	while (*p) {
		const char *q = p;
		while (*q && *q != '/')
			q++;
		if (q - p == 64) {
			bool hex = true;
			for (const char *c = p; c < q; c++)
				hex = hex && is_hex(*c);
			if (hex) {
				char k[KEYS_HEX_SIZE];
				for (int i = 0; i < 64; i++)
					k[i] =
					    (char)(p[i] >= 'A' && p[i] <= 'F' ? p[i] + 32 : p[i]);
				k[64] = '\0';
				sl_add(keys, k);
			}
		}
		p = *q ? q + 1 : q;
	}
}

/* Legacy userdata (mapeo-core 7.1-8.0.2) carried the key itself. */
static void redact_userdata(json_t *idx, strlist *keys)
{
	json_t *ud = json_object_get(idx, "userdata");
	json_t *sf = json_object_get(ud, "syncfile");
	json_t *objs[2] = {ud, sf};
	for (int i = 0; i < 2; i++) {
		if (!json_is_object(objs[i]))
			continue;
		static const char *const fields[] = {"projectKey", "projectId"};
		for (int k = 0; k < 2; k++) {
			json_t *v = json_object_get(objs[i], fields[k]);
			if (!json_is_string(v))
				continue;
			const char *s = json_string_value(v);
			char low[KEYS_HEX_SIZE];
			if (strlen(s) == 64) {
				for (int c = 0; c < 64; c++)
					low[c] =
					    (char)(s[c] >= 'A' && s[c] <= 'F' ? s[c] + 32 : s[c]);
				low[64] = '\0';
				sl_add(keys, low);
			}
			char footer[16];
			keys_footer_form(s, footer);
			json_object_set_new(objs[i], fields[k], json_string(footer));
		}
	}
}

static void fmt_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}

/* index.json (the sync file's index with its userdata redacted; NULL when
 * it has none) and the listing of its members and inner database (names
 * and sizes only). Hex names seen (key folders) are added to keys. */
static char *file_listing(const sd_report *r, const char *file, strlist *keys, char **index_text)
{
	*index_text = NULL;
	syncfile *sf = NULL;
	findings fl;
	fnd_init(&fl);
	sd_error serr;
	strbuf lb = SB_INIT;
	if (!r->is_database && sf_open(file, &sf, &fl, NULL, &serr) == SD_OK) {
		size_t ilen;
		char *itext = sf_index_text(sf, &ilen);
		if (itext) {
			json_t *idx = json_loads(itext, 0, NULL);
			if (idx) {
				redact_userdata(idx, keys);
				char *s = json_dumps(idx, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
				*index_text = xasprintf("%s\n", s);
				free(s);
				json_decref(idx);
			} else {
				/* damaged, so its userdata cannot be found to redact:
				 * any 64 hex digits (an old core's projectKey in it)
				 * masked, control bytes escaped */
				char *masked = keys_mask_hex(itext);
				char *esc = report_escape_text(masked, true);
				*index_text = xasprintf("%s\n", esc);
				free(masked), free(esc);
			}
			free(itext);
		}
		sb_printf(&lb,
		          P_("# The inner database (osm-p2p-db.tar) of %s: %zu file.\n",
		             "# The inner database (osm-p2p-db.tar) of %s: %zu files.\n",
		             sf->n_inner),
		          r->file, sf->n_inner);
		sb_add(&lb, _("# size in bytes, then name; file contents are not included.\n"));
		for (size_t i = 0; i < sf->n_inner; i++)
			collect_hex_names(sf->inner[i].name, keys);
		for (size_t i = 0; i < sf->n_inner; i++) {
			char *esc = report_escape(sf->inner[i].name);
			sb_printf(&lb, "%12llu  %s\n", (unsigned long long)sf->inner[i].size, esc);
			free(esc);
		}
		sb_printf(&lb, _("# Outer members (photos are listed by name only): %zu.\n"),
		          sf->n_members);
		sf_member m;
		for (size_t i = 0; i < sf->n_members; i++) {
			sf_member_get(sf, i, &m);
			char *esc = report_escape(m.name);
			sb_printf(&lb, "%12llu  %s\n", (unsigned long long)m.size, esc);
			free(esc);
		}
	} else if (r->is_database) {
		sb_printf(&lb, _("# %s is a database folder: see the feeds in report.json.\n"),
		          r->file);
	} else {
		sb_add(&lb,
		       _("# The sync file could not be read, so its database is not listed.\n"));
	}
	if (sf)
		sf_close(sf);
	fnd_free(&fl);
	return sb_take(&lb);
}

/* The diagnosis in the three forms, without where observations were made. */
static void render_reports(const sd_report *r, strbuf *rt, strbuf *rj, strbuf *ry)
{
	sd_report shown = *r;
	report_observation *obs = NULL;
	if (r->n_obs) {
		obs = xcalloc(r->n_obs, sizeof *obs);
		memcpy(obs, r->obs, r->n_obs * sizeof *obs);
		for (size_t i = 0; i < r->n_obs; i++) {
			obs[i].has_location = false;
			obs[i].lat = obs[i].lon = 0;
		}
		shown.obs = obs;
	}
	report_render(&shown, REPORT_TEXT, 80, rt);
	report_render(&shown, REPORT_JSON, 80, rj);
	report_render(&shown, REPORT_YAML, 80, ry);
	free(obs);
}

/* This file's checks and rebuilds in the journal: text into jt, and the
 * JSON returned (NULL when the journal could not be read: then jt says
 * why). */
static char *journal_pieces(jnl_db *j, const sd_report *r, const char *file,
                            const sd_progress *prog, strbuf *jt)
{
	char fp[KEYS_HEX_SIZE] = "";
	if (r->fingerprint[0])
		memcpy(fp, r->fingerprint, sizeof fp);
	else if (!r->is_database)
		jnl_fingerprint(file, prog, fp, NULL);
	jnl_list l;
	sd_error jerr;
	if (jnl_list_get(j, file, fp, 0, &l, &jerr) != SD_OK) {
		sb_printf(jt, "%s\n", jerr.msg);
		return NULL;
	}
	json_t *jj = jnl_list_json(&l);
	char *s = json_dumps(jj, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *journal_json = xasprintf("%s\n", s);
	free(s);
	json_decref(jj);
	jnl_summary sum;
	jnl_summarize(&l, &sum);
	char *st = jnl_summary_text(&sum);
	sb_printf(jt, _("This file in the case journal: %s\n\n"), st);
	free(st);
	for (size_t i = 0; i < l.n_checks; i++) {
		char d[32];
		fmt_time(l.checks[i].time, d);
		char *ep = report_escape(l.checks[i].path);
		sb_printf(jt, "%s  %-10s  %s\n", d, report_history_label(l.checks[i].verdict), ep);
		free(ep);
		for (size_t k = 0; k < l.checks[i].n_findings; k++)
			sb_printf(jt, "    %s %s\n",
			          report_history_label(l.checks[i].findings[k].severity),
			          l.checks[i].findings[k].code);
	}
	for (size_t i = 0; i < l.n_rebuilds; i++) {
		char d[32];
		fmt_time(l.rebuilds[i].time, d);
		char *eo = report_escape(l.rebuilds[i].output);
		char *oc = report_escape(report_history_label(l.rebuilds[i].outcome));
		sb_printf(jt, _("%s  rebuilt into %s (%s)\n"), d, eo, oc);
		free(eo), free(oc);
	}
	jnl_list_free(&l);
	return journal_json;
}

/* The session log: the one named, else the newest about this file in the
 * log folder. A named log that cannot be read is an error; a found one is
 * left out (*log_path stays set, *log_text NULL). */
static sd_status session_log(const bundle_options *opt, char **log_path, char **log_text, bool *cut,
                             sd_error *err)
{
	*log_path = *log_text = NULL;
	*cut = false;
	if (opt->log_path) {
		*log_path = xstrdup(opt->log_path);
	} else {
		char *dir = opt->log_dir ? xstrdup(opt->log_dir) : default_log_dir();
		if (dir)
			*log_path = find_log(dir, opt->file);
		free(dir);
	}
	if (*log_path && !(*log_text = slurp_text(*log_path, BUNDLE_LOG_MAX, cut))) {
		sd_status st =
		    sd_error_errno(err, errno, *log_path, _("cannot read the session log"));
		if (opt->log_path) {
			free(*log_path);
			*log_path = NULL;
			return st;
		}
	}
	return SD_OK;
}

/* README: what is inside and what is not. */
static void readme(strbuf *rd, const sd_report *r, int64_t t, bool journal, bool has_index,
                   bool log_found, bool log_read, bool log_cut)
{
	char now[32];
	fmt_time(t, now);
	sb_printf(rd, _("syncdoctor %s support bundle for %s, made %s.\n\n"), PACKAGE_VERSION,
	          r->file, now);
	sb_add(rd, _("Inside: report.txt, report.json and report.yaml (the diagnosis); "));
	if (log_read)
		sb_add(rd, _("session.log (the session log); "));
	if (has_index)
		sb_add(rd, _("index.json (the sync file's index, with its userdata); "));
	sb_add(rd, _("database-listing.txt (names and sizes of the files in the sync file and its "
	             "database); "));
	sb_add(rd,
	       journal
	           ? _("journal.txt and journal.json (earlier checks and rebuilds of this file).\n")
	           : _("no journal entries (the case journal was not used).\n"));
	sb_add(rd, _("Not inside: photos or any other file's contents, observation contents beyond "
	             "ids, categories and dates (no coordinates, no notes), and no projectKey: "
	             "project keys are shown as Mapeo's footer shows them (first 5 characters and "
	             "**********).\n"));
	if (log_found && !log_read)
		sb_add(rd, _("The session log could not be read and is not included.\n"));
	else if (!log_read)
		sb_add(rd, _("No session log about this file was found.\n"));
	else if (log_cut)
		sb_add(rd, _("The session log was too long and was cut.\n"));
}

typedef struct bundle_member {
	const char *name;
	char *text;
} bundle_member;

/* The members as a gzipped tar, written under a temporary name, read back
 * (verify_bundle) and renamed. */
static sd_status write_members(const char *output, bool force, sd_front front,
                               const bundle_member *m, size_t nm, int64_t t, verify_ctx *vc,
                               sd_error *err)
{
	sd_output *o = NULL;
	sd_status st = sdout_open_for(output, force, front, &o, err);
	gzout *g = NULL;
	if (st == SD_OK) {
		/* It carries the 0600 session log and the file's history. */
		sdout_set_mode(o, 0600);
		g = xcalloc(1, sizeof *g);
		g->o = o;
		if (deflateInit2(&g->z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			st = sd_error_set(err, SD_ERR_IO, _("%s: compression failed"), output);
	}
	for (size_t i = 0; st == SD_OK && i < nm; i++)
		st = add_member(g, m[i].name, m[i].text, t, err);
	if (st == SD_OK) {
		static const uint8_t end[2 * TAR_BLOCK];
		st = gz_write(g, end, sizeof end, err);
	}
	if (st == SD_OK)
		st = gz_finish(g, err);
	if (g)
		deflateEnd(&g->z);
	free(g);
	if (o) {
		if (st == SD_OK)
			st = sdout_commit(o, verify_bundle, vc, err);
		else
			sdout_abort(o);
	}
	return st;
}

sd_status bundle_write(const char *output, const bundle_options *opt, const sd_report *given,
                       jnl_db *j, const sd_progress *prog, char **log_used, sd_error *err)
{
	if (log_used)
		*log_used = NULL;
	struct stat si, so;
	if (stat(opt->file, &si) == 0 && stat(output, &so) == 0 && si.st_dev == so.st_dev &&
	    si.st_ino == so.st_ino)
		return sd_error_set(
		    err, SD_ERR_USAGE,
		    _("%s: the bundle cannot be written over the file it describes"), output);
	sd_report *own = NULL;
	const sd_report *r = given;
	if (!r) {
		check_options co = {0};
		co.config_path = opt->config_path;
		co.userdata = opt->userdata;
		co.no_auto_config = opt->no_auto_config;
		sd_status st = check_run(opt->file, &co, prog, &own, err);
		if (st != SD_OK)
			return st;
		r = own;
	}
	char *log_path, *log_text;
	bool log_cut;
	sd_status st = session_log(opt, &log_path, &log_text, &log_cut, err);
	if (st != SD_OK) {
		report_free(own);
		return st;
	}

	strlist keys = {0}, dks = {0};
	if (r->has_discovery_key)
		sl_add(&dks, r->discovery_key);
	if (r->config_used && r->config_has_key && r->config_discovery_key[0])
		sl_add(&dks, r->config_discovery_key);
	char *index_text;
	char *listing = file_listing(r, opt->file, &keys, &index_text);
	strbuf rt = SB_INIT, rj = SB_INIT, ry = SB_INIT, jt = SB_INIT, rd = SB_INIT;
	render_reports(r, &rt, &rj, &ry);
	char *journal_json = j ? journal_pieces(j, r, opt->file, prog, &jt) : NULL;
	int64_t t = (int64_t)time(NULL);
	readme(&rd, r, t, j != NULL, index_text != NULL, log_path != NULL, log_text != NULL,
	       log_cut);

	/* Redact everything, then write. */
	const char *const *kv = (const char *const *)keys.v, *const *dv =
	                                                         (const char *const *)dks.v;
	bundle_member m[9];
	size_t nm = 0;
	m[nm].name = "README", m[nm++].text = bundle_redact(sb_str(&rd), kv, dv, NULL);
	m[nm].name = "report.txt", m[nm++].text = bundle_redact(sb_str(&rt), kv, dv, NULL);
	m[nm].name = "report.json", m[nm++].text = bundle_redact(sb_str(&rj), kv, dv, NULL);
	m[nm].name = "report.yaml", m[nm++].text = bundle_redact(sb_str(&ry), kv, dv, NULL);
	if (log_text) {
		char *placeless = redact_coordinates(log_text);
		m[nm].name = "session.log", m[nm++].text = bundle_redact(placeless, kv, dv, NULL);
		free(placeless);
	}
	if (index_text)
		m[nm].name = "index.json", m[nm++].text = bundle_redact(index_text, kv, dv, NULL);
	m[nm].name = "database-listing.txt", m[nm++].text = bundle_redact(listing, kv, dv, NULL);
	if (j) {
		m[nm].name = "journal.txt", m[nm++].text = bundle_redact(sb_str(&jt), kv, dv, NULL);
		if (journal_json)
			m[nm].name = "journal.json",
			m[nm++].text = bundle_redact(journal_json, kv, dv, NULL);
	}
	free(index_text), free(listing), free(journal_json), free(log_text);
	sb_free(&rt), sb_free(&rj), sb_free(&ry), sb_free(&jt), sb_free(&rd);

	verify_ctx vc = {kv, dv, nm};
	st = write_members(output, opt->force, r->front, m, nm, t, &vc, err);
	for (size_t i = 0; i < nm; i++)
		free(m[i].text);
	sl_free(&keys), sl_free(&dks);
	report_free(own);
	if (st == SD_OK && log_used)
		*log_used = log_path;
	else
		free(log_path);
	return st;
}
