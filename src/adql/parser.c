/* adql/parser: recursive descent over ADQL 2.1 Appendix A, building the tree of adql/ast.h.
 *
 * Must not read anything but its arguments (no schema, configuration or I/O) nor recurse without
 * counting: every cycle of the recursion passes through enter(), which stops at ADQL_MAX_DEPTH, and
 * every node through made(), which enforces the tree height and node count.  Expressions are parsed
 * by precedence climbing (one loop for all binary operators and predicates); parenthesized groups,
 * which may hold a query, an expression or a joined table, are resolved without backtracking by
 * group_body().  ADQL 2.1 §2.2 (query syntax), §2.2.2 (joins), §2.2.3 (search conditions), §2.3
 * (functions), Appendix A. */
#include <config.h>

#include "adql/parser.h"

#include "adql/limits.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Tokens the parser may look ahead: "a.b.c.*" in a select list is the longest look (7). */
#define LOOKAHEAD 8

typedef struct parser {
	arena *a;                 /* where the tree goes */
	const char *text;         /* the query (arena copy, NUL-terminated) */
	size_t len;               /* bytes of text */
	adql_lexer lx;            /* reads tokens on demand */
	adql_token la[LOOKAHEAD]; /* ring of tokens read but not consumed */
	size_t la_first;          /* index in la of the current token */
	size_t la_n;              /* tokens in la */
	tr_err *err;              /* where the first error goes */
	bool failed;              /* an error was recorded: unwind */
	int depth;                /* current nesting, see enter() */
	long n_nodes;             /* nodes made so far */
	size_t n_tables;          /* tables in the FROM clause being parsed */
	long prev_pos;            /* offset of the last consumed token */
	long prev_end;            /* offset just past the last consumed token */
	long alias_pos;           /* offset of the last alias written without AS, -1 if none */
} parser;

/* ---- tokens ----------------------------------------------------------------------------------- */

/* The k-th token from the current one (k < LOOKAHEAD).  After an error every token reads as end of
 * input, so the parser unwinds without further messages (the first error wins anyway). */
static const adql_token *peek(parser *p, size_t k)
{
	while (p->la_n <= k) {
		adql_token *t = &p->la[(p->la_first + p->la_n) % LOOKAHEAD];
		if (p->failed || adql_lex_next(&p->lx, t, p->err) != TR_OK) {
			p->failed = true;
			t->kind = ADQL_TOK_EOF;
			t->pos = (long)p->len;
			t->len = 0;
		}
		p->la_n++;
	}
	return &p->la[(p->la_first + k) % LOOKAHEAD];
}

static adql_tok peek_kind(parser *p, size_t k) { return peek(p, k)->kind; }

/* Consumes the current token (end of input stays current) and returns it. */
static adql_token next(parser *p)
{
	adql_token t = *peek(p, 0);
	if (t.kind != ADQL_TOK_EOF) {
		p->la_first = (p->la_first + 1) % LOOKAHEAD;
		p->la_n--;
	}
	p->prev_pos = t.pos;
	p->prev_end = t.pos + t.len;
	return t;
}

static bool accept(parser *p, adql_tok kind)
{
	if (peek_kind(p, 0) != kind)
		return false;
	next(p);
	return true;
}

static adql_span span_from(const parser *p, long start)
{
	adql_span sp = { start, p->prev_end - start };
	return sp;
}

static bool tok_is_word(const parser *p, const adql_token *t, const char *upper)
{
	return adql_lex_word_eq(p->text + t->pos, (size_t)t->len, upper);
}

/* ---- errors ----------------------------------------------------------------------------------- */

static void *fail(parser *p, int code, long pos, long len, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void *fail(parser *p, int code, long pos, long len, const char *fmt, ...)
{
	if (!p->failed) {
		char msg[TR_ERR_MSG_MAX];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		tr_err_set(p->err, code, pos, len, "%s", msg);
	}
	p->failed = true;
	return NULL;
}

static void *fail_nomem(parser *p) { return fail(p, TR_ENOMEM, -1, 0, "out of memory while parsing the query"); }

/* Copies text[pos..pos+len) for a message: at most ADQL_ERR_QUOTE_BYTES bytes, cut at a character
 * boundary and marked "...", control characters as spaces. */
#define QUOTE_BUF (ADQL_ERR_QUOTE_BYTES + 4)
static const char *excerpt(const parser *p, long pos, long len, char buf[QUOTE_BUF])
{
	size_t n = (size_t)len, cut = n;
	if (cut > ADQL_ERR_QUOTE_BYTES) {
		cut = ADQL_ERR_QUOTE_BYTES;
		while (cut > 0 && ((unsigned char)p->text[pos + (long)cut] & 0xC0) == 0x80)
			cut--;
	}
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)p->text[pos + (long)i];
		buf[i] = (char)(c < 0x20 || c == 0x7F ? ' ' : c);
	}
	memcpy(buf + cut, cut < n ? "..." : "", cut < n ? 4 : 1);
	return buf;
}

/* Reserved words that read like names (functions, types, aggregates, unused SQL words): where one
 * stands in the way, the likely intent was a column or table of that name. */
static bool is_namelike(adql_tok k)
{
	switch (k) {
	case ADQL_TOK_RESERVED:
	case ADQL_TOK_AVG:
	case ADQL_TOK_COUNT:
	case ADQL_TOK_MAX:
	case ADQL_TOK_MIN:
	case ADQL_TOK_SUM: return true;
	default: return false;
	}
}

static void *fail_reserved(parser *p, const adql_token *t)
{
	int n = (int)t->len;
	const char *w = p->text + t->pos;
	fail(p, TR_ESYNTAX, t->pos, t->len, "'%.*s' is a reserved word; write it as a delimited identifier (\"%.*s\")",
	     n, w, n, w);
	tr_err_detail(p->err, "ADQL 2.1 §2.1.2: reserved keywords cannot be regular identifiers; \"...\" "
	                      "also makes the name case-sensitive");
	return NULL;
}

/* True if w (upper case) is one edit (substitution, insertion, deletion or swap of neighbours) from
 * keyword kw. */
static bool one_edit_from(const char *w, size_t nw, const char *kw)
{
	size_t nk = strlen(kw), i = 0;
	if (nw + 1 < nk || nk + 1 < nw)
		return false;
	while (i < nw && i < nk && w[i] == kw[i])
		i++;
	if (nw == nk)
		return memcmp(w + i + 1, kw + i + 1, nw - i - 1) == 0 ||
		       (i + 1 < nw && w[i] == kw[i + 1] && w[i + 1] == kw[i] && memcmp(w + i + 2, kw + i + 2, nw - i - 2) == 0);
	if (nw + 1 == nk)
		return memcmp(w + i, kw + i + 1, nw - i) == 0;
	return memcmp(w + i + 1, kw + i, nk - i) == 0;
}

/* A clause keyword that word is a likely misspelling of, or NULL. */
static const char *misspelt_keyword(const char *w, size_t n)
{
	static const char *const kws[] = { "FROM", "WHERE", "GROUP", "ORDER", "HAVING", "JOIN", "INNER", "LEFT",
		                           "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "UNION", "EXCEPT",
		                           "INTERSECT", "OFFSET", "USING", "SELECT" };
	char up[ADQL_MAX_IDENT_BYTES];
	if (n < 4 || n > sizeof up)
		return NULL;
	for (size_t i = 0; i < n; i++)
		up[i] = (char)(w[i] >= 'a' && w[i] <= 'z' ? w[i] - ('a' - 'A') : w[i]);
	for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
		if (one_edit_from(up, n, kws[i]))
			return kws[i];
	return NULL;
}

