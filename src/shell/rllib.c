/* rllib.c - GNU Readline loaded with dlopen() (see rllib.h). */
#define RLLIB_NO_NAMES
#include "rllib.h"

#include <dlfcn.h>

/* The library's file name (its SONAME), found by CMake at configure time
 * from the library the headers belong to. */
#ifndef FERRY_READLINE_SONAME
#define FERRY_READLINE_SONAME "libreadline.so.8"
#endif

struct rllib rllib;

static enum { NOT_TRIED, LOADED, FAILED } rllib_state;
static char rllib_err[256];

static void *rllib_sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (!p && !rllib_err[0])
		snprintf(rllib_err, sizeof(rllib_err), "%s has no %s",
		         FERRY_READLINE_SONAME, name);
	return p;
}

static bool rllib_open(void)
{
	void *h = dlopen(FERRY_READLINE_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (!h) {
		e = dlerror();
		snprintf(rllib_err, sizeof(rllib_err), "%s",
		         e ? e : "cannot load " FERRY_READLINE_SONAME);
		return false;
	}
	/* dlsym() returns an object pointer; POSIX guarantees the
	 * conversion to a function pointer works. */
#define RLLIB_LOAD_FN(f) *(void **)&rllib.f_##f = rllib_sym(h, #f);
	RLLIB_FUNCTIONS(RLLIB_LOAD_FN)
#undef RLLIB_LOAD_FN
#define RLLIB_LOAD_VAR(v) *(void **)&rllib.v_##v = rllib_sym(h, #v);
	RLLIB_VARIABLES(RLLIB_LOAD_VAR)
#undef RLLIB_LOAD_VAR
	return !rllib_err[0];
}

bool rllib_load(void)
{
	if (rllib_state == NOT_TRIED)
		rllib_state = rllib_open() ? LOADED : FAILED;
	return rllib_state == LOADED;
}

const char *rllib_error(void)
{
	return rllib_err[0] ? rllib_err : "Readline is not loaded";
}
