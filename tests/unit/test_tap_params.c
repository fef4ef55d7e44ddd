/* test_tap_params: TAP query parameters from a request (src/tap/params.h).
 *
 * Every parameter with good and bad values: LANG (versions, case, default, strict mode), QUERY
 * (required, NULs kept for the lexer), REQUEST (optional, doQuery only), RESPONSEFORMAT and its
 * alias FORMAT (raw), MAXREC (syntax, default, clamping, overflow), RUNID; DALI 1.1 §3 rules:
 * case-insensitive names, case-sensitive values, blank values as absent, repeated single-valued
 * parameters (same value accepted, different values refused), unknown parameters ignored; and
 * UPLOAD lists through tap_parse_upload (names, URIs, separators, duplicates, the table limit).
 * Requests come from a query string through http_request_init.  Each test gets a fresh arena. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include "adql/limits.h"
#include "tap/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* The request whose query string is qs (urlencoded: '+' is a space, %XX a byte). */
static void make_request(http_request *r, arena *a, const char *qs)
{
	char **env = arena_calloc(a, 3, sizeof *env);
	assert_non_null(env);
	env[0] = arena_printf(a, "QUERY_STRING=%s", qs);
	env[1] = arena_strdup(a, "REQUEST_URI=/tap/sync");
	tr_err err = TR_ERR_INIT;
	assert_int_equal(http_request_init(r, a, env, "/tap", &err), TR_OK);
}

static const tap_params_opts opts_default = { 1000, 100000, 0 };
static const tap_params_opts opts_strict = { 1000, 100000, 1 };
static const tap_params_opts opts_high_default = { 5000, 100, 0 };

typedef struct param_case {
	const char *qs;
	const tap_params_opts *opts; /* NULL = opts_default */
	int rc;
	const char *msg;             /* error: a substring of err.msg */
	/* TR_OK: the expected struct (NULL strings = not given) */
	const char *lang;
	int has_lang;
	const char *query;
	size_t query_len;            /* 0 = strlen(query) */
	const char *responseformat;
	long long maxrec;
	int has_maxrec;
	int is_clamped;
	const char *runid;
	size_t n_uploads;
} param_case;

#define Q "QUERY=SELECT+1"
/* A request that succeeds with these values. */
#define GOOD(qs, lang, has_lang, fmt, maxrec, has_maxrec, clamped, runid) \
	{ qs, NULL, TR_OK, NULL, lang, has_lang, "SELECT 1", 0, fmt, maxrec, has_maxrec, clamped, runid, 0 }
#define BAD(qs, msg) { qs, NULL, TR_EBADREQ, msg, NULL, 0, NULL, 0, NULL, 0, 0, 0, NULL, 0 }