/* "expected <what>, found <current token>" at the current token. */
static void *fail_found(parser *p, const char *what)
{
	const adql_token *t = peek(p, 0);
	char buf[QUOTE_BUF];
	if (t->kind == ADQL_TOK_EOF)
		return fail(p, TR_ESYNTAX, t->pos, 0, "expected %s, found end of input", what);
	if (t->kind == ADQL_TOK_STRING) /* its quotes are part of the text */
		return fail(p, TR_ESYNTAX, t->pos, t->len, "expected %s, found string %s", what,
		            excerpt(p, t->pos, t->len, buf));
	bool is_comment = t->kind == ADQL_TOK_SLASH && peek_kind(p, 1) == ADQL_TOK_STAR; /* peek before failing */
	fail(p, TR_ESYNTAX, t->pos, t->len, "expected %s, found '%s'", what, excerpt(p, t->pos, t->len, buf));
	const char *kw;
	if (t->kind == ADQL_TOK_IDENT && tok_is_word(p, t, "LIMIT"))
		tr_err_detail(p->err, "ADQL has no LIMIT clause: write SELECT TOP n ... (ADQL 2.1 §2.2)");
	else if (t->kind == ADQL_TOK_IDENT && (kw = misspelt_keyword(p->text + t->pos, (size_t)t->len)) != NULL)
		tr_err_detail(p->err, "did you mean %s?", kw);
	else if (is_comment)
		tr_err_detail(p->err, "ADQL comments start with -- and end at the end of the line");
	return NULL;
}

/* True, with the error recorded, if the last token was an alias written without AS that looks like
 * a misspelt keyword: SELECT a FORM t reads FORM as an alias of a, and t is where the parse stops. */
static bool fail_misspelt_alias(parser *p)
{
	char buf[QUOTE_BUF];
	if (p->failed || p->alias_pos < 0 || p->alias_pos != p->prev_pos)
		return false;
	long n = p->prev_end - p->prev_pos;
	const char *kw = misspelt_keyword(p->text + p->prev_pos, (size_t)n);
	if (kw == NULL)
		return false;
	fail(p, TR_ESYNTAX, p->prev_pos, n, "expected %s, found '%s'", kw, excerpt(p, p->prev_pos, n, buf));
	tr_err_detail(p->err, "'%s' was read as an alias of the item before it", buf);
	return true;
}

/* Like fail_found(), unless a better message applies: a misspelt keyword read as an alias, or a
 * reserved word where a name may stand. */
static void *fail_expected(parser *p, const char *what)
{
	const adql_token *t = peek(p, 0);
	if (p->failed || fail_misspelt_alias(p))
		return NULL;
	if (is_namelike(t->kind))
		return fail_reserved(p, t);
	return fail_found(p, what);
}

static bool expect(parser *p, adql_tok kind, const char *what)
{
	if (accept(p, kind))
		return true;
	fail_expected(p, what ? what : adql_tok_name(kind));
	return false;
}

/* ---- limits and allocation -------------------------------------------------------------------- */

/* Every recursion cycle passes here: one more level of nesting. */
static bool enter(parser *p)
{
	if (++p->depth <= ADQL_MAX_DEPTH)
		return true;
	p->depth--;
	const adql_token *t = peek(p, 0);
	fail(p, TR_ELIMIT, t->pos, t->len, "query nested too deeply (more than %d levels)", ADQL_MAX_DEPTH);
	return false;
}

static void leave(parser *p) { p->depth--; }

/* Every node passes here after its constructor: out of memory, tree height and node count. */
static adql_node *made(parser *p, adql_node *n)
{
	if (p->failed)
		return NULL;
	if (n == NULL)
		return fail_nomem(p);
	if (n->height > ADQL_MAX_TREE_HEIGHT)
		return fail(p, TR_ELIMIT, n->pos, n->len, "expression too complex (syntax tree deeper than %d levels)",
		            ADQL_MAX_TREE_HEIGHT);
	if (++p->n_nodes > ADQL_MAX_NODES)
		return fail(p, TR_ELIMIT, n->pos, n->len, "query too complex (more than %ld syntax nodes)", ADQL_MAX_NODES);
	return n;
}

/* A growing array of nodes in the arena; its final array becomes the node's list as it is. */
typedef struct nvec {
	adql_node **v; /* entries */
	size_t n;      /* used */
	size_t cap;    /* allocated */
} nvec;

/* Appends node (NULL: a parse error already recorded) unless the list already holds limit items. */
static bool push(parser *p, nvec *vec, adql_node *node, size_t limit, const char *what)
{
	if (node == NULL)
		return false;
	if (vec->n >= limit) {
		fail(p, TR_ELIMIT, node->pos, node->len, "too many %s (the limit is %zu)", what, limit);
		return false;
	}
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 4;
		adql_node **v = arena_calloc(p->a, cap, sizeof *v);
		if (v == NULL) {
			fail_nomem(p);
			return false;
		}
		if (vec->n)
			memcpy(v, vec->v, vec->n * sizeof *v);
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = node;
	return true;
}

static adql_list list_of(const nvec *vec)
{
	adql_list l = { vec->n ? vec->v : NULL, vec->n };
	return l;
}

/* ---- identifiers and names -------------------------------------------------------------------- */

static bool is_ident_tok(adql_tok k) { return k == ADQL_TOK_IDENT || k == ADQL_TOK_DELIM_IDENT; }

static bool ident_from(parser *p, const adql_token *t, adql_ident *out)
{
	const char *src = p->text + t->pos;
	out->pos = t->pos;
	out->len = t->len;
	out->is_delimited = t->kind == ADQL_TOK_DELIM_IDENT;
	out->name_len = (size_t)t->len;
	char *name = out->is_delimited ? adql_lex_unquote(p->a, src, (size_t)t->len, &out->name_len)
	                               : arena_strndup(p->a, src, (size_t)t->len);
	if (name == NULL) {
		fail_nomem(p);
		return false;
	}
	out->name = name;
	return true;
}

static bool parse_ident(parser *p, adql_ident *out, const char *what)
{
	if (!is_ident_tok(peek_kind(p, 0))) {
		fail_expected(p, what);
		return false;
	}
	adql_token t = next(p);
	return ident_from(p, &t, out);
}

/* An identifier in the arena (for aliases). */
static adql_ident *new_ident(parser *p, const char *what)
{
	adql_ident *id = arena_zalloc(p->a, sizeof *id);
	if (id == NULL)
		return fail_nomem(p);
	return parse_ident(p, id, what) ? id : NULL;
}

/* [AS] alias after a table or select item: AS makes it mandatory; without AS a following identifier
 * is the alias (LIMIT before a number excepted, so that the LIMIT hint can fire).  *out stays NULL
 * when there is none; false on error. */
static bool parse_alias(parser *p, const adql_ident **out, const char *what)
{
	*out = NULL;
	if (accept(p, ADQL_TOK_AS))
		return (*out = new_ident(p, what)) != NULL;
	const adql_token *t = peek(p, 0);
	if (!is_ident_tok(t->kind) ||
	    (t->kind == ADQL_TOK_IDENT && tok_is_word(p, t, "LIMIT") && peek_kind(p, 1) == ADQL_TOK_INTEGER))
		return true;
	p->alias_pos = t->pos;
	return (*out = new_ident(p, what)) != NULL;
}

/* ident { . ident }, at most max_parts (ADQL 2.1 <table_name>, <column_reference>).  Stops before
 * ".*" so that the select list can take it. */
static adql_name *parse_name(parser *p, size_t max_parts, const char *what)
{
	adql_name *name = arena_zalloc(p->a, sizeof *name);
	if (name == NULL)
		return fail_nomem(p);
	long start = peek(p, 0)->pos;
	for (;;) {
		if (!parse_ident(p, &name->parts[name->n_parts], name->n_parts ? "an identifier after '.'" : what))
			return NULL;
		name->n_parts++;
		if (peek_kind(p, 0) != ADQL_TOK_DOT || peek_kind(p, 1) == ADQL_TOK_STAR)
			break;
		if (name->n_parts == max_parts)
			return fail(p, TR_ESYNTAX, start, peek(p, 1)->pos + peek(p, 1)->len - start,
			            "too many parts in a name: at most %zu (%s)", max_parts,
			            max_parts == ADQL_MAX_NAME_PARTS ? "catalog.schema.table.column" : "catalog.schema.table");
		next(p);
	}
	name->pos = start;
	name->len = p->prev_end - start;
	return name;
}

/* ---- expressions ------------------------------------------------------------------------------ */

/* Binding powers, loosest first (SQL-92 and ADQL 2.1 Appendix A: <search_condition> over
 * <boolean_term> over <boolean_factor> over <predicate> over value expressions).  Where the
 * bitwise extension and || sit is our choice: like PostgreSQL, looser than + - and tighter than the
 * comparisons; the tree, not the text, carries the grouping to the translator. */
