/* adql/lexer: ADQL text to tokens, driven by a character-class table.
 *
 * Must not allocate (except adql_lex_unquote, on request), interpret tokens in context, or accept a
 * byte the standard does not: regular identifiers are simple Latin letters, digits and underscores
 * (ADQL 2.1 §2.1.2), comments are SQL-92 "--" comments only, adjacent string literals are separate
 * tokens (ADQL-2.0 Erratum 1 removed their concatenation; the parser says so).  ADQL 2.1 §2.1,
 * Appendix A <token>, <delimiter_token>, <nondelimiter_token>, <comment>. */
#include <config.h>

#include "adql/lexer.h"

#include "adql/limits.h"

#include <stdint.h>
#include <string.h>

/* ---- character classes ------------------------------------------------------------------------ */

/* What a byte can start.  ADQL 2.1 §2.1.1 lists the characters; everything else may only appear
 * inside strings, delimited identifiers and comments. */
enum {
	CC_OTHER = 0, /* no token starts here: @ # $ % : ? [ \ ] ` { } and control characters */
	CC_SPACE,     /* \t \n \v \f \r and space: separators (ADQL 2.1 §2.1: as in SQL-92) */
	CC_LETTER,    /* A-Z a-z: regular identifier or keyword */
	CC_DIGIT,     /* 0-9: numeric literal */
	CC_UNDER,     /* _: continues an identifier, never starts one */
	CC_QUOTE,     /* ': string literal */
	CC_DQUOTE,    /* ": delimited identifier */
	CC_MINUS,     /* -: minus or the start of a comment */
	CC_DOT,       /* .: period or the start of a number (.5) */
	CC_LT,        /* <: < <= <> */
	CC_GT,        /* >: > >= */
	CC_BANG,      /* !: only in != */
	CC_PIPE,      /* |: || or the bitwise extension */
	CC_PUNCT,     /* ( ) * + , / ; =: always a one-byte token */
	CC_BITOP,     /* & ^ ~: the bitwise extension */
	CC_NUL,       /* NUL: rejected by adql_lex_check_text before lexing */
	CC_HIGH       /* 0x80-0xFF: part of a UTF-8 sequence */
};

#define O CC_OTHER
#define S CC_SPACE
#define L CC_LETTER
#define D CC_DIGIT
#define H CC_HIGH
static const unsigned char cclass[256] = {
	/*         0        1        2         3        4         5         6         7      */
	/*         8        9        A         B        C         D         E         F      */
	/* 0x00 */ CC_NUL,  O,       O,        O,       O,        O,        O,        O,
	/* 0x08 */ O,       S,       S,        S,       S,        S,        O,        O,
	/* 0x10 */ O,       O,       O,        O,       O,        O,        O,        O,
	/* 0x18 */ O,       O,       O,        O,       O,        O,        O,        O,
	/* 0x20 */ S,       CC_BANG, CC_DQUOTE, O,      O,        O,        CC_BITOP, CC_QUOTE,
	/* 0x28 */ CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_PUNCT, CC_MINUS, CC_DOT, CC_PUNCT,
	/* 0x30 */ D,       D,       D,        D,       D,        D,        D,        D,
	/* 0x38 */ D,       D,       O,        CC_PUNCT, CC_LT,   CC_PUNCT, CC_GT,    O,
	/* 0x40 */ O,       L,       L,        L,       L,        L,        L,        L,
	/* 0x48 */ L,       L,       L,        L,       L,        L,        L,        L,
	/* 0x50 */ L,       L,       L,        L,       L,        L,        L,        L,
	/* 0x58 */ L,       L,       L,        O,       O,        O,        CC_BITOP, CC_UNDER,
	/* 0x60 */ O,       L,       L,        L,       L,        L,        L,        L,
	/* 0x68 */ L,       L,       L,        L,       L,        L,        L,        L,
	/* 0x70 */ L,       L,       L,        L,       L,        L,        L,        L,
	/* 0x78 */ L,       L,       L,        O,       CC_PIPE,  O,        CC_BITOP, O,
	/* 0x80 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	/* 0x90 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	/* 0xA0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	/* 0xB0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	/* 0xC0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	/* 0xD0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	/* 0xE0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	/* 0xF0 */ H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
};
#undef O
#undef S
#undef L
#undef D
#undef H

