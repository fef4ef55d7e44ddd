/* test_votable_reader: the streaming VOTable reader (src/votable/reader.h) and the value module
 * behind it (src/votable/value.h, types.h).
 *
 * Every datatype in TABLEDATA, BINARY2 and BINARY (tests/import/alltypes*.vot, the binary ones
 * written by an independent encoder, tests/import/vot2binary.py), each fed whole, one byte at a
 * time and in odd chunks, must give the same cells; table-driven value cases for every datatype and
 * its text forms; NULLs (empty TD, BINARY2 flags, VALUES null, '?'); hand-made BINARY2 streams;
 * errors of every class with their row and column; limits; malformed XML; callbacks that stop the
 * reader; out of memory at every arena allocation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "out/base64.h"
#include "util/arena.h"
#include "util/strbuf.h"
#include "votable/reader.h"
#include "votable/types.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers -------------------------------------------------------------------------------- */

static char *slurp(const char *name, size_t *out_n)
{
	char path[4096];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/tests/import/%s", top && top[0] ? top : ".", name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	strbuf sb = STRBUF_INIT(0);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	assert_false(strbuf_failed(&sb));
	*out_n = strbuf_len(&sb);
	char *s = strdup(strbuf_str(&sb));
	strbuf_free(&sb);
	return s;
}

/* One cell as text: numbers at full precision, text quoted with \xNN for non-printing bytes. */
static void dump_cell(strbuf *sb, const vot_field *f, const vot_cell *c)
{
	if (c->is_null) {
		strbuf_puts(sb, "NULL");
		return;
	}
	if (vot_datatype_is_text(f->datatype)) {
		strbuf_putc(sb, '"');
		for (size_t i = 0; i < c->n; i++) {
			unsigned char ch = (unsigned char)c->v.s[i];
			if (ch < 0x20 || ch >= 0x7F || ch == '"' || ch == '\\')
				strbuf_printf(sb, "\\x%02X", ch);
			else
				strbuf_putc(sb, (char)ch);
		}
		strbuf_putc(sb, '"');
		assert_int_equal(c->v.s[c->n], '\0');
		return;
	}
	bool is_complex = f->datatype == VOT_FLOAT_COMPLEX || f->datatype == VOT_DOUBLE_COMPLEX;
	size_t nums = is_complex ? 2 * c->n : c->n;
	if (f->shape.is_array)
		strbuf_putc(sb, '[');
	for (size_t i = 0; i < nums; i++) {
		if (i)
			strbuf_putc(sb, ' ');
		switch (f->datatype) {
		case VOT_BOOLEAN: strbuf_putc(sb, "FT?"[c->v.u8[i]]); break;
		case VOT_BIT: strbuf_putc(sb, (char)('0' + c->v.u8[i])); break;
		case VOT_UNSIGNED_BYTE: strbuf_printf(sb, "%u", c->v.u8[i]); break;
		case VOT_SHORT: strbuf_printf(sb, "%d", c->v.i16[i]); break;
		case VOT_INT: strbuf_printf(sb, "%ld", (long)c->v.i32[i]); break;
		case VOT_LONG: strbuf_printf(sb, "%lld", (long long)c->v.i64[i]); break;
		case VOT_FLOAT:
		case VOT_FLOAT_COMPLEX: strbuf_printf(sb, "%.9g", (double)c->v.f32[i]); break;
		default: strbuf_printf(sb, "%.17g", c->v.f64[i]); break;
		}
	}
	if (f->shape.is_array)
		strbuf_putc(sb, ']');
}

/* What the callbacks saw, as text: the table line, the field lines, one line per row, the end. */
typedef struct capture {
	strbuf out;
	const vot_table *t;
	uint64_t stop_at;   /* > 0: on_row fails at this row */
	int n_tables, n_ends;
} capture;

static void put_opt(strbuf *sb, const char *key, const char *v)
{
	if (v)
		strbuf_printf(sb, " %s=%s", key, v);
}

static int on_table(void *ctx, const vot_table *t, tr_err *err)
{
	(void)err;
	capture *c = ctx;
	c->t = t;
	c->n_tables++;
	strbuf_printf(&c->out, "table name=%s nrows=%lld fields=%zu enc=%d", t->name ? t->name : "-", t->nrows,
	              t->n_fields, (int)t->encoding);
	put_opt(&c->out, "desc", t->description);
	strbuf_putc(&c->out, '\n');
	for (size_t i = 0; i < t->n_fields; i++) {
		const vot_field *f = &t->fields[i];
		strbuf_printf(&c->out, "field %s %s", f->name, vot_datatype_name(f->datatype));
		put_opt(&c->out, "arraysize", f->arraysize);
		put_opt(&c->out, "xtype", f->xtype);
		put_opt(&c->out, "unit", f->unit);
		put_opt(&c->out, "ucd", f->ucd);
		put_opt(&c->out, "utype", f->utype);
		put_opt(&c->out, "null", f->null_value);
		put_opt(&c->out, "desc", f->description);
		strbuf_putc(&c->out, '\n');
	}
	return TR_OK;
}

static int on_row(void *ctx, uint64_t row, const vot_cell *cells, tr_err *err)
{
	capture *c = ctx;
	if (c->stop_at && row == c->stop_at)
		return tr_err_set(err, TR_EDB, -1, 0, "consumer refused row %llu", (unsigned long long)row);
	strbuf_printf(&c->out, "%llu:", (unsigned long long)row);
	for (size_t i = 0; i < c->t->n_fields; i++) {
		strbuf_putc(&c->out, ' ');
		dump_cell(&c->out, &c->t->fields[i], &cells[i]);
	}
	strbuf_putc(&c->out, '\n');
	return TR_OK;
}

static int on_end(void *ctx, uint64_t n_rows, tr_err *err)
{
	(void)err;
	capture *c = ctx;
	c->n_ends++;
	strbuf_printf(&c->out, "end %llu\n", (unsigned long long)n_rows);
	return TR_OK;
}

static const vot_handlers handlers = { on_table, on_row, on_end };

/* Reads doc fed in chunks of `chunk` bytes (0: whole); returns the code, the capture in *c. */
static int read_doc(const char *doc, size_t n, size_t chunk, const vot_options *opt, capture *c, tr_err *err)
{
	arena *a = arena_create(0, 0);
	assert_non_null(a);
	strbuf_init(&c->out, 0);
	vot_reader *r = vot_reader_new(a, opt, &handlers, c, err);
	int rc = r ? TR_OK : err->code;
	for (size_t i = 0; rc == TR_OK && i < n; i += chunk ? chunk : n)
		rc = vot_reader_feed(r, doc + i, chunk && n - i > chunk ? chunk : n - i, err);
	if (rc == TR_OK)
		rc = vot_reader_finish(r, err);
	arena_destroy(a);
	return rc;
}

/* ---- the alltypes fixtures ------------------------------------------------------------------ */