enum {
	BP_NONE = 0,
	BP_OR,     /* OR */
	BP_AND,    /* AND */
	BP_NOT,    /* prefix NOT */
	BP_PRED,   /* comparisons, BETWEEN, IN, LIKE, ILIKE, IS: non-associative */
	BP_BITOR,  /* | */
	BP_BITXOR, /* ^ */
	BP_BITAND, /* & */
	BP_CONCAT, /* || */
	BP_ADD,    /* + - */
	BP_MUL,    /* * / */
	BP_UNARY   /* prefix - + ~ */
};

static adql_node *parse_bp(parser *p, int min_bp, const char *what);
static adql_node *parse_infix(parser *p, adql_node *left, int min_bp);
static adql_node *parse_query(parser *p, bool is_top);
static adql_node *parse_set_expr(parser *p, adql_node *first);
static adql_node *parse_query_tail(parser *p, long start, adql_list ctes, adql_node *body);
static adql_node *parse_table_ref(parser *p);
static adql_node *parse_join_rest(parser *p, adql_node *left);
static adql_node *make_derived(parser *p, adql_node *query, long start);

static adql_node *need_value(parser *p, adql_node *n)
{
	char buf[QUOTE_BUF];
	if (n == NULL || !adql_node_is_condition(n))
		return n;
	fail(p, TR_ESYNTAX, n->pos, n->len, "expected a value, found the condition '%s'", excerpt(p, n->pos, n->len, buf));
	tr_err_detail(p->err, "a predicate is true or false and cannot be an operand or a value (ADQL 2.1 §2.2.3)");
	return NULL;
}

static adql_node *need_cond(parser *p, adql_node *n)
{
	char buf[QUOTE_BUF];
	if (n == NULL || adql_node_is_condition(n))
		return n;
	fail(p, TR_ESYNTAX, n->pos, n->len, "expected a condition, found '%s'", excerpt(p, n->pos, n->len, buf));
	if (n->kind == ADQL_N_FUNC && (n->func.fn == ADQL_FN_CONTAINS || n->func.fn == ADQL_FN_INTERSECTS))
		tr_err_detail(p->err, "%s returns 0 or 1: compare it, as in %s(...) = 1",
		              adql_func_get(n->func.fn)->name, adql_func_get(n->func.fn)->name);
	else
		tr_err_detail(p->err, "a condition is a comparison or another predicate (ADQL 2.1 §2.2.3)");
	return NULL;
}

static adql_node *parse_value(parser *p, const char *what) { return need_value(p, parse_bp(p, BP_NONE, what)); }
static adql_node *parse_cond(parser *p, const char *what) { return need_cond(p, parse_bp(p, BP_NONE, what)); }

/* ( [value {, value}] ) for a function call; appends to args. */
static bool parse_args(parser *p, nvec *args)
{
	if (!expect(p, ADQL_TOK_LPAREN, NULL))
		return false;
	if (accept(p, ADQL_TOK_RPAREN))
		return true;
	do {
		if (!push(p, args, parse_value(p, "an argument"), ADQL_MAX_ARGS, "function arguments"))
			return false;
	} while (accept(p, ADQL_TOK_COMMA));
	return expect(p, ADQL_TOK_RPAREN, "',' or ')'");
}

/* "1 argument", "2 or 3 arguments", "at least 3 arguments" */
static void arity_text(int min, int max, bool two_or_four, char *buf, size_t size)
{
	if (two_or_four)
		snprintf(buf, size, "2 or 4 arguments");
	else if (max < 0)
		snprintf(buf, size, "at least %d argument%s", min, min == 1 ? "" : "s");
	else if (max == 0)
		snprintf(buf, size, "no arguments");
	else if (min == max)
		snprintf(buf, size, "%d argument%s", min, min == 1 ? "" : "s");
	else
		snprintf(buf, size, "%d or %d arguments", min, max);
}

/* A built-in function call (ADQL 2.1 §2.3, Appendix A <numeric_value_function>,
 * <string_value_function>, <geometry_value_function>, ...): the name is a reserved word. */
static adql_node *parse_builtin(parser *p, adql_func fn)
{
	const adql_func_info *info = adql_func_get(fn);
	long start = next(p).pos;
	nvec args = { 0 };
	if (!parse_args(p, &args))
		return NULL;
	adql_node *coordsys = NULL;
	/* ADQL 2.1 <point>, <circle>, <box>, <polygon>: [ <coord_sys> <comma> ], a string literal;
	 * coordinates are numeric, so a leading string literal can only be the coordinate system.
	 * A leading NULL is one too when the count says so (ADQL 2.0 allowed any string value). */
	bool null_coordsys = args.n > 0 && args.v[0]->kind == ADQL_N_NULL && info->max_args >= 0 &&
	                     (int)args.n > info->max_args;
	if (info->has_coordsys && args.n > 0 && (args.v[0]->kind == ADQL_N_STRING || null_coordsys)) {
		coordsys = args.v[0];
		memmove(args.v, args.v + 1, (args.n - 1) * sizeof *args.v);
		args.n--;
	}
	int n = (int)args.n;
	bool two_or_four = fn == ADQL_FN_DISTANCE; /* <distance_function>: two points or four numbers */
	if (n < info->min_args || (info->max_args >= 0 && n > info->max_args) || (two_or_four && n == 3)) {
		char want[48];
		arity_text(info->min_args, info->max_args, two_or_four, want, sizeof want);
		return fail(p, TR_ESYNTAX, start, p->prev_end - start, "%s takes %s%s, found %d", info->name, want,
		            info->has_coordsys ? " after the optional coordinate system" : "", n);
	}
	return made(p, adql_new_func(p->a, span_from(p, start), fn, coordsys, list_of(&args)));
}

/* COUNT(*) | {COUNT|SUM|AVG|MIN|MAX}([ALL|DISTINCT] value) (ADQL 2.1 <set_function_specification>). */
static adql_node *parse_aggregate(parser *p)
{
	adql_token t = next(p);
	adql_agg fn = t.kind == ADQL_TOK_COUNT ? ADQL_AGG_COUNT : t.kind == ADQL_TOK_SUM ? ADQL_AGG_SUM
	            : t.kind == ADQL_TOK_AVG ? ADQL_AGG_AVG : t.kind == ADQL_TOK_MIN ? ADQL_AGG_MIN : ADQL_AGG_MAX;
	if (!expect(p, ADQL_TOK_LPAREN, NULL))
		return NULL;
	adql_quantifier q = ADQL_Q_NONE;
	adql_node *arg = NULL;
	if (fn == ADQL_AGG_COUNT && accept(p, ADQL_TOK_STAR)) {
		/* COUNT(*): no argument */
	} else {
		q = accept(p, ADQL_TOK_DISTINCT) ? ADQL_Q_DISTINCT : accept(p, ADQL_TOK_ALL) ? ADQL_Q_ALL : ADQL_Q_NONE;
		if ((arg = parse_value(p, "an expression")) == NULL)
			return NULL;
	}
	if (!expect(p, ADQL_TOK_RPAREN, NULL))
		return NULL;
	return made(p, adql_new_aggregate(p->a, span_from(p, t.pos), fn, q, arg));
}

/* CAST(value AS type) (ADQL 2.1 <cast_specification>, <cast_target>). */
static adql_node *parse_cast(parser *p)
{
	static const char types[] = "a type (SMALLINT, INTEGER, BIGINT, REAL, DOUBLE PRECISION, CHAR, VARCHAR, "
	                            "TIMESTAMP, POINT, CIRCLE or POLYGON)";
	long start = next(p).pos;
	adql_node *arg;
	if (!expect(p, ADQL_TOK_LPAREN, NULL) || (arg = parse_value(p, "an expression")) == NULL)
		return NULL;
	if (!accept(p, ADQL_TOK_AS))
		return fail_found(p, "AS");
	adql_cast_type type = { ADQL_CAST_INTEGER, -1 };
	const adql_token *t = peek(p, 0);
	if (t->kind != ADQL_TOK_RESERVED || !adql_cast_lookup(p->text + t->pos, (size_t)t->len, &type.kind))
		return fail_found(p, types);
	next(p);
	if (type.kind == ADQL_CAST_DOUBLE) {
		t = peek(p, 0);
		if (t->kind != ADQL_TOK_RESERVED || !tok_is_word(p, t, "PRECISION"))
			return fail_found(p, "PRECISION after DOUBLE");
		next(p);
	}
	if ((type.kind == ADQL_CAST_CHAR || type.kind == ADQL_CAST_VARCHAR) && accept(p, ADQL_TOK_LPAREN)) {
		t = peek(p, 0);
		if (t->kind != ADQL_TOK_INTEGER)
			return fail_found(p, "a length");
		long n = 0;
		for (long i = 0; i < t->len && n <= ADQL_MAX_CAST_LENGTH; i++)
			n = n * 10 + (p->text[t->pos + i] - '0');
		if (n < 1 || n > ADQL_MAX_CAST_LENGTH)
			return fail(p, TR_ELIMIT, t->pos, t->len, "length must be between 1 and %ld", ADQL_MAX_CAST_LENGTH);
		type.length = n;
		next(p);
		if (!expect(p, ADQL_TOK_RPAREN, NULL))
			return NULL;
	}
	if (!expect(p, ADQL_TOK_RPAREN, NULL))
		return NULL;
	return made(p, adql_new_cast(p->a, span_from(p, start), arg, type));
}

