/* mkdamage: damage a COPY of a sync file in one of the ways real files get
 * damaged, for the shell tests (the same helpers as the unit tests).
 *
 *   mkdamage data FILE FEED BLOCK   flip a byte inside a block's data
 *   mkdamage node FILE FEED NODE    flip a byte of a tree node's hash
 *   mkdamage noindex FILE           cut the index and trailer away
 *   mkdamage nouserdata FILE        rewrite the index without userdata
 *   mkdamage nodb FILE              the database popped and never put back:
 *                                   the index written over it (media stay)
 *   mkdamage torn FILE INNER BYTES  a torn append: the database's header never
 *                                   patched (size 0), the file cut BYTES into
 *                                   the data of inner entry INNER
 *   mkdamage zeros FILE MEMBER BYTES the end never written: zeros from BYTES into
 *                                   outer member MEMBER's data to the end of the
 *                                   file, its size kept (a copy to a USB stick
 *                                   taken out too soon; HOLE instead of zeros:
 *                                   MEMBER BYTES hole, cut there and grown back
 *                                   sparse, as a file whose size was set first)
 *   mkdamage unpatched FILE         the whole database written, its header
 *                                   never patched (size 0), no index
 *   mkdamage ixzero FILE FROM BYTES  BYTES zero bytes from FROM bytes into the
 *                                   index member (0: its tar header), no
 *                                   further than the file's end: storage that
 *                                   lost sectors or a page over the index
 *   mkdamage idxoff FILE MEMBER DELTA  the index entry of MEMBER points DELTA
 *                                   bytes (signed) away from its header
 *   mkdamage twoindex FILE [stale]  a second index (and its 1024 zeros) after
 *                                   the file's end, as a write over an older,
 *                                   longer file leaves one; "stale": that
 *                                   one names the database 512 bytes off
 *   mkdamage winname FILE [copy] MEMBER  photo MEMBER named as a Windows
 *                                   writer would ("original\\ID.jpg"), in its
 *                                   header and the index; "copy": a copy of it
 *                                   so named appended, beside the POSIX one
 *   mkdamage unpatch FILE [cut] MEMBER...  the headers of the outer MEMBERs
 *                                   written again as indexed-tarball's first
 *                                   pass left them (size 0); "cut": the file
 *                                   then ends after the last one's data and
 *                                   padding (an append that died before its
 *                                   patch: no index, nothing after it)
 *
 * Rebuild cases (rebuild_damage() below):
 *   mkdamage mhdr FILE N BYTE [MASK] flip bits of byte BYTE of the Nth photo's
 *                                   tar header (0x5a, or MASK: storage damage
 *                                   over intact data; prints the photo's name)
 *   mkdamage mzero FILE N           the Nth photo's tar header zeroed (a
 *                                   sector lost in storage; its data intact;
 *                                   prints the photo's name)
 *   mkdamage hzero FILE NAME        the same for the member named NAME
 *   mkdamage photo FILE N           cut the end of the Nth photo (its JPEG
 *                                   end marker), so it will not open
 *   mkdamage collide FILE FROM TO   feed FROM's files renamed "TO\\name",
 *                                   as a Windows Mapeo named them: two feeds
 *                                   then claim number TO
 *   mkdamage sig FILE FEED BLOCK    flip a byte of a signature
 *   mkdamage header FILE FEED       flip a byte of the tree file's header
 *   mkdamage hyperlog FILE          the userdata says p2p-db "hyperlog", as a
 *                                   Mapeo Desktop 3 file does
 *   mkdamage p2pflip FILE           one byte of the userdata's p2p-db flipped
 *                                   ("kappa-osn"), storage damage in the index
 *   mkdamage dbagain FILE           the index cut away and the database
 *                                   appended again in its place (an append
 *                                   that died after the data, before the index)
 *   mkdamage names FILE FORM        the database packed again by another tar
 *                                   writer, each entry named in FORM: "dot"
 *                                   ./N/file, "gnu" a GNU long name entry ('L')
 *                                   before each header, "pax" a pax header ('x')
 *                                   giving the path (the long names are
 *                                   ./././…/N/file, over 100 bytes)
 *   mkdamage dbmerge FILE           the index cut away and a second database
 *                                   appended in its place that lacks feed 1
 *                                   and holds feed 0's data cut in half (an
 *                                   append that died after the data, before
 *                                   the index; the earlier database holds
 *                                   what the last one lost)
 *   mkdamage dupentry FILE INNER BYTES  the database packed again with inner
 *                                   entry INNER named a second time at its
 *                                   end, that later copy only its first BYTES
 *                                   bytes (Mapeo keeps the later copy)
 *   mkdamage cut FILE INNER BYTES   inner entry INNER keeps only its first
 *                                   BYTES bytes (a tree file cut short or
 *                                   emptied), or, BYTES past its size, grows
 *                                   to BYTES (0x5a added): the database and
 *                                   the index written again around it
 *   mkdamage grow FILE INNER BYTES  inner entry INNER followed by BYTES more
 *                                   zero bytes (the database and the index
 *                                   written again around it)
 *   mkdamage keybit FILE FEED BIT   flip bit BIT of the feed's key file (BIT
 *                                   "zero": its 32 bytes zeroed, a sector lost)
 *   mkdamage leafsize FILE FEED BLOCK  flip a byte of the size in the leaf
 *                                   node of a block (its hash intact)
 *   mkdamage databit FILE FEED BLOCK  flip the data bit of a block in the
 *                                   bitfield (one bit of storage damage)
 *   mkdamage treebit FILE FEED NODE  flip the tree bit of a node in the
 *                                   bitfield
 *   mkdamage newfeed FILE BLOCK...  a feed added after the others whose
 *                                   blocks are the JSON texts BLOCK (each
 *                                   and a newline), signed at its end with a
 *                                   key pair made here (another writer than
 *                                   Mapeo's own: e.g. "[]" or "null")
 *   mkdamage bitzero FILE FEED      zero every byte of a feed's bitfield after
 *                                   its header (storage damage over the whole
 *                                   file, its length kept) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "damage.h"
#include "feedwrite.h"
#include "syncfile.h"
#include "tar.h"
#include "xalloc.h"

static const sf_feed *feed_of(syncfile *sf, int n)
{
	for (size_t i = 0; i < sf->n_feeds; i++)
		if (sf->feeds[i].index == n)
			return &sf->feeds[i];
	fprintf(stderr, "mkdamage: no feed %d\n", n);
	exit(2);
}

/* ---- rebuild cases: the damage the rebuild tests repair ---- */

