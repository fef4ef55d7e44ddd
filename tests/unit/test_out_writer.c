/* test_out_writer: what every format shares (src/out/writer.c).
 *
 * RESPONSEFORMAT values to formats and Content-Types (short forms, media types, parameters, case,
 * quoting, rejections); field checks in begin; value checks per row, which leave no trace of the
 * refused row; call order; a failing sink; the row size ceiling; flushing in large chunks; and a
 * million rows in every format through a counting sink with the buffer bounded by the threshold. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../out/memsink.h"
#include "out/writer.h"

#include <stdlib.h>
#include <string.h>

static void test_format_parse(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		int rc;
		out_format fmt;
		const char *content_type;
	} cases[] = {
		{ NULL, TR_OK, OUT_VOTABLE_TABLEDATA, "application/x-votable+xml" },
		{ "", TR_OK, OUT_VOTABLE_TABLEDATA, "application/x-votable+xml" },
		{ "votable", TR_OK, OUT_VOTABLE_TABLEDATA, "application/x-votable+xml" },
		{ "VOTable", TR_OK, OUT_VOTABLE_TABLEDATA, "application/x-votable+xml" },
		{ " votable ", TR_OK, OUT_VOTABLE_TABLEDATA, "application/x-votable+xml" },
		{ "votable/td", TR_OK, OUT_VOTABLE_TABLEDATA, "application/x-votable+xml" },
		{ "votable/b2", TR_OK, OUT_VOTABLE_BINARY2, "application/x-votable+xml;serialization=BINARY2" },
		{ "votable/binary2", TR_OK, OUT_VOTABLE_BINARY2, "application/x-votable+xml;serialization=BINARY2" },
		{ "application/x-votable+xml", TR_OK, OUT_VOTABLE_TABLEDATA, "application/x-votable+xml" },
		{ "Application/X-VOTable+XML", TR_OK, OUT_VOTABLE_TABLEDATA, "application/x-votable+xml" },
		{ "application/x-votable+xml;serialization=TABLEDATA", TR_OK, OUT_VOTABLE_TABLEDATA,
		  "application/x-votable+xml;serialization=TABLEDATA" },
		{ "application/x-votable+xml;serialization=BINARY2", TR_OK, OUT_VOTABLE_BINARY2,
		  "application/x-votable+xml;serialization=BINARY2" },
		{ "application/x-votable+xml; serialization = \"binary2\"", TR_OK, OUT_VOTABLE_BINARY2,
		  "application/x-votable+xml;serialization=BINARY2" },
		{ "application/x-votable+xml;charset=UTF-8;serialization=BINARY2", TR_OK, OUT_VOTABLE_BINARY2,
		  "application/x-votable+xml;serialization=BINARY2" },
		{ "text/xml", TR_OK, OUT_VOTABLE_TABLEDATA, "text/xml" },
		{ "text/xml;serialization=BINARY2", TR_OK, OUT_VOTABLE_BINARY2, "text/xml;serialization=BINARY2" },
		{ "csv", TR_OK, OUT_CSV, "text/csv;charset=utf-8;header=present" },
		{ "CSV", TR_OK, OUT_CSV, "text/csv;charset=utf-8;header=present" },
		{ "text/csv", TR_OK, OUT_CSV, "text/csv;charset=utf-8;header=present" },
		{ "text/csv;header=present", TR_OK, OUT_CSV, "text/csv;charset=utf-8;header=present" },
		{ "text/csv; charset=utf-8; header=\"present\";", TR_OK, OUT_CSV, "text/csv;charset=utf-8;header=present" },
		{ "tsv", TR_OK, OUT_TSV, "text/tab-separated-values;charset=utf-8" },
		{ "text/tab-separated-values", TR_OK, OUT_TSV, "text/tab-separated-values;charset=utf-8" },
		{ "TEXT/Tab-Separated-Values;Charset=utf-8", TR_OK, OUT_TSV, "text/tab-separated-values;charset=utf-8" },
		/* rejected: formats and parameters we cannot honour */
		{ "fits", TR_EUNSUPPORTED, 0, NULL },
		{ "application/fits", TR_EUNSUPPORTED, 0, NULL },
		{ "votable;serialization=BINARY2", TR_EUNSUPPORTED, 0, NULL },
		{ "application/x-votable+xml;serialization=BINARY", TR_EUNSUPPORTED, 0, NULL },
		{ "application/x-votable+xml;serialization=FITS", TR_EUNSUPPORTED, 0, NULL },
		{ "application/x-votable+xml;serialization", TR_EUNSUPPORTED, 0, NULL },
		{ "application/x-votable+xml;serialization=\"BINARY2", TR_EUNSUPPORTED, 0, NULL },
		{ "text/csv;header=absent", TR_EUNSUPPORTED, 0, NULL },
		{ "text/csv;charset=latin1", TR_EUNSUPPORTED, 0, NULL },
		{ "text/csv;foo=bar", TR_EUNSUPPORTED, 0, NULL },
		{ "text/tab-separated-values;header=present", TR_EUNSUPPORTED, 0, NULL },
		{ "text/plain", TR_EUNSUPPORTED, 0, NULL },
		{ "votablex", TR_EUNSUPPORTED, 0, NULL },
		{ "text/csvx", TR_EUNSUPPORTED, 0, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tr_err err = TR_ERR_INIT;
		out_format fmt = (out_format)-1;
		const char *ct = NULL;
		int rc = out_format_parse(cases[i].value, &fmt, &ct, &err);
		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, expected %d", cases[i].value ? cases[i].value : "(null)", rc, cases[i].rc);
		if (rc == TR_OK) {
			assert_int_equal(fmt, cases[i].fmt);
			assert_string_equal(ct, cases[i].content_type);
		} else {
			assert_int_equal(err.code, TR_EUNSUPPORTED);
			assert_int_equal(tr_err_http(err.code), 400);
			assert_non_null(strstr(err.msg, "unsupported RESPONSEFORMAT"));
		}
	}
	assert_string_equal(out_format_content_type(OUT_VOTABLE_TABLEDATA), "application/x-votable+xml");
	assert_string_equal(out_datatype_name(OUT_DT_UNICODE_CHAR), "unicodeChar");
	assert_string_equal(out_datatype_name(OUT_DT_UNSIGNED_BYTE), "unsignedByte");
	assert_null(out_datatype_name((out_datatype)99));
}

