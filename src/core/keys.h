/* keys.h: project keys, discovery keys, and the only two ways syncdoctor
 * ever shows them.
 *
 * A projectKey is the secret of a Mapeo project; it is never printed. Users
 * see it in two forms: the sync screen's footer (first 5 characters and ten
 * '*', or "MAPEO" without a key) and Mapeo's error message (first 7 hex
 * characters of the discovery key, or "mapeo-sync"). The discovery key is
 * BLAKE2b-256 of "hypercore" keyed with the 32-byte projectKey (doc/formats.md
 * §2); it is one-way. */
#ifndef SD_KEYS_H
#define SD_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYS_DEFAULT_ID "mapeo-sync"
/* Room for a 32-byte key or hash as 64 hex digits and the NUL. */
#define KEYS_HEX_SIZE 65

/* Validate with the configuration builder's rules: exactly 64 characters,
 * each in [0-9a-f]. On failure, why (translated) is written to why. */
bool keys_valid_project_key(const char *s, char *why, size_t whylen);
/* The same rule without the message: exactly 64 characters of [0-9a-f]. It
 * is also the form of every discovery key and key folder Mapeo writes
 * (Buffer.toString('hex') is lower case), so one rule serves all. NULL is
 * false. */
bool keys_is_hex64(const char *s);
/* Decode like mapeo-core (accepts upper case): 64 hex digits to 32 bytes. */
bool keys_decode(const char *hex, uint8_t out[32]);
/* Discovery key of a projectKey given as hex, as 64 lowercase hex. */
bool keys_discovery_hex(const char *project_key_hex, char out[KEYS_HEX_SIZE]);
/* Footer form: "ae0a6**********", or "MAPEO" when key is NULL/empty. */
void keys_footer_form(const char *project_key_hex, char out[16]);
/* Mapeo's error form: first 7 characters of the discovery key, or
 * "mapeo-sync" when dk is NULL/empty. */
void keys_error_form(const char *discovery_hex, char out[16]);
void keys_hex(const uint8_t *bytes, size_t n, char *out /* 2n+1 */);

/* Remember a key this process read (a projectKey, valid or not), so that
 * every later rendering masks it wherever it appears. Strings shorter than
 * 8 characters are not remembered. Copied; never freed. */
void keys_note_secret(const char *s);
/* When a remembered key starts at p (case-insensitively), its length, with
 * its footer form in footer; else 0. */
size_t keys_secret_at(const char *p, char footer[16]);
/* Does a remembered key appear anywhere in s? */
bool keys_secret_in(const char *s);
/* A copy of s (caller frees) with every remembered key in its footer form
 * (cut to the key's length when the key is shorter than that form). */
char *keys_mask(const char *s);
/* A copy of s (caller frees) with every run of 64 or more hex digits, a key
 * whether or not this run read it, in the footer form of its first five. */
char *keys_mask_hex(const char *s);
/* The run of hex digits that begins at p within s (0 when p is not its
 * start): 64 or more is taken for a key by the two maskings. */
size_t keys_hex_run(const char *s, const char *p);

#endif
