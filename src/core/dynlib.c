/* dynlib.c - dlopen() and dlsym() with messages (see dynlib.h). */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

void *dynlib_open(const char *soname, char *err, size_t errlen)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *e = dlerror();
		if (e)
			snprintf(err, errlen, "%s", e);
		else
			snprintf(err, errlen, "cannot load %s", soname);
	}
	return h;
}

void *dynlib_sym(void *h, const char *soname, const char *name, char *err, size_t errlen)
{
	void *p = dlsym(h, name);

	if (!p && !err[0])
		snprintf(err, errlen, "%s has no %s", soname, name);
	return p;
}
