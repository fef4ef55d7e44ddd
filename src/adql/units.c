/* adql/units: the unit table for IN_UNIT (ADQL 2.1, IN_UNIT; names from VOUnit 1.0).
 *
 * Each unit is a factor to its dimension's base unit; a conversion is the ratio of two factors.
 * Astronomical constants: IAU 2012 Resolution B2 (au), IAU 2015 Resolution B2 (pc from the au),
 * the Julian year (365.25 d) for yr and lyr, the light year as c times that year. */
#include <config.h>

#include "adql/units.h"

#include <stddef.h>
#include <string.h>

#define PI 3.14159265358979323846          /* M_PI is not in C11 or POSIX */
#define MAS_PER_RAD (180.0 / PI * 3600e3)   /* milliarcseconds in a radian */
#define AU_ANGSTROM 1.495978707e21          /* the au, exact in metres (IAU 2012 B2), in angstroms */
#define PC_ANGSTROM (AU_ANGSTROM * 648000.0 / PI) /* 1 au / tan(1 arcsec) (IAU 2015 B2) */
#define JULIAN_YEAR_MS 31557600e3           /* 365.25 days, in milliseconds */
#define LIGHT_ANGSTROM_PER_MS 2.99792458e15 /* c = 299792458 m/s, exact */

/* Factors are to the smallest unit of each dimension, so that most are exact integers and a
 * conversion (one division of two factors) is correctly rounded: deg -> arcmin is exactly 60. */
static const struct unit {
	const char *name;      /* VOUnit symbol, case-sensitive */
	const char *dimension; /* for messages; units convert only within one dimension */
	double factor;         /* value in the dimension's base unit (uas, angstrom, ms, uJy, K) */
} units[] = {
	{ "deg", "angle", 3600e6 },
	{ "arcmin", "angle", 60e6 },
	{ "arcsec", "angle", 1e6 },
	{ "mas", "angle", 1e3 },
	{ "uas", "angle", 1.0 },
	{ "rad", "angle", MAS_PER_RAD * 1e3 },
	{ "mrad", "angle", MAS_PER_RAD },
	{ "Angstrom", "length", 1.0 },
	{ "nm", "length", 10.0 },
	{ "um", "length", 1e4 },
	{ "mm", "length", 1e7 },
	{ "cm", "length", 1e8 },
	{ "m", "length", 1e10 },
	{ "km", "length", 1e13 },
	{ "AU", "length", AU_ANGSTROM },
	{ "au", "length", AU_ANGSTROM },
	{ "pc", "length", PC_ANGSTROM },
	{ "kpc", "length", PC_ANGSTROM * 1e3 },
	{ "Mpc", "length", PC_ANGSTROM * 1e6 },
	{ "lyr", "length", LIGHT_ANGSTROM_PER_MS * JULIAN_YEAR_MS },
	{ "ms", "time", 1.0 },
	{ "s", "time", 1e3 },
	{ "min", "time", 60e3 },
	{ "h", "time", 3600e3 },
	{ "d", "time", 86400e3 },
	{ "yr", "time", JULIAN_YEAR_MS },
	{ "a", "time", JULIAN_YEAR_MS },
	{ "uJy", "spectral flux density", 1.0 },
	{ "mJy", "spectral flux density", 1e3 },
	{ "Jy", "spectral flux density", 1e6 },
	{ "K", "temperature", 1.0 },
};

static const struct unit *find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(units[i].name, name) == 0)
			return &units[i];
	return NULL;
}

adql_unit_status adql_unit_factor(const char *from, const char *to, double *out_factor)
{
	const struct unit *f = find(from), *t = find(to);
	if (f == NULL)
		return ADQL_UNIT_UNKNOWN_FROM;
	if (t == NULL)
		return ADQL_UNIT_UNKNOWN_TO;
	if (strcmp(f->dimension, t->dimension) != 0)
		return ADQL_UNIT_INCOMPATIBLE;
	*out_factor = f == t ? 1.0 : f->factor / t->factor;
	return ADQL_UNIT_OK;
}

const char *adql_unit_dimension(const char *unit)
{
	const struct unit *u = find(unit);
	return u ? u->dimension : NULL;
}
