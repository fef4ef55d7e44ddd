/* conn: a worker's persistent database connection, opened after fork and re-opened when the server
 * went away.  The connection never allows multi-statements (CLIENT_MULTI_STATEMENTS is not set), so
 * one query text can only ever run one statement. */
#ifndef TR_DB_CONN_H
#define TR_DB_CONN_H

#include "util/config.h"
#include "util/err.h"

#include <mysql.h>

typedef enum db_dialect {
	DB_DIALECT_MARIADB = 0, /* SET STATEMENT max_statement_time=... FOR */
	DB_DIALECT_MYSQL = 1,   /* optimizer hint MAX_EXECUTION_TIME */
} db_dialect;

typedef struct db_params {
	const char *host;      /* "" or NULL with socket set: unix socket */
	unsigned port;
	const char *socket;    /* "" = TCP */
	const char *user;
	const char *password;
	const char *database;
	unsigned connect_timeout; /* seconds */
	unsigned read_timeout;    /* seconds */
	unsigned idle_timeout;    /* seconds the server keeps the session while it is idle (its
	                           * wait_timeout), set on every connect; 0 = the server's default */
} db_params;

typedef struct db_conn db_conn;

/* Copies params; does not connect.  NULL when out of memory. */
db_conn *db_conn_new(const db_params *p);
void db_conn_free(db_conn *c);

/* Makes sure the connection is usable: connects if closed, pings if open, and reconnects once when
 * the ping fails (the server restarted, or closed an idle connection).  TR_EDB_UNAVAILABLE with the
 * client library's message when the server cannot be reached. */
int db_conn_ensure(db_conn *c, tr_err *err);
/* Closes the connection; the next db_conn_ensure() opens a new one. */
void db_conn_close(db_conn *c);

/* Limits the run time of the statements that follow on this connection to seconds (> 0), as a
 * session setting: MariaDB max_statement_time, MySQL max_execution_time (which applies to SELECT).
 * Sent only when the value changes, so a steady worker pays nothing per query.  A new
 * connection starts unlimited. */
int db_conn_set_timeout(db_conn *c, int seconds, tr_err *err);

/* The connection parameters of the query database (the configuration's database section). */
void db_conn_query_params(const tr_config *cfg, db_params *out);

/* The server's id of this connection (mysql_thread_id), 0 when closed: what KILL QUERY names. */
unsigned long db_conn_thread_id(db_conn *c);
/* KILL QUERY thread_id on this connection's server: stops that connection's running statement
 * (an account may always kill its own connections' statements).  An unknown thread (the statement
 * and its connection are gone) is not an error. */
int db_conn_kill_query(db_conn *c, unsigned long thread_id, tr_err *err);

/* The open handle, or NULL when closed. */
MYSQL *db_conn_handle(db_conn *c);
db_dialect db_conn_dialect(const db_conn *c);
/* Server version as major*10000 + minor*100 + patch, 0 when never connected. */
unsigned long db_conn_server_version(const db_conn *c);
/* Connections opened so far by this handle (1 after the first connect; more after reconnects). */
unsigned long db_conn_connects(const db_conn *c);

#endif
