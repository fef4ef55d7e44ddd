/* adql/ast: constructors, child traversal, the built-in function and CAST tables, and the dump.
 *
 * Must not interpret the tree (no names, types or schema) or change a node after construction;
 * height is computed here once, so the parser can enforce ADQL_MAX_TREE_HEIGHT in one place.
 * Function and type names: ADQL 2.1 §2.3 and Appendix A <math_function>, <trig_function>,
 * <geometry_value_function>, <cast_target>. */
#include <config.h>

#include "adql/ast.h"

#include "adql/lexer.h"

#include <string.h>

/* ---- constructors ----------------------------------------------------------------------------- */

static adql_node *node_new(arena *a, adql_kind kind, adql_span sp)
{
	adql_node *n = arena_zalloc(a, sizeof *n);
	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->pos = sp.pos;
	n->len = sp.len;
	return n;
}

static int height_visit(adql_node *child, void *ctx)
{
	unsigned *h = ctx;
	if (child->height > *h)
		*h = child->height;
	return 0;
}

/* Sets the height once every field is in place; passes NULL through. */
static adql_node *finish(adql_node *n)
{
	if (n == NULL)
		return NULL;
	unsigned h = 0;
	(void)adql_node_each_child(n, height_visit, &h);
	n->height = h + 1;
	return n;
}

adql_node *adql_new_query(arena *a, adql_span sp, adql_list ctes, adql_node *body, adql_list order_by,
                          adql_node *offset)
{
	adql_node *n = node_new(a, ADQL_N_QUERY, sp);
	if (n) {
		n->query.ctes = ctes;
		n->query.body = body;
		n->query.order_by = order_by;
		n->query.offset = offset;
	}
	return finish(n);
}

adql_node *adql_new_cte(arena *a, adql_span sp, const adql_ident *name, adql_node *query)
{
	adql_node *n = node_new(a, ADQL_N_CTE, sp);
	if (n) {
		n->cte.name = *name;
		n->cte.query = query;
	}
	return finish(n);
}

adql_node *adql_new_select(arena *a, adql_span sp, adql_quantifier quantifier, adql_node *top, adql_list items,
                           adql_list from, adql_node *where, adql_list group_by, adql_node *having)
{
	adql_node *n = node_new(a, ADQL_N_SELECT, sp);
	if (n) {
		n->select.quantifier = quantifier;
		n->select.top = top;
		n->select.items = items;
		n->select.from = from;
		n->select.where = where;
		n->select.group_by = group_by;
		n->select.having = having;
	}
	return finish(n);
}

adql_node *adql_new_setop(arena *a, adql_span sp, adql_setop_kind op, bool is_all, adql_node *left,
                          adql_node *right)
{
	adql_node *n = node_new(a, ADQL_N_SETOP, sp);
	if (n) {
		n->setop.op = op;
		n->setop.is_all = is_all;
		n->setop.left = left;
		n->setop.right = right;
	}
	return finish(n);
}

adql_node *adql_new_item(arena *a, adql_span sp, adql_node *expr, const adql_ident *alias)
{
	adql_node *n = node_new(a, ADQL_N_ITEM, sp);
	if (n) {
		n->item.expr = expr;
		n->item.alias = alias;
	}
	return finish(n);
}

adql_node *adql_new_star(arena *a, adql_span sp, const adql_name *qualifier)
{
	adql_node *n = node_new(a, ADQL_N_STAR, sp);
	if (n)
		n->star.qualifier = qualifier;
	return finish(n);
}

adql_node *adql_new_order(arena *a, adql_span sp, adql_node *expr, bool is_desc)
{
	adql_node *n = node_new(a, ADQL_N_ORDER, sp);
	if (n) {
		n->order.expr = expr;
		n->order.is_desc = is_desc;
	}
	return finish(n);
}

adql_node *adql_new_table(arena *a, adql_span sp, const adql_name *name, const adql_ident *alias)
{
	adql_node *n = node_new(a, ADQL_N_TABLE, sp);
	if (n) {
		n->table.name = name;
		n->table.alias = alias;
	}
	return finish(n);
}

adql_node *adql_new_derived(arena *a, adql_span sp, adql_node *query, const adql_ident *alias)
{
	adql_node *n = node_new(a, ADQL_N_DERIVED, sp);
	if (n) {
		n->derived.query = query;
		n->derived.alias = alias;
	}
	return finish(n);
}

