/* test_multipart: the streaming multipart/form-data parser (src/http/multipart.h).
 *
 * Boundaries from Content-Type (quoted, unquoted, RFC 2046 §5.1.1 length and characters), then a
 * table of sample bodies, each fed whole, one byte at a time, split at every point and (when short)
 * at every pair of points, which must all give the same callbacks or the same error: preamble and
 * epilogue, boundary-like text and partial delimiters inside content, CRLF edge cases, NUL bytes,
 * empty parts, padding, RFC 7578 name escapes, malformed boundary lines and headers, truncation.
 * Then limits on both sides, failing callbacks, randomly generated forms under random chunkings, a
 * body captured from `curl -F`, http_request_read_multipart over a memory tr_source (with every
 * allocation failing in turn), and a replay of tests/fuzz/multipart/.  Each test gets a fresh arena. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include "http/multipart.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>


/* A string literal and its length, NUL bytes inside included. */
#define S(s) s, sizeof(s) - 1

#define CT "multipart/form-data; boundary=XyZ"

/* ---- the callback recorder --------------------------------------------------------------------- */

/* Writes every callback into one transcript: "<name|filename|type>" at a part's start ("-" for no
 * filename), its content bytes as they are, "</>" at its end. */
typedef struct recorder {
	strbuf trace;
	size_t n_begin, n_data, n_end;
	size_t fail_at;   /* fail the n-th callback (1-based); 0 = never */
	int fail_silent;  /* fail without setting err */
	size_t n_calls;
} recorder;

static int rec_maybe_fail(recorder *r, tr_err *err)
{
	if (++r->n_calls != r->fail_at)
		return TR_OK;
	if (r->fail_silent)
		return TR_EIO;
	return tr_err_set(err, TR_EIO, -1, 0, "callback %zu failed", r->n_calls);
}

static int rec_begin(void *ctx, const multipart_part *part, tr_err *err)
{
	recorder *r = ctx;
	r->n_begin++;
	assert_int_equal(part->index, r->n_begin - 1);
	strbuf_printf(&r->trace, "<%s|%s|%s>", part->name, part->filename ? part->filename : "-", part->content_type);
	return rec_maybe_fail(r, err);
}

static int rec_data(void *ctx, const multipart_part *part, const char *p, size_t n, tr_err *err)
{
	recorder *r = ctx;
	assert_true(n > 0);
	assert_non_null(part->name);
	r->n_data++;
	strbuf_add(&r->trace, p, n);
	return rec_maybe_fail(r, err);
}

static int rec_end(void *ctx, const multipart_part *part, tr_err *err)
{
	recorder *r = ctx;
	(void)part;
	r->n_end++;
	strbuf_puts(&r->trace, "</>");
	return rec_maybe_fail(r, err);
}

static const multipart_callbacks rec_cb = { rec_begin, rec_data, rec_end };

static void rec_init(recorder *r)
{
	memset(r, 0, sizeof *r);
	strbuf_init(&r->trace, 0);
}

/* Feeds body in the chunks that cuts[0..n_cuts) (increasing offsets) delimit, then finishes. */
static int run_cuts(arena *a, const char *ct, const char *body, size_t len, const size_t *cuts, size_t n_cuts,
                    const multipart_limits *lim, recorder *rec, tr_err *err)
{
	multipart_parser *p = multipart_create(a, ct, lim, &rec_cb, rec, err);
	if (p == NULL)
		return err->code;
	size_t at = 0;
	for (size_t k = 0; k <= n_cuts; k++) {
		size_t end = k < n_cuts ? cuts[k] : len;
		int rc = multipart_feed(p, body + at, end - at, err);
		if (rc < 0)
			return rc;
		at = end;
	}
	int rc = multipart_finish(p, err);
	if (rc == TR_OK)
		assert_int_equal(multipart_n_parts(p), rec->n_begin);
	return rc;
}

static int run_bytewise(arena *a, const char *ct, const char *body, size_t len, const multipart_limits *lim,
                        recorder *rec, tr_err *err)
{
	multipart_parser *p = multipart_create(a, ct, lim, &rec_cb, rec, err);
	if (p == NULL)
		return err->code;
	for (size_t i = 0; i < len; i++) {
		int rc = multipart_feed(p, body + i, 1, err);
		if (rc < 0)
			return rc;
	}
	return multipart_finish(p, err);
}

/* ---- boundaries ------------------------------------------------------------------------------- */

