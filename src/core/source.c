#include "config.h"

#include "source.h"

#include <sys/stat.h>

#include "database.h"
#include "syncfile.h"

sd_status src_open(const char *path, syncfile **out, findings *fl, const sd_progress *prog,
                   sd_error *err)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return db_open(path, out, fl, prog, err);
	return sf_open(path, out, fl, prog, err);
}

sd_status src_open_fingerprinted(const char *path, syncfile **out, findings *fl,
                                 const sd_progress *prog, sd_error *err)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return db_open(path, out, fl, prog, err);
	return sf_open_fingerprinted(path, out, fl, prog, err);
}

sd_status src_check_unchanged(const syncfile *sf, sd_error *err)
{
	return sf->src.ops->check_unchanged(sf->src.ctx, err);
}
