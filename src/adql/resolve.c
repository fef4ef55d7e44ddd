/* adql/resolve: query structure and names — FROM entries, column references, select lists,
 * GROUP BY / ORDER BY, set operations, WITH — and the output columns' description.
 *
 * Must not emit SQL nor read anything but the tree and the catalog; expression typing is
 * resolve_expr.c's.  Name scopes follow ADQL 2.1 §2.2 and SQL-92 §6.4 / §7.3-7.10: a column is
 * looked up in its query's FROM entries, then in the enclosing queries' (correlated references);
 * an ON clause sees only its join's tables; derived tables and WITH queries see no outer query;
 * USING and NATURAL merge their columns into one (SQL-92 §7.5). */
#include <config.h>

#include "adql/resolve_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- helpers ---------------------------------------------------------------------------------- */

int rs_nomem(rs_ctx *c) { return tr_err_set(c->err, TR_ENOMEM, -1, 0, "out of memory resolving the query"); }

adql_annot *rs_annot(rs_ctx *c, adql_node *n)
{
	if (n->annot)
		return n->annot;
	adql_annot *an = arena_zalloc(c->a, sizeof *an);
	if (an == NULL) {
		rs_nomem(c);
		return NULL;
	}
	an->out_index = -1;
	n->annot = an;
	return an;
}

static char lower(char ch) { return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch; }

bool rs_ascii_ieq(const char *a, const char *b)
{
	for (; *a && lower(*a) == lower(*b); a++, b++) {
	}
	return lower(*a) == lower(*b);
}

bool rs_ident_eq(const adql_ident *id, const char *name)
{
	return id->is_delimited ? strcmp(id->name, name) == 0 : rs_ascii_ieq(id->name, name);
}

