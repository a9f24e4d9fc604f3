/* dynlib.c - a library loaded with dlopen() when first needed (see
 * dynlib.h). */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

bool dynlib_load(struct dynlib *d, bool (*fill)(struct dynlib *d))
{
	if (d->state)
		return d->state > 0;
	d->state = -1;
	d->handle = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);
	if (!d->handle) {
		const char *e = dlerror();
		if (e)
			snprintf(d->err, sizeof(d->err), "%s", e);
		else
			snprintf(d->err, sizeof(d->err), "cannot load %s", d->soname);
		return false;
	}
	if (!fill(d) || d->err[0])
		return false;
	d->state = 1;
	return true;
}

void *dynlib_sym(struct dynlib *d, const char *name)
{
	void *p = dlsym(d->handle, name);

	if (!p && !d->err[0])
		snprintf(d->err, sizeof(d->err), "%s has no %s", d->soname, name);
	return p;
}

const char *dynlib_error(const struct dynlib *d)
{
	return d->err[0] ? d->err : "not loaded";
}
