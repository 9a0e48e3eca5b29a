/* Feed verification (feed.c): the real fixtures verify, and one flipped
 * byte in a block, tree node, signature, bitfield or header is found at its exact place. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "damage.h"
#include "feed.h"
#include "feedwrite.h"
#include "hypercore.h"
#include "observations.h"
#include "syncfile.h"
#include "testutil.h"
#include "xalloc.h"

typedef struct feed_loc {
	uint64_t data, tree, sigs, bitfield;
	uint64_t tree_size, sigs_size;
	uint64_t key, data_size, bitfield_size;
} feed_loc;

static feed_loc locate(const char *path, int feed)
{
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(path, &sf, &fl, NULL, NULL), SD_OK);
	feed_loc l = {0};
	for (size_t i = 0; i < sf->n_feeds; i++)
		if (sf->feeds[i].index == feed) {
			l.data = sf->feeds[i].data.off;
			l.tree = sf->feeds[i].tree.off;
			l.tree_size = sf->feeds[i].tree.size;
			l.sigs = sf->feeds[i].signatures.off;
			l.sigs_size = sf->feeds[i].signatures.size;
			l.bitfield = sf->feeds[i].bitfield.off;
			l.key = sf->feeds[i].key.off;
			l.data_size = sf->feeds[i].data.size;
			l.bitfield_size = sf->feeds[i].bitfield.size;
		}
	sf_close(sf);
	fnd_free(&fl);
	ck_assert_uint_ne(l.tree, 0);
	return l;
}

static uint64_t leaf_size(const char *path, const feed_loc *l, uint64_t k)
{
	uint8_t b[8];
	dmg_read(path, l->tree + 32 + 40 * (2 * k) + 32, b, 8);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static const finding *find_at(const sd_report *r, const char *code, int feed, int64_t block)
{
	ck_assert_msg(fnd_lookup(code), "unknown finding code %s", code);
	for (size_t i = 0; i < fnd_n(&r->findings); i++) {
		const finding *f = fnd_at(&r->findings, i);
		if (!strcmp(f->code, code) && f->feed == feed && (block == -2 || f->block == block))
			return f;
	}
	return NULL;
}

START_TEST(fixtures_verify_and_match_expected_heads)
{
	static const char *const names[] = {"good-project-A", "good-project-B", "good-no-key",
	                                    "edge-empty-device-A"};
	for (size_t n = 0; n < 4; n++) {
		char f[128], e[128];
		snprintf(f, sizeof f, "%s.mapeodata", names[n]);
		snprintf(e, sizeof e, "%s.expected.json", names[n]);
		sd_report *r = dmg_check(sd_test_data(f));
		ck_assert_int_eq(r->verdict, VERDICT_OK);
		for (size_t i = 0; i < r->n_feeds; i++) {
			ck_assert_uint_eq(r->feeds[i].verified, r->feeds[i].length);
			ck_assert_uint_eq(r->feeds[i].intact, r->feeds[i].length);
			ck_assert_uint_eq(r->feeds[i].present, r->feeds[i].length);
		}
		json_t *exp = json_load_file(sd_test_data(e), 0, NULL);
		json_t *obs = json_object_get(exp, "observations");
		ck_assert_uint_eq(r->n_heads, json_array_size(obs));
		ck_assert_uint_eq(r->n_obs, 0); /* nothing suspect */
		size_t with = 0;
		for (size_t i = 0; i < r->n_heads; i++) {
			json_t *o = json_array_get(obs, i);
			report_head h; /* from memory, or SYNCDOCTOR_OBS_BUDGET=1's database */
			report_head_get(r, i, &h);
			ck_assert_str_eq(h.id, json_string_value(json_object_get(o, "id")));
			char version[96];
			check_head_version(r, &h, version);
			ck_assert_str_eq(version, json_string_value(json_object_get(o, "version")));
			if (json_array_size(json_object_get(o, "attachments")))
				with++;
		}
		ck_assert_uint_eq(r->obs_with_attachments, with);
		json_decref(exp);
		report_free(r);
	}
}
END_TEST

