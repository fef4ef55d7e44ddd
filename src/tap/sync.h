/* sync: the TAP 1.1 §2.3 /sync endpoint: run one query and stream its result in the response. */
#ifndef TR_TAP_SYNC_H
#define TR_TAP_SYNC_H

#include "http/handler.h"
#include "tap/upload.h"

int tap_sync(tr_request_ctx *ctx);

/* Reads a POST body (urlencoded or multipart/form-data) into the request's parameters, for /sync and
 * /async alike (DALI 1.1 §3: GET and POST are equivalent); other methods: nothing to read.  The
 * file parts of a multipart body are spooled for TAP_UPLOAD (tap/upload.h), so the body may be
 * larger by upload.max_bytes; with spool NULL they are refused. */
int tap_read_body_spool(tr_request_ctx *ctx, tap_upload_spool *spool, tr_err *err);

#endif
