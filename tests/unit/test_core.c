#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exedir.h"
#include "finding.h"
#include "human.h"
#include "hypercore.h"
#include "io.h"
#include "journal.h"
#include "keys.h"
#include "report.h"
#include "session.h"
#include "status.h"
#include "strbuf.h"
#include "strmap.h"
#include "testutil.h"
#include "userconf.h"
#include "xalloc.h"

START_TEST(strbuf_grows)
{
	strbuf b = SB_INIT;
	ck_assert_str_eq(sb_str(&b), "");
	for (int i = 0; i < 1000; i++)
		sb_printf(&b, "%d,", i);
	ck_assert_uint_eq(b.len, strlen(b.s));
	ck_assert(strncmp(b.s, "0,1,2,", 6) == 0);
	char *s = sb_take(&b);
	ck_assert_ptr_null(b.s);
	free(s);
}
END_TEST

START_TEST(findings_catalogue_and_sort)
{
	findings l;
	fnd_init(&l);
	finding *f = fnd_add(&l, FND_MEDIA_ORPHAN, "orphan %d", 1);
	fnd_set_media(f, "original/x.jpg");
	f = fnd_add(&l, FND_PROJECT_MISMATCH, "mismatch");
	f = fnd_add(&l, FND_FEED_HASH_MISMATCH, "hash");
	f->feed = 1;
	f->block = 7;
	ck_assert_int_eq(fnd_at(&l, 2)->step, STEP_CORRUPTION);
	ck_assert_int_eq(fnd_at(&l, 2)->severity, SEV_ERROR);
	fnd_sort(&l);
	ck_assert_str_eq(fnd_at(&l, 0)->code, "project-mismatch");
	ck_assert_str_eq(fnd_at(&l, 1)->code, "feed-hash-mismatch");
	ck_assert_str_eq(fnd_at(&l, 2)->code, "media-orphan");
	ck_assert_str_eq(fnd_at(&l, 2)->media, "original/x.jpg");
	ck_assert_int_eq(fnd_at(&l, 1)->block, 7);
	ck_assert(fnd_has(&l, FND_MEDIA_ORPHAN));
	ck_assert_int_eq(fnd_worst(&l), SEV_ERROR);
	ck_assert_uint_eq(fnd_count(&l, SEV_WARNING), 2);
	fnd_free(&l);
}
END_TEST

START_TEST(every_code_has_a_summary)
{
	size_t n;
	const fnd_code_info *c = fnd_catalogue(&n);
	ck_assert_uint_gt(n, 40);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(c[i].summary);
		ck_assert_ptr_eq(fnd_lookup(c[i].code), &c[i]);
		ck_assert_int_eq(c[i].id, (int)i);
		ck_assert_ptr_eq(fnd_info(c[i].id), &c[i]);
		for (const char *p = c[i].code; *p; p++)
			ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			                  *p == '-',
			              "bad code %s", c[i].code);
	}
}
END_TEST

/* Each constant is the code's own name (FND_ + the code in capitals, '-' as
 * '_'), so reading FND_FEED_GAP in code means "feed-gap" in a report. */
START_TEST(code_constants_name_their_codes)
{
	static const struct {
		const char *name, *code;
	} t[] = {
#define FND(name, code, step, sev, summary, advice) {#name, code},
#include "finding_codes.h"
#undef FND
	};
	ck_assert_uint_eq(sizeof t / sizeof t[0], FND_COUNT);
	for (size_t i = 0; i < FND_COUNT; i++) {
		char want[64];
		size_t k = 0;
		for (const char *p = t[i].code; *p && k + 1 < sizeof want; p++)
			want[k++] =
			    *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		want[k] = '\0';
		ck_assert_str_eq(t[i].name, want);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(t[i].code, t[j].code);
	}
	ck_assert_ptr_null(fnd_lookup("feed-hsh-mismatch"));
	ck_assert_str_eq(fnd_info(FND_FEED_GAP)->code, "feed-gap");
	ck_assert_str_eq(fnd_lookup("feed-gap")->code, "feed-gap");
}
END_TEST

/* One rule for project keys, discovery keys and key folders: 64 characters
 * of [0-9a-f]; upper case is not what Mapeo writes or compares equal. */
