/* adql/geometry: the geometry emitter the translator calls for every ADQL 2.1 §4 function (contract
 * and semantics in geometry.h).
 *
 * Must stay pure: no I/O, no lookups beyond the annotated tree, memory only in strbufs freed before
 * returning, user text only through adql_translate_value() / _number() / _ident() / _string().
 * Sections: SQL fragments with constant folding, shapes (what a geometry argument is), spherical
 * tests (circle, polygon, box) with their prefilters, the two emitter entry points.
 *
 * Exactness.  Every test compares a quantity whose rounding error is about 1e-16 of its scale with a
 * threshold, chosen so that the scale is the distance being tested:
 *   - circles: haversine h = sin^2(ddec/2) + cos(dec1) cos(dec2) sin^2(dra/2) = sin^2(d/2), with the
 *     coordinate differences taken in degrees first (exact for nearby values), so h keeps its
 *     relative precision down to 1 mas and below, where 1 - cos(r) (the dot-product test) would be
 *     0 in double precision for any r under 1e-8 rad (2 mas).  Near 180 degrees h is flat (its
 *     derivative sin(d)/2 vanishes), so radii above 90 use the complement
 *     h' = sin^2((dec1 + dec2)/2) + cos(dec1) cos(dec2) cos^2(dra/2) = cos^2(d/2), the haversine to
 *     the antipode, compared with cos^2(r/2): again a sum of non-negative terms without
 *     cancellation.  DISTANCE is 2 atan2(sqrt(h), sqrt(h')), well conditioned everywhere.
 *   - polygons: P . n >= 0 per edge, n the edge normal computed as a x (b - a) (geometry_math.c), so a
 *     1 mas edge is placed to ~1e-16 rad; P from the row's ra, dec.
 *   - boxes: the centre frame coordinates (x, y, z) of P written without cancellation
 *     (x = cos(ddec) - 2 cos dec cos dec0 sin^2(dra/2), z = sin(ddec) + 2 sin dec0 cos dec sin^2(dra/2)).
 * So a row is decided correctly unless it lies within ~1e-15 degrees of the border; the integration
 * test (tests/integration/geometry.sh) checks this against an independent computation. */
#include <config.h>

#include "adql/geometry.h"

#include "adql/resolve.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAD (M_PI / 180.0)                          /* radians per degree */
#define SQDEG_PER_SR ((180.0 / M_PI) * (180.0 / M_PI)) /* square degrees per steradian */
#define EXACT_INT_MAX 9007199254740992.0            /* 2^53: integers a double holds exactly */

/* ---- SQL fragments ------------------------------------------------------------------------------------
 * A value is either a constant, known now (then every operation on it is done here, in double
 * precision, as the database would), or SQL text kept in the scratch buffer.  Operations build new
 * text from their operands' text, so every formula is written once for both cases. */

typedef struct geo {
	adql_tr *t;    /* the translator, for argument sub-expressions */
	tr_err *err;   /* the caller's error */
	int rc;        /* first error, TR_OK until then */
	strbuf s;      /* scratch: SQL fragments, only ever appended to */
} geo;

typedef struct gx {
	bool is_const; /* v holds the value; otherwise off/len is its SQL */
	bool is_bool;  /* a condition (constant: v is 1 or 0) rather than a number */
	bool is_real;  /* the SQL of a single-precision column: widened before it is printed */
	double v;      /* the constant */
	size_t off;    /* the SQL text: bytes [off, off + len) of the scratch buffer */
	size_t len;
} gx;

static gx num(double v) { return (gx){ .is_const = true, .v = v }; }
static gx truth(bool b) { return (gx){ .is_const = true, .is_bool = true, .v = b ? 1 : 0 }; }

