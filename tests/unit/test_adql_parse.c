/* test_adql_parse: the ADQL parser (src/adql/parser.h) and syntax tree (src/adql/ast.h).
 *
 * The bulk of the cases are declarative, in tests/adql/parse.cases (format at its top): each query's
 * tree dump or error code, position and message.  Every valid case's tree is also checked for sound
 * spans and heights, and every prefix of it is parsed (a tree or an error, never a crash).  The cmocka
 * tests below cover what a case file cannot say well: each limit of adql/limits.h on both sides,
 * encoding errors, allocation failure at every step, and error formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "adql/limits.h"
#include "adql/parser.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASES_FILE "/tests/adql/parse.cases"
#define EXT_ALL (ADQL_EXT_HEX | ADQL_EXT_BITWISE)

static int setup(void **state)
{
	arena *a = arena_create(0, 0);
	if (a == NULL)
		return -1;
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	arena_fail_after(0);
	arena_destroy(*state);
	return 0;
}

/* ---- helpers ---------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	int code;
} codes[] = {
	{ "SYNTAX", TR_ESYNTAX }, { "LIMIT", TR_ELIMIT }, { "ENCODING", TR_EENCODING },
	{ "UNSUPPORTED", TR_EUNSUPPORTED }, { "NOMEM", TR_ENOMEM },
};

static const char *code_name(int code)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (codes[i].code == code)
			return codes[i].name;
	return code == TR_OK ? "OK" : "?";
}

static int code_of(const char *name)
{
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (strcmp(codes[i].name, name) == 0)
			return codes[i].code;
	return 0;
}

/* Parses text and returns the error code, TR_OK with the dump in *dump on success. */
static int parse(arena *a, const char *text, size_t len, unsigned ext, strbuf *dump, tr_err *err)
{
	adql_parse_opts opts = { ext };
	tr_err_clear(err);
	arena_reset(a);
	adql_query *q = adql_parse(a, text, len, &opts, err);
	if (q == NULL) {
		assert_true(tr_err_isset(err)); /* NULL always comes with an error */
		return err->code;
	}
	assert_false(tr_err_isset(err));
	if (dump) {
		strbuf_reset(dump);
		adql_ast_dump(dump, q->root);
		assert_false(strbuf_failed(dump));
	}
	return TR_OK;
}

/* Tree invariants every pass relies on: spans inside the text and inside the parent's, heights as
 * documented, no annotation from the parser. */
typedef struct span_check {
	const adql_node *parent;
	size_t text_len;
	unsigned max_child_height;
	int bad;
} span_check;

static int check_node(adql_node *n, void *ctx);

static int check_children(adql_node *n, size_t text_len)
{
	span_check c = { n, text_len, 0, 0 };
	int rc = adql_node_each_child(n, check_node, &c);
	if (rc == 0 && n->height != c.max_child_height + 1)
		rc = 1;
	return rc;
}

static int check_node(adql_node *n, void *ctx)
{
	span_check *c = ctx;
	if (n->pos < c->parent->pos || n->pos + n->len > c->parent->pos + c->parent->len || n->annot != NULL ||
	    n->height > ADQL_MAX_TREE_HEIGHT)
		return 1;
	if (n->height > c->max_child_height)
		c->max_child_height = n->height;
	return check_children(n, c->text_len);
}

static bool tree_is_sound(const adql_query *q)
{
	const adql_node *r = q->root;
	if (r->pos < 0 || (size_t)(r->pos + r->len) > q->text_len || r->kind != ADQL_N_QUERY)
		return false;
	return check_children(q->root, q->text_len) == 0;
}

/* Every prefix of a valid query gives a tree or an error (ASan and UBSan watch the rest). */
static void parse_prefixes(arena *a, const char *text, size_t len, unsigned ext)
{
	tr_err err;
	for (size_t n = 0; n < len; n++)
		(void)parse(a, text, n, ext, NULL, &err);
}

