/* test_out_csv: the CSV (RFC 4180) and TSV (IANA) writers (src/out/csv.c).
 *
 * Exact bytes for a small table in both formats; a table of awkward strings (separators, quotes,
 * line breaks, backslashes, NUL, controls, invalid UTF-8, non-ASCII, empty vs NULL) with the
 * expected field per format; every datatype, NaN/Inf, arrays; an empty result; overflow and a
 * mid-stream error, which add nothing (the formats have no status). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../out/memsink.h"
#include "out/writer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Writes a document; returns end()'s result and leaves the bytes in m. */
static int write_doc(out_format fmt, const out_field *fields, size_t n_fields, const out_value *rows,
                     size_t n_rows, out_status status, bool overflow, memsink *m)
{
	tr_err err = TR_ERR_INIT;
	memsink_init(m, 0);
	tr_sink sink = memsink_sink(m);
	out_writer *w = out_writer_open(fmt, &sink, NULL, &err);
	assert_non_null(w);
	const out_info info = { .query = "SELECT 1", .server = "x" }; /* ignored by CSV/TSV */
	assert_int_equal(out_writer_begin(w, fields, n_fields, &info, &err), TR_OK);
	for (size_t r = 0; r < n_rows; r++)
		assert_int_equal(out_writer_row(w, rows + r * n_fields, &err), TR_OK);
	int rc = out_writer_end(w, status, status == OUT_STATUS_ERROR ? "lost" : NULL, overflow, &err);
	out_writer_free(w);
	return rc;
}