static int name_err(rs_ctx *c, long pos, long len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int name_err(rs_ctx *c, long pos, long len, const char *fmt, ...)
{
	char msg[TR_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return tr_err_set(c->err, TR_ENAME, pos, len, "%s", msg);
}

/* parts[0..n) as written, dotted, for messages. */
static void name_text(const adql_ident *parts, size_t n, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		int k = snprintf(buf + used, size - used, i ? ".%s" : "%s", parts[i].name);
		used += k > 0 ? (size_t)k : 0;
	}
}

static long span_len(const adql_ident *parts, size_t n) { return parts[n - 1].pos + parts[n - 1].len - parts[0].pos; }

static catalog_name cat_name(const adql_ident *id) { return (catalog_name){ id->name, id->name_len, id->is_delimited }; }

/* A growable array of column references in the arena. */
typedef struct colvec {
	adql_colref *v;
	size_t n, cap;
} colvec;

static int colvec_push(rs_ctx *c, colvec *cv, adql_colref ref)
{
	if (cv->n == cv->cap) {
		size_t cap = cv->cap ? cv->cap * 2 : 16;
		adql_colref *v = arena_calloc(c->a, cap, sizeof *v);
		if (v == NULL)
			return rs_nomem(c);
		if (cv->n)
			memcpy(v, cv->v, cv->n * sizeof *v);
		cv->v = v;
		cv->cap = cap;
	}
	cv->v[cv->n++] = ref;
	return TR_OK;
}

/* ---- FROM entries ------------------------------------------------------------------------------- */

static const adql_ident *range_alias(const adql_range *r)
{
	return r->node->kind == ADQL_N_TABLE ? r->node->table.alias : r->node->derived.alias;
}

static const char *range_sql_name(const adql_range *r, size_t i)
{
	return r->kind == ADQL_RANGE_TABLE ? r->table->columns[i]->db_name : r->columns->columns[i].name;
}

static adql_colref range_ref(const adql_range *r, size_t i)
{
	return (adql_colref){ r, range_sql_name(r, i), &r->columns->columns[i] };
}

/* A published column as a plain reference outputs it. */
static void out_from_catalog(adql_out_column *o, const catalog_column *col)
{
	adql_type_votable vot;
	o->type = adql_type_of_column(col, &vot);
	o->name = col->db_name;
	o->datatype = vot.datatype;
	o->arraysize = vot.arraysize;
	o->xtype = vot.xtype;
	o->unit = col->unit;
	o->ucd = col->ucd;
	o->utype = col->utype;
	o->description = col->description;
	o->column = col;
}

static adql_range *new_range(rs_ctx *c, adql_node *n, adql_range_kind kind)
{
	adql_range *r = arena_zalloc(c->a, sizeof *r);
	if (r == NULL) {
		rs_nomem(c);
		return NULL;
	}
	r->kind = kind;
	r->id = ++c->n_ranges;
	r->node = n;
	n->annot->range = r;
	return r;
}

/* TAP 1.1 §2.7.6: uploaded tables are TAP_UPLOAD.name; the schema compares like any other (a
 * regular identifier ignoring case, a delimited one exactly). */
static bool is_upload_schema(const catalog_name *schema)
{
	static const char up[] = "TAP_UPLOAD";
	size_t n = sizeof up - 1;
	if (schema == NULL || schema->len != n)
		return false;
	return schema->is_delimited ? memcmp(schema->s, up, n) == 0 : strncasecmp(schema->s, up, n) == 0;
}

catalog_match rs_find_table(const rs_ctx *c, const catalog_name *schema, const catalog_name *table,
                            const catalog_table **out_table, const catalog_table **out_other)
{
	const catalog *cat = c->uploads && is_upload_schema(schema) ? c->uploads : c->cat;
	return catalog_find_table(cat, schema, table, out_table, out_other);
}

/* The catalog that holds t: the uploads' for a table of their schema (lookups index each catalog's
 * own tables). */
static const catalog *table_catalog(const rs_ctx *c, const catalog_table *t)
{
	if (c->uploads)
		for (size_t i = 0; i < catalog_n_schemas(c->uploads); i++)
			if (t->schema == catalog_schema_at(c->uploads, i))
				return c->uploads;
	return c->cat;
}

static int table_range(rs_ctx *c, adql_node *n)
{
	const adql_name *nm = n->table.name;
	const adql_ident *p = nm->parts;
	if (nm->n_parts == 1) {
		for (size_t i = 0; i < c->n_ctes_visible; i++) {
			if (rs_ident_eq(&p[0], c->ctes[i].name->name)) {
				adql_range *r = new_range(c, n, ADQL_RANGE_CTE);
				if (r == NULL)
					return TR_ENOMEM;
				r->cte_id = c->ctes[i].id;
				r->columns = c->ctes[i].meta;
				return TR_OK;
			}
		}
	}
	char text[3 * ADQL_MAX_IDENT_BYTES + 8];
	name_text(p, nm->n_parts, text, sizeof text);
	const catalog_table *t = NULL, *other = NULL;
	catalog_match m = CATALOG_NOT_FOUND;
	if (nm->n_parts <= 2) {
		catalog_name schema = cat_name(&p[0]), table = cat_name(&p[nm->n_parts - 1]);
		m = rs_find_table(c, nm->n_parts == 2 ? &schema : NULL, &table, &t, &other);
	}
	if (m == CATALOG_NOT_FOUND) {
		name_err(c, nm->pos, nm->len, "unknown table '%s'", text);
		catalog_name schema = cat_name(&p[0]);
		if (nm->n_parts == 2 && is_upload_schema(&schema))
			tr_err_detail(c->err, "TAP_UPLOAD holds the tables uploaded with the request: UPLOAD=name,param:PART "
			                      "(TAP 1.1 §2.7.6)");
		else
			tr_err_detail(c->err, "only the tables published in TAP_SCHEMA.tables can be queried (TAP 1.1 §4)");
		return TR_ENAME;
	}
	if (m == CATALOG_AMBIGUOUS) {
		name_err(c, nm->pos, nm->len, "table name '%s' is ambiguous: it may be %s or %s", text, t->name, other->name);
		tr_err_detail(c->err, "qualify it with its schema, or write it in double quotes with its exact case");
		return TR_ENAME;
	}
	adql_range *r = new_range(c, n, ADQL_RANGE_TABLE);
	adql_result_meta *cols = arena_zalloc(c->a, sizeof *cols);
	adql_out_column *v = arena_calloc(c->a, t->n_columns ? t->n_columns : 1, sizeof *v);
	if (r == NULL || cols == NULL || v == NULL)
		return rs_nomem(c);
	for (size_t i = 0; i < t->n_columns; i++)
		out_from_catalog(&v[i], t->columns[i]);
	cols->columns = v;
	cols->n_columns = t->n_columns;
	r->table = t;
	r->columns = cols;
	return TR_OK;
}

typedef enum lookup { LK_NONE, LK_ONE, LK_MANY } lookup;

/* Column id of range r (the whole range: USING merges do not apply to qualified names). */
static lookup range_column(rs_ctx *c, const adql_range *r, const adql_ident *id, adql_colref *out)
{
	if (r->kind == ADQL_RANGE_TABLE) {
		catalog_name nm = cat_name(id);
		const catalog_column *col;
		catalog_match m = catalog_find_column(table_catalog(c, r->table), r->table, &nm, &col, NULL);
		if (m == CATALOG_FOUND)
			*out = range_ref(r, col->ord);
		return m == CATALOG_FOUND ? LK_ONE : m == CATALOG_AMBIGUOUS ? LK_MANY : LK_NONE;
	}
	lookup k = LK_NONE;
	for (size_t i = 0; i < r->columns->n_columns; i++) {
		if (rs_ident_eq(id, r->columns->columns[i].name)) {
			*out = range_ref(r, i);
			k = k == LK_NONE ? LK_ONE : LK_MANY;
		}
	}
	return k;
}

/* The column of a USING/NATURAL pair that stands for both: the side whose rows are all kept
 * (SQL-92 §7.5: COALESCE(left, right); equal when both exist, so left for inner joins). */
static adql_colref merged_ref(const adql_node *join, size_t k)
{
	return join->join.type == ADQL_JOIN_RIGHT ? join->annot->cols2[k] : join->annot->cols[k];
}

/* Unqualified column id in FROM item `item`. */
static lookup item_column(rs_ctx *c, const adql_node *item, const adql_ident *id, adql_colref *out)
{
	if (item->kind != ADQL_N_JOIN)
		return range_column(c, item->annot->range, id, out);
	const adql_annot *an = item->annot;
	for (size_t k = 0; k < an->n_cols; k++) {
		if (rs_ident_eq(id, an->cols[k].meta->name)) {
			*out = merged_ref(item, k);
			return LK_ONE;
		}
	}
	adql_colref right;
	lookup l = item_column(c, item->join.left, id, out);
	lookup r = item_column(c, item->join.right, id, &right);
	if (l == LK_NONE && r == LK_ONE)
		*out = right;
	return l == LK_MANY || r == LK_MANY || (l == LK_ONE && r == LK_ONE) ? LK_MANY : l == LK_ONE || r == LK_ONE ? LK_ONE : LK_NONE;
}

/* Ranges of FROM item `item` that qualifier q[0..nq) names; counts them, keeps the first. */
static size_t item_ranges_named(const rs_ctx *c, const adql_node *item, const adql_ident *q, size_t nq,
                                const adql_range **out)
{
	if (item->kind == ADQL_N_JOIN)
		return item_ranges_named(c, item->join.left, q, nq, out) + item_ranges_named(c, item->join.right, q, nq, out);
	const adql_range *r = item->annot->range;
	const adql_ident *alias = range_alias(r);
	bool named;
	if (alias)
		named = nq == 1 && rs_ident_eq(&q[0], alias->name);
	else if (r->kind == ADQL_RANGE_CTE)
		named = nq == 1 && rs_ident_eq(&q[0], c->ctes[r->cte_id - 1].name->name);
	else if (r->kind == ADQL_RANGE_TABLE)
		named = (nq == 1 && rs_ident_eq(&q[0], r->table->db_table)) ||
		        (nq == 2 && rs_ident_eq(&q[0], r->table->db_schema) && rs_ident_eq(&q[1], r->table->db_table));
	else
		named = false;
	if (named && *out == NULL)
		*out = r;
	return named ? 1 : 0;
}

static size_t scope_ranges_named(const rs_ctx *c, const rs_scope *s, const adql_ident *q, size_t nq,
                                 const adql_range **out)
{
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; i < s->n_items; i++)
		n += item_ranges_named(c, s->items[i], q, nq, out);
	return n;
}

/* The columns FROM item `item` shows to SELECT *, in order (SQL-92 §7.5: a join's merged columns
 * first, then the other columns of the left side, then of the right). */
static bool is_merged(const adql_colref *refs, size_t n, const adql_colref *ref)
{
	for (size_t k = 0; k < n; k++)
		if (refs[k].range == ref->range && strcmp(refs[k].sql_name, ref->sql_name) == 0)
			return true;
	return false;
}

static int item_star(rs_ctx *c, const adql_node *item, colvec *out)
{
	if (item->kind != ADQL_N_JOIN) {
		const adql_range *r = item->annot->range;
		for (size_t i = 0; i < r->columns->n_columns; i++)
			if (colvec_push(c, out, range_ref(r, i)) != TR_OK)
				return TR_ENOMEM;
		return TR_OK;
	}
	const adql_annot *an = item->annot;
	colvec side[2] = { { 0 }, { 0 } };
	int rc = item_star(c, item->join.left, &side[0]);
	if (rc == TR_OK)
		rc = item_star(c, item->join.right, &side[1]);
	for (size_t k = 0; rc == TR_OK && k < an->n_cols; k++)
		rc = colvec_push(c, out, merged_ref(item, k));
	for (int s = 0; s < 2; s++) {
		const adql_colref *merged = s == 0 ? an->cols : an->cols2;
		for (size_t i = 0; rc == TR_OK && i < side[s].n; i++)
			if (!is_merged(merged, an->n_cols, &side[s].v[i]))
				rc = colvec_push(c, out, side[s].v[i]);
	}
	return rc;
}