/* CASE [operand] WHEN x THEN r ... [ELSE e] END (SQL-92 §6.9 <case expression>; an extension to the
 * ADQL 2.1 grammar).  A searched CASE takes conditions after WHEN, a simple one values. */
static adql_node *parse_case(parser *p)
{
	long start = next(p).pos;
	adql_node *operand = NULL, *else_result = NULL;
	if (peek_kind(p, 0) != ADQL_TOK_WHEN && (operand = parse_value(p, "an expression or WHEN")) == NULL)
		return NULL;
	nvec whens = { 0 };
	while (peek_kind(p, 0) == ADQL_TOK_WHEN) {
		long wstart = next(p).pos;
		adql_node *cond = operand ? parse_value(p, "an expression") : parse_cond(p, "a condition"), *result;
		if (cond == NULL || !expect(p, ADQL_TOK_THEN, "THEN") || (result = parse_value(p, "an expression")) == NULL)
			return NULL;
		if (!push(p, &whens, made(p, adql_new_when(p->a, span_from(p, wstart), cond, result)), ADQL_MAX_WHENS,
		          "WHEN branches"))
			return NULL;
	}
	if (whens.n == 0)
		return fail_expected(p, "WHEN");
	if (accept(p, ADQL_TOK_ELSE) && (else_result = parse_value(p, "an expression")) == NULL)
		return NULL;
	if (!expect(p, ADQL_TOK_END, whens.n && !else_result ? "WHEN, ELSE or END" : "END"))
		return NULL;
	return made(p, adql_new_case(p->a, span_from(p, start), operand, list_of(&whens), else_result));
}

/* What a parenthesized group turned out to hold. */
typedef enum group_kind { G_QUERY, G_EXPR, G_TABLE } group_kind;
/* Where the group stands: what it may hold. */
typedef enum group_ctx {
	CTX_EXPR,  /* an expression (or a subquery used as one) */
	CTX_TABLE, /* a table reference: a joined table or a derived table's query */
	CTX_QUERY  /* a query only: an operand of UNION / INTERSECT / EXCEPT */
} group_ctx;

static bool group_body(parser *p, group_ctx ctx, group_kind *kind, adql_node **node);

/* ( group ) at the current '('. */
static bool paren_group(parser *p, group_ctx ctx, group_kind *kind, adql_node **node, long *start)
{
	*start = peek(p, 0)->pos;
	if (!expect(p, ADQL_TOK_LPAREN, NULL) || !group_body(p, ctx, kind, node) || !expect(p, ADQL_TOK_RPAREN, "')'"))
		return false;
	/* the group's node spans its parentheses too */
	(*node)->pos = *start;
	(*node)->len = p->prev_end - *start;
	return true;
}

/* [NOT] IN (values...) or [NOT] IN (query); the '(' is current. */
static adql_node *parse_in(parser *p, adql_node *arg, bool is_not)
{
	group_kind kind;
	adql_node *first;
	nvec values = { 0 };
	adql_node *query = NULL;
	if (!expect(p, ADQL_TOK_LPAREN, "'(' after IN") || !group_body(p, CTX_EXPR, &kind, &first))
		return NULL;
	if (kind == G_QUERY) {
		query = first;
	} else {
		if (!push(p, &values, need_value(p, first), ADQL_MAX_IN_ITEMS, "values in IN (...)"))
			return NULL;
		while (accept(p, ADQL_TOK_COMMA))
			if (!push(p, &values, parse_value(p, "a value"), ADQL_MAX_IN_ITEMS, "values in IN (...)"))
				return NULL;
	}
	if (!expect(p, ADQL_TOK_RPAREN, query ? "')'" : "',' or ')'"))
		return NULL;
	return made(p, adql_new_in(p->a, span_from(p, arg->pos), is_not, arg, list_of(&values), query));
}

/* The operand of a prefix operator or the start of any expression. */
static adql_node *parse_primary(parser *p, const char *what)
{
	const adql_token tok = *peek(p, 0), *t = &tok; /* a copy: consuming may recycle the slot */
	long start = t->pos;
	switch (t->kind) {
	case ADQL_TOK_INTEGER:
	case ADQL_TOK_DECIMAL:
	case ADQL_TOK_REAL:
	case ADQL_TOK_HEX: {
		adql_num_kind k = t->kind == ADQL_TOK_INTEGER ? ADQL_NUM_INTEGER : t->kind == ADQL_TOK_DECIMAL ? ADQL_NUM_DECIMAL
		                : t->kind == ADQL_TOK_REAL ? ADQL_NUM_REAL : ADQL_NUM_HEX;
		adql_token num = next(p);
		return made(p, adql_new_number(p->a, span_from(p, start), k, p->text + num.pos, (size_t)num.len));
	}
	case ADQL_TOK_STRING: {
		adql_token s = next(p);
		size_t n;
		char *value = adql_lex_unquote(p->a, p->text + s.pos, (size_t)s.len, &n);
		if (value == NULL)
			return fail_nomem(p);
		if (peek_kind(p, 0) == ADQL_TOK_STRING) {
			const adql_token *s2 = peek(p, 0);
			fail(p, TR_ESYNTAX, s2->pos, s2->len, "adjacent string literals are not concatenated in ADQL; use ||");
			tr_err_detail(p->err, "ADQL-2.0 Erratum 1 removed SQL-92's concatenation of literals separated by "
			                      "white space; ADQL 2.1 follows it");
			return NULL;
		}
		return made(p, adql_new_string(p->a, span_from(p, start), value, n));
	}
	case ADQL_TOK_NULL:
		next(p);
		return made(p, adql_new_null(p->a, span_from(p, start)));
	case ADQL_TOK_LPAREN: {
		group_kind kind;
		adql_node *inner;
		if (!paren_group(p, CTX_EXPR, &kind, &inner, &start))
			return NULL;
		if (kind == G_QUERY)
			return made(p, adql_new_subquery(p->a, span_from(p, start), inner));
		return inner;
	}
	case ADQL_TOK_CASE: return parse_case(p);
	case ADQL_TOK_CAST: return parse_cast(p);
	case ADQL_TOK_EXISTS: {
		group_kind kind;
		adql_node *q;
		next(p);
		if (peek_kind(p, 0) != ADQL_TOK_LPAREN)
			return fail_expected(p, "'(' after EXISTS");
		if (!paren_group(p, CTX_EXPR, &kind, &q, &start))
			return NULL;
		if (kind != G_QUERY) {
			char buf[QUOTE_BUF];
			return fail(p, TR_ESYNTAX, q->pos, q->len, "expected a subquery after EXISTS, found '%s'",
			            excerpt(p, q->pos, q->len, buf));
		}
		return made(p, adql_new_exists(p->a, span_from(p, tok.pos), q));
	}
	case ADQL_TOK_COUNT:
	case ADQL_TOK_SUM:
	case ADQL_TOK_AVG:
	case ADQL_TOK_MIN:
	case ADQL_TOK_MAX:
		if (peek_kind(p, 1) == ADQL_TOK_LPAREN)
			return parse_aggregate(p);
		return fail_reserved(p, t);
	case ADQL_TOK_RESERVED: {
		adql_func fn;
		if (!adql_func_lookup(p->text + t->pos, (size_t)t->len, &fn))
			return fail_reserved(p, t);
		if (peek_kind(p, 1) != ADQL_TOK_LPAREN)
			return fail_reserved(p, t);
		return parse_builtin(p, fn);
	}
	case ADQL_TOK_IDENT:
	case ADQL_TOK_DELIM_IDENT:
		if (peek_kind(p, 1) == ADQL_TOK_LPAREN) {
			/* ADQL 2.1 <user_defined_function_name>: a regular identifier */
			if (t->kind == ADQL_TOK_DELIM_IDENT)
				return fail(p, TR_ESYNTAX, t->pos, t->len, "a function name cannot be a delimited identifier");
			adql_ident name;
			nvec args = { 0 };
			if (!parse_ident(p, &name, "a function name") || !parse_args(p, &args))
				return NULL;
			return made(p, adql_new_udf(p->a, span_from(p, start), &name, list_of(&args)));
		} else {
			adql_name *name = parse_name(p, ADQL_MAX_NAME_PARTS, "a column name");
			if (name == NULL)
				return NULL;
			if (peek_kind(p, 0) == ADQL_TOK_DOT)
				return fail(p, TR_ESYNTAX, start, peek(p, 1)->pos + 1 - start,
				            "'%.*s.*' is only allowed as an item of the select list", (int)name->len,
				            p->text + start);
			if (peek_kind(p, 0) == ADQL_TOK_LPAREN)
				return fail(p, TR_ESYNTAX, start, name->len, "a function name cannot be qualified: '%.*s'",
				            (int)name->len, p->text + start);
			return made(p, adql_new_column(p->a, span_from(p, start), name));
		}
	default: return fail_expected(p, what);
	}
}