static const param_case cases[] = {
	/* LANG (TAP 1.1 §2.7.1) */
	GOOD("LANG=ADQL&" Q, "ADQL", 1, NULL, 1000, 0, 0, NULL),
	GOOD("LANG=ADQL-2.0&" Q, "ADQL-2.0", 1, NULL, 1000, 0, 0, NULL),
	GOOD("LANG=ADQL-2.1&" Q, "ADQL-2.1", 1, NULL, 1000, 0, 0, NULL),
	GOOD(Q, "ADQL", 0, NULL, 1000, 0, 0, NULL),                 /* missing: ADQL */
	GOOD("LANG=&" Q, "ADQL", 0, NULL, 1000, 0, 0, NULL),        /* blank: as if missing */
	GOOD("lang=ADQL&query=SELECT+1", "ADQL", 1, NULL, 1000, 0, 0, NULL), /* names ignore case */
	GOOD("LaNg=ADQL&QuErY=SELECT+1", "ADQL", 1, NULL, 1000, 0, 0, NULL),
	BAD("LANG=adql&" Q, "unsupported LANG \"adql\"; use ADQL"),   /* values keep their case */
	BAD("LANG=SQL&" Q, "unsupported LANG \"SQL\"; use ADQL"),
	BAD("LANG=ADQL-2&" Q, "unsupported LANG"),
	BAD("LANG=ADQL-3.0&" Q, "unsupported LANG"),
	BAD("LANG=ADQL+&" Q, "unsupported LANG"),                    /* "ADQL " */
	BAD("LANG=PQL&" Q, "unsupported LANG"),
	BAD("LANG=AD%00QL&" Q, "LANG contains a NUL byte"),
	{ Q, &opts_strict, TR_EBADREQ, "missing required parameter LANG", NULL, 0, NULL, 0, NULL, 0, 0, 0, NULL, 0 },
	{ "LANG=ADQL&" Q, &opts_strict, TR_OK, NULL, "ADQL", 1, "SELECT 1", 0, NULL, 1000, 0, 0, NULL, 0 },
	/* QUERY (TAP 1.1 §2.7.2) */
	BAD("LANG=ADQL", "missing required parameter QUERY"),
	BAD("LANG=ADQL&QUERY=", "missing required parameter QUERY"),
	BAD("", "missing required parameter QUERY"),
	{ "QUERY=a%00b", NULL, TR_OK, NULL, "ADQL", 0, "a\0b", 3, NULL, 1000, 0, 0, NULL, 0 }, /* the lexer's to judge */
	{ "QUERY=SELECT+%27%C3%A9%27+FROM+t", NULL, TR_OK, NULL, "ADQL", 0, "SELECT '\xC3\xA9' FROM t", 0, NULL, 1000, 0, 0,
	  NULL, 0 },
	/* REQUEST: removed by TAP 1.1, doQuery still accepted */
	GOOD("REQUEST=doQuery&LANG=ADQL&" Q, "ADQL", 1, NULL, 1000, 0, 0, NULL),
	GOOD("request=doQuery&" Q, "ADQL", 0, NULL, 1000, 0, 0, NULL),
	GOOD("REQUEST=&" Q, "ADQL", 0, NULL, 1000, 0, 0, NULL),
	BAD("REQUEST=doquery&" Q, "unsupported REQUEST \"doquery\""),
	BAD("REQUEST=getCapabilities&" Q, "unsupported REQUEST \"getCapabilities\""),
	BAD("REQUEST=getTableMetadata", "unsupported REQUEST"),
	/* RESPONSEFORMAT and FORMAT (TAP 1.1 §2.7.3): carried raw */
	GOOD("RESPONSEFORMAT=csv&" Q, "ADQL", 0, "csv", 1000, 0, 0, NULL),
	GOOD("FORMAT=votable&" Q, "ADQL", 0, "votable", 1000, 0, 0, NULL),
	GOOD("format=text/csv&" Q, "ADQL", 0, "text/csv", 1000, 0, 0, NULL),
	GOOD("responseFormat=CSV&" Q, "ADQL", 0, "CSV", 1000, 0, 0, NULL),
	GOOD("RESPONSEFORMAT=application/x-votable%2Bxml;serialization=BINARY2&" Q, "ADQL", 0,
	     "application/x-votable+xml;serialization=BINARY2", 1000, 0, 0, NULL),
	GOOD("RESPONSEFORMAT=csv&FORMAT=csv&" Q, "ADQL", 0, "csv", 1000, 0, 0, NULL),
	GOOD("FORMAT=&RESPONSEFORMAT=tsv&" Q, "ADQL", 0, "tsv", 1000, 0, 0, NULL),
	BAD("RESPONSEFORMAT=csv&FORMAT=tsv&" Q, "parameters RESPONSEFORMAT and FORMAT given with different values"),
	BAD("FORMAT=tsv&responseformat=csv&" Q, "parameters FORMAT and RESPONSEFORMAT given with different values"),
	BAD("RESPONSEFORMAT=csv&RESPONSEFORMAT=CSV&" Q, "parameter RESPONSEFORMAT given more than once"),
	BAD("FORMAT=csv%00&" Q, "FORMAT contains a NUL byte"),
	/* MAXREC (DALI 1.1, TAP 1.1 §2.7.4) */
	GOOD("MAXREC=0&" Q, "ADQL", 0, NULL, 0, 1, 0, NULL),        /* metadata only */
	GOOD("MAXREC=10&" Q, "ADQL", 0, NULL, 10, 1, 0, NULL),
	GOOD("maxrec=00042&" Q, "ADQL", 0, NULL, 42, 1, 0, NULL),
	GOOD("MAXREC=100000&" Q, "ADQL", 0, NULL, 100000, 1, 0, NULL), /* the limit itself */
	GOOD("MAXREC=100001&" Q, "ADQL", 0, NULL, 100000, 1, 1, NULL), /* clamped */
	GOOD("MAXREC=9223372036854775807&" Q, "ADQL", 0, NULL, 100000, 1, 1, NULL),
	GOOD("MAXREC=99999999999999999999999999&" Q, "ADQL", 0, NULL, 100000, 1, 1, NULL),
	GOOD("MAXREC=&" Q, "ADQL", 0, NULL, 1000, 0, 0, NULL),
	{ Q, &opts_high_default, TR_OK, NULL, "ADQL", 0, "SELECT 1", 0, NULL, 100, 0, 0, NULL, 0 },
	{ "MAXREC=50&" Q, &opts_high_default, TR_OK, NULL, "ADQL", 0, "SELECT 1", 0, NULL, 50, 1, 0, NULL, 0 },
	BAD("MAXREC=-1&" Q, "MAXREC must be a non-negative integer"),
	BAD("MAXREC=%2B5&" Q, "MAXREC must be a non-negative integer"),
	BAD("MAXREC=1.5&" Q, "MAXREC must be a non-negative integer"),
	BAD("MAXREC=1e3&" Q, "MAXREC must be a non-negative integer"),
	BAD("MAXREC=0x10&" Q, "MAXREC must be a non-negative integer"),
	BAD("MAXREC=+5&" Q, "MAXREC must be a non-negative integer"),
	BAD("MAXREC=5+&" Q, "MAXREC must be a non-negative integer"),
	BAD("MAXREC=ten&" Q, "MAXREC must be a non-negative integer"),
	BAD("MAXREC=1%002&" Q, "MAXREC contains a NUL byte"),
	/* RUNID (echoed back) */
	GOOD("RUNID=my+run+%231&" Q, "ADQL", 0, NULL, 1000, 0, 0, "my run #1"),
	GOOD("RUNID=x&runid=x&" Q, "ADQL", 0, NULL, 1000, 0, 0, "x"),
	BAD("RUNID=x&RUNID=y&" Q, "parameter RUNID given more than once with different values"),
	BAD("RUNID=x%00&" Q, "RUNID contains a NUL byte"),
	/* DALI: repeated single-valued parameters; blanks do not count */
	GOOD("LANG=ADQL&lang=ADQL&" Q "&query=SELECT+1", "ADQL", 1, NULL, 1000, 0, 0, NULL),
	GOOD("MAXREC=&MAXREC=7&MAXREC=&" Q, "ADQL", 0, NULL, 7, 1, 0, NULL),
	GOOD("REQUEST=doQuery&REQUEST=doQuery&" Q, "ADQL", 0, NULL, 1000, 0, 0, NULL),
	BAD("MAXREC=1&maxrec=2&" Q, "parameter MAXREC given more than once with different values"),
	BAD("MAXREC=1&maxrec=01&" Q, "parameter MAXREC given more than once with different values"), /* as text */
	BAD("LANG=ADQL&LANG=ADQL-2.0&" Q, "parameter LANG given more than once"),
	BAD(Q "&QUERY=SELECT+2", "parameter QUERY given more than once"),
	BAD("REQUEST=doQuery&REQUEST=x&" Q, "parameter REQUEST given more than once"),
	/* Unknown parameters are ignored (TAP 1.1 §2.7) */
	GOOD("FOO=bar&PHASE=RUN&VERSION=1.0&foo=baz&" Q, "ADQL", 0, NULL, 1000, 0, 0, NULL),
	/* Everything at once */
	{ "REQUEST=doQuery&LANG=ADQL-2.1&QUERY=SELECT+TOP+5+*+FROM+t&FORMAT=tsv&MAXREC=5&RUNID=r1&UPLOAD=a,param:x", NULL,
	  TR_OK, NULL, "ADQL-2.1", 1, "SELECT TOP 5 * FROM t", 0, "tsv", 5, 1, 0, "r1", 1 },
	/* UPLOAD accumulates over repeats; see test_upload for the syntax */
	{ "UPLOAD=a,param:x;b,http://example.org/b.xml&upload=c,https://example.org/c&UPLOAD=&" Q, NULL, TR_OK, NULL, "ADQL",
	  0, "SELECT 1", 0, NULL, 1000, 0, 0, NULL, 3 },
	BAD("UPLOAD=a,param:x&UPLOAD=A,param:y&" Q, "UPLOAD table name A given twice"),
	BAD("UPLOAD=a&" Q, "is not name,URI"),
};

