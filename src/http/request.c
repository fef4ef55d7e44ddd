#include "config.h"

#include "http/request.h"

#include <string.h>
#include <strings.h>

const char *http_request_env(const http_request *r, const char *name)
{
	size_t n = strlen(name);
	for (char *const *e = r->envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long http_percent_decode(const char *in, size_t n, char *out, int plus_is_space)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			out[o++] = ' ';
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	return (long)o;
}

static int add_param(http_request *r, arena *a, const char *name, const char *value, size_t len,
                     tr_err *err)
{
	http_param *p = arena_alloc(a, sizeof *p);
	if (p == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading parameters");
	p->name = name;
	p->value = value;
	p->value_len = len;
	p->next = NULL;
	if (r->params_tail)
		r->params_tail->next = p;
	else
		r->params = p;
	r->params_tail = p;
	r->n_params++;
	return TR_OK;
}

int http_parse_urlencoded(http_request *r, arena *a, const char *text, size_t n, tr_err *err)
{
	size_t i = 0;
	while (i < n) {
		size_t end = i;
		while (end < n && text[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(text + i, '=', end - i);
			size_t nlen = eq ? (size_t)(eq - (text + i)) : end - i;
			const char *vstart = eq ? eq + 1 : text + end;
			size_t vlen = eq ? (size_t)(text + end - vstart) : 0;
			char *name = arena_alloc(a, nlen + 1);
			char *value = arena_alloc(a, vlen + 1);
			if (name == NULL || value == NULL)
				return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading parameters");
			long dn = http_percent_decode(text + i, nlen, name, 1);
			long dv = http_percent_decode(vstart, vlen, value, 1);
			if (dn < 0 || dv < 0)
				return tr_err_set(err, TR_EBADREQ, -1, 0, "malformed percent-encoding in parameter '%.*s'",
				                  (int)(nlen > 64 ? 64 : nlen), text + i);
			if ((size_t)dn != strlen(name))
				return tr_err_set(err, TR_EBADREQ, -1, 0, "parameter name contains a NUL byte");
			if (dn == 0)
				return tr_err_set(err, TR_EBADREQ, -1, 0, "parameter with an empty name");
			if (add_param(r, a, name, value, (size_t)dv, err) < 0)
				return err->code;
		}
		i = end + 1;
	}
	return TR_OK;
}

static http_method method_of(const char *m)
{
	static const struct {
		const char *name;
		http_method m;
	} methods[] = { { "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST }, { "DELETE", HTTP_DELETE } };
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].m;
	return HTTP_OTHER;
}

static const char *env_or(const http_request *r, const char *name, const char *def)
{
	const char *v = http_request_env(r, name);
	return v ? v : def;
}

int http_request_init(http_request *r, arena *a, char *const *envp, const char *base_path, tr_err *err)
{
	memset(r, 0, sizeof *r);
	r->envp = envp;
	r->method_name = env_or(r, "REQUEST_METHOD", "GET");
	r->method = method_of(r->method_name);
	r->content_type = env_or(r, "CONTENT_TYPE", "");
	r->remote_user = env_or(r, "REMOTE_USER", "");
	const char *https = env_or(r, "HTTPS", "");
	r->scheme = (strcasecmp(https, "on") == 0 || strcmp(https, "1") == 0) ? "https" : "http";
	const char *host = http_request_env(r, "HTTP_HOST");
	if (host == NULL) {
		const char *name = env_or(r, "SERVER_NAME", "localhost");
		/* The port is left out only when it is the scheme's default (RFC 9110 §4.2). */
		const char *def_port = strcmp(r->scheme, "https") == 0 ? "443" : "80";
		const char *port = env_or(r, "SERVER_PORT", def_port);
		host = strcmp(port, def_port) == 0 ? name : arena_printf(a, "%s:%s", name, port);
		if (host == NULL)
			return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	}
	r->host = host;
	const char *cl = http_request_env(r, "CONTENT_LENGTH");
	r->content_length = -1;
	if (cl && *cl) {
		long long v = 0;
		for (const char *p = cl; *p; p++) {
			if (*p < '0' || *p > '9' || v > (1LL << 50))
				return tr_err_set(err, TR_EBADREQ, -1, 0, "invalid Content-Length '%s'", cl);
			v = v * 10 + (*p - '0');
		}
		r->content_length = v;
	}

	/* REQUEST_URI is what the client sent, set the same way by nginx, lighttpd and Apache; the
	 * SCRIPT_NAME/PATH_INFO split differs between them, so the path comes from the URI. */
	const char *uri = http_request_env(r, "REQUEST_URI");
	if (uri == NULL)
		uri = env_or(r, "DOCUMENT_URI", "/");
	r->uri = uri;
	const char *q = strchr(uri, '?');
	size_t plen = q ? (size_t)(q - uri) : strlen(uri);
	char *path = arena_alloc(a, plen + 1);
	if (path == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	long dlen = http_percent_decode(uri, plen, path, 0);
	if (dlen < 0 || (size_t)dlen != strlen(path))
		return tr_err_set(err, TR_EBADREQ, -1, 0, "malformed request path");
	/* Collapse duplicate slashes: "//availability" is the same resource. */
	char *w = path;
	for (const char *p = path; *p; p++)
		if (!(*p == '/' && w > path && w[-1] == '/'))
			*w++ = *p;
	*w = '\0';
	size_t blen = strlen(base_path);
	if (strncmp(path, base_path, blen) == 0 && (path[blen] == '/' || path[blen] == '\0'))
		r->path = path[blen] ? path + blen : "/";
	else
		r->path = NULL;

	const char *qs = http_request_env(r, "QUERY_STRING");
	if (qs == NULL)
		qs = q ? q + 1 : "";
	size_t qlen = strlen(qs);
	if (qlen > HTTP_FORM_MAX)
		return tr_err_set(err, TR_ELIMIT, -1, 0, "query string longer than %zu bytes", HTTP_FORM_MAX);
	return http_parse_urlencoded(r, a, qs, qlen, err);
}

int http_request_read_form(http_request *r, arena *a, tr_source body, tr_err *err)
{
	/* The whole media type, optionally followed by parameters (RFC 9110 §8.3.1). */
	static const char form_type[] = "application/x-www-form-urlencoded";
	const size_t tlen = sizeof form_type - 1;
	if (strncasecmp(r->content_type, form_type, tlen) != 0 ||
	    (r->content_type[tlen] != '\0' && r->content_type[tlen] != ';' && r->content_type[tlen] != ' ' &&
	     r->content_type[tlen] != '\t'))
		return TR_OK;
	if (r->content_length > (long long)HTTP_FORM_MAX)
		return tr_err_set(err, TR_ELIMIT, -1, 0, "request body longer than %zu bytes", HTTP_FORM_MAX);
	size_t cap = r->content_length >= 0 ? (size_t)r->content_length : HTTP_FORM_MAX;
	char *buf = arena_alloc(a, cap + 1);
	if (buf == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading the request body");
	size_t got = 0;
	for (;;) {
		char extra;
		char *dst = got < cap ? buf + got : &extra;
		ssize_t n = body.read(body.ctx, dst, got < cap ? cap - got : 1);
		if (n < 0)
			return tr_err_set(err, TR_EIO, -1, 0, "error reading the request body");
		if (n == 0)
			break;
		if (got >= cap)
			return tr_err_set(err, TR_ELIMIT, -1, 0, "request body longer than %zu bytes", HTTP_FORM_MAX);
		got += (size_t)n;
	}
	buf[got] = '\0';
	return http_parse_urlencoded(r, a, buf, got, err);
}

int http_request_add_param(http_request *r, arena *a, const char *name, const char *value, size_t len,
                           tr_err *err)
{
	return add_param(r, a, name, value, len, err);
}

const http_param *http_param_find(const http_request *r, const char *name)
{
	for (const http_param *p = r->params; p; p = p->next)
		if (strcasecmp(p->name, name) == 0)
			return p;
	return NULL;
}