START_TEST(a_flipped_data_byte_names_its_block)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	feed_loc l = locate(p, 0);
	uint64_t off = 0;
	for (uint64_t k = 0; k < 3; k++)
		off += leaf_size(p, &l, k);
	dmg_flip(p, l.data + off + 10); /* inside block 3 */
	sd_report *r = dmg_check(p);
	const finding *f = find_at(r, "feed-hash-mismatch", 0, 3);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->inner, "0/data");
	ck_assert_uint_lt(r->feeds[0].verified, 4);
	/* only block 3 is damaged: every other block still verifies */
	ck_assert_uint_eq(r->feeds[0].intact, r->feeds[0].length - 1);
	ck_assert_int_eq(r->verdict, VERDICT_PROBLEMS);
	report_free(r);
	dmg_done(p);
}
END_TEST

/* h16a: the observation of a damaged block is named by its id, and is a
 * suspect, whether the block is still JSON or no longer is (issue 16, 9). */
static bool suspect(const sd_report *r, const char *id, const char *version_tail)
{
	for (size_t i = 0; i < r->n_obs; i++)
		if (!strcmp(r->obs[i].id, id)) {
			const char *v = r->obs[i].version;
			return strlen(v) > strlen(version_tail) &&
			       !strcmp(v + strlen(v) - strlen(version_tail), version_tail);
		}
	return false;
}

START_TEST(a_damaged_block_names_its_observation)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	feed_loc l = locate(p, 0);
	uint64_t off = 0;
	for (uint64_t k = 0; k < 3; k++)
		off += leaf_size(p, &l, k);
	dmg_flip(p, l.data + off + 40); /* inside block 3, still JSON */
	sd_report *r = dmg_check(p);
	const finding *f = find_at(r, "feed-hash-mismatch", 0, 3);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(f->observation);
	ck_assert_str_eq(f->observation, "d5eae62cfcd50433");
	ck_assert(suspect(r, "d5eae62cfcd50433", "@3"));
	report_free(r);
	dmg_done(p);

	/* the block no longer JSON: the id is read from what is left */
	p = dmg_copy("good-project-A.mapeodata");
	dmg_write(p, l.data + off, "X", 1);
	r = dmg_check(p);
	f = find_at(r, "feed-hash-mismatch", 0, 3);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->observation, "d5eae62cfcd50433");
	f = find_at(r, "entry-not-json", 0, 3);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->observation, "d5eae62cfcd50433");
	ck_assert(suspect(r, "d5eae62cfcd50433", "@3"));
	report_free(r);
	dmg_done(p);

	/* tolerant reading, on its own */
	char id[24];
	static const char top[] =
	    "{\"attachments\":[{\"id\":\"aa\"}],\"id\":\"0123abcd\",\"links\":[]}";
	ck_assert(obs_guess_id((const uint8_t *)top, strlen(top), id, sizeof id));
	ck_assert_str_eq(id, "0123abcd");
	static const char broken[] = "X\"attachments\":[{\"id\":\"aa\"}],\"id\":\"0123abcd\",\"li";
	ck_assert(obs_guess_id((const uint8_t *)broken, strlen(broken), id, sizeof id));
	ck_assert_str_eq(id, "0123abcd");
	static const char evil[] = "{\"id\":\"\x1b[2J\"}";
	ck_assert(!obs_guess_id((const uint8_t *)evil, strlen(evil), id, sizeof id));
}
END_TEST