static const char alltypes_head[] =
	"table name=alltypes nrows=4 fields=23 enc=%d desc=All VOTable datatypes & some edge values\n"
	"field id long ucd=meta.id;meta.main desc=Row identifier\n"
	"field ra double unit=deg ucd=pos.eq.ra;meta.main utype=stc:Position.ra desc=Right ascension\n"
	"field dec double unit=deg ucd=pos.eq.dec;meta.main desc=Declination\n"
	"field flag boolean ucd=meta.code\n"
	"field b1 bit\n"
	"field bits bit arraysize=12\n"
	"field ub unsignedByte\n"
	"field ubytes unsignedByte arraysize=*\n"
	"field s short null=-32768\n"
	"field i int unit=ct\n"
	"field mag float unit=mag ucd=phot.mag;em.opt.V desc=V magnitude\n"
	"field name char arraysize=16* ucd=meta.id\n"
	"field uname unicodeChar arraysize=*\n"
	"field code char\n"
	"field t char arraysize=* xtype=timestamp ucd=time.epoch\n"
	"field pos double arraysize=2 xtype=point unit=deg ucd=pos.eq\n"
	"field vec int arraysize=*\n"
	"field fc floatComplex\n"
	"field dc doubleComplex arraysize=2\n"
	"field bools boolean arraysize=3\n"
	"field grid long arraysize=2x2\n"
	"field shorts short arraysize=3*\n"
	"field floats float arraysize=*\n";

/* The rows as TABLEDATA and BINARY2 give them; BINARY has no null flags (see binary_rows). */
static const char alltypes_rows[] =
	"1: 1 10.5 -20.25 T 1 [1 0 1 1 0 0 1 1 1 0 0 0] 255 [0 1 127 255] -32767 2147483647 12.5 "
	"\"alpha & <b>\" \"Fran\\xC3\\xA7ois \\xE4\\xB8\\xAD\\xE6\\x96\\x87 \\xF0\\x9F\\x98\\x80\" \"A\" "
	"\"2020-01-02T03:04:05.5\" [10.5 -20.25] [1 2 3] 1.5 -2.5 [1 2 3 4] [T F ?] "
	"[9223372036854775807 -9223372036854775808 0 1] [1 2] [0.100000001 nan inf -inf]\n"
	"2: 2 359.99999999999989 89.999989999999997 F 0 [0 0 0 0 0 0 0 0 0 0 0 1] 0 NULL 32767 -2147483648 -0 "
	"\"  spaced  \" \"plain\" \" \" \"1999-12-31T23:59:59\" [0 -90] NULL 0 0 "
	"[-1.0000000000000001e+300 1e-300 3 4] [F F T] [-1 -2 -3 -4] [-32768 0 32767] "
	"[3.40282347e+38]\n"
	"3: 3 0 0 NULL NULL [0 0 0 0 0 0 0 0 0 0 0 0] NULL NULL NULL NULL nan NULL NULL NULL NULL [nan nan] "
	"NULL NULL [nan nan nan nan] [? ? ?] [0 0 0 0] NULL NULL\n"
	"4: 4 1e-10 -89.5 NULL 0 [1 1 1 1 1 1 1 1 1 1 1 1] 16 [7] 32767 2147483647 1.17549435e-38 \"x\" "
	"\"\\xC3\\xA9\" \"z\" \"2000-01-01\" [180 0] [-7] nan 1 [0 0 0 0] [? ? ?] "
	"[9223372036854775807 0 0 0] NULL [1]\n"
	"end 4\n";

static char *expected_dump(int enc, const char *rows)
{
	strbuf sb = STRBUF_INIT(0);
	strbuf_printf(&sb, alltypes_head, enc);
	strbuf_puts(&sb, rows);
	char *s = strdup(strbuf_str(&sb));
	strbuf_free(&sb);
	return s;
}

/* BINARY cannot flag NULLs (VOTable 1.4 §5.4): empty TDs came out as zero-length arrays, zero
 * bytes or NaN, except where a VALUES null or a boolean '?' says NULL. */
static const char binary_rows[] =
	"1: 1 10.5 -20.25 T 1 [1 0 1 1 0 0 1 1 1 0 0 0] 255 [0 1 127 255] -32767 2147483647 12.5 "
	"\"alpha & <b>\" \"Fran\\xC3\\xA7ois \\xE4\\xB8\\xAD\\xE6\\x96\\x87 \\xF0\\x9F\\x98\\x80\" \"A\" "
	"\"2020-01-02T03:04:05.5\" [10.5 -20.25] [1 2 3] 1.5 -2.5 [1 2 3 4] [T F ?] "
	"[9223372036854775807 -9223372036854775808 0 1] [1 2] [0.100000001 nan inf -inf]\n"
	"2: 2 359.99999999999989 89.999989999999997 F 0 [0 0 0 0 0 0 0 0 0 0 0 1] 0 [] 32767 -2147483648 -0 "
	"\"  spaced  \" \"plain\" \" \" \"1999-12-31T23:59:59\" [0 -90] [] 0 0 "
	"[-1.0000000000000001e+300 1e-300 3 4] [F F T] [-1 -2 -3 -4] [-32768 0 32767] "
	"[3.40282347e+38]\n"
	"3: 3 0 0 NULL 0 [0 0 0 0 0 0 0 0 0 0 0 0] 0 [] NULL 0 nan \"\" \"\" \"\" \"\" [nan nan] "
	"[] nan nan [nan nan nan nan] [? ? ?] [0 0 0 0] [] []\n"
	"4: 4 1e-10 -89.5 NULL 0 [1 1 1 1 1 1 1 1 1 1 1 1] 16 [7] 32767 2147483647 1.17549435e-38 \"x\" "
	"\"\\xC3\\xA9\" \"z\" \"2000-01-01\" [180 0] [-7] nan 1 [0 0 0 0] [? ? ?] "
	"[9223372036854775807 0 0 0] [] [1]\n"
	"end 4\n";

static void check_fixture(const char *file, int enc, const char *rows)
{
	size_t n;
	char *doc = slurp(file, &n);
	char *want = expected_dump(enc, rows);
	/* whole, one byte at a time, and chunk sizes that cut every structure somewhere */
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 64, 1000 };
	for (size_t k = 0; k < N_OF(chunks); k++) {
		capture c = { 0 };
		tr_err err = TR_ERR_INIT;
		int rc = read_doc(doc, n, chunks[k], NULL, &c, &err);
		if (rc != TR_OK)
			fail_msg("%s, chunk %zu: %s", file, chunks[k], err.msg);
		if (strcmp(strbuf_str(&c.out), want) != 0) {
			/* cmocka cuts long messages: the two dumps go to stderr whole */
			fprintf(stderr, "--- got\n%s--- want\n%s", strbuf_str(&c.out), want);
			fail_msg("%s, chunk %zu: unexpected cells", file, chunks[k]);
		}
		assert_int_equal(c.n_tables, 1);
		assert_int_equal(c.n_ends, 1);
		strbuf_free(&c.out);
	}
	free(want);
	free(doc);
}

static void test_alltypes_tabledata(void **state)
{
	(void)state;
	check_fixture("alltypes.vot", VOT_ENC_TABLEDATA, alltypes_rows);
}

static void test_alltypes_binary2(void **state)
{
	(void)state;
	check_fixture("alltypes_b2.vot", VOT_ENC_BINARY2, alltypes_rows);
}