static int from_item(rs_ctx *c, adql_node *n, const rs_scope *sel);

/* NATURAL JOIN / USING (...): pairs the same-named columns of both sides (SQL-92 §7.5). */
static int join_columns(rs_ctx *c, adql_node *n)
{
	colvec left = { 0 }, right = { 0 };
	adql_node *sides[2] = { n->join.left, n->join.right };
	if (n->join.is_natural) {
		colvec all[2] = { { 0 }, { 0 } };
		if (item_star(c, sides[0], &all[0]) != TR_OK || item_star(c, sides[1], &all[1]) != TR_OK)
			return TR_ENOMEM;
		for (size_t i = 0; i < all[0].n; i++) {
			size_t n_match = 0, at = 0;
			for (size_t j = 0; j < all[1].n; j++) {
				if (rs_ascii_ieq(all[0].v[i].meta->name, all[1].v[j].meta->name)) {
					n_match++;
					at = j;
				}
			}
			if (n_match > 1)
				return name_err(c, n->pos, n->len, "NATURAL JOIN: column name '%s' is ambiguous in the right table",
				                all[0].v[i].meta->name);
			if (n_match == 1 && (colvec_push(c, &left, all[0].v[i]) != TR_OK || colvec_push(c, &right, all[1].v[at]) != TR_OK))
				return TR_ENOMEM;
		}
	}
	for (size_t i = 0; i < n->join.n_using; i++) {
		const adql_ident *id = &n->join.using_cols[i];
		for (size_t j = 0; j < i; j++)
			if (rs_ascii_ieq(n->join.using_cols[j].name, id->name))
				return name_err(c, id->pos, id->len, "column '%s' is named twice in USING", id->name);
		adql_colref ref[2];
		for (int s = 0; s < 2; s++) {
			lookup k = item_column(c, sides[s], id, &ref[s]);
			if (k != LK_ONE)
				return name_err(c, id->pos, id->len, "USING column '%s' is %s the %s table", id->name,
				                k == LK_NONE ? "not in" : "ambiguous in", s == 0 ? "left" : "right");
		}
		if (!adql_type_comparable(ref[0].meta->type, ref[1].meta->type))
			return tr_err_set(c->err, TR_ETYPE, id->pos, id->len, "USING column '%s' cannot compare %s with %s",
			                  id->name, adql_type_name(ref[0].meta->type), adql_type_name(ref[1].meta->type));
		if (colvec_push(c, &left, ref[0]) != TR_OK || colvec_push(c, &right, ref[1]) != TR_OK)
			return TR_ENOMEM;
	}
	for (size_t i = 0; i < left.n; i++)
		if (n->join.is_natural && !adql_type_comparable(left.v[i].meta->type, right.v[i].meta->type))
			return tr_err_set(c->err, TR_ETYPE, n->pos, n->len, "NATURAL JOIN column '%s' cannot compare %s with %s",
			                  left.v[i].meta->name, adql_type_name(left.v[i].meta->type),
			                  adql_type_name(right.v[i].meta->type));
	n->annot->cols = left.v;
	n->annot->cols2 = right.v;
	n->annot->n_cols = left.n;
	return TR_OK;
}

static int resolve_query(rs_ctx *c, adql_node *q, const rs_scope *parent, const adql_result_meta **out);

static int from_item(rs_ctx *c, adql_node *n, const rs_scope *sel)
{
	if (rs_annot(c, n) == NULL)
		return TR_ENOMEM;
	switch (n->kind) {
	case ADQL_N_TABLE: return table_range(c, n);
	case ADQL_N_DERIVED: {
		/* SQL-92 §7.4: a derived table sees no other FROM entry and no outer query */
		const adql_result_meta *m;
		int rc = resolve_query(c, n->derived.query, NULL, &m);
		if (rc != TR_OK)
			return rc;
		adql_range *r = new_range(c, n, ADQL_RANGE_DERIVED);
		if (r == NULL)
			return TR_ENOMEM;
		r->columns = m;
		return TR_OK;
	}
	case ADQL_N_JOIN: break;
	default: return tr_err_set(c->err, TR_EINTERNAL, n->pos, n->len, "unexpected %s in FROM", adql_kind_name(n->kind));
	}
	int rc = from_item(c, n->join.left, sel);
	if (rc == TR_OK)
		rc = from_item(c, n->join.right, sel);
	if (rc == TR_OK && (n->join.is_natural || n->join.n_using))
		rc = join_columns(c, n);
	if (rc != TR_OK || n->join.on == NULL)
		return rc;
	/* SQL-92 §7.5: ON sees the two sides of its join (and outer queries), nothing else in FROM */
	adql_node *const self[1] = { n };
	rs_scope on_scope = { sel->parent, self, 1, NULL };
	bool no_agg = false;
	rs_expr e = { c, &on_scope, "ON", false, &no_agg };
	return rs_expr_resolve(&e, n->join.on);
}

/* Every range of the FROM tree under item, in order. */
static int item_ranges(rs_ctx *c, const adql_node *item, colvec *out)
{
	if (item->kind == ADQL_N_JOIN)
		return item_ranges(c, item->join.left, out) == TR_OK ? item_ranges(c, item->join.right, out) : TR_ENOMEM;
	return colvec_push(c, out, (adql_colref){ item->annot->range, NULL, NULL });
}

/* SQL-92 §7.3: the exposed names of one FROM clause must differ. */
static int check_exposed_names(rs_ctx *c, const rs_scope *s)
{
	colvec rs = { 0 };
	for (size_t i = 0; i < s->n_items; i++)
		if (item_ranges(c, s->items[i], &rs) != TR_OK)
			return TR_ENOMEM;
	for (size_t i = 1; i < rs.n; i++) {
		const adql_range *r = rs.v[i].range;
		const adql_ident *a = range_alias(r);
		for (size_t j = 0; j < i; j++) {
			const adql_range *o = rs.v[j].range;
			const adql_ident *b = range_alias(o);
			bool clash = a && b ? rs_ascii_ieq(a->name, b->name)
			                    : !a && !b && r->kind == o->kind && r->table == o->table && r->cte_id == o->cte_id;
			if (clash) {
				name_err(c, r->node->pos, r->node->len, "'%s' is named twice in FROM",
				         a ? a->name : r->node->table.name->parts[r->node->table.name->n_parts - 1].name);
				tr_err_detail(c->err, "give each occurrence its own alias: FROM t AS a, t AS b");
				return TR_ENAME;
			}
		}
	}
	return TR_OK;
}

/* ---- column references ---------------------------------------------------------------------------- */

static void bind(adql_node *n, const adql_colref *ref)
{
	adql_annot *an = n->annot;
	an->ref = *ref;
	an->type = ref->meta->type;
	an->unit = ref->meta->unit;
	an->ucd = ref->meta->ucd;
	an->info = ref->meta;
}