START_TEST(a_flipped_tree_node_is_found)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	feed_loc l = locate(p, 0);
	dmg_flip(p, l.tree + 32 + 40 * 1 + 5); /* parent node 1, over blocks 0 and 1 */
	sd_report *r = dmg_check(p);
	/* the node is named, its data is intact: no block is called damaged,
	 * nor node 3 above it (h16a, issue 16 item 3) */
	const finding *f = find_at(r, "feed-tree-damaged", 0, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->inner, "0/tree");
	ck_assert_ptr_nonnull(strstr(f->message, "tree node 1 "));
	ck_assert_ptr_nonnull(strstr(f->message, "intact"));
	ck_assert_ptr_null(find_at(r, "feed-hash-mismatch", 0, -2));
	ck_assert_uint_eq(r->feeds[0].verified, 0);
	/* the damaged parent taints the blocks below it (node 1: blocks 0, 1) */
	ck_assert_uint_eq(r->feeds[0].intact, r->feeds[0].length - 2);
	/* the advice says what salvage does: it computes the node again */
	ck_assert_ptr_nonnull(strstr(fnd_advice(FND_FEED_TREE_DAMAGED), "computes"));
	report_free(r);
	dmg_done(p);

	/* a leaf node (the hash of block 1) */
	p = dmg_copy("good-project-A.mapeodata");
	dmg_flip(p, l.tree + 32 + 40 * 2 + 3);
	r = dmg_check(p);
	f = find_at(r, "feed-tree-damaged", 0, 1);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "tree node 2,"));
	ck_assert_ptr_null(find_at(r, "feed-hash-mismatch", 0, -2));
	report_free(r);
	dmg_done(p);

	/* a root (node 15, blocks 0 to 15): only the signature can tell, and
	 * it still verifies over the node computed again */
	p = dmg_copy("good-project-A.mapeodata");
	dmg_flip(p, l.tree + 32 + 40 * 15 + 3);
	r = dmg_check(p);
	ck_assert_ptr_nonnull(find_at(r, "feed-tree-damaged", 0, 0));
	ck_assert_ptr_null(find_at(r, "feed-hash-mismatch", 0, -2));
	ck_assert_ptr_null(find_at(r, "feed-signature-invalid", 0, -2));
	ck_assert_ptr_null(find_at(r, "feed-unsigned", 0, -2));
	ck_assert_int_eq(r->feeds[0].signed_len, 20);
	report_free(r);
	dmg_done(p);

	/* damaged data under a root leaf (feed 1, length 7, block 6 = node
	 * 12) is still damaged data, not a node */
	p = dmg_copy("good-project-A.mapeodata");
	feed_loc l1 = locate(p, 1);
	uint64_t off = 0;
	for (uint64_t k = 0; k < 6; k++)
		off += leaf_size(p, &l1, k);
	dmg_flip(p, l1.data + off + 30);
	r = dmg_check(p);
	ck_assert_ptr_nonnull(find_at(r, "feed-hash-mismatch", 1, 6));
	ck_assert_ptr_null(find_at(r, "feed-tree-damaged", 1, -2));
	report_free(r);
	dmg_done(p);
}
END_TEST

/* The check of a copy p of project A with bytes at[0..n-1] of feed 1's
 * last signature flipped; *slots: its signature slots. */
static sd_report *check_last_signature_flipped(char *p, const unsigned *at, size_t n,
                                               uint64_t *slots)
{
	feed_loc l = locate(p, 1);
	*slots = (l.sigs_size - 32) / 64;
	for (size_t i = 0; i < n; i++)
		dmg_flip(p, l.sigs + 32 + 64 * (*slots - 1) + at[i]);
	return dmg_check(p);
}

/* One byte of the last signature damaged: the one value that verifies is
 * found, the feed is verified whole, and the finding names the slot. */
START_TEST(a_signature_with_one_damaged_byte_is_mended)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	uint64_t slots;
	sd_report *r = check_last_signature_flipped(p, (const unsigned[]){7}, 1, &slots);
	const finding *f = find_at(r, "feed-signature-mended", 1, (int64_t)(slots - 1));
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->inner, "1/signatures");
	ck_assert_int_eq(f->severity, SEV_ERROR);
	ck_assert_ptr_nonnull(strstr(f->message, "(byte 8 of its 64)"));
	ck_assert_ptr_null(find_at(r, "feed-signature-invalid", 1, (int64_t)(slots - 1)));
	ck_assert_ptr_null(find_at(r, "feed-unsigned", 1, -2));
	ck_assert_uint_eq(r->feeds[1].verified, slots);
	ck_assert(r->feeds[1].sig_mend.on);
	ck_assert_uint_eq(r->feeds[1].sig_mend.at, 7);
	report_free(r);
	dmg_done(p);
}
END_TEST