/* Prefix operators, then a primary. */
static adql_node *parse_prefix(parser *p, const char *what)
{
	const adql_token *t = peek(p, 0);
	long start = t->pos;
	switch (t->kind) {
	case ADQL_TOK_NOT: {
		next(p);
		adql_node *arg = need_cond(p, parse_bp(p, BP_NOT, "a condition"));
		return arg ? made(p, adql_new_not(p->a, span_from(p, start), arg)) : NULL;
	}
	case ADQL_TOK_MINUS:
	case ADQL_TOK_PLUS:
	case ADQL_TOK_TILDE: {
		adql_unop op = t->kind == ADQL_TOK_MINUS ? ADQL_OP_NEG : t->kind == ADQL_TOK_PLUS ? ADQL_OP_PLUS : ADQL_OP_BITNOT;
		next(p);
		adql_node *arg = need_value(p, parse_bp(p, BP_UNARY, "an expression"));
		return arg ? made(p, adql_new_unary(p->a, span_from(p, start), op, arg)) : NULL;
	}
	default: return parse_primary(p, what);
	}
}

/* The binding power of the current token as an infix operator, BP_NONE if it is none. */
static int infix_bp(parser *p)
{
	switch (peek_kind(p, 0)) {
	case ADQL_TOK_OR: return BP_OR;
	case ADQL_TOK_AND: return BP_AND;
	case ADQL_TOK_EQ:
	case ADQL_TOK_NE:
	case ADQL_TOK_LT:
	case ADQL_TOK_GT:
	case ADQL_TOK_LE:
	case ADQL_TOK_GE:
	case ADQL_TOK_BETWEEN:
	case ADQL_TOK_IN:
	case ADQL_TOK_LIKE:
	case ADQL_TOK_ILIKE:
	case ADQL_TOK_IS: return BP_PRED;
	case ADQL_TOK_NOT: /* x NOT BETWEEN | IN | LIKE | ILIKE; parse_predicate() checks which */
		return BP_PRED;
	case ADQL_TOK_PIPE: return BP_BITOR;
	case ADQL_TOK_CARET: return BP_BITXOR;
	case ADQL_TOK_AMP: return BP_BITAND;
	case ADQL_TOK_CONCAT: return BP_CONCAT;
	case ADQL_TOK_PLUS:
	case ADQL_TOK_MINUS: return BP_ADD;
	case ADQL_TOK_STAR:
	case ADQL_TOK_SLASH: return BP_MUL;
	default: return BP_NONE;
	}
}

/* left AND right AND ... (or OR): one node for the whole chain. */
static adql_node *parse_logic(parser *p, adql_node *left, int bp)
{
	adql_tok op = bp == BP_OR ? ADQL_TOK_OR : ADQL_TOK_AND;
	nvec args = { 0 };
	if (!push(p, &args, need_cond(p, left), ADQL_MAX_BOOL_OPERANDS, "AND / OR operands"))
		return NULL;
	while (accept(p, op))
		if (!push(p, &args, need_cond(p, parse_bp(p, bp, "a condition")), ADQL_MAX_BOOL_OPERANDS,
		          "AND / OR operands"))
			return NULL;
	adql_span sp = span_from(p, left->pos);
	return made(p, bp == BP_OR ? adql_new_or(p->a, sp, list_of(&args)) : adql_new_and(p->a, sp, list_of(&args)));
}

/* left <comparison | [NOT] BETWEEN | [NOT] IN | [NOT] LIKE | [NOT] ILIKE | IS [NOT] NULL> ... */
static adql_node *parse_predicate(parser *p, adql_node *left)
{
	if (need_value(p, left) == NULL)
		return NULL;
	bool is_not = accept(p, ADQL_TOK_NOT);
	adql_tok k = peek_kind(p, 0);
	if (is_not && k != ADQL_TOK_BETWEEN && k != ADQL_TOK_IN && k != ADQL_TOK_LIKE && k != ADQL_TOK_ILIKE)
		return fail_found(p, "BETWEEN, IN, LIKE or ILIKE after NOT");
	adql_token op = next(p);
	adql_node *a, *b;
	switch (op.kind) {
	case ADQL_TOK_BETWEEN:
		if ((a = need_value(p, parse_bp(p, BP_PRED, "an expression"))) == NULL || !expect(p, ADQL_TOK_AND, "AND") ||
		    (b = need_value(p, parse_bp(p, BP_PRED, "an expression"))) == NULL)
			return NULL;
		return made(p, adql_new_between(p->a, span_from(p, left->pos), is_not, left, a, b));
	case ADQL_TOK_IN: return parse_in(p, left, is_not);
	case ADQL_TOK_LIKE:
	case ADQL_TOK_ILIKE:
		if ((a = need_value(p, parse_bp(p, BP_PRED, "a pattern"))) == NULL)
			return NULL;
		return made(p, adql_new_like(p->a, span_from(p, left->pos), is_not, op.kind == ADQL_TOK_ILIKE, left, a));
	case ADQL_TOK_IS:
		is_not = accept(p, ADQL_TOK_NOT);
		if (!expect(p, ADQL_TOK_NULL, is_not ? "NULL" : "NULL or NOT NULL"))
			return NULL;
		return made(p, adql_new_is_null(p->a, span_from(p, left->pos), is_not, left));
	default: {
		adql_cmp cmp = op.kind == ADQL_TOK_EQ ? ADQL_CMP_EQ : op.kind == ADQL_TOK_NE ? ADQL_CMP_NE
		             : op.kind == ADQL_TOK_LT ? ADQL_CMP_LT : op.kind == ADQL_TOK_GT ? ADQL_CMP_GT
		             : op.kind == ADQL_TOK_LE ? ADQL_CMP_LE : ADQL_CMP_GE;
		if ((a = need_value(p, parse_bp(p, BP_PRED, "an expression"))) == NULL)
			return NULL;
		return made(p, adql_new_compare(p->a, span_from(p, left->pos), cmp, left, a));
	}
	}
}

/* left op right for the arithmetic, concatenation and bitwise operators (left-associative). */
static adql_node *parse_binary(parser *p, adql_node *left, int bp)
{
	if (need_value(p, left) == NULL)
		return NULL;
	adql_token op = next(p);
	adql_binop bop;
	switch (op.kind) {
	case ADQL_TOK_PLUS: bop = ADQL_OP_ADD; break;
	case ADQL_TOK_MINUS: bop = ADQL_OP_SUB; break;
	case ADQL_TOK_STAR: bop = ADQL_OP_MUL; break;
	case ADQL_TOK_SLASH: bop = ADQL_OP_DIV; break;
	case ADQL_TOK_CONCAT: bop = ADQL_OP_CONCAT; break;
	case ADQL_TOK_AMP: bop = ADQL_OP_BITAND; break;
	case ADQL_TOK_PIPE: bop = ADQL_OP_BITOR; break;
	default: bop = ADQL_OP_BITXOR; break;
	}
	adql_node *right = need_value(p, parse_bp(p, bp, "an expression"));
	return right ? made(p, adql_new_binary(p->a, span_from(p, left->pos), bop, left, right)) : NULL;
}