/* ---- the case file ---------------------------------------------------------------------------- */

/* Decodes qesc: escapes \n \t \r \\ \xHH into out; returns the length. */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;
	while (*s) {
		if (*s != '\\' || s[1] == '\0') {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[n++] = '\n'; s++; break;
		case 't': out[n++] = '\t'; s++; break;
		case 'r': out[n++] = '\r'; s++; break;
		case 'x': {
			char hex[3] = { s[1], s[1] ? s[2] : '\0', '\0' };
			out[n++] = (char)strtoul(hex, NULL, 16);
			s += 3;
			break;
		}
		default: out[n++] = *s++; break;
		}
	}
	return n;
}

typedef struct case_run {
	arena *a;
	const char *file;
	int n_cases;
	int n_valid;
	int n_failed;
} case_run;

static void case_fail(case_run *r, int line, const char *query, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void case_fail(case_run *r, int line, const char *query, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	print_error("%s:%d: %s\n    query: %s\n", r->file, line, msg, query);
	r->n_failed++;
}

/* Runs one case: the query, the expectation line ("ast: ..." or "error: ..."), its line number. */
static void run_case(case_run *r, const char *query, size_t len, unsigned ext, const char *expect, int line)
{
	strbuf dump = STRBUF_INIT(0);
	tr_err err;
	int code = parse(r->a, query, len, ext, &dump, &err);
	r->n_cases++;
	if (strncmp(expect, "ast: ", 5) == 0) {
		r->n_valid++;
		if (code != TR_OK) {
			case_fail(r, line, query, "expected a tree, got %s at %ld: %s", code_name(code), err.pos, err.msg);
		} else if (strcmp(strbuf_str(&dump), expect + 5) != 0) {
			case_fail(r, line, query, "tree differs\n    want: %s\n    got:  %s", expect + 5, strbuf_str(&dump));
		} else {
			adql_parse_opts opts = { ext };
			adql_query *q = adql_parse(r->a, query, len, &opts, &err);
			if (q == NULL || !tree_is_sound(q))
				case_fail(r, line, query, "tree has a bad span or height");
			parse_prefixes(r->a, query, len, ext);
		}
	} else {
		char want_code[32];
		char want_pos[32];
		int consumed = 0;
		if (sscanf(expect, "error: %31s %31s %n", want_code, want_pos, &consumed) < 2 || code_of(want_code) == 0) {
			case_fail(r, line, query, "malformed expectation: %s", expect);
		} else if (code != code_of(want_code) || (strcmp(want_pos, "-") == 0 ? err.pos != -1 : err.pos != atol(want_pos)) ||
		           strstr(err.msg, expect + consumed) == NULL) {
			case_fail(r, line, query, "want %s %s '%s'\n    got  %s %ld '%s'", want_code, want_pos, expect + consumed,
			          code_name(code), err.pos, err.msg);
		}
	}
	strbuf_free(&dump);
}

static void test_case_file(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	snprintf(path, sizeof path, "%s%s", top ? top : ".", CASES_FILE);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s (is top_srcdir set?)", path);
	case_run r = { *state, path, 0, 0, 0 };
	strbuf query = STRBUF_INIT(0);
	bool has_query = false;
	unsigned ext = 0;
	char *line = NULL, *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (strncmp(line, "query: ", 7) == 0 || strcmp(line, "query:") == 0 || strncmp(line, "qesc: ", 6) == 0) {
			if (has_query)
				strbuf_putc(&query, '\n');
			if (line[1] == 'e') {
				buf = realloc(buf, (size_t)n + 1);
				assert_non_null(buf);
				strbuf_add(&query, buf, unescape(line + 6, buf));
			} else {
				strbuf_puts(&query, line[6] ? line + 7 : "");
			}
			has_query = true;
		} else if (strcmp(line, "ext: yes") == 0) {
			ext = EXT_ALL;
		} else if (strncmp(line, "ast: ", 5) == 0 || strncmp(line, "error: ", 7) == 0) {
			if (!has_query)
				case_fail(&r, lineno, "", "expectation without a query");
			else
				run_case(&r, strbuf_str(&query), strbuf_len(&query), ext, line, lineno);
			strbuf_reset(&query);
			has_query = false;
			ext = 0;
		} else {
			case_fail(&r, lineno, "", "unrecognized line: %s", line);
		}
	}
	free(line);
	free(buf);
	strbuf_free(&query);
	fclose(f);
	print_message("%s: %d cases (%d valid, %d invalid), %d failed\n", path, r.n_cases, r.n_valid,
	              r.n_cases - r.n_valid, r.n_failed);
	assert_int_equal(r.n_failed, 0);
	assert_true(r.n_cases >= 300);
}