static void test_alltypes_binary(void **state)
{
	(void)state;
	check_fixture("alltypes_b1.vot", VOT_ENC_BINARY, binary_rows);
}

/* vot_read over a tr_source gives the same as feeding. */
typedef struct mem_source {
	const char *p;
	size_t n, off, step;
} mem_source;

static ssize_t mem_read(void *ctx, char *p, size_t n)
{
	mem_source *m = ctx;
	size_t k = m->n - m->off;
	if (k > n)
		k = n;
	if (k > m->step)
		k = m->step;
	memcpy(p, m->p + m->off, k);
	m->off += k;
	return (ssize_t)k;
}

static void test_read_source(void **state)
{
	(void)state;
	size_t n;
	char *doc = slurp("alltypes_b2.vot", &n);
	mem_source m = { doc, n, 0, 333 };
	tr_source src = { mem_read, &m };
	capture c = { 0 };
	strbuf_init(&c.out, 0);
	tr_err err = TR_ERR_INIT;
	arena *a = arena_create(0, 0);
	vot_options opt = { .name = "upload" };
	if (vot_read(a, &src, &opt, &handlers, &c, &err) != TR_OK)
		fail_msg("%s", err.msg);
	char *want = expected_dump(VOT_ENC_BINARY2, alltypes_rows);
	assert_string_equal(strbuf_str(&c.out), want);
	free(want);
	arena_destroy(a);
	strbuf_free(&c.out);
	free(doc);
}

/* ---- one value at a time -------------------------------------------------------------------- */

/* A one-field document: FIELD attributes and the TD text (NULL: an empty <TD/>). */
static char *one_field_doc(const char *attrs, const char *values_null, const char *td)
{
	strbuf sb = STRBUF_INIT(0);
	strbuf_printf(&sb, "<VOTABLE><RESOURCE><TABLE><FIELD name=\"x\" %s>", attrs);
	if (values_null)
		strbuf_printf(&sb, "<VALUES null=\"%s\"/>", values_null);
	strbuf_puts(&sb, "</FIELD><DATA><TABLEDATA><TR>");
	if (td)
		strbuf_printf(&sb, "<TD>%s</TD>", td);
	else
		strbuf_puts(&sb, "<TD/>");
	strbuf_puts(&sb, "</TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>");
	char *s = strdup(strbuf_str(&sb));
	strbuf_free(&sb);
	return s;
}

/* The dumped cell of row 1, or the error message. */
static char *one_value(const char *attrs, const char *values_null, const char *td, int *out_rc)
{
	char *doc = one_field_doc(attrs, values_null, td);
	capture c = { 0 };
	tr_err err = TR_ERR_INIT;
	vot_options opt = { .name = "t.vot" };
	*out_rc = read_doc(doc, strlen(doc), 0, &opt, &c, &err);
	char *res;
	if (*out_rc != TR_OK) {
		res = strdup(err.msg);
	} else {
		const char *line = strstr(strbuf_str(&c.out), "\n1: ");
		assert_non_null(line);
		res = strndup(line + 4, strcspn(line + 4, "\n"));
	}
	strbuf_free(&c.out);
	free(doc);
	return res;
}

