/* numfmt: numbers as text, the one implementation every result writer uses.
 *
 * Floating point values come out as the SHORTEST decimal that reads back (strtod/strtof) to the very
 * same bits, never longer than printf's "%.17g" ("%.9g" for float); integers through a table of digit
 * pairs, without printf.  NaN and the infinities use the VOTable 1.4 §6 spellings "NaN", "+Inf",
 * "-Inf", which DALI 1.1 §3.1 and the CSV/TSV writers share.  Output never depends on the locale. */
#ifndef TR_OUT_NUMFMT_H
#define TR_OUT_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes a buffer needs for any result of this module, the terminating NUL included:
 * "-2.2250738585072014e-308" is 24 characters, "-9223372036854775808" and "18446744073709551615" 20. */
#define NUMFMT_MAX 32

/* Each function writes the text and a NUL into buf (at least NUMFMT_MAX bytes) and returns the
 * length without the NUL.  They cannot fail.
 *
 * Floats: the digits are the shortest that round-trip (ties between two candidates of that length go
 * to the one nearer the exact value); the layout is printf's %g rule at 17 digits (9 for float):
 * plain notation for decimal exponents -4..16 ("0.1", "123456", "1e-05" < -4), otherwise "d.ddde+XX"
 * with at least two exponent digits.  Negative zero keeps its sign ("-0"). */
size_t numfmt_double(char *buf, double x);
size_t numfmt_float(char *buf, float x);
size_t numfmt_int64(char *buf, int64_t v);
size_t numfmt_uint64(char *buf, uint64_t v);

#endif
