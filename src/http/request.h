/* request: one HTTP request as the web server hands it over (CGI/FastCGI environment + body).
 *
 * Parameters follow DALI 1.1 §3.1: names are case-insensitive, values are case-sensitive; a name may
 * repeat and every occurrence is kept in order.  Everything lives in the request's arena. */
#ifndef TR_HTTP_REQUEST_H
#define TR_HTTP_REQUEST_H

#include "util/arena.h"
#include "util/err.h"
#include "util/io.h"

#include <stddef.h>

typedef struct http_param http_param;
struct http_param {
	const char *name;   /* as sent; compare with strcasecmp */
	const char *value;  /* decoded, NUL-terminated; may hold NULs inside (see value_len) */
	size_t value_len;   /* bytes of value */
	http_param *next;
};

typedef enum http_method {
	HTTP_OTHER = 0,
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_DELETE = 1 << 3,
} http_method;

typedef struct http_request {
	http_method method;
	const char *method_name;  /* REQUEST_METHOD as sent */
	const char *uri;          /* REQUEST_URI as sent (for logs) */
	const char *path;         /* decoded path below base_path, starts with '/'; NULL = outside it */
	const char *content_type; /* "" when none */
	long long content_length; /* -1 when not given */
	const char *remote_user;  /* REMOTE_USER, "" for anonymous */
	const char *scheme;       /* "http" or "https" */
	const char *host;         /* HTTP_HOST or SERVER_NAME[:SERVER_PORT] */
	http_param *params;       /* query string, then the body's (urlencoded or multipart), in order */
	http_param *params_tail;
	size_t n_params;
	char *const *envp;        /* the raw environment, for http_request_env() */
} http_request;

/* Longest query string or urlencoded body we accept: ADQL queries are text a person writes; 1 MiB
 * leaves room for generated ones (long IN lists, many polygon vertices). */
#define HTTP_FORM_MAX ((size_t)1024 * 1024)

/* Reads the CGI variables from envp.  base_path ("" or "/tap") is stripped from the path; a path
 * outside it leaves path NULL (the router answers 404).  Parses the query string. */
int http_request_init(http_request *r, arena *a, char *const *envp, const char *base_path, tr_err *err);

/* Reads and parses an application/x-www-form-urlencoded body (other types are left to their own
 * parsers).  Fails with TR_ELIMIT over HTTP_FORM_MAX. */
int http_request_read_form(http_request *r, arena *a, tr_source body, tr_err *err);

/* One CGI variable, NULL when unset. */
const char *http_request_env(const http_request *r, const char *name);

/* Appends the parameters of a urlencoded text (query string or body). */
int http_parse_urlencoded(http_request *r, arena *a, const char *text, size_t n, tr_err *err);

/* Decodes %XX and '+' (when plus_is_space) into out (room for n + 1 bytes); returns the length, or
 * -1 for a malformed escape. */
long http_percent_decode(const char *in, size_t n, char *out, int plus_is_space);

/* Appends one parameter whose name and value are already decoded: for body parsers other than the
 * urlencoded one (multipart).  name must be NUL-terminated and value[len] must be '\0'; both must
 * live as long as the request (the arena).  Fails only with TR_ENOMEM. */
int http_request_add_param(http_request *r, arena *a, const char *name, const char *value, size_t len,
                           tr_err *err);

/* The first parameter of that name (case-insensitive), or NULL. */
const http_param *http_param_find(const http_request *r, const char *name);

#endif