/* Two bytes of it damaged: not searched for, a bad signature. */
START_TEST(a_flipped_signature_is_found)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	uint64_t slots;
	sd_report *r = check_last_signature_flipped(p, (const unsigned[]){7, 39}, 2, &slots);
	const finding *f = find_at(r, "feed-signature-invalid", 1, (int64_t)(slots - 1));
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->inner, "1/signatures");
	ck_assert_int_eq(f->severity, SEV_ERROR);
	ck_assert_ptr_nonnull(find_at(r, "feed-unsigned", 1, -2));
	report_free(r);
	dmg_done(p);
}
END_TEST

/* Feed 1 is signed at lengths 5 and 7: a bad signature for length 5 under
 * the good one for 7 does not stop Mapeo's sync (proved in tests/interop by
 * tests/feed-damage.sh), so it is a warning that says so, not an error
 * that says Mapeo will stop. */
START_TEST(a_bad_signature_under_a_good_one_is_a_warning)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	feed_loc l = locate(p, 1);
	dmg_flip(p, l.sigs + 32 + 64 * 4 + 7);
	sd_report *r = dmg_check(p);
	const finding *f = find_at(r, "feed-signature-invalid", 1, 4);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, SEV_WARNING);
	ck_assert_ptr_nonnull(strstr(f->message, "length 7"));
	ck_assert_ptr_null(strstr(f->message, "will stop"));
	ck_assert_int_eq(r->feeds[1].signed_len, 7);
	ck_assert_ptr_null(find_at(r, "feed-unsigned", 1, -2));
	report_free(r);
	dmg_done(p);
}
END_TEST

/* Feed l's data bit of block 5 cleared (one bit of its bitfield). */
static void clear_block5_bit(const char *p, const feed_loc *l)
{
	uint8_t b;
	dmg_read(p, l->bitfield + 32, &b, 1);
	b &= (uint8_t)~0x04;
	dmg_write(p, l->bitfield + 32, &b, 1);
}

/* A data bit cleared over a block the file holds intact (its data hashes
 * to its leaf): the bitfield is what is damaged, and the block is counted
 * (the real Mapeo waits for it for ever: tests/feed-damage.sh). */
START_TEST(a_cleared_bitfield_bit_over_intact_data_is_bitfield_damage)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	feed_loc l = locate(p, 0);
	clear_block5_bit(p, &l);
	sd_report *r = dmg_check(p);
	ck_assert_ptr_nonnull(find_at(r, "feed-bitfield-damaged", 0, 5));
	ck_assert_ptr_null(find_at(r, "feed-incomplete", 0, -2));
	ck_assert_uint_eq(r->feeds[0].present, r->feeds[0].length);
	ck_assert_uint_eq(r->feeds[0].verified, r->feeds[0].length);
	report_free(r);
	dmg_done(p);
}
END_TEST

/* The bit cleared and the block's data not there (another's bytes): a hole,
 * as a sparse feed has, said as missing and never as damaged data. */
START_TEST(a_cleared_bitfield_bit_over_other_bytes_is_a_hole)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	feed_loc l = locate(p, 0);
	clear_block5_bit(p, &l);
	uint64_t off = 0;
	for (uint64_t k = 0; k < 5; k++)
		off += leaf_size(p, &l, k);
	dmg_flip(p, l.data + off + 10);
	sd_report *r = dmg_check(p);
	ck_assert_ptr_nonnull(find_at(r, "feed-incomplete", 0, -2));
	ck_assert_ptr_null(find_at(r, "feed-hash-mismatch", 0, 5));
	ck_assert_ptr_null(find_at(r, "feed-bitfield-damaged", 0, -2));
	ck_assert_uint_eq(r->feeds[0].present, r->feeds[0].length - 1);
	report_free(r);
	dmg_done(p);
}
END_TEST

