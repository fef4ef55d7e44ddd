/* async: the TAP 1.1 §3 /async endpoint, a UWS 1.1 job list.  The HTTP side only: job state is
 * in the UWS database (uws/store.h), jobs run in the executors (uws/executor.h), so any worker of
 * any replica answers for any job.
 *
 *   /async                      GET: job list (PHASE, AFTER, LAST filters); POST: create a job
 *   /async/ID                   GET: job document (WAIT, PHASE: blocking); POST ACTION=DELETE,
 *                               PHASE=RUN|ABORT; DELETE
 *   /async/ID/phase             GET; POST PHASE=RUN|ABORT
 *   /async/ID/executionduration GET; POST EXECUTIONDURATION (PENDING only)
 *   /async/ID/destruction       GET; POST DESTRUCTION
 *   /async/ID/parameters        GET; POST parameters (PENDING only)
 *   /async/ID/results           GET;  /async/ID/results/result: the result document
 *   /async/ID/error             GET: the VOTable error document of a failed job
 *   /async/ID/quote, owner, runId, creationTime, startTime, endTime: GET, text/plain
 *
 * Decisions where UWS 1.1 leaves room:
 * - A job created by an authenticated user (REMOTE_USER) is that user's: others get 403.  An
 *   anonymous job is readable and controllable by whoever holds its id (ids are 128 random bits).
 *   An anonymous job list shows the anonymous jobs created from the same client address, so the
 *   ids of other people's jobs are never listed.
 * - Limits (async.max_active_jobs, max_active_jobs_per_owner) count QUEUED and EXECUTING jobs and
 *   are checked when a job is queued; over them the request gets 429 and the job stays PENDING
 *   (or, on creation with PHASE=RUN, is not created).
 * - Successful POSTs answer 303 See Other to the job (to the job list after a delete), with
 *   absolute URLs built like those in /capabilities.
 * - Errors are VOTable error documents (DALI 1.1 §4.4.2) with the HTTP status of their cause. */
#ifndef TR_TAP_ASYNC_H
#define TR_TAP_ASYNC_H

#include "http/handler.h"

/* Longest blocking wait poll step, milliseconds: a phase change is seen at most this late. */
#define ASYNC_WAIT_POLL_MS 250
/* Jobs in one job list document at most, whatever the filters say. */
#define ASYNC_LIST_MAX 10000

int tap_async_list(tr_request_ctx *ctx);
int tap_async_job(tr_request_ctx *ctx);

#endif