static const struct value_case {
	const char *attrs;       /* FIELD attributes besides name */
	const char *null;        /* VALUES null, or NULL */
	const char *td;          /* TD text, or NULL for <TD/> */
	int rc;                  /* expected code */
	const char *expect;      /* the dumped cell, or a substring of the message */
} value_cases[] = {
	/* booleans, VOTable 1.4 §6 */
	{ "datatype=\"boolean\"", NULL, "T", TR_OK, "T" },
	{ "datatype=\"boolean\"", NULL, "t", TR_OK, "T" },
	{ "datatype=\"boolean\"", NULL, "1", TR_OK, "T" },
	{ "datatype=\"boolean\"", NULL, "tRUe", TR_OK, "T" },
	{ "datatype=\"boolean\"", NULL, " FalsE ", TR_OK, "F" },
	{ "datatype=\"boolean\"", NULL, "0", TR_OK, "F" },
	{ "datatype=\"boolean\"", NULL, "?", TR_OK, "NULL" },
	{ "datatype=\"boolean\"", NULL, NULL, TR_OK, "NULL" },
	{ "datatype=\"boolean\"", NULL, "yes", TR_EBADREQ, "row 1, column 1 (x): \"yes\" is not a boolean (line 1)" },
	{ "datatype=\"boolean\"", NULL, "T F", TR_EBADREQ, "2 values for a scalar boolean" },
	{ "datatype=\"boolean\" arraysize=\"*\"", NULL, "TF?", TR_OK, "[T F ?]" },
	{ "datatype=\"boolean\" arraysize=\"*\"", NULL, "true false 1", TR_OK, "[T F T]" },
	{ "datatype=\"boolean\" arraysize=\"2\"", NULL, "T", TR_EBADREQ, "1 elements, arraysize \"2\" wants 2" },
	/* bits */
	{ "datatype=\"bit\"", NULL, "1", TR_OK, "1" },
	{ "datatype=\"bit\"", NULL, "2", TR_EBADREQ, "'2' is not a bit" },
	{ "datatype=\"bit\" arraysize=\"5\"", NULL, "1 0 1\n1 0", TR_OK, "[1 0 1 1 0]" },
	{ "datatype=\"bit\" arraysize=\"5\"", NULL, "1011", TR_EBADREQ, "4 elements, arraysize \"5\" wants 5" },
	{ "datatype=\"bit\" arraysize=\"*\"", NULL, "0000000001", TR_OK, "[0 0 0 0 0 0 0 0 0 1]" },
	/* integers: ranges, hexadecimal, signs, whitespace */
	{ "datatype=\"unsignedByte\"", NULL, "255", TR_OK, "255" },
	{ "datatype=\"unsignedByte\"", NULL, "256", TR_EBADREQ, "\"256\" is not a valid unsignedByte" },
	{ "datatype=\"unsignedByte\"", NULL, "-1", TR_EBADREQ, "not a valid unsignedByte" },
	{ "datatype=\"unsignedByte\"", NULL, "0xFF", TR_OK, "255" },
	{ "datatype=\"unsignedByte\"", NULL, "0x100", TR_EBADREQ, "not a valid unsignedByte" },
	{ "datatype=\"short\"", NULL, "-32768", TR_OK, "-32768" },
	{ "datatype=\"short\"", NULL, "32768", TR_EBADREQ, "not a valid short" },
	{ "datatype=\"short\"", NULL, "0xffff", TR_OK, "-1" },
	{ "datatype=\"short\"", NULL, "+12", TR_OK, "12" },
	{ "datatype=\"short\"", NULL, " \n 7\t", TR_OK, "7" },
	{ "datatype=\"short\"", NULL, "1.5", TR_EBADREQ, "\"1.5\" is not a valid short" },
	{ "datatype=\"short\"", NULL, "-", TR_EBADREQ, "not a valid short" },
	{ "datatype=\"int\"", NULL, "-2147483648", TR_OK, "-2147483648" },
	{ "datatype=\"int\"", NULL, "2147483648", TR_EBADREQ, "not a valid int" },
	{ "datatype=\"int\"", NULL, "0x80000000", TR_OK, "-2147483648" },
	{ "datatype=\"long\"", NULL, "-9223372036854775808", TR_OK, "-9223372036854775808" },
	{ "datatype=\"long\"", NULL, "9223372036854775808", TR_EBADREQ, "not a valid long" },
	{ "datatype=\"long\"", NULL, "99999999999999999999", TR_EBADREQ, "not a valid long" },
	{ "datatype=\"long\"", NULL, "0xFFFFFFFFFFFFFFFF", TR_OK, "-1" },
	{ "datatype=\"long\"", NULL, "0x1FFFFFFFFFFFFFFFF", TR_EBADREQ, "not a valid long" },
	{ "datatype=\"long\"", NULL, "abc", TR_EBADREQ, "\"abc\" is not a valid long" },
	{ "datatype=\"int\" arraysize=\"*\"", NULL, " 1  -2\n3 ", TR_OK, "[1 -2 3]" },
	{ "datatype=\"int\" arraysize=\"3\"", NULL, "1 2", TR_EBADREQ, "2 elements, arraysize \"3\" wants 3" },
	{ "datatype=\"int\" arraysize=\"2*\"", NULL, "1 2 3", TR_EBADREQ, "3 elements, more than arraysize \"2*\" allows" },
	{ "datatype=\"int\" arraysize=\"2x*\"", NULL, "1 2 3 4", TR_OK, "[1 2 3 4]" },
	{ "datatype=\"int\" arraysize=\"2x2\"", NULL, "1 2 3", TR_EBADREQ, "wants 4" },
	{ "datatype=\"int\" arraysize=\"*\"", NULL, "   ", TR_OK, "[]" },
	/* VALUES null applies to scalars, VOTable 1.4 §4.5 */
	{ "datatype=\"int\"", "-1", "-1", TR_OK, "NULL" },
	{ "datatype=\"int\"", "-1", "0xffffffff", TR_OK, "NULL" },
	{ "datatype=\"int\"", "-1", "1", TR_OK, "1" },
	{ "datatype=\"short\"", "99", "99", TR_OK, "NULL" },
	{ "datatype=\"unsignedByte\"", "0", "0", TR_OK, "NULL" },
	{ "datatype=\"long\"", "0x7fffffffffffffff", "9223372036854775807", TR_OK, "NULL" },
	{ "datatype=\"int\" arraysize=\"*\"", "-1", "-1 2", TR_OK, "[-1 2]" },
	{ "datatype=\"double\"", "-999", "-999.0", TR_OK, "NULL" },
	{ "datatype=\"int\"", "x", "1", TR_EBADREQ, "FIELD \"x\": VALUES null \"x\" is not a valid int" },
	/* floating point */
	{ "datatype=\"double\"", NULL, "1e308", TR_OK, "1e+308" },
	{ "datatype=\"double\"", NULL, "1e309", TR_EBADREQ, "\"1e309\" is not a valid double" },
	{ "datatype=\"double\"", NULL, "5e-324", TR_OK, "4.9406564584124654e-324" },
	{ "datatype=\"double\"", NULL, "1e-400", TR_OK, "0" },
	{ "datatype=\"double\"", NULL, "-0", TR_OK, "-0" },
	{ "datatype=\"double\"", NULL, "NaN", TR_OK, "nan" },
	{ "datatype=\"double\"", NULL, "nan", TR_OK, "nan" },
	{ "datatype=\"double\"", NULL, "+Inf", TR_OK, "inf" },
	{ "datatype=\"double\"", NULL, "-Inf", TR_OK, "-inf" },
	{ "datatype=\"double\"", NULL, "Infinity", TR_OK, "inf" },
	{ "datatype=\"double\"", NULL, ".5", TR_OK, "0.5" },
	{ "datatype=\"double\"", NULL, "0x1p3", TR_EBADREQ, "not a valid double" },
	{ "datatype=\"double\"", NULL, "1,5", TR_EBADREQ, "\"1,5\" is not a valid double" },
	{ "datatype=\"double\"", NULL, "nan(1)", TR_EBADREQ, "not a valid double" },
	{ "datatype=\"double\"", NULL, "1 2", TR_EBADREQ, "2 values for a scalar double" },
	{ "datatype=\"float\"", NULL, "0.1", TR_OK, "0.100000001" },
	{ "datatype=\"float\"", NULL, "3.5e38", TR_EBADREQ, "\"3.5e38\" is not a valid float" },
	{ "datatype=\"float\"", NULL, "1.00000017881393432617187499", TR_OK, "1.00000012" },
	{ "datatype=\"float\" arraysize=\"*\"", NULL, "1 NaN -Inf", TR_OK, "[1 nan -inf]" },
	{ "datatype=\"floatComplex\"", NULL, "1 2", TR_OK, "1 2" },
	{ "datatype=\"floatComplex\"", NULL, "1", TR_EBADREQ, "1 numbers: a complex value is a pair" },
	{ "datatype=\"doubleComplex\" arraysize=\"*\"", NULL, "1 2 3 4 5 6", TR_OK, "[1 2 3 4 5 6]" },
	{ "datatype=\"doubleComplex\" arraysize=\"2\"", NULL, "1 2", TR_EBADREQ, "1 elements, arraysize \"2\" wants 2" },
	/* text: significant whitespace, characters counted, entities resolved by XML */
	{ "datatype=\"char\" arraysize=\"*\"", NULL, " a b ", TR_OK, "\" a b \"" },
	{ "datatype=\"char\" arraysize=\"*\"", NULL, "&lt;&amp;&#x41;", TR_OK, "\"<&A\"" },
	{ "datatype=\"char\" arraysize=\"*\"", NULL, "<![CDATA[<x>]]>", TR_OK, "\"<x>\"" },
	{ "datatype=\"char\" arraysize=\"3\"", NULL, "ab", TR_OK, "\"ab\"" },
	{ "datatype=\"char\" arraysize=\"3\"", NULL, "abcd", TR_EBADREQ, "4 characters, more than the arraysize allows" },
	{ "datatype=\"char\" arraysize=\"3*\"", NULL, "&#xE9;&#xE9;&#xE9;", TR_OK, "\"\\xC3\\xA9\\xC3\\xA9\\xC3\\xA9\"" },
	{ "datatype=\"char\"", NULL, "ab", TR_EBADREQ, "2 characters, more than a single char allows" },
	{ "datatype=\"char\"", NULL, NULL, TR_OK, "NULL" },
	{ "datatype=\"unicodeChar\" arraysize=\"*\"", NULL, "&#x1F600;", TR_OK, "\"\\xF0\\x9F\\x98\\x80\"" },
	{ "datatype=\"unsignedByte\" arraysize=\"*\"", NULL, "0x00 1 0xff", TR_OK, "[0 1 255]" },
	/* field definitions */
	{ "datatype=\"string\"", NULL, "x", TR_EBADREQ, "t.vot:1: FIELD \"x\": unknown datatype \"string\"" },
	{ "", NULL, "x", TR_EBADREQ, "t.vot:1: FIELD \"x\" has no datatype" },
	{ "datatype=\"int\" arraysize=\"0\"", NULL, "1", TR_EBADREQ, "invalid arraysize \"0\"" },
	{ "datatype=\"int\" arraysize=\"*x2\"", NULL, "1", TR_EBADREQ, "invalid arraysize \"*x2\"" },
	{ "datatype=\"int\" arraysize=\"2x\"", NULL, "1", TR_EBADREQ, "invalid arraysize \"2x\"" },
	{ "datatype=\"int\" arraysize=\"99999999999\"", NULL, "1", TR_EBADREQ, "invalid arraysize" },
	{ "datatype=\"int\" arraysize=\"65536x65536\"", NULL, "1", TR_EBADREQ, "invalid arraysize" },
	{ "datatype=\"int\" arraysize=\"1x1x1x1x1x1x1x1x1\"", NULL, "1", TR_EBADREQ, "invalid arraysize" },
};

