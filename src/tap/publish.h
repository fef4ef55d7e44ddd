/* tap/publish: what the data-owner tools do to the database: create TAP_SCHEMA and the async job
 * tables (taproom-admin init), check that TAP_SCHEMA agrees with the tables it describes
 * (taproom-admin check), load a VOTable or CSV into a table and publish it (taproom-import), publish
 * an existing table (--describe).
 *
 * Atomic: an import loads into a staging table next to the target, and only after every row is in
 * and every index built does it change what users see: the TAP_SCHEMA rows are written in one
 * transaction on a second connection and held open while the first connection swaps the staging
 * table in (RENAME TABLE, atomic in MariaDB and MySQL) or appends it (INSERT ... SELECT inside a
 * transaction); then the TAP_SCHEMA transaction commits.  Any failure before that point drops the
 * staging table and rolls TAP_SCHEMA back, leaving database and TAP_SCHEMA exactly as they were; a
 * failed commit undoes the swap.  An advisory lock (GET_LOCK) keeps two imports of one table apart.
 *
 * Names from files reach SQL only through vot_sql_quote_ident after vot_sql_ident_check; values
 * only through votable/sqlmap.h literals and the connection's escaping of TAP_SCHEMA strings.
 * Programs: tools/admin/main.c, tools/import/main.c (thin: options in, exit status out).
 * TAP 1.1 §4 (TAP_SCHEMA), VOTable 1.4 (input), RFC 4180 (CSV input). */
#ifndef TR_TAP_PUBLISH_H
#define TR_TAP_PUBLISH_H

#include "db/conn.h"
#include "util/arena.h"
#include "util/err.h"
#include "votable/types.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Bytes of one multi-row INSERT: big enough that per-statement costs vanish, far below the
 * server's max_allowed_packet (16 MiB by default; the smaller of the two is used). */
#define PUBLISH_BATCH_BYTES ((size_t)1024 * 1024)
/* Longest SQL statement other than the INSERT batches (CREATE TABLE of 4096 columns is ~400 KiB). */
#define PUBLISH_SQL_MAX ((size_t)4 * 1024 * 1024)
/* Seconds an import waits for the lock another import of the same table holds: enough for the
 * server to finish the last statement of a client that died, short enough to report a concurrent
 * import soon. */
#define PUBLISH_LOCK_WAIT 10

/* ---- connecting: the options both tools share ---------------------------------------------- */

/* How the tools reach the database.  The configured database.user is the read-only query account:
 * the tools connect as an administrative account (user/password_file here) and only GRANT SELECT to
 * the query account; they never read its password. */
typedef struct publish_db_opts {
	const char *config;        /* --config; NULL: $TAPROOM_CONFIG, else the installed file if it exists */
	const char *host;          /* --host; NULL: database.host */
	unsigned port;             /* --port; 0: database.port */
	const char *socket;        /* --socket; NULL: database.socket */
	const char *user;          /* --user; NULL: $TAPROOM_ADMIN_USER, else the login name */
	const char *password_file; /* --password-file; NULL: $TAPROOM_ADMIN_PASSWORD, else none */
	const char *grant_to;      /* --grant-to USER[@HOST]; NULL: database.user of the configuration */
	bool is_no_grant;          /* --no-grant */
} publish_db_opts;

/* The long options of publish_db_opts for getopt_long (the tool includes <getopt.h>), their help
 * text, and the handler of their codes (PUBLISH_OPT_*): one definition for both tools. */
enum {
	PUBLISH_OPT_CONFIG = 0x100, PUBLISH_OPT_HOST, PUBLISH_OPT_PORT, PUBLISH_OPT_SOCKET, PUBLISH_OPT_USER,
	PUBLISH_OPT_PASSWORD_FILE, PUBLISH_OPT_GRANT_TO, PUBLISH_OPT_NO_GRANT
};
#define PUBLISH_DB_LONG_OPTIONS \
	{ "config", required_argument, NULL, PUBLISH_OPT_CONFIG }, \
	{ "host", required_argument, NULL, PUBLISH_OPT_HOST }, \
	{ "port", required_argument, NULL, PUBLISH_OPT_PORT }, \
	{ "socket", required_argument, NULL, PUBLISH_OPT_SOCKET }, \
	{ "user", required_argument, NULL, PUBLISH_OPT_USER }, \
	{ "password-file", required_argument, NULL, PUBLISH_OPT_PASSWORD_FILE }, \
	{ "grant-to", required_argument, NULL, PUBLISH_OPT_GRANT_TO }, \
	{ "no-grant", no_argument, NULL, PUBLISH_OPT_NO_GRANT }
