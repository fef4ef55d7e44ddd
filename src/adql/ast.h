/* adql/ast: the syntax tree of one ADQL query, as the parser builds it — the contract between the
 * parser and the later passes (resolver, translator).
 *
 * The tree records syntax only: no name is looked up, no type inferred, nothing read from
 * TAP_SCHEMA.  It must not be given a meaning here; the resolver does that and hangs what it learns
 * on each node's `annot`.  Grammar: ADQL 2.1 (IVOA Recommendation 2023), Appendix A; where the tree
 * accepts more (CASE, CROSS JOIN, scalar subqueries, the ADQL_EXT_* extensions) the comment says so.
 *
 * Memory: every node, list, name and string lives in the arena passed to the constructors and is
 * freed with it; nothing is freed one by one.  Nodes are mutable so that passes can annotate them,
 * but only the resolver writes `annot`, and no pass changes the shape parsed.
 *
 * Positions: every node has pos (byte offset of its first token in the query text) and len (bytes to
 * the end of its last token); a node written in parentheses spans them too.  Identifiers and names
 * carry their own.  Line and column are computed only for messages (tr_err_linecol).
 *
 * Recursion: every node's height is at most ADQL_MAX_TREE_HEIGHT, so passes may recurse over the
 * tree without a depth check of their own. */
#ifndef TR_ADQL_AST_H
#define TR_ADQL_AST_H

#include "adql/limits.h"
#include "util/arena.h"
#include "util/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct adql_node adql_node;

/* What the resolver attaches to a node.  Declared here, defined by the resolver (adql/resolve.h);
 * the parser leaves every `annot` NULL.  The intent: every value expression gets its ADQL type (and
 * unit, UCD, xtype where known); an ADQL_N_COLUMN also the TAP_SCHEMA column and the FROM entry it
 * resolved to; an ADQL_N_TABLE the TAP_SCHEMA table; an ADQL_N_STAR the columns it expands to; an
 * ADQL_N_SELECT its output columns.  Allocate it in the tree's arena. */
typedef struct adql_annot adql_annot;

typedef enum adql_kind {
	/* Query structure */
	ADQL_N_QUERY,     /* query expression: [WITH ...] body [ORDER BY ...] [OFFSET n] (<select_expression>) */
	ADQL_N_CTE,       /* one common table expression: name AS (query) (<with_query>) */
	ADQL_N_SELECT,    /* query specification: SELECT ... FROM ... (<select_query>) */
	ADQL_N_SETOP,     /* left UNION | INTERSECT | EXCEPT [ALL] right (<query_set_expression>) */
	ADQL_N_ITEM,      /* select-list item: expression [AS alias] (<derived_column>) */
	ADQL_N_STAR,      /* select-list item: * or qualifier.* */
	ADQL_N_ORDER,     /* ORDER BY term: expression [ASC | DESC] (<order_by_term>) */
	/* Table references (FROM) */
	ADQL_N_TABLE,     /* [catalog.][schema.]table [[AS] alias] */
	ADQL_N_DERIVED,   /* (query) [AS] alias (<derived_table>) */
	ADQL_N_JOIN,      /* left [NATURAL] type JOIN right [ON ... | USING (...)] (<qualified_join>) */
	/* Value expressions */
	ADQL_N_COLUMN,    /* [qualifier.]column (<column_reference>) */
	ADQL_N_NUMBER,    /* unsigned numeric literal (a sign is an ADQL_N_UNARY around it) */
	ADQL_N_STRING,    /* character string literal */
	ADQL_N_NULL,      /* NULL */
	ADQL_N_UNARY,     /* - x, + x, ~ x */
	ADQL_N_BINARY,    /* x op y for + - * / || and the bitwise & | ^ */
	ADQL_N_SUBQUERY,  /* scalar subquery (query) used as a value (SQL-92; not in the ADQL BNF) */
	ADQL_N_CASE,      /* CASE [operand] WHEN ... [ELSE ...] END (SQL-92 §6.9; not in the ADQL BNF) */
	ADQL_N_WHEN,      /* one WHEN condition-or-value THEN result branch of ADQL_N_CASE */
	ADQL_N_CAST,      /* CAST(x AS type) (ADQL 2.1 <cast_specification>) */
	ADQL_N_FUNC,      /* call of a built-in function (math, trig, string, unit, COALESCE, geometry) */
	ADQL_N_AGGREGATE, /* COUNT(*), COUNT/SUM/AVG/MIN/MAX([ALL | DISTINCT] x) (<set_function_specification>) */
	ADQL_N_UDF,       /* call of a user-defined function (<user_defined_function>) */
	/* Conditions (search conditions and predicates): the only nodes allowed in WHERE, HAVING, ON,
	 * a searched CASE's WHEN, and under NOT / AND / OR; never allowed where a value is expected. */
	ADQL_N_COMPARE,   /* x = < > <= >= <> y (<comparison_predicate>) */
	ADQL_N_BETWEEN,   /* x [NOT] BETWEEN low AND high */
	ADQL_N_IN,        /* x [NOT] IN (values...) or x [NOT] IN (query) */
	ADQL_N_LIKE,      /* x [NOT] LIKE | ILIKE pattern */
	ADQL_N_IS_NULL,   /* x IS [NOT] NULL */
	ADQL_N_EXISTS,    /* EXISTS (query) */
	ADQL_N_NOT,       /* NOT condition */
	ADQL_N_AND,       /* condition AND condition [AND ...]: one node per chain */
	ADQL_N_OR,        /* condition OR condition [OR ...]: one node per chain */
	ADQL_N_KIND_COUNT_
} adql_kind;

