/* store: UWS job state in the database (sql/uws.sql), the contract of store.h.
 *
 * Every value from outside (ids, owners, parameter names and bytes, messages) reaches SQL as a bound
 * parameter of a prepared statement; the statement texts are constants.  Every change of phase is one
 * conditional UPDATE, or a row read FOR UPDATE and changed in the same transaction.  Nothing is
 * logged here: errors go back to the caller.  UWS 1.1 §2.1.3 (phases), §2.2.3 (job actions). */
#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "uws/store.h"

#include "db/cursor.h"

#include <assert.h>
#include <mysql.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Milliseconds since the epoch by the database server's clock (one clock for every replica). */
#define NOW_MS "CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)"
/* The job's user lock, for SQL whose bound parameter is the job id. */
#define LOCK_OF_ARG "CONCAT('" UWS_LOCK_PREFIX "', ?)"

#define ST_MAX_ARGS 16         /* bound parameters of the longest statement: the job list (14) */
#define ST_MAX_COLS 19         /* result columns of the widest statement (a whole uws_job row) */
#define ST_INLINE 64           /* bytes of a text column's first buffer; longer values are re-read */
#define CLAIM_CANDIDATES 8     /* oldest QUEUED jobs one claim tries before saying "none" */
#define RECOVER_ERROR_STATUS 500
#define RECOVER_MSG_MAX 160

/* ---- prepared statements -------------------------------------------------------------------- */

/* Bound parameters.  The binds point into the struct itself, so it must not be copied once filled. */
typedef struct st_args {
	MYSQL_BIND b[ST_MAX_ARGS];
	long long v[ST_MAX_ARGS];  /* integer arguments, bound by address */
	unsigned n;
} st_args;

static MYSQL_BIND *arg_next(st_args *a)
{
	assert(a->n < ST_MAX_ARGS);
	MYSQL_BIND *b = &a->b[a->n++];
	memset(b, 0, sizeof *b);
	return b;
}

/* NULL p: SQL NULL.  MYSQL_TYPE_BLOB arguments are binary to the server (no charset check). */
static void arg_bytes(st_args *a, enum enum_field_types type, const char *p, size_t n)
{
	MYSQL_BIND *b = arg_next(a);
	if (p == NULL) {
		b->buffer_type = MYSQL_TYPE_NULL;
		return;
	}
	b->buffer_type = type;
	b->buffer = (void *)p;
	b->buffer_length = (unsigned long)n;
	b->length = &b->buffer_length;
}

static void arg_str(st_args *a, const char *s) { arg_bytes(a, MYSQL_TYPE_STRING, s, s ? strlen(s) : 0); }

static void arg_int(st_args *a, long long v)
{
	unsigned i = a->n;
	MYSQL_BIND *b = arg_next(a);
	a->v[i] = v;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = &a->v[i];
}

/* One result column: kind 'i' (integer) or 's' (text or bytes). */
typedef struct st_col {
	long long i;             /* 'i': the value, 0 for NULL */
	const char *s;           /* 's': the value, NUL-terminated (may hold NULs); NULL for SQL NULL */
	unsigned long len;       /* 's': its bytes */
	my_bool is_null;
	my_bool is_truncated;
	char buf[ST_INLINE];     /* 's': first buffer */
} st_col;

typedef struct st {
	db_conn *conn;
	MYSQL_STMT *stmt;          /* NULL before prepare and after st_close */
	const char *what;          /* what the statement does, for messages */
	const char *kinds;         /* one letter per result column, NULL: no result */
	unsigned n_cols;
	MYSQL_BIND b[ST_MAX_COLS];
	st_col col[ST_MAX_COLS];
} st;

static int no_conn(tr_err *err)
{
	return tr_err_set(err, TR_EDB_UNAVAILABLE, -1, 0, "no connection to the UWS database");
}

/* Maps the server's error; a lost connection is closed, so the next db_conn_ensure reconnects. */
static int fail_with(db_conn *c, const char *what, unsigned no, const char *msg, tr_err *err)
{
	tr_err e = TR_ERR_INIT;
	int rc = db_error(db_conn_handle(c), no, msg, &e);
	if (rc == TR_EDB_UNAVAILABLE)
		db_conn_close(c);
	return tr_err_set(err, rc, -1, 0, "%s: %s", what, e.msg);
}

static int st_fail(st *s, tr_err *err)
{
	MYSQL *m = db_conn_handle(s->conn);
	unsigned no = mysql_stmt_errno(s->stmt);
	const char *msg = mysql_stmt_error(s->stmt);
	if (no == 0 && m) {
		no = mysql_errno(m);
		msg = mysql_error(m);
	}
	return fail_with(s->conn, s->what, no, msg, err);
}

static int st_prepare(st *s, db_conn *c, const char *what, const char *sql, tr_err *err)
{
	s->conn = c;
	s->what = what;
	s->kinds = NULL;
	s->n_cols = 0;
	s->stmt = NULL;
	MYSQL *m = db_conn_handle(c);
	if (m == NULL)
		return no_conn(err);
	if ((s->stmt = mysql_stmt_init(m)) == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "%s: out of memory", what);
	if (mysql_stmt_prepare(s->stmt, sql, (unsigned long)strlen(sql)) != 0)
		return st_fail(s, err);
	return TR_OK;
}

static void bind_result(st *s)
{
	memset(s->b, 0, sizeof s->b[0] * s->n_cols);
	for (unsigned k = 0; k < s->n_cols; k++) {
		MYSQL_BIND *b = &s->b[k];
		st_col *col = &s->col[k];
		b->is_null = &col->is_null;
		b->error = &col->is_truncated;
		if (s->kinds[k] == 'i') {
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &col->i;
		} else {
			b->buffer_type = MYSQL_TYPE_BLOB;
			b->buffer = col->buf;
			b->buffer_length = sizeof col->buf;
			b->length = &col->len;
		}
	}
}