static const sf_inner *inner_named(syncfile *sf, const char *name)
{
	for (size_t i = 0; i < sf->n_inner; i++)
		if (!strcmp(sf->inner[i].name, name))
			return &sf->inner[i];
	return NULL;
}

/* The photo member numbered want (from 0, in file order) into *m; false
 * when there are fewer. */
static bool nth_media(const syncfile *sf, long want, sf_member *m)
{
	long seen = 0;
	for (size_t i = 0; i < sf->n_members; i++) {
		sf_member_get(sf, i, m);
		if (m->kind == SF_KIND_MEDIA && seen++ == want)
			return true;
	}
	return false;
}

/* Give a header built by tar_header_build() another type and its 100-byte
 * name field raw bytes of name (truncated, as GNU tar and pax writers do),
 * and compute its checksum again (tar-stream's encoding). */
static void retype(uint8_t h[TAR_BLOCK], char type, const char *name)
{
	memset(h, 0, 100);
	memcpy(h, name, strnlen(name, 100));
	h[156] = (uint8_t)type;
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	char ck[8];
	snprintf(ck, sizeof ck, "%06o", sum);
	memcpy(h + 148, ck, 6);
	h[154] = '\0';
	h[155] = ' ';
}

/* mkdamage names: the inner tar written again with its names in form
 * ("plain": as they are); the entry named cut keeps cut_len bytes. */
