#include "config.h"

#include "tap/query.h"

#include "adql/geometry.h"
#include "adql/parser.h"
#include "adql/resolve.h"
#include "adql/translate.h"
#include "db/cursor.h"
#include "out/writer.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The SQL of one translated query: generous for long IN lists and polygons, finite. */
#define TAP_SQL_MAX ((size_t)4 * 1024 * 1024)

static bool datatype_from_name(const char *name, out_datatype *out)
{
	for (int dt = OUT_DT_BOOLEAN; dt <= OUT_DT_DOUBLE_COMPLEX; dt++) {
		const char *n = out_datatype_name((out_datatype)dt);
		if (n && strcmp(n, name) == 0) {
			*out = (out_datatype)dt;
			return true;
		}
	}
	return false;
}

/* Whether rows of kind can be written as datatype/arraysize (the combinations out/writer.h lists). */
static bool fits(out_datatype dt, const char *arraysize, out_kind kind)
{
	bool scalar = arraysize == NULL;
	switch (dt) {
	case OUT_DT_BOOLEAN:
	case OUT_DT_SHORT:
	case OUT_DT_INT:
	case OUT_DT_LONG:
	case OUT_DT_BIT:
		return scalar && (kind == OUT_KIND_INT64 || kind == OUT_KIND_UINT64);
	case OUT_DT_UNSIGNED_BYTE:
		return scalar ? (kind == OUT_KIND_INT64 || kind == OUT_KIND_UINT64) : kind == OUT_KIND_BYTES;
	case OUT_DT_CHAR:
	case OUT_DT_UNICODE_CHAR:
		return kind == OUT_KIND_BYTES;
	case OUT_DT_FLOAT:
	case OUT_DT_DOUBLE:
		return scalar ? (kind == OUT_KIND_FLOAT || kind == OUT_KIND_DOUBLE) : kind == OUT_KIND_DOUBLES;
	case OUT_DT_FLOAT_COMPLEX:
	case OUT_DT_DOUBLE_COMPLEX:
		return kind == OUT_KIND_DOUBLES;
	}
	return false;
}

/* One FIELD from what the resolver knows (names, units, UCDs, the declared type) and what the
 * database actually sends.  The declared type wins when the values fit it, so results agree with
 * TAP_SCHEMA; otherwise (e.g. SUM of integers, which the database computes as DECIMAL) the type
 * that holds the values exactly is used, with the declared metadata kept. */
static void make_field(out_field *f, const adql_out_column *m, const db_column *c)
{
	memset(f, 0, sizeof *f);
	f->name = m->name;
	f->unit = m->unit;
	f->ucd = m->ucd;
	f->utype = m->utype;
	f->description = m->description;
	f->kind = c->kind;
	out_datatype dt;
	if (datatype_from_name(m->datatype, &dt) && fits(dt, m->arraysize, c->kind)) {
		f->datatype = dt;
		f->arraysize = m->arraysize;
		f->xtype = m->xtype;
		/* A bounded variable size ("64*", VOTable 1.3 §2.2) is only advice to readers, and
		 * astropy before 6.0 refuses it for strings (E01): pyvo users could not read the
		 * result.  "*" describes the same values. */
		if ((dt == OUT_DT_CHAR || dt == OUT_DT_UNICODE_CHAR) && f->arraysize &&
		    f->arraysize[strlen(f->arraysize) - 1] == '*')
			f->arraysize = "*";
	} else {
		f->datatype = c->datatype;
		f->arraysize = c->arraysize;
		f->xtype = c->xtype ? c->xtype : m->xtype;
	}
}

/* ---- numeric arrays kept as text (issues 5 and the uploads) ---------------------------------------
 * Some values reach us as text but are published as numeric arrays: a geometry in the select list,
 * "ra dec ..." (adql/geometry.h; double[2] / [3] / [*] with xtype point, circle or polygon, DALI 1.1
 * §3.3.5-3.3.7), and the arrays and complex values of uploaded and imported tables, which keep
 * their TABLEDATA text (votable/sqlmap.h VOT_SQL_ARRAY_TEXT).  The writer wants the declared type,
 * so the text is parsed here into one buffer per column, reused for every row; it only grows, to
 * the largest value seen, and is bounded by the database's value size.  A value that does not
 * parse as the declared type ends the result with an error (TR_EDB): it was written by us, so it is
 * damaged data, and a NULL in its place would pass it off as a missing value. */

/* Bytes of one number in the text (a double needs about 25). */
#define TAP_ARRAY_NUMBER_MAX 64

