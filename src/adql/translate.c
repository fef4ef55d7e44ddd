/* adql/translate: the resolved tree to MariaDB / MySQL SQL text (rules in translate.h).
 *
 * Must not look anything up, allocate outside the strbuf, or write user text except through
 * adql_translate_ident() and adql_translate_string().  Everything is fully parenthesized where
 * precedence could differ between ADQL and the server or between sql_modes (HIGH_NOT_PRECEDENCE,
 * PIPES_AS_CONCAT): every arithmetic operation, every nested condition, every NOT operand.
 * Sections: quoting, feature gates, value expressions, conditions, query structure. */
#include <config.h>

#include "adql/translate.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

struct adql_tr {
	const adql_translate_opts *o; /* dialect, version, MAXREC, geometry */
	tr_err *err;                  /* the caller's error */
	unsigned n_wraps;             /* s<N> correlation names handed out (IN subquery wrappers) */
};

/* LIMIT without a bound, as MySQL's manual gives it for OFFSET alone: 2^64 - 1. */
#define NO_LIMIT UINT64_MAX

/* The escape character given to every LIKE: not a backslash, which means different things under
 * different sql_modes; any '!' of a pattern is doubled so it stays literal. */
#define LIKE_ESCAPE '!'

/* ---- quoting --------------------------------------------------------------------------------- */

void adql_translate_ident(strbuf *out, const char *name)
{
	strbuf_putc(out, '`');
	for (const char *p = name; *p; p++) {
		if (*p == '`')
			strbuf_putc(out, '`');
		strbuf_putc(out, *p);
	}
	strbuf_putc(out, '`');
}

/* Printable ASCII without a backslash reads the same in every sql_mode between single quotes
 * (a quote doubled); everything else is written as hexadecimal, which no sql_mode reinterprets
 * and no client character set can misread.  The _utf8mb4 introducer makes both forms the same
 * type: a utf8mb4 string of coercibility "coercible", like any literal. */
void adql_translate_string(strbuf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	bool plain = true;
	for (size_t i = 0; i < len && plain; i++) {
		unsigned char ch = (unsigned char)s[i];
		plain = ch >= 0x20 && ch < 0x7F && ch != '\\';
	}
	if (plain) {
		strbuf_puts(out, "_utf8mb4'");
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '\'')
				strbuf_putc(out, '\'');
			strbuf_putc(out, s[i]);
		}
		strbuf_putc(out, '\'');
		return;
	}
	strbuf_puts(out, "_utf8mb4 X'");
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		strbuf_putc(out, hex[ch >> 4]);
		strbuf_putc(out, hex[ch & 0xF]);
	}
	strbuf_putc(out, '\'');
}

void adql_translate_number(strbuf *out, double v)
{
	char buf[40];
	snprintf(buf, sizeof buf, "%.17g", v);
	strbuf_puts(out, buf);
	if (strchr(buf, 'e') == NULL)
		strbuf_puts(out, "e0"); /* an exponent makes MySQL read a double, not a DECIMAL */
}

/* A generated correlation name: t<N> for FROM entries, w<N> for WITH queries, s<N> for wrappers. */
static void gen_name(strbuf *out, char prefix, unsigned n)
{
	char buf[16];
	snprintf(buf, sizeof buf, "%c%u", prefix, n);
	adql_translate_ident(out, buf);
}

static void colref(strbuf *out, const adql_colref *ref)
{
	gen_name(out, 't', ref->range->id);
	strbuf_putc(out, '.');
	adql_translate_ident(out, ref->sql_name);
}

static void put_u64(strbuf *out, uint64_t v) { strbuf_printf(out, "%" PRIu64, v); }

/* ---- feature gates ----------------------------------------------------------------------------- */

/* Server versions (major*10000 + minor*100 + patch) from which each feature works. */
typedef struct feature {
	const char *what;     /* for the message */
	unsigned long mariadb; /* first MariaDB version with it */
	unsigned long mysql;   /* first MySQL version with it */
} feature;

static const feature F_WITH = { "WITH", 100201, 80001 };
static const feature F_INTERSECT = { "INTERSECT and EXCEPT", 100300, 80031 };
static const feature F_SETOP_ALL = { "INTERSECT ALL and EXCEPT ALL", 100500, 80031 };
static const feature F_PAREN_QUERY = { "a parenthesized query in a set operation", 100400, 80000 };
static const feature F_CAST_DOUBLE = { "CAST AS DOUBLE", 100400, 80017 };
static const feature F_CAST_FLOAT = { "CAST AS FLOAT", 100405, 80017 };
static const feature F_OUTER_IN_DERIVED = { "TOP or OFFSET in a correlated IN subquery", ULONG_MAX, 80014 };

