/* test_out_votable: the VOTable 1.4 writer, TABLEDATA and BINARY2 (src/out/votable.c).
 *
 * Exact bytes of a small document in both serializations (the BINARY2 stream decoded by a base64
 * decoder of this file and compared byte by byte: null flags, big-endian values, counts);
 * every datatype with values, NULLs and edge values; awkward strings read back through expat;
 * empty results, overflow, a mid-stream error after rows, the error document before any row, and
 * derived IDs.  Every document produced here is parsed with expat. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../out/memsink.h"
#include "out/writer.h"

#include <expat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers --------------------------------------------------------------------------------- */

/* Writes a whole document with the given rows; returns what end() returned. */
static int write_doc(out_format fmt, const out_field *fields, size_t n_fields, const out_value *rows,
                     size_t n_rows, const out_info *info, out_status status, const char *msg, bool overflow,
                     memsink *m)
{
	tr_err err = TR_ERR_INIT;
	memsink_init(m, 0);
	tr_sink sink = memsink_sink(m);
	out_writer *w = out_writer_open(fmt, &sink, NULL, &err);
	assert_non_null(w);
	assert_int_equal(out_writer_begin(w, fields, n_fields, info, &err), TR_OK);
	for (size_t r = 0; r < n_rows; r++)
		assert_int_equal(out_writer_row(w, rows + r * n_fields, &err), TR_OK);
	int rc = out_writer_end(w, status, msg, overflow, &err);
	assert_int_equal(out_writer_rows(w), n_rows);
	out_writer_free(w);
	return rc;
}

/* Text content of every TD, in document order, as expat decoded it. */
typedef struct parsed {
	strbuf cells[64];
	size_t n_cells;
	int in_td;
	size_t n_tr;
	char last_status[16]; /* value of the last QUERY_STATUS INFO */
	char ids[32][48];
	size_t n_ids;
} parsed;

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	parsed *p = ud;
	if (strcmp(name, "TD") == 0 && p->n_cells < 64) {
		p->in_td = 1;
		strbuf_init(&p->cells[p->n_cells], 0);
	} else if (strcmp(name, "TR") == 0) {
		p->n_tr++;
	}
	int is_status = 0;
	for (int i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], "name") == 0 && strcmp(atts[i + 1], "QUERY_STATUS") == 0)
			is_status = 1;
	for (int i = 0; atts[i]; i += 2) {
		if (is_status && strcmp(atts[i], "value") == 0)
			snprintf(p->last_status, sizeof p->last_status, "%s", atts[i + 1]);
		if (strcmp(atts[i], "ID") == 0 && p->n_ids < 32)
			snprintf(p->ids[p->n_ids++], sizeof p->ids[0], "%s", atts[i + 1]);
	}
}

static void on_end(void *ud, const XML_Char *name)
{
	parsed *p = ud;
	if (strcmp(name, "TD") == 0 && p->in_td) {
		p->in_td = 0;
		p->n_cells++;
	}
}

static void on_text(void *ud, const XML_Char *s, int len)
{
	parsed *p = ud;
	if (p->in_td)
		strbuf_add(&p->cells[p->n_cells], s, (size_t)len);
}

/* Parses doc with expat (fails the test if it is not well-formed) into p. */
static void parse_doc(const strbuf *doc, parsed *p)
{
	memset(p, 0, sizeof *p);
	XML_Parser x = XML_ParserCreate(NULL);
	assert_non_null(x);
	XML_SetUserData(x, p);
	XML_SetElementHandler(x, on_start, on_end);
	XML_SetCharacterDataHandler(x, on_text);
	if (XML_Parse(x, strbuf_str(doc), (int)strbuf_len(doc), 1) != XML_STATUS_OK)
		fail_msg("expat: %s at line %lu:\n%s", XML_ErrorString(XML_GetErrorCode(x)),
		         (unsigned long)XML_GetCurrentLineNumber(x), strbuf_str(doc));
	XML_ParserFree(x);
}

static void parsed_free(parsed *p)
{
	for (size_t i = 0; i < p->n_cells; i++)
		strbuf_free(&p->cells[i]);
}

/* The base64 text between <STREAM ...> and </STREAM>, decoded. */
static size_t stream_bytes(const strbuf *doc, unsigned char *out, size_t cap)
{
	const char *s = strstr(strbuf_str(doc), "<STREAM encoding=\"base64\">");
	assert_non_null(s);
	s = strchr(s, '>') + 1;
	const char *e = strstr(s, "</STREAM>");
	assert_non_null(e);
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t k = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;
	for (; s < e; s++) {
		if (*s == '\n')
			continue;
		if (*s == '=') {
			pad++;
			continue;
		}
		const char *v = strchr(alphabet, *s);
		if (v == NULL || *s == '\0' || pad)
			fail_msg("bad base64 character 0x%02x", (unsigned char)*s);
		acc = (acc << 6) | (unsigned)(v - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			assert_true(k < cap);
			out[k++] = (unsigned char)(acc >> bits);
		}
	}
	return k;
}

/* An expected byte string, built with plain appends. */
typedef struct bytes {
	unsigned char b[2048];
	size_t n;
} bytes;

/* v as n big-endian bytes; n may exceed 8 (zero bytes in front) to write runs of zeros. */
static void be(bytes *x, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t shift = 8 * (n - 1 - i);
		x->b[x->n++] = shift < 64 ? (unsigned char)(v >> shift) : 0;
	}
}

static void raw(bytes *x, const char *s, size_t n)
{
	memcpy(x->b + x->n, s, n);
	x->n += n;
}

