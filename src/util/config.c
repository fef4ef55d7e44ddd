#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "util/config.h"
#include "util/log.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum setting_type { SET_INT, SET_STR, SET_MODE } setting_type;

typedef struct setting {
	const char *name;  /* path in the file: "workers", "database.host" */
	const char *env;   /* environment override, NULL = none */
	setting_type type;
	size_t off;        /* offset in tr_config */
	long min, max;     /* bounds for SET_INT and SET_MODE */
	const char *def;   /* default, as text */
	const char *doc;   /* one line for --help and the example file */
} setting;

#define OFF(f) offsetof(tr_config, f)

/* 30 days: the longest run time a job may be given.  A statement running longer holds an executor
 * and a database connection for a month; a site that needs more has another problem. */
#define UWS_CONFIG_MAX_DURATION 2592000
/* 10 years (365-day years): results kept longer are archives, not job results. */
#define UWS_CONFIG_MAX_DESTRUCTION 315360000

static const setting settings[] = {
	{ "listen", "TAPROOM_LISTEN", SET_STR, OFF(listen), 0, 0, "/run/taproom/taproom.sock",
	  "FastCGI socket: a unix path or host:port; empty = use the socket inherited on fd 0" },
	{ "listen_mode", NULL, SET_MODE, OFF(listen_mode), 0, 0777, "0660",
	  "permissions of the unix socket (octal)" },
	{ "listen_owner", NULL, SET_STR, OFF(listen_owner), 0, 0, "", "owner of the unix socket" },
	{ "listen_group", NULL, SET_STR, OFF(listen_group), 0, 0, "", "group of the unix socket" },
	{ "listen_backlog", NULL, SET_INT, OFF(listen_backlog), 1, 65535, "1024",
	  "listen(2) backlog in connections" },
	{ "workers", "TAPROOM_WORKERS", SET_INT, OFF(workers), 1, 1024, "4", "sync worker processes" },
	{ "max_requests", "TAPROOM_MAX_REQUESTS", SET_INT, OFF(max_requests), 0, INT_MAX, "10000",
	  "requests a worker serves before it is replaced (0 = never)" },
	{ "grace_time", "TAPROOM_GRACE_TIME", SET_INT, OFF(grace_time), 0, 86400, "30",
	  "seconds in-flight requests may take to finish on stop or reload" },
	{ "respawn_backoff_max", NULL, SET_INT, OFF(respawn_backoff_max), 1, 3600, "30",
	  "ceiling in seconds of the delay between respawns of a crashing worker" },
	{ "pid_file", "TAPROOM_PID_FILE", SET_STR, OFF(pid_file), 0, 0, "", "file the master writes its pid to" },
	{ "log_level", "TAPROOM_LOG_LEVEL", SET_STR, OFF(log_level), 0, 0, "info", "error, warn, info or debug" },
	{ "base_url", "TAPROOM_BASE_URL", SET_STR, OFF(base_url), 0, 0, "",
	  "public URL of the service; empty = built from each request" },
	{ "base_path", "TAPROOM_BASE_PATH", SET_STR, OFF(base_path), 0, 0, "",
	  "URL path prefix the service is mounted under, e.g. /tap" },
	{ "examples_file", "TAPROOM_EXAMPLES_FILE", SET_STR, OFF(examples_file), 0, 0, "",
	  "XHTML page of example queries served at /examples; empty = the built-in one" },
	{ "database.host", "TAPROOM_DB_HOST", SET_STR, OFF(db_host), 0, 0, "127.0.0.1", "database host" },
	{ "database.port", "TAPROOM_DB_PORT", SET_INT, OFF(db_port), 1, 65535, "3306", "database TCP port" },
	{ "database.socket", "TAPROOM_DB_SOCKET", SET_STR, OFF(db_socket), 0, 0, "",
	  "database unix socket; when set it is used instead of host and port" },
	{ "database.name", "TAPROOM_DB_NAME", SET_STR, OFF(db_name), 0, 0, "taproom", "database (schema) name" },
	{ "database.user", "TAPROOM_DB_USER", SET_STR, OFF(db_user), 0, 0, "taproom",
	  "read-only account for user queries" },
	{ "database.password_file", "TAPROOM_DB_PASSWORD_FILE", SET_STR, OFF(db_password_file), 0, 0, "",
	  "file holding the password (TAPROOM_DB_PASSWORD overrides it)" },
	{ "database.connect_timeout", NULL, SET_INT, OFF(db_connect_timeout), 1, 600, "3",
	  "seconds to wait for a database connection" },
	{ "database.read_timeout", NULL, SET_INT, OFF(db_read_timeout), 1, 86400, "3600",
	  "seconds a read from the database may block" },
	{ "uws.host", "TAPROOM_UWS_HOST", SET_STR, OFF(uws_host), 0, 0, "",
	  "UWS job database host; host and socket both empty = those of the database section" },
	{ "uws.port", "TAPROOM_UWS_PORT", SET_INT, OFF(uws_port), 1, 65535, "3306",
	  "UWS job database TCP port (used with uws.host)" },
	{ "uws.socket", "TAPROOM_UWS_SOCKET", SET_STR, OFF(uws_socket), 0, 0, "",
	  "UWS job database unix socket; when set it is used instead of host and port" },
	{ "uws.name", "TAPROOM_UWS_NAME", SET_STR, OFF(uws_name), 0, 0, "taproom_uws",
	  "database holding the async job tables" },
	{ "uws.user", "TAPROOM_UWS_USER", SET_STR, OFF(uws_user), 0, 0, "taproom_uws",
	  "account for job state: SELECT, INSERT, UPDATE, DELETE on uws.name" },
	{ "uws.password_file", "TAPROOM_UWS_PASSWORD_FILE", SET_STR, OFF(uws_password_file), 0, 0, "",
	  "file holding its password (TAPROOM_UWS_PASSWORD overrides it)" },
	{ "async.executors", "TAPROOM_EXECUTORS", SET_INT, OFF(executors), 0, 256, "2",
	  "async executor processes (0 = this instance runs no jobs)" },
	{ "async.results_dir", "TAPROOM_RESULTS_DIR", SET_STR, OFF(results_dir), 0, 0, "/var/lib/taproom/results",
	  "directory of async results, shared by every replica" },
	{ "async.execution_duration", "TAPROOM_EXECUTION_DURATION", SET_INT, OFF(execution_duration), 1,
	  UWS_CONFIG_MAX_DURATION, "3600", "seconds a new job may run" },
	{ "async.max_execution_duration", NULL, SET_INT, OFF(max_execution_duration), 1, UWS_CONFIG_MAX_DURATION,
	  "86400", "longest run time in seconds a client may ask for" },
	{ "async.destruction", "TAPROOM_DESTRUCTION", SET_INT, OFF(destruction), 60, UWS_CONFIG_MAX_DESTRUCTION,
	  "604800", "seconds after its creation a job and its result are deleted" },
	{ "async.max_destruction", NULL, SET_INT, OFF(max_destruction), 60, UWS_CONFIG_MAX_DESTRUCTION, "2592000",
	  "latest destruction, in seconds after creation, a client may ask for" },
	{ "async.max_wait", NULL, SET_INT, OFF(max_wait), 0, 3600, "60",
	  "seconds a blocking job GET (WAIT) may wait at most" },
	{ "async.max_active_jobs", NULL, SET_INT, OFF(max_active_jobs), 1, 1000000, "1000",
	  "queued and executing jobs in the whole service" },
	{ "async.max_active_jobs_per_owner", NULL, SET_INT, OFF(max_active_jobs_per_owner), 1, 1000000, "20",
	  "queued and executing jobs of one user (anonymous: one client address)" },
	{ "async.max_requeues", NULL, SET_INT, OFF(max_requeues), 0, 100, "1",
	  "times a job whose executor died is queued again before it fails" },
	{ "async.executor_poll_ms", NULL, SET_INT, OFF(executor_poll_ms), 10, 60000, "500",
	  "milliseconds between an idle executor's looks for queued jobs" },
	{ "async.housekeeping_interval", NULL, SET_INT, OFF(housekeeping_interval), 1, 3600, "10",
	  "seconds between sweeps for expired jobs and dead executors" },
	{ "limits.query_timeout", "TAPROOM_QUERY_TIMEOUT", SET_INT, OFF(query_timeout), 1, 86400, "600",
	  "seconds a synchronous query may run" },
	{ "limits.maxrec_default", "TAPROOM_MAXREC_DEFAULT", SET_INT, OFF(maxrec_default), 0, INT_MAX, "100000",
	  "rows returned when a query gives no MAXREC" },
	{ "limits.maxrec_max", "TAPROOM_MAXREC_MAX", SET_INT, OFF(maxrec_max), 0, INT_MAX, "50000000",
	  "hard limit on rows per query; a larger MAXREC is lowered to it" },
	{ "limits.schema_check_interval", NULL, SET_INT, OFF(schema_check_interval), 0, 3600, "5",
	  "seconds between checks whether TAP_SCHEMA changed (0 = every request)" },
	{ "upload.max_bytes", "TAPROOM_UPLOAD_MAX_BYTES", SET_INT, OFF(upload_max_bytes), 1, INT_MAX, "67108864",
	  "bytes of the tables uploaded with one query, together (TAP_UPLOAD)" },
	{ "upload.max_rows", "TAPROOM_UPLOAD_MAX_ROWS", SET_INT, OFF(upload_max_rows), 1, INT_MAX, "1000000",
	  "rows of the tables uploaded with one query, together" },
	{ "upload.tmp_dir", "TAPROOM_UPLOAD_TMP_DIR", SET_STR, OFF(upload_tmp_dir), 0, 0, "/tmp",
	  "directory where uploads are spooled (files are unlinked at once)" },
	{ "upload.allow_urls", "TAPROOM_UPLOAD_ALLOW_URLS", SET_INT, OFF(upload_allow_urls), 0, 1, "0",
	  "1 = fetch tables given as UPLOAD=name,http[s]://... (0 = refuse them)" },
	{ "upload.allow_private_urls", NULL, SET_INT, OFF(upload_allow_private_urls), 0, 1, "0",
	  "1 = also fetch from loopback, private and link-local addresses (tests, intranets)" },
	{ "upload.url_timeout", NULL, SET_INT, OFF(upload_url_timeout), 1, 3600, "30",
	  "seconds each connect or read of an upload URL fetch may wait (a whole fetch: 10 times)" },
	{ "upload.ca_file", NULL, SET_STR, OFF(upload_ca_file), 0, 0, "",
	  "PEM file of certificates trusted for https upload URLs besides the system's (\"\": none)" },
};

