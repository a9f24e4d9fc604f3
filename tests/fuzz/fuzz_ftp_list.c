/* fuzz_ftp_list.c - the listing parser of ftp_list.h over one line: as
 * MLSD, and as LIST (UNIX or DOS) at four moments (the samples' date,
 * half an hour into a year, January of a leap year, a now that is no
 * date); ftp_ent_name_safe on every name.
 *
 * Besides memory safety (the line is an exact-size copy): the result is
 * an entry, a skip or an error, and an error leaves the entry empty; every
 * string of an entry is a piece of the line, within its limits; numbers
 * are in range.  And an entry round-trips: printed back in the canonical
 * form of the parser that read it, it parses to the same fields.
 */
#define _GNU_SOURCE /* memmem */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "ftp_list.h"
#include "fuzz_common.h"

static const int64_t nows[] = {
	INT64_C(1796508360), /* 2026-12-05 22:06 UTC */
	INT64_C(1798763400), /* 2027-01-01 00:30 UTC */
	INT64_C(1831075200), /* 2028-01-10: Feb 29 ahead, none the year before */
	-1,
};

/* Room for a line of FTP_LIST_LINE_MAX and the fields around it. */
#define OUT_MAX (2 * FTP_LIST_LINE_MAX + 512)

static bool in_line(const char *s, const char *line, size_t len)
{
	return s == NULL || memmem(line, len, s, strlen(s)) != NULL;
}

static void check_ent(int rc, const struct ftp_ent *e, const char *line, size_t len)
{
	FZ_CHECK(rc == 0 || rc == FTP_LIST_SKIP || rc == ERR_PROTO || rc == ERR_TOOLONG);
	if (rc != 0) {
		FZ_CHECK(!e->name && !e->target && !e->owner && !e->group);
		FZ_CHECK(e->type == FTP_ENT_UNKNOWN && e->size == -1 && e->mtime == -1);
		FZ_CHECK(!e->mtime_precise && e->mode == -1);
		FZ_CHECK(e->dev_major == -1 && e->dev_minor == -1);
		return;
	}
	FZ_CHECK(len <= FTP_LIST_LINE_MAX + 2);
	FZ_CHECK(e->name && *e->name);
	FZ_CHECK(strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0);
	FZ_CHECK(in_line(e->name, line, len) && in_line(e->target, line, len));
	FZ_CHECK(in_line(e->owner, line, len) && in_line(e->group, line, len));
	FZ_CHECK(!e->owner || (*e->owner && strlen(e->owner) <= FTP_LIST_FIELD_MAX));
	FZ_CHECK(!e->group || (*e->group && strlen(e->group) <= FTP_LIST_FIELD_MAX));
	FZ_CHECK(!e->target || (*e->target && e->type == FTP_ENT_LINK));
	FZ_CHECK(e->type >= FTP_ENT_UNKNOWN && e->type <= FTP_ENT_OTHER);
	FZ_CHECK(e->size >= -1 && e->mtime >= -1);
	FZ_CHECK(!e->mtime_precise || e->mtime >= 0);
	FZ_CHECK(e->mode >= -1 && e->mode <= 07777);
	FZ_CHECK((e->dev_major < 0) == (e->dev_minor < 0));
	FZ_CHECK(e->dev_major < 0 || e->type == FTP_ENT_DEVICE);

	bool safe = !strchr(e->name, '/');
	for (const unsigned char *c = (const unsigned char *)e->name; *c; c++)
		safe = safe && *c >= 0x20 && *c != 0x7f;
	FZ_CHECK(ftp_ent_name_safe(e->name) == safe);
}

static bool same(const struct ftp_ent *a, const struct ftp_ent *b)
{
	return strcmp(a->name, b->name) == 0 &&
	       (a->target ? b->target && strcmp(a->target, b->target) == 0 : !b->target) &&
	       (a->owner ? b->owner && strcmp(a->owner, b->owner) == 0 : !b->owner) &&
	       (a->group ? b->group && strcmp(a->group, b->group) == 0 : !b->group) &&
	       a->type == b->type && a->size == b->size && a->mtime == b->mtime &&
	       a->mode == b->mode && a->dev_major == b->dev_major &&
	       a->dev_minor == b->dev_minor;
}

/* gmtime of an entry's mtime; a time before 1970 (-1) prints as 1960. */
static struct tm when(int64_t t)
{
	struct tm tm = { .tm_year = 60, .tm_mday = 1 };
	time_t tt = (time_t)t;

	if (t >= 0)
		FZ_CHECK(gmtime_r(&tt, &tm) != NULL);
	return tm;
}

