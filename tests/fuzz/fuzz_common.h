/* fuzz_common.h - helpers shared by the fuzz targets (header-only). */
#ifndef FERRY_FUZZ_COMMON_H
#define FERRY_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A property that must hold for every input; a failure is a finding
 * (libFuzzer reports the abort and saves the input). */
#define FZ_CHECK(cond)                                                       \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			        __LINE__, #cond);                            \
			abort();                                             \
		}                                                            \
	} while (0)

/* Exact-size heap copy (no terminator): a parser that reads past its
 * length is an ASan report.  Never NULL. */
static inline char *fz_copy(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

/* NUL-terminated copy for parsers that take C strings (bytes after an
 * embedded NUL are simply not seen). */
static inline char *fz_cstr(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	p[size] = '\0';
	return p;
}

#endif
