#include "config.h"

#include "sfwrite.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "strbuf.h"
#include "tar.h"
#include "xalloc.h"

/* Everything written goes through one 1 MiB buffer, written out when full:
 * members follow each other in it (600 photos, 1,800 members, leave in 35
 * writes instead of 1,800), and large members (feed data) are read and
 * written a mebibyte at a time, as cp does. */
#define CHUNK (1u << 20)

/* The index's entries are kept as the JSON text they become, past
 * IX_MEM bytes in an unlinked temporary file: a jansson object of them took
 * 700 bytes a member (10 MiB for a file of 14,400 photos, issue 21). */
#define IX_MEM (256u << 10)

struct sfw {
	sd_output *o;
	int64_t mtime;
	strbuf ix;        /* entries' text not yet in ix_fd ("name":{...},...) */
	int ix_fd;        /* the temporary file of the rest, or -1 */
	uint64_t ix_file; /* bytes of it in ix_fd, from its start */
	uint64_t ix_len;  /* the entries' text in all */
	size_t n_entries;
	json_t *left_out; /* photo names a rebuild left out, or NULL */
	uint64_t db_header, db_size, db_written;
	bool in_db;
	uint8_t *buf;
	size_t fill; /* bytes in buf, not yet written */
};

sfw *sfw_begin(sd_output *o, int64_t mtime)
{
	sfw *w = xcalloc(1, sizeof *w);
	w->o = o;
	w->mtime = mtime;
	w->ix_fd = -1;
	w->buf = xmalloc(CHUNK);
	return w;
}

void sfw_note_left_out(sfw *w, const char *name)
{
	if (!w->left_out)
		w->left_out = json_array();
	json_array_append_new(w->left_out, json_string(name));
}

void sfw_abort(sfw *w)
{
	if (!w)
		return;
	sb_free(&w->ix);
	if (w->ix_fd >= 0)
		close(w->ix_fd);
	json_decref(w->left_out);
	free(w->buf);
	free(w);
}

/* Where the next byte goes in the output. */
static uint64_t w_off(const sfw *w) { return sdout_offset(w->o) + w->fill; }

static sd_status flush(sfw *w, sd_error *err)
{
	sd_status st = w->fill ? sdout_write(w->o, w->buf, w->fill, err) : SD_OK;
	w->fill = 0;
	return st;
}

/* Room for at least one byte in buf. */
static sd_status room(sfw *w, sd_error *err) { return w->fill == CHUNK ? flush(w, err) : SD_OK; }

static sd_status put(sfw *w, const void *data, size_t n, sd_error *err)
{
	const uint8_t *p = data;
	sd_status st = SD_OK;
	while (n && (st = room(w, err)) == SD_OK) {
		size_t k = n < CHUNK - w->fill ? n : CHUNK - w->fill;
		memcpy(w->buf + w->fill, p, k);
		w->fill += k, p += k, n -= k;
	}
	return st;
}

static sd_status zeros(sfw *w, uint64_t n, sd_error *err)
{
	sd_status st = SD_OK;
	while (n && (st = room(w, err)) == SD_OK) {
		size_t k = (size_t)(n < CHUNK - w->fill ? n : CHUNK - w->fill);
		memset(w->buf + w->fill, 0, k);
		w->fill += k, n -= k;
	}
	return st;
}

static sd_status header(sfw *w, const char *name, uint64_t size, tar_encoding enc, sd_error *err)
{
	uint8_t h[TAR_BLOCK];
	if (!tar_header_build(h, name, size, w->mtime, 0644, enc))
		return sd_error_set(err, SD_ERR_USAGE,
		                    _("the name '%s' cannot be stored in a tar header"), name);
	return put(w, h, TAR_BLOCK, err);
}

/* Member name: its header, size bytes from read (straight into the buffer)
 * and the padding. */
static sd_status member(sfw *w, const char *name, uint64_t size, tar_encoding enc, sfw_read_fn read,
                        void *ctx, sd_error *err)
{
	sd_status st = header(w, name, size, enc, err);
	for (uint64_t off = 0; off < size && st == SD_OK;) {
		if ((st = room(w, err)) != SD_OK)
			break;
		size_t n = (size_t)(size - off < CHUNK - w->fill ? size - off : CHUNK - w->fill);
		st = read(ctx, off, w->buf + w->fill, n, err);
		w->fill += n, off += n;
	}
	if (st == SD_OK)
		st = zeros(w, tar_padded(size) - size, err);
	return st;
}

/* The entry of name, as jansson writes an object's member (JSON_COMPACT:
 * the name escaped as jansson escapes it, then {"offset":N,"size":N}); a
 * name that is not UTF-8 is left out, as jansson leaves out such a key.
 * Past IX_MEM, the text goes to the temporary file (in memory when none can
 * be made or written). */