/* Runs the prepared statement with args (NULL: none).  kinds names the result columns (NULL: the
 * statement returns none); a result is buffered on the client, so other statements may run on the
 * connection while its rows are read. */
static int st_execute(st *s, st_args *args, const char *kinds, tr_err *err)
{
	if ((args && mysql_stmt_bind_param(s->stmt, args->b) != 0) || mysql_stmt_execute(s->stmt) != 0)
		return st_fail(s, err);
	s->kinds = kinds;
	if (kinds == NULL)
		return TR_OK;
	s->n_cols = (unsigned)strlen(kinds);
	if (s->n_cols > ST_MAX_COLS || mysql_stmt_field_count(s->stmt) != s->n_cols)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "%s: %u result columns, %u expected", s->what,
		                  mysql_stmt_field_count(s->stmt), s->n_cols);
	bind_result(s);
	if (mysql_stmt_bind_result(s->stmt, s->b) != 0 || mysql_stmt_store_result(s->stmt) != 0)
		return st_fail(s, err);
	return TR_OK;
}

static int st_run(st *s, db_conn *c, const char *what, const char *sql, st_args *args, const char *kinds,
                  tr_err *err)
{
	int rc = st_prepare(s, c, what, sql, err);
	return rc < 0 ? rc : st_execute(s, args, kinds, err);
}

static void st_close(st *s)
{
	if (s->stmt)
		mysql_stmt_close(s->stmt);
	s->stmt = NULL;
}

/* The text column k of the current row into col->s: copied into a, or, with a NULL, left in the
 * column's own buffer (valid until the next fetch; only for values known to be short). */
static int fetch_text(st *s, unsigned k, arena *a, tr_err *err)
{
	st_col *col = &s->col[k];
	if (col->is_null) {
		col->s = NULL;
		return TR_OK;
	}
	if (a == NULL) {
		if (col->len >= sizeof col->buf)
			return tr_err_set(err, TR_EINTERNAL, -1, 0, "%s: a value of %lu bytes where a short one was expected",
			                  s->what, col->len);
		col->buf[col->len] = '\0';
		col->s = col->buf;
		return TR_OK;
	}
	char *p = arena_alloc(a, (size_t)col->len + 1);
	if (p == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "%s: out of memory", s->what);
	if (col->len <= sizeof col->buf) {
		memcpy(p, col->buf, col->len);
	} else {
		MYSQL_BIND b;
		unsigned long got = 0;
		memset(&b, 0, sizeof b);
		b.buffer_type = MYSQL_TYPE_BLOB;
		b.buffer = p;
		b.buffer_length = col->len;
		b.length = &got;
		if (mysql_stmt_fetch_column(s->stmt, &b, k, 0) != 0)
			return st_fail(s, err);
	}
	p[col->len] = '\0';
	col->s = p;
	return TR_OK;
}

/* The next row into s->col: 1, or 0 after the last.  Text goes into a (see fetch_text). */
static int st_fetch(st *s, arena *a, tr_err *err)
{
	int rc = mysql_stmt_fetch(s->stmt);
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc == 1)
		return st_fail(s, err);
	for (unsigned k = 0; k < s->n_cols; k++) {
		if (s->kinds[k] == 'i' && s->col[k].is_null)
			s->col[k].i = 0;
		else if (s->kinds[k] == 's' && fetch_text(s, k, a, err) < 0)
			return err->code;
	}
	return 1;
}

/* Runs a statement that returns no rows; *out_changed (may be NULL) gets the rows it changed. */
static int st_exec(db_conn *c, const char *what, const char *sql, st_args *args, unsigned long long *out_changed,
                   tr_err *err)
{
	st s;
	int rc = st_run(&s, c, what, sql, args, NULL, err);
	if (rc == TR_OK && out_changed)
		*out_changed = mysql_stmt_affected_rows(s.stmt);
	st_close(&s);
	return rc;
}

/* A constant statement without parameters or result (transaction control). */
static int plain(db_conn *c, const char *what, const char *sql, tr_err *err)
{
	MYSQL *m = db_conn_handle(c);
	if (m == NULL)
		return no_conn(err);
	if (mysql_real_query(m, sql, (unsigned long)strlen(sql)) != 0)
		return fail_with(c, what, mysql_errno(m), mysql_error(m), err);
	return TR_OK;
}

static int tx_begin(db_conn *c, tr_err *err) { return plain(c, "starting a transaction", "START TRANSACTION", err); }

/* Commits when rc is TR_OK, else rolls back (a failed rollback is ignored: the server rolls back
 * when the connection ends).  Returns rc, or the commit's error. */
static int tx_end(db_conn *c, int rc, tr_err *err)
{
	if (rc == TR_OK)
		return plain(c, "committing", "COMMIT", err);
	if (db_conn_handle(c)) {
		tr_err ignored = TR_ERR_INIT;
		(void)plain(c, "rolling back", "ROLLBACK", &ignored);
	}
	return rc;
}

/* ---- small helpers -------------------------------------------------------------------------- */

static int not_found(const char *id, tr_err *err)
{
	if (uws_job_id_is_valid(id))
		return tr_err_set(err, TR_ENOTFOUND, -1, 0, "job %s does not exist", id);
	return tr_err_set(err, TR_ENOTFOUND, -1, 0, "there is no such job");
}

static int parse_phase(const char *what, const char *s, uws_phase *out, tr_err *err)
{
	if (s == NULL || uws_phase_parse(s, out) != TR_OK)
		return tr_err_set(err, TR_EDB, -1, 0, "%s: the database holds an unknown phase \"%.20s\"", what,
		                  s ? s : "NULL");
	return TR_OK;
}

/* Opens the connection (or checks it) and rejects ids that cannot name a job before any SQL. */
static int begin_op(db_conn *c, const char *id, tr_err *err)
{
	if (id && !uws_job_id_is_valid(id))
		return not_found(id, err);
	return db_conn_ensure(c, err);
}

typedef struct job_state {
	uws_phase phase;
	unsigned attempt;
	unsigned long thread_id;
} job_state;