/* ---- limits ----------------------------------------------------------------------------------- */

/* "SELECT a FROM t WHERE " + pre^n + "a = 1" + post^n */
static char *nested(const char *pre, const char *post, size_t n)
{
	strbuf sb = STRBUF_INIT(0);
	strbuf_puts(&sb, "SELECT a FROM t WHERE ");
	for (size_t i = 0; i < n; i++)
		strbuf_puts(&sb, pre);
	strbuf_puts(&sb, "a = 1");
	for (size_t i = 0; i < n; i++)
		strbuf_puts(&sb, post);
	assert_false(strbuf_failed(&sb));
	return sb.data;
}

static int parse_str(arena *a, const char *text, tr_err *err) { return parse(a, text, strlen(text), 0, NULL, err); }

/* A query with an item repeated n times: "SELECT a0, a1, ... FROM t" and the like; '#' in item
 * stands for the item's number. */
static int parse_repeated(arena *a, const char *head, const char *item, const char *sep, const char *tail, size_t n,
                          strbuf *dump, tr_err *err)
{
	strbuf sb = STRBUF_INIT(0);
	strbuf_puts(&sb, head);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_puts(&sb, sep);
		for (const char *c = item; *c; c++) {
			if (*c == '#')
				strbuf_printf(&sb, "%zu", i);
			else
				strbuf_putc(&sb, *c);
		}
	}
	strbuf_puts(&sb, tail);
	assert_false(strbuf_failed(&sb));
	int code = parse(a, sb.data, sb.len, 0, dump, err);
	strbuf_free(&sb);
	return code;
}

static void test_deep_nesting(void **state)
{
	arena *a = *state;
	tr_err err;
	static const struct {
		const char *pre, *post;
	} kinds[] = { { "(", ")" }, { "NOT ", "" }, { "(NOT ", ")" }, { "a IN (SELECT a FROM t WHERE ", ")" },
		      { "EXISTS (SELECT a FROM (SELECT a FROM t WHERE ", ") AS x)" } };
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		char *ok = nested(kinds[k].pre, kinds[k].post, 10);
		char *deep = nested(kinds[k].pre, kinds[k].post, 10000);
		assert_int_equal(parse_str(a, ok, &err), TR_OK);
		assert_int_equal(parse_str(a, deep, &err), TR_ELIMIT);
		assert_non_null(strstr(err.msg, "nested too deeply"));
		free(ok);
		free(deep);
	}
	/* 10,000 of anything that nests, unbalanced or not, ends in an error */
	static const char *const prefixes[] = { "(", "-", "- -", "~", "NOT ", "CASE WHEN ", "ABS(", "f(", "COUNT(",
		                                "CAST(", "(SELECT a FROM t WHERE " };
	for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
		strbuf sb = STRBUF_INIT(0);
		strbuf_puts(&sb, "SELECT ");
		for (int i = 0; i < 10000; i++)
			strbuf_puts(&sb, prefixes[k]);
		tr_err e2;
		int code = parse(a, sb.data, sb.len, EXT_ALL, NULL, &e2);
		assert_true(code == TR_ELIMIT || code == TR_ESYNTAX);
		strbuf_free(&sb);
	}
}

