/* adql/resolve_expr: types value expressions and conditions, checking every operator and function.
 *
 * Must not look up names itself (rs_column in resolve.c does) nor emit SQL.  Every node it visits
 * gets an annotation: its type (adql/types.h), and the unit/UCD it carries.  Rules: ADQL 2.1 §2.3
 * (math, trig) and its optional functions (string, IN_UNIT, COALESCE, CAST, geometry argument
 * types; a coordinate system must be ICRS), SQL-92 §6.5 / §7.9 (aggregates: not in WHERE, ON or GROUP BY, not nested). */
#include <config.h>

#include "adql/resolve_int.h"

#include "adql/units.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------------------------- */

static int type_err(rs_expr *e, const adql_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int type_err(rs_expr *e, const adql_node *at, const char *fmt, ...)
{
	char msg[TR_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return tr_err_set(e->c->err, TR_ETYPE, at->pos, at->len, "%s", msg);
}

static adql_type ty(const adql_node *n) { return n->annot->type; }

static int sub(rs_expr *e, adql_node *n) { return n ? rs_expr_resolve(e, n) : TR_OK; }

static int sub_list(rs_expr *e, const adql_list *l)
{
	for (size_t i = 0; i < l->n_nodes; i++) {
		int rc = rs_expr_resolve(e, l->nodes[i]);
		if (rc != TR_OK)
			return rc;
	}
	return TR_OK;
}

/* Argument classes; NULL fits every one (SQL: a typeless NULL takes the type it needs). */
typedef bool type_test(adql_type t);
static bool is_number(adql_type t) { return t == ADQL_TYPE_NULL || adql_type_is_numeric(t); }
static bool is_integer(adql_type t) { return t == ADQL_TYPE_NULL || adql_type_is_integer(t); }
static bool is_string(adql_type t) { return t == ADQL_TYPE_NULL || t == ADQL_TYPE_CHAR; }
static bool is_point(adql_type t) { return t == ADQL_TYPE_NULL || t == ADQL_TYPE_POINT; }
static bool is_geometry(adql_type t) { return t == ADQL_TYPE_NULL || adql_type_is_geometry(t); }
/* what can be compared and sorted: MIN, MAX, CASE results */
static bool is_scalar(adql_type t) { return adql_type_comparable(t, t); }
/* what || and CAST to a string accept: anything scalar */
static bool is_textual(adql_type t) { return is_scalar(t); }
static bool is_castable_number(adql_type t) { return is_number(t) || t == ADQL_TYPE_CHAR || t == ADQL_TYPE_BOOLEAN; }
static bool is_castable_time(adql_type t) { return is_string(t) || t == ADQL_TYPE_TIMESTAMP; }
static bool is_value(adql_type t) { return t != ADQL_TYPE_CONDITION; }

/* "WHAT takes WANTED, found a string" at arg unless its type passes ok. */
static int want(rs_expr *e, const adql_node *arg, type_test *ok, const char *what, const char *wanted)
{
	if (ok(ty(arg)))
		return TR_OK;
	return type_err(e, arg, "%s takes %s, found %s", what, wanted, adql_type_name(ty(arg)));
}

/* The same for every argument of a list. */
static int want_all(rs_expr *e, const adql_list *args, type_test *ok, const char *what, const char *wanted)
{
	for (size_t i = 0; i < args->n_nodes; i++) {
		int rc = want(e, args->nodes[i], ok, what, wanted);
		if (rc != TR_OK)
			return rc;
	}
	return TR_OK;
}

static int set(adql_node *n, adql_type t, const char *unit)
{
	n->annot->type = t;
	n->annot->unit = unit;
	return TR_OK;
}

static bool same_unit(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* A numeric literal, signed or not: it scales a value without changing its unit. */
static bool is_plain_number(const adql_node *n)
{
	if (n->kind == ADQL_N_UNARY && n->unary.op != ADQL_OP_BITNOT)
		n = n->unary.arg;
	return n->kind == ADQL_N_NUMBER;
}

/* Integer arithmetic stays integer (64-bit, as MySQL computes it); anything else is double. */
static adql_type arith_type(adql_type a, adql_type b)
{
	bool both_null = a == ADQL_TYPE_NULL && b == ADQL_TYPE_NULL;
	return !both_null && is_integer(a) && is_integer(b) ? ADQL_TYPE_BIGINT : ADQL_TYPE_DOUBLE;
}

/* ---- literals and operators -------------------------------------------------------------------- */

static int number(rs_expr *e, adql_node *n)
{
	uint64_t v = n->number.u64;
	switch (n->number.num_kind) {
	case ADQL_NUM_INTEGER:
		if (n->number.fits_u64 && v <= INT32_MAX)
			return set(n, ADQL_TYPE_INTEGER, NULL);
		/* larger than 64 bits signed: MySQL reads it as an exact DECIMAL */
		return set(n, n->number.fits_u64 && v <= INT64_MAX ? ADQL_TYPE_BIGINT : ADQL_TYPE_DOUBLE, NULL);
	case ADQL_NUM_HEX:
		if (!n->number.fits_u64 || v > INT64_MAX)
			return tr_err_set(e->c->err, TR_ELIMIT, n->pos, n->len,
			                  "hexadecimal literal %s does not fit in a signed 64-bit integer", n->number.text);
		return set(n, ADQL_TYPE_BIGINT, NULL);
	case ADQL_NUM_DECIMAL:
	case ADQL_NUM_REAL: break;
	}
	return set(n, ADQL_TYPE_DOUBLE, NULL);
}

static int unary(rs_expr *e, adql_node *n)
{
	adql_node *arg = n->unary.arg;
	int rc = sub(e, arg);
	if (rc != TR_OK)
		return rc;
	if (n->unary.op == ADQL_OP_BITNOT) {
		rc = want(e, arg, is_integer, "operator ~", "an integer");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_BIGINT, NULL);
	}
	rc = want(e, arg, is_number, n->unary.op == ADQL_OP_NEG ? "operator -" : "operator +", "a number");
	return rc != TR_OK ? rc : set(n, ty(arg), arg->annot->unit);
}

static const char *binop_name(adql_binop op)
{
	static const char *const names[] = { "+", "-", "*", "/", "||", "&", "|", "^" };
	return names[op];
}

static int binary(rs_expr *e, adql_node *n)
{
	adql_node *l = n->binary.left, *r = n->binary.right;
	int rc = sub(e, l);
	if (rc == TR_OK)
		rc = sub(e, r);
	if (rc != TR_OK)
		return rc;
	char what[16];
	snprintf(what, sizeof what, "operator %s", binop_name(n->binary.op));
	const char *lu = l->annot->unit, *ru = r->annot->unit;
	switch (n->binary.op) {
	case ADQL_OP_CONCAT:
		/* ADQL 2.1 §2.2.3: character operands; numbers and timestamps convert as SQL does */
		if ((rc = want(e, l, is_textual, what, "strings")) != TR_OK || (rc = want(e, r, is_textual, what, "strings")) != TR_OK)
			return rc;
		return set(n, ADQL_TYPE_CHAR, NULL);
	case ADQL_OP_BITAND:
	case ADQL_OP_BITOR:
	case ADQL_OP_BITXOR:
		if ((rc = want(e, l, is_integer, what, "integers")) != TR_OK || (rc = want(e, r, is_integer, what, "integers")) != TR_OK)
			return rc;
		return set(n, ADQL_TYPE_BIGINT, NULL);
	default: break;
	}
	if ((rc = want(e, l, is_number, what, "numbers")) != TR_OK || (rc = want(e, r, is_number, what, "numbers")) != TR_OK)
		return rc;
	const char *unit = NULL;
	switch (n->binary.op) {
	case ADQL_OP_ADD:
	case ADQL_OP_SUB:
		unit = same_unit(lu, ru) ? lu : is_plain_number(r) ? lu : is_plain_number(l) ? ru : NULL;
		break;
	case ADQL_OP_MUL: unit = is_plain_number(r) ? lu : is_plain_number(l) ? ru : NULL; break;
	case ADQL_OP_DIV: unit = is_plain_number(r) ? lu : NULL; break;
	default: break;
	}
	return set(n, arith_type(ty(l), ty(r)), unit);
}

static int scalar_subquery(rs_expr *e, adql_node *n)
{
	const adql_result_meta *m;
	int rc = rs_subquery(e->c, n->subquery.query, e->s, &m);
	if (rc != TR_OK)
		return rc;
	if (m->n_columns != 1)
		return type_err(e, n, "a subquery used as a value must return one column, not %zu", m->n_columns);
	n->annot->info = &m->columns[0];
	n->annot->ucd = m->columns[0].ucd;
	return set(n, m->columns[0].type, m->columns[0].unit);
}

/* Folds one more branch type into a CASE / COALESCE result type. */
static int fold_branch(rs_expr *e, const adql_node *branch, const char *what, adql_type *acc, const char **unit,
                       bool *first)
{
	adql_type t = ty(branch);
	if (!is_scalar(t))
		return type_err(e, branch, "%s takes numbers, strings or timestamps, found %s", what, adql_type_name(t));
	if (!adql_type_comparable(*acc, t))
		return type_err(e, branch, "%s cannot mix %s and %s", what, adql_type_name(*acc), adql_type_name(t));
	*acc = adql_type_common(*acc, t);
	if (branch->kind != ADQL_N_NULL && !is_plain_number(branch)) { /* COALESCE(mag, 0) keeps mag */
		*unit = *first || same_unit(*unit, branch->annot->unit) ? branch->annot->unit : NULL;
		*first = false;
	}
	return TR_OK;
}

static int case_expr(rs_expr *e, adql_node *n)
{
	adql_node *operand = n->case_expr.operand;
	int rc = sub(e, operand);
	adql_type t = ADQL_TYPE_NULL;
	const char *unit = NULL;
	bool first = true;
	for (size_t i = 0; rc == TR_OK && i < n->case_expr.whens.n_nodes; i++) {
		adql_node *w = n->case_expr.whens.nodes[i];
		if (rs_annot(e->c, w) == NULL)
			return TR_ENOMEM;
		if ((rc = sub(e, w->when.cond)) != TR_OK || (rc = sub(e, w->when.result)) != TR_OK)
			break;
		if (operand && !adql_type_comparable(ty(operand), ty(w->when.cond)))
			return type_err(e, w->when.cond, "CASE cannot compare %s with %s", adql_type_name(ty(operand)),
			                adql_type_name(ty(w->when.cond)));
		rc = fold_branch(e, w->when.result, "CASE", &t, &unit, &first);
	}
	if (rc == TR_OK && n->case_expr.else_result) {
		rc = sub(e, n->case_expr.else_result);
		if (rc == TR_OK)
			rc = fold_branch(e, n->case_expr.else_result, "CASE", &t, &unit, &first);
	}
	return rc != TR_OK ? rc : set(n, t, unit);
}

static int cast(rs_expr *e, adql_node *n)
{
	typedef struct cast_target {
		const char *name;    /* as ADQL writes it */
		adql_type type;      /* the result */
		type_test *accepts;  /* argument types it converts; NULL: not supported */
		const char *wanted;  /* those, for the message */
	} cast_target;
	static const cast_target targets[] = {
		[ADQL_CAST_SMALLINT] = { "SMALLINT", ADQL_TYPE_SMALLINT, is_castable_number, "a number or a string" },
		[ADQL_CAST_INTEGER] = { "INTEGER", ADQL_TYPE_INTEGER, is_castable_number, "a number or a string" },
		[ADQL_CAST_BIGINT] = { "BIGINT", ADQL_TYPE_BIGINT, is_castable_number, "a number or a string" },
		[ADQL_CAST_REAL] = { "REAL", ADQL_TYPE_REAL, is_castable_number, "a number or a string" },
		[ADQL_CAST_DOUBLE] = { "DOUBLE PRECISION", ADQL_TYPE_DOUBLE, is_castable_number, "a number or a string" },
		[ADQL_CAST_CHAR] = { "CHAR", ADQL_TYPE_CHAR, is_textual, "a number, a string or a timestamp" },
		[ADQL_CAST_VARCHAR] = { "VARCHAR", ADQL_TYPE_CHAR, is_textual, "a number, a string or a timestamp" },
		[ADQL_CAST_TIMESTAMP] = { "TIMESTAMP", ADQL_TYPE_TIMESTAMP, is_castable_time, "a string or a timestamp" },
		[ADQL_CAST_POINT] = { "POINT", ADQL_TYPE_POINT, NULL, NULL },
		[ADQL_CAST_CIRCLE] = { "CIRCLE", ADQL_TYPE_CIRCLE, NULL, NULL },
		[ADQL_CAST_POLYGON] = { "POLYGON", ADQL_TYPE_POLYGON, NULL, NULL },
	};
	adql_node *arg = n->cast.arg;
	int rc = sub(e, arg);
	if (rc != TR_OK)
		return rc;
	const cast_target *t = &targets[n->cast.type.kind];
	if (t->accepts == NULL)
		return tr_err_set(e->c->err, TR_EUNSUPPORTED, n->pos, n->len,
		                  "CAST to %s is not supported: use the geometry functions", t->name);
	char what[32];
	snprintf(what, sizeof what, "CAST to %s", t->name);
	if ((rc = want(e, arg, t->accepts, what, t->wanted)) != TR_OK)
		return rc;
	/* a number keeps its unit through a numeric cast */
	bool keeps_unit = adql_type_is_numeric(t->type) && adql_type_is_numeric(ty(arg));
	return set(n, t->type, keeps_unit ? arg->annot->unit : NULL);
}

/* ---- functions ---------------------------------------------------------------------------------- */

/* ADQL 2.1 (geometry): the coordinate system argument is deprecated; this service accepts what means
 * ICRS (and the empty string, "no frame given"); anything else would silently be wrong. */
static int check_coordsys(rs_expr *e, const adql_node *cs)
{
	if (cs == NULL || cs->kind != ADQL_N_STRING)
		return TR_OK; /* absent, or the NULL literal */
	/* STC-S reference positions (ADQL 2.0 examples write 'ICRS GEOCENTER'): on the sky, the same */
	static const char *const refpos[] = { "GEOCENTER", "BARYCENTER", "HELIOCENTER", "TOPOCENTER", "UNKNOWNREFPOS" };
	char words[3][24] = { "", "", "" }; /* the first three words; 23 bytes hold the longest we accept */
	int n = sscanf(cs->string.value, "%23s %23s %23s", words[0], words[1], words[2]);
	bool ok = n <= 0 || (rs_ascii_ieq(words[0], "ICRS") && n <= 2);
	if (ok && n == 2) {
		ok = false;
		for (size_t i = 0; i < sizeof refpos / sizeof refpos[0]; i++)
			ok = ok || rs_ascii_ieq(words[1], refpos[i]);
	}
	if (ok)
		return TR_OK;
	tr_err_set(e->c->err, TR_EUNSUPPORTED, cs->pos, cs->len,
	           "unsupported coordinate system '%.64s': this service knows only ICRS", cs->string.value);
	tr_err_detail(e->c->err, "ADQL 2.1 geometry: write '' or 'ICRS', or leave the coordinate system out");
	return TR_EUNSUPPORTED;
}

static int in_unit(rs_expr *e, adql_node *n)
{
	adql_node *value = n->func.args.nodes[0], *target = n->func.args.nodes[1];
	int rc = want(e, value, is_number, "IN_UNIT", "a number");
	if (rc != TR_OK)
		return rc;
	if (target->kind != ADQL_N_STRING)
		return type_err(e, target, "IN_UNIT takes a unit as a string literal, e.g. 'arcsec'");
	const char *from = value->annot->unit, *to = target->string.value;
	if (from == NULL) {
		type_err(e, value, "IN_UNIT cannot convert a value whose unit is not known");
		tr_err_detail(e->c->err, "ADQL 2.1 IN_UNIT: the value must be a column with a unit in TAP_SCHEMA, or computed from one");
		return TR_ETYPE;
	}
	switch (adql_unit_factor(from, to, &n->annot->factor)) {
	case ADQL_UNIT_OK: return set(n, ADQL_TYPE_DOUBLE, to);
	case ADQL_UNIT_UNKNOWN_FROM: return type_err(e, value, "IN_UNIT cannot convert from unit '%.64s': not a unit it knows", from);
	case ADQL_UNIT_UNKNOWN_TO: return type_err(e, target, "IN_UNIT cannot convert to unit '%.64s': not a unit it knows", to);
	case ADQL_UNIT_INCOMPATIBLE: break;
	}
	return type_err(e, target, "IN_UNIT cannot convert %s (%s) to %.64s (%s)", from, adql_unit_dimension(from), to,
	                adql_unit_dimension(to));
}

static int coalesce(rs_expr *e, adql_node *n)
{
	adql_type t = ADQL_TYPE_NULL;
	const char *unit = NULL;
	bool first = true;
	for (size_t i = 0; i < n->func.args.n_nodes; i++) {
		int rc = fold_branch(e, n->func.args.nodes[i], "COALESCE", &t, &unit, &first);
		if (rc != TR_OK)
			return rc;
	}
	return set(n, t, unit);
}

/* POLYGON(p1, p2, p3, ...) or POLYGON(x1, y1, x2, y2, x3, y3, ...) (ADQL 2.1 POLYGON). */
static int polygon(rs_expr *e, adql_node *n)
{
	const adql_list *args = &n->func.args;
	bool of_points = ty(args->nodes[0]) == ADQL_TYPE_POINT ||
	                 (ty(args->nodes[0]) == ADQL_TYPE_NULL && ty(args->nodes[1]) == ADQL_TYPE_POINT);
	int rc = of_points ? want_all(e, args, is_point, "POLYGON of points", "points")
	                   : want_all(e, args, is_number, "POLYGON of coordinates", "numbers");
	if (rc != TR_OK)
		return rc;
	if (!of_points && (args->n_nodes % 2 != 0 || args->n_nodes < 6))
		return type_err(e, n, "POLYGON takes at least 3 points or 3 coordinate pairs, found %zu coordinates",
		                args->n_nodes);
	return set(n, ADQL_TYPE_POLYGON, "deg");
}

/* CIRCLE(center, r) / CIRCLE(x, y, r) and BOX(center, w, h) / BOX(x, y, w, h): a point or two
 * numbers, then numbers. */
static int centered_shape(rs_expr *e, adql_node *n, size_t n_sizes, adql_type result)
{
	const adql_list *args = &n->func.args;
	const char *name = adql_func_get(n->func.fn)->name;
	size_t n_center = args->n_nodes - n_sizes;
	if (n_center == 1) {
		int rc = want(e, args->nodes[0], is_point, name, "a point or two coordinates, then numbers");
		if (rc != TR_OK)
			return rc;
	}
	for (size_t i = n_center == 1 ? 1 : 0; i < args->n_nodes; i++) {
		int rc = want(e, args->nodes[i], is_number, name, "a point or two coordinates, then numbers");
		if (rc != TR_OK)
			return rc;
	}
	return set(n, result, "deg");
}

static int geometry(rs_expr *e, adql_node *n)
{
	const adql_list *args = &n->func.args;
	const char *name = adql_func_get(n->func.fn)->name;
	adql_node *a0 = args->nodes[0];
	int rc = check_coordsys(e, n->func.coordsys);
	if (rc != TR_OK)
		return rc;
	switch (n->func.fn) {
	case ADQL_FN_POINT:
		rc = want_all(e, args, is_number, name, "two numbers");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_POINT, "deg");
	case ADQL_FN_CIRCLE: return centered_shape(e, n, 1, ADQL_TYPE_CIRCLE);
	case ADQL_FN_BOX: return centered_shape(e, n, 2, ADQL_TYPE_POLYGON);
	case ADQL_FN_POLYGON: return polygon(e, n);
	case ADQL_FN_REGION:
		rc = want(e, a0, is_string, name, "an STC-S string");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_REGION, "deg");
	case ADQL_FN_CONTAINS:
	case ADQL_FN_INTERSECTS:
		/* ADQL 2.1 CONTAINS, INTERSECTS: 1 or 0 (a number, compared with = 1 in a WHERE) */
		rc = want_all(e, args, is_geometry, name, "two geometries");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_INTEGER, NULL);
	case ADQL_FN_DISTANCE:
		rc = args->n_nodes == 2 ? want_all(e, args, is_point, name, "two points or four numbers")
		                        : want_all(e, args, is_number, name, "two points or four numbers");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_DOUBLE, "deg");
	case ADQL_FN_COORD1:
	case ADQL_FN_COORD2:
		rc = want(e, a0, is_point, name, "a point");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_DOUBLE, "deg");
	case ADQL_FN_COORDSYS:
		rc = want(e, a0, is_geometry, name, "a geometry");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_CHAR, NULL);
	case ADQL_FN_AREA:
		rc = want(e, a0, is_geometry, name, "a geometry");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_DOUBLE, "deg**2");
	case ADQL_FN_CENTROID:
		rc = want(e, a0, is_geometry, name, "a geometry");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_POINT, "deg");
	default: break;
	}
	return tr_err_set(e->c->err, TR_EINTERNAL, n->pos, n->len, "%s is not a geometry function", name);
}