/* The job's phase, attempt and query thread; TR_ENOTFOUND when there is none.  is_for_update locks
 * the row until the transaction ends. */
static int read_state(db_conn *c, const char *id, bool is_for_update, job_state *out, tr_err *err)
{
	static const char sql[] = "SELECT phase, attempt, db_thread_id FROM uws_job WHERE job_id = ?";
	static const char sql_lock[] = "SELECT phase, attempt, db_thread_id FROM uws_job WHERE job_id = ? FOR UPDATE";
	st_args args = { .n = 0 };
	arg_str(&args, id);
	st s;
	int rc = st_run(&s, c, "reading a job's phase", is_for_update ? sql_lock : sql, &args, "sii", err);
	if (rc == TR_OK)
		rc = st_fetch(&s, NULL, err);
	if (rc == 0)
		rc = not_found(id, err);
	if (rc == 1) {
		out->attempt = (unsigned)s.col[1].i;
		out->thread_id = (unsigned long)s.col[2].i;
		rc = parse_phase(s.what, s.col[0].s, &out->phase, err);
	}
	st_close(&s);
	return rc;
}

/* ---- connection parameters ------------------------------------------------------------------ */

static bool is_empty(const char *s) { return s == NULL || s[0] == '\0'; }

void uws_store_db_params(const tr_config *cfg, db_params *out)
{
	bool is_inherited = is_empty(cfg->uws_host) && is_empty(cfg->uws_socket);
	memset(out, 0, sizeof *out);
	out->host = is_inherited ? cfg->db_host : cfg->uws_host;
	out->port = (unsigned)(is_inherited ? cfg->db_port : cfg->uws_port);
	out->socket = is_inherited ? cfg->db_socket : cfg->uws_socket;
	out->user = cfg->uws_user;
	out->password = cfg->uws_password;
	out->database = cfg->uws_name;
	out->connect_timeout = (unsigned)cfg->db_connect_timeout;
	out->read_timeout = (unsigned)cfg->db_read_timeout;
}

/* ---- creating and reading ------------------------------------------------------------------- */

static int insert_job(db_conn *c, const uws_job *job, int destruction_s, tr_err *err)
{
	static const char sql[] =
		"INSERT INTO uws_job (job_id, owner, client, run_id, phase, creation_ms, destruction_ms,"
		" execution_duration) VALUES (?, ?, ?, ?, ?, " NOW_MS ", " NOW_MS " + ? * 1000, ?)";
	st_args args = { .n = 0 };
	arg_str(&args, job->id);
	arg_str(&args, job->owner);
	arg_str(&args, job->client);
	arg_str(&args, job->run_id);
	arg_str(&args, uws_phase_name(job->phase));
	arg_int(&args, destruction_s);
	arg_int(&args, job->execution_duration);
	return st_exec(c, "creating a job", sql, &args, NULL, err);
}

/* Inserts params as rows seq, seq + 1, ... (one prepared statement, executed per parameter). */
static int insert_params(db_conn *c, const char *id, long seq, const uws_param *params, size_t n, tr_err *err)
{
	if (n == 0)
		return TR_OK;
	st s;
	int rc = st_prepare(&s, c, "storing a job parameter",
	                    "INSERT INTO uws_parameter (job_id, seq, name, value, is_reference) VALUES (?, ?, ?, ?, ?)",
	                    err);
	for (size_t i = 0; rc == TR_OK && i < n; i++) {
		st_args args = { .n = 0 };
		arg_str(&args, id);
		arg_int(&args, seq + (long)i);
		arg_str(&args, params[i].name);
		arg_bytes(&args, MYSQL_TYPE_BLOB, params[i].value ? params[i].value : "", params[i].value_len);
		arg_int(&args, params[i].is_reference);
		rc = st_execute(&s, &args, NULL, err);
	}
	st_close(&s);
	return rc;
}

int uws_store_create(db_conn *c, const uws_job *job, int destruction_s, tr_err *err)
{
	if (!uws_job_id_is_valid(job->id) || (job->phase != UWS_PENDING && job->phase != UWS_QUEUED))
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "a new job needs a valid id and the phase PENDING or QUEUED");
	if (db_conn_ensure(c, err) < 0 || tx_begin(c, err) < 0)
		return err->code;
	/* One transaction: an executor must never claim a QUEUED job whose parameters are not in yet. */
	int rc = insert_job(c, job, destruction_s, err);
	if (rc == TR_OK)
		rc = insert_params(c, job->id, 0, job->params, job->n_params, err);
	return tx_end(c, rc, err);
}

/* Column order of JOB_COLUMNS. */
enum {
	JC_ID, JC_OWNER, JC_CLIENT, JC_RUN_ID, JC_PHASE, JC_CREATION, JC_START, JC_END, JC_DESTRUCTION,
	JC_DURATION, JC_ATTEMPT, JC_EXECUTOR, JC_THREAD, JC_ERROR_MSG, JC_ERROR_STATUS, JC_RESULT_TYPE,
	JC_RESULT_ROWS, JC_RESULT_BYTES, JC_RESULT_OVERFLOW
};
#define JOB_COLUMNS "job_id, owner, client, run_id, phase, creation_ms, start_ms, end_ms, destruction_ms," \
	" execution_duration, attempt, executor, db_thread_id, error_msg, error_status, result_type," \
	" result_rows, result_bytes, result_overflow"
#define JOB_KINDS "sssssiiiiiisisisiii"

static int copy_id(const st *s, char out[UWS_JOB_ID_LEN + 1], tr_err *err)
{
	const st_col *col = &s->col[JC_ID];
	if (col->s == NULL || col->len != UWS_JOB_ID_LEN)
		return tr_err_set(err, TR_EDB, -1, 0, "%s: a job id that is not %d characters long", s->what,
		                  UWS_JOB_ID_LEN);
	memcpy(out, col->s, UWS_JOB_ID_LEN + 1);
	return TR_OK;
}

