#include "config.h"

#include "human.h"

#include <stdio.h>
#include <time.h>

#include "i18n.h"
#include "xalloc.h"

char *human_size(uint64_t n)
{
	if (n < 1024)
		return xasprintf(P_("%llu byte", "%llu bytes", n), (unsigned long long)n);
	if (n < 1024 * 1024)
		return xasprintf(_("%.1f KiB"), (double)n / 1024.0);
	if (n < 1024ull * 1024 * 1024)
		return xasprintf(_("%.1f MiB"), (double)n / (1024.0 * 1024));
	return xasprintf(_("%.1f GiB"), (double)n / (1024.0 * 1024 * 1024));
}

void human_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if ((int64_t)tt != t || !localtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}
