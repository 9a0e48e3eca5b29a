#include "config.h"

#include "exedir.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

char *exe_dir(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0 || (size_t)n >= sizeof buf - 1)
		return NULL; /* unreadable, or possibly cut short */
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xstrdup(buf[0] ? buf : "/");
}

char *exe_find(const char *rel, int parents)
{
	char *dir = exe_dir();
	for (int i = 0; dir && i <= parents; i++) {
		char *p = xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", rel);
		if (access(p, R_OK) == 0) {
			free(dir);
			return p;
		}
		free(p);
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			break; /* the root has been tried */
		*slash = '\0';
	}
	free(dir);
	return NULL;
}
