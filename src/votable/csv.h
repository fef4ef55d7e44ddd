/* votable/csv: a streaming CSV reader (RFC 4180, with a header line) that hands out rows as the
 * VOTable reader does (vot_table, vot_cell, vot_handlers), so consumers treat both alike; and the
 * type inference that gives CSV columns VOTable types.
 *
 *     typed:    fields known (from inference or the caller): cells are parsed into those types
 *     text:     fields NULL: every column is char arraysize "*", cells are the raw text
 *
 * CSV carries no types, so taproom-import reads a file twice: once in text mode into a
 * vot_csv_guess (int, long, double, or char of the longest length seen; overridable), then typed.
 * Quoted fields may hold delimiters, quotes ("") and line breaks; records end with LF or CRLF;
 * a UTF-8 byte order mark is skipped; completely empty lines are skipped.  An empty unquoted field
 * is NULL; a quoted empty field ("") is the empty string for text columns, NULL otherwise.
 * Values go through votable/value.h, so "1e3", "NaN", "0x1F" mean what they mean in TABLEDATA. */
#ifndef TR_VOTABLE_CSV_H
#define TR_VOTABLE_CSV_H

#include "util/arena.h"
#include "util/err.h"
#include "votable/reader.h"
#include "votable/types.h"

typedef struct vot_csv_options {
	const char *name;          /* labels messages; NULL: "CSV" */
	char delimiter;            /* 0 = ',' */
	size_t max_fields;         /* 0 = VOT_MAX_FIELDS */
	size_t max_row_bytes;      /* 0 = VOT_MAX_ROW_BYTES */
	const vot_field *fields;   /* typed mode: one per header column, same names in the same order;
	                              NULL: text mode */
	size_t n_fields;
} vot_csv_options;

typedef struct vot_csv_reader vot_csv_reader;

/* Like vot_reader_new (votable/reader.h): everything lives in and is released with arena a.
 * on_table gets the table (name NULL, encoding VOT_ENC_CSV) after the header line. */
vot_csv_reader *vot_csv_reader_new(arena *a, const vot_csv_options *opts, const vot_handlers *h, void *ctx,
                                   tr_err *err) __attribute__((warn_unused_result));
/* Errors (the first sticks): TR_EBADREQ "NAME: row R: 3 fields, 4 expected (line L)", a header
 * column without a name, a character after a closing quote, an unterminated quoted field at the
 * end, a value of the wrong type "NAME: row R, column C (COL): why (line L)", a header that does
 * not match opts->fields; TR_EENCODING invalid UTF-8 in text; TR_ELIMIT; TR_ENOMEM; or what a
 * callback returned. */
int vot_csv_reader_feed(vot_csv_reader *r, const char *buf, size_t n, tr_err *err) __attribute__((warn_unused_result));
/* Ends the input (a last record without a line break counts) and calls on_end; TR_EBADREQ when
 * there was no header. */
int vot_csv_reader_finish(vot_csv_reader *r, tr_err *err) __attribute__((warn_unused_result));
uint64_t vot_csv_reader_rows(const vot_csv_reader *r);

/* ---- type inference ------------------------------------------------------------------------ */

/* Longest text column made char "N*" (N characters); longer ones become char "*". */
#define VOT_CSV_BOUNDED_MAX 4096u

typedef struct vot_csv_guess vot_csv_guess;

/* For n_fields columns; lives in a.  NULL with TR_ENOMEM. */
vot_csv_guess *vot_csv_guess_new(arena *a, size_t n_fields, tr_err *err) __attribute__((warn_unused_result));
/* Looks at one row of text-mode cells. */
void vot_csv_guess_row(vot_csv_guess *g, const vot_cell *cells);
/* The typed fields for the columns of t (a text-mode table), in arena a: int when every value fits
 * 32 bits, long for 64, double when every value is a number, else char with arraysize "N*" (the
 * longest value, at least 1) or "*" above VOT_CSV_BOUNDED_MAX; a column with no value at all is
 * char "*".  NULL with TR_ENOMEM. */
vot_field *vot_csv_guess_fields(const vot_csv_guess *g, arena *a, const vot_table *t, tr_err *err)
	__attribute__((warn_unused_result));

/* Overrides field types from "name=type,name=type" (the --types option).  Types: short, int,
 * long, float, double, boolean, char / unicodeChar (arraysize "*"), char(N) (arraysize "N*"), and
 * the SQL spellings smallint, integer, bigint, real, text, varchar, varchar(N).  TR_EBADREQ names an
 * unknown column or type; TR_ENOMEM. */
int vot_csv_apply_types(vot_field *fields, size_t n_fields, const char *spec, arena *a, tr_err *err)
	__attribute__((warn_unused_result));

#endif