static int names_damage(syncfile *sf, const char *path, const char *form, const char *cut,
                        uint64_t cut_len, bool grow)
{
	if (!sf->db || (strcmp(form, "dot") && strcmp(form, "gnu") && strcmp(form, "pax") &&
	                strcmp(form, "plain")))
		return 2;
	uint8_t *buf = NULL, h[TAR_BLOCK];
	size_t len = 0;
	for (size_t i = 0; i < sf->n_inner; i++) {
		const sf_inner *in = &sf->inner[i];
		bool named = cut && !strcmp(in->name, cut);
		uint64_t size = named ? cut_len : in->size;
		uint8_t *data = calloc(1, (size > in->size ? size : in->size) + 1);
		dmg_read(path, in->off, data, in->size);
		if (size > in->size && !grow) /* grown: storage damage adds bytes after it */
			memset(data + in->size, 0x5a, size - in->size);
		char name[512];
		if (!strcmp(form, "plain")) {
			snprintf(name, sizeof name, "%s", in->name);
		} else if (!strcmp(form, "dot")) {
			snprintf(name, sizeof name, "./%s", in->name);
		} else {
			size_t n = 0;
			while (n < 120)
				n += (size_t)snprintf(name + n, sizeof name - n, "./");
			snprintf(name + n, sizeof name - n, "%s", in->name);
		}
		if (!strcmp(form, "gnu")) {
			tar_header_build(h, "x", strlen(name) + 1, 1700000000, 0644,
			                 TAR_ENC_STREAM);
			retype(h, 'L', "././@LongLink");
			dmg_put_member(&buf, &len, h, name, strlen(name) + 1);
		} else if (!strcmp(form, "pax")) {
			char rec[600];
			size_t body = strlen(" path=\n") + strlen(name), total = body + 1;
			while ((size_t)snprintf(NULL, 0, "%zu", total) + body != total)
				total++;
			snprintf(rec, sizeof rec, "%zu path=%s\n", total, name);
			tar_header_build(h, "x", strlen(rec), 1700000000, 0644, TAR_ENC_STREAM);
			retype(h, 'x', "PaxHeader/entry");
			dmg_put_member(&buf, &len, h, rec, strlen(rec));
		}
		tar_header_build(h, "x", size, 1700000000, 0644, TAR_ENC_STREAM);
		retype(h, '0', name);
		dmg_put_member(&buf, &len, h, data, size);
		free(data);
	}
	dmg_replace_db(sf, path, buf, len); /* takes buf */
	return 0;
}

/* mkdamage newfeed: feed n_feeds (its number the highest + 1) of the blocks
 * texts[0..n-1], packed after the others. */
static int new_feed(syncfile *sf, const char *path, char **texts, int n)
{
	if (!sf->db || sodium_init() < 0)
		return 2;
	int num = 0;
	for (size_t i = 0; i < sf->n_feeds; i++)
		if (sf->feeds[i].index >= num)
			num = sf->feeds[i].index + 1;
	uint8_t pk[32], sk[64];
	crypto_sign_keypair(pk, sk);
	fwb *b = fwb_new();
	char *data = NULL;
	size_t dl = 0;
	for (int i = 0; i < n; i++) {
		size_t tl = strlen(texts[i]);
		data = realloc(data, dl + tl + 1);
		memcpy(data + dl, texts[i], tl);
		data[dl + tl] = '\n';
		fwb_append(b, (const uint8_t *)data + dl, tl + 1);
		dl += tl + 1;
	}
	size_t len, sizes[3];
	uint8_t *files[3] = {fwb_tree(b, &sizes[0]), fwb_signatures(b, sk, &sizes[1]),
	                     fwb_bitfield(b, &sizes[2])};
	uint8_t *buf = dmg_repack(sf, path, NULL, NULL, 0, NULL, 0, &len), h[TAR_BLOCK];
	static const char *const names[] = {"key", "tree", "signatures", "bitfield", "data"};
	for (int k = 0; k < 5; k++) {
		char name[64];
		snprintf(name, sizeof name, "%d/%s", num, names[k]);
		const void *d = k == 0   ? (const void *)pk
		                : k == 4 ? (const void *)data
		                         : files[k - 1];
		size_t sz = k == 0 ? 32 : k == 4 ? dl : sizes[k - 1];
		tar_header_build(h, name, sz, 1700000000, 0644, TAR_ENC_STREAM);
		dmg_put_member(&buf, &len, h, d, sz);
	}
	dmg_replace_db(sf, path, buf, len);
	for (int k = 0; k < 3; k++)
		free(files[k]);
	free(data);
	fwb_free(b);
	return 0;
}

