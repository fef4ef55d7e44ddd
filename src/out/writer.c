/* writer: format choice, the writer state machine, field and value checks, buffering and the
 * text form of a cell that TABLEDATA, CSV and TSV share (see writer.h).
 *
 * Each row is formatted whole into w->row and only then appended to the output, so a row that
 * fails (bad value, over OUT_ROW_MAX) leaves no trace and the document can still be ended
 * properly.  Must not format values per format (the back ends call out_cell_text) nor write to
 * the sink anywhere but flush().  DALI 1.1 §4.3.3 (RESPONSEFORMAT), §5.4 (status). */
#include <config.h>

#include "out/writer.h"
#include "out/numfmt.h"
#include "out/writer_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- formats -------------------------------------------------------------------------------- */

static const char ct_votable[] = "application/x-votable+xml";
static const char ct_votable_td[] = "application/x-votable+xml;serialization=TABLEDATA";
static const char ct_votable_b2[] = "application/x-votable+xml;serialization=BINARY2";
static const char ct_xml[] = "text/xml";
static const char ct_xml_td[] = "text/xml;serialization=TABLEDATA";
static const char ct_xml_b2[] = "text/xml;serialization=BINARY2";
/* TAP 1.1 'Successful Queries': with the header line the type must say header=present; RFC 4180 §3 defaults
 * the charset to US-ASCII, so say UTF-8. */
static const char ct_csv[] = "text/csv;charset=utf-8;header=present";
static const char ct_tsv[] = "text/tab-separated-values;charset=utf-8";

/* Short forms: DALI 1.1 §4.3.3 table, plus the serialization-specific ones other services use. */
static const struct {
	const char *name;
	out_format fmt;
} short_forms[] = {
	{ "votable", OUT_VOTABLE_TABLEDATA },
	{ "votable/td", OUT_VOTABLE_TABLEDATA },
	{ "votable/tabledata", OUT_VOTABLE_TABLEDATA },
	{ "votable/b2", OUT_VOTABLE_BINARY2 },
	{ "votable/binary2", OUT_VOTABLE_BINARY2 },
	{ "csv", OUT_CSV },
	{ "tsv", OUT_TSV },
};

const char *out_format_content_type(out_format fmt)
{
	switch (fmt) {
	case OUT_VOTABLE_TABLEDATA: return ct_votable;
	case OUT_VOTABLE_BINARY2: return ct_votable_b2;
	case OUT_CSV: return ct_csv;
	case OUT_TSV: return ct_tsv;
	}
	return ct_votable;
}

bool out_format_has_status(out_format fmt) { return fmt == OUT_VOTABLE_TABLEDATA || fmt == OUT_VOTABLE_BINARY2; }

/* A slice of the RESPONSEFORMAT value. */
typedef struct span {
	const char *p;
	size_t n;
} span;

static span trim(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return (span){ p, n };
}

