#include "config.h"

#include "syncfile.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed.h"
#include "hypercore.h"
#include "i18n.h"
#include "keys.h"
#include "report.h"
#include "sdlimits.h"
#include "sfindex.h"
#include "strbuf.h"
#include "strmap.h"
#include "tar.h"
#include "xalloc.h"

#define INDEX_NAME      "___index.json"
#define DB_NAME         "osm-p2p-db.tar"
#define MAX_INDEX_BYTES (64u << 20)

const char *sf_era_name(sf_era e)
{
	switch (e) {
	case SF_ERA_GZIP_V0: return "gzip-v0";
	case SF_ERA_HYPERLOG_V1: return "hyperlog-v1";
	case SF_ERA_KAPPA_OSM_V2: return "kappa-osm-v2";
	default: return "unknown";
	}
}

/* Escape a name from the file for messages (report.h). */
static char *escape_name(const char *s) { return report_escape(s); }

static bool dangerous_name(const char *s)
{
	if (s[0] == '/' || s[0] == '\\')
		return true;
	/* control characters (C0, DEL, C1), invalid UTF-8, bidirectional
	 * overrides: whatever cannot be shown as it is. A name of printable
	 * ASCII with no remembered key in it is shown as it is without
	 * escaping a copy (a name is tested per member: that copy was a
	 * seventh of a --quick check); anything else is escaped and compared. */
	const unsigned char *q = (const unsigned char *)s;
	while (*q >= 0x20 && *q < 0x7f)
		q++;
	if (*q || keys_secret_in(s)) {
		char *e = report_escape(s);
		bool shown_as_is = strcmp(e, s) == 0;
		free(e);
		if (!shown_as_is)
			return true;
	}
	const char *p = s;
	while ((p = strstr(p, "..")) != NULL) {
		bool start = p == s || p[-1] == '/' || p[-1] == '\\';
		bool end = p[2] == '\0' || p[2] == '/' || p[2] == '\\';
		if (start && end)
			return true;
		p += 2;
	}
	return false;
}

bool sf_name_dangerous(const char *name) { return dangerous_name(name); }

static sf_kind kind_of(const char *name)
{
	if (strcmp(name, INDEX_NAME) == 0)
		return SF_KIND_INDEX;
	if (strcmp(name, DB_NAME) == 0)
		return SF_KIND_DB;
	/* a Windows name ("original\\ID.jpg") is a photo too: Mapeo on
	 * Windows reads it as one */
	static const char *const kinds[] = {"original", "preview", "thumbnail"};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		size_t n = strlen(kinds[k]);
		if (!strncmp(name, kinds[k], n) && (name[n] == '/' || name[n] == '\\'))
			return SF_KIND_MEDIA;
	}
	return SF_KIND_OTHER;
}

/* A photo's name as Mapeo on POSIX and Windows alike knows it: a Windows
 * name's '\\' as '/' (into buf unless s has none). */
static const char *media_name(sf_kind kind, const char *s, char buf[SF_NAME_MAX])
{
	if (kind != SF_KIND_MEDIA || !strchr(s, '\\'))
		return s;
	if (s != buf)
		snprintf(buf, SF_NAME_MAX, "%s", s);
	for (char *p = buf; *p; p++)
		if (*p == '\\')
			*p = '/';
	return buf;
}

sd_status sf_read(syncfile *sf, uint64_t off, void *buf, size_t len, sd_error *err)
{
	return sf->src.ops->read(sf->src.ctx, off, buf, len, err);
}

/* ---- a sync file as a source (source.h) ---- */

static sd_status file_read(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	return sdin_read_exact(ctx, buf, len, off, err);
}

static sd_status file_check_unchanged(void *ctx, sd_error *err)
{
	return sdin_check_unchanged(ctx, err);
}

static const src_ops file_ops = {file_read, file_check_unchanged, NULL, NULL};

/* One file, its photos before its database; a feed's secret_key in it is
 * a leak, not this computer's own. */
static void as_source(syncfile *sf)
{
	sf->src.kind = SRC_SYNC_FILE;
	sf->src.ops = &file_ops;
	sf->src.ctx = sf->in;
	sf->src.media_first = true;
	sf->src.holds_photos = true;
	sf->src.in_member = true;
}

/* ---- members, kept compactly ---- */

/* The records are kept in blocks of MBLOCK. Up to a budget of bytes of
 * records (1 MiB, some 43,000 members: a real file never reaches it;
 * SYNCDOCTOR_MEMBER_BUDGET in bytes for tests) every block is in memory;
 * past it they all go to an unlinked temporary file in $TMPDIR and are
 * read back through MCACHE blocks, the least recently used written back
 * when changed (issue 21: 223,200 photos are 5.4 MB of records). A pointer
 * from mrec() or crec() stays valid until MCACHE - 1 other blocks were
 * asked for (3 with the smallest cache tests ask for): the code holds at
 * most two at a time, and none across a loop over the members. */
#define MBLOCK        512 /* records a block: 12 KiB */
#define MCACHE        32  /* blocks read back at a time: 384 KiB */
#define MEMBER_BUDGET ((size_t)1 << 20)

typedef struct mslot {
	sf_mrec *recs; /* NULL until first used */
	size_t block;  /* the block it holds, or NO_BLOCK */
	uint64_t used; /* tick of the last use: the least is evicted */
	bool dirty;
} mslot;

struct sf_mstore {
	sf_mrec **mem;        /* in memory (fd < 0): every block */
	size_t n_blocks, cap; /* blocks made (none is given back: a shrunk list reuses them) */
	size_t budget;        /* bytes of records kept in memory; SIZE_MAX once tried */
	int fd;               /* spilled: the temporary file, block b at b * its size */
	char *dir;            /* its folder, for messages */
	char *error;          /* it could not be made: sf_open() says so */
	uint64_t *first;      /* spilled: each block's first data_off as last written */
	int32_t *slot_of;     /* spilled: each block's slot in cache, or -1 */
	mslot cache[MCACHE];
	int32_t slots; /* of cache used: MCACHE (SYNCDOCTOR_MEMBER_CACHE, 4 or more, for tests) */
	uint64_t tick;
};

#define NO_BLOCK    ((size_t)-1)
#define BLOCK_BYTES (MBLOCK * sizeof(sf_mrec))

static struct sf_mstore *mstore_new(void)
{
	struct sf_mstore *s = xcalloc(1, sizeof *s);
	const char *b = getenv("SYNCDOCTOR_MEMBER_BUDGET");
	s->budget = b && *b ? (size_t)strtoull(b, NULL, 10) : MEMBER_BUDGET;
	const char *c = getenv("SYNCDOCTOR_MEMBER_CACHE");
	s->slots = c && *c ? (int32_t)strtol(c, NULL, 10) : MCACHE;
	s->slots = s->slots < 4 ? 4 : s->slots > MCACHE ? MCACHE : s->slots;
	s->fd = -1;
	for (size_t k = 0; k < MCACHE; k++)
		s->cache[k].block = NO_BLOCK;
	return s;
}

static void mstore_free(struct sf_mstore *s)
{
	if (!s)
		return;
	for (size_t b = 0; s->mem && b < s->n_blocks; b++)
		free(s->mem[b]);
	free(s->mem);
	for (size_t k = 0; k < MCACHE; k++)
		free(s->cache[k].recs);
	if (s->fd >= 0)
		close(s->fd);
	free(s->dir);
	free(s->error);
	free(s->first);
	free(s->slot_of);
	free(s);
}

/* Block b to the temporary file (a disk that fills now cannot be told
 * from the caller's pointer: the run ends, as on running out of memory). */