START_TEST(a_damaged_header_is_found)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	feed_loc l = locate(p, 1);
	dmg_flip(p, l.tree + 1);
	sd_report *r = dmg_check(p);
	const finding *f = find_at(r, "feed-header-invalid", 1, -2);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->inner, "1/tree");
	report_free(r);
	dmg_done(p);
}
END_TEST

/* issue 21: the tree and signatures are read on demand, a few pages at a
 * time. Read so (with pages of one and of three records, so that a small
 * fixture spans many pages and evicts them) or given whole, every feed of a
 * damaged file verifies to the same results and the same findings. */
typedef struct file_part {
	const char *path;
	uint64_t off;
	int fail_after; /* reads before one fails; -1 never */
} file_part;

static sd_status read_part(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	file_part *fp = ctx;
	if (fp->fail_after == 0)
		return sd_error_set(err, SD_ERR_IO, "test: read error");
	if (fp->fail_after > 0)
		fp->fail_after--;
	dmg_read(fp->path, fp->off + off, buf, len);
	return SD_OK;
}

static uint8_t *read_whole(const char *path, uint64_t off, uint64_t size)
{
	uint8_t *b = xmalloc((size_t)size + 1);
	dmg_read(path, off, b, (size_t)size);
	return b;
}

/* Verify feed `feed` of path, its tree and signatures whole (stream false)
 * or read through read_part; the tree reader fails after fail_after reads. */
static sd_status verify_one(const char *path, int feed, bool stream, int fail_after,
                            feed_result *res, findings *fl)
{
	feed_loc l = locate(path, feed);
	uint8_t *key = read_whole(path, l.key, 32);
	uint8_t *bf = read_whole(path, l.bitfield, l.bitfield_size);
	uint8_t *tree = read_whole(path, l.tree, l.tree_size);
	uint8_t *sigs = read_whole(path, l.sigs, l.sigs_size);
	file_part dp = {path, l.data, -1}, tp = {path, l.tree, fail_after}, sp = {path, l.sigs, -1};
	feed_source src = {.dir = feed ? "1" : "0",
	                   .key = key,
	                   .key_len = 32,
	                   .tree_len = l.tree_size,
	                   .signatures_len = l.sigs_size,
	                   .bitfield = bf,
	                   .bitfield_len = (size_t)l.bitfield_size,
	                   .has_tree = true,
	                   .has_signatures = true,
	                   .has_bitfield = true,
	                   .data_size = l.data_size,
	                   .read_data = read_part,
	                   .ctx = &dp};
	if (stream) {
		src.read_tree = read_part, src.tree_ctx = &tp;
		src.read_signatures = read_part, src.signatures_ctx = &sp;
	} else {
		src.tree = tree, src.signatures = sigs;
	}
	sd_error err = {0};
	sd_status st = feed_verify(&src, feed, res, fl, NULL, NULL, NULL, &err);
	free(key), free(bf), free(tree), free(sigs);
	return st;
}

/* A feed a sync downloaded in part (tests/data/partial-download, written by
 * the hypercore 6 Mapeo's sync runs): the blocks it holds are proved by the
 * one signature it has (for length 7) through the nodes stored above them;
 * verified counts the run of them from block 0. */
