/* store: UWS job state in the database (sql/uws.sql: tables uws_job and uws_parameter), so that
 * any worker of any replica answers for any job and a restart loses nothing.
 *
 * Every state change is one conditional UPDATE (WHERE phase = ...), or a row read FOR UPDATE and
 * changed in the same transaction, so concurrent requests from different replicas cannot both win;
 * functions say which phases they accept and return TR_ECONFLICT (HTTP 409) when the job is in
 * another, TR_ENOTFOUND (404) when there is no such job.  An id that is not uws_job_id_is_valid is
 * TR_ENOTFOUND without reaching the database.  Every value reaches SQL as a bound parameter.
 * Connection trouble is TR_EDB_UNAVAILABLE (the connection is then closed, and the next call
 * reconnects), other database errors TR_EDB.  Times come from the database server's clock
 * (UNIX_TIMESTAMP(NOW(3))), never the replica's.
 *
 * Executors: a claim takes the MariaDB/MySQL user lock "taproom_uws:ID" (GET_LOCK) on the
 * executor's own UWS connection before the job becomes EXECUTING, and holds it until the job ends.
 * The server releases the lock when that connection dies (executor killed, pod gone), so an
 * EXECUTING job whose lock is free has no executor: the housekeeper re-queues it (up to
 * max_requeues) or fails it.  `attempt` counts claims; an executor's updates name the attempt it
 * claimed, so a job re-queued behind its back is never finished twice.
 *
 * The store uses a db_conn it does not own (the worker's or executor's UWS connection) and calls
 * db_conn_ensure before each operation. */
#ifndef TR_UWS_STORE_H
#define TR_UWS_STORE_H

#include "db/conn.h"
#include "util/config.h"
#include "uws/job.h"
#include "util/arena.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Connection parameters of the UWS database from cfg: uws.* with host, port and socket taken from
 * the database section when uws.host and uws.socket are both empty. */
void uws_store_db_params(const tr_config *cfg, db_params *out);

/* The user-lock name of a job: "taproom_uws:" + id. */
#define UWS_LOCK_PREFIX "taproom_uws:"

/* Creates the job from job->id, owner, client, run_id, phase (PENDING or QUEUED),
 * execution_duration, params; creation time is now and destruction_ms is
 * now + destruction_s (the caller's clamped value).  Job and parameters are written in one
 * transaction (an executor never sees a QUEUED job without its parameters).  TR_EDB (also for an
 * id that exists already), TR_EINTERNAL for an invalid id or phase. */
int uws_store_create(db_conn *c, const uws_job *job, int destruction_s, tr_err *err);

/* Reads the job and its parameters into out (strings in a).  TR_ENOTFOUND when there is none. */
int uws_store_get(db_conn *c, arena *a, const char *id, uws_job *out, tr_err *err);

/* Only the phase (cheap; blocking GETs and executors poll it).  TR_ENOTFOUND. */
int uws_store_phase(db_conn *c, const char *id, uws_phase *out, tr_err *err);

typedef struct uws_list_filter {
	const char *owner;       /* only this owner's jobs; NULL = only anonymous jobs */
	const char *client;      /* with owner NULL: only anonymous jobs created from this client
	                          * address (the column `client`); NULL = every anonymous job */
	unsigned phases;         /* bit (1u << phase) per phase wanted; 0 = all but ARCHIVED */
	int64_t after_ms;        /* creation strictly after this; 0 = no bound (UWS 1.1 AFTER) */
	long last;               /* the most recent `last` jobs only; 0 = no bound (UWS 1.1 LAST) */
	long max;                /* never more than this many rows (the service's own bound); 0 = none */
} uws_list_filter;

/* Jobs matching f, newest first when f->last is set, else in creation order (UWS 1.1 §2.2.1.1).
 * Only id, owner, run_id, phase and creation_ms are filled; params are not read. */
int uws_store_list(db_conn *c, arena *a, const uws_list_filter *f, uws_job **out, size_t *n, tr_err *err);

/* Replaces the values of the named parameters (and adds new ones) while PENDING (UWS 1.1 §2.2.3.6);
 * TR_ECONFLICT in any other phase.  Names compare case-insensitively: a name given replaces every
 * value the job had under it (the first keeps its place and takes the name as now spelled, the
 * others go); names the job did not have are appended in the order given; a name given twice in
 * params keeps both values.  One transaction, with the job's row locked. */
int uws_store_set_params(db_conn *c, const char *id, const uws_param *params, size_t n, tr_err *err);
/* While PENDING (the same value again is TR_OK); TR_ECONFLICT otherwise.  seconds already clamped by
 * the caller. */