/* The message for a qualifier that names no FROM entry in scope. */
static int qualifier_not_in_scope(rs_expr *e, const adql_name *nm, size_t nq)
{
	rs_ctx *c = e->c;
	char text[3 * ADQL_MAX_IDENT_BYTES + 8];
	name_text(nm->parts, nq, text, sizeof text);
	long len = span_len(nm->parts, nq);
	const catalog_table *t = NULL;
	if (nq <= 2) {
		catalog_name schema = cat_name(&nm->parts[0]), table = cat_name(&nm->parts[nq - 1]);
		if (rs_find_table(c, nq == 2 ? &schema : NULL, &table, &t, NULL) != CATALOG_FOUND)
			t = NULL;
	}
	if (t == NULL) {
		name_err(c, nm->pos, len, "unknown table or alias '%s'", text);
		if (e->s->sel == NULL)
			tr_err_detail(c->err, "an ON condition can use only the tables of its own JOIN (SQL-92 §7.5)");
		return TR_ENAME;
	}
	name_err(c, nm->pos, len, "table '%s' is not in scope here", text);
	tr_err_detail(c->err, "it must be in this query's FROM clause (or an enclosing query's); a table with an alias "
	                      "is known only by its alias");
	return TR_ENAME;
}

int rs_column(rs_expr *e, adql_node *n)
{
	rs_ctx *c = e->c;
	const adql_name *nm = n->column.name;
	const adql_ident *col = &nm->parts[nm->n_parts - 1];
	size_t nq = nm->n_parts - 1;
	adql_colref ref;
	for (const rs_scope *s = e->s; s; s = s->parent) {
		lookup k = LK_NONE;
		if (nq == 0) {
			for (size_t i = 0; i < s->n_items; i++) {
				adql_colref one;
				lookup ki = item_column(c, s->items[i], col, &one);
				if (ki == LK_ONE && k == LK_NONE)
					ref = one;
				k = ki == LK_MANY || (ki == LK_ONE && k != LK_NONE) ? LK_MANY : ki == LK_ONE ? LK_ONE : k;
			}
		} else {
			const adql_range *r;
			size_t n_named = scope_ranges_named(c, s, nm->parts, nq, &r);
			if (n_named > 1) {
				char text[3 * ADQL_MAX_IDENT_BYTES + 8];
				name_text(nm->parts, nq, text, sizeof text);
				return name_err(c, nm->pos, span_len(nm->parts, nq), "table name '%s' is ambiguous here", text);
			}
			if (n_named == 0)
				continue;
			k = range_column(c, r, col, &ref);
			if (k == LK_NONE)
				return name_err(c, col->pos, col->len, "column '%s' is not in table '%s'", col->name,
				                range_alias(r) ? range_alias(r)->name : r->kind == ADQL_RANGE_TABLE ? r->table->name : "?");
		}
		if (k == LK_ONE) {
			bind(n, &ref);
			return TR_OK;
		}
		if (k == LK_MANY) {
			name_err(c, n->pos, n->len, "column name '%s' is ambiguous", col->name);
			tr_err_detail(c->err, "qualify it with a table name or alias%s",
			              nq ? ", or write it in double quotes with its exact case" : "");
			return TR_ENAME;
		}
	}
	if (nq)
		return qualifier_not_in_scope(e, nm, nq);
	name_err(c, n->pos, n->len, "unknown column '%s'", col->name);
	/* SQL-92 §7.9: select-list aliases name output columns, which WHERE and the like cannot see */
	const adql_node *sel = e->s->sel;
	for (size_t i = 0; sel && i < sel->select.items.n_nodes; i++) {
		const adql_node *it = sel->select.items.nodes[i];
		if (it->kind == ADQL_N_ITEM && it->item.alias && rs_ident_eq(col, it->item.alias->name))
			tr_err_detail(c->err, "'%s' is an alias of the select list: only ORDER BY and GROUP BY can use it",
			              it->item.alias->name);
	}
	return TR_ENAME;
}

/* ---- structural equality (GROUP BY and DISTINCT matching) --------------------------------------- */

#define EQ_MAX_CHILDREN 16 /* wider nodes (long IN lists, big polygons) never match: only a cost */

typedef struct kids {
	adql_node *v[EQ_MAX_CHILDREN];
	size_t n;
} kids;

static int collect(adql_node *child, void *ctx)
{
	kids *k = ctx;
	if (k->n == EQ_MAX_CHILDREN)
		return 1;
	k->v[k->n++] = child;
	return 0;
}

static bool node_equal(adql_node *a, adql_node *b);

static bool same_fields(const adql_node *a, const adql_node *b)
{
	switch (a->kind) {
	case ADQL_N_COLUMN:
		return a->annot && b->annot && a->annot->ref.range && a->annot->ref.range == b->annot->ref.range &&
		       strcmp(a->annot->ref.sql_name, b->annot->ref.sql_name) == 0;
	case ADQL_N_NUMBER: return strcmp(a->number.text, b->number.text) == 0;
	case ADQL_N_STRING:
		return a->string.value_len == b->string.value_len && memcmp(a->string.value, b->string.value, a->string.value_len) == 0;
	case ADQL_N_NULL: return true;
	case ADQL_N_UNARY: return a->unary.op == b->unary.op;
	case ADQL_N_BINARY: return a->binary.op == b->binary.op;
	case ADQL_N_CAST: return a->cast.type.kind == b->cast.type.kind && a->cast.type.length == b->cast.type.length;
	case ADQL_N_FUNC: return a->func.fn == b->func.fn && !a->func.coordsys == !b->func.coordsys;
	case ADQL_N_AGGREGATE:
		return a->aggregate.fn == b->aggregate.fn &&
		       (a->aggregate.quantifier == ADQL_Q_DISTINCT) == (b->aggregate.quantifier == ADQL_Q_DISTINCT);
	case ADQL_N_CASE:
		return !a->case_expr.operand == !b->case_expr.operand && !a->case_expr.else_result == !b->case_expr.else_result;
	case ADQL_N_WHEN: return true;
	case ADQL_N_COMPARE: return a->compare.op == b->compare.op;
	case ADQL_N_BETWEEN: return a->between.is_not == b->between.is_not;
	case ADQL_N_LIKE: return a->like.is_not == b->like.is_not && a->like.is_ilike == b->like.is_ilike;
	case ADQL_N_IS_NULL: return a->is_null.is_not == b->is_null.is_not;
	case ADQL_N_IN: return a->in.is_not == b->in.is_not && !a->in.query && !b->in.query;
	case ADQL_N_NOT:
	case ADQL_N_AND:
	case ADQL_N_OR: return true;
	default: return false; /* subqueries and query structure: never matched */
	}
}

static bool node_equal(adql_node *a, adql_node *b)
{
	if (a == b)
		return true;
	if (a->kind != b->kind || !same_fields(a, b))
		return false;
	kids ka = { .n = 0 }, kb = { .n = 0 };
	if (adql_node_each_child(a, collect, &ka) != 0 || adql_node_each_child(b, collect, &kb) != 0 || ka.n != kb.n)
		return false;
	for (size_t i = 0; i < ka.n; i++)
		if (!node_equal(ka.v[i], kb.v[i]))
			return false;
	return true;
}