typedef struct array_col {
	out_datatype dt;  /* the declared element type */
	size_t step;      /* numbers per step of the last dimension (out_array_counts) */
	size_t max;       /* numbers at most; SIZE_MAX unbounded */
	bool is_fixed;    /* exactly max numbers */
	size_t cap;       /* numbers the buffer holds */
	double *f64;      /* buffer of a floating-point or complex column, or NULL */
	int64_t *i64;     /* buffer of an integer column, or NULL */
} array_col;

typedef struct array_cols {
	size_t n;         /* result columns */
	array_col **col;  /* per column: its state, NULL for columns left alone */
	out_value *row;   /* the row handed to the writer, with the arrays converted */
	bool any;         /* some column is converted */
} array_cols;

static void array_col_free(void *p)
{
	array_col *ac = p;
	free(ac->f64);
	free(ac->i64);
}

static bool is_int_type(out_datatype dt)
{
	return dt == OUT_DT_UNSIGNED_BYTE || dt == OUT_DT_SHORT || dt == OUT_DT_INT || dt == OUT_DT_LONG;
}

/* Marks the columns the database sends as text but the metadata describes as numeric arrays (or
 * complex values), and makes their fields such arrays. */
static int array_setup(array_cols *ac, arena *a, out_field *fields, const adql_result_meta *meta, db_cursor *cur,
                       tr_err *err)
{
	size_t n = meta->n_columns;
	memset(ac, 0, sizeof *ac);
	ac->n = n;
	ac->col = arena_calloc(a, n, sizeof *ac->col);
	ac->row = arena_calloc(a, n, sizeof *ac->row);
	if (ac->col == NULL || ac->row == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const adql_out_column *m = &meta->columns[i];
		out_datatype dt, have = db_cursor_column(cur, i)->datatype;
		size_t step, max;
		if (fields[i].kind != OUT_KIND_BYTES || (have != OUT_DT_CHAR && have != OUT_DT_UNICODE_CHAR) ||
		    m->datatype == NULL || !datatype_from_name(m->datatype, &dt) ||
		    !(is_int_type(dt) || dt == OUT_DT_FLOAT || dt == OUT_DT_DOUBLE || dt == OUT_DT_FLOAT_COMPLEX ||
		      dt == OUT_DT_DOUBLE_COMPLEX) ||
		    (m->arraysize == NULL && dt != OUT_DT_FLOAT_COMPLEX && dt != OUT_DT_DOUBLE_COMPLEX) ||
		    !out_array_counts(dt, m->arraysize, &step, &max))
			continue;
		array_col *c = arena_calloc(a, 1, sizeof *c);
		if (c == NULL || arena_on_destroy(a, array_col_free, c) < 0)
			return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		c->dt = dt;
		c->step = step;
		c->max = max;
		c->is_fixed = m->arraysize == NULL || m->arraysize[strlen(m->arraysize) - 1] != '*';
		ac->col[i] = c;
		fields[i].datatype = dt;
		fields[i].arraysize = m->arraysize;
		fields[i].xtype = m->xtype;
		fields[i].kind = is_int_type(dt) ? OUT_KIND_LONGS : OUT_KIND_DOUBLES;
		ac->any = true;
	}
	return TR_OK;
}