static void test_tree_height(void **state)
{
	arena *a = *state;
	tr_err err;
	strbuf dump = STRBUF_INIT(0);
	/* a + a + ... nests only in the tree: the height limit catches it */
	assert_int_equal(parse_repeated(a, "SELECT ", "a", " + ", " FROM t", ADQL_MAX_TREE_HEIGHT, NULL, &err), TR_ELIMIT);
	assert_non_null(strstr(err.msg, "syntax tree deeper"));
	/* the tallest tree allowed: its dump recurses as deep as any later pass may */
	assert_int_equal(parse_repeated(a, "SELECT ", "a", " || ", " FROM t", ADQL_MAX_TREE_HEIGHT - 5, &dump, &err), TR_OK);
	assert_true(strbuf_len(&dump) > 4 * (size_t)ADQL_MAX_TREE_HEIGHT);
	strbuf_free(&dump);
	/* long AND / OR chains stay flat, mixed or not */
	assert_int_equal(parse_repeated(a, "SELECT a FROM t WHERE ", "a = 1", " OR ", "", 5000, NULL, &err), TR_OK);
	assert_int_equal(parse_repeated(a, "SELECT a FROM t WHERE ", "a = 1 AND b = 2", " OR ", "", 3000, NULL, &err), TR_OK);
}

static void test_query_size(void **state)
{
	arena *a = *state;
	tr_err err;
	size_t max = (size_t)ADQL_MAX_QUERY_BYTES;
	char *q = malloc(max + 2);
	assert_non_null(q);
	static const char head[] = "SELECT a FROM t --";
	memcpy(q, head, sizeof head - 1);
	memset(q + sizeof head - 1, 'x', max + 1 - (sizeof head - 1));
	assert_int_equal(parse(a, q, max, 0, NULL, &err), TR_OK);
	assert_int_equal(parse(a, q, max + 1, 0, NULL, &err), TR_ELIMIT);
	assert_int_equal(err.pos, -1);
	/* a 1 MiB query of real tokens: the node limit, not the stack or memory, stops it */
	strbuf sb = STRBUF_INIT(0);
	strbuf_puts(&sb, "SELECT a FROM t WHERE a IN (1");
	for (size_t i = 1; sb.len < max - 100; i++)
		strbuf_puts(&sb, i % 5000 ? ",1" : ") OR a IN (1");
	strbuf_puts(&sb, ")");
	assert_int_equal(parse(a, sb.data, sb.len, 0, NULL, &err), TR_ELIMIT);
	assert_non_null(strstr(err.msg, "syntax nodes"));
	strbuf_free(&sb);
	free(q);
}

static void test_list_limits(void **state)
{
	arena *a = *state;
	tr_err err;
	static const struct {
		const char *head, *item, *sep, *tail;
		size_t limit;
	} lists[] = {
		{ "SELECT ", "a#", ", ", " FROM t", ADQL_MAX_SELECT_ITEMS },
		{ "SELECT a FROM t WHERE a IN (", "#", ",", ")", ADQL_MAX_IN_ITEMS },
		{ "SELECT f(", "#", ",", ") FROM t", ADQL_MAX_ARGS },
		{ "SELECT a FROM t GROUP BY ", "a#", ", ", "", ADQL_MAX_KEY_TERMS },
		{ "SELECT a FROM t ORDER BY ", "a#", ", ", "", ADQL_MAX_KEY_TERMS },
		{ "SELECT a FROM t JOIN u USING (", "c#", ", ", ")", ADQL_MAX_KEY_TERMS },
		{ "SELECT a FROM ", "t#", ", ", "", ADQL_MAX_JOIN_TABLES },
		{ "SELECT a FROM ", "t#", " NATURAL JOIN ", "", ADQL_MAX_JOIN_TABLES },
		{ "", "SELECT a FROM t#", " UNION ", "", ADQL_MAX_SET_OPERANDS },
		{ "WITH ", "q# AS (SELECT a FROM t)", ", ", " SELECT a FROM q0", ADQL_MAX_CTES },
		{ "SELECT CASE ", "WHEN a = # THEN 1", " ", " END FROM t", ADQL_MAX_WHENS },
		{ "SELECT COALESCE(", "a#", ", ", ") FROM t", ADQL_MAX_ARGS },
	};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		int ok = parse_repeated(a, lists[i].head, lists[i].item, lists[i].sep, lists[i].tail, lists[i].limit, NULL,
		                        &err);
		if (ok != TR_OK)
			fail_msg("list %zu at its limit: %s", i, err.msg);
		assert_int_equal(parse_repeated(a, lists[i].head, lists[i].item, lists[i].sep, lists[i].tail,
		                                lists[i].limit + 1, NULL, &err),
		                 TR_ELIMIT);
	}
}

