/* votable/csv: RFC 4180 records parsed one byte at a time (the state survives any chunking), typed
 * through votable/value.c, and the column type inference for taproom-import.  Must not hold more
 * than one record, and must not guess at malformed quoting.  RFC 4180 §2 (format), VOTable 1.4 §6
 * (value text forms, shared with TABLEDATA). */
#include "config.h"

#include "votable/csv.h"

#include "util/strbuf.h"
#include "votable/limits.h"
#include "votable/value.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum csv_state {
	CSV_START,      /* at the start of a field */
	CSV_UNQUOTED,   /* inside an unquoted field */
	CSV_QUOTED,     /* inside a quoted field */
	CSV_QUOTE_SEEN  /* a quote inside a quoted field: "" escape or the closing quote */
} csv_state;

struct vot_csv_reader {
	arena *a;
	const char *name;
	char delim;
	size_t max_fields, max_row_bytes;
	vot_handlers h;
	void *ctx;
	tr_err err;
	bool is_finished;

	csv_state st;
	bool pending_cr;        /* a CR that is dropped if a LF follows */
	bool bom_checked;       /* the first bytes were checked for a UTF-8 byte order mark */
	size_t bom_seen;        /* bytes of the BOM matched so far */
	unsigned long line;     /* current line, 1-based */
	unsigned long rec_line; /* line where the open record started */
	bool rec_has_chars;     /* the open record has a character (else an empty line) */

	strbuf text;            /* the open record's field texts, one after the other */
	size_t n;               /* fields completed in the open record */
	size_t cap;             /* entries in off/len/quoted */
	size_t *off, *len;
	bool *quoted;
	size_t field_start;     /* offset in text where the open field starts */
	bool field_quoted;

	vot_table table;
	vot_field *fields;
	bool has_header;
	bool is_typed;
	vot_row row;
	uint64_t n_rows;
};

/* ---- errors --------------------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int fail(vot_csv_reader *r, int code, const char *fmt, ...)
{
	if (!tr_err_isset(&r->err)) {
		char msg[TR_ERR_MSG_MAX];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		tr_err_set(&r->err, code, -1, 0, "%s", msg);
	}
	return r->err.code;
}

static int fail_oom(vot_csv_reader *r) { return fail(r, TR_ENOMEM, "out of memory reading %s", r->name); }

/* ---- records -------------------------------------------------------------------------------- */

static int end_field(vot_csv_reader *r)
{
	if (r->n == r->cap) {
		size_t limit = r->has_header ? r->table.n_fields : r->max_fields;
		if (r->n >= limit) {
			if (r->has_header)
				return fail(r, TR_EBADREQ, "%s: row %llu: more than %zu fields, the header has %zu (line %lu)", r->name,
				            (unsigned long long)(r->n_rows + 1), limit, limit, r->rec_line);
			return fail(r, TR_ELIMIT, "%s: the header has more than %zu columns", r->name, limit);
		}
		size_t cap = r->cap ? r->cap * 2 : 16;
		if (cap > limit)
			cap = limit;
		size_t *off = arena_calloc(r->a, cap, sizeof *off), *len = arena_calloc(r->a, cap, sizeof *len);
		bool *quoted = arena_calloc(r->a, cap, sizeof *quoted);
		if (off == NULL || len == NULL || quoted == NULL)
			return fail_oom(r);
		if (r->n) {
			memcpy(off, r->off, r->n * sizeof *off);
			memcpy(len, r->len, r->n * sizeof *len);
			memcpy(quoted, r->quoted, r->n * sizeof *quoted);
		}
		r->off = off, r->len = len, r->quoted = quoted, r->cap = cap;
	}
	r->off[r->n] = r->field_start;
	r->len[r->n] = strbuf_len(&r->text) - r->field_start;
	r->quoted[r->n] = r->field_quoted;
	r->n++;
	r->field_start = strbuf_len(&r->text);
	r->field_quoted = false;
	return TR_OK;
}

