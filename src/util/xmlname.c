#include <config.h> /* autoconf */

#include "util/xmlname.h"

#include <string.h>

const char *xmlname_local(const char *qname)
{
	const char *sep = strrchr(qname, XMLNAME_NS_SEP);
	return sep ? sep + 1 : qname;
}

const char *xmlname_attr(const char **atts, const char *local)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(xmlname_local(atts[i]), local) == 0)
			return atts[i + 1];
	return NULL;
}
