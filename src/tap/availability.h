/* availability: the VOSI 1.1 §3.3 availability resource.  `available` is true only when the
 * database answers; otherwise a note says why, and the details go to the log. */
#ifndef TR_TAP_AVAILABILITY_H
#define TR_TAP_AVAILABILITY_H

#include "http/handler.h"

int tap_availability(tr_request_ctx *ctx);

#endif
