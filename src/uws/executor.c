/* executor: the async executor process (uws/executor.h): claims QUEUED jobs, runs each through the
 * one query pipeline (tap/query.h) into results_dir/ID/result.part, renames it to result and records
 * the outcome in the job store.
 * It trusts only the job row: limits were applied when the job was created, and it speaks no HTTP.
 * UWS 1.1 §2.1.3 (phases), §2.1.6 (executionDuration); TAP 1.1 §3 (async), §2.9 (errors in results). */
#include "config.h"

#include "uws/executor.h"

#include "db/conn.h"
#include "http/request.h"
#include "pool/worker.h"
#include "tap/catalog_cache.h"
#include "tap/query.h"
#include "tap/upload.h"
#include "uws/job.h"
#include "uws/store.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The result file's write buffer: large enough that a multi-gigabyte result costs few system calls,
 * small enough to be irrelevant next to the database client's buffers. */
#define EXECUTOR_BUF_BYTES ((size_t)256 * 1024)
/* A job's arena may not grow past this (the worker's bound, for the same reason: results stream). */
#define EXECUTOR_ARENA_MAX ((size_t)256 * 1024 * 1024)
/* Ceiling of the retry delay while the database is down: a few seconds, so jobs resume soon after. */
#define EXECUTOR_BACKOFF_MAX_MS 5000
/* Seconds a read of the query connection may block beyond the longest statement time limit: the
 * server ends the statement itself at its limit and the answer needs a moment to arrive. */
#define EXECUTOR_READ_MARGIN_S 60
/* "host:pid": a host name (HOST_NAME_MAX is 64 on Linux, 255 by POSIX) and a pid. */
#define EXECUTOR_NAME_MAX 300

typedef struct executor {
	const tr_config *cfg;
	unsigned index;                  /* for logs */
	char name[EXECUTOR_NAME_MAX];    /* "host:pid", recorded by each claim */
	db_conn *uws;                    /* job state; holds the claimed job's user lock */
	db_conn *query;                  /* runs the jobs' statements (the read-only account) */
	catalog_cache *cc;
	arena *a;                        /* one job's memory, reset after each */
	char *buf;                       /* EXECUTOR_BUF_BYTES, the result file's write buffer */
	sigset_t term;                   /* { SIGTERM } */
	bool is_stopping;                /* SIGTERM seen: no new claims */
} executor;

/* Why the sink refused to write: the job ends accordingly. */
typedef enum stop_reason {
	STOP_NONE = 0,
	STOP_GONE,    /* aborted or deleted meanwhile: record nothing, keep nothing */
	STOP_TERM,    /* SIGTERM: give the job back (QUEUED) */
	STOP_TIME,    /* the execution duration passed while the result was being written */
	STOP_IO,      /* the result file cannot be written (write_errno) */
} stop_reason;

/* The result file of the job in hand, as the query pipeline's sink. */
typedef struct job_output {
	executor *ex;
	const uws_job *job;
	int fd;                    /* result.part, -1 when not open */
	size_t used;               /* bytes in ex->buf not yet written */
	int64_t bytes;             /* bytes of the document so far */
	const char *content_type;  /* from the start callback (arena) */
	long long deadline_ms;     /* monotonic; 0 = no time limit */
	long long next_check_ms;   /* monotonic: next phase check */
	stop_reason stop;
	int write_errno;           /* STOP_IO: why */
} job_output;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SIGTERM stays blocked in the executor (so no system call inside the database client is ever
 * interrupted); it is only looked at, here and in the idle wait. */
static bool term_pending(executor *ex)
{
	if (ex->is_stopping)
		return true;
	sigset_t pending;
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGTERM) == 1)
		ex->is_stopping = true;
	return ex->is_stopping;
}

/* Sleeps ms milliseconds, or less when SIGTERM arrives (then is_stopping is set). */
static void wait_or_term(executor *ex, long ms)
{
	long long deadline = now_ms() + ms;
	while (!ex->is_stopping) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return;
		struct timespec ts = { (time_t)(left / 1000), (long)(left % 1000) * 1000000L };
		int sig = sigtimedwait(&ex->term, NULL, &ts);
		if (sig == SIGTERM)
			ex->is_stopping = true;
		else if (sig < 0 && errno != EINTR)
			return;
	}
}

/* ---- the result file ------------------------------------------------------------------------ */

