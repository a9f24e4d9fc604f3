/* oneshot.h - transfers named by URL: `get URL...`, `cat URL`, `more URL`,
 * `reget URL`, `put FILE URL`, `reput FILE URL`.
 *
 * The URL's directory picks the session: one an earlier one-shot command
 * opened for the same scheme, user, host, port and directory, else a new
 * one opened there (as `open` would, without taking the focus).  The words
 * are rewritten for it: a downloaded URL becomes its file name, an upload's
 * URL becomes `-o NAME` (a URL ending in '/' keeps the local name).
 */
#ifndef FERRY_ONESHOT_H
#define FERRY_ONESHOT_H

#include <stdbool.h>

struct shell;
struct argv;
struct session;

/* For command name (the resolved one) and its words a->argv[first..]:
 * 0 with *target NULL when no operand is a URL (route as usual); 0 with
 * *target set and a rewritten when they are; or ERR_USAGE (printed). */
int oneshot_route(struct shell *sh, const char *name, struct argv *a, int first,
                  struct session **target);
/* True when url is an FTP URL (ftp, ftpes, ftps) naming a file: a path
 * that does not end in '/'. */
bool oneshot_names_file(const char *url);
/* Forget the sessions remembered (at exit). */
void oneshot_clear(void);

#endif