#define PUBLISH_DB_HELP \
	"Database connection (an account allowed to create tables and grant; defaults from the\n" \
	"configuration's database section, except the account):\n" \
	"      --config FILE        taproom configuration (default: $TAPROOM_CONFIG, else the installed one)\n" \
	"      --host HOST          database host (TCP)\n" \
	"      --port N             database port\n" \
	"      --socket PATH        database unix socket\n" \
	"      --user NAME          account (default: $TAPROOM_ADMIN_USER, else your login name)\n" \
	"      --password-file F    its password, first line of F (default: $TAPROOM_ADMIN_PASSWORD)\n" \
	"      --grant-to USER[@HOST]  account that gets SELECT (default: the configured database.user)\n" \
	"      --no-grant           grant nothing\n"
/* Handles one PUBLISH_OPT_* code: TR_OK, or TR_ECONFIG for a bad value or a code that is not one of
 * these (getopt's '?' for an unknown option). */
int publish_db_option(int opt, const char *arg, publish_db_opts *o, tr_err *err) __attribute__((warn_unused_result));

/* What the configuration says besides the connection. */
typedef struct publish_site {
	const char *grant_to;       /* account to GRANT SELECT to; NULL with is_no_grant or when none is named */
	const char *default_schema; /* database.name, for targets given without a schema */
	const char *uws_name;       /* uws.name: the database of the async job tables */
	const char *uws_grant_to;   /* uws.user, to GRANT it write access there; NULL with is_no_grant or none */
} publish_site;

/* Opens a connection as o describes (configuration, then the options); out's strings live in a.
 * Free with db_conn_free.  TR_ECONFIG, TR_EIO (password file), TR_EDB_UNAVAILABLE, TR_ENOMEM. */
db_conn *publish_connect(arena *a, const publish_db_opts *o, publish_site *out, tr_err *err)
	__attribute__((warn_unused_result));

/* Where the tools report what they do (one line each, no newline); NULL = quiet. */
typedef void publish_report_fn(void *ctx, const char *line);

/* ---- taproom-admin ----------------------------------------------------------------------------- */

/* Runs the TAP_SCHEMA DDL (sql/tap_schema.sql, embedded by the tool: statements separated by ';'
 * at the end of a line, '--' comments), creates the database TAP_UPLOAD when missing (uploaded
 * tables live there as temporary tables), and grants SELECT on TAP_SCHEMA and CREATE TEMPORARY
 * TABLES on TAP_UPLOAD to grant_to (USER or USER@HOST; NULL = no grant).  Idempotent.  TR_EDB names
 * the failing statement. */
int publish_init(MYSQL *m, const char *ddl, size_t ddl_len, const char *grant_to, publish_report_fn *report,
                 void *ctx, tr_err *err) __attribute__((warn_unused_result));

/* Creates the database of the async job state (uws.name) when missing, runs the UWS DDL in it
 * (sql/uws.sql, embedded by the tool, split like publish_init's) and grants SELECT, INSERT, UPDATE and
 * DELETE on it to grant_to (the configured uws.user, USER or USER@HOST; NULL = no grant).  Idempotent.
 * TR_EDB names the failing statement; TR_ENOTFOUND when grant_to names no account. */
int publish_init_uws(MYSQL *m, const char *ddl, size_t ddl_len, const char *database, const char *grant_to,
                     publish_report_fn *report, void *ctx, tr_err *err) __attribute__((warn_unused_result));

/* Loads TAP_SCHEMA (catalog_load_db checks its own consistency: required values, flags, dangling
 * references) and checks every published table and column against information_schema: the table
 * exists, the column exists, its type can serve the declared datatype/arraysize
 * (vot_sql_compatible).  Each problem is reported; *out_problems counts them (a TAP_SCHEMA that is
 * missing or does not load is one).  TR_OK when the check ran, problems or not; otherwise the
 * connection's error (TR_EDB_UNAVAILABLE, TR_EDB) or TR_ENOMEM. */
int publish_check(MYSQL *m, publish_report_fn *report, void *ctx, size_t *out_problems, tr_err *err)
	__attribute__((warn_unused_result));

/* ---- taproom-import ---------------------------------------------------------------------------- */

typedef enum publish_format { PUBLISH_VOTABLE, PUBLISH_CSV } publish_format;

typedef enum publish_mode {
	PUBLISH_CREATE,   /* the table must not exist */
	PUBLISH_REPLACE,  /* --replace: a new table replaces the old one (or is created) */
	PUBLISH_APPEND    /* --append: rows go into the existing table, matched by column name */
} publish_mode;