static void test_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(value_cases); i++) {
		const struct value_case *vc = &value_cases[i];
		int rc;
		char *got = one_value(vc->attrs, vc->null, vc->td, &rc);
		bool ok = rc == vc->rc && (rc == TR_OK ? strcmp(got, vc->expect) == 0 : strstr(got, vc->expect) != NULL);
		if (!ok)
			fail_msg("case %zu (%s, td %s): code %d \"%s\", expected %d \"%s\"", i, vc->attrs, vc->td ? vc->td : "<TD/>",
			         rc, got, vc->rc, vc->expect);
		free(got);
	}
}

/* ---- hand-made binary streams --------------------------------------------------------------- */

/* A document with the given FIELDs whose BINARY2 (or BINARY) stream holds bytes[0..n). */
static char *binary_doc(const char *fields, const char *element, const unsigned char *bytes, size_t n)
{
	strbuf sb = STRBUF_INIT(0);
	strbuf_printf(&sb, "<?xml version=\"1.0\"?>\n<VOTABLE xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\"><RESOURCE>"
	                   "<TABLE>%s<DATA><%s><STREAM encoding=\"base64\">\n", fields, element);
	base64_enc e;
	base64_enc_init(&e, 20);
	base64_enc_add(&e, &sb, bytes, n);
	base64_enc_finish(&e, &sb);
	strbuf_printf(&sb, "</STREAM></%s></DATA></TABLE></RESOURCE></VOTABLE>", element);
	char *s = strdup(strbuf_str(&sb));
	strbuf_free(&sb);
	return s;
}

static const struct binary_case {
	const char *fields;
	const char *element;     /* BINARY2 or BINARY */
	const char *bytes;       /* the stream, as C string escapes; length in n */
	size_t n;
	int rc;
	const char *expect;      /* the row lines, or a substring of the message */
} binary_cases[] = {
	/* null flags: first column in the most significant bit */
	{ "<FIELD name=\"a\" datatype=\"short\"/><FIELD name=\"b\" datatype=\"char\" arraysize=\"*\"/>", "BINARY2",
	  "\x80\x00\x00\x00\x00\x00\x02hi" "\x40\x00\x07\x00\x00\x00\x00", 16, TR_OK, "1: NULL \"hi\"\n2: 7 NULL\n" },
	/* nine columns: two flag bytes */
	{ "<FIELD name=\"a\" datatype=\"unsignedByte\"/><FIELD name=\"b\" datatype=\"unsignedByte\"/>"
	  "<FIELD name=\"c\" datatype=\"unsignedByte\"/><FIELD name=\"d\" datatype=\"unsignedByte\"/>"
	  "<FIELD name=\"e\" datatype=\"unsignedByte\"/><FIELD name=\"f\" datatype=\"unsignedByte\"/>"
	  "<FIELD name=\"g\" datatype=\"unsignedByte\"/><FIELD name=\"h\" datatype=\"unsignedByte\"/>"
	  "<FIELD name=\"i\" datatype=\"unsignedByte\"/>", "BINARY2",
	  "\x01\x80" "\x01\x02\x03\x04\x05\x06\x07\x08\x09", 11, TR_OK, "1: 1 2 3 4 5 6 7 NULL NULL\n" },
	/* fixed strings end at NUL; unicodeChar is UTF-16BE with surrogate pairs */
	{ "<FIELD name=\"a\" datatype=\"char\" arraysize=\"4\"/><FIELD name=\"u\" datatype=\"unicodeChar\" arraysize=\"*\"/>",
	  "BINARY2", "\x00" "ab\x00z" "\x00\x00\x00\x03\x00\xE9\xD8\x3D\xDE\x00", 15, TR_OK,
	  "1: \"ab\" \"\\xC3\\xA9\\xF0\\x9F\\x98\\x80\"\n" },
	/* bits packed, most significant first; variable bit array with its count of bits */
	{ "<FIELD name=\"a\" datatype=\"bit\" arraysize=\"10\"/><FIELD name=\"b\" datatype=\"bit\" arraysize=\"*\"/>",
	  "BINARY2", "\x00\xA5\xC0\x00\x00\x00\x03\x60", 8, TR_OK, "1: [1 0 1 0 0 1 0 1 1 1] [0 1 1]\n" },
	/* booleans: T/t/1, F/f/0, and '?', ' ', NUL for null */
	{ "<FIELD name=\"a\" datatype=\"boolean\" arraysize=\"6\"/><FIELD name=\"b\" datatype=\"boolean\"/>", "BINARY2",
	  "\x00" "t0? \x00" "1" "?", 8, TR_OK, "1: [T F ? ? ? T] NULL\n" },
	{ "<FIELD name=\"b\" datatype=\"boolean\"/>", "BINARY2", "\x00X", 2, TR_EBADREQ,
	  "row 1, column 1 (b): byte 0x58 is not a boolean" },
	/* BINARY: no flags; VALUES null still works */
	{ "<FIELD name=\"a\" datatype=\"int\"><VALUES null=\"-1\"/></FIELD><FIELD name=\"b\" datatype=\"double\"/>", "BINARY",
	  "\xff\xff\xff\xff\x3f\xf8\x00\x00\x00\x00\x00\x00" "\x00\x00\x00\x05\x7f\xf8\x00\x00\x00\x00\x00\x00", 24, TR_OK,
	  "1: NULL 1.5\n2: 5 nan\n" },
	/* zero rows */
	{ "<FIELD name=\"a\" datatype=\"int\"/>", "BINARY2", "", 0, TR_OK, "end 0\n" },
	/* errors: truncated rows, counts over the bound, invalid text */
	{ "<FIELD name=\"a\" datatype=\"int\"/>", "BINARY2", "\x00\x00\x00\x00\x01\x00\x00", 7, TR_EBADREQ,
	  "VOTable: row 2: the binary data ends inside the row (truncated STREAM)" },
	{ "<FIELD name=\"a\" datatype=\"int\" arraysize=\"2*\"/>", "BINARY2", "\x00\x00\x00\x00\x03", 5, TR_EBADREQ,
	  "row 1, column 1 (a): array length above its arraysize bound" },
	{ "<FIELD name=\"a\" datatype=\"int\" arraysize=\"*\"/>", "BINARY2", "\x00\x7f\xff\xff\xff", 5, TR_ELIMIT,
	  "row 1: longer than" },
	{ "<FIELD name=\"a\" datatype=\"char\" arraysize=\"*\"/>", "BINARY2", "\x00\x00\x00\x00\x02\xC3\x28", 7, TR_EENCODING,
	  "row 1, column 1 (a): invalid UTF-8 in a char value" },
	{ "<FIELD name=\"a\" datatype=\"unicodeChar\" arraysize=\"1\"/>", "BINARY2", "\x00\xD8\x00", 3, TR_EENCODING,
	  "unpaired UTF-16 surrogate 0xD800" },
	{ "<FIELD name=\"a\" datatype=\"char\" arraysize=\"2*\"/>", "BINARY2", "\x00\x00\x00\x00\x03" "abc", 8, TR_EBADREQ,
	  "array length above its arraysize bound" },
};

