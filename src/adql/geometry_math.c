/* adql/geometry_math: the spherical computations the geometry translator makes in C, on constants:
 * unit vectors, prefilter boxes, polygon analysis (orientation, convexity, triangulation), areas,
 * centroids, BOX vertices (contracts in adql/geometry.h).
 *
 * Plain numbers in and out: no SQL, no ADQL nodes, memory only in strbufs.  ADQL 2.1 §4.2 defines
 * the shapes; the numerical choices (which formula where, and why it is exact enough) are argued
 * next to each function. */
#include <config.h>

#include "adql/geometry.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define RAD (M_PI / 180.0) /* radians per degree */

/* Two vertices closer than this chord (about 6e-13 degrees) are one vertex: the great circle through
 * them would be undefined.  Far below any coordinate precision a query can mean. */
#define SAME_POINT_CHORD 1e-14

/* ---- vectors --------------------------------------------------------------------------------------- */

static double dot(geo_vec a, geo_vec b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

static geo_vec cross(geo_vec a, geo_vec b)
{
	return (geo_vec){ a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x };
}

static geo_vec sub(geo_vec a, geo_vec b) { return (geo_vec){ a.x - b.x, a.y - b.y, a.z - b.z }; }
static geo_vec add(geo_vec a, geo_vec b) { return (geo_vec){ a.x + b.x, a.y + b.y, a.z + b.z }; }
static geo_vec scale(geo_vec a, double s) { return (geo_vec){ a.x * s, a.y * s, a.z * s }; }
static double norm(geo_vec a) { return sqrt(dot(a, a)); }

static geo_vec unit(geo_vec a)
{
	double n = norm(a);
	return n > 0 ? scale(a, 1.0 / n) : a;
}

/* a x b for nearby a and b, accurate to a relative 1e-16 however short the arc: b - a is exact for
 * close components (Sterbenz), and a x (b - a) = a x b.  The plain a x b would lose the relative
 * precision of |a x b| ~ |b - a| to cancellation (for a 1 mas edge, an edge plane off by 4 mas). */
static geo_vec cross_near(geo_vec a, geo_vec b) { return cross(a, sub(b, a)); }

geo_vec geo_vec_from_radec(double ra, double dec)
{
	double c = cos(dec * RAD);
	return (geo_vec){ c * cos(ra * RAD), c * sin(ra * RAD), sin(dec * RAD) };
}

void geo_vec_to_radec(geo_vec v, double *out_ra, double *out_dec)
{
	double ra = atan2(v.y, v.x) / RAD;
	if (ra < 0)
		ra += 360.0;
	if (ra >= 360.0) /* -1e-30 + 360 */
		ra = 0.0;
	*out_ra = ra;
	*out_dec = atan2(v.z, hypot(v.x, v.y)) / RAD;
}

/* ---- prefilter boxes ----------------------------------------------------------------------------------- */

static void add_range(geo_bbox *b, double lo, double hi)
{
	if (b->n_ra < GEO_MAX_RA_RANGES) {
		b->ra_lo[b->n_ra] = lo;
		b->ra_hi[b->n_ra] = hi;
		b->n_ra++;
	}
}

/* Sorts the ranges (at most GEO_MAX_RA_RANGES) and merges those that overlap or touch. */
static void merge_ranges(geo_bbox *b)
{
	for (size_t i = 1; i < b->n_ra; i++)
		for (size_t j = i; j > 0 && b->ra_lo[j] < b->ra_lo[j - 1]; j--) {
			double lo = b->ra_lo[j], hi = b->ra_hi[j];
			b->ra_lo[j] = b->ra_lo[j - 1], b->ra_hi[j] = b->ra_hi[j - 1];
			b->ra_lo[j - 1] = lo, b->ra_hi[j - 1] = hi;
		}
	size_t k = 0;
	for (size_t i = 1; i < b->n_ra; i++) {
		if (b->ra_lo[i] <= b->ra_hi[k]) {
			if (b->ra_hi[i] > b->ra_hi[k])
				b->ra_hi[k] = b->ra_hi[i];
		} else {
			k++;
			b->ra_lo[k] = b->ra_lo[i], b->ra_hi[k] = b->ra_hi[i];
		}
	}
	b->n_ra = b->n_ra ? k + 1 : 0;
}

/* ADQL 2.1 §4.2.4 puts right ascensions in [0, 360]; tables that store them in [-180, 180) exist
 * too, and a prefilter that assumed one convention would silently drop rows of the other.  So each
 * range is written for [0, 360] (split at the wrap) and, where it reaches above 180, again shifted
 * by -360.  At most 2 + 2 ranges, merged where they touch (a cone on RA 0 gives [-1, 1] and
 * [359, 360]). */
void geo_bbox_set_ra(geo_bbox *b, double lo, double hi)
{
	b->n_ra = 0;
	b->is_all_ra = !(hi - lo < 360.0) || !isfinite(lo) || !isfinite(hi);
	if (b->is_all_ra)
		return;
	double k = floor(lo / 360.0);
	lo -= 360.0 * k;
	hi -= 360.0 * k;
	if (hi <= 360.0) {
		add_range(b, lo, hi);
	} else {
		add_range(b, lo, 360.0);
		add_range(b, 0.0, hi - 360.0);
	}
	for (size_t i = 0, n = b->n_ra; i < n; i++)
		if (b->ra_hi[i] > 180.0)
			add_range(b, b->ra_lo[i] - 360.0, b->ra_hi[i] - 360.0);
	merge_ranges(b);
}

/* The cap's bounding box.  Declinations: a cap of radius r around dec reaches exactly dec - r and
 * dec + r (along its meridian), clipped at the poles, and contains a pole when it reaches it.  Right
 * ascensions (pole outside): the meridian planes tangent to the cap are at angular distance r from
 * its centre, i.e. sin(dra) cos(dec) = sin(r), so the half-width is exactly asin(sin r / cos dec) --
 * tighter than the common r / cos(|dec| + r), which over-covers by up to a factor of two near the
 * poles and is not even defined once |dec| + r reaches 90.  Everything is computed for r + GEO_PAD_DEG
 * (geometry.h: the exact test's rounding stays well inside that margin). */
void geo_bbox_cap(double ra, double dec, double r, geo_bbox *out)
{
	double rp = r + GEO_PAD_DEG;
	memset(out, 0, sizeof *out);
	out->dec_lo = dec - rp;
	out->dec_hi = dec + rp;
	if (out->dec_lo <= -90.0 || out->dec_hi >= 90.0 || rp >= 90.0) {
		out->dec_lo = fmax(out->dec_lo, -90.0);
		out->dec_hi = fmin(out->dec_hi, 90.0);
		out->is_all_ra = true;
		return;
	}
	double s = sin(rp * RAD) / cos(dec * RAD);
	double half = asin(s < 1.0 ? s : 1.0) / RAD;
	geo_bbox_set_ra(out, ra - half, ra + half);
}

/* ---- polygons: analysis ------------------------------------------------------------------------------- */

const char *geo_poly_strerror(geo_poly_status s)
{
	switch (s) {
	case GEO_POLY_OK: return "ok";
	case GEO_POLY_TOO_FEW: return "a polygon needs at least 3 distinct vertices";
	case GEO_POLY_TOO_MANY: return "too many vertices";
	case GEO_POLY_BAD_DEC: return "a vertex declination is not within [-90, 90]";
	case GEO_POLY_ANTIPODAL: return "two consecutive vertices are antipodal, so the edge between them is undefined";
	case GEO_POLY_TOO_LARGE:
		return "the polygon is too large: its vertices must lie within 89.9 degrees of their mean direction";
	case GEO_POLY_DEGENERATE: return "the vertices lie on one great circle: the polygon has no area";
	case GEO_POLY_CROSSING: return "the polygon's edges cross or touch each other";
	case GEO_POLY_NOMEM: return "out of memory";
	}
	return "invalid polygon";
}

/* Working arrays of the analysis, freed at its end. */
typedef struct work {
	double *u, *w;    /* gnomonic coordinates of each vertex */
	size_t *prev, *next; /* the ear-clipping ring */
	unsigned char *is_ear;
	strbuf mem;
} work;

/* Twice the signed area of the planar triangle (a, b, c): positive when it turns left. */
static double orient(const work *k, size_t a, size_t b, size_t c)
{
	return (k->u[b] - k->u[a]) * (k->w[c] - k->w[a]) - (k->w[b] - k->w[a]) * (k->u[c] - k->u[a]);
}

static bool on_segment(const work *k, size_t a, size_t b, size_t p)
{
	return fmin(k->u[a], k->u[b]) <= k->u[p] && k->u[p] <= fmax(k->u[a], k->u[b]) &&
	       fmin(k->w[a], k->w[b]) <= k->w[p] && k->w[p] <= fmax(k->w[a], k->w[b]);
}

/* Whether the closed segments ab and cd share a point. */
static bool segments_meet(const work *k, size_t a, size_t b, size_t c, size_t d)
{
	double o1 = orient(k, a, b, c), o2 = orient(k, a, b, d), o3 = orient(k, c, d, a), o4 = orient(k, c, d, b);
	if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)))
		return true;
	return (o1 == 0 && on_segment(k, a, b, c)) || (o2 == 0 && on_segment(k, a, b, d)) ||
	       (o3 == 0 && on_segment(k, c, d, a)) || (o4 == 0 && on_segment(k, c, d, b));
}

