/* test_err: the project-wide error value (src/util/err.h).
 *
 * The first recorded error wins; every code from TR_CODE_MIN to TR_OK has its own text and an HTTP
 * status (STYLE.md: "a unit test walks every code"); line and column count UTF-8 characters.
 * Each test gets a fresh, cleared tr_err. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
	tr_err *err = malloc(sizeof *err);
	if (err == NULL)
		return -1;
	tr_err_clear(err);
	*state = err;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_init_and_clear(void **state)
{
	tr_err *err = *state;
	tr_err fresh = TR_ERR_INIT;
	assert_int_equal(fresh.code, TR_OK);
	assert_int_equal(fresh.pos, -1);
	assert_int_equal(fresh.len, 0);
	assert_string_equal(fresh.msg, "");
	assert_string_equal(fresh.detail, "");
	assert_false(tr_err_isset(&fresh));
	assert_false(tr_err_isset(err));
	tr_err_set(err, TR_ESYNTAX, 5, 2, "x");
	tr_err_detail(err, "d");
	tr_err_clear(err);
	assert_false(tr_err_isset(err));
	assert_int_equal(err->pos, -1);
	assert_string_equal(err->msg, "");
	assert_string_equal(err->detail, "");
}

static void test_set_records_everything(void **state)
{
	tr_err *err = *state;
	int rc = tr_err_set(err, TR_ESYNTAX, 12, 4, "syntax error at or near \"%s\"", "FORM");
	assert_int_equal(rc, TR_ESYNTAX);
	assert_true(tr_err_isset(err));
	assert_int_equal(err->code, TR_ESYNTAX);
	assert_int_equal(err->http_status, 400);
	assert_int_equal(err->pos, 12);
	assert_int_equal(err->len, 4);
	assert_string_equal(err->msg, "syntax error at or near \"FORM\"");
	assert_string_equal(err->detail, "");
}

static void test_first_error_wins(void **state)
{
	tr_err *err = *state;
	tr_err_set(err, TR_ENAME, 3, 1, "unknown column '%s'", "x");
	int rc = tr_err_set(err, TR_EINTERNAL, 99, 9, "later, less specific");
	assert_int_equal(rc, TR_EINTERNAL); /* the caller's code comes back, the record stays */
	assert_int_equal(err->code, TR_ENAME);
	assert_int_equal(err->http_status, 400);
	assert_int_equal(err->pos, 3);
	assert_int_equal(err->len, 1);
	assert_string_equal(err->msg, "unknown column 'x'");
	/* After a clear, the next one is recorded. */
	tr_err_clear(err);
	tr_err_set(err, TR_ETIMEOUT, -1, 0, "second");
	assert_int_equal(err->code, TR_ETIMEOUT);
	assert_string_equal(err->msg, "second");
}

static void test_null_err_is_accepted(void **state)
{
	(void)state;
	assert_int_equal(tr_err_set(NULL, TR_EIO, -1, 0, "nobody listens"), TR_EIO);
	tr_err_detail(NULL, "ignored");
}

static void test_detail(void **state)
{
	tr_err *err = *state;
	tr_err_detail(err, "no error yet: ignored");
	assert_string_equal(err->detail, "");
	tr_err_set(err, TR_ETYPE, -1, 0, "wrong argument");
	tr_err_detail(err, "ADQL 2.1 %s", "§2.4");
	assert_string_equal(err->detail, "ADQL 2.1 §2.4");
	tr_err_detail(err, "second detail");
	assert_string_equal(err->detail, "ADQL 2.1 §2.4");
	/* A later tr_err_set is ignored and does not wipe the detail. */
	tr_err_set(err, TR_EIO, -1, 0, "x");
	assert_string_equal(err->detail, "ADQL 2.1 §2.4");
}

