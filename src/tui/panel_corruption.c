/* panel_corruption.c: the guide's third check, corruption. Runs the full
 * diagnosis with a progress bar (c cancels), then shows what the file
 * holds, the findings grouped by severity with their exact place and what
 * to do, and answers the guide's "indicators of corrupted data" one by
 * one from the findings' codes. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "i18n.h"
#include "report.h"
#include "wizard.h"

static bool in_step(const finding *f)
{
	return f->step == STEP_CORRUPTION || f->step == STEP_ENVIRONMENT;
}

/* codes ends with FND_COUNT */
/* Findings of these codes with at least severity min (a producer may lower
 * a code's severity for a harmless case, e.g. a bad signature a later good
 * one supersedes). */
static size_t count_codes(const sd_report *r, const fnd_code *codes, fnd_severity min)
{
	bool any = false;
	for (const fnd_code *c = codes; *c != FND_COUNT && !any; c++)
		any = fnd_has(&r->findings, *c);
	size_t n = 0;
	for (size_t i = 0, nf = any ? fnd_n(&r->findings) : 0; i < nf; i++)
		for (const fnd_code *c = codes; *c != FND_COUNT; c++)
			if (fnd_at(&r->findings, i)->id == *c &&
			    fnd_at(&r->findings, i)->severity >= min)
				n++;
	return n;
}

/* The leftover folders of interrupted syncs that hold another file's
 * database (sharing nothing with this one): the core notes them all, the
 * page shows only those that can belong to this file. NULL-terminated
 * list of their paths; free with env_free_list(). */
static char **foreign_leftovers(const wizard *w, const sd_report *r)
{
	int *match;
	size_t *shared;
	env_info *e = wiz_leftovers(w, r, &match, &shared);
	char **out = xcalloc(e->n_temps + 1, sizeof *out);
	size_t n = 0;
	for (size_t i = 0; i < e->n_temps; i++)
		if (match[i] == 0)
			out[n++] = xstrdup(e->temps[i].path);
	free(match);
	free(shared);
	env_free(e);
	return out;
}

static bool is_foreign(const finding *f, char *const *foreign)
{
	if (f->id != FND_LEFTOVER_TEMP_DATABASE || !foreign)
		return false;
	for (char *const *p = foreign; *p; p++) {
		size_t n = strlen(*p);
		if (!strncmp(f->message, *p, n) && f->message[n] == ',')
			return true;
	}
	return false;
}

/* Findings of one code in a group beyond this many are one line with a
 * count: fifteen photos without an observation are one note, not fifteen. */
#define GROUP_AFTER 3

static void add_group(ui_page *p, const sd_report *r, fnd_severity sev, const char *title,
                      char *const *foreign)
{
	bool head = false;
	/* One pass, with counts per code (the list hands out one finding at a
	 * time): a code's findings from the first one shown on are one line
	 * when more than GROUP_AFTER remain. */
	size_t total[FND_COUNT] = {0}, passed[FND_COUNT] = {0};
	bool grouped_code[FND_COUNT] = {false};
	size_t n = fnd_n(&r->findings);
	for (size_t i = 0; i < n; i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (in_step(f) && f->severity == sev)
			total[f->id]++;
	}
	for (size_t i = 0; i < n; i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (!in_step(f) || f->severity != sev || grouped_code[f->id])
			continue;
		size_t same = total[f->id] - passed[f->id]++;
		if (is_foreign(f, foreign))
			continue;
		bool grouped = grouped_code[f->id] = same > GROUP_AFTER;
		if (!head) {
			page_gap(p);
			page_add(p, UI_HEAD, 0, "%s", title);
			head = true;
		}
		char *place = report_place(f);
		char *detail = f->detail && !*place ? report_escape(f->detail) : NULL;
		if (grouped)
			page_add(p, UI_TEXT, 2,
			         P_("- %s%s%s%s (and %zu more like it)",
			            "- %s%s%s%s (and %zu more like it)", same - 1),
			         f->message, detail ? " (" : "", detail ? detail : "",
			         detail ? ")" : "", same - 1);
		else
			page_add(p, UI_TEXT, 2, "- %s%s%s%s", f->message, detail ? " (" : "",
			         detail ? detail : "", detail ? ")" : "");
		free(detail);
		if (*place && !grouped)
			page_add(p, UI_TEXT, 4, _("Where: %s"), place);
		free(place);
		const char *adv = fnd_advice_for(f->id, SD_FRONT_WIZARD);
		if (adv && sev != SEV_INFO)
			page_add(p, UI_TEXT, 4, _("What to do: %s"), adv);
	}
}

