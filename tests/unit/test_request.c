/* test_request: CGI environment -> http_request (src/http/request.h).
 *
 * Method mapping, the path from REQUEST_URI (percent-decoding, duplicate slashes, %00, base_path
 * stripping that does not match "/tapx" for "/tap"), the query string (DALI 1.1 §3.1: names
 * case-insensitive, repeats kept in order), scheme and host, Content-Length, and urlencoded bodies
 * read from a memory tr_source in chunks.  Each test gets a fresh arena. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>


/* Up to this many CGI variables per case. */
#define MAX_ENV 8

/* Builds envp from a NULL-terminated list of "NAME=value" strings (copied into the arena, since
 * envp is char *const *). */
static char **make_env(arena *a, const char *const *vars)
{
	char **env = arena_calloc(a, MAX_ENV + 1, sizeof *env);
	assert_non_null(env);
	for (int i = 0; i < MAX_ENV && vars[i]; i++) {
		env[i] = arena_strdup(a, vars[i]);
		assert_non_null(env[i]);
	}
	return env;
}

static int init(http_request *r, arena *a, const char *const *vars, const char *base, tr_err *err)
{
	return http_request_init(r, a, make_env(a, vars), base, err);
}

static void test_methods(void **state)
{
	arena *a = *state;
	static const struct {
		const char *var;
		http_method method;
		const char *name;
	} cases[] = {
		{ "REQUEST_METHOD=GET", HTTP_GET, "GET" },
		{ "REQUEST_METHOD=HEAD", HTTP_HEAD, "HEAD" },
		{ "REQUEST_METHOD=POST", HTTP_POST, "POST" },
		{ "REQUEST_METHOD=DELETE", HTTP_DELETE, "DELETE" },
		{ "REQUEST_METHOD=PUT", HTTP_OTHER, "PUT" },
		{ "REQUEST_METHOD=OPTIONS", HTTP_OTHER, "OPTIONS" },
		{ "REQUEST_METHOD=get", HTTP_OTHER, "get" }, /* RFC 9110 §9.1: methods are case-sensitive */
		{ "REQUEST_METHOD=", HTTP_OTHER, "" },
		{ NULL, HTTP_GET, "GET" },                   /* unset: a CGI GET */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *vars[] = { cases[i].var, NULL };
		http_request r;
		tr_err err = TR_ERR_INIT;
		assert_int_equal(init(&r, a, vars, "", &err), TR_OK);
		if (r.method != cases[i].method)
			fail_msg("case %zu: method %d, expected %d", i, (int)r.method, (int)cases[i].method);
		assert_string_equal(r.method_name, cases[i].name);
	}
}

