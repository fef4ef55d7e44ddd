/* tap/publish: TAP_SCHEMA setup and checks, and loading and publishing tables (taproom-admin,
 * taproom-import).  The database side of issue 6; see publish.h for the atomicity contract.
 *
 * Must not change anything users see before the input is fully loaded and checked, must not touch a
 * table it did not create except through the final swap, and must not build SQL from names or values
 * except through votable/sqlmap.h.  TAP 1.1 §4 (TAP_SCHEMA tables and columns). */
#include "config.h"

#include "tap/publish.h"

#include "adql/lexer.h"
#include "db/cursor.h"
#include "tap/catalog.h"
#include "tap/upload.h"
#include "util/config.h"
#include "util/strbuf.h"
#include "votable/csv.h"
#include "votable/limits.h"
#include "votable/reader.h"
#include "votable/sqlmap.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef TR_DEFAULT_CONFIG
#define TR_DEFAULT_CONFIG "/etc/taproom/taproom.conf"
#endif

/* Strict: a value the column cannot hold is an error, never a silent truncation or a zero date;
 * no NO_BACKSLASH_ESCAPES, which the literals of votable/sqlmap.h assume. */
#define PUBLISH_SQL_MODE "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO," \
	"NO_ENGINE_SUBSTITUTION"
/* MariaDB keeps at most 1024 characters of a column comment. */
#define PUBLISH_COMMENT_MAX 1024
/* Bytes read from an input file per call. */
#define PUBLISH_READ_CHUNK ((size_t)64 * 1024)
/* Characters of the target's name kept in staging table names (64 minus prefix and hash). */
#define PUBLISH_STAGE_NAME_KEEP 40

/* ---- small helpers -------------------------------------------------------------------------- */

static void report(publish_report_fn *fn, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(publish_report_fn *fn, void *ctx, const char *fmt, ...)
{
	if (fn == NULL)
		return;
	char line[TR_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fn(ctx, line);
}

/* Records a failed statement: "what: database error N: message". */
static int db_fail(MYSQL *m, const char *what, tr_err *err)
{
	tr_err e = TR_ERR_INIT;
	db_error(m, mysql_errno(m), mysql_error(m), &e);
	return tr_err_set(err, e.code, -1, 0, "%s: %s", what, e.msg);
}

static int oom(tr_err *err) { return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory"); }

/* Runs one statement whose text is in sb (checking the buffer's sticky error first). */
static int run(MYSQL *m, const strbuf *sb, const char *what, tr_err *err)
{
	if (strbuf_failed(sb))
		return tr_err_set(err, TR_ELIMIT, -1, 0, "%s: the statement is longer than %zu bytes", what, PUBLISH_SQL_MAX);
	if (mysql_real_query(m, strbuf_str(sb), strbuf_len(sb)) != 0)
		return db_fail(m, what, err);
	MYSQL_RES *res = mysql_store_result(m); /* statements that return rows (SELECT GET_LOCK) */
	if (res)
		mysql_free_result(res);
	return TR_OK;
}

static int run_text(MYSQL *m, const char *sql, const char *what, tr_err *err)
{
	strbuf sb = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sb, sql);
	int rc = run(m, &sb, what, err);
	strbuf_free(&sb);
	return rc;
}

typedef int row_fn(void *ctx, char **row, unsigned long *lens, tr_err *err);

/* Runs a query and calls fn for each row; the result is freed before returning, on every path. */
static int query_each(MYSQL *m, const strbuf *sql, const char *what, row_fn *fn, void *ctx, tr_err *err)
{
	if (strbuf_failed(sql))
		return oom(err);
	if (mysql_real_query(m, strbuf_str(sql), strbuf_len(sql)) != 0)
		return db_fail(m, what, err);
	MYSQL_RES *res = mysql_store_result(m);
	if (res == NULL)
		return mysql_errno(m) ? db_fail(m, what, err) : TR_OK;
	int rc = TR_OK;
	MYSQL_ROW row;
	while (rc == TR_OK && (row = mysql_fetch_row(res)) != NULL)
		rc = fn(ctx, row, mysql_fetch_lengths(res), err);
	mysql_free_result(res);
	return rc;
}

/* Makes room for one more element in an arena array of n used, *cap allocated (doubling; the old
 * block stays in the arena).  -1 when out of memory. */
static int grow(arena *a, void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : 8;
	void *q = arena_calloc(a, c, size);
	if (q == NULL)
		return -1;
	if (n)
		memcpy(q, *p, n * size);
	*p = q;
	*cap = c;
	return 0;
}

/* `schema`.`table` */
static void add_qualified(strbuf *sb, const char *schema, const char *table)
{
	vot_sql_quote_ident(sb, schema);
	strbuf_putc(sb, '.');
	vot_sql_quote_ident(sb, table);
}

static void add_str(strbuf *sb, const char *s)
{
	if (s == NULL)
		strbuf_puts(sb, "NULL");
	else
		vot_sql_add_string(sb, s, strlen(s));
}

static int set_session(MYSQL *m, tr_err *err)
{
	return run_text(m, "SET SESSION sql_mode = '" PUBLISH_SQL_MODE "'", "setting the session's sql_mode", err);
}

/* ---- names ---------------------------------------------------------------------------------- */

static bool is_regular(const char *s)
{
	char why[VOT_WHY_MAX];
	return vot_sql_ident_check(s, why);
}

const char *publish_adql_name(arena *a, const char *name)
{
	if (is_regular(name) && adql_lex_keyword(name, strlen(name)) == ADQL_TOK_IDENT)
		return name;
	/* ADQL 2.1 §2.1.3: a delimited identifier, "" for a quote inside */
	strbuf sb = STRBUF_INIT(0);
	strbuf_putc(&sb, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			strbuf_putc(&sb, '"');
		strbuf_putc(&sb, *p);
	}
	strbuf_putc(&sb, '"');
	const char *s = strbuf_failed(&sb) ? NULL : arena_strdup(a, strbuf_str(&sb));
	strbuf_free(&sb);
	return s;
}

const char *publish_table_name(arena *a, const char *schema, const char *table)
{
	const char *s = publish_adql_name(a, schema), *t = publish_adql_name(a, table);
	return s && t ? arena_printf(a, "%s.%s", s, t) : NULL;
}

bool publish_ucd_has(const char *ucd, const char *atom)
{
	if (ucd == NULL)
		return false;
	size_t n = strlen(atom);
	for (const char *p = ucd; *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		size_t end = len;
		while (end > 0 && p[end - 1] == ' ')
			end--;
		if (end == n && strncasecmp(p, atom, n) == 0)
			return true;
		p += len;
	}
	return false;
}

int publish_find_key(const vot_field *fields, size_t n, const char *key, size_t *out, tr_err *err)
{
	*out = SIZE_MAX;
	if (key && key[0] == '\0')
		return TR_OK;
	for (size_t i = 0; i < n; i++) {
		bool hit = key ? strcasecmp(fields[i].name, key) == 0
		               : publish_ucd_has(fields[i].ucd, "meta.id") && publish_ucd_has(fields[i].ucd, "meta.main");
		if (hit) {
			*out = i;
			return TR_OK;
		}
	}
	if (key)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "--primary-key: there is no column \"%s\"", key);
	return TR_OK;
}

size_t publish_position_columns(const vot_field *fields, size_t n, size_t out[2])
{
	static const char *const atoms[2] = { "pos.eq.ra", "pos.eq.dec" };
	size_t k = 0;
	for (int a = 0; a < 2; a++) {
		size_t first = SIZE_MAX, main = SIZE_MAX;
		for (size_t i = 0; i < n; i++) {
			if (fields[i].shape.is_array || !publish_ucd_has(fields[i].ucd, atoms[a]))
				continue;
			if (first == SIZE_MAX)
				first = i;
			if (main == SIZE_MAX && publish_ucd_has(fields[i].ucd, "meta.main"))
				main = i;
		}
		if (main != SIZE_MAX || first != SIZE_MAX)
			out[k++] = main != SIZE_MAX ? main : first;
	}
	return k;
}

void publish_split_account(arena *a, const char *account, const char **out_user, const char **out_host)
{
	const char *at = strrchr(account, '@');
	*out_user = at ? arena_strndup(a, account, (size_t)(at - account)) : account;
	*out_host = at ? at + 1 : NULL;
}

/* ---- connecting ----------------------------------------------------------------------------- */

int publish_db_option(int opt, const char *arg, publish_db_opts *o, tr_err *err)
{
	switch (opt) {
	case PUBLISH_OPT_CONFIG: o->config = arg; return TR_OK;
	case PUBLISH_OPT_HOST: o->host = arg; return TR_OK;
	case PUBLISH_OPT_SOCKET: o->socket = arg; return TR_OK;
	case PUBLISH_OPT_USER: o->user = arg; return TR_OK;
	case PUBLISH_OPT_PASSWORD_FILE: o->password_file = arg; return TR_OK;
	case PUBLISH_OPT_GRANT_TO: o->grant_to = arg; return TR_OK;
	case PUBLISH_OPT_NO_GRANT: o->is_no_grant = true; return TR_OK;
	case PUBLISH_OPT_PORT: {
		char *end;
		errno = 0;
		unsigned long v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || v == 0 || v > 65535)
			return tr_err_set(err, TR_ECONFIG, -1, 0, "--port: \"%s\" is not a port number", arg);
		o->port = (unsigned)v;
		return TR_OK;
	}
	default: return tr_err_set(err, TR_ECONFIG, -1, 0, "unknown option (see --help)");
	}
}