static int job_from_row(const st *s, uws_job *out, tr_err *err)
{
	const st_col *v = s->col;
	out->owner = v[JC_OWNER].s;
	out->client = v[JC_CLIENT].s;
	out->run_id = v[JC_RUN_ID].s;
	out->creation_ms = v[JC_CREATION].i;
	out->start_ms = v[JC_START].i;
	out->end_ms = v[JC_END].i;
	out->destruction_ms = v[JC_DESTRUCTION].i;
	out->execution_duration = (int)v[JC_DURATION].i;
	out->attempt = (unsigned)v[JC_ATTEMPT].i;
	out->executor = v[JC_EXECUTOR].s;
	out->db_thread_id = (unsigned long)v[JC_THREAD].i;
	out->error_msg = v[JC_ERROR_MSG].s;
	out->error_status = (int)v[JC_ERROR_STATUS].i;
	out->result_type = v[JC_RESULT_TYPE].s;
	out->result_rows = v[JC_RESULT_ROWS].i;
	out->result_bytes = v[JC_RESULT_BYTES].i;
	out->result_overflow = v[JC_RESULT_OVERFLOW].i != 0;
	if (copy_id(s, out->id, err) < 0)
		return err->code;
	return parse_phase(s->what, v[JC_PHASE].s, &out->phase, err);
}

static int read_params(db_conn *c, arena *a, const char *id, uws_job *out, tr_err *err)
{
	st_args args = { .n = 0 };
	arg_str(&args, id);
	st s;
	int rc = st_run(&s, c, "reading a job's parameters",
	                "SELECT name, value, is_reference FROM uws_parameter WHERE job_id = ? ORDER BY seq", &args, "ssi",
	                err);
	size_t n = rc == TR_OK ? (size_t)mysql_stmt_num_rows(s.stmt) : 0;
	if (n && (out->params = arena_calloc(a, n, sizeof *out->params)) == NULL)
		rc = tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading a job's parameters");
	while (rc == TR_OK && out->n_params < n && (rc = st_fetch(&s, a, err)) == 1) {
		uws_param *p = &out->params[out->n_params++];
		p->name = s.col[0].s ? s.col[0].s : "";
		p->value = s.col[1].s ? s.col[1].s : "";
		p->value_len = s.col[1].s ? s.col[1].len : 0;
		p->is_reference = s.col[2].i != 0;
		rc = TR_OK;
	}
	st_close(&s);
	return rc < 0 ? rc : TR_OK;
}

int uws_store_get(db_conn *c, arena *a, const char *id, uws_job *out, tr_err *err)
{
	memset(out, 0, sizeof *out);
	if (begin_op(c, id, err) < 0)
		return err->code;
	st_args args = { .n = 0 };
	arg_str(&args, id);
	st s;
	int rc = st_run(&s, c, "reading a job", "SELECT " JOB_COLUMNS " FROM uws_job WHERE job_id = ?", &args,
	                JOB_KINDS, err);
	if (rc == TR_OK)
		rc = st_fetch(&s, a, err);
	if (rc == 0)
		rc = not_found(id, err);
	if (rc == 1)
		rc = job_from_row(&s, out, err);
	st_close(&s);
	return rc < 0 ? rc : read_params(c, a, id, out, err);
}

int uws_store_phase(db_conn *c, const char *id, uws_phase *out, tr_err *err)
{
	job_state js;
	if (begin_op(c, id, err) < 0 || read_state(c, id, false, &js, err) < 0)
		return err->code;
	*out = js.phase;
	return TR_OK;
}

/* ---- listing -------------------------------------------------------------------------------- */

#define LIST_SQL_MAX 512

/* The statement for f and its arguments: owner, each wanted phase, after, then the row limit. */
static void list_sql(const uws_list_filter *f, char sql[LIST_SQL_MAX], st_args *args)
{
	unsigned phases = f->phases ? f->phases : ((1u << UWS_PHASE_COUNT) - 1) & ~(1u << UWS_ARCHIVED);
	size_t w = (size_t)snprintf(sql, LIST_SQL_MAX, "SELECT job_id, owner, run_id, phase, creation_ms FROM uws_job"
	                                               " WHERE owner <=> ? AND phase IN (");
	arg_str(args, f->owner);
	const char *sep = "";
	for (int p = 0; p < UWS_PHASE_COUNT; p++) {
		if (!(phases & (1u << p)))
			continue;
		w += (size_t)snprintf(sql + w, LIST_SQL_MAX - w, "%s?", sep);
		arg_str(args, uws_phase_name((uws_phase)p));
		sep = ", ";
	}
	/* "IN ()" is a syntax error: a filter naming only unknown bits matches nothing */
	w += (size_t)snprintf(sql + w, LIST_SQL_MAX - w, "%s) AND creation_ms > ?", *sep ? "" : "NULL");
	arg_int(args, f->after_ms);
	if (f->owner == NULL && f->client != NULL) {
		w += (size_t)snprintf(sql + w, LIST_SQL_MAX - w, " AND client = ?");
		arg_str(args, f->client);
	}
	long limit = f->last > 0 && (f->max <= 0 || f->last < f->max) ? f->last : f->max;
	/* UWS 1.1 §2.2.1.1: LAST = the most recent jobs, newest first */
	w += (size_t)snprintf(sql + w, LIST_SQL_MAX - w, " ORDER BY creation_ms %s, job_id %s",
	                      f->last > 0 ? "DESC" : "ASC", f->last > 0 ? "DESC" : "ASC");
	if (limit > 0) {
		snprintf(sql + w, LIST_SQL_MAX - w, " LIMIT ?");
		arg_int(args, limit);
	}
}