static int func(rs_expr *e, adql_node *n)
{
	const adql_func_info *info = adql_func_get(n->func.fn);
	const adql_list *args = &n->func.args;
	int rc = sub(e, n->func.coordsys);
	if (rc == TR_OK)
		rc = sub_list(e, args);
	if (rc != TR_OK)
		return rc;
	if (info->group == ADQL_FG_GEOMETRY)
		return geometry(e, n);
	adql_node *a0 = args->n_nodes > 0 ? args->nodes[0] : NULL;
	adql_node *a1 = args->n_nodes > 1 ? args->nodes[1] : NULL;
	switch (n->func.fn) {
	case ADQL_FN_IN_UNIT: return in_unit(e, n);
	case ADQL_FN_COALESCE: return coalesce(e, n);
	case ADQL_FN_LOWER:
	case ADQL_FN_UPPER:
		rc = want(e, a0, is_string, info->name, "a string");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_CHAR, NULL);
	case ADQL_FN_PI: return set(n, ADQL_TYPE_DOUBLE, NULL);
	case ADQL_FN_RAND:
		rc = a0 ? want(e, a0, is_integer, info->name, "an integer seed") : TR_OK;
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_DOUBLE, NULL);
	default: break;
	}
	if ((rc = want(e, a0, is_number, info->name, "numbers")) != TR_OK)
		return rc;
	switch (n->func.fn) {
	case ADQL_FN_ABS:
	case ADQL_FN_CEILING:
	case ADQL_FN_FLOOR:
		return set(n, ty(a0) == ADQL_TYPE_NULL ? ADQL_TYPE_DOUBLE : ty(a0), a0->annot->unit);
	case ADQL_FN_ROUND:
	case ADQL_FN_TRUNCATE:
		if (a1 && (rc = want(e, a1, is_integer, info->name, "an integer number of decimals")) != TR_OK)
			return rc;
		return set(n, ty(a0) == ADQL_TYPE_NULL ? ADQL_TYPE_DOUBLE : ty(a0), a0->annot->unit);
	case ADQL_FN_MOD:
		if ((rc = want(e, a1, is_number, info->name, "numbers")) != TR_OK)
			return rc;
		return set(n, arith_type(ty(a0), ty(a1)), a0->annot->unit);
	case ADQL_FN_POWER:
	case ADQL_FN_ATAN2:
		if ((rc = want(e, a1, is_number, info->name, "numbers")) != TR_OK)
			return rc;
		return set(n, ADQL_TYPE_DOUBLE, n->func.fn == ADQL_FN_ATAN2 ? "rad" : NULL);
	case ADQL_FN_DEGREES: return set(n, ADQL_TYPE_DOUBLE, "deg");
	case ADQL_FN_RADIANS:
	case ADQL_FN_ACOS:
	case ADQL_FN_ASIN:
	case ADQL_FN_ATAN: return set(n, ADQL_TYPE_DOUBLE, "rad");
	default: break; /* EXP LOG LOG10 SQRT COS COT SIN TAN */
	}
	return set(n, ADQL_TYPE_DOUBLE, NULL);
}

