/* test_adql_translate: the SQL translator (src/adql/translate.h) on queries resolved against
 * tests/adql/schema.xml.
 *
 * The bulk is declarative, in tests/adql/translate.cases (format at its top): each query's exact
 * SQL or error.  Every SQL text is also checked to be one statement: outside its quoted names and
 * string literals there is no ';', no comment, no double quote and no backslash.  The cmocka tests
 * below cover the two quoting functions, numbers, the geometry seam and the API's errors; the same
 * cases run on MariaDB in test_adql_db. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../adql/cases.h"
#include "adql/parser.h"
#include "adql/resolve.h"
#include "adql/translate.h"
#include "tap/catalog.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef adql_case_env fixture; /* the catalog of tests/adql/schema.xml and the queries' arena */

static int setup(void **state)
{
	static fixture f;
	*state = &f;
	return adql_case_env_open(&f);
}

static int teardown(void **state)
{
	adql_case_env_close(*state);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------------------ */

/* Parses, resolves and translates; the status of the first stage that failed. */
static int translate(fixture *f, const char *text, const adql_translate_opts *topts, const adql_resolve_opts *ropts,
                     strbuf *sql, tr_err *err)
{
	adql_query *q;
	adql_result_meta *meta;
	return adql_case_compile(f->cat, f->a, text, ropts, topts, sql, &q, &meta, err);
}

/* One statement: outside `names`, 'strings' and X'hex' there is no ;, no comment, no # and no
 * double quote or backslash (which sql_modes read differently). */
static bool is_one_statement(const char *s)
{
	while (*s) {
		char q = *s;
		if (q == '`' || q == '\'') {
			for (s++; *s && !(*s == q && s[1] != q); s += *s == q ? 2 : 1) {
			}
			if (*s == '\0')
				return false;
			s++;
			continue;
		}
		if (q == ';' || q == '#' || q == '"' || q == '\\' || (q == '-' && s[1] == '-') || (q == '/' && s[1] == '*'))
			return false;
		s++;
	}
	return true;
}

/* ---- the case file ------------------------------------------------------------------------------ */


static int run_case(const adql_case *c, void *ctx)
{
	fixture *f = ctx;
	strbuf query = STRBUF_INIT(0), sql = STRBUF_INIT(0);
	adql_translate_opts topts = { ADQL_DIALECT_MARIADB, 0, -1, NULL };
	adql_resolve_opts ropts = { false };
	const char *want_sql = adql_case_get(c, "sql"), *want_err = adql_case_get(c, "error");
	int failed = 0;
	if (adql_case_query(c, &query) != 0 || (want_sql == NULL) == (want_err == NULL))
		failed = adql_case_fail(c, c->line, "", "a case needs query: lines and either a sql: or an error: line");
	else if (!adql_case_opts(adql_case_get(c, "opts"), &topts, &ropts))
		failed = adql_case_fail(c, adql_case_line_of(c, "opts"), strbuf_str(&query), "malformed opts: line");
	if (failed) {
		strbuf_free(&query);
		return failed;
	}
	const char *q = strbuf_str(&query);
	tr_err err;
	int rc = translate(f, q, &topts, &ropts, &sql, &err);
	if (want_sql) {
		if (rc != TR_OK)
			failed = adql_case_fail(c, c->line, q, "failed: %s %ld '%s'", adql_case_code_name(rc), err.pos, err.msg);
		else if (strcmp(strbuf_str(&sql), want_sql) != 0)
			failed = adql_case_fail(c, adql_case_line_of(c, "sql"), q, "SQL differs\n    want: %s\n    got:  %s", want_sql,
			              strbuf_str(&sql));
		else if (!is_one_statement(strbuf_str(&sql)))
			failed = adql_case_fail(c, adql_case_line_of(c, "sql"), q, "not one clean statement: %s", strbuf_str(&sql));
	} else {
		failed = adql_case_check_error(c, q, rc, &err);
	}
	strbuf_free(&query);
	strbuf_free(&sql);
	return failed;
}

static void test_case_file(void **state)
{
	int n_cases;
	assert_int_equal(adql_cases_run_named("translate.cases", run_case, *state, &n_cases), 0);
	assert_true(n_cases >= 150);
}

/* ---- the quoting functions --------------------------------------------------------------------- */

static void check_string(const char *in, size_t len, const char *want)
{
	strbuf sb = STRBUF_INIT(0);
	adql_translate_string(&sb, in, len);
	assert_string_equal(strbuf_str(&sb), want);
	assert_true(is_one_statement(strbuf_str(&sb)));
	strbuf_free(&sb);
}

static void test_string_literals(void **state)
{
	(void)state;
	check_string("", 0, "_utf8mb4''");
	check_string("abc", 3, "_utf8mb4'abc'");
	check_string("it's", 4, "_utf8mb4'it''s'");
	check_string("''", 2, "_utf8mb4''''''");
	check_string("a;b--c/*d*/#\"", 13, "_utf8mb4'a;b--c/*d*/#\"'");
	/* what sql_modes read differently, and what is not ASCII, goes as hex */
	check_string("a\\b", 3, "_utf8mb4 X'615C62'");
	check_string("\\'", 2, "_utf8mb4 X'5C27'");
	check_string("\xCE\xA9", 2, "_utf8mb4 X'CEA9'");
	check_string("tab\there", 8, "_utf8mb4 X'7461620968657265'");
	check_string("\x7F", 1, "_utf8mb4 X'7F'");
	/* every single byte a query string can hold: one clean literal each */
	for (int ch = 1; ch < 0x80; ch++) {
		char s[1] = { (char)ch };
		strbuf sb = STRBUF_INIT(0);
		adql_translate_string(&sb, s, 1);
		assert_true(is_one_statement(strbuf_str(&sb)));
		strbuf_free(&sb);
	}
}

static void test_identifiers(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT(0);
	adql_translate_ident(&sb, "dec");
	adql_translate_ident(&sb, "a`b");
	adql_translate_ident(&sb, "``");
	adql_translate_ident(&sb, "x'\";-- y");
	assert_string_equal(strbuf_str(&sb), "`dec``a``b````````x'\";-- y`");
	strbuf_free(&sb);
}

static void test_numbers(void **state)
{
	(void)state;
	static const double values[] = { 60, 0.5, 1.0 / 60, 1.0 / 3600e3, 3.0856775814913673e16, -2.5, 1e-300, 1e300 };
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		strbuf sb = STRBUF_INIT(0);
		adql_translate_number(&sb, values[i]);
		assert_non_null(strchr(strbuf_str(&sb), 'e'));
		assert_true(strtod(strbuf_str(&sb), NULL) == values[i]); /* round trip */
		strbuf_free(&sb);
	}
	strbuf sb = STRBUF_INIT(0);
	adql_translate_number(&sb, 60);
	assert_string_equal(strbuf_str(&sb), "60e0");
	strbuf_free(&sb);
}

