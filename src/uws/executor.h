/* executor: an async executor process under the master (DESIGN.md).  It claims QUEUED jobs from the
 * UWS database (store.h), runs each through the same query pipeline as /sync (tap/query.h) with the
 * job's execution duration as the statement time limit, writes the result document to
 * results_dir/ID/result.part and renames it to result when complete, and records the outcome.
 *
 *   - Before the statement runs, the query connection's thread id is recorded, so that PHASE=ABORT
 *     on any replica can KILL QUERY it; while rows stream, the job's phase is re-read every
 *     EXECUTOR_PHASE_CHECK_MS so an abort that raced the start still stops it.
 *   - A full disk, a vanished results_dir or a time limit end the job in ERROR with the reason; a
 *     partial file never stays behind.
 *   - SIGTERM: no new claims; a job in hand stops at its next write and is given back (QUEUED) for
 *     another executor, so a rolling restart loses nothing.
 *   - Between claims it sleeps executor_poll_ms; a database that is down is retried with back-off. */
#ifndef TR_UWS_EXECUTOR_H
#define TR_UWS_EXECUTOR_H

#include "util/config.h"

#define EXECUTOR_PHASE_CHECK_MS 1000

/* Runs in the forked child; returns the exit status for _exit() (WORKER_EXIT_OK when stopped). */
int executor_main(const tr_config *cfg, unsigned index);

#endif
