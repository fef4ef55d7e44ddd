/* test_adql_geometry: the geometry emitter (src/adql/geometry.h) and its spherical helpers.
 *
 * The SQL is golden: tests/geometry/translate.golden holds each query's exact translation or error
 * (format at its top).  The cmocka tests below check the helpers against independent computations:
 * prefilter boxes of caps (wrap, poles, 1 mas to 180 degrees) and of polygons, each tested to be a
 * superset on random points; polygon containment against a winding-number count; areas, centroids,
 * BOX corners; REGION parsing; the emitter's out-of-memory path.  The database side is
 * tests/integration/geometry.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "adql/geometry.h"
#include "adql/parser.h"
#include "adql/resolve.h"
#include "adql/translate.h"
#include "tap/catalog.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAD (M_PI / 180.0)

/* geo.cat has a main position (ra, dec), a float, a radius, a point column and a string; geo.other a
 * point column but no main position. */
static const char schema_xml[] =
	"<vosi:tableset xmlns:vosi='http://www.ivoa.net/xml/VOSITables/v1.0' "
	"xmlns:vs='http://www.ivoa.net/xml/VODataService/v1.1' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'>"
	"<schema><name>geo</name>"
	"<table><name>geo.cat</name>"
	"<column><name>source_id</name><ucd>meta.id;meta.main</ucd>"
	"<dataType xsi:type='vs:VOTableType'>long</dataType></column>"
	"<column><name>ra</name><unit>deg</unit><ucd>pos.eq.ra;meta.main</ucd>"
	"<dataType xsi:type='vs:VOTableType'>double</dataType></column>"
	"<column><name>dec</name><unit>deg</unit><ucd>pos.eq.dec;meta.main</ucd>"
	"<dataType xsi:type='vs:VOTableType'>double</dataType></column>"
	"<column><name>rf</name><unit>deg</unit><dataType xsi:type='vs:VOTableType'>float</dataType></column>"
	"<column><name>r</name><unit>deg</unit><dataType xsi:type='vs:VOTableType'>double</dataType></column>"
	"<column><name>pos</name><unit>deg</unit><ucd>pos.eq</ucd>"
	"<dataType xsi:type='vs:VOTableType' arraysize='2' extendedType='point'>double</dataType></column>"
	"<column><name>stcs</name><dataType xsi:type='vs:VOTableType' arraysize='*'>char</dataType></column>"
	"</table>"
	"<table><name>geo.other</name>"
	"<column><name>id</name><dataType xsi:type='vs:VOTableType'>long</dataType></column>"
	"<column><name>ra</name><unit>deg</unit><dataType xsi:type='vs:VOTableType'>double</dataType></column>"
	"<column><name>dec</name><unit>deg</unit><dataType xsi:type='vs:VOTableType'>double</dataType></column>"
	"<column><name>pos</name><unit>deg</unit>"
	"<dataType xsi:type='vs:VOTableType' arraysize='2' extendedType='point'>double</dataType></column>"
	"</table></schema></vosi:tableset>";

typedef struct fixture {
	catalog *cat;
	arena *a;
} fixture;