static void mstore_write(struct sf_mstore *s, size_t b, const sf_mrec *recs)
{
	const uint8_t *p = (const uint8_t *)recs;
	for (size_t done = 0; done < BLOCK_BYTES;) {
		ssize_t n =
		    pwrite(s->fd, p + done, BLOCK_BYTES - done, (off_t)(b * BLOCK_BYTES + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			sd_fatal(_("cannot write the temporary file in %s that holds the file's "
			           "member records (set TMPDIR to a folder with room): %s"),
			         s->dir, n < 0 ? strerror(errno) : _("no room"));
		done += (size_t)n;
	}
	s->first[b] = recs[0].data_off;
}

/* Block b from the temporary file: zeros past its end (a new block). */
static void mstore_read(struct sf_mstore *s, size_t b, sf_mrec *recs)
{
	uint8_t *p = (uint8_t *)recs;
	size_t done = 0;
	while (done < BLOCK_BYTES) {
		ssize_t n =
		    pread(s->fd, p + done, BLOCK_BYTES - done, (off_t)(b * BLOCK_BYTES + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			sd_fatal(
			    _("cannot read back the temporary file in %s that holds the file's "
			      "member records: %s"),
			    s->dir, strerror(errno));
		if (n == 0)
			break;
		done += (size_t)n;
	}
	memset(p + done, 0, BLOCK_BYTES - done);
}

/* Past the budget: every block to an unlinked temporary file, or, when
 * none can be made, all kept in memory and the error kept for sf_open(). */
static void mstore_spill(struct sf_mstore *s)
{
	char *dir = NULL;
	s->budget = SIZE_MAX; /* tried once */
	s->fd = io_temp_fd("members", &dir);
	if (s->fd < 0) {
		s->error = xasprintf(_("cannot make a temporary file in %s to hold the file's "
		                       "member records (set TMPDIR to a folder with room): %s"),
		                     dir, strerror(errno));
		free(dir);
		return;
	}
	s->dir = dir;
	s->first = xcalloc(s->cap, sizeof *s->first);
	s->slot_of = xmalloc(s->cap * sizeof *s->slot_of);
	for (size_t b = 0; b < s->n_blocks; b++) {
		s->slot_of[b] = -1;
		mstore_write(s, b, s->mem[b]);
		free(s->mem[b]);
	}
	free(s->mem);
	s->mem = NULL;
}

/* Block b of a spilled store, read back into the cache (write: it will
 * be changed, and written back when evicted). Never inlined: mblock()'s
 * path in memory stays a load (GCC and clang). */
static __attribute__((noinline)) sf_mrec *mstore_cached(struct sf_mstore *s, size_t b, bool write)
{
	int32_t k = s->slot_of[b];
	if (k < 0) {
		k = 0;
		for (int32_t j = 1; j < s->slots; j++)
			if (s->cache[j].used < s->cache[k].used)
				k = j;
		mslot *v = &s->cache[k];
		if (!v->recs)
			v->recs = xmalloc(BLOCK_BYTES);
		if (v->block != NO_BLOCK) {
			if (v->dirty)
				mstore_write(s, v->block, v->recs);
			s->slot_of[v->block] = -1;
		}
		mstore_read(s, b, v->recs);
		v->block = b;
		v->dirty = false;
		s->slot_of[b] = k;
	}
	mslot *v = &s->cache[k];
	v->used = ++s->tick;
	v->dirty |= write;
	return v->recs;
}

static inline sf_mrec *mblock(const syncfile *sf, size_t b, bool write)
{
	struct sf_mstore *s = sf->mstore;
	return s->fd < 0 ? s->mem[b] : mstore_cached(s, b, write);
}

/* Member i's record, to be changed (crec: only read). */
static sf_mrec *mrec(const syncfile *sf, size_t i)
{
	return mblock(sf, i / MBLOCK, true) + i % MBLOCK;
}

static const sf_mrec *crec(const syncfile *sf, size_t i)
{
	return mblock(sf, i / MBLOCK, false) + i % MBLOCK;
}

/* The data_off of block b's first record, without reading the block
 * back when it is spilled and not in cache. */
static uint64_t mblock_first(const syncfile *sf, size_t b)
{
	const struct sf_mstore *s = sf->mstore;
	if (s->fd < 0)
		return s->mem[b][0].data_off;
	int32_t k = s->slot_of[b];
	return k >= 0 ? s->cache[k].recs[0].data_off : s->first[b];
}

/* The first member whose data_off is off or more (n_members when none):
 * members are in header order. The blocks' first records are searched
 * first, then one block: a spilled store reads back one block. */
static size_t member_from(const syncfile *sf, uint64_t off)
{
	size_t lo = 0, hi = (sf->n_members + MBLOCK - 1) / MBLOCK;
	while (lo < hi) { /* blocks whose first record is before off */
		size_t mid = lo + (hi - lo) / 2;
		if (mblock_first(sf, mid) < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	size_t b = lo - 1, n = sf->n_members - b * MBLOCK;
	const sf_mrec *r = mblock(sf, b, false);
	lo = 1, hi = n < MBLOCK ? n : MBLOCK;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].data_off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return b * MBLOCK + lo;
}

enum {
	MF_IN_INDEX = 1,
	MF_CHECKSUM_OK = 2,
	MF_TRUNCATED = 4,
	MF_UNPATCHED = 8,
	MF_NO_HEADER = 16, /* a folder's member: header_off 0, its name kept */
	MF_BACKSLASH = 32, /* a photo named with '\\' in its header (Windows) */
};

#define NO_MEMBER ((size_t)-1)

static void decode(const sf_mrec *r, sf_member *out)
{
	out->name = NULL;
	out->header_off = r->flags & MF_NO_HEADER ? 0 : r->data_off - TAR_BLOCK;
	out->data_off = r->data_off;
	out->size = r->size;
	out->kind = (sf_kind)r->kind;
	out->in_index = r->flags & MF_IN_INDEX;
	out->checksum_ok = r->flags & MF_CHECKSUM_OK;
	out->truncated = r->flags & MF_TRUNCATED;
	out->unpatched = r->flags & MF_UNPATCHED;
	out->backslash = r->flags & MF_BACKSLASH;
}

/* The name of r: kept, or read again from its header (the walk took it
 * from there; an unreadable header now reads as ""). */
static const char *rec_name(const syncfile *sf, const sf_mrec *r, char buf[SF_NAME_MAX])
{
	if (r->name & SF_NAME_ARENA) {
		const char *s = sf->names + (r->name & ~SF_NAME_ARENA);
		memcpy(buf, s, strlen(s) + 1);
		return media_name(r->kind, buf, buf);
	}
	if (r->name)
		return media_name(r->kind, sf->mnames[r->name - 1], buf);
	uint8_t b[TAR_BLOCK];
	tar_header h;
	buf[0] = '\0';
	if (sf->in &&
	    sdin_read_exact(sf->in, b, TAR_BLOCK, r->data_off - TAR_BLOCK, NULL) == SD_OK) {
		(void)tar_header_parse(b, &h);
		memcpy(buf, h.name, SF_NAME_MAX);
		buf[SF_NAME_MAX - 1] = '\0';
	}
	return media_name(r->kind, buf, buf);
}

void sf_member_peek(const syncfile *sf, size_t i, sf_member *out) { decode(crec(sf, i), out); }

void sf_member_get(const syncfile *sf, size_t i, sf_member *out)
{
	const sf_mrec *r = crec(sf, i);
	decode(r, out);
	out->name = rec_name(sf, r, out->namebuf);
}

/* Keep name (taken) as a member's name whatever the names budget; returns
 * what sf_mrec.name holds for it. */
static uint32_t mname_push(syncfile *sf, char *name)
{
	size_t n = sf->n_mnames;
	if ((n & (n - 1)) == 0) /* a power of two (or 0): full */
		sf->mnames = xreallocarray(sf->mnames, n ? 2 * n : 1, sizeof *sf->mnames);
	sf->mnames[sf->n_mnames++] = name;
	return (uint32_t)sf->n_mnames;
}

/* The bytes of names every open syncfile keeps (names_cap): one budget for
 * the process, however many files it holds open at once (a rebuild of
 * several sources, then its check of the output). Syncfiles are opened
 * and closed by one thread. */
static size_t names_held;

static sf_mrec encode(syncfile *sf, const sf_member *m, char *name)
{
	sf_mrec r = {.data_off = m->data_off, .size = m->size, .kind = (uint8_t)m->kind};
	r.flags =
	    (uint8_t)((m->in_index ? MF_IN_INDEX : 0) | (m->checksum_ok ? MF_CHECKSUM_OK : 0) |
	              (m->truncated ? MF_TRUNCATED : 0) | (m->unpatched ? MF_UNPATCHED : 0) |
	              (m->header_off + TAR_BLOCK != m->data_off ? MF_NO_HEADER : 0) |
	              (m->backslash ||
	                       (m->kind == SF_KIND_MEDIA && m->name && strchr(m->name, '\\'))
	                   ? MF_BACKSLASH
	                   : 0));
	if (!name && m->name && sf->names_budget) {
		/* the header's name, kept while the budget lasts */
		size_t len = strlen(m->name) + 1;
		if (sf->names_len + len <= sf->names_budget) {
			if (sf->names_len + len > sf->names_cap) {
				size_t cap = sf->names_cap ? 2 * sf->names_cap : 4096;
				while (cap < sf->names_len + len)
					cap *= 2;
				cap = cap < sf->names_budget ? cap : sf->names_budget;
				names_held += cap - sf->names_cap;
				sf->names_cap = cap;
				sf->names = xrealloc(sf->names, sf->names_cap);
			}
			memcpy(sf->names + sf->names_len, m->name, len);
			r.name = SF_NAME_ARENA | (uint32_t)sf->names_len;
			sf->names_len += len;
		} else {
			sf->names_budget = 0; /* in file order: the rest is read again */
		}
	}
	if (name)
		r.name = mname_push(sf, name);
	return r;
}

static void mrec_append(syncfile *sf, sf_mrec r)
{
	if (!sf->mstore)
		sf->mstore = mstore_new();
	struct sf_mstore *s = sf->mstore;
	if (s->fd < 0 && (sf->n_members + 1) * sizeof r > s->budget)
		mstore_spill(s);
	if (sf->n_members == s->n_blocks * MBLOCK) { /* a block more */
		size_t nb = s->n_blocks++;
		if (nb == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 16;
			if (s->fd < 0) {
				s->mem = xreallocarray(s->mem, s->cap, sizeof *s->mem);
			} else {
				s->first = xreallocarray(s->first, s->cap, sizeof *s->first);
				s->slot_of = xreallocarray(s->slot_of, s->cap, sizeof *s->slot_of);
			}
		}
		if (s->fd < 0) {
			s->mem[nb] = xcalloc(MBLOCK, sizeof r);
		} else {
			s->first[nb] = r.data_off;
			s->slot_of[nb] = -1;
		}
	}
	*mrec(sf, sf->n_members++) = r;
}

void sf_member_append(syncfile *sf, const sf_member *m, char *name)
{
	mrec_append(sf, encode(sf, m, name));
}

bool sf_copy_wins(bool backslash, bool in_index, bool prev_backslash, bool prev_in_index)
{
	if (in_index != prev_in_index)
		return in_index;
	/* Mapeo on Linux or macOS finds the photo under its '/' name: a copy
	 * named with '\\' beside it is not the one it takes */
	return !backslash || prev_backslash;
}

bool sf_find_member(const syncfile *sf, const char *name, sf_member *out)
{
	size_t found = NO_MEMBER;
	bool found_in_index = false, found_backslash = false;
	char buf[SF_NAME_MAX];
	for (size_t i = 0; i < sf->n_members; i++) {
		const sf_mrec *r = crec(sf, i);
		bool in_index = r->flags & MF_IN_INDEX;
		if ((found == NO_MEMBER || sf_copy_wins(r->flags & MF_BACKSLASH, in_index,
		                                        found_backslash, found_in_index)) &&
		    strcmp(rec_name(sf, r, buf), name) == 0) {
			found = i;
			found_in_index = in_index;
			found_backslash = r->flags & MF_BACKSLASH;
		}
	}
	if (found != NO_MEMBER)
		sf_member_get(sf, found, out);
	return found != NO_MEMBER;
}

bool sf_probe(const char *path)
{
	sd_input *in;
	if (sdin_open(path, &in, NULL) != SD_OK)
		return false;
	uint8_t b[TAR_BLOCK];
	size_t got = 0;
	bool ok = false;
	if (sdin_pread(in, b, sizeof b, 0, &got, NULL) == SD_OK) {
		if (got >= 2 && b[0] == 0x1f && b[1] == 0x8b)
			ok = true;
		else if (got == TAR_BLOCK) {
			tar_header h;
			ok = tar_header_parse(b, &h) && h.magic_ustar;
		}
	}
	sdin_close(in);
	return ok;
}

/* The member whose header h is at off, as the walk first sees it (name
 * borrowed from h). */
static void header_member(const tar_header *h, uint64_t off, sf_member *m)
{
	memset(m, 0, offsetof(sf_member, namebuf));
	m->name = h->name;
	m->header_off = off;
	m->data_off = off + TAR_BLOCK;
	m->size = h->size;
	m->kind = kind_of(h->name);
	m->checksum_ok = h->checksum_ok;
}

/* Does the 512-byte block at off read all zeros (a sector storage lost)? */
/* Whether the n bytes at b are all zeros (true for none). */
static bool all_zero(const uint8_t *b, size_t n)
{
	return !n || (b[0] == 0 && !memcmp(b, b + 1, n - 1));
}

static bool block_zero(syncfile *sf, uint64_t off)
{
	uint8_t b[TAR_BLOCK];
	if (sdin_read_exact(sf->in, b, TAR_BLOCK, off, NULL) != SD_OK)
		return false;
	return all_zero(b, TAR_BLOCK);
}

/* Is there a plausible header (or the end) at off? Used to decide whether a
 * header's size can be trusted. A header with a sync file member's name and
 * a size is one even when a flipped byte fails its checksum: damage to two
 * neighbouring headers otherwise lost both and every photo up to the next
 * intact header. */
static bool header_or_end_at(syncfile *sf, uint64_t off)
{
	if (off >= sf->size)
		return off == sf->size;
	if (off + TAR_BLOCK > sf->size)
		return false;
	uint8_t b[TAR_BLOCK];
	if (sdin_read_exact(sf->in, b, TAR_BLOCK, off, NULL) != SD_OK)
		return false;
	tar_header h;
	(void)tar_header_parse(b, &h);
	return h.zero || h.checksum_ok || (h.size_ok && kind_of(h.name) != SF_KIND_OTHER);
}

/* Next offset (512-aligned, > from, before limit) holding a valid header,
 * or limit. */
static uint64_t resync_before(syncfile *sf, uint64_t from, uint64_t limit, const sd_progress *prog)
{
	uint8_t b[TAR_BLOCK];
	for (uint64_t off = from; off + TAR_BLOCK <= limit; off += TAR_BLOCK) {
		if (sd_progress_cancelled(prog))
			return limit;
		uint64_t data = sdin_next_data(sf->in, off) / TAR_BLOCK * TAR_BLOCK;
		if (data > off && (off = data) + TAR_BLOCK > limit)
			break;
		if (sdin_read_exact(sf->in, b, TAR_BLOCK, off, NULL) != SD_OK)
			break;
		tar_header h;
		if (tar_header_parse(b, &h) && h.checksum_ok && h.magic_ustar)
			return off;
	}
	return limit;
}

/* Next offset (512-aligned, > from) holding a valid header, or size. */
static uint64_t resync(syncfile *sf, uint64_t from, const sd_progress *prog)
{
	return resync_before(sf, from, sf->size, prog);
}

/* First 512-aligned offset at or after from that is not a zero block (or
 * the last whole block's end): long zero runs are read in large chunks. */
static uint64_t skip_zeros(syncfile *sf, uint64_t from, const sd_progress *prog)
{
	static uint8_t buf[1 << 16];
	uint64_t pos = from;
	while (pos + TAR_BLOCK <= sf->size) {
		/* Holes are zeros: skip them unread; and a run of gigabytes of
		 * written zeros still stops at Ctrl-C. */
		uint64_t data = sdin_next_data(sf->in, pos) / TAR_BLOCK * TAR_BLOCK;
		if (data > pos)
			pos = data;
		if (pos + TAR_BLOCK > sf->size || sd_progress_cancelled(prog))
			return pos;
		size_t got = 0;
		if (sdin_pread(sf->in, buf, sizeof buf, pos, &got, NULL) != SD_OK ||
		    got < TAR_BLOCK)
			return pos;
		size_t whole = got / TAR_BLOCK * TAR_BLOCK;
		for (size_t i = 0; i < whole; i++)
			if (buf[i])
				return pos + i / TAR_BLOCK * TAR_BLOCK;
		pos += whole;
	}
	return pos;
}

/* Is the ___index.json header at off? (A database of size 0 that the index
 * follows is an empty member, not an unpatched one.) */
static bool index_header_at(syncfile *sf, uint64_t off)
{
	uint8_t b[TAR_BLOCK];
	tar_header h;
	return off + TAR_BLOCK <= sf->size &&
	       sdin_read_exact(sf->in, b, TAR_BLOCK, off, NULL) == SD_OK &&
	       tar_header_parse(b, &h) && strcmp(h.name, INDEX_NAME) == 0;
}

/* Where the tar stored from start ends: just after its two-zero-block end
 * marker, or the end of the file when it has none (cut, or damaged). Sets
 * *complete when the end marker was found. Used for an osm-p2p-db.tar whose
 * header was never patched (FORMATS.md A.1, A.3): its data is itself a tar,
 * and nothing but that tar follows the header, since indexed-tarball writes
 * the index only after it patches the size. */
static uint64_t inner_tar_end(syncfile *sf, uint64_t start, bool *complete, const sd_progress *prog)
{
	uint8_t b[TAR_BLOCK];
	uint64_t pos = start;
	unsigned zeros = 0;
	*complete = false;
	while (pos + TAR_BLOCK <= sf->size) {
		if (sd_progress_cancelled(prog))
			break;
		if (sdin_read_exact(sf->in, b, TAR_BLOCK, pos, NULL) != SD_OK)
			break;
		tar_header h;
		bool ok = tar_header_parse(b, &h);
		if (h.zero) {
			pos += TAR_BLOCK;
			if (++zeros == 2) {
				*complete = true;
				return pos;
			}
			continue;
		}
		zeros = 0;
		if (!ok || !h.size_ok || !h.checksum_ok)
			break; /* damaged: the reader of the inner tar says where */
		uint64_t next = pos + TAR_BLOCK + tar_padded(h.size);
		if (next > sf->size || next < pos)
			break;
		pos = next;
	}
	return sf->size;
}

/* A header that is not one, or whose size leads nowhere: what to say of
 * the bytes from pos to next, where the walk resumes. */
static void bad_header_finding(findings *fl, const uint8_t *b, const tar_header *hp, bool ok,
                               uint64_t pos, uint64_t next)
{
	finding *f;
	if (ok && hp->checksum_ok && !hp->size_ok) {
		/* The checksum is right: the size field itself is
		 * not a number, and that is the fault to name. */
		char field[13], *en = escape_name(hp->name);
		memcpy(field, b + 124, 12);
		field[12] = '\0';
		char *ef = escape_name(field);
		f = fnd_add(fl, FND_BAD_HEADER_CHECKSUM,
		            _("the tar header of '%s' at byte %llu has a size field "
		              "that is not a number ('%s'); %llu bytes after it could "
		              "not be read"),
		            en, (unsigned long long)pos, ef, (unsigned long long)(next - pos));
		fnd_set_member(f, en);
		free(en), free(ef);
	} else if (hp->magic_ustar || hp->magic_gnu) {
		char *en = escape_name(hp->name);
		f = fnd_add(fl, FND_BAD_HEADER_CHECKSUM,
		            _("the tar header of '%s' at byte %llu is damaged (checksum "
		              "%o, "
		              "expected %o); %llu bytes after it could not be read"),
		            en, (unsigned long long)pos, hp->checksum_stored, hp->checksum_computed,
		            (unsigned long long)(next - pos));
		fnd_set_member(f, en);
		free(en);
	} else {
		f = fnd_add(fl, FND_BAD_HEADER_CHECKSUM,
		            _("bytes %llu to %llu are not a tar header or the data "
		              "of one: the "
		              "file is damaged there"),
		            (unsigned long long)pos, (unsigned long long)next);
	}
	f->offset = (int64_t)pos;
}

/* Where the data from data to next ends: after its last non-zero byte in
 * the last four blocks (a photo ends in its format's end marker or CRC, an
 * index in '}'; padding and a trailer are zeros), else at next. */
static uint64_t data_end(syncfile *sf, uint64_t data, uint64_t next)
{
	uint8_t b[4 * TAR_BLOCK];
	uint64_t from = next - data > sizeof b ? next - sizeof b : data;
	size_t n = (size_t)(next - from);
	if (!n || sdin_read_exact(sf->in, b, n, from, NULL) != SD_OK)
		return next;
	while (n && !b[n - 1])
		n--;
	return n ? from + n : next;
}

/* Where member m (header at pos) really ends: a header still saying size 0
 * over data (an append that died), or one past the end of the file. */
static uint64_t member_extent(syncfile *sf, findings *fl, sf_member *m, uint64_t pos,
                              const sd_progress *prog)
{
	uint64_t end = m->data_off + tar_padded(m->size);
	bool inner_complete = false;
	if (m->size == 0 && m->kind == SF_KIND_DB && m->data_off < sf->size &&
	    !index_header_at(sf, m->data_off) &&
	    (end = inner_tar_end(sf, m->data_off, &inner_complete, prog)) > m->data_off) {
		/* tar-stream's first-pass header (size 0) of the database,
		 * never patched: Mapeo died while it put the database back.
		 * The inner tar's own headers would otherwise pass for outer
		 * members. */
		m->unpatched = true;
		m->truncated = !inner_complete;
		m->size = end - m->data_off;
		finding *f = fnd_add(
		    fl, FND_UNPATCHED_HEADER,
		    inner_complete
		        ? _("the header of the database (osm-p2p-db.tar) at byte %llu "
		            "still says size 0, the size Mapeo writes first and fills in "
		            "last: Mapeo stopped while it put the database back into the "
		            "file; the whole database (%llu bytes) follows it")
		        : P_("the header of the database (osm-p2p-db.tar) at byte %llu "
		             "still says size 0, the size Mapeo writes first and fills in "
		             "last: Mapeo stopped while it put the database back into the "
		             "file; only %llu byte of the database follows it, and the file "
		             "ends there",
		             "the header of the database (osm-p2p-db.tar) at byte %llu "
		             "still says size 0, the size Mapeo writes first and fills in "
		             "last: Mapeo stopped while it put the database back into the "
		             "file; only %llu bytes of the database follow it, and the file "
		             "ends there",
		             m->size),
		    (unsigned long long)pos, (unsigned long long)m->size);
		f->offset = (int64_t)pos;
		fnd_set_member(f, DB_NAME);
	} else if (m->size == 0 && m->data_off < sf->size && !header_or_end_at(sf, m->data_off)) {
		/* The append died before the size was patched: data follows. */
		uint64_t next = resync(sf, m->data_off, prog);
		m->unpatched = true;
		m->size = (m->kind == SF_KIND_OTHER ? next : data_end(sf, m->data_off, next)) -
		          m->data_off;
		finding *f = fnd_add(
		    fl, FND_UNPATCHED_HEADER,
		    m->kind == SF_KIND_INDEX
		        ? P_("the header of '%s' at byte %llu says size 0, but %llu byte of the "
		             "index follows it: Mapeo takes the index's size from this header, "
		             "reads nothing and cannot open the file; a rebuild writes the header "
		             "again",
		             "the header of '%s' at byte %llu says size 0, but %llu bytes of the "
		             "index follow it: Mapeo takes the index's size from this header, "
		             "reads nothing and cannot open the file; a rebuild writes the header "
		             "again",
		             m->size)
		        : P_("the header of '%s' at byte %llu still says size 0, but %llu byte "
		             "of data follows it: a write died before it finished",
		             "the header of '%s' at byte %llu still says size 0, but %llu bytes "
		             "of data follow it: a write died before it finished",
		             m->size),
		    m->name, (unsigned long long)pos, (unsigned long long)m->size);
		f->offset = (int64_t)pos;
		fnd_set_member(f, m->name);
		end = next;
	} else if (m->data_off + m->size > sf->size) {
		m->truncated = true;
		finding *f =
		    fnd_add(fl, FND_TRUNCATED_FILE,
		            P_("'%s' (header at byte %llu) should hold %llu byte, but the "
		               "file ends before it (after %llu)",
		               "'%s' (header at byte %llu) should hold %llu bytes, but the "
		               "file ends after %llu of them",
		               m->size),
		            m->name, (unsigned long long)pos, (unsigned long long)m->size,
		            (unsigned long long)(sf->size - m->data_off));
		f->offset = (int64_t)pos;
		fnd_set_member(f, m->name);
		end = sf->size;
	}
	return end;
}

/* The two ways a writer puts size in a header's 12-byte size field
 * (doc/formats.md §1): indexed-tarball's patch and tar-stream's. False
 * when size needs more digits. */
static bool size_fields(uint64_t size, char f[2][32])
{
	return snprintf(f[0], 32, "%012llo", (unsigned long long)size) == 12 &&
	       snprintf(f[1], 32, "%011llo ", (unsigned long long)size) == 12;
}

/* Does header b pass its checksum with field as its size field (and then
 * read as size)? */
static bool field_restores_checksum(const uint8_t b[TAR_BLOCK], const char *field, uint64_t size)
{
	uint8_t c[TAR_BLOCK];
	tar_header ch;
	memcpy(c, b, TAR_BLOCK);
	memcpy(c + 124, field, 12);
	(void)tar_header_parse(c, &ch);
	return ch.checksum_ok && ch.size_ok && ch.size == size;
}

/* Does header b pass its checksum with its size field written as size, in
 * either writer's encoding? Then a flipped byte of the size was the damage,
 * and size is the one the header was written with. */
static bool size_restores_checksum(const uint8_t b[TAR_BLOCK], uint64_t size)
{
	char f[2][32];
	return size_fields(size, f) &&
	       (field_restores_checksum(b, f[0], size) || field_restores_checksum(b, f[1], size));
}

/* A header whose only fault tar_header_parse cannot see past is its magic:
 * a bit flipped there (as likely as anywhere) also fails the checksum, so
 * neither says "tar". Without an index to vouch for it the member would be
 * left out although its name and size are intact, while the same flip in
 * any other byte keeps it. It is taken as a header with a wrong checksum
 * when its name is a sync file's member and its size leads to the next
 * header or the end, the rule for every other damaged header. */
static bool only_magic_damaged(syncfile *sf, const tar_header *h, uint64_t pos)
{
	return h->size_ok && kind_of(h->name) != SF_KIND_OTHER &&
	       header_or_end_at(sf, pos + TAR_BLOCK + tar_padded(h->size));
}

/* KIND/ID.EXT with ID 32 lowercase hex characters: a photo's member name
 * as Mapeo writes it (doc/formats.md §5). */
static bool photo_name_ok(const char *name)
{
	const char *id = strchr(name, '/');
	if (!id || kind_of(name) != SF_KIND_MEDIA)
		return false;
	id++;
	for (int i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)id[i]) || isupper((unsigned char)id[i]))
			return false;
	size_t ext = strlen(id + 32);
	if (id[32] != '.' || ext < 2 || ext > 6)
		return false;
	for (size_t i = 33; id[i]; i++)
		if (!isalnum((unsigned char)id[i]))
			return false;
	return true;
}

/* A header whose checksum fails and whose name is not a photo's, when no
 * index may vouch for it (a torn append): one flipped byte of the name or
 * of ustar's prefix. The stored checksum is the sum the header had when
 * written, so the byte was off by exactly the difference; the name is given
 * back (into h->name) only when one single byte so changed makes a photo's
 * name. Without it the photo was kept under the damaged name, and its
 * observation lost it while the rebuild said nothing was left out. Each
 * try parses up to 255 headers: a hostile file of damaged headers gets a
 * bounded number of tries. */
static bool name_from_checksum(syncfile *sf, tar_header *h, const uint8_t b[TAR_BLOCK])
{
	if (h->checksum_ok || photo_name_ok(h->name) || kind_of(h->name) == SF_KIND_DB ||
	    kind_of(h->name) == SF_KIND_INDEX || sf->name_fixes >= 4096)
		return false;
	sf->name_fixes++;
	long d = (long)h->checksum_stored - (long)h->checksum_computed;
	uint8_t c[TAR_BLOCK];
	tar_header ch;
	char found[sizeof h->name];
	int n = 0;
	for (size_t i = 0; i < 500 && n < 2; i = i == 99 ? 345 : i + 1) {
		long v = (long)b[i] + d;
		if (v < 0 || v > 255)
			continue;
		memcpy(c, b, TAR_BLOCK);
		c[i] = (uint8_t)v;
		(void)tar_header_parse(c, &ch);
		/* (the database's name too: with no index, the name is all
		 * that tells the database from a photo) */
		if (ch.checksum_ok && ch.size == h->size &&
		    (photo_name_ok(ch.name) || kind_of(ch.name) == SF_KIND_DB) && n++ == 0)
			memcpy(found, ch.name, sizeof found);
	}
	if (n != 1)
		return false;
	memcpy(h->name, found, sizeof found);
	return true;
}

/* A header whose checksum fails and whose size leads nowhere, when no
 * index may vouch for it: one flipped byte of the size field over intact
 * data. The data ends where its last non-zero byte is (a photo ends in its
 * format's end marker, and padding is zeros), at most 511 bytes before the
 * next header (next): the size is given back (into h->size) only when one
 * size from there on (exact: that size itself) differs from the field in
 * one byte and gives the header its checksum back. Bounded as
 * name_from_checksum(). */
static bool size_from_checksum(syncfile *sf, tar_header *h, const uint8_t b[TAR_BLOCK],
                               uint64_t pos, uint64_t next, bool exact, const sd_progress *prog)
{
	uint64_t data = pos + TAR_BLOCK, from;
	uint8_t last[TAR_BLOCK];
	if (h->checksum_ok || sf->name_fixes >= 4096)
		return false;
	if (kind_of(h->name) == SF_KIND_DB) {
		/* its data is a tar, in whole blocks: it ends after its end
		 * marker, where the next member's header is (the first header
		 * after this one is its own first entry's) */
		bool complete;
		uint64_t end = inner_tar_end(sf, data, &complete, prog);
		if (!complete || !header_or_end_at(sf, end))
			return false;
		sf->name_fixes++;
		from = end - data;
		exact = true;
	} else {
		if (next < data + TAR_BLOCK || kind_of(h->name) != SF_KIND_MEDIA ||
		    sdin_read_exact(sf->in, last, TAR_BLOCK, next - TAR_BLOCK, NULL) != SD_OK)
			return false;
		sf->name_fixes++;
		size_t nz = TAR_BLOCK;
		while (nz && !last[nz - 1])
			nz--;
		if (!nz)
			return false;
		from = next - TAR_BLOCK + nz - data;
	}
	uint64_t found = 0;
	int n = 0;
	for (uint64_t s = from; s <= (exact ? from : next - data) && n < 2; s++) {
		/* one encoding, one byte off, and that byte gives the checksum */
		char f[2][32];
		bool fits = false;
		for (size_t k = 0; k < 2 && size_fields(s, f); k++) {
			int diff = 0;
			for (size_t i = 0; i < 12; i++)
				diff += f[k][i] != (char)b[124 + i];
			fits = fits || (diff == 1 && field_restores_checksum(b, f[k], s));
		}
		if (fits && n++ == 0)
			found = s;
	}
	if (n != 1)
		return false;
	h->size = found;
	return true;
}

/* The size of the header h at pos (block b, ok as tar_header_parse said):
 * pos when the walk takes it as a member (h->size given back by its
 * checksum when it was the damaged field: *resized), else where the walk
 * resumes after saying why it could not. */
static uint64_t header_size(syncfile *sf, findings *fl, tar_header *h, const uint8_t *b, bool ok,
                            uint64_t pos, bool *resized, const sd_progress *prog)
{
	if ((!ok && !only_magic_damaged(sf, h, pos)) ||
	    (!h->checksum_ok &&
	     (!h->size_ok || !header_or_end_at(sf, pos + TAR_BLOCK + tar_padded(h->size))))) {
		uint64_t next = resync(sf, pos + TAR_BLOCK, prog);
		if (!ok || !size_from_checksum(sf, h, b, pos, next, false, prog)) {
			bad_header_finding(fl, b, h, ok, pos, next);
			return next;
		}
		h->size_ok = *resized = true;
	} else if (!h->size_ok) {
		uint64_t next = resync(sf, pos + TAR_BLOCK, prog);
		bad_header_finding(fl, b, h, ok, pos, next);
		return next;
	} else if (!h->checksum_ok && kind_of(h->name) == SF_KIND_MEDIA) {
		/* Its size leads to a header, but perhaps past others (a
		 * flipped size byte landing on a later member's header
		 * swallowed the photos between), or a few bytes off inside
		 * the padding (the photo was cut, or took zeros): there only
		 * the size that ends at its last non-zero byte, as a photo
		 * does, since the flipped byte may be anywhere else. */
		uint64_t end = pos + TAR_BLOCK + tar_padded(h->size);
		/* only inside its extent: a file of damaged headers stays
		 * linear */
		uint64_t next = resync_before(sf, pos + TAR_BLOCK, end, prog);
		*resized = size_from_checksum(sf, h, b, pos, next, next == end, prog);
	} else if (!h->checksum_ok && kind_of(h->name) == SF_KIND_DB) {
		/* its size may lead into its own end marker's zeros: the size
		 * its tar ends at, when one byte off and the checksum agrees */
		*resized = size_from_checksum(sf, h, b, pos, 0, true, prog);
	}
	return pos;
}

/* What to say of member m whose header h fails its checksum: its name
 * given back (damaged: the name as it was read), its size given back, or
 * neither. */
static void checksum_finding(findings *fl, const tar_header *h, const sf_member *m,
                             const char *damaged, bool resized)
{
	if (h->checksum_ok)
		return;
	char *en = escape_name(m->name);
	uint64_t pos = m->header_off;
	finding *f;
	if (damaged) {
		char *ed = escape_name(damaged);
		f = fnd_add(fl, FND_BAD_HEADER_CHECKSUM,
		            _("the tar header at byte %llu has a wrong checksum: one byte of its "
		              "name was damaged ('%s'), and the checksum gives it back: it is read "
		              "as '%s', and a rebuild writes the header again"),
		            (unsigned long long)pos, ed, en);
		free(ed);
	} else if (resized) {
		f = fnd_add(fl, FND_BAD_HEADER_CHECKSUM,
		            P_("the tar header of '%s' at byte %llu has a wrong checksum: one byte "
		               "of its size was damaged, and the checksum gives it back (%llu "
		               "byte, up to the next header): a rebuild writes the header again",
		               "the tar header of '%s' at byte %llu has a wrong checksum: one byte "
		               "of its size was damaged, and the checksum gives it back (%llu "
		               "bytes, up to the next header): a rebuild writes the header again",
		               m->size),
		            en, (unsigned long long)pos, (unsigned long long)m->size);
	} else {
		f = fnd_add(fl, FND_BAD_HEADER_CHECKSUM,
		            _("the tar header of '%s' at byte %llu has a wrong checksum "
		              "(%o, expected %o); its size still leads to the next header"),
		            en, (unsigned long long)pos, h->checksum_stored, h->checksum_computed);
	}
	f->offset = (int64_t)pos;
	fnd_set_member(f, en);
	free(en);
}

/* How much of the last member zeros_begin() reads looking for where the
 * zeros begin (holes are skipped unread). */
#define ZEROS_READ_MAX ((uint64_t)64 << 20)

/* The file ends in zero blocks from zstart on: where does that run of
 * zeros begin? It may reach back into the last member's own data: a copy
 * whose end was never written (a USB stick taken out too soon, a computer
 * that lost power) is zeros where a photo's last bytes should be. */
static uint64_t zeros_begin(syncfile *sf, const sf_member *last, uint64_t zstart,
                            const sd_progress *prog)
{
	static uint8_t buf[1 << 16];
	uint64_t lo = last && last->data_off < zstart ? last->data_off : zstart;
	uint64_t pos = zstart, step = sizeof buf, budget = ZEROS_READ_MAX;
	while (pos > lo && !sd_progress_cancelled(prog)) {
		/* A hole is zeros: skipped unread, in steps that grow (a member
		 * may claim a terabyte over a sparse file), narrowed down again
		 * where data begins. */
		uint64_t span = pos - lo < step ? pos - lo : step;
		if (sdin_next_data(sf->in, pos - span) >= pos) {
			pos -= span;
			step = step < ((uint64_t)1 << 50) ? step * 2 : step;
			continue;
		}
		if (step > sizeof buf) {
			step /= 2;
			continue;
		}
		/* written zeros are read; past the budget, "from here at least" */
		if (budget < sizeof buf)
			break;
		budget -= sizeof buf;
		size_t n = pos - lo < sizeof buf ? (size_t)(pos - lo) : sizeof buf;
		if (sdin_read_exact(sf->in, buf, n, pos - n, NULL) != SD_OK)
			break;
		size_t z = n;
		while (z > 0 && buf[z - 1] == 0)
			z--;
		pos -= n - z;
		if (z)
			break;
	}
	return pos;
}

/* Does a block from pos on carry tar's "ustar" where Mapeo looks for a
 * header? Mapeo finds the index from the end, 512 bytes at a time from
 * 1536 bytes before it, and takes the first such block for the index's
 * header. */
static bool ustar_after(syncfile *sf, uint64_t pos, const sd_progress *prog)
{
	uint8_t b[TAR_BLOCK];
	for (uint64_t off = pos; off + 1536 <= sf->size; off += TAR_BLOCK) {
		if (sd_progress_cancelled(prog) ||
		    sdin_read_exact(sf->in, b, TAR_BLOCK, off, NULL) != SD_OK)
			return false;
		if (!memcmp(b + 257, "ustar", 5))
			return true;
		/* holes hold no header */
		uint64_t data = sdin_next_data(sf->in, off + TAR_BLOCK) / TAR_BLOCK * TAR_BLOCK;
		if (data > off + TAR_BLOCK)
			off = data - TAR_BLOCK;
	}
	return false;
}

/* Bytes after a whole end (the index, then the 1024 zero bytes that close
 * a sync file) that are no tar member: something added to the file after
 * Mapeo wrote it. Mapeo skips them on its way to the index, unless the
 * length is no longer a multiple of 512 or one looks like a header. */
static void bytes_after_end(syncfile *sf, findings *fl, uint64_t pos, const sd_progress *prog)
{
	uint64_t n = sf->size - pos;
	finding *f;
	sf->after_end = n;
	if (sf->size % TAR_BLOCK || ustar_after(sf, pos, prog))
		f = fnd_add(fl, FND_TRUNCATED_FILE,
		            P_("the file goes on for %llu byte after its end (its index and "
		               "the 1024 zero bytes that close it), from byte %llu: something "
		               "was added to it after Mapeo wrote it, and Mapeo, which looks "
		               "for the index from the end, will not find it ('No files found' "
		               "or 'not valid JSON'). A rebuild leaves it out",
		               "the file goes on for %llu bytes after its end (its index and "
		               "the 1024 zero bytes that close it), from byte %llu: something "
		               "was added to it after Mapeo wrote it, and Mapeo, which looks "
		               "for the index from the end, will not find it ('No files found' "
		               "or 'not valid JSON'). A rebuild leaves those bytes out",
		               n),
		            (unsigned long long)n, (unsigned long long)pos);
	else
		f = fnd_add(fl, FND_DEAD_SPACE,
		            P_("the file goes on for %llu byte after its end (its index and "
		               "the 1024 zero bytes that close it), from byte %llu: something "
		               "was added to it after Mapeo wrote it; Mapeo does not read it",
		               "the file goes on for %llu bytes after its end (its index and "
		               "the 1024 zero bytes that close it), from byte %llu: something "
		               "was added to it after Mapeo wrote it; Mapeo does not read them",
		               n),
		            (unsigned long long)n, (unsigned long long)pos);
	f->offset = (int64_t)pos;
}

static void outer_scan(syncfile *sf, findings *fl, const sd_progress *prog)
{
	uint64_t pos = 0;
	uint8_t b[TAR_BLOCK];
	sf_member cur, *prev = NULL, last;
	unsigned zero_run = 0;
	const char *phase = _("structure"); /* once: a lookup per member showed */
	while (pos < sf->size) {
		if (sd_progress_cancelled(prog))
			return;
		sd_progress_report(prog, phase, pos, sf->size, sf->n_members, 0);
		bool ended = prev && prev->kind == SF_KIND_INDEX && zero_run &&
		             pos >= prev->data_off + tar_padded(prev->size) + 1024;
		if (ended && pos + TAR_BLOCK > sf->size) {
			bytes_after_end(sf, fl, pos, prog);
			return;
		}
		if (pos + TAR_BLOCK > sf->size) {
			finding *f = fnd_add(
			    fl, FND_TRUNCATED_FILE,
			    P_("the file ends %llu byte into a 512-byte block at byte %llu: "
			       "its length (%llu) is not a multiple of 512",
			       "the file ends %llu bytes into a 512-byte block at byte %llu: "
			       "its length (%llu) is not a multiple of 512",
			       sf->size - pos),
			    (unsigned long long)(sf->size - pos), (unsigned long long)pos,
			    (unsigned long long)sf->size);
			f->offset = (int64_t)pos;
			return;
		}
		if (sdin_read_exact(sf->in, b, TAR_BLOCK, pos, NULL) != SD_OK)
			return;
		tar_header h;
		bool ok = tar_header_parse(b, &h);
		if (ended && !h.zero && !h.checksum_ok) {
			bytes_after_end(sf, fl, pos, prog);
			return;
		}
		if (h.zero) {
			/* A single zero block right after a member whose size is a
			 * multiple of 512 is indexed-tarball < 3.1.1 padding. */
			bool padding =
			    zero_run == 0 && prev && prev->size % TAR_BLOCK == 0 && prev->size &&
			    pos == prev->data_off + prev->size && pos + TAR_BLOCK < sf->size &&
			    header_or_end_at(sf, pos + TAR_BLOCK) && prev->kind != SF_KIND_INDEX;
			zero_run++;
			uint64_t zstart = pos;
			pos = skip_zeros(sf, pos + TAR_BLOCK, prog);
			if (pos == sf->size) {
				/* zeros to the end: a file's end, not that padding */
				sf->zeros_from = zeros_begin(sf, prev, zstart, prog);
				sf->zeros_past = sf->size - zstart;
			} else if (padding)
				sf->hints.extra_zero_block = true;
			continue;
		}
		zero_run = 0;
		bool resized = false;
		uint64_t next = header_size(sf, fl, &h, b, ok, pos, &resized, prog);
		if (next != pos) {
			pos = next;
			continue;
		}
		if (sf->n_members >= sd_limit(SD_LIMIT_MEMBERS)) {
			finding *f = fnd_add(
			    fl, FND_LIMIT_EXCEEDED,
			    _("%s has more than %llu members, more than Mapeo ever writes: "
			      "reading stopped at byte %llu, and the %llu bytes after it were "
			      "not checked"),
			    sf->path, (unsigned long long)sd_limit(SD_LIMIT_MEMBERS),
			    (unsigned long long)pos, (unsigned long long)(sf->size - pos));
			f->offset = (int64_t)pos;
			return;
		}
		sf_member *m = &cur;
		char damaged[257];
		memcpy(damaged, h.name, sizeof damaged);
		bool renamed = name_from_checksum(sf, &h, b);
		header_member(&h, pos, m);
		if (h.mtime_negative)
			sf->hints.negative_mtime = true;
		if (h.mtime > sf->write_time)
			sf->write_time = h.mtime;
		checksum_finding(fl, &h, m, renamed ? damaged : NULL, resized);
		if (dangerous_name(m->name)) {
			char *en = escape_name(m->name);
			finding *f =
			    fnd_add(fl, FND_DANGEROUS_NAME,
			            _("the member name '%s' at byte %llu is absolute, climbs with "
			              "'..' or holds control characters"),
			            en, (unsigned long long)pos);
			f->offset = (int64_t)pos;
			fnd_set_member(f, en);
			free(en);
		}
		if (m->kind == SF_KIND_MEDIA && strchr(m->name, '\\')) {
			char *en = escape_name(m->name);
			finding *f = fnd_add(
			    fl, FND_MEDIA_WINDOWS_NAME,
			    _("the photo '%s' at byte %llu is named with '\\' as on Windows: Mapeo "
			      "on Linux or macOS does not find it under that name; it is read here "
			      "with '/', and a rebuild writes it so"),
			    en, (unsigned long long)pos);
			f->offset = (int64_t)pos;
			fnd_set_member(f, en);
			free(en);
		}
		uint64_t end = member_extent(sf, fl, m, pos, prog);
		/* a name given back is kept whatever the names budget: read
		 * again from its header, it would be the damaged one */
		mrec_append(sf, encode(sf, m, renamed ? xstrdup(m->name) : NULL));
		last = *m;
		prev = &last;
		pos = end;
	}
}

/* Look up the header an index entry points at. The walk is forward, so
 * members are in header order: a binary search, as an index may name
 * 100,000 of them. */
static size_t member_at(const syncfile *sf, uint64_t off)
{
	size_t lo = member_from(sf, off + TAR_BLOCK);
	return lo < sf->n_members && crec(sf, lo)->data_off == off + TAR_BLOCK ? lo : NO_MEMBER;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The photos an earlier syncdoctor rebuild left out (sfwrite.h), sorted for
 * sf_left_out(); at most as many as the file can hold members. */
static void read_left_out(syncfile *sf, json_t *a)
{
	size_t n = json_is_array(a) ? json_array_size(a) : 0;
	if (n > sd_limit(SD_LIMIT_MEMBERS))
		n = (size_t)sd_limit(SD_LIMIT_MEMBERS);
	sf->left_out = xcalloc(n + 1, sizeof *sf->left_out);
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);
		if (json_is_string(v))
			sf->left_out[sf->n_left_out++] = xstrdup(json_string_value(v));
	}
	qsort(sf->left_out, sf->n_left_out, sizeof *sf->left_out, cmp_name);
}

uint8_t *sf_load(syncfile *sf, const sf_range *r, uint64_t limit, size_t *len)
{
	*len = 0;
	if (!r->present || r->size > limit)
		return NULL;
	uint8_t *b = xmalloc((size_t)r->size + 1);
	if (sf_read(sf, r->off, b, (size_t)r->size, NULL) != SD_OK) {
		free(b);
		return NULL;
	}
	*len = (size_t)r->size;
	return b;
}

bool sf_left_out(const syncfile *sf, const char *name)
{
	return sf->n_left_out &&
	       bsearch(&name, sf->left_out, sf->n_left_out, sizeof *sf->left_out, cmp_name);
}

static void read_userdata(syncfile *sf, json_t *ud, findings *fl)
{
	if (!json_is_object(ud)) {
		fnd_add(fl, FND_USERDATA_MISSING,
		        _("the index has no userdata: Mapeo will treat the file as the default "
		          "project (the file never finished a sync, or a repair tool dropped it)"));
		return;
	}
	sf->has_userdata = true;
	json_t *v = json_object_get(ud, "version");
	if (json_is_string(v))
		sf->userdata_version = xstrdup(json_string_value(v));
	read_left_out(sf, json_object_get(json_object_get(ud, "syncdoctor"), "left_out"));
	json_t *s = json_object_get(ud, "syncfile");
	if (!json_is_object(s)) {
		fnd_add(fl, FND_USERDATA_MISSING, _("the index userdata has no 'syncfile' part"));
		return;
	}
	json_t *db = json_object_get(s, "p2p-db");
	if (json_is_string(db))
		sf->p2p_db = xstrdup(json_string_value(db));
	json_t *dk = json_object_get(s, "discoveryKey");
	if (json_is_string(dk) && keys_is_hex64(json_string_value(dk))) {
		/* Mapeo compares it as a string with its own lower-case hex. */
		sf->has_discovery_key = true;
		memcpy(sf->discovery_key, json_string_value(dk), KEYS_HEX_SIZE);
		sf->hints.discovery_key = true;
	} else if (dk) {
		fnd_add(fl, FND_DAMAGED_INDEX,
		        _("the userdata's discoveryKey is not 64 lowercase hexadecimal characters: "
		          "Mapeo will refuse the file"));
	}
	if (json_object_get(s, "projectId") || json_object_get(s, "projectKey"))
		sf->hints.legacy_project_id = true;
	/* Legacy userdata carries the key itself: mask it wherever it is shown. */
	if (json_is_string(json_object_get(s, "projectKey")))
		keys_note_secret(json_string_value(json_object_get(s, "projectKey")));
	if (json_is_string(json_object_get(s, "projectId")))
		keys_note_secret(json_string_value(json_object_get(s, "projectId")));
	if (!sf->p2p_db)
		fnd_add(fl, FND_USERDATA_MISSING,
		        _("the index userdata does not say which database the file holds (no "
		          "p2p-db): the file never finished a sync"));
}

/* The member whose data the file's closing run of zeros begins in, into
 * *m; false when it begins after every member's data. */
static bool zeros_member(syncfile *sf, sf_member *m)
{
	for (size_t i = sf->n_members; i-- > 0;) {
		sf_member_get(sf, i, m);
		if (m->data_off <= sf->zeros_from && sf->zeros_from < m->data_off + m->size)
			return true;
		if (m->data_off + m->size <= sf->zeros_from)
			break;
	}
	return false;
}

/* Do the zeros a tar writer ends a file with explain the n zero bytes after
 * every member's data and padding? Its two zero blocks, padded by GNU tar
 * and bsdtar to a 10,240-byte record; after a member whose size is a
 * multiple of 512, older indexed-tarball's extra block before them, or
 * alone where an append ended (doc/formats.md §1). Mapeo's own end, its
 * index and then 1024 zeros, is at least 2048 bytes: past a whole member,
 * more zeros than these were never written. */
static bool tar_end_zeros(const syncfile *sf, uint64_t n)
{
	sf_member last;
	if (n == 0 || n == 2 * TAR_BLOCK)
		return true;
	if (n > 2 * TAR_BLOCK && n < 2 * TAR_BLOCK + 10240 && sf->size % 10240 == 0)
		return true;
	if (!sf->n_members || n < TAR_BLOCK)
		return false;
	sf_member_peek(sf, sf->n_members - 1, &last);
	bool pad = last.size && last.size % TAR_BLOCK == 0 &&
	           last.data_off + last.size == sf->size - sf->zeros_past;
	return pad && (n == TAR_BLOCK || n == 3 * TAR_BLOCK ||
	               (n > 3 * TAR_BLOCK && n < 3 * TAR_BLOCK + 10240 && sf->size % 10240 == 0));
}

/* Do the closing zeros cover bytes member m really ends with? 1 when they
 * do, 0 when m may end in zeros of its own (a JPEG some cameras pad, a
 * database's inner tar end or bitfield), -1 when that waits for the
 * database's inner tar to be read (inner_read). An index never does: its
 * JSON ends with '}'. */
static int zeros_hurt(syncfile *sf, const sf_member *m, bool inner_read)
{
	if (m->kind == SF_KIND_INDEX)
		return 1;
	if (m->data_off + m->size - sf->zeros_from < TAR_BLOCK)
		return 0;
	if (m->kind == SF_KIND_MEDIA)
		return 1;
	if (m->kind != SF_KIND_DB)
		return 0;
	if (!inner_read)
		return -1;
	if (!sf->db || sf->db->header_off != m->header_off)
		return 0;
	bool whole = sf->inner_ok;
	for (size_t i = 0; whole && i < sf->n_feeds; i++) {
		const sf_feed *fd = &sf->feeds[i];
		whole = fd->key.present && fd->tree.present && fd->signatures.present &&
		        fd->data.present;
	}
	/* zeros in the place of entries read as the inner tar's end: more of
	 * them after its last entry than a tar writer ends with */
	uint64_t end = m->data_off;
	for (size_t i = 0; i < sf->n_inner; i++)
		if (sf->inner[i].off + tar_padded(sf->inner[i].size) > end)
			end = sf->inner[i].off + tar_padded(sf->inner[i].size);
	uint64_t tail = m->data_off + m->size - end;
	bool tar_end =
	    tail <= 2 * TAR_BLOCK || (m->size % 10240 == 0 && tail < 2 * TAR_BLOCK + 10240);
	return !whole || !tar_end;
}

/* Does a file with no index end in zeros where something was never
 * written? Zeros after every member that no tar writer ends with, more
 * zeros than any tar ends with (12 KiB), or zeros over bytes a member
 * really ends with (zeros_hurt()). */
static bool end_unwritten(syncfile *sf, bool inner_read)
{
	uint64_t n = sf->size - sf->zeros_from;
	sf_member m;
	if (sf->has_index || n < TAR_BLOCK)
		return false;
	int hurt = zeros_member(sf, &m) ? zeros_hurt(sf, &m, inner_read) : 0;
	if (hurt < 0)
		return false;
	return hurt || n > SF_ZERO_TAIL || !tar_end_zeros(sf, sf->zeros_past);
}

/* A file with no index that ends in zeros: nothing was written there. When
 * the zeros begin in bytes a member may end with (zeros_hurt()) or in its
 * padding, they are told from where its padding ends: the member is whole. */
static void zero_tail(syncfile *sf, findings *fl, bool inner_read)
{
	sf_member m;
	const sf_member *in = zeros_member(sf, &m) ? &m : NULL;
	if (in && zeros_hurt(sf, in, inner_read) <= 0)
		in = NULL;
	/* from where every member's data and padding end */
	if (!in && sf->zeros_past && sf->size - sf->zeros_past > sf->zeros_from)
		sf->zeros_from = sf->size - sf->zeros_past;
	uint64_t from = sf->zeros_from, n = sf->size - from;
	sf->end_unwritten = true;
	finding *f;
	if (in) {
		char *en = escape_name(in->name);
		f = fnd_add(fl, FND_TRUNCATED_FILE,
		            P_("the file is only zeros from byte %llu to its end (%llu bytes), "
		               "over the last %llu byte of '%s' too: nothing was written "
		               "there. A copy that stopped before it finished (a USB stick taken "
		               "out too soon) or a computer that lost power leaves a file like "
		               "this, and what belonged there is not in this copy",
		               "the file is only zeros from byte %llu to its end (%llu bytes), "
		               "over the last %llu bytes of '%s' too: nothing was written "
		               "there. A copy that stopped before it finished (a USB stick taken "
		               "out too soon) or a computer that lost power leaves a file like "
		               "this, and what belonged there is not in this copy",
		               in->data_off + in->size - from),
		            (unsigned long long)from, (unsigned long long)n,
		            (unsigned long long)(in->data_off + in->size - from), en);
		fnd_set_member(f, en);
		free(en);
	} else {
		f = fnd_add(fl, FND_TRUNCATED_FILE,
		            P_("the file is only zeros from byte %llu to its end (%llu byte): "
		               "nothing was written there. A copy that stopped before it "
		               "finished (a USB stick taken out too soon) or a computer that "
		               "lost power leaves a file like this, and what belonged there is "
		               "not in this copy",
		               "the file is only zeros from byte %llu to its end (%llu bytes): "
		               "nothing was written there. A copy that stopped before it "
		               "finished (a USB stick taken out too soon) or a computer that "
		               "lost power leaves a file like this, and what belonged there is "
		               "not in this copy",
		               n),
		            (unsigned long long)from, (unsigned long long)n);
	}
	f->offset = (int64_t)from;
}

/* A file cut while Mapeo wrote it has no index and does not end with the
 * 1024 zero bytes that close a sync file. */
static void trailer_without_index(syncfile *sf, findings *fl)
{
	if (end_unwritten(sf, false)) {
		zero_tail(sf, fl, false);
		return;
	}
	uint8_t b[1024];
	if (sf->size < sizeof b ||
	    sdin_read_exact(sf->in, b, sizeof b, sf->size - sizeof b, NULL) != SD_OK)
		return;
	size_t zeros = 0;
	while (zeros < sizeof b && b[sizeof b - 1 - zeros] == 0)
		zeros++;
	if (zeros == sizeof b)
		return;
	finding *f = fnd_add(fl, FND_MISSING_TRAILER,
	                     _("the file does not end with the 1024 zero bytes that close a sync "
	                       "file (only %zu): it was cut while it was being written"),
	                     zeros);
	f->offset = (int64_t)(sf->size - zeros);
}

/* How far into a member's data zeros may reach over a lost header (a few
 * lost pages) before the member is taken for lost too. */
#define ZEROED_REACH ((uint64_t)64 << 10)
#define ZEROED_LOOKS 1024

/* A header block that reads all zeros where the index puts a member: a
 * sector of storage zeroed (an SD card's failure), the data after it
 * intact, or a page of zeros over the header and the data's first bytes.
 * The index vouches for it when the walk found no member there, a header
 * or the file's end follows it, and its data is not zeros from its start
 * to as far as a lost page reaches (what is left of a photo is then told
 * as a damaged photo, of a database as a damaged database, by name). */
static bool zeroed_header_vouched(syncfile *sf, const sf_mrec *m, uint64_t off, uint64_t size)
{
	/* at most ZEROED_LOOKS looks (64 KiB of zeros each, at worst): a
	 * hostile index can point every entry at zeros */
	if (m || size == 0 || sf->zeroed_looks >= ZEROED_LOOKS)
		return false;
	sf->zeroed_looks++;
	if (!header_or_end_at(sf, off + TAR_BLOCK + tar_padded(size)))
		return false;
	uint8_t b[TAR_BLOCK];
	uint64_t reach = size < ZEROED_REACH ? size : ZEROED_REACH;
	for (uint64_t at = 0; at < reach; at += TAR_BLOCK) {
		size_t n = reach - at < TAR_BLOCK ? (size_t)(reach - at) : TAR_BLOCK;
		if (sdin_read_exact(sf->in, b, n, off + TAR_BLOCK + at, NULL) != SD_OK)
			return false;
		for (size_t k = 0; k < n; k++)
			if (b[k])
				return true;
	}
	return false;
}

/* An index entry that points at a header whose checksum fails: a flipped
 * bit in the header (in its name, or in a field that sent the walk past
 * it) over data that is intact. When that header is still tar's, with the
 * entry's very size, the index vouches for it: the member is taken under
 * the index's name (the rebuild writes its header again). True when it is
 * (queued in sf->recovered); m is what the walk found there, or NULL. */
static bool recover_member(syncfile *sf, const sf_mrec *m, const char *name, uint64_t off,
                           uint64_t size)
{
	uint8_t b[TAR_BLOCK];
	tar_header h;
	/* tar's magic may be the damaged byte: the size field, read as tar
	 * reads it and equal to the index's, is what must hold; or the size
	 * field is the damaged one, and the index's size gives the header its
	 * checksum back (the photo was otherwise left out over intact data) */
	if (off % TAR_BLOCK || off + TAR_BLOCK + size > sf->size ||
	    sdin_read_exact(sf->in, b, TAR_BLOCK, off, NULL) != SD_OK)
		return false;
	(void)tar_header_parse(b, &h);
	if (sf->n_recovered >= sd_limit(SD_LIMIT_MEMBERS) ||
	    (h.zero ? !zeroed_header_vouched(sf, m, off, size)
	            : h.checksum_ok ||
	                  ((!h.size_ok || h.size != size) && !size_restores_checksum(b, size)) ||
	                  (m && (m->data_off != off + TAR_BLOCK || (m->flags & MF_CHECKSUM_OK)))))
		return false;
	sf->recovered = xreallocarray(sf->recovered, sf->n_recovered + 1, sizeof *sf->recovered);
	sf->recovered_names =
	    xreallocarray(sf->recovered_names, sf->n_recovered + 1, sizeof *sf->recovered_names);
	sf->recovered_names[sf->n_recovered] = xstrdup(name);
	sf->recovered[sf->n_recovered++] = (sf_mrec){.data_off = off + TAR_BLOCK,
	                                             .size = size,
	                                             .kind = (uint8_t)kind_of(name),
	                                             .flags = MF_IN_INDEX};
	return true;
}

/* Photos travel as three members of one ID and extension (doc/formats.md
 * §5). With no index to vouch, a flipped byte can turn a photo's name into
 * another well-formed one, which name_from_checksum() cannot tell from a
 * right one: the photo was kept under a name no observation has. A member
 * whose checksum fails and whose ID.EXT no other member has takes the one
 * name, one byte off by the checksum's difference, whose ID.EXT other
 * members have and that no member has yet; its finding then says so. */
static void names_from_siblings(syncfile *sf, findings *fl)
{
	size_t bad = 0;
	for (size_t i = 0; i < sf->n_members && !bad; i++) {
		const sf_mrec *r = crec(sf, i);
		bad = r->kind == SF_KIND_MEDIA && !(r->flags & (MF_CHECKSUM_OK | MF_NO_HEADER));
	}
	if (sf->has_index || !bad)
		return;
	char **names = xcalloc(sf->n_members + 1, sizeof *names), buf[SF_NAME_MAX];
	smap byname, byid;
	smap_init(&byname), smap_init(&byid);
	for (size_t i = 0; i < sf->n_members; i++) {
		if (crec(sf, i)->kind != SF_KIND_MEDIA)
			continue;
		names[i] = xstrdup(rec_name(sf, crec(sf, i), buf));
		smap_put(&byname, names[i], strlen(names[i]), i);
		if (photo_name_ok(names[i])) {
			const char *id = strchr(names[i], '/') + 1;
			size_t n = 0;
			(void)smap_get(&byid, id, strlen(id), &n);
			smap_put(&byid, id, strlen(id), n + 1);
		}
	}
	for (size_t i = 0; i < sf->n_members && sf->name_fixes < 4096; i++) {
		const sf_mrec *r = crec(sf, i);
		size_t n = 0;
		uint8_t b[TAR_BLOCK], c[TAR_BLOCK];
		tar_header h, ch;
		if (r->kind != SF_KIND_MEDIA || (r->flags & (MF_CHECKSUM_OK | MF_NO_HEADER)) ||
		    !photo_name_ok(names[i]) ||
		    (smap_get(&byid, strchr(names[i], '/') + 1, strlen(strchr(names[i], '/') + 1),
		              &n) &&
		     n > 1) ||
		    sdin_read_exact(sf->in, b, TAR_BLOCK, r->data_off - TAR_BLOCK, NULL) != SD_OK)
			continue;
		sf->name_fixes++;
		(void)tar_header_parse(b, &h);
		long d = (long)h.checksum_stored - (long)h.checksum_computed;
		char found[sizeof h.name];
		int hits = 0;
		for (size_t k = 0; k < 100 && hits < 2; k++) {
			long v = (long)b[k] + d;
			size_t had;
			if (v < 0 || v > 255)
				continue;
			memcpy(c, b, TAR_BLOCK);
			c[k] = (uint8_t)v;
			(void)tar_header_parse(c, &ch);
			/* its ID another member's, not this one's (which has none) */
			const char *slash = strchr(ch.name, '/'), *id = slash ? slash + 1 : "";
			if (ch.checksum_ok && photo_name_ok(ch.name) &&
			    strcmp(id, strchr(names[i], '/') + 1) != 0 &&
			    !smap_get(&byname, ch.name, strlen(ch.name), &had) &&
			    smap_get(&byid, id, strlen(id), &had) && hits++ == 0)
				memcpy(found, ch.name, sizeof found);
		}
		if (hits != 1)
			continue;
		mrec(sf, i)->name = mname_push(sf, xstrdup(found));
		uint64_t at = r->data_off - TAR_BLOCK;
		char *en = escape_name(found), *ed = escape_name(names[i]);
		size_t k = 0, nf = fnd_n(fl);
		for (; k < nf; k++) {
			const finding *g = fnd_at(fl, k);
			if (g->id == FND_BAD_HEADER_CHECKSUM && g->offset == (int64_t)at)
				break;
		}
		finding *f = k < nf ? fnd_edit(fl, k) : NULL;
		char *msg = xasprintf(
		    _("the tar header at byte %llu has a wrong checksum: one byte of its name was "
		      "damaged ('%s'), and the checksum gives it back: it is read as '%s', and a "
		      "rebuild writes the header again"),
		    (unsigned long long)at, ed, en);
		if (f) {
			free(f->message);
			f->message = msg;
		} else {
			f = fnd_add(fl, FND_BAD_HEADER_CHECKSUM, "%s", msg);
			f->offset = (int64_t)at;
			free(msg);
		}
		fnd_set_member(f, en);
		free(en), free(ed);
	}
	smap_free(&byname), smap_free(&byid);
	for (size_t i = 0; i < sf->n_members; i++)
		free(names[i]);
	free(names);
}

/* An index entry that points where no header is, for a member the walk
 * found whole elsewhere under that very name: the member is in the file
 * (kept, and counted), and what Mapeo reads for it are other bytes. */
static void index_misplaced(syncfile *sf, findings *fl)
{
	if (!sf->has_index || !fnd_has(fl, FND_INDEX_DISAGREES))
		return;
	smap byname;
	smap_init(&byname);
	char **names = xcalloc(sf->n_members + 1, sizeof *names);
	sf_member m;
	for (size_t i = 0; i < sf->n_members; i++) {
		const sf_mrec *r = crec(sf, i);
		if ((r->kind != SF_KIND_MEDIA && r->kind != SF_KIND_DB) || (r->flags & MF_IN_INDEX))
			continue;
		sf_member_get(sf, i, &m);
		names[i] = xstrdup(m.name);
		smap_put(&byname, names[i], strlen(names[i]), i);
	}
	for (size_t k = 0; byname.n && k < fnd_n(fl); k++) {
		const finding *c = fnd_at(fl, k);
		size_t i;
		if (c->id != FND_INDEX_DISAGREES || !c->member || c->offset < 0 ||
		    !smap_get(&byname, c->member, strlen(c->member), &i))
			continue;
		uint64_t said = (uint64_t)c->offset;
		mrec(sf, i)->flags |= MF_IN_INDEX;
		sf_member_get(sf, i, &m);
		char *en = escape_name(m.name);
		finding *f = fnd_edit(fl, k);
		free(f->message);
		f->message = xasprintf(
		    m.kind == SF_KIND_DB
		        ? _("the index says '%s' is at byte %llu, but its header is at byte %llu: "
		            "Mapeo reads other bytes as the database and cannot open the file; a "
		            "rebuild writes the index again")
		        : _("the index says '%s' is at byte %llu, but its header is at byte %llu: "
		            "Mapeo reads other bytes as that photo; a rebuild writes the index "
		            "again"),
		    en, (unsigned long long)said, (unsigned long long)m.header_off);
		free(en);
	}
	smap_free(&byname);
	for (size_t i = 0; i < sf->n_members; i++)
		free(names[i]);
	free(names);
}

/* A header never patched that the index still names: Mapeo reads the
 * member through the index, whole, which the walk could not know. So it
 * is a warning, not an error: the finding is made again with that
 * severity (fnd_edit() keeps a finding's severity). */
typedef struct offsets {
	int64_t *v;
	size_t n, cap;
} offsets;

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* o sorted: a search, not a scan (a hostile file's 200,000 vouched
 * headers would make the removal quadratic) */
static bool is_vouched(const finding *f, void *ud)
{
	const offsets *o = ud;
	return f->id == FND_UNPATCHED_HEADER && f->severity == SEV_ERROR &&
	       bsearch(&f->offset, o->v, o->n, sizeof *o->v, cmp_i64) != NULL;
}

static void vouched_unpatched(syncfile *sf, findings *fl)
{
	findings warn;
	fnd_init(&warn);
	offsets seen = {0};
	for (size_t i = 0; sf->has_index && fnd_has(fl, FND_UNPATCHED_HEADER) && i < fnd_n(fl);
	     i++) {
		const finding *c = fnd_at(fl, i);
		size_t mi = c->id == FND_UNPATCHED_HEADER && c->offset >= 0
		                ? member_at(sf, (uint64_t)c->offset)
		                : NO_MEMBER;
		if (mi == NO_MEMBER || (crec(sf, mi)->flags & (MF_UNPATCHED | MF_IN_INDEX)) !=
		                           (MF_UNPATCHED | MF_IN_INDEX))
			continue;
		int64_t at = c->offset;
		SD_GROW(seen.v, seen.cap, seen.n + 1);
		seen.v[seen.n++] = at;
		sf_member m;
		sf_member_get(sf, mi, &m);
		char *en = escape_name(m.name);
		finding *f = fnd_add_sev(
		    &warn, FND_UNPATCHED_HEADER, SEV_WARNING,
		    P_("the header of '%s' at byte %llu still says size 0, the size Mapeo writes "
		       "first and fills in last, but the index names it with its size (%llu "
		       "byte): Mapeo reads it whole through the index, so it is no reason for "
		       "Mapeo to freeze; it is the trace of a write Mapeo did not finish (closed "
		       "or stopped while it wrote the file), and a rebuild writes the header "
		       "again",
		       "the header of '%s' at byte %llu still says size 0, the size Mapeo writes "
		       "first and fills in last, but the index names it with its size (%llu "
		       "bytes): Mapeo reads it whole through the index, so it is no reason for "
		       "Mapeo to freeze; it is the trace of a write Mapeo did not finish (closed "
		       "or stopped while it wrote the file), and a rebuild writes the header "
		       "again",
		       m.size),
		    en, (unsigned long long)m.header_off, (unsigned long long)m.size);
		f->offset = at;
		fnd_set_member(f, m.name);
		free(en);
	}
	if (fnd_n(&warn)) {
		qsort(seen.v, seen.n, sizeof *seen.v, cmp_i64);
		fnd_remove_if(fl, is_vouched, &seen);
	}
	fnd_append(fl, &warn);
	fnd_free(&warn);
	free(seen.v);
}

/* The recovered members into the walk's list, in header order: one the
 * walk read under a damaged name takes the index's name. The damaged
 * header's finding then says what was kept. */
/* Member at holds data the index vouches for: headers the walk found inside
 * it are its data (a database's own entries, walked after its zeroed
 * header), not members of the file. */
static void drop_walked_inside(syncfile *sf, size_t at)
{
	uint64_t end = crec(sf, at)->data_off + crec(sf, at)->size;
	size_t k = at + 1, kept = at + 1;
	/* a member the index names is the index's, whatever lies around it */
	for (; k < sf->n_members && crec(sf, k)->data_off - TAR_BLOCK < end; k++)
		if (crec(sf, k)->flags & MF_IN_INDEX)
			*mrec(sf, kept++) = *crec(sf, k);
	size_t gone = k - kept;
	if (!gone)
		return;
	for (size_t i = k; i < sf->n_members; i++)
		*mrec(sf, i - gone) = *crec(sf, i);
	sf->n_members -= gone; /* its blocks are kept for the next appended */
}

typedef struct span_list {
	const uint64_t *lo, *hi; /* header offset, end of data */
	size_t n;
} span_list;

/* A "not a tar header" finding inside a member the index gave back (the
 * walk's resync over its zeroed start): that member's finding tells it. */
static bool inside_recovered(const finding *f, void *ud)
{
	const span_list *s = ud;
	for (size_t i = 0; i < s->n && f->id == FND_BAD_HEADER_CHECKSUM && !f->member; i++)
		if (f->offset > (int64_t)s->lo[i] && f->offset < (int64_t)s->hi[i])
			return true;
	return false;
}

static void merge_recovered(syncfile *sf, findings *fl)
{
	uint64_t *from = xcalloc(sf->n_recovered + 1, sizeof *from),
	         *to = xcalloc(sf->n_recovered + 1, sizeof *to);
	for (size_t k = 0; k < sf->n_recovered; k++) {
		sf_member rm, *r = &rm;
		decode(&sf->recovered[k], r);
		char *name = sf->recovered_names[k];
		sf->recovered_names[k] = NULL;
		/* A zeroed header was skipped as zeros: the walk named the
		 * member's data as damage from its first byte on. */
		bool zeroed = block_zero(sf, r->header_off);
		int64_t at = (int64_t)(zeroed ? r->data_off : r->header_off);
		finding *f = NULL;
		for (size_t i = 0; i < fnd_n(fl) && !f; i++)
			if (fnd_at(fl, i)->id == FND_BAD_HEADER_CHECKSUM &&
			    fnd_at(fl, i)->offset == at)
				f = fnd_edit(fl, i);
		char *en = escape_name(name);
		char *msg =
		    zeroed
		        ? xasprintf(P_("the tar header of '%s' at byte %llu is all zeros (storage "
		                       "lost that block), but the index still names it with this "
		                       "size: its %llu byte after it is read as that photo or "
		                       "file, and a rebuild writes the header again",
		                       "the tar header of '%s' at byte %llu is all zeros (storage "
		                       "lost that block), but the index still names it with this "
		                       "size: its %llu bytes after it are read as that photo or "
		                       "file, and a rebuild writes the header again",
		                       r->size),
		                    en, (unsigned long long)r->header_off,
		                    (unsigned long long)r->size)
		        : xasprintf(P_("the tar header of '%s' at byte %llu is damaged (its "
		                       "checksum fails), but the index still names it with this "
		                       "size: its %llu byte is read as that photo or file, and "
		                       "a rebuild writes the header again",
		                       "the tar header of '%s' at byte %llu is damaged (its "
		                       "checksum fails), but the index still names it with this "
		                       "size: its %llu bytes are read as that photo or file, and "
		                       "a rebuild writes the header again",
		                       r->size),
		                    en, (unsigned long long)r->header_off,
		                    (unsigned long long)r->size);
		if (f) {
			free(f->message);
			f->message = msg;
			f->offset = (int64_t)r->header_off;
		} else {
			f = fnd_add(fl, FND_BAD_HEADER_CHECKSUM, "%s", msg);
			f->offset = (int64_t)r->header_off;
			free(msg);
		}
		fnd_set_member(f, en);
		free(en);
		from[k] = r->header_off;
		to[k] = r->data_off + r->size;
		sf_mrec rec = encode(sf, r, name);
		size_t lo = member_from(sf, rec.data_off);
		if (lo < sf->n_members && crec(sf, lo)->data_off == rec.data_off) {
			*mrec(sf, lo) = rec;
		} else {
			/* rare: shift the later records up by one */
			mrec_append(sf, rec);
			for (size_t i = sf->n_members - 1; i > lo; i--)
				*mrec(sf, i) = *crec(sf, i - 1);
			*mrec(sf, lo) = rec;
		}
		drop_walked_inside(sf, lo);
	}
	fnd_remove_if(fl, inside_recovered, &(span_list){from, to, sf->n_recovered});
	free(from), free(to);
	free(sf->recovered);
	sf->recovered = NULL;
	free(sf->recovered_names);
	sf->recovered_names = NULL;
	if (sf->n_recovered) { /* the index may be one of them */
		sf->index_member = NULL;
		for (size_t i = sf->n_members; i-- > 0;)
			if (crec(sf, i)->kind == SF_KIND_INDEX) {
				sf_member_get(sf, i, &sf->index_m);
				sf->index_member = &sf->index_m;
				break;
			}
	}
	sf->n_recovered = 0;
}

/* One index entry against the member header it points at; valid: it has
 * a non-negative integer offset and size. */
static void index_entry(syncfile *sf, const char *name, bool valid, uint64_t off, uint64_t size,
                        findings *fl)
{
	if (!valid) {
		finding *f =
		    fnd_add(fl, FND_DAMAGED_INDEX,
		            _("the index entry for '%s' has no valid offset and size"), name);
		fnd_set_member(f, name);
		return;
	}
	size_t mi = member_at(sf, off);
	sf_mrec *m = mi == NO_MEMBER ? NULL : mrec(sf, mi);
	char buf[SF_NAME_MAX], ibuf[SF_NAME_MAX];
	name = media_name(kind_of(name), name, ibuf);
	const char *m_name = m ? rec_name(sf, m, buf) : NULL;
	finding *f = NULL;
	if (off + TAR_BLOCK + size > sf->size)
		f = fnd_add(
		    fl, FND_INDEX_DISAGREES,
		    P_("the index says '%s' is at byte %llu with %llu byte, beyond the end "
		       "of the file (%llu bytes)",
		       "the index says '%s' is at byte %llu with %llu bytes, beyond the end "
		       "of the file (%llu bytes)",
		       size),
		    name, (unsigned long long)off, (unsigned long long)size,
		    (unsigned long long)sf->size);
	else if ((!m || strcmp(m_name, name) != 0) && recover_member(sf, m, name, off, size))
		return; /* its damaged header is bad-header-checksum's finding */
	else if (!m || strcmp(m_name, name) != 0)
		f = fnd_add(fl, FND_INDEX_DISAGREES,
		            _("the index says '%s' is at byte %llu, but %s is there"), name,
		            (unsigned long long)off, m ? m_name : _("no member header"));
	else if (m->size != size && !(m->flags & MF_UNPATCHED))
		f = fnd_add(fl, FND_INDEX_DISAGREES,
		            P_("the index says '%s' has %llu byte, its header says %llu",
		               "the index says '%s' has %llu bytes, its header says %llu", size),
		            name, (unsigned long long)size, (unsigned long long)m->size);
	if (f) {
		f->offset = (int64_t)off;
		fnd_set_member(f, name);
	}
	if (m && strcmp(m_name, name) == 0)
		m->flags |= MF_IN_INDEX;
	/* a header never patched: the index gives the size Mapeo reads, where
	 * it fits before the next member */
	if (m && !f && (m->flags & MF_UNPATCHED) && m->size != size &&
	    m->data_off + size <=
	        (mi + 1 < sf->n_members ? crec(sf, mi + 1)->data_off - TAR_BLOCK : sf->size))
		m->size = size;
}

/* Each entry of a parsed index (the fallback: see read_index). */
static void index_entries(syncfile *sf, json_t *index, findings *fl)
{
	const char *name;
	json_t *ent;
	json_object_foreach(index, name, ent)
	{
		json_t *jo = json_object_get(ent, "offset"), *js = json_object_get(ent, "size");
		bool valid = json_is_integer(jo) && json_is_integer(js) &&
		             json_integer_value(jo) >= 0 && json_integer_value(js) >= 0;
		index_entry(sf, name, valid, valid ? (uint64_t)json_integer_value(jo) : 0,
		            valid ? (uint64_t)json_integer_value(js) : 0, fl);
	}
}

typedef struct scan_ctx {
	syncfile *sf;
	findings fl; /* the entries' findings, kept apart until the scan succeeds */
} scan_ctx;

static void scanned_entry(void *ud, const char *name, uint64_t offset, uint64_t size)
{
	scan_ctx *c = ud;
	index_entry(c->sf, name, true, offset, size, &c->fl);
}

/* The index read as a stream (sfindex.h): true when it had the expected
 * shape and its entries and userdata were checked; false when it must be
 * read whole (nothing was added to fl then); *cancelled on an interrupt. */
static bool read_index_streamed(syncfile *sf, const sf_member *idx, findings *fl,
                                const sd_progress *prog, bool *cancelled)
{
	scan_ctx c = {.sf = sf};
	fnd_init(&c.fl);
	json_t *ud = NULL;
	sfi_result res =
	    sfi_scan(sf->in, idx->data_off, idx->size, sf->n_members, scanned_entry, &c, &ud, prog);
	*cancelled = res == SFI_CANCELLED;
	if (res != SFI_OK) {
		fnd_free(&c.fl);
		for (size_t i = 0; i < sf->n_members; i++)
			mrec(sf, i)->flags &= (uint8_t)~MF_IN_INDEX;
		for (size_t i = 0; i < sf->n_recovered; i++)
			free(sf->recovered_names[i]);
		sf->n_recovered = 0;
		return false;
	}
	sf->has_index = true;
	fnd_append(fl, &c.fl);
	fnd_free(&c.fl);
	read_userdata(sf, ud, fl);
	json_decref(ud);
	return true;
}

/* Trailer: at least 1024 zero bytes after the padded index. */
static void check_trailer(syncfile *sf, const sf_member *idx, findings *fl)
{
	uint64_t end = idx->data_off + tar_padded(idx->size);
	uint64_t zeros = 0;
	uint8_t b[TAR_BLOCK];
	for (uint64_t off = end; off < sf->size && zeros < 1024; off += TAR_BLOCK) {
		size_t got = 0;
		if (sdin_pread(sf->in, b, TAR_BLOCK, off, &got, NULL) != SD_OK)
			break;
		size_t z = 0;
		while (z < got && b[z] == 0)
			z++;
		zeros += z;
		if (z < got)
			break;
	}
	if (zeros < 1024) {
		finding *f =
		    fnd_add(fl, FND_MISSING_TRAILER,
		            P_("after the index there is %llu zero byte instead of 1024",
		               "after the index there are %llu zero bytes instead of 1024", zeros),
		            (unsigned long long)zeros);
		f->offset = (int64_t)end;
	}
}

typedef struct tail_ctx {
	syncfile *sf;
	size_t confirmed;
} tail_ctx;

/* An entry read from the index's intact end: it only confirms a member the
 * walk found there with that name and size; it never adds one. */
static void tail_entry(void *ud, const char *name, uint64_t off, uint64_t size)
{
	tail_ctx *c = ud;
	size_t mi = member_at(c->sf, off);
	char buf[SF_NAME_MAX], ibuf[SF_NAME_MAX];
	if (mi == NO_MEMBER)
		return;
	sf_mrec *m = mrec(c->sf, mi);
	if (m->size == size &&
	    !strcmp(rec_name(c->sf, m, buf), media_name(kind_of(name), name, ibuf))) {
		m->flags |= MF_IN_INDEX;
		c->confirmed++;
	}
}

/* The userdata (and entries) read from the intact end of the index at idx,
 * whose start storage zeroed (doc/formats.md §1, "The index's tail");
 * head_lost: its tar header with it. The file's project is known again;
 * the index is not (has_index stays false: a part of it vouches for
 * nothing it lost). */
static void tail_taken(syncfile *sf, const sf_member *idx, bool head_lost, json_t *ud,
                       const sfi_tail_info *info, size_t confirmed, findings *fl)
{
	size_t n = info->n_entries;
	unsigned long long at = idx->header_off, left = info->intact, all = idx->size;
	/* the zero byte the intact end follows: where the damage is */
	unsigned long long zero = idx->data_off + idx->size - info->intact - 1;
	finding *f =
	    head_lost
	        ? fnd_add(fl, FND_DAMAGED_INDEX,
	                  P_("storage zeroed the tar header of ___index.json at byte %llu and the "
	                     "start of its data, so Mapeo cannot find the index; its last %llu of "
	                     "%llu bytes survive and hold its userdata, which names the project, "
	                     "and %zu whole entry (%zu agreeing with a member found): a rebuild "
	                     "writes the index again for that project",
	                     "storage zeroed the tar header of ___index.json at byte %llu and the "
	                     "start of its data, so Mapeo cannot find the index; its last %llu of "
	                     "%llu bytes survive and hold its userdata, which names the project, "
	                     "and %zu whole entries (%zu agreeing with the members found): a "
	                     "rebuild writes the index again for that project",
	                     n),
	                  at, left, all, n, confirmed)
	        : fnd_add(fl, FND_DAMAGED_INDEX,
	                  P_("storage zeroed bytes of ___index.json (its header at byte %llu), "
	                     "the last of them at byte %llu, so Mapeo cannot read the index; its "
	                     "last %llu of %llu bytes survive and hold its userdata, which names "
	                     "the project, and %zu whole entry (%zu agreeing with a member "
	                     "found): a rebuild writes the index again for that project",
	                     "storage zeroed bytes of ___index.json (its header at byte %llu), "
	                     "the last of them at byte %llu, so Mapeo cannot read the index; its "
	                     "last %llu of %llu bytes survive and hold its userdata, which names "
	                     "the project, and %zu whole entries (%zu agreeing with the members "
	                     "found): a rebuild writes the index again for that project",
	                     n),
	                  at, zero, left, all, n, confirmed);
	f->offset = (int64_t)idx->header_off;
	fnd_set_member(f, INDEX_NAME);
	read_userdata(sf, ud, fl);
	check_trailer(sf, idx, fl);
}

/* The index at idx, which neither the stream nor jansson reads, read from
 * its intact end; true when its userdata was there. */
static bool index_tail(syncfile *sf, const sf_member *idx, findings *fl, const sd_progress *prog,
                       bool *cancelled)
{
	tail_ctx c = {.sf = sf};
	json_t *ud = NULL;
	sfi_tail_info info;
	sfi_result res =
	    sfi_tail(sf->in, idx->data_off, idx->size, tail_entry, &c, &ud, &info, prog);
	*cancelled = res == SFI_CANCELLED;
	if (res != SFI_OK)
		return false;
	tail_taken(sf, idx, false, ud, &info, c.confirmed, fl);
	json_decref(ud);
	return true;
}

/* The index's text, read whole (the fallback and those who show it). */
char *sf_index_text(syncfile *sf, size_t *len)
{
	const sf_member *idx = sf->index_member;
	*len = 0;
	if (!idx || !sf->in || idx->size > MAX_INDEX_BYTES)
		return NULL;
	uint64_t avail = idx->data_off < sf->size ? sf->size - idx->data_off : 0;
	size_t n = (size_t)(idx->size < avail ? idx->size : avail);
	char *txt = xmalloc(n + 1);
	if (sdin_read_exact(sf->in, txt, n, idx->data_off, NULL) != SD_OK)
		n = 0;
	txt[n] = '\0';
	*len = n;
	return txt;
}

/* A sync file's ___index.json header among the last blocks (past the
 * trailer's zeros, at most 8 MiB back): the file is a tar even when its
 * first header is damaged, and the index can vouch for what it hid. */
static bool index_near_end(syncfile *sf)
{
	uint8_t b[TAR_BLOCK];
	uint64_t off = sf->size / TAR_BLOCK * TAR_BLOCK;
	for (unsigned n = 0; off >= TAR_BLOCK && n < 16384; n++) {
		off -= TAR_BLOCK;
		if (sdin_read_exact(sf->in, b, TAR_BLOCK, off, NULL) != SD_OK)
			return false;
		tar_header h;
		if (tar_header_parse(b, &h) && h.checksum_ok && h.size_ok &&
		    !strcmp(h.name, INDEX_NAME) && off + TAR_BLOCK + h.size <= sf->size)
			return true;
	}
	return false;
}

/* Streamed first (sfindex.c); jansson on the whole text when the stream
 * is not the usual shape, for the same findings in the same words. */
/* No index member, and where it would begin (after the last member) a
 * header that reads all zeros over data that is an index: a sector lost
 * at the end of the file. Mapeo, looking for a header near the end, cannot
 * open it; the index's data still names the project and every member.
 * Taken as the index (the rebuild writes its header again); NULL when
 * that is not what is there. */
static const sf_member *index_under_zeroed_header(syncfile *sf, const sf_member *last, findings *fl)
{
	uint64_t h = last ? last->data_off + tar_padded(last->size) : 0;
	uint64_t d = h + TAR_BLOCK, end = d;
	uint8_t b[TAR_BLOCK];
	static const char start[] = "{\"index\":";
	if (d + TAR_BLOCK > sf->size || !block_zero(sf, h) ||
	    sdin_read_exact(sf->in, b, TAR_BLOCK, d, NULL) != SD_OK ||
	    memcmp(b, start, sizeof start - 1))
		return NULL;
	/* JSON holds no NUL: the index ends where the zeros begin */
	while (end < sf->size && end - d <= MAX_INDEX_BYTES) {
		size_t n = sf->size - end < TAR_BLOCK ? (size_t)(sf->size - end) : TAR_BLOCK;
		if (sdin_read_exact(sf->in, b, n, end, NULL) != SD_OK)
			return NULL;
		const uint8_t *z = memchr(b, 0, n);
		if (z) {
			end += (uint64_t)(z - b);
			break;
		}
		end += n;
	}
	if (end - d > MAX_INDEX_BYTES)
		return NULL;
	sf_member m = {.header_off = h, .data_off = d, .size = end - d, .kind = SF_KIND_INDEX};
	mrec_append(sf, encode(sf, &m, xstrdup(INDEX_NAME)));
	/* the walk named the index's data as damage from its first byte on */
	finding *f = NULL;
	for (size_t i = 0; i < fnd_n(fl) && !f; i++)
		if (fnd_at(fl, i)->id == FND_BAD_HEADER_CHECKSUM &&
		    fnd_at(fl, i)->offset == (int64_t)d)
			f = fnd_edit(fl, i);
	char *msg = xasprintf(P_("the tar header of '%s' at byte %llu is all zeros (storage lost "
	                         "that block), so Mapeo cannot find the index; its %llu byte is "
	                         "still there and is read, and a rebuild writes the header again",
	                         "the tar header of '%s' at byte %llu is all zeros (storage lost "
	                         "that block), so Mapeo cannot find the index; its %llu bytes are "
	                         "still there and are read, and a rebuild writes the header again",
	                         m.size),
	                      INDEX_NAME, (unsigned long long)h, (unsigned long long)m.size);
	if (f) {
		free(f->message);
		f->message = msg;
	} else {
		f = fnd_add(fl, FND_BAD_HEADER_CHECKSUM, "%s", msg);
		free(msg);
	}
	f->offset = (int64_t)h;
	fnd_set_member(f, INDEX_NAME);
	sf_member_get(sf, sf->n_members - 1, &sf->index_m);
	return &sf->index_m;
}

/* The walk took the lost index header at the end of last for an older
 * writer's padding block (doc/formats.md §1, "Headers"): the note stays only
 * when another member shows one. */
static void padding_hint_again(syncfile *sf, const sf_member *last)
{
	sf_member m;
	bool seen = false;
	if (!sf->hints.extra_zero_block || !last || last->size % TAR_BLOCK)
		return;
	for (size_t i = 0; i + 1 < sf->n_members && !seen; i++) {
		sf_member_peek(sf, i, &m);
		seen = m.size && m.size % TAR_BLOCK == 0 &&
		       m.data_off + m.size < last->header_off &&
		       crec(sf, i + 1)->data_off == m.data_off + m.size + 2 * TAR_BLOCK &&
		       block_zero(sf, m.data_off + m.size);
	}
	sf->hints.extra_zero_block = seen;
}

#define LOST_HEAD_MAX ((uint64_t)64 << 10) /* zeros over an index's start: sectors, a page */

/* The index's tail without its userdata: from h (its zeroed header) to the
 * end of the file, zeros, then text from s to end that reads as the end of
 * an index's JSON, then only zeros. Those bytes are what is left of the
 * index, which a rebuild writes anew: sf->index_remains says so (nothing
 * there is left out), and the walk's finding on that text says what it
 * is. Anything else there stays damage the rebuild leaves out. */
static void index_remains(syncfile *sf, uint64_t h, uint64_t s, uint64_t end, findings *fl,
                          const sd_progress *prog, bool *cancelled)
{
	uint64_t tail = (end + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
	uint8_t b[TAR_BLOCK];
	if (end >= sf->size || end - s > MAX_INDEX_BYTES || sf->size % TAR_BLOCK ||
	    sdin_read_exact(sf->in, b, (size_t)(tail - end), end, NULL) != SD_OK)
		return;
	for (size_t k = 0; k < tail - end; k++)
		if (b[k])
			return;
	if (skip_zeros(sf, tail, prog) != sf->size ||
	    !sfi_index_end(sf->in, s, end - s, prog, cancelled))
		return;
	sf->index_remains = h;
	for (size_t i = 0; i < fnd_n(fl); i++) {
		if (fnd_at(fl, i)->id != FND_BAD_HEADER_CHECKSUM ||
		    fnd_at(fl, i)->offset != (int64_t)(s / TAR_BLOCK * TAR_BLOCK))
			continue;
		finding *f = fnd_edit(fl, i);
		free(f->message);
		f->message = xasprintf(
		    _("bytes %llu to %llu are what is left of the index (___index.json, its "
		      "header at byte %llu): storage zeroed it up to byte %llu, and with it the "
		      "userdata that names the project; the rest is the end of its JSON and "
		      "zeros, which a rebuild writes again"),
		    (unsigned long long)f->offset, (unsigned long long)sf->size,
		    (unsigned long long)h, (unsigned long long)s);
		fnd_set_member(f, INDEX_NAME);
		break;
	}
}

/* No index member, and after the last member zeros over the index's header
 * and the start of its data, then text up to the zeros that end a file: the
 * intact end of an index (doc/formats.md §1, "The index's tail"). True
 * when its userdata is there: the index is taken from its header's place
 * to the text's end (a rebuild writes it again), and the walk's finding
 * that called that text damage goes. */
static bool index_lost_head(syncfile *sf, const sf_member *last, findings *fl,
                            const sd_progress *prog, bool *cancelled)
{
	uint64_t h = last ? last->data_off + tar_padded(last->size) : 0;
	uint64_t d = h + TAR_BLOCK, s = d, end;
	uint8_t b[TAR_BLOCK];
	const uint8_t *nz = NULL, *z = NULL;
	if (d >= sf->size || !block_zero(sf, h))
		return false;
	while (!nz && s < sf->size && s - d <= LOST_HEAD_MAX) {
		if (sd_progress_cancelled(prog)) {
			*cancelled = true;
			return false;
		}
		size_t n = sf->size - s < TAR_BLOCK ? (size_t)(sf->size - s) : TAR_BLOCK;
		if (sdin_read_exact(sf->in, b, n, s, NULL) != SD_OK)
			return false;
		for (size_t k = 0; k < n && !nz; k++)
			nz = b[k] ? b + k : NULL;
		s += nz ? (uint64_t)(nz - b) : n;
	}
	if (!nz)
		return false;
	/* JSON holds no NUL: the text ends where the zeros begin */
	for (end = s; !z && end < sf->size && end - s <= MAX_INDEX_BYTES;) {
		if ((end - s) % ((uint64_t)1 << 20) == 0 && sd_progress_cancelled(prog)) {
			*cancelled = true; /* every MiB */
			return false;
		}
		size_t n = sf->size - end < TAR_BLOCK ? (size_t)(sf->size - end) : TAR_BLOCK;
		if (sdin_read_exact(sf->in, b, n, end, NULL) != SD_OK)
			return false;
		z = memchr(b, 0, n);
		end += z ? (uint64_t)(z - b) : n;
	}
	sf_member m = {.header_off = h, .data_off = d, .size = end - d, .kind = SF_KIND_INDEX};
	tail_ctx c = {.sf = sf};
	json_t *ud = NULL;
	sfi_tail_info info;
	sfi_result res = end - s > MAX_INDEX_BYTES
	                     ? SFI_OTHER
	                     : sfi_tail(sf->in, d, m.size, tail_entry, &c, &ud, &info, prog);
	*cancelled = res == SFI_CANCELLED;
	if (res == SFI_OTHER && z)
		index_remains(sf, h, s, end, fl, prog, cancelled);
	if (res != SFI_OK)
		return false;
	mrec_append(sf, encode(sf, &m, xstrdup(INDEX_NAME)));
	sf_member_get(sf, sf->n_members - 1, &sf->index_m);
	sf->index_member = &sf->index_m;
	/* the walk named the text damage from its first byte on */
	uint64_t lo = h, hi = end;
	fnd_remove_if(fl, inside_recovered, &(span_list){&lo, &hi, 1});
	padding_hint_again(sf, last);
	tail_taken(sf, &sf->index_m, true, ud, &info, c.confirmed, fl);
	json_decref(ud);
	return true;
}

static void read_index(syncfile *sf, findings *fl, const sd_progress *prog)
{
	/* The index is the last member; upstream reads whatever is last. */
	sf_member last_m;
	const sf_member *last = NULL, *idx = NULL;
	if (sf->n_members) {
		sf_member_get(sf, sf->n_members - 1, &last_m);
		last = &last_m;
	}
	for (size_t i = sf->n_members; i-- > 0;)
		if (crec(sf, i)->kind == SF_KIND_INDEX) {
			sf_member_get(sf, i, &sf->index_m);
			idx = &sf->index_m;
			break;
		}
	if (!idx && (idx = index_under_zeroed_header(sf, last, fl)) != NULL)
		last = idx;
	bool cancelled = false;
	if (!idx && (index_lost_head(sf, last, fl, prog, &cancelled) || cancelled))
		return;
	if (!idx) {
		finding *f =
		    fnd_add(fl, FND_MISSING_INDEX,
		            _("there is no ___index.json at the end of the file: Mapeo cannot "
		              "open it (it will say 'not valid JSON' or 'No files found')"));
		if (last)
			f->offset = (int64_t)(last->data_off + last->size);
		trailer_without_index(sf, fl);
		return;
	}
	sf->index_member = idx;
	if (idx->header_off != last->header_off) {
		finding *f =
		    fnd_add(fl, FND_MISSING_INDEX,
		            _("___index.json at byte %llu is followed by '%s': Mapeo reads the "
		              "last member as the index and will fail"),
		            (unsigned long long)idx->header_off, last->name);
		f->offset = (int64_t)last->header_off;
		fnd_set_member(f, last->name);
	}
	if (idx->size > MAX_INDEX_BYTES) {
		finding *f =
		    fnd_add(fl, FND_DAMAGED_INDEX, _("the index at byte %llu claims %llu bytes"),
		            (unsigned long long)idx->header_off, (unsigned long long)idx->size);
		f->offset = (int64_t)idx->header_off;
		return;
	}
	/* A cut index fails the stream and is told below. */
	if (read_index_streamed(sf, idx, fl, prog, &cancelled)) {
		check_trailer(sf, idx, fl);
		return;
	}
	if (cancelled || index_tail(sf, idx, fl, prog, &cancelled) || cancelled)
		return;
	size_t len = 0;
	char *txt = sf_index_text(sf, &len);
	if (len < idx->size) {
		finding *f = fnd_add(fl, FND_DAMAGED_INDEX,
		                     P_("the index is cut: %zu of its %llu byte is in the file",
		                        "the index is cut: %zu of its %llu bytes are in the file",
		                        idx->size),
		                     len, (unsigned long long)idx->size);
		f->offset = (int64_t)idx->header_off;
		fnd_set_member(f, INDEX_NAME);
		free(txt);
		return;
	}
	json_error_t jerr;
	json_t *root = json_loadb(txt, len, JSON_REJECT_DUPLICATES, &jerr);
	free(txt);
	if (!root) {
		finding *f = fnd_add(fl, FND_DAMAGED_INDEX,
		                     _("the index is not valid JSON (%s, at character %d)"),
		                     jerr.text, jerr.position);
		f->offset =
		    (int64_t)(idx->data_off + (uint64_t)(jerr.position > 0 ? jerr.position : 0));
		fnd_set_member(f, INDEX_NAME);
		return;
	}
	json_t *index = json_object_get(root, "index");
	if (!json_is_object(root) || !json_is_object(index)) {
		finding *f =
		    fnd_add(fl, FND_DAMAGED_INDEX,
		            _("the index has no 'index' key: Mapeo will silently read it as the "
		              "old format, see no data, and orphan the database"));
		f->offset = (int64_t)idx->data_off;
		fnd_set_member(f, INDEX_NAME);
		json_decref(root);
		return;
	}
	sf->has_index = true;
	index_entries(sf, index, fl);
	read_userdata(sf, json_object_get(root, "userdata"), fl);
	json_decref(root);

	check_trailer(sf, idx, fl);
}

/* Bytes no index entry and no live member refer to. The databases a file
 * without an index holds besides the one read are only listed here
 * (sf->other_dbs): whether they hold data the one read lacks takes their
 * feeds verified, which the check does (check_corruption.c). */
static void dead_space(syncfile *sf, findings *fl)
{
	/* each is read again whole (a walk of the file and its feeds): a
	 * hostile file of many gets the last SF_OTHER_DBS_MAX, as the nearest
	 * to the one read, and says so */
	size_t seen = 0;
	for (size_t i = sf->n_members; !sf->has_index && sf->db && i-- > 0;) {
		const sf_mrec *m = crec(sf, i);
		if (m->kind != SF_KIND_DB || m->data_off == sf->db->data_off)
			continue;
		if (seen++ >= SF_OTHER_DBS_MAX)
			continue;
		sf->other_dbs =
		    xreallocarray(sf->other_dbs, sf->n_other_dbs + 1, sizeof *sf->other_dbs);
		sf->other_dbs[sf->n_other_dbs++] = m->data_off - TAR_BLOCK;
	}
	if (seen > SF_OTHER_DBS_MAX) {
		finding *f = fnd_add(fl, FND_LIMIT_EXCEEDED,
		                     _("%s holds %zu databases besides the last one and no index: "
		                       "only the %d nearest the end were compared with it and are "
		                       "read by a rebuild"),
		                     sf->path, seen, SF_OTHER_DBS_MAX);
		fnd_set_member(f, DB_NAME);
	}
	/* in file order */
	for (size_t a = 0, b = sf->n_other_dbs; b > a + 1; a++, b--) {
		uint64_t t = sf->other_dbs[a];
		sf->other_dbs[a] = sf->other_dbs[b - 1];
		sf->other_dbs[b - 1] = t;
	}
	if (!sf->has_index)
		return;
	/* an index that names no database, whole and parsed: Mapeo finds the
	 * database through it, so it reads no observation (the real Mapeo
	 * imported 0 of 24), where the check said "healthy" and dead space */
	bool db_indexed = false;
	for (size_t i = 0; i < sf->n_members && !db_indexed; i++)
		db_indexed = crec(sf, i)->kind == SF_KIND_DB && (crec(sf, i)->flags & MF_IN_INDEX);
	if (sf->db && !db_indexed) {
		finding *f =
		    fnd_add(fl, FND_DAMAGED_INDEX,
		            _("the index does not name osm-p2p-db.tar, which the file holds "
		              "at byte %llu: Mapeo finds the database through the index, so "
		              "it would read no observation from this file; a rebuild "
		              "writes the index again"),
		            (unsigned long long)(sf->db->data_off - TAR_BLOCK));
		f->offset = (int64_t)(sf->db->data_off - TAR_BLOCK);
		fnd_set_member(f, DB_NAME);
	}
	uint64_t dead = 0;
	size_t n = 0;
	size_t first = NO_MEMBER;
	for (size_t i = 0; i < sf->n_members; i++) {
		const sf_mrec *m = crec(sf, i);
		if ((m->flags & MF_IN_INDEX) || m->kind == SF_KIND_INDEX)
			continue;
		dead += TAR_BLOCK + tar_padded(m->size);
		n++;
		if (first == NO_MEMBER)
			first = i;
	}
	if (n) {
		finding *f =
		    fnd_add(fl, FND_DEAD_SPACE,
		            P_("%zu member (%llu bytes) is not in the index, so Mapeo never "
		               "reads it (an older copy or an orphaned database)",
		               "%zu members (%llu bytes) are not in the index, so Mapeo never "
		               "reads them (older copies or an orphaned database)",
		               n),
		            n, (unsigned long long)dead);
		sf_member fm;
		sf_member_get(sf, first, &fm);
		f->offset = (int64_t)fm.header_off;
		fnd_set_member(f, fm.name);
	}
}

static sf_range *feed_slot(sf_feed *fd, const char *file, bool *secret, bool *localname)
{
	if (!strcmp(file, "key"))
		return &fd->key;
	if (!strcmp(file, "tree"))
		return &fd->tree;
	if (!strcmp(file, "signatures"))
		return &fd->signatures;
	if (!strcmp(file, "bitfield"))
		return &fd->bitfield;
	if (!strcmp(file, "data"))
		return &fd->data;
	if (!strcmp(file, "secret_key"))
		*secret = true;
	if (!strcmp(file, "localname"))
		*localname = true;
	return NULL;
}

/* Feeds by (number, backslash), so that a hostile inner tar of a million
 * entries over many feeds is not read in quadratic time. Slots hold feed
 * positions plus one (0: empty). */
typedef struct feed_table {
	size_t *slot;
	size_t cap; /* a power of two, at least twice the feeds */
} feed_table;

static size_t feed_hash(int n, bool backslash, size_t cap)
{
	uint64_t h = ((uint64_t)(unsigned)n << 1 | backslash) * 0x9e3779b97f4a7c15u;
	return (size_t)(h >> 32) & (cap - 1);
}

static void table_put(feed_table *t, const syncfile *sf, size_t pos)
{
	size_t i = feed_hash(sf->feeds[pos].index, sf->feeds[pos].backslash, t->cap);
	while (t->slot[i])
		i = (i + 1) & (t->cap - 1);
	t->slot[i] = pos + 1;
}

/* The feed numbered n, added when new; NULL once SD_LIMIT_FEEDS feeds exist
 * (*over is then set). */
static sf_feed *get_feed(syncfile *sf, feed_table *t, size_t *cap, int n, bool backslash,
                         const char *dir, bool *over)
{
	if (t->cap) {
		for (size_t i = feed_hash(n, backslash, t->cap); t->slot[i];
		     i = (i + 1) & (t->cap - 1)) {
			sf_feed *fd = &sf->feeds[t->slot[i] - 1];
			if (fd->index == n && fd->backslash == backslash)
				return fd;
		}
	}
	if (sf->n_feeds >= sd_limit(SD_LIMIT_FEEDS)) {
		*over = true;
		return NULL;
	}
	SD_GROW(sf->feeds, *cap, sf->n_feeds + 1);
	sf_feed *fd = &sf->feeds[sf->n_feeds++];
	memset(fd, 0, sizeof *fd);
	fd->index = n;
	fd->dir = xstrdup(dir);
	fd->backslash = backslash;
	if (2 * sf->n_feeds > t->cap) {
		free(t->slot);
		t->cap = t->cap ? 2 * t->cap : 64;
		t->slot = xcalloc(t->cap, sizeof *t->slot);
		for (size_t i = 0; i < sf->n_feeds; i++)
			table_put(t, sf, i);
	} else {
		table_put(t, sf, sf->n_feeds - 1);
	}
	return fd;
}

static int cmp_feed(const void *a, const void *b)
{
	const sf_feed *x = a, *y = b;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return (int)x->backslash - (int)y->backslash;
}
void sf_check_feed_keys(const syncfile *sf, findings *fl)
{
	for (size_t i = 0; i < sf->n_feeds; i++) {
		const sf_feed *fd = &sf->feeds[i];
		if (fd->key.present && fd->key.size == 32)
			continue;
		char where[64];
		snprintf(where, sizeof where, "%s/key", fd->dir);
		finding *f = fnd_add(
		    fl, FND_FEED_KEY_INVALID,
		    fd->key.present ? P_("the key of feed %d is %llu byte instead of 32: Mapeo "
		                         "ignores it and every feed after it",
		                         "the key of feed %d is %llu bytes instead of 32: Mapeo "
		                         "ignores it and every feed after it",
		                         fd->key.size)
		                    : _("feed %d has no key file: Mapeo ignores it and every "
		                        "feed after it"),
		    fd->index, (unsigned long long)fd->key.size);
		f->feed = fd->index;
		fnd_set_inner(f, where);
	}
}

/* What the parts of read_inner() share while they walk the inner tar. */
/* Zeroed entry headers the walk looks behind, at most (each one a guess
 * checked against the feed's own files). */
#define INNER_ZEROED 8
/* Bytes the guesses over them read, at most, to count newlines: each
 * stretch reads a feed's data again, so a database of many feeds is
 * bounded. */
#define GUESS_BUDGET (64u << 20)

typedef struct inner_walk {
	syncfile *sf;
	const sf_member *db;
	findings *fl;
	tar_iter it;
	uint64_t len; /* bytes of the database in the file */
	bool packed;  /* a temporary folder's osm-p2p-db.tar, the whole file (sf_read_packed()) */
	size_t icap, fcap;
	feed_table table;
	bool feeds_over;
	bool any_backslash, any_slash;
	/* stretches that begin with a zeroed header block: [zero_at, zero_to) */
	uint64_t zero_at[INNER_ZEROED], zero_to[INNER_ZEROED];
	bool zero_taken[INNER_ZEROED]; /* a file was read from it */
	size_t n_zero;
	uint64_t guess_left; /* bytes the guesses may still read for newlines */
	/* what the entries read (header to padding's end), in walk order */
	sf_span *read;
	size_t n_read, read_cap;
	size_t unread_cap;
} inner_walk;

/* The bytes [at, end) of the database are an entry's (clipped to it). */
static void inner_read_span(inner_walk *w, uint64_t at, uint64_t end)
{
	uint64_t db_end = w->db->data_off + w->len;
	SD_GROW(w->read, w->read_cap, w->n_read + 1);
	w->read[w->n_read++] = (sf_span){at, end < db_end ? end : db_end};
}

/* A damaged stretch of the inner tar (an event of tar_iter_next() other
 * than an entry): said once, and whether the cut of a torn append lost the
 * entries after it. False for an entry. */
static bool inner_damage(inner_walk *w, tar_event ev, const sd_error *err)
{
	if (ev == TAR_DAMAGE && err->status == SD_ERR_LIMIT) {
		finding *f =
		    fnd_add(w->fl, FND_LIMIT_EXCEEDED,
		            _("the database (osm-p2p-db.tar) in %s has more than %llu entries: "
		              "reading it stopped %llu bytes into it, and the %llu bytes after "
		              "that were not checked"),
		            w->sf->path, (unsigned long long)w->it.max_members,
		            (unsigned long long)(w->it.damage_off - w->db->data_off),
		            (unsigned long long)(w->db->data_off + w->len - w->it.damage_off));
		f->offset = (int64_t)w->it.damage_off;
		fnd_set_member(f, DB_NAME);
		return true;
	}
	if (ev == TAR_DAMAGE && w->db->unpatched &&
	    w->it.damage_off + TAR_BLOCK > w->db->data_off + w->len) {
		/* the torn append ended inside an entry's header */
		finding *f =
		    fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
		            P_("the file ends %llu byte into the header of a database "
		               "entry (at byte %llu, %llu bytes into the database): the "
		               "file was cut there, and the entries from there on are lost",
		               "the file ends %llu bytes into the header of a database "
		               "entry (at byte %llu, %llu bytes into the database): the "
		               "file was cut there, and the entries from there on are lost",
		               w->db->data_off + w->len - w->it.damage_off),
		            (unsigned long long)(w->db->data_off + w->len - w->it.damage_off),
		            (unsigned long long)w->it.damage_off,
		            (unsigned long long)(w->it.damage_off - w->db->data_off));
		f->offset = (int64_t)w->it.damage_off;
		fnd_set_member(f, DB_NAME);
		w->sf->inner_ok = false;
		w->sf->inner_cut = true;
		return true;
	}
	if (ev == TAR_DAMAGE) {
		if (w->sf->inner_ok) {
			finding *f = fnd_add(
			    w->fl, FND_INNER_TAR_DAMAGED,
			    _("the database (osm-p2p-db.tar) is damaged %llu bytes into "
			      "it: %s; Mapeo will say 'Invalid tar header'"),
			    (unsigned long long)(w->it.damage_off - w->db->data_off), err->msg);
			f->offset = (int64_t)w->it.damage_off;
			fnd_set_member(f, DB_NAME);
		}
		w->sf->inner_ok = false;
		return true;
	}
	return false;
}

/* "N/key", "N/tree", ... (N a feed's number, '/' or '\\'): a feed's file. */
static bool inner_feed_name(const char *name)
{
	size_t d = 0;
	while (isdigit((unsigned char)name[d]))
		d++;
	static const char *const files[] = {"key", "tree", "signatures", "data", "bitfield"};
	if (!d || d > 8 || (name[d] != '/' && name[d] != '\\'))
		return false;
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
		if (!strcmp(name + d + 1, files[k]))
			return true;
	return false;
}

/* A database header at off whose checksum fails (or that fails to be one:
 * its magic damaged too): one damaged byte anywhere in it. The stored
 * checksum is the sum the header had, so that byte was off by the
 * difference. Every change of one byte by it that gives the header its
 * checksum back is tried; the header is given back (name into fixed, size
 * into *size) only when every such header that names a feed's file, fits
 * in the database and is followed by a header (or zeros, or the
 * database's end) is the same. A feed lost its data or its key to one
 * flipped bit of the name ("0/fata"), its type, tar's magic or a size digit,
 * where the same header zeroed was read back (inner_guess). Bounded as
 * name_from_checksum(). */
/* Does a header at off of size bytes fit in the database (end) and lead to
 * a header whose checksum holds, or to zeros, or to the database's end? */
static bool followed_at(inner_walk *w, uint64_t off, uint64_t size, uint64_t end)
{
	uint8_t nb[TAR_BLOCK];
	tar_header nh;
	if (off + TAR_BLOCK + size > end)
		return false;
	uint64_t next = off + TAR_BLOCK + tar_padded(size);
	if (next + TAR_BLOCK > end)
		return true;
	if (sdin_read_exact(w->sf->in, nb, TAR_BLOCK, next, NULL) != SD_OK)
		return false;
	return tar_header_parse(nb, &nh) ? nh.checksum_ok : nh.zero;
}

/* One way to read a damaged header (inner_header_fix()). */
typedef struct reading {
	char name[257];
	uint64_t size;
	bool keep;
} reading;

static size_t live_readings(const reading *r, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += r[i].keep;
	return k;
}

/* The folder part of name ("0" of "0/data"), its length. */
static size_t name_dir(const char *name)
{
	size_t d = 0;
	while (name[d] && name[d] != '/' && name[d] != '\\')
		d++;
	return d;
}

/* Keeps only the readings that pass test (0: a name this database has not
 * named yet; 1: the folder of the entry before; 2: the folder of the entry
 * after), when at least one does. */
static void prefer(reading *r, size_t n, inner_walk *w, uint64_t off, int test)
{
	bool pass[4] = {false};
	size_t passing = 0;
	for (size_t k = 0; k < n; k++) {
		if (!r[k].keep)
			continue;
		const char *other = NULL;
		char nbuf[257];
		if (test == 0) {
			bool seen = false;
			for (size_t i = 0; i < w->sf->n_inner && !seen; i++)
				seen = !strcmp(w->sf->inner[i].name, r[k].name);
			pass[k] = !seen;
		} else if (test == 1 && w->sf->n_inner) {
			other = w->sf->inner[w->sf->n_inner - 1].name;
		} else if (test == 2) {
			uint8_t nb[TAR_BLOCK];
			tar_header nh;
			uint64_t next = off + TAR_BLOCK + tar_padded(r[k].size);
			if (sdin_read_exact(w->sf->in, nb, TAR_BLOCK, next, NULL) == SD_OK &&
			    tar_header_parse(nb, &nh) && nh.checksum_ok) {
				memcpy(nbuf, nh.name, sizeof nbuf);
				other = nbuf;
			}
		}
		if (other) {
			size_t a = name_dir(r[k].name), o = name_dir(other);
			pass[k] = a == o && !strncmp(r[k].name, other, a);
		}
		passing += pass[k];
	}
	for (size_t k = 0; k < n && passing; k++)
		r[k].keep = r[k].keep && pass[k];
}

static bool inner_header_fix(inner_walk *w, uint64_t off, char fixed[257], uint64_t *size)
{
	uint8_t b[TAR_BLOCK], c[TAR_BLOCK];
	tar_header h, ch;
	uint64_t end = w->db->data_off + w->len;
	if (w->sf->name_fixes >= 4096 || off + TAR_BLOCK > end ||
	    sdin_read_exact(w->sf->in, b, TAR_BLOCK, off, NULL) != SD_OK)
		return false;
	(void)tar_header_parse(b, &h);
	long d = (long)h.checksum_stored - (long)h.checksum_computed;
	/* one byte moves the sum by 255 at most: data, not a header */
	if (h.zero || h.checksum_ok || d < -255 || d > 255)
		return false;
	w->sf->name_fixes++;
	/* a size field that leads to the next header is whole: the damaged
	 * byte is elsewhere (a size digit changed by the difference can round
	 * up to the same next header) */
	bool size_whole = h.size_ok && followed_at(w, off, h.size, end);
	reading r[4];
	size_t n = 0;
	/* most one-byte changes leave the size as it was: its answer is read
	 * once, not once a byte */
	uint64_t asked = UINT64_MAX;
	bool answer = false;
	for (size_t i = 0; i < 500; i++) {
		long v = (long)b[i] + d;
		if ((i >= 148 && i < 156) || v < 0 || v > 255 || v == b[i])
			continue;
		memcpy(c, b, TAR_BLOCK);
		c[i] = (uint8_t)v;
		(void)tar_header_parse(c, &ch);
		/* a feed's file is a regular file under tar's magic, as every
		 * writer of Mapeo's wrote it: a reading that keeps a damaged type
		 * or magic is not the header (or "1/data" with '1' made '2' would
		 * be one as good as the magic mended) */
		if (!ch.checksum_ok || !ch.size_ok || !inner_feed_name(ch.name) ||
		    (ch.typeflag != '0' && ch.typeflag != '\0') ||
		    (!ch.magic_ustar && !ch.magic_gnu) || (size_whole && ch.size != h.size))
			continue;
		if (ch.size != asked) {
			asked = ch.size;
			answer = followed_at(w, off, ch.size, end);
		}
		if (!answer)
			continue;
		bool known = false;
		for (size_t k = 0; k < n && !known; k++)
			known = r[k].size == ch.size && !strcmp(r[k].name, ch.name);
		if (known)
			continue;
		if (n == sizeof r / sizeof r[0])
			return false;
		memcpy(r[n].name, ch.name, sizeof ch.name);
		r[n].size = ch.size;
		r[n].keep = true;
		n++;
	}
	/* several readings (a digit of the name or of the mode, either moved
	 * by the difference): the one whose file this database has not named
	 * yet, then the one in the folder of the entry before it, then of the
	 * entry after it */
	if (n > 1)
		prefer(r, n, w, off, 0);
	if (live_readings(r, n) > 1)
		prefer(r, n, w, off, 1);
	if (live_readings(r, n) > 1)
		prefer(r, n, w, off, 2);
	if (live_readings(r, n) != 1)
		return false;
	for (size_t k = 0; k < n; k++)
		if (r[k].keep) {
			memcpy(fixed, r[k].name, sizeof r[k].name);
			*size = r[k].size;
		}
	return true;
}

/* Entry e read with the header inner_header_fix() gave back: said once
 * (the checksum's finding is this one), named and sized as fixed. was: the
 * name as it read, NULL when the block was no header at all. */
static void inner_fixed(inner_walk *w, tar_entry *e, const char *was, const char *fixed,
                        uint64_t size)
{
	char *before = was ? escape_name(was) : NULL, *now = escape_name(fixed);
	finding *f =
	    before ? fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
	                     _("the database entry '%s' has a wrong header checksum: one byte "
	                       "of its header is damaged, and it is read as '%s' of %llu "
	                       "bytes, the one feed file that gives the header its checksum "
	                       "back; a rebuild writes the header again"),
	                     before, now, (unsigned long long)size)
	           : fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
	                     _("the database holds a damaged header %llu bytes into it: one "
	                       "byte of it is damaged, and it is read as '%s' of %llu bytes, "
	                       "the one feed file that gives the header its checksum back; a "
	                       "rebuild writes the header again"),
	                     (unsigned long long)(e->header_off - w->db->data_off), now,
	                     (unsigned long long)size);
	f->offset = (int64_t)e->header_off;
	fnd_set_member(f, DB_NAME);
	fnd_set_inner(f, now);
	free(before), free(now);
	w->sf->inner_ok = false;
	e->name = fixed;
	e->size = size;
	e->typeflag = '0';
	e->truncated = false;
	e->checksum_ok = true; /* said here: not twice */
}