/* Fields begin() must refuse (a caller bug: TR_EINTERNAL). */
static void test_bad_fields(void **state)
{
	(void)state;
	static const out_field bad[] = {
		{ .name = NULL, .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
		{ .name = "x", .datatype = (out_datatype)42, .kind = OUT_KIND_INT64 },
		{ .name = "x", .datatype = OUT_DT_INT, .kind = OUT_KIND_DOUBLE },
		{ .name = "x", .datatype = OUT_DT_INT, .arraysize = "*", .kind = OUT_KIND_INT64 },
		{ .name = "x", .datatype = OUT_DT_DOUBLE, .arraysize = "2", .kind = OUT_KIND_DOUBLE },
		{ .name = "x", .datatype = OUT_DT_DOUBLE, .kind = OUT_KIND_DOUBLES },
		{ .name = "x", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_INT64 },
		{ .name = "x", .datatype = OUT_DT_CHAR, .arraysize = "0", .kind = OUT_KIND_BYTES },
		{ .name = "x", .datatype = OUT_DT_CHAR, .arraysize = "2x3", .kind = OUT_KIND_BYTES },
		{ .name = "x", .datatype = OUT_DT_CHAR, .arraysize = "**", .kind = OUT_KIND_BYTES },
		{ .name = "x", .datatype = OUT_DT_CHAR, .arraysize = "", .kind = OUT_KIND_BYTES },
		{ .name = "x", .datatype = OUT_DT_CHAR, .arraysize = "99999999999", .kind = OUT_KIND_BYTES },
		{ .name = "x", .datatype = OUT_DT_BIT, .arraysize = "65", .kind = OUT_KIND_UINT64 },
		{ .name = "x", .datatype = OUT_DT_BIT, .arraysize = "*", .kind = OUT_KIND_UINT64 },
		{ .name = "x", .datatype = OUT_DT_BOOLEAN, .kind = OUT_KIND_BYTES },
		{ .name = "x", .datatype = OUT_DT_UNSIGNED_BYTE, .arraysize = "*", .kind = OUT_KIND_INT64 },
		{ .name = "x", .datatype = OUT_DT_FLOAT, .kind = (out_kind)17 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memsink m;
		memsink_init(&m, 0);
		tr_sink sink = memsink_sink(&m);
		tr_err err = TR_ERR_INIT;
		out_writer *w = out_writer_open(OUT_VOTABLE_TABLEDATA, &sink, NULL, &err);
		if (out_writer_begin(w, &bad[i], 1, NULL, &err) != TR_EINTERNAL)
			fail_msg("field case %zu accepted", i);
		assert_int_equal(m.bytes, 0);
		out_writer_free(w);
		memsink_free(&m);
	}
	/* no fields at all */
	memsink m;
	memsink_init(&m, 0);
	tr_sink sink = memsink_sink(&m);
	tr_err err = TR_ERR_INIT;
	out_writer *w = out_writer_open(OUT_CSV, &sink, NULL, &err);
	assert_int_equal(out_writer_begin(w, NULL, 0, NULL, &err), TR_EINTERNAL);
	out_writer_free(w);
	memsink_free(&m);
	assert_null(out_writer_open((out_format)9, &sink, NULL, &err));
}

/* A refused value writes nothing of its row; the document then ends normally. */
static void test_bad_values(void **state)
{
	(void)state;
	static const out_field f[] = {
		{ .name = "ub", .datatype = OUT_DT_UNSIGNED_BYTE, .kind = OUT_KIND_INT64 },
		{ .name = "s", .datatype = OUT_DT_SHORT, .kind = OUT_KIND_INT64 },
		{ .name = "i", .datatype = OUT_DT_INT, .kind = OUT_KIND_UINT64 },
		{ .name = "l", .datatype = OUT_DT_LONG, .kind = OUT_KIND_UINT64 },
		{ .name = "p", .datatype = OUT_DT_DOUBLE, .arraysize = "2", .kind = OUT_KIND_DOUBLES },
		{ .name = "b", .datatype = OUT_DT_DOUBLE, .arraysize = "3*", .kind = OUT_KIND_DOUBLES },
		{ .name = "t", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
	};
	static const double d[4] = { 1, 2, 3, 4 };
	const out_value good[7] = { { .v.i64 = 255 }, { .v.i64 = -32768 }, { .v.u64 = INT32_MAX },
		                        { .v.u64 = INT64_MAX }, { .v.doubles = { d, 2 } }, { .v.doubles = { d, 3 } },
		                        { .v.bytes = { "ok", 2 } } };
	static const struct {
		size_t col;
		out_value v;
	} bad[] = {
		{ 0, { .v.i64 = 256 } },
		{ 0, { .v.i64 = -1 } },
		{ 1, { .v.i64 = 32768 } },
		{ 2, { .v.u64 = (uint64_t)INT32_MAX + 1 } },
		{ 3, { .v.u64 = (uint64_t)INT64_MAX + 1 } },
		{ 4, { .v.doubles = { d, 3 } } },
		{ 4, { .v.doubles = { d, 1 } } },
		{ 5, { .v.doubles = { d, 4 } } },
		{ 6, { .v.bytes = { NULL, 3 } } },
	};
	for (int fmt = OUT_VOTABLE_TABLEDATA; fmt <= OUT_TSV; fmt++) {
		memsink m, ref;
		memsink_init(&m, 0);
		memsink_init(&ref, 0);
		tr_sink sink = memsink_sink(&m), ref_sink = memsink_sink(&ref);
		tr_err err = TR_ERR_INIT;
		out_writer *w = out_writer_open((out_format)fmt, &sink, NULL, &err);
		out_writer *rw = out_writer_open((out_format)fmt, &ref_sink, NULL, &err);
		assert_int_equal(out_writer_begin(w, f, 7, NULL, &err), TR_OK);
		assert_int_equal(out_writer_begin(rw, f, 7, NULL, &err), TR_OK);
		assert_int_equal(out_writer_row(w, good, &err), TR_OK);
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			out_value row[7];
			memcpy(row, good, sizeof row);
			row[bad[i].col] = bad[i].v;
			tr_err e = TR_ERR_INIT;
			if (out_writer_row(w, row, &e) != TR_EINTERNAL)
				fail_msg("format %d bad value %zu accepted", fmt, i);
			assert_non_null(strstr(e.msg, "does not fit its datatype"));
			row[bad[i].col].is_null = true; /* as NULL it is fine */
			assert_int_equal(out_writer_row(w, row, &e), TR_OK);
			assert_int_equal(out_writer_row(rw, row, &e), TR_OK);
		}
		assert_int_equal(out_writer_row(rw, good, &err), TR_OK);
		/* reference: the same rows without the refused ones (good row moved to the end) */
		assert_int_equal(out_writer_rows(w), 1 + sizeof bad / sizeof bad[0]);
		assert_int_equal(out_writer_end(w, OUT_STATUS_OK, NULL, false, &err), TR_OK);
		assert_int_equal(out_writer_end(rw, OUT_STATUS_OK, NULL, false, &err), TR_OK);
		assert_int_equal(strbuf_len(&m.sb), strbuf_len(&ref.sb));
		out_writer_free(w);
		out_writer_free(rw);
		memsink_free(&m);
		memsink_free(&ref);
	}
}

static const out_field one[] = { { .name = "t", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES } };

static void test_call_order(void **state)
{
	(void)state;
	memsink m;
	memsink_init(&m, 0);
	tr_sink sink = memsink_sink(&m);
	tr_err err = TR_ERR_INIT;
	out_writer *w = out_writer_open(OUT_CSV, &sink, NULL, &err);
	out_value v = { .v.bytes = { "x", 1 } };
	assert_int_equal(out_writer_row(w, &v, &err), TR_EINTERNAL);
	assert_int_equal(out_writer_end(w, OUT_STATUS_OK, NULL, false, &err), TR_EINTERNAL);
	assert_int_equal(out_writer_begin(w, one, 1, NULL, &err), TR_OK);
	assert_int_equal(out_writer_begin(w, one, 1, NULL, &err), TR_EINTERNAL);
	assert_int_equal(out_writer_end(w, OUT_STATUS_OK, NULL, false, &err), TR_OK);
	assert_int_equal(out_writer_row(w, &v, &err), TR_EINTERNAL);
	assert_int_equal(out_writer_end(w, OUT_STATUS_OK, NULL, false, &err), TR_EINTERNAL);
	out_writer_free(w);
	out_writer_free(NULL);
	assert_string_equal(strbuf_str(&m.sb), "t\r\n");
	memsink_free(&m);
}

/* The sink fails at its n-th write: the writer reports TR_EIO then and on every later call. */
static void test_failing_sink(void **state)
{
	(void)state;
	for (size_t fail_at = 1; fail_at <= 3; fail_at++) {
		memsink m;
		memsink_init(&m, 0);
		m.fail_at = fail_at;
		tr_sink sink = memsink_sink(&m);
		tr_err err = TR_ERR_INIT;
		out_options opt = { .flush_bytes = 64 };
		out_writer *w = out_writer_open(OUT_VOTABLE_TABLEDATA, &sink, &opt, &err);
		int rc = out_writer_begin(w, one, 1, NULL, &err);
		out_value v = { .v.bytes = { "a row of some length to pass the threshold", 42 } };
		for (int i = 0; i < 10 && rc == TR_OK; i++)
			rc = out_writer_row(w, &v, &err);
		assert_int_equal(rc, TR_EIO);
		assert_int_equal(err.code, TR_EIO);
		assert_int_equal(out_writer_row(w, &v, &err), TR_EIO);
		assert_int_equal(out_writer_end(w, OUT_STATUS_ERROR, "x", false, &err), TR_EIO);
		size_t writes = m.writes;
		assert_int_equal(writes, fail_at); /* nothing tried after the failure */
		out_writer_free(w);
		memsink_free(&m);
	}
}

/* A row over OUT_ROW_MAX is refused whole; the writer goes on. */
static void test_row_ceiling(void **state)
{
	(void)state;
	size_t big = OUT_ROW_MAX + 1;
	char *text = malloc(big);
	assert_non_null(text);
	memset(text, 'x', big);
	memsink m;
	memsink_init(&m, 1);
	tr_sink sink = memsink_sink(&m);
	tr_err err = TR_ERR_INIT;
	out_writer *w = out_writer_open(OUT_TSV, &sink, NULL, &err);
	assert_int_equal(out_writer_begin(w, one, 1, NULL, &err), TR_OK);
	out_value v = { .v.bytes = { text, big } };
	assert_int_equal(out_writer_row(w, &v, &err), TR_ELIMIT);
	v.v.bytes.n = 10;
	tr_err e2 = TR_ERR_INIT;
	assert_int_equal(out_writer_row(w, &v, &e2), TR_OK);
	assert_int_equal(out_writer_end(w, OUT_STATUS_OK, NULL, false, &e2), TR_OK);
	assert_int_equal(m.bytes, 2 + 11);
	out_writer_free(w);
	memsink_free(&m);
	free(text);
}

/* Many rows in every format: the sink sees writes of about the threshold, never one per row,
 * and the buffer never holds much more than the threshold, however many rows pass. */
static void test_million_rows_bounded_memory(void **state)
{
	(void)state;
	static const out_field f[] = {
		{ .name = "id", .datatype = OUT_DT_LONG, .kind = OUT_KIND_INT64 },
		{ .name = "mag", .datatype = OUT_DT_FLOAT, .kind = OUT_KIND_FLOAT },
		{ .name = "name", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
	};
	enum { ROWS = 1000000 };
	for (int fmt = OUT_VOTABLE_TABLEDATA; fmt <= OUT_TSV; fmt++) {
		memsink m;
		memsink_init(&m, 1);
		tr_sink sink = memsink_sink(&m);
		tr_err err = TR_ERR_INIT;
		out_writer *w = out_writer_open((out_format)fmt, &sink, NULL, &err);
		assert_int_equal(out_writer_begin(w, f, 3, NULL, &err), TR_OK);
		out_value v[3] = { { .v.i64 = 0 }, { .v.f32 = 0 }, { .v.bytes = { "object <x>", 10 } } };
		for (int r = 0; r < ROWS; r++) {
			v[0].v.i64 = r;
			v[1].v.f32 = (float)(r % 1000) * 0.25f;
			v[1].is_null = r % 7 == 0;
			if (out_writer_row(w, v, &err) != TR_OK)
				fail_msg("format %d row %d: %s", fmt, r, err.msg);
		}
		assert_int_equal(out_writer_end(w, OUT_STATUS_OK, NULL, true, &err), TR_OK);
		assert_int_equal(out_writer_rows(w), ROWS);
		/* a row here is under 100 bytes: the buffer peaks below threshold + one row */
		assert_true(out_writer_peak_buffered(w) < OUT_FLUSH_BYTES + 100);
		assert_true(m.largest_write < OUT_FLUSH_BYTES + 100);
		assert_true(m.writes < m.bytes / (OUT_FLUSH_BYTES / 2) + 2);
		assert_true(m.bytes > (uint64_t)ROWS * 10);
		out_writer_free(w);
		memsink_free(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_call_order),
		cmocka_unit_test(test_failing_sink),
		cmocka_unit_test(test_row_ceiling),
		cmocka_unit_test(test_million_rows_bounded_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
