/* listen: the FastCGI listen socket, opened by the master or inherited from the web server. */
#ifndef TR_POOL_LISTEN_H
#define TR_POOL_LISTEN_H

#include "util/err.h"

/* Opens spec: a unix socket path (absolute, or "unix:PATH") or "HOST:PORT" (IPv4, [IPv6] or a name).
 * A stale unix socket file is replaced; mode/owner/group apply to it ("" = leave).  The socket is
 * non-blocking so that idle workers can wait in ppoll(2) and stop promptly.
 * Returns the fd, or -1 with err set. */
int listen_open(const char *spec, int mode, const char *owner, const char *group, int backlog,
                tr_err *err);

/* 1 when fd is a listening socket (a web server spawned us with the socket on fd 0). */
int listen_is_socket(int fd);

/* Makes an inherited socket non-blocking like ours. */
int listen_prepare_inherited(int fd, tr_err *err);

/* Removes the unix socket file of spec, if spec names one. */
void listen_unlink(const char *spec);

#endif
