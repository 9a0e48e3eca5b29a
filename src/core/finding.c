#include "config.h"

#include "finding.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

/* Every code syncdoctor can report. Codes are stable identities (scripts and
 * the journal rely on them); FINDINGS.md and the man page list the same set. */
static const fnd_code_info catalogue[] = {
    /* Container and structure */
    {"not-a-sync-file", STEP_CORRUPTION, SEV_ERROR,
     N_("neither a tar archive nor a legacy gzip sync file"),
     N_("It is not a Mapeo sync file. Check that the right file was copied.")},
    {"file-too-small", STEP_CORRUPTION, SEV_ERROR,
     N_("shorter than 1024 bytes: Mapeo treats it as empty and overwrites it"),
     N_("The file is empty or was cut. Make a new sync file.")},
    {"truncated-file", STEP_CORRUPTION, SEV_ERROR,
     N_("the file ends inside a member, or its length is not a multiple of 512"),
     N_("The copy was cut short. Copy it again, or rebuild what is intact.")},
    {"missing-index", STEP_CORRUPTION, SEV_ERROR, N_("no ___index.json at the end"),
     N_("Mapeo cannot open it. A rebuild restores the index.")},
    {"damaged-index", STEP_CORRUPTION, SEV_ERROR,
     N_("index present but partial, not JSON, or not of the {index, userdata} shape"),
     N_("Mapeo cannot open it. A rebuild restores the index.")},
    {"index-disagrees", STEP_CORRUPTION, SEV_ERROR,
     N_("an index entry points outside the file or at the wrong header"),
     N_("Mapeo cannot open it. A rebuild restores the index.")},
    {"missing-trailer", STEP_CORRUPTION, SEV_WARNING,
     N_("the 1024 zero bytes after the index are missing or short"), N_("A rebuild adds them.")},
    {"bad-header-checksum", STEP_CORRUPTION, SEV_ERROR,
     N_("a tar header's checksum does not match"),
     N_("The file was damaged in storage or transfer.")},
    {"unpatched-header", STEP_CORRUPTION, SEV_ERROR,
     N_("a member header still says size 0 (a write died before it was finished)"),
     N_("A sync was interrupted. Rebuild what is intact.")},
    {"database-missing", STEP_CORRUPTION, SEV_ERROR,
     N_("media present but no osm-p2p-db.tar: the database was taken out and never put back"),
     N_("The observations are not in this file. Look for a leftover temporary copy, or make a new "
        "sync file.")},
    {"inner-tar-damaged", STEP_CORRUPTION, SEV_ERROR, N_("osm-p2p-db.tar is not a valid tar"),
     N_("Mapeo will refuse it. A rebuild salvages what verifies.")},
    {"windows-paths", STEP_VERSION, SEV_WARNING,
     N_("inner names use backslashes (written on Windows before February 2020)"),
     N_("Mapeo on macOS or Linux of that time saw no data. A rebuild normalises the names.")},
    {"dead-space", STEP_CORRUPTION, SEV_INFO,
     N_("bytes no member or index entry refers to (duplicates, orphaned old databases)"),
     N_("Harmless. A rebuild drops them.")},
    {"userdata-missing", STEP_CONFIGURATION, SEV_WARNING,
     N_("the index has no userdata, or no p2p-db: the file never finished a sync, or a repair "
        "tool dropped it"),
     N_("Mapeo treats it as the default project. A rebuild can restore the project.")},
    {"feed-name-collision", STEP_CORRUPTION, SEV_ERROR,
     N_("two feeds claim the same number (one with backslash names, one with slashes)"),
     N_("Mapeo merges them and loses one. A rebuild keeps both.")},
    {"dangerous-name", STEP_CORRUPTION, SEV_WARNING,
     N_("a member name is absolute, has '..', or has control characters"),
     N_("syncdoctor never uses such a name as a path. A rebuild drops the member.")},
    {"input-changed", STEP_CORRUPTION, SEV_ERROR, N_("the file changed while it was being read"),
     N_("Another program is writing it. Close Mapeo and check again.")},
    {"limit-exceeded", STEP_CORRUPTION, SEV_WARNING,
     N_("a count in the input (feeds, members, blocks, photos, feed keys) is past syncdoctor's "
        "safety limit: what lies past it was not read, so the check is incomplete"),
     N_("Mapeo never writes that many. Check that the right file was copied; the findings cover "
        "only what was read.")},
    /* Configuration */
    {"project-match", STEP_CONFIGURATION, SEV_INFO,
     N_("the file belongs to the chosen configuration's project"), NULL},
    {"project-mismatch", STEP_CONFIGURATION, SEV_ERROR,
     N_("the file's project differs from the chosen configuration's"),
     N_("Option A: import the configuration that made the file on this computer. Option B: import "
        "this computer's configuration on the computer that made the file and make a new sync "
        "file. Option C: rebuild the file for this configuration with syncdoctor.")},
    {"project-default", STEP_CONFIGURATION, SEV_INFO,
     N_("the file belongs to the default project (no project key)"), NULL},
    {"project-unknown", STEP_CONFIGURATION, SEV_INFO,
     N_("no configuration was given or found to compare the file with"),
     N_("Give this computer's configuration with --config.")},
    {"project-key-exposed", STEP_CONFIGURATION, SEV_WARNING,
     N_("the inner database holds a directory named after the project key (Mapeo Desktop 5.0 to "
        "5.2)"),
     N_("Anyone with this file has the project key. Share it only with the project's members.")},
    {"config-not-importable", STEP_CONFIGURATION, SEV_WARNING,
     N_("a ZIP configuration: Mapeo Desktop's Import Configuration only reads tar"),
     N_("Ask for the configuration built as a tar (.mapeosettings from builder 3.x).")},
    {"config-invalid-key", STEP_CONFIGURATION, SEV_ERROR,
     N_("projectKey is not 64 lowercase hexadecimal characters"),
     N_("Fix the projectKey in the configuration's metadata.json and build it again.")},
    {"config-damaged", STEP_CONFIGURATION, SEV_ERROR,
     N_("the configuration archive or one of its JSON members cannot be read"),
     N_("Get a fresh copy of the configuration file.")},
    /* Version */
    {"era-legacy-gzip", STEP_VERSION, SEV_ERROR,
     N_("gzip sync file from Mapeo Desktop 2.x or older; current Mapeo says 'unsupported syncfile "
        "type'"),
     N_("Open it with the old Mapeo that made it and make a new sync file with a current Mapeo.")},
    {"era-hyperlog", STEP_VERSION, SEV_ERROR,
     N_("Mapeo Desktop 3 file (p2p-db hyperlog); Mapeo Desktop 4 and later refuse it"),
     N_("Sync it with Mapeo Desktop 3, then move that computer to a current Mapeo.")},
    {"era-kappa-osm", STEP_VERSION, SEV_INFO, N_("Mapeo Desktop 4 to 5.6 file"), NULL},
    {"writer-hint", STEP_VERSION, SEV_INFO,
     N_("a clue to the version of Mapeo that wrote the file"), NULL},
    {"era-unknown", STEP_VERSION, SEV_WARNING, N_("the file's era could not be determined"), NULL},
    {"version-table-missing", STEP_VERSION, SEV_WARNING,
     N_("the table of Mapeo versions could not be read: which Mapeo versions wrote and can read "
        "the file is not known"),
     N_("Reinstall syncdoctor (its package puts the table in /usr/share/syncdoctor), or name a "
        "table with --versions.")},
    /* Feeds and data */
    {"feed-header-invalid", STEP_CORRUPTION, SEV_ERROR,
     N_("a tree, signatures or bitfield header is not the hypercore one"),
     N_("The database in the file is damaged. A rebuild salvages what verifies.")},
    {"feed-gap", STEP_CORRUPTION, SEV_ERROR,
     N_("feed directories skip a number: Mapeo ignores every feed after the gap"),
     N_("A rebuild renumbers the feeds so none is ignored.")},
    {"feed-incomplete", STEP_CORRUPTION, SEV_WARNING,
     N_("blocks are missing (as in Mapeo Desktop's Database status)"),
     N_("Sync of this file can stall. Sync the device that made the data again.")},
    {"feed-hash-mismatch", STEP_CORRUPTION, SEV_ERROR,
     N_("a block or tree node does not hash to what the tree says"),
     N_("Data is damaged there. A salvage rebuild keeps the blocks before it, back to the "
        "last length the device signed; 'syncdoctor rebuild --salvage --dry-run' shows what "
        "that keeps.")},
    {"feed-signature-invalid", STEP_CORRUPTION, SEV_ERROR,
     N_("a signature does not verify with the feed's key"),
     N_("Mapeo gives up the whole sync. A salvage rebuild keeps what still verifies.")},
    {"feed-unsigned", STEP_CORRUPTION, SEV_WARNING,
     N_("no valid signature covers the feed's last blocks"),
     N_("Mapeo cannot accept the unsigned blocks. A salvage rebuild cuts them.")},
    {"feed-key-invalid", STEP_CORRUPTION, SEV_ERROR,
     N_("a feed's key file is missing or not 32 bytes"),
     N_("Mapeo ignores this feed and every one after it.")},
    {"entry-not-json", STEP_CORRUPTION, SEV_ERROR, N_("a block is not one line of JSON"),
     N_("That entry is lost. A salvage rebuild cuts the feed before it.")},
    {"date-epoch", STEP_CORRUPTION, SEV_WARNING,
     N_("created_at or timestamp in 1970: a device clock was wrong"),
     N_("Find this observation in Mapeo and check its date; the device's clock needs setting.")},
    {"date-future", STEP_CORRUPTION, SEV_WARNING, N_("a date after the file's own write time"),
     N_("A device clock was ahead. Check the date of this observation.")},
    {"date-malformed", STEP_CORRUPTION, SEV_WARNING, N_("a date that is not a valid timestamp"),
     N_("Mapeo may sort or show this observation wrongly.")},
    {"attachment-missing", STEP_CORRUPTION, SEV_WARNING,
     N_("an observation's photo has no original, preview or thumbnail member"),
     N_("The photo did not travel with the file. Sync again from the device that took it.")},
    {"media-damaged", STEP_CORRUPTION, SEV_ERROR, N_("a photo is not a complete JPEG or PNG"),
     N_("This photo will not open. A salvage rebuild leaves it out.")},
    {"media-orphan", STEP_CORRUPTION, SEV_INFO, N_("media that no observation refers to"), NULL},
    /* Database folders */
    {"own-feed", STEP_CORRUPTION, SEV_INFO, N_("this computer's own feed"), NULL},
    {"secret-in-syncfile", STEP_CORRUPTION, SEV_WARNING,
     N_("a feed in the sync file carries a secret_key or localname"),
     N_("Anyone with this file can write as that device. A rebuild leaves the secret out.")},
    /* Environment */
    {"leftover-temp-database", STEP_ENVIRONMENT, SEV_INFO,
     N_("a folder from an interrupted sync exists in a temporary directory"),
     N_("It may hold the missing database: rebuild with --database.")},
    {"low-disk-space", STEP_ENVIRONMENT, SEV_WARNING,
     N_("less free space than syncing this file needs"),
     N_("Free some space before syncing: Mapeo needs room for the whole database.")},
    {"fat32-size-limit", STEP_ENVIRONMENT, SEV_WARNING,
     N_("the file is on FAT32 and near or over 4 GiB"),
     N_("FAT32 cannot hold files of 4 GiB or more. Use a stick formatted as exFAT or NTFS.")},
    {"mapeo-log-error", STEP_ENVIRONMENT, SEV_INFO, N_("Mapeo's log records a sync error"), NULL},
};