/* The first line of a password file, without its line break. */
static const char *read_password(arena *a, const char *path, tr_err *err)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		tr_err_set(err, TR_EIO, -1, 0, "cannot read the password file %s: %s", path, strerror(errno));
		return NULL;
	}
	char buf[1024];
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	const char *s = arena_strdup(a, buf);
	memset(buf, 0, sizeof buf);
	if (s == NULL)
		oom(err);
	return s;
}

db_conn *publish_connect(arena *a, const publish_db_opts *o, publish_site *out, tr_err *err)
{
	const char *path = o->config ? o->config : getenv("TAPROOM_CONFIG");
	if (path == NULL && access(TR_DEFAULT_CONFIG, R_OK) == 0)
		path = TR_DEFAULT_CONFIG;
	/* The tools never use the service's passwords: keep config_load from reading their files. */
	if (setenv("TAPROOM_DB_PASSWORD", "", 1) != 0 || setenv("TAPROOM_UWS_PASSWORD", "", 1) != 0) {
		tr_err_set(err, TR_EINTERNAL, -1, 0, "setenv failed");
		return NULL;
	}
	tr_config *cfg = config_load(a, path, err);
	if (cfg == NULL)
		return NULL;
	const char *user = o->user ? o->user : getenv("TAPROOM_ADMIN_USER");
	if (user == NULL) {
		const struct passwd *pw = getpwuid(geteuid());
		user = pw ? arena_strdup(a, pw->pw_name) : "root";
	}
	const char *password = "";
	if (o->password_file) {
		if ((password = read_password(a, o->password_file, err)) == NULL)
			return NULL;
	} else if (getenv("TAPROOM_ADMIN_PASSWORD")) {
		password = getenv("TAPROOM_ADMIN_PASSWORD");
	}
	/* The service's query server, with the operator's account and the command line's choices. */
	db_params p;
	db_conn_query_params(cfg, &p);
	if (o->host || o->socket) { /* either one replaces both of the file's */
		p.host = o->host ? o->host : "";
		p.socket = o->socket ? o->socket : "";
	}
	if (o->port)
		p.port = o->port;
	p.user = user;
	p.password = password;
	p.database = "";
	p.read_timeout = 0; /* loads and index builds take as long as they take */
	out->grant_to = o->is_no_grant ? NULL : o->grant_to ? o->grant_to : cfg->db_user[0] ? cfg->db_user : NULL;
	out->default_schema = cfg->db_name;
	out->uws_name = cfg->uws_name;
	out->uws_grant_to = o->is_no_grant || !cfg->uws_user[0] ? NULL : cfg->uws_user;
	db_conn *c = db_conn_new(&p);
	if (c == NULL) {
		oom(err);
		return NULL;
	}
	if (db_conn_ensure(c, err) < 0) {
		db_conn_free(c);
		return NULL;
	}
	return c;
}

/* ---- grants --------------------------------------------------------------------------------- */

typedef struct host_list {
	arena *a;
	const char **hosts;
	size_t n, cap;
} host_list;

static int collect_host(void *ctx, char **row, unsigned long *lens, tr_err *err)
{
	host_list *h = ctx;
	if (grow(h->a, (void **)&h->hosts, &h->cap, h->n, sizeof *h->hosts) < 0)
		return oom(err);
	if ((h->hosts[h->n++] = arena_strndup(h->a, row[0], lens[0])) == NULL)
		return oom(err);
	return TR_OK;
}

/* The hosts of account user: the one given, or every row of mysql.user with that name.  privs and hint
 * complete the message for an account that does not exist. */
static int account_hosts(arena *a, MYSQL *m, const char *account, const char *privs, const char *hint,
                         const char **out_user, host_list *h, tr_err *err)
{
	const char *host;
	publish_split_account(a, account, out_user, &host);
	memset(h, 0, sizeof *h);
	h->a = a;
	if (*out_user == NULL)
		return oom(err);
	if (host) {
		char *row[1] = { (char *)host };
		unsigned long len[1] = { strlen(host) };
		return collect_host(h, row, len, err);
	}
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sql, "SELECT Host FROM mysql.user WHERE User = ");
	add_str(&sql, *out_user);
	int rc = query_each(m, &sql, "looking up the account's hosts", collect_host, h, err);
	strbuf_free(&sql);
	if (rc == TR_OK && h->n == 0)
		rc = tr_err_set(err, TR_ENOTFOUND, -1, 0, "there is no database account \"%s\" to grant %s to (%s)",
		                *out_user, privs, hint);
	return rc;
}

/* The accounts the tools grant to, with the hint for one that does not exist. */
#define GRANT_HINT_QUERY "give --grant-to USER@HOST, or --no-grant"
#define GRANT_HINT_UWS "create it, set uws.user, or give --no-grant"

/* GRANT privs (constant text) ON what (already quoted) TO every host of account. */
static int grant_privileges(arena *a, MYSQL *m, const char *privs, const char *what, const char *account,
                            const char *hint, publish_report_fn *rep, void *ctx, tr_err *err)
{
	const char *user;
	host_list h;
	int rc = account_hosts(a, m, account, privs, hint, &user, &h, err);
	for (size_t i = 0; rc == TR_OK && i < h.n; i++) {
		strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
		strbuf_printf(&sql, "GRANT %s ON %s TO ", privs, what);
		add_str(&sql, user);
		strbuf_putc(&sql, '@');
		add_str(&sql, h.hosts[i]);
		rc = run(m, &sql, "granting privileges", err);
		strbuf_free(&sql);
		if (rc == TR_OK)
			report(rep, ctx, "granted %s on %s to '%s'@'%s'", privs, what, user, h.hosts[i]);
	}
	return rc;
}

static int grant_select(arena *a, MYSQL *m, const char *what, const char *account, publish_report_fn *rep, void *ctx,
                        tr_err *err)
{
	return grant_privileges(a, m, "SELECT", what, account, GRANT_HINT_QUERY, rep, ctx, err);
}

/* GRANT SELECT on the imported or described table to o->grant_to, when given. */
static int grant_table(arena *a, MYSQL *m, const publish_import_opts *o, tr_err *err)
{
	if (o->grant_to == NULL)
		return TR_OK;
	strbuf what = STRBUF_INIT(0);
	add_qualified(&what, o->schema, o->table);
	int rc = strbuf_failed(&what) ? oom(err) : grant_select(a, m, strbuf_str(&what), o->grant_to, o->report, o->ctx, err);
	strbuf_free(&what);
	return rc;
}

/* ---- taproom-admin init ---------------------------------------------------------------------- */

