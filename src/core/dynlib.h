/* dynlib.h - the dlopen() and dlsym() steps of a library loaded the first
 * time it is needed instead of linked: GnuTLS (net/tlslib.h says why),
 * Readline (shell/rllib.h), zlib (net/zio.c).  Each keeps its own table of
 * functions, typed from the library's headers, and fills it with these.
 */
#ifndef FERRY_DYNLIB_H
#define FERRY_DYNLIB_H

#include <stddef.h>

/* dlopen(soname) with RTLD_NOW | RTLD_LOCAL: the handle, or NULL with err
 * set to the loader's reason. */
void *dynlib_open(const char *soname, char *err, size_t errlen);
/* dlsym(): the address, or NULL; then, unless err already says something,
 * err names the symbol, so a table filled name after name reports its
 * first gap. */
void *dynlib_sym(void *h, const char *soname, const char *name, char *err, size_t errlen);

#endif