/* The row lines of a capture: everything after the last field line. */
static const char *rows_of(const char *out)
{
	const char *p = out, *last = NULL;
	while ((p = strstr(p, "\nfield ")) != NULL)
		last = ++p;
	return last ? strchr(last, '\n') + 1 : out;
}

static void test_binary_streams(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_OF(binary_cases); i++) {
		const struct binary_case *bc = &binary_cases[i];
		char *doc = binary_doc(bc->fields, bc->element, (const unsigned char *)bc->bytes, bc->n);
		for (size_t chunk = 0; chunk < 3; chunk++) {
			capture c = { 0 };
			tr_err err = TR_ERR_INIT;
			int rc = read_doc(doc, strlen(doc), chunk, NULL, &c, &err);
			const char *got = rc == TR_OK ? rows_of(strbuf_str(&c.out)) : err.msg;
			bool ok = rc == bc->rc && (rc == TR_OK ? strncmp(got, bc->expect, strlen(bc->expect)) == 0
			                                       : strstr(got, bc->expect) != NULL);
			if (!ok)
				fail_msg("binary case %zu, chunk %zu: code %d:\n%s\nexpected %d:\n%s", i, chunk, rc, got, bc->rc,
				         bc->expect);
			strbuf_free(&c.out);
		}
		free(doc);
	}
}

/* ---- documents that must fail ---------------------------------------------------------------- */

#define HEAD "<VOTABLE><RESOURCE><TABLE><FIELD name=\"a\" datatype=\"int\"/><FIELD name=\"b\" datatype=\"char\" arraysize=\"*\"/><DATA>"
#define TAIL "</DATA></TABLE></RESOURCE></VOTABLE>"

static const struct doc_case {
	const char *doc;
	int rc;
	const char *expect;
} doc_cases[] = {
	/* malformed XML: the position of the damage */
	{ "<VOTABLE><RESOURCE><TABLE>\n<FIELD name=\"a\" datatype=\"int\">\n</RESOURCE>", TR_EBADREQ,
	  "x.vot:3:3: not well-formed XML (mismatched tag)" },
	{ HEAD "<TABLEDATA><TR><TD>1</TD><TD>a & b</TD></TR></TABLEDATA>" TAIL, TR_EBADREQ, "not well-formed XML" },
	{ HEAD "<TABLEDATA><TR><TD>1</TD><TD>x</TD></TR>", TR_EBADREQ, "not well-formed XML (no element found)" },
	{ "", TR_EBADREQ, "x.vot:1:1: not well-formed XML (no element found)" },
	{ "<VOTABLE><RESOURCE><TABLE><FIELD name=\"a\" datatype=\"int\"/><DATA><TABLEDATA><TR><TD>\xff</TD></TR>", TR_EBADREQ,
	  "not well-formed XML (not well-formed (invalid token))" },
	/* structure */
	{ "<html><body/></html>", TR_EBADREQ, "x.vot:1: not a VOTable document: the root element is <html>" },
	{ "<VOTABLE><RESOURCE/></VOTABLE>", TR_EBADREQ, "x.vot: no TABLE in the document" },
	{ "<VOTABLE><RESOURCE><TABLE><DATA><TABLEDATA/></DATA></TABLE></RESOURCE></VOTABLE>", TR_EBADREQ,
	  "x.vot:1: the TABLE has no FIELD" },
	{ "<VOTABLE><RESOURCE><TABLE><FIELD datatype=\"int\"/></TABLE></RESOURCE></VOTABLE>", TR_EBADREQ,
	  "x.vot:1: FIELD 1 has no name" },
	{ HEAD "<TABLEDATA/></DATA><FIELD name=\"c\" datatype=\"int\"/>" "</TABLE></RESOURCE></VOTABLE>", TR_EBADREQ,
	  "FIELD after the table's DATA" },
	/* wrong row widths */
	{ HEAD "<TABLEDATA><TR><TD>1</TD><TD>x</TD></TR>\n<TR><TD>2</TD></TR></TABLEDATA>" TAIL, TR_EBADREQ,
	  "x.vot: row 2: 1 cells (TD), 2 expected, one per FIELD (line 2)" },
	{ HEAD "<TABLEDATA><TR><TD>1</TD><TD>x</TD><TD>y</TD></TR></TABLEDATA>" TAIL, TR_EBADREQ,
	  "x.vot: row 1: more than 2 cells (TD), one per FIELD expected (line 1)" },
	/* type errors carry the row, the column and its name */
	{ HEAD "<TABLEDATA><TR><TD>1</TD><TD>x</TD></TR>\n<TR>\n<TD>1.5</TD><TD>y</TD></TR></TABLEDATA>" TAIL, TR_EBADREQ,
	  "x.vot: row 2, column 1 (a): \"1.5\" is not a valid int (line 3)" },
	/* unsupported data */
	{ HEAD "<FITS><STREAM href=\"file:///x.fits\"/></FITS>" TAIL, TR_EUNSUPPORTED, "FITS data in a VOTable is not supported" },
	{ HEAD "<BINARY2><STREAM href=\"http://example.org/x\"/></BINARY2>" TAIL, TR_EUNSUPPORTED,
	  "remote data (STREAM href) is not supported" },
	{ HEAD "<BINARY2><STREAM encoding=\"gzip\">AAAA</STREAM></BINARY2>" TAIL, TR_EUNSUPPORTED,
	  "STREAM encoding \"gzip\" is not supported" },
	/* base64 */
	{ HEAD "<BINARY2><STREAM encoding=\"base64\">AA*A</STREAM></BINARY2>" TAIL, TR_EBADREQ,
	  "row 1: invalid character '*' (0x2A) in the base64 STREAM" },
	{ HEAD "<BINARY2><STREAM encoding=\"base64\">AAAAAAAAAA==AAAA</STREAM></BINARY2>" TAIL, TR_EBADREQ,
	  "base64 data after the final '=' padding" },
	{ HEAD "<BINARY2><STREAM encoding=\"base64\">A</STREAM></BINARY2>" TAIL, TR_EBADREQ,
	  "the base64 STREAM ends inside a group" },
	{ HEAD "<BINARY2><STREAM encoding=\"base64\">=AAA</STREAM></BINARY2>" TAIL, TR_EBADREQ, "misplaced '='" },
	/* entity declarations are refused (entity expansion) */
	{ "<!DOCTYPE VOTABLE [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><VOTABLE/>", TR_EBADREQ,
	  "entity declarations are not allowed (entity \"a\")" },
	/* undefined entities are XML errors */
	{ "<VOTABLE>&nope;</VOTABLE>", TR_EBADREQ, "undefined entity" },
};

