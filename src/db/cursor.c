#include "config.h"

#include "db/cursor.h"

#include <errno.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MariaDB's "max_statement_time exceeded" (not in every client's mysqld_error.h). */
#define DB_ER_STATEMENT_TIMEOUT 1969
/* MySQL 5.7+'s "maximum statement execution time exceeded". */
#define DB_ER_QUERY_TIMEOUT 3024

/* Room for an ISO 8601 timestamp with microseconds: "-YYYY-MM-DDTHH:MM:SS.ffffff". */
#define DB_TIME_TEXT 40

typedef struct db_colbuf {
	union {
		signed char i8;
		short i16;
		int i32;
		long long i64;
		float f32;
		double f64;
		MYSQL_TIME tm;
	} num;                 /* fixed-size values land here */
	char *buf;             /* text, blobs, decimals, bits: malloc'ed, grows */
	unsigned long cap;     /* bytes of buf */
	unsigned long length;  /* bytes the server sent for this row */
	my_bool is_null;
	my_bool error;         /* truncated: buf too small */
	char text[DB_TIME_TEXT]; /* formatted date/time */
} db_colbuf;

struct db_cursor {
	db_conn *conn;
	MYSQL_STMT *stmt;      /* NULL once closed */
	size_t n;              /* columns */
	db_column *cols;       /* arena */
	db_colbuf *bufs;       /* malloc'ed array, one per column */
	MYSQL_BIND *binds;     /* arena */
	out_value *row;        /* arena: what next() hands out */
	bool drained;          /* the server has sent the whole result (or failed) */
};

int db_error(MYSQL *m, unsigned int errnum, const char *msg, tr_err *err)
{
	(void)m;
	switch (errnum) {
	case DB_ER_STATEMENT_TIMEOUT:
	case DB_ER_QUERY_TIMEOUT:
		return tr_err_set(err, TR_ETIMEOUT, -1, 0, "the query exceeded its time limit");
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
		return tr_err_set(err, TR_EDB_UNAVAILABLE, -1, 0, "the database connection was lost: %s", msg);
	case ER_QUERY_INTERRUPTED:
		return tr_err_set(err, TR_EDB, -1, 0, "the query was interrupted");
	default:
		return tr_err_set(err, TR_EDB, -1, 0, "database error %u: %s", errnum, msg);
	}
}

bool db_error_is_data(unsigned int errnum)
{
	static const unsigned int codes[] = { 1048 /* ER_BAD_NULL_ERROR */, 1062 /* ER_DUP_ENTRY */,
		                              1264 /* ER_WARN_DATA_OUT_OF_RANGE */, 1265 /* WARN_DATA_TRUNCATED */,
		                              1292 /* ER_TRUNCATED_WRONG_VALUE */, 1366 /* ER_TRUNCATED_WRONG_VALUE_FOR_FIELD */,
		                              1406 /* ER_DATA_TOO_LONG */ };
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (errnum == codes[i])
			return true;
	return false;
}

static int stmt_error(db_cursor *cur, tr_err *err)
{
	MYSQL *m = db_conn_handle(cur->conn);
	unsigned int no = mysql_stmt_errno(cur->stmt);
	const char *msg = mysql_stmt_error(cur->stmt);
	/* An error packet that arrives while rows stream is recorded on the connection, not on the
	 * statement. */
	if (no == 0 && m) {
		no = mysql_errno(m);
		msg = mysql_error(m);
	}
	int rc = db_error(m, no, msg, err);
	if (rc == TR_EDB_UNAVAILABLE)
		db_conn_close(cur->conn);
	return rc;
}

void db_cursor_close(db_cursor *cur)
{
	if (cur->stmt) {
		/* Closing an unfinished unbuffered statement would make the client read (and the server
		 * compute) the rest of the result, possibly millions of rows nobody wants.  Dropping the
		 * connection stops the query on the server at once; the next request reconnects. */
		if (!cur->drained)
			db_conn_close(cur->conn);
		mysql_stmt_close(cur->stmt);
		cur->stmt = NULL;
	}
	if (cur->bufs) {
		for (size_t i = 0; i < cur->n; i++)
			free(cur->bufs[i].buf);
		free(cur->bufs);
		cur->bufs = NULL;
	}
}