START_TEST(hex64_is_lowercase_only)
{
	const char *ok = "ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e";
	ck_assert(keys_is_hex64(ok));
	ck_assert(
	    !keys_is_hex64("AE0A68592EFCE444FC67E48181C9B8CB1FD968535B63F54D54DC78D1D49E1C7E"));
	ck_assert(
	    !keys_is_hex64("ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7"));
	ck_assert(
	    !keys_is_hex64("ae0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e0"));
	ck_assert(
	    !keys_is_hex64("ge0a68592efce444fc67e48181c9b8cb1fd968535b63f54d54dc78d1d49e1c7e"));
	ck_assert(!keys_is_hex64(""));
	ck_assert(!keys_is_hex64(NULL));
	char shown[16];
	keys_footer_form(ok, shown);
	ck_assert_str_eq(shown, "ae0a6**********");
	keys_footer_form(NULL, shown);
	ck_assert_str_eq(shown, "MAPEO");
}
END_TEST

/* Sizes round the same everywhere: bytes below 1 KiB, then one decimal. */
START_TEST(human_sizes_and_times)
{
	static const struct {
		uint64_t n;
		const char *want;
	} t[] = {{0, "0 bytes"},
	         {1, "1 byte"},
	         {1023, "1023 bytes"},
	         {1024, "1.0 KiB"},
	         {102400, "100.0 KiB"},
	         {1536 * 1024, "1.5 MiB"},
	         {4294967295ull, "4.0 GiB"},
	         {5ull << 40, "5120.0 GiB"}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *s = human_size(t[i].n);
		ck_assert_str_eq(s, t[i].want);
		free(s);
	}
	setenv("TZ", "UTC", 1);
	tzset();
	char when[32];
	human_time(1714564800, when);
	ck_assert_str_eq(when, "2024-05-01 12:00");
	human_time(0, when);
	ck_assert_str_eq(when, "1970-01-01 00:00");
}
END_TEST

/* The header every hypercore storage file starts with (doc/formats.md §4). */
START_TEST(hypercore_headers_and_integers)
{
	uint8_t b[8];
	hc_put_be64(b, 0x0102030405060708ull);
	ck_assert_uint_eq(b[0], 1);
	ck_assert_uint_eq(b[7], 8);
	ck_assert(hc_be64(b) == 0x0102030405060708ull);

	uint8_t h[HC_HEADER];
	hc_header_write(h, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE);
	static const uint8_t tree[] = {0x05, 0x02, 0x57, 0x02, 0x00, 0x00, 0x28, 0x07,
	                               'B',  'L',  'A',  'K',  'E',  '2',  'b',  0x00};
	ck_assert_mem_eq(h, tree, sizeof tree);
	ck_assert(hc_header_ok(h, sizeof h, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE));
	ck_assert(hc_header_ok(h, sizeof h, HC_TYPE_TREE, 0, HC_ALGO_TREE));
	ck_assert(!hc_header_ok(h, sizeof h, HC_TYPE_SIGNATURES, HC_SIG, HC_ALGO_SIGNATURES));
	ck_assert(!hc_header_ok(h, sizeof h - 1, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE));
	ck_assert(!hc_header_ok(NULL, 0, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE));
	hc_header_write(h, HC_TYPE_BITFIELD, HC_PAGE, "");
	ck_assert_uint_eq(h[5], 0x0e);
	ck_assert_uint_eq(h[6], 0x00);
	ck_assert(hc_header_ok(h, sizeof h, HC_TYPE_BITFIELD, 0, ""));
	ck_assert_uint_eq(HC_PAGE, 1024 + 2048 + 512);
	ck_assert_uint_eq(HC_PAGE_BLOCKS, 1024 * 8);
	ck_assert_uint_eq(HC_PAGE_NODES, 2048 * 8);
}
END_TEST

/* One wording of a finding's place for the text report and the wizard,
 * with every name from the file escaped. */
/* The leaf and parent hashes agree with a tree Mapeo wrote (Desktop's own
 * feed in tests/data): leaves 0 and 1 over the first two blocks, and node
 * 1 as their parent. */