adql_node *adql_new_join(arena *a, adql_span sp, adql_join_kind type, bool is_natural, adql_node *left,
                         adql_node *right, adql_node *on, const adql_ident *using_cols, size_t n_using)
{
	adql_node *n = node_new(a, ADQL_N_JOIN, sp);
	if (n) {
		n->join.type = type;
		n->join.is_natural = is_natural;
		n->join.left = left;
		n->join.right = right;
		n->join.on = on;
		n->join.using_cols = using_cols;
		n->join.n_using = n_using;
	}
	return finish(n);
}

adql_node *adql_new_column(arena *a, adql_span sp, const adql_name *name)
{
	adql_node *n = node_new(a, ADQL_N_COLUMN, sp);
	if (n)
		n->column.name = name;
	return finish(n);
}

/* The value of an integer or hex literal, if it fits in 64 bits. */
static bool number_value(adql_num_kind kind, const char *text, uint64_t *out)
{
	unsigned base = kind == ADQL_NUM_HEX ? 16 : 10;
	const char *p = kind == ADQL_NUM_HEX ? text + 2 : text;
	uint64_t v = 0;
	for (; *p; p++) {
		unsigned d = *p >= '0' && *p <= '9' ? (unsigned)(*p - '0') : (unsigned)((*p | 0x20) - 'a' + 10);
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

adql_node *adql_new_number(arena *a, adql_span sp, adql_num_kind num_kind, const char *text, size_t text_len)
{
	adql_node *n = node_new(a, ADQL_N_NUMBER, sp);
	char *copy = n ? arena_strndup(a, text, text_len) : NULL;
	if (copy == NULL)
		return NULL;
	n->number.num_kind = num_kind;
	n->number.text = copy;
	if (num_kind == ADQL_NUM_INTEGER || num_kind == ADQL_NUM_HEX)
		n->number.fits_u64 = number_value(num_kind, copy, &n->number.u64);
	return finish(n);
}

adql_node *adql_new_string(arena *a, adql_span sp, const char *value, size_t value_len)
{
	adql_node *n = node_new(a, ADQL_N_STRING, sp);
	if (n) {
		n->string.value = value;
		n->string.value_len = value_len;
	}
	return finish(n);
}

adql_node *adql_new_null(arena *a, adql_span sp) { return finish(node_new(a, ADQL_N_NULL, sp)); }

adql_node *adql_new_unary(arena *a, adql_span sp, adql_unop op, adql_node *arg)
{
	adql_node *n = node_new(a, ADQL_N_UNARY, sp);
	if (n) {
		n->unary.op = op;
		n->unary.arg = arg;
	}
	return finish(n);
}

adql_node *adql_new_binary(arena *a, adql_span sp, adql_binop op, adql_node *left, adql_node *right)
{
	adql_node *n = node_new(a, ADQL_N_BINARY, sp);
	if (n) {
		n->binary.op = op;
		n->binary.left = left;
		n->binary.right = right;
	}
	return finish(n);
}

adql_node *adql_new_subquery(arena *a, adql_span sp, adql_node *query)
{
	adql_node *n = node_new(a, ADQL_N_SUBQUERY, sp);
	if (n)
		n->subquery.query = query;
	return finish(n);
}

adql_node *adql_new_case(arena *a, adql_span sp, adql_node *operand, adql_list whens, adql_node *else_result)
{
	adql_node *n = node_new(a, ADQL_N_CASE, sp);
	if (n) {
		n->case_expr.operand = operand;
		n->case_expr.whens = whens;
		n->case_expr.else_result = else_result;
	}
	return finish(n);
}

adql_node *adql_new_when(arena *a, adql_span sp, adql_node *cond, adql_node *result)
{
	adql_node *n = node_new(a, ADQL_N_WHEN, sp);
	if (n) {
		n->when.cond = cond;
		n->when.result = result;
	}
	return finish(n);
}

adql_node *adql_new_cast(arena *a, adql_span sp, adql_node *arg, adql_cast_type type)
{
	adql_node *n = node_new(a, ADQL_N_CAST, sp);
	if (n) {
		n->cast.arg = arg;
		n->cast.type = type;
	}
	return finish(n);
}

adql_node *adql_new_func(arena *a, adql_span sp, adql_func fn, adql_node *coordsys, adql_list args)
{
	adql_node *n = node_new(a, ADQL_N_FUNC, sp);
	if (n) {
		n->func.fn = fn;
		n->func.coordsys = coordsys;
		n->func.args = args;
	}
	return finish(n);
}

adql_node *adql_new_aggregate(arena *a, adql_span sp, adql_agg fn, adql_quantifier quantifier, adql_node *arg)
{
	adql_node *n = node_new(a, ADQL_N_AGGREGATE, sp);
	if (n) {
		n->aggregate.fn = fn;
		n->aggregate.quantifier = quantifier;
		n->aggregate.arg = arg;
	}
	return finish(n);
}

adql_node *adql_new_udf(arena *a, adql_span sp, const adql_ident *name, adql_list args)
{
	adql_node *n = node_new(a, ADQL_N_UDF, sp);
	if (n) {
		n->udf.name = *name;
		n->udf.args = args;
	}
	return finish(n);
}

adql_node *adql_new_compare(arena *a, adql_span sp, adql_cmp op, adql_node *left, adql_node *right)
{
	adql_node *n = node_new(a, ADQL_N_COMPARE, sp);
	if (n) {
		n->compare.op = op;
		n->compare.left = left;
		n->compare.right = right;
	}
	return finish(n);
}

adql_node *adql_new_between(arena *a, adql_span sp, bool is_not, adql_node *arg, adql_node *low, adql_node *high)
{
	adql_node *n = node_new(a, ADQL_N_BETWEEN, sp);
	if (n) {
		n->between.is_not = is_not;
		n->between.arg = arg;
		n->between.low = low;
		n->between.high = high;
	}
	return finish(n);
}

adql_node *adql_new_in(arena *a, adql_span sp, bool is_not, adql_node *arg, adql_list values, adql_node *query)
{
	adql_node *n = node_new(a, ADQL_N_IN, sp);
	if (n) {
		n->in.is_not = is_not;
		n->in.arg = arg;
		n->in.values = values;
		n->in.query = query;
	}
	return finish(n);
}

adql_node *adql_new_like(arena *a, adql_span sp, bool is_not, bool is_ilike, adql_node *arg, adql_node *pattern)
{
	adql_node *n = node_new(a, ADQL_N_LIKE, sp);
	if (n) {
		n->like.is_not = is_not;
		n->like.is_ilike = is_ilike;
		n->like.arg = arg;
		n->like.pattern = pattern;
	}
	return finish(n);
}

adql_node *adql_new_is_null(arena *a, adql_span sp, bool is_not, adql_node *arg)
{
	adql_node *n = node_new(a, ADQL_N_IS_NULL, sp);
	if (n) {
		n->is_null.is_not = is_not;
		n->is_null.arg = arg;
	}
	return finish(n);
}

adql_node *adql_new_exists(arena *a, adql_span sp, adql_node *query)
{
	adql_node *n = node_new(a, ADQL_N_EXISTS, sp);
	if (n)
		n->exists.query = query;
	return finish(n);
}

adql_node *adql_new_not(arena *a, adql_span sp, adql_node *arg)
{
	adql_node *n = node_new(a, ADQL_N_NOT, sp);
	if (n)
		n->not_expr.arg = arg;
	return finish(n);
}

adql_node *adql_new_and(arena *a, adql_span sp, adql_list args)
{
	adql_node *n = node_new(a, ADQL_N_AND, sp);
	if (n)
		n->logic.args = args;
	return finish(n);
}

adql_node *adql_new_or(arena *a, adql_span sp, adql_list args)
{
	adql_node *n = node_new(a, ADQL_N_OR, sp);
	if (n)
		n->logic.args = args;
	return finish(n);
}

/* ---- traversal -------------------------------------------------------------------------------- */

#define VISIT(c)                                   \
	do {                                       \
		if ((c) != NULL) {                 \
			int rc_ = fn((c), ctx);    \
			if (rc_ != 0)              \
				return rc_;        \
		}                                  \
	} while (0)
#define VISIT_LIST(l)                                      \
	do {                                               \
		for (size_t i_ = 0; i_ < (l).n_nodes; i_++) \
			VISIT((l).nodes[i_]);              \
	} while (0)

int adql_node_each_child(adql_node *n, adql_visit_fn *fn, void *ctx)
{
	switch (n->kind) {
	case ADQL_N_QUERY:
		VISIT_LIST(n->query.ctes);
		VISIT(n->query.body);
		VISIT_LIST(n->query.order_by);
		VISIT(n->query.offset);
		break;
	case ADQL_N_CTE: VISIT(n->cte.query); break;
	case ADQL_N_SELECT:
		VISIT(n->select.top);
		VISIT_LIST(n->select.items);
		VISIT_LIST(n->select.from);
		VISIT(n->select.where);
		VISIT_LIST(n->select.group_by);
		VISIT(n->select.having);
		break;
	case ADQL_N_SETOP:
		VISIT(n->setop.left);
		VISIT(n->setop.right);
		break;
	case ADQL_N_ITEM: VISIT(n->item.expr); break;
	case ADQL_N_ORDER: VISIT(n->order.expr); break;
	case ADQL_N_DERIVED: VISIT(n->derived.query); break;
	case ADQL_N_JOIN:
		VISIT(n->join.left);
		VISIT(n->join.right);
		VISIT(n->join.on);
		break;
	case ADQL_N_UNARY: VISIT(n->unary.arg); break;
	case ADQL_N_BINARY:
		VISIT(n->binary.left);
		VISIT(n->binary.right);
		break;
	case ADQL_N_SUBQUERY: VISIT(n->subquery.query); break;
	case ADQL_N_CASE:
		VISIT(n->case_expr.operand);
		VISIT_LIST(n->case_expr.whens);
		VISIT(n->case_expr.else_result);
		break;
	case ADQL_N_WHEN:
		VISIT(n->when.cond);
		VISIT(n->when.result);
		break;
	case ADQL_N_CAST: VISIT(n->cast.arg); break;
	case ADQL_N_FUNC:
		VISIT(n->func.coordsys);
		VISIT_LIST(n->func.args);
		break;
	case ADQL_N_AGGREGATE: VISIT(n->aggregate.arg); break;
	case ADQL_N_UDF: VISIT_LIST(n->udf.args); break;
	case ADQL_N_COMPARE:
		VISIT(n->compare.left);
		VISIT(n->compare.right);
		break;
	case ADQL_N_BETWEEN:
		VISIT(n->between.arg);
		VISIT(n->between.low);
		VISIT(n->between.high);
		break;
	case ADQL_N_IN:
		VISIT(n->in.arg);
		VISIT_LIST(n->in.values);
		VISIT(n->in.query);
		break;
	case ADQL_N_LIKE:
		VISIT(n->like.arg);
		VISIT(n->like.pattern);
		break;
	case ADQL_N_IS_NULL: VISIT(n->is_null.arg); break;
	case ADQL_N_EXISTS: VISIT(n->exists.query); break;
	case ADQL_N_NOT: VISIT(n->not_expr.arg); break;
	case ADQL_N_AND:
	case ADQL_N_OR: VISIT_LIST(n->logic.args); break;
	case ADQL_N_STAR:
	case ADQL_N_TABLE:
	case ADQL_N_COLUMN:
	case ADQL_N_NUMBER:
	case ADQL_N_STRING:
	case ADQL_N_NULL:
	case ADQL_N_KIND_COUNT_: break;
	}
	return 0;
}

#undef VISIT
#undef VISIT_LIST

bool adql_node_is_condition(const adql_node *n) { return n->kind >= ADQL_N_COMPARE && n->kind <= ADQL_N_OR; }

const char *adql_kind_name(adql_kind kind)
{
	static const char *const names[] = {
		"query", "cte", "select", "setop", "item", "star", "order", "table", "derived", "join",
		"column", "number", "string", "null", "unary", "binary", "subquery", "case", "when", "cast",
		"func", "aggregate", "udf", "compare", "between", "in", "like", "is_null", "exists", "not",
		"and", "or",
	};
	_Static_assert(sizeof names / sizeof names[0] == ADQL_N_KIND_COUNT_, "one name per node kind");
	return (unsigned)kind < ADQL_N_KIND_COUNT_ ? names[kind] : "?";
}

/* ---- tables ----------------------------------------------------------------------------------- */

/* Indexed by adql_func.  Arities from ADQL 2.1 Appendix A; a coordinate system is not counted.
 * BOX: a centre point or two coordinates, then two sizes; CIRCLE: a centre point or two coordinates,
 * then a radius; POLYGON: three or more points, or six or more coordinates (which of the two the
 * resolver checks, by type); DISTANCE: two points or four coordinates (checked by the parser). */
static const adql_func_info funcs[] = {
	{ "ABS", 1, 1, ADQL_FG_MATH, false },
	{ "CEILING", 1, 1, ADQL_FG_MATH, false },
	{ "DEGREES", 1, 1, ADQL_FG_MATH, false },
	{ "EXP", 1, 1, ADQL_FG_MATH, false },
	{ "FLOOR", 1, 1, ADQL_FG_MATH, false },
	{ "LOG", 1, 1, ADQL_FG_MATH, false },
	{ "LOG10", 1, 1, ADQL_FG_MATH, false },
	{ "MOD", 2, 2, ADQL_FG_MATH, false },
	{ "PI", 0, 0, ADQL_FG_MATH, false },
	{ "POWER", 2, 2, ADQL_FG_MATH, false },
	{ "RADIANS", 1, 1, ADQL_FG_MATH, false },
	{ "RAND", 0, 1, ADQL_FG_MATH, false },
	{ "ROUND", 1, 2, ADQL_FG_MATH, false },
	{ "SQRT", 1, 1, ADQL_FG_MATH, false },
	{ "TRUNCATE", 1, 2, ADQL_FG_MATH, false },
	{ "ACOS", 1, 1, ADQL_FG_TRIG, false },
	{ "ASIN", 1, 1, ADQL_FG_TRIG, false },
	{ "ATAN", 1, 1, ADQL_FG_TRIG, false },
	{ "ATAN2", 2, 2, ADQL_FG_TRIG, false },
	{ "COS", 1, 1, ADQL_FG_TRIG, false },
	{ "COT", 1, 1, ADQL_FG_TRIG, false },
	{ "SIN", 1, 1, ADQL_FG_TRIG, false },
	{ "TAN", 1, 1, ADQL_FG_TRIG, false },
	{ "LOWER", 1, 1, ADQL_FG_STRING, false },
	{ "UPPER", 1, 1, ADQL_FG_STRING, false },
	{ "IN_UNIT", 2, 2, ADQL_FG_UNIT, false },
	{ "COALESCE", 1, -1, ADQL_FG_CONDITIONAL, false },
	{ "AREA", 1, 1, ADQL_FG_GEOMETRY, false },
	{ "BOX", 3, 4, ADQL_FG_GEOMETRY, true },
	{ "CENTROID", 1, 1, ADQL_FG_GEOMETRY, false },
	{ "CIRCLE", 2, 3, ADQL_FG_GEOMETRY, true },
	{ "CONTAINS", 2, 2, ADQL_FG_GEOMETRY, false },
	{ "COORD1", 1, 1, ADQL_FG_GEOMETRY, false },
	{ "COORD2", 1, 1, ADQL_FG_GEOMETRY, false },
	{ "COORDSYS", 1, 1, ADQL_FG_GEOMETRY, false },
	{ "DISTANCE", 2, 4, ADQL_FG_GEOMETRY, false },
	{ "INTERSECTS", 2, 2, ADQL_FG_GEOMETRY, false },
	{ "POINT", 2, 2, ADQL_FG_GEOMETRY, true },
	{ "POLYGON", 3, -1, ADQL_FG_GEOMETRY, true },
	{ "REGION", 1, 1, ADQL_FG_GEOMETRY, false },
};
_Static_assert(sizeof funcs / sizeof funcs[0] == ADQL_FN_COUNT_, "one entry per adql_func");

const adql_func_info *adql_func_get(adql_func fn)
{
	return (unsigned)fn < ADQL_FN_COUNT_ ? &funcs[fn] : NULL;
}

bool adql_func_lookup(const char *name, size_t len, adql_func *out_fn)
{
	for (size_t i = 0; i < ADQL_FN_COUNT_; i++) {
		if (adql_lex_word_eq(name, len, funcs[i].name)) {
			*out_fn = (adql_func)i;
			return true;
		}
	}
	return false;
}

/* Indexed by adql_cast_kind: the first word of each type, and the dump's spelling. */
static const struct {
	const char *word;
	const char *dump;
} cast_names[] = {
	{ "SMALLINT", "smallint" }, { "INTEGER", "integer" }, { "BIGINT", "bigint" },
	{ "REAL", "real" },         { "DOUBLE", "double" },   { "CHAR", "char" },
	{ "VARCHAR", "varchar" },   { "TIMESTAMP", "timestamp" }, { "POINT", "point" },
	{ "CIRCLE", "circle" },     { "POLYGON", "polygon" },
};

bool adql_cast_lookup(const char *word, size_t len, adql_cast_kind *out_kind)
{
	for (size_t i = 0; i < sizeof cast_names / sizeof cast_names[0]; i++) {
		if (adql_lex_word_eq(word, len, cast_names[i].word)) {
			*out_kind = (adql_cast_kind)i;
			return true;
		}
	}
	return false;
}

/* ---- dump ------------------------------------------------------------------------------------- */

static void dump_node(strbuf *sb, const adql_node *n);

/* Quotes s between q characters, doubling q inside; a backslash prints as \\ and a control character
 * as \xHH, so that a dump is always one line. */
static void dump_quoted(strbuf *sb, const char *s, size_t len, char q)
{
	strbuf_putc(sb, q);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F) {
			strbuf_printf(sb, "\\x%02X", c);
			continue;
		}
		if (c == '\\' || c == (unsigned char)q)
			strbuf_putc(sb, (char)c); /* doubled */
		strbuf_putc(sb, (char)c);
	}
	strbuf_putc(sb, q);
}