/* Continues an expression whose first operand is parsed: every infix operator binding tighter than
 * min_bp. */
static adql_node *parse_infix(parser *p, adql_node *left, int min_bp)
{
	for (;;) {
		int bp = infix_bp(p);
		if (left == NULL || bp <= min_bp)
			return left;
		if (bp == BP_OR || bp == BP_AND)
			left = parse_logic(p, left, bp);
		else if (bp == BP_PRED)
			left = parse_predicate(p, left);
		else
			left = parse_binary(p, left, bp);
	}
}

/* An expression of operators binding tighter than min_bp; what names it in "expected ..." errors. */
static adql_node *parse_bp(parser *p, int min_bp, const char *what)
{
	if (!enter(p))
		return NULL;
	adql_node *n = parse_infix(p, parse_prefix(p, what), min_bp);
	leave(p);
	return n;
}

/* ---- parenthesized groups --------------------------------------------------------------------- */

static bool is_query_continuation(adql_tok k)
{
	return k == ADQL_TOK_UNION || k == ADQL_TOK_INTERSECT || k == ADQL_TOK_EXCEPT || k == ADQL_TOK_ORDER ||
	       k == ADQL_TOK_OFFSET;
}

/* After a parenthesized inner group: what follows decides what the enclosing group holds.
 *   (q) UNION ...  -> the group is a query with (q) as first operand
 *   (q) )          -> still a query
 *   (q) AS x ...   -> (table context) a derived table, maybe joined further
 *   (q) + 1 ...    -> (expression context) a scalar subquery in an expression
 *   (e) ...        -> an expression continued; (t) ... -> a joined table continued */
static bool group_continue(parser *p, group_ctx ctx, long lpar, group_kind *kind, adql_node **node)
{
	adql_node *n = *node;
	if (*kind == G_QUERY) {
		if (is_query_continuation(peek_kind(p, 0))) {
			n = parse_query_tail(p, lpar, (adql_list){ NULL, 0 }, parse_set_expr(p, n));
		} else if (peek_kind(p, 0) == ADQL_TOK_RPAREN || ctx == CTX_QUERY) {
			/* the enclosing group ends here, or reports what it expected */
		} else if (ctx == CTX_TABLE) {
			*kind = G_TABLE;
			n = parse_join_rest(p, make_derived(p, n, lpar));
		} else {
			*kind = G_EXPR;
			n = parse_infix(p, made(p, adql_new_subquery(p->a, span_from(p, lpar), n)), BP_NONE);
		}
	} else if (*kind == G_TABLE) {
		n = parse_join_rest(p, n);
	} else {
		n = parse_infix(p, n, BP_NONE);
	}
	*node = n;
	return n != NULL;
}

/* The inside of a parenthesized group, after its '(' and up to (not including) its ')'.  A group
 * starting with SELECT is a query; one starting with '(' is decided by what follows the inner group
 * (group_continue); anything else is an expression or, in a FROM clause, a joined table. */
static bool group_body(parser *p, group_ctx ctx, group_kind *kind, adql_node **node)
{
	bool ok = false;
	if (!enter(p))
		return false;
	switch (peek_kind(p, 0)) {
	case ADQL_TOK_SELECT:
		*kind = G_QUERY;
		ok = (*node = parse_query(p, false)) != NULL;
		break;
	case ADQL_TOK_WITH: {
		const adql_token *t = peek(p, 0);
		fail(p, TR_ESYNTAX, t->pos, t->len, "WITH is only allowed at the start of the whole query");
		tr_err_detail(p->err, "ADQL 2.1 Appendix A: <with_clause> belongs to <query_specification> only");
		break;
	}
	case ADQL_TOK_LPAREN: {
		long lpar;
		ok = paren_group(p, ctx, kind, node, &lpar) && group_continue(p, ctx, lpar, kind, node);
		break;
	}
	default:
		if (ctx == CTX_QUERY) {
			fail_expected(p, "SELECT");
		} else if (ctx == CTX_TABLE) {
			*kind = G_TABLE;
			ok = (*node = parse_table_ref(p)) != NULL;
		} else {
			*kind = G_EXPR;
			ok = (*node = parse_bp(p, BP_NONE, "an expression")) != NULL;
		}
		break;
	}
	leave(p);
	return ok;
}

/* ---- table references ------------------------------------------------------------------------- */

static bool count_table(parser *p, const adql_node *t)
{
	if (t == NULL)
		return false;
	if (++p->n_tables <= ADQL_MAX_JOIN_TABLES)
		return true;
	fail(p, TR_ELIMIT, t->pos, t->len, "too many tables in one FROM clause (the limit is %d)", ADQL_MAX_JOIN_TABLES);
	return false;
}

/* (query) [AS] alias: ADQL 2.1 <derived_table> <correlation_specification>, the alias mandatory. */
static adql_node *make_derived(parser *p, adql_node *query, long start)
{
	const adql_ident *alias;
	if (query == NULL)
		return NULL;
	if (!parse_alias(p, &alias, "an alias for the subquery"))
		return NULL;
	if (alias == NULL) {
		fail_expected(p, "an alias for the subquery");
		tr_err_detail(p->err, "a subquery in FROM needs a name: (SELECT ...) AS name (ADQL 2.1 <derived_table>)");
		return NULL;
	}
	adql_node *d = made(p, adql_new_derived(p->a, span_from(p, start), query, alias));
	return count_table(p, d) ? d : NULL;
}

/* A table name with its alias, a derived table, or a joined table in parentheses. */
static adql_node *parse_table_primary(parser *p)
{
	long start = peek(p, 0)->pos;
	if (peek_kind(p, 0) == ADQL_TOK_LPAREN) {
		group_kind kind;
		adql_node *inner;
		if (!paren_group(p, CTX_TABLE, &kind, &inner, &start))
			return NULL;
		return kind == G_QUERY ? make_derived(p, inner, start) : inner;
	}
	const adql_ident *alias;
	adql_name *name = parse_name(p, ADQL_MAX_NAME_PARTS - 1, "a table name");
	if (name == NULL || !parse_alias(p, &alias, "an alias after AS"))
		return NULL;
	adql_node *t = made(p, adql_new_table(p->a, span_from(p, start), name, alias));
	return count_table(p, t) ? t : NULL;
}

/* USING (column, ...) (ADQL 2.1 <named_columns_join>). */
static bool parse_using(parser *p, adql_ident **out_cols, size_t *out_n)
{
	adql_ident *cols = arena_calloc(p->a, ADQL_MAX_KEY_TERMS, sizeof *cols);
	size_t n = 0;
	if (cols == NULL) {
		fail_nomem(p);
		return false;
	}
	if (!expect(p, ADQL_TOK_LPAREN, "'(' after USING"))
		return false;
	do {
		if (n == ADQL_MAX_KEY_TERMS) {
			const adql_token *t = peek(p, 0);
			fail(p, TR_ELIMIT, t->pos, t->len, "too many USING columns (the limit is %d)", ADQL_MAX_KEY_TERMS);
			return false;
		}
		if (!parse_ident(p, &cols[n++], "a column name"))
			return false;
	} while (accept(p, ADQL_TOK_COMMA));
	*out_cols = cols;
	*out_n = n;
	return expect(p, ADQL_TOK_RPAREN, "',' or ')'");
}

/* { [NATURAL] [INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER]] JOIN primary [ON c | USING (...)]
 *   | CROSS JOIN primary } after a table reference (ADQL 2.1 §2.2.2, <qualified_join>; CROSS JOIN is
 * SQL-92).  Joins associate left. */
