/* test_config: configuration file, environment overrides and validation (src/util/config.h).
 *
 * Defaults, values from a file (both group syntaxes, quoted numbers, the octal socket mode), wrong
 * types and out-of-range values reported as "FILE:LINE: setting 'x': why", unknown settings and
 * groups rejected, TAPROOM_* beating the file, both accounts' password files and variables
 * (TAPROOM_DB_PASSWORD, TAPROOM_UWS_PASSWORD), base_path rules, the async cross-checks
 * (execution_duration and destruction within their maximums, an absolute results_dir),
 * config_set, every allocation failing in turn, and conf/taproom.conf and doc/taproom.8 agreeing
 * with the settings table.  Each test gets a fresh arena, a private temporary directory and an
 * environment with every TAPROOM_* variable the module reads unset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/config.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
	arena *a;
	char dir[256]; /* private temporary directory, removed with its files by teardown */
	int n_files;
} fixture;

/* ---- environment ------------------------------------------------------------------------------ */

#define MAX_ENV_VARS 64

typedef struct env_list {
	const char *names[MAX_ENV_VARS];
	int n;
} env_list;

static void collect_env(void *ctx, const char *name, const char *env, const char *def, const char *doc)
{
	(void)name, (void)def, (void)doc;
	env_list *l = ctx;
	if (env && l->n < MAX_ENV_VARS)
		l->names[l->n++] = env;
}

/* Every variable config_load() reads, so a developer's own TAPROOM_* cannot change a result. */
static void clear_env(void)
{
	env_list l = { { NULL }, 0 };
	config_each(collect_env, &l);
	for (int i = 0; i < l.n; i++)
		unsetenv(l.names[i]);
	unsetenv("TAPROOM_DB_PASSWORD");
	unsetenv("TAPROOM_UWS_PASSWORD");
	unsetenv("TAPROOM_CONFIG");
}

/* ---- fixture ---------------------------------------------------------------------------------- */

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof f->dir, "%s/taproom-test-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	f->a = arena_create(0, 0);
	if (f->a == NULL) {
		rmdir(f->dir);
		free(f);
		return -1;
	}
	clear_env();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	arena_fail_after(0);
	clear_env();
	DIR *d = opendir(f->dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char path[512];
			snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(f->dir);
	arena_destroy(f->a);
	free(f);
	return 0;
}

