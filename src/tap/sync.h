/* sync: the TAP 1.1 §2.3 /sync endpoint: run one query and stream its result in the response. */
#ifndef TR_TAP_SYNC_H
#define TR_TAP_SYNC_H

#include "http/handler.h"

int tap_sync(tr_request_ctx *ctx);

/* Reads a POST body (urlencoded or multipart/form-data) into the request's parameters, for /sync and
 * /async alike (DALI 1.1 §3: GET and POST are equivalent).  Other methods: nothing to read. */
int tap_read_body(tr_request_ctx *ctx, tr_err *err);

#endif
