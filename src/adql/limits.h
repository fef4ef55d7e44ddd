/* adql/limits: every bound the ADQL front end (lexer, parser) puts on its input, in one place.
 *
 * Each limit ends in an ordinary error (TR_ELIMIT, HTTP 413) at the position where it was crossed,
 * never in a crash, a stack overflow or unbounded memory.  Units are in each comment; the reason is
 * what a larger value would cost.  No other file may hard-code these numbers: tests include this
 * header and probe each limit on both sides.  The ADQL standard sets no limits; these are the
 * service's own, like the row and time limits a TAP service declares. */
#ifndef TR_ADQL_LIMITS_H
#define TR_ADQL_LIMITS_H

/* Bytes of query text.  1 MiB holds any hand-written query and generous generated ones (long IN
 * lists, big polygons); beyond it a query is a mistake or an attack, and memory per request stays
 * bounded before a single token is read. */
#define ADQL_MAX_QUERY_BYTES (1024L * 1024L)

/* Levels of recursion the recursive-descent parser enters (each parenthesis, subquery, function
 * argument list, CASE, NOT and unary sign takes one to six).  Measured at this limit: under 512 KiB
 * of stack even with AddressSanitizer, against 8 MiB for a process's main thread; it still allows
 * ~35 levels of nested subqueries and ~190 of parentheses, far beyond real queries. */
#define ADQL_MAX_DEPTH 200

/* Height of the syntax tree (longest root-to-leaf path, in nodes).  Left-associative operator
 * chains (a + b + c ...) grow the tree without nesting the parser, so the height is checked on its
 * own: every later pass (resolver, translator, dumper) may then recurse over the tree freely; 1000
 * levels of ~200-byte frames is 200 KiB of stack. */
#define ADQL_MAX_TREE_HEIGHT 1000

/* Syntax-tree nodes in one query.  A node is ~100 bytes of arena, so this caps the tree near 10 MiB
 * and bounds the resolver's and translator's work; a 1 MiB query of "1," items would otherwise make
 * half a million nodes. */
#define ADQL_MAX_NODES 100000L

/* Bytes of one identifier's name (regular or delimited, after "" unescaping).  MySQL/MariaDB names
 * are at most 64 characters, so a longer name can never match a published table or column. */
#define ADQL_MAX_IDENT_BYTES 64

/* Parts of a dotted name: catalog.schema.table.column (ADQL 2.1 BNF <column_reference>). */
#define ADQL_MAX_NAME_PARTS 4

/* Bytes of one string literal's content.  64 KiB holds any STC-S region or LIKE pattern; larger
 * values belong in an uploaded table, not in the query text. */
#define ADQL_MAX_STRING_BYTES (64L * 1024L)

/* Bytes of one numeric literal as written.  A double needs at most ~25 significant characters;
 * 100 leaves room for long exact decimals while keeping "huge literal" inputs out. */
#define ADQL_MAX_NUMBER_BYTES 100

/* Items in the select list.  Each becomes a VOTable FIELD; 1000 columns is beyond any table we
 * publish and keeps result metadata small. */
#define ADQL_MAX_SELECT_ITEMS 1000

/* Values in one IN (...) list.  Lists of identifiers pasted from elsewhere are a common pattern;
 * 10000 keeps the translated SQL well within max_allowed_packet. */
#define ADQL_MAX_IN_ITEMS 10000

/* Arguments of one function call.  POLYGON takes two per vertex, so this allows polygons of ~2000
 * vertices; user-defined functions never need more. */
#define ADQL_MAX_ARGS 4096

/* Terms in GROUP BY, in ORDER BY, and columns in USING (...): each is a sort or hash key for the
 * database; more than 64 is never useful. */
#define ADQL_MAX_KEY_TERMS 64

/* Tables (base tables and derived tables) in one FROM clause, counting both comma-separated and
 * JOINed ones.  MySQL stops at 61 and its join optimizer is exponential well before that. */
#define ADQL_MAX_JOIN_TABLES 32

/* Query specifications combined by UNION / INTERSECT / EXCEPT in one query expression, and common
 * table expressions in one WITH clause: each is a full query the database must plan. */
#define ADQL_MAX_SET_OPERANDS 64
#define ADQL_MAX_CTES 32

/* Length n of CAST(x AS CHAR(n)) / VARCHAR(n), in characters: MySQL's VARCHAR holds at most
 * 65535 bytes. */
#define ADQL_MAX_CAST_LENGTH 65535L

/* WHEN branches of one CASE expression. */
#define ADQL_MAX_WHENS 1000

/* Operands of one AND / OR chain (kept flat, so long chains add no tree height). */
#define ADQL_MAX_BOOL_OPERANDS 10000

/* Bytes of the offending token quoted in a syntax error ("found '...'"); longer text is cut at a
 * character boundary and marked "...", so messages stay one short line. */
#define ADQL_ERR_QUOTE_BYTES 32

#endif
