/* tar.c: see tar.h for why this is hand-written. */
#include "config.h"

#include "tar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "xalloc.h"

/* Octal field: leading spaces/NULs, digits, then NUL/space/end. GNU base-256
 * (high bit set) is accepted too. */
static bool parse_octal(const uint8_t *f, size_t len, uint64_t *out)
{
	size_t i = 0;
	if (len && (f[0] & 0x80)) {
		uint64_t v = f[0] & 0x3f;
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return false;
			v = (v << 8) | f[i];
		}
		*out = v;
		return true;
	}
	while (i < len && (f[i] == ' ' || f[i] == '\0'))
		i++;
	if (i == len)
		return false;
	uint64_t v = 0;
	size_t digits = 0;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
		if (v >> 60)
			return false;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	if (!digits)
		return false;
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	*out = v;
	return true;
}

/* tar-stream truncates a clock after 2038 to a signed 32-bit value and
 * prints it in decimal with a minus sign (doc/formats.md §8). */
static bool parse_negative(const uint8_t *f, size_t len, int64_t *out)
{
	size_t i = 0;
	while (i < len && (f[i] == ' ' || f[i] == '\0'))
		i++;
	if (i == len || f[i] != '-')
		return false;
	i++;
	int64_t v = 0;
	size_t digits = 0;
	for (; i < len && f[i] >= '0' && f[i] <= '9'; i++, digits++)
		v = v * 10 + (f[i] - '0');
	if (!digits || digits > 12)
		return false;
	*out = -v;
	return true;
}

bool tar_header_parse(const uint8_t b[TAR_BLOCK], tar_header *h)
{
	memset(h, 0, sizeof *h);
	/* One branch-free pass the compiler vectorises (a header is parsed per
	 * member: it was a sixth of a --quick check): the sum of the bytes,
	 * zero only for a zero block, and the count of bytes over 127, which
	 * turns the unsigned sum into the signed one old tars wrote. The
	 * checksum field itself counts as eight spaces (the 256). */
	uint32_t sum = 0, high = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		sum += b[i];
		high += b[i] >> 7;
	}
	h->zero = sum == 0;
	if (h->zero)
		return false;
	for (size_t i = 148; i < 156; i++) {
		sum -= b[i];
		high -= b[i] >> 7;
	}
	uint32_t usum = 256 + sum, ssum = usum - 256 * high;
	h->checksum_computed = usum;
	uint64_t ck = 0;
	if (parse_octal(b + 148, 8, &ck)) {
		h->checksum_stored = (uint32_t)ck;
		h->checksum_ok = ck == usum || (uint32_t)ck == ssum;
	}

	h->magic_ustar = memcmp(b + 257, "ustar\0", 6) == 0;
	h->magic_gnu = memcmp(b + 257, "ustar  \0", 8) == 0;

	uint64_t v;
	h->size_ok = parse_octal(b + 124, 12, &v);
	h->size = h->size_ok ? v : 0;
	if (parse_octal(b + 136, 12, &v)) {
		h->mtime_ok = true;
		h->mtime = (int64_t)v;
	} else if (parse_negative(b + 136, 12, &h->mtime)) {
		h->mtime_ok = true;
		h->mtime_negative = true;
	}
	h->typeflag = (char)b[156];

	/* Which writer: patched appends have 12 size digits and 8 checksum
	 * digits with no terminator; tar-stream ends them with space / space+NUL. */
	if (b[124 + 11] >= '0' && b[124 + 11] <= '7' && b[148 + 7] >= '0' && b[148 + 7] <= '7')
		h->encoding = TAR_ENC_PATCHED;
	else if (b[124 + 11] == ' ' && b[148 + 6] == ' ' && b[148 + 7] == '\0')
		h->encoding = TAR_ENC_STREAM;

	/* prefix "/" name: at most 155 + 1 + 100 bytes, h->name holds 257 */
	size_t nl = strnlen((const char *)b, 100), at = 0;
	if (h->magic_ustar && b[345]) {
		at = strnlen((const char *)b + 345, 155);
		memcpy(h->name, b + 345, at);
		h->name[at++] = '/';
	}
	memcpy(h->name + at, b, nl);
	h->name[at + nl] = '\0';

	return h->magic_ustar || h->magic_gnu || h->checksum_ok;
}

void tar_iter_init(tar_iter *it, sd_input *in, uint64_t start, uint64_t len)
{
	memset(it, 0, sizeof *it);
	it->in = in;
	it->start = start;
	it->end = start + len;
	it->pos = start;
	it->max_members = 1000000;
}

