/* The ZIP reader on its own: central directory, local headers, stored and
 * deflated members with their size and CRC checks (ZIP bombs included). */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "zip.h"

const char *const fuzz_name = "zip";
const char *const fuzz_seeds[] = {"config-A.mapeosettings", "config-B.mapeosettings",
                                  "config-no-key.mapeosettings", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = fuzz_tmpfile(data, size);
	sd_input *in = NULL;
	if (sdin_open(p, &in, NULL) == SD_OK) {
		zip_archive za;
		if (zip_open(in, &za, NULL) == SD_OK) {
			for (size_t i = 0; i < za.n; i++) {
				uint8_t *buf = NULL;
				size_t len = 0;
				if (zip_read(&za, &za.entries[i], &buf, &len, NULL) == SD_OK) {
					/* the limit and the NUL that zip.h promises */
					if (len > ZIP_MAX_MEMBER || buf[len] != 0)
						__builtin_trap();
					free(buf);
				}
			}
			zip_close(&za);
		}
		sdin_close(in);
	}
	unlink(p);
	return 0;
}