int publish_each_statement(const char *text, size_t len, int (*fn)(void *ctx, const char *sql, size_t n, tr_err *err),
                           void *ctx, tr_err *err)
{
	size_t start = SIZE_MAX; /* offset of the open statement, SIZE_MAX: none */
	char quote = 0;          /* the open quote inside the statement, 0: none */
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		bool line_start = i == 0 || text[i - 1] == '\n';
		if (start == SIZE_MAX) {
			if (line_start && c == '-' && i + 1 < len && text[i + 1] == '-') {
				while (i < len && text[i] != '\n')
					i++;
				continue;
			}
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				continue;
			start = i;
		}
		if (quote) {
			if (c == '\\' && quote != '`')
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`') {
			quote = c;
		} else if (c == ';' && (i + 1 == len || text[i + 1] == '\n' || text[i + 1] == '\r')) {
			int rc = fn(ctx, text + start, i - start, err);
			if (rc < 0)
				return rc;
			start = SIZE_MAX;
		}
	}
	if (start != SIZE_MAX)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "the SQL text ends inside a statement");
	return TR_OK;
}

typedef struct init_ctx {
	MYSQL *m;
	const char *label;  /* "TAP_SCHEMA setup", for messages */
	size_t n;
} init_ctx;

static int init_statement(void *ctx, const char *sql, size_t n, tr_err *err)
{
	init_ctx *ic = ctx;
	ic->n++;
	if (mysql_real_query(ic->m, sql, n) != 0) {
		char what[96];
		snprintf(what, sizeof what, "%s, statement %zu (%.40s...)", ic->label, ic->n, sql);
		return db_fail(ic->m, what, err);
	}
	MYSQL_RES *res = mysql_store_result(ic->m);
	if (res)
		mysql_free_result(res);
	return TR_OK;
}

int publish_init(MYSQL *m, const char *ddl, size_t ddl_len, const char *grant_to, publish_report_fn *rep, void *ctx,
                 tr_err *err)
{
	init_ctx ic = { m, "TAP_SCHEMA setup", 0 };
	if (set_session(m, err) < 0 || publish_each_statement(ddl, ddl_len, init_statement, &ic, err) < 0)
		return err->code;
	report(rep, ctx, "TAP_SCHEMA is in place (%zu statements)", ic.n);
	/* TAP_UPLOAD (TAP 1.1 §2.7.6): the query account creates its uploads there as temporary tables
	 * of its session, which is all it may do there (DESIGN.md: otherwise read-only). */
	if (run_text(m, "CREATE DATABASE IF NOT EXISTS `" TAP_UPLOAD_SCHEMA "`", "creating the " TAP_UPLOAD_SCHEMA
	             " database", err) < 0)
		return err->code;
	report(rep, ctx, "the " TAP_UPLOAD_SCHEMA " database is in place (uploaded tables)");
	if (grant_to == NULL)
		return TR_OK;
	arena *a = arena_create(0, 0);
	if (a == NULL)
		return oom(err);
	int rc = grant_select(a, m, "`" CATALOG_DB_NAME "`.*", grant_to, rep, ctx, err);
	if (rc == TR_OK)
		rc = grant_privileges(a, m, "CREATE TEMPORARY TABLES", "`" TAP_UPLOAD_SCHEMA "`.*", grant_to,
		                      GRANT_HINT_QUERY, rep, ctx, err);
	arena_destroy(a);
	return rc;
}

/* CREATE DATABASE IF NOT EXISTS qdb, and make it the connection's current database: sql/uws.sql
 * names its tables without a database. */
static int use_uws_database(MYSQL *m, const char *qdb, const char *database, tr_err *err)
{
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_printf(&sql, "CREATE DATABASE IF NOT EXISTS %s", qdb);
	int rc = run(m, &sql, "creating the UWS database", err);
	strbuf_free(&sql);
	if (rc == TR_OK && mysql_select_db(m, database) != 0)
		rc = db_fail(m, "using the UWS database", err);
	return rc;
}

static int grant_uws(MYSQL *m, const char *qdb, const char *grant_to, publish_report_fn *rep, void *ctx, tr_err *err)
{
	arena *a = arena_create(0, 0);
	strbuf what = STRBUF_INIT(0);
	strbuf_printf(&what, "%s.*", qdb);
	int rc = a == NULL || strbuf_failed(&what)
	         ? oom(err)
	         : grant_privileges(a, m, "SELECT, INSERT, UPDATE, DELETE", strbuf_str(&what), grant_to, GRANT_HINT_UWS,
	                            rep, ctx, err);
	strbuf_free(&what);
	arena_destroy(a);
	return rc;
}

/* The async job state (issue 7): its own database, written by its own account (DESIGN.md: the query
 * account stays read-only). */
int publish_init_uws(MYSQL *m, const char *ddl, size_t ddl_len, const char *database, const char *grant_to,
                     publish_report_fn *rep, void *ctx, tr_err *err)
{
	if (database == NULL || database[0] == '\0')
		return tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'uws.name' is empty: no database for the job tables");
	strbuf qdb = STRBUF_INIT(0);
	vot_sql_quote_ident(&qdb, database);
	init_ctx ic = { m, "UWS setup", 0 };
	int rc = strbuf_failed(&qdb) ? oom(err) : set_session(m, err);
	if (rc == TR_OK)
		rc = use_uws_database(m, strbuf_str(&qdb), database, err);
	if (rc == TR_OK)
		rc = publish_each_statement(ddl, ddl_len, init_statement, &ic, err);
	if (rc == TR_OK)
		report(rep, ctx, "the async job tables are in place in %s (%zu statements)", strbuf_str(&qdb), ic.n);
	if (rc == TR_OK && grant_to)
		rc = grant_uws(m, strbuf_str(&qdb), grant_to, rep, ctx, err);
	strbuf_free(&qdb);
	return rc;
}

/* ---- TAP_SCHEMA registration ------------------------------------------------------------------ */

/* One column as TAP_SCHEMA.columns describes it (TAP 1.1 §4.3). */
typedef struct pub_col {
	const char *name;        /* the database name (raw) */
	const char *datatype;
	const char *arraysize;   /* NULL for scalars */
	const char *xtype, *description, *utype, *unit, *ucd;
	long size;               /* TAP 1.0 "size", <= 0: NULL */
	bool is_indexed, is_principal;
} pub_col;

typedef struct pub_table {
	const char *schema, *table;
	const char *tap_name;    /* TAP_SCHEMA table_name */
	const char *description, *utype;
	pub_col *cols;
	size_t n;
} pub_table;

/* INSERT or keep the schemas row, write the tables row, replace the columns rows; inside the
 * caller's transaction on m. */
static int register_table(MYSQL *m, arena *a, const pub_table *t, tr_err *err)
{
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sql, "INSERT INTO `" CATALOG_DB_NAME "`.`schemas` (`schema_name`, `description`) VALUES (");
	add_str(&sql, publish_adql_name(a, t->schema));
	strbuf_puts(&sql, ", NULL) ON DUPLICATE KEY UPDATE `schema_name` = `schema_name`");
	int rc = run(m, &sql, "registering the schema in TAP_SCHEMA", err);
	if (rc == TR_OK) {
		strbuf_reset(&sql);
		strbuf_puts(&sql, "INSERT INTO `" CATALOG_DB_NAME "`.`tables` (`schema_name`, `table_name`, `table_type`, "
		                  "`utype`, `description`) VALUES (");
		add_str(&sql, publish_adql_name(a, t->schema));
		strbuf_puts(&sql, ", ");
		add_str(&sql, t->tap_name);
		strbuf_puts(&sql, ", 'table', ");
		add_str(&sql, t->utype);
		strbuf_puts(&sql, ", ");
		add_str(&sql, t->description);
		strbuf_puts(&sql, ") ON DUPLICATE KEY UPDATE `schema_name` = VALUES(`schema_name`), `table_type` = 'table', "
		                  "`utype` = VALUES(`utype`), `description` = VALUES(`description`)");
		rc = run(m, &sql, "registering the table in TAP_SCHEMA", err);
	}
	if (rc == TR_OK) {
		strbuf_reset(&sql);
		strbuf_puts(&sql, "DELETE FROM `" CATALOG_DB_NAME "`.`columns` WHERE `table_name` = ");
		add_str(&sql, t->tap_name);
		rc = run(m, &sql, "replacing the table's columns in TAP_SCHEMA", err);
	}
	for (size_t i = 0; rc == TR_OK && i < t->n; i++) {
		const pub_col *c = &t->cols[i];
		if (strbuf_len(&sql) == 0 || i == 0) {
			strbuf_reset(&sql);
			strbuf_puts(&sql, "INSERT INTO `" CATALOG_DB_NAME "`.`columns` (`table_name`, `column_name`, `datatype`, "
			                  "`arraysize`, `xtype`, `size`, `description`, `utype`, `unit`, `ucd`, `indexed`, "
			                  "`principal`, `std`, `column_index`) VALUES ");
		} else {
			strbuf_puts(&sql, ", ");
		}
		strbuf_putc(&sql, '(');
		add_str(&sql, t->tap_name);
		const char *strs[] = { publish_adql_name(a, c->name), c->datatype, c->arraysize, c->xtype };
		for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) {
			strbuf_puts(&sql, ", ");
			add_str(&sql, strs[k]);
		}
		if (c->size > 0)
			strbuf_printf(&sql, ", %ld", c->size);
		else
			strbuf_puts(&sql, ", NULL");
		const char *more[] = { c->description, c->utype, c->unit, c->ucd };
		for (size_t k = 0; k < sizeof more / sizeof more[0]; k++) {
			strbuf_puts(&sql, ", ");
			add_str(&sql, more[k]);
		}
		strbuf_printf(&sql, ", %d, %d, 0, %zu)", c->is_indexed, c->is_principal, i + 1);
		/* one statement for every PUBLISH_BATCH_BYTES of rows, and one at the end */
		if (strbuf_len(&sql) >= PUBLISH_BATCH_BYTES || i + 1 == t->n) {
			rc = run(m, &sql, "registering the columns in TAP_SCHEMA", err);
			strbuf_reset(&sql);
		}
	}
	strbuf_free(&sql);
	return rc;
}

/* ---- taproom-admin check --------------------------------------------------------------------- */

typedef struct db_column_info {
	const char *name, *data_type, *column_type, *comment;
	bool is_indexed;
} db_column_info;

typedef struct db_columns {
	arena *a;
	db_column_info *cols;
	size_t n, cap;
} db_columns;

static int collect_column(void *ctx, char **row, unsigned long *lens, tr_err *err)
{
	db_columns *d = ctx;
	if (grow(d->a, (void **)&d->cols, &d->cap, d->n, sizeof *d->cols) < 0)
		return oom(err);
	db_column_info *c = &d->cols[d->n++];
	c->name = arena_strndup(d->a, row[0], lens[0]);
	c->data_type = arena_strndup(d->a, row[1], lens[1]);
	c->column_type = arena_strndup(d->a, row[2], lens[2]);
	c->comment = row[3] && lens[3] ? arena_strndup(d->a, row[3], lens[3]) : NULL;
	c->is_indexed = false;
	if (c->name == NULL || c->data_type == NULL || c->column_type == NULL || (row[3] && lens[3] && c->comment == NULL))
		return oom(err);
	return TR_OK;
}

static const db_column_info *find_db_column(const db_columns *d, const char *name);

/* An index starts with this column: TAP_SCHEMA's "indexed" (TAP 1.1 §4.3). */
static int mark_indexed(void *ctx, char **row, unsigned long *lens, tr_err *err)
{
	(void)lens, (void)err;
	db_column_info *c = (db_column_info *)find_db_column(ctx, row[0]);
	if (c)
		c->is_indexed = true;
	return TR_OK;
}

/* The columns of schema.table in order, with whether an index starts with them.  Two plain queries:
 * a correlated subquery joining information_schema.STATISTICS to COLUMNS crashed MariaDB 10.11. */
static int table_columns(arena *a, MYSQL *m, const char *schema, const char *table, db_columns *out, tr_err *err)
{
	memset(out, 0, sizeof *out);
	out->a = a;
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX), where = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&where, " WHERE TABLE_SCHEMA = ");
	add_str(&where, schema);
	strbuf_puts(&where, " AND TABLE_NAME = ");
	add_str(&where, table);
	strbuf_puts(&sql, "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, COLUMN_COMMENT FROM information_schema.COLUMNS");
	strbuf_add(&sql, strbuf_str(&where), strbuf_len(&where));
	strbuf_puts(&sql, " ORDER BY ORDINAL_POSITION");
	int rc = strbuf_failed(&where) ? oom(err) : query_each(m, &sql, "reading information_schema", collect_column, out, err);
	if (rc == TR_OK && out->n > 0) {
		strbuf_reset(&sql);
		strbuf_puts(&sql, "SELECT DISTINCT COLUMN_NAME FROM information_schema.STATISTICS");
		strbuf_add(&sql, strbuf_str(&where), strbuf_len(&where));
		strbuf_puts(&sql, " AND SEQ_IN_INDEX = 1");
		rc = query_each(m, &sql, "reading information_schema", mark_indexed, out, err);
	}
	strbuf_free(&sql);
	strbuf_free(&where);
	return rc;
}

static const db_column_info *find_db_column(const db_columns *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcasecmp(d->cols[i].name, name) == 0) /* MariaDB column names ignore case */
			return &d->cols[i];
	return NULL;
}

typedef struct checker {
	arena *a;
	MYSQL *m;
	publish_report_fn *report;
	void *ctx;
	size_t problems;
} checker;

__attribute__((format(printf, 2, 3))) static void problem(checker *ck, const char *fmt, ...)
{
	char line[TR_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	ck->problems++;
	if (ck->report)
		ck->report(ck->ctx, line);
}

static int check_table(checker *ck, const catalog_table *t, tr_err *err)
{
	db_columns d;
	int rc = table_columns(ck->a, ck->m, t->db_schema, t->db_table, &d, err);
	if (rc < 0)
		return rc;
	if (d.n == 0) {
		problem(ck, "table %s: %s.%s does not exist in the database", t->name, t->db_schema, t->db_table);
		return TR_OK;
	}
	for (size_t i = 0; i < t->n_columns; i++) {
		const catalog_column *c = t->columns[i];
		const db_column_info *dc = find_db_column(&d, c->db_name);
		char why[VOT_WHY_MAX];
		if (dc == NULL)
			problem(ck, "column %s.%s: %s.%s has no column %s", t->name, c->name, t->db_schema, t->db_table, c->db_name);
		else if (!vot_sql_compatible(c->datatype, c->arraysize, dc->data_type, dc->column_type, why))
			problem(ck, "column %s.%s: %s", t->name, c->name, why);
	}
	return TR_OK;
}

static void free_catalog(void *p) { catalog_free(p); }

int publish_check(MYSQL *m, publish_report_fn *rep, void *ctx, size_t *out_problems, tr_err *err)
{
	*out_problems = 0;
	arena *a = arena_create(0, 0);
	if (a == NULL)
		return oom(err);
	checker ck = { .a = a, .m = m, .report = rep, .ctx = ctx };
	int rc = TR_OK;
	tr_err cerr = TR_ERR_INIT;
	catalog *cat = catalog_load_db(m, &cerr);
	if (cat == NULL) {
		if (cerr.code != TR_EDB) {
			*err = cerr;
			rc = cerr.code;
		} else {
			problem(&ck, "TAP_SCHEMA: %s", cerr.msg);
		}
	} else if (arena_on_destroy(a, free_catalog, cat) < 0) {
		rc = oom(err);
	}
	size_t n_tables = 0;
	for (size_t s = 0; rc == TR_OK && cat && s < catalog_n_schemas(cat); s++) {
		const catalog_schema *sc = catalog_schema_at(cat, s);
		for (size_t t = 0; rc == TR_OK && t < sc->n_tables; t++, n_tables++)
			rc = check_table(&ck, sc->tables[t], err);
	}
	if (rc == TR_OK)
		report(rep, ctx, "checked %zu tables: %zu problem%s", n_tables, ck.problems, ck.problems == 1 ? "" : "s");
	*out_problems = ck.problems;
	arena_destroy(a);
	return rc;
}

/* ---- reading an input file ------------------------------------------------------------------ */

/* The reader of either format behind one pair of calls. */
typedef struct input {
	publish_format format;
	vot_reader *vot;
	vot_csv_reader *csv;
} input;

static int input_feed(input *in, const char *buf, size_t n, tr_err *err)
{
	return in->format == PUBLISH_CSV ? vot_csv_reader_feed(in->csv, buf, n, err) : vot_reader_feed(in->vot, buf, n, err);
}

static int input_finish(input *in, tr_err *err)
{
	return in->format == PUBLISH_CSV ? vot_csv_reader_finish(in->csv, err) : vot_reader_finish(in->vot, err);
}

static void close_file(void *p) { fclose(p); }

/* Reads path ("-": stdin) through a reader of format with handlers h: CSV typed by fields (NULL:
 * text mode).  The file is closed by the arena. */
static int read_input(arena *a, const publish_import_opts *o, const char *label, const vot_field *fields,
                      size_t n_fields, const vot_handlers *h, void *ctx, tr_err *err)
{
	FILE *f = strcmp(o->path, "-") == 0 ? stdin : fopen(o->path, "rb");
	if (f == NULL)
		return tr_err_set(err, TR_EIO, -1, 0, "cannot open %s: %s", o->path, strerror(errno));
	if (f != stdin && arena_on_destroy(a, close_file, f) < 0)
		return oom(err);
	input in = { .format = o->format };
	if (o->format == PUBLISH_CSV) {
		vot_csv_options co = { .name = label, .delimiter = o->delimiter, .fields = fields, .n_fields = n_fields };
		in.csv = vot_csv_reader_new(a, &co, h, ctx, err);
	} else {
		vot_options vo = { .name = label };
		in.vot = vot_reader_new(a, &vo, h, ctx, err);
	}
	char *buf = arena_alloc(a, PUBLISH_READ_CHUNK);
	if ((in.csv == NULL && in.vot == NULL) || buf == NULL)
		return tr_err_isset(err) ? err->code : oom(err);
	for (;;) {
		size_t got = fread(buf, 1, PUBLISH_READ_CHUNK, f);
		if (got > 0 && input_feed(&in, buf, got, err) < 0)
			return err->code;
		if (got < PUBLISH_READ_CHUNK) {
			if (ferror(f))
				return tr_err_set(err, TR_EIO, -1, 0, "%s: read error: %s", label, strerror(errno));
			return input_finish(&in, err);
		}
	}
}

static int describe_columns(arena *a, MYSQL *m, const publish_import_opts *o, const vot_table *meta,
                            const char *meta_label, pub_table *t, tr_err *err);

/* ---- import ---------------------------------------------------------------------------------- */

typedef struct importer {
	arena *a;
	MYSQL *m, *tm;
	const publish_import_opts *o;
	const char *label;
	const char *stage, *old;     /* staging and displaced table names */
	bool has_stage, is_db_created, target_exists, tm_open, is_registered;
	const vot_table *vtable;     /* the file's table */
	const vot_field *fields;     /* its columns */
	size_t n;
	vot_sql_column *cols;
	size_t key;                  /* key column, SIZE_MAX: none */
	size_t pos[2], n_pos;        /* position columns to index */
	const char *tdesc, *tutype;  /* from the TABLE */
	strbuf batch;                /* the INSERT being built */
	size_t batch_max;
	uint64_t batch_first, rows;  /* first file row in the batch, rows loaded */
	vot_csv_guess *guess;        /* CSV first pass */
	const vot_table *text_table; /* CSV first pass */
	publish_stats *stats;
} importer;

static const char *stage_name(arena *a, const char *prefix, const char *table)
{
	/* FNV-1a of the full name keeps truncated names of long tables apart. */
	uint32_t h = 2166136261u;
	for (const char *p = table; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return arena_printf(a, "%s%.*s_%08x", prefix, PUBLISH_STAGE_NAME_KEEP, table, (unsigned)h);
}

/* The file's column names, quoted, separated by commas. */
static void add_columns(strbuf *sb, const importer *im)
{
	for (size_t i = 0; i < im->n; i++) {
		if (i)
			strbuf_puts(sb, ", ");
		vot_sql_quote_ident(sb, im->fields[i].name);
	}
}

static void add_batch_head(importer *im)
{
	strbuf *sb = &im->batch;
	strbuf_puts(sb, "INSERT INTO ");
	add_qualified(sb, im->o->schema, im->stage);
	strbuf_puts(sb, " (");
	add_columns(sb, im);
	strbuf_puts(sb, ") VALUES ");
}

/* Sends the batch.  A statement error names the rows it held; the server's "at row N" is turned
 * into the file's row. */
static int flush(importer *im, tr_err *err)
{
	if (strbuf_len(&im->batch) == 0)
		return TR_OK;
	uint64_t last = im->rows;
	if (strbuf_failed(&im->batch))
		return oom(err);
	if (mysql_real_query(im->m, strbuf_str(&im->batch), strbuf_len(&im->batch)) != 0) {
		const char *msg = mysql_error(im->m);
		const char *at = strstr(msg, " at row ");
		unsigned long n = at ? strtoul(at + 8, NULL, 10) : 0;
		tr_err e = TR_ERR_INIT;
		db_error(im->m, mysql_errno(im->m), msg, &e);
		if (db_error_is_data(mysql_errno(im->m)))
			e.code = TR_EBADREQ; /* the rows, not the database, are at fault */
		if (n > 0 && im->batch_first + n - 1 <= last)
			return tr_err_set(err, e.code, -1, 0, "%s: row %llu: the database refused it: %s", im->label,
			                  (unsigned long long)(im->batch_first + n - 1), e.msg);
		return tr_err_set(err, e.code, -1, 0, "%s: rows %llu-%llu: the database refused them: %s", im->label,
		                  (unsigned long long)im->batch_first, (unsigned long long)last, e.msg);
	}
	strbuf_reset(&im->batch);
	return TR_OK;
}

/* Column comments from FIELD descriptions, cut at a character boundary to what MariaDB keeps. */
static void add_comment(strbuf *sb, const char *text)
{
	size_t n = strlen(text), chars = 0, i = 0;
	while (i < n && chars < PUBLISH_COMMENT_MAX) {
		unsigned char c = (unsigned char)text[i];
		i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		chars++;
	}
	strbuf_puts(sb, " COMMENT ");
	vot_sql_add_string(sb, text, i < n ? i : n);
}

typedef struct name_list {
	strbuf names; /* "\nname\n" entries, lower case */
} name_list;

static int collect_name(void *ctx, char **row, unsigned long *lens, tr_err *err)
{
	name_list *nl = ctx;
	strbuf_putc(&nl->names, '\n');
	for (unsigned long i = 0; i < lens[0]; i++)
		strbuf_putc(&nl->names, (char)(row[0][i] >= 'A' && row[0][i] <= 'Z' ? row[0][i] - 'A' + 'a' : row[0][i]));
	strbuf_putc(&nl->names, '\n');
	return strbuf_failed(&nl->names) ? oom(err) : TR_OK;
}

static bool name_listed(arena *a, const name_list *nl, const char *name)
{
	char *key = arena_printf(a, "\n%s\n", name);
	if (key == NULL)
		return false;
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return strstr(strbuf_str(&nl->names), key) != NULL;
}

/* --append: the staging table copies the target's definition; every FIELD must be one of its columns. */
static int create_stage_like(importer *im, tr_err *err)
{
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	name_list nl = { STRBUF_INIT(0) };
	strbuf_puts(&sql, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ");
	add_str(&sql, im->o->schema);
	strbuf_puts(&sql, " AND TABLE_NAME = ");
	add_str(&sql, im->o->table);
	int rc = query_each(im->m, &sql, "reading the target's columns", collect_name, &nl, err);
	for (size_t i = 0; rc == TR_OK && i < im->n; i++)
		if (!name_listed(im->a, &nl, im->fields[i].name))
			rc = tr_err_set(err, TR_EBADREQ, -1, 0, "%s: column %zu (%s) is not a column of %s.%s", im->label, i + 1,
			                im->fields[i].name, im->o->schema, im->o->table);
	if (rc == TR_OK) {
		strbuf_reset(&sql);
		strbuf_puts(&sql, "CREATE TABLE ");
		add_qualified(&sql, im->o->schema, im->stage);
		strbuf_puts(&sql, " LIKE ");
		add_qualified(&sql, im->o->schema, im->o->table);
		rc = run(im->m, &sql, "creating the staging table", err);
		im->has_stage = rc == TR_OK;
	}
	strbuf_free(&sql);
	strbuf_free(&nl.names);
	return rc;
}

static int create_stage(importer *im, tr_err *err)
{
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sql, "CREATE TABLE ");
	add_qualified(&sql, im->o->schema, im->stage);
	strbuf_puts(&sql, " (");
	for (size_t i = 0; i < im->n; i++) {
		const vot_field *f = &im->fields[i];
		strbuf_puts(&sql, i ? ",\n  " : "\n  ");
		vot_sql_quote_ident(&sql, f->name);
		strbuf_printf(&sql, " %s%s", im->cols[i].type, i == im->key ? " NOT NULL" : " NULL");
		if (f->description)
			add_comment(&sql, f->description);
	}
	if (im->key != SIZE_MAX) {
		strbuf_puts(&sql, ",\n  PRIMARY KEY (");
		vot_sql_quote_ident(&sql, im->fields[im->key].name);
		strbuf_putc(&sql, ')');
	}
	strbuf_puts(&sql, "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
	int rc = run(im->m, &sql, "creating the staging table", err);
	im->has_stage = rc == TR_OK;
	strbuf_free(&sql);
	return rc;
}

/* The FIELDs are known: check the names, choose types, key and indexes, create the staging table. */
static int on_table(void *ctx, const vot_table *t, tr_err *err)
{
	importer *im = ctx;
	im->vtable = t;
	im->fields = t->fields;
	im->n = t->n_fields;
	im->tdesc = t->description;
	im->tutype = t->utype;
	char why[VOT_WHY_MAX];
	for (size_t i = 0; i < im->n; i++) {
		if (!vot_sql_ident_check(im->fields[i].name, why))
			return tr_err_set(err, TR_EBADREQ, -1, 0, "%s: column %zu: %s (column names must be letters, digits and "
			                  "'_', starting with a letter)", im->label, i + 1, why);
		for (size_t k = 0; k < i; k++)
			if (strcasecmp(im->fields[k].name, im->fields[i].name) == 0)
				return tr_err_set(err, TR_EBADREQ, -1, 0, "%s: columns %zu and %zu are both named \"%s\" (names ignore "
				                  "case)", im->label, k + 1, i + 1, im->fields[i].name);
	}
	im->key = SIZE_MAX;
	im->n_pos = 0;
	if (im->o->mode != PUBLISH_APPEND) {
		if (publish_find_key(im->fields, im->n, im->o->primary_key, &im->key, err) < 0)
			return err->code;
		if (!im->o->is_no_index)
			im->n_pos = publish_position_columns(im->fields, im->n, im->pos);
	}
	im->cols = arena_calloc(im->a, im->n, sizeof *im->cols);
	if (im->cols == NULL)
		return oom(err);
	for (size_t i = 0; i < im->n; i++)
		if (vot_sql_column_for(&im->fields[i], i == im->key, &im->cols[i], err) < 0)
			return err->code;
	if (im->stats) {
		im->stats->n_columns = im->n;
		im->stats->primary_key = im->key != SIZE_MAX ? im->fields[im->key].name : NULL;
	}
	return im->o->mode == PUBLISH_APPEND ? create_stage_like(im, err) : create_stage(im, err);
}

static int on_row(void *ctx, uint64_t row, const vot_cell *cells, tr_err *err)
{
	importer *im = ctx;
	strbuf *sb = &im->batch;
	if (strbuf_len(sb) == 0) {
		add_batch_head(im);
		im->batch_first = row;
	} else {
		strbuf_puts(sb, ",\n");
	}
	strbuf_putc(sb, '(');
	char why[VOT_WHY_MAX];
	for (size_t i = 0; i < im->n; i++) {
		if (i)
			strbuf_putc(sb, ',');
		if (i == im->key && cells[i].is_null)
			return tr_err_set(err, TR_EBADREQ, -1, 0, "%s: row %llu, column %zu (%s): the primary key is NULL", im->label,
			                  (unsigned long long)row, i + 1, im->fields[i].name);
		int rc = vot_sql_add_value(sb, &im->fields[i], &im->cols[i], &cells[i], why);
		if (rc < 0)
			return tr_err_set(err, rc, -1, 0, "%s: row %llu, column %zu (%s): %s", im->label, (unsigned long long)row,
			                  i + 1, im->fields[i].name, why);
	}
	strbuf_putc(sb, ')');
	im->rows = row;
	if (strbuf_len(sb) >= im->batch_max)
		return flush(im, err);
	return TR_OK;
}

static int on_end(void *ctx, uint64_t n_rows, tr_err *err)
{
	importer *im = ctx;
	im->rows = n_rows;
	/* each batch commits on its own: a load of any size keeps InnoDB's undo log small */
	return flush(im, err);
}

/* CSV first pass: look at the text of every row. */
static int guess_table(void *ctx, const vot_table *t, tr_err *err)
{
	importer *im = ctx;
	im->text_table = t;
	im->guess = vot_csv_guess_new(im->a, t->n_fields, err);
	return im->guess ? TR_OK : err->code;
}

static int guess_row(void *ctx, uint64_t row, const vot_cell *cells, tr_err *err)
{
	(void)row, (void)err;
	vot_csv_guess_row(((importer *)ctx)->guess, cells);
	return TR_OK;
}

/* Reads the file into the staging table (CSV: infer the types first). */
static int load(importer *im, tr_err *err)
{
	static const vot_handlers loader = { on_table, on_row, on_end };
	if (im->o->format != PUBLISH_CSV)
		return read_input(im->a, im->o, im->label, NULL, 0, &loader, im, err);
	if (strcmp(im->o->path, "-") == 0)
		return tr_err_set(err, TR_EBADREQ, -1, 0, "a CSV file is read twice (types, then rows): give a file, not -");
	static const vot_handlers guesser = { guess_table, guess_row, NULL };
	if (read_input(im->a, im->o, im->label, NULL, 0, &guesser, im, err) < 0)
		return err->code;
	vot_field *fields = vot_csv_guess_fields(im->guess, im->a, im->text_table, err);
	if (fields == NULL)
		return err->code;
	if (im->o->types && vot_csv_apply_types(fields, im->text_table->n_fields, im->o->types, im->a, err) < 0)
		return err->code;
	for (size_t i = 0; i < im->text_table->n_fields; i++)
		report(im->o->report, im->o->ctx, "column %s: %s%s%s", fields[i].name, vot_datatype_name(fields[i].datatype),
		       fields[i].arraysize ? " arraysize " : "", fields[i].arraysize ? fields[i].arraysize : "");
	return read_input(im->a, im->o, im->label, fields, im->text_table->n_fields, &loader, im, err);
}

static int add_indexes(importer *im, tr_err *err)
{
	if (im->n_pos == 0)
		return TR_OK;
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sql, "ALTER TABLE ");
	add_qualified(&sql, im->o->schema, im->stage);
	for (size_t k = 0; k < im->n_pos; k++) {
		const char *col = im->fields[im->pos[k]].name;
		strbuf_puts(&sql, k ? ", ADD INDEX " : " ADD INDEX ");
		char *ix = arena_printf(im->a, "%.60s_ix", col);
		if (ix == NULL) {
			strbuf_free(&sql);
			return oom(err);
		}
		vot_sql_quote_ident(&sql, ix);
		strbuf_puts(&sql, " (");
		vot_sql_quote_ident(&sql, col);
		strbuf_putc(&sql, ')');
	}
	int rc = run(im->m, &sql, "creating the position indexes", err);
	strbuf_free(&sql);
	if (rc == TR_OK && im->stats)
		im->stats->n_indexes = im->n_pos;
	return rc;
}

static bool in_list(const char *list, const char *name)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == strlen(name) && strncasecmp(p, name, len) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* The file's columns as TAP_SCHEMA rows. */
static int file_columns(importer *im, pub_col **out, tr_err *err)
{
	pub_col *cols = arena_calloc(im->a, im->n, sizeof *cols);
	if (cols == NULL)
		return oom(err);
	for (size_t i = 0; i < im->n; i++) {
		const vot_field *f = &im->fields[i];
		pub_col *c = &cols[i];
		c->name = f->name;
		c->datatype = vot_datatype_name(f->datatype);
		c->arraysize = f->arraysize;
		c->xtype = f->xtype;
		c->description = f->description;
		c->utype = f->utype;
		c->unit = f->unit;
		c->ucd = f->ucd;
		c->size = (long)vot_shape_size(&f->shape);
		c->is_indexed = i == im->key || (im->n_pos > 0 && im->pos[0] == i) || (im->n_pos > 1 && im->pos[1] == i);
		c->is_principal = im->o->principal == NULL || in_list(im->o->principal, f->name);
	}
	*out = cols;
	return TR_OK;
}

typedef struct key_use {
	importer *im;
	const char *missing; /* a key column the new table lacks */
	const char *key_id;
} key_use;

static int check_key_column(void *ctx, char **row, unsigned long *lens, tr_err *err)
{
	(void)lens, (void)err;
	key_use *ku = ctx;
	const char *col = row[1];
	size_t len = strlen(col);
	if (len >= 2 && col[0] == '"') /* a delimited name: compare its content */
		col = arena_strndup(ku->im->a, col + 1, len - 2);
	if (col == NULL)
		return oom(err);
	for (size_t i = 0; i < ku->im->n; i++)
		if (strcasecmp(ku->im->fields[i].name, col) == 0)
			return TR_OK;
	if (ku->missing == NULL) {
		ku->missing = arena_strdup(ku->im->a, row[1]);
		ku->key_id = arena_strdup(ku->im->a, row[0]);
	}
	return TR_OK;
}

/* --replace must not leave a TAP_SCHEMA foreign key pointing at a column that is gone (the service
 * would refuse to load TAP_SCHEMA, TAP 1.1 §4.5). */
static int check_keys(importer *im, const char *tap_name, tr_err *err)
{
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sql, "SELECT k.key_id, kc.from_column FROM `" CATALOG_DB_NAME "`.`keys` k JOIN `" CATALOG_DB_NAME
	                  "`.`key_columns` kc ON kc.key_id = k.key_id WHERE k.from_table = ");
	add_str(&sql, tap_name);
	strbuf_puts(&sql, " UNION ALL SELECT k.key_id, kc.target_column FROM `" CATALOG_DB_NAME "`.`keys` k JOIN `"
	                  CATALOG_DB_NAME "`.`key_columns` kc ON kc.key_id = k.key_id WHERE k.target_table = ");
	add_str(&sql, tap_name);
	key_use ku = { im, NULL, NULL };
	int rc = query_each(im->tm, &sql, "reading TAP_SCHEMA keys", check_key_column, &ku, err);
	strbuf_free(&sql);
	if (rc == TR_OK && ku.missing)
		rc = tr_err_set(err, TR_ECONFLICT, -1, 0, "TAP_SCHEMA key \"%s\" uses column %s of %s, which the new table does "
		                "not have: remove the key first", ku.key_id, ku.missing, tap_name);
	return rc;
}

