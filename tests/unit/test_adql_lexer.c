/* test_adql_lexer: the ADQL tokenizer (src/adql/lexer.h).
 *
 * Table-driven: each input with the exact token kinds and slices it must give, or the error code and
 * position it must stop at; the reserved-word table's order and contents; the whole-text checks
 * (size, NUL, UTF-8); unquoting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "adql/lexer.h"
#include "adql/limits.h"
#include "util/arena.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#define EXT_ALL (ADQL_EXT_HEX | ADQL_EXT_BITWISE)
#define MAX_TOKS 16

/* Expected tokens: kind and the exact text of the slice. */
typedef struct tok_want {
	adql_tok kind;
	const char *text;
} tok_want;

static const struct token_case {
	const char *input;
	unsigned ext;
	tok_want toks[MAX_TOKS]; /* up to the first ADQL_TOK_EOF (kind 0) */
} token_cases[] = {
	{ "", 0, { { 0, NULL } } },
	{ " \t\r\n\f\v ", 0, { { 0, NULL } } },
	{ "SELECT select SeLeCt", 0, { { ADQL_TOK_SELECT, "SELECT" }, { ADQL_TOK_SELECT, "select" }, { ADQL_TOK_SELECT, "SeLeCt" } } },
	{ "ra dec_2 X_", 0, { { ADQL_TOK_IDENT, "ra" }, { ADQL_TOK_IDENT, "dec_2" }, { ADQL_TOK_IDENT, "X_" } } },
	{ "size Point in_unit COT offset", 0,
	  { { ADQL_TOK_RESERVED, "size" }, { ADQL_TOK_RESERVED, "Point" }, { ADQL_TOK_RESERVED, "in_unit" },
	    { ADQL_TOK_RESERVED, "COT" }, { ADQL_TOK_OFFSET, "offset" } } },
	{ "selectx xselect", 0, { { ADQL_TOK_IDENT, "selectx" }, { ADQL_TOK_IDENT, "xselect" } } },
	{ "\"Ra\" \"a \"\" b\" \"select\"", 0,
	  { { ADQL_TOK_DELIM_IDENT, "\"Ra\"" }, { ADQL_TOK_DELIM_IDENT, "\"a \"\" b\"" }, { ADQL_TOK_DELIM_IDENT, "\"select\"" } } },
	{ "'' 'a' 'it''s' '--x' 'a\nb'", 0,
	  { { ADQL_TOK_STRING, "''" }, { ADQL_TOK_STRING, "'a'" }, { ADQL_TOK_STRING, "'it''s'" },
	    { ADQL_TOK_STRING, "'--x'" }, { ADQL_TOK_STRING, "'a\nb'" } } },
	{ "'a' 'b'", 0, { { ADQL_TOK_STRING, "'a'" }, { ADQL_TOK_STRING, "'b'" } } },
	{ "0 42 007 4.2 4. .2 0.0", 0,
	  { { ADQL_TOK_INTEGER, "0" }, { ADQL_TOK_INTEGER, "42" }, { ADQL_TOK_INTEGER, "007" }, { ADQL_TOK_DECIMAL, "4.2" },
	    { ADQL_TOK_DECIMAL, "4." }, { ADQL_TOK_DECIMAL, ".2" }, { ADQL_TOK_DECIMAL, "0.0" } } },
	{ "1e5 1E+5 1.5e-3 .5E10 2.e0", 0,
	  { { ADQL_TOK_REAL, "1e5" }, { ADQL_TOK_REAL, "1E+5" }, { ADQL_TOK_REAL, "1.5e-3" }, { ADQL_TOK_REAL, ".5E10" },
	    { ADQL_TOK_REAL, "2.e0" } } },
	{ "0x2F 0XaB 0x0", ADQL_EXT_HEX, { { ADQL_TOK_HEX, "0x2F" }, { ADQL_TOK_HEX, "0XaB" }, { ADQL_TOK_HEX, "0x0" } } },
	{ "1-2 1 - -2", 0,
	  { { ADQL_TOK_INTEGER, "1" }, { ADQL_TOK_MINUS, "-" }, { ADQL_TOK_INTEGER, "2" }, { ADQL_TOK_INTEGER, "1" },
	    { ADQL_TOK_MINUS, "-" }, { ADQL_TOK_MINUS, "-" }, { ADQL_TOK_INTEGER, "2" } } },
	{ "a -- comment\nb--c\n--end", 0, { { ADQL_TOK_IDENT, "a" }, { ADQL_TOK_IDENT, "b" } } },
	{ "a ---- dashes 'quote\n-", 0, { { ADQL_TOK_IDENT, "a" }, { ADQL_TOK_MINUS, "-" } } },
	{ "()(,.;*+/)", 0,
	  { { ADQL_TOK_LPAREN, "(" }, { ADQL_TOK_RPAREN, ")" }, { ADQL_TOK_LPAREN, "(" }, { ADQL_TOK_COMMA, "," },
	    { ADQL_TOK_DOT, "." }, { ADQL_TOK_SEMICOLON, ";" }, { ADQL_TOK_STAR, "*" }, { ADQL_TOK_PLUS, "+" },
	    { ADQL_TOK_SLASH, "/" }, { ADQL_TOK_RPAREN, ")" } } },
	{ "= <> != < > <= >= || <=>", 0,
	  { { ADQL_TOK_EQ, "=" }, { ADQL_TOK_NE, "<>" }, { ADQL_TOK_NE, "!=" }, { ADQL_TOK_LT, "<" }, { ADQL_TOK_GT, ">" },
	    { ADQL_TOK_LE, "<=" }, { ADQL_TOK_GE, ">=" }, { ADQL_TOK_CONCAT, "||" }, { ADQL_TOK_LE, "<=" },
	    { ADQL_TOK_GT, ">" } } },
	{ "a|b&c^~d|||", ADQL_EXT_BITWISE,
	  { { ADQL_TOK_IDENT, "a" }, { ADQL_TOK_PIPE, "|" }, { ADQL_TOK_IDENT, "b" }, { ADQL_TOK_AMP, "&" },
	    { ADQL_TOK_IDENT, "c" }, { ADQL_TOK_CARET, "^" }, { ADQL_TOK_TILDE, "~" }, { ADQL_TOK_IDENT, "d" },
	    { ADQL_TOK_CONCAT, "||" }, { ADQL_TOK_PIPE, "|" } } },
	{ "t.ra s.t.\"c\" t.*", 0,
	  { { ADQL_TOK_IDENT, "t" }, { ADQL_TOK_DOT, "." }, { ADQL_TOK_IDENT, "ra" }, { ADQL_TOK_IDENT, "s" },
	    { ADQL_TOK_DOT, "." }, { ADQL_TOK_IDENT, "t" }, { ADQL_TOK_DOT, "." }, { ADQL_TOK_DELIM_IDENT, "\"c\"" },
	    { ADQL_TOK_IDENT, "t" }, { ADQL_TOK_DOT, "." }, { ADQL_TOK_STAR, "*" } } },
	{ "COUNT(*)", 0,
	  { { ADQL_TOK_COUNT, "COUNT" }, { ADQL_TOK_LPAREN, "(" }, { ADQL_TOK_STAR, "*" }, { ADQL_TOK_RPAREN, ")" } } },
	{ "'é' \"€\" -- 🔭", 0, { { ADQL_TOK_STRING, "'é'" }, { ADQL_TOK_DELIM_IDENT, "\"€\"" } } },
};

