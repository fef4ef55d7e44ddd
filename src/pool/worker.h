/* worker: one sync worker process.  It owns its database connection (opened after fork) and one
 * arena reset after every request, and serves requests from the shared listen socket until told
 * to stop (SIGTERM: finish the request in hand, then exit 0) or until max_requests. */
#ifndef TR_POOL_WORKER_H
#define TR_POOL_WORKER_H

#include "util/config.h"

/* Exit status of a worker that stopped as asked or recycled itself; anything else is a crash. */
#define WORKER_EXIT_OK 0
/* Exit status of a worker that could not start (out of memory, bad socket): crash back-off. */
#define WORKER_EXIT_FAILED 70

/* Runs in the forked child; returns the exit status for _exit(). */
int worker_main(const tr_config *cfg, int listen_fd, unsigned index);

#endif