static void test_token_limits(void **state)
{
	arena *a = *state;
	tr_err err;
	char q[ADQL_MAX_STRING_BYTES + 64];
	char name[ADQL_MAX_IDENT_BYTES + 2];
	memset(name, 'n', sizeof name);
	for (int delimited = 0; delimited < 2; delimited++) {
		for (int n = ADQL_MAX_IDENT_BYTES; n <= ADQL_MAX_IDENT_BYTES + 1; n++) {
			snprintf(q, sizeof q, delimited ? "SELECT \"%.*s\" FROM t" : "SELECT %.*s FROM t", n, name);
			assert_int_equal(parse_str(a, q, &err), n > ADQL_MAX_IDENT_BYTES ? TR_ELIMIT : TR_OK);
		}
	}
	/* "" counts once: 64 doubled quotes are 64 bytes of name */
	assert_int_equal(parse_repeated(a, "SELECT \"", "\"\"", "", "\" FROM t", ADQL_MAX_IDENT_BYTES, NULL, &err), TR_OK);
	for (long n = ADQL_MAX_STRING_BYTES; n <= ADQL_MAX_STRING_BYTES + 1; n++) {
		int len = snprintf(q, sizeof q, "SELECT a FROM t WHERE a = '");
		memset(q + len, 's', (size_t)n);
		snprintf(q + len + n, sizeof q - (size_t)(len + n), "'");
		assert_int_equal(parse_str(a, q, &err), n > ADQL_MAX_STRING_BYTES ? TR_ELIMIT : TR_OK);
	}
	for (int n = ADQL_MAX_NUMBER_BYTES; n <= ADQL_MAX_NUMBER_BYTES + 1; n++) {
		int len = snprintf(q, sizeof q, "SELECT a FROM t WHERE a = ");
		memset(q + len, '7', (size_t)n);
		q[len + n] = '\0';
		assert_int_equal(parse_str(a, q, &err), n > ADQL_MAX_NUMBER_BYTES ? TR_ELIMIT : TR_OK);
	}
	/* the limits are the ones the header states */
	assert_int_equal(ADQL_MAX_QUERY_BYTES, 1024 * 1024);
	assert_int_equal(ADQL_MAX_IDENT_BYTES, 64);
}

/* ---- encoding --------------------------------------------------------------------------------- */