int uws_store_list(db_conn *c, arena *a, const uws_list_filter *f, uws_job **out, size_t *n, tr_err *err)
{
	*out = NULL;
	*n = 0;
	if (db_conn_ensure(c, err) < 0)
		return err->code;
	char sql[LIST_SQL_MAX];
	st_args args = { .n = 0 };
	list_sql(f, sql, &args);
	st s;
	int rc = st_run(&s, c, "listing jobs", sql, &args, "ssssi", err);
	size_t rows = rc == TR_OK ? (size_t)mysql_stmt_num_rows(s.stmt) : 0;
	if (rows && (*out = arena_calloc(a, rows, sizeof **out)) == NULL)
		rc = tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory listing jobs");
	while (rc == TR_OK && *n < rows && (rc = st_fetch(&s, a, err)) == 1) {
		uws_job *j = &(*out)[(*n)++];
		j->owner = s.col[1].s;
		j->run_id = s.col[2].s;
		j->creation_ms = s.col[4].i;
		rc = copy_id(&s, j->id, err) < 0 ? err->code : parse_phase(s.what, s.col[3].s, &j->phase, err);
	}
	st_close(&s);
	return rc < 0 ? rc : TR_OK;
}

/* ---- changes by clients --------------------------------------------------------------------- */

static int conflict(const char *id, uws_phase phase, const char *why, tr_err *err)
{
	return tr_err_set(err, TR_ECONFLICT, -1, 0, "job %s is %s: %s", id, uws_phase_name(phase), why);
}

/* After a conditional UPDATE that changed no row: TR_ENOTFOUND when the job does not exist, TR_OK when
 * it is in the phase the UPDATE wanted (the new value equalled the old one), else TR_ECONFLICT. */
static int explain_unchanged(db_conn *c, const char *id, uws_phase wanted, const char *why, tr_err *err)
{
	job_state js;
	if (read_state(c, id, false, &js, err) < 0)
		return err->code;
	return js.phase == wanted ? TR_OK : conflict(id, js.phase, why, err);
}

typedef struct old_param {
	long seq;
	const char *name;
} old_param;

/* The job's parameters as (seq, name), in seq order, into *out (in a); *out_next gets the next free seq. */
static int read_param_names(db_conn *c, arena *a, const char *id, old_param **out, size_t *n, long *out_next,
                            tr_err *err)
{
	st_args args = { .n = 0 };
	arg_str(&args, id);
	st s;
	int rc = st_run(&s, c, "reading a job's parameter names",
	                "SELECT seq, name FROM uws_parameter WHERE job_id = ? ORDER BY seq", &args, "is", err);
	size_t rows = rc == TR_OK ? (size_t)mysql_stmt_num_rows(s.stmt) : 0;
	*n = 0;
	*out_next = 0;
	if (rows && (*out = arena_calloc(a, rows, sizeof **out)) == NULL)
		rc = tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading a job's parameters");
	while (rc == TR_OK && *n < rows && (rc = st_fetch(&s, a, err)) == 1) {
		(*out)[*n].seq = (long)s.col[0].i;
		(*out)[(*n)++].name = s.col[1].s ? s.col[1].s : "";
		*out_next = (long)s.col[0].i + 1;
		rc = TR_OK;
	}
	st_close(&s);
	return rc < 0 ? rc : TR_OK;
}

/* Gives parameter p the row seq (its name too: "as sent" is the latest spelling). */
static int replace_param(db_conn *c, const char *id, long seq, const uws_param *p, tr_err *err)
{
	st_args args = { .n = 0 };
	arg_str(&args, p->name);
	arg_bytes(&args, MYSQL_TYPE_BLOB, p->value ? p->value : "", p->value_len);
	arg_int(&args, p->is_reference);
	arg_str(&args, id);
	arg_int(&args, seq);
	return st_exec(c, "changing a job parameter",
	               "UPDATE uws_parameter SET name = ?, value = ?, is_reference = ? WHERE job_id = ? AND seq = ?", &args,
	               NULL, err);
}

static int delete_param(db_conn *c, const char *id, long seq, tr_err *err)
{
	st_args args = { .n = 0 };
	arg_str(&args, id);
	arg_int(&args, seq);
	return st_exec(c, "removing a job parameter", "DELETE FROM uws_parameter WHERE job_id = ? AND seq = ?", &args, NULL,
	               err);
}

/* Parameter i of params replaces every old value of its name (the first old row keeps its place, the
 * others go), unless an earlier parameter of the same request had that name: then it is added, so
 * that a request naming a parameter twice leaves exactly its two values.  Names compare
 * case-insensitively (DALI 1.1 §3). */
static int merge_param(db_conn *c, const char *id, const uws_param *params, size_t i, old_param *old, size_t n_old,
                       long *next, tr_err *err)
{
	for (size_t j = 0; j < i; j++)
		if (strcasecmp(params[j].name, params[i].name) == 0)
			return insert_params(c, id, (*next)++, &params[i], 1, err);
	bool is_replaced = false;
	int rc = TR_OK;
	for (size_t k = 0; rc == TR_OK && k < n_old; k++) {
		if (strcasecmp(old[k].name, params[i].name) != 0)
			continue;
		rc = is_replaced ? delete_param(c, id, old[k].seq, err) : replace_param(c, id, old[k].seq, &params[i], err);
		is_replaced = true;
	}
	if (rc == TR_OK && !is_replaced)
		rc = insert_params(c, id, (*next)++, &params[i], 1, err);
	return rc;
}