/* Returns -1 when what is not one of these cases. */
static int rebuild_damage(const char *what, syncfile *sf, const char *path, int argc, char **argv)
{
	sf_member mb, *m = &mb;
	if (!strcmp(what, "mhdr") && (argc == 5 || argc == 6)) {
		if (!nth_media(sf, atol(argv[3]), m))
			return 2;
		uint64_t at = m->header_off + (uint64_t)atol(argv[4]);
		if (argc == 6) { /* one bit, or the bits of MASK */
			uint8_t byte;
			dmg_read(path, at, &byte, 1);
			byte ^= (uint8_t)strtoul(argv[5], NULL, 0);
			dmg_write(path, at, &byte, 1);
		} else {
			dmg_flip(path, at);
		}
		printf("%s\n", m->name);
		return 0;
	}
	if ((!strcmp(what, "mzero") || !strcmp(what, "hzero")) && argc == 4) {
		/* a zeroed sector: the header reads all zeros, the data stays */
		bool found = false;
		if (!strcmp(what, "mzero"))
			found = nth_media(sf, atol(argv[3]), m);
		for (size_t i = 0; i < sf->n_members && !found; i++) {
			sf_member_get(sf, i, m);
			found = !strcmp(m->name, argv[3]);
		}
		if (!found)
			return 2;
		uint8_t zero[512] = {0};
		dmg_write(path, m->header_off, zero, sizeof zero);
		printf("%s\n", m->name);
		return 0;
	}
	if (!strcmp(what, "photo") && argc == 4) {
		/* the Nth loses its last bytes */
		if (!nth_media(sf, atol(argv[3]), m))
			return 2;
		uint8_t zero[2] = {0, 0};
		dmg_write(path, m->data_off + m->size - 2, zero, 2);
		printf("%s\n", m->name);
		return 0;
	}
	if (!strcmp(what, "collide") && argc == 5) {
		static const char *const files[] = {"key", "tree", "signatures", "bitfield",
		                                    "data"};
		for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
			char from[64], to[64];
			snprintf(from, sizeof from, "%s/%s", argv[3], files[k]);
			snprintf(to, sizeof to, "%s\\%s", argv[4], files[k]);
			const sf_inner *in = inner_named(sf, from);
			if (in)
				dmg_rename(path, in->off - 512, to);
		}
		return 0;
	}
	if (!strcmp(what, "sig") && argc == 5) {
		/* two bytes: a signature with one damaged byte is found again
		 * (feed-signature-mended) */
		const sf_feed *fd = feed_of(sf, atoi(argv[3]));
		uint64_t at = fd->signatures.off + 32 + 64 * strtoull(argv[4], NULL, 10);
		dmg_flip(path, at + 5);
		dmg_flip(path, at + 40);
		return 0;
	}
	if (!strcmp(what, "header") && argc == 4) {
		const sf_feed *fd = feed_of(sf, atoi(argv[3]));
		dmg_flip(path, fd->tree.off + 1);
		return 0;
	}
	if (!strcmp(what, "names") && argc == 4)
		return names_damage(sf, path, argv[3], NULL, 0, false);
	if (!strcmp(what, "cut") && argc == 5)
		return inner_named(sf, argv[3]) ? names_damage(sf, path, "plain", argv[3],
		                                               strtoull(argv[4], NULL, 10), false)
		                                : 2;
	if (!strcmp(what, "grow") && argc == 5) {
		const sf_inner *in = inner_named(sf, argv[3]);
		return in ? names_damage(sf, path, "plain", argv[3],
		                         in->size + strtoull(argv[4], NULL, 10), true)
		          : 2;
	}
	if (!strcmp(what, "keybit") && argc == 5) {
		/* one bit of the key file flipped, or (BIT "zero") its 32 bytes zeroed */
		const sf_feed *fd = feed_of(sf, atoi(argv[3]));
		if (!fd || !fd->key.present || fd->key.size != 32)
			return 2;
		uint8_t key[32];
		dmg_read(path, fd->key.off, key, 32);
		if (!strcmp(argv[4], "zero"))
			memset(key, 0, 32);
		else
			key[atoi(argv[4]) / 8 % 32] ^= (uint8_t)(0x80 >> (atoi(argv[4]) % 8));
		dmg_write(path, fd->key.off, key, 32);
		return 0;
	}
	if ((!strcmp(what, "databit") || !strcmp(what, "treebit")) && argc == 5) {
		/* the first page: 1024 bytes of data bits (8192 blocks), then
		 * 2048 of tree bits (16384 nodes) */
		const sf_feed *fd = feed_of(sf, atoi(argv[3]));
		uint64_t bit = strtoull(argv[4], NULL, 10), part = what[0] == 'd' ? 0 : 1024;
		if (bit >= (part ? 16384 : 8192))
			return 2;
		uint8_t byte;
		dmg_read(path, fd->bitfield.off + 32 + part + bit / 8, &byte, 1);
		byte ^= (uint8_t)(0x80 >> (bit % 8));
		dmg_write(path, fd->bitfield.off + 32 + part + bit / 8, &byte, 1);
		return 0;
	}
	if (!strcmp(what, "newfeed") && argc >= 4)
		return new_feed(sf, path, argv + 3, argc - 3);
	if (!strcmp(what, "bitzero") && argc == 4) {
		const sf_feed *fd = feed_of(sf, atoi(argv[3]));
		static const uint8_t zero[512];
		for (uint64_t at = 32; at < fd->bitfield.size; at += sizeof zero)
			dmg_write(path, fd->bitfield.off + at, zero,
			          fd->bitfield.size - at < sizeof zero
			              ? (size_t)(fd->bitfield.size - at)
			              : sizeof zero);
		return 0;
	}
	if (!strcmp(what, "leafsize") && argc == 5) {
		const sf_feed *fd = feed_of(sf, atoi(argv[3]));
		dmg_flip(path, fd->tree.off + 32 + 80 * strtoull(argv[4], NULL, 10) + 39);
		return 0;
	}
	if (!strcmp(what, "dbagain") && sf->db && sf->index_member) {
		uint64_t first, len;
		(void)dmg_db_again(path, 1, &first, &len);
		return 0;
	}
	if (!strcmp(what, "dupentry") && argc == 5 && sf->db) {
		size_t len;
		uint8_t *buf = dmg_repack(sf, path, NULL, NULL, 0, argv[3],
		                          (size_t)strtoull(argv[4], NULL, 10), &len);
		dmg_replace_db(sf, path, buf, len);
		return 0;
	}
	if (!strcmp(what, "dbmerge") && sf->db && sf->index_member) {
		/* the second database: feed 1 left out, feed 0's data cut */
		const sf_inner *d0 = inner_named(sf, "0/data");
		if (!d0)
			return 2;
		size_t len;
		uint8_t *buf =
		    dmg_repack(sf, path, "1/", "0/data", (size_t)d0->size / 2, NULL, 0, &len);
		dmg_end_tar(&buf, &len);
		uint8_t h[TAR_BLOCK];
		uint64_t at = sf->index_member->header_off;
		tar_header_build(h, "osm-p2p-db.tar", len, 1700000000, 0644, TAR_ENC_PATCHED);
		dmg_truncate(path, at);
		dmg_write(path, at, h, TAR_BLOCK);
		uint8_t *padded = calloc(1, tar_padded(len) + 1);
		memcpy(padded, buf, len);
		dmg_write(path, at + TAR_BLOCK, padded, tar_padded(len));
		free(padded);
		free(buf);
		return 0;
	}
	size_t ilen;
	bool flip = !strcmp(what, "p2pflip");
	char *text = !strcmp(what, "hyperlog") || flip ? sf_index_text(sf, &ilen) : NULL;
	if (text) {
		char *json =
		    dmg_replace(text, "\"kappa-osm\"", flip ? "\"kappa-osn\"" : "\"hyperlog\"");
		free(text);
		dmg_rewrite_index(path, json);
		free(json);
		return 0;
	}
	return -1;
}

