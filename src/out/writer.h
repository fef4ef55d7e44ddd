/* writer: the one interface for streaming a query result in any output format.
 *
 *     out_writer *w = out_writer_open(fmt, sink, NULL, err);
 *     out_writer_begin(w, fields, n_fields, &info, err);
 *     while (more rows) out_writer_row(w, values, err);       values[i] for fields[i]
 *     out_writer_end(w, OUT_STATUS_OK, NULL, overflow, err);  or OUT_STATUS_ERROR, "message"
 *     out_writer_free(w);
 *
 * Formats: VOTable 1.4 with TABLEDATA or BINARY2 serialization (src/out/votable.c), CSV (RFC 4180)
 * and TSV (IANA text/tab-separated-values) (src/out/csv.c).  Every writer gathers its output in one
 * buffer and hands it to the sink only past OUT_FLUSH_BYTES and at the end, allocates nothing per
 * row, and uses as much memory for a billion rows as for one.  Values are formatted by one shared
 * implementation (numfmt for numbers, text for strings); only escaping differs between formats.
 * Not thread-safe: one writer per request.  This module does not choose formats for columns: the
 * caller (the DB layer) maps its types to out_field. */
#ifndef TR_OUT_WRITER_H
#define TR_OUT_WRITER_H

#include "util/err.h"
#include "util/io.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output gathered before one sink write: big enough that FastCGI framing and system calls cost
 * nothing per row, small enough to stay in cache.  A row is never split across the threshold
 * check, so the buffer peaks below OUT_FLUSH_BYTES plus one row. */
#define OUT_FLUSH_BYTES ((size_t)64 * 1024)

/* Ceiling of one row's formatted size (a guard against runaway values, e.g. a huge BLOB): the
 * row fails with TR_ELIMIT rather than growing the buffer without bound. */
#define OUT_ROW_MAX ((size_t)16 * 1024 * 1024)

typedef enum out_format {
	OUT_VOTABLE_TABLEDATA, /* VOTable 1.4, <TABLEDATA>: XML rows, readable, the default */
	OUT_VOTABLE_BINARY2,   /* VOTable 1.4, <BINARY2><STREAM encoding="base64">: compact, exact */
	OUT_CSV,               /* RFC 4180: header line, CRLF, quoted where needed */
	OUT_TSV                /* IANA text/tab-separated-values: header line, LF, backslash escapes */
} out_format;

/* Maps a RESPONSEFORMAT (or TAP 1.1 FORMAT) value to a format (DALI 1.1 §4.3.3).  Accepted:
 * the short forms votable, csv, tsv (also votable/td, votable/tabledata, votable/b2,
 * votable/binary2), the media types application/x-votable+xml and text/xml (with an optional
 * serialization=TABLEDATA|BINARY2), text/csv (optional header=present) and
 * text/tab-separated-values; charset=utf-8 on any media type.  Short forms, media types,
 * parameter names and the values TABLEDATA, BINARY2, present and utf-8 compare case-insensitively
 * (RFC 2045 §5.1 for the first three); spaces around ';' and '=' and quoted values are allowed.
 * NULL or blank means the default, VOTable TABLEDATA.
 * *out_content_type gets the Content-Type to send (a static string): the requested media type
 * (DALI echoes it), normalised, with the parameters that describe what is written; for CSV
 * "text/csv;charset=utf-8;header=present" (TAP 1.1 'Successful Queries').
 * TR_EUNSUPPORTED (HTTP 400) for anything else, also serialization=BINARY or FITS, header=absent,
 * another charset or an unknown parameter. */
int out_format_parse(const char *value, out_format *out_fmt, const char **out_content_type, tr_err *err)
	__attribute__((warn_unused_result));
/* The Content-Type for a format chosen without a media type (the short forms and the default). */
const char *out_format_content_type(out_format fmt);
/* Whether the format can report a status inside the document (VOTable: yes; CSV, TSV: no). */
bool out_format_has_status(out_format fmt);

/* Content-Type of out_write_error_document. */
#define OUT_ERROR_CONTENT_TYPE "application/x-votable+xml"

/* VOTable 1.4 §2.1 primitive types.  The complex ones only come from uploaded and imported
 * tables, which keep them as text (src/votable/sqlmap.h). */
typedef enum out_datatype {
	OUT_DT_BOOLEAN,
	OUT_DT_BIT,
	OUT_DT_UNSIGNED_BYTE,
	OUT_DT_SHORT,
	OUT_DT_INT,
	OUT_DT_LONG,
	OUT_DT_CHAR,
	OUT_DT_UNICODE_CHAR,
	OUT_DT_FLOAT,
	OUT_DT_DOUBLE,
	OUT_DT_FLOAT_COMPLEX, /* a (real, imaginary) pair of floats */
	OUT_DT_DOUBLE_COMPLEX /* a (real, imaginary) pair of doubles */
} out_datatype;