static void test_encoding(void **state)
{
	arena *a = *state;
	tr_err err;
#define TEXT(s) s, sizeof s - 1
	static const struct {
		const char *text;
		size_t len;
		long pos;
	} bad[] = {
		{ TEXT("SELECT a\0 FROM t"), 8 },                /* NUL outside a string */
		{ TEXT("SELECT 'a\0b' FROM t"), 9 },             /* NUL inside a string */
		{ TEXT("SELECT a FROM t -- \xff"), 19 },         /* 0xFF never appears in UTF-8 */
		{ TEXT("SELECT '\xc3' FROM t"), 8 },             /* truncated sequence */
		{ TEXT("SELECT '\xc0\xaf' FROM t"), 8 },         /* overlong '/' */
		{ TEXT("SELECT '\xe0\x80\xaf' FROM t"), 8 },     /* overlong, 3 bytes */
		{ TEXT("SELECT '\xed\xa0\x80' FROM t"), 8 },     /* UTF-16 surrogate */
		{ TEXT("SELECT '\xf4\x90\x80\x80' FROM t"), 8 }, /* above U+10FFFF */
		{ TEXT("SELECT '\x80' FROM t"), 8 },             /* lone continuation byte */
		{ TEXT("SELECT \"\xe2\x82\" FROM t"), 8 },       /* truncated, in a delimited identifier */
		{ TEXT("\xef\xbb"), 0 },                         /* truncated at the end */
	};
#undef TEXT
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(a, bad[i].text, bad[i].len, 0, NULL, &err), TR_EENCODING);
		assert_int_equal(err.pos, bad[i].pos);
	}
	/* valid multi-byte text is fine where text is allowed, and named where it is not */
	static const char good[] = "SELECT 'h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x94\xad' AS \"\xc3\xa9t\xc3\xa9\" FROM t -- \xc3\xa9";
	assert_int_equal(parse_str(a, good, &err), TR_OK);
	assert_int_equal(parse_str(a, "SELECT \xc3\xa9t\xc3\xa9 FROM t", &err), TR_ESYNTAX);
	assert_non_null(strstr(err.msg, "U+00E9"));
}

/* ---- robustness ------------------------------------------------------------------------------- */

static const char *const valid_queries[] = {
	"SELECT TOP 10 g.ra, g.dec AS d, COUNT(*) FROM gaia.source AS g JOIN (SELECT id FROM t WHERE x IN (1, 2)) AS s "
	"ON g.id = s.id WHERE CONTAINS(POINT('ICRS', g.ra, g.dec), CIRCLE('ICRS', 10, -20, 0.5)) = 1 AND g.mag "
	"BETWEEN 1 AND 2 GROUP BY g.ra, g.dec HAVING COUNT(*) > 1 ORDER BY 1 DESC, d OFFSET 5;",
	"WITH q AS (SELECT a FROM t) SELECT CASE WHEN a IS NULL THEN 'x' ELSE LOWER(b) || 'y' END FROM q "
	"UNION ALL (SELECT CAST(a AS VARCHAR(10)) FROM u EXCEPT SELECT b FROM v) ORDER BY 1",
	"SELECT DISTINCT a, -b * (c + d) / 2.5e3, ivo_f(a, 'b''c'), \"Odd \"\" Name\" FROM s.t t1 NATURAL LEFT "
	"OUTER JOIN ((u CROSS JOIN v) FULL JOIN w USING (k)) WHERE NOT EXISTS (SELECT 1 FROM x) OR a NOT LIKE "
	"'%z' OR b ILIKE 'Q_'",
};

static void test_prefixes_never_crash(void **state)
{
	for (size_t i = 0; i < sizeof valid_queries / sizeof valid_queries[0]; i++) {
		tr_err err;
		assert_int_equal(parse(*state, valid_queries[i], strlen(valid_queries[i]), 0, NULL, &err), TR_OK);
		parse_prefixes(*state, valid_queries[i], strlen(valid_queries[i]), 0);
		/* and every single-byte corruption of it */
		size_t len = strlen(valid_queries[i]);
		char *copy = malloc(len);
		assert_non_null(copy);
		static const char bytes[] = { '(', ')', '\'', '"', ',', '.', '*', '-', ' ', 'x', '1', '\xc3' };
		for (size_t pos = 0; pos < len; pos++) {
			for (size_t b = 0; b < sizeof bytes; b++) {
				memcpy(copy, valid_queries[i], len);
				copy[pos] = bytes[b];
				(void)parse(*state, copy, len, EXT_ALL, NULL, &err);
			}
		}
		free(copy);
	}
}