/* Writes text to a new file in the fixture's directory; returns its path (in the arena). */
static const char *write_file(fixture *f, const char *text)
{
	const char *path = arena_printf(f->a, "%s/f%d.conf", f->dir, f->n_files++);
	assert_non_null(path);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* ---- reading a loaded configuration by setting name ------------------------------------------- */

typedef struct field {
	const char *name;
	size_t off;
	int is_int;
} field;

#define STR_FIELD(n, f) { n, offsetof(tr_config, f), 0 }
#define INT_FIELD(n, f) { n, offsetof(tr_config, f), 1 }

/* Must name every setting config_each() visits (test_field_table_complete checks it). */
static const field fields[] = {
	STR_FIELD("listen", listen),
	INT_FIELD("listen_mode", listen_mode),
	STR_FIELD("listen_owner", listen_owner),
	STR_FIELD("listen_group", listen_group),
	INT_FIELD("listen_backlog", listen_backlog),
	INT_FIELD("workers", workers),
	INT_FIELD("max_requests", max_requests),
	INT_FIELD("grace_time", grace_time),
	INT_FIELD("respawn_backoff_max", respawn_backoff_max),
	STR_FIELD("pid_file", pid_file),
	STR_FIELD("log_level", log_level),
	STR_FIELD("base_url", base_url),
	STR_FIELD("base_path", base_path),
	STR_FIELD("examples_file", examples_file),
	STR_FIELD("database.host", db_host),
	INT_FIELD("database.port", db_port),
	STR_FIELD("database.socket", db_socket),
	STR_FIELD("database.name", db_name),
	STR_FIELD("database.user", db_user),
	STR_FIELD("database.password_file", db_password_file),
	INT_FIELD("database.connect_timeout", db_connect_timeout),
	INT_FIELD("database.read_timeout", db_read_timeout),
	STR_FIELD("uws.host", uws_host),
	INT_FIELD("uws.port", uws_port),
	STR_FIELD("uws.socket", uws_socket),
	STR_FIELD("uws.name", uws_name),
	STR_FIELD("uws.user", uws_user),
	STR_FIELD("uws.password_file", uws_password_file),
	INT_FIELD("async.executors", executors),
	STR_FIELD("async.results_dir", results_dir),
	INT_FIELD("async.execution_duration", execution_duration),
	INT_FIELD("async.max_execution_duration", max_execution_duration),
	INT_FIELD("async.destruction", destruction),
	INT_FIELD("async.max_destruction", max_destruction),
	INT_FIELD("async.max_wait", max_wait),
	INT_FIELD("async.max_active_jobs", max_active_jobs),
	INT_FIELD("async.max_active_jobs_per_owner", max_active_jobs_per_owner),
	INT_FIELD("async.max_requeues", max_requeues),
	INT_FIELD("async.executor_poll_ms", executor_poll_ms),
	INT_FIELD("async.housekeeping_interval", housekeeping_interval),
	INT_FIELD("limits.query_timeout", query_timeout),
	INT_FIELD("limits.maxrec_default", maxrec_default),
	INT_FIELD("limits.maxrec_max", maxrec_max),
	INT_FIELD("limits.schema_check_interval", schema_check_interval),
	INT_FIELD("upload.max_bytes", upload_max_bytes),
	INT_FIELD("upload.max_rows", upload_max_rows),
	STR_FIELD("upload.tmp_dir", upload_tmp_dir),
	INT_FIELD("upload.allow_urls", upload_allow_urls),
	INT_FIELD("upload.allow_private_urls", upload_allow_private_urls),
	INT_FIELD("upload.url_timeout", upload_url_timeout),
	STR_FIELD("upload.ca_file", upload_ca_file),
};

static const field *find_field(const char *name)
{
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

/* Compares a setting with its expected value as text ("4", "0660" for octal, "/tap"). */
static void check_value(const tr_config *cfg, const char *name, const char *expect, const char *ctx)
{
	const field *fl = find_field(name);
	if (fl == NULL)
		fail_msg("%s: no field for setting '%s'", ctx, name);
	const char *base = (const char *)cfg + fl->off;
	if (fl->is_int) {
		int v;
		memcpy(&v, base, sizeof v);
		long want = strtol(expect, NULL, 0);
		if (v != want)
			fail_msg("%s: setting '%s' is %d (0%o), expected %s", ctx, name, v, (unsigned)v, expect);
	} else {
		const char *v;
		memcpy(&v, base, sizeof v);
		if (v == NULL || strcmp(v, expect) != 0)
			fail_msg("%s: setting '%s' is '%s', expected '%s'", ctx, name, v ? v : "(null)", expect);
	}
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void check_field_listed(void *ctx, const char *name, const char *env, const char *def, const char *doc)
{
	(void)env;
	int *n = ctx;
	(*n)++;
	if (find_field(name) == NULL)
		fail_msg("setting '%s' is missing from the test's field table", name);
	assert_non_null(def);
	if (doc == NULL || doc[0] == '\0')
		fail_msg("setting '%s' has no documentation line", name);
}

static void test_field_table_complete(void **state)
{
	(void)state;
	int n = 0;
	config_each(check_field_listed, &n);
	assert_int_equal(n, (int)(sizeof fields / sizeof fields[0]));
}

typedef struct default_ctx {
	const tr_config *cfg;
} default_ctx;

static void check_default(void *ctx, const char *name, const char *env, const char *def, const char *doc)
{
	(void)env, (void)doc;
	default_ctx *d = ctx;
	check_value(d->cfg, name, def, "defaults");
}

static void test_defaults(void **state)
{
	fixture *f = *state;
	tr_err err = TR_ERR_INIT;
	tr_config *cfg = config_load(f->a, NULL, &err);
	if (cfg == NULL)
		fail_msg("defaults do not load: %s", err.msg);
	/* Each setting holds the default the table documents. */
	default_ctx d = { cfg };
	config_each(check_default, &d);
	/* And the values the rest of the program relies on. */
	static const struct {
		const char *name, *value;
	} cases[] = {
		{ "listen", "/run/taproom/taproom.sock" }, { "listen_mode", "0660" }, { "workers", "4" },
		{ "log_level", "info" }, { "base_path", "" }, { "database.port", "3306" },
		{ "limits.query_timeout", "600" },
		{ "limits.maxrec_default", "100000" },
		{ "limits.maxrec_max", "50000000" },
		{ "limits.schema_check_interval", "5" },
		{ "upload.max_bytes", "67108864" }, { "upload.max_rows", "1000000" }, { "upload.tmp_dir", "/tmp" },
		{ "upload.allow_urls", "0" }, { "upload.allow_private_urls", "0" }, { "upload.url_timeout", "30" },
		{ "upload.ca_file", "" },
		{ "uws.host", "" }, { "uws.port", "3306" }, { "uws.socket", "" },
		{ "uws.name", "taproom_uws" }, { "uws.user", "taproom_uws" }, { "uws.password_file", "" },
		{ "async.executors", "2" },
		{ "async.results_dir", "/var/lib/taproom/results" },
		{ "async.execution_duration", "3600" },
		{ "async.max_execution_duration", "86400" },
		{ "async.destruction", "604800" },
		{ "async.max_destruction", "2592000" },
		{ "async.max_wait", "60" },
		{ "async.max_active_jobs", "1000" },
		{ "async.max_active_jobs_per_owner", "20" },
		{ "async.max_requeues", "1" },
		{ "async.executor_poll_ms", "500" },
		{ "async.housekeeping_interval", "10" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_value(cfg, cases[i].name, cases[i].value, "defaults");
	assert_string_equal(cfg->source, "");
	assert_string_equal(cfg->db_password, "");
	assert_string_equal(cfg->uws_password, "");
}

static void test_file_values(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *text;
		const char *name;
		const char *value;
	} cases[] = {
		{ "workers = 8;\n", "workers", "8" },
		{ "workers = \"9\";\n", "workers", "9" },                /* quoted numbers work too */
		{ "workers: 10;\n", "workers", "10" },                  /* libconfig allows ':' */
		{ "workers = 1024;\n", "workers", "1024" },             /* upper bound included */
		{ "max_requests = 0;\n", "max_requests", "0" },
		{ "max_requests = 2147483647;\n", "max_requests", "2147483647" },
		{ "listen = \"127.0.0.1:9000\";\n", "listen", "127.0.0.1:9000" },
		{ "listen = \"\";\n", "listen", "" },                   /* socket inherited on fd 0 */
		{ "listen_owner = \"www-data\";\nlisten_group = \"www-data\";\n", "listen_group", "www-data" },
		{ "pid_file = \"/run/taproom/taproom.pid\";\n", "pid_file", "/run/taproom/taproom.pid" },
		{ "log_level = \"debug\";\n", "log_level", "debug" },
		{ "base_url = \"https://example.org/tap\";\n", "base_url", "https://example.org/tap" },
		{ "base_path = \"/tap\";\n", "base_path", "/tap" },
		{ "base_path = \"/a/b\";\n", "base_path", "/a/b" },
		{ "database = { host = \"db.example.org\"; port = 3307; };\n", "database.host", "db.example.org" },
		{ "database = { host = \"db.example.org\"; port = 3307; };\n", "database.port", "3307" },
		{ "database : { name = \"gaia\"; user = \"reader\"; };\n", "database.user", "reader" },
		{ "database = { socket = \"/run/mysqld/mysqld.sock\"; };\n", "database.socket", "/run/mysqld/mysqld.sock" },
		{ "database = { connect_timeout = 10; read_timeout = 60; };\n", "database.read_timeout", "60" },
		{ "database = { };\n", "database.port", "3306" },
		{ "limits = { query_timeout = 60; };\n", "limits.query_timeout", "60" },
		{ "uws = { host = \"jobs.example.org\"; port = 3308; };\n", "uws.host", "jobs.example.org" },
		{ "uws = { host = \"jobs.example.org\"; port = 3308; };\n", "uws.port", "3308" },
		{ "uws = { socket = \"/run/mysqld/mysqld.sock\"; name = \"jobs\"; };\n", "uws.name", "jobs" },
		{ "uws = { user = \"uws_rw\"; };\n", "uws.user", "uws_rw" },
		{ "async = { executors = 0; };\n", "async.executors", "0" },          /* no jobs run here */
		{ "async = { executors = 256; };\n", "async.executors", "256" },
		{ "async = { results_dir = \"/srv/results\"; };\n", "async.results_dir", "/srv/results" },
		{ "async = { execution_duration = 86400; };\n", "async.execution_duration", "86400" }, /* = max */
		{ "async = { execution_duration = 10; max_execution_duration = 10; };\n",
		  "async.max_execution_duration", "10" },
		{ "async = { destruction = 60; max_destruction = 60; };\n", "async.destruction", "60" },
		{ "async = { max_wait = 0; };\n", "async.max_wait", "0" },
		{ "async = { max_active_jobs = 5; max_active_jobs_per_owner = 1; };\n",
		  "async.max_active_jobs_per_owner", "1" },
		{ "async = { max_requeues = 0; };\n", "async.max_requeues", "0" },
		{ "async = { executor_poll_ms = 10; };\n", "async.executor_poll_ms", "10" },
		{ "async = { housekeeping_interval = 3600; };\n", "async.housekeeping_interval", "3600" },
		/* The socket mode is octal in the file, as written or quoted. */
		{ "listen_mode = 0600;\n", "listen_mode", "0600" },
		{ "listen_mode = 0660;\n", "listen_mode", "0660" },
		{ "listen_mode = 0777;\n", "listen_mode", "0777" },
		{ "listen_mode = 0;\n", "listen_mode", "0" },
		{ "listen_mode = \"0640\";\n", "listen_mode", "0640" },
		{ "listen_mode = \"600\";\n", "listen_mode", "0600" },
		{ "listen_mode = 0x1A4;\n", "listen_mode", "0644" },    /* hex is a number, not digits */
		/* Comments of all three kinds. */
		{ "# c\n// c\n/* c\n workers = 2; */\nworkers = 3; # trailing\n", "workers", "3" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = write_file(f, cases[i].text);
		tr_err err = TR_ERR_INIT;
		tr_config *cfg = config_load(f->a, path, &err);
		if (cfg == NULL)
			fail_msg("case %zu (%s): %s", i, cases[i].text, err.msg);
		check_value(cfg, cases[i].name, cases[i].value, cases[i].text);
		assert_string_equal(cfg->source, path);
	}
}

typedef struct error_case {
	const char *text;   /* file content; its last line is the one in error */
	int with_line;      /* 1: message starts "FILE:LINE:" (LINE = the last line) */
	const char *expect; /* substring of the message */
} error_case;

static const error_case error_cases[] = {
	/* Out of range, with the line of the setting. */
	{ "# a comment\n\nworkers = 0;\n", 1, "setting 'workers': 0 is out of range (1 to 1024)" },
	{ "workers = 1025;\n", 1, "setting 'workers': 1025 is out of range (1 to 1024)" },
	{ "workers = -3;\n", 1, "setting 'workers': -3 is out of range" },
	{ "grace_time = 86401;\n", 1, "setting 'grace_time': 86401 is out of range (0 to 86400)" },
	{ "max_requests = 5000000000L;\n", 1, "setting 'max_requests': 5000000000 is out of range" },
	{ "workers = 4;\ndatabase = {\n  host = \"h\";\n  port = 70000; };\n", 1,
	  "setting 'database.port': 70000 is out of range (1 to 65535)" },
	{ "limits = { query_timeout = 0; };\n", 1, "setting 'limits.query_timeout': 0 is out of range" },
	{ "listen_mode = 01000;\n", 1, "setting 'listen_mode': '1000' is out of range (0 to 0777)" },
	{ "listen_backlog = 0;\n", 1, "setting 'listen_backlog': 0 is out of range" },
	/* Wrong types. */
	{ "workers = 1.5;\n", 1, "setting 'workers': wrong type" },
	{ "workers = \"four\";\n", 1, "setting 'workers': 'four' is not an integer" },
	{ "workers = \"\";\n", 1, "setting 'workers': '' is not an integer" },
	{ "workers = \"4x\";\n", 1, "is not an integer" },
	{ "listen = [\"a\", \"b\"];\n", 1, "setting 'listen': wrong type" },
	{ "listen = (\"a\");\n", 1, "setting 'listen': wrong type" },
	{ "database = { port = 33.06; };\n", 1, "setting 'database.port': wrong type" },
	{ "listen_mode = \"0800\";\n", 1, "setting 'listen_mode': '0800' is not an octal mode" },
	{ "listen_mode = \"rw-rw----\";\n", 1, "is not an octal mode" },
	/* Unknown names: a typo is an error, not a silent default. */
	{ "workers = 4;\nwrokers = 4;\n", 1, "unknown setting 'wrokers'" },
	{ "host = \"db\";\n", 1, "unknown setting 'host'" },
	{ "database = 5;\n", 1, "unknown setting 'database'" },
	{ "database = {\n  hots = \"db\";\n};\n", 0, "unknown setting 'database.hots'" },
	{ "limits = { workers = 4; };\n", 1, "unknown setting 'limits.workers'" },
	{ "db = { host = \"x\"; };\n", 1, "unknown group 'db'" },
	{ "data = { host = \"x\"; };\n", 1, "unknown group 'data'" },
	{ "workers = { n = 4; };\n", 1, "unknown group 'workers'" },
	{ "database = { tls = { ca = \"x\"; }; };\n", 1, "unknown group 'database.tls'" },
	/* Syntax errors carry the line too. */
	{ "workers = 4;\nworkers = = 5;\n", 1, "" },
	{ "database = { host = \"x\";\n", 0, "" },
	/* Validation after loading. */
	{ "log_level = \"verbose\";\n", 0, "setting 'log_level': 'verbose' is not one of error, warn, info, debug" },
	{ "base_path = \"tap\";\n", 0, "setting 'base_path': 'tap' must start with '/'" },
	{ "base_path = \"/tap/\";\n", 0, "setting 'base_path': '/tap/' must start with '/' and not end with one" },
	{ "base_path = \"/\";\n", 0, "setting 'base_path'" },
	{ "uws = { port = 0; };\n", 1, "setting 'uws.port': 0 is out of range (1 to 65535)" },
	{ "uws = { hots = \"x\"; };\n", 1, "unknown setting 'uws.hots'" },
	{ "async = { executors = 257; };\n", 1, "setting 'async.executors': 257 is out of range (0 to 256)" },
	{ "async = { executors = -1; };\n", 1, "setting 'async.executors': -1 is out of range" },
	{ "async = { executor_poll_ms = 9; };\n", 1, "setting 'async.executor_poll_ms': 9 is out of range (10 to 60000)" },
	{ "async = { executor_poll_ms = 60001; };\n", 1, "setting 'async.executor_poll_ms': 60001 is out of range" },
	{ "async = { execution_duration = 0; };\n", 1, "setting 'async.execution_duration': 0 is out of range" },
	{ "async = { housekeeping_interval = 0; };\n", 1, "setting 'async.housekeeping_interval': 0 is out of range" },
	{ "async = { max_active_jobs = 0; };\n", 1, "setting 'async.max_active_jobs': 0 is out of range" },
	{ "async = { max_requeues = 101; };\n", 1, "setting 'async.max_requeues': 101 is out of range" },
	{ "async = { destruction = 59; };\n", 1, "setting 'async.destruction': 59 is out of range" },
	{ "async = { workers = 2; };\n", 1, "unknown setting 'async.workers'" },
	/* A new job's defaults must be values a client could ask for. */
	{ "async = { execution_duration = 86401; };\n", 0,
	  "setting 'async.execution_duration': 86401 is above async.max_execution_duration (86400)" },
	{ "async = { max_execution_duration = 60; };\n", 0,
	  "setting 'async.execution_duration': 3600 is above async.max_execution_duration (60)" },
	{ "async = { destruction = 2592001; };\n", 0,
	  "setting 'async.destruction': 2592001 is above async.max_destruction (2592000)" },
	{ "async = { max_destruction = 86400; };\n", 0,
	  "setting 'async.destruction': 604800 is above async.max_destruction (86400)" },
	{ "async = { results_dir = \"results\"; };\n", 0, "setting 'async.results_dir': 'results' is not an absolute path" },
	{ "async = { results_dir = \"\"; };\n", 0, "setting 'async.results_dir': '' is not an absolute path" },
};

static int count_lines(const char *text)
{
	int n = 0;
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	return n;
}

static void test_file_errors(void **state)
{
	fixture *f = *state;
	for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
		const error_case *c = &error_cases[i];
		const char *path = write_file(f, c->text);
		tr_err err = TR_ERR_INIT;
		tr_config *cfg = config_load(f->a, path, &err);
		if (cfg != NULL)
			fail_msg("case %zu (%s): loaded without an error", i, c->text);
		assert_int_equal(err.code, TR_ECONFIG);
		if (strstr(err.msg, c->expect) == NULL)
			fail_msg("case %zu: message '%s' lacks '%s'", i, err.msg, c->expect);
		/* The operator learns which file, and where. */
		char where[512];
		if (c->with_line)
			snprintf(where, sizeof where, "%s:%d: ", path, count_lines(c->text));
		else
			snprintf(where, sizeof where, "%s", path);
		if (strncmp(err.msg, where, strlen(where)) != 0)
			fail_msg("case %zu: message '%s' does not start with '%s'", i, err.msg, where);
	}
}

static void test_missing_file(void **state)
{
	fixture *f = *state;
	const char *path = arena_printf(f->a, "%s/does-not-exist.conf", f->dir);
	assert_non_null(path);
	tr_err err = TR_ERR_INIT;
	assert_null(config_load(f->a, path, &err));
	assert_int_equal(err.code, TR_ECONFIG);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "cannot read configuration file"));
}

static void test_env_overrides(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *var, *value;
		const char *text;  /* file content */
		const char *name;  /* setting to check, NULL = an error is expected */
		const char *expect; /* value, or a substring of the error message */
	} cases[] = {
		{ "TAPROOM_WORKERS", "12", "workers = 8;\n", "workers", "12" },
		{ "TAPROOM_LISTEN", "127.0.0.1:9000", "listen = \"/run/x.sock\";\n", "listen", "127.0.0.1:9000" },
		{ "TAPROOM_LISTEN", "", "listen = \"/run/x.sock\";\n", "listen", "" },
		{ "TAPROOM_DB_HOST", "db2", "database = { host = \"db1\"; };\n", "database.host", "db2" },
		{ "TAPROOM_DB_PORT", "3307", "database = { port = 3308; };\n", "database.port", "3307" },
		{ "TAPROOM_DB_NAME", "gaia", "", "database.name", "gaia" },
		{ "TAPROOM_DB_USER", "reader", "", "database.user", "reader" },
		{ "TAPROOM_DB_SOCKET", "/run/mysqld/mysqld.sock", "", "database.socket", "/run/mysqld/mysqld.sock" },
		{ "TAPROOM_UWS_HOST", "jobs2", "uws = { host = \"jobs1\"; };\n", "uws.host", "jobs2" },
		{ "TAPROOM_UWS_PORT", "3309", "uws = { port = 3308; };\n", "uws.port", "3309" },
		{ "TAPROOM_UWS_SOCKET", "/run/u.sock", "", "uws.socket", "/run/u.sock" },
		{ "TAPROOM_UWS_NAME", "jobs", "", "uws.name", "jobs" },
		{ "TAPROOM_UWS_USER", "writer", "uws = { user = \"x\"; };\n", "uws.user", "writer" },
		{ "TAPROOM_UWS_PASSWORD_FILE", "/dev/null", "", "uws.password_file", "/dev/null" },
		{ "TAPROOM_EXECUTORS", "0", "async = { executors = 4; };\n", "async.executors", "0" },
		{ "TAPROOM_RESULTS_DIR", "/mnt/results", "", "async.results_dir", "/mnt/results" },
		{ "TAPROOM_EXECUTION_DURATION", "600", "", "async.execution_duration", "600" },
		{ "TAPROOM_DESTRUCTION", "3600", "async = { destruction = 7200; };\n", "async.destruction", "3600" },
		{ "TAPROOM_EXECUTORS", "300", "", NULL, "TAPROOM_EXECUTORS: setting 'async.executors': 300 is out of range" },
		{ "TAPROOM_EXECUTION_DURATION", "100000", "", NULL,
		  "setting 'async.execution_duration': 100000 is above async.max_execution_duration (86400)" },
		{ "TAPROOM_RESULTS_DIR", "", "", NULL, "setting 'async.results_dir'" },
		{ "TAPROOM_QUERY_TIMEOUT", "60", "limits = { query_timeout = 30; };\n", "limits.query_timeout", "60" },
		{ "TAPROOM_BASE_PATH", "/tap", "base_path = \"/other\";\n", "base_path", "/tap" },
		{ "TAPROOM_BASE_URL", "https://x.org/tap", "", "base_url", "https://x.org/tap" },
		{ "TAPROOM_LOG_LEVEL", "debug", "log_level = \"warn\";\n", "log_level", "debug" },
		{ "TAPROOM_MAX_REQUESTS", "0", "", "max_requests", "0" },
		{ "TAPROOM_GRACE_TIME", "5", "", "grace_time", "5" },
		{ "TAPROOM_PID_FILE", "/run/t.pid", "", "pid_file", "/run/t.pid" },
		/* A bad value from the environment names the variable. */
		{ "TAPROOM_WORKERS", "abc", "workers = 8;\n", NULL, "TAPROOM_WORKERS: setting 'workers': 'abc' is not an integer" },
		{ "TAPROOM_WORKERS", "0", "", NULL, "TAPROOM_WORKERS: setting 'workers': 0 is out of range" },
		{ "TAPROOM_DB_PORT", "", "", NULL, "TAPROOM_DB_PORT" },
		{ "TAPROOM_BASE_PATH", "tap/", "", NULL, "setting 'base_path'" },
		{ "TAPROOM_LOG_LEVEL", "loud", "", NULL, "setting 'log_level'" },
		/* The environment fixes a bad file value only if the file is valid on its own. */
		{ "TAPROOM_WORKERS", "4", "workers = 0;\n", NULL, "setting 'workers': 0 is out of range" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		clear_env();
		assert_int_equal(setenv(cases[i].var, cases[i].value, 1), 0);
		const char *path = write_file(f, cases[i].text);
		tr_err err = TR_ERR_INIT;
		tr_config *cfg = config_load(f->a, path, &err);
		char ctx[128];
		snprintf(ctx, sizeof ctx, "case %zu (%s=%s)", i, cases[i].var, cases[i].value);
		if (cases[i].name) {
			if (cfg == NULL)
				fail_msg("%s: %s", ctx, err.msg);
			check_value(cfg, cases[i].name, cases[i].expect, ctx);
		} else {
			if (cfg != NULL)
				fail_msg("%s: loaded without an error", ctx);
			assert_int_equal(err.code, TR_ECONFIG);
			if (strstr(err.msg, cases[i].expect) == NULL)
				fail_msg("%s: message '%s' lacks '%s'", ctx, err.msg, cases[i].expect);
		}
	}
	/* Without a file too. */
	clear_env();
	assert_int_equal(setenv("TAPROOM_WORKERS", "3", 1), 0);
	tr_err err = TR_ERR_INIT;
	tr_config *cfg = config_load(f->a, NULL, &err);
	assert_non_null(cfg);
	assert_int_equal(cfg->workers, 3);
}

/* The two database accounts read their passwords the same way. */
typedef struct account {
	const char *group;    /* "database" or "uws" */
	const char *file_var; /* environment variable naming the password file */
	const char *pw_var;   /* environment variable holding the password */
	size_t off;           /* offset of the password in tr_config */
	size_t other_off;     /* the other account's, which must stay "" */
} account;

static const account accounts[] = {
	{ "database", "TAPROOM_DB_PASSWORD_FILE", "TAPROOM_DB_PASSWORD", offsetof(tr_config, db_password),
	  offsetof(tr_config, uws_password) },
	{ "uws", "TAPROOM_UWS_PASSWORD_FILE", "TAPROOM_UWS_PASSWORD", offsetof(tr_config, uws_password),
	  offsetof(tr_config, db_password) },
};

static const char *password_at(const tr_config *cfg, size_t off)
{
	const char *v;
	memcpy(&v, (const char *)cfg + off, sizeof v);
	return v;
}

static void test_password(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *content;   /* password file content, NULL = the file does not exist */
		int via_env_file;      /* name the file with the _PASSWORD_FILE variable, not in the file */
		const char *env_pw;    /* the _PASSWORD variable, NULL = unset */
		const char *expect;    /* the password; NULL = an error */
	} cases[] = {
		{ "secret\n", 0, NULL, "secret" },
		{ "secret\r\n", 0, NULL, "secret" },
		{ "secret", 0, NULL, "secret" },
		{ "secret\n\n", 0, NULL, "secret" },
		{ " sec ret \n", 0, NULL, " sec ret " }, /* only line ends are stripped */
		{ "", 0, NULL, "" },
		{ "from-env-file\n", 1, NULL, "from-env-file" },
		{ "file\n", 0, "env", "env" },          /* the variable beats the file */
		{ NULL, 0, "env", "env" },              /* ...which is then not even read */
		{ "file\n", 0, "", "" },                /* set but empty still wins */
		{ NULL, 0, NULL, NULL },                /* a named file that is missing is an error */
	};
	for (size_t k = 0; k < sizeof accounts / sizeof accounts[0]; k++) {
		const account *acc = &accounts[k];
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			clear_env();
			const char *pwfile;
			if (cases[i].content) {
				pwfile = write_file(f, cases[i].content);
			} else {
				pwfile = arena_printf(f->a, "%s/missing-password", f->dir);
				assert_non_null(pwfile);
			}
			const char *text = "";
			if (cases[i].via_env_file)
				assert_int_equal(setenv(acc->file_var, pwfile, 1), 0);
			else
				text = arena_printf(f->a, "%s = { password_file = \"%s\"; };\n", acc->group, pwfile);
			if (cases[i].env_pw)
				assert_int_equal(setenv(acc->pw_var, cases[i].env_pw, 1), 0);
			const char *path = write_file(f, text);
			tr_err err = TR_ERR_INIT;
			tr_config *cfg = config_load(f->a, path, &err);
			if (cases[i].expect == NULL) {
				assert_null(cfg);
				assert_int_equal(err.code, TR_ECONFIG);
				char setting[64];
				snprintf(setting, sizeof setting, "'%s.password_file'", acc->group);
				if (strstr(err.msg, setting) == NULL || strstr(err.msg, pwfile) == NULL)
					fail_msg("%s case %zu: message '%s' lacks %s or the file", acc->group, i, err.msg,
					         setting);
				continue;
			}
			if (cfg == NULL)
				fail_msg("%s case %zu: %s", acc->group, i, err.msg);
			if (strcmp(password_at(cfg, acc->off), cases[i].expect) != 0)
				fail_msg("%s case %zu: password '%s', expected '%s'", acc->group, i,
				         password_at(cfg, acc->off), cases[i].expect);
			/* One account's password never leaks into the other's. */
			assert_string_equal(password_at(cfg, acc->other_off), "");
		}
	}
	/* Both at once, from different sources. */
	clear_env();
	const char *pwfile = write_file(f, "uws-secret\n");
	const char *path = write_file(f, arena_printf(f->a, "uws = { password_file = \"%s\"; };\n", pwfile));
	assert_int_equal(setenv("TAPROOM_DB_PASSWORD", "db-secret", 1), 0);
	tr_err err = TR_ERR_INIT;
	tr_config *cfg = config_load(f->a, path, &err);
	assert_non_null(cfg);
	assert_string_equal(cfg->db_password, "db-secret");
	assert_string_equal(cfg->uws_password, "uws-secret");
	/* No password anywhere: empty. */
	clear_env();
	cfg = config_load(f->a, NULL, &err);
	assert_non_null(cfg);
	assert_string_equal(cfg->db_password, "");
	assert_string_equal(cfg->uws_password, "");
}

