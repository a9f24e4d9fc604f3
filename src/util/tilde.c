/* tilde.c - `~` and `~user` in local paths (tilde.h). */
#include "tilde.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

char *path_expand_tilde(const char *path)
{
	if (path[0] != '~')
		return xstrdup(path);
	size_t n = strcspn(path + 1, "/");
	const char *home = NULL;
	struct passwd *pw = NULL;
	if (n == 0) {
		home = getenv("HOME");
		if (!home || !*home)
			pw = getpwuid(getuid());
	} else {
		char *user = xstrndup(path + 1, n);
		pw = getpwnam(user);
		free(user);
	}
	if (pw)
		home = pw->pw_dir;
	if (!home || !*home)
		return xstrdup(path);
	/* "~/" under a home of "/" gives "/x", not "//x". */
	const char *rest = path + 1 + n;
	size_t hl = strlen(home);
	if (hl > 1 && home[hl - 1] == '/' && *rest == '/')
		hl--;
	if (hl == 1 && home[0] == '/' && *rest == '/')
		hl = 0;
	return xasprintf("%.*s%s", (int)hl, home, rest);
}