static int fail(geo *g, int code, const adql_node *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(geo *g, int code, const adql_node *at, const char *fmt, ...)
{
	char msg[TR_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tr_err_set(g->err, code, at ? at->pos : -1, at ? at->len : 0, "%s", msg);
	if (g->rc == TR_OK)
		g->rc = code;
	return code;
}

/* Appends bytes [off, off + len) of src to dst, which may be src itself. */
static void copy_text(strbuf *dst, const strbuf *src, size_t off, size_t len)
{
	char *p = strbuf_reserve(dst, len);
	if (p == NULL)
		return;
	memcpy(p, strbuf_str(src) + off, len);
	strbuf_commit(dst, len);
}

/* x as SQL.  Negative constants go in parentheses, so no "- -1" ever reads as a comment. */
static void put(geo *g, strbuf *out, gx x)
{
	if (!x.is_const) {
		copy_text(out, &g->s, x.off, x.len);
	} else if (x.is_bool) {
		strbuf_puts(out, x.v != 0 ? "(1 = 1)" : "(1 = 0)");
	} else if (signbit(x.v)) {
		strbuf_putc(out, '(');
		adql_translate_number(out, x.v);
		strbuf_putc(out, ')');
	} else {
		adql_translate_number(out, x.v);
	}
}

/* A new fragment: fmt with each '%' replaced by the next argument's SQL. */
static gx text(geo *g, bool is_bool, const char *fmt, const gx *args)
{
	gx r = { .is_bool = is_bool, .off = strbuf_len(&g->s) };
	for (const char *p = fmt; *p; p++) {
		if (*p == '%')
			put(g, &g->s, *args++);
		else
			strbuf_putc(&g->s, *p);
	}
	r.len = strbuf_len(&g->s) - r.off;
	return r;
}

static gx sql_null(geo *g) { return text(g, false, "NULL", NULL); }

static gx op2(geo *g, char op, gx a, gx b)
{
	gx args[2] = { a, b };
	if (a.is_const && b.is_const && (op != '/' || b.v != 0))
		return num(op == '+' ? a.v + b.v : op == '-' ? a.v - b.v : op == '*' ? a.v * b.v : a.v / b.v);
	return text(g, false, op == '+' ? "(% + %)" : op == '-' ? "(% - %)" : op == '*' ? "(% * %)" : "(% / %)", args);
}
static gx add(geo *g, gx a, gx b) { return op2(g, '+', a, b); }
static gx sub(geo *g, gx a, gx b) { return op2(g, '-', a, b); }
static gx mul(geo *g, gx a, gx b) { return op2(g, '*', a, b); }

/* The functions used, with their C equivalent for constants.  Angles given to SQL in degrees. */
typedef enum fn1 { SIND, COSD, SIND_HALF, COSD_HALF, TAND_HALF, SQ, SQRT_, ABS_, ASIN_, NORM360 } fn1;

static gx call1(geo *g, fn1 f, gx x)
{
	static const char *const fmt[] = {
		[SIND] = "SIN(RADIANS(%))",         [COSD] = "COS(RADIANS(%))",
		[SIND_HALF] = "SIN(RADIANS(%) / 2)", [COSD_HALF] = "COS(RADIANS(%) / 2)",
		[TAND_HALF] = "TAN(RADIANS(%) / 2)", [SQ] = "POWER(%, 2)",
		[SQRT_] = "SQRT(%)",                 [ABS_] = "ABS(%)",
		[ASIN_] = "ASIN(%)",                 [NORM360] = "MOD(% + 360, 360)",
	};
	if (!x.is_const)
		return text(g, false, fmt[f], &x);
	double v = x.v;
	switch (f) {
	case SIND: return num(sin(v * RAD));
	case COSD: return num(cos(v * RAD));
	case SIND_HALF: return num(sin(v * RAD / 2));
	case COSD_HALF: return num(cos(v * RAD / 2));
	case TAND_HALF: return num(tan(v * RAD / 2));
	case SQ: return num(v * v);
	case SQRT_: return num(sqrt(v));
	case ABS_: return num(fabs(v));
	case ASIN_: return num(asin(v));
	case NORM360: return num(fmod(v + 360.0, 360.0));
	}
	return x;
}

/* DEGREES(ATAN2(y, x)) */
static gx atan2d(geo *g, gx y, gx x)
{
	gx args[2] = { y, x };
	return y.is_const && x.is_const ? num(atan2(y.v, x.v) / RAD) : text(g, false, "DEGREES(ATAN2(%, %))", args);
}

static gx least(geo *g, gx a, gx b)
{
	gx args[2] = { a, b };
	return a.is_const && b.is_const ? num(fmin(a.v, b.v)) : text(g, false, "LEAST(%, %)", args);
}

/* a <= b, a >= b */
static gx cmp(geo *g, gx a, bool is_le, gx b)
{
	gx args[2] = { a, b };
	if (a.is_const && b.is_const)
		return truth(is_le ? a.v <= b.v : a.v >= b.v);
	return text(g, true, is_le ? "(% <= %)" : "(% >= %)", args);
}

static gx between(geo *g, gx x, gx lo, gx hi)
{
	gx args[3] = { x, lo, hi };
	if (x.is_const && lo.is_const && hi.is_const)
		return truth(lo.v <= x.v && x.v <= hi.v);
	return text(g, true, "(% BETWEEN % AND %)", args);
}

static gx not_(geo *g, gx c) { return c.is_const ? truth(c.v == 0) : text(g, true, "NOT %", &c); }

static gx case_when(geo *g, gx c, gx a, gx b)
{
	gx args[3] = { c, a, b };
	if (c.is_const)
		return c.v != 0 ? a : b;
	return text(g, true, "CASE WHEN % THEN % ELSE % END", args);
}

/* An AND or OR of any number of conditions, written flat -- (a AND b AND c) -- so that long
 * polygons do not nest parentheses thousands deep.  Constants fold: a false operand decides an
 * AND, a true one is dropped. */
typedef struct chain {
	const char *sep; /* " AND " or " OR " */
	bool absorb;     /* the operand value that decides the whole: false for AND, true for OR */
	bool is_decided; /* such an operand was added */
	size_t n;        /* SQL operands in acc */
	strbuf acc;      /* their text, separated */
} chain;

static void chain_init(chain *c, bool is_and)
{
	memset(c, 0, sizeof *c);
	c->sep = is_and ? " AND " : " OR ";
	c->absorb = !is_and;
	strbuf_init(&c->acc, 0);
}

static void chain_add(geo *g, chain *c, gx x)
{
	if (x.is_const) {
		c->is_decided = c->is_decided || (x.v != 0) == c->absorb;
		return;
	}
	if (c->n++)
		strbuf_puts(&c->acc, c->sep);
	put(g, &c->acc, x);
}

static gx chain_end(geo *g, chain *c)
{
	gx r = truth(c->is_decided ? c->absorb : !c->absorb);
	if (strbuf_failed(&c->acc) && g->rc == TR_OK)
		g->rc = tr_err_set(g->err, TR_ENOMEM, -1, 0, "out of memory translating a geometry");
	if (!c->is_decided && c->n > 0) {
		r = (gx){ .is_bool = true, .off = strbuf_len(&g->s) };
		strbuf_putc(&g->s, '(');
		copy_text(&g->s, &c->acc, 0, strbuf_len(&c->acc));
		strbuf_putc(&g->s, ')');
		r.len = strbuf_len(&g->s) - r.off;
	}
	strbuf_free(&c->acc);
	return r;
}

/* ---- arguments --------------------------------------------------------------------------------------- */

/* The value of a constant numeric expression (literals, signs, + - * /), computed as the database
 * would: integer division truncates (translate.h: integer / integer is DIV); false when the
 * expression is not constant or the database's exact integers could differ from doubles. */
static bool const_value(const adql_node *n, double *out)
{
	double a, b;
	switch (n->kind) {
	case ADQL_N_NUMBER:
		if (n->number.num_kind == ADQL_NUM_HEX) {
			*out = (double)n->number.u64;
			return n->number.fits_u64 && *out < EXACT_INT_MAX;
		}
		*out = strtod(n->number.text, NULL);
		return isfinite(*out) && (n->number.num_kind != ADQL_NUM_INTEGER || *out < EXACT_INT_MAX);
	case ADQL_N_UNARY:
		if (n->unary.op == ADQL_OP_BITNOT || !const_value(n->unary.arg, &a))
			return false;
		*out = n->unary.op == ADQL_OP_NEG ? -a : a;
		return true;
	case ADQL_N_BINARY: {
		if (!const_value(n->binary.left, &a) || !const_value(n->binary.right, &b))
			return false;
		bool ints = adql_type_is_integer(n->binary.left->annot->type) &&
		            adql_type_is_integer(n->binary.right->annot->type);
		switch (n->binary.op) {
		case ADQL_OP_ADD: *out = a + b; break;
		case ADQL_OP_SUB: *out = a - b; break;
		case ADQL_OP_MUL: *out = a * b; break;
		case ADQL_OP_DIV:
			if (b == 0)
				return false; /* NULL in SQL */
			*out = ints ? (double)((int64_t)a / (int64_t)b) : a / b;
			break;
		default: return false;
		}
		return isfinite(*out) && (!ints || fabs(*out) < EXACT_INT_MAX);
	}
	default: return false;
	}
}

/* A numeric argument: a constant, or its SQL from the translator. */
static gx value_of(geo *g, const adql_node *n)
{
	double v;
	if (const_value(n, &v))
		return num(v);
	gx r = { .off = strbuf_len(&g->s), .is_real = n->annot && n->annot->type == ADQL_TYPE_REAL };
	int rc = adql_translate_value(g->t, n, &g->s, g->err);
	if (rc != TR_OK && g->rc == TR_OK)
		g->rc = rc;
	r.len = strbuf_len(&g->s) - r.off;
	return r;
}

/* ---- shapes -------------------------------------------------------------------------------------------- */

typedef enum shape_kind { SH_NULL, SH_POINT, SH_CIRCLE, SH_BOX, SH_POLYGON } shape_kind;

typedef struct pt {
	gx ra, dec; /* degrees */
} pt;

/* What a geometry argument is, with its numbers as fragments. */
typedef struct shape {
	shape_kind kind;
	const adql_node *node; /* where it was written, for messages */
	pt c;                  /* POINT: the point; CIRCLE, BOX: the centre */
	gx r;                  /* CIRCLE: radius */
	gx w, h;               /* BOX: width, height */
	size_t n;              /* POLYGON: vertices */
	pt *v;                 /* POLYGON: the n vertices, in mem */
	strbuf mem;            /* owns v */
} shape;

static const char *const shape_name[] = { "NULL", "a point", "a circle", "a box", "a polygon" };

static void shape_free(shape *s) { strbuf_free(&s->mem); }

static int shape_of(geo *g, const adql_node *n, shape *out);

static int check_dec(geo *g, gx dec, const adql_node *at)
{
	if (dec.is_const && !(dec.v >= -90.0 && dec.v <= 90.0))
		return fail(g, TR_EBADREQ, at, "declination %.17g is outside [-90, 90]", dec.v);
	return TR_OK;
}

/* A point given as a POINT argument (or NULL) or as two numbers. */
static int point_arg(geo *g, const adql_list *args, size_t i, bool is_pair, pt *out)
{
	if (is_pair) {
		out->ra = value_of(g, args->nodes[i]);
		out->dec = value_of(g, args->nodes[i + 1]);
		return check_dec(g, out->dec, args->nodes[i + 1]);
	}
	shape s;
	int rc = shape_of(g, args->nodes[i], &s);
	if (rc == TR_OK && s.kind == SH_POINT)
		*out = s.c;
	else if (rc == TR_OK && s.kind == SH_NULL)
		out->ra = out->dec = sql_null(g);
	else if (rc == TR_OK)
		rc = fail(g, TR_EINTERNAL, args->nodes[i], "a point was expected");
	shape_free(&s);
	return rc;
}

static bool ucd_has(const char *ucd, const char *atom)
{
	size_t n = strlen(atom);
	for (const char *p = ucd; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *e = p;
		while (*e && *e != ';')
			e++;
		size_t m = (size_t)(e - p);
		while (m > 0 && p[m - 1] == ' ')
			m--;
		bool same = m == n;
		for (size_t i = 0; same && i < n; i++)
			same = tolower((unsigned char)p[i]) == atom[i];
		if (same)
			return true;
		p = e;
	}
	return false;
}

static gx column_sql(geo *g, const adql_range *r, const catalog_column *c)
{
	char corr[32];
	snprintf(corr, sizeof corr, "t%u", r->id); /* the translator's name for the FROM entry (resolve.h) */
	bool is_real = strcmp(c->datatype, "float") == 0 || strcmp(c->datatype, "REAL") == 0;
	gx x = { .off = strbuf_len(&g->s), .is_real = is_real };
	adql_translate_ident(&g->s, corr);
	strbuf_putc(&g->s, '.');
	adql_translate_ident(&g->s, c->db_name);
	x.len = strbuf_len(&g->s) - x.off;
	return x;
}

/* A POINT-typed column of a published table stands for the table's main position (geometry.h). */
static int point_column(geo *g, const adql_node *n, shape *out)
{
	const adql_range *r = n->annot->ref.range;
	const catalog_column *ra = NULL, *dec = NULL;
	for (size_t i = 0; r && r->kind == ADQL_RANGE_TABLE && i < r->table->n_columns; i++) {
		const catalog_column *c = r->table->columns[i];
		if (ucd_has(c->ucd, "meta.main") && ucd_has(c->ucd, "pos.eq.ra"))
			ra = c;
		if (ucd_has(c->ucd, "meta.main") && ucd_has(c->ucd, "pos.eq.dec"))
			dec = c;
	}
	if (ra == NULL || dec == NULL) {
		fail(g, TR_EUNSUPPORTED, n, "this point column cannot be used in geometry functions: write POINT(ra, dec)");
		tr_err_detail(g->err, "a point column stands for its table's columns with UCDs pos.eq.ra;meta.main and "
		                      "pos.eq.dec;meta.main, and this table has no such pair");
		return TR_EUNSUPPORTED;
	}
	out->kind = SH_POINT;
	out->c.ra = column_sql(g, r, ra);
	out->c.dec = column_sql(g, r, dec);
	return TR_OK;
}

static int polygon_args(geo *g, const adql_node *n, shape *out)
{
	const adql_list *args = &n->func.args;
	adql_type t0 = args->nodes[0]->annot->type, t1 = args->nodes[1]->annot->type;
	bool of_points = t0 == ADQL_TYPE_POINT || (t0 == ADQL_TYPE_NULL && t1 == ADQL_TYPE_POINT); /* as resolved */
	size_t nv = of_points ? args->n_nodes : args->n_nodes / 2;
	out->kind = SH_POLYGON;
	out->v = (pt *)(void *)strbuf_reserve(&out->mem, nv * sizeof *out->v);
	if (out->v == NULL)
		return fail(g, TR_ENOMEM, n, "out of memory translating a polygon");
	for (size_t i = 0; i < nv; i++) {
		int rc = point_arg(g, args, of_points ? i : 2 * i, !of_points, &out->v[i]);
		if (rc != TR_OK)
			return rc;
	}
	out->n = nv;
	return TR_OK;
}

/* The query offset of byte off of a string literal's content: quotes were doubled in the query. */
static long string_offset(const adql_node *s, long off)
{
	long q = s->pos + 1 + off;
	for (long i = 0; i < off && i < (long)s->string.value_len; i++)
		q += s->string.value[i] == '\'';
	return q;
}

static int region_shape(geo *g, const adql_node *n, shape *out)
{
	const adql_node *s = n->func.args.nodes[0];
	if (s->kind != ADQL_N_STRING) {
		fail(g, TR_EUNSUPPORTED, s, "REGION takes a string literal here");
		tr_err_detail(g->err, "the STC-S text is read when the query is translated, so it cannot come from a column");
		return TR_EUNSUPPORTED;
	}
	geo_region rg;
	bool was_set = tr_err_isset(g->err);
	int rc = geo_region_parse(s->string.value, s->string.value_len, &rg, g->err);
	if (rc != TR_OK) {
		if (!was_set && g->err->pos >= 0) /* the parser's offset is into the string's content */
			g->err->pos = string_offset(s, g->err->pos);
		return g->rc = rc;
	}
	const double *x = rg.num;
	switch (rg.kind) {
	case GEO_REGION_POINT: out->kind = SH_POINT; break;
	case GEO_REGION_CIRCLE: out->kind = SH_CIRCLE, out->r = num(x[2]); break;
	case GEO_REGION_BOX: out->kind = SH_BOX, out->w = num(x[2]), out->h = num(x[3]); break;
	case GEO_REGION_POLYGON:
		out->kind = SH_POLYGON;
		out->v = (pt *)(void *)strbuf_reserve(&out->mem, rg.n / 2 * sizeof *out->v);
		if (out->v == NULL) {
			geo_region_free(&rg);
			return fail(g, TR_ENOMEM, n, "out of memory translating a polygon");
		}
		out->n = rg.n / 2;
		for (size_t i = 0; i < out->n; i++) {
			out->v[i] = (pt){ num(x[2 * i]), num(x[2 * i + 1]) };
			if (rc == TR_OK)
				rc = check_dec(g, out->v[i].dec, s);
		}
		break;
	}
	if (rg.kind != GEO_REGION_POLYGON) {
		out->c = (pt){ num(x[0]), num(x[1]) };
		rc = check_dec(g, out->c.dec, s);
	}
	geo_region_free(&rg);
	return rc;
}

/* The constant polygon of a POLYGON or of a BOX with 0 < w, h < 180; *out_ok false (no error) for a
 * box that is not one (then the box formula applies). */
static int const_poly(geo *g, const shape *s, geo_poly *out, bool *out_ok)
{
	*out_ok = false;
	if (s->kind == SH_BOX) {
		if (!(s->c.ra.is_const && s->c.dec.is_const && s->w.is_const && s->h.is_const) || !(s->w.v > 0) ||
		    !(s->w.v < 180) || !(s->h.v > 0) || !(s->h.v < 180))
			return TR_OK;
		double radec[8];
		geo_box_vertices(s->c.ra.v, s->c.dec.v, s->w.v, s->h.v, radec);
		*out_ok = geo_poly_init(radec, 4, out) == GEO_POLY_OK;
		return TR_OK;
	}
	strbuf tmp = STRBUF_INIT(0);
	for (size_t i = 0; i < s->n; i++) {
		if (!s->v[i].ra.is_const || !s->v[i].dec.is_const) {
			strbuf_free(&tmp);
			fail(g, TR_EUNSUPPORTED, s->node, "a POLYGON here must have constant vertices");
			tr_err_detail(g->err, "CONTAINS, INTERSECTS, AREA and CENTROID analyse the polygon when the query is "
			                      "translated; vertices computed from columns are only allowed in the select list");
			return TR_EUNSUPPORTED;
		}
		double xy[2] = { s->v[i].ra.v, s->v[i].dec.v };
		strbuf_add(&tmp, xy, sizeof xy);
	}
	const double *radec = (const double *)(const void *)strbuf_str(&tmp);
	geo_poly_status st = strbuf_failed(&tmp) ? GEO_POLY_NOMEM : geo_poly_init(radec, s->n, out);
	strbuf_free(&tmp);
	if (st == GEO_POLY_OK) {
		*out_ok = true;
		return TR_OK;
	}
	int code = st == GEO_POLY_NOMEM ? TR_ENOMEM : st == GEO_POLY_TOO_MANY ? TR_ELIMIT
	           : st == GEO_POLY_TOO_LARGE                                ? TR_EUNSUPPORTED
	                                                                     : TR_EBADREQ;
	fail(g, code, s->node, "invalid POLYGON: %s", geo_poly_strerror(st));
	tr_err_detail(g->err, "ADQL 2.1 §4.2.6: vertices joined by great circles; the inside is the smaller region");
	return code;
}

static int centroid_shape(geo *g, const adql_node *n, shape *out)
{
	shape in;
	int rc = shape_of(g, n->func.args.nodes[0], &in);
	if (rc == TR_OK && in.kind == SH_POLYGON) {
		geo_poly p;
		bool ok;
		rc = const_poly(g, &in, &p, &ok);
		if (rc == TR_OK) {
			double ra, dec;
			geo_vec_to_radec(geo_poly_centroid(&p), &ra, &dec);
			out->c = (pt){ num(ra), num(dec) };
			geo_poly_free(&p);
		}
	} else if (rc == TR_OK) {
		out->c = in.c; /* a point's own; a circle's and a box's centre, by their symmetry */
	}
	out->kind = in.kind == SH_NULL ? SH_NULL : SH_POINT;
	shape_free(&in);
	return rc;
}

/* Reads a geometry argument (any expression the resolver typed as a geometry, or NULL). */
static int shape_of(geo *g, const adql_node *n, shape *out)
{
	memset(out, 0, sizeof *out);
	strbuf_init(&out->mem, 0);
	out->node = n;
	if (n->kind == ADQL_N_NULL)
		return TR_OK;
	if (n->kind == ADQL_N_COLUMN && n->annot->type == ADQL_TYPE_POINT)
		return point_column(g, n, out);
	if (n->kind != ADQL_N_FUNC) {
		fail(g, TR_EUNSUPPORTED, n, "%s computed this way cannot be used in geometry functions",
		     adql_type_name(n->annot->type));
		tr_err_detail(g->err, "write the geometry with POINT, CIRCLE, BOX, POLYGON or REGION('...')");
		return TR_EUNSUPPORTED;
	}
	const adql_list *args = &n->func.args;
	size_t na = args->n_nodes;
	int rc = TR_OK;
	switch (n->func.fn) {
	case ADQL_FN_POINT: out->kind = SH_POINT; return point_arg(g, args, 0, true, &out->c);
	case ADQL_FN_CIRCLE:
		out->kind = SH_CIRCLE;
		rc = point_arg(g, args, 0, na == 3, &out->c);
		out->r = value_of(g, args->nodes[na - 1]);
		if (rc == TR_OK && out->r.is_const && !(out->r.v >= 0))
			rc = fail(g, TR_EBADREQ, args->nodes[na - 1], "CIRCLE radius %.17g is negative", out->r.v);
		return rc;
	case ADQL_FN_BOX:
		out->kind = SH_BOX;
		rc = point_arg(g, args, 0, na == 4, &out->c);
		out->w = value_of(g, args->nodes[na - 2]);
		out->h = value_of(g, args->nodes[na - 1]);
		for (size_t i = na - 2; rc == TR_OK && i < na; i++) {
			gx x = i == na - 2 ? out->w : out->h;
			if (x.is_const && !(x.v >= 0 && x.v <= 180))
				rc = fail(g, TR_EBADREQ, args->nodes[i], "BOX width and height must be within [0, 180], found %.17g", x.v);
		}
		return rc;
	case ADQL_FN_POLYGON: return polygon_args(g, n, out);
	case ADQL_FN_REGION: return region_shape(g, n, out);
	case ADQL_FN_CENTROID: return centroid_shape(g, n, out);
	default: break;
	}
	return fail(g, TR_EINTERNAL, n, "%s is not a geometry value", adql_func_get(n->func.fn)->name);
}

/* ---- tests and prefilters -------------------------------------------------------------------------------- */

/* Haversine of the distance d between p and q, sin^2(d/2), and of its supplement, cos^2(d/2). */
static gx hav(geo *g, pt p, pt q, bool is_supplement)
{
	gx cc = mul(g, call1(g, COSD, p.dec), call1(g, COSD, q.dec));
	gx dra = sub(g, p.ra, q.ra);
	if (!is_supplement)
		return add(g, call1(g, SQ, call1(g, SIND_HALF, sub(g, p.dec, q.dec))),
		           mul(g, cc, call1(g, SQ, call1(g, SIND_HALF, dra))));
	return add(g, call1(g, SQ, call1(g, SIND_HALF, add(g, p.dec, q.dec))),
	           mul(g, cc, call1(g, SQ, call1(g, COSD_HALF, dra))));
}

/* DISTANCE in degrees: 2 atan2(sqrt(h), sqrt(h')). */
static gx distance(geo *g, pt p, pt q)
{
	return mul(g, num(2), atan2d(g, call1(g, SQRT_, hav(g, p, q, false)), call1(g, SQRT_, hav(g, p, q, true))));
}

/* dec (and, unless every RA is in, ra) of p within the box b. */
static void bbox_on(geo *g, chain *into, pt p, const geo_bbox *b)
{
	if (b->dec_lo > -90.0 || b->dec_hi < 90.0)
		chain_add(g, into, between(g, p.dec, num(b->dec_lo), num(b->dec_hi)));
	if (b->is_all_ra)
		return;
	chain any;
	chain_init(&any, false);
	for (size_t i = 0; i < b->n_ra; i++)
		chain_add(g, &any, between(g, p.ra, num(b->ra_lo[i]), num(b->ra_hi[i])));
	chain_add(g, into, chain_end(g, &any));
}

/* The prefilter of "p within r of q", on whichever side is not constant.  With a constant centre and
 * radius it is the cap's bounding box (geo_bbox_cap); otherwise the declination band, written for
 * both sides when both vary, so that the database can use the index of either table in a join
 * (a cross-match's inner table reaches its dec index through "range checked for each record").  An
 * RA condition for a moving centre would need the same trigonometry per row as the exact test,
 * so it is left out. */
static void within_prefilter(geo *g, chain *into, pt p, pt q, gx r)
{
	bool p_const = p.ra.is_const && p.dec.is_const, q_const = q.ra.is_const && q.dec.is_const;
	if (r.is_const && r.v >= 0 && p_const != q_const) {
		pt at = q_const ? q : p, on = q_const ? p : q;
		geo_bbox b;
		geo_bbox_cap(at.ra.v, at.dec.v, r.v, &b);
		bbox_on(g, into, on, &b);
		return;
	}
	gx rp = add(g, r, num(GEO_PAD_DEG));
	if (!p.dec.is_const)
		chain_add(g, into, between(g, p.dec, sub(g, q.dec, rp), add(g, q.dec, rp)));
	if (!q.dec.is_const)
		chain_add(g, into, between(g, q.dec, sub(g, p.dec, rp), add(g, p.dec, rp)));
}

/* p within angular distance r of q (the border included). */
static gx within(geo *g, pt p, pt q, gx r, bool prefilter)
{
	chain all;
	chain_init(&all, true);
	if (prefilter)
		within_prefilter(g, &all, p, q, r);
	if (r.is_const) {
		if (r.v < 0)
			chain_add(g, &all, truth(false));
		else if (r.v <= 90)
			chain_add(g, &all, cmp(g, hav(g, p, q, false), true, num(pow(sin(r.v * RAD / 2), 2))));
		else
			chain_add(g, &all, cmp(g, hav(g, p, q, true), false, num(pow(cos(fmin(r.v, 180.0) * RAD / 2), 2))));
	} else {
		gx small = cmp(g, hav(g, p, q, false), true, call1(g, SQ, call1(g, SIND_HALF, r)));
		gx large = cmp(g, hav(g, p, q, true), false, call1(g, SQ, call1(g, COSD_HALF, least(g, r, num(180)))));
		chain_add(g, &all, cmp(g, r, false, num(0)));
		chain_add(g, &all, case_when(g, cmp(g, r, true, num(90)), small, large));
	}
	return chain_end(g, &all);
}

/* The unit vector of p, as three fragments. */
static void unit_vec(geo *g, pt p, gx xyz[3])
{
	gx cd = call1(g, COSD, p.dec);
	xyz[0] = mul(g, cd, call1(g, COSD, p.ra));
	xyz[1] = mul(g, cd, call1(g, SIND, p.ra));
	xyz[2] = call1(g, SIND, p.dec);
}

/* P . n >= 0: p on the inner side of an edge. */
static gx halfspace(geo *g, const gx xyz[3], geo_vec n)
{
	gx d = add(g, add(g, mul(g, num(n.x), xyz[0]), mul(g, num(n.y), xyz[1])), mul(g, num(n.z), xyz[2]));
	return cmp(g, d, false, num(0));
}

static gx in_polygon(geo *g, pt p, const geo_poly *poly, bool prefilter)
{
	chain all;
	chain_init(&all, true);
	if (prefilter && !(p.ra.is_const && p.dec.is_const)) {
		geo_bbox b;
		geo_poly_bbox(poly, &b);
		bbox_on(g, &all, p, &b);
	}
	gx xyz[3];
	unit_vec(g, p, xyz);
	if (poly->is_convex) {
		for (size_t i = 0; i < poly->n; i++)
			chain_add(g, &all, halfspace(g, xyz, geo_poly_edge(poly, i, (i + 1) % poly->n)));
		return chain_end(g, &all);
	}
	chain any;
	chain_init(&any, false);
	for (size_t t = 0; t < poly->n_tri; t++) {
		const size_t *v = poly->tri + 3 * t;
		chain tri;
		chain_init(&tri, true);
		for (int k = 0; k < 3; k++)
			chain_add(g, &tri, halfspace(g, xyz, geo_poly_edge(poly, v[k], v[(k + 1) % 3])));
		chain_add(g, &any, chain_end(g, &tri));
	}
	chain_add(g, &all, chain_end(g, &any));
	return chain_end(g, &all);
}

/* The box test in the centre's frame (geometry.h): x >= 0, |y| cos(w/2) <= x sin(w/2),
 * |z| cos(h/2) <= x sin(h/2).  For boxes that are not constant polygons. */
static gx in_box_formula(geo *g, pt p, const shape *b, bool prefilter)
{
	chain all;
	chain_init(&all, true);
	if (b->w.is_const && b->h.is_const) {
		/* the box lies within the cap through its corners */
		double ta = tan(b->w.v / 2 * RAD), tb = tan(b->h.v / 2 * RAD);
		double rho = b->w.v >= 180 || b->h.v >= 180 ? 90.0 : atan(hypot(ta, tb)) / RAD;
		if (prefilter)
			within_prefilter(g, &all, p, b->c, num(rho));
	} else {
		chain_add(g, &all, between(g, b->w, num(0), num(180)));
		chain_add(g, &all, between(g, b->h, num(0), num(180)));
	}
	gx d = sub(g, p.ra, b->c.ra), cpd = call1(g, COSD, p.dec), s2 = call1(g, SQ, call1(g, SIND_HALF, d));
	gx ddec = sub(g, p.dec, b->c.dec);
	gx x = sub(g, call1(g, COSD, ddec), mul(g, mul(g, num(2), mul(g, cpd, call1(g, COSD, b->c.dec))), s2));
	gx y = mul(g, cpd, call1(g, SIND, d));
	gx z = add(g, call1(g, SIND, ddec), mul(g, mul(g, num(2), mul(g, call1(g, SIND, b->c.dec), cpd)), s2));
	chain_add(g, &all, cmp(g, x, false, num(0)));
	chain_add(g, &all, cmp(g, mul(g, call1(g, ABS_, y), call1(g, COSD_HALF, b->w)), true,
	                       mul(g, x, call1(g, SIND_HALF, b->w))));
	chain_add(g, &all, cmp(g, mul(g, call1(g, ABS_, z), call1(g, COSD_HALF, b->h)), true,
	                       mul(g, x, call1(g, SIND_HALF, b->h))));
	return chain_end(g, &all);
}

/* p in a polygon or box. */
static int in_area(geo *g, pt p, const shape *s, bool prefilter, gx *out)
{
	geo_poly poly;
	bool ok;
	int rc = const_poly(g, s, &poly, &ok);
	if (rc != TR_OK)
		return rc;
	if (!ok) {
		*out = in_box_formula(g, p, s, prefilter);
		return TR_OK;
	}
	*out = in_polygon(g, p, &poly, prefilter);
	geo_poly_free(&poly);
	return TR_OK;
}

/* CONTAINS(a, b) or INTERSECTS(a, b) as a condition. */
static int relate(geo *g, const adql_node *fn, const shape *a, const shape *b, bool prefilter, gx *out)
{
	bool is_contains = fn->func.fn == ADQL_FN_CONTAINS;
	if (a->kind == SH_NULL || b->kind == SH_NULL) {
		*out = sql_null(g);
		return TR_OK;
	}
	if (!is_contains && a->kind != SH_POINT && b->kind == SH_POINT) {
		const shape *t = a; /* INTERSECTS is symmetric: the point first */
		a = b;
		b = t;
	}
	if (a->kind == SH_POINT && b->kind == SH_CIRCLE) {
		*out = within(g, a->c, b->c, b->r, prefilter);
		return TR_OK;
	}
	if (a->kind == SH_POINT && (b->kind == SH_POLYGON || b->kind == SH_BOX))
		return in_area(g, a->c, b, prefilter, out);
	if (a->kind == SH_CIRCLE && b->kind == SH_CIRCLE) {
		/* ADQL 2.1 §4.2.3: a circle in a circle when the distance of the centres plus its radius is at
		 * most the other's; circles intersect when the distance is at most the sum of the radii */
		gx r = is_contains ? sub(g, b->r, a->r) : add(g, a->r, b->r);
		*out = within(g, a->c, b->c, r, prefilter);
		return TR_OK;
	}
	fail(g, TR_EUNSUPPORTED, fn, "%s(%s, %s) is not supported", adql_func_get(fn->func.fn)->name, shape_name[a->kind],
	     shape_name[b->kind]);
	tr_err_detail(g->err, "supported: CONTAINS of a point in a circle, box, polygon or region, CONTAINS of a circle in "
	                      "a circle, INTERSECTS of a point with any of them, INTERSECTS of two circles");
	return TR_EUNSUPPORTED;
}

/* ---- the emitter ----------------------------------------------------------------------------------------- */

static void geo_open(geo *g, adql_tr *t, tr_err *err)
{
	g->t = t;
	g->err = err;
	g->rc = TR_OK;
	strbuf_init(&g->s, 0);
}

static int geo_close(geo *g, int rc)
{
	if (rc == TR_OK)
		rc = g->rc;
	if (rc == TR_OK && strbuf_failed(&g->s))
		rc = tr_err_set(g->err, TR_ENOMEM, -1, 0, "out of memory translating a geometry");
	strbuf_free(&g->s);
	return rc;
}

static int relation(geo *g, const adql_node *fn, bool prefilter, gx *out)
{
	shape a, b;
	memset(&b, 0, sizeof b);
	int rc = shape_of(g, fn->func.args.nodes[0], &a);
	if (rc == TR_OK)
		rc = shape_of(g, fn->func.args.nodes[1], &b);
	if (rc == TR_OK)
		rc = relate(g, fn, &a, &b, prefilter, out);
	shape_free(&a);
	shape_free(&b);
	return rc;
}

static int emit_predicate(void *ctx, adql_tr *t, const adql_node *fn, bool is_true, strbuf *out, tr_err *err)
{
	(void)ctx;
	geo g;
	geo_open(&g, t, err);
	gx c;
	/* the prefilter only helps a positive test; the complement of a region has no small box */
	int rc = relation(&g, fn, is_true, &c);
	if (rc == TR_OK && g.rc == TR_OK)
		put(&g, out, is_true ? c : not_(&g, c));
	return geo_close(&g, rc);
}


/* One number of a DALI serialization: CONCAT(n1, ' ', n2, ...) is NULL when any number is. */
static void put_item(geo *g, strbuf *out, size_t i, gx v)
{
	if (i) {
		strbuf_puts(out, ", ");
		adql_translate_string(out, " ", 1);
		strbuf_puts(out, ", ");
	}
	if (!v.is_real) {
		put(g, out, v);
		return;
	}
	/* a FLOAT becomes text with 6 digits; as a DOUBLE it keeps its whole value */
	strbuf_putc(out, '(');
	put(g, out, v);
	strbuf_puts(out, " + 0e0)");
}

/* The corners of a box whose numbers are not all constant, as fragments (geo_box_vertices). */
static void box_corners(geo *g, const shape *s, gx radec[8])
{
	static const double corner[4][2] = { { -1, 1 }, { 1, 1 }, { 1, -1 }, { -1, -1 } };
	gx ta = call1(g, TAND_HALF, s->w), tb = call1(g, TAND_HALF, s->h);
	gx ca = call1(g, COSD, s->c.ra), sa = call1(g, SIND, s->c.ra);
	gx cd = call1(g, COSD, s->c.dec), sd = call1(g, SIND, s->c.dec);
	for (int i = 0; i < 4; i++) {
		gx e = mul(g, num(corner[i][0]), ta), n = mul(g, num(corner[i][1]), tb);
		/* C + e E + n N with C = (cd ca, cd sa, sd), E = (-sa, ca, 0), N = (-sd ca, -sd sa, cd) */
		gx x = sub(g, sub(g, mul(g, cd, ca), mul(g, e, sa)), mul(g, n, mul(g, sd, ca)));
		gx y = sub(g, add(g, mul(g, cd, sa), mul(g, e, ca)), mul(g, n, mul(g, sd, sa)));
		gx z = add(g, sd, mul(g, n, cd));
		radec[2 * i] = call1(g, NORM360, atan2d(g, y, x));
		radec[2 * i + 1] = atan2d(g, z, call1(g, SQRT_, add(g, call1(g, SQ, x), call1(g, SQ, y))));
	}
}

/* A geometry value in the select list (or anywhere a value is wanted): its DALI serialization. */
static void serialize(geo *g, const shape *s, strbuf *out)
{
	gx v[8];
	if (s->kind == SH_NULL) {
		strbuf_puts(out, "NULL");
		return;
	}
	strbuf_puts(out, "CONCAT(");
	switch (s->kind) {
	case SH_POINT:
	case SH_CIRCLE:
		put_item(g, out, 0, s->c.ra);
		put_item(g, out, 1, s->c.dec);
		if (s->kind == SH_CIRCLE)
			put_item(g, out, 2, s->r);
		break;
	case SH_BOX:
		if (s->c.ra.is_const && s->c.dec.is_const && s->w.is_const && s->h.is_const) {
			double radec[8];
			geo_box_vertices(s->c.ra.v, s->c.dec.v, s->w.v, s->h.v, radec);
			for (int i = 0; i < 8; i++)
				v[i] = num(radec[i]);
		} else {
			box_corners(g, s, v);
		}
		for (size_t i = 0; i < 8; i++)
			put_item(g, out, i, v[i]);
		break;
	case SH_POLYGON:
		for (size_t i = 0; i < s->n; i++) {
			put_item(g, out, 2 * i, s->v[i].ra);
			put_item(g, out, 2 * i + 1, s->v[i].dec);
		}
		break;
	case SH_NULL: break;
	}
	strbuf_putc(out, ')');
}

/* AREA in square degrees: a circle 2 pi (1 - cos r) = 4 pi sin^2(r/2) sr (the second form keeps
 * its precision for tiny radii); a box 4 asin(sin(w/2) sin(h/2)) sr (the solid angle of a
 * rectangle in the gnomonic plane); a polygon its spherical excess; a point 0. */
static int area(geo *g, const shape *s, gx *out)
{
	geo_poly poly;
	bool ok;
	int rc = TR_OK;
	switch (s->kind) {
	case SH_NULL: *out = sql_null(g); break;
	case SH_POINT: *out = num(0); break;
	case SH_CIRCLE:
		*out = mul(g, num(4 * M_PI * SQDEG_PER_SR), call1(g, SQ, call1(g, SIND_HALF, least(g, s->r, num(180)))));
		break;
	case SH_BOX:
		*out = mul(g, num(4 * SQDEG_PER_SR), call1(g, ASIN_, mul(g, call1(g, SIND_HALF, s->w), call1(g, SIND_HALF, s->h))));
		break;
	case SH_POLYGON:
		rc = const_poly(g, s, &poly, &ok);
		if (rc == TR_OK) {
			*out = num(geo_poly_area(&poly));
			geo_poly_free(&poly);
		}
		break;
	}
	return rc;
}

static int emit_value(void *ctx, adql_tr *t, const adql_node *fn, strbuf *out, tr_err *err)
{
	(void)ctx;
	geo g;
	geo_open(&g, t, err);
	const adql_list *args = &fn->func.args;
	shape a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	gx v = num(0);
	int rc = TR_OK;
	switch (fn->func.fn) {
	case ADQL_FN_CONTAINS:
	case ADQL_FN_INTERSECTS: rc = relation(&g, fn, false, &v); break;
	case ADQL_FN_DISTANCE:
		if (args->n_nodes == 4) {
			pt p, q;
			rc = point_arg(&g, args, 0, true, &p);
			if (rc == TR_OK)
				rc = point_arg(&g, args, 2, true, &q);
			v = distance(&g, p, q);
			break;
		}
		rc = shape_of(&g, args->nodes[0], &a);
		if (rc == TR_OK)
			rc = shape_of(&g, args->nodes[1], &b);
		v = a.kind == SH_NULL || b.kind == SH_NULL ? sql_null(&g) : distance(&g, a.c, b.c);
		break;
	case ADQL_FN_COORD1:
	case ADQL_FN_COORD2:
		rc = shape_of(&g, args->nodes[0], &a);
		v = a.kind == SH_NULL ? sql_null(&g) : fn->func.fn == ADQL_FN_COORD1 ? a.c.ra : a.c.dec;
		break;
	case ADQL_FN_AREA:
		rc = shape_of(&g, args->nodes[0], &a);
		if (rc == TR_OK)
			rc = area(&g, &a, &v);
		break;
	case ADQL_FN_COORDSYS:
		/* the resolver accepted only ICRS (or no frame); a NULL geometry has no frame */
		if (args->nodes[0]->kind == ADQL_N_NULL)
			strbuf_puts(out, "NULL");
		else
			adql_translate_string(out, "ICRS", 4);
		return geo_close(&g, rc);
	case ADQL_FN_REGION:
		/* the resolver types REGION a string: a literal is validated, then given back as written;
		 * a computed string is passed on as it is */
		if (args->nodes[0]->kind != ADQL_N_STRING)
			return geo_close(&g, adql_translate_value(t, args->nodes[0], out, err));
		rc = shape_of(&g, fn, &a);
		if (rc == TR_OK)
			adql_translate_string(out, args->nodes[0]->string.value, args->nodes[0]->string.value_len);
		shape_free(&a);
		return geo_close(&g, rc);
	default:
		rc = shape_of(&g, fn, &a);
		if (rc == TR_OK && g.rc == TR_OK)
			serialize(&g, &a, out);
		shape_free(&a);
		return geo_close(&g, rc);
	}
	if (rc == TR_OK && g.rc == TR_OK) {
		if (!v.is_bool) {
			put(&g, out, v);
		} else {
			/* a condition as a value is 1, 0 or NULL: the ADQL result of CONTAINS and INTERSECTS */
			strbuf_putc(out, '(');
			put(&g, out, v);
			strbuf_putc(out, ')');
		}
	}
	shape_free(&a);
	shape_free(&b);
	return geo_close(&g, rc);
}

const adql_geom_emitter adql_geometry_emitter = { NULL, emit_value, emit_predicate };