#define N_SETTINGS (sizeof settings / sizeof settings[0])

static const setting *find_setting(const char *name)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

static int parse_long(const char *text, int base, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, base);
	if (errno || end == text || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Stores value (text) into cfg; where names the origin for messages ("FILE:LINE", "TAPROOM_X"). */
static int store(arena *a, tr_config *cfg, const setting *s, const char *value, const char *where,
                 tr_err *err)
{
	char *base = (char *)cfg + s->off;
	if (s->type == SET_STR) {
		const char *copy = arena_strdup(a, value);
		if (copy == NULL)
			return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory loading configuration");
		memcpy(base, &copy, sizeof copy);
		return TR_OK;
	}
	long v;
	if (parse_long(value, s->type == SET_MODE ? 8 : 10, &v) < 0)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "%s: setting '%s': '%s' is not %s", where, s->name,
		                  value, s->type == SET_MODE ? "an octal mode" : "an integer");
	if (v < s->min || v > s->max) {
		if (s->type == SET_MODE) /* in the operator's notation, not as decimal */
			return tr_err_set(err, TR_ECONFIG, -1, 0, "%s: setting '%s': '%s' is out of range (%#lo to %#lo)",
			                  where, s->name, value, (unsigned long)s->min, (unsigned long)s->max);
		return tr_err_set(err, TR_ECONFIG, -1, 0, "%s: setting '%s': %ld is out of range (%ld to %ld)",
		                  where, s->name, v, s->min, s->max);
	}
	int iv = (int)v;
	memcpy(base, &iv, sizeof iv);
	return TR_OK;
}