/* A simple polygon: no two non-adjacent edges meet, and no edge folds back over its neighbour. */
static bool is_simple(const work *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t i1 = (i + 1) % n, i2 = (i + 2) % n;
		/* adjacent edges i and i+1 meet at i1 only, unless the turn there is a reversal */
		if (orient(k, i, i1, i2) == 0 &&
		    (k->u[i1] - k->u[i]) * (k->u[i2] - k->u[i1]) + (k->w[i1] - k->w[i]) * (k->w[i2] - k->w[i1]) < 0)
			return false;
		for (size_t j = i + 2; j < n; j++) {
			if (i == 0 && j == n - 1)
				continue; /* adjacent through the closing edge */
			if (segments_meet(k, i, i1, j, (j + 1) % n))
				return false;
		}
	}
	return true;
}

/* Whether point p is in the closed triangle (a, b, c) that turns left. */
static bool in_triangle(const work *k, size_t a, size_t b, size_t c, size_t p)
{
	return orient(k, a, b, p) >= 0 && orient(k, b, c, p) >= 0 && orient(k, c, a, p) >= 0;
}

/* An ear: a left turn at i whose triangle (prev, i, next) holds no other remaining vertex. */
static bool ear_at(const work *k, size_t i)
{
	size_t a = k->prev[i], c = k->next[i];
	if (orient(k, a, i, c) <= 0)
		return false;
	for (size_t p = k->next[c]; p != a; p = k->next[p])
		if (in_triangle(k, a, i, c, p))
			return false;
	return true;
}

