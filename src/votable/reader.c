/* votable/reader: the document structure (VOTABLE, RESOURCE, TABLE, FIELD, DATA), FIELD metadata
 * and TABLEDATA rows, streamed with expat; BINARY/BINARY2 streams are decoded in reader_binary.c.
 *
 * Must not hold more than one row, guess at broken input, or expand entities.  Only the first TABLE
 * is read; anything we do not look into (INFO, PARAM, GROUP, LINK, later TABLEs) is skipped whole.
 * VOTable 1.4 §3-§6. */
#include "config.h"

#include "votable/reader_int.h"
#include "util/xmlname.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VOT_FEED_SLICE (1u << 20) /* bytes per XML_Parse call: its length is an int */

/* Elements we look into, by the element they must sit in.  Anywhere else they are skipped. */
static const struct vot_rule {
	const char *name; /* local name */
	vot_elem parent;
	vot_elem kind;
} vot_rules[] = {
	{ "RESOURCE", VOT_E_VOTABLE, VOT_E_RESOURCE },
	{ "RESOURCE", VOT_E_RESOURCE, VOT_E_RESOURCE },
	{ "TABLE", VOT_E_RESOURCE, VOT_E_TABLE },
	{ "DESCRIPTION", VOT_E_TABLE, VOT_E_TABLE_DESC },
	{ "FIELD", VOT_E_TABLE, VOT_E_FIELD },
	{ "DESCRIPTION", VOT_E_FIELD, VOT_E_FIELD_DESC },
	{ "VALUES", VOT_E_FIELD, VOT_E_VALUES },
	{ "DATA", VOT_E_TABLE, VOT_E_DATA },
	{ "TABLEDATA", VOT_E_DATA, VOT_E_TABLEDATA },
	{ "BINARY", VOT_E_DATA, VOT_E_BINARY },
	{ "BINARY2", VOT_E_DATA, VOT_E_BINARY },
	{ "FITS", VOT_E_DATA, VOT_E_ROOT }, /* VOT_E_ROOT here: recognised, not supported */
	{ "TR", VOT_E_TABLEDATA, VOT_E_TR },
	{ "TD", VOT_E_TR, VOT_E_TD },
	{ "STREAM", VOT_E_BINARY, VOT_E_STREAM },
};

/* ---- errors --------------------------------------------------------------------------------- */

