/* log.h - the protocol trace (-d, "debug on") and internal debug notes.
 *
 * Trace lines go to standard error through ui (so they are escaped and do
 * not break the line being typed), as
 *     [NAME] > LINE     sent
 *     [NAME] < LINE     received
 *     [NAME] * NOTE     state changes, connects, TLS
 * Callers pass password lines already masked (pp does it from
 * pp_cmd.mask_from).
 */
#ifndef FERRY_LOG_H
#define FERRY_LOG_H

#include <stdbool.h>
#include <stddef.h>

void log_set_trace(bool on);
bool log_trace_on(void);
/* dir is '>' (sent), '<' (received) or '*' (note). No-op when off. */
void log_trace(const char *who, char dir, const char *line, size_t len);
/* printf-style note ('*'); no-op when off. */
void log_note(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
