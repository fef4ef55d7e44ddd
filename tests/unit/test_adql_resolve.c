/* test_adql_resolve: the ADQL resolver (src/adql/resolve.h) against tests/adql/schema.xml.
 *
 * The bulk is declarative, in tests/adql/resolve.cases (format at its top): each query's output
 * columns, or its error code, position and message.  Every resolved case is also checked to leave
 * an annotation on every node.  The cmocka tests below cover what a case file cannot say well:
 * the annotations the translator relies on, and allocation failure at every step. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../adql/cases.h"
#include "adql/limits.h"
#include "adql/parser.h"
#include "adql/resolve.h"
#include "tap/catalog.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef adql_case_env fixture; /* the catalog of tests/adql/schema.xml and the queries' arena */

static int setup(void **state)
{
	static fixture f;
	*state = &f;
	return adql_case_env_open(&f);
}

static int teardown(void **state)
{
	arena_fail_after(0);
	adql_case_env_close(*state);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------------------ */

/* Parses and resolves text; the query (NULL on a parse error) and the resolver's status. */
static int resolve(fixture *f, const char *text, bool ungrouped, adql_query **out_q, adql_result_meta **out_meta,
                   tr_err *err)
{
	adql_resolve_opts ropts = { .allow_ungrouped = ungrouped };
	return adql_case_compile(f->cat, f->a, text, &ropts, NULL, NULL, out_q, out_meta, err);
}

/* "name|datatype|arraysize|xtype|unit|ucd|utype|description", NULL as empty, trailing empties cut. */
static void format_col(strbuf *sb, const adql_out_column *c)
{
	const char *fields[] = { c->name, c->datatype, c->arraysize, c->xtype, c->unit, c->ucd, c->utype, c->description };
	size_t n = sizeof fields / sizeof fields[0];
	while (n > 1 && fields[n - 1] == NULL)
		n--;
	strbuf_reset(sb);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_putc(sb, '|');
		strbuf_puts(sb, fields[i] ? fields[i] : "");
	}
}

static int check_annotated(adql_node *n, void *ctx)
{
	(void)ctx;
	if (n->annot == NULL)
		return 1;
	return adql_node_each_child(n, check_annotated, NULL);
}

/* ---- the case file ------------------------------------------------------------------------------ */


static int expect_columns(const adql_case *c, const char *query, const adql_result_meta *m)
{
	strbuf got = STRBUF_INIT(0);
	size_t k = 0;
	int failed = 0;
	for (size_t i = 0; i < c->n_lines && !failed; i++) {
		if (strcmp(c->lines[i].key, "col") != 0)
			continue;
		if (k >= m->n_columns) {
			failed = adql_case_fail(c, c->lines[i].line, query, "only %zu output columns, expected more", m->n_columns);
			break;
		}
		format_col(&got, &m->columns[k++]);
		if (strcmp(strbuf_str(&got), c->lines[i].value) != 0)
			failed = adql_case_fail(c, c->lines[i].line, query, "column %zu differs\n    want: %s\n    got:  %s", k,
			              c->lines[i].value, strbuf_str(&got));
	}
	if (!failed && k != m->n_columns) {
		format_col(&got, &m->columns[k]);
		failed = adql_case_fail(c, c->line, query, "%zu output columns, expected %zu; next: %s", m->n_columns, k, strbuf_str(&got));
	}
	strbuf_free(&got);
	return failed;
}

static int run_case(const adql_case *c, void *ctx)
{
	fixture *f = ctx;
	strbuf query = STRBUF_INIT(0);
	int failed = 0;
	if (adql_case_query(c, &query) != 0 || (adql_case_get(c, "error") == NULL) == (adql_case_get(c, "col") == NULL)) {
		strbuf_free(&query);
		return adql_case_fail(c, c->line, "", "a case needs query: lines and either col: lines or one error: line");
	}
	const char *opt = adql_case_get(c, "opt");
	adql_query *q;
	adql_result_meta *meta = NULL;
	tr_err err;
	int rc = resolve(f, strbuf_str(&query), opt && strcmp(opt, "ungrouped") == 0, &q, &meta, &err);
	if (q == NULL)
		failed = adql_case_fail(c, c->line, strbuf_str(&query), "does not parse: %s at %ld", err.msg, err.pos);
	else if (adql_case_get(c, "error"))
		failed = adql_case_check_error(c, strbuf_str(&query), rc, &err);
	else if (rc != TR_OK)
		failed = adql_case_fail(c, c->line, strbuf_str(&query), "resolver failed: %s %ld '%s'", adql_case_code_name(rc), err.pos, err.msg);
	else if (check_annotated(q->root, NULL) != 0)
		failed = adql_case_fail(c, c->line, strbuf_str(&query), "a node has no annotation");
	else
		failed = expect_columns(c, strbuf_str(&query), meta);
	strbuf_free(&query);
	return failed;
}

static void test_case_file(void **state)
{
	int n_cases;
	assert_int_equal(adql_cases_run_named("resolve.cases", run_case, *state, &n_cases), 0);
	assert_true(n_cases >= 100);
}

/* ---- annotations the translator reads ------------------------------------------------------------- */