static int header(vot_csv_reader *r)
{
	const char *text = strbuf_str(&r->text);
	if (r->is_typed && r->n != r->table.n_fields)
		return fail(r, TR_EBADREQ, "%s: the header has %zu columns, %zu expected", r->name, r->n, r->table.n_fields);
	vot_field *f = r->is_typed ? NULL : arena_calloc(r->a, r->n, sizeof *f);
	if (!r->is_typed && f == NULL)
		return fail_oom(r);
	for (size_t i = 0; i < r->n; i++) {
		const char *s = text + r->off[i];
		size_t n = r->len[i];
		/* Surrounding spaces in a header are formatting, not part of a name. */
		while (n > 0 && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0)
			return fail(r, TR_EBADREQ, "%s:%lu: column %zu has no name in the header", r->name, r->rec_line, i + 1);
		if (r->is_typed) {
			if (strlen(r->fields[i].name) != n || memcmp(r->fields[i].name, s, n) != 0)
				return fail(r, TR_EBADREQ, "%s:%lu: header column %zu is \"%.*s\", \"%s\" expected", r->name, r->rec_line,
				            i + 1, (int)(n < 64 ? n : 64), s, r->fields[i].name);
			continue;
		}
		f[i].name = arena_strndup(r->a, s, n);
		f[i].datatype = VOT_CHAR;
		f[i].arraysize = "*";
		if (f[i].name == NULL)
			return fail_oom(r);
		(void)vot_shape_parse("*", &f[i].shape);
	}
	if (!r->is_typed) {
		r->fields = f;
		r->table.fields = f;
		r->table.n_fields = r->n;
	}
	r->has_header = true;
	if (vot_row_init(&r->row, r->a, r->table.n_fields, r->max_row_bytes, &r->err) < 0)
		return r->err.code;
	int rc;
	if (r->h.on_table && (rc = r->h.on_table(r->ctx, &r->table, &r->err)) < 0)
		return tr_err_isset(&r->err) ? r->err.code : fail(r, rc, "%s: the consumer stopped the reader", r->name);
	return TR_OK;
}

static int data_row(vot_csv_reader *r)
{
	unsigned long long row = (unsigned long long)(r->n_rows + 1);
	if (r->n != r->table.n_fields)
		return fail(r, TR_EBADREQ, "%s: row %llu: %zu fields, %zu expected (line %lu)", r->name, row, r->n,
		            r->table.n_fields, r->rec_line);
	const char *text = strbuf_str(&r->text);
	char why[VOT_WHY_MAX];
	vot_row_clear(&r->row);
	for (size_t i = 0; i < r->n; i++) {
		const vot_field *f = &r->fields[i];
		if (r->len[i] == 0 && (!r->quoted[i] || !vot_datatype_is_text(f->datatype)))
			continue; /* NULL */
		int rc = vot_value_from_text(&r->row, i, f, text + r->off[i], r->len[i], why);
		if (rc == TR_ENOMEM)
			return fail_oom(r);
		if (rc < 0)
			return fail(r, rc, "%s: row %llu, column %zu (%s): %s (line %lu)", r->name, row, i + 1, f->name, why,
			            r->rec_line);
	}
	vot_row_seal(&r->row);
	int rc;
	if (r->h.on_row && (rc = r->h.on_row(r->ctx, r->n_rows + 1, r->row.cells, &r->err)) < 0)
		return tr_err_isset(&r->err) ? r->err.code : fail(r, rc, "%s: the consumer stopped the reader", r->name);
	r->n_rows++;
	return TR_OK;
}

static int end_record(vot_csv_reader *r)
{
	int rc = TR_OK;
	if (!r->rec_has_chars) {
		/* an empty line: nothing to read */
	} else if ((rc = end_field(r)) == TR_OK) {
		rc = r->has_header ? data_row(r) : header(r);
	}
	strbuf_reset(&r->text);
	r->n = 0;
	r->field_start = 0;
	r->field_quoted = false;
	r->rec_has_chars = false;
	r->st = CSV_START;
	return rc;
}

/* Outside quotes: a delimiter ends the field, a line break the record, a CR waits for its LF.
 * false when c is none of them. */
