/* votable: the VOTable 1.4 back end of the result writer, TABLEDATA and BINARY2, and the DALI
 * error document.
 *
 * Document shape (DALI 1.1 §5.4, TAP 1.1 'Use of VOTable'): RESOURCE type="results" holding the QUERY_STATUS
 * OK INFO, the request INFOs, the TABLE, then OVERFLOW or ERROR INFOs after it.  Cell text comes
 * from out_cell_text (shared with CSV/TSV); this file owns only XML structure, NULL spellings and
 * the BINARY2 byte layout (VOTable 1.4 §5.3-5.5, §6).  Must not flush or touch the sink. */
#include <config.h>

#include "out/writer_int.h"
#include "out/xml.h"

#include <math.h>
#include <string.h>

/* VOTable 1.4 §3: the namespace stays v1.3 for all 1.x; the version attribute says 1.4. */
static const char doc_head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<VOTABLE version=\"1.4\" xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\">\n"
	"<RESOURCE type=\"results\">\n";
static const char doc_tail[] = "</RESOURCE>\n</VOTABLE>\n";

static const out_text_style td_style = { xml_escape, "T", "F" };

static void put_attr(strbuf *sb, const char *name, const char *value)
{
	if (value == NULL)
		return;
	strbuf_putc(sb, ' ');
	strbuf_puts(sb, name);
	strbuf_puts(sb, "=\"");
	xml_escape_attr(sb, value, strlen(value));
	strbuf_putc(sb, '"');
}

static void put_info(strbuf *sb, const char *name, const char *value)
{
	strbuf_puts(sb, "<INFO");
	put_attr(sb, "name", name);
	put_attr(sb, "value", value ? value : "");
	strbuf_puts(sb, "/>\n");
}

/* QUERY_STATUS with a message as content (DALI 1.1 §5.4: "a message suitable for display"). */
static void put_status(strbuf *sb, const char *value, const char *message)
{
	strbuf_puts(sb, "<INFO name=\"QUERY_STATUS\" value=\"");
	strbuf_puts(sb, value);
	if (message == NULL || message[0] == '\0') {
		strbuf_puts(sb, "\"/>\n");
		return;
	}
	strbuf_puts(sb, "\">");
	xml_escape_str(sb, message);
	strbuf_puts(sb, "</INFO>\n");
}

static void put_request_infos(strbuf *sb, const out_info *info)
{
	if (info == NULL)
		return;
	if (info->query)
		put_info(sb, "QUERY", info->query);
	if (info->server)
		put_info(sb, "server", info->server);
	if (info->request_id)
		put_info(sb, "request_id", info->request_id);
	for (size_t i = 0; i < info->n_extra; i++)
		if (info->extra[i].name)
			put_info(sb, info->extra[i].name, info->extra[i].value);
}

void out_votable_error_document(strbuf *sb, const char *message, const out_info *info)
{
	strbuf_puts(sb, doc_head);
	put_status(sb, "ERROR", message);
	put_request_infos(sb, info);
	strbuf_puts(sb, doc_tail);
}

static void votable_begin(out_writer *w, const out_info *info)
{
	strbuf *sb = &w->buf;
	strbuf_puts(sb, doc_head);
	put_status(sb, "OK", NULL);
	put_request_infos(sb, info);
	strbuf_puts(sb, "<TABLE>\n");
	for (size_t i = 0; i < w->n_cols; i++) {
		const out_column *c = &w->cols[i];
		const out_field *f = c->f;
		strbuf_puts(sb, "<FIELD");
		put_attr(sb, "name", f->name);
		put_attr(sb, "ID", c->id);
		put_attr(sb, "datatype", out_datatype_name(f->datatype));
		put_attr(sb, "arraysize", f->arraysize);
		put_attr(sb, "xtype", f->xtype);
		put_attr(sb, "unit", f->unit);
		put_attr(sb, "ucd", f->ucd);
		put_attr(sb, "utype", f->utype);
		if (f->description == NULL) {
			strbuf_puts(sb, "/>\n");
			continue;
		}
		strbuf_puts(sb, ">\n<DESCRIPTION>");
		xml_escape_str(sb, f->description);
		strbuf_puts(sb, "</DESCRIPTION>\n</FIELD>\n");
	}
	if (w->fmt == OUT_VOTABLE_BINARY2)
		strbuf_puts(sb, "<DATA>\n<BINARY2>\n<STREAM encoding=\"base64\">\n");
	else
		strbuf_puts(sb, "<DATA>\n<TABLEDATA>\n");
}

