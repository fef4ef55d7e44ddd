/* adql/units: conversion factors between the common astronomy units, for IN_UNIT (ADQL 2.1).
 *
 * A table of simple VOUnit 1.0 names (case-sensitive, as VOUnit requires: mJy is not MJy) grouped
 * by dimension; no parsing of compound units (km/s, deg**2): those are reported as unknown.  Knows
 * nothing of queries or SQL: the resolver checks units and stores the factor, the translator only
 * prints it. */
#ifndef TR_ADQL_UNITS_H
#define TR_ADQL_UNITS_H

typedef enum adql_unit_status {
	ADQL_UNIT_OK = 0,       /* *out_factor set */
	ADQL_UNIT_UNKNOWN_FROM, /* the value's unit is not in the table */
	ADQL_UNIT_UNKNOWN_TO,   /* the requested unit is not in the table */
	ADQL_UNIT_INCOMPATIBLE  /* both known, of different dimensions (deg and km) */
} adql_unit_status;

/* The factor f with value_in_to = value_in_from * f. */
adql_unit_status adql_unit_factor(const char *from, const char *to, double *out_factor)
	__attribute__((warn_unused_result));

/* The dimension of a known unit ("angle", "length", "time", "spectral flux density",
 * "temperature"), or NULL. */
const char *adql_unit_dimension(const char *unit);

#endif
