/* out_sample: writes the sample documents that tests/out/validate.sh checks with xmllint against
 * the VOTable 1.4 schema, STILTS votlint and astropy.
 *
 *     out_sample DIR     writes DIR/{td,b2}_{all,error,empty}.xml and DIR/error.xml
 *
 * The table has every datatype the writers produce, a row of NULLs, awkward strings (quotes,
 * markup, tab, LF, CR, NUL, C0 controls, invalid UTF-8, non-ASCII and non-BMP text), NaN and the
 * infinities, extremes of each integer type, DALI geometry arrays and a timestamp.  validate.sh
 * holds the values astropy must read back; keep the two in step. */
#include <config.h>

#include "out/writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const out_field fields[] = {
	{ .name = "id", .datatype = OUT_DT_LONG, .kind = OUT_KIND_INT64, .ucd = "meta.id;meta.main",
	  .description = "Row number" },
	{ .name = "flag", .datatype = OUT_DT_BOOLEAN, .kind = OUT_KIND_INT64 },
	{ .name = "bit1", .datatype = OUT_DT_BIT, .kind = OUT_KIND_UINT64 },
	{ .name = "bits10", .datatype = OUT_DT_BIT, .arraysize = "10", .kind = OUT_KIND_UINT64 },
	{ .name = "ub", .datatype = OUT_DT_UNSIGNED_BYTE, .kind = OUT_KIND_INT64 },
	{ .name = "blob", .datatype = OUT_DT_UNSIGNED_BYTE, .arraysize = "*", .kind = OUT_KIND_BYTES },
	{ .name = "s", .datatype = OUT_DT_SHORT, .kind = OUT_KIND_INT64 },
	{ .name = "i", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
	{ .name = "l", .datatype = OUT_DT_LONG, .kind = OUT_KIND_INT64 },
	{ .name = "f", .datatype = OUT_DT_FLOAT, .kind = OUT_KIND_FLOAT, .unit = "mag", .ucd = "phot.mag" },
	{ .name = "d", .datatype = OUT_DT_DOUBLE, .kind = OUT_KIND_DOUBLE, .unit = "deg", .ucd = "pos.eq.ra",
	  .utype = "stc:Position.ra", .description = "Right ascension <ICRS> & \"more\"" },
	{ .name = "txt", .datatype = OUT_DT_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
	{ .name = "fix", .datatype = OUT_DT_CHAR, .arraysize = "4", .kind = OUT_KIND_BYTES },
	{ .name = "uni", .datatype = OUT_DT_UNICODE_CHAR, .arraysize = "*", .kind = OUT_KIND_BYTES },
	{ .name = "ts", .datatype = OUT_DT_CHAR, .arraysize = "*", .xtype = "timestamp", .kind = OUT_KIND_BYTES },
	{ .name = "pt", .datatype = OUT_DT_DOUBLE, .arraysize = "2", .xtype = "point", .unit = "deg",
	  .kind = OUT_KIND_DOUBLES },
	{ .name = "circ", .datatype = OUT_DT_DOUBLE, .arraysize = "3", .xtype = "circle", .unit = "deg",
	  .kind = OUT_KIND_DOUBLES },
	{ .name = "poly", .datatype = OUT_DT_DOUBLE, .arraysize = "*", .xtype = "polygon", .unit = "deg",
	  .kind = OUT_KIND_DOUBLES },
	{ .name = "fpt", .datatype = OUT_DT_FLOAT, .arraysize = "2", .xtype = "point", .kind = OUT_KIND_DOUBLES },
	{ .name = "select", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 }, /* ID must not clash */
	{ .name = "select", .datatype = OUT_DT_INT, .kind = OUT_KIND_INT64 },
};
#define N_FIELDS (sizeof fields / sizeof fields[0])
#define N_ROWS 4

#define TEXT(s) { .v.bytes = { s, sizeof(s) - 1 } }
#define NUL { .is_null = true }
#define ARR(a) { .v.doubles = { a, sizeof(a) / sizeof(a[0]) } }

static const double pt0[] = { 10.5, -20.25 }, circ0[] = { 1, 2, 0.5 }, poly0[] = { 1, 2, 3, 4, 5, 6 },
                    fpt0[] = { 1.5, 2.5 };
static const double pt2[] = { 0, 90 }, circ2[] = { 0, -90, INFINITY }, fpt2[] = { NAN, NAN },
                    poly2[] = { 359, -1, 1, -1, 0, 1 };
static const double pt3[] = { 0, 0 }, circ3[] = { 359.99999999, -89.5, 1e-07 }, poly3[] = { 1, 1, 2, 2, 3, 3 },
                    fpt3[] = { 0.1, 3.4028235e38 };

static const out_value rows[N_ROWS * N_FIELDS] = {
	{ .v.i64 = 1 }, { .v.i64 = 1 }, { .v.u64 = 1 }, { .v.u64 = 513 }, { .v.i64 = 255 }, { .v.bytes = { "\0\1\377", 3 } },
	{ .v.i64 = -32768 }, { .v.i64 = 2147483647 }, { .v.i64 = INT64_MAX }, { .v.f32 = 0.1f }, { .v.f64 = 0.1 },
	TEXT("a<b&c \"q\" 'a' ]]>"), TEXT("abcdef"), TEXT("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
	TEXT("2020-01-02 03:04:05"), ARR(pt0), ARR(circ0), ARR(poly0), ARR(fpt0), { .v.i64 = 1 }, { .v.i64 = 2 },

	/* NULL everywhere but id and the bit columns: STILTS votlint rejects an empty TD for bit, which
	 * VOTable 1.3 §5.1 allows (the unit tests cover it) */
	{ .v.i64 = 2 }, NUL, { .v.u64 = 0 }, { .v.u64 = 0 }, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL, NUL,
	NUL, NUL, NUL, NUL, NUL, NUL,

	{ .v.i64 = 3 }, { .v.i64 = 0 }, { .v.u64 = 0 }, { .v.u64 = 1023 }, { .v.i64 = 0 }, { .v.bytes = { "", 0 } },
	{ .v.i64 = 0 }, { .v.i64 = -1 }, { .v.i64 = INT64_MIN }, { .v.f32 = NAN }, { .v.f64 = INFINITY },
	TEXT("tab\tnl\ncr\rnul\0ctl\001bad\377end"), TEXT("xy"), TEXT("\xCE\xA9"), TEXT("2020-01-02"), ARR(pt2),
	ARR(circ2), ARR(poly2), ARR(fpt2), { .v.i64 = INT32_MIN }, NUL,

	{ .v.i64 = 4 }, { .v.i64 = 1 }, { .v.u64 = 1 }, { .v.u64 = 0 }, { .v.i64 = 7 }, { .v.bytes = { "\t", 1 } },
	{ .v.i64 = 1 }, { .v.i64 = 2 }, { .v.i64 = 3 }, { .v.f32 = -0.0f }, { .v.f64 = 5e-324 }, TEXT("  spaces  "),
	TEXT("x"), TEXT("\xE4\xB8\xAD\xE6\x96\x87"), TEXT("1999-12-31 23:59:59.5"), ARR(pt3), ARR(circ3), ARR(poly3),
	ARR(fpt3), { .v.i64 = 0 }, { .v.i64 = -5 },
};

static int file_write(void *ctx, const char *p, size_t n) { return fwrite(p, 1, n, ctx) == n ? 0 : -1; }

static const out_info_item extra[] = { { "standardID", "ivo://ivoa.net/std/TAP" }, { "RUNID", "sample & <run>" } };
static const out_info info = {
	.query = "SELECT *\n\tFROM sample WHERE txt <> 'x' AND d > 0.1",
	.server = "taproom out_sample",
	.request_id = "sample-1",
	.extra = extra,
	.n_extra = 2,
};

/* Writes one document: rows_before rows, then end(status). */
static int write_file(const char *dir, const char *name, out_format fmt, size_t n_rows, out_status status,
                      bool overflow)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	tr_sink sink = { file_write, f };
	tr_err err = TR_ERR_INIT;
	int rc = TR_OK;
	if (strcmp(name, "error.xml") == 0) {
		rc = out_write_error_document(&sink, "syntax error at or near \"FORM\": <unexpected> & more", &info, &err);
	} else {
		out_writer *w = out_writer_open(fmt, &sink, NULL, &err);
		if (w == NULL || (rc = out_writer_begin(w, fields, N_FIELDS, &info, &err)) != TR_OK) {
			fclose(f);
			fprintf(stderr, "%s: %s\n", name, err.msg);
			out_writer_free(w);
			return 1;
		}
		for (size_t r = 0; r < n_rows && rc == TR_OK; r++)
			rc = out_writer_row(w, rows + r * N_FIELDS, &err);
		if (rc == TR_OK)
			rc = out_writer_end(w, status, status == OUT_STATUS_ERROR ? "database connection lost <after 2 rows>" : NULL,
			                    overflow, &err);
		out_writer_free(w);
	}
	if (fclose(f) != 0 || rc != TR_OK) {
		fprintf(stderr, "%s: %s\n", name, rc ? err.msg : "close failed");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: out_sample DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	int bad = 0;
	bad |= write_file(dir, "td_all.xml", OUT_VOTABLE_TABLEDATA, N_ROWS, OUT_STATUS_OK, true);
	bad |= write_file(dir, "b2_all.xml", OUT_VOTABLE_BINARY2, N_ROWS, OUT_STATUS_OK, true);
	bad |= write_file(dir, "td_error.xml", OUT_VOTABLE_TABLEDATA, 2, OUT_STATUS_ERROR, false);
	bad |= write_file(dir, "b2_error.xml", OUT_VOTABLE_BINARY2, 2, OUT_STATUS_ERROR, false);
	bad |= write_file(dir, "td_empty.xml", OUT_VOTABLE_TABLEDATA, 0, OUT_STATUS_OK, false);
	bad |= write_file(dir, "b2_empty.xml", OUT_VOTABLE_BINARY2, 0, OUT_STATUS_OK, true);
	bad |= write_file(dir, "error.xml", OUT_VOTABLE_TABLEDATA, 0, OUT_STATUS_ERROR, false);
	return bad ? 1 : 0;
}