/* ---- the geometry seam ---------------------------------------------------------------------------- */

static int fake_value(void *ctx, adql_tr *t, const adql_node *fn, strbuf *out, tr_err *err)
{
	int *calls = ctx;
	(*calls)++;
	strbuf_printf(out, "GEO_%s(", adql_func_get(fn->func.fn)->name);
	for (size_t i = 0; i < fn->func.args.n_nodes; i++) {
		strbuf_puts(out, i ? ", " : "");
		int rc = adql_translate_value(t, fn->func.args.nodes[i], out, err);
		if (rc != TR_OK)
			return rc;
	}
	strbuf_putc(out, ')');
	return TR_OK;
}

static int fake_predicate(void *ctx, adql_tr *t, const adql_node *fn, bool is_true, strbuf *out, tr_err *err)
{
	strbuf_puts(out, is_true ? "PRED(" : "NOT PRED(");
	int rc = fake_value(ctx, t, fn, out, err);
	strbuf_putc(out, ')');
	return rc;
}

static int fake_refuse(void *ctx, adql_tr *t, const adql_node *fn, strbuf *out, tr_err *err)
{
	(void)ctx, (void)t, (void)out;
	return tr_err_set(err, TR_EUNSUPPORTED, fn->pos, fn->len, "not this one");
}

