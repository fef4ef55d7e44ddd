/* tap_schema_sql: sql/tap_schema.sql compiled into taproom-admin (the build generates
 * tap_schema_sql.c from it), so the program needs no data directory at run time. */
#ifndef TR_TOOLS_ADMIN_TAP_SCHEMA_SQL_H
#define TR_TOOLS_ADMIN_TAP_SCHEMA_SQL_H

#include <stddef.h>

extern const char admin_tap_schema_sql[];
extern const size_t admin_tap_schema_sql_len;

#endif
