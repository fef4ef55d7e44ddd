/* votable/value: turns the serialized form of one cell (TABLEDATA text, CSV text, BINARY/BINARY2
 * bytes) into a typed vot_cell, in a row buffer reused row after row.
 *
 * Shared by the VOTable reader and the CSV reader so that a value means the same thing whatever
 * carried it.  Must not know about XML or files: the callers give it bytes and a field and format
 * the error position (row, column) themselves from the short reason this module writes.
 * VOTable 1.4 §5.4-5.5 (binary layouts), §6 (primitives and their text forms). */
#ifndef TR_VOTABLE_VALUE_H
#define TR_VOTABLE_VALUE_H

#include "util/arena.h"
#include "util/err.h"
#include "votable/types.h"

#include <stddef.h>

/* The cells of one row and the bytes their payloads live in.  Payloads are placed at offsets while
 * the row is built (the buffer may move as it grows) and the cell pointers are set once, by
 * vot_row_seal().  Memory: the largest row seen, never more than max bytes. */
typedef struct vot_row {
	vot_cell *cells;      /* n of them, in field order */
	size_t *offs;         /* payload offset of each cell in data while building */
	size_t n;             /* cells per row */
	unsigned char *data;  /* heap; freed by the arena cleanup */
	size_t len, cap;      /* bytes used and allocated */
	size_t max;           /* ceiling on len (bytes), e.g. VOT_MAX_ROW_BYTES */
} vot_row;

/* Allocates the cell arrays in a and registers the release of the payload buffer with a.
 * TR_ENOMEM. */
int vot_row_init(vot_row *r, arena *a, size_t n_fields, size_t max_bytes, tr_err *err)
	__attribute__((warn_unused_result));
/* Empties the row for the next one: every cell NULL, no payload. */
void vot_row_clear(vot_row *r);
/* Points every non-NULL cell at its payload; call after the last cell is set, before use. */
void vot_row_seal(vot_row *r);

/* Why a value was refused: a short, lower-case phrase for the caller's "row R, column C" message. */
#define VOT_WHY_MAX 160

/* Cell i from the TABLEDATA / CSV text s[0..n) (already un-escaped; not NUL-terminated), parsed as
 * field f (VOTable 1.4 §6): numbers in decimal, hexadecimal integers, NaN and infinities; arrays
 * separated by whitespace; bits as '0'/'1' characters; booleans T/F/1/0/true/false/?; text as is.
 * Empty text must be handled by the caller (it is NULL in both formats).  Checks element counts
 * against the arraysize (exactly n for fixed shapes, at most n for bounded ones, characters for
 * text) and applies the field's VALUES null to scalars.
 * Returns TR_OK, TR_EBADREQ (malformed or out of range) or TR_ELIMIT (over the row's byte limit)
 * with the reason in why. */
int vot_value_from_text(vot_row *r, size_t i, const vot_field *f, const char *s, size_t n,
                        char why[VOT_WHY_MAX]) __attribute__((warn_unused_result));

/* Bytes one BINARY/BINARY2 cell of field f takes when it holds count elements (bits packed into
 * bytes; complex numbers count as one element). */
size_t vot_value_binary_bytes(const vot_field *f, uint64_t count);

/* Cell i from its BINARY/BINARY2 bytes p (vot_value_binary_bytes(f, count) of them), big-endian
 * (VOTable 1.4 §5.4): char strings end at the first NUL, unicodeChar is UCS-2 (UTF-16 surrogate
 * pairs accepted) converted to UTF-8; char must be valid UTF-8.  Applies the VALUES null to
 * scalars; a scalar boolean stored as null ('?', ' ' or NUL) becomes a NULL cell.
 * Returns TR_OK, TR_EBADREQ or TR_ELIMIT with the reason in why. */
int vot_value_from_binary(vot_row *r, size_t i, const vot_field *f, const unsigned char *p, uint64_t count,
                          char why[VOT_WHY_MAX]) __attribute__((warn_unused_result));

/* Parses field f's VALUES null text into f->null_int / f->null_real (f->has_null) for the scalar
 * types it applies to (integers; floats, deprecated but honoured).  TR_EBADREQ when the text is not
 * a value of the field's type. */
int vot_field_prepare_null(vot_field *f, char why[VOT_WHY_MAX]) __attribute__((warn_unused_result));

/* Number of UTF-8 characters in s[0..n), or (size_t)-1 when it is not valid UTF-8 (overlong
 * forms, surrogates and values above U+10FFFF are invalid). */
size_t vot_utf8_chars(const char *s, size_t n);

#endif
