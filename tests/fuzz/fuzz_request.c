/* fuzz/fuzz_request: HTTP request parameters (http/request.h) and the TAP parameter rules
 * (tap/params.h) on arbitrary bytes.
 *
 * The input is the request twice over, as a web server could hand it to a worker: as the query
 * string (up to its first NUL byte, as CGI variables are C strings), either in QUERY_STRING or after
 * the '?' of REQUEST_URI (then its path is decoded too), and as an application/x-www-form-urlencoded
 * body read in random-size pieces.  The parameters then go through tap_params_parse().  Options
 * (which variable, Content-Length, base path, LANG required, MAXREC limit, a failing allocation)
 * come from a hash of the input.  Checks: each function's result agrees with err; only client
 * errors (400, 413), or TR_ENOMEM when an allocation was made to fail; a success satisfies
 * params.h (QUERY present, MAXREC within the limit, at most TAP_UPLOAD_MAX_TABLES uploads). */
#include <config.h>

#include "http/request.h"
#include "tap/params.h"
#include "util/arena.h"
#include "util/err.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define fail(what, detail) fuzz_fail("fuzz_request", what, detail)

/* A failed call: rc must be what err records, and a client error (or TR_ENOMEM when injected). */
static void check_error(const char *what, int rc, const tr_err *err, int is_injected)
{
	if (err->code != rc)
		fail(what, "returned a code other than the one err records");
	if (err->msg[0] == '\0')
		fail(what, "failed with an empty message");
	if (rc != TR_EBADREQ && rc != TR_ELIMIT && !(is_injected && rc == TR_ENOMEM))
		fail(what, err->msg);
}

static void check_params(const http_request *r)
{
	size_t n = 0;
	for (const http_param *p = r->params; p; p = p->next, n++) {
		if (p->name == NULL || p->name[0] == '\0' || p->value == NULL)
			fail("params", "a parameter without a name or value");
		if (p->value[p->value_len] != '\0')
			fail("params", "a value that is not NUL-terminated at value_len");
		if (http_param_find(r, p->name) == NULL)
			fail("params", "http_param_find misses a parameter");
	}
	if (n != r->n_params)
		fail("params", "n_params disagrees with the list");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > HTTP_FORM_MAX + 1)
		return 0; /* the limit itself is crossed at one byte over */
	uint64_t h = fuzz_hash(data, size);
	arena *a = arena_create(0, 0);
	if (a == NULL)
		fail("arena", "out of memory");
	/* CGI variables are C strings: the query string ends at the first NUL. */
	size_t qlen = strnlen((const char *)data, size);
	int in_uri = (h >> 0) & 1;
	const char *uri_var = in_uri ? "REQUEST_URI=" : "QUERY_STRING=";
	size_t vlen = strlen(uri_var);
	char *var = arena_alloc(a, vlen + qlen + 1);
	char cl[64];
	int cl_mode = (int)((h >> 1) % 3); /* no Content-Length, the body's, or half of it */
	snprintf(cl, sizeof cl, "CONTENT_LENGTH=%zu", cl_mode == 1 ? size : size / 2);
	if (var == NULL)
		fail("arena", "out of memory");
	memcpy(var, uri_var, vlen);
	memcpy(var + vlen, data, qlen);
	var[vlen + qlen] = '\0';
	char *envp[] = {
		"REQUEST_METHOD=POST",
		"CONTENT_TYPE=application/x-www-form-urlencoded; charset=UTF-8",
		in_uri ? "SCRIPT_NAME=/tap" : "REQUEST_URI=/tap/sync",
		var,
		cl_mode ? cl : "SERVER_NAME=example.org",
		"SERVER_PORT=8080",
		NULL,
	};
	int is_injected = (h >> 3) % 8 == 0;
	if (is_injected)
		arena_fail_after(1 + (h >> 6) % 64);

	http_request r;
	tr_err err = TR_ERR_INIT;
	int rc = http_request_init(&r, a, envp, (h >> 4) & 1 ? "/tap" : "", &err);
	if (rc == TR_OK) {
		if (r.host == NULL || r.scheme == NULL || r.content_type == NULL || r.method != HTTP_POST)
			fail("init", "a field of the request is unset");
		if (r.path != NULL && r.path[0] != '/')
			fail("init", "a path that does not start with '/'");
		fuzz_body body = { data, size, 0, (h >> 5) & 1 ? 0 : 1 + (size_t)((h >> 12) % 97), h | 1 };
		tr_source src = { fuzz_body_read, &body };
		rc = http_request_read_form(&r, a, src, &err);
		if (rc != TR_OK)
			check_error("read_form", rc, &err, is_injected);
	} else {
		check_error("init", rc, &err, is_injected);
	}
	if (rc == TR_OK) {
		check_params(&r);
		tap_params_opts opts = { 100000, (h >> 20) & 1 ? 50000000 : 10, (int)((h >> 21) & 1) };
		tap_params tp;
		rc = tap_params_parse(&r, a, &opts, &tp, &err);
		if (rc == TR_OK) {
			if (tp.query == NULL || tp.lang == NULL || tp.query[tp.query_len] != '\0')
				fail("tap_params", "success without QUERY or LANG");
			if (tp.maxrec < 0 || tp.maxrec > opts.maxrec_limit)
				fail("tap_params", "MAXREC outside 0 .. maxrec_limit");
			if (tp.uploads.n > TAP_UPLOAD_MAX_TABLES)
				fail("tap_params", "too many uploads");
			for (size_t i = 0; i < tp.uploads.n; i++)
				if (tp.uploads.items[i].name == NULL || tp.uploads.items[i].uri == NULL ||
				    (tp.uploads.items[i].kind == TAP_UPLOAD_PARAM && tp.uploads.items[i].part == NULL))
					fail("tap_params", "an upload entry without name, URI or part");
		} else {
			check_error("tap_params", rc, &err, is_injected);
		}
	}
	arena_fail_after(0);
	arena_destroy(a);
	return 0;
}