static void test_bad_documents(void **state)
{
	(void)state;
	vot_options opt = { .name = "x.vot" };
	for (size_t i = 0; i < N_OF(doc_cases); i++) {
		for (size_t chunk = 0; chunk < 2; chunk++) {
			capture c = { 0 };
			tr_err err = TR_ERR_INIT;
			int rc = read_doc(doc_cases[i].doc, strlen(doc_cases[i].doc), chunk, &opt, &c, &err);
			if (rc != doc_cases[i].rc || strstr(err.msg, doc_cases[i].expect) == NULL)
				fail_msg("case %zu, chunk %zu: code %d \"%s\", expected %d \"%s\"", i, chunk, rc, err.msg,
				         doc_cases[i].rc, doc_cases[i].expect);
			strbuf_free(&c.out);
		}
	}
}

/* Namespaces (any VOTable version, prefixed or not), skipped elements, only the first TABLE. */
static void test_structure(void **state)
{
	(void)state;
	static const char doc[] =
		"<?xml version=\"1.0\"?>\n"
		"<v:VOTABLE xmlns:v=\"http://www.ivoa.net/xml/VOTable/v1.1\" version=\"1.1\">\n"
		"<v:DESCRIPTION>doc</v:DESCRIPTION><v:INFO name=\"x\" value=\"y\"/>\n"
		"<v:RESOURCE><v:RESOURCE>\n"
		"<v:TABLE name=\"first\" nrows=\"junk\"><v:PARAM name=\"p\" datatype=\"int\" value=\"1\"/>\n"
		"<v:GROUP><v:FIELDref ref=\"a\"/></v:GROUP>\n"
		"<v:FIELD name=\"a\" ID=\"a\" datatype=\"int\"><v:DESCRIPTION>\n  the a\n </v:DESCRIPTION>"
		"<v:VALUES><v:MIN value=\"0\"/></v:VALUES><v:LINK href=\"x\"/></v:FIELD>\n"
		"<v:DATA><v:TABLEDATA><v:TR><v:TD>1<v:junk>9</v:junk></v:TD></v:TR></v:TABLEDATA></v:DATA>\n"
		"<v:INFO name=\"QUERY_STATUS\" value=\"OK\"/></v:TABLE>\n"
		"<v:TABLE name=\"second\"><v:FIELD name=\"b\" datatype=\"nonsense\"/><v:DATA><v:FITS/></v:DATA></v:TABLE>\n"
		"</v:RESOURCE></v:RESOURCE></v:VOTABLE>";
	capture c = { 0 };
	tr_err err = TR_ERR_INIT;
	if (read_doc(doc, strlen(doc), 1, NULL, &c, &err) != TR_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(strbuf_str(&c.out), "table name=first nrows=-1 fields=1 enc=1\n"
	                                         "field a int desc=the a\n"
	                                         "1: 1\n"
	                                         "end 1\n");
	strbuf_free(&c.out);

	/* A table with FIELDs and no DATA: metadata only, zero rows. */
	static const char meta[] = "<VOTABLE><RESOURCE><TABLE><FIELD name=\"a\" datatype=\"int\" unit=\"m\"/></TABLE></RESOURCE></VOTABLE>";
	if (read_doc(meta, strlen(meta), 0, NULL, &c, &err) != TR_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(strbuf_str(&c.out), "table name=- nrows=-1 fields=1 enc=0\nfield a int unit=m\nend 0\n");
	strbuf_free(&c.out);
}

/* ---- limits ----------------------------------------------------------------------------------- */

static void test_limits(void **state)
{
	(void)state;
	/* fields */
	strbuf sb = STRBUF_INIT(0);
	strbuf_puts(&sb, "<VOTABLE><RESOURCE><TABLE>");
	for (int i = 0; i < 5; i++)
		strbuf_printf(&sb, "<FIELD name=\"f%d\" datatype=\"int\"/>", i);
	strbuf_puts(&sb, "</TABLE></RESOURCE></VOTABLE>");
	vot_options opt = { .name = "lim", .max_fields = 4 };
	capture c = { 0 };
	tr_err err = TR_ERR_INIT;
	assert_int_equal(read_doc(strbuf_str(&sb), strbuf_len(&sb), 0, &opt, &c, &err), TR_ELIMIT);
	assert_non_null(strstr(err.msg, "lim:1: more than 4 FIELDs"));
	strbuf_free(&c.out);
	strbuf_free(&sb);

	/* row bytes, TABLEDATA and BINARY2 */
	opt = (vot_options){ .name = "lim", .max_row_bytes = 64 };
	static const char td[] = HEAD "<TABLEDATA><TR><TD>1</TD><TD>0123456789012345678901234567890123456789"
	                              "0123456789012345678901234567890123456789</TD></TR></TABLEDATA>" TAIL;
	tr_err_clear(&err);
	assert_int_equal(read_doc(td, strlen(td), 0, &opt, &c, &err), TR_ELIMIT);
	assert_non_null(strstr(err.msg, "lim: row 1: longer than 64 bytes"));
	strbuf_free(&c.out);
	unsigned char bytes[80] = { 0 };
	bytes[4] = 0x40; /* 64-byte string: with the count and flags over the limit */
	char *doc = binary_doc("<FIELD name=\"s\" datatype=\"char\" arraysize=\"*\"/>", "BINARY2", bytes, 69);
	tr_err_clear(&err);
	assert_int_equal(read_doc(doc, strlen(doc), 0, &opt, &c, &err), TR_ELIMIT);
	assert_non_null(strstr(err.msg, "lim: row 1: longer than 64 bytes"));
	strbuf_free(&c.out);
	free(doc);

	/* nesting depth */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "<VOTABLE>");
	for (int i = 0; i < 70; i++)
		strbuf_puts(&sb, "<RESOURCE>");
	tr_err_clear(&err);
	assert_int_equal(read_doc(strbuf_str(&sb), strbuf_len(&sb), 0, NULL, &c, &err), TR_ELIMIT);
	assert_non_null(strstr(err.msg, "elements nested deeper than 64"));
	strbuf_free(&c.out);
	strbuf_free(&sb);

	/* DESCRIPTION text */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "<VOTABLE><RESOURCE><TABLE><DESCRIPTION>");
	for (int i = 0; i < 70 * 1024; i++)
		strbuf_putc(&sb, 'x');
	strbuf_puts(&sb, "</DESCRIPTION></TABLE></RESOURCE></VOTABLE>");
	tr_err_clear(&err);
	assert_int_equal(read_doc(strbuf_str(&sb), strbuf_len(&sb), 0, NULL, &c, &err), TR_ELIMIT);
	assert_non_null(strstr(err.msg, "DESCRIPTION longer than 65536 bytes"));
	strbuf_free(&c.out);
	strbuf_free(&sb);

	/* metadata of the whole table: 300 FIELDs with 60 KiB descriptions each are over 16 MiB */
	strbuf_init(&sb, 0);
	strbuf_puts(&sb, "<VOTABLE><RESOURCE><TABLE>");
	for (int i = 0; i < 300; i++) {
		strbuf_printf(&sb, "<FIELD name=\"f%d\" datatype=\"int\"><DESCRIPTION>", i);
		char *p = strbuf_reserve(&sb, 60 * 1024);
		assert_non_null(p);
		memset(p, 'd', 60 * 1024);
		strbuf_commit(&sb, 60 * 1024);
		strbuf_puts(&sb, "</DESCRIPTION></FIELD>");
	}
	strbuf_puts(&sb, "</TABLE></RESOURCE></VOTABLE>");
	tr_err_clear(&err);
	assert_int_equal(read_doc(strbuf_str(&sb), strbuf_len(&sb), 0, NULL, &c, &err), TR_ELIMIT);
	assert_non_null(strstr(err.msg, "more than 16777216 bytes of FIELD and TABLE metadata"));
	strbuf_free(&c.out);
	strbuf_free(&sb);
}