/* Ear clipping of the simple, left-turning polygon 0 .. n-1 in the plane (O(n^2): after a clip only
 * the two neighbours' ear status can change).  Straight vertices (a zero turn) are dropped without a
 * triangle.  Writes the triangles to tri and returns how many, or -1 when no ear is left, which only
 * rounding in a nearly degenerate polygon can cause. */
static long clip_ears(work *k, size_t n, size_t *tri)
{
	for (size_t i = 0; i < n; i++) {
		k->prev[i] = (i + n - 1) % n;
		k->next[i] = (i + 1) % n;
	}
	for (size_t i = 0; i < n; i++)
		k->is_ear[i] = ear_at(k, i);
	size_t left = n, n_tri = 0, i = 0, tried = 0;
	while (left > 3) {
		size_t a = k->prev[i], c = k->next[i];
		bool straight = orient(k, a, i, c) == 0;
		if (!k->is_ear[i] && !straight) {
			i = c;
			if (++tried > left)
				return -1;
			continue;
		}
		if (!straight) {
			tri[3 * n_tri] = a, tri[3 * n_tri + 1] = i, tri[3 * n_tri + 2] = c;
			n_tri++;
		}
		k->next[a] = c;
		k->prev[c] = a;
		left--;
		k->is_ear[a] = ear_at(k, a);
		k->is_ear[c] = ear_at(k, c);
		i = c;
		tried = 0;
	}
	size_t a = k->prev[i], c = k->next[i];
	if (orient(k, a, i, c) > 0) {
		tri[3 * n_tri] = a, tri[3 * n_tri + 1] = i, tri[3 * n_tri + 2] = c;
		n_tri++;
	}
	return (long)n_tri;
}