static const size_t n_catalogue = sizeof catalogue / sizeof catalogue[0];

const fnd_code_info *fnd_lookup(const char *code)
{
	for (size_t i = 0; i < n_catalogue; i++)
		if (strcmp(catalogue[i].code, code) == 0)
			return &catalogue[i];
	return NULL;
}

const fnd_code_info *fnd_catalogue(size_t *n)
{
	*n = n_catalogue;
	return catalogue;
}

void fnd_init(findings *l) { l->v = NULL, l->n = 0, l->cap = 0; }

static void finding_free(finding *f)
{
	free(f->message);
	free(f->member);
	free(f->inner);
	free(f->observation);
	free(f->media);
	free(f->detail);
}

void fnd_free(findings *l)
{
	for (size_t i = 0; i < l->n; i++)
		finding_free(&l->v[i]);
	free(l->v);
	fnd_init(l);
}

static finding *vadd(findings *l, const char *code, int sev, const char *fmt, va_list ap)
{
	const fnd_code_info *ci = fnd_lookup(code);
	if (!ci)
		sd_fatal("internal error: unknown finding code '%s'", code);
	SD_GROW(l->v, l->cap, l->n + 1);
	finding *f = &l->v[l->n++];
	memset(f, 0, sizeof *f);
	f->code = ci->code;
	f->step = ci->step;
	f->severity = sev >= 0 ? (fnd_severity)sev : ci->severity;
	f->message = xvasprintf(fmt, ap);
	f->offset = -1;
	f->feed = -1;
	f->block = -1;
	return f;
}

