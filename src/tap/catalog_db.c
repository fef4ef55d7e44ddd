/* catalog_db: loads the catalog from the five TAP_SCHEMA tables and fingerprints their content.
 *
 * Plain SELECTs and CHECKSUM TABLE only: the service account is read-only (DESIGN.md), so nothing
 * here may write, lock or create.  Rows stream (mysql_use_result).  TAP 1.1 §4.1-§4.5 define the
 * tables; their optional columns may be absent so that TAP 1.0 TAP_SCHEMAs load as well.
 * Includes mysql.h outside src/db/ because the catalog, not the connection, knows TAP_SCHEMA. */
#include "config.h"

#include "tap/catalog.h"

#include "util/strbuf.h"

#include <errmsg.h>
#include <errno.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS_MAX_FIELDS 14        /* TAP_SCHEMA.columns, the widest of the five tables (TAP 1.1 §4.3) */
#define TS_MAX_QUERY 4096       /* bytes of one generated statement; the longest is about 400 */
#define TS_ROW_LABEL 256        /* bytes of the row description in messages */

/* One TAP_SCHEMA table: the TAP 1.1 columns we read, in the order the row handler expects. */
typedef struct ts_field {
	const char *name;  /* column name in the database */
	int is_required;   /* TAP 1.1 "not-null": must exist and must not be NULL */
} ts_field;

typedef int ts_row_fn(catalog *c, char *const *v, tr_err *err);

typedef struct ts_table {
	const char *name;        /* table name in the TAP_SCHEMA database */
	const ts_field *fields;  /* selected columns; the first n_ident name the row in messages */
	size_t n_fields;
	size_t n_ident;          /* leading fields that identify a row (its primary key) */
	ts_row_fn *row;          /* adds one row to the catalog */
} ts_table;

/* ---- row handlers --------------------------------------------------------------------------- */

/* Integer field: NULL -> CATALOG_NULL_INT.  TAP_SCHEMA stores them as integers, but the text
 * protocol hands them over as decimal strings. */
static int parse_long(const char *field, const char *v, long *out, tr_err *err)
{
	*out = CATALOG_NULL_INT;
	if (v == NULL)
		return TR_OK;
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0' || x == CATALOG_NULL_INT)
		return tr_err_set(err, TR_EDB, -1, 0, "%s is not an integer: \"%.40s\"", field, v);
	*out = x;
	return TR_OK;
}

/* TAP 1.1 §4.3: "the value must be 0 or 1; no other values are allowed". */
static int parse_flag(const char *field, const char *v, int *out, tr_err *err)
{
	long x;
	if (parse_long(field, v, &x, err))
		return err->code;
	if (x != 0 && x != 1)
		return tr_err_set(err, TR_EDB, -1, 0, "%s is %ld, not 0 or 1", field, x);
	*out = (int)x;
	return TR_OK;
}

static int schema_row(catalog *c, char *const *v, tr_err *err)
{
	catalog_schema_def d = { .name = v[0], .utype = v[1], .description = v[2] };
	if (parse_long("schema_index", v[3], &d.schema_index, err))
		return err->code;
	return catalog_add_schema(c, &d, err);
}

static int table_row(catalog *c, char *const *v, tr_err *err)
{
	catalog_table_def d = { .name = v[0], .schema_name = v[1], .table_type = v[2], .utype = v[3],
	                        .description = v[4] };
	if (parse_long("table_index", v[5], &d.table_index, err))
		return err->code;
	return catalog_add_table(c, &d, err);
}

static int column_row(catalog *c, char *const *v, tr_err *err)
{
	catalog_column_def d = { .table_name = v[0], .name = v[1], .datatype = v[2], .arraysize = v[3],
	                         .xtype = v[4], .description = v[6], .utype = v[7], .unit = v[8], .ucd = v[9] };
	if (parse_long("size", v[5], &d.size, err) || parse_flag("indexed", v[10], &d.is_indexed, err) ||
	    parse_flag("principal", v[11], &d.is_principal, err) || parse_flag("std", v[12], &d.is_std, err) ||
	    parse_long("column_index", v[13], &d.column_index, err))
		return err->code;
	return catalog_add_column(c, &d, err);
}

static int key_row(catalog *c, char *const *v, tr_err *err)
{
	catalog_key_def d = { .key_id = v[0], .from_table = v[1], .target_table = v[2], .utype = v[3],
	                      .description = v[4] };
	return catalog_add_key(c, &d, err);
}