static void check_str(size_t i, const char *what, const char *got, const char *want)
{
	if (want == NULL ? got != NULL : got == NULL || strcmp(got, want) != 0)
		fail_msg("case %zu: %s '%s', expected '%s'", i, what, got ? got : "(null)", want ? want : "(null)");
}

static void test_params(void **state)
{
	arena *a = *state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const param_case *c = &cases[i];
		http_request r;
		make_request(&r, a, c->qs);
		tap_params p;
		tr_err err = TR_ERR_INIT;
		int rc = tap_params_parse(&r, a, c->opts ? c->opts : &opts_default, &p, &err);
		if (rc != c->rc)
			fail_msg("case %zu (%s): rc %d, expected %d (%s)", i, c->qs, rc, c->rc, err.msg);
		if (rc != TR_OK) {
			assert_int_equal(err.code, rc);
			assert_int_equal(err.http_status, 400);
			if (strstr(err.msg, c->msg) == NULL)
				fail_msg("case %zu (%s): message '%s', expected '%s' in it", i, c->qs, err.msg, c->msg);
			arena_reset(a);
			continue;
		}
		check_str(i, "lang", p.lang, c->lang);
		assert_int_equal(p.has_lang, c->has_lang);
		size_t qlen = c->query_len ? c->query_len : strlen(c->query);
		if (p.query_len != qlen || memcmp(p.query, c->query, qlen) != 0 || p.query[qlen] != '\0')
			fail_msg("case %zu (%s): query '%s' (%zu bytes), expected '%s'", i, c->qs, p.query, p.query_len, c->query);
		check_str(i, "responseformat", p.responseformat, c->responseformat);
		if (p.maxrec != c->maxrec || p.has_maxrec != c->has_maxrec || p.is_maxrec_clamped != c->is_clamped)
			fail_msg("case %zu (%s): maxrec %lld given %d clamped %d, expected %lld %d %d", i, c->qs, p.maxrec,
			         p.has_maxrec, p.is_maxrec_clamped, c->maxrec, c->has_maxrec, c->is_clamped);
		check_str(i, "runid", p.runid, c->runid);
		assert_int_equal(p.uploads.n, c->n_uploads);
		arena_reset(a);
	}
}