finding *fnd_add(findings *l, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	finding *f = vadd(l, code, -1, fmt, ap);
	va_end(ap);
	return f;
}

finding *fnd_add_sev(findings *l, const char *code, fnd_severity sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	finding *f = vadd(l, code, (int)sev, fmt, ap);
	va_end(ap);
	return f;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup_or_null(s);
}

void fnd_set_member(finding *f, const char *s) { set_str(&f->member, s); }
void fnd_set_inner(finding *f, const char *s) { set_str(&f->inner, s); }
void fnd_set_observation(finding *f, const char *s) { set_str(&f->observation, s); }
void fnd_set_media(finding *f, const char *s) { set_str(&f->media, s); }
void fnd_set_detail(finding *f, const char *s) { set_str(&f->detail, s); }

void fnd_append(findings *dst, findings *src)
{
	SD_GROW(dst->v, dst->cap, dst->n + src->n);
	memcpy(dst->v + dst->n, src->v, src->n * sizeof *src->v);
	dst->n += src->n;
	free(src->v);
	fnd_init(src);
}

void fnd_sort(findings *l)
{
	/* Bucket pass: stable, and the list is short. */
	if (l->n < 2)
		return;
	finding *tmp = xreallocarray(NULL, l->n, sizeof *tmp);
	size_t k = 0;
	for (int st = 0; st < STEP_COUNT; st++)
		for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--)
			for (size_t i = 0; i < l->n; i++)
				if ((int)l->v[i].step == st && (int)l->v[i].severity == sev)
					tmp[k++] = l->v[i];
	memcpy(l->v, tmp, k * sizeof *tmp);
	free(tmp);
}

