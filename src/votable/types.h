/* votable/types: the VOTable 1.4 data model the table readers share: datatypes, arraysize
 * shapes, FIELD metadata and typed cell values.
 *
 * Pure: no I/O, no XML.  The VOTable reader (votable/reader.h) and the CSV reader (votable/csv.h)
 * describe their columns with vot_field and hand rows out as vot_cell arrays, so their consumers
 * (taproom-import, TAP_UPLOAD) handle both alike.  VOTable 1.4 §2.1 (primitives), §2.2 (arrays),
 * §4.1 (FIELD attributes), §6 (values and their text forms). */
#ifndef TR_VOTABLE_TYPES_H
#define TR_VOTABLE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* VOTable 1.4 Table 1: every primitive. */
typedef enum vot_datatype {
	VOT_BOOLEAN,
	VOT_BIT,
	VOT_UNSIGNED_BYTE,
	VOT_SHORT,
	VOT_INT,
	VOT_LONG,
	VOT_CHAR,
	VOT_UNICODE_CHAR,
	VOT_FLOAT,
	VOT_DOUBLE,
	VOT_FLOAT_COMPLEX,
	VOT_DOUBLE_COMPLEX
} vot_datatype;

#define VOT_N_DATATYPES 12

/* The VOTable name ("unicodeChar", "doubleComplex"); NULL outside the enum. */
const char *vot_datatype_name(vot_datatype dt);
/* The datatype of a name, compared exactly (VOTable names are case-sensitive).  false: unknown. */
bool vot_datatype_from_name(const char *name, vot_datatype *out);
/* Bytes of one primitive in BINARY/BINARY2 (VOTable 1.4 Table 1); 0 for bit, which is packed. */
size_t vot_datatype_binary_size(vot_datatype dt);
/* Whether the type is one of the integers (unsignedByte, short, int, long). */
bool vot_datatype_is_integer(vot_datatype dt);
/* Whether the type is text (char, unicodeChar). */
static inline bool vot_datatype_is_text(vot_datatype dt) { return dt == VOT_CHAR || dt == VOT_UNICODE_CHAR; }

/* An arraysize attribute (VOTable 1.4 §2.2): dimensions separated by 'x', the first varying
 * fastest, the last one optionally variable ("*" or "n*").
 *   absent      scalar: is_array false, one element
 *   "10"        fixed: exactly 10 elements
 *   "3x4"       fixed: exactly 12
 *   "10*"       variable: 0 to 10 elements
 *   "3x*"       variable: a multiple of 3 elements, unbounded
 *   "*"         variable: any number */
#define VOT_UNBOUNDED UINT32_MAX

typedef struct vot_shape {
	bool is_array;     /* the attribute is present */
	bool is_variable;  /* the last dimension ends in '*' */
	uint32_t step;     /* product of the fixed leading dimensions (1 for one dimension) */
	uint32_t max;      /* most elements per cell: the fixed count, the bound of "n*", or VOT_UNBOUNDED */
	unsigned n_dims;   /* dimensions written (0 for scalars) */
} vot_shape;

/* Parses an arraysize; NULL gives the scalar shape.  Returns false for anything malformed, a zero
 * dimension, more than VOT_MAX_DIMS dimensions or more than VOT_MAX_ELEMENTS elements. */
bool vot_shape_parse(const char *arraysize, vot_shape *out);
/* For one-dimensional fixed or bounded shapes the bound ("10" and "10*" give 10), else 0: the
 * TAP 1.1 §4.3 "size" column. */
uint32_t vot_shape_size(const vot_shape *s);

/* One FIELD (VOTable 1.4 §4.1).  Strings are NULL when the attribute or element is absent, and
 * belong to whoever built the field (the reader's arena). */
typedef struct vot_field {
	const char *name;        /* name attribute; never NULL (the reader requires it) */
	const char *id;          /* ID */
	vot_datatype datatype;
	const char *arraysize;   /* as written, NULL for scalars */
	vot_shape shape;         /* parsed arraysize */
	const char *xtype;       /* DALI xtype ("timestamp", "point") */
	const char *unit;
	const char *ucd;
	const char *utype;
	const char *ref;
	const char *width;
	const char *precision;
	const char *description; /* DESCRIPTION text, trimmed */
	const char *null_value;  /* VALUES/@null as written (VOTable 1.4 §4.5) */
	bool has_null;           /* null_value parsed into null_int / null_real for scalar matching */
	int64_t null_int;        /* the magic value of an integer field */
	double null_real;        /* the magic value of a floating-point field (deprecated, still honoured) */
} vot_field;

/* What a boolean element holds: VOTable 1.4 §6 "T"/"F", and '?', ' ' or NUL for null. */
#define VOT_BOOL_FALSE 0
#define VOT_BOOL_TRUE 1
#define VOT_BOOL_NULL 2

/* One typed cell.  n counts elements: 1 for a scalar; for arrays the number of primitives (a
 * complex number is one element made of two numbers, so the payload holds 2n of them); for char
 * and unicodeChar the bytes of the UTF-8 text (NUL-terminated, the NUL not counted).  A NULL cell
 * (empty TD, a BINARY2 null flag, the VALUES null of a scalar, '?' for a scalar boolean, an empty
 * CSV field) has is_null set and n = 0.  NaN is a value, not a NULL: consumers decide (VOTable 1.4
 * §5.5 lets them treat it as null). */
typedef struct vot_cell {
	bool is_null;
	size_t n;
	union {
		const void *p;
		const uint8_t *u8;   /* boolean (VOT_BOOL_*), bit (0 or 1 per element), unsignedByte */
		const int16_t *i16;  /* short */
		const int32_t *i32;  /* int */
		const int64_t *i64;  /* long */
		const float *f32;    /* float, floatComplex (real, imaginary pairs) */
		const double *f64;   /* double, doubleComplex */
		const char *s;       /* char, unicodeChar: UTF-8 */
	} v;
} vot_cell;

/* Bytes of one element in a vot_cell payload (a complex element is two numbers). */
size_t vot_datatype_cell_size(vot_datatype dt);

/* Parses the TABLEDATA text form of one scalar integer of type dt (VOTable 1.4 §6: optional sign and
 * decimal digits, or 0x and up to twice the type's bytes in hexadecimal, taken as the type's bit
 * pattern) with surrounding whitespace allowed.  false when malformed or out of the type's range. */
bool vot_parse_integer(vot_datatype dt, const char *s, size_t n, int64_t *out);
/* The same for float (rounded once, to float) and double; NaN, Inf, +Inf, -Inf in any case. */
bool vot_parse_real(vot_datatype dt, const char *s, size_t n, double *out);

#endif
