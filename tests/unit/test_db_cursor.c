/* db/cursor against a real MariaDB (TR_TEST_DB_SOCKET; skipped without it): every column type
 * through the binary protocol, NULLs, values longer than the first buffer, the time limit, errors,
 * and abandoning a result part-way.  Also db/conn's thread id and KILL QUERY: a statement running
 * in another thread is stopped from a second connection, as an async abort does (uws/store.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "db/cursor.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct fixture {
	db_conn *db;
	arena *a;
} fixture;

static const char *socket_path;

static void exec_sql(db_conn *db, const char *sql)
{
	MYSQL *m = db_conn_handle(db);
	if (mysql_query(m, sql) != 0)
		fail_msg("%s: %s", sql, mysql_error(m));
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	db_params p = { .socket = socket_path, .user = "root", .password = "", .database = "mysql",
	                .connect_timeout = 5, .read_timeout = 60 };
	f->db = db_conn_new(&p);
	f->a = arena_create(0, 0);
	tr_err err = TR_ERR_INIT;
	if (db_conn_ensure(f->db, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	exec_sql(f->db, "CREATE DATABASE IF NOT EXISTS cursor_test");
	exec_sql(f->db, "DROP TABLE IF EXISTS cursor_test.t");
	exec_sql(f->db, "CREATE TABLE cursor_test.t (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED,"
	                " si SMALLINT, mi MEDIUMINT, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED,"
	                " f FLOAT, d DOUBLE, dec10 DECIMAL(10,3), b1 BIT(1), b12 BIT(12), c CHAR(4),"
	                " v VARCHAR(600) CHARACTER SET utf8mb4, tx TEXT, bl BLOB, dt DATE, dtm DATETIME(6),"
	                " ts TIMESTAMP NULL, tm TIME, y YEAR)");
	exec_sql(f->db, "INSERT INTO cursor_test.t VALUES (1, -128, 255, -32768, -8388608, -2147483648,"
	                " 4294967295, -9223372036854775808, 18446744073709551615, 1.5, 0.1, 1234567.891,"
	                " b'1', b'101010101010', 'ab', CONCAT('caf', _utf8mb4 x'C3A9', REPEAT('x', 500)),"
	                " REPEAT('t', 5000), x'00ff0041', '2024-02-29', '2024-02-29 23:59:58.123456',"
	                " '2001-09-09 01:46:40', '-01:02:03', 2155)");
	exec_sql(f->db, "INSERT INTO cursor_test.t (id) VALUES (2)");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	exec_sql(f->db, "DROP DATABASE IF EXISTS cursor_test");
	arena_destroy(f->a);
	db_conn_free(f->db);
	free(f);
	return 0;
}

static db_cursor *open_ok(fixture *f, const char *sql)
{
	tr_err err = TR_ERR_INIT;
	db_cursor *cur = db_cursor_open(f->db, f->a, sql, strlen(sql), 10, &err);
	if (cur == NULL)
		fail_msg("%s: %s", sql, err.msg);
	return cur;
}

static void test_types(void **state)
{
	fixture *f = *state;
	db_cursor *cur = open_ok(f, "SELECT * FROM cursor_test.t ORDER BY id");
	assert_int_equal(db_cursor_ncols(cur), 23);
	static const struct {
		const char *name;
		out_datatype dt;
		out_kind kind;
		const char *arraysize;
		const char *xtype;
	} want[] = {
		{ "id", OUT_DT_INT, OUT_KIND_INT64, NULL, NULL },
		{ "ti", OUT_DT_SHORT, OUT_KIND_INT64, NULL, NULL },
		{ "tu", OUT_DT_UNSIGNED_BYTE, OUT_KIND_UINT64, NULL, NULL },
		{ "si", OUT_DT_SHORT, OUT_KIND_INT64, NULL, NULL },
		{ "mi", OUT_DT_INT, OUT_KIND_INT64, NULL, NULL },
		{ "i", OUT_DT_INT, OUT_KIND_INT64, NULL, NULL },
		{ "iu", OUT_DT_LONG, OUT_KIND_UINT64, NULL, NULL },
		{ "bi", OUT_DT_LONG, OUT_KIND_INT64, NULL, NULL },
		{ "bu", OUT_DT_LONG, OUT_KIND_UINT64, NULL, NULL },
		{ "f", OUT_DT_FLOAT, OUT_KIND_FLOAT, NULL, NULL },
		{ "d", OUT_DT_DOUBLE, OUT_KIND_DOUBLE, NULL, NULL },
		{ "dec10", OUT_DT_DOUBLE, OUT_KIND_DOUBLE, NULL, NULL },
		{ "b1", OUT_DT_BIT, OUT_KIND_UINT64, NULL, NULL },
		{ "b12", OUT_DT_BIT, OUT_KIND_UINT64, "12", NULL },
		{ "c", OUT_DT_UNICODE_CHAR, OUT_KIND_BYTES, "*", NULL },
		{ "v", OUT_DT_UNICODE_CHAR, OUT_KIND_BYTES, "*", NULL },
		{ "tx", OUT_DT_UNICODE_CHAR, OUT_KIND_BYTES, "*", NULL },
		{ "bl", OUT_DT_UNSIGNED_BYTE, OUT_KIND_BYTES, "*", NULL },
		{ "dt", OUT_DT_CHAR, OUT_KIND_BYTES, "*", "timestamp" },
		{ "dtm", OUT_DT_CHAR, OUT_KIND_BYTES, "*", "timestamp" },
		{ "ts", OUT_DT_CHAR, OUT_KIND_BYTES, "*", "timestamp" },
		{ "tm", OUT_DT_CHAR, OUT_KIND_BYTES, "*", NULL },
		{ "y", OUT_DT_SHORT, OUT_KIND_UINT64, NULL, NULL },
	};
	for (size_t i = 0; i < 23; i++) {
		const db_column *c = db_cursor_column(cur, i);
		assert_string_equal(c->name, want[i].name);
		if (c->datatype != want[i].dt || c->kind != want[i].kind)
			fail_msg("column %s: datatype %d kind %d", c->name, (int)c->datatype, (int)c->kind);
		if (want[i].arraysize)
			assert_string_equal(c->arraysize, want[i].arraysize);
		else
			assert_null(c->arraysize);
		if (want[i].xtype)
			assert_string_equal(c->xtype, want[i].xtype);
		else
			assert_null(c->xtype);
	}

	tr_err err = TR_ERR_INIT;
	const out_value *row;
	assert_int_equal(db_cursor_next(cur, &row, &err), 1);
	assert_int_equal(row[0].v.i64, 1);
	assert_int_equal(row[1].v.i64, -128);
	assert_int_equal(row[2].v.u64, 255);
	assert_int_equal(row[3].v.i64, -32768);
	assert_int_equal(row[4].v.i64, -8388608);
	assert_int_equal(row[5].v.i64, -2147483648LL);
	assert_int_equal(row[6].v.u64, 4294967295ULL);
	assert_true(row[7].v.i64 == INT64_MIN);
	assert_true(row[8].v.u64 == UINT64_MAX);
	assert_true(row[9].v.f32 == 1.5f);
	assert_true(row[10].v.f64 == 0.1);
	assert_true(row[11].v.f64 == 1234567.891);
	assert_true(row[12].v.u64 == 1);
	assert_true(row[13].v.u64 == 0xAAA);
	assert_int_equal(row[14].v.bytes.n, 2);
	assert_memory_equal(row[14].v.bytes.p, "ab", 2);
	assert_int_equal(row[15].v.bytes.n, 3 + 2 + 500); /* grown past the first buffer */
	assert_memory_equal(row[15].v.bytes.p, "caf\xC3\xA9xxx", 8);
	assert_int_equal(row[16].v.bytes.n, 5000);
	assert_int_equal(row[17].v.bytes.n, 4);
	assert_memory_equal(row[17].v.bytes.p, "\0\xff\0A", 4);
	assert_int_equal(row[18].v.bytes.n, 10);
	assert_memory_equal(row[18].v.bytes.p, "2024-02-29", 10);
	assert_int_equal(row[19].v.bytes.n, 26);
	assert_memory_equal(row[19].v.bytes.p, "2024-02-29T23:59:58.123456", 26);
	assert_memory_equal(row[20].v.bytes.p, "2001-09-09T01:46:40", row[20].v.bytes.n);
	assert_memory_equal(row[21].v.bytes.p, "-01:02:03", row[21].v.bytes.n);
	assert_int_equal(row[22].v.u64, 2155);
	for (size_t i = 0; i < 23; i++)
		assert_false(row[i].is_null);

	assert_int_equal(db_cursor_next(cur, &row, &err), 1);
	assert_false(row[0].is_null);
	for (size_t i = 1; i < 23; i++)
		if (!row[i].is_null)
			fail_msg("column %zu of the all-NULL row is not NULL", i);
	assert_int_equal(db_cursor_next(cur, &row, &err), 0);
	db_cursor_close(cur);
	arena_reset(f->a);
}