static int cc(unsigned char c) { return cclass[c]; }
static bool is_ident_char(unsigned char c) { return cc(c) == CC_LETTER || cc(c) == CC_DIGIT || cc(c) == CC_UNDER; }
static bool is_digit(unsigned char c) { return cc(c) == CC_DIGIT; }
static bool is_hex_digit(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ---- reserved words --------------------------------------------------------------------------- */

/* ADQL 2.1 §2.1.2 and Appendix A: <SQL_reserved_word> and <ADQL_reserved_word>, merged, upper
 * case, sorted by byte value ('_' sorts after the letters).  END-EXEC is left out: the hyphen makes
 * it two tokens, so it can never be read as one word.  Words the grammar uses have their own token;
 * R marks the rest. */
#define R ADQL_TOK_RESERVED
static const struct reserved_word {
	const char *word;
	adql_tok kind;
} words[] = {
	{ "ABS", R }, { "ABSOLUTE", R }, { "ACOS", R }, { "ACTION", R }, { "ADD", R },
	{ "ALL", ADQL_TOK_ALL }, { "ALLOCATE", R }, { "ALTER", R }, { "AND", ADQL_TOK_AND }, { "ANY", R },
	{ "ARE", R }, { "AREA", R }, { "AS", ADQL_TOK_AS }, { "ASC", ADQL_TOK_ASC }, { "ASIN", R },
	{ "ASSERTION", R }, { "AT", R }, { "ATAN", R }, { "ATAN2", R }, { "AUTHORIZATION", R },
	{ "AVG", ADQL_TOK_AVG }, { "BEGIN", R }, { "BETWEEN", ADQL_TOK_BETWEEN }, { "BIGINT", R },
	{ "BIT", R }, { "BIT_LENGTH", R }, { "BOTH", R }, { "BOX", R }, { "BY", ADQL_TOK_BY },
	{ "CASCADE", R }, { "CASCADED", R }, { "CASE", ADQL_TOK_CASE }, { "CAST", ADQL_TOK_CAST },
	{ "CATALOG", R }, { "CEILING", R }, { "CENTROID", R }, { "CHAR", R }, { "CHARACTER", R },
	{ "CHARACTER_LENGTH", R }, { "CHAR_LENGTH", R }, { "CHECK", R }, { "CIRCLE", R }, { "CLOSE", R },
	{ "COALESCE", R }, { "COLLATE", R }, { "COLLATION", R }, { "COLUMN", R }, { "COMMIT", R },
	{ "CONNECT", R }, { "CONNECTION", R }, { "CONSTRAINT", R }, { "CONSTRAINTS", R },
	{ "CONTAINS", R }, { "CONTINUE", R }, { "CONVERT", R }, { "COORD1", R }, { "COORD2", R },
	{ "COORDSYS", R }, { "CORRESPONDING", R }, { "COS", R }, { "COT", R },
	{ "COUNT", ADQL_TOK_COUNT }, { "CREATE", R }, { "CROSS", ADQL_TOK_CROSS }, { "CURRENT", R },
	{ "CURRENT_DATE", R }, { "CURRENT_TIME", R }, { "CURRENT_TIMESTAMP", R }, { "CURRENT_USER", R },
	{ "CURSOR", R }, { "DATE", R }, { "DAY", R }, { "DEALLOCATE", R }, { "DECIMAL", R },
	{ "DECLARE", R }, { "DEFAULT", R }, { "DEFERRABLE", R }, { "DEFERRED", R }, { "DEGREES", R },
	{ "DELETE", R }, { "DESC", ADQL_TOK_DESC }, { "DESCRIBE", R }, { "DESCRIPTOR", R },
	{ "DIAGNOSTICS", R }, { "DISCONNECT", R }, { "DISTANCE", R }, { "DISTINCT", ADQL_TOK_DISTINCT },
	{ "DOMAIN", R }, { "DOUBLE", R }, { "DROP", R }, { "ELSE", ADQL_TOK_ELSE },
	{ "END", ADQL_TOK_END }, { "ESCAPE", R }, { "EXCEPT", ADQL_TOK_EXCEPT }, { "EXCEPTION", R },
	{ "EXEC", R }, { "EXECUTE", R }, { "EXISTS", ADQL_TOK_EXISTS }, { "EXP", R }, { "EXTERNAL", R },
	{ "EXTRACT", R }, { "FALSE", R }, { "FETCH", R }, { "FIRST", R }, { "FLOAT", R }, { "FLOOR", R },
	{ "FOR", R }, { "FOREIGN", R }, { "FOUND", R }, { "FROM", ADQL_TOK_FROM },
	{ "FULL", ADQL_TOK_FULL }, { "GET", R }, { "GLOBAL", R }, { "GO", R }, { "GOTO", R },
	{ "GRANT", R }, { "GROUP", ADQL_TOK_GROUP }, { "HAVING", ADQL_TOK_HAVING }, { "HOUR", R },
	{ "IDENTITY", R }, { "ILIKE", ADQL_TOK_ILIKE }, { "IMMEDIATE", R }, { "IN", ADQL_TOK_IN },
	{ "INDICATOR", R }, { "INITIALLY", R }, { "INNER", ADQL_TOK_INNER }, { "INPUT", R },
	{ "INSENSITIVE", R }, { "INSERT", R }, { "INT", R }, { "INTEGER", R },
	{ "INTERSECT", ADQL_TOK_INTERSECT }, { "INTERSECTS", R }, { "INTERVAL", R }, { "INTO", R },
	{ "IN_UNIT", R }, { "IS", ADQL_TOK_IS }, { "ISOLATION", R }, { "JOIN", ADQL_TOK_JOIN },
	{ "KEY", R }, { "LANGUAGE", R }, { "LAST", R }, { "LEADING", R }, { "LEFT", ADQL_TOK_LEFT },
	{ "LEVEL", R }, { "LIKE", ADQL_TOK_LIKE }, { "LOCAL", R }, { "LOG", R }, { "LOG10", R },
	{ "LOWER", R }, { "MATCH", R }, { "MAX", ADQL_TOK_MAX }, { "MIN", ADQL_TOK_MIN }, { "MINUTE", R },
	{ "MOD", R }, { "MODULE", R }, { "MONTH", R }, { "NAMES", R }, { "NATIONAL", R },
	{ "NATURAL", ADQL_TOK_NATURAL }, { "NCHAR", R }, { "NEXT", R }, { "NO", R },
	{ "NOT", ADQL_TOK_NOT }, { "NULL", ADQL_TOK_NULL }, { "NULLIF", R }, { "NUMERIC", R },
	{ "OCTET_LENGTH", R }, { "OF", R }, { "OFFSET", ADQL_TOK_OFFSET }, { "ON", ADQL_TOK_ON },
	{ "ONLY", R }, { "OPEN", R }, { "OPTION", R }, { "OR", ADQL_TOK_OR }, { "ORDER", ADQL_TOK_ORDER },
	{ "OUTER", ADQL_TOK_OUTER }, { "OUTPUT", R }, { "OVERLAPS", R }, { "PAD", R }, { "PARTIAL", R },
	{ "PI", R }, { "POINT", R }, { "POLYGON", R }, { "POSITION", R }, { "POWER", R },
	{ "PRECISION", R }, { "PREPARE", R }, { "PRESERVE", R }, { "PRIMARY", R }, { "PRIOR", R },
	{ "PRIVILEGES", R }, { "PROCEDURE", R }, { "PUBLIC", R }, { "RADIANS", R }, { "RAND", R },
	{ "READ", R }, { "REAL", R }, { "REFERENCES", R }, { "REGION", R }, { "RELATIVE", R },
	{ "RESTRICT", R }, { "REVOKE", R }, { "RIGHT", ADQL_TOK_RIGHT }, { "ROLLBACK", R },
	{ "ROUND", R }, { "ROWS", R }, { "SCHEMA", R }, { "SCROLL", R }, { "SECOND", R },
	{ "SECTION", R }, { "SELECT", ADQL_TOK_SELECT }, { "SESSION", R }, { "SESSION_USER", R },
	{ "SET", R }, { "SIN", R }, { "SIZE", R }, { "SMALLINT", R }, { "SOME", R }, { "SPACE", R },
	{ "SQL", R }, { "SQLCODE", R }, { "SQLERROR", R }, { "SQLSTATE", R }, { "SQRT", R },
	{ "SUBSTRING", R }, { "SUM", ADQL_TOK_SUM }, { "SYSTEM_USER", R }, { "TABLE", R }, { "TAN", R },
	{ "TEMPORARY", R }, { "THEN", ADQL_TOK_THEN }, { "TIME", R }, { "TIMESTAMP", R },
	{ "TIMEZONE_HOUR", R }, { "TIMEZONE_MINUTE", R }, { "TO", R }, { "TOP", ADQL_TOK_TOP },
	{ "TRAILING", R }, { "TRANSACTION", R }, { "TRANSLATE", R }, { "TRANSLATION", R }, { "TRIM", R },
	{ "TRUE", R }, { "TRUNCATE", R }, { "UNION", ADQL_TOK_UNION }, { "UNIQUE", R }, { "UNKNOWN", R },
	{ "UPDATE", R }, { "UPPER", R }, { "USAGE", R }, { "USER", R }, { "USING", ADQL_TOK_USING },
	{ "VALUE", R }, { "VALUES", R }, { "VARCHAR", R }, { "VARYING", R }, { "VIEW", R },
	{ "WHEN", ADQL_TOK_WHEN }, { "WHENEVER", R }, { "WHERE", ADQL_TOK_WHERE },
	{ "WITH", ADQL_TOK_WITH }, { "WORK", R }, { "WRITE", R }, { "YEAR", R }, { "ZONE", R },
};
#undef R

/* The longest reserved word (CURRENT_TIMESTAMP); longer identifiers skip the search. */
#define MAX_WORD_BYTES 17

size_t adql_lex_n_words(void) { return sizeof words / sizeof words[0]; }

const char *adql_lex_word(size_t i, adql_tok *out_kind)
{
	if (i >= adql_lex_n_words())
		return NULL;
	if (out_kind)
		*out_kind = words[i].kind;
	return words[i].word;
}

static unsigned char upper(unsigned char c) { return c >= 'a' && c <= 'z' ? (unsigned char)(c - ('a' - 'A')) : c; }

bool adql_lex_word_eq(const char *word, size_t len, const char *up)
{
	size_t i = 0;
	for (; i < len && up[i]; i++)
		if (upper((unsigned char)word[i]) != (unsigned char)up[i])
			return false;
	return i == len && up[i] == '\0';
}

adql_tok adql_lex_keyword(const char *word, size_t len)
{
	char up[MAX_WORD_BYTES + 1];
	if (len == 0 || len > MAX_WORD_BYTES)
		return ADQL_TOK_IDENT;
	for (size_t i = 0; i < len; i++)
		up[i] = (char)upper((unsigned char)word[i]);
	up[len] = '\0';
	size_t lo = 0, hi = adql_lex_n_words();
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(up, words[mid].word);
		if (c == 0)
			return words[mid].kind;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return ADQL_TOK_IDENT;
}

const char *adql_tok_name(adql_tok kind)
{
	switch (kind) {
	case ADQL_TOK_EOF: return "end of input";
	case ADQL_TOK_IDENT: return "an identifier";
	case ADQL_TOK_DELIM_IDENT: return "a delimited identifier";
	case ADQL_TOK_STRING: return "a string literal";
	case ADQL_TOK_INTEGER: return "an integer";
	case ADQL_TOK_DECIMAL: return "a decimal number";
	case ADQL_TOK_REAL: return "a floating-point number";
	case ADQL_TOK_HEX: return "a hexadecimal number";
	case ADQL_TOK_LPAREN: return "'('";
	case ADQL_TOK_RPAREN: return "')'";
	case ADQL_TOK_COMMA: return "','";
	case ADQL_TOK_DOT: return "'.'";
	case ADQL_TOK_SEMICOLON: return "';'";
	case ADQL_TOK_STAR: return "'*'";
	case ADQL_TOK_PLUS: return "'+'";
	case ADQL_TOK_MINUS: return "'-'";
	case ADQL_TOK_SLASH: return "'/'";
	case ADQL_TOK_CONCAT: return "'||'";
	case ADQL_TOK_EQ: return "'='";
	case ADQL_TOK_NE: return "'<>'";
	case ADQL_TOK_LT: return "'<'";
	case ADQL_TOK_GT: return "'>'";
	case ADQL_TOK_LE: return "'<='";
	case ADQL_TOK_GE: return "'>='";
	case ADQL_TOK_AMP: return "'&'";
	case ADQL_TOK_PIPE: return "'|'";
	case ADQL_TOK_CARET: return "'^'";
	case ADQL_TOK_TILDE: return "'~'";
	case ADQL_TOK_RESERVED: return "a reserved word";
#define ADQL_TOK_NAME_(k) \
	case ADQL_TOK_##k: return #k;
		ADQL_KEYWORD_TOKENS(ADQL_TOK_NAME_)
#undef ADQL_TOK_NAME_
	case ADQL_TOK_COUNT_: break;
	}
	return "?";
}

/* ---- whole-text checks ------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one (RFC 3629 §4: no overlong
 * forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return need;
}

int adql_lex_check_text(const char *text, size_t len, tr_err *err)
{
	if (len > (size_t)ADQL_MAX_QUERY_BYTES)
		return tr_err_set(err, TR_ELIMIT, -1, 0, "query is %zu bytes long; the limit is %ld bytes", len,
		                  ADQL_MAX_QUERY_BYTES);
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		if (s[i] == 0)
			return tr_err_set(err, TR_EENCODING, (long)i, 1, "NUL byte in the query");
		size_t n = utf8_seq(s + i, len - i);
		if (n == 0)
			return tr_err_set(err, TR_EENCODING, (long)i, 1, "invalid UTF-8 in the query (byte 0x%02X)",
			                  (unsigned)s[i]);
		i += n;
	}
	return TR_OK;
}

/* ---- tokens ----------------------------------------------------------------------------------- */

void adql_lex_init(adql_lexer *lx, const char *text, size_t len, unsigned ext)
{
	lx->text = text;
	lx->len = len;
	lx->pos = 0;
	lx->ext = ext;
}

static unsigned char at(const adql_lexer *lx, size_t i) { return i < lx->len ? (unsigned char)lx->text[i] : 0; }

/* A character that starts no token, named with its code point so invisible ones show. */
static int unexpected_char(adql_lexer *lx, size_t start, tr_err *err)
{
	const unsigned char *s = (const unsigned char *)lx->text + start;
	size_t n = utf8_seq(s, lx->len - start);
	if (n == 0)
		n = 1; /* cannot happen after adql_lex_check_text; keeps the position honest anyway */
	if (s[0] >= 0x80) {
		unsigned long cp = s[0] & (0xFFu >> (n + 1));
		for (size_t i = 1; i < n; i++)
			cp = (cp << 6) | (s[i] & 0x3Fu);
		tr_err_set(err, TR_ESYNTAX, (long)start, (long)n, "unexpected character '%.*s' (U+%04lX)", (int)n,
		           (const char *)s, cp);
		tr_err_detail(err, "ADQL 2.1 §2.1.2: regular identifiers use simple Latin letters, digits and "
		                   "underscores; write other names as delimited identifiers (\"...\")");
		return TR_ESYNTAX;
	}
	if (s[0] < 0x20 || s[0] == 0x7F)
		return tr_err_set(err, TR_ESYNTAX, (long)start, 1, "unexpected control character U+%04X",
		                  (unsigned)s[0]);
	if (s[0] == '_')
		return tr_err_set(err, TR_ESYNTAX, (long)start, 1,
		                  "unexpected character '_': identifiers must start with a letter");
	return tr_err_set(err, TR_ESYNTAX, (long)start, 1, "unexpected character '%c'", s[0]);
}

static int extension_disabled(size_t start, size_t len, const char *what, tr_err *err)
{
	tr_err_set(err, TR_EUNSUPPORTED, (long)start, (long)len, "%s are not enabled on this service", what);
	tr_err_detail(err, "they were in ADQL 2.1 working drafts but not in the Recommendation");
	return TR_EUNSUPPORTED;
}

/* A quoted token: '...' with '' or "..." with "" (ADQL 2.1 <character_string_literal>,
 * <delimited_identifier>).  Checks the unquoted length against max. */
static int lex_quoted(adql_lexer *lx, size_t start, unsigned char q, long max, adql_tok *kind, tr_err *err)
{
	size_t i = start + 1, content = 0;
	for (;;) {
		if (i >= lx->len) {
			if (q == '\'')
				return tr_err_set(err, TR_ESYNTAX, (long)start, (long)(lx->len - start),
				                  "unterminated string literal");
			return tr_err_set(err, TR_ESYNTAX, (long)start, (long)(lx->len - start),
			                  "unterminated delimited identifier");
		}
		if ((unsigned char)lx->text[i] == q) {
			if (at(lx, i + 1) != q)
				break;
			i++; /* a doubled quote stands for one */
		}
		i++;
		content++;
	}
	size_t end = i + 1;
	if (q == '"' && content == 0)
		return tr_err_set(err, TR_ESYNTAX, (long)start, (long)(end - start), "empty delimited identifier");
	if (content > (size_t)max) {
		tr_err_set(err, TR_ELIMIT, (long)start, (long)(end - start), "%s is %zu bytes long; the limit is %ld",
		           q == '"' ? "delimited identifier" : "string literal", content, max);
		return TR_ELIMIT;
	}
	*kind = q == '"' ? ADQL_TOK_DELIM_IDENT : ADQL_TOK_STRING;
	lx->pos = end;
	return TR_OK;
}

/* ADQL 2.1 <unsigned_numeric_literal>: 12, 12.5, 12., .5, 1.5E3, 2e-7; 0x2F with ADQL_EXT_HEX.
 * A letter, digit or underscore right after a number is an error (12abc), not a new token. */
static int lex_number(adql_lexer *lx, size_t start, adql_tok *kind, tr_err *err)
{
	size_t i = start;
	if (at(lx, i) == '0' && (at(lx, i + 1) == 'x' || at(lx, i + 1) == 'X')) {
		i += 2;
		bool ok = is_hex_digit(at(lx, i));
		for (; is_ident_char(at(lx, i)); i++)
			if (!is_hex_digit(at(lx, i)))
				ok = false;
		if (!(lx->ext & ADQL_EXT_HEX))
			return extension_disabled(start, i - start, "hexadecimal literals", err);
		if (!ok)
			return tr_err_set(err, TR_ESYNTAX, (long)start, (long)(i - start),
			                  "malformed hexadecimal literal '%.*s'", (int)(i - start), lx->text + start);
		*kind = ADQL_TOK_HEX;
	} else {
		*kind = ADQL_TOK_INTEGER;
		while (is_digit(at(lx, i)))
			i++;
		if (at(lx, i) == '.') {
			*kind = ADQL_TOK_DECIMAL;
			i++;
			while (is_digit(at(lx, i)))
				i++;
		}
		if (at(lx, i) == 'e' || at(lx, i) == 'E') {
			size_t e = i + 1;
			if (at(lx, e) == '+' || at(lx, e) == '-')
				e++;
			if (!is_digit(at(lx, e))) {
				while (is_ident_char(at(lx, i)) || at(lx, i) == '+' || at(lx, i) == '-')
					i++;
				return tr_err_set(err, TR_ESYNTAX, (long)start, (long)(i - start),
				                  "malformed exponent in numeric literal '%.*s'", (int)(i - start),
				                  lx->text + start);
			}
			*kind = ADQL_TOK_REAL;
			i = e;
			while (is_digit(at(lx, i)))
				i++;
		}
		if (is_ident_char(at(lx, i))) {
			while (is_ident_char(at(lx, i)))
				i++;
			return tr_err_set(err, TR_ESYNTAX, (long)start, (long)(i - start),
			                  "malformed numeric literal '%.*s'", (int)(i - start), lx->text + start);
		}
	}
	if (i - start > ADQL_MAX_NUMBER_BYTES)
		return tr_err_set(err, TR_ELIMIT, (long)start, (long)(i - start),
		                  "numeric literal is %zu bytes long; the limit is %d", i - start, ADQL_MAX_NUMBER_BYTES);
	lx->pos = i;
	return TR_OK;
}

static int lex_word(adql_lexer *lx, size_t start, adql_tok *kind, tr_err *err)
{
	size_t i = start + 1;
	while (is_ident_char(at(lx, i)))
		i++;
	if (i - start > ADQL_MAX_IDENT_BYTES)
		return tr_err_set(err, TR_ELIMIT, (long)start, (long)(i - start),
		                  "identifier is %zu bytes long; the limit is %d", i - start, ADQL_MAX_IDENT_BYTES);
	*kind = adql_lex_keyword(lx->text + start, i - start);
	lx->pos = i;
	return TR_OK;
}

/* The one-byte tokens of class CC_PUNCT. */
static adql_tok punct_kind(unsigned char c)
{
	switch (c) {
	case '(': return ADQL_TOK_LPAREN;
	case ')': return ADQL_TOK_RPAREN;
	case '*': return ADQL_TOK_STAR;
	case '+': return ADQL_TOK_PLUS;
	case ',': return ADQL_TOK_COMMA;
	case '/': return ADQL_TOK_SLASH;
	case ';': return ADQL_TOK_SEMICOLON;
	default: return ADQL_TOK_EQ; /* '=' is the only other CC_PUNCT byte */
	}
}

/* Operators of one or two bytes; returns their length, 0 if the byte starts none. */
static size_t lex_operator(adql_lexer *lx, size_t i, adql_tok *kind)
{
	unsigned char c = at(lx, i), next = at(lx, i + 1);
	switch (cc(c)) {
	case CC_PUNCT:
		*kind = punct_kind(c);
		return 1;
	case CC_MINUS:
		*kind = ADQL_TOK_MINUS;
		return 1;
	case CC_DOT:
		*kind = ADQL_TOK_DOT;
		return 1;
	case CC_LT:
		*kind = next == '=' ? ADQL_TOK_LE : next == '>' ? ADQL_TOK_NE : ADQL_TOK_LT;
		return *kind == ADQL_TOK_LT ? 1 : 2;
	case CC_GT:
		*kind = next == '=' ? ADQL_TOK_GE : ADQL_TOK_GT;
		return *kind == ADQL_TOK_GT ? 1 : 2;
	case CC_BANG:
		*kind = ADQL_TOK_NE;
		return next == '=' ? 2 : 0;
	case CC_PIPE:
		*kind = next == '|' ? ADQL_TOK_CONCAT : ADQL_TOK_PIPE;
		return *kind == ADQL_TOK_CONCAT ? 2 : 1;
	case CC_BITOP:
		*kind = c == '&' ? ADQL_TOK_AMP : c == '^' ? ADQL_TOK_CARET : ADQL_TOK_TILDE;
		return 1;
	default:
		return 0;
	}
}

/* Skips separators: whitespace and "--" comments up to the end of the line (ADQL 2.1 <comment>). */
static void skip_space(adql_lexer *lx)
{
	for (;;) {
		while (lx->pos < lx->len && cc(at(lx, lx->pos)) == CC_SPACE)
			lx->pos++;
		if (at(lx, lx->pos) != '-' || at(lx, lx->pos + 1) != '-')
			return;
		while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
			lx->pos++;
	}
}

int adql_lex_next(adql_lexer *lx, adql_token *out, tr_err *err)
{
	skip_space(lx);
	size_t start = lx->pos;
	out->kind = ADQL_TOK_EOF;
	out->pos = (long)start;
	out->len = 0;
	if (start >= lx->len)
		return TR_OK;

	unsigned char c = at(lx, start);
	adql_tok kind = ADQL_TOK_EOF;
	int rc = TR_OK;
	switch (cc(c)) {
	case CC_LETTER:
		rc = lex_word(lx, start, &kind, err);
		break;
	case CC_DIGIT:
		rc = lex_number(lx, start, &kind, err);
		break;
	case CC_DOT:
		if (is_digit(at(lx, start + 1)))
			rc = lex_number(lx, start, &kind, err);
		else
			lx->pos += lex_operator(lx, start, &kind);
		break;
	case CC_QUOTE:
		rc = lex_quoted(lx, start, '\'', ADQL_MAX_STRING_BYTES, &kind, err);
		break;
	case CC_DQUOTE:
		rc = lex_quoted(lx, start, '"', ADQL_MAX_IDENT_BYTES, &kind, err);
		break;
	default: {
		size_t n = lex_operator(lx, start, &kind);
		if (n == 0)
			return unexpected_char(lx, start, err);
		if ((kind == ADQL_TOK_AMP || kind == ADQL_TOK_PIPE || kind == ADQL_TOK_CARET || kind == ADQL_TOK_TILDE) &&
		    !(lx->ext & ADQL_EXT_BITWISE))
			return extension_disabled(start, n, "bitwise operators", err);
		lx->pos += n;
		break;
	}
	}
	if (rc != TR_OK)
		return rc;
	out->kind = kind;
	out->len = (long)(lx->pos - start);
	return TR_OK;
}

char *adql_lex_unquote(arena *a, const char *tok, size_t len, size_t *out_len)
{
	char q = tok[0];
	char *s = arena_alloc(a, len > 2 ? len - 1 : 1);
	if (s == NULL)
		return NULL;
	size_t n = 0;
	for (size_t i = 1; i + 1 < len; i++) {
		s[n++] = tok[i];
		if (tok[i] == q)
			i++; /* skip the second quote of a doubled pair */
	}
	s[n] = '\0';
	if (out_len)
		*out_len = n;
	return s;
}