/* ---- UPLOAD ------------------------------------------------------------------------------------ */

typedef struct upload_case {
	const char *text;
	size_t len;              /* 0 = strlen(text) */
	int rc;
	const char *msg;         /* error: a substring of err.msg */
	size_t n;                /* entries afterwards (kept before an error) */
	const char *names[3];
	const char *uris[3];
	const char *parts[3];    /* NULL for URLs */
} upload_case;

#define UP_OK1(text, name, uri, part) { text, 0, TR_OK, NULL, 1, { name }, { uri }, { part } }
#define UP_BAD(text, msg) { text, 0, TR_EBADREQ, msg, 0, { NULL }, { NULL }, { NULL } }

static const upload_case uploads[] = {
	UP_OK1("mine,param:t1", "mine", "param:t1", "t1"),
	UP_OK1("  mine\t,  param:t1  ", "mine", "param:t1", "t1"),
	UP_OK1("a,PARAM:x", "a", "PARAM:x", "x"),                     /* schemes ignore case */
	UP_OK1("Table_1,param:x,y", "Table_1", "param:x,y", "x,y"),   /* the first comma separates */
	UP_OK1("a,http://example.org/t.xml", "a", "http://example.org/t.xml", NULL),
	UP_OK1("a,HTTPS://example.org:8443/t?x=1&y=2#f", "a", "HTTPS://example.org:8443/t?x=1&y=2#f", NULL),
	UP_OK1("a,http://[::1]/t", "a", "http://[::1]/t", NULL),
	UP_OK1("a,https://h", "a", "https://h", NULL),
	{ "a,param:x;b,http://example.org/b.xml;c,https://h/c", 0, TR_OK, NULL, 3, { "a", "b", "c" },
	  { "param:x", "http://example.org/b.xml", "https://h/c" }, { "x", NULL, NULL } },
	{ "a,param:x ; b,param:y", 0, TR_OK, NULL, 2, { "a", "b" }, { "param:x", "param:y" }, { "x", "y" } },
	/* separators */
	UP_BAD("", "empty entry in UPLOAD"),
	UP_BAD(" ", "empty entry in UPLOAD"),
	UP_BAD(";a,param:x", "empty entry in UPLOAD"),
	{ "a,param:x;", 0, TR_EBADREQ, "empty entry in UPLOAD", 1, { "a" }, { "param:x" }, { "x" } },
	{ "a,param:x;;b,param:y", 0, TR_EBADREQ, "empty entry in UPLOAD", 1, { "a" }, { "param:x" }, { "x" } },
	UP_BAD("a", "UPLOAD entry \"a\" is not name,URI"),
	UP_BAD("a param:x", "is not name,URI"),
	/* table names: ADQL regular identifiers, not reserved, unique ignoring case */
	UP_BAD(",param:x", "UPLOAD entry without a table name"),
	UP_BAD("1a,param:x", "UPLOAD table name \"1a\" is not an ADQL regular identifier"),
	UP_BAD("_a,param:x", "is not an ADQL regular identifier"),
	UP_BAD("a-b,param:x", "is not an ADQL regular identifier"),
	UP_BAD("a b,param:x", "is not an ADQL regular identifier"),
	UP_BAD("\"a\",param:x", "is not an ADQL regular identifier"),
	UP_BAD("s.t,param:x", "is not an ADQL regular identifier"),
	UP_BAD("caf\xC3\xA9,param:x", "is not an ADQL regular identifier"),
	UP_BAD("select,param:x", "UPLOAD table name \"select\" is an ADQL reserved word"),
	UP_BAD("TOP,param:x", "is an ADQL reserved word"),
	UP_BAD("Point,param:x", "is an ADQL reserved word"),
	{ "a,param:x;A,param:y", 0, TR_EBADREQ, "UPLOAD table name A given twice", 1, { "a" }, { "param:x" }, { "x" } },
	/* URIs */
	UP_BAD("a,", "UPLOAD table a has no URI"),
	UP_BAD("a,param:", "is \"param:\" without a part name"),
	UP_BAD("a,param:x y", "contains a space or control character"),
	UP_BAD("a,http://h/x y", "contains a space or control character"),
	UP_BAD("a,http://h/\x7f", "contains a space or control character"),
	UP_BAD("a,http://", "UPLOAD URL \"http://\" for table a has no host"),
	UP_BAD("a,http:/x", "has no host"),
	UP_BAD("a,http:x", "has no host"),
	UP_BAD("a,https:///path", "has no host"),
	UP_BAD("a,vos://space!t/x.xml", "unsupported UPLOAD URI scheme \"vos\" for table a; use param: or http(s)"),
	UP_BAD("a,ftp://h/x", "unsupported UPLOAD URI scheme \"ftp\""),
	UP_BAD("a,file:///etc/passwd", "unsupported UPLOAD URI scheme \"file\""),
	UP_BAD("a,httpx://h/x", "unsupported UPLOAD URI scheme \"httpx\""),
	UP_BAD("a,x", "UPLOAD URI \"x\" for table a is not a URI"),
	UP_BAD("a,/tmp/t.xml", "is not a URI"),
	UP_BAD("a,1x:y", "is not a URI"),
	{ "a,param:x\0", 10, TR_EBADREQ, "UPLOAD contains a NUL byte", 0, { NULL }, { NULL }, { NULL } },
};