/* An ordered list of nodes (select items, FROM entries, arguments, ...). */
typedef struct adql_list {
	adql_node **nodes; /* n_nodes non-NULL pointers; NULL when n_nodes is 0 */
	size_t n_nodes;    /* number of entries */
} adql_list;

/* One identifier as written (ADQL 2.1 §2.1.2, <identifier>). */
typedef struct adql_ident {
	const char *name;  /* NUL-terminated: a regular identifier as written, a delimited one unquoted
	                    * with "" made " (never empty, at most ADQL_MAX_IDENT_BYTES bytes) */
	size_t name_len;   /* bytes of name */
	long pos;          /* byte offset in the query (of the opening quote if delimited) */
	long len;          /* bytes in the query, quotes included */
	bool is_delimited; /* true: "..." — compare exactly; false: compare case-insensitively (§2.1.2) */
} adql_ident;

/* A dotted name: table [catalog.][schema.]table, column [qualifier.]column where the qualifier is a
 * table name or a correlation name (which one is for the resolver to decide). */
typedef struct adql_name {
	adql_ident parts[ADQL_MAX_NAME_PARTS]; /* parts[0 .. n_parts-1], leftmost first */
	size_t n_parts;                        /* 1 .. ADQL_MAX_NAME_PARTS */
	long pos;                              /* byte offset of the first part */
	long len;                              /* bytes up to the end of the last part */
} adql_name;

typedef enum adql_quantifier {
	ADQL_Q_NONE,    /* neither ALL nor DISTINCT written */
	ADQL_Q_ALL,     /* ALL */
	ADQL_Q_DISTINCT /* DISTINCT */
} adql_quantifier;

typedef enum adql_setop_kind { ADQL_SET_UNION, ADQL_SET_INTERSECT, ADQL_SET_EXCEPT } adql_setop_kind;

typedef enum adql_join_kind {
	ADQL_JOIN_INNER, /* [INNER] JOIN (ADQL 2.1 §2.2.2: the default) */
	ADQL_JOIN_LEFT,  /* LEFT [OUTER] JOIN */
	ADQL_JOIN_RIGHT, /* RIGHT [OUTER] JOIN */
	ADQL_JOIN_FULL,  /* FULL [OUTER] JOIN */
	ADQL_JOIN_CROSS  /* CROSS JOIN (SQL-92; not in the ADQL BNF): never NATURAL, ON or USING */
} adql_join_kind;

typedef enum adql_num_kind {
	ADQL_NUM_INTEGER, /* digits only: 42 */
	ADQL_NUM_DECIMAL, /* with a period, no exponent: 4.2, 4., .2 */
	ADQL_NUM_REAL,    /* with an exponent: 4.2E1 */
	ADQL_NUM_HEX      /* 0x2A (ADQL_EXT_HEX) */
} adql_num_kind;

