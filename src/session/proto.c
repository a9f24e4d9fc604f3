/* proto.c - the registry of protocols, filled by the composition root. */
#include "proto.h"

#include <stdlib.h>
#include <string.h>

#define PROTO_MAX 8

static const struct proto_desc *registry[PROTO_MAX];
static size_t nregistered;

void proto_register(const struct proto_desc *p)
{
	for (size_t i = 0; i < nregistered; i++)
		if (registry[i] == p)
			return;
	if (nregistered == PROTO_MAX)
		abort(); /* a build with more protocols raises PROTO_MAX */
	registry[nregistered++] = p;
}

const struct proto_desc *proto_nth(size_t i)
{
	return i < nregistered ? registry[i] : NULL;
}

const struct proto_desc *proto_by_scheme(const char *scheme,
                                         const struct proto_scheme **sch)
{
	const struct proto_desc *p;

	for (size_t i = 0; (p = proto_nth(i)); i++) {
		for (const struct proto_scheme *s = p->schemes; s->scheme; s++) {
			if (strcmp(s->scheme, scheme) == 0) {
				if (sch)
					*sch = s;
				return p;
			}
		}
	}
	return NULL;
}
