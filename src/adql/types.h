/* adql/types: the ADQL value types the resolver infers, and how each maps to VOTable metadata.
 *
 * Knows types only: no names, no tree walking, no SQL.  Used by the resolver to type expressions
 * and describe output columns, and by the translator to pick operators (integer division, CAST
 * targets) from types the resolver has already decided.  Types follow ADQL 2.1 (numeric,
 * character, timestamp, geometry) with VOTable 1.4 §2.1 datatypes and DALI 1.1 xtypes for
 * output; TAP 1.1 §4.3 for the TAP type names (VARCHAR, TIMESTAMP, POINT...) a TAP_SCHEMA may hold. */
#ifndef TR_ADQL_TYPES_H
#define TR_ADQL_TYPES_H

#include "tap/catalog.h"

#include <stdbool.h>

typedef enum adql_type {
	ADQL_TYPE_NULL = 0,  /* the NULL literal (or a CASE/COALESCE of NULLs only): fits any type */
	ADQL_TYPE_BOOLEAN,   /* a value of a VOTable boolean column (MySQL TINYINT(1)): compared only */
	ADQL_TYPE_SMALLINT,  /* 16-bit integer (VOTable short; also unsignedByte columns) */
	ADQL_TYPE_INTEGER,   /* 32-bit integer (int) */
	ADQL_TYPE_BIGINT,    /* 64-bit integer (long) */
	ADQL_TYPE_REAL,      /* single-precision float (float) */
	ADQL_TYPE_DOUBLE,    /* double precision, and every exact decimal literal (double) */
	ADQL_TYPE_CHAR,      /* character string of any length (char / unicodeChar) */
	ADQL_TYPE_TIMESTAMP, /* date and time (char, xtype timestamp) */
	ADQL_TYPE_POINT,     /* geometry: ADQL 2.1 POINT (double[2], xtype point) */
	ADQL_TYPE_CIRCLE,    /* geometry: CIRCLE (double[3], xtype circle) */
	ADQL_TYPE_POLYGON,   /* geometry: POLYGON and BOX (double[*], xtype polygon) */
	ADQL_TYPE_REGION,    /* geometry: REGION('STC-S') and columns of TAP type REGION */
	ADQL_TYPE_OTHER,     /* arrays, complex numbers, bytes: may be selected and tested for NULL only */
	ADQL_TYPE_CONDITION  /* a search condition (true, false, unknown): never a value */
} adql_type;

/* The broad classes operators and functions check against. */
static inline bool adql_type_is_integer(adql_type t)
{
	return t == ADQL_TYPE_SMALLINT || t == ADQL_TYPE_INTEGER || t == ADQL_TYPE_BIGINT;
}
static inline bool adql_type_is_numeric(adql_type t)
{
	return adql_type_is_integer(t) || t == ADQL_TYPE_REAL || t == ADQL_TYPE_DOUBLE;
}
static inline bool adql_type_is_geometry(adql_type t)
{
	return t == ADQL_TYPE_POINT || t == ADQL_TYPE_CIRCLE || t == ADQL_TYPE_POLYGON || t == ADQL_TYPE_REGION;
}

/* How a type reads in messages: "a number", "a string", "a point"... */
const char *adql_type_name(adql_type t);

/* Whether two values may be compared (=, <, BETWEEN, IN) or combined (CASE, COALESCE, UNION):
 * numbers with numbers (booleans count as numbers), strings with strings, timestamps with
 * timestamps or strings (ISO 8601 text), NULL with anything; never geometries or OTHER. */
bool adql_type_comparable(adql_type a, adql_type b);

/* The type of a CASE/COALESCE/UNION column whose branches have types a and b (comparable):
 * NULL gives way to the other, integers widen to the wider, any float makes DOUBLE. */
adql_type adql_type_common(adql_type a, adql_type b);

/* The VOTable description of a computed value of type t (VOTable 1.4 §2.1, DALI 1.1 xtypes): */
typedef struct adql_type_votable {
	const char *datatype;  /* "short", "int", "long", "float", "double", "boolean", "char" */
	const char *arraysize; /* NULL for scalars, "*" for strings, "2"/"3"/"*" for geometries */
	const char *xtype;     /* "timestamp", "point", "circle", "polygon", "adql:REGION", or NULL */
	const char *unit;      /* "deg" for geometries, NULL otherwise */
} adql_type_votable;
adql_type_votable adql_type_to_votable(adql_type t);

/* A published column's type and VOTable description, from its TAP_SCHEMA datatype, arraysize and
 * xtype.  VOTable datatypes are kept as published; TAP 1.1 §4.3 type names (SMALLINT, VARCHAR,
 * TIMESTAMP, POINT, REGION, ...) become their VOTable equivalents.  *out_vot's strings point
 * into the catalog or into static storage. */
adql_type adql_type_of_column(const catalog_column *c, adql_type_votable *out_vot);

#endif