static void test_tokens(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof token_cases / sizeof token_cases[0]; i++) {
		const struct token_case *c = &token_cases[i];
		adql_lexer lx;
		tr_err err = TR_ERR_INIT;
		size_t len = strlen(c->input);
		assert_int_equal(adql_lex_check_text(c->input, len, &err), TR_OK);
		adql_lex_init(&lx, c->input, len, c->ext);
		for (size_t k = 0;; k++) {
			adql_token t;
			assert_true(k < MAX_TOKS);
			if (adql_lex_next(&lx, &t, &err) != TR_OK)
				fail_msg("case %zu token %zu: %s", i, k, err.msg);
			if (t.kind != c->toks[k].kind)
				fail_msg("case %zu ('%s') token %zu: kind %s, want %s", i, c->input, k, adql_tok_name(t.kind),
				         adql_tok_name(c->toks[k].kind));
			if (t.kind == ADQL_TOK_EOF) {
				assert_int_equal(t.pos, (long)len);
				assert_int_equal(t.len, 0);
				break;
			}
			assert_int_equal(t.len, strlen(c->toks[k].text));
			assert_memory_equal(c->input + t.pos, c->toks[k].text, (size_t)t.len);
		}
		/* end of input stays end of input */
		adql_token t;
		assert_int_equal(adql_lex_next(&lx, &t, &err), TR_OK);
		assert_int_equal(t.kind, ADQL_TOK_EOF);
	}
}