/* What is wrong with one entry's header: its checksum, its data cut. */
static void inner_entry_faults(inner_walk *w, const tar_entry *e)
{
	if (!e->checksum_ok) {
		char *en = escape_name(e->name);
		finding *f = fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
		                     _("the database entry '%s' has a wrong header checksum; Mapeo "
		                       "will say 'Invalid tar header'"),
		                     en);
		f->offset = (int64_t)e->header_off;
		fnd_set_member(f, DB_NAME);
		fnd_set_inner(f, en);
		free(en);
		w->sf->inner_ok = false;
	}
	if (e->truncated) {
		char *en = escape_name(e->name);
		uint64_t have = w->sf->size > e->data_off ? w->sf->size - e->data_off : 0;
		finding *f =
		    w->db->unpatched
		        ? fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
		                  P_("the database entry '%s' (its header at byte %llu, %llu "
		                     "bytes into the database) is cut: it should hold %llu "
		                     "byte, but the file holds %llu of it",
		                     "the database entry '%s' (its header at byte %llu, %llu "
		                     "bytes into the database) is cut: it should hold %llu "
		                     "bytes, but the file ends after %llu of them",
		                     e->size),
		                  en, (unsigned long long)e->header_off,
		                  (unsigned long long)(e->header_off - w->db->data_off),
		                  (unsigned long long)e->size, (unsigned long long)have)
		        : fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
		                  _("the database entry '%s' (its header at byte %llu, %llu "
		                    "bytes into the database) is cut short: Mapeo will say "
		                    "'Unexpected end of data'"),
		                  en, (unsigned long long)e->header_off,
		                  (unsigned long long)(e->header_off - w->db->data_off));
		f->offset = (int64_t)e->header_off;
		fnd_set_member(f, DB_NAME);
		fnd_set_inner(f, en);
		free(en);
		w->sf->inner_ok = false;
		w->sf->inner_cut = true;
	}
	if (e->mtime_negative)
		w->sf->hints.negative_mtime = true;
}