static void test_upload(void **state)
{
	arena *a = *state;
	for (size_t i = 0; i < sizeof uploads / sizeof uploads[0]; i++) {
		const upload_case *c = &uploads[i];
		tap_uploads list = { .n = 0 };
		tr_err err = TR_ERR_INIT;
		int rc = tap_parse_upload(&list, a, c->text, c->len ? c->len : strlen(c->text), &err);
		if (rc != c->rc)
			fail_msg("case %zu (%s): rc %d, expected %d (%s)", i, c->text, rc, c->rc, err.msg);
		if (rc != TR_OK && strstr(err.msg, c->msg) == NULL)
			fail_msg("case %zu (%s): message '%s', expected '%s' in it", i, c->text, err.msg, c->msg);
		if (list.n != c->n)
			fail_msg("case %zu (%s): %zu entries, expected %zu", i, c->text, list.n, c->n);
		for (size_t k = 0; k < list.n; k++) {
			const tap_upload *u = &list.items[k];
			assert_string_equal(u->name, c->names[k]);
			assert_string_equal(u->uri, c->uris[k]);
			if (c->parts[k]) {
				assert_int_equal(u->kind, TAP_UPLOAD_PARAM);
				assert_string_equal(u->part, c->parts[k]);
			} else {
				assert_int_equal(u->kind, TAP_UPLOAD_URL);
				assert_null(u->part);
			}
		}
		arena_reset(a);
	}
}