void tar_iter_free(tar_iter *it)
{
	free(it->name);
	free(it->longname);
	it->name = NULL;
	it->longname = NULL;
}

/* The name a GNU long name entry ('L') or a pax extended header ('x', its
 * "path" record) gives the member after it, as tar-stream (Mapeo's reader)
 * takes it: without this, a database packed by GNU tar or a pax writer with
 * a name over 100 bytes had its feeds read under the truncated names, and
 * was called healthy with no observation. Bounded: a name is never more
 * than a few KiB. */
static void read_long_name(tar_iter *it, const tar_entry *e)
{
	if (e->truncated || e->size == 0 || e->size > 65536)
		return;
	char *data = xmalloc((size_t)e->size + 1);
	if (sdin_read_exact(it->in, data, (size_t)e->size, e->data_off, NULL) != SD_OK) {
		free(data);
		return;
	}
	data[e->size] = '\0';
	char *name = NULL;
	if (e->typeflag == 'L') {
		name = xstrdup(data);
	} else {
		/* records "LEN key=value\n", LEN counting the whole record */
		for (size_t at = 0; at < e->size && !name;) {
			char *end;
			unsigned long long n = strtoull(data + at, &end, 10);
			if (n == 0 || n > e->size - at || *end != ' ' || data[at + n - 1] != '\n')
				break;
			const char *kv = end + 1, *stop = data + at + n - 1;
			if (stop - kv > 5 && !memcmp(kv, "path=", 5))
				name = xstrndup(kv + 5, (size_t)(stop - kv - 5));
			at += (size_t)n;
		}
	}
	free(data);
	if (name) {
		free(it->longname);
		it->longname = name;
	}
}

tar_event tar_iter_next(tar_iter *it, tar_entry *e, sd_error *err)
{
	uint8_t blk[TAR_BLOCK];
	memset(e, 0, sizeof *e);
	while (!it->done) {
		if (it->pos + TAR_BLOCK > it->end) {
			it->done = true;
			if (it->pos < it->end) {
				it->damage_off = it->pos;
				sd_error_set(err, SD_ERR_FORMAT,
				             P_("%llu stray byte at byte %llu where a tar header "
				                "should start",
				                "%llu stray bytes at byte %llu where a tar header "
				                "should start",
				                it->end - it->pos),
				             (unsigned long long)(it->end - it->pos),
				             (unsigned long long)it->pos);
				return TAR_DAMAGE;
			}
			return TAR_END;
		}
		if (sdin_read_exact(it->in, blk, TAR_BLOCK, it->pos, err) != SD_OK) {
			it->done = true;
			it->damage_off = it->pos;
			return TAR_DAMAGE;
		}
		tar_header h;
		bool ok = tar_header_parse(blk, &h);
		if (h.zero) {
			/* Two zero blocks end a tar, but lone ones between members are
			 * old indexed-tarball padding: look past them. */
			it->pos += TAR_BLOCK;
			it->zero_run++;
			/* holes of a sparse file are zero blocks too: skip them unread */
			uint64_t data = sdin_next_data(it->in, it->pos) / TAR_BLOCK * TAR_BLOCK;
			if (data > it->pos)
				it->pos = data < it->end ? data : it->end;
			continue;
		}
		if (!ok || !h.size_ok) {
			it->damage_off = it->pos;
			if (ok)
				sd_error_set(err, SD_ERR_FORMAT,
				             _("the tar header at byte %llu has a size field that "
				               "is not a number"),
				             (unsigned long long)it->pos);
			else
				sd_error_set(err, SD_ERR_FORMAT,
				             _("no valid tar header at byte %llu"),
				             (unsigned long long)it->pos);
			it->pos += TAR_BLOCK; /* resync block by block */
			return TAR_DAMAGE;
		}
		if (++it->members > it->max_members) {
			it->done = true;
			it->damage_off = it->pos;
			sd_error_set(
			    err, SD_ERR_LIMIT, _("more than %llu members: giving up at byte %llu"),
			    (unsigned long long)it->max_members, (unsigned long long)it->pos);
			return TAR_DAMAGE;
		}
		it->zero_run = 0;
		free(it->name);
		bool meta = h.typeflag == 'L' || h.typeflag == 'x';
		if (it->longname && !meta && h.typeflag != 'K' && h.typeflag != 'g') {
			it->name = it->longname;
			it->longname = NULL;
		} else {
			it->name = xstrdup(h.name);
		}
		e->name = it->name;
		e->header_off = it->pos;
		e->data_off = it->pos + TAR_BLOCK;
		e->size = h.size;
		e->mtime = h.mtime;
		e->mtime_negative = h.mtime_negative;
		e->typeflag = h.typeflag;
		e->checksum_ok = h.checksum_ok;
		e->encoding = h.encoding;
		e->gnu_magic = h.magic_gnu;
		uint64_t avail = it->end - e->data_off;
		if (h.size > avail) {
			e->truncated = true;
			it->pos = it->end;
		} else {
			uint64_t pad = tar_padded(h.size);
			it->pos = pad > avail ? it->end : e->data_off + pad;
		}
		if (meta)
			read_long_name(it, e);
		return TAR_MEMBER;
	}
	return TAR_END;
}