/* ULONG_MAX as a first version: the dialect has no release with the feature. */
static bool has(const adql_tr *t, const feature *f)
{
	unsigned long first = t->o->dialect == ADQL_DIALECT_MYSQL ? f->mysql : f->mariadb;
	return first != ULONG_MAX && t->o->server_version >= (t->o->server_version ? first : 0);
}

static int need(adql_tr *t, const feature *f, const adql_node *at)
{
	if (has(t, f))
		return TR_OK;
	tr_err_set(t->err, TR_EUNSUPPORTED, at->pos, at->len, "%s is not supported by this database", f->what);
	unsigned long v = t->o->server_version;
	const char *name = t->o->dialect == ADQL_DIALECT_MYSQL ? "MySQL" : "MariaDB";
	if (v == 0)
		tr_err_detail(t->err, "no %s release has it", name);
	else
		tr_err_detail(t->err, "the server is %s %lu.%lu.%lu", name, v / 10000, v / 100 % 100, v % 100);
	return TR_EUNSUPPORTED;
}

/* ---- value expressions ---------------------------------------------------------------------- */

static int value(adql_tr *t, const adql_node *n, strbuf *out);
static int cond(adql_tr *t, const adql_node *n, bool top, strbuf *out);
static int query(adql_tr *t, const adql_node *q, const adql_result_meta *names, bool is_root, strbuf *out);

static int value_list(adql_tr *t, const adql_list *l, strbuf *out)
{
	for (size_t i = 0; i < l->n_nodes; i++) {
		if (i)
			strbuf_puts(out, ", ");
		int rc = value(t, l->nodes[i], out);
		if (rc != TR_OK)
			return rc;
	}
	return TR_OK;
}

static int number(adql_tr *t, const adql_node *n, strbuf *out)
{
	(void)t;
	if (n->number.num_kind == ADQL_NUM_HEX)
		put_u64(out, n->number.u64); /* 0x2A is a binary string to MySQL in string context */
	else
		strbuf_puts(out, n->number.text); /* digits, '.', 'E', sign: checked by the lexer */
	return TR_OK;
}

/* a || b || c -> CONCAT(a, b, c): the chain is left-deep. */
static int concat_args(adql_tr *t, const adql_node *n, strbuf *out)
{
	if (n->kind == ADQL_N_BINARY && n->binary.op == ADQL_OP_CONCAT) {
		int rc = concat_args(t, n->binary.left, out);
		strbuf_puts(out, ", ");
		return rc != TR_OK ? rc : concat_args(t, n->binary.right, out);
	}
	return value(t, n, out);
}

static int binary(adql_tr *t, const adql_node *n, strbuf *out)
{
	static const char *const ops[] = { " + ", " - ", " * ", " / ", NULL, " & ", " | ", " ^ " };
	if (n->binary.op == ADQL_OP_CONCAT) {
		strbuf_puts(out, "CONCAT(");
		int rc = concat_args(t, n, out);
		strbuf_putc(out, ')');
		return rc;
	}
	const char *op = ops[n->binary.op];
	/* SQL: exact / exact stays exact; MySQL's '/' would give a DECIMAL, DIV truncates toward 0 */
	if (n->binary.op == ADQL_OP_DIV && adql_type_is_integer(n->binary.left->annot->type) &&
	    adql_type_is_integer(n->binary.right->annot->type))
		op = " DIV ";
	strbuf_putc(out, '(');
	int rc = value(t, n->binary.left, out);
	strbuf_puts(out, op);
	if (rc == TR_OK)
		rc = value(t, n->binary.right, out);
	strbuf_putc(out, ')');
	return rc;
}

static int unary(adql_tr *t, const adql_node *n, strbuf *out)
{
	if (n->unary.op == ADQL_OP_PLUS)
		return value(t, n->unary.arg, out);
	strbuf_puts(out, n->unary.op == ADQL_OP_NEG ? "(-" : "(~");
	int rc = value(t, n->unary.arg, out);
	strbuf_putc(out, ')');
	return rc;
}

