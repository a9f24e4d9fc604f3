/* rllib.c - GNU Readline loaded with dlopen() (see rllib.h). */
#define RLLIB_NO_NAMES
#include "rllib.h"

#include "dynlib.h"

/* The library's file name (its SONAME), found by CMake at configure time
 * from the library the headers belong to. */
#ifndef FERRY_READLINE_SONAME
#define FERRY_READLINE_SONAME "libreadline.so.8"
#endif

struct rllib rllib;

static enum { NOT_TRIED, LOADED, FAILED } rllib_state;
static char rllib_err[256];

static bool rllib_open(void)
{
	void *h = dynlib_open(FERRY_READLINE_SONAME, rllib_err, sizeof(rllib_err));

	if (!h)
		return false;
	/* dlsym() returns an object pointer; POSIX guarantees the
	 * conversion to a function pointer works. */
#define RLLIB_SYM(name) \
	dynlib_sym(h, FERRY_READLINE_SONAME, name, rllib_err, sizeof(rllib_err))
#define RLLIB_LOAD_FN(f) *(void **)&rllib.f_##f = RLLIB_SYM(#f);
	RLLIB_FUNCTIONS(RLLIB_LOAD_FN)
#undef RLLIB_LOAD_FN
#define RLLIB_LOAD_VAR(v) *(void **)&rllib.v_##v = RLLIB_SYM(#v);
	RLLIB_VARIABLES(RLLIB_LOAD_VAR)
#undef RLLIB_LOAD_VAR
#undef RLLIB_SYM
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
