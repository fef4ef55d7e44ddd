/* master: owns the listen socket and the child processes: sync workers, async executors and (when it
 * runs executors) one housekeeper.
 *
 *   SIGCHLD  reap; a child that died unexpectedly is respawned, with exponential back-off while
 *            children keep dying young (a crash loop must not spin the CPU)
 *   SIGHUP   re-read the configuration; only when it is valid, replace the workers one at a time:
 *            start one new worker, ask one old worker to stop (it finishes its request), repeat;
 *            executors and the housekeeper are all asked to stop at once and new ones started
 *   SIGTERM  (and SIGINT) drain: workers finish the request in hand within grace_time, executors
 *            give their job back to the queue at their next write (or finish it); then the master
 *            exits 0; stragglers are killed when grace_time runs out
 *
 * Signal handlers only set flags; the master sleeps in sigsuspend(2) and acts when woken. */
#ifndef TR_POOL_MASTER_H
#define TR_POOL_MASTER_H

#include "util/arena.h"
#include "util/config.h"

/* Child slots: workers may be up to 1024 and executors 256, and a reload briefly holds the
 * replacements beside the old ones. */
#define POOL_MAX_CHILDREN 2048

typedef struct master_opts {
	const char *config_path;     /* NULL = defaults only; re-read on SIGHUP */
	const char *cli_workers;     /* --workers, reapplied after every reload; NULL = none */
	const char *cli_listen;      /* --listen; NULL = none */
	int foreground;              /* 0 = detach from the terminal */
} master_opts;

/* Runs until drained; returns the process exit status.  cfg and its arena become the master's;
 * the arena is destroyed on exit or replaced on reload. */
int master_run(const master_opts *opts, arena *cfg_arena, tr_config *cfg);

#endif