static void index_entry(sfw *w, const char *name, uint64_t off, uint64_t size)
{
	json_t *js = json_string(name);
	char *q = js ? json_dumps(js, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	json_decref(js);
	if (!q)
		return;
	size_t before = w->ix.len;
	sb_printf(&w->ix, "%s%s:{\"offset\":%" PRIu64 ",\"size\":%" PRIu64 "}",
	          w->n_entries++ ? "," : "", q, off, size);
	free(q);
	w->ix_len += w->ix.len - before;
	if (w->ix.len < IX_MEM)
		return;
	if (w->ix_fd < 0)
		w->ix_fd = io_temp_fd("index", NULL);
	if (w->ix_fd >= 0 &&
	    pwrite(w->ix_fd, w->ix.s, w->ix.len, (off_t)w->ix_file) == (ssize_t)w->ix.len) {
		w->ix_file += w->ix.len;
		sb_reset(&w->ix);
	}
}

/* The entries' text into the output: the temporary file's, then the rest. */
static sd_status put_entries(sfw *w, sd_error *err)
{
	uint64_t in_file = w->ix_file;
	sd_status st = SD_OK;
	for (uint64_t at = 0; at < in_file && st == SD_OK;) {
		if ((st = room(w, err)) != SD_OK)
			break;
		size_t want =
		    (size_t)(in_file - at < CHUNK - w->fill ? in_file - at : CHUNK - w->fill);
		ssize_t n = pread(w->ix_fd, w->buf + w->fill, want, (off_t)at);
		if (n <= 0)
			return sd_error_set(
			    err, SD_ERR_IO,
			    _("cannot read back the index kept in a temporary file"));
		w->fill += (size_t)n, at += (uint64_t)n;
	}
	return st == SD_OK ? put(w, sb_str(&w->ix), w->ix.len, err) : st;
}

sd_status sfw_add(sfw *w, const char *name, uint64_t size, sfw_read_fn read, void *ctx,
                  sd_error *err)
{
	uint64_t off = w_off(w);
	sd_status st = member(w, name, size, TAR_ENC_PATCHED, read, ctx, err);
	if (st == SD_OK)
		index_entry(w, name, off, size);
	return st;
}

typedef struct membuf {
	const uint8_t *p;
} membuf;

static sd_status read_mem(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	(void)err;
	memcpy(buf, ((membuf *)ctx)->p + off, len);
	return SD_OK;
}

sd_status sfw_add_buf(sfw *w, const char *name, const void *data, size_t size, sd_error *err)
{
	membuf m = {data};
	return sfw_add(w, name, size, read_mem, &m, err);
}

uint64_t sfw_inner_size(const uint64_t *sizes, size_t n)
{
	uint64_t t = 1024;
	for (size_t i = 0; i < n; i++)
		t += TAR_BLOCK + tar_padded(sizes[i]);
	return t;
}

sd_status sfw_db_begin(sfw *w, uint64_t inner_size, sd_error *err)
{
	w->db_header = w_off(w);
	w->db_size = inner_size;
	w->db_written = 0;
	w->in_db = true;
	return header(w, "osm-p2p-db.tar", inner_size, TAR_ENC_PATCHED, err);
}

sd_status sfw_db_add(sfw *w, const char *name, uint64_t size, sfw_read_fn read, void *ctx,
                     sd_error *err)
{
	uint64_t start = w_off(w);
	sd_status st = member(w, name, size, TAR_ENC_STREAM, read, ctx, err);
	w->db_written += w_off(w) - start;
	return st;
}

sd_status sfw_db_add_buf(sfw *w, const char *name, const void *data, size_t size, sd_error *err)
{
	membuf m = {data};
	return sfw_db_add(w, name, size, read_mem, &m, err);
}

sd_status sfw_db_end(sfw *w, sd_error *err)
{
	sd_status st = zeros(w, 1024, err);
	w->db_written += 1024;
	if (st != SD_OK)
		return st;
	if (w->db_written != w->db_size)
		return sd_error_set(
		    err, SD_ERR_USAGE, "internal error: database declared %llu bytes, wrote %llu",
		    (unsigned long long)w->db_size, (unsigned long long)w->db_written);
	st = zeros(w, tar_padded(w->db_size) - w->db_size, err);
	if (st == SD_OK)
		index_entry(w, "osm-p2p-db.tar", w->db_header, w->db_size);
	w->in_db = false;
	return st;
}

sd_status sfw_finish(sfw *w, const char *p2p_db, const char *discovery_hex, sd_error *err)
{
	json_t *ud = json_object(), *sf = json_object();
	json_object_set_new(ud, "version", json_string("2.0.0"));
	if (p2p_db)
		json_object_set_new(sf, "p2p-db", json_string(p2p_db));
	if (p2p_db && discovery_hex && *discovery_hex)
		json_object_set_new(sf, "discoveryKey", json_string(discovery_hex));
	json_object_set_new(ud, "syncfile", sf);
	if (w->left_out) {
		/* Why a photo an observation names is absent: the check of this
		 * file then says so instead of "did not travel". Mapeo reads only
		 * the "syncfile" part. */
		json_t *sd = json_object();
		json_object_set_new(sd, "left_out", w->left_out);
		w->left_out = NULL;
		json_object_set_new(ud, "syncdoctor", sd);
	}
	/* {"index":{ENTRIES},"userdata":{...}}, as jansson wrote the whole
	 * (JSON_COMPACT, in the order given) */
	char *js = json_dumps(ud, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(ud);
	static const char head[] = "{\"index\":{", mid[] = "},\"userdata\":";
	size_t ud_len = strlen(js);
	uint64_t len = sizeof head - 1 + w->ix_len + sizeof mid - 1 + ud_len + 1;
	sd_status st = header(w, "___index.json", len, TAR_ENC_STREAM, err);
	if (st == SD_OK)
		st = put(w, head, sizeof head - 1, err);
	if (st == SD_OK)
		st = put_entries(w, err);
	if (st == SD_OK)
		st = put(w, mid, sizeof mid - 1, err);
	if (st == SD_OK)
		st = put(w, js, ud_len, err);
	if (st == SD_OK)
		st = put(w, "}", 1, err);
	/* appendMeta pads with a full block when len is a multiple of 512 */
	if (st == SD_OK)
		st = zeros(w, TAR_BLOCK - (size_t)(len % TAR_BLOCK) + 1024, err);
	if (st == SD_OK)
		st = flush(w, err);
	free(js);
	sfw_abort(w);
	return st;
}
