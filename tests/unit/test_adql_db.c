/* test_adql_db: every golden translation of tests/adql/translate.cases, run on a real MariaDB.
 *
 * Needs TR_TEST_DB_SOCKET (a unix socket; user root, no password); exits 77 (skipped) without it
 * (tests/integration/adql_db.sh starts a private server).  Loads tests/adql/fixture.sql (the tables
 * of tests/adql/schema.xml with hand-written rows) and sql/tap_schema.sql, then for each case with
 * a sql: line translates the query again, runs it, and compares the result with the case's row:
 * lines (hand-computed; in order when the query has ORDER BY, as a multiset otherwise) and the
 * result's column names with the resolver's output names.  All of it twice: with sql_mode '' and
 * with NO_BACKSLASH_ESCAPES, ANSI_QUOTES and PIPES_AS_CONCAT, which must give the same rows.  The
 * string escaping is also checked byte by byte in both modes. */
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

#include <math.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_FILE_MAX (1024 * 1024) /* bytes of a fixture SQL file we accept (they are ~10 KiB) */
#define MODE_PLAIN ""
#define MODE_STRICT "NO_BACKSLASH_ESCAPES,ANSI_QUOTES,PIPES_AS_CONCAT"

typedef struct fixture {
	adql_case_env env; /* the catalog of tests/adql/schema.xml and the queries' arena */
	MYSQL *m;          /* root connection */
	const char *mode;  /* the sql_mode of the current run */
	int n_run;         /* cases run in this mode */
} fixture;

/* ---- setup ------------------------------------------------------------------------------------- */

static void exec(MYSQL *m, const char *sql)
{
	if (mysql_real_query(m, sql, strlen(sql)) != 0)
		fail_msg("%.200s\n  failed: %s", sql, mysql_error(m));
	MYSQL_RES *r = mysql_store_result(m);
	mysql_free_result(r);
}

/* Runs a SQL file whose statements end with ';' at a line end ("--" lines are comments). */
static void run_sql_file(MYSQL *m, const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	strbuf stmt = STRBUF_INIT(SQL_FILE_MAX);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (strncmp(line, "--", 2) == 0 || (n == 0 && strbuf_len(&stmt) == 0))
			continue;
		bool ends = n > 0 && line[n - 1] == ';';
		strbuf_add(&stmt, line, ends ? (size_t)n - 1 : (size_t)n);
		strbuf_putc(&stmt, '\n');
		if (ends) {
			assert_false(strbuf_failed(&stmt));
			exec(m, strbuf_str(&stmt));
			strbuf_reset(&stmt);
		}
	}
	free(line);
	strbuf_free(&stmt);
	fclose(f);
}

static int setup(void **state)
{
	static fixture f;
	char path[4096];
	*state = &f;
	f.m = mysql_init(NULL);
	if (f.m == NULL || adql_case_env_open(&f.env) != 0)
		return -1;
	mysql_options(f.m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(f.m, "localhost", "root", "", NULL, 0, getenv("TR_TEST_DB_SOCKET"), 0) == NULL) {
		fprintf(stderr, "cannot connect: %s\n", mysql_error(f.m));
		return -1;
	}
	exec(f.m, "DROP DATABASE IF EXISTS `survey`");
	run_sql_file(f.m, adql_cases_path("fixture.sql", path, sizeof path));
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/sql/tap_schema.sql", top && top[0] ? top : ".");
	run_sql_file(f.m, path);
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	exec(f->m, "DROP DATABASE IF EXISTS `survey`");
	mysql_close(f->m);
	adql_case_env_close(&f->env);
	return 0;
}

static void set_mode(fixture *f, const char *mode)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SET SESSION sql_mode = '%s'", mode);
	exec(f->m, sql);
	f->mode = mode;
}

/* ---- results ------------------------------------------------------------------------------------- */

/* One row as "v1|v2|...", NULL as NULL. */
static char *row_text(MYSQL_ROW row, unsigned long *lengths, unsigned n)
{
	strbuf sb = STRBUF_INIT(0);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			strbuf_putc(&sb, '|');
		if (row[i])
			strbuf_add(&sb, row[i], lengths[i]);
		else
			strbuf_puts(&sb, "NULL");
	}
	return sb.data ? sb.data : strdup("");
}

static int cmp_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Numbers compare with a relative tolerance of 1e-9 (hand-computed values are rounded); anything
 * else exactly. */