static const out_field small_fields[] = {
	{ .name = "id", .datatype = OUT_DT_LONG, .kind = OUT_KIND_INT64 },
	{ .name = "ra", .datatype = OUT_DT_DOUBLE, .kind = OUT_KIND_DOUBLE, .unit = "deg" },
	{ .name = "name, \"full\"", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
};

static const out_value small_rows[] = {
	{ .v.i64 = 1 }, { .v.f64 = 0.1 }, { .v.bytes = { "a<b&c", 5 } },
	{ .is_null = true }, { .v.f64 = NAN }, { .is_null = true },
	{ .v.i64 = -7 }, { .v.f64 = -INFINITY }, { .v.bytes = { "", 0 } },
};

static void test_small(void **state)
{
	(void)state;
	static const struct {
		out_format fmt;
		const char *want;
	} cases[] = {
		{ OUT_CSV, "id,ra,\"name, \"\"full\"\"\"\r\n1,0.1,a<b&c\r\n,NaN,\r\n-7,-Inf,\"\"\r\n" },
		{ OUT_TSV, "id\tra\tname, \"full\"\n1\t0.1\ta<b&c\n\tNaN\t\n-7\t-Inf\t\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memsink m;
		assert_int_equal(write_doc(cases[i].fmt, small_fields, 3, small_rows, 3, OUT_STATUS_OK, false, &m), TR_OK);
		assert_string_equal(strbuf_str(&m.sb), cases[i].want);
		memsink_free(&m);
	}
}

#define FFFD "\xEF\xBF\xBD"

static void test_awkward_strings(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n;
		const char *csv;
		const char *tsv;
	} cases[] = {
		{ "plain", 5, "plain", "plain" },
		{ "a,b", 3, "\"a,b\"", "a,b" },
		{ "say \"hi\"", 8, "\"say \"\"hi\"\"\"", "say \"hi\"" },
		{ "\"", 1, "\"\"\"\"", "\"" },
		{ "tab\there", 8, "tab\there", "tab\\there" },
		{ "line\nbreak", 10, "\"line\nbreak\"", "line\\nbreak" },
		{ "crlf\r\n", 6, "\"crlf\r\n\"", "crlf\\r\\n" },
		{ "back\\slash", 10, "back\\slash", "back\\\\slash" },
		{ "nul\0in", 6, "nul" FFFD "in", "nul" FFFD "in" },
		{ "\x01\x1F", 2, FFFD FFFD, FFFD FFFD },
		{ "bad\xFF", 4, "bad" FFFD, "bad" FFFD },
		{ "<&>'", 4, "<&>'", "<&>'" },
		{ "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
		  "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80" },
		{ " lead and trail ", 16, " lead and trail ", " lead and trail " },
		{ "", 0, "\"\"", "" },
	};
	static const out_field f[] = {
		{ .name = "s", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
		{ .name = "n", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		out_value row[2] = { { .v.bytes = { cases[i].in, cases[i].n } }, { .v.i64 = 5 } };
		char want[128];
		memsink m;
		write_doc(OUT_CSV, f, 2, row, 1, OUT_STATUS_OK, false, &m);
		snprintf(want, sizeof want, "s,n\r\n%s,5\r\n", cases[i].csv);
		if (strcmp(strbuf_str(&m.sb), want) != 0)
			fail_msg("csv case %zu: '%s'", i, strbuf_str(&m.sb));
		memsink_free(&m);
		write_doc(OUT_TSV, f, 2, row, 1, OUT_STATUS_OK, false, &m);
		snprintf(want, sizeof want, "s\tn\n%s\t5\n", cases[i].tsv);
		if (strcmp(strbuf_str(&m.sb), want) != 0)
			fail_msg("tsv case %zu: '%s'", i, strbuf_str(&m.sb));
		memsink_free(&m);
	}
}

static void test_all_types(void **state)
{
	(void)state;
	static const out_field f[] = {
		{ .name = "bool", .datatype = OUT_DT_BOOLEAN, .kind = OUT_KIND_INT64 },
		{ .name = "bits", .datatype = OUT_DT_BIT, .arraysize = "4", .kind = OUT_KIND_UINT64 },
		{ .name = "ub", .datatype = OUT_DT_UNSIGNED_BYTE, .kind = OUT_KIND_UINT64 },
		{ .name = "blob", .datatype = OUT_DT_UNSIGNED_BYTE, .arraysize = "2", .kind = OUT_KIND_BYTES },
		{ .name = "short", .datatype = OUT_DT_SHORT, .kind = OUT_KIND_INT64 },
		{ .name = "long", .datatype = OUT_DT_LONG, .kind = OUT_KIND_INT64 },
		{ .name = "flt", .datatype = OUT_DT_FLOAT, .kind = OUT_KIND_DOUBLE },
		{ .name = "uni", .datatype = OUT_DT_UNICODE_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
		{ .name = "ts", .datatype = OUT_DT_CHAR, .arraysize = "*", .xtype = "timestamp", .kind = OUT_KIND_BYTES },
		{ .name = "circle", .datatype = OUT_DT_DOUBLE, .arraysize = "3", .xtype = "circle", .kind = OUT_KIND_DOUBLES },
	};
	static const double circle[] = { 359.5, -89.25, 1e-07 };
	const out_value rows[] = {
		{ .v.i64 = 1 }, { .v.u64 = 5 }, { .v.u64 = 200 }, { .v.bytes = { "\xff", 1 } }, { .v.i64 = -3 },
		{ .v.i64 = INT64_MAX }, { .v.f64 = 0.1 }, { .v.bytes = { "\xCE\xB1", 2 } },
		{ .v.bytes = { "1999-12-31 23:59:59.5", 21 } }, { .v.doubles = { circle, 3 } },
		{ .v.i64 = 0 }, { .is_null = true }, { .is_null = true }, { .is_null = true }, { .is_null = true },
		{ .is_null = true }, { .v.f64 = INFINITY }, { .is_null = true }, { .is_null = true }, { .is_null = true },
	};
	memsink m;
	write_doc(OUT_CSV, f, 10, rows, 2, OUT_STATUS_OK, false, &m);
	assert_string_equal(strbuf_str(&m.sb), "bool,bits,ub,blob,short,long,flt,uni,ts,circle\r\n"
	                                       "true,0101,200,255 0,-3,9223372036854775807,0.1,\xCE\xB1,"
	                                       "1999-12-31T23:59:59.5,359.5 -89.25 1e-07\r\n"
	                                       "false,,,,,,+Inf,,,\r\n");
	memsink_free(&m);
	write_doc(OUT_TSV, f, 10, rows, 2, OUT_STATUS_OK, false, &m);
	assert_string_equal(strbuf_str(&m.sb), "bool\tbits\tub\tblob\tshort\tlong\tflt\tuni\tts\tcircle\n"
	                                       "true\t0101\t200\t255 0\t-3\t9223372036854775807\t0.1\t\xCE\xB1\t"
	                                       "1999-12-31T23:59:59.5\t359.5 -89.25 1e-07\n"
	                                       "false\t\t\t\t\t\t+Inf\t\t\t\n");
	memsink_free(&m);
}

/* No status in CSV/TSV: an empty result is the header; overflow and errors add nothing. */
static void test_status_and_empty(void **state)
{
	(void)state;
	static const out_field f[] = { { .name = "n", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 } };
	const out_value rows[] = { { .v.i64 = 1 }, { .v.i64 = 2 } };
	static const struct {
		out_format fmt;
		size_t rows;
		out_status status;
		bool overflow;
		const char *want;
	} cases[] = {
		{ OUT_CSV, 0, OUT_STATUS_OK, false, "n\r\n" },
		{ OUT_TSV, 0, OUT_STATUS_OK, false, "n\n" },
		{ OUT_CSV, 2, OUT_STATUS_OK, true, "n\r\n1\r\n2\r\n" },
		{ OUT_TSV, 2, OUT_STATUS_OK, true, "n\n1\n2\n" },
		{ OUT_CSV, 1, OUT_STATUS_ERROR, false, "n\r\n1\r\n" },
		{ OUT_TSV, 1, OUT_STATUS_ERROR, true, "n\n1\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memsink m;
		assert_int_equal(write_doc(cases[i].fmt, f, 1, rows, cases[i].rows, cases[i].status, cases[i].overflow, &m),
		                 TR_OK);
		assert_string_equal(strbuf_str(&m.sb), cases[i].want);
		memsink_free(&m);
	}
	assert_false(out_format_has_status(OUT_CSV));
	assert_false(out_format_has_status(OUT_TSV));
	assert_true(out_format_has_status(OUT_VOTABLE_TABLEDATA));
	assert_true(out_format_has_status(OUT_VOTABLE_BINARY2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_awkward_strings),
		cmocka_unit_test(test_all_types),
		cmocka_unit_test(test_status_and_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
