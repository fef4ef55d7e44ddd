/* text: copying UTF-8 text into an output format, character by character.
 *
 * Every text writer (XML element content and attributes, CSV, TSV, the BINARY2 char columns) needs
 * the same two things: replace what is not a character of the output (invalid UTF-8, the controls
 * XML 1.0 §2.2 forbids, U+FFFE/U+FFFF) with U+FFFD, and replace a few ASCII characters with an
 * escape sequence.  Only the second differs between formats, so it is a table: one pass, one
 * implementation.  Using the XML character set everywhere gives a value the same text in every
 * format.  This module knows no format; the writers own their tables. */
#ifndef TR_OUT_TEXT_H
#define TR_OUT_TEXT_H

#include "util/strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define TEXT_REPLACEMENT "\xEF\xBF\xBD"

/* Per ASCII byte: the text that replaces it, or NULL to copy it.  Forbidden control characters
 * are replaced by U+FFFD before the table is consulted, whatever it says for them. */
typedef const char *const text_escapes[128];

/* The next unit of s[0..n) (n > 0): returns its length in bytes and sets *out_valid to 1 when it is
 * a character to keep (valid UTF-8 and an XML 1.0 Char), 0 when it becomes one U+FFFD.  Invalid
 * UTF-8 goes one byte per unit; a well-formed U+FFFE or U+FFFF is one unit of 3 bytes. */
size_t text_next(const unsigned char *s, size_t n, int *out_valid);

/* Appends s[0..n) with forbidden characters replaced by U+FFFD and table escapes applied (table
 * may be NULL: no escapes).  Returns the number of U+FFFD replacements. */
size_t text_escape(strbuf *sb, const char *s, size_t n, const text_escapes *table);

/* The code point of the valid character of length len (from text_next) at s. */
uint32_t text_code_point(const unsigned char *s, size_t len);

/* What a VOTable arraysize counts for text: bytes of the UTF-8 output (datatype char in text
 * formats), characters (char in BINARY2, one byte each) or UTF-16 code units (unicodeChar: a
 * character outside the BMP takes two). */
typedef enum text_unit { TEXT_UNIT_BYTE, TEXT_UNIT_CHAR, TEXT_UNIT_UTF16 } text_unit;

/* Bytes of the longest prefix of s[0..n) made of whole characters whose size in `unit`s after
 * replacement (an invalid byte becomes U+FFFD: 3 bytes, 1 code unit) stays within max_units;
 * *out_units gets that size.  Never splits a character. */
size_t text_prefix(const char *s, size_t n, size_t max_units, text_unit unit, size_t *out_units);

#endif
