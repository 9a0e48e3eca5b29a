/* zip.c: see zip.h for why this is hand-written. */
#include "config.h"

#include "zip.h"

#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <zlib.h>

#include "i18n.h"
#include "xalloc.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

sd_status zip_open(sd_input *in, zip_archive *za, sd_error *err)
{
	memset(za, 0, sizeof *za);
	za->in = in;
	uint64_t size = sdin_size(in);
	const char *path = sdin_path(in);
	/* The end record is in the last 22 + 65535 bytes. */
	size_t tail = size < 22 + 65535 ? (size_t)size : 22 + 65535;
	uint8_t *buf = xmalloc(tail ? tail : 1);
	sd_status st = sdin_read_exact(in, buf, tail, size - tail, err);
	if (st != SD_OK) {
		free(buf);
		return st;
	}
	ssize_t eocd = -1;
	for (ssize_t i = (ssize_t)tail - 22; i >= 0; i--)
		if (le32(buf + i) == 0x06054b50) {
			eocd = i;
			break;
		}
	if (eocd < 0) {
		free(buf);
		return sd_error_set(err, SD_ERR_FORMAT,
		                    _("%s: the ZIP archive has no end record (it was cut short)"),
		                    path);
	}
	uint16_t count = le16(buf + eocd + 10);
	uint32_t cd_size = le32(buf + eocd + 12), cd_off = le32(buf + eocd + 16);
	free(buf);
	if ((uint64_t)cd_off + cd_size > size)
		return sd_error_set(err, SD_ERR_FORMAT,
		                    _("%s: the ZIP directory at byte %u lies outside the file"),
		                    path, cd_off);
	uint8_t *cd = xmalloc(cd_size ? cd_size : 1);
	if ((st = sdin_read_exact(in, cd, cd_size, cd_off, err)) != SD_OK) {
		free(cd);
		return st;
	}
	za->entries = xcalloc(count ? count : 1, sizeof *za->entries);
	size_t p = 0;
	for (uint16_t i = 0; i < count; i++) {
		if (p + 46 > cd_size || le32(cd + p) != 0x02014b50) {
			free(cd);
			zip_close(za);
			return sd_error_set(err, SD_ERR_FORMAT,
			                    _("%s: the ZIP directory is damaged at byte %llu"),
			                    path, (unsigned long long)(cd_off + p));
		}
		zip_entry *e = &za->entries[za->n];
		e->method = le16(cd + p + 10);
		e->crc = le32(cd + p + 16);
		e->comp_size = le32(cd + p + 20);
		e->size = le32(cd + p + 24);
		uint16_t nlen = le16(cd + p + 28), xlen = le16(cd + p + 30),
		         clen = le16(cd + p + 32);
		e->local_off = le32(cd + p + 42);
		if (p + 46 + nlen > cd_size) {
			free(cd);
			zip_close(za);
			return sd_error_set(err, SD_ERR_FORMAT,
			                    _("%s: the ZIP directory is cut short"), path);
		}
		e->name = xstrndup((const char *)cd + p + 46, nlen);
		za->n++;
		p += 46u + nlen + xlen + clen;
	}
	free(cd);
	return SD_OK;
}

void zip_close(zip_archive *za)
{
	for (size_t i = 0; i < za->n; i++)
		free(za->entries[i].name);
	free(za->entries);
	za->entries = NULL;
	za->n = 0;
}