/* The VOTable name ("unicodeChar" ...); NULL for a value outside the enum. */
const char *out_datatype_name(out_datatype dt);

/* Which member of out_value the rows carry for a column. */
typedef enum out_kind {
	OUT_KIND_INT64,  /* v.i64 */
	OUT_KIND_UINT64, /* v.u64 */
	OUT_KIND_DOUBLE, /* v.f64 */
	OUT_KIND_FLOAT,  /* v.f32 */
	OUT_KIND_BYTES,  /* v.bytes: text (UTF-8) or binary, not NUL-terminated */
	OUT_KIND_DOUBLES, /* v.doubles: a numeric array, e.g. DALI point (2), circle (3), polygon (2n) */
	OUT_KIND_LONGS    /* v.longs: an integer array (short, int, long) */
} out_kind;

/* For an array (or complex) field of datatype/arraysize: the numbers of a non-null cell are a
 * multiple of *out_step (the other dimensions, twice for complex types) and at most *out_max
 * (SIZE_MAX: unbounded); a fixed size wants exactly *out_max.  false for an arraysize the writer
 * does not take. */
bool out_array_counts(out_datatype dt, const char *arraysize, size_t *out_step, size_t *out_max);

/* One result column.  The strings are borrowed: they must stay valid until out_writer_end.
 * Every combination out_writer_begin accepts (anything else is TR_EINTERNAL: a caller bug):
 *   boolean       scalar          INT64/UINT64 (0 false, else true)
 *   bit           scalar or "n" with n <= 64   INT64/UINT64: the low n bits, most significant first
 *                 (MariaDB BIT(n))
 *   unsignedByte  scalar          INT64/UINT64 in 0..255
 *                 "*", "n", "n*"  BYTES (a BLOB)
 *   short/int/long scalar         INT64/UINT64 within the type's range (checked per row)
 *   unsignedByte, short/int/long any array  LONGS, every element within the type's range (checked per row)
 *   char, unicodeChar  any arraysize  BYTES, UTF-8 text (char is ASCII in VOTable 1.4 §2.1; other
 *                 UTF-8 is passed on, as readers accept it).  Fixed and bounded sizes truncate at a
 *                 character boundary (and pad in BINARY2).  xtype "timestamp": a space between
 *                 date and time (MariaDB's DATETIME text) becomes the 'T' DALI 1.1 §3.3 wants.
 *   float, double scalar          FLOAT or DOUBLE (double->float rounds)
 *                 any array       DOUBLES (point: "2", circle: "3", polygon: "*"; DALI 1.1 §3.5-3.7)
 *   floatComplex, doubleComplex  scalar or any array  DOUBLES, two per element (real, imaginary)
 * "Any array" includes the multidimensional sizes of VOTable 1.4 §2.2 ("2x3", "2x*", "2x3*"):
 * the values come flat, first index fastest, as in TABLEDATA.  A fixed array must get exactly its
 * number of values per row, a bounded one at most that, a variable one a multiple of the fixed
 * dimensions (TR_EINTERNAL otherwise). */
typedef struct out_field {
	const char *name;        /* column name or alias (TAP 1.1 'Successful Queries'); required, non-empty */
	const char *id;          /* XML ID; NULL: derived from name (made XML-ID-safe and unique) */
	out_datatype datatype;   /* VOTable datatype */
	const char *arraysize;   /* NULL scalar; "*", "n" or "n*" (n >= 1), or for numeric arrays
	                          * "AxB...xN" where the last may be "*" or "N*" */
	const char *xtype;       /* DALI xtype ("timestamp", "point", "circle", "polygon") or NULL */
	const char *unit;        /* VOUnit string or NULL */
	const char *ucd;         /* UCD1+ or NULL */
	const char *utype;       /* utype or NULL */
	const char *description; /* free text for <DESCRIPTION>, or NULL */
	out_kind kind;           /* which member of out_value the rows carry */
} out_field;

/* One cell.  The producer fills an array of these per row, pointing into its own row buffer: the
 * writer copies what it needs during out_writer_row and keeps no pointer afterwards. */
typedef struct out_value {
	bool is_null; /* SQL NULL: the payload is not read */
	union {
		int64_t i64; /* OUT_KIND_INT64: integers, booleans (0/1), bit fields */
		uint64_t u64; /* OUT_KIND_UINT64: unsigned integers (BIGINT UNSIGNED, BIT(n)) */
		double f64;   /* OUT_KIND_DOUBLE */
		float f32;    /* OUT_KIND_FLOAT */
		struct {
			const char *p; /* may contain NUL; may be NULL when n == 0 */
			size_t n;      /* bytes */
		} bytes;
		struct {
			const double *p; /* may be NULL when n == 0 */
			size_t n;        /* number of doubles (2 for a point, 3 a circle, 2 per polygon vertex,
			                  * 2 per complex element) */
		} doubles;
		struct {
			const int64_t *p; /* may be NULL when n == 0 */
			size_t n;         /* number of integers */
		} longs;
	} v;
} out_value;

