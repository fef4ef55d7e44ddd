/* vosi_tables: the VOSI 1.1 §3.4 tables resource: TAP_SCHEMA (the catalog model) written as a
 * VODataService 1.2 tableset at /tables, and one table at each child resource /tables/NAME.
 *
 * The writers are pure (catalog in, XML text out) so tests can check them without a database;
 * tap_tables() is the HTTP glue.  Nothing here queries the database or changes the catalog. */
#ifndef TR_TAP_VOSI_TABLES_H
#define TR_TAP_VOSI_TABLES_H

#include "http/handler.h"
#include "tap/catalog.h"
#include "util/err.h"
#include "util/io.h"
#include "util/strbuf.h"

/* VOSI 1.1 §3.4: "detail=min" lists schemas and tables (names, descriptions, utypes) only;
 * "detail=max", the default here, adds every column and foreign key. */
typedef enum vosi_detail {
	VOSI_DETAIL_MAX = 0,
	VOSI_DETAIL_MIN = 1,
} vosi_detail;

/* Parses a detail parameter value ("min" or "max", ASCII case-insensitively); NULL means the
 * default, VOSI_DETAIL_MAX.  TR_EBADREQ for anything else. */
int vosi_detail_parse(const char *value, vosi_detail *out_detail, tr_err *err) __attribute__((warn_unused_result));

/* Appends the whole vosi:tableset document (XML declaration included) for the finished catalog c.
 * With sink != NULL, sb is written to it and emptied after every table, so a large catalog streams
 * in pieces of about one table; with NULL everything stays in sb.  Errors: TR_ENOMEM (sb failed),
 * TR_EIO (the sink failed).  Schemas, tables and columns come in the catalog's iteration order. */
int vosi_tables_write_tableset(const catalog *c, vosi_detail detail, strbuf *sb, const tr_sink *sink, tr_err *err)
	__attribute__((warn_unused_result));

/* Appends the vosi:table document (VOSITables 1.1 root element "table") for one table, in full
 * detail.  TR_ENOMEM when sb failed. */
int vosi_tables_write_table(const catalog_table *t, strbuf *sb, tr_err *err) __attribute__((warn_unused_result));

/* GET /tables (parameter DETAIL) and GET /tables/NAME, NAME being a table_name exactly as published
 * in TAP_SCHEMA (e.g. /tables/demo.sources).  Answers 404 for an unknown table, 400 for a bad
 * DETAIL, 503 when TAP_SCHEMA cannot be read. */
int tap_tables(tr_request_ctx *ctx);

#endif