static bool span_is(span s, const char *lit)
{
	return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

/* The value of a parameter: a token, or a quoted-string (RFC 2045 §5.1, RFC 822 quoting) whose
 * quotes and backslashes are removed into buf.  Returns false if malformed or too long. */
static bool param_value(span raw, char *buf, size_t size, span *out)
{
	if (raw.n == 0 || raw.p[0] != '"') {
		*out = raw;
		return raw.n > 0;
	}
	size_t k = 0;
	for (size_t i = 1; i < raw.n; i++) {
		char c = raw.p[i];
		if (c == '"') {
			*out = (span){ buf, k };
			return i == raw.n - 1;
		}
		if (c == '\\' && i + 1 < raw.n)
			c = raw.p[++i];
		if (k + 1 >= size)
			return false;
		buf[k++] = c;
	}
	return false; /* no closing quote */
}

/* The media type families we write and the parameters each accepts. */
enum family { FAM_VOTABLE, FAM_XML, FAM_CSV, FAM_TSV };

int out_format_parse(const char *value, out_format *out_fmt, const char **out_content_type, tr_err *err)
{
	span all = trim(value ? value : "", value ? strlen(value) : 0);
	if (all.n == 0) { /* TAP 1.1 'FORMAT and RESPONSEFORMAT': none means VOTable */
		*out_fmt = OUT_VOTABLE_TABLEDATA;
		*out_content_type = ct_votable;
		return TR_OK;
	}
	const char *semi = memchr(all.p, ';', all.n);
	span type = trim(all.p, semi ? (size_t)(semi - all.p) : all.n);
	if (semi == NULL) {
		for (size_t i = 0; i < sizeof short_forms / sizeof short_forms[0]; i++) {
			if (span_is(type, short_forms[i].name)) {
				*out_fmt = short_forms[i].fmt;
				*out_content_type = out_format_content_type(*out_fmt);
				return TR_OK;
			}
		}
	}
	enum family fam;
	if (span_is(type, ct_votable))
		fam = FAM_VOTABLE;
	else if (span_is(type, ct_xml))
		fam = FAM_XML;
	else if (span_is(type, "text/csv"))
		fam = FAM_CSV;
	else if (span_is(type, "text/tab-separated-values"))
		fam = FAM_TSV;
	else
		goto unsupported;

	int serialization = -1; /* -1 unspecified, else an out_format */
	const char *p = semi;
	const char *end = all.p + all.n;
	while (p != NULL && p < end) {
		const char *start = p + 1;
		const char *next = memchr(start, ';', (size_t)(end - start));
		/* a ';' inside a quoted value is not a separator */
		const char *q = memchr(start, '"', (size_t)(end - start));
		if (q && next && q < next) {
			const char *close = q + 1;
			while (close < end && *close != '"')
				close += *close == '\\' && close + 1 < end ? 2 : 1;
			next = close < end ? memchr(close, ';', (size_t)(end - close)) : NULL;
		}
		span param = trim(start, (size_t)((next ? next : end) - start));
		p = next;
		if (param.n == 0)
			continue; /* "text/csv;" */
		const char *eq = memchr(param.p, '=', param.n);
		if (eq == NULL)
			goto unsupported;
		span name = trim(param.p, (size_t)(eq - param.p));
		char buf[64];
		span val;
		if (!param_value(trim(eq + 1, (size_t)(param.p + param.n - eq - 1)), buf, sizeof buf, &val))
			goto unsupported;
		if (span_is(name, "charset") && span_is(val, "utf-8"))
			continue;
		if ((fam == FAM_VOTABLE || fam == FAM_XML) && span_is(name, "serialization")) {
			if (span_is(val, "TABLEDATA"))
				serialization = OUT_VOTABLE_TABLEDATA;
			else if (span_is(val, "BINARY2"))
				serialization = OUT_VOTABLE_BINARY2;
			else
				goto unsupported; /* BINARY, FITS: not written here */
			continue;
		}
		if (fam == FAM_CSV && span_is(name, "header") && span_is(val, "present"))
			continue;
		goto unsupported;
	}
	switch (fam) {
	case FAM_VOTABLE:
	case FAM_XML:
		*out_fmt = serialization == OUT_VOTABLE_BINARY2 ? OUT_VOTABLE_BINARY2 : OUT_VOTABLE_TABLEDATA;
		/* DALI 1.1 §4.3.3: a requested media type is echoed in Content-Type. */
		if (fam == FAM_VOTABLE)
			*out_content_type = serialization < 0 ? ct_votable :
			                    serialization == OUT_VOTABLE_BINARY2 ? ct_votable_b2 : ct_votable_td;
		else
			*out_content_type = serialization < 0 ? ct_xml :
			                    serialization == OUT_VOTABLE_BINARY2 ? ct_xml_b2 : ct_xml_td;
		return TR_OK;
	case FAM_CSV:
		*out_fmt = OUT_CSV;
		*out_content_type = ct_csv;
		return TR_OK;
	case FAM_TSV:
		*out_fmt = OUT_TSV;
		*out_content_type = ct_tsv;
		return TR_OK;
	}
unsupported:
	tr_err_set(err, TR_EUNSUPPORTED, -1, 0, "unsupported RESPONSEFORMAT '%.*s'", (int)(all.n > 200 ? 200 : all.n), all.p);
	tr_err_detail(err, "supported: votable, application/x-votable+xml (serialization=TABLEDATA or BINARY2), "
	                   "text/xml, csv, text/csv, tsv, text/tab-separated-values (DALI 1.1 section 3.3.1)");
	return TR_EUNSUPPORTED;
}

static const char *const datatype_names[] = {
	[OUT_DT_BOOLEAN] = "boolean", [OUT_DT_BIT] = "bit", [OUT_DT_UNSIGNED_BYTE] = "unsignedByte",
	[OUT_DT_SHORT] = "short", [OUT_DT_INT] = "int", [OUT_DT_LONG] = "long", [OUT_DT_CHAR] = "char",
	[OUT_DT_UNICODE_CHAR] = "unicodeChar", [OUT_DT_FLOAT] = "float", [OUT_DT_DOUBLE] = "double",
	[OUT_DT_FLOAT_COMPLEX] = "floatComplex", [OUT_DT_DOUBLE_COMPLEX] = "doubleComplex",
};

const char *out_datatype_name(out_datatype dt)
{
	return (unsigned)dt < sizeof datatype_names / sizeof datatype_names[0] ? datatype_names[dt] : NULL;
}

/* ---- the writer ----------------------------------------------------------------------------- */

out_writer *out_writer_open(out_format fmt, const tr_sink *sink, const out_options *options, tr_err *err)
{
	const out_backend *be;
	switch (fmt) {
	case OUT_VOTABLE_TABLEDATA:
	case OUT_VOTABLE_BINARY2: be = &out_votable_backend; break;
	case OUT_CSV:
	case OUT_TSV: be = &out_csv_backend; break;
	default:
		tr_err_set(err, TR_EINTERNAL, -1, 0, "unknown output format %d", (int)fmt);
		return NULL;
	}
	out_writer *w = calloc(1, sizeof *w);
	if (w == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory opening the result writer");
		return NULL;
	}
	w->fmt = fmt;
	w->be = be;
	w->sink = *sink;
	strbuf_init(&w->buf, 0);
	strbuf_init(&w->row, OUT_ROW_MAX);
	strbuf_init(&w->ids, 0);
	base64_enc_init(&w->b64, BASE64_LINE);
	w->flush_bytes = options && options->flush_bytes ? options->flush_bytes : OUT_FLUSH_BYTES;
	w->state = OUT_ST_NEW;
	return w;
}

void out_writer_free(out_writer *w)
{
	if (w == NULL)
		return;
	strbuf_free(&w->buf);
	strbuf_free(&w->row);
	strbuf_free(&w->ids);
	free(w->cols);
	free(w);
}

uint64_t out_writer_rows(const out_writer *w) { return w->n_rows; }
size_t out_writer_peak_buffered(const out_writer *w) { return w->peak; }

/* Hands the buffer to the sink when it has reached the threshold (or always, if force). */
static int flush(out_writer *w, bool force, tr_err *err)
{
	if (strbuf_failed(&w->buf)) {
		w->state = OUT_ST_DEAD;
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory writing the result");
	}
	size_t len = strbuf_len(&w->buf);
	if (len > w->peak)
		w->peak = len;
	if (len == 0 || (!force && len < w->flush_bytes))
		return TR_OK;
	if (w->sink.write(w->sink.ctx, strbuf_str(&w->buf), len) != 0) {
		w->state = OUT_ST_DEAD;
		return tr_err_set(err, TR_EIO, -1, 0, "writing the result failed: the client or the file is gone");
	}
	strbuf_reset(&w->buf);
	return TR_OK;
}

/* The state check every call starts with. */
static int check_state(const out_writer *w, int want, const char *what, tr_err *err)
{
	if (w->state == OUT_ST_DEAD)
		return tr_err_set(err, TR_EIO, -1, 0, "the result writer failed earlier");
	if ((int)w->state != want)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "result writer: %s called out of order", what);
	return TR_OK;
}