/* Vertices as unit vectors, repeated consecutive ones (and a closing copy of the first) dropped. */
static geo_poly_status load_vertices(geo_poly *p, const double *radec, size_t n)
{
	if (n > GEO_MAX_POLY_VERTICES)
		return GEO_POLY_TOO_MANY;
	for (size_t i = 0; i < n; i++) {
		double ra = radec[2 * i], dec = radec[2 * i + 1];
		if (!isfinite(ra) || !isfinite(dec) || dec < -90.0 || dec > 90.0)
			return GEO_POLY_BAD_DEC;
	}
	geo_vec *v = (geo_vec *)strbuf_reserve(&p->mem, n * sizeof *v + 3 * n * sizeof(size_t));
	if (v == NULL)
		return GEO_POLY_NOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		geo_vec q = geo_vec_from_radec(radec[2 * i], radec[2 * i + 1]);
		if (m > 0 && norm(sub(q, v[m - 1])) < SAME_POINT_CHORD)
			continue;
		v[m++] = q;
	}
	while (m > 1 && norm(sub(v[m - 1], v[0])) < SAME_POINT_CHORD)
		m--;
	if (m < 3)
		return GEO_POLY_TOO_FEW;
	for (size_t i = 0; i < m; i++)
		if (norm(add(v[i], v[(i + 1) % m])) < SAME_POINT_CHORD)
			return GEO_POLY_ANTIPODAL;
	p->v = v;
	p->n = m;
	p->tri = (size_t *)(void *)(v + n); /* after all n slots: aligned, room for 3n indexes */
	return GEO_POLY_OK;
}

/* The gnomonic projection around the mean direction c maps great circles to straight lines, so the
 * spherical polygon becomes a planar one with the same vertices, turns and crossings; its bounded
 * interior is the smaller spherical region (it lies in the open hemisphere around c, the other
 * region contains the whole opposite hemisphere).  Orientation, simplicity, convexity and the
 * triangulation are all decided in that plane. */
static geo_poly_status project(geo_poly *p, work *k)
{
	geo_vec s = { 0, 0, 0 };
	for (size_t i = 0; i < p->n; i++)
		s = add(s, p->v[i]);
	if (norm(s) < 1e-9)
		return GEO_POLY_TOO_LARGE;
	geo_vec c = unit(s);
	double min_cos = cos(GEO_MAX_POLY_SPREAD_DEG * RAD);
	for (size_t i = 0; i < p->n; i++)
		if (!(dot(p->v[i], c) > min_cos))
			return GEO_POLY_TOO_LARGE;
	/* e1, e2, c right-handed: planar left turns are turns with the inside on P . (a x b) >= 0 */
	geo_vec axis = fabs(c.x) <= fabs(c.y) && fabs(c.x) <= fabs(c.z) ? (geo_vec){ 1, 0, 0 }
	               : fabs(c.y) <= fabs(c.z)                        ? (geo_vec){ 0, 1, 0 }
	                                                                : (geo_vec){ 0, 0, 1 };
	geo_vec e1 = unit(cross(c, axis)), e2 = cross(c, e1);
	for (size_t i = 0; i < p->n; i++) {
		double d = dot(p->v[i], c);
		k->u[i] = dot(p->v[i], e1) / d;
		k->w[i] = dot(p->v[i], e2) / d;
	}
	p->centre = c;
	return GEO_POLY_OK;
}

