/* test_ftp_list.c - the listing parser (ftp_list.h) over real listings of
 * the suite's three FTP servers, GNU ls and IIS lines, and hostile lines
 * (doc/HOSTILE-CASES.md A1, A2, A4, A5, A6, C15).
 *
 * The server samples were captured from tests/servers (servers.sh start:
 * vsftpd 3.0.3, pure-ftpd 1.0.50, proftpd 1.3.8, Debian 12) on 2026-12-05
 * at 22:06 UTC (NOW below), logged in as ferrytest, from a directory lt/
 * made for the purpose (lt_files below).  Each line is the bytes the data
 * connection carried (Python ftplib, TYPE A, transfercmd), CRLF included.
 * What each entry must say comes from lstat() of the files, not from the
 * listings.  No server shows a device's numbers: vsftpd and proftpd put a
 * size of 0, pure-ftpd leaves devices and FIFOs out of LIST and calls them
 * "unknown" in MLSD.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"
#include "err.h"
#include "ftp.h"
#include "ftp_list.h"

/* 2026-12-05 22:06:00 UTC: when the server samples were taken. */
#define NOW INT64_C(1796508360)

/* UTC seconds for "YYYYMMDDHHMMSS", by ftp_parse_mdtm: a calendar
 * independent of the parser's. */
static int64_t T(const char *mdtm)
{
	int64_t t = -2;
	CU_ASSERT_EQUAL_FATAL(ftp_parse_mdtm(mdtm, &t), 0);
	return t;
}

static bool str_is(const char *got, const char *want)
{
	return want ? got && strcmp(got, want) == 0 : got == NULL;
}

/* Parse from an exact-size copy (no terminator: a read past len is a
 * valgrind or ASan report). */
static int parse(bool mlsd, const char *line, size_t len, int64_t now,
                 struct ftp_ent *e)
{
	char *copy = malloc(len ? len : 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, line, len);
	int rc = mlsd ? ftp_list_parse_mlsd(copy, len, e)
	              : ftp_list_parse_line(copy, len, now, e);
	free(copy);
	return rc;
}

/* What a parsed line must give. */
struct want {
	const char *line;
	int rc;                   /* 0 or FTP_LIST_SKIP: an error is bad_line() */
	const char *name, *target;
	enum ftp_ent_type type;
	int64_t size, mtime;
	bool precise;
	int mode;
	const char *owner, *group;
};

/* A line that is no entry. */
#define SKIP(text) { .line = (text), .rc = FTP_LIST_SKIP }