/* Fails the n-th allocation for every n until a parse succeeds: each failure is a clean TR_ENOMEM. */
static void test_allocation_failures(void **state)
{
	arena *a = *state;
	for (size_t i = 0; i < sizeof valid_queries / sizeof valid_queries[0]; i++) {
		int n_failures = 0;
		for (unsigned long n = 1;; n++) {
			tr_err err = TR_ERR_INIT;
			arena_reset(a);
			arena_fail_after(n);
			adql_query *q = adql_parse(a, valid_queries[i], strlen(valid_queries[i]), NULL, &err);
			arena_fail_after(0);
			if (q != NULL)
				break;
			assert_int_equal(err.code, TR_ENOMEM);
			n_failures++;
		}
		assert_true(n_failures > 10);
	}
	/* a capped arena fails the same way */
	arena *small = arena_create(1024, 4096);
	assert_non_null(small);
	tr_err err = TR_ERR_INIT;
	assert_null(adql_parse(small, valid_queries[0], strlen(valid_queries[0]), NULL, &err));
	assert_int_equal(err.code, TR_ENOMEM);
	arena_destroy(small);
}

/* ---- tree and messages ------------------------------------------------------------------------ */

static void test_tree_fields(void **state)
{
	arena *a = *state;
	tr_err err = TR_ERR_INIT;
	static const char text[] = "SELECT TOP 5 \"Ra\" AS x FROM cat.s.t WHERE t.b IN (SELECT 18446744073709551616 FROM u);";
	adql_query *q = adql_parse(a, text, sizeof text - 1, NULL, &err);
	assert_non_null(q);
	assert_int_equal(q->text_len, sizeof text - 1);
	assert_string_equal(q->text, text);
	const adql_node *sel = q->root->query.body;
	assert_int_equal(sel->kind, ADQL_N_SELECT);
	assert_int_equal(sel->pos, 0);
	assert_int_equal(sel->select.top->number.u64, 5);
	const adql_node *item = sel->select.items.nodes[0];
	const adql_ident *ra = &item->item.expr->column.name->parts[0];
	assert_string_equal(ra->name, "Ra");
	assert_true(ra->is_delimited);
	assert_int_equal(ra->pos, 13);
	assert_int_equal(ra->len, 4);
	assert_string_equal(item->item.alias->name, "x");
	assert_false(item->item.alias->is_delimited);
	const adql_node *table = sel->select.from.nodes[0];
	assert_int_equal(table->table.name->n_parts, 3);
	assert_string_equal(table->table.name->parts[0].name, "cat");
	const adql_node *in = sel->select.where;
	assert_int_equal(in->kind, ADQL_N_IN);
	const adql_node *big = in->in.query->query.body->select.items.nodes[0]->item.expr;
	assert_false(big->number.fits_u64); /* 2^64 */
	assert_string_equal(big->number.text, "18446744073709551616");
	assert_true(adql_node_is_condition(in));
	assert_string_equal(adql_kind_name(ADQL_N_LIKE), "like");
	/* the span of the WHERE condition covers "t.b IN (...)" */
	assert_int_equal(in->pos, strstr(text, "t.b") - text);
	assert_int_equal(in->pos + in->len, strstr(text, ";") - text);
}

static void test_function_tables(void **state)
{
	(void)state;
	for (int fn = 0; fn < ADQL_FN_COUNT_; fn++) {
		const adql_func_info *info = adql_func_get((adql_func)fn);
		adql_func found;
		assert_non_null(info);
		assert_true(adql_func_lookup(info->name, strlen(info->name), &found));
		assert_int_equal(found, fn);
	}
	adql_func f;
	assert_true(adql_func_lookup("in_unit", 7, &f));
	assert_int_equal(f, ADQL_FN_IN_UNIT);
	assert_false(adql_func_lookup("absx", 4, &f));
	assert_null(adql_func_get(ADQL_FN_COUNT_));
	adql_cast_kind k;
	assert_true(adql_cast_lookup("double", 6, &k));
	assert_int_equal(k, ADQL_CAST_DOUBLE);
	assert_false(adql_cast_lookup("int", 3, &k));
}

