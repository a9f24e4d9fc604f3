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

static enum { NOT_TRIED, LOADED, FAILED } tlslib_state;
static char tlslib_err[256];

static bool tlslib_open(void)
{
	void *h = dynlib_open(FERRY_GNUTLS_SONAME, tlslib_err, sizeof(tlslib_err));

	if (!h)
		return false;
	/* dlsym() returns an object pointer; POSIX guarantees the
	 * conversion to a function pointer works. */
#define TLSLIB_SYM(name) \
	dynlib_sym(h, FERRY_GNUTLS_SONAME, name, tlslib_err, sizeof(tlslib_err))
#define TLSLIB_LOAD(f) *(void **)&gnutls.f = TLSLIB_SYM("gnutls_" #f);
	TLSLIB_FUNCTIONS(TLSLIB_LOAD)
#undef TLSLIB_LOAD
	gnutls_alloc_function *m = TLSLIB_SYM("gnutls_malloc");
	gnutls_free_function *f = TLSLIB_SYM("gnutls_free");
#undef TLSLIB_SYM

	if (tlslib_err[0])
		return false;
	gnutls.malloc = *m;
	gnutls.free = *f;
	/* The oldest the build accepts (CMakeLists.txt). */
	if (!gnutls.check_version("3.6.0")) {
		snprintf(tlslib_err, sizeof(tlslib_err),
		         "%s is older than GnuTLS 3.6.0", FERRY_GNUTLS_SONAME);
		return false;
	}
	return true;
}

bool tlslib_load(void)
{
	if (tlslib_state == NOT_TRIED)
		tlslib_state = tlslib_open() ? LOADED : FAILED;
	return tlslib_state == LOADED;
}

const char *tlslib_error(void)
{
	return tlslib_err[0] ? tlslib_err : "GnuTLS is not loaded";
}
