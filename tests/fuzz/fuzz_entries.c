/* Feed entries: one block of ndjson, then the observation model. */
#include "config.h"

#include "observations.h"
#include "fuzz.h"

const char *const fuzz_name = "entries";
const char *const fuzz_seeds[] = {"good-no-key.expected.json", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	findings fl;
	fnd_init(&fl);
	obs_model *m = obs_model_new();
	/* Split the input at newlines: each line is one block. */
	size_t start = 0;
	uint64_t seq = 0;
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n') {
			obs_model_add_block(m, 0, "ab", seq++, data + start, i + 1 - start, &fl);
			start = i + 1;
		}
	obs_model_finish(m, 1800000000, &fl);
	const char *media[] = {"original/x.jpg", "preview/x.jpg"};
	obs_model_check_media(m, media, 2, &fl);
	obs_model_free(m);
	fnd_free(&fl);
	return 0;
}