static void reverse(geo_poly *p, work *k)
{
	for (size_t i = 0, j = p->n - 1; i < j; i++, j--) {
		geo_vec t = p->v[i];
		p->v[i] = p->v[j], p->v[j] = t;
		double a = k->u[i], b = k->w[i];
		k->u[i] = k->u[j], k->w[i] = k->w[j];
		k->u[j] = a, k->w[j] = b;
	}
}

static geo_poly_status analyse(geo_poly *p, work *k)
{
	size_t n = p->n;
	geo_poly_status st = project(p, k);
	if (st != GEO_POLY_OK)
		return st;
	/* all on one line, up to rounding: every vertex within 1e-15 (relative) of the line from vertex 0
	 * to the vertex farthest from it */
	size_t far = 0;
	double far_d = 0, area = 0;
	for (size_t i = 0; i < n; i++) {
		double d = hypot(k->u[i] - k->u[0], k->w[i] - k->w[0]);
		if (d > far_d)
			far_d = d, far = i;
	}
	bool is_line = true;
	for (size_t i = 0; i < n && is_line; i++)
		is_line = fabs(orient(k, 0, far, i)) <= 1e-15 * far_d * far_d;
	if (is_line)
		return GEO_POLY_DEGENERATE;
	if (!is_simple(k, n))
		return GEO_POLY_CROSSING;
	for (size_t i = 0; i < n; i++) {
		size_t j = (i + 1) % n;
		area += k->u[i] * k->w[j] - k->u[j] * k->w[i];
	}
	if (area < 0)
		reverse(p, k);
	p->is_convex = true;
	for (size_t i = 0; i < n && p->is_convex; i++)
		p->is_convex = orient(k, i, (i + 1) % n, (i + 2) % n) >= 0;
	if (p->is_convex)
		return GEO_POLY_OK;
	long n_tri = clip_ears(k, n, p->tri);
	if (n_tri <= 0)
		return GEO_POLY_CROSSING;
	p->n_tri = (size_t)n_tri;
	return GEO_POLY_OK;
}

geo_poly_status geo_poly_init(const double *radec, size_t n, geo_poly *out)
{
	geo_poly *p = out;
	memset(p, 0, sizeof *p);
	strbuf_init(&p->mem, 0);
	geo_poly_status st = load_vertices(p, radec, n);
	work k;
	memset(&k, 0, sizeof k);
	strbuf_init(&k.mem, 0);
	if (st == GEO_POLY_OK) {
		size_t m = p->n;
		char *base = strbuf_reserve(&k.mem, m * (2 * sizeof(double) + 2 * sizeof(size_t) + 1));
		if (base == NULL) {
			st = GEO_POLY_NOMEM;
		} else {
			k.u = (double *)(void *)base;
			k.w = k.u + m;
			k.prev = (size_t *)(void *)(k.w + m);
			k.next = k.prev + m;
			k.is_ear = (unsigned char *)(k.next + m);
			st = analyse(p, &k);
		}
	}
	strbuf_free(&k.mem);
	if (st != GEO_POLY_OK)
		geo_poly_free(p);
	return st;
}

void geo_poly_free(geo_poly *p)
{
	strbuf_free(&p->mem);
	p->v = NULL;
	p->tri = NULL;
	p->n = p->n_tri = 0;
}

/* ---- polygons: use ---------------------------------------------------------------------------------- */

geo_vec geo_poly_edge(const geo_poly *p, size_t i, size_t j)
{
	size_t lo = i < j ? i : j, hi = i < j ? j : i;
	geo_vec e = unit(cross_near(p->v[lo], p->v[hi]));
	return i < j ? e : scale(e, -1.0);
}

