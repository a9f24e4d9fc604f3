/* trust.c - the file of certificates trusted "always". */
#include "trust.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "xdg.h"

#define TRUST_MAX_FILE (1024 * 1024)

char *trust_find(const char *text, size_t len, const char *key)
{
	size_t klen = strlen(key);
	char *found = NULL;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > klen + 1 && memcmp(p, key, klen) == 0 &&
		    (p[klen] == ' ' || p[klen] == '\t')) {
			const char *f = p + klen;
			while (f < le && (*f == ' ' || *f == '\t'))
				f++;
			const char *fe = f;
			while (fe < le && (isxdigit((unsigned char)*fe) || *fe == ':'))
				fe++;
			if (fe > f) {
				free(found); /* the last line wins */
				found = xstrndup(f, (size_t)(fe - f));
			}
		}
		p = le + 1;
	}
	return found;
}

/* "host:port", with an IPv6 literal in brackets. */
static char *trust_key(const char *host, int port)
{
	return xasprintf(strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
}

char *trust_path(void)
{
	return xdg_path("XDG_DATA_HOME", ".local/share", "trusted");
}

char *trust_lookup(const char *host, int port)
{
	char *path = trust_path();
	char *fp = NULL;
	if (!path)
		return NULL;
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return NULL;
	char *text = xmalloc(TRUST_MAX_FILE);
	size_t n = fread(text, 1, TRUST_MAX_FILE, f);
	fclose(f);
	char *key = trust_key(host, port);
	fp = trust_find(text, n, key);
	free(key);
	free(text);
	return fp;
}

int trust_add(const char *host, int port, const char *fp)
{
	char *path = trust_path();
	int err = ERR_LOCAL;
	if (!path)
		return ERR_LOCAL;
	xdg_mkdirs_for(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		char *key = trust_key(host, port);
		char *line = xasprintf("%s %s\n", key, fp);
		free(key);
		size_t len = strlen(line);
		if (write(fd, line, len) == (ssize_t)len)
			err = 0;
		free(line);
		if (close(fd) < 0)
			err = ERR_LOCAL;
	}
	free(path);
	return err;
}