static int aggregate(rs_expr *e, adql_node *n)
{
	static const char *const names[] = { "COUNT", "SUM", "AVG", "MIN", "MAX" };
	const char *name = names[n->aggregate.fn];
	if (e->clause)
		return type_err(e, n, "aggregate function %s is not allowed in %s", name, e->clause);
	if (e->in_agg)
		return type_err(e, n, "aggregate function %s cannot be nested in another aggregate", name);
	*e->saw_agg = true;
	adql_node *arg = n->aggregate.arg;
	rs_expr inner = *e;
	inner.in_agg = true;
	int rc = sub(&inner, arg);
	if (rc != TR_OK)
		return rc;
	switch (n->aggregate.fn) {
	case ADQL_AGG_COUNT:
		rc = arg ? want(e, arg, is_value, name, "a value") : TR_OK;
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_BIGINT, NULL);
	case ADQL_AGG_SUM:
		if ((rc = want(e, arg, is_number, name, "numbers")) != TR_OK)
			return rc;
		return set(n, is_integer(ty(arg)) && ty(arg) != ADQL_TYPE_NULL ? ADQL_TYPE_BIGINT : ADQL_TYPE_DOUBLE,
		           arg->annot->unit);
	case ADQL_AGG_AVG:
		rc = want(e, arg, is_number, name, "numbers");
		return rc != TR_OK ? rc : set(n, ADQL_TYPE_DOUBLE, arg->annot->unit);
	case ADQL_AGG_MIN:
	case ADQL_AGG_MAX: break;
	}
	if ((rc = want(e, arg, is_scalar, name, "numbers, strings or timestamps")) != TR_OK)
		return rc;
	/* the smallest or largest value is one of the column's values: same description */
	n->annot->info = arg->annot->info;
	n->annot->ucd = arg->annot->ucd;
	return set(n, ty(arg), arg->annot->unit);
}

