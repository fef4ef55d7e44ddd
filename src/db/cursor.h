/* cursor: runs one SELECT and streams its rows as out_value arrays, in constant memory.
 *
 * The binary protocol (a prepared statement fetched without mysql_stmt_store_result) is used so that
 * numbers arrive as numbers: no text parsing on our side and much less work on the server's.  Each
 * column has one bind buffer, reused for every row; a value longer than its buffer grows that
 * buffer once and is re-fetched, so memory tracks the longest value, never the row count.
 *
 * The cursor's resources are released when its arena is reset or destroyed, on every path. */
#ifndef TR_DB_CURSOR_H
#define TR_DB_CURSOR_H

#include "db/conn.h"
#include "out/writer.h"
#include "util/arena.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>

/* First size of a text or binary column's buffer; it grows on the first longer value. */
#define DB_CURSOR_FIRST_BUFFER 256
/* Longest single value fetched (bytes): a runaway BLOB ends the query with TR_ELIMIT instead of
 * exhausting the worker. */
#define DB_CURSOR_VALUE_MAX ((size_t)64 * 1024 * 1024)

typedef struct db_column {
	const char *name;        /* column name or alias as the server reports it */
	int mysql_type;          /* enum enum_field_types */
	bool is_unsigned;        /* UNSIGNED integer */
	bool is_binary;          /* binary string (BLOB, BINARY, VARBINARY) rather than text */
	unsigned long length;    /* declared display length (characters for text) */
	unsigned decimals;       /* fractional-second digits of DATETIME(n), TIME(n), TIMESTAMP(n) */
	out_datatype datatype;   /* the VOTable type that represents this column exactly */
	const char *arraysize;   /* NULL for scalars, "*" for text and blobs, "n" for BIT(n) */
	const char *xtype;       /* "timestamp" for DATE/DATETIME/TIMESTAMP, else NULL */
	out_kind kind;           /* which out_value member next() fills */
} db_column;

typedef struct db_cursor db_cursor;

/* Prepares and executes sql (one statement) on c.  timeout_s > 0 limits its run time on the
 * server (db_conn_set_timeout).  Errors: TR_EDB (the server refused it), TR_ETIMEOUT,
 * TR_EDB_UNAVAILABLE (the connection broke: it is closed and re-opened on next use). */
db_cursor *db_cursor_open(db_conn *c, arena *a, const char *sql, size_t len, int timeout_s, tr_err *err);

size_t db_cursor_ncols(const db_cursor *cur);
const db_column *db_cursor_column(const db_cursor *cur, size_t i);

/* Fetches the next row into *out_row (valid until the next call).  Returns 1 for a row, 0 at the
 * end, or a negative code (the same as db_cursor_open's, plus TR_ELIMIT). */
int db_cursor_next(db_cursor *cur, const out_value **out_row, tr_err *err);

/* Frees the statement now (also done by the arena); further calls are errors. */
void db_cursor_close(db_cursor *cur);

/* Maps a failed statement's server error to our codes, with the server's message.  Exposed for
 * the other users of the connection (the async job store). */
int db_error(MYSQL *m, unsigned int errnum, const char *msg, tr_err *err);

/* Whether a server error means "this value does not fit" (MariaDB/MySQL error codes): a duplicate
 * key, a number out of range, a string too long, a value of the wrong type, a NULL in a NOT NULL
 * column.  Loaders (taproom-import, TAP_UPLOAD) report such errors as the input's fault. */
bool db_error_is_data(unsigned int errnum);

#endif
