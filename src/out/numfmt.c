/* numfmt: shortest round-trip floating point text and printf-free integers (see numfmt.h).
 *
 * Floats: glibc's printf rounds exactly, so "%.*e" gives the p-digit decimal nearest the value; we
 * take the smallest p whose nearest (or, failing that, other neighbouring) p-digit decimal reads
 * back to the same bits.  Below DBL_DIG (FLT_DIG) digits no search is needed for normal numbers:
 * every decimal of that many digits survives a round trip, so the nearest one is the shortest
 * when any that short exists.  The check parses "DIGITSe-EXP" (no radix character), so neither
 * the formatting nor the check depends on LC_NUMERIC.  Must not allocate or call printf for ints. */
#include <config.h>

#include "out/numfmt.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two ASCII digits for each value 0..99, so integers take one division per two digits. */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

size_t numfmt_uint64(char *buf, uint64_t v)
{
	char tmp[20]; /* 18446744073709551615: 20 digits */
	size_t i = sizeof tmp;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		tmp[--i] = digit_pairs[2 * r + 1];
		tmp[--i] = digit_pairs[2 * r];
	}
	if (v >= 10) {
		tmp[--i] = digit_pairs[2 * v + 1];
		tmp[--i] = digit_pairs[2 * v];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	size_t n = sizeof tmp - i;
	memcpy(buf, tmp + i, n);
	buf[n] = '\0';
	return n;
}

size_t numfmt_int64(char *buf, int64_t v)
{
	if (v >= 0)
		return numfmt_uint64(buf, (uint64_t)v);
	buf[0] = '-';
	/* -(v + 1) + 1 avoids negating INT64_MIN in the signed type. */
	return 1 + numfmt_uint64(buf + 1, (uint64_t)(-(v + 1)) + 1u);
}

/* A decimal d[0] d[1] ... d[n-1] x 10^(e - n + 1): the digits of the significand and the decimal
 * exponent of the first digit (scientific notation). */
typedef struct decimal {
	char d[24]; /* ASCII digits, at most 17 used (9 for float) */
	int n;      /* digits in d */
	int e;      /* decimal exponent of d[0] */
} decimal;

/* The p-digit decimal nearest ax (ax finite, positive). */
static void nearest_decimal(double ax, int p, decimal *out)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%.*e", p - 1, ax);
	const char *s = tmp;
	int n = 0;
	/* Skip the radix character, whatever the locale made it. */
	for (; *s != '\0' && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9' && n < (int)sizeof out->d)
			out->d[n++] = *s;
	out->n = n;
	out->e = *s == 'e' ? (int)strtol(s + 1, NULL, 10) : 0;
}

/* The neighbouring p-digit decimal one unit in the last place up (dir > 0) or down (dir < 0). */
static void step_decimal(decimal *dec, int dir)
{
	int i = dec->n - 1;
	if (dir > 0) {
		while (i >= 0 && dec->d[i] == '9')
			dec->d[i--] = '0';
		if (i >= 0) {
			dec->d[i]++;
		} else { /* 999 + 1 = 1000: one more power of ten, still n digits */
			dec->d[0] = '1';
			dec->e++;
		}
	} else {
		while (i >= 0 && dec->d[i] == '0')
			dec->d[i--] = '9';
		dec->d[i]--; /* the first digit is never 0, so i >= 0 here */
		if (dec->d[0] == '0') { /* 1000 - 1: the n-digit neighbour below is 9.99..9e(e-1) */
			memset(dec->d, '9', (size_t)dec->n);
			dec->e--;
		}
	}
}

/* dec as "DIGITSeEXP", with no radix character, for strtod/strtof. */
static void decimal_plain(const decimal *dec, char *buf)
{
	memcpy(buf, dec->d, (size_t)dec->n);
	buf[dec->n] = 'e';
	numfmt_int64(buf + dec->n + 1, (int64_t)dec->e - (dec->n - 1));
}

/* The value of dec compared with ax: 0 if it reads back to ax exactly, else the sign of the
 * difference.  is_float selects strtof (single precision) over strtod. */