/* Checks that every setting in the file is one we know, so a typo is an error, not a default. */
static int check_known(const config_setting_t *group, const char *file, tr_err *err)
{
	int n = config_setting_length(group);
	for (int i = 0; i < n; i++) {
		config_setting_t *st = config_setting_get_elem(group, (unsigned)i);
		char path[256];
		const config_setting_t *parent = config_setting_parent(st);
		if (parent && !config_setting_is_root(parent))
			snprintf(path, sizeof path, "%s.%s", config_setting_name(parent), config_setting_name(st));
		else
			snprintf(path, sizeof path, "%s", config_setting_name(st));
		if (config_setting_is_group(st)) {
			/* Groups nest one level deep: database, limits, ... */
			int known = 0;
			size_t plen = strlen(path);
			for (size_t k = 0; k < N_SETTINGS; k++)
				if (strncmp(settings[k].name, path, plen) == 0 && settings[k].name[plen] == '.')
					known = 1;
			if (!known || (parent && !config_setting_is_root(parent)))
				return tr_err_set(err, TR_ECONFIG, -1, 0, "%s:%d: unknown group '%s'", file,
				                  config_setting_source_line(st), path);
			if (check_known(st, file, err) < 0)
				return err->code;
		} else if (find_setting(path) == NULL) {
			return tr_err_set(err, TR_ECONFIG, -1, 0, "%s:%d: unknown setting '%s'", file,
			                  config_setting_source_line(st), path);
		}
	}
	return TR_OK;
}

