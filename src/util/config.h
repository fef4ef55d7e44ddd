/* config: the one configuration file (libconfig syntax), environment overrides, validation.
 *
 * Every setting lives in one table in config.c (name, environment variable, type, bounds, default,
 * documentation); conf/taproom.conf documents the same settings for operators, and the unit test
 * checks that the two agree.  A loaded tr_config lives in the arena it was loaded into (the
 * process's config arena), so a reload builds a new one beside the old and swaps it in only when
 * loading succeeded. */
#ifndef TR_UTIL_CONFIG_H
#define TR_UTIL_CONFIG_H

#include "util/arena.h"
#include "util/err.h"

typedef struct tr_config {
	const char *source;        /* file it came from, "" for built-in defaults */

	/* process pool */
	const char *listen;        /* unix socket path, or host:port; "" = socket inherited on fd 0 */
	int listen_mode;           /* permission bits of a unix socket (octal in the file) */
	const char *listen_owner;  /* user name for chown of the unix socket, "" = leave */
	const char *listen_group;  /* group name for chown of the unix socket, "" = leave */
	int listen_backlog;        /* listen(2) backlog, connections */
	int workers;               /* sync worker processes */
	int max_requests;          /* requests a worker serves before it is replaced; 0 = never */
	int grace_time;            /* seconds in-flight requests get to finish on stop/reload */
	int respawn_backoff_max;   /* seconds: ceiling of the delay between crash-loop respawns */
	const char *pid_file;      /* written by the master, "" = none */
	const char *log_level;     /* error, warn, info, debug */

	/* service identity */
	const char *base_url;      /* public URL of the service root; "" = from the request */
	const char *base_path;     /* URL path prefix the service lives under, e.g. "/tap"; "" = root */
	const char *examples_file; /* DALI examples page served at /examples; "" = the built-in one */

	/* database for user queries */
	const char *db_host;       /* host name or IP; "" with db_socket set = unix socket */
	int db_port;               /* TCP port */
	const char *db_socket;     /* unix socket path, "" = TCP */
	const char *db_name;       /* default database */
	const char *db_user;       /* read-only account */
	const char *db_password;   /* from db_password_file or TAPROOM_DB_PASSWORD, never logged */
	const char *db_password_file;
	int db_connect_timeout;    /* seconds */
	int db_read_timeout;       /* seconds a network read may block (ping, results) */

	/* database for UWS job state (a write-capable account of its own); host and socket both
	 * empty = the database section's host, port and socket */
	const char *uws_host;
	int uws_port;
	const char *uws_socket;
	const char *uws_name;      /* database holding the uws_job and uws_parameter tables */
	const char *uws_user;
	const char *uws_password;  /* from uws.password_file or TAPROOM_UWS_PASSWORD, never logged */
	const char *uws_password_file;

	/* async jobs (UWS 1.1, TAP 1.1 §3) */
	int executors;               /* async executor processes under this master; 0 = none here */
	const char *results_dir;     /* job result files, shared by every replica */
	int execution_duration;      /* seconds a new job may run (UWS executionDuration) */
	int max_execution_duration;  /* the ceiling a client may ask for; 0 in a request means this */
	int destruction;             /* seconds after creation a new job is destroyed */
	int max_destruction;         /* the ceiling a client may ask for, seconds after creation */
	int max_wait;                /* seconds a blocking GET (WAIT=n) may hold a worker */
	int max_active_jobs;         /* QUEUED + EXECUTING jobs in the whole service */
	int max_active_jobs_per_owner; /* QUEUED + EXECUTING jobs of one owner (anonymous: one address) */
	int max_requeues;            /* times a job whose executor died is queued again before ERROR */
	int executor_poll_ms;        /* an idle executor looks for QUEUED jobs this often */
	int housekeeping_interval;   /* seconds between destruction and dead-executor sweeps */

	/* limits */
	int query_timeout;         /* seconds a sync query may run on the database */
	int maxrec_default;        /* rows returned when the request gives no MAXREC (TAP 1.1 §2.7.4) */
	int maxrec_max;            /* the hard limit: larger MAXREC values are lowered to it */
	int schema_check_interval; /* seconds between checks whether TAP_SCHEMA changed */

	/* TAP_UPLOAD (TAP 1.1 §2.5.6): tables a query brings along */
	int upload_max_bytes;      /* bytes of the uploaded VOTables of one request together */
	int upload_max_rows;       /* rows of the uploaded tables of one request together */
	const char *upload_tmp_dir; /* directory of the (unlinked) spool files of uploads */
	int upload_allow_urls;     /* 1: UPLOAD=name,http://... is fetched by the service; 0: refused */
	int upload_allow_private_urls; /* 1: also from loopback, private, link-local addresses */
	int upload_url_timeout;    /* seconds each connect or read of such a fetch may wait */
	const char *upload_ca_file; /* PEM certificates trusted for https uploads besides the system's */
} tr_config;

/* Loads path (NULL = built-in defaults only), then applies TAPROOM_* environment variables, then
 * validates.  On error returns NULL with err->msg "FILE:LINE: setting 'x': why". */
tr_config *config_load(arena *a, const char *path, tr_err *err);

/* Applies a command-line value to a setting by its name in the file ("workers", "listen").  Returns
 * TR_OK or TR_ECONFIG with a message. */
int config_set(arena *a, tr_config *cfg, const char *name, const char *value, tr_err *err);

/* Visits every setting: name in the file, environment variable, default, one-line documentation.
 * For --help, the man page test and the example-file test. */
typedef void config_visit_fn(void *ctx, const char *name, const char *env, const char *def,
                             const char *doc);
void config_each(config_visit_fn *fn, void *ctx);

#endif