static int decimal_cmp(const decimal *dec, double ax, int is_float)
{
	char buf[64];
	decimal_plain(dec, buf);
	double back = is_float ? (double)strtof(buf, NULL) : strtod(buf, NULL);
	return back == ax ? 0 : back > ax ? 1 : -1;
}

/* The shortest decimal that reads back to ax: p from min_p up, nearest candidate first and its
 * other neighbour when the nearest misses; max_p digits always round-trip. */
static void shortest_decimal(double ax, int min_p, int neighbour_from, int max_p, int is_float, decimal *out)
{
	for (int p = min_p; p < max_p; p++) {
		nearest_decimal(ax, p, out);
		int c = decimal_cmp(out, ax, is_float);
		if (c == 0)
			return;
		if (p < neighbour_from)
			continue;
		/* The nearest lies on one side of ax; only the one on the other side can still fit in
		 * the (possibly asymmetric) interval that rounds to ax. */
		step_decimal(out, -c);
		if (decimal_cmp(out, ax, is_float) == 0)
			return;
	}
	nearest_decimal(ax, max_p, out);
}

/* Lays dec out as printf's %g would at precision max_p (see numfmt.h); returns the length. */
static size_t render(char *buf, int negative, decimal *dec, int max_p)
{
	char *p = buf;
	while (dec->n > 1 && dec->d[dec->n - 1] == '0')
		dec->n--;
	if (negative)
		*p++ = '-';
	int n = dec->n, e = dec->e;
	if (e >= -4 && e < max_p) {
		if (e < 0) {
			*p++ = '0';
			*p++ = '.';
			for (int i = 0; i < -e - 1; i++)
				*p++ = '0';
			memcpy(p, dec->d, (size_t)n);
			p += n;
		} else if (n <= e + 1) {
			memcpy(p, dec->d, (size_t)n);
			p += n;
			for (int i = n; i < e + 1; i++)
				*p++ = '0';
		} else {
			memcpy(p, dec->d, (size_t)e + 1);
			p += e + 1;
			*p++ = '.';
			memcpy(p, dec->d + e + 1, (size_t)(n - e - 1));
			p += n - e - 1;
		}
	} else {
		*p++ = dec->d[0];
		if (n > 1) {
			*p++ = '.';
			memcpy(p, dec->d + 1, (size_t)n - 1);
			p += n - 1;
		}
		*p++ = 'e';
		*p++ = e < 0 ? '-' : '+';
		int ae = e < 0 ? -e : e;
		if (ae < 10)
			*p++ = '0';
		p += numfmt_int64(p, ae);
	}
	*p = '\0';
	return (size_t)(p - buf);
}

/* NaN, the infinities and zero, which need no search; returns 0 for every other value. */
static size_t special(char *buf, double x)
{
	const char *s;
	if (isnan(x))
		s = "NaN";
	else if (isinf(x))
		s = x > 0 ? "+Inf" : "-Inf";
	else if (x == 0)
		s = signbit(x) ? "-0" : "0";
	else
		return 0;
	size_t n = strlen(s);
	memcpy(buf, s, n + 1);
	return n;
}

/* The shortest round-trip text of x, as a double or (is_float) as a float widened to double. */
static size_t format_real(char *buf, double x, int is_float)
{
	size_t n = special(buf, x);
	if (n)
		return n;
	int digits = is_float ? FLT_DIG : DBL_DIG;
	int max_p = is_float ? FLT_DECIMAL_DIG : DBL_DECIMAL_DIG;
	double ax = fabs(x);
	decimal dec;
	/* Subnormals carry fewer digits than DBL_DIG (FLT_DIG) promises: search from one digit. */
	if (ax < (is_float ? FLT_MIN : DBL_MIN))
		shortest_decimal(ax, 1, 1, max_p, is_float, &dec);
	else
		shortest_decimal(ax, digits, digits + 1, max_p, is_float, &dec);
	return render(buf, signbit(x) != 0, &dec, max_p);
}

size_t numfmt_double(char *buf, double x) { return format_real(buf, x, 0); }

size_t numfmt_float(char *buf, float x) { return format_real(buf, (double)x, 1); }