static void test_upload_limits(void **state)
{
	arena *a = *state;
	/* Name length: ADQL_MAX_IDENT_BYTES passes, one more fails. */
	char text[256];
	for (int extra = 0; extra < 2; extra++) {
		size_t n = ADQL_MAX_IDENT_BYTES + (size_t)extra;
		memset(text, 'n', n);
		snprintf(text + n, sizeof text - n, ",param:p");
		tap_uploads list = { .n = 0 };
		tr_err err = TR_ERR_INIT;
		int rc = tap_parse_upload(&list, a, text, strlen(text), &err);
		assert_int_equal(rc, extra ? TR_EBADREQ : TR_OK);
		if (extra)
			assert_non_null(strstr(err.msg, "is longer than"));
	}
	/* Tables: TAP_UPLOAD_MAX_TABLES pass, in one value or over several; one more is TR_ELIMIT. */
	tap_uploads list = { .n = 0 };
	tr_err err = TR_ERR_INIT;
	for (int i = 0; i < TAP_UPLOAD_MAX_TABLES - 1; i++) {
		int len = snprintf(text, sizeof text, "t%d,param:p%d", i, i);
		assert_int_equal(tap_parse_upload(&list, a, text, (size_t)len, &err), TR_OK);
	}
	static const char two[] = "x,param:a;y,param:b";
	assert_int_equal(tap_parse_upload(&list, a, two, sizeof two - 1, &err), TR_ELIMIT);
	assert_int_equal(err.http_status, 413);
	assert_int_equal(list.n, TAP_UPLOAD_MAX_TABLES); /* x went in before y failed */
	assert_string_equal(list.items[TAP_UPLOAD_MAX_TABLES - 1].name, "x");
	/* And through tap_params_parse, with the tables spread over UPLOAD parameters. */
	char *qs = arena_strdup(a, "QUERY=x");
	for (int i = 0; i <= TAP_UPLOAD_MAX_TABLES; i++)
		qs = arena_printf(a, "%s&UPLOAD=t%d,param:p%d", qs, i, i);
	http_request r;
	make_request(&r, a, qs);
	tap_params p;
	tr_err err2 = TR_ERR_INIT;
	assert_int_equal(tap_params_parse(&r, a, &opts_default, &p, &err2), TR_ELIMIT);
	assert_non_null(strstr(err2.msg, "UPLOAD tables"));
}

/* A request's parameters may also come from a multipart body: the struct points into the arena. */
static void test_params_point_into_request(void **state)
{
	arena *a = *state;
	http_request r;
	make_request(&r, a, "LANG=ADQL&QUERY=SELECT+1&RESPONSEFORMAT=csv&RUNID=r");
	tr_err err = TR_ERR_INIT;
	assert_int_equal(http_request_add_param(&r, a, "UPLOAD", "u,param:u", 9, &err), TR_OK);
	tap_params p;
	assert_int_equal(tap_params_parse(&r, a, &opts_default, &p, &err), TR_OK);
	assert_ptr_equal(p.query, http_param_find(&r, "query")->value);
	assert_ptr_equal(p.responseformat, http_param_find(&r, "responseformat")->value);
	assert_ptr_equal(p.runid, http_param_find(&r, "runid")->value);
	assert_int_equal(p.uploads.n, 1);
	assert_string_equal(p.uploads.items[0].part, "u");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_params, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_upload, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_upload_limits, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_params_point_into_request, tr_test_arena_setup, tr_test_arena_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
