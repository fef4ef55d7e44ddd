/* adql/parser: ADQL text to a syntax tree (adql/ast.h), or a syntax error with its position.
 *
 * Pure: no I/O, no schema, no configuration, no global state; the same text and options always give
 * the same tree or the same error.  Names, types and function signatures are the resolver's job.
 * Hand-written recursive descent over ADQL 2.1 (IVOA Recommendation 2023) Appendix A, plus CASE,
 * CROSS JOIN, scalar subqueries and the ADQL_EXT_* extensions (see adql/ast.h).  Every recursion
 * counts its depth and every input size is bounded (adql/limits.h): no input crashes, hangs or
 * exhausts the stack. */
#ifndef TR_ADQL_PARSER_H
#define TR_ADQL_PARSER_H

#include "adql/ast.h"
#include "adql/lexer.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <stddef.h>

typedef struct adql_parse_opts {
	unsigned extensions; /* ADQL_EXT_* flags (adql/lexer.h); 0 accepts the Recommendation only */
} adql_parse_opts;

/* A parsed query.  Lives in the arena given to adql_parse. */
typedef struct adql_query {
	adql_node *root;  /* ADQL_N_QUERY: the whole statement */
	const char *text; /* arena copy of the query text, NUL-terminated: positions index into it */
	size_t text_len;  /* bytes of text */
	long n_nodes;     /* nodes in the tree (at most ADQL_MAX_NODES) */
} adql_query;

/* Parses one ADQL query of len bytes (a trailing ';' is allowed, nothing after it).  opts may be NULL
 * (no extensions).  Returns the tree, or NULL with err set:
 *   TR_ESYNTAX       not ADQL; pos/len at the offending token, msg "expected FROM, found 'FORM'",
 *                    "expected an expression, found end of input", "'size' is a reserved word; ..."
 *   TR_EENCODING     NUL byte or invalid UTF-8 at pos
 *   TR_ELIMIT        a limit of adql/limits.h crossed at pos (query size: pos -1)
 *   TR_EUNSUPPORTED  an extension used that opts does not enable
 *   TR_ENOMEM        the arena ran out (pos -1)
 * msg never includes the position: adql_format_error() adds it. */
adql_query *adql_parse(arena *a, const char *text, size_t len, const adql_parse_opts *opts, tr_err *err)
	__attribute__((warn_unused_result));

/* Appends "line L, column C: msg" (1-based, columns in characters) for an error from adql_parse on
 * query, or just msg when the error has no position. */
void adql_format_error(strbuf *sb, const char *query, const tr_err *err);

/* Appends the line of query (len bytes) holding the error and a line with a caret under its span,
 * each ending in "\n", for terminals; nothing when the error has no position. */
void adql_format_excerpt(strbuf *sb, const char *query, size_t len, const tr_err *err);

#endif