START_TEST(hypercore_hashes_match_a_real_tree)
{
	size_t tl, dl;
	uint8_t *tree = sd_test_slurp(sd_test_data("desktop-userdata-A/kappa.db/0/tree"), &tl);
	uint8_t *data = sd_test_slurp(sd_test_data("desktop-userdata-A/kappa.db/0/data"), &dl);
	ck_assert_uint_ge(tl, HC_HEADER + 3 * HC_NODE);
	ck_assert(hc_header_ok(tree, tl, HC_TYPE_TREE, HC_NODE, HC_ALGO_TREE));
	const uint8_t *n0 = tree + HC_HEADER, *n1 = n0 + HC_NODE, *n2 = n1 + HC_NODE;
	uint64_t s0 = hc_be64(n0 + 32), s1 = hc_be64(n2 + 32);
	ck_assert_uint_le(s0 + s1, dl);
	uint8_t h[32], node[HC_NODE];
	hc_leaf_hash(data, (size_t)s0, h);
	ck_assert_mem_eq(h, n0, 32);
	hc_leaf_hash(data + s0, (size_t)s1, h);
	ck_assert_mem_eq(h, n2, 32);
	hc_parent_node(n0, n2, node);
	ck_assert_mem_eq(node, n1, HC_NODE);
	free(tree);
	free(data);
}
END_TEST

START_TEST(a_findings_place_is_worded_once)
{
	findings l;
	fnd_init(&l);
	finding *f = fnd_add(&l, FND_FEED_HASH_MISMATCH, "hash");
	fnd_set_inner(f, "0/data");
	f->feed = 0;
	f->block = 10;
	char *s = report_place(f);
	ck_assert_str_eq(s, "database file 0/data, device 0, block 10");
	free(s);
	f = fnd_add(&l, FND_MEDIA_DAMAGED, "photo");
	fnd_set_member(f, "original/a\x1b[2Jb.jpg");
	fnd_set_media(f, "original/a\x1b[2Jb.jpg");
	f->offset = 1536;
	s = report_place(f);
	ck_assert_str_eq(s, "member original/a\\x1b[2Jb.jpg, byte 1536");
	free(s);
	f = fnd_add(&l, FND_DATE_EPOCH, "date");
	fnd_set_observation(f, "6c2431a2c0d5acbc");
	fnd_set_detail(f, "river, 1970-01-01");
	s = report_place(f);
	ck_assert_str_eq(s, "observation 6c2431a2c0d5acbc (river, 1970-01-01)");
	free(s);
	f = fnd_add(&l, FND_PROJECT_UNKNOWN, "none");
	s = report_place(f);
	ck_assert_str_eq(s, "");
	free(s);
	fnd_free(&l);
}
END_TEST

START_TEST(input_refuses_directories_and_missing)
{
	sd_input *in;
	sd_error err;
	char *dir = sd_test_tmpdir();
	ck_assert_int_eq(sdin_open(dir, &in, &err), SD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, dir));
	char *missing = malloc(strlen(dir) + 20);
	sprintf(missing, "%s/nothere", dir);
	ck_assert_int_eq(sdin_open(missing, &in, &err), SD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "nothere"));
	free(missing);
	rmdir(dir);
	free(dir);
}
END_TEST

/* Below a temporary folder (io_open_beneath()): a symbolic link at any
 * level, and a name that climbs out, are never followed; a plain file is
 * read. */
