/* adql/lexer: splits ADQL text into tokens, (pos, len) slices of the input.
 *
 * Hand-written and table-driven: a 256-entry character-class table picks the rule for each token
 * start; reserved words are found by binary search in one sorted table.  The lexer allocates nothing
 * and knows no grammar: it never decides what a token means in context.  Implements ADQL 2.1 §2.1
 * (characters, keywords, identifiers, literals, comments) and, behind ADQL_EXT_* flags, the
 * hexadecimal literals and bitwise operators of the ADQL 2.1 working drafts. */
#ifndef TR_ADQL_LEXER_H
#define TR_ADQL_LEXER_H

#include "util/arena.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>

/* Extensions beyond the ADQL 2.1 Recommendation.  Both were in 2.1 working drafts and dropped from
 * the Recommendation; a service that enables them declares them in /capabilities.  Without the flag
 * the lexer rejects them with TR_EUNSUPPORTED, naming the extension. */
#define ADQL_EXT_HEX 0x1u     /* 0x2F hexadecimal integer literals */
#define ADQL_EXT_BITWISE 0x2u /* & | ^ (binary) and ~ (unary) on integers */

/* Keywords with a token of their own: the words the grammar itself looks for.  Every other reserved
 * word (function and type names, SQL words ADQL never uses) is ADQL_TOK_RESERVED; the parser looks
 * at its text where a function or type name may appear.  Every word ADQL 2.1 gives a meaning is in
 * its reserved lists, so there are no non-reserved keywords to fall back to identifiers; a word
 * added as an extension that is not reserved should stay ADQL_TOK_IDENT here and be recognized by
 * the parser in context.  Alphabetical; adding a word here also needs its entry in the sorted table
 * in lexer.c (a unit test checks both). */
#define ADQL_KEYWORD_TOKENS(X) \
	X(ALL) X(AND) X(AS) X(ASC) X(AVG) X(BETWEEN) X(BY) X(CASE) X(CAST) X(COUNT) X(CROSS) \
	X(DESC) X(DISTINCT) X(ELSE) X(END) X(EXCEPT) X(EXISTS) X(FROM) X(FULL) X(GROUP) X(HAVING) \
	X(ILIKE) X(IN) X(INNER) X(INTERSECT) X(IS) X(JOIN) X(LEFT) X(LIKE) X(MAX) X(MIN) X(NATURAL) \
	X(NOT) X(NULL) X(OFFSET) X(ON) X(OR) X(ORDER) X(OUTER) X(RIGHT) X(SELECT) X(SUM) X(THEN) \
	X(TOP) X(UNION) X(USING) X(WHEN) X(WHERE) X(WITH)

typedef enum adql_tok {
	ADQL_TOK_EOF = 0,      /* end of input: pos = input length, len = 0 */
	ADQL_TOK_IDENT,        /* regular identifier that is not a reserved word */
	ADQL_TOK_DELIM_IDENT,  /* "delimited identifier", quotes included in the slice */
	ADQL_TOK_STRING,       /* 'string literal', quotes included in the slice */
	ADQL_TOK_INTEGER,      /* 123 (ADQL <unsigned_decimal>) */
	ADQL_TOK_DECIMAL,      /* 1.5, 1., .5 (<exact_numeric_literal> with a period) */
	ADQL_TOK_REAL,         /* 1.5E3, 2e-7 (<approximate_numeric_literal>) */
	ADQL_TOK_HEX,          /* 0x2F, only with ADQL_EXT_HEX */
	ADQL_TOK_LPAREN,       /* ( */
	ADQL_TOK_RPAREN,       /* ) */
	ADQL_TOK_COMMA,        /* , */
	ADQL_TOK_DOT,          /* . */
	ADQL_TOK_SEMICOLON,    /* ; */
	ADQL_TOK_STAR,         /* * */
	ADQL_TOK_PLUS,         /* + */
	ADQL_TOK_MINUS,        /* - */
	ADQL_TOK_SLASH,        /* / */
	ADQL_TOK_CONCAT,       /* || */
	ADQL_TOK_EQ,           /* = */
	ADQL_TOK_NE,           /* <> or != (ADQL 2.1 <not_equals_operator>) */
	ADQL_TOK_LT,           /* < */
	ADQL_TOK_GT,           /* > */
	ADQL_TOK_LE,           /* <= */
	ADQL_TOK_GE,           /* >= */
	ADQL_TOK_AMP,          /* & (ADQL_EXT_BITWISE) */
	ADQL_TOK_PIPE,         /* | (ADQL_EXT_BITWISE) */
	ADQL_TOK_CARET,        /* ^ (ADQL_EXT_BITWISE) */
	ADQL_TOK_TILDE,        /* ~ (ADQL_EXT_BITWISE) */
	ADQL_TOK_RESERVED,     /* any other reserved word (ADQL 2.1 §2.1.2) */
#define ADQL_TOK_ENUM_(k) ADQL_TOK_##k,
	ADQL_KEYWORD_TOKENS(ADQL_TOK_ENUM_)
#undef ADQL_TOK_ENUM_
	ADQL_TOK_COUNT_        /* number of token kinds */
} adql_tok;