static bool value_eq(const char *want, size_t wn, const char *got, size_t gn)
{
	char a[128], b[128];
	if (wn == gn && memcmp(want, got, wn) == 0)
		return true;
	if (wn >= sizeof a || gn >= sizeof b)
		return false;
	memcpy(a, want, wn);
	a[wn] = '\0';
	memcpy(b, got, gn);
	b[gn] = '\0';
	char *ea, *eb;
	double x = strtod(a, &ea), y = strtod(b, &eb);
	if (ea == a || eb == b || *ea || *eb)
		return false;
	return fabs(x - y) <= 1e-9 * fmax(1.0, fmax(fabs(x), fabs(y)));
}

static bool row_eq(const char *want, const char *got)
{
	for (;;) {
		size_t wn = strcspn(want, "|"), gn = strcspn(got, "|");
		if (!value_eq(want, wn, got, gn))
			return false;
		if (want[wn] == '\0' || got[gn] == '\0')
			return want[wn] == got[gn];
		want += wn + 1;
		got += gn + 1;
	}
}

/* ---- one case ------------------------------------------------------------------------------------- */

/* A failed case, with the sql_mode it failed in and the SQL that ran. */
static int case_fail(const fixture *f, const adql_case *c, const char *sql, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int case_fail(const fixture *f, const adql_case *c, const char *sql, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return adql_case_fail(c, c->line, sql ? sql : "", "[sql_mode '%s'] %s", f->mode, msg);
}

/* The case's translation, as test_adql_translate checks it. */
static int translate(fixture *f, const adql_case *c, strbuf *sql, adql_result_meta **meta, bool *ordered)
{
	strbuf query = STRBUF_INIT(0);
	adql_translate_opts topts = { ADQL_DIALECT_MARIADB, 0, -1, NULL };
	adql_resolve_opts ropts = { false };
	adql_query *q = NULL;
	tr_err err = TR_ERR_INIT;
	int rc = adql_case_query(c, &query) == 0 && adql_case_opts(adql_case_get(c, "opts"), &topts, &ropts)
	                 ? adql_case_compile(f->env.cat, f->env.a, strbuf_str(&query), &ropts, &topts, sql, &q, meta, &err)
	                 : TR_EINTERNAL;
	*ordered = q && q->root->query.order_by.n_nodes > 0;
	strbuf_free(&query);
	return rc;
}

static int check_rows(fixture *f, const adql_case *c, const char *sql, MYSQL_RES *res, bool ordered)
{
	size_t n_want = 0, n_got = (size_t)mysql_num_rows(res);
	const char *count = adql_case_get(c, "rows");
	for (size_t i = 0; i < c->n_lines; i++)
		n_want += strcmp(c->lines[i].key, "row") == 0;
	if (n_want == 0 && (count == NULL || strcmp(count, "0") != 0))
		return case_fail(f, c, sql, "no row: lines and no \"rows: 0\": expected rows must be stated");
	const char **want = calloc(n_want + 1, sizeof *want);
	char **got = calloc(n_got + 1, sizeof *got);
	assert_non_null(want);
	assert_non_null(got);
	for (size_t i = 0, k = 0; i < c->n_lines; i++)
		if (strcmp(c->lines[i].key, "row") == 0)
			want[k++] = c->lines[i].value;
	unsigned n_fields = mysql_num_fields(res);
	MYSQL_ROW row;
	for (size_t k = 0; (row = mysql_fetch_row(res)) != NULL; k++)
		got[k] = row_text(row, mysql_fetch_lengths(res), n_fields);
	if (!ordered) {
		qsort(want, n_want, sizeof *want, cmp_text);
		qsort(got, n_got, sizeof *got, cmp_text);
	}
	int failed = 0;
	for (size_t i = 0; !failed && i < n_want && i < n_got; i++)
		if (!row_eq(want[i], got[i]))
			failed = case_fail(f, c, sql, "row %zu%s differs\n    want: %s\n    got:  %s", i + 1, ordered ? "" : " (sorted)",
			              want[i], got[i]);
	if (!failed && n_want != n_got)
		failed = case_fail(f, c, sql, "%zu rows, expected %zu; first extra: %s", n_got, n_want,
		              n_got > n_want ? got[n_want] : want[n_got]);
	for (size_t i = 0; i < n_got; i++)
		free(got[i]);
	free(got);
	free(want);
	return failed;
}

static int run_case(const adql_case *c, void *ctx)
{
	fixture *f = ctx;
	if (adql_case_get(c, "sql") == NULL)
		return 0; /* an error case: nothing to run */
	strbuf sql = STRBUF_INIT(0);
	adql_result_meta *meta = NULL;
	bool ordered;
	int failed = 0;
	if (translate(f, c, &sql, &meta, &ordered) != TR_OK)
		failed = case_fail(f, c, NULL, "does not translate (test_adql_translate says why)");
	else if (mysql_real_query(f->m, strbuf_str(&sql), strbuf_len(&sql)) != 0)
		failed = case_fail(f, c, strbuf_str(&sql), "the database refused it: %s", mysql_error(f->m));
	if (failed) {
		strbuf_free(&sql);
		return failed;
	}
	f->n_run++;
	MYSQL_RES *res = mysql_store_result(f->m);
	assert_non_null(res);
	/* the result's columns are exactly the resolver's output names */
	MYSQL_FIELD *fields = mysql_fetch_fields(res);
	unsigned n_fields = mysql_num_fields(res);
	if (n_fields != meta->n_columns)
		failed = case_fail(f, c, strbuf_str(&sql), "%u result columns, the resolver said %zu", n_fields, meta->n_columns);
	for (unsigned i = 0; !failed && i < n_fields; i++)
		if (strcmp(fields[i].name, meta->columns[i].name) != 0)
			failed = case_fail(f, c, strbuf_str(&sql), "result column %u is '%s', the resolver said '%s'", i + 1,
			              fields[i].name, meta->columns[i].name);
	if (!failed)
		failed = check_rows(f, c, strbuf_str(&sql), res, ordered);
	mysql_free_result(res);
	strbuf_free(&sql);
	return failed;
}

static void run_cases(fixture *f, const char *mode)
{
	int n_cases;
	set_mode(f, mode);
	f->n_run = 0;
	assert_int_equal(adql_cases_run_named("translate.cases", run_case, f, &n_cases), 0);
	print_message("[sql_mode '%s'] %d cases run on the database\n", mode, f->n_run);
	assert_true(f->n_run >= 150);
}

static void test_cases_default_mode(void **state) { run_cases(*state, MODE_PLAIN); }
static void test_cases_strict_mode(void **state) { run_cases(*state, MODE_STRICT); }

/* ---- string literals, byte by byte ----------------------------------------------------------------- */

/* Every literal adql_translate_string writes reads back as the same bytes in both modes. */
static void test_string_round_trip(void **state)
{
	fixture *f = *state;
	static const char *const samples[] = { "", "'", "''", "\\", "\\'", "a\\", "\\\\n", "O'Brien", "back\\slash",
		                               "\xCE\xA9mega", "\xF0\x9F\x98\x80", "%_!", "\"x\"", "`", "-- x", "/* y */" };
	const char *modes[] = { MODE_PLAIN, MODE_STRICT };
	for (size_t m = 0; m < 2; m++) {
		set_mode(f, modes[m]);
		for (int k = -(int)(sizeof samples / sizeof samples[0]); k < 0x80; k++) {
			char one[1] = { (char)k };
			const char *s = k < 0 ? samples[-k - 1] : one;
			size_t len = k < 0 ? strlen(s) : 1;
			if (k == 0)
				continue;
			strbuf sql = STRBUF_INIT(0);
			strbuf_puts(&sql, "SELECT ");
			adql_translate_string(&sql, s, len);
			assert_int_equal(mysql_real_query(f->m, strbuf_str(&sql), strbuf_len(&sql)), 0);
			MYSQL_RES *res = mysql_store_result(f->m);
			MYSQL_ROW row = mysql_fetch_row(res);
			assert_non_null(row);
			unsigned long *lengths = mysql_fetch_lengths(res);
			if (lengths[0] != len || memcmp(row[0], s, len) != 0)
				fail_msg("[sql_mode '%s'] %s read back differently", modes[m], strbuf_str(&sql));
			mysql_free_result(res);
			strbuf_free(&sql);
		}
	}
}

int main(void)
{
	if (getenv("TR_TEST_DB_SOCKET") == NULL || getenv("TR_TEST_DB_SOCKET")[0] == '\0') {
		fprintf(stderr, "test_adql_db: TR_TEST_DB_SOCKET is not set; skipped\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_round_trip),
		cmocka_unit_test(test_cases_default_mode),
		cmocka_unit_test(test_cases_strict_mode),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