static int case_expr(adql_tr *t, const adql_node *n, strbuf *out)
{
	const adql_node *operand = n->case_expr.operand;
	strbuf_puts(out, "CASE");
	int rc = TR_OK;
	if (operand) {
		strbuf_putc(out, ' ');
		rc = value(t, operand, out);
	}
	for (size_t i = 0; rc == TR_OK && i < n->case_expr.whens.n_nodes; i++) {
		const adql_node *w = n->case_expr.whens.nodes[i];
		strbuf_puts(out, " WHEN ");
		rc = operand ? value(t, w->when.cond, out) : cond(t, w->when.cond, true, out);
		strbuf_puts(out, " THEN ");
		if (rc == TR_OK)
			rc = value(t, w->when.result, out);
	}
	if (rc == TR_OK && n->case_expr.else_result) {
		strbuf_puts(out, " ELSE ");
		rc = value(t, n->case_expr.else_result, out);
	}
	strbuf_puts(out, " END");
	return rc;
}

static int cast(adql_tr *t, const adql_node *n, strbuf *out)
{
	adql_cast_kind k = n->cast.type.kind;
	const adql_node *arg = n->cast.arg;
	if ((k == ADQL_CAST_REAL || k == ADQL_CAST_DOUBLE) && !has(t, &F_CAST_DOUBLE)) {
		/* servers without floating-point CAST targets: adding a double literal converts */
		strbuf_putc(out, '(');
		int rc = value(t, arg, out);
		strbuf_puts(out, " + 0e0)");
		return rc;
	}
	strbuf_puts(out, "CAST(");
	int rc = value(t, arg, out);
	switch (k) {
	case ADQL_CAST_SMALLINT:
	case ADQL_CAST_INTEGER:
	case ADQL_CAST_BIGINT: strbuf_puts(out, " AS SIGNED)"); break;
	case ADQL_CAST_REAL: strbuf_puts(out, has(t, &F_CAST_FLOAT) ? " AS FLOAT)" : " AS DOUBLE)"); break;
	case ADQL_CAST_DOUBLE: strbuf_puts(out, " AS DOUBLE)"); break;
	case ADQL_CAST_CHAR:
	case ADQL_CAST_VARCHAR:
		if (n->cast.type.length > 0)
			strbuf_printf(out, " AS CHAR(%ld))", n->cast.type.length);
		else
			strbuf_puts(out, " AS CHAR)");
		break;
	case ADQL_CAST_TIMESTAMP: strbuf_puts(out, " AS DATETIME)"); break;
	default: return tr_err_set(t->err, TR_EINTERNAL, n->pos, n->len, "CAST target not resolved");
	}
	return rc;
}

static int geometry_missing(adql_tr *t, const adql_node *fn)
{
	tr_err_set(t->err, TR_EUNSUPPORTED, fn->pos, fn->len, "geometry functions are not available yet");
	tr_err_detail(t->err, "%s is parsed and checked, but this service cannot translate it yet",
	              adql_func_get(fn->func.fn)->name);
	return TR_EUNSUPPORTED;
}

static int func(adql_tr *t, const adql_node *n, strbuf *out)
{
	const adql_func_info *info = adql_func_get(n->func.fn);
	if (info->group == ADQL_FG_GEOMETRY) {
		const adql_geom_emitter *g = t->o->geom;
		if (g == NULL || g->emit_value == NULL)
			return geometry_missing(t, n);
		return g->emit_value(g->ctx, t, n, out, t->err);
	}
	const adql_list *args = &n->func.args;
	int rc;
	if (n->func.fn == ADQL_FN_IN_UNIT) {
		/* ADQL 2.1 IN_UNIT: the resolver found the factor from the column's unit */
		strbuf_putc(out, '(');
		rc = value(t, args->nodes[0], out);
		strbuf_puts(out, " * ");
		adql_translate_number(out, n->annot->factor);
		strbuf_putc(out, ')');
		return rc;
	}
	if (n->func.fn == ADQL_FN_PI) {
		/* MySQL's PI() is declared with 6 decimals, so its value (and any arithmetic on it) is
		 * sent to the client rounded: 3.141593.  ACOS(-1) is the same double, sent in full. */
		strbuf_puts(out, "ACOS(-1)");
		return TR_OK;
	}
	/* every other ADQL function has a MySQL function of the same name and meaning (LOG is the
	 * natural logarithm in both); the name comes from the AST's table, never from the query */
	strbuf_puts(out, info->name);
	strbuf_putc(out, '(');
	rc = value_list(t, args, out);
	if (n->func.fn == ADQL_FN_TRUNCATE && args->n_nodes == 1)
		strbuf_puts(out, ", 0"); /* MySQL's TRUNCATE needs the number of decimals */
	strbuf_putc(out, ')');
	return rc;
}

