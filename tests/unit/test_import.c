/* test_import: the parts of taproom-import that need no database: names (validation, quoting, ADQL
 * delimiting), VOTable -> MariaDB type mapping and literals, MariaDB -> VOTable types and the
 * compatibility rules of taproom-admin check (src/votable/sqlmap.h), the CSV reader and its type
 * inference (src/votable/csv.h, fed whole and one byte at a time), and the pure helpers of
 * src/tap/publish.h (keys and position columns by UCD, the DDL statement splitter). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tap/publish.h"
#include "util/arena.h"
#include "util/strbuf.h"
#include "votable/csv.h"
#include "votable/sqlmap.h"
#include "votable/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- names ---------------------------------------------------------------------------------- */

static void test_identifiers(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool ok;
		const char *why;
	} cases[] = {
		{ "ra", true, NULL },
		{ "RA_J2000", true, NULL },
		{ "a1_b2", true, NULL },
		{ "x", true, NULL },
		{ "", false, "an empty name" },
		{ "1ra", false, "does not start with a letter" },
		{ "_ra", false, "does not start with a letter" },
		{ "ra dec", false, "other than letters, digits and '_'" },
		{ "ra-dec", false, "other than letters" },
		{ "x`; DROP TABLE t; --", false, "other than letters" },
		{ "caf\xc3\xa9", false, "other than letters" },
		{ "a\"b", false, "other than letters" },
		{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd", true, NULL }, /* 64 */
		{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcde", false, "longer than 64" },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		char why[VOT_WHY_MAX] = "";
		bool ok = vot_sql_ident_check(cases[i].name, why);
		if (ok != cases[i].ok || (!ok && strstr(why, cases[i].why) == NULL))
			fail_msg("\"%s\": %d \"%s\"", cases[i].name, ok, why);
	}
}

static void test_quoting(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT(0);
	vot_sql_quote_ident(&sb, "a`b");
	strbuf_putc(&sb, ' ');
	vot_sql_add_string(&sb, "it's a \\ \n\r\032 \"x\"", strlen("it's a \\ \n\r\032 \"x\""));
	strbuf_putc(&sb, ' ');
	vot_sql_add_string(&sb, "nul\0byte", 8);
	strbuf_putc(&sb, ' ');
	vot_sql_add_string(&sb, "", 0);
	assert_string_equal(strbuf_str(&sb), "`a``b` 'it\\'s a \\\\ \\n\\r\\Z \"x\"' 'nul\\0byte' ''");
	strbuf_free(&sb);

	arena *a = arena_create(0, 0);
	static const struct {
		const char *in, *out;
	} names[] = {
		{ "ra", "ra" },           { "dec", "dec" },           /* DEC is not ADQL-reserved */
		{ "size", "\"size\"" },   { "SELECT", "\"SELECT\"" }, /* reserved words are delimited */
		{ "catalog", "\"catalog\"" }, { "distance", "\"distance\"" },
		{ "Mixed", "Mixed" },     { "has space", "\"has space\"" }, { "q\"uote", "\"q\"\"uote\"" },
	};
	for (size_t i = 0; i < N_OF(names); i++)
		assert_string_equal(publish_adql_name(a, names[i].in), names[i].out);
	assert_string_equal(publish_table_name(a, "demo", "sources"), "demo.sources");
	assert_string_equal(publish_table_name(a, "demo", "catalog"), "demo.\"catalog\"");
	const char *user, *host;
	publish_split_account(a, "taproom@localhost", &user, &host);
	assert_string_equal(user, "taproom");
	assert_string_equal(host, "localhost");
	publish_split_account(a, "taproom", &user, &host);
	assert_string_equal(user, "taproom");
	assert_null(host);
	arena_destroy(a);
}

/* ---- VOTable -> SQL ------------------------------------------------------------------------- */

static vot_field make_field(const char *datatype, const char *arraysize, const char *xtype)
{
	vot_field f;
	memset(&f, 0, sizeof f);
	f.name = "x";
	assert_true(vot_datatype_from_name(datatype, &f.datatype));
	f.arraysize = arraysize;
	f.xtype = xtype;
	assert_true(vot_shape_parse(arraysize, &f.shape));
	return f;
}

static void test_column_types(void **state)
{
	(void)state;
	static const struct {
		const char *dt, *as, *xtype;
		bool key;
		int rc;
		const char *type;
		vot_sql_kind kind;
	} cases[] = {
		{ "boolean", NULL, NULL, false, TR_OK, "BOOLEAN", VOT_SQL_INTEGER },
		{ "bit", NULL, NULL, false, TR_OK, "BIT(1)", VOT_SQL_BITS },
		{ "bit", "12", NULL, false, TR_OK, "BIT(12)", VOT_SQL_BITS },
		{ "bit", "64", NULL, false, TR_OK, "BIT(64)", VOT_SQL_BITS },
		{ "bit", "65", NULL, false, TR_OK, "VARCHAR(65)", VOT_SQL_ARRAY_TEXT },
		{ "bit", "*", NULL, false, TR_OK, "LONGTEXT", VOT_SQL_ARRAY_TEXT },
		{ "unsignedByte", NULL, NULL, false, TR_OK, "TINYINT UNSIGNED", VOT_SQL_INTEGER },
		{ "unsignedByte", "16", NULL, false, TR_OK, "VARBINARY(16)", VOT_SQL_BINARY },
		{ "unsignedByte", "1000*", NULL, false, TR_OK, "BLOB", VOT_SQL_BINARY },
		{ "unsignedByte", "*", NULL, false, TR_OK, "LONGBLOB", VOT_SQL_BINARY },
		{ "short", NULL, NULL, false, TR_OK, "SMALLINT", VOT_SQL_INTEGER },
		{ "int", NULL, NULL, true, TR_OK, "INT", VOT_SQL_INTEGER },
		{ "long", NULL, NULL, true, TR_OK, "BIGINT", VOT_SQL_INTEGER },
		{ "float", NULL, NULL, false, TR_OK, "FLOAT", VOT_SQL_REAL },
		{ "double", NULL, NULL, false, TR_OK, "DOUBLE", VOT_SQL_REAL },
		{ "char", NULL, NULL, false, TR_OK, "VARCHAR(1)", VOT_SQL_STRING },
		{ "char", "16*", NULL, false, TR_OK, "VARCHAR(16)", VOT_SQL_STRING },
		{ "char", "255", NULL, false, TR_OK, "VARCHAR(255)", VOT_SQL_STRING },
		{ "char", "256", NULL, false, TR_OK, "TEXT", VOT_SQL_STRING },
		{ "char", "256", NULL, true, TR_OK, "VARCHAR(256)", VOT_SQL_STRING },
		{ "char", "768*", NULL, true, TR_OK, "VARCHAR(768)", VOT_SQL_STRING },
		{ "char", "769*", NULL, true, TR_EUNSUPPORTED, NULL, 0 },
		{ "char", "*", NULL, true, TR_EUNSUPPORTED, NULL, 0 },
		{ "char", "20000", NULL, false, TR_OK, "LONGTEXT", VOT_SQL_STRING },
		{ "char", "*", NULL, false, TR_OK, "LONGTEXT", VOT_SQL_STRING },
		{ "unicodeChar", "10", NULL, false, TR_OK, "VARCHAR(10)", VOT_SQL_STRING },
		{ "char", "*", "timestamp", false, TR_OK, "DATETIME(6)", VOT_SQL_TIMESTAMP },
		{ "char", "*", "timestamp", true, TR_OK, "DATETIME(6)", VOT_SQL_TIMESTAMP },
		{ "double", "2", "point", false, TR_OK, "VARCHAR(50)", VOT_SQL_ARRAY_TEXT },
		{ "double", "*", "polygon", false, TR_OK, "LONGTEXT", VOT_SQL_ARRAY_TEXT },
		{ "int", "3x3", NULL, false, TR_OK, "VARCHAR(108)", VOT_SQL_ARRAY_TEXT },
		{ "float", "100", NULL, false, TR_OK, "TEXT", VOT_SQL_ARRAY_TEXT },
		{ "floatComplex", NULL, NULL, false, TR_OK, "VARCHAR(32)", VOT_SQL_ARRAY_TEXT },
		{ "doubleComplex", "2", NULL, false, TR_OK, "VARCHAR(100)", VOT_SQL_ARRAY_TEXT },
		{ "boolean", "3", NULL, false, TR_OK, "VARCHAR(6)", VOT_SQL_ARRAY_TEXT },
		{ "double", "2", NULL, true, TR_EUNSUPPORTED, NULL, 0 },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		vot_field f = make_field(cases[i].dt, cases[i].as, cases[i].xtype);
		vot_sql_column col;
		tr_err err = TR_ERR_INIT;
		int rc = vot_sql_column_for(&f, cases[i].key, &col, &err);
		if (rc != cases[i].rc || (rc == TR_OK && (strcmp(col.type, cases[i].type) != 0 || col.kind != cases[i].kind)))
			fail_msg("case %zu (%s %s): code %d type %s kind %d", i, cases[i].dt, cases[i].as ? cases[i].as : "",
			         rc, col.type, (int)col.kind);
		if (rc != TR_OK)
			assert_non_null(strstr(err.msg, "cannot be a primary key"));
	}
}

/* The literal of the TABLEDATA text `text` (NULL: a NULL cell) for a field. */
static int literal(const char *dt, const char *as, const char *xtype, const char *text, strbuf *out, char *why)
{
	vot_field f = make_field(dt, as, xtype);
	vot_sql_column col;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(vot_sql_column_for(&f, false, &col, &err), TR_OK);
	arena *a = arena_create(0, 0);
	vot_row row;
	assert_int_equal(vot_row_init(&row, a, 1, 0, &err), TR_OK);
	vot_row_clear(&row);
	if (text)
		assert_int_equal(vot_value_from_text(&row, 0, &f, text, strlen(text), why), TR_OK);
	vot_row_seal(&row);
	strbuf_reset(out);
	int rc = vot_sql_add_value(out, &f, &col, &row.cells[0], why);
	arena_destroy(a);
	return rc;
}

static void test_literals(void **state)
{
	(void)state;
	static const struct {
		const char *dt, *as, *xtype, *text;
		int rc;
		const char *out; /* the literal, or a substring of the reason */
	} cases[] = {
		{ "int", NULL, NULL, NULL, TR_OK, "NULL" },
		{ "boolean", NULL, NULL, "T", TR_OK, "1" },
		{ "boolean", NULL, NULL, "false", TR_OK, "0" },
		{ "bit", "5", NULL, "10110", TR_OK, "b'10110'" },
		{ "unsignedByte", NULL, NULL, "255", TR_OK, "255" },
		{ "short", NULL, NULL, "-32768", TR_OK, "-32768" },
		{ "long", NULL, NULL, "-9223372036854775808", TR_OK, "-9223372036854775808" },
		{ "double", NULL, NULL, "0.1", TR_OK, "0.1" },
		{ "double", NULL, NULL, "-0", TR_OK, "-0" },
		{ "double", NULL, NULL, "1e-300", TR_OK, "1e-300" },
		{ "double", NULL, NULL, "NaN", TR_OK, "NULL" },
		{ "double", NULL, NULL, "+Inf", TR_EBADREQ, "positive infinity cannot be stored" },
		{ "float", NULL, NULL, "-Inf", TR_EBADREQ, "negative infinity" },
		/* a float goes in as its exact value, so the server's double->float rounding is exact */
		{ "float", NULL, NULL, "0.1", TR_OK, "0.10000000149011612" },
		{ "char", "*", NULL, "it's", TR_OK, "'it\\'s'" },
		{ "char", "*", NULL, "a\\b", TR_OK, "'a\\\\b'" },
		{ "unicodeChar", "*", NULL, "\xe4\xb8\xad", TR_OK, "'\xe4\xb8\xad'" },
		{ "unsignedByte", "*", NULL, "0 1 0xff 39", TR_OK, "X'0001FF27'" },
		{ "double", "2", "point", "10.5 -20.25", TR_OK, "'10.5 -20.25'" },
		{ "float", "*", NULL, "0.1 NaN +Inf -Inf", TR_OK, "'0.1 NaN +Inf -Inf'" },
		{ "int", "*", NULL, "1 -2 0x10", TR_OK, "'1 -2 16'" },
		{ "boolean", "3", NULL, "T F ?", TR_OK, "'T F ?'" },
		{ "bit", "*", NULL, "0 1 1", TR_OK, "'011'" },
		{ "doubleComplex", NULL, NULL, "1.5 -2", TR_OK, "'1.5 -2'" },
		{ "long", "2x2", NULL, "1 2 3 4", TR_OK, "'1 2 3 4'" },
		{ "char", "*", "timestamp", "2020-01-02T03:04:05.5", TR_OK, "'2020-01-02 03:04:05.500000'" },
		{ "char", "*", "timestamp", "2020-01-02T03:04:05.123456Z", TR_OK, "'2020-01-02 03:04:05.123456'" },
		{ "char", "*", "timestamp", "2020-01-02 03:04:05", TR_OK, "'2020-01-02 03:04:05.000000'" },
		{ "char", "*", "timestamp", "2000-02-29", TR_OK, "'2000-02-29 00:00:00.000000'" },
		{ "char", "*", "timestamp", "1900-02-29", TR_EBADREQ, "is not a timestamp" },
		{ "char", "*", "timestamp", "2020-13-01", TR_EBADREQ, "is not a timestamp" },
		{ "char", "*", "timestamp", "2020-01-01T24:00:00", TR_EBADREQ, "is not a timestamp" },
		{ "char", "*", "timestamp", "2020-01-01T00:00:00.1234567", TR_EBADREQ, "up to microseconds" },
		{ "char", "*", "timestamp", "2020-01-01T00:00:00+01:00", TR_EBADREQ, "is not a timestamp" },
		{ "char", "*", "timestamp", "yesterday", TR_EBADREQ, "\"yesterday\" is not a timestamp" },
	};
	strbuf out = STRBUF_INIT(0);
	for (size_t i = 0; i < N_OF(cases); i++) {
		char why[VOT_WHY_MAX] = "";
		int rc = literal(cases[i].dt, cases[i].as, cases[i].xtype, cases[i].text, &out, why);
		bool ok = rc == cases[i].rc &&
		          (rc == TR_OK ? strcmp(strbuf_str(&out), cases[i].out) == 0 : strstr(why, cases[i].out) != NULL);
		if (!ok)
			fail_msg("case %zu (%s %s): code %d \"%s\" / \"%s\"", i, cases[i].dt, cases[i].text ? cases[i].text : "NULL",
			         rc, strbuf_str(&out), why);
	}
	strbuf_free(&out);
}

/* ---- SQL -> VOTable ------------------------------------------------------------------------- */

static void test_votypes(void **state)
{
	(void)state;
	static const struct {
		const char *data_type, *column_type, *datatype, *arraysize, *xtype;
	} cases[] = {
		{ "tinyint", "tinyint(1)", "boolean", "", NULL },
		{ "tinyint", "tinyint(4)", "short", "", NULL },
		{ "tinyint", "tinyint(3) unsigned", "unsignedByte", "", NULL },
		{ "smallint", "smallint(6)", "short", "", NULL },
		{ "smallint", "smallint(5) unsigned", "int", "", NULL },
		{ "mediumint", "mediumint(9)", "int", "", NULL },
		{ "int", "int(11)", "int", "", NULL },
		{ "int", "int(10) unsigned", "long", "", NULL },
		{ "bigint", "bigint(20)", "long", "", NULL },
		{ "float", "float", "float", "", NULL },
		{ "double", "double", "double", "", NULL },
		{ "decimal", "decimal(10,3)", "double", "", NULL },
		{ "bit", "bit(1)", "bit", "", NULL },
		{ "bit", "bit(12)", "bit", "12", NULL },
		{ "varchar", "varchar(32)", "char", "32*", NULL },
		{ "char", "char(8)", "char", "8*", NULL },
		{ "text", "text", "char", "*", NULL },
		{ "longtext", "longtext", "char", "*", NULL },
		{ "datetime", "datetime(6)", "char", "*", "timestamp" },
		{ "date", "date", "char", "*", "timestamp" },
		{ "time", "time", "char", "*", NULL },
		{ "varbinary", "varbinary(16)", "unsignedByte", "16*", NULL },
		{ "blob", "blob", "unsignedByte", "*", NULL },
		{ "enum", "enum('a','b')", "char", "*", NULL },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		vot_sql_votype vt;
		vot_sql_votype_of(cases[i].data_type, cases[i].column_type, &vt);
		const char *x = vt.xtype ? vt.xtype : "-", *want_x = cases[i].xtype ? cases[i].xtype : "-";
		if (strcmp(vot_datatype_name(vt.datatype), cases[i].datatype) != 0 || strcmp(vt.arraysize, cases[i].arraysize) != 0 ||
		    strcmp(x, want_x) != 0)
			fail_msg("%s: %s [%s] %s", cases[i].column_type, vot_datatype_name(vt.datatype), vt.arraysize, x);
	}
}

static void test_compatible(void **state)
{
	(void)state;
	static const struct {
		const char *datatype, *arraysize, *data_type, *column_type;
		bool ok;
		const char *why;
	} cases[] = {
		{ "long", NULL, "bigint", "bigint(20)", true, NULL },
		{ "long", NULL, "int", "int(11)", true, NULL },
		{ "long", NULL, "bigint", "bigint(20) unsigned", false, "no larger range" },
		{ "int", NULL, "bigint", "bigint(20)", false, "declared int, but the column is bigint(20)" },
		{ "short", NULL, "tinyint", "tinyint(4)", true, NULL },
		{ "short", NULL, "tinyint", "tinyint(3) unsigned", true, NULL },
		{ "short", NULL, "smallint", "smallint(5) unsigned", false, NULL },
		{ "unsignedByte", NULL, "tinyint", "tinyint(3) unsigned", true, NULL },
		{ "unsignedByte", NULL, "tinyint", "tinyint(4)", false, NULL },
		{ "boolean", NULL, "tinyint", "tinyint(1)", true, NULL },
		{ "boolean", NULL, "int", "int(11)", false, NULL },
		{ "int", NULL, "double", "double", false, "an integer column" },
		{ "bit", NULL, "bit", "bit(1)", true, NULL },
		{ "bit", "12", "bit", "bit(12)", true, NULL },
		{ "bit", "12", "bit", "bit(8)", false, "BIT(n) of the same length" },
		{ "double", NULL, "double", "double", true, NULL },
		{ "double", NULL, "float", "float", true, NULL },
		{ "double", NULL, "decimal", "decimal(10,2)", true, NULL },
		{ "float", NULL, "double", "double", false, "rounded to float" },
		{ "double", NULL, "varchar", "varchar(10)", false, "a floating-point column" },
		{ "char", "*", "varchar", "varchar(10)", true, NULL },
		{ "char", "32*", "varchar", "varchar(64)", true, NULL },
		{ "char", "8", "varchar", "varchar(64)", false, "no longer than the fixed arraysize" },
		{ "char", "*", "datetime", "datetime", true, NULL },
		{ "unicodeChar", "*", "text", "text", true, NULL },
		{ "char", "*", "int", "int(11)", false, "a string or date/time column" },
		{ "char", "*", "blob", "blob", false, NULL },
		{ "unsignedByte", "*", "blob", "blob", true, NULL },
		{ "unsignedByte", "*", "text", "text", false, "a binary column" },
		{ "double", "2", "varchar", "varchar(50)", true, NULL },
		{ "doubleComplex", NULL, "varchar", "varchar(50)", true, NULL },
		{ "double", "2", "double", "double", false, "a text column" },
		{ "string", NULL, "varchar", "varchar(5)", false, "not a VOTable datatype" },
		{ "int", "x", "int", "int(11)", false, "malformed" },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		char why[VOT_WHY_MAX] = "";
		bool ok = vot_sql_compatible(cases[i].datatype, cases[i].arraysize, cases[i].data_type, cases[i].column_type, why);
		if (ok != cases[i].ok || (!ok && cases[i].why && strstr(why, cases[i].why) == NULL))
			fail_msg("case %zu (%s vs %s): %d \"%s\"", i, cases[i].datatype, cases[i].column_type, ok, why);
	}
}

/* ---- CSV ------------------------------------------------------------------------------------ */

typedef struct csv_capture {
	strbuf out;
	const vot_table *t;
	arena *a;             /* non-NULL: infer types (vot_csv_guess) */
	vot_csv_guess *guess;
} csv_capture;

static int csv_table(void *ctx, const vot_table *t, tr_err *err)
{
	(void)err;
	csv_capture *c = ctx;
	c->t = t;
	if (c->a && (c->guess = vot_csv_guess_new(c->a, t->n_fields, err)) == NULL)
		return err->code;
	strbuf_puts(&c->out, "header");
	for (size_t i = 0; i < t->n_fields; i++)
		strbuf_printf(&c->out, " [%s]", t->fields[i].name);
	strbuf_putc(&c->out, '\n');
	return TR_OK;
}

static int csv_row(void *ctx, uint64_t row, const vot_cell *cells, tr_err *err)
{
	(void)err;
	csv_capture *c = ctx;
	if (c->guess)
		vot_csv_guess_row(c->guess, cells);
	strbuf_printf(&c->out, "%llu:", (unsigned long long)row);
	for (size_t i = 0; i < c->t->n_fields; i++) {
		const vot_field *f = &c->t->fields[i];
		const vot_cell *cell = &cells[i];
		if (cell->is_null)
			strbuf_puts(&c->out, " NULL");
		else if (vot_datatype_is_text(f->datatype))
			strbuf_printf(&c->out, " [%.*s]", (int)cell->n, cell->v.s);
		else if (f->datatype == VOT_INT)
			strbuf_printf(&c->out, " %ld", (long)cell->v.i32[0]);
		else if (f->datatype == VOT_LONG)
			strbuf_printf(&c->out, " %lld", (long long)cell->v.i64[0]);
		else if (f->datatype == VOT_BOOLEAN)
			strbuf_printf(&c->out, " %c", "FT?"[cell->v.u8[0]]);
		else
			strbuf_printf(&c->out, " %.17g", cell->v.f64[0]);
	}
	strbuf_putc(&c->out, '\n');
	return TR_OK;
}

static const vot_handlers csv_handlers = { csv_table, csv_row, NULL };

/* Reads text with the given options, fed whole (chunk 0) or chunk bytes at a time. */
static int read_csv(const char *text, size_t chunk, const vot_csv_options *opt, csv_capture *c, bool guess, tr_err *err)
{
	arena *a = arena_create(0, 0);
	strbuf_init(&c->out, 0);
	c->guess = NULL;
	c->a = guess ? a : NULL;
	vot_csv_reader *r = vot_csv_reader_new(a, opt, &csv_handlers, c, err);
	assert_non_null(r);
	size_t n = strlen(text);
	int rc = TR_OK;
	for (size_t i = 0; rc == TR_OK && i < n; i += chunk ? chunk : n) {
		rc = vot_csv_reader_feed(r, text + i, chunk && n - i > chunk ? chunk : n - i, err);
	}
	if (rc == TR_OK)
		rc = vot_csv_reader_finish(r, err);
	if (rc == TR_OK && guess && c->guess) {
		vot_field *f = vot_csv_guess_fields(c->guess, a, c->t, err);
		assert_non_null(f);
		strbuf_puts(&c->out, "types");
		for (size_t i = 0; i < c->t->n_fields; i++)
			strbuf_printf(&c->out, " %s%s%s", vot_datatype_name(f[i].datatype), f[i].arraysize ? "/" : "",
			              f[i].arraysize ? f[i].arraysize : "");
		strbuf_putc(&c->out, '\n');
	}
	arena_destroy(a);
	c->t = NULL;
	return rc;
}

static const struct csv_case {
	const char *text;
	int rc;
	const char *expect; /* the capture, or a substring of the message */
} csv_cases[] = {
	{ "a,b\n1,x\n", TR_OK, "header [a] [b]\n1: [1] [x]\n" },
	{ "a,b\r\n1,x\r\n2,y", TR_OK, "header [a] [b]\n1: [1] [x]\n2: [2] [y]\n" },
	{ "\xef\xbb\xbf" "a,b\n1,2\n", TR_OK, "header [a] [b]\n1: [1] [2]\n" },
	{ " a , b \n1,2\n", TR_OK, "header [a] [b]\n" },
	/* quoting: delimiters, quotes and line breaks inside, "" is a quote */
	{ "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\n", TR_OK,
	  "header [a] [b]\n1: [x,y] [say \"hi\"]\n2: [multi\nline] [z]\n" },
	/* empty unquoted: NULL; quoted empty: "" for text */
	{ "a,b,c\n,\"\",x\n", TR_OK, "header [a] [b] [c]\n1: NULL [] [x]\n" },
	/* blank lines are skipped; spaces are kept in values */
	{ "a,b\n\n1, x \n\r\n\n2,y\n\n", TR_OK, "header [a] [b]\n1: [1] [ x ]\n2: [2] [y]\n" },
	/* a CR inside a value that is not before LF stays */
	{ "a\nx\ry\n", TR_OK, "1: [x\ry]\n" },
	/* errors */
	{ "a,b\n1,2\n3\n", TR_EBADREQ, "t.csv: row 2: 1 fields, 2 expected (line 3)" },
	{ "a,b\n1,2,3\n", TR_EBADREQ, "t.csv: row 1: 3 fields, 2 expected (line 2)" },
	{ "a,b\n\"x\"y,2\n", TR_EBADREQ, "t.csv:2: 'y' after the closing quote of field 1" },
	{ "a,b\n\"x,2\n", TR_EBADREQ, "t.csv:3: the file ends inside a quoted field" },
	{ "a,,c\n1,2,3\n", TR_EBADREQ, "t.csv:1: column 2 has no name in the header" },
	{ "", TR_EBADREQ, "t.csv: no header line" },
	{ "a\n\xc3\x28\n", TR_EENCODING, "t.csv: row 1, column 1 (a): invalid UTF-8 (line 2)" },
};

static void test_csv(void **state)
{
	(void)state;
	vot_csv_options opt = { .name = "t.csv" };
	for (size_t i = 0; i < N_OF(csv_cases); i++) {
		for (size_t chunk = 0; chunk < 3; chunk++) {
			csv_capture c = { 0 };
			tr_err err = TR_ERR_INIT;
			int rc = read_csv(csv_cases[i].text, chunk, &opt, &c, false, &err);
			const char *got = rc == TR_OK ? strbuf_str(&c.out) : err.msg;
			if (rc != csv_cases[i].rc || strstr(got, csv_cases[i].expect) == NULL)
				fail_msg("case %zu chunk %zu: code %d \"%s\", expected %d \"%s\"", i, chunk, rc, got, csv_cases[i].rc,
				         csv_cases[i].expect);
			strbuf_free(&c.out);
		}
	}
}

static void test_csv_inference(void **state)
{
	(void)state;
	static const char text[] = "id,big,x,name,empty,mixed,flag\n"
	                           "1,5000000000,1.5,alpha,,1,T\n"
	                           "-2,1,2,\"be,ta\",,x,F\n"
	                           "3,,NaN,\xc3\xa9t\xc3\xa9 long,,2.5,1\n";
	vot_csv_options opt = { .name = "t.csv" };
	csv_capture c = { 0 };
	tr_err err = TR_ERR_INIT;
	for (size_t chunk = 0; chunk < 2; chunk++) {
		assert_int_equal(read_csv(text, chunk, &opt, &c, true, &err), TR_OK);
		const char *types = strstr(strbuf_str(&c.out), "types ");
		assert_non_null(types);
		assert_string_equal(types, "types int long double char/8* char/* char/3* char/1*\n");
		strbuf_free(&c.out);
	}

	/* typed reading: the values come out typed, the header must match */
	vot_field f[3];
	memset(f, 0, sizeof f);
	f[0].name = "id", f[0].datatype = VOT_INT;
	f[1].name = "v", f[1].datatype = VOT_DOUBLE;
	f[2].name = "s", f[2].datatype = VOT_CHAR, f[2].arraysize = "3*";
	for (int i = 0; i < 3; i++)
		assert_true(vot_shape_parse(f[i].arraysize, &f[i].shape));
	opt.fields = f;
	opt.n_fields = 3;
	assert_int_equal(read_csv("id,v,s\n7,0.5,abc\n,,\"\"\n", 1, &opt, &c, false, &err), TR_OK);
	assert_string_equal(strbuf_str(&c.out), "header [id] [v] [s]\n1: 7 0.5 [abc]\n2: NULL NULL []\n");
	strbuf_free(&c.out);
	assert_int_equal(read_csv("id,v,s\n7,zero,abc\n", 0, &opt, &c, false, &err), TR_EBADREQ);
	assert_string_equal(err.msg, "t.csv: row 1, column 2 (v): \"zero\" is not a valid double (line 2)");
	strbuf_free(&c.out);
	tr_err_clear(&err);
	assert_int_equal(read_csv("id,v,s\n7,1,abcd\n", 0, &opt, &c, false, &err), TR_EBADREQ);
	assert_non_null(strstr(err.msg, "row 1, column 3 (s): 4 characters, more than the arraysize allows"));
	strbuf_free(&c.out);
	tr_err_clear(&err);
	assert_int_equal(read_csv("id,w,s\n", 0, &opt, &c, false, &err), TR_EBADREQ);
	assert_string_equal(err.msg, "t.csv:1: header column 2 is \"w\", \"v\" expected");
	strbuf_free(&c.out);

	/* tab-separated */
	vot_csv_options tab = { .name = "t.tsv", .delimiter = '\t' };
	assert_int_equal(read_csv("a\tb\n1,5\tx\n", 0, &tab, &c, false, &err), TR_OK);
	assert_string_equal(strbuf_str(&c.out), "header [a] [b]\n1: [1,5] [x]\n");
	strbuf_free(&c.out);
}

/* Every arena allocation failing in turn ends in TR_ENOMEM, never a crash or a leak. */
static void test_csv_out_of_memory(void **state)
{
	(void)state;
	static const char text[] = "id,name,x\n1,\"a,b\",1.5\n2,c,\n3,\"d\ne\",7\n";
	for (unsigned long k = 1;; k++) {
		csv_capture c = { 0 };
		strbuf_init(&c.out, 0);
		tr_err err = TR_ERR_INIT;
		arena *a = arena_create(0, 0);
		assert_non_null(a);
		c.a = a; /* infer types too */
		arena_fail_after(k);
		vot_csv_options opt = { .name = "oom.csv" };
		vot_csv_reader *r = vot_csv_reader_new(a, &opt, &csv_handlers, &c, &err);
		int rc = r ? vot_csv_reader_feed(r, text, strlen(text), &err) : err.code;
		if (rc == TR_OK)
			rc = vot_csv_reader_finish(r, &err);
		arena_fail_after(0);
		arena_destroy(a);
		strbuf_free(&c.out);
		if (rc == TR_OK) {
			assert_true(k > 3);
			break;
		}
		if (rc != TR_ENOMEM)
			fail_msg("allocation %lu: code %d %s", k, rc, err.msg);
	}
}

static void test_csv_types_option(void **state)
{
	(void)state;
	arena *a = arena_create(0, 0);
	vot_field f[3];
	memset(f, 0, sizeof f);
	f[0].name = "id", f[1].name = "flag", f[2].name = "label";
	tr_err err = TR_ERR_INIT;
	assert_int_equal(vot_csv_apply_types(f, 3, "id=bigint,flag=boolean,label=varchar(12)", a, &err), TR_OK);
	assert_int_equal(f[0].datatype, VOT_LONG);
	assert_int_equal(f[1].datatype, VOT_BOOLEAN);
	assert_null(f[1].arraysize);
	assert_int_equal(f[2].datatype, VOT_CHAR);
	assert_string_equal(f[2].arraysize, "12*");
	assert_int_equal(f[2].shape.max, 12);
	assert_int_equal(vot_csv_apply_types(f, 3, "label=TEXT,id=Short", a, &err), TR_OK);
	assert_string_equal(f[2].arraysize, "*");
	assert_int_equal(f[0].datatype, VOT_SHORT);
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{ "nope=int", "--types: no column \"nope\"" },
		{ "id=integer64", "--types: unknown type \"integer64\" for column \"id\"" },
		{ "id", "--types: \"id\" is not NAME=TYPE" },
		{ "label=varchar(0)", "bad length" },
		{ "label=varchar(x)", "bad length" },
		{ "id=int(4)", "unknown type \"int(4)\"" },
	};
	for (size_t i = 0; i < N_OF(bad); i++) {
		tr_err_clear(&err);
		assert_int_equal(vot_csv_apply_types(f, 3, bad[i].spec, a, &err), TR_EBADREQ);
		if (strstr(err.msg, bad[i].why) == NULL)
			fail_msg("%s: %s", bad[i].spec, err.msg);
	}
	arena_destroy(a);
}