/* A regular file of the inner tar: listed (sf->inner), given to its feed
 * when it is in a numbered folder, or taken as a writer hint. */
static void inner_place(inner_walk *w, const tar_entry *e)
{
	bool backslash = strchr(e->name, '\\') != NULL;
	char *norm = xstrdup(e->name);
	for (char *p = norm; *p; p++)
		if (*p == '\\')
			*p = '/';
	/* as Mapeo extracts it: read any other way, "./0/key" was silently
	 * not a feed (the check said healthy and a rebuild left it out) */
	tar_path_join(norm);
	if (backslash)
		w->any_backslash = true;
	else if (strchr(norm, '/'))
		w->any_slash = true;
	if (dangerous_name(e->name)) {
		char *en = escape_name(e->name);
		finding *f =
		    fnd_add(w->fl, FND_DANGEROUS_NAME,
		            _("the database entry name '%s' is absolute, climbs with '..' or "
		              "holds control characters"),
		            en);
		f->offset = (int64_t)e->header_off;
		fnd_set_inner(f, en);
		free(en);
	}
	SD_GROW(w->sf->inner, w->icap, w->sf->n_inner + 1);
	sf_inner *in = &w->sf->inner[w->sf->n_inner++];
	in->name = norm;
	in->off = e->data_off;
	in->size = e->truncated ? 0 : e->size;
	in->backslash = backslash;

	char *slash = strchr(norm, '/');
	if (!slash)
		return;
	size_t dlen = (size_t)(slash - norm);
	char *dir = xstrndup(norm, dlen);
	const char *file = slash + 1;
	bool numeric = dlen > 0 && dlen < 9;
	for (size_t i = 0; i < dlen; i++)
		numeric = numeric && isdigit((unsigned char)dir[i]);
	if (numeric) {
		bool was_over = w->feeds_over;
		sf_feed *fd =
		    get_feed(w->sf, &w->table, &w->fcap, atoi(dir), backslash, dir, &w->feeds_over);
		if (w->feeds_over && !was_over) {
			char *en = escape_name(e->name);
			finding *f =
			    fnd_add(w->fl, FND_LIMIT_EXCEEDED,
			            _("the database (osm-p2p-db.tar) in %s has more than %llu "
			              "feeds: "
			              "feed %s (entry '%s', %llu bytes into the database) and "
			              "every "
			              "other feed first named after it were not read nor checked"),
			            w->sf->path, (unsigned long long)sd_limit(SD_LIMIT_FEEDS), dir,
			            en, (unsigned long long)(e->header_off - w->db->data_off));
			f->offset = (int64_t)e->header_off;
			f->feed = atoi(dir);
			fnd_set_member(f, DB_NAME);
			fnd_set_inner(f, en);
			free(en);
		}
		if (fd) {
			sf_range *r = feed_slot(fd, file, &fd->has_secret_key, &fd->has_localname);
			if (r && !e->truncated) {
				fd->twice = fd->twice || r->present;
				r->present = true;
				r->off = e->data_off;
				r->size = e->size;
			} else if (r == &fd->data) {
				/* the data cut (a torn append, or a copy cut short, the
				 * data the last file of its feed): the blocks before the
				 * cut still verify against the whole tree, and a salvage
				 * or a rescue keeps them; they were all lost */
				uint64_t end = w->db->data_off + w->len;
				r->present = true;
				r->off = e->data_off;
				r->size = end > e->data_off ? end - e->data_off : 0;
			}
		}
	} else if (keys_is_hex64(dir)) {
		w->sf->hints.key_dir = true;
	} else if (!strcmp(dir, "_fake")) {
		w->sf->hints.fake_dir = true;
	} else if (!strcmp(dir, "fake")) {
		w->sf->hints.old_fake_dir = true;
	}
	free(dir);
}

