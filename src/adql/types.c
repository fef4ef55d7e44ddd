/* adql/types: ADQL value types, their compatibility, and their VOTable descriptions.
 *
 * Pure functions over small tables; no allocation.  VOTable 1.4 §2.1 (datatypes), DALI 1.1
 * (xtypes), TAP 1.1 §4.3 (TAP type names in TAP_SCHEMA.columns.datatype). */
#include <config.h>

#include "adql/types.h"

#include <string.h>
#include <strings.h>

const char *adql_type_name(adql_type t)
{
	switch (t) {
	case ADQL_TYPE_NULL: return "NULL";
	case ADQL_TYPE_BOOLEAN: return "a boolean";
	case ADQL_TYPE_SMALLINT:
	case ADQL_TYPE_INTEGER:
	case ADQL_TYPE_BIGINT: return "an integer";
	case ADQL_TYPE_REAL:
	case ADQL_TYPE_DOUBLE: return "a floating-point number";
	case ADQL_TYPE_CHAR: return "a string";
	case ADQL_TYPE_TIMESTAMP: return "a timestamp";
	case ADQL_TYPE_POINT: return "a point";
	case ADQL_TYPE_CIRCLE: return "a circle";
	case ADQL_TYPE_POLYGON: return "a polygon";
	case ADQL_TYPE_REGION: return "a region";
	case ADQL_TYPE_OTHER: return "an array or binary value";
	case ADQL_TYPE_CONDITION: return "a condition";
	}
	return "a value";
}

/* Comparison classes: 0 none, 1 number, 2 string, 3 timestamp. */
static int cmp_class(adql_type t)
{
	if (adql_type_is_numeric(t) || t == ADQL_TYPE_BOOLEAN)
		return 1;
	if (t == ADQL_TYPE_CHAR)
		return 2;
	if (t == ADQL_TYPE_TIMESTAMP)
		return 3;
	return 0;
}

bool adql_type_comparable(adql_type a, adql_type b)
{
	if (a == ADQL_TYPE_NULL || b == ADQL_TYPE_NULL)
		return a != ADQL_TYPE_CONDITION && b != ADQL_TYPE_CONDITION;
	int ca = cmp_class(a), cb = cmp_class(b);
	if (ca == 0 || cb == 0)
		return false;
	/* ISO 8601 text compares with timestamps, as in SQL: t > '2020-01-01' */
	return ca == cb || (ca >= 2 && cb >= 2);
}

/* Rank of the numeric types for widening. */
static int num_rank(adql_type t)
{
	switch (t) {
	case ADQL_TYPE_BOOLEAN: return 0;
	case ADQL_TYPE_SMALLINT: return 1;
	case ADQL_TYPE_INTEGER: return 2;
	case ADQL_TYPE_BIGINT: return 3;
	case ADQL_TYPE_REAL: return 4;
	default: return 5;
	}
}

adql_type adql_type_common(adql_type a, adql_type b)
{
	if (a == ADQL_TYPE_NULL)
		return b;
	if (b == ADQL_TYPE_NULL || a == b)
		return a;
	if (cmp_class(a) == 1 && cmp_class(b) == 1) {
		adql_type wider = num_rank(a) >= num_rank(b) ? a : b;
		/* REAL mixed with anything else is computed in double precision */
		return wider == ADQL_TYPE_REAL ? ADQL_TYPE_DOUBLE : wider;
	}
	/* a timestamp and a string: the string is the general one */
	return ADQL_TYPE_CHAR;
}

adql_type_votable adql_type_to_votable(adql_type t)
{
	adql_type_votable v = { "char", "*", NULL, NULL };
	switch (t) {
	case ADQL_TYPE_BOOLEAN: v = (adql_type_votable){ "boolean", NULL, NULL, NULL }; break;
	case ADQL_TYPE_SMALLINT: v = (adql_type_votable){ "short", NULL, NULL, NULL }; break;
	case ADQL_TYPE_INTEGER: v = (adql_type_votable){ "int", NULL, NULL, NULL }; break;
	case ADQL_TYPE_BIGINT: v = (adql_type_votable){ "long", NULL, NULL, NULL }; break;
	case ADQL_TYPE_REAL: v = (adql_type_votable){ "float", NULL, NULL, NULL }; break;
	case ADQL_TYPE_DOUBLE: v = (adql_type_votable){ "double", NULL, NULL, NULL }; break;
	case ADQL_TYPE_TIMESTAMP: v.xtype = "timestamp"; break;
	/* DALI 1.1 point, circle, polygon: coordinates in degrees */
	case ADQL_TYPE_POINT: v = (adql_type_votable){ "double", "2", "point", "deg" }; break;
	case ADQL_TYPE_CIRCLE: v = (adql_type_votable){ "double", "3", "circle", "deg" }; break;
	case ADQL_TYPE_POLYGON: v = (adql_type_votable){ "double", "*", "polygon", "deg" }; break;
	/* TAP 1.0 adql:REGION: an STC-S string */
	case ADQL_TYPE_REGION: v.xtype = "adql:REGION"; break;
	default: break; /* strings, NULL, OTHER: char[*] */
	}
	return v;
}