static bool separator(vot_csv_reader *r, char c, int *rc)
{
	*rc = TR_OK;
	if (c == r->delim) {
		*rc = end_field(r);
		r->st = CSV_START;
	} else if (c == '\n') {
		*rc = end_record(r);
		r->line++;
	} else if (c == '\r') {
		r->pending_cr = true;
	} else {
		return false;
	}
	return true;
}

/* One byte of input. */
static int step(vot_csv_reader *r, char c)
{
	if (r->pending_cr) {
		r->pending_cr = false;
		if (c != '\n') {
			strbuf_putc(&r->text, '\r');
			if (r->st == CSV_START)
				r->st = CSV_UNQUOTED;
		}
	}
	if (!r->rec_has_chars && c != '\n' && c != '\r') {
		r->rec_has_chars = true;
		r->rec_line = r->line;
	}
	int rc;
	switch (r->st) {
	case CSV_START:
	case CSV_UNQUOTED:
		if (separator(r, c, &rc))
			return rc;
		if (c == '"' && r->st == CSV_START) {
			r->st = CSV_QUOTED;
			r->field_quoted = true;
			return TR_OK;
		}
		strbuf_putc(&r->text, c);
		r->st = CSV_UNQUOTED;
		return TR_OK;
	case CSV_QUOTED:
		if (c == '"')
			r->st = CSV_QUOTE_SEEN;
		else
			strbuf_putc(&r->text, c);
		if (c == '\n')
			r->line++;
		return TR_OK;
	case CSV_QUOTE_SEEN:
		if (c == '"') {
			strbuf_putc(&r->text, '"');
			r->st = CSV_QUOTED;
			return TR_OK;
		}
		if (separator(r, c, &rc))
			return rc;
		return fail(r, TR_EBADREQ, "%s:%lu: '%c' after the closing quote of field %zu (RFC 4180: a quote inside a "
		                           "quoted field is written \"\")", r->name, r->line, c >= 0x20 && c < 0x7F ? c : '?',
		            r->n + 1);
	}
	return TR_OK;
}

/* ---- the API -------------------------------------------------------------------------------- */

static void free_strbuf(void *p) { strbuf_free(p); }

vot_csv_reader *vot_csv_reader_new(arena *a, const vot_csv_options *opts, const vot_handlers *h, void *ctx,
                                   tr_err *err)
{
	vot_csv_reader *r = arena_zalloc(a, sizeof *r);
	if (r == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		return NULL;
	}
	r->a = a;
	r->name = arena_strdup(a, opts && opts->name ? opts->name : "CSV");
	r->delim = opts && opts->delimiter ? opts->delimiter : ',';
	r->max_fields = opts && opts->max_fields ? opts->max_fields : VOT_MAX_FIELDS;
	r->max_row_bytes = opts && opts->max_row_bytes ? opts->max_row_bytes : VOT_MAX_ROW_BYTES;
	if (h)
		r->h = *h;
	r->ctx = ctx;
	r->line = 1;
	r->table.nrows = -1;
	r->table.encoding = VOT_ENC_CSV;
	if (opts && opts->fields) {
		r->is_typed = true;
		r->fields = (vot_field *)opts->fields; /* only read */
		r->table.fields = opts->fields;
		r->table.n_fields = opts->n_fields;
	}
	strbuf_init(&r->text, r->max_row_bytes);
	if (r->name == NULL || arena_on_destroy(a, free_strbuf, &r->text) < 0) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		return NULL;
	}
	return r;
}

static const unsigned char csv_bom[3] = { 0xEF, 0xBB, 0xBF };