/* After the walk: a database that ends without the end of its tar. A
 * packed copy has no header to give its size: Mapeo's pack ends it with
 * zero blocks, so one that ends right after an entry's data was cut while
 * it was packed (doc/formats.md §3, "Open and close"). */
static void inner_cut_at_end(inner_walk *w)
{
	bool cut = w->db->truncated || (w->packed && w->it.zero_run == 0);
	if (cut && w->sf->inner_ok) {
		/* cut exactly between two entries: nothing above says so */
		char *en = escape_name(w->sf->n_inner ? w->sf->inner[w->sf->n_inner - 1].name : "");
		finding *f =
		    w->sf->n_inner
		        ? fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
		                  _("the database ends after its entry '%s' without the end of "
		                    "its tar: the file was cut there, and the entries after it "
		                    "are lost"),
		                  en)
		    : w->packed
		        ? fnd_add(w->fl, FND_INNER_TAR_DAMAGED, "%s",
		                  _("the database holds no entry and not the end of its "
		                    "tar: Mapeo stopped as it began to pack it"))
		        : fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
		                  _("the database holds no entry: the file was cut right after "
		                    "its header"));
		free(en);
		f->offset = (int64_t)(w->db->data_off + w->len);
		fnd_set_member(f, DB_NAME);
		w->sf->inner_ok = false;
		w->sf->inner_cut = true;
	}
}

