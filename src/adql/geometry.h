/* adql/geometry: ADQL 2.1 §4 geometry (POINT, CIRCLE, BOX, POLYGON, REGION, CONTAINS, INTERSECTS,
 * DISTANCE, AREA, CENTROID, COORD1, COORD2, COORDSYS) translated to plain MariaDB / MySQL SQL: no
 * spatial extension, no UDF (DESIGN.md "Decisions already made").
 *
 * Pure, like the translator it plugs into (adql/translate.h, adql_geom_emitter): it reads the
 * resolved tree and appends SQL to strbufs; no I/O, no global state, memory only in strbufs freed
 * before it returns.  User text reaches the SQL only through adql_translate_value() (argument
 * sub-expressions), adql_translate_number() (constants it computed) and adql_translate_ident() /
 * adql_translate_string(); REGION strings are parsed here and only their numbers go on (a REGION in
 * the select list is its string, through adql_translate_string).
 *
 * Semantics (every choice is argued where it is implemented, in geometry.c and geometry_math.c):
 *   - coordinates are degrees, ICRS (the resolver rejects other frames, so does REGION here);
 *     right ascensions may be any real number (they are periodic), declinations outside [-90, 90]
 *     in a constant are TR_EBADREQ.  A point on a region's border is inside it (ADQL 2.1 §4.2.3).
 *   - CIRCLE(c, r): the points within angular distance r of c (0 <= r; r >= 180 is the whole sky).
 *   - POLYGON: vertices joined by great-circle arcs (ADQL 2.1 §4.2.6); the inside is the smaller
 *     of the two regions the boundary separates, whichever way the vertices turn (as pgSphere does:
 *     a clockwise polygon means the same region as its counter-clockwise twin).  Repeated
 *     consecutive vertices (and a last vertex equal to the first) are dropped.  Convex and concave
 *     (simple) polygons are supported; the vertices must lie within 89.9 degrees of their mean
 *     direction (so the polygon fits well inside a hemisphere), the edges must not cross.
 *   - BOX(c, w, h), ADQL 2.0 §2.4.3 / STC 1.33 §4.5.1.5: a cross centred on c with arms along the
 *     great circles through c parallel to the coordinate axes there, w and h long; the sides are
 *     the great circles through the arms' ends at right angles to them.  In the gnomonic projection
 *     centred on c that is the rectangle |x| <= tan(w/2), |y| <= tan(h/2): a convex spherical
 *     quadrilateral (0 <= w, h <= 180).
 *   - CONTAINS(point, circle | polygon | box | region) and INTERSECTS of a point with one of them
 *     (either order); CONTAINS(circle, circle) and INTERSECTS(circle, circle).  Other pairs are
 *     TR_EUNSUPPORTED with a message naming them.
 *   - A POINT-typed column of a published table stands for that table's main position columns
 *     (UCDs pos.eq.ra;meta.main and pos.eq.dec;meta.main, issue 5); other geometry columns are
 *     TR_EUNSUPPORTED.
 *   - Values: DISTANCE in degrees; AREA in square degrees; CENTROID a point (a circle's or box's
 *     centre, the normalised first moment of a polygon); COORD1 / COORD2 the point's coordinates;
 *     COORDSYS 'ICRS'.  A geometry in the select list is its DALI 1.1 §3.3 serialization: the
 *     numbers separated by single spaces (point "ra dec", circle "ra dec r", polygon
 *     "ra1 dec1 ra2 dec2 ..."; a BOX as its four vertices counter-clockwise as seen from inside the
 *     sphere), NULL when any number is NULL; tap/query.c turns that text into a double array.
 *     REGION in the select list is the validated STC-S string itself (a computed string as it is).
 *
 * SQL shape of a predicate (CONTAINS(..) = 1 and the like): an index-usable prefilter on the
 * point's declination (BETWEEN) and right ascension (one to four BETWEEN ranges, for the 0/360
 * wrap), AND the exact spherical test; for a circle whose centre comes from a row (a cross-match),
 * declination bands written for both sides.  The prefilter is a superset of the exact test by
 * construction (geometry_math.c); CONTAINS(..) = 0 and CONTAINS used as a value get the exact test
 * alone.  One three-valued-logic gap: under NOT, a row whose point has exactly one NULL coordinate
 * can pass, because the prefilter may be FALSE where the exact test is NULL. */