static void test_long_messages_truncated(void **state)
{
	tr_err *err = *state;
	char big[TR_ERR_MSG_MAX * 2];
	memset(big, 'm', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	tr_err_set(err, TR_EBADREQ, -1, 0, "%s", big);
	assert_int_equal(strlen(err->msg), TR_ERR_MSG_MAX - 1);
	tr_err_detail(err, "%s", big);
	assert_int_equal(strlen(err->detail), TR_ERR_DETAIL_MAX - 1);
}

static void test_every_code_has_text_and_status(void **state)
{
	(void)state;
	int n = 0;
	for (int code = TR_CODE_MIN; code <= TR_OK; code++, n++) {
		const char *text = tr_err_text(code);
		assert_non_null(text);
		if (strcmp(text, "unknown error") == 0 || text[0] == '\0')
			fail_msg("code %d has no text", code);
		int http = tr_err_http(code);
		if (code == TR_OK)
			assert_int_equal(http, 200);
		else if (http < 400 || http > 599)
			fail_msg("code %d (%s) maps to HTTP %d, not an error status", code, text, http);
		/* Texts are distinct, so a log line names the code unambiguously. */
		for (int other = TR_CODE_MIN; other < code; other++)
			if (strcmp(tr_err_text(other), text) == 0)
				fail_msg("codes %d and %d share the text '%s'", other, code, text);
		/* tr_err_set copies the status from the same table. */
		tr_err e = TR_ERR_INIT;
		if (code != TR_OK) {
			tr_err_set(&e, code, -1, 0, "x");
			assert_int_equal(e.http_status, http);
		}
	}
	assert_int_equal(n, 1 - TR_CODE_MIN);
	/* Outside the table. */
	assert_string_equal(tr_err_text(TR_CODE_MIN - 1), "unknown error");
	assert_string_equal(tr_err_text(1), "unknown error");
	assert_int_equal(tr_err_http(TR_CODE_MIN - 1), 500);
}

static void test_code_statuses(void **state)
{
	(void)state;
	/* The statuses clients and web servers act on (DALI 1.1 §4.2, TAP 1.1 §2.9 errors). */
	static const struct {
		int code, http;
	} cases[] = {
		{ TR_ENOMEM, 500 },       { TR_EDB_UNAVAILABLE, 503 }, { TR_EBADREQ, 400 },
		{ TR_ENOTFOUND, 404 },    { TR_EMETHOD, 405 },         { TR_ELIMIT, 413 },
		{ TR_ESYNTAX, 400 },      { TR_ENAME, 400 },           { TR_EFORBIDDEN, 403 },
		{ TR_ECONFLICT, 409 },    { TR_EENCODING, 400 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(tr_err_http(cases[i].code), cases[i].http);
}

static void test_linecol(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t pos;
		int line, col;
	} cases[] = {
		{ "", 0, 1, 1 },
		{ "SELECT", 0, 1, 1 },
		{ "SELECT x", 7, 1, 8 },
		{ "a\nb", 2, 2, 1 },
		{ "a\nbc", 3, 2, 2 },
		{ "a\n\n\nxyz", 6, 4, 3 },
		{ "line\n", 5, 2, 1 },                   /* just after a final newline */
		{ "\xC3\xA9x", 2, 1, 2 },                /* é is two bytes, one character */
		{ "\xC3\xA9\xC3\xA9x", 4, 1, 3 },
		{ "\xE6\x97\xA5\xE6\x9C\xAC x", 7, 1, 4 }, /* 日本: three bytes each */
		{ "\xF0\x9F\x98\x80y", 4, 1, 2 },         /* a four-byte sequence */
		{ "\xC3\xA9\n\xC3\xA9z", 5, 2, 2 },
		{ "ab", 100, 1, 3 },                     /* past the end: stops at the NUL */
		{ "\tx", 1, 1, 2 },                      /* a tab is one character */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int line = 0, col = 0;
		tr_err_linecol(cases[i].text, cases[i].pos, &line, &col);
		if (line != cases[i].line || col != cases[i].col)
			fail_msg("case %zu: pos %zu gave %d:%d, expected %d:%d", i, cases[i].pos, line, col,
			         cases[i].line, cases[i].col);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_records_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_error_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_err_is_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_messages_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_code_has_text_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linecol, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