static int setup(void **state)
{
	static fixture f;
	tr_err err = TR_ERR_INIT;
	catalog_xml_reader *r = catalog_xml_begin("geometry schema", &err);
	if (r == NULL || catalog_xml_feed(r, schema_xml, sizeof schema_xml - 1, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	f.cat = catalog_xml_end(r, &err);
	f.a = arena_create(0, 0);
	if (f.cat == NULL || f.a == NULL) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	catalog_free(f->cat);
	arena_destroy(f->a);
	return 0;
}

/* Parse, resolve, translate with the geometry emitter into sql (reset first). */
static int translate(fixture *f, const char *text, strbuf *sql, tr_err *err)
{
	adql_translate_opts o = { ADQL_DIALECT_MARIADB, 0, -1, &adql_geometry_emitter };
	adql_result_meta *meta;
	tr_err_clear(err);
	arena_reset(f->a);
	strbuf_reset(sql);
	adql_query *q = adql_parse(f->a, text, strlen(text), NULL, err);
	if (q == NULL)
		return err->code;
	int rc = adql_resolve(q, f->cat, NULL, f->a, &meta, err);
	return rc != TR_OK ? rc : adql_translate(q, meta, &o, sql, err);
}

/* ---- the golden file ------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	int code;
} codes[] = { { "BADREQ", TR_EBADREQ }, { "UNSUPPORTED", TR_EUNSUPPORTED }, { "LIMIT", TR_ELIMIT },
	      { "TYPE", TR_ETYPE },     { "NOMEM", TR_ENOMEM },             { "INTERNAL", TR_EINTERNAL },
	      { "NAME", TR_ENAME },     { "SYNTAX", TR_ESYNTAX } };

static const char *code_name(int code)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i].code == code)
			return codes[i].name;
	return "OK";
}

/* The emitter's own text never holds a statement separator or a comment opener (negative numbers
 * are parenthesized, so no "- -"); the golden queries put none in their strings either. */
static bool is_one_statement(const char *s)
{
	return strchr(s, ';') == NULL && strchr(s, '#') == NULL && strstr(s, "--") == NULL && strstr(s, "/*") == NULL;
}

/* Checks one case; returns 0 when it passed.  With upd, writes the actual result there instead. */
static int golden_case(fixture *f, const char *file, int line, const char *query, const char *want_sql,
                       const char *want_err, FILE *upd)
{
	strbuf sql = STRBUF_INIT(0);
	tr_err err;
	int rc = translate(f, query, &sql, &err), failed = 0;
	if (upd) {
		if (rc == TR_OK)
			fprintf(upd, "sql: %s\n", strbuf_str(&sql));
		else
			fprintf(upd, "error: %s %ld %s\n", code_name(rc), err.pos, err.msg);
	} else if (want_sql) {
		if (rc != TR_OK || strcmp(strbuf_str(&sql), want_sql) != 0) {
			print_error("%s:%d: %s\n  expected: %s\n  got:      %s\n", file, line, query, want_sql,
			            rc == TR_OK ? strbuf_str(&sql) : err.msg);
			failed = 1;
		} else if (!is_one_statement(want_sql)) {
			print_error("%s:%d: not one statement: %s\n", file, line, want_sql);
			failed = 1;
		}
	} else if (want_err) {
		char name[32];
		long pos;
		int n = 0;
		if (sscanf(want_err, "%31s %ld %n", name, &pos, &n) != 2 || strcmp(name, code_name(rc)) != 0 ||
		    err.pos != pos || strstr(err.msg, want_err + n) == NULL) {
			print_error("%s:%d: %s\n  expected error: %s\n  got: %s %ld %s\n", file, line, query, want_err,
			            code_name(rc), err.pos, rc == TR_OK ? strbuf_str(&sql) : err.msg);
			failed = 1;
		}
	} else {
		print_error("%s:%d: a case needs a sql: or an error: line\n", file, line);
		failed = 1;
	}
	strbuf_free(&sql);
	return failed;
}

static void test_golden(void **state)
{
	fixture *f = *state;
	char path[4096];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/tests/geometry/translate.golden", top && *top ? top : ".");
	FILE *in = fopen(path, "r");
	assert_non_null(in);
	const char *upd_path = getenv("GEO_GOLDEN_UPDATE");
	FILE *upd = upd_path ? fopen(upd_path, "w") : NULL;
	static char buf[1 << 20], query[1 << 20], want[1 << 20];
	int lineno = 0, query_line = 0, n_cases = 0, n_failed = 0;
	bool has_query = false, has_sql = false, has_err = false;
	for (bool eof = false; !eof;) {
		eof = fgets(buf, sizeof buf, in) == NULL;
		lineno++;
		buf[strcspn(buf, "\n")] = '\0';
		bool ends = eof || buf[0] == '\0';
		if (ends && has_query) {
			n_cases++;
			n_failed += golden_case(f, path, query_line, query, has_sql ? want : NULL, has_err ? want : NULL, upd);
			has_query = has_sql = has_err = false;
		}
		if (eof)
			break;
		if (strncmp(buf, "query: ", 7) == 0) {
			snprintf(query, sizeof query, "%s", buf + 7);
			has_query = true;
			query_line = lineno;
		} else if (strncmp(buf, "sql: ", 5) == 0 || strncmp(buf, "error: ", 7) == 0) {
			has_sql = buf[0] == 's';
			has_err = !has_sql;
			snprintf(want, sizeof want, "%s", buf + (has_sql ? 5 : 7));
			continue; /* not copied: the update writes the actual result */
		}
		if (upd)
			fprintf(upd, "%s\n", buf);
	}
	fclose(in);
	if (upd)
		fclose(upd);
	print_message("%s: %d cases, %d failed\n", path, n_cases, n_failed);
	assert_true(n_cases >= 40);
	assert_int_equal(n_failed, 0);
}

/* ---- random directions -------------------------------------------------------------------------------- */

static uint64_t rng = 88172645463325252ULL;

static double uniform(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* A random point within radius degrees of (ra, dec) (uniform in angle, not in area). */
static void near_point(double ra, double dec, double radius, double *out_ra, double *out_dec)
{
	double d = radius * uniform(), az = 2 * M_PI * uniform();
	double d0 = dec * RAD, r = d * RAD;
	double sd = sin(d0) * cos(r) + cos(d0) * sin(r) * cos(az);
	*out_dec = asin(fmax(-1, fmin(1, sd))) / RAD;
	*out_ra = ra + atan2(sin(az) * sin(r) * cos(d0), cos(r) - sin(d0) * sd) / RAD;
}

static double dist(double ra1, double dec1, double ra2, double dec2)
{
	geo_vec a = geo_vec_from_radec(ra1, dec1), b = geo_vec_from_radec(ra2, dec2);
	geo_vec c = { a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x };
	return atan2(sqrt(c.x * c.x + c.y * c.y + c.z * c.z), a.x * b.x + a.y * b.y + a.z * b.z) / RAD;
}

static bool in_bbox(const geo_bbox *b, double ra, double dec)
{
	if (dec < b->dec_lo || dec > b->dec_hi)
		return false;
	if (b->is_all_ra)
		return true;
	for (int shift = -1; shift <= 1; shift++) /* as stored: any of the conventions the ranges cover */
		for (size_t i = 0; i < b->n_ra; i++) {
			double r = fmod(ra, 360.0) + 360.0 * shift;
			if (r >= b->ra_lo[i] && r <= b->ra_hi[i] && r >= -180.0 && r <= 360.0)
				return true;
		}
	return false;
}

/* ---- prefilter boxes ------------------------------------------------------------------------------------ */

static void test_ra_ranges(void **state)
{
	(void)state;
	geo_bbox b;
	memset(&b, 0, sizeof b);
	geo_bbox_set_ra(&b, 10, 20); /* below 180: one range */
	assert_int_equal(b.n_ra, 1);
	assert_true(b.ra_lo[0] == 10 && b.ra_hi[0] == 20);
	geo_bbox_set_ra(&b, 200, 210); /* above 180: and its copy for [-180, 180) */
	assert_int_equal(b.n_ra, 2);
	assert_true(b.ra_lo[0] == -160 && b.ra_hi[0] == -150 && b.ra_lo[1] == 200 && b.ra_hi[1] == 210);
	geo_bbox_set_ra(&b, -1, 1); /* across the wrap: [0, 1], [359, 360] and [-1, 0] merge into two */
	assert_int_equal(b.n_ra, 2);
	assert_true(b.ra_lo[0] == -1 && b.ra_hi[0] == 1 && b.ra_lo[1] == 359 && b.ra_hi[1] == 360);
	geo_bbox_set_ra(&b, 359, 361); /* the same, unwrapped the other way */
	assert_int_equal(b.n_ra, 2);
	assert_true(b.ra_lo[0] == -1 && b.ra_hi[0] == 1 && b.ra_lo[1] == 359 && b.ra_hi[1] == 360);
	geo_bbox_set_ra(&b, 170, 190); /* across 180 */
	assert_int_equal(b.n_ra, 2);
	assert_true(b.ra_lo[0] == -190 && b.ra_hi[0] == -170 && b.ra_lo[1] == 170 && b.ra_hi[1] == 190);
	geo_bbox_set_ra(&b, 720 + 5, 720 + 6); /* any turn */
	assert_true(b.n_ra == 1 && b.ra_lo[0] == 5 && b.ra_hi[0] == 6);
	geo_bbox_set_ra(&b, 0, 360);
	assert_true(b.is_all_ra);
}

static void test_cap_boxes(void **state)
{
	(void)state;
	geo_bbox b;
	geo_bbox_cap(10, 20, 1, &b); /* the exact half-width asin(sin r / cos dec) */
	assert_true(fabs(b.dec_lo - (19 - GEO_PAD_DEG)) < 1e-12 && fabs(b.dec_hi - (21 + GEO_PAD_DEG)) < 1e-12);
	double half = asin(sin((1 + GEO_PAD_DEG) * RAD) / cos(20 * RAD)) / RAD;
	assert_false(b.is_all_ra);
	assert_int_equal(b.n_ra, 1);
	assert_true(fabs(b.ra_lo[0] - (10 - half)) < 1e-12 && fabs(b.ra_hi[0] - (10 + half)) < 1e-12);
	assert_true(half < 1 / cos(21 * RAD)); /* tighter than r / cos(|dec| + r) */
	geo_bbox_cap(0.5, -30, 1, &b); /* the wrap */
	assert_int_equal(b.n_ra, 2);
	assert_true(b.ra_lo[0] < -0.6 && b.ra_hi[0] > 1.6 && b.ra_lo[1] < 359.4 && b.ra_hi[1] == 360);
	geo_bbox_cap(120, 89.5, 1, &b); /* over the pole */
	assert_true(b.is_all_ra && b.dec_hi == 90 && fabs(b.dec_lo - (88.5 - GEO_PAD_DEG)) < 1e-12);
	geo_bbox_cap(0, -89, 1, &b); /* touching it */
	assert_true(b.is_all_ra && b.dec_lo == -90);
	geo_bbox_cap(200, 10, 1.0 / 3600e3, &b); /* 1 mas: still a real box, padded by GEO_PAD_DEG */
	assert_false(b.is_all_ra);
	assert_true(b.dec_hi - b.dec_lo < 2 / 3600e3 + 3 * GEO_PAD_DEG && b.dec_hi - b.dec_lo > 2 * GEO_PAD_DEG);
	geo_bbox_cap(270, 10, 120, &b); /* huge: everything */
	assert_true(b.is_all_ra && b.dec_lo == -90 && b.dec_hi == 90);
	geo_bbox_cap(10, 0, 89.999, &b); /* just short of the poles: RA still bounded, by nearly 90 */
	assert_true(!b.is_all_ra && in_bbox(&b, 99.99, 0) && !in_bbox(&b, 100.01, 0) && in_bbox(&b, 280.01, 0));
	geo_bbox_cap(10, 0, 90, &b); /* reaching both */
	assert_true(b.is_all_ra && b.dec_lo == -90 && b.dec_hi == 90);
	/* a superset on random points, for caps of every size and place */
	static const double radii[] = { 1.0 / 3600e3, 1.0 / 3600, 0.1, 1, 5, 30, 60, 89, 95, 150, 179.9, 180 };
	for (int k = 0; k < 3000; k++) {
		double ra = 360 * uniform() - (k % 7 == 0 ? 0.5 : 0), dec = asin(2 * uniform() - 1) / RAD;
		if (k % 5 == 0)
			dec = (k % 10 == 0 ? 1 : -1) * (90 - 3 * uniform());
		double r = radii[k % (sizeof radii / sizeof radii[0])];
		geo_bbox_cap(ra, dec, r, &b);
		for (int i = 0; i < 40; i++) {
			double pra, pdec;
			near_point(ra, dec, r * (1 + 1e-12), &pra, &pdec);
			if (dist(ra, dec, pra, pdec) <= r && !in_bbox(&b, pra, pdec))
				fail_msg("cap (%.17g, %.17g, %.17g): point (%.17g, %.17g) inside but outside its box", ra, dec, r, pra, pdec);
		}
	}
}

/* ---- polygons ----------------------------------------------------------------------------------------- */

/* Independent containment: the winding number (the angles the edges subtend at q, summed) on the
 * hemisphere of the vertices' mean. */
static bool winding_inside(const double *radec, size_t n, geo_vec q)
{
	geo_vec m = { 0, 0, 0 };
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		geo_vec a = geo_vec_from_radec(radec[2 * i], radec[2 * i + 1]);
		geo_vec b = geo_vec_from_radec(radec[2 * ((i + 1) % n)], radec[2 * ((i + 1) % n) + 1]);
		m.x += a.x, m.y += a.y, m.z += a.z;
		/* with a = A - q, b = B - q: q.(a x b) = q.(A x B) and a.b - (q.a)(q.b) = A.B - (q.A)(q.B),
		 * both without cancellation when A, B and q are close */
		a.x -= q.x, a.y -= q.y, a.z -= q.z;
		b.x -= q.x, b.y -= q.y, b.z -= q.z;
		geo_vec c = { a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x };
		double qa = q.x * a.x + q.y * a.y + q.z * a.z, qb = q.x * b.x + q.y * b.y + q.z * b.z;
		sum += atan2(q.x * c.x + q.y * c.y + q.z * c.z, a.x * b.x + a.y * b.y + a.z * b.z - qa * qb);
	}
	return fabs(sum) > M_PI && q.x * m.x + q.y * m.y + q.z * m.z > 0;
}

typedef struct poly_case {
	const char *name;
	double radec[24];
	size_t n;
	bool is_convex;
	bool has_pole; /* north or south pole inside: all RA */
} poly_case;

static const poly_case polys[] = {
	{ "triangle", { 10, 10, 20, 10, 15, 20 }, 3, true, false },
	{ "clockwise triangle", { 15, 20, 20, 10, 10, 10 }, 3, true, false },
	{ "square on RA 0", { 355, -5, 5, -5, 5, 5, 355, 5 }, 4, true, false },
	{ "north cap", { 0, 80, 90, 80, 180, 80, 270, 80 }, 4, true, true },
	{ "south cap", { 45, -85, 165, -85, 285, -85 }, 3, true, true },
	{ "L", { 0, 0, 10, 0, 10, 3, 3, 3, 3, 10, 0, 10 }, 6, false, false },
	{ "chevron on RA 0", { 350, 0, 0, 5, 10, 0, 10, 10, 0, 15, 350, 10 }, 6, false, false },
	{ "star at the pole", { 0, 70, 30, 85, 60, 70, 90, 85, 120, 70, 150, 85, 180, 70, 210, 85, 240, 70, 270, 85, 300,
	                        70, 330, 85 },
	  12, false, true },
	{ "edge through the pole", { 0, 85, 180, 85, 90, 70 }, 3, true, true },
	{ "big", { 0, -40, 80, -40, 80, 40, 0, 40 }, 4, true, false },
	{ "C", { 170, -20, 190, -20, 190, -10, 181, -10, 181, 10, 190, 10, 190, 20, 170, 20 }, 8, false, false },
	{ "tiny", { 100, 10, 100 + 1e-6, 10, 100, 10 + 1e-6 }, 3, true, false },
};

static void test_polygons(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof polys / sizeof polys[0]; k++) {
		const poly_case *c = &polys[k];
		geo_poly p;
		assert_int_equal(geo_poly_init(c->radec, c->n, &p), GEO_POLY_OK);
		if (p.is_convex != c->is_convex)
			fail_msg("%s: convex %d", c->name, p.is_convex);
		if (!c->is_convex && p.n_tri != p.n - 2)
			fail_msg("%s: %zu triangles for %zu vertices", c->name, p.n_tri, p.n);
		geo_bbox b;
		geo_poly_bbox(&p, &b);
		if (b.is_all_ra != c->has_pole)
			fail_msg("%s: all RA %d", c->name, b.is_all_ra);
		/* containment against the winding number, and the box a superset, on points around it */
		double cra, cdec;
		geo_vec_to_radec(geo_poly_centroid(&p), &cra, &cdec);
		double span = 0;
		for (size_t i = 0; i < c->n; i++)
			span = fmax(span, dist(cra, cdec, c->radec[2 * i], c->radec[2 * i + 1]));
		int n_in = 0;
		for (int i = 0; i < 20000; i++) {
			double ra, dec;
			near_point(cra, cdec, span * 1.3, &ra, &dec);
			geo_vec q = geo_vec_from_radec(ra, dec);
			bool in = geo_poly_contains(&p, q);
			n_in += in;
			if (in != winding_inside(c->radec, c->n, q))
				fail_msg("%s: (%.17g, %.17g) contains %d, winding number says otherwise", c->name, ra, dec, in);
			if (in && !in_bbox(&b, ra, dec))
				fail_msg("%s: (%.17g, %.17g) inside but outside the box", c->name, ra, dec);
		}
		if (n_in < 1000)
			fail_msg("%s: only %d of the random points inside", c->name, n_in);
		geo_poly_free(&p);
	}
}

static void test_polygon_errors(void **state)
{
	(void)state;
	static const struct {
		double radec[12];
		size_t n;
		geo_poly_status want;
	} bad[] = {
		{ { 0, 0, 1, 0 }, 2, GEO_POLY_TOO_FEW },
		{ { 0, 0, 0, 0, 1, 0, 1, 0 }, 4, GEO_POLY_TOO_FEW },       /* repeats dropped */
		{ { 0, 0, 1, 0, 0, 0, 1, 0 }, 4, GEO_POLY_DEGENERATE },    /* back and forth on a line */
		{ { 0, 0, 1, 0, 1, 1, 0, 0 }, 4, GEO_POLY_OK },            /* a closing copy of the first vertex */
		{ { 0, 0, 1, 0, 1, 91 }, 3, GEO_POLY_BAD_DEC },
		{ { 0, 0, 180, 0, 90, 10 }, 3, GEO_POLY_ANTIPODAL },
		{ { 0, -10, 120, -10, 240, -10 }, 3, GEO_POLY_OK },        /* the cap around the south pole */
		{ { 0, 0.05, 120, 0.05, 240, 0.05 }, 3, GEO_POLY_TOO_LARGE },
		{ { 0, 0, 10, 0, 20, 0 }, 3, GEO_POLY_DEGENERATE },
		{ { 0, 0, 10, 10, 10, 0, 0, 10 }, 4, GEO_POLY_CROSSING },  /* a bow tie */
		{ { 0, 0, 10, 0, 5, 5, 10, 0 }, 4, GEO_POLY_CROSSING },    /* an edge folded back */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		geo_poly p;
		geo_poly_status st = geo_poly_init(bad[i].radec, bad[i].n, &p);
		if (st != bad[i].want)
			fail_msg("case %zu: status %d (%s), expected %d", i, st, geo_poly_strerror(st), bad[i].want);
		if (st == GEO_POLY_OK)
			geo_poly_free(&p);
	}
	double many[2 * (GEO_MAX_POLY_VERTICES + 1)];
	memset(many, 0, sizeof many);
	geo_poly p;
	assert_int_equal(geo_poly_init(many, GEO_MAX_POLY_VERTICES + 1, &p), GEO_POLY_TOO_MANY);
	/* a large concave polygon (a comb of 500 teeth) is analysed in reasonable time */
	static double comb[2 * 1002];
	size_t n = 0;
	comb[n++] = 0, comb[n++] = 0;
	comb[n++] = 50, comb[n++] = 0;
	for (int t = 0; t < 500; t++) {
		double x = 50 - 0.1 * t;
		comb[n++] = x, comb[n++] = 10;
		comb[n++] = x - 0.05, comb[n++] = 5;
	}
	assert_int_equal(geo_poly_init(comb, n / 2, &p), GEO_POLY_OK);
	assert_false(p.is_convex);
	assert_int_equal(p.n_tri, p.n - 2);
	geo_poly_free(&p);
}

static void test_area_centroid(void **state)
{
	(void)state;
	geo_poly p;
	double octant[] = { 0, 0, 90, 0, 0, 90 };
	assert_int_equal(geo_poly_init(octant, 3, &p), GEO_POLY_OK);
	assert_true(fabs(geo_poly_area(&p) - 4 * M_PI / 8 / (RAD * RAD)) < 1e-9);
	double ra, dec;
	geo_vec_to_radec(geo_poly_centroid(&p), &ra, &dec);
	assert_true(fabs(ra - 45) < 1e-12 && fabs(dec - asin(1 / sqrt(3)) / RAD) < 1e-12);
	geo_poly_free(&p);
	/* a concave polygon: the L is 10 x 10 minus 7 x 7 degrees, about 51 square degrees */
	double L[] = { 0, 0, 10, 0, 10, 3, 3, 3, 3, 10, 0, 10 };
	assert_int_equal(geo_poly_init(L, 6, &p), GEO_POLY_OK);
	assert_true(geo_poly_area(&p) > 50 && geo_poly_area(&p) < 52);
	geo_poly_free(&p);
	/* tiny: a right triangle of 1 mas legs has half a square mas */
	double mas = 1.0 / 3600e3, tiny[] = { 0, 0, mas, 0, 0, mas };
	assert_int_equal(geo_poly_init(tiny, 3, &p), GEO_POLY_OK);
	assert_true(fabs(geo_poly_area(&p) / (mas * mas) - 0.5) < 1e-6);
	geo_poly_free(&p);
}

static void test_box_vertices(void **state)
{
	(void)state;
	double v[8];
	geo_box_vertices(0, 0, 2, 2, v);
	/* on the equator the corners are at +-1 in RA (meridian sides) and at dec atan(tan 1 cos 1) */
	double d = atan(tan(1 * RAD) * cos(1 * RAD)) / RAD;
	static const double want_ra[] = { 359, 1, 1, 359 }, want_sign[] = { 1, 1, -1, -1 };
	for (int i = 0; i < 4; i++) {
		assert_true(fabs(v[2 * i] - want_ra[i]) < 1e-12);
		assert_true(fabs(v[2 * i + 1] - want_sign[i] * d) < 1e-12);
	}
	/* centred on a pole the box is still a square of the given sides around it */
	geo_box_vertices(30, 90, 10, 10, v);
	for (int i = 0; i < 4; i++)
		assert_true(fabs(dist(v[2 * i], v[2 * i + 1], 0, 90) - atan(hypot(tan(5 * RAD), tan(5 * RAD))) / RAD) < 1e-9);
	/* the box is the polygon of its corners: a corner's neighbours are w and h away along sides */
	geo_box_vertices(123, -45, 4, 6, v);
	geo_poly p;
	assert_int_equal(geo_poly_init(v, 4, &p), GEO_POLY_OK);
	assert_true(p.is_convex);
	assert_true(geo_poly_contains(&p, geo_vec_from_radec(123, -45)));
	assert_true(fabs(geo_poly_area(&p) - 4 * asin(sin(2 * RAD) * sin(3 * RAD)) / (RAD * RAD)) < 1e-9);
	geo_poly_free(&p);
}

/* ---- REGION strings ----------------------------------------------------------------------------------- */

static void test_regions(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int code;
		geo_region_kind kind;
		size_t n;
		long pos;
	} cases[] = {
		{ "CIRCLE ICRS 10 20 1", TR_OK, GEO_REGION_CIRCLE, 3, -1 },
		{ "circle 10 20 1", TR_OK, GEO_REGION_CIRCLE, 3, -1 },
		{ "Circle ICRS GEOCENTER SPHERICAL2 10 20 1 unit deg", TR_OK, GEO_REGION_CIRCLE, 3, -1 },
		{ "  POSITION\tICRS 1.5e1 -2.5  ", TR_OK, GEO_REGION_POINT, 2, -1 },
		{ "BOX ICRS 1 2 3 4", TR_OK, GEO_REGION_BOX, 4, -1 },
		{ "POLYGON ICRS 1 2 3 4 5 6 7 8", TR_OK, GEO_REGION_POLYGON, 8, -1 },
		{ "", TR_EBADREQ, 0, 0, 0 },
		{ "SQUARE 1 2 3", TR_EBADREQ, 0, 0, 0 },
		{ "ELLIPSE ICRS 1 2 3 4 5", TR_EUNSUPPORTED, 0, 0, 0 },
		{ "CIRCLE FK5 1 2 3", TR_EUNSUPPORTED, 0, 0, 7 },
		{ "CIRCLE ICRS CARTESIAN2 1 2 3", TR_EUNSUPPORTED, 0, 0, 12 },
		{ "CIRCLE ICRS 1 2", TR_EBADREQ, 0, 0, 15 },
		{ "CIRCLE ICRS 1 2 3 4", TR_EBADREQ, 0, 0, 19 },
		{ "CIRCLE ICRS 1 2 nan", TR_EBADREQ, 0, 0, 16 },
		{ "CIRCLE ICRS 1 2 0x10", TR_EBADREQ, 0, 0, 16 },
		{ "CIRCLE ICRS 1 2 1e999", TR_EBADREQ, 0, 0, 16 },
		{ "CIRCLE ICRS 1 2 3 unit arcsec", TR_EUNSUPPORTED, 0, 0, 23 },
		{ "POLYGON ICRS 1 2 3 4 5", TR_EBADREQ, 0, 0, 22 },
		{ "POLYGON ICRS 1 2 3 4", TR_EBADREQ, 0, 0, 20 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		geo_region r;
		tr_err err = TR_ERR_INIT;
		int rc = geo_region_parse(cases[i].s, strlen(cases[i].s), &r, &err);
		if (rc != cases[i].code)
			fail_msg("'%s': %d (%s), expected %d", cases[i].s, rc, err.msg, cases[i].code);
		if (rc == TR_OK) {
			if (r.kind != cases[i].kind || r.n != cases[i].n)
				fail_msg("'%s': kind %d with %zu numbers", cases[i].s, r.kind, r.n);
			geo_region_free(&r);
		} else if (err.pos != cases[i].pos) {
			fail_msg("'%s': error at %ld, expected %ld (%s)", cases[i].s, err.pos, cases[i].pos, err.msg);
		}
	}
	geo_region r;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(geo_region_parse("POSITION ICRS 1.5e1 -2.5", 24, &r, &err), TR_OK);
	assert_true(r.num[0] == 15 && r.num[1] == -2.5);
	geo_region_free(&r);
	/* the length is honoured: the string need not end there */
	assert_int_equal(geo_region_parse("CIRCLE 1 2 3 4", 12, &r, &err), TR_OK);
	assert_true(r.n == 3 && r.num[2] == 3);
	geo_region_free(&r);
}

/* ---- the emitter's memory ------------------------------------------------------------------------------- */

static void test_out_of_memory(void **state)
{
	fixture *f = *state;
	adql_translate_opts o = { ADQL_DIALECT_MARIADB, 0, -1, &adql_geometry_emitter };
	const char *text =
		"SELECT source_id FROM geo.cat WHERE 1 = CONTAINS(POINT(ra, dec), POLYGON(0, 0, 10, 5, 0, 10, 3, 5))";
	strbuf full = STRBUF_INIT(0);
	tr_err err0;
	assert_int_equal(translate(f, text, &full, &err0), TR_OK);
	size_t len = strbuf_len(&full);
	strbuf_free(&full);
	/* every ceiling below the SQL's length fails cleanly, wherever the emitter is when it hits it */
	for (size_t cap = 1; cap < len; cap += cap < 64 ? 7 : 61) {
		tr_err err = TR_ERR_INIT;
		adql_result_meta *meta;
		arena_reset(f->a);
		adql_query *q = adql_parse(f->a, text, strlen(text), NULL, &err);
		assert_non_null(q);
		assert_int_equal(adql_resolve(q, f->cat, NULL, f->a, &meta, &err), TR_OK);
		strbuf small = STRBUF_INIT(cap);
		assert_int_equal(adql_translate(q, meta, &o, &small, &err), TR_ENOMEM);
		strbuf_free(&small);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),        cmocka_unit_test(test_ra_ranges),     cmocka_unit_test(test_cap_boxes),
		cmocka_unit_test(test_polygons),      cmocka_unit_test(test_polygon_errors), cmocka_unit_test(test_area_centroid),
		cmocka_unit_test(test_box_vertices),  cmocka_unit_test(test_regions),       cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