typedef struct exists_ctx {
	bool found;
} exists_ctx;

static int note_row(void *ctx, char **row, unsigned long *lens, tr_err *err)
{
	(void)row, (void)lens, (void)err;
	((exists_ctx *)ctx)->found = true;
	return TR_OK;
}

/* Whether `sql` returns a row. */
static int exists(MYSQL *m, const strbuf *sql, bool *out, tr_err *err)
{
	exists_ctx e = { false };
	int rc = query_each(m, sql, "reading information_schema", note_row, &e, err);
	*out = e.found;
	return rc;
}

static int table_exists(MYSQL *m, const char *schema, const char *table, bool *out, tr_err *err)
{
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sql, "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ");
	add_str(&sql, schema);
	strbuf_puts(&sql, " AND TABLE_NAME = ");
	add_str(&sql, table);
	int rc = exists(m, &sql, out, err);
	strbuf_free(&sql);
	return rc;
}

/* TAP_SCHEMA rows in one transaction on tm, left open for the swap. */
static int write_tap_schema(importer *im, tr_err *err)
{
	const char *tap_name = publish_table_name(im->a, im->o->schema, im->o->table);
	if (tap_name == NULL)
		return oom(err);
	if (set_session(im->tm, err) < 0 || run_text(im->tm, "START TRANSACTION", "starting the TAP_SCHEMA transaction", err) < 0)
		return err->code;
	im->tm_open = true;
	if (im->o->mode == PUBLISH_APPEND) {
		/* the table keeps its registration; one that has none gets it from the file */
		strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
		strbuf_puts(&sql, "SELECT 1 FROM `" CATALOG_DB_NAME "`.`tables` WHERE `table_name` = ");
		add_str(&sql, tap_name);
		int rc = exists(im->tm, &sql, &im->is_registered, err);
		strbuf_free(&sql);
		if (rc < 0 || im->is_registered)
			return rc;
	} else if (im->target_exists && check_keys(im, tap_name, err) < 0) {
		return err->code;
	}
	pub_table t = { im->o->schema, im->o->table, tap_name, im->o->description ? im->o->description : im->tdesc,
		        im->tutype, NULL, im->n };
	/* --append to a table nobody published: describe all its columns, with the file's metadata */
	if (im->o->mode == PUBLISH_APPEND)
		return describe_columns(im->a, im->m, im->o, im->vtable, im->label, &t, err) < 0 ? err->code
		                                                                                : register_table(im->tm, im->a, &t, err);
	if (file_columns(im, &t.cols, err) < 0)
		return err->code;
	return register_table(im->tm, im->a, &t, err);
}