static int aggregate(adql_tr *t, const adql_node *n, strbuf *out)
{
	static const char *const names[] = { "COUNT(", "SUM(", "AVG(", "MIN(", "MAX(" };
	strbuf_puts(out, names[n->aggregate.fn]);
	if (n->aggregate.quantifier == ADQL_Q_DISTINCT)
		strbuf_puts(out, "DISTINCT ");
	int rc = TR_OK;
	if (n->aggregate.arg)
		rc = value(t, n->aggregate.arg, out);
	else
		strbuf_putc(out, '*');
	strbuf_putc(out, ')');
	return rc;
}

static int value(adql_tr *t, const adql_node *n, strbuf *out)
{
	switch (n->kind) {
	case ADQL_N_COLUMN: colref(out, &n->annot->ref); return TR_OK;
	case ADQL_N_NUMBER: return number(t, n, out);
	case ADQL_N_STRING: adql_translate_string(out, n->string.value, n->string.value_len); return TR_OK;
	case ADQL_N_NULL: strbuf_puts(out, "NULL"); return TR_OK;
	case ADQL_N_UNARY: return unary(t, n, out);
	case ADQL_N_BINARY: return binary(t, n, out);
	case ADQL_N_CASE: return case_expr(t, n, out);
	case ADQL_N_CAST: return cast(t, n, out);
	case ADQL_N_FUNC: return func(t, n, out);
	case ADQL_N_AGGREGATE: return aggregate(t, n, out);
	case ADQL_N_SUBQUERY: {
		strbuf_putc(out, '(');
		int rc = query(t, n->subquery.query, NULL, false, out);
		strbuf_putc(out, ')');
		return rc;
	}
	default: break;
	}
	return tr_err_set(t->err, TR_EINTERNAL, n->pos, n->len, "cannot translate %s as a value", adql_kind_name(n->kind));
}

int adql_translate_value(adql_tr *t, const adql_node *n, strbuf *out, tr_err *err)
{
	(void)err; /* the same tr_err the translator was given */
	return value(t, n, out);
}

/* ---- conditions ---------------------------------------------------------------------------------- */

/* CONTAINS(..) = 1 and the like: the geometry emitter may write a better predicate. */
static bool geometry_predicate(const adql_node *n, const adql_node **out_fn, bool *out_is_true)
{
	if (n->compare.op != ADQL_CMP_EQ && n->compare.op != ADQL_CMP_NE)
		return false;
	const adql_node *sides[2] = { n->compare.left, n->compare.right };
	for (int i = 0; i < 2; i++) {
		const adql_node *f = sides[i], *lit = sides[1 - i];
		if (f->kind != ADQL_N_FUNC || (f->func.fn != ADQL_FN_CONTAINS && f->func.fn != ADQL_FN_INTERSECTS))
			continue;
		if (lit->kind != ADQL_N_NUMBER || lit->number.num_kind != ADQL_NUM_INTEGER || !lit->number.fits_u64 ||
		    lit->number.u64 > 1)
			return false;
		*out_fn = f;
		*out_is_true = (n->compare.op == ADQL_CMP_EQ) == (lit->number.u64 == 1);
		return true;
	}
	return false;
}

static int compare(adql_tr *t, const adql_node *n, strbuf *out)
{
	static const char *const ops[] = { " = ", " <> ", " < ", " > ", " <= ", " >= " };
	const adql_node *fn;
	bool is_true;
	const adql_geom_emitter *g = t->o->geom;
	if (geometry_predicate(n, &fn, &is_true)) {
		if (g == NULL || g->emit_value == NULL)
			return geometry_missing(t, fn);
		if (g->emit_predicate)
			return g->emit_predicate(g->ctx, t, fn, is_true, out, t->err);
	}
	int rc = value(t, n->compare.left, out);
	strbuf_puts(out, ops[n->compare.op]);
	return rc != TR_OK ? rc : value(t, n->compare.right, out);
}