sd_status zip_read(zip_archive *za, const zip_entry *e, uint8_t **out, size_t *len, sd_error *err)
{
	*out = NULL;
	*len = 0;
	const char *path = sdin_path(za->in);
	/* A size no file this long can hold names damage, not a limit. */
	if (e->local_off >= sdin_size(za->in) || e->comp_size > sdin_size(za->in) - e->local_off)
		return sd_error_set(
		    err, SD_ERR_FORMAT,
		    P_("%s: member '%s' claims %llu compressed byte from byte %llu on, "
		       "past the end of the file (%llu bytes): its directory entry is damaged",
		       "%s: member '%s' claims %llu compressed bytes from byte %llu on, "
		       "past the end of the file (%llu bytes): its directory entry is damaged",
		       e->comp_size),
		    path, e->name, (unsigned long long)e->comp_size,
		    (unsigned long long)e->local_off, (unsigned long long)sdin_size(za->in));
	if (e->size > ZIP_MAX_MEMBER || e->comp_size > ZIP_MAX_MEMBER)
		return sd_error_set(
		    err, SD_ERR_LIMIT, _("%s: member '%s' is too large (%llu bytes)"), path,
		    e->name, (unsigned long long)(e->size > e->comp_size ? e->size : e->comp_size));
	uint8_t lh[30];
	sd_status st = sdin_read_exact(za->in, lh, sizeof lh, e->local_off, err);
	if (st != SD_OK)
		return st;
	if (le32(lh) != 0x04034b50)
		return sd_error_set(err, SD_ERR_FORMAT,
		                    _("%s: member '%s' has no local header at byte %llu"), path,
		                    e->name, (unsigned long long)e->local_off);
	uint64_t data = e->local_off + 30 + le16(lh + 26) + le16(lh + 28);
	if (data > sdin_size(za->in) || e->comp_size > sdin_size(za->in) - data)
		return sd_error_set(err, SD_ERR_FORMAT, _("%s: member '%s' is cut short"), path,
		                    e->name);
	if (e->method == 8 && e->size > e->comp_size * ZIP_MAX_RATIO + 1024)
		return sd_error_set(
		    err, SD_ERR_LIMIT,
		    P_("%s: member '%s' claims to inflate %llu byte to %llu, more than "
		       "deflate can: refused as a ZIP bomb",
		       "%s: member '%s' claims to inflate %llu bytes to %llu, more than "
		       "deflate can: refused as a ZIP bomb",
		       e->comp_size),
		    path, e->name, (unsigned long long)e->comp_size, (unsigned long long)e->size);
	if (za->inflated + e->size > ZIP_MAX_TOTAL)
		return sd_error_set(
		    err, SD_ERR_LIMIT,
		    _("%s: the members up to '%s' hold more than %u MiB together: refused "
		      "as a ZIP bomb"),
		    path, e->name, ZIP_MAX_TOTAL >> 20);
	za->inflated += e->size;
	uint8_t *comp = xmalloc(e->comp_size ? (size_t)e->comp_size : 1);
	if ((st = sdin_read_exact(za->in, comp, (size_t)e->comp_size, data, err)) != SD_OK) {
		free(comp);
		return sd_error_set(err, SD_ERR_FORMAT, _("%s: member '%s' is cut short"), path,
		                    e->name);
	}
	uint8_t *buf = xmalloc((size_t)e->size + 1);
	if (e->method == 0) {
		if (e->comp_size != e->size) {
			free(comp), free(buf);
			return sd_error_set(err, SD_ERR_FORMAT,
			                    _("%s: member '%s' has inconsistent sizes"), path,
			                    e->name);
		}
		memcpy(buf, comp, (size_t)e->size);
	} else if (e->method == 8) {
		z_stream zs;
		memset(&zs, 0, sizeof zs);
		inflateInit2(&zs, -MAX_WBITS);
		zs.next_in = comp;
		zs.avail_in = (uInt)e->comp_size;
		zs.next_out = buf;
		zs.avail_out = (uInt)e->size;
		int r = inflate(&zs, Z_FINISH);
		uLong produced = zs.total_out;
		inflateEnd(&zs);
		if (r != Z_STREAM_END || produced != e->size) {
			free(comp), free(buf);
			return sd_error_set(
			    err, SD_ERR_FORMAT,
			    P_("%s: member '%s' does not decompress to its stated %llu byte "
			       "(damaged or cut)",
			       "%s: member '%s' does not decompress to its stated %llu bytes "
			       "(damaged or cut)",
			       e->size),
			    path, e->name, (unsigned long long)e->size);
		}
	} else {
		free(comp), free(buf);
		return sd_error_set(
		    err, SD_ERR_FORMAT,
		    _("%s: member '%s' uses compression method %u, which Mapeo never "
		      "writes"),
		    path, e->name, e->method);
	}
	free(comp);
	uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)e->size);
	if (crc != e->crc) {
		free(buf);
		return sd_error_set(
		    err, SD_ERR_FORMAT,
		    _("%s: member '%s' fails its CRC-32 check (%08x, expected %08x)"), path,
		    e->name, crc, e->crc);
	}
	buf[e->size] = 0;
	*out = buf;
	*len = (size_t)e->size;
	return SD_OK;
}
