/* votable/reader_int: what reader.c (XML structure, FIELDs, TABLEDATA) and reader_binary.c (base64
 * STREAMs, BINARY/BINARY2 rows) share.  Private to the reader: include nowhere else. */
#ifndef TR_VOTABLE_READER_INT_H
#define TR_VOTABLE_READER_INT_H

#include "util/strbuf.h"
#include "votable/limits.h"
#include "votable/reader.h"
#include "votable/value.h"

#include <expat.h>
#include <stdbool.h>

/* Where the reader is in the document; a stack entry per open element we look into. */
typedef enum vot_elem {
	VOT_E_ROOT,        /* before the root element */
	VOT_E_VOTABLE,
	VOT_E_RESOURCE,
	VOT_E_TABLE,       /* the table being read (later TABLEs are skipped whole) */
	VOT_E_TABLE_DESC,  /* TABLE/DESCRIPTION: text kept */
	VOT_E_FIELD,
	VOT_E_FIELD_DESC,  /* FIELD/DESCRIPTION: text kept */
	VOT_E_VALUES,
	VOT_E_DATA,
	VOT_E_TABLEDATA,
	VOT_E_TR,
	VOT_E_TD,          /* text kept in the row buffer */
	VOT_E_BINARY,      /* BINARY or BINARY2 */
	VOT_E_STREAM       /* text decoded as base64 */
} vot_elem;

/* The BINARY/BINARY2 decoder: base64 text in, rows out (reader_binary.c). */
typedef struct vot_bin {
	unsigned char quad[4];  /* base64 characters of the group being completed, as 6-bit values */
	int n_quad;             /* characters in quad, 0..3 */
	bool is_padded;         /* '=' seen: the stream is over, only whitespace may follow */
	unsigned char *buf;     /* decoded bytes not yet consumed (heap, freed by the arena) */
	size_t len, cap;        /* bytes in buf / allocated */
	size_t start;           /* offset in buf where the current row starts */
	size_t pos;             /* bytes of the current row scanned so far */
	size_t field;           /* next field to scan; n_fields when the row is complete */
	bool need_count;        /* the next piece is a variable array's 4-byte element count */
	bool has_mask;          /* the current row's null flags were taken (BINARY2) */
	size_t mask_bytes;      /* (n_fields + 7) / 8 for BINARY2, 0 for BINARY */
	uint64_t *counts;       /* elements of each field in the current row */
	size_t *offs;           /* each field's byte offset in the current row */
} vot_bin;

struct vot_reader {
	arena *a;
	XML_Parser parser;
	const char *name;        /* for messages */
	size_t max_fields, max_row_bytes;
	vot_handlers h;
	void *ctx;
	tr_err err;              /* the first error; later feeds return it */
	bool is_finished;        /* finish was called */

	vot_elem stack[VOT_MAX_DEPTH + 1]; /* open elements we look into; [0] = VOT_E_ROOT */
	size_t depth;            /* entries above [0] */
	size_t skip;             /* > 0: inside an element we ignore, this many levels deep */

	enum { VOT_T_BEFORE, VOT_T_IN, VOT_T_DONE } tstate; /* the first TABLE: not yet, open, closed */
	vot_table table;
	size_t meta_bytes;       /* attribute and DESCRIPTION bytes kept, against VOT_MAX_META_BYTES */
	vot_field *fields;       /* growing array (arena) while FIELDs are read */
	size_t n_fields, cap_fields;
	bool is_announced;       /* on_table has run */

	strbuf text;             /* DESCRIPTION text being collected */
	/* TABLEDATA: the TD texts of the open row, one after the other */
	strbuf rowtext;
	size_t n_td;             /* TDs seen in the open TR */
	size_t *td_off, *td_len; /* each TD's text in rowtext */
	unsigned long *td_line;  /* line of each TD, for messages */

	vot_row row;             /* typed cells of the current row */
	uint64_t n_rows;         /* rows delivered */
	vot_bin bin;
};

/* Records "NAME: row R, column C (FIELD): why" (with " (line L)" when line > 0) and stops. */
void vot_fail_cell(vot_reader *r, int code, size_t col, unsigned long line, const char *why);
/* Records "NAME: row R: message" and stops. */
void vot_fail_row(vot_reader *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records an error whose message is complete, and stops the parser. */
void vot_fail(vot_reader *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Hands the sealed r->row to on_row; false when the reader stopped. */
bool vot_emit_row(vot_reader *r);

/* reader_binary.c */
int vot_bin_init(vot_reader *r, bool is_binary2);
void vot_bin_text(vot_reader *r, const char *s, size_t n);
void vot_bin_end(vot_reader *r);

#endif