/* ---- TABLEDATA (VOTable 1.4 §5.1) ----------------------------------------------------------- */

/* NaNs that stand for NULL in a floating-point array cell.  An empty TD is NULL for every type
 * (§5.1), but STILTS votlint insists on n numbers in a fixed-size array and on at least three
 * vertices for xtype polygon (DALI 1.1 §3.7); NaN means "no value" to every reader (§5.5). */
static uint32_t null_nans(const out_column *c)
{
	if (c->f->kind != OUT_KIND_DOUBLES)
		return 0;
	if (c->shape == OUT_SHAPE_FIXED)
		return c->n * c->group;
	return c->f->xtype && strcmp(c->f->xtype, "polygon") == 0 ? 6 : 0;
}

static void tabledata_row(out_writer *w, const out_value *values)
{
	strbuf *sb = &w->row;
	strbuf_puts(sb, "<TR>");
	for (size_t i = 0; i < w->n_cols; i++) {
		const out_column *c = &w->cols[i];
		uint32_t nans;
		if (!values[i].is_null) {
			strbuf_puts(sb, "<TD>");
			out_cell_text(sb, c, &values[i], &td_style);
			strbuf_puts(sb, "</TD>");
		} else if ((nans = null_nans(c)) > 0) {
			strbuf_puts(sb, "<TD>");
			for (uint32_t k = 0; k < nans; k++)
				strbuf_puts(sb, k ? " NaN" : "NaN");
			strbuf_puts(sb, "</TD>");
		} else {
			strbuf_puts(sb, "<TD/>");
		}
	}
	strbuf_puts(sb, "</TR>\n");
}

/* ---- BINARY2 (VOTable 1.4 §5.4): null flags, then each cell big-endian ---------------------- */