/* The moment users see the change: swap (or append) on m while tm's transaction is open, then commit
 * tm; a failed commit undoes the swap. */
static int swap_and_commit(importer *im, tr_err *err)
{
	const char *s = im->o->schema;
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX), undo = STRBUF_INIT(PUBLISH_SQL_MAX);
	int rc;
	if (im->o->mode == PUBLISH_APPEND) {
		rc = run_text(im->m, "START TRANSACTION", "starting the append", err);
		strbuf_puts(&sql, "INSERT INTO ");
		add_qualified(&sql, s, im->o->table);
		strbuf_puts(&sql, " (");
		add_columns(&sql, im);
		strbuf_puts(&sql, ") SELECT ");
		add_columns(&sql, im);
		strbuf_puts(&sql, " FROM ");
		add_qualified(&sql, s, im->stage);
		if (rc == TR_OK)
			rc = run(im->m, &sql, "appending the rows", err);
		strbuf_puts(&undo, "ROLLBACK");
	} else {
		strbuf_puts(&sql, "RENAME TABLE ");
		strbuf_puts(&undo, "RENAME TABLE ");
		if (im->target_exists) {
			add_qualified(&sql, s, im->o->table);
			strbuf_puts(&sql, " TO ");
			add_qualified(&sql, s, im->old);
			strbuf_puts(&sql, ", ");
		}
		add_qualified(&sql, s, im->stage);
		strbuf_puts(&sql, " TO ");
		add_qualified(&sql, s, im->o->table);
		add_qualified(&undo, s, im->o->table);
		strbuf_puts(&undo, " TO ");
		add_qualified(&undo, s, im->stage);
		if (im->target_exists) {
			strbuf_puts(&undo, ", ");
			add_qualified(&undo, s, im->old);
			strbuf_puts(&undo, " TO ");
			add_qualified(&undo, s, im->o->table);
		}
		rc = run(im->m, &sql, "swapping the new table in", err);
	}
	if (rc == TR_OK) {
		if (mysql_real_query(im->tm, "COMMIT", 6) != 0) {
			rc = db_fail(im->tm, "committing TAP_SCHEMA", err);
			tr_err ignored = TR_ERR_INIT;
			(void)run(im->m, &undo, "undoing the swap", &ignored);
		} else {
			im->tm_open = false;
			if (im->o->mode == PUBLISH_APPEND)
				rc = run_text(im->m, "COMMIT", "committing the append", err);
		}
	} else if (im->o->mode == PUBLISH_APPEND) {
		tr_err ignored = TR_ERR_INIT;
		(void)run_text(im->m, "ROLLBACK", "rolling back the append", &ignored);
	}
	strbuf_free(&sql);
	strbuf_free(&undo);
	return rc;
}

