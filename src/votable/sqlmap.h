/* votable/sqlmap: VOTable columns and values as MariaDB / MySQL types and SQL text, and database
 * column types back as VOTable datatypes.
 *
 * Pure (no connection, no mysql.h): the one place where names from a file are checked and quoted and
 * values become SQL literals, for taproom-import (tap/publish) and TAP_UPLOAD's temporary tables.
 * Identifiers reach SQL only through vot_sql_quote_ident, values only through vot_sql_add_value /
 * vot_sql_add_string.  The literals assume the session's sql_mode does not contain
 * NO_BACKSLASH_ESCAPES (the importer sets sql_mode itself).
 * VOTable 1.4 §2 (datatypes), DALI 1.1 §3.3 (timestamps, geometry text), TAP 1.1 §4.3 (columns). */
#ifndef TR_VOTABLE_SQLMAP_H
#define TR_VOTABLE_SQLMAP_H

#include "util/strbuf.h"
#include "votable/types.h"
#include "votable/value.h"

#include <stdbool.h>

/* Identifier length in MariaDB and MySQL (characters; ours are ASCII, so bytes too). */
#define VOT_SQL_NAME_MAX 64
/* Longest string kept as VARCHAR(n): utf8mb4 VARCHAR(255) takes 1021 bytes of InnoDB's 65535-byte
 * row; wider bounded strings become TEXT so that many of them still fit a row. */
#define VOT_SQL_VARCHAR_MAX 255u
/* Longest key (primary key) string: InnoDB's 3072-byte index limit over 4 bytes per character. */
#define VOT_SQL_KEY_VARCHAR_MAX 768u
/* TEXT / BLOB hold 65535 bytes; longer bounded values and unbounded ones go to MEDIUM* (16 MiB,
 * the reader's row limit). */
#define VOT_SQL_TEXT_BYTES 65535u

/* Checks a table, schema or column name from a file or the command line: an ASCII letter, then
 * letters, digits and underscores, at most VOT_SQL_NAME_MAX (an ADQL regular identifier, ADQL 2.1
 * §2.1.3, that needs no quoting anywhere).  false with the reason in why. */
bool vot_sql_ident_check(const char *name, char why[VOT_WHY_MAX]);

/* Appends name as a backtick-quoted identifier (a backtick inside is doubled). */
void vot_sql_quote_ident(strbuf *sb, const char *name);
/* Appends s[0..n) as a quoted string literal: NUL, quote, backslash, CR, LF and ^Z escaped. */
void vot_sql_add_string(strbuf *sb, const char *s, size_t n);

/* How a field's values are stored. */
typedef enum vot_sql_kind {
	VOT_SQL_INTEGER,    /* boolean (0/1), unsignedByte, short, int, long scalars */
	VOT_SQL_BITS,       /* bit scalar or fixed array up to 64: BIT(n), b'0101' */
	VOT_SQL_REAL,       /* float, double scalars; NaN is NULL, infinities are refused */
	VOT_SQL_STRING,     /* char, unicodeChar */
	VOT_SQL_TIMESTAMP,  /* char with xtype timestamp: DATETIME(6) */
	VOT_SQL_BINARY,     /* unsignedByte arrays: VARBINARY / BLOB, X'..' */
	VOT_SQL_ARRAY_TEXT  /* every other array and the complex types: their TABLEDATA text (DALI 1.1
	                       §3.3 for point, circle, polygon), e.g. "10.5 -20.25" */
} vot_sql_kind;

typedef struct vot_sql_column {
	char type[40];      /* column type for CREATE TABLE, e.g. "VARCHAR(16)", "DOUBLE" */
	vot_sql_kind kind;
	bool is_indexable;  /* a B-tree index on it works (not TEXT/BLOB) */
} vot_sql_column;

/* The MariaDB column for field f; is_key asks for a type a primary key can use (strings up to
 * VOT_SQL_KEY_VARCHAR_MAX stay VARCHAR).  TR_EUNSUPPORTED for a key column that cannot be one
 * (arrays, unbounded strings), with the reason. */
int vot_sql_column_for(const vot_field *f, bool is_key, vot_sql_column *out, tr_err *err)
	__attribute__((warn_unused_result));

/* Appends the SQL literal of cell c of field f stored as col: NULL, a number (shortest round-trip
 * text), a quoted string, b'..', X'..'.  TR_EBADREQ with the reason in why for values the database
 * cannot hold exactly: infinite floats, timestamps that are not ISO 8601 dates (DALI 1.1 §3.3:
 * YYYY-MM-DD, optionally Thh:mm:ss with up to 6 fractional digits and a final Z). */
int vot_sql_add_value(strbuf *sb, const vot_field *f, const vot_sql_column *col, const vot_cell *c,
                      char why[VOT_WHY_MAX]) __attribute__((warn_unused_result));

/* ---- the other way: database columns as VOTable metadata ------------------------------------- */

typedef struct vot_sql_votype {
	vot_datatype datatype;
	char arraysize[24];  /* "" for scalars */
	const char *xtype;   /* "timestamp" or NULL */
} vot_sql_votype;

/* The VOTable type that represents a column of information_schema DATA_TYPE data_type and
 * COLUMN_TYPE column_type (e.g. "int", "int(10) unsigned"; "varchar", "varchar(32)") exactly, as
 * the result writer sends it (db/cursor.c): tinyint(1) is boolean, VARCHAR(n) char "n*", TEXT char
 * "*", DATETIME char "*" with xtype timestamp, BINARY/BLOB unsignedByte "*", BIT(n) bit "n".
 * Types it does not know are text (char "*"), as the cursor sends them. */
void vot_sql_votype_of(const char *data_type, const char *column_type, vot_sql_votype *out);

/* Whether a column published as datatype/arraysize (TAP_SCHEMA) can be served from a database
 * column of data_type/column_type: every value fits the declared type, and the declared type is
 * one the query path can produce from it (integers from integers of no larger range, float and
 * double from floating point columns, text from strings and dates, unsignedByte arrays from
 * binary strings, other arrays and complex values from text as taproom-import stores them).
 * false with the reason in why. */
bool vot_sql_compatible(const char *datatype, const char *arraysize, const char *data_type, const char *column_type,
                        char why[VOT_WHY_MAX]);

#endif