static adql_node *parse_join_rest(parser *p, adql_node *left)
{
	while (left != NULL) {
		adql_join_kind type = ADQL_JOIN_INNER;
		bool natural = false;
		const adql_token *t = peek(p, 0);
		switch (t->kind) {
		case ADQL_TOK_CROSS: type = ADQL_JOIN_CROSS; break;
		case ADQL_TOK_NATURAL: natural = true; break;
		case ADQL_TOK_INNER:
		case ADQL_TOK_JOIN: break;
		case ADQL_TOK_LEFT: type = ADQL_JOIN_LEFT; break;
		case ADQL_TOK_RIGHT: type = ADQL_JOIN_RIGHT; break;
		case ADQL_TOK_FULL: type = ADQL_JOIN_FULL; break;
		default: return left;
		}
		if (natural) {
			next(p);
			t = peek(p, 0);
			type = t->kind == ADQL_TOK_LEFT ? ADQL_JOIN_LEFT : t->kind == ADQL_TOK_RIGHT ? ADQL_JOIN_RIGHT
			     : t->kind == ADQL_TOK_FULL ? ADQL_JOIN_FULL : ADQL_JOIN_INNER;
		}
		switch (t->kind) {
		case ADQL_TOK_LEFT:
		case ADQL_TOK_RIGHT:
		case ADQL_TOK_FULL:
			next(p);
			accept(p, ADQL_TOK_OUTER);
			break;
		case ADQL_TOK_INNER: next(p); break;
		case ADQL_TOK_CROSS:
			if (!natural) /* NATURAL CROSS JOIN is no join type: JOIN is expected */
				next(p);
			break;
		default: break;
		}
		if (!expect(p, ADQL_TOK_JOIN, "JOIN"))
			return NULL;
		adql_node *right = parse_table_primary(p), *on = NULL;
		adql_ident *using_cols = NULL;
		size_t n_using = 0;
		if (right == NULL)
			return NULL;
		t = peek(p, 0);
		if ((t->kind == ADQL_TOK_ON || t->kind == ADQL_TOK_USING) && (natural || type == ADQL_JOIN_CROSS)) {
			fail(p, TR_ESYNTAX, t->pos, t->len, "a %s join cannot have %s", natural ? "NATURAL" : "CROSS",
			     t->kind == ADQL_TOK_ON ? "ON" : "USING");
			tr_err_detail(p->err, "%s", natural ? "NATURAL joins on the columns the tables share" : "CROSS JOIN pairs every row with every row");
			return NULL;
		}
		if (accept(p, ADQL_TOK_ON)) {
			if ((on = parse_cond(p, "a join condition")) == NULL)
				return NULL;
		} else if (accept(p, ADQL_TOK_USING)) {
			if (!parse_using(p, &using_cols, &n_using))
				return NULL;
		}
		left = made(p, adql_new_join(p->a, span_from(p, left->pos), type, natural, left, right, on, using_cols,
		                             n_using));
	}
	return NULL;
}

static adql_node *parse_table_ref(parser *p) { return parse_join_rest(p, parse_table_primary(p)); }

/* ---- queries ---------------------------------------------------------------------------------- */

/* An unsigned integer literal after TOP or OFFSET (ADQL 2.1 <set_limit>, <offset_clause>). */
static adql_node *parse_count(parser *p, const char *after)
{
	char what[48];
	const adql_token *t = peek(p, 0);
	if (t->kind != ADQL_TOK_INTEGER) {
		snprintf(what, sizeof what, "an unsigned integer after %s", after);
		return fail_expected(p, what);
	}
	adql_token n = next(p);
	adql_node *num = made(p, adql_new_number(p->a, span_from(p, n.pos), ADQL_NUM_INTEGER, p->text + n.pos, (size_t)n.len));
	if (num && !num->number.fits_u64)
		return fail(p, TR_ELIMIT, n.pos, n.len, "%s value too large", after);
	return num;
}

/* A select-list item: qualifier.* or value [[AS] alias].  "t.*" is recognized by looking ahead over
 * ident . ident ... . * */
static adql_node *parse_select_item(parser *p)
{
	long start = peek(p, 0)->pos;
	size_t k = 0;
	while (k < 2 * (ADQL_MAX_NAME_PARTS - 1) && is_ident_tok(peek_kind(p, k)) && peek_kind(p, k + 1) == ADQL_TOK_DOT) {
		if (peek_kind(p, k + 2) == ADQL_TOK_STAR) {
			adql_name *q = parse_name(p, ADQL_MAX_NAME_PARTS - 1, "a table name");
			if (q == NULL || !expect(p, ADQL_TOK_DOT, NULL) || !expect(p, ADQL_TOK_STAR, NULL))
				return NULL;
			return made(p, adql_new_star(p->a, span_from(p, start), q));
		}
		k += 2;
	}
	const adql_ident *alias;
	adql_node *e = parse_value(p, "an expression");
	if (e == NULL || !parse_alias(p, &alias, "an alias after AS"))
		return NULL;
	return made(p, adql_new_item(p->a, span_from(p, start), e, alias));
}

/* The table references after FROM, separated by commas (ADQL 2.1 <from_clause>). */
static bool parse_from(parser *p, nvec *from)
{
	size_t saved = p->n_tables;
	bool ok = true;
	p->n_tables = 0;
	do
		ok = push(p, from, parse_table_ref(p), ADQL_MAX_JOIN_TABLES, "tables in FROM");
	while (ok && accept(p, ADQL_TOK_COMMA));
	p->n_tables = saved;
	return ok;
}

/* A term list: GROUP BY value, ... */
static bool parse_values(parser *p, nvec *out, const char *what)
{
	do
		if (!push(p, out, parse_value(p, "an expression"), ADQL_MAX_KEY_TERMS, what))
			return false;
	while (accept(p, ADQL_TOK_COMMA));
	return true;
}

/* SELECT [ALL|DISTINCT] [TOP n] items FROM ... [WHERE] [GROUP BY] [HAVING] (ADQL 2.1 <select_query>). */
static adql_node *parse_select(parser *p)
{
	long start = peek(p, 0)->pos;
	adql_quantifier q = ADQL_Q_NONE;
	adql_node *top = NULL, *where = NULL, *having = NULL;
	nvec items = { 0 }, from = { 0 }, group_by = { 0 };
	if (!expect(p, ADQL_TOK_SELECT, "SELECT"))
		return NULL;
	if (accept(p, ADQL_TOK_DISTINCT))
		q = ADQL_Q_DISTINCT;
	else if (accept(p, ADQL_TOK_ALL))
		q = ADQL_Q_ALL;
	if (accept(p, ADQL_TOK_TOP) && (top = parse_count(p, "TOP")) == NULL)
		return NULL;
	if (peek_kind(p, 0) == ADQL_TOK_STAR) {
		/* ADQL 2.1 <select_list>: * alone, or a list without a bare * */
		adql_token star = next(p);
		if (!push(p, &items, made(p, adql_new_star(p->a, span_from(p, star.pos), NULL)), 1, "select-list items"))
			return NULL;
		if (peek_kind(p, 0) == ADQL_TOK_COMMA)
			return fail(p, TR_ESYNTAX, star.pos, 1, "'*' must be the only item of the select list; write t.* to "
			                                        "combine all columns of a table with other items");
		if (!expect(p, ADQL_TOK_FROM, "FROM"))
			return NULL;
	} else {
		do
			if (!push(p, &items, parse_select_item(p), ADQL_MAX_SELECT_ITEMS, "select-list items"))
				return NULL;
		while (accept(p, ADQL_TOK_COMMA));
		if (!expect(p, ADQL_TOK_FROM, "',' or FROM"))
			return NULL;
	}
	if (!parse_from(p, &from))
		return NULL;
	if (accept(p, ADQL_TOK_WHERE) && (where = parse_cond(p, "a condition")) == NULL)
		return NULL;
	if (accept(p, ADQL_TOK_GROUP) && (!expect(p, ADQL_TOK_BY, "BY") || !parse_values(p, &group_by, "GROUP BY terms")))
		return NULL;
	if (accept(p, ADQL_TOK_HAVING) && (having = parse_cond(p, "a condition")) == NULL)
		return NULL;
	return made(p, adql_new_select(p->a, span_from(p, start), q, top, list_of(&items), list_of(&from), where,
	                               list_of(&group_by), having));
}

/* A query specification or a parenthesized query (ADQL 2.1 <query_set_primary>). */
static adql_node *parse_set_primary(parser *p)
{
	if (peek_kind(p, 0) != ADQL_TOK_LPAREN)
		return parse_select(p);
	group_kind kind;
	adql_node *q;
	long start;
	return paren_group(p, CTX_QUERY, &kind, &q, &start) ? q : NULL;
}