typedef struct adql_token {
	adql_tok kind; /* what was read */
	long pos;      /* byte offset of its first byte in the query text */
	long len;      /* its length in bytes (quotes included; 0 for ADQL_TOK_EOF) */
} adql_token;

/* Lexer state: just a cursor, so copying the struct saves a position.  Fields are private. */
typedef struct adql_lexer {
	const char *text; /* the query; not owned, must outlive the lexer */
	size_t len;       /* bytes of text */
	size_t pos;       /* offset of the next unread byte */
	unsigned ext;     /* ADQL_EXT_* flags */
} adql_lexer;

/* Checks the whole text before any token is read, so that an encoding problem is reported first
 * wherever it is: more than ADQL_MAX_QUERY_BYTES (TR_ELIMIT), a NUL byte or invalid UTF-8
 * (TR_EENCODING at the offending byte: overlong forms, surrogates and code points above U+10FFFF
 * are invalid too).  Returns TR_OK or the code. */
int adql_lex_check_text(const char *text, size_t len, tr_err *err) __attribute__((warn_unused_result));

/* Starts reading text (which must have passed adql_lex_check_text). */
void adql_lex_init(adql_lexer *lx, const char *text, size_t len, unsigned ext);

/* Reads the next token, skipping whitespace and -- comments.  After the last token it returns
 * ADQL_TOK_EOF, again on every call.  Errors (TR_ESYNTAX for unexpected characters, malformed
 * numbers and unterminated strings or delimited identifiers, reported at their start; TR_ELIMIT for
 * over-long identifiers, strings and numbers; TR_EUNSUPPORTED for a disabled extension) return the
 * code and leave out->kind = ADQL_TOK_EOF. */
int adql_lex_next(adql_lexer *lx, adql_token *out, tr_err *err) __attribute__((warn_unused_result));

/* The token kind of a word: a keyword's own kind, ADQL_TOK_RESERVED for other reserved words, or
 * ADQL_TOK_IDENT.  Case-insensitive; word need not be NUL-terminated. */
adql_tok adql_lex_keyword(const char *word, size_t len);

/* True if word[0..len) spells upper (an upper-case NUL-terminated word), ignoring the case of ASCII
 * letters: how every keyword, function and type name is matched (ADQL 2.1 §2.1.2). */
bool adql_lex_word_eq(const char *word, size_t len, const char *upper);

/* How a kind reads in messages: "FROM", "'('", "an identifier", "end of input". */
const char *adql_tok_name(adql_tok kind);

/* The content of a string literal or delimited identifier token (tok points at its opening quote,
 * len covers both quotes), with doubled quotes made single, NUL-terminated, in the arena.  Stores the
 * content's length in *out_len.  NULL when out of memory. */
char *adql_lex_unquote(arena *a, const char *tok, size_t len, size_t *out_len) __attribute__((warn_unused_result));

/* The sorted reserved-word table, for tests: entry i (0 <= i < adql_lex_n_words()) and its kind. */
size_t adql_lex_n_words(void);
const char *adql_lex_word(size_t i, adql_tok *out_kind);

#endif