/* Makes room for want numbers in the column's buffer. */
static int array_reserve(array_col *c, size_t want, tr_err *err)
{
	if (want <= c->cap)
		return TR_OK;
	size_t cap = c->cap * 2 > want ? c->cap * 2 : want;
	size_t el = is_int_type(c->dt) ? sizeof(int64_t) : sizeof(double);
	void *p = realloc(is_int_type(c->dt) ? (void *)c->i64 : (void *)c->f64, cap * el);
	if (p == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	if (is_int_type(c->dt))
		c->i64 = p;
	else
		c->f64 = p;
	c->cap = cap;
	return TR_OK;
}

/* One integer of an array: decimal, or hexadecimal after 0x (VOTable 1.4 §5.1), in the type's range. */
static bool parse_int(const char *tok, out_datatype dt, int64_t *out)
{
	static const int64_t lo[] = { [OUT_DT_UNSIGNED_BYTE] = 0, [OUT_DT_SHORT] = INT16_MIN, [OUT_DT_INT] = INT32_MIN,
		                      [OUT_DT_LONG] = INT64_MIN };
	static const int64_t hi[] = { [OUT_DT_UNSIGNED_BYTE] = 255, [OUT_DT_SHORT] = INT16_MAX, [OUT_DT_INT] = INT32_MAX,
		                      [OUT_DT_LONG] = INT64_MAX };
	const char *p = tok + (tok[0] == '-' || tok[0] == '+');
	bool is_hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
	char *stop;
	errno = 0;
	long long v = strtoll(tok, &stop, is_hex ? 16 : 10);
	if (stop == tok || *stop != '\0' || errno == ERANGE)
		return false;
	*out = v;
	return v >= lo[dt] && v <= hi[dt];
}

/* The numbers of one text value into the column's buffer. */
static int array_parse(array_col *c, const char *name, const out_value *v, out_value *out, tr_err *err)
{
	const char *p = v->v.bytes.p, *end = p + v->v.bytes.n;
	/* n bytes hold at most (n + 1) / 2 numbers, so this is the only allocation for the value */
	size_t most = (v->v.bytes.n + 1) / 2;
	if (array_reserve(c, most < c->max ? most : c->max, err) < 0)
		return err->code;
	size_t k = 0;
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		const char *e = p;
		while (e < end && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
			e++;
		if (e == p)
			break;
		size_t len = (size_t)(e - p);
		if (len > TAP_ARRAY_NUMBER_MAX || k == c->max)
			return tr_err_set(err, TR_EDB, -1, 0, "column %s: an array value with too many or too long numbers "
			                  "for %s", name, out_datatype_name(c->dt));
		char tok[TAP_ARRAY_NUMBER_MAX + 1];
		memcpy(tok, p, len);
		tok[len] = '\0';
		bool ok;
		if (is_int_type(c->dt)) {
			ok = parse_int(tok, c->dt, &c->i64[k]);
		} else {
			char *stop;
			c->f64[k] = strtod(tok, &stop);
			ok = *stop == '\0';
		}
		if (!ok)
			return tr_err_set(err, TR_EDB, -1, 0, "column %s: the database returned \"%s\", not a %s", name, tok,
			                  out_datatype_name(c->dt));
		k++;
		p = e;
	}
	if (k % c->step != 0 || (c->is_fixed && k != c->max))
		return tr_err_set(err, TR_EDB, -1, 0, "column %s: an array value of %zu numbers does not fit its "
		                  "arraysize", name, k);
	if (is_int_type(c->dt)) {
		out->v.longs.p = c->i64;
		out->v.longs.n = k;
	} else {
		out->v.doubles.p = c->f64;
		out->v.doubles.n = k;
	}
	return TR_OK;
}

/* The row to write: row itself, or (with array columns) its copy with them converted. */
static const out_value *array_row(const array_cols *ac, const out_field *fields, const out_value *row, tr_err *err)
{
	if (!ac->any)
		return row;
	memcpy(ac->row, row, ac->n * sizeof *row);
	for (size_t i = 0; i < ac->n; i++)
		if (ac->col[i] && !row[i].is_null && array_parse(ac->col[i], fields[i].name, &row[i], &ac->row[i], err) < 0)
			return NULL;
	return ac->row;
}

static void fill_info(out_info *info, out_info_item *extra, const tap_query_env *env, const tap_params *p)
{
	memset(info, 0, sizeof *info);
	info->query = p ? p->query : NULL;
	info->server = env->server;
	info->request_id = env->request_id;
	if (p && p->runid) {
		/* DALI 1.1 §3.2.6: RUNID is echoed in the output. */
		extra->name = "RUNID";
		extra->value = p->runid;
		info->extra = extra;
		info->n_extra = 1;
	}
}

const char *tap_query_error_text(arena *a, const tap_params *p, const tr_err *e)
{
	strbuf sb = STRBUF_INIT(0);
	if (p && p->query && e->pos >= 0)
		adql_format_error(&sb, p->query, e);
	else
		strbuf_puts(&sb, e->msg);
	if (e->detail[0]) {
		strbuf_puts(&sb, " (");
		strbuf_puts(&sb, e->detail);
		strbuf_puts(&sb, ")");
	}
	const char *s = strbuf_failed(&sb) ? e->msg : arena_strdup(a, strbuf_str(&sb));
	strbuf_free(&sb);
	return s ? s : e->msg;
}

int tap_query_write_error(const tap_query_env *env, const tap_params *p, const tr_err *e,
                          const tap_query_output *out)
{
	out_info info;
	out_info_item extra;
	fill_info(&info, &extra, env, p);
	if (out->start(out->ctx, OUT_ERROR_CONTENT_TYPE) < 0)
		return TR_EIO;
	tr_err werr = TR_ERR_INIT;
	return out_write_error_document(&out->sink, tap_query_error_text(env->a, p, e), &info, &werr);
}

static void free_writer(void *w) { out_writer_free(w); }

/* Parse, resolve and translate: everything that can fail on the query itself, before any I/O. */
static int compile(const tap_query_env *env, const tap_params *p, adql_result_meta **out_meta,
                   strbuf *sql, tr_err *err)
{
	adql_parse_opts popts = { .extensions = ADQL_EXT_HEX | ADQL_EXT_BITWISE };
	adql_query *q = adql_parse(env->a, p->query, p->query_len, &popts, err);
	if (q == NULL)
		return err->code;
	adql_resolve_opts ropts = { .uploads = env->uploads };
	if (adql_resolve(q, env->cat, &ropts, env->a, out_meta, err) < 0)
		return err->code;
	adql_translate_opts topts = {
		.dialect = db_conn_dialect(env->db) == DB_DIALECT_MARIADB ? ADQL_DIALECT_MARIADB : ADQL_DIALECT_MYSQL,
		.server_version = db_conn_server_version(env->db),
		.maxrec = p->maxrec,
		.geom = &adql_geometry_emitter,
	};
	return adql_translate(q, *out_meta, &topts, sql, err);
}

/* Streams the rows, starting with `row` (when has_row) already fetched; returns TR_OK or the error
 * that cut the result short. */
static int stream(const tap_params *p, db_cursor *cur, out_writer *w, const out_value *row, int has_row,
                  const array_cols *ac, const out_field *fields, tap_query_stats *stats, tr_err *err)
{
	int rc = has_row;
	for (; rc == 1; rc = db_cursor_next(cur, &row, err)) {
		if (stats->rows >= (uint64_t)p->maxrec) {
			/* The translator asked for MAXREC + 1 rows: the extra one only says there are more. */
			stats->is_overflow = true;
			return TR_OK;
		}
		const out_value *v = array_row(ac, fields, row, err);
		if (v == NULL || out_writer_row(w, v, err) < 0)
			return err->code;
		stats->rows++;
	}
	return rc;
}

int tap_query_run(const tap_query_env *env, const tap_params *p, const tap_query_output *out,
                  tap_query_stats *stats, tr_err *err)
{
	memset(stats, 0, sizeof *stats);
	out_format fmt = OUT_VOTABLE_TABLEDATA;
	const char *ctype = out_format_content_type(fmt);
	if (p->responseformat && out_format_parse(p->responseformat, &fmt, &ctype, err) < 0)
		return err->code;

	adql_result_meta *meta = NULL;
	strbuf sql = STRBUF_INIT(TAP_SQL_MAX);
	int rc = compile(env, p, &meta, &sql, err);
	if (rc == TR_OK && strbuf_failed(&sql))
		rc = tr_err_set(err, TR_ELIMIT, -1, 0, "the translated query is longer than %zu bytes", TAP_SQL_MAX);
	if (rc < 0) {
		strbuf_free(&sql);
		return rc;
	}
	stats->sql = arena_strdup(env->a, strbuf_str(&sql));
	log_debug("sql: %s", strbuf_str(&sql));
	db_cursor *cur = db_cursor_open(env->db, env->a, strbuf_str(&sql), strbuf_len(&sql), env->timeout_s, err);
	strbuf_free(&sql);
	if (cur == NULL)
		return err->code;
	size_t n = db_cursor_ncols(cur);
	if (n != meta->n_columns)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "the database returned %zu columns, %zu expected", n,
		                  meta->n_columns);
	out_field *fields = arena_calloc(env->a, n, sizeof *fields);
	if (fields == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	for (size_t i = 0; i < n; i++)
		make_field(&fields[i], &meta->columns[i], db_cursor_column(cur, i));
	array_cols ac;
	if (array_setup(&ac, env->a, fields, meta, cur, err) < 0)
		return err->code;

	/* The first row is fetched before anything is sent: most database errors (a time limit hit
	 * while sorting or aggregating) come before it and still get a clean error document with
	 * its HTTP status. */
	const out_value *first = NULL;
	int has_row = db_cursor_next(cur, &first, err);
	if (has_row < 0)
		return has_row;
	out_writer *w = out_writer_open(fmt, &out->sink, NULL, err);
	if (w == NULL)
		return err->code;
	if (arena_on_destroy(env->a, free_writer, w) < 0)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	if (out->start(out->ctx, ctype) < 0)
		return tr_err_set(err, TR_EIO, -1, 0, "the client went away");
	stats->is_started = true;
	out_info info;
	out_info_item extra;
	fill_info(&info, &extra, env, p);
	rc = out_writer_begin(w, fields, n, &info, err);
	if (rc == TR_OK)
		rc = stream(p, cur, w, first, has_row, &ac, fields, stats, err);
	if (rc == TR_OK)
		return out_writer_end(w, OUT_STATUS_OK, NULL, stats->is_overflow, err);
	/* TAP 1.1 §2.9: an error after the output began ends the document with the error. */
	stats->is_truncated = !out_format_has_status(fmt);
	tr_err e2 = TR_ERR_INIT;
	if (err->code != TR_EIO && out_writer_end(w, OUT_STATUS_ERROR, tap_query_error_text(env->a, p, err), false, &e2) < 0)
		log_warn("could not end the document after an error: %s", e2.msg);
	return rc;
}