static void add_indicators(ui_page *p, const sd_report *r)
{
	/* warnings only, but a plain rebuild would still show them (the
	 * check's plan: wiz_needs_repair()): signatures cut short, or another
	 * warning a plain rebuild refuses or leaves out */
	bool unverified = wiz_needs_repair(r);
	static const fnd_code frozen[] = {FND_TRUNCATED_FILE,
	                                  FND_MISSING_INDEX,
	                                  FND_DAMAGED_INDEX,
	                                  FND_INDEX_DISAGREES,
	                                  FND_BAD_HEADER_CHECKSUM,
	                                  FND_UNPATCHED_HEADER,
	                                  FND_INNER_TAR_DAMAGED,
	                                  FND_DATABASE_MISSING,
	                                  FND_FEED_GAP,
	                                  FND_FEED_HASH_MISMATCH,
	                                  FND_FEED_TREE_DAMAGED,
	                                  FND_FEED_SIGNATURE_INVALID,
	                                  FND_FEED_SIGNATURE_MENDED, /* Mapeo reads the */
	                                  FND_FEED_SIGNATURE_REMADE, /* stored, bad one */
	                                  FND_FEED_HEADER_INVALID,
	                                  FND_FEED_KEY_INVALID,
	                                  FND_ENTRY_NOT_JSON,
	                                  FND_FEED_NAME_COLLISION,
	                                  FND_FEED_BITFIELD_DAMAGED, /* sync stops at once */
	                                  FND_COUNT};
	static const fnd_code photos[] = {FND_MEDIA_DAMAGED, FND_ATTACHMENT_MISSING, FND_COUNT};
	static const fnd_code left_out[] = {FND_ATTACHMENT_LEFT_OUT, FND_COUNT};
	static const fnd_code dates[] = {FND_DATE_EPOCH, FND_DATE_FUTURE, FND_DATE_MALFORMED,
	                                 FND_COUNT};
	page_gap(p);
	page_add(p, UI_HEAD, 0, "%s", _("The guide's signs of corrupted data"));
	size_t n = count_codes(r, frozen, SEV_ERROR);
	page_add(p, UI_TEXT, 0, "%s",
	         _("1. Mapeo frozen for hours while making or syncing the file, without the "
	           "number of Data or Images going up:"));
	/* a header never patched that the index names (a warning): the trace
	 * of a write that did not finish, which people take for the cause */
	static const fnd_code unfinished[] = {FND_UNPATCHED_HEADER, FND_COUNT};
	page_add(p, UI_TEXT, 3, "%s",
	         n ? _("Yes, this file can cause that: it has the damage listed above.")
	         : unverified
	             ? _("Not that this check can tell, but a warning listed above needs a "
	                 "repair before Mapeo gets a file it accepts: the summary offers it.")
	         : count_codes(r, unfinished, SEV_WARNING)
	             ? _("Not because of this file. It shows that Mapeo stopped, or was closed, "
	                 "while it wrote the file: a header was never finished. But Mapeo finds "
	                 "that part through the file's table of contents, so the file opens and "
	                 "syncs.")
	             : _("Not because of this file: its structure and every device's data check "
	                 "out."));
	n = count_codes(r, photos, SEV_INFO);
	size_t lo = count_codes(r, left_out, SEV_INFO);
	page_add(p, UI_TEXT, 0, "%s", _("2. Observations with photos that will not open:"));
	if (n)
		page_add(p, UI_TEXT, 3,
		         P_("Yes: %zu photo is damaged or missing (listed above).",
		            "Yes: %zu photos are damaged or missing (listed above).", n),
		         n);
	/* a repaired file says what its repair left out, so that its photos'
	 * absence is not taken for damage of its own */
	if (lo)
		page_add(p, UI_TEXT, 3,
		         P_("Yes: %zu photo was left out when this file was repaired (listed "
		            "above); the device that took it may still have it.",
		            "Yes: %zu photos were left out when this file was repaired (listed "
		            "above); the devices that took them may still have them.",
		            lo),
		         lo);
	if (!n && !lo)
		page_add(p, UI_TEXT, 3, "%s",
		         !r->media_members   ? _("This file holds no photos.")
		         : r->photos_checked ? _("No: every photo in the file is complete.")
		                             : _("Not checked."));
	n = count_codes(r, dates, SEV_INFO);
	page_add(p, UI_TEXT, 0, "%s", _("3. Observations with dates that make no sense (1970):"));
	if (n)
		page_add(p, UI_TEXT, 3,
		         P_("Yes: %zu observation has an impossible date (listed above).",
		            "Yes: %zu observations have impossible dates (listed above).", n),
		         n);
	else if (r->observations_checked)
		page_add(p, UI_TEXT, 3, "%s", _("No: every observation has a sensible date."));
	else
		page_add(p, UI_TEXT, 3, "%s", _("Not checked."));
}