typedef struct publish_import_opts {
	const char *path;          /* input file; "-" = standard input (VOTable only) */
	const char *label;         /* the file's name in messages; NULL: path */
	publish_format format;
	const char *schema;        /* database (TAP schema) name */
	const char *table;         /* table name */
	publish_mode mode;
	const char *primary_key;   /* column; NULL: the FIELD whose UCD has meta.id and meta.main; "" none */
	const char *types;         /* CSV: NAME=TYPE,... overrides (vot_csv_apply_types) */
	char delimiter;            /* CSV: 0 = ',' */
	const char *description;   /* TAP_SCHEMA table description; NULL: the TABLE's DESCRIPTION */
	const char *principal;     /* comma-separated principal columns; NULL: all */
	const char *grant_to;      /* USER[@HOST] to GRANT SELECT on the table; NULL: none */
	bool is_no_index;          /* create no position indexes */
	size_t batch_bytes;        /* 0 = PUBLISH_BATCH_BYTES */
	publish_report_fn *report; /* progress lines; may be NULL */
	void *ctx;
} publish_import_opts;

typedef struct publish_stats {
	uint64_t rows;             /* rows loaded */
	size_t n_columns;
	size_t n_indexes;          /* secondary indexes created (position columns) */
	const char *primary_key;   /* the key column, NULL when none (arena-owned) */
} publish_stats;

/* Imports the file: m loads and swaps, tm holds the TAP_SCHEMA transaction (two connections to the
 * same server, neither in a transaction).  Errors leave the database as it was:
 *   TR_EBADREQ, TR_EENCODING, TR_ELIMIT: the input ("FILE: row R, column C (NAME): why");
 *   TR_ECONFLICT: the table exists (no --replace/--append), or is being imported right now, or
 *                 is missing for --append;
 *   TR_EUNSUPPORTED: a column the database cannot hold as asked (e.g. an array as primary key);
 *   TR_EIO: the file; TR_EDB / TR_EDB_UNAVAILABLE: the database; TR_ENOMEM. */
int publish_import(arena *a, MYSQL *m, MYSQL *tm, const publish_import_opts *o, publish_stats *out,
                   tr_err *err) __attribute__((warn_unused_result));

/* --describe: publishes the existing table schema.table, its columns from information_schema (types
 * via vot_sql_votype_of, column comments as descriptions, indexed flags from its indexes).  meta_path
 * (may be NULL) names a VOTable whose FIELDs, matched by name, add unit, UCD, utype, xtype,
 * description, and the TABLE's DESCRIPTION; its rows are ignored.  TAP_SCHEMA changes in one
 * transaction on m.  Errors: TR_ENOTFOUND (no such table), TR_EBADREQ (a FIELD that names no column,
 * a bad file), TR_EDB... */
int publish_describe(arena *a, MYSQL *m, const publish_import_opts *o, const char *meta_path, tr_err *err)
	__attribute__((warn_unused_result));

/* ---- pieces with no database, exposed for the unit tests -------------------------------------- */

/* The TAP_SCHEMA spelling of a name: as is, or in double quotes when it is an ADQL reserved word
 * (TAP 1.1 §4.3: "column_name ... with the quotes if it is a delimited identifier"). */
const char *publish_adql_name(arena *a, const char *name);
/* TAP_SCHEMA tables.table_name of schema.table (each part quoted when reserved). */
const char *publish_table_name(arena *a, const char *schema, const char *table);
/* Whether a UCD has atom (UCD1+ atoms separated by ';', compared case-insensitively). */
bool publish_ucd_has(const char *ucd, const char *atom);
/* The index of the key column of fields: the one named key (NULL: the first whose UCD has both
 * meta.id and meta.main; "" none); SIZE_MAX when none.  TR_EBADREQ when key names no field. */
int publish_find_key(const vot_field *fields, size_t n, const char *key, size_t *out, tr_err *err)
	__attribute__((warn_unused_result));
/* The position columns to index: the pos.eq.ra and pos.eq.dec columns with meta.main, or, when no
 * column carries meta.main, the first of each.  out gets up to 2 indexes; returns how many. */
size_t publish_position_columns(const vot_field *fields, size_t n, size_t out[2]);
/* Splits a statement list (';' at the end of a line ends a statement, '--' lines are comments) and
 * calls fn for each; returns fn's first failure.  For the embedded TAP_SCHEMA DDL. */
int publish_each_statement(const char *text, size_t len, int (*fn)(void *ctx, const char *sql, size_t n, tr_err *err),
                           void *ctx, tr_err *err) __attribute__((warn_unused_result));
/* Splits "user" or "user@host" (host defaults to NULL: all hosts of the user). */
void publish_split_account(arena *a, const char *account, const char **out_user, const char **out_host);

#endif