static void cleanup(void *p) { db_cursor_close(p); }

/* Chooses the VOTable type that holds every value of the MariaDB type exactly. */
static void describe(db_column *col, const MYSQL_FIELD *f)
{
	col->name = f->name;
	col->mysql_type = f->type;
	col->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
	col->is_binary = f->charsetnr == 63; /* the "binary" character set */
	col->length = f->length;
	col->decimals = f->decimals <= 6 ? f->decimals : 6;
	col->arraysize = NULL;
	col->xtype = NULL;
	col->kind = col->is_unsigned ? OUT_KIND_UINT64 : OUT_KIND_INT64;
	switch (f->type) {
	case MYSQL_TYPE_TINY:
		col->datatype = col->is_unsigned ? OUT_DT_UNSIGNED_BYTE : OUT_DT_SHORT;
		break;
	case MYSQL_TYPE_SHORT:
		col->datatype = col->is_unsigned ? OUT_DT_INT : OUT_DT_SHORT;
		break;
	case MYSQL_TYPE_INT24:
		col->datatype = OUT_DT_INT;
		break;
	case MYSQL_TYPE_LONG:
		col->datatype = col->is_unsigned ? OUT_DT_LONG : OUT_DT_INT;
		break;
	case MYSQL_TYPE_LONGLONG:
		/* An unsigned BIGINT above 2^63 does not fit a VOTable long; the writer range-checks. */
		col->datatype = OUT_DT_LONG;
		break;
	case MYSQL_TYPE_YEAR:
		col->datatype = OUT_DT_SHORT;
		break;
	case MYSQL_TYPE_FLOAT:
		col->datatype = OUT_DT_FLOAT;
		col->kind = OUT_KIND_FLOAT;
		break;
	case MYSQL_TYPE_DOUBLE:
	case MYSQL_TYPE_DECIMAL:
	case MYSQL_TYPE_NEWDECIMAL:
		col->datatype = OUT_DT_DOUBLE;
		col->kind = OUT_KIND_DOUBLE;
		break;
	case MYSQL_TYPE_BIT:
		col->datatype = OUT_DT_BIT;
		col->kind = OUT_KIND_UINT64;
		break; /* BIT(n > 1) gets arraysize "n" from db_cursor_open */
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
	case MYSQL_TYPE_TIME:
		col->datatype = OUT_DT_CHAR;
		col->arraysize = "*";
		col->xtype = f->type == MYSQL_TYPE_TIME ? NULL : "timestamp";
		col->kind = OUT_KIND_BYTES;
		break;
	case MYSQL_TYPE_TINY_BLOB:
	case MYSQL_TYPE_MEDIUM_BLOB:
	case MYSQL_TYPE_LONG_BLOB:
	case MYSQL_TYPE_BLOB:
	case MYSQL_TYPE_VAR_STRING:
	case MYSQL_TYPE_STRING:
	case MYSQL_TYPE_VARCHAR:
	default:
		col->datatype = col->is_binary ? OUT_DT_UNSIGNED_BYTE : OUT_DT_UNICODE_CHAR;
		col->arraysize = "*";
		col->kind = OUT_KIND_BYTES;
		break;
	}
}

