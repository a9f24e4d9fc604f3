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

static struct dynlib lib = DYNLIB_INIT(FERRY_READLINE_SONAME);

static bool rllib_fill(struct dynlib *d)
{
#define RLLIB_LOAD_FN(f) DYNLIB_SET(d, rllib.f_##f, #f);
	RLLIB_FUNCTIONS(RLLIB_LOAD_FN)
#undef RLLIB_LOAD_FN
#define RLLIB_LOAD_VAR(v) DYNLIB_SET(d, rllib.v_##v, #v);
	RLLIB_VARIABLES(RLLIB_LOAD_VAR)
#undef RLLIB_LOAD_VAR
	return true; /* a missing name is in d->err */
}

bool rllib_load(void)
{
	return dynlib_load(&lib, rllib_fill);
}

const char *rllib_error(void)
{
	return dynlib_error(&lib);
}