static void test_geometry_seam(void **state)
{
	fixture *f = *state;
	int calls = 0;
	adql_geom_emitter g = { &calls, fake_value, fake_predicate };
	adql_translate_opts o = { ADQL_DIALECT_MARIADB, 0, -1, &g };
	strbuf sql = STRBUF_INIT(0);
	tr_err err;
	assert_int_equal(translate(f,
	                           "SELECT POINT(ra, dec) AS p, DISTANCE(pos, POINT(1, 2)) FROM survey.objects "
	                           "WHERE CONTAINS(pos, CIRCLE(1, 2, 3)) = 1 AND 0 = INTERSECTS(pos, pos) "
	                           "AND CONTAINS(pos, pos) <> 0 AND CONTAINS(pos, pos) > 0",
	                           &o, NULL, &sql, &err),
	                 TR_OK);
	assert_string_equal(strbuf_str(&sql),
	                    "SELECT GEO_POINT(`t1`.`ra`, `t1`.`dec`) AS `p`, GEO_DISTANCE(`t1`.`pos`, GEO_POINT(1, 2)) AS "
	                    "`distance` FROM `survey`.`objects` AS `t1` WHERE (PRED(GEO_CONTAINS(`t1`.`pos`, GEO_CIRCLE(1, 2, "
	                    "3)))) AND (NOT PRED(GEO_INTERSECTS(`t1`.`pos`, `t1`.`pos`))) AND (PRED(GEO_CONTAINS(`t1`.`pos`, "
	                    "`t1`.`pos`))) AND (GEO_CONTAINS(`t1`.`pos`, `t1`.`pos`) > 0)");
	assert_int_equal(calls, 8); /* POINT, DISTANCE, POINT, CONTAINS, CIRCLE, INTERSECTS, CONTAINS, CONTAINS */
	/* without emit_predicate the comparison stays a comparison */
	g.emit_predicate = NULL;
	assert_int_equal(translate(f, "SELECT id FROM survey.objects WHERE 1 = CONTAINS(pos, pos)", &o, NULL, &sql, &err), TR_OK);
	assert_string_equal(strbuf_str(&sql), "SELECT `t1`.`id` AS `id` FROM `survey`.`objects` AS `t1` WHERE 1 = "
	                                      "GEO_CONTAINS(`t1`.`pos`, `t1`.`pos`)");
	/* an emitter's error reaches the caller with its position */
	g.emit_value = fake_refuse;
	assert_int_equal(translate(f, "SELECT id, AREA(pos) FROM survey.objects", &o, NULL, &sql, &err), TR_EUNSUPPORTED);
	assert_int_equal(err.pos, 11);
	assert_string_equal(err.msg, "not this one");
	strbuf_free(&sql);
}

/* ---- API errors ------------------------------------------------------------------------------------ */

static void test_api_errors(void **state)
{
	fixture *f = *state;
	tr_err err = TR_ERR_INIT;
	arena_reset(f->a);
	const char *text = "SELECT ra FROM survey.objects";
	adql_query *q = adql_parse(f->a, text, strlen(text), NULL, &err);
	assert_non_null(q);
	strbuf sql = STRBUF_INIT(0);
	assert_int_equal(adql_translate(q, NULL, NULL, &sql, &err), TR_EINTERNAL); /* not resolved */
	adql_result_meta *meta;
	tr_err_clear(&err);
	assert_int_equal(adql_resolve(q, f->cat, NULL, f->a, &meta, &err), TR_OK);
	adql_result_meta wrong = { meta->columns, 2 };
	assert_int_equal(adql_translate(q, &wrong, NULL, &sql, &err), TR_EINTERNAL);
	tr_err_clear(&err);
	strbuf small = STRBUF_INIT(16); /* a ceiling the SQL cannot fit under */
	assert_int_equal(adql_translate(q, meta, NULL, &small, &err), TR_ENOMEM);
	tr_err_clear(&err);
	assert_int_equal(adql_translate(q, meta, NULL, &sql, &err), TR_OK); /* NULL options: MariaDB, no MAXREC */
	assert_string_equal(strbuf_str(&sql), "SELECT `t1`.`ra` AS `ra` FROM `survey`.`objects` AS `t1`");
	strbuf_free(&small);
	strbuf_free(&sql);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_file),   cmocka_unit_test(test_string_literals), cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_numbers),     cmocka_unit_test(test_geometry_seam),   cmocka_unit_test(test_api_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