static void verify_partial(const char *part, uint64_t present, uint64_t verified)
{
	char dir[512], f[5][600];
	static const char *const names[] = {"key", "tree", "signatures", "bitfield", "data"};
	uint64_t size[5];
	uint8_t *b[5];
	snprintf(dir, sizeof dir, "%s/partial-download/%s", TEST_DATA_DIR, part);
	for (int i = 0; i < 5; i++) {
		snprintf(f[i], sizeof f[i], "%s/%s", dir, names[i]);
		struct stat st;
		ck_assert_int_eq(stat(f[i], &st), 0);
		size[i] = (uint64_t)st.st_size;
		b[i] = read_whole(f[i], 0, size[i]);
	}
	file_part dp = {f[4], 0, -1};
	feed_source src = {.dir = "1",
	                   .key = b[0],
	                   .key_len = (size_t)size[0],
	                   .tree = b[1],
	                   .tree_len = size[1],
	                   .signatures = b[2],
	                   .signatures_len = size[2],
	                   .bitfield = b[3],
	                   .bitfield_len = (size_t)size[3],
	                   .has_tree = true,
	                   .has_signatures = true,
	                   .has_bitfield = true,
	                   .data_size = size[4],
	                   .read_data = read_part,
	                   .ctx = &dp};
	feed_result res;
	findings fl;
	fnd_init(&fl);
	sd_error err = {0};
	ck_assert_int_eq(feed_verify(&src, 1, &res, &fl, NULL, NULL, NULL, &err), SD_OK);
	ck_assert_uint_eq(res.length, 7);
	ck_assert_uint_eq(res.present, present);
	ck_assert_uint_eq(res.verified, verified);
	ck_assert_int_eq(res.signed_len, 7);
	/* incomplete, and nothing called damaged */
	ck_assert_uint_eq(fnd_n(&fl), 1);
	ck_assert_str_eq(fnd_at(&fl, 0)->code, "feed-incomplete");
	fnd_free(&fl);
	for (int i = 0; i < 5; i++)
		free(b[i]);
}

START_TEST(a_feed_downloaded_in_part_verifies_what_it_holds)
{
	verify_partial("blocks-0-3", 4, 4);
	verify_partial("blocks-2-4", 3, 0);
}
END_TEST

static void same_verdicts(const char *path)
{
	static const size_t pages[] = {1, 3, 0};
	for (int feed = 0; feed < 2; feed++) {
		feed_result whole, part;
		findings fw, fp;
		fnd_init(&fw);
		ck_assert_int_eq(verify_one(path, feed, false, -1, &whole, &fw), SD_OK);
		for (size_t k = 0; k < 3; k++) {
			feed_set_page_records(pages[k]);
			fnd_init(&fp);
			ck_assert_int_eq(verify_one(path, feed, true, -1, &part, &fp), SD_OK);
			ck_assert_int_eq(memcmp(&whole, &part, sizeof whole), 0);
			ck_assert_uint_eq(fnd_n(&fw), fnd_n(&fp));
			for (size_t i = 0; i < fnd_n(&fw); i++) {
				ck_assert_str_eq(fnd_at(&fw, i)->code, fnd_at(&fp, i)->code);
				ck_assert_str_eq(fnd_at(&fw, i)->message, fnd_at(&fp, i)->message);
				ck_assert_int_eq(fnd_at(&fw, i)->block, fnd_at(&fp, i)->block);
			}
			fnd_free(&fp);
		}
		fnd_free(&fw);
	}
}

START_TEST(streamed_tree_and_signatures_verify_alike)
{
	feed_loc l = locate(sd_test_data("good-project-A.mapeodata"), 0);
	/* intact; a parent node; a leaf node; a root; a signature; a block */
	const uint64_t at[] = {0,
	                       l.tree + 32 + 40 * 1 + 5,
	                       l.tree + 32 + 40 * 2 + 3,
	                       l.tree + 32 + 40 * 15 + 3,
	                       l.sigs + 32 + 64 * 4 + 7,
	                       l.data + 10};
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		char *p = dmg_copy("good-project-A.mapeodata");
		if (at[i])
			dmg_flip(p, at[i]);
		same_verdicts(p);
		dmg_done(p);
	}
	/* the finding of the damaged parent is there, read in pages of one */
	char *p = dmg_copy("good-project-A.mapeodata");
	dmg_flip(p, l.tree + 32 + 40 * 1 + 5);
	feed_set_page_records(1);
	feed_result res;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(verify_one(p, 0, true, -1, &res, &fl), SD_OK);
	bool found = false;
	for (size_t i = 0; i < fnd_n(&fl); i++)
		found = found ||
		        (!strcmp(fnd_at(&fl, i)->code, "feed-tree-damaged") &&
		         fnd_at(&fl, i)->block == 0 && !strcmp(fnd_at(&fl, i)->inner, "0/tree"));
	ck_assert(found);
	fnd_free(&fl);
	feed_set_page_records(0);
	dmg_done(p);
}
END_TEST

