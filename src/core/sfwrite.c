#include "config.h"

#include "sfwrite.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "tar.h"
#include "xalloc.h"

/* Everything written goes through one 1 MiB buffer, written out when full:
 * members follow each other in it (600 photos, 1,800 members, leave in 35
 * writes instead of 1,800), and large members (feed data) are read and
 * written a mebibyte at a time, as cp does. */
#define CHUNK (1u << 20)

struct sfw {
	sd_output *o;
	int64_t mtime;
	json_t *index;
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
	w->index = json_object();
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
	json_decref(w->index);
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

static void index_entry(sfw *w, const char *name, uint64_t off, uint64_t size)
{
	json_t *e = json_object();
	json_object_set_new(e, "offset", json_integer((json_int_t)off));
	json_object_set_new(e, "size", json_integer((json_int_t)size));
	json_object_set_new(w->index, name, e);
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
	json_t *root = json_object();
	json_object_set(root, "index", w->index);
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
	json_object_set_new(root, "userdata", ud);
	char *js = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	size_t len = strlen(js);
	sd_status st = header(w, "___index.json", len, TAR_ENC_STREAM, err);
	if (st == SD_OK)
		st = put(w, js, len, err);
	/* appendMeta pads with a full block when len is a multiple of 512 */
	if (st == SD_OK)
		st = zeros(w, TAR_BLOCK - len % TAR_BLOCK + 1024, err);
	if (st == SD_OK)
		st = flush(w, err);
	free(js);
	sfw_abort(w);
	return st;
}
