/* adql/geometry_region: parses the STC-S strings of ADQL REGION('...') into numbers.
 *
 * Reads only the string: no SQL, no ADQL nodes.  Nothing of the text reaches the SQL but the numbers
 * strtod() made of it.  STC-S 1.33 (IVOA Note 2009) §6 gives the grammar; TAP 1.0 §6 and DALI 1.1 the
 * common subset implemented here (see geometry.h). */
#include <config.h>

#include "adql/geometry.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of one word worth reading as a number: a double needs ~25 characters; longer words are
 * malformed, not numbers (ADQL_MAX_NUMBER_BYTES is the same bound for ADQL literals). */
#define WORD_MAX ADQL_MAX_NUMBER_BYTES

typedef struct scan {
	const char *s;   /* the string */
	size_t len;      /* its bytes */
	size_t pos;      /* start of the current word */
	size_t wlen;     /* bytes of the current word, 0 at the end */
} scan;

static void next_word(scan *sc)
{
	size_t p = sc->pos + sc->wlen;
	while (p < sc->len && isspace((unsigned char)sc->s[p]))
		p++;
	size_t e = p;
	while (e < sc->len && !isspace((unsigned char)sc->s[e]))
		e++;
	sc->pos = p;
	sc->wlen = e - p;
}

static bool word_is(const scan *sc, const char *w)
{
	size_t n = strlen(w);
	if (sc->wlen != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (toupper((unsigned char)sc->s[sc->pos + i]) != w[i])
			return false;
	return true;
}

static bool word_in(const scan *sc, const char *const *list)
{
	for (; *list; list++)
		if (word_is(sc, *list))
			return true;
	return false;
}

/* The current word as a finite decimal number (digits, sign, point, exponent: no hex, inf or nan). */
static bool word_number(const scan *sc, double *out)
{
	char buf[WORD_MAX + 1];
	if (sc->wlen == 0 || sc->wlen > WORD_MAX)
		return false;
	for (size_t i = 0; i < sc->wlen; i++) {
		char c = sc->s[sc->pos + i];
		if (!isdigit((unsigned char)c) && c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E')
			return false;
	}
	memcpy(buf, sc->s + sc->pos, sc->wlen);
	buf[sc->wlen] = '\0';
	char *end;
	*out = strtod(buf, &end);
	return *end == '\0' && end != buf && isfinite(*out);
}

static int bad(const scan *sc, int code, tr_err *err, const char *what)
{
	tr_err_set(err, code, (long)sc->pos, (long)sc->wlen, "%s", what);
	tr_err_detail(err, "STC-S 1.33 §6: e.g. 'CIRCLE ICRS 10 20 1', 'BOX ICRS 10 20 2 1', "
	                   "'POLYGON ICRS 10 20 11 20 10 21', 'POSITION ICRS 10 20'");
	return code;
}

int geo_region_parse(const char *s, size_t len, geo_region *out, tr_err *err)
{
	static const char *const unsupported_shapes[] = { "ELLIPSE", "UNION", "INTERSECTION", "NOT", "DIFFERENCE",
		                                          "CONVEX", "ALLSKY", "TIMEINTERVAL", "SPECTRALINTERVAL", NULL };
	static const char *const other_frames[] = { "FK4", "FK5", "J2000", "B1950", "ECLIPTIC", "GALACTIC", "GALACTIC_II",
		                                    "SUPER_GALACTIC", "GEO_C", "GEO_D", "UNKNOWNFRAME", NULL };
	static const char *const refpos[] = { "GEOCENTER", "BARYCENTER", "HELIOCENTER", "TOPOCENTER", "UNKNOWNREFPOS",
		                              NULL };
	static const char *const other_flavors[] = { "CARTESIAN1", "CARTESIAN2", "CARTESIAN3", "UNITSPHERE", "SPHERICAL3",
		                                     NULL };
	memset(out, 0, sizeof *out);
	strbuf_init(&out->num_mem, (size_t)ADQL_MAX_STRING_BYTES * sizeof(double));
	scan sc = { s, len, 0, 0 };
	next_word(&sc);
	int rc = TR_OK;
	if (word_is(&sc, "POSITION"))
		out->kind = GEO_REGION_POINT;
	else if (word_is(&sc, "CIRCLE"))
		out->kind = GEO_REGION_CIRCLE;
	else if (word_is(&sc, "BOX"))
		out->kind = GEO_REGION_BOX;
	else if (word_is(&sc, "POLYGON"))
		out->kind = GEO_REGION_POLYGON;
	else if (sc.wlen == 0)
		rc = bad(&sc, TR_EBADREQ, err, "empty REGION string: expected a shape such as CIRCLE or POLYGON");
	else if (word_in(&sc, unsupported_shapes))
		rc = bad(&sc, TR_EUNSUPPORTED, err,
		         "this REGION shape is not supported: only POSITION, CIRCLE, BOX and POLYGON are");
	else
		rc = bad(&sc, TR_EBADREQ, err, "malformed REGION: expected POSITION, CIRCLE, BOX or POLYGON first");
	if (rc == TR_OK) {
		next_word(&sc);
		if (word_is(&sc, "ICRS"))
			next_word(&sc);
		else if (word_in(&sc, other_frames))
			rc = bad(&sc, TR_EUNSUPPORTED, err, "unsupported coordinate system in REGION: this service knows only ICRS");
	}
	if (rc == TR_OK && word_in(&sc, refpos))
		next_word(&sc);
	if (rc == TR_OK && word_is(&sc, "SPHERICAL2"))
		next_word(&sc);
	else if (rc == TR_OK && word_in(&sc, other_flavors))
		rc = bad(&sc, TR_EUNSUPPORTED, err, "unsupported coordinate flavor in REGION: only SPHERICAL2 is");
	double v;
	while (rc == TR_OK && word_number(&sc, &v)) {
		strbuf_add(&out->num_mem, &v, sizeof v);
		out->n++;
		next_word(&sc);
	}
	if (rc == TR_OK && word_is(&sc, "UNIT")) {
		next_word(&sc);
		if (!word_is(&sc, "DEG"))
			rc = bad(&sc, TR_EUNSUPPORTED, err, "unsupported unit in REGION: only deg is");
		else
			next_word(&sc);
	}
	if (rc == TR_OK && sc.wlen > 0)
		rc = bad(&sc, TR_EBADREQ, err, "malformed REGION: expected a number");
	if (rc == TR_OK && strbuf_failed(&out->num_mem))
		rc = tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading a REGION");
	if (rc == TR_OK) {
		static const size_t want[] = { [GEO_REGION_POINT] = 2, [GEO_REGION_CIRCLE] = 3, [GEO_REGION_BOX] = 4 };
		bool ok = out->kind == GEO_REGION_POLYGON ? out->n >= 6 && out->n % 2 == 0 : out->n == want[out->kind];
		if (!ok) {
			static const char *const shape_msg[] = {
				[GEO_REGION_POINT] = "POSITION takes 2 numbers (ra dec)",
				[GEO_REGION_CIRCLE] = "CIRCLE takes 3 numbers (ra dec radius)",
				[GEO_REGION_BOX] = "BOX takes 4 numbers (ra dec width height)",
				[GEO_REGION_POLYGON] = "POLYGON takes at least 3 vertices, 2 numbers each",
			};
			rc = bad(&sc, TR_EBADREQ, err, shape_msg[out->kind]);
		}
	}
	if (rc != TR_OK) {
		geo_region_free(out);
		return rc;
	}
	out->num = (const double *)(const void *)strbuf_str(&out->num_mem);
	return TR_OK;
}

void geo_region_free(geo_region *r)
{
	strbuf_free(&r->num_mem);
	r->num = NULL;
	r->n = 0;
}