/* The outer member named name, into *m; false when there is none. */
static bool member_named(syncfile *sf, const char *name, sf_member *m)
{
	for (size_t i = 0; i < sf->n_members; i++) {
		sf_member_get(sf, i, m);
		if (!strcmp(m->name, name))
			return true;
	}
	fprintf(stderr, "mkdamage: no member %s\n", name);
	return false;
}

/* mkdamage idxoff and twoindex: see the top of this file. */
static int index_damage(const char *what, syncfile *sf, const char *path, int argc, char **argv)
{
	size_t len;
	char *json = sf_index_text(sf, &len), *bad = NULL;
	uint64_t end = sf->size;
	if (!strcmp(what, "idxoff") && argc == 5) {
		sf_member m;
		if (!member_named(sf, argv[3], &m))
			return 2;
		char from[600], to[600];
		snprintf(from, sizeof from, "\"%s\":{\"offset\":%llu,", m.name,
		         (unsigned long long)m.header_off);
		snprintf(to, sizeof to, "\"%s\":{\"offset\":%lld,", m.name,
		         (long long)m.header_off + strtoll(argv[4], NULL, 10));
		bad = dmg_replace(json, from, to);
		dmg_rewrite_index(path, bad);
	} else if (!strcmp(what, "twoindex") && (argc == 3 || argc == 4)) {
		bad = xstrdup(json);
		if (argc == 4 && sf->db) {
			char from[128], to[128];
			snprintf(from, sizeof from, "\"offset\":%llu,",
			         (unsigned long long)sf->db->header_off);
			snprintf(to, sizeof to, "\"offset\":%llu,",
			         (unsigned long long)sf->db->header_off + TAR_BLOCK);
			free(bad);
			bad = dmg_replace(json, from, to);
		}
		dmg_write_index_at(path, end, bad);
	} else {
		free(json);
		return -1;
	}
	free(bad);
	free(json);
	return 0;
}

