/* fuzz_netrc.c - netrc_find() over a hostile .netrc (curl CVE-2022-35260,
 * CVE-2024-11053, CVE-2025-0167 were all netrc parser bugs).
 *
 * Input: the host to look up, '\n', the login wanted (empty: none), '\n',
 * then the file text (an exact-size copy, not NUL-terminated).
 * Properties: a login asked for is the login returned; an entry for
 * another host is never returned; asking for a login only narrows the
 * match; nothing is returned, nor leaked, on failure.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "fuzz_common.h"
#include "netrc.h"

static bool contains_ci(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	if (m == 0)
		return true;
	for (size_t i = 0; i + m <= n; i++)
		if (strncasecmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl1, *nl2;
	char *host, *want, *text, *login, *pass, *login2, *pass2;
	size_t tlen;
	int rc, rc2;

	nl1 = memchr(data, '\n', size);
	if (!nl1)
		return 0;
	nl2 = memchr(nl1 + 1, '\n', size - (size_t)(nl1 + 1 - data));
	if (!nl2)
		return 0;
	host = fz_cstr(data, (size_t)(nl1 - data));
	want = fz_cstr(nl1 + 1, (size_t)(nl2 - nl1 - 1));
	tlen = size - (size_t)(nl2 + 1 - data);
	text = fz_copy(nl2 + 1, tlen);

	rc = netrc_find(text, tlen, host, *want ? want : NULL, &login, &pass);
	FZ_CHECK(rc == 1 || rc == 0 || rc == ERR_FAIL);
	if (rc != 1) {
		FZ_CHECK(!login && !pass);
	} else {
		if (*want)
			FZ_CHECK(login && strcmp(login, want) == 0);
		/* Without escapes or a default entry, only a machine token
		 * spelling this host can have matched. */
		if (!memchr(text, '\\', tlen) && !contains_ci(text, tlen, "default"))
			FZ_CHECK(contains_ci(text, tlen, host));
	}

	rc2 = netrc_find(text, tlen, host, NULL, &login2, &pass2);
	if (*want) {
		/* want_login only narrows the match; errors do not depend
		 * on it. */
		FZ_CHECK(rc2 == (rc == 0 ? rc2 : rc));
		if (rc2 == ERR_FAIL)
			FZ_CHECK(rc == ERR_FAIL);
	} else {
		FZ_CHECK(rc2 == rc && same_str(login, login2) && same_str(pass, pass2));
	}
	free(login);
	free(pass);
	free(login2);
	free(pass2);
	free(text);
	free(want);
	free(host);
	return 0;
}