int uws_store_set_execution_duration(db_conn *c, const char *id, int seconds, tr_err *err);
/* In any phase (UWS 1.1 §2.2.3.3: the service may refuse or adjust; the caller clamps). */
int uws_store_set_destruction(db_conn *c, const char *id, int64_t ms, tr_err *err);

/* PENDING -> QUEUED.  Already QUEUED or EXECUTING: TR_OK, nothing changes (a repeated RUN).  A
 * final phase: TR_ECONFLICT. */
int uws_store_run(db_conn *c, const char *id, tr_err *err);

/* PENDING, QUEUED or EXECUTING -> ABORTED with end time now.  *was_executing tells whether it was
 * running, and *thread_id then holds the query connection to KILL QUERY (0 when the executor had not
 * started the statement yet).  Already final: TR_OK, *was_executing false, nothing changes. */
int uws_store_abort(db_conn *c, const char *id, bool *was_executing, unsigned long *thread_id, tr_err *err);

/* Deletes the job and its parameters.  Same outputs as uws_store_abort, for the KILL QUERY of a
 * running job.  TR_ENOTFOUND when there is none. */
int uws_store_delete(db_conn *c, const char *id, bool *was_executing, unsigned long *thread_id, tr_err *err);

/* QUEUED + EXECUTING jobs: of this owner (owner NULL: anonymous jobs from client), and in total. */
int uws_store_count_active(db_conn *c, const char *owner, const char *client, long *n_owner, long *n_total,
                           tr_err *err);

/* ---- executors -------------------------------------------------------------------------------- */

/* Claims the oldest QUEUED job: takes its user lock, then QUEUED -> EXECUTING with start time now,
 * attempt + 1 and executor recorded.  Returns 1 with the job read into out (params included), 0
 * when no job is queued (or every queued one was taken by others meanwhile).  Should reading the
 * claimed job fail, the lock is given back and the error returned: the job, EXECUTING with a free
 * lock, is then re-queued by uws_store_recover like any job whose executor died. */
int uws_store_claim(db_conn *c, arena *a, const char *executor, uws_job *out, tr_err *err);

/* Records the query connection's thread id before the statement runs.  TR_ECONFLICT when the job is
 * no longer EXECUTING under this attempt (aborted, deleted or re-queued meanwhile: do not run it);
 * this and the three below also say TR_ECONFLICT (not TR_ENOTFOUND) for a deleted job. */
int uws_store_set_thread(db_conn *c, const char *id, unsigned attempt, unsigned long thread_id, tr_err *err);

/* EXECUTING (this attempt) -> COMPLETED with end time now and the result's description.
 * TR_ECONFLICT when it was aborted or deleted meanwhile (the caller removes the result file). */
int uws_store_complete(db_conn *c, const char *id, unsigned attempt, const char *content_type, int64_t rows,
                       int64_t bytes, bool overflow, tr_err *err);

/* EXECUTING (this attempt) -> ERROR with end time now, message and HTTP status.  TR_ECONFLICT as
 * above. */
int uws_store_fail(db_conn *c, const char *id, unsigned attempt, const char *msg, int status, tr_err *err);

/* EXECUTING (this attempt) -> QUEUED (the executor is stopping and gives the job back; attempt
 * stays, so it counts toward max_requeues). */
int uws_store_requeue(db_conn *c, const char *id, unsigned attempt, tr_err *err);

/* Releases the job's user lock (after complete/fail/requeue, or when set_thread said conflict). */
int uws_store_release(db_conn *c, const char *id, tr_err *err);

/* ---- housekeeping ----------------------------------------------------------------------------- */

/* Ids (in a) of at most max jobs whose destruction time has passed, the longest overdue first. */
int uws_store_expired(db_conn *c, arena *a, long max, char ***ids, size_t *n, tr_err *err);

/* Told of a job whose executor died while its statement ran on query connection thread_id: a
 * statement that sends no rows goes on after its client is gone, until it ends or is killed. */
typedef void uws_orphan_fn(void *ctx, const char *id, unsigned long thread_id);

/* Finds EXECUTING jobs whose user lock is free (their executor died) and, each with one conditional
 * UPDATE, re-queues those with attempt <= max_requeues and fails the others with a message saying the
 * executor stopped.  on_orphan (may be NULL) is called first for each that had a statement running.
 * Reports how many of each. */
int uws_store_recover(db_conn *c, int max_requeues, uws_orphan_fn *on_orphan, void *ctx, long *n_requeued,
                      long *n_failed, tr_err *err);

#endif
