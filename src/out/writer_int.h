/* writer_int: what the format back ends (votable.c, csv.c) share with writer.c.  Not for callers
 * outside src/out/: they use writer.h.
 *
 * writer.c owns the state machine, the checks of fields and values, the row buffer and the flush;
 * a back end only appends bytes to w->row (one row) or w->buf (head and tail) and never fails
 * except through the strbufs' sticky errors, which writer.c checks once per call. */
#ifndef TR_OUT_WRITER_INT_H
#define TR_OUT_WRITER_INT_H

#include "out/base64.h"
#include "out/text.h"
#include "out/writer.h"
#include "util/strbuf.h"

/* How a column's cells are shaped (from its arraysize). */
typedef enum out_shape {
	OUT_SHAPE_SCALAR,  /* no arraysize */
	OUT_SHAPE_FIXED,   /* "n": exactly n elements */
	OUT_SHAPE_BOUNDED, /* "n*": 0..n elements */
	OUT_SHAPE_VARIABLE /* "*": any number */
} out_shape;

/* A field as the writer uses it: parsed once in begin, read for every cell. */
typedef struct out_column {
	const out_field *f;  /* the caller's field (borrowed until end) */
	const char *id;      /* XML ID, unique in the document (points into out_writer.ids) */
	out_shape shape;     /* from arraysize */
	uint32_t n;          /* count of the last dimension for FIXED, its bound for BOUNDED, else 0 */
	uint32_t group;      /* numbers per step of the last dimension: the product of the other
	                      * dimensions, twice that for complex types; 1 for 1-D arrays and
	                      * scalars, 2 for a complex scalar.  BINARY2 counts steps (§5.3). */
	bool is_timestamp;   /* xtype "timestamp": MariaDB's "date time" gets DALI's 'T' */
} out_column;

/* Text spellings that differ between text formats; everything else is shared. */
typedef struct out_text_style {
	/* appends a string escaped for the format (replacing what is not a character, see text.h) */
	size_t (*escape)(strbuf *sb, const char *s, size_t n);
	const char *true_text;       /* boolean true */
	const char *false_text;      /* boolean false */
} out_text_style;

/* One output format: three hooks appending to the writer's buffers. */
typedef struct out_backend {
	void (*begin)(out_writer *w, const out_info *info); /* head into w->buf */
	void (*row)(out_writer *w, const out_value *values); /* one row into w->row */
	/* tail into w->buf; only called after begin */
	void (*end)(out_writer *w, out_status status, const char *message, bool is_overflow);
} out_backend;

struct out_writer {
	out_format fmt;
	const out_backend *be;
	tr_sink sink;            /* where flushed bytes go */
	strbuf buf;              /* output not yet written to the sink */
	strbuf row;              /* the row being formatted (raw bytes for BINARY2); capped at OUT_ROW_MAX
	                          * so a row either fits whole or is dropped whole */
	strbuf ids;              /* the columns' XML IDs, NUL-separated */
	base64_enc b64;          /* BINARY2: the base64 state across rows */
	out_column *cols;        /* one per field, allocated in begin (the only allocation besides
	                          * the strbufs) */
	size_t n_cols;
	size_t flush_bytes;      /* flush threshold in bytes */
	size_t peak;             /* largest strbuf_len(&buf) seen, in bytes */
	uint64_t n_rows;         /* rows written */
	enum { OUT_ST_NEW, OUT_ST_BEGUN, OUT_ST_ENDED, OUT_ST_DEAD } state; /* DEAD: the sink failed */
};

extern const out_backend out_votable_backend;
extern const out_backend out_csv_backend;

/* Appends the text form of a non-null cell: numbers by numfmt, strings by the style's escape,
 * arrays space-separated as in VOTable TABLEDATA and DALI 1.1 §3.5-3.7. */
void out_cell_text(strbuf *sb, const out_column *c, const out_value *v, const out_text_style *style);

/* The bytes of a text cell after the column's arraysize limit and the timestamp fix; tmp (of
 * OUT_TIMESTAMP_MAX bytes) holds the fixed copy when one is needed. */
#define OUT_TIMESTAMP_MAX 64
const char *out_cell_string(const out_column *c, const out_value *v, char *tmp, size_t *out_n);

/* The VOTable error document (DALI 1.1 §5.4.2) into sb. */
void out_votable_error_document(strbuf *sb, const char *message, const out_info *info);

#endif
