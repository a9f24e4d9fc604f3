/* progress.h - a transfer's progress and summary lines, as text.
 *
 * Pure functions over numbers (house rule 4): what is drawn is decided
 * by the caller (ui_progress() draws it, the protocol decides when).
 *
 *   big.iso  412.0 MiB / 1.0 GiB  40%  98.1 MiB/s  ETA 0:06
 *   1.0 GiB in 2.1 s (490.0 MiB/s)
 */
#ifndef FERRY_PROGRESS_H
#define FERRY_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* The rate, smoothed over the last seconds. */
struct progress_meter {
	int64_t start_ms;     /* when the transfer began */
	int64_t last_ms;      /* the last sample */
	uint64_t last_bytes;
	int64_t moved_ms;     /* the last sample that saw bytes come */
	double rate;          /* bytes per second, 0 until known or when
	                         nothing came for PROGRESS_STALLED_MS */
};

/* No byte for this long: the rate is 0 (no rate shown, no ETA; `jobs`
 * says "stalled") rather than an average fading for many seconds. */
#define PROGRESS_STALLED_MS 2000

/* Start measuring at now_ms, with bytes already there (a resume). */
void progress_start(struct progress_meter *m, int64_t now_ms, uint64_t bytes);
/* A sample: bytes moved in all at now_ms (fewer than the last sample:
 * the next file began, counted from there on). */
void progress_sample(struct progress_meter *m, int64_t now_ms, uint64_t bytes);

/* "512 B", "1.5 MiB" ... "2.0 TiB". */
void progress_size(uint64_t n, char *out, size_t len);
/* The progress line, at most len - 1 bytes: name (already escaped for the
 * terminal), bytes, the total and percentage when total >= 0, the rate
 * when known, the time left when both are. */
void progress_line(char *out, size_t len, const char *name, uint64_t bytes,
                   int64_t total, double rate);
/* "N in S s (R/s)": bytes moved in ms milliseconds. */
void progress_summary(char *out, size_t len, uint64_t bytes, int64_t ms);

#endif