static void test_paths(void **state)
{
	arena *a = *state;
	static const struct {
		const char *uri;   /* REQUEST_URI, NULL = unset */
		const char *base;  /* base_path */
		int rc;
		const char *path;  /* expected r.path; NULL = outside base_path */
	} cases[] = {
		{ "/availability", "", TR_OK, "/availability" },
		{ "/", "", TR_OK, "/" },
		{ "", "", TR_OK, "/" },
		{ "?REQUEST=doQuery", "", TR_OK, "/" },
		{ "/tap/availability", "/tap", TR_OK, "/availability" },
		{ "/tap/sync?LANG=ADQL", "/tap", TR_OK, "/sync" },
		{ "/tap", "/tap", TR_OK, "/" },
		{ "/tap/", "/tap", TR_OK, "/" },
		{ "/tap?x=1", "/tap", TR_OK, "/" },
		{ "/tapx/availability", "/tap", TR_OK, NULL }, /* a prefix of a segment is not a match */
		{ "/tapx", "/tap", TR_OK, NULL },
		{ "/ta", "/tap", TR_OK, NULL },
		{ "/other/tap", "/tap", TR_OK, NULL },
		{ "/", "/tap", TR_OK, NULL },
		{ "/TAP/sync", "/tap", TR_OK, NULL },          /* paths are case-sensitive */
		{ "//tap//sync", "/tap", TR_OK, "/sync" },
		{ "/tap///async//job1/", "/tap", TR_OK, "/async/job1/" },
		{ "/a/b/c", "/a/b", TR_OK, "/c" },
		{ "/t%61p/sync", "/tap", TR_OK, "/sync" },     /* decoded before matching */
		{ "/tap/a%20b", "/tap", TR_OK, "/a b" },
		{ "/tap/a+b", "/tap", TR_OK, "/a+b" },         /* '+' is a space only in forms */
		{ "/tap/%2Fx", "/tap", TR_OK, "/x" },          /* an encoded slash collapses too */
		{ "/tap/caf%C3%A9", "/tap", TR_OK, "/caf\xC3\xA9" },
		{ "/tap/%00", "/tap", TR_EBADREQ, NULL },
		{ "/tap/a%00b", "/tap", TR_EBADREQ, NULL },
		{ "/tap/%zz", "/tap", TR_EBADREQ, NULL },
		{ "/tap/%4", "/tap", TR_EBADREQ, NULL },
		{ "/tap/%", "/tap", TR_EBADREQ, NULL },
		{ NULL, "", TR_OK, "/" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char var[256];
		snprintf(var, sizeof var, "REQUEST_URI=%s", cases[i].uri ? cases[i].uri : "");
		const char *vars[] = { cases[i].uri ? var : NULL, NULL };
		http_request r;
		tr_err err = TR_ERR_INIT;
		int rc = init(&r, a, vars, cases[i].base, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): rc %d, expected %d (%s)", i, var, rc, cases[i].rc, err.msg);
		if (rc != TR_OK) {
			assert_int_equal(err.code, rc);
			assert_int_equal(err.http_status, 400);
			continue;
		}
		if (cases[i].path == NULL ? r.path != NULL : r.path == NULL || strcmp(r.path, cases[i].path) != 0)
			fail_msg("case %zu (%s, base '%s'): path '%s', expected '%s'", i, var, cases[i].base,
			         r.path ? r.path : "(null)", cases[i].path ? cases[i].path : "(null)");
		if (cases[i].uri)
			assert_string_equal(r.uri, cases[i].uri);
	}
}

static void test_document_uri_fallback(void **state)
{
	arena *a = *state;
	const char *vars[] = { "DOCUMENT_URI=/tap/capabilities", NULL };
	http_request r;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(init(&r, a, vars, "/tap", &err), TR_OK);
	assert_string_equal(r.path, "/capabilities");
}

/* Expected parameters as "name=value" with value bytes shown as they are (NULs as "\0"). */
typedef struct param_case {
	const char *qs;
	int rc;
	int n;
	const char *names[5];
	const char *values[5];
	size_t lens[5];
} param_case;

static void check_params(const http_request *r, const param_case *c, size_t i)
{
	if ((int)r->n_params != c->n)
		fail_msg("case %zu (%s): %zu parameters, expected %d", i, c->qs, r->n_params, c->n);
	const http_param *p = r->params;
	for (int k = 0; k < c->n; k++, p = p->next) {
		assert_non_null(p);
		if (strcmp(p->name, c->names[k]) != 0)
			fail_msg("case %zu (%s): name %d '%s', expected '%s'", i, c->qs, k, p->name, c->names[k]);
		size_t len = c->lens[k] ? c->lens[k] : strlen(c->values[k]);
		if (p->value_len != len || memcmp(p->value, c->values[k], len) != 0)
			fail_msg("case %zu (%s): value %d '%s' (%zu bytes), expected '%s'", i, c->qs, k, p->value,
			         p->value_len, c->values[k]);
		assert_int_equal(p->value[p->value_len], '\0');
	}
	assert_null(p);
}

static const param_case query_cases[] = {
	{ "", TR_OK, 0, { 0 }, { 0 }, { 0 } },
	{ "a=1&b=2", TR_OK, 2, { "a", "b" }, { "1", "2" }, { 0 } },
	{ "REQUEST=doQuery&LANG=ADQL&QUERY=SELECT+*+FROM+t+WHERE+x%3D1", TR_OK, 3,
	  { "REQUEST", "LANG", "QUERY" }, { "doQuery", "ADQL", "SELECT * FROM t WHERE x=1" }, { 0 } },
	/* DALI 1.1 §3.1: repeated names are all kept, in order, whatever their case. */
	{ "UPLOAD=a,x&upload=b,y&Upload=c,z", TR_OK, 3, { "UPLOAD", "upload", "Upload" },
	  { "a,x", "b,y", "c,z" }, { 0 } },
	{ "a=%41%42%63", TR_OK, 1, { "a" }, { "ABc" }, { 0 } },
	{ "a=%2B+%2b", TR_OK, 1, { "a" }, { "+ +" }, { 0 } },
	{ "a=b=c", TR_OK, 1, { "a" }, { "b=c" }, { 0 } },
	{ "flag", TR_OK, 1, { "flag" }, { "" }, { 0 } },
	{ "flag=", TR_OK, 1, { "flag" }, { "" }, { 0 } },
	{ "&&a=1&&b=&", TR_OK, 2, { "a", "b" }, { "1", "" }, { 0 } },
	{ "my+name=x", TR_OK, 1, { "my name" }, { "x" }, { 0 } },
	{ "a=%C3%A9t%C3%A9", TR_OK, 1, { "a" }, { "\xC3\xA9t\xC3\xA9" }, { 0 } },
	{ "a=x%00y", TR_OK, 1, { "a" }, { "x\0y" }, { 3 } }, /* NUL in a value: kept, length says so */
	{ "=x", TR_EBADREQ, 0, { 0 }, { 0 }, { 0 } },
	{ "a=1&=2", TR_EBADREQ, 0, { 0 }, { 0 }, { 0 } },
	{ "a%00b=1", TR_EBADREQ, 0, { 0 }, { 0 }, { 0 } },
	{ "a=%", TR_EBADREQ, 0, { 0 }, { 0 }, { 0 } },
	{ "a=%4", TR_EBADREQ, 0, { 0 }, { 0 }, { 0 } },
	{ "a=%G1", TR_EBADREQ, 0, { 0 }, { 0 }, { 0 } },
	{ "a=%1G&b=2", TR_EBADREQ, 0, { 0 }, { 0 }, { 0 } },
	{ "%zz=1", TR_EBADREQ, 0, { 0 }, { 0 }, { 0 } },
};

static void test_query_string(void **state)
{
	arena *a = *state;
	for (size_t i = 0; i < sizeof query_cases / sizeof query_cases[0]; i++) {
		const param_case *c = &query_cases[i];
		char var[512];
		snprintf(var, sizeof var, "QUERY_STRING=%s", c->qs);
		const char *vars[] = { "REQUEST_URI=/sync", var, NULL };
		http_request r;
		tr_err err = TR_ERR_INIT;
		int rc = init(&r, a, vars, "", &err);
		if (rc != c->rc)
			fail_msg("case %zu (%s): rc %d, expected %d (%s)", i, c->qs, rc, c->rc, err.msg);
		if (rc == TR_OK)
			check_params(&r, c, i);
	}
}

static void test_query_from_uri(void **state)
{
	arena *a = *state;
	/* Without QUERY_STRING the part of REQUEST_URI after '?' is used... */
	const char *vars[] = { "REQUEST_URI=/tap/sync?LANG=ADQL&QUERY=SELECT+1", NULL };
	http_request r;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(init(&r, a, vars, "/tap", &err), TR_OK);
	assert_int_equal(r.n_params, 2);
	assert_string_equal(http_param_find(&r, "query")->value, "SELECT 1");
	/* ...and QUERY_STRING wins when both are there. */
	const char *both[] = { "REQUEST_URI=/tap/sync?LANG=URI", "QUERY_STRING=LANG=ENV", NULL };
	assert_int_equal(init(&r, a, both, "/tap", &err), TR_OK);
	assert_int_equal(r.n_params, 1);
	assert_string_equal(http_param_find(&r, "LANG")->value, "ENV");
}

static void test_query_string_limit(void **state)
{
	arena *a = *state;
	static const struct {
		size_t len;
		int rc;
	} cases[] = { { HTTP_FORM_MAX, TR_OK }, { HTTP_FORM_MAX + 1, TR_ELIMIT } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		static const char prefix[] = "QUERY_STRING=";
		char *var = malloc(sizeof prefix + cases[i].len);
		assert_non_null(var);
		memcpy(var, prefix, sizeof prefix - 1);
		memcpy(var + sizeof prefix - 1, "Q=", 2);
		memset(var + sizeof prefix + 1, 'x', cases[i].len - 2);
		var[sizeof prefix - 1 + cases[i].len] = '\0';
		const char *vars[] = { var, NULL };
		http_request r;
		tr_err err = TR_ERR_INIT;
		assert_int_equal(init(&r, a, vars, "", &err), cases[i].rc);
		if (cases[i].rc == TR_OK)
			assert_int_equal(http_param_find(&r, "q")->value_len, cases[i].len - 2);
		else
			assert_int_equal(err.http_status, 413);
		free(var);
		arena_reset(a);
	}
}

static void test_param_find(void **state)
{
	arena *a = *state;
	const char *vars[] = { "QUERY_STRING=REQUEST=doQuery&Lang=ADQL&lang=PQL&QUERY=x", NULL };
	http_request r;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(init(&r, a, vars, "", &err), TR_OK);
	static const struct {
		const char *name;
		const char *value; /* NULL = not found */
	} cases[] = {
		{ "REQUEST", "doQuery" }, { "request", "doQuery" }, { "ReQuEsT", "doQuery" },
		{ "LANG", "ADQL" },       /* the first of the repeats */
		{ "query", "x" },         { "MAXREC", NULL },     { "", NULL },
		{ "REQUES", NULL },       { "REQUESTX", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const http_param *p = http_param_find(&r, cases[i].name);
		if (cases[i].value == NULL) {
			assert_null(p);
		} else {
			assert_non_null(p);
			assert_string_equal(p->value, cases[i].value); /* values keep their case */
		}
	}
}

static void test_scheme_and_host(void **state)
{
	arena *a = *state;
	static const struct {
		const char *vars[4];
		const char *scheme;
		const char *host;
	} cases[] = {
		{ { "HTTP_HOST=tap.example.org:8080", "SERVER_NAME=internal", "SERVER_PORT=9000", NULL },
		  "http", "tap.example.org:8080" },
		{ { "SERVER_NAME=srv", "SERVER_PORT=80", NULL }, "http", "srv" },
		{ { "SERVER_NAME=srv", "SERVER_PORT=8080", NULL }, "http", "srv:8080" },
		{ { "SERVER_NAME=srv", NULL }, "http", "srv" },
		{ { NULL }, "http", "localhost" },
		{ { "HTTPS=on", "SERVER_NAME=srv", "SERVER_PORT=443", NULL }, "https", "srv" },
		{ { "HTTPS=on", "SERVER_NAME=srv", "SERVER_PORT=8443", NULL }, "https", "srv:8443" },
		/* The default port depends on the scheme: https on port 80 must name it. */
		{ { "HTTPS=on", "SERVER_NAME=srv", "SERVER_PORT=80", NULL }, "https", "srv:80" },
		{ { "SERVER_NAME=srv", "SERVER_PORT=443", NULL }, "http", "srv:443" },
		{ { "HTTPS=ON", "HTTP_HOST=h", NULL }, "https", "h" },
		{ { "HTTPS=1", "HTTP_HOST=h", NULL }, "https", "h" },
		{ { "HTTPS=off", "HTTP_HOST=h", NULL }, "http", "h" },
		{ { "HTTPS=", "HTTP_HOST=h", NULL }, "http", "h" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		http_request r;
		tr_err err = TR_ERR_INIT;
		assert_int_equal(init(&r, a, cases[i].vars, "", &err), TR_OK);
		if (strcmp(r.scheme, cases[i].scheme) != 0 || strcmp(r.host, cases[i].host) != 0)
			fail_msg("case %zu: %s://%s, expected %s://%s", i, r.scheme, r.host, cases[i].scheme,
			         cases[i].host);
	}
}

static void test_other_variables(void **state)
{
	arena *a = *state;
	static const struct {
		const char *cl;  /* CONTENT_LENGTH variable, NULL = unset */
		int rc;
		long long len;
	} cases[] = {
		{ NULL, TR_OK, -1 },
		{ "CONTENT_LENGTH=", TR_OK, -1 },
		{ "CONTENT_LENGTH=0", TR_OK, 0 },
		{ "CONTENT_LENGTH=1234", TR_OK, 1234 },
		{ "CONTENT_LENGTH=12a", TR_EBADREQ, 0 },
		{ "CONTENT_LENGTH=-1", TR_EBADREQ, 0 },
		{ "CONTENT_LENGTH= 5", TR_EBADREQ, 0 },
		{ "CONTENT_LENGTH=99999999999999999999999", TR_EBADREQ, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *vars[] = { cases[i].cl, NULL };
		http_request r;
		tr_err err = TR_ERR_INIT;
		int rc = init(&r, a, vars, "", &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): rc %d", i, cases[i].cl ? cases[i].cl : "unset", rc);
		if (rc == TR_OK)
			assert_int_equal(r.content_length, cases[i].len);
	}
	const char *vars[] = { "REMOTE_USER=alice", "CONTENT_TYPE=text/plain", "X_CUSTOM=1", NULL };
	http_request r;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(init(&r, a, vars, "", &err), TR_OK);
	assert_string_equal(r.remote_user, "alice");
	assert_string_equal(r.content_type, "text/plain");
	assert_string_equal(http_request_env(&r, "X_CUSTOM"), "1");
	assert_null(http_request_env(&r, "X_CUST")); /* the whole name, not a prefix */
	assert_null(http_request_env(&r, "X"));
	assert_null(http_request_env(&r, "HTTP_HOST"));
	const char *none[] = { NULL };
	assert_int_equal(init(&r, a, none, "", &err), TR_OK);
	assert_string_equal(r.remote_user, "");
	assert_string_equal(r.content_type, "");
}

static void test_percent_decode(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int plus;
		long len;       /* -1 = malformed */
		const char *out;
	} cases[] = {
		{ "", 0, 0, "" },
		{ "abc", 0, 3, "abc" },
		{ "a+b", 0, 3, "a+b" },
		{ "a+b", 1, 3, "a b" },
		{ "%41", 0, 1, "A" },
		{ "%7e%7E", 0, 2, "~~" },
		{ "%25", 0, 1, "%" },
		{ "x%", 0, -1, NULL },
		{ "%4", 0, -1, NULL },
		{ "%%41", 0, -1, NULL },
		{ "%-1", 0, -1, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[32];
		long n = http_percent_decode(cases[i].in, strlen(cases[i].in), out, cases[i].plus);
		assert_int_equal(n, cases[i].len);
		if (n >= 0)
			assert_string_equal(out, cases[i].out);
	}
}

/* A request body in memory, handed out in chunks of at most `chunk` bytes. */
typedef struct mem_source {
	const char *data;
	size_t len, pos;
	size_t chunk;   /* 0 = as much as asked */
	int fail;       /* 1: every read fails */
	int n_reads;
} mem_source;

static ssize_t mem_read(void *ctx, char *p, size_t n)
{
	mem_source *m = ctx;
	m->n_reads++;
	if (m->fail)
		return -1;
	size_t left = m->len - m->pos;
	if (n > left)
		n = left;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(p, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static void test_read_form(void **state)
{
	arena *a = *state;
	static const char body[] = "QUERY=SELECT+TOP+5+*+FROM+t&LANG=ADQL&query=second";
	static const struct {
		const char *type;   /* CONTENT_TYPE value */
		int with_length;    /* set CONTENT_LENGTH to the body length */
		size_t chunk;
		int parsed;         /* 1 = the body's parameters are added */
	} cases[] = {
		{ "application/x-www-form-urlencoded", 1, 0, 1 },
		{ "application/x-www-form-urlencoded", 0, 0, 1 },
		{ "application/x-www-form-urlencoded", 1, 1, 1 },  /* one byte per read */
		{ "application/x-www-form-urlencoded", 0, 7, 1 },
		{ "application/x-www-form-urlencoded; charset=UTF-8", 1, 0, 1 },
		{ "Application/X-WWW-Form-URLEncoded", 1, 0, 1 },  /* media types are case-insensitive */
		{ "multipart/form-data; boundary=xyz", 1, 0, 0 },
		{ "text/plain", 1, 0, 0 },
		{ "", 1, 0, 0 },
		{ "application/x-www-form-urlencodedx", 1, 0, 0 }, /* another type, not a parameter */
		{ "application/x-www-form", 1, 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char type[128], length[64];
		snprintf(type, sizeof type, "CONTENT_TYPE=%s", cases[i].type);
		snprintf(length, sizeof length, "CONTENT_LENGTH=%zu", sizeof body - 1);
		const char *vars[] = { "REQUEST_METHOD=POST", "QUERY_STRING=REQUEST=doQuery", type,
		                       cases[i].with_length ? length : NULL, NULL };
		http_request r;
		tr_err err = TR_ERR_INIT;
		assert_int_equal(init(&r, a, vars, "", &err), TR_OK);
		mem_source src = { body, sizeof body - 1, 0, cases[i].chunk, 0, 0 };
		int rc = http_request_read_form(&r, a, (tr_source){ mem_read, &src }, &err);
		if (rc != TR_OK)
			fail_msg("case %zu (%s): rc %d (%s)", i, cases[i].type, rc, err.msg);
		if (!cases[i].parsed) {
			assert_int_equal(r.n_params, 1);
			assert_int_equal(src.n_reads, 0); /* left for its own parser */
			continue;
		}
		/* Query string first, then the body, in order. */
		static const param_case expect = { "", TR_OK, 4, { "REQUEST", "QUERY", "LANG", "query" },
			                           { "doQuery", "SELECT TOP 5 * FROM t", "ADQL", "second" }, { 0 } };
		check_params(&r, &expect, i);
		assert_string_equal(http_param_find(&r, "query")->value, "SELECT TOP 5 * FROM t");
	}
}

static void test_read_form_limits_and_errors(void **state)
{
	arena *a = *state;
	char *big = malloc(HTTP_FORM_MAX + 2);
	assert_non_null(big);
	memcpy(big, "Q=", 2);
	memset(big + 2, 'y', HTTP_FORM_MAX);
	static const struct {
		const char *length;  /* CONTENT_LENGTH variable or NULL */
		size_t body_len;     /* bytes of `big` (or of the malformed text) offered */
		int malformed;       /* body is "a=%zz" instead */
		int fail;            /* the source fails */
		int rc;
		int reads_allowed;   /* 0 = the body must not be read at all */
	} cases[] = {
		{ NULL, HTTP_FORM_MAX, 0, 0, TR_OK, 1 },             /* exactly the limit, no length */
		{ NULL, HTTP_FORM_MAX + 1, 0, 0, TR_ELIMIT, 1 },
		{ "CONTENT_LENGTH=1048577", HTTP_FORM_MAX + 1, 0, 0, TR_ELIMIT, 0 }, /* refused up front */
		{ "CONTENT_LENGTH=5", 5, 1, 0, TR_EBADREQ, 1 },
		{ NULL, 5, 1, 0, TR_EBADREQ, 1 },
		{ "CONTENT_LENGTH=10", 10, 0, 1, TR_EIO, 1 },
		{ "CONTENT_LENGTH=10", 20, 0, 0, -1, 1 },            /* more bytes than announced: refused */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *vars[] = { "REQUEST_METHOD=POST", "CONTENT_TYPE=application/x-www-form-urlencoded",
		                       cases[i].length, NULL };
		http_request r;
		tr_err err = TR_ERR_INIT;
		assert_int_equal(init(&r, a, vars, "", &err), TR_OK);
		mem_source src = { cases[i].malformed ? "a=%zz" : big, cases[i].body_len, 0, 0, cases[i].fail, 0 };
		int rc = http_request_read_form(&r, a, (tr_source){ mem_read, &src }, &err);
		if (cases[i].rc == -1 ? rc >= 0 : rc != cases[i].rc)
			fail_msg("case %zu: rc %d, expected %d (%s)", i, rc, cases[i].rc, err.msg);
		if (!cases[i].reads_allowed)
			assert_int_equal(src.n_reads, 0);
		if (rc == TR_OK)
			assert_int_equal(http_param_find(&r, "Q")->value_len, HTTP_FORM_MAX - 2);
		else
			assert_int_equal(err.code, rc);
		arena_reset(a);
	}
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_methods, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_paths, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_document_uri_fallback, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_query_string, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_query_from_uri, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_query_string_limit, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_param_find, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_scheme_and_host, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_other_variables, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_percent_decode, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_read_form, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_read_form_limits_and_errors, tr_test_arena_setup, tr_test_arena_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