wiz_nav panel_corruption(wizard *w)
{
	sd_report *r = wiz_check(w, false);
	if (!r)
		return NAV_BACK;
	ui_page p;
	page_init(&p, w->step, w->nsteps, _("Check 3 of 3: Corruption"));
	p.help =
	    _("A sync file can be damaged when Mapeo was closed while making it, when it was "
	      "copied only in part, or when it carried damaged data from a database. This step "
	      "checked every part of the file: its table of contents, every device's data "
	      "(hashes and signatures), every observation and every photo. Each problem says "
	      "where it is and what to do.");
	size_t errors = fnd_count_in(&r->findings, STEP_CORRUPTION, SEV_ERROR) +
	                fnd_count_in(&r->findings, STEP_ENVIRONMENT, SEV_ERROR);
	size_t warnings = fnd_count_in(&r->findings, STEP_CORRUPTION, SEV_WARNING) +
	                  fnd_count_in(&r->findings, STEP_ENVIRONMENT, SEV_WARNING);
	if (r->verdict == VERDICT_UNREADABLE)
		page_add(&p, UI_BIG, 0, "%s", _("THE SYNC FILE COULD NOT BE READ"));
	else if (errors || wiz_needs_repair(r))
		page_add(&p, UI_BIG, 0, "%s", _("DAMAGED"));
	else if (warnings)
		page_add(&p, UI_BIG, 0, "%s", _("SMALL PROBLEMS"));
	else
		page_add(&p, UI_BIG, 0, "%s", _("NO DAMAGE FOUND"));
	page_gap(&p);
	page_add(&p, UI_HEAD, 0, "%s", _("What the file holds"));
	page_add(&p, UI_TEXT, 2, P_("%zu part", "%zu parts", r->members), r->members);
	page_add(&p, UI_TEXT, 2,
	         P_("%zu photo file (%" PRIu64 " bytes)", "%zu photo files (%" PRIu64 " bytes)",
	            r->media_members),
	         r->media_members, r->media_bytes);
	page_add(&p, UI_TEXT, 2, "%s",
	         r->has_database ? _("a database") : _("no database (no observations)"));
	size_t shown = r->n_feeds < 12 ? r->n_feeds : 12;
	for (size_t i = 0; i < shown; i++) {
		const report_feed *f = &r->feeds[i];
		page_add(&p, UI_TEXT, 2,
		         P_("Device %d (%.7s): %" PRIu64 " block, %" PRIu64 " present, %" PRIu64
		            " intact, %" PRIu64 " verified",
		            "Device %d (%.7s): %" PRIu64 " blocks, %" PRIu64 " present, %" PRIu64
		            " intact, %" PRIu64 " verified",
		            f->length),
		         f->index, f->key_hex[0] ? f->key_hex : "?", f->length, f->present,
		         f->intact, f->verified);
	}
	if (r->n_feeds > shown)
		page_add(
		    &p, UI_TEXT, 2,
		    P_("... and %zu more device", "... and %zu more devices", r->n_feeds - shown),
		    r->n_feeds - shown);
	if (r->observations_checked)
		page_add(
		    &p, UI_TEXT, 2,
		    _("Observations: %zu (%zu with photos, %zu deleted, %zu edited on two devices "
		      "at once)"),
		    r->obs_heads, r->obs_with_attachments, r->obs_deleted, r->obs_forks);
	char **foreign =
	    fnd_has(&r->findings, FND_LEFTOVER_TEMP_DATABASE) ? foreign_leftovers(w, r) : NULL;
	add_group(&p, r, SEV_ERROR, _("Problems"), foreign);
	add_group(&p, r, SEV_WARNING, _("Warnings"), foreign);
	add_group(&p, r, SEV_INFO, _("Notes"), foreign);
	if (foreign)
		env_free_list(foreign);
	if (r->verdict != VERDICT_UNREADABLE)
		add_indicators(&p, r);
	ui_answer a = ui_show(&p, wiz_work_unsaved(w));
	page_free(&p);
	free(a.text);
	return wiz_nav_of(&a);
}
