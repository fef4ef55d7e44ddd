#include "config.h"

#include "db/conn.h"
#include "db/cursor.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct db_conn {
	MYSQL *mysql;          /* NULL while closed */
	db_params p;           /* strings point into strings[] below */
	char *strings;         /* one allocation holding the copied parameter strings */
	size_t strings_len;    /* its size, to wipe it */
	db_dialect dialect;
	unsigned long version;
	unsigned long n_connects;
	int timeout_s;         /* the session's statement time limit, 0 = none set */
};

static char *copy_into(char **dst, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *out = *dst;
	memcpy(out, s ? s : "", n);
	*dst += n;
	return out;
}

db_conn *db_conn_new(const db_params *p)
{
	db_conn *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	const char *src[] = { p->host, p->socket, p->user, p->password, p->database };
	size_t total = 0;
	for (size_t i = 0; i < sizeof src / sizeof src[0]; i++)
		total += strlen(src[i] ? src[i] : "") + 1;
	c->strings = malloc(total);
	c->strings_len = total;
	if (c->strings == NULL) {
		free(c);
		return NULL;
	}
	char *w = c->strings;
	c->p = *p;
	c->p.host = copy_into(&w, p->host);
	c->p.socket = copy_into(&w, p->socket);
	c->p.user = copy_into(&w, p->user);
	c->p.password = copy_into(&w, p->password);
	c->p.database = copy_into(&w, p->database);
	return c;
}

void db_conn_close(db_conn *c)
{
	if (c->mysql) {
		mysql_close(c->mysql);
		c->mysql = NULL;
	}
}

void db_conn_free(db_conn *c)
{
	if (c == NULL)
		return;
	db_conn_close(c);
	/* The password must not linger in freed memory. */
	memset(c->strings, 0, c->strings_len);
	free(c->strings);
	free(c);
}

static int open_conn(db_conn *c, tr_err *err)
{
	MYSQL *m = mysql_init(NULL);
	if (m == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory opening a database connection");
	unsigned ct = c->p.connect_timeout, rt = c->p.read_timeout;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rt);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rt);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (c->p.idle_timeout > 0) {
		char init[64];
		snprintf(init, sizeof init, "SET SESSION wait_timeout = %u", c->p.idle_timeout);
		mysql_options(m, MYSQL_INIT_COMMAND, init);
	}
	/* Never reconnect behind our back: a silent reconnect would drop session state (temporary
	 * upload tables, time limits) in the middle of a request. */
	my_bool off = 0;
	mysql_options(m, MYSQL_OPT_RECONNECT, &off);
	const char *sock = c->p.socket[0] ? c->p.socket : NULL;
	const char *host = sock ? "localhost" : c->p.host;
	/* Flags: no CLIENT_MULTI_STATEMENTS, no CLIENT_LOCAL_FILES. */
	if (mysql_real_connect(m, host, c->p.user, c->p.password, c->p.database[0] ? c->p.database : NULL,
	                       c->p.port, sock, 0) == NULL) {
		int rc = tr_err_set(err, TR_EDB_UNAVAILABLE, -1, 0, "cannot connect to the database: %s",
		                    mysql_error(m));
		mysql_close(m);
		return rc;
	}
	c->mysql = m;
	c->n_connects++;
	c->timeout_s = 0;
	c->version = mysql_get_server_version(m);
	const char *info = mysql_get_server_info(m);
	c->dialect = (info && strstr(info, "MariaDB")) ? DB_DIALECT_MARIADB : DB_DIALECT_MYSQL;
	return TR_OK;
}

int db_conn_ensure(db_conn *c, tr_err *err)
{
	if (c->mysql && mysql_ping(c->mysql) == 0)
		return TR_OK;
	db_conn_close(c);
	return open_conn(c, err);
}

int db_conn_set_timeout(db_conn *c, int seconds, tr_err *err)
{
	if (c->mysql == NULL)
		return tr_err_set(err, TR_EDB_UNAVAILABLE, -1, 0, "no database connection");
	if (seconds == c->timeout_s)
		return TR_OK;
	char sql[96];
	if (c->dialect == DB_DIALECT_MARIADB)
		snprintf(sql, sizeof sql, "SET SESSION max_statement_time = %d", seconds);
	else
		snprintf(sql, sizeof sql, "SET SESSION max_execution_time = %lld", (long long)seconds * 1000);
	if (mysql_real_query(c->mysql, sql, strlen(sql)) != 0) {
		int rc = tr_err_set(err, TR_EDB_UNAVAILABLE, -1, 0, "cannot set the statement time limit: %s",
		                    mysql_error(c->mysql));
		db_conn_close(c);
		return rc;
	}
	c->timeout_s = seconds;
	return TR_OK;
}

void db_conn_query_params(const tr_config *cfg, db_params *out)
{
	*out = (db_params){
		.host = cfg->db_host,
		.port = (unsigned)cfg->db_port,
		.socket = cfg->db_socket,
		.user = cfg->db_user,
		.password = cfg->db_password,
		.database = cfg->db_name,
		.connect_timeout = (unsigned)cfg->db_connect_timeout,
		.read_timeout = (unsigned)cfg->db_read_timeout,
	};
}

unsigned long db_conn_thread_id(db_conn *c) { return c->mysql ? mysql_thread_id(c->mysql) : 0; }

int db_conn_kill_query(db_conn *c, unsigned long thread_id, tr_err *err)
{
	/* The server numbers connections from 1: 0 names none (a job whose statement never started). */
	if (thread_id == 0)
		return TR_OK;
	int rc = db_conn_ensure(c, err);
	if (rc < 0)
		return rc;
	/* Only a number goes into the text: no user input, no quoting question. */
	char sql[48];
	int n = snprintf(sql, sizeof sql, "KILL QUERY %lu", thread_id);
	if (mysql_real_query(c->mysql, sql, (unsigned long)n) == 0)
		return TR_OK;
	unsigned int no = mysql_errno(c->mysql);
	/* The statement's connection is gone already: nothing left to stop. */
	if (no == ER_NO_SUCH_THREAD)
		return TR_OK;
	rc = db_error(c->mysql, no, mysql_error(c->mysql), err);
	if (rc == TR_EDB_UNAVAILABLE)
		db_conn_close(c);
	return rc;
}

MYSQL *db_conn_handle(db_conn *c) { return c->mysql; }
db_dialect db_conn_dialect(const db_conn *c) { return c->dialect; }
unsigned long db_conn_server_version(const db_conn *c) { return c->version; }
unsigned long db_conn_connects(const db_conn *c) { return c->n_connects; }