static const struct error_case {
	const char *input;
	unsigned ext;
	int code;
	long pos; /* of the error */
	long len;
	const char *msg; /* part of the message */
} error_cases[] = {
	{ "a 'abc", 0, TR_ESYNTAX, 2, 4, "unterminated string literal" },
	{ "a 'it''", 0, TR_ESYNTAX, 2, 5, "unterminated string literal" },
	{ "\"abc", 0, TR_ESYNTAX, 0, 4, "unterminated delimited identifier" },
	{ "x \"\"", 0, TR_ESYNTAX, 2, 2, "empty delimited identifier" },
	{ "a @b", 0, TR_ESYNTAX, 2, 1, "unexpected character '@'" },
	{ "a # b", 0, TR_ESYNTAX, 2, 1, "unexpected character '#'" },
	{ "[a]", 0, TR_ESYNTAX, 0, 1, "unexpected character '['" },
	{ "a ! b", 0, TR_ESYNTAX, 2, 1, "unexpected character '!'" },
	{ "a:b", 0, TR_ESYNTAX, 1, 1, "unexpected character ':'" },
	{ "a ? b", 0, TR_ESYNTAX, 2, 1, "unexpected character '?'" },
	{ "`a`", 0, TR_ESYNTAX, 0, 1, "unexpected character '`'" },
	{ "_a", 0, TR_ESYNTAX, 0, 1, "must start with a letter" },
	{ "a\x01", 0, TR_ESYNTAX, 1, 1, "control character U+0001" },
	{ "\xc3\xa9t\xc3\xa9", 0, TR_ESYNTAX, 0, 2, "U+00E9" },
	{ "x\xc2\xa0y", 0, TR_ESYNTAX, 1, 2, "U+00A0" },
	{ "1.a", 0, TR_ESYNTAX, 0, 3, "malformed numeric literal '1.a'" },
	{ "12abc", 0, TR_ESYNTAX, 0, 5, "malformed numeric literal '12abc'" },
	{ "1.5x", 0, TR_ESYNTAX, 0, 4, "malformed numeric literal" },
	{ "1e", 0, TR_ESYNTAX, 0, 2, "malformed exponent" },
	{ "1e+", 0, TR_ESYNTAX, 0, 3, "malformed exponent" },
	{ "2.5Ex", 0, TR_ESYNTAX, 0, 5, "malformed exponent" },
	{ "0x1F", 0, TR_EUNSUPPORTED, 0, 4, "hexadecimal literals are not enabled" },
	{ "0x", ADQL_EXT_HEX, TR_ESYNTAX, 0, 2, "malformed hexadecimal literal" },
	{ "0x1G", ADQL_EXT_HEX, TR_ESYNTAX, 0, 4, "malformed hexadecimal literal '0x1G'" },
	{ "a & b", 0, TR_EUNSUPPORTED, 2, 1, "bitwise operators are not enabled" },
	{ "a | b", 0, TR_EUNSUPPORTED, 2, 1, "bitwise operators" },
	{ "a ^ b", ADQL_EXT_HEX, TR_EUNSUPPORTED, 2, 1, "bitwise operators" },
	{ "~a", 0, TR_EUNSUPPORTED, 0, 1, "bitwise operators" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
		const struct error_case *c = &error_cases[i];
		adql_lexer lx;
		tr_err err = TR_ERR_INIT;
		adql_token t;
		int rc = TR_OK;
		adql_lex_init(&lx, c->input, strlen(c->input), c->ext);
		do
			rc = adql_lex_next(&lx, &t, &err);
		while (rc == TR_OK && t.kind != ADQL_TOK_EOF);
		if (rc != c->code || err.pos != c->pos || err.len != c->len || strstr(err.msg, c->msg) == NULL)
			fail_msg("case %zu ('%s'): got %d at %ld+%ld '%s'", i, c->input, rc, err.pos, err.len, err.msg);
		assert_int_equal(t.kind, ADQL_TOK_EOF);
	}
}