static size_t print_mlsd(char *out, const struct ftp_ent *e)
{
	static const char *const types[] = {
		[FTP_ENT_FILE] = "file", [FTP_ENT_DIR] = "dir",
		[FTP_ENT_LINK] = "OS.unix=slink:", [FTP_ENT_DEVICE] = "OS.unix=chr",
		[FTP_ENT_OTHER] = "unknown",
	};
	struct tm tm = when(e->mtime);
	int n = snprintf(out, OUT_MAX, "x.fuzz=1;modify=%04d%02d%02d%02d%02d%02d;",
	                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	                 tm.tm_hour, tm.tm_min, tm.tm_sec);

	if (e->type != FTP_ENT_UNKNOWN)
		n += snprintf(out + n, OUT_MAX - n, "type=%s%s", types[e->type],
		              e->target ? e->target : "");
	if (e->dev_major >= 0)
		n += snprintf(out + n, OUT_MAX - n, "-%d/%d", e->dev_major, e->dev_minor);
	if (e->type != FTP_ENT_UNKNOWN)
		n += snprintf(out + n, OUT_MAX - n, ";");
	if (e->size >= 0)
		n += snprintf(out + n, OUT_MAX - n, "size=%" PRId64 ";", e->size);
	if (e->mode >= 0)
		n += snprintf(out + n, OUT_MAX - n, "UNIX.mode=0%o;", e->mode);
	if (e->owner)
		n += snprintf(out + n, OUT_MAX - n, "UNIX.ownername=%s;", e->owner);
	if (e->group)
		n += snprintf(out + n, OUT_MAX - n, "UNIX.gid=%s;", e->group);
	n += snprintf(out + n, OUT_MAX - n, " %s\r\n", e->name);
	return (size_t)n;
}

static size_t print_unix(char *out, const struct ftp_ent *e)
{
	static const char types[] = {
		[FTP_ENT_FILE] = '-', [FTP_ENT_DIR] = 'd', [FTP_ENT_LINK] = 'l',
		[FTP_ENT_DEVICE] = 'c', [FTP_ENT_OTHER] = 'p',
	};
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char mode[11] = { types[e->type] };
	struct tm tm = when(e->mtime);
	int n;

	for (int k = 0; k < 3; k++) {
		int bits = e->mode >> (3 * (2 - k)), special = e->mode & (04000 >> k);
		mode[1 + 3 * k] = bits & 4 ? 'r' : '-';
		mode[2 + 3 * k] = bits & 2 ? 'w' : '-';
		mode[3 + 3 * k] = special ? (bits & 1 ? "sst"[k] : "SST"[k])
		                          : (bits & 1 ? 'x' : '-');
	}
	n = snprintf(out, OUT_MAX, "%.10s 1 %s %s ", mode, e->owner,
	             e->group ? e->group : "");
	if (e->dev_major >= 0)
		n += snprintf(out + n, OUT_MAX - n, "%d, %d", e->dev_major, e->dev_minor);
	else
		n += snprintf(out + n, OUT_MAX - n, "%" PRId64, e->size);
	if (e->mtime >= 0)
		n += snprintf(out + n, OUT_MAX - n, " %04d-%02d-%02d %02d:%02d",
		              tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		              tm.tm_hour, tm.tm_min);
	else
		n += snprintf(out + n, OUT_MAX - n, " %s %2d  1960", months[tm.tm_mon],
		              tm.tm_mday);
	n += snprintf(out + n, OUT_MAX - n, " %s%s%s\r\n", e->name,
	              e->target ? " -> " : "", e->target ? e->target : "");
	return (size_t)n;
}

/* IIS's layout: the name 22 columns after the time. */
static size_t print_dos(char *out, const struct ftp_ent *e)
{
	struct tm tm = when(e->mtime);
	char size[24];

	if (e->type == FTP_ENT_DIR)
		snprintf(size, sizeof(size), "<DIR>");
	else
		snprintf(size, sizeof(size), "%" PRId64, e->size);
	return (size_t)snprintf(out, OUT_MAX, "%02d-%02d-%04d  %02d:%02d %20s %s\r\n",
	                        tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900,
	                        tm.tm_hour, tm.tm_min, size, e->name);
}

/* The entry printed back by the parser's own form parses the same. */
static void round_trip(const struct ftp_ent *e, bool mlsd, bool dos, int64_t now)
{
	static char out[OUT_MAX];
	struct ftp_ent again;
	size_t n;

	if (mlsd)
		n = print_mlsd(out, e);
	else if (dos)
		n = print_dos(out, e);
	else
		n = print_unix(out, e);
	if (n > FTP_LIST_LINE_MAX)
		return;
	char *copy = fz_copy((const uint8_t *)out, n);
	int rc = mlsd ? ftp_list_parse_mlsd(copy, n, &again)
	              : ftp_list_parse_line(copy, n, now, &again);
	if (rc != 0 || !same(e, &again))
		fprintf(stderr, "round trip (%d): %.*s", rc, (int)n, out);
	FZ_CHECK(rc == 0 && same(e, &again));
	ftp_ent_clear(&again);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fz_copy(data, size);
	struct ftp_ent e;
	int rc;

	rc = ftp_list_parse_mlsd(line, size, &e);
	check_ent(rc, &e, line, size);
	if (rc == 0)
		round_trip(&e, true, false, 0);
	ftp_ent_clear(&e);
	for (size_t i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
		rc = ftp_list_parse_line(line, size, nows[i], &e);
		check_ent(rc, &e, line, size);
		if (rc == 0) {
			FZ_CHECK(e.type != FTP_ENT_UNKNOWN);
			round_trip(&e, false, line[0] >= '0' && line[0] <= '9', nows[i]);
		}
		ftp_ent_clear(&e);
	}
	/* Whatever the line ending, the limit is on what is left. */
	if (size > FTP_LIST_LINE_MAX + 2)
		FZ_CHECK(rc == ERR_TOOLONG);
	free(line);
	return 0;
}