static void dump_ident(strbuf *sb, const adql_ident *id)
{
	if (id->is_delimited)
		dump_quoted(sb, id->name, id->name_len, '"');
	else
		strbuf_add(sb, id->name, id->name_len);
}

static void dump_name(strbuf *sb, const adql_name *name)
{
	for (size_t i = 0; i < name->n_parts; i++) {
		if (i)
			strbuf_putc(sb, '.');
		dump_ident(sb, &name->parts[i]);
	}
}

static void dump_list(strbuf *sb, const adql_list *l)
{
	for (size_t i = 0; i < l->n_nodes; i++) {
		strbuf_putc(sb, ' ');
		dump_node(sb, l->nodes[i]);
	}
}

/* " (head items...)" when the list is not empty. */
static void dump_group(strbuf *sb, const char *head, const adql_list *l)
{
	if (l->n_nodes == 0)
		return;
	strbuf_printf(sb, " (%s", head);
	dump_list(sb, l);
	strbuf_putc(sb, ')');
}

/* " (head node)" when the node is there. */
static void dump_opt(strbuf *sb, const char *head, const adql_node *n)
{
	if (n == NULL)
		return;
	strbuf_printf(sb, " (%s ", head);
	dump_node(sb, n);
	strbuf_putc(sb, ')');
}

