/* test_progress.c - the progress and summary lines of a transfer. */
#include <string.h>

#include "cu_main.h"
#include "progress.h"

static void test_size(void)
{
	char b[32];
	progress_size(0, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "0 B");
	progress_size(1023, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "1023 B");
	progress_size(1536, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "1.5 KiB");
	progress_size(1073741824, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "1.0 GiB");
}

static void test_line(void)
{
	char b[128];
	progress_line(b, sizeof(b), "big.iso", 412u << 20, 1 << 30, 100.0 * (1 << 20));
	CU_ASSERT_STRING_EQUAL(b, "big.iso  412.0 MiB / 1.0 GiB  40%  100.0 MiB/s  ETA 0:06");
	/* Unknown total: no percentage, no ETA. */
	progress_line(b, sizeof(b), "x", 2048, -1, 1024);
	CU_ASSERT_STRING_EQUAL(b, "x  2.0 KiB  1.0 KiB/s");
	/* No rate yet. */
	progress_line(b, sizeof(b), "x", 0, 0, 0);
	CU_ASSERT_STRING_EQUAL(b, "x  0 B / 0 B  100%");
	/* Hours. */
	progress_line(b, sizeof(b), "x", 0, 7200, 1);
	CU_ASSERT_STRING_EQUAL(b, "x  0 B / 7.0 KiB  0%  1 B/s  ETA 2:00:00");
	/* Bounded. */
	char s[8];
	progress_line(s, sizeof(s), "a-very-long-name", 1, 2, 0);
	CU_ASSERT_EQUAL(strlen(s), 7);
}

static void test_summary(void)
{
	char b[64];
	progress_summary(b, sizeof(b), 1u << 30, 2100);
	CU_ASSERT_STRING_EQUAL(b, "1.0 GiB in 2.1 s (487.6 MiB/s)");
	progress_summary(b, sizeof(b), 10, 0);
	CU_ASSERT_STRING_EQUAL(b, "10 B in 0.0 s");
}

static void test_meter(void)
{
	struct progress_meter m;
	progress_start(&m, 1000, 100);
	progress_sample(&m, 1050, 5000);   /* too soon: ignored */
	CU_ASSERT_EQUAL(m.rate, 0);
	progress_sample(&m, 2000, 1100);   /* 1000 B in 1 s */
	CU_ASSERT_DOUBLE_EQUAL(m.rate, 1000.0, 0.01);
	progress_sample(&m, 3000, 3100);   /* 2000 B/s: smoothed */
	CU_ASSERT_DOUBLE_EQUAL(m.rate, 1300.0, 0.01);
	progress_sample(&m, 3500, 200);    /* the next file: counted from 200 */
	CU_ASSERT_DOUBLE_EQUAL(m.rate, 1300.0, 0.01);
	progress_sample(&m, 4500, 1500);   /* 1300 B in 1 s */
	CU_ASSERT_DOUBLE_EQUAL(m.rate, 1300.0, 0.01);
	/* Nothing more comes: the average fades, and is 0 once nothing
	 * came for PROGRESS_STALLED_MS. */
	progress_sample(&m, 5500, 1500);
	CU_ASSERT_DOUBLE_EQUAL(m.rate, 910.0, 0.01);
	progress_sample(&m, 4500 + PROGRESS_STALLED_MS - 100, 1500);
	CU_ASSERT(m.rate > 0);
	progress_sample(&m, 4500 + PROGRESS_STALLED_MS, 1500);
	CU_ASSERT_EQUAL(m.rate, 0);
	progress_sample(&m, 7000, 1750);   /* moving again: 250 B in 0.5 s */
	CU_ASSERT_DOUBLE_EQUAL(m.rate, 500.0, 0.01);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("progress", NULL, NULL);
	CU_add_test(s, "sizes", test_size);
	CU_add_test(s, "progress line", test_line);
	CU_add_test(s, "summary", test_summary);
	CU_add_test(s, "rate", test_meter);
}