/* mkdamage winname: see the top of this file. */
static int winname(syncfile *sf, const char *path, int argc, char **argv)
{
	bool copy = argc == 5 && !strcmp(argv[3], "copy");
	const char *want = argv[copy ? 4 : 3];
	sf_member m;
	if (!member_named(sf, want, &m) || !strchr(want, '/') || !sf->index_member)
		return 2;
	char win[256], jwin[300], from[300], to[600];
	snprintf(win, sizeof win, "%s", want);
	*strchr(win, '/') = '\\';
	snprintf(jwin, sizeof jwin, "%.*s\\\\%s", (int)(strchr(want, '/') - want), want,
	         strchr(want, '/') + 1);
	size_t len;
	char *json = sf_index_text(sf, &len), *bad;
	if (!copy) {
		dmg_rename(path, m.header_off, win);
		snprintf(from, sizeof from, "\"%s\":", want);
		snprintf(to, sizeof to, "\"%s\":", jwin);
		bad = dmg_replace(json, from, to);
		dmg_rewrite_index(path, bad);
	} else {
		/* before the database, which stays last (Mapeo pops the last) */
		if (!sf->db)
			return 2;
		uint64_t dbh = sf->db->header_off, dblen = TAR_BLOCK + tar_padded(sf->db->size);
		size_t plen = (size_t)tar_padded(m.size);
		uint8_t h[TAR_BLOCK], *data = xcalloc(1, plen + 1), *db = xmalloc((size_t)dblen);
		dmg_read(path, m.data_off, data, (size_t)m.size);
		dmg_read(path, dbh, db, (size_t)dblen);
		if (!tar_header_build(h, win, m.size, 1700000000, 0644, TAR_ENC_PATCHED))
			return 2;
		dmg_truncate(path, dbh);
		dmg_write(path, dbh, h, sizeof h);
		dmg_write(path, dbh + TAR_BLOCK, data, plen);
		uint64_t ndb = dbh + TAR_BLOCK + plen;
		dmg_write(path, ndb, db, (size_t)dblen);
		free(data);
		free(db);
		snprintf(from, sizeof from, "\"osm-p2p-db.tar\":{\"offset\":%llu,",
		         (unsigned long long)dbh);
		snprintf(to, sizeof to, "\"osm-p2p-db.tar\":{\"offset\":%llu,",
		         (unsigned long long)ndb);
		char *moved = dmg_replace(json, from, to);
		snprintf(to, sizeof to, "{\"index\":{\"%s\":{\"offset\":%llu,\"size\":%llu},", jwin,
		         (unsigned long long)dbh, (unsigned long long)m.size);
		bad = dmg_replace(moved, "{\"index\":{", to);
		free(moved);
		dmg_write_index_at(path, ndb + dblen, bad);
	}
	free(bad);
	free(json);
	return 0;
}

