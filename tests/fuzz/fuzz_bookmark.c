/* fuzz_bookmark.c - bookmarks_parse() over a hostile bookmarks file (it is
 * read at every `open NAME` and Tab), and alias expansion over any line.
 *
 * Input: the file text (an exact-size copy, not NUL-terminated).
 * Properties: one entry per line, every line kept (a bookmark's fields
 * come from its own line, a name always passes bookmark_name_ok, a URL has
 * no blank); the first name found is the one bookmarks_get returns;
 * expanding the first word of each line with every bookmark as an alias
 * (its URL as the text, itself included) always ends.
 */
#include <stdbool.h>
#include <string.h>

#include "alias.h"
#include "bookmark.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_copy(data, size);
	struct bookmarks b;
	size_t lines = 0;

	bookmarks_parse(&b, text, size, "fuzz", NULL, NULL);
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	if (size && text[size - 1] != '\n')
		lines++;
	FZ_CHECK(b.n == lines);
	struct aliases *a = aliases_new();
	for (size_t i = 0; i < b.n; i++) {
		FZ_CHECK(b.v[i].raw != NULL);
		if (!b.v[i].name)
			continue;
		FZ_CHECK(bookmark_name_ok(b.v[i].name));
		FZ_CHECK(*b.v[i].url && !strpbrk(b.v[i].url, " \t"));
		FZ_CHECK(strstr(b.v[i].raw, b.v[i].name) && strstr(b.v[i].raw, b.v[i].url));
		/* Of two lines with one name, the first counts. */
		size_t j = 0;
		while (j < i && !(b.v[j].name && strcmp(b.v[j].name, b.v[i].name) == 0))
			j++;
		FZ_CHECK(bookmarks_get(&b, b.v[i].name) == b.v[j].url);
		if (alias_name_ok(b.v[i].name) && !strpbrk(b.v[i].url, "\r\n"))
			alias_set(a, b.v[i].name, b.v[i].url);
	}
	for (size_t i = 0; i < b.n; i++) {
		char *line = strdup(b.v[i].raw), *x;
		size_t pos = strspn(line, " \t");
		int n = 0;
		while ((x = alias_expand(a, line, pos))) {
			free(line);
			line = x;
			pos += strspn(line + pos, " \t");
			FZ_CHECK(++n <= (int)b.n + 1);
		}
		free(line);
		alias_text_reset(a);
	}
	aliases_free(a);
	bookmarks_clear(&b);
	free(text);
	return 0;
}