/* A LIKE pattern with every '!' doubled, so that the explicit escape character matches itself. */
static int like_pattern(adql_tr *t, const adql_node *p, strbuf *out)
{
	static const char esc[] = { LIKE_ESCAPE }, esc2[] = { LIKE_ESCAPE, LIKE_ESCAPE };
	if (p->kind != ADQL_N_STRING) {
		/* a computed pattern: double the escape character on the server */
		strbuf_puts(out, "REPLACE(CONVERT(");
		int rc = value(t, p, out);
		strbuf_puts(out, " USING utf8mb4), ");
		adql_translate_string(out, esc, sizeof esc);
		strbuf_puts(out, ", ");
		adql_translate_string(out, esc2, sizeof esc2);
		strbuf_putc(out, ')');
		return rc;
	}
	strbuf pat = STRBUF_INIT(0);
	for (size_t i = 0; i < p->string.value_len; i++) {
		if (p->string.value[i] == LIKE_ESCAPE)
			strbuf_putc(&pat, LIKE_ESCAPE);
		strbuf_putc(&pat, p->string.value[i]);
	}
	int rc = strbuf_failed(&pat) ? tr_err_set(t->err, TR_ENOMEM, -1, 0, "out of memory translating LIKE") : TR_OK;
	if (rc == TR_OK)
		adql_translate_string(out, strbuf_str(&pat), strbuf_len(&pat));
	strbuf_free(&pat);
	return rc;
}

/* ADQL LIKE is case-sensitive and has no escape character; ILIKE ignores case (see translate.h). */
static int like(adql_tr *t, const adql_node *n, strbuf *out)
{
	static const char esc[] = { LIKE_ESCAPE };
	bool ci = n->like.is_ilike;
	if (ci)
		strbuf_puts(out, "LOWER(");
	int rc = value(t, n->like.arg, out);
	strbuf_puts(out, ci ? ")" : "");
	strbuf_puts(out, n->like.is_not ? " NOT LIKE " : " LIKE ");
	if (ci)
		strbuf_puts(out, "LOWER(");
	if (rc == TR_OK)
		rc = like_pattern(t, n->like.pattern, out);
	strbuf_puts(out, ci ? ") COLLATE utf8mb4_bin ESCAPE " : " COLLATE utf8mb4_bin ESCAPE ");
	adql_translate_string(out, esc, sizeof esc);
	return rc;
}

/* Does the query hold a LIMIT at its own level (TOP or OFFSET, through set operations)? */
static bool has_limit(const adql_node *n)
{
	switch (n->kind) {
	case ADQL_N_QUERY: return n->query.offset || has_limit(n->query.body);
	case ADQL_N_SELECT: return n->select.top != NULL;
	case ADQL_N_SETOP: return has_limit(n->setop.left) || has_limit(n->setop.right);
	default: return false;
	}
}

/* Does a column under n refer to a FROM entry outside the subquery `sub`?  Entries are defined by
 * nodes in the query text, so a span test tells inside from outside. */
static int outer_ref(adql_node *n, void *ctx)
{
	const adql_node *sub = ctx;
	if (n->kind == ADQL_N_COLUMN && n->annot->ref.range) {
		const adql_node *def = n->annot->ref.range->node;
		if (def->pos < sub->pos || def->pos >= sub->pos + sub->len)
			return 1;
	}
	return adql_node_each_child(n, outer_ref, ctx);
}

static int in_predicate(adql_tr *t, const adql_node *n, strbuf *out)
{
	int rc = value(t, n->in.arg, out);
	strbuf_puts(out, n->in.is_not ? " NOT IN (" : " IN (");
	if (rc != TR_OK)
		return rc;
	if (n->in.query == NULL)
		rc = value_list(t, &n->in.values, out);
	else if (!has_limit(n->in.query))
		rc = query(t, n->in.query, NULL, false, out);
	else if (adql_node_each_child((adql_node *)n->in.query, outer_ref, (void *)n->in.query) != 0 &&
	         (rc = need(t, &F_OUTER_IN_DERIVED, n->in.query)) != TR_OK)
		return rc; /* the wrapper below is a derived table: MariaDB lets it see no outer column */
	else {
		/* MySQL and MariaDB refuse LIMIT inside IN (...) but not inside a derived table */
		strbuf_puts(out, "SELECT * FROM (");
		rc = query(t, n->in.query, NULL, false, out);
		strbuf_puts(out, ") AS ");
		gen_name(out, 's', ++t->n_wraps);
	}
	strbuf_putc(out, ')');
	return rc;
}

