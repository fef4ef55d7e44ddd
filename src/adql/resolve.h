/* adql/resolve: gives a parsed query its meaning: every name bound to a published table or column
 * (or a FROM entry, a WITH query, a select-list alias), every value typed, every function and
 * operator checked, and the output columns described for the VOTable writer.
 *
 * Reads the syntax tree (adql/ast.h) and the TAP_SCHEMA catalog (tap/catalog.h); writes nothing
 * but the `annot` of each node and what it allocates in the arena.  No SQL, no I/O, no global
 * state.  The translator (adql/translate.h) reads only the annotated tree and these types.
 * Implements ADQL 2.1 §2.1 (identifiers), §2.2 (query structure, name scopes), §2.3 and the
 * optional functions, CAST and geometry (arguments only: their SQL is the geometry emitter's), TAP 1.1 §2.7.4
 * (only published tables are reachable) and VOTable 1.4 / DALI 1.1 for the output metadata. */
#ifndef TR_ADQL_RESOLVE_H
#define TR_ADQL_RESOLVE_H

#include "adql/ast.h"
#include "adql/parser.h"
#include "adql/types.h"
#include "tap/catalog.h"
#include "util/arena.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- output columns -------------------------------------------------------------------------- */

/* One output column of a query: what a VOTable FIELD needs.  Plain column references copy the
 * published metadata (TAP_SCHEMA.columns, with TAP type names mapped to VOTable datatypes);
 * expressions get inferred metadata (adql/types.h): COUNT long, AVG double, integer arithmetic
 * long, other arithmetic double, string functions char[*], POINT double[2] xtype point unit deg,
 * MIN/MAX keep their argument's description, IN_UNIT the requested unit. */
typedef struct adql_out_column {
	const char *name;        /* unique among the query's columns (ASCII case-insensitively, as MySQL
	                          * compares column names): the column name, the alias, or the
	                          * lower-case function name / "expr", then _2, _3... if taken */
	const char *datatype;    /* VOTable datatype, never NULL */
	const char *arraysize;   /* VOTable arraysize, NULL for scalars */
	const char *xtype;       /* DALI xtype, or NULL */
	const char *unit;        /* VOUnit, or NULL */
	const char *ucd;         /* UCD, or NULL */
	const char *utype;       /* plain column references only, or NULL */
	const char *description; /* plain column references only, or NULL */
	adql_type type;          /* ADQL type of the values */
	const catalog_column *column; /* the published column of a plain column reference, else NULL */
} adql_out_column;

typedef struct adql_result_meta {
	const adql_out_column *columns; /* n_columns entries, in select-list order (* expanded) */
	size_t n_columns;               /* at least 1, at most ADQL_MAX_SELECT_ITEMS */
} adql_result_meta;

/* ---- FROM entries ---------------------------------------------------------------------------- */

typedef enum adql_range_kind {
	ADQL_RANGE_TABLE,   /* a published table */
	ADQL_RANGE_DERIVED, /* (query) AS alias */
	ADQL_RANGE_CTE      /* a reference to a WITH query */
} adql_range_kind;

/* One table in a FROM clause.  The translator names it t<id> in SQL, so no user-written name ever
 * reaches the database as a table alias. */
typedef struct adql_range {
	adql_range_kind kind;             /* which of the fields below apply */
	unsigned id;                      /* 1-based, unique in the whole query */
	const catalog_table *table;       /* TABLE: the published table (db_schema, db_table) */
	const adql_result_meta *columns;  /* DERIVED, CTE: the columns (the query's output); else NULL */
	unsigned cte_id;                  /* CTE: 1-based position in WITH (SQL name w<cte_id>); else 0 */
	const adql_node *node;            /* the ADQL_N_TABLE or ADQL_N_DERIVED that defines it */
} adql_range;

/* Where a column's values come from. */
typedef struct adql_colref {
	const adql_range *range;     /* the FROM entry */
	const char *sql_name;        /* its name there: the db_name of a published column, the output
	                              * name of a derived table's or WITH query's column */
	const adql_out_column *meta; /* its type and metadata (as a plain reference outputs it) */
} adql_colref;

/* ---- annotations ----------------------------------------------------------------------------- */

/* What the resolver hangs on each node (adql/ast.h declares it).  Every node of a resolved query
 * has one; fields not listed for a node's kind are zero / NULL. */