/* libconfig up to 1.5 reads "0660" as decimal 660; later versions read it as octal (strtoll base 0),
 * and the setting's format says CONFIG_FORMAT_DEFAULT either way.  So ask the library itself. */
static int libconfig_reads_octal(void)
{
	config_t probe;
	config_init(&probe);
	int v = 0;
	int octal = config_read_string(&probe, "m = 010;") && config_lookup_int(&probe, "m", &v) && v == 8;
	config_destroy(&probe);
	return octal;
}

/* The text of a scalar setting, whatever its libconfig type, so "workers = 4" and
 * "workers = \"4\"" both work and one conversion path validates both.  NULL for a type we cannot
 * use, or with *out_oom set when the arena is exhausted. */
static const char *setting_text(arena *a, config_setting_t *st, const setting *s, int *out_oom)
{
	const char *text;
	*out_oom = 0;
	switch (config_setting_type(st)) {
	case CONFIG_TYPE_STRING:
		return config_setting_get_string(st);
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: {
		long long v = config_setting_get_int64(st);
		/* A mode is octal text: a hex literal, or a leading-zero literal that libconfig already
		 * read as octal, is a number to print in octal; otherwise the decimal digits libconfig
		 * kept are the octal digits the operator wrote. */
		if (s->type == SET_MODE &&
		    (config_setting_get_format(st) == CONFIG_FORMAT_HEX || libconfig_reads_octal()))
			text = arena_printf(a, "%llo", (unsigned long long)v);
		else
			text = arena_printf(a, "%lld", v);
		*out_oom = text == NULL;
		return text;
	}
	case CONFIG_TYPE_BOOL:
		return config_setting_get_bool(st) ? "1" : "0";
	default:
		return NULL;
	}
}

static int load_file(arena *a, tr_config *cfg, const char *path, tr_err *err)
{
	config_t lc;
	config_init(&lc);
	int rc = TR_OK;
	if (!config_read_file(&lc, path)) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			rc = tr_err_set(err, TR_ECONFIG, -1, 0, "%s: cannot read configuration file: %s", path,
			                strerror(errno));
		else
			rc = tr_err_set(err, TR_ECONFIG, -1, 0, "%s:%d: %s", path, config_error_line(&lc),
			                config_error_text(&lc));
		goto out;
	}
	rc = check_known(config_root_setting(&lc), path, err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < N_SETTINGS; i++) {
		config_setting_t *st = config_lookup(&lc, settings[i].name);
		if (st == NULL)
			continue;
		char where[512];
		snprintf(where, sizeof where, "%s:%d", path, config_setting_source_line(st));
		int oom;
		const char *text = setting_text(a, st, &settings[i], &oom);
		if (text == NULL) {
			rc = oom ? tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory loading configuration")
			         : tr_err_set(err, TR_ECONFIG, -1, 0, "%s: setting '%s': wrong type", where,
			                      settings[i].name);
			goto out;
		}
		rc = store(a, cfg, &settings[i], text, where, err);
		if (rc < 0)
			goto out;
	}
out:
	config_destroy(&lc);
	return rc;
}

/* Reads a password from path (the value of setting name) into *out, in a. */
static int read_password_file(arena *a, const char *path, const char *name, const char **out, tr_err *err)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "setting '%s': cannot read %s: %s", name, path,
		                  strerror(errno));
	char buf[1024];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Secrets mounted from files often end in a newline that is not part of the password. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	*out = arena_strdup(a, buf);
	return *out ? TR_OK : tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
}

/* A password: the variable env when set (even empty), else the file named by setting file_name
 * (value file), else "". */