typedef enum adql_unop {
	ADQL_OP_NEG,   /* - x */
	ADQL_OP_PLUS,  /* + x */
	ADQL_OP_BITNOT /* ~ x (ADQL_EXT_BITWISE) */
} adql_unop;

typedef enum adql_binop {
	ADQL_OP_ADD,    /* + */
	ADQL_OP_SUB,    /* - */
	ADQL_OP_MUL,    /* * */
	ADQL_OP_DIV,    /* / */
	ADQL_OP_CONCAT, /* || (ADQL 2.1 <concatenation_operator>) */
	ADQL_OP_BITAND, /* & (ADQL_EXT_BITWISE) */
	ADQL_OP_BITOR,  /* | (ADQL_EXT_BITWISE) */
	ADQL_OP_BITXOR  /* ^ (ADQL_EXT_BITWISE) */
} adql_binop;

typedef enum adql_cmp {
	ADQL_CMP_EQ, /* = */
	ADQL_CMP_NE, /* <> or != */
	ADQL_CMP_LT, /* < */
	ADQL_CMP_GT, /* > */
	ADQL_CMP_LE, /* <= */
	ADQL_CMP_GE  /* >= */
} adql_cmp;

typedef enum adql_agg { ADQL_AGG_COUNT, ADQL_AGG_SUM, ADQL_AGG_AVG, ADQL_AGG_MIN, ADQL_AGG_MAX } adql_agg;

/* Built-in functions: each is a reserved word (ADQL 2.1 §2.1.2).  Order matches adql_func_get(). */
typedef enum adql_func {
	/* ADQL 2.1 §2.3 mathematical functions */
	ADQL_FN_ABS, ADQL_FN_CEILING, ADQL_FN_DEGREES, ADQL_FN_EXP, ADQL_FN_FLOOR, ADQL_FN_LOG,
	ADQL_FN_LOG10, ADQL_FN_MOD, ADQL_FN_PI, ADQL_FN_POWER, ADQL_FN_RADIANS, ADQL_FN_RAND,
	ADQL_FN_ROUND, ADQL_FN_SQRT, ADQL_FN_TRUNCATE,
	/* ADQL 2.1 §2.3 trigonometrical functions */
	ADQL_FN_ACOS, ADQL_FN_ASIN, ADQL_FN_ATAN, ADQL_FN_ATAN2, ADQL_FN_COS, ADQL_FN_COT, ADQL_FN_SIN,
	ADQL_FN_TAN,
	/* optional string functions (<case_folding_function>) */
	ADQL_FN_LOWER, ADQL_FN_UPPER,
	/* optional unit conversion: IN_UNIT(value, 'unit') */
	ADQL_FN_IN_UNIT,
	/* optional conditional function (<coalesce_expression>) */
	ADQL_FN_COALESCE,
	/* optional geometry functions */
	ADQL_FN_AREA, ADQL_FN_BOX, ADQL_FN_CENTROID, ADQL_FN_CIRCLE, ADQL_FN_CONTAINS, ADQL_FN_COORD1,
	ADQL_FN_COORD2, ADQL_FN_COORDSYS, ADQL_FN_DISTANCE, ADQL_FN_INTERSECTS, ADQL_FN_POINT,
	ADQL_FN_POLYGON, ADQL_FN_REGION,
	ADQL_FN_COUNT_
} adql_func;

typedef enum adql_func_group {
	ADQL_FG_MATH,        /* ADQL 2.1 §2.3, mandatory */
	ADQL_FG_TRIG,        /* ADQL 2.1 §2.3, mandatory */
	ADQL_FG_STRING,      /* optional feature ivo://ivoa.net/std/TAPRegExt#features-adql-string */
	ADQL_FG_UNIT,        /* optional feature ...#features-adql-unit */
	ADQL_FG_CONDITIONAL, /* optional feature ...#features-adql-conditional */
	ADQL_FG_GEOMETRY     /* optional feature ...#features-adqlgeo */
} adql_func_group;