static int merge_params(db_conn *c, const char *id, const uws_param *params, size_t n, tr_err *err)
{
	arena *a = arena_create(0, 0);
	if (a == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory changing job parameters");
	old_param *old = NULL;
	size_t n_old = 0;
	long next = 0;
	int rc = read_param_names(c, a, id, &old, &n_old, &next, err);
	for (size_t i = 0; rc == TR_OK && i < n; i++)
		rc = merge_param(c, id, params, i, old, n_old, &next, err);
	arena_destroy(a);
	return rc;
}

int uws_store_set_params(db_conn *c, const char *id, const uws_param *params, size_t n, tr_err *err)
{
	if (begin_op(c, id, err) < 0 || tx_begin(c, err) < 0)
		return err->code;
	/* The row lock keeps RUN (and other parameter changes) out until this transaction ends. */
	job_state js;
	int rc = read_state(c, id, true, &js, err);
	if (rc == TR_OK && js.phase != UWS_PENDING)
		rc = conflict(id, js.phase, "its parameters can no longer change (UWS 1.1 allows it only while PENDING)",
		              err);
	if (rc == TR_OK)
		rc = merge_params(c, id, params, n, err);
	return tx_end(c, rc, err);
}

int uws_store_set_execution_duration(db_conn *c, const char *id, int seconds, tr_err *err)
{
	if (begin_op(c, id, err) < 0)
		return err->code;
	st_args args = { .n = 0 };
	arg_int(&args, seconds);
	arg_str(&args, id);
	unsigned long long changed = 0;
	if (st_exec(c, "changing a job's execution duration",
	            "UPDATE uws_job SET execution_duration = ? WHERE job_id = ? AND phase = 'PENDING'", &args, &changed,
	            err) < 0)
		return err->code;
	return changed ? TR_OK
	               : explain_unchanged(c, id, UWS_PENDING, "its execution duration can no longer change", err);
}

int uws_store_set_destruction(db_conn *c, const char *id, int64_t ms, tr_err *err)
{
	if (begin_op(c, id, err) < 0)
		return err->code;
	st_args args = { .n = 0 };
	arg_int(&args, ms);
	arg_str(&args, id);
	unsigned long long changed = 0;
	if (st_exec(c, "changing a job's destruction time", "UPDATE uws_job SET destruction_ms = ? WHERE job_id = ?",
	            &args, &changed, err) < 0)
		return err->code;
	job_state js;
	return changed ? TR_OK : read_state(c, id, false, &js, err);
}

int uws_store_run(db_conn *c, const char *id, tr_err *err)
{
	if (begin_op(c, id, err) < 0)
		return err->code;
	st_args args = { .n = 0 };
	arg_str(&args, id);
	unsigned long long changed = 0;
	if (st_exec(c, "queueing a job", "UPDATE uws_job SET phase = 'QUEUED' WHERE job_id = ? AND phase = 'PENDING'",
	            &args, &changed, err) < 0)
		return err->code;
	if (changed)
		return TR_OK;
	job_state js;
	if (read_state(c, id, false, &js, err) < 0)
		return err->code;
	/* A repeated RUN of a job that is queued or running changes nothing (UWS 1.1 §2.2.3.1). */
	if (js.phase == UWS_QUEUED || js.phase == UWS_EXECUTING)
		return TR_OK;
	return conflict(id, js.phase, "it cannot run again", err);
}

/* Reads the job's phase and thread under a row lock, for abort and delete; reports whether it runs. */
static int lock_for_end(db_conn *c, const char *id, job_state *js, bool *was_executing, unsigned long *thread_id,
                        tr_err *err)
{
	*was_executing = false;
	*thread_id = 0;
	if (read_state(c, id, true, js, err) < 0)
		return err->code;
	*was_executing = js->phase == UWS_EXECUTING;
	*thread_id = *was_executing ? js->thread_id : 0;
	return TR_OK;
}

int uws_store_abort(db_conn *c, const char *id, bool *was_executing, unsigned long *thread_id, tr_err *err)
{
	*was_executing = false;
	*thread_id = 0;
	if (begin_op(c, id, err) < 0 || tx_begin(c, err) < 0)
		return err->code;
	job_state js;
	int rc = lock_for_end(c, id, &js, was_executing, thread_id, err);
	if (rc == TR_OK && uws_phase_is_active(js.phase)) {
		st_args args = { .n = 0 };
		arg_str(&args, id);
		rc = st_exec(c, "aborting a job",
		             "UPDATE uws_job SET phase = 'ABORTED', end_ms = " NOW_MS " WHERE job_id = ?", &args, NULL, err);
	}
	rc = tx_end(c, rc, err);
	if (rc < 0) {
		*was_executing = false;
		*thread_id = 0;
	}
	return rc;
}

int uws_store_delete(db_conn *c, const char *id, bool *was_executing, unsigned long *thread_id, tr_err *err)
{
	*was_executing = false;
	*thread_id = 0;
	if (begin_op(c, id, err) < 0 || tx_begin(c, err) < 0)
		return err->code;
	job_state js;
	int rc = lock_for_end(c, id, &js, was_executing, thread_id, err);
	st_args args = { .n = 0 };
	arg_str(&args, id);
	if (rc == TR_OK)
		rc = st_exec(c, "deleting a job's parameters", "DELETE FROM uws_parameter WHERE job_id = ?", &args, NULL, err);
	if (rc == TR_OK)
		rc = st_exec(c, "deleting a job", "DELETE FROM uws_job WHERE job_id = ?", &args, NULL, err);
	rc = tx_end(c, rc, err);
	if (rc < 0) {
		*was_executing = false;
		*thread_id = 0;
	}
	return rc;
}

int uws_store_count_active(db_conn *c, const char *owner, const char *client, long *n_owner, long *n_total,
                           tr_err *err)
{
	static const char by_owner[] = "SELECT COUNT(*), CAST(COALESCE(SUM(owner = ?), 0) AS SIGNED)"
	                               " FROM uws_job WHERE phase IN ('QUEUED', 'EXECUTING')";
	static const char by_client[] = "SELECT COUNT(*), CAST(COALESCE(SUM(owner IS NULL AND client <=> ?), 0) AS SIGNED)"
	                                " FROM uws_job WHERE phase IN ('QUEUED', 'EXECUTING')";
	*n_owner = *n_total = 0;
	if (db_conn_ensure(c, err) < 0)
		return err->code;
	st_args args = { .n = 0 };
	arg_str(&args, owner ? owner : client);
	st s;
	int rc = st_run(&s, c, "counting active jobs", owner ? by_owner : by_client, &args, "ii", err);
	if (rc == TR_OK && (rc = st_fetch(&s, NULL, err)) == 1) {
		*n_total = (long)s.col[0].i;
		*n_owner = (long)s.col[1].i;
	}
	st_close(&s);
	return rc < 0 ? rc : TR_OK;
}

/* ---- executors ------------------------------------------------------------------------------ */

/* SELECT GET_LOCK / RELEASE_LOCK of the job's lock: *out 1, 0, or -1 for NULL. */
static int lock_call(db_conn *c, const char *what, const char *sql, const char *id, int *out, tr_err *err)
{
	st_args args = { .n = 0 };
	arg_str(&args, id);
	st s;
	int rc = st_run(&s, c, what, sql, &args, "i", err);
	if (rc == TR_OK && (rc = st_fetch(&s, NULL, err)) == 0)
		rc = tr_err_set(err, TR_EINTERNAL, -1, 0, "%s: no result", what);
	if (rc == 1) {
		*out = s.col[0].is_null ? -1 : (int)s.col[0].i;
		rc = TR_OK;
	}
	st_close(&s);
	return rc;
}

int uws_store_release(db_conn *c, const char *id, tr_err *err)
{
	int released;
	if (begin_op(c, id, err) < 0)
		return err->code;
	/* 0 (another session holds it) or NULL (nobody does) need no action either */
	return lock_call(c, "releasing a job's lock", "SELECT RELEASE_LOCK(" LOCK_OF_ARG ")", id, &released, err);
}

/* Takes the job's lock without waiting, then QUEUED -> EXECUTING: 1 when both succeeded, 0 when the
 * job is taken (the lock is given back when only the lock was ours). */
static int try_claim(db_conn *c, const char *id, const char *executor, tr_err *err)
{
	int got = 0;
	if (lock_call(c, "locking a queued job", "SELECT GET_LOCK(" LOCK_OF_ARG ", 0)", id, &got, err) < 0)
		return err->code;
	if (got != 1)
		return 0;
	st_args args = { .n = 0 };
	arg_str(&args, executor);
	arg_str(&args, id);
	unsigned long long changed = 0;
	int rc = st_exec(c, "claiming a job",
	                 "UPDATE uws_job SET phase = 'EXECUTING', start_ms = " NOW_MS ", attempt = attempt + 1,"
	                 " executor = ?, db_thread_id = NULL WHERE job_id = ? AND phase = 'QUEUED'",
	                 &args, &changed, err);
	if (rc == TR_OK && changed == 1)
		return 1;
	/* Another executor ran it and let go of the lock after our SELECT (or it was aborted). */
	tr_err ignored = TR_ERR_INIT;
	(void)uws_store_release(c, id, &ignored);
	return rc < 0 ? rc : 0;
}

/* The ids of the oldest QUEUED jobs into ids; *n how many. */
static int queued_candidates(db_conn *c, char ids[][UWS_JOB_ID_LEN + 1], size_t *n, tr_err *err)
{
	st_args args = { .n = 0 };
	arg_int(&args, CLAIM_CANDIDATES);
	st s;
	*n = 0;
	int rc = st_run(&s, c, "looking for queued jobs",
	                "SELECT job_id FROM uws_job WHERE phase = 'QUEUED' ORDER BY creation_ms, job_id LIMIT ?", &args, "s",
	                err);
	while (rc == TR_OK && *n < CLAIM_CANDIDATES && (rc = st_fetch(&s, NULL, err)) == 1)
		rc = copy_id(&s, ids[(*n)++], err);
	st_close(&s);
	return rc < 0 ? rc : TR_OK;
}

int uws_store_claim(db_conn *c, arena *a, const char *executor, uws_job *out, tr_err *err)
{
	char ids[CLAIM_CANDIDATES][UWS_JOB_ID_LEN + 1];
	size_t n = 0;
	memset(out, 0, sizeof *out);
	if (db_conn_ensure(c, err) < 0 || queued_candidates(c, ids, &n, err) < 0)
		return err->code;
	for (size_t i = 0; i < n; i++) {
		int rc = try_claim(c, ids[i], executor, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		if (uws_store_get(c, a, ids[i], out, err) == TR_OK)
			return 1;
		/* The job stays EXECUTING with a free lock: the housekeeper re-queues it. */
		tr_err ignored = TR_ERR_INIT;
		(void)uws_store_release(c, ids[i], &ignored);
		return err->code;
	}
	return 0;
}

/* An executor's UPDATE of job id under attempt (the statement's last two arguments).  No row changed:
 * TR_ECONFLICT unless the job is still EXECUTING under attempt (then nothing needed to change). */
static int executor_update(db_conn *c, const char *id, unsigned attempt, const char *what, const char *sql,
                           st_args *args, tr_err *err)
{
	if (begin_op(c, id, err) < 0)
		return err->code;
	arg_str(args, id);
	arg_int(args, attempt);
	unsigned long long changed = 0;
	if (st_exec(c, what, sql, args, &changed, err) < 0)
		return err->code;
	if (changed)
		return TR_OK;
	job_state js;
	tr_err e = TR_ERR_INIT;
	if (read_state(c, id, false, &js, &e) == TR_ENOTFOUND)
		return tr_err_set(err, TR_ECONFLICT, -1, 0, "job %s was deleted while it was executing", id);
	if (tr_err_isset(&e))
		return tr_err_set(err, e.code, -1, 0, "%s", e.msg);
	if (js.phase == UWS_EXECUTING && js.attempt == attempt)
		return TR_OK;
	return tr_err_set(err, TR_ECONFLICT, -1, 0, "job %s is no longer executing under attempt %u (it is %s, attempt %u)",
	                  id, attempt, uws_phase_name(js.phase), js.attempt);
}

int uws_store_set_thread(db_conn *c, const char *id, unsigned attempt, unsigned long thread_id, tr_err *err)
{
	st_args args = { .n = 0 };
	arg_int(&args, (long long)thread_id);
	return executor_update(c, id, attempt, "recording a job's query thread",
	                       "UPDATE uws_job SET db_thread_id = ? WHERE job_id = ? AND phase = 'EXECUTING' AND attempt = ?",
	                       &args, err);
}

int uws_store_complete(db_conn *c, const char *id, unsigned attempt, const char *content_type, int64_t rows,
                       int64_t bytes, bool overflow, tr_err *err)
{
	st_args args = { .n = 0 };
	arg_str(&args, content_type);
	arg_int(&args, rows);
	arg_int(&args, bytes);
	arg_int(&args, overflow);
	return executor_update(c, id, attempt, "completing a job",
	                       "UPDATE uws_job SET phase = 'COMPLETED', end_ms = " NOW_MS ", result_type = ?,"
	                       " result_rows = ?, result_bytes = ?, result_overflow = ?"
	                       " WHERE job_id = ? AND phase = 'EXECUTING' AND attempt = ?",
	                       &args, err);
}

int uws_store_fail(db_conn *c, const char *id, unsigned attempt, const char *msg, int status, tr_err *err)
{
	st_args args = { .n = 0 };
	arg_str(&args, msg);
	arg_int(&args, status);
	return executor_update(c, id, attempt, "recording a job's error",
	                       "UPDATE uws_job SET phase = 'ERROR', end_ms = " NOW_MS ", error_msg = ?, error_status = ?"
	                       " WHERE job_id = ? AND phase = 'EXECUTING' AND attempt = ?",
	                       &args, err);
}

#define REQUEUE_SQL "UPDATE uws_job SET phase = 'QUEUED', start_ms = NULL, executor = NULL, db_thread_id = NULL" \
	" WHERE job_id = ? AND phase = 'EXECUTING' AND attempt = ?"

int uws_store_requeue(db_conn *c, const char *id, unsigned attempt, tr_err *err)
{
	st_args args = { .n = 0 };
	return executor_update(c, id, attempt, "re-queueing a job", REQUEUE_SQL, &args, err);
}

/* ---- housekeeping --------------------------------------------------------------------------- */

int uws_store_expired(db_conn *c, arena *a, long max, char ***ids, size_t *n, tr_err *err)
{
	*ids = NULL;
	*n = 0;
	if (db_conn_ensure(c, err) < 0)
		return err->code;
	st_args args = { .n = 0 };
	arg_int(&args, max > 0 ? max : 0);
	st s;
	int rc = st_run(&s, c, "looking for expired jobs",
	                "SELECT job_id FROM uws_job WHERE destruction_ms <= " NOW_MS " ORDER BY destruction_ms LIMIT ?",
	                &args, "s", err);
	size_t rows = rc == TR_OK ? (size_t)mysql_stmt_num_rows(s.stmt) : 0;
	if (rows && (*ids = arena_calloc(a, rows, sizeof **ids)) == NULL)
		rc = tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory listing expired jobs");
	while (rc == TR_OK && *n < rows && (rc = st_fetch(&s, a, err)) == 1) {
		(*ids)[(*n)++] = (char *)s.col[0].s;
		rc = TR_OK;
	}
	st_close(&s);
	return rc < 0 ? rc : TR_OK;
}

/* One job whose executor died: re-queued (1) or failed (0) with one conditional UPDATE; another
 * housekeeper that got there first makes it change nothing (-1 in *out). */
static int recover_one(db_conn *c, const char *id, unsigned attempt, int max_requeues, int *out, tr_err *err)
{
	st_args args = { .n = 0 };
	char msg[RECOVER_MSG_MAX];
	bool is_requeue = max_requeues >= 0 && attempt <= (unsigned)max_requeues;
	const char *sql = REQUEUE_SQL;
	if (!is_requeue) {
		if (attempt == 1)
			snprintf(msg, sizeof msg, "the executor running this job stopped (crashed, killed, or its host went away)");
		else
			snprintf(msg, sizeof msg, "the executor running this job stopped (crashed, killed, or its host went away)"
			         " %u times", attempt);
		arg_str(&args, msg);
		arg_int(&args, RECOVER_ERROR_STATUS);
		sql = "UPDATE uws_job SET phase = 'ERROR', end_ms = " NOW_MS ", error_msg = ?, error_status = ?"
		      " WHERE job_id = ? AND phase = 'EXECUTING' AND attempt = ?";
	}
	arg_str(&args, id);
	arg_int(&args, attempt);
	unsigned long long changed = 0;
	if (st_exec(c, is_requeue ? "re-queueing a job whose executor stopped" : "failing a job whose executor stopped",
	            sql, &args, &changed, err) < 0)
		return err->code;
	*out = changed ? is_requeue : -1;
	return TR_OK;
}

int uws_store_recover(db_conn *c, int max_requeues, uws_orphan_fn *on_orphan, void *ctx, long *n_requeued,
                      long *n_failed, tr_err *err)
{
	*n_requeued = *n_failed = 0;
	if (db_conn_ensure(c, err) < 0)
		return err->code;
	/* The server frees a session's user locks when the session ends: EXECUTING with a free lock means
	 * nobody runs the job any more.  Our own session's locks read as taken. */
	st s;
	int rc = st_run(&s, c, "looking for jobs whose executor stopped",
	                "SELECT job_id, attempt, db_thread_id FROM uws_job WHERE phase = 'EXECUTING'"
	                " AND IS_FREE_LOCK(CONCAT('" UWS_LOCK_PREFIX "', job_id)) = 1",
	                NULL, "sii", err);
	while (rc == TR_OK && (rc = st_fetch(&s, NULL, err)) == 1) {
		char id[UWS_JOB_ID_LEN + 1];
		int outcome = -1;
		rc = copy_id(&s, id, err);
		if (rc == TR_OK && on_orphan && !s.col[2].is_null && s.col[2].i > 0)
			on_orphan(ctx, id, (unsigned long)s.col[2].i);
		if (rc == TR_OK)
			rc = recover_one(c, id, (unsigned)s.col[1].i, max_requeues, &outcome, err);
		*n_requeued += outcome == 1;
		*n_failed += outcome == 0;
	}
	st_close(&s);
	return rc < 0 ? rc : TR_OK;
}