static void test_annotations(void **state)
{
	fixture *f = *state;
	adql_query *q;
	adql_result_meta *m;
	tr_err err;
	assert_int_equal(resolve(f,
	                         "SELECT o.ra, b.*, IN_UNIT(o.dec, 'arcmin') AS d FROM survey.objects AS o "
	                         "JOIN survey.obs AS b USING (mag) ORDER BY 3, d DESC",
	                         false, &q, &m, &err),
	                 TR_OK);
	assert_int_equal(q->root->annot->n_ranges, 2);
	assert_ptr_equal(q->root->annot->meta, m);
	adql_node *sel = q->root->query.body;
	adql_node *ra = sel->select.items.nodes[0]->item.expr;
	assert_int_equal(ra->annot->ref.range->id, 1);
	assert_string_equal(ra->annot->ref.sql_name, "ra");
	assert_non_null(m->columns[0].column);
	const adql_node *star = sel->select.items.nodes[1];
	assert_int_equal(star->annot->n_cols, 7);
	assert_int_equal(star->annot->cols[0].range->id, 2);
	const adql_node *in_unit = sel->select.items.nodes[2]->item.expr;
	assert_true(in_unit->annot->factor > 59.999 && in_unit->annot->factor < 60.001);
	const adql_node *join = sel->select.from.nodes[0];
	assert_int_equal(join->annot->n_cols, 1);
	assert_int_equal(join->annot->cols2[0].range->id, 2);
	assert_int_equal(q->root->query.order_by.nodes[0]->annot->out_index, 2);
	assert_int_equal(q->root->query.order_by.nodes[1]->annot->out_index, 8);
	assert_null(m->columns[8].column);
	assert_string_equal(m->columns[8].unit, "arcmin");
}

/* ---- output names ------------------------------------------------------------------------------- */

/* A select list of ADQL_MAX_SELECT_ITEMS equal names, one alias taking a name the numbering would
 * give: each name is the base with the smallest free _k.  The numbering used to restart at _2 for
 * every duplicate, n^3 / 6 comparisons that took 3 s of CPU (tests/fuzz/adql/crash-timeout-*); now
 * it takes milliseconds, so a bound of 1 s holds even under sanitizers and valgrind. */
static void test_many_duplicate_names(void **state)
{
	fixture *f = *state;
	strbuf sb = STRBUF_INIT(0);
	strbuf_puts(&sb, "SELECT ra, ra AS ra_3");
	for (int i = 2; i < ADQL_MAX_SELECT_ITEMS; i++)
		strbuf_puts(&sb, ", ra");
	strbuf_puts(&sb, " FROM survey.objects");
	assert_false(strbuf_failed(&sb));
	adql_query *q;
	adql_result_meta *m;
	tr_err err = TR_ERR_INIT;
	clock_t start = clock();
	assert_int_equal(resolve(f, strbuf_str(&sb), false, &q, &m, &err), TR_OK);
	assert_true(clock() - start < CLOCKS_PER_SEC);
	assert_int_equal(m->n_columns, ADQL_MAX_SELECT_ITEMS);
	assert_string_equal(m->columns[0].name, "ra");
	assert_string_equal(m->columns[1].name, "ra_3");
	assert_string_equal(m->columns[2].name, "ra_2");
	for (int i = 3; i < ADQL_MAX_SELECT_ITEMS; i++) {
		char want[32];
		snprintf(want, sizeof want, "ra_%d", i + 1);
		assert_string_equal(m->columns[i].name, want);
	}
	strbuf_free(&sb);
}

/* ---- allocation failure ---------------------------------------------------------------------------- */

static void test_allocation_failure(void **state)
{
	fixture *f = *state;
	static const char *const queries[] = {
		"WITH w AS (SELECT id, ra FROM survey.objects) SELECT w.ra, COUNT(*) AS n FROM w "
		"JOIN survey.obs AS o ON o.object_id = w.id GROUP BY w.ra HAVING COUNT(*) > 1 ORDER BY n",
		"SELECT * FROM survey.obs NATURAL JOIN survey.bands WHERE band IN (SELECT band FROM survey.bands) "
		"UNION SELECT * FROM survey.obs NATURAL JOIN survey.bands",
		"SELECT x.s || 'a', CAST(x.n AS VARCHAR(10)) FROM (SELECT name AS s, n_obs AS n FROM survey.objects) AS x",
	};
	adql_parse_opts popts = { 0 };
	for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
		int rc = TR_ENOMEM;
		for (unsigned long n = 1; rc == TR_ENOMEM && n < 10000; n++) {
			tr_err err = TR_ERR_INIT;
			arena_reset(f->a);
			adql_query *q = adql_parse(f->a, queries[k], strlen(queries[k]), &popts, &err);
			assert_non_null(q);
			adql_result_meta *m = NULL;
			arena_fail_after(n);
			rc = adql_resolve(q, f->cat, NULL, f->a, &m, &err);
			arena_fail_after(0);
			assert_true(rc == TR_OK || rc == TR_ENOMEM);
			assert_int_equal(err.code, rc);
		}
		assert_int_equal(rc, TR_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_file),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_many_duplicate_names),
		cmocka_unit_test(test_allocation_failure),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