#ifndef TR_ADQL_GEOMETRY_H
#define TR_ADQL_GEOMETRY_H

#include "adql/limits.h"
#include "adql/translate.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* The emitter to put in adql_translate_opts.geom; its ctx is unused (NULL). */
extern const adql_geom_emitter adql_geometry_emitter;

/* ---- spherical helpers (geometry_math.c) ----------------------------------------------------------
 * Used by geometry.c and exposed for tests/unit/test_adql_geometry.c; not part of the translator's
 * contract.  Angles in degrees unless a name says radians. */

/* Margin added to every prefilter bound, in degrees (36 microarcseconds).  The exact tests are
 * accurate to about 1e-15 degrees (geometry.c), so a prefilter widened by this much keeps every row
 * an exact test can accept, even after both are rounded; and it costs no measurable selectivity. */
#define GEO_PAD_DEG 1e-8

/* A polygon's vertices must lie within this angle (degrees) of their mean direction: the gnomonic
 * projection the polygon code uses needs them in the open hemisphere around it, and a margin keeps
 * the projected coordinates (tan of the angle: at most 573 here) well conditioned. */
#define GEO_MAX_POLY_SPREAD_DEG 89.9

/* Vertices of one polygon: what POLYGON(...) can have within ADQL_MAX_ARGS.  The polygon analysis is
 * quadratic in it (the crossing check, ear clipping), a few million steps at most. */
#define GEO_MAX_POLY_VERTICES (ADQL_MAX_ARGS / 2)

/* Right-ascension ranges of a prefilter: the 0/360 split makes two, and each range above 180 also
 * gets a copy shifted by -360 for tables that store right ascensions in [-180, 180). */
#define GEO_MAX_RA_RANGES 4

typedef struct geo_vec {
	double x, y, z; /* a direction; unit length unless said otherwise */
} geo_vec;

/* A prefilter box: dec in [dec_lo, dec_hi] and, unless is_all_ra, ra in one of the ranges. */
typedef struct geo_bbox {
	double dec_lo, dec_hi;             /* degrees, within [-90, 90] */
	bool is_all_ra;                    /* a pole is in (or next to) the region: no RA condition */
	size_t n_ra;                       /* ranges below, 1 .. GEO_MAX_RA_RANGES unless is_all_ra */
	double ra_lo[GEO_MAX_RA_RANGES];   /* degrees, ascending, disjoint */
	double ra_hi[GEO_MAX_RA_RANGES];
} geo_bbox;

geo_vec geo_vec_from_radec(double ra, double dec);
/* ra in [0, 360), dec in [-90, 90] of a direction of any non-zero length. */
void geo_vec_to_radec(geo_vec v, double *out_ra, double *out_dec);

/* The prefilter box of the cap of radius r (>= 0) around (ra, dec), widened by GEO_PAD_DEG:
 * dec band dec -+ r clipped to [-90, 90]; all RA when the band reaches a pole; otherwise the exact
 * half-width asin(sin r / cos dec) of the cap's RA extent around ra, split at the wrap. */
void geo_bbox_cap(double ra, double dec, double r, geo_bbox *out);

/* Fills the RA part of b from the unwrapped interval [lo, hi] (hi - lo < 360, else all RA). */
void geo_bbox_set_ra(geo_bbox *b, double lo, double hi);

/* Why a polygon was refused (geo_poly_init). */
typedef enum geo_poly_status {
	GEO_POLY_OK = 0,
	GEO_POLY_TOO_FEW,    /* fewer than 3 distinct vertices */
	GEO_POLY_TOO_MANY,   /* more than GEO_MAX_POLY_VERTICES */
	GEO_POLY_BAD_DEC,    /* a declination outside [-90, 90], or not a finite number */
	GEO_POLY_ANTIPODAL,  /* two consecutive vertices are antipodal: the edge is undefined */
	GEO_POLY_TOO_LARGE,  /* a vertex is GEO_MAX_POLY_SPREAD_DEG or more from the mean direction */
	GEO_POLY_DEGENERATE, /* all vertices on one great circle: no area */
	GEO_POLY_CROSSING,   /* two edges cross or touch: not a simple polygon */
	GEO_POLY_NOMEM       /* out of memory */
} geo_poly_status;

