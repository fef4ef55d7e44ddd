/* test_response: status, headers and the buffered body over a tr_sink (src/http/response.h).
 *
 * A memory sink records every write (and can be told to fail from the n-th write on), so the tests
 * see exactly what reaches the FastCGI stream and when: headers once, the body held back below
 * HTTP_FLUSH_THRESHOLD and sent past it, nothing of the body for HEAD, -1 after a failed write.
 * Each test gets a fresh sink and response. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <config.h>
/* Every header block names the software (src/http/response.c). */
#define SERVER_LINE "Server: taproom/" PACKAGE_VERSION "\r\n"

#include "http/response.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mem_sink {
	strbuf out;      /* everything written */
	int n_writes;    /* write calls that succeeded */
	int fail_from;   /* 1-based write call that fails, and every one after; 0 = never */
	int n_calls;     /* write calls, failed ones included */
} mem_sink;

static int mem_write(void *ctx, const char *p, size_t n)
{
	mem_sink *m = ctx;
	m->n_calls++;
	if (m->fail_from && m->n_calls >= m->fail_from)
		return -1;
	strbuf_add(&m->out, p, n);
	m->n_writes++;
	return strbuf_failed(&m->out) ? -1 : 0;
}

typedef struct fixture {
	mem_sink sink;
	http_response r;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	strbuf_init(&f->sink.out, 0);
	http_response_init(&f->r, (tr_sink){ mem_write, &f->sink });
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	http_response_free(&f->r);
	strbuf_free(&f->sink.out);
	free(f);
	return 0;
}

static const char *out(const fixture *f) { return strbuf_str(&f->sink.out); }

