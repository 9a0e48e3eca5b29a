/* Photo completeness: JPEG segment walk and PNG chunks. */
#include "config.h"

#include "fuzz.h"
#include "media.h"

const char *const fuzz_name = "media";
const char *const fuzz_seeds[] = {
    "desktop-userdata-A/kappa.db/media/thumbnail/06/0697eeec592efcd9b63866a28e7857fa.jpg", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	media_check *mc = media_check_new();
	/* Feed in uneven chunks to exercise the state machines' resumption. */
	size_t off = 0, step = 1;
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		media_check_feed(mc, data + off, n);
		off += n;
		step = step * 3 + 1;
	}
	const char *why;
	uint64_t at;
	media_check_finish(mc, &why, &at);
	return 0;
}