int vot_csv_reader_feed(vot_csv_reader *r, const char *buf, size_t n, tr_err *err)
{
	for (size_t i = 0; i < n && !tr_err_isset(&r->err); i++) {
		if (!r->bom_checked) {
			/* RFC 3629 §6: a byte order mark at the start is not part of the text. */
			if ((unsigned char)buf[i] == csv_bom[r->bom_seen]) {
				if (++r->bom_seen == sizeof csv_bom)
					r->bom_checked = true;
				continue;
			}
			r->bom_checked = true;
			for (size_t k = 0; k < r->bom_seen; k++)
				(void)step(r, (char)csv_bom[k]);
		}
		(void)step(r, buf[i]);
		if (strbuf_failed(&r->text))
			fail(r, TR_ELIMIT, "%s: row %llu: longer than %zu bytes (line %lu)", r->name,
			     (unsigned long long)(r->n_rows + 1), r->max_row_bytes, r->rec_line);
	}
	if (tr_err_isset(&r->err)) {
		*err = r->err;
		return r->err.code;
	}
	return TR_OK;
}

int vot_csv_reader_finish(vot_csv_reader *r, tr_err *err)
{
	if (!tr_err_isset(&r->err) && !r->is_finished) {
		r->is_finished = true;
		if (r->st == CSV_QUOTED)
			fail(r, TR_EBADREQ, "%s:%lu: the file ends inside a quoted field", r->name, r->line);
		else if (r->rec_has_chars || r->n > 0)
			(void)end_record(r);
		if (!tr_err_isset(&r->err) && !r->has_header)
			fail(r, TR_EBADREQ, "%s: no header line", r->name);
		int rc;
		if (!tr_err_isset(&r->err) && r->h.on_end && (rc = r->h.on_end(r->ctx, r->n_rows, &r->err)) < 0 &&
		    !tr_err_isset(&r->err))
			fail(r, rc, "%s: the consumer stopped the reader", r->name);
	}
	if (tr_err_isset(&r->err)) {
		*err = r->err;
		return r->err.code;
	}
	return TR_OK;
}

uint64_t vot_csv_reader_rows(const vot_csv_reader *r) { return r->n_rows; }

/* ---- type inference ------------------------------------------------------------------------- */

typedef struct csv_col {
	bool is_int, is_long, is_double; /* every value seen so far fits */
	size_t n_values;                 /* non-NULL values seen */
	size_t max_chars;                /* longest value, in characters */
} csv_col;

struct vot_csv_guess {
	csv_col *cols;
	size_t n;
};

vot_csv_guess *vot_csv_guess_new(arena *a, size_t n_fields, tr_err *err)
{
	vot_csv_guess *g = arena_zalloc(a, sizeof *g);
	if (g)
		g->cols = arena_calloc(a, n_fields ? n_fields : 1, sizeof *g->cols);
	if (g == NULL || g->cols == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		return NULL;
	}
	g->n = n_fields;
	for (size_t i = 0; i < n_fields; i++)
		g->cols[i].is_int = g->cols[i].is_long = g->cols[i].is_double = true;
	return g;
}

void vot_csv_guess_row(vot_csv_guess *g, const vot_cell *cells)
{
	for (size_t i = 0; i < g->n; i++) {
		const vot_cell *c = &cells[i];
		csv_col *col = &g->cols[i];
		if (c->is_null)
			continue;
		col->n_values++;
		size_t chars = vot_utf8_chars(c->v.s, c->n);
		if (chars != (size_t)-1 && chars > col->max_chars)
			col->max_chars = chars;
		int64_t iv;
		double dv;
		if (col->is_long && !vot_parse_integer(VOT_LONG, c->v.s, c->n, &iv))
			col->is_long = col->is_int = false;
		if (col->is_int && !vot_parse_integer(VOT_INT, c->v.s, c->n, &iv))
			col->is_int = false;
		if (col->is_double && !col->is_long && !vot_parse_real(VOT_DOUBLE, c->v.s, c->n, &dv))
			col->is_double = false;
	}
}

