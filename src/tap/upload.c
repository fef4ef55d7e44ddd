/* tap/upload: spooling uploaded VOTables and loading them into temporary tables (issue 8).
 *
 * Must not build SQL from upload text except through votable/sqlmap.h (checked identifiers, escaped
 * literals), must not leave a file or a table behind after the request's arena goes, and must not
 * hold more than one INSERT batch and one row in memory whatever the table's size.
 * TAP 1.1 §2.5.6 (uploaded tables), §2.7.6 (UPLOAD, TAP_UPLOAD.name), DALI 1.1 §3.4. */
#include "config.h"

#include "tap/upload.h"

#include "db/cursor.h"
#include "tap/publish.h"
#include "tap/upload_url.h"
#include "util/strbuf.h"
#include "votable/limits.h"
#include "votable/reader.h"
#include "votable/sqlmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Strict for the INSERTs (MariaDB SET STATEMENT): a value the column cannot hold is an error, never a
 * silent truncation; and no NO_BACKSLASH_ESCAPES, which the sqlmap literals assume.  Only for the
 * statement, so the session's mode for user queries stays the server's. */
#define UPLOAD_SQL_MODE "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO," \
	"NO_ENGINE_SUBSTITUTION"
/* Longest CREATE TEMPORARY TABLE: VOT_MAX_FIELDS columns of ~100 bytes each. */
#define UPLOAD_DDL_MAX ((size_t)1024 * 1024)