/* mkdamage unpatch: see the top of this file. */
static int unpatch(syncfile *sf, const char *path, int argc, char **argv)
{
	bool cut = argc > 3 && !strcmp(argv[3], "cut");
	uint64_t end = 0;
	for (int a = cut ? 4 : 3; a < argc; a++) {
		sf_member m;
		if (!member_named(sf, argv[a], &m))
			return 2;
		uint8_t b[TAR_BLOCK], h[TAR_BLOCK];
		tar_header th;
		dmg_read(path, m.header_off, b, sizeof b);
		(void)tar_header_parse(b, &th);
		if (!tar_header_build(h, m.name, 0, th.mtime, 0644, TAR_ENC_STREAM))
			return 2;
		dmg_write(path, m.header_off, h, sizeof h);
		if (m.data_off + tar_padded(m.size) > end)
			end = m.data_off + tar_padded(m.size);
	}
	if (cut)
		dmg_truncate(path, end);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *what = argv[1], *path = argv[2];
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	if (sf_open(path, &sf, &fl, NULL, NULL) != SD_OK)
		return 2;
	int rc = rebuild_damage(what, sf, path, argc, argv);
	if (rc >= 0) {
		sf_close(sf);
		fnd_free(&fl);
		return rc;
	}
	if (!strcmp(what, "data") && argc == 5) {
		const sf_feed *fd = feed_of(sf, atoi(argv[3]));
		uint64_t block = strtoull(argv[4], NULL, 10), off = 0;
		for (uint64_t k = 0; k < block; k++) {
			uint8_t b[8];
			dmg_read(path, fd->tree.off + 32 + 80 * k + 32, b, 8);
			uint64_t v = 0;
			for (int i = 0; i < 8; i++)
				v = v << 8 | b[i];
			off += v;
		}
		dmg_flip(path, fd->data.off + off + 3);
	} else if (!strcmp(what, "node") && argc == 5) {
		const sf_feed *fd = feed_of(sf, atoi(argv[3]));
		dmg_flip(path, fd->tree.off + 32 + 40 * strtoull(argv[4], NULL, 10) + 3);
	} else if (!strcmp(what, "noindex")) {
		dmg_truncate(path, sf->index_member->header_off);
	} else if (!strcmp(what, "nouserdata")) {
		size_t ilen;
		char *json = sf_index_text(sf, &ilen);
		char *cut = strstr(json, ",\"userdata\"");
		if (!cut)
			return 2;
		strcpy(cut, "}");
		sf_close(sf);
		dmg_rewrite_index(path, json);
		free(json);
		fnd_free(&fl);
		return 0;
	} else if (!strcmp(what, "torn") && argc == 5) {
		sf_close(sf);
		fnd_free(&fl);
		dmg_torn_append(path, argv[3], strtoull(argv[4], NULL, 10));
		return 0;
	} else if (!strcmp(what, "zeros") &&
	           (argc == 5 || (argc == 6 && !strcmp(argv[5], "hole")))) {
		sf_member m;
		if (!member_named(sf, argv[3], &m))
			return 2;
		uint64_t from = m.data_off + strtoull(argv[4], NULL, 10), size = sf->size;
		sf_close(sf);
		fnd_free(&fl);
		if (argc == 6) {
			dmg_truncate(path, from);
			dmg_truncate(path, size);
		} else {
			static const uint8_t zero[4096];
			for (uint64_t off = from; off < size; off += sizeof zero)
				dmg_write(path, off, zero,
				          size - off < sizeof zero ? size - off : sizeof zero);
		}
		return 0;
	} else if (!strcmp(what, "ixzero") && argc == 5 && sf->index_member) {
		/* a run of zeros over the index member (storage lost sectors or a
		 * page there), never past the file's end */
		uint64_t from = sf->index_member->header_off + strtoull(argv[3], NULL, 10);
		uint64_t n = strtoull(argv[4], NULL, 10), size = sf->size;
		sf_close(sf);
		fnd_free(&fl);
		static const uint8_t zero[4096];
		for (uint64_t off = from; off < size && off < from + n; off += sizeof zero) {
			uint64_t left = (from + n < size ? from + n : size) - off;
			dmg_write(path, off, zero, left < sizeof zero ? left : sizeof zero);
		}
		return 0;
	} else if ((!strcmp(what, "idxoff") || !strcmp(what, "twoindex")) && sf->index_member) {
		int irc = index_damage(what, sf, path, argc, argv);
		sf_close(sf);
		fnd_free(&fl);
		return irc < 0 ? 2 : irc;
	} else if (!strcmp(what, "winname") && argc > 3) {
		int wrc = winname(sf, path, argc, argv);
		sf_close(sf);
		fnd_free(&fl);
		return wrc;
	} else if (!strcmp(what, "unpatch") && argc > 3) {
		int urc = unpatch(sf, path, argc, argv);
		sf_close(sf);
		fnd_free(&fl);
		return urc;
	} else if (!strcmp(what, "unpatched")) {
		sf_close(sf);
		fnd_free(&fl);
		dmg_unpatched_db(path);
		return 0;
	} else if (!strcmp(what, "nodb") && sf->db) {
		/* as test_syncfile.c's database_missing */
		uint64_t db = sf->db->header_off, dbsize = sf->db->size;
		sf_close(sf);
		fnd_free(&fl);
		char *json = dmg_index_json(path);
		char from[128];
		snprintf(from, sizeof from, ",\"osm-p2p-db.tar\":{\"offset\":%llu,\"size\":%llu}",
		         (unsigned long long)db, (unsigned long long)dbsize);
		char *bad = dmg_replace(json, from, "");
		dmg_write_index_at(path, db, bad);
		free(bad);
		free(json);
		return 0;
	} else {
		return 2;
	}
	sf_close(sf);
	fnd_free(&fl);
	return 0;
}
