/* votable/types: datatype names and sizes, arraysize shapes, and the text forms of scalar numbers
 * (VOTable 1.4 §2.1, §2.2, §6).  Pure functions; must not depend on the locale (strtod is only
 * called in the "C" locale the programs run in, and only on tokens checked to be plain ASCII). */
#include "config.h"

#include "votable/types.h"

#include "votable/limits.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	size_t binary_size; /* VOTable 1.4 Table 1 */
	size_t cell_size;   /* bytes per element in a vot_cell payload */
} dt_table[VOT_N_DATATYPES] = {
	[VOT_BOOLEAN] = { "boolean", 1, 1 },
	[VOT_BIT] = { "bit", 0, 1 },
	[VOT_UNSIGNED_BYTE] = { "unsignedByte", 1, 1 },
	[VOT_SHORT] = { "short", 2, 2 },
	[VOT_INT] = { "int", 4, 4 },
	[VOT_LONG] = { "long", 8, 8 },
	[VOT_CHAR] = { "char", 1, 1 },
	[VOT_UNICODE_CHAR] = { "unicodeChar", 2, 1 },
	[VOT_FLOAT] = { "float", 4, 4 },
	[VOT_DOUBLE] = { "double", 8, 8 },
	[VOT_FLOAT_COMPLEX] = { "floatComplex", 8, 8 },
	[VOT_DOUBLE_COMPLEX] = { "doubleComplex", 16, 16 },
};

const char *vot_datatype_name(vot_datatype dt)
{
	return (unsigned)dt < VOT_N_DATATYPES ? dt_table[dt].name : NULL;
}

bool vot_datatype_from_name(const char *name, vot_datatype *out)
{
	for (unsigned i = 0; i < VOT_N_DATATYPES; i++) {
		if (strcmp(dt_table[i].name, name) == 0) {
			*out = (vot_datatype)i;
			return true;
		}
	}
	return false;
}

size_t vot_datatype_binary_size(vot_datatype dt) { return dt_table[dt].binary_size; }
size_t vot_datatype_cell_size(vot_datatype dt) { return dt_table[dt].cell_size; }

bool vot_datatype_is_integer(vot_datatype dt)
{
	return dt == VOT_UNSIGNED_BYTE || dt == VOT_SHORT || dt == VOT_INT || dt == VOT_LONG;
}

/* ---- arraysize ------------------------------------------------------------------------------ */

bool vot_shape_parse(const char *s, vot_shape *out)
{
	memset(out, 0, sizeof *out);
	out->step = 1;
	out->max = 1;
	if (s == NULL)
		return true;
	out->is_array = true;
	uint64_t product = 1;
	const char *p = s;
	for (;;) {
		if (out->n_dims == VOT_MAX_DIMS)
			return false;
		uint64_t d = 0;
		const char *digits = p;
		while (*p >= '0' && *p <= '9') {
			d = d * 10 + (uint64_t)(*p - '0');
			if (d > VOT_MAX_ELEMENTS)
				return false;
			p++;
		}
		bool has_digits = p > digits;
		out->n_dims++;
		if (*p == '*') {
			/* Only the last dimension may vary; "n*" bounds it, "*" does not. */
			if (p[1] != '\0' || (has_digits && d == 0))
				return false;
			out->is_variable = true;
			out->step = (uint32_t)product;
			if (has_digits) {
				product *= d;
				if (product > VOT_MAX_ELEMENTS)
					return false;
				out->max = (uint32_t)product;
			} else {
				out->max = VOT_UNBOUNDED;
			}
			return true;
		}
		if (!has_digits || d == 0)
			return false;
		product *= d;
		if (product > VOT_MAX_ELEMENTS)
			return false;
		if (*p == '\0') {
			out->step = (uint32_t)(product / d);
			out->max = (uint32_t)product;
			return true;
		}
		if (*p != 'x')
			return false;
		p++;
	}
}

uint32_t vot_shape_size(const vot_shape *s)
{
	if (!s->is_array || s->n_dims != 1 || s->max == VOT_UNBOUNDED)
		return 0;
	return s->max;
}