/* Occurrences of needle in the sink's output. */
static int count(const fixture *f, const char *needle)
{
	int n = 0;
	for (const char *p = out(f); (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* The body: what follows the blank line ending the headers. */
static const char *body(const fixture *f)
{
	const char *p = strstr(out(f), "\r\n\r\n");
	assert_non_null(p);
	return p + 4;
}

static void test_defaults(void **state)
{
	fixture *f = *state;
	assert_false(http_response_started(&f->r));
	assert_int_equal(http_puts(&f->r, "hello"), 0);
	assert_int_equal(f->sink.n_calls, 0); /* buffered */
	assert_int_equal(http_flush(&f->r), 0);
	assert_true(http_response_started(&f->r));
	assert_string_equal(out(f), "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" SERVER_LINE "\r\nhello");
	assert_int_equal(f->r.body_bytes, 5);
}

static void test_status_lines(void **state)
{
	(void)state;
	static const struct {
		int status;
		const char *line;
	} cases[] = {
		{ 200, "Status: 200 OK\r\n" },
		{ 303, "Status: 303 See Other\r\n" },
		{ 400, "Status: 400 Bad Request\r\n" },
		{ 404, "Status: 404 Not Found\r\n" },
		{ 405, "Status: 405 Method Not Allowed\r\n" },
		{ 413, "Status: 413 Payload Too Large\r\n" },
		{ 500, "Status: 500 Internal Server Error\r\n" },
		{ 503, "Status: 503 Service Unavailable\r\n" },
		{ 299, "Status: 299 Unknown\r\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		void *st = NULL;
		assert_int_equal(setup(&st), 0);
		fixture *f = st;
		http_set_status(&f->r, cases[i].status);
		assert_int_equal(http_flush(&f->r), 0);
		const char *o = out(f);
		if (strncmp(o, cases[i].line, strlen(cases[i].line)) != 0)
			fail_msg("status %d gave '%s'", cases[i].status, o);
		teardown(&st);
	}
}

static void test_every_error_status_has_a_reason(void **state)
{
	(void)state;
	/* Whatever status the error table picks, the status line names it. */
	for (int code = TR_CODE_MIN; code <= TR_OK; code++) {
		int status = tr_err_http(code);
		if (strcmp(http_reason(status), "Unknown") == 0)
			fail_msg("no reason phrase for HTTP %d (code %d)", status, code);
	}
}

static void test_headers_sent_once(void **state)
{
	fixture *f = *state;
	http_set_status(&f->r, 404);
	http_set_content_type(&f->r, "application/x-votable+xml");
	assert_int_equal(http_add_header(&f->r, "Cache-Control: no-cache"), 0);
	assert_int_equal(http_add_header(&f->r, "X-Extra: 1"), 0);
	assert_int_equal(http_puts(&f->r, "part1 "), 0);
	assert_int_equal(http_flush(&f->r), 0);
	/* Once started, the status and headers are fixed. */
	assert_int_equal(http_add_header(&f->r, "X-Late: 1"), -1);
	http_set_status(&f->r, 500);
	assert_int_equal(http_printf(&f->r, "part%d", 2), 0);
	assert_int_equal(http_flush(&f->r), 0);
	assert_int_equal(http_flush(&f->r), 0); /* nothing pending: no second header block */
	assert_string_equal(out(f),
	                    "Status: 404 Not Found\r\n"
	                    "Content-Type: application/x-votable+xml\r\n" SERVER_LINE ""
	                    "Cache-Control: no-cache\r\n"
	                    "X-Extra: 1\r\n"
	                    "\r\n"
	                    "part1 part2");
	assert_int_equal(count(f, "Status:"), 1);
	assert_int_equal(count(f, "X-Late"), 0);
}

static void test_header_table_full(void **state)
{
	fixture *f = *state;
	static char names[HTTP_MAX_HEADERS][32]; /* kept by pointer until the flush */
	for (int i = 0; i < HTTP_MAX_HEADERS; i++) {
		snprintf(names[i], sizeof names[i], "H%d: x", i);
		assert_int_equal(http_add_header(&f->r, names[i]), 0);
	}
	assert_int_equal(http_add_header(&f->r, "Overflow: x"), -1);
	assert_int_equal(http_flush(&f->r), 0);
	char last[48];
	snprintf(last, sizeof last, "%s\r\n\r\n", names[HTTP_MAX_HEADERS - 1]);
	assert_int_equal(count(f, last), 1);
	assert_int_equal(count(f, "H0: x\r\n"), 1);
	assert_int_equal(count(f, "Overflow"), 0);
}

static void test_buffering_threshold(void **state)
{
	fixture *f = *state;
	const size_t t = HTTP_FLUSH_THRESHOLD;
	char *data = malloc(t + 1);
	assert_non_null(data);
	memset(data, 'b', t + 1);
	/* Just below the threshold in one write: still held back, status can change. */
	assert_int_equal(http_write(&f->r, data, t - 1), 0);
	assert_int_equal(f->sink.n_calls, 0);
	assert_false(http_response_started(&f->r));
	http_set_status(&f->r, 503);
	/* The byte that reaches the threshold sends headers, the pending body and the new bytes. */
	assert_int_equal(http_write(&f->r, "c", 1), 0);
	assert_true(http_response_started(&f->r));
	assert_true(f->sink.n_calls > 0);
	assert_int_equal(strncmp(out(f), "Status: 503 ", 12), 0);
	const char *b = body(f);
	assert_int_equal(strlen(b), t);
	assert_int_equal(b[t - 2], 'b');
	assert_int_equal(b[t - 1], 'c');
	/* Small writes after that are buffered again until the next flush. */
	int calls = f->sink.n_calls;
	assert_int_equal(http_puts(&f->r, "tail"), 0);
	assert_int_equal(f->sink.n_calls, calls);
	assert_int_equal(http_flush(&f->r), 0);
	assert_int_equal(f->sink.n_calls, calls + 1);
	assert_int_equal(strlen(body(f)), t + 4);
	assert_int_equal(f->r.body_bytes, t + 4);
	free(data);
}

static void test_large_single_write(void **state)
{
	fixture *f = *state;
	const size_t big = 5 * HTTP_FLUSH_THRESHOLD + 17; /* beyond the pending buffer's ceiling too */
	char *data = malloc(big);
	assert_non_null(data);
	for (size_t i = 0; i < big; i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(http_puts(&f->r, "head:"), 0);
	assert_int_equal(http_write(&f->r, data, big), 0);
	assert_int_equal(http_flush(&f->r), 0);
	const char *b = body(f);
	assert_int_equal(strlen(b), 5 + big);
	assert_memory_equal(b, "head:", 5);
	assert_memory_equal(b + 5, data, big);
	free(data);
}

static void test_printf_long(void **state)
{
	fixture *f = *state;
	/* Longer than http_printf's stack buffer. */
	assert_int_equal(http_printf(&f->r, "<%0*d>", 2000, 7), 0);
	assert_int_equal(http_flush(&f->r), 0);
	const char *b = body(f);
	assert_int_equal(strlen(b), 2002);
	assert_int_equal(b[0], '<');
	assert_int_equal(b[2000], '7');
	assert_int_equal(b[2001], '>');
}

static void test_head_suppresses_body(void **state)
{
	fixture *f = *state;
	f->r.head_only = 1;
	http_set_content_type(&f->r, "text/xml");
	assert_int_equal(http_puts(&f->r, "<small/>"), 0);
	/* A write past the threshold goes nowhere either. */
	char *data = malloc(HTTP_FLUSH_THRESHOLD * 2);
	assert_non_null(data);
	memset(data, 'x', HTTP_FLUSH_THRESHOLD * 2);
	assert_int_equal(http_write(&f->r, data, HTTP_FLUSH_THRESHOLD * 2), 0);
	assert_int_equal(http_flush(&f->r), 0);
	assert_int_equal(http_send_text(&f->r, 200, "more"), 0);
	assert_string_equal(out(f), "Status: 200 OK\r\nContent-Type: text/xml\r\n" SERVER_LINE "\r\n");
	assert_int_equal(f->r.body_bytes, 8 + HTTP_FLUSH_THRESHOLD * 2 + 5);
	free(data);
}

static void test_failing_sink(void **state)
{
	(void)state;
	/* The sink fails on its first write (the headers), or later, in the body. */
	static const struct {
		int fail_from;
		size_t before; /* body bytes written before the flush that meets the failure */
	} cases[] = {
		{ 1, 10 },
		{ 1, HTTP_FLUSH_THRESHOLD + 1 },
		{ 2, 10 },
		{ 2, HTTP_FLUSH_THRESHOLD * 3 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		void *st = NULL;
		assert_int_equal(setup(&st), 0);
		fixture *f = st;
		f->sink.fail_from = cases[i].fail_from;
		char *data = malloc(cases[i].before);
		assert_non_null(data);
		memset(data, 'd', cases[i].before);
		int rc = http_write(&f->r, data, cases[i].before);
		if (rc == 0)
			rc = http_flush(&f->r);
		assert_int_equal(rc, -1);
		assert_true(f->r.failed);
		/* Every later write reports it, without touching the sink again. */
		int calls = f->sink.n_calls;
		assert_int_equal(http_write(&f->r, "x", 1), -1);
		assert_int_equal(http_puts(&f->r, "y"), -1);
		assert_int_equal(http_printf(&f->r, "%d", 1), -1);
		assert_int_equal(http_write(&f->r, data, cases[i].before), -1);
		assert_int_equal(http_flush(&f->r), -1);
		assert_int_equal(http_send_text(&f->r, 500, "late"), -1);
		assert_int_equal(f->sink.n_calls, calls);
		free(data);
		teardown(&st);
	}
}

static void test_send_text(void **state)
{
	fixture *f = *state;
	http_set_content_type(&f->r, "application/json");
	assert_int_equal(http_send_text(&f->r, 404, "not found: /nowhere"), 0);
	assert_string_equal(out(f), "Status: 404 Not Found\r\n"
	                            "Content-Type: text/plain; charset=utf-8\r\n" SERVER_LINE ""
	                            "\r\n"
	                            "not found: /nowhere\n");
	assert_true(http_response_started(&f->r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test(test_status_lines),
		cmocka_unit_test(test_every_error_status_has_a_reason),
		cmocka_unit_test_setup_teardown(test_headers_sent_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffering_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_single_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_printf_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_suppresses_body, setup, teardown),
		cmocka_unit_test(test_failing_sink),
		cmocka_unit_test_setup_teardown(test_send_text, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