static void test_many_rows_constant_buffers(void **state)
{
	fixture *f = *state;
	db_cursor *cur = open_ok(f, "SELECT seq, REPEAT('y', seq % 700) FROM seq_1_to_20000");
	tr_err err = TR_ERR_INIT;
	const out_value *row;
	long n = 0;
	int rc;
	while ((rc = db_cursor_next(cur, &row, &err)) == 1) {
		n++;
		if (row[0].v.i64 != n || row[1].v.bytes.n != (size_t)(n % 700))
			fail_msg("row %ld wrong", n);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 20000);
	arena_reset(f->a);
}

static void test_errors(void **state)
{
	fixture *f = *state;
	tr_err err = TR_ERR_INIT;
	const char *bad = "SELECT nope FROM cursor_test.t";
	assert_null(db_cursor_open(f->db, f->a, bad, strlen(bad), 10, &err));
	assert_int_equal(err.code, TR_EDB);
	assert_non_null(strstr(err.msg, "nope"));
	arena_reset(f->a);

	/* The time limit is enforced by the server. */
	tr_err_clear(&err);
	const out_value *row;
	const char *scan = "SELECT COUNT(*) FROM seq_1_to_1000000000 WHERE MOD(seq * seq, 7) = 3";
	db_cursor *cur = db_cursor_open(f->db, f->a, scan, strlen(scan), 1, &err);
	int rc = cur ? db_cursor_next(cur, &row, &err) : err.code;
	assert_true(rc < 0);
	if (err.code != TR_ETIMEOUT)
		fail_msg("expected a time-out, got: %s", err.msg);
	arena_reset(f->a);
}