START_TEST(beneath_follows_no_link)
{
	char *dir = sd_test_tmpdir();
	char *p = xasprintf("%s/t", dir);
	mkdir(p, 0700);
	free(p);
	p = xasprintf("%s/t/real", dir);
	mkdir(p, 0700);
	free(p);
	p = xasprintf("%s/outside", dir);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs("secret", f);
	fclose(f);
	char *root = xasprintf("%s/t", dir);
	char *file = xasprintf("%s/t/real/data", dir);
	ck_assert_int_eq(symlink(p, file), 0); /* t/real/data -> outside */
	char *link = xasprintf("%s/t/linkdir", dir);
	char *real = xasprintf("%s/t/real", dir);
	ck_assert_int_eq(symlink(real, link), 0); /* t/linkdir -> t/real */
	sd_input *in;
	sd_error err;
	ck_assert_int_eq(sdin_open(file, &in, &err), SD_OK); /* plain open follows */
	sdin_close(in);
	ck_assert_int_eq(sdin_open_beneath(root, file, &in, &err), SD_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "symbolic link"));
	struct stat st;
	ck_assert(io_lstat_beneath(root, file, &st) && S_ISLNK(st.st_mode));
	char *via = xasprintf("%s/t/linkdir/data", dir);
	ck_assert(!io_lstat_beneath(root, via, &st));
	ck_assert_ptr_null(io_opendir_beneath(root, link));
	char *up = xasprintf("%s/t/../outside", dir);
	ck_assert_int_eq(io_open_beneath(root, up, O_RDONLY), -1);
	ck_assert_int_eq(io_open_beneath(root, p, O_RDONLY), -1); /* not below root */
	unlink(file);
	f = fopen(file, "w");
	fputs("mine", f);
	fclose(f);
	ck_assert_int_eq(sdin_open_beneath(root, file, &in, &err), SD_OK);
	ck_assert_uint_eq(sdin_size(in), 4);
	sdin_close(in);
	DIR *d = io_opendir_beneath(root, real);
	ck_assert_ptr_nonnull(d);
	closedir(d);
	unlink(file), unlink(link), unlink(p), rmdir(real), rmdir(root), rmdir(dir);
	free(up), free(via), free(real), free(link), free(file), free(root), free(p), free(dir);
}
END_TEST

START_TEST(output_is_atomic_and_faults_clean_up)
{
	char *dir = sd_test_tmpdir();
	char target[4096];
	snprintf(target, sizeof target, "%s/out.bin", dir);
	sd_output *o;
	sd_error err;
	ck_assert_int_eq(sdout_open(target, false, &o, &err), SD_OK);
	ck_assert_int_eq(sdout_write(o, "hello", 5, &err), SD_OK);
	struct stat st;
	ck_assert_int_ne(stat(target, &st), 0); /* nothing under the name yet */
	ck_assert_int_eq(sdout_commit(o, NULL, NULL, &err), SD_OK);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 5);
	/* refuses to overwrite without force */
	ck_assert_int_eq(sdout_open(target, false, &o, &err), SD_ERR_EXISTS);
	/* injected ENOSPC: error, temporary removed, target untouched */
	setenv("SYNCDOCTOR_FAULT_WRITE", "ENOSPC:3", 1);
	ck_assert_int_eq(sdout_open(target, true, &o, &err), SD_OK);
	char *tmp = strdup(sdout_tmp_path(o));
	ck_assert_int_eq(sdout_write(o, "abcdef", 6, &err), SD_ERR_NOSPACE);
	sdout_abort(o);
	unsetenv("SYNCDOCTOR_FAULT_WRITE");
	ck_assert_int_ne(stat(tmp, &st), 0);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 5);
	free(tmp);
	unlink(target);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(strmap_finds_every_key)
{
	/* enough keys to grow the table several times; keys that share a
	 * prefix and keys that are prefixes of others */
	enum { N = 5000 };
	char(*keys)[16] = calloc(N, sizeof *keys);
	smap m;
	smap_init(&m);
	for (size_t i = 0; i < N; i++) {
		snprintf(keys[i], sizeof keys[i], "k%zu", i);
		smap_put(&m, keys[i], strlen(keys[i]), i);
	}
	ck_assert_uint_eq(m.n, N);
	size_t v;
	for (size_t i = 0; i < N; i++) {
		ck_assert(smap_get(&m, keys[i], strlen(keys[i]), &v));
		ck_assert_uint_eq(v, i);
	}
	ck_assert(!smap_get(&m, "k5000", 5, &v));
	ck_assert(!smap_get(&m, "k1", 1, &v));      /* a prefix of a key is another key */
	smap_put(&m, keys[7], strlen(keys[7]), 99); /* replacing keeps one entry */
	ck_assert_uint_eq(m.n, N);
	ck_assert(smap_get(&m, "k7", 2, &v));
	ck_assert_uint_eq(v, 99);
	smap_free(&m);
	ck_assert(!smap_get(&m, "k7", 2, &v)); /* an empty map finds nothing */
	free(keys);
}
END_TEST