/* ---- publish helpers ------------------------------------------------------------------------ */

static void test_ucds_keys_positions(void **state)
{
	(void)state;
	assert_true(publish_ucd_has("pos.eq.ra;meta.main", "meta.main"));
	assert_true(publish_ucd_has("POS.EQ.RA; META.MAIN", "meta.main"));
	assert_true(publish_ucd_has("pos.eq.ra", "pos.eq.ra"));
	assert_false(publish_ucd_has("pos.eq.ra", "pos.eq"));
	assert_false(publish_ucd_has("pos.eq.ra.x", "pos.eq.ra"));
	assert_false(publish_ucd_has(NULL, "meta.id"));

	vot_field f[5];
	memset(f, 0, sizeof f);
	f[0].name = "alt_ra", f[0].ucd = "pos.eq.ra";
	f[1].name = "id", f[1].ucd = "meta.id;meta.main";
	f[2].name = "ra", f[2].ucd = "pos.eq.ra;meta.main";
	f[3].name = "dec", f[3].ucd = "pos.eq.dec;meta.main";
	f[4].name = "other_id", f[4].ucd = "meta.id";
	size_t key, pos[2];
	tr_err err = TR_ERR_INIT;
	assert_int_equal(publish_find_key(f, 5, NULL, &key, &err), TR_OK);
	assert_int_equal(key, 1);
	assert_int_equal(publish_find_key(f, 5, "OTHER_ID", &key, &err), TR_OK);
	assert_int_equal(key, 4);
	assert_int_equal(publish_find_key(f, 5, "", &key, &err), TR_OK);
	assert_int_equal(key, SIZE_MAX);
	assert_int_equal(publish_find_key(f, 5, "nope", &key, &err), TR_EBADREQ);
	assert_int_equal(publish_position_columns(f, 5, pos), 2);
	assert_int_equal(pos[0], 2); /* meta.main wins over the first pos.eq.ra */
	assert_int_equal(pos[1], 3);
	f[2].ucd = "pos.eq.ra";
	f[3].ucd = NULL;
	assert_int_equal(publish_position_columns(f, 5, pos), 1);
	assert_int_equal(pos[0], 0); /* no meta.main: the first */
	f[1].ucd = "meta.id";
	assert_int_equal(publish_find_key(f, 5, NULL, &key, &err), TR_OK);
	assert_int_equal(key, SIZE_MAX);
}