static void test_boundary(void **state)
{
	arena *a = *state;
	static const char b70[] = "1234567890123456789012345678901234567890123456789012345678901234567890";
	char ct70[128], ct71[128];
	snprintf(ct70, sizeof ct70, "multipart/form-data; boundary=%s", b70);
	snprintf(ct71, sizeof ct71, "multipart/form-data; boundary=%sx", b70);
	const struct {
		const char *ct;
		const char *boundary; /* NULL = TR_EBADREQ */
	} cases[] = {
		{ "multipart/form-data; boundary=abc", "abc" },
		{ "multipart/form-data;boundary=abc", "abc" },
		{ "Multipart/Form-Data; BOUNDARY=abc", "abc" },           /* RFC 9110 §8.3.1: case-insensitive */
		{ "multipart/form-data; boundary=\"abc def\"", "abc def" }, /* quoted: spaces allowed inside */
		{ "multipart/form-data; boundary=\"a\\bc\"", "abc" },     /* RFC 9110 quoted-pair */
		{ "multipart/form-data; charset=utf-8; boundary=x; foo=\"b;ar\"", "x" },
		{ "multipart/form-data; boundary=x;", "x" },
		{ "multipart/form-data ; boundary = x", "x" },
		{ "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "----WebKitFormBoundary7MA4YWxkTrZu0gW" },
		{ "multipart/form-data; boundary=a'()+_,-./:=?z", "a'()+_,-./:=?z" }, /* every bchar */
		{ "multipart/form-data; boundary=1", "1" },
		{ ct70, b70 },
		{ ct71, NULL },                                             /* 71 characters */
		{ "multipart/form-data; boundary=", NULL },
		{ "multipart/form-data; boundary=\"\"", NULL },
		{ "multipart/form-data; boundary=\"ab \"", NULL },          /* ends in a space */
		{ "multipart/form-data; boundary=a@b", "a@b" },             /* not an RFC 2046 bchar, but printable */
		{ "multipart/form-data; boundary=<<<--x-->>>", "<<<--x-->>>" }, /* as STILTS taplint sends it */
		{ "multipart/form-data; boundary=a\tb", NULL },             /* a control character */
		{ "multipart/form-data; boundary=\"a\\\"b\"", NULL },       /* '"' is not a bchar */
		{ "multipart/form-data; boundary=caf\xC3\xA9", NULL },
		{ "multipart/form-data; boundary=\"abc", NULL },            /* unterminated */
		{ "multipart/form-data; boundary=a; boundary=b", NULL },
		{ "multipart/form-data", NULL },
		{ "multipart/form-data; charset=utf-8", NULL },
		{ "multipart/form-data boundary=x", NULL },
		{ "multipart/form-data; boundary", NULL },
		{ "multipart/mixed; boundary=x", NULL },
		{ "multipart/form-datax; boundary=x", NULL },
		{ "application/x-www-form-urlencoded", NULL },
		{ "", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tr_err err = TR_ERR_INIT;
		const char *b = NULL;
		int rc = multipart_parse_boundary(a, cases[i].ct, &b, &err);
		if (cases[i].boundary == NULL) {
			if (rc != TR_EBADREQ)
				fail_msg("case %zu (%s): rc %d, expected TR_EBADREQ", i, cases[i].ct, rc);
			assert_int_equal(err.http_status, 400);
			assert_true(err.msg[0] != '\0');
			tr_err e2 = TR_ERR_INIT;
			assert_null(multipart_create(a, cases[i].ct, NULL, &rec_cb, NULL, &e2));
			assert_int_equal(e2.code, TR_EBADREQ);
		} else if (rc != TR_OK || strcmp(b, cases[i].boundary) != 0) {
			fail_msg("case %zu (%s): rc %d (%s), boundary '%s', expected '%s'", i, cases[i].ct, rc, err.msg,
			         b ? b : "(null)", cases[i].boundary);
		}
	}
	static const struct {
		const char *ct;
		int is;
	} types[] = {
		{ "multipart/form-data", 1 }, { "MULTIPART/FORM-DATA; boundary=x", 1 }, { "multipart/form-data\t;x", 1 },
		{ "multipart/form-data2", 0 }, { "multipart/form", 0 }, { "", 0 }, { "text/plain", 0 },
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		assert_int_equal(multipart_is_form_data(types[i].ct), types[i].is);
}

/* ---- sample bodies under every chunking ------------------------------------------------------- */

#define CD "Content-Disposition: form-data; name="

typedef struct mp_case {
	const char *ct;      /* NULL = CT */
	const char *body;
	size_t len;
	int rc;
	const char *trace;   /* TR_OK: the expected transcript (see recorder) */
	size_t trace_len;
	const char *msg;     /* error: a substring of err.msg */
} mp_case;

#define OK(body, trace) { NULL, S(body), TR_OK, S(trace), NULL }
#define BAD(body, code, msg) { NULL, S(body), code, NULL, 0, msg }

/* After a CRLF, "--XyZZ" starts with the delimiter (RFC 2046 §5.1.1 compares the start of lines), so
 * case 10 fails rather than reading it as content. */
static const mp_case samples[] = {
	/* 0 */ OK("--XyZ\r\n" CD "\"a\"\r\n\r\n1\r\n--XyZ--\r\n", "<a|-|>1</>"),
	OK("--XyZ\r\n" CD "\"a\"\r\n\r\n1\r\n--XyZ--", "<a|-|>1</>"),                /* no CRLF at the end */
	OK("--XyZ\r\n" CD "a\r\n\r\nx y\r\n--XyZ\r\n" CD "\"b\"\r\n\r\n\r\n--XyZ--\r\n",
	   "<a|-|>x y</><b|-|></>"),                                                   /* unquoted name; empty part */
	/* preamble and epilogue are ignored, whatever they hold */
	OK("This is a preamble with --XyZ inside.\r\n-XyZ\r\n--XyZ\r\n" CD "\"p\"\r\n\r\nv\r\n--XyZ--\r\n"
	   "epilogue\r\n--XyZ\r\n" CD "\"q\"\r\n\r\nignored\r\n--XyZ--\r\n", "<p|-|>v</>"),
	OK("\r\n--XyZ\r\n" CD "\"p\"\r\n\r\nv\r\n--XyZ--", "<p|-|>v</>"),               /* empty preamble */
	OK("--XyZ--\r\n", ""),                                                            /* no parts */
	/* 6: boundary-like text inside content */
	OK("--XyZ\r\n" CD "\"c\"\r\n\r\na--XyZ b\r\n--Xy c\r\n-\r\n\r\r\n\n--XyZ\r\n-XyZ--XyZ\r\n--XyZ--",
	   "<c|-|>a--XyZ b\r\n--Xy c\r\n-\r\n\r\r\n\n--XyZ\r\n-XyZ--XyZ</>"),
	OK("--XyZ\r\n" CD "\"c\"\r\n\r\nx\r\r\n--XyZ--", "<c|-|>x\r</>"),               /* CR right before the CRLF */
	OK("--XyZ\r\n" CD "\"c\"\r\n\r\n\r\n\r\n--XyZ--", "<c|-|>\r\n</>"),             /* content is one CRLF */
	OK("--XyZ\r\n" CD "\"c\"\r\n\r\n\r\r\r\n--XyZ--", "<c|-|>\r\r</>"),
	BAD("--XyZ\r\n" CD "\"c\"\r\n\r\n\r\n--XyZZ\r\n--XyZ--", TR_EBADREQ, "malformed multipart boundary line"),
	/* 11: binary content with NULs and high bytes */
	OK("--XyZ\r\n" CD "\"bin\"; filename=\"b.dat\"\r\nContent-Type: application/octet-stream\r\n\r\n"
	   "\0\x01\xff\r\n\0--XyZ\0\r\n-\0\r\n--XyZ--\r\n",
	   "<bin|b.dat|application/octet-stream>\0\x01\xff\r\n\0--XyZ\0\r\n-\0</>"),
	/* transport padding after boundaries (RFC 2046 §5.1.1) */
	OK("--XyZ \t \r\n" CD "\"a\"\r\n\r\n1\r\n--XyZ\t\r\n" CD "\"b\"\r\n\r\n2\r\n--XyZ-- \r\nx",
	   "<a|-|>1</><b|-|>2</>"),
	/* headers: case, folding, order, parameters, others ignored */
	OK("--XyZ\r\ncontent-type: text/plain; charset=utf-8\r\nX-Other: 1\r\nCONTENT-DISPOSITION:form-data;\r\n"
	   " NAME=\"n\";\r\n\tfilename=\"f.txt\"\r\nContent-Transfer-Encoding: binary\r\n\r\nt\r\n--XyZ--",
	   "<n|f.txt|text/plain; charset=utf-8>t</>"),
	OK("--XyZ\r\nContent-Disposition: Form-Data ; name = \"sp\" ; filename = \"\"\r\n\r\nv\r\n--XyZ--",
	   "<sp||>v</>"),                                                                 /* empty filename: a file */
	OK("--XyZ\r\n" CD "\"x\"; filename*=UTF-8''a.txt; size=3\r\n\r\nv\r\n--XyZ--", "<x|-|>v</>"),
	/* RFC 7578 escapes: %22 %0D %0A (browsers, curl), \" and \\ (curl --form-escape); others literal */
	OK("--XyZ\r\n" CD "\"na%22me%0d%0A\"; filename=\"C:\\dir\\we%22ird.xml\"\r\n\r\nv\r\n--XyZ--",
	   "<na\"me\r\n|C:\\dir\\we\"ird.xml|>v</>"),
	OK("--XyZ\r\n" CD "\"na\\\"me\"; filename=\"we\\\"ird\\\\x.xml\"\r\n\r\nv\r\n--XyZ--",
	   "<na\"me|we\"ird\\x.xml|>v</>"),
	OK("--XyZ\r\n" CD "\"100%25%zz%2\"\r\n\r\nv\r\n--XyZ--", "<100%25%zz%2|-|>v</>"),
	OK("--XyZ\r\n" CD "\"caf\xC3\xA9\"; filename=\"\xE6\x98\x9F.xml\"\r\n\r\nv\r\n--XyZ--",
	   "<caf\xC3\xA9|\xE6\x98\x9F.xml|>v</>"),
	OK("--XyZ\r\n" CD "\"a;b=c\"\r\n\r\nv\r\n--XyZ--", "<a;b=c|-|>v</>"),
	/* 21: truncation */
	BAD("", TR_EBADREQ, "truncated multipart body"),
	BAD("just a preamble\r\n", TR_EBADREQ, "truncated multipart body"),
	BAD("--XyZ", TR_EBADREQ, "truncated multipart body"),
	BAD("--XyZ\r\n", TR_EBADREQ, "truncated multipart body"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n", TR_EBADREQ, "truncated multipart body"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n\r\nvalue", TR_EBADREQ, "truncated multipart body"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n\r\nvalue\r\n--XyZ", TR_EBADREQ, "truncated multipart body"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n\r\nvalue\r\n--XyZ-", TR_EBADREQ, "truncated multipart body"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n\r\nvalue\r\n--XyZ\r\n", TR_EBADREQ, "truncated multipart body"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n\r\nvalue--XyZ--\r\n", TR_EBADREQ, "truncated multipart body"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n\r\nvalue\n--XyZ--\r\n", TR_EBADREQ, "truncated multipart body"),
	/* 32: boundary lines must end in CRLF or "--" */
	BAD("--XyZx\r\n" CD "\"a\"\r\n\r\n1\r\n--XyZ--", TR_EBADREQ, "malformed multipart boundary line"),
	BAD("--XyZ\n" CD "\"a\"\r\n\r\n1\r\n--XyZ--", TR_EBADREQ, "malformed multipart boundary line"),
	BAD("--XyZ\rx", TR_EBADREQ, "malformed multipart boundary line"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n\r\n1\r\n--XyZ-x", TR_EBADREQ, "malformed multipart boundary line"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n\r\n1\r\n--XyZ - -", TR_EBADREQ, "malformed multipart boundary line"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n\r\n1\r\n--XyZXYZ\r\n", TR_EBADREQ, "malformed multipart boundary line"),
	/* 38: part headers */
	BAD("--XyZ\r\n\r\nno headers\r\n--XyZ--", TR_EBADREQ, "has no Content-Disposition"),
	BAD("--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "has no Content-Disposition"),
	BAD("--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "has no name"),
	BAD("--XyZ\r\n" CD "\"\"\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "has no name"),
	BAD("--XyZ\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "has no name"),
	BAD("--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "is not form-data"),
	BAD("--XyZ\r\nContent-Disposition: form-datax; name=\"a\"\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "is not form-data"),
	BAD("--XyZ\r\n" CD "\"a\"; name=\"b\"\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "repeated name"),
	BAD("--XyZ\r\n" CD "\"a\"; filename=x; FILENAME=y\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "repeated filename"),
	BAD("--XyZ\r\n" CD "\"a\"\r\n" CD "\"a\"\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "more than one Content-Disposition"),
	BAD("--XyZ\r\n" CD "\"a\"\r\nContent-Type: a/b\r\nContent-Type: a/b\r\n\r\nv\r\n--XyZ--", TR_EBADREQ,
	    "more than one Content-Type"),
	BAD("--XyZ\r\n" CD "\"a\"\r\nContent-Type:\r\ncontent-type: a/b\r\n\r\nv\r\n--XyZ--", TR_EBADREQ,
	    "more than one Content-Type"),                                              /* even after an empty one */
	BAD("--XyZ\r\n" CD "\"a\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "unterminated quoted string"),
	BAD("--XyZ\r\n" CD "\"a\" x\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "expected ';'"),
	BAD("--XyZ\r\n" CD "\"a\"; flag\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "without a value"),
	BAD("--XyZ\r\n" CD "\"a\"\r\nContent-Transfer-Encoding: base64\r\n\r\ndg==\r\n--XyZ--", TR_EBADREQ,
	    "Content-Transfer-Encoding"),
	BAD("--XyZ\r\nContent-Disposition form-data; name=a\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "malformed header line"),
	BAD("--XyZ\r\nContent-Disposition : form-data; name=a\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "malformed header line"),
	BAD("--XyZ\r\n: x\r\n" CD "a\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "malformed header line"),
	BAD("--XyZ\r\n folded first\r\n" CD "a\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "malformed header line"),
	BAD("--XyZ\r\n" CD "a\n\r\nv\r\n--XyZ--", TR_EBADREQ, "LF without CR"),
	BAD("--XyZ\r\n" CD "a\r\n\nv\r\n--XyZ--", TR_EBADREQ, "LF without CR"),
	BAD("--XyZ\r\n" CD "a\rx\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "CR without LF"),
	BAD("--XyZ\r\n" CD "a\0b\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "control character 0x00"),
	BAD("--XyZ\r\n" CD "\"a\x1b\"\r\n\r\nv\r\n--XyZ--", TR_EBADREQ, "control character 0x1B"),
	BAD("--XyZ\r\n" CD "a\r\n\r\nv\r\n--XyZ\r\nbroken\r\n\r\nw\r\n--XyZ--", TR_EBADREQ, "part 2: malformed header"),
};

static void check_result(const mp_case *c, size_t i, const char *how, int rc, const tr_err *err, recorder *rec)
{
	if (rc != c->rc)
		fail_msg("case %zu (%s): rc %d, expected %d (%s)", i, how, rc, c->rc, err->msg);
	if (rc != TR_OK) {
		assert_int_equal(err->code, rc);
		if (strstr(err->msg, c->msg) == NULL)
			fail_msg("case %zu (%s): message '%s', expected '%s' in it", i, how, err->msg, c->msg);
	} else {
		assert_false(strbuf_failed(&rec->trace));
		if (strbuf_len(&rec->trace) != c->trace_len || memcmp(strbuf_str(&rec->trace), c->trace, c->trace_len) != 0)
			fail_msg("case %zu (%s): transcript '%s' (%zu bytes), expected '%s' (%zu)", i, how,
			         strbuf_str(&rec->trace), strbuf_len(&rec->trace), c->trace, c->trace_len);
		assert_int_equal(rec->n_begin, rec->n_end);
	}
	strbuf_free(&rec->trace);
}

/* Runs sample i fed in the chunks cuts[0..n_cuts) delimit (or one byte at a time) and checks it. */
static void check_chunking(arena *a, size_t i, const size_t *cuts, size_t n_cuts, int bytewise)
{
	const mp_case *c = &samples[i];
	const char *ct = c->ct ? c->ct : CT;
	char how[48];
	if (bytewise)
		snprintf(how, sizeof how, "bytewise");
	else if (n_cuts == 0)
		snprintf(how, sizeof how, "whole");
	else
		snprintf(how, sizeof how, "split at %zu%s%zu", cuts[0], n_cuts > 1 ? " and " : "", n_cuts > 1 ? cuts[1] : 0);
	recorder rec;
	rec_init(&rec);
	tr_err err = TR_ERR_INIT;
	int rc = bytewise ? run_bytewise(a, ct, c->body, c->len, NULL, &rec, &err)
	                  : run_cuts(a, ct, c->body, c->len, cuts, n_cuts, NULL, &rec, &err);
	check_result(c, i, how, rc, &err, &rec);
	arena_reset(a);
}

static void test_samples_every_chunking(void **state)
{
	arena *a = *state;
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		size_t len = samples[i].len;
		check_chunking(a, i, NULL, 0, 0);
		check_chunking(a, i, NULL, 0, 1);
		for (size_t cut = 0; cut <= len; cut++)
			check_chunking(a, i, &cut, 1, 0);
		if (len > 120)
			continue; /* every pair of points: quadratic */
		for (size_t x = 0; x <= len; x++)
			for (size_t y = x; y <= len; y++)
				check_chunking(a, i, (size_t[]){ x, y }, 2, 0);
	}
}

/* A truncated body says where it ended. */
static void test_truncation_details(void **state)
{
	arena *a = *state;
	static const struct {
		const char *body;
		const char *detail;
	} cases[] = {
		{ "", "no boundary line was found" },
		{ "preamble --XyZ\r\n", "no boundary line was found" },
		{ "--XyZ\r\n" CD "a\r\n", "the body ends in the headers of part 1" },
		{ "--XyZ\r\n" CD "a\r\n\r\nv", "the body ends in part 1, before the closing boundary" },
		{ "--XyZ\r\n" CD "a\r\n\r\nv\r\n--XyZ", "the body ends in part 1, before the closing boundary" },
		{ "--XyZ\r\n" CD "a\r\n\r\nv\r\n--XyZ\r\n", "the body ends in the headers of part 2" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		recorder rec;
		rec_init(&rec);
		tr_err err = TR_ERR_INIT;
		int rc = run_cuts(a, CT, cases[i].body, strlen(cases[i].body), NULL, 0, NULL, &rec, &err);
		assert_int_equal(rc, TR_EBADREQ);
		assert_string_equal(err.msg, "truncated multipart body");
		if (strstr(err.detail, cases[i].detail) == NULL)
			fail_msg("case %zu: detail '%s', expected '%s' in it", i, err.detail, cases[i].detail);
		strbuf_free(&rec.trace);
		arena_reset(a);
	}
}

static void test_quoted_boundary_bodies(void **state)
{
	arena *a = *state;
	static const struct {
		const char *ct;
		const char *body;
		const char *trace;
	} bodies[] = {
		{ "multipart/form-data; boundary=\"a b\"", "--a b\r\n" CD "x\r\n\r\n1\r\n--a b--", "<x|-|>1</>" },
		{ "multipart/form-data; boundary=\"--\"", "----\r\n" CD "x\r\n\r\n-\r\n---\r\n------", "<x|-|>-\r\n---</>" },
		{ "multipart/form-data; boundary=-", "---\r\n" CD "x\r\n\r\n\r\n--\r\n-----", "<x|-|>\r\n--</>" },
		{ "multipart/form-data; boundary=\"'()+_,-./:=?\"",
		  "--'()+_,-./:=?\r\n" CD "x\r\n\r\nv\r\n--'()+_,-./:=?--", "<x|-|>v</>" },
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		size_t len = strlen(bodies[i].body);
		for (size_t cut = 0; cut <= len; cut++) {
			recorder rec;
			rec_init(&rec);
			tr_err err = TR_ERR_INIT;
			int rc = run_cuts(a, bodies[i].ct, bodies[i].body, len, &cut, 1, NULL, &rec, &err);
			if (rc != TR_OK || strcmp(strbuf_str(&rec.trace), bodies[i].trace) != 0)
				fail_msg("body %zu split at %zu: rc %d (%s), transcript '%s'", i, cut, rc, err.msg,
				         strbuf_str(&rec.trace));
			strbuf_free(&rec.trace);
			arena_reset(a);
		}
	}
}

/* ---- limits -------------------------------------------------------------------------------------- */

/* A body of n parts named p0, p1, ... each holding "v". */
static size_t make_parts(char *buf, size_t cap, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "--XyZ\r\n" CD "p%zu\r\n\r\nv\r\n", i);
	len += (size_t)snprintf(buf + len, cap - len, "--XyZ--\r\n");
	assert_true(len < cap);
	return len;
}

static void test_limits(void **state)
{
	arena *a = *state;
	static char buf[16384];
	/* Parts: the limit itself passes, one more fails (both ways of resolving the default). */
	static const struct {
		size_t max_parts; /* 0 = default */
		size_t n;
		int rc;
	} parts[] = {
		{ 3, 3, TR_OK }, { 3, 4, TR_ELIMIT }, { 1, 1, TR_OK }, { 1, 2, TR_ELIMIT },
		{ 0, MULTIPART_DEFAULT_MAX_PARTS, TR_OK }, { 0, MULTIPART_DEFAULT_MAX_PARTS + 1, TR_ELIMIT },
	};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		size_t len = make_parts(buf, sizeof buf, parts[i].n);
		multipart_limits lim = { parts[i].max_parts, 0, 0 };
		recorder rec;
		rec_init(&rec);
		tr_err err = TR_ERR_INIT;
		int rc = run_bytewise(a, CT, buf, len, &lim, &rec, &err);
		if (rc != parts[i].rc)
			fail_msg("parts case %zu: rc %d (%s)", i, rc, err.msg);
		if (rc == TR_ELIMIT) {
			assert_int_equal(err.http_status, 413);
			assert_non_null(strstr(err.msg, "parts"));
			assert_int_equal(rec.n_begin, parts[i].n - 1); /* refused before the extra part began */
		}
		strbuf_free(&rec.trace);
		arena_reset(a);
	}

	/* Header block: "Content-Disposition: form-data; name=NAME\r\n\r\n" is 41 + len(NAME) bytes. */
	static const struct {
		size_t max_header; /* 0 = default */
		size_t name_len;
		int rc;
	} headers[] = {
		{ 50, 9, TR_OK }, { 50, 10, TR_ELIMIT }, { 44, 3, TR_OK }, { 43, 3, TR_ELIMIT },
		{ 0, MULTIPART_DEFAULT_HEADER_BYTES - 41, TR_OK }, { 0, MULTIPART_DEFAULT_HEADER_BYTES - 40, TR_ELIMIT },
	};
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
		size_t len = (size_t)snprintf(buf, sizeof buf, "--XyZ\r\n" CD);
		memset(buf + len, 'n', headers[i].name_len);
		len += headers[i].name_len;
		len += (size_t)snprintf(buf + len, sizeof buf - len, "\r\n\r\nv\r\n--XyZ--");
		multipart_limits lim = { 0, headers[i].max_header, 0 };
		for (int bytewise = 0; bytewise < 2; bytewise++) {
			recorder rec;
			rec_init(&rec);
			tr_err err = TR_ERR_INIT;
			int rc = bytewise ? run_bytewise(a, CT, buf, len, &lim, &rec, &err)
			                  : run_cuts(a, CT, buf, len, NULL, 0, &lim, &rec, &err);
			if (rc != headers[i].rc)
				fail_msg("header case %zu (%s): rc %d (%s)", i, bytewise ? "bytewise" : "whole", rc, err.msg);
			if (rc == TR_ELIMIT)
				assert_non_null(strstr(err.msg, "headers longer than"));
			strbuf_free(&rec.trace);
			arena_reset(a);
		}
	}

	/* Whole body: the limit counts every byte, epilogue included. */
	size_t len = make_parts(buf, sizeof buf, 2);
	static const struct {
		long long extra; /* limit = len + extra */
		int rc;
	} bodies[] = { { 0, TR_OK }, { 100, TR_OK }, { -1, TR_ELIMIT } };
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		multipart_limits lim = { 0, 0, (long long)len + bodies[i].extra };
		recorder rec;
		rec_init(&rec);
		tr_err err = TR_ERR_INIT;
		int rc = run_bytewise(a, CT, buf, len, &lim, &rec, &err);
		if (rc != bodies[i].rc)
			fail_msg("body case %zu: rc %d (%s)", i, rc, err.msg);
		strbuf_free(&rec.trace);
		arena_reset(a);
	}
	/* A too-long body is refused as a whole chunk too, and stays refused. */
	multipart_limits lim = { 0, 0, 10 };
	tr_err err = TR_ERR_INIT;
	multipart_parser *p = multipart_create(a, CT, &lim, &rec_cb, NULL, &err);
	assert_non_null(p);
	assert_int_equal(multipart_feed(p, "--XyZ\r\n", 7, &err), TR_OK);
	assert_int_equal(multipart_feed(p, "1234", 4, &err), TR_ELIMIT);
	assert_non_null(strstr(err.msg, "longer than 10 bytes"));
	tr_err again = TR_ERR_INIT;
	assert_int_equal(multipart_feed(p, "", 0, &again), TR_ELIMIT);
	assert_int_equal(multipart_finish(p, &again), TR_ELIMIT);
}

/* ---- callbacks that fail ------------------------------------------------------------------------ */

static void test_callback_failures(void **state)
{
	arena *a = *state;
	static const char body[] = "--XyZ\r\n" CD "a\r\n\r\nvalue\r\n--XyZ\r\n" CD "b\r\n\r\nw\r\n--XyZ--";
	/* Callbacks in order: begin a, data, end a, begin b, data, end b. */
	for (size_t fail_at = 1; fail_at <= 6; fail_at++)
		for (int silent = 0; silent < 2; silent++) {
			recorder rec;
			rec_init(&rec);
			rec.fail_at = fail_at;
			rec.fail_silent = silent;
			tr_err err = TR_ERR_INIT;
			int rc = run_cuts(a, CT, S(body), NULL, 0, NULL, &rec, &err);
			if (rc != TR_EIO)
				fail_msg("fail at %zu: rc %d (%s)", fail_at, rc, err.msg);
			assert_int_equal(err.code, TR_EIO);
			assert_int_equal(rec.n_calls, fail_at); /* nothing after the failure */
			assert_non_null(strstr(err.msg, silent ? "handler failed" : "failed"));
			strbuf_free(&rec.trace);
			arena_reset(a);
		}
	/* NULL callbacks are allowed. */
	tr_err err = TR_ERR_INIT;
	multipart_callbacks none = { NULL, NULL, NULL };
	multipart_parser *p = multipart_create(a, CT, NULL, &none, NULL, &err);
	assert_non_null(p);
	assert_int_equal(multipart_feed(p, S(body), &err), TR_OK);
	assert_int_equal(multipart_finish(p, &err), TR_OK);
	assert_int_equal(multipart_n_parts(p), 2);
	assert_non_null(multipart_create(a, CT, NULL, NULL, NULL, &err));
}

/* Content arrives in as few pieces as the chunks allow, even when full of delimiter prefixes. */
static void test_data_runs(void **state)
{
	arena *a = *state;
	static char body[4096];
	size_t len = (size_t)snprintf(body, sizeof body, "--XyZ\r\n" CD "c\r\n\r\n");
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(body + len, sizeof body - len, i % 3 ? "\r\r\n--Xy" : "\r\n--X");
	len += (size_t)snprintf(body + len, sizeof body - len, "\r\n--XyZ--");
	static const size_t chunks[] = { 0, 1000, 97, 10 };
	for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
		size_t cuts[512], n = 0;
		for (size_t at = chunks[k]; chunks[k] && at < len; at += chunks[k])
			cuts[n++] = at;
		recorder rec;
		rec_init(&rec);
		tr_err err = TR_ERR_INIT;
		assert_int_equal(run_cuts(a, CT, body, len, cuts, n, NULL, &rec, &err), TR_OK);
		/* One run per chunk, plus one for bytes a failed match carried into the next chunk. */
		if (rec.n_data > 2 * (n + 1))
			fail_msg("chunk %zu: %zu data calls for %zu chunks", chunks[k], rec.n_data, n + 1);
		strbuf_free(&rec.trace);
		arena_reset(a);
	}
}

/* ---- random forms under random chunkings -------------------------------------------------------- */

static unsigned long rng_state = 12345;

static unsigned rng(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static int contains(const char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(h + i, needle, k) == 0)
			return 1;
	return 0;
}

static void test_random_forms(void **state)
{
	arena *a = *state;
	/* Content drawn from bytes that build delimiter prefixes, so partial matches are frequent. */
	static const char alphabet[] = "\r\n-XyZa\0";
	strbuf body = STRBUF_INIT(0), expect = STRBUF_INIT(0);
	for (int form = 0; form < 400; form++) {
		strbuf_reset(&body);
		strbuf_reset(&expect);
		if (rng(4) == 0)
			strbuf_puts(&body, "preamble -- XyZ\r\n");
		unsigned n_parts = rng(5);
		for (unsigned k = 0; k < n_parts; k++) {
			char content[48];
			size_t clen;
			do {
				clen = rng(sizeof content);
				for (size_t j = 0; j < clen; j++)
					content[j] = alphabet[rng(sizeof alphabet - 1)];
				/* The delimiter must not occur in the content, nor across its end ("\r\n--XyZ"
				 * split between content and the real delimiter cannot happen: that starts with CR). */
			} while (contains(content, clen, "\r\n--XyZ"));
			strbuf_printf(&body, "--XyZ\r\n" CD "\"f%u\"\r\n\r\n", k);
			strbuf_add(&body, content, clen);
			strbuf_puts(&body, "\r\n");
			strbuf_printf(&expect, "<f%u|-|>", k);
			strbuf_add(&expect, content, clen);
			strbuf_puts(&expect, "</>");
		}
		strbuf_puts(&body, "--XyZ--");
		if (rng(2))
			strbuf_puts(&body, "\r\nepilogue\r\n--XyZ\r\n");
		assert_false(strbuf_failed(&body) || strbuf_failed(&expect));
		for (int chunking = 0; chunking < 10; chunking++) {
			size_t cuts[16], n_cuts = rng(16), len = strbuf_len(&body);
			for (size_t c = 0; c < n_cuts; c++)
				cuts[c] = rng((unsigned)len + 1);
			for (size_t c = 1; c < n_cuts; c++) /* insertion sort: offsets must increase */
				for (size_t d = c; d > 0 && cuts[d - 1] > cuts[d]; d--) {
					size_t t = cuts[d];
					cuts[d] = cuts[d - 1];
					cuts[d - 1] = t;
				}
			recorder rec;
			rec_init(&rec);
			tr_err err = TR_ERR_INIT;
			int rc = run_cuts(a, CT, strbuf_str(&body), len, cuts, n_cuts, NULL, &rec, &err);
			if (rc != TR_OK || strbuf_len(&rec.trace) != strbuf_len(&expect) ||
			    memcmp(strbuf_str(&rec.trace), strbuf_str(&expect), strbuf_len(&expect)) != 0)
				fail_msg("form %d chunking %d: rc %d (%s)", form, chunking, rc, err.msg);
			strbuf_free(&rec.trace);
			arena_reset(a);
		}
	}
	strbuf_free(&body);
	strbuf_free(&expect);
}

/* ---- a body produced by curl ---------------------------------------------------------------------- */

/* Captured from curl 7.88.1 by a listener on 127.0.0.1:
 *   curl -F REQUEST=doQuery -F LANG=ADQL -F 'QUERY=SELECT TOP 5 * FROM TAP_UPLOAD.mine AS m' \
 *        -F 'UPLOAD=mine,param:t1' -F 't1=@mine.xml;type=application/x-votable+xml' URL */
static const char curl_type[] = "multipart/form-data; boundary=------------------------f912d2e7912a3726";
static const char curl_votable[] =
	"<?xml version=\"1.0\"?>\n"
	"<VOTABLE version=\"1.4\"><RESOURCE><TABLE><FIELD name=\"ra\" datatype=\"double\"/><DATA><TABLEDATA>"
	"<TR><TD>1.5</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n";
static const char curl_body[] =
	"--------------------------f912d2e7912a3726\r\n"
	"Content-Disposition: form-data; name=\"REQUEST\"\r\n"
	"\r\n"
	"doQuery\r\n"
	"--------------------------f912d2e7912a3726\r\n"
	"Content-Disposition: form-data; name=\"LANG\"\r\n"
	"\r\n"
	"ADQL\r\n"
	"--------------------------f912d2e7912a3726\r\n"
	"Content-Disposition: form-data; name=\"QUERY\"\r\n"
	"\r\n"
	"SELECT TOP 5 * FROM TAP_UPLOAD.mine AS m\r\n"
	"--------------------------f912d2e7912a3726\r\n"
	"Content-Disposition: form-data; name=\"UPLOAD\"\r\n"
	"\r\n"
	"mine,param:t1\r\n"
	"--------------------------f912d2e7912a3726\r\n"
	"Content-Disposition: form-data; name=\"t1\"; filename=\"mine.xml\"\r\n"
	"Content-Type: application/x-votable+xml\r\n"
	"\r\n"
	"<?xml version=\"1.0\"?>\n"
	"<VOTABLE version=\"1.4\"><RESOURCE><TABLE><FIELD name=\"ra\" datatype=\"double\"/><DATA><TABLEDATA>"
	"<TR><TD>1.5</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n"
	"\r\n"
	"--------------------------f912d2e7912a3726--\r\n";

static void test_curl_body(void **state)
{
	arena *a = *state;
	assert_int_equal(sizeof curl_body - 1, 826); /* the Content-Length curl sent */
	strbuf expect = STRBUF_INIT(0);
	strbuf_puts(&expect, "<REQUEST|-|>doQuery</><LANG|-|>ADQL</><QUERY|-|>SELECT TOP 5 * FROM TAP_UPLOAD.mine AS m</>"
	                     "<UPLOAD|-|>mine,param:t1</><t1|mine.xml|application/x-votable+xml>");
	strbuf_puts(&expect, curl_votable);
	strbuf_puts(&expect, "</>");
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 64, 100, 4096 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		recorder rec;
		rec_init(&rec);
		tr_err err = TR_ERR_INIT;
		int rc;
		if (chunks[i] == 0) {
			rc = run_cuts(a, curl_type, S(curl_body), NULL, 0, NULL, &rec, &err);
		} else {
			size_t cuts[900], n = 0;
			for (size_t at = chunks[i]; at < sizeof curl_body - 1 && n < 900; at += chunks[i])
				cuts[n++] = at;
			rc = run_cuts(a, curl_type, S(curl_body), cuts, n, NULL, &rec, &err);
		}
		if (rc != TR_OK)
			fail_msg("chunk %zu: rc %d (%s)", chunks[i], rc, err.msg);
		assert_string_equal(strbuf_str(&rec.trace), strbuf_str(&expect));
		strbuf_free(&rec.trace);
		arena_reset(a);
	}
	strbuf_free(&expect);
}

/* ---- http_request_read_multipart ------------------------------------------------------------------ */

typedef struct mem_source {
	const char *data;
	size_t len;
	size_t pos;
	size_t chunk; /* bytes per read at most; 0 = as many as asked */
	int fail;     /* the read after this many bytes fails; 0 = never */
	int n_reads;
} mem_source;

static ssize_t mem_read(void *ctx, char *p, size_t n)
{
	mem_source *m = ctx;
	m->n_reads++;
	if (m->fail && m->pos >= (size_t)m->fail)
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

/* Up to this many CGI variables per request. */
#define MAX_ENV 6

static void init_request(http_request *r, arena *a, const char *ct, const char *length)
{
	char **env = arena_calloc(a, MAX_ENV + 1, sizeof *env);
	assert_non_null(env);
	env[0] = arena_strdup(a, "REQUEST_METHOD=POST");
	env[1] = arena_strdup(a, "QUERY_STRING=MAXREC=10&lang=first");
	env[2] = arena_printf(a, "CONTENT_TYPE=%s", ct);
	env[3] = length ? arena_strdup(a, length) : NULL;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(http_request_init(r, a, env, "", &err), TR_OK);
}

/* Records what the file callback sees. */
typedef struct file_log {
	strbuf trace;
	int fail_on;        /* an event kind to fail on, -1 = none */
} file_log;

static int file_cb(void *ctx, multipart_event ev, const multipart_part *part, const char *p, size_t n, tr_err *err)
{
	file_log *f = ctx;
	switch (ev) {
	case MULTIPART_PART_BEGIN:
		strbuf_printf(&f->trace, "[%s %s %s]", part->name, part->filename, part->content_type);
		break;
	case MULTIPART_PART_DATA:
		strbuf_add(&f->trace, p, n);
		break;
	case MULTIPART_PART_END:
		strbuf_puts(&f->trace, "[end]");
		break;
	}
	if ((int)ev == f->fail_on)
		return tr_err_set(err, TR_EIO, -1, 0, "no room for the upload");
	return TR_OK;
}

static void test_read_multipart_curl(void **state)
{
	arena *a = *state;
	static const size_t chunks[] = { 0, 1, 5, 100 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		http_request r;
		init_request(&r, a, curl_type, "CONTENT_LENGTH=826");
		mem_source src = { curl_body, sizeof curl_body - 1, 0, chunks[i], 0, 0 };
		file_log log = { STRBUF_INIT(0), -1 };
		tr_err err = TR_ERR_INIT;
		int rc = http_request_read_multipart(&r, a, (tr_source){ mem_read, &src }, NULL, file_cb, &log, &err);
		if (rc != TR_OK)
			fail_msg("chunk %zu: rc %d (%s)", chunks[i], rc, err.msg);
		/* The query string first, then the text parts, in order; the file went to the callback. */
		static const char *const names[] = { "MAXREC", "lang", "REQUEST", "LANG", "QUERY", "UPLOAD" };
		static const char *const values[] = { "10", "first", "doQuery", "ADQL", "SELECT TOP 5 * FROM TAP_UPLOAD.mine AS m",
			                              "mine,param:t1" };
		assert_int_equal(r.n_params, 6);
		const http_param *p = r.params;
		for (size_t k = 0; k < 6; k++, p = p->next) {
			assert_string_equal(p->name, names[k]);
			assert_string_equal(p->value, values[k]);
			assert_int_equal(p->value_len, strlen(values[k]));
		}
		assert_null(p);
		assert_ptr_equal(r.params_tail, http_param_find(&r, "upload"));
		strbuf expect = STRBUF_INIT(0);
		strbuf_printf(&expect, "[t1 mine.xml application/x-votable+xml]%s[end]", curl_votable);
		assert_string_equal(strbuf_str(&log.trace), strbuf_str(&expect));
		strbuf_free(&expect);
		strbuf_free(&log.trace);
		arena_reset(a);
	}
}

static void test_read_multipart_errors(void **state)
{
	arena *a = *state;
	static const char text[] = "--b\r\n" CD "\"q\"\r\n\r\nx\0y\r\n--b\r\n" CD "\"e\"\r\n\r\n\r\n--b--\r\n";
	static const char file[] = "--b\r\n" CD "\"q\"\r\n\r\nx\r\n--b\r\n" CD "\"t\"; filename=\"t.xml\"\r\n\r\n<x/>\r\n--b--";
	static const char cut[] = "--b\r\n" CD "\"q\"\r\n\r\nx\r\n--b";
	static const struct {
		const char *ct;
		const char *length;  /* CONTENT_LENGTH variable or NULL */
		const char *body;
		size_t len;
		int with_file_cb;
		int fail_source;     /* the source fails after this many bytes (0 = never) */
		int fail_on;         /* file callback fails on this event (-1 = never) */
		int rc;
		int n_params;        /* parameters afterwards, when rc is TR_OK (2 from the query string) */
		const char *msg;     /* substring of the message, when rc is an error */
	} cases[] = {
		{ "multipart/form-data; boundary=b", NULL, S(text), 0, 0, -1, TR_OK, 4, NULL },
		{ "multipart/form-data; boundary=b", NULL, S(file), 0, 0, -1, TR_EBADREQ, 0, "file parts are not accepted here" },
		{ "multipart/form-data; boundary=b", NULL, S(file), 1, 0, -1, TR_OK, 3, NULL },
		{ "multipart/form-data; boundary=b", NULL, S(file), 1, 0, MULTIPART_PART_BEGIN, TR_EIO, 0, "no room" },
		{ "multipart/form-data; boundary=b", NULL, S(file), 1, 0, MULTIPART_PART_DATA, TR_EIO, 0, "no room" },
		{ "multipart/form-data; boundary=b", NULL, S(file), 1, 0, MULTIPART_PART_END, TR_EIO, 0, "no room" },
		{ "multipart/form-data; boundary=b", NULL, S(cut), 0, 0, -1, TR_EBADREQ, 0, "truncated multipart body" },
		{ "multipart/form-data; boundary=b", NULL, S(text), 0, 20, -1, TR_EIO, 0, "error reading" },
		{ "multipart/form-data; boundary=b", "CONTENT_LENGTH=67108865", S(text), 0, 0, -1, TR_ELIMIT, 0, "longer than" },
		{ "multipart/form-data", NULL, S(text), 0, 0, -1, TR_EBADREQ, 0, "without a boundary" },
		/* Not multipart: left alone, nothing read. */
		{ "application/x-www-form-urlencoded", NULL, S(text), 0, 0, -1, TR_OK, 2, NULL },
		{ "", NULL, S(text), 0, 0, -1, TR_OK, 2, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		http_request r;
		init_request(&r, a, cases[i].ct, cases[i].length);
		mem_source src = { cases[i].body, cases[i].len, 0, 0, cases[i].fail_source, 0 };
		file_log log = { STRBUF_INIT(0), cases[i].fail_on };
		tr_err err = TR_ERR_INIT;
		int rc = http_request_read_multipart(&r, a, (tr_source){ mem_read, &src }, NULL,
		                                     cases[i].with_file_cb ? file_cb : NULL, &log, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, expected %d (%s)", i, rc, cases[i].rc, err.msg);
		if (rc == TR_OK) {
			assert_int_equal(r.n_params, cases[i].n_params);
			if (!multipart_is_form_data(cases[i].ct))
				assert_int_equal(src.n_reads, 0);
		} else {
			assert_int_equal(err.code, rc);
			if (strstr(err.msg, cases[i].msg) == NULL)
				fail_msg("case %zu: message '%s', expected '%s' in it", i, err.msg, cases[i].msg);
		}
		if (i == 0) { /* NUL inside a value is kept; an empty part is an empty value */
			const http_param *q = http_param_find(&r, "q");
			assert_int_equal(q->value_len, 3);
			assert_memory_equal(q->value, "x\0y", 4);
			assert_int_equal(http_param_find(&r, "e")->value_len, 0);
			assert_string_equal(http_param_find(&r, "e")->value, "");
		}
		if (i == 8)
			assert_int_equal(src.n_reads, 0); /* refused before reading */
		strbuf_free(&log.trace);
		arena_reset(a);
	}
}

/* Text values: HTTP_FORM_MAX bytes in total pass, one more fails, wherever the excess falls. */
static void test_read_multipart_text_limit(void **state)
{
	arena *a = *state;
	static const struct {
		size_t first, second; /* bytes of the two values */
		int rc;
	} cases[] = {
		{ HTTP_FORM_MAX, 0, TR_OK }, { HTTP_FORM_MAX + 1, 0, TR_ELIMIT },
		{ HTTP_FORM_MAX - 10, 10, TR_OK }, { HTTP_FORM_MAX - 10, 11, TR_ELIMIT },
	};
	size_t cap = HTTP_FORM_MAX + 256;
	char *body = malloc(cap);
	assert_non_null(body);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = (size_t)snprintf(body, cap, "--b\r\n" CD "a\r\n\r\n");
		memset(body + len, 'x', cases[i].first);
		len += cases[i].first;
		len += (size_t)snprintf(body + len, cap - len, "\r\n--b\r\n" CD "b\r\n\r\n");
		memset(body + len, 'y', cases[i].second);
		len += cases[i].second;
		len += (size_t)snprintf(body + len, cap - len, "\r\n--b--");
		http_request r;
		init_request(&r, a, "multipart/form-data; boundary=b", NULL);
		mem_source src = { body, len, 0, 0, 0, 0 };
		tr_err err = TR_ERR_INIT;
		int rc = http_request_read_multipart(&r, a, (tr_source){ mem_read, &src }, NULL, NULL, NULL, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d (%s)", i, rc, err.msg);
		if (rc == TR_OK)
			assert_int_equal(http_param_find(&r, "a")->value_len, cases[i].first);
		else
			assert_int_equal(err.http_status, 413);
		arena_reset(a);
	}
	free(body);
}

/* Every allocation from the arena fails in turn: a clean TR_ENOMEM each time, then success. */
static void test_read_multipart_alloc_failures(void **state)
{
	arena *a = *state;
	int succeeded = 0;
	for (unsigned long n = 1; n < 200 && !succeeded; n++) {
		http_request r;
		init_request(&r, a, curl_type, NULL);
		mem_source src = { curl_body, sizeof curl_body - 1, 0, 0, 0, 0 };
		file_log log = { STRBUF_INIT(0), -1 };
		tr_err err = TR_ERR_INIT;
		arena_fail_after(n);
		int rc = http_request_read_multipart(&r, a, (tr_source){ mem_read, &src }, NULL, file_cb, &log, &err);
		arena_fail_after(0);
		if (rc == TR_OK) {
			succeeded = 1;
			assert_int_equal(r.n_params, 6);
		} else if (rc != TR_ENOMEM || err.code != TR_ENOMEM) {
			fail_msg("failing allocation %lu: rc %d (%s)", n, rc, err.msg);
		}
		strbuf_free(&log.trace);
		arena_reset(a);
	}
	assert_true(succeeded);
}

/* ---- the fuzzing corpus ------------------------------------------------------------------------- */

/* Replays tests/fuzz/multipart/ (each file: a Content-Type line, then the body) whole and one byte
 * at a time: no crash, no leak, no result but success or a client error. */
static void test_fuzz_corpus(void **state)
{
	arena *a = *state;
	const char *top = getenv("top_srcdir");
	if (top == NULL)
		skip();
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/tests/fuzz/multipart", top);
	DIR *d = opendir(dir);
	if (d == NULL)
		skip();
	int n_files = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.' || strstr(e->d_name, "README"))
			continue;
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		static char buf[1 << 16];
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = '\0';
		char *nl = memchr(buf, '\n', len);
		assert_non_null(nl);
		*nl = '\0';
		const char *body = nl + 1;
		size_t blen = len - (size_t)(body - buf);
		for (int bytewise = 0; bytewise < 2; bytewise++) {
			recorder rec;
			rec_init(&rec);
			tr_err err = TR_ERR_INIT;
			int rc = bytewise ? run_bytewise(a, buf, body, blen, NULL, &rec, &err)
			                  : run_cuts(a, buf, body, blen, NULL, 0, NULL, &rec, &err);
			if (rc != TR_OK && rc != TR_EBADREQ && rc != TR_ELIMIT)
				fail_msg("%s: rc %d (%s)", e->d_name, rc, err.msg);
			strbuf_free(&rec.trace);
			arena_reset(a);
		}
		n_files++;
	}
	closedir(d);
	assert_true(n_files > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boundary, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_samples_every_chunking, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_truncation_details, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_quoted_boundary_bodies, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_limits, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_callback_failures, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_data_runs, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_random_forms, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_curl_body, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_read_multipart_curl, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_read_multipart_errors, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_read_multipart_text_limit, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_read_multipart_alloc_failures, tr_test_arena_setup, tr_test_arena_teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_corpus, tr_test_arena_setup, tr_test_arena_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
