/* fuzz_ftp_parse.c - the pure FTP parsers of ftp.h over one reply text:
 * 227 (PASV), 229 (EPSV), 257 (PWD/MKD), 150 sizes, 213 (SIZE, MDTM), FEAT, the local
 * name for a remote path, and the command-argument check.
 *
 * Besides memory safety, what each accepts must round-trip: a parsed
 * value printed back in the canonical form parses to the same value.
 */
#define _GNU_SOURCE /* strcasestr */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "ftp.h"
#include "fuzz_common.h"

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static void check_227(const char *msg)
{
	unsigned char a[4], b[4];
	int port, port2;
	char again[64];

	if (ftp_parse_227(msg, &port, a) < 0)
		return;
	FZ_CHECK(port >= 1 && port <= 65535);
	snprintf(again, sizeof(again), "Entering Passive Mode (%d,%d,%d,%d,%d,%d)",
	         a[0], a[1], a[2], a[3], port >> 8, port & 255);
	FZ_CHECK(ftp_parse_227(again, &port2, b) == 0);
	FZ_CHECK(port2 == port && memcmp(a, b, 4) == 0);
	/* addr is optional. */
	FZ_CHECK(ftp_parse_227(msg, &port2, NULL) == 0 && port2 == port);
}

static void check_229(const char *msg)
{
	int port, port2;
	char again[64];

	if (ftp_parse_229(msg, &port) < 0)
		return;
	FZ_CHECK(port >= 1 && port <= 65535);
	snprintf(again, sizeof(again), "Entering Extended Passive Mode (|||%d|)", port);
	FZ_CHECK(ftp_parse_229(again, &port2) == 0 && port2 == port);
}

static void check_257(const char *msg)
{
	char *path, *path2, *q;
	size_t n = 0;

	if (ftp_parse_257(msg, &path) < 0)
		return;
	FZ_CHECK(path[0] != '\0');
	for (const unsigned char *c = (const unsigned char *)path; *c; c++)
		FZ_CHECK(*c >= 0x20 && *c != 0x7f);
	/* Quote it back ("" for ") and parse again. */
	q = malloc(2 * strlen(path) + 16);
	q[n++] = '"';
	for (const char *c = path; *c; c++) {
		if (*c == '"')
			q[n++] = '"';
		q[n++] = *c;
	}
	memcpy(q + n, "\" is cwd", 9);
	FZ_CHECK(ftp_parse_257(q, &path2) == 0);
	FZ_CHECK(strcmp(path, path2) == 0);
	free(path2);
	free(q);
	free(path);
}

static void check_size(const char *msg)
{
	uint64_t size;
	char dec[32];
	const char *p = skip_blanks(msg);

	if (ftp_parse_size(msg, &size) < 0)
		return;
	FZ_CHECK(size <= (uint64_t)INT64_MAX);
	/* The digits, less leading zeros, are the number. */
	while (*p == '0' && p[1] >= '0' && p[1] <= '9')
		p++;
	snprintf(dec, sizeof(dec), "%" PRIu64, size);
	FZ_CHECK(strncmp(p, dec, strlen(dec)) == 0);
	FZ_CHECK(*skip_blanks(p + strlen(dec)) == '\0');
}

static void check_150_size(const char *msg)
{
	uint64_t size;
	char dec[40];

	if (ftp_parse_150_size(msg, &size) < 0)
		return;
	FZ_CHECK(size <= (uint64_t)INT64_MAX);
	/* "(N bytes)" is in the text, N without a sign. */
	snprintf(dec, sizeof(dec), "%" PRIu64 " bytes)", size);
	FZ_CHECK(strcasestr(msg, dec) != NULL);
}

static void check_mdtm(const char *msg)
{
	int64_t t;
	time_t tt;
	struct tm tm;
	char again[32];
	const char *p = skip_blanks(msg);

	if (ftp_parse_mdtm(msg, &t) < 0)
		return;
	FZ_CHECK(t >= 0);
	/* A leap second (ss = 60) normalises to the next minute. */
	if (p[12] == '6')
		return;
	tt = (time_t)t;
	FZ_CHECK(gmtime_r(&tt, &tm) != NULL);
	FZ_CHECK(strftime(again, sizeof(again), "%Y%m%d%H%M%S", &tm) == 14);
	FZ_CHECK(memcmp(again, p, 14) == 0);
}

static void check_local_name(const char *remote)
{
	char *name;
	const char *slash = strrchr(remote, '/');
	const char *base = slash ? slash + 1 : remote;

	if (ftp_local_name(remote, &name) < 0)
		return;
	FZ_CHECK(strcmp(name, base) == 0);
	FZ_CHECK(*name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0);
	FZ_CHECK(!strchr(name, '/'));
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		FZ_CHECK(*c >= 0x20 && *c != 0x7f);
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *msg = fz_cstr(data, size);
	struct ftp_feat feat;
	int err;

	check_227(msg);
	check_229(msg);
	check_257(msg);
	check_size(msg);
	check_150_size(msg);
	check_mdtm(msg);
	ftp_parse_feat(msg, &feat);
	check_local_name(msg);
	FZ_CHECK(ftp_arg_ok(msg) == (strpbrk(msg, "\r\n") == NULL));
	if (size >= 3) {
		int code = (data[0] % 6) * 100 + (data[1] % 10) * 10 + data[2] % 10;

		err = ftp_reply_err(code);
		FZ_CHECK(err <= 0);
		FZ_CHECK((err == 0) == (code < 400));
	}
	free(msg);
	return 0;
}