bool geo_poly_contains(const geo_poly *p, geo_vec q)
{
	if (p->is_convex) {
		for (size_t i = 0; i < p->n; i++)
			if (!(dot(q, geo_poly_edge(p, i, (i + 1) % p->n)) >= 0))
				return false;
		return true;
	}
	for (size_t t = 0; t < p->n_tri; t++) {
		const size_t *v = p->tri + 3 * t;
		if (dot(q, geo_poly_edge(p, v[0], v[1])) >= 0 && dot(q, geo_poly_edge(p, v[1], v[2])) >= 0 &&
		    dot(q, geo_poly_edge(p, v[2], v[0])) >= 0)
			return true;
	}
	return false;
}

/* Extreme latitudes of the polygon's boundary: the vertices', and where an edge's great circle
 * peaks inside the edge (the point of the circle nearest the pole, when it lies between the edge's
 * ends).  A region that holds no pole has its extreme latitudes on its boundary (latitude has no
 * other local extremum on the sphere). */
static void dec_extent(const geo_poly *p, double *out_lo, double *out_hi)
{
	double lo = 90.0, hi = -90.0;
	for (size_t i = 0; i < p->n; i++) {
		geo_vec a = p->v[i], b = p->v[(i + 1) % p->n];
		double ra, dec;
		geo_vec_to_radec(a, &ra, &dec);
		lo = fmin(lo, dec);
		hi = fmax(hi, dec);
		/* the circle's northernmost point, (-nx nz / h, -ny nz / h, h) with h = |(nx, ny)|: written
		 * this way it stays accurate when the circle is nearly the equator (h tiny), where the
		 * projection of the pole onto the plane would be all rounding */
		geo_vec nrm = geo_poly_edge(p, i, (i + 1) % p->n);
		double h = hypot(nrm.x, nrm.y);
		if (h == 0)
			continue; /* the edge lies on the equator: its ends bound it */
		geo_vec m = { -nrm.x * nrm.z / h, -nrm.y * nrm.z / h, h };
		for (int s = 0; s < 2; s++, m = scale(m, -1.0)) {
			if (dot(cross(a, m), nrm) >= 0 && dot(cross(m, b), nrm) >= 0) {
				double d = asin(fmax(-1.0, fmin(1.0, m.z))) / RAD;
				lo = fmin(lo, d);
				hi = fmax(hi, d);
			}
		}
	}
	*out_lo = lo;
	*out_hi = hi;
}

/* The prefilter box.  Declination: dec_extent, extended to a pole the polygon contains.  Right
 * ascension, when no pole is inside or on the boundary: every meridian that meets the region meets
 * its boundary (it comes from a pole, which is outside), and each edge -- a minor arc not through a
 * pole -- moves monotonically in RA by the signed difference of its ends taken in (-180, 180], so
 * walking the edges and summing those differences gives the boundary's RA interval unwrapped.  Both
 * are widened by GEO_PAD_DEG (in RA by the width that pad takes at the highest |dec|). */