/* Binds column i: numbers into the fixed union, everything else into the growable buffer. */
static int bind_column(db_cursor *cur, size_t i, tr_err *err)
{
	MYSQL_BIND *b = &cur->binds[i];
	db_colbuf *cb = &cur->bufs[i];
	const db_column *col = &cur->cols[i];
	memset(b, 0, sizeof *b);
	b->is_null = &cb->is_null;
	b->length = &cb->length;
	b->error = &cb->error;
	b->is_unsigned = col->is_unsigned;
	switch (col->mysql_type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
	case MYSQL_TYPE_YEAR:
		/* Every integer into 64 bits: one conversion path, no width bugs. */
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &cb->num.i64;
		return TR_OK;
	case MYSQL_TYPE_FLOAT:
		b->buffer_type = MYSQL_TYPE_FLOAT;
		b->buffer = &cb->num.f32;
		return TR_OK;
	case MYSQL_TYPE_DOUBLE:
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = &cb->num.f64;
		return TR_OK;
	case MYSQL_TYPE_DECIMAL:
	case MYSQL_TYPE_NEWDECIMAL:
		/* The client converts the exact decimal to the nearest double. */
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = &cb->num.f64;
		return TR_OK;
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
	case MYSQL_TYPE_TIME:
		b->buffer_type = col->mysql_type;
		b->buffer = &cb->num.tm;
		b->buffer_length = sizeof cb->num.tm;
		return TR_OK;
	default:
		break;
	}
	cb->cap = DB_CURSOR_FIRST_BUFFER;
	cb->buf = malloc(cb->cap);
	if (cb->buf == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory for a result buffer");
	b->buffer_type = col->mysql_type == MYSQL_TYPE_BIT ? MYSQL_TYPE_BIT : MYSQL_TYPE_BLOB;
	b->buffer = cb->buf;
	b->buffer_length = cb->cap;
	return TR_OK;
}

db_cursor *db_cursor_open(db_conn *c, arena *a, const char *sql, size_t len, int timeout_s, tr_err *err)
{
	if (db_conn_ensure(c, err) < 0)
		return NULL;
	if (timeout_s > 0 && db_conn_set_timeout(c, timeout_s, err) < 0)
		return NULL;
	db_cursor *cur = arena_zalloc(a, sizeof *cur);
	if (cur == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		return NULL;
	}
	cur->conn = c;
	cur->stmt = mysql_stmt_init(db_conn_handle(c));
	if (cur->stmt == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory preparing a statement");
		return NULL;
	}
	if (arena_on_destroy(a, cleanup, cur) < 0) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		return NULL;
	}
	cur->drained = true; /* nothing to drain until the statement runs */
	if (mysql_stmt_prepare(cur->stmt, sql, len) != 0 || mysql_stmt_execute(cur->stmt) != 0) {
		stmt_error(cur, err);
		return NULL;
	}
	cur->drained = false; /* from here on, a result is on its way */
	MYSQL_RES *meta = mysql_stmt_result_metadata(cur->stmt);
	if (meta == NULL) {
		tr_err_set(err, TR_EINTERNAL, -1, 0, "the statement returned no result set");
		return NULL;
	}
	cur->n = mysql_num_fields(meta);
	MYSQL_FIELD *fields = mysql_fetch_fields(meta);
	cur->cols = arena_calloc(a, cur->n, sizeof *cur->cols);
	cur->binds = arena_calloc(a, cur->n, sizeof *cur->binds);
	cur->row = arena_calloc(a, cur->n, sizeof *cur->row);
	cur->bufs = calloc(cur->n ? cur->n : 1, sizeof *cur->bufs);
	int rc = (cur->cols && cur->binds && cur->row && cur->bufs) ? TR_OK
	         : tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	for (size_t i = 0; rc == TR_OK && i < cur->n; i++) {
		describe(&cur->cols[i], &fields[i]);
		cur->cols[i].name = arena_strdup(a, fields[i].name);
		if (cur->cols[i].mysql_type == MYSQL_TYPE_BIT && fields[i].length > 1)
			cur->cols[i].arraysize = arena_printf(a, "%lu", fields[i].length);
		if (cur->cols[i].name == NULL)
			rc = tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		else
			rc = bind_column(cur, i, err);
	}
	mysql_free_result(meta);
	if (rc < 0)
		return NULL;
	if (mysql_stmt_bind_result(cur->stmt, cur->binds) != 0) {
		stmt_error(cur, err);
		return NULL;
	}
	return cur;
}

size_t db_cursor_ncols(const db_cursor *cur) { return cur->n; }
const db_column *db_cursor_column(const db_cursor *cur, size_t i) { return &cur->cols[i]; }