/* ---- callbacks and API ------------------------------------------------------------------------ */

static void test_callback_stops(void **state)
{
	(void)state;
	size_t n;
	char *doc = slurp("alltypes.vot", &n);
	capture c = { .stop_at = 3 };
	tr_err err = TR_ERR_INIT;
	assert_int_equal(read_doc(doc, n, 5, NULL, &c, &err), TR_EDB);
	assert_string_equal(err.msg, "consumer refused row 3");
	/* rows 1 and 2 went through, nothing after */
	assert_non_null(strstr(strbuf_str(&c.out), "\n2: "));
	assert_null(strstr(strbuf_str(&c.out), "\n4: "));
	assert_int_equal(c.n_ends, 0);
	strbuf_free(&c.out);

	/* After an error, feed and finish keep returning it. */
	arena *a = arena_create(0, 0);
	capture c2 = { 0 };
	strbuf_init(&c2.out, 0);
	tr_err_clear(&err);
	vot_reader *r = vot_reader_new(a, NULL, &handlers, &c2, &err);
	assert_int_equal(vot_reader_feed(r, "<nope/>", 7, &err), TR_EBADREQ);
	tr_err err2 = TR_ERR_INIT;
	assert_int_equal(vot_reader_feed(r, "<VOTABLE/>", 10, &err2), TR_EBADREQ);
	assert_string_equal(err2.msg, err.msg);
	assert_int_equal(vot_reader_finish(r, &err2), TR_EBADREQ);
	assert_int_equal(vot_reader_rows(r), 0);
	arena_destroy(a);
	strbuf_free(&c2.out);
	strbuf_free(&c.out);
	free(doc);
}

/* No handlers at all: the document is still checked. */
static void test_no_handlers(void **state)
{
	(void)state;
	size_t n;
	char *doc = slurp("alltypes_b2.vot", &n);
	arena *a = arena_create(0, 0);
	tr_err err = TR_ERR_INIT;
	vot_reader *r = vot_reader_new(a, NULL, NULL, NULL, &err);
	assert_non_null(r);
	assert_int_equal(vot_reader_feed(r, doc, n, &err), TR_OK);
	assert_int_equal(vot_reader_finish(r, &err), TR_OK);
	assert_int_equal(vot_reader_rows(r), 4);
	arena_destroy(a);
	free(doc);
}

/* Every arena allocation failing in turn ends in TR_ENOMEM, never a crash or a leak. */
static void test_out_of_memory(void **state)
{
	(void)state;
	size_t n;
	char *doc = slurp("alltypes_b2.vot", &n);
	for (unsigned long k = 1;; k++) {
		capture c = { 0 };
		tr_err err = TR_ERR_INIT;
		arena *a = arena_create(0, 0);
		assert_non_null(a);
		strbuf_init(&c.out, 0);
		arena_fail_after(k);
		vot_reader *r = vot_reader_new(a, NULL, &handlers, &c, &err);
		int rc = r ? vot_reader_feed(r, doc, n, &err) : err.code;
		if (rc == TR_OK)
			rc = vot_reader_finish(r, &err);
		arena_fail_after(0);
		arena_destroy(a);
		strbuf_free(&c.out);
		if (rc == TR_OK) {
			assert_true(k > 5);
			break;
		}
		if (rc != TR_ENOMEM)
			fail_msg("allocation %lu: code %d %s", k, rc, err.msg);
	}
	free(doc);
}

/* ---- types ------------------------------------------------------------------------------------ */

static void test_types(void **state)
{
	(void)state;
	for (int dt = 0; dt < VOT_N_DATATYPES; dt++) {
		vot_datatype back;
		assert_true(vot_datatype_from_name(vot_datatype_name((vot_datatype)dt), &back));
		assert_int_equal(back, dt);
	}
	vot_datatype d;
	assert_false(vot_datatype_from_name("Int", &d));
	assert_null(vot_datatype_name((vot_datatype)99));

	static const struct {
		const char *s;
		bool ok, var;
		uint32_t step, max, size;
	} shapes[] = {
		{ NULL, true, false, 1, 1, 0 },     { "1", true, false, 1, 1, 1 },
		{ "10", true, false, 1, 10, 10 },   { "10*", true, true, 1, 10, 10 },
		{ "*", true, true, 1, VOT_UNBOUNDED, 0 }, { "3x4", true, false, 3, 12, 0 },
		{ "3x4*", true, true, 3, 12, 0 },   { "3x*", true, true, 3, VOT_UNBOUNDED, 0 },
		{ "", false, false, 0, 0, 0 },      { "0", false, false, 0, 0, 0 },
		{ "0*", false, false, 0, 0, 0 },    { "x3", false, false, 0, 0, 0 },
		{ "3x", false, false, 0, 0, 0 },    { "*3", false, false, 0, 0, 0 },
		{ "3 ", false, false, 0, 0, 0 },    { "-1", false, false, 0, 0, 0 },
	};
	for (size_t i = 0; i < N_OF(shapes); i++) {
		vot_shape s;
		bool ok = vot_shape_parse(shapes[i].s, &s);
		if (ok != shapes[i].ok)
			fail_msg("shape \"%s\": %d", shapes[i].s ? shapes[i].s : "(null)", ok);
		if (!ok)
			continue;
		assert_int_equal(s.is_variable, shapes[i].var);
		assert_int_equal(s.step, shapes[i].step);
		assert_int_equal(s.max, shapes[i].max);
		assert_int_equal(vot_shape_size(&s), shapes[i].size);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_alltypes_tabledata),
		cmocka_unit_test(test_alltypes_binary2),
		cmocka_unit_test(test_alltypes_binary),
		cmocka_unit_test(test_read_source),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_binary_streams),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_no_handlers),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