typedef struct stmts {
	strbuf out;
	size_t n;
} stmts;

static int collect_stmt(void *ctx, const char *sql, size_t n, tr_err *err)
{
	(void)err;
	stmts *s = ctx;
	s->n++;
	strbuf_printf(&s->out, "<%.*s>", (int)n, sql);
	return TR_OK;
}

static void test_statements(void **state)
{
	(void)state;
	stmts s = { STRBUF_INIT(0), 0 };
	static const char text[] = "-- comment; not a statement\nCREATE x;\n  INSERT 'a;\nb', \"q;\n\";\n"
	                           "SELECT 'it''s' -- not a comment inside\n;\n";
	tr_err err = TR_ERR_INIT;
	assert_int_equal(publish_each_statement(text, strlen(text), collect_stmt, &s, &err), TR_OK);
	assert_string_equal(strbuf_str(&s.out), "<CREATE x><INSERT 'a;\nb', \"q;\n\"><SELECT 'it''s' -- not a comment inside\n>");
	strbuf_free(&s.out);
	assert_int_equal(publish_each_statement("SELECT 1", 8, collect_stmt, &s, &err), TR_EINTERNAL);

	/* the real TAP_SCHEMA DDL: CREATE DATABASE, USE, five tables, six INSERTs */
	char path[4096];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/sql/tap_schema.sql", top && top[0] ? top : ".");
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char ddl[65536];
	size_t n = fread(ddl, 1, sizeof ddl, f);
	fclose(f);
	stmts t = { STRBUF_INIT(0), 0 };
	tr_err_clear(&err);
	assert_int_equal(publish_each_statement(ddl, n, collect_stmt, &t, &err), TR_OK);
	assert_int_equal(t.n, 12);
	assert_non_null(strstr(strbuf_str(&t.out), "<CREATE DATABASE IF NOT EXISTS `TAP_SCHEMA`"));
	strbuf_free(&t.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_column_types),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_votypes),
		cmocka_unit_test(test_compatible),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_inference),
		cmocka_unit_test(test_csv_out_of_memory),
		cmocka_unit_test(test_csv_types_option),
		cmocka_unit_test(test_ucds_keys_positions),
		cmocka_unit_test(test_statements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