static void test_config_set(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *name, *value;
		const char *expect;  /* value, or for errors a substring of the message */
		int ok;
	} cases[] = {
		{ "workers", "7", "7", 1 },
		{ "listen", "127.0.0.1:9001", "127.0.0.1:9001", 1 },
		{ "listen", "", "", 1 },
		{ "database.port", "3310", "3310", 1 },
		{ "limits.query_timeout", "30", "30", 1 },
		{ "listen_mode", "0600", "0600", 1 },
		{ "log_level", "error", "error", 1 },
		{ "base_path", "/tap", "/tap", 1 },
		{ "workers", "0", "--workers: setting 'workers': 0 is out of range", 0 },
		{ "workers", "many", "--workers: setting 'workers': 'many' is not an integer", 0 },
		{ "nosuch", "1", "unknown setting 'nosuch'", 0 },
		{ "port", "1", "unknown setting 'port'", 0 },
		/* The same validation as the file and the environment. */
		{ "log_level", "verbose", "setting 'log_level'", 0 },
		{ "base_path", "tap/", "setting 'base_path'", 0 },
		{ "async.executors", "0", "0", 1 },
		{ "uws.socket", "/run/u.sock", "/run/u.sock", 1 },
		{ "async.max_execution_duration", "3600", "3600", 1 }, /* = execution_duration */
		{ "async.max_execution_duration", "3599", "setting 'async.execution_duration': 3600 is above", 0 },
		{ "async.destruction", "2592001", "setting 'async.destruction': 2592001 is above", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tr_err err = TR_ERR_INIT;
		tr_config *cfg = config_load(f->a, NULL, &err);
		assert_non_null(cfg);
		int rc = config_set(f->a, cfg, cases[i].name, cases[i].value, &err);
		char ctx[128];
		snprintf(ctx, sizeof ctx, "case %zu (%s=%s)", i, cases[i].name, cases[i].value);
		if (cases[i].ok) {
			if (rc != TR_OK)
				fail_msg("%s: %s", ctx, err.msg);
			check_value(cfg, cases[i].name, cases[i].expect, ctx);
		} else {
			assert_int_equal(rc, TR_ECONFIG);
			assert_int_equal(err.code, TR_ECONFIG);
			if (strstr(err.msg, cases[i].expect) == NULL)
				fail_msg("%s: message '%s' lacks '%s'", ctx, err.msg, cases[i].expect);
		}
	}
}