typedef struct adql_func_info {
	const char *name;      /* upper case, as in the standard */
	int min_args;          /* fewest arguments, a coordinate system not counted */
	int max_args;          /* most arguments, -1 for no bound (then ADQL_MAX_ARGS applies) */
	adql_func_group group; /* which part of the standard defines it */
	bool has_coordsys;     /* POINT, CIRCLE, BOX, POLYGON: may start with a coordinate system
	                        * string literal (deprecated in ADQL 2.1), kept apart in func.coordsys */
} adql_func_info;

/* Target types of CAST (ADQL 2.1 <cast_target>). */
typedef enum adql_cast_kind {
	ADQL_CAST_SMALLINT, ADQL_CAST_INTEGER, ADQL_CAST_BIGINT, ADQL_CAST_REAL,
	ADQL_CAST_DOUBLE,   /* DOUBLE PRECISION */
	ADQL_CAST_CHAR, ADQL_CAST_VARCHAR, ADQL_CAST_TIMESTAMP,
	ADQL_CAST_POINT, ADQL_CAST_CIRCLE, ADQL_CAST_POLYGON
} adql_cast_kind;

typedef struct adql_cast_type {
	adql_cast_kind kind; /* the type named */
	long length;         /* CHAR(n) / VARCHAR(n): n (1 .. ADQL_MAX_CAST_LENGTH); -1 when not written */
} adql_cast_type;