vot_field *vot_csv_guess_fields(const vot_csv_guess *g, arena *a, const vot_table *t, tr_err *err)
{
	vot_field *f = arena_calloc(a, g->n ? g->n : 1, sizeof *f);
	if (f == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < g->n; i++) {
		const csv_col *col = &g->cols[i];
		f[i].name = t->fields[i].name;
		if (col->n_values > 0 && col->is_int) {
			f[i].datatype = VOT_INT;
		} else if (col->n_values > 0 && col->is_long) {
			f[i].datatype = VOT_LONG;
		} else if (col->n_values > 0 && col->is_double) {
			f[i].datatype = VOT_DOUBLE;
		} else {
			f[i].datatype = VOT_CHAR;
			size_t n = col->max_chars ? col->max_chars : 1;
			f[i].arraysize = col->n_values == 0 || n > VOT_CSV_BOUNDED_MAX ? "*" : arena_printf(a, "%zu*", n);
			if (f[i].arraysize == NULL) {
				tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
				return NULL;
			}
		}
		(void)vot_shape_parse(f[i].arraysize, &f[i].shape);
	}
	return f;
}

/* The --types names: VOTable datatypes and their usual SQL spellings. */
static const struct {
	const char *name;
	vot_datatype dt;
	bool is_text;
} csv_type_names[] = {
	{ "short", VOT_SHORT, false },    { "smallint", VOT_SHORT, false }, { "int", VOT_INT, false },
	{ "integer", VOT_INT, false },    { "long", VOT_LONG, false },      { "bigint", VOT_LONG, false },
	{ "float", VOT_FLOAT, false },    { "real", VOT_FLOAT, false },     { "double", VOT_DOUBLE, false },
	{ "boolean", VOT_BOOLEAN, false }, { "char", VOT_CHAR, true },      { "varchar", VOT_CHAR, true },
	{ "text", VOT_CHAR, true },       { "unicodeChar", VOT_UNICODE_CHAR, true },
};

/* One "name=type" item of a --types list. */
static int apply_one(vot_field *fields, size_t n_fields, const char *item, size_t len, arena *a, tr_err *err)
{
	const char *eq = memchr(item, '=', len);
	if (eq == NULL || eq == item)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "--types: \"%.*s\" is not NAME=TYPE", (int)len, item);
	size_t nl = (size_t)(eq - item), tl = len - nl - 1;
	const char *type = eq + 1;
	vot_field *f = NULL;
	for (size_t i = 0; i < n_fields && f == NULL; i++)
		if (strlen(fields[i].name) == nl && memcmp(fields[i].name, item, nl) == 0)
			f = &fields[i];
	if (f == NULL)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "--types: no column \"%.*s\"", (int)nl, item);
	/* char(N) / varchar(N): a bounded string */
	const char *paren = memchr(type, '(', tl);
	size_t base = paren ? (size_t)(paren - type) : tl;
	const char *arraysize = NULL;
	if (paren) {
		unsigned long n = 0;
		size_t k = base + 1;
		for (; k < tl && type[k] >= '0' && type[k] <= '9' && n <= VOT_MAX_ELEMENTS; k++)
			n = n * 10 + (unsigned long)(type[k] - '0');
		if (k == base + 1 || k + 1 != tl || type[k] != ')' || n == 0 || n > VOT_MAX_ELEMENTS)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "--types: bad length in \"%.*s\"", (int)tl, type);
		arraysize = arena_printf(a, "%lu*", n);
		if (arraysize == NULL)
			return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	}
	for (size_t i = 0; i < sizeof csv_type_names / sizeof csv_type_names[0]; i++) {
		const char *nm = csv_type_names[i].name;
		if (strlen(nm) != base || strncasecmp(nm, type, base) != 0 || (paren && !csv_type_names[i].is_text))
			continue;
		f->datatype = csv_type_names[i].dt;
		f->arraysize = csv_type_names[i].is_text ? (arraysize ? arraysize : "*") : NULL;
		(void)vot_shape_parse(f->arraysize, &f->shape);
		return TR_OK;
	}
	return tr_err_set(err, TR_EBADREQ, -1, 0, "--types: unknown type \"%.*s\" for column \"%s\"", (int)tl, type, f->name);
}

int vot_csv_apply_types(vot_field *fields, size_t n_fields, const char *spec, arena *a, tr_err *err)
{
	const char *p = spec;
	while (*p) {
		size_t len = strcspn(p, ",");
		if (len > 0 && apply_one(fields, n_fields, p, len, a, err) < 0)
			return err->code;
		p += len;
		if (*p == ',')
			p++;
	}
	return TR_OK;
}