/* A constant polygon, analysed for translation.  Edges are normals: the inside of edge i (from
 * vertex a to vertex b) is where P . normal >= 0.  A convex polygon is the intersection of its
 * edges' half-spaces; a concave one the union of triangles, each the intersection of three. */
typedef struct geo_poly {
	size_t n;            /* vertices kept, >= 3, in the orientation that puts the inside on the
	                      * P . normal >= 0 side of each edge */
	geo_vec *v;          /* n unit vectors */
	bool is_convex;      /* no reflex vertex */
	size_t n_tri;        /* concave: n - 2 triangles (after dropping straight vertices: fewer) */
	size_t *tri;         /* concave: 3 * n_tri vertex indexes, each triangle turning like the
	                      * polygon (its inside on the >= 0 side of its edges) */
	geo_vec centre;      /* normalised mean of the vertices (projection centre) */
	strbuf mem;          /* owns v and tri */
} geo_poly;

/* Analyses the polygon of n vertices radec[2i] (ra), radec[2i+1] (dec) into *out.  On GEO_POLY_OK
 * *out must be freed with geo_poly_free; on any other status nothing is held. */
geo_poly_status geo_poly_init(const double *radec, size_t n, geo_poly *out) __attribute__((warn_unused_result));
void geo_poly_free(geo_poly *p);
/* A short lower-case reason for a status, for messages. */
const char *geo_poly_strerror(geo_poly_status s);

/* The normal used for the directed edge (or diagonal) from vertex i to vertex j, scaled to unit
 * length: the inside is where P . normal >= 0.  The edge from j to i gets exactly the negated
 * vector, so a point on a diagonal shared by two triangles is in at least one of them whatever the
 * rounding. */
geo_vec geo_poly_edge(const geo_poly *p, size_t i, size_t j);
/* Whether q (unit) is in the polygon, by the same tests the SQL makes. */
bool geo_poly_contains(const geo_poly *p, geo_vec q);
/* The prefilter box of the polygon, widened by GEO_PAD_DEG. */
void geo_poly_bbox(const geo_poly *p, geo_bbox *out);
/* Area in square degrees (spherical excess). */
double geo_poly_area(const geo_poly *p);
/* The direction of the region's first moment (the integral of the unit vector over it). */
geo_vec geo_poly_centroid(const geo_poly *p);

/* The four vertices of BOX((ra, dec), w, h) (0 < w, h < 180) into radec[8] (ra, dec pairs),
 * counter-clockwise as seen from inside the sphere, starting at the north-west corner. */
void geo_box_vertices(double ra, double dec, double w, double h, double radec[8]);

/* ---- REGION strings (geometry_region.c) ----------------------------------------------------------- */

typedef enum geo_region_kind {
	GEO_REGION_POINT,   /* POSITION ra dec */
	GEO_REGION_CIRCLE,  /* CIRCLE ra dec r */
	GEO_REGION_BOX,     /* BOX ra dec w h */
	GEO_REGION_POLYGON  /* POLYGON ra1 dec1 ra2 dec2 ra3 dec3 ... */
} geo_region_kind;

typedef struct geo_region {
	geo_region_kind kind;
	size_t n;        /* numbers in num: 2, 3, 4, or 2 per vertex (at least 6) */
	const double *num; /* in num_mem */
	strbuf num_mem;  /* owns num */
} geo_region;

/* Parses an STC-S region (STC-S 1.33 §6 and the TAP 1.0 / DALI usage): a shape keyword (POSITION,
 * CIRCLE, BOX, POLYGON; any case), an optional frame ICRS with an optional reference position
 * (GEOCENTER, BARYCENTER, HELIOCENTER, TOPOCENTER, UNKNOWNREFPOS) and flavor SPHERICAL2, the
 * numbers, and an optional "unit deg".  Returns TR_OK (free out with geo_region_free), or
 * TR_EBADREQ (malformed: the message says what was expected) or TR_EUNSUPPORTED (another shape,
 * frame, flavor or unit), with the byte offset of the offending word in s as err->pos (the caller
 * shifts it to the query). */
int geo_region_parse(const char *s, size_t len, geo_region *out, tr_err *err) __attribute__((warn_unused_result));
void geo_region_free(geo_region *r);

#endif