/* The hints in err.detail that turn a bare syntax error into advice. */
static void test_error_details(void **state)
{
	static const struct {
		const char *query, *msg, *detail;
	} cases[] = {
		{ "SELECT a FORM t", "expected FROM, found 'FORM'", "'FORM' was read as an alias" },
		{ "SELECT size FROM t", "reserved word", "§2.1.2" },
		{ "SELECT a FROM t LIMIT 10", "found 'LIMIT'", "write SELECT TOP n" },
		{ "SELECT a FROM t WHERE a = 1 ORDR BY a", "found 'ORDR'", "did you mean ORDER?" },
		{ "SELECT a FROM t /* c */", "found '/'", "comments start with --" },
		{ "SELECT a FROM t WHERE CONTAINS(p, c)", "expected a condition", "CONTAINS(...) = 1" },
		{ "SELECT a FROM t WHERE a", "expected a condition", "comparison or another predicate" },
		{ "SELECT 'a' 'b' FROM t", "adjacent string literals", "Erratum 1" },
		{ "DELETE FROM t", "expected SELECT or WITH", "SELECT statement" },
		{ "SELECT a FROM (SELECT a FROM t)", "alias for the subquery", "needs a name" },
		{ "SELECT 0x1 FROM t", "hexadecimal literals are not enabled", "working drafts" },
		{ "SELECT \xc3\xa9 FROM t", "U+00E9", "delimited identifiers" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tr_err err;
		assert_int_not_equal(parse_str(*state, cases[i].query, &err), TR_OK);
		if (strstr(err.msg, cases[i].msg) == NULL || strstr(err.detail, cases[i].detail) == NULL)
			fail_msg("%s: got '%s' / '%s'", cases[i].query, err.msg, err.detail);
	}
}

/* Parses text, which must fail, and checks the formatted error and excerpt. */
static void check_format(arena *a, const char *text, const char *want_error, const char *want_excerpt)
{
	tr_err err = TR_ERR_INIT;
	strbuf sb = STRBUF_INIT(0);
	assert_null(adql_parse(a, text, strlen(text), NULL, &err));
	adql_format_error(&sb, text, &err);
	assert_string_equal(strbuf_str(&sb), want_error);
	strbuf_reset(&sb);
	adql_format_excerpt(&sb, text, strlen(text), &err);
	assert_string_equal(strbuf_str(&sb), want_excerpt);
	strbuf_free(&sb);
}

static void test_format_error(void **state)
{
	/* columns count characters; the caret line keeps tabs so it lines up */
	check_format(*state, "SELECT ra,\n\td\xc3\xa9" "c\n FORM t",
	             "line 2, column 3: unexpected character '\xc3\xa9' (U+00E9)", "\td\xc3\xa9" "c\n\t ^\n");
	check_format(*state, "SELECT ra, dec\n  FORM t", "line 2, column 3: expected FROM, found 'FORM'",
	             "  FORM t\n  ^^^^\n");
	check_format(*state, "SELECT a FROM", "line 1, column 14: expected a table name, found end of input",
	             "SELECT a FROM\n             ^\n");
	/* long tokens are cut in messages, at a character boundary */
	check_format(*state, "SELECT a FROM t WHERE x = 1 \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\xc3\xa9\xc3\xa9\"",
	             "line 1, column 29: expected end of input, found '\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'",
	             "SELECT a FROM t WHERE x = 1 \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\xc3\xa9\xc3\xa9\"\n"
	             "                            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n");

	tr_err none = TR_ERR_INIT;
	strbuf sb = STRBUF_INIT(0);
	tr_err_set(&none, TR_ELIMIT, -1, 0, "too big");
	adql_format_error(&sb, "x", &none);
	adql_format_excerpt(&sb, "x", 1, &none);
	assert_string_equal(strbuf_str(&sb), "too big");
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_case_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_height, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encoding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefixes_never_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allocation_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_function_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_details, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