#define LINE_CHECK(line, cond)                                            \
	do {                                                              \
		CU_ASSERT(cond);                                          \
		if (!(cond))                                              \
			fprintf(stderr, "\n  %s: %s", #cond, line);       \
	} while (0)

/* The fields of a parsed entry against w (w->line, w->rc aside). */
static void check_ent(const struct ftp_ent *e, const struct want *w)
{
	LINE_CHECK(w->line, str_is(e->name, w->name));
	LINE_CHECK(w->line, str_is(e->target, w->target));
	LINE_CHECK(w->line, e->type == w->type);
	LINE_CHECK(w->line, e->size == w->size);
	LINE_CHECK(w->line, e->mtime == w->mtime);
	LINE_CHECK(w->line, e->mtime_precise == w->precise);
	LINE_CHECK(w->line, e->mode == w->mode);
	LINE_CHECK(w->line, str_is(e->owner, w->owner));
	LINE_CHECK(w->line, str_is(e->group, w->group));
	if (e->type != FTP_ENT_DEVICE)
		LINE_CHECK(w->line, e->dev_major == -1 && e->dev_minor == -1);
}

static void check_rows(bool mlsd, int64_t now, const struct want *w, size_t n)
{
	for (; n--; w++) {
		struct ftp_ent e;
		int rc = parse(mlsd, w->line, strlen(w->line), now, &e);
		LINE_CHECK(w->line, rc == w->rc);
		if (rc == 0)
			check_ent(&e, w);
		else
			LINE_CHECK(w->line, e.name == NULL && e.owner == NULL && e.size == -1);
		ftp_ent_clear(&e);
		ftp_ent_clear(&e); /* twice is safe */
	}
}

#define N(array) (sizeof(array) / sizeof(array[0]))
#define CHECK_ROWS(mlsd, now, rows) check_rows(mlsd, now, rows, N(rows))

/* ---- the three servers ---------------------------------------------- */

/* lt/, as lstat() saw it on each server (the same on all three). */
static const struct lt_file {
	const char *name, *target;
	enum ftp_ent_type type;
	int64_t size;
	const char *mtime;
	int mode;
	bool foreign;             /* uid 12345, gid 54321: no names */
} lt_files[] = {
	{ ".hidden", NULL, FTP_ENT_FILE, 1, "20261201090807", 0644, false },
	{ "big.bin", NULL, FTP_ENT_FILE, 5000000000, "20250601080910", 0644, false },
	{ "dangling", "/nowhere/at/all", FTP_ENT_LINK, 15, "20261201090807", 0777, false },
	{ "exec.sh", NULL, FTP_ENT_FILE, 1, "20261201090807", 0755, false },
	{ "fifo", NULL, FTP_ENT_OTHER, 0, "20261201090807", 0644, false },
	{ "link", "plain.txt", FTP_ENT_LINK, 9, "20261201090807", 0777, false },
	{ "name with spaces.txt", NULL, FTP_ENT_FILE, 1, "20261201090807", 0644, false },
	{ "null", NULL, FTP_ENT_DEVICE, 0, "20261201090807", 0666, false },
	{ "numeric-owner", NULL, FTP_ENT_FILE, 1, "20261201090807", 0644, true },
	{ "old.txt", NULL, FTP_ENT_FILE, 4, "20200105123456", 0644, false },
	{ "plain.txt", NULL, FTP_ENT_FILE, 12, "20261120101112", 0644, false },
	{ "sda", NULL, FTP_ENT_DEVICE, 0, "20261201090807", 0644, false },
	{ "semi;colon=name", NULL, FTP_ENT_FILE, 1, "20261201090807", 0644, false },
	{ "setuid", NULL, FTP_ENT_FILE, 1, "20261201090807", 04755, false },
	{ "spaced link", "name with spaces.txt", FTP_ENT_LINK, 20, "20261201090807", 0777, false },
	{ "sticky", NULL, FTP_ENT_DIR, 4096, "20261201090807", 01777, false },
	{ "subdir", NULL, FTP_ENT_DIR, 4096, "20200105000000", 0755, false },
	{ "  two leading spaces", NULL, FTP_ENT_FILE, 1, "20261201090807", 0644, false },
};

/* How a server shows lt/. */
struct style {
	bool mlsd;
	const char *owner, *group;  /* of ferrytest's files */
	const char *foreign_owner, *foreign_group;
	enum ftp_ent_type special;  /* MLSD's type for a FIFO or a device */
	bool dir_size;              /* MLSD gives directories a size */
};

/* What line must give when it lists file f, the way st shows it.  LIST
 * shows minutes, or the day for a file older than about six months. */
static struct want lt_want(const char *line, const struct lt_file *f,
                           const struct style *st)
{
	int64_t t = T(f->mtime);
	struct want w = { line, 0, f->name, f->target, f->type, f->size, t,
	                  st->mlsd, f->mode, st->owner, st->group };

	if (f->foreign) {
		w.owner = st->foreign_owner;
		w.group = st->foreign_group;
	}
	if (!st->mlsd) {
		w.mtime = t - (NOW - t < 182 * 86400 ? t % 60 : t % 86400);
		return w;
	}
	w.target = NULL; /* MLSD names no target */
	if (f->type == FTP_ENT_DEVICE || f->type == FTP_ENT_OTHER)
		w.type = st->special;
	if (f->type == FTP_ENT_DIR && !st->dir_size)
		w.size = -1;
	return w;
}

/* Every line of a listing of lt/: "." and ".." skipped, every other one
 * an entry of lt_files, entries of them in all. */
static void check_lt(const struct style *st, const char *const *lines,
                     size_t n, size_t entries)
{
	size_t found = 0;

	for (size_t i = 0; i < n; i++) {
		struct ftp_ent e;
		const char *line = lines[i], *end = line + strlen(line);
		int rc = parse(st->mlsd, line, strlen(line), NOW, &e);
		if (rc == FTP_LIST_SKIP) {
			LINE_CHECK(line, strcmp(end - 4, " .\r\n") == 0 ||
			                 strcmp(end - 5, " ..\r\n") == 0);
			continue;
		}
		LINE_CHECK(line, rc == 0);
		for (size_t j = 0; rc == 0 && j < N(lt_files); j++) {
			if (strcmp(e.name, lt_files[j].name) != 0)
				continue;
			struct want w = lt_want(line, &lt_files[j], st);
			check_ent(&e, &w);
			found++;
		}
		ftp_ent_clear(&e);
	}
	CU_ASSERT_EQUAL(found, entries);
}

/* vsftpd, LIST -a (plain LIST: the same less ".", ".." and .hidden).
 * Numeric owners, days with a leading zero; no MLSD ("500 Unknown
 * command"). */
static const char *const vsftpd_list[] = {
	"-rw-r--r--    1 999      995             1 Dec 01 09:08   two leading spaces\r\n",
	"drwxr-xr-x    4 999      995          4096 Dec 01 09:08 .\r\n",
	"drwxr-xr-x    4 999      995          4096 Dec 05 22:05 ..\r\n",
	"-rw-r--r--    1 999      995             1 Dec 01 09:08 .hidden\r\n",
	"-rw-r--r--    1 999      995      5000000000 Jun 01  2025 big.bin\r\n",
	"lrwxrwxrwx    1 999      995            15 Dec 01 09:08 dangling -> /nowhere/at/all\r\n",
	"-rwxr-xr-x    1 999      995             1 Dec 01 09:08 exec.sh\r\n",
	"prw-r--r--    1 999      995             0 Dec 01 09:08 fifo\r\n",
	"lrwxrwxrwx    1 999      995             9 Dec 01 09:08 link -> plain.txt\r\n",
	"-rw-r--r--    1 999      995             1 Dec 01 09:08 name with spaces.txt\r\n",
	"crw-rw-rw-    1 999      995             0 Dec 01 09:08 null\r\n",
	"-rw-r--r--    1 12345    54321           1 Dec 01 09:08 numeric-owner\r\n",
	"-rw-r--r--    1 999      995             4 Jan 05  2020 old.txt\r\n",
	"-rw-r--r--    1 999      995            12 Nov 20 10:11 plain.txt\r\n",
	"brw-r--r--    1 999      995             0 Dec 01 09:08 sda\r\n",
	"-rw-r--r--    1 999      995             1 Dec 01 09:08 semi;colon=name\r\n",
	"-rwsr-xr-x    1 999      995             1 Dec 01 09:08 setuid\r\n",
	"lrwxrwxrwx    1 999      995            20 Dec 01 09:08 spaced link -> name with spaces.txt\r\n",
	"drwxrwxrwt    2 999      995          4096 Dec 01 09:08 sticky\r\n",
	"drwxr-xr-x    2 999      995          4096 Jan 05  2020 subdir\r\n",
};

/* pure-ftpd, LIST -a (plain LIST: the same less the dot entries).  No
 * FIFO or devices. */
static const char *const pureftpd_list[] = {
	"-rw-r--r--    1 ferrytest  ferrytest           1 Dec  1 09:08   two leading spaces\r\n",
	"drwxr-xr-x    4 ferrytest  ferrytest        4096 Dec  1 09:08 .\r\n",
	"drwxr-xr-x    4 ferrytest  ferrytest        4096 Dec  5 22:05 ..\r\n",
	"-rw-r--r--    1 ferrytest  ferrytest           1 Dec  1 09:08 .hidden\r\n",
	"-rw-r--r--    1 ferrytest  ferrytest  5000000000 Jun  1  2025 big.bin\r\n",
	"lrwxrwxrwx    1 ferrytest  ferrytest          15 Dec  1 09:08 dangling -> /nowhere/at/all\r\n",
	"-rwxr-xr-x    1 ferrytest  ferrytest           1 Dec  1 09:08 exec.sh\r\n",
	"lrwxrwxrwx    1 ferrytest  ferrytest           9 Dec  1 09:08 link -> plain.txt\r\n",
	"-rw-r--r--    1 ferrytest  ferrytest           1 Dec  1 09:08 name with spaces.txt\r\n",
	"-rw-r--r--    1 12345      54321               1 Dec  1 09:08 numeric-owner\r\n",
	"-rw-r--r--    1 ferrytest  ferrytest           4 Jan  5  2020 old.txt\r\n",
	"-rw-r--r--    1 ferrytest  ferrytest          12 Nov 20 10:11 plain.txt\r\n",
	"-rw-r--r--    1 ferrytest  ferrytest           1 Dec  1 09:08 semi;colon=name\r\n",
	"-rwsr-xr-x    1 ferrytest  ferrytest           1 Dec  1 09:08 setuid\r\n",
	"lrwxrwxrwx    1 ferrytest  ferrytest          20 Dec  1 09:08 spaced link -> name with spaces.txt\r\n",
	"drwxrwxrwt    2 ferrytest  ferrytest        4096 Dec  1 09:08 sticky\r\n",
	"drwxr-xr-x    2 ferrytest  ferrytest        4096 Jan  5  2020 subdir\r\n",
};

/* pure-ftpd, MLSD: UNIX.uid/gid only, "sizd" for directories,
 * OS.unix=slink: with no target, "unknown" for the FIFO and the devices. */
static const char *const pureftpd_mlsd[] = {
	"type=file;size=1;modify=20261201090807;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8433f; name with spaces.txt\r\n",
	"type=file;size=1;modify=20261201090807;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8434d; .hidden\r\n",
	"type=cdir;sizd=4096;modify=20261201090807;UNIX.mode=0755;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8433c; .\r\n",
	"type=unknown;size=0;modify=20261201090807;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8434b; fifo\r\n",
	"type=unknown;size=0;modify=20261201090807;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8434a; sda\r\n",
	"type=OS.unix=slink:;size=15;modify=20261201090807;UNIX.mode=0777;UNIX.uid=999;UNIX.gid=995;unique=fe00ga84345; dangling\r\n",
	"type=OS.unix=slink:;size=20;modify=20261201090807;UNIX.mode=0777;UNIX.uid=999;UNIX.gid=995;unique=fe00ga84344; spaced link\r\n",
	"type=file;size=1;modify=20261201090807;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga84342; semi;colon=name\r\n",
	"type=file;size=1;modify=20261201090807;UNIX.mode=04755;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8434e; setuid\r\n",
	"type=OS.unix=slink:;size=9;modify=20261201090807;UNIX.mode=0777;UNIX.uid=999;UNIX.gid=995;unique=fe00ga84343; link\r\n",
	"type=dir;sizd=4096;modify=20200105000000;UNIX.mode=0755;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8433d; subdir\r\n",
	"type=pdir;sizd=4096;modify=20261205220527;UNIX.mode=0755;UNIX.uid=999;UNIX.gid=995;unique=fe00ga842cd; ..\r\n",
	"type=dir;sizd=4096;modify=20261201090807;UNIX.mode=01777;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8434f; sticky\r\n",
	"type=file;size=1;modify=20261201090807;UNIX.mode=0755;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8434c; exec.sh\r\n",
	"type=file;size=4;modify=20200105123456;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga84346; old.txt\r\n",
	"type=file;size=1;modify=20261201090807;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga84340;   two leading spaces\r\n",
	"type=file;size=12;modify=20261120101112;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8433e; plain.txt\r\n",
	"type=unknown;size=0;modify=20261201090807;UNIX.mode=0666;UNIX.uid=999;UNIX.gid=995;unique=fe00ga84349; null\r\n",
	"type=file;size=5000000000;modify=20250601080910;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga84347; big.bin\r\n",
	"type=file;size=1;modify=20261201090807;UNIX.mode=0644;UNIX.uid=12345;UNIX.gid=54321;unique=fe00ga84348; numeric-owner\r\n",
};

/* proftpd, LIST -a, with owner names. */
static const char *const proftpd_list[] = {
	"-rw-r--r--   1 ferrytest ferrytest        1 Dec  1 09:08   two leading spaces\r\n",
	"drwxr-xr-x   4 ferrytest ferrytest     4096 Dec  1 09:08 .\r\n",
	"drwxr-xr-x   4 ferrytest ferrytest     4096 Dec  5 22:05 ..\r\n",
	"-rw-r--r--   1 ferrytest ferrytest        1 Dec  1 09:08 .hidden\r\n",
	"-rw-r--r--   1 ferrytest ferrytest 5000000000 Jun  1  2025 big.bin\r\n",
	"lrwxrwxrwx   1 ferrytest ferrytest       15 Dec  1 09:08 dangling -> /nowhere/at/all\r\n",
	"-rwxr-xr-x   1 ferrytest ferrytest        1 Dec  1 09:08 exec.sh\r\n",
	"prw-r--r--   1 ferrytest ferrytest        0 Dec  1 09:08 fifo\r\n",
	"lrwxrwxrwx   1 ferrytest ferrytest        9 Dec  1 09:08 link -> plain.txt\r\n",
	"-rw-r--r--   1 ferrytest ferrytest        1 Dec  1 09:08 name with spaces.txt\r\n",
	"crw-rw-rw-   1 ferrytest ferrytest        0 Dec  1 09:08 null\r\n",
	"-rw-r--r--   1 12345    54321           1 Dec  1 09:08 numeric-owner\r\n",
	"-rw-r--r--   1 ferrytest ferrytest        4 Jan  5  2020 old.txt\r\n",
	"-rw-r--r--   1 ferrytest ferrytest       12 Nov 20 10:11 plain.txt\r\n",
	"brw-r--r--   1 ferrytest ferrytest        0 Dec  1 09:08 sda\r\n",
	"-rw-r--r--   1 ferrytest ferrytest        1 Dec  1 09:08 semi;colon=name\r\n",
	"-rwsr-xr-x   1 ferrytest ferrytest        1 Dec  1 09:08 setuid\r\n",
	"lrwxrwxrwx   1 ferrytest ferrytest       20 Dec  1 09:08 spaced link -> name with spaces.txt\r\n",
	"drwxrwxrwt   2 ferrytest ferrytest     4096 Dec  1 09:08 sticky\r\n",
	"drwxr-xr-x   2 ferrytest ferrytest     4096 Jan  5  2020 subdir\r\n",
};

/* proftpd, LIST -n: numeric owners (some of its lines). */
static const char *const proftpd_list_n[] = {
	"crw-rw-rw-   1 999      995             0 Dec  1 09:08 null\r\n",
	"-rw-r--r--   1 12345    54321           1 Dec  1 09:08 numeric-owner\r\n",
	"-rwsr-xr-x   1 999      995             1 Dec  1 09:08 setuid\r\n",
	"lrwxrwxrwx   1 999      995            20 Dec  1 09:08 spaced link -> name with spaces.txt\r\n",
};

/* proftpd, MLSD: facts in another order, owners by name and number (the
 * name wins: proftpd names the session's user even for uid 12345), no
 * size for directories, the FIFO and the devices as "file", and no line
 * for the dangling symlink. */
static const char *const proftpd_mlsd[] = {
	"modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA84354;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; name with spaces.txt\r\n",
	"modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA84362;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; .hidden\r\n",
	"modify=20261201090807;perm=flcdmpe;type=cdir;unique=FE00UA84350;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0755;UNIX.owner=999;UNIX.ownername=ferrytest; .\r\n",
	"modify=20261201090807;perm=adfrw;size=0;type=file;unique=FE00UA8435F;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; fifo\r\n",
	"modify=20261201090807;perm=adfrw;size=0;type=file;unique=FE00UA8435E;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; sda\r\n",
	"modify=20261201090807;perm=adfrw;size=20;type=OS.unix=symlink;unique=FE00UA84354;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0777;UNIX.owner=999;UNIX.ownername=ferrytest; spaced link\r\n",
	"modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA84356;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; semi;colon=name\r\n",
	"modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA84363;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=04755;UNIX.owner=999;UNIX.ownername=ferrytest; setuid\r\n",
	"modify=20261201090807;perm=adfrw;size=9;type=OS.unix=symlink;unique=FE00UA84353;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0777;UNIX.owner=999;UNIX.ownername=ferrytest; link\r\n",
	"modify=20200105000000;perm=flcdmpe;type=dir;unique=FE00UA84352;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0755;UNIX.owner=999;UNIX.ownername=ferrytest; subdir\r\n",
	"modify=20261205220528;perm=flcdmpe;type=pdir;unique=FE00UA84306;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0755;UNIX.owner=999;UNIX.ownername=ferrytest; ..\r\n",
	"modify=20261201090807;perm=flcdmpe;type=dir;unique=FE00UA84364;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=01777;UNIX.owner=999;UNIX.ownername=ferrytest; sticky\r\n",
	"modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA84360;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0755;UNIX.owner=999;UNIX.ownername=ferrytest; exec.sh\r\n",
	"modify=20200105123456;perm=adfrw;size=4;type=file;unique=FE00UA8435A;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; old.txt\r\n",
	"modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA84355;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest;   two leading spaces\r\n",
	"modify=20261120101112;perm=adfrw;size=12;type=file;unique=FE00UA84353;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; plain.txt\r\n",
	"modify=20261201090807;perm=adfrw;size=0;type=file;unique=FE00UA8435D;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0666;UNIX.owner=999;UNIX.ownername=ferrytest; null\r\n",
	"modify=20250601080910;perm=adfrw;size=5000000000;type=file;unique=FE00UA8435B;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; big.bin\r\n",
	"modify=20261201090807;perm=adfr;size=1;type=file;unique=FE00UA8435C;UNIX.group=54321;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=12345;UNIX.ownername=ferrytest; numeric-owner\r\n",
};

static void test_vsftpd(void)
{
	const struct style st = { false, "999", "995", "12345", "54321", 0, false };
	check_lt(&st, vsftpd_list, N(vsftpd_list), N(lt_files));
}

static void test_pureftpd(void)
{
	const struct style list = { false, "ferrytest", "ferrytest", "12345", "54321", 0, false };
	const struct style mlsd = { true, "999", "995", "12345", "54321", FTP_ENT_OTHER, true };
	check_lt(&list, pureftpd_list, N(pureftpd_list), N(lt_files) - 3);
	check_lt(&mlsd, pureftpd_mlsd, N(pureftpd_mlsd), N(lt_files));
}

static void test_proftpd(void)
{
	const struct style list = { false, "ferrytest", "ferrytest", "12345", "54321", 0, false };
	const struct style list_n = { false, "999", "995", "12345", "54321", 0, false };
	const struct style mlsd = { true, "ferrytest", "ferrytest", "ferrytest", "ferrytest",
		                    FTP_ENT_FILE, false };
	check_lt(&list, proftpd_list, N(proftpd_list), N(lt_files));
	check_lt(&list_n, proftpd_list_n, N(proftpd_list_n), 4);
	check_lt(&mlsd, proftpd_mlsd, N(proftpd_mlsd), N(lt_files) - 1);
}

/* ---- MLST ----------------------------------------------------------- */

/* The entry line of an MLST reply starts with a blank and names the
 * path asked for (pure-ftpd, then proftpd; the reply's lines as
 * received, without their CRLF). */
static void test_mlst(void)
{
	const struct want rows[] = {
		{ " type=file;size=12;modify=20261120101112;UNIX.mode=0644;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8433e; /lt/plain.txt",
		  0, "/lt/plain.txt", NULL, FTP_ENT_FILE, 12, T("20261120101112"), true, 0644, "999", "995" },
		{ " type=OS.unix=slink:;size=9;modify=20261201090807;UNIX.mode=0777;UNIX.uid=999;UNIX.gid=995;unique=fe00ga84343; /lt/link",
		  0, "/lt/link", NULL, FTP_ENT_LINK, 9, T("20261201090807"), true, 0777, "999", "995" },
		{ " type=dir;sizd=4096;modify=20261201090807;UNIX.mode=0755;UNIX.uid=999;UNIX.gid=995;unique=fe00ga8433c; /lt",
		  0, "/lt", NULL, FTP_ENT_DIR, 4096, T("20261201090807"), true, 0755, "999", "995" },
		{ " modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA84354;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; /lt/name with spaces.txt",
		  0, "/lt/name with spaces.txt", NULL, FTP_ENT_FILE, 1, T("20261201090807"), true, 0644, "ferrytest", "ferrytest" },
		/* proftpd follows the link for MLST: a file, with the link's mode */
		{ " modify=20261201090807;perm=adfrw;size=9;type=file;unique=FE00UA84353;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0777;UNIX.owner=999;UNIX.ownername=ferrytest; /lt/link",
		  0, "/lt/link", NULL, FTP_ENT_FILE, 9, T("20261201090807"), true, 0777, "ferrytest", "ferrytest" },
	};
	CHECK_ROWS(true, NOW, rows);
}

/* ---- GNU ls --------------------------------------------------------- */

/* Servers that run /bin/ls send its lines.  Taken from GNU coreutils 9.1
 * (LC_ALL=C TZ=UTC) on 2026-12-05 over a directory with an ACL on
 * acl.txt (setfacl), devices made with mknod and a symlink: "ls -la",
 * "ls -lo" (no group column) and "ls -ln --time-style=long-iso". */
static void test_gnu_ls(void)
{
	const struct want rows[] = {
		SKIP("total 16"),
		SKIP("drwxr-xr-x  2 root root         4096 Dec  5 22:14 ."),
		SKIP("drwxr-xr-x  3 root root         4096 Dec  5 22:14 .."),
		{ "-rw-r--r--+ 1 root root            4 Dec 31  2025 acl.txt",
		  0, "acl.txt", NULL, FTP_ENT_FILE, 4, T("20251231000000"), false, 0644, "root", "root" },
		{ "crw-r--r--  1 root root 259, 1048575 Dec  1 09:08 big",
		  0, "big", NULL, FTP_ENT_DEVICE, -1, T("20261201090800"), false, 0644, "root", "root" },
		{ "lrwxrwxrwx  1 root root            7 Dec  1 09:08 lnk -> acl.txt",
		  0, "lnk", "acl.txt", FTP_ENT_LINK, 7, T("20261201090800"), false, 0777, "root", "root" },
		{ "crw-r--r--  1 root root   1,       3 Dec  1 09:08 null",
		  0, "null", NULL, FTP_ENT_DEVICE, -1, T("20261201090800"), false, 0644, "root", "root" },
		{ "brw-r--r--  1 root root   8,       0 Dec  1 09:08 sda",
		  0, "sda", NULL, FTP_ENT_DEVICE, -1, T("20261201090800"), false, 0644, "root", "root" },
		{ "-rw-r--r--  1 root root            1 Dec  1 09:08 with  two spaces",
		  0, "with  two spaces", NULL, FTP_ENT_FILE, 1, T("20261201090800"), false, 0644, "root", "root" },
		/* ls -lo */
		SKIP("total 8"),
		{ "-rw-r--r--+ 1 root            4 Dec 31  2025 acl.txt",
		  0, "acl.txt", NULL, FTP_ENT_FILE, 4, T("20251231000000"), false, 0644, "root", NULL },
		{ "crw-r--r--  1 root 259, 1048575 Dec  1 09:08 big",
		  0, "big", NULL, FTP_ENT_DEVICE, -1, T("20261201090800"), false, 0644, "root", NULL },
		{ "lrwxrwxrwx  1 root            7 Dec  1 09:08 lnk -> acl.txt",
		  0, "lnk", "acl.txt", FTP_ENT_LINK, 7, T("20261201090800"), false, 0777, "root", NULL },
		/* ls -ln --time-style=long-iso: year and time, so precise */
		{ "-rw-r--r--+ 1 0 0            4 2025-12-31 23:59 acl.txt",
		  0, "acl.txt", NULL, FTP_ENT_FILE, 4, T("20251231235900"), true, 0644, "0", "0" },
		{ "brw-r--r--  1 0 0   8,       0 2026-12-01 09:08 sda",
		  0, "sda", NULL, FTP_ENT_DEVICE, -1, T("20261201090800"), true, 0644, "0", "0" },
		{ "-rw-r--r--  1 0 0            1 2026-12-01 09:08 with  two spaces",
		  0, "with  two spaces", NULL, FTP_ENT_FILE, 1, T("20261201090800"), true, 0644, "0", "0" },
		/* ls -l /dev/null on the same machine */
		{ "crw-rw-rw- 1 root root 1, 3 Dec  5 21:12 /dev/null",
		  0, "/dev/null", NULL, FTP_ENT_DEVICE, -1, T("20261205211200"), false, 0666, "root", "root" },
	};
	CHECK_ROWS(false, NOW, rows);
}

/* Other UNIX forms: an SELinux context ('.') or extended attributes
 * ('@', macOS), no link count, "MAJ,MIN" in one word, System V's 'l'
 * (mandatory locking), sockets and doors, a name after a single-blank
 * year. */
static void test_unix_forms(void)
{
	const struct want rows[] = {
		{ "-rw-r--r--. 1 root root 12 Jan  5 12:34 selinux",
		  0, "selinux", NULL, FTP_ENT_FILE, 12, T("20260105123400"), false, 0644, "root", "root" },
		{ "drwxr-xr-x@ 5 alice staff 160 Mar  3  2024 Mac Folder",
		  0, "Mac Folder", NULL, FTP_ENT_DIR, 160, T("20240303000000"), false, 0755, "alice", "staff" },
		{ "-rw-r--r-- ftp ftp 1024 Jan  5 12:34 nolinks.txt",
		  0, "nolinks.txt", NULL, FTP_ENT_FILE, 1024, T("20260105123400"), false, 0644, "ftp", "ftp" },
		{ "crw-rw-rw- 1 root root 1,3 Jan 1 2020 null",
		  0, "null", NULL, FTP_ENT_DEVICE, -1, T("20200101000000"), false, 0666, "root", "root" },
		{ "-rw-r-l--- 1 u g 5 Jan  5 12:34 locked",
		  0, "locked", NULL, FTP_ENT_FILE, 5, T("20260105123400"), false, 02640, "u", "g" },
		{ "-rwSr-Sr-T 1 u g 5 Jan  5 12:34 specials",
		  0, "specials", NULL, FTP_ENT_FILE, 5, T("20260105123400"), false, 07644, "u", "g" },
		{ "srwxrwxrwx 1 u g 0 Jan  5 12:34 socket",
		  0, "socket", NULL, FTP_ENT_OTHER, 0, T("20260105123400"), false, 0777, "u", "g" },
		{ "Dr--r--r-- 1 u g 0 Jan  5 12:34 door",
		  0, "door", NULL, FTP_ENT_OTHER, 0, T("20260105123400"), false, 0444, "u", "g" },
		{ "-rw-r--r-- 1 u g 5 JAN  5 12:34 upper", /* month in any case */
		  0, "upper", NULL, FTP_ENT_FILE, 5, T("20260105123400"), false, 0644, "u", "g" },
		{ "-rw-r--r-- 1 u g 5 Jan  5 9:05 onedigit",
		  0, "onedigit", NULL, FTP_ENT_FILE, 5, T("20260105090500"), false, 0644, "u", "g" },
		/* a group named like a month does not fool the search */
		{ "-rw-r--r-- 1 bob may 7 Jan  5  2021 x",
		  0, "x", NULL, FTP_ENT_FILE, 7, T("20210105000000"), false, 0644, "bob", "may" },
		/* the most a size may be */
		{ "-rw-r--r-- 1 u g 9223372036854775807 Jan  5  2021 huge",
		  0, "huge", NULL, FTP_ENT_FILE, INT64_MAX, T("20210105000000"), false, 0644, "u", "g" },
		/* " -> " in a file's name is the name's; a link splits at the first */
		{ "-rw-r--r-- 1 u g 1 Jan  5  2021 a -> b",
		  0, "a -> b", NULL, FTP_ENT_FILE, 1, T("20210105000000"), false, 0644, "u", "g" },
		{ "lrwxrwxrwx 1 u g 1 Jan  5  2021 a -> b -> c",
		  0, "a", "b -> c", FTP_ENT_LINK, 1, T("20210105000000"), false, 0777, "u", "g" },
		/* a link with no target shown, and one with an empty target */
		{ "lrwxrwxrwx 1 u g 1 Jan  5  2021 bare",
		  0, "bare", NULL, FTP_ENT_LINK, 1, T("20210105000000"), false, 0777, "u", "g" },
		{ "lrwxrwxrwx 1 u g 1 Jan  5  2021 empty -> ",
		  0, "empty", NULL, FTP_ENT_LINK, 1, T("20210105000000"), false, 0777, "u", "g" },
		/* before 1970: a real date, an unknown time */
		{ "-rw-r--r-- 1 u g 1 Dec 31  1969 old",
		  0, "old", NULL, FTP_ENT_FILE, 1, -1, false, 0644, "u", "g" },
		{ "-rw-r--r-- 1 u g 1 Jan  1  1970 epoch",
		  0, "epoch", NULL, FTP_ENT_FILE, 1, 0, false, 0644, "u", "g" },
		/* a bare LF, a bare CR or none at all ends a line too */
		{ "-rw-r--r-- 1 u g 1 Jan  1  2000 lf\n",
		  0, "lf", NULL, FTP_ENT_FILE, 1, T("20000101000000"), false, 0644, "u", "g" },
		{ "-rw-r--r-- 1 u g 1 Jan  1  2000 cr\r",
		  0, "cr", NULL, FTP_ENT_FILE, 1, T("20000101000000"), false, 0644, "u", "g" },
		SKIP(""),
		SKIP("\r\n"),
		SKIP("  \t "),
		SKIP("total 0"),
		SKIP("total 1.5K"),
	};
	CHECK_ROWS(false, NOW, rows);
}

/* A device's numbers, where ls gives them. */
static void test_devices(void)
{
	static const struct {
		const char *line;
		int major, minor;
	} devs[] = {
		{ "crw-r--r--  1 root root 259, 1048575 Dec  1 09:08 big", 259, 1048575 },
		{ "brw-r--r--  1 root root   8,       0 Dec  1 09:08 sda", 8, 0 },
		{ "crw-r--r--  1 root 1, 3 Dec  1 09:08 nogroup", 1, 3 },
		{ "crw-rw-rw- 1 root root 1,3 Jan 1 2020 null", 1, 3 },
		{ "crw-rw-rw-    1 999      995             0 Dec 01 09:08 null", -1, -1 },
	};
	for (size_t i = 0; i < N(devs); i++) {
		struct ftp_ent e;
		CU_ASSERT_EQUAL_FATAL(parse(false, devs[i].line, strlen(devs[i].line), NOW, &e), 0);
		CU_ASSERT_EQUAL(e.type, FTP_ENT_DEVICE);
		CU_ASSERT_EQUAL(e.dev_major, devs[i].major);
		CU_ASSERT_EQUAL(e.dev_minor, devs[i].minor);
		ftp_ent_clear(&e);
	}
	/* RFC 3659's own example of an OS-specific type */
	struct ftp_ent e;
	const char *m = "type=OS.unix=chr-13/29;perm=; tty";
	CU_ASSERT_EQUAL_FATAL(parse(true, m, strlen(m), NOW, &e), 0);
	CU_ASSERT(e.type == FTP_ENT_DEVICE && e.dev_major == 13 && e.dev_minor == 29);
	ftp_ent_clear(&e);
	m = "type=OS.unix=blk;perm=; disk";
	CU_ASSERT_EQUAL_FATAL(parse(true, m, strlen(m), NOW, &e), 0);
	CU_ASSERT(e.type == FTP_ENT_DEVICE && e.dev_major == -1 && e.dev_minor == -1);
	ftp_ent_clear(&e);
	/* "MAJ, MIN" belongs to devices only */
	m = "-rw-r--r-- 1 root root 1, 3 Jan 1 2020 file";
	CU_ASSERT_EQUAL(parse(false, m, strlen(m), NOW, &e), ERR_PROTO);
}

/* ---- DOS (IIS) ------------------------------------------------------ */

/* IIS's "MS-DOS" listing style, in the layout Microsoft documents for it
 * (two-digit years by default, four with its FourDigitYears option). */
static void test_dos(void)
{
	const struct want rows[] = {
		{ "01-16-02  11:14AM       <DIR>          epsgroup\r\n",
		  0, "epsgroup", NULL, FTP_ENT_DIR, -1, T("20020116111400"), true, -1, NULL, NULL },
		{ "06-05-03  03:19PM                 1973 readme.txt\r\n",
		  0, "readme.txt", NULL, FTP_ENT_FILE, 1973, T("20030605151900"), true, -1, NULL, NULL },
		{ "01-05-26  12:34PM       <DIR>          name with space",
		  0, "name with space", NULL, FTP_ENT_DIR, -1, T("20260105123400"), true, -1, NULL, NULL },
		{ "01-05-26  12:34AM                 1234 file.txt",
		  0, "file.txt", NULL, FTP_ENT_FILE, 1234, T("20260105003400"), true, -1, NULL, NULL },
		{ "01-16-2002  11:14AM       <DIR>          four digits",
		  0, "four digits", NULL, FTP_ENT_DIR, -1, T("20020116111400"), true, -1, NULL, NULL },
		{ "10-23-2020  12:05PM          12345678901 big.iso",
		  0, "big.iso", NULL, FTP_ENT_FILE, 12345678901, T("20201023120500"), true, -1, NULL, NULL },
		/* two-digit years: 70..99 are 19xx, 00..69 20xx */
		{ "12-31-69  11:59PM                    1 y2069",
		  0, "y2069", NULL, FTP_ENT_FILE, 1, T("20691231235900"), true, -1, NULL, NULL },
		{ "01-01-70  12:00AM                    1 y1970",
		  0, "y1970", NULL, FTP_ENT_FILE, 1, 0, true, -1, NULL, NULL },
		/* IIS's columns keep a name's leading blanks */
		{ "06-05-03  03:19PM                 1973   two blanks",
		  0, "  two blanks", NULL, FTP_ENT_FILE, 1973, T("20030605151900"), true, -1, NULL, NULL },
		{ "01-16-02  11:14AM       <DIR>           one blank",
		  0, " one blank", NULL, FTP_ENT_DIR, -1, T("20020116111400"), true, -1, NULL, NULL },
		/* other servers' columns: the name starts at its first non-blank */
		{ "06-05-03 15:19 1973  short.txt",
		  0, "short.txt", NULL, FTP_ENT_FILE, 1973, T("20030605151900"), true, -1, NULL, NULL },
		{ "06-05-03  3:19pm <dir> lower",
		  0, "lower", NULL, FTP_ENT_DIR, -1, T("20030605151900"), true, -1, NULL, NULL },
		SKIP("06-05-03  03:19PM       <DIR>          ."),
	};
	CHECK_ROWS(false, NOW, rows);
}

/* ---- what must fail ------------------------------------------------- */

static void bad_line(bool mlsd, const char *line, int want)
{
	struct ftp_ent e;
	int rc = parse(mlsd, line, strlen(line), NOW, &e);
	CU_ASSERT_EQUAL(rc, want);
	if (rc != want)
		fprintf(stderr, "\n  got %d: %s", rc, line);
	CU_ASSERT(e.name == NULL && e.target == NULL && e.owner == NULL &&
	          e.group == NULL && e.size == -1 && e.mtime == -1);
}

static void test_bad_list(void)
{
	static const char *const bad[] = {
		"-rw-r--r-- 1 u g 9223372036854775808 Jan  5  2021 2^63",
		"-rw-r--r-- 1 u g 18446744073709551616 Jan  5  2021 2^64",
		"-rw-r--r-- 1 u g 99999999999999999999999999 Jan  5  2021 way",
		"-rw-r--r-- 1 u g -1 Jan  5  2021 negative",
		"-rw-r--r-- 1 u g 0x10 Jan  5  2021 hex",
		"-rw-r--r-- 1 u g 1 Feb 30  2021 feb30",
		"-rw-r--r-- 1 u g 1 Feb 29  2023 notleap",
		"-rw-r--r-- 1 u g 1 Jan 32  2021 jan32",
		"-rw-r--r-- 1 u g 1 Jan  0  2021 jan0",
		"-rw-r--r-- 1 u g 1 Jan  5 24:00 midnight",
		"-rw-r--r-- 1 u g 1 Jan  5 12:60 minute",
		"-rw-r--r-- 1 u g 1 2021-02-30 12:00 iso",
		"-rw-r--r-- 1 u g 1 2021-01-01 25:00 isotime",
		"-rw-r--r-- 1 u g 1 Foo  5  2021 month",
		"-rw-r--r-- 1 u g 1 Jan  5  2021",       /* no name */
		"-rw-r--r-- 1 u g 1 Jan  5  2021 ",      /* empty name */
		"lrwxrwxrwx 1 u g 1 Jan  5  2021  -> x", /* a link with an empty name */
		"-rw-r--r-- 1 u g 1 Jan  5",             /* cut short */
		"-rw-r--r-- 1 u g 1",
		"-rw-r--r-- 1 u g",
		"-rw-r--r--",
		"-rw-r--r-- 1 Jan  5  2021 noowner",     /* no owner column */
		"-rw-r--r-- 1 u g x y 1 Jan  5  2021 five", /* too many */
		"-rw-r--r-- x u g 1 Jan  5  2021 links",  /* links not numeric */
		"-rw-r--r- 1 u g 1 Jan  5  2021 short mode",
		"-rw-r--r--x 1 u g 1 Jan  5  2021 long mode",
		"-rw-r--r--! 1 u g 1 Jan  5  2021 suffix",
		"xrw-r--r-- 1 u g 1 Jan  5  2021 type",
		"-rwxrwxrwz 1 u g 1 Jan  5  2021 perm",
		"-rwsrwsrws 1 u g 1 Jan  5  2021 other s",
		"-rwtrwxrwx 1 u g 1 Jan  5  2021 owner t",
		" -rw-r--r-- 1 u g 1 Jan  5  2021 indented",
		"total",
		"total 5 extra",
		"total x",
		"type=file;size=1; mlsd",
		"garbage",
		"\x1b[31m",
		/* DOS */
		"13-01-02  11:14AM       <DIR>          month",
		"02-30-20  11:14AM       <DIR>          feb30",
		"02-29-21  11:14AM       <DIR>          notleap",
		"01-16-02  13:14PM       <DIR>          hour",
		"01-16-02  00:14AM       <DIR>          zero",
		"01-16-02  11:60AM       <DIR>          minute",
		"01-16-02  11:14XM       <DIR>          ampm",
		"01-16-02  11:14AM       <JUNCTION>     junction",
		"01-16-02  11:14AM  9223372036854775808 big",
		"01-16-02  11:14AM                   -1 negative",
		"01-16-02  11:14AM                 1,234 comma",
		"01-16-02  11:14AM       <DIR>          ",
		"01-16-02  11:14AM       <DIR>",
		"01-16-02  11:14AM",
		"01-16-02",
		"01/16/02  11:14AM       <DIR>          slashes",
		"1-16-02  11:14AM       <DIR>          short",
		"01-16-002  11:14AM       <DIR>          year",
		"0x-16-02  11:14AM       <DIR>          digit",
		"01-16-02  1114AM       <DIR>          colon",
	};
	for (size_t i = 0; i < N(bad); i++)
		bad_line(false, bad[i], ERR_PROTO);
}

static void test_bad_mlsd(void)
{
	static const char *const bad[] = {
		"type=file;size=1;type=dir; twice",
		"TYPE=file;Type=dir; twice in other cases",
		"type=file;size=1 nosemicolon",
		"=file; noname",
		"type; noequals",
		"type=file;",            /* no name */
		"type=file; ",           /* empty name */
		" name",                 /* no facts */
		"  name",
		"name",
		"type=; emptytype",
		"type=file;size=; emptysize",
		"type=file;size=-1; negative",
		"type=file;size=9223372036854775808; 2^63",
		"type=file;size=18446744073709551616; 2^64",
		"type=file;size=1k; unit",
		"type=file;modify=20260230120000; feb30",
		"type=file;modify=20250229120000; notleap",
		"type=file;modify=20260101240000; hour",
		"type=file;modify=2026010112000; short",
		"type=file;modify=20260101120000.; dot",
		"type=file;modify=20260101120000Z; zone",
		"type=file;UNIX.mode=0999; octal",
		"type=file;UNIX.mode=0200000; toobig",
		"type=file;UNIX.mode=; empty",
		"-rw-r--r-- 1 u g 1 Jan  5  2021 unix",
	};
	for (size_t i = 0; i < N(bad); i++)
		bad_line(true, bad[i], ERR_PROTO);
}

/* An owner or group of FTP_LIST_FIELD_MAX bytes passes, one more is
 * ERR_PROTO. */
static void test_field_max(void)
{
	static const struct {
		bool mlsd;
		const char *before, *after;
	} lines[] = {
		{ false, "-rw-r--r-- 1 ", " g 1 Jan  5  2021 x" },
		{ false, "-rw-r--r-- 1 u ", " 1 Jan  5  2021 x" },
		{ true, "type=file;UNIX.ownername=", "; x" },
		{ true, "type=file;UNIX.gid=", "; x" },
	};
	char line[600];
	struct ftp_ent e;

	for (size_t i = 0; i < N(lines); i++) {
		for (int n = FTP_LIST_FIELD_MAX; n <= FTP_LIST_FIELD_MAX + 1; n++) {
			snprintf(line, sizeof(line), "%s%0*d%s", lines[i].before, n, 7,
			         lines[i].after);
			int rc = parse(lines[i].mlsd, line, strlen(line), NOW, &e);
			CU_ASSERT_EQUAL(rc, n > FTP_LIST_FIELD_MAX ? ERR_PROTO : 0);
			if (rc == 0)
				CU_ASSERT((e.owner && strlen(e.owner) == (size_t)n) ||
				          (e.group && strlen(e.group) == (size_t)n));
			ftp_ent_clear(&e);
		}
	}
}

/* MLSD odds and ends: any case, facts left out, unknown and empty ones,
 * blanks and ';' in names, a pure-ftpd symlink with its target, type
 * bits in UNIX.mode, fractions of seconds. */
static void test_mlsd_forms(void)
{
	const struct want rows[] = {
		{ "TYPE=DIR;Size=5;MODIFY=20260101120000;unix.MODE=755;Unix.OwnerName=root; Dir",
		  0, "Dir", NULL, FTP_ENT_DIR, 5, T("20260101120000"), true, 0755, "root", NULL },
		{ "size=12; untyped",
		  0, "untyped", NULL, FTP_ENT_UNKNOWN, 12, -1, false, -1, NULL, NULL },
		{ "x.foo=bar;perm=;unique=; type=file",
		  0, "type=file", NULL, FTP_ENT_UNKNOWN, -1, -1, false, -1, NULL, NULL },
		{ "type=file; a;b=c d ",
		  0, "a;b=c d ", NULL, FTP_ENT_FILE, -1, -1, false, -1, NULL, NULL },
		{ "type=OS.unix=slink:/etc/passwd; evil",
		  0, "evil", "/etc/passwd", FTP_ENT_LINK, -1, -1, false, -1, NULL, NULL },
		{ "type=OS.unix=symlinkish; notlink",
		  0, "notlink", NULL, FTP_ENT_OTHER, -1, -1, false, -1, NULL, NULL },
		{ "type=unknown;UNIX.mode=0100644; typebits",
		  0, "typebits", NULL, FTP_ENT_OTHER, -1, -1, false, 0644, NULL, NULL },
		{ "type=file;modify=20261231235959.999;size=0; frac",
		  0, "frac", NULL, FTP_ENT_FILE, 0, T("20261231235959"), true, -1, NULL, NULL },
		{ "type=file;modify=19691231235959; old",
		  0, "old", NULL, FTP_ENT_FILE, -1, -1, false, -1, NULL, NULL },
		{ "type=file;size=9223372036854775807;UNIX.uid=0;UNIX.gid=0; max",
		  0, "max", NULL, FTP_ENT_FILE, INT64_MAX, -1, false, -1, "0", "0" },
		{ "type=file;sizd=4096;size=1; size wins",
		  0, "size wins", NULL, FTP_ENT_FILE, 1, -1, false, -1, NULL, NULL },
		{ "type=file;UNIX.owner=0;UNIX.uid=5;UNIX.group=;UNIX.gid=7; owner before uid",
		  0, "owner before uid", NULL, FTP_ENT_FILE, -1, -1, false, -1, "0", NULL },
		SKIP("type=cdir; /some/dir"),
		SKIP("type=PDIR; .."),
		SKIP("type=dir; ."),
		SKIP("type=file; .."),
		SKIP("\r\n"),
	};
	CHECK_ROWS(true, NOW, rows);
}

/* ---- hostile names (A1, A2, A6) ------------------------------------- */

/* Names vsftpd (LIST) and proftpd (MLSD) sent for files named with ESC,
 * TAB, CR and LF in them, Latin-1 and UTF-8: the entry keeps the bytes,
 * ftp_ent_name_safe refuses the control bytes.  An LF in a name splits
 * the line (what a reader splitting at LF gets): its first part parses
 * as a file of the wrong name, the rest is garbage.  pure-ftpd leaves
 * such names out. */
static void test_hostile_names(void)
{
	static const struct {
		bool mlsd;
		const char *line, *name;
		bool safe;
	} rows[] = {
		{ false, "-rw-r--r--    1 999      995             1 Dec 01 09:08 cr\rname\r\n", "cr\rname", false },
		{ false, "-rw-r--r--    1 999      995             1 Dec 01 09:08 esc\x1b[31mred\r\n", "esc\x1b[31mred", false },
		{ false, "-rw-r--r--    1 999      995             1 Dec 01 09:08 tab\tname\r\n", "tab\tname", false },
		{ false, "-rw-r--r--    1 999      995             1 Dec 01 09:08 ends with space \r\n", "ends with space ", true },
		{ false, "-rw-r--r--    1 999      995             1 Dec 01 09:08 latin1-\xe9t\xe9\r\n", "latin1-\xe9t\xe9", true },
		{ false, "-rw-r--r--    1 999      995             1 Dec 01 09:08 utf8-\xc3\xa9t\xc3\xa9\r\n", "utf8-\xc3\xa9t\xc3\xa9", true },
		{ false, "-rw-r--r--    1 999      995             1 Dec 01 09:08 new\n", "new", true },
		{ false, "-rw-r--r-- 1 u g 1 Jan  5  2021 ../../etc/passwd", "../../etc/passwd", false },
		{ false, "-rw-r--r-- 1 u g 1 Jan  5  2021 /abs", "/abs", false },
		{ false, "-rw-r--r-- 1 u g 1 Jan  5  2021 |touch pwned", "|touch pwned", true },
		{ false, "-rw-r--r-- 1 u g 1 Jan  5  2021 file:", "file:", true },
		{ false, "-rw-r--r-- 1 u g 1 Jan  5  2021 -rf", "-rf", true },
		{ false, "-rw-r--r-- 1 u g 1 Jan  5  2021 a\\b", "a\\b", true },
		{ false, "-rw-r--r-- 1 u g 1 Jan  5  2021 del\x7f", "del\x7f", false },
		{ false, "01-16-02  11:14AM       <DIR>          ..\\..\\x", "..\\..\\x", true },
		{ true, "modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA843B9;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; cr\rname\r\n", "cr\rname", false },
		{ true, "modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA843B6;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; esc\x1b[31mred\r\n", "esc\x1b[31mred", false },
		{ true, "modify=20261201090807;perm=adfrw;size=1;type=file;unique=FE00UA843B8;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0644;UNIX.owner=999;UNIX.ownername=ferrytest; new\r\n", "new", true },
		{ true, "type=file; ../x", "../x", false },
		{ true, "type=file; a/b", "a/b", false },
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct ftp_ent e;
		CU_ASSERT_EQUAL_FATAL(parse(rows[i].mlsd, rows[i].line, strlen(rows[i].line), NOW, &e), 0);
		CU_ASSERT_STRING_EQUAL(e.name, rows[i].name);
		CU_ASSERT_EQUAL(ftp_ent_name_safe(e.name), rows[i].safe);
		ftp_ent_clear(&e);
	}
	bad_line(false, "line\r\n", ERR_PROTO);
	bad_line(true, "line\r\n", ERR_PROTO);
}

/* A NUL anywhere is refused; the bytes after it are not dropped in
 * silence. */
static void test_nul(void)
{
	static const char unix_nul[] = "-rw-r--r-- 1 u g 1 Jan  5  2021 a\0b";
	static const char mlsd_nul[] = "type=file; a\0b";
	static const char fact_nul[] = "type=fi\0le; ab";
	struct ftp_ent e;

	CU_ASSERT_EQUAL(parse(false, unix_nul, sizeof(unix_nul) - 1, NOW, &e), ERR_PROTO);
	CU_ASSERT_EQUAL(parse(true, mlsd_nul, sizeof(mlsd_nul) - 1, NOW, &e), ERR_PROTO);
	CU_ASSERT_EQUAL(parse(true, fact_nul, sizeof(fact_nul) - 1, NOW, &e), ERR_PROTO);
	CU_ASSERT_EQUAL(parse(false, "\0", 1, NOW, &e), ERR_PROTO);
	CU_ASSERT_PTR_NULL(e.name);
}

/* FTP_LIST_LINE_MAX bytes pass (line ending aside), one more is
 * ERR_TOOLONG, and so is a megabyte; the length is what counts, not a
 * terminator. */
static void test_long(void)
{
	const char *head = "-rw-r--r-- 1 u g 1 Jan  5  2021 ";
	size_t hl = strlen(head), n = 1024 * 1024;
	char *line = malloc(n + 2);
	struct ftp_ent e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	memcpy(line, head, hl);
	memset(line + hl, 'a', n - hl);
	memcpy(line + FTP_LIST_LINE_MAX, "\r\n", 2);
	CU_ASSERT_EQUAL(parse(false, line, FTP_LIST_LINE_MAX + 2, NOW, &e), 0);
	CU_ASSERT_EQUAL(strlen(e.name), FTP_LIST_LINE_MAX - hl);
	ftp_ent_clear(&e);
	line[FTP_LIST_LINE_MAX] = 'a';
	CU_ASSERT_EQUAL(parse(false, line, FTP_LIST_LINE_MAX + 1, NOW, &e), ERR_TOOLONG);
	CU_ASSERT_EQUAL(parse(false, line, n, NOW, &e), ERR_TOOLONG);
	CU_ASSERT_PTR_NULL(e.name);

	const char *facts = "type=file; ";
	memcpy(line, facts, strlen(facts));
	CU_ASSERT_EQUAL(parse(true, line, FTP_LIST_LINE_MAX, NOW, &e), 0);
	ftp_ent_clear(&e);
	CU_ASSERT_EQUAL(parse(true, line, FTP_LIST_LINE_MAX + 1, NOW, &e), ERR_TOOLONG);
	/* a megabyte of facts and no blank */
	memset(line, ';', n);
	CU_ASSERT_EQUAL(parse(true, line, n, NOW, &e), ERR_TOOLONG);
	free(line);
}

/* Every prefix of real lines: an entry, a skip or an error, never more
 * than the bytes given. */
static void test_prefixes(void)
{
	static const struct {
		bool mlsd;
		const char *line;
	} lines[] = {
		{ false, "crw-r--r--  1 root root 259, 1048575 Dec  1 09:08 big" },
		{ false, "lrwxrwxrwx    1 999      995            20 Dec 01 09:08 spaced link -> name with spaces.txt\r\n" },
		{ false, "01-16-02  11:14AM       <DIR>          epsgroup\r\n" },
		{ false, "-rw-r--r--  1 0 0            1 2026-12-01 09:08 with  two spaces" },
		{ true, "modify=20261201090807;perm=adfrw;size=20;type=OS.unix=symlink;unique=FE00UA84354;UNIX.group=995;UNIX.groupname=ferrytest;UNIX.mode=0777;UNIX.owner=999;UNIX.ownername=ferrytest; spaced link\r\n" },
	};
	for (size_t i = 0; i < N(lines); i++) {
		for (size_t n = 0; n <= strlen(lines[i].line); n++) {
			struct ftp_ent e;
			int rc = parse(lines[i].mlsd, lines[i].line, n, NOW, &e);
			CU_ASSERT(rc == 0 || rc == FTP_LIST_SKIP || rc == ERR_PROTO);
			CU_ASSERT((rc == 0) == (e.name != NULL));
			ftp_ent_clear(&e);
		}
	}
}

/* ---- the year of "Mon DD HH:MM" ------------------------------------- */

static void year_is(int64_t now, const char *date, const char *want)
{
	char line[128];
	struct ftp_ent e;

	snprintf(line, sizeof(line), "-rw-r--r-- 1 u g 1 %s f", date);
	CU_ASSERT_EQUAL_FATAL(parse(false, line, strlen(line), now, &e), 0);
	CU_ASSERT_EQUAL(e.mtime, want ? T(want) : -1);
	if (want && e.mtime != T(want))
		fprintf(stderr, "\n  %s at %lld: got %lld", date, (long long)now,
		        (long long)e.mtime);
	CU_ASSERT_FALSE(e.mtime_precise);
	ftp_ent_clear(&e);
}

static void test_year_guess(void)
{
	int64_t newyear = T("20270101003000"); /* half an hour into 2027 */

	year_is(newyear, "Dec 31 23:59", "20261231235900");
	year_is(newyear, "Jan  1 00:10", "20270101001000");
	/* ahead of now, but by less than a day: the server's zone */
	year_is(newyear, "Jan  1 14:00", "20270101140000");
	year_is(newyear, "Jan  1 23:59", "20270101235900");
	/* more than a day ahead: last year's */
	year_is(newyear, "Jan  2 01:00", "20260102010000");
	year_is(newyear, "Jun 30 12:00", "20260630120000");
	/* the other end of the year */
	year_is(T("20261231235900"), "Jan  1 00:00", "20260101000000");
	year_is(T("20261231235900"), "Dec 31 23:58", "20261231235800");
	year_is(NOW, "Nov 20 10:11", "20261120101100");
	year_is(NOW, "Dec  6 22:05", "20261206220500"); /* tomorrow: a day ahead */
	year_is(NOW, "Dec  7 22:07", "20251207220700");

	/* Feb 29: the year before if this one has none */
	year_is(T("20250110000000"), "Feb 29 10:00", "20240229100000");
	year_is(T("20240310000000"), "Feb 29 10:00", "20240229100000");
	/* ahead, and the year before has none: this year after all */
	year_is(T("20240110000000"), "Feb 29 10:00", "20240229100000");
	struct ftp_ent e;
	const char *l = "-rw-r--r-- 1 u g 1 Feb 29 10:00 neither leap";
	CU_ASSERT_EQUAL(parse(false, l, strlen(l), T("20270110000000"), &e), ERR_PROTO);

	/* a now that is no year: the date is checked, the time unknown */
	year_is(-5, "Jan  5 12:34", NULL);
	year_is(INT64_MAX, "Feb 29 12:34", NULL);
	year_is(INT64_MIN, "Dec 31 12:34", NULL);
	CU_ASSERT_EQUAL(parse(false, "-rw-r--r-- 1 u g 1 Feb 30 10:00 x", 33, -5, &e), ERR_PROTO);
	/* 1970's first days from early 1970: the year before is unknown */
	year_is(T("19700101120000"), "Dec 31 12:00", NULL);
}

/* ---- ftp_ent_name_safe ---------------------------------------------- */

static void test_name_safe(void)
{
	static const struct {
		const char *name;
		bool safe;
	} names[] = {
		{ "file.txt", true }, { "name with spaces", true },
		{ "  leading", true }, { "...", true }, { ".hidden", true },
		{ "~", true }, { "-rf", true }, { "file:", true },
		{ "C:\\x", true }, { "|cmd", true }, { "\xc3\xa9t\xc3\xa9", true },
		{ NULL, false }, { "", false }, { ".", false }, { "..", false },
		{ "/", false }, { "/etc/passwd", false }, { "../x", false },
		{ "dir/", false }, { "a\nb", false }, { "a\rb", false },
		{ "\x1b]0;title\x07", false }, { "del\x7f", false }, { "\x01", false },
	};
	for (size_t i = 0; i < N(names); i++)
		CU_ASSERT_EQUAL(ftp_ent_name_safe(names[i].name), names[i].safe);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("ftp_list", NULL, NULL);
	CU_add_test(s, "vsftpd LIST -a", test_vsftpd);
	CU_add_test(s, "pure-ftpd LIST -a, MLSD", test_pureftpd);
	CU_add_test(s, "proftpd LIST -a, LIST -n, MLSD", test_proftpd);
	CU_add_test(s, "MLST replies", test_mlst);
	CU_add_test(s, "GNU ls", test_gnu_ls);
	CU_add_test(s, "other UNIX forms", test_unix_forms);
	CU_add_test(s, "device numbers", test_devices);
	CU_add_test(s, "DOS (IIS)", test_dos);
	CU_add_test(s, "bad LIST lines", test_bad_list);
	CU_add_test(s, "bad MLSD lines", test_bad_mlsd);
	CU_add_test(s, "owner and group limits", test_field_max);
	CU_add_test(s, "MLSD forms", test_mlsd_forms);
	CU_add_test(s, "hostile names", test_hostile_names);
	CU_add_test(s, "NUL bytes", test_nul);
	CU_add_test(s, "line limits", test_long);
	CU_add_test(s, "every prefix", test_prefixes);
	CU_add_test(s, "year of a date without one", test_year_guess);
	CU_add_test(s, "name_safe", test_name_safe);
}
