/* sync: the TAP 1.1 §2.3 /sync endpoint: run one query and stream its result in the response. */
#ifndef TR_TAP_SYNC_H
#define TR_TAP_SYNC_H

#include "http/handler.h"

int tap_sync(tr_request_ctx *ctx);

#endif
