/* bookmark.h - the bookmarks file, $XDG_CONFIG_HOME/ferry/bookmarks.
 *
 * lftp's format: one `NAME URL` a line (a tab or blanks between), `#`
 * comments and blank lines.  The shell completions (completions/) read the
 * same file.  Every line that is not a bookmark (a comment, a malformed
 * line) is kept as it was when the file is written back, so an edit by hand
 * survives `bookmark add` and `bookmark del`.  The file is written
 * atomically (a temporary file renamed over it), mode 0600.
 */
#ifndef FERRY_BOOKMARK_H
#define FERRY_BOOKMARK_H

#include <stdbool.h>
#include <stddef.h>

struct bm_line {
	char *name;   /* NULL: a line kept as it is (raw) */
	char *url;
	char *raw;    /* the line as read (no newline); NULL for a new one */
	size_t raw_len; /* its bytes (a NUL in it is kept too) */
};

struct bookmarks {
	struct bm_line *v;
	size_t n, cap;
};

/* Called with "PATH:LINE: why" for each malformed line. */
typedef void (*bm_warn_fn)(const char *msg, void *arg);

/* Parse text (the file's bytes) into b (zeroed first); where names the
 * file in warnings.  Pure.  Free with bookmarks_clear(). */
void bookmarks_parse(struct bookmarks *b, const char *text, size_t len,
                     const char *where, bm_warn_fn warn, void *arg);
/* Read path into b; a missing file is an empty list.  Returns 0, or
 * ERR_LOCAL with errno set (b empty). */
int bookmarks_load(struct bookmarks *b, const char *path, bm_warn_fn warn, void *arg);
/* Write b to path atomically, mode 0600.  Returns 0, or ERR_LOCAL with
 * errno set (the old file untouched). */
int bookmarks_save(const struct bookmarks *b, const char *path);
void bookmarks_clear(struct bookmarks *b);

/* The URL of bookmark name, or NULL. */
const char *bookmarks_get(const struct bookmarks *b, const char *name);
/* Add name or replace its URL (in place).  Returns true if it replaced. */
bool bookmarks_set(struct bookmarks *b, const char *name, const char *url);
/* Remove name; false if there was none. */
bool bookmarks_del(struct bookmarks *b, const char *name);
/* A name a bookmark may have: letters, digits and . _ - +, not starting
 * with '-' or '.', not only digits, at most 64 bytes (no blank, ':', '/', '@': it must not
 * pass for a host or URL). */
bool bookmark_name_ok(const char *name);

/* The file's path (heap), or NULL without $HOME. */
char *bookmarks_path(void);

struct session;
struct cmdctx;
/* A URL that opens s again where it is now: the scheme of its TLS mode,
 * the user, the password only if with_pass, the host (IPv6 in brackets),
 * the port unless the scheme's default, the directory or group.  Heap. */
char *bookmark_session_url(struct session *s, bool with_pass);
/* `bookmark add NAME [URL] [--password]`, `bookmark list`,
 * `bookmark del NAME` (a cmd_def run function). */
int bookmark_cmd(struct cmdctx *ctx);
/* For `open NAME` and completion: the URL of bookmark name in the file
 * (heap), or NULL; the file's malformed lines are warned about. */
char *bookmark_lookup(const char *name);
/* The names starting with prefix (a heap array of heap strings ending
 * with NULL), for completion. */
char **bookmark_names(const char *prefix);

#endif