static int drop_table(MYSQL *m, const char *schema, const char *table, tr_err *err)
{
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sql, "DROP TABLE IF EXISTS ");
	add_qualified(&sql, schema, table);
	int rc = run(m, &sql, "dropping a staging table", err);
	strbuf_free(&sql);
	return rc;
}

/* After a failure: everything this import created goes, TAP_SCHEMA rolls back. */
static void clean_up(importer *im)
{
	tr_err ignored = TR_ERR_INIT;
	if (im->tm_open)
		(void)run_text(im->tm, "ROLLBACK", "rolling back TAP_SCHEMA", &ignored);
	if (im->has_stage)
		(void)drop_table(im->m, im->o->schema, im->stage, &ignored);
	if (im->is_db_created) {
		strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
		bool any = true;
		strbuf_puts(&sql, "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ");
		add_str(&sql, im->o->schema);
		if (exists(im->m, &sql, &any, &ignored) == TR_OK && !any) {
			strbuf_reset(&sql);
			strbuf_puts(&sql, "DROP DATABASE ");
			vot_sql_quote_ident(&sql, im->o->schema);
			(void)run(im->m, &sql, "dropping the new database", &ignored);
		}
		strbuf_free(&sql);
	}
}

/* Schemas that hold the server's or the service's own tables: never import into them. */
static bool is_system_schema(const char *s)
{
	static const char *const sys[] = { CATALOG_DB_NAME, "mysql", "information_schema", "performance_schema", "sys" };
	for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
		if (strcasecmp(s, sys[i]) == 0)
			return true;
	return false;
}