/* A tree file that stops reading half-way is an error of the check (not a
 * crash, not a verdict on the feed). */
START_TEST(a_tree_read_failure_is_an_error)
{
	feed_set_page_records(1);
	feed_result res;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(
	    verify_one(sd_test_data("good-project-A.mapeodata"), 0, true, 5, &res, &fl), SD_ERR_IO);
	fnd_free(&fl);
	feed_set_page_records(0);
}
END_TEST

/* ---- feed_records: the rebuild's tree and signatures by record ---- */

typedef struct mem_file {
	const uint8_t *p;
	size_t len;
} mem_file;

static sd_status read_mem(void *ctx, uint64_t off, void *buf, size_t len, sd_error *err)
{
	(void)err;
	const mem_file *m = ctx;
	ck_assert_uint_le(off + len, m->len);
	memcpy(buf, m->p + off, len);
	return SD_OK;
}

/* A feed of n blocks, each a line of JSON as kappa-osm writes them; *data
 * the data file (the caller frees both). */
static fwb *lines_feed(uint64_t n, strbuf *data)
{
	fwb *b = fwb_new();
	for (uint64_t k = 0; k < n; k++) {
		char line[96];
		int len =
		    snprintf(line, sizeof line, "{\"id\":\"%llu\",\"pad\":\"%.*s\"}\n",
		             (unsigned long long)k, (int)(k % 23), "xxxxxxxxxxxxxxxxxxxxxxxx");
		fwb_append(b, (const uint8_t *)line, (size_t)len);
		sb_addn(data, line, (size_t)len);
	}
	return b;
}

/* That feed and its tree file (*tree, *tl), read through pages of 3 records
 * (feed_set_page_records(0) after). */
static fwb *lines_tree(uint64_t n, strbuf *data, uint8_t **tree, size_t *tl)
{
	fwb *b = lines_feed(n, data);
	*tree = fwb_tree(b, tl);
	feed_set_page_records(3);
	return b;
}

/* A computed tree written out of order through pages of 3 records (most
 * pages written back to its temporary file and read again), and the same
 * in memory when no temporary file can be made: every node reads back, and
 * every length hashes as the whole tree in memory does. */
START_TEST(computed_records_read_back_and_hash_alike)
{
	enum { N = 100 };
	strbuf data = SB_INIT;
	size_t tl;
	uint8_t *tree;
	fwb *b = lines_tree(N, &data, &tree, &tl);
	uint64_t nodes = (tl - HC_HEADER) / HC_NODE;
	ck_assert_uint_eq(nodes, 2 * N - 1);
	const char *old = getenv("TMPDIR");
	char *saved = old ? xstrdup(old) : NULL;
	for (int way = 0; way < 2; way++) {
		if (way == 1)
			setenv("TMPDIR", "/nonexistent/syncdoctor-test", 1);
		feed_records *r = feed_records_temp(nodes, HC_NODE);
		for (uint64_t i = nodes; i-- > 0;)
			feed_records_put(r, i, tree + HC_HEADER + i * HC_NODE);
		ck_assert_uint_eq(feed_records_count(r), nodes);
		for (uint64_t i = 0; i < nodes; i++) {
			uint8_t nd[HC_NODE];
			ck_assert(feed_records_get(r, i, nd));
			ck_assert_int_eq(memcmp(nd, tree + HC_HEADER + i * HC_NODE, HC_NODE), 0);
		}
		uint8_t nd[HC_NODE];
		ck_assert(!feed_records_get(r, nodes, nd));
		/* a stored file read through a callback gives the same hashes */
		mem_file m = {tree, tl};
		feed_records *st = feed_records_open(read_mem, &m, tl, HC_NODE);
		ck_assert_int_eq(memcmp(feed_records_head(st), tree, HC_HEADER), 0);
		for (uint64_t len = N; len > 0; len--) {
			uint8_t want[32], got[32], got2[32];
			ck_assert(feed_tree_hash(tree, tl, len, want));
			ck_assert(feed_records_tree_hash(r, len, got));
			ck_assert(feed_records_tree_hash(st, len, got2));
			ck_assert_int_eq(memcmp(want, got, 32), 0);
			ck_assert_int_eq(memcmp(want, got2, 32), 0);
		}
		/* a stored file is never written */
		uint8_t zero[HC_NODE] = {0};
		feed_records_put(st, 0, zero);
		ck_assert(feed_records_get(st, 0, nd));
		ck_assert_int_eq(memcmp(nd, tree + HC_HEADER, HC_NODE), 0);
		feed_records_free(st);
		feed_records_free(r);
	}
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	feed_set_page_records(0);
	free(tree);
	fwb_free(b);
	sb_free(&data);
}
END_TEST