struct adql_annot {
	adql_type type;                 /* value expressions: their type; condition nodes:
	                                 * ADQL_TYPE_CONDITION; other nodes: ADQL_TYPE_NULL */
	const char *unit;               /* value expressions: VOUnit when known (column units, kept by
	                                 * + - ABS MIN MAX...; IN_UNIT's target; deg for DISTANCE) */
	const char *ucd;                /* value expressions: UCD of a column reference or MIN/MAX */
	const adql_out_column *info;    /* value expressions whose values are those of one column
	                                 * (a column reference, MIN/MAX of one, a scalar subquery):
	                                 * that column's description; else NULL */
	adql_colref ref;                /* ADQL_N_COLUMN: the column named */
	const adql_range *range;        /* ADQL_N_TABLE, ADQL_N_DERIVED: the FROM entry defined */
	const adql_colref *cols;        /* ADQL_N_STAR: the n_cols columns it stands for, in order;
	                                 * ADQL_N_JOIN with NATURAL or USING: the left side of each
	                                 * joined column pair */
	const adql_colref *cols2;       /* ADQL_N_JOIN with NATURAL or USING: the right sides */
	size_t n_cols;                  /* entries in cols (and cols2) */
	const adql_result_meta *meta;   /* ADQL_N_QUERY, ADQL_N_SELECT, ADQL_N_SETOP: output columns */
	long out_index;                 /* ADQL_N_ORDER: 0-based output column it names (by position,
	                                 * alias or output name), -1 when it sorts by an expression */
	const adql_node *alias_expr;    /* a GROUP BY term naming a select-list alias: the item's
	                                 * expression, to be grouped by; else NULL */
	double factor;                  /* ADQL_N_FUNC IN_UNIT: value_in_target = value * factor */
	unsigned cte_id;                /* ADQL_N_CTE: its 1-based position in WITH */
	unsigned n_ranges;              /* the root ADQL_N_QUERY: FROM entries in the whole query */
};

/* ---- resolving ------------------------------------------------------------------------------- */

typedef struct adql_resolve_opts {
	/* SQL-92 §7.9: in a grouped query, every column outside an aggregate must be grouped.  The
	 * default (false) enforces it, as MySQL's ONLY_FULL_GROUP_BY does, so results never depend on
	 * which row the database picks.  true accepts such columns, as MariaDB does by default
	 * (except in HAVING, which MariaDB refuses too). */
	bool allow_ungrouped;
	/* TAP 1.1 §2.7.6: the request's uploaded tables (tap/upload.h), schema TAP_UPLOAD, or NULL.
	 * A table name qualified with TAP_UPLOAD (compared like any schema name) is looked up here
	 * and only here; everything else in cat. */
	const catalog *uploads;
} adql_resolve_opts;

/* Resolves q (from adql_parse, in arena a) against cat, annotating every node; allocates the
 * annotations and the output description in a.  o may be NULL (defaults).  On success returns
 * TR_OK and sets *out_meta (also on the root's annot).  Errors, with pos/len on the offending
 * name or expression and a message naming it:
 *   TR_ENAME         unknown table (anything not published: information_schema, mysql.*), unknown
 *                    or ambiguous column or table name, a qualifier not in scope, a duplicate
 *                    alias or WITH name, an unknown function, a column neither grouped nor
 *                    aggregated, ORDER BY position or name not in the select list
 *   TR_ETYPE         wrong argument type for an operator or function (numbers, strings,
 *                    timestamps, geometries), aggregates in WHERE / ON / GROUP BY or nested,
 *                    UNION operands of different widths or incompatible column types,
 *                    subqueries used as values that return more than one column, IN_UNIT with
 *                    an unknown or incompatible unit
 *   TR_EUNSUPPORTED  CAST to a geometry type; a coordinate system other than '', ICRS (any case,
 *                    optionally with an STC-S reference position: 'ICRS GEOCENTER') or NULL
 *   TR_ELIMIT        TOP/OFFSET beyond 64 bits, more than ADQL_MAX_SELECT_ITEMS output columns
 *   TR_ENOMEM        the arena ran out
 * Call it once per parsed query.  After an error the annotations are incomplete and q must not be
 * translated. */
int adql_resolve(adql_query *q, const catalog *cat, const adql_resolve_opts *o, arena *a,
                 adql_result_meta **out_meta, tr_err *err) __attribute__((warn_unused_result));

#endif
