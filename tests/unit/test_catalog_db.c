/* test_catalog_db: loading the catalog from TAP_SCHEMA tables and fingerprinting them
 * (src/tap/catalog_db.c), against a live MariaDB.
 *
 * Needs TR_TEST_DB_SOCKET (a unix socket; user root, no password); exits 77 (skipped) without it.
 * Each test gets its own scratch database holding sql/tap_schema.sql (read from $top_srcdir,
 * statement by statement, without CLIENT_MULTI_STATEMENTS) plus a demo schema, and drops it after,
 * so tests never touch a real TAP_SCHEMA and may run beside other tests on the same server. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog_dump.h"
#include "tap/catalog.h"
#include "util/strbuf.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define SQL_FILE_MAX (1024 * 1024) /* bytes of sql/tap_schema.sql we accept (it is ~12 KiB) */

typedef struct fixture {
	MYSQL *m;       /* root connection, the scratch database selected */
	char db[64];    /* scratch database name, unique per process and test */
	unsigned n_dbs; /* scratch databases made so far */
} fixture;


/* ---- helpers -------------------------------------------------------------------------------- */

static MYSQL *connect_db(void)
{
	MYSQL *m = mysql_init(NULL);
	assert_non_null(m);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(m, "localhost", "root", "", NULL, 0, getenv("TR_TEST_DB_SOCKET"), 0) == NULL) {
		fprintf(stderr, "cannot connect: %s\n", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

static void exec(MYSQL *m, const char *sql)
{
	if (mysql_real_query(m, sql, strlen(sql)) != 0)
		fail_msg("%s\n  failed: %s", sql, mysql_error(m));
}

static void execf(MYSQL *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void execf(MYSQL *m, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT(0);
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	assert_false(strbuf_failed(&sb));
	exec(m, strbuf_str(&sb));
	strbuf_free(&sb);
}

/* Runs sql/tap_schema.sql: statements end with ';' at a line end; the CREATE DATABASE and USE
 * statements are skipped so the tables land in the scratch database. */
static void load_sql_file(MYSQL *m)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	snprintf(path, sizeof path, "%s/sql/tap_schema.sql", top && top[0] ? top : ".");
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	strbuf stmt = STRBUF_INIT(SQL_FILE_MAX);
	char line[8192];
	size_t n_run = 0;
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		if (strbuf_len(&stmt) == 0 && (n == 0 || strncmp(line, "--", 2) == 0))
			continue;
		strbuf_puts(&stmt, line);
		strbuf_putc(&stmt, '\n');
		if (n && line[n - 1] == ';') {
			assert_false(strbuf_failed(&stmt));
			const char *s = strbuf_str(&stmt);
			if (strncmp(s, "CREATE DATABASE", 15) != 0 && strncmp(s, "USE ", 4) != 0) {
				exec(m, s);
				n_run++;
			}
			strbuf_reset(&stmt);
		}
	}
	fclose(f);
	assert_int_equal(strbuf_len(&stmt), 0); /* no unterminated statement at the end */
	assert_int_equal(n_run, 10);             /* 5 tables, 5 inserts */
	strbuf_free(&stmt);
}

/* A demo schema beside TAP_SCHEMA's own rows: every field set somewhere, NULL somewhere else. */
static const char *const demo_rows[] = {
	"INSERT INTO `schemas` VALUES ('demo', 'ivo://demo', 'Demo data', 1)",
	"INSERT INTO `tables` VALUES ('demo', 'demo.catalog', 'table', 'demo:Cat', 'Objects', 2),"
	" ('demo', 'demo.obs', 'view', NULL, NULL, 1)",
	"INSERT INTO `columns` (`table_name`, `column_name`, `datatype`, `arraysize`, `xtype`, `size`,"
	" `description`, `utype`, `unit`, `ucd`, `indexed`, `principal`, `std`, `column_index`) VALUES"
	" ('demo.catalog', 'ra', 'double', NULL, NULL, NULL, 'Right ascension', 'demo:ra', 'deg', 'pos.eq.ra', 1, 1, 0, 1),"
	" ('demo.catalog', 'name', 'char', '32*', NULL, 32, 'Designation', NULL, NULL, 'meta.id', 0, 1, 0, 2),"
	" ('demo.catalog', 'pos', 'double', '2', 'point', 2, NULL, NULL, 'deg', NULL, 0, 0, 1, 3),"
	" ('demo.catalog', '\"Mixed\"', 'float', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 4),"
	" ('demo.catalog', 'id', 'long', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, 1, 0, NULL),"
	" ('demo.obs', 'object_id', 'long', NULL, NULL, NULL, 'Object observed', NULL, NULL, 'meta.id', 0, 1, 0, 1)",
	"INSERT INTO `keys` VALUES ('obs-catalog', 'demo.obs', 'demo.catalog', 'demo:link', 'The object observed')",
	"INSERT INTO `key_columns` VALUES ('obs-catalog', 'object_id', 'id')",
};

static const char demo_dump[] =
	"schema demo utype=[ivo://demo] descr=[Demo data] index=1\n"
	" table demo.obs type=view db=demo.obs index=1\n"
	"  column object_id db=object_id type=long flags=01000 descr=[Object observed] ucd=[meta.id] index=1\n"
	"  key obs-catalog -> demo.catalog (object_id=id) utype=[demo:link] descr=[The object observed]\n"
	" table demo.catalog type=table db=demo.catalog utype=[demo:Cat] descr=[Objects] index=2\n"
	"  column ra db=ra type=double flags=11000 descr=[Right ascension] utype=[demo:ra] unit=[deg]"
	" ucd=[pos.eq.ra] index=1\n"
	"  column name db=name type=char flags=01000 arraysize=[32*] size=32 descr=[Designation] ucd=[meta.id]"
	" index=2\n"
	"  column pos db=pos type=double flags=00100 arraysize=[2] xtype=[point] size=2 unit=[deg] index=3\n"
	"  column \"Mixed\" db=Mixed type=float flags=00000 index=4\n"
	"  column id db=id type=long flags=11000\n";

/* The group fixture: one connection for all tests, handed to each test as its state. */
static int setup_group(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	if (fx == NULL || (fx->m = connect_db()) == NULL) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown_group(void **state)
{
	fixture *fx = *state;
	mysql_close(fx->m);
	mysql_library_end();
	free(fx);
	return 0;
}

/* A fresh scratch database with TAP_SCHEMA and the demo rows. */
static int setup(void **state)
{
	fixture *fx = *state;
	snprintf(fx->db, sizeof fx->db, "tr_catalog_test_%ld_%u", (long)getpid(), fx->n_dbs++);
	execf(fx->m, "DROP DATABASE IF EXISTS `%s`", fx->db);
	execf(fx->m, "CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", fx->db);
	if (mysql_select_db(fx->m, fx->db) != 0)
		return -1;
	load_sql_file(fx->m);
	for (size_t i = 0; i < N_OF(demo_rows); i++)
		exec(fx->m, demo_rows[i]);
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	execf(fx->m, "DROP DATABASE IF EXISTS `%s`", fx->db);
	return 0;
}

static catalog *load_ok(const fixture *fx)
{
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_load_db_from(fx->m, fx->db, &err);
	if (c == NULL)
		fail_msg("load failed: %s", err.msg);
	return c;
}

/* Loads and expects failure with `code` and a message containing `expect`. */
static void load_fails(const fixture *fx, int code, const char *expect)
{
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_load_db_from(fx->m, fx->db, &err);
	if (c != NULL) {
		catalog_free(c);
		fail_msg("loaded, expected \"%s\"", expect);
	}
	if (err.code != code || strstr(err.msg, expect) == NULL)
		fail_msg("code %d, message \"%s\"; expected %d, \"%s\"", err.code, err.msg, code, expect);
}

static unsigned long long fingerprint(const fixture *fx)
{
	unsigned long long fp = 0;
	tr_err err = TR_ERR_INIT;
	if (catalog_db_fingerprint_from(fx->m, fx->db, &fp, &err) != TR_OK)
		fail_msg("fingerprint failed: %s", err.msg);
	return fp;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_load_every_field(void **state)
{
	fixture *fx = *state;
	catalog *c = load_ok(fx);
	assert_int_equal(catalog_n_schemas(c), 2);
	assert_int_equal(catalog_n_tables(c), 5 + 2);
	assert_int_equal(catalog_n_columns(c), 32 + 6);
	assert_int_equal(catalog_n_keys(c), 5 + 1);

	strbuf sb = STRBUF_INIT(0);
	catalog_dump_schema(catalog_schema_at(c, 0), &sb);
	assert_string_equal(strbuf_str(&sb), demo_dump);

	/* TAP 1.1 §4: TAP_SCHEMA describes itself; spot-check its rows and the order */
	const catalog_schema *ts = catalog_schema_at(c, 1);
	assert_string_equal(ts->name, "TAP_SCHEMA");
	assert_int_equal(ts->schema_index, 100000);
	static const char *const order[] = { "TAP_SCHEMA.schemas", "TAP_SCHEMA.tables", "TAP_SCHEMA.columns",
		                             "TAP_SCHEMA.keys", "TAP_SCHEMA.key_columns" };
	assert_int_equal(ts->n_tables, N_OF(order));
	for (size_t i = 0; i < N_OF(order); i++)
		assert_string_equal(ts->tables[i]->name, order[i]);
	const catalog_table *cols = ts->tables[2];
	assert_int_equal(cols->n_columns, 14);
	assert_string_equal(cols->db_schema, "TAP_SCHEMA"); /* from the published name, not the scratch db */
	assert_string_equal(cols->db_table, "columns");
	strbuf_reset(&sb);
	for (size_t i = 0; i < cols->n_columns; i++)
		strbuf_printf(&sb, "%s%s", i ? "," : "", cols->columns[i]->name);
	assert_string_equal(strbuf_str(&sb), "table_name,column_name,datatype,arraysize,xtype,\"size\",description,"
	                                     "utype,unit,ucd,indexed,principal,std,column_index");
	const catalog_column *size = cols->columns[5];
	assert_string_equal(size->db_name, "size");
	assert_string_equal(size->datatype, "int");
	assert_null(size->arraysize);
	assert_int_equal(size->size, CATALOG_NULL_INT);
	assert_int_equal(size->is_std, 1);
	const catalog_column *tn = cols->columns[0];
	assert_string_equal(tn->arraysize, "256*");
	assert_int_equal(tn->size, 256);
	assert_int_equal(tn->is_indexed, 1);
	for (size_t i = 0; i < ts->n_tables; i++)
		for (size_t j = 0; j < ts->tables[i]->n_columns; j++)
			assert_int_equal(ts->tables[i]->columns[j]->is_std, 1);
	const catalog_key *k = catalog_key_by_id(c, "TAP_SCHEMA.keys-target_table");
	assert_non_null(k);
	assert_string_equal(k->from->name, "TAP_SCHEMA.keys");
	assert_string_equal(k->target->name, "TAP_SCHEMA.tables");
	assert_string_equal(k->columns[0].from->name, "target_table");
	assert_string_equal(k->columns[0].target->name, "table_name");

	/* and the resolver's lookups work on it */
	catalog_name tname = { "CATALOG", 7, 0 }, cname = { "Mixed", 5, 1 };
	const catalog_table *t;
	const catalog_column *col;
	assert_int_equal(catalog_find_table(c, NULL, &tname, &t, NULL), CATALOG_FOUND);
	assert_int_equal(catalog_find_column(c, t, &cname, &col, NULL), CATALOG_FOUND);
	assert_string_equal(col->name, "\"Mixed\"");
	strbuf_free(&sb);
	catalog_free(c);
}

static void test_sql_file_is_idempotent(void **state)
{
	fixture *fx = *state;
	unsigned long long before = fingerprint(fx);
	load_sql_file(fx->m); /* again: nothing changes, nothing fails */
	assert_true(fingerprint(fx) == before);
	catalog *c = load_ok(fx);
	assert_int_equal(catalog_n_columns(c), 32 + 6);
	catalog_free(c);
}

static void test_fingerprint_follows_content(void **state)
{
	fixture *fx = *state;
	unsigned long long fp = fingerprint(fx);
	assert_true(fingerprint(fx) == fp); /* stable while nothing changes */
	static const struct {
		const char *change, *undo;
	} steps[] = {
		{ "UPDATE `columns` SET `description` = 'changed' WHERE `column_name` = 'ra'",
		  "UPDATE `columns` SET `description` = 'Right ascension' WHERE `column_name` = 'ra'" },
		{ "UPDATE `schemas` SET `schema_index` = 7 WHERE `schema_name` = 'demo'",
		  "UPDATE `schemas` SET `schema_index` = 1 WHERE `schema_name` = 'demo'" },
		{ "INSERT INTO `keys` VALUES ('k2', 'demo.obs', 'demo.catalog', NULL, NULL)",
		  "DELETE FROM `keys` WHERE `key_id` = 'k2'" },
		{ "DELETE FROM `key_columns` WHERE `key_id` = 'obs-catalog'",
		  "INSERT INTO `key_columns` VALUES ('obs-catalog', 'object_id', 'id')" },
		{ "UPDATE `tables` SET `table_type` = 'view' WHERE `table_name` = 'demo.catalog'",
		  "UPDATE `tables` SET `table_type` = 'table' WHERE `table_name` = 'demo.catalog'" },
	};
	for (size_t i = 0; i < N_OF(steps); i++) {
		exec(fx->m, steps[i].change);
		if (fingerprint(fx) == fp)
			fail_msg("step %zu: fingerprint unchanged after %s", i, steps[i].change);
		exec(fx->m, steps[i].undo);
		if (fingerprint(fx) != fp)
			fail_msg("step %zu: fingerprint differs after undoing", i);
	}
}

/* Invalid rows: each case changes the fresh database and expects this error from the load. */
static void test_invalid_rows(void **state)
{
	fixture *fx = *state;
	static const struct {
		const char *sql;
		const char *expect;
	} cases[] = {
		{ "INSERT INTO `columns` (`table_name`, `column_name`, `datatype`) VALUES ('demo.nope', 'x', 'int')",
		  ".columns row (table_name=\"demo.nope\", column_name=\"x\"): no table \"demo.nope\"" },
		{ "INSERT INTO `tables` VALUES ('nope', 'nope.t', 'table', NULL, NULL, NULL)",
		  ".tables row (table_name=\"nope.t\"): no schema \"nope\"" },
		{ "UPDATE `columns` SET `principal` = 2 WHERE `column_name` = 'ra'",
		  ".columns row (table_name=\"demo.catalog\", column_name=\"ra\"): principal is 2, not 0 or 1" },
		{ "INSERT INTO `key_columns` VALUES ('obs-catalog', 'object_id', 'nope')",
		  ".key_columns row (key_id=\"obs-catalog\", from_column=\"object_id\", target_column=\"nope\"): "
		  "no target_column \"nope\" in table \"demo.catalog\"" },
		{ "INSERT INTO `key_columns` VALUES ('nokey', 'a', 'b')", "no key \"nokey\"" },
		{ "INSERT INTO `keys` VALUES ('k2', 'demo.obs', 'demo.gone', NULL, NULL)",
		  ".keys row (key_id=\"k2\"): no target_table \"demo.gone\"" },
		{ "INSERT INTO `keys` VALUES ('k2', 'demo.obs', 'demo.catalog', NULL, NULL)",
		  ".keys: key \"k2\" has no key_columns" },
		{ "INSERT INTO `tables` VALUES ('demo', 'demo.', 'table', NULL, NULL, NULL)",
		  "table_name \"demo.\" is not a valid identifier" },
		{ "ALTER TABLE `columns` DROP COLUMN `datatype`", ".columns has no column datatype" },
		{ "DROP TABLE `key_columns`", ".key_columns does not exist or is not readable" },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		if (i > 0) { /* a fresh database for every case */
			teardown(state);
			assert_int_equal(setup(state), 0);
		}
		exec(fx->m, cases[i].sql);
		load_fails(fx, TR_EDB, cases[i].expect);
	}
}

/* TAP 1.0 TAP_SCHEMAs lack the optional TAP 1.1 columns: they load, with those fields NULL. */
static void test_tap10_schema(void **state)
{
	fixture *fx = *state;
	exec(fx->m, "ALTER TABLE `columns` DROP COLUMN `arraysize`, DROP COLUMN `xtype`, DROP COLUMN `column_index`");
	exec(fx->m, "ALTER TABLE `tables` DROP COLUMN `table_index`");
	exec(fx->m, "ALTER TABLE `schemas` DROP COLUMN `schema_index`");
	exec(fx->m, "ALTER TABLE `columns` ADD COLUMN `extra` INT NULL"); /* TAP 1.1 §4: extra columns are allowed */
	catalog *c = load_ok(fx);
	const catalog_table *t = catalog_table_by_name(c, "demo.catalog");
	const catalog_column *pos = catalog_column_by_name(c, t, "pos");
	assert_null(pos->arraysize);
	assert_null(pos->xtype);
	assert_int_equal(pos->size, 2);
	assert_int_equal(pos->column_index, CATALOG_NULL_INT);
	assert_int_equal(t->table_index, CATALOG_NULL_INT);
	/* without indexes the order falls back to names */
	assert_string_equal(t->columns[0]->name, "\"Mixed\"");
	assert_string_equal(catalog_schema_at(c, 0)->name, "TAP_SCHEMA");
	catalog_free(c);
}

static void test_fingerprint_errors(void **state)
{
	fixture *fx = *state;
	exec(fx->m, "DROP TABLE `keys`");
	unsigned long long fp = 42;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(catalog_db_fingerprint_from(fx->m, fx->db, &fp, &err), TR_EDB);
	assert_non_null(strstr(err.msg, ".keys does not exist"));
	assert_true(fp == 42); /* untouched on failure */
}

/* A connection the server dropped: TR_EDB_UNAVAILABLE, so the worker reconnects. */
static void test_lost_connection(void **state)
{
	fixture *fx = *state;
	MYSQL *victim = connect_db();
	assert_non_null(victim);
	execf(fx->m, "KILL %lu", mysql_thread_id(victim));
	tr_err err = TR_ERR_INIT;
	catalog *c = catalog_load_db_from(victim, fx->db, &err);
	assert_null(c);
	if (err.code != TR_EDB_UNAVAILABLE)
		fail_msg("code %d: %s", err.code, err.msg);
	mysql_close(victim);
}

int main(void)
{
	const char *sock = getenv("TR_TEST_DB_SOCKET");
	if (sock == NULL || sock[0] == '\0') {
		printf("SKIP: TR_TEST_DB_SOCKET is not set (a MariaDB unix socket, user root without password)\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_every_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sql_file_is_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint_follows_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap10_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_connection, setup, teardown),
	};
	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
