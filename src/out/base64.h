/* base64: a streaming RFC 4648 §4 encoder for the VOTable BINARY2 STREAM (VOTable 1.4 §5.6,
 * encoding="base64").
 *
 * Bytes arrive in pieces of any size (one table row at a time); up to two bytes that do not yet fill
 * a 3-byte group wait in the encoder, so the output is exactly what encoding the concatenation in
 * one call would give, wherever the pieces were cut.  Lines are broken every line_len characters
 * (RFC 2045 §6.8 uses 76), which XML readers ignore as whitespace.  No allocation: the output goes
 * to the caller's strbuf, whose sticky error reports memory failure. */
#ifndef TR_OUT_BASE64_H
#define TR_OUT_BASE64_H

#include "util/strbuf.h"

#include <stddef.h>

/* Characters per line of encoded output: RFC 2045 §6.8's limit, a multiple of 4. */
#define BASE64_LINE 76

typedef struct base64_enc {
	unsigned char carry[2]; /* input bytes not yet encoded: fewer than one 3-byte group */
	size_t n_carry;         /* bytes in carry, 0..2 */
	size_t col;             /* characters on the current output line */
	size_t line_len;        /* characters per line before a '\n'; 0 = one unbroken line */
} base64_enc;

void base64_enc_init(base64_enc *e, size_t line_len);
/* Encodes p[0..n) after what came before, keeping a partial group for the next call. */
void base64_enc_add(base64_enc *e, strbuf *sb, const void *p, size_t n);
/* Encodes the waiting bytes with '=' padding and ends a non-empty line with '\n'; the encoder is
 * then ready for a new stream. */
void base64_enc_finish(base64_enc *e, strbuf *sb);

/* Characters base64_enc_add/finish produce for n input bytes, line breaks excluded. */
static inline size_t base64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }

#endif
