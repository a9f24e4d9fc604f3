/* proto.c - the registry of protocols.  Adding one is one line here. */
#include "proto.h"

#include <string.h>

#include "ftp.h"
#include "nntp.h"

const struct proto_desc *const proto_registry[] = {
	&ftp_proto,
	&nntp_proto,
	NULL,
};

const struct proto_desc *proto_by_scheme(const char *scheme,
                                         const struct proto_scheme **sch)
{
	for (size_t i = 0; proto_registry[i]; i++) {
		const struct proto_desc *p = proto_registry[i];
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
