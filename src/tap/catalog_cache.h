/* catalog_cache: a worker's copy of TAP_SCHEMA, loaded on first use and reloaded when TAP_SCHEMA
 * changes.  Whether it changed is asked of the database (catalog_db_fingerprint) at most once per
 * check interval, so steady traffic pays one cheap round trip per interval, not per request, and a
 * newly published table is visible after at most one interval. */
#ifndef TR_TAP_CATALOG_CACHE_H
#define TR_TAP_CATALOG_CACHE_H

#include "db/conn.h"
#include "tap/catalog.h"
#include "util/err.h"

typedef struct catalog_cache catalog_cache;

/* check_interval_s: seconds between fingerprint checks (0 = before every use). */
catalog_cache *catalog_cache_new(int check_interval_s);
void catalog_cache_free(catalog_cache *cc);

/* The current catalog.  The pointer stays valid until the next catalog_cache_get (a request uses
 * one catalog from start to end).  When a reload fails, the previous catalog is kept and the error
 * logged; with no catalog at all, NULL and the error (TR_EDB_UNAVAILABLE, TR_EDB). */
const catalog *catalog_cache_get(catalog_cache *cc, db_conn *db, tr_err *err);

#endif