/* ---- conditions ----------------------------------------------------------------------------------- */

static int comparable(rs_expr *e, const adql_node *a, const adql_node *b, const char *what)
{
	if (adql_type_comparable(ty(a), ty(b)))
		return TR_OK;
	return type_err(e, b, "%s cannot compare %s with %s", what, adql_type_name(ty(a)), adql_type_name(ty(b)));
}

static int in_predicate(rs_expr *e, adql_node *n)
{
	adql_node *arg = n->in.arg;
	int rc = sub(e, arg);
	if (rc != TR_OK)
		return rc;
	if (n->in.query) {
		const adql_result_meta *m;
		if ((rc = rs_subquery(e->c, n->in.query, e->s, &m)) != TR_OK)
			return rc;
		if (m->n_columns != 1)
			return type_err(e, n->in.query, "IN takes a subquery of one column, not %zu", m->n_columns);
		if (!adql_type_comparable(ty(arg), m->columns[0].type))
			return type_err(e, n->in.query, "IN cannot compare %s with %s", adql_type_name(ty(arg)),
			                adql_type_name(m->columns[0].type));
		return TR_OK;
	}
	for (size_t i = 0; i < n->in.values.n_nodes; i++) {
		adql_node *v = n->in.values.nodes[i];
		if ((rc = sub(e, v)) != TR_OK || (rc = comparable(e, arg, v, "IN")) != TR_OK)
			return rc;
	}
	return TR_OK;
}

