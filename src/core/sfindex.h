/* sfindex.h: the sync file's index (___index.json) read as a stream.
 *
 * sfi_scan() reads the index member through the input's own buffered reads,
 * 64 KiB at a time, and hands each entry of {"index":{NAME:{"offset":N,
 * "size":N},...},"userdata":{...}} to a callback as it goes: it never holds
 * the whole text nor a tree of it. It accepts only what jansson
 * (json_loadb with JSON_REJECT_DUPLICATES) would read to the same values;
 * anything else (not JSON, a repeated name or key, an entry that is not two
 * non-negative integers, another key at the top, a userdata over 1 MiB)
 * returns SFI_OTHER before the caller has been told anything it must
 * undo except through its callback's own findings, and the caller reads the
 * text whole with jansson, which decides and words the finding.
 *
 * sfi_tail() reads what survives of an index whose first bytes storage
 * zeroed (doc/formats.md §1, "The index's tail"): Mapeo writes the
 * userdata last, so it sits in the intact end. It never invents: the
 * userdata only when it is a whole object that ends right before the JSON's
 * last '}', and the entries after the cut only when every one of them is
 * whole and exact. */
#ifndef SD_SFINDEX_H
#define SD_SFINDEX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "progress.h"

typedef enum sfi_result {
	SFI_OK,        /* the expected shape, every entry handed over */
	SFI_OTHER,     /* read it whole instead: entries handed over so far are void */
	SFI_CANCELLED, /* prog was cancelled */
} sfi_result;

/* name: UTF-8 as jansson decodes it, NUL-terminated, valid during the call. */
typedef void (*sfi_entry_fn)(void *ud, const char *name, uint64_t offset, uint64_t size);

/* Scan the len bytes at off of in. n_hint: about how many entries to expect
 * (sizes the list of the names' hashes). On SFI_OK, *userdata is the parsed
 * "userdata" value (the caller decrefs it) or NULL when there is none; on
 * any other result it is NULL. */
sfi_result sfi_scan(sd_input *in, uint64_t off, uint64_t len, size_t n_hint, sfi_entry_fn fn,
                    void *ud, json_t **userdata, const sd_progress *prog);

/* What sfi_tail() found. */
typedef struct sfi_tail_info {
	uint64_t intact;  /* bytes at the end of the index after its last zero byte */
	size_t n_entries; /* entries handed to the callback (0 unless all were exact) */
} sfi_tail_info;

/* The tail of the len bytes at off of in (the index's data as far as it is
 * known, its zeroed start included): the text after the last zero byte,
 * of which at most the last 2 MiB are parsed (the search for that byte
 * reads back further, up to off). SFI_OK: the text holds the userdata,
 * *userdata (the caller decrefs it); its entries were handed to fn only
 * then. SFI_OTHER: no zero byte in the len bytes, or no userdata to trust;
 * nothing was handed over and *userdata is NULL. */
sfi_result sfi_tail(sd_input *in, uint64_t off, uint64_t len, sfi_entry_fn fn, void *ud,
                    json_t **userdata, sfi_tail_info *info, const sd_progress *prog);

/* The same on text that holds no zero byte, the intact end of an index (the
 * unit tests' way in). */
sfi_result sfi_tail_text(const char *t, size_t n, sfi_entry_fn fn, void *ud, json_t **userdata,
                         size_t *n_entries, const sd_progress *prog);

/* Do the len bytes at off of in read as the end of an index whose start
 * is lost (JSON cut anywhere, ending "}}" that closes the root object),
 * with nothing else in them (no NUL, no other characters, no bracket
 * left open)? Shape only: what a rebuild writes anew, not what is taken.
 * False on a read error; *cancelled set when prog was cancelled. */
bool sfi_index_end(sd_input *in, uint64_t off, uint64_t len, const sd_progress *prog,
                   bool *cancelled);

/* The same on text (the unit tests' way in). */
bool sfi_index_end_text(const char *t, size_t n);

#endif