static void fail_v(vot_reader *r, int code, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void fail_v(vot_reader *r, int code, const char *fmt, va_list ap)
{
	if (!tr_err_isset(&r->err)) {
		char msg[TR_ERR_MSG_MAX];
		vsnprintf(msg, sizeof msg, fmt, ap);
		tr_err_set(&r->err, code, -1, 0, "%s", msg);
	}
	XML_StopParser(r->parser, XML_FALSE);
}

void vot_fail(vot_reader *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(r, code, fmt, ap);
	va_end(ap);
}

/* "NAME:LINE: message" at the parser's current line. */
__attribute__((format(printf, 3, 4))) static void fail_here(vot_reader *r, int code, const char *fmt, ...)
{
	char msg[TR_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (code == TR_ENOMEM)
		vot_fail(r, code, "%s", msg);
	else
		vot_fail(r, code, "%s:%lu: %s", r->name, (unsigned long)XML_GetCurrentLineNumber(r->parser), msg);
}

static void fail_oom(vot_reader *r) { vot_fail(r, TR_ENOMEM, "out of memory reading %s", r->name); }

void vot_fail_row(vot_reader *r, int code, const char *fmt, ...)
{
	char msg[TR_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	vot_fail(r, code, "%s: row %llu: %s", r->name, (unsigned long long)(r->n_rows + 1), msg);
}

void vot_fail_cell(vot_reader *r, int code, size_t col, unsigned long line, const char *why)
{
	if (code == TR_ENOMEM) {
		fail_oom(r);
		return;
	}
	if (line > 0)
		vot_fail(r, code, "%s: row %llu, column %zu (%s): %s (line %lu)", r->name,
		         (unsigned long long)(r->n_rows + 1), col + 1, r->fields[col].name, why, line);
	else
		vot_fail(r, code, "%s: row %llu, column %zu (%s): %s", r->name, (unsigned long long)(r->n_rows + 1),
		         col + 1, r->fields[col].name, why);
}

static bool failed(const vot_reader *r) { return tr_err_isset(&r->err); }

/* A callback's failure: keep what it recorded, or say it failed without saying why. */
static void callback_failed(vot_reader *r, int rc)
{
	if (!failed(r))
		tr_err_set(&r->err, rc, -1, 0, "%s: the consumer stopped the reader", r->name);
	XML_StopParser(r->parser, XML_FALSE);
}

/* ---- small helpers -------------------------------------------------------------------------- */


/* Whether n more bytes of metadata may be kept (VOT_MAX_META_BYTES over the whole table). */
static bool meta_room(vot_reader *r, size_t n)
{
	if (n > VOT_MAX_META_BYTES - r->meta_bytes) {
		fail_here(r, TR_ELIMIT, "more than %zu bytes of FIELD and TABLE metadata", VOT_MAX_META_BYTES);
		return false;
	}
	r->meta_bytes += n;
	return true;
}

/* An attribute's value copied into the arena; NULL when absent (or after an error, see failed()). */
static const char *attr_copy(vot_reader *r, const XML_Char **atts, const char *name)
{
	const char *v = xmlname_attr(atts, name);
	if (v == NULL)
		return NULL;
	size_t n = strlen(v);
	if (n > VOT_MAX_TEXT) {
		fail_here(r, TR_ELIMIT, "attribute %s is longer than %zu bytes", name, VOT_MAX_TEXT);
		return NULL;
	}
	if (!meta_room(r, n + 1))
		return NULL;
	char *c = arena_strndup(r->a, v, n);
	if (c == NULL)
		fail_oom(r);
	return c;
}

/* The collected DESCRIPTION text without surrounding whitespace, in the arena. */
static const char *take_text(vot_reader *r)
{
	const char *s = strbuf_str(&r->text);
	size_t n = strbuf_len(&r->text);
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (!meta_room(r, n + 1))
		return NULL;
	char *c = arena_strndup(r->a, s, n);
	if (c == NULL)
		fail_oom(r);
	return c;
}

/* ---- the table and its FIELDs --------------------------------------------------------------- */

static void begin_table(vot_reader *r, const XML_Char **atts)
{
	r->tstate = VOT_T_IN;
	r->table.name = attr_copy(r, atts, "name");
	r->table.id = attr_copy(r, atts, "ID");
	r->table.ucd = attr_copy(r, atts, "ucd");
	r->table.utype = attr_copy(r, atts, "utype");
	r->table.nrows = -1;
	const char *nrows = xmlname_attr(atts, "nrows");
	int64_t v;
	if (nrows && vot_parse_integer(VOT_LONG, nrows, strlen(nrows), &v) && v >= 0)
		r->table.nrows = v;
}

static void begin_field(vot_reader *r, const XML_Char **atts)
{
	if (r->is_announced) {
		fail_here(r, TR_EBADREQ, "FIELD after the table's DATA");
		return;
	}
	if (r->n_fields == r->max_fields) {
		fail_here(r, TR_ELIMIT, "more than %zu FIELDs", r->max_fields);
		return;
	}
	if (r->n_fields == r->cap_fields) {
		size_t cap = r->cap_fields ? r->cap_fields * 2 : 16;
		vot_field *f = arena_calloc(r->a, cap, sizeof *f);
		if (f == NULL) {
			fail_oom(r);
			return;
		}
		if (r->n_fields)
			memcpy(f, r->fields, r->n_fields * sizeof *f);
		r->fields = f;
		r->cap_fields = cap;
	}
	vot_field *f = &r->fields[r->n_fields++];
	memset(f, 0, sizeof *f);
	f->name = attr_copy(r, atts, "name");
	f->id = attr_copy(r, atts, "ID");
	f->arraysize = attr_copy(r, atts, "arraysize");
	f->xtype = attr_copy(r, atts, "xtype");
	f->unit = attr_copy(r, atts, "unit");
	f->ucd = attr_copy(r, atts, "ucd");
	f->utype = attr_copy(r, atts, "utype");
	f->ref = attr_copy(r, atts, "ref");
	f->width = attr_copy(r, atts, "width");
	f->precision = attr_copy(r, atts, "precision");
	if (failed(r))
		return;
	const char *dt = xmlname_attr(atts, "datatype");
	/* VOTable 1.4 §4.1: name and datatype are required. */
	if (f->name == NULL || f->name[0] == '\0')
		fail_here(r, TR_EBADREQ, "FIELD %zu has no name", r->n_fields);
	else if (dt == NULL)
		fail_here(r, TR_EBADREQ, "FIELD \"%.64s\" has no datatype", f->name);
	else if (!vot_datatype_from_name(dt, &f->datatype))
		fail_here(r, TR_EBADREQ, "FIELD \"%.64s\": unknown datatype \"%.64s\"", f->name, dt);
	else if (!vot_shape_parse(f->arraysize, &f->shape))
		fail_here(r, TR_EBADREQ, "FIELD \"%.64s\": invalid arraysize \"%.64s\"", f->name, f->arraysize);
}

static void end_field(vot_reader *r)
{
	char why[VOT_WHY_MAX];
	vot_field *f = &r->fields[r->n_fields - 1];
	if (vot_field_prepare_null(f, why) < 0)
		fail_here(r, TR_EBADREQ, "FIELD \"%.64s\": %s", f->name, why);
}

/* The FIELDs are complete: set up the row buffers and tell the consumer. */
static void announce(vot_reader *r, vot_encoding enc)
{
	if (r->n_fields == 0) {
		fail_here(r, TR_EBADREQ, "the TABLE has no FIELD");
		return;
	}
	r->is_announced = true;
	r->table.fields = r->fields;
	r->table.n_fields = r->n_fields;
	r->table.encoding = enc;
	size_t n = r->n_fields;
	r->td_off = arena_calloc(r->a, n, sizeof *r->td_off);
	r->td_len = arena_calloc(r->a, n, sizeof *r->td_len);
	r->td_line = arena_calloc(r->a, n, sizeof *r->td_line);
	if (r->td_off == NULL || r->td_len == NULL || r->td_line == NULL ||
	    vot_row_init(&r->row, r->a, n, r->max_row_bytes, &r->err) < 0) {
		fail_oom(r);
		return;
	}
	if ((enc == VOT_ENC_BINARY || enc == VOT_ENC_BINARY2) && vot_bin_init(r, enc == VOT_ENC_BINARY2) < 0) {
		fail_oom(r);
		return;
	}
	int rc;
	if (r->h.on_table && (rc = r->h.on_table(r->ctx, &r->table, &r->err)) < 0)
		callback_failed(r, rc);
}

static void end_table(vot_reader *r)
{
	if (!r->is_announced)
		announce(r, VOT_ENC_NONE);
	r->tstate = VOT_T_DONE;
	int rc;
	if (!failed(r) && r->h.on_end && (rc = r->h.on_end(r->ctx, r->n_rows, &r->err)) < 0)
		callback_failed(r, rc);
}

bool vot_emit_row(vot_reader *r)
{
	vot_row_seal(&r->row);
	int rc;
	if (r->h.on_row && (rc = r->h.on_row(r->ctx, r->n_rows + 1, r->row.cells, &r->err)) < 0) {
		callback_failed(r, rc);
		return false;
	}
	r->n_rows++;
	return true;
}

/* ---- TABLEDATA ------------------------------------------------------------------------------ */

static void begin_td(vot_reader *r)
{
	if (r->n_td == r->n_fields) {
		vot_fail_row(r, TR_EBADREQ, "more than %zu cells (TD), one per FIELD expected (line %lu)", r->n_fields,
		             (unsigned long)XML_GetCurrentLineNumber(r->parser));
		return;
	}
	r->td_off[r->n_td] = strbuf_len(&r->rowtext);
	r->td_line[r->n_td] = (unsigned long)XML_GetCurrentLineNumber(r->parser);
}

static void end_td(vot_reader *r)
{
	r->td_len[r->n_td] = strbuf_len(&r->rowtext) - r->td_off[r->n_td];
	r->n_td++;
}

/* VOTable 1.4 §5.1: one TD per FIELD; an empty TD is NULL. */
static void end_tr(vot_reader *r)
{
	if (r->n_td != r->n_fields) {
		vot_fail_row(r, TR_EBADREQ, "%zu cells (TD), %zu expected, one per FIELD (line %lu)", r->n_td, r->n_fields,
		             (unsigned long)XML_GetCurrentLineNumber(r->parser));
		return;
	}
	vot_row_clear(&r->row);
	const char *text = strbuf_str(&r->rowtext);
	char why[VOT_WHY_MAX];
	for (size_t k = 0; k < r->n_fields; k++) {
		if (r->td_len[k] == 0)
			continue;
		int rc = vot_value_from_text(&r->row, k, &r->fields[k], text + r->td_off[k], r->td_len[k], why);
		if (rc < 0) {
			vot_fail_cell(r, rc, k, r->td_line[k], why);
			return;
		}
	}
	vot_emit_row(r);
}

/* ---- expat callbacks ------------------------------------------------------------------------ */

static void begin_stream(vot_reader *r, const XML_Char **atts)
{
	const char *enc = xmlname_attr(atts, "encoding");
	if (xmlname_attr(atts, "href"))
		fail_here(r, TR_EUNSUPPORTED, "remote data (STREAM href) is not supported: put the data inline");
	else if (enc == NULL || strcmp(enc, "base64") != 0)
		fail_here(r, TR_EUNSUPPORTED, "STREAM encoding \"%.32s\" is not supported (only base64)", enc ? enc : "");
}

static void begin(vot_reader *r, vot_elem kind, const char *local, const XML_Char **atts)
{
	switch (kind) {
	case VOT_E_TABLE: begin_table(r, atts); break;
	case VOT_E_FIELD: begin_field(r, atts); break;
	case VOT_E_TABLE_DESC:
	case VOT_E_FIELD_DESC: strbuf_reset(&r->text); break;
	case VOT_E_VALUES:
		r->fields[r->n_fields - 1].null_value = attr_copy(r, atts, "null");
		break;
	case VOT_E_DATA:
		if (r->is_announced)
			fail_here(r, TR_EBADREQ, "a second DATA in the TABLE");
		break;
	case VOT_E_TABLEDATA: announce(r, VOT_ENC_TABLEDATA); break;
	case VOT_E_BINARY: announce(r, strcmp(local, "BINARY2") == 0 ? VOT_ENC_BINARY2 : VOT_ENC_BINARY); break;
	case VOT_E_STREAM: begin_stream(r, atts); break;
	case VOT_E_TR:
		r->n_td = 0;
		strbuf_reset(&r->rowtext);
		break;
	case VOT_E_TD: begin_td(r); break;
	default: break;
	}
}

static void XMLCALL on_start(void *ud, const XML_Char *qname, const XML_Char **atts)
{
	vot_reader *r = ud;
	if (failed(r))
		return;
	if (r->skip) {
		r->skip++;
		return;
	}
	const char *local = xmlname_local(qname);
	vot_elem parent = r->stack[r->depth], kind = VOT_E_ROOT;
	if (parent == VOT_E_ROOT) {
		if (strcmp(local, "VOTABLE") != 0) {
			fail_here(r, TR_EBADREQ, "not a VOTable document: the root element is <%.64s>", local);
			return;
		}
		kind = VOT_E_VOTABLE;
	} else {
		size_t i;
		for (i = 0; i < sizeof vot_rules / sizeof vot_rules[0]; i++)
			if (vot_rules[i].parent == parent && strcmp(vot_rules[i].name, local) == 0)
				break;
		if (i == sizeof vot_rules / sizeof vot_rules[0] || (vot_rules[i].kind == VOT_E_TABLE && r->tstate != VOT_T_BEFORE)) {
			r->skip = 1; /* not ours: skipped with everything inside */
			return;
		}
		kind = vot_rules[i].kind;
		if (kind == VOT_E_ROOT) {
			fail_here(r, TR_EUNSUPPORTED, "FITS data in a VOTable is not supported (use TABLEDATA or BINARY2)");
			return;
		}
	}
	if (r->depth == VOT_MAX_DEPTH) {
		fail_here(r, TR_ELIMIT, "elements nested deeper than %d", VOT_MAX_DEPTH);
		return;
	}
	r->stack[++r->depth] = kind;
	begin(r, kind, local, atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *qname)
{
	(void)qname;
	vot_reader *r = ud;
	if (failed(r))
		return;
	if (r->skip) {
		r->skip--;
		return;
	}
	vot_elem kind = r->stack[r->depth--];
	switch (kind) {
	case VOT_E_TABLE: end_table(r); break;
	case VOT_E_TABLE_DESC: r->table.description = take_text(r); break;
	case VOT_E_FIELD: end_field(r); break;
	case VOT_E_FIELD_DESC: r->fields[r->n_fields - 1].description = take_text(r); break;
	case VOT_E_TD: end_td(r); break;
	case VOT_E_TR: end_tr(r); break;
	case VOT_E_STREAM: vot_bin_end(r); break;
	default: break;
	}
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	vot_reader *r = ud;
	if (failed(r) || r->skip)
		return;
	switch (r->stack[r->depth]) {
	case VOT_E_TD:
		strbuf_add(&r->rowtext, s, (size_t)len);
		if (strbuf_failed(&r->rowtext))
			vot_fail_row(r, TR_ELIMIT, "longer than %zu bytes", r->max_row_bytes);
		break;
	case VOT_E_TABLE_DESC:
	case VOT_E_FIELD_DESC:
		strbuf_add(&r->text, s, (size_t)len);
		if (strbuf_failed(&r->text))
			fail_here(r, TR_ELIMIT, "DESCRIPTION longer than %zu bytes", VOT_MAX_TEXT);
		break;
	case VOT_E_STREAM: vot_bin_text(r, s, (size_t)len); break;
	default: break;
	}
}

/* Entity declarations are how "billion laughs" documents expand; a VOTable never needs one. */
static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value, int value_len,
                              const XML_Char *base, const XML_Char *system_id, const XML_Char *public_id,
                              const XML_Char *notation)
{
	(void)is_param, (void)value, (void)value_len, (void)base, (void)system_id, (void)public_id, (void)notation;
	fail_here(ud, TR_EBADREQ, "entity declarations are not allowed (entity \"%.64s\")", name);
}

/* ---- the API -------------------------------------------------------------------------------- */

static void free_parser(void *p) { XML_ParserFree(p); }
static void free_strbuf(void *p) { strbuf_free(p); }

vot_reader *vot_reader_new(arena *a, const vot_options *opts, const vot_handlers *h, void *ctx, tr_err *err)
{
	vot_reader *r = arena_zalloc(a, sizeof *r);
	if (r == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		return NULL;
	}
	r->a = a;
	r->name = arena_strdup(a, opts && opts->name ? opts->name : "VOTable");
	r->max_fields = opts && opts->max_fields ? opts->max_fields : VOT_MAX_FIELDS;
	r->max_row_bytes = opts && opts->max_row_bytes ? opts->max_row_bytes : VOT_MAX_ROW_BYTES;
	if (h)
		r->h = *h;
	r->ctx = ctx;
	tr_err_clear(&r->err);
	strbuf_init(&r->text, VOT_MAX_TEXT);
	strbuf_init(&r->rowtext, r->max_row_bytes);
	if (r->name == NULL || arena_on_destroy(a, free_strbuf, &r->text) < 0 ||
	    arena_on_destroy(a, free_strbuf, &r->rowtext) < 0 || (r->parser = XML_ParserCreateNS(NULL, XMLNAME_NS_SEP)) == NULL ||
	    arena_on_destroy(a, free_parser, r->parser) < 0) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		return NULL;
	}
	XML_SetUserData(r->parser, r);
	XML_SetElementHandler(r->parser, on_start, on_end);
	XML_SetCharacterDataHandler(r->parser, on_text);
	XML_SetEntityDeclHandler(r->parser, on_entity);
	return r;
}

/* After XML_Parse failed: the reader's own error, or expat's with its position. */
static int parse_failed(vot_reader *r, tr_err *err)
{
	if (!failed(r)) {
		enum XML_Error code = XML_GetErrorCode(r->parser);
		if (code == XML_ERROR_NO_MEMORY)
			fail_oom(r);
		else
			vot_fail(r, TR_EBADREQ, "%s:%lu:%lu: not well-formed XML (%s)", r->name,
			         (unsigned long)XML_GetCurrentLineNumber(r->parser),
			         (unsigned long)XML_GetCurrentColumnNumber(r->parser) + 1, XML_ErrorString(code));
	}
	*err = r->err;
	return r->err.code;
}

int vot_reader_feed(vot_reader *r, const char *buf, size_t n, tr_err *err)
{
	if (failed(r)) {
		*err = r->err;
		return r->err.code;
	}
	if (r->is_finished)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "vot_reader_feed after vot_reader_finish");
	while (n > 0) {
		size_t k = n < VOT_FEED_SLICE ? n : VOT_FEED_SLICE;
		if (XML_Parse(r->parser, buf, (int)k, XML_FALSE) != XML_STATUS_OK || failed(r))
			return parse_failed(r, err);
		buf += k;
		n -= k;
	}
	return TR_OK;
}

int vot_reader_finish(vot_reader *r, tr_err *err)
{
	if (failed(r)) {
		*err = r->err;
		return r->err.code;
	}
	r->is_finished = true;
	if (XML_Parse(r->parser, "", 0, XML_TRUE) != XML_STATUS_OK || failed(r))
		return parse_failed(r, err);
	if (r->tstate == VOT_T_BEFORE) {
		vot_fail(r, TR_EBADREQ, "%s: no TABLE in the document", r->name);
		*err = r->err;
		return r->err.code;
	}
	return TR_OK;
}

uint64_t vot_reader_rows(const vot_reader *r) { return r->n_rows; }

int vot_read(arena *a, const tr_source *src, const vot_options *opts, const vot_handlers *h, void *ctx, tr_err *err)
{
	vot_reader *r = vot_reader_new(a, opts, h, ctx, err);
	char *buf = r ? arena_alloc(a, VOT_READ_CHUNK) : NULL;
	if (buf == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	for (;;) {
		ssize_t got = src->read(src->ctx, buf, VOT_READ_CHUNK);
		if (got < 0)
			return tr_err_set(err, TR_EIO, -1, 0, "%s: read error", r->name);
		if (got == 0)
			return vot_reader_finish(r, err);
		if (vot_reader_feed(r, buf, (size_t)got, err) < 0)
			return err->code;
	}
}