static int condition(rs_expr *e, adql_node *n)
{
	int rc = TR_OK;
	n->annot->type = ADQL_TYPE_CONDITION;
	switch (n->kind) {
	case ADQL_N_COMPARE:
		if ((rc = sub(e, n->compare.left)) != TR_OK || (rc = sub(e, n->compare.right)) != TR_OK)
			return rc;
		return comparable(e, n->compare.left, n->compare.right, "a comparison");
	case ADQL_N_BETWEEN:
		if ((rc = sub(e, n->between.arg)) != TR_OK || (rc = sub(e, n->between.low)) != TR_OK ||
		    (rc = sub(e, n->between.high)) != TR_OK || (rc = comparable(e, n->between.arg, n->between.low, "BETWEEN")) != TR_OK)
			return rc;
		return comparable(e, n->between.arg, n->between.high, "BETWEEN");
	case ADQL_N_IN: return in_predicate(e, n);
	case ADQL_N_LIKE: {
		const char *what = n->like.is_ilike ? "ILIKE" : "LIKE";
		if ((rc = sub(e, n->like.arg)) != TR_OK || (rc = sub(e, n->like.pattern)) != TR_OK ||
		    (rc = want(e, n->like.arg, is_string, what, "strings")) != TR_OK)
			return rc;
		return want(e, n->like.pattern, is_string, what, "strings");
	}
	case ADQL_N_IS_NULL: return sub(e, n->is_null.arg);
	case ADQL_N_EXISTS: {
		const adql_result_meta *m;
		return rs_subquery(e->c, n->exists.query, e->s, &m);
	}
	case ADQL_N_NOT: return sub(e, n->not_expr.arg);
	case ADQL_N_AND:
	case ADQL_N_OR: return sub_list(e, &n->logic.args);
	default: break;
	}
	return tr_err_set(e->c->err, TR_EINTERNAL, n->pos, n->len, "%s is not a condition", adql_kind_name(n->kind));
}