/* A file setting everything, for the allocation-failure walk. */
static const char all_settings[] =
	"listen = \"/tmp/x.sock\"; listen_mode = 0600; listen_owner = \"a\"; listen_group = \"b\";\n"
	"listen_backlog = 10; workers = 2; max_requests = 5; grace_time = 1; respawn_backoff_max = 2;\n"
	"pid_file = \"/tmp/x.pid\"; log_level = \"warn\"; base_url = \"http://x\"; base_path = \"/tap\";\n"
	"database = { host = \"h\"; port = 1; socket = \"s\"; name = \"n\"; user = \"u\";\n"
	"  connect_timeout = 1; read_timeout = 2; };\n"
	"limits = { query_timeout = 3; };\n"
	"uws = { host = \"uh\"; port = 2; socket = \"us\"; name = \"un\"; user = \"uu\"; };\n"
	"async = { executors = 1; results_dir = \"/r\"; execution_duration = 5; destruction = 60; };\n";

static void check_no_null_string(void *ctx, const char *name, const char *env, const char *def, const char *doc)
{
	(void)env, (void)def, (void)doc;
	const tr_config *cfg = ctx;
	const field *fl = find_field(name);
	assert_non_null(fl);
	if (!fl->is_int) {
		const char *v;
		memcpy(&v, (const char *)cfg + fl->off, sizeof v);
		if (v == NULL)
			fail_msg("setting '%s' is NULL after a successful load", name);
	}
}