/* ---- numbers -------------------------------------------------------------------------------- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s))
		(*s)++, (*n)--;
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool vot_parse_integer(vot_datatype dt, const char *s, size_t n, int64_t *out)
{
	int64_t lo, hi;
	unsigned bits;
	switch (dt) {
	case VOT_UNSIGNED_BYTE: lo = 0, hi = 255, bits = 8; break;
	case VOT_SHORT: lo = INT16_MIN, hi = INT16_MAX, bits = 16; break;
	case VOT_INT: lo = INT32_MIN, hi = INT32_MAX, bits = 32; break;
	case VOT_LONG: lo = INT64_MIN, hi = INT64_MAX, bits = 64; break;
	default: return false;
	}
	trim(&s, &n);
	if (n == 0)
		return false;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		/* VOTable 1.4 §6: 0x and at most twice the type's bytes in hexadecimal: the bit pattern. */
		if (n - 2 > bits / 4)
			return false;
		uint64_t u = 0;
		for (size_t i = 2; i < n; i++) {
			int d = hex_digit(s[i]);
			if (d < 0)
				return false;
			u = (u << 4) | (uint64_t)d;
		}
		if (dt == VOT_UNSIGNED_BYTE)
			*out = (int64_t)u;
		else if (bits == 64)
			*out = (int64_t)u;
		else if (u >= (UINT64_C(1) << (bits - 1)))
			*out = (int64_t)u - (int64_t)(UINT64_C(1) << bits); /* two's complement */
		else
			*out = (int64_t)u;
		return true;
	}
	bool neg = false;
	size_t i = 0;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return false;
	/* Accumulate the magnitude as unsigned, so INT64_MIN parses without overflow. */
	uint64_t mag = 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (mag > (UINT64_MAX - d) / 10)
			return false;
		mag = mag * 10 + d;
	}
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return false;
		int64_t v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
		if (v < lo)
			return false;
		*out = v;
	} else {
		if (mag > (uint64_t)hi)
			return false;
		*out = (int64_t)mag;
	}
	return true;
}

/* Longest numeric token we copy for strtod: digits beyond 17 significant ones do not change a
 * double, but a long exact decimal still has to be read whole; 512 covers any sane writer. */
#define VOT_NUMBER_TEXT_MAX 512

bool vot_parse_real(vot_datatype dt, const char *s, size_t n, double *out)
{
	trim(&s, &n);
	if (n == 0 || n >= VOT_NUMBER_TEXT_MAX)
		return false;
	char buf[VOT_NUMBER_TEXT_MAX];
	memcpy(buf, s, n);
	buf[n] = '\0';
	const char *t = buf;
	bool neg = false;
	if (*t == '+' || *t == '-')
		neg = *t++ == '-';
	/* VOTable 1.4 §6: NaN, +Inf, -Inf (Inf and any case accepted, as the common readers do). */
	if (strcasecmp(t, "nan") == 0) {
		*out = NAN;
		return true;
	}
	if (strcasecmp(t, "inf") == 0 || strcasecmp(t, "infinity") == 0) {
		*out = neg ? -INFINITY : INFINITY;
		return true;
	}
	/* Plain decimal only: strtod would also take hexadecimal floats and "nan(...)". */
	for (const char *c = t; *c; c++) {
		if (!((*c >= '0' && *c <= '9') || *c == '.' || *c == 'e' || *c == 'E' || *c == '+' || *c == '-'))
			return false;
	}
	char *end;
	errno = 0;
	double v;
	if (dt == VOT_FLOAT || dt == VOT_FLOAT_COMPLEX) {
		float f = strtof(buf, &end);
		if (errno == ERANGE && isinf(f))
			return false;
		v = f;
	} else {
		v = strtod(buf, &end);
		if (errno == ERANGE && isinf(v))
			return false;
	}
	if (end == buf || *end != '\0')
		return false;
	*out = v;
	return true;
}
