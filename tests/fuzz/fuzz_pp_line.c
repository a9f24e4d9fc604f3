/* fuzz_pp_line.c - the pure helpers of the line layer: pp_ftp_line_code()
 * and pp_nntp_unstuff(), over the whole input as one line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "pp.h"


static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copies: any read past the line is an ASan report. */
	char *line = fz_copy(data, size);
	bool cont = true;
	int code;

	code = pp_ftp_line_code(line, size, &cont);
	if (code < 0) {
		FZ_CHECK(code == -1 && !cont);
	} else {
		FZ_CHECK(code >= 100 && code <= 599);
		FZ_CHECK(size >= 3 && digit(line[0]) && digit(line[1]) && digit(line[2]));
		FZ_CHECK(code == (line[0] - '0') * 100 + (line[1] - '0') * 10 + line[2] - '0');
		FZ_CHECK(size == 3 || line[3] == ' ' || line[3] == '-');
		FZ_CHECK(cont == (size > 3 && line[3] == '-'));
	}
	free(line);

	/* pp_nntp_unstuff() writes a NUL at the new end: it needs one
	 * spare byte, as pp's scratch line has. */
	line = fz_cstr(data, size);
	size_t len = size;
	int end = pp_nntp_unstuff(line, &len);
	if (end == 1) {
		FZ_CHECK(size == 1 && data[0] == '.');
	} else {
		FZ_CHECK(end == 0);
		if (size >= 2 && data[0] == '.' && data[1] == '.') {
			FZ_CHECK(len == size - 1);
			FZ_CHECK(memcmp(line, data + 1, len) == 0 && line[len] == '\0');
		} else {
			FZ_CHECK(len == size && memcmp(line, data, size) == 0);
		}
	}
	free(line);
	return 0;
}