/* Feeds as Mapeo loads them: 0, 1, 2, … until the first number whose key
 * it cannot read; and what in a feed's folder does not belong in a sync
 * file. */
static void feeds_mapeo_loads(syncfile *sf, findings *fl)
{
	int expect = 0;
	for (size_t i = 0; i < sf->n_feeds; i++) {
		sf_feed *fd = &sf->feeds[i];
		if (i + 1 < sf->n_feeds && sf->feeds[i + 1].index == fd->index &&
		    fd->backslash != sf->feeds[i + 1].backslash) {
			finding *f =
			    fnd_add(fl, FND_FEED_NAME_COLLISION,
			            _("two different feeds both claim number %d (one stored with "
			              "'\\', one with '/'): Mapeo merges them and loses one"),
			            fd->index);
			f->feed = fd->index;
			fnd_set_member(f, DB_NAME);
		}
		if (fd->has_secret_key || fd->has_localname) {
			finding *f =
			    fnd_add(fl, FND_SECRET_IN_SYNCFILE,
			            _("feed %d in the sync file carries its device's %s"),
			            fd->index, fd->has_secret_key ? "secret_key" : "localname");
			f->feed = fd->index;
		}
		if (fd->index > expect) {
			finding *f = fnd_add(
			    fl, FND_FEED_GAP,
			    _("feed directory %d is missing: Mapeo ignores feed %d and every "
			      "feed after it"),
			    expect, fd->index);
			f->feed = expect;
			fnd_set_member(f, DB_NAME);
			expect = -1;
			break;
		}
		if (fd->index == expect &&
		    (i + 1 >= sf->n_feeds || sf->feeds[i + 1].index != expect))
			expect++;
	}
	/* In the sync file each feed must have its key. */
	sf_check_feed_keys(sf, fl);
}

/* A damaged stretch of the inner tar that begins with a block of zeros
 * where an entry's header was (a sector lost in storage): kept for
 * inner_zeroed_entry(). */
static void inner_note_zeroed(inner_walk *w, tar_event ev)
{
	uint64_t d = w->it.damage_off;
	if (ev != TAR_DAMAGE || w->n_zero >= INNER_ZEROED || !w->sf->db)
		return;
	if (w->n_zero && w->zero_to[w->n_zero - 1] == UINT64_MAX)
		return; /* the stretch goes on */
	uint64_t z = block_zero(w->sf, d) ? d
	             : d >= w->db->data_off + TAR_BLOCK && block_zero(w->sf, d - TAR_BLOCK)
	                 ? d - TAR_BLOCK
	                 : UINT64_MAX;
	if (z == UINT64_MAX)
		return;
	w->zero_at[w->n_zero] = z;
	w->zero_to[w->n_zero++] = UINT64_MAX;
}

/* The files of a feed that a zeroed stretch of the inner tar may hold. */
enum { GF_KEY, GF_TREE, GF_SIGS, GF_DATA, GF_BITFIELD, GF_N };
static const char *const guess_names[GF_N] = {"key", "tree", "signatures", "data", "bitfield"};

static const sf_range *guess_range(const sf_feed *fd, int k)
{
	const sf_range *r[GF_N] = {&fd->key, &fd->tree, &fd->signatures, &fd->data, &fd->bitfield};
	return r[k];
}

/* Bytes read a time while newlines are counted (Ctrl-C between reads). */
#define GUESS_CHUNK 65536

/* Newlines in the bytes [off, off + max) of the sync file, up to the first
 * zero byte (tar padding) or, when n > 0, the n-th newline: the offset just
 * after the last one counted, relative to off (0: none, n not reached, a
 * read failed, Ctrl-C, or the walk's budget *left spent); *count, when
 * given, how many. A kappa-osm entry is one JSON value and a newline
 * (doc/formats.md §4, §6). */
static uint64_t scan_lines(syncfile *sf, uint64_t off, uint64_t max, uint64_t n, uint64_t *count,
                           uint64_t *left, const sd_progress *prog)
{
	uint8_t *buf = xmalloc(GUESS_CHUNK);
	uint64_t at = 0, last = 0, seen = 0;
	bool stop = false, failed = false;
	while (at < max && !stop) {
		size_t c = max - at < GUESS_CHUNK ? (size_t)(max - at) : GUESS_CHUNK;
		if (sd_progress_cancelled(prog) || c > *left ||
		    sdin_read_exact(sf->in, buf, c, off + at, NULL) != SD_OK) {
			failed = true;
			break;
		}
		*left -= c;
		for (size_t i = 0; i < c && !stop; i++) {
			if (buf[i] == 0)
				stop = true;
			else if (buf[i] == '\n' && (last = at + i + 1, ++seen == n))
				stop = true;
		}
		at += c;
	}
	free(buf);
	if (count)
		*count = seen;
	return failed || (n && seen != n) ? 0 : last;
}

/* A feed's length as the files it has tell it: its signatures, its tree,
 * or, with neither, its data's newlines; false when nothing does, or when
 * it is past the blocks' limit (so that no size made from it overflows). */
static bool feed_len_told(syncfile *sf, const sf_feed *fd, uint64_t *len, uint64_t *left,
                          const sd_progress *prog)
{
	uint64_t l = 0;
	if (fd->signatures.present && fd->signatures.size >= HC_HEADER)
		l = (fd->signatures.size - HC_HEADER) / HC_SIG;
	else if (fd->tree.present && fd->tree.size >= HC_HEADER)
		l = ((fd->tree.size - HC_HEADER) / HC_NODE + 1) / 2;
	else if (!fd->data.present || !fd->data.size ||
	         !scan_lines(sf, fd->data.off, fd->data.size, 0, &l, left, prog))
		return false;
	if (l > sd_limit(SD_LIMIT_BLOCKS))
		return false;
	*len = l;
	return true;
}

/* The size of the data of a feed of len blocks: the sum of the sizes of
 * the roots of its stored tree (doc/formats.md §4); 0 when a root is not
 * in the tree, cannot be read, or the sum overflows. */
static uint64_t data_size_by_roots(syncfile *sf, const sf_feed *fd, uint64_t len)
{
	uint64_t roots[64], total = 0;
	size_t n = feed_full_roots(len, roots);
	for (size_t i = 0; i < n; i++) {
		uint8_t node[HC_NODE];
		uint64_t at = HC_HEADER + roots[i] * HC_NODE; /* len is bounded: no overflow */
		if (at + HC_NODE > fd->tree.size ||
		    sdin_read_exact(sf->in, node, HC_NODE, fd->tree.off + at, NULL) != SD_OK ||
		    hc_be64(node + 32) > UINT64_MAX - total)
			return 0;
		total += hc_be64(node + 32);
	}
	return total;
}

/* What the first block of a file in a zeroed stretch can begin: a file of
 * hypercore's (its header's type), a key (32 bytes, then the tar's zero
 * padding) or the data (no header of its own). */
static bool guess_kind_fits(const uint8_t *b, int k)
{
	bool hc = b[0] == 0x05 && b[1] == 0x02 && b[2] == 0x57;
	switch (k) {
	case GF_TREE: return hc_header_ok(b, TAR_BLOCK, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE);
	case GF_SIGS:
		return hc_header_ok(b, TAR_BLOCK, HC_TYPE_SIGNATURES, HC_SIG, HC_ALGO_SIGNATURES);
	case GF_BITFIELD: return hc_header_ok(b, TAR_BLOCK, HC_TYPE_BITFIELD, HC_PAGE, "");
	case GF_KEY: {
		bool any = false;
		for (int i = 0; i < 32; i++)
			any = any || b[i];
		return !hc && any && all_zero(b + 32, TAR_BLOCK - 32);
	}
	default: return !hc && b[0] != 0;
	}
}

/* The size file k of fd has when it begins at d (its first block b) in a
 * zeroed stretch that ends at to, as the feed's files found so far tell it
 * (doc/formats.md §3, §4); 0 when nothing does. *own: the data's size is
 * its own, up to its last newline (nothing else told it). */
static uint64_t guess_size(syncfile *sf, const sf_feed *fd, int k, uint64_t d, uint64_t to,
                           bool *own, uint64_t *left, const sd_progress *prog)
{
	uint64_t len = 0, room = to - d;
	bool told = feed_len_told(sf, fd, &len, left, prog);
	switch (k) {
	case GF_KEY: /* an empty feed's never: no signature could tell a wrong one */
		return told && len ? 32 : 0;
	case GF_TREE: return told ? HC_HEADER + (len ? HC_NODE * (2 * len - 1) : 0) : 0;
	case GF_SIGS: return told ? HC_HEADER + HC_SIG * len : 0;
	case GF_BITFIELD: {
		if (room < HC_HEADER)
			return 0;
		/* the whole pages that fit before the next header; when another
		 * lost file follows, the pages its length needs */
		uint64_t fit = HC_HEADER + (room - HC_HEADER) / HC_PAGE * HC_PAGE;
		if (d + tar_padded(fit) == to || !told)
			return d + tar_padded(fit) == to ? fit : 0;
		return HC_HEADER + (len + HC_PAGE_BLOCKS - 1) / HC_PAGE_BLOCKS * HC_PAGE;
	}
	default:
		if (fd->tree.present)
			return told && len ? data_size_by_roots(sf, fd, len) : 0;
		/* no tree: the newline that ends its length's last entry, or with
		 * no length told, its last entry's */
		*own = !told;
		return told && !len ? 0 : scan_lines(sf, d, room, told ? len : 0, NULL, left, prog);
	}
}

/* Whether size bytes at d end as a tar entry's data in a stretch that ends
 * at to: zero padding to the next 512-byte block, where the next (zeroed)
 * header or to is. */
static bool guess_ends(syncfile *sf, uint64_t d, uint64_t size, uint64_t to)
{
	if (!size || size > to - d)
		return false;
	uint64_t e = d + tar_padded(size);
	if (e > to || (e < to && !block_zero(sf, e)))
		return false;
	uint8_t b[TAR_BLOCK];
	size_t tail = (size_t)(e - (d + size)), at = TAR_BLOCK - tail;
	if (!tail)
		return true;
	if (sdin_read_exact(sf->in, b, TAR_BLOCK, e - TAR_BLOCK, NULL) != SD_OK)
		return false;
	return all_zero(b + at, tail);
}

/* The one file that a feed lacks (of feed only, when not NULL) that begins
 * at d and ends as the feed's other files say within [d, to): its feed
 * and kind into *fd_out, *k_out, its size returned; 0 when none or more
 * than one fit. */