static int check_names(const publish_import_opts *o, tr_err *err)
{
	char why[VOT_WHY_MAX];
	if (!vot_sql_ident_check(o->schema, why))
		return tr_err_set(err, TR_EBADREQ, -1, 0, "schema name: %s", why);
	if (!vot_sql_ident_check(o->table, why))
		return tr_err_set(err, TR_EBADREQ, -1, 0, "table name: %s", why);
	if (is_system_schema(o->schema))
		return tr_err_set(err, TR_EBADREQ, -1, 0, "schema %s belongs to the database or to TAP_SCHEMA: choose another",
		                  o->schema);
	return TR_OK;
}

/* One import of schema.table at a time, server-wide: an advisory lock (names are at most 64
 * characters, so the full name goes in as a hash). */
static int lock_table(importer *im, bool is_lock, tr_err *err)
{
	const char *full = arena_printf(im->a, "%s.%s", im->o->schema, im->o->table);
	const char *name = full ? stage_name(im->a, "taproom-import:", full) : NULL;
	if (name == NULL)
		return oom(err);
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sql, is_lock ? "SELECT GET_LOCK(" : "SELECT RELEASE_LOCK(");
	add_str(&sql, name);
	if (is_lock)
		strbuf_printf(&sql, ", %d", PUBLISH_LOCK_WAIT);
	strbuf_putc(&sql, ')');
	bool got = false;
	int rc = TR_OK;
	if (strbuf_failed(&sql)) {
		rc = oom(err);
	} else if (mysql_real_query(im->m, strbuf_str(&sql), strbuf_len(&sql)) != 0) {
		rc = db_fail(im->m, "taking the import lock", err);
	} else {
		MYSQL_RES *res = mysql_store_result(im->m);
		MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
		got = row && row[0] && strcmp(row[0], "1") == 0;
		if (res)
			mysql_free_result(res);
	}
	strbuf_free(&sql);
	if (rc == TR_OK && is_lock && !got)
		rc = tr_err_set(err, TR_ECONFLICT, -1, 0, "another import of %s.%s is running", im->o->schema, im->o->table);
	return rc;
}