static void put_octal(uint8_t *f, size_t digits, uint64_t v)
{
	for (size_t i = digits; i-- > 0;) {
		f[i] = (uint8_t)('0' + (v & 7));
		v >>= 3;
	}
}

bool tar_header_build(uint8_t b[TAR_BLOCK], const char *name, uint64_t size, int64_t mtime,
                      unsigned mode, tar_encoding enc)
{
	memset(b, 0, TAR_BLOCK);
	size_t len = strlen(name);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] >= 0x80 || (unsigned char)name[i] < 0x20)
			return false;
	if (len <= 100) {
		memcpy(b, name, len);
	} else {
		/* Split at the last '/' that leaves a name of at most 100 bytes. */
		const char *split = NULL;
		for (const char *p = name; *p; p++)
			if (*p == '/' && (size_t)(p - name) <= 155 && strlen(p + 1) <= 100 && p[1])
				split = p;
		if (!split)
			return false;
		memcpy(b + 345, name, (size_t)(split - name));
		memcpy(b, split + 1, strlen(split + 1));
	}
	put_octal(b + 100, 6, mode & 07777), b[106] = ' ';
	put_octal(b + 108, 6, 0), b[114] = ' ';
	put_octal(b + 116, 6, 0), b[122] = ' ';
	if (enc == TAR_ENC_PATCHED) {
		put_octal(b + 124, 12, size);
	} else {
		put_octal(b + 124, 11, size);
		b[135] = ' ';
	}
	put_octal(b + 136, 11, mtime < 0 ? 0 : (uint64_t)mtime);
	b[147] = ' ';
	b[156] = '0';
	memcpy(b + 257,
	       "ustar\0"
	       "00",
	       8);
	put_octal(b + 329, 6, 0), b[335] = ' ';
	put_octal(b + 337, 6, 0), b[343] = ' ';
	uint32_t sum = 256;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		if (i < 148 || i >= 156)
			sum += b[i];
	if (enc == TAR_ENC_PATCHED) {
		put_octal(b + 148, 8, sum);
	} else {
		put_octal(b + 148, 6, sum);
		b[154] = ' ';
		b[155] = '\0';
	}
	return true;
}

sd_status tar_write_zeros(sd_output *o, uint64_t n, sd_error *err)
{
	static const uint8_t zeros[TAR_BLOCK];
	while (n) {
		size_t c = n > TAR_BLOCK ? TAR_BLOCK : (size_t)n;
		sd_status st = sdout_write(o, zeros, c, err);
		if (st != SD_OK)
			return st;
		n -= c;
	}
	return SD_OK;
}

sd_status tar_write_member(sd_output *o, const char *name, const void *data, uint64_t size,
                           int64_t mtime, tar_encoding enc, sd_error *err)
{
	uint8_t h[TAR_BLOCK];
	if (!tar_header_build(h, name, size, mtime, 0644, enc))
		return sd_error_set(err, SD_ERR_USAGE,
		                    _("the name '%s' cannot be stored in a tar header"), name);
	sd_status st = sdout_write(o, h, TAR_BLOCK, err);
	if (st == SD_OK && size)
		st = sdout_write(o, data, (size_t)size, err);
	if (st == SD_OK)
		st = tar_write_zeros(o, tar_padded(size) - size, err);
	return st;
}

/* path.join(folder, name) (doc/formats.md §3, §9) done in place. */
void tar_path_join(char *name)
{
	char *out = name;
	const char *p = name;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (out > name && *--out != '/')
				;
		} else if (len && !(len == 1 && p[0] == '.')) {
			if (out > name)
				*out++ = '/';
			memmove(out, p, len);
			out += len;
		}
		p += len + (end != NULL);
	}
	*out = '\0';
}
