/* dynlib.h - a library loaded the first time it is needed instead of
 * linked: GnuTLS (net/tlslib.h says why), Readline (shell/rllib.h), zlib
 * (net/zio.c).  Each keeps its own table of functions, typed from the
 * library's headers, and a fill function that looks them up; dynlib
 * opens the library once, remembers the outcome and says why it failed.
 */
#ifndef FERRY_DYNLIB_H
#define FERRY_DYNLIB_H

#include <stdbool.h>

struct dynlib {
	const char *soname;  /* the file name to load (set by the owner) */
	void *handle;
	int state;           /* 0 not tried, 1 loaded, -1 failed */
	char err[256];
};

#define DYNLIB_INIT(name) { .soname = (name) }

/* Load once, with RTLD_NOW | RTLD_LOCAL, then fill(d) (which looks the
 * names up with dynlib_sym() and may check more, writing d->err); later
 * calls return the first outcome.  false with dynlib_error() saying why. */
bool dynlib_load(struct dynlib *d, bool (*fill)(struct dynlib *d));
/* dlsym(): the address, or NULL; then, unless d->err already says
 * something, it names the symbol (so a table filled name after name
 * reports its first gap, and fill can check d->err once at the end). */
void *dynlib_sym(struct dynlib *d, const char *name);
/* dynlib_sym() into the pointer ptr, function or variable: dlsym()
 * returns an object pointer, and POSIX guarantees its conversion to a
 * function pointer works. */
#define DYNLIB_SET(d, ptr, name) (*(void **)&(ptr) = dynlib_sym((d), (name)))
const char *dynlib_error(const struct dynlib *d);

#endif
