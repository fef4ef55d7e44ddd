/* catalog_dump: a catalog as text, one line per object with every field, for the catalog tests.
 * Two catalogs are equal when their dumps are; NULL fields are left out. */
#ifndef TR_TESTS_CATALOG_DUMP_H
#define TR_TESTS_CATALOG_DUMP_H

#include "tap/catalog.h"
#include "util/strbuf.h"

/* Appends one schema with its tables, columns and keys in iteration order. */
void catalog_dump_schema(const catalog_schema *s, strbuf *sb);
/* Appends every schema in iteration order. */
void catalog_dump(const catalog *c, strbuf *sb);

#endif