/* ---- published columns ------------------------------------------------------------------------ */

static bool eq(const char *a, const char *b) { return a && b && strcasecmp(a, b) == 0; }

/* DALI xtypes (and the TAP 1.0 adql: ones) that make a column a geometry or a timestamp. */
static adql_type type_of_xtype(const char *xtype)
{
	if (eq(xtype, "point") || eq(xtype, "adql:POINT"))
		return ADQL_TYPE_POINT;
	if (eq(xtype, "circle"))
		return ADQL_TYPE_CIRCLE;
	if (eq(xtype, "polygon"))
		return ADQL_TYPE_POLYGON;
	if (eq(xtype, "adql:REGION") || eq(xtype, "region") || eq(xtype, "shape"))
		return ADQL_TYPE_REGION;
	if (eq(xtype, "timestamp") || eq(xtype, "adql:TIMESTAMP"))
		return ADQL_TYPE_TIMESTAMP;
	return ADQL_TYPE_OTHER;
}

/* VOTable datatypes of scalar values. */
static const struct {
	const char *votable; /* VOTable 1.4 datatype */
	const char *tap;     /* TAP 1.1 §4.3 type name with the same values, or NULL */
	adql_type type;
} scalars[] = {
	{ "boolean", NULL, ADQL_TYPE_BOOLEAN },   { "unsignedByte", NULL, ADQL_TYPE_SMALLINT },
	{ "short", "SMALLINT", ADQL_TYPE_SMALLINT }, { "int", "INTEGER", ADQL_TYPE_INTEGER },
	{ "long", "BIGINT", ADQL_TYPE_BIGINT },     { "float", "REAL", ADQL_TYPE_REAL },
	{ "double", "DOUBLE", ADQL_TYPE_DOUBLE },
};

static bool is_scalar(const char *arraysize)
{
	return arraysize == NULL || arraysize[0] == '\0' || strcmp(arraysize, "1") == 0;
}

adql_type adql_type_of_column(const catalog_column *c, adql_type_votable *out_vot)
{
	const char *dt = c->datatype;
	*out_vot = (adql_type_votable){ dt, c->arraysize, c->xtype, NULL };
	adql_type by_xtype = type_of_xtype(c->xtype);
	/* VOTable datatypes are case-sensitive (VOTable 1.4 §2.1); TAP type names are SQL words */
	for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
		if (strcmp(dt, scalars[i].votable) == 0 || eq(dt, scalars[i].tap)) {
			out_vot->datatype = scalars[i].votable;
			if (adql_type_is_geometry(by_xtype))
				return by_xtype;
			return is_scalar(c->arraysize) ? scalars[i].type : ADQL_TYPE_OTHER;
		}
	}
	if (strcmp(dt, "char") == 0 || strcmp(dt, "unicodeChar") == 0)
		return by_xtype == ADQL_TYPE_OTHER ? ADQL_TYPE_CHAR : by_xtype;
	if (eq(dt, "CHAR") || eq(dt, "VARCHAR") || eq(dt, "CLOB")) {
		*out_vot = (adql_type_votable){ "char", c->arraysize ? c->arraysize : "*", c->xtype, NULL };
		return by_xtype == ADQL_TYPE_OTHER ? ADQL_TYPE_CHAR : by_xtype;
	}
	if (eq(dt, "TIMESTAMP")) {
		*out_vot = adql_type_to_votable(ADQL_TYPE_TIMESTAMP);
		return ADQL_TYPE_TIMESTAMP;
	}
	if (eq(dt, "POINT")) {
		*out_vot = adql_type_to_votable(ADQL_TYPE_POINT);
		out_vot->unit = NULL; /* the column's own unit applies */
		return ADQL_TYPE_POINT;
	}
	if (eq(dt, "REGION")) {
		*out_vot = adql_type_to_votable(ADQL_TYPE_REGION);
		return ADQL_TYPE_REGION;
	}
	if (eq(dt, "BINARY") || eq(dt, "VARBINARY") || eq(dt, "BLOB"))
		*out_vot = (adql_type_votable){ "unsignedByte", c->arraysize ? c->arraysize : "*", c->xtype, NULL };
	else if (strcmp(dt, "bit") != 0 && strcmp(dt, "floatComplex") != 0 && strcmp(dt, "doubleComplex") != 0)
		*out_vot = (adql_type_votable){ "char", "*", c->xtype, NULL }; /* unknown: its text */
	/* bytes, bits, complex numbers and anything unknown: selectable as published */
	return ADQL_TYPE_OTHER;
}