/* ---- grouped queries (SQL-92 §7.9) ---------------------------------------------------------------- */

typedef struct grouping {
	rs_ctx *c;
	const adql_node *sel; /* the grouped query specification */
} grouping;

static bool item_owns(const adql_node *item, const adql_range *r)
{
	if (item->kind == ADQL_N_JOIN)
		return item_owns(item->join.left, r) || item_owns(item->join.right, r);
	return item->annot->range == r;
}

static bool owns(const adql_node *sel, const adql_range *r)
{
	for (size_t i = 0; i < sel->select.from.n_nodes; i++)
		if (item_owns(sel->select.from.nodes[i], r))
			return true;
	return false;
}

static adql_node *group_expr(adql_node *g) { return g->annot->alias_expr ? (adql_node *)g->annot->alias_expr : g; }

static bool is_grouped_expr(const adql_node *sel, adql_node *n)
{
	for (size_t i = 0; i < sel->select.group_by.n_nodes; i++)
		if (node_equal(n, group_expr(sel->select.group_by.nodes[i])))
			return true;
	return false;
}

static int ungrouped_visit(adql_node *n, void *ctx)
{
	grouping *g = ctx;
	if (n->kind == ADQL_N_AGGREGATE || is_grouped_expr(g->sel, n))
		return TR_OK;
	if (n->kind == ADQL_N_COLUMN && n->annot && n->annot->ref.range && owns(g->sel, n->annot->ref.range)) {
		const adql_name *nm = n->column.name;
		name_err(g->c, n->pos, n->len, "column '%s' must appear in GROUP BY or be used in an aggregate function",
		         nm->parts[nm->n_parts - 1].name);
		tr_err_detail(g->c->err, "in a grouped query every column outside an aggregate must be grouped (SQL-92 §7.9)");
		return TR_ENAME;
	}
	return adql_node_each_child(n, ungrouped_visit, g);
}

static int check_star_grouped(grouping *g, const adql_node *star)
{
	for (size_t i = 0; i < star->annot->n_cols; i++) {
		const adql_colref *ref = &star->annot->cols[i];
		bool ok = false;
		for (size_t j = 0; !ok && j < g->sel->select.group_by.n_nodes; j++) {
			const adql_node *t = group_expr(g->sel->select.group_by.nodes[j]);
			ok = t->kind == ADQL_N_COLUMN && t->annot->ref.range == ref->range &&
			     strcmp(t->annot->ref.sql_name, ref->sql_name) == 0;
		}
		if (!ok)
			return name_err(g->c, star->pos, star->len,
			                "'*' includes column '%s', which must appear in GROUP BY in a grouped query",
			                ref->meta->name);
	}
	return TR_OK;
}

/* With allow_ungrouped only HAVING is checked: MariaDB, which allows the rest, refuses that too. */
static int check_grouping(rs_ctx *c, const adql_node *sel, const adql_list *order_by)
{
	grouping g = { c, sel };
	int rc = TR_OK;
	if (c->allow_ungrouped)
		return sel->select.having ? ungrouped_visit(sel->select.having, &g) : TR_OK;
	for (size_t i = 0; rc == TR_OK && i < sel->select.items.n_nodes; i++) {
		adql_node *item = sel->select.items.nodes[i];
		rc = item->kind == ADQL_N_STAR ? check_star_grouped(&g, item) : ungrouped_visit(item->item.expr, &g);
	}
	if (rc == TR_OK && sel->select.having)
		rc = ungrouped_visit(sel->select.having, &g);
	for (size_t i = 0; rc == TR_OK && order_by && i < order_by->n_nodes; i++)
		if (order_by->nodes[i]->annot->out_index < 0)
			rc = ungrouped_visit(order_by->nodes[i]->order.expr, &g);
	return rc;
}

/* ---- output columns ------------------------------------------------------------------------------ */

/* Per output column while building a select's description: what ORDER BY may match. */
typedef struct out_src {
	const char *base_name; /* name before de-duplication */
	adql_node *expr;       /* the item's expression, NULL for a * column */
	adql_colref ref;       /* a plain column's reference (range NULL otherwise) */
} out_src;

static const char *default_name(rs_ctx *c, const adql_node *e)
{
	static const char *const aggs[] = { "count", "sum", "avg", "min", "max" };
	switch (e->kind) {
	case ADQL_N_COLUMN: return e->annot->ref.meta->name;
	case ADQL_N_SUBQUERY: return e->annot->info->name;
	case ADQL_N_AGGREGATE: return aggs[e->aggregate.fn];
	case ADQL_N_CAST: return "cast";
	case ADQL_N_FUNC: {
		char *s = arena_strdup(c->a, adql_func_get(e->func.fn)->name);
		for (char *p = s; p && *p; p++)
			*p = lower(*p);
		return s;
	}
	default: return "expr";
	}
}

/* MySQL names (aliases become column names of derived tables) may not end with a space nor hold
 * characters beyond U+FFFF (MySQL 8.0 reference, §11.2 Schema Object Names). */
static int check_alias(rs_ctx *c, const adql_ident *alias)
{
	const char *why = NULL;
	if (alias->name[alias->name_len - 1] == ' ')
		why = "ends with a space";
	for (size_t i = 0; i < alias->name_len && !why; i++)
		if ((unsigned char)alias->name[i] >= 0xF0)
			why = "has a character beyond U+FFFF";
	if (why == NULL)
		return TR_OK;
	return name_err(c, alias->pos, alias->len, "alias \"%s\" %s, which the database does not allow in names", alias->name, why);
}

static int out_from_expr(rs_ctx *c, adql_node *e, const adql_ident *alias, adql_out_column *o)
{
	const adql_annot *an = e->annot;
	if (e->kind == ADQL_N_COLUMN) {
		*o = *an->ref.meta;
	} else {
		adql_type_votable vot = adql_type_to_votable(an->type);
		const adql_out_column *info = an->info;
		*o = (adql_out_column){ .datatype = info ? info->datatype : vot.datatype,
			                .arraysize = info ? info->arraysize : vot.arraysize,
			                .xtype = info ? info->xtype : vot.xtype,
			                .unit = an->unit ? an->unit : vot.unit,
			                .ucd = an->ucd,
			                .type = an->type };
		if (e->kind == ADQL_N_CAST && e->cast.type.length > 0)
			o->arraysize = arena_printf(c->a, e->cast.type.kind == ADQL_CAST_VARCHAR ? "%ld*" : "%ld", e->cast.type.length);
		o->name = default_name(c, e);
		if (o->name == NULL || (e->kind == ADQL_N_CAST && e->cast.type.length > 0 && o->arraysize == NULL))
			return rs_nomem(c);
	}
	if (alias) {
		int rc = check_alias(c, alias);
		if (rc != TR_OK)
			return rc;
		o->name = alias->name;
	}
	return TR_OK;
}