static int key_column_row(catalog *c, char *const *v, tr_err *err)
{
	return catalog_add_key_column(c, v[0], v[1], v[2], err);
}

/* ---- the five tables (TAP 1.1 §4), in dependency order ---------------------------------------- */

static const ts_field schema_fields[] = {
	{ "schema_name", 1 }, { "utype", 0 }, { "description", 0 }, { "schema_index", 0 },
};
static const ts_field table_fields[] = {
	{ "table_name", 1 }, { "schema_name", 1 }, { "table_type", 1 },
	{ "utype", 0 }, { "description", 0 }, { "table_index", 0 },
};
static const ts_field column_fields[] = {
	{ "table_name", 1 }, { "column_name", 1 }, { "datatype", 1 }, { "arraysize", 0 }, { "xtype", 0 },
	{ "size", 0 }, { "description", 0 }, { "utype", 0 }, { "unit", 0 }, { "ucd", 0 },
	{ "indexed", 1 }, { "principal", 1 }, { "std", 1 }, { "column_index", 0 },
};
static const ts_field key_fields[] = {
	{ "key_id", 1 }, { "from_table", 1 }, { "target_table", 1 }, { "utype", 0 }, { "description", 0 },
};
static const ts_field key_column_fields[] = {
	{ "key_id", 1 }, { "from_column", 1 }, { "target_column", 1 },
};

#define TS_N(a) (sizeof(a) / sizeof((a)[0]))

static const ts_table ts_tables[] = {
	{ "schemas", schema_fields, TS_N(schema_fields), 1, schema_row },
	{ "tables", table_fields, TS_N(table_fields), 1, table_row },
	{ "columns", column_fields, TS_N(column_fields), 2, column_row },
	{ "keys", key_fields, TS_N(key_fields), 1, key_row },
	{ "key_columns", key_column_fields, TS_N(key_column_fields), 3, key_column_row },
};
#define TS_N_TABLES TS_N(ts_tables)

/* ---- statements ----------------------------------------------------------------------------- */

static int db_fail(MYSQL *m, const char *what, tr_err *err)
{
	unsigned e = mysql_errno(m);
	int lost = e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_CONNECTION_ERROR ||
	           e == CR_CONN_HOST_ERROR;
	return tr_err_set(err, lost ? TR_EDB_UNAVAILABLE : TR_EDB, -1, 0, "%s: %s", what, mysql_error(m));
}

/* MySQL identifier quoting: backticks, with ` doubled. */
static void put_ident(strbuf *sb, const char *name)
{
	strbuf_putc(sb, '`');
	for (const char *p = name; *p; p++) {
		if (*p == '`')
			strbuf_putc(sb, '`');
		strbuf_putc(sb, *p);
	}
	strbuf_putc(sb, '`');
}

/* Runs sql and hands every row to fn; the result is always freed here.  what names the
 * statement in messages. */
typedef int ts_each_fn(void *ctx, MYSQL_ROW row, const unsigned long *lengths, unsigned n, tr_err *err);

static int run_select(MYSQL *m, const strbuf *sql, const char *what, ts_each_fn *fn, void *ctx, tr_err *err)
{
	if (strbuf_failed(sql))
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory building a TAP_SCHEMA query");
	if (mysql_real_query(m, strbuf_str(sql), strbuf_len(sql)) != 0)
		return db_fail(m, what, err);
	MYSQL_RES *res = mysql_use_result(m);
	if (res == NULL)
		return db_fail(m, what, err);
	unsigned n = mysql_num_fields(res);
	int rc = TR_OK;
	MYSQL_ROW row;
	while (rc == TR_OK && (row = mysql_fetch_row(res)) != NULL)
		rc = fn(ctx, row, mysql_fetch_lengths(res), n, err);
	if (rc == TR_OK && mysql_errno(m))
		rc = db_fail(m, what, err);
	mysql_free_result(res); /* also reads any rows left after an error */
	return rc;
}

/* ---- which TAP_SCHEMA columns exist ----------------------------------------------------------- */

typedef struct ts_present {
	unsigned long bits[TS_N_TABLES]; /* bit i: field i of ts_tables[t] exists */
	int has_table[TS_N_TABLES];      /* the table has at least one visible column */
} ts_present;

