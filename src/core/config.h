/* config.h - settings ("set NAME VALUE"), typed and validated.
 *
 * Names are "area:name".  Every setting has a type, a default and a help
 * line; the table in config.c is the single source for `set`, its
 * completion and the man page.
 */
#ifndef FERRY_CONFIG_H
#define FERRY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config;

/* New config with the defaults; config_free(NULL) is safe. */
struct config *config_new(void);
void config_free(struct config *cfg);

/* Set from text; ERR_USAGE with *why set (unknown name, bad value): one
 * line that says what is allowed ("expected a number from 1 to 86400",
 * "expected one of: auto, require, off"), valid until the next call.
 * "NAME/HOST" sets NAME for the sessions whose host matches HOST (a shell
 * pattern, case ignored; the last one set that matches wins), read
 * through their view (config_view_new). */
int config_set(struct config *cfg, const char *name, const char *value,
               const char **why);

/* Typed reads; the name must exist (a typo aborts in debug builds). */
long config_int(const struct config *cfg, const char *name);
bool config_bool(const struct config *cfg, const char *name);
/* String value (never NULL; "" when empty). */
const char *config_str(const struct config *cfg, const char *name);

/* Iterate over settings in table order: index 0.. until NULL. */
const char *config_name(int i);
const char *config_help(int i);
/* Its default value as text ("" for none). */
const char *config_default(int i);
/* Current value as text (valid until the next config_set). */
const char *config_value_text(const struct config *cfg, const char *name);

/* A session's view of the settings: root's values, with the overrides
 * whose HOST matches host; it follows later `set`s.  Read-only; free with
 * config_free() before root. */
struct config *config_view_new(const struct config *root, const char *host);
/* The k-th per-host override of root, in the order set: its setting's
 * name, and *host, *value; NULL past the last. */
const char *config_override_nth(const struct config *cfg, size_t k, const char **host,
                                const char **value);

/* Consume a one-shot setting (tls:fingerprint and tls:pin apply to the
 * next session opened only): returns a heap copy of the value, or NULL if
 * empty, and clears it. */
char *config_take(struct config *cfg, const char *name);

#endif