/* Makes every name unique (ASCII case-insensitively, as the database compares them) by adding _2,
 * _3, ... to later duplicates.  A duplicate starts counting after the suffix the last column with
 * the same base name got: the smaller ones are still taken (names are only ever added), and
 * counting from 2 each time made n equal names cost n^3 / 6 comparisons (a select list of 1000
 * constants took seconds; found by tests/fuzz/fuzz_adql). */
static int dedupe(rs_ctx *c, adql_out_column *v, size_t n)
{
	const char **base = arena_calloc(c->a, n, sizeof *base); /* each column's name before dedupe */
	unsigned *suffix = arena_calloc(c->a, n, sizeof *suffix); /* the _k it got, 0 for none */
	if (base == NULL || suffix == NULL)
		return rs_nomem(c);
	for (size_t i = 0; i < n; i++) {
		base[i] = v[i].name;
		unsigned k = 2;
		for (size_t j = i; j-- > 0;)
			if (rs_ascii_ieq(base[j], base[i])) {
				k = suffix[j] ? suffix[j] + 1 : 2;
				break;
			}
		for (;; k++) {
			bool taken = false;
			for (size_t j = 0; j < i && !taken; j++)
				taken = rs_ascii_ieq(v[j].name, v[i].name);
			if (!taken)
				break;
			v[i].name = arena_printf(c->a, "%s_%u", base[i], k);
			if (v[i].name == NULL)
				return rs_nomem(c);
			suffix[i] = k;
		}
	}
	return TR_OK;
}

static int select_outputs(rs_ctx *c, adql_node *sel, adql_result_meta **out_meta, out_src **out_src_v)
{
	const adql_list *items = &sel->select.items;
	size_t n = 0;
	for (size_t i = 0; i < items->n_nodes; i++) {
		const adql_node *it = items->nodes[i];
		n += it->kind == ADQL_N_STAR ? it->annot->n_cols : 1;
		if (n > ADQL_MAX_SELECT_ITEMS)
			return tr_err_set(c->err, TR_ELIMIT, it->pos, it->len, "the select list has more than %d columns",
			                  ADQL_MAX_SELECT_ITEMS);
	}
	if (n == 0)
		return tr_err_set(c->err, TR_ETYPE, sel->pos, sel->len, "the select list has no columns");
	adql_result_meta *m = arena_zalloc(c->a, sizeof *m);
	adql_out_column *v = arena_calloc(c->a, n, sizeof *v);
	out_src *src = arena_calloc(c->a, n, sizeof *src);
	if (m == NULL || v == NULL || src == NULL)
		return rs_nomem(c);
	size_t k = 0;
	for (size_t i = 0; i < items->n_nodes; i++) {
		adql_node *it = items->nodes[i];
		if (it->kind == ADQL_N_STAR) {
			for (size_t j = 0; j < it->annot->n_cols; j++, k++) {
				v[k] = *it->annot->cols[j].meta;
				src[k] = (out_src){ v[k].name, NULL, it->annot->cols[j] };
			}
			continue;
		}
		int rc = out_from_expr(c, it->item.expr, it->item.alias, &v[k]);
		if (rc != TR_OK)
			return rc;
		src[k] = (out_src){ v[k].name, it->item.expr, { NULL, NULL, NULL } };
		if (it->item.expr->kind == ADQL_N_COLUMN)
			src[k].ref = it->item.expr->annot->ref;
		k++;
	}
	int rc = dedupe(c, v, n);
	m->columns = v;
	m->n_columns = n;
	*out_meta = m;
	*out_src_v = src;
	return rc;
}

/* ---- select list, GROUP BY, ORDER BY -------------------------------------------------------------- */

static int star(rs_ctx *c, const rs_scope *s, adql_node *n)
{
	colvec cols = { 0 };
	const adql_name *q = n->star.qualifier;
	if (q == NULL) {
		for (size_t i = 0; i < s->n_items; i++)
			if (item_star(c, s->items[i], &cols) != TR_OK)
				return TR_ENOMEM;
	} else {
		const adql_range *r;
		size_t n_named = scope_ranges_named(c, s, q->parts, q->n_parts, &r);
		char text[3 * ADQL_MAX_IDENT_BYTES + 8];
		name_text(q->parts, q->n_parts, text, sizeof text);
		if (n_named > 1)
			return name_err(c, q->pos, q->len, "table name '%s' is ambiguous here", text);
		if (n_named == 0)
			return name_err(c, q->pos, q->len, "'%s.*' names no table of this FROM clause", text);
		for (size_t i = 0; i < r->columns->n_columns; i++)
			if (colvec_push(c, &cols, range_ref(r, i)) != TR_OK)
				return TR_ENOMEM;
	}
	n->annot->cols = cols.v;
	n->annot->n_cols = cols.n;
	return TR_OK;
}

/* Does the select-list item's expression hold an aggregate of this query (not of a subquery)? */
static int find_agg(adql_node *n, void *ctx)
{
	(void)ctx;
	if (n->kind == ADQL_N_AGGREGATE)
		return 1;
	if (n->kind == ADQL_N_QUERY)
		return 0;
	return adql_node_each_child(n, find_agg, NULL);
}

/* A bare number, signed or not: MySQL reads an integer one in GROUP BY or ORDER BY as a position,
 * and sorting or grouping by any other is pointless, so neither reaches the database. */
static bool is_constant_number(const adql_node *n)
{
	if (n->kind == ADQL_N_UNARY && n->unary.op != ADQL_OP_BITNOT)
		n = n->unary.arg;
	return n->kind == ADQL_N_NUMBER;
}

static int constant_key(rs_ctx *c, const adql_node *n, const char *clause)
{
	return tr_err_set(c->err, TR_ETYPE, n->pos, n->len, "%s takes %s, not a constant number", clause,
	                  clause[0] == 'G' ? "columns or expressions" : "select-list positions, output columns or expressions");
}

/* A GROUP BY term: an expression over the FROM columns, or (as MySQL allows) a select-list alias. */
static int group_term(rs_ctx *c, const rs_scope *s, adql_node *sel, adql_node *g)
{
	if (rs_annot(c, g) == NULL)
		return TR_ENOMEM;
	if (is_constant_number(g))
		return constant_key(c, g, "GROUP BY");
	if (g->kind == ADQL_N_COLUMN && g->column.name->n_parts == 1) {
		const adql_ident *id = &g->column.name->parts[0];
		adql_colref ref;
		lookup k = LK_NONE;
		for (size_t i = 0; i < s->n_items && k == LK_NONE; i++)
			k = item_column(c, s->items[i], id, &ref);
		for (size_t i = 0; k == LK_NONE && i < sel->select.items.n_nodes; i++) {
			adql_node *it = sel->select.items.nodes[i];
			if (it->kind != ADQL_N_ITEM || it->item.alias == NULL || !rs_ident_eq(id, it->item.alias->name))
				continue;
			if (find_agg(it->item.expr, NULL))
				return tr_err_set(c->err, TR_ETYPE, g->pos, g->len, "GROUP BY cannot use '%s': it is an aggregate",
				                  id->name);
			g->annot->alias_expr = it->item.expr;
			g->annot->type = it->item.expr->annot->type;
			return TR_OK;
		}
	}
	bool no_agg = false;
	rs_expr e = { c, s, "GROUP BY", false, &no_agg };
	return rs_expr_resolve(&e, g);
}

