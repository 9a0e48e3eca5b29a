/* The tolerant tar reader on its own: every header of the input, damage
 * and resynchronisation included, and each header block parsed alone. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "tar.h"

const char *const fuzz_name = "tar";
const char *const fuzz_seeds[] = {"config-A.v3-tar.mapeosettings", "edge-empty-device-A.mapeodata",
                                  NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = fuzz_tmpfile(data, size);
	sd_input *in = NULL;
	if (sdin_open(p, &in, NULL) == SD_OK) {
		tar_iter it;
		tar_entry e;
		sd_error err = {0};
		tar_event ev;
		tar_iter_init(&it, in, 0, sdin_size(in));
		while ((ev = tar_iter_next(&it, &e, &err)) != TAR_END) {
			if (ev == TAR_MEMBER && (e.data_off != e.header_off + TAR_BLOCK || !e.name))
				__builtin_trap(); /* the entry contract */
			sd_error_clear(&err);
		}
		tar_iter_free(&it);
		sdin_close(in);
	}
	unlink(p);
	/* Whole blocks straight into the header parser. */
	for (size_t off = 0; off + TAR_BLOCK <= size; off += TAR_BLOCK) {
		tar_header h;
		tar_header_parse(data + off, &h);
		if (memchr(h.name, 0, sizeof h.name) == NULL)
			__builtin_trap(); /* name must stay NUL-terminated */
	}
	return 0;
}