/* "(op a b ...)" for a fixed number of children. */
static void dump_op(strbuf *sb, const char *op, const adql_node *a, const adql_node *b, const adql_node *c)
{
	strbuf_printf(sb, "(%s ", op);
	dump_node(sb, a);
	if (b) {
		strbuf_putc(sb, ' ');
		dump_node(sb, b);
	}
	if (c) {
		strbuf_putc(sb, ' ');
		dump_node(sb, c);
	}
	strbuf_putc(sb, ')');
}

/* An aliased thing dumps as "(as thing alias)": these two go around the thing. */
static void dump_as_open(strbuf *sb, const adql_ident *alias)
{
	if (alias)
		strbuf_puts(sb, "(as ");
}

static void dump_as_close(strbuf *sb, const adql_ident *alias)
{
	if (alias) {
		strbuf_putc(sb, ' ');
		dump_ident(sb, alias);
		strbuf_putc(sb, ')');
	}
}

static const char *const quantifier_names[] = { "", " all", " distinct" };

static void dump_query(strbuf *sb, const adql_node *n)
{
	strbuf_puts(sb, "(query");
	dump_group(sb, "with", &n->query.ctes);
	strbuf_putc(sb, ' ');
	dump_node(sb, n->query.body);
	dump_group(sb, "order-by", &n->query.order_by);
	dump_opt(sb, "offset", n->query.offset);
	strbuf_putc(sb, ')');
}

