/* handler: what the worker hands to each endpoint, and the signature endpoints implement.
 *
 * A handler writes its whole answer (success or error) to ctx->resp and returns TR_OK; a negative
 * return means the response could not be written (the client went away), for the access log. */
#ifndef TR_HTTP_HANDLER_H
#define TR_HTTP_HANDLER_H

#include "db/conn.h"
#include "http/request.h"
#include "http/response.h"
#include "tap/catalog_cache.h"
#include "util/arena.h"
#include "util/config.h"
#include "util/io.h"

#include <time.h>

typedef struct tr_request_ctx {
	const tr_config *cfg;    /* the configuration this worker was started with */
	db_conn *db;             /* the worker's persistent connection (may be closed) */
	db_conn *uws;            /* the worker's UWS job-state connection, opened on first use */
	catalog_cache *catalogs; /* the worker's TAP_SCHEMA copy */
	arena *a;                /* the request's arena, reset after the response */
	http_request *req;
	http_response *resp;
	tr_source body;          /* the request body, read at most once */
	const char *request_id;  /* for logs and error documents */
} tr_request_ctx;

typedef int http_handler(tr_request_ctx *ctx);

#endif