static int output_flush(job_output *o)
{
	size_t off = 0;
	while (off < o->used) {
		ssize_t w = write(o->fd, o->ex->buf + off, o->used - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* A regular file accepts at least one byte unless something is wrong: 0 is
			 * treated as a full disk rather than looped on. */
			o->write_errno = w < 0 ? errno : ENOSPC;
			o->stop = STOP_IO;
			return -1;
		}
		off += (size_t)w;
	}
	o->used = 0;
	return 0;
}

/* Whether the job must stop now: its time is up, SIGTERM arrived, or (checked every
 * EXECUTOR_PHASE_CHECK_MS) someone aborted or deleted it. */
static bool output_should_stop(job_output *o)
{
	long long now = now_ms();
	if (o->deadline_ms && now >= o->deadline_ms)
		o->stop = STOP_TIME;
	else if (term_pending(o->ex))
		o->stop = STOP_TERM;
	else if (now >= o->next_check_ms) {
		o->next_check_ms = now + EXECUTOR_PHASE_CHECK_MS;
		uws_phase ph;
		tr_err err = TR_ERR_INIT;
		int rc = uws_store_phase(o->ex->uws, o->job->id, &ph, &err);
		if (rc == TR_ENOTFOUND || (rc == TR_OK && ph != UWS_EXECUTING))
			o->stop = STOP_GONE;
		else if (rc < 0)
			/* The job store is unreachable: keep going; the outcome is recorded (or refused, if
			 * the job was re-queued meanwhile) when the result is complete. */
			log_warn("cannot check the job's phase: %s", err.msg);
	}
	return o->stop != STOP_NONE;
}

static int output_write(void *ctx, const char *p, size_t n)
{
	job_output *o = ctx;
	if (o->stop != STOP_NONE || output_should_stop(o))
		return -1;
	o->bytes += (int64_t)n;
	while (n > 0) {
		if (o->used == EXECUTOR_BUF_BYTES && output_flush(o) < 0)
			return -1;
		size_t k = EXECUTOR_BUF_BYTES - o->used;
		if (k > n)
			k = n;
		memcpy(o->ex->buf + o->used, p, k);
		o->used += k;
		p += k;
		n -= k;
	}
	return 0;
}

static int output_start(void *ctx, const char *content_type)
{
	job_output *o = ctx;
	o->content_type = arena_strdup(o->ex->a, content_type);
	return o->content_type ? 0 : -1;
}

/* Creates results_dir/ID/ and opens result.part.  results_dir itself must exist: creating it
 * would hide a shared volume that failed to mount. */
