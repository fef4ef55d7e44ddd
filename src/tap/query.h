/* query: the one path a TAP query takes, for /sync and for async jobs alike:
 *   ADQL text -> parse -> resolve (TAP_SCHEMA) -> translate -> database cursor -> result writer.
 *
 * The caller supplies where the document goes (a sink) and is told, through `start`, the moment
 * before the first byte: until then an error is still a clean error document with its own HTTP
 * status; after it, an error ends the document in place (TAP 1.1 §2.9). */
#ifndef TR_TAP_QUERY_H
#define TR_TAP_QUERY_H

#include "db/conn.h"
#include "tap/catalog.h"
#include "tap/params.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/io.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct tap_query_env {
	db_conn *db;               /* the worker's connection */
	const catalog *cat;        /* TAP_SCHEMA as loaded */
	const catalog *uploads;    /* the request's TAP_UPLOAD tables (tap/upload.h), NULL when none */
	arena *a;                  /* the request's (or job's) arena */
	int timeout_s;             /* database time limit for the statement, seconds */
	const char *request_id;    /* for the document's INFO and the log */
	const char *server;        /* "taproom X.Y" for the document's INFO */
} tap_query_env;

typedef struct tap_query_output {
	/* Called once, just before the first byte, with the Content-Type of what follows.  A
	 * negative return stops the query (the client is gone). */
	int (*start)(void *ctx, const char *content_type);
	void *ctx;
	tr_sink sink;
} tap_query_output;

typedef struct tap_query_stats {
	uint64_t rows;             /* data rows written */
	bool is_overflow;          /* more rows existed than MAXREC allowed */
	bool is_started;           /* output began (start was called) */
	bool is_truncated;         /* an error ended the output after it began */
	const char *sql;           /* the SQL that ran (arena), NULL if none */
} tap_query_stats;

/* Runs p's query and writes the result document to out.  Returns TR_OK when a complete result was
 * written.  On failure returns the error code with err set; stats->is_started tells whether the
 * caller must still write an error document (not started) or the document already ended with the
 * error in it (started; for CSV/TSV, which cannot say so, is_truncated is set and the caller should
 * abort the transfer). */
int tap_query_run(const tap_query_env *env, const tap_params *p, const tap_query_output *out,
                  tap_query_stats *stats, tr_err *err);

/* The message of an error as the error document states it: with line and column for a query error
 * (adql_format_error) and the detail in parentheses.  In a; e->msg when out of memory.  For the
 * error an async job records (uws/executor). */
const char *tap_query_error_text(arena *a, const tap_params *p, const tr_err *e);

/* A complete error document for an error before any output, with its Content-Type (DALI 1.1 §4.4.2:
 * VOTable whatever the requested format).  The message carries line and column for query errors. */
int tap_query_write_error(const tap_query_env *env, const tap_params *p, const tr_err *e,
                          const tap_query_output *out);

#endif
