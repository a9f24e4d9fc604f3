/* tlslib.c - GnuTLS loaded with dlopen() on first use (see tlslib.h). */
#include <dlfcn.h>
#include <stdio.h>

#include "tlslib.h"

/* The library's file name (its SONAME), found by CMake at configure time
 * from the library the headers belong to. */
#ifndef FERRY_GNUTLS_SONAME
#define FERRY_GNUTLS_SONAME "libgnutls.so.30"
#endif

struct tlslib gnutls;

static enum { NOT_TRIED, LOADED, FAILED } tlslib_state;
static char tlslib_err[256];

static void *tlslib_sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (!p && !tlslib_err[0])
		snprintf(tlslib_err, sizeof(tlslib_err), "%s has no %s",
		         FERRY_GNUTLS_SONAME, name);
	return p;
}

static bool tlslib_open(void)
{
	void *h = dlopen(FERRY_GNUTLS_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (!h) {
		e = dlerror();
		snprintf(tlslib_err, sizeof(tlslib_err), "%s",
		         e ? e : "cannot load " FERRY_GNUTLS_SONAME);
		return false;
	}
	/* dlsym() returns an object pointer; POSIX guarantees the
	 * conversion to a function pointer works. */
#define TLSLIB_LOAD(f) *(void **)&gnutls.f = tlslib_sym(h, "gnutls_" #f);
	TLSLIB_FUNCTIONS(TLSLIB_LOAD)
#undef TLSLIB_LOAD
	gnutls_alloc_function *m = tlslib_sym(h, "gnutls_malloc");
	gnutls_free_function *f = tlslib_sym(h, "gnutls_free");

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