static void put_be(strbuf *sb, uint64_t v, size_t bytes)
{
	unsigned char *p = (unsigned char *)strbuf_reserve(sb, bytes);
	if (p == NULL)
		return;
	for (size_t i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	strbuf_commit(sb, bytes);
}

static uint64_t double_bits(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static uint32_t float_bits(float x)
{
	uint32_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static void put_zeros(strbuf *sb, size_t n)
{
	char *p = strbuf_reserve(sb, n);
	if (p == NULL)
		return;
	memset(p, 0, n);
	strbuf_commit(sb, n);
}

/* One float or double element; NaN stands for NULL (§5.5 recommends it for null cells). */
static void put_real(strbuf *sb, out_datatype dt, double x)
{
	if (dt == OUT_DT_FLOAT)
		put_be(sb, float_bits((float)x), 4);
	else
		put_be(sb, double_bits(x), 8);
}

/* The element count of an array cell: a 4-byte prefix for variable sizes (§5.3), nothing for
 * fixed ones. */
static void put_count(strbuf *sb, const out_column *c, size_t n)
{
	if (c->shape == OUT_SHAPE_BOUNDED || c->shape == OUT_SHAPE_VARIABLE)
		put_be(sb, n, 4);
}

/* Text as char or unicodeChar, after the same arraysize limit as in TABLEDATA.  char is 7-bit
 * ASCII (VOTable 1.4 §2.1) and readers hold it to that (astropy refuses other bytes), so each
 * non-ASCII character, and each U+FFFD replacement, is one '?'; a column that may hold other text
 * belongs in unicodeChar.  unicodeChar is UTF-16 big-endian: VOTable 1.4 says UCS-2, 1.5 UTF-16;
 * a character outside the BMP becomes a surrogate pair, which the UCS-2 readers in Java and
 * Python decode the same way.  Fixed sizes are padded with NUL. */
static void put_text(strbuf *sb, const out_column *c, const out_value *v)
{
	bool is_char = c->f->datatype == OUT_DT_CHAR;
	size_t units = 0, n = 0;
	const char *s = NULL;
	char tmp[OUT_TIMESTAMP_MAX];
	if (!v->is_null) {
		s = out_cell_string(c, v, tmp, &n);
		text_prefix(s, n, SIZE_MAX, is_char ? TEXT_UNIT_CHAR : TEXT_UNIT_UTF16, &units);
	}
	put_count(sb, c, units);
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		int valid;
		size_t len = text_next(p + i, n - i, &valid);
		uint32_t cp = valid ? text_code_point(p + i, len) : 0xFFFD;
		if (is_char)
			put_be(sb, cp < 0x80 ? cp : '?', 1);
		else if (cp < 0x10000)
			put_be(sb, cp, 2);
		else
			put_be(sb, (uint64_t)(0xD800 + ((cp - 0x10000) >> 10)) << 16 | (0xDC00 + ((cp - 0x10000) & 0x3FF)), 4);
		i += len;
	}
	size_t fixed = c->shape == OUT_SHAPE_SCALAR ? 1 : c->shape == OUT_SHAPE_FIXED ? c->n : 0;
	if (fixed > units)
		put_zeros(sb, (fixed - units) * (is_char ? 1 : 2));
}

/* An integer array of bytes-wide elements; a NULL fixed array is flagged and its elements zero.
 * §5.3: the count is of steps of the last dimension. */
static void put_ints(strbuf *sb, const out_column *c, const out_value *v, size_t bytes)
{
	size_t n = v->is_null ? (c->shape == OUT_SHAPE_FIXED ? (size_t)c->n * c->group : 0) : v->v.longs.n;
	put_count(sb, c, n / c->group);
	for (size_t k = 0; k < n; k++)
		put_be(sb, v->is_null ? 0 : (uint64_t)v->v.longs.p[k], bytes);
}

static void binary2_cell(strbuf *sb, const out_column *c, const out_value *v)
{
	const out_field *f = c->f;
	bool null = v->is_null;
	uint64_t iv = null ? 0 : f->kind == OUT_KIND_INT64 ? (uint64_t)v->v.i64 : v->v.u64;
	switch (f->datatype) {
	case OUT_DT_BOOLEAN: /* §6: 'T', 'F'; NULL flagged, the byte zero */
		put_be(sb, null ? 0 : iv ? 'T' : 'F', 1);
		return;
	case OUT_DT_BIT: { /* §6: element 0 in the most significant bit, padded with 0 bits */
		size_t nb = c->shape == OUT_SHAPE_SCALAR ? 1 : c->n;
		unsigned char out[8] = { 0 };
		for (size_t k = 0; k < nb; k++)
			if ((iv >> (nb - 1 - k)) & 1)
				out[k / 8] |= (unsigned char)(0x80u >> (k % 8));
		strbuf_add(sb, out, (nb + 7) / 8);
		return;
	}
	case OUT_DT_UNSIGNED_BYTE:
		if (c->shape == OUT_SHAPE_SCALAR) {
			put_be(sb, iv, 1);
			return;
		}
		if (f->kind == OUT_KIND_LONGS) {
			put_ints(sb, c, v, 1);
			return;
		}
		{
			size_t have = null ? 0 : v->v.bytes.n;
			size_t n = c->shape == OUT_SHAPE_VARIABLE || c->shape == OUT_SHAPE_BOUNDED ?
			           (c->shape == OUT_SHAPE_BOUNDED && have > c->n ? c->n : have) : c->n;
			put_count(sb, c, n);
			size_t copy = have < n ? have : n;
			strbuf_add(sb, null ? "" : v->v.bytes.p, copy);
			put_zeros(sb, n - copy);
		}
		return;
	case OUT_DT_SHORT:
	case OUT_DT_INT:
	case OUT_DT_LONG: {
		size_t bytes = f->datatype == OUT_DT_SHORT ? 2 : f->datatype == OUT_DT_INT ? 4 : 8;
		if (f->kind == OUT_KIND_LONGS)
			put_ints(sb, c, v, bytes);
		else
			put_be(sb, iv, bytes);
		return;
	}
	case OUT_DT_CHAR:
	case OUT_DT_UNICODE_CHAR:
		put_text(sb, c, v);
		return;
	case OUT_DT_FLOAT:
	case OUT_DT_DOUBLE:
	case OUT_DT_FLOAT_COMPLEX:
	case OUT_DT_DOUBLE_COMPLEX: {
		out_datatype part = f->datatype == OUT_DT_FLOAT || f->datatype == OUT_DT_FLOAT_COMPLEX ? OUT_DT_FLOAT :
		                    OUT_DT_DOUBLE;
		if (f->kind != OUT_KIND_DOUBLES) {
			put_real(sb, part, null ? NAN : f->kind == OUT_KIND_FLOAT ? (double)v->v.f32 : v->v.f64);
			return;
		}
		/* §5.3: the count is of steps of the last dimension (complex numbers, not their parts) */
		size_t fixed = c->shape == OUT_SHAPE_SCALAR ? 1 : c->shape == OUT_SHAPE_FIXED ? c->n : 0;
		size_t n = null ? fixed * c->group : v->v.doubles.n;
		put_count(sb, c, n / c->group);
		for (size_t k = 0; k < n; k++)
			put_real(sb, part, null ? NAN : v->v.doubles.p[k]);
		return;
	}
	}
}

static void binary2_row(out_writer *w, const out_value *values)
{
	strbuf *sb = &w->row;
	size_t flag_bytes = (w->n_cols + 7) / 8;
	unsigned char *flags = (unsigned char *)strbuf_reserve(sb, flag_bytes);
	if (flags == NULL)
		return;
	memset(flags, 0, flag_bytes);
	for (size_t i = 0; i < w->n_cols; i++)
		if (values[i].is_null) /* the first column is the most significant bit of the first byte */
			flags[i / 8] |= (unsigned char)(0x80u >> (i % 8));
	strbuf_commit(sb, flag_bytes);
	for (size_t i = 0; i < w->n_cols; i++)
		binary2_cell(sb, &w->cols[i], &values[i]);
}

/* ---- both ----------------------------------------------------------------------------------- */

static void votable_row(out_writer *w, const out_value *values)
{
	if (w->fmt == OUT_VOTABLE_BINARY2)
		binary2_row(w, values);
	else
		tabledata_row(w, values);
}

static void votable_end(out_writer *w, out_status status, const char *message, bool is_overflow)
{
	strbuf *sb = &w->buf;
	if (w->fmt == OUT_VOTABLE_BINARY2) {
		base64_enc_finish(&w->b64, sb);
		strbuf_puts(sb, "</STREAM>\n</BINARY2>\n</DATA>\n</TABLE>\n");
	} else {
		strbuf_puts(sb, "</TABLEDATA>\n</DATA>\n</TABLE>\n");
	}
	/* DALI 1.1 §5.4.1-2: the leading INFO said OK, so a later status follows the TABLE. */
	if (status == OUT_STATUS_ERROR)
		put_status(sb, "ERROR", message ? message : "error while writing the result");
	else if (is_overflow)
		put_status(sb, "OVERFLOW", NULL);
	strbuf_puts(sb, doc_tail);
}

const out_backend out_votable_backend = { votable_begin, votable_row, votable_end };