static void dump_select(strbuf *sb, const adql_node *n)
{
	strbuf_printf(sb, "(select%s", quantifier_names[n->select.quantifier]);
	dump_opt(sb, "top", n->select.top);
	dump_group(sb, "items", &n->select.items);
	dump_group(sb, "from", &n->select.from);
	dump_opt(sb, "where", n->select.where);
	dump_group(sb, "group-by", &n->select.group_by);
	dump_opt(sb, "having", n->select.having);
	strbuf_putc(sb, ')');
}

static void dump_join(strbuf *sb, const adql_node *n)
{
	static const char *const types[] = { "inner", "left", "right", "full", "cross" };
	strbuf_printf(sb, "(join %s%s ", types[n->join.type], n->join.is_natural ? " natural" : "");
	dump_node(sb, n->join.left);
	strbuf_putc(sb, ' ');
	dump_node(sb, n->join.right);
	dump_opt(sb, "on", n->join.on);
	if (n->join.n_using) {
		strbuf_puts(sb, " (using");
		for (size_t i = 0; i < n->join.n_using; i++) {
			strbuf_putc(sb, ' ');
			dump_ident(sb, &n->join.using_cols[i]);
		}
		strbuf_putc(sb, ')');
	}
	strbuf_putc(sb, ')');
}