static void test_every_allocation_failing(void **state)
{
	fixture *f = *state;
	const char *pwfile = write_file(f, "pw\n");
	const char *path = write_file(f, all_settings);
	const char *with_pw = arena_printf(f->a, "%s/pw.conf", f->dir);
	assert_non_null(with_pw);
	FILE *fp = fopen(with_pw, "w");
	assert_non_null(fp);
	fprintf(fp, "%sdatabase = { password_file = \"%s\"; };\nuws = { password_file = \"%s\"; };\n",
	        "workers = 3;\n", pwfile, pwfile);
	fclose(fp);
	static const struct {
		int which;      /* 0: all settings, 1: password file, 2: TAPROOM_DB_PASSWORD + env override */
	} cases[] = { { 0 }, { 1 }, { 2 } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		clear_env();
		if (cases[i].which == 2) {
			assert_int_equal(setenv("TAPROOM_DB_PASSWORD", "envpw", 1), 0);
			assert_int_equal(setenv("TAPROOM_UWS_PASSWORD", "envpw2", 1), 0);
			assert_int_equal(setenv("TAPROOM_WORKERS", "5", 1), 0);
		}
		const char *file = cases[i].which == 1 ? with_pw : path;
		int succeeded = 0;
		for (unsigned long n = 1; n < 1000 && !succeeded; n++) {
			arena *a = arena_create(0, 0);
			assert_non_null(a);
			tr_err err = TR_ERR_INIT;
			arena_fail_after(n);
			tr_config *cfg = config_load(a, file, &err);
			arena_fail_after(0);
			if (cfg == NULL) {
				/* Running out of memory is reported as such, never as a bad setting. */
				if (err.code != TR_ENOMEM)
					fail_msg("case %zu, allocation %lu failing: code %d, '%s'", i, n, err.code, err.msg);
			} else {
				succeeded = 1;
				assert_non_null(cfg->source);
				assert_string_equal(cfg->source, file);
				assert_non_null(cfg->db_password);
				assert_non_null(cfg->uws_password);
				config_each(check_no_null_string, cfg);
			}
			arena_destroy(a);
		}
		assert_true(succeeded);
	}
}