static void test_abandon_closes_connection(void **state)
{
	fixture *f = *state;
	tr_err err = TR_ERR_INIT;
	unsigned long before = db_conn_connects(f->db);
	db_cursor *cur = open_ok(f, "SELECT seq FROM seq_1_to_10000000");
	const out_value *row;
	assert_int_equal(db_cursor_next(cur, &row, &err), 1);
	arena_reset(f->a); /* the request ends with the result unread */
	assert_null(db_conn_handle(f->db));
	assert_int_equal(db_conn_ensure(f->db, &err), TR_OK);
	assert_int_equal(db_conn_connects(f->db), before + 1);
	/* A result read to its end keeps the connection. */
	cur = open_ok(f, "SELECT 1");
	assert_int_equal(db_cursor_next(cur, &row, &err), 1);
	assert_int_equal(db_cursor_next(cur, &row, &err), 0);
	arena_reset(f->a);
	assert_non_null(db_conn_handle(f->db));
}

static db_conn *new_conn(void)
{
	db_params p = { .socket = socket_path, .user = "root", .password = "", .database = "mysql",
	                .connect_timeout = 5, .read_timeout = 60 };
	db_conn *c = db_conn_new(&p);
	assert_non_null(c);
	return c;
}

/* The first column of the first row of sql, as a number. */
static unsigned long query_number(MYSQL *m, const char *sql)
{
	assert_int_equal(mysql_query(m, sql), 0);
	MYSQL_RES *res = mysql_store_result(m);
	assert_non_null(res);
	MYSQL_ROW row = mysql_fetch_row(res);
	assert_non_null(row);
	unsigned long v = strtoul(row[0], NULL, 10);
	mysql_free_result(res);
	return v;
}

/* idle_timeout becomes the session's wait_timeout, on the first connect and on every reconnect. */
static void test_idle_timeout(void **state)
{
	(void)state;
	tr_err err = TR_ERR_INIT;
	db_params p = { .socket = socket_path, .user = "root", .password = "", .database = "mysql",
	                .connect_timeout = 5, .read_timeout = 60, .idle_timeout = 12345 };
	db_conn *c = db_conn_new(&p);
	assert_non_null(c);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(db_conn_ensure(c, &err), TR_OK);
		assert_int_equal(query_number(db_conn_handle(c), "SELECT @@SESSION.wait_timeout"), 12345);
		db_conn_close(c);
	}
	db_conn_free(c);
	db_conn *d = new_conn();
	assert_int_equal(db_conn_ensure(d, &err), TR_OK);
	assert_true(query_number(db_conn_handle(d), "SELECT @@SESSION.wait_timeout") != 12345);
	db_conn_free(d);
}

