/* Photo checks (media.c): cut and flipped photos in a real sync file are
 * found by name, and the checker streams byte by byte. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "damage.h"
#include "media.h"
#include "syncfile.h"
#include "testutil.h"
#include "xalloc.h"

START_TEST(cut_and_flipped_photos)
{
	char *p = dmg_copy("good-project-A.mapeodata");
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
	sf_member jpg, png;
	ck_assert(sf_find_member(sf, "original/f7bd20e3f105ecf7ddbe193e1fca5982.jpg", &jpg));
	ck_assert(sf_find_member(sf, "original/ad8b42c503eecb8be187886b9d4b49a3.png", &png));
	uint64_t jend = jpg.data_off + jpg.size, pmid = png.data_off + png.size / 2;
	sf_close(sf);
	fnd_free(&fl);
	/* the JPEG's EOI marker gone: a cut photo */
	dmg_write(p, jend - 2, "\0\0", 2);
	dmg_flip(p, pmid);
	sd_report *r = dmg_check(p);
	int found = 0;
	for (size_t i = 0; i < fnd_n(&r->findings); i++)
		if (fnd_at(&r->findings, i)->id == FND_MEDIA_DAMAGED) {
			const char *m = fnd_at(&r->findings, i)->media;
			ck_assert(!strcmp(m, "original/f7bd20e3f105ecf7ddbe193e1fca5982.jpg") ||
			          !strcmp(m, "original/ad8b42c503eecb8be187886b9d4b49a3.png"));
			found++;
		}
	ck_assert_int_eq(found, 2);
	report_free(r);
	dmg_done(p);
}
END_TEST

START_TEST(media_checker_streams)
{
	static const uint8_t png_empty[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,   0, 0,
	                                    0,    'I', 'E', 'N', 'D',  0xae, 0x42, 0x60, 0x82};
	const char *why;
	uint64_t at;
	/* a real photo of each kind, byte by byte, whole and cut */
	char *p = dmg_copy("good-project-A.mapeodata");
	syncfile *sf;
	findings fl;
	fnd_init(&fl);
	ck_assert_int_eq(sf_open(p, &sf, &fl, NULL, NULL), SD_OK);
	static const char *const names[] = {"original/f7bd20e3f105ecf7ddbe193e1fca5982.jpg",
	                                    "original/ad8b42c503eecb8be187886b9d4b49a3.png"};
	for (size_t k = 0; k < 2; k++) {
		sf_member m;
		ck_assert(sf_find_member(sf, names[k], &m));
		uint8_t *b = xmalloc((size_t)m.size);
		dmg_read(p, m.data_off, b, (size_t)m.size);
		media_check *mc = media_check_new();
		for (size_t i = 0; i < m.size; i++)
			media_check_feed(mc, b + i, 1);
		ck_assert_msg(media_check_finish(mc, &why, &at), "%s: %s", names[k], why);
		mc = media_check_new();
		media_check_feed(mc, b, (size_t)m.size - 1);
		ck_assert(!media_check_finish(mc, &why, &at));
		ck_assert_ptr_nonnull(why);
		free(b);
	}
	sf_close(sf);
	fnd_free(&fl);
	dmg_done(p);
	/* well formed but no image: SOI then EOI; a signature, then IEND */
	static const uint8_t jpeg_empty[] = {0xFF, 0xD8, 0xFF, 0xD9};
	media_check *mc = media_check_new();
	media_check_feed(mc, jpeg_empty, sizeof jpeg_empty);
	ck_assert(!media_check_finish(mc, &why, &at));
	ck_assert_ptr_nonnull(strstr(why, "no image"));
	mc = media_check_new();
	media_check_feed(mc, png_empty, sizeof png_empty);
	ck_assert(!media_check_finish(mc, &why, &at));
	ck_assert_ptr_nonnull(strstr(why, "no image"));
	mc = media_check_new();
	media_check_feed(mc, (const uint8_t *)"GIF89a", 6);
	ck_assert(!media_check_finish(mc, &why, &at));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("media");
	TCase *tc = tcase_create("media");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, cut_and_flipped_photos);
	tcase_add_test(tc, media_checker_streams);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return sd_test_run(suite()); }