/* Re-fetches a value that did not fit its buffer, after growing the buffer to the value's size. */
static int refetch(db_cursor *cur, size_t i, tr_err *err)
{
	db_colbuf *cb = &cur->bufs[i];
	if (cb->length > DB_CURSOR_VALUE_MAX)
		return tr_err_set(err, TR_ELIMIT, -1, 0, "a value of column '%s' is longer than %zu bytes",
		                  cur->cols[i].name, DB_CURSOR_VALUE_MAX);
	char *p = realloc(cb->buf, cb->length);
	if (p == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory for a result value");
	cb->buf = p;
	cb->cap = cb->length;
	MYSQL_BIND *b = &cur->binds[i];
	b->buffer = cb->buf;
	b->buffer_length = cb->cap;
	if (mysql_stmt_fetch_column(cur->stmt, b, (unsigned int)i, 0) != 0)
		return stmt_error(cur, err);
	/* The grown buffer must be bound for the following rows too. */
	if (mysql_stmt_bind_result(cur->stmt, cur->binds) != 0)
		return stmt_error(cur, err);
	return TR_OK;
}

/* ISO 8601 as DALI 1.1 §3.3.3 wants it, with as many fractional digits as the column declares
 * (DATETIME(3) gives .125, as the database's own client shows it). */
static size_t format_time(char *out, const MYSQL_TIME *t, int type, unsigned decimals)
{
	int n;
	if (type == MYSQL_TYPE_DATE)
		n = snprintf(out, DB_TIME_TEXT, "%04u-%02u-%02u", t->year, t->month, t->day);
	else if (type == MYSQL_TYPE_TIME)
		n = snprintf(out, DB_TIME_TEXT, "%s%02u:%02u:%02u", t->neg ? "-" : "", t->hour, t->minute, t->second);
	else
		n = snprintf(out, DB_TIME_TEXT, "%04u-%02u-%02uT%02u:%02u:%02u", t->year, t->month, t->day,
		             t->hour, t->minute, t->second);
	if (n > 0 && type != MYSQL_TYPE_DATE && decimals > 0) {
		char frac[8];
		snprintf(frac, sizeof frac, "%06lu", t->second_part % 1000000);
		n += snprintf(out + n, DB_TIME_TEXT - (size_t)n, ".%.*s", (int)decimals, frac);
	}
	return n > 0 ? (size_t)n : 0;
}

int db_cursor_next(db_cursor *cur, const out_value **out_row, tr_err *err)
{
	if (cur->stmt == NULL)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "cursor used after close");
	int rc = mysql_stmt_fetch(cur->stmt);
	if (rc == MYSQL_NO_DATA) {
		cur->drained = true;
		return 0;
	}
	if (rc == 1) {
		cur->drained = true;
		return stmt_error(cur, err);
	}
	for (size_t i = 0; i < cur->n; i++) {
		db_colbuf *cb = &cur->bufs[i];
		const db_column *col = &cur->cols[i];
		out_value *v = &cur->row[i];
		v->is_null = cb->is_null;
		if (cb->is_null)
			continue;
		if (rc == MYSQL_DATA_TRUNCATED && cb->error && cb->buf && refetch(cur, i, err) < 0)
			return err->code;
		switch (col->mysql_type) {
		case MYSQL_TYPE_TINY:
		case MYSQL_TYPE_SHORT:
		case MYSQL_TYPE_INT24:
		case MYSQL_TYPE_LONG:
		case MYSQL_TYPE_LONGLONG:
		case MYSQL_TYPE_YEAR:
			if (col->is_unsigned)
				v->v.u64 = (uint64_t)cb->num.i64;
			else
				v->v.i64 = cb->num.i64;
			break;
		case MYSQL_TYPE_FLOAT:
			v->v.f32 = cb->num.f32;
			break;
		case MYSQL_TYPE_DOUBLE:
		case MYSQL_TYPE_DECIMAL:
		case MYSQL_TYPE_NEWDECIMAL:
			v->v.f64 = cb->num.f64;
			break;
		case MYSQL_TYPE_DATE:
		case MYSQL_TYPE_DATETIME:
		case MYSQL_TYPE_TIMESTAMP:
		case MYSQL_TYPE_TIME:
			v->v.bytes.p = cb->text;
			v->v.bytes.n = format_time(cb->text, &cb->num.tm, col->mysql_type, col->decimals);
			break;
		case MYSQL_TYPE_BIT: {
			/* BIT(n) arrives big-endian in (n + 7) / 8 bytes. */
			uint64_t bits = 0;
			for (unsigned long k = 0; k < cb->length && k < 8; k++)
				bits = (bits << 8) | (unsigned char)cb->buf[k];
			v->v.u64 = bits;
			break;
		}
		default:
			v->v.bytes.p = cb->buf;
			v->v.bytes.n = cb->length;
			break;
		}
	}
	*out_row = cur->row;
	return 1;
}