static void f64(bytes *x, double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	be(x, u, 8);
}

static void f32(bytes *x, float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	be(x, u, 4);
}

static void assert_bytes(const unsigned char *got, size_t n, const bytes *want)
{
	for (size_t i = 0; i < n && i < want->n; i++)
		if (got[i] != want->b[i])
			fail_msg("byte %zu: 0x%02x, expected 0x%02x", i, got[i], want->b[i]);
	assert_int_equal(n, want->n);
}

#define TEXT(s) { .v.bytes = { s, sizeof(s) - 1 } }
#define NUL { .is_null = true }

/* ---- a small table, exact bytes ---------------------------------------------------------------- */

static const out_field small_fields[] = {
	{ .name = "id", .datatype = OUT_DT_LONG, .kind = OUT_KIND_INT64, .ucd = "meta.id;meta.main" },
	{ .name = "ra", .datatype = OUT_DT_DOUBLE, .kind = OUT_KIND_DOUBLE, .unit = "deg", .ucd = "pos.eq.ra",
	  .description = "Right ascension <ICRS>" },
	{ .name = "name", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES, .utype = "x:y" },
};

static const out_info small_info = { .query = "SELECT id, ra, name\n\tFROM t WHERE name <> 'x'",
                                     .server = "taproom 0.1.0" };

static const char small_head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<VOTABLE version=\"1.4\" xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\">\n"
	"<RESOURCE type=\"results\">\n"
	"<INFO name=\"QUERY_STATUS\" value=\"OK\"/>\n"
	"<INFO name=\"QUERY\" value=\"SELECT id, ra, name&#10;&#9;FROM t WHERE name &lt;&gt; &apos;x&apos;\"/>\n"
	"<INFO name=\"server\" value=\"taproom 0.1.0\"/>\n"
	"<TABLE>\n"
	"<FIELD name=\"id\" ID=\"id\" datatype=\"long\" ucd=\"meta.id;meta.main\"/>\n"
	"<FIELD name=\"ra\" ID=\"ra\" datatype=\"double\" unit=\"deg\" ucd=\"pos.eq.ra\">\n"
	"<DESCRIPTION>Right ascension &lt;ICRS&gt;</DESCRIPTION>\n"
	"</FIELD>\n"
	"<FIELD name=\"name\" ID=\"name\" datatype=\"char\" arraysize=\"*\" utype=\"x:y\"/>\n"
	"<DATA>\n";

static void small_rows(out_value rows[6])
{
	memset(rows, 0, 6 * sizeof rows[0]);
	rows[0].v.i64 = 1;
	rows[1].v.f64 = 0.1;
	rows[2].v.bytes.p = "a<b&c";
	rows[2].v.bytes.n = 5;
	rows[3].is_null = true;
	rows[4].v.f64 = NAN;
	rows[5].is_null = true;
}

static void test_small_tabledata(void **state)
{
	(void)state;
	out_value rows[6];
	small_rows(rows);
	memsink m;
	assert_int_equal(write_doc(OUT_VOTABLE_TABLEDATA, small_fields, 3, rows, 2, &small_info, OUT_STATUS_OK, NULL,
	                           false, &m), TR_OK);
	strbuf want = STRBUF_INIT(0);
	strbuf_puts(&want, small_head);
	strbuf_puts(&want, "<TABLEDATA>\n"
	                   "<TR><TD>1</TD><TD>0.1</TD><TD>a&lt;b&amp;c</TD></TR>\n"
	                   "<TR><TD/><TD>NaN</TD><TD/></TR>\n"
	                   "</TABLEDATA>\n</DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n");
	assert_string_equal(strbuf_str(&m.sb), strbuf_str(&want));
	parsed p;
	parse_doc(&m.sb, &p);
	assert_int_equal(p.n_tr, 2);
	assert_string_equal(p.last_status, "OK");
	assert_string_equal(strbuf_str(&p.cells[2]), "a<b&c");
	parsed_free(&p);
	strbuf_free(&want);
	memsink_free(&m);
}

static void test_small_binary2(void **state)
{
	(void)state;
	out_value rows[6];
	small_rows(rows);
	memsink m;
	assert_int_equal(write_doc(OUT_VOTABLE_BINARY2, small_fields, 3, rows, 2, &small_info, OUT_STATUS_OK, NULL,
	                           true, &m), TR_OK);
	const char *doc = strbuf_str(&m.sb);
	assert_memory_equal(doc, small_head, sizeof small_head - 1);
	const char *rest = doc + sizeof small_head - 1;
	/* 1 + 8 + 8 + 4 + 5 + 1 + 8 + 8 + 4 = 47 bytes: one line of 64 base64 characters */
	assert_string_equal(rest, "<BINARY2>\n<STREAM encoding=\"base64\">\n"
	                          "AAAAAAAAAAABP7mZmZmZmZoAAAAFYTxiJmOgAAAAAAAAAAB/+AAAAAAAAAAAAAA=\n"
	                          "</STREAM>\n</BINARY2>\n</DATA>\n</TABLE>\n"
	                          "<INFO name=\"QUERY_STATUS\" value=\"OVERFLOW\"/>\n</RESOURCE>\n</VOTABLE>\n");
	unsigned char got[256];
	size_t n = stream_bytes(&m.sb, got, sizeof got);
	bytes want = { .n = 0 };
	be(&want, 0x00, 1); /* no nulls */
	be(&want, 1, 8);
	f64(&want, 0.1);
	be(&want, 5, 4);
	raw(&want, "a<b&c", 5);
	be(&want, 0xA0, 1); /* columns 1 and 3 null: bits 7 and 5 of the first flag byte */
	be(&want, 0, 8);    /* a null long: zero bytes */
	be(&want, 0x7FF8000000000000u, 8); /* NaN, not null */
	be(&want, 0, 4);    /* a null variable array: count 0 */
	assert_bytes(got, n, &want);
	parsed p;
	parse_doc(&m.sb, &p);
	assert_string_equal(p.last_status, "OVERFLOW");
	parsed_free(&p);
	memsink_free(&m);
}