static void test_limits(void **state)
{
	(void)state;
	static char buf[ADQL_MAX_STRING_BYTES + 8];
	static const struct {
		char open, close, fill;
		long max;
	} kinds[] = { { 0, 0, 'n', ADQL_MAX_IDENT_BYTES }, { '"', '"', 'n', ADQL_MAX_IDENT_BYTES },
		      { '\'', '\'', 's', ADQL_MAX_STRING_BYTES }, { 0, 0, '9', ADQL_MAX_NUMBER_BYTES } };
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		for (long n = kinds[k].max; n <= kinds[k].max + 1; n++) {
			size_t len = 0;
			if (kinds[k].open)
				buf[len++] = kinds[k].open;
			memset(buf + len, kinds[k].fill, (size_t)n);
			len += (size_t)n;
			if (kinds[k].close)
				buf[len++] = kinds[k].close;
			adql_lexer lx;
			adql_token t;
			tr_err err = TR_ERR_INIT;
			adql_lex_init(&lx, buf, len, 0);
			int rc = adql_lex_next(&lx, &t, &err);
			assert_int_equal(rc, n > kinds[k].max ? TR_ELIMIT : TR_OK);
			if (rc != TR_OK) {
				assert_int_equal(err.pos, 0);
				assert_int_equal(err.len, (long)len);
			}
		}
	}
}

static void test_check_text(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t len;
		int code;
		long pos;
	} cases[] = {
		{ "", 0, TR_OK, -1 },
		{ "abc", 3, TR_OK, -1 },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xad\xf4\x8f\xbf\xbf\xef\xbf\xbf", 16, TR_OK, -1 },
		{ "a\0b", 3, TR_EENCODING, 1 },
		{ "\x80", 1, TR_EENCODING, 0 },
		{ "ab\xc2", 3, TR_EENCODING, 2 },
		{ "\xc1\xbf", 2, TR_EENCODING, 0 },         /* overlong */
		{ "\xe0\x9f\xbf", 3, TR_EENCODING, 0 },     /* overlong */
		{ "\xf0\x8f\xbf\xbf", 4, TR_EENCODING, 0 }, /* overlong */
		{ "\xed\xbf\xbf", 3, TR_EENCODING, 0 },     /* surrogate */
		{ "\xf4\x90\x80\x80", 4, TR_EENCODING, 0 }, /* > U+10FFFF */
		{ "\xf5\x80\x80\x80", 4, TR_EENCODING, 0 },
		{ "\xe2\x28\xa1", 3, TR_EENCODING, 0 },     /* bad continuation */
		{ "\xfe", 1, TR_EENCODING, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tr_err err = TR_ERR_INIT;
		int rc = adql_lex_check_text(cases[i].s, cases[i].len, &err);
		if (rc != cases[i].code || err.pos != cases[i].pos)
			fail_msg("case %zu: got %d at %ld", i, rc, err.pos);
	}
	/* size: checked before any byte is read */
	tr_err err = TR_ERR_INIT;
	char *big = calloc((size_t)ADQL_MAX_QUERY_BYTES + 1, 1);
	assert_non_null(big);
	memset(big, ' ', (size_t)ADQL_MAX_QUERY_BYTES + 1);
	assert_int_equal(adql_lex_check_text(big, (size_t)ADQL_MAX_QUERY_BYTES, &err), TR_OK);
	assert_int_equal(adql_lex_check_text(big, (size_t)ADQL_MAX_QUERY_BYTES + 1, &err), TR_ELIMIT);
	assert_int_equal(err.pos, -1);
	free(big);
}

/* The reserved-word table is sorted (binary search needs it), upper case, and holds every keyword
 * token exactly once; lookups are case-insensitive. */