/* Consumes a set operator and its ALL, counting the operands of the query expression. */
static bool take_set_op(parser *p, size_t *n_operands, bool *is_all)
{
	adql_token t = next(p);
	*is_all = accept(p, ADQL_TOK_ALL);
	if (++*n_operands <= ADQL_MAX_SET_OPERANDS)
		return true;
	fail(p, TR_ELIMIT, t.pos, t.len, "too many queries combined by UNION, INTERSECT or EXCEPT (the limit is %d)",
	     ADQL_MAX_SET_OPERANDS);
	return false;
}

/* primary { INTERSECT [ALL] primary } (ADQL 2.1 <query_set_term>); first, if given, is the first
 * primary, already parsed. */
static adql_node *parse_set_term(parser *p, adql_node *first, size_t *n_operands)
{
	adql_node *left = first ? first : parse_set_primary(p);
	bool is_all;
	while (left && peek_kind(p, 0) == ADQL_TOK_INTERSECT) {
		adql_node *right = take_set_op(p, n_operands, &is_all) ? parse_set_primary(p) : NULL;
		left = right ? made(p, adql_new_setop(p->a, span_from(p, left->pos), ADQL_SET_INTERSECT, is_all, left, right))
		             : NULL;
	}
	return left;
}

/* term { UNION | EXCEPT [ALL] term } (ADQL 2.1 <query_set_expression>): INTERSECT binds tighter
 * (SQL-92 §7.10), UNION and EXCEPT associate left. */
static adql_node *parse_set_expr(parser *p, adql_node *first)
{
	size_t n_operands = 1;
	adql_node *left = parse_set_term(p, first, &n_operands);
	bool is_all;
	while (left && (peek_kind(p, 0) == ADQL_TOK_UNION || peek_kind(p, 0) == ADQL_TOK_EXCEPT)) {
		adql_setop_kind op = peek_kind(p, 0) == ADQL_TOK_UNION ? ADQL_SET_UNION : ADQL_SET_EXCEPT;
		adql_node *right = take_set_op(p, &n_operands, &is_all) ? parse_set_term(p, NULL, &n_operands) : NULL;
		left = right ? made(p, adql_new_setop(p->a, span_from(p, left->pos), op, is_all, left, right)) : NULL;
	}
	return left;
}

/* [ORDER BY term {, term}] [OFFSET n] after the body, making the query node. */
static adql_node *parse_query_tail(parser *p, long start, adql_list ctes, adql_node *body)
{
	nvec order = { 0 };
	adql_node *offset = NULL;
	if (body == NULL)
		return NULL;
	if (accept(p, ADQL_TOK_ORDER)) {
		if (!expect(p, ADQL_TOK_BY, "BY"))
			return NULL;
		do {
			long tstart = peek(p, 0)->pos;
			adql_node *e = parse_value(p, "an expression");
			if (e == NULL)
				return NULL;
			bool desc = accept(p, ADQL_TOK_DESC);
			if (!desc)
				accept(p, ADQL_TOK_ASC);
			if (!push(p, &order, made(p, adql_new_order(p->a, span_from(p, tstart), e, desc)), ADQL_MAX_KEY_TERMS,
			          "ORDER BY terms"))
				return NULL;
		} while (accept(p, ADQL_TOK_COMMA));
	}
	if (accept(p, ADQL_TOK_OFFSET) && (offset = parse_count(p, "OFFSET")) == NULL)
		return NULL;
	return made(p, adql_new_query(p->a, span_from(p, start), ctes, body, list_of(&order), offset));
}

/* WITH name AS (query) {, name AS (query)} (ADQL 2.1 <with_clause>). */
static bool parse_with(parser *p, nvec *ctes)
{
	do {
		long start = peek(p, 0)->pos;
		adql_ident name;
		adql_node *q;
		if (!parse_ident(p, &name, "a name for the WITH query") || !expect(p, ADQL_TOK_AS, "AS") ||
		    !expect(p, ADQL_TOK_LPAREN, "'('") || (q = parse_query(p, false)) == NULL ||
		    !expect(p, ADQL_TOK_RPAREN, "')'"))
			return false;
		if (!push(p, ctes, made(p, adql_new_cte(p->a, span_from(p, start), &name, q)), ADQL_MAX_CTES,
		          "WITH queries"))
			return false;
	} while (accept(p, ADQL_TOK_COMMA));
	return true;
}

/* [WITH ...] set expression [ORDER BY ...] [OFFSET n] (ADQL 2.1 <query_specification>,
 * <select_expression>); WITH only when is_top. */
static adql_node *parse_query(parser *p, bool is_top)
{
	long start = peek(p, 0)->pos;
	nvec ctes = { 0 };
	adql_node *q = NULL;
	if (!enter(p))
		return NULL;
	if (is_top && accept(p, ADQL_TOK_WITH) && !parse_with(p, &ctes)) {
		leave(p);
		return NULL;
	}
	if (ctes.n == 0 && peek_kind(p, 0) != ADQL_TOK_SELECT && peek_kind(p, 0) != ADQL_TOK_LPAREN) {
		fail_found(p, is_top ? "SELECT or WITH" : "SELECT");
		tr_err_detail(p->err, "an ADQL query is a SELECT statement, nothing else (ADQL 2.1 §2.2)");
	} else
		q = parse_query_tail(p, start, list_of(&ctes), parse_set_expr(p, NULL));
	leave(p);
	return q;
}

/* ---- entry points ----------------------------------------------------------------------------- */

adql_query *adql_parse(arena *a, const char *text, size_t len, const adql_parse_opts *opts, tr_err *err)
{
	tr_err local = TR_ERR_INIT;
	if (err == NULL)
		err = &local;
	assert(text != NULL || len == 0);
	if (text == NULL)
		text = "";
	if (adql_lex_check_text(text, len, err) != TR_OK)
		return NULL;
	parser p = { 0 };
	p.a = a;
	p.err = err;
	p.len = len;
	p.alias_pos = -1;
	p.prev_pos = -1;
	char *copy = arena_strndup(a, text, len);
	adql_query *q = arena_zalloc(a, sizeof *q);
	if (copy == NULL || q == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory while parsing the query");
		return NULL;
	}
	p.text = copy;
	adql_lex_init(&p.lx, copy, len, opts ? opts->extensions : 0);

	adql_node *root = parse_query(&p, true);
	if (root != NULL) {
		accept(&p, ADQL_TOK_SEMICOLON); /* a trailing ';' is tolerated; nothing may follow it */
		if (peek_kind(&p, 0) != ADQL_TOK_EOF && !fail_misspelt_alias(&p))
			fail_found(&p, "end of input");
	}
	if (p.failed || root == NULL) {
		if (!tr_err_isset(err))
			tr_err_set(err, TR_EINTERNAL, -1, 0, "parser failed without a message");
		return NULL;
	}
	q->root = root;
	q->text = copy;
	q->text_len = len;
	q->n_nodes = p.n_nodes;
	return q;
}

void adql_format_error(strbuf *sb, const char *query, const tr_err *err)
{
	if (err->pos >= 0) {
		int line, col;
		tr_err_linecol(query, (size_t)err->pos, &line, &col);
		strbuf_printf(sb, "line %d, column %d: ", line, col);
	}
	strbuf_puts(sb, err->msg);
}

void adql_format_excerpt(strbuf *sb, const char *query, size_t len, const tr_err *err)
{
	if (err->pos < 0 || (size_t)err->pos > len)
		return;
	size_t pos = (size_t)err->pos, start = pos, end = pos;
	while (start > 0 && query[start - 1] != '\n')
		start--;
	while (end < len && query[end] != '\n')
		end++;
	strbuf_add(sb, query + start, end - start);
	strbuf_putc(sb, '\n');
	/* the caret line repeats tabs so it lines up; one space per character otherwise */
	for (size_t i = start; i < pos; i++)
		if (((unsigned char)query[i] & 0xC0) != 0x80)
			strbuf_putc(sb, query[i] == '\t' ? '\t' : ' ');
	size_t stop = pos + (err->len > 0 ? (size_t)err->len : 0), carets = 0;
	for (size_t i = pos; i < stop && i < end; i++)
		if (((unsigned char)query[i] & 0xC0) != 0x80)
			carets++;
	for (size_t i = 0; i < (carets ? carets : 1); i++)
		strbuf_putc(sb, '^');
	strbuf_putc(sb, '\n');
}
