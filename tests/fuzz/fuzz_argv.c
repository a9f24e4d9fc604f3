/* fuzz_argv.c - the word splitter: argv_next() over the whole input as
 * the shell and the rc file use it, argv_partial() at every cursor
 * position as completion uses it, and argv_quote() round trips.
 *
 * Properties: argv_next() always makes progress and stays inside the
 * input (the caller skips a broken command to the next line, as the rc
 * file reader does); every word it returns, quoted by argv_quote(), splits
 * back into exactly that one word; argv_partial() accepts every prefix
 * and reports a word index, quote and word start that make sense.
 */
#include <stdbool.h>
#include <string.h>

#include "argv.h"
#include "err.h"
#include "fuzz_common.h"

static void check_argv(const struct argv *a)
{
	FZ_CHECK(a->argc >= 0);
	if (a->argc == 0)
		return;
	FZ_CHECK(a->argv && a->quoted);
	for (int i = 0; i < a->argc; i++)
		FZ_CHECK(a->argv[i] != NULL);
	FZ_CHECK(a->argv[a->argc] == NULL);
}

static void check_quote(const char *word)
{
	char *q = argv_quote(word);
	const char *pos = q, *why = NULL;
	struct argv b = { 0 };

	FZ_CHECK(argv_next(&pos, &b, &why) == 1);
	FZ_CHECK(b.argc == 1 && strcmp(b.argv[0], word) == 0);
	/* Nothing but blanks may follow. */
	FZ_CHECK(argv_next(&pos, &b, &why) == 0);
	argv_clear(&b);
	free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_cstr(data, size);
	size_t n = strlen(s);
	const char *pos = s, *why;
	struct argv a = { 0 };
	int rc, guard = 0;

	/* The whole input, command after command. */
	for (;;) {
		const char *before = pos;

		rc = argv_next(&pos, &a, &why);
		FZ_CHECK(pos >= s && pos <= s + n);
		if (rc == 0) {
			FZ_CHECK(a.argc == 0);
			break;
		}
		if (rc < 0) {
			FZ_CHECK(rc == ERR_USAGE && why && *why);
			FZ_CHECK(a.argc == 0 && pos >= before);
			/* Skip the broken command's line. */
			pos = strchr(pos, '\n');
			if (!pos)
				break;
			pos++;
			continue;
		}
		FZ_CHECK(rc == 1 && a.argc >= 1);
		FZ_CHECK(pos > before);
		check_argv(&a);
		for (int i = 0; i < a.argc; i++)
			check_quote(a.argv[i]);
		FZ_CHECK(++guard <= (int)n + 1);
	}
	argv_clear(&a);

	/* Completion at every cursor position (about 128 of them on long
	 * inputs: the scan from the start makes this quadratic). */
	size_t step = n > 256 ? n / 128 : 1;
	for (size_t point = 0; point <= n; point += step) {
		int wi;
		char oq;
		size_t ws;

		rc = argv_partial(s, point, &a, &wi, &oq, &ws);
		FZ_CHECK(rc == 0);
		FZ_CHECK(a.argv != NULL);
		check_argv(&a);
		FZ_CHECK(wi >= 0 && wi <= a.argc);
		FZ_CHECK(oq == '\0' || oq == '\'' || oq == '"');
		FZ_CHECK(ws <= point);
		if (wi == a.argc)
			FZ_CHECK(ws == point && oq == '\0');
		else
			FZ_CHECK(wi == a.argc - 1);
		argv_clear(&a);
	}
	FZ_CHECK(argv_partial(s, n + 1, &a, &(int){ 0 }, &(char){ 0 },
	                      &(size_t){ 0 }) == ERR_USAGE);
	argv_clear(&a);
	free(s);
	return 0;
}
