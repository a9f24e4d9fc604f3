/* xdg.c - XDG base directory paths for ferry's files. */
#include "xdg.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "err.h"

char *xdg_path(const char *var, const char *fallback, const char *leaf)
{
	const char *base = getenv(var);
	const char *home = getenv("HOME");
	if (base && *base == '/')
		return xasprintf("%s/ferry/%s", base, leaf);
	if (!home || !*home)
		return NULL;
	return xasprintf("%s/%s/ferry/%s", home, fallback, leaf);
}

void xdg_mkdirs_for(const char *path)
{
	char *d = xstrdup(path);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(d, 0700);
		*p = '/';
	}
	free(d);
}