static int oom(tr_err *err) { return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory"); }

/* ---- spooling file parts ------------------------------------------------------------------------ */

typedef struct spool_file spool_file;
struct spool_file {
	const char *name;   /* the part's name (Content-Disposition name) */
	int fd;             /* unlinked temporary file; -1 once closed */
	spool_file *next;
};

struct tap_upload_spool {
	arena *a;
	tap_upload_limits lim;
	long long total;          /* bytes of every file part so far */
	spool_file *head, *tail;  /* in arrival order */
	spool_file *cur;          /* the part being received */
};

static void close_spool_file(void *arg)
{
	spool_file *f = arg;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

void tap_upload_limits_of(const tr_config *cfg, tap_upload_limits *out)
{
	out->max_bytes = cfg->upload_max_bytes;
	out->max_rows = cfg->upload_max_rows;
	out->tmp_dir = cfg->upload_tmp_dir;
	out->allow_urls = cfg->upload_allow_urls;
	out->allow_private_urls = cfg->upload_allow_private_urls;
	out->url_timeout = cfg->upload_url_timeout;
	out->ca_file = cfg->upload_ca_file;
}

tap_upload_spool *tap_upload_spool_new(arena *a, const tap_upload_limits *lim, tr_err *err)
{
	tap_upload_spool *s = arena_zalloc(a, sizeof *s);
	if (s == NULL) {
		oom(err);
		return NULL;
	}
	s->a = a;
	s->lim = *lim;
	if (s->lim.tmp_dir == NULL || s->lim.tmp_dir[0] == '\0')
		s->lim.tmp_dir = "/tmp";
	return s;
}

void tap_upload_multipart_limits(const tap_upload_limits *lim, multipart_limits *out)
{
	memset(out, 0, sizeof *out);
	/* the files, the text fields (HTTP_FORM_MAX) and every part's header block */
	out->max_body_bytes = lim->max_bytes + (long long)HTTP_FORM_MAX +
	                      (long long)(MULTIPART_DEFAULT_MAX_PARTS * MULTIPART_DEFAULT_HEADER_BYTES);
}

/* A new spool file for the part called name ("" for a fetched URL: no part name is empty). */
static int spool_begin(tap_upload_spool *s, const char *name, tr_err *err)
{
	spool_file *f = arena_zalloc(s->a, sizeof *f);
	char *path = arena_printf(s->a, "%s/taproom-upload-XXXXXX", s->lim.tmp_dir);
	if (f == NULL || path == NULL || (f->name = arena_strdup(s->a, name)) == NULL)
		return oom(err);
	f->fd = mkstemp(path);
	if (f->fd < 0)
		return tr_err_set(err, TR_EIO, -1, 0, "cannot create a temporary file in %s: %s", s->lim.tmp_dir,
		                  strerror(errno));
	/* Unlinked at once: nothing is left on disk whatever way the process ends. */
	(void)unlink(path);
	if (arena_on_destroy(s->a, close_spool_file, f) < 0)
		return oom(err);
	if (s->tail)
		s->tail->next = f;
	else
		s->head = f;
	s->tail = f;
	s->cur = f;
	return TR_OK;
}

static int spool_data(tap_upload_spool *s, const char *p, size_t n, tr_err *err)
{
	s->total += (long long)n;
	if (s->total > s->lim.max_bytes) {
		tr_err_set(err, TR_ELIMIT, -1, 0, "upload too large: at most %lld bytes allowed", s->lim.max_bytes);
		tr_err_detail(err, "the uploaded tables of one request together; setting upload.max_bytes");
		return TR_ELIMIT;
	}
	while (n > 0) {
		ssize_t w = write(s->cur->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return tr_err_set(err, TR_EIO, -1, 0, "cannot write the upload to a temporary file in %s: %s",
			                  s->lim.tmp_dir, w < 0 ? strerror(errno) : "no progress");
		p += w;
		n -= (size_t)w;
	}
	return TR_OK;
}

int tap_upload_spool_file(void *ctx, multipart_event ev, const multipart_part *part, const char *p, size_t n,
                          tr_err *err)
{
	tap_upload_spool *s = ctx;
	switch (ev) {
	case MULTIPART_PART_BEGIN:
		return spool_begin(s, part->name, err);
	case MULTIPART_PART_DATA:
		return s->cur ? spool_data(s, p, n, err) : tr_err_set(err, TR_EINTERNAL, -1, 0, "upload data outside a part");
	case MULTIPART_PART_END:
		s->cur = NULL;
		return TR_OK;
	}
	return TR_OK;
}

/* ---- sources ------------------------------------------------------------------------------------ */

static ssize_t file_read(void *ctx, char *p, size_t n)
{
	spool_file *f = ctx;
	for (;;) {
		ssize_t r = read(f->fd, p, n);
		if (r >= 0 || errno != EINTR)
			return r;
	}
}

int tap_upload_open_file(arena *a, const char *path, tr_source *out, tr_err *err)
{
	spool_file *f = arena_zalloc(a, sizeof *f);
	if (f == NULL)
		return oom(err);
	f->name = path;
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f->fd < 0)
		return tr_err_set(err, errno == ENOENT ? TR_ENOTFOUND : TR_EIO, -1, 0,
		                  "the uploaded table kept at %s cannot be read: %s", path, strerror(errno));
	if (arena_on_destroy(a, close_spool_file, f) < 0) {
		close(f->fd);
		return oom(err);
	}
	*out = (tr_source){ file_read, f };
	return TR_OK;
}

/* UPLOAD=name,URL (TAP 1.1 §2.5.6): fetched at once into a spool file, so that the loader reads it
 * like a file part and an async job keeps it like one (the job's table is the one fetched when
 * the job was created). */
static int fetch_url(tap_upload_spool *s, arena *a, const tap_upload *u, tr_source *out, tr_err *err)
{
	if (s == NULL || !s->lim.allow_urls) {
		tr_err_set(err, TR_EUNSUPPORTED, -1, 0, "UPLOAD %s: tables given by URL are not supported: the operator "
		           "has not enabled them", u->name);
		tr_err_detail(err, "send the table inline: UPLOAD=%s,param:PART with the VOTable in the multipart part "
		              "PART (TAP 1.1 §2.5.6); setting upload.allow_urls", u->name);
		return TR_EUNSUPPORTED;
	}
	if (spool_begin(s, "", err) < 0)
		return err->code;
	spool_file *f = s->cur;
	s->cur = NULL;
	const char *label = arena_printf(a, "UPLOAD %s", u->name);
	if (label == NULL)
		return oom(err);
	tap_upload_url_opts o = {
		.label = label, .allow_private = s->lim.allow_private_urls != 0,
		.timeout_s = s->lim.url_timeout > 0 ? s->lim.url_timeout : 30,
		.budget = s->lim.max_bytes - s->total, .limit = s->lim.max_bytes,
		.user_agent = PACKAGE_NAME "/" PACKAGE_VERSION, .ca_file = s->lim.ca_file,
	};
	long long n = 0;
	if (tap_upload_url_fetch(u->uri, &o, f->fd, &n, err) < 0)
		return err->code;
	s->total += n;
	if (lseek(f->fd, 0, SEEK_SET) < 0)
		return tr_err_set(err, TR_EIO, -1, 0, "UPLOAD %s: cannot read the fetched table: %s", u->name,
		                  strerror(errno));
	*out = (tr_source){ file_read, f };
	return TR_OK;
}

int tap_upload_items(tap_upload_spool *spool, const http_request *r, arena *a, const tap_uploads *ups,
                     tap_upload_item **out_items, size_t *out_n, tr_err *err)
{
	*out_items = NULL;
	*out_n = 0;
	tap_upload_item *items = arena_calloc(a, ups->n ? ups->n : 1, sizeof *items);
	if (items == NULL)
		return oom(err);
	for (size_t i = 0; i < ups->n; i++) {
		const tap_upload *u = &ups->items[i];
		items[i].name = u->name;
		if (u->kind == TAP_UPLOAD_URL) {
			if (fetch_url(spool, a, u, &items[i].src, err) < 0)
				return err->code;
			continue;
		}
		spool_file *f = spool ? spool->head : NULL;
		while (f && strcmp(f->name, u->part) != 0)
			f = f->next;
		if (f) {
			if (lseek(f->fd, 0, SEEK_SET) < 0)
				return tr_err_set(err, TR_EIO, -1, 0, "UPLOAD %s: cannot read the spooled part: %s", u->name,
				                  strerror(errno));
			items[i].src = (tr_source){ file_read, f };
			continue;
		}
		/* A part sent without a filename arrives as a text parameter (curl -F 'x=<file'). */
		const http_param *hp = NULL;
		for (const http_param *q = r ? r->params : NULL; q && hp == NULL; q = q->next)
			if (strcmp(q->name, u->part) == 0)
				hp = q;
		if (hp == NULL) {
			tr_err_set(err, TR_EBADREQ, -1, 0, "UPLOAD %s: no part named '%s' in the request", u->name, u->part);
			tr_err_detail(err, "param:%s names a part of the multipart/form-data body that holds the table "
			              "(TAP 1.1 §2.5.6)", u->part);
			return TR_EBADREQ;
		}
		tr_mem_source *m = arena_alloc(a, sizeof *m);
		if (m == NULL)
			return oom(err);
		items[i].src = tr_mem_source_init(m, hp->value, hp->value_len);
	}
	*out_items = items;
	*out_n = ups->n;
	return TR_OK;
}

/* ---- dropping the tables ------------------------------------------------------------------------ */

/* What the request's arena drops when it goes: every table this request may have created. */
typedef struct dropper {
	db_conn *db;
	const char **names; /* TAP_UPLOAD table names, n of them */
	size_t n;
} dropper;

static void add_table_ident(strbuf *sb, const char *name)
{
	vot_sql_quote_ident(sb, TAP_UPLOAD_SCHEMA);
	strbuf_putc(sb, '.');
	vot_sql_quote_ident(sb, name);
}

/* DROP TEMPORARY TABLE IF EXISTS for each name.  Errors are ignored: a connection that broke has
 * lost its temporary tables with its session. */
static void drop_tables(dropper *d)
{
	MYSQL *m = db_conn_handle(d->db);
	for (size_t i = 0; m && i < d->n; i++) {
		strbuf sql = STRBUF_INIT(0);
		strbuf_puts(&sql, "DROP TEMPORARY TABLE IF EXISTS ");
		add_table_ident(&sql, d->names[i]);
		if (!strbuf_failed(&sql) && mysql_real_query(m, strbuf_str(&sql), strbuf_len(&sql)) == 0) {
			MYSQL_RES *res = mysql_store_result(m);
			if (res)
				mysql_free_result(res);
		}
		strbuf_free(&sql);
	}
	d->n = 0;
}

static void drop_cleanup(void *arg) { drop_tables(arg); }
static void free_overlay(void *arg) { catalog_free(arg); }
static void free_batch(void *arg) { strbuf_free(arg); }

/* ---- loading one table -------------------------------------------------------------------------- */

typedef struct loader {
	MYSQL *m;
	arena *a;
	bool is_mariadb;          /* SET STATEMENT sql_mode=... FOR the INSERTs */
	catalog *cat;             /* the overlay being built */
	dropper *drop;
	const char *name;         /* TAP_UPLOAD.name */
	const char *label;        /* "TAP_UPLOAD.name", starts every message */
	const char *cat_name;     /* the overlay's table_name */
	const vot_field *fields;
	size_t n;
	vot_sql_column *cols;
	strbuf *batch;            /* the INSERT being built */
	uint64_t batch_first;     /* first row in the batch, 1-based */
	uint64_t rows;            /* rows of this table added to batches */
	long long *total_rows;    /* rows of every table of the request */
	long long max_rows;
} loader;

static int db_fail(loader *ld, const char *what, tr_err *err)
{
	tr_err e = TR_ERR_INIT;
	db_error(ld->m, mysql_errno(ld->m), mysql_error(ld->m), &e);
	return tr_err_set(err, e.code, -1, 0, "%s: %s: %s", ld->label, what, e.msg);
}

static int add_overlay_table(loader *ld, const vot_table *t, tr_err *err)
{
	catalog_table_def td = {
		.schema_name = TAP_UPLOAD_SCHEMA, .name = ld->cat_name, .table_type = "table",
		.utype = t->utype, .description = t->description, .table_index = CATALOG_NULL_INT,
	};
	if (catalog_add_table(ld->cat, &td, err) < 0)
		return err->code;
	for (size_t i = 0; i < ld->n; i++) {
		const vot_field *f = &ld->fields[i];
		uint32_t size = vot_shape_size(&f->shape);
		catalog_column_def cd = {
			.table_name = ld->cat_name, .name = publish_adql_name(ld->a, f->name),
			.datatype = vot_datatype_name(f->datatype), .arraysize = f->arraysize, .xtype = f->xtype,
			.description = f->description, .utype = f->utype, .unit = f->unit, .ucd = f->ucd,
			.size = size ? (long)size : CATALOG_NULL_INT, .is_principal = 1, .is_nullable = 1,
			.column_index = (long)i + 1,
		};
		if (cd.name == NULL)
			return oom(err);
		if (catalog_add_column(ld->cat, &cd, err) < 0)
			return err->code;
	}
	return TR_OK;
}

static int create_table(loader *ld, tr_err *err)
{
	strbuf sql = STRBUF_INIT(UPLOAD_DDL_MAX);
	strbuf_puts(&sql, "CREATE TEMPORARY TABLE ");
	add_table_ident(&sql, ld->name);
	strbuf_puts(&sql, " (");
	for (size_t i = 0; i < ld->n; i++) {
		strbuf_puts(&sql, i ? ",\n  " : "\n  ");
		vot_sql_quote_ident(&sql, ld->fields[i].name);
		strbuf_printf(&sql, " %s NULL", ld->cols[i].type);
	}
	strbuf_puts(&sql, "\n) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
	int rc = TR_OK;
	if (strbuf_failed(&sql))
		rc = tr_err_set(err, TR_ELIMIT, -1, 0, "%s: the table definition is longer than %zu bytes", ld->label,
		                UPLOAD_DDL_MAX);
	else if (mysql_real_query(ld->m, strbuf_str(&sql), strbuf_len(&sql)) != 0)
		rc = db_fail(ld, "creating the temporary table", err);
	strbuf_free(&sql);
	return rc;
}

/* The FIELDs are known: check the names, choose the types, create the table, describe it. */
static int on_table(void *ctx, const vot_table *t, tr_err *err)
{
	loader *ld = ctx;
	ld->fields = t->fields;
	ld->n = t->n_fields;
	char why[VOT_WHY_MAX];
	for (size_t i = 0; i < ld->n; i++) {
		if (!vot_sql_ident_check(ld->fields[i].name, why)) {
			tr_err_set(err, TR_EBADREQ, -1, 0, "%s: column %zu: %s", ld->label, i + 1, why);
			tr_err_detail(err, "uploaded column names must be ADQL regular identifiers: a letter, then letters, "
			              "digits or '_', at most %d characters (ADQL 2.1 §2.1.3)", VOT_SQL_NAME_MAX);
			return TR_EBADREQ;
		}
		for (size_t k = 0; k < i; k++)
			if (strcasecmp(ld->fields[k].name, ld->fields[i].name) == 0)
				return tr_err_set(err, TR_EBADREQ, -1, 0, "%s: columns %zu and %zu are both named \"%s\" (names ignore "
				                  "case)", ld->label, k + 1, i + 1, ld->fields[i].name);
	}
	ld->cols = arena_calloc(ld->a, ld->n, sizeof *ld->cols);
	if (ld->cols == NULL)
		return oom(err);
	for (size_t i = 0; i < ld->n; i++) {
		tr_err e = TR_ERR_INIT;
		if (vot_sql_column_for(&ld->fields[i], false, &ld->cols[i], &e) < 0)
			return tr_err_set(err, e.code, -1, 0, "%s: column %zu (%s): %s", ld->label, i + 1, ld->fields[i].name,
			                  e.msg);
	}
	/* Listed for the drop before it exists: IF EXISTS makes an early drop harmless. */
	ld->drop->names[ld->drop->n++] = ld->name;
	if (create_table(ld, err) < 0)
		return err->code;
	return add_overlay_table(ld, t, err);
}

/* Sends the batch; a refusal names the rows it held. */
static int flush(loader *ld, tr_err *err)
{
	strbuf *sb = ld->batch;
	if (strbuf_len(sb) == 0)
		return TR_OK;
	if (strbuf_failed(sb))
		return oom(err);
	if (mysql_real_query(ld->m, strbuf_str(sb), strbuf_len(sb)) != 0) {
		tr_err e = TR_ERR_INIT;
		db_error(ld->m, mysql_errno(ld->m), mysql_error(ld->m), &e);
		if (db_error_is_data(mysql_errno(ld->m)))
			e.code = TR_EBADREQ; /* the rows, not the database, are at fault */
		return tr_err_set(err, e.code, -1, 0, "%s: rows %llu-%llu: the database refused them: %s", ld->label,
		                  (unsigned long long)ld->batch_first, (unsigned long long)ld->rows, e.msg);
	}
	strbuf_reset(sb);
	return TR_OK;
}

static int on_row(void *ctx, uint64_t row, const vot_cell *cells, tr_err *err)
{
	loader *ld = ctx;
	if (*ld->total_rows >= ld->max_rows) {
		tr_err_set(err, TR_ELIMIT, -1, 0, "%s: upload too large: at most %lld rows allowed", ld->label, ld->max_rows);
		tr_err_detail(err, "the uploaded tables of one request together; setting upload.max_rows");
		return TR_ELIMIT;
	}
	(*ld->total_rows)++;
	strbuf *sb = ld->batch;
	if (strbuf_len(sb) == 0) {
		if (ld->is_mariadb)
			strbuf_puts(sb, "SET STATEMENT sql_mode='" UPLOAD_SQL_MODE "' FOR ");
		strbuf_puts(sb, "INSERT INTO ");
		add_table_ident(sb, ld->name);
		strbuf_puts(sb, " VALUES ");
		ld->batch_first = row;
	} else {
		strbuf_putc(sb, ',');
	}
	strbuf_putc(sb, '(');
	char why[VOT_WHY_MAX];
	for (size_t i = 0; i < ld->n; i++) {
		if (i)
			strbuf_putc(sb, ',');
		int rc = vot_sql_add_value(sb, &ld->fields[i], &ld->cols[i], &cells[i], why);
		if (rc < 0)
			return tr_err_set(err, rc, -1, 0, "%s: row %llu, column %zu (%s): %s", ld->label, (unsigned long long)row,
			                  i + 1, ld->fields[i].name, why);
	}
	strbuf_putc(sb, ')');
	ld->rows = row;
	return strbuf_len(sb) >= TAP_UPLOAD_BATCH_BYTES ? flush(ld, err) : TR_OK;
}

static int on_end(void *ctx, uint64_t n_rows, tr_err *err)
{
	loader *ld = ctx;
	(void)n_rows;
	return flush(ld, err);
}

/* ---- loading ------------------------------------------------------------------------------------ */

static int load_one(loader *ld, const tap_upload_item *it, tr_err *err)
{
	static const vot_handlers h = { on_table, on_row, on_end };
	ld->name = it->name;
	ld->label = arena_printf(ld->a, TAP_UPLOAD_SCHEMA ".%s", it->name);
	ld->cat_name = ld->label;
	ld->fields = NULL;
	ld->n = 0;
	ld->rows = 0;
	strbuf_reset(ld->batch);
	if (ld->label == NULL)
		return oom(err);
	vot_options vo = { .name = ld->label };
	int rc = vot_read(ld->a, &it->src, &vo, &h, ld, err);
	if (rc == TR_EIO)
		tr_err_detail(err, "reading the uploaded table %s", ld->label);
	return rc;
}

int tap_upload_load(db_conn *db, arena *a, const tap_upload_item *items, size_t n, const tap_upload_limits *lim,
                    catalog **out_overlay, tr_err *err)
{
	*out_overlay = NULL;
	catalog *cat = catalog_new(err);
	if (cat == NULL)
		return err->code;
	if (arena_on_destroy(a, free_overlay, cat) < 0)
		return oom(err);
	catalog_schema_def sd = {
		.name = TAP_UPLOAD_SCHEMA, .description = "tables uploaded with this request (TAP 1.1 §2.7.6)",
		.schema_index = CATALOG_NULL_INT,
	};
	if (catalog_add_schema(cat, &sd, err) < 0)
		return err->code;
	if (n == 0) {
		if (catalog_finish(cat, err) < 0)
			return err->code;
		*out_overlay = cat;
		return TR_OK;
	}
	if (db_conn_ensure(db, err) < 0)
		return err->code;
	dropper *d = arena_zalloc(a, sizeof *d);
	strbuf *batch = arena_zalloc(a, sizeof *batch);
	if (d == NULL || batch == NULL || (d->names = arena_calloc(a, n, sizeof *d->names)) == NULL)
		return oom(err);
	d->db = db;
	/* Registered before any table exists, and after the overlay: runs first (cleanups run last
	 * registered first), after a query's cursor registered later has released the connection. */
	if (arena_on_destroy(a, drop_cleanup, d) < 0)
		return oom(err);
	strbuf_init(batch, 0);
	if (arena_on_destroy(a, free_batch, batch) < 0)
		return oom(err);
	long long total = 0;
	loader ld = {
		.m = db_conn_handle(db), .a = a, .is_mariadb = db_conn_dialect(db) == DB_DIALECT_MARIADB, .cat = cat,
		.drop = d, .batch = batch, .total_rows = &total,
		.max_rows = lim->max_rows > 0 ? lim->max_rows : 1,
	};
	int rc = TR_OK;
	for (size_t i = 0; rc == TR_OK && i < n; i++)
		rc = load_one(&ld, &items[i], err);
	if (rc == TR_OK)
		rc = catalog_finish(cat, err);
	if (rc < 0) {
		drop_tables(d);
		return rc;
	}
	*out_overlay = cat;
	return TR_OK;
}