bool fnd_has(const findings *l, const char *code)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0)
			return true;
	return false;
}

size_t fnd_count(const findings *l, fnd_severity min)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].severity >= min)
			n++;
	return n;
}

fnd_severity fnd_worst(const findings *l)
{
	fnd_severity w = SEV_INFO;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].severity > w)
			w = l->v[i].severity;
	return w;
}

const char *fnd_step_name(fnd_step s)
{
	static const char *const names[] = {"configuration", "version", "corruption",
	                                    "environment"};
	return s < STEP_COUNT ? names[s] : "?";
}

const char *fnd_step_label(fnd_step s)
{
	static const char *const labels[] = {N_("Configuration"), N_("Version"), N_("Corruption"),
	                                     N_("This computer")};
	return s < STEP_COUNT ? _(labels[s]) : "?";
}

const char *fnd_severity_name(fnd_severity s)
{
	static const char *const names[] = {"info", "warning", "error"};
	return s <= SEV_ERROR ? names[s] : "?";
}

const char *fnd_severity_label(fnd_severity s)
{
	static const char *const labels[] = {N_("info"), N_("warning"), N_("error")};
	return s <= SEV_ERROR ? _(labels[s]) : "?";
}

const char *fnd_advice(const char *code)
{
	const fnd_code_info *ci = fnd_lookup(code);
	return ci && ci->advice ? _(ci->advice) : NULL;
}
