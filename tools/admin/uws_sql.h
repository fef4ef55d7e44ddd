/* uws_sql: sql/uws.sql (the async job tables) compiled into taproom-admin (the build generates
 * uws_sql.c from it), so that init needs no data directory at run time. */
#ifndef TR_TOOLS_ADMIN_UWS_SQL_H
#define TR_TOOLS_ADMIN_UWS_SQL_H

#include <stddef.h>

extern const char admin_uws_sql[];
extern const size_t admin_uws_sql_len;

#endif