static int cond_list(adql_tr *t, const adql_list *l, const char *sep, strbuf *out)
{
	for (size_t i = 0; i < l->n_nodes; i++) {
		if (i)
			strbuf_puts(out, sep);
		int rc = cond(t, l->nodes[i], false, out);
		if (rc != TR_OK)
			return rc;
	}
	return TR_OK;
}

/* top: the condition stands alone (WHERE, ON, HAVING, WHEN, inside NOT's parentheses); otherwise
 * it is an operand of AND / OR and gets parentheses. */
static int cond(adql_tr *t, const adql_node *n, bool top, strbuf *out)
{
	int rc;
	if (n->kind == ADQL_N_NOT) {
		/* NOT (x): correct whatever HIGH_NOT_PRECEDENCE says */
		strbuf_puts(out, "NOT (");
		rc = cond(t, n->not_expr.arg, true, out);
		strbuf_putc(out, ')');
		return rc;
	}
	if (!top)
		strbuf_putc(out, '(');
	switch (n->kind) {
	case ADQL_N_COMPARE: rc = compare(t, n, out); break;
	case ADQL_N_BETWEEN:
		rc = value(t, n->between.arg, out);
		strbuf_puts(out, n->between.is_not ? " NOT BETWEEN " : " BETWEEN ");
		if (rc == TR_OK)
			rc = value(t, n->between.low, out);
		strbuf_puts(out, " AND ");
		if (rc == TR_OK)
			rc = value(t, n->between.high, out);
		break;
	case ADQL_N_IN: rc = in_predicate(t, n, out); break;
	case ADQL_N_LIKE: rc = like(t, n, out); break;
	case ADQL_N_IS_NULL:
		rc = value(t, n->is_null.arg, out);
		strbuf_puts(out, n->is_null.is_not ? " IS NOT NULL" : " IS NULL");
		break;
	case ADQL_N_EXISTS:
		strbuf_puts(out, "EXISTS (");
		rc = query(t, n->exists.query, NULL, false, out);
		strbuf_putc(out, ')');
		break;
	case ADQL_N_AND: rc = cond_list(t, &n->logic.args, " AND ", out); break;
	case ADQL_N_OR: rc = cond_list(t, &n->logic.args, " OR ", out); break;
	default: rc = tr_err_set(t->err, TR_EINTERNAL, n->pos, n->len, "cannot translate %s as a condition", adql_kind_name(n->kind));
	}
	if (!top)
		strbuf_putc(out, ')');
	return rc;
}

/* ---- query structure ------------------------------------------------------------------------------ */

static int from_item(adql_tr *t, const adql_node *n, strbuf *out)
{
	static const char *const joins[] = { " JOIN ", " LEFT JOIN ", " RIGHT JOIN ", NULL, " CROSS JOIN " };
	const adql_range *r;
	int rc = TR_OK;
	switch (n->kind) {
	case ADQL_N_TABLE:
		r = n->annot->range;
		if (r->kind == ADQL_RANGE_CTE) {
			gen_name(out, 'w', r->cte_id);
		} else {
			adql_translate_ident(out, r->table->db_schema);
			strbuf_putc(out, '.');
			adql_translate_ident(out, r->table->db_table);
		}
		break;
	case ADQL_N_DERIVED:
		r = n->annot->range;
		strbuf_putc(out, '(');
		rc = query(t, n->derived.query, NULL, false, out);
		strbuf_putc(out, ')');
		break;
	case ADQL_N_JOIN: {
		if (n->join.type == ADQL_JOIN_FULL) {
			tr_err_set(t->err, TR_EUNSUPPORTED, n->pos, n->len, "FULL OUTER JOIN is not supported by this database");
			tr_err_detail(t->err, "neither MariaDB nor MySQL has it: a UNION of a LEFT and a RIGHT JOIN gives the same rows");
			return TR_EUNSUPPORTED;
		}
		rc = from_item(t, n->join.left, out);
		strbuf_puts(out, joins[n->join.type]);
		bool nested = n->join.right->kind == ADQL_N_JOIN;
		strbuf_puts(out, nested ? "(" : "");
		if (rc == TR_OK)
			rc = from_item(t, n->join.right, out);
		strbuf_puts(out, nested ? ")" : "");
		if (rc != TR_OK)
			return rc;
		const adql_annot *an = n->annot;
		if (n->join.on) {
			strbuf_puts(out, " ON ");
			return cond(t, n->join.on, true, out);
		}
		if (n->join.type == ADQL_JOIN_CROSS)
			return TR_OK;
		/* NATURAL / USING: explicit equalities; the merged column is emitted as the side that
		 * keeps all its rows (resolve.c), so no USING clause is needed */
		strbuf_puts(out, " ON ");
		if (an->n_cols == 0)
			strbuf_puts(out, "1 = 1"); /* NATURAL without common columns: a cross join */
		for (size_t i = 0; i < an->n_cols; i++) {
			strbuf_puts(out, i ? " AND " : "");
			colref(out, &an->cols[i]);
			strbuf_puts(out, " = ");
			colref(out, &an->cols2[i]);
		}
		return TR_OK;
	}
	default: return tr_err_set(t->err, TR_EINTERNAL, n->pos, n->len, "cannot translate %s in FROM", adql_kind_name(n->kind));
	}
	strbuf_puts(out, " AS ");
	gen_name(out, 't', r->id);
	return rc;
}

