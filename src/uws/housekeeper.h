/* housekeeper: one process under each master that keeps the job table honest (DESIGN.md):
 *   - jobs past their destruction time are deleted with their files (a running one is aborted and
 *     its statement killed first);
 *   - EXECUTING jobs whose executor died (its user lock is free, store.h) are re-queued up to
 *     async.max_requeues times, then failed with a message: nothing stays EXECUTING forever.
 * Every replica that runs executors runs one (pool/master.c says why); each step is a conditional
 * statement, so they never conflict. */
#ifndef TR_UWS_HOUSEKEEPER_H
#define TR_UWS_HOUSEKEEPER_H

#include "db/conn.h"
#include "util/config.h"
#include "util/err.h"

/* One sweep on the given connections (uws: job state; query: for KILL QUERY of expired running
 * jobs, may be NULL).  For the process loop and for tests. */
int housekeeper_sweep(const tr_config *cfg, db_conn *uws, db_conn *query, tr_err *err);

/* Runs in the forked child: a sweep every async.housekeeping_interval seconds until SIGTERM. */
int housekeeper_main(const tr_config *cfg);

#endif
