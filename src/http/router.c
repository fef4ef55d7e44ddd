#include "config.h"

#include "http/router.h"

#include "tap/availability.h"
#include "tap/sync.h"

#include <string.h>

typedef struct route {
	const char *path;      /* exact path below base_path */
	unsigned methods;      /* http_method bits allowed */
	const char *allow;     /* the Allow header for 405 answers */
	http_handler *handler;
} route;

static const route routes[] = {
	/* VOSI 1.1 §3.3: availability is read with GET. */
	{ "/availability", HTTP_GET | HTTP_HEAD, "Allow: GET, HEAD", tap_availability },
	/* TAP 1.1 §2.3: queries by GET or POST. */
	{ "/sync", HTTP_GET | HTTP_POST, "Allow: GET, POST", tap_sync },
};

int router_dispatch(tr_request_ctx *ctx)
{
	http_request *req = ctx->req;
	if (req->method == HTTP_HEAD)
		ctx->resp->head_only = 1;
	if (req->path != NULL) {
		for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
			if (strcmp(routes[i].path, req->path) != 0)
				continue;
			if (!(routes[i].methods & (unsigned)req->method)) {
				(void)http_add_header(ctx->resp, routes[i].allow);
				return http_send_text(ctx->resp, 405, "method not allowed");
			}
			return routes[i].handler(ctx);
		}
	}
	return http_send_text(ctx->resp, 404, "not found");
}
