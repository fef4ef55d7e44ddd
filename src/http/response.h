/* response: status, headers and a buffered body over a tr_sink (FastCGI stream, file, memory).
 *
 * Headers go out with the first flush of the body, so a handler can still change the status until
 * it has written HTTP_FLUSH_THRESHOLD bytes; http_response_started() tells whether that moment has
 * passed (an error after it must be reported inside the document, TAP 1.1 §2.9). */
#ifndef TR_HTTP_RESPONSE_H
#define TR_HTTP_RESPONSE_H

#include "util/io.h"
#include "util/strbuf.h"

#include <stddef.h>

/* Body bytes gathered before a write to the stream: large writes keep the FastCGI framing cost
 * and the syscall count per row negligible. */
#define HTTP_FLUSH_THRESHOLD ((size_t)64 * 1024)
#define HTTP_MAX_HEADERS 16

typedef struct http_response {
	tr_sink sink;
	strbuf buf;                 /* pending body bytes */
	int status;                 /* HTTP status, 200 unless set */
	const char *content_type;   /* static or arena string */
	const char *headers[HTTP_MAX_HEADERS]; /* extra "Name: value" lines */
	int n_headers;
	int head_only;              /* HEAD request: headers only */
	int started;                /* headers sent */
	int failed;                 /* the sink failed: the client is gone */
	int is_aborted;             /* end the transfer abnormally: the body is known to be incomplete */
	size_t body_bytes;          /* body bytes accepted so far (for the access log) */
} http_response;

void http_response_init(http_response *r, tr_sink sink);
void http_response_free(http_response *r);

void http_set_status(http_response *r, int status);
void http_set_content_type(http_response *r, const char *type);
/* line is "Name: value", kept by pointer (static or arena); returns -1 when full or started. */
int http_add_header(http_response *r, const char *line);

/* Buffers body bytes, flushing past HTTP_FLUSH_THRESHOLD.  Returns 0, or -1 once the sink failed. */
int http_write(http_response *r, const void *p, size_t n);
int http_puts(http_response *r, const char *s);
int http_printf(http_response *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends headers (if not yet) and all buffered bytes. */
int http_flush(http_response *r);

static inline int http_response_started(const http_response *r) { return r->started; }

/* A complete short text/plain answer: status, message and a newline (404, 405 ...). */
int http_send_text(http_response *r, int status, const char *msg);

/* The reason phrase of a status code ("Not Found"). */
const char *http_reason(int status);

#endif