/* A document-level INFO element (VOTable 1.4). */
typedef struct out_info_item {
	const char *name;  /* INFO name; required */
	const char *value; /* INFO value; NULL is written as "" */
} out_info_item;

/* What the VOTable says about the request, before the table (DALI 1.1 §5.4.3); every member may
 * be NULL/0.  CSV and TSV have no place for it and ignore it. */
typedef struct out_info {
	const char *query;           /* the query text: INFO name="QUERY" */
	const char *server;          /* server name and version: INFO name="server" */
	const char *request_id;      /* for matching the log: INFO name="request_id" */
	const out_info_item *extra;  /* more INFOs in order (e.g. standardID, RUNID) */
	size_t n_extra;
} out_info;

typedef enum out_status { OUT_STATUS_OK, OUT_STATUS_ERROR } out_status;

typedef struct out_writer out_writer;

/* Options of out_writer_open; NULL means all defaults. */
typedef struct out_options {
	size_t flush_bytes; /* flush threshold in bytes; 0 = OUT_FLUSH_BYTES (tests use small ones) */
} out_options;

/* A writer for one document on sink (copied; its ctx must outlive the writer).  NULL with
 * TR_ENOMEM, or TR_EINTERNAL for a format outside the enum.  Free with out_writer_free. */
out_writer *out_writer_open(out_format fmt, const tr_sink *sink, const out_options *options, tr_err *err);
void out_writer_free(out_writer *w); /* NULL is fine; does not write anything */

/* Writes the document head: for VOTable the RESOURCE, the QUERY_STATUS OK INFO, the INFOs of
 * info (may be NULL), the FIELDs and the start of the data; for CSV/TSV the header line.  The
 * fields array is borrowed until out_writer_end.  Errors: TR_EINTERNAL (no fields, a field the
 * table above rejects), TR_ENOMEM, TR_EIO (the sink failed). */
int out_writer_begin(out_writer *w, const out_field *fields, size_t n_fields, const out_info *info, tr_err *err)
	__attribute__((warn_unused_result));

/* Writes one row: values[i] belongs to fields[i].  A value that does not fit its field (wrong
 * array length, out of range) is TR_EINTERNAL and writes nothing of the row, so the caller can
 * still end the document with an error.  TR_ELIMIT: the row is over OUT_ROW_MAX.  TR_EIO: the sink
 * failed; the writer is then dead and every later call fails at once. */
int out_writer_row(out_writer *w, const out_value *values, tr_err *err) __attribute__((warn_unused_result));

/* Ends the document and flushes it.
 * OUT_STATUS_OK: VOTable closes the table and, when is_overflow is set (more rows existed than were
 * written: MAXREC or a service limit), adds <INFO name="QUERY_STATUS" value="OVERFLOW"/> after the
 * TABLE (DALI 1.1 §5.4.1; the leading INFO stays OK).
 * OUT_STATUS_ERROR (an error after begin, e.g. the database failed mid-stream): VOTable closes the
 * data and the table and appends <INFO name="QUERY_STATUS" value="ERROR">message</INFO> (DALI 1.1
 * §5.4.2, TAP 1.1 'Use of VOTable'), still a well-formed, schema-valid document; is_overflow is
 * ignored.  CSV and
 * TSV have no place for a status (DALI 1.1 §5.4.1): their output stops after the last complete row
 * and nothing is added, so the caller must log the error and should abort the transport (end the
 * HTTP response abnormally) so the client sees a truncated transfer, not a short table;
 * out_format_has_status tells which case applies.
 * Before out_writer_begin, ERROR writes the VOTable error document instead (for CSV/TSV too:
 * nothing has been sent, so DALI's error document is still possible) and OK is TR_EINTERNAL.
 * message may be NULL for OK.  Returns TR_EIO if the sink failed (now or earlier). */
int out_writer_end(out_writer *w, out_status status, const char *message, bool is_overflow, tr_err *err)
	__attribute__((warn_unused_result));

/* Rows written so far and the largest the output buffer has been (bytes), for logs and tests. */
uint64_t out_writer_rows(const out_writer *w);
size_t out_writer_peak_buffered(const out_writer *w);

/* A complete VOTable error document (DALI 1.1 §5.4.2): RESOURCE type="results" holding only
 * <INFO name="QUERY_STATUS" value="ERROR">message</INFO> and the INFOs of info (may be NULL),
 * written to sink in one call.  Send it with OUT_ERROR_CONTENT_TYPE.  TR_ENOMEM or TR_EIO. */
int out_write_error_document(const tr_sink *sink, const char *message, const out_info *info, tr_err *err)
	__attribute__((warn_unused_result));

#endif