static uint64_t guess_pick(inner_walk *w, sf_feed *only, uint64_t d, uint64_t to, sf_feed **fd_out,
                           int *k_out, bool *own_out, const sd_progress *prog)
{
	uint8_t b[TAR_BLOCK];
	if (sdin_read_exact(w->sf->in, b, TAR_BLOCK, d, NULL) != SD_OK)
		return 0;
	uint64_t pick = 0;
	int found = 0;
	/* only may be a feed not (yet) in sf->feeds: inner_whole_feed() */
	for (size_t i = 0; i < (only ? 1 : w->sf->n_feeds) && found < 2; i++) {
		sf_feed *fd = only ? only : &w->sf->feeds[i];
		for (int k = 0; k < GF_N && found < 2; k++) {
			if (guess_range(fd, k)->present || !guess_kind_fits(b, k))
				continue;
			bool own = false;
			uint64_t size = guess_size(w->sf, fd, k, d, to, &own, &w->guess_left, prog);
			if (!guess_ends(w->sf, d, size, to))
				continue;
			found++;
			pick = size, *fd_out = fd, *k_out = k, *own_out = own;
		}
	}
	return found == 1 ? pick : 0;
}

/* Said of one file guessed at header h (its data at h + 512), amending the
 * finding that named the damage there when there is one. */
static void guess_finding(inner_walk *w, const char *name, int k, bool own, uint64_t h,
                          uint64_t size)
{
	char *en = escape_name(name);
	finding *f = NULL;
	for (size_t i = 0; i < fnd_n(w->fl) && !f; i++) {
		const finding *c = fnd_at(w->fl, i);
		if (c->id == FND_INNER_TAR_DAMAGED && c->offset >= (int64_t)h &&
		    c->offset <= (int64_t)(h + TAR_BLOCK))
			f = fnd_edit(w->fl, i);
	}
	unsigned long long at = h, into = h - w->db->data_off, n = size;
	char *msg =
	    own ? xasprintf(P_("the header of the database entry '%s' (at byte %llu, %llu bytes "
	                       "into the database) is all zeros (storage lost that block); no "
	                       "other file of the feed gives its size, so its %llu byte runs to "
	                       "the newline that ends its last entry, and is read. Mapeo will "
	                       "say 'Invalid tar header' until a rebuild writes the header again",
	                       "the header of the database entry '%s' (at byte %llu, %llu bytes "
	                       "into the database) is all zeros (storage lost that block); no "
	                       "other file of the feed gives its size, so its %llu bytes run to "
	                       "the newline that ends its last entry, and are read. Mapeo will "
	                       "say 'Invalid tar header' until a rebuild writes the header again",
	                       n),
	                    en, at, into, n)
	    : k == GF_BITFIELD
	        ? xasprintf(P_("the header of the database entry '%s' (at byte %llu, %llu bytes "
	                       "into the database) is all zeros (storage lost that block); the "
	                       "bytes after it begin with hypercore's bitfield header, and its "
	                       "%llu byte (its whole pages) is read. Mapeo will say 'Invalid "
	                       "tar header' until a rebuild writes the header again",
	                       "the header of the database entry '%s' (at byte %llu, %llu bytes "
	                       "into the database) is all zeros (storage lost that block); the "
	                       "bytes after it begin with hypercore's bitfield header, and its "
	                       "%llu bytes (its whole pages) are read. Mapeo will say 'Invalid "
	                       "tar header' until a rebuild writes the header again",
	                       n),
	                    en, at, into, n)
	        : xasprintf(P_("the header of the database entry '%s' (at byte %llu, %llu bytes "
	                       "into the database) is all zeros (storage lost that block); its "
	                       "%llu byte, the size the feed's other files give, is still "
	                       "there and is read. Mapeo will say 'Invalid tar header' until "
	                       "a rebuild writes the header again",
	                       "the header of the database entry '%s' (at byte %llu, %llu bytes "
	                       "into the database) is all zeros (storage lost that block); its "
	                       "%llu bytes, the size the feed's other files give, are still "
	                       "there and are read. Mapeo will say 'Invalid tar header' until "
	                       "a rebuild writes the header again",
	                       n),
	                    en, at, into, n);
	if (f) {
		free(f->message);
		f->message = msg;
	} else {
		f = fnd_add(w->fl, FND_INNER_TAR_DAMAGED, "%s", msg);
		free(msg);
	}
	f->offset = (int64_t)h;
	fnd_set_member(f, DB_NAME);
	fnd_set_inner(f, en);
	free(en);
}

/* Zero blocks a walk of a stretch looks past for the next file: headers
 * and the files a lost page took whole (two pages). */
#define GUESS_SKIP 16

/* The stretch [z, to) of the inner tar begins with a zeroed header (a
 * sector or page lost in storage over one or more entries' headers). It is
 * read as the files a feed lacks, in turn: past the zero blocks (the
 * headers, and files lost whole) the next file's first bytes say what it
 * can be, and the feed's files found so far its size (doc/formats.md §3);
 * it is taken only when exactly one lacking file fits and ends where the
 * next header begins. Each file taken is then verified as any feed's is
 * (data by the tree, tree and signatures by the signature, a key only by a
 * signature), so a wrong guess is told as damage; a rebuild writes the
 * headers again. The files of one stretch are one feed's. */
/* Where the next file of a zeroed stretch begins, past the zero blocks
 * (headers, files lost whole) after pos; 0 when none is within reach. */
static uint64_t guess_next(syncfile *sf, uint64_t pos, uint64_t to)
{
	uint64_t d = pos;
	for (int s = 0; s < GUESS_SKIP && d < to && block_zero(sf, d); s++)
		d += TAR_BLOCK;
	return d == pos || d >= to || block_zero(sf, d) ? 0 : d;
}

/* File k of the feed in folder dir, guessed at d (its header at d - 512):
 * placed as an entry of the inner tar (inner_place() may move the feeds)
 * and said. */
static void guess_take(inner_walk *w, const char *dir, bool backslash, int k, uint64_t d,
                       uint64_t size, bool own)
{
	char *name = xasprintf("%s%c%s", dir, backslash ? '\\' : '/', guess_names[k]);
	tar_entry e = {.name = name,
	               .header_off = d - TAR_BLOCK,
	               .data_off = d,
	               .size = size,
	               .typeflag = '0',
	               .checksum_ok = true};
	inner_place(w, &e);
	inner_read_span(w, d - TAR_BLOCK, d + tar_padded(size));
	guess_finding(w, name, k, own, d - TAR_BLOCK, size);
	free(name);
}

/* The stretch [z, to) of the inner tar begins with a zeroed header (a
 * sector or page lost in storage over one or more entries' headers). It is
 * read as the files a feed lacks, in turn: past the zero blocks (the
 * headers, and files lost whole) the next file's first bytes say what it
 * can be, and the feed's files found so far its size (doc/formats.md §3);
 * it is taken only when exactly one lacking file fits and ends where the
 * next header begins. Each file taken is then verified as any feed's is
 * (data by the tree, tree and signatures by the signature, a key only by a
 * signature), so a wrong guess is told as damage; a rebuild writes the
 * headers again. The files of one stretch are one feed's. How many were
 * taken. */
static size_t inner_zeroed_stretch(inner_walk *w, uint64_t z, uint64_t to, const sd_progress *prog)
{
	syncfile *sf = w->sf;
	sf_feed *only = NULL;
	uint64_t pos = z, d;
	size_t taken = 0;
	for (int step = 0; step < GF_N && pos < to && !sd_progress_cancelled(prog) &&
	                   (d = guess_next(sf, pos, to)) != 0;
	     step++) {
		sf_feed *fd = NULL;
		int k = 0;
		bool own = false;
		uint64_t size = guess_pick(w, only, d, to, &fd, &k, &own, prog);
		if (!size)
			break;
		int index = fd->index;
		bool backslash = fd->backslash;
		char *dir = xstrdup(fd->dir);
		guess_take(w, dir, backslash, k, d, size, own); /* found again by number */
		free(dir);
		for (size_t i = 0; i < sf->n_feeds; i++)
			if (sf->feeds[i].index == index && sf->feeds[i].backslash == backslash)
				only = &sf->feeds[i];
		pos = d + tar_padded(size);
		taken++;
	}
	return taken;
}

/* The numbers k feeds none of whose headers survived take: Mapeo loads
 * feeds 0, 1, 2, ... up to the first number it lacks (doc/formats.md §3),
 * and nothing else in the file says whose number is whose; so only when
 * exactly k numbers below the count of feeds found and these k are
 * missing, those, into out[0..k-1] from the lowest; false otherwise (never
 * a guess of a number past a gap). Which of them each feed had cannot be
 * told; it does not matter to Mapeo, which finds a feed by its key (a
 * rebuild numbers the feeds anew). */
static bool whole_feed_numbers(const syncfile *sf, size_t k, int *out)
{
	size_t n = sf->n_feeds;
	if (!k || n + k >= (size_t)INT_MAX)
		return false;
	bool *seen = xcalloc(n + k, sizeof *seen);
	for (size_t i = 0; i < n; i++)
		if (sf->feeds[i].index >= 0 && (size_t)sf->feeds[i].index < n + k)
			seen[sf->feeds[i].index] = true;
	size_t holes = 0;
	for (size_t i = 0; i < n + k; i++)
		if (!seen[i] && holes++ < k)
			out[holes - 1] = (int)i;
	free(seen);
	return holes == k;
}

/* The tree of a feed none of whose headers survived, in the stretch
 * [z, to): a file that begins with hypercore's tree header after a zeroed
 * block (its lost header). A tree holds every node of its feed (a hash,
 * then a size), so no block of it reads all zeros: it ends in the last
 * node that holds the last byte that is not zero before the next zero
 * block, and holds an odd number of nodes (2L - 1, §4). Into *tree, with
 * *n the trees found: the first one, or with all, every one counted (up
 * to 2). False when there is none. */
static bool whole_feed_tree(syncfile *sf, uint64_t z, uint64_t to, bool all, sf_range *tree, int *n,
                            const sd_progress *prog)
{
	uint8_t b[TAR_BLOCK];
	int found = 0;
	for (uint64_t d = z + TAR_BLOCK;
	     d < to && found < (all ? 2 : 1) && !sd_progress_cancelled(prog); d += TAR_BLOCK) {
		if (sdin_read_exact(sf->in, b, TAR_BLOCK, d, NULL) != SD_OK)
			break;
		if (!hc_header_ok(b, TAR_BLOCK, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE) ||
		    !block_zero(sf, d - TAR_BLOCK))
			continue;
		uint64_t e = d + TAR_BLOCK, last = d + HC_HEADER - 1;
		for (size_t i = HC_HEADER; i < TAR_BLOCK; i++)
			last = b[i] ? d + i : last;
		bool read_ok = true;
		for (; e < to && !sd_progress_cancelled(prog); e += TAR_BLOCK) {
			if (sdin_read_exact(sf->in, b, TAR_BLOCK, e, NULL) != SD_OK) {
				read_ok = false;
				break;
			}
			size_t i = TAR_BLOCK;
			while (i > 0 && !b[i - 1])
				i--;
			if (!i)
				break;
			last = e + i - 1;
		}
		if (!read_ok)
			break;
		/* (an empty feed's tree, a header alone, tells no length) */
		uint64_t nodes = (last + 1 - d - HC_HEADER + HC_NODE - 1) / HC_NODE;
		if (nodes % 2 != 1 || nodes > 2 * sd_limit(SD_LIMIT_BLOCKS))
			continue;
		if (!found++)
			*tree = (sf_range){
			    .present = true, .off = d, .size = HC_HEADER + nodes * HC_NODE};
		d = e - TAR_BLOCK; /* past this tree */
	}
	*n = found;
	return found > 0;
}

/* One feed none of whose headers survived, read from a zeroed stretch. */
typedef struct whole_guess {
	sf_feed fresh;
	struct {
		uint64_t d, size;
		int k;
	} got[GF_N];
	size_t n;
	uint64_t at, end; /* its first file's lost header; past its last file */
	size_t stretch;
} whole_guess;

/* The files of one such feed from pos in [pos, to) (a dry run: nothing is
 * taken), its tree the first one after pos (whole_feed_tree()), for the
 * length it tells: the files in turn, each size told by the length
 * (doc/formats.md §3). False unless they give the feed's key, signatures,
 * tree and data (an empty feed's key is never guessed), or with need_all
 * every one of its GF_N files. */
static bool whole_feed_read(inner_walk *w, uint64_t pos, uint64_t to, bool need_all,
                            const sf_range *tree, whole_guess *g, const sd_progress *prog)
{
	memset(g, 0, sizeof *g);
	g->fresh.index = -1;
	g->fresh.tree = *tree;
	g->at = pos;
	uint64_t d;
	bool tree_at = false;
	while (g->n < GF_N && pos < to && !sd_progress_cancelled(prog) &&
	       (d = guess_next(w->sf, pos, to)) != 0) {
		sf_feed *fd = NULL;
		int k = GF_TREE;
		bool own = false;
		uint64_t size = g->fresh.tree.size;
		if (d != g->fresh.tree.off &&
		    !(size = guess_pick(w, &g->fresh, d, to, &fd, &k, &own, prog)))
			break;
		sf_range *r = (sf_range *)guess_range(&g->fresh, k);
		*r = (sf_range){.present = true, .off = d, .size = size};
		tree_at = tree_at || k == GF_TREE;
		g->got[g->n].d = d, g->got[g->n].size = size, g->got[g->n++].k = k;
		pos = d + tar_padded(size);
	}
	g->end = pos;
	return tree_at && g->fresh.key.present && g->fresh.signatures.present &&
	       g->fresh.data.present && (!need_all || g->n == GF_N);
}

/* whole_feed_read() from pos, else from each later file's lost header up
 * to the first tree after pos (at most WHOLE_TRIES of them: an empty
 * feed's four files; each try reads up to the tree again, so hostile
 * input with a lost header every other block would take time squared):
 * files before the feed's own (an empty feed's, whose key is never
 * guessed, or a file lost in part) are left unread. A feed read from past
 * pos must give all its GF_N files. first: that tree when the caller
 * found it, else NULL. */
#define WHOLE_TRIES (2 * GF_N)
static bool whole_feed_at(inner_walk *w, uint64_t pos, uint64_t to, bool need_all,
                          const sf_range *first, whole_guess *g, const sd_progress *prog)
{
	sf_range tree;
	int trees;
	if (first)
		tree = *first;
	else if (!whole_feed_tree(w->sf, pos, to, false, &tree, &trees, prog))
		return false;
	if (whole_feed_read(w, pos, to, need_all, &tree, g, prog))
		return true;
	int tries = 0;
	for (uint64_t h = pos + TAR_BLOCK;
	     h + TAR_BLOCK < tree.off && tries < WHOLE_TRIES && !sd_progress_cancelled(prog);
	     h += TAR_BLOCK) {
		if (!block_zero(w->sf, h) || block_zero(w->sf, h + TAR_BLOCK))
			continue;
		if (whole_feed_read(w, h, to, true, &tree, g, prog))
			return true;
		tries++;
	}
	return false;
}

/* The zeroed stretches nothing was read from (their first file no feed
 * found lacks) may hold every file of feeds whose headers were all lost.
 * A stretch with one tree is read as one feed; one with several as feeds
 * one after the other, as the tar holds a folder's files together: each
 * feed's files must then all be there (GF_N), or where one feed ends and
 * the next begins cannot be told. Only when every feed read takes one of
 * the numbers the feeds found lack (whole_feed_numbers()) are the files
 * taken, numbered in the order they lie; every file is then verified as
 * any feed's (a wrong guess is damage, a bitfield given to the wrong feed
 * does not fit its tree and is written again by a rebuild). */
static void inner_whole_feed(inner_walk *w, const sd_progress *prog)
{
	if (w->feeds_over)
		return;
	whole_guess *gs = NULL;
	size_t n = 0, cap = 0;
	for (size_t c = 0; c < w->n_zero && !sd_progress_cancelled(prog); c++) {
		if (w->zero_taken[c])
			continue;
		uint64_t pos = w->zero_at[c], to = w->zero_to[c];
		sf_range first;
		int trees;
		if (!whole_feed_tree(w->sf, pos, to, true, &first, &trees, prog))
			continue;
		/* one feed after another while each is read whole (every read
		 * moves past at least one file); where one is not, the stretch's
		 * rest is left unread */
		for (size_t from = n; pos < to && (trees > 1 || n == from) &&
		                      w->sf->n_feeds + n < sd_limit(SD_LIMIT_FEEDS);) {
			SD_GROW(gs, cap, n + 1);
			if (!whole_feed_at(w, pos, to, trees > 1, n == from ? &first : NULL, &gs[n],
			                   prog))
				break;
			gs[n].stretch = c;
			pos = gs[n++].end;
		}
	}
	int *numbers = n ? xcalloc(n, sizeof *numbers) : NULL;
	if (!n || !whole_feed_numbers(w->sf, n, numbers)) {
		free(numbers);
		free(gs);
		return;
	}
	bool backslash = w->any_backslash && !w->any_slash;
	for (size_t i = 0; i < n; i++) {
		whole_guess *g = &gs[i];
		int index = numbers[i];
		char dir[16];
		snprintf(dir, sizeof dir, "%d", index);
		for (size_t j = 0; j < g->n; j++)
			guess_take(w, dir, backslash, g->got[j].k, g->got[j].d, g->got[j].size,
			           false);
		w->zero_taken[g->stretch] = true;
		unsigned long long at = g->at, into = g->at - w->db->data_off;
		finding *f;
		if (n == 1)
			f = fnd_add(
			    w->fl, FND_INNER_TAR_DAMAGED,
			    P_("feed %d: no header of its files is left (storage lost them, "
			       "from byte %llu, %llu bytes into the database); %zu file was "
			       "read by its shape and the sizes the feed's files give each "
			       "other, and numbered %d, the one number the feeds found lack; "
			       "what it holds is verified below as any feed's",
			       "feed %d: no header of its files is left (storage lost them, "
			       "from byte %llu, %llu bytes into the database); %zu files were "
			       "read by their shapes and the sizes the feed's files give each "
			       "other, and numbered %d, the one number the feeds found lack; "
			       "what they hold is verified below as any feed's",
			       g->n),
			    index, at, into, g->n, index);
		else
			f = fnd_add(
			    w->fl, FND_INNER_TAR_DAMAGED,
			    P_("feed %d: no header of its files is left (storage lost them, "
			       "from byte %llu, %llu bytes into the database); %zu file was "
			       "read by its shape and the sizes the feed's files give each "
			       "other. %zu feeds lost all their headers: they take the numbers "
			       "the feeds found lack, in the order they lie in the file (which "
			       "number was whose cannot be told; Mapeo knows a feed by its "
			       "key, not its number). What it holds is verified below as any "
			       "feed's",
			       "feed %d: no header of its files is left (storage lost them, "
			       "from byte %llu, %llu bytes into the database); %zu files were "
			       "read by their shapes and the sizes the feed's files give each "
			       "other. %zu feeds lost all their headers: they take the numbers "
			       "the feeds found lack, in the order they lie in the file (which "
			       "number was whose cannot be told; Mapeo knows a feed by its "
			       "key, not its number). What they hold is verified below as any "
			       "feed's",
			       g->n),
			    index, at, into, g->n, n);
		f->offset = (int64_t)g->at;
		f->feed = index;
		fnd_set_member(f, DB_NAME);
	}
	free(numbers);
	free(gs);
}

/* A feed that lacks its signatures, tree and data in a database with a
 * zeroed stretch (first at z): nothing left gives its length. */
static void inner_no_length(inner_walk *w, uint64_t z)
{
	/* the damage began where the zeros before that header begin */
	for (int s = 0; s < 4 * GUESS_SKIP && z >= w->db->data_off + TAR_BLOCK &&
	                block_zero(w->sf, z - TAR_BLOCK);
	     s++)
		z -= TAR_BLOCK;
	for (size_t i = 0; i < w->sf->n_feeds; i++) {
		const sf_feed *fd = &w->sf->feeds[i];
		if (fd->signatures.present || fd->tree.present || fd->data.present)
			continue;
		uint8_t key[32];
		char hex[KEYS_HEX_SIZE], shown[16] = "";
		if (fd->key.present && fd->key.size == 32 &&
		    sdin_read_exact(w->sf->in, key, 32, fd->key.off, NULL) == SD_OK) {
			keys_hex(key, 32, hex);
			keys_footer_form(hex, shown);
		}
		unsigned long long at = z, into = z - w->db->data_off;
		finding *f =
		    *shown ? fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
		                     _("feed %d (%s): its signatures, tree and data are not in the "
		                       "database, which is damaged from byte %llu (%llu bytes into "
		                       "it, a header lost in storage): nothing left gives the "
		                       "feed's length, so none of its blocks can be read back or "
		                       "verified"),
		                     fd->index, shown, at, into)
		           : fnd_add(w->fl, FND_INNER_TAR_DAMAGED,
		                     _("feed %d (its key lost too): its signatures, tree and data "
		                       "are not in the database, which is damaged from byte %llu "
		                       "(%llu bytes into it, a header lost in storage): nothing "
		                       "left gives the feed's length, so none of its blocks can "
		                       "be read back or verified"),
		                     fd->index, at, into);
		f->offset = (int64_t)z;
		f->feed = fd->index;
		fnd_set_member(f, DB_NAME);
		fnd_set_inner(f, fd->dir);
	}
}

static int cmp_span(const void *a, const void *b)
{
	const sf_span *x = a, *y = b;
	return x->at != y->at ? (x->at < y->at ? -1 : 1) : 0;
}

/* The blocks of the gap [at, end) between entries that are not all zeros
 * (zero blocks there are lost headers, lone padding or the tar's end):
 * one stretch from the first to the last, kept in sf->unread and said. */
static void inner_gap(inner_walk *w, uint64_t at, uint64_t end, const sd_progress *prog)
{
	uint64_t first = UINT64_MAX, last = 0;
	for (uint64_t b = at; b < end && !sd_progress_cancelled(prog); b += TAR_BLOCK) {
		uint8_t blk[TAR_BLOCK];
		size_t n = end - b < TAR_BLOCK ? (size_t)(end - b) : TAR_BLOCK;
		/* holes of a sparse file read as zeros: skipped unread */
		uint64_t data = sdin_next_data(w->sf->in, b) / TAR_BLOCK * TAR_BLOCK;
		if (data > b) {
			b = data - TAR_BLOCK;
			continue;
		}
		if (sdin_read_exact(w->sf->in, blk, n, b, NULL) != SD_OK)
			break;
		bool zero = all_zero(blk, n);
		if (!zero)
			first = first == UINT64_MAX ? b : first, last = b + n;
	}
	if (first == UINT64_MAX)
		return;
	syncfile *sf = w->sf;
	SD_GROW(sf->unread, w->unread_cap, sf->n_unread + 1);
	sf->unread[sf->n_unread++] = (sf_span){first, last};
	unsigned long long from = first, to = last, n = last - first,
	                   into = first - w->db->data_off;
	finding *f = fnd_add(
	    w->fl, FND_INNER_TAR_DAMAGED,
	    P_("%llu byte of the database (from byte %llu to %llu, %llu bytes into it) is in no "
	       "entry that could be read: the files it holds (a feed's, when storage lost their "
	       "headers) could not be found, are not counted above, and a rebuild cannot keep "
	       "it",
	       "%llu bytes of the database (from byte %llu to %llu, %llu bytes into it) are in "
	       "no entry that could be read: the files they hold (a feed's, when storage lost "
	       "their headers) could not be found, are not counted above, and a rebuild cannot "
	       "keep them",
	       n),
	    n, from, to, into);
	f->offset = (int64_t)first;
	fnd_set_member(f, DB_NAME);
}

/* After the walk of a damaged inner tar: the bytes no entry read and that
 * are not all zeros (doc/formats.md §3), so that no file the damage hid
 * goes unsaid. */
