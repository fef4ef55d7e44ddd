#include "config.h"

#include "http/router.h"

#include "tap/async.h"
#include "tap/availability.h"
#include "tap/examples.h"
#include "tap/sync.h"
#include "tap/vosi_capabilities.h"
#include "tap/vosi_tables.h"

#include <string.h>

typedef struct route {
	const char *path;      /* exact path below base_path; a final star after '/' matches children */
	unsigned methods;      /* http_method bits allowed */
	const char *allow;     /* the Allow header for 405 answers */
	http_handler *handler;
} route;

static const route routes[] = {
	/* TAP 1.1 §3, UWS 1.1 §2.2: the job list, and each job with its children. */
	{ "/async", HTTP_GET | HTTP_HEAD | HTTP_POST, "Allow: GET, HEAD, POST", tap_async_list },
	{ "/async/*", HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_DELETE, "Allow: GET, HEAD, POST, DELETE", tap_async_job },
	/* VOSI 1.1 §3.3: availability is read with GET. */
	{ "/availability", HTTP_GET | HTTP_HEAD, "Allow: GET, HEAD", tap_availability },
	/* TAP 1.1 §2.3: queries by GET or POST. */
	{ "/sync", HTTP_GET | HTTP_POST, "Allow: GET, POST", tap_sync },
	/* VOSI 1.1 §3.2, §3.4 and DALI 1.1 §2.3: metadata documents, read-only. */
	{ "/capabilities", HTTP_GET | HTTP_HEAD, "Allow: GET, HEAD", tap_capabilities },
	{ "/tables", HTTP_GET | HTTP_HEAD, "Allow: GET, HEAD", tap_tables },
	{ "/tables/*", HTTP_GET | HTTP_HEAD, "Allow: GET, HEAD", tap_tables },
	{ "/examples", HTTP_GET | HTTP_HEAD, "Allow: GET, HEAD", tap_examples },
};

/* Whether path is the route's path or, when the route ends in a star after '/', a child of it: /x/NAME
 * with a non-empty NAME (VOSI 1.1 §3.4 /tables/NAME). */
static int route_matches(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);
	if (n >= 2 && pattern[n - 2] == '/' && pattern[n - 1] == '*')
		return strncmp(pattern, path, n - 1) == 0 && path[n - 1] != '\0';
	return strcmp(pattern, path) == 0;
}

int router_dispatch(tr_request_ctx *ctx)
{
	http_request *req = ctx->req;
	if (req->method == HTTP_HEAD)
		ctx->resp->head_only = 1;
	if (req->path != NULL) {
		for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
			if (!route_matches(routes[i].path, req->path))
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
