/* adql/resolve_int: what the two halves of the resolver share (private to src/adql/resolve*.c).
 *
 * resolve.c owns queries, FROM entries, names and output columns; resolve_expr.c owns value
 * expressions, conditions, operators and functions.  Nothing outside the resolver includes this. */
#ifndef TR_ADQL_RESOLVE_INT_H
#define TR_ADQL_RESOLVE_INT_H

#include "adql/resolve.h"

#include <stdbool.h>
#include <stddef.h>

/* One WITH query (ADQL 2.1 <with_query>): visible to the queries after it. */
typedef struct rs_cte {
	const adql_ident *name;       /* as written */
	unsigned id;                  /* 1-based position in WITH */
	const adql_result_meta *meta; /* its output columns: the columns of a reference to it */
} rs_cte;

/* State of one adql_resolve() call. */
typedef struct rs_ctx {
	arena *a;               /* the query's arena: annotations and metadata go here */
	const catalog *cat;     /* published tables and columns */
	bool allow_ungrouped;   /* adql_resolve_opts */
	const catalog *uploads; /* adql_resolve_opts: TAP_UPLOAD tables, or NULL */
	tr_err *err;            /* the caller's error */
	unsigned n_ranges;      /* FROM entries numbered so far (adql_range.id) */
	rs_cte *ctes;           /* the WITH queries, n_ctes of them */
	size_t n_ctes;
	size_t n_ctes_visible;  /* how many of them the query being resolved may name */
} rs_ctx;

/* A name scope: the FROM entries one query specification (or one ON clause) can see, and the scope
 * of the query around it for correlated references (ADQL 2.1 §2.2 subqueries, searched inner to outer). */
typedef struct rs_scope {
	const struct rs_scope *parent; /* enclosing query's scope, or NULL */
	adql_node *const *items;       /* FROM items searched: tables, derived tables, join trees */
	size_t n_items;
	const adql_node *sel;          /* the query specification of this FROM clause; NULL for ON */
} rs_scope;

/* Where an expression stands, for the rules on aggregates (SQL-92 §6.5, §7.6, §7.9). */
typedef struct rs_expr {
	rs_ctx *c;
	const rs_scope *s;   /* names resolve here, then in the parents */
	const char *clause;  /* "WHERE", "ON", "GROUP BY"...: aggregates are not allowed there; NULL
	                      * in the select list, HAVING and ORDER BY, where they are */
	bool in_agg;         /* inside an aggregate's argument: aggregates may not nest */
	bool *saw_agg;       /* set when an aggregate of this query specification is found */
} rs_expr;

/* resolve.c: catalog_find_table() in the catalog the schema part selects: c->uploads for
 * TAP_UPLOAD.name (when there are uploads), c->cat otherwise. */
catalog_match rs_find_table(const rs_ctx *c, const catalog_name *schema, const catalog_name *table,
                            const catalog_table **out_table, const catalog_table **out_other);

/* resolve_expr.c: types and checks one value expression or condition, annotating every node. */
int rs_expr_resolve(rs_expr *e, adql_node *n);

/* resolve.c: binds a column reference (ADQL_N_COLUMN) to a FROM entry's column. */
int rs_column(rs_expr *e, adql_node *n);
/* resolve.c: resolves a subquery (ADQL_N_QUERY) seeing `parent` for correlated references. */
int rs_subquery(rs_ctx *c, adql_node *query, const rs_scope *parent, const adql_result_meta **out_meta);

/* A fresh, zeroed annotation on n (out_index -1); NULL with TR_ENOMEM recorded. */
adql_annot *rs_annot(rs_ctx *c, adql_node *n);
int rs_nomem(rs_ctx *c);

/* ADQL 2.1 §2.1 (identifiers): a regular identifier matches name ASCII case-insensitively, a delimited one
 * exactly. */
bool rs_ident_eq(const adql_ident *id, const char *name);
bool rs_ascii_ieq(const char *a, const char *b);

#endif