static void test_thread_id_and_kill_nothing(void **state)
{
	fixture *f = *state;
	tr_err err = TR_ERR_INIT;
	db_conn *c = new_conn();
	assert_int_equal(db_conn_thread_id(c), 0); /* closed */
	assert_int_equal(db_conn_ensure(c, &err), TR_OK);
	unsigned long id = db_conn_thread_id(c);
	assert_true(id != 0);
	assert_true(id != db_conn_thread_id(f->db)); /* each connection its own */
	/* The server agrees. */
	MYSQL *m = db_conn_handle(c);
	assert_int_equal(query_number(m, "SELECT CONNECTION_ID()"), id);
	/* A thread that does not exist (its statement and connection are gone): not an error. */
	assert_int_equal(db_conn_kill_query(f->db, 4000000000UL, &err), TR_OK);
	assert_int_equal(db_conn_kill_query(f->db, 0, &err), TR_OK);
	/* An idle connection: nothing to stop, and it stays usable. */
	assert_int_equal(db_conn_kill_query(f->db, id, &err), TR_OK);
	assert_int_equal(mysql_query(m, "SELECT 1"), 0);
	mysql_free_result(mysql_store_result(m));
	assert_false(tr_err_isset(&err));
	db_conn_close(c);
	assert_int_equal(db_conn_thread_id(c), 0);
	/* kill_query opens its own connection when closed. */
	db_conn_close(f->db);
	assert_int_equal(db_conn_kill_query(f->db, 4000000000UL, &err), TR_OK);
	assert_non_null(db_conn_handle(f->db));
	db_conn_free(c);
}

/* A long statement run by a second thread on its own connection. */
typedef struct long_query {
	db_conn *c;
	int rc;          /* the cursor's result: open's or next's code */
	tr_err err;
	double seconds;  /* how long it ran */
} long_query;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A scan of a billion rows (minutes): stopped only by the kill, or by its 60 s safety limit. */
#define LONG_SQL "SELECT COUNT(*) FROM seq_1_to_1000000000 WHERE MOD(seq * seq, 7) = 3"

static void *run_long_query(void *arg)
{
	long_query *q = arg;
	mysql_thread_init();
	arena *a = arena_create(0, 0);
	double t0 = now_s();
	db_cursor *cur = db_cursor_open(q->c, a, LONG_SQL, strlen(LONG_SQL), 60, &q->err);
	const out_value *row;
	q->rc = cur ? db_cursor_next(cur, &row, &q->err) : q->err.code;
	q->seconds = now_s() - t0;
	arena_destroy(a);
	mysql_thread_end();
	return NULL;
}

/* Whether the server shows thread id running LONG_SQL. */
static int is_running(db_conn *c, unsigned long id)
{
	char sql[160];
	snprintf(sql, sizeof sql,
	         "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %lu AND INFO LIKE 'SELECT COUNT%%'",
	         id);
	MYSQL *m = db_conn_handle(c);
	if (mysql_query(m, sql) != 0)
		fail_msg("%s: %s", sql, mysql_error(m));
	MYSQL_RES *res = mysql_store_result(m);
	assert_non_null(res);
	MYSQL_ROW row = mysql_fetch_row(res);
	int n = row && row[0] ? (int)strtol(row[0], NULL, 10) : 0;
	mysql_free_result(res);
	return n;
}

static void test_kill_query(void **state)
{
	fixture *f = *state;
	tr_err err = TR_ERR_INIT;
	long_query q = { .c = new_conn(), .rc = 1, .err = TR_ERR_INIT };
	assert_int_equal(db_conn_ensure(q.c, &err), TR_OK);
	unsigned long id = db_conn_thread_id(q.c);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, run_long_query, &q), 0);
	/* Wait (up to 10 s) until the statement runs: a kill before it starts stops nothing. */
	int running = 0;
	for (int i = 0; i < 1000 && !running; i++) {
		running = is_running(f->db, id);
		if (!running)
			usleep(10000);
	}
	assert_true(running);
	usleep(200000); /* well into the scan */
	double t0 = now_s();
	assert_int_equal(db_conn_kill_query(f->db, id, &err), TR_OK);
	assert_int_equal(pthread_join(th, NULL), 0);
	double stopped_after = now_s() - t0;
	/* Stopped at once, with the interruption reported (not the 60 s time limit). */
	if (stopped_after > 2.0)
		fail_msg("the statement ran %.1f s after KILL QUERY", stopped_after);
	assert_true(q.rc < 0);
	assert_int_equal(q.err.code, TR_EDB);
	if (strstr(q.err.msg, "interrupted") == NULL)
		fail_msg("expected an interruption, got: %s", q.err.msg);
	/* KILL QUERY leaves the connection itself alive. */
	assert_non_null(db_conn_handle(q.c));
	assert_int_equal(db_conn_thread_id(q.c), id);
	assert_int_equal(mysql_query(db_conn_handle(q.c), "SELECT 1"), 0);
	mysql_free_result(mysql_store_result(db_conn_handle(q.c)));
	db_conn_free(q.c);
}

int main(void)
{
	socket_path = getenv("TR_TEST_DB_SOCKET");
	if (socket_path == NULL || !*socket_path) {
		printf("TR_TEST_DB_SOCKET not set: skipped (run by tests/integration/db_cursor.sh)\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_many_rows_constant_buffers),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_abandon_closes_connection),
		cmocka_unit_test(test_thread_id_and_kill_nothing),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_kill_query),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