/* ---- numeric arrays and complex values (uploaded and imported tables) --------------------------- */

static const out_field arr_fields[] = {
	{ .name = "sv", .datatype = OUT_DT_SHORT, .arraysize = "*", .kind = OUT_KIND_LONGS },
	{ .name = "i22", .datatype = OUT_DT_INT, .arraysize = "2x2", .kind = OUT_KIND_LONGS },
	{ .name = "fc", .datatype = OUT_DT_FLOAT_COMPLEX, .kind = OUT_KIND_DOUBLES },
	{ .name = "dcv", .datatype = OUT_DT_DOUBLE_COMPLEX, .arraysize = "*", .kind = OUT_KIND_DOUBLES },
	{ .name = "f2v", .datatype = OUT_DT_FLOAT, .arraysize = "2x*", .kind = OUT_KIND_DOUBLES },
};
#define N_ARR (sizeof arr_fields / sizeof arr_fields[0])

static const int64_t sv1[] = { -32768, 32767, 0 };
static const int64_t i22[] = { 1, -2, 3, 2147483647 };
static const double fc1[] = { 1.5, -0.25 };
static const double dcv1[] = { 1, 2, 3, 4 };
static const double f2v1[] = { 0.5, 1, 2, 4 };

static const out_value arr_rows[2 * N_ARR] = {
	{ .v.longs = { sv1, 3 } }, { .v.longs = { i22, 4 } }, { .v.doubles = { fc1, 2 } },
	{ .v.doubles = { dcv1, 4 } }, { .v.doubles = { f2v1, 4 } },
	NUL, NUL, NUL, NUL, NUL,
};

static void test_numeric_arrays_tabledata(void **state)
{
	(void)state;
	memsink m;
	assert_int_equal(write_doc(OUT_VOTABLE_TABLEDATA, arr_fields, N_ARR, arr_rows, 2, NULL, OUT_STATUS_OK, NULL,
	                           false, &m), TR_OK);
	const char *doc = strbuf_str(&m.sb);
	assert_non_null(strstr(doc, "<FIELD name=\"i22\" ID=\"i22\" datatype=\"int\" arraysize=\"2x2\"/>\n"));
	assert_non_null(strstr(doc, "<FIELD name=\"fc\" ID=\"fc\" datatype=\"floatComplex\"/>\n"));
	const char *rows = strstr(doc, "<TABLEDATA>\n");
	assert_non_null(rows);
	/* a NULL fixed integer array has no NaN: an empty cell */
	assert_string_equal(rows, "<TABLEDATA>\n"
		"<TR><TD>-32768 32767 0</TD><TD>1 -2 3 2147483647</TD><TD>1.5 -0.25</TD><TD>1 2 3 4</TD>"
		"<TD>0.5 1 2 4</TD></TR>\n"
		"<TR><TD/><TD/><TD/><TD/><TD/></TR>\n"
		"</TABLEDATA>\n</DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n");
	memsink_free(&m);
}

static void test_numeric_arrays_binary2(void **state)
{
	(void)state;
	memsink m;
	assert_int_equal(write_doc(OUT_VOTABLE_BINARY2, arr_fields, N_ARR, arr_rows, 2, NULL, OUT_STATUS_OK, NULL,
	                           false, &m), TR_OK);
	unsigned char got[256];
	size_t n = stream_bytes(&m.sb, got, sizeof got);
	bytes want = { .n = 0 };
	be(&want, 0x00, 1);
	be(&want, 3, 4); /* short[*]: count, then 2 bytes each */
	be(&want, 0x8000, 2);
	be(&want, 0x7FFF, 2);
	be(&want, 0, 2);
	for (size_t k = 0; k < 4; k++) /* int[2x2]: fixed, no count */
		be(&want, (uint32_t)(int32_t)i22[k], 4);
	f32(&want, 1.5f); /* floatComplex: real, imaginary */
	f32(&want, -0.25f);
	be(&want, 2, 4); /* doubleComplex[*]: the count is of complex numbers (VOTable 1.4 §5.3) */
	for (size_t k = 0; k < 4; k++)
		f64(&want, dcv1[k]);
	be(&want, 2, 4); /* float[2x*]: the count is of the last dimension */
	for (size_t k = 0; k < 4; k++)
		f32(&want, (float)f2v1[k]);
	be(&want, 0xF8, 1); /* row 2: all five null */
	be(&want, 0, 4);
	for (size_t k = 0; k < 4; k++)
		be(&want, 0, 4);
	f32(&want, NAN);
	f32(&want, NAN);
	be(&want, 0, 4);
	be(&want, 0, 4);
	assert_bytes(got, n, &want);
	memsink_free(&m);
}

