/* adql/translate: a resolved ADQL query (adql/resolve.h) to one MariaDB / MySQL SELECT statement.
 *
 * Pure: reads the annotated tree and the options, appends text to a strbuf, nothing else (no I/O,
 * no allocation but the strbuf's, no global state).  Nothing the user typed reaches the SQL except
 * through two functions: adql_translate_ident() for identifiers (and those come only from the
 * catalog's db_schema/db_table/db_name, the resolver's output names, and generated t<N>, w<N>, s<N>
 * correlation names) and adql_translate_string() for string literals.  Numbers are re-emitted from
 * tokens the lexer validated.  The result is one statement: no ';', no comment.
 *
 * Dialect rules (each documented where it is emitted in translate.c):
 *   - TOP n / OFFSET m -> LIMIT n OFFSET m (ADQL 2.1 OFFSET: rows are skipped before TOP counts);
 *     OFFSET alone -> LIMIT 18446744073709551615 OFFSET m; MAXREC (TAP 1.1 §2.7.4) adds LIMIT
 *     maxrec+1 on the outermost query, keeping a smaller TOP.
 *   - integer / integer -> DIV (truncating integer division, as SQL-92 §6.12 for exact types);
 *     any other division -> '/'.
 *   - a || b -> CONCAT(a, b) (NULL if either is NULL, as SQL).
 *   - LIKE is case-sensitive whatever the column's collation (ADQL 2.1 §2.2.3): both sides are
 *     compared under utf8mb4_bin; ILIKE compares LOWER() of both under utf8mb4_bin, so it ignores
 *     case but not accents.  ADQL has no escape character, so ESCAPE '!' is always given and every
 *     '!' of the pattern doubled: a backslash in a pattern is an ordinary character.
 *   - string literals are correct under any sql_mode (NO_BACKSLASH_ESCAPES or not, ANSI_QUOTES):
 *     _utf8mb4'...' with '' for a quote when the text is printable ASCII without a backslash,
 *     else _utf8mb4 X'<hex of the UTF-8 bytes>'.
 *   - CAST: SMALLINT/INTEGER/BIGINT -> SIGNED (64-bit: values beyond the smaller types' ranges are
 *     not detected), REAL -> FLOAT, DOUBLE PRECISION -> DOUBLE (servers without those CASTs: x + 0e0),
 *     CHAR(n) and VARCHAR(n) -> CHAR(n) (truncates, does not pad), TIMESTAMP -> DATETIME.
 *   - UNION / INTERSECT / EXCEPT [ALL] and WITH where the server version has them (MariaDB 10.3 /
 *     10.5 for ALL / 10.2, MySQL 8.0.31 / 8.0.31 / 8.0), else TR_EUNSUPPORTED "... is not
 *     supported by this database"; FULL OUTER JOIN always TR_EUNSUPPORTED (neither has it).
 *   - IN (subquery with TOP/OFFSET) is wrapped in SELECT * FROM (...) AS s<N>, because neither
 *     server allows LIMIT directly inside an IN subquery. */
#ifndef TR_ADQL_TRANSLATE_H
#define TR_ADQL_TRANSLATE_H

#include "adql/parser.h"
#include "adql/resolve.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <stdbool.h>

typedef enum adql_dialect {
	ADQL_DIALECT_MARIADB = 0,
	ADQL_DIALECT_MYSQL = 1
} adql_dialect;

/* Translator state of one adql_translate() call; geometry emitters pass it back. */
typedef struct adql_tr adql_tr;

/* The seam for geometry (ADQL 2.1 §4): the translator hands every geometry function node
 * (ADQL_N_FUNC whose group is ADQL_FG_GEOMETRY) to these hooks instead of emitting it.  Emitters
 * write their SQL to out, translate their argument sub-expressions with adql_translate_value()
 * and constants with adql_translate_number(), and report errors in err (TR_EUNSUPPORTED with the
 * node's position for what they cannot do).  They may read the node's annotations (types, units). */
typedef struct adql_geom_emitter {
	void *ctx; /* passed back unchanged */
	/* The value of fn: a geometry (POINT, CIRCLE, BOX, POLYGON, REGION, CENTROID), a number
	 * (CONTAINS and INTERSECTS as 1/0, DISTANCE, AREA, COORD1, COORD2) or a string (COORDSYS). */
	int (*emit_value)(void *ctx, adql_tr *t, const adql_node *fn, strbuf *out, tr_err *err);
	/* A search condition for CONTAINS(..) / INTERSECTS(..) compared with the literal 1 or 0
	 * (= or <>, either side): is_true says whether the comparison asks for containment /
	 * intersection.  Lets the emitter add an index-usable prefilter.  May be NULL: then the
	 * comparison is emitted as emit_value(...) = n. */
	int (*emit_predicate)(void *ctx, adql_tr *t, const adql_node *fn, bool is_true, strbuf *out, tr_err *err);
} adql_geom_emitter;

typedef struct adql_translate_opts {
	adql_dialect dialect;          /* which server */
	unsigned long server_version;  /* its version as major*10000 + minor*100 + patch, as
	                                * db_conn_server_version() gives it; 0: its newest release */
	long long maxrec;              /* TAP 1.1 §2.7.4 MAXREC: at most maxrec+1 rows come back (the
	                                * extra one only signals overflow); -1: no limit */
	const adql_geom_emitter *geom; /* NULL: every geometry function is TR_EUNSUPPORTED
	                                * "geometry functions are not available yet" */
} adql_translate_opts;

/* Appends the SQL of q (resolved by adql_resolve, which gave meta; the outermost select list is
 * aliased with meta's names, so the result columns are exactly those) to out.  o may be NULL:
 * newest MariaDB, no MAXREC, no geometry.  Returns TR_OK, or:
 *   TR_EUNSUPPORTED  a construct this server cannot run (the message says "not supported by this
 *                    database" or names what is missing), with pos/len on it
 *   TR_ENOMEM        out's ceiling or memory ran out
 *   TR_EINTERNAL     q was not resolved
 * On error out may hold a partial statement: discard it. */
int adql_translate(const adql_query *q, const adql_result_meta *meta, const adql_translate_opts *o, strbuf *out,
                   tr_err *err) __attribute__((warn_unused_result));

/* For geometry emitters: appends the SQL of a value expression n of the query being translated. */
int adql_translate_value(adql_tr *t, const adql_node *n, strbuf *out, tr_err *err) __attribute__((warn_unused_result));

/* The one quoting function: `name` with every ` doubled.  Any byte string without NUL. */
void adql_translate_ident(strbuf *out, const char *name);

/* The one escaping function: the string s[0..len) (valid UTF-8, no NUL) as a utf8mb4 literal that
 * reads the same under every sql_mode (see the header comment). */
void adql_translate_string(strbuf *out, const char *s, size_t len);

/* A double as a literal MySQL reads as a double (always with an exponent: 0.5e0), 17 significant
 * digits, so that it round-trips. */
void adql_translate_number(strbuf *out, double v);

#endif
