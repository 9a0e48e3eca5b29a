#include "config.h"

#include "keys.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "xalloc.h"

void keys_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

bool keys_valid_project_key(const char *s, char *why, size_t whylen)
{
	size_t len = strlen(s);
	if (len != 64) {
		if (why)
			snprintf(why, whylen,
			         P_("the project key must be 64 characters long; this one is %zu "
			            "character long",
			            "the project key must be 64 characters long; this one is %zu "
			            "characters long",
			            len),
			         len);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			if (why)
				snprintf(
				    why, whylen,
				    _("the project key must use only the numbers 0-9 and lowercase "
				      "letters a-f; position %zu is not one of them"),
				    i + 1);
			return false;
		}
	}
	return true;
}

bool keys_is_hex64(const char *s) { return s && keys_valid_project_key(s, NULL, 0); }

bool keys_decode(const char *hex, uint8_t out[32])
{
	if (!hex || strlen(hex) != 64)
		return false;
	for (int i = 0; i < 32; i++) {
		int v = 0;
		for (int j = 0; j < 2; j++) {
			int c = tolower((unsigned char)hex[2 * i + j]);
			if (c >= '0' && c <= '9')
				v = v * 16 + (c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + (c - 'a' + 10);
			else
				return false;
		}
		out[i] = (uint8_t)v;
	}
	return true;
}

bool keys_discovery_hex(const char *project_key_hex, char out[KEYS_HEX_SIZE])
{
	uint8_t key[32], dk[32];
	if (!keys_decode(project_key_hex, key))
		return false;
	if (sodium_init() < 0)
		sd_fatal(_("libsodium could not be initialised"));
	crypto_generichash(dk, sizeof dk, (const unsigned char *)"hypercore", 9, key, sizeof key);
	sodium_memzero(key, sizeof key);
	keys_hex(dk, 32, out);
	return true;
}

void keys_footer_form(const char *k, char out[16])
{
	if (!k || !*k)
		snprintf(out, 16, "MAPEO");
	else
		snprintf(out, 16, "%.5s**********", k);
}

void keys_error_form(const char *dk, char out[16])
{
	if (!dk || !*dk)
		snprintf(out, 16, KEYS_DEFAULT_ID);
	else
		snprintf(out, 16, "%.7s", dk);
}

/* The keys this process has read, so that a key copied into a name, a
 * version or a file name is masked wherever it would be printed (the
 * escaping function asks keys_secret_at()). Every key is kept, however many
 * configurations a run reads ('match' over a folder of hundreds): one left
 * out would be printed whole. Grouped by first letter, either case, since
 * keys_secret_at() runs at every byte of every string printed and most
 * bytes begin no secret. */
#define KEYS_MIN_SECRET 8 /* shorter strings would mask ordinary words */
typedef struct secret_list {
	char **v;
	size_t n, cap;
} secret_list;
static secret_list secrets[256];

static bool secret_known(const secret_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->v[i], s))
			return true;
	return false;
}

void keys_note_secret(const char *s)
{
	if (!s || strlen(s) < KEYS_MIN_SECRET)
		return;
	unsigned char c = (unsigned char)tolower((unsigned char)s[0]);
	secret_list *l = &secrets[c];
	if (secret_known(l, s))
		return;
	SD_GROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = xstrdup(s);
}

size_t keys_secret_at(const char *p, char footer[16])
{
	const secret_list *l = &secrets[(unsigned char)tolower((unsigned char)*p)];
	for (size_t i = 0; i < l->n; i++) {
		const char *k = l->v[i];
		size_t n = 0;
		while (k[n] && p[n] && tolower((unsigned char)k[n]) == tolower((unsigned char)p[n]))
			n++;
		if (!k[n]) {
			keys_footer_form(k, footer);
			return n;
		}
	}
	return 0;
}

bool keys_secret_in(const char *s)
{
	char footer[16];
	for (; *s; s++)
		if (keys_secret_at(s, footer))
			return true;
	return false;
}

char *keys_mask(const char *s)
{
	size_t len = strlen(s);
	char *out = xmalloc(len + 1), *o = out;
	char footer[16];
	while (*s) {
		size_t k = keys_secret_at(s, footer);
		if (k) {
			/* a footer form (15 bytes) is never longer than a key (>= 8 ... 64+) */
			size_t fl = strlen(footer) < k ? strlen(footer) : k;
			memcpy(o, footer, fl);
			o += fl;
			s += k;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

size_t keys_hex_run(const char *s, const char *p)
{
	size_t n = 0;
	if (p == s || !isxdigit((unsigned char)p[-1]))
		while (isxdigit((unsigned char)p[n]))
			n++;
	return n;
}

char *keys_mask_hex(const char *s)
{
	size_t len = strlen(s);
	char *out = xmalloc(len + 1), *o = out;
	for (const char *p = s; *p;) {
		size_t n = keys_hex_run(s, p);
		if (n >= 64) {
			/* 15 bytes for 64 or more: the copy never grows */
			memcpy(o, p, 5);
			memset(o + 5, '*', 10);
			o += 15;
			p += n;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}
