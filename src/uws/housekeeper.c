/* housekeeper: destroys expired jobs and recovers jobs whose executor died (uws/housekeeper.h).
 * It decides nothing about a job on its own: every change is one conditional statement of the job
 * store, so the housekeepers of all replicas may sweep at once.
 * UWS 1.1 §2.1.5 (destruction time), §2.1.3 (phases: nothing stays EXECUTING forever). */
#include "config.h"

#include "uws/housekeeper.h"

#include "pool/worker.h"
#include "uws/job.h"
#include "uws/store.h"
#include "util/arena.h"
#include "util/log.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

/* Expired jobs read per statement: bounds the arena and one statement's work. */
#define HOUSEKEEPER_BATCH 100
/* Batches per sweep: a backlog (a long outage) is worked off over several sweeps, so a sweep stays
 * short and SIGTERM is seen in time. */
#define HOUSEKEEPER_MAX_BATCHES 50
/* Ceiling of the retry delay while the database is down, seconds. */
#define HOUSEKEEPER_BACKOFF_MAX_S 5

/* Deletes one expired job: its row (stopping its statement if it was running), then its files. */
static int destroy(const tr_config *cfg, db_conn *uws, db_conn *query, const char *id, long *n_deleted, tr_err *err)
{
	bool was_executing = false;
	unsigned long thread_id = 0;
	int rc = uws_store_delete(uws, id, &was_executing, &thread_id, err);
	if (rc == TR_ENOTFOUND) {
		/* Another replica's housekeeper, or the owner's DELETE, was first. */
		tr_err_clear(err);
		return TR_OK;
	}
	if (rc < 0)
		return rc;
	(*n_deleted)++;
	tr_err e = TR_ERR_INIT;
	if (was_executing && thread_id != 0 && query != NULL &&
	    (db_conn_ensure(query, &e) < 0 || db_conn_kill_query(query, thread_id, &e) < 0))
		/* Its executor still sees the job vanish at its next phase check. */
		log_warn("job %s: cannot stop its statement: %s", id, e.msg);
	tr_err_clear(&e);
	if (uws_job_remove_files(cfg->results_dir, id, &e) < 0)
		log_warn("job %s: %s", id, e.msg);
	return TR_OK;
}

typedef struct orphan_ctx {
	const tr_config *cfg;
	db_conn *query;
} orphan_ctx;

/* A dead executor's statement: killed, or it runs on (a COUNT over a big join sends nothing, so the
 * server never notices its client left) until its time limit; and its partial result removed. */
static void stop_orphan(void *ctx, const char *id, unsigned long thread_id)
{
	orphan_ctx *o = ctx;
	tr_err e = TR_ERR_INIT;
	if (o->query != NULL && (db_conn_ensure(o->query, &e) < 0 || db_conn_kill_query(o->query, thread_id, &e) < 0))
		log_warn("job %s: cannot stop the statement of its dead executor: %s", id, e.msg);
	tr_err_clear(&e);
	/* Only the partial result: a re-queued job still needs its uploads. */
	if (uws_job_remove_results(o->cfg->results_dir, id, &e) < 0)
		log_warn("job %s: %s", id, e.msg);
}

int housekeeper_sweep(const tr_config *cfg, db_conn *uws, db_conn *query, tr_err *err)
{
	arena *a = arena_create(0, 0);
	if (a == NULL)
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory");
	long n_deleted = 0;
	int rc = TR_OK;
	for (int batch = 0; batch < HOUSEKEEPER_MAX_BATCHES && rc == TR_OK; batch++) {
		char **ids = NULL;
		size_t n = 0;
		rc = uws_store_expired(uws, a, HOUSEKEEPER_BATCH, &ids, &n, err);
		for (size_t i = 0; i < n && rc == TR_OK; i++)
			rc = destroy(cfg, uws, query, ids[i], &n_deleted, err);
		arena_reset(a);
		if (n < HOUSEKEEPER_BATCH)
			break;
	}
	arena_destroy(a);
	if (n_deleted > 0)
		log_info("destroyed %ld expired job%s", n_deleted, n_deleted == 1 ? "" : "s");
	if (rc < 0)
		return rc;
	long n_requeued = 0, n_failed = 0;
	orphan_ctx oc = { cfg, query };
	rc = uws_store_recover(uws, cfg->max_requeues, stop_orphan, &oc, &n_requeued, &n_failed, err);
	if (n_requeued > 0)
		log_warn("re-queued %ld job%s whose executor died", n_requeued, n_requeued == 1 ? "" : "s");
	if (n_failed > 0)
		log_warn("failed %ld job%s whose executor died too often (max_requeues %d)", n_failed,
		         n_failed == 1 ? "" : "s", cfg->max_requeues);
	return rc;
}

/* Sleeps seconds, or less when SIGTERM arrives; returns true when it did. */
static bool wait_or_term(const sigset_t *term, long seconds)
{
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	for (;;) {
		struct timespec now, left;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return false;
		int sig = sigtimedwait(term, NULL, &left);
		if (sig == SIGTERM)
			return true;
		if (sig < 0 && errno != EINTR)
			return false;
	}
}

int housekeeper_main(const tr_config *cfg)
{
	log_set_role("housekeeper");
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	signal(SIGTERM, SIG_DFL); /* blocked: taken with sigtimedwait between sweeps */
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);

	db_params up, qp;
	uws_store_db_params(cfg, &up);
	db_conn_query_params(cfg, &qp);
	db_conn *uws = db_conn_new(&up);
	db_conn *query = db_conn_new(&qp);
	if (uws == NULL || query == NULL) {
		log_error("housekeeper: out of memory at start");
		db_conn_free(uws);
		db_conn_free(query);
		return WORKER_EXIT_FAILED;
	}
	log_info("housekeeper ready: a sweep every %d s", cfg->housekeeping_interval);
	bool is_outage = false;
	long delay_s = 0;
	for (;;) {
		tr_err err = TR_ERR_INIT;
		long wait_s = cfg->housekeeping_interval;
		if (housekeeper_sweep(cfg, uws, query, &err) < 0) {
			if (!is_outage)
				log_error("sweep failed: %s (retrying)", err.msg);
			is_outage = true;
			/* Retry sooner than the interval while the database is down, then back off. */
			delay_s = delay_s ? delay_s * 2 : 1;
			if (delay_s > HOUSEKEEPER_BACKOFF_MAX_S)
				delay_s = HOUSEKEEPER_BACKOFF_MAX_S;
			if (delay_s < wait_s)
				wait_s = delay_s;
		} else {
			if (is_outage)
				log_info("sweeping again");
			is_outage = false;
			delay_s = 0;
		}
		if (wait_or_term(&term, wait_s))
			break;
	}
	db_conn_free(query);
	db_conn_free(uws);
	log_info("housekeeper exiting");
	return WORKER_EXIT_OK;
}