struct adql_node {
	adql_kind kind;    /* selects the member of the union below */
	long pos;          /* byte offset of the node's first token in the query text */
	long len;          /* bytes from pos to the end of the node's last token */
	unsigned height;   /* 1 + the greatest height of the children (1 for a leaf) */
	adql_annot *annot; /* the resolver's annotation; NULL until the resolver sets it */
	union {
		/* ADQL_N_QUERY.  The top of every query and of every subquery, CTE and derived table. */
		struct {
			adql_list ctes;     /* ADQL_N_CTE nodes of WITH; empty without WITH (only the
			                     * outermost query may have a WITH: ADQL 2.1 <query_specification>) */
			adql_node *body;    /* ADQL_N_SELECT, ADQL_N_SETOP, or ADQL_N_QUERY for a body
			                     * written in parentheses */
			adql_list order_by; /* ADQL_N_ORDER nodes; empty without ORDER BY */
			adql_node *offset;  /* ADQL_N_NUMBER (ADQL_NUM_INTEGER) of OFFSET, or NULL */
		} query;
		/* ADQL_N_CTE */
		struct {
			adql_ident name;  /* the name the query is referred to by */
			adql_node *query; /* ADQL_N_QUERY */
		} cte;
		/* ADQL_N_SELECT */
		struct {
			adql_quantifier quantifier; /* SELECT ALL / DISTINCT */
			adql_node *top;             /* ADQL_N_NUMBER (ADQL_NUM_INTEGER) of TOP n, or NULL */
			adql_list items;            /* ADQL_N_ITEM and ADQL_N_STAR nodes, at least one; a bare
			                             * * (qualifier NULL) is always the only item */
			adql_list from;             /* table references (ADQL_N_TABLE, _DERIVED, _JOIN) separated
			                             * by commas, at least one (FROM is mandatory in ADQL) */
			adql_node *where;           /* condition, or NULL */
			adql_list group_by;         /* value expressions; empty without GROUP BY */
			adql_node *having;          /* condition, or NULL */
		} select;
		/* ADQL_N_SETOP.  INTERSECT binds tighter than UNION and EXCEPT, which associate left. */
		struct {
			adql_setop_kind op; /* which operator */
			bool is_all;        /* ALL written: keep duplicates */
			adql_node *left;    /* ADQL_N_SELECT, ADQL_N_SETOP or ADQL_N_QUERY (parenthesized) */
			adql_node *right;   /* same */
		} setop;
		/* ADQL_N_ITEM */
		struct {
			adql_node *expr;          /* a value expression */
			const adql_ident *alias;  /* AS alias (AS optional), or NULL */
		} item;
		/* ADQL_N_STAR */
		struct {
			const adql_name *qualifier; /* t in t.* (1 to ADQL_MAX_NAME_PARTS-1 parts), or NULL for * */
		} star;
		/* ADQL_N_ORDER.  A lone unsigned integer literal as expr means a select-list position
		 * (ADQL 2.1 <order_by_expression> <unsigned_decimal>); a lone column name may also be
		 * an alias of the select list: the resolver decides. */
		struct {
			adql_node *expr; /* value expression */
			bool is_desc;    /* DESC written (ASC and no direction both mean ascending) */
		} order;
		/* ADQL_N_TABLE */
		struct {
			const adql_name *name;   /* 1 to 3 parts: [catalog.][schema.]table */
			const adql_ident *alias; /* correlation name, or NULL */
		} table;
		/* ADQL_N_DERIVED */
		struct {
			adql_node *query;        /* ADQL_N_QUERY */
			const adql_ident *alias; /* correlation name; never NULL (ADQL requires one) */
		} derived;
		/* ADQL_N_JOIN.  Joins associate left: a JOIN b JOIN c is (a JOIN b) JOIN c; parentheses in
		 * the query give other shapes and are not kept as nodes. */
		struct {
			adql_join_kind type;          /* INNER, LEFT, RIGHT, FULL or CROSS */
			bool is_natural;              /* NATURAL written (then on and using_cols are empty) */
			adql_node *left;              /* table reference */
			adql_node *right;             /* table reference */
			adql_node *on;                /* ON condition, or NULL */
			const adql_ident *using_cols; /* USING (a, b): n_using identifiers, or NULL */
			size_t n_using;               /* 0 without USING */
		} join;
		/* ADQL_N_COLUMN */
		struct {
			const adql_name *name; /* 1 to ADQL_MAX_NAME_PARTS parts; the last is the column */
		} column;
		/* ADQL_N_NUMBER */
		struct {
			adql_num_kind num_kind; /* how it was written */
			const char *text;       /* NUL-terminated, exactly as written (e.g. "1.5e3", "0x2F") */
			uint64_t u64;           /* value for ADQL_NUM_INTEGER and ADQL_NUM_HEX when fits_u64 */
			bool fits_u64;          /* integer or hex whose value fits in 64 unsigned bits */
		} number;
		/* ADQL_N_STRING */
		struct {
			const char *value; /* NUL-terminated content with '' made ' (valid UTF-8, no NUL) */
			size_t value_len;  /* bytes of value */
		} string;
		/* ADQL_N_UNARY */
		struct {
			adql_unop op;   /* which operator */
			adql_node *arg; /* value expression */
		} unary;
		/* ADQL_N_BINARY.  Precedence, loosest first: | ^ & (extension), ||, + -, * /; all
		 * associate left. */
		struct {
			adql_binop op;    /* which operator */
			adql_node *left;  /* value expression */
			adql_node *right; /* value expression */
		} binary;
		/* ADQL_N_SUBQUERY */
		struct {
			adql_node *query; /* ADQL_N_QUERY; that it yields one column and one row is not checked */
		} subquery;
		/* ADQL_N_CASE */
		struct {
			adql_node *operand;     /* simple CASE: value compared with each WHEN; NULL for a
			                         * searched CASE */
			adql_list whens;        /* ADQL_N_WHEN nodes, at least one */
			adql_node *else_result; /* value expression of ELSE, or NULL */
		} case_expr;
		/* ADQL_N_WHEN */
		struct {
			adql_node *cond;   /* condition (searched CASE) or value expression (simple CASE) */
			adql_node *result; /* value expression after THEN */
		} when;
		/* ADQL_N_CAST */
		struct {
			adql_node *arg;      /* value expression */
			adql_cast_type type; /* target type */
		} cast;
		/* ADQL_N_FUNC.  The argument count is one the function allows (adql_func_get()); argument
		 * types are not checked. */
		struct {
			adql_func fn;        /* which function */
			adql_node *coordsys; /* ADQL_N_STRING coordinate system (POINT('ICRS', ...)), the
			                      * ADQL_N_NULL of POINT(NULL, x, y), or NULL */
			adql_list args;      /* value expressions, in order, coordinate system excluded */
		} func;
		/* ADQL_N_AGGREGATE */
		struct {
			adql_agg fn;                /* which aggregate */
			adql_quantifier quantifier; /* ALL / DISTINCT written before the argument */
			adql_node *arg;             /* value expression; NULL only for COUNT(*) */
		} aggregate;
		/* ADQL_N_UDF.  ADQL 2.1 <user_defined_function>: a regular identifier (conventionally with
		 * a prefix such as ivo_) and arguments; whether it exists is for the resolver. */
		struct {
			adql_ident name; /* regular identifier, as written */
			adql_list args;  /* value expressions, possibly none */
		} udf;
		/* ADQL_N_COMPARE */
		struct {
			adql_cmp op;      /* which comparison */
			adql_node *left;  /* value expression */
			adql_node *right; /* value expression */
		} compare;
		/* ADQL_N_BETWEEN */
		struct {
			bool is_not;     /* NOT BETWEEN */
			adql_node *arg;  /* value expression */
			adql_node *low;  /* value expression */
			adql_node *high; /* value expression */
		} between;
		/* ADQL_N_IN: exactly one of values and query is used. */
		struct {
			bool is_not;      /* NOT IN */
			adql_node *arg;   /* value expression */
			adql_list values; /* value expressions of IN (v, ...); empty when query is set */
			adql_node *query; /* ADQL_N_QUERY of IN (SELECT ...), or NULL */
		} in;
		/* ADQL_N_LIKE (ADQL 2.1: no ESCAPE clause) */
		struct {
			bool is_not;        /* NOT LIKE / NOT ILIKE */
			bool is_ilike;      /* ILIKE: case-insensitive (optional string feature) */
			adql_node *arg;     /* value expression */
			adql_node *pattern; /* value expression */
		} like;
		/* ADQL_N_IS_NULL */
		struct {
			bool is_not;    /* IS NOT NULL */
			adql_node *arg; /* value expression (the ADQL BNF says column reference; any value is
			                 * accepted, as in SQL) */
		} is_null;
		/* ADQL_N_EXISTS */
		struct {
			adql_node *query; /* ADQL_N_QUERY */
		} exists;
		/* ADQL_N_NOT */
		struct {
			adql_node *arg; /* condition */
		} not_expr;
		/* ADQL_N_AND, ADQL_N_OR */
		struct {
			adql_list args; /* conditions, at least two; a parenthesized chain of the same
			                 * operator stays a child node */
		} logic;
	};
};