/* SELECT [DISTINCT] items FROM ... [WHERE] [GROUP BY] [HAVING]: the query specification without
 * its TOP (the caller writes LIMIT).  names: the output names to alias with. */
static int select_spec(adql_tr *t, const adql_node *sel, const adql_result_meta *names, strbuf *out)
{
	const adql_out_column *cols = (names ? names : sel->annot->meta)->columns;
	strbuf_puts(out, sel->select.quantifier == ADQL_Q_DISTINCT ? "SELECT DISTINCT " : "SELECT ");
	size_t k = 0;
	int rc = TR_OK;
	for (size_t i = 0; rc == TR_OK && i < sel->select.items.n_nodes; i++) {
		const adql_node *it = sel->select.items.nodes[i];
		size_t n = it->kind == ADQL_N_STAR ? it->annot->n_cols : 1;
		for (size_t j = 0; rc == TR_OK && j < n; j++, k++) {
			strbuf_puts(out, k ? ", " : "");
			if (it->kind == ADQL_N_STAR)
				colref(out, &it->annot->cols[j]);
			else
				rc = value(t, it->item.expr, out);
			strbuf_puts(out, " AS ");
			adql_translate_ident(out, cols[k].name);
		}
	}
	strbuf_puts(out, " FROM ");
	for (size_t i = 0; rc == TR_OK && i < sel->select.from.n_nodes; i++) {
		strbuf_puts(out, i ? ", " : "");
		rc = from_item(t, sel->select.from.nodes[i], out);
	}
	if (rc == TR_OK && sel->select.where) {
		strbuf_puts(out, " WHERE ");
		rc = cond(t, sel->select.where, true, out);
	}
	for (size_t i = 0; rc == TR_OK && i < sel->select.group_by.n_nodes; i++) {
		const adql_node *g = sel->select.group_by.nodes[i];
		strbuf_puts(out, i ? ", " : " GROUP BY ");
		rc = value(t, g->annot->alias_expr ? g->annot->alias_expr : g, out);
	}
	if (rc == TR_OK && sel->select.having) {
		strbuf_puts(out, " HAVING ");
		rc = cond(t, sel->select.having, true, out);
	}
	return rc;
}

static void limit(strbuf *out, bool has_count, uint64_t count, const adql_node *offset)
{
	if (has_count || offset) {
		strbuf_puts(out, " LIMIT ");
		put_u64(out, has_count ? count : NO_LIMIT);
	}
	if (offset) {
		strbuf_puts(out, " OFFSET ");
		put_u64(out, offset->number.u64);
	}
}

static int setop(adql_tr *t, const adql_node *n, const adql_result_meta *names, strbuf *out);

/* An operand of a set operation: a SELECT with TOP, a nested set operation or a parenthesized
 * query goes in parentheses with its own ORDER BY / LIMIT. */
static int operand(adql_tr *t, const adql_node *n, const adql_result_meta *names, strbuf *out)
{
	bool paren = n->kind != ADQL_N_SELECT || n->select.top;
	int rc = paren ? need(t, &F_PAREN_QUERY, n) : TR_OK;
	if (rc != TR_OK)
		return rc;
	strbuf_puts(out, paren ? "(" : "");
	if (n->kind == ADQL_N_SELECT) {
		rc = select_spec(t, n, names, out);
		if (n->select.top)
			limit(out, true, n->select.top->number.u64, NULL);
	} else {
		rc = n->kind == ADQL_N_SETOP ? setop(t, n, names, out) : query(t, n, names, false, out);
	}
	strbuf_puts(out, paren ? ")" : "");
	return rc;
}