static void test_keyword_table(void **state)
{
	(void)state;
	int seen[ADQL_TOK_COUNT_] = { 0 };
	size_t n = adql_lex_n_words();
	assert_true(n > 250);
	for (size_t i = 0; i < n; i++) {
		adql_tok kind;
		const char *w = adql_lex_word(i, &kind);
		assert_non_null(w);
		if (i > 0 && strcmp(adql_lex_word(i - 1, NULL), w) >= 0)
			fail_msg("table out of order at %s", w);
		for (const char *c = w; *c; c++)
			assert_true((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_');
		assert_int_equal(adql_lex_keyword(w, strlen(w)), kind);
		char lower[32];
		size_t len = strlen(w);
		assert_true(len < sizeof lower);
		for (size_t j = 0; j <= len; j++)
			lower[j] = (char)(w[j] >= 'A' && w[j] <= 'Z' ? w[j] + 32 : w[j]);
		assert_int_equal(adql_lex_keyword(lower, len), kind);
		seen[kind]++;
	}
	assert_null(adql_lex_word(n, NULL));
#define CHECK_SEEN(k) assert_int_equal(seen[ADQL_TOK_##k], 1);
	ADQL_KEYWORD_TOKENS(CHECK_SEEN)
#undef CHECK_SEEN
	/* words from both lists of ADQL 2.1 §2.1.2, and some that are not reserved */
	static const char *const reserved[] = { "abs", "ABSOLUTE", "zone", "Top", "IN_UNIT", "ILIKE", "OFFSET", "BIGINT",
		                                "COT", "CURRENT_TIMESTAMP", "LOWER", "UPPER", "COALESCE", "CAST",
		                                "TRUE", "FALSE", "COUNT", "CROSS", "WITH", "DISTANCE", "REGION" };
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		assert_int_not_equal(adql_lex_keyword(reserved[i], strlen(reserved[i])), ADQL_TOK_IDENT);
	static const char *const plain[] = { "ra", "dec", "LIMIT", "ivo_healpix_index", "INTEGERS", "CURRENT_TIMESTAMPS",
		                             "a", "END_EXEC", "" };
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
		assert_int_equal(adql_lex_keyword(plain[i], strlen(plain[i])), ADQL_TOK_IDENT);
	/* the one case-insensitive comparison every name lookup uses */
	assert_true(adql_lex_word_eq("select", 6, "SELECT"));
	assert_true(adql_lex_word_eq("In_Unit", 7, "IN_UNIT"));
	assert_false(adql_lex_word_eq("selec", 5, "SELECT"));
	assert_false(adql_lex_word_eq("selects", 7, "SELECT"));
	assert_false(adql_lex_word_eq("s\xc3\xa9lect", 7, "SELECT"));
	assert_true(adql_lex_word_eq("", 0, ""));
	/* names for messages */
	assert_string_equal(adql_tok_name(ADQL_TOK_FROM), "FROM");
	assert_string_equal(adql_tok_name(ADQL_TOK_EOF), "end of input");
	assert_string_equal(adql_tok_name(ADQL_TOK_LPAREN), "'('");
	for (int k = 0; k < ADQL_TOK_COUNT_; k++)
		assert_string_not_equal(adql_tok_name((adql_tok)k), "?");
}

static void test_unquote(void **state)
{
	(void)state;
	arena *a = arena_create(0, 0);
	assert_non_null(a);
	static const struct {
		const char *tok, *want;
	} cases[] = { { "''", "" }, { "'a'", "a" }, { "'it''s'", "it's" }, { "''''", "'" }, { "\"a\"\"b\"", "a\"b" },
		      { "\"x'y\"", "x'y" }, { "'x\"y'", "x\"y" } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = 99;
		char *s = adql_lex_unquote(a, cases[i].tok, strlen(cases[i].tok), &n);
		assert_non_null(s);
		assert_string_equal(s, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
	arena_fail_after(1);
	assert_null(adql_lex_unquote(a, "'a'", 3, NULL));
	arena_fail_after(0);
	arena_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),      cmocka_unit_test(test_errors),         cmocka_unit_test(test_limits),
		cmocka_unit_test(test_check_text),  cmocka_unit_test(test_keyword_table), cmocka_unit_test(test_unquote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