/* The output column an ORDER BY term names by position or name, or -1; TR_ENAME on a bad one. */
static int order_target(rs_ctx *c, const adql_node *e, const adql_result_meta *m, const out_src *src, long *out)
{
	*out = -1;
	if (e->kind == ADQL_N_NUMBER && e->number.num_kind == ADQL_NUM_INTEGER) {
		/* ADQL 2.1 <sort_key>: an unsigned integer is a select-list position */
		if (!e->number.fits_u64 || e->number.u64 < 1 || e->number.u64 > m->n_columns)
			return name_err(c, e->pos, e->len, "ORDER BY position %s is not in the select list (1 to %zu)",
			                e->number.text, m->n_columns);
		*out = (long)e->number.u64 - 1;
		return TR_OK;
	}
	if (e->kind != ADQL_N_COLUMN || e->column.name->n_parts != 1)
		return TR_OK;
	const adql_ident *id = &e->column.name->parts[0];
	for (size_t i = 0; i < m->n_columns; i++) {
		const char *name = src ? src[i].base_name : m->columns[i].name;
		if (!rs_ident_eq(id, name))
			continue;
		if (*out < 0) {
			*out = (long)i;
			continue;
		}
		const out_src *a = src ? &src[*out] : NULL, *b = src ? &src[i] : NULL;
		bool same = a && b && a->ref.range && a->ref.range == b->ref.range && strcmp(a->ref.sql_name, b->ref.sql_name) == 0;
		if (!same)
			return name_err(c, e->pos, e->len, "ORDER BY '%s' is ambiguous: it names output columns %ld and %zu",
			                id->name, *out + 1, i + 1);
	}
	return TR_OK;
}

static int annotate_target(rs_ctx *c, adql_node *o, long target, const adql_result_meta *m)
{
	if (rs_annot(c, o->order.expr) == NULL)
		return TR_ENOMEM;
	o->annot->out_index = target;
	o->order.expr->annot->type = m->columns[target].type;
	return TR_OK;
}

/* A sort key that names no output column: an expression over the FROM scope s. */
static int order_expression(rs_ctx *c, const rs_scope *s, const adql_node *sel, adql_node *o,
                            const adql_result_meta *m, const out_src *src, bool *saw_agg, long *target)
{
	rs_expr e = { c, s, NULL, false, saw_agg };
	int rc = rs_expr_resolve(&e, o->order.expr);
	if (rc != TR_OK || sel->select.quantifier != ADQL_Q_DISTINCT)
		return rc;
	/* SQL-92 §13.1 (and MySQL 8): after DISTINCT, sort keys must be output columns */
	const adql_annot *oa = o->order.expr->annot;
	for (size_t k = 0; k < m->n_columns && *target < 0; k++)
		if ((src[k].expr && node_equal(src[k].expr, o->order.expr)) ||
		    (o->order.expr->kind == ADQL_N_COLUMN && src[k].ref.range && src[k].ref.range == oa->ref.range &&
		     strcmp(src[k].ref.sql_name, oa->ref.sql_name) == 0))
			*target = (long)k;
	if (*target < 0)
		return name_err(c, o->order.expr->pos, o->order.expr->len,
		                "with SELECT DISTINCT, ORDER BY may only use columns of the select list");
	return TR_OK;
}

/* ORDER BY terms: output columns by position or name, else (sel given) expressions over sel's
 * FROM scope s.  sel NULL: after a set operation or a parenthesized query, where only output
 * columns can be named. */
static int resolve_order(rs_ctx *c, const rs_scope *s, const adql_node *sel, adql_list *order_by,
                         const adql_result_meta *m, const out_src *src, bool *saw_agg)
{
	for (size_t i = 0; i < order_by->n_nodes; i++) {
		adql_node *o = order_by->nodes[i];
		long target;
		int rc = rs_annot(c, o) ? order_target(c, o->order.expr, m, src, &target) : TR_ENOMEM;
		if (rc == TR_OK && target < 0 && is_constant_number(o->order.expr))
			rc = constant_key(c, o->order.expr, "ORDER BY");
		if (rc == TR_OK && target < 0 && sel == NULL)
			rc = name_err(c, o->order.expr->pos, o->order.expr->len,
			              "ORDER BY of a UNION, INTERSECT or EXCEPT must name an output column or give its position");
		if (rc == TR_OK && target < 0)
			rc = order_expression(c, s, sel, o, m, src, saw_agg, &target);
		if (rc == TR_OK && target >= 0)
			rc = annotate_target(c, o, target, m);
		if (rc != TR_OK)
			return rc;
	}
	return TR_OK;
}

/* TOP n, OFFSET n: an unsigned integer the database's LIMIT takes (64 bits). */
static int row_count(rs_ctx *c, adql_node *n, const char *what)
{
	if (n == NULL)
		return TR_OK;
	if (rs_annot(c, n) == NULL)
		return TR_ENOMEM;
	n->annot->type = ADQL_TYPE_BIGINT;
	if (!n->number.fits_u64)
		return tr_err_set(c->err, TR_ELIMIT, n->pos, n->len, "%s %s does not fit in 64 bits", what, n->number.text);
	return TR_OK;
}

static int resolve_select(rs_ctx *c, adql_node *sel, const rs_scope *parent, adql_list *order_by,
                          const adql_result_meta **out)
{
	rs_scope s = { parent, sel->select.from.nodes, sel->select.from.n_nodes, sel };
	int rc = rs_annot(c, sel) ? row_count(c, sel->select.top, "TOP") : TR_ENOMEM;
	for (size_t i = 0; rc == TR_OK && i < s.n_items; i++)
		rc = from_item(c, s.items[i], &s);
	if (rc == TR_OK)
		rc = check_exposed_names(c, &s);
	bool saw_agg = false;
	rs_expr e = { c, &s, NULL, false, &saw_agg };
	for (size_t i = 0; rc == TR_OK && i < sel->select.items.n_nodes; i++) {
		adql_node *it = sel->select.items.nodes[i];
		if (rs_annot(c, it) == NULL)
			return TR_ENOMEM;
		rc = it->kind == ADQL_N_STAR ? star(c, &s, it) : rs_expr_resolve(&e, it->item.expr);
		if (rc == TR_OK && it->kind == ADQL_N_ITEM)
			it->annot->type = it->item.expr->annot->type;
	}
	if (rc == TR_OK && sel->select.where) {
		rs_expr w = { c, &s, "WHERE", false, &saw_agg };
		rc = rs_expr_resolve(&w, sel->select.where);
	}
	for (size_t i = 0; rc == TR_OK && i < sel->select.group_by.n_nodes; i++)
		rc = group_term(c, &s, sel, sel->select.group_by.nodes[i]);
	if (rc == TR_OK && sel->select.having)
		rc = rs_expr_resolve(&e, sel->select.having);
	adql_result_meta *m = NULL;
	out_src *src = NULL;
	if (rc == TR_OK)
		rc = select_outputs(c, sel, &m, &src);
	if (rc == TR_OK && order_by)
		rc = resolve_order(c, &s, sel, order_by, m, src, &saw_agg);
	bool grouped = sel->select.group_by.n_nodes > 0 || sel->select.having || saw_agg;
	if (rc == TR_OK && grouped)
		rc = check_grouping(c, sel, order_by);
	if (rc != TR_OK)
		return rc;
	sel->annot->meta = m;
	*out = m;
	return TR_OK;
}