void geo_poly_bbox(const geo_poly *p, geo_bbox *out)
{
	memset(out, 0, sizeof *out);
	double lo, hi;
	dec_extent(p, &lo, &hi);
	bool north = geo_poly_contains(p, (geo_vec){ 0, 0, 1 }), south = geo_poly_contains(p, (geo_vec){ 0, 0, -1 });
	double ra0, d0, acc = 0, ra_min = 0, ra_max = 0, prev;
	geo_vec_to_radec(p->v[0], &ra0, &d0);
	prev = ra0;
	for (size_t i = 1; i <= p->n; i++) {
		double ra, dec;
		geo_vec_to_radec(p->v[i % p->n], &ra, &dec);
		double d = remainder(ra - prev, 360.0);
		acc += d;
		ra_min = fmin(ra_min, acc);
		ra_max = fmax(ra_max, acc);
		prev = ra;
	}
	if (north)
		hi = 90.0;
	if (south)
		lo = -90.0;
	if (fabs(acc) > 180.0 && !north && !south) {
		/* the boundary winds around the pole axis, yet neither pole tested inside: rounding on a
		 * boundary through a pole; take the whole band, which is a superset either way */
		lo = -90.0;
		hi = 90.0;
	}
	out->dec_lo = fmax(lo - GEO_PAD_DEG, -90.0);
	out->dec_hi = fmin(hi + GEO_PAD_DEG, 90.0);
	double top = fmax(fabs(lo), fabs(hi)) + GEO_PAD_DEG;
	if (north || south || fabs(acc) > 180.0 || top >= 90.0) {
		out->is_all_ra = true;
		return;
	}
	double s = sin(GEO_PAD_DEG * RAD) / cos(top * RAD);
	double pad = asin(s < 1.0 ? s : 1.0) / RAD;
	geo_bbox_set_ra(out, ra0 + ra_min - pad, ra0 + ra_max + pad);
}

/* Spherical excess by a fan of triangles (c, v_i, v_i+1) from the projection centre, each signed by
 * van Oosterom and Strackee's formula tan(E/2) = c.(a x b) / (1 + c.a + a.b + b.c), which stays
 * accurate for tiny and for large triangles; the signed sum is the polygon's area whatever its
 * shape, because every triangle lies in the hemisphere around c. */
double geo_poly_area(const geo_poly *p)
{
	double sum = 0;
	geo_vec c = p->centre;
	for (size_t i = 0; i < p->n; i++) {
		geo_vec a = p->v[i], b = p->v[(i + 1) % p->n];
		sum += 2.0 * atan2(dot(c, cross_near(a, b)), 1.0 + dot(c, a) + dot(a, b) + dot(b, c));
	}
	return fabs(sum) / (RAD * RAD);
}

/* The integral of the unit vector over a region equals half the boundary integral of r x dr
 * (Stokes on the sphere); along a great-circle edge of length L and unit normal n that is L n.  So
 * the first moment is (1/2) sum L_i n_i, for the orientation with the inside on n's side. */
geo_vec geo_poly_centroid(const geo_poly *p)
{
	geo_vec s = { 0, 0, 0 };
	for (size_t i = 0; i < p->n; i++) {
		geo_vec a = p->v[i], b = p->v[(i + 1) % p->n], c = cross_near(a, b);
		s = add(s, scale(unit(c), atan2(norm(c), dot(a, b))));
	}
	return unit(s);
}

/* ---- BOX ---------------------------------------------------------------------------------------------- */

/* In the frame of the centre (x towards it, y east, z north) the corners are (1, +-tan(w/2),
 * +-tan(h/2)); rotated back they are x C + y E + z N with C the centre, E = (-sin ra, cos ra, 0) and
 * N = (-sin dec cos ra, -sin dec sin ra, cos dec).  Seen from inside, east is to the left, so
 * NW, NE, SE, SW runs counter-clockwise. */
void geo_box_vertices(double ra, double dec, double w, double h, double radec[8])
{
	static const double corner[4][2] = { { -1, 1 }, { 1, 1 }, { 1, -1 }, { -1, -1 } };
	double ta = tan(w / 2 * RAD), tb = tan(h / 2 * RAD);
	geo_vec c = geo_vec_from_radec(ra, dec);
	geo_vec e = { -sin(ra * RAD), cos(ra * RAD), 0 };
	geo_vec nn = { -sin(dec * RAD) * cos(ra * RAD), -sin(dec * RAD) * sin(ra * RAD), cos(dec * RAD) };
	for (int i = 0; i < 4; i++) {
		geo_vec v = add(c, add(scale(e, corner[i][0] * ta), scale(nn, corner[i][1] * tb)));
		geo_vec_to_radec(v, &radec[2 * i], &radec[2 * i + 1]);
	}
}
