/* test_uws_store: the UWS job store (src/uws/store.h) against a real MariaDB.
 *
 * Run by tests/integration/uws_store.sh, which starts the test server and sets TR_TEST_DB_SOCKET and
 * TR_TEST_CONFIG (a configuration whose uws section names the taproom_uws account); without them only
 * the connection-parameter test runs and the program exits 77 (skipped).  Covers: create/get round
 * trips with NUL bytes and non-ASCII text, missing jobs, listing by owner, PHASE, AFTER and LAST,
 * parameter changes only while PENDING, RUN, ABORT, DELETE, active counts, executors racing for
 * jobs from separate connections and processes, attempts, recovery of jobs whose executor's
 * connection went away, and expiry.  Each test starts from empty tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "uws/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RACE_JOBS 24      /* queued jobs the racing processes share out */
#define RACE_PROCS 4      /* processes claiming them at once, each on its own connection */
#define LOCK_WAIT_MS 5000 /* how long a closed connection's lock may take to be freed */

/* A parameter whose value is a string literal (which may hold NULs). */
#define PARAM(name, lit, is_ref) { (name), (lit), sizeof(lit) - 1, (is_ref) }

static const char *socket_path;
static const char *config_path;

typedef struct fixture {
	arena *cfg_arena;
	db_params params;
	db_conn *a;       /* "executor" connection */
	db_conn *b;       /* a second session: another worker or replica */
	arena *ar;        /* per test */
} fixture;

/* ---- helpers -------------------------------------------------------------------------------- */

static void exec_sql(db_conn *c, const char *sql)
{
	tr_err err = TR_ERR_INIT;
	if (db_conn_ensure(c, &err) < 0)
		fail_msg("%s", err.msg);
	MYSQL *m = db_conn_handle(c);
	if (mysql_query(m, sql) != 0)
		fail_msg("%s: %s", sql, mysql_error(m));
}

static long long query_int(db_conn *c, const char *sql)
{
	exec_sql(c, sql);
	MYSQL *m = db_conn_handle(c);
	MYSQL_RES *res = mysql_store_result(m);
	assert_non_null(res);
	MYSQL_ROW row = mysql_fetch_row(res);
	assert_non_null(row);
	long long v = row[0] ? strtoll(row[0], NULL, 10) : -1;
	mysql_free_result(res);
	return v;
}