static int setop(adql_tr *t, const adql_node *n, const adql_result_meta *names, strbuf *out)
{
	static const char *const ops[] = { " UNION ", " INTERSECT ", " EXCEPT " };
	int rc = TR_OK;
	if (n->setop.op != ADQL_SET_UNION)
		rc = need(t, n->setop.is_all ? &F_SETOP_ALL : &F_INTERSECT, n);
	if (rc == TR_OK)
		rc = operand(t, n->setop.left, names, out);
	strbuf_puts(out, ops[n->setop.op]);
	strbuf_puts(out, n->setop.is_all ? "ALL " : "");
	return rc != TR_OK ? rc : operand(t, n->setop.right, NULL, out);
}

static int with(adql_tr *t, const adql_node *q, strbuf *out)
{
	const adql_list *ctes = &q->query.ctes;
	int rc = need(t, &F_WITH, ctes->nodes[0]);
	strbuf_puts(out, "WITH ");
	for (size_t i = 0; rc == TR_OK && i < ctes->n_nodes; i++) {
		const adql_node *c = ctes->nodes[i];
		strbuf_puts(out, i ? ", " : "");
		gen_name(out, 'w', c->annot->cte_id);
		strbuf_puts(out, " AS (");
		rc = query(t, c->cte.query, NULL, false, out);
		strbuf_putc(out, ')');
	}
	strbuf_putc(out, ' ');
	return rc;
}

/* [WITH ...] body [ORDER BY ...] [LIMIT n] [OFFSET m].  names: aliases for the outermost select
 * list (NULL: the query's own); is_root: MAXREC applies here. */
static int query(adql_tr *t, const adql_node *q, const adql_result_meta *names, bool is_root, strbuf *out)
{
	const adql_node *body = q->query.body;
	const adql_result_meta *m = names ? names : q->annot->meta;
	int rc = q->query.ctes.n_nodes ? with(t, q, out) : TR_OK;
	bool has_count = false;
	uint64_t count = 0;
	if (rc == TR_OK && body->kind == ADQL_N_SELECT) {
		rc = select_spec(t, body, m, out);
		has_count = body->select.top != NULL;
		count = has_count ? body->select.top->number.u64 : 0;
	} else if (rc == TR_OK && body->kind == ADQL_N_SETOP) {
		rc = setop(t, body, m, out);
	} else if (rc == TR_OK) {
		rc = need(t, &F_PAREN_QUERY, body);
		strbuf_putc(out, '(');
		if (rc == TR_OK)
			rc = query(t, body, m, false, out);
		strbuf_putc(out, ')');
	}
	for (size_t i = 0; rc == TR_OK && i < q->query.order_by.n_nodes; i++) {
		const adql_node *o = q->query.order_by.nodes[i];
		strbuf_puts(out, i ? ", " : " ORDER BY ");
		if (o->annot->out_index >= 0)
			adql_translate_ident(out, m->columns[o->annot->out_index].name);
		else
			rc = value(t, o->order.expr, out);
		strbuf_puts(out, o->order.is_desc ? " DESC" : "");
	}
	/* TAP 1.1 §2.7.4: one row beyond MAXREC tells the caller the result overflowed */
	if (is_root && t->o->maxrec >= 0) {
		uint64_t cap = (uint64_t)t->o->maxrec + 1;
		count = has_count && count < cap ? count : cap;
		has_count = true;
	}
	limit(out, has_count, count, q->query.offset);
	return rc;
}

int adql_translate(const adql_query *q, const adql_result_meta *meta, const adql_translate_opts *o, strbuf *out,
                   tr_err *err)
{
	static const adql_translate_opts defaults = { ADQL_DIALECT_MARIADB, 0, -1, NULL };
	const adql_annot *ra = q->root->annot;
	if (ra == NULL || ra->meta == NULL)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "the query was not resolved before translation");
	if (meta && meta->n_columns != ra->meta->n_columns)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "the output description does not belong to this query");
	adql_tr t = { o ? o : &defaults, err, 0 };
	int rc = query(&t, q->root, meta, true, out);
	if (rc == TR_OK && strbuf_failed(out))
		return tr_err_set(err, TR_ENOMEM, -1, 0, "the SQL text is too long");
	return rc;
}