static void test_numeric_arrays_checked(void **state)
{
	(void)state;
	static const int64_t too_big[] = { 1, 40000 };
	static const double odd[] = { 1, 2, 3 };
	struct {
		const out_field *f;
		out_value v;
	} cases[] = {
		{ &arr_fields[0], { .v.longs = { too_big, 2 } } }, /* out of the short range */
		{ &arr_fields[1], { .v.longs = { i22, 3 } } },     /* 2x2 wants 4 */
		{ &arr_fields[2], { .v.doubles = { odd, 3 } } },   /* a complex scalar is one pair */
		{ &arr_fields[3], { .v.doubles = { odd, 3 } } },   /* complex numbers come in pairs */
		{ &arr_fields[4], { .v.doubles = { odd, 3 } } },   /* 2x*: whole steps of 2 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memsink m;
		memsink_init(&m, 0);
		tr_sink sink = memsink_sink(&m);
		tr_err err = TR_ERR_INIT;
		out_writer *w = out_writer_open(OUT_VOTABLE_BINARY2, &sink, NULL, &err);
		assert_non_null(w);
		assert_int_equal(out_writer_begin(w, cases[i].f, 1, NULL, &err), TR_OK);
		assert_int_equal(out_writer_row(w, &cases[i].v, &err), TR_EINTERNAL);
		assert_int_equal(out_writer_rows(w), 0);
		out_writer_free(w);
		memsink_free(&m);
	}
}

/* ---- every datatype ---------------------------------------------------------------------------- */

static const out_field all_fields[] = {
	{ .name = "bool", .datatype = OUT_DT_BOOLEAN, .kind = OUT_KIND_INT64 },
	{ .name = "bit", .datatype = OUT_DT_BIT, .kind = OUT_KIND_UINT64 },
	{ .name = "bits", .datatype = OUT_DT_BIT, .arraysize = "10", .kind = OUT_KIND_UINT64 },
	{ .name = "ub", .datatype = OUT_DT_UNSIGNED_BYTE, .kind = OUT_KIND_INT64 },
	{ .name = "blob", .datatype = OUT_DT_UNSIGNED_BYTE, .arraysize = "*", .kind = OUT_KIND_BYTES },
	{ .name = "short", .datatype = OUT_DT_SHORT, .kind = OUT_KIND_INT64 },
	{ .name = "int", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
	{ .name = "long", .datatype = OUT_DT_LONG, .kind = OUT_KIND_INT64 },
	{ .name = "ulong", .datatype = OUT_DT_LONG, .kind = OUT_KIND_UINT64 },
	{ .name = "flt", .datatype = OUT_DT_FLOAT, .kind = OUT_KIND_FLOAT },
	{ .name = "dbl", .datatype = OUT_DT_DOUBLE, .kind = OUT_KIND_DOUBLE },
	{ .name = "txt", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
	{ .name = "fix", .datatype = OUT_DT_CHAR, .arraysize = "4", .kind = OUT_KIND_BYTES },
	{ .name = "uni", .datatype = OUT_DT_UNICODE_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
	{ .name = "ts", .datatype = OUT_DT_CHAR, .arraysize = "*", .xtype = "timestamp", .kind = OUT_KIND_BYTES },
	{ .name = "pt", .datatype = OUT_DT_DOUBLE, .arraysize = "2", .xtype = "point", .unit = "deg",
	  .kind = OUT_KIND_DOUBLES },
	{ .name = "poly", .datatype = OUT_DT_DOUBLE, .arraysize = "*", .xtype = "polygon", .kind = OUT_KIND_DOUBLES },
	{ .name = "fcirc", .datatype = OUT_DT_FLOAT, .arraysize = "3", .xtype = "circle", .kind = OUT_KIND_DOUBLES },
	{ .name = "ch1", .datatype = OUT_DT_CHAR, .kind = OUT_KIND_BYTES },
	{ .name = "bnd", .datatype = OUT_DT_UNICODE_CHAR, .arraysize = "3*", .kind = OUT_KIND_BYTES },
};
#define N_ALL (sizeof all_fields / sizeof all_fields[0])

static const double pt1[] = { 10.5, -20.25 };
static const double poly1[] = { 1, 2, 3, 4, 5, 6 };
static const double circ1[] = { 1.5, 2.5, 0.1 };
static const double pt3[] = { NAN, 1 };
static const double circ3[] = { INFINITY, -INFINITY, 0 };

static const out_value all_rows[3 * N_ALL] = {
	/* row 1: values */
	{ .v.i64 = 7 }, { .v.u64 = 1 }, { .v.u64 = 513 }, { .v.i64 = 255 }, { .v.bytes = { "\0\1\377", 3 } },
	{ .v.i64 = INT16_MIN }, { .v.i64 = INT32_MAX }, { .v.i64 = INT64_MIN }, { .v.u64 = 42 }, { .v.f32 = 0.1f },
	{ .v.f64 = 0.1 }, TEXT("a<b&c"), TEXT("abcdef"), TEXT("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
	TEXT("2020-01-02 03:04:05"), { .v.doubles = { pt1, 2 } }, { .v.doubles = { poly1, 6 } },
	{ .v.doubles = { circ1, 3 } }, TEXT("x"), TEXT("\xCE\xB1\xCE\xB2\xCE\xB3\xCE\xB4"),
	/* row 2: every column NULL */
	NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL,
	/* row 3: zeros, empties, special floats */
	{ .v.i64 = 0 }, { .v.u64 = 0 }, { .v.u64 = 0 }, { .v.i64 = 0 }, { .v.bytes = { NULL, 0 } }, { .v.i64 = 0 },
	{ .v.i64 = -1 }, { .v.i64 = 0 }, { .v.u64 = INT64_MAX }, { .v.f32 = NAN }, { .v.f64 = -INFINITY }, TEXT(""),
	TEXT(""), TEXT(""), TEXT("2020-01-02"), { .v.doubles = { pt3, 2 } }, { .v.doubles = { NULL, 0 } },
	{ .v.doubles = { circ3, 3 } }, TEXT(""), TEXT("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"),
};

static void test_all_types_tabledata(void **state)
{
	(void)state;
	memsink m;
	assert_int_equal(write_doc(OUT_VOTABLE_TABLEDATA, all_fields, N_ALL, all_rows, 3, NULL, OUT_STATUS_OK, NULL,
	                           false, &m), TR_OK);
	const char *doc = strbuf_str(&m.sb);
	assert_non_null(strstr(doc, "<FIELD name=\"pt\" ID=\"pt\" datatype=\"double\" arraysize=\"2\" "
	                            "xtype=\"point\" unit=\"deg\"/>\n"));
	assert_non_null(strstr(doc, "<FIELD name=\"bnd\" ID=\"bnd\" datatype=\"unicodeChar\" arraysize=\"3*\"/>\n"));
	const char *rows = strstr(doc, "<TABLEDATA>\n");
	assert_non_null(rows);
	assert_string_equal(rows,
		"<TABLEDATA>\n"
		"<TR><TD>T</TD><TD>1</TD><TD>1000000001</TD><TD>255</TD><TD>0 1 255</TD><TD>-32768</TD>"
		"<TD>2147483647</TD><TD>-9223372036854775808</TD><TD>42</TD><TD>0.1</TD><TD>0.1</TD>"
		"<TD>a&lt;b&amp;c</TD><TD>abcd</TD><TD>\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80</TD>"
		"<TD>2020-01-02T03:04:05</TD><TD>10.5 -20.25</TD><TD>1 2 3 4 5 6</TD><TD>1.5 2.5 0.1</TD>"
		"<TD>x</TD><TD>\xCE\xB1\xCE\xB2\xCE\xB3</TD></TR>\n"
		"<TR><TD/><TD/><TD/><TD/><TD/><TD/><TD/><TD/><TD/><TD/><TD/><TD/><TD/><TD/><TD/>"
		"<TD>NaN NaN</TD><TD>NaN NaN NaN NaN NaN NaN</TD><TD>NaN NaN NaN</TD><TD/><TD/></TR>\n"
		"<TR><TD>F</TD><TD>0</TD><TD>0000000000</TD><TD>0</TD><TD></TD><TD>0</TD><TD>-1</TD><TD>0</TD>"
		"<TD>9223372036854775807</TD><TD>NaN</TD><TD>-Inf</TD><TD></TD><TD></TD><TD></TD>"
		"<TD>2020-01-02</TD><TD>NaN 1</TD><TD></TD><TD>+Inf -Inf 0</TD><TD></TD>"
		"<TD>\xF0\x9F\x98\x80</TD></TR>\n"
		"</TABLEDATA>\n</DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n");
	parsed p;
	parse_doc(&m.sb, &p);
	assert_int_equal(p.n_tr, 3);
	assert_int_equal(p.n_ids, N_ALL);
	parsed_free(&p);
	memsink_free(&m);
}

static void test_all_types_binary2(void **state)
{
	(void)state;
	memsink m;
	assert_int_equal(write_doc(OUT_VOTABLE_BINARY2, all_fields, N_ALL, all_rows, 3, NULL, OUT_STATUS_OK, NULL,
	                           false, &m), TR_OK);
	unsigned char got[2048];
	size_t n = stream_bytes(&m.sb, got, sizeof got);
	bytes w = { .n = 0 };
	/* row 1 */
	be(&w, 0, 3);              /* 20 columns: 3 flag bytes, none set */
	raw(&w, "T", 1);
	be(&w, 0x80, 1);           /* bit scalar 1: the most significant bit */
	be(&w, 0x8040, 2);         /* 1000000001: bits 0 and 9 */
	be(&w, 255, 1);
	be(&w, 3, 4);
	raw(&w, "\0\1\377", 3);
	be(&w, 0x8000, 2);
	be(&w, 0x7FFFFFFF, 4);
	be(&w, 0x8000000000000000u, 8);
	be(&w, 42, 8);
	f32(&w, 0.1f);
	f64(&w, 0.1);
	be(&w, 5, 4);
	raw(&w, "a<b&c", 5);
	raw(&w, "abcd", 4);        /* char[4]: truncated, no count */
	be(&w, 4, 4);              /* é € and a surrogate pair: 4 UTF-16 units */
	be(&w, 0x00E920ACD83DDE00u, 8);
	be(&w, 19, 4);
	raw(&w, "2020-01-02T03:04:05", 19);
	f64(&w, 10.5);
	f64(&w, -20.25);
	be(&w, 6, 4);
	for (int i = 1; i <= 6; i++)
		f64(&w, i);
	f32(&w, 1.5f);
	f32(&w, 2.5f);
	f32(&w, 0.1f);
	raw(&w, "x", 1);
	be(&w, 3, 4);              /* unicodeChar 3*: alpha beta gamma, delta cut */
	be(&w, 0x03B103B203B3u, 6);
	/* row 2: all null */
	be(&w, 0xFFFFF0, 3);
	be(&w, 0, 1 + 1 + 2 + 1 + 4 + 2 + 4 + 8 + 8);
	f32(&w, NAN);
	f64(&w, NAN);
	be(&w, 0, 4);              /* txt count */
	be(&w, 0, 4);              /* fix: 4 NUL bytes */
	be(&w, 0, 4 + 4);          /* uni, ts counts */
	f64(&w, NAN);
	f64(&w, NAN);
	be(&w, 0, 4);              /* poly count */
	f32(&w, NAN);
	f32(&w, NAN);
	f32(&w, NAN);
	be(&w, 0, 1 + 4);          /* ch1 NUL, bnd count */
	/* row 3 */
	be(&w, 0, 3);
	raw(&w, "F", 1);
	be(&w, 0, 1 + 2 + 1);
	be(&w, 0, 4);              /* empty blob */
	be(&w, 0, 2);
	be(&w, 0xFFFFFFFF, 4);
	be(&w, 0, 8);
	be(&w, 0x7FFFFFFFFFFFFFFFu, 8);
	f32(&w, NAN);
	f64(&w, -INFINITY);
	be(&w, 0, 4);
	be(&w, 0, 4);              /* fix: empty, padded */
	be(&w, 0, 4);
	be(&w, 10, 4);
	raw(&w, "2020-01-02", 10);
	f64(&w, NAN);
	f64(&w, 1);
	be(&w, 0, 4);
	f32(&w, INFINITY);
	f32(&w, -INFINITY);
	f32(&w, 0);
	be(&w, 0, 1);              /* ch1: empty string, a NUL byte */
	be(&w, 2, 4);              /* bnd: one surrogate pair fits in 3 units, the second does not */
	be(&w, 0xD83DDE00u, 4);
	assert_bytes(got, n, &w);
	parsed p;
	parse_doc(&m.sb, &p);
	parsed_free(&p);
	memsink_free(&m);
}

/* ---- strings that need care ----------------------------------------------------------------- */

static void test_awkward_strings(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n;
		const char *xml;  /* TD content as written */
		const char *back; /* what an XML parser reads */
	} cases[] = {
		{ "\"quoted\" 'single'", 17, "&quot;quoted&quot; &apos;single&apos;", "\"quoted\" 'single'" },
		{ "<&>", 3, "&lt;&amp;&gt;", "<&>" },
		{ "]]>", 3, "]]&gt;", "]]>" },
		{ "tab\there", 8, "tab\there", "tab\there" },
		{ "line\nbreak", 10, "line\nbreak", "line\nbreak" },
		{ "cr\r\nlf", 6, "cr&#13;\nlf", "cr\r\nlf" },
		{ "nul\0inside", 10, "nul\xEF\xBF\xBDinside", "nul\xEF\xBF\xBDinside" },
		{ "c0 \x01\x1B\x7F", 6, "c0 \xEF\xBF\xBD\xEF\xBF\xBD\x7F", "c0 \xEF\xBF\xBD\xEF\xBF\xBD\x7F" },
		{ "bad \xFF\xC3", 6, "bad \xEF\xBF\xBD\xEF\xBF\xBD", "bad \xEF\xBF\xBD\xEF\xBF\xBD" },
		{ "\xEF\xBF\xBE", 3, "\xEF\xBF\xBD", "\xEF\xBF\xBD" },
		{ "caf\xC3\xA9 \xE2\x82\xAC", 9, "caf\xC3\xA9 \xE2\x82\xAC", "caf\xC3\xA9 \xE2\x82\xAC" },
		{ "  spaces  ", 10, "  spaces  ", "  spaces  " },
	};
	static const out_field f[] = {
		{ .name = "s", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
		{ .name = "u", .datatype = OUT_DT_UNICODE_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
	};
	enum { N = sizeof cases / sizeof cases[0] };
	out_value rows[2 * N];
	for (size_t i = 0; i < N; i++) {
		rows[2 * i] = (out_value){ .v.bytes = { cases[i].in, cases[i].n } };
		rows[2 * i + 1] = rows[2 * i];
	}
	memsink m;
	write_doc(OUT_VOTABLE_TABLEDATA, f, 2, rows, N, NULL, OUT_STATUS_OK, NULL, false, &m);
	for (size_t i = 0; i < N; i++) {
		char want[128];
		snprintf(want, sizeof want, "<TR><TD>%s</TD><TD>%s</TD></TR>\n", cases[i].xml, cases[i].xml);
		if (strstr(strbuf_str(&m.sb), want) == NULL)
			fail_msg("case %zu: no '%s' in\n%s", i, want, strbuf_str(&m.sb));
	}
	parsed p;
	parse_doc(&m.sb, &p);
	assert_int_equal(p.n_cells, 2 * N);
	for (size_t i = 0; i < N; i++)
		for (int k = 0; k < 2; k++)
			if (strcmp(strbuf_str(&p.cells[2 * i + k]), cases[i].back) != 0)
				fail_msg("case %zu: read back '%s'", i, strbuf_str(&p.cells[2 * i + k]));
	parsed_free(&p);
	memsink_free(&m);

	/* The same strings in BINARY2: char as ASCII with '?' for every other character (VOTable
	 * 1.4 §2.1), unicodeChar as UTF-16BE. */
	write_doc(OUT_VOTABLE_BINARY2, f, 2, rows, N, NULL, OUT_STATUS_OK, NULL, false, &m);
	unsigned char got[4096];
	size_t n = stream_bytes(&m.sb, got, sizeof got), at = 0;
	for (size_t i = 0; i < N; i++) {
		char ascii[64];
		size_t len = 0;
		for (const unsigned char *c = (const unsigned char *)cases[i].back; *c; c++)
			if (*c < 0x80 || (*c & 0xC0) != 0x80) /* one per character: ASCII or a lead byte */
				ascii[len++] = *c < 0x80 ? (char)*c : '?';
		assert_int_equal(got[at], 0); /* flags */
		at++;
		uint32_t count = (uint32_t)got[at] << 24 | (uint32_t)got[at + 1] << 16 | got[at + 2] << 8 | got[at + 3];
		assert_int_equal(count, len);
		assert_memory_equal(got + at + 4, ascii, len);
		at += 4 + len;
		count = (uint32_t)got[at] << 24 | (uint32_t)got[at + 1] << 16 | got[at + 2] << 8 | got[at + 3];
		at += 4 + 2 * count;
	}
	assert_int_equal(at, n);
	memsink_free(&m);
}

/* ---- document shapes ----------------------------------------------------------------------------- */

static const char one_field_head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<VOTABLE version=\"1.4\" xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\">\n"
	"<RESOURCE type=\"results\">\n"
	"<INFO name=\"QUERY_STATUS\" value=\"OK\"/>\n"
	"<TABLE>\n"
	"<FIELD name=\"n\" ID=\"n\" datatype=\"int\"/>\n"
	"<DATA>\n";

static const out_field one_field[] = { { .name = "n", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 } };

static void test_document_shapes(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		out_format fmt;
		size_t rows;
		out_status status;
		const char *msg;
		bool overflow;
		const char *tail; /* after one_field_head */
		const char *status_seen;
	} cases[] = {
		{ "empty tabledata", OUT_VOTABLE_TABLEDATA, 0, OUT_STATUS_OK, NULL, false,
		  "<TABLEDATA>\n</TABLEDATA>\n</DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n", "OK" },
		{ "empty binary2", OUT_VOTABLE_BINARY2, 0, OUT_STATUS_OK, NULL, false,
		  "<BINARY2>\n<STREAM encoding=\"base64\">\n</STREAM>\n</BINARY2>\n</DATA>\n</TABLE>\n"
		  "</RESOURCE>\n</VOTABLE>\n", "OK" },
		{ "maxrec 0: empty with overflow", OUT_VOTABLE_TABLEDATA, 0, OUT_STATUS_OK, NULL, true,
		  "<TABLEDATA>\n</TABLEDATA>\n</DATA>\n</TABLE>\n<INFO name=\"QUERY_STATUS\" value=\"OVERFLOW\"/>\n"
		  "</RESOURCE>\n</VOTABLE>\n", "OVERFLOW" },
		{ "overflow after rows", OUT_VOTABLE_TABLEDATA, 2, OUT_STATUS_OK, NULL, true,
		  "<TABLEDATA>\n<TR><TD>0</TD></TR>\n<TR><TD>1</TD></TR>\n</TABLEDATA>\n</DATA>\n</TABLE>\n"
		  "<INFO name=\"QUERY_STATUS\" value=\"OVERFLOW\"/>\n</RESOURCE>\n</VOTABLE>\n", "OVERFLOW" },
		{ "mid-stream error", OUT_VOTABLE_TABLEDATA, 1, OUT_STATUS_ERROR, "database <gone> & \"lost\"", true,
		  "<TABLEDATA>\n<TR><TD>0</TD></TR>\n</TABLEDATA>\n</DATA>\n</TABLE>\n"
		  "<INFO name=\"QUERY_STATUS\" value=\"ERROR\">database &lt;gone&gt; &amp; &quot;lost&quot;</INFO>\n"
		  "</RESOURCE>\n</VOTABLE>\n", "ERROR" },
		{ "mid-stream error binary2", OUT_VOTABLE_BINARY2, 1, OUT_STATUS_ERROR, "timeout", false,
		  "<BINARY2>\n<STREAM encoding=\"base64\">\nAAAAAAA=\n</STREAM>\n</BINARY2>\n</DATA>\n</TABLE>\n"
		  "<INFO name=\"QUERY_STATUS\" value=\"ERROR\">timeout</INFO>\n</RESOURCE>\n</VOTABLE>\n", "ERROR" },
		{ "error without message", OUT_VOTABLE_TABLEDATA, 0, OUT_STATUS_ERROR, NULL, false,
		  "<TABLEDATA>\n</TABLEDATA>\n</DATA>\n</TABLE>\n"
		  "<INFO name=\"QUERY_STATUS\" value=\"ERROR\">error while writing the result</INFO>\n"
		  "</RESOURCE>\n</VOTABLE>\n", "ERROR" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		out_value rows[2] = { { .v.i64 = 0 }, { .v.i64 = 1 } };
		memsink m;
		write_doc(cases[i].fmt, one_field, 1, rows, cases[i].rows, NULL, cases[i].status, cases[i].msg,
		          cases[i].overflow, &m);
		strbuf want = STRBUF_INIT(0);
		strbuf_puts(&want, one_field_head);
		strbuf_puts(&want, cases[i].tail);
		if (strcmp(strbuf_str(&m.sb), strbuf_str(&want)) != 0)
			fail_msg("case '%s':\n%s", cases[i].name, strbuf_str(&m.sb));
		parsed p;
		parse_doc(&m.sb, &p);
		assert_string_equal(p.last_status, cases[i].status_seen);
		parsed_free(&p);
		strbuf_free(&want);
		memsink_free(&m);
	}
}

static const char error_doc[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<VOTABLE version=\"1.4\" xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\">\n"
	"<RESOURCE type=\"results\">\n"
	"<INFO name=\"QUERY_STATUS\" value=\"ERROR\">syntax error at or near &quot;FORM&quot; &lt;line 1&gt;</INFO>\n"
	"<INFO name=\"QUERY\" value=\"SELECT * FORM t\"/>\n"
	"<INFO name=\"request_id\" value=\"r-17\"/>\n"
	"<INFO name=\"RUNID\" value=\"\"/>\n"
	"</RESOURCE>\n</VOTABLE>\n";

static void test_error_document(void **state)
{
	(void)state;
	static const out_info_item extra[] = { { "RUNID", NULL } };
	const out_info info = { .query = "SELECT * FORM t", .request_id = "r-17", .extra = extra, .n_extra = 1 };
	memsink m;
	memsink_init(&m, 0);
	tr_sink sink = memsink_sink(&m);
	tr_err err = TR_ERR_INIT;
	assert_int_equal(out_write_error_document(&sink, "syntax error at or near \"FORM\" <line 1>", &info, &err), TR_OK);
	assert_string_equal(strbuf_str(&m.sb), error_doc);
	assert_int_equal(m.writes, 1);
	parsed p;
	parse_doc(&m.sb, &p);
	assert_string_equal(p.last_status, "ERROR");
	parsed_free(&p);
	memsink_free(&m);

	/* The same from a writer that never began (any format): the error document, no table. */
	static const out_format fmts[] = { OUT_VOTABLE_TABLEDATA, OUT_VOTABLE_BINARY2, OUT_CSV, OUT_TSV };
	for (size_t i = 0; i < 4; i++) {
		memsink_init(&m, 0);
		sink = memsink_sink(&m);
		out_writer *w = out_writer_open(fmts[i], &sink, NULL, &err);
		assert_int_equal(out_writer_end(w, OUT_STATUS_ERROR, "no such table", false, &err), TR_OK);
		out_writer_free(w);
		assert_non_null(strstr(strbuf_str(&m.sb), "<INFO name=\"QUERY_STATUS\" value=\"ERROR\">no such table</INFO>\n"
		                                          "</RESOURCE>"));
		assert_null(strstr(strbuf_str(&m.sb), "<TABLE>"));
		memsink_free(&m);
	}
	/* A sink that fails */
	memsink_init(&m, 0);
	m.fail_at = 1;
	sink = memsink_sink(&m);
	assert_int_equal(out_write_error_document(&sink, "x", NULL, &err), TR_EIO);
	memsink_free(&m);
}

static void test_derived_ids(void **state)
{
	(void)state;
	static const out_field f[] = {
		{ .name = "ra", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "ra", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "1st col", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "a:b\xC3\xA9", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "ra_2", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "x", .id = "given id", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "ra", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "\"q\"", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
	};
	static const char *const want[] = { "ra", "ra_2", "_1st_col", "a_b__", "ra_2_2", "given_id", "ra_3", "__q_" };
	memsink m;
	write_doc(OUT_VOTABLE_TABLEDATA, f, 8, NULL, 0, NULL, OUT_STATUS_OK, NULL, false, &m);
	parsed p;
	parse_doc(&m.sb, &p);
	assert_int_equal(p.n_ids, 8);
	for (size_t i = 0; i < 8; i++)
		assert_string_equal(p.ids[i], want[i]);
	/* names keep their text, escaped */
	assert_non_null(strstr(strbuf_str(&m.sb), "<FIELD name=\"&quot;q&quot;\" ID=\"__q_\""));
	parsed_free(&p);
	memsink_free(&m);
}

/* A BINARY2 document of many rows: the stream decodes to exactly the rows, wherever the flushes
 * and the base64 line breaks fell. */
static void test_binary2_long_stream(void **state)
{
	(void)state;
	static const out_field f[] = {
		{ .name = "i", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "s", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
	};
	memsink m;
	memsink_init(&m, 0);
	tr_sink sink = memsink_sink(&m);
	tr_err err = TR_ERR_INIT;
	out_options opt = { .flush_bytes = 100 };
	out_writer *w = out_writer_open(OUT_VOTABLE_BINARY2, &sink, &opt, &err);
	assert_int_equal(out_writer_begin(w, f, 2, NULL, &err), TR_OK);
	enum { ROWS = 1000 };
	for (int r = 0; r < ROWS; r++) {
		out_value v[2] = { { .v.i64 = r }, { .is_null = r % 3 == 0, .v.bytes = { "abcdefg", (size_t)(r % 8) } } };
		assert_int_equal(out_writer_row(w, v, &err), TR_OK);
	}
	assert_int_equal(out_writer_end(w, OUT_STATUS_OK, NULL, false, &err), TR_OK);
	assert_true(m.writes > 10);
	out_writer_free(w);
	static unsigned char got[ROWS * 16];
	size_t n = stream_bytes(&m.sb, got, sizeof got), at = 0;
	for (int r = 0; r < ROWS; r++) {
		bool null = r % 3 == 0;
		assert_int_equal(got[at], null ? 0x40 : 0);
		assert_int_equal((got[at + 1] << 24 | got[at + 2] << 16 | got[at + 3] << 8 | got[at + 4]), r);
		size_t len = null ? 0 : (size_t)(r % 8);
		assert_int_equal(got[at + 8], len);
		assert_memory_equal(got + at + 9, "abcdefg", len);
		at += 9 + len;
	}
	assert_int_equal(at, n);
	parsed p;
	parse_doc(&m.sb, &p);
	parsed_free(&p);
	memsink_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_tabledata),
		cmocka_unit_test(test_small_binary2),
		cmocka_unit_test(test_all_types_tabledata),
		cmocka_unit_test(test_all_types_binary2),
		cmocka_unit_test(test_awkward_strings),
		cmocka_unit_test(test_document_shapes),
		cmocka_unit_test(test_error_document),
		cmocka_unit_test(test_derived_ids),
		cmocka_unit_test(test_binary2_long_stream),
		cmocka_unit_test(test_numeric_arrays_tabledata),
		cmocka_unit_test(test_numeric_arrays_binary2),
		cmocka_unit_test(test_numeric_arrays_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
