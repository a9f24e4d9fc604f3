/* tlslib.c - GnuTLS loaded with dlopen() on first use (see tlslib.h). */
#include <stdio.h>

#include "dynlib.h"
#include "tlslib.h"

/* The library's file name (its SONAME), found by CMake at configure time
 * from the library the headers belong to. */
#ifndef FERRY_GNUTLS_SONAME
#define FERRY_GNUTLS_SONAME "libgnutls.so.30"
#endif

struct tlslib gnutls;

static struct dynlib lib = DYNLIB_INIT(FERRY_GNUTLS_SONAME);

static bool tlslib_fill(struct dynlib *d)
{
#define TLSLIB_LOAD(f) DYNLIB_SET(d, gnutls.f, "gnutls_" #f);
	TLSLIB_FUNCTIONS(TLSLIB_LOAD)
#undef TLSLIB_LOAD
	gnutls_alloc_function *m = dynlib_sym(d, "gnutls_malloc");
	gnutls_free_function *f = dynlib_sym(d, "gnutls_free");

	if (d->err[0])
		return false;
	gnutls.malloc = *m;
	gnutls.free = *f;
	/* The oldest the build accepts (CMakeLists.txt). */
	if (!gnutls.check_version("3.6.0")) {
		snprintf(d->err, sizeof(d->err), "%s is older than GnuTLS 3.6.0", d->soname);
		return false;
	}
	return true;
}

bool tlslib_load(void)
{
	return dynlib_load(&lib, tlslib_fill);
}

const char *tlslib_error(void)
{
	return dynlib_error(&lib);
}
