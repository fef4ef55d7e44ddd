#include "config.h"

#include "http/response.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* 1 MiB ceiling on the pending buffer: it is flushed at 64 KiB, so only a single huge write gets
 * near it, and that is split below. */
#define HTTP_BUF_MAX ((size_t)1024 * 1024)

void http_response_init(http_response *r, tr_sink sink)
{
	memset(r, 0, sizeof *r);
	r->sink = sink;
	strbuf_init(&r->buf, HTTP_BUF_MAX);
	r->status = 200;
	r->content_type = "text/plain; charset=utf-8";
}

void http_response_free(http_response *r) { strbuf_free(&r->buf); }

void http_set_status(http_response *r, int status) { r->status = status; }
void http_set_content_type(http_response *r, const char *type) { r->content_type = type; }

int http_add_header(http_response *r, const char *line)
{
	if (r->started || r->n_headers >= HTTP_MAX_HEADERS)
		return -1;
	r->headers[r->n_headers++] = line;
	return 0;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

static int sink_write(http_response *r, const char *p, size_t n)
{
	if (r->failed)
		return -1;
	if (n && r->sink.write(r->sink.ctx, p, n) < 0) {
		r->failed = 1;
		return -1;
	}
	return 0;
}

static int send_headers(http_response *r)
{
	char head[4096];
	/* Server names the software, as TAP validators (taplint) ask; web servers pass it on. */
	int n = snprintf(head, sizeof head, "Status: %d %s\r\nContent-Type: %s\r\nServer: taproom/%s\r\n",
	                 r->status, http_reason(r->status), r->content_type, PACKAGE_VERSION);
	size_t len = n > 0 ? (size_t)n : 0;
	for (int i = 0; i < r->n_headers && len < sizeof head; i++) {
		n = snprintf(head + len, sizeof head - len, "%s\r\n", r->headers[i]);
		len += n > 0 ? (size_t)n : 0;
	}
	if (len > sizeof head - 3)
		len = sizeof head - 3;
	memcpy(head + len, "\r\n", 2);
	len += 2;
	r->started = 1;
	return sink_write(r, head, len);
}

int http_flush(http_response *r)
{
	if (!r->started && send_headers(r) < 0)
		return -1;
	int rc = r->head_only ? 0 : sink_write(r, strbuf_str(&r->buf), strbuf_len(&r->buf));
	strbuf_reset(&r->buf);
	return rc;
}

int http_write(http_response *r, const void *p, size_t n)
{
	if (r->failed)
		return -1;
	r->body_bytes += n;
	if (strbuf_len(&r->buf) + n < HTTP_FLUSH_THRESHOLD) {
		strbuf_add(&r->buf, p, n);
		return strbuf_failed(&r->buf) ? -1 : 0;
	}
	/* Big enough to send: flush what is pending, then write the new bytes straight through. */
	if (http_flush(r) < 0)
		return -1;
	return r->head_only ? 0 : sink_write(r, p, n);
}

int http_puts(http_response *r, const char *s) { return http_write(r, s, strlen(s)); }

int http_printf(http_response *r, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof small)
		return http_write(r, small, (size_t)n);
	strbuf tmp = STRBUF_INIT(HTTP_BUF_MAX);
	va_start(ap, fmt);
	strbuf_vprintf(&tmp, fmt, ap);
	va_end(ap);
	int rc = strbuf_failed(&tmp) ? -1 : http_write(r, strbuf_str(&tmp), strbuf_len(&tmp));
	strbuf_free(&tmp);
	return rc;
}

int http_send_text(http_response *r, int status, const char *msg)
{
	http_set_status(r, status);
	http_set_content_type(r, "text/plain; charset=utf-8");
	if (http_puts(r, msg) < 0 || http_puts(r, "\n") < 0)
		return -1;
	return http_flush(r);
}
