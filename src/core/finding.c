#include "config.h"

#include "finding.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

/* Every code syncdoctor can report, in fnd_code order (finding_codes.h). */
static const fnd_code_info catalogue[] = {
#define FND(name, code, step, sev, summary, advice) {FND_##name, code, step, sev, summary, advice},
#include "finding_codes.h"
#undef FND
};

static const size_t n_catalogue = sizeof catalogue / sizeof catalogue[0];
_Static_assert(sizeof catalogue / sizeof catalogue[0] == FND_COUNT, "one entry per code");

const fnd_code_info *fnd_info(fnd_code code)
{
	if ((size_t)code >= n_catalogue)
		sd_fatal("internal error: finding code %d out of range", (int)code);
	return &catalogue[code];
}

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

static finding *vadd(findings *l, fnd_code code, int sev, const char *fmt, va_list ap)
{
	const fnd_code_info *ci = fnd_info(code);
	SD_GROW(l->v, l->cap, l->n + 1);
	finding *f = &l->v[l->n++];
	memset(f, 0, sizeof *f);
	f->id = ci->id;
	f->code = ci->code;
	f->step = ci->step;
	f->severity = sev >= 0 ? (fnd_severity)sev : ci->severity;
	f->message = xvasprintf(fmt, ap);
	f->offset = -1;
	f->feed = -1;
	f->block = -1;
	return f;
}

finding *fnd_add(findings *l, fnd_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	finding *f = vadd(l, code, -1, fmt, ap);
	va_end(ap);
	return f;
}

finding *fnd_add_sev(findings *l, fnd_code code, fnd_severity sev, const char *fmt, ...)
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
	if (!src->n) { /* memcpy must not see a NULL array */
		free(src->v);
		fnd_init(src);
		return;
	}
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

bool fnd_has(const findings *l, fnd_code code)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == code)
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

const char *fnd_advice(fnd_code code)
{
	const fnd_code_info *ci = fnd_info(code);
	return ci->advice ? _(ci->advice) : NULL;
}