/* A source span, for the constructors. */
typedef struct adql_span {
	long pos; /* byte offset of the first byte */
	long len; /* bytes */
} adql_span;

/* ---- constructors: one per node kind; each parser action is one call ----------------------------
 * All return a node from the arena with every field as given, annot NULL and height computed, or
 * NULL when out of memory.  Pointers and lists passed in are kept, not copied (they must live in the
 * same arena); adql_ident structs passed by pointer to cte/udf are copied. */
adql_node *adql_new_query(arena *a, adql_span sp, adql_list ctes, adql_node *body, adql_list order_by,
                          adql_node *offset);
adql_node *adql_new_cte(arena *a, adql_span sp, const adql_ident *name, adql_node *query);
adql_node *adql_new_select(arena *a, adql_span sp, adql_quantifier quantifier, adql_node *top, adql_list items,
                           adql_list from, adql_node *where, adql_list group_by, adql_node *having);
adql_node *adql_new_setop(arena *a, adql_span sp, adql_setop_kind op, bool is_all, adql_node *left,
                          adql_node *right);
adql_node *adql_new_item(arena *a, adql_span sp, adql_node *expr, const adql_ident *alias);
adql_node *adql_new_star(arena *a, adql_span sp, const adql_name *qualifier);
adql_node *adql_new_order(arena *a, adql_span sp, adql_node *expr, bool is_desc);
adql_node *adql_new_table(arena *a, adql_span sp, const adql_name *name, const adql_ident *alias);
adql_node *adql_new_derived(arena *a, adql_span sp, adql_node *query, const adql_ident *alias);
adql_node *adql_new_join(arena *a, adql_span sp, adql_join_kind type, bool is_natural, adql_node *left,
                         adql_node *right, adql_node *on, const adql_ident *using_cols, size_t n_using);