static void inner_unread(inner_walk *w, const sd_progress *prog)
{
	uint64_t pos = w->db->data_off, end = w->db->data_off + w->len;
	if (w->n_read > 1) /* (NULL when nothing was read: qsort must not see it) */
		qsort(w->read, w->n_read, sizeof *w->read, cmp_span);
	for (size_t i = 0; i <= w->n_read && pos < end && !sd_progress_cancelled(prog); i++) {
		uint64_t next = i < w->n_read && w->read[i].at < end ? w->read[i].at : end;
		if (next > pos)
			inner_gap(w, pos, next, prog);
		if (i < w->n_read && w->read[i].end > pos)
			pos = w->read[i].end;
	}
}

static void read_inner(syncfile *sf, findings *fl, bool packed, const sd_progress *prog)
{
	const sf_member *db = sf->db;
	inner_walk w = {.sf = sf, .db = db, .fl = fl, .packed = packed};
	w.len = db->truncated ? sf->size - db->data_off : db->size;
	tar_iter_init(&w.it, sf->in, db->data_off, w.len);
	w.it.max_members = sd_limit(SD_LIMIT_INNER_MEMBERS);
	sf->inner_ok = true;
	for (;;) {
		if (sd_progress_cancelled(prog))
			break;
		tar_entry e;
		sd_error err;
		sd_error_clear(&err);
		tar_event ev = tar_iter_next(&w.it, &e, &err);
		if (ev == TAR_END)
			break;
		char dfixed[257];
		uint64_t dsize;
		if (ev == TAR_DAMAGE && !w.it.done &&
		    inner_header_fix(&w, w.it.damage_off, dfixed, &dsize)) {
			/* no header any more (its magic damaged too): one byte */
			e = (tar_entry){.header_off = w.it.damage_off,
			                .data_off = w.it.damage_off + TAR_BLOCK,
			                .typeflag = '0'};
			inner_fixed(&w, &e, NULL, dfixed, dsize);
			w.it.pos = e.data_off + tar_padded(dsize) < w.it.end
			               ? e.data_off + tar_padded(dsize)
			               : w.it.end;
			w.it.zero_run = 0;
			ev = TAR_MEMBER;
		}
		if (inner_damage(&w, ev, &err)) {
			inner_note_zeroed(&w, ev);
			continue;
		}
		if (w.n_zero && w.zero_to[w.n_zero - 1] == UINT64_MAX)
			w.zero_to[w.n_zero - 1] = e.header_off;
		inner_read_span(&w, e.header_off,
		                e.truncated ? UINT64_MAX : e.data_off + tar_padded(e.size));
		char fixed[257];
		uint64_t fsize;
		tar_entry fe = e;
		if (!e.checksum_ok && inner_header_fix(&w, e.header_off, fixed, &fsize) &&
		    (strcmp(fixed, e.name) != 0 || fsize != e.size ||
		     (e.typeflag != '0' && e.typeflag != '\0'))) {
			inner_fixed(&w, &fe, e.name, fixed, fsize);
			/* the walk goes on after the data the size given back ends */
			w.it.pos = fe.data_off + tar_padded(fsize) < w.it.end
			               ? fe.data_off + tar_padded(fsize)
			               : w.it.end;
		}
		inner_entry_faults(&w, &fe);
		if (fe.typeflag != '0' && fe.typeflag != '\0')
			continue; /* only regular files carry feeds */
		inner_place(&w, &fe);
	}
	tar_iter_free(&w.it);
	if (w.n_zero && w.zero_to[w.n_zero - 1] == UINT64_MAX) {
		/* the last stretch ends where the tar's end (its zeros) begins, so
		 * that its last file's whole pages are not read over them */
		uint64_t *to = &w.zero_to[w.n_zero - 1];
		*to = db->data_off + w.len;
		for (int s = 0;
		     s < 4 * GUESS_SKIP && *to >= w.zero_at[w.n_zero - 1] + 2 * TAR_BLOCK &&
		     block_zero(sf, *to - TAR_BLOCK);
		     s++)
			*to -= TAR_BLOCK;
	}
	w.guess_left = GUESS_BUDGET;
	for (size_t k = 0; k < w.n_zero; k++)
		w.zero_taken[k] = inner_zeroed_stretch(&w, w.zero_at[k], w.zero_to[k], prog) > 0;
	inner_whole_feed(&w, prog);
	if (w.n_zero)
		inner_no_length(&w, w.zero_at[0]);
	if (!sf->inner_ok)
		inner_unread(&w, prog);
	free(w.read);
	free(w.table.slot);
	inner_cut_at_end(&w);
	sf->hints.backslashes = w.any_backslash;
	if (sf->n_feeds)
		qsort(sf->feeds, sf->n_feeds, sizeof *sf->feeds, cmp_feed);

	if (w.any_backslash) {
		finding *f =
		    fnd_add(fl, FND_WINDOWS_PATHS,
		            _("the database's names use backslashes ('0\\key'): it was written "
		              "on Windows by Mapeo before February 2020, and Mapeo of that time "
		              "on macOS or Linux saw no data in it"));
		fnd_set_member(f, DB_NAME);
	}
	(void)w.any_slash;
	feeds_mapeo_loads(sf, fl);
}

/* Does s differ from want in exactly one byte (the same length)? */
static bool one_byte_off(const char *s, const char *want)
{
	size_t n = 0, i = 0;
	for (; s[i] && want[i]; i++)
		n += s[i] != want[i];
	return !s[i] && !want[i] && n == 1;
}

static void era_and_hints(syncfile *sf, findings *fl)
{
	if (sf->p2p_db && !strcmp(sf->p2p_db, "hyperlog")) {
		sf->era = SF_ERA_HYPERLOG_V1;
		fnd_add(fl, FND_ERA_HYPERLOG,
		        _("the file says it holds a 'hyperlog' database: it was written by Mapeo "
		          "Desktop "
		          "3 (or mapeo-core 2.0.0-2.0.1); Mapeo Desktop 4 and later refuse it with "
		          "'trying to sync this kappa-osm database with a hyperlog database!'"));
	} else if (sf->p2p_db && one_byte_off(sf->p2p_db, "kappa-osm") && sf->n_feeds) {
		/* A flipped byte in the index, over a database of hypercore
		 * feeds: the era is the database's. Mapeo still refuses the
		 * file (project-unreadable says so); a rebuild writes the value
		 * again. Read as an unknown era, the feeds were neither checked
		 * nor kept. */
		sf->era = SF_ERA_KAPPA_OSM_V2;
		char *en = escape_name(sf->p2p_db);
		fnd_add(fl, FND_DAMAGED_INDEX,
		        _("the index says the database is '%s', one byte off 'kappa-osm', over a "
		          "kappa-osm database: a damaged byte; Mapeo refuses the file until a "
		          "rebuild writes it again"),
		        en);
		free(en);
	} else if (sf->p2p_db && strcmp(sf->p2p_db, "kappa-osm") != 0) {
		sf->era = SF_ERA_UNKNOWN;
		char *en = escape_name(sf->p2p_db);
		fnd_add(fl, FND_ERA_UNKNOWN,
		        _("the file says it holds a '%s' database, which no Mapeo knows"), en);
		free(en);
	} else if (sf->db || (sf->p2p_db && !strcmp(sf->p2p_db, "kappa-osm"))) {
		sf->era = SF_ERA_KAPPA_OSM_V2;
		fnd_add(fl, FND_ERA_KAPPA_OSM,
		        _("a Mapeo Desktop 4 to 5.6 sync file (kappa-osm database)"));
	} else {
		sf->era = SF_ERA_UNKNOWN;
	}
	const sf_hints *h = &sf->hints;
	if (h->key_dir)
		fnd_add(fl, FND_WRITER_HINT,
		        _("a root feed folder named after the project key: written by Mapeo "
		          "Desktop 5.0 "
		          "to 5.2 (multifeed 4.1.7 to 4.1.10)"));
	if (h->fake_dir)
		fnd_add(fl, FND_WRITER_HINT,
		        _("a '_fake' folder: written by an early Mapeo Desktop 4 or 5 (multifeed "
		          "3.x to "
		          "4.1.6)"));
	if (h->old_fake_dir)
		fnd_add(fl, FND_WRITER_HINT,
		        _("a 'fake' folder: written by Mapeo Desktop 4 (multifeed 2.x)"));
	if (h->backslashes)
		fnd_add(
		    fl, FND_WRITER_HINT,
		    _("backslash names: written on Windows by osm-p2p-syncfile older than 4.1.1"));
	if (h->discovery_key)
		fnd_add(fl, FND_WRITER_HINT,
		        _("the userdata names a discovery key: last written by mapeo-core 8.0.4 or "
		          "newer "
		          "(Mapeo Desktop 5)"));
	if (h->legacy_project_id)
		fnd_add(
		    fl, FND_WRITER_HINT,
		    _("the userdata has projectId/projectKey: written by mapeo-core 7.1 to 8.0.2; "
		      "newer Mapeo treats it as the default project"));
	if (h->extra_zero_block)
		fnd_add(
		    fl, FND_WRITER_HINT,
		    _("an extra zero block after a member: written by indexed-tarball older than "
		      "3.1.1"));
	if (h->negative_mtime)
		fnd_add(fl, FND_WRITER_HINT,
		        _("tar times before 1970: the device that last wrote the file had its "
		          "clock set "
		          "after the year 2038"));
}

static void project_key_exposed(syncfile *sf, findings *fl)
{
	for (size_t i = 0; i < sf->n_inner; i++) {
		const char *n = sf->inner[i].name;
		const char *slash = strchr(n, '/');
		if (!slash || slash - n != 64 || strcmp(slash + 1, "key") != 0)
			continue;
		char dir[KEYS_HEX_SIZE];
		memcpy(dir, n, 64);
		dir[64] = '\0';
		if (!keys_is_hex64(dir))
			continue;
		char shown[16];
		keys_footer_form(dir, shown);
		finding *f =
		    fnd_add(fl, FND_PROJECT_KEY_EXPOSED,
		            _("the database holds a folder named after the project key (%s): "
		              "anyone with this file has the key"),
		            shown);
		f->offset = (int64_t)sf->inner[i].off;
		fnd_set_member(f, DB_NAME);
		char inner[32];
		snprintf(inner, sizeof inner, "%s/key", shown);
		fnd_set_inner(f, inner);
		return;
	}
}

void sf_read_packed(syncfile *sf, sd_input *in, findings *fl, const sd_progress *prog)
{
	sf_member m = {.data_off = 0,
	               .size = sdin_size(in),
	               .kind = SF_KIND_DB,
	               .in_index = true,
	               .checksum_ok = true};
	sf_member_append(sf, &m, xstrdup(DB_NAME));
	sf_member_get(sf, sf->n_members - 1, &sf->db_m);
	sf->db = &sf->db_m;
	sf->in = in;
	read_inner(sf, fl, true, prog);
	project_key_exposed(sf, fl);
	sf->in = NULL;
}

/* A tar whose members are a configuration's (metadata.json, presets.json)
 * and that has none of a sync file's. */
static bool is_configuration(const syncfile *sf)
{
	bool config = false;
	for (size_t i = 0; i < sf->n_members; i++) {
		if (crec(sf, i)->kind != SF_KIND_OTHER)
			return false;
	}
	sf_member m;
	for (size_t i = 0; i < sf->n_members && !config; i++) {
		sf_member_get(sf, i, &m);
		config = !strcmp(m.name, "metadata.json") || !strcmp(m.name, "presets.json");
	}
	return config;
}

/* A tar of feed files ("0/key", "1/data"...) and none of a sync file's
 * members: a database's own tar (osm-p2p-db.tar taken out of a sync file,
 * or left in a temporary osm-p2p-syncfile folder), given as a sync file. */
static bool is_database_tar(const syncfile *sf)
{
	static const char *const files[] = {"key", "tree", "signatures", "data", "bitfield"};
	bool feed = false;
	sf_member m;
	for (size_t i = 0; i < sf->n_members; i++)
		if (crec(sf, i)->kind != SF_KIND_OTHER)
			return false;
	for (size_t i = 0; i < sf->n_members && !feed; i++) {
		sf_member_get(sf, i, &m);
		const char *p = m.name;
		p += !strncmp(p, "./", 2) ? 2 : 0;
		size_t d = strspn(p, "0123456789");
		for (size_t k = 0; d && (p[d] == '/' || p[d] == '\\') && k < 5 && !feed; k++)
			feed = !strcmp(p + d + 1, files[k]);
	}
	return feed;
}

/* A syncfile for the input in (its owner from now on), before its walk. */
static syncfile *new_syncfile(const char *path, sd_input *in)
{
	syncfile *sf = xcalloc(1, sizeof *sf);
	sf->path = xstrdup(path);
	sf->in = in;
	as_source(sf);
	sf->size = sdin_size(in);
	sf->zeros_from = sf->size;
	sf->mtime = sdin_mtime(in);
	const char *nb = getenv("SYNCDOCTOR_NAMES_BUDGET");
	sf->names_budget = nb && *nb ? (size_t)strtoull(nb, NULL, 10) : (size_t)1 << 20;
	sf->names_budget = sf->names_budget > names_held ? sf->names_budget - names_held : 0;
	if (sf->names_budget > SF_NAME_ARENA - 1)
		sf->names_budget = SF_NAME_ARENA - 1;
	return sf;
}

/* No database in the file: say how it got lost, as far as the file tells. */
static void database_missing(syncfile *sf, findings *fl)
{
	finding *f;
	if (sf->end_unwritten)
		f = fnd_add(fl, FND_DATABASE_MISSING,
		            P_("the file holds %zu photo but no database (osm-p2p-db.tar): "
		               "Mapeo keeps it after the photos, where this copy is only "
		               "zeros from byte %llu, so it was lost there (unless a sync "
		               "that never finished had taken it out)",
		               "the file holds %zu photos but no database (osm-p2p-db.tar): "
		               "Mapeo keeps it after the photos, where this copy is only "
		               "zeros from byte %llu, so it was lost there (unless a sync "
		               "that never finished had taken it out)",
		               sf->n_media),
		            sf->n_media, (unsigned long long)sf->zeros_from);
	else
		f = fnd_add(fl, FND_DATABASE_MISSING,
		            sf->n_media
		                ? P_("the file holds %zu photo but no database (osm-p2p-db.tar): "
		                     "it was taken out during a sync and never put back",
		                     "the file holds %zu photos but no database (osm-p2p-db.tar): "
		                     "it was taken out during a sync and never put back",
		                     sf->n_media)
		                : _("the file holds no database (osm-p2p-db.tar): a sync "
		                    "started but never finished (%zu photos)"),
		            sf->n_media);
	f->offset = -1;
}

/* Point at the members that count: the photos, and the database the
 * index names (else the last one), or the one whose header is at want_db.
 * False when there is none at want_db. */
static bool count_members(syncfile *sf, uint64_t want_db)
{
	size_t db = NO_MEMBER;
	bool db_in_index = false;
	for (size_t i = 0; i < sf->n_members; i++) {
		const sf_mrec *m = crec(sf, i);
		bool in_index = m->flags & MF_IN_INDEX;
		if (m->kind == SF_KIND_MEDIA && (in_index || !sf->has_index)) {
			sf->n_media++;
			sf->media_bytes += m->size;
		}
		if (m->kind == SF_KIND_DB && want_db == SF_DB_DEFAULT &&
		    (db == NO_MEMBER || in_index || !db_in_index)) {
			db = i;
			db_in_index = in_index;
		}
		if (m->kind == SF_KIND_DB && m->data_off == want_db + TAR_BLOCK)
			db = i;
	}
	sf->db = NULL;
	if (db != NO_MEMBER) {
		sf_member_get(sf, db, &sf->db_m);
		sf->db = &sf->db_m;
	}
	return want_db == SF_DB_DEFAULT || db != NO_MEMBER;
}

/* Under 1024 bytes: no sync file to Mapeo. */
static void too_small(const syncfile *sf, findings *fl)
{
	finding *f = fnd_add(fl, FND_FILE_TOO_SMALL,
	                     P_("the file has only %llu byte: Mapeo treats a file under 1024 "
	                        "bytes as empty and overwrites it",
	                        "the file has only %llu bytes: Mapeo treats a file under 1024 "
	                        "bytes as empty and overwrites it",
	                        sf->size),
	                     (unsigned long long)sf->size);
	f->offset = 0;
}

static sd_status open_sync_file(const char *path, syncfile **out, findings *fl,
                                const sd_progress *prog, bool fingerprint, uint64_t want_db,
                                sd_error *err)
{
	*out = NULL;
	sd_input *in;
	sd_status st = sdin_open(path, &in, err);
	if (st != SD_OK)
		return st;
	if (fingerprint)
		sdin_hash_start_threaded(in);
	syncfile *sf = *out = new_syncfile(path, in);

	uint8_t b[TAR_BLOCK];
	size_t got = 0;
	if ((st = sdin_pread(in, b, sizeof b, 0, &got, err)) != SD_OK) {
		sf_close(sf);
		*out = NULL;
		return st;
	}
	if (got >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		sf->era = SF_ERA_GZIP_V0;
		fnd_add(
		    fl, FND_ERA_LEGACY_GZIP,
		    _("a gzip-compressed sync file from Mapeo Desktop 2.x or older: current Mapeo "
		      "says 'unsupported syncfile type'"));
		return SD_OK;
	}
	if (sf->size < 1024) {
		too_small(sf, fl);
		return SD_OK;
	}
	tar_header h;
	/* a flip in the first header's magic, with no index left to find (a
	 * torn append): still a sync file when the header is one otherwise */
	if (!tar_header_parse(b, &h) && !h.zero && !index_near_end(sf) &&
	    !only_magic_damaged(sf, &h, 0)) {
		const char *what = got >= 4 && !memcmp(b, "PK\003\004", 4)
		                       ? _("it is a ZIP archive (a configuration file, perhaps)")
		                       : _("its first bytes are not a tar header");
		finding *f =
		    fnd_add(fl, FND_NOT_A_SYNC_FILE, _("this is not a Mapeo sync file: %s"), what);
		f->offset = 0;
		return SD_OK;
	}
	sf->is_tar = true;

	findings outer;
	fnd_init(&outer);
	outer_scan(sf, &outer, prog);
	if (is_database_tar(sf)) {
		sf->is_tar = false;
		fnd_free(&outer);
		finding *f =
		    fnd_add(fl, FND_NOT_A_SYNC_FILE, _("this is not a Mapeo sync file: %s"),
		            _("it is a Mapeo database (an osm-p2p-db.tar, as a sync file holds it "
		              "or as Mapeo leaves it in a temporary osm-p2p-syncfile folder); to "
		              "put it in a sync file, give the folder that holds it (alone, or as "
		              "Mapeo left it) to 'syncdoctor rebuild --database'"));
		f->offset = 0;
		return SD_OK;
	} else if (!is_configuration(sf)) {
		fnd_append(fl, &outer);
	} else {
		/* A .mapeosettings built as tar (builder 3.x) picked as the sync
		 * file: its missing index is no damage, and it has no project. */
		sf->is_tar = false;
		fnd_free(&outer);
		finding *f =
		    fnd_add(fl, FND_NOT_A_SYNC_FILE, _("this is not a Mapeo sync file: %s"),
		            _("it is a Mapeo configuration (.mapeosettings), which Mapeo "
		              "Desktop imports with File, Import Configuration"));
		f->offset = 0;
		return SD_OK;
	}
	if (sd_progress_cancelled(prog)) {
		sf_close(sf);
		*out = NULL;
		return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
	}
	read_index(sf, fl, prog);
	/* an index whose last bytes were never written is told as damaged */
	if (!sf->has_index && !sf->end_unwritten && end_unwritten(sf, false))
		zero_tail(sf, fl, false);
	if (sd_progress_cancelled(prog)) {
		sf_close(sf);
		*out = NULL;
		return sd_error_set(err, SD_ERR_CANCELLED, _("interrupted"));
	}
	merge_recovered(sf, fl);
	vouched_unpatched(sf, fl);
	index_misplaced(sf, fl);
	names_from_siblings(sf, fl);
	if (!count_members(sf, want_db)) {
		sf_close(sf);
		*out = NULL;
		return sd_error_set(err, SD_ERR_FORMAT, _("%s holds no database at byte %llu"),
		                    path, (unsigned long long)want_db);
	}
	if (want_db == SF_DB_DEFAULT) {
		dead_space(sf, fl);
	} else {
		/* a view of one database: the file's photos are the other
		 * view's to check (source.h) */
		sf->src.holds_photos = false;
	}
	if (!sf->db) {
		database_missing(sf, fl);
	} else {
		read_inner(sf, fl, false, prog);
		if (!sf->end_unwritten && end_unwritten(sf, true))
			zero_tail(sf, fl, true);
		project_key_exposed(sf, fl);
	}
	era_and_hints(sf, fl);
	return SD_OK;
}

static sd_status sf_open_as(const char *path, syncfile **out, findings *fl, const sd_progress *prog,
                            bool fingerprint, uint64_t want_db, sd_error *err)
{
	sd_status st = open_sync_file(path, out, fl, prog, fingerprint, want_db, err);
	if (st == SD_OK && (*out)->mstore && (*out)->mstore->error) {
		/* its member records had no room: none of the run is done in
		 * more memory than the budget without saying so */
		st = sd_error_set(err, SD_ERR_IO, "%s", (*out)->mstore->error);
		sf_close(*out);
		*out = NULL;
		return st;
	}
	/* A tar (or Mapeo 2's gzip) names its project in its userdata, or
	 * step 1 says why it cannot; anything else is no sync file. */
	if (st == SD_OK)
		(*out)->src.project = (*out)->is_tar || (*out)->era == SF_ERA_GZIP_V0
		                          ? SRC_PROJECT_NAMED
		                          : SRC_PROJECT_NONE;
	return st;
}

sd_status sf_open(const char *path, syncfile **out, findings *fl, const sd_progress *prog,
                  sd_error *err)
{
	return sf_open_as(path, out, fl, prog, false, SF_DB_DEFAULT, err);
}

sd_status sf_open_db(const char *path, uint64_t db_header, syncfile **out, findings *fl,
                     const sd_progress *prog, sd_error *err)
{
	return sf_open_as(path, out, fl, prog, false, db_header, err);
}

sd_status sf_open_fingerprinted(const char *path, syncfile **out, findings *fl,
                                const sd_progress *prog, sd_error *err)
{
	return sf_open_as(path, out, fl, prog, true, SF_DB_DEFAULT, err);
}

void sf_forget_names(syncfile *sf)
{
	if (!sf->names)
		return;
	/* a name kept came from its header (encode()): read there again, but
	 * where no header is right before the data, kept apart */
	for (size_t i = 0; i < sf->n_members; i++) {
		const sf_mrec *r = crec(sf, i);
		if (!(r->name & SF_NAME_ARENA))
			continue;
		uint32_t name =
		    r->flags & MF_NO_HEADER
		        ? mname_push(sf, xstrdup(sf->names + (r->name & ~SF_NAME_ARENA)))
		        : 0;
		mrec(sf, i)->name = name;
	}
	names_held -= sf->names_cap;
	free(sf->names);
	sf->names = NULL;
	sf->names_len = sf->names_cap = sf->names_budget = 0;
}

void sf_close(syncfile *sf)
{
	if (!sf)
		return;
	mstore_free(sf->mstore);
	names_held -= sf->names_cap;
	free(sf->names);
	for (size_t i = 0; i < sf->n_mnames; i++)
		free(sf->mnames[i]);
	free(sf->mnames);
	for (size_t i = 0; i < sf->n_recovered; i++)
		free(sf->recovered_names[i]);
	free(sf->recovered_names);
	free(sf->recovered);
	for (size_t i = 0; i < sf->n_inner; i++)
		free(sf->inner[i].name);
	free(sf->inner);
	free(sf->unread);
	for (size_t i = 0; i < sf->n_feeds; i++)
		free(sf->feeds[i].dir);
	free(sf->feeds);
	free(sf->other_dbs);
	free(sf->userdata_version);
	for (size_t i = 0; i < sf->n_left_out; i++)
		free(sf->left_out[i]);
	free(sf->left_out);
	free(sf->p2p_db);
	free(sf->path);
	sdin_close(sf->in);
	if (sf->src.ops && sf->src.ops->close)
		sf->src.ops->close(sf->src.ctx);
	free(sf->src.config_userdata);
	free(sf);
}