START_TEST(output_never_replaces_what_is_not_a_file)
{
	char *dir = sd_test_tmpdir();
	char fifo[4096], link[4096], file[4096];
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	snprintf(link, sizeof link, "%s/link", dir);
	snprintf(file, sizeof file, "%s/file", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	FILE *f = fopen(file, "w");
	fclose(f);
	ck_assert_int_eq(symlink(file, link), 0);
	sd_error err;
	sd_output *o = NULL;
	ck_assert_int_eq(sdout_open(fifo, true, &o, &err), SD_ERR_EXISTS);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(sdout_open(link, true, &o, &err), SD_ERR_EXISTS);
	ck_assert_int_eq(sdout_open(dir, true, &o, &err), SD_ERR_EXISTS);
	ck_assert_int_eq(io_check_target(file, false, &err), SD_ERR_EXISTS);
	ck_assert_int_eq(io_check_target(file, true, &err), SD_OK);
	struct stat st;
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	unlink(fifo), unlink(link), unlink(file);
	rmdir(dir);
	free(dir);
}
END_TEST

/* Data is found relative to the program, never through a compiled-in
 * build path: this program is BUILD/tests/unit/test_core. */
START_TEST(exe_dir_and_find_beside_the_program)
{
	char *dir = exe_dir();
	ck_assert_ptr_nonnull(dir);
	ck_assert_int_eq(dir[0], '/');
	char *self = exe_find("test_core", 0);
	ck_assert_ptr_nonnull(self);
	char *want = xasprintf("%s/test_core", dir);
	ck_assert_str_eq(self, want);
	free(want);
	free(self);
	/* Two folders up is the build folder, which has tests/unit/test_core. */
	char *up = exe_find("tests/unit/test_core", 2);
	ck_assert_ptr_nonnull(up);
	free(up);
	ck_assert_ptr_null(exe_find("tests/unit/test_core", 1));
	ck_assert_ptr_null(exe_find("no-such-file-anywhere.yaml", 2));
	free(dir);
}
END_TEST

/* The session both front ends read: the configuration file's values land
 * in the options, and the journal's place follows --journal, the default
 * and --no-journal the same way for the CLI and the wizard. */
START_TEST(session_options_and_journal_place)
{
	ucf_config u;
	ucf_init(&u);
	u.color = 0;
	u.ascii = 1;
	u.journal = xstrdup("/tmp/from-config.sqlite");
	u.log_dir = xstrdup("/tmp/logs");
	sess_options o = {0};
	sess_apply_config(&o, &u);
	ck_assert(o.no_color);
	ck_assert(o.ascii);
	ck_assert_str_eq(o.log_dir, "/tmp/logs");
	char *p = sess_journal_path(&o);
	ck_assert_str_eq(p, "/tmp/from-config.sqlite");
	free(p);
	o.no_journal = true;
	ck_assert_ptr_null(sess_journal_path(&o));
	sess_options d = {0};
	p = sess_journal_path(&d);
	char *want = jnl_default_path();
	if (want)
		ck_assert_str_eq(p, want);
	else
		ck_assert_ptr_null(p);
	free(p);
	free(want);
	ucf_free(&u);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, strbuf_grows);
	tcase_add_test(tc, findings_catalogue_and_sort);
	tcase_add_test(tc, every_code_has_a_summary);
	tcase_add_test(tc, code_constants_name_their_codes);
	tcase_add_test(tc, hex64_is_lowercase_only);
	tcase_add_test(tc, human_sizes_and_times);
	tcase_add_test(tc, hypercore_headers_and_integers);
	tcase_add_test(tc, hypercore_hashes_match_a_real_tree);
	tcase_add_test(tc, a_findings_place_is_worded_once);
	tcase_add_test(tc, input_refuses_directories_and_missing);
	tcase_add_test(tc, output_is_atomic_and_faults_clean_up);
	tcase_add_test(tc, beneath_follows_no_link);
	tcase_add_test(tc, output_never_replaces_what_is_not_a_file);
	tcase_add_test(tc, strmap_finds_every_key);
	tcase_add_test(tc, exe_dir_and_find_beside_the_program);
	tcase_add_test(tc, session_options_and_journal_place);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