adql_node *adql_new_column(arena *a, adql_span sp, const adql_name *name);
/* text is copied; u64 and fits_u64 are computed from it. */
adql_node *adql_new_number(arena *a, adql_span sp, adql_num_kind num_kind, const char *text, size_t text_len);
adql_node *adql_new_string(arena *a, adql_span sp, const char *value, size_t value_len);
adql_node *adql_new_null(arena *a, adql_span sp);
adql_node *adql_new_unary(arena *a, adql_span sp, adql_unop op, adql_node *arg);
adql_node *adql_new_binary(arena *a, adql_span sp, adql_binop op, adql_node *left, adql_node *right);
adql_node *adql_new_subquery(arena *a, adql_span sp, adql_node *query);
adql_node *adql_new_case(arena *a, adql_span sp, adql_node *operand, adql_list whens, adql_node *else_result);
adql_node *adql_new_when(arena *a, adql_span sp, adql_node *cond, adql_node *result);
adql_node *adql_new_cast(arena *a, adql_span sp, adql_node *arg, adql_cast_type type);
adql_node *adql_new_func(arena *a, adql_span sp, adql_func fn, adql_node *coordsys, adql_list args);
adql_node *adql_new_aggregate(arena *a, adql_span sp, adql_agg fn, adql_quantifier quantifier, adql_node *arg);
adql_node *adql_new_udf(arena *a, adql_span sp, const adql_ident *name, adql_list args);
adql_node *adql_new_compare(arena *a, adql_span sp, adql_cmp op, adql_node *left, adql_node *right);
adql_node *adql_new_between(arena *a, adql_span sp, bool is_not, adql_node *arg, adql_node *low, adql_node *high);
adql_node *adql_new_in(arena *a, adql_span sp, bool is_not, adql_node *arg, adql_list values, adql_node *query);
adql_node *adql_new_like(arena *a, adql_span sp, bool is_not, bool is_ilike, adql_node *arg, adql_node *pattern);
adql_node *adql_new_is_null(arena *a, adql_span sp, bool is_not, adql_node *arg);
adql_node *adql_new_exists(arena *a, adql_span sp, adql_node *query);
adql_node *adql_new_not(arena *a, adql_span sp, adql_node *arg);
adql_node *adql_new_and(arena *a, adql_span sp, adql_list args);
adql_node *adql_new_or(arena *a, adql_span sp, adql_list args);

/* ---- reading the tree ------------------------------------------------------------------------- */

/* Calls fn(child, ctx) for each non-NULL child node of n in source order (select: top, items, from,
 * where, group_by, having; func: coordsys, args; ...), stopping at the first non-zero return, which
 * it returns.  The one place that knows where each kind keeps its children: passes can walk the
 * tree without a switch of their own when they do not care about the kind. */
typedef int adql_visit_fn(adql_node *child, void *ctx);
int adql_node_each_child(adql_node *n, adql_visit_fn *fn, void *ctx);

/* True for the condition kinds (ADQL_N_COMPARE .. ADQL_N_OR). */
bool adql_node_is_condition(const adql_node *n);

/* "select", "column", ... (for messages and tests). */
const char *adql_kind_name(adql_kind kind);

/* The function's name, arity and group; NULL for a value out of range. */
const adql_func_info *adql_func_get(adql_func fn);
/* Finds a built-in function by name, case-insensitively; false if there is none. */
bool adql_func_lookup(const char *name, size_t len, adql_func *out_fn);

/* Finds a CAST type by its first word, case-insensitively (DOUBLE for DOUBLE PRECISION); false if
 * the word names none. */
bool adql_cast_lookup(const char *word, size_t len, adql_cast_kind *out_kind);

/* ---- dump ------------------------------------------------------------------------------------- *
 * A deterministic S-expression of the tree, one line, for golden tests and taproom-adql --parse-only:
 *   (query (select (top 10) (items ra (as dec d)) (from (as gaia.source g)) (where (> ra 1))))
 * Identifiers print as written (delimited ones in double quotes with "" escapes), strings in single
 * quotes with '' escapes (in both, a backslash prints as \\ and a control character as \xHH, so a
 * dump is always one line), numbers as written; operators and predicates print as (op args...), e.g. (= a 1),
 * (not-between x 1 2), (in x (values 1 2)), (is-not-null x), (count distinct x), (join left a b (on
 * ...)), (case x (when 1 'a') (else 'b')), (cast x varchar(10)), (point (coordsys 'ICRS') 1 2).
 * Appends to sb (whose sticky error the caller checks). */
void adql_ast_dump(strbuf *sb, const adql_node *n);

#endif
