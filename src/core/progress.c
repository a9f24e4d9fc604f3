/* progress.c - a transfer's progress and summary lines (see progress.h). */
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void progress_start(struct progress_meter *m, int64_t now_ms, uint64_t bytes)
{
	memset(m, 0, sizeof(*m));
	m->start_ms = m->last_ms = m->moved_ms = now_ms;
	m->last_bytes = bytes;
}

void progress_sample(struct progress_meter *m, int64_t now_ms, uint64_t bytes)
{
	int64_t dt = now_ms - m->last_ms;
	if (bytes < m->last_bytes) {
		/* The next file of a command moving several: count from
		 * here, keeping the rate. */
		m->last_ms = m->moved_ms = now_ms;
		m->last_bytes = bytes;
		return;
	}
	if (dt < 100)
		return;
	double now = (double)(bytes - m->last_bytes) * 1000.0 / (double)dt;
	/* An exponential average: a second of history or so at 4 samples a
	 * second, so the ETA does not jump with every burst. */
	m->rate = m->rate > 0 ? m->rate * 0.7 + now * 0.3 : now;
	if (bytes > m->last_bytes)
		m->moved_ms = now_ms;
	else if (now_ms - m->moved_ms >= PROGRESS_STALLED_MS)
		m->rate = 0;
	m->last_ms = now_ms;
	m->last_bytes = bytes;
}

void progress_size(uint64_t n, char *out, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%" PRIu64 " B", n);
	else
		snprintf(out, len, "%.1f %s", v, unit[u]);
}

static void eta_text(double secs, char *out, size_t len)
{
	uint64_t s = (uint64_t)(secs + 0.5);
	if (s >= 100 * 3600)
		snprintf(out, len, ">99h");
	else if (s >= 3600)
		snprintf(out, len, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600,
		         s / 60 % 60, s % 60);
	else
		snprintf(out, len, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
}

void progress_line(char *out, size_t len, const char *name, uint64_t bytes,
                   int64_t total, double rate)
{
	char done[32], tot[48] = "", pct[16] = "", r[48] = "", eta[32] = "";

	progress_size(bytes, done, sizeof(done));
	if (total >= 0) {
		char t[32];
		progress_size((uint64_t)total, t, sizeof(t));
		snprintf(tot, sizeof(tot), " / %s", t);
		unsigned p = total > 0 ? (unsigned)((double)bytes * 100.0 / (double)total) : 100;
		snprintf(pct, sizeof(pct), "  %u%%", p > 100 ? 100 : p);
	}
	if (rate > 0) {
		char t[32];
		progress_size((uint64_t)rate, t, sizeof(t));
		snprintf(r, sizeof(r), "  %s/s", t);
		if (total >= 0 && (uint64_t)total >= bytes) {
			char e[16];
			eta_text((double)((uint64_t)total - bytes) / rate, e, sizeof(e));
			snprintf(eta, sizeof(eta), "  ETA %s", e);
		}
	}
	snprintf(out, len, "%s  %s%s%s%s%s", name, done, tot, pct, r, eta);
}

void progress_summary(char *out, size_t len, uint64_t bytes, int64_t ms)
{
	char b[32], r[32];
	double secs = ms > 0 ? (double)ms / 1000.0 : 0;

	progress_size(bytes, b, sizeof(b));
	/* Under a millisecond there is no rate worth printing. */
	if (secs < 0.001) {
		snprintf(out, len, "%s in 0.0 s", b);
		return;
	}
	progress_size((uint64_t)((double)bytes / secs), r, sizeof(r));
	snprintf(out, len, "%s in %.1f s (%s/s)", b, secs, r);
}