/* The newline guess puts the leaves the writer made, up to max blocks. */
START_TEST(leaves_from_lines_are_the_written_leaves)
{
	enum { N = 40 };
	strbuf data = SB_INIT;
	size_t tl;
	uint8_t *tree;
	fwb *b = lines_tree(N, &data, &tree, &tl);
	mem_file m = {(const uint8_t *)sb_str(&data), data.len};
	static const uint64_t max[] = {N, 1000, 10};
	for (size_t k = 0; k < sizeof max / sizeof max[0]; k++) {
		uint64_t n = 0;
		feed_records *r = feed_leaves_from_lines(read_mem, &m, data.len, max[k], &n);
		ck_assert_ptr_nonnull(r);
		ck_assert_uint_eq(n, max[k] < N ? max[k] : N);
		ck_assert_uint_eq(feed_records_count(r), 2 * n - 1);
		for (uint64_t i = 0; i < n; i++) {
			uint8_t nd[HC_NODE];
			ck_assert(feed_records_get(r, 2 * i, nd));
			ck_assert_int_eq(memcmp(nd, tree + HC_HEADER + 2 * i * HC_NODE, HC_NODE),
			                 0);
		}
		feed_records_free(r);
	}
	/* no newline, no block */
	uint64_t n = 7;
	mem_file none = {(const uint8_t *)"{}", 2};
	ck_assert_ptr_null(feed_leaves_from_lines(read_mem, &none, 2, 10, &n));
	ck_assert_uint_eq(n, 0);
	feed_set_page_records(0);
	free(tree);
	fwb_free(b);
	sb_free(&data);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("feed");
	TCase *tc = tcase_create("feed");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fixtures_verify_and_match_expected_heads);
	tcase_add_test(tc, a_flipped_data_byte_names_its_block);
	tcase_add_test(tc, a_flipped_tree_node_is_found);
	tcase_add_test(tc, a_damaged_block_names_its_observation);
	tcase_add_test(tc, a_signature_with_one_damaged_byte_is_mended);
	tcase_add_test(tc, a_flipped_signature_is_found);
	tcase_add_test(tc, a_bad_signature_under_a_good_one_is_a_warning);
	tcase_add_test(tc, a_cleared_bitfield_bit_over_intact_data_is_bitfield_damage);
	tcase_add_test(tc, a_cleared_bitfield_bit_over_other_bytes_is_a_hole);
	tcase_add_test(tc, a_damaged_header_is_found);
	tcase_add_test(tc, streamed_tree_and_signatures_verify_alike);
	tcase_add_test(tc, a_tree_read_failure_is_an_error);
	tcase_add_test(tc, computed_records_read_back_and_hash_alike);
	tcase_add_test(tc, leaves_from_lines_are_the_written_leaves);
	tcase_add_test(tc, a_feed_downloaded_in_part_verifies_what_it_holds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