static int load_password(arena *a, const char *env, const char *file, const char *file_name, const char **out,
                         tr_err *err)
{
	const char *pw = getenv(env);
	if (pw) {
		*out = arena_strdup(a, pw);
		return *out ? TR_OK : tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	}
	*out = "";
	if (file[0])
		return read_password_file(a, file, file_name, out, err);
	return TR_OK;
}

/* Checks beyond one value's type and range; where names the origin for messages. */
static int validate(const tr_config *cfg, const char *where, tr_err *err)
{
	if (log_level_parse(cfg->log_level) < 0)
		return tr_err_set(err, TR_ECONFIG, -1, 0,
		                  "%s: setting 'log_level': '%s' is not one of error, warn, info, debug", where,
		                  cfg->log_level);
	if (cfg->base_path[0] && (cfg->base_path[0] != '/' || cfg->base_path[strlen(cfg->base_path) - 1] == '/'))
		return tr_err_set(err, TR_ECONFIG, -1, 0,
		                  "%s: setting 'base_path': '%s' must start with '/' and not end with one", where,
		                  cfg->base_path);
	/* The master chdirs to "/" when it detaches: a relative path would change meaning. */
	if (cfg->results_dir[0] != '/')
		return tr_err_set(err, TR_ECONFIG, -1, 0, "%s: setting 'async.results_dir': '%s' is not an absolute path",
		                  where, cfg->results_dir);
	/* UWS 1.1 §2.1.6, §2.1.8: a new job's values are ones a client could also have asked for. */
	if (cfg->execution_duration > cfg->max_execution_duration)
		return tr_err_set(err, TR_ECONFIG, -1, 0,
		                  "%s: setting 'async.execution_duration': %d is above async.max_execution_duration (%d)",
		                  where, cfg->execution_duration, cfg->max_execution_duration);
	if (cfg->destruction > cfg->max_destruction)
		return tr_err_set(err, TR_ECONFIG, -1, 0,
		                  "%s: setting 'async.destruction': %d is above async.max_destruction (%d)", where,
		                  cfg->destruction, cfg->max_destruction);
	/* Read on every request; checked here so that --check-config and a reload catch a wrong path. */
	if (cfg->examples_file[0] && access(cfg->examples_file, R_OK) != 0)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "%s: setting 'examples_file': cannot read %s: %s", where,
		                  cfg->examples_file, strerror(errno));
	return TR_OK;
}

tr_config *config_load(arena *a, const char *path, tr_err *err)
{
	tr_config *cfg = arena_zalloc(a, sizeof *cfg);
	if (cfg == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory loading configuration");
		return NULL;
	}
	cfg->source = path ? arena_strdup(a, path) : "";
	if (cfg->source == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory loading configuration");
		return NULL;
	}
	cfg->db_password = "";
	cfg->uws_password = "";
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (store(a, cfg, &settings[i], settings[i].def, "default", err) < 0)
			return NULL;
	if (path && load_file(a, cfg, path, err) < 0)
		return NULL;
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const char *v = settings[i].env ? getenv(settings[i].env) : NULL;
		if (v && store(a, cfg, &settings[i], v, settings[i].env, err) < 0)
			return NULL;
	}
	if (validate(cfg, path ? path : "default", err) < 0)
		return NULL;
	if (load_password(a, "TAPROOM_DB_PASSWORD", cfg->db_password_file, "database.password_file",
	                  &cfg->db_password, err) < 0 ||
	    load_password(a, "TAPROOM_UWS_PASSWORD", cfg->uws_password_file, "uws.password_file",
	                  &cfg->uws_password, err) < 0)
		return NULL;
	return cfg;
}

int config_set(arena *a, tr_config *cfg, const char *name, const char *value, tr_err *err)
{
	const setting *s = find_setting(name);
	if (s == NULL)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "unknown setting '%s'", name);
	char where[64];
	snprintf(where, sizeof where, "--%s", name);
	/* Validated like the file: a bad value leaves the setting as it was. */
	tr_config copy = *cfg;
	int rc = store(a, &copy, s, value, where, err);
	if (rc == TR_OK)
		rc = validate(&copy, where, err);
	if (rc == TR_OK)
		*cfg = copy;
	return rc;
}

void config_each(config_visit_fn *fn, void *ctx)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		fn(ctx, settings[i].name, settings[i].env, settings[i].def, settings[i].doc);
}