/* ---- conf/taproom.conf ------------------------------------------------------------------------ */

/* A file of the source tree (rel: "conf/taproom.conf"), found through top_srcdir (exported by
 * `make check`), else next to this source file, else relative to the current directory. */
static const char *source_path(arena *a, const char *rel)
{
	const char *top = getenv("top_srcdir");
	if (top && *top)
		return arena_printf(a, "%s/%s", top, rel);
	static const char self[] = "tests/unit/test_config.c";
	const char *file = __FILE__;
	size_t n = strlen(file), k = sizeof self - 1;
	if (n >= k && strcmp(file + n - k, self) == 0)
		return arena_printf(a, "%.*s%s", (int)(n - k), file, rel);
	return rel;
}

static void read_whole(const char *path, strbuf *out)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		strbuf_add(out, buf, n);
	fclose(fp);
	assert_false(strbuf_failed(out));
}

/* Settings assigned in libconfig text ("group.name"), comments and strings skipped. */
#define MAX_FOUND 128
typedef struct found_list {
	char names[MAX_FOUND][96];
	int n;
} found_list;

static int is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*'; }
static int is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '_'; }

static void scan_assignments(const char *s, found_list *out)
{
	char groups[4][48];
	int depth = 0;
	size_t i = 0;
	while (s[i]) {
		char c = s[i];
		if (c == '#' || (c == '/' && s[i + 1] == '/')) {
			while (s[i] && s[i] != '\n')
				i++;
		} else if (c == '/' && s[i + 1] == '*') {
			const char *end = strstr(s + i + 2, "*/");
			i = end ? (size_t)(end - s) + 2 : strlen(s);
		} else if (c == '"') {
			for (i++; s[i] && s[i] != '"'; i++)
				if (s[i] == '\\' && s[i + 1])
					i++;
			if (s[i])
				i++;
		} else if (c == '}') {
			if (depth > 0)
				depth--;
			i++;
		} else if (is_name_start(c) && (i == 0 || !is_name_char(s[i - 1]))) {
			size_t start = i;
			while (is_name_char(s[i]))
				i++;
			char name[48];
			snprintf(name, sizeof name, "%.*s", (int)(i - start), s + start);
			size_t j = i;
			while (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')
				j++;
			if (s[j] != '=' && s[j] != ':')
				continue;
			j++;
			while (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')
				j++;
			if (s[j] == '{') {
				if (depth < 4)
					snprintf(groups[depth], sizeof groups[depth], "%s", name);
				depth++;
				i = j + 1;
			} else if (out->n < MAX_FOUND) {
				char *dst = out->names[out->n++];
				const size_t cap = sizeof out->names[0];
				size_t w = 0;
				for (int g = 0; g < depth && g < 4 && w < cap; g++)
					w += (size_t)snprintf(dst + w, cap - w, "%s.", groups[g]);
				if (w < cap)
					snprintf(dst + w, cap - w, "%s", name);
				i = j;
			}
		} else {
			i++;
		}
	}
}

typedef struct example_ctx {
	const found_list *found;
	const char *text;
} example_ctx;

static void check_documented(void *ctx, const char *name, const char *env, const char *def, const char *doc)
{
	(void)def, (void)doc;
	const example_ctx *e = ctx;
	int seen = 0;
	for (int i = 0; i < e->found->n; i++)
		if (strcmp(e->found->names[i], name) == 0)
			seen++;
	if (seen != 1)
		fail_msg("conf/taproom.conf sets '%s' %d times, expected once", name, seen);
	if (env && strstr(e->text, env) == NULL)
		fail_msg("conf/taproom.conf does not mention %s (for '%s')", env, name);
}

static void test_example_file(void **state)
{
	fixture *f = *state;
	const char *path = source_path(f->a, "conf/taproom.conf");
	assert_non_null(path);
	strbuf text = STRBUF_INIT(0);
	read_whole(path, &text);
	found_list *found = calloc(1, sizeof *found);
	assert_non_null(found);
	scan_assignments(strbuf_str(&text), found);
	/* Every setting appears, in its group, with its environment variable. */
	example_ctx e = { found, strbuf_str(&text) };
	config_each(check_documented, &e);
	assert_non_null(strstr(strbuf_str(&text), "TAPROOM_DB_PASSWORD"));
	assert_non_null(strstr(strbuf_str(&text), "TAPROOM_UWS_PASSWORD"));
	/* And the file loads as shipped. */
	tr_err err = TR_ERR_INIT;
	tr_config *cfg = config_load(f->a, path, &err);
	if (cfg == NULL)
		fail_msg("%s does not load: %s", path, err.msg);
	free(found);
	strbuf_free(&text);
}

static void check_in_man_page(void *ctx, const char *name, const char *env, const char *def, const char *doc)
{
	(void)def, (void)doc;
	const char *text = ctx;
	/* Setting names appear bold on a line of their own (.B name) in CONFIGURATION. */
	char line[128];
	snprintf(line, sizeof line, "\n.B %s\n", name);
	if (strstr(text, line) == NULL)
		fail_msg("doc/taproom.8 does not document setting '%s'", name);
	if (env && strstr(text, env) == NULL)
		fail_msg("doc/taproom.8 does not mention %s (for '%s')", env, name);
}

static void test_man_page(void **state)
{
	fixture *f = *state;
	const char *path = source_path(f->a, "doc/taproom.8");
	assert_non_null(path);
	strbuf text = STRBUF_INIT(0);
	read_whole(path, &text);
	config_each(check_in_man_page, (void *)strbuf_str(&text));
	static const char *const extra[] = { "TAPROOM_DB_PASSWORD", "TAPROOM_UWS_PASSWORD", "TAPROOM_CONFIG",
		                             "SIGHUP", "SIGTERM" };
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (strstr(strbuf_str(&text), extra[i]) == NULL)
			fail_msg("doc/taproom.8 does not mention %s", extra[i]);
	strbuf_free(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_field_table_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_allocation_failing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_example_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_man_page, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