static int note_column(void *ctx, MYSQL_ROW row, const unsigned long *lengths, unsigned n, tr_err *err)
{
	(void)lengths;
	(void)err;
	ts_present *p = ctx;
	if (n < 2 || row[0] == NULL || row[1] == NULL)
		return TR_OK;
	for (size_t t = 0; t < TS_N_TABLES; t++) {
		if (strcmp(row[0], ts_tables[t].name) != 0)
			continue;
		p->has_table[t] = 1;
		for (size_t f = 0; f < ts_tables[t].n_fields; f++)
			if (strcmp(row[1], ts_tables[t].fields[f].name) == 0)
				p->bits[t] |= 1UL << f;
	}
	return TR_OK;
}

/* information_schema lists only what this account may read, so a missing table and a missing
 * privilege look the same; the message says both. */
static int find_columns(MYSQL *m, const char *database, ts_present *out, tr_err *err)
{
	memset(out, 0, sizeof *out);
	size_t n = strlen(database);
	if (n > CATALOG_MAX_NAME)
		return tr_err_set(err, TR_EDB, -1, 0, "database name longer than %d bytes", CATALOG_MAX_NAME);
	char esc[2 * CATALOG_MAX_NAME + 1];
	mysql_real_escape_string(m, esc, database, (unsigned long)n);
	strbuf sql = STRBUF_INIT(TS_MAX_QUERY);
	strbuf_printf(&sql, "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s'",
	              esc);
	int rc = run_select(m, &sql, "reading the TAP_SCHEMA columns from information_schema", note_column, out, err);
	strbuf_free(&sql);
	return rc;
}

/* ---- loading -------------------------------------------------------------------------------- */

typedef struct ts_load {
	catalog *cat;           /* being built */
	const ts_table *table;  /* the TAP_SCHEMA table being read */
	const char *database;   /* its database, for messages */
} ts_load;

/* Adds one row; on failure the message becomes "DB.TABLE row (k="v", ...): what is wrong". */
static int load_row(void *ctx, MYSQL_ROW row, const unsigned long *lengths, unsigned n, tr_err *err)
{
	ts_load *l = ctx;
	const ts_table *t = l->table;
	tr_err e = TR_ERR_INIT;
	if (n != t->n_fields)
		return tr_err_set(err, TR_EDB, -1, 0, "%s.%s: %u columns selected, %zu expected", l->database, t->name, n,
		                  t->n_fields);
	for (size_t i = 0; i < t->n_fields && !tr_err_isset(&e); i++) {
		if (row[i] == NULL && t->fields[i].is_required)
			tr_err_set(&e, TR_EDB, -1, 0, "%s is NULL", t->fields[i].name);
		else if (row[i] && strlen(row[i]) != lengths[i])
			tr_err_set(&e, TR_EDB, -1, 0, "%s contains a NUL byte", t->fields[i].name);
	}
	if (!tr_err_isset(&e) && t->row(l->cat, row, &e) == TR_OK)
		return TR_OK;
	if (e.code == TR_ENOMEM)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "%s", e.msg);

	char label[TS_ROW_LABEL];
	size_t w = 0;
	label[0] = '\0';
	for (size_t i = 0; i < t->n_ident && w < sizeof label; i++) {
		int k = snprintf(label + w, sizeof label - w, "%s%s=%s%.60s%s", i ? ", " : "", t->fields[i].name,
		                 row[i] ? "\"" : "", row[i] ? row[i] : "NULL", row[i] ? "\"" : "");
		if (k < 0)
			break;
		w += (size_t)k;
	}
	return tr_err_set(err, TR_EDB, -1, 0, "%s.%s row (%s): %s", l->database, t->name, label, e.msg);
}

