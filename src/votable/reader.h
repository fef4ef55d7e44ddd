/* votable/reader: a streaming VOTable reader (expat) that hands the first TABLE's FIELDs and then
 * its rows, one at a time, to callbacks.
 *
 *     vot_reader *r = vot_reader_new(a, &opts, &handlers, ctx, err);
 *     while (more input) vot_reader_feed(r, buf, n, err);   any chunking, one byte at a time too
 *     vot_reader_finish(r, err);                              end of input
 *     ... arena_destroy(a) releases the parser and every buffer, on every path
 *
 * Serializations: TABLEDATA, BINARY2 and BINARY (STREAM encoding="base64", inline); FITS, remote
 * STREAMs (href) and other encodings are TR_EUNSUPPORTED.  Every VOTable 1.4 datatype, scalars and
 * arrays of any arraysize; NULLs from empty TDs, the BINARY2 null flags, VALUES null (scalars) and
 * boolean '?'.  Memory does not grow with the number of rows: one row's text or bytes and its typed
 * values, bounded by max_row_bytes.  Elements are matched by local name, so any VOTable namespace
 * (1.1-1.5) or none works.  Entity declarations are refused (no entity expansion attacks).
 * Users: taproom-import (tools/import, tap/publish) and TAP_UPLOAD (issue 8).
 * VOTable 1.4 §3 (document), §4 (FIELD, VALUES), §5 (TABLEDATA, BINARY, BINARY2, STREAM), §6. */
#ifndef TR_VOTABLE_READER_H
#define TR_VOTABLE_READER_H

#include "util/arena.h"
#include "util/err.h"
#include "util/io.h"
#include "votable/types.h"

#include <stdint.h>

typedef enum vot_encoding {
	VOT_ENC_NONE,      /* the table has no DATA (metadata only) */
	VOT_ENC_TABLEDATA,
	VOT_ENC_BINARY,    /* VOTable 1.4 §5.4: no null flags */
	VOT_ENC_BINARY2,   /* VOTable 1.4 §5.5: one null flag per cell */
	VOT_ENC_CSV        /* not VOTable: rows from the CSV reader (votable/csv.h) */
} vot_encoding;

/* The table, as the callbacks see it.  Strings are NULL when absent; everything stays valid until
 * the reader's arena is destroyed. */
typedef struct vot_table {
	const char *name;         /* TABLE/@name */
	const char *id;           /* TABLE/@ID */
	const char *ucd, *utype;  /* TABLE/@ucd, @utype */
	const char *description;  /* TABLE/DESCRIPTION, trimmed */
	long long nrows;          /* TABLE/@nrows, -1 when absent (advice only; never trusted) */
	const vot_field *fields;  /* in document order */
	size_t n_fields;          /* >= 1 */
	vot_encoding encoding;    /* known when on_table runs */
} vot_table;

/* Callbacks.  Each returns TR_OK to go on, or a negative code after recording an error in err (the
 * reader's own error, passed in): the reader then stops and feed/finish return that code.  Any of
 * them may be NULL. */
typedef struct vot_handlers {
	/* Once, when the FIELDs are complete (at DATA, or at the end of a TABLE without DATA). */
	int (*on_table)(void *ctx, const vot_table *t, tr_err *err);
	/* Once per row; row is 1-based; cells[i] belongs to t->fields[i] and is valid until the
	 * callback returns. */
	int (*on_row)(void *ctx, uint64_t row, const vot_cell *cells, tr_err *err);
	/* Once, at the end of the table, with the number of rows delivered. */
	int (*on_end)(void *ctx, uint64_t n_rows, tr_err *err);
} vot_handlers;

typedef struct vot_options {
	const char *name;      /* labels messages, e.g. the file name or the upload name; NULL: "VOTable" */
	size_t max_fields;     /* 0 = VOT_MAX_FIELDS */
	size_t max_row_bytes;  /* 0 = VOT_MAX_ROW_BYTES */
} vot_options;

typedef struct vot_reader vot_reader;

/* A reader whose parser, buffers and strings live in (and are released with) arena a; a must not
 * have a byte cap below the metadata it will hold (at most VOT_MAX_META_BYTES of attribute and
 * DESCRIPTION text, plus the field array).  opts may be NULL.  NULL with TR_ENOMEM. */
vot_reader *vot_reader_new(arena *a, const vot_options *opts, const vot_handlers *h, void *ctx, tr_err *err)
	__attribute__((warn_unused_result));

/* Feeds the next n bytes of the document.  Errors (the first one sticks; later calls return it):
 *   TR_EBADREQ      not well-formed XML ("NAME:LINE:COL: not well-formed (invalid token)"), not a
 *                   VOTable, a FIELD without name or with an unknown datatype or bad arraysize
 *                   ("NAME:LINE: ..."), a row with the wrong number of cells ("NAME: row R: ..."),
 *                   a value that is not of its field's type ("NAME: row R, column C (FIELDNAME):
 *                   ... (line L)"), truncated binary data, invalid base64
 *   TR_EENCODING    invalid UTF-8 in a BINARY char value (same row/column form)
 *   TR_ELIMIT       over max_fields, max_row_bytes, VOT_MAX_TEXT, VOT_MAX_META_BYTES or VOT_MAX_DEPTH
 *   TR_EUNSUPPORTED FITS data, STREAM href, STREAM encodings other than base64
 *   TR_ENOMEM
 *   or whatever a callback returned. */
int vot_reader_feed(vot_reader *r, const char *buf, size_t n, tr_err *err) __attribute__((warn_unused_result));

/* Ends the input: the document must be complete and hold a TABLE with at least one FIELD
 * (TR_EBADREQ "NAME: no TABLE in the document" otherwise). */
int vot_reader_finish(vot_reader *r, tr_err *err) __attribute__((warn_unused_result));

/* Reads a whole document from src in chunks of VOT_READ_CHUNK bytes: new, feed..., finish.
 * TR_EIO when src fails. */
#define VOT_READ_CHUNK ((size_t)64 * 1024)
int vot_read(arena *a, const tr_source *src, const vot_options *opts, const vot_handlers *h, void *ctx,
             tr_err *err) __attribute__((warn_unused_result));

/* Rows delivered so far. */
uint64_t vot_reader_rows(const vot_reader *r);

#endif