static void dump_func(strbuf *sb, const adql_node *n)
{
	strbuf_putc(sb, '(');
	for (const char *p = funcs[n->func.fn].name; *p; p++)
		strbuf_putc(sb, (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p));
	dump_opt(sb, "coordsys", n->func.coordsys);
	dump_list(sb, &n->func.args);
	strbuf_putc(sb, ')');
}

static void dump_case(strbuf *sb, const adql_node *n)
{
	strbuf_puts(sb, "(case");
	if (n->case_expr.operand) {
		strbuf_putc(sb, ' ');
		dump_node(sb, n->case_expr.operand);
	}
	dump_list(sb, &n->case_expr.whens);
	dump_opt(sb, "else", n->case_expr.else_result);
	strbuf_putc(sb, ')');
}

static void dump_in(strbuf *sb, const adql_node *n)
{
	strbuf_puts(sb, n->in.is_not ? "(not-in " : "(in ");
	dump_node(sb, n->in.arg);
	if (n->in.query) {
		strbuf_putc(sb, ' ');
		dump_node(sb, n->in.query);
	} else {
		dump_group(sb, "values", &n->in.values);
	}
	strbuf_putc(sb, ')');
}

static void dump_node(strbuf *sb, const adql_node *n)
{
	static const char *const unops[] = { "-", "+", "~" };
	static const char *const binops[] = { "+", "-", "*", "/", "||", "&", "|", "^" };
	static const char *const cmps[] = { "=", "<>", "<", ">", "<=", ">=" };
	static const char *const setops[] = { "union", "intersect", "except" };
	static const char *const aggs[] = { "count", "sum", "avg", "min", "max" };
	switch (n->kind) {
	case ADQL_N_QUERY: dump_query(sb, n); break;
	case ADQL_N_CTE:
		strbuf_puts(sb, "(cte ");
		dump_ident(sb, &n->cte.name);
		strbuf_putc(sb, ' ');
		dump_node(sb, n->cte.query);
		strbuf_putc(sb, ')');
		break;
	case ADQL_N_SELECT: dump_select(sb, n); break;
	case ADQL_N_SETOP:
		strbuf_printf(sb, "(%s%s ", setops[n->setop.op], n->setop.is_all ? "-all" : "");
		dump_node(sb, n->setop.left);
		strbuf_putc(sb, ' ');
		dump_node(sb, n->setop.right);
		strbuf_putc(sb, ')');
		break;
	case ADQL_N_ITEM:
		dump_as_open(sb, n->item.alias);
		dump_node(sb, n->item.expr);
		dump_as_close(sb, n->item.alias);
		break;
	case ADQL_N_STAR:
		if (n->star.qualifier) {
			dump_name(sb, n->star.qualifier);
			strbuf_putc(sb, '.');
		}
		strbuf_putc(sb, '*');
		break;
	case ADQL_N_ORDER: dump_op(sb, n->order.is_desc ? "desc" : "asc", n->order.expr, NULL, NULL); break;
	case ADQL_N_TABLE:
		dump_as_open(sb, n->table.alias);
		dump_name(sb, n->table.name);
		dump_as_close(sb, n->table.alias);
		break;
	case ADQL_N_DERIVED:
		dump_as_open(sb, n->derived.alias);
		dump_node(sb, n->derived.query);
		dump_as_close(sb, n->derived.alias);
		break;
	case ADQL_N_JOIN: dump_join(sb, n); break;
	case ADQL_N_COLUMN: dump_name(sb, n->column.name); break;
	case ADQL_N_NUMBER: strbuf_puts(sb, n->number.text); break;
	case ADQL_N_STRING: dump_quoted(sb, n->string.value, n->string.value_len, '\''); break;
	case ADQL_N_NULL: strbuf_puts(sb, "null"); break;
	case ADQL_N_UNARY: dump_op(sb, unops[n->unary.op], n->unary.arg, NULL, NULL); break;
	case ADQL_N_BINARY: dump_op(sb, binops[n->binary.op], n->binary.left, n->binary.right, NULL); break;
	case ADQL_N_SUBQUERY: dump_op(sb, "subquery", n->subquery.query, NULL, NULL); break;
	case ADQL_N_CASE: dump_case(sb, n); break;
	case ADQL_N_WHEN: dump_op(sb, "when", n->when.cond, n->when.result, NULL); break;
	case ADQL_N_CAST:
		strbuf_puts(sb, "(cast ");
		dump_node(sb, n->cast.arg);
		strbuf_printf(sb, " %s", cast_names[n->cast.type.kind].dump);
		if (n->cast.type.length >= 0)
			strbuf_printf(sb, "(%ld)", n->cast.type.length);
		strbuf_putc(sb, ')');
		break;
	case ADQL_N_FUNC: dump_func(sb, n); break;
	case ADQL_N_AGGREGATE:
		strbuf_printf(sb, "(%s%s ", aggs[n->aggregate.fn], quantifier_names[n->aggregate.quantifier]);
		if (n->aggregate.arg)
			dump_node(sb, n->aggregate.arg);
		else
			strbuf_putc(sb, '*');
		strbuf_putc(sb, ')');
		break;
	case ADQL_N_UDF:
		strbuf_puts(sb, "(udf ");
		dump_ident(sb, &n->udf.name);
		dump_list(sb, &n->udf.args);
		strbuf_putc(sb, ')');
		break;
	case ADQL_N_COMPARE: dump_op(sb, cmps[n->compare.op], n->compare.left, n->compare.right, NULL); break;
	case ADQL_N_BETWEEN:
		dump_op(sb, n->between.is_not ? "not-between" : "between", n->between.arg, n->between.low,
		        n->between.high);
		break;
	case ADQL_N_IN: dump_in(sb, n); break;
	case ADQL_N_LIKE: {
		static const char *const likes[2][2] = { { "like", "ilike" }, { "not-like", "not-ilike" } };
		dump_op(sb, likes[n->like.is_not][n->like.is_ilike], n->like.arg, n->like.pattern, NULL);
		break;
	}
	case ADQL_N_IS_NULL: dump_op(sb, n->is_null.is_not ? "is-not-null" : "is-null", n->is_null.arg, NULL, NULL); break;
	case ADQL_N_EXISTS: dump_op(sb, "exists", n->exists.query, NULL, NULL); break;
	case ADQL_N_NOT: dump_op(sb, "not", n->not_expr.arg, NULL, NULL); break;
	case ADQL_N_AND:
	case ADQL_N_OR:
		strbuf_puts(sb, n->kind == ADQL_N_AND ? "(and" : "(or");
		dump_list(sb, &n->logic.args);
		strbuf_putc(sb, ')');
		break;
	case ADQL_N_KIND_COUNT_: strbuf_putc(sb, '?'); break;
	}
}

void adql_ast_dump(strbuf *sb, const adql_node *n)
{
	if (n == NULL)
		strbuf_puts(sb, "nil");
	else
		dump_node(sb, n);
}