/* ---- set operations and queries -------------------------------------------------------------- */

static int resolve_setop(rs_ctx *c, adql_node *n, const rs_scope *parent, const adql_result_meta **out);

static int resolve_operand(rs_ctx *c, adql_node *n, const rs_scope *parent, const adql_result_meta **out)
{
	switch (n->kind) {
	case ADQL_N_SELECT: return resolve_select(c, n, parent, NULL, out);
	case ADQL_N_SETOP: return resolve_setop(c, n, parent, out);
	default: return resolve_query(c, n, parent, out);
	}
}

/* SQL-92 §7.10: operands of equal width, column by column comparable; names from the left. */
static int resolve_setop(rs_ctx *c, adql_node *n, const rs_scope *parent, const adql_result_meta **out)
{
	static const char *const ops[] = { "UNION", "INTERSECT", "EXCEPT" };
	const adql_result_meta *l, *r;
	int rc = rs_annot(c, n) ? resolve_operand(c, n->setop.left, parent, &l) : TR_ENOMEM;
	if (rc == TR_OK)
		rc = resolve_operand(c, n->setop.right, parent, &r);
	if (rc != TR_OK)
		return rc;
	const adql_node *right = n->setop.right;
	if (l->n_columns != r->n_columns)
		return tr_err_set(c->err, TR_ETYPE, right->pos, right->len,
		                  "%s operands must have the same number of columns, not %zu and %zu", ops[n->setop.op],
		                  l->n_columns, r->n_columns);
	adql_result_meta *m = arena_zalloc(c->a, sizeof *m);
	adql_out_column *v = arena_calloc(c->a, l->n_columns, sizeof *v);
	if (m == NULL || v == NULL)
		return rs_nomem(c);
	for (size_t i = 0; i < l->n_columns; i++) {
		const adql_out_column *a = &l->columns[i], *b = &r->columns[i];
		v[i] = *a;
		if (a->type == b->type)
			continue;
		if (!adql_type_comparable(a->type, b->type))
			return tr_err_set(c->err, TR_ETYPE, right->pos, right->len, "%s cannot combine %s and %s in column %zu",
			                  ops[n->setop.op], adql_type_name(a->type), adql_type_name(b->type), i + 1);
		v[i].type = adql_type_common(a->type, b->type);
		if (v[i].type != a->type) {
			adql_type_votable vot = adql_type_to_votable(v[i].type);
			v[i].datatype = vot.datatype;
			v[i].arraysize = vot.arraysize;
			v[i].xtype = vot.xtype;
			v[i].column = NULL;
		}
	}
	m->columns = v;
	m->n_columns = l->n_columns;
	n->annot->meta = m;
	*out = m;
	return TR_OK;
}

/* ADQL 2.1 (WITH): each WITH query sees the ones before it, and no outer query. */
static int resolve_ctes(rs_ctx *c, const adql_list *ctes)
{
	c->ctes = arena_calloc(c->a, ctes->n_nodes, sizeof *c->ctes);
	if (c->ctes == NULL)
		return rs_nomem(c);
	c->n_ctes = ctes->n_nodes;
	for (size_t i = 0; i < ctes->n_nodes; i++) {
		adql_node *cte = ctes->nodes[i];
		const adql_ident *name = &cte->cte.name;
		for (size_t j = 0; j < i; j++)
			if (rs_ascii_ieq(c->ctes[j].name->name, name->name))
				return name_err(c, name->pos, name->len, "WITH query name '%s' is used twice", name->name);
		c->n_ctes_visible = i;
		const adql_result_meta *m;
		int rc = rs_annot(c, cte) ? resolve_query(c, cte->cte.query, NULL, &m) : TR_ENOMEM;
		if (rc != TR_OK)
			return rc;
		c->ctes[i] = (rs_cte){ name, (unsigned)i + 1, m };
		cte->annot->cte_id = (unsigned)i + 1;
		cte->annot->meta = m;
	}
	c->n_ctes_visible = ctes->n_nodes;
	return TR_OK;
}

static int resolve_query(rs_ctx *c, adql_node *q, const rs_scope *parent, const adql_result_meta **out)
{
	if (rs_annot(c, q) == NULL)
		return TR_ENOMEM;
	int rc = q->query.ctes.n_nodes ? resolve_ctes(c, &q->query.ctes) : TR_OK;
	const adql_result_meta *m = NULL;
	adql_node *body = q->query.body;
	if (rc == TR_OK && body->kind == ADQL_N_SELECT)
		rc = resolve_select(c, body, parent, &q->query.order_by, &m);
	else if (rc == TR_OK) {
		rc = body->kind == ADQL_N_SETOP ? resolve_setop(c, body, parent, &m) : resolve_query(c, body, parent, &m);
		if (rc == TR_OK)
			rc = resolve_order(c, NULL, NULL, &q->query.order_by, m, NULL, NULL);
	}
	if (rc == TR_OK)
		rc = row_count(c, q->query.offset, "OFFSET");
	if (rc != TR_OK)
		return rc;
	q->annot->meta = m;
	*out = m;
	return TR_OK;
}

int rs_subquery(rs_ctx *c, adql_node *query, const rs_scope *parent, const adql_result_meta **out_meta)
{
	return resolve_query(c, query, parent, out_meta);
}

int adql_resolve(adql_query *q, const catalog *cat, const adql_resolve_opts *o, arena *a,
                 adql_result_meta **out_meta, tr_err *err)
{
	rs_ctx c = { .a = a, .cat = cat, .allow_ungrouped = o && o->allow_ungrouped, .uploads = o ? o->uploads : NULL,
	             .err = err };
	const adql_result_meta *m;
	int rc = resolve_query(&c, q->root, NULL, &m);
	if (rc != TR_OK)
		return tr_err_isset(err) ? err->code : tr_err_set(err, rc, -1, 0, "cannot resolve the query");
	q->root->annot->n_ranges = c.n_ranges;
	*out_meta = (adql_result_meta *)m;
	return TR_OK;
}