static int load_table(MYSQL *m, ts_load *l, unsigned long present, tr_err *err)
{
	const ts_table *t = l->table;
	strbuf sql = STRBUF_INIT(TS_MAX_QUERY);
	strbuf_puts(&sql, "SELECT ");
	for (size_t f = 0; f < t->n_fields; f++) {
		if (f)
			strbuf_puts(&sql, ", ");
		if (present & (1UL << f)) {
			put_ident(&sql, t->fields[f].name);
		} else if (t->fields[f].is_required) {
			strbuf_free(&sql);
			return tr_err_set(err, TR_EDB, -1, 0, "%s.%s has no column %s (TAP 1.1 section 4 requires it)",
			                  l->database, t->name, t->fields[f].name);
		} else {
			strbuf_puts(&sql, "NULL"); /* an optional TAP 1.1 column a TAP 1.0 TAP_SCHEMA lacks */
		}
	}
	strbuf_puts(&sql, " FROM ");
	put_ident(&sql, l->database);
	strbuf_putc(&sql, '.');
	put_ident(&sql, t->name);
	char what[TS_ROW_LABEL];
	snprintf(what, sizeof what, "reading %s.%s", l->database, t->name);
	int rc = run_select(m, &sql, what, load_row, l, err);
	strbuf_free(&sql);
	return rc;
}

catalog *catalog_load_db_from(MYSQL *m, const char *database, tr_err *err)
{
	ts_present present;
	if (find_columns(m, database, &present, err))
		return NULL;
	for (size_t t = 0; t < TS_N_TABLES; t++)
		if (!present.has_table[t]) {
			tr_err_set(err, TR_EDB, -1, 0, "table %s.%s does not exist or is not readable", database,
			           ts_tables[t].name);
			return NULL;
		}

	catalog *c = catalog_new(err);
	if (c == NULL)
		return NULL;
	ts_load l = { .cat = c, .database = database };
	for (size_t t = 0; t < TS_N_TABLES; t++) {
		l.table = &ts_tables[t];
		if (load_table(m, &l, present.bits[t], err))
			goto fail;
	}
	tr_err e = TR_ERR_INIT;
	if (catalog_finish(c, &e)) {
		tr_err_set(err, e.code == TR_ENOMEM ? TR_ENOMEM : TR_EDB, -1, 0, "%s.keys: %s", database, e.msg);
		goto fail;
	}
	return c;
fail:
	catalog_free(c);
	return NULL;
}

catalog *catalog_load_db(MYSQL *m, tr_err *err) { return catalog_load_db_from(m, CATALOG_DB_NAME, err); }

/* ---- fingerprint ---------------------------------------------------------------------------- */

typedef struct ts_sum {
	unsigned long long h; /* FNV-1a 64 over "checksum\0" of each table, in statement order */
	size_t n_rows;        /* rows seen, one per table */
} ts_sum;

static int add_checksum(void *ctx, MYSQL_ROW row, const unsigned long *lengths, unsigned n, tr_err *err)
{
	ts_sum *s = ctx;
	if (n < 2)
		return tr_err_set(err, TR_EDB, -1, 0, "CHECKSUM TABLE returned %u columns", n);
	/* NULL: the table does not exist (the server adds a warning instead of failing). */
	if (row[1] == NULL)
		return tr_err_set(err, TR_EDB, -1, 0, "table %s does not exist or is not readable",
		                  row[0] ? row[0] : "(unknown)");
	for (unsigned long i = 0; i <= lengths[1]; i++) { /* includes the terminating NUL as separator */
		s->h ^= (unsigned char)row[1][i];
		s->h *= 1099511628211ULL;
	}
	s->n_rows++;
	return TR_OK;
}

int catalog_db_fingerprint_from(MYSQL *m, const char *database, unsigned long long *out, tr_err *err)
{
	strbuf sql = STRBUF_INIT(TS_MAX_QUERY);
	strbuf_puts(&sql, "CHECKSUM TABLE ");
	for (size_t t = 0; t < TS_N_TABLES; t++) {
		if (t)
			strbuf_puts(&sql, ", ");
		put_ident(&sql, database);
		strbuf_putc(&sql, '.');
		put_ident(&sql, ts_tables[t].name);
	}
	ts_sum s = { .h = 14695981039346656037ULL, .n_rows = 0 };
	int rc = run_select(m, &sql, "fingerprinting TAP_SCHEMA", add_checksum, &s, err);
	strbuf_free(&sql);
	if (rc == TR_OK && s.n_rows != TS_N_TABLES)
		rc = tr_err_set(err, TR_EDB, -1, 0, "CHECKSUM TABLE returned %zu rows for %zu tables", s.n_rows,
		                (size_t)TS_N_TABLES);
	if (rc == TR_OK)
		*out = s.h;
	return rc;
}

int catalog_db_fingerprint(MYSQL *m, unsigned long long *out, tr_err *err)
{
	return catalog_db_fingerprint_from(m, CATALOG_DB_NAME, out, err);
}