static int output_open(executor *ex, const uws_job *job, job_output *o, tr_err *err)
{
	const char *root = ex->cfg->results_dir;
	struct stat st;
	if (root[0] == '\0' || stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return tr_err_set(err, TR_EIO, -1, 0, "results_dir %s does not exist", root);
	const char *dir = uws_job_dir(ex->a, root, job->id);
	const char *part = uws_result_part_path(ex->a, root, job->id);
	if (dir == NULL || part == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return tr_err_set(err, TR_EIO, -1, 0, "cannot write the result: %s", strerror(errno));
	o->fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (o->fd < 0)
		return tr_err_set(err, TR_EIO, -1, 0, "cannot write the result: %s", strerror(errno));
	return TR_OK;
}

/* Writes what is buffered, makes it durable and closes the file.  fsync: the job row says
 * COMPLETED in a durable database, so the file it points to must survive a crash too; and on the
 * network file systems results_dir usually lives on (NFS, CephFS), write errors such as a full
 * volume often surface only at fsync or close. */
static int output_finish(job_output *o)
{
	int rc = output_flush(o);
	if (rc == 0 && fsync(o->fd) < 0) {
		o->write_errno = errno;
		rc = -1;
	}
	if (close(o->fd) < 0 && rc == 0) {
		o->write_errno = errno;
		rc = -1;
	}
	o->fd = -1;
	if (rc < 0)
		o->stop = STOP_IO;
	return rc;
}

/* Drops the output (the result and its partial file); the job's uploads stay for another run
 * (a job given back) until the job is destroyed or deleted. */
static void output_discard(executor *ex, const uws_job *job, job_output *o)
{
	if (o->fd >= 0) {
		close(o->fd);
		o->fd = -1;
	}
	tr_err err = TR_ERR_INIT;
	if (uws_job_remove_results(ex->cfg->results_dir, job->id, &err) < 0)
		log_warn("cannot remove the job's files: %s", err.msg);
}

/* ---- one job ------------------------------------------------------------------------------- */

/* The job's parameters as a request's, read by the same parser as /sync's. */
static int job_params(executor *ex, const uws_job *job, tap_params *p, tr_err *err)
{
	http_request req;
	memset(&req, 0, sizeof req);
	for (size_t i = 0; i < job->n_params; i++) {
		const uws_param *jp = &job->params[i];
		if (http_request_add_param(&req, ex->a, jp->name, jp->value, jp->value_len, err) < 0)
			return err->code;
	}
	tap_params_opts popts = {
		.maxrec_default = ex->cfg->maxrec_default, .maxrec_limit = ex->cfg->maxrec_max,
		.is_lang_required = 0,
	};
	return tap_params_parse(&req, ex->a, &popts, p, err);
}

/* After an update of the job store failed: the connection is closed, which also frees the job's
 * user lock on the server, so the housekeeper recovers the job if it is still EXECUTING. */
static void store_failed(executor *ex, const char *what, const tr_err *err)
{
	log_error("cannot record %s: %s (the housekeeper will recover the job)", what, err->msg);
	db_conn_close(ex->uws);
}

static void record_failure(executor *ex, const uws_job *job, job_output *o, const char *msg, int status)
{
	output_discard(ex, job, o);
	tr_err err = TR_ERR_INIT;
	int rc = uws_store_fail(ex->uws, job->id, job->attempt, msg, status, &err);
	if (rc == TR_OK)
		log_info("job failed: %s", msg);
	else if (rc == TR_ECONFLICT)
		log_info("job aborted or deleted meanwhile; its error is not recorded: %s", msg);
	else
		store_failed(ex, "the job's error", &err);
}

static void record_success(executor *ex, const uws_job *job, job_output *o, const tap_query_stats *stats)
{
	const char *part = uws_result_part_path(ex->a, ex->cfg->results_dir, job->id);
	const char *final = uws_result_path(ex->a, ex->cfg->results_dir, job->id);
	if (part == NULL || final == NULL) {
		record_failure(ex, job, o, "out of memory", 500);
		return;
	}
	if (rename(part, final) < 0) {
		const char *msg = arena_printf(ex->a, "cannot write the result: %s", strerror(errno));
		record_failure(ex, job, o, msg ? msg : "cannot write the result", 500);
		return;
	}
	tr_err err = TR_ERR_INIT;
	int rc = uws_store_complete(ex->uws, job->id, job->attempt, o->content_type, (int64_t)stats->rows, o->bytes,
	                            stats->is_overflow, &err);
	if (rc == TR_OK) {
		log_info("job completed: %llu rows, %lld bytes%s", (unsigned long long)stats->rows, (long long)o->bytes,
		         stats->is_overflow ? " (overflow)" : "");
		return;
	}
	output_discard(ex, job, o);
	if (rc == TR_ECONFLICT)
		log_info("job aborted or deleted meanwhile: result discarded");
	else
		store_failed(ex, "the job's completion", &err);
}

/* Gives the job back to the queue (this executor is stopping). */
static void give_back(executor *ex, const uws_job *job, job_output *o)
{
	output_discard(ex, job, o);
	tr_err err = TR_ERR_INIT;
	int rc = uws_store_requeue(ex->uws, job->id, job->attempt, &err);
	if (rc == TR_OK)
		log_info("stopping: job given back to the queue");
	else if (rc != TR_ECONFLICT)
		store_failed(ex, "the job's return to the queue", &err);
}

/* The job's uploaded tables, kept as files when it was created (tap/async.c), as temporary tables
 * of the query session for this run (dropped when the job's arena is reset). */
static int load_uploads(executor *ex, const uws_job *job, const tap_params *p, const catalog **out,
                        tr_err *err)
{
	*out = NULL;
	if (p->uploads.n == 0)
		return TR_OK;
	tap_upload_item *items = arena_calloc(ex->a, p->uploads.n, sizeof *items);
	if (items == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	for (size_t i = 0; i < p->uploads.n; i++) {
		const tap_upload *u = &p->uploads.items[i];
		/* inline and URL tables alike: a URL was fetched when the job was created (tap/async.c) */
		const char *path = uws_upload_path(ex->a, ex->cfg->results_dir, job->id, u->name);
		if (path == NULL)
			return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
		items[i].name = u->name;
		if (tap_upload_open_file(ex->a, path, &items[i].src, err) < 0)
			return err->code;
	}
	tap_upload_limits lim;
	tap_upload_limits_of(ex->cfg, &lim);
	catalog *overlay = NULL;
	if (tap_upload_load(ex->query, ex->a, items, p->uploads.n, &lim, &overlay, err) < 0)
		return err->code;
	*out = overlay;
	return TR_OK;
}

static void run_job(executor *ex, const uws_job *job)
{
	const tr_config *cfg = ex->cfg;
	log_set_request(job->id);
	log_info("job claimed (attempt %u)", job->attempt);
	/* UWS 1.1 §2.1.6: 0 means unlimited; the service still bounds it by its own maximum (also for
	 * a job created before a reload lowered it: the query connection's read timeout assumes it). */
	int limit_s = job->execution_duration > 0 ? job->execution_duration : cfg->max_execution_duration;
	if (limit_s > cfg->max_execution_duration)
		limit_s = cfg->max_execution_duration;
	job_output o = { .ex = ex, .job = job, .fd = -1 };
	tap_params p;
	memset(&p, 0, sizeof p);
	tap_query_stats stats = { 0 };
	tr_err err = TR_ERR_INIT;

	int rc = job_params(ex, job, &p, &err);
	bool has_params = rc == TR_OK;
	if (rc == TR_OK)
		rc = output_open(ex, job, &o, &err);
	const catalog *cat = NULL;
	if (rc == TR_OK) {
		cat = catalog_cache_get(ex->cc, ex->query, &err);
		rc = cat ? TR_OK : err.code;
	}
	const catalog *uploads = NULL;
	if (rc == TR_OK)
		rc = load_uploads(ex, job, &p, &uploads, &err);
	if (rc == TR_OK && term_pending(ex)) {
		give_back(ex, job, &o);
		goto done;
	}
	if (rc == TR_OK) {
		/* Before the statement starts, so PHASE=ABORT anywhere can KILL QUERY it. */
		tr_err serr = TR_ERR_INIT;
		int src = uws_store_set_thread(ex->uws, job->id, job->attempt, db_conn_thread_id(ex->query), &serr);
		if (src == TR_ECONFLICT) {
			log_info("job aborted or deleted before it started");
			output_discard(ex, job, &o);
			goto done;
		}
		if (src < 0) {
			output_discard(ex, job, &o);
			store_failed(ex, "the job's database thread", &serr);
			goto done;
		}
	}
	if (rc == TR_OK) {
		tap_query_env env = {
			.db = ex->query, .cat = cat, .uploads = uploads, .a = ex->a, .timeout_s = limit_s,
			.request_id = job->id, .server = "taproom " PACKAGE_VERSION,
		};
		tap_query_output out = { output_start, &o, { output_write, &o } };
		long long start = now_ms();
		o.deadline_ms = limit_s > 0 ? start + (long long)limit_s * 1000 : 0;
		o.next_check_ms = start + EXECUTOR_PHASE_CHECK_MS;
		rc = tap_query_run(&env, &p, &out, &stats, &err);
		if (o.stop != STOP_NONE)
			/* The statement may still be sending rows: closing the connection ends it now
			 * (the cursor would do the same, but only when the arena is reset). */
			db_conn_close(ex->query);
		else if (rc == TR_OK)
			output_finish(&o);
	}

	const char *msg;
	switch (o.stop) {
	case STOP_GONE:
		log_info("job aborted or deleted while running: result discarded");
		output_discard(ex, job, &o);
		break;
	case STOP_TERM:
		give_back(ex, job, &o);
		break;
	case STOP_TIME:
		msg = arena_printf(ex->a, "the query exceeded its time limit (execution duration %d s) while its result was written",
		                   limit_s);
		record_failure(ex, job, &o, msg ? msg : "the query exceeded its time limit", tr_err_http(TR_ETIMEOUT));
		break;
	case STOP_IO:
		msg = arena_printf(ex->a, "cannot write the result: %s", strerror(o.write_errno));
		record_failure(ex, job, &o, msg ? msg : "cannot write the result", 500);
		break;
	case STOP_NONE:
		if (rc == TR_OK) {
			record_success(ex, job, &o, &stats);
		} else if (rc == TR_ETIMEOUT) {
			msg = arena_printf(ex->a, "%s (execution duration %d s)", err.msg, limit_s);
			record_failure(ex, job, &o, msg ? msg : err.msg, err.http_status ? err.http_status : tr_err_http(rc));
		} else {
			/* TAP 1.1 §2.9: an error after the output began makes the result incomplete, even
			 * though a VOTable already ends with the error: the job is in ERROR either way. */
			const char *text = tap_query_error_text(ex->a, has_params ? &p : NULL, &err);
			record_failure(ex, job, &o, text, err.http_status ? err.http_status : tr_err_http(err.code));
		}
		break;
	}
done:
	if (o.fd >= 0)
		close(o.fd);
	tr_err rerr = TR_ERR_INIT;
	if (db_conn_handle(ex->uws) != NULL && uws_store_release(ex->uws, job->id, &rerr) < 0) {
		/* Closing the connection frees the lock just as well. */
		log_warn("cannot release the job's lock: %s", rerr.msg);
		db_conn_close(ex->uws);
	}
	log_set_request(NULL);
}

/* ---- the process ---------------------------------------------------------------------------- */

static void executor_name(char *out, size_t n)
{
	char host[256];
	if (gethostname(host, sizeof host) < 0)
		snprintf(host, sizeof host, "unknown");
	host[sizeof host - 1] = '\0';
	snprintf(out, n, "%s:%ld", host, (long)getpid());
}

static void executor_free(executor *ex)
{
	arena_destroy(ex->a); /* first: its cleanups may still use the connections */
	catalog_cache_free(ex->cc);
	db_conn_free(ex->query);
	db_conn_free(ex->uws);
	free(ex->buf);
}

int executor_main(const tr_config *cfg, unsigned index)
{
	log_set_role("executor");
	signal(SIGHUP, SIG_IGN);  /* reloads are the master's business */
	signal(SIGINT, SIG_IGN);  /* Ctrl-C reaches the whole group; the master drains us */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	signal(SIGTERM, SIG_DFL); /* never delivered: blocked, and taken with sigtimedwait/sigpending */

	executor ex;
	memset(&ex, 0, sizeof ex);
	ex.cfg = cfg;
	ex.index = index;
	sigemptyset(&ex.term);
	sigaddset(&ex.term, SIGTERM);
	sigprocmask(SIG_BLOCK, &ex.term, NULL);
	executor_name(ex.name, sizeof ex.name);

	db_params up, qp;
	uws_store_db_params(cfg, &up);
	db_conn_query_params(cfg, &qp);
	/* A job's statement may run for its whole execution duration before the first row arrives; the
	 * client must not give up reading before the server ends it (run_job keeps every limit
	 * within max_execution_duration). */
	unsigned longest = (unsigned)cfg->max_execution_duration + EXECUTOR_READ_MARGIN_S;
	if (qp.read_timeout != 0 && qp.read_timeout < longest)
		qp.read_timeout = longest;
	/* The job's user lock lives as long as the UWS session, which sits idle while a statement
	 * computes: the server must not end it as idle (wait_timeout, 8 h by default) first. */
	up.idle_timeout = longest;
	ex.uws = db_conn_new(&up);
	ex.query = db_conn_new(&qp);
	ex.cc = catalog_cache_new(cfg->schema_check_interval);
	ex.a = arena_create(0, EXECUTOR_ARENA_MAX);
	ex.buf = malloc(EXECUTOR_BUF_BYTES);
	if (ex.uws == NULL || ex.query == NULL || ex.cc == NULL || ex.a == NULL || ex.buf == NULL) {
		log_error("executor %u: out of memory at start", index);
		executor_free(&ex);
		return WORKER_EXIT_FAILED;
	}
	log_info("executor %u ready (%s)", index, ex.name);

	bool is_outage = false;
	long delay_ms = 0;
	while (!term_pending(&ex)) {
		tr_err err = TR_ERR_INIT;
		uws_job job;
		/* No claim while the query database is unreachable: the jobs stay QUEUED for later
		 * rather than all ending in ERROR during a database restart. */
		int rc = db_conn_ensure(ex.query, &err);
		if (rc == TR_OK)
			rc = uws_store_claim(ex.uws, ex.a, ex.name, &job, &err);
		if (rc < 0) {
			if (!is_outage)
				log_error("cannot take jobs: %s (retrying)", err.msg);
			is_outage = true;
			delay_ms = delay_ms ? delay_ms * 2 : cfg->executor_poll_ms;
			if (delay_ms > EXECUTOR_BACKOFF_MAX_MS)
				delay_ms = EXECUTOR_BACKOFF_MAX_MS;
			arena_reset(ex.a);
			wait_or_term(&ex, delay_ms);
			continue;
		}
		if (is_outage)
			log_info("the databases are reachable again: taking jobs");
		is_outage = false;
		delay_ms = 0;
		if (rc == 1)
			run_job(&ex, &job);
		arena_reset(ex.a);
		if (rc == 0)
			wait_or_term(&ex, cfg->executor_poll_ms);
	}
	/* Take a pending SIGTERM, so unblocking it on the way out cannot kill us. */
	struct timespec zero = { 0, 0 };
	while (sigtimedwait(&ex.term, NULL, &zero) == SIGTERM)
		;
	executor_free(&ex);
	log_info("executor %u exiting", index);
	return WORKER_EXIT_OK;
}
