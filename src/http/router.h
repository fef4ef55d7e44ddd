/* router: maps a request path and method to its handler; answers 404 and 405 itself. */
#ifndef TR_HTTP_ROUTER_H
#define TR_HTTP_ROUTER_H

#include "http/handler.h"

/* Runs the handler for ctx->req and returns its status (or the 404/405 answer's). */
int router_dispatch(tr_request_ctx *ctx);

#endif