static void sql_printf(db_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql_printf(db_conn *c, const char *fmt, ...)
{
	char sql[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	exec_sql(c, sql);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ok(int rc, const tr_err *err)
{
	if (rc != TR_OK)
		fail_msg("rc %d: %s", rc, err->msg);
}

/* A new job (id into id) of owner (NULL: anonymous from client) in phase, with params. */
static void make_job(db_conn *c, char id[UWS_JOB_ID_LEN + 1], const char *owner, const char *client,
                     uws_phase phase, const uws_param *params, size_t n)
{
	tr_err err = TR_ERR_INIT;
	uws_job job;
	memset(&job, 0, sizeof job);
	ok(uws_job_id_new(job.id, &err), &err);
	job.owner = owner;
	job.client = client;
	job.phase = phase;
	job.execution_duration = 600;
	job.params = (uws_param *)params;
	job.n_params = n;
	ok(uws_store_create(c, &job, 3600, &err), &err);
	memcpy(id, job.id, UWS_JOB_ID_LEN + 1);
}

static uws_phase phase_of(db_conn *c, const char *id)
{
	tr_err err = TR_ERR_INIT;
	uws_phase p = UWS_UNKNOWN;
	ok(uws_store_phase(c, id, &p, &err), &err);
	return p;
}

/* Claims on c, expecting exactly job id. */
static unsigned claim_expect(fixture *f, db_conn *c, const char *id)
{
	tr_err err = TR_ERR_INIT;
	uws_job job;
	int rc = uws_store_claim(c, f->ar, "test:1", &job, &err);
	if (rc != 1)
		fail_msg("claim returned %d: %s", rc, err.msg);
	assert_string_equal(job.id, id);
	assert_int_equal(job.phase, UWS_EXECUTING);
	return job.attempt;
}

/* ---- fixture -------------------------------------------------------------------------------- */

static int setup_group(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	tr_err err = TR_ERR_INIT;
	f->cfg_arena = arena_create(0, 0);
	if (config_path && *config_path) {
		tr_config *cfg = config_load(f->cfg_arena, config_path, &err);
		if (cfg == NULL) {
			fprintf(stderr, "%s\n", err.msg);
			return -1;
		}
		uws_store_db_params(cfg, &f->params);
	} else {
		const char *pw = getenv("TR_TEST_DB_PASSWORD");
		f->params = (db_params){ .host = "", .socket = socket_path, .user = "taproom_uws",
		                         .password = pw ? pw : "", .database = "taproom_uws",
		                         .connect_timeout = 5, .read_timeout = 60 };
	}
	f->a = db_conn_new(&f->params);
	f->b = db_conn_new(&f->params);
	if (db_conn_ensure(f->a, &err) < 0 || db_conn_ensure(f->b, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown_group(void **state)
{
	fixture *f = *state;
	db_conn_free(f->a);
	db_conn_free(f->b);
	arena_destroy(f->cfg_arena);
	free(f);
	return 0;
}

static int setup(void **state)
{
	fixture *f = *state;
	exec_sql(f->b, "DELETE FROM uws_parameter");
	exec_sql(f->b, "DELETE FROM uws_job");
	f->ar = arena_create(0, 0);
	return f->ar ? 0 : -1;
}

static int teardown(void **state)
{
	fixture *f = *state;
	arena_destroy(f->ar);
	f->ar = NULL;
	return 0;
}

/* ---- connection parameters (no database) ----------------------------------------------------- */

static void test_db_params(void **state)
{
	(void)state;
	tr_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.db_host = "db.example.org";
	cfg.db_port = 3307;
	cfg.db_socket = "";
	cfg.uws_host = "";
	cfg.uws_port = 3306;
	cfg.uws_socket = "";
	cfg.uws_name = "jobs";
	cfg.uws_user = "writer";
	cfg.uws_password = "secret";
	cfg.db_connect_timeout = 4;
	cfg.db_read_timeout = 99;
	db_params p;
	uws_store_db_params(&cfg, &p);
	assert_string_equal(p.host, "db.example.org");
	assert_int_equal(p.port, 3307);
	assert_string_equal(p.socket, "");
	assert_string_equal(p.user, "writer");
	assert_string_equal(p.password, "secret");
	assert_string_equal(p.database, "jobs");
	assert_int_equal(p.connect_timeout, 4);
	assert_int_equal(p.read_timeout, 99);

	cfg.uws_socket = "/run/uws.sock"; /* its own server: nothing of the database section */
	uws_store_db_params(&cfg, &p);
	assert_string_equal(p.host, "");
	assert_int_equal(p.port, 3306);
	assert_string_equal(p.socket, "/run/uws.sock");

	cfg.uws_socket = "";
	cfg.uws_host = "uws.example.org";
	uws_store_db_params(&cfg, &p);
	assert_string_equal(p.host, "uws.example.org");
	assert_int_equal(p.port, 3306);
	assert_string_equal(p.socket, "");
}

/* ---- create, get, list ---------------------------------------------------------------------- */

static void test_round_trip(void **state)
{
	fixture *f = *state;
	const uws_param params[] = {
		PARAM("QUERY", "SELECT TOP 1 * FROM t WHERE name = 'Ångström ✓'", false),
		PARAM("LANG", "ADQL", false),
		PARAM("data", "a\0b\xff\0z", false), /* NULs and a byte that is not UTF-8 */
		PARAM("Größe", "", false),
		PARAM("UPLOAD", "t,http://example.org/t.xml", true),
	};
	tr_err err = TR_ERR_INIT;
	uws_job job;
	memset(&job, 0, sizeof job);
	ok(uws_job_id_new(job.id, &err), &err);
	job.owner = "alice ✓";
	job.client = "2001:db8::1";
	job.run_id = "run \"1\" ✓";
	job.phase = UWS_PENDING;
	job.execution_duration = 1234;
	job.params = (uws_param *)params;
	job.n_params = 5;
	int64_t before = now_ms();
	ok(uws_store_create(f->b, &job, 7200, &err), &err);

	uws_job got;
	ok(uws_store_get(f->a, f->ar, job.id, &got, &err), &err);
	assert_string_equal(got.id, job.id);
	assert_string_equal(got.owner, "alice ✓");
	assert_string_equal(got.client, "2001:db8::1");
	assert_string_equal(got.run_id, "run \"1\" ✓");
	assert_int_equal(got.phase, UWS_PENDING);
	/* the server's clock, which is this machine's here */
	assert_true(got.creation_ms > before - 60000 && got.creation_ms < now_ms() + 60000);
	assert_int_equal(got.destruction_ms, got.creation_ms + 7200 * 1000);
	assert_int_equal(got.start_ms, 0);
	assert_int_equal(got.end_ms, 0);
	assert_int_equal(got.execution_duration, 1234);
	assert_int_equal(got.attempt, 0);
	assert_int_equal(got.db_thread_id, 0);
	assert_null(got.executor);
	assert_null(got.error_msg);
	assert_null(got.result_type);
	assert_int_equal(got.n_params, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(got.params[i].name, params[i].name);
		assert_int_equal(got.params[i].value_len, params[i].value_len);
		assert_memory_equal(got.params[i].value, params[i].value, params[i].value_len);
		assert_int_equal(got.params[i].value[got.params[i].value_len], '\0');
		assert_int_equal(got.params[i].is_reference, params[i].is_reference);
	}
	assert_ptr_equal(uws_job_param(&got, "query"), &got.params[0]);

	/* anonymous, no RUNID, no parameters, created QUEUED */
	char id[UWS_JOB_ID_LEN + 1];
	make_job(f->b, id, NULL, NULL, UWS_QUEUED, NULL, 0);
	ok(uws_store_get(f->a, f->ar, id, &got, &err), &err);
	assert_null(got.owner);
	assert_null(got.client);
	assert_null(got.run_id);
	assert_int_equal(got.phase, UWS_QUEUED);
	assert_int_equal(got.n_params, 0);

	/* the same id twice is refused */
	memcpy(job.id, id, sizeof job.id);
	tr_err e2 = TR_ERR_INIT;
	assert_true(uws_store_create(f->b, &job, 60, &e2) < 0);
}

static void test_missing(void **state)
{
	fixture *f = *state;
	tr_err err = TR_ERR_INIT;
	uws_job job;
	const char *id = "0123456789abcdef0123456789abcdef";
	assert_int_equal(uws_store_get(f->a, f->ar, id, &job, &err), TR_ENOTFOUND);
	assert_int_equal(err.http_status, 404);
	assert_non_null(strstr(err.msg, id));
	uws_phase p;
	tr_err_clear(&err);
	assert_int_equal(uws_store_phase(f->a, id, &p, &err), TR_ENOTFOUND);
	/* ids that cannot be one never reach SQL */
	tr_err_clear(&err);
	assert_int_equal(uws_store_get(f->a, f->ar, "../../etc/passwd", &job, &err), TR_ENOTFOUND);
	tr_err_clear(&err);
	assert_int_equal(uws_store_run(f->a, "0123' OR '1'='1", &err), TR_ENOTFOUND);
	tr_err_clear(&err);
	assert_int_equal(uws_store_set_destruction(f->a, id, 1, &err), TR_ENOTFOUND);
	tr_err_clear(&err);
	assert_int_equal(uws_store_set_execution_duration(f->a, id, 1, &err), TR_ENOTFOUND);
	tr_err_clear(&err);
	assert_int_equal(uws_store_set_params(f->a, id, NULL, 0, &err), TR_ENOTFOUND);
	bool was;
	unsigned long tid;
	tr_err_clear(&err);
	assert_int_equal(uws_store_abort(f->a, id, &was, &tid, &err), TR_ENOTFOUND);
	tr_err_clear(&err);
	assert_int_equal(uws_store_delete(f->a, id, &was, &tid, &err), TR_ENOTFOUND);
	tr_err_clear(&err);
	assert_int_equal(uws_store_run(f->a, id, &err), TR_ENOTFOUND);
}

static void list_expect(fixture *f, const uws_list_filter *flt, const char *const *want, size_t n_want)
{
	tr_err err = TR_ERR_INIT;
	uws_job *jobs;
	size_t n;
	ok(uws_store_list(f->a, f->ar, flt, &jobs, &n, &err), &err);
	if (n != n_want)
		fail_msg("%zu jobs listed, %zu expected", n, n_want);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(jobs[i].id, want[i]);
}

static void test_list(void **state)
{
	fixture *f = *state;
	char a1[33], a2[33], a3[33], n1[33], n2[33], b1[33];
	make_job(f->b, a1, "alice", NULL, UWS_PENDING, NULL, 0);
	make_job(f->b, a2, "alice", NULL, UWS_QUEUED, NULL, 0);
	make_job(f->b, a3, "alice", NULL, UWS_PENDING, NULL, 0);
	make_job(f->b, n1, NULL, "10.0.0.1", UWS_PENDING, NULL, 0);
	make_job(f->b, n2, NULL, "10.0.0.2", UWS_QUEUED, NULL, 0);
	make_job(f->b, b1, "bob", NULL, UWS_PENDING, NULL, 0);
	/* distinct creation times, oldest first: a1 n1 a2 b1 a3 n2 */
	const char *order[] = { a1, n1, a2, b1, a3, n2 };
	for (int i = 0; i < 6; i++)
		sql_printf(f->b, "UPDATE uws_job SET creation_ms = %d000 WHERE job_id = '%s'", 1000 + i, order[i]);

	uws_list_filter flt = { .owner = "alice" };
	list_expect(f, &flt, (const char *[]){ a1, a2, a3 }, 3);
	flt.owner = NULL; /* anonymous jobs only, whoever created them */
	list_expect(f, &flt, (const char *[]){ n1, n2 }, 2);
	flt.owner = "bob";
	list_expect(f, &flt, (const char *[]){ b1 }, 1);
	flt.owner = "carol";
	list_expect(f, &flt, NULL, 0);

	flt = (uws_list_filter){ .owner = "alice", .phases = 1u << UWS_QUEUED };
	list_expect(f, &flt, (const char *[]){ a2 }, 1);
	flt.phases = 1u << UWS_QUEUED | 1u << UWS_PENDING;
	list_expect(f, &flt, (const char *[]){ a1, a2, a3 }, 3);
	flt.phases = 1u << UWS_COMPLETED;
	list_expect(f, &flt, NULL, 0);

	flt = (uws_list_filter){ .owner = "alice", .after_ms = 1000000 }; /* strictly after a1 */
	list_expect(f, &flt, (const char *[]){ a2, a3 }, 2);
	flt = (uws_list_filter){ .owner = "alice", .last = 2 }; /* newest first */
	list_expect(f, &flt, (const char *[]){ a3, a2 }, 2);
	flt = (uws_list_filter){ .owner = "alice", .last = 10, .max = 1 };
	list_expect(f, &flt, (const char *[]){ a3 }, 1);
	flt = (uws_list_filter){ .owner = "alice", .max = 2 };
	list_expect(f, &flt, (const char *[]){ a1, a2 }, 2);
	flt = (uws_list_filter){ .owner = "alice", .last = 1, .after_ms = 1000000, .phases = 1u << UWS_QUEUED };
	list_expect(f, &flt, (const char *[]){ a2 }, 1);

	/* ARCHIVED is left out unless asked for */
	sql_printf(f->b, "UPDATE uws_job SET phase = 'ARCHIVED' WHERE job_id = '%s'", a1);
	flt = (uws_list_filter){ .owner = "alice" };
	list_expect(f, &flt, (const char *[]){ a2, a3 }, 2);
	flt.phases = 1u << UWS_ARCHIVED;
	list_expect(f, &flt, (const char *[]){ a1 }, 1);

	/* only the jobref fields are filled */
	tr_err err = TR_ERR_INIT;
	uws_job *jobs;
	size_t n;
	flt = (uws_list_filter){ .owner = "bob" };
	ok(uws_store_list(f->a, f->ar, &flt, &jobs, &n, &err), &err);
	assert_int_equal(n, 1);
	assert_string_equal(jobs[0].owner, "bob");
	assert_int_equal(jobs[0].phase, UWS_PENDING);
	assert_int_equal(jobs[0].creation_ms, 1003000);
}

/* ---- changes by clients --------------------------------------------------------------------- */

static void test_set_params(void **state)
{
	fixture *f = *state;
	const uws_param first[] = {
		PARAM("QUERY", "SELECT 1", false),
		PARAM("UPLOAD", "a,http://x/a", true),
		PARAM("LANG", "ADQL", false),
		PARAM("upload", "b,http://x/b", true),
	};
	char id[33];
	make_job(f->b, id, "alice", NULL, UWS_PENDING, first, 4);
	tr_err err = TR_ERR_INIT;
	/* replaces by name, case-insensitively, in place; every old value of the name goes; new ones are
	 * appended; a name given twice keeps both values */
	const uws_param change[] = {
		PARAM("query", "SELECT 2\0x", false),
		PARAM("MAXREC", "10", false),
		PARAM("Upload", "c,http://x/c", true),
		PARAM("UPLOAD", "d,http://x/d", true),
	};
	ok(uws_store_set_params(f->a, id, change, 4, &err), &err);
	uws_job job;
	ok(uws_store_get(f->a, f->ar, id, &job, &err), &err);
	assert_int_equal(job.n_params, 5);
	assert_string_equal(job.params[0].name, "query");
	assert_int_equal(job.params[0].value_len, 10);
	assert_memory_equal(job.params[0].value, "SELECT 2\0x", 10);
	assert_string_equal(job.params[1].name, "Upload");
	assert_string_equal(job.params[1].value, "c,http://x/c");
	assert_true(job.params[1].is_reference);
	assert_string_equal(job.params[2].name, "LANG");
	assert_string_equal(job.params[3].name, "MAXREC");
	assert_string_equal(job.params[3].value, "10");
	assert_string_equal(job.params[4].name, "UPLOAD");
	assert_string_equal(job.params[4].value, "d,http://x/d");

	ok(uws_store_set_execution_duration(f->a, id, 77, &err), &err);
	ok(uws_store_set_execution_duration(f->a, id, 77, &err), &err); /* unchanged is fine */
	ok(uws_store_get(f->a, f->ar, id, &job, &err), &err);
	assert_int_equal(job.execution_duration, 77);

	ok(uws_store_run(f->a, id, &err), &err);
	assert_int_equal(uws_store_set_params(f->a, id, change, 1, &err), TR_ECONFLICT);
	assert_int_equal(err.http_status, 409);
	assert_non_null(strstr(err.msg, "QUEUED"));
	tr_err_clear(&err);
	assert_int_equal(uws_store_set_execution_duration(f->a, id, 5, &err), TR_ECONFLICT);
	tr_err_clear(&err);
	ok(uws_store_get(f->a, f->ar, id, &job, &err), &err);
	assert_int_equal(job.execution_duration, 77);
	assert_string_equal(job.params[0].value, "SELECT 2");

	/* destruction may change in any phase */
	ok(uws_store_set_destruction(f->a, id, 4102444800000LL, &err), &err);
	ok(uws_store_set_destruction(f->a, id, 4102444800000LL, &err), &err);
	ok(uws_store_get(f->a, f->ar, id, &job, &err), &err);
	assert_int_equal(job.destruction_ms, 4102444800000LL);
}

static void test_run(void **state)
{
	fixture *f = *state;
	char id[33];
	make_job(f->b, id, NULL, NULL, UWS_PENDING, NULL, 0);
	tr_err err = TR_ERR_INIT;
	ok(uws_store_run(f->b, id, &err), &err);
	assert_int_equal(phase_of(f->b, id), UWS_QUEUED);
	ok(uws_store_run(f->b, id, &err), &err); /* a repeated RUN */
	assert_int_equal(phase_of(f->b, id), UWS_QUEUED);
	unsigned attempt = claim_expect(f, f->a, id);
	ok(uws_store_run(f->b, id, &err), &err); /* while EXECUTING */
	ok(uws_store_complete(f->a, id, attempt, "text/csv", 1, 10, false, &err), &err);
	ok(uws_store_release(f->a, id, &err), &err);
	assert_int_equal(uws_store_run(f->b, id, &err), TR_ECONFLICT);
	assert_non_null(strstr(err.msg, "COMPLETED"));
	assert_int_equal(phase_of(f->b, id), UWS_COMPLETED);
}

static void test_abort(void **state)
{
	fixture *f = *state;
	char pending[33], queued[33], running[33];
	make_job(f->b, pending, NULL, NULL, UWS_PENDING, NULL, 0);
	make_job(f->b, queued, NULL, NULL, UWS_QUEUED, NULL, 0);
	tr_err err = TR_ERR_INIT;
	bool was = true;
	unsigned long tid = 99;
	ok(uws_store_abort(f->b, pending, &was, &tid, &err), &err);
	assert_false(was);
	assert_int_equal(tid, 0);
	assert_int_equal(phase_of(f->b, pending), UWS_ABORTED);
	ok(uws_store_abort(f->b, queued, &was, &tid, &err), &err);
	assert_false(was);
	assert_int_equal(phase_of(f->b, queued), UWS_ABORTED);

	make_job(f->b, running, NULL, NULL, UWS_QUEUED, NULL, 0);
	unsigned attempt = claim_expect(f, f->a, running);
	/* aborted before the executor started its statement: nothing to kill */
	ok(uws_store_abort(f->b, running, &was, &tid, &err), &err);
	assert_true(was);
	assert_int_equal(tid, 0);
	assert_int_equal(uws_store_set_thread(f->a, running, attempt, 4242, &err), TR_ECONFLICT);
	assert_non_null(strstr(err.msg, "ABORTED"));
	tr_err_clear(&err);
	ok(uws_store_release(f->a, running, &err), &err);

	make_job(f->b, running, NULL, NULL, UWS_QUEUED, NULL, 0);
	attempt = claim_expect(f, f->a, running);
	ok(uws_store_set_thread(f->a, running, attempt, 4242, &err), &err);
	ok(uws_store_abort(f->b, running, &was, &tid, &err), &err);
	assert_true(was);
	assert_int_equal(tid, 4242);
	uws_job job;
	ok(uws_store_get(f->b, f->ar, running, &job, &err), &err);
	assert_int_equal(job.phase, UWS_ABORTED);
	assert_true(job.end_ms >= job.start_ms && job.start_ms > 0);
	/* the executor learns it when it finishes */
	assert_int_equal(uws_store_complete(f->a, running, attempt, "text/csv", 1, 1, false, &err), TR_ECONFLICT);
	tr_err_clear(&err);
	ok(uws_store_release(f->a, running, &err), &err);
	/* aborting a final job changes nothing */
	ok(uws_store_abort(f->b, running, &was, &tid, &err), &err);
	assert_false(was);
	assert_int_equal(tid, 0);
	ok(uws_store_get(f->b, f->ar, running, &job, &err), &err);
	assert_int_equal(job.phase, UWS_ABORTED);
}

static void test_delete(void **state)
{
	fixture *f = *state;
	const uws_param params[] = { PARAM("QUERY", "SELECT 1", false), PARAM("LANG", "ADQL", false) };
	char id[33], running[33];
	make_job(f->b, id, "alice", NULL, UWS_PENDING, params, 2);
	make_job(f->b, running, "alice", NULL, UWS_QUEUED, params, 2);
	tr_err err = TR_ERR_INIT;
	bool was = true;
	unsigned long tid = 1;
	ok(uws_store_delete(f->b, id, &was, &tid, &err), &err);
	assert_false(was);
	assert_int_equal(tid, 0);
	uws_job job;
	assert_int_equal(uws_store_get(f->b, f->ar, id, &job, &err), TR_ENOTFOUND);
	tr_err_clear(&err);
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM uws_parameter WHERE job_id = '%s'", id);
	assert_int_equal(query_int(f->b, sql), 0);

	unsigned attempt = claim_expect(f, f->a, running);
	ok(uws_store_set_thread(f->a, running, attempt, 777, &err), &err);
	ok(uws_store_delete(f->b, running, &was, &tid, &err), &err);
	assert_true(was);
	assert_int_equal(tid, 777);
	assert_int_equal(uws_store_fail(f->a, running, attempt, "x", 500, &err), TR_ECONFLICT);
	assert_non_null(strstr(err.msg, "deleted"));
	tr_err_clear(&err);
	ok(uws_store_release(f->a, running, &err), &err);
	assert_int_equal(uws_store_delete(f->b, running, &was, &tid, &err), TR_ENOTFOUND);
	assert_int_equal(query_int(f->b, "SELECT COUNT(*) FROM uws_parameter"), 0);
}

static void test_count_active(void **state)
{
	fixture *f = *state;
	char id[33];
	make_job(f->b, id, "alice", NULL, UWS_PENDING, NULL, 0);
	make_job(f->b, id, "alice", NULL, UWS_QUEUED, NULL, 0);
	make_job(f->b, id, "alice", NULL, UWS_QUEUED, NULL, 0);
	make_job(f->b, id, NULL, "10.0.0.1", UWS_QUEUED, NULL, 0);
	make_job(f->b, id, NULL, "10.0.0.2", UWS_QUEUED, NULL, 0);
	make_job(f->b, id, "alice", NULL, UWS_PENDING, NULL, 0);
	tr_err err = TR_ERR_INIT;
	bool was;
	unsigned long tid;
	ok(uws_store_abort(f->b, id, &was, &tid, &err), &err);
	long mine = -1, total = -1;
	ok(uws_store_count_active(f->b, "alice", NULL, &mine, &total, &err), &err);
	assert_int_equal(mine, 2);
	assert_int_equal(total, 4);
	ok(uws_store_count_active(f->b, NULL, "10.0.0.1", &mine, &total, &err), &err);
	assert_int_equal(mine, 1);
	ok(uws_store_count_active(f->b, "bob", NULL, &mine, &total, &err), &err);
	assert_int_equal(mine, 0);
	assert_int_equal(total, 4);
	/* EXECUTING counts too */
	uws_job job;
	assert_int_equal(uws_store_claim(f->a, f->ar, "test:1", &job, &err), 1);
	ok(uws_store_count_active(f->b, NULL, NULL, &mine, &total, &err), &err);
	assert_int_equal(mine, 0);
	assert_int_equal(total, 4);
	ok(uws_store_release(f->a, job.id, &err), &err);
}

/* ---- executors ------------------------------------------------------------------------------ */

static void test_claim_two_connections(void **state)
{
	fixture *f = *state;
	tr_err err = TR_ERR_INIT;
	uws_job job;
	assert_int_equal(uws_store_claim(f->a, f->ar, "test:1", &job, &err), 0); /* nothing queued */
	char id[33];
	make_job(f->b, id, NULL, NULL, UWS_QUEUED, NULL, 0);
	/* B holds the job's lock as if it were between its GET_LOCK and its UPDATE: A must not win */
	sql_printf(f->b, "DO GET_LOCK('" UWS_LOCK_PREFIX "%s', 0)", id);
	assert_int_equal(uws_store_claim(f->a, f->ar, "test:a", &job, &err), 0);
	assert_int_equal(phase_of(f->a, id), UWS_QUEUED);
	sql_printf(f->b, "DO RELEASE_LOCK('" UWS_LOCK_PREFIX "%s')", id);
	assert_int_equal(uws_store_claim(f->a, f->ar, "test:a", &job, &err), 1);
	assert_string_equal(job.executor, "test:a");
	assert_int_equal(job.attempt, 1);
	assert_true(job.start_ms > 0);
	assert_int_equal(uws_store_claim(f->b, f->ar, "test:b", &job, &err), 0);
	/* the winner holds the lock until it releases it */
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT IS_FREE_LOCK('" UWS_LOCK_PREFIX "%s')", id);
	assert_int_equal(query_int(f->b, sql), 0);
	ok(uws_store_release(f->a, id, &err), &err);
	assert_int_equal(query_int(f->b, sql), 1);
}

/* Claims until none is left, writing each claimed id to fd; _exit status 0 when all went well. */
static void race_child(const db_params *p, int fd)
{
	db_conn *c = db_conn_new(p);
	arena *a = arena_create(0, 0);
	tr_err err = TR_ERR_INIT;
	int rc;
	uws_job job;
	while ((rc = uws_store_claim(c, a, "race", &job, &err)) == 1) {
		if (write(fd, job.id, UWS_JOB_ID_LEN) != UWS_JOB_ID_LEN)
			_exit(3);
		arena_reset(a);
	}
	if (rc < 0)
		fprintf(stderr, "race: %s\n", err.msg);
	/* exit without closing: the locks go with the connection, as when an executor dies */
	_exit(rc == 0 ? 0 : 2);
}

static void test_claim_race(void **state)
{
	fixture *f = *state;
	char ids[RACE_JOBS][33];
	for (int i = 0; i < RACE_JOBS; i++)
		make_job(f->b, ids[i], NULL, NULL, UWS_QUEUED, NULL, 0);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pids[RACE_PROCS];
	for (int i = 0; i < RACE_PROCS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(fds[0]);
			race_child(&f->params, fds[1]);
		}
	}
	close(fds[1]);
	int seen[RACE_JOBS] = { 0 };
	char id[UWS_JOB_ID_LEN + 1];
	int n = 0;
	while (read(fds[0], id, UWS_JOB_ID_LEN) == UWS_JOB_ID_LEN) {
		id[UWS_JOB_ID_LEN] = '\0';
		for (int i = 0; i < RACE_JOBS; i++)
			seen[i] += strcmp(ids[i], id) == 0;
		n++;
	}
	close(fds[0]);
	for (int i = 0; i < RACE_PROCS; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(n, RACE_JOBS);
	for (int i = 0; i < RACE_JOBS; i++)
		assert_int_equal(seen[i], 1); /* every job claimed exactly once */
	assert_int_equal(query_int(f->b, "SELECT COUNT(*) FROM uws_job WHERE phase = 'EXECUTING' AND attempt = 1"),
	                 RACE_JOBS);
}

static void test_attempts(void **state)
{
	fixture *f = *state;
	char id[33];
	make_job(f->b, id, NULL, NULL, UWS_QUEUED, NULL, 0);
	tr_err err = TR_ERR_INIT;
	unsigned attempt = claim_expect(f, f->a, id);
	assert_int_equal(attempt, 1);
	ok(uws_store_set_thread(f->a, id, attempt, 31, &err), &err);
	ok(uws_store_set_thread(f->a, id, attempt, 31, &err), &err); /* unchanged is fine */
	uws_job job;
	ok(uws_store_get(f->b, f->ar, id, &job, &err), &err);
	assert_int_equal(job.db_thread_id, 31);
	/* given back: QUEUED again, the attempt stays and counts */
	ok(uws_store_requeue(f->a, id, attempt, &err), &err);
	ok(uws_store_release(f->a, id, &err), &err);
	ok(uws_store_get(f->b, f->ar, id, &job, &err), &err);
	assert_int_equal(job.phase, UWS_QUEUED);
	assert_int_equal(job.attempt, 1);
	assert_null(job.executor);
	assert_int_equal(job.db_thread_id, 0);
	assert_int_equal(job.start_ms, 0);
	attempt = claim_expect(f, f->a, id);
	assert_int_equal(attempt, 2);
	/* a stale attempt changes nothing */
	assert_int_equal(uws_store_complete(f->a, id, 1, "text/csv", 1, 1, false, &err), TR_ECONFLICT);
	assert_non_null(strstr(err.msg, "attempt"));
	tr_err_clear(&err);
	assert_int_equal(uws_store_set_thread(f->a, id, 1, 5, &err), TR_ECONFLICT);
	tr_err_clear(&err);
	ok(uws_store_complete(f->a, id, attempt, "application/x-votable+xml", 12345, 67890, true, &err), &err);
	ok(uws_store_release(f->a, id, &err), &err);
	ok(uws_store_get(f->b, f->ar, id, &job, &err), &err);
	assert_int_equal(job.phase, UWS_COMPLETED);
	assert_string_equal(job.result_type, "application/x-votable+xml");
	assert_int_equal(job.result_rows, 12345);
	assert_int_equal(job.result_bytes, 67890);
	assert_true(job.result_overflow);
	assert_true(job.end_ms >= job.start_ms);
	assert_int_equal(uws_store_fail(f->a, id, attempt, "late", 500, &err), TR_ECONFLICT);
	tr_err_clear(&err);

	make_job(f->b, id, NULL, NULL, UWS_QUEUED, NULL, 0);
	attempt = claim_expect(f, f->a, id);
	ok(uws_store_fail(f->a, id, attempt, "syntax error at or near \"FROM\" ✓", 400, &err), &err);
	ok(uws_store_release(f->a, id, &err), &err);
	ok(uws_store_get(f->b, f->ar, id, &job, &err), &err);
	assert_int_equal(job.phase, UWS_ERROR);
	assert_string_equal(job.error_msg, "syntax error at or near \"FROM\" ✓");
	assert_int_equal(job.error_status, 400);
	assert_true(job.end_ms > 0);
}

/* Recovers on c until n jobs were requeued or failed (a closed connection's locks are freed by the
 * server a moment after the client left). */
static void recover_until(db_conn *c, int max_requeues, long want_requeued, long want_failed)
{
	tr_err err = TR_ERR_INIT;
	long requeued = 0, failed = 0;
	for (int waited = 0; waited < LOCK_WAIT_MS; waited += 20) {
		long r, fl;
		ok(uws_store_recover(c, max_requeues, NULL, NULL, &r, &fl, &err), &err);
		requeued += r;
		failed += fl;
		if (requeued + failed >= want_requeued + want_failed)
			break;
		usleep(20 * 1000);
	}
	assert_int_equal(requeued, want_requeued);
	assert_int_equal(failed, want_failed);
}

static void test_recover(void **state)
{
	fixture *f = *state;
	char id[33];
	make_job(f->b, id, NULL, NULL, UWS_QUEUED, NULL, 0);
	tr_err err = TR_ERR_INIT;
	long r = -1, fl = -1;
	claim_expect(f, f->a, id);
	/* its executor is alive: nothing to do */
	ok(uws_store_recover(f->b, 1, NULL, NULL, &r, &fl, &err), &err);
	assert_int_equal(r, 0);
	assert_int_equal(fl, 0);
	/* nor for the session that holds the lock itself */
	ok(uws_store_recover(f->a, 1, NULL, NULL, &r, &fl, &err), &err);
	assert_int_equal(r + fl, 0);

	db_conn_close(f->a); /* the executor dies */
	recover_until(f->b, 1, 1, 0);
	uws_job job;
	ok(uws_store_get(f->b, f->ar, id, &job, &err), &err);
	assert_int_equal(job.phase, UWS_QUEUED);
	assert_int_equal(job.attempt, 1);
	assert_null(job.executor);

	assert_int_equal(claim_expect(f, f->a, id), 2);
	db_conn_close(f->a); /* and again: attempt 2 > max_requeues 1 */
	recover_until(f->b, 1, 0, 1);
	ok(uws_store_get(f->b, f->ar, id, &job, &err), &err);
	assert_int_equal(job.phase, UWS_ERROR);
	assert_int_equal(job.error_status, 500);
	assert_non_null(job.error_msg);
	assert_non_null(strstr(job.error_msg, "the executor running this job stopped"));
	assert_non_null(strstr(job.error_msg, "2 times"));
	assert_true(job.end_ms > 0);
	/* a finished job is never touched again */
	ok(uws_store_recover(f->b, 1, NULL, NULL, &r, &fl, &err), &err);
	assert_int_equal(r + fl, 0);

	/* max_requeues 0: the first loss is final */
	make_job(f->b, id, NULL, NULL, UWS_QUEUED, NULL, 0);
	claim_expect(f, f->a, id);
	db_conn_close(f->a);
	recover_until(f->b, 0, 0, 1);
	ok(uws_store_get(f->b, f->ar, id, &job, &err), &err);
	assert_int_equal(job.phase, UWS_ERROR);
	assert_null(strstr(job.error_msg, "times"));
}

static void test_expired(void **state)
{
	fixture *f = *state;
	char old1[33], old2[33], young[33];
	make_job(f->b, old1, NULL, NULL, UWS_PENDING, NULL, 0);
	make_job(f->b, old2, "alice", NULL, UWS_QUEUED, NULL, 0);
	make_job(f->b, young, NULL, NULL, UWS_PENDING, NULL, 0);
	tr_err err = TR_ERR_INIT;
	ok(uws_store_set_destruction(f->b, old1, 1000, &err), &err);
	ok(uws_store_set_destruction(f->b, old2, now_ms() - 60000, &err), &err);
	char **ids;
	size_t n;
	ok(uws_store_expired(f->a, f->ar, 10, &ids, &n, &err), &err);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], old1); /* the longest overdue first */
	assert_string_equal(ids[1], old2);
	ok(uws_store_expired(f->a, f->ar, 1, &ids, &n, &err), &err);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], old1);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_db_params),
	};
	int rc = cmocka_run_group_tests_name("uws_store (no database)", pure, NULL, NULL);
	if (rc != 0)
		return rc;
	socket_path = getenv("TR_TEST_DB_SOCKET");
	config_path = getenv("TR_TEST_CONFIG");
	if (socket_path == NULL || !*socket_path) {
		printf("TR_TEST_DB_SOCKET not set: database tests skipped (run by tests/integration/uws_store.sh)\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_active, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_two_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attempts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
	};
	return cmocka_run_group_tests_name("uws_store", tests, setup_group, teardown_group);
}