/* Before loading: the target's state, leftovers of a crashed import, the database. */
static int prepare(importer *im, tr_err *err)
{
	const publish_import_opts *o = im->o;
	if (table_exists(im->m, o->schema, o->table, &im->target_exists, err) < 0)
		return err->code;
	if (im->target_exists && o->mode == PUBLISH_CREATE)
		return tr_err_set(err, TR_ECONFLICT, -1, 0, "table %s.%s exists: use --replace to replace it or --append to add "
		                  "rows", o->schema, o->table);
	if (!im->target_exists && o->mode == PUBLISH_APPEND)
		return tr_err_set(err, TR_ECONFLICT, -1, 0, "--append: table %s.%s does not exist", o->schema, o->table);
	/* We hold the lock: staging tables present now are left by an import that died. */
	if (drop_table(im->m, o->schema, im->stage, err) < 0 || drop_table(im->m, o->schema, im->old, err) < 0)
		return err->code;
	bool has_db = false;
	strbuf sql = STRBUF_INIT(PUBLISH_SQL_MAX);
	strbuf_puts(&sql, "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ");
	add_str(&sql, o->schema);
	int rc = exists(im->m, &sql, &has_db, err);
	if (rc == TR_OK && !has_db) {
		strbuf_reset(&sql);
		strbuf_puts(&sql, "CREATE DATABASE ");
		vot_sql_quote_ident(&sql, o->schema);
		strbuf_puts(&sql, " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
		rc = run(im->m, &sql, "creating the database", err);
		im->is_db_created = rc == TR_OK;
	}
	strbuf_free(&sql);
	return rc;
}

static void free_batch(void *p) { strbuf_free(p); }

/* The largest INSERT the server takes (max_allowed_packet), halved for safety, capped. */
static size_t batch_limit(MYSQL *m, size_t want)
{
	size_t lim = want ? want : PUBLISH_BATCH_BYTES;
	if (mysql_real_query(m, "SELECT @@max_allowed_packet", 27) == 0) {
		MYSQL_RES *res = mysql_store_result(m);
		MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
		unsigned long long packet = row && row[0] ? strtoull(row[0], NULL, 10) : 0;
		if (packet > 0 && packet / 2 < lim)
			lim = (size_t)(packet / 2);
		if (res)
			mysql_free_result(res);
	}
	return lim;
}

int publish_import(arena *a, MYSQL *m, MYSQL *tm, const publish_import_opts *o, publish_stats *out, tr_err *err)
{
	memset(out, 0, sizeof *out);
	if (check_names(o, err) < 0)
		return err->code;
	/* in the arena: the readers' callbacks and the batch's cleanup point at it until the arena goes */
	importer *im = arena_zalloc(a, sizeof *im);
	if (im == NULL)
		return oom(err);
	*im = (importer){ .a = a, .m = m, .tm = tm, .o = o, .label = o->label ? o->label : o->path, .stats = out };
	im->stage = stage_name(a, "_tr_new_", o->table);
	im->old = stage_name(a, "_tr_old_", o->table);
	im->batch_max = batch_limit(m, o->batch_bytes);
	/* the batch may pass batch_max by one row */
	strbuf_init(&im->batch, im->batch_max + VOT_MAX_ROW_BYTES * 4);
	if (im->stage == NULL || im->old == NULL || arena_on_destroy(a, free_batch, &im->batch) < 0)
		return oom(err);
	if (set_session(m, err) < 0 || lock_table(im, true, err) < 0)
		return err->code;
	int rc = prepare(im, err);
	if (rc == TR_OK)
		rc = load(im, err);
	if (rc == TR_OK)
		report(o->report, o->ctx, "loaded %llu rows into the staging table", (unsigned long long)im->rows);
	if (rc == TR_OK)
		rc = add_indexes(im, err);
	if (rc == TR_OK)
		rc = write_tap_schema(im, err);
	if (rc == TR_OK)
		rc = swap_and_commit(im, err);
	if (rc < 0) {
		clean_up(im);
	} else {
		tr_err warn = TR_ERR_INIT;
		/* the displaced table or the appended rows' staging copy; a failure leaves a harmless table */
		if (drop_table(m, o->schema, o->mode == PUBLISH_APPEND ? im->stage : im->old, &warn) < 0)
			report(o->report, o->ctx, "warning: %s", warn.msg);
		tr_err gerr = TR_ERR_INIT;
		if ((rc = grant_table(a, m, o, &gerr)) < 0)
			tr_err_set(err, rc, -1, 0, "%s.%s is published, but the query account cannot read it yet: %s", o->schema,
			           o->table, gerr.msg);
	}
	out->rows = im->rows;
	tr_err ignored = TR_ERR_INIT;
	(void)lock_table(im, false, &ignored);
	return rc;
}

/* ---- --describe ----------------------------------------------------------------------------- */

/* The columns of the existing table o->schema.o->table for TAP_SCHEMA: types from information_schema
 * (the file's type instead when the column can serve it), comments as descriptions, indexed flags
 * from its indexes, and unit, UCD, utype, xtype, description from meta's FIELDs (may be NULL). */
static int describe_columns(arena *a, MYSQL *m, const publish_import_opts *o, const vot_table *meta,
                            const char *meta_label, pub_table *t, tr_err *err)
{
	db_columns d;
	if (table_columns(a, m, o->schema, o->table, &d, err) < 0)
		return err->code;
	if (d.n == 0)
		return tr_err_set(err, TR_ENOTFOUND, -1, 0, "there is no table %s.%s", o->schema, o->table);
	t->n = d.n;
	t->cols = arena_calloc(a, d.n, sizeof *t->cols);
	if (t->cols == NULL)
		return oom(err);
	if (meta) {
		if (t->description == NULL)
			t->description = meta->description;
		if (t->utype == NULL)
			t->utype = meta->utype;
		for (size_t k = 0; k < meta->n_fields; k++)
			if (find_db_column(&d, meta->fields[k].name) == NULL)
				return tr_err_set(err, TR_EBADREQ, -1, 0, "%s: FIELD %s is not a column of %s.%s", meta_label,
				                  meta->fields[k].name, o->schema, o->table);
	}
	for (size_t i = 0; i < d.n; i++) {
		const db_column_info *dc = &d.cols[i];
		pub_col *c = &t->cols[i];
		vot_sql_votype vt;
		vot_sql_votype_of(dc->data_type, dc->column_type, &vt);
		c->name = dc->name;
		c->datatype = vot_datatype_name(vt.datatype);
		c->arraysize = vt.arraysize[0] ? arena_strdup(a, vt.arraysize) : NULL;
		c->xtype = vt.xtype;
		c->description = dc->comment;
		c->is_indexed = dc->is_indexed;
		c->is_principal = o->principal == NULL || in_list(o->principal, dc->name);
		vot_shape shape;
		if (vot_shape_parse(c->arraysize, &shape))
			c->size = (long)vot_shape_size(&shape);
		const vot_field *f = NULL;
		for (size_t k = 0; meta && k < meta->n_fields && f == NULL; k++)
			if (strcasecmp(meta->fields[k].name, dc->name) == 0)
				f = &meta->fields[k];
		if (f == NULL)
			continue;
		char why[VOT_WHY_MAX];
		/* The file's type wins when the column can serve it (arrays stored as text, say). */
		if (vot_sql_compatible(vot_datatype_name(f->datatype), f->arraysize, dc->data_type, dc->column_type, why)) {
			c->datatype = vot_datatype_name(f->datatype);
			c->arraysize = f->arraysize;
			c->size = (long)vot_shape_size(&f->shape);
			c->xtype = f->xtype ? f->xtype : c->xtype;
		} else {
			report(o->report, o->ctx, "column %s: keeping %s%s%s from the database: %s", dc->name, c->datatype,
			       c->arraysize ? " arraysize " : "", c->arraysize ? c->arraysize : "", why);
		}
		c->unit = f->unit;
		c->ucd = f->ucd;
		c->utype = f->utype;
		if (f->description)
			c->description = f->description;
	}
	return TR_OK;
}

typedef struct meta_ctx {
	const vot_table *t;
} meta_ctx;

static int meta_table(void *ctx, const vot_table *t, tr_err *err)
{
	(void)err;
	((meta_ctx *)ctx)->t = t;
	return TR_OK;
}

int publish_describe(arena *a, MYSQL *m, const publish_import_opts *o, const char *meta_path, tr_err *err)
{
	if (check_names(o, err) < 0 || set_session(m, err) < 0)
		return err->code;
	meta_ctx mc = { NULL };
	if (meta_path) {
		static const vot_handlers h = { meta_table, NULL, NULL };
		publish_import_opts mo = *o;
		mo.path = meta_path;
		mo.format = PUBLISH_VOTABLE;
		if (read_input(a, &mo, meta_path, NULL, 0, &h, &mc, err) < 0)
			return err->code;
	}
	pub_table t = { o->schema, o->table, publish_table_name(a, o->schema, o->table), o->description, NULL, NULL, 0 };
	if (t.tap_name == NULL)
		return oom(err);
	if (describe_columns(a, m, o, mc.t, meta_path, &t, err) < 0)
		return err->code;
	int rc = run_text(m, "START TRANSACTION", "starting the TAP_SCHEMA transaction", err);
	if (rc == TR_OK)
		rc = register_table(m, a, &t, err);
	if (rc == TR_OK)
		rc = run_text(m, "COMMIT", "committing TAP_SCHEMA", err);
	if (rc < 0) {
		tr_err ignored = TR_ERR_INIT;
		(void)run_text(m, "ROLLBACK", "rolling back TAP_SCHEMA", &ignored);
		return rc;
	}
	report(o->report, o->ctx, "published %s with %zu columns", t.tap_name, t.n);
	return grant_table(a, m, o, err);
}