/* ---- entry -------------------------------------------------------------------------------------- */

int rs_expr_resolve(rs_expr *e, adql_node *n)
{
	if (rs_annot(e->c, n) == NULL)
		return TR_ENOMEM;
	switch (n->kind) {
	case ADQL_N_COLUMN: return rs_column(e, n);
	case ADQL_N_NUMBER: return number(e, n);
	case ADQL_N_STRING: return set(n, ADQL_TYPE_CHAR, NULL);
	case ADQL_N_NULL: return set(n, ADQL_TYPE_NULL, NULL);
	case ADQL_N_UNARY: return unary(e, n);
	case ADQL_N_BINARY: return binary(e, n);
	case ADQL_N_SUBQUERY: return scalar_subquery(e, n);
	case ADQL_N_CASE: return case_expr(e, n);
	case ADQL_N_CAST: return cast(e, n);
	case ADQL_N_FUNC: return func(e, n);
	case ADQL_N_AGGREGATE: return aggregate(e, n);
	case ADQL_N_UDF:
		tr_err_set(e->c->err, TR_ENAME, n->pos, n->udf.name.len, "unknown function '%s'", n->udf.name.name);
		tr_err_detail(e->c->err, "this service defines no user-defined functions (ADQL 2.1 <user_defined_function>)");
		return TR_ENAME;
	default: break;
	}
	if (adql_node_is_condition(n))
		return condition(e, n);
	return tr_err_set(e->c->err, TR_EINTERNAL, n->pos, n->len, "unexpected %s in an expression", adql_kind_name(n->kind));
}