/* Reads a dimension 1 <= v <= UINT32_MAX at *p, moving past it. */
static bool parse_dim(const char **p, uint32_t *out)
{
	uint64_t v = 0;
	const char *s = *p;
	for (; **p >= '0' && **p <= '9'; (*p)++) {
		v = v * 10 + (uint64_t)(**p - '0');
		if (v > UINT32_MAX)
			return false;
	}
	if (*p == s || v == 0)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Parses arraysize (VOTable 1.4 §2.2): NULL, "*", "n", "n*", or dimensions "AxB...x" before one
 * of the last three; *n gets the last dimension, *lead the product of the others (1 for none). */
static bool parse_arraysize(const char *s, out_shape *shape, uint32_t *n, uint32_t *lead)
{
	*n = 0;
	*lead = 1;
	if (s == NULL) {
		*shape = OUT_SHAPE_SCALAR;
		return true;
	}
	const char *p = s;
	uint32_t d;
	for (;;) {
		if (strcmp(p, "*") == 0) {
			*shape = OUT_SHAPE_VARIABLE;
			return true;
		}
		if (!parse_dim(&p, &d))
			return false;
		if (*p != 'x')
			break;
		if ((uint64_t)*lead * d > UINT32_MAX)
			return false;
		*lead *= d;
		p++;
	}
	if (*p == '*' && p[1] == '\0')
		*shape = OUT_SHAPE_BOUNDED;
	else if (*p == '\0')
		*shape = OUT_SHAPE_FIXED;
	else
		return false;
	if ((uint64_t)*lead * d > UINT32_MAX)
		return false;
	*n = d;
	return true;
}

static bool is_complex(out_datatype dt) { return dt == OUT_DT_FLOAT_COMPLEX || dt == OUT_DT_DOUBLE_COMPLEX; }

bool out_array_counts(out_datatype dt, const char *arraysize, size_t *out_step, size_t *out_max)
{
	out_shape shape;
	uint32_t n, lead;
	if (!parse_arraysize(arraysize, &shape, &n, &lead))
		return false;
	*out_step = (size_t)lead * (is_complex(dt) ? 2 : 1);
	*out_max = shape == OUT_SHAPE_VARIABLE ? SIZE_MAX : *out_step * (shape == OUT_SHAPE_SCALAR ? 1 : n);
	return true;
}

/* Whether writer.h's table of datatype, shape and kind allows the combination; lead is the product
 * of the dimensions before the last (only numeric arrays may have more than one). */
static bool combination_ok(out_datatype dt, out_shape shape, uint32_t n, uint32_t lead, out_kind kind)
{
	bool is_int_kind = kind == OUT_KIND_INT64 || kind == OUT_KIND_UINT64;
	bool scalar = shape == OUT_SHAPE_SCALAR;
	switch (dt) {
	case OUT_DT_SHORT:
	case OUT_DT_INT:
	case OUT_DT_LONG:
		return scalar ? is_int_kind : kind == OUT_KIND_LONGS;
	case OUT_DT_BOOLEAN:
		return scalar && is_int_kind;
	case OUT_DT_BIT:
		return (scalar || (shape == OUT_SHAPE_FIXED && n <= 64 && lead == 1)) && is_int_kind;
	case OUT_DT_UNSIGNED_BYTE:
		return scalar ? is_int_kind : (kind == OUT_KIND_BYTES && lead == 1) || kind == OUT_KIND_LONGS;
	case OUT_DT_CHAR:
	case OUT_DT_UNICODE_CHAR:
		return kind == OUT_KIND_BYTES && lead == 1;
	case OUT_DT_FLOAT:
	case OUT_DT_DOUBLE:
		return scalar ? kind == OUT_KIND_FLOAT || kind == OUT_KIND_DOUBLE : kind == OUT_KIND_DOUBLES;
	case OUT_DT_FLOAT_COMPLEX:
	case OUT_DT_DOUBLE_COMPLEX:
		return kind == OUT_KIND_DOUBLES && lead <= UINT32_MAX / 2;
	}
	return false;
}

/* XML 1.0 NameStartChar / NameChar, kept to ASCII (the rest is replaced). */
static bool id_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static bool id_char(char c) { return id_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

/* Appends base made XML-ID-safe (a letter or '_' first, then [A-Za-z0-9._-]) to w->ids. */
static void put_id_stem(out_writer *w, const char *base)
{
	if (!id_start(base[0]))
		strbuf_putc(&w->ids, '_');
	for (const char *p = base; *p; p++)
		strbuf_putc(&w->ids, id_char(*p) ? *p : '_');
}

/* Adds the ID for base to w->ids, unique among the IDs at offs[0..k) (VOTable 1.4 §3.2: unique in
 * the document; the FIELDs carry the only IDs we write); returns its offset. */
static size_t add_id(out_writer *w, const char *base, const size_t *offs, size_t k)
{
	size_t off = strbuf_len(&w->ids);
	put_id_stem(w, base);
	strbuf_putc(&w->ids, '\0');
	for (unsigned suffix = 2; !strbuf_failed(&w->ids); suffix++) {
		size_t i = 0;
		while (i < k && strcmp(strbuf_str(&w->ids) + offs[i], strbuf_str(&w->ids) + off) != 0)
			i++;
		if (i == k)
			break;
		/* taken: try stem_2, stem_3 ... (the rejected candidates stay behind, unused) */
		off = strbuf_len(&w->ids);
		put_id_stem(w, base);
		char num[NUMFMT_MAX];
		strbuf_putc(&w->ids, '_');
		strbuf_add(&w->ids, num, numfmt_uint64(num, suffix));
		strbuf_putc(&w->ids, '\0');
	}
	return off;
}

int out_writer_begin(out_writer *w, const out_field *fields, size_t n_fields, const out_info *info, tr_err *err)
{
	int rc = check_state(w, OUT_ST_NEW, "begin", err);
	if (rc)
		return rc;
	if (n_fields == 0) /* VOTable 1.4 schema: a TABLE needs a FIELD */
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "result writer: a result needs at least one column");
	w->cols = calloc(n_fields, sizeof *w->cols);
	size_t *offs = calloc(n_fields, sizeof *offs);
	if (w->cols == NULL || offs == NULL) {
		free(offs);
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory starting the result");
	}
	w->n_cols = n_fields;
	for (size_t i = 0; i < n_fields; i++) {
		const out_field *f = &fields[i];
		out_column *c = &w->cols[i];
		c->f = f;
		uint32_t lead = 1;
		if (f->name == NULL || f->name[0] == '\0' || out_datatype_name(f->datatype) == NULL ||
		    !parse_arraysize(f->arraysize, &c->shape, &c->n, &lead) ||
		    !combination_ok(f->datatype, c->shape, c->n, lead, f->kind)) {
			free(offs);
			tr_err_set(err, TR_EINTERNAL, -1, 0, "result writer: column %zu ('%s') has no valid datatype, "
			           "arraysize and value kind", i + 1, f->name ? f->name : "");
			return TR_EINTERNAL;
		}
		c->group = is_complex(f->datatype) ? 2 * lead : lead;
		c->is_timestamp = f->xtype && strcmp(f->xtype, "timestamp") == 0;
		offs[i] = add_id(w, f->id ? f->id : f->name, offs, i);
	}
	for (size_t i = 0; i < n_fields; i++)
		w->cols[i].id = strbuf_str(&w->ids) + offs[i];
	free(offs);
	if (strbuf_failed(&w->ids))
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory starting the result");
	w->be->begin(w, info);
	w->state = OUT_ST_BEGUN;
	return flush(w, false, err);
}

/* Whether an array cell of n numbers has the column's shape: whole steps of the last dimension,
 * exactly n of them when fixed, at most n when bounded; a complex scalar is one pair. */
static bool count_ok(const out_column *c, size_t n)
{
	size_t steps = n / c->group;
	if (n % c->group != 0 || steps > UINT32_MAX)
		return false;
	switch (c->shape) {
	case OUT_SHAPE_SCALAR: return steps == 1;
	case OUT_SHAPE_FIXED: return steps == c->n;
	case OUT_SHAPE_BOUNDED: return steps <= c->n;
	case OUT_SHAPE_VARIABLE: return true;
	}
	return false;
}

/* The per-row checks writer.h promises, before anything is formatted. */
static int check_values(const out_writer *w, const out_value *values, tr_err *err)
{
	static const struct {
		int64_t min;
		int64_t max;
	} ranges[] = {
		[OUT_DT_UNSIGNED_BYTE] = { 0, 255 },
		[OUT_DT_SHORT] = { INT16_MIN, INT16_MAX },
		[OUT_DT_INT] = { INT32_MIN, INT32_MAX },
		[OUT_DT_LONG] = { INT64_MIN, INT64_MAX },
	};
	for (size_t i = 0; i < w->n_cols; i++) {
		const out_column *c = &w->cols[i];
		const out_value *v = &values[i];
		if (v->is_null)
			continue;
		out_datatype dt = c->f->datatype;
		bool bad = false;
		switch (c->f->kind) {
		case OUT_KIND_INT64:
			if (c->shape == OUT_SHAPE_SCALAR && dt >= OUT_DT_UNSIGNED_BYTE && dt <= OUT_DT_LONG)
				bad = v->v.i64 < ranges[dt].min || v->v.i64 > ranges[dt].max;
			break;
		case OUT_KIND_UINT64:
			if (c->shape == OUT_SHAPE_SCALAR && dt >= OUT_DT_UNSIGNED_BYTE && dt <= OUT_DT_LONG)
				bad = v->v.u64 > (uint64_t)ranges[dt].max;
			break;
		case OUT_KIND_BYTES:
			bad = v->v.bytes.p == NULL && v->v.bytes.n > 0;
			break;
		case OUT_KIND_DOUBLES:
			bad = (v->v.doubles.p == NULL && v->v.doubles.n > 0) || !count_ok(c, v->v.doubles.n);
			break;
		case OUT_KIND_LONGS:
			bad = (v->v.longs.p == NULL && v->v.longs.n > 0) || !count_ok(c, v->v.longs.n);
			for (size_t k = 0; !bad && k < v->v.longs.n; k++)
				bad = v->v.longs.p[k] < ranges[dt].min || v->v.longs.p[k] > ranges[dt].max;
			break;
		case OUT_KIND_DOUBLE:
		case OUT_KIND_FLOAT:
			break;
		}
		if (bad)
			return tr_err_set(err, TR_EINTERNAL, -1, 0, "result writer: the value of column %zu ('%s') in "
			                  "row %llu does not fit its datatype %s", i + 1, c->f->name,
			                  (unsigned long long)w->n_rows + 1, out_datatype_name(dt));
	}
	return TR_OK;
}

int out_writer_row(out_writer *w, const out_value *values, tr_err *err)
{
	int rc = check_state(w, OUT_ST_BEGUN, "row", err);
	if (rc || (rc = check_values(w, values, err)))
		return rc;
	strbuf_reset(&w->row);
	w->be->row(w, values);
	if (strbuf_failed(&w->row))
		return tr_err_set(err, TR_ELIMIT, -1, 0, "result row %llu is over %zu bytes, or memory ran out",
		                  (unsigned long long)w->n_rows + 1, (size_t)OUT_ROW_MAX);
	if (w->fmt == OUT_VOTABLE_BINARY2)
		base64_enc_add(&w->b64, &w->buf, strbuf_str(&w->row), strbuf_len(&w->row));
	else
		strbuf_add(&w->buf, strbuf_str(&w->row), strbuf_len(&w->row));
	w->n_rows++;
	return flush(w, false, err);
}

int out_writer_end(out_writer *w, out_status status, const char *message, bool is_overflow, tr_err *err)
{
	if (w->state == OUT_ST_NEW) {
		if (status != OUT_STATUS_ERROR)
			return tr_err_set(err, TR_EINTERNAL, -1, 0, "result writer: end without begin");
		out_votable_error_document(&w->buf, message, NULL);
	} else {
		int rc = check_state(w, OUT_ST_BEGUN, "end", err);
		if (rc)
			return rc;
		w->be->end(w, status, message, is_overflow);
	}
	w->state = OUT_ST_ENDED;
	return flush(w, true, err);
}

int out_write_error_document(const tr_sink *sink, const char *message, const out_info *info, tr_err *err)
{
	strbuf sb = STRBUF_INIT(0);
	out_votable_error_document(&sb, message, info);
	int rc = TR_OK;
	if (strbuf_failed(&sb))
		rc = tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory writing the error document");
	else if (sink->write(sink->ctx, strbuf_str(&sb), strbuf_len(&sb)) != 0)
		rc = tr_err_set(err, TR_EIO, -1, 0, "writing the error document failed: the client or the file is gone");
	strbuf_free(&sb);
	return rc;
}

/* ---- the text form of a cell, shared by TABLEDATA, CSV and TSV ------------------------------ */

const char *out_cell_string(const out_column *c, const out_value *v, char *tmp, size_t *out_n)
{
	const char *s = v->v.bytes.p;
	size_t n = v->v.bytes.n;
	/* DALI 1.1 §3.3: YYYY-MM-DD'T'hh:mm:ss; MariaDB writes a space there. */
	if (c->is_timestamp && n > 10 && n <= OUT_TIMESTAMP_MAX && s[10] == ' ' && s[4] == '-' && s[7] == '-') {
		memcpy(tmp, s, n);
		tmp[10] = 'T';
		s = tmp;
	}
	if (c->shape != OUT_SHAPE_VARIABLE) {
		size_t limit = c->shape == OUT_SHAPE_SCALAR ? 1 : c->n;
		n = text_prefix(s, n, limit, c->f->datatype == OUT_DT_CHAR ? TEXT_UNIT_BYTE : TEXT_UNIT_UTF16, NULL);
	}
	*out_n = n;
	return s;
}

/* Elements of an array cell after the column's size rule: fixed arrays get exactly n. */
static size_t array_len(const out_column *c, size_t have)
{
	if (c->shape == OUT_SHAPE_FIXED)
		return c->n;
	if (c->shape == OUT_SHAPE_BOUNDED && have > c->n)
		return c->n;
	return have;
}

static void add_num(strbuf *sb, size_t (*fmt)(char *, double), double x)
{
	char *p = strbuf_reserve(sb, NUMFMT_MAX);
	if (p)
		strbuf_commit(sb, fmt(p, x));
}

static size_t fmt_double(char *buf, double x) { return numfmt_double(buf, x); }
static size_t fmt_float(char *buf, double x) { return numfmt_float(buf, (float)x); }

void out_cell_text(strbuf *sb, const out_column *c, const out_value *v, const out_text_style *style)
{
	const out_field *f = c->f;
	char *p;
	switch (f->datatype) {
	case OUT_DT_BOOLEAN: {
		bool t = f->kind == OUT_KIND_INT64 ? v->v.i64 != 0 : v->v.u64 != 0;
		strbuf_puts(sb, t ? style->true_text : style->false_text);
		return;
	}
	case OUT_DT_BIT: { /* VOTable 1.4 §6: a string of 0 and 1, most significant bit first */
		uint64_t bits = f->kind == OUT_KIND_INT64 ? (uint64_t)v->v.i64 : v->v.u64;
		size_t nb = c->shape == OUT_SHAPE_SCALAR ? 1 : c->n;
		if ((p = strbuf_reserve(sb, nb)) == NULL)
			return;
		for (size_t i = 0; i < nb; i++)
			p[i] = (char)('0' + ((bits >> (nb - 1 - i)) & 1));
		strbuf_commit(sb, nb);
		return;
	}
	case OUT_DT_UNSIGNED_BYTE:
		if (c->shape != OUT_SHAPE_SCALAR && f->kind == OUT_KIND_BYTES) { /* a BLOB: space-separated decimal bytes */
			size_t have = v->v.bytes.n, n = array_len(c, have);
			for (size_t i = 0; i < n; i++) {
				if (i)
					strbuf_putc(sb, ' ');
				char num[NUMFMT_MAX];
				unsigned b = i < have ? (unsigned char)v->v.bytes.p[i] : 0;
				strbuf_add(sb, num, numfmt_uint64(num, b));
			}
			return;
		}
		/* fall through - a scalar or an integer array */
	case OUT_DT_SHORT:
	case OUT_DT_INT:
	case OUT_DT_LONG:
		if (f->kind == OUT_KIND_LONGS) { /* VOTable 1.4 §5.1: array elements space-separated */
			for (size_t i = 0; i < v->v.longs.n; i++) {
				if (i)
					strbuf_putc(sb, ' ');
				if ((p = strbuf_reserve(sb, NUMFMT_MAX)) != NULL)
					strbuf_commit(sb, numfmt_int64(p, v->v.longs.p[i]));
			}
			return;
		}
		if ((p = strbuf_reserve(sb, NUMFMT_MAX)) != NULL)
			strbuf_commit(sb, f->kind == OUT_KIND_INT64 ? numfmt_int64(p, v->v.i64) : numfmt_uint64(p, v->v.u64));
		return;
	case OUT_DT_CHAR:
	case OUT_DT_UNICODE_CHAR: {
		char tmp[OUT_TIMESTAMP_MAX];
		size_t n;
		const char *s = out_cell_string(c, v, tmp, &n);
		style->escape(sb, s, n);
		return;
	}
	case OUT_DT_FLOAT:
	case OUT_DT_DOUBLE:
	case OUT_DT_FLOAT_COMPLEX:
	case OUT_DT_DOUBLE_COMPLEX: {
		bool single = f->datatype == OUT_DT_FLOAT || f->datatype == OUT_DT_FLOAT_COMPLEX;
		size_t (*fmt)(char *, double) = single ? fmt_float : fmt_double;
		if (f->kind != OUT_KIND_DOUBLES) {
			add_num(sb, fmt, f->kind == OUT_KIND_FLOAT ? (double)v->v.f32 : v->v.f64);
			return;
		}
		/* DALI 1.1 §3.5-3.7: arrays (point, circle, polygon) as space-separated numbers; VOTable
		 * 1.4 §5.1: a complex value is its real and imaginary parts, so the same */
		for (size_t i = 0; i < v->v.doubles.n; i++) {
			if (i)
				strbuf_putc(sb, ' ');
			add_num(sb, fmt, v->v.doubles.p[i]);
		}
		return;
	}
	}
}
